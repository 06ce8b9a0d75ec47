/**
 * Data processing (C4.1.2 immediate, C4.1.5 register): ADR/ADRP, add and
 * subtract (immediate, shifted and extended register, with carry), logical
 * (immediate and shifted register), move wide, bitfield, extract,
 * conditional compare and select, multiply, divide, and the one-source
 * operations (RBIT, REV*, CLZ, CLS).
 *
 * 64-bit values are word pairs (see `registers.ts`); a 32-bit result
 * zeroes the high word (C1.2.5: writes to W registers clear bits 63:32).
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import type { FieldValues } from '../../../src/isa/instruction-table.ts';
import { decodeBitMask } from '../operands.ts';
import type { Arm64State } from '../registers.ts';
import {
  add32,
  add64,
  conditionPassed,
  destSp,
  destZr,
  extend64,
  multiply32x32,
  multiply64,
  pairBig,
  R,
  setPairBig,
  shift32,
  shift64,
  sourceSp,
  sourceZr,
  WIDE,
  type A64Handler,
  type Op,
  type Prepare,
} from './common.ts';

function wide(op: Op, f: FieldValues): boolean {
  const sf = f.sf === 1;
  if (sf) op.flags |= WIDE;
  return sf;
}

/** Set NZCV from a result in R (N, Z from the value; C, V from R). */
function setFlags(s: Arm64State, lo: number, hi: number, is64: boolean): void {
  s.n = (is64 ? hi : lo) >>> 31;
  s.z = (is64 ? (lo | hi) === 0 : lo === 0) ? 1 : 0;
  s.c = R.c;
  s.v = R.v;
}

/** Write R to the destination at the op's width. */
function writeResult(s: Arm64State, d: number, is64: boolean): void {
  s.x[d] = R.lo;
  s.x[d + 1] = is64 ? R.hi : 0;
}

/**
 * Add or subtract with second operand in R (already shifted/extended):
 * `subtract` inverts it with carry-in 1 (C1.2.4 AddWithCarry).
 */
function addSubtract(s: Arm64State, op: Op, blo: number, bhi: number): void {
  const x = s.x;
  const a = op.src1;
  const is64 = (op.flags & WIDE) !== 0;
  const sub = op.variant === 1;
  if (is64) add64(x[a]!, x[a + 1]!, sub ? ~blo : blo, sub ? ~bhi : bhi, sub ? 1 : 0);
  else add32(x[a]!, sub ? ~blo : blo, sub ? 1 : 0);
  if (op.setFlags) setFlags(s, R.lo, R.hi, is64);
  writeResult(s, op.dest, is64);
}

/** ADD/SUB (immediate): the immediate is in op.imm (already shifted). */
export const addSubtractImmediate: A64Handler = (s, op) => {
  addSubtract(s, op, op.imm, 0);
  return RETIRED;
};

/** ADD/SUB (shifted register). */
export const addSubtractShifted: A64Handler = (s, op) => {
  const x = s.x;
  const m = op.src2;
  if ((op.flags & WIDE) !== 0) shift64(x[m]!, x[m + 1]!, op.imm2, op.imm);
  else {
    R.lo = shift32(x[m]!, op.imm2, op.imm);
    R.hi = 0;
  }
  addSubtract(s, op, R.lo, R.hi);
  return RETIRED;
};

/** ADD/SUB (extended register): option in op.imm2, shift in op.imm. */
export const addSubtractExtended: A64Handler = (s, op) => {
  const x = s.x;
  const m = op.src2;
  extend64(x[m]!, x[m + 1]!, op.imm2, op.imm);
  addSubtract(s, op, R.lo, R.hi);
  return RETIRED;
};

