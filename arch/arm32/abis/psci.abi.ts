/**
 * PSCI, the Arm Power State Coordination Interface, on 32-bit ARM: CPU and
 * system power calls with an SMC Calling Convention (SMCCC) function ID in
 * r0, plus the SMCCC 1.1 architecture calls that share the conduit. A guest
 * calls KVM with `hvc`; a host kernel calls its firmware with `smc #0`.
 * Before PSCI 0.2 fixed the IDs, KVM used private ones (0.1).
 *
 * The calls model behaviour, not just dispatch: the power state of every
 * vCPU of a fixed machine ({@link PSCI_MODEL_CPUS} vCPUs) lives in the
 * call's hypervisor state (`CallContext.state`), so CPU_ON of a CPU that is
 * on answers ALREADY_ON, CPU_OFF makes AFFINITY_INFO answer OFF, and
 * SYSTEM_OFF powers every vCPU down.
 *
 * Facts: ../shared/abi-facts.md §5 (torvalds/linux:include/linux/arm-smccc.h,
 * include/uapi/linux/psci.h, arch/arm/include/uapi/asm/kvm.h, KVM's psci.c
 * and hypercalls.c, arch/arm/kvm/hyp/hyp-entry.S).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type AbiExample, type AbiSpec, type CallContext, type CallSpec, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { hexValue } from '../../../src/abi/value-set.ts';
import { R0, R1, R2, R3, VMPIDR } from './spec-registers.ts';

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
 * abi-facts Appendix A.6).
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

/** The PSCI functions with IDs confirmed in psci.h (abi-facts §5.3; 15, SET_SUSPEND_MODE, is in the v5.7 tree's psci.h:52); 1.x numbers seen only in patches are left out. */
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
  { number: 15, name: 'SET_SUSPEND_MODE', since: '1.0', smc64: false },
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
// SMCCC architecture calls (abi-facts §5.2, torvalds/linux:include/linux/arm-smccc.h @0441bfe7)

/** `ARM_SMCCC_VERSION_FUNC_ID`: fast, SMC32, owner ARCH, function 0. */
export const ARM_SMCCC_VERSION_FUNC_ID = 0x8000_0000n;
/** `ARM_SMCCC_ARCH_FEATURES_FUNC_ID`: is an SMCCC architecture call implemented? */
export const ARM_SMCCC_ARCH_FEATURES_FUNC_ID = 0x8000_0001n;
/** `ARM_SMCCC_ARCH_WORKAROUND_1`: the Spectre-v2 branch-predictor invalidation. */
export const ARM_SMCCC_ARCH_WORKAROUND_1 = 0x8000_8000n;
/** `ARM_SMCCC_ARCH_WORKAROUND_2`: the Spectre-v4 (SSBD) mitigation switch. */
export const ARM_SMCCC_ARCH_WORKAROUND_2 = 0x8000_7fffn;
/** `ARM_SMCCC_VERSION_1_1`: what KVM answers SMCCC_VERSION with (v4.16+). */
export const ARM_SMCCC_VERSION_1_1 = 0x1_0001n;

/** SMCCC return values (`SMCCC_RET_*`), signed. */
export const SMCCC_RET = {
  /** Done, or implemented. */
  SUCCESS: 0n,
  /** Not implemented. */
  NOT_SUPPORTED: -1n,
  /** Implemented, but this PE does not need it. */
  NOT_REQUIRED: -2n,
  /** A bad argument. */
  INVALID_PARAMETER: -3n,
} as const;

/** HSR for an A32 `hvc #imm` (ARM ARM B3.13.6): EC 0x12, IL 1, ISS the 16-bit immediate. */
function hvcSyndrome(imm: number): number {
  return ((0x12 << 26) | (1 << 25) | (imm & 0xffff)) >>> 0;
}

/** A 32-bit value as r0–r3 hold it (negative results two's complement): what semantics write with `setU32`. */
function word(value: bigint): number {
  return Number(BigInt.asUintN(32, value));
}

// ---------------------------------------------------------------------------
// The machine the calls act on

/** vCPUs of the modelled VM (and CPUs of the modelled machine, for SMC): a fixed four, MPIDR affinity 0.0.0 to 0.0.3. */
export const PSCI_MODEL_CPUS = 4;

/** `MPIDR_HWID_BITMASK` on 32-bit ARM: the affinity fields Aff2:Aff0 (arch/arm/include/asm/cputype.h:50). */
const MPIDR_HWID_BITMASK = 0xff_ffff;

/** The MPIDR affinity KVM/arm32 gives vCPU `n` (coproc.c reset_mpidr): Aff0 = n & 3, Aff1 = n >> 2. */
export function psciVcpuMpidr(n: number): bigint {
  return (BigInt(n >> 2) << 8n) | BigInt(n & 3);
}

/** {@link psciVcpuMpidr} of every vCPU, as numbers. */
const VCPU_MPIDRS: readonly number[] = Array.from({ length: PSCI_MODEL_CPUS }, (_, n) => Number(psciVcpuMpidr(n)));

