/**
 * Fixed-point logical instructions (Power ISA v3.0B Book I 3.3.13): the
 * D-form immediates (andi., andis., ori, oris, xori, xoris), the X-form
 * register forms with Rc, sign extension and count leading zeros.
 *
 * Slots: dest = RA index (the target), src1 = RS index, src2 = RB index,
 * imm = the immediate already shifted into place (low word), variant = the
 * operation ({@link LogicalForm}) or the extension width, setFlags = Rc.
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import type { FieldValues } from '../../../src/isa/instruction-table.ts';
import { baseIndex, gprIndex, record, type Op, type PpcHandler, type Prepare } from './common.ts';
import { noOperation } from './system.ts';

// Plain constants for the hot switch (V8 folds these, not property loads of a const object).
const AND = 0;
const ANDC = 1;
const OR = 2;
const ORC = 3;
const XOR = 4;
const NOR = 5;
const NAND = 6;
const EQV = 7;

/** The X-form logical operations by `op.variant`. */
export const LogicalForm = {
  /** and. */
  and: AND,
  /** andc: RS & ¬RB. */
  andc: ANDC,
  /** or. */
  or: OR,
  /** orc: RS | ¬RB. */
  orc: ORC,
  /** xor. */
  xor: XOR,
  /** nor. */
  nor: NOR,
  /** nand. */
  nand: NAND,
  /** eqv: ¬(RS ⊕ RB). */
  eqv: EQV,
} as const;

/** xor with Rc = 0, the common case. */
export const xor: PpcHandler = (s, op) => {
  const g = s.gpr;
  g[op.dest] = g[op.src1]! ^ g[op.src2]!;
  g[op.dest + 1] = g[op.src1 + 1]! ^ g[op.src2 + 1]!;
  return RETIRED;
};

/** or with Rc = 0 (including mr). */
export const or: PpcHandler = (s, op) => {
  const g = s.gpr;
  g[op.dest] = g[op.src1]! | g[op.src2]!;
  g[op.dest + 1] = g[op.src1 + 1]! | g[op.src2 + 1]!;
  return RETIRED;
};

function combine(form: number, a: number, b: number): number {
  switch (form) {
    case AND:
      return a & b;
    case ANDC:
      return a & ~b;
    case OR:
      return a | b;
    case ORC:
      return a | ~b;
    case XOR:
      return a ^ b;
    case NOR:
      return ~(a | b);
    case NAND:
      return ~(a & b);
    default:
      return ~(a ^ b);
  }
}

/** Every X-form logical operation ({@link LogicalForm} in `variant`), with Rc. */
export const logical: PpcHandler = (s, op) => {
  const g = s.gpr;
  const hi = combine(op.variant, g[op.src1]!, g[op.src2]!);
  const lo = combine(op.variant, g[op.src1 + 1]!, g[op.src2 + 1]!);
  g[op.dest] = hi;
  g[op.dest + 1] = lo;
  if (op.setFlags) record(s, hi, lo);
  return RETIRED;
};

/** ori, oris (imm = UI or UI << 16): RA = RS | imm. nop is `ori 0, 0, 0` and is predecoded apart. */
export const orImmediate: PpcHandler = (s, op) => {
  const g = s.gpr;
  g[op.dest] = g[op.src1]!;
  g[op.dest + 1] = g[op.src1 + 1]! | op.imm;
  return RETIRED;
};

/** xori, xoris: RA = RS ^ imm. */
export const xorImmediate: PpcHandler = (s, op) => {
  const g = s.gpr;
  g[op.dest] = g[op.src1]!;
  g[op.dest + 1] = g[op.src1 + 1]! ^ op.imm;
  return RETIRED;
};

/** andi., andis.: RA = RS & imm (the high word becomes 0), always recording CR0. */
export const andImmediate: PpcHandler = (s, op) => {
  const g = s.gpr;
  const lo = g[op.src1 + 1]! & op.imm;
  g[op.dest] = 0;
  g[op.dest + 1] = lo;
  record(s, 0, lo);
  return RETIRED;
};

/** extsb, extsh, extsw (`variant` = 8, 16 or 32 bits). */
export const extendSign: PpcHandler = (s, op) => {
  const g = s.gpr;
  const shift = 32 - op.variant;
  const lo = shift === 0 ? g[op.src1 + 1]! : (g[op.src1 + 1]! << shift) >> shift;
  g[op.dest] = lo >> 31;
  g[op.dest + 1] = lo;
  if (op.setFlags) record(s, lo >> 31, lo);
  return RETIRED;
};

/** cntlzw (`variant` 32) and cntlzd (`variant` 64). */
export const countLeadingZeros: PpcHandler = (s, op) => {
  const g = s.gpr;
  const hi = g[op.src1]!;
  const lo = g[op.src1 + 1]!;
  const n = op.variant === 32 ? Math.clz32(lo) : hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
  g[op.dest] = 0;
  g[op.dest + 1] = n;
  if (op.setFlags) record(s, 0, n);
  return RETIRED;
};

/** Ones in each byte's bits, summed per byte (the popcntb step every population count starts from). */
function byteCounts(v: number): number {
  let x = v - ((v >>> 1) & 0x5555_5555);
  x = (x & 0x3333_3333) + ((x >>> 2) & 0x3333_3333);
  return (x + (x >>> 4)) & 0x0f0f_0f0f;
}

/** The sum of the four byte counts of a word. */
function wordCount(v: number): number {
  return Math.imul(byteCounts(v), 0x0101_0101) >>> 24;
}

