/**
 * System call, interrupt return, traps, barriers and wait: sc (Book III
 * 4.3.1), rfid and hrfid (Book III 4.3.1), tw, twi, td, tdi (Book I
 * 3.3.11), sync, isync, eieio (Book II 4.6) and wait (Book II 4.6.3).
 *
 * sc, the traps and the returns produce values built once at predecode; the
 * exception model delivers them.
 *
 * Slots (traps): src1 = RA index, src2 = RB index, imm = EXTS(SI), variant
 * = TO, src3 = 1 for the doubleword forms, flags = 1 for the immediate forms.
 *
 * @module
 */

import { hexAddress, RETIRED, stop, type CallTrap, type ExceptionReturn } from '../../../src/interp/step-result.ts';
import { gprIndex, inHypervisorState, inProblemState, preparePrivileged, privilegedTrap, signExtend, type Op, type PpcHandler, type Prepare } from './common.ts';

/** The op's fixed trap or return value. */
export const raiseFixed: PpcHandler = (_s, op) => op.fixed!;

/** nop, sync, isync, eieio: nothing to do in this model (one thread, no caches, no MMU). */
export const noOperation: PpcHandler = () => RETIRED;

/** "rfid is privileged" (Book III 4.3.1). */
export const returnFromInterrupt: PpcHandler = (s, op) => (inProblemState(s) ? privilegedTrap(op) : op.fixed!);

/**
 * "hrfid is hypervisor privileged" (Book III 4.3.1). Outside hypervisor
 * state the ISA takes a Hypervisor Emulation Assistance interrupt (from
 * privileged state) or a privileged-instruction program interrupt (from
 * problem state); hyplay gives the program interrupt in both.
 */
export const hypervisorReturn: PpcHandler = (s, op) => (inHypervisorState(s) ? op.fixed! : privilegedTrap(op));

/** TO bits (Book I 3.3.11): signed less, signed greater, equal, unsigned less, unsigned greater. */
const TO_LT = 16;
const TO_GT = 8;
const TO_EQ = 4;
const TO_LTU = 2;
const TO_GTU = 1;

/** Which TO conditions a against b meets. */
function conditionsMet(aHi: number, aLo: number, bHi: number, bLo: number): number {
  if (aHi === bHi && aLo === bLo) return TO_EQ;
  const signedLess = aHi !== bHi ? aHi < bHi : aLo >>> 0 < bLo >>> 0;
  const unsignedLess = aHi !== bHi ? aHi >>> 0 < bHi >>> 0 : aLo >>> 0 < bLo >>> 0;
  return (signedLess ? TO_LT : TO_GT) | (unsignedLess ? TO_LTU : TO_GTU);
}

/** tw, twi, td, tdi: a trap-type program interrupt when any selected condition holds. The word forms compare EXTS of the low words. */
export const trap: PpcHandler = (s, op) => {
  const g = s.gpr;
  const double = op.src3 === 1;
  const aLo = g[op.src1 + 1]!;
  const aHi = double ? g[op.src1]! : aLo >> 31;
  const bLo = op.flags !== 0 ? op.imm : g[op.src2 + 1]!;
  const bHi = op.flags !== 0 ? op.imm >> 31 : double ? g[op.src2]! : bLo >> 31;
  return (conditionsMet(aHi, aLo, bHi, bLo) & op.variant) !== 0 ? op.fixed! : RETIRED;
};

/** wait: hyplay models no interrupt source, so the run ends with reason `wfi`, the PC after it. */
export const wait: PpcHandler = (_s, op) => stop('wfi', `wait at ${hexAddress(op.address)} waits for an interrupt that never comes`);

function callTrap(op: Op, lev: number): CallTrap {
  return { kind: 'trap', cause: 'call', conduit: lev === 1 ? 'sc1' : 'sc', imm: lev, address: op.address, next: op.next };
}

function returnRequest(op: Op, instruction: string): ExceptionReturn {
  return { kind: 'return', instruction, address: op.address, target: undefined };
}

function trapForm(double: boolean, immediate: boolean): Prepare {
  return (op, f) => {
    op.src1 = gprIndex(f.ra!);
    op.src2 = gprIndex(f.rb ?? 0);
    op.imm = immediate ? signExtend(f.si!, 16) : 0;
    op.variant = f.to!;
    op.src3 = double ? 1 : 0;
    op.flags = immediate ? 1 : 0;
    op.fixed = { kind: 'trap', cause: 'breakpoint', imm: f.to!, address: op.address, next: op.next };
    return trap;
  };
}

/**
 * stop (v3.0) and nap (v2.07), the power-saving instructions (Book III
 * 7.3): the thread waits for an interrupt, and as with wait hyplay models
 * no interrupt source, so the run ends. stop is privileged, nap hypervisor
 * privileged.
 */
export const powerSave: PpcHandler = (s, op) => {
  if (op.variant === 1 ? !inHypervisorState(s) : inProblemState(s)) return privilegedTrap(op);
  return stop('wfi', `${op.name.toLowerCase()} at ${hexAddress(op.address)} waits for an interrupt that never comes`);
};

/** An instruction that is privileged (variant 0) or hypervisor privileged (variant 1) and otherwise does nothing hyplay can observe. */
export const privilegedNoOperation: PpcHandler = (s, op) => {
  if (op.variant === 1 ? !inHypervisorState(s) : inProblemState(s)) return privilegedTrap(op);
  return RETIRED;
};

/**
 * darn (v3.0, Book I 3.3.9): a random number, or the error value when
 * none is available, which hyplay always reports so that runs stay
 * deterministic: 0x0000_0000_FFFF_FFFF for L = 0 (32-bit), all ones
 * otherwise.
 */
export const deliverRandomNumber: PpcHandler = (s, op) => {
  s.gpr[op.dest] = op.variant === 0 ? 0 : -1;
  s.gpr[op.dest + 1] = -1;
  return RETIRED;
};

function privilegedForm(handler: PpcHandler, hypervisor: boolean, reason: string): Prepare {
  return (op) => {
    op.variant = hypervisor ? 1 : 0;
    preparePrivileged(op, reason);
    return handler;
  };
}

/** Handlers of this family by table row name. */
export const SYSTEM_SEMANTICS: Readonly<Record<string, Prepare>> = {
  SC: (op, f) => {
    op.fixed = callTrap(op, f.lev!);
    return raiseFixed;
  },
  RFID: (op) => {
    op.fixed = returnRequest(op, 'rfid');
    preparePrivileged(op, 'rfid in problem state');
    return returnFromInterrupt;
  },
  HRFID: (op) => {
    op.fixed = returnRequest(op, 'hrfid');
    preparePrivileged(op, 'hrfid outside hypervisor state');
    return hypervisorReturn;
  },
  TW: trapForm(false, false),
  TWI: trapForm(false, true),
  TD: trapForm(true, false),
  TDI: trapForm(true, true),
  SYNC: () => noOperation,
  ISYNC: () => noOperation,
  EIEIO: () => noOperation,
  WAIT: () => wait,
  STOP: privilegedForm(powerSave, false, 'stop in problem state'),
  NAP: privilegedForm(powerSave, true, 'nap outside hypervisor state'),
  // No copy-paste buffer is modelled, so there is nothing to abort (cpabort is not privileged).
  CPABORT: () => noOperation,
  // No other thread sends messages, so there are none to wait for.
  MSGSYNC: privilegedForm(privilegedNoOperation, true, 'msgsync outside hypervisor state'),
  DARN: (op, f) => {
    op.dest = gprIndex(f.rt!);
    op.variant = f.l!;
    return deliverRandomNumber;
  },
};
