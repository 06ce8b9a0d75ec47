/**
 * Branches (Power ISA v3.0B Book I 2.4): b, bc, bclr and bcctr with their
 * AA and LK bits. The BO field is evaluated as the ISA's pseudocode does:
 * BO[2] = 0 decrements CTR and BO[3] picks the CTR test, BO[0] = 1 ignores
 * the CR and BO[1] is the CR bit value to branch on; BO[4] and the `at`
 * hints only predict. LK = 1 sets LR to CIA + 4 whether or not the branch
 * is taken.
 *
 * Slots: imm = the sign-extended displacement (or absolute address),
 * imm2 / src3 = the low / high word of CIA + 4 (the LR value), variant =
 * BO, src1 = the CR shift of bit BI (31 - BI), src2 = BO[1], flags =
 * {@link AA} | {@link LK}.
 *
 * @module
 */

import { RETIRED, type StepResult } from '../../../src/interp/step-result.ts';
import { fetchable, illegalInstruction, signExtend, unfetchable, TWO_32, wrapTarget, type Op, type PpcHandler, type Prepare } from './common.ts';
import { setPc, type Ppc64State } from '../registers.ts';

/** `op.flags` bit: LK = 1. */
export const LK = 1;
/** `op.flags` bit: AA = 1, an absolute target. */
export const AA = 2;

/**
 * Branch to the target of a b or bc: CIA + displacement keeps the PC's EA
 * bits 0:3 (`pcTop`, see `setPc`), an absolute target EXTS(LI || 0b00) is a
 * full EA of its own, so it clears them. In 32-bit mode both wrap to 32 bits.
 */
function jump(s: Ppc64State, op: Op): void {
  if ((op.flags & AA) !== 0) {
    s.pcTop = 0;
    s.pc = s.sf !== 0 ? op.imm : op.imm >>> 0;
    return;
  }
  const t = op.address + op.imm;
  s.pc = t >= 0 && (s.sf !== 0 || t <= 0xffff_ffff) ? t : wrapTarget(s, t);
}

/** LR ← CIA + 4: its full 64-bit EA, the PC's bits 0:3 (`pcTop`) included. */
function link(s: Ppc64State, op: Op): void {
  s.lrHi = s.sf !== 0 ? op.src3 ^ s.pcTop : 0;
  s.lrLo = op.imm2;
}

/**
 * NIA ← LR or CTR [0:61] || 0b00 (`hi`, `lo`), wrapped to 32 bits in 32-bit
 * mode; the instruction storage interrupt of its fetch where the NIA is not
 * {@link fetchable} (relocation on, a 0xc000… target).
 */
function jumpToRegister(s: Ppc64State, hi: number, lo: number): StepResult {
  setPc(s, s.sf !== 0 ? hi : 0, lo & ~3);
  return fetchable(s) ? RETIRED : unfetchable(s);
}

/**
 * CTR ← CTR - 1, then whether the CTR test of BO passes: CTR ≠ 0 when
 * BO[3] = 0, CTR = 0 when BO[3] = 1 (only the low word counts in 32-bit mode).
 */
function decrementCtr(s: Ppc64State, bo: number): boolean {
  const lo = (s.ctrLo - 1) | 0;
  if (s.ctrLo === 0) s.ctrHi = (s.ctrHi - 1) | 0;
  s.ctrLo = lo;
  const nonzero = s.sf !== 0 ? (s.ctrHi | lo) !== 0 : lo !== 0;
  return nonzero !== ((bo & 2) !== 0);
}

/** Whether the CR test of BO passes: BO[0] = 1, or CR[BI] = BO[1]. */
function conditionHolds(s: Ppc64State, op: Op): boolean {
  return (op.variant & 16) !== 0 || ((s.cr >>> op.src1) & 1) === op.src2;
}

/** b, ba, bl, bla. */
export const branch: PpcHandler = (s, op) => {
  if ((op.flags & LK) !== 0) link(s, op);
  jump(s, op);
  return RETIRED;
};