/** ADC/SBC: carry in from PSTATE.C. */
export const addSubtractCarry: A64Handler = (s, op) => {
  const x = s.x;
  const a = op.src1;
  const m = op.src2;
  const is64 = (op.flags & WIDE) !== 0;
  const sub = op.variant === 1;
  if (is64) add64(x[a]!, x[a + 1]!, sub ? ~x[m]! : x[m]!, sub ? ~x[m + 1]! : x[m + 1]!, s.c);
  else add32(x[a]!, sub ? ~x[m]! : x[m]!, s.c);
  if (op.setFlags) setFlags(s, R.lo, R.hi, is64);
  writeResult(s, op.dest, is64);
  return RETIRED;
};

/** Logical operation `variant` (0 AND, 1 ORR, 2 EOR) of Rn with the pair (blo, bhi), flags for ANDS/BICS (C and V cleared). */
function logical(s: Arm64State, op: Op, blo: number, bhi: number): void {
  const x = s.x;
  const a = op.src1;
  const is64 = (op.flags & WIDE) !== 0;
  let lo: number;
  let hi: number;
  switch (op.variant) {
    case 0:
      lo = x[a]! & blo;
      hi = x[a + 1]! & bhi;
      break;
    case 1:
      lo = x[a]! | blo;
      hi = x[a + 1]! | bhi;
      break;
    default:
      lo = x[a]! ^ blo;
      hi = x[a + 1]! ^ bhi;
  }
  if (!is64) hi = 0;
  if (op.setFlags) {
    s.n = (is64 ? hi : lo) >>> 31;
    s.z = (lo | hi) === 0 ? 1 : 0;
    s.c = 0;
    s.v = 0;
  }
  x[op.dest] = lo;
  x[op.dest + 1] = hi;
}

/** AND/ORR/EOR/ANDS (immediate): the bitmask in op.imm/op.imm2. */
export const logicalImmediate: A64Handler = (s, op) => {
  logical(s, op, op.imm, op.imm2);
  return RETIRED;
};

/** The logical (shifted register) family: shift type in op.src3, amount in op.imm, inverted (BIC, ORN, EON, BICS) when op.cond is 1. */
export const logicalShifted: A64Handler = (s, op) => {
  const x = s.x;
  const m = op.src2;
  let lo: number;
  let hi: number;
  if ((op.flags & WIDE) !== 0) {
    shift64(x[m]!, x[m + 1]!, op.src3, op.imm);
    lo = R.lo;
    hi = R.hi;
  } else {
    lo = shift32(x[m]!, op.src3, op.imm);
    hi = 0;
  }
  if (op.cond === 1) {
    lo = ~lo;
    hi = ~hi;
  }
  logical(s, op, lo, hi);
  return RETIRED;
};

/** MOVZ / MOVN: the whole value is op.imm/op.imm2, computed at predecode. */
export const moveWide: A64Handler = (s, op) => {
  s.x[op.dest] = op.imm;
  s.x[op.dest + 1] = op.imm2;
  return RETIRED;
};

/** MOVK: insert 16 bits at position op.variant (0, 16, 32, 48), keeping the rest. */
export const moveKeep: A64Handler = (s, op) => {
  const x = s.x;
  const d = op.dest;
  const shift = op.variant;
  if (shift < 32) x[d] = (x[d]! & ~(0xffff << shift)) | (op.imm << shift);
  else x[d + 1] = (x[d + 1]! & ~(0xffff << (shift - 32))) | (op.imm << (shift - 32));
  if ((op.flags & WIDE) === 0) x[d + 1] = 0;
  return RETIRED;
};

/** ADR/ADRP: op.imm/op.imm2 is the target address (a constant of the instruction's address). */
export const addressOf: A64Handler = (s, op) => {
  s.x[op.dest] = op.imm;
  s.x[op.dest + 1] = op.imm2;
  return RETIRED;
};

/**
 * SBFM/BFM/UBFM (C6.2.36 BFM pseudocode): with wmask in op.imm/op.imm2,
 * tmask in op.src2/op.src3, R and S in op.variant (bits 7:0 and 15:8) and
 * the kind (0 SBFM, 1 BFM, 2 UBFM) in op.cond:
 * bot = (dst AND NOT wmask) OR (ROR(src, R) AND wmask);
 * top = extend ? Replicate(src<S>) : dst; result = (top AND NOT tmask) OR (bot AND tmask).
 */
