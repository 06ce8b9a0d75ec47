/**
 * The step loop, shared by every backend.
 *
 * A backend supplies an {@link ExecutionCore}: its state, its memory, a
 * predecoder and its exception model. The loop looks each PC up in a
 * direct-mapped predecode cache, runs the op, and hands any trap to the
 * exception model. Writes to guest code invalidate the cache through the
 * memory's code-write listener.
 *
 * @module
 */

import { hexBytes } from '../cpu/plain-state.ts';
import type { GuestMemory } from '../memory/guest-memory.ts';
import { BlockCache } from './block-cache.ts';
import { DecodedOp, type SteppableState } from './decoded-op.ts';
import { hexAddress, RETIRED, stop, type ExceptionReturn, type Retired, type StepResult, type Stop, type StopReason, type Trap } from './step-result.ts';
import { TraceRecorder, type StepRenderer, type TraceSink } from './trace.ts';

/** What a backend gives the step loop. */
export interface ExecutionCore<S extends SteppableState> {
  /** The architectural state; `state.pc` is the next instruction. */
  readonly state: S;
  /** Guest memory. */
  readonly memory: GuestMemory;
  /** log2 of the instruction alignment (2 for 4-byte words, 0 for byte streams). */
  readonly alignShift: number;
  /** Longest instruction in bytes. */
  readonly maxInstructionBytes: number;
  /** Predecode the instruction at `address`. Never throws: a fetch fault or unknown encoding becomes an op that traps. */
  decode(address: number): DecodedOp<S>;
  /** The exception model: enter the exception for `trap`. Returns a stop when the run cannot go on. */
  deliver(trap: Trap, trace: TraceSink | undefined): Stop | undefined;
  /** The exception model's other half: perform an exception return. Returns a stop when the run cannot go on. */
  exceptionReturn(request: ExceptionReturn, trace: TraceSink | undefined): Stop | undefined;
  /** The current mode's name, for traces. */
  modeName(): string;
  /**
   * The current mode as a small non-negative code, for compact trace
   * records; {@link ExecutionCore.traceModeName} of it must equal
   * {@link ExecutionCore.modeName}.
   */
  traceMode(): number;
  /** The name of a mode code from {@link ExecutionCore.traceMode}. */
  traceModeName(code: number): string;
  /** Disassembly of a predecoded op, for traces. */
  describe(op: DecodedOp<S>): string;
  /** Whether `op` must end its block in {@link LoopHost.blocks} (a branch, an exception return, …); absent: only overlays and page ends do. */
  endsBlock?(op: DecodedOp<S>): boolean;
  /**
   * Set the PC to `address`, a PC number as `state.pc` holds one, for a core
   * whose PC has more to it than `state.pc` (a field of address bits a
   * number cannot hold, which a number PC then clears); absent: `state.pc`
   * is written. `CoreMachine.pc` goes through it.
   */
  setPc?(address: number): void;
  /**
   * The backend's own copy of the hot loop, if it has one (the interpreter's
   * `runFast` is the reference: look the PC up in `host.cache`, on a miss
   * take `host.miss(pc)` and keep it when cacheable, set the PC to
   * `op.next`, run `op.exec`, and end when `host.settle` says so). V8 keeps
   * type feedback per function, so one loop shared by several backends in a
   * process sees all their ops and states: its `op.exec` call goes
   * polymorphic and inlining stops short (measured: a second backend's ALU
   * loop ran at half speed or less after the first had run). A backend that
   * brings its own copy, written in its own source, keeps it monomorphic.
   */
  readonly runLoop?: RunLoop<S>;
  /**
   * False when predecoded ops (and translated code) depend on the code bytes
   * alone, never on the state (arm32's do; ppc64's depend on MSR[LE]): a
   * restore then keeps whatever the memory did not report changed. Absent
   * means true: a restore drops everything.
   */
  readonly decodeReadsState?: boolean;
  /**
   * For a core whose ops do depend on the state ({@link ExecutionCore.decodeReadsState}
   * absent or true): that part of the state as a number (ppc64: the
   * instruction byte order MSR[LE] selects). A restore that leaves it as it
   * was then keeps whatever the memory did not report changed, as with
   * `decodeReadsState` false; absent, a restore drops everything.
   */
  decodeDependency?(): number;
  /**
   * True when {@link ExecutionCore.runLoop} records steps itself (into
   * {@link LoopHost.recorder}): the interpreter then runs it for runs traced
   * into a {@link TraceRecorder} too. Runs with breakpoints, or traced into
   * any other sink, always take the interpreter's observed loop.
   */
  readonly runLoopTraces?: boolean;
  /**
   * True while the core translates addresses (an MMU is on): predecoded ops
   * then depend on the translation, so the interpreter's own caches are
   * bypassed for single steps and observed runs, and
   * {@link ExecutionCore.decode} (which caches what it may) is asked for
   * every instruction. Absent: never.
   */
  translating?(): boolean;
  /**
   * The `length` bytes of code at `address` as the core fetches them now
   * (through its translation while {@link ExecutionCore.translating}), for
   * the bytes a trace shows; absent: read from `memory` (physical).
   */
  codeBytes?(address: number, length: number): Uint8Array | undefined;
}

