/**
 * What one spec makes of one trap: an {@link Interpretation}. The dispatcher
 * decides on numbers and runs the claimed call's semantics; everything that
 * is text (the effect sentence, the decoded arguments, the "not mine"
 * reason, the agreement key) and the writes as a record are built the first
 * time they are read, then kept. Whether two claims agree is decided without
 * any of that text ({@link sameEffect}).
 *
 * @module
 */

import { outcomeBigInt, type CallOutcome, type OutcomeValue, type ResolvedCall, type SpecOutcome } from '../abi/spec.ts';
import { hexValue } from '../abi/value-set.ts';
import type { CompiledSelector } from './compiled-selector.ts';
import type { RecordingContext } from './recording-context.ts';

/** What one spec makes of a trap. */
export interface Interpretation {
  /** Spec id. */
  readonly abi: string;
  /** Whether the spec claims the trap. */
  readonly mine: boolean;
  /** The call, when mine. */
  readonly call?: string;
  /** Decoded arguments by role, when mine. */
  readonly args?: Readonly<Record<string, string>>;
  /**
   * What happens, one line: the registers written, then how the call ends
   * (`returns`, `does not return` for a call marked `noReturn`, `jumps to …`,
   * `calls hypervisor function at …`); or, when not mine, `not mine: ` and why.
   */
  readonly effect: string;
  /** Agreement key: equal keys mean the same meaning and effect. */
  readonly key?: string;
  /** The outcome of the spec's semantics, when mine. */
  readonly outcome?: CallOutcome;
  /** Register writes the semantics made, when mine. */
  readonly writes?: Readonly<Record<string, bigint>>;
  /**
   * Whether the caller gets control back, when mine: false for a call marked
   * `noReturn` (exit, CPU_OFF, SYSTEM_OFF: the model returns with the
   * registers as set, but the real call never comes back) and for a jump.
   */
  readonly returns?: boolean;
}

/** An interpretation that claims the trap: the call, its outcome and writes, and the text built on demand. */
export class ClaimedInterpretation implements Interpretation {
  /** Always true. */
  readonly mine = true;
  private argsText: Readonly<Record<string, string>> | undefined;
  private writesRecord: Readonly<Record<string, bigint>> | undefined;
  private effectText: string | undefined;
  private keyText: string | undefined;

  /**
   * @param abi spec id.
   * @param resolved the call reached.
   * @param width the selector's width (arguments are shown wrapped to it).
   * @param outcome what the semantics returned.
   * @param context the context the semantics ran on (its writes).
   * @param registers the registers at the trap.
   */
  constructor(
    readonly abi: string,
    readonly resolved: ResolvedCall,
    private readonly width: number,
    readonly outcome: CallOutcome,
    readonly context: RecordingContext,
    private readonly registers: Readonly<Record<string, bigint>>,
  ) {}

  /** The call's name. */
  get call(): string {
    return this.resolved.spec.name;
  }

  /** What the call means for agreement (its `meaning`, else its name). */
  get meaning(): string {
    return this.resolved.spec.meaning ?? this.resolved.spec.name;
  }

  /** Whether the caller gets control back (see {@link Interpretation.returns}). */
  get returns(): boolean {
    return this.resolved.spec.noReturn !== true && this.outcome.kind !== 'jump' && this.outcome.kind !== 'exit';
  }

  /** Decoded arguments by role, `0x` hex at the selector's width. */
  get args(): Readonly<Record<string, string>> {
    if (this.argsText === undefined) {
      const args: Record<string, string> = {};
      for (const arg of this.resolved.spec.args ?? []) args[arg.role] = hexValue(BigInt.asUintN(this.width, this.registers[arg.register] ?? 0n));
      this.argsText = args;
    }
    return this.argsText;
  }

  /** Register writes, in order of first write. */
  get writes(): Readonly<Record<string, bigint>> {
    if (this.writesRecord === undefined) {
      const writes: Record<string, bigint> = {};
      for (let i = 0; i < this.context.writeCount; i++) writes[this.context.writtenRegister(i)] = this.context.writtenValue(i);
      this.writesRecord = writes;
    }
    return this.writesRecord;
  }

  /** The effect sentence. */
  get effect(): string {
    return (this.effectText ??= describeOutcome(this.outcome, this.context, this.resolved.spec.noReturn === true));
  }

  /** The agreement key: meaning, outcome kind and target, and the writes sorted by register. Equal keys exactly when {@link sameEffect}. */
  get key(): string {
    if (this.keyText === undefined) {
      const outcome = this.outcome;
      const writes: string[] = [];
      for (let i = 0; i < this.context.writeCount; i++) writes.push(`${this.context.writtenRegister(i)}=${this.context.writtenValue(i).toString(16)}`);
      writes.sort();
      this.keyText = `${this.meaning}\u0000${outcome.kind === 'return' ? `return${outcome.mode === undefined ? '' : `:${outcome.mode}`}` : outcome.kind === 'exit' ? `exit:${outcome.exit}` : `${outcome.kind}:${outcome.target.toString(16)}`}\u0000${writes.join(',')}`;
    }
    return this.keyText;
  }
}

