/**
 * The `hyplay` command. Every input error is one line on stderr with exit
 * status 2; guest faults are outcomes, printed as results.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { loadAbis, loadBackends, type BackendRegistry } from '../di/container.ts';
import { disassemble } from '../isa/assembler.ts';
import type { ArchBackend } from '../interp/backend.ts';
import type { Endian } from '../memory/guest-memory.ts';
import { registerAbiCommands } from './abi-commands.ts';
import { registerBenchCommand } from './bench.ts';
import { hexBytes } from '../cpu/plain-state.ts';
import { hexAddress } from '../interp/step-result.ts';
import { CliError, parseCliNumber } from './cli-error.ts';
import { registerConformanceCommand, ResultFailure } from './conformance-command.ts';
import { parseHexArguments } from './hex.ts';
import { runMainJob } from './main-job.ts';
import { assembleOrFail, runProgram } from './run-program.ts';
import { registerScenarioCommands } from './scenario-command.ts';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  /** Standard output. */
  out(text: string): void;
  /** Standard error. */
  err(text: string): void;
}

/** The process's stdout and stderr. */
export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

function backendOf(registry: BackendRegistry, name: string): ArchBackend {
  const backend = registry.get(name);
  if (backend === undefined) throw new CliError(`unknown architecture '${name}' (one of ${registry.names().join(', ')})`);
  return backend;
}

function endianOf(backend: ArchBackend, value: string | undefined): Endian {
  if (value === undefined) return backend.endians[0]!;
  if (value !== 'little' && value !== 'big') throw new CliError(`--endian: '${value}' is not 'little' or 'big'`);
  if (!backend.endians.includes(value)) throw new CliError(`--endian: ${backend.name} supports only ${backend.endians.join(', ')}`);
  return value;
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError(`cannot read '${file}': ${code}`);
  }
}

function listing(arch: string, items: readonly { address: number; bytes: Uint8Array; text: string }[], json: boolean): string {
  if (json) return JSON.stringify({ arch, instructions: items.map((i) => ({ address: hexAddress(i.address), bytes: hexBytes(i.bytes), text: i.text })) }, undefined, 2);
  const width = Math.max(0, ...items.map((i) => hexBytes(i.bytes).length));
  return items.map((i) => `${hexAddress(i.address)}:  ${hexBytes(i.bytes).padEnd(width)}  ${i.text}`).join('\n');
}

function parseBase(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = parseCliNumber(value, '--base');
  if (n < 0n || n > 0xffff_ffffn) throw new CliError(`--base: ${value} is out of range 0..0xffffffff`);
  return Number(n);
}

