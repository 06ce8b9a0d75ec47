/**
 * KVM/arm32's host hypercall (`kvm_call_hyp`): `hvc #0` from the host kernel
 * (SVC mode, VMID 0) with a Hyp function pointer in r0 and its arguments in
 * r1–r3. KVM owns HVBAR while it is loaded, so every stub call the kernel
 * issues then reaches KVM instead of the hyp-stub: how KVM tells the two
 * apart changed over time, and each era is its own spec.
 *
 * Facts: ../shared/abi-facts.md §2 (torvalds/linux:arch/arm/kvm/interrupts.S
 * and arch/arm/kvm/hyp/hyp-entry.S, arch/arm/kvm/init.S at the cited commits).
 *
 * @module
 */

import { defineAbi, type Abi, type AbiSpec, type CallOutcome, type CallSpec } from '../../../src/abi/spec.ts';
import { hexValue } from '../../../src/abi/value-set.ts';
import { HVC_STUB_ERR } from './linux-hyp-stub.abi.ts';

/** `HVC_STUB_HCALL_NR`: r0 values below it are stub calls, never kernel function addresses (v4.12+). */
export const HVC_STUB_HCALL_NR = 3n;

/**
 * Where the modelled host kernel's `__hyp_stub_vectors` lie (physical, 32-byte
 * aligned). In Linux this is a link-time symbol of the kernel image KVM is
 * part of; KVM v4.12's `__kvm_handle_stub_hvc` computes it PC-relatively
 * (`adr_l r1, __hyp_stub_vectors`) and loads it into HVBAR on RESET_VECTORS.
 * The model has no kernel image, so the address is this constant: install the
 * hyp-stub here when KVM must be able to hand Hyp mode back to it, or build a
 * KVM spec for another address with {@link defineKvmArm32V4_12}.
 */
export const HYP_STUB_VECTORS = 0x8010_0000n;

/** HSCTLR.{M, A, C, I}: the bits KVM clears to turn the Hyp MMU and caches off before handing Hyp back (init.S `reset:`). */
export const HSCTLR_MMU_AND_CACHES = (1n << 0n) | (1n << 1n) | (1n << 2n) | (1n << 12n);

/** Hyp mode never maps page 0: a branch below this address takes a prefetch abort in Hyp (derived, abi-facts §2.2). */
const UNMAPPED_PAGE_ZERO_END = 0x1000n;

/**
 * What `blx r0` in KVM's `hyp_hvc` does with `target`, one line. Small values
 * are the interesting case: they are what a stub call (r0 = 1, 2, …) becomes
 * when it reaches a KVM that takes every r0 as a function pointer.
 */
export function describeHypFunctionCall(target: bigint): string {
  const t = BigInt.asUintN(32, target);
  const call = 'kvm_call_hyp: blx r0 in Hyp mode with r1–r3 shifted down into r0–r2';
  if (t >= UNMAPPED_PAGE_ZERO_END) return `${call}${(t & 1n) === 1n ? ' (odd address: Thumb state)' : ''}`;
  // ARMv7 BXWritePC: bit 0 selects Thumb; bits[1:0] = 0b10 is a misaligned ARM-state target.
  const where =
    (t & 1n) === 1n
      ? `odd target: BLX switches to Thumb state at ${hexValue(t & ~1n)}`
      : (t & 3n) === 2n
        ? `ARM-state branch to the misaligned address ${hexValue(t)}`
        : `branch to ${hexValue(t)}`;
  return `${call}; ${where}; page 0 is never mapped in Hyp, so the fetch takes a prefetch abort in Hyp (HVBAR+0x0c) and KVM's hyp_pabt panics: the host hangs instead of doing the stub call it meant`;
}

