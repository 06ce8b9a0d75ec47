/**
 * The 32-bit ARM Linux hyp-stub: `hvc #0` from the host kernel (PL1) with the
 * call number in r0, handled by the tiny Hyp vector table a kernel booted in
 * Hyp mode leaves behind (`__hyp_stub_vectors`, only the Hyp-trap slot live).
 * The numbering changed twice in mainline, and an out-of-tree soft-reboot
 * variant shipped in a vendor tree; each is its own spec. From v5.7 the
 * kernel proper and the zImage decompressor carry different copies of the
 * stub, so they are two specs too.
 *
 * Facts: ../shared/abi-facts.md §1 (the release trees' and
 * torvalds/linux:arch/arm/kernel/hyp-stub.S and arch/arm/include/asm/virt.h
 * at the cited commits; the kernel's hyp-abi document).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type AbiSpec, type CallSpec } from '../../../src/abi/spec.ts';
import { HVBAR, R0, R1, R3 } from './spec-registers.ts';

/** `HVC_STUB_ERR`, the stub's error return (v4.12+). */
export const HVC_STUB_ERR = 0xbadca11n;

/** {@link HVC_STUB_ERR} as the number semantics write. */
const STUB_ERR = Number(HVC_STUB_ERR);

const common = {
  family: 'linux-hyp-stub',
  arch: 'arm32',
  conduit: { instruction: 'hvc', imm: 'any' },
  origin: { privilege: ['kernel'], world: ['host'] },
  selector: { register: 'r0', width: 32 },
  priority: 0,
} as const satisfies Partial<AbiSpec>;

/** SET_VECTORS of the v4.12 numbering: HVBAR ← r1, r0 ← 0. */
const setVectorsR1: Omit<CallSpec, 'select'> = {
  name: 'HVC_SET_VECTORS',
  summary: 'install a new Hyp vector table: HVBAR ← r1 (a physical, correctly aligned address), r0 ← 0',
  args: [{ register: 'r1', role: 'vectors' }],
  results: [{ register: 'r0', role: '0' }],
  clobbers: ['r1', 'r2', 'r3', 'r12'],
  meaning: 'set-vectors',
  run: (call) => {
    call.copy(HVBAR, R1);
    call.setU32(R0, 0);
    return RETURN;
  },
};

/**
 * SOFT_RESTART of the v4.12 numbering: `bx r1`, still in Hyp. Nothing is
 * written, so the target sees r0 = 1 (the call number) and r1 = itself, with
 * SPSR_hyp, ELR_hyp and HSCTLR as the exception entry left them (abi-facts
 * §2.3, "the soft-restart target sees different registers").
 */
const softRestartR1: Omit<CallSpec, 'select'> = {
  name: 'HVC_SOFT_RESTART',
  summary: 'branch (bx r1) to r1 in Hyp mode, the kexec/kdump soft restart; does not return. The target sees r0 = 1 and r1 = the target, every other register as the caller left it',
  args: [{ register: 'r1', role: 'restart address' }],
  noReturn: true,
  meaning: 'soft-restart',
  run: (call) => ({ kind: 'jump', target: call.u32(R1), note: 'soft restart: the stub branches to r1 in Hyp mode (bx r1), registers untouched' }),
};

/** Get-vectors of the eras that have it: r0 ← HVBAR. */
const getVectors: Omit<CallSpec, 'select' | 'name'> = {
  summary: 'read HVBAR: r0 ← HVBAR',
  results: [{ register: 'r0', role: 'HVBAR' }],
  meaning: 'get-vectors',
  run: (call) => {
    call.copy(R0, HVBAR);
    return RETURN;
  },
};

/** The stubs without an error value: any other r0 is the new HVBAR, and nothing is returned. */
const setVectorsR0: Omit<CallSpec, 'select' | 'name'> = {
  summary: 'any other r0 is the new vector base: HVBAR ← r0 (mcrne); nothing is returned and there is no error value',
  args: [{ register: 'r0', role: 'vectors' }],
  meaning: 'set-vectors',
  run: (call) => {
    call.copy(HVBAR, R0);
    return RETURN;
  },
};

/** An HVC_STUB_ERR answer, for `select`: r0 ← 0xbadca11, HVBAR unchanged. */
function stubError(name: string, select: CallSpec['select'], summary: string): CallSpec {
  return {
    name,
    select,
    summary,
    results: [{ register: 'r0', role: 'HVC_STUB_ERR' }],
    meaning: 'error',
    run: (call) => {
      call.setU32(R0, STUB_ERR);
      return RETURN;
    },
  };
}

