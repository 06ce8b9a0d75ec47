/**
 * `hyplay bench [--peers] [--json] [--rounds N] [--round-ms MS]`: run each
 * backend's benchmark programs on each of its engines, the dispatcher and
 * the collision analysis, and, with `--peers`, Unicorn 2 on the same loops
 * in the same run.
 *
 * How a figure is taken. A warm-up sizes each figure's work (steps,
 * classifications, analyses) so that one round lasts about `--round-ms`
 * (250 ms by default), then runs that work once more untimed. Each of at
 * least 5 rounds then times the same work; a figure is the median of its
 * rounds with their range (min–max), because these 2-core machines swing by
 * up to 2× between runs. Rounds go figure by figure, grouped by the peer
 * loop they compare to, and each group starts with that peer's own
 * measurement of the round: every ratio is taken inside one round, and the
 * ratios' median and range are reported the same way.
 *
 * The peer loops (Unicorn through `scripts/peers/unicorn-peer.py`, see
 * `bench-peer.ts`):
 * - `alu`: the backend's ALU loop (the same instructions) on Unicorn's
 *   native JIT with no hooks, for `alu-ips`;
 * - `trap`: the backend's trap loop with a Python hook per trap that reads
 *   the call register and writes a result (arm32 `hvc #0` with SCR.HCE
 *   set), for `trap-rtps`, `spec-trap-rtps` and `dispatch-per-s` (a
 *   classification against the whole hooked trap a script would write);
 * - `traced`: the ALU loop with a Python hook on every instruction that
 *   records its address in a ring, for `traced-ips`.
 * A backend whose loops the peer cannot run (ppc64 on Unicorn 2.0.1) is
 * compared with the first backend's loop of the same kind that runs (from
 * the whole registry, when `--arch` leaves that backend out), and the
 * report says so.
 *
 * With `--boot ARCH=FILE` (repeatable), a real kernel image booted as
 * `hyplay boot` boots it is a workload too: `boot-ips`, guest instructions
 * per second on each of the backend's engines, each round running on from
 * where the last one stopped (a boot is not a loop: successive rounds walk
 * through the decompression), from the image's entry again if the guest
 * stops. It has no peer: Unicorn has no model of these boot paths.
 *
 * `--json` prints {@link BenchJson}: `{"results":[{"arch","metric","value",
 * "engine"?,"min","max","rounds"}]}`, `value` being the median; with
 * `--peers` also `peer` (who, or why skipped), `peers` (the peer's figures)
 * and `ratios` (hyplay / peer per round, with the target and whether it
 * holds). Progress goes to stderr, never to stdout.
 *
 * Timing lives here and only here: tests never time anything.
 *
 * @module
 */

import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import type { AbiRegistry } from '../abi/registry.ts';
import type { BackendRegistry } from '../di/container.ts';
import { analyseCollisions } from '../dispatch/collisions.ts';
import { classifyBatch, exampleQueries } from '../dispatch/classify-batch.ts';
import { installSpecFirmware } from '../firmware/firmware.ts';
import type { ArchBackend, BenchProgram, EngineName } from '../interp/backend.ts';
import { TraceRecorder } from '../interp/trace.ts';
import { defaultPeerCommand, peerHello, peerLoopOf, PeerError, runPeerLoop, type PeerCommand, type PeerHook, type PeerIdentity, type PeerLoop } from './bench-peer.ts';
import {
  formatMsSummary,
  formatRateSummary,
  formatRatioSummary,
  formatTarget,
  summarise,
  targetHolds,
  type BenchSummary,
  type BenchTarget,
} from './bench-summary.ts';
import { CliError, parseCliNumber } from './cli-error.ts';
import { processIo, type CliIo } from './cli-io.ts';
import { assembleOrFail, loadProgram } from './run-program.ts';
import { inputName, readInputBytes } from './input.ts';
import { bootMachine } from './run-image.ts';
import type { Machine } from '../interp/machine.ts';

/** Rounds by default, and the fewest accepted: a median of fewer says little on these machines. */
export const DEFAULT_ROUNDS = 5;

/** How long one round of one figure lasts by default, in milliseconds. */
export const DEFAULT_ROUND_MS = 250;

/** The kinds of peer loop, and the Unicorn hook each uses. */
export const PEER_HOOKS = {
  /** The ALU loop on Unicorn's native JIT, no hooks. */
  alu: 'none',
  /** The trap loop, a Python hook per trap. */
  trap: 'trap',
  /** The ALU loop, a Python hook on every instruction. */
  traced: 'code',
} as const satisfies Record<string, PeerHook>;

/** A kind of peer loop: `alu`, `trap` or `traced`. */
export type PeerKind = keyof typeof PEER_HOOKS;

const PEER_KINDS: readonly PeerKind[] = ['alu', 'trap', 'traced'];

