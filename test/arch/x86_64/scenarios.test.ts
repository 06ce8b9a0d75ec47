/**
 * The x86_64 scenarios (hyplay issue 11 §3, fact sheet §9.8): each reaches
 * its expected outcome with the host model's exits recorded, and each is
 * sensitive to the history it replays: the same guest under another era,
 * vendor or host reaches one of its error exits instead.
 */

import { describe, expect, it } from 'vitest';
import { KVM_X86_ABIS } from '../../../arch/x86_64/abis/kvm-x86.abi.ts';
import { PATCHING_ERAS } from '../../../arch/x86_64/abis/hypercall-patching.ts';
import { X86_64_BACKEND } from '../../../arch/x86_64/backend.ts';
import type { X86Machine } from '../../../arch/x86_64/core.ts';
import { SpecHost, type SpecHostOptions } from '../../../arch/x86_64/firmware/spec-host.ts';
import { loadAbis } from '../../../src/di/container.ts';
import { runScenario, ScenarioError } from '../../../src/scenario/runner.ts';
import type { HostFirmware, Scenario } from '../../../src/scenario/scenario.ts';

const ABIS = loadAbis();
const scenarios = X86_64_BACKEND.scenarios!.scenarios();

function named(name: string): Scenario {
  const scenario = scenarios.find((s) => s.name === name);
  if (scenario === undefined) throw new Error(`no scenario ${name}`);
  return scenario;
}

function kvm(id: string) {
  return KVM_X86_ABIS.find((a) => a.spec.id === id)!;
}

/** A host model of the test's own, to run a scenario's guest under another host. */
function host(options: SpecHostOptions): HostFirmware {
  return { kind: 'host', name: 'test host', implements: options.abis.map((a) => a.spec.id), install: (machine) => void SpecHost.install(machine as X86Machine, options) };
}

const V411 = PATCHING_ERAS.find((e) => e.key === 'v4.11')!;

