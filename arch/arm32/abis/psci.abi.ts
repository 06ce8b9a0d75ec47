/**
 * PSCI, the Arm Power State Coordination Interface, on 32-bit ARM: CPU and
 * system power calls with an SMC Calling Convention (SMCCC) function ID in
 * r0. A guest calls KVM with `hvc #0`; a host kernel calls its firmware with
 * `smc #0`. Before PSCI 0.2 fixed the IDs, KVM used private ones (0.1).
 *
 * Facts: ../shared/abi-facts.md §5 (torvalds/linux:include/linux/arm-smccc.h,
 * include/uapi/linux/psci.h, arch/arm/include/uapi/asm/kvm.h, KVM's psci.c).
 *
 * @module
 */

import { defineAbi, type Abi, type AbiExample, type AbiSpec, type CallContext, type CallSpec } from '../../../src/abi/spec.ts';
import { hexValue } from '../../../src/abi/value-set.ts';

// ---------------------------------------------------------------------------
// SMCCC function IDs (abi-facts §5.1)

/** SMCCC owning entities (bits 29:24 of a function ID), as `include/linux/arm-smccc.h` names them. */
export const SMCCC_OWNER = {
  /** Arm architecture calls (SMCCC_VERSION, ARCH_FEATURES, workarounds). */
  ARCH: 0,
  /** CPU service calls. */
  CPU: 1,
  /** Silicon-provider service calls. */
  SIP: 2,
  /** OEM service calls. */
  OEM: 3,
  /** Standard secure services: PSCI, TRNG, … */
  STANDARD: 4,
  /** Standard hypervisor services (PV time). */
  STANDARD_HYP: 5,
  /** Vendor-specific hypervisor services (KVM's own). */
  VENDOR_HYP: 6,
} as const;

/** The fields of an SMCCC function ID. */
export interface SmcccFunctionId {
  /** The ID as a 32-bit value. */
  readonly id: number;
  /** Bit 31: fast call (1) or yielding call (0). */
  readonly fast: boolean;
  /** Bit 30: the SMC64/HVC64 convention (1) or SMC32/HVC32 (0). */
  readonly smc64: boolean;
  /** Bits 29:24: the owning entity. */
  readonly owner: number;
  /** The owner's name: a key of {@link SMCCC_OWNER}, `TRUSTED_APP` (48–49), `TRUSTED_OS` (50–63) or `reserved`. */
  readonly ownerName: string;
  /** Bits 15:0: the function number. */
  readonly number: number;
}

/** The name of an SMCCC owner number. */
export function smcccOwnerName(owner: number): string {
  const named = Object.entries(SMCCC_OWNER).find(([, value]) => value === owner);
  if (named !== undefined) return named[0];
  if (owner >= 48 && owner <= 49) return 'TRUSTED_APP';
  if (owner >= 50 && owner <= 63) return 'TRUSTED_OS';
  return 'reserved';
}

/**
 * Split an SMCCC function ID into its fields: fast bit 31, calling convention
 * bit 30, owner bits 29:24, function number bits 15:0 (arm-smccc.h:
 * `ARM_SMCCC_TYPE_SHIFT` 31, `ARM_SMCCC_CALL_CONV_SHIFT` 30,
 * `ARM_SMCCC_OWNER_SHIFT` 24, `ARM_SMCCC_FUNC_MASK` 0xffff). Bits 23:16 are
 * not decoded (bit 16 is the SMCCC 1.3 SVE hint; 23:17 are UNCONFIRMED,
 * abi-facts Appendix A.7).
 */
export function decodeSmcccFunctionId(id: bigint | number): SmcccFunctionId {
  const value = Number(BigInt.asUintN(32, BigInt(id)));
  const owner = (value >>> 24) & 0x3f;
  return { id: value, fast: (value >>> 31) === 1, smc64: ((value >>> 30) & 1) === 1, owner, ownerName: smcccOwnerName(owner), number: value & 0xffff };
}

/** Compose an SMCCC function ID: `(fast << 31) | (smc64 << 30) | (owner << 24) | number` (abi-facts §5.1). */
export function smcccFunctionId(fields: { readonly fast: boolean; readonly smc64: boolean; readonly owner: number; readonly number: number }): bigint {
  return (BigInt(fields.fast ? 1 : 0) << 31n) | (BigInt(fields.smc64 ? 1 : 0) << 30n) | (BigInt(fields.owner & 0x3f) << 24n) | BigInt(fields.number & 0xffff);
}