/** One hyplay figure: its rounds and their median and range. */
export interface BenchFigure {
  /** Architecture, or `all`. */
  readonly arch: string;
  /** Metric name (`alu-ips`, `trap-rtps`, `spec-trap-rtps`, `traced-ips`, `dispatch-per-s`, `boot-ips`, `collision-analysis-ms`). */
  readonly metric: string;
  /** The engine, for figures that run guest code. */
  readonly engine: EngineName | undefined;
  /** What it measures, one line. */
  readonly description: string;
  /** Per second for rates; milliseconds for `-ms` metrics. */
  readonly rounds: readonly number[];
  /** Median and range of the rounds. */
  readonly summary: BenchSummary;
  /** The work each round did: guest steps, classifications or analyses. */
  readonly perRound: number;
  /** The peer loop kind this figure is compared with, if any. */
  readonly peerKind: PeerKind | undefined;
}

/** One peer loop's figure. */
export interface PeerFigure {
  /** The backend whose loop it is. */
  readonly arch: string;
  /** Which loop. */
  readonly kind: PeerKind;
  /** What it measures, one line. */
  readonly description: string;
  /** The trapping instruction, for `trap` loops. */
  readonly conduit: string | undefined;
  /** Iterations per round. */
  readonly iterations: number;
  /** Units per second, per round. */
  readonly rounds: readonly number[];
  /** Median and range. */
  readonly summary: BenchSummary;
}

/** hyplay / peer, per round. */
export interface BenchRatio {
  /** The hyplay figure's architecture. */
  readonly arch: string;
  /** Its metric. */
  readonly metric: string;
  /** Its engine. */
  readonly engine: EngineName | undefined;
  /** The peer loop's backend (another backend's when this one's cannot run on the peer). */
  readonly peerArch: string;
  /** The peer loop. */
  readonly peerKind: PeerKind;
  /** The ratio in each round. */
  readonly rounds: readonly number[];
  /** Median and range. */
  readonly summary: BenchSummary;
  /** The target from DESIGN.md, where there is one. */
  readonly target: BenchTarget | undefined;
  /** Whether the target holds in this run. */
  readonly holds: boolean | undefined;
}

/** The peer side of a report. */
export type PeerReport =
  | {
      /** Who the peer is. */
      readonly identity: PeerIdentity;
      /** The peer's command. */
      readonly command: PeerCommand;
      /** Loops it could not run, fallbacks, stand-ins. */
      readonly notes: readonly string[];
      /** Its figures. */
      readonly figures: readonly PeerFigure[];
      /** The ratios. */
      readonly ratios: readonly BenchRatio[];
    }
  | {
      /** Why no peer ran. */
      readonly skipped: string;
    };

/** Everything one `hyplay bench` measured. */
export interface BenchReport {
  /** Rounds per figure. */
  readonly rounds: number;
  /** Target length of one round of one figure, in milliseconds. */
  readonly roundMs: number;
  /** hyplay's figures. */
  readonly figures: readonly BenchFigure[];
  /** With `--peers`: the peer's figures and the ratios, or why they are missing. */
  readonly peer: PeerReport | undefined;
}

/** Where progress goes (stderr). */
export interface BenchProgress {
  /** What is being measured now. */
  show(text: string): void;
  /** The run is over. */
  done(): void;
}

/** Progress as one line per step, through `write`. */
export function lineProgress(write: (line: string) => void): BenchProgress {
  return { show: (text) => write(`bench: ${text}`), done: () => undefined };
}

/** Progress on a terminal: one line, rewritten in place, cleared at the end. */
export function terminalProgress(stream: NodeJS.WritableStream): BenchProgress {
  return {
    show: (text) => stream.write(`\r\x1b[Kbench: ${text}`),
    done: () => stream.write('\r\x1b[K'),
  };
}

/** Progress that goes nowhere. */
export const NO_PROGRESS: BenchProgress = { show: () => undefined, done: () => undefined };

/** What a run measures and how. */
export interface BenchOptions {
  /** Rounds per figure, at least {@link DEFAULT_ROUNDS}. */
  readonly rounds?: number;
  /** Target length of one round of one figure, in milliseconds. */
  readonly roundMs?: number;
  /** Run the peer: `true` for the default (`/usr/bin/python3` with the Unicorn script), or a command. */
  readonly peers?: boolean | PeerCommand;
  /** Where progress goes. */
  readonly progress?: BenchProgress;
  /** Only this backend's figures and peer loops (and no collision analysis); absent: every backend. */
  readonly arch?: string;
  /** Real kernel images booted and measured (`--boot`), see {@link prepareBootWorkloads}. */
  readonly boots?: readonly BootWorkload[];
}

/** A kernel image booted on one engine, ready for `boot-ips` (see {@link prepareBootWorkloads}). */
export interface BootWorkload {
  /** The backend. */
  readonly arch: string;
  /** The engine the machine runs. */
  readonly engine: EngineName;
  /** The image's name as given (a file name). */
  readonly image: string;
  /** What was booted, for the description: format and compression, and the mode entered. */
  readonly what: string;
  /** The machine at the image's entry. */
  readonly machine: Machine;
}

/** A boot that stops in fewer instructions than this from its entry has nothing to measure. */
export const MIN_BOOT_STEPS = 1_000_000;

/** The kernel command line of a bench boot: no earlycon, so the measured loop is the kernel's own work rather than console output (the bench attaches no UART). */
export const BENCH_BOOTARGS = 'console=ttyAMA0';

