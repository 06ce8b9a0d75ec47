/**
 * The stage-1 translation table walk (arch/arm32/mmu.ts) against tables
 * built by hand from the ARM ARM's descriptor formats (DDI 0406C B3.5 short
 * descriptors, B3.6 long descriptors, B3.7 access permissions, B3.13.3 fault
 * status encodings).
 */

import { describe, expect, it } from 'vitest';
import { translate, type MmuAccess } from '../../../arch/arm32/mmu.ts';
import { cp15Slot, createArm32State, Mode, type Arm32State } from '../../../arch/arm32/registers.ts';
import { GuestMemory } from '../../../src/memory/guest-memory.ts';

const READ: MmuAccess = { write: false, execute: false, privileged: true };
const WRITE: MmuAccess = { write: true, execute: false, privileged: true };
const FETCH: MmuAccess = { write: false, execute: true, privileged: true };
const USER_READ: MmuAccess = { write: false, execute: false, privileged: false };

const L1 = 0x4000; // 16 KiB aligned
const L2 = 0x8000;

function machine(): { s: Arm32State; memory: GuestMemory } {
  const memory = new GuestMemory('little');
  memory.map(0, 0x2_0000);
  const s = createArm32State();
  s.cp15[cp15Slot('sctlr')] = s.cp15[cp15Slot('sctlr')]! | 1;
  s.cp15[cp15Slot('ttbr0')] = L1;
  s.cp15[cp15Slot('dacr')] = 0x5555_5555; // every domain client
  return { s, memory };
}

/** A section descriptor (B3.5.1): PA[31:20], AP[2] bit 15, AP[1:0] bits 11:10, domain 8:5, XN bit 4, PXN bit 0. */
function section(pa: number, ap: number, extra: { domain?: number; xn?: boolean; pxn?: boolean } = {}): number {
  return ((pa & 0xfff0_0000) | ((ap >> 2) << 15) | ((ap & 3) << 10) | ((extra.domain ?? 0) << 5) | (extra.xn ? 0x10 : 0) | 2 | (extra.pxn ? 1 : 0)) >>> 0;
}

