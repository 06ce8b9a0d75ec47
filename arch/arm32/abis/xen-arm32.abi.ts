/**
 * Xen's hypercall ABI for 32-bit ARM guests: `hvc #0xEA1` (the Xen tag in the
 * immediate), hypercall number in r12, up to five arguments in r0–r4, result
 * in r0. Xen keys on the HVC immediate: 0xEA1 is a hypercall, 0 goes to its
 * SMCCC/PSCI handler, and any other immediate is refused with an undefined
 * instruction injected into the guest. Each of the modelled answers is a spec
 * of the `xen-arm32` family.
 *
 * Facts: ../shared/abi-facts.md §9.3 (xen-project/xen @c447b7308b13:
 * xen/include/public/arch-arm.h, xen/include/public/xen.h,
 * xen/include/hypercall-defs.c, xen/arch/arm/traps.c).
 *
 * @module
 */

import { defineAbi, IMMEDIATE_SELECTOR, RETURN, type Abi, type AbiSpec, type CallContext, type CallSpec, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { R0 } from './spec-registers.ts';

/** `XEN_HYPERCALL_TAG`: the HVC immediate of every Xen hypercall on ARM. */
export const XEN_HYPERCALL_TAG = 0xea1;

/** `ENOSYS`, which Xen returns negated for a hypercall it does not have. */
export const XEN_ENOSYS = 38n;

/** How Xen's Arm build provides a hypercall (the arm column of hypercall-defs.c). */
export type XenArmHandler = 'do' | 'do_arm' | 'deprecated';

/** One `__HYPERVISOR_*` hypercall Xen on Arm dispatches: number, name, what it is for and how it is built in. */
export interface XenHypercall {
  /** `__HYPERVISOR_<name>` (xen/include/public/xen.h). */
  readonly number: number;
  /** Name without the prefix. */
  readonly name: string;
  /** What it does, one line. */
  readonly summary: string;
  /** Arguments, in order (r0…), as hypercall-defs.c declares them. */
  readonly args: readonly string[];
  /** `do` (do_<name>), `do_arm` (an Arm-specific do_arm_<name>) or `deprecated` (dep_<name>: −ENOSYS). */
  readonly handler: XenArmHandler;
  /** The Kconfig option the row is under in hypercall-defs.c, if any, and its default on Arm. */
  readonly config?: XenKconfig;
}

/** A Kconfig option a hypercall is built under. */
export interface XenKconfig {
  /** The option, e.g. `CONFIG_ARGO`. */
  readonly option: string;
  /** Whether a default Arm build has it. */
  readonly defaultOnArm: boolean;
}

/**
 * Every hypercall in the arm column of Xen's hypercall-defs.c at
 * c447b7308b13, with its number from xen.h. The `arch-arm.h` comment lists
 * only eleven (memory_op … domctl); that list was never updated.
 */
export const XEN_ARM_HYPERCALLS: readonly XenHypercall[] = [
  { number: 6, name: 'sched_op_compat', summary: 'the pre-3.1 scheduler call, deprecated: dep_sched_op_compat answers −ENOSYS', args: ['cmd', 'arg'], handler: 'deprecated' },
  { number: 7, name: 'platform_op', summary: 'platform operations for dom0 (on Arm: XENPF_settime64 and the few others the Arm handler takes)', args: ['u_xenpf_op'], handler: 'do' },
  { number: 12, name: 'memory_op', summary: 'memory reservation and physmap operations (e.g. XENMEM_add_to_physmap to map shared_info and the grant table)', args: ['cmd', 'arg'], handler: 'do' },
  { number: 13, name: 'multicall', summary: 'run a list of hypercalls in one trap (on arm32 each entry is checked to be 32-bit clean)', args: ['call_list', 'nr_calls'], handler: 'do' },
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

/** −ENOSYS as r0 holds it. */
const MINUS_ENOSYS = Number(BigInt.asUintN(32, -XEN_ENOSYS));

function minusEnosys(call: CallContext): ReturnOutcome {
  call.setU32(R0, MINUS_ENOSYS);
  return RETURN;
}

function hypercall(h: XenHypercall): CallSpec {
  const base = {
    name: `__HYPERVISOR_${h.name}`,
    select: BigInt(h.number),
    args: h.args.map((role, i) => ({ register: `r${i}`, role })),
    // arch-arm.h: the hypercall clobbers r12 and the argument registers it uses, except r0, which is the result.
    clobbers: ['r12', ...h.args.slice(1).map((_, i) => `r${i + 1}`)],
  };
  const built = h.config === undefined ? '' : ` (built with ${h.config.option}, ${h.config.defaultOnArm ? 'on by default on Arm' : 'off by default on Arm'}; without it → −ENOSYS)`;
  if (h.handler === 'deprecated') {
    return { ...base, summary: h.summary, results: [{ register: 'r0', role: '-ENOSYS' }], meaning: 'enosys', run: minusEnosys };
  }
  return {
    ...base,
    summary: `${h.summary}${built}`,
    results: [{ register: 'r0', role: 'result, or −errno' }],
    // Dispatch only: which hypercall, which arguments. Xen itself is not emulated, so r0 is left as it was.
    run: () => RETURN,
  };
}

const xenCommon = {
  family: 'xen-arm32',
  arch: 'arm32',
  // Every Xen domain, dom0 included, is a guest of Xen; HVC is UNDEFINED at PL0.
  origin: { privilege: ['kernel'], world: ['guest'] },
  priority: 0,
} as const satisfies Partial<AbiSpec>;

const XEN_SOURCE = 'xen-project/xen @c447b7308b13';

/** Xen on ARM, 32-bit guest: `hvc #0xEA1`, number in r12. */
export const XEN_ARM32: Abi = defineAbi({
  ...xenCommon,
  id: 'xen-arm32',
  era: 'Xen on ARM (Xen @c447b7308b13)',
  status: 'mainline',
  purpose:
    'How a guest kernel (dom0 or domU) calls the Xen hypervisor on ARM: `hvc` with the Xen tag 0xEA1 as the immediate, the hypercall number in r12 (ip, an AAPCS scratch register, so the choice costs callers nothing), up to five arguments in r0–r4, the result in r0.',
  source: {
    document: `${XEN_SOURCE}: xen/include/public/arch-arm.h (calling convention, XEN_HYPERCALL_TAG 0xEA1), xen/include/public/xen.h (__HYPERVISOR_* numbers), xen/include/hypercall-defs.c (the arm column: the hypercalls Xen on Arm dispatches), xen/arch/arm/traps.c (do_trap_hypercall, dep_* → −ENOSYS)`,
    version: 'Xen @c447b7308b13 (multicall since Xen 4.5, f0dbdc628a; platform_op since 4.7, 6c311769a6; vm_assist, 72c538cca9)',
  },
  conduit: { instruction: 'hvc', imm: BigInt(XEN_HYPERCALL_TAG) },
  selector: { register: 'r12', width: 32 },
  calls: [
    ...XEN_ARM_HYPERCALLS.map(hypercall),
    {
      name: 'unknown',
      select: 'otherwise',
      summary: 'a number the Arm table has no handler for (the x86-only hypercalls included): r0 ← −ENOSYS (0xffffffda)',
      results: [{ register: 'r0', role: '-ENOSYS' }],
      clobbers: ['r12'],
      meaning: 'enosys',
      run: minusEnosys,
    },
  ],
  examples: [
    { title: 'write to the Xen console', registers: { r12: 18n, r0: 0n, r1: 13n, r2: 0x4000_1000n }, call: '__HYPERVISOR_console_io' },
    { title: 'read a HVM parameter (xenstore ring)', registers: { r12: 34n, r0: 1n, r1: 0x4000_2000n }, call: '__HYPERVISOR_hvm_op' },
    { title: 'batch two hypercalls', registers: { r12: 13n, r0: 0x4000_3000n, r1: 2n }, call: '__HYPERVISOR_multicall' },
    { title: 'dom0 sets the wall clock', registers: { r12: 7n, r0: 0x4000_4000n }, call: '__HYPERVISOR_platform_op' },
    { title: 'a deprecated hypercall', registers: { r12: 6n }, call: '__HYPERVISOR_sched_op_compat' },
    { title: 'an x86-only hypercall (mmu_update)', registers: { r12: 1n }, call: 'unknown' },
  ],
  notes: [
    "Xen tells its hypercalls apart by the HVC immediate (traps.c, HSR_EC_HVC32): ISS 0xEA1 is a hypercall (this spec), ISS 0 goes to Xen's SMCCC/PSCI handler do_trap_hvc_smccc, and any other ISS is refused with an undefined instruction injected (xen-arm32-hvc-undef). KVM and the Linux hyp-stub ignore the immediate.",
    "Xen's hvc #0 handler (xen/arch/arm/vsmc.c: SMCCC 1.2, vPSCI, the Xen hypervisor-service UID, FF-A and SCI calls) is a documented note, not a spec: it is a second SMCCC implementation with its own state (vPSCI) that this model does not have. So for hvc #0 from a guest the dispatcher and the collision analysis show only KVM's psci-v0.2-hvc and kvm-psci-v0.1; under Xen the same call gets Xen's answers (SMCCC_VERSION 0x10002, not KVM's 0x10001).",
    'The model is a Xen built with every row of the Arm column, including ARGO and IOREQ_SERVER, which are off by default on Arm (their summaries say so); in a default build those numbers answer −ENOSYS.',
    'The reference handler models the dispatch only (which hypercall, which arguments), apart from what Xen itself answers without running a handler: −ENOSYS for numbers without one and for the deprecated compat calls.',
    'A debug build of Xen overwrites the argument registers a hypercall used with 0xdeadbeef and r12 with 0xdeadbeef after it returns (traps.c, #ifndef NDEBUG): the clobber list allows it.',
  ],
});

/** Xen on ARM: an `hvc` whose immediate is neither 0 nor the Xen tag gets an undefined instruction injected. */
export const XEN_ARM32_HVC_UNDEF: Abi = defineAbi({
  ...xenCommon,
  id: 'xen-arm32-hvc-undef',
  era: 'Xen on ARM (Xen @c447b7308b13)',
  status: 'mainline',
  purpose:
    "What Xen on ARM does with an HVC whose immediate it does not know: neither the Xen tag (a hypercall) nor 0 (SMCCC/PSCI). do_trap_hypercall refuses it (\"Invalid HVC imm\") and injects an undefined-instruction exception, so the guest's own undefined-instruction handler runs at the hvc instead of any hypercall.",
  source: { document: `${XEN_SOURCE}: xen/arch/arm/traps.c (do_trap_guest_sync, HSR_EC_HVC32: hsr.iss == 0 → do_trap_hvc_smccc, else do_trap_hypercall; do_trap_hypercall: hsr.iss != XEN_HYPERCALL_TAG → inject_undef_exception)`, version: 'Xen @c447b7308b13' },
  conduit: {
    instruction: 'hvc',
    imm: [
      { min: 1n, max: BigInt(XEN_HYPERCALL_TAG - 1) },
      { min: BigInt(XEN_HYPERCALL_TAG + 1), max: 0xffffn },
    ],
  },
  selector: { register: IMMEDIATE_SELECTOR, width: 32 },
  calls: [
    {
      name: 'inject_undef_exception',
      select: 'otherwise',
      summary: "not a Xen hypercall: Xen injects an undefined-instruction exception, and the guest takes its own undefined-instruction vector at the hvc; the caller does not resume after it, and no register is written",
      noReturn: true,
      meaning: 'inject-undefined',
      // A spec outcome cannot enter the guest's vector; the semantics write nothing, and noReturn says the caller does not resume after the hvc.
      run: () => RETURN,
    },
  ],
  examples: [
    { title: 'hvc #1 under Xen', registers: { r12: 18n }, imm: 1, call: 'inject_undef_exception' },
    { title: 'a KVM-style hvc #0xffff', registers: {}, imm: 0xffff, call: 'inject_undef_exception' },
  ],
  notes: [
    'The immediate is the selector: every HVC immediate but 0 and 0xEA1 reaches this one call, whatever r12 holds.',
    'A debug build of Xen (no NDEBUG) takes immediates 0xff00–0xffff as its debug traps (do_debug_trap: print a register, a character, or the state) instead; the model is a release build.',
  ],
});

/** Xen's specs. */
export const XEN_ARM32_ABIS: readonly Abi[] = [XEN_ARM32, XEN_ARM32_HVC_UNDEF];