/**
 * Boot `ARCH=FILE` for `hyplay bench --boot`: the image loaded as `hyplay
 * boot` loads it (its boot protocol's mode and registers, a generated
 * device tree with {@link BENCH_BOOTARGS}), one machine per engine of the
 * backend. Bad input (no `=`, an unknown architecture, one outside
 * `--arch`, an unreadable file, an image the backend cannot boot) is a
 * {@link CliError}.
 */
export async function prepareBootWorkloads(registry: BackendRegistry, specs: readonly string[], arch: string | undefined): Promise<BootWorkload[]> {
  const workloads: BootWorkload[] = [];
  for (const spec of specs) {
    const at = spec.indexOf('=');
    if (at <= 0 || at === spec.length - 1) throw new CliError(`--boot: '${spec}' is not ARCH=FILE (e.g. arm32=debian-armmp.vmlinuz)`, { input: '--boot' });
    const name = spec.slice(0, at);
    const file = spec.slice(at + 1);
    const backend = registry.get(name);
    if (backend === undefined) throw new CliError(`--boot: unknown architecture '${name}' (one of ${registry.names().join(', ')})`, { input: '--boot' });
    if (arch !== undefined && name !== arch) throw new CliError(`--boot: ${name} is not the --arch given (${arch})`, { input: '--boot' });
    const bytes = readInputBytes(file);
    for (const engine of backend.engines ?? ['interp']) {
      const { machine, loaded } = await bootMachine(backend, bytes, inputName(file), { maxSteps: MAX_COUNT, trace: false, bootargs: BENCH_BOOTARGS, engine });
      const what = `${loaded.format}${loaded.compression.length === 0 ? '' : `, ${loaded.compression.join(' in ')}-compressed`}, from ${loaded.mode}`;
      workloads.push({ arch: name, engine, image: inputName(file), what, machine });
    }
  }
  return workloads;
}

/** The ratio targets (DESIGN.md "Performance", perf-notes §5) of a metric on an engine. */
export function benchTarget(metric: string, engine: EngineName | undefined): BenchTarget | undefined {
  switch (metric) {
    case 'alu-ips':
      return engine === 'jit' ? { every: 0.5, median: 1 } : { median: 0.06 };
    case 'trap-rtps':
      return engine === 'jit' ? { median: 500 } : { median: 80 };
    case 'spec-trap-rtps':
      return { median: 100 };
    case 'traced-ips':
      return { median: 30 };
    case 'dispatch-per-s':
      return { median: 4 };
    default:
      return undefined;
  }
}

/** Something the harness times: `work(count)` does `count` units of work after `reset()`, and returns the units measured. */
interface Measurement {
  readonly arch: string;
  readonly metric: string;
  readonly engine: EngineName | undefined;
  readonly description: string;
  /** `rate`: units per second; `ms`: milliseconds per unit. */
  readonly unit: 'rate' | 'ms';
  readonly peerKind: PeerKind | undefined;
  /** Work of the first sizing run. */
  readonly firstCount: number;
  reset(): void;
  work(count: number): number;
}

/** Events an in-memory trace keeps (the latest ones; a ring). */
const TRACE_RING = 1 << 16;

function machineMeasurement(backend: ArchBackend, bench: BenchProgram, engine: EngineName, abis: AbiRegistry, traced: boolean): Measurement {
  const name = `${backend.name}:${bench.metric}`;
  const program = assembleOrFail(backend, bench.source, name, backend.loadAddress);
  const machine = loadProgram(backend, program, bench.mode, undefined, engine);
  for (const [register, value] of Object.entries(bench.registers)) machine.setRegister(register, value);
  if (bench.firmware !== undefined) {
    const abi = abis.get(bench.firmware.abi);
    if (abi === undefined) throw new Error(`${name}: no ABI spec '${bench.firmware.abi}'`);
    if (bench.firmware.install !== undefined) bench.firmware.install(machine, abi);
    else if (backend.firmware === undefined) throw new Error(`${name}: the backend has no firmware port`);
    else installSpecFirmware(machine, backend.firmware, abi, bench.firmware.base);
  }
  const start = machine.snapshot();
  // One ring for every round, as a long-running trace would be; each round counts the steps it added.
  const sink = traced ? new TraceRecorder({ limit: TRACE_RING }) : undefined;
  let stepsBefore = 0;
  const metric = traced ? 'traced-ips' : bench.metric;
  return {
    arch: backend.name,
    metric,
    engine,
    description: traced ? `guest instructions per second with an in-memory trace (one event per instruction), ${bench.description.replace(/^guest instructions per second, /, '')}` : bench.description,
    unit: 'rate',
    peerKind: traced ? 'traced' : bench.metric === 'alu-ips' ? 'alu' : 'trap',
    firstCount: traced ? 1_000 : 20_000,
    reset() {
      machine.restore(start);
      machine.trace = sink;
      stepsBefore = sink?.steps ?? 0;
    },
    work(count) {
      const result = machine.run(count);
      if (result.reason !== 'budget-exhausted' || result.steps !== count) throw new Error(`${name} (${engine}): the benchmark stopped early (${result.reason}: ${result.detail})`);
      if (sink !== undefined && sink.steps - stepsBefore !== count) throw new Error(`${name} (${engine}): ${sink.steps - stepsBefore} step events for ${count} instructions`);
      return count / bench.instructionsPerUnit;
    },
  };
}

