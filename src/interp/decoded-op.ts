/**
 * A predecoded instruction: the handler to run plus its operands, extracted
 * once and cached by address. All ops share one shape so that the hot loop's
 * property loads stay monomorphic.
 *
 * @module
 */

import type { GuestMemory } from '../memory/guest-memory.ts';
import type { ExceptionReturn, StepResult, Trap } from './step-result.ts';

/** Runs one predecoded instruction against the state. */
export type Handler<S> = (state: S, op: DecodedOp<S>) => StepResult;

/** The minimum a backend's state must have for the step loop. */
export interface SteppableState {
  /** Address of the next instruction to execute. */
  pc: number;
}

/** What a trace recorder reads of a predecoded op (see {@link DecodedOp}). */
export interface TracedOp {
  /** Table entry name (`overlay` for firmware overlays). */
  readonly name: string;
  /** Address of the instruction. */
  readonly address: number;
  /** Length in bytes. */
  readonly size: number;
  /** The raw instruction word. */
  readonly word: number;
  /** The recorder this op is registered with, if any. */
  traceOwner: object | undefined;
  /** Its index in {@link DecodedOp.traceOwner}. */
  traceId: number;
  /** Set on a pseudo-op that is not an instruction (a fetch guard's stop): it is never recorded as a step. */
  readonly notAStep?: boolean;
}

/**
 * One predecoded instruction. The operand slots are filled by the backend's
 * semantics when the instruction is predecoded; what each slot means is up to
 * the handler that reads it.
 */
export class DecodedOp<S> implements TracedOp {
  /** What the loop calls. May be a wrapper (condition check, PC read/write) around {@link DecodedOp.inner}. */
  exec: Handler<S>;
  /** The pattern's own handler. */
  inner: Handler<S>;
  /** Destination register number. */
  dest = 0;
  /** First source register number. */
  src1 = 0;
  /** Second source register number. */
  src2 = 0;
  /** Third source register number. */
  src3 = 0;
  /** Main immediate (already expanded). */
  imm = 0;
  /** Second immediate or bit mask. */
  imm2 = 0;
  /** Handler-specific variant (shift type, addressing mode, …). */
  variant = 0;
  /** Condition code, where the architecture has one. */
  cond = 0;
  /** Whether the instruction sets flags. */
  setFlags = false;
  /** Backend dispatch number: lets a backend's single `exec` switch to the handler directly (monomorphic calls). */
  kind = -1;
  /** Backend-specific flag bits (e.g. "reads the PC"). */
  flags = 0;
  /**
   * A backend's specialised form of this op, chosen once at predecode (0:
   * none): its run loop may perform an op with a nonzero `fast` inline,
   * with the condition, operand form and flag decisions already made,
   * instead of calling `exec`. It must mean exactly what
   * `exec` does.
   */
  fast = 0;
  /** A trap or exception return this instruction produces, built once at predecode so that trapping allocates nothing. */
  fixed: Trap | ExceptionReturn | undefined = undefined;
  /** Whether this op may be kept in the predecode cache (fetch faults are not). */
  cacheable = true;
  /** Address of the following instruction. */
  readonly next: number;
  /** The trace recorder this op is registered with (a recorder registers each op once, when it first runs traced). */
  traceOwner: object | undefined = undefined;
  /** Its index in {@link DecodedOp.traceOwner}'s op list. */
  traceId = -1;
  /** Set on a pseudo-op that is not an instruction (a fetch guard's stop): no step is counted or recorded for it. */
  notAStep = false;

  /**
   * @param name table entry name (the handler's name).
   * @param address address of the instruction.
   * @param size length in bytes.
   * @param word the raw instruction word (or the first bytes of it).
   * @param handler the pattern's handler.
   * @param memory the guest memory its loads and stores use.
   */
  constructor(
    readonly name: string,
    readonly address: number,
    readonly size: number,
    readonly word: number,
    handler: Handler<S>,
    readonly memory: GuestMemory,
  ) {
    this.exec = handler;
    this.inner = handler;
    this.next = address + size;
  }

}
