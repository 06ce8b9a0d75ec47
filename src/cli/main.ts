/**
 * The `hyplay` command. Every input error is one line on stderr with exit
 * status 2 (under `--json` also an `{"error":{…}}` object on stdout); guest
 * faults are outcomes, printed as results.
 *
 * The command tree is built without the composition root: backends and
 * specs come from {@link CliServices}, loaded only for a command that uses
 * them ({@link main}), so that `hyplay --help` loads no backend and
 * `hyplay asm arm32` one backend and no specs.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { ArchBackend, EngineName } from '../interp/backend.ts';
import type { Endian } from '../memory/guest-memory.ts';
import { registerAbiCommands } from './abi-commands.ts';
import { registerBenchCommand } from './bench.ts';
import { registerBootCommand } from './boot-command.ts';
import { hexBytes } from '../cpu/plain-state.ts';
import { hexAddress } from '../interp/step-result.ts';
import { disassemble } from '../isa/assembler.ts';
import { CliError, escapeControl, parseCliNumber, type ErrorPosition } from './cli-error.ts';
import { processIo, type CliIo } from './cli-io.ts';
import { tuneForGuestCode } from './guest-code-tuning.ts';
import { registerConformanceCommand, ResultFailure } from './conformance-command.ts';
import { parseHexArguments } from './hex.ts';
import { inputName, readInputBytes, readInputText } from './input.ts';
import { runMainJob } from './main-job.ts';
import { imageText, runImage } from './run-image.ts';
import { assembleOrFail, checkChoices, runProgram, runText, syntaxSet } from './run-program.ts';
import { registerScenarioCommands } from './scenario-command.ts';
import { registerStateCommands } from './state-command.ts';
import { registerSyndromeCommand } from './syndrome-command.ts';
import { BACKEND_NAMES } from '../di/backend-names.ts';
import { archArgumentNeeds, declareNeeds, helpNeedsOf, lazyServices, needsOf, type CliServices, type CompositionRoot } from './services.ts';

export type { CliIo } from './cli-io.ts';
export { processIo } from './cli-io.ts';

function backendOf(services: CliServices, name: string): ArchBackend {
  const backend = services.backends().get(name);
  if (backend === undefined) throw new CliError(`unknown architecture '${name}' (one of ${services.archNames.join(', ')})`, { input: 'argument 1' });
  return backend;
}

function endianOf(backend: ArchBackend, value: string | undefined): Endian {
  if (value === undefined) return backend.endians[0]!;
  if (value !== 'little' && value !== 'big') throw new CliError(`--endian: '${value}' is not 'little' or 'big'`, { input: '--endian' });
  if (!backend.endians.includes(value)) throw new CliError(`--endian: ${backend.name} supports only ${backend.endians.join(', ')}`, { input: '--endian' });
  return value;
}

function listing(arch: string, items: readonly { address: number; bytes: Uint8Array; text: string }[], json: boolean): string {
  if (json) return JSON.stringify({ arch, instructions: items.map((i) => ({ address: hexAddress(i.address), bytes: hexBytes(i.bytes), text: i.text })) }, undefined, 2);
  // A loop, not Math.max(...spread): a spread of 200,000 items overflows the stack.
  let width = 0;
  for (const item of items) width = Math.max(width, 3 * item.bytes.length - 1);
  return items.map((i) => `${hexAddress(i.address)}:  ${hexBytes(i.bytes).padEnd(width)}  ${i.text}`).join('\n');
}

function parseBase(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = parseCliNumber(value, '--base');
  if (n < 0n || n > 0xffff_ffffn) throw new CliError(`--base: ${value} is out of range 0..0xffffffff`, { input: '--base' });
  return Number(n);
}

/** Commander's collector for a repeatable option. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The version in package.json, read when asked (`--version`). */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Build the command tree over `services`. */
export function buildProgram(io: CliIo, services: CliServices): Command {
  const program = new Command('hyplay')
    .description('Hypercall ABI playground: real guest encodings, executable ABI specs, one dispatcher')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError(false)
    .exitOverride()
    // `hyplay` alone and a group without its subcommand (`hyplay abi`) print the full help: to stdout, status 0.
    .configureOutput({ writeOut: io.out, writeErr: io.out, outputError: (text) => io.err(`hyplay: ${text.replace(/^error: /, '').split('\n')[0]}`) });
  const archNeeds = (specs: (command: Command) => boolean, guestCode = true): ((command: Command) => ReturnType<typeof needsOf>) =>
    archArgumentNeeds(services.archNames, specs, guestCode);

  const asm = program
    .command('asm')
    .description('assemble instructions (TEXT, with ; or newlines between statements, or --file F; F may be - for stdin)')
    .argument('<arch>', 'architecture')
    .argument('[text]', 'assembly text')
    .option('--file <file>', 'read the assembly from a file (- for standard input)')
    .option('--base <address>', 'address of the first instruction', '0')
    .option('--endian <order>', 'little or big, where the architecture has both')
    .option('--syntax <syntax>', 'assembly syntax, where the architecture has several (x86_64: att, intel)')
    .option('--json', 'JSON output')
    .action((arch: string, text: string | undefined, options: { file?: string; base?: string; endian?: string; syntax?: string; json?: boolean }) => {
      const backend = backendOf(services, arch);
      if ((text === undefined) === (options.file === undefined)) throw new CliError('asm: give either TEXT or --file F');
      const source = options.file === undefined ? text!.replace(/\\n/g, '\n') : readInputText(options.file);
      const endian = endianOf(backend, options.endian);
      const set = syntaxSet(backend, endian, options.syntax);
      const assembled = assembleOrFail(backend, source, options.file === undefined ? '<text>' : inputName(options.file), parseBase(options.base), endian, set);
      const items = assembled.items.map((item) => ({
        address: item.address,
        bytes: item.bytes,
        text: item.instruction ? (set.disassembleOne(item.bytes, item.address)?.text ?? item.text) : item.text,
      }));
      io.out(listing(arch, items, options.json === true));
    });
  declareNeeds(asm, archNeeds(() => false, false));

  const disasm = program
    .command('disasm')
    .description('disassemble hex (bytes in memory order: 700040e1 or 70 00 40 e1; or 0x-prefixed words) or a raw binary (--file F, - for stdin)')
    .argument('<arch>', 'architecture')
    .argument('[hex...]', 'hex bytes or 0x words')
    .option('--file <file>', 'disassemble the bytes of a raw binary file (- for standard input)')
    .option('--base <address>', 'address of the first byte', '0')
    .option('--endian <order>', 'little or big, where the architecture has both')
    .option('--syntax <syntax>', 'assembly syntax, where the architecture has several (x86_64: att, intel)')
    .option('--json', 'JSON output')
    .action((arch: string, hexArgs: string[], options: { file?: string; base?: string; endian?: string; syntax?: string; json?: boolean }) => {
      const backend = backendOf(services, arch);
      const endian = endianOf(backend, options.endian);
      if ((hexArgs.length === 0) === (options.file === undefined)) throw new CliError('disasm: give either HEX… or --file F');
      const bytes = options.file === undefined ? parseHexArguments(hexArgs, endian, backend.unitSize) : readInputBytes(options.file);
      if (bytes.length === 0) throw new CliError(`disasm: '${inputName(options.file!)}' is empty`, { input: inputName(options.file!) });
      const items = disassemble(syntaxSet(backend, endian, options.syntax), bytes, parseBase(options.base), backend.unitSize);
      io.out(listing(arch, items, options.json === true));
    });
  declareNeeds(disasm, archNeeds(() => false, false));

  const run = program
    .command('run')
    .description("assemble FILE (- for stdin), load it at the architecture's load address and run it; or --image: boot a real image (raw, ELF, zImage, arm64 Image; gzip or xz) with a device tree; REG=VAL sets initial registers")
    .argument('<arch>', 'architecture')
    .argument('[file]', 'assembly source (- for standard input); not with --image')
    .argument('[registers...]', 'initial registers, REG=VAL in decimal or 0x hex')
    .option('--mode <mode>', 'starting CPU mode (arm32: svc, hyp, usr, …; ppc64: hv, supervisor, problem)')
    .option('--max-steps <n>', 'step budget', '1000000')
    .option('--endian <order>', 'little or big, where the architecture has both')
    .option('--engine <engine>', 'interp or jit, where the architecture has both')
    .option('--syntax <syntax>', 'assembly syntax, where the architecture has several (x86_64: att, intel)')
    .option('--vendor <vendor>', 'CPU vendor, where the architecture models several (x86_64: intel for a VMX guest, amd for an SVM guest)')
    .option('--firmware <firmware>', 'a spec id or asm:NAME, installed at the hypervisor vectors')
    .option('--image <file>', 'boot this image instead of assembling FILE (see `hyplay boot`)')
    .option('--ram <base:size>', 'with --image: the RAM, e.g. 0x40000000:256M (default: the architecture\'s)')
    .option('--load <address>', 'with --image: where raw bytes (no header) go')
    .option('--entry <where>', 'with --image: start here (an address or a symbol) instead of the image\'s entry')
    .option('--dtb <file>', 'with --image: pass this device tree blob, or none, instead of the generated one')
    .option('--bootargs <text>', 'with --image: the kernel command line in the generated device tree', '')
    .option('--payload', 'with --image: boot the kernel inside a self-decompressing image (zImage) directly, decompressed by hyplay')
    .option('--trace-tail <n>', 'with --trace: keep only the last N events')
    .option('--break <where>', 'stop on reaching an address or label (repeatable)', collect, [])
    .option('--dump <range>', 'show memory after the run, ADDR:LEN with ADDR an address or label (repeatable)', collect, [])
    .option('--regs <names>', 'report only these registers, comma-separated (r0,r1,cpsr)')
    .option('--trace', 'print a trace line per event')
    .option('--json', 'JSON output')
    .action((arch: string, file: string | undefined, assignments: string[], options: RunCommandOptions): Promise<void> | undefined => {
      const backend = backendOf(services, arch);
      const maxSteps = parseCliNumber(options.maxSteps, '--max-steps');
      // An image (a kernel decompressing itself) may run far longer than an assembled program.
      const most = options.image === undefined ? 1_000_000_000n : 100_000_000_000n;
      if (maxSteps < 1n || maxSteps > most) throw new CliError(`--max-steps: ${options.maxSteps} is out of range 1..${most}`, { input: '--max-steps' });
      if (options.image !== undefined) {
        // With --image the first argument after the architecture, if any, is a register assignment.
        const registers = file === undefined ? assignments : [file, ...assignments];
        for (const option of ['firmware', 'dump', 'endian'] as const) {
          const value = options[option];
          if (value !== undefined && !(Array.isArray(value) && value.length === 0)) throw new CliError(`--${option} does not go with --image`, { input: `--${option}` });
        }
        return runImage(backend, readInputBytes(options.image), inputName(options.image), {
          maxSteps: Number(maxSteps),
          trace: options.trace === true,
          assignments: registers,
          breaks: options.break,
          bootargs: options.bootargs,
          ...(options.payload === true ? { payload: true } : {}),
          ...(options.traceTail === undefined ? {} : { traceTail: traceTailOf(options.traceTail) }),
          ...(options.engine === undefined ? {} : { engine: engineName(backend, options.engine) }),
          ...(options.mode === undefined ? {} : { mode: options.mode }),
          ...(options.ram === undefined ? {} : { ram: options.ram }),
          ...(options.load === undefined ? {} : { load: options.load }),
          ...(options.entry === undefined ? {} : { entry: options.entry }),
          ...(options.dtb === undefined ? {} : { deviceTree: options.dtb === 'none' ? (false as const) : readInputBytes(options.dtb) }),
          ...(options.regs === undefined ? {} : { registers: options.regs }),
        }).then((report) => io.out(options.json === true ? JSON.stringify(report, undefined, 2) : `${imageText(report.image)}\n${runText(report)}`));
      }
      if (file === undefined) throw new CliError("missing required argument 'file' (an assembly source, or --image IMAGE)");
      for (const option of ['ram', 'load', 'entry', 'dtb', 'traceTail', 'payload'] as const) {
        if (options[option] !== undefined) throw new CliError(`--${option === 'traceTail' ? 'trace-tail' : option} goes with --image only`, { input: `--${option}` });
      }
      const endian = endianOf(backend, options.endian);
      const source = readInputText(file);
      const report = runProgram(
        backend,
        source,
        inputName(file),
        {
          maxSteps: Number(maxSteps),
          trace: options.trace === true,
          endian,
          assignments,
          breaks: options.break,
          dumps: options.dump,
          ...(options.mode === undefined ? {} : { mode: options.mode }),
          ...(options.engine === undefined ? {} : { engine: options.engine }),
          ...(options.firmware === undefined ? {} : { firmware: options.firmware }),
          ...(options.regs === undefined ? {} : { registers: options.regs }),
          ...(options.syntax === undefined ? {} : { syntax: options.syntax }),
          choices: checkChoices(backend, { vendor: options.vendor }),
        },
        options.firmware === undefined || options.firmware.startsWith('asm:') ? undefined : services.abis(),
      );
      io.out(options.json === true ? JSON.stringify(report, undefined, 2) : runText(report));
      return undefined;
    });
  declareNeeds(run, archNeeds((command) => (command.opts() as RunCommandOptions).firmware !== undefined));

  registerAbiCommands(program, io, services);
  registerConformanceCommand(program, io, services);
  registerScenarioCommands(program, io, services);

  registerBenchCommand(program, io, services);
  registerBootCommand(program, io, services);
  registerStateCommands(program, io, services);
  registerSyndromeCommand(program, io, services);

  program
    .command('start')
    .description('the main job (what `npm start` runs)')
    .action(() => {
      io.out(runMainJob(services.backends(), services.abis()));
    });

  return program;
}