/** One line about a function ID, e.g. `0x84000003: fast SMC32 call, owner STANDARD (4), function 3`. */
export function describeSmcccFunctionId(id: bigint | number): string {
  const f = decodeSmcccFunctionId(id);
  return `${hexValue(BigInt(f.id))}: ${f.fast ? 'fast' : 'yielding'} ${f.smc64 ? 'SMC64/HVC64' : 'SMC32/HVC32'} call, owner ${f.ownerName} (${f.owner}), function ${f.number}`;
}

// ---------------------------------------------------------------------------
// PSCI constants (abi-facts §5.3, torvalds/linux:include/uapi/linux/psci.h @0f1cd81d)

/** `PSCI_0_2_FN_BASE`: fast, SMC32, owner STANDARD. */
export const PSCI_0_2_FN_BASE = 0x8400_0000n;
/** `PSCI_0_2_64BIT`: added to an ID for its SMC64 variant. */
export const PSCI_0_2_64BIT = 0x4000_0000n;
/** `KVM_PSCI_FN_BASE`: KVM's private PSCI 0.1 IDs (arch/arm/include/uapi/asm/kvm.h). */
export const KVM_PSCI_FN_BASE = 0x95c1_ba5en;

/** PSCI return values (`PSCI_RET_*`), signed. */
export const PSCI_RET = {
  /** The call did what was asked. */
  SUCCESS: 0n,
  /** No such function (also SMCCC's answer to an unknown ID). */
  NOT_SUPPORTED: -1n,
  /** A bad argument, e.g. an MPIDR that names no CPU. */
  INVALID_PARAMS: -2n,
  /** Not allowed. */
  DENIED: -3n,
  /** CPU_ON on a CPU that is on. */
  ALREADY_ON: -4n,
  /** CPU_ON on a CPU that is being powered on. */
  ON_PENDING: -5n,
  /** The implementation failed. */
  INTERNAL_FAILURE: -6n,
  /** The target is not present. */
  NOT_PRESENT: -7n,
  /** The target is disabled. */
  DISABLED: -8n,
  /** A bad entry-point address. */
  INVALID_ADDRESS: -9n,
} as const;

/** AFFINITY_INFO results (`PSCI_0_2_AFFINITY_LEVEL_*`). */
export const PSCI_AFFINITY_LEVEL = {
  /** At least one CPU of the affinity instance is on. */
  ON: 0n,
  /** Every CPU of it is off. */
  OFF: 1n,
  /** A CPU of it is being powered on. */
  ON_PENDING: 2n,
} as const;

/** MIGRATE_INFO_TYPE results (`PSCI_0_2_TOS_*`). */
export const PSCI_TOS = {
  /** A uniprocessor Trusted OS that can migrate. */
  UP_MIGRATE: 0n,
  /** A uniprocessor Trusted OS that cannot migrate. */
  UP_NO_MIGRATE: 1n,
  /** No Trusted OS needs migrating (multiprocessor or none). */
  MP: 2n,
} as const;

/** A PSCI version word: `major << 16 | minor` (`PSCI_VERSION_MAJOR_SHIFT` 16). */
export function psciVersion(major: number, minor: number): bigint {
  return (BigInt(major) << 16n) | BigInt(minor);
}

/** The version the modelled implementation reports: 1.0, KVM's `KVM_ARM_PSCI_LATEST` while KVM/arm32 existed (v4.16–v5.6). */
export const MODELLED_PSCI_VERSION = psciVersion(1, 0);

/** One PSCI function: its number, the Linux macro names of its IDs and the version that added it. */
export interface PsciFunction {
  /** Function number (bits 15:0). */
  readonly number: number;
  /** The PSCI name, e.g. `CPU_ON`. */
  readonly name: string;
  /** PSCI version that added it. */
  readonly since: '0.2' | '1.0' | '1.1';
  /** Whether it has an SMC64 variant. */
  readonly smc64: boolean;
}

