/**
 * `hyplay run`: assemble a file, load it, run it, report the final state.
 *
 * The program is loaded at the backend's load address with a stack below
 * it. `--firmware` puts a spec's firmware or an assembly implementation at
 * the hypervisor vectors, in a region of its own below the stack. A run
 * ends with the interpreter's stop reasons, or with `left-image` when the
 * PC reaches memory outside what was loaded (the program and the firmware
 * region) that holds nothing but zeros: falling off the end of the program,
 * or jumping into the stack, instead of executing zero words until a
 * recursive fault. The check sits at predecode, so it costs nothing per
 * cached instruction. Code the guest stored outside the image runs, and a
 * fetch from unmapped memory is left to the architecture (it faults, an
 * outcome like any other).
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import { specFirmwareImplementation, type FirmwareImplementation } from '../firmware/conformance.ts';
import { assemble, AssemblyError, type AssembledProgram, type InstructionSet } from '../isa/assembler.ts';
import type { ArchBackend, EngineName } from '../interp/backend.ts';
import { hexAddress, stop, type StopReason } from '../interp/step-result.ts';
import { formatTraceEvent, TraceRecorder } from '../interp/trace.ts';
import type { Machine } from '../interp/machine.ts';
import type { Endian } from '../memory/guest-memory.ts';
import { CliError, parseCliNumber } from './cli-error.ts';
import { parseAssignments, parseRegisterList, pcNumber, registerWidth, UNREPRESENTABLE_PC } from './register-values.ts';

/** Bytes of stack mapped below the load address. */
export const STACK_BYTES = 0x4000;

/** Bytes reserved for `--firmware` below the stack: the vector table, an assembly implementation's code and its stack. */
export const FIRMWARE_BYTES = 0x2000;

/** Most bytes one `--dump` may show. */
export const MAX_DUMP_BYTES = 0x10000;

/** Options of one run. */
export interface RunOptions {
  /** Starting mode; the backend's default when undefined. */
  readonly mode?: string;
  /** Step budget. */
  readonly maxSteps: number;
  /** Record a trace. */
  readonly trace: boolean;
  /** Byte order. */
  readonly endian?: Endian;
  /** Execution engine (`--engine`); the backend's default when undefined. */
  readonly engine?: string;
  /** Initial registers as `REG=VAL` (set after the mode, the stack and any firmware). */
  readonly assignments?: readonly string[];
  /** `--firmware`: a spec id or `asm:NAME`. */
  readonly firmware?: string;
  /** `--break`: addresses or labels. */
  readonly breaks?: readonly string[];
  /** `--dump`: `ADDR:LEN`, ADDR an address or a label. */
  readonly dumps?: readonly string[];
  /** `--regs`: a comma-separated register list to report instead of all. */
  readonly registers?: string;
  /** `--syntax`: the assembly syntax, where the backend has several. */
  readonly syntax?: string;
  /** Values of the backend's machine choices (`--vendor`), by name. */
  readonly choices?: Readonly<Record<string, string>>;
}

/** The instruction set of `--syntax NAME` (the backend's default without it); a name the backend does not have is a CLI error. */
export function syntaxSet(backend: ArchBackend, endian: Endian | undefined, syntax: string | undefined): InstructionSet {
  const fallback = backend.instructionSet(endian ?? backend.endians[0]!);
  if (syntax === undefined) return fallback;
  const set = backend.syntaxes?.[syntax];
  if (set === undefined) {
    const known = backend.syntaxes === undefined ? 'it has one syntax' : `one of ${Object.keys(backend.syntaxes).join(', ')}`;
    throw new CliError(`--syntax: ${backend.name} has no syntax '${syntax}' (${known})`, { input: '--syntax' });
  }
  return set;
}

/** Check machine-choice values (`--vendor intel`) against the backend's {@link ArchBackend.machineChoices}. */
export function checkChoices(backend: ArchBackend, choices: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(choices)) {
    if (value === undefined) continue;
    const choice = backend.machineChoices?.find((c) => c.name === name);
    if (choice === undefined) throw new CliError(`--${name}: ${backend.name} has no ${name} choice`, { input: `--${name}` });
    if (!choice.values.includes(value)) throw new CliError(`--${name}: '${value}' is not one of ${choice.values.join(', ')}`, { input: `--${name}` });
    out[name] = value;
  }
  return out;
}

