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

import { RETIRED, type ExceptionReturn, type StepResult } from '../../../src/interp/step-result.ts';
import { expandModifiedImmediate } from '../operands.ts';
import { Mode, type Arm32State } from '../registers.ts';
import { DATA_PROCESSING_OPS } from '../table.ts';
import { shifterCarry, shiftImmediate, shiftRegister, undefinedInstruction, unpredictableHandler, writesPc, type A32Handler, type Op, type Prepare } from './common.ts';

const AND = 0;
const EOR = 1;
const SUB = 2;
const RSB = 3;
const ADD = 4;
const ADC = 5;
const SBC = 6;
const RSC = 7;
const TST = 8;
const TEQ = 9;
const CMP = 10;
const CMN = 11;
const ORR = 12;
const MOV = 13;
const BIC = 14;

/** AddWithCarry (ARM ARM A2.2.1); sets N, Z, C and V when `setFlags`. */
function addWithCarry(s: Arm32State, a: number, b: number, carryIn: number, setFlags: boolean): number {
  const sum = a + b + carryIn;
  const result = sum >>> 0;
  if (setFlags) {
    s.n = result >>> 31;
    s.z = result === 0 ? 1 : 0;
    s.c = sum > 0xffff_ffff ? 1 : 0;
    s.v = ((a ^ result) & (b ^ result)) >>> 31;
  }
  return result;
}

function logical(s: Arm32State, result: number, setFlags: boolean, carry: number): number {
  if (setFlags) {
    s.n = result >>> 31;
    s.z = result === 0 ? 1 : 0;
    s.c = carry;
  }
  return result >>> 0;
}

/** The ALU proper: `a` is Rn, `b` the shifted operand, `carry` the shifter's carry-out. */
function alu(s: Arm32State, op: Op, a: number, b: number, carry: number): StepResult {
  const flags = op.setFlags;
  const r = s.r;
  switch (op.variant) {
    case AND:
      r[op.dest] = logical(s, a & b, flags, carry);
      break;
    case EOR:
      r[op.dest] = logical(s, a ^ b, flags, carry);
      break;
    case SUB:
      r[op.dest] = addWithCarry(s, a, ~b >>> 0, 1, flags);
      break;
    case RSB:
      r[op.dest] = addWithCarry(s, ~a >>> 0, b, 1, flags);
      break;
    case ADD:
      r[op.dest] = addWithCarry(s, a, b, 0, flags);
      break;
    case ADC:
      r[op.dest] = addWithCarry(s, a, b, s.c, flags);
      break;
    case SBC:
      r[op.dest] = addWithCarry(s, a, ~b >>> 0, s.c, flags);
      break;
    case RSC:
      r[op.dest] = addWithCarry(s, ~a >>> 0, b, s.c, flags);
      break;
    case TST:
      logical(s, a & b, true, carry);
      break;
    case TEQ:
      logical(s, a ^ b, true, carry);
      break;
    case CMP:
      addWithCarry(s, a, ~b >>> 0, 1, true);
      break;
    case CMN:
      addWithCarry(s, a, b, 0, true);
      break;
    case ORR:
      r[op.dest] = logical(s, a | b, flags, carry);
      break;
    case MOV:
      r[op.dest] = logical(s, b, flags, carry);
      break;
    case BIC:
      r[op.dest] = logical(s, a & ~b, flags, carry);
      break;
    default:
      r[op.dest] = logical(s, ~b, flags, carry);
      break;
  }
  return RETIRED;
}

/** Rn op #imm. */
const dataProcessingImmediate: A32Handler = (s, op) => alu(s, op, s.r[op.src1]!, op.imm, op.imm2 < 0 ? s.c : op.imm2);

/** Rn op (Rm shift #n). */
const dataProcessingRegister: A32Handler = (s, op) => {
  const b = shiftImmediate(s.r[op.src2]!, op.imm2, op.imm, s.c);
  return alu(s, op, s.r[op.src1]!, b, shifterCarry);
};

/** Rn op (Rm shift Rs). */
const dataProcessingShiftedRegister: A32Handler = (s, op) => {
  const b = shiftRegister(s.r[op.src2]!, op.imm2, s.r[op.src3]! & 0xff, s.c);
  return alu(s, op, s.r[op.src1]!, b, shifterCarry);
};

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
    op.variant = opcode;
    op.dest = compare ? 0 : f.rd!;
    op.src1 = f.rn ?? 0;
    op.setFlags = compare || f.s === 1;
    let handler: A32Handler;
    if (form === 'imm') {
      op.imm = expandModifiedImmediate(f.imm12!);
      op.imm2 = (f.imm12! >>> 8) === 0 ? -1 : op.imm >>> 31;
      handler = dataProcessingImmediate;
    } else if (form === 'reg') {
      op.src2 = f.rm!;
      op.imm = f.imm5!;
      op.imm2 = f.type!;
      handler = dataProcessingRegister;
    } else {
      if (f.rd === 15 || f.rn === 15 || f.rm === 15 || f.rs === 15) return unpredictableHandler('register-shifted register forms may not use the PC');
      op.src2 = f.rm!;
      op.src3 = f.rs!;
      op.imm2 = f.type!;
      handler = dataProcessingShiftedRegister;
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
const moveWide: A32Handler = (s, op) => {
  s.r[op.dest] = op.imm;
  return RETIRED;
};

/** MOVT: Rd[31:16] = imm16. */
const moveTop: A32Handler = (s, op) => {
  s.r[op.dest] = ((op.imm << 16) | (s.r[op.dest]! & 0xffff)) >>> 0;
  return RETIRED;
};

/** MUL / MLA: Rd = Rn * Rm (+ Ra); S sets N and Z only (ARM ARM A8.8.114). */
const multiply: A32Handler = (s, op) => {
  const r = s.r;
  const result = (Math.imul(r[op.src1]!, r[op.src2]!) + (op.variant === 1 ? r[op.src3]! : 0)) >>> 0;
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
