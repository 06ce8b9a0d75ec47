/**
 * Mac-on-Linux OSI calls in Book3S PR KVM: the merged r3/r4 magic ABI. While
 * OSI is enabled, KVM takes any `sc` whose r3/r4 hold the OSI magic values to
 * user space (KVM_EXIT_OSI), and it tests them before any privilege check.
 *
 * Facts: ../shared/abi-facts.md §8.3 (v2.6.35 tree arch/powerpc/kvm/book3s.c
 * kvmppc_handle_exit; later arch/powerpc/kvm/book3s_pr.c kvmppc_handle_exit_pr;
 * torvalds/linux:arch/powerpc/include/asm/kvm_book3s.h).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi } from '../../../src/abi/spec.ts';

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
      'v2.6.35 tree (rivsidn/linux-2.6.35.6 @cabec0f7): arch/powerpc/kvm/book3s.c:943-955 kvmppc_handle_exit, BOOK3S_INTERRUPT_SYSCALL ("vcpu->arch.osi_enabled && (u32)r3 == OSI_SC_MAGIC_R3 && (u32)r4 == OSI_SC_MAGIC_R4" → KVM_EXIT_OSI, with no MSR[PR] test; anything else is queued to the guest as a syscall), include/linux/kvm.h:163,524 (KVM_EXIT_OSI 18, KVM_CAP_PPC_OSI 52); torvalds/linux:arch/powerpc/include/asm/kvm_book3s.h (OSI_SC_MAGIC_R3/R4); later kernels: arch/powerpc/kvm/book3s_pr.c kvmppc_handle_exit_pr (v3.3 tree :653-700, v5.7 tree :1313-1357: PAPR `sc 1` is tested first, then OSI, then the KVM PV magic)',
    version: 'v2.6.35 (KVM_CAP_PPC_OSI); the check is unchanged in later releases',
    note: 'The spec models a vCPU with OSI enabled (KVM_ENABLE_CAP KVM_CAP_PPC_OSI); without it the check is skipped and the `sc` is an ordinary guest syscall. KVM does not decode the OSI call itself: the selector r5 stands for whatever MOL puts after the magic (not decoded here). The code sits in book3s.c up to v3.0 and in book3s_pr.c from the PR/HV split (the v3.3 tree has book3s_pr.c).',
  },
  conduit: { instruction: 'sc', imm: 0n },
  origin: { privilege: ['user', 'kernel'], world: ['guest'] },
  // 32 bits wide: KVM compares (u32)r3 and (u32)r4, and the conditions are read at the selector's width.
  selector: { register: 'r5', width: 32 },
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
      run: () => RETURN,
    },
  ],
  examples: [
    { title: 'the MOL guest kernel makes an OSI call', registers: { r3: OSI_SC_MAGIC_R3, r4: OSI_SC_MAGIC_R4, r5: 1n }, origin: { privilege: 'kernel', world: 'guest' }, call: 'OSI_CALL' },
    { title: 'a user write(fd, buf, …) whose fd and buf happen to equal the magic: intercepted', registers: { r0: 4n, r3: OSI_SC_MAGIC_R3, r4: OSI_SC_MAGIC_R4, r5: 16n }, origin: { privilege: 'user', world: 'guest' }, call: 'OSI_CALL' },
    { title: 'the upper halves of r3/r4 are ignored ((u32) compares)', registers: { r3: 0xffff_ffff_0000_0000n | OSI_SC_MAGIC_R3, r4: 0x1_0000_0000n | OSI_SC_MAGIC_R4 }, origin: { privilege: 'kernel', world: 'guest' }, call: 'OSI_CALL' },
  ],
  notes: [
    'Tested before any privilege check and before the KVM PV magic: every syscall, user or kernel, whose r3/r4 equal the magic is taken to user space instead of the guest kernel (collision linux-syscall-ppc64 × kvm-ppc-osi).',
    'KVM compares (u32)r3 and (u32)r4, so the upper halves are ignored: the spec is 32 bits wide for that reason (r5, the stand-in selector, is shown at 32 bits too).',
    'From v3.3 at the latest, Book3S PR tests PAPR first: with PAPR enabled, a guest-kernel `sc 1` is a PAPR hcall whatever r3/r4 hold, and only then comes the OSI test. Book3S PR sees `sc 1` and `sc` alike, so a `sc 1` with the magic that is not a PAPR hcall is taken too (the spec models the `sc` conduit only).',
  ],
  recognition: {
    inspects: ['magic-registers'],
    registersGivenUp: 2,
    slowsSyscalls: 'barely: two register compares on every `sc` while OSI is enabled; but r3 and r4 are the first two syscall arguments, and with no privilege check any user syscall with those argument values is stolen',
  },
});
