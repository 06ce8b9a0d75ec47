/**
 * KVM/arm32's host hypercall (`kvm_call_hyp`): `hvc #0` from the host kernel
 * (SVC mode, VMID 0) with a Hyp function pointer in r0 and its arguments in
 * r1–r3. While KVM's vectors are in HVBAR every stub call the kernel issues
 * reaches KVM instead of the hyp-stub: how KVM tells the two apart changed
 * over time, and each era is its own spec. When KVM's vectors are in HVBAR
 * changed too (abi-facts §2.5): from init onwards in v3.9–v4.5, only while a
 * VM exists from v4.6; that is the reset matrix's business, not the specs'.
 *
 * Facts: ../shared/abi-facts.md §2 (torvalds/linux:arch/arm/kvm/interrupts.S
 * and arch/arm/kvm/hyp/hyp-entry.S, arch/arm/kvm/init.S at the cited commits).
 *
 * @module
 */

import { defineAbi, outcomeU32, RETURN, type Abi, type AbiSpec, type CallContext, type CallSpec, type FunctionCallOutcome } from '../../../src/abi/spec.ts';
import { hexValue } from '../../../src/abi/value-set.ts';
import { HVC_STUB_ERR } from './linux-hyp-stub.abi.ts';
import { ELR_HYP, HSCTLR, HVBAR, R0, R1, R2, R3 } from './spec-registers.ts';

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

/** {@link HSCTLR_MMU_AND_CACHES} as the number semantics mask with. */
const MMU_AND_CACHES = Number(HSCTLR_MMU_AND_CACHES);

/** {@link HVC_STUB_ERR} as the number semantics write. */
const STUB_ERR = Number(HVC_STUB_ERR);

/** Hyp mode never maps page 0: a branch below this address takes a prefetch abort in Hyp (derived, abi-facts §2.2). */
const UNMAPPED_PAGE_ZERO_END = 0x1000;

/** What `kvm_call_hyp` does, the start of every note {@link describeHypFunctionCall} gives. */
const HYP_FUNCTION_CALL = 'kvm_call_hyp: blx r0 in Hyp mode with r1–r3 shifted down into r0–r2';
const HYP_FUNCTION_CALL_THUMB = `${HYP_FUNCTION_CALL} (odd address: Thumb state)`;

// v3.9 has no get-vectors test (abi-facts §2.2 step 3): BXWritePC takes bit 0 as Thumb.
const GET_VECTORS_NOTE = `${HYP_FUNCTION_CALL}; r0 = -1 (the original stub's get-vectors call) is a function pointer here: BLX switches to Thumb state at 0xfffffffe, which is not one of KVM's Hyp mappings, so the fetch takes a prefetch abort in Hyp (derived)`;

/** The text for each target in page 0, made on first use. */
const PAGE_ZERO_NOTES: (string | undefined)[] = new Array<string | undefined>(UNMAPPED_PAGE_ZERO_END).fill(undefined);

function pageZeroNote(t: number): string {
  // ARMv7 BXWritePC: bit 0 selects Thumb; bits[1:0] = 0b10 is a misaligned ARM-state target.
  const where =
    (t & 1) === 1
      ? `odd target: BLX switches to Thumb state at ${hexValue(BigInt(t & ~1))}`
      : (t & 3) === 2
        ? `ARM-state branch to the misaligned address ${hexValue(BigInt(t))}`
        : `branch to ${hexValue(BigInt(t))}`;
  return `${HYP_FUNCTION_CALL}; ${where}; page 0 is never mapped in Hyp, so the fetch takes a prefetch abort in Hyp (HVBAR+0x0c) and KVM's hyp_pabt panics: the host hangs instead of doing the stub call it meant`;
}

/**
 * What `blx r0` in KVM's `hyp_hvc` does with `target`, one line. Small values
 * are the interesting case: they are what a stub call (r0 = 1, 2, …) becomes
 * when it reaches a KVM that takes every r0 as a function pointer; so is
 * r0 = -1, the original stub's get-vectors call, under KVM v3.9.
 */
