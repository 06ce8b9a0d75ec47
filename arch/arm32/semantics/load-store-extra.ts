/**
 * The A32 loads and stores a kernel needs beyond the first table (ARM ARM
 * A5.2.8, A5.3, A5.5, B9.3): LDRD/STRD, the exclusives with the local
 * monitor and CLREX, the preload hints, the unprivileged LDRT/STRT family,
 * and LDM/STM of the user registers and LDM's exception return.
 *
 * Alignment (A3.2.1, Table A3-1): LDRD/STRD and the word exclusives need a
 * word-aligned address, LDREXD/STREXD a doubleword-aligned one, LDREXH a
 * halfword-aligned one, whatever SCTLR.A says. Every access is checked
 * before any register or memory changes. With CPSR.E = 1 data words are
 * byte-reversed as in `load-store.ts`.
 *
 * Slots: dest = Rt (Rd, the status register, for STREX), src1 = Rn, src2 =
 * Rm, src3 = Rt of STREX, imm = offset (signed) or register mask, imm2 =
 * shift type, variant = the addressing bits of `load-store.ts`.
 *
 * @module
 */

import { RETIRED, type DataFaultTrap, type ExceptionReturn, type StepResult } from '../../../src/interp/step-result.ts';
import type { FieldValues } from '../../../src/isa/instruction-table.ts';
import { Bank, bankOf, isValidMode, lrBankOf, Mode, Slot, type Arm32State } from '../registers.ts';
import {
  bigEndianData,
  reverseBytes16,
  reverseBytes32,
  shiftImmediate,
  undefinedInstruction,
  unpredictable,
  unpredictableHandler,
  type A32Handler,
  type Op,
  type Prepare,
} from './common.ts';
import { TranslatedMemory } from '../translated-memory.ts';
import { TransferBits } from './load-store.ts';

const { preIndex: PRE_INDEX, writeback: WRITEBACK, addOffset: ADD_OFFSET, registerOffset: REGISTER_OFFSET } = TransferBits;

/**
 * A fault of one of these forms. None carries a transfer register, so a
 * stage-2 abort reports ISV = 0 (abi-facts §12.4): LDM/STM (multiple
 * registers) and LDRT/STRT (always post-indexed, so always writeback) as
 * the sources state; LDRD/STRD and the exclusives because the ARM ARM's
 * ISV = 1 list (B3.13.6) names only the single LDR/STR forms; §12.4 marks
 * them UNCONFIRMED.
 */
function dataFault(op: Op, faultAddress: number, write: boolean, size: number, alignment = false): DataFaultTrap {
  return alignment
    ? { kind: 'trap', cause: 'data-fault', address: op.address, next: op.next, faultAddress, write, size, fault: 'alignment' }
    : { kind: 'trap', cause: 'data-fault', address: op.address, next: op.next, faultAddress, write, size };
}

/** The offset address (Rn ± offset), as in `load-store.ts`. */
function offsetAddress(s: Arm32State, op: Op): number {
  const base = s.r[op.src1]!;
  if ((op.variant & REGISTER_OFFSET) === 0) return (base + op.imm) >>> 0;
  const offset = shiftImmediate(s.r[op.src2]!, op.imm2, op.imm, s.c);
  return ((op.variant & ADD_OFFSET) !== 0 ? base + offset : base - offset) >>> 0;
}

function readWord(s: Arm32State, op: Op, address: number): number | undefined {
  const v = op.memory.read32(address);
  return v === undefined || !bigEndianData(s) ? v : reverseBytes32(v);
}

/** A store of `size` bytes at `address` would land (checked before anything is written; under the MMU, write permission included). */
function writable(op: Op, address: number, size: number): boolean {
  return op.memory.isWritable(address) && op.memory.isWritable((address + size - 1) >>> 0);
}

function writeWord(s: Arm32State, op: Op, address: number, value: number): void {
  op.memory.write32(address, bigEndianData(s) ? reverseBytes32(value) : value);
}