/** The vCPU whose MPIDR affinity is `mpidr` (affinity bits only), or `undefined`: KVM's kvm_mpidr_to_vcpu. */
function vcpuOf(mpidr: number): number | undefined {
  const affinity = mpidr & MPIDR_HWID_BITMASK;
  for (let n = 0; n < PSCI_MODEL_CPUS; n++) if (VCPU_MPIDRS[n] === affinity) return n;
  return undefined;
}

/**
 * The state key of vCPU `n`'s power state: {@link PSCI_AFFINITY_LEVEL}.ON (0)
 * or .OFF (1). Before any call, vCPU 0 is on and the others are off (a guest
 * boots on its first vCPU; KVM creates the others with KVM_ARM_VCPU_POWER_OFF).
 */
export function psciPowerKey(n: number): string {
  return `psci.vcpu${n}.power`;
}

/** The state key of vCPU `n`'s entry point, as the last successful CPU_ON gave it. */
export function psciEntryKey(n: number): string {
  return `psci.vcpu${n}.entry`;
}

/** The state key of vCPU `n`'s context ID (its r0 when it starts), as the last successful CPU_ON gave it. */
export function psciContextKey(n: number): string {
  return `psci.vcpu${n}.context_id`;
}

/** {@link psciPowerKey} of every vCPU, made once: the caller's key is set on every call. */
const POWER_KEYS: readonly string[] = Array.from({ length: PSCI_MODEL_CPUS }, (_, n) => psciPowerKey(n));
/** {@link psciEntryKey} and {@link psciContextKey} of every vCPU, made once. */
const ENTRY_KEYS: readonly string[] = Array.from({ length: PSCI_MODEL_CPUS }, (_, n) => psciEntryKey(n));
const CONTEXT_KEYS: readonly string[] = Array.from({ length: PSCI_MODEL_CPUS }, (_, n) => psciContextKey(n));

/** The state key of the system event SYSTEM_OFF or SYSTEM_RESET asked the VMM for: `KVM_SYSTEM_EVENT_SHUTDOWN` (1) or `_RESET` (2). */
export const PSCI_SYSTEM_EVENT_KEY = 'psci.system_event';

/** `KVM_SYSTEM_EVENT_SHUTDOWN` and `KVM_SYSTEM_EVENT_RESET` (uapi linux/kvm.h). */
export const KVM_SYSTEM_EVENT = {
  /** The guest asked to power off (SYSTEM_OFF). */
  SHUTDOWN: 1n,
  /** The guest asked to reset (SYSTEM_RESET). */
  RESET: 2n,
} as const;

/** vCPU `n`'s power state: the live machine's where the call has one (`call.vcpus`), else the model's in the call's state. */
function powerOf(call: CallContext, n: number): bigint {
  const vcpus = call.vcpus;
  if (vcpus !== undefined) return vcpus.isOn(n) ? PSCI_AFFINITY_LEVEL.ON : PSCI_AFFINITY_LEVEL.OFF;
  return call.state.get(POWER_KEYS[n]!, n === 0 ? PSCI_AFFINITY_LEVEL.ON : PSCI_AFFINITY_LEVEL.OFF);
}

/** The vCPU the target MPIDR names among the machine's: `vcpuOf`, limited to the live machine's vCPUs where the call has them. */
function targetOf(call: CallContext, mpidr: number): number | undefined {
  const n = vcpuOf(mpidr);
  return n !== undefined && call.vcpus !== undefined && n >= call.vcpus.count ? undefined : n;
}

/**
 * The calling vCPU: the one the caller's VMPIDR names (the `vmpidr`
 * register, the MPIDR the guest reads; unset, it is 0, vCPU 0), or the live
 * machine's calling vCPU (`call.vcpus.self`). A vCPU that traps is running,
 * so the model records it as on.
 */
function callerOf(call: CallContext): number | undefined {
  const n = call.vcpus?.self ?? vcpuOf(call.u32(VMPIDR));
  if (n !== undefined) call.state.set(POWER_KEYS[n]!, PSCI_AFFINITY_LEVEL.ON);
  return n;
}

/** r0 ← a result, as a 32-bit word (see {@link word}). */
function answer(call: CallContext, result: number): ReturnOutcome {
  call.setU32(R0, result);
  return RETURN;
}

/** Semantics that answer `value` (a signed PSCI or SMCCC result), converted once. */
function returning(value: bigint): (call: CallContext) => ReturnOutcome {
  const result = word(value);
  return (call) => answer(call, result);
}

/** PSCI_RET as the words r0 gets. */
const RET = {
  SUCCESS: word(PSCI_RET.SUCCESS),
  NOT_SUPPORTED: word(PSCI_RET.NOT_SUPPORTED),
  INVALID_PARAMS: word(PSCI_RET.INVALID_PARAMS),
  INTERNAL_FAILURE: word(PSCI_RET.INTERNAL_FAILURE),
} as const;

