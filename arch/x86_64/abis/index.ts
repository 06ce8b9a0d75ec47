/**
 * Every x86_64 ABI spec, and the overlaps between them that are intended.
 *
 * @module
 */

import type { AllowedCollision } from '../../../src/abi/registry.ts';
import type { Abi } from '../../../src/abi/spec.ts';
import { HYPERV_TLFS_ABIS } from './hyperv-tlfs.abi.ts';
import { KVM_X86_ABIS } from './kvm-x86.abi.ts';
import { LINUX_SYSCALL_X86_ABIS } from './linux-syscall-x86.abi.ts';
import { XEN_X86_ABIS } from './xen-x86.abi.ts';

/** The x86_64 specs. */
export const X86_64_ABIS: readonly Abi[] = [...KVM_X86_ABIS, ...HYPERV_TLFS_ABIS, ...XEN_X86_ABIS, ...LINUX_SYSCALL_X86_ABIS];

/** Why Xen's hypercalls and KVM's (or KVM's Hyper-V emulation) may claim the same vmcall: they are different hypervisors. */
const DIFFERENT_HYPERVISORS =
  'Two hypervisors that never serve one guest: both take RAX as the number of a vmcall/vmmcall (Xen also owns Hyper-V-style numbers with bit 31 in a Viridian domain), and a guest learns which one it runs on from the CPUID 0x40000000 signature ("XenVMMXenVMM" or "KVMKVMKVM") before it issues either. KVM\'s own Xen emulation (≈v5.12, the VMM\'s choice) tests Xen first, so within one KVM the Xen ABI wins by order.';

/** Why the per-vCPU Hyper-V era and KVM's hypercalls may claim the same vmcall. */
const PER_VCPU_HYPERV =
  "By design from the per-vCPU era on: a vCPU is a Hyper-V one only when the VMM gave it the Hyper-V CPUID leaves and its guest wrote a guest OS ID (the guest's own opt-in), and such a guest calls through the Hyper-V page; a KVM-enlightened vCPU of the same VM keeps KVM's hypercalls. Up to v5.7 the rule was VM-wide and the overlap is the hazard the collision list shows.";

/** Why a KVM era and a Hyper-V dispatch rule of another era are allowed to overlap. */
const NEVER_TOGETHER =
  'Never shipped together: up to v5.7 KVM takes a vmcall as Hyper-V by the VM-wide hypercall MSR (hyperv-tlfs-v3.9), later by the per-vCPU rule (hyperv-tlfs-per-vcpu); one kernel has one rule, and the pair of the same kernel is the one the list judges.';

/** The KVM era whose Hyper-V test is per vCPU. */
const NEWEST_KVM = 'map-gpa-range';

/** The KVM eras and the two vendors' instructions, as the spec ids spell them. */
const kvmEras = ['v3.9', 'v4.11', 'v5.0', 'v5.7', 'map-gpa-range'] as const;
const vendors = ['vmcall', 'vmmcall'] as const;

/**
 * Intended overlaps between x86_64 specs, each with its reason. A stale
 * entry fails the tests.
 *
 * Left off on purpose, because they are the hazards issue 11 §2 names:
 * every kvm-x86-v3.9…v5.7 × hyperv-tlfs-v3.9-* pair (up to v5.7 enabling
 * HV_X64_MSR_HYPERCALL on any vCPU makes every vmcall of the VM a Hyper-V
 * call: a KVM_HC_KICK_CPU is read as call code RCX & 0xffff, and at CPL 3 as
 * #UD instead of −KVM_EPERM), and linux-syscall-i386 ×
 * x86_64-numbers-on-int80 (a 64-bit task's int $0x80 runs the i386 table:
 * RAX = 1 is exit, not write).
 */
export const X86_64_ALLOWED_COLLISIONS: readonly AllowedCollision[] = [
  ...kvmEras.flatMap((era) =>
    vendors.flatMap((vendor) =>
      (['hypercall-page', 'central'] as const).map((xen): AllowedCollision => ({ abis: [`kvm-x86-${era}-${vendor}`, `xen-x86-${xen}-${vendor}`], reason: DIFFERENT_HYPERVISORS })),
    ),
  ),
  ...vendors.flatMap((vendor) =>
    (['hypercall-page', 'central'] as const).flatMap((xen) =>
      ['', '-cpl3'].flatMap((cpl) => ['v3.9', 'per-vcpu'].map((hv): AllowedCollision => ({ abis: [`hyperv-tlfs-${hv}-${vendor}${cpl}`, `xen-x86-${xen}-${vendor}`], reason: DIFFERENT_HYPERVISORS }))),
    ),
  ),
  ...kvmEras.flatMap((era) =>
    vendors.flatMap((vendor) => ['', '-cpl3'].map((cpl): AllowedCollision => ({ abis: [`kvm-x86-${era}-${vendor}`, `hyperv-tlfs-per-vcpu-${vendor}${cpl}`], reason: era === NEWEST_KVM ? PER_VCPU_HYPERV : NEVER_TOGETHER }))),
  ),
  ...vendors.flatMap((vendor) => ['', '-cpl3'].map((cpl): AllowedCollision => ({ abis: [`kvm-x86-${NEWEST_KVM}-${vendor}`, `hyperv-tlfs-v3.9-${vendor}${cpl}`], reason: NEVER_TOGETHER }))),
];
