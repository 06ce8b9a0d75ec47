/**
 * Loads and stores (Power ISA v3.0B Book I 3.3.2, 3.3.3) in D-, DS- and
 * X-form, with and without update, in both byte orders; DSI on unmapped
 * memory (DAR, DSISR, nothing written or updated); the invalid update forms.
 */

import { describe, expect, it } from 'vitest';
import { CODE, DATA, exceptions, run, runToWait, u64, UNMAPPED } from './machine-harness.ts';

const BYTES = [0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88];

/** Code that stores BYTES at DATA one byte at a time, so the layout is the same in both byte orders. */
const FILL = BYTES.map((b, i) => `li 9, ${b}\nstb 9, ${i}(8)`).join('\n');

for (const endian of ['big', 'little'] as const) {
  const big = endian === 'big';
  /** The value of `size` bytes at offset `at` of BYTES in this byte order. */
  const value = (at: number, size: number): bigint => {
    let v = 0n;
    for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(BYTES[big ? at + i : at + size - 1 - i]!);
    return v;
  };
  const signed = (v: bigint, bits: number): bigint => u64(BigInt.asIntN(bits, v));

  describe(`loads and stores, ${endian}-endian`, () => {
    it('lbz, lhz, lha, lwz, lwa and ld (D and DS forms)', () => {
      const o = runToWait(
        `
        lis 8, ${DATA >> 16}
        ${FILL}
        lbz 10, 1(8)
        lhz 11, 2(8)
        lha 12, 2(8)
        lwz 13, 4(8)
        lwa 14, 4(8)
        ld 15, 0(8)
        lhz 16, -2(8)        # across: nothing below DATA is mapped, so this faults
        wait`,
        { endian, vectors: { 0x300: 'wait' } },
      );
      expect(o.reg('r10')).toBe(0x82n);
      expect(o.reg('r11')).toBe(value(2, 2));
      expect(o.reg('r12')).toBe(signed(value(2, 2), 16));
      expect(o.reg('r13')).toBe(value(4, 4));
      expect(o.reg('r14')).toBe(signed(value(4, 4), 32));
      expect(o.reg('r15')).toBe(value(0, 8));
      expect(exceptions(o).map((e) => e.exception)).toEqual(['data-storage']);
      expect(o.reg('r16')).toBe(0n);
    });

    it('the X forms and the update forms write the EA back to RA', () => {
      const o = runToWait(
        `
        lis 8, ${DATA >> 16}
        ${FILL}
        li 3, 4
        lwzx 10, 8, 3
        mr 4, 8
        lhzu 11, 6(4)        # r4 = DATA + 6
        mr 5, 8
        ldu 12, 0(5)
        mr 6, 8
        lbzux 13, 6, 3       # r6 = DATA + 4
        mr 7, 8
        lwaux 14, 7, 3
        ldx 15, 8, 0         # RB is r0 (a GPR, not RA|0), which holds 0
        wait`,
        { endian },
      );
      expect(o.reg('r10')).toBe(value(4, 4));
      expect(o.reg('r11')).toBe(value(6, 2));
      expect(o.reg('r4')).toBe(BigInt(DATA + 6));
      expect(o.reg('r12')).toBe(value(0, 8));
      expect(o.reg('r5')).toBe(BigInt(DATA));
      expect(o.reg('r13')).toBe(0x85n);
      expect(o.reg('r6')).toBe(BigInt(DATA + 4));
      expect(o.reg('r14')).toBe(signed(value(4, 4), 32));
      expect(o.reg('r7')).toBe(BigInt(DATA + 4));
      expect(o.reg('r15')).toBe(value(0, 8));
    });

    it('stores put the bytes in this byte order; stdu and stwux update RA', () => {
      const o = runToWait(
        `
        lis 8, ${DATA >> 16}
        lis 3, 0x0102
        ori 3, 3, 0x0304
        rldimi 3, 3, 32, 0   # r3 = 0x0102030401020304
        addi 3, 3, 0x1000    # 0x0102030401021304
        std 3, 0(8)
        stw 3, 8(8)
        sth 3, 12(8)
        stb 3, 14(8)
        mr 4, 8
        stdu 3, 16(4)        # r4 = DATA + 16
        li 5, 24
        mr 6, 8
        stwux 3, 6, 5        # r6 = DATA + 24
        li 7, 28
        sthx 3, 8, 7
        wait`,
        { endian },
      );
      const bytes = [...o.machine.memory.readBytes(DATA, 30)!];
      const r3 = 0x0102_0304_0102_1304n;
      const layout = (v: bigint, size: number): number[] => {
        const out: number[] = [];
        for (let i = 0; i < size; i++) out.push(Number((v >> BigInt(8 * (big ? size - 1 - i : i))) & 0xffn));
        return out;
      };
      expect(bytes.slice(0, 8)).toEqual(layout(r3, 8));
      expect(bytes.slice(8, 12)).toEqual(layout(r3 & 0xffff_ffffn, 4));
      expect(bytes.slice(12, 14)).toEqual(layout(r3 & 0xffffn, 2));
      expect(bytes[14]).toBe(0x04);
      expect(bytes.slice(16, 24)).toEqual(layout(r3, 8));
      expect(bytes.slice(24, 28)).toEqual(layout(r3 & 0xffff_ffffn, 4));
      expect(bytes.slice(28, 30)).toEqual(layout(r3 & 0xffffn, 2));
      expect(o.reg('r4')).toBe(BigInt(DATA + 16));
      expect(o.reg('r6')).toBe(BigInt(DATA + 24));
    });
  });
}