/**
 * CPU_ON (kvm_psci_vcpu_on): the target is `r1 & MPIDR_HWID_BITMASK`. No such
 * vCPU → INVALID_PARAMS; a vCPU that is on → `alreadyOn` (ALREADY_ON from
 * PSCI 0.2, INVALID_PARAMS under 0.1); else it is on from now, with the entry
 * point (r2) and context ID (r3) it will start with.
 */
function cpuOn(alreadyOn: bigint): (call: CallContext) => ReturnOutcome {
  const already = word(alreadyOn);
  return (call) => {
    const target = targetOf(call, call.u32(R1));
    if (target === undefined) return answer(call, RET.INVALID_PARAMS);
    // The check and the power-on are one step (KVM takes kvm->lock around both since 6c7a5dce22b3), so of racing callers exactly one sees the target off.
    if (powerOf(call, target) === PSCI_AFFINITY_LEVEL.ON) return answer(call, already);
    const entry = BigInt(call.u32(R2));
    const context = BigInt(call.u32(R3));
    call.state.set(POWER_KEYS[target]!, PSCI_AFFINITY_LEVEL.ON);
    call.state.set(ENTRY_KEYS[target]!, entry);
    call.state.set(CONTEXT_KEYS[target]!, context);
    call.vcpus?.powerOn(target, entry, context);
    return answer(call, RET.SUCCESS);
  };
}

/** CPU_OFF (kvm_psci_vcpu_off): the caller is off from now; KVM sets r0 ← SUCCESS, which only a later CPU_ON's reset would overwrite. */
function cpuOff(call: CallContext): ReturnOutcome {
  const n = callerOf(call);
  if (n !== undefined) call.state.set(POWER_KEYS[n]!, PSCI_AFFINITY_LEVEL.OFF);
  if (n !== undefined) call.vcpus?.powerOff(n);
  return answer(call, RET.SUCCESS);
}

/**
 * AFFINITY_INFO (kvm_psci_vcpu_affinity_info): the mask keeps the affinity
 * fields at and above lowest_affinity_level (`MPIDR_HWID_BITMASK &
 * AFFINITY_MASK(level)`; 0 for a level above 3, and for level 3 on arm32,
 * whose MPIDR_HWID_BITMASK has no Aff3): a zero mask → INVALID_PARAMS. ON if
 * a matching vCPU is on, OFF if all matching ones are off, INVALID_PARAMS if
 * none matches.
 */
function affinityInfo(call: CallContext): ReturnOutcome {
  const level = call.u32(R2);
  // AFFINITY_MASK(level): the fields from Aff<level> up; level ≤ 3 keeps the shift below 32.
  const mask = level <= 3 ? MPIDR_HWID_BITMASK & ~((1 << (8 * level)) - 1) : 0;
  if (mask === 0) return answer(call, RET.INVALID_PARAMS);
  const target = call.u32(R1) & mask;
  let matching = 0;
  const count = call.vcpus?.count ?? PSCI_MODEL_CPUS;
  for (let n = 0; n < count; n++) {
    if ((VCPU_MPIDRS[n]! & mask) !== target) continue;
    matching++;
    if (powerOf(call, n) === PSCI_AFFINITY_LEVEL.ON) return answer(call, AFFINITY_ON);
  }
  return answer(call, matching === 0 ? RET.INVALID_PARAMS : AFFINITY_OFF);
}

/** PSCI_AFFINITY_LEVEL.ON and .OFF as the words r0 gets. */
const AFFINITY_ON = word(PSCI_AFFINITY_LEVEL.ON);
const AFFINITY_OFF = word(PSCI_AFFINITY_LEVEL.OFF);

/**
 * SYSTEM_OFF and SYSTEM_RESET (kvm_prepare_system_event): every vCPU is
 * powered off, the VMM gets the system event, and r0 is preloaded with
 * INTERNAL_FAILURE in case the VMM resumes the vCPU anyway.
 */
function systemEvent(event: bigint): (call: CallContext) => ReturnOutcome {
  return (call) => {
    for (let n = 0; n < PSCI_MODEL_CPUS; n++) call.state.set(POWER_KEYS[n]!, PSCI_AFFINITY_LEVEL.OFF);
    const vcpus = call.vcpus;
    if (vcpus !== undefined) for (let n = 0; n < vcpus.count; n++) vcpus.powerOff(n);
    call.state.set(PSCI_SYSTEM_EVENT_KEY, event);
    return answer(call, RET.INTERNAL_FAILURE);
  };
}

/** The IDs PSCI_FEATURES answers SUCCESS for: kvm_psci_1_0_call's list (v4.16–v5.6), SMCCC_VERSION included. */
const FEATURES: ReadonlySet<number> = new Set([
  0x8400_0000n, // PSCI_VERSION
  0x8400_0001n, // CPU_SUSPEND
  0xc400_0001n, // FN64_CPU_SUSPEND
  0x8400_0002n, // CPU_OFF
  0x8400_0003n, // CPU_ON
  0xc400_0003n, // FN64_CPU_ON
  0x8400_0004n, // AFFINITY_INFO
  0xc400_0004n, // FN64_AFFINITY_INFO
  0x8400_0006n, // MIGRATE_INFO_TYPE
  0x8400_0008n, // SYSTEM_OFF
  0x8400_0009n, // SYSTEM_RESET
  0x8400_000an, // PSCI_FEATURES
  ARM_SMCCC_VERSION_FUNC_ID,
].map(word));

