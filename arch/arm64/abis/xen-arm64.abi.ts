/**
 * Xen's hypercall ABI for 64-bit ARM guests: `hvc #0xEA1` (the Xen tag in
 * the immediate), hypercall number in x16, up to five arguments in x0–x4,
 * result in x0. Xen keys on the HVC immediate: 0xEA1 is a hypercall, 0 goes
 * to its SMCCC/PSCI handler, and any other immediate is refused with an
 * undefined instruction injected into the guest.
 *
 * Facts: ../shared/abi-facts.md §9.3 (xen-project/xen @c447b7308b13:
 * xen/include/public/arch-arm.h, xen/include/public/xen.h,
 * xen/include/hypercall-defs.c, xen/arch/arm/traps.c;
 * torvalds/linux:arch/arm64/xen/hypercall.S).
 *
 * @module
 */

import { defineAbi, IMMEDIATE_SELECTOR, RETURN, type Abi, type AbiSpec, type CallContext, type CallSpec, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { X0 } from './spec-registers.ts';

/** `XEN_HYPERCALL_TAG`: the HVC immediate of every Xen hypercall on ARM. */
export const XEN_ARM64_HYPERCALL_TAG = 0xea1;

/** `ENOSYS`, which Xen returns negated for a hypercall it does not have. */
export const XEN_ARM64_ENOSYS = 38n;

/** A Kconfig option a hypercall is built under. */
export interface XenArm64Kconfig {
  /** The option, e.g. `CONFIG_ARGO`. */
  readonly option: string;
  /** Whether a default Arm build has it. */
  readonly defaultOnArm: boolean;
}

/** One `__HYPERVISOR_*` hypercall Xen on Arm dispatches. */
export interface XenArm64Hypercall {
  /** `__HYPERVISOR_<name>` (xen/include/public/xen.h). */
  readonly number: number;
  /** Name without the prefix. */
  readonly name: string;
  /** What it does, one line. */
  readonly summary: string;
  /** Arguments, in order (x0…), as hypercall-defs.c declares them. */
  readonly args: readonly string[];
  /** `do`, `do_arm` (an Arm-specific handler) or `deprecated` (−ENOSYS). */
  readonly handler: 'do' | 'do_arm' | 'deprecated';
  /** The Kconfig option the row is under, if any, and its default on Arm. */
  readonly config?: XenArm64Kconfig;
}

/** Every hypercall in the arm column of Xen's hypercall-defs.c at c447b7308b13 (the same numbers and handlers for 32- and 64-bit guests). */
export const XEN_ARM64_HYPERCALLS: readonly XenArm64Hypercall[] = [
  { number: 6, name: 'sched_op_compat', summary: 'the pre-3.1 scheduler call, deprecated: dep_sched_op_compat answers −ENOSYS', args: ['cmd', 'arg'], handler: 'deprecated' },
  { number: 7, name: 'platform_op', summary: 'platform operations for dom0 (on Arm: XENPF_settime64 and the few others the Arm handler takes)', args: ['u_xenpf_op'], handler: 'do' },
  { number: 12, name: 'memory_op', summary: 'memory reservation and physmap operations (e.g. XENMEM_add_to_physmap to map shared_info and the grant table)', args: ['cmd', 'arg'], handler: 'do' },
  { number: 13, name: 'multicall', summary: 'run a list of hypercalls in one trap (entries of a 64-bit guest are used as they are)', args: ['call_list', 'nr_calls'], handler: 'do' },
  { number: 16, name: 'event_channel_op_compat', summary: 'the old event-channel call, deprecated: dep_event_channel_op_compat answers −ENOSYS', args: ['uop'], handler: 'deprecated' },
  { number: 17, name: 'xen_version', summary: 'Xen version and feature queries', args: ['cmd', 'arg'], handler: 'do' },
  { number: 18, name: 'console_io', summary: 'read or write the Xen emergency console', args: ['cmd', 'count', 'buffer'], handler: 'do' },
  { number: 19, name: 'physdev_op_compat', summary: 'the old physical-device call, deprecated: dep_physdev_op_compat answers −ENOSYS', args: ['uop'], handler: 'deprecated' },
  { number: 20, name: 'grant_table_op', summary: 'grant-table operations (share pages with other domains)', args: ['cmd', 'uop', 'count'], handler: 'do', config: { option: 'CONFIG_GRANT_TABLE', defaultOnArm: true } },
  { number: 21, name: 'vm_assist', summary: 'enable or disable a VM assist for the domain (cmd, type)', args: ['cmd', 'type'], handler: 'do' },
  { number: 24, name: 'vcpu_op', summary: 'per-VCPU operations: on Arm VCPUOP_register_vcpu_info and VCPUOP_register_runstate_memory_area', args: ['cmd', 'vcpuid', 'arg'], handler: 'do' },
  { number: 27, name: 'xsm_op', summary: 'Xen Security Modules (FLASK) operations', args: ['op'], handler: 'do', config: { option: 'CONFIG_XSM', defaultOnArm: true } },
  { number: 29, name: 'sched_op', summary: 'scheduler operations: yield, shutdown, poll', args: ['cmd', 'arg'], handler: 'do' },
  { number: 32, name: 'event_channel_op', summary: 'event-channel operations', args: ['cmd', 'arg'], handler: 'do' },
  { number: 33, name: 'physdev_op', summary: 'physical-device operations, through the Arm handler do_arm_physdev_op', args: ['cmd', 'arg'], handler: 'do_arm' },
  { number: 34, name: 'hvm_op', summary: 'HVM parameters: on Arm HVMOP_set_param and HVMOP_get_param (xenstore and console rings)', args: ['op', 'arg'], handler: 'do', config: { option: 'CONFIG_HVM', defaultOnArm: true } },
  { number: 35, name: 'sysctl', summary: 'system-wide control (toolstack, dom0)', args: ['u_sysctl'], handler: 'do', config: { option: 'CONFIG_SYSCTL', defaultOnArm: true } },
  { number: 36, name: 'domctl', summary: 'domain control (toolstack, dom0)', args: ['u_domctl'], handler: 'do' },
  { number: 39, name: 'argo_op', summary: 'Argo: hypervisor-mediated interdomain messages', args: ['cmd', 'arg1', 'arg2', 'arg3', 'arg4'], handler: 'do', config: { option: 'CONFIG_ARGO', defaultOnArm: false } },
  { number: 41, name: 'dm_op', summary: 'device-model operations for an IOREQ server (domid, nr_bufs, bufs)', args: ['domid', 'nr_bufs', 'bufs'], handler: 'do', config: { option: 'CONFIG_IOREQ_SERVER', defaultOnArm: false } },
  { number: 42, name: 'hypfs_op', summary: 'the hypervisor file system (read and write hypervisor settings from dom0)', args: ['cmd', 'arg1', 'arg2', 'arg3', 'arg4'], handler: 'do', config: { option: 'CONFIG_HYPFS', defaultOnArm: true } },
];

/** −ENOSYS as x0 holds it (a 64-bit long). */
const MINUS_ENOSYS = BigInt.asUintN(64, -XEN_ARM64_ENOSYS);

function minusEnosys(call: CallContext): ReturnOutcome {
  call.set(X0, MINUS_ENOSYS);
  return RETURN;
}

function hypercall(h: XenArm64Hypercall): CallSpec {
  const base = {
    name: `__HYPERVISOR_${h.name}`,
    select: BigInt(h.number),
    args: h.args.map((role, i) => ({ register: `x${i}`, role })),
    // arch-arm.h: x16 and the argument registers a hypercall uses may be clobbered, except x0, which is the result.
    clobbers: ['x16', ...h.args.slice(1).map((_, i) => `x${i + 1}`)],
  };
  const built = h.config === undefined ? '' : ` (built with ${h.config.option}, ${h.config.defaultOnArm ? 'on by default on Arm' : 'off by default on Arm'}; without it → −ENOSYS)`;
  if (h.handler === 'deprecated') return { ...base, summary: h.summary, results: [{ register: 'x0', role: '-ENOSYS' }], meaning: 'enosys', run: minusEnosys };
  // Dispatch only: which hypercall, which arguments. Xen itself is not emulated, so x0 is left as it was.
  return { ...base, summary: `${h.summary}${built}`, results: [{ register: 'x0', role: 'result, or −errno' }], run: () => RETURN };
}

const xenCommon = {
  family: 'xen-arm64',
  arch: 'arm64',
  // Every Xen domain, dom0 included, is a guest of Xen; HVC is UNDEFINED at EL0.
  origin: { privilege: ['kernel'], world: ['guest'] },
  priority: 0,
} as const satisfies Partial<AbiSpec>;

const XEN_SOURCE = 'xen-project/xen @c447b7308b13';

/** Xen on ARM, 64-bit guest: `hvc #0xEA1`, number in x16. */
export const XEN_ARM64: Abi = defineAbi({
  ...xenCommon,
  id: 'xen-arm64',
  era: 'Xen on ARM (Xen @c447b7308b13), AArch64 guest',
  status: 'mainline',
  purpose:
    'How a 64-bit guest kernel (dom0 or domU) calls Xen on ARM: `hvc #0xEA1`, the hypercall number in x16 (ip0, an AAPCS64 scratch register), up to five arguments in x0–x4, the result in x0. Linux does it in arch/arm64/xen/hypercall.S: `mov x16, #nr; hvc XEN_IMM; ret`.',
  source: {
    document: `${XEN_SOURCE}: xen/include/public/arch-arm.h (x16, x0–x4, XEN_HYPERCALL_TAG 0xEA1), xen/include/public/xen.h (__HYPERVISOR_* numbers), xen/include/hypercall-defs.c (the arm column), xen/arch/arm/traps.c (do_trap_hypercall); torvalds/linux:arch/arm64/xen/hypercall.S`,
    version: 'Xen @c447b7308b13 (multicall since Xen 4.5, platform_op since 4.7)',
  },
  conduit: { instruction: 'hvc', imm: BigInt(XEN_ARM64_HYPERCALL_TAG) },
  selector: { register: 'x16', width: 64 },
  recognition: {
    inspects: ['immediate'],
    registersGivenUp: 1,
    slowsSyscalls: 'no: system calls use svc, a different conduit taken at EL1, so Xen never sees them; the hvc immediate (ESR_EL2.ISS) tells a hypercall (0xEA1) from an SMCCC call (0), and the number goes in x16, an AAPCS64 scratch register',
  },
  calls: [
    ...XEN_ARM64_HYPERCALLS.map(hypercall),
    { name: 'unknown', select: 'otherwise', summary: 'a number the Arm table has no handler for (the x86-only hypercalls included): x0 ← −ENOSYS (0xffffffffffffffda)', results: [{ register: 'x0', role: '-ENOSYS' }], clobbers: ['x16'], meaning: 'enosys', run: minusEnosys },
  ],
  examples: [
    { title: 'write to the Xen console', registers: { x16: 18n, x0: 0n, x1: 13n, x2: 0x4000_1000n }, call: '__HYPERVISOR_console_io' },
    { title: 'read a HVM parameter (xenstore ring)', registers: { x16: 34n, x0: 1n, x1: 0x4000_2000n }, call: '__HYPERVISOR_hvm_op' },
    { title: 'batch two hypercalls', registers: { x16: 13n, x0: 0x4000_3000n, x1: 2n }, call: '__HYPERVISOR_multicall' },
    { title: 'an x86-only hypercall (mmu_update)', registers: { x16: 1n }, call: 'unknown' },
  ],
  notes: [
    "Xen tells its hypercalls apart by the HVC immediate (traps.c, HSR_EC_HVC64): ISS 0xEA1 is a hypercall (this spec), ISS 0 goes to Xen's SMCCC/PSCI handler do_trap_hvc_smccc, any other ISS gets an undefined instruction injected (xen-arm64-hvc-undef). KVM ignores the immediate, so under KVM the same hvc #0xEA1 with an SMCCC ID in w0 is PSCI: which hypervisor a guest has is decided by its device tree, before it issues either.",
    "Xen's own hvc #0 handler (SMCCC 1.2, vPSCI) is not a spec here (as on arm32): for hvc #0 from a guest the dispatcher shows KVM's answers.",
    'A debug build of Xen overwrites the argument registers a hypercall used, and x16, with 0xdeadbeef after it returns: the clobber list allows it.',
  ],
});

/** Xen on ARM: an `hvc` whose immediate is neither 0 nor the Xen tag gets an undefined instruction injected. */
export const XEN_ARM64_HVC_UNDEF: Abi = defineAbi({
  ...xenCommon,
  id: 'xen-arm64-hvc-undef',
  era: 'Xen on ARM (Xen @c447b7308b13), AArch64 guest',
  status: 'mainline',
  purpose: 'What Xen on ARM does with an HVC whose immediate it does not know (neither the Xen tag nor 0): do_trap_hypercall refuses it and injects an undefined-instruction exception, so the guest\'s own EL1 vector runs at the hvc.',
  source: { document: `${XEN_SOURCE}: xen/arch/arm/traps.c (do_trap_guest_sync, HSR_EC_HVC64: iss == 0 → do_trap_hvc_smccc, else do_trap_hypercall; iss != XEN_HYPERCALL_TAG → inject_undef_exception)`, version: 'Xen @c447b7308b13' },
  conduit: {
    instruction: 'hvc',
    imm: [
      { min: 1n, max: BigInt(XEN_ARM64_HYPERCALL_TAG - 1) },
      { min: BigInt(XEN_ARM64_HYPERCALL_TAG + 1), max: 0xffffn },
    ],
  },
  selector: { register: IMMEDIATE_SELECTOR, width: 32 },
  calls: [
    {
      name: 'inject_undef_exception',
      select: 'otherwise',
      summary: 'not a Xen hypercall: Xen injects an undefined-instruction exception and the guest takes its own EL1 vector at the hvc; the caller does not resume after it, and no register is written',
      noReturn: true,
      meaning: 'inject-undefined',
      run: () => RETURN,
    },
  ],
  examples: [
    { title: 'hvc #1 under Xen', registers: { x16: 18n }, imm: 1, call: 'inject_undef_exception' },
    { title: 'a KVM-style hvc #0xffff', registers: {}, imm: 0xffff, call: 'inject_undef_exception' },
  ],
  notes: ['The immediate is the selector: every HVC immediate but 0 and 0xEA1 reaches this one call, whatever x16 holds.'],
});

/** Xen's arm64 specs. */
export const XEN_ARM64_ABIS: readonly Abi[] = [XEN_ARM64, XEN_ARM64_HVC_UNDEF];
