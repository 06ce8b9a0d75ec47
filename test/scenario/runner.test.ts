/**
 * The scenario runner on small hand-made scenarios: each outcome kind, the
 * hypervisor-call annotation, determinism, and scenario defects reported as
 * ScenarioError. The arm32 backend serves as the machine; the scenarios are
 * built here, not taken from its catalog.
 */

import { describe, expect, it } from 'vitest';
import { KVM_ARM32_V3_9 } from '../../arch/arm32/abis/kvm-arm32.abi.ts';
import { LINUX_HYP_STUB_V4_12 } from '../../arch/arm32/abis/linux-hyp-stub.abi.ts';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { loadAbis } from '../../src/di/container.ts';
import { outcomeJson } from '../../src/scenario/outcome.ts';
import { runScenario, ScenarioError } from '../../src/scenario/runner.ts';
import type { Scenario } from '../../src/scenario/scenario.ts';

const ABIS = loadAbis();
const BASE = 0x8000;
const VECTORS = 0x4000;

/** A one-segment scenario at {@link BASE}, entered at `start` in `mode`, ending when `newk` runs. */
function scenario(source: string, overrides: Partial<Scenario> = {}): Scenario {
  return {
    name: 'test',
    arch: 'arm32',
    title: 'a test scenario',
    segments: [{ name: 'main', base: BASE, source, origin: 'test' }],
    regions: [],
    firmware: [],
    entry: { at: { segment: 'main', symbol: 'start' }, mode: 'svc' },
    newKernel: { segment: 'main', symbol: 'newk' },
    errorExits: [],
    maxSteps: 200,
    expected: 'new-kernel-in-svc',
    ...overrides,
  };
}

/** Boot in Hyp at `start`: HVBAR is left alone (the firmware's), drop to svc at `booted`. */
const DROP_TO_SVC = `
start:  movw    r0, #0x1d3
        msr     spsr_fsxc, r0
        ldr     r0, bootedp
        msr     elr_hyp, r0
        eret
`;