/** The PSCI functions with IDs confirmed in psci.h (abi-facts §5.3); 1.x numbers seen only in patches are left out. */
export const PSCI_FUNCTIONS: readonly PsciFunction[] = [
  { number: 0, name: 'PSCI_VERSION', since: '0.2', smc64: false },
  { number: 1, name: 'CPU_SUSPEND', since: '0.2', smc64: true },
  { number: 2, name: 'CPU_OFF', since: '0.2', smc64: false },
  { number: 3, name: 'CPU_ON', since: '0.2', smc64: true },
  { number: 4, name: 'AFFINITY_INFO', since: '0.2', smc64: true },
  { number: 5, name: 'MIGRATE', since: '0.2', smc64: true },
  { number: 6, name: 'MIGRATE_INFO_TYPE', since: '0.2', smc64: false },
  { number: 7, name: 'MIGRATE_INFO_UP_CPU', since: '0.2', smc64: true },
  { number: 8, name: 'SYSTEM_OFF', since: '0.2', smc64: false },
  { number: 9, name: 'SYSTEM_RESET', since: '0.2', smc64: false },
  { number: 10, name: 'PSCI_FEATURES', since: '1.0', smc64: false },
  { number: 14, name: 'SYSTEM_SUSPEND', since: '1.0', smc64: true },
  { number: 18, name: 'SYSTEM_RESET2', since: '1.1', smc64: true },
];

/** The SMC32 ID of a PSCI function. */
export function psciFunctionId(fn: PsciFunction, smc64 = false): bigint {
  return PSCI_0_2_FN_BASE + (smc64 ? PSCI_0_2_64BIT : 0n) + BigInt(fn.number);
}

/** The Linux macro name of an ID, e.g. `PSCI_0_2_FN_CPU_ON`, `PSCI_0_2_FN64_CPU_ON`, `PSCI_1_0_FN_PSCI_FEATURES`. */
export function psciMacroName(fn: PsciFunction, smc64 = false): string {
  return `PSCI_${fn.since.replace('.', '_')}_FN${smc64 ? '64' : ''}_${fn.name}`;
}

// ---------------------------------------------------------------------------
// The model

/** CPUs in the modelled machine: MPIDR affinity 0.0.0 to 0.0.3; the caller is CPU 0, the others are off. */
export const PSCI_MODEL_CPUS = 4;

/** `MPIDR_HWID_BITMASK` on 32-bit ARM: the affinity fields Aff2:Aff0. */
const MPIDR_HWID_BITMASK = 0xff_ffffn;

/** A signed 32-bit result as r0 holds it. */
function r0Value(value: bigint): bigint {
  return BigInt.asUintN(32, value);
}

function returning(value: bigint): (call: CallContext) => { kind: 'return' } {
  return (call) => {
    call.set('r0', r0Value(value));
    return { kind: 'return' };
  };
}

/** CPU_ON in the model: CPU 0 (the caller) is on, CPUs 1–3 are off, no other MPIDR exists. */
function cpuOn(alreadyOn: bigint): (call: CallContext) => { kind: 'return' } {
  return (call) => {
    const target = BigInt.asUintN(32, call.get('r1')) & MPIDR_HWID_BITMASK;
    const result = target >= BigInt(PSCI_MODEL_CPUS) ? PSCI_RET.INVALID_PARAMS : target === 0n ? alreadyOn : PSCI_RET.SUCCESS;
    call.set('r0', r0Value(result));
    return { kind: 'return' };
  };
}

/** AFFINITY_INFO in the model: ON when the (masked) target affinity covers CPU 0, the only CPU that is on. */
function affinityInfo(call: CallContext): { kind: 'return' } {
  const level = BigInt.asUintN(32, call.get('r2'));
  if (level > 3n) {
    call.set('r0', r0Value(PSCI_RET.INVALID_PARAMS));
    return { kind: 'return' };
  }
  // Affinity fields below the lowest level are ignored (KVM: psci_affinity_mask).
  const mask = MPIDR_HWID_BITMASK & ~((1n << (8n * level)) - 1n);
  const target = BigInt.asUintN(32, call.get('r1')) & mask;
  call.set('r0', target === 0n ? PSCI_AFFINITY_LEVEL.ON : PSCI_AFFINITY_LEVEL.OFF);
  return { kind: 'return' };
}

