/**
 * Every arm64 ABI spec, and the overlaps between them that are intended.
 *
 * @module
 */

import type { AllowedCollision } from '../../../src/abi/registry.ts';
import type { Abi } from '../../../src/abi/spec.ts';
import { KVM_ARM64_MMIO_ABIS } from './kvm-arm64-mmio.abi.ts';
import { KVM_ARM64_ABIS } from './kvm-arm64.abi.ts';
import { KVM_VENDOR_HYP_ARM64_ABIS } from './kvm-vendor-hyp-arm64.abi.ts';
import { LINUX_HYP_STUB_ARM64_ABIS } from './linux-hyp-stub-arm64.abi.ts';
import { LINUX_SYSCALL_ARM64_ABIS } from './linux-syscall-arm64.abi.ts';
import { PSCI_ARM64_ABIS } from './psci-arm64.abi.ts';
import { XEN_ARM64_ABIS } from './xen-arm64.abi.ts';

/** The arm64 specs. */
export const ARM64_ABIS: readonly Abi[] = [...LINUX_HYP_STUB_ARM64_ABIS, ...KVM_ARM64_ABIS, ...PSCI_ARM64_ABIS, ...KVM_VENDOR_HYP_ARM64_ABIS, ...XEN_ARM64_ABIS, ...LINUX_SYSCALL_ARM64_ABIS, ...KVM_ARM64_MMIO_ABIS];

/** Why KVM's guest calls and Xen's HVC handling may claim the same traps: they are different hypervisors. */
const DIFFERENT_HYPERVISORS =
  'Two hypervisors that never serve one guest: KVM ignores the HVC immediate (handle_hvc), so under KVM any hvc #imm with an SMCCC ID in w0 is PSCI/SMCCC; Xen keys on the immediate (0xEA1 a hypercall by x16, 0 its own SMCCC handler, anything else an injected undefined instruction). A guest learns which one it runs on from its device tree (a xen,xen node; psci method "hvc") before it issues either.';

/** Why the vendor-hyp services and an older PSCI era claim the same IDs: one handler, different releases. */
const VENDOR_HYP_ERAS =
  "One KVM handler (kvm_hvc_call_handler) in different releases: the PSCI 0.2 (v3.16–v4.15) and PSCI 1.0 (v4.16–≈v5.11) eras answer every VENDOR_HYP ID NOT_SUPPORTED, which is what a guest of those releases sees; from ≈v5.12 the same IDs are the vendor-hyp services (UID, FEATURES, PTP). The specs never describe the same KVM.";

/** Why the v5.12-numbered stubs and the ≈v5.13+ KVMs agree where it matters. */
const VHE_STUB_ERA =
  'Shipped together (HVC_STUB_HCALL_NR 4 on both sides; the release boundaries of the rename and of the host-call reorder are UNCONFIRMED): KVM serves x0 < 4 itself, SOFT_RESTART hands the payload the same x0–x2 (KVM also erets with SPSR_EL2 = 0x3c9, the stub vectors back and the EL2 MMU off, and leaves x4 alone), RESET_VECTORS puts the stub back, SET_VECTORS is for the boot stub only (KVM: HVC_STUB_ERR), and the VHE upgrade (3) is issued only at boot, before KVM owns EL2 (KVM: HVC_STUB_ERR).';

/**
 * Intended overlaps between arm64 specs, each with its reason. A stale
 * entry fails the tests.
 *
 * The hyp-stub and KVM's host calls share `hvc` from the host kernel and
 * both claim every x0, because whoever owns VBAR_EL2 answers. Only the
 * pairs that shipped together and whose overlap no caller of the era
 * reaches are listed; every other stub × KVM pair is a hazard the reset
 * matrix demonstrates: the v4.12 stub with the v4.12 KVM (a kdump from v4.19
 * meets the x0 bug), any stub with protected KVM (stub calls answer −1), and
 * the mixed-era pairs (a v4.12-numbered SOFT_RESTART reaching the
 * function-pointer KVM, an old stub's GET/SET numbers reaching a later KVM).
 */