/** The PSCI functions KVM's kvm_psci_0_2_call also runs for their SMC64 ID (v4.16–v5.6: no kvm_psci_check_allowed_function yet). */
const SMC64_SERVED = new Set(['CPU_SUSPEND', 'CPU_ON', 'AFFINITY_INFO']);

/** The call of one PSCI function ID (SMC32, or SMC64 when `smc64`) in the modelled PSCI 1.0. */
function psciCall(fn: PsciFunction, smc64: boolean): CallSpec {
  const id = psciFunctionId(fn, smc64);
  const base = { name: psciMacroName(fn, smc64), select: id, meaning: `psci-${fn.name.toLowerCase()}` };
  const decoded = describeSmcccFunctionId(id);
  const width = smc64 ? 'the SMC64 ID, served like the SMC32 one in this era' : undefined;
  const what = (text: string): string => `${text} (${decoded}${width === undefined ? '' : `; ${width}`})`;
  if (smc64 && !SMC64_SERVED.has(fn.name)) {
    return {
      ...base,
      summary: what(`the SMC64 ${fn.name}, which kvm_psci_0_2_call does not run: r0 ← NOT_SUPPORTED`),
      results: [{ register: 'r0', role: 'NOT_SUPPORTED' }],
      meaning: `psci-${fn.name.toLowerCase()}-smc64`,
      run: returning(PSCI_RET.NOT_SUPPORTED),
    };
  }
  switch (fn.name) {
    case 'PSCI_VERSION':
      return { ...base, summary: what(`r0 ← the PSCI version, ${hexValue(MODELLED_PSCI_VERSION)} (1.0)`), results: [{ register: 'r0', role: 'version (major << 16 | minor)' }], run: returning(MODELLED_PSCI_VERSION) };
    case 'CPU_SUSPEND':
      return {
        ...base,
        summary: what('suspend this CPU; KVM treats it as a WFI, which the model wakes at once: r0 ← SUCCESS'),
        args: [
          { register: 'r1', role: 'power_state' },
          { register: 'r2', role: 'entry_point_address' },
          { register: 'r3', role: 'context_id' },
        ],
        results: [{ register: 'r0', role: 'PSCI_RET' }],
        run: returning(PSCI_RET.SUCCESS),
      };
    case 'CPU_OFF':
      return {
        ...base,
        summary: what('power the calling vCPU off: it stays off, and AFFINITY_INFO says OFF, until a CPU_ON; does not return (KVM leaves r0 = SUCCESS in the sleeping vCPU)'),
        results: [{ register: 'r0', role: 'SUCCESS (never seen by the caller)' }],
        noReturn: true,
        run: cpuOff,
      };
    case 'CPU_ON':
      return {
        ...base,
        summary: what(`power a vCPU on at entry_point_address with r0 = context_id: SUCCESS for a vCPU that is off (then it is on), ALREADY_ON for one that is on (vCPU 0 at boot, the caller, or one turned on before), INVALID_PARAMS for an MPIDR that names none of the ${PSCI_MODEL_CPUS}`),
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
        summary: what('r0 ← ON (0) if a vCPU matching target_affinity at lowest_affinity_level is on, OFF (1) if all matching vCPUs are off; INVALID_PARAMS if no vCPU matches, or for level 3 and above (arm32 has no Aff3)'),
        args: [
          { register: 'r1', role: 'target_affinity (MPIDR)' },
          { register: 'r2', role: 'lowest_affinity_level' },
        ],
        results: [{ register: 'r0', role: 'affinity state or PSCI_RET' }],
        run: affinityInfo,
      };
    case 'MIGRATE_INFO_TYPE':
      return { ...base, summary: what('r0 ← 2 (PSCI_0_2_TOS_MP): no Trusted OS needs migrating'), results: [{ register: 'r0', role: 'PSCI_0_2_TOS_*' }], run: returning(PSCI_TOS.MP) };
    case 'SYSTEM_OFF':
      return {
        ...base,
        summary: what('power the system off: every vCPU off, exit to the VMM with KVM_SYSTEM_EVENT_SHUTDOWN; does not return (r0 is preloaded with INTERNAL_FAILURE in case the VMM resumes the vCPU)'),
        results: [{ register: 'r0', role: 'INTERNAL_FAILURE, if resumed' }],
        noReturn: true,
        run: systemEvent(KVM_SYSTEM_EVENT.SHUTDOWN),
      };
    case 'SYSTEM_RESET':
      return {
        ...base,
        summary: what('reset the system: every vCPU off, exit to the VMM with KVM_SYSTEM_EVENT_RESET; does not return (r0 is preloaded with INTERNAL_FAILURE in case the VMM resumes the vCPU)'),
        results: [{ register: 'r0', role: 'INTERNAL_FAILURE, if resumed' }],
        noReturn: true,
        run: systemEvent(KVM_SYSTEM_EVENT.RESET),
      };
    case 'PSCI_FEATURES':
      return {
        ...base,
        summary: what("r0 ← SUCCESS when r1 is an ID KVM's PSCI 1.0 lists (the PSCI calls it runs, their served SMC64 IDs, PSCI_FEATURES and ARM_SMCCC_VERSION_FUNC_ID), else NOT_SUPPORTED"),
        args: [{ register: 'r1', role: 'psci_func_id' }],
        results: [{ register: 'r0', role: 'PSCI_RET or feature flags' }],
        run: (call) => answer(call, FEATURES.has(call.u32(R1)) ? RET.SUCCESS : RET.NOT_SUPPORTED),
      };
    default:
      return {
        ...base,
        summary: what(`PSCI ${fn.since} ${fn.name}, which KVM's PSCI 1.0 (v4.16–v5.6) does not implement: r0 ← NOT_SUPPORTED`),
        results: [{ register: 'r0', role: 'NOT_SUPPORTED' }],
        run: returning(PSCI_RET.NOT_SUPPORTED),
      };
  }
}

