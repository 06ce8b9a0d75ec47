/**
 * The instruction forms a real ppc64 kernel's entry code uses that hyplay
 * added for issue 12, one family per block: load and reserve / store
 * conditional (Book II 4.4.2), the byte-reversed accesses (Book I 3.3.6),
 * multiply high, the extended divides and modulo, addme/subfme (Book I
 * 3.3.9), population and trailing-zero counts, cmpb, isel (Book I 3.3.12,
 * 3.3.13), the CR logical instructions and mcrf (Book I 2.5.1), and the
 * boot-path SPRs with their privilege (Book III 4.4.4). Every program runs
 * on both engines (the harness compares them). The values qemu-user can
 * check are also drawn at random by `test/diff/ppc64.test.ts`; what it
 * cannot (privilege, interrupts, the alignment interrupt) is here.
 */

import { describe, expect, it } from 'vitest';
import { CODE, cr0, crField, DATA, exceptions, run, runToWait, u64, XER } from './machine-harness.ts';

const data = { r9: BigInt(DATA) };

describe('load and reserve, store conditional (Book II 4.4.2)', () => {
  for (const [load, store, size] of [['lbarx', 'stbcx.', 1], ['lharx', 'sthcx.', 2], ['lwarx', 'stwcx.', 4], ['ldarx', 'stdcx.', 8]] as const) {
    it(`${load} then ${store} to the same address stores and sets CR0[EQ]; a second ${store} fails and stores nothing`, () => {
      for (const endian of ['big', 'little'] as const) {
        const o = runToWait(`li 4, 0x55\n${load} 3, 0, 9\n${store} 4, 0, 9\nmfcr 5\nli 4, 0x66\n${store} 4, 0, 9\nmfcr 6\n${load} 7, 0, 9\nwait`, { registers: data, endian });
        expect(o.reg('r5') >> 28n, `${endian}: the first ${store} succeeds`).toBe(2n);
        expect(o.reg('r6') >> 28n, `${endian}: the reservation went with the first`).toBe(0n);
        expect(o.reg('r7'), `${endian}: the value of the first store is what is there`).toBe(0x55n);
        expect(o.machine.memory.read8(DATA + (endian === 'little' ? 0 : size - 1))).toBe(0x55);
      }
    });
  }

  it('a store conditional to another address, or of another length, does not store (the ISA leaves it undefined; hyplay and QEMU do not)', () => {
    const other = runToWait('li 4, 7\nlwarx 3, 0, 9\nstwcx. 4, 9, 8\nmfcr 5\nlwz 6, 8(9)\nwait', { registers: { ...data, r8: 8n } });
    expect(other.reg('r5') >> 28n).toBe(0n);
    expect(other.reg('r6')).toBe(0n);
    const length = runToWait('li 4, 7\nlwarx 3, 0, 9\nstdcx. 4, 0, 9\nmfcr 5\nld 6, 0(9)\nwait', { registers: data });
    expect(length.reg('r5') >> 28n).toBe(0n);
    expect(length.reg('r6')).toBe(0n);
  });

  it('CR0[SO] is a copy of XER[SO] whether or not the store is performed', () => {
    const o = runToWait('stwcx. 4, 0, 9\nwait', { registers: { ...data, xer: XER.SO } });
    expect(cr0(o)).toBe(1);
  });

  it('a misaligned lwarx or stdcx. is an alignment interrupt at 0x600, SRR0 = the instruction, nothing loaded', () => {
    for (const source of ['lwarx 3, 0, 9', 'stdcx. 3, 0, 9']) {
      const o = run(`li 3, 1\n${source}\nwait`, { registers: { r9: BigInt(DATA + 2) }, vectors: { 0x600: 'wait' } });
      expect(exceptions(o).map((e) => [e.exception, e.vector, e.returnAddress]), source).toEqual([['alignment', 0x600, CODE + 4]]);
      expect(o.reg('r3'), source).toBe(1n);
    }
  });

  it('a lwarx of an unmapped address is a data-storage interrupt and sets no reservation', () => {
    const o = run('lwarx 3, 0, 9\nwait', { registers: { r9: 0x7000_0000n }, vectors: { 0x300: 'stwcx. 4, 0, 10\nmfcr 5\nwait' } });
    expect(exceptions(o)[0]).toMatchObject({ exception: 'data-storage', vector: 0x300 });
    expect(o.reg('r5') >> 28n).toBe(0n);
  });
});

