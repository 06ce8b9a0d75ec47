/**
 * Random straight-line Power sequences for the differential test against
 * qemu-ppc64 and qemu-ppc64le, generated from `PPC64_TABLE`: every row is
 * drawn with uniform field values, so a new row is covered as soon as it
 * exists. What cannot run as a straight-line sequence in problem state
 * under qemu-user is left out by name with the reason
 * ({@link PPC64_EXCLUDED_ROWS}, {@link PPC64_EXCLUSIONS}). Branches target
 * the next instruction (bclr/bcctr after a setup that puts its address in
 * LR/CTR), loads and stores get their base (and index) register aimed at
 * the data window by setup instructions (li/lis/ori/sldi/oris, themselves
 * tested), mfspr/mtspr name the SPRs problem state may use, and
 * mtocrf/mfocrf one CR field. Traps are
 * drawn less often: one that fires ends its sequence (both sides must
 * agree that it fires, where, and on the state it saw).
 *
 * Layout (the same in hyplay and in the ELF qemu runs): case i's code in
 * slot i mod {@link SLOTS} of {@link SLOT} bytes from {@link SEQUENCES},
 * its data in the page at {@link DATA}, the first {@link WINDOW} bytes
 * random, where every access lands.
 *
 * @module
 */

import { SPRS } from '../../arch/ppc64/registers.ts';
import { PPC64_TABLE } from '../../arch/ppc64/table.ts';
import type { FieldValues, TableEntry } from '../../src/isa/instruction-table.ts';
import type { Coverage, DiffCase, Exclusion, SequenceInstruction } from './differential.ts';
import type { Random } from './random.ts';

/** Where the sequence slots start (below 32 MiB, so that `ba`/`bla` can reach the next instruction). */
export const SEQUENCES = 0x0100_0000;
/** Bytes per sequence slot. */
export const SLOT = 0x400;
/** Slots (cases per ELF at most). */
export const SLOTS = 0x400;
/** The data page. */
export const DATA = 0x0300_0000;
/** Size of the data page. */
export const DATA_SIZE = 0x1000;
/** Bytes at the start of the data page that start random and that every access targets. */
export const WINDOW = 0x200;
/** Most instructions a sequence may have (with its setup), so that it and its closing branch fit a slot. */
const MAX_INSTRUCTIONS = SLOT / 4 - 1;

const MIN_LENGTH = 4;
const MAX_LENGTH = 16;

/** Rows that never appear, each with the reason. */
export const PPC64_EXCLUDED_ROWS: ReadonlyMap<string, Exclusion> = new Map(
  (
    [
      ['SC', 'exception', 'sc is a system call: qemu-user would perform it'],
      ['RFID', 'privileged', 'rfid is privileged (Book III 4.3.1): a program interrupt in problem state'],
      ['HRFID', 'privileged', 'hrfid is hypervisor privileged (Book III 4.3.1): a program interrupt in problem state'],
      ['MFMSR', 'privileged', 'mfmsr is privileged (Book III 4.4.4): a program interrupt in problem state'],
      ['MTMSR', 'privileged', 'mtmsr is privileged (Book III 4.4.4): a program interrupt in problem state'],
      ['MTMSRD', 'privileged', 'mtmsrd is privileged (Book III 4.4.4): a program interrupt in problem state'],
      ['WAIT', 'waits', 'wait waits for an interrupt that nothing raises: hyplay ends the run'],
      ['STOP', 'privileged', 'stop is privileged (v3.0 Book III 7.3): a program interrupt in problem state'],
      ['NAP', 'privileged', 'nap is hypervisor privileged (Book III 7.3): a program interrupt in problem state'],
      ['MSGSYNC', 'privileged', 'msgsync is hypervisor privileged (Book III 11): a program interrupt in problem state'],
      ['TLBIE', 'privileged', 'tlbie is hypervisor privileged (Book III 5.9.3.3): a program interrupt in problem state'],
      ['TLBIEL', 'privileged', 'tlbiel is privileged (Book III 5.9.3.3): a program interrupt in problem state'],
      ['TLBSYNC', 'privileged', 'tlbsync is hypervisor privileged (Book III 5.9.3.3): a program interrupt in problem state'],
      ['SLBMTE', 'privileged', 'slbmte is privileged (Book III 5.9.3.2): a program interrupt in problem state'],
      ['SLBIE', 'privileged', 'slbie is privileged (Book III 5.9.3.2): a program interrupt in problem state'],
      ['SLBIA', 'privileged', 'slbia is privileged (Book III 5.9.3.2): a program interrupt in problem state'],
      ['DARN', 'random', 'darn gives a random number under qemu; hyplay always reports the error value (none available), which the ISA allows'],
    ] as const
  ).map(([row, name, reason]) => [row, { name, reason }]),
);

