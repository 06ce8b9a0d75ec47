/**
 * The arm64 kexec/kdump reset scenarios and the reset matrix they make up:
 * {kexec, kdump} against pairs of hyp-stub era and KVM era, with KVM merely
 * holding EL2 or a VM running, and the outcome the history says each
 * reaches (../shared/abi-facts.md §3, §4.2, §4.3). Every row is real A64
 * code: the stub of its era, KVM's EL2 code of its era, the kernel's boot,
 * KVM init, reboot notifier and `__cpu_soft_restart`.
 *
 * The history the rows reproduce:
 * - no kdump before v4.12 (no crashkernel= reservation; panic() halts);
 * - v4.12 crash kernels start at EL1 with no HVC (`el2_switch` false for
 *   the crash image);
 * - from v4.19 (76f4e2da45b4) crash kernels issue HVC_SOFT_RESTART into KVM's handler when
 *   a VM holds EL2; with the v4.12 handler the new image's x0 is 0 and the
 *   relocation code reads its list from address 0, until the x0 fix;
 * - v4.11's SOFT_RESTART (x0 = 2) reaching KVM as a function pointer when
 *   KVM was not torn down (a test-harness variant: never shipped);
 * - protected KVM answering the stub call with −1, and `__cpu_soft_restart`
 *   falling through to its EL1 branch;
 * - `kvm_reboot` racing a running vCPU: the next `__kvm_vcpu_run` reaches
 *   the stub, gets HYP_GONE back, and KVM_RUN fails with KVM_EXIT_FAIL_ENTRY.
 *
 * @module
 */

import type { OutcomeKind } from '../../../src/scenario/outcome.ts';
import type { ImageResetRow, InstalledImageStub, ResetMatrixDefinition, ResetMatrixRowDefinition, ResetMatrixVm, Scenario } from '../../../src/scenario/scenario.ts';
import { arm64KernelScenario, arm64KvmEra, arm64StubEra, type Arm64KernelConfig, type Arm64KvmEra, type Arm64StubEra, type SoftRestartEra } from './kernel-image.ts';

/** A reboot path of the matrix: `kexec-race` is kexec with a vCPU running again after kvm_reboot. */
export type Arm64ResetPath = 'kexec' | 'kdump' | 'kexec-race';

/** What one path ends in, for one VM state. */
export interface Arm64ResetOutcome {
  /** The path. */
  readonly path: Arm64ResetPath;
  /** Whether a VM ran before the reboot. */
  readonly vm: ResetMatrixVm;
  /** The outcome. */
  readonly expected: OutcomeKind;
}

/** One stub/KVM pair of the matrix. */
export interface Arm64ResetPair {
  /** The stub era's short name (`v4.12`). */
  readonly stub: string;
  /** The KVM era's short name (`kvm-v4.12`), or `undefined` for no KVM. */
  readonly kvm: string | undefined;
  /** The releases the pair stands for (the kernel's machine_kexec era included). */
  readonly era: string;
  /** machine_kexec's era. */
  readonly softRestart: SoftRestartEra;
  /** Whether kvm_reboot is registered (false: KVM not torn down, a test harness). */
  readonly rebootNotifier: boolean;
  /** Whether the pair existed together in a kernel people ran. */
  readonly shipped: boolean;
  /** The rows it gives. */
  readonly outcomes: readonly Arm64ResetOutcome[];
  /** Why the pair is there, one line. */
  readonly why: string;
}

const EL2: OutcomeKind = 'new-kernel-in-hyp';
const EL1: OutcomeKind = 'new-kernel-in-svc';
const CRASH: OutcomeKind = 'hyp-crash';
const ERROR: OutcomeKind = 'guest-error';

function rows(vm: ResetMatrixVm, kexec: OutcomeKind, kdump: OutcomeKind): Arm64ResetOutcome[] {
  return [
    { path: 'kexec', vm, expected: kexec },
    { path: 'kdump', vm, expected: kdump },
  ];
}