describe('byte-reversed loads and stores (Book I 3.3.6)', () => {
  it('lhbrx, lwbrx and ldbrx read the bytes in the other order from MSR[LE]; the stores write them so', () => {
    for (const endian of ['big', 'little'] as const) {
      const o = runToWait(
        `lis 3, 0x0102\nori 3, 3, 0x0304\nsldi 3, 3, 32\noris 3, 3, 0x0506\nori 3, 3, 0x0708\nstd 3, 0(9)\nldbrx 4, 0, 9\nlwbrx 5, 0, 9\nlhbrx 6, 0, 9\nstdbrx 3, 0, 10\nld 7, 0(10)\nstwbrx 3, 0, 10\nlwz 8, 0(10)\nsthbrx 3, 0, 10\nlhz 11, 0(10)\nwait`,
        { registers: { ...data, r10: BigInt(DATA + 16) }, endian },
      );
      expect(o.reg('r4'), endian).toBe(0x0807060504030201n);
      expect(o.reg('r5'), endian).toBe(endian === 'big' ? 0x04030201n : 0x08070605n);
      expect(o.reg('r6'), endian).toBe(endian === 'big' ? 0x0201n : 0x0807n);
      expect(o.reg('r7'), endian).toBe(0x0807060504030201n);
      expect(o.reg('r8'), endian).toBe(0x08070605n);
      expect(o.reg('r11'), endian).toBe(0x0807n);
    }
  });

  it('an unmapped byte-reversed access is a data-storage interrupt and leaves RT as it was', () => {
    const o = run('li 4, 9\nldbrx 4, 0, 9\nwait', { registers: { r9: 0x7000_0000n }, vectors: { 0x300: 'wait' } });
    expect(exceptions(o)[0]).toMatchObject({ exception: 'data-storage' });
    expect(o.reg('r4')).toBe(9n);
  });
});

describe('multiply high, extended divide, modulo, addme and subfme (Book I 3.3.9)', () => {
  it('mulhd, mulhdu, mulhw, mulhwu give the high half of the product', () => {
    const o = runToWait('mulhd 5, 3, 4\nmulhdu 6, 3, 4\nmulhw 7, 3, 4\nmulhwu 8, 3, 4\nmulhd. 9, 3, 3\nwait', { registers: { r3: u64(-2), r4: 0x8000_0000_0000_0003n } });
    expect(o.reg('r5')).toBe(0n); // -2 × (-2^63 + 3) = 2^64 - 6: high doubleword 0
    expect(o.reg('r6')).toBe(0x8000_0000_0000_0001n); // (2^64 - 2)(2^63 + 3) >> 64
    expect(o.reg('r7')).toBe(0xffff_ffffn); // -2 × 3 = -6: high word all ones, RT[0:31] = 0 (undefined; QEMU's)
    expect(o.reg('r8')).toBe(2n); // 0xfffffffe × 3 >> 32
    expect(cr0(o)).toBe(2); // (-2)² = 4: high doubleword 0
  });

  it('divde and divdeu divide RA || 0^64; an overflowing quotient writes 0 and sets OV with OE', () => {
    const o = runToWait('divdeu 5, 3, 4\ndivde 6, 7, 4\ndivdeo 8, 4, 3\nwait', { registers: { r3: 1n, r4: 4n, r7: u64(-1) } });
    expect(o.reg('r5')).toBe(1n << 62n);
    expect(o.reg('r6')).toBe(u64(-(1n << 62n)));
    expect(o.reg('r8')).toBe(0n);
    expect(o.reg('xer') & (XER.OV | XER.OV32 | XER.SO)).toBe(XER.OV | XER.OV32 | XER.SO);
  });

  it('modsd, modud, modsw, moduw: the remainder, 0 for a zero divisor', () => {
    const o = runToWait('modsd 5, 3, 4\nmodud 6, 3, 4\nmodsw 7, 3, 4\nmoduw 8, 3, 4\nmodud 9, 3, 0\nwait', { registers: { r0: 0n, r3: u64(-7), r4: 3n } });
    expect(o.reg('r5')).toBe(u64(-1));
    expect(o.reg('r6')).toBe((2n ** 64n - 7n) % 3n);
    expect(o.reg('r7')).toBe(u64(-1));
    expect(o.reg('r8')).toBe((2n ** 32n - 7n) % 3n);
    expect(o.reg('r9')).toBe(0n);
  });

  it('addme and subfme add CA - 1', () => {
    const o = runToWait('addme 5, 3\nsubfme 6, 3\naddme. 7, 0\nwait', { registers: { r0: 0n, r3: 10n, xer: XER.CA } });
    expect(o.reg('r5')).toBe(10n);
    expect(o.reg('r6')).toBe(u64(-11));
    // 0 + CA (1, from the previous subfme carrying) - 1 = 0.
    expect(o.reg('r7')).toBe(0n);
    expect(cr0(o)).toBe(2);
  });
});