/** A field-value exclusion: the rows it concerns and the values it rejects. */
interface FieldExclusion extends Exclusion {
  /** True for the field values this exclusion rejects on `row`. */
  readonly rejects: (row: string, f: FieldValues) => boolean;
}

/** Loads and stores, with their access size and form. */
interface Access {
  readonly size: number;
  readonly load: boolean;
  readonly update: boolean;
  readonly indexed: boolean;
  /** A load and reserve or store conditional: always aligned (a misaligned one is an alignment interrupt, SIGBUS under qemu-user). */
  readonly reserve: boolean;
}

function accessOf(row: string): Access | undefined {
  const m = /^(L|ST)(B|H|W|D)(Z|A)?(U)?(X|BRX|ARX|CX_rec)?$/.exec(row);
  if (m === null || PPC64_TABLE.entry(row) === undefined) return undefined;
  return { size: { B: 1, H: 2, W: 4, D: 8 }[m[2] as 'B' | 'H' | 'W' | 'D'], load: m[1] === 'L', update: m[4] === 'U', indexed: m[5] !== undefined, reserve: m[5] === 'ARX' || m[5] === 'CX_rec' };
}

/** The cache-block instructions, aimed at the window like an indexed access of one byte (dcbz: of a whole 128-byte block). */
const CACHE_ROWS: ReadonlyMap<string, number> = new Map([['DCBF', 1], ['DCBST', 1], ['DCBT', 1], ['DCBTST', 1], ['ICBI', 1], ['DCBZ', 128]]);

/** Field values left out, each with the reason. */
export const PPC64_EXCLUSIONS: readonly FieldExclusion[] = [
  {
    name: 'ra-zero-displacement',
    reason: 'a D- or DS-form access with RA = 0 addresses the displacement alone ((RA|0) = 0, below 32 KiB), where user space cannot map memory',
    rejects: (row, f) => {
      const a = accessOf(row);
      return a !== undefined && !a.indexed && !a.update && f.ra === 0;
    },
  },
  {
    name: 'invalid-form',
    reason:
      'invalid forms, whose effect the ISA leaves undefined (Book I 1.8.2): an update load or store with RA = 0, an update load with RA = RT (3.3.2), ' +
      'bcctr with BO[2] = 0 (2.4)',
    rejects: (row, f) => {
      const a = accessOf(row);
      if (a !== undefined && a.update) return f.ra === 0 || (a.load && f.ra === f.rt);
      return row === 'BCCTR' && (f.bo! & 4) === 0;
    },
  },
  {
    name: 'dcbf-l',
    reason: 'qemu 7.2 decodes dcbf only with L = 0 or 1 (its invalid-bits mask covers the high bit of L), so dcbflp (L = 3, Power ISA v3.0B Book II 4.3.2) is SIGILL there',
    rejects: (row, f) => row === 'DCBF' && f.l === 3,
  },
  {
    name: 'divde-same-register',
    reason: 'divde and divdeu with RA = RB overflow ((RA) || 0^64 ÷ RA is 2^64), where RT is undefined (Book I 3.3.9) and qemu 7.2 writes a truncated quotient, hyplay 0',
    rejects: (row, f) => (row === 'DIVDE' || row === 'DIVDEU') && f.ra === f.rb,
  },
  {
    name: 'absolute-bc',
    reason: 'bca and bcla branch to a 16-bit absolute address (below 32 KiB), where user space cannot map code',
    rejects: (row, f) => row === 'BC' && f.aa === 1,
  },
];

/** Generator limitations, counted like exclusions. */
export const PPC64_LIMITS: readonly Exclusion[] = [
  { name: 'other-row', reason: 'the drawn fields decode as another row (an overlap or a table exclusion); the draw is made again' },
  { name: 'too-long', reason: 'the instruction and its setup would not fit the sequence slot; the sequence ends before it' },
];

/** Drawing weight of a row (1 unless listed). */
const WEIGHTS: Readonly<Record<string, number>> = { TW: 0.3, TWI: 0.3, TD: 0.3, TDI: 0.3 };

/**
 * SPRs problem state may move to and from: the `user` ones of `SPRS`, but
 * not TB (qemu's advances with the host clock, hyplay's never does) nor PPR
 * (qemu-user starts it at 0, hyplay at the architected medium priority).
 */
