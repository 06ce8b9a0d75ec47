/**
 * Every arm32 ABI spec, and the overlaps between them that are intended.
 *
 * @module
 */

import type { AllowedCollision } from '../../../src/abi/registry.ts';
import type { Abi } from '../../../src/abi/spec.ts';
import { KVM_ARM_MMIO_ABIS } from './kvm-arm-mmio.abi.ts';
import { KVM_ARM32_ABIS } from './kvm-arm32.abi.ts';
import { LINUX_HYP_STUB_ABIS } from './linux-hyp-stub.abi.ts';
import { LINUX_SYSCALL_ABIS } from './linux-syscall-eabi.abi.ts';
import { PSCI_ABIS } from './psci.abi.ts';
import { XEN_ARM32_ABIS } from './xen-arm32.abi.ts';

/** The arm32 specs. */
export const ARM32_ABIS: readonly Abi[] = [...LINUX_HYP_STUB_ABIS, ...KVM_ARM32_ABIS, ...PSCI_ABIS, ...LINUX_SYSCALL_ABIS, ...XEN_ARM32_ABIS, ...KVM_ARM_MMIO_ABIS];

/** Why KVM's guest PSCI and Xen's HVC handling may claim the same traps: they are different hypervisors. */
const DIFFERENT_HYPERVISORS =
  "Two hypervisors that never serve one guest: KVM ignores the HVC immediate (handle_hvc), so under KVM any hvc #imm with a PSCI ID in r0 is PSCI; Xen keys on the immediate (0xEA1 a hypercall by r12, 0 its own SMCCC handler, anything else an injected undefined instruction). A guest learns which one it runs on from its device tree (a xen,xen node; psci method \"hvc\") before it issues either.";

/**
 * Intended overlaps between arm32 specs, each with its reason. A stale entry
 * fails the tests.
 *
 * The hyp-stub and KVM's host ABI share `hvc` from the host kernel and both
 * claim every r0, because whoever owns HVBAR answers. Only the pairs that
 * shipped together and whose overlap no caller of the era can reach are
 * listed. Every other stub × KVM pair is left off on purpose: it is a hazard
 * the reset matrix demonstrates. That includes one pair that shipped, the
 * out-of-tree soft-reboot stub with its v4.6–v4.11 KVM (linux-hyp-stub-rmk ×
 * kvm-arm32-v3.10): a kdump with a VM running sends HVC_SOFT_RESTART (r0 = 1)
 * to KVM, which calls address 1 in Hyp. The mixed-era pairs
 * (linux-hyp-stub-v4.12 × kvm-arm32-v3.9 or kvm-arm32-v3.10) have the same
 * hazard.
 */
export const ARM32_ALLOWED_COLLISIONS: readonly AllowedCollision[] = [
  {
    abis: ['linux-hyp-stub-v3.6', 'kvm-arm32-v3.9'],
    reason:
      "Shipped together (v3.9), and no call of the era reaches the overlap: KVM v3.9 reads the stub's vectors (r0 = -1) once, before it installs its own, and owns Hyp for good afterwards; __hyp_set_vectors is issued only while the stub owns Hyp, and soft_restart issues no HVC before v4.12. (Were r0 = -1 sent to KVM v3.9, it would be a call to 0xffffffff.)",
  },
  {
    abis: ['linux-hyp-stub-v3.6', 'kvm-arm32-v3.10'],
    reason:
      "Shipped together (v3.10–v4.11): KVM answers the stub's only query itself (r0 = -1 → HVBAR, agree); __hyp_set_vectors is issued only while the stub owns Hyp (from v4.6 cpu_hyp_reinit checks __hyp_get_vectors() against the saved stub vectors first), and this stub has no soft restart to misroute.",
  },
  {
    abis: ['linux-hyp-stub-v4.12', 'kvm-arm32-v4.12'],
    reason:
      'KVM owns r0 ≥ HVC_STUB_HCALL_NR by design (hyp-abi.txt: other values are hypervisor-specific). For r0 < 3: SOFT_RESTART lands at r1 in Hyp under both, with different registers at the target (stub: r0 = 1, r1 = the target; KVM: r0 = 0, r1 = the stub vectors, Hyp MMU off), which hyp-abi.txt leaves undefined; RESET_VECTORS puts the stub back; SET_VECTORS is for the boot stubs only (KVM answers HVC_STUB_ERR).',
  },
  { abis: ['psci-v0.2-hvc', 'xen-arm32'], reason: DIFFERENT_HYPERVISORS },
  { abis: ['psci-v0.2-hvc', 'xen-arm32-hvc-undef'], reason: DIFFERENT_HYPERVISORS },
  { abis: ['kvm-psci-v0.1', 'xen-arm32'], reason: DIFFERENT_HYPERVISORS },
  { abis: ['kvm-psci-v0.1', 'xen-arm32-hvc-undef'], reason: DIFFERENT_HYPERVISORS },
];
