/**
 * Fixed-point arithmetic and logic (Power ISA v3.0B Book I 3.3.9, 3.3.13):
 * 64-bit results across the word boundary, CR0 of the record forms, XER
 * CA/CA32 and OV/OV32/SO, multiply and divide, sign extension, the logical
 * immediates.
 */

import { describe, expect, it } from 'vitest';
import { cr0, runToWait, u64, XER } from './machine-harness.ts';

const LT = 8;
const GT = 4;
const EQ = 2;
const SO = 1;

describe('add immediate', () => {
  it('li, lis and addi carry from the low word into the high word', () => {
    const o = runToWait(`
      li 3, -1
      lis 4, 0x7fff
      ori 4, 4, 0xffff
      addi 5, 4, 1          # 0x7fffffff + 1 = 0x80000000, positive in 64 bits
      li 6, -1
      addi 6, 6, 1          # 0xffff...ff + 1 = 0
      lis 7, -1             # 0xffffffffffff0000
      addis 8, 7, 1         # 0
      addi 9, 0, 5          # (RA|0): 5
      wait`);
    expect(o.reg('r3')).toBe(u64(-1));
    expect(o.reg('r4')).toBe(0x7fff_ffffn);
    expect(o.reg('r5')).toBe(0x8000_0000n);
    expect(o.reg('r6')).toBe(0n);
    expect(o.reg('r7')).toBe(0xffff_ffff_ffff_0000n);
    expect(o.reg('r8')).toBe(0n);
    expect(o.reg('r9')).toBe(5n);
  });

  it('subi, la and subis are addi and addis', () => {
    const o = runToWait('li 3, 10\nsubi 4, 3, 11\nla 5, 8(3)\nsubis 6, 3, 1\nwait', {});
    expect(o.reg('r4')).toBe(u64(-1));
    expect(o.reg('r5')).toBe(18n);
    expect(o.reg('r6')).toBe(u64(10 - 65536));
  });

  it('addic sets CA (carry out of bit 0) and CA32 (carry out of bit 32)', () => {
    const all = runToWait('li 3, -1\naddic 4, 3, 1\nwait');
    expect(all.reg('r4')).toBe(0n);
    expect(all.reg('xer') & (XER.CA | XER.CA32)).toBe(XER.CA | XER.CA32);
    const low = runToWait('li 3, -1\nclrldi 3, 3, 32\naddic 4, 3, 1\nwait');
    expect(low.reg('r4')).toBe(0x1_0000_0000n);
    expect(low.reg('xer') & (XER.CA | XER.CA32)).toBe(XER.CA32);
    const none = runToWait('li 3, 5\naddic 4, 3, -1\nli 5, 0\naddic 6, 5, 0\nwait');
    expect(none.reg('r4')).toBe(4n);
    expect(none.reg('xer') & (XER.CA | XER.CA32)).toBe(0n);
  });

  it('addic. records CR0: LT, GT, EQ, and a copy of SO', () => {
    expect(cr0(runToWait('li 3, 1\naddic. 4, 3, -1\nwait'))).toBe(EQ);
    expect(cr0(runToWait('li 3, 0\naddic. 4, 3, -1\nwait'))).toBe(LT);
    expect(cr0(runToWait('li 3, 0\naddic. 4, 3, 1\nwait'))).toBe(GT);
    // 0x0000000080000000 is positive as a doubleword.
    expect(cr0(runToWait('lis 3, 0x7fff\nori 3, 3, 0xffff\naddic. 4, 3, 1\nwait'))).toBe(GT);
    expect(cr0(runToWait('lis 3, -32768\nmtxer 3\nli 4, 2\naddic. 4, 4, 1\nwait'))).toBe(GT | SO);
  });

  it('in 32-bit mode CR0 and CA come from the low word', () => {
    const o = runToWait(
      `
      li 9, 0
      mtmsrd 9             # SF = 0 (HV stays: mtmsrd cannot change it)
      lis 3, 0x7fff
      ori 3, 3, 0xffff
      addic. 4, 3, 1       # 0x80000000: negative as a word
      li 5, -1
      addic 6, 5, 1        # carry out of bit 32 is CA in 32-bit mode
      wait`,
    );
    expect(cr0(o) & (LT | GT | EQ)).toBe(LT);
    expect(o.reg('xer') & (XER.CA | XER.CA32)).toBe(XER.CA | XER.CA32);
    expect(o.reg('msr') & (1n << 63n)).toBe(0n);
  });

  it('subfic and mulli', () => {
    const o = runToWait('li 3, 3\nsubfic 4, 3, 10\nsubfic 5, 3, 2\nli 6, -7\nmulli 7, 6, 3\nwait');
    expect(o.reg('r4')).toBe(7n);
    expect(o.reg('r5')).toBe(u64(-1));
    // 10 - 3 has no borrow (CA = 1); 2 - 3 borrows (CA = 0): CA is from the last.
    expect(o.reg('xer') & XER.CA).toBe(0n);
    expect(o.reg('r7')).toBe(u64(-21));
  });
});

