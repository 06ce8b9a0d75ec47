/**
 * Random straight-line A64 sequences for the differential test against
 * Unicorn 2 (A64 at EL1h), generated from `ARM64_TABLE`: every row is drawn
 * with uniform field values, so a new row is covered as soon as it exists.
 * What cannot run as a straight-line sequence at EL1 is left out by name
 * with the reason ({@link ARM64_EXCLUDED_ROWS}, {@link ARM64_EXCLUSIONS}).
 * Branches target the next instruction (BR/BLR/RET after a MOVZ/MOVK setup
 * that puts its address in Rn); loads and stores get their base (and
 * index) register aimed at the data window by MOVZ/MOVK setup, themselves
 * tested; literal loads read the code region; MRS/MSR name a register both
 * sides model and the comparison reads.
 *
 * Layout (the same on both sides): case i's code in slot i mod
 * {@link SLOTS} of {@link SLOT} bytes from {@link CODE_REGION}, its data in
 * the page at {@link DATA}, the first {@link WINDOW} bytes random, where
 * every access lands.
 *
 * @module
 */

import { ARM64_INSTRUCTION_SET } from '../../arch/arm64/core.ts';
import { ARM64_TABLE } from '../../arch/arm64/table.ts';
import type { FieldValues, TableEntry } from '../../src/isa/instruction-table.ts';
import type { Coverage, DiffCase, Exclusion, SequenceInstruction } from './differential.ts';
import type { Random } from './random.ts';

/** Start of the mapped code region (the sequence slots). */
export const CODE_REGION = 0x10_0000;
/** Bytes per sequence slot. */
export const SLOT = 0x400;
/** Slots. */
export const SLOTS = 0x40;
/** Size of the code region. */
export const CODE_REGION_SIZE = SLOT * SLOTS;
/** The data page. */
export const DATA = 0x20_0000;
/** Size of the mapped data page. */
export const DATA_SIZE = 0x1000;
/** Bytes at the start of the data page that start random and that every access targets. */
export const WINDOW = 0x200;
/** WFI: hyplay's end of a sequence (the reference stops before it). */
export const TERMINATOR = 0xd503_207f;
/** The system registers MRS and MSR name, all of which the comparison reads (besides the NZCV and CurrentEL views). */
export const ARM64_SYSTEM_REGISTERS = ['tpidr_el0', 'tpidrro_el0', 'tpidr_el1'] as const;

const MIN_LENGTH = 4;
const MAX_LENGTH = 16;
/** Most instructions a sequence may have (with its setup), so that it and its terminator fit a slot. */
const MAX_INSTRUCTIONS = SLOT / 4 - 1;

/** Rows that never appear, each with the reason. */
export const ARM64_EXCLUDED_ROWS: ReadonlyMap<string, Exclusion> = new Map(
  (
    [
      ['SVC', 'exception', 'SVC raises the Supervisor Call exception: the sequence would leave straight-line code for the EL1 vectors'],
      ['HVC', 'exception', 'HVC from EL1 goes to EL2, which Unicorn does not enable (it is UNDEFINED there, an exception either way)'],
      ['SMC', 'exception', 'SMC goes to EL3 or is UNDEFINED (no EL3 in hyplay): an exception, not straight-line code'],
      ['BRK', 'exception', 'BRK is a breakpoint exception (EC 0x3C): the sequence would leave straight-line code'],
      ['ERET', 'exception', 'ERET leaves the sequence for ELR_EL1, an exception return rather than straight-line code'],
      ['WFI', 'waits', 'WFI waits for an interrupt that nothing raises: hyplay ends the run, Unicorn halts the CPU'],
      ['MSR_IMM', 'pstate', 'MSR (immediate) writes PSTATE.SPSel, DAIF or PAN: SP selection and masks that the two sides expose differently (not compared)'],
      ['SYS', 'system', 'SYS is cache, TLB and address-translation maintenance, whose effect (or UNDEFINED encodings) Unicorn and hyplay model differently'],
      ['SYSL', 'system', 'SYSL encodings are all IMPLEMENTATION DEFINED or unallocated in Armv8.0 (C5.3): nothing to compare'],
    ] as const
  ).map(([row, name, reason]) => [row, { name, reason }]),
);

