/**
 * Stage 2 of the EL1&0 regime applied to a guest's accesses (HCR_EL2.VM = 1;
 * arch/arm64/mmu.ts translateEl10, tlb.ts, exceptions.ts stage2Abort) and
 * the aborts it raises at EL2, both engines: ESR_EL2 EC 0x24 (data abort
 * from a lower EL) or 0x20 (instruction abort from a lower EL), IL = 1, the
 * data-abort ISS (D13.2.37: ISV, SAS, SSE, SRT, SF, AR, S1PTW, WnR, DFSC);
 * FAR_EL2 the virtual address, HPFAR_EL2.FIPA (bits 43:4) the IPA's bits
 * 47:12 (D13.2.55), ELR_EL2 the instruction. Syndromes are computed from
 * fields with encodeDataAbort and, where abi-facts §12.5 works them out by
 * hand from the ARM ARM, pinned as literals.
 */

import { describe, expect, it } from 'vitest';
import { ARM64_INSTRUCTION_SET } from '../../../arch/arm64/core.ts';
import { ESR_EL2_DATA_ABORT } from '../../../arch/arm64/syndrome.ts';
import type { EngineName } from '../../../src/interp/backend.ts';
import { assemble } from '../../../src/isa/assembler.ts';
import { encodeDataAbort, faultIpa, type DataAbortSyndrome } from '../../../src/mmio/data-abort.ts';
import { CODE, DATA, machineWith, runToWfi, VBAR2, type Arm64Machine } from './machine-harness.ts';

const TABLE = 3n;
const PAGE = 3n;
const BLOCK = 1n;
const AF = 1n << 10n;
/** Stage-2 S2AP = 0b11 (read and write), bits 7:6 (D8.5.2). */
const S2AP_RW = 3n << 6n;

/** VTCR_EL2: T0SZ 25 (a 39-bit IPA space), SL0 1 (start at level 1: one table), TG0 4 KiB, PS 40 bits. */
const VTCR = 25n | (1n << 6n) | (2n << 16n);
/** The stage-2 tables: level 1, level 2, level 3 (the low 2 MiB of IPA space, page by page). */
const S2 = 0x6_0000;
/** An IPA page that stage 2 leaves unmapped (its level-3 descriptor is 0). */
const HOLE = 0x7_0000;
/** Where a rewritten stage-2 descriptor sends DATA's IPA page. */
const OTHER = 0x4_8000;

/** TCR_EL1: T0SZ = T1SZ = 16, TG1 4 KiB, IPS 48 bits (as translation.test.ts). */
const TCR = 16n | (16n << 16n) | (2n << 30n) | (5n << 32n);
/** Stage-1 tables (IPAs, identity-mapped by stage 2): TTBR0 maps the low 2 MiB flat with one level-2 block. */
const TABLES = 0x5_0000;
/** A TTBR1 VA whose walk starts in {@link HOLE} (TTBR1_EL1 points there). */
const KERNEL_VA = 0xffff_8000_8000_0000n;

/** HCR_EL2.VM. */
const VM = 1n;

/** The level-3 descriptor of IPA page `ipa` in the stage-2 tables. */
const s2Leaf = (ipa: number): number => S2 + 0x2000 + ((ipa >>> 12) & 0x1ff) * 8;