/** popcntb (`variant` 8), popcntw (32) and popcntd (64) (Book I 3.3.13): ones counted per byte, word or doubleword. */
export const populationCount: PpcHandler = (s, op) => {
  const g = s.gpr;
  const hi = g[op.src1]!;
  const lo = g[op.src1 + 1]!;
  if (op.variant === 8) {
    g[op.dest] = byteCounts(hi);
    g[op.dest + 1] = byteCounts(lo);
  } else if (op.variant === 32) {
    g[op.dest] = wordCount(hi);
    g[op.dest + 1] = wordCount(lo);
  } else {
    g[op.dest] = 0;
    g[op.dest + 1] = wordCount(hi) + wordCount(lo);
  }
  return RETIRED;
};

/** Trailing zeros of a word (32 for zero). */
function trailingZeros(v: number): number {
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

/** cnttzw (`variant` 32) and cnttzd (`variant` 64) (v3.0, Book I 3.3.13). */
export const countTrailingZeros: PpcHandler = (s, op) => {
  const g = s.gpr;
  const hi = g[op.src1]!;
  const lo = g[op.src1 + 1]!;
  const n = op.variant === 32 || lo !== 0 ? trailingZeros(lo) : 32 + trailingZeros(hi);
  g[op.dest] = 0;
  g[op.dest + 1] = n;
  if (op.setFlags) record(s, 0, n);
  return RETIRED;
};

/** 0xff in each byte of `a` equal to that byte of `b`, else 0. */
function equalBytes(a: number, b: number): number {
  let out = 0;
  for (let shift = 0; shift < 32; shift += 8) if (((a >>> shift) & 0xff) === ((b >>> shift) & 0xff)) out |= 0xff << shift;
  return out | 0;
}

/** cmpb (Book I 3.3.13): RA byte i = 0xff when RS and RB agree in byte i, else 0x00. */
export const compareBytes: PpcHandler = (s, op) => {
  const g = s.gpr;
  const hi = equalBytes(g[op.src1]!, g[op.src2]!);
  const lo = equalBytes(g[op.src1 + 1]!, g[op.src2 + 1]!);
  g[op.dest] = hi;
  g[op.dest + 1] = lo;
  return RETIRED;
};

/**
 * isel (Book I 3.3.12): RT = CR[BC] ? (RA|0) : RB. Slots: dest = RT,
 * src1 = RA index (-1 for RA = 0), src2 = RB, imm = the CR bit's mask.
 */
export const integerSelect: PpcHandler = (s, op) => {
  const g = s.gpr;
  if ((s.cr & op.imm) !== 0) {
    g[op.dest] = op.src1 < 0 ? 0 : g[op.src1]!;
    g[op.dest + 1] = op.src1 < 0 ? 0 : g[op.src1 + 1]!;
  } else {
    g[op.dest] = g[op.src2]!;
    g[op.dest + 1] = g[op.src2 + 1]!;
  }
  return RETIRED;
};

function xForm(op: Op, f: FieldValues): void {
  op.dest = gprIndex(f.ra!);
  op.src1 = gprIndex(f.rs!);
  op.src2 = gprIndex(f.rb ?? 0);
  op.setFlags = f.rc === 1;
}

function logicalForm(form: number): Prepare {
  return (op, f) => {
    xForm(op, f);
    op.variant = form;
    if (!op.setFlags && form === LogicalForm.xor) return xor;
    if (!op.setFlags && form === LogicalForm.or) return or;
    return logical;
  };
}

function immediateForm(handler: PpcHandler, shift: number): Prepare {
  return (op, f) => {
    op.dest = gprIndex(f.ra!);
    op.src1 = gprIndex(f.rs!);
    op.imm = (f.ui! << shift) | 0;
    return handler;
  };
}

function unary(handler: PpcHandler, variant: number): Prepare {
  return (op, f) => {
    xForm(op, f);
    op.variant = variant;
    return handler;
  };
}

/** Handlers of this family by table row name. */
export const LOGICAL_SEMANTICS: Readonly<Record<string, Prepare>> = {
  AND: logicalForm(LogicalForm.and),
  ANDC: logicalForm(LogicalForm.andc),
  OR: logicalForm(LogicalForm.or),
  ORC: logicalForm(LogicalForm.orc),
  XOR: logicalForm(LogicalForm.xor),
  NOR: logicalForm(LogicalForm.nor),
  NAND: logicalForm(LogicalForm.nand),
  EQV: logicalForm(LogicalForm.eqv),
  ORI: (op, f) => (f.rs === 0 && f.ra === 0 && f.ui === 0 ? noOperation : immediateForm(orImmediate, 0)(op, f)),
  ORIS: immediateForm(orImmediate, 16),
  XORI: immediateForm(xorImmediate, 0),
  XORIS: immediateForm(xorImmediate, 16),
  ANDI_rec: immediateForm(andImmediate, 0),
  ANDIS_rec: immediateForm(andImmediate, 16),
  EXTSB: unary(extendSign, 8),
  EXTSH: unary(extendSign, 16),
  EXTSW: unary(extendSign, 32),
  CNTLZW: unary(countLeadingZeros, 32),
  CNTLZD: unary(countLeadingZeros, 64),
  CNTTZW: unary(countTrailingZeros, 32),
  CNTTZD: unary(countTrailingZeros, 64),
  POPCNTB: unary(populationCount, 8),
  POPCNTW: unary(populationCount, 32),
  POPCNTD: unary(populationCount, 64),
  CMPB: (op, f) => {
    xForm(op, f);
    return compareBytes;
  },
  ISEL: (op, f) => {
    op.dest = gprIndex(f.rt!);
    op.src1 = baseIndex(f.ra!);
    op.src2 = gprIndex(f.rb!);
    op.imm = (1 << (31 - f.bc!)) | 0;
    return integerSelect;
  },
};
