/**
 * The ARMv8 stage-1 walk of arch/arm64/mmu.ts (4 KiB granule, EL1&0
 * regime) over page tables built here the way the ARM ARM lays them out
 * (D8.2, D8.3): TTBR0 and TTBR1 ranges by TxSZ, tables, level 1/2 blocks
 * and level 3 pages, and every fault kind with its level and status code
 * (D13.2.37). Then AT S1E1R/W and S1E0R on a machine with SCTLR_EL1.M set,
 * which fill PAR_EL1 from the same walk (D13.2.101).
 */

import { describe, expect, it } from 'vitest';
import { dataAbortIss, instructionAbortIss, parAfter, startLevel, translateStage1, type Stage1Fault, type Stage1Regime, type Stage1Result } from '../../../arch/arm64/mmu.ts';
import { GuestMemory } from '../../../src/memory/guest-memory.ts';
import { CODE, DATA, machineWith, runToWfi } from './machine-harness.ts';

/** Descriptor bits (D8.3): valid, table/page, AF, AP[2:1], SH, AttrIndx, PXN, UXN, APTable[1]. */
const VALID = 1n;
const TABLE = 3n;
const PAGE = 3n;
const AF = 1n << 10n;
const AP_EL0 = 1n << 6n;
const AP_RO = 1n << 7n;
const SH_INNER = 3n << 8n;
const PXN = 1n << 53n;
const UXN = 1n << 54n;
const AP_TABLE_NO_WRITE = 1n << 62n;

/** TCR_EL1: T0SZ 16 and T1SZ 16 (48-bit ranges), TG0 4 KiB (0), TG1 4 KiB (2), IPS 48 bits (5). */
const TCR = 16n | (16n << 16n) | (2n << 30n) | (5n << 32n);

/** Page tables in a memory of their own: a table allocator and a `map` that builds the path down to a leaf. */
class Tables {
  readonly memory = new GuestMemory('little');
  private next = 0x10_0000;

  constructor() {
    this.memory.map(0x10_0000, 0x10_0000);
  }

  table(): bigint {
    const at = this.next;
    this.next += 0x1000;
    return BigInt(at);
  }

  read(address: bigint): bigint {
    return this.memory.read64(Number(address))!;
  }

  write(address: bigint, value: bigint): void {
    this.memory.write64(Number(address), value);
  }

  /** Map `va` to the leaf `descriptor` at `level`, from the table at `root` whose walk starts at `start`, making tables (APTable bits `tableBits`) on the way. */
  map(root: bigint, start: number, va: bigint, level: number, descriptor: bigint, tableBits = 0n): void {
    let table = root;
    for (let l = start; l < level; l++) {
      const slot = table + ((va >> BigInt(12 + 9 * (3 - l))) & 0x1ffn) * 8n;
      let entry = this.read(slot);
      if ((entry & 3n) !== 3n) {
        entry = this.table() | TABLE | tableBits;
        this.write(slot, entry);
      }
      table = entry & 0x0000_ffff_ffff_f000n;
    }
    this.write(table + ((va >> BigInt(12 + 9 * (3 - level))) & 0x1ffn) * 8n, descriptor);
  }
}

function ok(result: Stage1Result): bigint {
  if (!result.ok) throw new Error(`expected a translation, got ${result.kind} at level ${result.level}: ${result.reason}`);
  return result.pa;
}

function failed(result: Stage1Result): Stage1Fault {
  if (result.ok) throw new Error(`expected a fault, got PA 0x${result.pa.toString(16)}`);
  return result;
}

const KERNEL_VA = 0xffff_8000_8000_1234n;