/** LDRD (A8.8.72–A8.8.74): Rt from [address], Rt2 = Rt + 1 from [address + 4]. */
const loadDouble: A32Handler = (s, op) => {
  const offsetAddr = offsetAddress(s, op);
  const address = (op.variant & PRE_INDEX) !== 0 ? offsetAddr : s.r[op.src1]! >>> 0;
  if ((address & 3) !== 0) return dataFault(op, address, false, 4, true);
  const low = readWord(s, op, address);
  if (low === undefined) return dataFault(op, address, false, 4);
  const high = readWord(s, op, (address + 4) >>> 0);
  if (high === undefined) return dataFault(op, (address + 4) >>> 0, false, 4);
  if ((op.variant & WRITEBACK) !== 0) s.r[op.src1] = offsetAddr;
  s.r[op.dest] = low;
  s.r[op.dest + 1] = high;
  return RETIRED;
};

/** STRD (A8.8.210, A8.8.211). */
const storeDouble: A32Handler = (s, op) => {
  const offsetAddr = offsetAddress(s, op);
  const address = (op.variant & PRE_INDEX) !== 0 ? offsetAddr : s.r[op.src1]! >>> 0;
  if ((address & 3) !== 0) return dataFault(op, address, true, 4, true);
  if (!writable(op, address, 4)) return dataFault(op, address, true, 4);
  if (!writable(op, (address + 4) >>> 0, 4)) return dataFault(op, (address + 4) >>> 0, true, 4);
  writeWord(s, op, address, s.r[op.dest]!);
  writeWord(s, op, (address + 4) >>> 0, s.r[op.dest + 1]!);
  if ((op.variant & WRITEBACK) !== 0) s.r[op.src1] = offsetAddr;
  return RETIRED;
};

function prepareDouble(isLoad: boolean, registerOffset: boolean): Prepare {
  return (op: Op, f: FieldValues) => {
    const pre = f.p === 1;
    const writeback = !pre || f.w === 1;
    op.dest = f.rt!;
    op.src1 = f.rn!;
    op.variant = (pre ? PRE_INDEX : 0) | (writeback ? WRITEBACK : 0) | (f.u === 1 ? ADD_OFFSET : 0) | (registerOffset ? REGISTER_OFFSET : 0);
    if (registerOffset) {
      op.src2 = f.rm!;
      op.imm2 = 0;
      op.imm = 0;
    } else op.imm = f.u === 1 ? f.imm8! : -f.imm8!;
    // A8.8.72: "if Rt<0> == '1' then UNPREDICTABLE; if t2 == 15 then UNPREDICTABLE; if wback && (n == t || n == t2) then UNPREDICTABLE".
    if ((f.rt! & 1) !== 0 || f.rt === 14) return unpredictableHandler('Rt odd or Rt2 the PC');
    if (writeback && (f.rn === 15 || f.rn === f.rt || f.rn === f.rt! + 1)) return unpredictableHandler('writeback with Rn = PC, Rt or Rt2');
    if (registerOffset && (f.rm === 15 || (isLoad && (f.rm === f.rt || f.rm === f.rt! + 1)))) return unpredictableHandler('Rm the PC, Rt or Rt2');
    return isLoad ? loadDouble : storeDouble;
  };
}

/** Exclusive access sizes by row. */
const EXCLUSIVE_SIZE: Record<string, number> = { '': 4, D: 8, B: 1, H: 2 };

function readSized(s: Arm32State, op: Op, address: number, size: number): number | undefined {
  switch (size) {
    case 1:
      return op.memory.read8(address);
    case 2: {
      const v = op.memory.read16(address);
      return v === undefined || !bigEndianData(s) ? v : reverseBytes16(v);
    }
    default:
      return readWord(s, op, address);
  }
}

/**
 * LDREX{B,H,D} (A8.8.75–A8.8.78): load, and mark the address in the local
 * monitor (MarkExclusiveLocal). `op.imm` = size.
 */