/** The functions the model implements (PSCI_FEATURES answers SUCCESS for exactly these IDs). */
const IMPLEMENTED = new Set(['PSCI_VERSION', 'CPU_SUSPEND', 'CPU_OFF', 'CPU_ON', 'AFFINITY_INFO', 'MIGRATE_INFO_TYPE', 'SYSTEM_OFF', 'SYSTEM_RESET', 'PSCI_FEATURES']);
const IMPLEMENTED_IDS = new Set(PSCI_FUNCTIONS.filter((f) => IMPLEMENTED.has(f.name)).map((f) => psciFunctionId(f)));

/** The SMC32 call of one function in the modelled PSCI 1.0. */
function smc32Call(fn: PsciFunction): CallSpec {
  const id = psciFunctionId(fn);
  const base = { name: psciMacroName(fn), select: id, meaning: `psci-${fn.name.toLowerCase()}` };
  const decoded = describeSmcccFunctionId(id);
  const doesNotReturn = (what: string): CallSpec => ({
    ...base,
    summary: `${what}; does not return to the caller on success (${decoded})`,
    noReturn: true,
    // No CallOutcome says "the caller stops": the model returns with the registers untouched, and noReturn records that the real call never comes back.
    run: () => ({ kind: 'return' }),
  });
  switch (fn.name) {
    case 'PSCI_VERSION':
      return { ...base, summary: `r0 ← the PSCI version, ${hexValue(MODELLED_PSCI_VERSION)} (1.0) (${decoded})`, results: [{ register: 'r0', role: 'version (major << 16 | minor)' }], run: returning(MODELLED_PSCI_VERSION) };
    case 'CPU_SUSPEND':
      return {
        ...base,
        summary: `suspend this CPU; KVM treats it as a WFI, which the model wakes at once: r0 ← SUCCESS (${decoded})`,
        args: [
          { register: 'r1', role: 'power_state' },
          { register: 'r2', role: 'entry_point_address' },
          { register: 'r3', role: 'context_id' },
        ],
        results: [{ register: 'r0', role: 'PSCI_RET' }],
        run: returning(PSCI_RET.SUCCESS),
      };
    case 'CPU_OFF':
      return doesNotReturn('power this CPU off (it stays off until another CPU_ON)');
    case 'CPU_ON':
      return {
        ...base,
        summary: `power a CPU on at entry_point_address: SUCCESS for CPUs 1–${PSCI_MODEL_CPUS - 1}, ALREADY_ON for CPU 0 (the caller), INVALID_PARAMS for an MPIDR that does not exist (${decoded})`,
        args: [
          { register: 'r1', role: 'target_cpu (MPIDR)' },
          { register: 'r2', role: 'entry_point_address' },
          { register: 'r3', role: 'context_id' },
        ],
        results: [{ register: 'r0', role: 'PSCI_RET' }],
        run: cpuOn(PSCI_RET.ALREADY_ON),
      };
    case 'AFFINITY_INFO':
      return {
        ...base,
        summary: `r0 ← ON (0) when target_affinity (masked below lowest_affinity_level) includes CPU 0, else OFF (1); INVALID_PARAMS for a level above 3 (${decoded})`,
        args: [
          { register: 'r1', role: 'target_affinity (MPIDR)' },
          { register: 'r2', role: 'lowest_affinity_level' },
        ],
        results: [{ register: 'r0', role: 'affinity state or PSCI_RET' }],
        run: affinityInfo,
      };
    case 'MIGRATE_INFO_TYPE':
      return { ...base, summary: `r0 ← 2 (PSCI_0_2_TOS_MP): no Trusted OS needs migrating (${decoded})`, results: [{ register: 'r0', role: 'PSCI_0_2_TOS_*' }], run: returning(PSCI_TOS.MP) };
    case 'SYSTEM_OFF':
      return doesNotReturn('power the system off (KVM: exit to the VMM with KVM_SYSTEM_EVENT_SHUTDOWN)');
    case 'SYSTEM_RESET':
      return doesNotReturn('reset the system (KVM: exit to the VMM with KVM_SYSTEM_EVENT_RESET)');
    case 'PSCI_FEATURES':
      return {
        ...base,
        summary: `r0 ← SUCCESS when r1 is the ID of a function the model implements, else NOT_SUPPORTED (${decoded})`,
        args: [{ register: 'r1', role: 'psci_func_id' }],
        results: [{ register: 'r0', role: 'PSCI_RET or feature flags' }],
        run: (call) => {
          const asked = BigInt.asUintN(32, call.get('r1'));
          call.set('r0', r0Value(IMPLEMENTED_IDS.has(asked) ? PSCI_RET.SUCCESS : PSCI_RET.NOT_SUPPORTED));
          return { kind: 'return' };
        },
      };
    default:
      return {
        ...base,
        summary: `PSCI ${fn.since} ${fn.name}, not implemented by the modelled PSCI 1.0 (KVM v4.16–v5.6): r0 ← NOT_SUPPORTED (${decoded})`,
        results: [{ register: 'r0', role: 'NOT_SUPPORTED' }],
        run: returning(PSCI_RET.NOT_SUPPORTED),
      };
  }
}