/** A machine at EL1 with stage 2 on (identity over the low 2 MiB but {@link HOLE}); stage 1 as `stage1` says. EL2's lower-EL sync vector reads the fault registers, then waits. */
function guest(source: string, engine: EngineName, options: { stage1?: boolean; vm?: boolean; el2?: string } = {}): Arm64Machine {
  const m = machineWith(source, 'el1h', {}, engine);
  const el2 = options.el2 ?? ['mrs x20, esr_el2', 'mrs x21, far_el2', 'mrs x22, hpfar_el2', 'mrs x23, elr_el2', 'mrs x24, vttbr_el2', 'mrs x25, vtcr_el2', 'wfi'].join('\n');
  m.memory.load(VBAR2 + 0x400, assemble(ARM64_INSTRUCTION_SET, el2, VBAR2 + 0x400).bytes);
  m.memory.map(S2, 0x3000);
  m.memory.map(TABLES, 0x3000);
  m.memory.map(OTHER, 0x1000);
  const w = (address: number, value: bigint) => m.memory.write64(address, value);
  w(S2, BigInt(S2 + 0x1000) | TABLE);
  w(S2 + 0x1000, BigInt(S2 + 0x2000) | TABLE);
  for (let page = 0; page < 0x200; page++) if (page * 0x1000 !== HOLE) w(S2 + 0x2000 + page * 8, BigInt(page * 0x1000) | PAGE | AF | S2AP_RW);
  m.setRegister('vtcr_el2', VTCR);
  m.setRegister('vttbr_el2', BigInt(S2) | (1n << 48n));
  m.setRegister('hcr_el2', (options.vm ?? true) ? VM : 0n);
  if (options.stage1 === true) {
    w(TABLES, BigInt(TABLES + 0x1000) | TABLE);
    w(TABLES + 0x1000, BigInt(TABLES + 0x2000) | TABLE);
    w(TABLES + 0x2000, BLOCK | AF);
    m.setRegister('tcr_el1', TCR);
    m.setRegister('ttbr0_el1', BigInt(TABLES));
    m.setRegister('ttbr1_el1', BigInt(HOLE));
    m.setRegister('sctlr_el1', m.register('sctlr_el1') | 1n);
  }
  return m;
}

/** ESR_EL2 of a stage-2 data abort from these fields (EC 0x24, IL 1, DFSC 0x07 unless given). */
const dabt = (fields: Partial<DataAbortSyndrome>): bigint => BigInt(encodeDataAbort({ ec: 0x24, il: 1, dfsc: 0x07, ...fields }, ESR_EL2_DATA_ABORT));

/** HPFAR_EL2 for an IPA: FIPA = IPA[47:12] in bits 43:4. */
const hpfar = (ipa: number): bigint => BigInt(ipa >>> 12) << 4n;

/** The EL2 vector's copies of ESR_EL2, FAR_EL2, HPFAR_EL2, ELR_EL2 (read with MRS at EL2). */
const faultRegisters = (m: Arm64Machine): bigint[] => ['x20', 'x21', 'x22', 'x23'].map((r) => m.register(r));