describe('counts, cmpb and isel (Book I 3.3.12, 3.3.13)', () => {
  it('popcntb, popcntw, popcntd, cnttzw, cnttzd and cmpb', () => {
    const o = runToWait('popcntb 5, 3\npopcntw 6, 3\npopcntd 7, 3\ncnttzw 8, 3\ncnttzd 10, 4\ncnttzd. 11, 0\ncmpb 12, 3, 4\nwait', {
      registers: { r0: 0n, r3: 0xff01_0300_0000_0f00n, r4: 0x1201_0300_0000_0000n },
    });
    expect(o.reg('r5')).toBe(0x0801_0200_0000_0400n);
    expect(o.reg('r6')).toBe(0x0000_000b_0000_0004n);
    expect(o.reg('r7')).toBe(15n);
    expect(o.reg('r8')).toBe(8n);
    expect(o.reg('r10')).toBe(40n);
    expect(o.reg('r11')).toBe(64n);
    expect(cr0(o)).toBe(4);
    expect(o.reg('r12')).toBe(0x00ff_ffff_ffff_00ffn);
  });

  it('isel takes (RA|0) when the CR bit is set, RB otherwise', () => {
    const o = runToWait('cmpdi 3, 0\niseleq 5, 3, 4\nisellt 6, 3, 4\nisel 7, 0, 4, 2\nisel 8, 0, 4, 3\nwait', { registers: { r3: 0n, r4: 44n } });
    expect([o.reg('r5'), o.reg('r6'), o.reg('r7'), o.reg('r8')]).toEqual([0n, 44n, 0n, 44n]);
  });
});

describe('CR logical instructions and mcrf (Book I 2.5.1)', () => {
  it('each operation on CR bits, and the extended mnemonics', () => {
    // CR bits 0 and 1 set (CR0 = LT|GT = 0b1100), everything else clear.
    const o = runToWait('crand 8, 0, 1\ncror 9, 0, 4\ncrxor 10, 0, 1\ncrnand 11, 0, 1\ncrnor 12, 4, 5\ncreqv 13, 4, 5\ncrandc 14, 0, 4\ncrorc 15, 4, 0\ncrset 16\ncrclr 0\ncrnot 17, 1\ncrmove 18, 1\nmcrf 7, 3\nwait', {
      registers: { cr: 0xc000_0000n },
    });
    expect(crField(o, 2)).toBe(0b1100); // crand 1, cror 1, crxor 0, crnand 0
    expect(crField(o, 3)).toBe(0b1110); // crnor 1, creqv 1, crandc 1, crorc 0
    expect(crField(o, 4)).toBe(0b1010); // crset 1, crnot 0, crmove 1, bit 19 0
    expect(crField(o, 0)).toBe(0b0100); // crclr cleared LT
    expect(crField(o, 7)).toBe(0b1110); // mcrf copied CR3
  });
});

describe('the boot-path SPRs (Book III 4.4.4)', () => {
  it('LPCR, HID0, PTCR, PSSCR and the others keep what hypervisor state writes', () => {
    const names = ['lpcr', 'lpidr', 'hid0', 'ptcr', 'psscr', 'hrmor', 'amor', 'pcr', 'hfscr', 'fscr', 'amr', 'iamr', 'uamor', 'pid', 'cfar', 'dscr', 'mmcr0', 'mmcra', 'ppr'];
    const numbers: Record<string, number> = { lpcr: 318, lpidr: 319, hid0: 1008, ptcr: 464, psscr: 855, hrmor: 313, amor: 349, pcr: 338, hfscr: 190, fscr: 153, amr: 29, iamr: 61, uamor: 157, pid: 48, cfar: 28, dscr: 17, mmcr0: 795, mmcra: 786, ppr: 896 };
    const source = names.map((n, i) => `li 3, ${i + 1}\nmtspr ${numbers[n]}, 3\nmfspr ${i + 4 > 31 ? 31 : i + 4}, ${numbers[n]}`).join('\n');
    const o = runToWait(`${source}\nwait`);
    names.forEach((n, i) => {
      if (i + 4 <= 31) expect(o.reg(`r${i + 4}`), n).toBe(BigInt(i + 1));
    });
  });

  it('PPR starts at medium priority and problem state may move it; TB is readable there and never written', () => {
    const o = runToWait('mfppr 3\nmfspr 4, 268\nwait', { mode: 'problem' });
    expect(o.reg('r3')).toBe(0x0010_0000_0000_0000n);
    expect(o.reg('r4')).toBe(0n);
  });

  it('a hypervisor SPR from supervisor state, or a privileged one from problem state, is a privileged-instruction program interrupt', () => {
    for (const [source, mode] of [['mtspr 318, 3', 'supervisor'], ['mfspr 3, 1008', 'supervisor'], ['mtspr 464, 3', 'supervisor'], ['mfspr 3, 28', 'problem'], ['mtspr 48, 3', 'problem']] as const) {
      const o = run(`${source}\nwait`, { mode, vectors: { 0x700: 'wait' } });
      expect(exceptions(o).map((e) => [e.exception, e.syndrome]), source).toEqual([['program', 0x40000]]);
    }
  });

  it('mtspr of TB (268) is an illegal instruction: it is read-only', () => {
    const o = run('mtspr 268, 3\nwait', { vectors: { 0x700: 'wait' } });
    expect(exceptions(o).map((e) => [e.exception, e.syndrome])).toEqual([['program', 0x80000]]);
  });
});
