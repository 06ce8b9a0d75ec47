/**
 * A32 data processing (ARM ARM A5.2): the sixteen ALU operations in their
 * immediate, register and register-shifted-register forms, MOVW/MOVT, MUL and
 * MLA.
 *
 * Slots: dest = Rd, src1 = Rn, src2 = Rm, src3 = Rs, imm = immediate or shift
 * amount, imm2 = shift type (or the immediate's carry-out, -1 for "unchanged"),
 * variant = opcode.
 *
 * @module
 */

import { RETIRED, type ExceptionReturn } from '../../../src/interp/step-result.ts';
import { expandModifiedImmediate } from '../operands.ts';
import { Mode, type Arm32State } from '../registers.ts';
import { DATA_PROCESSING_OPS } from '../table.ts';
import { shifterCarry, shiftImmediate, shiftRegister, undefinedInstruction, unpredictableHandler, writesPc, type A32Handler, type Op, type Prepare } from './common.ts';

const TST = 8;
const CMN = 11;

/** The carry out of AddWithCarry(a, b, carryIn) (ARM ARM A2.2.1), for int32 operands: the unsigned sum does not fit in 32 bits. */
export function carryOfAdd(a: number, b: number, carryIn: number): number {
  return (a >>> 0) + (b >>> 0) + carryIn > 0xffff_ffff ? 1 : 0;
}

/** The overflow of AddWithCarry (ARM ARM A2.2.1) given its int32 `result`: the operands agree in sign and the result does not. */
export function overflowOfAdd(a: number, b: number, result: number): number {
  return ((a ^ result) & (b ^ result)) >>> 31;
}

/**
 * AddWithCarry (ARM ARM A2.2.1) on int32 operands; sets N, Z, C and V when
 * `setFlags`. Returns the int32 result (V8 keeps int32 unboxed).
 */
function addWithCarry(s: Arm32State, a: number, b: number, carryIn: number, setFlags: boolean): number {
  const result = (a + b + carryIn) | 0;
  if (!setFlags) return result;
  s.n = result >>> 31;
  s.z = result === 0 ? 1 : 0;
  s.c = carryOfAdd(a, b, carryIn);
  s.v = overflowOfAdd(a, b, result);
  return result;
}

function logical(s: Arm32State, result: number, setFlags: boolean, carry: number): number {
  if (setFlags) {
    s.n = result >>> 31;
    s.z = result === 0 ? 1 : 0;
    s.c = carry;
  }
  return result | 0;
}

/** `op.variant` of a data-processing op: how its second operand is formed (ARM ARM A5.2). */
export const OperandForm = {
  /** The modified immediate in `imm` (its carry-out in `imm2`, -1 for "C unchanged"). */
  immediate: 0,
  /** Rm (`src2`) shifted by an immediate (`imm`, type in `imm2`). */
  register: 1,
  /** Rm shifted by Rs[7:0] (`src3`, type in `imm2`). */
  shiftedRegister: 2,
  /** Rm with LSL #0: no shift at all, the commonest register form. */
  plainRegister: 3,
} as const;

const FORM_IMMEDIATE = OperandForm.immediate;
const FORM_REGISTER = OperandForm.register;
const FORM_SHIFTED_REGISTER = OperandForm.shiftedRegister;
const FORM_PLAIN_REGISTER = OperandForm.plainRegister;

/** The shifter's carry-out for the operand {@link operand2} just computed. */
let operandCarry = 0;

/**
 * The second operand by form (`op.variant`): the expanded immediate (its
 * carry-out precomputed in `imm2`, -1 for "C unchanged"), plain Rm, or Rm
 * shifted. Small, so that V8 inlines it into every handler.
 */
function operand2(s: Arm32State, op: Op): number {
  const form = op.variant;
  if (form === FORM_IMMEDIATE) {
    operandCarry = op.imm2 < 0 ? s.c : op.imm2;
    return op.imm;
  }
  if (form === FORM_PLAIN_REGISTER) {
    operandCarry = s.c;
    return s.r[op.src2]!;
  }
  return shiftedOperand(s, op);
}

/**
 * The second operand's value alone, for the arithmetic operations: their
 * flags come from the adder, so the shifter's carry-out is not needed.
 */
function operandValue(s: Arm32State, op: Op): number {
  const form = op.variant;
  if (form === FORM_IMMEDIATE) return op.imm;
  if (form === FORM_PLAIN_REGISTER) return s.r[op.src2]!;
  return shiftedOperand(s, op);
}

/** Rm shifted by an immediate or by Rs[7:0], with the shifter's carry-out. */
function shiftedOperand(s: Arm32State, op: Op): number {
  const value =
    op.variant === FORM_REGISTER ? shiftImmediate(s.r[op.src2]!, op.imm2, op.imm, s.c) : shiftRegister(s.r[op.src2]!, op.imm2, s.r[op.src3]! & 0xff, s.c);
  operandCarry = shifterCarry;
  return value;
}

// One handler per operation (each a separate function, so that V8 optimises
// each on its own); the form only changes how operand2 is fetched.