describe.each(['jit', 'interp'] as const)('stage-2 aborts on the %s engine', (engine) => {
  it('str w1, [x0] to an unmapped IPA: EC 0x24 with ISV = 1 (ESR_EL2 0x93810047), FAR_EL2, HPFAR_EL2, ELR_EL2 read with MRS at EL2', () => {
    const m = guest('str w1, [x0]\nwfi', engine);
    m.setRegister('x0', BigInt(HOLE + 0x10));
    m.setRegister('x1', 0xdeadn);
    runToWfi(m);
    expect(m.mode()).toBe('el2h');
    expect(m.register('pc')).toBe(BigInt(VBAR2 + 0x400 + 7 * 4));
    const esr = dabt({ isv: 1, sas: 2, srt: 1, wnr: 1 });
    expect(esr).toBe(0x9381_0047n); // abi-facts §12.5, worked by hand from the field positions
    expect(faultRegisters(m)).toEqual([esr, BigInt(HOLE + 0x10), hpfar(HOLE), BigInt(CODE)]);
    expect(m.register('hpfar_el2')).toBe(0x700n);
    // The IPA as KVM forms it: (HPFAR & ~0xF) << 8, plus FAR_EL2's page offset (abi-facts §12.2).
    expect(faultIpa(m.register('hpfar_el2'), m.register('far_el2'))).toBe(BigInt(HOLE + 0x10));
    // SPSR_EL2 is the guest's PSTATE (EL1h, DAIF as it was); the EL1 registers are untouched; VTTBR/VTCR read back with MRS.
    expect(m.register('spsr_el2') & 0xfn).toBe(5n);
    expect(m.register('esr_el1')).toBe(0n);
    expect([m.register('x24'), m.register('x25')]).toEqual([BigInt(S2) | (1n << 48n), VTCR]);
  });

  it('with stage 1 on, FAR_EL2 is the virtual address and HPFAR_EL2 the IPA it translated to', () => {
    // TTBR0's flat block: VA = IPA here, so use an offset VA through a second stage-1 mapping: L2[1] maps VA 2 MiB up onto IPA 0.
    const m = guest('str w1, [x0]\nwfi', engine, { stage1: true });
    m.memory.write64(TABLES + 0x2000 + 8, BLOCK | AF);
    m.setRegister('x0', BigInt(0x20_0000 + HOLE + 0x24));
    runToWfi(m);
    expect(faultRegisters(m)).toEqual([0x9381_0047n, BigInt(0x20_0000 + HOLE + 0x24), hpfar(HOLE), BigInt(CODE)]);
  });

  it('ldrsh x2, [x0]: SSE = 1, SF = 1, SAS = 1, SRT = 2; ldrsh x1 and ldr x2 pin the §12.5 values; ldar w1 has AR; str wzr SRT 31', () => {
    const cases: [string, Partial<DataAbortSyndrome>, bigint | undefined][] = [
      ['ldrsh x2, [x0]', { isv: 1, sas: 1, sse: 1, srt: 2, sf: 1 }, 0x9362_8007n],
      ['ldrsh x1, [x0]', { isv: 1, sas: 1, sse: 1, srt: 1, sf: 1 }, 0x9361_8007n],
      ['ldr x2, [x0]', { isv: 1, sas: 3, srt: 2, sf: 1 }, 0x93c2_8007n],
      ['ldrsb w5, [x0, #3]', { isv: 1, sas: 0, sse: 1, srt: 5 }, undefined],
      ['ldrsw x6, [x0, x7]', { isv: 1, sas: 2, sse: 1, srt: 6, sf: 1 }, undefined],
      ['ldurh w8, [x0, #-2]', { isv: 1, sas: 1, srt: 8 }, undefined],
      ['sttrb w9, [x0]', { isv: 1, sas: 0, srt: 9, wnr: 1 }, undefined],
      ['ldar w1, [x0]', { isv: 1, sas: 2, srt: 1, ar: 1 }, 0x9381_4007n],
      ['stlr x3, [x0]', { isv: 1, sas: 3, srt: 3, sf: 1, ar: 1, wnr: 1 }, undefined],
      ['str wzr, [x0]', { isv: 1, sas: 2, srt: 31, wnr: 1 }, 0x939f_0047n],
      ['ldr x4, #0x2000', { isv: 1, sas: 3, srt: 4, sf: 1 }, undefined],
    ];
    for (const [instruction, fields, literal] of cases) {
      const m = guest(`${instruction}\nwfi`, engine);
      m.setRegister('x0', BigInt(HOLE + 0x40));
      m.setRegister('x7', 8n);
      // LDR (literal) reads CODE + 0x2000: unmap that IPA page for this case (FAR_EL2 is then that address).
      if (instruction.startsWith('ldr x4, #')) m.memory.write64(s2Leaf(CODE + 0x2000), 0n);
      runToWfi(m);
      const esr = dabt(fields);
      if (literal !== undefined) expect(esr, instruction).toBe(literal);
      expect(m.register('esr_el2'), instruction).toBe(esr);
      expect(m.register('elr_el2'), instruction).toBe(BigInt(CODE));
    }
  });

  it('no valid syndrome (ISV = 0) for writeback, pair and exclusive forms: ldr w3, [x0], #4 (ESR_EL2 0x92000007), ldp x1, x2, [x0], str w1, [x0, #4]!, ldxr, stxr; nothing is written back', () => {
    const cases: [string, boolean][] = [
      ['ldr w3, [x0], #4', false],
      ['ldp x1, x2, [x0]', false],
      ['str w1, [x0, #4]!', true],
      ['stp x1, x2, [x0, #16]', true],
      ['ldxr w1, [x0]', false],
      ['stxr w4, x1, [x0]', true],
      ['ldaxr x1, [x0]', false],
    ];
    for (const [instruction, write] of cases) {
      const m = guest(`${instruction}\nwfi`, engine);
      m.setRegister('x0', BigInt(HOLE));
      // STXR reaches memory only while the local monitor holds its address (set here as an LDXR of the same size would).
      if (instruction.startsWith('stxr')) {
        m.state.monitor = HOLE;
        m.state.monitorBytes = 8;
      }
      runToWfi(m);
      const esr = dabt({ wnr: write ? 1 : 0 });
      if (instruction.startsWith('ldr w3')) expect(esr).toBe(0x9200_0007n); // abi-facts §12.5
      expect(m.register('esr_el2'), instruction).toBe(esr);
      expect(m.register('x0'), instruction).toBe(BigInt(HOLE));
    }
  });

  it('an instruction fetch from an unmapped IPA: EC 0x20 (ESR_EL2 0x82000007), FAR_EL2 = ELR_EL2 = the target, HPFAR_EL2 its IPA', () => {
    const m = guest('br x0\nwfi', engine);
    m.setRegister('x0', BigInt(HOLE + 0x100));
    runToWfi(m);
    expect(0x82000007n).toBe((0x20n << 26n) | (1n << 25n) | 0x07n);
    expect(faultRegisters(m)).toEqual([0x8200_0007n, BigInt(HOLE + 0x100), hpfar(HOLE), BigInt(HOLE + 0x100)]);
    expect(m.mode()).toBe('el2h');
  });

  it('a stage-1 walk whose table is at an unmapped IPA: S1PTW = 1, ISV = 0 (ESR_EL2 0x92000087), HPFAR_EL2 the table IPA, FAR_EL2 the VA', () => {
    const m = guest('ldr x1, [x4]\nwfi', engine, { stage1: true });
    m.setRegister('x4', KERNEL_VA + 0x18n);
    runToWfi(m);
    const esr = dabt({ s1ptw: 1 });
    expect(esr).toBe(0x9200_0087n);
    expect(faultRegisters(m)).toEqual([esr, KERNEL_VA + 0x18n, hpfar(HOLE), BigInt(CODE)]);
    // A store's walk: the same, WnR as the access (S1PTW set, so a hypervisor must not rely on it).
    const store = guest('str w1, [x4]\nwfi', engine, { stage1: true });
    store.setRegister('x4', KERNEL_VA);
    runToWfi(store);
    expect(store.register('esr_el2')).toBe(dabt({ s1ptw: 1, wnr: 1 }));
    // The fetch's own walk faulting at stage 2: an instruction abort with S1PTW (IFSC 0x07).
    const fetch = guest('wfi', engine, { stage1: true });
    fetch.memory.write64(s2Leaf(TABLES + 0x2000), 0n);
    runToWfi(fetch);
    expect(faultRegisters(fetch)).toEqual([0x8200_0087n, BigInt(CODE), hpfar(TABLES + 0x2000), BigInt(CODE)]);
  });

  it('AT S1E1R walks through stage 2: at EL1 a stage-2 fault on the walk is a data abort at EL2 with CM, S1PTW and WnR (0x920001C7); at EL2 it is PAR_EL1 with S and PTW; a good walk gives the IPA', () => {
    const m = guest('at s1e1r, x4\nwfi', engine, { stage1: true });
    m.setRegister('x4', KERNEL_VA + 0x18n);
    runToWfi(m);
    const esr = dabt({ cm: 1, s1ptw: 1, wnr: 1 });
    expect(esr).toBe(0x9200_01c7n);
    expect(faultRegisters(m)).toEqual([esr, KERNEL_VA + 0x18n, hpfar(HOLE), BigInt(CODE)]);
    // At EL2 (VM still set) the same AT reports it: F = 1, FST = 0x07, PTW (bit 8), S (bit 9), bit 11 RES1.
    const el2 = guest('at s1e1r, x4\nwfi', engine, { stage1: true });
    el2.setMode('el2h');
    el2.setRegister('x4', KERNEL_VA + 0x18n);
    runToWfi(el2);
    expect(el2.register('par_el1')).toBe((1n << 11n) | (1n << 9n) | (1n << 8n) | (0x07n << 1n) | 1n);
    // A walk that stage 2 maps: PAR_EL1 has the IPA (stage 1's output), F = 0.
    const good = guest('at s1e1r, x4\nwfi', engine, { stage1: true });
    good.setRegister('x4', BigInt(DATA + 0x123));
    runToWfi(good);
    expect([good.register('par_el1') & 0xffff_ffff_f001n, good.mode()]).toEqual([BigInt(DATA), 'el1h']);
  });

  it('a stage-1 fault with stage 2 on still goes to EL1 (EC 0x25, ESR_EL2 untouched)', () => {
    const m = guest('ldr x1, [x4]\nwfi', engine, { stage1: true });
    m.setRegister('x4', 0x0001_0000_0000_0000n);
    runToWfi(m);
    expect(m.mode()).toBe('el1h');
    expect([m.register('esr_el1'), m.register('esr_el2')]).toEqual([0x9600_0004n, 0n]);
  });

  for (const [name, maintenance] of [
    ['tlbi vmalls12e1', ['tlbi vmalls12e1', 'dsb ish']],
    ['tlbi ipas2e1 + tlbi vmalle1', ['tlbi ipas2e1, x9', 'dsb ish', 'tlbi vmalle1', 'dsb ish']],
  ] as const) {
    it(`the TLB keeps a combined entry after a stage-2 descriptor changes, until ${name} at EL2`, () => {
      // The guest rewrites the stage-2 descriptor of DATA's page (the tables are in its IPA space) to send it to OTHER, then asks EL2 to invalidate.
      const source = ['ldr x1, [x4]', 'str x6, [x7]', 'ldr x2, [x4]', 'hvc #0', 'ldr x3, [x4]', 'wfi'].join('\n');
      const m = guest(source, engine, { el2: [...maintenance, 'isb', 'eret'].join('\n') });
      m.memory.write64(DATA, 5n);
      m.memory.write64(OTHER, 6n);
      m.setRegister('x4', BigInt(DATA));
      m.setRegister('x6', BigInt(OTHER) | PAGE | AF | S2AP_RW);
      m.setRegister('x7', BigInt(s2Leaf(DATA)));
      m.setRegister('x9', BigInt(DATA >>> 12));
      runToWfi(m);
      expect([m.register('x1'), m.register('x2'), m.register('x3')]).toEqual([5n, 5n, 6n]);
      expect(m.mode()).toBe('el1h');
    });
  }

  it('with HCR_EL2.VM = 0 nothing translates: the same store is an external abort at EL1 (EC 0x25, DFSC 0x10), and HPFAR_EL2 is not written', () => {
    const m = guest('str w1, [x0]\nwfi', engine, { vm: false });
    m.setRegister('x0', BigInt(HOLE));
    runToWfi(m);
    expect(m.mode()).toBe('el1h');
    expect([m.register('esr_el1'), m.register('esr_el2'), m.register('hpfar_el2')]).toEqual([0x9600_0050n, 0n, 0n]);
    // And an IPA stage 2 maps to a missing PA is the same external abort, at EL1, with stage 2 on.
    const missing = guest('ldr x1, [x0]\nwfi', engine);
    missing.memory.write64(s2Leaf(HOLE), BigInt(0x1f_0000) | PAGE | AF | S2AP_RW);
    missing.setRegister('x0', BigInt(HOLE));
    runToWfi(missing);
    expect([missing.mode(), missing.register('esr_el1'), missing.register('esr_el2')]).toEqual(['el1h', 0x9600_0010n, 0n]);
  });
});
