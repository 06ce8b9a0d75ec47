/**
 * The PC as a full 64-bit effective address (issue 12): a Linux kernel links
 * at 0xc000_0000_0000_0000 over physical 0 and runs there in real mode, where
 * EA bits 0:3 are ignored (Power ISA v3.0B Book III 5.7.3). Branches, `bl`
 * and LR, rfid and hrfid, and the SRR0 and DAR of interrupts keep the whole
 * EA, on both engines (`run` runs every program on the JIT and the
 * interpreter and insists that they agree); with relocation on, where hyplay
 * translates nothing, such an address is not mapped.
 */

import { describe, expect, it } from 'vitest';
import { createPpc64Machine } from '../../../arch/ppc64/core.ts';
import { createPpc64State, pcHigh, pcValue, setPc } from '../../../arch/ppc64/registers.ts';
import { CODE, DATA, exceptions, MSR, run, runToWait } from './machine-harness.ts';

/** Linux's linear-map base: EA bits 0:3 = 0b1100. */
const KERNEL = 0xc000_0000_0000_0000n;

/** The byte offset of `label` in a program of one instruction per line, from its first line. */
function offsetOf(source: string, label: string): number {
  const lines = source.trim().split('\n').map((line) => line.trim());
  const at = lines.findIndex((line) => line.startsWith(`${label}:`));
  if (at < 0) throw new Error(`no label ${label}`);
  return 4 * at;
}

describe('the PC form', () => {
  it('holds 0xc000… kernel addresses, small negative ones and 32-bit ones exactly', () => {
    const s = createPpc64State(true);
    for (const value of [0xc000_0000_0000_1234n, 0xc000_0000_0200_d02cn, 0xc008_0000_0000_0010n, 0xffff_ffff_ffff_fff0n, 0xffff_ffff_ff00_0000n, 0x1_0000_1000n, 0x10000n, 0n, 0x8000_0000_0000_0000n, 0x0fff_ffff_ffff_fffcn]) {
      setPc(s, Number(BigInt.asIntN(32, value >> 32n)), Number(BigInt.asIntN(32, value)));
      expect(pcValue(s), `0x${value.toString(16)}`).toBe(value);
      expect(pcHigh(s) >>> 0).toBe(Number(value >> 32n));
    }
    // The arm64 signed form could not: −2^62 + 0x1234 rounds to a multiple of 512.
    expect(-(2 ** 62) + 0x1234).toBe(-(2 ** 62) + 0x1200);
  });

  it('keeps every address within ±2^59 in the signed representation, bits 0:3 clear in pcTop', () => {
    const s = createPpc64State(true);
    setPc(s, -1, -16);
    expect([s.pc, s.pcTop]).toEqual([-16, 0]);
    setPc(s, 0xc000_0000 | 0, 0x1234);
    expect([s.pc, s.pcTop]).toEqual([0x1234, 0xc000_0000 | 0]);
  });
});

describe('setting the PC', () => {
  it('the register view sets and reads the full EA; a number PC (CoreMachine.pc) is the signed representation and clears EA bits 0:3', () => {
    const m = createPpc64Machine();
    m.setRegister('pc', KERNEL | 0x1234n);
    expect(m.register('pc')).toBe(KERNEL | 0x1234n);
    expect(m.pc).toBe(0x1234);
    m.pc = 0x1000;
    expect(m.register('pc')).toBe(0x1000n);
    m.pc = -16;
    expect(m.register('pc')).toBe(0xffff_ffff_ffff_fff0n);
  });
});