describe('runScenario outcomes', () => {
  it('a guest that spins ends as budget-exhausted, cleanly, with the PC and label in the detail', () => {
    const run = runScenario(ARM32_BACKEND, scenario('start: b start\nnewk: wfi\n', { maxSteps: 50, expected: 'budget-exhausted' }), ABIS);
    expect(run.outcome).toEqual({ kind: 'budget-exhausted', steps: 50, pc: BASE, mode: 'svc', detail: 'no outcome within 50 steps: still running at 0x00008000 (start) in SVC' });
    expect(run.matches).toBe(true);
    expect(run.steps).toBe(50);
    expect(run.trace.filter((l) => l.startsWith('0x00008000 svc'))).toHaveLength(50);
    expect(run.trace.at(-3)).toBe('-- stop budget-exhausted at 0x00008000: step budget of 50 used up');
    expect(run.trace.at(-1)).toBe('== expected budget-exhausted: ok');
  });

  it('reaching the new kernel by a branch below Hyp is new-kernel-in-svc', () => {
    const run = runScenario(ARM32_BACKEND, scenario('start: b newk\nnewk: wfi\n'), ABIS);
    expect(run.outcome.kind).toBe('new-kernel-in-svc');
    expect(run.outcome.detail).toBe('new kernel entered in SVC at 0x00008004 by a plain branch, no soft-restart call (HVBAR never set: no hypervisor)');
  });

  it('a soft restart through the stub spec firmware is new-kernel-in-hyp, and the call is annotated', () => {
    const source = `${DROP_TO_SVC}
booted: mov     r0, #1          @ HVC_SOFT_RESTART
        ldr     r1, newkp
        hvc     #0
        b       booted
newk:   wfi
bootedp: .word booted
newkp:  .word newk
`;
    const run = runScenario(
      ARM32_BACKEND,
      scenario(source, {
        entry: { at: { segment: 'main', symbol: 'start' }, mode: 'hyp' },
        firmware: [{ kind: 'spec', abi: LINUX_HYP_STUB_V4_12, base: VECTORS }],
        caller: 'linux-hyp-stub-v4.12',
        expected: 'new-kernel-in-hyp',
      }),
      ABIS,
    );
    // The firmware is installed, then HVBAR is put back (0): this guest never sets it, so its hvc finds no table.
    expect(run.outcome).toMatchObject({ kind: 'hyp-crash', vector: 'unmapped vector', vectorAddress: 0x14, mode: 'hyp' });
    expect(run.outcome.detail).toBe(
      'the exception vector at 0x00000014 is unmapped, so taking the exception faults again (in hyp); the last call, HVC_SOFT_RESTART (r0=1), went to no known table at 0x00000000',
    );
    expect(run.trace).toContain('-- hvc #0 from svc: r0=0x00000001 r1=0x00008024 r2=0x00000000 r3=0x00000000; HVBAR+0x14 (hyp-trap) of no known table at 0x00000000');
    expect(run.matches).toBe(false);
    expect(run.trace.at(-1)).toBe('== expected new-kernel-in-hyp: MISMATCH');

    const installing = `
start:  ldr     r0, stubp
        mcr     p15, #4, r0, c12, c0, #0    @ HVBAR = the stub
${DROP_TO_SVC.replace('start:', '       ')}
booted: mov     r0, #1
        ldr     r1, newkp
        hvc     #0
        b       booted
newk:   wfi
bootedp: .word booted
newkp:  .word newk
stubp:  .word ${VECTORS}
`;
    const good = runScenario(
      ARM32_BACKEND,
      scenario(installing, {
        entry: { at: { segment: 'main', symbol: 'start' }, mode: 'hyp' },
        firmware: [{ kind: 'spec', abi: LINUX_HYP_STUB_V4_12, base: VECTORS }],
        caller: 'linux-hyp-stub-v4.12',
        expected: 'new-kernel-in-hyp',
      }),
      ABIS,
    );
    expect(good.outcome).toMatchObject({ kind: 'new-kernel-in-hyp', mode: 'hyp' });
    expect(good.outcome.detail).toMatch(/^new kernel entered in Hyp at 0x0000802c via linux-hyp-stub-v4\.12 HVC_SOFT_RESTART \(r0=1\)$/);
    expect(good.hvcs).toHaveLength(1);
    const [call] = good.hvcs;
    expect(call).toMatchObject({ conduit: 'hvc', imm: 0, from: 'svc', vectorBase: VECTORS, slot: { name: 'hyp-trap' }, selector: { register: 'r0', value: 1n } });
    expect(call!.registers).toEqual({ r0: 1n, r1: BigInt(BASE + 0x2c), r2: 0n, r3: 0n });
    expect(call!.handled).toMatchObject({ abi: 'linux-hyp-stub-v4.12', call: 'HVC_SOFT_RESTART', mine: true });
    expect(call!.meant).toMatchObject({ abi: 'linux-hyp-stub-v4.12', call: 'HVC_SOFT_RESTART' });
    const hvcLine = good.trace.find((l) => l.startsWith('-- hvc '));
    expect(hvcLine).toBe('-- hvc #0 from svc: r0=0x00000001 r1=0x0000802c r2=0x00000000 r3=0x00000000; HVBAR+0x14 (hyp-trap) of linux-hyp-stub-v4.12 (spec firmware)');
    const dispatchLine = good.trace.find((l) => l.startsWith('-- dispatch '))!;
    expect(dispatchLine).toContain('handler linux-hyp-stub-v4.12 HVC_SOFT_RESTART: jumps to 0x802c; caller means linux-hyp-stub-v4.12 HVC_SOFT_RESTART: jumps to 0x802c');
    expect(good.trace).toContain(`0x${(VECTORS + 0x14).toString(16).padStart(8, '0')} hyp  [linux-hyp-stub-v4.12 spec firmware: hyp-trap slot]`);
  });

  it('a stub call taken by a function-pointer KVM is a hyp-crash: vector, faulting address, mode and the call that led there', () => {
    const source = `
start:  ldr     r0, kvmp
        mcr     p15, #4, r0, c12, c0, #0    @ HVBAR = KVM
${DROP_TO_SVC.replace('start:', '       ')}
booted: mov     r0, #2
        hvc     #0
newk:   wfi
bootedp: .word booted
kvmp:   .word ${VECTORS}
`;
    const run = runScenario(
      ARM32_BACKEND,
      scenario(source, {
        entry: { at: { segment: 'main', symbol: 'start' }, mode: 'hyp' },
        firmware: [{ kind: 'spec', abi: KVM_ARM32_V3_9, base: VECTORS }],
        caller: 'linux-hyp-stub-v4.12',
        expected: 'hyp-crash',
      }),
      ABIS,
    );
    expect(run.outcome).toEqual({
      kind: 'hyp-crash',
      vector: 'prefetch-abort',
      offset: 0x0c,
      vectorAddress: VECTORS + 0x0c,
      faultAddress: 2,
      mode: 'hyp',
      detail: 'prefetch abort in Hyp at 0x00000002 (HVBAR+0x0C): kvm-arm32-v3.9 took HVC_RESET_VECTORS (r0=2) as a function pointer',
    });
    expect(outcomeJson(run.outcome)).toEqual({
      kind: 'hyp-crash',
      vector: 'prefetch-abort',
      offset: '0x0c',
      vectorAddress: '0x0000400c',
      faultAddress: '0x00000002',
      mode: 'hyp',
      detail: run.outcome.detail,
    });
    // The run stops on the vector: no stop line of its own, the exception is the last event.
    expect(run.trace.at(-3)).toMatch(/^-- exception prefetch-abort: instruction fetch from unmapped 0x00000002; hyp -> hyp, vector 0x0000400c/);
  });

  it('reaching an error exit is guest-error, with what it means', () => {
    const run = runScenario(
      ARM32_BACKEND,
      scenario('start: udf #18\nnewk: wfi\n        .align 5\nvec: b die\n b und\nund:\ndie: b die\nvecp: .word vec\n', {
        entry: { at: { segment: 'main', symbol: 'start' }, mode: 'svc' },
        errorExits: [{ at: { segment: 'main', symbol: 'die' }, what: 'BUG: died' }],
        expected: 'guest-error',
      }),
      ABIS,
    );
    // VBAR is 0 and page 0 is unmapped: the undefined instruction's vector cannot be fetched.
    expect(run.outcome).toMatchObject({ kind: 'guest-error', reason: 'recursive-fault' });

    const withVectors = runScenario(
      ARM32_BACKEND,
      scenario('start: ldr r0, vecp\n mcr p15, #0, r0, c12, c0, #0\n udf #18\nnewk: wfi\n        .align 5\nvec: b die\n b und\nund:\ndie: b die\nvecp: .word vec\n', {
        errorExits: [{ at: { segment: 'main', symbol: 'die' }, what: 'BUG: died' }],
        expected: 'guest-error',
      }),
      ABIS,
    );
    expect(withVectors.outcome).toEqual({ kind: 'guest-error', reason: 'bug', pc: BASE + 0x28, mode: 'und', detail: 'BUG: died, at 0x00008028 (und) in Undefined mode' });
    expect(withVectors.matches).toBe(true);
  });

  it('an UNPREDICTABLE exception return is guest-error with the interpreter’s reason', () => {
    const run = runScenario(ARM32_BACKEND, scenario('start: movw r0, #0x1da\n msr spsr_fsxc, r0\n subs pc, lr, #0\nnewk: wfi\n', { expected: 'guest-error' }), ABIS);
    expect(run.outcome).toMatchObject({ kind: 'guest-error', reason: 'unpredictable', mode: 'svc' });
  });

  it('is deterministic: the same scenario gives the same trace', () => {
    const s = scenario('start: mov r1, #3\nloop: subs r1, r1, #1\n bne loop\n b newk\nnewk: wfi\n');
    expect(runScenario(ARM32_BACKEND, s, ABIS).trace).toEqual(runScenario(ARM32_BACKEND, s, ABIS).trace);
  });
});