describe('stage-1 walk, 4 KiB granule', () => {
  const t = new Tables();
  const ttbr1 = t.table();
  const ttbr0 = t.table();
  const regime: Stage1Regime = { tcr: TCR, ttbr0, ttbr1 };
  t.map(ttbr1, 0, KERNEL_VA, 3, 0x4123_4000n | PAGE | AF | SH_INNER | (1n << 2n));
  t.map(ttbr1, 0, 0xffff_8000_8040_0000n, 2, 0x4060_0000n | VALID | AF); // a 2 MiB block
  t.map(ttbr1, 0, 0xffff_8000_8080_0000n, 3, 0x4200_0000n | PAGE); // AF = 0
  t.map(ttbr1, 0, 0xffff_8000_8080_1000n, 3, 0x4200_1000n | PAGE | AF | AP_RO | UXN);
  t.map(ttbr1, 0, 0xffff_8000_8080_2000n, 3, 0x4200_2000n | PAGE | AF | PXN);
  t.map(ttbr1, 0, 0xffff_8000_8080_3000n, 3, 0x4200_3000n | PAGE | AF | AP_EL0);
  t.map(ttbr0, 0, 0x4000_0000n, 1, 0x4000_0000n | VALID | AF | AP_EL0); // an identity 1 GiB block, EL0 read-write
  t.map(ttbr1, 0, 0xffff_8000_c000_0000n, 3, 0x4300_0000n | PAGE | AF, AP_TABLE_NO_WRITE);

  it('starts at the level the input size gives (48 bits: 0; 39: 1; 30: 2)', () => {
    expect([startLevel(48), startLevel(39), startLevel(30), startLevel(25)]).toEqual([0, 1, 2, 2]);
  });

  it('translates a TTBR1 page, keeping the offset, with its AttrIndx and shareability', () => {
    const result = translateStage1(t.memory, regime, KERNEL_VA, 'read', 1);
    expect(ok(result)).toBe(0x4123_4234n);
    expect(result).toMatchObject({ level: 3, attrIndex: 1, shareability: 3, writable: true });
  });

  it('translates level 2 and level 1 blocks with the offset inside the block', () => {
    expect(ok(translateStage1(t.memory, regime, 0xffff_8000_8045_6789n, 'write', 1))).toBe(0x4065_6789n);
    expect(ok(translateStage1(t.memory, regime, 0x4abc_def0n, 'fetch', 0))).toBe(0x4abc_def0n);
  });

  it('an invalid descriptor is a translation fault at its level', () => {
    const f = failed(translateStage1(t.memory, regime, 0xffff_8000_8000_5000n, 'read', 1));
    expect([f.kind, f.level, f.fsc]).toEqual(['translation', 3, 0b0001_11]);
    const l1 = failed(translateStage1(t.memory, regime, 0xffff_8001_0000_0000n, 'read', 1));
    expect([l1.kind, l1.level, l1.fsc]).toEqual(['translation', 1, 0b0001_01]);
    const l0 = failed(translateStage1(t.memory, regime, 0xffff_0000_0000_0000n, 'read', 1));
    expect([l0.kind, l0.level, l0.fsc]).toEqual(['translation', 0, 0b0001_00]);
  });

  it('AF = 0 is an access flag fault; a write to AP[2] = 1 or under APTable[1] a permission fault', () => {
    expect(failed(translateStage1(t.memory, regime, 0xffff_8000_8080_0000n, 'read', 1)).fsc).toBe(0b0010_11);
    expect(ok(translateStage1(t.memory, regime, 0xffff_8000_8080_1008n, 'read', 1))).toBe(0x4200_1008n);
    expect(failed(translateStage1(t.memory, regime, 0xffff_8000_8080_1008n, 'write', 1)).fsc).toBe(0b0011_11);
    expect(failed(translateStage1(t.memory, regime, 0xffff_8000_c000_0000n, 'write', 1))).toMatchObject({ kind: 'permission', level: 3 });
  });

  it('EL0 needs AP[1]; EL1 may not execute PXN pages nor what EL0 can write; EL0 may not execute UXN ones', () => {
    expect(failed(translateStage1(t.memory, regime, KERNEL_VA, 'read', 0)).kind).toBe('permission');
    expect(ok(translateStage1(t.memory, regime, 0xffff_8000_8080_3000n, 'write', 0))).toBe(0x4200_3000n);
    expect(failed(translateStage1(t.memory, regime, 0xffff_8000_8080_2000n, 'fetch', 1)).kind).toBe('permission');
    expect(ok(translateStage1(t.memory, regime, 0xffff_8000_8080_1000n, 'fetch', 1))).toBe(0x4200_1000n);
    expect(failed(translateStage1(t.memory, regime, 0xffff_8000_8080_3000n, 'fetch', 1)).kind).toBe('permission');
    expect(failed(translateStage1(t.memory, regime, 0x4000_0000n, 'fetch', 1)).kind).toBe('permission');
  });

  it('an address outside both ranges, a disabled walk (EPD1) or another granule is a level 0 translation fault', () => {
    expect(failed(translateStage1(t.memory, regime, 0x0001_0000_0000_0000n, 'read', 1))).toMatchObject({ kind: 'translation', level: 0 });
    expect(failed(translateStage1(t.memory, { ...regime, tcr: TCR | (1n << 23n) }, KERNEL_VA, 'read', 1))).toMatchObject({ kind: 'translation', level: 0 });
    expect(failed(translateStage1(t.memory, { ...regime, tcr: TCR & ~(3n << 30n) }, KERNEL_VA, 'read', 1)).reason).toMatch(/4 KiB granule/);
    // TBI1: the top byte of a data address is ignored, not of a fetch.
    const tbi = { ...regime, tcr: TCR | (1n << 38n) };
    expect(ok(translateStage1(t.memory, tbi, (KERNEL_VA & 0x00ff_ffff_ffff_ffffn) | (0x5an << 56n) | (1n << 55n), 'read', 1))).toBe(0x4123_4234n);
    expect(failed(translateStage1(t.memory, tbi, (KERNEL_VA & 0x00ff_ffff_ffff_ffffn) | (0x5an << 56n) | (1n << 55n), 'fetch', 1)).level).toBe(0);
  });

  it('a descriptor outside memory is a synchronous external abort on the walk; a leaf beyond IPS an address size fault', () => {
    const lost: Stage1Regime = { ...regime, ttbr1: 0x7000_0000n };
    expect(failed(translateStage1(t.memory, lost, KERNEL_VA, 'read', 1))).toMatchObject({ kind: 'walk-external', level: 0, fsc: 0b0101_00 });
    const small: Stage1Regime = { ...regime, tcr: TCR & ~(7n << 32n) }; // IPS 32 bits
    t.map(ttbr1, 0, 0xffff_8000_8080_4000n, 3, 0x1_0000_0000n | PAGE | AF);
    expect(failed(translateStage1(t.memory, small, 0xffff_8000_8080_4000n, 'read', 1))).toMatchObject({ kind: 'address-size', level: 3, fsc: 0b0000_11 });
  });

  it('a 39-bit TTBR0 range starts at level 1', () => {
    const t39: Stage1Regime = { tcr: 25n | (16n << 16n) | (2n << 30n) | (5n << 32n), ttbr0: t.table(), ttbr1 };
    t.map(t39.ttbr0, 1, 0x40_0000_1000n, 3, 0x4400_0000n | PAGE | AF);
    expect(ok(translateStage1(t.memory, t39, 0x40_0000_1010n, 'read', 1))).toBe(0x4400_0010n);
    expect(failed(translateStage1(t.memory, t39, 0x80_0000_0000n, 'read', 1)).level).toBe(0);
  });

  it('gives the abort syndromes (WnR and the status code) and PAR_EL1', () => {
    const f = failed(translateStage1(t.memory, regime, 0xffff_8000_8080_1000n, 'write', 1));
    expect(dataAbortIss(f, true)).toBe(0x40 | 0b0011_11);
    expect(instructionAbortIss(failed(translateStage1(t.memory, regime, 0xffff_8000_8000_5000n, 'fetch', 1)))).toBe(0b0001_11);
    expect(parAfter(f, 0n)).toBe((1n << 11n) | (0b0011_11n << 1n) | 1n);
    expect(parAfter(translateStage1(t.memory, regime, KERNEL_VA, 'read', 1), 0xff_44n)).toBe((0xffn << 56n) | 0x4123_4000n | (3n << 7n));
  });
});

