/**
 * Random straight-line A32 sequences for the differential test against
 * Unicorn, generated from the instruction table itself: every row of
 * `ARM32_TABLE` is drawn with uniform field values, so a new row is covered
 * as soon as it exists. What cannot run as a straight-line sequence in usr
 * mode is left out by name, with the reason: whole rows
 * ({@link ARM32_EXCLUDED_ROWS}) and field values ({@link ARM32_EXCLUSIONS}).
 * A few rows get their fields chosen rather than drawn, so that they stay
 * straight-line: branches target the next instruction, BX/BLX get the next
 * instruction's address in Rm, loads and stores get a base (and offset)
 * register aimed at the data window, cp15 moves name a register usr mode
 * may access. Those prepared registers are set by MOVW/MOVT "setup"
 * instructions placed just before, which are tested like any other.
 *
 * Layout (the same on both sides): code at {@link CODE} inside a mapped
 * region of {@link CODE_REGION_SIZE} bytes (so PC-relative loads stay
 * mapped), data at {@link DATA} (one page, its first {@link WINDOW} bytes
 * random, where every access lands).
 *
 * @module
 */

import { CP15_REGISTERS, Mode, Psr } from '../../arch/arm32/registers.ts';
import { ARM32_TABLE } from '../../arch/arm32/table.ts';
import type { FieldValues, TableEntry } from '../../src/isa/instruction-table.ts';
import type { Coverage, DiffCase, Exclusion, SequenceInstruction } from './differential.ts';
import type { Random } from './random.ts';

/** Start of the mapped code region. */
export const CODE_REGION = 0x1_0000;
/** Size of the code region: a page below the code and a page above it, so PC-relative loads stay mapped. */
export const CODE_REGION_SIZE = 0x3000;
/** Where a sequence starts. */
export const CODE = 0x1_1000;
/** The data page. */
export const DATA = 0x2_0000;
/** Size of the mapped data page. */
export const DATA_SIZE = 0x1000;
/** Bytes at the start of the data page that start random and that every access targets. */
export const WINDOW = 0x400;
/** WFI: hyplay's end of a sequence (the reference stops before it). */
export const TERMINATOR = 0xe320_f003;

/** Non-setup instructions per sequence. */
const MIN_LENGTH = 4;
const MAX_LENGTH = 16;

/** Rows that never appear, each with the reason. */
export const ARM32_EXCLUDED_ROWS: ReadonlyMap<string, Exclusion> = new Map(
  (
    [
      ['SVC', 'exception', 'SVC raises the Supervisor Call exception: the sequence would leave usr mode'],
      ['HVC', 'exception', 'HVC is UNDEFINED at PL0 (ARM ARM B9.3.4): an Undefined Instruction exception'],
      ['SMC', 'exception', 'SMC is UNDEFINED at PL0 (B6.1.13): an Undefined Instruction exception'],
      ['ERET', 'exception', 'ERET is UNDEFINED at PL0 (B9.3.3): an Undefined Instruction exception'],
      ['BKPT', 'exception', 'BKPT is a debug event, taken as a Prefetch Abort (C4.3)'],
      ['UDF', 'exception', 'UDF is permanently UNDEFINED: an Undefined Instruction exception'],
      ['WFI', 'waits', 'WFI waits for an interrupt that nothing raises: hyplay ends the run, Unicorn halts the CPU'],
      ['MRS_banked', 'exception', 'banked-register MRS is UNPREDICTABLE in usr mode (B9.3.9); QEMU and hyplay make it UNDEFINED'],
      ['MSR_banked', 'exception', 'banked-register MSR is UNPREDICTABLE in usr mode (B9.3.10); QEMU and hyplay make it UNDEFINED'],
      ['LDM_user', 'unpredictable', 'LDM (user registers) is UNPREDICTABLE in usr mode (B9.3.5)'],
      ['LDM_return', 'unpredictable', 'LDM (exception return) is UNPREDICTABLE in usr mode (B9.3.6)'],
      ['STM_user', 'unpredictable', 'STM (user registers) is UNPREDICTABLE in usr mode (B9.3.17)'],
      ['SRS', 'unpredictable', 'SRS is UNPREDICTABLE in usr mode (B9.3.16)'],
      ['RFE', 'unpredictable', 'RFE is UNPREDICTABLE in usr mode (B9.3.13)'],
      ...(['LDREX', 'STREX', 'LDREXB', 'STREXB', 'LDREXH', 'STREXH', 'LDREXD', 'STREXD'] as const).map(
        (row) => [row, 'monitor', 'the exclusives compare monitors, and QEMU (so Unicorn) checks the value as well as the address (a documented IMPLEMENTATION DEFINED freedom, A3.4.5): test/arch/arm32/kernel-forms.test.ts covers them'] as const,
      ),
    ] as const
  ).map(([row, name, reason]) => [row, { name, reason }]),
);