const loadExclusive: A32Handler = (s, op) => {
  const address = s.r[op.src1]! >>> 0;
  const size = op.imm;
  if ((address & (size - 1)) !== 0) return dataFault(op, address, false, size, true);
  const first = readSized(s, op, address, size === 8 ? 4 : size);
  if (first === undefined) return dataFault(op, address, false, size);
  let second = 0;
  if (size === 8) {
    const high = readWord(s, op, (address + 4) >>> 0);
    if (high === undefined) return dataFault(op, (address + 4) >>> 0, false, 4);
    second = high;
  }
  s.r[op.dest] = first;
  if (size === 8) s.r[op.dest + 1] = second;
  s.monitor = address;
  return RETIRED;
};

/**
 * STREX{B,H,D} (A8.8.212–A8.8.215): store only if the local monitor marks
 * this address (ExclusiveMonitorsPass); Rd = 0 on success, 1 otherwise. The
 * monitor returns to Open Access either way. `op.imm` = size, src3 = Rt.
 */
const storeExclusive: A32Handler = (s, op) => {
  const address = s.r[op.src1]! >>> 0;
  const size = op.imm;
  // The alignment check comes before the monitor check (ExclusiveMonitorsPass pseudocode).
  if ((address & (size - 1)) !== 0) return dataFault(op, address, true, size, true);
  if (s.monitor !== address) {
    s.monitor = -1;
    s.r[op.dest] = 1;
    return RETIRED;
  }
  if (!writable(op, address, size)) return dataFault(op, address, true, size);
  const value = s.r[op.src3]!;
  const big = bigEndianData(s);
  if (size === 1) op.memory.write8(address, value & 0xff);
  else if (size === 2) op.memory.write16(address, big ? reverseBytes16(value) : value & 0xffff);
  else writeWord(s, op, address, value);
  if (size === 8) writeWord(s, op, (address + 4) >>> 0, s.r[op.src3 + 1]!);
  s.monitor = -1;
  s.r[op.dest] = 0;
  return RETIRED;
};

function prepareExclusive(suffix: string, isLoad: boolean): Prepare {
  const size = EXCLUSIVE_SIZE[suffix]!;
  return (op, f) => {
    op.imm = size;
    op.src1 = f.rn!;
    if (isLoad) {
      op.dest = f.rt!;
      if (f.rt === 15 || f.rn === 15) return unpredictableHandler('the PC as Rt or Rn');
      if (size === 8 && ((f.rt! & 1) !== 0 || f.rt === 14)) return unpredictableHandler('Rt odd or Rt2 the PC');
      return loadExclusive;
    }
    op.dest = f.rd!;
    op.src3 = f.rt!;
    // A8.8.212: "if d == 15 || t == 15 || n == 15 then UNPREDICTABLE; if d == n || d == t then UNPREDICTABLE".
    if (f.rd === 15 || f.rt === 15 || f.rn === 15) return unpredictableHandler('the PC as Rd, Rt or Rn');
    if (f.rd === f.rn || f.rd === f.rt || (size === 8 && f.rd === f.rt! + 1)) return unpredictableHandler('Rd the same as Rn or Rt');
    if (size === 8 && ((f.rt! & 1) !== 0 || f.rt === 14)) return unpredictableHandler('Rt odd or Rt2 the PC');
    return storeExclusive;
  };
}

/** CLREX (A8.8.32): the local monitor to Open Access. */
const clearExclusive: A32Handler = (s) => {
  s.monitor = -1;
  return RETIRED;
};

/** PLD, PLDW, PLI (A8.8.126–A8.8.130): hints; hyplay has no caches, and a preload never faults. */
const preload: A32Handler = () => RETIRED;

