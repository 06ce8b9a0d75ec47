/**
 * Every arm32 ABI spec, and the overlaps between them that are intended.
 *
 * @module
 */

import type { AllowedCollision } from '../../../src/abi/registry.ts';
import type { Abi } from '../../../src/abi/spec.ts';
import { KVM_ARM32_ABIS } from './kvm-arm32.abi.ts';
import { LINUX_HYP_STUB_ABIS } from './linux-hyp-stub.abi.ts';
import { LINUX_SYSCALL_ABIS } from './linux-syscall-eabi.abi.ts';
import { PSCI_ABIS } from './psci.abi.ts';
import { XEN_ARM32 } from './xen-arm32.abi.ts';

/** The arm32 specs. */
export const ARM32_ABIS: readonly Abi[] = [...LINUX_HYP_STUB_ABIS, ...KVM_ARM32_ABIS, ...PSCI_ABIS, ...LINUX_SYSCALL_ABIS, XEN_ARM32];

/**
 * Intended overlaps between arm32 specs, each with its reason. A stale entry
 * fails the tests.
 *
 * The hyp-stub and KVM's host ABI share `hvc` from the host kernel and both
 * claim every r0, because whoever owns HVBAR answers. Only the pairs that
 * shipped together in one kernel are listed. Every other stub × KVM pair is
 * left off on purpose: it is a hazard the reset matrix demonstrates, above
 * all linux-hyp-stub-v4.12 × kvm-arm32-v3.9 (a kdump soft restart, r0 = 1,
 * becomes a call to address 1 in Hyp) and the 2017 proposal × interim pair
 * (its soft restart, r0 = 2, becomes a call to address 2).
 */
export const ARM32_ALLOWED_COLLISIONS: readonly AllowedCollision[] = [
  {
    abis: ['linux-hyp-stub-v3.6', 'kvm-arm32-v3.9'],
    reason:
      'Shipped together: KVM answers the stub\'s only query itself (r0 = -1 → HVBAR, agree) and owns every other r0 once installed; __hyp_set_vectors is issued only while the boot stub owns Hyp, and this stub has no soft restart to misroute.',
  },
  {
    abis: ['linux-hyp-stub-v4.12', 'kvm-arm32-v4.12'],
    reason:
      'KVM owns r0 ≥ HVC_STUB_HCALL_NR by design (hyp-abi.rst: other values are hypervisor-specific); for r0 < 3 SOFT_RESTART agrees, RESET_VECTORS puts the stub back, and SET_VECTORS is for the boot stubs only (KVM answers HVC_STUB_ERR).',
  },
];