function dispatchMeasurement(abis: AbiRegistry, arch: string): Measurement | undefined {
  const queries = exampleQueries(abis, arch);
  if (queries.length === 0) return undefined;
  let claims = 0;
  return {
    arch,
    metric: 'dispatch-per-s',
    engine: undefined,
    description: 'dispatcher classifications per second (every spec example of the arch, in turn, as `dispatch --batch` classifies them: the decisions and the semantics the verdict needs, no text)',
    unit: 'rate',
    peerKind: 'trap',
    firstCount: queries.length,
    reset: () => undefined,
    work(count) {
      // Whole passes over the examples, as a batch of them would go.
      const passes = Math.max(1, Math.ceil(count / queries.length));
      for (let i = 0; i < passes; i++) claims += classifyBatch(abis, queries);
      if (claims < 0) throw new Error('unreachable');
      return passes * queries.length;
    },
  };
}

function bootMeasurement(workload: BootWorkload): Measurement {
  const machine = workload.machine;
  const entry = machine.snapshot();
  // Steps since the image's entry, to tell a boot that stops at once from one that stops after billions of instructions.
  let sinceEntry = 0;
  return {
    arch: workload.arch,
    metric: 'boot-ips',
    engine: workload.engine,
    description: `guest instructions per second booting ${workload.image} (${workload.what}); each round runs on from where the last stopped, from the entry again if the guest stops`,
    unit: 'rate',
    peerKind: undefined,
    firstCount: 100_000,
    reset: () => undefined,
    work(count) {
      let done = 0;
      while (done < count) {
        const result = machine.run(count - done);
        done += result.steps;
        sinceEntry += result.steps;
        if (result.reason === 'budget-exhausted') continue;
        if (sinceEntry < MIN_BOOT_STEPS) throw new CliError(`--boot ${workload.arch}=${workload.image}: the guest stopped after ${sinceEntry} instructions from its entry (${result.reason}: ${result.detail}); a boot that short has nothing to measure`, { input: '--boot' });
        machine.restore(entry);
        sinceEntry = 0;
      }
      return done;
    },
  };
}

function collisionMeasurement(abis: AbiRegistry): Measurement {
  return {
    arch: 'all',
    metric: 'collision-analysis-ms',
    engine: undefined,
    description: `one full collision analysis of every shipped spec (${abis.all().length} specs)`,
    unit: 'ms',
    peerKind: undefined,
    firstCount: 1,
    reset: () => undefined,
    work(count) {
      for (let i = 0; i < count; i++) analyseCollisions(abis);
      return count;
    },
  };
}

/** Every measurement, grouped by the peer loop kind they compare with (alu, trap, traced, then none), backends in registry order. */
function measurements(backends: readonly ArchBackend[], abis: AbiRegistry, collisions: boolean, boots: readonly BootWorkload[]): Measurement[] {
  const all: Measurement[] = [];
  for (const backend of backends) {
    for (const engine of backend.engines ?? ['interp']) {
      for (const bench of backend.benchmarks) {
        all.push(machineMeasurement(backend, bench, engine, abis, false));
        if (bench.metric === 'alu-ips') all.push(machineMeasurement(backend, bench, engine, abis, true));
      }
    }
    const rate = dispatchMeasurement(abis, backend.name);
    if (rate !== undefined) all.push(rate);
  }
  for (const boot of boots) all.push(bootMeasurement(boot));
  if (collisions) all.push(collisionMeasurement(abis));
  const rank = (m: Measurement): number => (m.peerKind === undefined ? PEER_KINDS.length : PEER_KINDS.indexOf(m.peerKind));
  return all.map((m, index) => ({ m, index })).sort((a, b) => rank(a.m) - rank(b.m) || a.index - b.index).map(({ m }) => m);
}

/** Most work one round may ask for (steps of a loop that counts 2^31 iterations, classifications, analyses). */
const MAX_COUNT = 2 ** 32;

function label(m: Measurement): string {
  return `${m.arch} ${m.metric}${m.engine === undefined ? '' : ` (${m.engine})`}`;
}

/** Size `m`'s work to about `roundMs` per round, then run it once untimed at that size. */
function size(m: Measurement, roundMs: number): number {
  let count = m.firstCount;
  // Untimed runs first, for one round's time: what a figure builds on first use (the dispatcher's tables: tens of ms) and
  // code V8 has not optimised yet (each spec's semantics runs once per pass of the dispatcher's examples) must not size
  // the rounds, or they come out a few milliseconds long and their figures swing by 10x.
  const warm = performance.now() + roundMs;
  do {
    m.reset();
    m.work(count);
  } while (performance.now() < warm);
  for (;;) {
    m.reset();
    const t0 = performance.now();
    m.work(count);
    const ms = performance.now() - t0;
    if (ms >= roundMs / 4 || count * 4 > MAX_COUNT) {
      count = Math.max(1, Math.min(MAX_COUNT, Math.ceil((count * roundMs) / Math.max(ms, 1e-3))));
      break;
    }
    count *= 4;
  }
  // Then at that size (untimed for the figures): a sizing run the machine slowed (another process, V8 still compiling)
  // gives too small a count, so a run that takes under half a round sizes again from itself.
  for (let check = 0; check < 4; check++) {
    m.reset();
    const t0 = performance.now();
    m.work(count);
    const ms = performance.now() - t0;
    if (ms >= roundMs / 2 || count >= MAX_COUNT) break;
    count = Math.max(1, Math.min(MAX_COUNT, Math.ceil((count * roundMs) / Math.max(ms, 1e-3))));
  }
  return count;
}