/** The register forms: Rm = PC is UNPREDICTABLE, and for PLD/PLDW so is Rn = PC (A8.8.128, A8.8.130); otherwise a hint like the rest. */
function preloadRegister(instruction: boolean): Prepare {
  return (_op, f) => (f.rm === 15 || (f.rn === 15 && !instruction) ? unpredictableHandler(instruction ? 'PLI (register) with Rm = PC' : 'PLD/PLDW (register) with Rn or Rm = PC') : preload);
}

/**
 * LDRT/STRT/LDRBT/STRBT (A8.8.92 and neighbours) and LDRHT/STRHT/LDRSBT/
 * LDRSHT (A8.8.83, A8.8.87, A8.8.91, A8.8.211): post-indexed accesses made
 * as if from PL0, `size` bytes, sign-extended loads where `signed`: with
 * the MMU on, translated and permission-checked as PL0's (the translating
 * view's `unprivileged`). "UNPREDICTABLE in Hyp mode".
 */
function unprivilegedHandler(isLoad: boolean, size: 1 | 2 | 4, signed: boolean): A32Handler {
  const access: A32Handler = (s, op) => {
    const address = s.r[op.src1]! >>> 0;
    const base = s.r[op.src1]!;
    const offset = (op.variant & REGISTER_OFFSET) === 0 ? op.imm : shiftImmediate(s.r[op.src2]!, op.imm2, op.imm, s.c);
    const next = ((op.variant & ADD_OFFSET) !== 0 || (op.variant & REGISTER_OFFSET) === 0 ? base + offset : base - offset) >>> 0;
    if (isLoad) {
      const value = readSized(s, op, address, size);
      if (value === undefined) return dataFault(op, address, false, size);
      s.r[op.src1] = next;
      s.r[op.dest] = signed ? (size === 1 ? (value << 24) >> 24 : (value << 16) >> 16) : value;
      return RETIRED;
    }
    if (!writable(op, address, size)) return dataFault(op, address, true, size);
    const value = s.r[op.dest]!;
    if (size === 1) op.memory.write8(address, value & 0xff);
    else if (size === 2) op.memory.write16(address, bigEndianData(s) ? reverseBytes16(value) : value & 0xffff);
    else writeWord(s, op, address, value);
    s.r[op.src1] = next;
    return RETIRED;
  };
  return (s, op) => {
    if (s.mode === Mode.hyp) return unpredictable(s, op, 'the unprivileged loads and stores in Hyp mode');
    // Under the MMU the access is checked as PL0's (B3.7.1); without it there is nothing to check.
    const view = op.memory instanceof TranslatedMemory ? op.memory : undefined;
    if (view === undefined) return access(s, op);
    view.unprivileged = true;
    let result: StepResult;
    try {
      result = access(s, op);
    } finally {
      view.unprivileged = false;
    }
    // The exception model looks the fault up again: as the PL0 access it was.
    return result !== RETIRED && result.kind === 'trap' && result.cause === 'data-fault' ? { ...result, unprivileged: true } : result;
  };
}

/** The prepare of one unprivileged row: `immediate` names the offset field of the immediate form (imm12, or the split imm8). */
function prepareUnprivileged(isLoad: boolean, size: 1 | 2 | 4, registerOffset: boolean, signed = false, immediate: 'imm12' | 'imm8' = 'imm12'): Prepare {
  const handler = unprivilegedHandler(isLoad, size, signed);
  return (op, f) => {
    op.dest = f.rt!;
    op.src1 = f.rn!;
    op.variant = (f.u === 1 ? ADD_OFFSET : 0) | (registerOffset ? REGISTER_OFFSET : 0);
    if (registerOffset) {
      op.src2 = f.rm!;
      op.imm2 = f.type ?? 0;
      op.imm = f.imm5 ?? 0;
    } else op.imm = f.u === 1 ? f[immediate]! : -f[immediate]!;
    if (f.rn === 15 || f.rn === f.rt || f.rt === 15 || (registerOffset && f.rm === 15)) return unpredictableHandler('the PC as an operand, or Rn = Rt');
    return handler;
  };
}

