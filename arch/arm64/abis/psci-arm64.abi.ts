/**
 * PSCI and the SMC Calling Convention for 64-bit (AArch64) callers: an SMCCC
 * function ID in w0 (SMC32 IDs 0x8…, SMC64 IDs 0xC…), arguments in x1–x3,
 * results in x0 (and x1–x3). A guest calls KVM with `hvc`; a host kernel
 * calls its firmware with `smc #0`; a guest's `smc` is trapped by
 * HCR_EL2.TSC, and what KVM did with it changed three times. Each of KVM's
 * eras is its own spec, so the dispatcher shows how the same call was
 * answered over time.
 *
 * The calls model behaviour, not just dispatch: the power state of a fixed
 * machine of {@link PSCI_ARM64_MODEL_CPUS} vCPUs lives in the call's
 * hypervisor state, as in the arm32 PSCI specs.
 *
 * Facts: ../shared/abi-facts.md §5 (torvalds/linux:include/linux/arm-smccc.h,
 * include/uapi/linux/psci.h, arch/arm64/include/uapi/asm/kvm.h; the v4.12,
 * v5.0 and v5.7 trees' virt/kvm/arm/psci.c, hypercalls.c and
 * arch/arm64/kvm/handle_exit.c; torvalds/linux:arch/arm64/kvm/handle_exit.c
 * @0067df41).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type AbiExample, type AbiSpec, type CallContext, type CallSpec, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { hexValue } from '../../../src/abi/value-set.ts';
import { VMPIDR_EL2, X0, X1, X2, X3 } from './spec-registers.ts';

// ---------------------------------------------------------------------------
// IDs (abi-facts §5.1–§5.3)

/** The SMCCC owner of a function ID (bits 29:24). */
export function smcccOwner(id: bigint | number): number {
  return (Number(BigInt.asUintN(32, BigInt(id))) >>> 24) & 0x3f;
}

/** One line about a function ID: `0xc4000003: fast SMC64 call, owner 4, function 3`. */
export function describeArm64FunctionId(id: bigint): string {
  const value = Number(BigInt.asUintN(32, id));
  return `${hexValue(BigInt(value))}: ${value >>> 31 === 1 ? 'fast' : 'yielding'} ${((value >>> 30) & 1) === 1 ? 'SMC64/HVC64' : 'SMC32/HVC32'} call, owner ${smcccOwner(id)}, function ${value & 0xffff}`;
}

/** `PSCI_0_2_FN_BASE` and `PSCI_0_2_64BIT`. */
export const PSCI_FN_BASE = 0x8400_0000n;
/** Added to an ID for its SMC64 variant. */
export const PSCI_64BIT = 0x4000_0000n;
/** `KVM_PSCI_FN_BASE`: KVM's private PSCI 0.1 IDs (arch/arm64/include/uapi/asm/kvm.h). */
export const KVM_PSCI_FN_BASE_ARM64 = 0x95c1_ba5en;

/** SMCCC architecture calls (arm-smccc.h @0441bfe7, @9840cfcb). */
export const SMCCC_ARCH = {
  /** `ARM_SMCCC_VERSION_FUNC_ID`. */
  VERSION: 0x8000_0000n,
  /** `ARM_SMCCC_ARCH_FEATURES_FUNC_ID`. */
  ARCH_FEATURES: 0x8000_0001n,
  /** `ARM_SMCCC_ARCH_SOC_ID`. */
  SOC_ID: 0x8000_0002n,
  /** `ARM_SMCCC_ARCH_WORKAROUND_1` (Spectre v2). */
  WORKAROUND_1: 0x8000_8000n,
  /** `ARM_SMCCC_ARCH_WORKAROUND_2` (Spectre v4, SSBD). */
  WORKAROUND_2: 0x8000_7fffn,
  /** `ARM_SMCCC_ARCH_WORKAROUND_3` (Spectre-BHB). */
  WORKAROUND_3: 0x8000_3fffn,
} as const;

/** PV time (owner STANDARD_HYP, SMC64): `ARM_SMCCC_HV_PV_TIME_FEATURES` and `_ST` (arm-smccc.h @0441bfe7). */
export const PV_TIME = {
  /** `ARM_SMCCC_HV_PV_TIME_FEATURES`: is a PV-time call there? */
  FEATURES: 0xc500_0020n,
  /** `ARM_SMCCC_HV_PV_TIME_ST`: the IPA of the stolen-time structure. */
  ST: 0xc500_0021n,
} as const;

/** `ARM_SMCCC_VERSION_1_1`. */
export const SMCCC_VERSION_1_1 = 0x1_0001n;