function timeRound(m: Measurement, count: number): number {
  m.reset();
  const t0 = performance.now();
  const units = m.work(count);
  const ms = Math.max(performance.now() - t0, 1e-6);
  return m.unit === 'rate' ? units / (ms / 1000) : ms / units;
}

/** A peer loop and what became of it. */
interface PeerSlot {
  readonly arch: string;
  readonly kind: PeerKind;
  readonly loop: PeerLoop;
  description: string;
  iterations: number;
  conduit: string | undefined;
  readonly rounds: number[];
  failed: string | undefined;
}

function peerDescription(arch: string, kind: PeerKind, conduit: string | undefined): string {
  switch (kind) {
    case 'alu':
      return `${arch}'s ALU loop on Unicorn's native JIT, no hooks (instructions per second)`;
    case 'trap': {
      const how = conduit === 'hvc' ? 'hvc #0 (SCR.HCE set)' : conduit === 'svc' ? 'svc #0 standing in for hvc' : conduit === 'syscall' ? 'syscall (UC_HOOK_INSN; Unicorn has no VMX, vmcall is #UD)' : (conduit ?? 'trap');
      return `${arch}'s trap loop, ${how}, a Python hook per trap that reads the call and writes a result (traps per second)`;
    }
    case 'traced':
      return `${arch}'s ALU loop with a Python hook on every instruction recording its address (instructions per second)`;
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

/** The loops the peer could run for these backends, each checked and sized; notes say what could not. */
function peerSlots(backends: readonly ArchBackend[], peer: PeerCommand, roundMs: number, progress: BenchProgress, notes: string[]): PeerSlot[] {
  const slots: PeerSlot[] = [];
  for (const backend of backends) {
    const endian = backend.endians[0]!;
    for (const bench of backend.benchmarks) {
      if (bench.peer === undefined) continue;
      const kinds: PeerKind[] = bench.metric === 'alu-ips' ? ['alu', 'traced'] : bench.metric === 'trap-rtps' ? ['trap'] : [];
      const program = assembleOrFail(backend, bench.source, `${backend.name}:${bench.metric}`, backend.loadAddress);
      const loop = peerLoopOf(backend.name, endian, program, bench.peer);
      for (const kind of kinds) {
        progress.show(`Unicorn ${backend.name} ${kind}: checking the loop and sizing it`);
        const slot: PeerSlot = { arch: backend.name, kind, loop, description: '', iterations: 0, conduit: undefined, rounds: [], failed: undefined };
        try {
          const run = runPeerLoop(peer, loop, PEER_HOOKS[kind], undefined, roundMs);
          slot.iterations = run.iterations;
          slot.conduit = run.conduit;
          if (run.note !== undefined) notes.push(`${backend.name} ${kind}: ${run.note}`);
        } catch (error) {
          if (!(error instanceof PeerError)) throw error;
          slot.failed = error.message;
        }
        slot.description = peerDescription(backend.name, kind, slot.conduit);
        slots.push(slot);
      }
    }
  }
  return slots;
}

/** The slot `m` compares with: its own backend's loop, else the first backend's that runs. */
function slotFor(slots: readonly PeerSlot[], arch: string, kind: PeerKind): PeerSlot | undefined {
  const usable = slots.filter((s) => s.kind === kind && s.failed === undefined);
  return usable.find((s) => s.arch === arch) ?? usable[0];
}

type Step = { readonly figure: number } | { readonly slot: PeerSlot };

/**
 * Run the benchmarks: size every figure, then `rounds` rounds of every
 * figure, each group led by its peer loop's measurement when peers run.
 */
export function runBenchmarks(registry: BackendRegistry, abis: AbiRegistry, options: BenchOptions = {}): BenchReport {
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  const roundMs = options.roundMs ?? DEFAULT_ROUND_MS;
  const progress = options.progress ?? NO_PROGRESS;
  if (!Number.isInteger(rounds) || rounds < DEFAULT_ROUNDS) throw new Error(`rounds must be an integer of at least ${DEFAULT_ROUNDS}`);
  if (!(roundMs > 0)) throw new Error('roundMs must be positive');
  try {
    const backends = options.arch === undefined ? registry.all() : registry.all().filter((b) => b.name === options.arch);
    if (backends.length === 0) throw new Error(`no backend '${options.arch}'`);
    const list = measurements(backends, abis, options.arch === undefined, options.boots ?? []);

    // The peer first: whether it runs, and which loops.
    let peerState: { identity: PeerIdentity; command: PeerCommand; slots: PeerSlot[]; notes: string[] } | { skipped: string } | undefined;
    if (options.peers !== undefined && options.peers !== false) {
      const command = options.peers === true ? defaultPeerCommand() : options.peers;
      if (command === undefined) peerState = { skipped: 'scripts/peers/unicorn-peer.py is not installed alongside hyplay' };
      else {
        progress.show('asking the peer who it is');
        try {
          const identity = peerHello(command);
          const notes: string[] = [];
          const slots = peerSlots(backends, command, roundMs, progress, notes);
          // A loop the peer cannot run (ppc64 on Unicorn 2.0.1) borrows the first backend's of its kind that runs, from
          // the whole registry when `--arch` left that backend out: `bench --arch ppc64 --peers` still gives ratios.
          for (const standIn of registry.all()) {
            const lacking = list.some((m) => m.peerKind !== undefined && slotFor(slots, m.arch, m.peerKind) === undefined);
            if (!lacking) break;
            if (backends.includes(standIn)) continue;
            slots.push(...peerSlots([standIn], command, roundMs, progress, notes));
          }
          peerState = { identity, command, slots, notes };
        } catch (error) {
          if (!(error instanceof PeerError)) throw error;
          peerState = { skipped: error.message };
        }
      }
    }
    const slots = peerState !== undefined && 'slots' in peerState ? peerState.slots : [];
    const peerCommand = peerState !== undefined && 'command' in peerState ? peerState.command : undefined;

    // Boots are sized first: an image that stops at once is refused before the other figures' warm-ups.
    const counts: number[] = list.map(() => 0);
    const sizing = list.map((_, i) => i).sort((a, b) => Number(list[b]!.metric === 'boot-ips') - Number(list[a]!.metric === 'boot-ips'));
    for (const i of sizing) {
      progress.show(`${label(list[i]!)}: warm-up`);
      counts[i] = size(list[i]!, roundMs);
    }

    // One round: each peer loop just before the first figure that compares with it.
    const steps: Step[] = [];
    const placed = new Set<PeerSlot>();
    list.forEach((m, figure) => {
      const slot = m.peerKind === undefined ? undefined : slotFor(slots, m.arch, m.peerKind);
      if (slot !== undefined && !placed.has(slot)) {
        placed.add(slot);
        steps.push({ slot });
      }
      steps.push({ figure });
    });

    const figureRounds: number[][] = list.map(() => []);
    for (let round = 1; round <= rounds; round++) {
      for (const step of steps) {
        if ('slot' in step) {
          const slot = step.slot;
          if (slot.failed !== undefined) continue;
          progress.show(`Unicorn ${slot.arch} ${slot.kind}: round ${round}/${rounds}`);
          try {
            slot.rounds.push(runPeerLoop(peerCommand!, slot.loop, PEER_HOOKS[slot.kind], slot.iterations, roundMs).rate);
          } catch (error) {
            if (!(error instanceof PeerError)) throw error;
            slot.failed = `round ${round}: ${error.message}`;
          }
          continue;
        }
        const m = list[step.figure]!;
        progress.show(`${label(m)}: round ${round}/${rounds}`);
        figureRounds[step.figure]!.push(timeRound(m, counts[step.figure]!));
      }
    }

    const figures: BenchFigure[] = list.map((m, i) => ({
      arch: m.arch,
      metric: m.metric,
      engine: m.engine,
      description: m.description,
      rounds: figureRounds[i]!,
      summary: summarise(figureRounds[i]!),
      perRound: counts[i]!,
      peerKind: m.peerKind,
    }));

    let peer: PeerReport | undefined;
    if (peerState !== undefined && 'skipped' in peerState) peer = peerState;
    else if (peerState !== undefined) {
      const notes = [...peerState.notes];
      for (const slot of peerState.slots) {
        if (slot.failed === undefined) continue;
        const stand = slotFor(peerState.slots, slot.arch, slot.kind);
        notes.push(`${slot.arch} ${slot.kind}: Unicorn ${peerState.identity.version} cannot run it (${slot.failed}); ${stand === undefined ? 'no ratio' : `its ratios use the ${stand.arch} ${slot.kind} loop`}`);
      }
      const measured = peerState.slots.filter((s) => s.failed === undefined);
      const ratios: BenchRatio[] = [];
      figures.forEach((figure) => {
        if (figure.peerKind === undefined) return;
        const slot = slotFor(measured, figure.arch, figure.peerKind);
        if (slot === undefined) return;
        const perRound = figure.rounds.map((value, k) => value / slot.rounds[k]!);
        const summary = summarise(perRound);
        const target = benchTarget(figure.metric, figure.engine);
        ratios.push({ arch: figure.arch, metric: figure.metric, engine: figure.engine, peerArch: slot.arch, peerKind: slot.kind, rounds: perRound, summary, target, holds: target === undefined ? undefined : targetHolds(target, summary) });
      });
      peer = {
        identity: peerState.identity,
        command: peerState.command,
        notes,
        figures: measured.map((s) => ({ arch: s.arch, kind: s.kind, description: s.description, conduit: s.conduit, iterations: s.iterations, rounds: s.rounds, summary: summarise(s.rounds) })),
        ratios,
      };
    }
    return { rounds, roundMs, figures, peer };
  } finally {
    progress.done();
  }
}

/** `--json` output: the contract `{"results":[{"arch","metric","value","engine"?}]}`, extended. */
export interface BenchJson {
  /** hyplay's figures; `value` is the median, `min`/`max` the range, `rounds` every round (per second, or ms for `-ms` metrics). */
  readonly results: readonly BenchJsonFigure[];
  /** With `--peers`: who the peer is, with notes, or `{"skipped": reason}`. */
  readonly peer?: BenchJsonPeer | BenchJsonSkipped;
  /** With `--peers`: the peer's figures (per second). */
  readonly peers?: readonly BenchJsonPeerFigure[];
  /** With `--peers`: hyplay / peer per round, the target and whether it holds. */
  readonly ratios?: readonly BenchJsonRatio[];
}

/** A figure in {@link BenchJson}. */
export interface BenchJsonFigure {
  /** Architecture. */
  readonly arch: string;
  /** Metric (absent for peer loops). */
  readonly metric?: string;
  /** The median. */
  readonly value: number;
  /** The engine, for figures that run guest code. */
  readonly engine?: EngineName;
  /** The lowest round. */
  readonly min: number;
  /** The highest round. */
  readonly max: number;
  /** Every round. */
  readonly rounds: readonly number[];
}

/** The peer in {@link BenchJson}. */
export interface BenchJsonPeer {
  /** `unicorn`. */
  readonly name: string;
  /** Its version. */
  readonly version: string;
  /** The Python version running it. */
  readonly python: string;
  /** Loops it could not run and what stood in for them. */
  readonly notes: readonly string[];
}

/** Why no peer ran, in {@link BenchJson}. */
export interface BenchJsonSkipped {
  /** The reason. */
  readonly skipped: string;
}

/** A peer loop's figure in {@link BenchJson}. */
export interface BenchJsonPeerFigure extends BenchJsonFigure {
  /** `alu`, `trap` or `traced`. */
  readonly loop: PeerKind;
  /** The trapping instruction of a `trap` loop (`hvc`, `svc` standing in for it, `sc`). */
  readonly conduit?: string;
  /** What it measures. */
  readonly description: string;
}

/** Which peer loop a ratio divides by. */
export interface BenchJsonPeerLoop {
  /** The backend whose loop it is. */
  readonly arch: string;
  /** `alu`, `trap` or `traced`. */
  readonly loop: PeerKind;
}

/** A ratio in {@link BenchJson}. */
export interface BenchJsonRatio {
  /** The hyplay figure's architecture. */
  readonly arch: string;
  /** Its metric. */
  readonly metric: string;
  /** Its engine. */
  readonly engine?: EngineName;
  /** The peer loop. */
  readonly peer: BenchJsonPeerLoop;
  /** Median ratio. */
  readonly value: number;
  /** Lowest round. */
  readonly min: number;
  /** Highest round. */
  readonly max: number;
  /** Every round. */
  readonly rounds: readonly number[];
  /** The target, where there is one: `{ "median"?, "every"? }`. */
  readonly target?: BenchTarget;
  /** Whether it holds. */
  readonly holds?: boolean;
}

function roundFigure(value: number, ms: boolean): number {
  return ms ? Math.round(value * 1000) / 1000 : Math.round(value);
}

function roundRatio(value: number): number {
  return Number(value.toPrecision(4));
}

/** The `--json` form of a report. */
export function benchJson(report: BenchReport): BenchJson {
  const results = report.figures.map((f): BenchJsonFigure => {
    const ms = f.metric.endsWith('-ms');
    return {
      arch: f.arch,
      metric: f.metric,
      value: roundFigure(f.summary.median, ms),
      ...(f.engine === undefined ? {} : { engine: f.engine }),
      min: roundFigure(f.summary.min, ms),
      max: roundFigure(f.summary.max, ms),
      rounds: f.rounds.map((v) => roundFigure(v, ms)),
    };
  });
  if (report.peer === undefined) return { results };
  if ('skipped' in report.peer) return { results, peer: { skipped: report.peer.skipped }, peers: [], ratios: [] };
  const { identity, notes, figures, ratios } = report.peer;
  return {
    results,
    peer: { name: identity.name, version: identity.version, python: identity.python, notes },
    peers: figures.map((p) => ({
      arch: p.arch,
      loop: p.kind,
      ...(p.conduit === undefined ? {} : { conduit: p.conduit }),
      value: Math.round(p.summary.median),
      min: Math.round(p.summary.min),
      max: Math.round(p.summary.max),
      rounds: p.rounds.map(Math.round),
      description: p.description,
    })),
    ratios: ratios.map((r) => ({
      arch: r.arch,
      metric: r.metric,
      ...(r.engine === undefined ? {} : { engine: r.engine }),
      peer: { arch: r.peerArch, loop: r.peerKind },
      value: roundRatio(r.summary.median),
      min: roundRatio(r.summary.min),
      max: roundRatio(r.summary.max),
      rounds: r.rounds.map(roundRatio),
      ...(r.target === undefined ? {} : { target: r.target }),
      ...(r.holds === undefined ? {} : { holds: r.holds }),
    })),
  };
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The human report: hyplay's figures, then the peer's and the ratios with their targets. */
export function formatBenchReport(report: BenchReport): string {
  const out: string[] = [
    `hyplay bench: ${report.rounds} rounds per figure, each about ${report.roundMs} ms of fixed work (sized in a warm-up); median (min–max)`,
    '',
    ...table(
      ['arch', 'engine', 'metric', 'median (min–max)', 'what'],
      report.figures.map((f) => [f.arch, f.engine ?? '', f.metric, f.metric.endsWith('-ms') ? formatMsSummary(f.summary) : formatRateSummary(f.summary), f.description]),
    ),
  ];
  const peer = report.peer;
  if (peer === undefined) return out.join('\n');
  out.push('');
  if ('skipped' in peer) {
    out.push(`peers: skipped: ${peer.skipped}`);
    return out.join('\n');
  }
  out.push(`peer: Unicorn ${peer.identity.version} (${peer.command.command}, Python ${peer.identity.python}), one process per measurement, interleaved with hyplay's rounds`, '');
  out.push(...table(['arch', 'loop', 'median (min–max)', 'what'], peer.figures.map((p) => [p.arch, p.kind, formatRateSummary(p.summary), p.description])));
  for (const note of peer.notes) out.push(`note: ${note}`);
  out.push('', 'ratios: hyplay / peer, taken per round; median (min–max)', '');
  out.push(
    ...table(
      ['arch', 'engine', 'metric', 'peer', 'ratio (min–max)', 'target', 'holds'],
      peer.ratios.map((r) => [r.arch, r.engine ?? '', r.metric, `${r.peerArch} ${r.peerKind}`, formatRatioSummary(r.summary), r.target === undefined ? '' : formatTarget(r.target), r.holds === undefined ? '' : r.holds ? 'yes' : 'no']),
    ),
  );
  return out.join('\n');
}

/** What the bench command reads: the same two registries as `CliServices`. */
export interface BenchServices {
  /** The backends. */
  backends(): BackendRegistry;
  /** The specs. */
  abis(): AbiRegistry;
}

function parsePositive(text: string, what: string, least: number): number {
  const value = parseCliNumber(text, what);
  if (value < BigInt(least) || value > 1_000_000n) throw new CliError(`${what}: ${text} is out of range (${least} to 1000000)`);
  return Number(value);
}

/** Register `hyplay bench`; `--peers` runs `peer` (the default: Unicorn under `/usr/bin/python3`). */
export function registerBenchCommand(program: Command, io: CliIo, services: BenchServices, peer?: PeerCommand): void {
  program
    .command('bench')
    .description('measure guest instructions, trap round trips, traced execution and dispatch per second (median and range of rounds); --peers: Unicorn on the same loops, as ratios')
    .option('--peers', 'also run Unicorn 2 (python3-unicorn under /usr/bin/python3) on the same loops, interleaved, and print the ratios and targets')
    .option('--json', 'JSON output')
    .option('--rounds <n>', `rounds per figure (at least ${DEFAULT_ROUNDS})`, String(DEFAULT_ROUNDS))
    .option('--round-ms <ms>', 'length of one round of one figure, in milliseconds', String(DEFAULT_ROUND_MS))
    .option('--arch <arch>', "only this architecture's figures and peer loops (no collision analysis)")
    .option('--boot <arch=file>', 'also measure booting a real kernel image (boot-ips on each engine; repeatable)', (value: string, list: string[]) => [...list, value], [] as string[])
    .action((options: { peers?: boolean; json?: boolean; rounds: string; roundMs: string; arch?: string; boot: string[] }): void | Promise<void> => {
      const rounds = parsePositive(options.rounds, '--rounds', DEFAULT_ROUNDS);
      const roundMs = parsePositive(options.roundMs, '--round-ms', 1);
      const progress = io === processIo && process.stderr.isTTY === true ? terminalProgress(process.stderr) : lineProgress((line) => io.err(line));
      const registry = services.backends();
      if (options.arch !== undefined && !registry.all().some((b) => b.name === options.arch)) throw new CliError(`--arch: unknown architecture '${options.arch}' (one of ${registry.all().map((b) => b.name).join(', ')})`);
      const measure = (boots: readonly BootWorkload[]): void => {
        const report = runBenchmarks(registry, services.abis(), { rounds, roundMs, peers: options.peers === true ? (peer ?? true) : false, progress, boots, ...(options.arch === undefined ? {} : { arch: options.arch }) });
        if (report.peer !== undefined && 'skipped' in report.peer) io.err(`hyplay bench: --peers skipped: ${report.peer.skipped}`);
        io.out(options.json === true ? JSON.stringify(benchJson(report), undefined, 2) : formatBenchReport(report));
      };
      // Loading an image is asynchronous (decompression); without one the command stays synchronous.
      if (options.boot.length === 0) return measure([]);
      return prepareBootWorkloads(registry, options.boot, options.arch).then(measure);
    });
}