/** cp15 registers usr mode may read (MRC) or write (MCR): the pl0 ones of `CP15_REGISTERS`, an operation only by MCR. */
function pl0Registers(write: boolean, width: 32 | 64): readonly (typeof CP15_REGISTERS)[number][] {
  return CP15_REGISTERS.filter((r) => r.width === width && (r.level === 'pl0-rw' || (!write && r.level === 'pl0-ro')) && (write || r.operation !== true));
}

const CP15_CHOICES: Readonly<Record<string, readonly (typeof CP15_REGISTERS)[number][]>> = {
  MRC: pl0Registers(false, 32),
  MCR: pl0Registers(true, 32),
  MRRC: pl0Registers(false, 64),
  MCRR: pl0Registers(true, 64),
};

// A cp15 row with no register usr mode may access is excluded whole, derived from the register list.
const EXCLUDED_ROWS = new Map(ARM32_EXCLUDED_ROWS);
for (const [row, registers] of Object.entries(CP15_CHOICES)) {
  if (registers.length === 0) EXCLUDED_ROWS.set(row, { name: 'exception', reason: `no modelled cp15 register of this width is accessible at PL0, so ${row} is UNDEFINED in usr mode` });
}

/** The whole-row exclusions, including the cp15 rows with no PL0 register. */
export const ARM32_EXCLUDED: ReadonlyMap<string, Exclusion> = EXCLUDED_ROWS;

/** A field-value exclusion: the rows it concerns and the values it rejects. */
interface FieldExclusion extends Exclusion {
  /** True for the field values this exclusion rejects on `row`. */
  readonly rejects: (row: string, f: FieldValues) => boolean;
}

const DATA_PROCESSING = /^(AND|EOR|SUB|RSB|ADD|ADC|SBC|RSC|TST|TEQ|CMP|CMN|ORR|MOV|BIC|MVN)_(imm|reg|rsr)$/;
const COMPARE = /^(TST|TEQ|CMP|CMN)_/;
const SINGLE = /^(LDR|STR|LDRB|STRB|LDRH|STRH|LDRSB|LDRSH|LDRT|STRT|LDRBT|STRBT|LDRHT|STRHT|LDRSBT|LDRSHT)_(imm|reg)$/;
/** The doubleword transfers (A8.8.72–A8.8.74, A8.8.210, A8.8.211): Rt even, Rt2 = Rt + 1, word-aligned addresses. */
const DOUBLE = /^(LDRD|STRD)_(imm|reg)$/;
const isLoad = (row: string): boolean => row.startsWith('LD');
const KERNEL_MEDIA = /^(CLZ|REV|REV16|REVSH|RBIT|UBFX|SBFX|BFI|BFC|[SU]XTA?[BH])$/;
const KERNEL_MULTIPLY = /^(UMULL|UMLAL|SMULL|SMLAL|UMAAL|MLS|SDIV|UDIV)$/;

