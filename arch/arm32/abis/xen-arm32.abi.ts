/**
 * Xen's hypercall ABI for 32-bit ARM guests: `hvc #0xEA1` (the Xen tag in the
 * immediate), hypercall number in r12, up to five arguments in r0–r4, result
 * in r0. The immediate is what tells a Xen hypercall from the `hvc #0` that
 * PSCI and the Linux hyp-stub use.
 *
 * Facts: ../shared/abi-facts.md §9.3 (xen-project/xen:xen/include/public/arch-arm.h,
 * xen/include/public/xen.h).
 *
 * @module
 */

import { defineAbi, type Abi, type CallSpec } from '../../../src/abi/spec.ts';

/** `XEN_HYPERCALL_TAG`: the HVC immediate of every Xen hypercall on ARM. */
export const XEN_HYPERCALL_TAG = 0xea1;

/** `ENOSYS`, which Xen returns negated for a hypercall it does not have. */
export const XEN_ENOSYS = 38n;

/** One `__HYPERVISOR_*` hypercall: number, name and what it is for. */
export interface XenHypercall {
  /** `__HYPERVISOR_<name>`. */
  readonly number: number;
  /** Name without the prefix. */
  readonly name: string;
  /** What it does, one line. */
  readonly summary: string;
  /** Arguments, in order (r0…). */
  readonly args: readonly string[];
}

/**
 * The hypercalls arch-arm.h lists as supported on ARM ("Other hypercalls
 * should be considered unavailable/unsupported"), with their numbers from
 * xen.h.
 */
export const XEN_ARM_HYPERCALLS: readonly XenHypercall[] = [
  { number: 12, name: 'memory_op', summary: 'memory reservation and physmap operations (e.g. XENMEM_add_to_physmap to map shared_info and the grant table)', args: ['cmd', 'arg'] },
  { number: 17, name: 'xen_version', summary: 'Xen version and feature queries', args: ['cmd', 'arg'] },
  { number: 18, name: 'console_io', summary: 'read or write the Xen emergency console', args: ['cmd', 'count', 'buffer'] },
  { number: 20, name: 'grant_table_op', summary: 'grant-table operations (share pages with other domains)', args: ['cmd', 'uop', 'count'] },
  { number: 24, name: 'vcpu_op', summary: 'per-VCPU operations: on ARM only VCPUOP_register_vcpu_info and VCPUOP_register_runstate_memory_area', args: ['cmd', 'vcpuid', 'extra_args'] },
  { number: 29, name: 'sched_op', summary: 'scheduler operations: yield, shutdown, poll (SCHEDOP_block is not supported on ARM: use WFI)', args: ['cmd', 'arg'] },
  { number: 32, name: 'event_channel_op', summary: 'event-channel operations', args: ['cmd', 'arg'] },
  { number: 33, name: 'physdev_op', summary: 'physical-device operations (no sub-operation is supported on ARM)', args: ['cmd', 'arg'] },
  { number: 34, name: 'hvm_op', summary: 'HVM parameters: on ARM only HVMOP_set_param and HVMOP_get_param (xenstore and console rings)', args: ['op', 'arg'] },
  { number: 35, name: 'sysctl', summary: 'system-wide control (toolstack, dom0)', args: ['u_sysctl'] },
  { number: 36, name: 'domctl', summary: 'domain control (toolstack, dom0)', args: ['u_domctl'] },
];

function hypercall(h: XenHypercall): CallSpec {
  return {
    name: `__HYPERVISOR_${h.name}`,
    select: BigInt(h.number),
    summary: h.summary,
    args: h.args.map((role, i) => ({ register: `r${i}`, role })),
    results: [{ register: 'r0', role: 'result, or −errno' }],
    // arch-arm.h: the hypercall clobbers r12 and the argument registers it uses, except r0, which is the result.
    clobbers: ['r12', ...h.args.slice(1).map((_, i) => `r${i + 1}`)],
    // Dispatch only: which hypercall, which arguments. Xen itself is not emulated, so r0 is left as it was.
    run: () => ({ kind: 'return' }),
  };
}

/** Xen on ARM, 32-bit guest: `hvc #0xEA1`, number in r12. */
export const XEN_ARM32: Abi = defineAbi({
  id: 'xen-arm32',
  family: 'xen-arm32',
  arch: 'arm32',
  era: 'Xen on ARM (public headers)',
  status: 'mainline',
  purpose:
    'How a guest kernel (dom0 or domU) calls the Xen hypervisor on ARM: `hvc` with the Xen tag 0xEA1 as the immediate, the hypercall number in r12 (ip, an AAPCS scratch register, so the choice costs callers nothing), up to five arguments in r0–r4, the result in r0.',
  source: {
    document:
      'xen-project/xen:xen/include/public/arch-arm.h @02f6d4e6 (calling convention, XEN_HYPERCALL_TAG 0xEA1, the supported-hypercall list); xen-project/xen:xen/include/public/xen.h @013351bd (__HYPERVISOR_* 12–33) and Linux\'s copy include/xen/interface/xen.h (hvm_op 34, sysctl 35, domctl 36)',
    version: 'Xen 4.x public headers',
  },
  conduit: { instruction: 'hvc', imm: BigInt(XEN_HYPERCALL_TAG) },
  // Every Xen domain, dom0 included, is a guest of Xen; HVC is UNDEFINED at PL0.
  origin: { privilege: ['kernel'], world: ['guest'] },
  selector: { register: 'r12', width: 32 },
  priority: 0,
  calls: [
    ...XEN_ARM_HYPERCALLS.map(hypercall),
    {
      name: 'unknown',
      select: 'otherwise',
      summary: 'no such hypercall (or not available on ARM): r0 ← −ENOSYS (0xffffffda)',
      results: [{ register: 'r0', role: '-ENOSYS' }],
      clobbers: ['r12'],
      meaning: 'enosys',
      run: (call) => {
        call.set('r0', BigInt.asUintN(32, -XEN_ENOSYS));
        return { kind: 'return' };
      },
    },
  ],
  examples: [
    { title: 'write to the Xen console', registers: { r12: 18n, r0: 0n, r1: 13n, r2: 0x4000_1000n }, call: '__HYPERVISOR_console_io' },
    { title: 'read a HVM parameter (xenstore ring)', registers: { r12: 34n, r0: 1n, r1: 0x4000_2000n }, call: '__HYPERVISOR_hvm_op' },
    { title: 'an x86-only hypercall (mmu_update)', registers: { r12: 1n }, call: 'unknown' },
  ],
  notes: [
    'Xen tells its hypercalls apart by the HVC immediate: hvc #0xEA1 is a hypercall, while hvc #0 from a Xen guest is PSCI/SMCCC (psci-v0.2-hvc). KVM and the Linux hyp-stub ignore the immediate.',
    'The reference handler models the dispatch only (which hypercall, which arguments); unknown numbers get −ENOSYS, as Xen answers them.',
  ],
});
