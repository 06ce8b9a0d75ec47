/**
 * The ISV = 0 fetch race (issue 13 §3) on two arm32 vCPUs: vCPU 0's
 * `ldr r1, [r0], #4` to the test device traps with no valid syndrome, and
 * vCPU 1 invalidates (TLBIALLIS, DSB) and reuses the frame, writing
 * `ldrh r2, [r0], #2` over the word, under the scenario's fixed schedule. The 2012 pre-merge fetch translates the PC,
 * returns to the Hyp trap vector, and reads the word after vCPU 1 ran: the
 * new instruction is emulated (a halfword into r2). The stop-the-world
 * fetch translates and reads in one call: the load that trapped is
 * emulated. Swapping the era under the same schedule swaps the outcomes;
 * without the interleaving the 2012 fetch is right too. Under an IPI
 * shootdown vCPU 1's DSB waits for vCPU 0, which is in Hyp mode, so the
 * reuse comes after the read. The mainline eras never fetch.
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
    expect(between).toContain('vcpu1 -- shootdown broadcast: TLBIALLIS: every PL1&0 entry of VMID 1; broadcast in hardware, complete at this vCPU\'s DSB');
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

  it('IPI shootdown: vCPU 1 waits at its DSB while vCPU 0 is in the emulation, so the 2012 fetch reads the word that trapped', () => {
    const run = runSmpScenario(ARM32_BACKEND, scenario('mmio-fetch-race-ipi'), ABIS);
    expect(run.matches).toBe(true);
    expect(run.shootdown).toBe('ipi');
    expectConsistent(run);
    // The same two trap-vector entries as the raced run: the window is there, nothing lands in it.
    const [translate, read] = trapVectorSteps(run);
    expect(trapVectorSteps(run)).toHaveLength(2);
    const between = run.trace.slice(translate, read);
    expect(between).toContain('vcpu1 -- shootdown ipi: DSB waits for 1 acknowledgement(s)');
    expect(between).toContain('vcpu1 -- stop waiting at 0x8000807c: dsb at 0x8000807c waits for TLB shootdown acknowledgements from the other vCPUs');
    expect(run.trace.some((l) => /^vcpu1 .* str r1, \[r0\]$/.test(l))).toBe(false);
    expect(run.vcpus[1]!.pc).toBe(0x8000_807c);
    // The same code, era and schedule under broadcast: the race.
    expectRaced(runSmpScenario(ARM32_BACKEND, scenario('mmio-fetch-race-ipi'), ABIS, { shootdown: 'broadcast' }));
    // And the 2012 race scenario itself under IPI: no race.
    expectConsistent(runSmpScenario(ARM32_BACKEND, scenario('mmio-fetch-race-pre-merge'), ABIS, { shootdown: 'ipi' }));
  });

  it('IPI: once vCPU 0 is back in the guest its next slice takes the IPI, and vCPU 1 completes the DSB and reuses the frame', () => {
    const run = runSmpScenario(ARM32_BACKEND, scenario('mmio-fetch-race-ipi'), ABIS, { scheduler: new ExplicitScheduler(parseSchedule('0:11,1:9,0:3,0:1,1:2,0:*', 2)) });
    expectConsistent(run);
    const ack = run.trace.indexOf('vcpu0 -- shootdown ipi: took 1 IPI(s), TLB invalidated, acknowledged');
    const store = run.trace.findIndex((l) => /^vcpu1 .* str r1, \[r0\]$/.test(l));
    const read = run.trace.findIndex((l) => l.includes('mmio read'));
    expect(read).toBeGreaterThan(0);
    expect(ack).toBeGreaterThan(read);
    expect(store).toBeGreaterThan(ack);
  });

  it('the mainline eras never fetch: v3.9 and v5.5 stop the VM (-ENOSYS), v5.5 with NISV to user injects an external abort', () => {
    for (const [name, kind] of [['mmio-fetch-race-v3.9', 'vm-stopped'], ['mmio-fetch-race-v5.5', 'vm-stopped'], ['mmio-fetch-race-v5.5-nisv', 'guest-abort']] as const) {
      const run = runSmpScenario(ARM32_BACKEND, scenario(name), ABIS);
      expect(run.matches, name).toBe(true);
      expect(run.outcome.kind, name).toBe(kind);
      expect(run.schedule, name).toContain(FETCH_RACE_SCHEDULE);
      // One entry at the trap vector and no device access: nothing is translated, read or emulated.
      expect(trapVectorSteps(run), name).toHaveLength(1);
      expect(run.trace.some((l) => l.includes('mmio read')), name).toBe(false);
    }
  });

  it('a race replays bit for bit from its schedule', () => {
    for (const name of ['mmio-fetch-race-pre-merge', 'mmio-fetch-race-ipi']) {
      const once = runSmpScenario(ARM32_BACKEND, scenario(name), ABIS);
      expect(runSmpScenario(ARM32_BACKEND, scenario(name), ABIS).trace).toEqual(once.trace);
    }
  });

  it('the JIT gives the interpreter\'s trace and outcome for every era', () => {
    for (const name of ['mmio-fetch-race-pre-merge', 'mmio-fetch-race-stw', 'mmio-fetch-race-ipi', 'mmio-fetch-race-v5.5-nisv']) {
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