export const bitfieldMove: A64Handler = (s, op) => {
  const x = s.x;
  const n = op.src1;
  const d = op.dest;
  const is64 = (op.flags & WIDE) !== 0;
  const r = op.variant & 0xff;
  const sBit = (op.variant >>> 8) & 0xff;
  const kind = op.cond;
  const dlo = kind === 1 ? x[d]! : 0;
  const dhi = kind === 1 ? x[d + 1]! : 0;
  let rlo: number;
  let rhi: number;
  if (is64) {
    shift64(x[n]!, x[n + 1]!, 3, r);
    rlo = R.lo;
    rhi = R.hi;
  } else {
    rlo = shift32(x[n]!, 3, r);
    rhi = 0;
  }
  const botLo = (dlo & ~op.imm) | (rlo & op.imm);
  const botHi = (dhi & ~op.imm2) | (rhi & op.imm2);
  let topLo = dlo;
  let topHi = dhi;
  if (kind === 0) {
    const bit = sBit < 32 ? (x[n]! >>> sBit) & 1 : (x[n + 1]! >>> (sBit - 32)) & 1;
    topLo = -bit;
    topHi = -bit;
  }
  x[d] = (topLo & ~op.src2) | (botLo & op.src2);
  x[d + 1] = is64 ? (topHi & ~op.src3) | (botHi & op.src3) : 0;
  return RETIRED;
};

/** EXTR: (Rn:Rm) >> lsb (op.imm), the low bits. */
export const extract: A64Handler = (s, op) => {
  const x = s.x;
  const n = op.src1;
  const m = op.src2;
  const lsb = op.imm;
  if ((op.flags & WIDE) !== 0) {
    if (lsb === 0) {
      x[op.dest] = x[m]!;
      x[op.dest + 1] = x[m + 1]!;
      return RETIRED;
    }
    shift64(x[m]!, x[m + 1]!, 1, lsb);
    const lo = R.lo;
    const hi = R.hi;
    shift64(x[n]!, x[n + 1]!, 0, 64 - lsb);
    x[op.dest] = lo | R.lo;
    x[op.dest + 1] = hi | R.hi;
  } else {
    x[op.dest] = lsb === 0 ? x[m]! : (x[m]! >>> lsb) | (x[n]! << (32 - lsb));
    x[op.dest + 1] = 0;
  }
  return RETIRED;
};

/** CCMP/CCMN (register or immediate): if the condition holds, compare (op.variant 1: subtract), else NZCV = op.imm2. The immediate operand is op.imm when op.src2 < 0. */
export const conditionalCompare: A64Handler = (s, op) => {
  if (!conditionPassed(s, op.cond)) {
    const nzcv = op.imm2;
    s.n = (nzcv >> 3) & 1;
    s.z = (nzcv >> 2) & 1;
    s.c = (nzcv >> 1) & 1;
    s.v = nzcv & 1;
    return RETIRED;
  }
  const x = s.x;
  const a = op.src1;
  const is64 = (op.flags & WIDE) !== 0;
  const blo = op.src2 < 0 ? op.imm : x[op.src2]!;
  const bhi = op.src2 < 0 ? 0 : x[op.src2 + 1]!;
  const sub = op.variant === 1;
  if (is64) add64(x[a]!, x[a + 1]!, sub ? ~blo : blo, sub ? ~bhi : bhi, sub ? 1 : 0);
  else add32(x[a]!, sub ? ~blo : blo, sub ? 1 : 0);
  setFlags(s, R.lo, R.hi, is64);
  return RETIRED;
};