/** Writeback in a single transfer: post-indexed, or pre-indexed with W. */
function writesBack(f: FieldValues): boolean {
  // The unprivileged rows (LDRT and family) have no P or W: always post-indexed, always written back.
  return f.p === undefined || f.p === 0 || f.w === 1;
}

/** Field values left out, each with the reason. */
export const ARM32_EXCLUSIONS: readonly FieldExclusion[] = [
  {
    name: 'writes-pc',
    reason: 'an instruction that writes the PC is a branch (with S = 1 an exception return, UNPREDICTABLE in usr): data processing with Rd = PC, loads to the PC, LDM with the PC listed',
    rejects: (row, f) =>
      (DATA_PROCESSING.test(row) && !COMPARE.test(row) && f.rd === 15) || (SINGLE.test(row) && isLoad(row) && f.rt === 15) || (row === 'LDM' && (f.regs! & 0x8000) !== 0),
  },
  {
    name: 'unpredictable',
    reason:
      'UNPREDICTABLE in the ARM ARM, where hyplay stops rather than pick a behaviour: the register-shifted-register forms with the PC, MOVW/MOVT/MUL/MLA with the PC, ' +
      'load/store writeback with Rn = PC or Rn = Rt (or Rt2 for LDRD/STRD), a PC register offset, LDRD with Rm = Rt or Rt2, preload register operands that are the PC, STRB/STRH of the PC, LDM/STM with Rn = PC, LDM writeback with Rn listed, MRS to and MSR or MCR from the PC',
    rejects: (row, f) => {
      if (/_rsr$/.test(row)) return f.rd === 15 || f.rn === 15 || f.rm === 15 || f.rs === 15;
      if (row === 'MOVW' || row === 'MOVT') return f.rd === 15;
      if (row === 'MUL' || row === 'MLA') return f.rd === 15 || f.rn === 15 || f.rm === 15 || (row === 'MLA' && f.ra === 15);
      if (SINGLE.test(row)) {
        if (writesBack(f) && (f.rn === 15 || f.rn === f.rt)) return true;
        if (f.rm === 15) return true;
        return !isLoad(row) && row !== 'STR_imm' && row !== 'STR_reg' && f.rt === 15;
      }
      if (DOUBLE.test(row)) {
        // A8.8.72–A8.8.74, A8.8.210, A8.8.211: writeback with Rn = PC, Rt or Rt2; Rm = PC; a load's Rm = Rt or Rt2.
        if (writesBack(f) && (f.rn === 15 || f.rn === f.rt || f.rn === f.rt! + 1)) return true;
        return f.rm === 15 || (isLoad(row) && f.rm !== undefined && (f.rm === f.rt || f.rm === f.rt! + 1));
      }
      if (row === 'LDM' || row === 'STM') return f.rn === 15 || (row === 'LDM' && f.w === 1 && (f.regs! & (1 << f.rn!)) !== 0);
      // PLD/PLDW/PLI (register), A8.8.128, A8.8.130: Rm = PC, and Rn = PC for PLD/PLDW.
      if (row === 'PLD_reg' || row === 'PLDW_reg' || row === 'PLI_reg') return f.rm === 15 || (row !== 'PLI_reg' && f.rn === 15);
      if (row === 'MRS') return f.rd === 15;
      if (row === 'MSR_reg') return f.rn === 15;
      if (row === 'MCR' || row === 'MCRR') return f.rt === 15 || f.rt2 === 15;
      // The kernel rows (arch/arm32/kernel-rows.ts): the PC as an operand, a field past bit 31, RdHi = RdLo.
      if (KERNEL_MEDIA.test(row)) return f.rd === 15 || f.rm === 15 || f.rn === 15 || (f.widthm1 !== undefined && f.lsb! + f.widthm1 + 1 > 32);
      if (KERNEL_MULTIPLY.test(row)) return f.rd === 15 || f.rn === 15 || f.rm === 15 || f.ra === 15 || f.rdlo === 15 || f.rdhi === 15 || (f.rdlo !== undefined && f.rdlo === f.rdhi);
      return false;
    },
  },
  {
    name: 'spsr',
    reason: 'usr mode has no SPSR: MRS and MSR of the SPSR are UNDEFINED there',
    rejects: (row, f) => (row === 'MRS' || row === 'MSR_reg' || row === 'MSR_imm') && f.r === 1,
  },
  {
    name: 'pc-relative-store',
    reason: 'a store relative to the PC writes the code region: self-modifying code needs cache maintenance that a straight-line sequence cannot do',
    rejects: (row, f) => (SINGLE.test(row) || DOUBLE.test(row)) && !isLoad(row) && f.rn === 15,
  },
  {
    name: 'bx-pc',
    reason: 'BX PC and BLX PC branch to the instruction after the next, which is not straight-line',
    rejects: (row, f) => (row === 'BX' || row === 'BLX_reg') && f.rm === 15,
  },
];