/** What a backend's copy of the hot loop ({@link ExecutionCore.runLoop}) may use of the interpreter. */
export interface LoopHost<S> {
  /** The direct-mapped predecode cache, indexed by `(pc >>> alignShift) & mask`. */
  readonly cache: DecodedOp<S>[];
  /** The cache index mask. */
  readonly mask: number;
  /** Predecode `address` after a cache miss (an overlay there comes first). */
  miss(address: number): DecodedOp<S>;
  /** Hand a non-retired result to the exception model; true when the run must end (the interpreter records why). */
  settle(result: Exclude<StepResult, Retired>): boolean;
  /** Straight-line blocks of the same ops, for loops that check the budget once per block (invalidated with the op cache). */
  readonly blocks: BlockCache<S>;
  /**
   * Run one instruction at the PC through the interpreter (overlays
   * included), recording it when the run is traced and settling what it
   * produced; true when the run must end. What a JIT falls back to.
   */
  step(): boolean;
  /** The predecoded op at `address` (overlays first), from the op cache when possible. */
  opAt(address: number): DecodedOp<S>;
  /** The recorder of the current run, when it is traced into one (only for loops with {@link ExecutionCore.runLoopTraces}). */
  readonly recorder: TraceRecorder | undefined;
  /** Call `listener` whenever cached code for `[address, address + length)` goes stale: a code write, an overlay added or removed, a flush. */
  onInvalidate(listener: (address: number, length: number) => void): void;
}

/** A backend's copy of the hot loop: runs at most `maxSteps` instructions, returns how many ran. */
export type RunLoop<S> = (host: LoopHost<S>, state: S, maxSteps: number) => number;

/** How a run ended. */
export interface RunResult {
  /** Why it stopped. */
  readonly reason: StopReason;
  /** One line of detail. */
  readonly detail: string;
  /** The PC at the stop. */
  readonly pc: number;
  /** Instructions executed in this run. */
  readonly steps: number;
}

const CACHE_BITS = 14;
const CACHE_SIZE = 1 << CACHE_BITS;
const CACHE_MASK = CACHE_SIZE - 1;

/**
 * Code that runs at a guest address instead of the instruction fetched there
 * (firmware: a vector table that *is* a spec). It sees the machine through
 * whatever it closed over, and ends like an instruction: retired (with the PC
 * it set), a trap, an exception return, or a stop.
 */
export type Overlay = () => StepResult;

/** Decides at predecode whether `address` may run: `undefined` lets it, a {@link Stop} ends the run there (see {@link Interpreter.fetchGuard}). */
export type FetchGuard = (address: number) => Stop | undefined;

/** The name of the pseudo-op that carries a {@link FetchGuard}'s stop. */
const REFUSED = 'fetch-guard';

/** The step loop with its predecode cache, breakpoints and trace sink. */
export class Interpreter<S extends SteppableState> {
  /** Overlays by address; consulted before the backend's predecoder. */
  private readonly overlays = new Map<number, Overlay>();
  /** Addresses at which a run stops before executing. */
  readonly breakpoints = new Set<number>();
  private sink: TraceSink | undefined = undefined;
  /** The sink when it is a {@link TraceRecorder}: steps then go in as compact records. */
  private recorder: TraceRecorder | undefined = undefined;
  /** How a recorder turns this core's step records back into events. */
  private readonly renderer: StepRenderer;
  /**
   * Asked when an address is predecoded (a cache miss): a {@link Stop} it
   * returns ends the run there instead, with the PC on that address, no step
   * counted and no step traced. `undefined` lets everything run. Because it
   * is asked only on a miss, it costs nothing per cached instruction.
   */
  fetchGuard: FetchGuard | undefined = undefined;
  /** Set when the guard's stop ended the run (its pseudo-op is not an instruction, so not a step). */
  private refused = false;
  /** Total instructions executed by this interpreter. */
  totalSteps = 0;
  /** Direct-mapped predecode cache; empty slots hold {@link Interpreter.empty}, whose address matches no PC. */
  private readonly cache: DecodedOp<S>[];
  private readonly empty: DecodedOp<S>;