/** The SMC64 call of one function: never available to an AArch32 caller. */
function smc64Call(fn: PsciFunction): CallSpec {
  const id = psciFunctionId(fn, true);
  return {
    name: psciMacroName(fn, true),
    select: id,
    summary: `the SMC64 ${fn.name}: a 32-bit caller may not use the 64-bit convention, r0 ← NOT_SUPPORTED (${describeSmcccFunctionId(id)})`,
    results: [{ register: 'r0', role: 'NOT_SUPPORTED' }],
    meaning: `psci-${fn.name.toLowerCase()}-smc64`,
    run: returning(PSCI_RET.NOT_SUPPORTED),
  };
}

const PSCI_0_2_CALLS: readonly CallSpec[] = [
  ...PSCI_FUNCTIONS.map(smc32Call),
  ...PSCI_FUNCTIONS.filter((f) => f.smc64).map(smc64Call),
  {
    name: 'unknown',
    select: 'otherwise',
    summary: 'any other function ID: r0 ← NOT_SUPPORTED (-1), as SMCCC requires for an unknown ID',
    results: [{ register: 'r0', role: 'NOT_SUPPORTED' }],
    meaning: 'smccc-not-supported',
    run: returning(PSCI_RET.NOT_SUPPORTED),
  },
];

const PSCI_0_2_SOURCE = 'torvalds/linux:include/uapi/linux/psci.h @0f1cd81d (IDs, PSCI_RET_*); include/linux/arm-smccc.h (ID fields); include/kvm/arm_psci.h (KVM_ARM_PSCI_LATEST = KVM_ARM_PSCI_1_0 before the 1.1 update); KVM psci.c (kvm_psci_vcpu_on, kvm_psci_check_allowed_function)';

const PSCI_0_2_NOTES: readonly string[] = [
  'Function IDs follow SMCCC: bit 31 fast, bit 30 SMC64, bits 29:24 owner (4 = STANDARD), bits 15:0 the function number. Each call summary shows the decoding.',
  `The model is PSCI ${hexValue(MODELLED_PSCI_VERSION)} (1.0), the version KVM reports by default while KVM/arm32 existed (KVM_ARM_PSCI_LATEST, v4.16–v5.6); PSCI 1.1 later became KVM's default on arm64.`,
  `Deterministic machine: ${PSCI_MODEL_CPUS} CPUs with MPIDR affinity 0.0.0–0.0.3, the caller is CPU 0 and every other CPU is off at every call (the spec keeps no state). CPU_ON compares target_cpu & MPIDR_HWID_BITMASK with those; the entry point is not checked (KVM does not check it).`,
  'CPU_OFF, SYSTEM_OFF and SYSTEM_RESET are marked noReturn: on success the caller never resumes. A spec outcome cannot say "the caller stops", so their semantics return with the registers untouched; whoever runs the spec must treat noReturn as the end of the caller.',
  'SMC64 IDs (0xC4…) from an AArch32 caller answer NOT_SUPPORTED: KVM refuses them for 32-bit guests (kvm_psci_check_allowed_function), and SMCCC offers the 64-bit convention to AArch64 callers only.',
  'PSCI 1.x function numbers seen only in patch text (11–13, 15–17, 19–21; abi-facts Appendix A.8) are left to the otherwise call.',
];

