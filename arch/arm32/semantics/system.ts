/**
 * Exception-generating instructions, exception return, hints and barriers:
 * SVC, HVC, SMC, BKPT, UDF, ERET (ARM ARM B9.3.3), NOP, YIELD, WFE, WFI, DSB,
 * DMB and ISB.
 *
 * The call instructions return a trap built once at predecode; the exception
 * model delivers it.
 *
 * @module
 */

import { hexAddress, RETIRED, stop, type CallTrap, type ExceptionReturn } from '../../../src/interp/step-result.ts';
import { Cp15, Mode, type Arm32State } from '../registers.ts';
import { tlbOf } from '../tlb.ts';
import { isUserMode, undefinedInstruction, type A32Handler, type Op, type Prepare } from './common.ts';

/** The op's fixed trap or return value. */
export const raiseFixed: A32Handler = (_s, op) => op.fixed!;

/** "HVC is UNDEFINED in User mode" (ARM ARM B9.3.4). SCR.HCE is taken as set: firmware enabled HVC. */
export const hypervisorCall: A32Handler = (s, op) => (isUserMode(s) ? undefinedInstruction(op, 'HVC is UNDEFINED at PL0') : op.fixed!);

/** "SMC is UNDEFINED in User mode" (ARM ARM B6.1.13). */
const secureMonitorCall: A32Handler = (s, op) => (isUserMode(s) ? undefinedInstruction(op, 'SMC is UNDEFINED at PL0') : op.fixed!);

/** ERET: UNDEFINED in User mode; in Hyp it returns through ELR_hyp, elsewhere like SUBS PC, LR, #0. */
export const exceptionReturn: A32Handler = (s, op) => {
  if (isUserMode(s)) return undefinedInstruction(op, 'ERET is UNDEFINED at PL0');
  if (s.mode === Mode.sys) return undefinedInstruction(op, 'ERET in sys mode (no SPSR)');
  return op.fixed!;
};

/** NOP, YIELD, DMB and ISB: nothing to do in this model. */
export const noOperation: A32Handler = () => RETIRED;

/**
 * DSB: completes the TLB maintenance this processor issued (ARM ARM
 * B3.10.6). On one vCPU that is at once; on an SMP machine the shootdown
 * decides, and a barrier that must wait for other vCPUs' acknowledgements
 * (an IPI design) does not retire: the PC stays on it and the run stops
 * (`waiting`), to be retried when the vCPU runs again.
 */
export const dataSynchronizationBarrier: A32Handler = (s, op) => {
  const tlb = tlbOf(s);
  if (tlb === undefined || tlb.shootdown.complete()) return RETIRED;
  s.pc = op.address;
  return stop('waiting', `dsb at ${hexAddress(op.address)} waits for TLB shootdown acknowledgements from the other vCPUs`);
};

/** HCR.TWI (bit 13) and HCR.TWE (bit 14) trap WFI/WFE from below Hyp (ARM ARM B4.1.65). */
function trappedByHcr(s: Arm32State, bit: number): boolean {
  return s.mode !== Mode.hyp && (s.cp15[Cp15.hcr]! & (1 << bit)) !== 0;
}

/**
 * WFI: hyplay models no interrupt source, so a WFI that is not trapped would
 * wait forever. It ends the run with reason `wfi`, the PC after it.
 */
const waitForInterrupt: A32Handler = (s, op) => {
  if (trappedByHcr(s, 13)) return op.fixed!;
  return stop('wfi', `wfi at ${hexAddress(op.address)} in ${s.mode === Mode.hyp ? 'hyp' : 'a PL1/PL0'} mode waits for an interrupt that never comes`);
};

/** WFE: may complete at once (the event register semantics allow a spurious wake-up). */
const waitForEvent: A32Handler = (s, op) => (trappedByHcr(s, 14) ? op.fixed! : RETIRED);

function callTrap(conduit: string, op: Op, imm: number): CallTrap {
  return { kind: 'trap', cause: 'call', conduit, imm, address: op.address, next: op.next };
}

/** Handlers of this family by table row name. */
export const SYSTEM_SEMANTICS: Readonly<Record<string, Prepare>> = {
  SVC: (op, f) => {
    op.fixed = callTrap('svc', op, f.imm24!);
    return raiseFixed;
  },
  HVC: (op, f) => {
    op.fixed = callTrap('hvc', op, f.imm16!);
    return hypervisorCall;
  },
  SMC: (op, f) => {
    op.fixed = callTrap('smc', op, f.imm4!);
    return secureMonitorCall;
  },
  BKPT: (op, f) => {
    op.fixed = { kind: 'trap', cause: 'breakpoint', imm: f.imm16!, address: op.address, next: op.next };
    return raiseFixed;
  },
  UDF: (op, f) => {
    op.fixed = undefinedInstruction(op, `udf #${f.imm16}`);
    return raiseFixed;
  },
  ERET: (op) => {
    const request: ExceptionReturn = { kind: 'return', instruction: 'eret', address: op.address, target: undefined };
    op.fixed = request;
    return exceptionReturn;
  },
  NOP: () => noOperation,
  YIELD: () => noOperation,
  WFE: (op) => {
    op.fixed = { kind: 'trap', cause: 'wait', instruction: 'wfe', address: op.address, next: op.next };
    return waitForEvent;
  },
  WFI: (op) => {
    op.fixed = { kind: 'trap', cause: 'wait', instruction: 'wfi', address: op.address, next: op.next };
    return waitForInterrupt;
  },
  DSB: () => dataSynchronizationBarrier,
  DMB: () => noOperation,
  ISB: () => noOperation,
};
