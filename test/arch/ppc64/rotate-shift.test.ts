/**
 * Rotates and shifts (Power ISA v3.0B Book I 3.3.14): the masks of the word
 * and doubleword rotates (including wrapping masks and the insert forms),
 * the extended mnemonics, and the shifts with their carries.
 */

import { describe, expect, it } from 'vitest';
import { cr0, runToWait, u64, XER } from './machine-harness.ts';

const PATTERN = `
      lis 4, 0x1234
      ori 4, 4, 0x5678
      rldimi 4, 4, 32, 0     # r4 = 0x1234567812345678
`;

/** rotl64 and MASK(mb, me) from the ISA, as a reference. */
function rotl64(x: bigint, n: number): bigint {
  const k = BigInt(n & 63);
  return BigInt.asUintN(64, (x << k) | (x >> ((64n - k) & 63n)));
}

function mask(mb: number, me: number): bigint {
  let m = 0n;
  const set = (b: number): void => {
    m |= 1n << BigInt(63 - b);
  };
  if (mb <= me) for (let b = mb; b <= me; b++) set(b);
  else {
    for (let b = mb; b <= 63; b++) set(b);
    for (let b = 0; b <= me; b++) set(b);
  }
  return m;
}

const X = 0x1234_5678_1234_5678n;

describe('word rotates', () => {
  it('rlwinm rotates the low word replicated into both halves and applies MASK(mb+32, me+32)', () => {
    const cases: [number, number, number][] = [
      [5, 6, 7],
      [0, 0, 31],
      [8, 24, 31],
      [4, 28, 3], // mb > me: the mask wraps, so the high word is the rotated word too
      [31, 31, 0],
    ];
    for (const [sh, mb, me] of cases) {
      const o = runToWait(`${PATTERN}\nrlwinm 5, 4, ${sh}, ${mb}, ${me}\nwait`);
      const word = X & 0xffff_ffffn;
      const rot = rotl64((word << 32n) | word, sh);
      expect(o.reg('r5'), `rlwinm ${sh}, ${mb}, ${me}`).toBe(rot & mask(mb + 32, me + 32));
    }
  });

  it('slwi, srwi, clrlwi, rotlwi, rotrwi, clrrwi, extlwi, extrwi', () => {
    const o = runToWait(`${PATTERN}
      slwi 5, 4, 8
      srwi 6, 4, 8
      clrlwi 7, 4, 16
      rotlwi 8, 4, 4
      rotrwi 9, 4, 4
      clrrwi 10, 4, 4
      extlwi 11, 4, 8, 4
      extrwi 12, 4, 8, 4
      wait`);
    expect(o.reg('r5')).toBe(0x3456_7800n);
    expect(o.reg('r6')).toBe(0x0012_3456n);
    expect(o.reg('r7')).toBe(0x5678n);
    expect(o.reg('r8')).toBe(0x2345_6781n);
    expect(o.reg('r9')).toBe(0x8123_4567n);
    expect(o.reg('r10')).toBe(0x1234_5670n);
    expect(o.reg('r11')).toBe(0x2300_0000n);
    expect(o.reg('r12')).toBe(0x23n);
  });

  it('rlwimi inserts under the mask and keeps the rest of RA; rlwnm rotates by RB', () => {
    const o = runToWait(`${PATTERN}
      li 5, -1
      rlwimi 5, 4, 8, 8, 15   # bits 40:47 of r5 from (rotated) r4
      li 6, 0
      inslwi 6, 4, 8, 0       # insert the low byte's word-rotation at bit 32
      li 7, 12
      rlwnm 8, 4, 7, 0, 31
      rotlw. 9, 4, 7
      wait`);
    expect(o.reg('r5')).toBe(0xffff_ffff_ff56_ffffn);
    expect(o.reg('r6')).toBe(0x1200_0000n);
    expect(o.reg('r8')).toBe(0x4567_8123n);
    expect(o.reg('r9')).toBe(0x4567_8123n);
    expect(cr0(o)).toBe(4);
  });
});

describe('doubleword rotates', () => {
  it('rldicl, rldicr and rldic apply MASK(mb, 63), MASK(0, me) and MASK(mb, 63-sh)', () => {
    for (const [sh, mb] of [[5, 6], [0, 32], [60, 4], [32, 0], [63, 63]] as const) {
      const a = runToWait(`${PATTERN}\nrldicl 5, 4, ${sh}, ${mb}\nrldicr 6, 4, ${sh}, ${mb}\nrldic 7, 4, ${sh}, ${mb}\nwait`);
      expect(a.reg('r5'), `rldicl ${sh}, ${mb}`).toBe(rotl64(X, sh) & mask(mb, 63));
      expect(a.reg('r6'), `rldicr ${sh}, ${mb}`).toBe(rotl64(X, sh) & mask(0, mb));
      expect(a.reg('r7'), `rldic ${sh}, ${mb}`).toBe(rotl64(X, sh) & mask(mb, 63 - sh));
    }
  });

  it('rldimi inserts under MASK(mb, 63-sh); rldcl and rldcr rotate by RB', () => {
    const o = runToWait(`${PATTERN}
      li 5, 0
      rldimi 5, 4, 16, 8
      li 6, 20
      rldcl 7, 4, 6, 8
      rldcr 8, 4, 6, 40
      rotld 9, 4, 6
      wait`);
    expect(o.reg('r5')).toBe(rotl64(X, 16) & mask(8, 47));
    expect(o.reg('r7')).toBe(rotl64(X, 20) & mask(8, 63));
    expect(o.reg('r8')).toBe(rotl64(X, 20) & mask(0, 40));
    expect(o.reg('r9')).toBe(rotl64(X, 20));
  });

  it('sldi, srdi, clrldi, clrrdi, rotldi, extrdi, insrdi, clrlsldi', () => {
    const o = runToWait(`${PATTERN}
      sldi 5, 4, 8
      srdi 6, 4, 8
      clrldi 7, 4, 40
      clrrdi 8, 4, 12
      rotldi 9, 4, 36
      extrdi 10, 4, 12, 8
      li 11, -1
      insrdi 11, 4, 8, 16
      clrlsldi 12, 4, 48, 4
      sldi. 13, 4, 35
      wait`);
    expect(o.reg('r5')).toBe(BigInt.asUintN(64, X << 8n));
    expect(o.reg('r6')).toBe(X >> 8n);
    expect(o.reg('r7')).toBe(X & 0xff_ffffn);
    expect(o.reg('r8')).toBe(X & ~0xfffn);
    expect(o.reg('r9')).toBe(rotl64(X, 36));
    expect(o.reg('r10')).toBe((X >> 44n) & 0xfffn);
    expect(o.reg('r11')).toBe(0xffff_78ff_ffff_ffffn);
    expect(o.reg('r12')).toBe((X & 0xffffn) << 4n);
    expect(cr0(o)).toBe(8); // bit 0 set: negative
  });
});