describe('AT S1E1R/W and S1E0R with SCTLR_EL1.M set', () => {
  /** A machine whose TTBR1 maps KERNEL_VA's page to DATA, with the tables in the data page's neighbourhood. */
  function machine(source: string, mmu: boolean) {
    const m = machineWith(source, 'el1h');
    const l0 = 0x5_0000;
    m.memory.map(l0, 0x4000);
    const entry = (level: number) => Number((KERNEL_VA >> BigInt(12 + 9 * (3 - level))) & 0x1ffn) * 8;
    m.memory.write64(l0 + entry(0), BigInt(l0 + 0x1000) | TABLE);
    m.memory.write64(l0 + 0x1000 + entry(1), BigInt(l0 + 0x2000) | TABLE);
    m.memory.write64(l0 + 0x2000 + entry(2), BigInt(l0 + 0x3000) | TABLE);
    m.memory.write64(l0 + 0x3000 + entry(3), BigInt(DATA) | PAGE | AF | AP_RO | (1n << 2n));
    // TTBR0 maps the low 2 MiB (code, vectors, data, tables) flat with one level 2 block: with SCTLR_EL1.M set the program's own fetches translate.
    m.memory.map(l0 + 0x4000, 0x3000);
    m.memory.write64(l0 + 0x4000, BigInt(l0 + 0x5000) | TABLE);
    m.memory.write64(l0 + 0x5000, BigInt(l0 + 0x6000) | TABLE);
    m.memory.write64(l0 + 0x6000, VALID | AF);
    m.setRegister('ttbr0_el1', BigInt(l0 + 0x4000));
    m.setRegister('tcr_el1', TCR);
    m.setRegister('ttbr1_el1', BigInt(l0));
    m.setRegister('mair_el1', 0x00_44_ffn);
    if (mmu) m.setRegister('sctlr_el1', m.register('sctlr_el1') | 1n);
    m.setRegister('x0', KERNEL_VA);
    return m;
  }

  it('a read through TTBR1 gives the PA and the MAIR attribute; a write to the read-only page, and EL0, give F = 1 with the status code', () => {
    const read = machine('at s1e1r, x0\nmrs x1, par_el1\nat s1e1w, x0\nmrs x2, par_el1\nat s1e0r, x0\nmrs x3, par_el1\nwfi\n', true);
    runToWfi(read);
    expect(read.register("x1")).toBe((0x44n << 56n) | BigInt(DATA));
    expect(read.register('x2')).toBe((1n << 11n) | (0b0011_11n << 1n) | 1n);
    expect(read.register('x3')).toBe((1n << 11n) | (0b0011_11n << 1n) | 1n);
    expect(read.pc).toBe(CODE + 28);
  });

  it('with SCTLR_EL1.M clear the output address is the input, whatever the tables say', () => {
    const off = machine('at s1e1r, x0\nmrs x1, par_el1\nwfi\n', false);
    off.setRegister('x0', 0x4_0123n);
    runToWfi(off);
    expect(off.register('x1')).toBe(0x4_0000n);
  });
});
