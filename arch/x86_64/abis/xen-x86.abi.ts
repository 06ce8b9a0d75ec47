/**
 * Xen's hypercall ABI for x86 HVM and PVH guests: the native hypercall
 * instruction of the host's vendor (`vmcall` on Intel, `vmmcall` on AMD)
 * with the hypercall number in RAX and up to five arguments in RDI, RSI,
 * RDX, R10 and R8 (a 32-bit caller: EBX, ECX, EDX, ESI, EDI), the result in
 * RAX. Xen answers a caller at CPL > 0 −EPERM and a number it has no entry
 * for −ENOSYS.
 *
 * How a Linux guest reaches the instruction is the era: first through the
 * hypercall page, which Xen fills with one 32-byte stub per hypercall
 * (`mov $nr, %eax; vmcall; ret`), called as `hypercall_page + nr * 32`;
 * then (J. Gross, b4845bb63838 "x86/xen: add central hypercall functions",
 * XSA-466 context, release UNCONFIRMED) through `xen_hypercall_hvm`, which
 * loads EAX itself and static-calls a `vmcall; ret` or `vmmcall; ret` the
 * kernel owns, so no code the hypervisor wrote runs in the guest.
 *
 * Facts: ../shared/abi-facts.md §9.3 (torvalds/linux:arch/x86/include/asm/xen/hypercall.h
 * at 05909cd9; xen-project/xen:xen/include/public/xen.h at c447b7308b13 (the
 * numbers); xen/arch/x86/hvm/hypercall.c hvm_hypercall and
 * hvm_hypercall_table, read in a Xen copy from before hypercall-defs.c).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type AbiSpec, type CallContext, type CallSpec, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { CS_ATTR_KERNEL64, EFER_LONG_MODE } from './kvm-x86.abi.ts';
import { RAX } from './spec-registers.ts';

/** `ENOSYS`: Xen's answer, negated, to a hypercall it has no entry for. */
export const XEN_ENOSYS = 38n;
/** `EPERM`: Xen's answer, negated, to a caller at CPL > 0. */
export const XEN_EPERM = 1n;

const MINUS_ENOSYS = BigInt.asUintN(64, -XEN_ENOSYS);
const MINUS_EPERM = BigInt.asUintN(64, -XEN_EPERM);

/** Bytes per hypercall-page entry: hypercall `nr` is at `hypercall_page + nr * 32`. */
export const XEN_HYPERCALL_PAGE_ENTRY = 32;

/** One row of Xen's HVM hypercall table. */
export interface XenX86Hypercall {
  /** `__HYPERVISOR_<name>` (xen/include/public/xen.h). */
  readonly number: number;
  /** Name without the prefix. */
  readonly name: string;
  /** What it does, one line. */
  readonly summary: string;
  /** The Kconfig option it is built under, if any. */
  readonly config?: string;
}

/** The HVM hypercall table (hvm_hypercall_table), in number order. */
export const XEN_X86_HVM_HYPERCALLS: readonly XenX86Hypercall[] = [
  { number: 7, name: 'platform_op', summary: 'platform operations for dom0' },
  { number: 12, name: 'memory_op', summary: 'memory reservation and physmap operations (hvm_memory_op)' },
  { number: 15, name: 'set_timer_op', summary: 'set the one-shot timer' },
  { number: 17, name: 'xen_version', summary: 'Xen version and feature queries' },
  { number: 18, name: 'console_io', summary: 'read or write the Xen emergency console' },
  { number: 20, name: 'grant_table_op', summary: 'grant-table operations', config: 'CONFIG_GRANT_TABLE' },
  { number: 21, name: 'vm_assist', summary: 'enable or disable a VM assist' },
  { number: 24, name: 'vcpu_op', summary: 'per-VCPU operations' },
  { number: 26, name: 'mmuext_op', summary: 'extended MMU operations (for a PVH dom0)', config: 'CONFIG_PV' },
  { number: 27, name: 'xsm_op', summary: 'Xen Security Modules operations' },
  { number: 29, name: 'sched_op', summary: 'scheduler operations: yield, block, shutdown, poll' },
  { number: 32, name: 'event_channel_op', summary: 'event-channel operations' },
  { number: 33, name: 'physdev_op', summary: 'physical-device operations (hvm_physdev_op)' },
  { number: 34, name: 'hvm_op', summary: 'HVM parameters and operations' },
  { number: 35, name: 'sysctl', summary: 'system-wide control' },
  { number: 36, name: 'domctl', summary: 'domain control' },
  { number: 39, name: 'argo_op', summary: 'Argo interdomain messages', config: 'CONFIG_ARGO' },
  { number: 40, name: 'xenpmu_op', summary: 'virtual PMU operations' },
  { number: 41, name: 'dm_op', summary: 'device-model operations' },
  { number: 42, name: 'hypfs_op', summary: 'the hypervisor file system', config: 'CONFIG_HYPFS' },
  { number: 49, name: 'arch_1', summary: 'paging_domctl_continuation (arch_1)' },
];

