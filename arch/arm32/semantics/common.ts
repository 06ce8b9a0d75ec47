/**
 * Helpers every A32 semantics family shares: conditions, shifts, PC writes,
 * and the guards named after the manual's rules.
 *
 * @module
 */

import type { DecodedOp, Handler } from '../../../src/interp/decoded-op.ts';
import { hexAddress, RETIRED, stop, type FetchFaultTrap, type StepResult, type UndefinedTrap } from '../../../src/interp/step-result.ts';
import type { GuestMemory } from '../../../src/memory/guest-memory.ts';
import type { FieldValues } from '../../../src/isa/instruction-table.ts';
import { Cp15, Mode, Psr, type Arm32State } from '../registers.ts';

/** A predecoded A32 instruction. */
export type Op = DecodedOp<Arm32State>;

/** An A32 instruction handler. */
export type A32Handler = Handler<Arm32State>;

/**
 * Fills an op's operand slots from the decoded fields and returns the
 * handler to run. One per table row, named after it.
 */
export type Prepare = (op: Op, fields: FieldValues) => A32Handler;

/** `op.flags` bit: the instruction reads r15, which must hold the instruction's address + 8 (ARM ARM A2.3). */
export const READS_PC = 1;

/**
 * ConditionPassed() (ARM ARM A8.3) on flag values (each 0 or 1): the one
 * definition, for the interpreter ({@link conditionPassed}) and translated
 * code alike.
 */
export function conditionHolds(cond: number, n: number, z: number, c: number, v: number): boolean {
  switch (cond) {
    case 0:
      return z === 1;
    case 1:
      return z === 0;
    case 2:
      return c === 1;
    case 3:
      return c === 0;
    case 4:
      return n === 1;
    case 5:
      return n === 0;
    case 6:
      return v === 1;
    case 7:
      return v === 0;
    case 8:
      return c === 1 && z === 0;
    case 9:
      return c === 0 || z === 1;
    case 10:
      return n === v;
    case 11:
      return n !== v;
    case 12:
      return z === 0 && n === v;
    case 13:
      return z === 1 || n !== v;
    default:
      return true;
  }
}

/** ConditionPassed() (ARM ARM A8.3) on the state's flags. */
export function conditionPassed(s: Arm32State, cond: number): boolean {
  return conditionHolds(cond, s.n, s.z, s.c, s.v);
}

/** Carry out of the last shift; a scratch value, read right after the shift that set it. */
export let shifterCarry = 0;

/** {@link shifterCarry}, for code that cannot import the binding (translated code calls the shifts through an object). */
export function lastShifterCarry(): number {
  return shifterCarry;
}

/**
 * Shift_C with an immediate amount as encoded (imm5; 0 means 32 for LSR/ASR
 * and RRX for ROR). ARM ARM A8.4.3. Takes and returns int32.
 */
export function shiftImmediate(value: number, type: number, imm5: number, carryIn: number): number {
  switch (type) {
    case 0:
      if (imm5 === 0) {
        shifterCarry = carryIn;
        return value;
      }
      shifterCarry = (value >>> (32 - imm5)) & 1;
      return value << imm5;
    case 1:
      if (imm5 === 0) {
        shifterCarry = value >>> 31;
        return 0;
      }
      shifterCarry = (value >>> (imm5 - 1)) & 1;
      return (value >>> imm5) | 0;
    case 2:
      if (imm5 === 0) {
        shifterCarry = value >>> 31;
        return value >> 31;
      }
      shifterCarry = (value >>> (imm5 - 1)) & 1;
      return value >> imm5;
    default:
      if (imm5 === 0) {
        shifterCarry = value & 1;
        return (carryIn << 31) | (value >>> 1);
      }
      shifterCarry = (value >>> (imm5 - 1)) & 1;
      return (value >>> imm5) | (value << (32 - imm5));
  }
}

/** Shift_C by a register amount (Rs[7:0], 0..255). ARM ARM A8.4.3. Takes and returns int32. */
export function shiftRegister(value: number, type: number, amount: number, carryIn: number): number {
  if (amount === 0) {
    shifterCarry = carryIn;
    return value;
  }
  switch (type) {
    case 0:
      if (amount < 32) return shiftImmediate(value, 0, amount, carryIn);
      shifterCarry = amount === 32 ? value & 1 : 0;
      return 0;
    case 1:
      if (amount < 32) return shiftImmediate(value, 1, amount, carryIn);
      shifterCarry = amount === 32 ? value >>> 31 : 0;
      return 0;
    case 2:
      if (amount < 32) return shiftImmediate(value, 2, amount, carryIn);
      shifterCarry = value >>> 31;
      return value >> 31;
    default: {
      const n = amount & 31;
      if (n === 0) {
        shifterCarry = value >>> 31;
        return value;
      }
      return shiftImmediate(value, 3, n, carryIn);
    }
  }
}

