/**
 * Branches (C4.1.3): B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET.
 * Targets are computed at predecode where they are constants of the
 * instruction's address; a misaligned register target faults at its fetch
 * (the PC alignment fault, D1.10.5).
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import { sysSlot, type Arm64State } from '../registers.ts';
import { BRANCH, conditionPassed, pairNumber, setPairNumber, sourceZr, type A64Handler, type Prepare } from './common.ts';

const LINK = 60; // word index of X30

/** B: PC = op.imm. */
export const branch: A64Handler = (s, op) => {
  s.pc = op.imm;
  return RETIRED;
};

/** BL: X30 = the next instruction, PC = op.imm. */
export const branchWithLink: A64Handler = (s, op) => {
  setPairNumber(s.x, LINK, op.next);
  s.pc = op.imm;
  return RETIRED;
};

/** B.cond. */
export const branchConditional: A64Handler = (s, op) => {
  if (conditionPassed(s, op.cond)) s.pc = op.imm;
  return RETIRED;
};

/** CBZ/CBNZ (op.variant 1: non-zero), 64-bit when op.cond is 1. */
export const compareBranch: A64Handler = (s, op) => {
  const x = s.x;
  const t = op.src1;
  const zero = op.cond === 1 ? (x[t]! | x[t + 1]!) === 0 : x[t] === 0;
  if (zero !== (op.variant === 1)) s.pc = op.imm;
  return RETIRED;
};

/** TBZ/TBNZ (op.variant 1: bit set) on bit op.imm2. */
export const testBranch: A64Handler = (s, op) => {
  const x = s.x;
  const bit = op.imm2;
  const set = (bit < 32 ? (x[op.src1]! >>> bit) & 1 : (x[op.src1 + 1]! >>> (bit - 32)) & 1) === 1;
  if (set === (op.variant === 1)) s.pc = op.imm;
  return RETIRED;
};

/**
 * AArch64.BranchAddr for a target whose top byte is not the sign extension
 * of bit 55 (the caller has checked): at EL0 and EL1, where TCR_EL1.TBI0
 * (bit 37) or TBI1 (bit 38) of the half bit 55 selects is set, the top byte
 * is replaced by that sign extension (the tag is dropped, so the fetch sees
 * an untagged address); otherwise the target stays whole.
 */
function branchAddress(s: Arm64State, lo: number, hi: number): number {
  const upper = (hi >>> 23) & 1;
  const tbi = s.el < 2 && ((s.sys[2 * TCR_EL1 + 1]! >>> (upper === 1 ? 6 : 5)) & 1) === 1;
  const high = tbi ? (hi << 8) >> 8 : hi;
  return high * 0x1_0000_0000 + (lo >>> 0);
}

const TCR_EL1 = sysSlot('tcr_el1');

/** BR/RET/BLR (op.variant 1: link): the target is read before X30 is written (BLR X30). */
export const branchRegister: A64Handler = (s, op) => {
  const x = s.x;
  const hi = x[op.src1 + 1]!;
  const target = (hi >> 24) === (hi << 8) >> 31 ? pairNumber(x, op.src1) : branchAddress(s, x[op.src1]!, hi);
  if (op.variant === 1) setPairNumber(s.x, LINK, op.next);
  s.pc = target;
  return RETIRED;
};

function target(address: number, offset: number, bits: number): number {
  return address + ((offset << (32 - bits)) >> (32 - bits)) * 4;
}

/** Handlers of this family by table row name. */
export const BRANCH_SEMANTICS: Readonly<Record<string, Prepare>> = {
  B: (op, f) => {
    op.flags |= BRANCH;
    op.imm = target(op.address, f.imm26!, 26);
    return branch;
  },
  BL: (op, f) => {
    op.flags |= BRANCH;
    op.imm = target(op.address, f.imm26!, 26);
    return branchWithLink;
  },
  B_COND: (op, f) => {
    op.flags |= BRANCH;
    op.imm = target(op.address, f.imm19!, 19);
    op.cond = f.cond!;
    return branchConditional;
  },
  CBZ: (op, f) => {
    op.flags |= BRANCH;
    op.imm = target(op.address, f.imm19!, 19);
    op.src1 = sourceZr(f.rt!);
    op.cond = f.sf!;
    op.variant = 0;
    return compareBranch;
  },
  CBNZ: (op, f) => {
    op.flags |= BRANCH;
    op.imm = target(op.address, f.imm19!, 19);
    op.src1 = sourceZr(f.rt!);
    op.cond = f.sf!;
    op.variant = 1;
    return compareBranch;
  },
  TBZ: (op, f) => {
    op.flags |= BRANCH;
    op.imm = target(op.address, f.imm14!, 14);
    op.src1 = sourceZr(f.rt!);
    op.imm2 = f.bit!;
    op.variant = 0;
    return testBranch;
  },
  TBNZ: (op, f) => {
    op.flags |= BRANCH;
    op.imm = target(op.address, f.imm14!, 14);
    op.src1 = sourceZr(f.rt!);
    op.imm2 = f.bit!;
    op.variant = 1;
    return testBranch;
  },
  BR: (op, f) => {
    op.flags |= BRANCH;
    op.src1 = sourceZr(f.rn!);
    return branchRegister;
  },
  RET: (op, f) => {
    op.flags |= BRANCH;
    op.src1 = sourceZr(f.rn!);
    return branchRegister;
  },
  BLR: (op, f) => {
    op.flags |= BRANCH;
    op.src1 = sourceZr(f.rn!);
    op.variant = 1;
    return branchRegister;
  },
};