/** Where and why a run stopped, as printed. */
export interface RunStop {
  /** The stop reason. */
  readonly reason: StopReason;
  /** The PC at the stop, `0x` hex. */
  readonly pc: string;
  /** One line of detail. */
  readonly detail: string;
}

/** One `--dump` in the report. */
export interface RunDump {
  /** First address, `0x` hex. */
  readonly address: string;
  /** Bytes shown. */
  readonly length: number;
  /** The bytes in memory order, lowercase hex, space-separated. */
  readonly bytes: string;
}

/** What `hyplay run --json` prints. */
export interface RunReport {
  /** Why and where it stopped. */
  readonly stop: RunStop;
  /** Instructions executed. */
  readonly steps: number;
  /** Final registers (all of them, or the `--regs` list in its order). */
  readonly registers: Record<string, string>;
  /** Trace lines (empty without --trace). */
  readonly trace: readonly string[];
  /** The `--dump` ranges after the run, in the order given (only with `--dump`). */
  readonly dumps?: readonly RunDump[];
}

/** Assemble `source` for `backend`, turning an assembly error into a one-line {@link CliError}. */
export function assembleOrFail(backend: ArchBackend, source: string, inputName: string, base: number, endian?: Endian, set: InstructionSet = backend.instructionSet(endian ?? backend.endians[0]!)): AssembledProgram {
  try {
    return assemble(set, source, base);
  } catch (error) {
    if (error instanceof AssemblyError) throw new CliError(`${inputName}:${error.line}:${error.column}: ${error.message}`, { input: inputName, line: error.line, column: error.column });
    throw error;
  }
}

/** The engine `--engine` names, checked against what the backend offers. */
function engineOf(backend: ArchBackend, name: string | undefined): EngineName | undefined {
  if (name === undefined) return undefined;
  const engines = backend.engines ?? ['interp'];
  if (!(engines as readonly string[]).includes(name)) {
    const known = ['interp', 'jit'].includes(name) ? `${backend.name} has no ${name} engine` : `unknown engine '${name}'`;
    throw new CliError(`--engine: ${known} (${backend.name} offers ${engines.join(', ')})`, { input: '--engine' });
  }
  return name as EngineName;
}

/**
 * Load a program at the backend's load address with a stack below it, in a
 * fresh machine (on `engine`, the backend's default when undefined), starting in `mode`.
 */
export function loadProgram(backend: ArchBackend, program: AssembledProgram, mode: string | undefined, endian?: Endian, engine?: EngineName, choices?: Readonly<Record<string, string>>): Machine {
  const machine = backend.createMachine({ ...(endian === undefined ? {} : { endian }), ...(engine === undefined ? {} : { engine }), ...(choices === undefined ? {} : { choices }) });
  machine.memory.map(program.base - STACK_BYTES, STACK_BYTES);
  machine.memory.load(program.base, program.bytes.length === 0 ? new Uint8Array(4) : program.bytes);
  try {
    machine.setMode(mode ?? backend.defaultMode);
  } catch (error) {
    const privilege = mode !== undefined && ['user', 'kernel', 'hyp', 'hypervisor'].includes(mode) && !machine.modes.includes(mode);
    const hint = privilege ? ` ('${mode}' is a privilege; --mode takes a CPU mode)` : '';
    throw new CliError(`--mode: ${(error as Error).message}${hint}`, { input: '--mode' });
  }
  machine.pc = program.base;
  machine.setRegister(backend.stackPointer ?? 'sp', BigInt(program.base));
  return machine;
}

/** Where `--firmware` goes: below the stack, aligned as the vector base must be (0 on an architecture whose vectors sit at 0). */
export function firmwareBase(backend: ArchBackend): number {
  const alignment = backend.firmware?.alignment ?? 1;
  return Math.max(0, Math.floor((backend.loadAddress - STACK_BYTES - FIRMWARE_BYTES) / alignment) * alignment);
}