/** The user-mode view of register `i` (0–14) from a PL1 or Hyp mode (B9.3.5, B9.3.17: the banked copies). */
function userSlot(s: Arm32State, i: number): number {
  if (i < 8) return i;
  if (i < 13) return s.mode === Mode.fiq ? Slot.usrHigh + i - 8 : i;
  if (i === 13) return Slot.sp + Bank.usr;
  return lrBankOf(s.mode) === Bank.usr ? 14 : Slot.lr + Bank.usr;
}

/** Lowest address of an LDM/STM block. `op.src3` = bytes. */
function blockStart(s: Arm32State, op: Op): number {
  const base = s.r[op.src1]!;
  switch (op.variant & (PRE_INDEX | ADD_OFFSET)) {
    case ADD_OFFSET:
      return base >>> 0;
    case ADD_OFFSET | PRE_INDEX:
      return (base + 4) >>> 0;
    case 0:
      return (base - op.src3 + 4) >>> 0;
    default:
      return (base - op.src3) >>> 0;
  }
}

/** Scratch for the block loads: every word is read before any register changes. */
const loaded = new Int32Array(16);

function loadBlock(s: Arm32State, op: Op): DataFaultTrap | undefined {
  let address = blockStart(s, op);
  if ((address & 3) !== 0) return dataFault(op, address, false, 4, true);
  for (let i = 0; i < 16; i++) {
    if ((op.imm & (1 << i)) === 0) continue;
    const value = readWord(s, op, address);
    if (value === undefined) return dataFault(op, address, false, 4);
    loaded[i] = value;
    address = (address + 4) >>> 0;
  }
  return undefined;
}

/** "UNPREDICTABLE in User or System mode"; the user-register and return forms are UNDEFINED in Hyp (B9.3.5, B9.3.6, B9.3.17). */
function checkMode(s: Arm32State, op: Op): StepResult | undefined {
  if (s.mode === Mode.hyp) return undefinedInstruction(op, `${op.name} is UNDEFINED in Hyp mode`);
  if (s.mode === Mode.usr || s.mode === Mode.sys) return unpredictable(s, op, 'in User or System mode');
  return undefined;
}

/** LDM (user registers), B9.3.5. */
const loadUserRegisters: A32Handler = (s, op) => {
  const bad = checkMode(s, op);
  if (bad !== undefined) return bad;
  const fault = loadBlock(s, op);
  if (fault !== undefined) return fault;
  for (let i = 0; i < 15; i++) if ((op.imm & (1 << i)) !== 0) s.r[userSlot(s, i)] = loaded[i]!;
  return RETIRED;
};

/** STM (user registers), B9.3.17. */
const storeUserRegisters: A32Handler = (s, op) => {
  const bad = checkMode(s, op);
  if (bad !== undefined) return bad;
  const start = blockStart(s, op);
  if ((start & 3) !== 0) return dataFault(op, start, true, 4, true);
  for (let i = 0, address = start; i < op.src3 / 4; i++, address = (address + 4) >>> 0) if (!writable(op, address, 4)) return dataFault(op, address, true, 4);
  // STM (user registers) stores the PC as the instruction's address + 8 (PCStoreValue).
  s.r[15] = (op.address + 8) | 0;
  let address = start;
  for (let i = 0; i < 16; i++) {
    if ((op.imm & (1 << i)) === 0) continue;
    writeWord(s, op, address, i === 15 ? s.r[15]! : s.r[userSlot(s, i)]!);
    address = (address + 4) >>> 0;
  }
  return RETIRED;
};

/**
 * LDM (exception return), B9.3.6: the registers (the PC last), the
 * writeback, then CPSR = SPSR and the branch, which the exception model
 * makes (it checks the return is allowed and traces it).
 */
