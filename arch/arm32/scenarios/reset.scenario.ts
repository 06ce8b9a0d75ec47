/**
 * The arm32 kexec/kdump reset scenarios and the reset matrix they make up:
 * {kexec, kdump} against each pair of hyp-stub era and KVM era, with and
 * without a VM where that decides who owns Hyp mode, and the outcome the
 * history says each reaches (../shared/abi-facts.md §1, §2, §4). Pairs that
 * never shipped together are marked.
 *
 * Besides the matrix: the same pairs on the real assembly firmware of
 * `arch/arm32/firmware/` (the v4.12 stub, KVM v3.9's and v3.10's vectors),
 * which must reach the same outcomes; a kernel booted without Hyp mode; and
 * a guest that never reboots.
 *
 * @module
 */

import type { OutcomeKind } from '../../../src/scenario/outcome.ts';
import type { ImageResetRow, InstalledImageStub, ResetMatrixDefinition, ResetMatrixRowDefinition, ResetMatrixVm, Scenario } from '../../../src/scenario/scenario.ts';
import { kernelScenario, kvmEra, stubEra, type KernelConfig, type KvmEra, type StubEra } from './kernel-image.ts';

/** What each path ends in, with or without a VM. */
export interface ResetOutcomes {
  /** Whether a VM ran before the reboot. */
  readonly vm: ResetMatrixVm;
  /** The kexec outcome. */
  readonly kexec: OutcomeKind;
  /** The kdump outcome. */
  readonly kdump: OutcomeKind;
}

/** One stub/hypervisor pair of the matrix and what each path ends in. */
export interface ResetPair {
  /** The hyp-stub spec id. */
  readonly stub: string;
  /** The KVM era's short name (`kvm-v4.6`), or `undefined` for no KVM. */
  readonly kvm: string | undefined;
  /** The releases the pair stands for. */
  readonly era: string;
  /** Whether kernel_kexec has the later steps (migrate_to_reboot_cpu, cpu_hotplug_enable): false for the v3.7–v3.10 kernels. */
  readonly kexecRebootCpu: boolean;
  /** Whether the pair existed together in a kernel people ran. */
  readonly shipped: boolean;
  /**
   * The outcomes: one entry per VM state that is run. A KVM that owns Hyp
   * only while a VM exists (v4.6+) gets both; one that owns it from init
   * (v3.9–v4.5), and no KVM, get `none` only: a VM changes nothing there.
   */
  readonly outcomes: readonly ResetOutcomes[];
  /** Run the pair on real assembly firmware too, where it exists (every VM state). */
  readonly asmVariant: boolean;
  /** Why the pair is there, one line. */
  readonly why: string;
}

const HYP: OutcomeKind = 'new-kernel-in-hyp';
const SVC: OutcomeKind = 'new-kernel-in-svc';
const CRASH: OutcomeKind = 'hyp-crash';

function none(kexec: OutcomeKind, kdump: OutcomeKind): ResetOutcomes {
  return { vm: 'none', kexec, kdump };
}

function running(kexec: OutcomeKind, kdump: OutcomeKind): ResetOutcomes {
  return { vm: 'running', kexec, kdump };
}

/**
 * The pairs, in history order. "Shipped" means the two were carried together
 * in a kernel people booted: mainline releases, and the out-of-tree
 * soft-reboot stub with the KVM of the vendor tree that ships it.
 */