/** The options of `hyplay run`, as commander hands them over. */
interface RunCommandOptions {
  readonly mode?: string;
  readonly syntax?: string;
  readonly vendor?: string;
  readonly maxSteps: string;
  readonly endian?: string;
  readonly engine?: string;
  readonly firmware?: string;
  readonly break: string[];
  readonly dump: string[];
  readonly regs?: string;
  readonly trace?: boolean;
  readonly json?: boolean;
  readonly image?: string;
  readonly ram?: string;
  readonly load?: string;
  readonly entry?: string;
  readonly dtb?: string;
  readonly bootargs: string;
  readonly payload?: boolean;
  readonly traceTail?: string;
}

/** `--trace-tail N`, 1..2^24. */
function traceTailOf(text: string): number {
  const n = parseCliNumber(text, '--trace-tail');
  if (n < 1n || n > 1n << 24n) throw new CliError(`--trace-tail: ${text} is out of range 1..16777216`, { input: '--trace-tail' });
  return Number(n);
}

/** `--engine`, checked against the backend's engines. */
function engineName(backend: ArchBackend, name: string): EngineName {
  const engines = backend.engines ?? ['interp'];
  if (!(engines as readonly string[]).includes(name)) throw new CliError(`--engine: ${backend.name} offers ${engines.join(', ')}, not '${name}'`, { input: '--engine' });
  return name as EngineName;
}