/** The original stub, v3.7–v4.11: r0 = -1 reads HVBAR, any other r0 is the new HVBAR. */
export const LINUX_HYP_STUB_V3_6: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-v3.6',
  era: 'v3.7–v4.11',
  status: 'removed',
  purpose:
    'The first hyp-stub: a kernel booted in Hyp mode keeps a minimal Hyp vector table so that KVM can later install its own vectors. It has exactly two operations and no soft restart, so a 32-bit soft_restart could not return to Hyp mode in this era.',
  source: {
    document:
      'v3.7 tree (robacklin/linux-3.7.2 @47011c3d0ead) and v4.11 tree (HCLS/linux-4.11 @e81cedcca218) arch/arm/kernel/hyp-stub.S (__hyp_stub_do_trap: cmp r0, #-1; mrceq get HVBAR; mcrne set HVBAR); torvalds/linux:arch/arm/kernel/hyp-stub.S @0af0b189',
    version: 'v3.7',
    note: 'The id says v3.6 for historical reasons: the v3.6 tree has no hyp-stub.S, and v3.7 is the first release with the stub (abi-facts §1.1).',
  },
  calls: [
    { ...getVectors, name: '__hyp_get_vectors', select: -1n },
    { ...setVectorsR0, name: '__hyp_set_vectors', select: 'otherwise' },
  ],
  examples: [
    { title: 'KVM init saves the stub vectors', registers: { r0: 0xffff_ffffn }, call: '__hyp_get_vectors' },
    { title: 'KVM installs its init vectors', registers: { r0: 0x8000_1000n }, call: '__hyp_set_vectors' },
  ],
  notes: [
    'r0 = -1 is the only value that is not a vector address; a soft restart request (r0 = 1 in the v4.12 numbering) would set HVBAR to 1 and return.',
    'The KVMs of the era differ on r0 = -1 once they own Hyp: KVM v3.9 (kvm-arm32-v3.9) takes it as a function pointer, KVM v3.10–v4.11 (kvm-arm32-v3.10) answers it with HVBAR like this stub. Every other r0 is set-vectors here and a function pointer there.',
    'soft_restart in this era calls phys_reset(addr) without a Hyp argument, so neither kexec nor kdump issues an HVC: the next kernel starts in svc (abi-facts §1.4).',
  ],
});

/** Russell King's soft-reboot stub, shipped out of tree: -1 reads HVBAR, 1 restarts at r3 in Hyp, any other r0 is the new HVBAR. */
export const LINUX_HYP_STUB_RMK: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-rmk',
  era: 'out-of-tree soft-reboot variant (a vendor tree of the v4.x era)',
  status: 'out-of-tree',
  purpose:
    "The only shipped stub with a soft restart in Hyp before v4.12: Russell King's soft-reboot rework of the original stub, as the beagleboard vendor tree carries it. It keeps the original get and set and adds HVC_SOFT_RESTART = 1, which branches in Hyp to the address in r3. No mainline release has it.",
  source: {
    document:
      'beagleboard/linux:arch/arm/kernel/hyp-stub.S @4a8e59d4 (HVC_GET_VECTORS -1, HVC_SOFT_RESTART 1; __hyp_stub_do_trap: cmp r0, #-1 … teq r0, #1; mov r0, r3; bx r0 … mcrne set HVBAR; __hyp_soft_restart: mov r3, r0; mov r0, #1; hvc); the same tree\'s arch/arm/kernel/reboot.c (phys_reset(addr, is_hyp_mode_available())) and arch/arm/kvm/arm.c (the v4.6–v4.11 KVM: hyp_default_vectors, cpu_hyp_reset)',
    version: 'out of tree (the beagleboard vendor tree, whose KVM is the v4.6–v4.11 design)',
    note: 'abi-facts §1.1: neither this variant nor the 0/1/2 numbering of altera-opensource/linux-socfpga virt.h @d51ca250 is in a mainline release; whether either passed through mainline inside the v4.12 merge window is UNCONFIRMED (Appendix A.1).',
  },
  calls: [
    { ...getVectors, name: 'HVC_GET_VECTORS', select: -1n },
    {
      name: 'HVC_SOFT_RESTART',
      select: 1n,
      summary: 'branch in Hyp mode to r3 (mov r0, r3; bx r0: bit 0 selects Thumb); does not return. The target sees r0 = r3 = itself',
      args: [{ register: 'r3', role: 'restart address' }],
      noReturn: true,
      meaning: 'soft-restart',
      run: (call) => {
        const target = call.u32(R3);
        call.setU32(R0, target);
        return { kind: 'jump', target, note: 'soft restart: the stub moves r3 to r0 and branches there in Hyp mode (bx r0)' };
      },
    },
    { ...setVectorsR0, name: 'HVC_SET_VECTORS', select: 'otherwise' },
  ],
  examples: [
    { title: 'KVM init saves the stub vectors', registers: { r0: 0xffff_ffffn }, call: 'HVC_GET_VECTORS' },
    { title: 'kexec soft restart to the new kernel (the target in r3)', registers: { r0: 1n, r3: 0x8080_8000n }, call: 'HVC_SOFT_RESTART' },
    { title: 'KVM installs its init vectors', registers: { r0: 0x8000_1000n }, call: 'HVC_SET_VECTORS' },
  ],
  notes: [
    'There is no error return: every r0 but -1 and 1 sets HVBAR. The caller-side __hyp_set_vectors refuses a vector base that is not 32-byte aligned (tst r0, #31) before it issues the HVC.',
    "The kernel's __hyp_soft_restart keeps the target in r3 and reloads r0 from it after the HVC, in case the call returns.",
    'Its KVM is the v4.6–v4.11 function-pointer design (kvm-arm32-v3.10): while KVM owns Hyp, HVC_SOFT_RESTART (r0 = 1) is a call to address 1 in Hyp. The same tree gives Hyp back to the stub after KVM init and on reboot, so only a kdump with a VM running meets KVM (the reset matrix).',
  ],
});

