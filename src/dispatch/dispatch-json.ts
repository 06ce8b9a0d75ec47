/**
 * The JSON form of a dispatch, the contract of `hyplay dispatch --json` and
 * of each output line of `hyplay dispatch --batch`: `verdict`, then
 * `interpretations` (each `abi`, `mine`, `call`, `args`, `effect`, and when
 * mine `outcome` and `returns`), then `query`, the trap as understood.
 *
 * @module
 */

import { hexValue } from '../abi/value-set.ts';
import type { Dispatch, TrapQuery, Verdict } from './dispatch-table.ts';
import type { Interpretation } from './interpretation.ts';

/** How a claimed call ends, in JSON. */
export interface OutcomeJson {
  /** `return`, `jump` or `call`. */
  readonly kind: string;
  /** Where a jump or call goes, `0x` hex. */
  readonly target?: string;
  /** A call's arguments, `0x` hex. */
  readonly args?: readonly string[];
}

/** One interpretation in the JSON contract. */
export interface InterpretationJson {
  /** Spec id. */
  readonly abi: string;
  /** Whether the spec claims the trap. */
  readonly mine: boolean;
  /** The call, or `null` when not mine. */
  readonly call: string | null;
  /** Decoded arguments by role (empty when not mine). */
  readonly args: Readonly<Record<string, string>>;
  /** What happens (ending `does not return` for a call marked noReturn), or why it is not mine. */
  readonly effect: string;
  /** How the call ends (`return`, `jump` with target, `call` with target and args), when mine. */
  readonly outcome?: OutcomeJson;
  /** Whether the caller gets control back, when mine: false for a call marked noReturn (exit, CPU_OFF, SYSTEM_OFF) and for a jump. */
  readonly returns?: boolean;
}

/** The trap as the dispatcher understood it. */
export interface QueryJson {
  /** Architecture. */
  readonly arch: string;
  /** Conduit. */
  readonly conduit: string;
  /** The immediate. */
  readonly imm: number;
  /** The caller's privilege. */
  readonly from: string;
  /** `host`, `guest`, or `null` for both. */
  readonly world: string | null;
  /** The registers given, `0x` hex at each register's width. */
  readonly registers: Readonly<Record<string, string>>;
}

/** The whole document. */
export interface DispatchJson {
  /** The verdict. */
  readonly verdict: Verdict;
  /** Every spec on the conduit, claiming ones first. */
  readonly interpretations: readonly InterpretationJson[];
  /** The trap as understood. */
  readonly query: QueryJson;
}

/** One interpretation as JSON. */
export function interpretationJson(i: Interpretation): InterpretationJson {
  const out: InterpretationJson = { abi: i.abi, mine: i.mine, call: i.call ?? null, args: i.args ?? {}, effect: i.effect };
  const o = i.outcome;
  if (o === undefined) return out;
  const returns = i.returns ?? true;
  if (o.kind === 'return') return { ...out, outcome: { kind: o.kind }, returns };
  if (o.kind === 'jump') return { ...out, outcome: { kind: o.kind, target: hexValue(o.target) }, returns };
  return { ...out, outcome: { kind: o.kind, target: hexValue(o.target), args: o.args.map(hexValue) }, returns };
}

/** The registers of a query as `0x` hex, each by `hex` (at the register's width). */
export function registersJson(registers: Readonly<Record<string, bigint>>, hex: (register: string, value: bigint) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const register of Object.keys(registers)) out[register] = hex(register, registers[register]!);
  return out;
}

/** The document for one dispatch: the contract's `verdict` and `interpretations`, then the query as understood. */
export function dispatchJson(query: TrapQuery, answer: Dispatch, hex: (register: string, value: bigint) => string): DispatchJson {
  return {
    verdict: answer.verdict,
    interpretations: answer.interpretations.map(interpretationJson),
    query: { arch: query.arch, conduit: query.conduit, imm: query.imm, from: query.privilege, world: query.world ?? null, registers: registersJson(query.registers, hex) },
  };
}