/** CSEL/CSINC/CSINV/CSNEG: op.variant 0 select, 1 increment, 2 invert, 3 negate the second operand when the condition fails. */
export const conditionalSelect: A64Handler = (s, op) => {
  const x = s.x;
  const is64 = (op.flags & WIDE) !== 0;
  const d = op.dest;
  if (conditionPassed(s, op.cond)) {
    x[d] = x[op.src1]!;
    x[d + 1] = is64 ? x[op.src1 + 1]! : 0;
    return RETIRED;
  }
  const m = op.src2;
  let lo = x[m]!;
  let hi = is64 ? x[m + 1]! : 0;
  switch (op.variant) {
    case 0:
      break;
    case 1:
      if (is64) add64(lo, hi, 1, 0, 0);
      else add32(lo, 1, 0);
      lo = R.lo;
      hi = R.hi;
      break;
    case 2:
      lo = ~lo;
      hi = is64 ? ~hi : 0;
      break;
    default:
      if (is64) add64(~lo, ~hi, 1, 0, 0);
      else add32(~lo, 1, 0);
      lo = R.lo;
      hi = R.hi;
  }
  x[d] = lo;
  x[d + 1] = hi;
  return RETIRED;
};

/** MADD/MSUB: Ra ± Rn × Rm (op.variant 1: subtract). */
export const multiplyAdd: A64Handler = (s, op) => {
  const x = s.x;
  const n = op.src1;
  const m = op.src2;
  const a = op.src3;
  if ((op.flags & WIDE) !== 0) {
    multiply64(x[n]!, x[n + 1]!, x[m]!, x[m + 1]!);
    const plo = R.lo;
    const phi = R.hi;
    if (op.variant === 1) add64(x[a]!, x[a + 1]!, ~plo, ~phi, 1);
    else add64(x[a]!, x[a + 1]!, plo, phi, 0);
    x[op.dest] = R.lo;
    x[op.dest + 1] = R.hi;
  } else {
    const p = Math.imul(x[n]!, x[m]!);
    x[op.dest] = op.variant === 1 ? (x[a]! - p) | 0 : (x[a]! + p) | 0;
    x[op.dest + 1] = 0;
  }
  return RETIRED;
};

/** SMADDL/SMSUBL/UMADDL/UMSUBL: Xa ± Wn × Wm, 64-bit product (op.variant bit 0: subtract, bit 1: signed). */
export const multiplyAddLong: A64Handler = (s, op) => {
  const x = s.x;
  const a = x[op.src1]!;
  const b = x[op.src2]!;
  multiply32x32(a, b);
  let hi = R.hi;
  const lo = R.lo;
  // Signed: the unsigned product minus 2^32·b for a negative a, and 2^32·a for a negative b (mod 2^64).
  if ((op.variant & 2) !== 0) hi = (hi - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
  const ra = op.src3;
  if ((op.variant & 1) !== 0) add64(x[ra]!, x[ra + 1]!, ~lo, ~hi, 1);
  else add64(x[ra]!, x[ra + 1]!, lo, hi, 0);
  x[op.dest] = R.lo;
  x[op.dest + 1] = R.hi;
  return RETIRED;
};

/** SMULH/UMULH: the high 64 bits of the 128-bit product (op.variant 1: signed). Rare: bigint. */
export const multiplyHigh: A64Handler = (s, op) => {
  const x = s.x;
  let a = pairBig(x, op.src1);
  let b = pairBig(x, op.src2);
  if (op.variant === 1) {
    a = BigInt.asIntN(64, a);
    b = BigInt.asIntN(64, b);
  }
  setPairBig(x, op.dest, (a * b) >> 64n);
  return RETIRED;
};

/** UDIV/SDIV (op.variant 1: signed): division by zero gives 0; the result rounds toward zero (C6.2.340 UDIV, C6.2.248 SDIV). */
export const divide: A64Handler = (s, op) => {
  const x = s.x;
  const n = op.src1;
  const m = op.src2;
  if ((op.flags & WIDE) !== 0) {
    let a = pairBig(x, n);
    let b = pairBig(x, m);
    if (b === 0n) setPairBig(x, op.dest, 0n);
    else {
      if (op.variant === 1) {
        a = BigInt.asIntN(64, a);
        b = BigInt.asIntN(64, b);
      }
      setPairBig(x, op.dest, a / b);
    }
    return RETIRED;
  }
  const a = x[n]!;
  const b = x[m]!;
  let q: number;
  if (b === 0) q = 0;
  else if (op.variant === 1) q = a === -0x8000_0000 && b === -1 ? a : Math.trunc(a / b) | 0;
  else q = Math.floor((a >>> 0) / (b >>> 0)) | 0;
  x[op.dest] = q;
  x[op.dest + 1] = 0;
  return RETIRED;
};

/** LSLV/LSRV/ASRV/RORV: shift type in op.variant, amount Rm modulo the width. */
export const shiftVariable: A64Handler = (s, op) => {
  const x = s.x;
  const n = op.src1;
  const amount = x[op.src2]!;
  if ((op.flags & WIDE) !== 0) {
    shift64(x[n]!, x[n + 1]!, op.variant, amount & 63);
    x[op.dest] = R.lo;
    x[op.dest + 1] = R.hi;
  } else {
    x[op.dest] = shift32(x[n]!, op.variant, amount & 31);
    x[op.dest + 1] = 0;
  }
  return RETIRED;
};

function reverseBits32(v: number): number {
  let r = v;
  r = ((r >>> 1) & 0x5555_5555) | ((r & 0x5555_5555) << 1);
  r = ((r >>> 2) & 0x3333_3333) | ((r & 0x3333_3333) << 2);
  r = ((r >>> 4) & 0x0f0f_0f0f) | ((r & 0x0f0f_0f0f) << 4);
  r = ((r >>> 8) & 0x00ff_00ff) | ((r & 0x00ff_00ff) << 8);
  return (r >>> 16) | (r << 16);
}

function swapBytes32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff_0000) | (v << 24)) | 0;
}