describe('x86_64 scenarios', () => {
  it('are registered on the backend, each reaches its expected outcome, and the host model\'s exits are in the run', () => {
    expect(scenarios).toHaveLength(23);
    for (const scenario of scenarios) {
      const run = runScenario(X86_64_BACKEND, scenario, ABIS);
      expect(run.outcome.kind, `${scenario.name}: ${run.outcome.detail}`).toBe(scenario.expected);
      expect(run.matches).toBe(true);
      expect(run.host.length > 0).toBe(scenario.firmware.some((f) => f.kind === 'host'));
      expect(run.trace[run.trace.length - 1]).toBe(`== expected ${scenario.expected}: ok`);
    }
  });

  it('the 32-bit task: its code decodes as 32-bit code only under __USER32_CS; entered as a 64-bit task (__USER_CS) the same bytes reach an error exit', () => {
    const scenario = named('x86-int80-from-32-bit-task');
    const run = runScenario(X86_64_BACKEND, scenario, ABIS);
    expect(run.outcome.kind, run.outcome.detail).toBe('guest-done');
    const [segment] = scenario.segments;
    const as64 = { ...scenario, segments: [{ ...segment!, source: segment!.source.replace('pushq   $0x23                   # CS = __USER32_CS', 'pushq   $0x33                   # CS = __USER_CS') }] };
    expect(as64.segments[0]!.source).not.toBe(segment!.source);
    const wrong = runScenario(X86_64_BACKEND, as64, ABIS);
    expect(wrong.matches).toBe(false);
    expect(wrong.outcome.kind).not.toBe('guest-done');
  });

  it('the 32-bit task\'s syscall: #UD on Intel, CSTAR on AMD; each vendor\'s run of the other\'s scenario reaches the other ending', () => {
    for (const [name, other] of [
      ['x86-syscall-from-32-bit-task-on-intel', 'amd'],
      ['x86-syscall-from-32-bit-task-on-amd', 'intel'],
    ] as const) {
      const scenario = named(name);
      expect(runScenario(X86_64_BACKEND, scenario, ABIS).matches).toBe(true);
      const swapped = runScenario(X86_64_BACKEND, { ...scenario, choices: { vendor: other } }, ABIS);
      expect(swapped.matches, `${name} on ${other}`).toBe(false);
    }
  });

  it('the upper-half kernel: its segment is linked at 0xffffffff81000000 and loaded at 0x1000000, the syscall enters there, and the run is the same on AMD', () => {
    const scenario = named('x86-syscall-upper-half-kernel');
    for (const vendor of ['intel', 'amd']) {
      const run = runScenario(X86_64_BACKEND, { ...scenario, choices: { vendor } }, ABIS);
      expect(run.outcome.kind, `${vendor}: ${run.outcome.detail}`).toBe('guest-done');
      expect(run.trace).toContain('== segment upper at 0xffffffff81000000-0xffffffff8100023f, loaded at 0x01000000 (arch/x86_64/scenarios/index.ts (UPPER_KERNEL_SOURCE))');
      expect(run.trace.some((line) => line.includes('cpl3 -> cpl0, vector 0xffffffff81000000'))).toBe(true);
      expect(run.trace).toContain('-- return sysretq: cpl0 -> cpl3 at 0x00100200');
    }
  });

  it('the patching: without the patching model the #UD goes back to the guest, whose handler spins: no "(patched)"', () => {
    const scenario = named('x86-kvm-v4.11-patch-vmmcall-on-intel');
    const run = runScenario(X86_64_BACKEND, { ...scenario, firmware: [host({ abis: [kvm('kvm-x86-v4.11-vmcall')] })] }, ABIS);
    expect(run.outcome.kind).toBe('budget-exhausted');
    expect(run.outcome.detail).toMatch(/ud_handler/);
    const patched = runScenario(X86_64_BACKEND, scenario, ABIS);
    expect(patched.host.filter((line) => /vm exit 18 VMCALL/.test(line))).toHaveLength(2);
    expect(patched.host.filter((line) => /EXCEPTION_NMI \(#UD\)/.test(line))).toHaveLength(1);
  });

  it('the v3.9 patching zaps the MMU first; v4.11 does not', () => {
    expect(runScenario(X86_64_BACKEND, named('x86-kvm-v3.9-patch-vmcall-on-amd'), ABIS).host.join('\n')).toMatch(/kvm_mmu_zap_all, then patch_hypercall writes 0f 01 d9/);
    expect(runScenario(X86_64_BACKEND, named('x86-kvm-v4.11-patch-vmcall-on-amd'), ABIS).host.join('\n')).not.toMatch(/kvm_mmu_zap_all/);
  });

  it('the CPL-3 asymmetry depends on the vendor: the AMD guest run on Intel is answered −KVM_EPERM, an error exit of the AMD scenario', () => {
    const scenario = named('x86-kvm-vmcall-cpl3-on-amd');
    const amd = runScenario(X86_64_BACKEND, scenario, ABIS);
    expect(amd.trace.some((line) => /exception #GP: host injects #GP\(0x0\): the emulator refuses vmcall at CPL 3; cpl3 -> cpl0/.test(line))).toBe(true);
    const intel = runScenario(X86_64_BACKEND, { ...scenario, choices: { vendor: 'intel' }, firmware: [host({ abis: [kvm('kvm-x86-v4.11-vmcall')], patching: V411 })] }, ABIS);
    expect(intel.outcome.kind).toBe('guest-error');
    expect(intel.outcome.detail).toMatch(/−KVM_EPERM/);
  });

  it('the truncation era decides: the v3.9 guest under a v4.11 host reaches the truncated exit, an error for v3.9', () => {
    const scenario = named('x86-kvm-v3.9-compat-truncation');
    const run = runScenario(X86_64_BACKEND, { ...scenario, firmware: [host({ abis: [kvm('kvm-x86-v4.11-vmcall')] })] }, ABIS);
    expect(run.outcome.kind).toBe('guest-error');
    expect(run.outcome.detail).toMatch(/truncated to 1/);
    // The guest really issued the call under the 32-bit code segment.
    expect(runScenario(X86_64_BACKEND, scenario, ABIS).trace.some((line) => /return iretq: cpl0 -> cpl0 at/.test(line))).toBe(true);
  });

  it('the Hyper-V takeover needs the guest\'s wrmsr: the same kick under KVM alone is kicked', () => {
    const stolen = runScenario(X86_64_BACKEND, named('x86-kick-cpu-vmcall-kvm-hyperv'), ABIS);
    expect(stolen.host.join('\n')).toMatch(/hyperv-tlfs-v3.9-vmcall: unknown call code, rax ← 0x2/);
    const kvmOnly = runScenario(X86_64_BACKEND, { ...named('x86-kick-cpu-vmcall-kvm-hyperv'), firmware: [host({ abis: [kvm('kvm-x86-v5.7-vmcall')] })] }, ABIS);
    expect(kvmOnly.outcome.kind).toBe('guest-error');
    expect(kvmOnly.outcome.detail).toMatch(/KVM answered KVM_HC_KICK_CPU/);
  });

  it('SYSRET with a non-canonical RCX: on AMD (as the model has it) the #GP comes from CPL 3, an error exit of the Intel scenario', () => {
    const scenario = named('x86-sysret-noncanonical-rcx-on-intel');
    const run = runScenario(X86_64_BACKEND, { ...scenario, choices: { vendor: 'amd' } }, ABIS);
    expect(run.outcome.kind).toBe('guest-error');
    expect(run.outcome.detail).toMatch(/came from CPL 3/);
  });

  it('int $0x80 through the DPL-3 gate Linux installs is taken: the DPL-0 scenario\'s guest then returns, an error exit', () => {
    const scenario = named('x86-int80-dpl0-gate');
    const source = scenario.segments[0]!.source.replace('INT80_GATE, 0x8e', 'INT80_GATE, 0xee');
    const run = runScenario(X86_64_BACKEND, { ...scenario, segments: [{ ...scenario.segments[0]!, source }] }, ABIS);
    expect(run.outcome.kind).toBe('budget-exhausted');
    expect(run.outcome.detail).toMatch(/int80_entry/);
  });

  it('vector firmware on a backend without hypervisor vectors is a scenario error', () => {
    const scenario = named('x86-kick-cpu-vmcall-kvm');
    expect(() => runScenario(X86_64_BACKEND, { ...scenario, firmware: [{ kind: 'spec', abi: kvm('kvm-x86-v5.7-vmcall'), base: 0 }] }, ABIS)).toThrow(ScenarioError);
  });
});