/** Whether `--json` was asked for (before any `--`). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** The `{"error":{…}}` object of `--json`: the message, and the position fields that are known. */
export function errorJson(message: string, position: ErrorPosition = {}): string {
  return JSON.stringify({ error: { message, ...position } }, undefined, 2);
}

/**
 * Turn what a command threw into its exit status, writing the one-line
 * error (and, under `--json`, the error object) for input errors: 0 for
 * help and version, 1 when a command's result is a failure or on an
 * internal error, 2 on an input error.
 */
function statusOf(error: unknown, argv: readonly string[], io: CliIo): number {
  let message: string;
  let position: ErrorPosition = {};
  let status = 2;
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
    // Commander has already printed its one line.
    if (wantsJson(argv)) io.out(errorJson(escapeControl(error.message.replace(/^error: /, '').split('\n')[0]!)));
    return 2;
  } else if (error instanceof ResultFailure) {
    return error.status;
  } else if (error instanceof CliError) {
    message = error.message;
    position = error.position;
  } else {
    message = `internal error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    status = 1;
  }
  const text = escapeControl(message);
  io.err(`hyplay: ${text}`);
  if (wantsJson(argv)) io.out(errorJson(text, position));
  return status;
}

/**
 * Run the CLI with `argv` (without node and script), synchronously, over
 * `services` that have everything a command may use loaded (the tests).
 * Returns the exit status: 0 on success, 1 when a command's result is a
 * failure (a failing conformance case), 2 on an input error.
 */
export function runCli(argv: readonly string[], io: CliIo, services: CliServices): number {
  try {
    buildProgram(io, services).parse([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return statusOf(error, argv, io);
  }
}

/**
 * {@link runCli} for commands that finish asynchronously (`run --image`,
 * `boot`: decompressing an image is asynchronous): the same program and
 * statuses, awaited.
 */
export async function runCliAsync(argv: readonly string[], io: CliIo, services: CliServices): Promise<number> {
  try {
    await buildProgram(io, services).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return statusOf(error, argv, io);
  }
}

/**
 * The binary's entry: import the composition root, load what the command
 * about to run needs (after its arguments are parsed, before its action),
 * run it, and return the exit status as {@link runCli} does.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    const services = lazyServices(BACKEND_NAMES, async () => (await import('../di/container.ts')) as CompositionRoot);
    const program = buildProgram(io, services);
    program.hook('preAction', async (_program, command) => {
      const needs = needsOf(command);
      if (needs.guestCode !== false) tuneForGuestCode();
      await services.prepare!(needs);
    });
    // A subcommand whose help is generated from the backends gets them before it parses `--help`.
    program.hook('preSubcommand', async (_program, command) => {
      if (argv.includes('--help') || argv.includes('-h')) await services.prepare!(helpNeedsOf(command));
    });
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return statusOf(error, argv, io);
  }
}