function swapHalves16(v: number): number {
  return (((v >>> 8) & 0x00ff_00ff) | ((v & 0x00ff_00ff) << 8)) | 0;
}

/** RBIT, REV16, REV32, REV, CLZ, CLS (op.variant 0–5). */
export const oneSource: A64Handler = (s, op) => {
  const x = s.x;
  const n = op.src1;
  const lo = x[n]!;
  const hi = x[n + 1]!;
  const d = op.dest;
  if ((op.flags & WIDE) === 0) {
    let r: number;
    switch (op.variant) {
      case 0:
        r = reverseBits32(lo);
        break;
      case 1:
        r = swapHalves16(lo);
        break;
      case 2:
        r = swapBytes32(lo);
        break;
      case 4:
        r = Math.clz32(lo);
        break;
      default:
        r = Math.clz32((lo ^ (lo << 1)) | 1);
    }
    x[d] = r;
    x[d + 1] = 0;
    return RETIRED;
  }
  switch (op.variant) {
    case 0:
      x[d] = reverseBits32(hi);
      x[d + 1] = reverseBits32(lo);
      break;
    case 1:
      x[d] = swapHalves16(lo);
      x[d + 1] = swapHalves16(hi);
      break;
    case 2:
      x[d] = swapBytes32(lo);
      x[d + 1] = swapBytes32(hi);
      break;
    case 3:
      x[d] = swapBytes32(hi);
      x[d + 1] = swapBytes32(lo);
      break;
    case 4:
      x[d] = hi === 0 ? 32 + Math.clz32(lo) : Math.clz32(hi);
      x[d + 1] = 0;
      break;
    default: {
      // CLS = CLZ(x XOR (x << 1)) with the lowest bit forced: the count of bits after the top one that equal it.
      const shl = (hi << 1) | (lo >>> 31);
      const ylo = lo ^ (lo << 1);
      const yhi = hi ^ shl;
      x[d] = yhi === 0 ? 32 + Math.clz32(ylo | 1) : Math.clz32(yhi);
      x[d + 1] = 0;
    }
  }
  return RETIRED;
};