describe('shifts', () => {
  it('slw and srw use RB[58:63]: 32..63 give zero; the high word is cleared', () => {
    const o = runToWait(`${PATTERN}
      li 5, 4
      slw 6, 4, 5
      srw 7, 4, 5
      li 5, 32
      slw 8, 4, 5
      li 5, 68               # RB[58:63] = 4
      slw 9, 4, 5
      wait`);
    expect(o.reg('r6')).toBe(0x2345_6780n);
    expect(o.reg('r7')).toBe(0x0123_4567n);
    expect(o.reg('r8')).toBe(0n);
    expect(o.reg('r9')).toBe(0x2345_6780n);
  });

  it('sld and srd use RB[57:63]: 64..127 give zero', () => {
    const o = runToWait(`${PATTERN}
      li 5, 36
      sld 6, 4, 5
      srd 7, 4, 5
      li 5, 64
      sld 8, 4, 5
      li 5, 132
      srd 9, 4, 5
      wait`);
    expect(o.reg('r6')).toBe(BigInt.asUintN(64, X << 36n));
    expect(o.reg('r7')).toBe(X >> 36n);
    expect(o.reg('r8')).toBe(0n);
    expect(o.reg('r9')).toBe(X >> 4n);
  });

  it('sraw and srawi sign-extend the low word; CA and CA32 are set only when a negative word loses 1-bits', () => {
    const negative = runToWait('li 3, -5\nsrawi 4, 3, 1\nwait');
    expect(negative.reg('r4')).toBe(u64(-3));
    expect(negative.reg('xer') & (XER.CA | XER.CA32)).toBe(XER.CA | XER.CA32);
    const exact = runToWait('li 3, -4\nsrawi 4, 3, 2\nwait');
    expect(exact.reg('r4')).toBe(u64(-1));
    expect(exact.reg('xer') & XER.CA).toBe(0n);
    const positive = runToWait('li 3, 5\nsrawi. 4, 3, 1\nwait');
    expect(positive.reg('r4')).toBe(2n);
    expect(positive.reg('xer') & XER.CA).toBe(0n);
    expect(cr0(positive)).toBe(4);
    const wide = runToWait('li 3, -1\nsldi 3, 3, 31\nli 5, 40\nsraw 4, 3, 5\nwait'); // low word 0x80000000, shift >= 32
    expect(wide.reg('r4')).toBe(u64(-1));
    expect(wide.reg('xer') & XER.CA).toBe(XER.CA);
    const zero = runToWait('li 3, -1\nli 5, 0\nsraw 4, 3, 5\nwait');
    expect(zero.reg('r4')).toBe(u64(-1));
    expect(zero.reg('xer') & XER.CA).toBe(0n);
  });

  it('srad and sradi shift the doubleword; CA as for sraw', () => {
    const o = runToWait('li 3, -1\nsldi 3, 3, 40\nori 3, 3, 1\nsradi 4, 3, 36\nwait');
    expect(o.reg('r4')).toBe(u64(-16));
    expect(o.reg('xer') & (XER.CA | XER.CA32)).toBe(XER.CA | XER.CA32);
    const exact = runToWait('li 3, -1\nsldi 3, 3, 40\nsradi 4, 3, 36\nwait');
    expect(exact.reg('r4')).toBe(u64(-16));
    expect(exact.reg('xer') & XER.CA).toBe(0n);
    const far = runToWait('li 3, -2\nli 5, 100\nsrad 4, 3, 5\nli 6, 2\nsrad 7, 6, 5\nwait');
    expect(far.reg('r4')).toBe(u64(-1));
    expect(far.reg('r7')).toBe(0n);
    expect(far.reg('xer') & XER.CA).toBe(0n); // from the last: a positive value
    const register = runToWait('li 3, -3\nli 5, 33\nsrad. 4, 3, 5\nwait');
    expect(register.reg('r4')).toBe(u64(-1));
    expect(register.reg('xer') & XER.CA).toBe(XER.CA);
    expect(cr0(register)).toBe(8);
  });
});
