/**
 * `hyplay run ARCH --image FILE`: load a real image (raw, ELF, an
 * architecture's kernel image, compressed or not) into RAM with a device
 * tree, enter it as the boot protocol says and run it.
 *
 * Unlike an assembled program, an image gets no `left-image` guard: a
 * kernel fills RAM it was not loaded into (it decompresses and relocates
 * itself), so only the step budget and the architecture's own faults stop
 * it. Trace lines name the image's symbols where it has them.
 *
 * @module
 */

import type { ArchBackend, EngineName } from '../interp/backend.ts';
import type { Machine } from '../interp/machine.ts';
import { hexAddress } from '../interp/step-result.ts';
import { formatTraceEvent, TraceRecorder, type TraceEvent } from '../interp/trace.ts';
import { loadBootImage, type BootSupport, type LoadedBootImage, type RamRegion } from '../loader/boot-image.ts';
import { ImageError } from '../loader/image-error.ts';
import type { SymbolTable } from '../loader/symbols.ts';
import { MmioBus, unbackedHandler } from '../devices/mmio-bus.ts';
import { Pl011Uart } from '../devices/pl011-uart.ts';
import { CliError, parseCliNumber } from './cli-error.ts';
import { parseAssignments, parseRegisterList, pcNumber, registerWidth, UNREPRESENTABLE_PC } from './register-values.ts';
import type { RunReport } from './run-program.ts';

/** Options of an image run. */
export interface ImageRunOptions {
  /** Step budget. */
  readonly maxSteps: number;
  /** Record a trace (every event), or keep only the last `traceTail` events when that is set. */
  readonly trace: boolean;
  /** With `trace`, keep only this many of the latest events (a ring). */
  readonly traceTail?: number;
  /** `--engine`. */
  readonly engine?: EngineName;
  /** `--mode`: the starting mode instead of the boot protocol's. */
  readonly mode?: string;
  /** `--ram BASE:SIZE`. */
  readonly ram?: string;
  /** `--load ADDR`: where raw bytes go. */
  readonly load?: string;
  /** `--entry ADDR`. */
  readonly entry?: string;
  /** `--dtb FILE` bytes, or `false` for `--dtb none`. */
  readonly deviceTree?: Uint8Array | false;
  /** `--bootargs`. */
  readonly bootargs?: string;
  /** `--payload`: boot the kernel inside a self-decompressing image directly. */
  readonly payload?: boolean;
  /** REG=VAL, set after the boot protocol's registers. */
  readonly assignments?: readonly string[];
  /** `--break`: addresses or symbols. */
  readonly breaks?: readonly string[];
  /** `--regs`. */
  readonly registers?: string;
}

/** A range of guest memory as printed: `0x` hex address, size in bytes. */
export interface HexRange {
  /** First byte, `0x` hex. */
  readonly address: string;
  /** Length in bytes. */
  readonly size: number;
}

/** RAM as printed. */
export interface RamText {
  /** First byte, `0x` hex. */
  readonly base: string;
  /** Length in bytes. */
  readonly size: number;
}

/** What was loaded and how it was entered, as `run --image` and `boot` print it. */
export interface ImageSummary {
  /** The format (`zImage`, `arm64 Image`, `ELF64`, `raw`). */
  readonly format: string;
  /** Compression layers removed, outermost first. */
  readonly compression: readonly string[];
  /** Where the image's bytes went. */
  readonly segments: readonly HexRange[];
  /** The entry point. */
  readonly entry: string;
  /** The RAM given. */
  readonly ram: RamText;
  /** The device tree blob, when one was passed. */
  readonly deviceTree: HexRange | undefined;
  /** The mode it was entered in. */
  readonly mode: string;
  /** Header facts. */
  readonly facts: readonly string[];
  /** The boot protocol followed, one line with its source. */
  readonly protocol: string;
}

/** What `hyplay run --image --json` prints: a run report plus what was loaded. */
export interface ImageRunReport extends RunReport {
  /** What was loaded and how it was entered. */
  readonly image: ImageSummary;
}

/** A machine with an image booted into it. */
export interface BootedMachine {
  /** The machine, at the entry point. */
  readonly machine: Machine;
  /** What was loaded. */
  readonly loaded: LoadedBootImage;
  /** The backend's boot support used. */
  readonly boot: BootSupport;
  /** The console UART attached at the device tree's `stdout-path`, when the boot support names one. */
  readonly console: Pl011Uart | undefined;
}