/** The implementation `--firmware` names: a spec of this architecture, or `asm:NAME` of the backend's. */
function firmwareOf(backend: ArchBackend, abis: AbiRegistry | undefined, name: string): FirmwareImplementation {
  const port = backend.firmware;
  if (port === undefined) throw new CliError(`--firmware: ${backend.name} has no hypervisor vectors for firmware`, { input: '--firmware' });
  const assembly = port.conformance?.implementations ?? [];
  if (name.startsWith('asm:')) {
    const found = assembly.find((i) => i.name === name);
    if (found !== undefined) return found;
    const names = assembly.map((i) => i.name);
    throw new CliError(`--firmware: unknown assembly implementation '${name}' (${names.length === 0 ? `${backend.name} ships none` : `one of ${names.join(', ')}`})`, { input: '--firmware' });
  }
  const abi = abis?.get(name);
  if (abi === undefined) throw new CliError(`--firmware: unknown ABI '${name}' (a spec id of ${backend.name} from \`hyplay abi list --arch ${backend.name}\`, or asm:NAME)`, { input: '--firmware' });
  if (abi.spec.arch !== backend.name) throw new CliError(`--firmware: '${name}' is a ${abi.spec.arch} spec, not ${backend.name}`, { input: '--firmware' });
  return specFirmwareImplementation(port, abi);
}

/** Whether `addressOf` reads a breakpoint (a PC, virtual) or a dump (guest physical memory). */
type AddressUse = '--break' | '--dump';

/**
 * An address given as a number or a label of the program, checked to fit
 * the machine's addresses. A `--break` is a PC: on a 64-bit machine any
 * value up to 2^64 − 1, held as the signed representation the framework
 * uses for 64-bit virtual addresses (arch/README.md, "64-bit virtual
 * addresses as numbers"), so an upper-half kernel address stops the run;
 * a value that representation cannot hold exactly (beyond ±2^53, never a
 * canonical address) is refused. A `--dump` reads guest physical memory,
 * which no address beyond 2^53 − 1 reaches.
 */
function addressOf(text: string, program: AssembledProgram, width: number, option: AddressUse): number {
  const label = program.symbols.get(text);
  if (label !== undefined) return label;
  if (!/^-?(0x[0-9a-f]+|0b[01]+|\d+)$/i.test(text.trim())) {
    const labels = [...program.symbols.keys()];
    const known = labels.length === 0 ? 'the program has no labels' : `labels: ${labels.slice(0, 8).join(', ')}${labels.length > 8 ? ', …' : ''}`;
    throw new CliError(`${option}: '${text}' is neither an address nor a label of the program (${known})`, { input: option });
  }
  const value = parseCliNumber(text, option);
  const top = (1n << BigInt(width)) - 1n;
  const exact = BigInt(Number.MAX_SAFE_INTEGER);
  if (value < 0n || value > top) throw new CliError(`${option}: ${text} is out of range 0..0x${top.toString(16)}`, { input: option });
  if (option === '--dump') {
    if (value > exact) throw new CliError(`--dump: ${text} is beyond guest physical memory (--dump reads physical memory, 0..0x${exact.toString(16)})`, { input: option });
    return Number(value);
  }
  const pc = pcNumber(value, width);
  if (pc === undefined) throw new CliError(`--break: ${text} cannot be a PC: ${UNREPRESENTABLE_PC}`, { input: option });
  return pc;
}

interface DumpRange {
  readonly text: string;
  readonly address: number;
  readonly length: number;
}

function dumpRangeOf(text: string, program: AssembledProgram, width: number): DumpRange {
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new CliError(`--dump: '${text}' is not ADDR:LEN`, { input: '--dump' });
  const address = addressOf(text.slice(0, colon), program, width, '--dump');
  const length = parseCliNumber(text.slice(colon + 1), `--dump ${text}`);
  if (length < 1n || length > BigInt(MAX_DUMP_BYTES)) throw new CliError(`--dump: length ${text.slice(colon + 1)} is out of range 1..0x${MAX_DUMP_BYTES.toString(16)}`, { input: '--dump' });
  return { text, address, length: Number(length) };
}