describe('short-descriptor walk (B3.5)', () => {
  it('is the identity while SCTLR.M is clear', () => {
    const { s, memory } = machine();
    s.cp15[cp15Slot('sctlr')] = 0;
    expect(translate(s, memory, 0xc000_1234, READ)).toMatchObject({ kind: 'ok', physical: 0xc000_1234 });
  });

  it('maps a section, a supersection, a small page and a large page', () => {
    const { s, memory } = machine();
    memory.write32(L1 + 0xc00 * 4, section(0x1000_0000, 0b011));
    memory.write32(L1 + 0xd00 * 4, (0x2000_0000 | (1 << 18) | (3 << 10) | 2) >>> 0);
    memory.write32(L1 + 0x001 * 4, (L2 | (2 << 5) | 1) >>> 0);
    memory.write32(L2 + 0x05 * 4, (0x3000_5000 | (3 << 4) | 2) >>> 0);
    memory.write32(L2 + 0x10 * 4, (0x4001_0000 | (3 << 4) | 1) >>> 0);
    expect(translate(s, memory, 0xc001_2345, READ)).toMatchObject({ kind: 'ok', physical: 0x1001_2345, level: 1 });
    expect(translate(s, memory, 0xd00b_cdef, READ)).toMatchObject({ kind: 'ok', physical: 0x200b_cdef, level: 1 });
    expect(translate(s, memory, 0x0010_5abc, READ)).toMatchObject({ kind: 'ok', physical: 0x3000_5abc, level: 2 });
    expect(translate(s, memory, 0x0011_0abc, READ)).toMatchObject({ kind: 'ok', physical: 0x4001_0abc, level: 2 });
  });

  it('reports translation faults with the section and page status codes (Table B3-23)', () => {
    const { s, memory } = machine();
    memory.write32(L1 + 0x001 * 4, (L2 | (2 << 5) | 1) >>> 0);
    expect(translate(s, memory, 0x8000_0000, READ)).toMatchObject({ kind: 'fault', fault: 'translation', level: 1, status: 0b00101 });
    expect(translate(s, memory, 0x0010_0000, READ)).toMatchObject({ kind: 'fault', fault: 'translation', level: 2, status: (2 << 4) | 0b0111 });
  });

  it('checks the domain: no access is a domain fault, manager skips the permissions', () => {
    const { s, memory } = machine();
    memory.write32(L1 + 0xc00 * 4, section(0x1000_0000, 0b000, { domain: 3 }));
    s.cp15[cp15Slot('dacr')] = 0;
    expect(translate(s, memory, 0xc000_0000, READ)).toMatchObject({ fault: 'domain', status: (3 << 4) | 0b1001 });
    s.cp15[cp15Slot('dacr')] = 3 << 6;
    expect(translate(s, memory, 0xc000_0000, WRITE)).toMatchObject({ kind: 'ok', physical: 0x1000_0000 });
    s.cp15[cp15Slot('dacr')] = 1 << 6;
    expect(translate(s, memory, 0xc000_0000, READ)).toMatchObject({ fault: 'permission', status: (3 << 4) | 0b1101 });
  });

  it('applies AP[2:0] (Table B3-8), XN and PXN', () => {
    const { s, memory } = machine();
    memory.write32(L1 + 0xc00 * 4, section(0x1000_0000, 0b001));
    memory.write32(L1 + 0xc01 * 4, section(0x1010_0000, 0b010));
    memory.write32(L1 + 0xc02 * 4, section(0x1020_0000, 0b101, { xn: true }));
    memory.write32(L1 + 0xc03 * 4, section(0x1030_0000, 0b011, { pxn: true }));
    expect(translate(s, memory, 0xc000_0000, WRITE).kind).toBe('ok');
    expect(translate(s, memory, 0xc000_0000, USER_READ)).toMatchObject({ fault: 'permission' });
    expect(translate(s, memory, 0xc010_0000, USER_READ).kind).toBe('ok');
    expect(translate(s, memory, 0xc010_0000, { ...USER_READ, write: true })).toMatchObject({ fault: 'permission' });
    expect(translate(s, memory, 0xc020_0000, READ).kind).toBe('ok');
    expect(translate(s, memory, 0xc020_0000, WRITE)).toMatchObject({ fault: 'permission' });
    expect(translate(s, memory, 0xc020_0000, FETCH)).toMatchObject({ fault: 'permission' });
    expect(translate(s, memory, 0xc030_0000, FETCH)).toMatchObject({ fault: 'permission' });
    expect(translate(s, memory, 0xc030_0000, { ...FETCH, privileged: false }).kind).toBe('ok');
  });

  it('with SCTLR.AFE, AP[0] is the access flag (Table B3-9)', () => {
    const { s, memory } = machine();
    s.cp15[cp15Slot('sctlr')] = s.cp15[cp15Slot('sctlr')]! | (1 << 29);
    memory.write32(L1 + 0xc00 * 4, section(0x1000_0000, 0b010));
    memory.write32(L1 + 0xc01 * 4, section(0x1010_0000, 0b011));
    expect(translate(s, memory, 0xc000_0000, READ)).toMatchObject({ fault: 'access-flag', status: 0b00011 });
    expect(translate(s, memory, 0xc010_0000, USER_READ).kind).toBe('ok');
  });

  it('splits TTBR0 and TTBR1 by TTBCR.N, and an unmapped table is an external abort on the walk', () => {
    const { s, memory } = machine();
    s.cp15[cp15Slot('ttbcr')] = 2; // TTBR0 below 1 GiB, its table 4 KiB
    s.cp15[cp15Slot('ttbr0')] = 0x1_0000;
    s.cp15[cp15Slot('ttbr1')] = L1;
    memory.write32(0x1_0000 + 0x001 * 4, section(0x0550_0000, 0b011));
    memory.write32(L1 + 0xc00 * 4, section(0x1000_0000, 0b011));
    expect(translate(s, memory, 0x0010_0004, READ)).toMatchObject({ physical: 0x0550_0004 });
    expect(translate(s, memory, 0xc000_0004, READ)).toMatchObject({ physical: 0x1000_0004 });
    s.cp15[cp15Slot('ttbr1')] = 0x8000_0000;
    expect(translate(s, memory, 0xc000_0004, READ)).toMatchObject({ fault: 'walk-external', status: 0b01100 });
  });
});