/** hvm_hypercall's checks before the table: CPL > 0 is −EPERM (the guest_request_vm_event monitor exception aside). */
function guarded(call: CallContext): boolean {
  if (call.origin.privilege === 'kernel') return true;
  call.set(RAX, MINUS_EPERM);
  return false;
}

function minusEnosys(call: CallContext): ReturnOutcome {
  if (guarded(call)) call.set(RAX, MINUS_ENOSYS);
  return RETURN;
}

function hypercall(h: XenX86Hypercall): CallSpec {
  return {
    name: h.name,
    select: BigInt(h.number),
    summary: `${h.summary}${h.config === undefined ? '' : ` (built with ${h.config})`}; a caller at CPL > 0 gets RAX ← −EPERM`,
    args: [
      { register: 'rdi', role: 'arg1' },
      { register: 'rsi', role: 'arg2' },
      { register: 'rdx', role: 'arg3' },
      { register: 'r10', role: 'arg4' },
      { register: 'r8', role: 'arg5' },
    ],
    results: [{ register: 'rax', role: 'result, or −errno' }],
    meaning: `xen-${h.name}`,
    // Dispatch only: which call and which arguments; Xen's handlers are not emulated, so RAX is left as it was (but for the CPL check).
    run: (call) => {
      guarded(call);
      return RETURN;
    },
  };
}

interface XenEra {
  readonly key: string;
  readonly era: string;
  readonly status: AbiSpec['status'];
  readonly source: AbiSpec['source'];
  readonly guest: string;
}

const XEN_SOURCE = 'xen-project/xen:xen/include/public/xen.h @c447b7308b13 (the numbers; RCX and R11 clobbered, a sixth argument in R9); xen/arch/x86/hvm/hypercall.c (hvm_hypercall: 64-bit mode takes all of RAX, CPL > 0 → −EPERM, bit 31 → viridian_hypercall in a Viridian domain, past the table or an empty slot → −ENOSYS; hvm_hypercall_table)';

const ERAS: readonly XenEra[] = [
  {
    key: 'hypercall-page',
    era: 'the hypercall page (Linux guests until the central hypercall functions)',
    status: 'removed',
    source: { document: `torvalds/linux:arch/x86/include/asm/xen/hypercall.h @05909cd9 (_hypercall1…5: call hypercall_page + __HYPERVISOR_x * 32, arguments in rdi, rsi, rdx, r10, r8); ${XEN_SOURCE}`, version: 'Linux ≤ v6.12, Xen ≤ 4.19', note: 'The Xen table is read in a copy from before hypercall-defs.c; the Linux release that dropped the page (b4845bb63838) is UNCONFIRMED.' },
    guest: 'The guest calls `hypercall_page + nr * 32`; Xen wrote each 32-byte entry (`mov $nr, %eax; vmcall` or `vmmcall`; `ret`) when the guest asked for the page (the Xen CPUID leaves give the MSR to write its address to), so RAX = nr zero-extended.',
  },
  {
    key: 'central',
    era: 'central hypercall functions (b4845bb63838, J. Gross, Dec 2024; release UNCONFIRMED)',
    status: 'mainline',
    source: { document: `torvalds/linux commit b4845bb63838 "x86/xen: add central hypercall functions" (xen_hypercall_hvm: EAX = nr, static call to xen_hypercall_intel "vmcall; ret" or xen_hypercall_amd "vmmcall; ret"; PV: xen_hypercall_pv, syscall); ${XEN_SOURCE}`, version: '≈v6.13', note: 'Seen as a patch series (XSA-466 context); the first release carrying it is UNCONFIRMED.' },
    guest: 'The guest kernel no longer runs code Xen wrote: xen_hypercall_hvm puts nr in EAX (RAX = nr) and static-calls its own `vmcall; ret` or `vmmcall; ret`, chosen from the CPU vendor at boot (follow-up fixes: FRAME_END, the RBX clobber).',
  },
];