/**
 * A PL011 at `base` behind `machine`'s physical memory, as its one
 * device: the guest's own loads and stores reach it (no hypervisor in
 * between). Accesses no RAM and no device answers still fault.
 */
function attachConsole(machine: Machine, base: number): Pl011Uart {
  const uart = new Pl011Uart();
  machine.memory.setUnbackedHandler(unbackedHandler(new MmioBus().map('uart0', BigInt(base), uart)));
  return uart;
}

/** The summary of `loaded`, booted by `boot`'s protocol. */
export function imageSummary(loaded: LoadedBootImage, boot: BootSupport): ImageSummary {
  return {
    format: loaded.format,
    compression: loaded.compression,
    segments: loaded.segments.map((s) => ({ address: hexAddress(s.address), size: s.size })),
    entry: hexAddress(loaded.entry),
    ram: { base: hexAddress(loaded.ram.base), size: loaded.ram.size },
    deviceTree: loaded.deviceTree === undefined ? undefined : { address: hexAddress(loaded.deviceTree.address), size: loaded.deviceTree.size },
    mode: loaded.mode,
    facts: loaded.facts,
    protocol: boot.protocol,
  };
}

/** Most RAM `--ram` may give (the model keeps RAM in host memory). */
const MAX_RAM = 2 ** 32;

/** `BASE:SIZE`, both numbers (SIZE may end in K, M or G). */
export function parseRam(text: string): RamRegion {
  const match = /^\s*([^:]+):\s*(0x[0-9a-f]+|\d+)([kmg]?)\s*$/i.exec(text);
  if (match === null) throw new CliError(`--ram: '${text}' is not BASE:SIZE (e.g. 0x40000000:256M)`, { input: '--ram' });
  const base = parseCliNumber(match[1]!, '--ram base');
  const unit = { '': 1n, k: 1n << 10n, m: 1n << 20n, g: 1n << 30n }[match[3]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const size = BigInt(match[2]!) * unit;
  if (base < 0n || base % 4096n !== 0n) throw new CliError(`--ram: base ${match[1]} is not a non-negative multiple of 4096`, { input: '--ram' });
  if (size < 4096n || size > BigInt(MAX_RAM)) throw new CliError(`--ram: size ${match[2]}${match[3]} is out of range 4K..4G`, { input: '--ram' });
  if (base + size > BigInt(Number.MAX_SAFE_INTEGER)) throw new CliError(`--ram: ${text} ends past the addresses this model holds`, { input: '--ram' });
  return { base: Number(base), size: Number(size) };
}

/** An address option: a symbol of the image or a number; with `pcWidth` (the machine's register width), a PC. */
function addressOption(text: string | undefined, option: string, symbols: SymbolTable | undefined, pcWidth?: number): number | undefined {
  if (text === undefined) return undefined;
  const named = symbols?.address(text);
  const value = named ?? parseAddressText(text, option);
  if (pcWidth === undefined) {
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CliError(`${option}: ${text} is out of range`, { input: option });
    return Number(value);
  }
  // A PC (--entry, --break): on a 64-bit machine its signed representation, so an upper-half kernel symbol is one.
  const top = (1n << BigInt(pcWidth)) - 1n;
  if (value > top) throw new CliError(`${option}: ${text} is out of range 0..0x${top.toString(16)}`, { input: option });
  const pc = pcNumber(value, pcWidth);
  if (pc === undefined) throw new CliError(`${option}: ${text} cannot be a PC: ${UNREPRESENTABLE_PC}`, { input: option });
  return pc;
}

/** A number given for an address option (not a symbol). */
function parseAddressText(text: string, option: string): bigint {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text.trim())) throw new CliError(`${option}: '${text}' is neither an address nor a symbol of the image`, { input: option });
  return parseCliNumber(text, option);
}

/** The trace line of `event`, with the symbol its address is in (`  <name+0x8>`) where the image names one. */
export function symbolisedLine(event: TraceEvent, symbols: SymbolTable): string {
  const line = formatTraceEvent(event);
  const address = event.kind === 'step' ? event.address : event.kind === 'exception' ? event.vector : event.kind === 'return' ? event.target : undefined;
  const name = address === undefined ? undefined : symbols.nameOf(address);
  return name === undefined ? line : `${line}  <${name}>`;
}