/** `kvm_call_hyp`: run the Hyp function at r0 with r1–r3 as its first three arguments. */
function hypFunctionCall(name: string, summary: string): Omit<CallSpec, 'select'> {
  return {
    name,
    summary,
    args: [
      { register: 'r0', role: 'Hyp function' },
      { register: 'r1', role: 'arg0' },
      { register: 'r2', role: 'arg1' },
      { register: 'r3', role: 'arg2' },
    ],
    results: [{ register: 'r0', role: 'function result (r0:r1 for a u64)' }],
    clobbers: ['r1', 'r2', 'r3', 'r12'],
    meaning: 'kvm-call-hyp',
    run: (call): CallOutcome => {
      const target = call.get('r0');
      return { kind: 'call', target, args: [call.get('r1'), call.get('r2'), call.get('r3')], note: describeHypFunctionCall(target) };
    },
  };
}

/** Read HVBAR into r0: KVM's emulation of the stub's get-vectors call. */
function getVectors(name: string, summary: string): Omit<CallSpec, 'select'> {
  return {
    name,
    summary,
    results: [{ register: 'r0', role: 'HVBAR' }],
    meaning: 'get-vectors',
    run: (call) => {
      call.set('r0', call.get('hvbar'));
      return { kind: 'return' };
    },
  };
}

const common = {
  family: 'kvm-arm32',
  arch: 'arm32',
  conduit: { instruction: 'hvc', imm: 'any' },
  // hyp_hvc reads VTTBR.VMID: only VMID 0 (the host) may call into Hyp this way; a guest's HVC is a guest exit.
  origin: { privilege: ['kernel'], world: ['host'] },
  selector: { register: 'r0', width: 32 },
  priority: 0,
} as const satisfies Partial<AbiSpec>;

/** v3.9–v4.11: r0 = -1 reads HVBAR; any other r0 is a Hyp function pointer. */
export const KVM_ARM32_V3_9: Abi = defineAbi({
  ...common,
  id: 'kvm-arm32-v3.9',
  era: 'v3.9–v4.11',
  status: 'removed',
  purpose:
    "KVM/arm32's first host-to-Hyp convention: the host kernel calls a function in Hyp mode by putting its address in r0. The only value KVM treats specially is -1, the hyp-stub's get-vectors call, so that KVM's init code can read HVBAR whoever owns it. Every other stub call, including a soft restart, is taken as a function pointer.",
  source: {
    document:
      'torvalds/linux:arch/arm/kvm/interrupts.S @02b5a603 (comment above kvm_call_hyp, hyp_hvc); 4.6–4.11 layout: zhuiyight/android_kernel_nubia_nx606j:arch/arm/kvm/hyp/hyp-entry.S @c6936450 (hyp_hvc: "cmp r0, #-1; mrceq HVBAR", then "mov lr, r0 … blx lr")',
    version: 'v3.9',
  },
  calls: [
    { ...getVectors('__hyp_get_vectors', 'r0 = -1 is the stub\'s get-vectors call, emulated: r0 ← HVBAR'), select: -1n },
    { ...hypFunctionCall('kvm_call_hyp', 'any other r0 is a Hyp function pointer: blx r0 with r1–r3 moved to r0–r2, then eret to the host'), select: 'otherwise' },
  ],
  examples: [
    { title: 'KVM init reads the stub vectors', registers: { r0: 0xffff_ffffn }, call: '__hyp_get_vectors' },
    { title: 'the host flushes the VM TLBs in Hyp', registers: { r0: 0xc010_2000n, r1: 0xc7a0_0000n }, call: 'kvm_call_hyp' },
    { title: 'kdump: HVC_SOFT_RESTART (r0 = 1) reaches KVM and becomes a call to address 1', registers: { r0: 1n, r1: 0x8000_8000n }, call: 'kvm_call_hyp' },
  ],
  notes: [
    'Before v4.12 nothing reserves small r0 values: a stub call issued while KVM owns HVBAR is a function call to address 0–2. Page 0 is never mapped in Hyp, so it ends in a prefetch abort in Hyp and a panic (abi-facts §2.2, §4.2). That is what breaks kdump with KVM loaded: the crash path skips the reboot notifier that would have given Hyp back to the stub.',
    "An odd r0 selects Thumb state (BLX's interworking rule); a Thumb-2 kernel forces it (THUMB(orr lr, #1)). The model is an ARM-state kernel.",
  ],
});