const CONDUITS = [
  { conduit: 'vmcall', vendor: 'Intel VMX' },
  { conduit: 'vmmcall', vendor: 'AMD SVM' },
] as const;

function xenSpec(era: XenEra, conduit: (typeof CONDUITS)[number]): Abi {
  const on64 = { efer: EFER_LONG_MODE, cs_attr: CS_ATTR_KERNEL64 };
  return defineAbi({
    id: `xen-x86-${era.key}-${conduit.conduit}`,
    family: 'xen-x86',
    arch: 'x86_64',
    era: `${era.era}, ${conduit.vendor} host`,
    status: era.status,
    purpose: `Xen hypercalls from an HVM or PVH guest on an ${conduit.vendor} host: \`${conduit.conduit}\` with the number in RAX and arguments in RDI, RSI, RDX, R10, R8; the result in RAX. ${era.guest}`,
    source: era.source,
    conduit: { instruction: conduit.conduit, imm: 'any' },
    origin: { privilege: ['kernel', 'user'], world: ['guest'] },
    selector: { register: 'rax', width: 64 },
    priority: 0,
    calls: [
      ...XEN_X86_HVM_HYPERCALLS.map(hypercall),
      {
        name: 'viridian',
        select: { min: 0x8000_0000n, max: 0xffff_ffffn },
        summary: 'EAX bit 31: in a Viridian (Hyper-V-compatible) domain, viridian_hypercall takes it as a Hyper-V call; the modelled domain is not Viridian, so RAX ← −ENOSYS',
        results: [{ register: 'rax', role: '−ENOSYS' }],
        meaning: 'xen-enosys',
        run: minusEnosys,
      },
      { name: 'unknown', select: 'otherwise', summary: 'past the table or an empty slot (set_trap_table, mmu_update, … are PV only): RAX ← −ENOSYS', results: [{ register: 'rax', role: '−ENOSYS' }], meaning: 'xen-enosys', run: minusEnosys },
    ],
    examples: [
      { title: 'HYPERVISOR_xen_version(XENVER_version, NULL)', registers: { rax: 17n, rdi: 0n, rsi: 0n, ...on64 }, call: 'xen_version' },
      { title: 'HYPERVISOR_sched_op(SCHEDOP_yield)', registers: { rax: 29n, rdi: 0n, ...on64 }, call: 'sched_op' },
      { title: 'a PV-only call from an HVM guest', registers: { rax: 1n, ...on64 }, call: 'unknown' },
      { title: 'KVM_HC_VAPIC_POLL_IRQ (RAX = 1) under Xen is mmu_update: −ENOSYS for HVM', registers: { rax: 1n, ...on64 }, call: 'unknown' },
      { title: 'a Hyper-V-style number with bit 31', registers: { rax: 0x8000_0001n, ...on64 }, call: 'viridian' },
    ],
    notes: [
      `A Linux guest finds hypercall nr at hypercall_page + nr × ${XEN_HYPERCALL_PAGE_ENTRY} in the page era; the instruction the page holds is the host vendor's (Xen writes vmcall on Intel and vmmcall on AMD), so Xen never needs KVM-style patching.`,
      'Xen tells its guests apart from KVM ones only by who is the hypervisor: CPUID 0x40000000 gives "XenVMMXenVMM" (EBX 0x566e6558, ECX 0x65584d4d, EDX 0x4d4d566e) under Xen and "KVMKVMKVM" under KVM, and a guest asks before it issues either ABI.',
      'The hypervisor work of each call is not modelled: the spec names the call and its arguments and leaves RAX as it was, except for −EPERM (CPL > 0) and −ENOSYS.',
    ],
    recognition: { inspects: ['privilege'], registersGivenUp: 0, slowsSyscalls: 'no: vmcall is no system call, and Xen owns every vmcall of its guests (it reads only the CPL)' },
  });
}

/** Every Xen x86 spec: each era on each vendor's instruction. */
export const XEN_X86_ABIS: readonly Abi[] = ERAS.flatMap((era) => CONDUITS.map((conduit) => xenSpec(era, conduit)));
