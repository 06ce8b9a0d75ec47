/**
 * SMP machines: vCPUs share one memory and keep their own registers, each
 * knows its MPIDR, a powered-off vCPU does not run, a code write on one
 * vCPU reaches the caches and translated blocks of another, and the JIT and
 * the interpreter end an interleaved run identically at every budget.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { ARM64_BACKEND } from '../../arch/arm64/backend.ts';
import { PPC64_BACKEND } from '../../arch/ppc64/backend.ts';
import type { Arm32Core } from '../../arch/arm32/core.ts';
import type { Arm32State } from '../../arch/arm32/registers.ts';
import type { EngineName } from '../../src/interp/backend.ts';
import type { CoreMachine } from '../../src/interp/machine.ts';
import { assemble } from '../../src/isa/assembler.ts';
import { setUpSmpScenario } from '../../src/scenario/smp-runner.ts';
import { ExplicitScheduler, parseSchedule, SeededScheduler } from '../../src/smp/schedule.ts';
import { createSmpMachine, SmpError } from '../../src/smp/smp-machine.ts';

describe('createSmpMachine', () => {
  it('makes vCPUs over one memory, each with its own registers and its MPIDR', () => {
    for (const backend of [ARM32_BACKEND, ARM64_BACKEND]) {
      const smp = createSmpMachine(backend, 3);
      expect(smp.vcpus).toHaveLength(3);
      expect(new Set(smp.vcpus.map((v) => v.memory)).size).toBe(1);
      const r0 = backend === ARM32_BACKEND ? 'r0' : 'x0';
      smp.vcpus[1]!.setRegister(r0, 7n);
      expect(smp.vcpus.map((v) => v.register(r0))).toEqual([0n, 7n, 0n]);
      const mpidr = backend === ARM32_BACKEND ? 'mpidr' : 'mpidr_el1';
      expect(smp.vcpus.map((v) => v.register(mpidr))).toEqual([0x8000_0000n, 0x8000_0001n, 0x8000_0002n]);
      smp.memory.map(0x9000, 0x1000);
      smp.vcpus[2]!.memory.write32(0x9000, 0x1234);
      expect(smp.vcpus[0]!.memory.read32(0x9000)).toBe(0x1234);
      expect(smp.states.map((s) => s.on)).toEqual([true, false, false]);
    }
  });

  it('refuses a backend without SMP support and counts out of range', () => {
    expect(() => createSmpMachine(PPC64_BACKEND, 2)).toThrow(new SmpError('ppc64 has no SMP support'));
    expect(() => createSmpMachine(ARM32_BACKEND, 5)).toThrow(new SmpError('arm32: 5 vCPUs (1–4)'));
    expect(() => createSmpMachine(ARM32_BACKEND, 0)).toThrow(SmpError);
  });
});

/** Two vCPUs at `start`: vCPU 1 loops adding 1 to r2; vCPU 0 rewrites the add to add 16. */
const PATCH = `
start:  mrc     p15, 0, r4, c0, c0, 5
        and     r4, r4, #0xff
        cmp     r4, #0
        bne     target
        ldr     r1, patch
        str     r1, target
done:   b       done
target: add     r2, r2, #1
        b       target
patch:  add     r2, r2, #16
`;

function patchMachine(engine: EngineName) {
  const smp = createSmpMachine(ARM32_BACKEND, 2, { engine }, [true, true]);
  const program = assemble(ARM32_BACKEND.instructionSet('little'), PATCH, 0x8000);
  smp.memory.load(0x8000, program.bytes);
  for (const vcpu of smp.vcpus) {
    vcpu.setMode('svc');
    vcpu.pc = 0x8000;
  }
  return smp;
}

describe('SmpMachine.run', () => {
  it('a powered-off vCPU does not run: its slices are skipped', () => {
    const smp = patchMachine('interp');
    smp.powerOff(1);
    const skipped: string[] = [];
    const result = smp.run(new ExplicitScheduler(parseSchedule('1:5,0:3', 2)), 8, { skipped: (c, why) => skipped.push(`${c.why}: ${why}`) });
    expect(skipped).toEqual(['schedule 1:5: powered off']);
    expect(smp.states.map((s) => s.steps)).toEqual([8, 0]);
    expect(smp.vcpus[1]!.pc).toBe(0x8000);
    expect(result).toEqual({ reason: 'budget-exhausted', steps: 8, vcpu: undefined, result: undefined });
  });

  it('no vCPU that can run ends the run as idle', () => {
    const smp = patchMachine('interp');
    smp.powerOff(0);
    smp.powerOff(1);
    expect(smp.run(new SeededScheduler(1), 100).reason).toBe('idle');
  });

  for (const engine of ['interp', 'jit'] as const) {
    it(`${engine}: a code write on vCPU 0 reaches vCPU 1's cached and translated loop`, () => {
      const smp = patchMachine(engine);
      // vCPU 1: 4 steps to the loop, then 8 passes of (add 1, b); vCPU 0 patches; vCPU 1: 10 passes of (add 16, b).
      smp.run(new ExplicitScheduler(parseSchedule('1:20,0:6,1:20', 2)), 46);
      expect(smp.vcpus[1]!.register('r2')).toBe(8n + 10n * 16n);
      expect(smp.vcpus[0]!.register('r2')).toBe(0n);
      const jit = ((smp.vcpus[1] as CoreMachine<Arm32State>).core as Arm32Core).jit;
      if (engine === 'jit') {
        // vCPU 1 ran its loop translated, and vCPU 0's store threw the block away.
        expect(jit!.stats.translated).toBeGreaterThan(0);
        expect(jit!.stats.invalidated).toBeGreaterThan(0);
      } else expect(jit).toBeUndefined();
    });
  }
});

describe('engines agree on an interleaved run (the PSCI race, no breakpoints)', () => {
  for (const backend of [ARM32_BACKEND, ARM64_BACKEND]) {
    const scenario = backend.scenarios!.smpScenarios!()[0]!;
    for (const budget of [1, 9, 10, 11, 57, 140, 400, 3000]) {
      it(`${backend.name}: seed 5, ${budget} steps: every register and the memory are the same under the JIT and the interpreter`, () => {
        const end = (engine: EngineName) => {
          const { smp } = setUpSmpScenario(backend, scenario, engine);
          const result = smp.run(new SeededScheduler(5), budget);
          return { result, registers: smp.vcpus.map((v) => v.registers()), states: smp.states.map((s) => ({ ...s })), memory: smp.memory.snapshot() };
        };
        const jit = end('jit');
        expect(setUpSmpScenario(backend, scenario, 'jit').smp.vcpus.every((v) => v.engine === 'jit')).toBe(true);
        expect(jit).toEqual(end('interp'));
        expect(jit.result.steps).toBe(budget);
      });
    }
  }
});
