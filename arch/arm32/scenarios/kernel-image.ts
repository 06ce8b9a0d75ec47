/**
 * Builds an arm32 reset scenario: the old kernel's image from the shared
 * assembly files beside this one, parameterised by era with a `.equ`
 * prelude, the new kernel it restarts into, and the hypervisor side (the
 * hyp-stub and, when loaded, KVM's runtime vectors) as spec firmware or as
 * the real assembly in `arch/arm32/firmware/`.
 *
 * The memory map (physical; the model has no MMU), in the style of a
 * vexpress board with RAM at 0x80000000:
 *
 * | address | what |
 * |---|---|
 * | 0x80004000–0x80007fff | the old kernel's init stack |
 * | 0x80008000 | the old kernel's image (kernel.s, stub-&lt;era&gt;.s, kvm.s, kexec.s, kdump.s) |
 * | 0x80100000 | `__hyp_stub_vectors`: the hyp-stub (KVM v4.12's RESET_VECTORS puts it back here) |
 * | 0x80110000 | KVM's runtime Hyp vectors |
 * | 0x80120000–0x80120fff | KVM's Hyp stack |
 * | 0x80200000, 0x80210000 | KVM's Hyp page tables (runtime, boot: only loaded into HTTBR) |
 * | 0x80808000 | the kexec-ed kernel (new-kernel.s) |
 * | 0x88008000 | the crash kernel (new-kernel.s), in the crashkernel= reservation |
 *
 * Page 0 is never mapped, so a Hyp branch to address 0, 1 or 2 faults.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import type { Abi } from '../../../src/abi/spec.ts';
import type { OutcomeKind } from '../../../src/scenario/outcome.ts';
import type { InstalledImageStub, Scenario, ScenarioFirmware } from '../../../src/scenario/scenario.ts';
import type { ResetMatrixVm } from '../../../src/scenario/scenario.ts';
import { HYP_STUB_VECTORS, KVM_ARM32_V3_10, KVM_ARM32_V3_9, KVM_ARM32_V4_12 } from '../abis/kvm-arm32.abi.ts';
import { LINUX_HYP_STUB_RMK, LINUX_HYP_STUB_V3_6, LINUX_HYP_STUB_V4_12, LINUX_HYP_STUB_V5_7 } from '../abis/linux-hyp-stub.abi.ts';
import { HYP_STUB_V4_12, installAsmFirmware, KVM_V3_10, KVM_V3_9, type AsmFirmware } from '../firmware/index.ts';

/** Where the old kernel's image is assembled. */
export const KERNEL_BASE = 0x8000_8000;
/** Top of the old kernel's init stack. */
export const KERNEL_STACK_TOP = 0x8000_8000;
/** Bytes of init stack below {@link KERNEL_STACK_TOP}. */
export const KERNEL_STACK_BYTES = 0x4000;
/** `__hyp_stub_vectors`: where the stub is installed (the address KVM v4.12's spec resets HVBAR to). */
export const STUB_VECTORS = Number(HYP_STUB_VECTORS);
/** KVM's runtime Hyp vectors. */
export const KVM_VECTORS = 0x8011_0000;
/** Bottom of KVM's Hyp stack. */
export const HYP_STACK = 0x8012_0000;
/** Bytes of Hyp stack. */
export const HYP_STACK_BYTES = 0x1000;
/** KVM's Hyp page tables (only loaded into HTTBR: the model has no MMU). */
export const HYP_PGD = 0x8020_0000;
/** KVM's boot Hyp page tables, which v3.10–v4.5's first init phase loads. */
export const HYP_BOOT_PGD = 0x8021_0000;
/** The kexec-ed kernel's entry. */
export const KEXEC_START = 0x8080_8000;
/** The crash kernel's entry. */
export const CRASH_START = 0x8800_8000;

/** The reboot path a scenario takes after boot. */
export type RebootPath = 'kexec' | 'kdump' | 'idle';

/** The `.equ EVENT` value of each path (kernel.s `start_kernel`). */
const EVENTS: Readonly<Record<RebootPath, number>> = { kexec: 0, kdump: 1, idle: 2 };

