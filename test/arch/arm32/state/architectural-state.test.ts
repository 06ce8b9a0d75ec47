/**
 * The arm32 canonical state against the backend's own banking, and the
 * KVM/ARM v3.9 core IDs against abi-facts §7.4.
 */

import { describe, expect, it } from 'vitest';
import { applyArm32ArchitecturalState, ARM32_STATE_REGISTERS, arm32ArchitecturalState } from '../../../../arch/arm32/state/architectural-state.ts';
import { KVM_ARM32_CORE } from '../../../../arch/arm32/state/kvm-arm32-core.ts';
import { createArm32State, switchMode, Mode } from '../../../../arch/arm32/registers.ts';
import { diffStates } from '../../../../src/state/architectural-state.ts';
import { emptyCoreFile, setOneReg } from '../../../../src/state/one-reg.ts';
import { generator, randomState } from '../../../state/random-state.ts';

const MODES = [0x10, 0x11, 0x12, 0x13, 0x16, 0x17, 0x1a, 0x1b, 0x1f];

describe('arm32 canonical state', () => {
  it('applying a random state and reading it back is the identity, in every mode', () => {
    const next = generator(32);
    for (let run = 0; run < 80; run++) {
      const cpsr = (next() & ~0x1f & ~0x20) | MODES[run % MODES.length]!;
      const state = randomState('arm32', ARM32_STATE_REGISTERS, next, { cpsr: BigInt(cpsr >>> 0) });
      const s = createArm32State();
      applyArm32ArchitecturalState(s, state);
      expect(diffStates(state, arm32ArchitecturalState(s), ARM32_STATE_REGISTERS)).toEqual([]);
      // Banking is the backend's: a mode switch and back changes nothing.
      switchMode(s, Mode.fiq);
      switchMode(s, cpsr & 0x1f);
      expect(diffStates(state, arm32ArchitecturalState(s), ARM32_STATE_REGISTERS)).toEqual([]);
    }
  });

  it("reads the current mode's SP and LR from the live registers, Hyp's LR from LR_usr", () => {
    const s = createArm32State();
    switchMode(s, Mode.hyp);
    s.r[13] = 0x1234;
    s.r[14] = 0x5678;
    const state = arm32ArchitecturalState(s);
    expect([state.registers['sp_hyp'], state.registers['lr_usr']]).toEqual([0x1234n, 0x5678n]);
  });
});

describe('KVM/ARM v3.9 core registers (abi-facts §7.4)', () => {
  it('SPSR IDs and the U32-only rule', () => {
    const id = (name: string): bigint => KVM_ARM32_CORE.ids[KVM_ARM32_CORE.registers.findIndex((r) => r.holds['arm32'] === name)]!;
    expect(['spsr_svc', 'spsr_abt', 'spsr_und', 'spsr_irq', 'spsr_fiq'].map(id)).toEqual([0x4020_0000_0010_0014n, 0x4020_0000_0010_0017n, 0x4020_0000_0010_001an, 0x4020_0000_0010_001dn, 0x4020_0000_0010_0025n]);
    const file = emptyCoreFile(KVM_ARM32_CORE);
    expect(setOneReg(KVM_ARM32_CORE, 'v3.9', 'arm32', file, id('spsr_fiq'), 0x1d1n).errno).toBe(0);
    expect(setOneReg(KVM_ARM32_CORE, 'v3.9', 'arm32', file, id('spsr_fiq') | (1n << 52n), 0x1d1n).errno).toBe('ENOENT');
    expect(setOneReg(KVM_ARM32_CORE, 'v3.9', 'arm32', file, id('cpsr'), 0x1an).errno).toBe('EINVAL');
    expect(setOneReg(KVM_ARM32_CORE, 'v3.9', 'arm32', file, id('cpsr'), 0x1d3n).errno).toBe(0);
  });
});
