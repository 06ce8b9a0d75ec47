/**
 * Fixed-point compares (Power ISA v3.0B Book I 3.3.10): cmp, cmpl, cmpi and
 * cmpli. L = 0 compares the low words (sign- or zero-extended), L = 1 the
 * doublewords; the result (LT, GT, EQ, and a copy of XER[SO]) goes to CR
 * field BF.
 *
 * Slots: src1 = RA index, src2 = RB index, imm / imm2 = the low / high
 * word of the immediate operand (cmpi: EXTS(SI); cmpli: UI), src3 = the
 * shift of field BF in the CR, variant = {@link DOUBLEWORD} |
 * {@link UNSIGNED} | {@link IMMEDIATE}.
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import { CR_EQ, CR_GT, CR_LT, gprIndex, signExtend, type PpcHandler, type Prepare } from './common.ts';

/** `op.variant` bit: L = 1, compare doublewords. */
export const DOUBLEWORD = 1;
/** `op.variant` bit: a logical (unsigned) compare. */
export const UNSIGNED = 2;
/** `op.variant` bit: the second operand is the immediate. */
export const IMMEDIATE = 4;

/** LT, GT or EQ of two int32 values, signed or unsigned. */
function order(a: number, b: number, unsigned: boolean): number {
  if (a === b) return CR_EQ;
  if (unsigned) return a >>> 0 < b >>> 0 ? CR_LT : CR_GT;
  return a < b ? CR_LT : CR_GT;
}

/** Every compare (the kind in `variant`). */
export const compare: PpcHandler = (s, op) => {
  const g = s.gpr;
  const immediate = (op.variant & IMMEDIATE) !== 0;
  const unsigned = (op.variant & UNSIGNED) !== 0;
  const aLo = g[op.src1 + 1]!;
  const bLo = immediate ? op.imm : g[op.src2 + 1]!;
  let c: number;
  if ((op.variant & DOUBLEWORD) !== 0) {
    const aHi = g[op.src1]!;
    const bHi = immediate ? op.imm2 : g[op.src2]!;
    c = aHi !== bHi ? order(aHi, bHi, unsigned) : order(aLo, bLo, true);
  } else {
    c = order(aLo, bLo, unsigned);
  }
  const shift = op.src3;
  s.cr = (s.cr & ~(0xf << shift)) | ((c | s.so) << shift);
  return RETIRED;
};

function prepare(variant: number): Prepare {
  return (op, f) => {
    op.src1 = gprIndex(f.ra!);
    op.src2 = gprIndex(f.rb ?? 0);
    op.src3 = 28 - 4 * f.bf!;
    op.variant = variant | f.l!;
    if ((variant & IMMEDIATE) !== 0) {
      op.imm = (variant & UNSIGNED) !== 0 ? f.ui! : signExtend(f.si!, 16);
      op.imm2 = op.imm >> 31;
    }
    return compare;
  };
}

/** Handlers of this family by table row name. */
export const COMPARE_SEMANTICS: Readonly<Record<string, Prepare>> = {
  CMP: prepare(0),
  CMPL: prepare(UNSIGNED),
  CMPI: prepare(IMMEDIATE),
  CMPLI: prepare(UNSIGNED | IMMEDIATE),
};
