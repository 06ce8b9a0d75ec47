/**
 * Every ppc64 ABI spec, and the overlaps between them that are intended.
 *
 * @module
 */

import type { AllowedCollision } from '../../../src/abi/registry.ts';
import type { Abi } from '../../../src/abi/spec.ts';
import { EPAPR_ABIS } from './epapr.abi.ts';
import { KVM_PPC_OSI } from './kvm-ppc-osi.abi.ts';
import { KVM_PPC_PV_ABIS, KVM_PPC_PV_MERGED } from './kvm-ppc-pv.abi.ts';
import { LINUX_SYSCALL_PPC64_ABIS, LINUX_SYSCALL_PPC64_V5_0 } from './linux-syscall-ppc64.abi.ts';
import { PAPR_ABIS } from './papr.abi.ts';

/** The ppc64 specs. */
export const PPC64_ABIS: readonly Abi[] = [...LINUX_SYSCALL_PPC64_ABIS, ...KVM_PPC_PV_ABIS, KVM_PPC_OSI, ...EPAPR_ABIS, ...PAPR_ABIS];

const SYSCALL_UP_TO_V5_6 = LINUX_SYSCALL_PPC64_V5_0.spec.id;

/**
 * Intended overlaps between ppc64 specs, each with its reason. A stale entry
 * fails the tests.
 *
 * Only the syscall era up to v5.6 (linux-syscall-ppc64-v5.0) takes a
 * kernel-mode `sc`; from v5.7 a kernel-mode `sc` is a BUG (BUG_ON in
 * system_call_exception), so linux-syscall-ppc64-v5.7 overlaps no
 * kernel-only design, and the kernel-mode entries below name the v5.0 era.
 *
 * Left off on purpose, because they are the hazards issue 5 §4 demonstrates:
 * linux-syscall-ppc64-* × kvm-ppc-pv-2010-draft-unchecked (a user syscall with
 * the draft's magic in r3/r4), linux-syscall-ppc64-v5.0 × kvm-ppc-pv-2010-draft
 * (an in-kernel syscall with those arguments: real up to v5.6), linux-syscall-ppc64-* ×
 * kvm-ppc-osi (every user syscall, and up to v5.6 every kernel one, with the
 * OSI magic), and every epapr-* × papr-* pair (all on `sc 1`; only the
 * platform tells them apart). kvm-ppc-osi × pc-keyed is left off too: the
 * two never shipped together.
 */
export const PPC64_ALLOWED_COLLISIONS: readonly AllowedCollision[] = [
  ...KVM_PPC_PV_MERGED.map(
    (pv): AllowedCollision => ({
      abis: [SYSCALL_UP_TO_V5_6, pv.spec.id],
      reason:
        'By design: KVM intercepts only a guest-kernel `sc` with (u32)r0 = 0x4b564d21 ("KVM!"), and r0 is the syscall number register, where that value is no syscall (it would be ENOSYS); the guest kernel never makes such a syscall. Only kernels up to v5.6 take a kernel-mode `sc` as a syscall at all.',
    }),
  ),
  {
    abis: [SYSCALL_UP_TO_V5_6, 'pc-keyed'],
    reason: "By design: the registered call site is the guest kernel's hypercall stub, and no syscall is ever issued from it; every other `sc` address stays a syscall (from v5.7 a kernel-mode `sc` is no syscall anyway).",
  },
  ...KVM_PPC_PV_MERGED.map(
    (pv): AllowedCollision => ({
      abis: ['kvm-ppc-osi', pv.spec.id],
      reason:
        'Shipped together in Book3S PR KVM, which resolves the overlap by order: the OSI magic (r3/r4) is tested first, then the KVM PV magic (r0); OSI is enabled only for Mac-on-Linux guests, which do not use KVM PV.',
    }),
  ),
];