/** AND: Rd = Rn AND op2. */
export const andHandler: A32Handler = (s, op) => {
  const b = operand2(s, op);
  s.r[op.dest] = logical(s, s.r[op.src1]! & b, op.setFlags, operandCarry);
  return RETIRED;
};
/** EOR: Rd = Rn EOR op2. */
export const eorHandler: A32Handler = (s, op) => {
  const b = operand2(s, op);
  s.r[op.dest] = logical(s, s.r[op.src1]! ^ b, op.setFlags, operandCarry);
  return RETIRED;
};
/** SUB: Rd = Rn - op2. */
export const subHandler: A32Handler = (s, op) => {
  const b = operandValue(s, op);
  s.r[op.dest] = addWithCarry(s, s.r[op.src1]!, ~b, 1, op.setFlags);
  return RETIRED;
};
/** RSB: Rd = op2 - Rn. */
export const rsbHandler: A32Handler = (s, op) => {
  const b = operandValue(s, op);
  s.r[op.dest] = addWithCarry(s, ~s.r[op.src1]!, b, 1, op.setFlags);
  return RETIRED;
};
/** ADD: Rd = Rn + op2. */
export const addHandler: A32Handler = (s, op) => {
  const b = operandValue(s, op);
  s.r[op.dest] = addWithCarry(s, s.r[op.src1]!, b, 0, op.setFlags);
  return RETIRED;
};
/** ADC: Rd = Rn + op2 + C. */
export const adcHandler: A32Handler = (s, op) => {
  const b = operandValue(s, op);
  s.r[op.dest] = addWithCarry(s, s.r[op.src1]!, b, s.c, op.setFlags);
  return RETIRED;
};
/** SBC: Rd = Rn - op2 - NOT(C). */
export const sbcHandler: A32Handler = (s, op) => {
  const b = operandValue(s, op);
  s.r[op.dest] = addWithCarry(s, s.r[op.src1]!, ~b, s.c, op.setFlags);
  return RETIRED;
};
/** RSC: Rd = op2 - Rn - NOT(C). */
export const rscHandler: A32Handler = (s, op) => {
  const b = operandValue(s, op);
  s.r[op.dest] = addWithCarry(s, ~s.r[op.src1]!, b, s.c, op.setFlags);
  return RETIRED;
};
/** TST: flags of Rn AND op2. */
export const tstHandler: A32Handler = (s, op) => {
  const b = operand2(s, op);
  logical(s, s.r[op.src1]! & b, true, operandCarry);
  return RETIRED;
};
/** TEQ: flags of Rn EOR op2. */
export const teqHandler: A32Handler = (s, op) => {
  const b = operand2(s, op);
  logical(s, s.r[op.src1]! ^ b, true, operandCarry);
  return RETIRED;
};
/** CMP: flags of Rn - op2. */
export const cmpHandler: A32Handler = (s, op) => {
  const b = operandValue(s, op);
  addWithCarry(s, s.r[op.src1]!, ~b, 1, true);
  return RETIRED;
};
/** CMN: flags of Rn + op2. */
export const cmnHandler: A32Handler = (s, op) => {
  const b = operandValue(s, op);
  addWithCarry(s, s.r[op.src1]!, b, 0, true);
  return RETIRED;
};
/** ORR: Rd = Rn OR op2. */
export const orrHandler: A32Handler = (s, op) => {
  const b = operand2(s, op);
  s.r[op.dest] = logical(s, s.r[op.src1]! | b, op.setFlags, operandCarry);
  return RETIRED;
};
/** MOV: Rd = op2. */
export const movHandler: A32Handler = (s, op) => {
  const b = operand2(s, op);
  s.r[op.dest] = logical(s, b, op.setFlags, operandCarry);
  return RETIRED;
};
/** BIC: Rd = Rn AND NOT op2. */
export const bicHandler: A32Handler = (s, op) => {
  const b = operand2(s, op);
  s.r[op.dest] = logical(s, s.r[op.src1]! & ~b, op.setFlags, operandCarry);
  return RETIRED;
};
/** MVN: Rd = NOT op2. */
export const mvnHandler: A32Handler = (s, op) => {
  const b = operand2(s, op);
  s.r[op.dest] = logical(s, ~b, op.setFlags, operandCarry);
  return RETIRED;
};

/** The sixteen operation handlers in opcode order (ARM ARM A5.2.1). */
export const DATA_PROCESSING_HANDLERS: readonly A32Handler[] = [
  andHandler,
  eorHandler,
  subHandler,
  rsbHandler,
  addHandler,
  adcHandler,
  sbcHandler,
  rscHandler,
  tstHandler,
  teqHandler,
  cmpHandler,
  cmnHandler,
  orrHandler,
  movHandler,
  bicHandler,
  mvnHandler,
];

/**
 * The flag-setting forms with Rd = PC (`subs pc, lr, #4`, `movs pc, lr`):
 * an exception return (ARM ARM B9.3.20 ALUExceptionReturn). UNDEFINED in Hyp
 * mode; UNPREDICTABLE in usr and sys, where hyplay chooses UNDEFINED as QEMU
 * does.
 */