describe('RA = 0 and invalid forms', () => {
  it('(RA|0): RA = 0 in a non-update form reads as zero, not r0', () => {
    const o = runToWait('li 0, 1\nli 3, 0x42\nstb 3, 0x100(0)\nlbz 4, 0x100(0)\nli 5, 0x100\nlbzx 6, 0, 5\nwait');
    expect(o.reg('r4')).toBe(0x42n);
    expect(o.reg('r6')).toBe(0x42n);
  });

  it('update forms with RA = 0, and update loads with RA = RT, are illegal instructions', () => {
    for (const source of ['lwzu 3, 4(0)', 'lwzu 3, 4(3)', 'stwu 3, 4(0)', 'ldux 5, 5, 4', 'lbzux 3, 0, 4']) {
      const o = run(`${source}\nwait`, { vectors: { 0x700: 'wait' }, registers: { r3: BigInt(DATA), r5: BigInt(DATA) } });
      expect(exceptions(o).map((e) => [e.exception, e.syndrome]), source).toEqual([['program', 0x80000]]);
    }
    // stwu with RA = RS is a valid form (only loads forbid RA = RT).
    const ok = runToWait('stwu 3, 8(3)\nwait', { registers: { r3: BigInt(DATA) } });
    expect(ok.reg('r3')).toBe(BigInt(DATA + 8));
  });
});

describe('data storage interrupts', () => {
  it('a load from unmapped memory: DSI at 0x300, DAR = EA, DSISR = not found, SRR0 = the load, RT and RA unchanged', () => {
    const o = run('lwzu 4, 8(3)\nwait', { vectors: { 0x300: 'wait' }, registers: { r3: BigInt(UNMAPPED), r4: 7n } });
    const [event] = exceptions(o);
    expect(event?.exception).toBe('data-storage');
    expect(event?.vector).toBe(0x300);
    expect(o.reg('dar')).toBe(BigInt(UNMAPPED + 8));
    expect(o.reg('dsisr')).toBe(0x4000_0000n);
    expect(o.reg('srr0')).toBe(BigInt(CODE));
    expect(o.reg('r4')).toBe(7n);
    expect(o.reg('r3')).toBe(BigInt(UNMAPPED));
  });

  it('a store sets DSISR[38]; a doubleword store across into an unmapped page writes nothing', () => {
    const o = run('std 4, 0xffc(3)\nwait', { vectors: { 0x300: 'wait' }, registers: { r3: BigInt(DATA), r4: -1n } });
    expect(exceptions(o).map((e) => e.exception)).toEqual(['data-storage']);
    expect(o.reg('dsisr')).toBe(0x4200_0000n);
    expect(o.reg('dar')).toBe(BigInt(DATA + 0xffc));
    expect([...o.machine.memory.readBytes(DATA + 0xffc, 4)!]).toEqual([0, 0, 0, 0]);
  });

  it('in 32-bit mode the EA is the low word only', () => {
    const o = runToWait('li 9, 0\nmtmsrd 9\nli 5, 0x42\nstb 5, 8(3)\nlbz 6, 8(3)\nwait', { registers: { r3: 0x5_0000_0000n + BigInt(DATA) } });
    expect(o.reg('r6')).toBe(0x42n);
    expect(o.machine.memory.read8(DATA + 8)).toBe(0x42);
  });

  it('an address above 2^32 is unmapped too: DAR holds the full doubleword', () => {
    const o = run('ld 4, 0(3)\nwait', { vectors: { 0x300: 'wait' }, registers: { r3: 0x1_2345_6780n } });
    expect(o.reg('dar')).toBe(0x1_2345_6780n);
  });
});