describe('branches to 0xc000… addresses in real mode', () => {
  const program = `
      mtctr 3
      bctr
      wait
far:  bl sub
      mflr 6
      std 6, 8(8)
      ld 7, 8(8)
      ba 0x100
      wait
sub:  mflr 4
      blr
`;

  it('bctr to 0xc000…|x runs x; bl there sets LR to the full EA; blr returns there; real-mode loads and stores reach physical memory', () => {
    const far = KERNEL | BigInt(CODE + offsetOf(program, 'far'));
    const o = run(program, { registers: { r3: far, r8: KERNEL | BigInt(DATA) }, vectors: { 0x100: 'wait' } });
    expect(o.result.reason, o.result.detail).toBe('wfi');
    expect(o.reg('r4')).toBe(far + 4n);
    expect(o.reg('r6')).toBe(far + 4n);
    expect(o.reg('lr')).toBe(far + 4n);
    // std/ld at 0xc000…|DATA + 8 in real mode: physical DATA + 8, and RA keeps its 0xc000… value.
    expect(o.reg('r7')).toBe(far + 4n);
    expect(o.machine.memory.readBytes(DATA + 8, 8)).toEqual(new Uint8Array([0xc0, 0, 0, 0, 0, 0x01, 0x00, 0x10]));
    // ba's target EXTS(LI || 0b00) is an EA of its own: 0x100, with EA bits 0:3 clear again.
    expect(o.reg('pc')).toBe(0x104n);
    expect(exceptions(o)).toEqual([]);
  });

  it('a relative branch keeps the PC in the 0xc000… quadrant; the PC reads as the full EA', () => {
    const source = `
      mtlr 3
      blr
      wait
far:  b next
      wait
next: wait`;
    const far = KERNEL | BigInt(CODE + offsetOf(source, 'far'));
    const o = runToWait(source, { registers: { r3: far } });
    expect(o.reg('pc')).toBe(far + 12n);
  });
});

describe('rfid, hrfid and interrupts at 0xc000… addresses', () => {
  it('rfid to a 0xc000… SRR0 in real mode: the PC is the full EA', () => {
    const source = `
      mfmsr 4
      mtsrr0 3
      mtsrr1 4
      rfid
      wait
far:  wait`;
    const far = KERNEL | BigInt(CODE + offsetOf(source, 'far'));
    const o = runToWait(source, { registers: { r3: far } });
    expect(o.reg('pc')).toBe(far + 4n);
  });

  it('hrfid to a 0xc000… HSRR0', () => {
    const source = `
      mfmsr 4
      mtspr 314, 3
      mtspr 315, 4
      hrfid
      wait
far:  wait`;
    const far = KERNEL | BigInt(CODE + offsetOf(source, 'far'));
    const o = runToWait(source, { registers: { r3: far } });
    expect(o.reg('pc')).toBe(far + 4n);
  });

  it('sc and an illegal instruction at a 0xc000… address save SRR0 exactly; rfid returns there', () => {
    const source = `
      mtctr 3
      bctr
      wait
far:  sc
      .long 0
      wait`;
    const far = KERNEL | BigInt(CODE + offsetOf(source, 'far'));
    const o = runToWait(source, { registers: { r3: far }, vectors: { 0xc00: 'mfsrr0 20\nrfid', 0x700: 'mfsrr0 21\nmfsrr0 22\naddi 22, 22, 4\nmtsrr0 22\nrfid' } });
    expect(o.reg('r20')).toBe(far + 4n);
    expect(o.reg('r21')).toBe(far + 4n);
    expect(o.reg('pc')).toBe(far + 12n);
    expect(exceptions(o).map((e) => e.exception)).toEqual(['system-call', 'program']);
  });

  it('a real-mode DSI at a 0xc000… EA: DAR is the full EA', () => {
    const o = runToWait('ld 4, 0(3)\nwait', { registers: { r3: KERNEL | 0x7000_0000n }, vectors: { 0x300: 'wait' } });
    expect(o.reg('dar')).toBe(KERNEL | 0x7000_0000n);
    expect(exceptions(o).map((e) => e.exception)).toEqual(['data-storage']);
  });

  it('with relocation on (MSR[IR] = 1) nothing is translated: rfid to a 0xc000… address is an ISI there, SRR0 the full EA', () => {
    const source = `
      mfmsr 4
      ori 4, 4, 0x30
      mtsrr0 3
      mtsrr1 4
      rfid
far:  wait`;
    const far = KERNEL | BigInt(CODE + offsetOf(source, 'far'));
    const o = runToWait(source, { registers: { r3: far }, vectors: { 0x400: 'wait' } });
    expect(exceptions(o).map((e) => e.exception)).toEqual(['instruction-storage']);
    expect(o.reg('srr0')).toBe(far);
    expect(o.reg('srr1') & MSR.IR).toBe(MSR.IR);
  });

  it('with relocation on, bctr to a 0xc000… address is an ISI too', () => {
    const source = `
      mfmsr 4
      ori 4, 4, 0x30
      mtmsrd 4
      mtctr 3
      bctr
far:  wait`;
    const far = KERNEL | BigInt(CODE + offsetOf(source, 'far'));
    const o = runToWait(source, { registers: { r3: far }, vectors: { 0x400: 'wait' } });
    expect(exceptions(o).map((e) => e.exception)).toEqual(['instruction-storage']);
    expect(o.reg('srr0')).toBe(far);
  });
});