/** What a hyp-stub era brings: its spec, the kernel's side of the ABI, and real assembly where there is some. */
export interface StubEra {
  /** The spec. */
  readonly abi: Abi;
  /** Short name for scenario names (`v4.12`). */
  readonly short: string;
  /** The kernel's side of the ABI (`stub-v4.12.s`). */
  readonly file: string;
  /** Whether soft_restart returns to Hyp mode in this era. */
  readonly softRestartInHyp: boolean;
  /** The real assembly stub, where one exists. */
  readonly asm?: AsmFirmware;
}

/** How KVM's first Hyp call is laid out (abi-facts §2.4): v3.9 one call with the pgd in r0/r1; v3.10–v4.5 two phases; v4.6+ one call with the stack in r0. */
export type KvmInit = 'one-phase' | 'two-phases' | 'single-call';

/** When KVM's vectors are in HVBAR (abi-facts §2.5): from init onwards for good (v3.9–v4.5), or only while a VM exists (v4.6+). */
export type KvmHypOwnership = 'from-init' | 'while-vm';

/** What a KVM era brings: its host-call spec, how it initialises and owns Hyp, and real assembly where there is some. */
export interface KvmEra {
  /** The host-call spec (one spec can serve several eras: kvm-arm32-v3.10 is v3.10–v4.11). */
  readonly abi: Abi;
  /** Short name for scenario names (`kvm-v3.9`). */
  readonly short: string;
  /** The releases it stands for (`v4.6–v4.11`). */
  readonly era: string;
  /** The init call's layout. */
  readonly init: KvmInit;
  /** When KVM owns Hyp. */
  readonly ownership: KvmHypOwnership;
  /** v4.12+: KVM implements the stub calls (resets with HVC_RESET_VECTORS, keeps no saved vectors). */
  readonly handlesStubHvc: boolean;
  /** The real assembly vectors, where they exist. */
  readonly asm?: AsmFirmware;
}

/** The hyp-stub eras, oldest first (the out-of-tree variant where it sits in time). */
export const STUB_ERAS: readonly StubEra[] = [
  { abi: LINUX_HYP_STUB_V3_6, short: 'v3.7', file: 'stub-v3.7.s', softRestartInHyp: false },
  { abi: LINUX_HYP_STUB_RMK, short: 'rmk', file: 'stub-rmk.s', softRestartInHyp: true },
  { abi: LINUX_HYP_STUB_V4_12, short: 'v4.12', file: 'stub-v4.12.s', softRestartInHyp: true, asm: HYP_STUB_V4_12 },
  { abi: LINUX_HYP_STUB_V5_7, short: 'v5.7', file: 'stub-v5.7.s', softRestartInHyp: true },
];

/** The KVM eras, oldest first. */
export const KVM_ERAS: readonly KvmEra[] = [
  { abi: KVM_ARM32_V3_9, short: 'kvm-v3.9', era: 'v3.9', init: 'one-phase', ownership: 'from-init', handlesStubHvc: false, asm: KVM_V3_9 },
  { abi: KVM_ARM32_V3_10, short: 'kvm-v3.10', era: 'v3.10–v4.5', init: 'two-phases', ownership: 'from-init', handlesStubHvc: false, asm: KVM_V3_10 },
  { abi: KVM_ARM32_V3_10, short: 'kvm-v4.6', era: 'v4.6–v4.11', init: 'single-call', ownership: 'while-vm', handlesStubHvc: false, asm: KVM_V3_10 },
  { abi: KVM_ARM32_V4_12, short: 'kvm-v4.12', era: 'v4.12–v5.6', init: 'single-call', ownership: 'while-vm', handlesStubHvc: true },
];

/** The era of a spec id; throws for an unknown id (a programming error). */
export function stubEra(id: string): StubEra {
  const era = STUB_ERAS.find((e) => e.abi.spec.id === id);
  if (era === undefined) throw new Error(`no hyp-stub era '${id}'`);
  return era;
}

/** The KVM era of a short name (`kvm-v4.6`); throws for an unknown one (a programming error). */
export function kvmEra(short: string): KvmEra {
  const era = KVM_ERAS.find((e) => e.short === short);
  if (era === undefined) throw new Error(`no KVM era '${short}'`);
  return era;
}