/** The pairs, in history order. */
export const ARM64_RESET_PAIRS: readonly Arm64ResetPair[] = [
  { stub: 'v4.8', kvm: 'kvm-v4.6', era: 'v4.8–v4.11', softRestart: 'v4.8', rebootNotifier: true, shipped: true, outcomes: [...rows('none', EL2, ERROR), ...rows('running', EL2, ERROR)], why: 'kexec arrives (v4.8) with SOFT_RESTART 2; kvm_reboot gives EL2 back first; no kdump yet' },
  { stub: 'v4.8', kvm: undefined, era: 'v4.8–v4.11', softRestart: 'v4.8', rebootNotifier: true, shipped: true, outcomes: rows('none', EL2, ERROR), why: 'v4.8–v4.11 without KVM: the stub restarts at EL2; no kdump' },
  { stub: 'v4.8', kvm: 'kvm-v4.6', era: 'v4.11, KVM not torn down (test harness)', softRestart: 'v4.8', rebootNotifier: false, shipped: false, outcomes: [{ path: 'kexec', vm: 'running', expected: CRASH }], why: 'never shipped: SOFT_RESTART (x0 = 2) reaches KVM, which calls address 2 at EL2' },
  { stub: 'v4.12', kvm: 'kvm-v4.12', era: 'v4.12', softRestart: 'v4.12', rebootNotifier: true, shipped: true, outcomes: [...rows('none', EL2, EL1), ...rows('running', EL2, EL1)], why: 'v4.12: kdump arrives; el2_switch is false for the crash kernel, which starts at EL1 with no HVC' },
  { stub: 'v4.12', kvm: 'kvm-v4.12', era: 'v4.19–v5.7 (until the x0 fix)', softRestart: 'v4.19', rebootNotifier: true, shipped: true, outcomes: [...rows('none', EL2, EL2), ...rows('running', EL2, CRASH)], why: "kdump issues HVC_SOFT_RESTART; with a VM KVM's v4.12 handler takes it and hands the new image x0 = 0" },
  { stub: 'v4.12', kvm: 'kvm-v4.12', era: 'v4.12–v5.9', softRestart: 'v4.12', rebootNotifier: true, shipped: true, outcomes: [{ path: 'kexec-race', vm: 'running', expected: ERROR }], why: 'kvm_reboot resets EL2 to the stub under a running vCPU: its next __kvm_vcpu_run gets HVC_STUB_ERR' },
  { stub: 'v4.12', kvm: 'kvm-v5.7', era: 'the x0 fix (v5.8; stable 5.7.y)–v5.9', softRestart: 'v4.19', rebootNotifier: true, shipped: true, outcomes: [...rows('none', EL2, EL2), ...rows('running', EL2, EL2)], why: "the x0 fix: KVM's SOFT_RESTART keeps the payload's x0 (kimage->head)" },
  { stub: 'v4.12', kvm: 'kvm-v5.10', era: 'v5.10–v5.11', softRestart: 'v4.19', rebootNotifier: true, shipped: true, outcomes: [...rows('none', EL2, EL2), ...rows('running', EL2, EL2)], why: 'nVHE SMCCC host calls: stub calls below HVC_STUB_HCALL_NR still reach __kvm_handle_stub_hvc' },
  { stub: 'v4.12', kvm: undefined, era: 'v4.19–≈v5.11', softRestart: 'v4.19', rebootNotifier: true, shipped: true, outcomes: rows('none', EL2, EL2), why: 'without KVM the stub performs every soft restart' },
  { stub: 'v5.12', kvm: 'kvm-pkvm', era: 'protected KVM, v5.16+', softRestart: 'v5.15', rebootNotifier: true, shipped: true, outcomes: [...rows('none', EL1, EL1), ...rows('running', EL1, EL1)], why: 'protected mode answers HVC_SOFT_RESTART with −1; __cpu_soft_restart falls through and starts the image at EL1' },
  { stub: 'v5.12', kvm: undefined, era: '≈v5.15+', softRestart: 'v5.15', rebootNotifier: true, shipped: true, outcomes: rows('none', EL2, EL2), why: 'the crash kernel restarts in place (entry kimage->start, x0 the dtb) through the stub' },
];

/** The scenario name of a pair on a path (`kdump-v4.12-kvm-v4.12-vm-v4.19`). */
export function arm64ResetScenarioName(path: Arm64ResetPath, pair: Arm64ResetPair, vm: ResetMatrixVm): string {
  const harness = pair.rebootNotifier ? '' : '-no-teardown';
  return `${path}-${pair.stub}-${pair.kvm ?? 'no-kvm'}${vm === 'running' ? '-vm' : ''}-${pair.softRestart}${harness}`;
}

function pairTitle(path: Arm64ResetPath, pair: Arm64ResetPair, stub: Arm64StubEra, kvm: Arm64KvmEra | undefined, vm: ResetMatrixVm): string {
  const hypervisor = kvm === undefined ? 'no KVM' : `${kvm.abi} (${kvm.era})${vm === 'running' ? ', a VM running' : ', no VM'}`;
  return `${path} on ${stub.asm.implements} with ${hypervisor}, machine_kexec of ${pair.softRestart}: ${pair.why}`;
}

