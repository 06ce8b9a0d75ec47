/**
 * A32 status-register instructions: MRS, MSR (register and immediate, CPSR
 * and SPSR, with field masks), the Virtualization Extensions' banked forms
 * (ARM ARM B9.3.9, B9.3.10) and CPS (B9.3.2).
 *
 * Slots: dest = Rd, src1 = Rn, imm = immediate value, imm2 = field mask,
 * variant = R (0 CPSR, 1 SPSR), src3 = SYSm for the banked forms.
 *
 * @module
 */

import { RETIRED, type StepResult } from '../../../src/interp/step-result.ts';
import { bankedRegisterName, expandModifiedImmediate } from '../operands.ts';
import { Bank, bankOf, isValidMode, Mode, MODE_NAMES, Psr, readCpsr, Slot, switchMode, type Arm32State } from '../registers.ts';
import { isUserMode, undefinedInstruction, unpredictable, type A32Handler, type Op, type Prepare } from './common.ts';

/**
 * Mode changes by MSR or CPS (ARM ARM B1.3.1 and CPSRWriteByInstr): a mode
 * number that is not a mode, any change into or out of Hyp, and Monitor
 * from Non-secure state are UNPREDICTABLE. Returns why, or `undefined` if
 * the change is allowed.
 */
function badModeChange(s: Arm32State, mode: number): string | undefined {
  if (mode === s.mode) return undefined;
  if (!isValidMode(mode)) return `mode 0x${mode.toString(16)} is not a mode`;
  if (s.mode === Mode.hyp) return `leaving Hyp mode except by an exception return`;
  if (mode === Mode.hyp) return `entering Hyp mode except by an exception`;
  if (mode === Mode.mon) return `entering Monitor mode from Non-secure state`;
  return undefined;
}

/** CPSRWriteByInstr (ARM ARM B1.3.3): NZCVQ, GE and E from any mode; A, I, F and M only when privileged. */
function writeCpsrByInstruction(s: Arm32State, op: Op, value: number, mask: number): StepResult {
  const privileged = !isUserMode(s);
  if ((mask & 1) !== 0 && privileged) {
    const why = badModeChange(s, value & Psr.M);
    if (why !== undefined) return unpredictable(s, op, why);
  }
  if ((mask & 8) !== 0) {
    s.n = (value >>> 31) & 1;
    s.z = (value >>> 30) & 1;
    s.c = (value >>> 29) & 1;
    s.v = (value >>> 28) & 1;
    s.q = (value >>> 27) & 1;
  }
  if ((mask & 4) !== 0) s.psrRest = (s.psrRest & ~Psr.GE) | (value & Psr.GE);
  if ((mask & 2) !== 0) {
    const writable = Psr.E | (privileged ? Psr.A : 0);
    s.psrRest = (s.psrRest & ~writable) | (value & writable);
  }
  if ((mask & 1) !== 0 && privileged) {
    s.psrRest = (s.psrRest & ~(Psr.I | Psr.F)) | (value & (Psr.I | Psr.F));
    switchMode(s, value & Psr.M);
  }
  return RETIRED;
}

function hasSpsr(s: Arm32State): boolean {
  return s.mode !== Mode.usr && s.mode !== Mode.sys;
}

/** SPSRWriteByInstr: whole bytes by mask. */
function writeSpsrByInstruction(s: Arm32State, value: number, mask: number): void {
  let bytes = 0;
  for (let i = 0; i < 4; i++) if ((mask & (1 << i)) !== 0) bytes |= 0xff << (8 * i);
  const bank = bankOf(s.mode);
  s.r[Slot.spsr + bank] = (s.r[Slot.spsr + bank]! & ~bytes) | (value & bytes);
}

const moveFromStatus: A32Handler = (s, op) => {
  if (op.variant === 1) {
    if (!hasSpsr(s)) return undefinedInstruction(op, 'MRS of SPSR in a mode without one');
    s.r[op.dest] = s.r[Slot.spsr + bankOf(s.mode)]!;
  } else {
    s.r[op.dest] = readCpsr(s);
  }
  return RETIRED;
};

function moveToStatus(value: (s: Arm32State, op: Op) => number): A32Handler {
  return (s, op) => {
    const v = value(s, op);
    if (op.variant === 0) return writeCpsrByInstruction(s, op, v, op.imm2);
    if (!hasSpsr(s)) return undefinedInstruction(op, 'MSR to SPSR in a mode without one');
    writeSpsrByInstruction(s, v, op.imm2);
    return RETIRED;
  };
}

const moveRegisterToStatus = moveToStatus((s, op) => s.r[op.src1]!);
const moveImmediateToStatus = moveToStatus((_s, op) => op.imm);

/** Where a banked register lives while its mode is not current: a slot of `s.r`, or {@link ELR_HYP}. */
type BankedLocation = number;

/** The {@link BankedLocation} of ELR_hyp, which is a field of its own. */
const ELR_HYP = -1;

const MODE_BANK: Readonly<Record<string, number>> = { usr: Bank.usr, fiq: Bank.fiq, irq: Bank.irq, svc: Bank.svc, abt: Bank.abt, und: Bank.und, mon: Bank.mon, hyp: Bank.hyp };

