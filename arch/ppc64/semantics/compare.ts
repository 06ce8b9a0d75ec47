/**
 * Fixed-point compares (Power ISA v3.0B Book I 3.3.10): cmp, cmpl, cmpi and
 * cmpli; and the condition-register logical instructions and mcrf (Book I
 * 2.5.1), which a kernel's C code uses to combine compares. L = 0 compares the low words (sign- or zero-extended), L = 1 the
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

/** The CR logical operations by `op.variant`: bit a, bit b to the result bit (Book I 2.5.1). */
const CR_AND = 0;
const CR_OR = 1;
const CR_XOR = 2;
const CR_NAND = 3;
const CR_NOR = 4;
const CR_EQV = 5;
const CR_ANDC = 6;
const CR_ORC = 7;

/**
 * crand, cror, crxor, crnand, crnor, creqv, crandc, crorc (Book I 2.5.1):
 * CR bit BT = CR[BA] op CR[BB]. Slots: src1, src2, dest = the shifts of
 * bits BA, BB and BT in the CR word (31 - bit number).
 */
export const conditionLogical: PpcHandler = (s, op) => {
  const a = (s.cr >>> op.src1) & 1;
  const b = (s.cr >>> op.src2) & 1;
  let t: number;
  switch (op.variant) {
    case CR_AND:
      t = a & b;
      break;
    case CR_OR:
      t = a | b;
      break;
    case CR_XOR:
      t = a ^ b;
      break;
    case CR_NAND:
      t = (a & b) ^ 1;
      break;
    case CR_NOR:
      t = (a | b) ^ 1;
      break;
    case CR_EQV:
      t = a ^ b ^ 1;
      break;
    case CR_ANDC:
      t = a & (b ^ 1);
      break;
    default:
      t = a | (b ^ 1);
  }
  s.cr = (s.cr & ~(1 << op.dest)) | (t << op.dest);
  return RETIRED;
};

/** mcrf (Book I 2.5.1): CR field BF = CR field BFA. Slots: dest, src1 = the fields' shifts. */
export const moveConditionField: PpcHandler = (s, op) => {
  const field = (s.cr >>> op.src1) & 0xf;
  s.cr = (s.cr & ~(0xf << op.dest)) | (field << op.dest);
  return RETIRED;
};

function conditionForm(variant: number): Prepare {
  return (op, f) => {
    op.dest = 31 - f.bt!;
    op.src1 = 31 - f.ba!;
    op.src2 = 31 - f.bb!;
    op.variant = variant;
    return conditionLogical;
  };
}

/** Handlers of this family by table row name. */
export const COMPARE_SEMANTICS: Readonly<Record<string, Prepare>> = {
  CMP: prepare(0),
  CMPL: prepare(UNSIGNED),
  CMPI: prepare(IMMEDIATE),
  CMPLI: prepare(UNSIGNED | IMMEDIATE),
  CRAND: conditionForm(CR_AND),
  CROR: conditionForm(CR_OR),
  CRXOR: conditionForm(CR_XOR),
  CRNAND: conditionForm(CR_NAND),
  CRNOR: conditionForm(CR_NOR),
  CREQV: conditionForm(CR_EQV),
  CRANDC: conditionForm(CR_ANDC),
  CRORC: conditionForm(CR_ORC),
  MCRF: (op, f) => {
    op.dest = 28 - 4 * f.bf!;
    op.src1 = 28 - 4 * f.bfa!;
    return moveConditionField;
  },
};
