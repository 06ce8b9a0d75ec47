/**
 * Exception-generating instructions, exception return and hints: SVC, HVC,
 * SMC, BRK (C6.2.38), ERET (C6.2.80), NOP and the other hints, WFE, WFI.
 *
 * The call instructions return a trap built once at predecode; the
 * exception model (`exceptions.ts`) decides where it goes, including when
 * HVC or SMC is UNDEFINED.
 *
 * @module
 */

import { hexAddress, RETIRED, stop, type CallTrap, type ExceptionReturn } from '../../../src/interp/step-result.ts';
import { waitTrapped } from '../exceptions.ts';
import { undefinedInstruction, type A64Handler, type Op, type Prepare } from './common.ts';

/** The op's fixed trap or return value. */
export const raiseFixed: A64Handler = (_s, op) => op.fixed!;

/** "ERET is UNDEFINED at EL0" (C6.2.80). */
export const exceptionReturn: A64Handler = (s, op) => (s.el === 0 ? undefinedInstruction(op, 'ERET is UNDEFINED at EL0') : op.fixed!);

/** NOP and the hints that have no effect in this model. */
export const noOperation: A64Handler = () => RETIRED;

/**
 * WFI: hyplay models no interrupt source, so a WFI that is not trapped would
 * wait forever: it ends the run with reason `wfi`, the PC after it.
 */
const waitForInterrupt: A64Handler = (s, op) => {
  if (waitTrapped(s, false)) return op.fixed!;
  return stop('wfi', `wfi at ${hexAddress(op.address)} at EL${s.el} waits for an interrupt that never comes`);
};

/** WFE: may complete at once (a spurious wake-up is allowed). */
const waitForEvent: A64Handler = (s, op) => (waitTrapped(s, true) ? op.fixed! : RETIRED);

function callTrap(conduit: string, op: Op, imm: number): CallTrap {
  return { kind: 'trap', cause: 'call', conduit, imm, address: op.address, next: op.next };
}

/** Handlers of this family by table row name. */
export const SYSTEM_SEMANTICS: Readonly<Record<string, Prepare>> = {
  SVC: (op, f) => {
    op.fixed = callTrap('svc', op, f.imm16!);
    return raiseFixed;
  },
  HVC: (op, f) => {
    op.fixed = callTrap('hvc', op, f.imm16!);
    return raiseFixed;
  },
  SMC: (op, f) => {
    op.fixed = callTrap('smc', op, f.imm16!);
    return raiseFixed;
  },
  BRK: (op, f) => {
    op.fixed = { kind: 'trap', cause: 'breakpoint', imm: f.imm16!, address: op.address, next: op.next };
    return raiseFixed;
  },
  ERET: (op) => {
    const request: ExceptionReturn = { kind: 'return', instruction: 'eret', address: op.address, target: undefined };
    op.fixed = request;
    return exceptionReturn;
  },
  HINT: () => noOperation,
  WFE: (op) => {
    op.fixed = { kind: 'trap', cause: 'wait', instruction: 'wfe', address: op.address, next: op.next };
    return waitForEvent;
  },
  WFI: (op) => {
    op.fixed = { kind: 'trap', cause: 'wait', instruction: 'wfi', address: op.address, next: op.next };
    return waitForInterrupt;
  },
};