/** Generator limitations (not instruction exclusions), counted like them. */
export const ARM32_LIMITS: readonly Exclusion[] = [
  {
    name: 'unplaceable',
    reason: 'a register offset with Rn = Rm (or RRX) for which the generator finds no base value that lands in the data window; the draw is made again',
  },
  { name: 'other-row', reason: 'the drawn fields decode as another row (an overlap or a table exclusion); the draw is made again' },
];

/** An instruction as a sequence entry. */
function instruction(row: string, fields: FieldValues, setup = false): SequenceInstruction {
  return { word: ARM32_TABLE.encode(ARM32_TABLE.entry(row)!, fields), row, setup };
}

/** MOVW/MOVT setting `rd` to `value`. */
function setRegister(rd: number, value: number): SequenceInstruction[] {
  const out = [instruction('MOVW', { cond: 14, rd, imm16: value & 0xffff }, true)];
  if (value >>> 16 !== 0) out.push(instruction('MOVT', { cond: 14, rd, imm16: value >>> 16 }, true));
  return out;
}

/** MOVW and MOVT setting `rd` to `value`: always two instructions, for setups whose length must be known in advance. */
function setRegisterExactly(rd: number, value: number): SequenceInstruction[] {
  return [instruction('MOVW', { cond: 14, rd, imm16: value & 0xffff }, true), instruction('MOVT', { cond: 14, rd, imm16: value >>> 16 }, true)];
}

/** A random condition, AL a third of the time. */
function condition(random: Random): number {
  return random.chance(1 / 3) ? 14 : random.below(15);
}

function drawFields(entry: TableEntry, random: Random): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const layout of entry.pattern.fields.values()) fields[layout.name] = random.bits(layout.width);
  if ('cond' in fields) fields.cond = condition(random);
  return fields;
}

/** Shift_C of an immediate shift with C = 1 (RRX is only drawn after a `cmp` that sets C). */
function shifted(value: number, type: number, imm5: number): number {
  const v = value >>> 0;
  switch (type) {
    case 0:
      return (v << imm5) >>> 0;
    case 1:
      return imm5 === 0 ? 0 : v >>> imm5;
    case 2:
      return (imm5 === 0 ? v >> 31 : (v | 0) >> imm5) >>> 0;
    default:
      return imm5 === 0 ? ((1 << 31) | (v >>> 1)) >>> 0 : ((v >>> imm5) | (v << (32 - imm5))) >>> 0;
  }
}

/** A random address in the window for an access of `size` bytes, naturally aligned with probability `aligned`. */
function target(random: Random, size: number, aligned: number): number {
  const offset = random.below(WINDOW - size + 1);
  return DATA + (random.chance(aligned) ? offset - (offset % size) : offset);
}

function inWindow(address: number, size: number): boolean {
  return address >= DATA && address + size <= DATA + WINDOW;
}

