/**
 * `hyplay boot ARCH --image FILE`: boot a real kernel image in the
 * hypervisor mode its boot protocol allows and show the way it goes: every
 * exception and exception return (named by the image's symbols where it
 * has them), every hypervisor call with the dispatcher's reading of it
 * (who the vectors belong to, what each spec makes of the call), the modes
 * it passes through, and, at the stop, the last instructions it ran.
 *
 * Every event is seen as it happens through the trace recorder's event
 * callback, beside a small ring of the latest steps, so a run of billions
 * of instructions keeps only what it shows: at most `--max-events` event
 * lines, the first half and the latest half, with a line saying how many
 * between them were not kept (a guest taking an interrupt or a fault in a
 * loop would otherwise fill the heap).
 *
 * @module
 */

import type { Command } from 'commander';
import { hexAddress } from '../interp/step-result.ts';
import { TraceRecorder, type StepEvent, type TraceEvent } from '../interp/trace.ts';
import { BACKEND_NAMES } from '../di/backend-names.ts';
import { HvcAnnotator, type HvcRecord } from '../scenario/hvc-annotator.ts';
import { CliError, parseCliNumber } from './cli-error.ts';
import type { CliIo } from './cli-io.ts';
import { inputName, readInputBytes } from './input.ts';
import { bootMachine, imageSummary, imageText, symbolisedLine, type ImageSummary } from './run-image.ts';
import { archArgumentNeeds, declareNeeds, type CliServices } from './services.ts';

/** Steps shown before the stop. */
const DEFAULT_TAIL = 32;
/** Default budget: enough for a decompressor (a few billion instructions). */
const DEFAULT_BUDGET = 4_000_000_000;
/** Event lines kept by default (`--max-events`). */
const DEFAULT_MAX_EVENTS = 10_000;

/**
 * At most `limit` lines of a stream: the first `limit / 2` as they came, and
 * the latest of the rest in a ring, with a count of the ones dropped between.
 */
export class KeptLines {
  private readonly head: string[] = [];
  private readonly ring: string[] = [];
  private next = 0;
  private dropped = 0;
  private readonly headSize: number;
  private readonly ringSize: number;

  /** @param limit lines kept (at least 2). */
  constructor(limit: number) {
    this.headSize = Math.ceil(limit / 2);
    this.ringSize = Math.max(1, limit - this.headSize);
  }

  /** Keep `line` (dropping the oldest of the latest half when it is full). */
  push(line: string): void {
    if (this.head.length < this.headSize) this.head.push(line);
    else if (this.ring.length < this.ringSize) this.ring.push(line);
    else {
      this.ring[this.next] = line;
      this.next = (this.next + 1) % this.ringSize;
      this.dropped++;
    }
  }

  /** Lines seen, kept or not. */
  get seen(): number {
    return this.head.length + this.ring.length + this.dropped;
  }