function pairConfigs(pair: Arm64ResetPair): Arm64KernelConfig[] {
  const stub = arm64StubEra(pair.stub);
  const kvm = pair.kvm === undefined ? undefined : arm64KvmEra(pair.kvm);
  return pair.outcomes.map((outcome) => ({
    name: arm64ResetScenarioName(outcome.path, pair, outcome.vm),
    title: pairTitle(outcome.path, pair, stub, kvm, outcome.vm),
    path: outcome.path === 'kdump' ? 'kdump' : 'kexec',
    stub,
    kvm,
    vm: outcome.vm,
    softRestart: pair.softRestart,
    crashKernel: pair.softRestart !== 'v4.8',
    rebootNotifier: pair.rebootNotifier,
    vcpuRace: outcome.path === 'kexec-race',
    bootMode: 'el2h',
    expected: outcome.expected,
  }));
}

/** Every arm64 reset scenario configuration: the matrix rows, a boot at EL1, and an idle guest. */
export function arm64ResetConfigs(): readonly Arm64KernelConfig[] {
  const v412 = arm64StubEra('v4.12');
  const kvm412 = arm64KvmEra('kvm-v4.12');
  const base = { stub: v412, kvm: kvm412, softRestart: 'v4.19' as const, crashKernel: true, rebootNotifier: true, vcpuRace: false };
  return [
    ...ARM64_RESET_PAIRS.flatMap(pairConfigs),
    ...(['kexec', 'kdump'] as const).map(
      (path): Arm64KernelConfig => ({ ...base, name: `${path}-arm64-el1-boot`, title: `${path} on a v4.19 kernel with KVM built in, booted at EL1 (no EL2): no stub, no KVM, a plain branch`, path, vm: 'none', bootMode: 'el1h', expected: EL1 }),
    ),
    { ...base, name: 'idle-spin-arm64', title: 'boot at EL2, load KVM v4.12 and run a VM, then never reboot: the idle loop spins until the step budget runs out', path: 'idle', vm: 'running', bootMode: 'el2h', expected: 'budget-exhausted', maxSteps: 400 },
  ];
}

/** Every arm64 reset scenario. */
export function arm64ResetScenarios(): readonly Scenario[] {
  return arm64ResetConfigs().map(arm64KernelScenario);
}

function matrixRows(): ResetMatrixRowDefinition[] {
  return ARM64_RESET_PAIRS.flatMap((pair) => {
    const stub = arm64StubEra(pair.stub);
    const kvm = pair.kvm === undefined ? undefined : arm64KvmEra(pair.kvm);
    return pair.outcomes.map((outcome) => ({
      path: outcome.path,
      era: pair.era,
      stub: stub.asm.implements,
      hypervisor: kvm?.abi ?? 'none',
      vm: outcome.vm,
      shipped: pair.shipped,
      scenario: arm64ResetScenarioName(outcome.path, pair, outcome.vm),
    }));
  });
}

/**
 * The rows on a real image's stub: kexec and kdump from the kernel the image
 * booted, with its own `__hyp_stub_vectors` in VBAR_EL2 and no KVM. The old
 * kernel's side is the ≈v5.15+ one (HVC_SOFT_RESTART = 1, the crash kernel
 * restarted in place); the stub it calls is the image's (Debian's 6.x:
 * the HVC_FINALISE_EL2 era), and the outcome is that stub's.
 */
function imageRows(stub: InstalledImageStub): ImageResetRow[] {
  const era = arm64StubEra('v5.12');
  return (['kexec', 'kdump'] as const).map((path) => {
    const name = `${path}-arm64-image-stub`;
    const config: Arm64KernelConfig = {
      name,
      title: `${path} on the stub ${stub.name} installed (its vectors at 0x${stub.vectorBase.toString(16)}), no KVM: the old kernel's side as ≈v5.15+`,
      path,
      stub: era,
      kvm: undefined,
      vm: 'none',
      softRestart: 'v5.15',
      crashKernel: true,
      rebootNotifier: true,
      vcpuRace: false,
      bootMode: 'el2h',
      imageStub: { installed: stub, implements: IMAGE_STUB_ABI },
      expected: EL2,
    };
    return { definition: { path, era: "the image's own stub (kernel side ≈v5.15+)", stub: stub.name, hypervisor: 'none', vm: 'none', shipped: true, scenario: name }, scenario: arm64KernelScenario(config) };
  });
}

/** The spec a 6.x kernel's own stub implements (the HVC_FINALISE_EL2 era). */
const IMAGE_STUB_ABI = 'linux-hyp-stub-arm64-finalise-el2';

/** The arm64 reset matrix. */
export const ARM64_RESET_MATRIX: ResetMatrixDefinition = {
  title: 'arm64 kexec/kdump reset matrix: hyp-stub era × KVM era × VM (booted at EL2, nVHE)',
  rows: matrixRows(),
  imageRows,
};