/**
 * Rm's value for a pre-indexed register offset with Rn = Rm: the value v
 * with v ± shift(v) in the window, or `undefined`.
 */
function sameRegisterBase(random: Random, size: number, add: boolean, type: number, imm5: number): number | undefined {
  const at = (v: number): number => ((add ? v + shifted(v, type, imm5) : v - shifted(v, type, imm5)) >>> 0);
  const want = target(random, size, 0.5);
  const candidates: number[] = [];
  if (type === 0) {
    // v × (1 ± 2^k): exact through the inverse modulo 2^32 when the multiplier is odd.
    const multiplier = BigInt.asUintN(32, add ? 1n + (1n << BigInt(imm5)) : 1n - (1n << BigInt(imm5)));
    if ((multiplier & 1n) === 1n) {
      let inverse = 1n;
      for (let i = 0; i < 5; i++) inverse = BigInt.asUintN(32, inverse * (2n - multiplier * inverse));
      candidates.push(Number(BigInt.asUintN(32, BigInt(want) * inverse)));
    } else if (add) candidates.push(want >>> 1);
  } else if (type === 1 || type === 2) {
    // v ± (v >> k) is monotonic in v below 2^31: bisect.
    let low = 0;
    let high = 0x7fff_ffff;
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (at(mid) < want) low = mid + 1;
      else high = mid;
    }
    candidates.push(low, low + 1);
  }
  for (const v of candidates) if (inWindow(at(v), size)) return v;
  return undefined;
}

/** A prepared instruction: the setup that precedes it, then the instruction. */
interface Prepared {
  readonly setup: SequenceInstruction[];
  readonly fields: FieldValues;
}

/**
 * Aim a single load or store at the window: the base (and the offset
 * register of the register forms) set by setup instructions. `address` is
 * where the instruction itself will sit (for a PC-relative load).
 */
function prepareSingle(row: string, f: Record<string, number>, random: Random, address: (setupLength: number) => number): Prepared | 'unplaceable' {
  const size = /^(LDR|STR)T?_/.test(row) ? 4 : /BT?_/.test(row) ? 1 : 2;
  const register = row.endsWith('_reg');
  const shiftForm = register && 'type' in f;
  const type = shiftForm ? f.type! : 0;
  const imm5 = shiftForm ? f.imm5! : 0;
  const rrx = shiftForm && type === 3 && imm5 === 0;
  const add = f.u === 1;
  const pre = f.p === 1;
  const immediate = register ? 0 : (f.imm12 ?? f.imm8!);
  const setup: SequenceInstruction[] = [];
  // RRX shifts the carry in: a `cmp rm, rm` first makes C = 1, which `shifted` assumes.
  if (rrx) setup.push(instruction('CMP_reg', { cond: 14, rn: f.rm!, imm5: 0, type: 0, rm: f.rm! }, true));
  if (f.rn === 15) {
    // PC-relative (loads only): the base is the instruction's address + 8, the offset must keep the access in the code region.
    const setupLength = setup.length + (register ? 2 : 0);
    const base = address(setupLength) + 8;
    let offset = immediate;
    if (register) {
      const v = random.below(0x800) & ~((1 << imm5) - 1);
      offset = shifted(v, type, imm5);
      setup.push(...setRegisterExactly(f.rm!, v));
    }
    const at = (add ? base + offset : base - offset) >>> 0;
    if (at < CODE_REGION || at + size > CODE_REGION + CODE_REGION_SIZE) return 'unplaceable';
    return { setup, fields: f };
  }
  if (register && f.rm === f.rn) {
    if (!pre) {
      setup.push(...setRegister(f.rn!, target(random, size, 0.5)));
      return { setup, fields: f };
    }
    if (rrx) return 'unplaceable';
    const v = sameRegisterBase(random, size, add, type, imm5);
    if (v === undefined) return 'unplaceable';
    setup.push(...setRegister(f.rn!, v));
    return { setup, fields: f };
  }
  const want = target(random, size, 0.5);
  let offset = immediate;
  if (register) {
    const v = random.word();
    offset = shifted(v, type, imm5);
    setup.push(...setRegister(f.rm!, v));
  }
  const base = pre ? ((add ? want - offset : want + offset) >>> 0) : want;
  setup.push(...setRegister(f.rn!, base));
  return { setup, fields: f };
}