  /** @param core the backend's execution core. */
  constructor(readonly core: ExecutionCore<S>) {
    this.empty = new DecodedOp<S>('empty', -1, 0, 0, () => RETIRED, core.memory);
    this.cache = new Array<DecodedOp<S>>(CACHE_SIZE).fill(this.empty);
    core.memory.onCodeWrite((address, length) => this.invalidate(address, length));
    this.blocks = new BlockCache<S>({ opAt: (address) => this.opAt(address), endsBlock: core.endsBlock === undefined ? undefined : (op) => core.endsBlock!(op) }, core.alignShift);
    const interpreter = this;
    this.host = {
      cache: this.cache,
      mask: CACHE_MASK,
      miss: (address) => this.decode(address),
      settle: (result) => this.settle(result, this.runRecorder),
      blocks: this.blocks,
      step: () => this.stepOnce(),
      opAt: (address) => this.opAt(address),
      get recorder() {
        return interpreter.runRecorder;
      },
      onInvalidate: (listener) => this.invalidationListeners.push(listener),
    };
    this.renderer = {
      describe: (op) => core.describe(op as DecodedOp<S>),
      modeName: (code) => core.traceModeName(code),
      readBytes: (address, length) => (core.codeBytes === undefined ? core.memory.readBytes(address, length) : core.codeBytes(address, length)),
    };
  }

  /** Where trace events go; `undefined` traces nothing (and costs nothing). A {@link TraceRecorder} gets steps as compact records. */
  get trace(): TraceSink | undefined {
    return this.sink;
  }

  /** Attach a sink (a recorder is bound to this core's renderer). */
  set trace(sink: TraceSink | undefined) {
    this.sink = sink;
    this.recorder = sink instanceof TraceRecorder ? sink : undefined;
    this.recorder?.attach(this.renderer);
  }

  /** What a backend's own hot loop sees of this interpreter. */
  private readonly host: LoopHost<S>;
  /** Blocks of cached ops (see {@link LoopHost.blocks}). */
  private readonly blocks: BlockCache<S>;
  /** Told when cached code goes stale (see {@link LoopHost.onInvalidate}). */
  private readonly invalidationListeners: ((address: number, length: number) => void)[] = [];
  /** The recorder of the run in progress, when the core's own loop records it. */
  private runRecorder: TraceRecorder | undefined = undefined;

  /** Drop cached ops overlapping `[address, address + length)`. */
  invalidate(address: number, length: number): void {
    this.blocks.invalidate(address, length);
    for (const listener of this.invalidationListeners) listener(address, length);
    const step = 1 << this.core.alignShift;
    const first = address - this.core.maxInstructionBytes + 1;
    if (length >= CACHE_SIZE * step) {
      this.cache.fill(this.empty);
      return;
    }
    for (let a = first - (first % step); a < address + length; a += step) {
      const index = (a >>> this.core.alignShift) & CACHE_MASK;
      if (this.cache[index]!.address === a) this.cache[index] = this.empty;
    }
  }

  /** Run `overlay` whenever execution reaches `address`. */
  addOverlay(address: number, overlay: Overlay): void {
    this.overlays.set(address, overlay);
    this.invalidate(address, 1);
  }

  /** Stop running the overlay at `address`. */
  removeOverlay(address: number): void {
    this.overlays.delete(address);
    this.invalidate(address, 1);
  }

  /** Predecode at `address`: an overlay if one is installed there, else the guard's stop if it refuses the address, else the backend's op. */
  private decode(address: number): DecodedOp<S> {
    const overlay = this.overlays.get(address);
    if (overlay !== undefined) return new DecodedOp<S>('overlay', address, 1 << this.core.alignShift, 0, overlay, this.core.memory);
    const refusal = this.fetchGuard?.(address);
    if (refusal === undefined) return this.core.decode(address);
    const op = new DecodedOp<S>(REFUSED, address, 1 << this.core.alignShift, 0, (state) => {
      state.pc = address;
      this.refused = true;
      return refusal;
    }, this.core.memory);
    op.cacheable = false;
    op.notAStep = true;
    return op;
  }

  /** Drop every cached op (after a state or memory restore). */
  flush(): void {
    this.cache.fill(this.empty);
    this.blocks.flush();
    for (const listener of this.invalidationListeners) listener(0, Number.MAX_SAFE_INTEGER);
  }

  /** The predecoded op at `address`, from the cache when possible. */
  opAt(address: number): DecodedOp<S> {
    const index = (address >>> this.core.alignShift) & CACHE_MASK;
    let op = this.cache[index]!;
    if (op.address !== address) {
      op = this.decode(address);
      if (op.cacheable) this.cache[index] = op;
    }
    return op;
  }