describe('scenario defects are ScenarioErrors', () => {
  it('code that does not assemble names the scenario, segment and line', () => {
    expect(() => runScenario(ARM32_BACKEND, scenario('start: frob r0\nnewk: wfi\n'), ABIS)).toThrow(ScenarioError);
    expect(() => runScenario(ARM32_BACKEND, scenario('start: frob r0\nnewk: wfi\n'), ABIS)).toThrow(/^test: segment main \(test\) line 1:8: /);
  });

  it('a missing label or segment', () => {
    expect(() => runScenario(ARM32_BACKEND, scenario('begin: wfi\nnewk: wfi\n'), ABIS)).toThrow("test: segment main has no label 'start'");
    expect(() => runScenario(ARM32_BACKEND, scenario('start: wfi\n', { newKernel: { segment: 'other', symbol: 'x' } }), ABIS)).toThrow("test: no segment 'other'");
  });

  it('an unknown mode or caller ABI', () => {
    expect(() => runScenario(ARM32_BACKEND, scenario('start: wfi\nnewk: wfi\n', { entry: { at: BASE, mode: 'el2' } }), ABIS)).toThrow(/^test: unknown mode 'el2'/);
    expect(() => runScenario(ARM32_BACKEND, scenario('start: wfi\nnewk: wfi\n', { caller: 'no-such-abi' }), ABIS)).toThrow("test: the caller ABI 'no-such-abi' is not registered");
  });

  it('a backend without scenarios, or vector firmware on a backend without a firmware port', () => {
    const { firmware: _firmware, ...bare } = ARM32_BACKEND;
    // Without a port only host-model firmware (HostFirmware) can be installed.
    expect(() => runScenario({ ...bare, scenarios: ARM32_BACKEND.scenarios }, scenario('start: wfi\n'), ABIS)).not.toThrow(/firmware/);
    const stub = ABIS.get('linux-hyp-stub-v4.12')!;
    expect(() => runScenario({ ...bare, scenarios: ARM32_BACKEND.scenarios }, scenario('start: wfi\nnewk: wfi\n', { firmware: [{ kind: 'spec', abi: stub, base: 0x1000 }] }), ABIS)).toThrow('test: arm32 has no hypervisor vectors for firmware at 0x00001000');
    const { scenarios: _scenarios, ...none } = ARM32_BACKEND;
    expect(() => runScenario(none, scenario('start: wfi\n'), ABIS)).toThrow('arm32 has no scenarios');
  });
});