/** A field-value exclusion: the rows it concerns and the values it rejects. */
interface FieldExclusion extends Exclusion {
  /** True for the field values this exclusion rejects on `row`. */
  readonly rejects: (row: string, f: FieldValues) => boolean;
}

/** A load or store, as the generator aims it. */
interface Access {
  /** Bytes per element. */
  readonly size: number;
  /** The addressing form. */
  readonly form: 'uoff' | 'unscaled' | 'post' | 'pre' | 'unpriv' | 'reg' | 'lit' | 'off' | 'plain';
  /** A pair (two elements). */
  readonly pair: boolean;
  /** A load. */
  readonly load: boolean;
  /** An exclusive (with a status register for stores). */
  readonly exclusive: boolean;
}

const SIZE_LETTER: Readonly<Record<string, number>> = { B: 1, H: 2, W: 4, X: 8 };

/** The access of a load/store row, or `undefined`. */
export function accessOf(row: string): Access | undefined {
  let m = /^(ST|LD)RS?(B|H|W)?(?:_(W|X))?_(UOFF|UNSCALED|POST|PRE|UNPRIV|REG|LIT)$/.exec(row);
  if (m !== null) return { size: SIZE_LETTER[m[2] ?? m[3] ?? 'X']!, form: m[4]!.toLowerCase() as Access['form'], pair: false, load: m[1] === 'LD', exclusive: false };
  m = /^PRFM_(UOFF|UNSCALED|REG|LIT)$/.exec(row);
  if (m !== null) return { size: 8, form: m[1]!.toLowerCase() as Access['form'], pair: false, load: true, exclusive: false };
  m = /^(ST|LD)N?P(SW)?(?:_(W|X))?(?:_(OFF|PRE|POST))?$/.exec(row);
  if (m !== null) return { size: m[2] !== undefined ? 4 : SIZE_LETTER[m[3] ?? 'X']!, form: (m[4]?.toLowerCase() ?? 'off') as Access['form'], pair: true, load: m[1] === 'LD', exclusive: false };
  m = /^(STXR|STLXR|LDXR|LDAXR|STLR|LDAR)_([0-3])$/.exec(row);
  if (m !== null) return { size: 1 << Number(m[2]), form: 'plain', pair: false, load: m[1]!.startsWith('LD'), exclusive: m[1]!.includes('X') };
  m = /^(STXP|STLXP|LDXP|LDAXP)_([23])$/.exec(row);
  if (m !== null) return { size: 1 << Number(m[2]), form: 'plain', pair: true, load: m[1]!.startsWith('LD'), exclusive: true };
  return undefined;
}

function writesBack(a: Access): boolean {
  return a.form === 'pre' || a.form === 'post';
}

/** Field values left out, each with the reason. */
export const ARM64_EXCLUSIONS: readonly FieldExclusion[] = [
  {
    name: 'constrained-unpredictable',
    reason:
      'CONSTRAINED UNPREDICTABLE register overlaps (ARM ARM K1.2): a load or store with writeback whose Rt or Rt2 is its base, ' +
      'a load pair with Rt = Rt2, a store exclusive whose status register Ws is Rt, Rt2 or the base',
    rejects: (row, f) => {
      const a = accessOf(row);
      if (a === undefined) return false;
      if (writesBack(a) && f.rn !== 31 && (f.rt === f.rn || (a.pair && f.rt2 === f.rn))) return true;
      if (a.pair && a.load && f.rt === f.rt2) return true;
      if (a.exclusive && !a.load && f.rs !== undefined && (f.rs === f.rt || (a.pair && f.rs === f.rt2) || (f.rs === f.rn && f.rn !== 31))) return true;
      return false;
    },
  },
];

/** Generator limitations, counted like exclusions. */
export const ARM64_LIMITS: readonly Exclusion[] = [
  { name: 'other-row', reason: 'the drawn fields decode as another row (an overlap or a table exclusion); the draw is made again' },
  { name: 'too-long', reason: 'the instruction and its setup would not fit the sequence slot; the sequence ends before it' },
  { name: 'sp-base', reason: 'a load or store based on SP: the generator aims only general registers at the data window (SP keeps its random value)' },
  { name: 'base-is-index', reason: 'a register-offset access whose base is its index: the generator aims base and index separately' },
  { name: 'branch-to-zero', reason: 'BR/BLR/RET through XZR (Rn = 31) branches to 0, outside the code region' },
];

