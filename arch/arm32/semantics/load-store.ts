/**
 * A32 loads and stores (ARM ARM A5.3 and A5.2.8): LDR/STR/LDRB/STRB with
 * immediate and register offsets, LDRH/STRH/LDRSB/LDRSH, and LDM/STM in all
 * four block modes. An access to unmapped memory returns a data-fault trap
 * and leaves every register as it was.
 *
 * With CPSR.E = 1 every halfword and word is big-endian (ARM ARM A3.3, the
 * MemA[]/MemU[] pseudocode): guest memory keeps its little-endian order and
 * the value is byte-reversed here. Alignment follows A3.2.1 (Table A3-1):
 * LDM and STM need a word-aligned address whatever SCTLR.A says; the single
 * halfword and word transfers need natural alignment only while SCTLR.A
 * (HSCTLR.A in Hyp) is set, and otherwise make an unaligned access. A
 * misaligned access is an alignment fault (a data-fault trap with `fault:
 * 'alignment'`), checked before the memory is touched.
 *
 * Slots: dest = Rt, src1 = Rn, src2 = Rm, src3 = access kind, imm = offset
 * (signed, immediate forms) or shift amount, imm2 = shift type, variant =
 * addressing bits.
 *
 * @module
 */

import { RETIRED, type DataFaultTrap, type DataTransfer } from '../../../src/interp/step-result.ts';
import type { FieldValues } from '../../../src/isa/instruction-table.ts';
import type { Arm32State } from '../registers.ts';
import {
  bigEndianData,
  interworkingBranch,
  reverseBytes16,
  reverseBytes32,
  shiftImmediate,
  signExtend,
  strictAlignment,
  unpredictableHandler,
  writesPc,
  type A32Handler,
  type Op,
  type Prepare,
} from './common.ts';

const PRE_INDEX = 1;
const WRITEBACK = 2;
const ADD_OFFSET = 4;
const REGISTER_OFFSET = 8;

const WORD = 0;
const BYTE = 1;
const HALF = 2;
const SIGNED_BYTE = 3;
const SIGNED_HALF = 4;

/** `op.variant` bits of a load or store, for code that reads predecoded ops (the JIT's translator). */
export const TransferBits = {
  /** P: the offset applies before the access. */
  preIndex: PRE_INDEX,
  /** The offset address is written back to Rn. */
  writeback: WRITEBACK,
  /** U: the offset is added (else subtracted). */
  addOffset: ADD_OFFSET,
  /** The offset is a shifted register. */
  registerOffset: REGISTER_OFFSET,
} as const;

/** `op.src3` of a load or store: what it transfers. */
export const AccessKind = {
  /** A word. */
  word: WORD,
  /** A byte, zero-extended. */
  byte: BYTE,
  /** A halfword, zero-extended. */
  half: HALF,
  /** A byte, sign-extended. */
  signedByte: SIGNED_BYTE,
  /** A halfword, sign-extended. */
  signedHalf: SIGNED_HALF,
} as const;

const SIZES = [4, 1, 2, 1, 2];

function dataFault(op: Op, faultAddress: number, write: boolean, size: number): DataFaultTrap {
  return { kind: 'trap', cause: 'data-fault', address: op.address, next: op.next, faultAddress, write, size };
}

/**
 * A fault of a single LDR/STR/LDRB/STRB/LDRH/STRH/LDRSB/LDRSH: with the
 * register it moves when the form has a valid syndrome, which is when it
 * does not write back (post-indexed forms always do). The ARM ARM's HSR
 * description (B3.13.6) gives ISV = 1 for these instructions only without
 * writeback; abi-facts §12.4 (Russell's pre-merge decoder) also names "the
 * PC as destination" among the ISV = 0 causes, while v3.9's `decode_hsr`
 * handles SRT = 15 (a load into the PC, §12.7): hyplay follows the latter
 * and gives ISV = 1 with SRT = 15 for `ldr pc, [rn]` (a conflict in the
 * sources, reported).
 */
function singleFault(op: Op, faultAddress: number, write: boolean, size: number): DataFaultTrap {
  if ((op.variant & WRITEBACK) !== 0) return dataFault(op, faultAddress, write, size);
  const transfer: DataTransfer = { register: op.dest, signExtend: op.src3 === SIGNED_BYTE || op.src3 === SIGNED_HALF, wide: false, acquireRelease: false };
  return { kind: 'trap', cause: 'data-fault', address: op.address, next: op.next, faultAddress, write, size, transfer };
}

/** An alignment fault (ARM ARM A3.2.1; reported as DFSR.FS = 0b00001 / DFSC 0b100001 by the exception model). */
function alignmentFault(op: Op, faultAddress: number, write: boolean, size: number): DataFaultTrap {
  return { kind: 'trap', cause: 'data-fault', address: op.address, next: op.next, faultAddress, write, size, fault: 'alignment' };
}

/** A single transfer of `size` bytes at `address` is misaligned and strict alignment checking is on (Table A3-1). */
function misaligned(s: Arm32State, address: number, size: number): boolean {
  return (address & (size - 1)) !== 0 && strictAlignment(s);
}

