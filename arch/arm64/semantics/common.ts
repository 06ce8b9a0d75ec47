/**
 * Helpers every A64 semantics family shares: 64-bit arithmetic on word
 * pairs, register slots, conditions, and the guards named after the
 * manual's rules.
 *
 * @module
 */

import type { DecodedOp, Handler } from '../../../src/interp/decoded-op.ts';
import type { UndefinedTrap } from '../../../src/interp/step-result.ts';
import type { FieldValues } from '../../../src/isa/instruction-table.ts';
import { DISCARD_SLOT, SP_SLOT, ZERO_SLOT, type Arm64State } from '../registers.ts';

/** A predecoded A64 instruction. */
export type Op = DecodedOp<Arm64State>;

/** An A64 instruction handler. */
export type A64Handler = Handler<Arm64State>;

/**
 * Fills an op's operand slots from the decoded fields and returns the
 * handler to run. One per table row, named after it.
 */
export type Prepare = (op: Op, fields: FieldValues) => A64Handler;

/** An UNDEFINED instruction (the unknown-reason exception, EC 0). */
export function undefinedInstruction(op: Op, reason: string): UndefinedTrap {
  return { kind: 'trap', cause: 'undefined', address: op.address, next: op.next, reason };
}

/** Word index of register field `r` read as a source where 31 is XZR. */
export function sourceZr(r: number): number {
  return 2 * r;
}

/** Word index of register field `r` read where 31 is SP. */
export function sourceSp(r: number): number {
  return 2 * (r === 31 ? SP_SLOT : r);
}

/** Word index of register field `r` written where 31 is XZR (the write is discarded). */
export function destZr(r: number): number {
  return 2 * (r === 31 ? DISCARD_SLOT : r);
}

/** Word index of register field `r` written where 31 is SP. */
export function destSp(r: number): number {
  return 2 * (r === 31 ? SP_SLOT : r);
}

/** Word index of XZR (always 0). */
export const ZERO = 2 * ZERO_SLOT;

/**
 * ConditionHolds (ARM ARM C1.2.4, shared pseudocode) on flag values (each 0
 * or 1). Conditions 14 and 15 are both "always".
 */
export function conditionHolds(cond: number, n: number, z: number, c: number, v: number): boolean {
  let result: boolean;
  switch (cond >> 1) {
    case 0:
      result = z === 1;
      break;
    case 1:
      result = c === 1;
      break;
    case 2:
      result = n === 1;
      break;
    case 3:
      result = v === 1;
      break;
    case 4:
      result = c === 1 && z === 0;
      break;
    case 5:
      result = n === v;
      break;
    case 6:
      result = n === v && z === 0;
      break;
    default:
      return true;
  }
  return (cond & 1) === 1 ? !result : result;
}

/** ConditionHolds on the state's flags. */
export function conditionPassed(s: Arm64State, cond: number): boolean {
  return conditionHolds(cond, s.n, s.z, s.c, s.v);
}

/** A 64-bit value of a register pair as a number, exact below 2^53 (addresses). */
export function pairNumber(x: Int32Array, w: number): number {
  return (x[w + 1]! >>> 0) * 0x1_0000_0000 + (x[w]! >>> 0);
}

/** Write a non-negative number below 2^53 as a register pair. */
export function setPairNumber(x: Int32Array, w: number, value: number): void {
  x[w] = value | 0;
  x[w + 1] = Math.floor(value / 0x1_0000_0000) | 0;
}
