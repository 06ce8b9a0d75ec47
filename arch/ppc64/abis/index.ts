/**
 * Every ppc64 ABI spec, and the overlaps between them that are intended.
 *
 * @module
 */

import type { AllowedCollision } from '../../../src/abi/registry.ts';
import type { Abi } from '../../../src/abi/spec.ts';
import { EPAPR } from './epapr.abi.ts';
import { KVM_PPC_OSI } from './kvm-ppc-osi.abi.ts';
import { KVM_PPC_PV_ABIS } from './kvm-ppc-pv.abi.ts';
import { LINUX_SYSCALL_PPC64_ABIS } from './linux-syscall-ppc64.abi.ts';
import { PAPR } from './papr.abi.ts';

/** The ppc64 specs. */
export const PPC64_ABIS: readonly Abi[] = [...LINUX_SYSCALL_PPC64_ABIS, ...KVM_PPC_PV_ABIS, KVM_PPC_OSI, EPAPR, PAPR];

/**
 * Intended overlaps between ppc64 specs, each with its reason. A stale entry
 * fails the tests.
 *
 * Left off on purpose, because they are the hazards issue 5 §4 demonstrates:
 * linux-syscall-ppc64 × kvm-ppc-pv-2010-draft-unchecked (a user syscall with
 * the draft's magic in r3/r4), linux-syscall-ppc64 × kvm-ppc-pv-2010-draft (an
 * in-kernel syscall with those arguments), linux-syscall-ppc64 × kvm-ppc-osi
 * (every syscall, user or kernel, with the OSI magic) and epapr × papr (both
 * on `sc 1`; only the platform tells them apart). kvm-ppc-osi × pc-keyed is
 * left off too: the two never shipped together.
 */
export const PPC64_ALLOWED_COLLISIONS: readonly AllowedCollision[] = [
  {
    abis: ['linux-syscall-ppc64', 'kvm-ppc-pv'],
    reason:
      'By design: KVM intercepts only a guest-kernel `sc` with r0 = 0x4b564d21 ("KVM!"), and r0 is the syscall number register, where that value is no syscall (it would be ENOSYS); the guest kernel never makes such a syscall.',
  },
  {
    abis: ['linux-syscall-ppc64', 'pc-keyed'],
    reason: 'By design: the registered call site is the guest kernel\'s hypercall stub, and no syscall is ever issued from it; every other `sc` address stays a syscall.',
  },
  {
    abis: ['kvm-ppc-osi', 'kvm-ppc-pv'],
    reason:
      'Shipped together in Book3S PR KVM, which resolves the overlap by order: the OSI magic (r3/r4) is tested first, then the KVM PV magic (r0); OSI is enabled only for Mac-on-Linux guests, which do not use KVM PV.',
  },
];