/** The offset address (Rn ± offset). */
function offsetAddress(s: Arm32State, op: Op): number {
  const base = s.r[op.src1]!;
  if ((op.variant & REGISTER_OFFSET) === 0) return (base + op.imm) >>> 0;
  const offset = shiftImmediate(s.r[op.src2]!, op.imm2, op.imm, s.c);
  return ((op.variant & ADD_OFFSET) !== 0 ? base + offset : base - offset) >>> 0;
}

/** LDR, LDRB, LDRH, LDRSB, LDRSH (kind in `src3`). */
export const load: A32Handler = (s, op) => {
  const offsetAddr = offsetAddress(s, op);
  const address = (op.variant & PRE_INDEX) !== 0 ? offsetAddr : s.r[op.src1]! >>> 0;
  const memory = op.memory;
  if (misaligned(s, address, SIZES[op.src3]!)) return alignmentFault(op, address, false, SIZES[op.src3]!);
  let value: number | undefined;
  switch (op.src3) {
    case WORD: {
      const v = memory.read32(address);
      value = v === undefined || !bigEndianData(s) ? v : reverseBytes32(v) >>> 0;
      break;
    }
    case BYTE:
      value = memory.read8(address);
      break;
    case HALF: {
      const v = memory.read16(address);
      value = v === undefined || !bigEndianData(s) ? v : reverseBytes16(v);
      break;
    }
    case SIGNED_BYTE: {
      const v = memory.read8(address);
      value = v === undefined ? undefined : signExtend(v, 8) >>> 0;
      break;
    }
    default: {
      const v = memory.read16(address);
      value = v === undefined ? undefined : signExtend(bigEndianData(s) ? reverseBytes16(v) : v, 16) >>> 0;
    }
  }
  if (value === undefined) return singleFault(op, address, false, SIZES[op.src3]!);
  if ((op.variant & WRITEBACK) !== 0) s.r[op.src1] = offsetAddr;
  s.r[op.dest] = value;
  return RETIRED;
};

/** STR, STRB, STRH (kind in `src3`). */
export const store: A32Handler = (s, op) => {
  const offsetAddr = offsetAddress(s, op);
  const address = (op.variant & PRE_INDEX) !== 0 ? offsetAddr : s.r[op.src1]! >>> 0;
  const memory = op.memory;
  if (misaligned(s, address, SIZES[op.src3]!)) return alignmentFault(op, address, true, SIZES[op.src3]!);
  const value = s.r[op.dest]!;
  const big = bigEndianData(s);
  const ok =
    op.src3 === WORD
      ? memory.write32(address, big ? reverseBytes32(value) : value)
      : op.src3 === BYTE
        ? memory.write8(address, value & 0xff)
        : memory.write16(address, big ? reverseBytes16(value) : value & 0xffff);
  if (!ok) return singleFault(op, address, true, SIZES[op.src3]!);
  if ((op.variant & WRITEBACK) !== 0) s.r[op.src1] = offsetAddr;
  return RETIRED;
};

function prepareTransfer(kind: number, isLoad: boolean, registerOffset: boolean): Prepare {
  return (op: Op, f: FieldValues) => {
    const pre = f.p === 1;
    const writeback = !pre || f.w === 1;
    op.dest = f.rt!;
    op.src1 = f.rn!;
    op.src3 = kind;
    op.variant = (pre ? PRE_INDEX : 0) | (writeback ? WRITEBACK : 0) | (f.u === 1 ? ADD_OFFSET : 0) | (registerOffset ? REGISTER_OFFSET : 0);
    if (registerOffset) {
      op.src2 = f.rm!;
      op.imm = f.imm5 ?? 0;
      op.imm2 = f.type ?? 0;
      if (f.rm === 15) return unpredictableHandler('register offset may not be the PC');
    } else {
      const magnitude = f.imm12 ?? f.imm8!;
      op.imm = f.u === 1 ? magnitude : -magnitude;
    }
    if (writeback && (f.rn === 15 || f.rn === f.rt)) return unpredictableHandler('writeback with Rn = PC or Rn = Rt');
    // STRB and STRH (A8.8.207, A8.8.217 and their register forms): "if t == 15 then UNPREDICTABLE".
    if (!isLoad && kind !== WORD && f.rt === 15) return unpredictableHandler('byte and halfword stores of the PC');
    if (!isLoad) return store;
    if (f.rt !== 15) return load;
    if (kind !== WORD) return unpredictableHandler('byte and halfword loads to the PC');
    return writesPc(load);
  };
}

/** Scratch for LDM so that a fault part-way leaves every register unchanged. */
const loaded = new Uint32Array(16);

/** Lowest address of an LDM/STM block (ARM ARM A8.8.58 and neighbours). */
function blockStart(s: Arm32State, op: Op): number {
  const base = s.r[op.src1]!;
  const bytes = 4 * op.src2;
  switch (op.variant & (PRE_INDEX | ADD_OFFSET)) {
    case ADD_OFFSET:
      return base >>> 0; // IA
    case ADD_OFFSET | PRE_INDEX:
      return (base + 4) >>> 0; // IB
    case 0:
      return (base - bytes + 4) >>> 0; // DA
    default:
      return (base - bytes) >>> 0; // DB
  }
}

