/**
 * Translated execution in the EL1&0 regime (arch/arm64/tlb.ts,
 * translated-memory.ts, core.ts): with SCTLR_EL1.M set, fetches, loads and
 * stores go through stage 1, and the upper (TTBR1) half of the 64-bit
 * space works as the ARM ARM defines it (DDI 0487, D8.2.1 "the VA range
 * selected by bit 55": TTBR0 when VA[55] = 0, TTBR1 when it is 1; every bit
 * above the TxSZ input size must equal it, bits 63:56 excepted for data
 * accesses under TBI0/TBI1; anything else is a level 0 translation fault).
 * Syndromes as D13.2.37 ESR_ELx gives them: EC 0x25 (data abort, same EL),
 * EC 0x21 (instruction abort, same EL), IL = 1, WnR (bit 6), DFSC/IFSC
 * 0b0001ll translation and 0b0011ll permission at level ll. Both engines.
 */

import { describe, expect, it } from 'vitest';
import type { EngineName } from '../../../src/interp/backend.ts';
import { CODE, DATA, machineWith, runToWfi, VBAR1, type Arm64Machine } from './machine-harness.ts';

const TABLE = 3n;
const PAGE = 3n;
const BLOCK = 1n;
const AF = 1n << 10n;
const AP_RO = 1n << 7n;

/** T0SZ = T1SZ = 16 (48-bit ranges), TG1 4 KiB, IPS 48 bits (D13.2.131 TCR_EL1). */
const TCR = 16n | (16n << 16n) | (2n << 30n) | (5n << 32n);
/** TCR_EL1.TBI1 (bit 38). */
const TBI1 = 1n << 38n;

/** The kernel's half: a page aliasing CODE's first page, then DATA read-write, then DATA read-only. */
const KERNEL_VA = 0xffff_8000_8000_0000n;
const DATA_VA = KERNEL_VA + 0x1000n;
const READ_ONLY_VA = KERNEL_VA + 0x2000n;

const TABLES = 0x5_0000;

/** A machine whose TTBR0 maps the low 2 MiB flat (one level 2 block) and whose TTBR1 maps the three kernel pages. */
function translated(source: string, engine: EngineName, mode = 'el1h', el2?: string): Arm64Machine {
  const m = machineWith(source, mode, el2 === undefined ? {} : { el2 }, engine);
  m.memory.map(TABLES, 0x8000);
  const w = (address: number, value: bigint) => m.memory.write64(address, value);
  // TTBR0: L0[0] -> L1[0] -> L2[0] = block at 0.
  w(TABLES, BigInt(TABLES + 0x1000) | TABLE);
  w(TABLES + 0x1000, BigInt(TABLES + 0x2000) | TABLE);
  w(TABLES + 0x2000, BLOCK | AF);
  // TTBR1: the walk of KERNEL_VA, index by index.
  const index = (va: bigint, level: number) => Number((va >> BigInt(12 + 9 * (3 - level))) & 0x1ffn) * 8;
  const root = TABLES + 0x3000;
  w(root + index(KERNEL_VA, 0), BigInt(TABLES + 0x4000) | TABLE);
  w(TABLES + 0x4000 + index(KERNEL_VA, 1), BigInt(TABLES + 0x5000) | TABLE);
  w(TABLES + 0x5000 + index(KERNEL_VA, 2), BigInt(TABLES + 0x6000) | TABLE);
  w(TABLES + 0x6000 + index(KERNEL_VA, 3), BigInt(CODE) | PAGE | AF);
  w(TABLES + 0x6000 + index(DATA_VA, 3), BigInt(DATA) | PAGE | AF);
  w(TABLES + 0x6000 + index(READ_ONLY_VA, 3), BigInt(DATA) | PAGE | AF | AP_RO);
  m.setRegister('tcr_el1', TCR);
  m.setRegister('ttbr0_el1', BigInt(TABLES));
  m.setRegister('ttbr1_el1', BigInt(root));
  return m;
}