describe('XO-form add and subtract', () => {
  it('add carries across the word boundary; subf is RB - RA; neg', () => {
    const o = runToWait(`
      li 3, -1
      clrldi 3, 3, 32       # 0x00000000ffffffff
      li 4, 1
      add 5, 3, 4
      subf 6, 4, 3          # r3 - r4
      sub 7, 3, 4           # the same
      neg 8, 4
      wait`);
    expect(o.reg('r5')).toBe(0x1_0000_0000n);
    expect(o.reg('r6')).toBe(0xffff_fffen);
    expect(o.reg('r7')).toBe(0xffff_fffen);
    expect(o.reg('r8')).toBe(u64(-1));
  });

  it('addc, adde and addze chain a 128-bit addition through CA', () => {
    const o = runToWait(`
      li 3, -1              # low doubleword a
      li 4, 1               # high doubleword a
      li 5, 1               # low doubleword b
      li 6, 2               # high doubleword b
      addc 7, 3, 5
      adde 8, 4, 6
      li 9, 0
      addze 10, 9
      wait`);
    expect(o.reg('r7')).toBe(0n);
    expect(o.reg('r8')).toBe(4n);
    expect(o.reg('r10')).toBe(0n);
  });

  it('subfc sets CA when no borrow; subfe and subfze borrow through it', () => {
    const noBorrow = runToWait('li 3, 2\nli 4, 5\nsubfc 5, 3, 4\nwait');
    expect(noBorrow.reg('r5')).toBe(3n);
    expect(noBorrow.reg('xer') & (XER.CA | XER.CA32)).toBe(XER.CA | XER.CA32);
    const borrow = runToWait('li 3, 5\nli 4, 2\nsubfc 5, 3, 4\nli 6, 7\nli 7, 9\nsubfe 8, 6, 7\nwait');
    expect(borrow.reg('r5')).toBe(u64(-3));
    // 9 - 7 - 1 (the borrow) = 1, and no new borrow.
    expect(borrow.reg('r8')).toBe(1n);
    expect(borrow.reg('xer') & XER.CA).toBe(XER.CA);
    const subfze = runToWait('li 3, 0\nli 4, 1\nli 5, 2\nsubfc 6, 5, 4\nsubfze 7, 3\nwait');
    expect(subfze.reg('r7')).toBe(u64(-1));
  });

  it('addo sets OV and SO on signed 64-bit overflow; SO stays set; OV32 follows the word', () => {
    const o = runToWait(`
      li 3, -1
      rldicl 3, 3, 0, 1     # 0x7fffffffffffffff
      li 4, 1
      addo 5, 3, 4
      mfxer 6
      addo 7, 4, 4          # no overflow: OV clears, SO stays
      wait`);
    expect(o.reg('r5')).toBe(0x8000_0000_0000_0000n);
    expect(o.reg('r6') & (XER.SO | XER.OV | XER.OV32)).toBe(XER.SO | XER.OV);
    expect(o.reg('xer') & (XER.SO | XER.OV)).toBe(XER.SO);
    const word = runToWait('lis 3, 0x7fff\nori 3, 3, 0xffff\nli 4, 1\naddo 5, 3, 4\nwait');
    expect(word.reg('xer') & (XER.SO | XER.OV | XER.OV32)).toBe(XER.OV32);
  });

  it('nego. overflows on the most negative doubleword and records CR0 with SO', () => {
    const o = runToWait('li 3, 1\nsldi 3, 3, 63\nnego. 4, 3\nwait');
    expect(o.reg('r4')).toBe(0x8000_0000_0000_0000n);
    expect(cr0(o)).toBe(LT | SO);
  });

  it('subfo. records a positive result', () => {
    const o = runToWait('li 3, 3\nli 4, 10\nsubfo. 5, 3, 4\nwait');
    expect(o.reg('r5')).toBe(7n);
    expect(cr0(o)).toBe(GT);
  });
});

