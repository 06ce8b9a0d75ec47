/**
 * Mac-on-Linux OSI calls in Book3S PR KVM: the merged r3/r4 magic ABI. While
 * OSI is enabled, KVM takes any `sc` whose r3/r4 hold the OSI magic values to
 * user space (KVM_EXIT_OSI), and it tests them before any privilege check.
 *
 * Facts: ../shared/abi-facts.md §8.3 (torvalds/linux:arch/powerpc/include/asm/kvm_book3s.h,
 * arch/powerpc/kvm/book3s_pr.c).
 *
 * @module
 */

import { defineAbi, type Abi } from '../../../src/abi/spec.ts';

/** `OSI_SC_MAGIC_R3`. */
export const OSI_SC_MAGIC_R3 = 0x1137_24fan;

/** `OSI_SC_MAGIC_R4`. */
export const OSI_SC_MAGIC_R4 = 0x7781_0f9bn;

/** OSI calls, as Book3S PR KVM handles them while OSI is enabled. */
export const KVM_PPC_OSI: Abi = defineAbi({
  id: 'kvm-ppc-osi',
  family: 'kvm-ppc-osi',
  arch: 'ppc64',
  era: 'Book3S PR KVM with OSI enabled (v2.6.35 onwards)',
  status: 'mainline',
  purpose:
    "Mac-on-Linux's OSI calls under KVM: an `sc` with r3 = OSI_SC_MAGIC_R3 and r4 = OSI_SC_MAGIC_R4 exits to user space (KVM_EXIT_OSI) with all 32 GPRs, where the MOL process handles it. KVM tests the magic before any MSR[PR] check, so a user process's syscall whose first two arguments equal the magic is intercepted too: the hazard raised on the list against r3/r4 magic.",
  source: {
    document:
      'torvalds/linux:arch/powerpc/include/asm/kvm_book3s.h (OSI_SC_MAGIC_R3/R4); arch/powerpc/kvm/book3s_pr.c kvmppc_handle_exit_pr, BOOK3S_INTERRUPT_SYSCALL ("vcpu->arch.osi_enabled && (u32)r3 == OSI_SC_MAGIC_R3 && (u32)r4 == OSI_SC_MAGIC_R4", before the MSR_PR test of the KVM PV branch)',
    version: 'v2.6.35 (KVM_CAP_PPC_OSI); the check is unchanged in later book3s_pr.c',
    note: 'The spec models a vCPU with OSI enabled (KVM_ENABLE_CAP KVM_CAP_PPC_OSI); without it the check is skipped and the `sc` is an ordinary guest syscall. KVM does not decode the OSI call itself: the selector r5 stands for whatever MOL puts after the magic (not decoded here).',
  },
  conduit: { instruction: 'sc', imm: 0n },
  origin: { privilege: ['user', 'kernel'], world: ['guest'] },
  selector: { register: 'r5', width: 64 },
  conditions: [
    { register: 'r3', values: OSI_SC_MAGIC_R3, why: 'OSI_SC_MAGIC_R3 marks an OSI call' },
    { register: 'r4', values: OSI_SC_MAGIC_R4, why: 'OSI_SC_MAGIC_R4 marks an OSI call' },
  ],
  priority: 30,
  calls: [
    {
      name: 'OSI_CALL',
      select: 'otherwise',
      summary: 'exit to user space (KVM_EXIT_OSI) with all 32 GPRs; the MOL process handles the call and KVM resumes the guest with the GPRs it returns',
      args: [{ register: 'r5', role: 'OSI call (decoded by MOL, not KVM)' }],
      meaning: 'osi-call',
      run: () => ({ kind: 'return' }),
    },
  ],
  examples: [
    { title: 'the MOL guest kernel makes an OSI call', registers: { r3: OSI_SC_MAGIC_R3, r4: OSI_SC_MAGIC_R4, r5: 1n }, origin: { privilege: 'kernel', world: 'guest' }, call: 'OSI_CALL' },
    { title: 'a user write(fd, buf, …) whose fd and buf happen to equal the magic: intercepted', registers: { r0: 4n, r3: OSI_SC_MAGIC_R3, r4: OSI_SC_MAGIC_R4, r5: 16n }, origin: { privilege: 'user', world: 'guest' }, call: 'OSI_CALL' },
  ],
  notes: [
    'Tested before any privilege check and before the KVM PV magic: every syscall, user or kernel, whose r3/r4 equal the magic is taken to user space instead of the guest kernel (collision linux-syscall-ppc64 × kvm-ppc-osi).',
    'KVM compares (u32)r3 and (u32)r4; the model requires the upper halves to be 0 (a narrowing of the real check).',
  ],
  recognition: {
    inspects: ['magic-registers'],
    registersGivenUp: 2,
    slowsSyscalls: 'barely: two register compares on every `sc` while OSI is enabled; but r3 and r4 are the first two syscall arguments, and with no privilege check any user syscall with those argument values is stolen',
  },
});