const PSCI_0_2_EXAMPLES: readonly AbiExample[] = [
  { title: 'the kernel asks for the PSCI version', registers: { r0: 0x8400_0000n }, call: 'PSCI_0_2_FN_PSCI_VERSION' },
  { title: 'bring up CPU 1 at 0x80008000', registers: { r0: 0x8400_0003n, r1: 1n, r2: 0x8000_8000n }, call: 'PSCI_0_2_FN_CPU_ON' },
  { title: 'power the system off', registers: { r0: 0x8400_0008n }, call: 'PSCI_0_2_FN_SYSTEM_OFF' },
  { title: 'a 64-bit ID from a 32-bit caller', registers: { r0: 0xc400_0003n }, call: 'PSCI_0_2_FN64_CPU_ON' },
  { title: 'an ID nobody implements', registers: { r0: 0x8400_0042n }, call: 'unknown' },
];

const psciCommon = {
  family: 'psci',
  arch: 'arm32',
  selector: { register: 'r0', width: 32 },
  priority: 0,
} as const satisfies Partial<AbiSpec>;

/** PSCI 0.2+ over `hvc #0`: a guest kernel calling KVM. */
export const PSCI_V0_2_HVC: Abi = defineAbi({
  ...psciCommon,
  id: 'psci-v0.2-hvc',
  era: 'PSCI 0.2+ IDs (reports 1.0), over HVC',
  status: 'mainline',
  purpose:
    'CPU and system power management for a guest under KVM: the guest kernel finds PSCI with method "hvc" in its device tree and calls the hypervisor with the standard SMCCC function IDs (PSCI 0.2 and later).',
  source: { document: PSCI_0_2_SOURCE, version: 'v4.16–v5.6 (KVM/arm32 with PSCI 1.0)' },
  conduit: { instruction: 'hvc', imm: 0n },
  // KVM implements PSCI for its guests (VMID ≠ 0); from the host, hvc #0 reaches the hyp-stub or KVM's host ABI instead.
  origin: { privilege: ['kernel'], world: ['guest'] },
  calls: PSCI_0_2_CALLS,
  examples: PSCI_0_2_EXAMPLES,
  notes: [
    'Only guests use this conduit: KVM handles an HVC from VMID ≠ 0 as a guest exit and runs PSCI for it. The host kernel reaches its own firmware with SMC (psci-v0.2-smc).',
    'SMCCC calls use hvc #0; KVM answers a non-zero immediate with NOT_SUPPORTED in later releases, so the model answers only immediate 0.',
    ...PSCI_0_2_NOTES,
  ],
});

/** PSCI 0.2+ over `smc #0`: a host kernel calling the platform firmware. */
export const PSCI_V0_2_SMC: Abi = defineAbi({
  ...psciCommon,
  id: 'psci-v0.2-smc',
  era: 'PSCI 0.2+ IDs (reports 1.0), over SMC',
  status: 'mainline',
  purpose:
    'CPU and system power management for a kernel running on the hardware: with method "smc" in its device tree the kernel calls the secure firmware (the PSCI implementation in the monitor) with the same SMCCC function IDs.',
  source: { document: PSCI_0_2_SOURCE, version: 'PSCI 0.2+ (the same function table as psci-v0.2-hvc)' },
  conduit: { instruction: 'smc', imm: 0n },
  // The host kernel owns the hardware and talks to firmware; a guest's SMC would be trapped by the hypervisor (HCR.TSC), not answered by firmware.
  origin: { privilege: ['kernel'], world: ['host'] },
  calls: PSCI_0_2_CALLS,
  examples: PSCI_0_2_EXAMPLES,
  notes: [
    'Firmware is reached from the host kernel: SMC is UNDEFINED at PL0, and a guest SMC is trapped to Hyp (HCR.TSC) before any firmware sees it.',
    "The semantics are the same table as psci-v0.2-hvc so that the two conduits compare call by call; a real firmware (e.g. one that implements SYSTEM_SUSPEND or MIGRATE) may answer more calls than KVM's PSCI 1.0.",
    ...PSCI_0_2_NOTES,
  ],
});