/** The model's host CPU for the Spectre-v2 answer: a Cortex-A15 with CONFIG_HARDEN_BRANCH_PREDICTOR (kvm_arm_harden_branch_predictor() is true). */
const MODELLED_HOST = 'a Cortex-A15 host with CONFIG_HARDEN_BRANCH_PREDICTOR';

/** ARM_SMCCC_ARCH_WORKAROUND_1 and the SMCCC results as words. */
const WORKAROUND_1 = word(ARM_SMCCC_ARCH_WORKAROUND_1);
const SMCCC_SUCCESS = word(SMCCC_RET.SUCCESS);
const SMCCC_NOT_SUPPORTED = word(SMCCC_RET.NOT_SUPPORTED);

/** SMCCC 1.1's architecture calls as KVM answers them (kvm_hvc_call_handler); WORKAROUND_1 as the conduit's handler does it. */
function smcccArchCalls(conduit: 'hvc' | 'smc'): CallSpec[] {
  const workaround1: CallSpec =
    conduit === 'hvc'
      ? {
          name: 'ARM_SMCCC_ARCH_WORKAROUND_1',
          select: ARM_SMCCC_ARCH_WORKAROUND_1,
          summary: `invalidate the branch predictor: answered in Hyp itself before any guest exit (guest_hvc_trap): r0 ← 0, r1 ← the HSR, r2 ← the function ID (${describeSmcccFunctionId(ARM_SMCCC_ARCH_WORKAROUND_1)})`,
          results: [
            { register: 'r0', role: '0' },
            { register: 'r1', role: 'HSR (EC 0x12, IL, imm16)' },
            { register: 'r2', role: 'ARM_SMCCC_ARCH_WORKAROUND_1' },
          ],
          meaning: 'smccc-arch-workaround-1',
          run: (call) => {
            call.setU32(R0, 0);
            call.setU32(R1, hvcSyndrome(call.imm));
            call.setU32(R2, WORKAROUND_1);
            return RETURN;
          },
        }
      : {
          name: 'ARM_SMCCC_ARCH_WORKAROUND_1',
          select: ARM_SMCCC_ARCH_WORKAROUND_1,
          summary: `invalidate the branch predictor; SMCCC defines no return value, so the model writes none (${describeSmcccFunctionId(ARM_SMCCC_ARCH_WORKAROUND_1)})`,
          meaning: 'smccc-arch-workaround-1',
          run: () => RETURN,
        };
  return [
    {
      name: 'ARM_SMCCC_VERSION_FUNC_ID',
      select: ARM_SMCCC_VERSION_FUNC_ID,
      summary: `r0 ← ${hexValue(ARM_SMCCC_VERSION_1_1)}, SMCCC 1.1 (${describeSmcccFunctionId(ARM_SMCCC_VERSION_FUNC_ID)})`,
      results: [{ register: 'r0', role: 'SMCCC version (major << 16 | minor)' }],
      meaning: 'smccc-version',
      run: returning(ARM_SMCCC_VERSION_1_1),
    },
    {
      name: 'ARM_SMCCC_ARCH_FEATURES_FUNC_ID',
      select: ARM_SMCCC_ARCH_FEATURES_FUNC_ID,
      summary: `is the architecture call in r1 implemented? WORKAROUND_1 → 0 (${MODELLED_HOST}), WORKAROUND_2 → NOT_SUPPORTED (arm32 cannot detect SSBD: KVM_SSBD_UNKNOWN), anything else → NOT_SUPPORTED (${describeSmcccFunctionId(ARM_SMCCC_ARCH_FEATURES_FUNC_ID)})`,
      args: [{ register: 'r1', role: 'arch_func_id' }],
      results: [{ register: 'r0', role: 'SMCCC_RET' }],
      meaning: 'smccc-arch-features',
      run: (call) => answer(call, call.u32(R1) === WORKAROUND_1 ? SMCCC_SUCCESS : SMCCC_NOT_SUPPORTED),
    },
    workaround1,
  ];
}