/** One kernel configuration to build a scenario from. */
export interface KernelConfig {
  /** Scenario name. */
  readonly name: string;
  /** One line. */
  readonly title: string;
  /** What happens after boot. */
  readonly path: RebootPath;
  /** The hyp-stub era (the kernel's side and the stub at HYP_STUB_VECTORS). */
  readonly stub: StubEra;
  /** The KVM era, or `undefined` when KVM is not built in. */
  readonly kvm: KvmEra | undefined;
  /** Whether a VM has been created and has run before the reboot (`none` without KVM). */
  readonly vm: ResetMatrixVm;
  /** Whether kernel_kexec has the later steps (kexec_in_progress, migrate_to_reboot_cpu, cpu_hotplug_enable): kexec.s. */
  readonly kexecRebootCpu: boolean;
  /** The mode the boot loader enters the kernel in. */
  readonly bootMode: 'hyp' | 'svc';
  /** Run the real assembly stub instead of the spec firmware. */
  readonly asmStub?: boolean;
  /** Run KVM's real assembly vectors instead of the spec firmware. */
  readonly asmKvm?: boolean;
  /**
   * The stub a real kernel image installed (the scenario then runs on the
   * machine that image booted): `__hyp_stub_install` writes its vector base
   * to HVBAR, as the image's own did, and no model firmware is installed.
   */
  readonly imageStub?: InstalledImageStub;
  /** The expected outcome. */
  readonly expected: OutcomeKind;
  /** Step budget (default 2000). */
  readonly maxSteps?: number;
}

const sources = new Map<string, string>();

