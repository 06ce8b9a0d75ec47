/**
 * The KVM arm64 core-register table against abi-facts §7.1 (IDs, padding,
 * structure length), the AArch32 map against the arm32 backend's canonical
 * names and the ARM ARM table, and the write rules of v4.12 and v5.0.1.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_STATE_REGISTERS } from '../../../../arch/arm32/state/architectural-state.ts';
import { ARCHITECTURAL_X_MAP, COMPAT_SWAPPED_X_MAP } from '../../../../arch/arm64/state/aarch32-mapping.ts';
import { ARM64_STATE_REGISTERS } from '../../../../arch/arm64/state/architectural-state.ts';
import { KVM_ARM64_CORE } from '../../../../arch/arm64/state/kvm-arm64-core.ts';
import { emptyCoreFile, setOneReg } from '../../../../src/state/one-reg.ts';

const idOf = (name: string): bigint => KVM_ARM64_CORE.ids[KVM_ARM64_CORE.registers.findIndex((r) => r.name === name)]!;

describe('KVM arm64 ONE_REG core IDs (abi-facts §7.1)', () => {
  it('match the facts', () => {
    expect(idOf('regs.regs[0]')).toBe(0x6030_0000_0010_0000n);
    expect(idOf('regs.regs[30]')).toBe(0x6030_0000_0010_003cn);
    expect(idOf('regs.sp')).toBe(0x6030_0000_0010_003en);
    expect(idOf('regs.pc')).toBe(0x6030_0000_0010_0040n);
    expect(idOf('regs.pstate')).toBe(0x6030_0000_0010_0042n);
    expect(idOf('sp_el1')).toBe(0x6030_0000_0010_0044n);
    expect(idOf('elr_el1')).toBe(0x6030_0000_0010_0046n);
    expect([0, 1, 2, 3, 4].map((i) => idOf(`spsr[${i}]`))).toEqual([0x6030_0000_0010_0048n, 0x6030_0000_0010_004an, 0x6030_0000_0010_004cn, 0x6030_0000_0010_004en, 0x6030_0000_0010_0050n]);
    expect(idOf('fp_regs.vregs[0]')).toBe(0x6040_0000_0010_0054n);
    expect([idOf('fp_regs.fpsr'), idOf('fp_regs.fpcr')]).toEqual([0x6020_0000_0010_00d4n, 0x6020_0000_0010_00d5n]);
    expect(KVM_ARM64_CORE.words).toBe(216);
  });

  it('spsr[] is svc (= EL1), abt, und, irq, fiq for both guests', () => {
    expect([0, 1, 2, 3, 4].map((i) => KVM_ARM64_CORE.registers.find((r) => r.name === `spsr[${i}]`)!.holds)).toEqual([
      { arm64: 'spsr_el1', arm32: 'spsr_svc' },
      { arm64: 'spsr_abt', arm32: 'spsr_abt' },
      { arm64: 'spsr_und', arm32: 'spsr_und' },
      { arm64: 'spsr_irq', arm32: 'spsr_irq' },
      { arm64: 'spsr_fiq', arm32: 'spsr_fiq' },
    ]);
  });

  it('every register it holds is a canonical register of its guest', () => {
    const names = { arm64: new Set(ARM64_STATE_REGISTERS.map((r) => r.name)), arm32: new Set(ARM32_STATE_REGISTERS.map((r) => r.name)) };
    for (const r of KVM_ARM64_CORE.registers) for (const [guest, name] of Object.entries(r.holds)) expect(names[guest as 'arm32' | 'arm64'].has(name), `${r.name} -> ${guest} ${name}`).toBe(true);
  });
});

describe('AArch32 <-> AArch64 map (ARM ARM D1.20.1 table D1-77)', () => {
  it('names 31 distinct arm32 registers, none of them a Hyp LR', () => {
    const names = new Set(ARM32_STATE_REGISTERS.map((r) => r.name));
    expect(new Set(ARCHITECTURAL_X_MAP).size).toBe(31);
    for (const name of ARCHITECTURAL_X_MAP) expect(names.has(name)).toBe(true);
    expect(ARCHITECTURAL_X_MAP.some((n) => n === 'lr_hyp')).toBe(false);
    expect([13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 29, 30].map((x) => ARCHITECTURAL_X_MAP[x])).toEqual(['sp_usr', 'lr_usr', 'sp_hyp', 'lr_irq', 'sp_irq', 'lr_svc', 'sp_svc', 'lr_abt', 'sp_abt', 'lr_und', 'sp_und', 'sp_fiq', 'lr_fiq']);
  });

  it('the compat-swapped era swaps SP and LR of irq, svc, abt and und only (v3.10 tree compat_sp_irq = regs[16])', () => {
    const differing = ARCHITECTURAL_X_MAP.flatMap((name, x) => (COMPAT_SWAPPED_X_MAP[x] === name ? [] : [x]));
    expect(differing).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
    expect([COMPAT_SWAPPED_X_MAP[16], COMPAT_SWAPPED_X_MAP[21]]).toEqual(['sp_irq', 'lr_abt']);
  });
});

describe('write validation by era', () => {
  it('PSTATE: v4.12 takes any listed mode; v5.0.1 checks the vCPU width', () => {
    const file = emptyCoreFile(KVM_ARM64_CORE);
    const pstate = idOf('regs.pstate');
    expect(setOneReg(KVM_ARM64_CORE, 'v4.12', 'arm64', file, pstate, 0x13n).errno).toBe(0);
    expect(setOneReg(KVM_ARM64_CORE, 'v4.12', 'arm64', file, pstate, 0x9n).errno).toBe('EINVAL');
    expect(setOneReg(KVM_ARM64_CORE, 'v5.0.1', 'arm64', file, pstate, 0x13n).errno).toBe('EINVAL');
    expect(setOneReg(KVM_ARM64_CORE, 'v5.0.1', 'arm32', file, pstate, 0x5n).errno).toBe('EINVAL');
    expect(setOneReg(KVM_ARM64_CORE, 'v5.0.1', 'arm32', file, pstate, 0x13n).errno).toBe(0);
    // v4.12 checks the mode only when the write starts at regs.pstate: a U128 write at regs.pc slips an EL2h PSTATE in.
    expect(setOneReg(KVM_ARM64_CORE, 'v4.12', 'arm64', file, (idOf('regs.pc') & ~(0xfn << 52n)) | (4n << 52n), 0x9n << 64n).errno).toBe(0);
  });
});