/** Lowercase hex bytes, space-separated. */
function hexList(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Run assembled source and report. Throws {@link CliError} on bad input (assembly, options, registers). */
export function runProgram(backend: ArchBackend, source: string, inputName: string, options: RunOptions, abis?: AbiRegistry): RunReport {
  const engine = engineOf(backend, options.engine);
  const firmware = options.firmware === undefined ? undefined : firmwareOf(backend, abis, options.firmware);
  const program = assembleOrFail(backend, source, inputName, backend.loadAddress, options.endian, syntaxSet(backend, options.endian, options.syntax));
  const machine = loadProgram(backend, program, options.mode, options.endian, engine, options.choices);
  const width = registerWidth(machine);
  const image: (readonly [number, number])[] = [[program.base, program.base + program.bytes.length]];
  if (firmware !== undefined) {
    const base = firmwareBase(backend);
    try {
      firmware.install(machine, base);
    } catch (error) {
      throw new CliError(`--firmware: ${firmware.name} cannot be installed at ${hexAddress(base)}: ${(error as Error).message.split('\n')[0]}`, { input: '--firmware' });
    }
    image.push([base, base + Math.max(FIRMWARE_BYTES, backend.firmware!.tableSize + backend.firmware!.alignment)]);
  }
  const initial = parseAssignments(machine, backend.name, options.assignments ?? [], 'run', 3);
  for (const [name, value] of Object.entries(initial)) machine.setRegister(name, value);
  const shown = options.registers === undefined ? undefined : parseRegisterList(machine, backend.name, options.registers, '--regs');
  for (const where of options.breaks ?? []) machine.breakpoints.add(addressOf(where, program, width, '--break'));
  const dumps = (options.dumps ?? []).map((text) => dumpRangeOf(text, program, width));
  for (const dump of dumps) {
    for (let a = dump.address; a < dump.address + dump.length; a++) {
      if (!machine.memory.isMapped(a)) throw new CliError(`--dump ${dump.text}: ${hexAddress(a)} is not mapped`, { input: '--dump' });
    }
  }
  machine.fetchGuard = (address) => {
    if (image.some(([from, to]) => address >= from && address < to)) return undefined;
    const word = machine.memory.readBytes(address, backend.unitSize);
    // Unmapped memory faults as the architecture says; memory the guest wrote (code it stored) runs.
    if (word === undefined || word.some((byte) => byte !== 0)) return undefined;
    const loaded = image.map(([from, to]) => `${hexAddress(from)}..${hexAddress(to)}`).join(' and ');
    return stop('left-image', `the PC left the loaded image (${loaded}): nothing was loaded or written at ${hexAddress(address)}`);
  };
  const recorder = new TraceRecorder();
  if (options.trace) machine.trace = recorder;
  const result = machine.run(options.maxSteps);
  const all = machine.registers();
  const registers = shown === undefined ? all : Object.fromEntries(shown.map((name) => [name, all[name] ?? `0x${machine.register(name).toString(16).padStart(width / 4, '0')}`]));
  return {
    stop: { reason: result.reason, pc: hexAddress(result.pc), detail: result.detail },
    steps: result.steps,
    registers,
    trace: recorder.events.map(formatTraceEvent),
    ...(dumps.length === 0
      ? {}
      : { dumps: dumps.map((d) => ({ address: hexAddress(d.address), length: d.length, bytes: hexList(machine.memory.readBytes(d.address, d.length)!) })) }),
  };
}

/** A `--dump` as text: 16 bytes a line, with the address and the printable characters (`hexdump -C` style). */
export function dumpText(dump: RunDump): string {
  const bytes = dump.bytes.split(' ').map((b) => parseInt(b, 16));
  const start = Number(dump.address);
  const digits = dump.address.length - 2;
  const lines = [`dump ${dump.address}, ${dump.length} byte${dump.length === 1 ? '' : 's'}:`];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.slice(i, i + 16);
    const hex = row.map((b) => b.toString(16).padStart(2, '0'));
    const left = hex.slice(0, 8).join(' ');
    const right = hex.slice(8).join(' ');
    const text = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`  0x${(start + i).toString(16).padStart(digits, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${text}|`);
  }
  return lines.join('\n');
}

/** The human report of a run: the trace, the stop, the registers four to a line, then the dumps. */
export function runText(report: RunReport): string {
  const lines = [...report.trace, `stop: ${report.stop.reason} at ${report.stop.pc} after ${report.steps} step${report.steps === 1 ? '' : 's'}: ${report.stop.detail}`];
  const entries = Object.entries(report.registers);
  for (let i = 0; i < entries.length; i += 4) {
    lines.push(entries.slice(i, i + 4).map(([name, value]) => `${name.padStart(11)} ${value}`).join('  '));
  }
  for (const dump of report.dumps ?? []) lines.push(dumpText(dump));
  return lines.join('\n');
}
