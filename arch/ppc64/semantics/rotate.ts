/**
 * Rotates and shifts (Power ISA v3.0B Book I 3.3.14): the word rotates
 * rlwinm, rlwnm and rlwimi (which rotate the low word replicated into both
 * halves, ROTL32), the doubleword rotates rldicl, rldicr, rldic, rldimi,
 * rldcl and rldcr, and the shifts slw, srw, sraw, srawi, sld, srd, srad and
 * sradi. The algebraic right shifts set CA and CA32 when the operand is
 * negative and 1-bits are shifted out.
 *
 * Slots: dest = RA index, src1 = RS index, src2 = RB index, imm = the
 * shift amount, imm2 / src3 = the low / high word of MASK(…) computed at
 * predecode, variant = {@link FROM_RB} | {@link INSERT}, setFlags = Rc.
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import type { FieldValues } from '../../../src/isa/instruction-table.ts';
import { gprIndex, mask64, record, resultHi, resultLo, rotl32, rotl64, type Op, type PpcHandler, type Prepare } from './common.ts';

/** `op.variant` bit: the rotate amount comes from RB rather than the instruction. */
export const FROM_RB = 1;
/** `op.variant` bit: insert under the mask (rlwimi, rldimi) rather than AND with it. */
export const INSERT = 2;

/** rlwinm, rlwnm, rlwimi: rotate the low word (replicated) and mask or insert. */
export const rotateWord: PpcHandler = (s, op) => {
  const g = s.gpr;
  const n = (op.variant & FROM_RB) !== 0 ? g[op.src2 + 1]! & 31 : op.imm;
  const r = rotl32(g[op.src1 + 1]!, n);
  let hi = r & op.src3;
  let lo = r & op.imm2;
  if ((op.variant & INSERT) !== 0) {
    hi |= g[op.dest]! & ~op.src3;
    lo |= g[op.dest + 1]! & ~op.imm2;
  }
  g[op.dest] = hi;
  g[op.dest + 1] = lo;
  if (op.setFlags) record(s, hi, lo);
  return RETIRED;
};

/** rldicl, rldicr, rldic, rldimi, rldcl, rldcr: rotate the doubleword and mask or insert. */
export const rotateDoubleword: PpcHandler = (s, op) => {
  const g = s.gpr;
  const n = (op.variant & FROM_RB) !== 0 ? g[op.src2 + 1]! & 63 : op.imm;
  rotl64(g[op.src1]!, g[op.src1 + 1]!, n);
  let hi = resultHi & op.src3;
  let lo = resultLo & op.imm2;
  if ((op.variant & INSERT) !== 0) {
    hi |= g[op.dest]! & ~op.src3;
    lo |= g[op.dest + 1]! & ~op.imm2;
  }
  g[op.dest] = hi;
  g[op.dest + 1] = lo;
  if (op.setFlags) record(s, hi, lo);
  return RETIRED;
};

// Plain constants for the hot switch.
const SLW = 0;
const SRW = 1;
const SRAW = 2;
const SLD = 3;
const SRD = 4;
const SRAD = 5;

/** The shifts by `op.src3`. */
export const ShiftForm = {
  /** slw: RB[58:63]. */
  slw: SLW,
  /** srw. */
  srw: SRW,
  /** sraw and srawi. */
  sraw: SRAW,
  /** sld: RB[57:63]. */
  sld: SLD,
  /** srd. */
  srd: SRD,
  /** srad and sradi. */
  srad: SRAD,
} as const;

/**
 * The shifts ({@link ShiftForm} in `src3`); the amount comes from RB, or
 * from `imm` for srawi and sradi (variant without {@link FROM_RB}).
 */