/** An interpretation that declines the trap, with the reason built on demand. */
export class DeclinedInterpretation implements Interpretation {
  /** Always false. */
  readonly mine = false;
  private reasonText: string | undefined;

  /**
   * @param abi spec id.
   * @param selector the spec's compiled selector.
   * @param code the refusal code its decision gave.
   * @param imm the trap's immediate.
   * @param origin the origin (by index) the reason is about.
   * @param registers the registers at the trap.
   */
  constructor(
    readonly abi: string,
    private readonly selector: CompiledSelector,
    readonly code: number,
    private readonly imm: number,
    private readonly origin: number,
    private readonly registers: Readonly<Record<string, bigint>>,
  ) {}

  /** Why the spec declines, without the `not mine: ` prefix. */
  get reason(): string {
    return (this.reasonText ??= this.selector.refusal(this.code, this.imm, this.origin, (register) => this.registers[register] ?? 0n));
  }

  /** `not mine: ` and the reason. */
  get effect(): string {
    return `not mine: ${this.reason}`;
  }
}

/** Whether two claims have the same meaning and effect: meaning, outcome kind, target, and the same registers written with the same values (in any order). */
export function sameEffect(a: ClaimedInterpretation, b: ClaimedInterpretation): boolean {
  return sameCallEffect(a.resolved, a.outcome, a.context, b.resolved, b.outcome, b.context);
}

/** Whether two outcome values are the same value (a number is an unsigned 32-bit value, as `outcomeBigInt` reads it). */
function sameValue(a: OutcomeValue, b: OutcomeValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a >>> 0 === b >>> 0;
  return outcomeBigInt(a) === outcomeBigInt(b);
}

/**
 * {@link sameEffect} on the parts of two claims: each call, the outcome its
 * semantics gave (values as bigints or as 32-bit numbers, compared as the
 * bigints `bigIntOutcome` makes of them) and the context they wrote to.
 */
export function sameCallEffect(callA: ResolvedCall, outcomeA: SpecOutcome, contextA: RecordingContext, callB: ResolvedCall, outcomeB: SpecOutcome, contextB: RecordingContext): boolean {
  return callMeaning(callA) === callMeaning(callB) && sameOutcomeEffect(outcomeA, contextA, outcomeB, contextB);
}

/** What a call means, for {@link sameEffect}: its declared meaning, else its name. */
export function callMeaning(call: ResolvedCall): string {
  return call.spec.meaning ?? call.spec.name;
}

/** {@link sameCallEffect} without the calls: two calls of the same meaning, by the outcomes their semantics gave and the writes they made. */
export function sameOutcomeEffect(outcomeA: SpecOutcome, contextA: RecordingContext, outcomeB: SpecOutcome, contextB: RecordingContext): boolean {
  if (outcomeA.kind !== outcomeB.kind) return false;
  if (outcomeA.kind === 'exit' || outcomeB.kind === 'exit') {
    if (outcomeA.kind !== 'exit' || outcomeB.kind !== 'exit' || outcomeA.exit !== outcomeB.exit) return false;
  } else if (outcomeA.kind !== 'return' && outcomeB.kind !== 'return' && !sameValue(outcomeA.target, outcomeB.target)) return false;
  return contextA.sameWrites(contextB);
}

/** The effect sentence of an outcome, with the writes of `context`. */
export function describeOutcome(outcome: CallOutcome, context: RecordingContext, noReturn: boolean): string {
  const changed: string[] = [];
  for (let i = 0; i < context.writeCount; i++) changed.push(`${context.writtenRegister(i)} ← ${hexValue(context.writtenValue(i))}`);
  const prefix = changed.length === 0 ? '' : `${changed.join(', ')}; `;
  switch (outcome.kind) {
    case 'return':
      return `${prefix}${noReturn ? 'does not return' : 'returns'}${outcome.mode === undefined ? '' : ` in ${outcome.mode}${outcome.note === undefined ? '' : ` (${outcome.note})`}`}`;
    case 'jump':
      return `${prefix}jumps to ${hexValue(outcome.target)} in the hypervisor's mode, no return (${outcome.note})`;
    case 'call':
      return `${prefix}calls hypervisor function at ${hexValue(outcome.target)}(${outcome.args.map(hexValue).join(', ')}) (${outcome.note})${noReturn ? '; does not return' : ''}`;
    case 'exit':
      return `${prefix}leaves the guest: ${outcome.exit} (${outcome.note})`;
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}