/** The stable v4.12 numbering: 0 SET (r1), 1 SOFT_RESTART (r1), 2 RESET, else HVC_STUB_ERR. */
export const LINUX_HYP_STUB_V4_12: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-v4.12',
  era: 'v4.12–v5.6',
  status: 'removed',
  purpose:
    'The reworked stub ABI shared with arm64: call numbers below HVC_STUB_HCALL_NR (3) are stub calls, every argument in r1, and an error value for anything else. KVM (kvm-arm32-v4.12) reserves the same r0 < 3 and implements SOFT_RESTART and RESET_VECTORS in its own init code, so a soft restart works whoever owns Hyp mode; SET_VECTORS is for the boot stub only.',
  source: {
    document:
      'v4.12 tree (jason50123/linux-4.12 @d7bbb6bbf66c) arch/arm/kernel/hyp-stub.S and arch/arm/include/asm/virt.h (HVC_SET_VECTORS 0, HVC_SOFT_RESTART 1, HVC_RESET_VECTORS 2, HVC_STUB_HCALL_NR 3, HVC_STUB_ERR 0xbadca11); Documentation/virtual/kvm/arm/hyp-abi.txt (the v4.12 tree; a torvalds/linux copy @68c4f9c5)',
    version: 'v4.12',
  },
  calls: [
    { ...setVectorsR1, select: 0n },
    { ...softRestartR1, select: 1n },
    {
      name: 'HVC_RESET_VECTORS',
      select: 2n,
      summary: 'put the stub vectors back; the stub itself has nothing to undo: r0 ← 0',
      results: [{ register: 'r0', role: '0' }],
      meaning: 'reset-vectors',
      run: (call) => {
        call.setU32(R0, 0);
        return RETURN;
      },
    },
    stubError('invalid', 'otherwise', 'r0 ≥ HVC_STUB_HCALL_NR (3) is not a stub call: r0 ← HVC_STUB_ERR (0xbadca11)'),
  ],
  examples: [
    { title: 'KVM installs its vectors', registers: { r0: 0n, r1: 0x8000_1000n }, call: 'HVC_SET_VECTORS' },
    { title: 'kexec soft restart to the new kernel', registers: { r0: 1n, r1: 0x8000_8000n }, call: 'HVC_SOFT_RESTART' },
    { title: 'reset vectors while the stub owns Hyp', registers: { r0: 2n }, call: 'HVC_RESET_VECTORS' },
    { title: 'a kvm_call_hyp aimed at the stub', registers: { r0: 0xc010_0000n }, call: 'invalid' },
  ],
  notes: [
    'The hyp-abi document says r0 values other than the stub calls are hypervisor-specific: that is where KVM puts its function pointers. At v4.12 the document is Documentation/virtual/kvm/arm/hyp-abi.txt; it moved to Documentation/virt/kvm/arm/hyp-abi.rst later.',
    'A KVM older than v4.12 (kvm-arm32-v3.9, kvm-arm32-v3.10) takes every r0 (v3.10+: every r0 but -1) as a Hyp function pointer: if it still owns HVBAR when SOFT_RESTART (r0 = 1) is issued, as on the kdump path with a VM running, the call becomes a branch to address 1 and a prefetch abort in Hyp.',
    "SOFT_RESTART under KVM v4.12 lands at the same address with different registers (r0 = 0, r1 = the stub vectors' PA, HSCTLR MMU and caches off): kvm-arm32-v4.12 models those writes, and conformance checks that every register the stub's spec leaves alone is unchanged at the target.",
  ],
});