function aluExceptionReturn(base: A32Handler, instruction: string): A32Handler {
  return (s, op) => {
    if (s.mode === Mode.hyp) return undefinedInstruction(op, `${instruction} is UNDEFINED in Hyp mode`);
    if (s.mode === Mode.usr || s.mode === Mode.sys) return undefinedInstruction(op, `${instruction} in ${s.mode === Mode.usr ? 'usr' : 'sys'} mode (no SPSR)`);
    const result = base(s, op);
    if (result !== RETIRED) return result;
    const request: ExceptionReturn = { kind: 'return', instruction, address: op.address, target: s.r[15]! };
    return request;
  };
}

function prepareDataProcessing(opcode: number, form: 'imm' | 'reg' | 'rsr'): Prepare {
  const compare = opcode >= TST && opcode <= CMN;
  const mnemonic = DATA_PROCESSING_OPS[opcode]!;
  return (op, f) => {
    op.dest = compare ? 0 : f.rd!;
    op.src1 = f.rn ?? 0;
    op.setFlags = compare || f.s === 1;
    const handler = DATA_PROCESSING_HANDLERS[opcode]!;
    if (form === 'imm') {
      const value = expandModifiedImmediate(f.imm12!);
      op.variant = FORM_IMMEDIATE;
      op.imm = value | 0; // slots hold int32 so that V8 keeps them small integers
      op.imm2 = (f.imm12! >>> 8) === 0 ? -1 : value >>> 31;
    } else if (form === 'reg') {
      op.variant = f.imm5 === 0 && f.type === 0 ? FORM_PLAIN_REGISTER : FORM_REGISTER;
      op.src2 = f.rm!;
      op.imm = f.imm5!;
      op.imm2 = f.type!;
    } else {
      if (f.rd === 15 || f.rn === 15 || f.rm === 15 || f.rs === 15) return unpredictableHandler('register-shifted register forms may not use the PC');
      op.variant = FORM_SHIFTED_REGISTER;
      op.src2 = f.rm!;
      op.src3 = f.rs!;
      op.imm2 = f.type!;
    }
    if (compare || op.dest !== 15) return handler;
    if (op.setFlags) {
      // The flags come from the SPSR, not from the ALU.
      op.setFlags = false;
      return aluExceptionReturn(handler, `${mnemonic}s pc`);
    }
    return writesPc(handler);
  };
}

/** MOVW: Rd = imm16. */
export const moveWide: A32Handler = (s, op) => {
  s.r[op.dest] = op.imm;
  return RETIRED;
};

/** MOVT: Rd[31:16] = imm16. */
export const moveTop: A32Handler = (s, op) => {
  s.r[op.dest] = (op.imm << 16) | (s.r[op.dest]! & 0xffff);
  return RETIRED;
};

/** MUL / MLA: Rd = Rn * Rm (+ Ra); S sets N and Z only (ARM ARM A8.8.114). */
export const multiply: A32Handler = (s, op) => {
  const r = s.r;
  const result = (Math.imul(r[op.src1]!, r[op.src2]!) + (op.variant === 1 ? r[op.src3]! : 0)) | 0;
  r[op.dest] = result;
  if (op.setFlags) {
    s.n = result >>> 31;
    s.z = result === 0 ? 1 : 0;
  }
  return RETIRED;
};

function prepareMultiply(accumulate: boolean): Prepare {
  return (op, f) => {
    if (f.rd === 15 || f.rn === 15 || f.rm === 15 || (accumulate && f.ra === 15)) return unpredictableHandler('multiplies may not use the PC');
    op.dest = f.rd!;
    op.src1 = f.rn!;
    op.src2 = f.rm!;
    op.src3 = f.ra ?? 0;
    op.variant = accumulate ? 1 : 0;
    op.setFlags = f.s === 1;
    return multiply;
  };
}

function prepareMoveWide(top: boolean): Prepare {
  return (op, f) => {
    if (f.rd === 15) return unpredictableHandler(`${top ? 'MOVT' : 'MOVW'} to the PC`);
    op.dest = f.rd!;
    op.imm = f.imm16!;
    return top ? moveTop : moveWide;
  };
}

/** Handlers of this family by table row name. */
export const DATA_PROCESSING_SEMANTICS: Readonly<Record<string, Prepare>> = {
  ...Object.fromEntries(
    DATA_PROCESSING_OPS.flatMap((name, opcode) => [
      [`${name.toUpperCase()}_imm`, prepareDataProcessing(opcode, 'imm')],
      [`${name.toUpperCase()}_reg`, prepareDataProcessing(opcode, 'reg')],
      [`${name.toUpperCase()}_rsr`, prepareDataProcessing(opcode, 'rsr')],
    ]),
  ),
  MOVW: prepareMoveWide(false),
  MOVT: prepareMoveWide(true),
  MUL: prepareMultiply(false),
  MLA: prepareMultiply(true),
};