/** The text of an assembly file beside this module (read once). */
export function scenarioSource(file: string): string {
  let text = sources.get(file);
  if (text === undefined) {
    text = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
    sources.set(file, text);
  }
  return text;
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** The `KVM_INIT` value of each init layout (kvm.s). */
const KVM_INITS: readonly KvmInit[] = ['one-phase', 'two-phases', 'single-call'];

/** The `.equ` prelude of a configuration. */
export function prelude(config: KernelConfig): string {
  const kvm = config.kvm;
  const lines: [string, number, string][] = [
    ['EVENT', EVENTS[config.path], `${config.path}: 0 kexec, 1 kdump, 2 idle`],
    ['CONFIG_KVM', kvm === undefined ? 0 : 1, kvm === undefined ? 'no KVM' : `${kvm.abi.spec.id}, the ${kvm.era} era`],
    ['KVM_INIT', kvm === undefined ? 0 : KVM_INITS.indexOf(kvm.init), `init: ${kvm?.init ?? 'none'} (0 one phase, 1 two phases, 2 a single call)`],
    ['KVM_TAKES_HYP', kvm?.ownership === 'while-vm' ? 1 : 0, `KVM owns Hyp ${kvm?.ownership === 'while-vm' ? 'only while a VM exists' : 'from init on'}`],
    ['KVM_HANDLES_STUB_HVC', kvm?.handlesStubHvc === true ? 1 : 0, 'v4.12+: KVM implements the stub calls'],
    ['VM_RUNNING', config.vm === 'running' ? 1 : 0, config.vm === 'running' ? 'a VM has been created and has run' : 'no VM'],
    ['SOFT_RESTART_IN_HYP', config.stub.softRestartInHyp ? 1 : 0, `${config.stub.abi.spec.id}: soft_restart may return to Hyp`],
    ['KEXEC_REBOOT_CPU', config.kexecRebootCpu ? 1 : 0, `kernel_kexec ${config.kexecRebootCpu ? 'with' : 'without'} migrate_to_reboot_cpu() and cpu_hotplug_enable()`],
    ['KERNEL_STACK_TOP', KERNEL_STACK_TOP, ''],
    ['HYP_STUB_VECTORS', config.imageStub?.vectorBase ?? STUB_VECTORS, config.imageStub === undefined ? '' : `${config.imageStub.name}: the vectors the image installed`],
    ['KVM_HYP_VECTOR', KVM_VECTORS, ''],
    ['HYP_STACK_TOP', HYP_STACK + HYP_STACK_BYTES, ''],
    ['HYP_PGD', HYP_PGD, ''],
    ['HYP_BOOT_PGD', HYP_BOOT_PGD, ''],
    ['KEXEC_START', KEXEC_START, ''],
    ['CRASH_START', CRASH_START, ''],
  ];
  return [
    `@ ${config.name}: the era prelude (arch/arm32/scenarios/kernel-image.ts)`,
    ...lines.map(([name, value, why]) => `        .equ    ${name}, ${hex(value)}${why === '' ? '' : `   @ ${why}`}`),
    '',
  ].join('\n');
}

/** The files of the old kernel's image, in order. */
export function kernelFiles(config: KernelConfig): readonly string[] {
  return ['kernel.s', config.stub.file, 'kvm.s', 'kexec.s', 'kdump.s'];
}

function asmFirmware(firmware: AsmFirmware, base: number): ScenarioFirmware {
  return { kind: 'code', name: `asm:${firmware.name}`, implements: firmware.implements, base, install: (machine) => installAsmFirmware(machine, firmware, base).symbols };
}

/** Build the scenario of a configuration. */
export function kernelScenario(config: KernelConfig): Scenario {
  const files = kernelFiles(config);
  const kernelSource = [prelude(config), ...files.map((file) => `@ ---- ${file}\n${scenarioSource(file)}`)].join('\n');
  const entry = config.path === 'kdump' ? CRASH_START : KEXEC_START;
  const firmware: ScenarioFirmware[] = [];
  if (config.imageStub !== undefined) {
    // The image's own stub is in the machine's memory already, where the image put it.
    if (config.kvm !== undefined || config.bootMode !== 'hyp') throw new Error(`${config.name}: a real image's stub runs booted in Hyp without KVM`);
    firmware.push({ kind: 'code', name: config.imageStub.name, implements: config.stub.abi.spec.id, base: config.imageStub.vectorBase, install: () => undefined });
  } else if (config.bootMode === 'hyp') {
    if (config.asmStub === true) {
      if (config.stub.asm === undefined) throw new Error(`${config.name}: ${config.stub.abi.spec.id} has no assembly stub`);
      firmware.push(asmFirmware(config.stub.asm, STUB_VECTORS));
    } else firmware.push({ kind: 'spec', abi: config.stub.abi, base: STUB_VECTORS });
    if (config.kvm !== undefined) {
      if (config.asmKvm === true) {
        if (config.kvm.asm === undefined) throw new Error(`${config.name}: ${config.kvm.abi.spec.id} has no assembly vectors`);
        firmware.push(asmFirmware(config.kvm.asm, KVM_VECTORS));
      } else firmware.push({ kind: 'spec', abi: config.kvm.abi, base: KVM_VECTORS });
    }
  }
  return {
    name: config.name,
    arch: 'arm32',
    title: config.title,
    segments: [
      { name: 'kernel', base: KERNEL_BASE, source: kernelSource, origin: files.map((f) => `arch/arm32/scenarios/${f}`).join(' + ') },
      { name: 'new-kernel', base: entry, source: scenarioSource('new-kernel.s'), origin: 'arch/arm32/scenarios/new-kernel.s' },
    ],
    regions: [
      { base: KERNEL_STACK_TOP - KERNEL_STACK_BYTES, size: KERNEL_STACK_BYTES, what: "the old kernel's init stack" },
      { base: HYP_STACK, size: HYP_STACK_BYTES, what: "KVM's Hyp stack" },
    ],
    firmware,
    entry: { at: { segment: 'kernel', symbol: 'stext' }, mode: config.bootMode },
    newKernel: { segment: 'new-kernel', symbol: 'new_kernel' },
    errorExits: [{ at: { segment: 'kernel', symbol: 'die' }, what: 'BUG: the old kernel died in die() and no new kernel boots' }],
    caller: config.stub.abi.spec.id,
    callers: config.kvm === undefined ? [] : [{ at: { segment: 'kernel', symbol: 'kvm_call_hyp' }, abi: config.kvm.abi.spec.id }],
    maxSteps: config.maxSteps ?? 2000,
    expected: config.expected,
  };
}