/** A long descriptor's words: output address, AF, AP[2:1], XN (bit 54), PXN (bit 53), table or block/page. */
function long(memory: GuestMemory, at: number, pa: number, kind: 'table' | 'block' | 'page', attributes: { ap?: number; af?: boolean; xn?: boolean; pxn?: boolean } = {}): void {
  const low = kind === 'table' ? (pa | 3) >>> 0 : (pa | ((attributes.ap ?? 0) << 6) | ((attributes.af ?? true) ? 1 << 10 : 0) | (kind === 'page' ? 3 : 1)) >>> 0;
  const high = (attributes.xn ? 1 << 22 : 0) | (attributes.pxn ? 1 << 21 : 0);
  memory.write32(at, low);
  memory.write32(at + 4, high);
}

describe('long-descriptor walk (B3.6)', () => {
  it('walks 1 GiB blocks, 2 MiB blocks and 4 KiB pages through TTBR0 (TTBCR.EAE)', () => {
    const { s, memory } = machine();
    s.cp15[cp15Slot('ttbcr')] = 0x8000_0000;
    s.cp15[cp15Slot('ttbr0_64')] = 0x1000;
    long(memory, 0x1000 + 3 * 8, 0xc000_0000, 'block');
    long(memory, 0x1000 + 0 * 8, 0x2000, 'table');
    long(memory, 0x2000 + 1 * 8, 0x1020_0000, 'block');
    long(memory, 0x2000 + 2 * 8, 0x3000, 'table');
    long(memory, 0x3000 + 5 * 8, 0x0765_4000, 'page');
    expect(translate(s, memory, 0xc123_4567, READ)).toMatchObject({ kind: 'ok', physical: 0xc123_4567, level: 1, format: 'long' });
    expect(translate(s, memory, 0x0021_2345, READ)).toMatchObject({ physical: 0x1021_2345, level: 2 });
    expect(translate(s, memory, 0x0040_5abc, READ)).toMatchObject({ physical: 0x0765_4abc, level: 3 });
    expect(translate(s, memory, 0x0040_6000, READ)).toMatchObject({ fault: 'translation', level: 3, status: (1 << 9) | 0b000111 });
  });

  it('faults on a clear access flag, a read-only write, PL0 without AP[1], XN', () => {
    const { s, memory } = machine();
    s.cp15[cp15Slot('ttbcr')] = 0x8000_0000;
    s.cp15[cp15Slot('ttbr0_64')] = 0x1000;
    long(memory, 0x1000 + 0 * 8, 0x0000_0000, 'block', { af: false });
    long(memory, 0x1000 + 1 * 8, 0x4000_0000, 'block', { ap: 0b10 });
    long(memory, 0x1000 + 2 * 8, 0x8000_0000, 'block', { ap: 0b00, xn: true });
    expect(translate(s, memory, 0x1000, READ)).toMatchObject({ fault: 'access-flag', level: 1, status: (1 << 9) | 0b001001 });
    expect(translate(s, memory, 0x4000_0000, WRITE)).toMatchObject({ fault: 'permission', level: 1 });
    expect(translate(s, memory, 0x8000_0000, USER_READ)).toMatchObject({ fault: 'permission' });
    expect(translate(s, memory, 0x8000_0000, FETCH)).toMatchObject({ fault: 'permission' });
    expect(translate(s, memory, 0x8000_0000, WRITE).kind).toBe('ok');
  });

  it('the Hyp regime walks HTTBR with HTCR.T0SZ when HSCTLR.M is set', () => {
    const { s, memory } = machine();
    s.mode = Mode.hyp;
    expect(translate(s, memory, 0x1234, READ)).toMatchObject({ physical: 0x1234, level: 0 });
    s.cp15[cp15Slot('hsctlr')] = s.cp15[cp15Slot('hsctlr')]! | 1;
    s.cp15[cp15Slot('httbr')] = 0x1000;
    long(memory, 0x1000 + 2 * 8, 0x4000_0000, 'block', { ap: 0b10 });
    expect(translate(s, memory, 0x8000_0010, READ)).toMatchObject({ physical: 0x4000_0010, format: 'long' });
    expect(translate(s, memory, 0x8000_0010, WRITE)).toMatchObject({ fault: 'permission' });
    s.cp15[cp15Slot('htcr')] = 1; // a 2 GiB region
    expect(translate(s, memory, 0x8000_0010, READ)).toMatchObject({ fault: 'translation', level: 1 });
  });
});
