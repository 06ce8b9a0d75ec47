/**
 * The ISV = 0 fetch race (issue 13 §3) on two arm32 vCPUs: vCPU 0's
 * `ldr r1, [r0], #4` to the test device traps with no valid syndrome, and
 * vCPU 1 rewrites the word to `ldrh r2, [r0], #2` (TLBIALLIS, DSB) under
 * the scenario's fixed schedule. The 2012 pre-merge fetch translates the PC,
 * returns to the Hyp trap vector, and reads the word after vCPU 1 ran: the
 * new instruction is emulated (a halfword into r2). The stop-the-world
 * fetch translates and reads in one call: the load that trapped is
 * emulated. Swapping the era under the same schedule swaps the outcomes;
 * without the interleaving the 2012 fetch is right too.
 */

import { describe, expect, it } from 'vitest';
import { KVM_ARM_MMIO_ABIS } from '../../arch/arm32/abis/kvm-arm-mmio.abi.ts';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { FETCH_RACE_SCHEDULE, TEST_DEVICE } from '../../arch/arm32/scenarios/mmio.scenario.ts';
import { loadAbis } from '../../src/di/container.ts';
import type { SmpScenario } from '../../src/scenario/scenario.ts';
import { runSmpScenario, type SmpScenarioRun } from '../../src/scenario/smp-runner.ts';
import { ExplicitScheduler, parseSchedule } from '../../src/smp/schedule.ts';

const ABIS = loadAbis();
const DATA = 0x1234_5678;

function scenario(name: string): SmpScenario {
  const found = ARM32_BACKEND.scenarios!.smpScenarios!().find((s) => s.name === name);
  if (found === undefined) throw new Error(`no scenario ${name}`);
  return found;
}

/** `scenario` with the firmware of another era, all else (code, schedule) the same. */
function withEra(base: SmpScenario, abiId: string): SmpScenario {
  const abi = KVM_ARM_MMIO_ABIS.find((a) => a.spec.id === abiId)!;
  return { ...base, firmware: { ...base.firmware, abi } };
}

/** The emulated instruction was the one vCPU 1 wrote: a halfword load into r2, r0 + 2. */
function expectRaced(run: SmpScenarioRun): void {
  expect(run.outcome.kind).toBe('hypercall-misread');
  expect(run.report).toEqual({ result_r0: TEST_DEVICE + 2, result_r1: 0, result_r2: DATA & 0xffff });
  expect(run.trace).toContain('vcpu0 -- mmio read 2 bytes 0x5678 at IPA 0x0a000000 (test0 DATA)');
}

/** The emulated instruction was the one that trapped: a word load into r1, r0 + 4. */
function expectConsistent(run: SmpScenarioRun): void {
  expect(run.outcome.kind).toBe('guest-done');
  expect(run.report).toEqual({ result_r0: TEST_DEVICE + 4, result_r1: DATA, result_r2: 0 });
  expect(run.trace).toContain('vcpu0 -- mmio read 4 bytes 0x12345678 at IPA 0x0a000000 (test0 DATA)');
}

/** Indices of vCPU 0's steps at the Hyp trap vector. */
function trapVectorSteps(run: SmpScenarioRun): number[] {
  return run.trace.flatMap((line, i) => (/^vcpu0 0x80110014 hyp /.test(line) ? [i] : []));
}