/** v5.7+, the kernel proper: KVM/arm32 is gone and only SOFT_RESTART remains; SET_VECTORS answers HVC_STUB_ERR. */
export const LINUX_HYP_STUB_V5_7: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-v5.7',
  era: 'v5.7+ (kernel proper)',
  status: 'mainline',
  purpose:
    "After KVM/arm32 was removed (v5.7), the stub the kernel proper installs keeps only what kexec needs: SOFT_RESTART. The SET_VECTORS test is compiled only into the zImage decompressor's copy (linux-hyp-stub-v5.7-zimage), so in the kernel proper r0 = 0 falls through to the error path and HVBAR stays as it is.",
  source: {
    document:
      'torvalds/linux:arch/arm/kernel/hyp-stub.S @a94e42b1; v5.7 tree (a5221985/linux-5.7.14 @5d0b54d93391) arch/arm/kernel/hyp-stub.S:191-204 (the SET_VECTORS test under #ifdef ZIMAGE); M. Zyngier, "arm: Remove the ability to set HYP vectors outside of the decompressor" (kvmarm list, 2020-03-24); OpenVZ/vzkernel:arch/arm/include/asm/virt.h',
    version: 'v5.7',
    note: 'The v5.7 hyp-abi document still says every built-in hypervisor must implement SET/RESET_VECTORS; the code no longer does (abi-facts §1.2): this spec follows the code.',
  },
  calls: [
    stubError('HVC_SET_VECTORS', 0n, 'not accepted in the kernel proper (only the decompressor stub can set HVBAR): r0 ← HVC_STUB_ERR (0xbadca11), HVBAR unchanged'),
    { ...softRestartR1, select: 1n },
    stubError('invalid', 'otherwise', 'anything else (RESET_VECTORS included): r0 ← HVC_STUB_ERR (0xbadca11)'),
  ],
  examples: [
    { title: 'kexec soft restart to the new kernel', registers: { r0: 1n, r1: 0x8000_8000n }, call: 'HVC_SOFT_RESTART' },
    { title: 'the kernel proper can no longer set the vectors', registers: { r0: 0n, r1: 0x8000_1000n }, call: 'HVC_SET_VECTORS' },
    { title: 'RESET_VECTORS no longer exists', registers: { r0: 2n }, call: 'invalid' },
  ],
  notes: ['__hyp_set_vectors is still exported by the kernel proper, but only the decompressor, which bounces between Hyp and svc, can use it: its copy of the stub is the one that answers it.'],
});

/** v5.7+, the zImage decompressor's copy: SET_VECTORS and SOFT_RESTART, anything else HVC_STUB_ERR. */
export const LINUX_HYP_STUB_V5_7_ZIMAGE: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-v5.7-zimage',
  era: 'v5.7+ (zImage decompressor)',
  status: 'mainline',
  purpose:
    "The copy of the stub that the zImage decompressor runs while it bounces between Hyp and svc to unpack the kernel (hyp-stub.S built with ZIMAGE defined): the only stub of v5.7+ that still sets HVBAR. The kernel proper then installs its own copy (linux-hyp-stub-v5.7).",
  source: {
    document: 'torvalds/linux:arch/arm/kernel/hyp-stub.S @a94e42b1; v5.7 tree (a5221985/linux-5.7.14 @5d0b54d93391) arch/arm/kernel/hyp-stub.S:191-204 (#ifdef ZIMAGE: teq r0, #HVC_SET_VECTORS; mcr … set HVBAR; r0 ← 0)',
    version: 'v5.7',
  },
  calls: [
    { ...setVectorsR1, select: 0n, summary: 'install a new Hyp vector table: HVBAR ← r1, r0 ← 0 (only this copy of the stub can)' },
    { ...softRestartR1, select: 1n },
    stubError('invalid', 'otherwise', 'anything else: r0 ← HVC_STUB_ERR (0xbadca11)'),
  ],
  examples: [
    { title: 'the decompressor moves the Hyp vectors', registers: { r0: 0n, r1: 0x8000_1000n }, call: 'HVC_SET_VECTORS' },
    { title: 'a soft restart from the decompressor', registers: { r0: 1n, r1: 0x8000_8000n }, call: 'HVC_SOFT_RESTART' },
    { title: 'RESET_VECTORS no longer exists', registers: { r0: 2n }, call: 'invalid' },
  ],
});

/** Every era, oldest first (the out-of-tree variant where it sits in time). */
export const LINUX_HYP_STUB_ABIS: readonly Abi[] = [LINUX_HYP_STUB_V3_6, LINUX_HYP_STUB_RMK, LINUX_HYP_STUB_V4_12, LINUX_HYP_STUB_V5_7, LINUX_HYP_STUB_V5_7_ZIMAGE];