function instruction(row: string, fields: FieldValues, setup = false): SequenceInstruction {
  return { word: ARM64_TABLE.encode(ARM64_TABLE.entry(row)!, fields), row, setup };
}

function assembled(text: string, row: string): SequenceInstruction {
  const bytes = ARM64_INSTRUCTION_SET.assembleOne(text, { address: 0, final: true, resolve: () => undefined });
  return { word: (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0, row, setup: false };
}

/** Set x`r` to a 64-bit `value` with MOVZ and as many MOVK as its non-zero halfwords need. */
export function loadConstant(r: number, value: bigint, minimumHalves = 1): SequenceInstruction[] {
  const v = BigInt.asUintN(64, value);
  const out: SequenceInstruction[] = [];
  for (let hw = 0; hw < 4; hw++) {
    const half = Number((v >> BigInt(16 * hw)) & 0xffffn);
    if (half === 0 && hw > 0 && hw >= minimumHalves) continue;
    out.push(instruction(out.length === 0 ? 'MOVZ' : 'MOVK', { sf: 1, hw, imm16: half, rd: r }, true));
  }
  return out;
}

function drawFields(entry: TableEntry, random: Random): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const layout of entry.pattern.fields.values()) fields[layout.name] = random.bits(layout.width);
  return fields;
}

/** A random address in the window for `bytes` bytes, naturally aligned (to `align`) most of the time. */
function target(random: Random, bytes: number, align: number): number {
  const offset = random.below(WINDOW - bytes + 1);
  return DATA + (random.chance(0.75) ? offset - (offset % align) : offset);
}

/** The offset a register-offset access adds: Rm extended by `option` and shifted (C6.2.x, ExtendReg). */
function registerOffset(index: bigint, option: number, shift: number): bigint {
  let v: bigint;
  switch (option) {
    case 2:
      v = BigInt.asUintN(32, index);
      break;
    case 6:
      v = BigInt.asIntN(32, index);
      break;
    case 7:
      v = BigInt.asIntN(64, index);
      break;
    default:
      v = BigInt.asUintN(64, index);
  }
  return v << BigInt(shift);
}

/** Aim a load or store at the window through setup of Rn (and Rm), or the limitation that stops it. */
function prepareAccess(a: Access, f: Record<string, number>, random: Random, address: number): SequenceInstruction[] | string {
  const bytes = a.pair ? 2 * a.size : a.size;
  if (a.form === 'lit') {
    // A literal in the code region, within reach of the instruction: the words of this slot and the ones around it (all mapped).
    const low = Math.max(CODE_REGION, address - 0x800);
    const high = Math.min(CODE_REGION + CODE_REGION_SIZE - bytes, address + 0x800);
    const want = low + 4 * random.below((high - low) / 4);
    f.imm19 = ((want - address) / 4) & 0x7ffff;
    return [];
  }
  if (f.rn === 31) return 'sp-base';
  const want = BigInt(target(random, bytes, a.exclusive ? bytes : a.size));
  // Pairs: imm7 scaled by the element size; post-index addresses the base itself.
  if (a.pair && !a.exclusive) return loadConstant(f.rn!, a.form === 'post' ? want : want - BigInt.asIntN(7, BigInt(f.imm7!)) * BigInt(a.size));
  switch (a.form) {
    case 'uoff':
      return loadConstant(f.rn!, want - BigInt(f.imm12! * a.size));
    case 'unscaled':
    case 'unpriv':
    case 'pre':
      return loadConstant(f.rn!, want - BigInt.asIntN(9, BigInt(f.imm9!)));
    case 'post':
      return loadConstant(f.rn!, want);
    case 'reg': {
      if (f.rn === f.rm) return 'base-is-index';
      const index = random.chance(0.5) ? BigInt(random.below(64)) - 32n : random.doubleword();
      const shift = f.s === 1 ? Math.log2(a.size) : 0;
      // Rm = 31 is XZR as an index.
      const value = f.rm === 31 ? 0n : index;
      return [...(f.rm === 31 ? [] : loadConstant(f.rm!, value)), ...loadConstant(f.rn!, want - registerOffset(value, f.option!, shift))];
    }
    case 'off':
    case 'plain':
      return loadConstant(f.rn!, want);
    default: {
      const unreachable: never = a.form;
      return unreachable;
    }
  }
}