/** A word-aligned address in the window for a doubleword transfer (doubleword-aligned half the time). */
function doubleTarget(random: Random): number {
  const offset = random.below(WINDOW - 8 + 1);
  return DATA + (random.chance(0.5) ? offset - (offset % 8) : offset - (offset % 4));
}

/**
 * Aim an LDRD/STRD at the window, word-aligned (LDRD/STRD need a
 * word-aligned address whatever SCTLR.A says, A3.2.1): the base and the
 * offset register set by setup instructions. A PC-relative LDRD (the
 * literal form, Rn = PC without writeback) keeps a word-aligned access in
 * the code region.
 */
function prepareDouble(row: string, f: Record<string, number>, random: Random, address: (setupLength: number) => number): Prepared | 'unplaceable' {
  const register = row.endsWith('_reg');
  const add = f.u === 1;
  const pre = f.p === 1;
  const setup: SequenceInstruction[] = [];
  if (f.rn === 15) {
    const offset = register ? 4 * random.below(0x200) : f.imm8! & ~3;
    if (register) setup.push(...setRegisterExactly(f.rm!, offset));
    else f.imm8 = offset;
    const base = address(setup.length) + 8;
    const at = (add ? base + offset : base - offset) >>> 0;
    if (at < CODE_REGION || at + 8 > CODE_REGION + CODE_REGION_SIZE) return 'unplaceable';
    return { setup, fields: f };
  }
  const want = doubleTarget(random);
  if (register && f.rm === f.rn) {
    if (!pre) setup.push(...setRegister(f.rn!, want));
    // Pre-indexed Rn + Rn = want: Rn = want / 2 (Rn - Rn is 0, never in the window).
    else if (add) setup.push(...setRegister(f.rn!, want >>> 1));
    else return 'unplaceable';
    return { setup, fields: f };
  }
  let offset: number;
  if (register) {
    offset = random.word();
    setup.push(...setRegister(f.rm!, offset));
  } else {
    // The immediate made a multiple of 4 so that a pre-indexed address and the written-back base stay word-aligned.
    f.imm8 = f.imm8! & ~3;
    offset = f.imm8;
  }
  setup.push(...setRegister(f.rn!, (pre ? (add ? want - offset : want + offset) : want) >>> 0));
  return { setup, fields: f };
}

/** Aim an LDM/STM block at the window, word-aligned most of the time (an unaligned block must take an alignment fault). */
function prepareBlock(f: Record<string, number>, random: Random): Prepared {
  let count = 0;
  for (let i = 0; i < 16; i++) if ((f.regs! & (1 << i)) !== 0) count++;
  const start = DATA + random.below(WINDOW - 4 * count + 1);
  const lowest = random.chance(0.85) ? start - (start % 4) : start;
  // Rn for the block mode (ARM ARM A8.8.58 and neighbours): IA = lowest, IB = lowest - 4, DA = lowest + 4n - 4, DB = lowest + 4n.
  const rn = f.p === 0 ? (f.u === 1 ? lowest : lowest + 4 * count - 4) : f.u === 1 ? lowest - 4 : lowest + 4 * count;
  return { setup: setRegister(f.rn!, rn >>> 0), fields: f };
}

/**
 * Draw one instruction of `row` (with its setup), or the name of the
 * exclusion that rejected the draw. `address(n)` is where the instruction
 * will sit after `n` setup instructions.
 */
