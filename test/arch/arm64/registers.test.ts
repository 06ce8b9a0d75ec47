/**
 * The arm64 register view, modes and origin registers: names, widths,
 * banked stack pointers, and what PSTATE and VTTBR_EL2 say about a trap.
 */

import { describe, expect, it } from 'vitest';
import { ARM64_BACKEND } from '../../../arch/arm64/backend.ts';
import { createArm64Machine } from '../../../arch/arm64/core.ts';
import { ARM64_ORIGIN_REGISTERS } from '../../../arch/arm64/firmware-port.ts';

describe('arm64 register view', () => {
  it('has x0–x30, sp, pc, pstate and the system registers by lowercase name, 64 bits wide', () => {
    const m = createArm64Machine();
    const names = Object.keys(m.registers());
    for (const name of ['x0', 'x16', 'x30', 'sp', 'pc', 'pstate', 'vbar_el2', 'esr_el2', 'elr_el2', 'spsr_el2', 'hcr_el2', 'vttbr_el2', 'sctlr_el1', 'id_aa64pfr0_el1', 'midr_el1', 'mpidr_el1', 'currentel', 'tpidr_el0', 'cntvoff_el2', 'sp_el0', 'sp_el1', 'sp_el2']) {
      expect(names).toContain(name);
    }
    m.setRegister('x17', (1n << 64n) - 1n);
    expect(m.register('x17')).toBe(0xffff_ffff_ffff_ffffn);
    m.setRegister('vttbr_el2', 0x0001_0000_dead_beefn);
    expect(m.register('vttbr_el2')).toBe(0x0001_0000_dead_beefn);
    expect(() => m.register('x31')).toThrow("unknown register 'x31'");
  });

  it('modes are el0, el1t, el1h, el2t and el2h; el1 and el2 mean their own SP', () => {
    const m = createArm64Machine();
    expect(m.modes).toEqual(['el0', 'el1t', 'el1h', 'el2t', 'el2h']);
    m.setMode('el2');
    expect(m.mode()).toBe('el2h');
    expect(m.register('currentel')).toBe(8n);
    expect(m.register('pstate') & 0xfn).toBe(9n);
    expect(() => m.setMode('el3h')).toThrow("unknown mode 'el3h'");
  });

  it('banks the stack pointer by SP selection: sp is SP_EL2 in el2h and SP_EL0 in el2t', () => {
    const m = createArm64Machine();
    m.setMode('el2h');
    m.setRegister('sp', 0x2000n);
    m.setMode('el2t');
    m.setRegister('sp', 0x100n);
    expect(m.register('sp_el2')).toBe(0x2000n);
    expect(m.register('sp_el0')).toBe(0x100n);
    m.setMode('el1h');
    m.setRegister('sp', 0x1000n);
    expect(m.register('sp_el1')).toBe(0x1000n);
    m.setMode('el2h');
    expect(m.register('sp')).toBe(0x2000n);
  });
});

describe('arm64 origin registers', () => {
  const pstate = ARM64_ORIGIN_REGISTERS.find((r) => r.register === 'pstate')!;
  const vttbr = ARM64_ORIGIN_REGISTERS.find((r) => r.register === 'vttbr_el2')!;

  it('PSTATE.M gives the privilege by EL', () => {
    expect(pstate.read(0x3c0n).privilege).toBe('user');
    expect(pstate.read(0x3c5n).privilege).toBe('kernel');
    expect(pstate.read(0x3c4n).privilege).toBe('kernel');
    expect(pstate.read(0x3c9n).privilege).toBe('hyp');
    expect(pstate.read(0x3c9n).field).toBe('M[4:0]=0x09 (el2h)');
  });

  it('AArch32 and EL3 modes are errors', () => {
    expect(pstate.read(0x13n).error).toMatch(/AArch32/);
    expect(pstate.read(0xdn).error).toMatch(/EL3/);
  });

  it('VTTBR_EL2.VMID gives the world', () => {
    expect(vttbr.read(0n).world).toBe('host');
    expect(vttbr.read(0x0001_0000_0000_1000n).world).toBe('guest');
  });

  it('the backend offers hvc, smc and svc with imm16', () => {
    expect(ARM64_BACKEND.conduits).toEqual(['hvc', 'smc', 'svc']);
    expect(ARM64_BACKEND.immediates?.hvc).toEqual({ field: 'imm16', bits: 16 });
  });
});