function writebackBlock(s: Arm32State, op: Op): void {
  if ((op.variant & WRITEBACK) === 0) return;
  const bytes = 4 * op.src2;
  s.r[op.src1] = ((op.variant & ADD_OFFSET) !== 0 ? s.r[op.src1]! + bytes : s.r[op.src1]! - bytes) >>> 0;
}

/** LDM in any block mode; all words are read before any register changes. */
export const loadMultiple: A32Handler = (s, op) => {
  const memory = op.memory;
  const mask = op.imm;
  let address = blockStart(s, op);
  // MemA[]: LDM needs a word-aligned address whatever SCTLR.A says (ARM ARM A3.2.1, Table A3-1).
  if ((address & 3) !== 0) return alignmentFault(op, address, false, 4);
  const big = bigEndianData(s);
  for (let i = 0; i < 16; i++) {
    if ((mask & (1 << i)) === 0) continue;
    const value = memory.read32(address);
    if (value === undefined) return dataFault(op, address, false, 4);
    loaded[i] = big ? reverseBytes32(value) : value;
    address = (address + 4) >>> 0;
  }
  writebackBlock(s, op);
  for (let i = 0; i < 15; i++) if ((mask & (1 << i)) !== 0) s.r[i] = loaded[i]!;
  if ((mask & 0x8000) !== 0) return interworkingBranch(s, op, loaded[15]!);
  return RETIRED;
};

/** STM in any block mode; the alignment and every word's mapping are checked before any is written. */
export const storeMultiple: A32Handler = (s, op) => {
  const memory = op.memory;
  const mask = op.imm;
  const start = blockStart(s, op);
  // MemA[]: STM needs a word-aligned address whatever SCTLR.A says (ARM ARM A3.2.1, Table A3-1).
  if ((start & 3) !== 0) return alignmentFault(op, start, true, 4);
  for (let i = 0, address = start; i < op.src2; i++, address = (address + 4) >>> 0) {
    if (!memory.isWritable(address) || !memory.isWritable(address + 3)) return dataFault(op, address, true, 4);
  }
  const big = bigEndianData(s);
  let address = start;
  for (let i = 0; i < 16; i++) {
    if ((mask & (1 << i)) === 0) continue;
    memory.write32(address, big ? reverseBytes32(s.r[i]!) : s.r[i]!);
    address = (address + 4) >>> 0;
  }
  writebackBlock(s, op);
  return RETIRED;
};

function prepareBlock(isLoad: boolean): Prepare {
  return (op, f) => {
    op.src1 = f.rn!;
    op.imm = f.regs!;
    let count = 0;
    for (let i = 0; i < 16; i++) if ((f.regs! & (1 << i)) !== 0) count++;
    op.src2 = count;
    op.variant = (f.p === 1 ? PRE_INDEX : 0) | (f.u === 1 ? ADD_OFFSET : 0) | (f.w === 1 ? WRITEBACK : 0);
    if (f.rn === 15) return unpredictableHandler('LDM/STM with Rn = PC');
    // LDM (A8.8.58 and neighbours): "if wback && registers<n> == '1' && ArchVersion() >= 7 then UNPREDICTABLE".
    // (STM stores an UNKNOWN value for such an Rn unless it is the lowest register: hyplay stores the old base.)
    if (isLoad && f.w === 1 && (f.regs! & (1 << f.rn!)) !== 0) return unpredictableHandler('LDM with writeback and Rn in the list');
    return isLoad ? loadMultiple : storeMultiple;
  };
}

/** Handlers of this family by table row name. */
export const LOAD_STORE_SEMANTICS: Readonly<Record<string, Prepare>> = {
  LDR_imm: prepareTransfer(WORD, true, false),
  LDR_reg: prepareTransfer(WORD, true, true),
  STR_imm: prepareTransfer(WORD, false, false),
  STR_reg: prepareTransfer(WORD, false, true),
  LDRB_imm: prepareTransfer(BYTE, true, false),
  LDRB_reg: prepareTransfer(BYTE, true, true),
  STRB_imm: prepareTransfer(BYTE, false, false),
  STRB_reg: prepareTransfer(BYTE, false, true),
  LDRH_imm: prepareTransfer(HALF, true, false),
  LDRH_reg: prepareTransfer(HALF, true, true),
  STRH_imm: prepareTransfer(HALF, false, false),
  STRH_reg: prepareTransfer(HALF, false, true),
  LDRSB_imm: prepareTransfer(SIGNED_BYTE, true, false),
  LDRSB_reg: prepareTransfer(SIGNED_BYTE, true, true),
  LDRSH_imm: prepareTransfer(SIGNED_HALF, true, false),
  LDRSH_reg: prepareTransfer(SIGNED_HALF, true, true),
  LDM: prepareBlock(true),
  STM: prepareBlock(false),
};
