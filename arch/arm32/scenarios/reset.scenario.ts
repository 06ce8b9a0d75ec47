/**
 * The arm32 kexec/kdump reset scenarios and the reset matrix they make up:
 * {kexec, kdump} against each pair of hyp-stub era and KVM era, with the
 * outcome the history says each reaches (../shared/abi-facts.md §1, §2, §4;
 * hyplay issue 4 §3). Pairs that never shipped together are marked.
 *
 * Besides the matrix: the same pairs on the real assembly firmware of
 * `arch/arm32/firmware/` (the v4.12 stub, KVM v3.9's vectors), which must
 * reach the same outcomes; a kernel booted without Hyp mode; and a guest
 * that never reboots.
 *
 * @module
 */

import type { OutcomeKind } from '../../../src/scenario/outcome.ts';
import type { ResetMatrixDefinition, ResetMatrixRowDefinition, Scenario } from '../../../src/scenario/scenario.ts';
import { kernelScenario, kvmEra, stubEra, type KernelConfig, type KvmEra, type StubEra } from './kernel-image.ts';

/** One stub/hypervisor pair of the matrix and what each path ends in. */
export interface ResetPair {
  /** The hyp-stub spec id. */
  readonly stub: string;
  /** The KVM spec id, or `undefined` for no KVM. */
  readonly kvm: string | undefined;
  /** Whether the pair existed together in a kernel people ran. */
  readonly shipped: boolean;
  /** The kexec outcome. */
  readonly kexec: OutcomeKind;
  /** The kdump outcome. */
  readonly kdump: OutcomeKind;
  /** Run the pair on real assembly firmware too, where it exists. */
  readonly asmVariant: boolean;
  /** Why the pair is there, one line. */
  readonly why: string;
}

const HYP: OutcomeKind = 'new-kernel-in-hyp';
const SVC: OutcomeKind = 'new-kernel-in-svc';
const CRASH: OutcomeKind = 'hyp-crash';
const ERROR: OutcomeKind = 'guest-error';

/**
 * The pairs, in history order. "Shipped" means the two were carried together
 * in a kernel people booted: mainline releases, and for the 2017 rows the
 * transitional trees of the list discussion (never a mainline release).
 */
export const RESET_PAIRS: readonly ResetPair[] = [
  { stub: 'linux-hyp-stub-v3.6', kvm: 'kvm-arm32-v3.9', shipped: true, kexec: SVC, kdump: SVC, asmVariant: true, why: 'v3.9–v4.11: no soft-restart call, soft_restart stays in svc' },
  { stub: 'linux-hyp-stub-v3.6', kvm: undefined, shipped: true, kexec: SVC, kdump: SVC, asmVariant: false, why: 'v3.6–v4.11 without KVM' },
  { stub: 'linux-hyp-stub-2017-proposal', kvm: 'kvm-arm32-v3.9', shipped: true, kexec: HYP, kdump: CRASH, asmVariant: true, why: 'the 2017 proposal on the KVM of its time' },
  { stub: 'linux-hyp-stub-2017-proposal', kvm: 'kvm-arm32-2017-interim', shipped: true, kexec: HYP, kdump: CRASH, asmVariant: false, why: 'the same with the interim "r0 = 0 is get-vectors" patch' },
  { stub: 'linux-hyp-stub-2017-proposal', kvm: undefined, shipped: true, kexec: HYP, kdump: HYP, asmVariant: false, why: 'the 2017 proposal without KVM' },
  { stub: 'linux-hyp-stub-v4.12', kvm: 'kvm-arm32-v4.12', shipped: true, kexec: HYP, kdump: HYP, asmVariant: true, why: 'v4.12–v5.6: KVM handles r0 < 3 itself' },
  { stub: 'linux-hyp-stub-v4.12', kvm: undefined, shipped: true, kexec: HYP, kdump: HYP, asmVariant: true, why: 'v4.12–v5.6 without KVM' },
  { stub: 'linux-hyp-stub-v5.7', kvm: undefined, shipped: true, kexec: HYP, kdump: HYP, asmVariant: false, why: 'v5.7+: KVM/arm32 is gone' },
  { stub: 'linux-hyp-stub-v4.12', kvm: 'kvm-arm32-v3.9', shipped: false, kexec: HYP, kdump: CRASH, asmVariant: true, why: 'never shipped: the v4.12 stub with a function-pointer KVM' },
  { stub: 'linux-hyp-stub-2017-proposal', kvm: 'kvm-arm32-v4.12', shipped: false, kexec: HYP, kdump: ERROR, asmVariant: false, why: "never shipped: the proposal's numbering with KVM v4.12" },
];