const MRS_CHOICES = ['nzcv', 'currentel', ...ARM64_SYSTEM_REGISTERS];
const MSR_CHOICES = ['nzcv', ...ARM64_SYSTEM_REGISTERS];

/**
 * Draw one instruction of `row` with its setup, or the name of the
 * exclusion that rejected it. `address(n)` is where the instruction will sit
 * after `n` setup instructions.
 */
function drawInstruction(row: string, random: Random, address: (setupLength: number) => number): SequenceInstruction[] | string {
  if (row === 'MRS') return [assembled(`mrs x${random.below(31)}, ${random.pick(MRS_CHOICES)}`, row)];
  if (row === 'MSR_REG') return [assembled(`msr ${random.pick(MSR_CHOICES)}, x${random.below(31)}`, row)];
  const entry = ARM64_TABLE.entry(row)!;
  const f = drawFields(entry, random);
  for (const exclusion of ARM64_EXCLUSIONS) if (exclusion.rejects(row, f)) return exclusion.name;
  let setup: SequenceInstruction[] = [];
  const access = accessOf(row);
  if (access !== undefined) {
    const prepared = prepareAccess(access, f, random, address(0));
    if (typeof prepared === 'string') return prepared;
    setup = prepared;
  }
  // Every branch goes to the next instruction, taken or not.
  if (row === 'B' || row === 'BL') f.imm26 = 1;
  if (row === 'B_COND' || row === 'CBZ' || row === 'CBNZ') f.imm19 = 1;
  if (row === 'TBZ' || row === 'TBNZ') f.imm14 = 1;
  if (row === 'BR' || row === 'BLR' || row === 'RET') {
    if (f.rn === 31) return 'branch-to-zero';
    setup = loadConstant(f.rn!, BigInt(address(2) + 4), 2);
  }
  const main = instruction(row, f);
  const decoded = ARM64_TABLE.decode(main.word);
  if (decoded === undefined || decoded.entry.def.name !== row) return 'other-row';
  return [...setup, main];
}

/** Rows the generator draws from. */
const DRAWN: readonly string[] = ARM64_TABLE.written.map((e) => e.def.name).filter((name) => !ARM64_EXCLUDED_ROWS.has(name));

/** Generate case `index` of a run: an EL1h sequence with random X registers, SP, NZCV, thread registers and data. */
export function generateArm64Case(seed: number, index: number, random: Random, coverage: Coverage): DiffCase {
  const code = CODE_REGION + (index % SLOTS) * SLOT;
  const length = random.between(MIN_LENGTH, MAX_LENGTH);
  const instructions: SequenceInstruction[] = [];
  for (let n = 0; n < length; n++) {
    let drawn: SequenceInstruction[] | undefined;
    for (let attempt = 0; drawn === undefined; attempt++) {
      const result = drawInstruction(random.pick(DRAWN), random, (setupLength) => code + 4 * (instructions.length + setupLength));
      if (typeof result !== 'string') drawn = result;
      else {
        coverage.exclude(result);
        if (attempt > 1000) throw new Error(`arm64 generator: no instruction drawn after 1000 attempts (last: ${result})`);
      }
    }
    if (instructions.length + drawn.length > MAX_INSTRUCTIONS) {
      coverage.exclude('too-long');
      break;
    }
    for (const i of drawn) coverage.add(i.row, i.setup);
    instructions.push(...drawn);
  }
  const registers: Record<string, bigint> = {};
  for (let i = 0; i < 31; i++) registers[`x${i}`] = random.doubleword();
  // SP 16-byte aligned (an SP-based access is never generated, but SCTLR_EL1.SA would check it).
  registers.sp = random.doubleword() & ~0xfn;
  registers.nzcv = BigInt((random.next() & 0xf000_0000) >>> 0);
  for (const name of ARM64_SYSTEM_REGISTERS) registers[name] = random.doubleword();
  const data = new Uint8Array(DATA_SIZE);
  data.set(random.bytes(WINDOW));
  return { target: 'arm64', seed, index, code, instructions, registers, memory: [{ base: DATA, bytes: data }] };
}