/** KVM's PSCI 0.1: private IDs from `KVM_PSCI_FN_BASE`, over `hvc #0` from a guest. */
export const KVM_PSCI_V0_1: Abi = defineAbi({
  ...psciCommon,
  id: 'kvm-psci-v0.1',
  era: 'PSCI 0.1 (KVM-private IDs)',
  status: 'removed',
  purpose:
    'The PSCI KVM offered before PSCI 0.2 standardised function IDs: four calls with KVM-private IDs from 0x95c1ba5e, advertised to the guest in its device tree ("arm,psci" with cpu_on/cpu_off properties). KVM implements only CPU_OFF and CPU_ON.',
  source: {
    document:
      'torvalds/linux:arch/arm/include/uapi/asm/kvm.h and arch/arm64/include/uapi/asm/kvm.h (KVM_PSCI_FN_BASE 0x95c1ba5e, KVM_PSCI_FN(n)); KVM psci.c kvm_psci_0_1_call (CPU_OFF and CPU_ON only) and kvm_psci_vcpu_on (INVALID_PARAMS, not ALREADY_ON, for an online CPU under 0.1)',
    version: 'v3.9',
    note: 'Which other HVCs a PSCI 0.1 guest may make is KVM-version dependent (early KVM injected an undefined instruction, later ones answer NOT_SUPPORTED); the spec claims only the four 0.1 IDs.',
  },
  conduit: { instruction: 'hvc', imm: 0n },
  origin: { privilege: ['kernel'], world: ['guest'] },
  calls: [
    {
      name: 'KVM_PSCI_FN_CPU_SUSPEND',
      select: KVM_PSCI_FN_BASE,
      summary: 'suspend this CPU: not implemented by KVM, r0 ← NOT_SUPPORTED',
      args: [{ register: 'r1', role: 'power_state' }],
      results: [{ register: 'r0', role: 'NOT_SUPPORTED' }],
      meaning: 'psci-cpu_suspend',
      run: returning(PSCI_RET.NOT_SUPPORTED),
    },
    {
      name: 'KVM_PSCI_FN_CPU_OFF',
      select: KVM_PSCI_FN_BASE + 1n,
      summary: 'power this CPU off; does not return to the caller',
      noReturn: true,
      meaning: 'psci-cpu_off',
      run: () => ({ kind: 'return' }),
    },
    {
      name: 'KVM_PSCI_FN_CPU_ON',
      select: KVM_PSCI_FN_BASE + 2n,
      summary: `power a CPU on at the entry point: SUCCESS for CPUs 1–${PSCI_MODEL_CPUS - 1}; INVALID_PARAMS for CPU 0 (already on: 0.1 has no ALREADY_ON) or an MPIDR that does not exist`,
      args: [
        { register: 'r1', role: 'target_cpu (MPIDR)' },
        { register: 'r2', role: 'entry_point_address' },
      ],
      results: [{ register: 'r0', role: 'PSCI_RET' }],
      meaning: 'psci-cpu_on',
      run: cpuOn(PSCI_RET.INVALID_PARAMS),
    },
    {
      name: 'KVM_PSCI_FN_MIGRATE',
      select: KVM_PSCI_FN_BASE + 3n,
      summary: 'migrate a Trusted OS: not implemented by KVM, r0 ← NOT_SUPPORTED',
      args: [{ register: 'r1', role: 'target_cpu' }],
      results: [{ register: 'r0', role: 'NOT_SUPPORTED' }],
      meaning: 'psci-migrate',
      run: returning(PSCI_RET.NOT_SUPPORTED),
    },
  ],
  examples: [
    { title: 'bring up CPU 1', registers: { r0: KVM_PSCI_FN_BASE + 2n, r1: 1n, r2: 0x8000_8000n }, call: 'KVM_PSCI_FN_CPU_ON' },
    { title: 'power this CPU off', registers: { r0: KVM_PSCI_FN_BASE + 1n }, call: 'KVM_PSCI_FN_CPU_OFF' },
  ],
  notes: [
    `The IDs are KVM_PSCI_FN_BASE + n (${hexValue(KVM_PSCI_FN_BASE)}…${hexValue(KVM_PSCI_FN_BASE + 3n)}): not SMCCC IDs (${describeSmcccFunctionId(KVM_PSCI_FN_BASE)}), which is why PSCI 0.2 replaced them.`,
    `Same deterministic machine as psci-v0.2-hvc: ${PSCI_MODEL_CPUS} CPUs, the caller is CPU 0, the others are off.`,
  ],
});

/** Every PSCI spec. */
export const PSCI_ABIS: readonly Abi[] = [KVM_PSCI_V0_1, PSCI_V0_2_HVC, PSCI_V0_2_SMC];