describe('mmio-fetch-race (arm32, two vCPUs)', () => {
  it('pre-merge 2012: vCPU 1 writes between the translation and the read, the new word is emulated', () => {
    const run = runSmpScenario(ARM32_BACKEND, scenario('mmio-fetch-race-pre-merge'), ABIS);
    expect(run.matches).toBe(true);
    expectRaced(run);
    // Two entries at the trap vector (translate, then read), vCPU 1's store and DSB between them.
    const [translate, read] = trapVectorSteps(run);
    expect(trapVectorSteps(run)).toHaveLength(2);
    const between = run.trace.slice(translate, read);
    expect(between).toContain('-- vcpu1 runs 9 steps (schedule 1:9)');
    expect(between.some((l) => /^vcpu1 .* str r1, \[r0\]$/.test(l))).toBe(true);
    expect(between.some((l) => /^vcpu1 .* dsb sy$/.test(l))).toBe(true);
    expect(between.some((l) => l.includes('mmio read'))).toBe(false);
  });

  it('stop-the-world: the fetch completes in one call, the load that trapped is emulated', () => {
    const run = runSmpScenario(ARM32_BACKEND, scenario('mmio-fetch-race-stw'), ABIS);
    expect(run.matches).toBe(true);
    expectConsistent(run);
    expect(trapVectorSteps(run)).toHaveLength(1);
    // vCPU 1 still rewrote the word, after the emulation.
    const rewrite = run.trace.findIndex((l) => /^vcpu1 .* str r1, \[r0\]$/.test(l));
    const access = run.trace.findIndex((l) => l.includes('mmio read'));
    expect(access).toBeGreaterThan(0);
    expect(rewrite).toBeGreaterThan(access);
  });

  it('swapping the era under the same code and schedule swaps the outcomes', () => {
    const preMerge = scenario('mmio-fetch-race-pre-merge');
    const stw = scenario('mmio-fetch-race-stw');
    expect(preMerge.schedule).toBe(FETCH_RACE_SCHEDULE);
    expect(stw.schedule).toBe(FETCH_RACE_SCHEDULE);
    expectConsistent(runSmpScenario(ARM32_BACKEND, withEra(preMerge, 'kvm-arm-mmio-pre-merge-stw'), ABIS));
    expectRaced(runSmpScenario(ARM32_BACKEND, withEra(stw, 'kvm-arm-mmio-pre-merge'), ABIS));
  });

  it('the 2012 fetch is only wrong when the write lands in its window', () => {
    const s = scenario('mmio-fetch-race-pre-merge');
    // vCPU 1 first: the word is rewritten before vCPU 0 gets there, so the ldrh itself traps and is emulated (the guest's
    // fetch_raced check then holds because vCPU 0 ran the ldrh, not because the hypervisor misread anything).
    const first = runSmpScenario(ARM32_BACKEND, s, ABIS, { scheduler: new ExplicitScheduler(parseSchedule('1:9,0:*', 2)) });
    expect(first.trace.some((l) => /^vcpu0 0x80008024 svc .* ldrh r2, \[r0\], #2$/.test(l))).toBe(true);
    expect(first.report).toEqual({ result_r0: TEST_DEVICE + 2, result_r1: 0, result_r2: DATA & 0xffff });
    // vCPU 0 to its end first: the write comes after the read, the load that trapped is emulated.
    expectConsistent(runSmpScenario(ARM32_BACKEND, s, ABIS, { scheduler: new ExplicitScheduler(parseSchedule('0:*', 2)) }));
    // One step later for vCPU 1 (after the read): consistent as well.
    expectConsistent(runSmpScenario(ARM32_BACKEND, s, ABIS, { scheduler: new ExplicitScheduler(parseSchedule('0:12,1:9,0:*', 2)) }));
  });

  it('the JIT gives the interpreter\'s trace and outcome for both eras', () => {
    for (const name of ['mmio-fetch-race-pre-merge', 'mmio-fetch-race-stw']) {
      const interp = runSmpScenario(ARM32_BACKEND, scenario(name), ABIS, { engine: 'interp' });
      const jit = runSmpScenario(ARM32_BACKEND, scenario(name), ABIS, { engine: 'jit' });
      expect(jit.trace).toEqual(interp.trace);
      expect(jit.outcome).toEqual(interp.outcome);
    }
  });

  it('the split fetch is one call of the spec for vCPU 0 (taken at the trap, answered after the read)', () => {
    const run = runSmpScenario(ARM32_BACKEND, scenario('mmio-fetch-race-pre-merge'), ABIS);
    expect(run.calls.filter((c) => c.vcpu === 0)).toHaveLength(1);
    expect(run.calls[0]!.result).toBe(BigInt(TEST_DEVICE + 2));
  });
});
