/**
 * Fixed-point arithmetic (Power ISA v3.0B Book I 3.3.9): add and subtract
 * with and without carries, negate, multiply and divide, in their D- and
 * XO-forms. OE = 1 sets XER[OV], XER[OV32] and XER[SO]; Rc = 1 sets CR0.
 * OV32 (v3.0, Book I 3.2.2 and 3.3.9): the adds and subtracts set it from
 * the signed overflow of the low word, whatever the mode; the multiplies
 * and divides set it exactly as OV.
 *
 * Slots: dest = RT index, src1 = RA index (-1 for `(RA|0)` with RA = 0),
 * src2 = RB index, imm = the sign-extended immediate (shifted left 16 for
 * addis), variant = {@link RC} | {@link OE}, src3 = the operation
 * ({@link AddForm}, {@link MultiplyForm} or {@link DivideForm}).
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import type { FieldValues } from '../../../src/isa/instruction-table.ts';
import {
  add64,
  baseIndex,
  gprIndex,
  mul32,
  mul64,
  mulSigned32,
  record,
  resultHi,
  resultLo,
  setAddOverflow,
  setCarry,
  setOverflow,
  signExtend,
  toBig,
  writeBig,
  type Op,
  type PpcHandler,
  type Prepare,
} from './common.ts';

/** `op.variant` bit: Rc = 1, record CR0. */
export const RC = 1;
/** `op.variant` bit: OE = 1, record overflow. */
export const OE = 2;

// The forms of addRegisters, as plain constants: hot code compares against these
// (V8 folds module-level primitive constants, not property loads of a const object).
const ADD = 0;
const ADDC = 1;
const ADDE = 2;
const SUBF = 3;
const SUBFC = 4;
const SUBFE = 5;
const ADDZE = 6;
const SUBFZE = 7;
const NEG = 8;
const ADDME = 9;
const SUBFME = 10;

/** The operations {@link addRegisters} performs, by `op.src3`: (operand a, operand b, carry in, whether CA is set). */
export const AddForm = {
  /** add: RA + RB. */
  add: ADD,
  /** addc: RA + RB, sets CA. */
  addc: ADDC,
  /** adde: RA + RB + CA, sets CA. */
  adde: ADDE,
  /** subf: ¬RA + RB + 1. */
  subf: SUBF,
  /** subfc: ¬RA + RB + 1, sets CA. */
  subfc: SUBFC,
  /** subfe: ¬RA + RB + CA, sets CA. */
  subfe: SUBFE,
  /** addze: RA + CA, sets CA. */
  addze: ADDZE,
  /** subfze: ¬RA + CA, sets CA. */
  subfze: SUBFZE,
  /** neg: ¬RA + 1 (CA unchanged). */
  neg: NEG,
  /** addme: RA + CA - 1, sets CA. */
  addme: ADDME,
  /** subfme: ¬RA + CA - 1, sets CA. */
  subfme: SUBFME,
} as const;

const MULLD = 0;
const MULLW = 1;
const DIVD = 0;
const DIVDU = 1;
const DIVW = 2;
const DIVWU = 3;

/** The multiplies by `op.src3`. */
export const MultiplyForm = {
  /** mulld: the low doubleword of RA × RB. */
  mulld: MULLD,
  /** mullw: the 64-bit product of the low words. */
  mullw: MULLW,
} as const;

/** The divides by `op.src3`. */
export const DivideForm = {
  /** divd: signed doubleword. */
  divd: DIVD,
  /** divdu: unsigned doubleword. */
  divdu: DIVDU,
  /** divw: signed word. */
  divw: DIVW,
  /** divwu: unsigned word. */
  divwu: DIVWU,
} as const;

/** li / lis (addi, addis with RA = 0): RT = EXTS(immediate). */
export const loadImmediate: PpcHandler = (s, op) => {
  const g = s.gpr;
  g[op.dest] = op.imm >> 31;
  g[op.dest + 1] = op.imm;
  return RETIRED;
};