/** Load `bytes` (the file named `inputName`) into a fresh machine for `backend`, entered as its boot protocol says. */
export async function bootMachine(backend: ArchBackend, bytes: Uint8Array, inputName: string, options: ImageRunOptions): Promise<BootedMachine> {
  const boot = backend.boot;
  if (boot === undefined) throw new CliError(`--image: ${backend.name} cannot boot images yet`, { input: '--image' });
  const machine = backend.createMachine(options.engine === undefined ? {} : { engine: options.engine });
  if (options.mode !== undefined && !machine.modes.includes(options.mode)) throw new CliError(`--mode: unknown mode '${options.mode}' (one of ${machine.modes.join(', ')})`, { input: '--mode' });
  try {
    const loaded = await loadBootImage(machine, bytes, boot, {
      ...(options.ram === undefined ? {} : { ram: parseRam(options.ram) }),
      ...(options.load === undefined ? {} : { loadAddress: addressOption(options.load, '--load', undefined)! }),
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      ...(options.deviceTree === undefined ? {} : { deviceTree: options.deviceTree }),
      ...(options.bootargs === undefined ? {} : { bootargs: options.bootargs }),
      ...(options.payload === true ? { payload: true } : {}),
    });
    const entry = addressOption(options.entry, '--entry', loaded.symbols, registerWidth(machine));
    if (entry !== undefined) machine.pc = entry;
    const console = boot.consoleBase === undefined ? undefined : attachConsole(machine, boot.consoleBase);
    return { machine, loaded: entry === undefined ? loaded : { ...loaded, entry }, boot, console };
  } catch (error) {
    if (error instanceof ImageError) throw new CliError(`${inputName}: offset 0x${error.offset.toString(16)}: ${error.message}`, { input: inputName });
    throw error;
  }
}

/** Boot the image and run it; see the module comment. Throws {@link CliError} on bad input. */
export async function runImage(backend: ArchBackend, bytes: Uint8Array, inputName: string, options: ImageRunOptions): Promise<ImageRunReport> {
  const { machine, loaded, boot } = await bootMachine(backend, bytes, inputName, options);
  const initial = parseAssignments(machine, backend.name, options.assignments ?? [], 'run', 3);
  for (const [name, value] of Object.entries(initial)) machine.setRegister(name, value);
  const shown = options.registers === undefined ? undefined : parseRegisterList(machine, backend.name, options.registers, '--regs');
  for (const where of options.breaks ?? []) machine.breakpoints.add(addressOption(where, '--break', loaded.symbols, registerWidth(machine))!);
  const recorder = new TraceRecorder(options.traceTail === undefined ? {} : { limit: options.traceTail });
  if (options.trace) machine.trace = recorder;
  const result = machine.run(options.maxSteps);
  const width = registerWidth(machine);
  const all = machine.registers();
  const registers = shown === undefined ? all : Object.fromEntries(shown.map((name) => [name, all[name] ?? `0x${machine.register(name).toString(16).padStart(width / 4, '0')}`]));
  return {
    stop: { reason: result.reason, pc: hexAddress(result.pc), detail: result.detail },
    steps: result.steps,
    registers,
    trace: recorder.events.map((event) => symbolisedLine(event, loaded.symbols)),
    image: imageSummary(loaded, boot),
  };
}

/** The lines describing what was loaded, printed before a run's report. */
export function imageText(image: ImageSummary): string {
  const packed = image.compression.length === 0 ? '' : ` (${image.compression.join(' in ')}-compressed)`;
  const lines = [
    `image: ${image.format}${packed}${image.facts.length === 0 ? '' : `; ${image.facts.join(', ')}`}`,
    ...image.segments.map((s) => `  loaded ${s.size} bytes at ${s.address}`),
    `  RAM ${image.ram.base} + 0x${image.ram.size.toString(16)}; device tree ${image.deviceTree === undefined ? 'none' : `at ${image.deviceTree.address} (${image.deviceTree.size} bytes)`}`,
    `  entered at ${image.entry} in ${image.mode}: ${image.protocol}`,
  ];
  return lines.join('\n');
}
