/**
 * A32 branches (ARM ARM A8.8.18 B, A8.8.25 BL, A8.8.27 BX, A8.8.26 BLX
 * (register)). B and BL targets are computed once at predecode.
 *
 * Slots: imm = target (B, BL), src2 = Rm (BX, BLX).
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import { signExtend, interworkingBranch, type A32Handler, type Prepare } from './common.ts';

/** B: branch to the target computed at predecode. */
export const branch: A32Handler = (s, op) => {
  s.pc = op.imm >>> 0;
  return RETIRED;
};

/** BL: LR = next instruction, then branch. */
export const branchWithLink: A32Handler = (s, op) => {
  s.r[14] = op.next;
  s.pc = op.imm >>> 0;
  return RETIRED;
};

/** BX Rm: interworking branch. */
export const branchExchange: A32Handler = (s, op) => interworkingBranch(s, op, s.r[op.src2]!);

/** BLX Rm: LR = next instruction, then interworking branch. */
export const branchLinkExchange: A32Handler = (s, op) => {
  const target = s.r[op.src2]!;
  s.r[14] = op.next;
  return interworkingBranch(s, op, target);
};

function prepareImmediate(link: boolean): Prepare {
  return (op, f) => {
    op.imm = (op.address + 8 + signExtend(f.imm24!, 24) * 4) | 0; // int32 slot; the handler takes it >>> 0
    return link ? branchWithLink : branch;
  };
}

/** Handlers of this family by table row name. */
export const BRANCH_SEMANTICS: Readonly<Record<string, Prepare>> = {
  B: prepareImmediate(false),
  BL: prepareImmediate(true),
  BX: (op, f) => {
    op.src2 = f.rm!;
    return branchExchange;
  },
  BLX_reg: (op, f) => {
    op.src2 = f.rm!;
    return branchLinkExchange;
  },
};