/** The (wmask, tmask) pair of DecodeBitMasks (immediate = FALSE) for the bitfield instructions, as word pairs. */
function bitfieldMasks(n: number, immr: number, imms: number, bits: number): [number, number, number, number] {
  const len = 31 - Math.clz32((n << 6) | (~imms & 0x3f));
  const levels = (1 << len) - 1;
  const sv = imms & levels;
  const rv = immr & levels;
  const diff = (sv - rv) & levels;
  const esize = 1 << len;
  const emask = (1n << BigInt(esize)) - 1n;
  const welem = (1n << BigInt(sv + 1)) - 1n;
  const telem = (1n << BigInt(diff + 1)) - 1n;
  const rotated = rv === 0 ? welem : ((welem >> BigInt(rv)) | (welem << BigInt(esize - rv))) & emask;
  let w = 0n;
  let t = 0n;
  for (let i = 0; i < bits; i += esize) {
    w |= rotated << BigInt(i);
    t |= telem << BigInt(i);
  }
  const word = (v: bigint, high: boolean): number => Number((high ? v >> 32n : v) & 0xffff_ffffn) | 0;
  return [word(w, false), word(w, true), word(t, false), word(t, true)];
}

function bigWords(value: bigint): [number, number] {
  const v = BigInt.asUintN(64, value);
  return [Number(v & 0xffff_ffffn) | 0, Number(v >> 32n) | 0];
}

function prepareAddSubImmediate(sub: number, flags: boolean): Prepare {
  return (op, f) => {
    wide(op, f);
    op.dest = flags ? destZr(f.rd!) : destSp(f.rd!);
    op.src1 = sourceSp(f.rn!);
    op.imm = f.imm12! << (f.sh === 1 ? 12 : 0);
    op.variant = sub;
    op.setFlags = flags;
    return addSubtractImmediate;
  };
}

function prepareLogicalImmediate(kind: number, flags: boolean): Prepare {
  return (op, f) => {
    const is64 = wide(op, f);
    op.dest = flags ? destZr(f.rd!) : destSp(f.rd!);
    op.src1 = sourceZr(f.rn!);
    const [lo, hi] = bigWords(decodeBitMask(f.n!, f.immr!, f.imms!, is64 ? 64 : 32)!);
    op.imm = lo;
    op.imm2 = is64 ? hi : 0;
    op.variant = kind;
    op.setFlags = flags;
    return logicalImmediate;
  };
}

function prepareMoveWide(invert: boolean): Prepare {
  return (op, f) => {
    const is64 = wide(op, f);
    op.dest = destZr(f.rd!);
    let value = BigInt(f.imm16!) << BigInt(16 * f.hw!);
    if (invert) value = ~value;
    if (!is64) value &= 0xffff_ffffn;
    [op.imm, op.imm2] = bigWords(value);
    return moveWide;
  };
}

function prepareBitfield(kind: number): Prepare {
  return (op, f) => {
    const is64 = wide(op, f);
    op.dest = destZr(f.rd!);
    op.src1 = sourceZr(f.rn!);
    const [wlo, whi, tlo, thi] = bitfieldMasks(f.n!, f.immr!, f.imms!, is64 ? 64 : 32);
    op.imm = wlo;
    op.imm2 = is64 ? whi : 0;
    op.src2 = tlo;
    op.src3 = is64 ? thi : 0;
    op.variant = f.immr! | (f.imms! << 8);
    op.cond = kind;
    return bitfieldMove;
  };
}

function prepareLogicalShifted(kind: number, invert: boolean, flags: boolean): Prepare {
  return (op, f) => {
    wide(op, f);
    op.dest = destZr(f.rd!);
    op.src1 = sourceZr(f.rn!);
    op.src2 = sourceZr(f.rm!);
    op.src3 = f.shift!;
    op.imm = f.imm6!;
    op.cond = invert ? 1 : 0;
    op.variant = kind;
    op.setFlags = flags;
    return logicalShifted;
  };
}