export const RESET_PAIRS: readonly ResetPair[] = [
  { stub: 'linux-hyp-stub-v3.6', kvm: 'kvm-v3.9', era: 'v3.9', kexecRebootCpu: false, shipped: true, outcomes: [none(SVC, SVC)], asmVariant: true, why: 'v3.9: no soft-restart call, so soft_restart stays in svc; KVM keeps Hyp from init on' },
  { stub: 'linux-hyp-stub-v3.6', kvm: 'kvm-v3.10', era: 'v3.10–v4.5', kexecRebootCpu: false, shipped: true, outcomes: [none(SVC, SVC)], asmVariant: false, why: 'v3.10–v4.5: no soft-restart call; KVM keeps Hyp from init on' },
  { stub: 'linux-hyp-stub-v3.6', kvm: 'kvm-v4.6', era: 'v4.6–v4.11', kexecRebootCpu: true, shipped: true, outcomes: [none(SVC, SVC), running(SVC, SVC)], asmVariant: false, why: 'v4.6–v4.11: no soft-restart call; KVM holds Hyp only while a VM exists' },
  { stub: 'linux-hyp-stub-v3.6', kvm: undefined, era: 'v3.7–v4.11', kexecRebootCpu: false, shipped: true, outcomes: [none(SVC, SVC)], asmVariant: false, why: 'v3.7–v4.11 without KVM' },
  { stub: 'linux-hyp-stub-rmk', kvm: 'kvm-v4.6', era: 'out of tree (v4.x vendor)', kexecRebootCpu: true, shipped: true, outcomes: [none(HYP, HYP), running(HYP, CRASH)], asmVariant: true, why: "the out-of-tree soft-reboot stub on its tree's function-pointer KVM" },
  { stub: 'linux-hyp-stub-rmk', kvm: undefined, era: 'out of tree (v4.x vendor)', kexecRebootCpu: true, shipped: true, outcomes: [none(HYP, HYP)], asmVariant: false, why: 'the out-of-tree soft-reboot stub without KVM' },
  { stub: 'linux-hyp-stub-v4.12', kvm: 'kvm-v4.12', era: 'v4.12–v5.6', kexecRebootCpu: true, shipped: true, outcomes: [none(HYP, HYP), running(HYP, HYP)], asmVariant: true, why: 'v4.12–v5.6: KVM handles r0 < 3 itself' },
  { stub: 'linux-hyp-stub-v4.12', kvm: undefined, era: 'v4.12–v5.6', kexecRebootCpu: true, shipped: true, outcomes: [none(HYP, HYP)], asmVariant: true, why: 'v4.12–v5.6 without KVM' },
  { stub: 'linux-hyp-stub-v5.7', kvm: undefined, era: 'v5.7+', kexecRebootCpu: true, shipped: true, outcomes: [none(HYP, HYP)], asmVariant: false, why: 'v5.7+: KVM/arm32 is gone' },
  { stub: 'linux-hyp-stub-v4.12', kvm: 'kvm-v3.9', era: 'mixed: v4.12 stub, v3.9 KVM', kexecRebootCpu: true, shipped: false, outcomes: [none(CRASH, CRASH)], asmVariant: true, why: 'never shipped: the v4.12 stub with a KVM that never gives Hyp back' },
  { stub: 'linux-hyp-stub-v4.12', kvm: 'kvm-v4.6', era: 'mixed: v4.12 stub, v4.6–v4.11 KVM', kexecRebootCpu: true, shipped: false, outcomes: [none(HYP, HYP), running(HYP, CRASH)], asmVariant: true, why: 'never shipped: the v4.12 stub with a function-pointer KVM that gives Hyp back' },
];

/** The reboot paths of the matrix, in column order. */
const PATHS = ['kexec', 'kdump'] as const;

/** The scenario name of a pair on a path (`kdump-rmk-kvm-v4.6-vm`, `kexec-v4.12-no-kvm-asm`): `-vm` when a VM ran, `-asm` on real assembly firmware. */
export function resetScenarioName(path: string, stub: StubEra, kvm: KvmEra | undefined, vm: ResetMatrixVm, asm = false): string {
  return `${path}-${stub.short}-${kvm?.short ?? 'no-kvm'}${vm === 'running' ? '-vm' : ''}${asm ? '-asm' : ''}`;
}

function pairTitle(path: string, pair: ResetPair, kvm: KvmEra | undefined, vm: ResetMatrixVm, asm: string): string {
  const hypervisor = kvm === undefined ? 'no KVM' : `${kvm.abi.spec.id} (${kvm.era})${vm === 'running' ? ', a VM running' : ', no VM'}`;
  return `${path} on ${pair.stub} with ${hypervisor}${asm}: ${pair.why}`;
}

