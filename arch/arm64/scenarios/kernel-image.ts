/**
 * Builds an arm64 reset scenario: the old kernel's image from the assembly
 * files beside this one, parameterised by era with a `.equ` prelude; the
 * hyp-stub of its era (`arch/arm64/firmware/hyp-stub-<era>.s`) at
 * `__hyp_stub_vectors`; KVM's EL2 code of its era (`kvm-hyp-<era>.s`); the
 * relocation code and the new kernel. All of it is real A64 code: the only
 * thing installed before the run is code, and VBAR_EL2 is what the boot
 * code sets.
 *
 * The memory map (physical; the model has no MMU), with RAM at 0x40000000
 * as on QEMU's virt board:
 *
 * | address | what |
 * |---|---|
 * | 0x4007c000–0x4007ffff | the old kernel's init stack |
 * | 0x40080000 | the old kernel's image (kernel.s, stub-calls-&lt;era&gt;.s, kvm.s, kexec.s, kdump.s) |
 * | 0x40100000 | `__hyp_stub_vectors`: the hyp-stub (KVM's reset paths put it back here) |
 * | 0x40110000 | KVM's runtime vectors; its init vectors at +0x800; `__kvm_vcpu_run` at +0x1000 |
 * | 0x40120000–0x40120fff | KVM's EL2 stack |
 * | 0x41000000 | `reboot_code_buffer`: arm64_relocate_new_kernel (relocate.s) |
 * | 0x42000000 | the kexec-ed kernel (new-kernel.s) |
 * | 0x48000000 | the crash kernel (new-kernel.s), in the crashkernel= reservation |
 *
 * Page 0 is never mapped, so an EL2 branch to address 2, or a list read
 * from address 0, faults.
 *
 * @module
 */

import { ARM64_HYP_STUB_VECTORS } from '../abis/kvm-arm64.abi.ts';
import type { OutcomeKind } from '../../../src/scenario/outcome.ts';
import type { InstalledImageStub, ResetMatrixVm, Scenario, ScenarioFirmware } from '../../../src/scenario/scenario.ts';
import { arm64FirmwareSource, HYP_STUB_ARM64_V4_12, HYP_STUB_ARM64_V4_8, HYP_STUB_ARM64_V5_12, installArm64AsmFirmware, type Arm64AsmFirmware } from '../firmware/hyp-stubs.ts';

/** Where the old kernel's image is assembled. */
export const KERNEL_BASE = 0x4008_0000;
/** Top of the old kernel's init stack. */
export const KERNEL_STACK_TOP = 0x4008_0000;
/** Bytes of init stack. */
export const KERNEL_STACK_BYTES = 0x4000;
/** `__hyp_stub_vectors`. */
export const STUB_VECTORS = Number(ARM64_HYP_STUB_VECTORS);
/** KVM's runtime vectors. */
export const KVM_VECTORS = 0x4011_0000;
/** KVM's init vectors (the idmap page). */
export const KVM_INIT_VECTORS = KVM_VECTORS + 0x800;
/** `__kvm_vcpu_run`, the function pointer the host passes (≤ v5.9). */
export const KVM_VCPU_RUN = KVM_VECTORS + 0x1000;
/** `__kvm_hyp_reset` (v4.6–v4.11). */
export const KVM_HYP_RESET = KVM_VECTORS + 0x1004;
/** Bottom of KVM's EL2 stack. */
export const HYP_STACK = 0x4012_0000;
/** Bytes of EL2 stack. */
export const HYP_STACK_BYTES = 0x1000;
/** KVM's EL2 page tables (only loaded into TTBR0_EL2: the model has no MMU). */
export const HYP_PGD = 0x4020_0000;
/** `reboot_code_buffer`: where arm64_relocate_new_kernel runs. */
export const RELOCATE_CODE = 0x4100_0000;
/** The kexec-ed kernel's entry. */
export const KEXEC_START = 0x4200_0000;
/** The crash kernel's entry. */
export const CRASH_START = 0x4800_0000;
/** The device tree's address (a value only). */
export const DTB = 0x4400_0000;

/** The reboot path a scenario takes after boot. */
export type RebootPath = 'kexec' | 'kdump' | 'idle';

/** The `.equ EVENT` value of each path (kernel.s `start_kernel`). */
const EVENTS: Readonly<Record<RebootPath, number>> = { kexec: 0, kdump: 1, idle: 2 };

