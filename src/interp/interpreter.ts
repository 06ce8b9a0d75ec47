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

import type { GuestMemory } from '../memory/guest-memory.ts';
import type { DecodedOp, SteppableState } from './decoded-op.ts';
import { RETIRED, stop, type ExceptionReturn, type Stop, type StopReason, type Trap } from './step-result.ts';
import type { TraceSink } from './trace.ts';

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
  /** Disassembly of a predecoded op, for traces. */
  describe(op: DecodedOp<S>): string;
}

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

/** The step loop with its predecode cache, breakpoints and trace sink. */
export class Interpreter<S extends SteppableState> {
  /** Addresses at which a run stops before executing. */
  readonly breakpoints = new Set<number>();
  /** Where trace events go; `undefined` traces nothing (and costs nothing). */
  trace: TraceSink | undefined = undefined;
  /** Total instructions executed by this interpreter. */
  totalSteps = 0;
  private readonly cache: (DecodedOp<S> | undefined)[] = new Array<DecodedOp<S> | undefined>(CACHE_SIZE).fill(undefined);

  /** @param core the backend's execution core. */
  constructor(readonly core: ExecutionCore<S>) {
    core.memory.onCodeWrite((address, length) => this.invalidate(address, length));
  }

  /** Drop cached ops overlapping `[address, address + length)`. */
  invalidate(address: number, length: number): void {
    const step = 1 << this.core.alignShift;
    const first = address - this.core.maxInstructionBytes + 1;
    if (length >= CACHE_SIZE * step) {
      this.cache.fill(undefined);
      return;
    }
    for (let a = first - (first % step); a < address + length; a += step) {
      const index = (a >>> this.core.alignShift) & CACHE_MASK;
      const op = this.cache[index];
      if (op !== undefined && op.address === a) this.cache[index] = undefined;
    }
  }

  /** Drop every cached op (after a state or memory restore). */
  flush(): void {
    this.cache.fill(undefined);
  }

  /** The predecoded op at `address`, from the cache when possible. */
  opAt(address: number): DecodedOp<S> {
    const index = (address >>> this.core.alignShift) & CACHE_MASK;
    let op = this.cache[index];
    if (op === undefined || op.address !== address) {
      op = this.core.decode(address);
      if (op.cacheable) this.cache[index] = op;
    }
    return op;
  }

  /**
   * Run until a stop, a breakpoint or `maxSteps` instructions. A breakpoint at
   * the starting PC is stepped over, so a run can resume from one.
   */
  run(maxSteps: number): RunResult {
    const core = this.core;
    const state = core.state;
    const cache = this.cache;
    const shift = core.alignShift;
    const breakpoints = this.breakpoints;
    const trace = this.trace;
    let steps = 0;
    let ended: Stop | undefined;
    while (steps < maxSteps) {
      const pc = state.pc;
      if (breakpoints.size !== 0 && steps !== 0 && breakpoints.has(pc)) {
        ended = stop('breakpoint', `breakpoint at 0x${pc.toString(16)}`);
        break;
      }
      const index = (pc >>> shift) & CACHE_MASK;
      let op = cache[index];
      if (op === undefined || op.address !== pc) {
        op = core.decode(pc);
        if (op.cacheable) cache[index] = op;
      }
      if (trace !== undefined) {
        const bytes = core.memory.readBytes(pc, op.size);
        trace.emit({
          kind: 'step',
          address: pc,
          bytes: bytes === undefined ? '??' : [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' '),
          text: core.describe(op),
          mode: core.modeName(),
        });
      }
      state.pc = op.next;
      const result = op.exec(state, op);
      steps++;
      if (result === RETIRED) continue;
      if (result.kind === 'trap') {
        const halted = core.deliver(result, trace);
        if (halted !== undefined) {
          ended = halted;
          break;
        }
        continue;
      }
      if (result.kind === 'return') {
        const halted = core.exceptionReturn(result, trace);
        if (halted !== undefined) {
          ended = halted;
          break;
        }
        continue;
      }
      if (result.kind === 'stop') {
        ended = result;
        break;
      }
    }
    this.totalSteps += steps;
    const final = ended ?? stop('budget-exhausted', `step budget of ${maxSteps} used up`);
    trace?.emit({ kind: 'stop', reason: final.reason, pc: state.pc, detail: final.detail });
    return { reason: final.reason, detail: final.detail, pc: state.pc, steps };
  }
}