/**
 * Where a BX-style branch lands (BXWritePC / LoadWritePC / ALUWritePC in ARM
 * state, ARM ARM A2.3.1). An odd target selects Thumb state, and bit 1 set in
 * ARM state is UNPREDICTABLE; but the first thing the processor does at the
 * target is fetch, and if nothing is mapped there that fetch is a Prefetch
 * Abort whatever the state: hyplay takes it. Only a mapped Thumb target stops
 * with `thumb-unsupported` (Thumb is not modelled), and a mapped misaligned
 * ARM target with `unpredictable`.
 *
 * @param from address of the branching instruction (the PC on a stop).
 * @param what the instruction, for messages.
 */
export function branchTo(s: Arm32State, memory: GuestMemory, target: number, from: number, what: string): StepResult {
  const t = target >>> 0;
  const fetchAt = (t & 1) !== 0 ? (t & ~1) >>> 0 : t;
  if ((t & 3) !== 0 && !memory.isMapped(fetchAt)) {
    const fault: FetchFaultTrap = { kind: 'trap', cause: 'fetch-fault', address: fetchAt, next: fetchAt + 4 };
    return fault;
  }
  if ((t & 1) !== 0) {
    s.pc = t;
    return stop('thumb-unsupported', `${what} at ${hexAddress(from)} branches to ${hexAddress(t)}: an odd address selects Thumb state, which hyplay does not model`);
  }
  if ((t & 2) !== 0) {
    s.pc = from;
    return stop('unpredictable', `${what} at ${hexAddress(from)}: branch to ${hexAddress(t)}, which is not word-aligned in ARM state`);
  }
  s.pc = t;
  return RETIRED;
}

/** {@link branchTo} for an instruction's own branch. */
export function interworkingBranch(s: Arm32State, op: Op, target: number): StepResult {
  return branchTo(s, op.memory, target, op.address, op.name);
}

/** Stop with `unpredictable`, leaving the PC on the instruction. */
export function unpredictable(s: Arm32State, op: Op, why: string): StepResult {
  s.pc = op.address;
  return stop('unpredictable', `${op.name} at ${hexAddress(op.address)}: ${why}`);
}

/** An undefined-instruction trap for this op. */
export function undefinedInstruction(op: Op, reason: string): UndefinedTrap {
  return { kind: 'trap', cause: 'undefined', address: op.address, next: op.next, reason };
}

/** "… is UNDEFINED in User mode": PL0 is the usr mode. */
export function isUserMode(s: Arm32State): boolean {
  return s.mode === Mode.usr;
}

/** Handler that runs `inner` and then treats a write to r15 as an interworking branch. */
export function writesPc(inner: A32Handler): A32Handler {
  return (s, op) => {
    const result = inner(s, op);
    if (result !== RETIRED) return result;
    return interworkingBranch(s, op, s.r[15]!);
  };
}

/** A handler for an encoding whose use here is UNPREDICTABLE. */
export function unpredictableHandler(why: string): A32Handler {
  return (s, op) => unpredictable(s, op, why);
}

/** Two's-complement sign extension of the low `bits` bits. */
export function signExtend(value: number, bits: number): number {
  const shift = 32 - bits;
  return (value << shift) >> shift;
}

/**
 * CPSR.E = 1: data accesses are big-endian (ARM ARM DDI 0406C A3.3
 * "Endian support" and the MemA[]/MemU[] pseudocode, which reverse the bytes of
 * every multi-byte access when BigEndian()). Instruction fetches stay
 * little-endian (ARMv7 has BE-8 only), so guest memory keeps one byte order
 * and the semantics reverse the value.
 */
export function bigEndianData(s: Arm32State): boolean {
  return (s.psrRest & Psr.E) !== 0;
}

/** Reverse the four bytes of a word (takes any 32-bit value, returns int32). */
export function reverseBytes32(value: number): number {
  return ((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24);
}

/** Reverse the two bytes of a halfword. */
export function reverseBytes16(value: number): number {
  return ((value & 0xff) << 8) | ((value >>> 8) & 0xff);
}

/**
 * Strict alignment checking is on: SCTLR.A, or HSCTLR.A in Hyp mode (ARM
 * ARM B4.1, bit 1 of each). With it every unaligned halfword or word access
 * takes an alignment fault; without it only the accesses that must always
 * be aligned do (A3.2.1, Table A3-1).
 */
export function strictAlignment(s: Arm32State): boolean {
  return ((s.mode === Mode.hyp ? s.cp15[Cp15.hsctlr]! : s.cp15[Cp15.sctlr]!) & 2) !== 0;
}