  /** The kept lines in order, with one line where some were dropped. */
  lines(): string[] {
    const latest = [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    if (this.dropped === 0) return [...this.head, ...latest];
    return [...this.head, `... ${this.dropped} event line${this.dropped === 1 ? '' : 's'} not kept (--max-events ${this.headSize + this.ringSize}) ...`, ...latest];
  }
}

/** One hypervisor call of a boot. */
export interface BootHvc {
  /** Conduit instruction. */
  readonly conduit: string;
  /** Its immediate. */
  readonly imm: number;
  /** The caller's mode. */
  readonly from: string;
  /** The selecting register and its value (`r0=0x1`), where known. */
  readonly selector: string | undefined;
  /** Whose vectors took it. */
  readonly vectors: string;
}

/** Where and why a boot stopped. */
export interface BootStop {
  /** The stop reason. */
  readonly reason: string;
  /** The PC, `0x` hex. */
  readonly pc: string;
  /** One line of detail. */
  readonly detail: string;
  /** The image's symbol at the PC, where it names one. */
  readonly symbol: string | undefined;
}

/** What `hyplay boot --json` prints. */
export interface BootReport {
  /** What was loaded (as `run --image` reports it). */
  readonly image: ImageSummary;
  /** Every exception, return and hypervisor call, as trace lines, in order (at most `--max-events`, see {@link KeptLines}). */
  readonly events: readonly string[];
  /** Event lines the run produced, kept or not. */
  readonly eventCount: number;
  /** The hypervisor calls, as the annotator records them. */
  readonly hvcs: readonly BootHvc[];
  /** Modes in the order first entered. */
  readonly modes: readonly string[];
  /** The stop. */
  readonly stop: BootStop;
  /** Instructions run. */
  readonly steps: number;
  /** Set when the budget ran out with the last steps all at one address: the guest spins there (a branch to itself, as a stub's unexpected-exception vector does). */
  readonly spinningAt: string | undefined;
  /** The last steps before the stop (every step with `--trace`). */
  readonly tail: readonly string[];
  /** What the kernel wrote to the console UART (the device tree's `stdout-path`), when the boot attached one. */
  readonly console?: string;
}

interface BootOptions {
  readonly image?: string;
  readonly maxSteps: string;
  readonly engine?: string;
  readonly mode?: string;
  readonly ram?: string;
  readonly bootargs: string;
  readonly payload?: boolean;
  readonly tail: string;
  readonly maxEvents: string;
  readonly trace?: boolean;
  readonly json?: boolean;
}

function selectorText(record: HvcRecord): string | undefined {
  return record.selector === undefined ? undefined : `${record.selector.register}=0x${record.selector.value.toString(16)}`;
}

/** Register `hyplay boot`. */
export function registerBootCommand(program: Command, io: CliIo, services: CliServices): void {
  const boot = program
    .command('boot')
    .description('boot a real kernel image (zImage, arm64 Image, ELF; gzip or xz) in hypervisor mode with a device tree, and show every exception, return and hypervisor call with the dispatcher\'s reading')
    .argument('<arch>', 'architecture')
    .requiredOption('--image <file>', 'the kernel image (a Debian vmlinuz, an Image, a vmlinux ELF)')
    .option('--max-steps <n>', 'step budget', String(DEFAULT_BUDGET))
    .option('--engine <engine>', 'interp or jit, where the architecture has both')
    .option('--mode <mode>', "starting mode instead of the boot protocol's")
    .option('--ram <base:size>', "the RAM, e.g. 0x40000000:256M (default: the architecture's)")
    .option('--bootargs <text>', 'the kernel command line in the generated device tree', 'earlycon console=ttyAMA0')
    .option('--payload', "boot the kernel inside a self-decompressing image (zImage) directly: hyplay decompresses it and enters it where the image's decompressor would")
    .option('--tail <n>', 'instructions shown before the stop', String(DEFAULT_TAIL))
    .option('--max-events <n>', 'event lines kept: the first half and the latest half', String(DEFAULT_MAX_EVENTS))
    .option('--trace', 'keep and show every step, not only the tail (slow for a whole decompression)')
    .option('--json', 'JSON output')
    .action(async (arch: string, options: BootOptions) => {
      const backend = services.backends().get(arch);
      if (backend === undefined) throw new CliError(`unknown architecture '${arch}' (one of ${services.backends().names().join(', ')})`, { input: 'argument 1' });
      const budget = parseCliNumber(options.maxSteps, '--max-steps');
      if (budget < 1n || budget > 100_000_000_000n) throw new CliError(`--max-steps: ${options.maxSteps} is out of range 1..100000000000`, { input: '--max-steps' });
      const tail = parseCliNumber(options.tail, '--tail');
      if (tail < 1n || tail > 4096n) throw new CliError(`--tail: ${options.tail} is out of range 1..4096`, { input: '--tail' });
      const maxEvents = parseCliNumber(options.maxEvents, '--max-events');
      if (maxEvents < 2n || maxEvents > 10_000_000n) throw new CliError(`--max-events: ${options.maxEvents} is out of range 2..10000000`, { input: '--max-events' });
      const engines = backend.engines ?? ['interp'];
      if (options.engine !== undefined && !(engines as readonly string[]).includes(options.engine)) throw new CliError(`--engine: ${backend.name} offers ${engines.join(', ')}, not '${options.engine}'`, { input: '--engine' });
      const file = options.image!;
      const { machine, loaded, boot: support, console: uart } = await bootMachine(backend, readInputBytes(file), inputName(file), {
        maxSteps: Number(budget),
        trace: true,
        bootargs: options.bootargs,
        ...(options.payload === true ? { payload: true } : {}),
        ...(options.engine === undefined ? {} : { engine: options.engine as 'interp' | 'jit' }),
        ...(options.mode === undefined ? {} : { mode: options.mode }),
        ...(options.ram === undefined ? {} : { ram: options.ram }),
      });

      const port = backend.firmware;
      const catalog = backend.scenarios;
      const annotator =
        port === undefined || catalog === undefined
          ? undefined
          : new HvcAnnotator({
              arch: backend.name,
              port,
              abis: services.abis(),
              callRegisters: catalog.callRegisters,
              ownerAt: (base) => {
                const name = loaded.symbols.nameOf(base);
                return { name: name ?? `vectors at ${hexAddress(base)}`, label: `${name ?? `the image's vectors at ${hexAddress(base)}`} (guest code)`, abi: undefined };
              },
            });
      const trapModes = new Set(catalog === undefined ? [] : [catalog.hypervisorMode, ...(catalog.trapModes ?? [])]);
      const events = new KeptLines(Number(maxEvents));
      const modes: string[] = [machine.mode()];
      const seeMode = (mode: string): void => {
        if (!modes.includes(mode)) modes.push(mode);
      };
      const onEvent = (event: TraceEvent): void => {
        if (event.kind === 'stop') return;
        events.push(symbolisedLine(event, loaded.symbols));
        if (event.kind === 'return') seeMode(event.to);
        if (event.kind !== 'exception') return;
        seeMode(event.to);
        if (annotator === undefined || port === undefined || !trapModes.has(event.to)) return;
        const base = Number(machine.register(port.vectorBaseRegister));
        const slot = port.slots.find((s) => s.offset === event.vector - base);
        if (slot === undefined || !slot.calls) return;
        const annotated = annotator.annotate(machine, slot, base, event.from, undefined);
        if (annotated !== undefined) for (const line of annotated.lines) events.push(line);
      };
      const recorder = new TraceRecorder(options.trace === true ? { onEvent } : { limit: Math.max(Number(tail), DEFAULT_TAIL) + 1, onEvent });
      machine.trace = recorder;
      const result = machine.run(Number(budget));
      machine.trace = undefined;
      const held = recorder.events.filter((e): e is StepEvent => e.kind === 'step');
      const report: BootReport = {
        image: imageSummary(loaded, support),
        events: events.lines(),
        eventCount: events.seen,
        hvcs: (annotator?.records ?? []).map((r) => ({ conduit: r.conduit, imm: r.imm, from: r.from, selector: selectorText(r), vectors: r.owner.label })),
        modes,
        stop: { reason: result.reason, pc: hexAddress(result.pc), detail: result.detail, symbol: loaded.symbols.nameOf(result.pc) },
        steps: result.steps,
        spinningAt: spinning(result.reason, held.map((e) => e.address)),
        tail: (options.trace === true ? held : held.slice(-Number(tail))).map((e) => symbolisedLine(e, loaded.symbols)),
        ...(uart === undefined ? {} : { console: uart.output }),
      };
      io.out(options.json === true ? JSON.stringify(report, undefined, 2) : bootText(report));
    });
  declareNeeds(boot, archArgumentNeeds(BACKEND_NAMES, () => true));
}

/** The address the last steps all ran at, when the run used up its budget there (at least 4 steps seen). */
function spinning(reason: string, addresses: readonly number[]): string | undefined {
  if (reason !== 'budget-exhausted' || addresses.length < 4) return undefined;
  const last = addresses.slice(-Math.min(addresses.length, DEFAULT_TAIL));
  return last.every((a) => a === last[0]) ? hexAddress(last[0]!) : undefined;
}

/** The human report. */
export function bootText(report: BootReport): string {
  const lines = [imageText(report.image), `events (${report.eventCount}${report.eventCount === report.events.length ? '' : `, ${report.events.length - 1} kept`}):`, ...report.events.map((e) => `  ${e}`)];
  lines.push(`modes: ${report.modes.join(' -> ')}`);
  lines.push(`hypervisor calls: ${report.hvcs.length}`);
  lines.push(`${report.tail.length === report.steps ? 'every one of the' : 'last'} ${report.tail.length} instructions:`, ...report.tail.map((e) => `  ${e}`));
  lines.push(`stop: ${report.stop.reason} at ${report.stop.pc}${report.stop.symbol === undefined ? '' : ` <${report.stop.symbol}>`} after ${report.steps} steps: ${report.stop.detail}`);
  if (report.spinningAt !== undefined) lines.push(`the guest is spinning at ${report.spinningAt}: every instruction it ran last was there`);
  if (report.console !== undefined) lines.push(report.console === '' ? 'console: nothing written to the UART' : `console (${report.console.length} bytes written to the UART):`, ...(report.console === '' ? [] : report.console.replace(/\r/g, '').replace(/\n$/, '').split('\n').map((line) => `  | ${line}`)));
  return lines.join('\n');
}