const USER_SPRS = SPRS.filter((d) => d.access === 'user' && d.name !== 'tb' && d.name !== 'ppr');

function instruction(row: string, fields: FieldValues, setup = false): SequenceInstruction {
  return { word: PPC64_TABLE.encode(PPC64_TABLE.entry(row)!, fields), row, setup };
}

/** Set `r` to a 64-bit `value` with as few of li, lis, ori, sldi and oris as it takes. */
export function loadConstant(r: number, value: bigint): SequenceInstruction[] {
  const v = BigInt.asUintN(64, value);
  const signed = BigInt.asIntN(64, v);
  const half = (shift: bigint): number => Number((v >> shift) & 0xffffn);
  if (signed >= -0x8000n && signed < 0x8000n) return [instruction('ADDI', { rt: r, ra: 0, si: half(0n) }, true)];
  const out: SequenceInstruction[] = [];
  if (signed >= -0x8000_0000n && signed < 0x8000_0000n) {
    out.push(instruction('ADDIS', { rt: r, ra: 0, si: half(16n) }, true));
    if (half(0n) !== 0) out.push(instruction('ORI', { rs: r, ra: r, ui: half(0n) }, true));
    return out;
  }
  out.push(instruction('ADDIS', { rt: r, ra: 0, si: half(48n) }, true));
  if (half(32n) !== 0) out.push(instruction('ORI', { rs: r, ra: r, ui: half(32n) }, true));
  // sldi r, r, 32 = rldicr r, r, 32, 31.
  out.push(instruction('RLDICR', { rs: r, ra: r, shl: 0, shh: 1, mel: 31, meh: 0, rc: 0 }, true));
  if (half(16n) !== 0) out.push(instruction('ORIS', { rs: r, ra: r, ui: half(16n) }, true));
  if (half(0n) !== 0) out.push(instruction('ORI', { rs: r, ra: r, ui: half(0n) }, true));
  return out;
}

/** Exactly three instructions putting a code address (below 2^31) in LR or CTR through GPR `r`. */
function targetRegister(which: 'lr' | 'ctr', r: number, value: number): SequenceInstruction[] {
  const number = which === 'lr' ? 8 : 9;
  return [
    instruction('ADDIS', { rt: r, ra: 0, si: (value >>> 16) & 0xffff }, true),
    instruction('ORI', { rs: r, ra: r, ui: value & 0xffff }, true),
    instruction('MTSPR', { rs: r, sprl: number & 31, sprh: number >> 5 }, true),
  ];
}

function drawFields(entry: TableEntry, random: Random): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const layout of entry.pattern.fields.values()) fields[layout.name] = random.bits(layout.width);
  return fields;
}

/** A random address in the window for an access of `size` bytes, naturally aligned half the time (always with `aligned`). */
function target(random: Random, size: number, aligned = false): number {
  const offset = random.below(WINDOW - size + 1);
  return DATA + (aligned || random.chance(0.5) ? offset - (offset % size) : offset);
}

/** Aim a load or store at the window through setup of RA (and RB). */
function prepareAccess(access: Access, f: Record<string, number>, random: Random): SequenceInstruction[] {
  const want = BigInt(target(random, access.size, access.reserve));
  if (!access.indexed) {
    const displacement = f.d !== undefined ? BigInt.asIntN(16, BigInt(f.d)) : BigInt.asIntN(14, BigInt(f.ds!)) * 4n;
    return loadConstant(f.ra!, want - displacement);
  }
  if (f.ra === 0) return loadConstant(f.rb!, want);
  if (f.ra === f.rb) return loadConstant(f.ra!, (want & ~1n) / 2n);
  const index = random.doubleword();
  return [...loadConstant(f.rb!, index), ...loadConstant(f.ra!, want - index)];
}

/**
 * Operands for divde/divdeu whose quotient fits in 64 bits (|RA| below
 * |RB| / 2), or a zero divisor one time in ten: an overflowing quotient is
 * undefined (Book I 3.3.9), and qemu 7.2 and hyplay write different values.
 */
function prepareExtendedDivide(signed: boolean, f: Record<string, number>, random: Random): SequenceInstruction[] {
  if (random.chance(0.1)) return loadConstant(f.rb!, 0n);
  let divisor = random.doubleword();
  if (signed) divisor = BigInt.asIntN(64, divisor);
  if (divisor === 0n || divisor === -1n || divisor === 1n) divisor = signed ? -3n : 3n;
  const magnitude = (divisor < 0n ? -divisor : divisor) >> BigInt(1 + random.below(40));
  const dividend = signed && random.chance(0.5) ? -magnitude : magnitude;
  return [...loadConstant(f.rb!, divisor), ...loadConstant(f.ra!, dividend)];
}