/** Build the command tree. */
export function buildProgram(io: CliIo, registry: BackendRegistry = loadBackends()): Command {
  const program = new Command('hyplay')
    .description('Hypercall ABI playground: real guest encodings, executable ABI specs, one dispatcher')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: (text) => io.err(text.split('\n')[0]!), outputError: (text, write) => write(`hyplay: ${text.replace(/^error: /, '')}`) });

  program
    .command('asm')
    .description('assemble instructions (TEXT, with ; or newlines between statements, or --file F)')
    .argument('<arch>', 'architecture')
    .argument('[text]', 'assembly text')
    .option('--file <file>', 'read the assembly from a file')
    .option('--base <address>', 'address of the first instruction', '0')
    .option('--endian <order>', 'little or big, where the architecture has both')
    .option('--json', 'JSON output')
    .action((arch: string, text: string | undefined, options: { file?: string; base?: string; endian?: string; json?: boolean }) => {
      const backend = backendOf(registry, arch);
      if ((text === undefined) === (options.file === undefined)) throw new CliError('asm: give either TEXT or --file F');
      const source = options.file === undefined ? text!.replace(/\\n/g, '\n') : readSource(options.file);
      const endian = endianOf(backend, options.endian);
      const assembled = assembleOrFail(backend, source, options.file ?? '<text>', parseBase(options.base), endian);
      const set = backend.instructionSet(endian);
      const items = assembled.items.map((item) => ({
        address: item.address,
        bytes: item.bytes,
        text: item.instruction ? (set.disassembleOne(item.bytes, item.address)?.text ?? item.text) : item.text,
      }));
      io.out(listing(arch, items, options.json === true));
    });

  program
    .command('disasm')
    .description('disassemble hex: bytes in memory order (700040e1 or 70 00 40 e1), or 0x-prefixed words')
    .argument('<arch>', 'architecture')
    .argument('<hex...>', 'hex bytes or 0x words')
    .option('--base <address>', 'address of the first byte', '0')
    .option('--endian <order>', 'little or big, where the architecture has both')
    .option('--json', 'JSON output')
    .action((arch: string, hexArgs: string[], options: { base?: string; endian?: string; json?: boolean }) => {
      const backend = backendOf(registry, arch);
      const endian = endianOf(backend, options.endian);
      const bytes = parseHexArguments(hexArgs, endian, backend.unitSize);
      const items = disassemble(backend.instructionSet(endian), bytes, parseBase(options.base), backend.unitSize);
      io.out(listing(arch, items, options.json === true));
    });

  program
    .command('run')
    .description('assemble FILE, load it at the architecture\'s load address and run it')
    .argument('<arch>', 'architecture')
    .argument('<file>', 'assembly source')
    .option('--mode <mode>', 'starting mode (arm32: svc, hyp, usr, …)')
    .option('--max-steps <n>', 'step budget', '1000000')
    .option('--endian <order>', 'little or big, where the architecture has both')
    .option('--trace', 'print a trace line per event')
    .option('--json', 'JSON output')
    .action((arch: string, file: string, options: { mode?: string; maxSteps: string; endian?: string; trace?: boolean; json?: boolean }) => {
      const backend = backendOf(registry, arch);
      const maxSteps = parseCliNumber(options.maxSteps, '--max-steps');
      if (maxSteps < 1n || maxSteps > 1_000_000_000n) throw new CliError(`--max-steps: ${options.maxSteps} is out of range 1..1000000000`);
      const report = runProgram(backend, readSource(file), file, {
        maxSteps: Number(maxSteps),
        trace: options.trace === true,
        endian: endianOf(backend, options.endian),
        ...(options.mode === undefined ? {} : { mode: options.mode }),
      });
      if (options.json === true) {
        io.out(JSON.stringify(report, undefined, 2));
        return;
      }
      const lines = [...report.trace, `stop: ${report.stop.reason} at ${report.stop.pc} after ${report.steps} steps: ${report.stop.detail}`];
      const entries = Object.entries(report.registers);
      for (let i = 0; i < entries.length; i += 4) {
        lines.push(entries.slice(i, i + 4).map(([name, value]) => `${name.padStart(11)} ${value}`).join('  '));
      }
      io.out(lines.join('\n'));
    });

  registerAbiCommands(program, io, registry);
  registerConformanceCommand(program, io, registry);
  registerScenarioCommands(program, io, registry);

  registerBenchCommand(program, io, { backends: () => registry, abis: loadAbis });

  program
    .command('start')
    .description('the main job (what `npm start` runs)')
    .action(() => {
      io.out(runMainJob(registry));
    });

  return program;
}

/**
 * Run the CLI with `argv` (without node and script). Returns the exit status:
 * 0 on success, 1 when a command's result is a failure (a failing
 * conformance case), 2 on an input error.
 */
export function runCli(argv: readonly string[], io: CliIo = processIo): number {
  let program: Command;
  try {
    program = buildProgram(io);
  } catch (error) {
    io.err(`hyplay: ${(error as Error).message}`);
    return 2;
  }
  try {
    program.parse([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return 2;
    }
    if (error instanceof ResultFailure) return error.status;
    if (error instanceof CliError) {
      io.err(`hyplay: ${error.message}`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`hyplay: internal error: ${message.split('\n')[0]}`);
    return 1;
  }
}