/** The reboot paths of the matrix, in column order. */
const PATHS = ['kexec', 'kdump'] as const;

/** The scenario name of a pair on a path (`kdump-2017-proposal-kvm-v3.9`, `kexec-v4.12-no-kvm-asm`). */
export function resetScenarioName(path: string, stub: StubEra, kvm: KvmEra | undefined, asm = false): string {
  return `${path}-${stub.short}-${kvm?.short ?? 'no-kvm'}${asm ? '-asm' : ''}`;
}

function pairTitle(path: string, pair: ResetPair, asm: string): string {
  const hypervisor = pair.kvm ?? 'no KVM';
  return `${path} on ${pair.stub} with ${hypervisor}${asm}: ${pair.why}`;
}

function pairConfigs(pair: ResetPair): KernelConfig[] {
  const stub = stubEra(pair.stub);
  const kvm = pair.kvm === undefined ? undefined : kvmEra(pair.kvm);
  const out: KernelConfig[] = [];
  for (const path of PATHS) {
    const expected = pair[path];
    out.push({ name: resetScenarioName(path, stub, kvm), title: pairTitle(path, pair, ''), path, stub, kvm, bootMode: 'hyp', expected });
  }
  const asmStub = stub.asm !== undefined;
  const asmKvm = kvm?.asm !== undefined;
  if (pair.asmVariant && (asmStub || asmKvm)) {
    const parts = [asmStub ? `asm:${stub.asm!.name}` : undefined, asmKvm ? `asm:${kvm!.asm!.name}` : undefined].filter((p) => p !== undefined);
    for (const path of PATHS) {
      out.push({ name: resetScenarioName(path, stub, kvm, true), title: pairTitle(path, pair, ` (real assembly: ${parts.join(', ')})`), path, stub, kvm, bootMode: 'hyp', asmStub, asmKvm, expected: pair[path] });
    }
  }
  return out;
}

/** Every reset scenario configuration: the matrix pairs, their assembly variants, a boot without Hyp, and an idle guest. */
export function resetConfigs(): readonly KernelConfig[] {
  const v412 = stubEra('linux-hyp-stub-v4.12');
  const kvm412 = kvmEra('kvm-arm32-v4.12');
  return [
    ...RESET_PAIRS.flatMap(pairConfigs),
    ...PATHS.map(
      (path): KernelConfig => ({
        name: `${path}-svc-boot`,
        title: `${path} on a v4.12 kernel with KVM built in, booted in svc (no Hyp mode): soft_restart is a plain branch`,
        path,
        stub: v412,
        kvm: kvm412,
        bootMode: 'svc',
        expected: SVC,
      }),
    ),
    {
      name: 'idle-spin',
      title: 'boot in Hyp, load KVM v4.12, then never reboot: the idle loop spins until the step budget runs out',
      path: 'idle',
      stub: v412,
      kvm: kvm412,
      bootMode: 'hyp',
      expected: 'budget-exhausted',
      maxSteps: 120,
    },
  ];
}

/** Every reset scenario. */
export function resetScenarios(): readonly Scenario[] {
  return resetConfigs().map(kernelScenario);
}

function matrixRows(): ResetMatrixRowDefinition[] {
  return RESET_PAIRS.flatMap((pair) =>
    PATHS.map((path) => ({
      path,
      stub: pair.stub,
      hypervisor: pair.kvm ?? 'none',
      shipped: pair.shipped,
      scenario: resetScenarioName(path, stubEra(pair.stub), pair.kvm === undefined ? undefined : kvmEra(pair.kvm)),
    })),
  );
}

/** The arm32 reset matrix. */
export const ARM32_RESET_MATRIX: ResetMatrixDefinition = {
  title: 'arm32 kexec/kdump reset matrix: hyp-stub era × KVM era (booted in Hyp mode)',
  rows: matrixRows(),
};