/** A hyp-stub era: the stub, the kernel's side of its ABI, and what KVM's calls meet there. */
export interface Arm64StubEra {
  /** Short name for scenario names (`v4.12`). */
  readonly short: string;
  /** The assembly stub (its spec id is `implements`). */
  readonly asm: Arm64AsmFirmware;
  /** The kernel's side of the ABI (`stub-calls-v4.12.s`). */
  readonly calls: string;
  /** What the stub answers a call it does not know (`ARM_EXCEPTION_HYP_GONE` as KVM compares it). */
  readonly hypGone: number;
  /** `HVC_STUB_HCALL_NR`: calls below it are stub calls (KVM's nVHE code shares the constant). */
  readonly stubHcallCount: number;
}

/** How KVM tells its calls from the stub's. */
export type KvmHostCalls = 'function-pointer' | 'smccc';

/** A KVM era: its host-call spec, its EL2 code and its calling convention. */
export interface Arm64KvmEra {
  /** The spec of its host calls. */
  readonly abi: string;
  /** Short name for scenario names (`kvm-v4.12`). */
  readonly short: string;
  /** The releases it stands for. */
  readonly era: string;
  /** Its EL2 code (`kvm-hyp-v4.12.s`). */
  readonly file: string;
  /** Function pointers (≤ v5.9) or SMCCC IDs (v5.10+). */
  readonly hostCalls: KvmHostCalls;
  /** Protected mode: EL2 is never given back and the stub calls are refused. */
  readonly protectedMode: boolean;
}

/** The hyp-stub eras the matrix uses (the others run in conformance only). */
export const ARM64_STUB_ERAS: readonly Arm64StubEra[] = [
  { short: 'v4.8', asm: HYP_STUB_ARM64_V4_8, calls: 'stub-calls-v4.8.s', hypGone: 3, stubHcallCount: 3 },
  { short: 'v4.12', asm: HYP_STUB_ARM64_V4_12, calls: 'stub-calls-v4.12.s', hypGone: 0xbadca11, stubHcallCount: 3 },
  { short: 'v5.12', asm: HYP_STUB_ARM64_V5_12, calls: 'stub-calls-v4.12.s', hypGone: 0xbadca11, stubHcallCount: 4 },
];

/** The KVM eras, oldest first. */
export const ARM64_KVM_ERAS: readonly Arm64KvmEra[] = [
  { abi: 'kvm-arm64-v3.11', short: 'kvm-v4.6', era: 'v4.6–v4.11', file: 'kvm-hyp-v4.6.s', hostCalls: 'function-pointer', protectedMode: false },
  { abi: 'kvm-arm64-v4.12', short: 'kvm-v4.12', era: 'v4.12–v5.7, until the x0 fix', file: 'kvm-hyp-v4.12.s', hostCalls: 'function-pointer', protectedMode: false },
  { abi: 'kvm-arm64-v5.7', short: 'kvm-v5.7', era: 'v5.8–v5.9 and stable kernels with the x0 fix', file: 'kvm-hyp-v5.7.s', hostCalls: 'function-pointer', protectedMode: false },
  { abi: 'kvm-arm64-v5.10', short: 'kvm-v5.10', era: 'v5.10–v5.11', file: 'kvm-hyp-nvhe.s', hostCalls: 'smccc', protectedMode: false },
  { abi: 'kvm-arm64-protected', short: 'kvm-pkvm', era: 'protected mode with the stub calls rejected (v5.16 at the earliest)', file: 'kvm-hyp-nvhe.s', hostCalls: 'smccc', protectedMode: true },
];

/** How machine_kexec calls cpu_soft_restart (kernel.s `SOFT_RESTART_ERA`). */
export type SoftRestartEra = 'v4.8' | 'v4.12' | 'v4.19' | 'v5.15';

const SOFT_RESTART_ERAS: readonly SoftRestartEra[] = ['v4.8', 'v4.12', 'v4.19', 'v5.15'];

/** The stub era of a short name; throws for an unknown one (a programming error). */
export function arm64StubEra(short: string): Arm64StubEra {
  const era = ARM64_STUB_ERAS.find((e) => e.short === short);
  if (era === undefined) throw new Error(`no arm64 hyp-stub era '${short}'`);
  return era;
}

/** The KVM era of a short name; throws for an unknown one (a programming error). */
export function arm64KvmEra(short: string): Arm64KvmEra {
  const era = ARM64_KVM_ERAS.find((e) => e.short === short);
  if (era === undefined) throw new Error(`no arm64 KVM era '${short}'`);
  return era;
}

/** A real image's stub as a reset scenario uses it. */
export interface Arm64ImageStub {
  /** Where the image installed it. */
  readonly installed: InstalledImageStub;
  /** The spec it implements (the trace names its calls by it). */
  readonly implements: string;
}