function prepareAddSubShifted(sub: number, flags: boolean): Prepare {
  return (op, f) => {
    wide(op, f);
    op.dest = destZr(f.rd!);
    op.src1 = sourceZr(f.rn!);
    op.src2 = sourceZr(f.rm!);
    op.imm2 = f.shift!;
    op.imm = f.imm6!;
    op.variant = sub;
    op.setFlags = flags;
    return addSubtractShifted;
  };
}

function prepareAddSubExtended(sub: number, flags: boolean): Prepare {
  return (op, f) => {
    wide(op, f);
    op.dest = flags ? destZr(f.rd!) : destSp(f.rd!);
    op.src1 = sourceSp(f.rn!);
    op.src2 = sourceZr(f.rm!);
    op.imm2 = f.option!;
    op.imm = f.imm3!;
    op.variant = sub;
    op.setFlags = flags;
    return addSubtractExtended;
  };
}

function prepareCarry(sub: number, flags: boolean): Prepare {
  return (op, f) => {
    wide(op, f);
    op.dest = destZr(f.rd!);
    op.src1 = sourceZr(f.rn!);
    op.src2 = sourceZr(f.rm!);
    op.variant = sub;
    op.setFlags = flags;
    return addSubtractCarry;
  };
}

function prepareConditionalCompare(sub: number, immediate: boolean): Prepare {
  return (op, f) => {
    wide(op, f);
    op.src1 = sourceZr(f.rn!);
    op.src2 = immediate ? -1 : sourceZr(f.rm!);
    op.imm = immediate ? f.imm5! : 0;
    op.imm2 = f.nzcv!;
    op.cond = f.cond!;
    op.variant = sub;
    return conditionalCompare;
  };
}

function prepareSelect(kind: number): Prepare {
  return (op, f) => {
    wide(op, f);
    op.dest = destZr(f.rd!);
    op.src1 = sourceZr(f.rn!);
    op.src2 = sourceZr(f.rm!);
    op.cond = f.cond!;
    op.variant = kind;
    return conditionalSelect;
  };
}

function prepareThreeSource(handler: A64Handler, variant: number, long: boolean): Prepare {
  return (op, f) => {
    if (!long) wide(op, f);
    else op.flags |= WIDE;
    op.dest = destZr(f.rd!);
    op.src1 = sourceZr(f.rn!);
    op.src2 = sourceZr(f.rm!);
    op.src3 = f.ra === undefined ? 0 : sourceZr(f.ra);
    op.variant = variant;
    return handler;
  };
}

function prepareTwoSource(handler: A64Handler, variant: number): Prepare {
  return (op, f) => {
    wide(op, f);
    op.dest = destZr(f.rd!);
    op.src1 = sourceZr(f.rn!);
    op.src2 = sourceZr(f.rm!);
    op.variant = variant;
    return handler;
  };
}

function prepareOneSource(variant: number): Prepare {
  return (op, f) => {
    wide(op, f);
    op.dest = destZr(f.rd!);
    op.src1 = sourceZr(f.rn!);
    op.variant = variant;
    return oneSource;
  };
}

/** ADR: the byte offset from the instruction; ADRP: the page offset from its page (C6.2.10, C6.2.11). */
function prepareAdr(page: boolean): Prepare {
  return (op, f) => {
    op.flags |= WIDE;
    op.dest = destZr(f.rd!);
    const offset = (((f.immhi! << 2) | f.immlo!) << 11) >> 11;
    const target = page ? Math.floor(op.address / 4096) * 4096 + offset * 4096 : op.address + offset;
    [op.imm, op.imm2] = bigWords(BigInt(target));
    return addressOf;
  };
}