const loadReturn: A32Handler = (s, op) => {
  const bad = checkMode(s, op);
  if (bad !== undefined) return bad;
  const fault = loadBlock(s, op);
  if (fault !== undefined) return fault;
  if ((op.variant & WRITEBACK) !== 0) s.r[op.src1] = ((op.variant & ADD_OFFSET) !== 0 ? s.r[op.src1]! + op.src3 : s.r[op.src1]! - op.src3) | 0;
  for (let i = 0; i < 15; i++) if ((op.imm & (1 << i)) !== 0) s.r[i] = loaded[i]!;
  const request: ExceptionReturn = { kind: 'return', instruction: 'ldm ^', address: op.address, target: loaded[15]! >>> 0 };
  return request;
};

function prepareUserBlock(kind: 'load' | 'store' | 'return'): Prepare {
  return (op, f) => {
    const mask = kind === 'return' ? f.regs! | 0x8000 : f.regs!;
    let count = 0;
    for (let i = 0; i < 16; i++) if ((mask & (1 << i)) !== 0) count++;
    op.src1 = f.rn!;
    op.imm = mask;
    op.src3 = 4 * count;
    op.variant = (f.p === 1 ? PRE_INDEX : 0) | (f.u === 1 ? ADD_OFFSET : 0) | (f.w === 1 ? WRITEBACK : 0);
    if (f.rn === 15) return unpredictableHandler('Rn = PC');
    if (kind === 'return' && f.w === 1 && (mask & (1 << f.rn!)) !== 0) return unpredictableHandler('writeback with Rn in the list');
    return kind === 'load' ? loadUserRegisters : kind === 'store' ? storeUserRegisters : loadReturn;
  };
}

/** The SP of mode `mode` as a slot of `s.r`: r13 itself when `mode` shares the current mode's bank. */
function stackSlotOf(s: Arm32State, mode: number): number {
  const bank = bankOf(mode);
  return bank === bankOf(s.mode) ? 13 : Slot.sp + bank;
}

/**
 * SRS (B9.3.16): store the current mode's LR and SPSR to the stack of mode
 * `op.imm`, at SP - 8 (decrement) or SP (increment), one word higher when
 * P = U; SP of that mode written back by 8 with W. UNDEFINED in Hyp,
 * UNPREDICTABLE in User or System mode and for a target that is Hyp or no
 * mode.
 */
const storeReturnState: A32Handler = (s, op) => {
  if (s.mode === Mode.hyp) return undefinedInstruction(op, 'SRS is UNDEFINED in Hyp mode');
  if (s.mode === Mode.usr || s.mode === Mode.sys) return unpredictable(s, op, 'SRS in User or System mode');
  const mode = op.imm;
  if (!isValidMode(mode) || mode === Mode.hyp) return unpredictable(s, op, `SRS to mode 0x${mode.toString(16)}`);
  const slot = stackSlotOf(s, mode);
  const base = s.r[slot]! >>> 0;
  const increment = (op.variant & ADD_OFFSET) !== 0;
  const address = ((increment ? base : base - 8) + ((op.variant & PRE_INDEX) !== 0 === increment ? 4 : 0)) >>> 0;
  if ((address & 3) !== 0) return dataFault(op, address, true, 4, true);
  if (!writable(op, address, 4) || !writable(op, (address + 4) >>> 0, 4)) return dataFault(op, writable(op, address, 4) ? (address + 4) >>> 0 : address, true, 4);
  writeWord(s, op, address, s.r[14]!);
  writeWord(s, op, (address + 4) >>> 0, s.r[Slot.spsr + bankOf(s.mode)]!);
  if ((op.variant & WRITEBACK) !== 0) s.r[slot] = (increment ? base + 8 : base - 8) | 0;
  return RETIRED;
};

/**
 * RFE (B9.3.13): load the PC and the CPSR from [Rn] (and Rn + 4), as
 * STRS placed them, Rn written back by 8 with W, then the exception return
 * (the exception model checks the mode change). UNDEFINED in Hyp,
 * UNPREDICTABLE in User mode.
 */