export function describeHypFunctionCall(target: bigint | number): string {
  const t = outcomeU32(target);
  if (t === 0xffff_ffff) return GET_VECTORS_NOTE;
  // The usual case, a kernel function address: constant text, since this runs on every kvm_call_hyp spec firmware takes.
  if (t >= UNMAPPED_PAGE_ZERO_END) return (t & 1) === 1 ? HYP_FUNCTION_CALL_THUMB : HYP_FUNCTION_CALL;
  // A stub call number reaching KVM (what the dispatcher sees most): each text is made once.
  return (PAGE_ZERO_NOTES[t] ??= pageZeroNote(t));
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
    run: (call): FunctionCallOutcome<number> => {
      const target = call.u32(R0);
      return { kind: 'call', target, args: [call.u32(R1), call.u32(R2), call.u32(R3)], note: describeHypFunctionCall(target) };
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
      call.copy(R0, HVBAR);
      return RETURN;
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

/** The function-pointer convention's call, as every pre-v4.12 era writes it. */
const FUNCTION_POINTER_SUMMARY = 'a Hyp function pointer: blx r0 with r1–r3 moved to r0–r2, then eret to the host';

/** v3.9: every r0 is a Hyp function pointer, -1 included. */
export const KVM_ARM32_V3_9: Abi = defineAbi({
  ...common,
  id: 'kvm-arm32-v3.9',
  era: 'v3.9',
  status: 'removed',
  purpose:
    "KVM/arm32's first host-to-Hyp convention, as merged: the host kernel calls a function in Hyp mode by putting its address in r0, and hyp_hvc treats no value specially. The stub's own calls (get-vectors r0 = -1, a later soft restart r0 = 1) are function pointers too once KVM owns Hyp, which in v3.9 is from KVM init onwards, for good.",
  source: {
    document:
      'v3.9 tree (opennetworklinux/linux-3.9.6 @d0512f069337) arch/arm/kvm/interrupts.S:358-371 (hyp_hvc: HSR.EC and VTTBR.VMID checks, then host_switch_to_hyp: mov lr, r0 … blx lr, no test of r0), arch/arm/kvm/arm.c:101-103 (kvm_arch_hardware_disable is empty) and :998-1021 (one-phase init, hyp_default_vectors saved while the stub owns Hyp)',
    version: 'v3.9',
  },
  calls: [{ ...hypFunctionCall('kvm_call_hyp', `every r0 is ${FUNCTION_POINTER_SUMMARY}`), select: 'otherwise' }],
  examples: [
    { title: 'the host flushes the VM TLBs in Hyp', registers: { r0: 0xc010_2000n, r1: 0xc7a0_0000n }, call: 'kvm_call_hyp' },
    { title: "the stub's get-vectors (r0 = -1) reaching KVM: a call to 0xffffffff", registers: { r0: 0xffff_ffffn }, call: 'kvm_call_hyp' },
    { title: 'kdump: HVC_SOFT_RESTART (r0 = 1) reaches KVM and becomes a call to address 1', registers: { r0: 1n, r1: 0x8000_8000n }, call: 'kvm_call_hyp' },
  ],
  notes: [
    "r0 = -1 is not special before v3.10: blx 0xffffffff enters Thumb state at 0xfffffffe (abi-facts §2.2 step 3). KVM v3.9 reads the stub's vectors once, before it installs its own (hyp_default_vectors = __hyp_get_vectors() in init_hyp_mode), so its own init never meets this.",
    'Init is one phase: kvm_call_hyp(pgd_low, pgd_high, hyp_stack_ptr, vector_ptr) into the init vectors, which set HTTBR from r0/r1, SP from r2 and HVBAR from r3; here r0 carries data, not a function (abi-facts §2.4).',
    'Nothing reserves small r0 values: a stub call issued while KVM owns HVBAR is a function call to address 0–2. Page 0 is never mapped in Hyp, so it ends in a prefetch abort in Hyp and a panic (abi-facts §2.2, §4.2).',
    "An odd r0 selects Thumb state (BLX's interworking rule); a Thumb-2 kernel forces it (THUMB(orr lr, #1)). The model is an ARM-state kernel.",
  ],
});

/** v3.10–v4.11: r0 = -1 reads HVBAR; any other r0 is a Hyp function pointer. */
export const KVM_ARM32_V3_10: Abi = defineAbi({
  ...common,
  id: 'kvm-arm32-v3.10',
  era: 'v3.10–v4.11',
  status: 'removed',
  purpose:
    "KVM/arm32's function-pointer convention with one value reserved: r0 = -1 is the original stub's get-vectors call, which KVM answers itself with HVBAR, so that the kernel can read the vectors whoever owns Hyp. Every other stub call, a soft restart included, is still taken as a function pointer.",
  source: {
    document:
      'v3.10 tree (Original-Linux/Linux-3.10 @317bdedcef65) arch/arm/kvm/interrupts.S:375-376 ("Check for __hyp_get_vectors": cmp r0, #-1; mrceq HVBAR); torvalds/linux:arch/arm/kvm/interrupts.S @02b5a603; 4.6–4.11 layout: zhuiyight/android_kernel_nubia_nx606j:arch/arm/kvm/hyp/hyp-entry.S @c6936450 (v4.9 vendor tree: cmp r0, #-1; mrceq HVBAR, then mov lr, r0 … blx lr); arm64 analogue b20c9f29 "arm/arm64: KVM: detect CPU reset on CPU_PM_EXIT"',
    version: 'v3.10',
    note: 'The v3.10 tree is an LSK-style backport tree (it carries arm64 KVM); the -1 test is also in the mainline v4.x copies cited. The same host ABI serves two ownership eras: v3.10–v4.5 KVM keeps Hyp from init onwards, v4.6–v4.11 gives it back after init and takes it while a VM exists (abi-facts §2.5).',
  },
  calls: [
    { ...getVectors('__hyp_get_vectors', "r0 = -1 is the stub's get-vectors call, emulated: r0 ← HVBAR"), select: -1n },
    { ...hypFunctionCall('kvm_call_hyp', `any other r0 is ${FUNCTION_POINTER_SUMMARY}`), select: 'otherwise' },
  ],
  examples: [
    { title: 'cpu_hyp_reinit asks for the vectors while KVM owns Hyp', registers: { r0: 0xffff_ffffn }, call: '__hyp_get_vectors' },
    { title: 'the host flushes the VM TLBs in Hyp', registers: { r0: 0xc010_2000n, r1: 0xc7a0_0000n }, call: 'kvm_call_hyp' },
    { title: 'kdump with a VM running: HVC_SOFT_RESTART (r0 = 1) becomes a call to address 1', registers: { r0: 1n, r1: 0x8000_8000n }, call: 'kvm_call_hyp' },
  ],
  notes: [
    'Before v4.12 nothing reserves small r0 values: a stub call issued while KVM owns HVBAR is a function call to address 0–2. Page 0 is never mapped in Hyp, so it ends in a prefetch abort in Hyp and a panic (abi-facts §2.2, §4.2).',
    'v4.6–v4.11 give Hyp back to the stub at the end of init and on hardware disable, with kvm_call_hyp(__kvm_hyp_reset, hyp_default_vectors): __kvm_hyp_reset turns the Hyp MMU off, writes HVBAR and erets straight to the host. So kdump meets this ABI only with a VM running (its vectors stay while a VM exists), kexec never (the reboot notifier resets first).',
    'Init: two phases in v3.10 (torvalds/linux:arch/arm/kvm/init.S @fc9046a1: r0 = 0 with the boot pgd, then r0 = stack, r1 = vectors, r2/r3 = runtime pgd); by v4.9 one call again (__cpu_init_hyp_mode: r0 = stack, r1 = vectors, r2/r3 = pgd). The release of that change is UNCONFIRMED.',
    "An odd r0 selects Thumb state (BLX's interworking rule); a Thumb-2 kernel forces it (THUMB(orr lr, #1)). The model is an ARM-state kernel.",
  ],
});

/** The interim early-2017 patch: r0 = 0 reads HVBAR; any other r0 is a Hyp function pointer. UNCONFIRMED. */
export const KVM_ARM32_2017_INTERIM: Abi = defineAbi({
  ...common,
  id: 'kvm-arm32-2017-interim',
  era: 'early-2017 interim patch (UNCONFIRMED)',
  status: 'proposal',
  purpose:
    'A KVM side for the 0/1/2 = GET/SET/SOFT_RESTART numbering that altera-opensource/linux-socfpga lists (asm constants only): KVM would emulate get-vectors at r0 = 0 instead of -1 and take every other r0 as a function pointer. No arm32 tree with this change has been found, and no stub shipped with that numbering; the spec is kept as the arm32 analogue of the confirmed arm64 ≤ v4.11 convention, not as history.',
  source: {
    document:
      'hyplay issue 3 ("the interim 2017 patch: r0 = 0 means get-vectors"); the numbering it pairs with: altera-opensource/linux-socfpga:arch/arm/include/asm/virt.h @d51ca250 (HVC_GET_VECTORS 0, HVC_SET_VECTORS 1, HVC_SOFT_RESTART 2; numbers only, no handler); the arm64 analogue: torvalds/linux:arch/arm64/kvm/hyp/hyp-entry.S @00a44cda (x0 == 0 returns VBAR_EL2)',
    version: 'v4.10-era list discussion (UNCONFIRMED)',
    note: 'UNCONFIRMED: no arm32 tree with this KVM change was found, and no shipped stub speaks the 0/1/2 numbering (abi-facts §1.1, Appendix A.1). It is not in the reset matrix.',
  },
  calls: [
    { ...getVectors('HVC_GET_VECTORS', "r0 = 0 is the altera numbering's get-vectors call, emulated: r0 ← HVBAR"), select: 0n },
    { ...hypFunctionCall('kvm_call_hyp', `any other r0 is ${FUNCTION_POINTER_SUMMARY}`), select: 'otherwise' },
  ],
  examples: [
    { title: 'KVM init reads the stub vectors', registers: { r0: 0n }, call: 'HVC_GET_VECTORS' },
    { title: "the altera numbering's HVC_SOFT_RESTART (r0 = 2) becomes a call to address 2", registers: { r0: 2n, r3: 0x8000_8000n }, call: 'kvm_call_hyp' },
  ],
  notes: ['Whatever stub it met, a soft restart (r0 = 1 or 2) would still be a function pointer while this KVM owns Hyp: the kdump hazard of the function-pointer eras remains until v4.12 reserves r0 < HVC_STUB_HCALL_NR.'],
});

/**
 * The v4.12 convention, for a host kernel whose `__hyp_stub_vectors` lie at
 * `stubVectors`: r0 < HVC_STUB_HCALL_NR is a stub call KVM handles itself,
 * anything else a Hyp function pointer. {@link KVM_ARM32_V4_12} is this spec
 * at {@link HYP_STUB_VECTORS}.
 */
export function defineKvmArm32V4_12(stubVectors: bigint): Abi {
  // A physical address on a 32-bit machine (LPAE aside, which the model does not have).
  const stub = Number(BigInt.asUintN(32, stubVectors));
  /** __kvm_handle_stub_hvc's reset path, shared by SOFT_RESTART and RESET_VECTORS (init.S `reset:`): MMU and caches off, the stub's vectors back, r0 ← 0. */
  const resetToStub = (call: CallContext): void => {
    call.setU32(HSCTLR, call.u32(HSCTLR) & ~MMU_AND_CACHES);
    call.setU32(R1, stub);
    call.setU32(HVBAR, stub);
    call.setU32(R0, 0);
  };
  return defineAbi({
    ...common,
    id: 'kvm-arm32-v4.12',
    era: 'v4.12–v5.6',
    status: 'removed',
    purpose:
      "The reworked convention: kernel function addresses are never below HVC_STUB_HCALL_NR (3), so KVM reserves r0 < 3 for the hyp-stub calls and implements them itself in its idmap page (__kvm_handle_stub_hvc). A soft restart or a vector reset now works whether the stub or KVM owns Hyp mode, which is what makes kdump with a VM running boot the crash kernel in Hyp.",
    source: {
      document:
        'torvalds/linux:arch/arm/kvm/hyp/hyp-entry.S @0154ec71 (hyp_hvc: "cmp r0, #HVC_STUB_HCALL_NR; bhs 1f", else branch to the PA of __kvm_handle_stub_hvc); sbourdelin/linux:arch/arm/kvm/init.S @fc053301 and the v4.12 tree (jason50123/linux-4.12 @d7bbb6bbf66c) arch/arm/kvm/init.S (__kvm_handle_stub_hvc; __do_hyp_init serves stub calls too); Documentation/virtual/kvm/arm/hyp-abi.txt (the v4.12 tree); commit bc845e4fbbbb (HVC_RESET_VECTORS in the init code)',
      version: 'v4.12',
    },
    calls: [
      {
        name: 'HVC_SET_VECTORS',
        select: 0n,
        summary: 'not implemented by KVM (hyp-abi.txt: only the initial stubs implement it): r0 ← HVC_STUB_ERR (0xbadca11)',
        args: [{ register: 'r1', role: 'vectors (ignored)' }],
        results: [{ register: 'r0', role: 'HVC_STUB_ERR' }],
        // hyp_hvc reaches __kvm_handle_stub_hvc through ip: r12 is clobbered on every stub call.
        clobbers: ['r12'],
        meaning: 'error',
        run: (call) => {
          call.setU32(R0, STUB_ERR);
          return RETURN;
        },
      },
      {
        name: 'HVC_SOFT_RESTART',
        select: 1n,
        summary:
          'KVM performs the soft restart itself: ELR_hyp ← r1, SPSR_hyp ← the Hyp CPSR, then the reset path (HSCTLR.{M,A,C,I} cleared, r1 and HVBAR ← PA of __hyp_stub_vectors, r0 ← 0) and eret to the old r1 in Hyp; does not return. The target sees r0 = 0 and r1 = the stub vectors, not the stub\'s r0 = 1, r1 = target',
        args: [{ register: 'r1', role: 'restart address' }],
        results: [
          { register: 'r0', role: '0 (at the target)' },
          { register: 'r1', role: 'PA of __hyp_stub_vectors (at the target)' },
        ],
        clobbers: ['r12'],
        noReturn: true,
        meaning: 'soft-restart',
        run: (call) => {
          const target = call.u32(R1);
          call.setU32(ELR_HYP, target);
          resetToStub(call);
          return { kind: 'jump', target, note: 'soft restart: KVM erets to the old r1 in Hyp mode with the stub back in HVBAR (__kvm_handle_stub_hvc)' };
        },
      },
      {
        name: 'HVC_RESET_VECTORS',
        select: 2n,
        summary: 'give Hyp back to the stub: HSCTLR.{M,A,C,I} cleared, r1 and HVBAR ← PA of __hyp_stub_vectors, r0 ← 0',
        results: [{ register: 'r0', role: '0' }],
        clobbers: ['r1', 'r12'],
        meaning: 'reset-vectors',
        run: (call) => {
          resetToStub(call);
          return RETURN;
        },
      },
      { ...hypFunctionCall('kvm_call_hyp', `r0 ≥ HVC_STUB_HCALL_NR is ${FUNCTION_POINTER_SUMMARY}`), select: { min: HVC_STUB_HCALL_NR, max: 0xffff_ffffn } },
    ],
    examples: [
      { title: 'kdump with a VM running: KVM performs the soft restart', registers: { r0: 1n, r1: 0x8000_8000n }, call: 'HVC_SOFT_RESTART' },
      { title: 'kexec: the reboot notifier gives Hyp back to the stub', registers: { r0: 2n }, call: 'HVC_RESET_VECTORS' },
      { title: 'the host flushes the VM TLBs in Hyp', registers: { r0: 0xc010_2000n, r1: 0xc7a0_0000n }, call: 'kvm_call_hyp' },
      { title: 'SET_VECTORS is for the boot stubs only', registers: { r0: 0n, r1: 0x8000_1000n }, call: 'HVC_SET_VECTORS' },
    ],
    notes: [
      `RESET_VECTORS and SOFT_RESTART load HVBAR (and r1) with the physical address of the host kernel's __hyp_stub_vectors, a link-time constant (adr_l r1, __hyp_stub_vectors); the model uses ${hexValue(stubVectors)}.`,
      'SOFT_RESTART lands where the stub\'s does, with other registers (abi-facts §2.3): r0 = 0, r1 = the stub vectors, HSCTLR MMU and caches off, HVBAR = the stub, ELR_hyp = the target. The spec writes all of them; SPSR_hyp (the Hyp CPSR, plus T for a Thumb-2 kernel) is not modelled. So the dispatcher reports stub and KVM as a collision on r0 = 1, not an agreement, and conformance of KVM to the stub spec fails on the target\'s r0 and r1.',
      'r0 = -1 is no longer special: the v3.10 get-vectors emulation is gone, so 0xffffffff is a function pointer like any r0 ≥ 3.',
      "hyp_hvc branches to __kvm_handle_stub_hvc through ip, so every stub call KVM answers clobbers r12 (the stub's own answers do not). KVM's init vectors take stub calls too (__do_hyp_init: cmp r0, #HVC_STUB_HCALL_NR; blo __kvm_handle_stub_hvc).",
      'KVM v4.12 owns Hyp only while a VM exists: init_subsystems() takes Hyp on every CPU and its out: path gives it back, and kvm_create_vm → hardware_enable_all() takes it again (v4.12 tree virt/kvm/arm/arm.c:1291, virt/kvm/kvm_main.c:648).',
    ],
  });
}

/** v4.12–v5.6: r0 < 3 are stub calls KVM implements; r0 ≥ 3 a Hyp function pointer. */
export const KVM_ARM32_V4_12: Abi = defineKvmArm32V4_12(HYP_STUB_VECTORS);

/** Every era, oldest first (the unconfirmed interim patch where it would sit). */
export const KVM_ARM32_ABIS: readonly Abi[] = [KVM_ARM32_V3_9, KVM_ARM32_V3_10, KVM_ARM32_2017_INTERIM, KVM_ARM32_V4_12];