/** One kernel configuration to build a scenario from. */
export interface Arm64KernelConfig {
  /** Scenario name. */
  readonly name: string;
  /** One line. */
  readonly title: string;
  /** What happens after boot. */
  readonly path: RebootPath;
  /** The hyp-stub era. */
  readonly stub: Arm64StubEra;
  /** The KVM era, or `undefined` when KVM is not built in. */
  readonly kvm: Arm64KvmEra | undefined;
  /** Whether a VM has been created and a vCPU has run before the reboot. */
  readonly vm: ResetMatrixVm;
  /** machine_kexec's era. */
  readonly softRestart: SoftRestartEra;
  /** Whether a crash kernel can be loaded (crashkernel=, v4.12+). */
  readonly crashKernel: boolean;
  /** Whether kvm_reboot is registered (false: the test-harness variant whose KVM is not torn down). */
  readonly rebootNotifier: boolean;
  /** Whether a vCPU runs once more after kvm_reboot (the reboot race). */
  readonly vcpuRace: boolean;
  /** The exception level the boot loader enters the kernel at. */
  readonly bootMode: 'el2h' | 'el1h';
  /** The expected outcome. */
  readonly expected: OutcomeKind;
  /** Step budget (default 3000). */
  readonly maxSteps?: number;
  /** A real image's own stub, already in the machine's memory where the image installed it (instead of the era's assembly stub), and the spec it implements. */
  readonly imageStub?: Arm64ImageStub;
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

function flag(value: boolean): number {
  return value ? 1 : 0;
}

/** Where the configuration's stub vectors are: the image's, or the model's `__hyp_stub_vectors`. */
function stubVectors(config: Arm64KernelConfig): number {
  const base = config.imageStub?.installed.vectorBase ?? STUB_VECTORS;
  // KVM's EL2 code puts the stub back with one movz (bits 31:16): the vectors must be 64 KiB aligned below 4 GiB.
  if (base % 0x1_0000 !== 0 || base >= 2 ** 32) throw new Error(`${config.name}: stub vectors at 0x${base.toString(16)} are not a 64 KiB-aligned address below 4 GiB`);
  return base;
}

/** The `.equ` prelude of a configuration (every segment gets it). */
export function arm64Prelude(config: Arm64KernelConfig): string {
  const kvm = config.kvm;
  const lines: [string, number, string][] = [
    ['EVENT', EVENTS[config.path], `${config.path}: 0 kexec, 1 kdump, 2 idle`],
    ['SOFT_RESTART_ERA', SOFT_RESTART_ERAS.indexOf(config.softRestart), `machine_kexec of ${config.softRestart}`],
    ['CRASH_KERNEL', flag(config.crashKernel), config.crashKernel ? 'a crash kernel is loaded' : 'no crashkernel= reservation (before v4.12)'],
    ['CONFIG_KVM', flag(kvm !== undefined), kvm === undefined ? 'no KVM' : `${kvm.abi}, ${kvm.era}`],
    ['KVM_HOST_CALLS', flag(kvm?.hostCalls === 'smccc'), `host calls: ${kvm?.hostCalls ?? 'none'}`],
    ['KVM_PROTECTED', flag(kvm?.protectedMode === true), 'protected mode'],
    ['KVM_REBOOT_NOTIFIER', flag(config.rebootNotifier), config.rebootNotifier ? 'kvm_reboot registered' : 'KVM not torn down before kexec (test harness)'],
    ['VM_RUNNING', flag(config.vm === 'running'), config.vm === 'running' ? 'a VM has run' : 'no VM'],
    ['VCPU_RACE', flag(config.vcpuRace), 'a vCPU runs after kvm_reboot'],
    ['ARM_EXCEPTION_HYP_GONE', config.stub.hypGone, 'what the stub answers a kvm_call_hyp'],
    ['HVC_STUB_HCALL_NR', config.stub.stubHcallCount, 'stub calls are below it'],
    ['KERNEL_STACK_TOP', KERNEL_STACK_TOP, ''],
    ['HYP_STUB_VECTORS', stubVectors(config), config.imageStub === undefined ? '' : `${config.imageStub.installed.name}: the vectors the image installed`],
    ['HYP_STUB_VECTORS_HI', stubVectors(config) >>> 16, 'for movz ..., lsl #16'],
    ['KVM_VECTORS', KVM_VECTORS, ''],
    ['KVM_INIT_VECTORS', KVM_INIT_VECTORS, ''],
    ['KVM_VCPU_RUN', KVM_VCPU_RUN, ''],
    ['KVM_HYP_RESET', KVM_HYP_RESET, ''],
    ['HYP_STACK_TOP', HYP_STACK + HYP_STACK_BYTES, ''],
    ['HYP_PGD', HYP_PGD, ''],
    ['RELOCATE_CODE', RELOCATE_CODE, ''],
    ['KEXEC_START', KEXEC_START, ''],
    ['CRASH_START', CRASH_START, ''],
    ['DTB', DTB, ''],
  ];
  return [
    `// ${config.name}: the era prelude (arch/arm64/scenarios/kernel-image.ts)`,
    ...lines.map(([name, value, why]) => `        .equ    ${name}, ${hex(value)}${why === '' ? '' : `   // ${why}`}`),
    '',
  ].join('\n');
}

/** The files of the old kernel's image, in order. */
export function arm64KernelFiles(config: Arm64KernelConfig): readonly string[] {
  return ['kernel.s', config.stub.calls, 'kvm.s', 'kexec.s', 'kdump.s'];
}

const HERE = new URL('./', import.meta.url);

/** The text of an assembly file beside this module (read once). */
export function arm64ScenarioSource(file: string): string {
  return arm64FirmwareSource({ name: file, file, directory: HERE, implements: '', description: '' });
}

function kvmFirmware(kvm: Arm64KvmEra): Arm64AsmFirmware {
  return { name: kvm.file.replace(/\.s$/, ''), file: kvm.file, directory: HERE, implements: kvm.abi, description: `KVM's EL2 code, ${kvm.era}` };
}

function codeFirmware(firmware: Arm64AsmFirmware, base: number, prelude: string): ScenarioFirmware {
  return {
    kind: 'code',
    name: `asm:${firmware.name}`,
    implements: firmware.implements,
    base,
    install: (machine) => installArm64AsmFirmware(machine, firmware, base, prelude).symbols,
  };
}

/** Build the scenario of a configuration. */
export function arm64KernelScenario(config: Arm64KernelConfig): Scenario {
  const prelude = arm64Prelude(config);
  const files = arm64KernelFiles(config);
  const kernelSource = [prelude, ...files.map((file) => `// ---- ${file}\n${arm64ScenarioSource(file)}`)].join('\n');
  const entry = config.path === 'kdump' ? CRASH_START : KEXEC_START;
  // A real image's stub is in the machine's memory already, where the image put it; otherwise the era's assembly stub.
  const firmware: ScenarioFirmware[] = [
    config.imageStub === undefined
      ? codeFirmware(config.stub.asm, STUB_VECTORS, prelude)
      : { kind: 'code', name: config.imageStub.installed.name, implements: config.imageStub.implements, base: config.imageStub.installed.vectorBase, install: () => undefined },
  ];
  if (config.kvm !== undefined) firmware.push(codeFirmware(kvmFirmware(config.kvm), KVM_VECTORS, prelude));
  const errorExits = [
    { at: { segment: 'kernel', symbol: 'die' }, what: 'the old kernel died: an exception reached its EL1 vectors and no new kernel boots' },
    { at: { segment: 'kernel', symbol: 'panic_halt' }, what: 'panic() found no crash kernel (arm64 reserves none before v4.12): the machine halts' },
    { at: { segment: 'kernel', symbol: 'kvm_exit_fail_entry' }, what: 'KVM_RUN failed with KVM_EXIT_FAIL_ENTRY (9): EL2 had been reset to the hyp-stub under a running vCPU' },
  ];
  return {
    name: config.name,
    arch: 'arm64',
    title: config.title,
    segments: [
      { name: 'kernel', base: KERNEL_BASE, source: kernelSource, origin: files.map((f) => `arch/arm64/scenarios/${f}`).join(' + ') },
      { name: 'relocate', base: RELOCATE_CODE, source: arm64ScenarioSource('relocate.s'), origin: 'arch/arm64/scenarios/relocate.s' },
      { name: 'new-kernel', base: entry, source: arm64ScenarioSource('new-kernel.s'), origin: 'arch/arm64/scenarios/new-kernel.s' },
    ],
    regions: [
      { base: KERNEL_STACK_TOP - KERNEL_STACK_BYTES, size: KERNEL_STACK_BYTES, what: "the old kernel's init stack" },
      { base: HYP_STACK, size: HYP_STACK_BYTES, what: "KVM's EL2 stack" },
    ],
    firmware,
    entry: { at: { segment: 'kernel', symbol: 'stext' }, mode: config.bootMode },
    newKernel: { segment: 'new-kernel', symbol: 'new_kernel' },
    errorExits,
    caller: config.imageStub?.implements ?? config.stub.asm.implements,
    callers: config.kvm === undefined ? [] : [{ at: { segment: 'kernel', symbol: 'kvm_call_hyp' }, abi: config.kvm.abi }],
    maxSteps: config.maxSteps ?? 3000,
    expected: config.expected,
  };
}