/** The interim early-2017 patch: r0 = 0 reads HVBAR; any other r0 is a Hyp function pointer. */
export const KVM_ARM32_2017_INTERIM: Abi = defineAbi({
  ...common,
  id: 'kvm-arm32-2017-interim',
  era: 'early-2017 interim patch',
  status: 'proposal',
  purpose:
    "The KVM side of the early-2017 stub renumbering (the stub's HVC_GET_VECTORS became 0): KVM emulates get-vectors at r0 = 0 instead of -1 and still takes every other r0 as a function pointer, so the proposal's SOFT_RESTART (r0 = 2) is still a call to address 2 while KVM owns Hyp.",
  source: {
    document:
      'The ABI issue (hyplay issue 3: "the interim 2017 patch: r0 = 0 means get-vectors"); the stub numbering it pairs with: altera-opensource/linux-socfpga:arch/arm/include/asm/virt.h @d51ca250 (HVC_GET_VECTORS 0, HVC_SET_VECTORS 1, HVC_SOFT_RESTART 2); the arm64 analogue: torvalds/linux:arch/arm64/kvm/hyp/hyp-entry.S @00a44cda (x0 == 0 returns VBAR_EL2)',
    version: 'v4.10-era list proposal',
    note: 'UNCONFIRMED: no arm32 tree with this KVM change was found with the search tool. It is modelled from the issue statement and the confirmed arm64 ≤ v4.11 convention (abi-facts §3.3); every other r0 is assumed to stay a function pointer, as in v3.9.',
  },
  calls: [
    { ...getVectors('HVC_GET_VECTORS', "r0 = 0 is the proposal's get-vectors call, emulated: r0 ← HVBAR"), select: 0n },
    { ...hypFunctionCall('kvm_call_hyp', 'any other r0 is a Hyp function pointer: blx r0 with r1–r3 moved to r0–r2, then eret to the host'), select: 'otherwise' },
  ],
  examples: [
    { title: 'KVM init reads the stub vectors', registers: { r0: 0n }, call: 'HVC_GET_VECTORS' },
    { title: "kdump: the proposal's HVC_SOFT_RESTART (r0 = 2) becomes a call to address 2", registers: { r0: 2n, r3: 0x8000_8000n }, call: 'kvm_call_hyp' },
  ],
  notes: ['Paired with linux-hyp-stub-2017-proposal, get-vectors agrees and the soft restart does not: the kdump hazard of v3.9 remains until v4.12 reserves r0 < HVC_STUB_HCALL_NR.'],
});

/**
 * The v4.12 convention, for a host kernel whose `__hyp_stub_vectors` lie at
 * `stubVectors`: r0 < HVC_STUB_HCALL_NR is a stub call KVM handles itself,
 * anything else a Hyp function pointer. {@link KVM_ARM32_V4_12} is this spec
 * at {@link HYP_STUB_VECTORS}.
 */