/** `calls` with the caller recorded as on before each runs: a vCPU that traps is running, whatever it asks. */
function fromRunningVcpu(calls: readonly CallSpec[]): CallSpec[] {
  return calls.map((call) => ({
    ...call,
    run: (context: CallContext) => {
      callerOf(context);
      return call.run(context);
    },
  }));
}

/** Every call of the PSCI 1.0 / SMCCC 1.1 table on `conduit`. */
function psciCalls(conduit: 'hvc' | 'smc'): CallSpec[] {
  return fromRunningVcpu([
    ...PSCI_FUNCTIONS.map((fn) => psciCall(fn, false)),
    ...PSCI_FUNCTIONS.filter((f) => f.smc64).map((fn) => psciCall(fn, true)),
    ...smcccArchCalls(conduit),
    {
      name: 'unknown',
      select: 'otherwise',
      summary: 'any other function ID (ARCH_WORKAROUND_2 and the PSCI 1.x numbers psci.h does not have included): r0 ← NOT_SUPPORTED (-1), as SMCCC requires for an unknown ID',
      results: [{ register: 'r0', role: 'NOT_SUPPORTED' }],
      meaning: 'smccc-not-supported',
      run: returning(PSCI_RET.NOT_SUPPORTED),
    },
  ]);
}

const PSCI_0_2_SOURCE =
  'torvalds/linux:include/uapi/linux/psci.h @0f1cd81d and the v5.7 tree\'s psci.h (IDs, PSCI_RET_*, SET_SUSPEND_MODE); include/linux/arm-smccc.h @0441bfe7 (ID fields, SMCCC IDs); the v5.0 tree (VVvector/linux-5.0.1 @0fa9cb14d4ed) and v5.7 tree (a5221985/linux-5.7.14 @5d0b54d93391) virt/kvm/arm/psci.c and hypercalls.c (kvm_psci_vcpu_on, kvm_psci_vcpu_affinity_info, kvm_prepare_system_event, kvm_psci_1_0_call, kvm_hvc_call_handler); arch/arm/include/asm/kvm_host.h (kvm_arm_harden_branch_predictor, kvm_arm_have_ssbd); torvalds/linux:arch/arm/kvm/hyp/hyp-entry.S @0154ec71 (guest_hvc_trap)';

const PSCI_0_2_NOTES: readonly string[] = [
  'Function IDs follow SMCCC: bit 31 fast, bit 30 SMC64, bits 29:24 owner (4 = STANDARD), bits 15:0 the function number. Each call summary shows the decoding.',
  `The model is PSCI ${hexValue(MODELLED_PSCI_VERSION)} (1.0) with SMCCC 1.1, what KVM/arm32 answered by default in v4.16–v5.6 (KVM_ARM_PSCI_LATEST); a VMM can select 0.2 or 0.1 through KVM_REG_ARM_PSCI_VERSION.`,
  `The machine: ${PSCI_MODEL_CPUS} vCPUs with MPIDR affinity 0.0.0–0.0.3 (KVM/arm32 reset_mpidr: Aff0 = id & 3, Aff1 = id >> 2). Their power state is the call's hypervisor state (keys psci.vcpuN.power: 0 on, 1 off): at first vCPU 0 is on and the others are off. The caller is the vCPU its VMPIDR names (the vmpidr register; unset, vCPU 0), and a vCPU that calls is on. CPU_ON turns a vCPU on (and records its entry point and context ID), CPU_OFF turns the caller off, SYSTEM_OFF and SYSTEM_RESET turn every vCPU off; AFFINITY_INFO reads the state.`,
  'CPU_OFF, SYSTEM_OFF and SYSTEM_RESET are marked noReturn: on success the caller never resumes. A spec outcome cannot say "the caller stops", so their semantics make their writes (r0 as KVM leaves it) and return; whoever runs the spec must treat noReturn as the end of the caller.',
  'SMC64 IDs from an AArch32 caller are not refused in this era: kvm_psci_0_2_call runs FN64 CPU_SUSPEND, CPU_ON and AFFINITY_INFO like their SMC32 forms, and PSCI_FEATURES lists them; the other SMC64 IDs answer NOT_SUPPORTED. Refusing FN64 calls from 32-bit guests (kvm_psci_check_allowed_function) is v5.7+, after KVM/arm32 was removed.',
  `SMCCC_VERSION and ARCH_FEATURES are real calls (kvm_hvc_call_handler), and PSCI_FEATURES(ARM_SMCCC_VERSION_FUNC_ID) is 0, the probe a guest's psci_init_smccc() makes. ARCH_FEATURES answers for ${MODELLED_HOST}: other hosts answer WORKAROUND_1 with NOT_SUPPORTED. The arm32 WORKAROUND_1 fast path came with the 2018 arm32 Spectre-v2 series (the first mainline release is UNCONFIRMED; present in torvalds/linux @0154ec71 and a 4.9 stable tree); the model is the era after it.`,
  'PSCI 1.x function numbers seen only in patch text (11–13, 16, 17, 19–21; abi-facts Appendix A.7) are left to the otherwise call, as KVM answers them.',
];