const returnFromException: A32Handler = (s, op) => {
  if (s.mode === Mode.hyp) return undefinedInstruction(op, 'RFE is UNDEFINED in Hyp mode');
  if (s.mode === Mode.usr) return unpredictable(s, op, 'RFE in User mode');
  const base = s.r[op.src1]! >>> 0;
  const increment = (op.variant & ADD_OFFSET) !== 0;
  const address = ((increment ? base : base - 8) + ((op.variant & PRE_INDEX) !== 0 === increment ? 4 : 0)) >>> 0;
  if ((address & 3) !== 0) return dataFault(op, address, false, 4, true);
  const pc = readWord(s, op, address);
  if (pc === undefined) return dataFault(op, address, false, 4);
  const status = readWord(s, op, (address + 4) >>> 0);
  if (status === undefined) return dataFault(op, (address + 4) >>> 0, false, 4);
  if ((op.variant & WRITEBACK) !== 0) s.r[op.src1] = (increment ? base + 8 : base - 8) | 0;
  const request: ExceptionReturn = { kind: 'return', instruction: 'rfe', address: op.address, target: pc >>> 0, status: status >>> 0 };
  return request;
};

function prepareReturnState(store: boolean): Prepare {
  return (op, f) => {
    op.variant = (f.p === 1 ? PRE_INDEX : 0) | (f.u === 1 ? ADD_OFFSET : 0) | (f.w === 1 ? WRITEBACK : 0);
    if (store) {
      op.imm = f.mode!;
      return storeReturnState;
    }
    op.src1 = f.rn!;
    if (f.rn === 15) return unpredictableHandler('RFE with Rn = PC');
    return returnFromException;
  };
}

/** Handlers of this family by table row name. */
export const LOAD_STORE_EXTRA_SEMANTICS: Readonly<Record<string, Prepare>> = {
  LDRD_imm: prepareDouble(true, false),
  LDRD_reg: prepareDouble(true, true),
  STRD_imm: prepareDouble(false, false),
  STRD_reg: prepareDouble(false, true),
  ...Object.fromEntries(Object.keys(EXCLUSIVE_SIZE).flatMap((suffix) => [
    [`LDREX${suffix}`, prepareExclusive(suffix, true)],
    [`STREX${suffix}`, prepareExclusive(suffix, false)],
  ])),
  CLREX: () => clearExclusive,
  PLD: () => preload,
  PLDW: () => preload,
  PLI: () => preload,
  PLD_reg: preloadRegister(false),
  PLDW_reg: preloadRegister(false),
  PLI_reg: preloadRegister(true),
  STRT_imm: prepareUnprivileged(false, 4, false),
  STRT_reg: prepareUnprivileged(false, 4, true),
  LDRT_imm: prepareUnprivileged(true, 4, false),
  LDRT_reg: prepareUnprivileged(true, 4, true),
  STRBT_imm: prepareUnprivileged(false, 1, false),
  STRBT_reg: prepareUnprivileged(false, 1, true),
  LDRBT_imm: prepareUnprivileged(true, 1, false),
  LDRBT_reg: prepareUnprivileged(true, 1, true),
  STRHT_imm: prepareUnprivileged(false, 2, false, false, 'imm8'),
  STRHT_reg: prepareUnprivileged(false, 2, true),
  LDRHT_imm: prepareUnprivileged(true, 2, false, false, 'imm8'),
  LDRHT_reg: prepareUnprivileged(true, 2, true),
  LDRSBT_imm: prepareUnprivileged(true, 1, false, true, 'imm8'),
  LDRSBT_reg: prepareUnprivileged(true, 1, true, true),
  LDRSHT_imm: prepareUnprivileged(true, 2, false, true, 'imm8'),
  LDRSHT_reg: prepareUnprivileged(true, 2, true, true),
  SRS: prepareReturnState(true),
  RFE: prepareReturnState(false),
  LDM_user: prepareUserBlock('load'),
  LDM_return: prepareUserBlock('return'),
  STM_user: prepareUserBlock('store'),
};