/**
 * Draw one instruction of `row` with its setup, or the name of the
 * exclusion that rejected it. `address(n)` is where the instruction will sit
 * after `n` setup instructions.
 */
function drawInstruction(row: string, random: Random, address: (setupLength: number) => number): SequenceInstruction[] | string {
  const entry = PPC64_TABLE.entry(row)!;
  const f = drawFields(entry, random);
  if (row === 'MFSPR' || row === 'MTSPR') {
    const spr = random.pick(USER_SPRS);
    f.sprl = spr.number & 31;
    f.sprh = spr.number >> 5;
  }
  // mtocrf/mfocrf name exactly one CR field (their other FXM values are not these rows).
  if (row === 'MTOCRF' || row === 'MFOCRF') f.fxm = 1 << random.below(8);
  for (const exclusion of PPC64_EXCLUSIONS) if (exclusion.rejects(row, f)) return exclusion.name;
  let setup: SequenceInstruction[] = [];
  const access = accessOf(row);
  if (access !== undefined) setup = prepareAccess(access, f, random);
  const block = CACHE_ROWS.get(row);
  if (block !== undefined) setup = prepareAccess({ size: block, load: true, update: false, indexed: true, reserve: block > 1 }, f, random);
  // Every branch goes to the next instruction, taken or not.
  if (row === 'B') f.li = f.aa === 1 ? (address(0) + 4) >>> 2 : 1;
  if (row === 'BC') f.bd = 1;
  if (row === 'DIVDE' || row === 'DIVDEU') setup = prepareExtendedDivide(row === 'DIVDE', f, random);
  if (row === 'BCLR' || row === 'BCCTR') setup = targetRegister(row === 'BCLR' ? 'lr' : 'ctr', random.below(32), address(3) + 4);
  const main = instruction(row, f);
  const decoded = PPC64_TABLE.decode(main.word);
  if (decoded === undefined || decoded.entry.def.name !== row) return 'other-row';
  return [...setup, main];
}

/** Rows the generator draws from, with their weights. */
const DRAWN: readonly { readonly row: string; readonly weight: number }[] = PPC64_TABLE.written
  .map((e) => e.def.name)
  .filter((name) => !PPC64_EXCLUDED_ROWS.has(name))
  .map((row) => ({ row, weight: WEIGHTS[row] ?? 1 }));
const TOTAL_WEIGHT = DRAWN.reduce((sum, d) => sum + d.weight, 0);

function pickRow(random: Random): string {
  let x = (random.next() / 0x1_0000_0000) * TOTAL_WEIGHT;
  for (const d of DRAWN) {
    x -= d.weight;
    if (x < 0) return d.row;
  }
  return DRAWN[DRAWN.length - 1]!.row;
}

/** Generate case `index` of a run for one byte order: a problem-state sequence with random GPRs, CR, XER, LR, CTR and data. */
export function generatePpc64Case(targetName: string, seed: number, index: number, random: Random, coverage: Coverage): DiffCase {
  const code = SEQUENCES + (index % SLOTS) * SLOT;
  const length = random.between(MIN_LENGTH, MAX_LENGTH);
  const instructions: SequenceInstruction[] = [];
  for (let n = 0; n < length; n++) {
    let drawn: SequenceInstruction[] | undefined;
    for (let attempt = 0; drawn === undefined; attempt++) {
      const result = drawInstruction(pickRow(random), random, (setupLength) => code + 4 * (instructions.length + setupLength));
      if (typeof result !== 'string') drawn = result;
      else {
        coverage.exclude(result);
        if (attempt > 1000) throw new Error(`ppc64 generator: no instruction drawn after 1000 attempts (last: ${result})`);
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
  for (let i = 0; i < 32; i++) registers[`r${i}`] = random.doubleword();
  registers.cr = BigInt(random.next());
  // XER: SO, OV, CA (bits 32:34), OV32, CA32 (44:45) and the byte count (57:63); the reserved bits 0.
  registers.xer = BigInt((random.next() & 0xe00c_007f) >>> 0);
  registers.lr = random.doubleword();
  registers.ctr = random.doubleword();
  const data = new Uint8Array(DATA_SIZE);
  data.set(random.bytes(WINDOW));
  return { target: targetName, seed, index, code, instructions, registers, memory: [{ base: DATA, bytes: data }] };
}