const PSCI_0_2_EXAMPLES: readonly AbiExample[] = [
  { title: 'the kernel asks for the PSCI version', registers: { r0: 0x8400_0000n }, call: 'PSCI_0_2_FN_PSCI_VERSION' },
  { title: 'bring up CPU 1 at 0x80008000', registers: { r0: 0x8400_0003n, r1: 1n, r2: 0x8000_8000n }, call: 'PSCI_0_2_FN_CPU_ON' },
  { title: 'is CPU 1 on?', registers: { r0: 0x8400_0004n, r1: 1n, r2: 0n }, call: 'PSCI_0_2_FN_AFFINITY_INFO' },
  { title: 'power the system off', registers: { r0: 0x8400_0008n }, call: 'PSCI_0_2_FN_SYSTEM_OFF' },
  { title: 'a 64-bit CPU_ON from a 32-bit caller, served like the 32-bit one', registers: { r0: 0xc400_0003n, r1: 2n, r2: 0x8000_8000n }, call: 'PSCI_0_2_FN64_CPU_ON' },
  { title: 'does the firmware speak SMCCC 1.1?', registers: { r0: 0x8400_000an, r1: ARM_SMCCC_VERSION_FUNC_ID }, call: 'PSCI_1_0_FN_PSCI_FEATURES' },
  { title: 'the SMCCC version', registers: { r0: ARM_SMCCC_VERSION_FUNC_ID }, call: 'ARM_SMCCC_VERSION_FUNC_ID' },
  { title: 'is the Spectre-v2 workaround call there?', registers: { r0: ARM_SMCCC_ARCH_FEATURES_FUNC_ID, r1: ARM_SMCCC_ARCH_WORKAROUND_1 }, call: 'ARM_SMCCC_ARCH_FEATURES_FUNC_ID' },
  { title: 'the Spectre-v2 workaround', registers: { r0: ARM_SMCCC_ARCH_WORKAROUND_1 }, call: 'ARM_SMCCC_ARCH_WORKAROUND_1' },
  { title: 'an ID nobody implements', registers: { r0: 0x8400_0042n }, call: 'unknown' },
];

const psciCommon = {
  family: 'psci',
  arch: 'arm32',
  selector: { register: 'r0', width: 32 },
  priority: 0,
} as const satisfies Partial<AbiSpec>;

/** PSCI 0.2+ and SMCCC 1.1 over `hvc`: a guest kernel calling KVM/arm32 (v4.16–v5.6). */
export const PSCI_V0_2_HVC: Abi = defineAbi({
  ...psciCommon,
  id: 'psci-v0.2-hvc',
  era: 'KVM/arm32 v4.16–v5.6: PSCI 1.0 and SMCCC 1.1 over HVC',
  status: 'removed',
  purpose:
    'CPU and system power management for a guest under KVM: the guest kernel finds PSCI with method "hvc" in its device tree and calls the hypervisor with the standard SMCCC function IDs (PSCI 0.2 and later), and discovers the SMCCC 1.1 architecture calls (the Spectre-v2 workaround) the same way.',
  source: { document: PSCI_0_2_SOURCE, version: 'v4.16–v5.6 (KVM/arm32 with PSCI 1.0)' },
  // handle_hvc only traces the immediate (kvm_vcpu_hvc_get_imm) and runs the PSCI/SMCCC handler: any hvc #imm is PSCI.
  conduit: { instruction: 'hvc', imm: 'any' },
  // KVM implements PSCI for its guests (VMID ≠ 0); from the host, hvc reaches the hyp-stub or KVM's host ABI instead.
  origin: { privilege: ['kernel'], world: ['guest'] },
  calls: psciCalls('hvc'),
  examples: [...PSCI_0_2_EXAMPLES, { title: 'the immediate is ignored: hvc #1 is PSCI too', registers: { r0: 0x8400_0000n }, imm: 1, call: 'PSCI_0_2_FN_PSCI_VERSION' }],
  notes: [
    'Only guests use this conduit: KVM handles an HVC from VMID ≠ 0 as a guest exit and runs PSCI for it. The host kernel reaches its own firmware with SMC (psci-v0.2-smc).',
    'KVM ignores the HVC immediate in this era (v4.12 tree arch/arm/kvm/handle_exit.c: handle_hvc only traces kvm_vcpu_hvc_get_imm), so hvc #1 with a PSCI ID is PSCI. The non-zero-immediate rule KVM has later applies to SMC only (≈v6.4+). Xen keys on the immediate instead (xen-arm32).',
    ...PSCI_0_2_NOTES,
  ],
});

