/**
 * cp15 transfers: MRC, MCR, MRRC and MCRR (ARM ARM A8.8.108, A8.8.99,
 * A8.8.109, A8.8.100) for the registers in `registers.ts`. An encoding that
 * names no modelled register, or one the current mode may not access, is an
 * undefined instruction whose reason names the register.
 *
 * Slots: dest = Rt, src1 = Rt2, imm = cp15 slot, variant = the register's
 * index in CP15_REGISTERS.
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import { CP15_INDEX, CP15_REGISTERS, findCp15, Mode, type Arm32State, type Cp15Register } from '../registers.ts';
import { undefinedInstruction, unpredictableHandler, type A32Handler, type Op, type Prepare } from './common.ts';
import { tlbOf, tlbOperation } from '../tlb.ts';
import { isReservedIdEncoding } from '../cp15-registers.ts';

/** CRn of the TLB maintenance operations (B4.2.2). */
const TLB_MAINTENANCE = 8;

/**
 * A TLB maintenance MCR (c8): the machine's TLB applies it, and hands the
 * inner-shareable forms to its shootdown (see `tlb.ts`). A machine without
 * a TLB (none registered for the state) has nothing cached.
 */
function maintainTlb(s: Arm32State, register: Cp15Register, value: number): void {
  const tlb = tlbOf(s);
  if (tlb === undefined) return;
  const operation = tlbOperation(s, register.name, value >>> 0);
  if (operation !== undefined) tlb.perform(operation.op, operation.broadcast);
}

/** Whether the current mode may read (or write) a cp15 register, from Non-secure state. */
function accessible(s: Arm32State, register: Cp15Register, write: boolean): boolean {
  switch (register.level) {
    case 'pl0-rw':
      return true;
    case 'pl0-ro':
      return !write || s.mode !== Mode.usr;
    case 'pl1':
      return s.mode !== Mode.usr;
    case 'hyp':
      return s.mode === Mode.hyp || s.mode === Mode.mon;
    case 'mon':
      return s.mode === Mode.mon;
    default: {
      const unreachable: never = register.level;
      return unreachable;
    }
  }
}

function denied(s: Arm32State, op: Op, register: Cp15Register): ReturnType<A32Handler> {
  const mode = Object.entries(Mode).find(([, v]) => v === s.mode)?.[0] ?? 'this mode';
  return undefinedInstruction(op, `${register.name} is not accessible from ${mode}`);
}

const read32: A32Handler = (s, op) => {
  const register = CP15_REGISTERS[op.variant]!;
  if (!accessible(s, register, false) || register.operation === true) return denied(s, op, register);
  const value = s.cp15[op.imm]!;
  if (op.dest === 15) {
    // MRC with Rt = 15 transfers bits 31:28 to the APSR flags.
    s.n = value >>> 31;
    s.z = (value >>> 30) & 1;
    s.c = (value >>> 29) & 1;
    s.v = (value >>> 28) & 1;
  } else {
    s.r[op.dest] = value;
  }
  return RETIRED;
};

const write32: A32Handler = (s, op) => {
  const register = CP15_REGISTERS[op.variant]!;
  if (!accessible(s, register, true)) return denied(s, op, register);
  if (register.readOnly !== true && register.operation !== true) s.cp15[op.imm] = s.r[op.dest]!;
  else if (register.crn === TLB_MAINTENANCE && register.operation === true) maintainTlb(s, register, s.r[op.dest]!);
  return RETIRED;
};

const read64: A32Handler = (s, op) => {
  const register = CP15_REGISTERS[op.variant]!;
  if (!accessible(s, register, false)) return denied(s, op, register);
  s.r[op.dest] = s.cp15[op.imm]!;
  s.r[op.src1] = s.cp15[op.imm + 1]!;
  return RETIRED;
};

const write64: A32Handler = (s, op) => {
  const register = CP15_REGISTERS[op.variant]!;
  if (!accessible(s, register, true)) return denied(s, op, register);
  s.cp15[op.imm] = s.r[op.dest]!;
  s.cp15[op.imm + 1] = s.r[op.src1]!;
  return RETIRED;
};

/** MRC of a computed register ({@link Cp15Register.read}). */
const readComputed32: A32Handler = (s, op) => {
  const register = CP15_REGISTERS[op.variant]!;
  if (!accessible(s, register, false)) return denied(s, op, register);
  const value = register.read!(s);
  if (op.dest === 15) {
    s.n = value >>> 31;
    s.z = (value >>> 30) & 1;
    s.c = (value >>> 29) & 1;
    s.v = (value >>> 28) & 1;
  } else s.r[op.dest] = value;
  return RETIRED;
};

/** MRRC of a computed register. */
const readComputed64: A32Handler = (s, op) => {
  const register = CP15_REGISTERS[op.variant]!;
  if (!accessible(s, register, false)) return denied(s, op, register);
  register.read!(s);
  s.r[op.dest] = s.cp15[op.imm]!;
  s.r[op.src1] = s.cp15[op.imm + 1]!;
  return RETIRED;
};

/**
 * MRC of the reserved c0 identification space ({@link isReservedIdEncoding}):
 * zero from PL1 and Hyp, UNDEFINED from usr (the access of an RO PL1
 * register). Rt = 15 takes bits 31:28 of the zero, as MRC does elsewhere.
 */
const readReservedId: A32Handler = (s, op) => {
  if (s.mode === Mode.usr) return undefinedInstruction(op, 'reserved ID register (RAZ at PL1) is not accessible from usr');
  if (op.dest === 15) {
    s.n = 0;
    s.z = 0;
    s.c = 0;
    s.v = 0;
  } else s.r[op.dest] = 0;
  return RETIRED;
};

/** MCR to the reserved c0 identification space: a write to an RO register, UNDEFINED in every mode. */
const writeReservedId: A32Handler = (_s, op) => undefinedInstruction(op, 'reserved ID register (RAZ, read-only) written');

function prepare(width: 32 | 64, write: boolean): Prepare {
  return (op, f) => {
    const register = findCp15(width, f.opc1!, f.crn ?? 0, f.crm!, f.opc2 ?? 0);
    op.dest = f.rt!;
    op.src1 = f.rt2 ?? 0;
    if (register === undefined && width === 32 && isReservedIdEncoding(f.opc1!, f.crn ?? 0, f.crm!, f.opc2 ?? 0)) {
      return write ? writeReservedId : readReservedId;
    }
    if (register === undefined) {
      const name = width === 32 ? `p15, ${f.opc1}, c${f.crn}, c${f.crm}, ${f.opc2}` : `p15, ${f.opc1}, c${f.crm} (64-bit)`;
      return (_s, o) => undefinedInstruction(o, `unknown system register ${name}`);
    }
    op.imm = CP15_INDEX.get(register.name)!;
    op.variant = CP15_REGISTERS.indexOf(register);
    if (width === 64 && (f.rt === 15 || f.rt2 === 15 || (!write && f.rt === f.rt2))) return unpredictableHandler('MRRC/MCRR with the PC or Rt = Rt2');
    if (width === 32 && write && f.rt === 15) return unpredictableHandler('MCR from the PC');
    if (!write && register.read !== undefined) return width === 32 ? readComputed32 : readComputed64;
    if (width === 32) return write ? write32 : read32;
    return write ? write64 : read64;
  };
}

/** Handlers of this family by table row name. */
export const COPROCESSOR_SEMANTICS: Readonly<Record<string, Prepare>> = {
  MRC: prepare(32, false),
  MCR: prepare(32, true),
  MRRC: prepare(64, false),
  MCRR: prepare(64, true),
};