describe('multiply and divide', () => {
  it('mullw gives the 64-bit product of the low words; mullwo flags a product beyond 32 bits', () => {
    const o = runToWait(`
      lis 3, 1              # 0x10000
      mullw 4, 3, 3         # 0x100000000
      li 5, -3
      li 6, 7
      mullw 7, 5, 6
      mullwo 8, 3, 3
      wait`);
    expect(o.reg('r4')).toBe(0x1_0000_0000n);
    expect(o.reg('r7')).toBe(u64(-21));
    expect(o.reg('xer') & (XER.OV | XER.OV32 | XER.SO)).toBe(XER.OV | XER.OV32 | XER.SO);
  });

  it('mulld keeps the low doubleword; mulldo flags overflow', () => {
    const o = runToWait(`
      lis 3, 0x1234
      ori 3, 3, 0x5678
      sldi 3, 3, 16         # 0x0000123456780000
      li 4, -1
      mulld 5, 3, 4
      mulldo. 6, 3, 3
      wait`);
    expect(o.reg('r5')).toBe(u64(-0x1234_5678_0000n));
    expect(o.reg('r6')).toBe(BigInt.asUintN(64, 0x1234_5678_0000n * 0x1234_5678_0000n));
    expect(o.reg('xer') & (XER.OV | XER.SO)).toBe(XER.OV | XER.SO);
    expect(cr0(o) & SO).toBe(SO);
  });

  it('mulldo sets OV and OV32 together from the one 64-bit overflow (Power ISA v3.0B Book I 3.3.9)', () => {
    // 0x10000 * 0x10000 = 2^32: beyond 32 bits but a fine doubleword, so neither OV nor OV32.
    const fits = runToWait('lis 3, 1\nmulldo 4, 3, 3\nwait');
    expect(fits.reg('r4')).toBe(0x1_0000_0000n);
    expect(fits.reg('xer') & (XER.OV | XER.OV32 | XER.SO)).toBe(0n);
    // 2^32 * 2^32 overflows the doubleword: both, and SO.
    const over = runToWait('li 3, 1\nsldi 3, 3, 32\nmulldo. 4, 3, 3\nwait');
    expect(over.reg('r4')).toBe(0n);
    expect(over.reg('xer') & (XER.OV | XER.OV32 | XER.SO)).toBe(XER.OV | XER.OV32 | XER.SO);
    expect(cr0(over)).toBe(EQ | SO);
  });

  it('divw, divwu, divd and divdu truncate toward zero; division by zero gives the dividend and OV', () => {
    const o = runToWait(`
      li 3, -7
      li 4, 2
      divw 5, 3, 4
      divwu 6, 3, 4
      divd 7, 3, 4
      divdu 8, 3, 4
      li 9, 0
      divwo 10, 3, 9
      wait`);
    expect(o.reg('r5')).toBe(0xffff_fffdn); // -3 in the low word; the high word is 0, as QEMU does
    expect(o.reg('r6')).toBe(BigInt(Math.floor(0xffff_fff9 / 2)));
    expect(o.reg('r7')).toBe(u64(-3));
    expect(o.reg('r8')).toBe(u64(-7) / 2n);
    // RT is undefined (Book I 3.3.9); hyplay gives what QEMU gives, the dividend (its low word, zero-extended, for divw).
    expect(o.reg('r10')).toBe(0xffff_fff9n);
    expect(o.reg('xer') & (XER.OV | XER.SO)).toBe(XER.OV | XER.SO);
  });

  it('the undefined quotients (÷ 0, most negative ÷ -1) are the dividend, and CR0 records it', () => {
    const o = runToWait(`
      li 3, 1
      sldi 3, 3, 63          # 0x8000000000000000
      li 4, -1
      divdo. 5, 3, 4
      li 6, 0
      divdu. 7, 4, 6
      lis 8, 0x8000
      divwo 9, 8, 4
      wait`);
    expect(o.reg('r5')).toBe(0x8000_0000_0000_0000n);
    expect(o.reg('r7')).toBe(u64(-1));
    expect(o.reg('r9')).toBe(0x8000_0000n);
    expect(cr0(o)).toBe(LT | SO);
    expect(o.reg('xer') & (XER.OV | XER.OV32 | XER.SO)).toBe(XER.OV | XER.OV32 | XER.SO);
  });

  it('divdo flags the most negative doubleword divided by -1', () => {
    const o = runToWait('li 3, 1\nsldi 3, 3, 63\nli 4, -1\ndivdo 5, 3, 4\nwait');
    expect(o.reg('xer') & XER.OV).toBe(XER.OV);
  });
});