/** PSCI 0.2+ over `smc #0`: a host kernel calling the platform firmware. */
export const PSCI_V0_2_SMC: Abi = defineAbi({
  ...psciCommon,
  id: 'psci-v0.2-smc',
  era: 'PSCI 1.0 and SMCCC 1.1 over SMC (the same table as psci-v0.2-hvc)',
  status: 'mainline',
  purpose:
    'CPU and system power management for a kernel running on the hardware: with method "smc" in its device tree the kernel calls the secure firmware (the PSCI implementation in the monitor) with the same SMCCC function IDs.',
  source: { document: PSCI_0_2_SOURCE, version: 'PSCI 1.0 / SMCCC 1.1 (answered as KVM/arm32 v4.16–v5.6 answers them, so that the two conduits compare call by call)' },
  conduit: { instruction: 'smc', imm: 0n },
  // The host kernel owns the hardware and talks to firmware; a guest's SMC would be trapped by the hypervisor (HCR.TSC), not answered by firmware.
  origin: { privilege: ['kernel'], world: ['host'] },
  calls: psciCalls('smc'),
  examples: PSCI_0_2_EXAMPLES,
  notes: [
    'Firmware is reached from the host kernel: SMC is UNDEFINED at PL0, and a guest SMC is trapped to Hyp (HCR.TSC) before any firmware sees it (KVM/arm32 injects an undefined instruction for it).',
    "The semantics are the table of psci-v0.2-hvc so that the two conduits compare call by call; a real firmware (e.g. one that implements SYSTEM_SUSPEND or MIGRATE) may answer more. Only WORKAROUND_1 differs: KVM's Hyp fast path writes r0–r2, SMCCC itself defines no return value.",
    ...PSCI_0_2_NOTES,
  ],
});

/** KVM's PSCI 0.1: private IDs from `KVM_PSCI_FN_BASE`, over `hvc` from a guest. */
export const KVM_PSCI_V0_1: Abi = defineAbi({
  ...psciCommon,
  id: 'kvm-psci-v0.1',
  era: 'PSCI 0.1 (KVM-private IDs)',
  status: 'removed',
  purpose:
    'The PSCI KVM offered before PSCI 0.2 standardised function IDs: four calls with KVM-private IDs from 0x95c1ba5e, advertised to the guest in its device tree ("arm,psci" with cpu_on/cpu_off properties). KVM implements only CPU_OFF and CPU_ON.',
  source: {
    document:
      'torvalds/linux:arch/arm/include/uapi/asm/kvm.h and arch/arm64/include/uapi/asm/kvm.h (KVM_PSCI_FN_BASE 0x95c1ba5e, KVM_PSCI_FN(n)); v3.9 tree arch/arm/kvm/psci.c and arch/arm/kvm/handle_exit.c (CPU_OFF and CPU_ON only; handle_hvc ignores the immediate); KVM psci.c kvm_psci_vcpu_on (INVALID_PARAMS, not ALREADY_ON, for an online CPU under 0.1)',
    version: 'v3.9',
    note: 'Which other HVCs a PSCI 0.1 guest may make is KVM-version dependent (v3.9 injects an undefined instruction, later releases answer NOT_SUPPORTED); the spec claims only the four 0.1 IDs.',
  },
  conduit: { instruction: 'hvc', imm: 'any' },
  origin: { privilege: ['kernel'], world: ['guest'] },
  calls: fromRunningVcpu([
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
      summary: 'power the calling vCPU off until a CPU_ON; does not return',
      noReturn: true,
      meaning: 'psci-cpu_off',
      run: cpuOff,
    },
    {
      name: 'KVM_PSCI_FN_CPU_ON',
      select: KVM_PSCI_FN_BASE + 2n,
      summary: `power a vCPU on at the entry point: SUCCESS for a vCPU that is off (then it is on); INVALID_PARAMS for one that is on (0.1 has no ALREADY_ON) or an MPIDR that names none of the ${PSCI_MODEL_CPUS}`,
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
  ]),
  examples: [
    { title: 'bring up CPU 1', registers: { r0: KVM_PSCI_FN_BASE + 2n, r1: 1n, r2: 0x8000_8000n }, call: 'KVM_PSCI_FN_CPU_ON' },
    { title: 'power this CPU off', registers: { r0: KVM_PSCI_FN_BASE + 1n }, call: 'KVM_PSCI_FN_CPU_OFF' },
  ],
  notes: [
    `The IDs are KVM_PSCI_FN_BASE + n (${hexValue(KVM_PSCI_FN_BASE)}…${hexValue(KVM_PSCI_FN_BASE + 3n)}): not SMCCC IDs (${describeSmcccFunctionId(KVM_PSCI_FN_BASE)}), which is why PSCI 0.2 replaced them.`,
    `The same machine and state as psci-v0.2-hvc: ${PSCI_MODEL_CPUS} vCPUs, vCPU 0 on and the others off at first, the caller named by its VMPIDR. v3.9 looked the target up by vCPU index rather than MPIDR, which is the same for these ${PSCI_MODEL_CPUS}.`,
    'KVM ignores the HVC immediate (handle_hvc), so any hvc #imm with a 0.1 ID is PSCI 0.1.',
  ],
});

/** Every PSCI spec. */
export const PSCI_ABIS: readonly Abi[] = [KVM_PSCI_V0_1, PSCI_V0_2_HVC, PSCI_V0_2_SMC];