export const shift: PpcHandler = (s, op) => {
  const g = s.gpr;
  const form = op.src3;
  const word = form <= SRAW;
  const n = (op.variant & FROM_RB) !== 0 ? g[op.src2 + 1]! & (word ? 63 : 127) : op.imm;
  const sHi = g[op.src1]!;
  const sLo = g[op.src1 + 1]!;
  let hi = 0;
  let lo = 0;
  switch (form) {
    case SLW:
      lo = n < 32 ? sLo << n : 0;
      break;
    case SRW:
      lo = n < 32 ? sLo >>> n : 0;
      break;
    case SRAW: {
      lo = n < 32 ? sLo >> n : sLo >> 31;
      hi = lo >> 31;
      // CA: the source word is negative and a 1-bit was shifted out (Book I 3.3.14.2, "sraw").
      const lost = n === 0 ? 0 : n < 32 ? sLo & ((1 << n) - 1) : sLo;
      const ca = sLo < 0 && lost !== 0 ? 1 : 0;
      s.ca = ca;
      s.ca32 = ca;
      break;
    }
    case SLD:
      if (n < 32) {
        hi = n === 0 ? sHi : (sHi << n) | (sLo >>> (32 - n));
        lo = n === 0 ? sLo : sLo << n;
      } else if (n < 64) hi = sLo << (n - 32);
      break;
    case SRD:
      if (n < 32) {
        lo = n === 0 ? sLo : (sLo >>> n) | (sHi << (32 - n));
        hi = n === 0 ? sHi : sHi >>> n;
      } else if (n < 64) lo = sHi >>> (n - 32);
      break;
    default: {
      let lost: number;
      if (n < 32) {
        lo = n === 0 ? sLo : (sLo >>> n) | (sHi << (32 - n));
        hi = sHi >> n;
        lost = n === 0 ? 0 : sLo & ((1 << n) - 1);
      } else if (n < 64) {
        lo = sHi >> (n - 32);
        hi = sHi >> 31;
        lost = sLo | (sHi & ((1 << (n - 32)) - 1));
      } else {
        lo = sHi >> 31;
        hi = lo;
        lost = sHi | sLo;
      }
      const ca = sHi < 0 && lost !== 0 ? 1 : 0;
      s.ca = ca;
      s.ca32 = ca;
    }
  }
  g[op.dest] = hi;
  g[op.dest + 1] = lo;
  if (op.setFlags) record(s, hi, lo);
  return RETIRED;
};

function common(op: Op, f: FieldValues): void {
  op.dest = gprIndex(f.ra!);
  op.src1 = gprIndex(f.rs!);
  op.src2 = gprIndex(f.rb ?? 0);
  op.setFlags = f.rc === 1;
}

function setMask(op: Op, mb: number, me: number): void {
  const mask = mask64(mb, me);
  op.src3 = mask.hi;
  op.imm2 = mask.lo;
}

function six(f: FieldValues, high: string, low: string): number {
  return (f[high]! << 5) | f[low]!;
}

/** A word rotate: the mask is MASK(mb + 32, me + 32). */
function wordRotate(variant: number): Prepare {
  return (op, f) => {
    common(op, f);
    op.imm = f.sh ?? 0;
    op.variant = variant;
    setMask(op, f.mb! + 32, f.me! + 32);
    return rotateWord;
  };
}

/** A doubleword rotate; `bounds` gives (mb, me) of the mask from the shift and the mask field. */
function doublewordRotate(variant: number, bounds: (sh: number, field: number) => [number, number], maskField: 'mb' | 'me'): Prepare {
  return (op, f) => {
    common(op, f);
    const sh = (variant & FROM_RB) !== 0 ? 0 : six(f, 'shh', 'shl');
    const field = six(f, `${maskField}h`, `${maskField}l`);
    op.imm = sh;
    op.variant = variant;
    const [mb, me] = bounds(sh, field);
    setMask(op, mb, me);
    return rotateDoubleword;
  };
}

function shiftForm(form: number, amount: 'rb' | 'sh' | 'sh6'): Prepare {
  return (op, f) => {
    common(op, f);
    op.src3 = form;
    op.variant = amount === 'rb' ? FROM_RB : 0;
    op.imm = amount === 'sh' ? f.sh! : amount === 'sh6' ? six(f, 'shh', 'shl') : 0;
    return shift;
  };
}

/** Handlers of this family by table row name. */
export const ROTATE_SEMANTICS: Readonly<Record<string, Prepare>> = {
  RLWINM: wordRotate(0),
  RLWNM: wordRotate(FROM_RB),
  RLWIMI: wordRotate(INSERT),
  RLDICL: doublewordRotate(0, (_sh, mb) => [mb, 63], 'mb'),
  RLDICR: doublewordRotate(0, (_sh, me) => [0, me], 'me'),
  RLDIC: doublewordRotate(0, (sh, mb) => [mb, 63 - sh], 'mb'),
  RLDIMI: doublewordRotate(INSERT, (sh, mb) => [mb, 63 - sh], 'mb'),
  RLDCL: doublewordRotate(FROM_RB, (_sh, mb) => [mb, 63], 'mb'),
  RLDCR: doublewordRotate(FROM_RB, (_sh, me) => [0, me], 'me'),
  SLW: shiftForm(ShiftForm.slw, 'rb'),
  SRW: shiftForm(ShiftForm.srw, 'rb'),
  SRAW: shiftForm(ShiftForm.sraw, 'rb'),
  SRAWI: shiftForm(ShiftForm.sraw, 'sh'),
  SLD: shiftForm(ShiftForm.sld, 'rb'),
  SRD: shiftForm(ShiftForm.srd, 'rb'),
  SRAD: shiftForm(ShiftForm.srad, 'rb'),
  SRADI: shiftForm(ShiftForm.srad, 'sh6'),
};