/** Handlers of this family by table row name. */
export const DATA_PROCESSING_SEMANTICS: Readonly<Record<string, Prepare>> = {
  ADR: prepareAdr(false),
  ADRP: prepareAdr(true),
  ADD_IMM: prepareAddSubImmediate(0, false),
  ADDS_IMM: prepareAddSubImmediate(0, true),
  SUB_IMM: prepareAddSubImmediate(1, false),
  SUBS_IMM: prepareAddSubImmediate(1, true),
  AND_IMM: prepareLogicalImmediate(0, false),
  ORR_IMM: prepareLogicalImmediate(1, false),
  EOR_IMM: prepareLogicalImmediate(2, false),
  ANDS_IMM: prepareLogicalImmediate(0, true),
  MOVN: prepareMoveWide(true),
  MOVZ: prepareMoveWide(false),
  MOVK: (op, f) => {
    wide(op, f);
    op.dest = destZr(f.rd!);
    op.imm = f.imm16!;
    op.variant = 16 * f.hw!;
    return moveKeep;
  },
  SBFM: prepareBitfield(0),
  BFM: prepareBitfield(1),
  UBFM: prepareBitfield(2),
  EXTR: (op, f) => {
    wide(op, f);
    op.dest = destZr(f.rd!);
    op.src1 = sourceZr(f.rn!);
    op.src2 = sourceZr(f.rm!);
    op.imm = f.imms!;
    return extract;
  },
  AND_SHIFT: prepareLogicalShifted(0, false, false),
  BIC_SHIFT: prepareLogicalShifted(0, true, false),
  ORR_SHIFT: prepareLogicalShifted(1, false, false),
  ORN_SHIFT: prepareLogicalShifted(1, true, false),
  EOR_SHIFT: prepareLogicalShifted(2, false, false),
  EON_SHIFT: prepareLogicalShifted(2, true, false),
  ANDS_SHIFT: prepareLogicalShifted(0, false, true),
  BICS_SHIFT: prepareLogicalShifted(0, true, true),
  ADD_SHIFT: prepareAddSubShifted(0, false),
  ADDS_SHIFT: prepareAddSubShifted(0, true),
  SUB_SHIFT: prepareAddSubShifted(1, false),
  SUBS_SHIFT: prepareAddSubShifted(1, true),
  ADD_EXT: prepareAddSubExtended(0, false),
  ADDS_EXT: prepareAddSubExtended(0, true),
  SUB_EXT: prepareAddSubExtended(1, false),
  SUBS_EXT: prepareAddSubExtended(1, true),
  ADC: prepareCarry(0, false),
  ADCS: prepareCarry(0, true),
  SBC: prepareCarry(1, false),
  SBCS: prepareCarry(1, true),
  CCMN_REG: prepareConditionalCompare(0, false),
  CCMP_REG: prepareConditionalCompare(1, false),
  CCMN_IMM: prepareConditionalCompare(0, true),
  CCMP_IMM: prepareConditionalCompare(1, true),
  CSEL: prepareSelect(0),
  CSINC: prepareSelect(1),
  CSINV: prepareSelect(2),
  CSNEG: prepareSelect(3),
  MADD: prepareThreeSource(multiplyAdd, 0, false),
  MSUB: prepareThreeSource(multiplyAdd, 1, false),
  SMADDL: prepareThreeSource(multiplyAddLong, 2, true),
  SMSUBL: prepareThreeSource(multiplyAddLong, 3, true),
  UMADDL: prepareThreeSource(multiplyAddLong, 0, true),
  UMSUBL: prepareThreeSource(multiplyAddLong, 1, true),
  SMULH: prepareThreeSource(multiplyHigh, 1, true),
  UMULH: prepareThreeSource(multiplyHigh, 0, true),
  UDIV: prepareTwoSource(divide, 0),
  SDIV: prepareTwoSource(divide, 1),
  LSLV: prepareTwoSource(shiftVariable, 0),
  LSRV: prepareTwoSource(shiftVariable, 1),
  ASRV: prepareTwoSource(shiftVariable, 2),
  RORV: prepareTwoSource(shiftVariable, 3),
  RBIT: prepareOneSource(0),
  REV16: prepareOneSource(1),
  REV32: (op, f) => {
    wide(op, f);
    op.dest = destZr(f.rd!);
    op.src1 = sourceZr(f.rn!);
    op.variant = 2;
    return oneSource;
  },
  REV: prepareOneSource(3),
  CLZ: prepareOneSource(4),
  CLS: prepareOneSource(5),
};