/**
 * Decide whether the banked register `name` may be accessed from the current
 * mode, following QEMU's `msr_banked_access_decode` (the ARM ARM leaves most
 * of these cases UNPREDICTABLE; QEMU makes them UNDEFINED, and so does
 * hyplay): never from usr; never a register the current mode already sees;
 * never a Monitor register from Non-secure state; ELR_hyp and SPSR_hyp only
 * from Hyp (or Monitor), SP_hyp only from Monitor.
 */
function bankedAccess(s: Arm32State, name: string): BankedLocation | string {
  const mode = MODE_NAMES.get(s.mode)!;
  if (mode === 'usr') return 'banked register access from usr mode';
  const [register, owner] = name.toLowerCase().split('_') as [string, string];
  if (owner === 'mon') return `${name} is a Monitor register, not accessible from Non-secure state`;
  if (name === 'elr_hyp' || name === 'SPSR_hyp') {
    if (mode !== 'hyp' && mode !== 'mon') return `${name} is accessible only from Hyp mode`;
    return name === 'elr_hyp' ? ELR_HYP : Slot.spsr + Bank.hyp;
  }
  if (name === 'sp_hyp') return mode === 'mon' ? Slot.sp + Bank.hyp : 'SP_hyp is accessible only from Monitor mode';
  const current =
    owner === mode ||
    (owner === 'usr' && (mode === 'sys' || (register === 'lr' && mode === 'hyp') || (/^r\d+$/.test(register) && mode !== 'fiq')));
  if (current) return `${name} is a register of the current mode`;
  if (register === 'spsr') return Slot.spsr + MODE_BANK[owner]!;
  if (register === 'sp') return Slot.sp + MODE_BANK[owner]!;
  if (register === 'lr') return Slot.lr + MODE_BANK[owner]!;
  const index = Number(register.slice(1)) - 8;
  return (owner === 'fiq' ? Slot.fiqHigh : Slot.usrHigh) + index;
}

const moveFromBanked: A32Handler = (s, op) => {
  const name = bankedRegisterName(op.variant, op.src3)!;
  const location = bankedAccess(s, name);
  if (typeof location === 'string') return undefinedInstruction(op, location);
  s.r[op.dest] = location === ELR_HYP ? s.elrHyp : s.r[location]!;
  return RETIRED;
};

const moveToBanked: A32Handler = (s, op) => {
  const name = bankedRegisterName(op.variant, op.src3)!;
  const location = bankedAccess(s, name);
  if (typeof location === 'string') return undefinedInstruction(op, location);
  const value = s.r[op.src1]!;
  if (location === ELR_HYP) s.elrHyp = value >>> 0;
  else s.r[location] = value;
  return RETIRED;
};

/** CPS (ARM ARM B9.3.2): a NOP in usr mode; otherwise sets or clears A, I, F and may change mode. */
const changeProcessorState: A32Handler = (s, op) => {
  if (isUserMode(s)) return RETIRED;
  // CPS writes A, I, F and M together through CPSRWriteByInstr (B9.3.2), so an
  // UNPREDICTABLE mode change is found before anything is written: the stop
  // leaves the CPSR as it was.
  if (op.setFlags) {
    const why = badModeChange(s, op.imm2);
    if (why !== undefined) return unpredictable(s, op, why);
  }
  const flags = op.imm;
  if (op.variant === 2) s.psrRest &= ~flags;
  else if (op.variant === 3) s.psrRest |= flags;
  if (op.setFlags) switchMode(s, op.imm2);
  return RETIRED;
};

function prepareBanked(toBanked: boolean): Prepare {
  return (op, f) => {
    op.variant = f.r!;
    op.src3 = (f.m! << 4) | f.m1!;
    op.dest = f.rd ?? 0;
    op.src1 = f.rn ?? 0;
    if (bankedRegisterName(op.variant, op.src3) === undefined) return (_s, o) => undefinedInstruction(o, 'unallocated banked register');
    if (f.rd === 15 || f.rn === 15) return (s, o) => unpredictable(s, o, 'banked register transfer with the PC');
    return toBanked ? moveToBanked : moveFromBanked;
  };
}

/** Handlers of this family by table row name. */
export const STATUS_SEMANTICS: Readonly<Record<string, Prepare>> = {
  MRS: (op, f) => {
    op.dest = f.rd!;
    op.variant = f.r!;
    if (f.rd === 15) return (s, o) => unpredictable(s, o, 'MRS to the PC');
    return moveFromStatus;
  },
  MRS_banked: prepareBanked(false),
  MSR_reg: (op, f) => {
    op.src1 = f.rn!;
    op.variant = f.r!;
    op.imm2 = f.mask!;
    if (f.rn === 15) return (s, o) => unpredictable(s, o, 'MSR from the PC');
    return moveRegisterToStatus;
  },
  MSR_imm: (op, f) => {
    op.imm = expandModifiedImmediate(f.imm12!);
    op.variant = f.r!;
    op.imm2 = f.mask!;
    return moveImmediateToStatus;
  },
  MSR_banked: prepareBanked(true),
  CPS: (op, f) => {
    op.variant = f.imod!;
    op.imm = (f.a! ? Psr.A : 0) | (f.i! ? Psr.I : 0) | (f.f! ? Psr.F : 0);
    op.setFlags = f.mmod === 1;
    op.imm2 = f.mode!;
    return changeProcessorState;
  },
};