describe('logic', () => {
  it('and, or, xor, nor, andc, orc, nand, eqv on both words', () => {
    const o = runToWait(`
      li 3, -1
      clrldi 3, 3, 16        # 0x0000ffffffffffff
      lis 4, 0x0f0f
      ori 4, 4, 0xf0f0
      rldimi 4, 4, 32, 0     # 0x0f0ff0f00f0ff0f0
      and 5, 3, 4
      or 6, 3, 4
      xor 7, 3, 4
      nor 8, 3, 4
      andc 9, 3, 4
      orc 10, 3, 4
      nand 11, 3, 4
      eqv 12, 3, 4
      mr 13, 4
      not 14, 4
      wait`);
    const a = 0x0000_ffff_ffff_ffffn;
    const b = 0x0f0f_f0f0_0f0f_f0f0n;
    const m = (x: bigint): bigint => BigInt.asUintN(64, x);
    expect(o.reg('r4')).toBe(b);
    expect(o.reg('r5')).toBe(a & b);
    expect(o.reg('r6')).toBe(a | b);
    expect(o.reg('r7')).toBe(a ^ b);
    expect(o.reg('r8')).toBe(m(~(a | b)));
    expect(o.reg('r9')).toBe(a & m(~b));
    expect(o.reg('r10')).toBe(m(a | m(~b)));
    expect(o.reg('r11')).toBe(m(~(a & b)));
    expect(o.reg('r12')).toBe(m(~(a ^ b)));
    expect(o.reg('r13')).toBe(b);
    expect(o.reg('r14')).toBe(m(~b));
  });

  it('andi. and andis. clear the high word and always record; ori, oris, xori, xoris', () => {
    const o = runToWait(`
      li 3, -1
      andi. 4, 3, 0x8000
      mfcr 20
      andis. 5, 3, 0x8000
      li 6, 0
      ori 6, 6, 0x1234
      oris 6, 6, 0x5678
      xori 7, 6, 0xffff
      xoris 8, 6, 0xffff
      andi. 9, 6, 0
      wait`);
    expect(o.reg('r4')).toBe(0x8000n);
    expect((o.reg('r20') >> 28n) & 0xfn).toBe(BigInt(GT));
    expect(o.reg('r5')).toBe(0x8000_0000n);
    expect(o.reg('r6')).toBe(0x5678_1234n);
    expect(o.reg('r7')).toBe(0x5678_edcbn);
    expect(o.reg('r8')).toBe(0xa987_1234n);
    expect(cr0(o)).toBe(EQ);
  });

  it('extsb, extsh, extsw and the record forms', () => {
    const o = runToWait(`
      li 3, 0x80
      extsb 4, 3
      li 5, -1
      clrldi 5, 5, 48        # 0xffff
      extsh 6, 5
      lis 7, -32768
      clrldi 7, 7, 32        # 0x80000000
      extsw. 8, 7
      wait`);
    expect(o.reg('r4')).toBe(u64(-128));
    expect(o.reg('r6')).toBe(u64(-1));
    expect(o.reg('r8')).toBe(u64(-0x8000_0000));
    expect(cr0(o)).toBe(LT);
  });

  it('cntlzw and cntlzd', () => {
    const o = runToWait('li 3, 1\ncntlzw 4, 3\ncntlzd 5, 3\nli 6, 0\ncntlzd. 7, 6\nsldi 8, 3, 40\ncntlzd 9, 8\ncntlzw 10, 8\nwait');
    expect(o.reg('r4')).toBe(31n);
    expect(o.reg('r5')).toBe(63n);
    expect(o.reg('r7')).toBe(64n);
    expect(cr0(o)).toBe(GT);
    expect(o.reg('r9')).toBe(23n);
    expect(o.reg('r10')).toBe(32n);
  });
});
