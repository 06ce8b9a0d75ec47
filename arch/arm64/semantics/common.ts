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

/**
 * A register pair as an address: the signed representation every address
 * takes in this backend (a value with bit 63 set is value − 2^64, so the
 * TTBR1 half 0xffff… is a small negative number; `tlb.ts`), exact within
 * ±2^53, which holds every canonical address.
 */
export function pairNumber(x: Int32Array, w: number): number {
  return x[w + 1]! * 0x1_0000_0000 + (x[w]! >>> 0);
}

/** Write an integer within ±2^53 (an address in the signed representation) as a register pair. */
export function setPairNumber(x: Int32Array, w: number, value: number): void {
  x[w] = value | 0;
  x[w + 1] = Math.floor(value / 0x1_0000_0000) | 0;
}

/** `op.flags` bit: the instruction operates on 64-bit registers (sf = 1). */
export const WIDE = 1;
/** `op.flags` bit: the instruction may change the PC (a branch): it ends its block. */
export const BRANCH = 2;
/** `op.flags` bit: the op was predecoded while stage 1 translates (`core.ts`): its addresses are virtual, its memory the translating view. */
export const TRANSLATED = 4;
/**
 * `op.flags` bit: a load or store of a single general-purpose register
 * without writeback, not exclusive (set by its row's prepare): a stage-2
 * abort on it has a valid instruction syndrome (ESR_EL2 ISV = 1, D13.2.37;
 * see `load-store.ts`).
 */
export const SYNDROME_VALID = 8;

/**
 * Results of the pair arithmetic below, in module-level slots so that the
 * helpers allocate nothing: the low and high words, and the carry and
 * overflow of the last addition.
 */
export const R: PairResult = { lo: 0, hi: 0, c: 0, v: 0 };

/** The shape of {@link R}. */
export interface PairResult {
  /** Bits 31:0 of the result. */
  lo: number;
  /** Bits 63:32 of the result (0 for a 32-bit result). */
  hi: number;
  /** Carry out of the last addition. */
  c: number;
  /** Signed overflow of the last addition. */
  v: number;
}

/** 64-bit a + b + carry (AddWithCarry, C1.2.4): result in R.lo/R.hi, flags in R.c/R.v. */
export function add64(alo: number, ahi: number, blo: number, bhi: number, carry: number): void {
  const lo = (alo >>> 0) + (blo >>> 0) + carry;
  const c0 = lo >= 0x1_0000_0000 ? 1 : 0;
  const hi = (ahi >>> 0) + (bhi >>> 0) + c0;
  const rhi = hi | 0;
  R.lo = lo | 0;
  R.hi = rhi;
  R.c = hi >= 0x1_0000_0000 ? 1 : 0;
  R.v = ((ahi ^ rhi) & (bhi ^ rhi)) < 0 ? 1 : 0;
}

/** 32-bit a + b + carry: result in R.lo (R.hi = 0), flags in R.c/R.v. */
export function add32(a: number, b: number, carry: number): void {
  const sum = (a >>> 0) + (b >>> 0) + carry;
  const r = sum | 0;
  R.lo = r;
  R.hi = 0;
  R.c = sum >= 0x1_0000_0000 ? 1 : 0;
  R.v = ((a ^ r) & (b ^ r)) < 0 ? 1 : 0;
}

/** Shift (LSL 0, LSR 1, ASR 2, ROR 3) of a 64-bit pair by 0–63: result in R.lo/R.hi (ShiftReg, C6.2). */
export function shift64(lo: number, hi: number, type: number, n: number): void {
  if (n === 0) {
    R.lo = lo;
    R.hi = hi;
    return;
  }
  switch (type) {
    case 0:
      if (n < 32) {
        R.hi = (hi << n) | (lo >>> (32 - n));
        R.lo = lo << n;
      } else {
        R.hi = lo << (n - 32);
        R.lo = 0;
      }
      return;
    case 1:
      if (n < 32) {
        R.lo = (lo >>> n) | (hi << (32 - n));
        R.hi = hi >>> n;
      } else {
        R.lo = hi >>> (n - 32);
        R.hi = 0;
      }
      R.lo |= 0;
      R.hi |= 0;
      return;
    case 2:
      if (n < 32) {
        R.lo = (lo >>> n) | (hi << (32 - n));
        R.hi = hi >> n;
      } else {
        R.lo = hi >> (n - 32);
        R.hi = hi >> 31;
      }
      return;
    default: {
      // ROR: by 32 swaps the words; above, rotate the swapped pair by n - 32.
      let a = lo;
      let b = hi;
      let k = n;
      if (k >= 32) {
        a = hi;
        b = lo;
        k -= 32;
      }
      if (k === 0) {
        R.lo = a;
        R.hi = b;
      } else {
        R.lo = (a >>> k) | (b << (32 - k));
        R.hi = (b >>> k) | (a << (32 - k));
      }
    }
  }
}

/** Shift of a 32-bit value by 0–31 (ShiftReg at 32 bits). */
export function shift32(value: number, type: number, n: number): number {
  if (n === 0) return value | 0;
  switch (type) {
    case 0:
      return value << n;
    case 1:
      return (value >>> n) | 0;
    case 2:
      return value >> n;
    default:
      return (value >>> n) | (value << (32 - n));
  }
}

/** ExtendReg (C6.2): register pair `lo`/`hi` extended by `option` (UXTB … SXTX) and shifted left by 0–4: R.lo/R.hi. */
export function extend64(lo: number, hi: number, option: number, shift: number): void {
  let l: number;
  let h: number;
  switch (option) {
    case 0:
      l = lo & 0xff;
      h = 0;
      break;
    case 1:
      l = lo & 0xffff;
      h = 0;
      break;
    case 2:
      l = lo;
      h = 0;
      break;
    case 3:
      l = lo;
      h = hi;
      break;
    case 4:
      l = (lo << 24) >> 24;
      h = l >> 31;
      break;
    case 5:
      l = (lo << 16) >> 16;
      h = l >> 31;
      break;
    case 6:
      l = lo;
      h = lo >> 31;
      break;
    default:
      l = lo;
      h = hi;
  }
  shift64(l, h, 0, shift);
}

/** The unsigned 64-bit product of two 32-bit words: R.lo/R.hi (no carries lost: 16-bit limbs). */
export function multiply32x32(a: number, b: number): void {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = Math.floor(p00 / 0x1_0000) + (p01 & 0xffff) + (p10 & 0xffff);
  R.lo = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  R.hi = (p11 + Math.floor(p01 / 0x1_0000) + Math.floor(p10 / 0x1_0000) + Math.floor(mid / 0x1_0000)) | 0;
}

/** The low 64 bits of a 64 × 64-bit product: R.lo/R.hi. */
export function multiply64(alo: number, ahi: number, blo: number, bhi: number): void {
  multiply32x32(alo, blo);
  R.hi = (R.hi + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

/** A register pair as an unsigned bigint (for the rare wide operations: high multiplies, 64-bit divides). */
export function pairBig(x: Int32Array, w: number): bigint {
  return (BigInt(x[w + 1]! >>> 0) << 32n) | BigInt(x[w]! >>> 0);
}

/** Write a bigint (wrapped to 64 bits) to a register pair. */
export function setPairBig(x: Int32Array, w: number, value: bigint): void {
  const v = BigInt.asUintN(64, value);
  x[w] = Number(v & 0xffff_ffffn) | 0;
  x[w + 1] = Number(v >> 32n) | 0;
}