  /**
   * Run until a stop, a breakpoint or `maxSteps` instructions. A breakpoint at
   * the starting PC is stepped over, so a run can resume from one.
   */
  run(maxSteps: number): RunResult {
    const state = this.core.state;
    let steps: number;
    if (this.breakpoints.size === 0 && this.trace === undefined) steps = this.runFast(maxSteps);
    else if (this.breakpoints.size === 0 && this.recorder !== undefined && this.core.runLoopTraces === true && this.core.runLoop !== undefined) {
      this.runRecorder = this.recorder;
      try {
        steps = this.core.runLoop(this.host, state, maxSteps);
      } finally {
        this.runRecorder = undefined;
      }
    } else steps = this.runObserved(maxSteps);
    if (this.refused) {
      this.refused = false;
      steps -= 1;
    }
    const ended = this.ended;
    this.ended = undefined;
    this.totalSteps += steps;
    const final = ended ?? stop('budget-exhausted', `step budget of ${maxSteps} used up`);
    this.trace?.emit({ kind: 'stop', reason: final.reason, pc: state.pc, detail: final.detail });
    return { reason: final.reason, detail: final.detail, pc: state.pc, steps };
  }

  /** How the current run ended, set by {@link Interpreter.settle}. */
  private ended: Stop | undefined = undefined;

  /**
   * Hand a non-retired result to the exception model. Returns true when the
   * run must end (and records why).
   */
  private settle(result: Exclude<StepResult, Retired>, trace: TraceSink | undefined): boolean {
    let halted: Stop | undefined;
    switch (result.kind) {
      case 'trap':
        halted = this.core.deliver(result, trace);
        break;
      case 'return':
        halted = this.core.exceptionReturn(result, trace);
        break;
      case 'stop':
        halted = result;
        break;
      default: {
        const unreachable: never = result;
        halted = unreachable;
      }
    }
    if (halted === undefined) return false;
    this.ended = halted;
    return true;
  }

  /** One instruction at the PC, recorded into the run's recorder if any (see {@link LoopHost.step}). */
  private stepOnce(): boolean {
    const core = this.core;
    const state = core.state;
    const op = core.translating?.() === true ? this.decode(state.pc) : this.opAt(state.pc);
    const recorder = this.runRecorder;
    if (recorder !== undefined) recorder.step(op, core.traceMode());
    state.pc = op.next;
    const result = op.exec(state, op);
    return result !== RETIRED && this.settle(result as Exclude<StepResult, Retired>, recorder);
  }

  /** The hot loop: no breakpoints, no trace. */
  private runFast(maxSteps: number): number {
    const core = this.core;
    if (core.runLoop !== undefined) return core.runLoop(this.host, core.state, maxSteps);
    const state = core.state;
    const cache = this.cache;
    const shift = core.alignShift;
    let steps = 0;
    while (steps < maxSteps) {
      const pc = state.pc;
      const index = (pc >>> shift) & CACHE_MASK;
      let op = cache[index]!;
      if (op.address !== pc) {
        op = this.decode(pc);
        if (op.cacheable) cache[index] = op;
      }
      state.pc = op.next;
      const result = op.exec(state, op);
      steps++;
      if (result !== RETIRED && this.settle(result as Exclude<StepResult, Retired>, undefined)) break;
    }
    return steps;
  }

  /** The loop with breakpoints and trace events. */
  private runObserved(maxSteps: number): number {
    const core = this.core;
    const state = core.state;
    const breakpoints = this.breakpoints;
    const trace = this.trace;
    const recorder = this.recorder;
    let steps = 0;
    while (steps < maxSteps) {
      const pc = state.pc;
      if (steps !== 0 && breakpoints.has(pc)) {
        // A negative PC is a backend's signed representation of a 64-bit address: its two's complement (hexAddress).
        this.ended = stop('breakpoint', `breakpoint at ${pc < 0 ? hexAddress(pc) : `0x${pc.toString(16)}`}`);
        break;
      }
      const op = core.translating?.() === true ? this.decode(pc) : this.opAt(pc);
      if (op.notAStep) {
        // The guard's stop is not an instruction: no step traced.
      } else if (recorder !== undefined) recorder.step(op, core.traceMode());
      else if (trace !== undefined) {
        const bytes = core.codeBytes === undefined ? core.memory.readBytes(pc, op.size) : core.codeBytes(pc, op.size);
        trace.emit({
          kind: 'step',
          address: pc,
          bytes: bytes === undefined ? '??' : hexBytes(bytes),
          text: core.describe(op),
          mode: core.modeName(),
        });
      }
      state.pc = op.next;
      const result = op.exec(state, op);
      steps++;
      if (result !== RETIRED && this.settle(result as Exclude<StepResult, Retired>, trace)) break;
    }
    return steps;
  }
}