function drawInstruction(row: string, random: Random, address: (setupLength: number) => number): SequenceInstruction[] | string {
  const entry = ARM32_TABLE.entry(row)!;
  const f = drawFields(entry, random);
  const cp15 = CP15_CHOICES[row];
  if (cp15 !== undefined) {
    const register = random.pick(cp15);
    f.opc1 = register.opc1;
    f.crm = register.crm;
    if ('crn' in f) f.crn = register.crn;
    if ('opc2' in f) f.opc2 = register.opc2;
  }
  // Branches target the next instruction (B/BL: imm24 = -1, i.e. PC + 8 - 4).
  if (row === 'B' || row === 'BL') f.imm24 = 0xff_ffff;
  // A legal doubleword pair: Rt even and below the LR (an odd Rt, or Rt = LR with Rt2 = PC, is UNPREDICTABLE; the table leaves them out).
  if (DOUBLE.test(row)) f.rt = 2 * random.below(7);
  for (const exclusion of ARM32_EXCLUSIONS) if (exclusion.rejects(row, f)) return exclusion.name;
  let prepared: Prepared | 'unplaceable' = { setup: [], fields: f };
  if (SINGLE.test(row)) prepared = prepareSingle(row, f, random, address);
  else if (DOUBLE.test(row)) prepared = prepareDouble(row, f, random, address);
  else if (row === 'LDM' || row === 'STM') prepared = prepareBlock(f, random);
  else if (row === 'BX' || row === 'BLX_reg') {
    prepared = { setup: setRegisterExactly(f.rm!, address(2) + 4), fields: f };
  }
  if (prepared === 'unplaceable') return 'unplaceable';
  const main = instruction(row, prepared.fields);
  const decoded = ARM32_TABLE.decode(main.word);
  if (decoded === undefined || decoded.entry.def.name !== row) return 'other-row';
  return [...prepared.setup, main];
}

/** Rows the generator draws from: every table row not excluded whole. */
export const ARM32_DRAWN_ROWS: readonly string[] = ARM32_TABLE.written.map((e) => e.def.name).filter((name) => !EXCLUDED_ROWS.has(name));

/** Generate case `index` of a run: a usr-mode sequence with random registers, flags, E bit and data. */
export function generateArm32Case(seed: number, index: number, random: Random, coverage: Coverage): DiffCase {
  const length = random.between(MIN_LENGTH, MAX_LENGTH);
  const instructions: SequenceInstruction[] = [];
  for (let n = 0; n < length; n++) {
    for (let attempt = 0; ; attempt++) {
      const row = random.pick(ARM32_DRAWN_ROWS);
      const drawn = drawInstruction(row, random, (setupLength) => CODE + 4 * (instructions.length + setupLength));
      if (typeof drawn === 'string') {
        coverage.exclude(drawn);
        if (attempt > 1000) throw new Error(`arm32 generator: no instruction drawn after 1000 attempts (last: ${drawn})`);
        continue;
      }
      for (const i of drawn) coverage.add(i.row, i.setup);
      instructions.push(...drawn);
      break;
    }
  }
  const registers: Record<string, bigint> = {};
  for (const name of ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr']) registers[name] = BigInt(random.word());
  // usr mode; N, Z, C, V, Q and GE random; E (big-endian data) half the time; A, I, F random.
  const cpsr = (random.next() & 0xf80f_0000) | (random.chance(0.5) ? Psr.E : 0) | (random.next() & (Psr.A | Psr.I | Psr.F)) | Mode.usr;
  registers.cpsr = BigInt(cpsr >>> 0);
  registers.tpidrurw = BigInt(random.word());
  registers.tpidruro = BigInt(random.word());
  const data = new Uint8Array(DATA_SIZE);
  data.set(random.bytes(WINDOW));
  return { target: 'arm32', seed, index, code: CODE, instructions, registers, memory: [{ base: DATA, bytes: data }] };
}