function pairConfigs(pair: ResetPair): KernelConfig[] {
  const stub = stubEra(pair.stub);
  const kvm = pair.kvm === undefined ? undefined : kvmEra(pair.kvm);
  const asmStub = stub.asm !== undefined;
  const asmKvm = kvm?.asm !== undefined;
  const parts = [asmStub ? `asm:${stub.asm!.name}` : undefined, asmKvm ? `asm:${kvm!.asm!.name}` : undefined].filter((p) => p !== undefined);
  const out: KernelConfig[] = [];
  for (const outcome of pair.outcomes) {
    const base = { stub, kvm, vm: outcome.vm, kexecRebootCpu: pair.kexecRebootCpu, bootMode: 'hyp' as const };
    for (const path of PATHS) out.push({ ...base, name: resetScenarioName(path, stub, kvm, outcome.vm), title: pairTitle(path, pair, kvm, outcome.vm, ''), path, expected: outcome[path] });
    if (!pair.asmVariant || parts.length === 0) continue;
    for (const path of PATHS) {
      out.push({ ...base, name: resetScenarioName(path, stub, kvm, outcome.vm, true), title: pairTitle(path, pair, kvm, outcome.vm, ` (real assembly: ${parts.join(', ')})`), path, asmStub, asmKvm, expected: outcome[path] });
    }
  }
  return out;
}

/** Every reset scenario configuration: the matrix pairs, their assembly variants, a boot without Hyp, and an idle guest. */
export function resetConfigs(): readonly KernelConfig[] {
  const v412 = stubEra('linux-hyp-stub-v4.12');
  const kvm412 = kvmEra('kvm-v4.12');
  return [
    ...RESET_PAIRS.flatMap(pairConfigs),
    ...PATHS.map(
      (path): KernelConfig => ({
        name: `${path}-svc-boot`,
        title: `${path} on a v4.12 kernel with KVM built in, booted in svc (no Hyp mode): soft_restart is a plain branch`,
        path,
        stub: v412,
        kvm: kvm412,
        vm: 'none',
        kexecRebootCpu: true,
        bootMode: 'svc',
        expected: SVC,
      }),
    ),
    {
      name: 'idle-spin',
      title: 'boot in Hyp, load KVM v4.12 and run a VM, then never reboot: the idle loop spins until the step budget runs out',
      path: 'idle',
      stub: v412,
      kvm: kvm412,
      vm: 'running',
      kexecRebootCpu: true,
      bootMode: 'hyp',
      expected: 'budget-exhausted',
      maxSteps: 200,
    },
  ];
}

/** Every reset scenario. */
export function resetScenarios(): readonly Scenario[] {
  return resetConfigs().map(kernelScenario);
}

function matrixRows(): ResetMatrixRowDefinition[] {
  return RESET_PAIRS.flatMap((pair) => {
    const stub = stubEra(pair.stub);
    const kvm = pair.kvm === undefined ? undefined : kvmEra(pair.kvm);
    return pair.outcomes.flatMap((outcome) =>
      PATHS.map((path) => ({
        path,
        era: pair.era,
        stub: pair.stub,
        hypervisor: kvm?.abi.spec.id ?? 'none',
        vm: outcome.vm,
        shipped: pair.shipped,
        scenario: resetScenarioName(path, stub, kvm, outcome.vm),
      })),
    );
  });
}

/**
 * The rows on a real image's stub: kexec and kdump from the kernel the image
 * booted, with its own vectors at HVBAR and no KVM (Debian's 6.x armmp has
 * none: KVM/arm32 went in v5.7). The old kernel's side is the v5.7+ one,
 * whose soft-restart call (HVC_SOFT_RESTART = 1, the entry in r1) every
 * stub from v4.12 on takes; the outcome is the real stub's.
 */
function imageRows(stub: InstalledImageStub): ImageResetRow[] {
  const era = stubEra('linux-hyp-stub-v5.7');
  return PATHS.map((path) => {
    const name = `${path}-image-stub`;
    const config: KernelConfig = {
      name,
      title: `${path} on the stub ${stub.name} installed (its vectors at ${`0x${stub.vectorBase.toString(16)}`}), no KVM: the old kernel's side as v5.7+`,
      path,
      stub: era,
      kvm: undefined,
      vm: 'none',
      kexecRebootCpu: true,
      bootMode: 'hyp',
      imageStub: stub,
      expected: HYP,
    };
    return { definition: { path, era: "the image's own stub (kernel side v5.7+)", stub: stub.name, hypervisor: 'none', vm: 'none', shipped: true, scenario: name }, scenario: kernelScenario(config) };
  });
}

/** The arm32 reset matrix. */
export const ARM32_RESET_MATRIX: ResetMatrixDefinition = {
  title: 'arm32 kexec/kdump reset matrix: hyp-stub era × KVM era × VM (booted in Hyp mode)',
  rows: matrixRows(),
  imageRows,
};