/** A machine already running translated at EL1. */
function running(source: string, engine: EngineName): Arm64Machine {
  const m = translated(source, engine);
  m.setRegister('sctlr_el1', m.register('sctlr_el1') | 1n);
  return m;
}

const ESR_EC = (esr: bigint) => Number(esr >> 26n);

describe.each(['jit', 'interp'] as const)('stage 1 of the EL1&0 regime on the %s engine', (engine) => {
  it('turns on with an MSR and then loads, stores and branches through TTBR1 (ADR and BL see the upper-half PC)', () => {
    const source = ['msr sctlr_el1, x9', 'isb', 'ldr x1, [x10]', 'str x11, [x10, #8]', 'br x12', 'adr x3, #0', 'bl #4', 'mrs x5, currentel', 'wfi'].join('\n');
    const m = translated(source, engine);
    m.memory.write64(DATA, 0x1122_3344_5566_7788n);
    m.setRegister('x9', m.register('sctlr_el1') | 1n);
    m.setRegister('x10', DATA_VA);
    m.setRegister('x11', 0xfeed_face_cafe_beefn);
    m.setRegister('x12', KERNEL_VA + 20n);
    runToWfi(m);
    expect(m.register('x1')).toBe(0x1122_3344_5566_7788n);
    expect(m.memory.read64(DATA + 8)).toBe(0xfeed_face_cafe_beefn);
    // adr at KERNEL_VA + 20, bl at + 24 links + 28: the PC is the 64-bit upper-half address.
    expect(m.register('x3')).toBe(KERNEL_VA + 20n);
    expect(m.register('x30')).toBe(KERNEL_VA + 28n);
    expect(m.register('x5')).toBe(4n);
    expect(m.register('pc') >> 48n).toBe(0xffffn);
  });

  it('an address above the TTBR0 range or below the TTBR1 range is a level 0 translation fault, with FAR the whole address', () => {
    for (const address of [0x0001_0000_0000_0000n, 0xfffe_8000_0000_0000n, 0x0080_0000_0000_0000n]) {
      const m = running('ldr x1, [x4]\nwfi', engine);
      m.setRegister('x4', address);
      runToWfi(m);
      const esr = m.register('esr_el1');
      expect([ESR_EC(esr), Number(esr & 0x3fn), (esr >> 25n) & 1n]).toEqual([0x25, 0b0001_00, 1n]);
      expect(m.register('far_el1')).toBe(address);
      expect(m.register('elr_el1')).toBe(BigInt(CODE));
      // The vector's wfi stops the run after it.
      expect(m.register('pc')).toBe(BigInt(VBAR1 + 0x204));
    }
  });

  it('an unmapped page of the TTBR1 range faults at level 3; a store to a read-only page is a level 3 permission fault with WnR', () => {
    const m = running('ldr x1, [x4]\nwfi', engine);
    m.setRegister('x4', KERNEL_VA + 0x10_0000n + 8n);
    runToWfi(m);
    expect(Number(m.register('esr_el1') & 0x7fn)).toBe(0b0001_11);
    expect(m.register('far_el1')).toBe(KERNEL_VA + 0x10_0008n);
    const store = running('str x1, [x4]\nwfi', engine);
    store.setRegister('x4', READ_ONLY_VA);
    runToWfi(store);
    const esr = store.register('esr_el1');
    expect([ESR_EC(esr), Number(esr & 0x7fn)]).toEqual([0x25, 0x40 | 0b0011_11]);
    // The same page reads.
    const load = running('ldr x1, [x4]\nwfi', engine);
    load.memory.write64(DATA, 42n);
    load.setRegister('x4', READ_ONLY_VA);
    runToWfi(load);
    expect(load.register('x1')).toBe(42n);
  });

  it('LDTR/STTR at EL1 are checked as EL0 accesses (D8.4.1): a page EL1 may use and EL0 may not (AP 0b00) is a level 3 permission fault for them, not for LDR/STR', () => {
    // AP[2:1] (descriptor bits 7:6): 0b00 EL1 read/write, EL0 none; 0b01 both read/write; 0b11 both read-only (D8.4.1, no PAN in v8.0).
    const EL0_RW_VA = KERNEL_VA + 0x3000n;
    const EL0_RO_VA = KERNEL_VA + 0x4000n;
    const withUserPages = (source: string): Arm64Machine => {
      const m = running(source, engine);
      m.memory.write64(TABLES + 0x6000 + 3 * 8, BigInt(DATA) | PAGE | AF | (1n << 6n));
      m.memory.write64(TABLES + 0x6000 + 4 * 8, BigInt(DATA) | PAGE | AF | (3n << 6n));
      m.memory.write64(DATA + 0x10, 0x0123_4567_89ab_cdefn);
      m.setRegister('x1', 7n);
      return m;
    };
    const dataAbort = (m: Arm64Machine) => {
      const esr = m.register('esr_el1');
      // EC 0x25 (data abort, current EL), IL 1, ISV 0 (ESR_EL1 has no instruction syndrome), WnR, DFSC.
      return { ec: ESR_EC(esr), il: Number((esr >> 25n) & 1n), isv: Number((esr >> 24n) & 1n), wnr: Number((esr >> 6n) & 1n), dfsc: Number(esr & 0x3fn), far: m.register('far_el1'), elr: m.register('elr_el1') };
    };
    for (const [source, write] of [
      ['ldtr x1, [x4, #16]', 0],
      ['ldtrb w1, [x4, #16]', 0],
      ['ldtrsh x1, [x4, #16]', 0],
      ['sttr x1, [x4, #16]', 1],
      ['sttrh w1, [x4, #16]', 1],
    ] as const) {
      const m = withUserPages(`${source}\nwfi`);
      m.setRegister('x4', DATA_VA);
      runToWfi(m);
      expect(dataAbort(m), source).toEqual({ ec: 0x25, il: 1, isv: 0, wnr: write, dfsc: 0b0011_11, far: DATA_VA + 0x10n, elr: BigInt(CODE) });
      expect(m.register('x1'), source).toBe(7n);
    }
    // LDR and STR of the same page are EL1's own accesses and go through.
    const privileged = withUserPages('ldr x2, [x4, #16]\nstr x1, [x4, #24]\nwfi');
    privileged.setRegister('x4', DATA_VA);
    runToWfi(privileged);
    expect([privileged.register('x2'), privileged.memory.read64(DATA + 0x18)]).toEqual([0x0123_4567_89ab_cdefn, 7n]);
    expect(privileged.register('esr_el1')).toBe(0n);
    // A page EL0 may use: LDTR and STTR go through; one EL0 may only read: LDTR reads, STTR is a permission fault with WnR.
    const user = withUserPages('ldtr x2, [x4, #16]\nsttr x1, [x4, #24]\nldtr x3, [x5, #16]\nsttr x1, [x5, #24]\nwfi');
    user.setRegister('x4', EL0_RW_VA);
    user.setRegister('x5', EL0_RO_VA);
    runToWfi(user);
    expect([user.register('x2'), user.memory.read64(DATA + 0x18), user.register('x3')]).toEqual([0x0123_4567_89ab_cdefn, 7n, 0x0123_4567_89ab_cdefn]);
    expect(dataAbort(user)).toEqual({ ec: 0x25, il: 1, isv: 0, wnr: 1, dfsc: 0b0011_11, far: EL0_RO_VA + 0x18n, elr: BigInt(CODE + 12) });
  });

  it('LDTR with the MMU off is the plain access (nothing checks a privilege)', () => {
    const m = machineWith('ldtr x1, [x4]\nsttr x1, [x4, #8]\nwfi', 'el1h', {}, engine);
    m.memory.write64(DATA, 99n);
    m.setRegister('x4', BigInt(DATA));
    runToWfi(m);
    expect([m.register('x1'), m.memory.read64(DATA + 8)]).toEqual([99n, 99n]);
  });

  it('a tagged data address (top byte not the sign extension of bit 55) is a level 0 translation fault; under TBI1 a branch drops the tag (AArch64.BranchAddr)', () => {
    const tag = (address: bigint) => (address & 0x00ff_ffff_ffff_ffffn) | (0x5an << 56n);
    const m = running('ldr x1, [x4]\nwfi', engine);
    m.setRegister('x4', tag(DATA_VA));
    runToWfi(m);
    expect([ESR_EC(m.register('esr_el1')), Number(m.register('esr_el1') & 0x3fn)]).toEqual([0x25, 0b0001_00]);
    // Without TBI the tagged branch target is fetched whole: an instruction abort, ELR and FAR the target (a page-aligned
    // one: a tagged address is held exactly only to the double's precision, see arch/arm64/tlb.ts).
    const fetch = running('br x4\nwfi', engine);
    fetch.setRegister('x4', tag(DATA_VA));
    runToWfi(fetch);
    const esr = fetch.register('esr_el1');
    expect([ESR_EC(esr), Number(esr & 0x3fn)]).toEqual([0x21, 0b0001_00]);
    expect(fetch.register('elr_el1')).toBe(tag(DATA_VA));
    expect(fetch.register('far_el1')).toBe(fetch.register('elr_el1'));
    // With TBI1 the PC becomes the untagged DATA_VA, where a wfi waits.
    const tbi = running('br x4\nwfi', engine);
    tbi.memory.write32(DATA, 0xd503_207f);
    tbi.setRegister('tcr_el1', TCR | TBI1);
    tbi.setRegister('x4', tag(DATA_VA));
    runToWfi(tbi);
    expect([tbi.register('pc'), tbi.mode()]).toEqual([DATA_VA + 4n, 'el1h']);
  });

  it('an ERET from EL2 into EL1 with SCTLR_EL1.M set runs on through TTBR1', () => {
    const m = translated('eret', engine, 'el2h');
    m.setRegister('sctlr_el1', m.register('sctlr_el1') | 1n);
    m.setRegister('spsr_el2', 0x3c5n);
    // KERNEL_VA + 4 is CODE + 4: put the EL1 program there, after the eret.
    const program = machineWith('eret\nldr x1, [x4]\nwfi', 'el2h');
    m.memory.load(CODE, program.memory.readBytes(CODE, 12)!);
    m.setRegister('elr_el2', KERNEL_VA + 4n);
    m.setRegister('x4', DATA_VA);
    m.memory.write64(DATA, 99n);
    runToWfi(m);
    expect([m.mode(), m.register('x1'), m.register('pc') >> 48n]).toEqual(['el1h', 99n, 0xffffn]);
  });

  it('the TLB keeps a translation until TLBI: a rewritten descriptor is seen only after tlbi vmalle1 (D8.13)', () => {
    const source = ['ldr x1, [x4]', 'str x6, [x7]', 'ldr x2, [x4]', 'tlbi vmalle1', 'dsb nsh', 'isb', 'ldr x3, [x4]', 'wfi'].join('\n');
    const m = running(source, engine);
    m.memory.write64(DATA, 5n);
    m.setRegister('x4', DATA_VA);
    // DATA_VA's level 3 descriptor (reached through TTBR0's flat block), rewritten to map the code page.
    m.setRegister('x7', BigInt(TABLES + 0x6000 + Number((DATA_VA >> 12n) & 0x1ffn) * 8));
    m.setRegister('x6', BigInt(CODE) | PAGE | AF);
    runToWfi(m);
    const firstWord = BigInt(m.memory.read32(CODE)!) | (BigInt(m.memory.read32(CODE + 4)!) << 32n);
    expect([m.register('x1'), m.register('x2'), m.register('x3')]).toEqual([5n, 5n, firstWord]);
  });
});