export const ARM64_ALLOWED_COLLISIONS: readonly AllowedCollision[] = [
  {
    abis: ['linux-hyp-stub-arm64-v3.9', 'kvm-arm64-v3.11'],
    reason:
      "Shipped together (v3.11–≈v4.6): KVM answers the stub's only query itself (x0 = 0 → VBAR_EL2, agree); __hyp_set_vectors is issued only while the stub owns EL2, and this stub has no soft restart to misroute.",
  },
  {
    abis: ['linux-hyp-stub-arm64-v4.7', 'kvm-arm64-v3.11'],
    reason: 'Shipped together (≈v4.7): GET (0) is answered alike by both; SET (1) is issued only while the stub owns EL2 (KVM gives EL2 back after init from v4.6), and there is no soft restart yet.',
  },
  {
    abis: ['linux-hyp-stub-arm64-v4.8', 'kvm-arm64-v3.11'],
    reason:
      'Shipped together (≈v4.8–v4.11), and no caller of the era reaches the overlap: there is no kdump before v4.12 (machine_crash_shutdown is empty), and a kexec runs kvm_reboot, which gives EL2 back to the stub, before cpu_soft_restart issues HVC_SOFT_RESTART (x0 = 2). With KVM not torn down x0 = 2 would be a function call to address 2 (the reset matrix).',
  },
  {
    abis: ['linux-hyp-stub-arm64-v4.12', 'kvm-arm64-v5.7'],
    reason:
      'Shipped together (the fix–v5.9): KVM owns x0 ≥ 3 by design (hyp-abi: other values are hypervisor-specific). For x0 < 3 SOFT_RESTART hands the payload the same x0–x2 under both (KVM also erets with SPSR_EL2 = 0x3c9, the stub vectors back, the EL2 MMU off, and leaves x4 alone, which hyp-abi leaves undefined); RESET_VECTORS puts the stub back; SET_VECTORS is for the boot stub only (KVM: HVC_STUB_ERR).',
  },
  {
    abis: ['linux-hyp-stub-arm64-v4.12', 'kvm-arm64-v5.10'],
    reason:
      'Shipped together (v5.10–v5.11): x0 < 3 are served by KVM as under kvm-arm64-v5.7 (same payload registers on SOFT_RESTART, RESET puts the stub back, SET is HVC_STUB_ERR); x0 = 3 and up are no stub calls for either, and SMCCC host IDs are never sent to the stub while KVM is up.',
  },
  { abis: ['linux-hyp-stub-arm64-v5.12', 'kvm-arm64-v5.13'], reason: VHE_STUB_ERA },
  { abis: ['linux-hyp-stub-arm64-v5.12', 'kvm-arm64-v6.2'], reason: VHE_STUB_ERA },
  { abis: ['linux-hyp-stub-arm64-finalise-el2', 'kvm-arm64-v5.13'], reason: VHE_STUB_ERA },
  { abis: ['linux-hyp-stub-arm64-finalise-el2', 'kvm-arm64-v6.2'], reason: VHE_STUB_ERA },
  { abis: ['kvm-vendor-hyp-arm64', 'psci-arm64-v0.2-hvc'], reason: VENDOR_HYP_ERAS },
  { abis: ['kvm-vendor-hyp-arm64', 'psci-arm64-v1.0-hvc'], reason: VENDOR_HYP_ERAS },
  { abis: ['kvm-vendor-hyp-arm64-pkvm', 'psci-arm64-v0.2-hvc'], reason: VENDOR_HYP_ERAS },
  { abis: ['kvm-vendor-hyp-arm64-pkvm', 'psci-arm64-v1.0-hvc'], reason: VENDOR_HYP_ERAS },
  ...(['kvm-vendor-hyp-arm64', 'kvm-vendor-hyp-arm64-pkvm', 'psci-arm64-v0.1', 'psci-arm64-v0.2-hvc', 'psci-arm64-v1.0-hvc'] as const).flatMap((kvm) =>
    (['xen-arm64', 'xen-arm64-hvc-undef'] as const).map((xen): AllowedCollision => ({ abis: [kvm, xen], reason: DIFFERENT_HYPERVISORS })),
  ),
];