/** bc with any BO, AA and LK. */
export const branchConditional: PpcHandler = (s, op) => {
  const bo = op.variant;
  if ((op.flags & LK) !== 0) link(s, op);
  const ctrOk = (bo & 4) !== 0 || decrementCtr(s, bo);
  if (ctrOk && conditionHolds(s, op)) jump(s, op);
  return RETIRED;
};

/** bc that tests a CR bit only (BO = 0b0x1xx), relative, without LK: beq, bne, blt, … */
export const branchOnCondition: PpcHandler = (s, op) => {
  if (((s.cr >>> op.src1) & 1) === op.src2) jump(s, op);
  return RETIRED;
};

/**
 * {@link branchOnCondition} whose target, fixed at predecode, is below 2^31
 * (in `imm2`): the same in 32- and 64-bit mode, so no wrapping to check.
 */
export const branchOnConditionNear: PpcHandler = (s, op) => {
  if (((s.cr >>> op.src1) & 1) === op.src2) s.pc = op.imm2;
  return RETIRED;
};

/** bc that tests CTR only (BO = 0b1x0xx), relative, without LK: bdnz, bdz. */
export const branchOnCount: PpcHandler = (s, op) => {
  if (decrementCtr(s, op.variant)) jump(s, op);
  return RETIRED;
};

/** bclr, bclrl (blr, beqlr, bdnzlr, …): to LR[0:61] || 0b00, read before LK updates it. */
export const branchToLink: PpcHandler = (s, op) => {
  const bo = op.variant;
  const hi = s.lrHi;
  const lo = s.lrLo;
  if ((op.flags & LK) !== 0) link(s, op);
  const ctrOk = (bo & 4) !== 0 || decrementCtr(s, bo);
  return ctrOk && conditionHolds(s, op) ? jumpToRegister(s, hi, lo) : RETIRED;
};

/**
 * bcctr, bcctrl (bctr, beqctr, …): to CTR[0:61] || 0b00. With BO[2] = 0 the
 * form is invalid ("decrement and test CTR" cannot use CTR as the target,
 * Book I 2.4): an illegal instruction here.
 */
export const branchToCount: PpcHandler = (s, op) => {
  const bo = op.variant;
  if ((bo & 4) === 0) return op.fixed!;
  if ((op.flags & LK) !== 0) link(s, op);
  return conditionHolds(s, op) ? jumpToRegister(s, s.ctrHi, s.ctrLo) : RETIRED;
};

function common(op: Op, aa: number, lk: number): void {
  op.flags = (aa << 1) | lk;
  op.imm2 = op.next | 0;
  op.src3 = Math.floor(op.next / TWO_32) | 0;
}

function conditional(op: Op, bo: number, bi: number): void {
  op.variant = bo;
  op.src1 = 31 - bi;
  op.src2 = (bo >>> 3) & 1;
}

/** Handlers of this family by table row name. */
export const BRANCH_SEMANTICS: Readonly<Record<string, Prepare>> = {
  B: (op, f) => {
    common(op, f.aa!, f.lk!);
    op.imm = signExtend(f.li!, 24) * 4;
    return branch;
  },
  BC: (op, f) => {
    common(op, f.aa!, f.lk!);
    conditional(op, f.bo!, f.bi!);
    op.imm = signExtend(f.bd!, 14) * 4;
    if (op.flags === 0 && (f.bo! & 0b10100) === 0b00100) {
      const to = op.address + op.imm;
      if (to < 0 || to > 0x7fff_ffff) return branchOnCondition;
      op.imm2 = to;
      return branchOnConditionNear;
    }
    if (op.flags === 0 && (f.bo! & 0b10100) === 0b10000) return branchOnCount;
    return branchConditional;
  },
  BCLR: (op, f) => {
    common(op, 0, f.lk!);
    conditional(op, f.bo!, f.bi!);
    return branchToLink;
  },
  BCCTR: (op, f) => {
    common(op, 0, f.lk!);
    conditional(op, f.bo!, f.bi!);
    op.fixed = illegalInstruction(op, 'bcctr with BO[2] = 0 (decrement CTR) is an invalid form');
    return branchToCount;
  },
};