export function defineKvmArm32V4_12(stubVectors: bigint): Abi {
  return defineAbi({
    ...common,
    id: 'kvm-arm32-v4.12',
    era: 'v4.12–v5.6',
    status: 'removed',
    purpose:
      "The reworked convention: kernel function addresses are never below HVC_STUB_HCALL_NR (3), so KVM reserves r0 < 3 for the hyp-stub calls and implements them itself in its idmap page (__kvm_handle_stub_hvc). A soft restart or a vector reset now works whether the stub or KVM owns Hyp mode, which is what makes kdump with KVM loaded boot the crash kernel in Hyp.",
    source: {
      document:
        'torvalds/linux:arch/arm/kvm/hyp/hyp-entry.S @0154ec71 (hyp_hvc: "cmp r0, #HVC_STUB_HCALL_NR; bhs 1f", else branch to the PA of __kvm_handle_stub_hvc); sbourdelin/linux:arch/arm/kvm/init.S @fc053301 (__kvm_handle_stub_hvc); Documentation/virt/kvm/arm/hyp-abi.rst @166cc2a4; commit bc845e4fbbbb (HVC_RESET_VECTORS in the init code)',
      version: 'v4.12',
    },
    calls: [
      {
        name: 'HVC_SET_VECTORS',
        select: 0n,
        summary: 'not implemented by KVM (hyp-abi.rst: only the initial stubs implement it): r0 ← HVC_STUB_ERR (0xbadca11)',
        args: [{ register: 'r1', role: 'vectors (ignored)' }],
        results: [{ register: 'r0', role: 'HVC_STUB_ERR' }],
        meaning: 'error',
        run: (call) => {
          call.set('r0', HVC_STUB_ERR);
          return { kind: 'return' };
        },
      },
      {
        name: 'HVC_SOFT_RESTART',
        select: 1n,
        summary: 'KVM performs the soft restart itself: ELR_hyp ← r1, SPSR ← Hyp mode, Hyp MMU off, stub vectors back, eret to r1 in Hyp; does not return',
        args: [{ register: 'r1', role: 'restart address' }],
        clobbers: ['r0', 'r1'],
        noReturn: true,
        meaning: 'soft-restart',
        run: (call) => ({ kind: 'jump', target: call.get('r1'), note: 'soft restart: KVM erets to r1 in Hyp mode (__kvm_handle_stub_hvc)' }),
      },
      {
        name: 'HVC_RESET_VECTORS',
        select: 2n,
        summary: 'give Hyp back to the stub: HSCTLR.{M,A,C,I} cleared, HVBAR ← PA of __hyp_stub_vectors, r0 ← 0',
        results: [{ register: 'r0', role: '0' }],
        clobbers: ['r1'],
        meaning: 'reset-vectors',
        run: (call) => {
          call.set('hsctlr', call.get('hsctlr') & ~HSCTLR_MMU_AND_CACHES);
          call.set('hvbar', stubVectors);
          call.set('r0', 0n);
          return { kind: 'return' };
        },
      },
      { ...hypFunctionCall('kvm_call_hyp', 'r0 ≥ HVC_STUB_HCALL_NR is a Hyp function pointer: blx r0 with r1–r3 moved to r0–r2, then eret to the host'), select: { min: HVC_STUB_HCALL_NR, max: 0xffff_ffffn } },
    ],
    examples: [
      { title: 'kdump with KVM loaded: KVM performs the soft restart', registers: { r0: 1n, r1: 0x8000_8000n }, call: 'HVC_SOFT_RESTART' },
      { title: 'kexec: the reboot notifier gives Hyp back to the stub', registers: { r0: 2n }, call: 'HVC_RESET_VECTORS' },
      { title: 'the host flushes the VM TLBs in Hyp', registers: { r0: 0xc010_2000n, r1: 0xc7a0_0000n }, call: 'kvm_call_hyp' },
      { title: 'SET_VECTORS is for the boot stubs only', registers: { r0: 0n, r1: 0x8000_1000n }, call: 'HVC_SET_VECTORS' },
    ],
    notes: [
      `RESET_VECTORS loads HVBAR with the physical address of the host kernel's __hyp_stub_vectors, a link-time constant; the model uses ${hexValue(stubVectors)}.`,
      "SOFT_RESTART runs the same reset path before its eret (HSCTLR.{M,A,C,I} cleared, HVBAR ← the stub vectors, r0 ← 0). The model keeps only what the hyp-abi contract promises, a jump to r1 at Hyp, so that it agrees with the stub's SOFT_RESTART for the same r1; the restarted kernel installs its own vectors as it boots. r0 and r1 are listed as clobbered.",
      'r0 = -1 is no longer special: the v3.9 get-vectors emulation is gone, so 0xffffffff is a function pointer like any r0 ≥ 3.',
    ],
  });
}

/** v4.12–v5.6: r0 < 3 are stub calls KVM implements; r0 ≥ 3 a Hyp function pointer. */
export const KVM_ARM32_V4_12: Abi = defineKvmArm32V4_12(HYP_STUB_VECTORS);

/** Every era, oldest first. */
export const KVM_ARM32_ABIS: readonly Abi[] = [KVM_ARM32_V3_9, KVM_ARM32_2017_INTERIM, KVM_ARM32_V4_12];