/**
 * addi / addis with RA ≠ 0: RT = RA + EXTS(immediate). The carry into the
 * high word is the unsigned wrap of the low word, so everything stays in
 * int32 arithmetic.
 */
export const addImmediate: PpcHandler = (s, op) => {
  const g = s.gpr;
  const a = g[op.src1 + 1]!;
  const imm = op.imm;
  const lo = (a + imm) | 0;
  g[op.dest + 1] = lo;
  g[op.dest] = (g[op.src1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
  return RETIRED;
};

/**
 * addic, addic.: RT = RA + EXTS(SI), setting CA and CA32 (and CR0 for
 * addic.). Written out rather than through {@link add64}: it is one of the
 * hot instructions of counting loops.
 */
export const addImmediateCarrying: PpcHandler = (s, op) => {
  const g = s.gpr;
  const a = g[op.src1 + 1]!;
  const aHi = g[op.src1]!;
  const imm = op.imm;
  const lo = (a + imm) | 0;
  const c32 = lo >>> 0 < a >>> 0 ? 1 : 0;
  const hi = (aHi + (imm >> 31) + c32) | 0;
  // Carry out of bit 0: adding 0xffffffff (negative SI) carries unless aHi and c32 are both 0; adding 0 carries only 0xffffffff + 1.
  const c64 = imm < 0 ? ((aHi | c32) !== 0 ? 1 : 0) : aHi === -1 && c32 === 1 ? 1 : 0;
  g[op.dest] = hi;
  g[op.dest + 1] = lo;
  s.ca32 = c32;
  s.ca = s.sf !== 0 ? c64 : c32;
  if (op.variant !== 0) record(s, hi, lo);
  return RETIRED;
};

/** subfic: RT = ¬RA + EXTS(SI) + 1, setting CA and CA32. */
export const subtractFromImmediate: PpcHandler = (s, op) => {
  const g = s.gpr;
  add64(~g[op.src1]!, ~g[op.src1 + 1]!, op.imm >> 31, op.imm, 1);
  g[op.dest] = resultHi;
  g[op.dest + 1] = resultLo;
  setCarry(s);
  return RETIRED;
};

/** mulli: RT = the low doubleword of RA × EXTS(SI). */
export const multiplyImmediate: PpcHandler = (s, op) => {
  const g = s.gpr;
  mul64(g[op.src1]!, g[op.src1 + 1]!, op.imm >> 31, op.imm);
  g[op.dest] = resultHi;
  g[op.dest + 1] = resultLo;
  return RETIRED;
};

/** add with neither OE nor Rc, the common case: RT = RA + RB. */
export const add: PpcHandler = (s, op) => {
  const g = s.gpr;
  const a = g[op.src1 + 1]!;
  const sum = (a >>> 0) + (g[op.src2 + 1]! >>> 0);
  g[op.dest + 1] = sum | 0;
  g[op.dest] = (g[op.src1]! + g[op.src2]! + (sum > 0xffff_ffff ? 1 : 0)) | 0;
  return RETIRED;
};

/** Every XO-form add and subtract ({@link AddForm} in `src3`), with OE and Rc. */
export const addRegisters: PpcHandler = (s, op) => {
  const g = s.gpr;
  const form = op.src3;
  const complement = form >= SUBF && form !== ADDZE && form !== ADDME;
  const aHi = complement ? ~g[op.src1]! : g[op.src1]!;
  const aLo = complement ? ~g[op.src1 + 1]! : g[op.src1 + 1]!;
  const unary = form >= ADDZE;
  // addme and subfme add the all-ones doubleword (-1) as the second operand.
  const minusOne = form >= ADDME ? -1 : 0;
  const bHi = unary ? minusOne : g[op.src2]!;
  const bLo = unary ? minusOne : g[op.src2 + 1]!;
  const carryIn = form === SUBF || form === SUBFC || form === NEG ? 1 : form === ADD || form === ADDC ? 0 : s.ca;
  add64(aHi, aLo, bHi, bLo, carryIn);
  const hi = resultHi;
  const lo = resultLo;
  g[op.dest] = hi;
  g[op.dest + 1] = lo;
  if (form !== ADD && form !== SUBF && form !== NEG) setCarry(s);
  if ((op.variant & OE) !== 0) setAddOverflow(s, aHi, aLo, bHi, bLo, hi, lo);
  if ((op.variant & RC) !== 0) record(s, hi, lo);
  return RETIRED;
};

/** mulld and mullw ({@link MultiplyForm} in `src3`). */
export const multiplyLow: PpcHandler = (s, op) => {
  const g = s.gpr;
  let hi: number;
  let lo: number;
  if (op.src3 === MULLW) {
    mulSigned32(g[op.src1 + 1]!, g[op.src2 + 1]!);
    hi = resultHi;
    lo = resultLo;
    // The product overflows 32 bits unless its high word is the low word's sign.
    if ((op.variant & OE) !== 0) {
      const ov = hi === lo >> 31 ? 0 : 1;
      setOverflow(s, ov, ov);
    }
  } else {
    mul64(g[op.src1]!, g[op.src1 + 1]!, g[op.src2]!, g[op.src2 + 1]!);
    hi = resultHi;
    lo = resultLo;
    if ((op.variant & OE) !== 0) {
      const exact = toBig(g[op.src1]!, g[op.src1 + 1]!, true) * toBig(g[op.src2]!, g[op.src2 + 1]!, true);
      const ov = exact === BigInt.asIntN(64, exact) ? 0 : 1;
      // mulldo (Book I 3.3.9): "OV and OV32 are set to 1 if the product cannot be represented in 64 bits".
      // One 64-bit overflow sets both; whether the product fits 32 bits does not matter.
      setOverflow(s, ov, ov);
    }
  }
  g[op.dest] = hi;
  g[op.dest + 1] = lo;
  if ((op.variant & RC) !== 0) record(s, hi, lo);
  return RETIRED;
};

/**
 * divd, divdu, divw, divwu ({@link DivideForm} in `src3`). Division by zero
 * and the one signed overflow (most negative ÷ -1) leave RT undefined in
 * the ISA (Book I 3.3.9), and CR0 LT/GT/EQ with it; hyplay writes the
 * dividend, as QEMU does (it divides by 1 instead), so that hyplay and QEMU
 * agree exactly in the differential test. The word forms leave RT[0:31]
 * undefined; hyplay writes 0 there, as QEMU does.
 */
export const divide: PpcHandler = (s, op) => {
  const g = s.gpr;
  const form = op.src3;
  let overflow = 0;
  if (form === DIVW || form === DIVWU) {
    const signed = form === DIVW;
    const a = g[op.src1 + 1]!;
    const b = g[op.src2 + 1]!;
    let q = a;
    if (b === 0 || (signed && a === -0x8000_0000 && b === -1)) overflow = 1;
    else q = signed ? (a / b) | 0 : ((a >>> 0) / (b >>> 0)) >>> 0;
    g[op.dest] = 0;
    g[op.dest + 1] = q | 0;
  } else {
    const signed = form === DIVD;
    const a = toBig(g[op.src1]!, g[op.src1 + 1]!, signed);
    const b = toBig(g[op.src2]!, g[op.src2 + 1]!, signed);
    let q = a;
    if (b === 0n || (signed && a === -(1n << 63n) && b === -1n)) overflow = 1;
    else q = a / b;
    writeBig(s, op.dest, q);
  }
  if ((op.variant & OE) !== 0) setOverflow(s, overflow, overflow);
  if ((op.variant & RC) !== 0) record(s, g[op.dest]!, g[op.dest + 1]!);
  return RETIRED;
};

const MULHD = 0;
const MULHDU = 1;
const MULHW = 2;
const MULHWU = 3;

/** The multiply-high forms by `op.src3`. */
export const MultiplyHighForm = {
  /** mulhd: the high doubleword of the signed 128-bit product. */
  mulhd: MULHD,
  /** mulhdu: the high doubleword of the unsigned 128-bit product. */
  mulhdu: MULHDU,
  /** mulhw: the high word of the signed 64-bit product of the low words. */
  mulhw: MULHW,
  /** mulhwu: the high word of the unsigned product. */
  mulhwu: MULHWU,
} as const;

/**
 * mulhd, mulhdu, mulhw, mulhwu (Book I 3.3.9). The word forms leave
 * RT[0:31] undefined, and with them CR0 LT/GT/EQ in 64-bit mode; hyplay
 * writes 0 there and records the doubleword, as QEMU does.
 */
export const multiplyHigh: PpcHandler = (s, op) => {
  const g = s.gpr;
  const form = op.src3;
  if (form === MULHW || form === MULHWU) {
    if (form === MULHW) mulSigned32(g[op.src1 + 1]!, g[op.src2 + 1]!);
    else mul32(g[op.src1 + 1]! >>> 0, g[op.src2 + 1]! >>> 0);
    g[op.dest] = 0;
    g[op.dest + 1] = resultHi;
  } else {
    const signed = form === MULHD;
    const product = toBig(g[op.src1]!, g[op.src1 + 1]!, signed) * toBig(g[op.src2]!, g[op.src2 + 1]!, signed);
    writeBig(s, op.dest, product >> 64n);
  }
  if ((op.variant & RC) !== 0) record(s, g[op.dest]!, g[op.dest + 1]!);
  return RETIRED;
};

/**
 * divde and divdeu (Book I 3.3.9): (RA || 64 zeros) ÷ RB. A quotient that
 * does not fit 64 bits, or a zero divisor, leaves RT undefined and sets OV
 * (with OE); hyplay writes 0, as QEMU does.
 */
export const divideExtended: PpcHandler = (s, op) => {
  const g = s.gpr;
  const signed = op.src3 === 0;
  const dividend = toBig(g[op.src1]!, g[op.src1 + 1]!, signed) << 64n;
  const divisor = toBig(g[op.src2]!, g[op.src2 + 1]!, signed);
  let quotient = 0n;
  let overflow = 1;
  if (divisor !== 0n) {
    const q = dividend / divisor;
    if (signed ? q === BigInt.asIntN(64, q) : q === BigInt.asUintN(64, q)) {
      quotient = q;
      overflow = 0;
    }
  }
  writeBig(s, op.dest, quotient);
  if ((op.variant & OE) !== 0) setOverflow(s, overflow, overflow);
  if ((op.variant & RC) !== 0) record(s, g[op.dest]!, g[op.dest + 1]!);
  return RETIRED;
};

/**
 * modsd, modud, modsw, moduw (v3.0, Book I 3.3.9; `src3` bit 0 = unsigned,
 * bit 1 = word). A zero divisor or most-negative modulo -1 leaves RT
 * undefined; hyplay writes 0, as QEMU does (it divides by 1). The word
 * forms' RT[0:31] is undefined too: the remainder is sign-extended (modsw)
 * or zero-extended (moduw) there, as in QEMU.
 */
export const modulo: PpcHandler = (s, op) => {
  const g = s.gpr;
  const unsigned = (op.src3 & 1) !== 0;
  const word = (op.src3 & 2) !== 0;
  const width = word ? 32 : 64;
  const read = (index: number): bigint => {
    const v = toBig(g[index]!, g[index + 1]!, false);
    return unsigned ? BigInt.asUintN(width, v) : BigInt.asIntN(width, v);
  };
  const a = read(op.src1);
  const b = read(op.src2);
  const invalid = b === 0n || (!unsigned && b === -1n && a === -(1n << BigInt(width - 1)));
  writeBig(s, op.dest, invalid ? 0n : a % b);
  return RETIRED;
};

function registers(op: Op, f: FieldValues): void {
  op.dest = gprIndex(f.rt!);
  op.src1 = gprIndex(f.ra!);
  op.src2 = gprIndex(f.rb ?? 0);
  op.variant = (f.rc ?? 0) | ((f.oe ?? 0) << 1);
}

function addForm(form: number): Prepare {
  return (op, f) => {
    registers(op, f);
    op.src3 = form;
    return form === AddForm.add && op.variant === 0 ? add : addRegisters;
  };
}

/** A register-form row whose handler picks its variant from `op.src3`. */
function registerForm(handler: PpcHandler, form: number): Prepare {
  return (op, f) => {
    registers(op, f);
    op.src3 = form;
    return handler;
  };
}

function immediate(op: Op, f: FieldValues, shift: number): void {
  op.dest = gprIndex(f.rt!);
  op.src1 = baseIndex(f.ra!);
  op.imm = signExtend(f.si!, 16) << shift;
}

/** Handlers of this family by table row name. */
export const ARITHMETIC_SEMANTICS: Readonly<Record<string, Prepare>> = {
  ADDI: (op, f) => {
    immediate(op, f, 0);
    return op.src1 < 0 ? loadImmediate : addImmediate;
  },
  ADDIS: (op, f) => {
    immediate(op, f, 16);
    return op.src1 < 0 ? loadImmediate : addImmediate;
  },
  ADDIC: (op, f) => {
    immediate(op, f, 0);
    op.src1 = gprIndex(f.ra!);
    return addImmediateCarrying;
  },
  ADDIC_rec: (op, f) => {
    immediate(op, f, 0);
    op.src1 = gprIndex(f.ra!);
    op.variant = RC;
    return addImmediateCarrying;
  },
  SUBFIC: (op, f) => {
    immediate(op, f, 0);
    op.src1 = gprIndex(f.ra!);
    return subtractFromImmediate;
  },
  MULLI: (op, f) => {
    immediate(op, f, 0);
    op.src1 = gprIndex(f.ra!);
    return multiplyImmediate;
  },
  ADD: addForm(AddForm.add),
  ADDC: addForm(AddForm.addc),
  ADDE: addForm(AddForm.adde),
  SUBF: addForm(AddForm.subf),
  SUBFC: addForm(AddForm.subfc),
  SUBFE: addForm(AddForm.subfe),
  ADDZE: addForm(AddForm.addze),
  SUBFZE: addForm(AddForm.subfze),
  NEG: addForm(AddForm.neg),
  MULLD: registerForm(multiplyLow, MultiplyForm.mulld),
  MULLW: registerForm(multiplyLow, MultiplyForm.mullw),
  DIVD: registerForm(divide, DivideForm.divd),
  DIVDU: registerForm(divide, DivideForm.divdu),
  DIVW: registerForm(divide, DivideForm.divw),
  DIVWU: registerForm(divide, DivideForm.divwu),
  ADDME: addForm(AddForm.addme),
  SUBFME: addForm(AddForm.subfme),
  MULHD: registerForm(multiplyHigh, MultiplyHighForm.mulhd),
  MULHDU: registerForm(multiplyHigh, MultiplyHighForm.mulhdu),
  MULHW: registerForm(multiplyHigh, MultiplyHighForm.mulhw),
  MULHWU: registerForm(multiplyHigh, MultiplyHighForm.mulhwu),
  DIVDE: registerForm(divideExtended, 0),
  DIVDEU: registerForm(divideExtended, 1),
  MODSD: registerForm(modulo, 0),
  MODUD: registerForm(modulo, 1),
  MODSW: registerForm(modulo, 2),
  MODUW: registerForm(modulo, 3),
};
