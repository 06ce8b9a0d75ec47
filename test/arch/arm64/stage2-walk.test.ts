/**
 * The ARMv8 stage-2 walk of arch/arm64/mmu.ts (translateStage2): VTCR_EL2
 * T0SZ/SL0/TG0/PS and VTTBR_EL2's base over tables laid out as D8.2 says,
 * including a start level later than the input size needs (concatenated
 * tables, D8.2.9), and the stage-2 permissions S2AP/XN with their fault
 * status codes (D13.2.37).
 */

import { describe, expect, it } from 'vitest';
import { translateStage2, type Stage1Result } from '../../../arch/arm64/mmu.ts';
import { GuestMemory } from '../../../src/memory/guest-memory.ts';

const PAGE = 3n;
const TABLE = 3n;
const AF = 1n << 10n;
const S2AP_R = 1n << 6n;
const S2AP_W = 1n << 7n;
const XN = 1n << 54n;

/** VTCR_EL2: T0SZ 24 (a 40-bit IPA), SL0 1 (start at level 1, two concatenated tables), TG0 4 KiB, PS 40 bits (2). */
const VTCR = 24n | (1n << 6n) | (2n << 16n);

const memory = new GuestMemory('little');
memory.map(0x10_0000, 0x10_0000);
const ROOT = 0x10_0000n; // 2 concatenated level-1 tables (8 KiB)
const L2 = 0x10_2000n;
const L3 = 0x10_3000n;
const w = (a: bigint, v: bigint): void => void memory.write64(Number(a), v);

// IPA 0x80_4000_1000 (bit 39 set: the second concatenated table): level-1 index 0x200 + 1.
const IPA = 0x80_4000_1000n;
w(ROOT + ((IPA >> 30n) & 0x3ffn) * 8n, L2 | TABLE);
w(L2 + ((IPA >> 21n) & 0x1ffn) * 8n, L3 | TABLE);
w(L3 + 1n * 8n, 0x4123_4000n | PAGE | AF | S2AP_R | S2AP_W);
w(L3 + 2n * 8n, 0x4123_5000n | PAGE | AF | S2AP_R | XN);
w(L3 + 3n * 8n, 0x4123_6000n | PAGE | AF);
w(L3 + 4n * 8n, 0x4123_7000n | PAGE | S2AP_R);
w(L2 + (((IPA >> 21n) + 1n) & 0x1ffn) * 8n, 0x4060_0000n | 1n | AF | S2AP_R | S2AP_W); // a 2 MiB block

const regime = { vtcr: VTCR, vttbr: ROOT | (5n << 48n) }; // VMID 5 in bits 63:48 is not part of the base

function fsc(result: Stage1Result): number {
  return result.ok ? -1 : result.fsc;
}

describe('stage-2 walk, 4 KiB granule', () => {
  it('translates through concatenated level-1 tables, keeping the offset', () => {
    const result = translateStage2(memory, regime, IPA + 0x234n, 'write');
    expect(result).toMatchObject({ ok: true, pa: 0x4123_4234n, level: 3, writable: true });
  });

  it('translates a level-2 block', () => {
    expect(translateStage2(memory, regime, IPA + 0x20_0000n + 0x5678n - 0x1000n, 'read')).toMatchObject({ ok: true, pa: 0x4060_5678n, level: 2 });
  });

  it('S2AP: a write to a read-only page, a read of a no-access page, are permission faults at level 3', () => {
    expect(fsc(translateStage2(memory, regime, IPA + 0x1000n, 'write'))).toBe(0x0f);
    expect(fsc(translateStage2(memory, regime, IPA + 0x2000n, 'read'))).toBe(0x0f);
    expect(translateStage2(memory, regime, IPA + 0x1000n, 'read')).toMatchObject({ ok: true, writable: false });
  });

  it('XN: a fetch from an execute-never page is a permission fault; AF = 0 an access flag fault', () => {
    expect(fsc(translateStage2(memory, regime, IPA + 0x1000n, 'fetch'))).toBe(0x0f);
    expect(fsc(translateStage2(memory, regime, IPA + 0x3000n, 'read'))).toBe(0x0b);
  });

  it('an unmapped IPA is a translation fault at the level whose descriptor is invalid', () => {
    expect(fsc(translateStage2(memory, regime, 0x1000n, 'read'))).toBe(0x05);
    expect(fsc(translateStage2(memory, regime, IPA + 0x5000n, 'read'))).toBe(0x07);
  });

  it('an IPA beyond T0SZ, an SL0 that does not fit, and TG0 ≠ 4 KiB fault at level 0', () => {
    expect(fsc(translateStage2(memory, regime, 1n << 40n, 'read'))).toBe(0x04);
    expect(fsc(translateStage2(memory, { ...regime, vtcr: VTCR | (3n << 6n) }, IPA, 'read'))).toBe(0x04);
    expect(fsc(translateStage2(memory, { ...regime, vtcr: (VTCR & ~(3n << 6n)) }, IPA, 'read'))).toBe(0x04); // level 2 start: 19 index bits
    expect(fsc(translateStage2(memory, { ...regime, vtcr: VTCR | (2n << 14n) }, IPA, 'read'))).toBe(0x04);
  });

  it('PS bounds the output: a 32-bit PS makes a 0x4123_4000 page fine but a table beyond it an address size fault', () => {
    expect(translateStage2(memory, { ...regime, vtcr: VTCR & ~(7n << 16n) }, IPA, 'read')).toMatchObject({ ok: true });
    expect(fsc(translateStage2(memory, { vtcr: VTCR & ~(7n << 16n), vttbr: 1n << 33n }, IPA, 'read'))).toBe(0x01);
  });
});