/** PSCI return values, signed. */
export const PSCI_ARM64_RET = {
  /** Done. */
  SUCCESS: 0n,
  /** No such function (SMCCC's answer to an unknown ID too). */
  NOT_SUPPORTED: -1n,
  /** A bad argument. */
  INVALID_PARAMS: -2n,
  /** Not allowed. */
  DENIED: -3n,
  /** CPU_ON of a CPU that is on. */
  ALREADY_ON: -4n,
  /** CPU_ON of a CPU being powered on. */
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

/** A signed result as x0 holds it: KVM writes `unsigned long`, so −1 is all 64 bits set. */
function x0Of(value: bigint): bigint {
  return BigInt.asUintN(64, value);
}

/** The PSCI functions with IDs in psci.h (abi-facts §5.3); the numbers seen only in patch text are left to the unknown call. */
interface PsciFunction {
  readonly number: number;
  readonly name: string;
  readonly since: '0.2' | '1.0' | '1.1';
  readonly smc64: boolean;
}

const PSCI_FUNCTIONS: readonly PsciFunction[] = [
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

function psciId(fn: PsciFunction, smc64: boolean): bigint {
  return PSCI_FN_BASE + (smc64 ? PSCI_64BIT : 0n) + BigInt(fn.number);
}

function psciName(fn: PsciFunction, smc64: boolean): string {
  return `PSCI_${fn.since.replace('.', '_')}_FN${smc64 ? '64' : ''}_${fn.name}`;
}

// ---------------------------------------------------------------------------
// The machine the calls act on

/** vCPUs of the modelled VM: four, MPIDR affinity 0.0.0.0 to 0.0.0.3. */
export const PSCI_ARM64_MODEL_CPUS = 4;

/** `MPIDR_HWID_BITMASK` on arm64: Aff3 (39:32) and Aff2:Aff0 (23:0) (arch/arm64/include/asm/cputype.h). */
const MPIDR_HWID_BITMASK = 0xff_00ff_ffffn;

/** The MPIDR affinity KVM/arm64 gives vCPU `n` (sys_regs.c reset_mpidr): Aff0 = n & 0xf, Aff1 = (n >> 4) & 0xff, Aff2 = (n >> 12) & 0xff. */
export function psciArm64VcpuMpidr(n: number): bigint {
  return BigInt(n & 0xf) | (BigInt((n >> 4) & 0xff) << 8n) | (BigInt((n >> 12) & 0xff) << 16n);
}

const VCPU_MPIDRS: readonly bigint[] = Array.from({ length: PSCI_ARM64_MODEL_CPUS }, (_, n) => psciArm64VcpuMpidr(n));

/** The state key of vCPU `n`'s power state (0 on, 1 off); at first vCPU 0 is on and the others off. */
export function psciArm64PowerKey(n: number): string {
  return `psci.vcpu${n}.power`;
}

const POWER_KEYS: readonly string[] = Array.from({ length: PSCI_ARM64_MODEL_CPUS }, (_, n) => psciArm64PowerKey(n));
const ON = 0n;
const OFF = 1n;

/** The state key of the system event SYSTEM_OFF (1) or SYSTEM_RESET (2) asked the VMM for. */
export const PSCI_ARM64_SYSTEM_EVENT_KEY = 'psci.system_event';

function vcpuOf(mpidr: bigint): number | undefined {
  const affinity = mpidr & MPIDR_HWID_BITMASK;
  for (let n = 0; n < PSCI_ARM64_MODEL_CPUS; n++) if (VCPU_MPIDRS[n] === affinity) return n;
  return undefined;
}

/** vCPU `n`'s power state: the live machine's where the call has one (`call.vcpus`), else the model's in the call's state. */
function powerOf(call: CallContext, n: number): bigint {
  const vcpus = call.vcpus;
  if (vcpus !== undefined) return vcpus.isOn(n) ? ON : OFF;
  return call.state.get(POWER_KEYS[n]!, n === 0 ? ON : OFF);
}

/** The vCPU the target MPIDR names, limited to the live machine's vCPUs where the call has them. */
function targetOf(call: CallContext, mpidr: bigint): number | undefined {
  const n = vcpuOf(mpidr);
  return n !== undefined && call.vcpus !== undefined && n >= call.vcpus.count ? undefined : n;
}

/** Power the caller off: in the model, and on the live machine where there is one. */
function callerOff(call: CallContext): void {
  const n = callerOf(call);
  if (n === undefined) return;
  call.state.set(POWER_KEYS[n]!, OFF);
  call.vcpus?.powerOff(n);
}

/** The calling vCPU (the live machine's, else the one its VMPIDR_EL2 names; unset, vCPU 0), recorded as on: a vCPU that traps is running. */
function callerOf(call: CallContext): number | undefined {
  const n = call.vcpus?.self ?? vcpuOf(call.get(VMPIDR_EL2));
  if (n !== undefined) call.state.set(POWER_KEYS[n]!, ON);
  return n;
}

/** How an era writes its answer: x0 only (≤ v4.15), or smccc_set_retval(val, 0, 0, 0) (v4.16+). */
type Retval = 'x0' | 'x0-x3';

function answerer(retval: Retval): (call: CallContext, value: bigint) => ReturnOutcome {
  if (retval === 'x0') {
    return (call, value) => {
      call.set(X0, value);
      return RETURN;
    };
  }
  return (call, value) => {
    call.set(X0, value);
    call.setU32(X1, 0);
    call.setU32(X2, 0);
    call.setU32(X3, 0);
    return RETURN;
  };
}

const RET = {
  SUCCESS: x0Of(PSCI_ARM64_RET.SUCCESS),
  NOT_SUPPORTED: x0Of(PSCI_ARM64_RET.NOT_SUPPORTED),
  INVALID_PARAMS: x0Of(PSCI_ARM64_RET.INVALID_PARAMS),
  ALREADY_ON: x0Of(PSCI_ARM64_RET.ALREADY_ON),
  INTERNAL_FAILURE: x0Of(PSCI_ARM64_RET.INTERNAL_FAILURE),
} as const;

/** One KVM era's answers. */
interface Era {
  /** PSCI_VERSION's answer. */
  readonly version: bigint;
  /** How results are written. */
  readonly retval: Retval;
  /** Whether PSCI_FEATURES and the SMCCC 1.1 calls are implemented (v4.16+). */
  readonly smccc11: boolean;
  /** The conduit (the SMCCC workaround fast paths are KVM's, over hvc). */
  readonly conduit: 'hvc' | 'smc';
}

/** The IDs PSCI_FEATURES answers SUCCESS for (kvm_psci_1_0_call, v5.7). */
const FEATURES: ReadonlySet<bigint> = new Set([
  0x8400_0000n, 0x8400_0001n, 0xc400_0001n, 0x8400_0002n, 0x8400_0003n, 0xc400_0003n, 0x8400_0004n, 0xc400_0004n, 0x8400_0006n, 0x8400_0008n, 0x8400_0009n, 0x8400_000an, SMCCC_ARCH.VERSION,
]);

/** The PSCI functions kvm_psci_0_2_call runs for their SMC64 ID too. */
const SMC64_SERVED = new Set(['CPU_SUSPEND', 'CPU_ON', 'AFFINITY_INFO']);

function psciCall(fn: PsciFunction, smc64: boolean, era: Era): CallSpec {
  const id = psciId(fn, smc64);
  const answer = answerer(era.retval);
  const base = { name: psciName(fn, smc64), select: id, meaning: `psci-${fn.name.toLowerCase()}${smc64 && !SMC64_SERVED.has(fn.name) ? '-smc64' : ''}` };
  const what = (text: string): string => `${text} (${describeArm64FunctionId(id)})`;
  const results = era.retval === 'x0' ? [{ register: 'x0', role: 'PSCI_RET' }] : [{ register: 'x0', role: 'PSCI_RET' }, { register: 'x1', role: '0' }, { register: 'x2', role: '0' }, { register: 'x3', role: '0' }];
  const returning = (value: bigint, summary: string): CallSpec => ({ ...base, summary: what(summary), results, run: (call) => answer(call, value) });
  if (smc64 && !SMC64_SERVED.has(fn.name)) return returning(RET.NOT_SUPPORTED, `the SMC64 ${fn.name}, which kvm_psci_0_2_call does not run: x0 ← NOT_SUPPORTED`);
  switch (fn.name) {
    case 'PSCI_VERSION':
      return returning(era.version, `x0 ← the PSCI version, ${hexValue(era.version)}`);
    case 'CPU_SUSPEND':
      return { ...returning(RET.SUCCESS, 'suspend this CPU; KVM treats it as a WFI, which the model wakes at once: x0 ← SUCCESS'), args: [{ register: 'x1', role: 'power_state' }, { register: 'x2', role: 'entry_point_address' }, { register: 'x3', role: 'context_id' }] };
    case 'CPU_OFF':
      return {
        ...base,
        summary: what('power the calling vCPU off until a CPU_ON; does not return (KVM leaves x0 = SUCCESS in the sleeping vCPU)'),
        results,
        noReturn: true,
        run: (call) => {
          callerOff(call);
          return answer(call, RET.SUCCESS);
        },
      };
    case 'CPU_ON':
      return {
        ...base,
        summary: what(`power a vCPU on at entry_point_address (x2) with x0 = context_id (x3): SUCCESS for one that is off, ALREADY_ON for one that is on, INVALID_PARAMS for an MPIDR that names none of the ${PSCI_ARM64_MODEL_CPUS}`),
        args: [{ register: 'x1', role: 'target_cpu (MPIDR)' }, { register: 'x2', role: 'entry_point_address' }, { register: 'x3', role: 'context_id' }],
        results,
        run: (call) => {
          const target = targetOf(call, call.get(X1));
          if (target === undefined) return answer(call, RET.INVALID_PARAMS);
          // The check and the power-on are one step (KVM takes kvm->lock around both since 6c7a5dce22b3), so of racing callers exactly one sees the target off.
          if (powerOf(call, target) === ON) return answer(call, RET.ALREADY_ON);
          const entry = call.get(X2);
          const context = call.get(X3);
          call.state.set(POWER_KEYS[target]!, ON);
          call.state.set(`psci.vcpu${target}.entry`, entry);
          call.state.set(`psci.vcpu${target}.context_id`, context);
          call.vcpus?.powerOn(target, entry, context);
          return answer(call, RET.SUCCESS);
        },
      };
    case 'AFFINITY_INFO':
      return {
        ...base,
        summary: what('x0 ← ON (0) if a vCPU matching target_affinity at lowest_affinity_level (0–3; arm64 has Aff3) is on, OFF (1) if every matching one is off; INVALID_PARAMS if none matches or the level is above 3'),
        args: [{ register: 'x1', role: 'target_affinity (MPIDR)' }, { register: 'x2', role: 'lowest_affinity_level' }],
        results,
        run: (call) => {
          const level = call.get(X2);
          // AFFINITY_MASK(level) keeps the affinity fields from Aff<level> up; the fields are 8 bits apart, Aff3 at bit 32.
          const mask = level > 3n ? 0n : MPIDR_HWID_BITMASK & ~((1n << (8n * (level === 3n ? 4n : level))) - 1n);
          if (mask === 0n) return answer(call, RET.INVALID_PARAMS);
          const target = call.get(X1) & mask;
          let matching = 0;
          const count = call.vcpus?.count ?? PSCI_ARM64_MODEL_CPUS;
          for (let n = 0; n < count; n++) {
            if ((VCPU_MPIDRS[n]! & mask) !== target) continue;
            matching++;
            if (powerOf(call, n) === ON) return answer(call, ON);
          }
          return answer(call, matching === 0 ? RET.INVALID_PARAMS : OFF);
        },
      };
    case 'MIGRATE_INFO_TYPE':
      return returning(2n, 'x0 ← 2 (PSCI_0_2_TOS_MP): no Trusted OS needs migrating');
    case 'SYSTEM_OFF':
    case 'SYSTEM_RESET': {
      const event = fn.name === 'SYSTEM_OFF' ? 1n : 2n;
      return {
        ...base,
        summary: what(`${fn.name === 'SYSTEM_OFF' ? 'power the system off' : 'reset the system'}: every vCPU off, exit to the VMM with KVM_SYSTEM_EVENT_${fn.name === 'SYSTEM_OFF' ? 'SHUTDOWN' : 'RESET'}; does not return (x0 is preloaded with INTERNAL_FAILURE in case the VMM resumes the vCPU)`),
        results,
        noReturn: true,
        run: (call) => {
          for (let n = 0; n < PSCI_ARM64_MODEL_CPUS; n++) call.state.set(POWER_KEYS[n]!, OFF);
          const vcpus = call.vcpus;
          if (vcpus !== undefined) for (let n = 0; n < vcpus.count; n++) vcpus.powerOff(n);
          call.state.set(PSCI_ARM64_SYSTEM_EVENT_KEY, event);
          return answer(call, RET.INTERNAL_FAILURE);
        },
      };
    }
    case 'PSCI_FEATURES':
      if (!era.smccc11) return returning(RET.NOT_SUPPORTED, 'PSCI 1.0 PSCI_FEATURES, which PSCI 0.2 does not have: x0 ← NOT_SUPPORTED');
      return {
        ...base,
        summary: what("x0 ← SUCCESS when x1 is an ID KVM's PSCI 1.0 lists (the PSCI calls it runs, their SMC64 IDs, PSCI_FEATURES and ARM_SMCCC_VERSION_FUNC_ID), else NOT_SUPPORTED"),
        args: [{ register: 'x1', role: 'psci_func_id' }],
        results,
        run: (call) => answer(call, FEATURES.has(BigInt(call.u32(X1))) ? RET.SUCCESS : RET.NOT_SUPPORTED),
      };
    default:
      return returning(RET.NOT_SUPPORTED, `PSCI ${fn.since} ${fn.name}, which KVM does not implement in this era: x0 ← NOT_SUPPORTED`);
  }
}

/** The model's host CPU: a Cortex-A57 with CONFIG_HARDEN_BRANCH_PREDICTOR (KVM_BP_HARDEN_WA_NEEDED) and dynamic SSBD (KVM_SSBD_KERNEL). */
const MODELLED_HOST = 'a Cortex-A57 host that needs the Spectre-v2 workaround and mitigates SSBD dynamically';

/** The SMCCC 1.1 architecture calls and PV time as KVM v5.7 answers them (kvm_hvc_call_handler). */
function smcccCalls(era: Era): CallSpec[] {
  const answer = answerer(era.retval);
  const results = [{ register: 'x0', role: 'SMCCC_RET' }, { register: 'x1', role: '0' }, { register: 'x2', role: '0' }, { register: 'x3', role: '0' }];
  const archFeatures = new Map<bigint, bigint>([
    [SMCCC_ARCH.WORKAROUND_1, RET.SUCCESS],
    [SMCCC_ARCH.WORKAROUND_2, RET.SUCCESS],
    [PV_TIME.FEATURES, RET.SUCCESS],
  ]);
  const fastPath = (name: string, id: bigint, what: string): CallSpec =>
    era.conduit === 'hvc'
      ? {
          name,
          select: id,
          summary: `${what}: answered at EL2 before any exit (el1_hvc_guest): x0 ← 0, x1 clobbered (${describeArm64FunctionId(id)})`,
          results: [{ register: 'x0', role: '0' }],
          clobbers: ['x1'],
          meaning: `smccc-${name.toLowerCase()}`,
          run: (call) => {
            call.setU32(X0, 0);
            return RETURN;
          },
        }
      : { name, select: id, summary: `${what}; SMCCC defines no return value, so the model writes none (${describeArm64FunctionId(id)})`, meaning: `smccc-${name.toLowerCase()}`, run: () => RETURN };
  return [
    { name: 'ARM_SMCCC_VERSION_FUNC_ID', select: SMCCC_ARCH.VERSION, summary: `x0 ← ${hexValue(SMCCC_VERSION_1_1)}, SMCCC 1.1 (${describeArm64FunctionId(SMCCC_ARCH.VERSION)})`, results, meaning: 'smccc-version', run: (call) => answer(call, SMCCC_VERSION_1_1) },
    {
      name: 'ARM_SMCCC_ARCH_FEATURES_FUNC_ID',
      select: SMCCC_ARCH.ARCH_FEATURES,
      summary: `is the call in w1 implemented? WORKAROUND_1 → 0, WORKAROUND_2 → 0 (${MODELLED_HOST}), HV_PV_TIME_FEATURES → 0, anything else → NOT_SUPPORTED (${describeArm64FunctionId(SMCCC_ARCH.ARCH_FEATURES)})`,
      args: [{ register: 'x1', role: 'arch_func_id (w1)' }],
      results,
      meaning: 'smccc-arch-features',
      run: (call) => answer(call, archFeatures.get(BigInt(call.u32(X1))) ?? RET.NOT_SUPPORTED),
    },
    fastPath('ARM_SMCCC_ARCH_WORKAROUND_1', SMCCC_ARCH.WORKAROUND_1, 'invalidate the branch predictor'),
    fastPath('ARM_SMCCC_ARCH_WORKAROUND_2', SMCCC_ARCH.WORKAROUND_2, 'switch the SSBD mitigation on (x1 ≠ 0) or off for this vCPU'),
    {
      name: 'ARM_SMCCC_HV_PV_TIME_FEATURES',
      select: PV_TIME.FEATURES,
      summary: `is the PV-time call in x1 there? Only once the VMM has given the vCPU a stolen-time region, which the model has not: x0 ← NOT_SUPPORTED (${describeArm64FunctionId(PV_TIME.FEATURES)})`,
      args: [{ register: 'x1', role: 'pv_time_func_id' }],
      results,
      meaning: 'pv-time-features',
      run: (call) => answer(call, RET.NOT_SUPPORTED),
    },
    {
      name: 'ARM_SMCCC_HV_PV_TIME_ST',
      select: PV_TIME.ST,
      summary: `the IPA of the stolen-time structure; with no region configured x0 ← NOT_SUPPORTED (${describeArm64FunctionId(PV_TIME.ST)})`,
      results,
      meaning: 'pv-time-st',
      run: (call) => answer(call, RET.NOT_SUPPORTED),
    },
  ];
}

function fromRunningVcpu(calls: readonly CallSpec[]): CallSpec[] {
  return calls.map((call) => ({
    ...call,
    run: (context: CallContext) => {
      callerOf(context);
      return call.run(context);
    },
  }));
}

/** Every call of one era's table. */
function tableCalls(era: Era): CallSpec[] {
  const answer = answerer(era.retval);
  return fromRunningVcpu([
    ...PSCI_FUNCTIONS.map((fn) => psciCall(fn, false, era)),
    ...PSCI_FUNCTIONS.filter((f) => f.smc64).map((fn) => psciCall(fn, true, era)),
    ...(era.smccc11 ? smcccCalls(era) : []),
    {
      name: 'unknown',
      select: 'otherwise',
      summary: `any other function ID${era.smccc11 ? '' : ' (SMCCC_VERSION and ARCH_FEATURES included: no SMCCC 1.1 yet)'}: x0 ← NOT_SUPPORTED (−1, all 64 bits)`,
      results: [{ register: 'x0', role: 'NOT_SUPPORTED' }],
      meaning: 'smccc-not-supported',
      run: (call) => answer(call, RET.NOT_SUPPORTED),
    },
  ]);
}

const common = {
  family: 'psci-arm64',
  arch: 'arm64',
  // SMCCC function IDs are 32 bits (w0); KVM reads smccc_get_function() as a u32.
  selector: { register: 'x0', width: 32 },
  priority: 0,
} as const satisfies Partial<AbiSpec>;

const GUEST = { privilege: ['kernel'], world: ['guest'] } as const;

const EXAMPLES: readonly AbiExample[] = [
  { title: 'the kernel asks for the PSCI version', registers: { x0: 0x8400_0000n }, call: 'PSCI_0_2_FN_PSCI_VERSION' },
  { title: 'bring up CPU 1 with the SMC64 CPU_ON', registers: { x0: 0xc400_0003n, x1: 1n, x2: 0x4008_0000n }, call: 'PSCI_0_2_FN64_CPU_ON' },
  { title: 'is CPU 1 on?', registers: { x0: 0xc400_0004n, x1: 1n }, call: 'PSCI_0_2_FN64_AFFINITY_INFO' },
  { title: 'power the system off', registers: { x0: 0x8400_0008n }, call: 'PSCI_0_2_FN_SYSTEM_OFF' },
  { title: 'an ID nobody implements (kvm-unit-tests uses 1337)', registers: { x0: 1337n }, call: 'unknown' },
];

const SMCCC_EXAMPLES: readonly AbiExample[] = [
  { title: 'does the firmware speak SMCCC 1.1? (psci_init_smccc)', registers: { x0: 0x8400_000an, x1: SMCCC_ARCH.VERSION }, call: 'PSCI_1_0_FN_PSCI_FEATURES' },
  { title: 'the SMCCC version', registers: { x0: SMCCC_ARCH.VERSION }, call: 'ARM_SMCCC_VERSION_FUNC_ID' },
  { title: 'is the Spectre-v2 workaround call there?', registers: { x0: SMCCC_ARCH.ARCH_FEATURES, x1: SMCCC_ARCH.WORKAROUND_1 }, call: 'ARM_SMCCC_ARCH_FEATURES_FUNC_ID' },
  { title: 'the Spectre-v2 workaround', registers: { x0: SMCCC_ARCH.WORKAROUND_1 }, call: 'ARM_SMCCC_ARCH_WORKAROUND_1' },
];

const PSCI_SOURCE =
  'torvalds/linux:include/uapi/linux/psci.h @0f1cd81d and the v5.7 tree\'s psci.h; include/linux/arm-smccc.h @0441bfe7 and @9840cfcb; the v4.12 tree (jason50123/linux-4.12 @d7bbb6bbf66c), v5.0 tree (VVvector/linux-5.0.1 @0fa9cb14d4ed) and v5.7 tree (a5221985/linux-5.7.14 @5d0b54d93391) virt/kvm/arm/psci.c and hypercalls.c; arch/arm64/include/asm/cputype.h (MPIDR_HWID_BITMASK); kvm-unit-tests arm/psci.c @1da1819e';

const NOTES: readonly string[] = [
  `The machine: ${PSCI_ARM64_MODEL_CPUS} vCPUs with MPIDR affinity 0.0.0.0–0.0.0.3 (reset_mpidr). Their power state is the call's hypervisor state (psci.vcpuN.power: 0 on, 1 off): vCPU 0 on and the others off at first; the caller is the vCPU its VMPIDR_EL2 names (unset, vCPU 0).`,
  'CPU_OFF, SYSTEM_OFF and SYSTEM_RESET are noReturn: their semantics make the writes KVM makes and return; whoever runs the spec treats noReturn as the end of the caller.',
  'A 64-bit caller uses the SMC64 IDs for calls with address or MPIDR arguments (CPU_ON 0xC4000003, …); the refusal of SMC64 IDs from 32-bit guests (kvm_psci_check_allowed_function, v5.7+) never applies to an AArch64 caller.',
];

/** KVM's PSCI 0.1 for arm64 guests: the four private IDs. */
export const PSCI_ARM64_V0_1: Abi = defineAbi({
  ...common,
  id: 'psci-arm64-v0.1',
  era: 'KVM/arm64 PSCI 0.1 (KVM-private IDs), v3.11 on',
  status: 'removed',
  purpose: 'The PSCI KVM offered before PSCI 0.2 fixed the function IDs: CPU_SUSPEND, CPU_OFF, CPU_ON and MIGRATE at KVM-private IDs from 0x95c1ba5e, found through the guest\'s device tree. KVM implements only CPU_OFF and CPU_ON; a VMM can still select 0.1.',
  source: { document: 'torvalds/linux:arch/arm64/include/uapi/asm/kvm.h (KVM_PSCI_FN_BASE 0x95c1ba5e, KVM_PSCI_FN(n)); virt/kvm/arm/psci.c kvm_psci_0_1_call (the v4.12 tree)', version: 'v3.11' },
  conduit: { instruction: 'hvc', imm: 'any' },
  origin: GUEST,
  calls: fromRunningVcpu([
    { name: 'KVM_PSCI_FN_CPU_SUSPEND', select: KVM_PSCI_FN_BASE_ARM64, summary: 'not implemented: x0 ← NOT_SUPPORTED', results: [{ register: 'x0', role: 'NOT_SUPPORTED' }], meaning: 'psci-cpu_suspend', run: (c) => answerer('x0')(c, RET.NOT_SUPPORTED) },
    {
      name: 'KVM_PSCI_FN_CPU_OFF',
      select: KVM_PSCI_FN_BASE_ARM64 + 1n,
      summary: 'power the calling vCPU off until a CPU_ON; does not return',
      noReturn: true,
      meaning: 'psci-cpu_off',
      run: (call) => {
        callerOff(call);
        return answerer('x0')(call, RET.SUCCESS);
      },
    },
    {
      name: 'KVM_PSCI_FN_CPU_ON',
      select: KVM_PSCI_FN_BASE_ARM64 + 2n,
      summary: 'power a vCPU on: SUCCESS for one that is off; INVALID_PARAMS for one that is on (0.1 has no ALREADY_ON) or an MPIDR that names none',
      args: [{ register: 'x1', role: 'target_cpu (MPIDR)' }, { register: 'x2', role: 'entry_point_address' }],
      results: [{ register: 'x0', role: 'PSCI_RET' }],
      meaning: 'psci-cpu_on',
      run: (call) => {
        const target = targetOf(call, call.get(X1));
        if (target === undefined || powerOf(call, target) === ON) return answerer('x0')(call, RET.INVALID_PARAMS);
        call.state.set(POWER_KEYS[target]!, ON);
        call.vcpus?.powerOn(target, call.get(X2), call.get(X3));
        return answerer('x0')(call, RET.SUCCESS);
      },
    },
    { name: 'KVM_PSCI_FN_MIGRATE', select: KVM_PSCI_FN_BASE_ARM64 + 3n, summary: 'not implemented: x0 ← NOT_SUPPORTED', results: [{ register: 'x0', role: 'NOT_SUPPORTED' }], meaning: 'psci-migrate', run: (c) => answerer('x0')(c, RET.NOT_SUPPORTED) },
  ]),
  examples: [
    { title: 'bring up CPU 1', registers: { x0: KVM_PSCI_FN_BASE_ARM64 + 2n, x1: 1n, x2: 0x4008_0000n }, call: 'KVM_PSCI_FN_CPU_ON' },
    { title: 'power this CPU off', registers: { x0: KVM_PSCI_FN_BASE_ARM64 + 1n }, call: 'KVM_PSCI_FN_CPU_OFF' },
  ],
  notes: [`The IDs are not SMCCC IDs (${describeArm64FunctionId(KVM_PSCI_FN_BASE_ARM64)}), which is why PSCI 0.2 replaced them. KVM ignores the HVC immediate.`],
});

/** v3.16–v4.15: PSCI 0.2, no SMCCC 1.1. */
export const PSCI_ARM64_V0_2_HVC: Abi = defineAbi({
  ...common,
  id: 'psci-arm64-v0.2-hvc',
  era: 'KVM/arm64 v3.16–v4.15: PSCI 0.2 over HVC',
  status: 'removed',
  purpose: 'PSCI 0.2 with the standard SMCCC IDs for a guest under KVM: PSCI_VERSION answers 2, PSCI_FEATURES does not exist yet, and there are no SMCCC 1.1 architecture calls: SMCCC_VERSION is an unknown ID (−1), which is how a guest learns it has SMCCC 1.0.',
  source: { document: `${PSCI_SOURCE} (v4.12 tree psci.c: kvm_psci_0_2_call, val = 2 for PSCI_VERSION; vcpu_set_reg(vcpu, 0, val))`, version: 'v4.12' },
  conduit: { instruction: 'hvc', imm: 'any' },
  origin: GUEST,
  calls: tableCalls({ version: 2n, retval: 'x0', smccc11: false, conduit: 'hvc' }),
  examples: [...EXAMPLES, { title: 'SMCCC_VERSION does not exist yet', registers: { x0: SMCCC_ARCH.VERSION }, call: 'unknown' }],
  notes: ['Results go to x0 only (vcpu_set_reg(vcpu, 0, val)); x1–x3 are left as the guest had them.', 'KVM ignores the HVC immediate (handle_hvc only traces it).', ...NOTES],
});

/** v4.16–≈v5.11 (modelled at v5.7): PSCI 1.0 and SMCCC 1.1. */
export const PSCI_ARM64_V1_0_HVC: Abi = defineAbi({
  ...common,
  id: 'psci-arm64-v1.0-hvc',
  era: 'KVM/arm64 v4.16–≈v5.11: PSCI 1.0 and SMCCC 1.1 over HVC (answers of v5.7)',
  status: 'removed',
  purpose: 'PSCI 1.0 and the SMCCC 1.1 architecture calls for a guest under KVM: PSCI_FEATURES, SMCCC_VERSION 1.1, ARCH_FEATURES for the Spectre workarounds and PV time, the workaround calls themselves answered at EL2 without an exit, and every answer written with smccc_set_retval (x1–x3 zeroed).',
  source: { document: `${PSCI_SOURCE} (v5.7 tree virt/kvm/arm/psci.c:329 kvm_psci_1_0_call, hypercalls.c:21 kvm_hvc_call_handler; arch/arm64/kvm/hyp/hyp-entry.S el1_hvc_guest)`, version: 'v5.7', note: 'The era starts with PSCI 1.0 in v4.16; WORKAROUND_2 (≈v4.18) and PV time (≈v5.5) arrived inside it; the model answers as v5.7 does. Where vendor-hyp services begin (≈v5.12) their IDs leave this spec\'s unknown call (kvm-vendor-hyp-arm64).' },
  conduit: { instruction: 'hvc', imm: 'any' },
  origin: GUEST,
  recognition: {
    inspects: ['privilege'],
    registersGivenUp: 0,
    slowsSyscalls: 'no: system calls use svc, which a guest takes at its own EL1; an hvc traps to EL2 only from the guest kernel (HVC is UNDEFINED at EL0), and KVM reads only the function ID in w0, the SMCCC convention every caller follows anyway',
  },
  calls: tableCalls({ version: 0x1_0000n, retval: 'x0-x3', smccc11: true, conduit: 'hvc' }),
  examples: [...EXAMPLES, ...SMCCC_EXAMPLES, { title: 'the immediate is ignored: hvc #1 is PSCI too', registers: { x0: 0x8400_0000n }, imm: 1, call: 'PSCI_0_2_FN_PSCI_VERSION' }],
  notes: [
    `PSCI_VERSION answers KVM_ARM_PSCI_1_0 (0x10000) unless the VMM selects 0.2 or 0.1 (KVM_REG_ARM_PSCI_VERSION). ARCH_FEATURES answers for ${MODELLED_HOST}; other hosts answer NOT_REQUIRED or NOT_SUPPORTED.`,
    'PSCI_FEATURES(ARM_SMCCC_VERSION_FUNC_ID) is 0: the probe psci_init_smccc() makes before it uses SMCCC 1.1.',
    'WORKAROUND_1 and _2 never leave EL2: el1_hvc_guest answers x0 = 0 at once (x1 is clobbered, the workaround already applied on the host).',
    ...NOTES,
  ],
});

/** The host kernel calling its firmware with SMC #0. */
export const PSCI_ARM64_SMC: Abi = defineAbi({
  ...common,
  id: 'psci-arm64-smc',
  era: 'PSCI 1.0 and SMCCC 1.1 over SMC to the firmware (the table of psci-arm64-v1.0-hvc)',
  status: 'mainline',
  purpose: 'A kernel running on the hardware (or a nVHE host) with method "smc" calls the secure firmware at EL3 with the same SMCCC IDs. The conduit and the caller differ from a guest\'s PSCI: the same smc #0 from a guest never reaches the firmware, HCR_EL2.TSC traps it to KVM (psci-arm64-guest-smc-*).',
  source: { document: `${PSCI_SOURCE}`, version: 'PSCI 1.0 / SMCCC 1.1 (answered as KVM v5.7 answers them, so that the conduits compare call by call)' },
  conduit: { instruction: 'smc', imm: 0n },
  origin: { privilege: ['kernel', 'hyp'], world: ['host'] },
  calls: tableCalls({ version: 0x1_0000n, retval: 'x0-x3', smccc11: true, conduit: 'smc' }),
  examples: [...EXAMPLES, ...SMCCC_EXAMPLES],
  notes: ['SMC is UNDEFINED at EL0 and, with no EL3, at every level (abi-facts §11.5); the model is a machine with firmware at EL3. A real firmware may answer more (SYSTEM_SUSPEND, MIGRATE); only the workaround calls differ from KVM\'s table: SMCCC defines no return value for them.', ...NOTES],
});

/** ≤ ≈v4.17: a guest SMC is an undefined instruction. */
export const PSCI_ARM64_GUEST_SMC_UNDEF: Abi = defineAbi({
  ...common,
  id: 'psci-arm64-guest-smc-undef',
  era: 'KVM/arm64 ≤ ≈v4.17',
  status: 'removed',
  purpose: 'A guest that uses SMC as its PSCI conduit under an old KVM: HCR_EL2.TSC traps the SMC to EL2 and handle_smc injects an undefined-instruction exception, whatever the ID. A guest must use method "hvc".',
  source: { document: 'torvalds/linux:arch/arm64/kvm/handle_exit.c @0067df41 (handle_smc: kvm_inject_undefined)', version: '≈v4.17', note: 'When "inject UNDEF" became "x0 = −1 and skip" is UNCONFIRMED (by v5.7, abi-facts Appendix A.13).' },
  conduit: { instruction: 'smc', imm: 'any' },
  origin: GUEST,
  calls: [
    {
      name: 'inject_undefined',
      select: 'otherwise',
      summary: 'KVM injects an undefined-instruction exception: the guest takes its own EL1 vector (Unknown reason) at the smc; no register is written and the caller does not resume after it',
      noReturn: true,
      meaning: 'inject-undefined',
      run: () => RETURN,
    },
  ],
  examples: [{ title: 'PSCI_VERSION over SMC from a guest', registers: { x0: 0x8400_0000n }, call: 'inject_undefined' }],
});

/** By v5.7: x0 = −1 and skip. */
export const PSCI_ARM64_GUEST_SMC_V5_7: Abi = defineAbi({
  ...common,
  id: 'psci-arm64-guest-smc-v5.7',
  era: 'KVM/arm64 ≈v4.18 (UNCONFIRMED)–≈v6.3, present in v5.7',
  status: 'removed',
  purpose: 'KVM stops injecting UNDEF for a guest SMC: "an SMC trapped by HCR_EL2.TSC is a Trap exception, not a Secure Monitor Call" (ARM ARM, quoted in handle_smc), so KVM answers x0 = −1 (NOT_SUPPORTED) and skips the instruction, whatever the ID. PSCI over SMC still does not work for guests.',
  source: { document: 'v5.7 tree (a5221985/linux-5.7.14 @5d0b54d93391) arch/arm64/kvm/handle_exit.c (handle_smc: vcpu_set_reg(vcpu, 0, ~0UL); kvm_skip_instr)', version: 'v5.7' },
  conduit: { instruction: 'smc', imm: 'any' },
  origin: GUEST,
  calls: [
    {
      name: 'not_supported',
      select: 'otherwise',
      summary: 'x0 ← −1 (~0UL) and the smc is skipped: the guest resumes after it (the trap\'s preferred return is the smc itself, so KVM advances the PC)',
      results: [{ register: 'x0', role: '−1' }],
      meaning: 'smccc-not-supported',
      run: (call) => {
        call.set(X0, RET.NOT_SUPPORTED);
        return RETURN;
      },
    },
  ],
  examples: [{ title: 'PSCI_VERSION over SMC from a guest', registers: { x0: 0x8400_0000n }, call: 'not_supported' }],
});

/** ≈v6.4: guest SMCs go to the SMCCC handler; a non-zero immediate is −1. */
export const PSCI_ARM64_GUEST_SMC_V6_4: Abi = defineAbi({
  ...common,
  id: 'psci-arm64-guest-smc-v6.4',
  era: 'KVM/arm64 ≈v6.4 (release UNCONFIRMED)–',
  status: 'mainline',
  purpose: 'O. Upton\'s change: an EL1 SMC from a guest goes to kvm_smccc_call_handler like an HVC, so PSCI works over either conduit (and a VMM may filter or forward IDs). The PC is advanced before the call; an SMC with a non-zero immediate answers −1 (reserved, "according to DEN0028E 2.9").',
  source: { document: 'O. Upton, SMCCC filter and SMC-conduit patches (mailing list, 2023): handle_smc, kvm_smccc_call_handler; uapi linux/kvm.h KVM_SMCCC_FILTER_HANDLE 0, DENY 1, FWD_TO_USER 2', version: '≈v6.4', note: 'The release is UNCONFIRMED (abi-facts Appendix A.13). The table is psci-arm64-v1.0-hvc\'s (the v5.7 answers): the PSCI and SMCCC versions a ≈v6.4 KVM reports are not in the fact sheet.' },
  conduit: { instruction: 'smc', imm: 'any' },
  origin: GUEST,
  calls: tableCalls({ version: 0x1_0000n, retval: 'x0-x3', smccc11: true, conduit: 'hvc' }).map((call) => ({
    ...call,
    summary: `${call.summary}; with a non-zero smc immediate x0 ← −1 instead`,
    run: (context: CallContext) => {
      if (context.imm !== 0) {
        context.set(X0, RET.NOT_SUPPORTED);
        return RETURN;
      }
      return call.run(context);
    },
  })),
  examples: [...EXAMPLES, { title: 'smc #1: the immediate is reserved, −1', registers: { x0: 0x8400_0000n }, imm: 1, call: 'PSCI_0_2_FN_PSCI_VERSION' }],
  notes: ['With the SMCCC filter a VMM can deny an ID (−1) or forward it to user space (KVM_EXIT_HYPERCALL with KVM_HYPERCALL_EXIT_SMC, and _16BIT for a 16-bit instruction); the model is the default, HANDLE.', ...NOTES],
});

/** Every PSCI/SMCCC spec for 64-bit callers. */
export const PSCI_ARM64_ABIS: readonly Abi[] = [PSCI_ARM64_V0_1, PSCI_ARM64_V0_2_HVC, PSCI_ARM64_V1_0_HVC, PSCI_ARM64_SMC, PSCI_ARM64_GUEST_SMC_UNDEF, PSCI_ARM64_GUEST_SMC_V5_7, PSCI_ARM64_GUEST_SMC_V6_4];
