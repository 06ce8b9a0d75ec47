/**
 * KVM/arm64's host hypercalls: `hvc #0` from the host kernel at EL1 (nVHE:
 * the host is not at EL2) while KVM's vectors are in VBAR_EL2. How KVM
 * tells its own calls from the hyp-stub's changed three times: a function
 * pointer in x0 with x0 = 0 answered as the stub's get-vectors (≤ v4.11);
 * x0 below HVC_STUB_HCALL_NR handled as stub calls inside KVM, everything
 * else a function pointer (v4.12–v5.9, first with the x0 bug, then fixed);
 * and SMCCC-style function IDs 0xC6000000 + n from v5.10 (nVHE/pKVM), whose
 * numbering changed between releases and which protected mode closes to
 * the stub calls altogether. Each era is its own spec.
 *
 * Facts: ../shared/abi-facts.md §3.3 (torvalds/linux:arch/arm64/kvm/hyp/hyp-entry.S,
 * arch/arm64/kvm/hyp-init.S, arch/arm64/kvm/hyp/nvhe/host.S, hyp-init.S,
 * hyp-main.c and arch/arm64/include/asm/kvm_asm.h at the cited commits; the
 * v4.11, v4.12 and v5.7 release trees) and §4.3.
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type AbiSpec, type CallContext, type CallSpec, type FunctionCallOutcome, type ValueRange } from '../../../src/abi/spec.ts';
import { hexValue } from '../../../src/abi/value-set.ts';
import { HVC_STUB_ERR } from './linux-hyp-stub-arm64.abi.ts';
import { ELR_EL2, SCTLR_EL2, SPSR_EL2, VBAR_EL2, X0, X1, X2, X3, X4 } from './spec-registers.ts';

/** `KVM_HOST_SMCCC_ID(0)`: fast call, SMC64, owner VENDOR_HYP (6), function 0 (kvm_asm.h). */
export const KVM_HOST_SMCCC_BASE = 0xc600_0000n;

/** `KVM_HOST_SMCCC_ID(n)`. */
export function kvmHostSmcccId(n: number): bigint {
  return KVM_HOST_SMCCC_BASE + BigInt(n);
}

/**
 * Where the modelled host kernel's `__hyp_stub_vectors` lie (physical, 2 KiB
 * aligned). KVM's `__kvm_handle_stub_hvc` loads it into VBAR_EL2 when it
 * gives EL2 back (`adr_l x5, __hyp_stub_vectors`); the model has no kernel
 * image, so it is this constant: install the hyp-stub here when KVM must be
 * able to hand EL2 back to it.
 */
export const ARM64_HYP_STUB_VECTORS = 0x4010_0000n;

/** `SCTLR_ELx_FLAGS` of v4.12 (M | A | C | SA | I): what the reset path clears in SCTLR_EL2. */
export const SCTLR_ELX_FLAGS_V4_12 = (1n << 0n) | (1n << 1n) | (1n << 2n) | (1n << 3n) | (1n << 12n);

/** `SCTLR_ELx_FLAGS` of v5.7 (IESB, bit 21, added): what the reset path clears in SCTLR_EL2. */
export const SCTLR_ELX_FLAGS_V5_7 = SCTLR_ELX_FLAGS_V4_12 | (1n << 21n);

/** The SPSR_EL2 KVM's SOFT_RESTART erets with: D, A, I, F masked and mode EL2h (0x3c9). */
export const SOFT_RESTART_SPSR = 0x3c9n;

/** `SMCCC_RET_NOT_SUPPORTED` (−1) as x0 holds it: an unsigned long, so all 64 bits set. */
export const SMCCC_NOT_SUPPORTED_X0 = BigInt.asUintN(64, -1n);

const STUB_ERR = Number(HVC_STUB_ERR);

/** What `kern_hyp_va x0; blr` does, the start of every note {@link describeHypFunctionCall} gives. */
const HYP_FUNCTION_CALL = 'kvm_call_hyp: blr to kern_hyp_va(x0) at EL2 with x1–x3 shifted down into x0–x2';

/** EL2 never maps page 0: a branch below this address takes an instruction abort at EL2 (derived, abi-facts §4.3). */
const UNMAPPED_PAGE_ZERO_END = 0x1000n;

/**
 * What `blr` to `target` in KVM's el1_sync does, one line. Small values
 * are the interesting case: a stub call (x0 = 1, 2, …) reaching a KVM that
 * takes it as a function pointer.
 */
export function describeHypFunctionCall(target: bigint): string {
  if (target >= UNMAPPED_PAGE_ZERO_END) return HYP_FUNCTION_CALL;
  const misaligned = (target & 3n) !== 0n ? ' (misaligned: a PC alignment fault)' : '';
  return `${HYP_FUNCTION_CALL}; a branch to ${hexValue(target)}${misaligned}: nothing is mapped there at EL2, so the fetch faults at EL2 and KVM panics (hyp_panic) instead of doing the stub call the caller meant (derived)`;
}

/** `kvm_call_hyp` of the function-pointer eras: run the EL2 function at x0 with x1–x3. */
function hypFunctionCall(select: CallSpec['select'], summary: string): CallSpec {
  return {
    name: 'kvm_call_hyp',
    select,
    summary,
    args: [
      { register: 'x0', role: 'EL2 function (a kernel VA, kern_hyp_va converts it)' },
      { register: 'x1', role: 'arg0' },
      { register: 'x2', role: 'arg1' },
      { register: 'x3', role: 'arg2' },
    ],
    results: [{ register: 'x0', role: 'function result' }],
    clobbers: ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9', 'x10', 'x11', 'x12', 'x13', 'x14', 'x15', 'x16', 'x17', 'x18'],
    meaning: 'kvm-call-hyp',
    run: (call): FunctionCallOutcome => {
      const target = call.get(X0);
      return { kind: 'call', target, args: [call.get(X1), call.get(X2), call.get(X3)], note: describeHypFunctionCall(target) };
    },
  };
}

const common = {
  family: 'kvm-arm64',
  arch: 'arm64',
  conduit: { instruction: 'hvc', imm: 'any' },
  // Host vs guest is VTTBR_EL2 == 0 (≤ v5.9) or the host vector (nVHE, v5.10+): only the host calls this way; a guest's HVC is a guest exit (psci-arm64).
  origin: { privilege: ['kernel'], world: ['host'] },
  selector: { register: 'x0', width: 64 },
  priority: 0,
} as const satisfies Partial<AbiSpec>;

/** Which `__kvm_handle_stub_hvc` an era has. */
interface StubHandling {
  /** The SCTLR_EL2 bits the reset path clears. */
  readonly sctlrFlags: bigint;
  /** Whether SOFT_RESTART runs the shared reset tail that ends in `mov x0, xzr` (v4.12 until the fix). */
  readonly clobbersPayloadX0: boolean;
  /** Where the host kernel's stub vectors are. */
  readonly stubVectors: bigint;
}

/** The stub calls KVM answers itself (x0 < HVC_STUB_HCALL_NR), as `__kvm_handle_stub_hvc` of the era does them. */
function stubCalls(handling: StubHandling, numbers: 3 | 4): CallSpec[] {
  const flags = handling.sctlrFlags;
  const vectors = handling.stubVectors;
  /** The reset path (`reset:`): EL2 MMU and caches off, the stub's vectors back. It uses x5 and x6 as scratch. */
  const reset = (call: CallContext): void => {
    call.set(SCTLR_EL2, call.get(SCTLR_EL2) & ~flags);
    call.set(VBAR_EL2, vectors);
  };
  const restartNote = handling.clobbersPayloadX0
    ? 'soft restart: KVM erets to the old x1 at EL2h with the stub back in VBAR_EL2, and the shared reset tail has zeroed x0 (the v4.12 bug)'
    : 'soft restart: KVM erets to the old x1 at EL2h with the stub back in VBAR_EL2 and the payload arguments in x0–x2';
  const calls: CallSpec[] = [
    {
      name: 'HVC_SET_VECTORS',
      select: 0n,
      summary: 'not implemented by KVM (hyp-abi: only the boot stubs implement it): x0 ← HVC_STUB_ERR (0xbadca11)',
      args: [{ register: 'x1', role: 'vectors (ignored)' }],
      results: [{ register: 'x0', role: 'HVC_STUB_ERR' }],
      meaning: 'error',
      run: (call) => {
        call.setU32(X0, STUB_ERR);
        return RETURN;
      },
    },
    {
      name: 'HVC_SOFT_RESTART',
      select: 1n,
      summary: `KVM performs the soft restart itself: ELR_EL2 ← x1, SPSR_EL2 ← ${hexValue(SOFT_RESTART_SPSR)} (DAIF masked, EL2h), x0 ← x2, x1 ← x3, x2 ← x4, then the reset path (SCTLR_EL2 &= ~${hexValue(flags)}, VBAR_EL2 ← PA of __hyp_stub_vectors)${handling.clobbersPayloadX0 ? ', which ends in mov x0, xzr: the payload gets x0 = 0, not its first argument' : ''}, and eret to the old x1; does not return`,
      args: [
        { register: 'x1', role: 'restart address' },
        { register: 'x2', role: 'payload x0' },
        { register: 'x3', role: 'payload x1' },
        { register: 'x4', role: 'payload x2' },
      ],
      results: [
        { register: 'x0', role: handling.clobbersPayloadX0 ? '0 (at the target: the bug)' : 'old x2 (at the target)' },
        { register: 'x1', role: 'old x3 (at the target)' },
        { register: 'x2', role: 'old x4 (at the target)' },
      ],
      clobbers: ['x5', 'x6'],
      noReturn: true,
      meaning: 'soft-restart',
      run: (call) => {
        const target = call.get(X1);
        call.set(ELR_EL2, target);
        call.set(SPSR_EL2, SOFT_RESTART_SPSR);
        call.copy(X0, X2);
        call.copy(X1, X3);
        call.copy(X2, X4);
        reset(call);
        if (handling.clobbersPayloadX0) call.setU32(X0, 0);
        return { kind: 'jump', target, note: restartNote };
      },
    },
    {
      name: 'HVC_RESET_VECTORS',
      select: 2n,
      summary: `give EL2 back to the stub: SCTLR_EL2 &= ~${hexValue(flags)} (MMU and caches off), VBAR_EL2 ← PA of __hyp_stub_vectors, x0 ← 0`,
      results: [{ register: 'x0', role: '0' }],
      clobbers: ['x5', 'x6'],
      meaning: 'reset-vectors',
      run: (call) => {
        reset(call);
        call.setU32(X0, 0);
        return RETURN;
      },
    },
  ];
  if (numbers === 4) {
    calls.push({
      name: 'HVC_VHE_RESTART',
      select: 3n,
      summary: 'the stub\'s VHE upgrade (FINALISE_EL2 later) is a stub call by number (x0 < HVC_STUB_HCALL_NR = 4), but __kvm_handle_stub_hvc does not implement it: x0 ← HVC_STUB_ERR',
      results: [{ register: 'x0', role: 'HVC_STUB_ERR' }],
      meaning: 'error',
      run: (call) => {
        call.setU32(X0, STUB_ERR);
        return RETURN;
      },
    });
  }
  return calls;
}

/** ≤ v4.11: x0 = 0 reads VBAR_EL2, any other x0 is an EL2 function pointer. */
export const KVM_ARM64_V3_11: Abi = defineAbi({
  ...common,
  id: 'kvm-arm64-v3.11',
  era: 'v3.11–v4.11',
  status: 'removed',
  purpose:
    "KVM/arm64's first host convention: the host calls a function at EL2 by putting its kernel VA in x0 (KVM converts it with kern_hyp_va) and up to three arguments in x1–x3. x0 = 0 is the stub's get-vectors call, answered by KVM itself so that the kernel can read VBAR_EL2 whoever owns EL2; every other stub call is a function pointer once KVM owns EL2.",
  source: {
    document:
      'torvalds/linux:arch/arm64/kvm/hyp/hyp-entry.S @00a44cda (el1_sync: EC must be HVC64 and vttbr_el2 zero; x0 == HVC_GET_VECTORS → mrs x0, vbar_el2; else kern_hyp_va x0, do_el2_call); v4.11 tree (HCLS/linux-4.11 @e81cedcca218) arch/arm64/kvm/hyp/hyp-entry.S; the 4.6-era kvm_host.h (__cpu_reset_hyp_mode: kvm_call_hyp(kvm_hyp_reset_entry(), …) back to the stub)',
    version: 'v4.11',
    note: 'The x0 = 0 test is read in v4.11 and at @00a44cda; that the first arm64 KVM (v3.11) already had it is UNCONFIRMED (the v3.9 stub\'s get-vectors is x0 = 0, which it mirrors). The EL2 address conversion (kern_hyp_va) is not modelled: the call target is x0 as the host wrote it.',
  },
  calls: [
    {
      name: '__hyp_get_vectors',
      select: 0n,
      summary: "x0 = 0 (HVC_GET_VECTORS from ≈v4.7) is the stub's get-vectors call, emulated: x0 ← VBAR_EL2",
      results: [{ register: 'x0', role: 'VBAR_EL2' }],
      meaning: 'get-vectors',
      run: (call) => {
        call.copy(X0, VBAR_EL2);
        return RETURN;
      },
    },
    hypFunctionCall('otherwise', 'any other x0 is an EL2 function pointer: blr to kern_hyp_va(x0) with x1–x3 moved to x0–x2, then eret to the host'),
  ],
  examples: [
    { title: 'cpu_hyp_reinit asks for the vectors while KVM owns EL2', registers: { x0: 0n }, call: '__hyp_get_vectors' },
    { title: 'the host runs a vCPU at EL2', registers: { x0: 0xffff_0000_0809_1000n, x1: 0xffff_8000_7a00_0000n }, call: 'kvm_call_hyp' },
    { title: 'v4.11 kexec with KVM not torn down: HVC_SOFT_RESTART (x0 = 2) becomes a call to address 2', registers: { x0: 2n, x1: 0x4008_0000n }, call: 'kvm_call_hyp' },
    { title: 'a v4.12-numbered SOFT_RESTART (x0 = 1) reaching this KVM', registers: { x0: 1n, x1: 0x4008_0000n }, call: 'kvm_call_hyp' },
  ],
  notes: [
    'Nothing reserves small x0 values but 0: HVC_SET_VECTORS (1) and HVC_SOFT_RESTART (2) of the ≈v4.7–v4.11 stub are function calls to address 1 or 2 while KVM owns VBAR_EL2, a fault at EL2 and a hyp_panic (abi-facts §4.3, derived).',
    'From v4.6 KVM gives EL2 back to the stub on hardware disable (__cpu_reset_hyp_mode, kvm_hyp_reset_entry), so kexec, which runs kvm_reboot first, meets the stub; there is no kdump before v4.12.',
    'Before the stub had numbers (≤ ≈v4.6), __hyp_set_vectors(new) reaching this KVM is a function call to the new table\'s base: EL2 jumps into the vectors as if they were code (abi-facts §4.3, derived).',
  ],
});

/** v4.12 until the fix: x0 < 3 are stub calls (SOFT_RESTART zeroing the payload's x0); x0 ≥ 3 a function pointer. */
export const KVM_ARM64_V4_12: Abi = defineAbi({
  ...common,
  id: 'kvm-arm64-v4.12',
  era: 'v4.12–v5.7 (the x0 fix b9e10d4a6c9f is in v5.8)',
  status: 'removed',
  purpose:
    'Kernel function addresses are never below HVC_STUB_HCALL_NR (3), so KVM reserves x0 < 3 for the hyp-stub calls and implements them itself (__kvm_handle_stub_hvc): a soft restart or a vector reset reaches EL2 whether the stub or KVM owns it. The first version has a bug: SOFT_RESTART shares the reset tail, which ends in mov x0, xzr, so the restarted image gets x0 = 0 instead of its first argument.',
  source: {
    document:
      'v4.12 tree (jason50123/linux-4.12 @d7bbb6bbf66c) arch/arm64/kvm/hyp-init.S (__kvm_handle_stub_hvc: SOFT_RESTART sets elr_el2/spsr_el2, shuffles x2–x4 into x0–x2 and branches to the shared reset, which ends mov x0, xzr; eret) and arch/arm64/kvm/hyp/hyp-entry.S (cmp x0, #HVC_STUB_HCALL_NR; b.hs 1f → function pointer); torvalds/linux:arch/arm64/kvm/hyp-init.S @0b51c547; arch/arm64/include/asm/sysreg.h SCTLR_ELx_FLAGS (M | A | C | SA | I at v4.12)',
    version: 'v4.12',
    note: `The fix (x0 = 0 on the RESET_VECTORS path only) is A. Scull's b9e10d4a6c9f, "KVM: arm64: Stop clobbering x0 for HVC_SOFT_RESTART" (committed 2020-07-06, pulled in kvmarm-fixes-5.8-2): first released in v5.8, and backported to the stable 5.7.y and 4.14.y series in July 2020 (stable review posts of 2020-07-14 and 2020-07-20), which is why the v5.7.14 tree has it. Until then kdump from a crashed nVHE host with KVM's vectors in VBAR_EL2 (v4.19 on, when crash kernels issue the HVC: M. Rutland's 76f4e2da45b4, "arm64: kexec: always reset to EL2 if present") hands the crash kernel x0 = 0 instead of kimage->head.`,
  },
  calls: [
    ...stubCalls({ sctlrFlags: SCTLR_ELX_FLAGS_V4_12, clobbersPayloadX0: true, stubVectors: ARM64_HYP_STUB_VECTORS }, 3),
    hypFunctionCall({ min: 3n, max: 0xffff_ffff_ffff_ffffn }, 'x0 ≥ HVC_STUB_HCALL_NR is an EL2 function pointer: blr to kern_hyp_va(x0) with x1–x3 moved to x0–x2, then eret to the host'),
  ],
  examples: [
    { title: 'kdump with KVM loaded: KVM performs the soft restart, and the crash kernel gets x0 = 0', registers: { x0: 1n, x1: 0x4008_0000n, x2: 0x4800_0000n, x3: 0x4008_0000n, x4: 0x4400_0000n, sctlr_el2: 0x30c5_183dn }, call: 'HVC_SOFT_RESTART' },
    { title: 'kexec: the reboot notifier gives EL2 back to the stub', registers: { x0: 2n }, call: 'HVC_RESET_VECTORS' },
    { title: 'the host runs a vCPU at EL2', registers: { x0: 0xffff_0000_0809_1000n, x1: 0xffff_8000_7a00_0000n }, call: 'kvm_call_hyp' },
    { title: 'SET_VECTORS is for the boot stubs only', registers: { x0: 0n, x1: 0x4008_0800n }, call: 'HVC_SET_VECTORS' },
  ],
  notes: [
    `RESET_VECTORS and SOFT_RESTART load VBAR_EL2 with the physical address of the host kernel's __hyp_stub_vectors, a link-time constant; the model uses ${hexValue(ARM64_HYP_STUB_VECTORS)}.`,
    'SOFT_RESTART lands where the stub\'s does with other registers: SPSR_EL2 = 0x3c9, ELR_EL2 = the target, SCTLR_EL2 with the MMU and caches off, VBAR_EL2 = the stub, x4 unchanged (the stub leaves the target there), and in this era x0 = 0. So stub and KVM collide on x0 = 1, and conformance of this KVM to the stub spec fails on the payload\'s x0.',
    'v4.12 itself never meets the bug on kdump: its crash kernels start at EL1 with no HVC (cpu_soft_restart(kimage != kexec_crash_image, …)); from v4.19 every image issues HVC_SOFT_RESTART (76f4e2da45b4: the v4.18 tree still passes kimage != kexec_crash_image).',
    'x0 = 0 is no longer get-vectors: the v3.11–v4.11 emulation is gone, and HVC_SET_VECTORS (0) answers HVC_STUB_ERR.',
  ],
});

/** The fix until v5.9: as v4.12, with SOFT_RESTART passing the payload's x0 through. */
export const KVM_ARM64_V5_7: Abi = defineAbi({
  ...common,
  id: 'kvm-arm64-v5.7',
  era: 'the x0 fix (v5.8; stable 5.7.y)–v5.9',
  status: 'removed',
  purpose:
    "The same split as kvm-arm64-v4.12 (x0 < 3 stub calls, x0 ≥ 3 function pointers) with the soft restart fixed: the payload gets x2–x4 in x0–x2 as from the stub, and only RESET_VECTORS answers 0. By v5.7.14 the host path also accepts HVC32.",
  source: {
    document:
      'v5.7 tree (a5221985/linux-5.7.14 @5d0b54d93391) arch/arm64/kvm/hyp-init.S (__kvm_handle_stub_hvc after b9e10d4a6c9f: mov x0, xzr only on the RESET_VECTORS path) and arch/arm64/kvm/hyp/hyp-entry.S (ccmp x0, #ESR_ELx_EC_HVC32: HVC32 accepted from the host); arch/arm64/include/asm/sysreg.h SCTLR_ELx_FLAGS (IESB added)',
    version: 'v5.7',
    note: `The fix is A. Scull's b9e10d4a6c9f, "KVM: arm64: Stop clobbering x0 for HVC_SOFT_RESTART" (committed 2020-07-06, pulled in kvmarm-fixes-5.8-2): first released in v5.8, and backported to the stable 5.7.y and 4.14.y series in July 2020 (stable review posts of 2020-07-14 and 2020-07-20), which is why the v5.7.14 tree has it.`,
  },
  calls: [
    ...stubCalls({ sctlrFlags: SCTLR_ELX_FLAGS_V5_7, clobbersPayloadX0: false, stubVectors: ARM64_HYP_STUB_VECTORS }, 3),
    hypFunctionCall({ min: 3n, max: 0xffff_ffff_ffff_ffffn }, 'x0 ≥ HVC_STUB_HCALL_NR is an EL2 function pointer: blr to kern_hyp_va(x0) with x1–x3 moved to x0–x2, then eret to the host'),
  ],
  examples: [
    { title: 'kdump with KVM loaded: the crash kernel gets kimage->head in x0', registers: { x0: 1n, x1: 0x4008_0000n, x2: 0x4800_0000n, x3: 0x4008_0000n, x4: 0x4400_0000n, sctlr_el2: 0x30e5_183dn }, call: 'HVC_SOFT_RESTART' },
    { title: 'kexec: the reboot notifier gives EL2 back to the stub', registers: { x0: 2n }, call: 'HVC_RESET_VECTORS' },
    { title: 'the host runs a vCPU at EL2', registers: { x0: 0xffff_8000_1009_1000n }, call: 'kvm_call_hyp' },
  ],
  notes: ['Compared with the stub\'s own SOFT_RESTART the payload now sees the same x0–x2; what differs is what the stub leaves alone (SPSR_EL2, ELR_EL2, SCTLR_EL2, VBAR_EL2) and x4, which the stub sets to the target.'],
});

/** One nVHE host call: its number and name. */
export interface KvmHostCall {
  /** n in `KVM_HOST_SMCCC_ID(n)`. */
  readonly number: number;
  /** `__KVM_HOST_SMCCC_FUNC_<name>`. */
  readonly name: string;
}

function hostCalls(names: readonly string[]): readonly KvmHostCall[] {
  return names.map((name, number) => ({ number, name }));
}

/** The v5.10 host calls (patch copies of kvm_asm.h, v5.10). */
export const KVM_HOST_CALLS_V5_10: readonly KvmHostCall[] = hostCalls([
  '__kvm_hyp_init',
  '__kvm_vcpu_run',
  '__kvm_flush_vm_context',
  '__kvm_tlb_flush_vmid_ipa',
  '__kvm_tlb_flush_vmid',
  '__kvm_tlb_flush_local_vmid',
  '__kvm_timer_set_cntvoff',
  '__kvm_enable_ssbs',
  '__vgic_v3_get_ich_vtr_el2',
  '__vgic_v3_read_vmcr',
  '__vgic_v3_write_vmcr',
  '__vgic_v3_init_lrs',
  '__kvm_get_mdcr_el2',
  '__vgic_v3_save_aprs',
  '__vgic_v3_restore_aprs',
]);

/** The ≈v5.13 host calls: v5.10's with the pKVM calls appended (patch copies of kvm_asm.h). */
export const KVM_HOST_CALLS_V5_13: readonly KvmHostCall[] = hostCalls([
  ...KVM_HOST_CALLS_V5_10.map((c) => c.name),
  '__pkvm_init',
  '__pkvm_create_mappings',
  '__pkvm_create_private_mapping',
  '__pkvm_cpu_set_vector',
  '__pkvm_prot_finalize',
  '__kvm_adjust_pc',
]);

/** The ≈v6.2 host calls after W. Deacon's reorder (torvalds/linux:arch/arm64/include/asm/kvm_asm.h @01b94b0f). */
export const KVM_HOST_CALLS_V6_2: readonly KvmHostCall[] = hostCalls([
  '__kvm_hyp_init',
  '__kvm_get_mdcr_el2',
  '__pkvm_init',
  '__pkvm_create_private_mapping',
  '__pkvm_cpu_set_vector',
  '__kvm_enable_ssbs',
  '__vgic_v3_init_lrs',
  '__vgic_v3_get_gic_config',
  '__pkvm_prot_finalize',
  '__pkvm_host_share_hyp',
  '__pkvm_host_unshare_hyp',
  '__kvm_adjust_pc',
  '__kvm_vcpu_run',
  '__kvm_flush_vm_context',
  '__kvm_tlb_flush_vmid_ipa',
  '__kvm_tlb_flush_vmid_ipa_nsh',
  '__kvm_tlb_flush_vmid',
  '__kvm_flush_cpu_context',
  '__kvm_timer_set_cntvoff',
  '__vgic_v3_read_vmcr',
  '__vgic_v3_write_vmcr',
  '__vgic_v3_save_aprs',
  '__vgic_v3_restore_aprs',
  '__pkvm_vcpu_init_traps',
  '__pkvm_init_vm',
  '__pkvm_init_vcpu',
  '__pkvm_teardown_vm',
]);

/** x0 ← −1 (SMCCC_RET_NOT_SUPPORTED, 64-bit). */
function notSupported(call: CallContext): typeof RETURN {
  call.set(X0, SMCCC_NOT_SUPPORTED_X0);
  return RETURN;
}

/** The ranges of 64-bit values from `min` to `max` that no value of `taken` is in. */
function gaps(min: bigint, max: bigint, taken: readonly bigint[]): ValueRange[] {
  const out: ValueRange[] = [];
  let next = min;
  for (const value of [...taken].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (value > next) out.push({ min: next, max: value - 1n });
    next = value + 1n;
  }
  if (next <= max) out.push({ min: next, max });
  return out;
}

/**
 * The host calls of one numbering: each ID `0xC6000000 + n` that
 * handle_host_hcall serves answers x0 = SUCCESS with the function's result
 * in x1 (not modelled); `__kvm_hyp_init` (n = 0) and, once protected mode
 * is finalised, every n below `__pkvm_prot_finalize` answer NOT_SUPPORTED.
 */
function smcccHostCalls(table: readonly KvmHostCall[], refusedBelow: number): CallSpec[] {
  return table.map((entry) => {
    const select = kvmHostSmcccId(entry.number);
    if (entry.number === 0 || entry.number < refusedBelow) {
      const why = entry.number === 0 ? 'served only by the init vectors (__do_hyp_init); at run time its slot in host_hcall is empty' : 'an early "privileged" call, refused once protected mode is finalised (id < __pkvm_prot_finalize)';
      return { name: entry.name, select, summary: `${hexValue(select)}: ${why}: x0 ← NOT_SUPPORTED (−1)`, results: [{ register: 'x0', role: 'NOT_SUPPORTED (−1)' }], meaning: 'smccc-not-supported', run: notSupported };
    }
    return {
      name: entry.name,
      select,
      summary: `${hexValue(select)} = KVM_HOST_SMCCC_ID(${entry.number}): handle_host_hcall runs ${entry.name} with its arguments from x1 on; x0 ← SMCCC_RET_SUCCESS and the result in x1`,
      args: [{ register: 'x1', role: 'arg0' }, { register: 'x2', role: 'arg1' }, { register: 'x3', role: 'arg2' }],
      results: [
        { register: 'x0', role: 'SUCCESS (0)' },
        { register: 'x1', role: 'the function\'s result' },
      ],
      meaning: `kvm-host-hcall-${entry.name}`,
      // Dispatch only for the function itself: x0 is the SMCCC status handle_host_hcall writes; the function's result (x1) is not emulated.
      run: (call) => {
        call.setU32(X0, 0);
        return RETURN;
      },
    };
  });
}

/** An nVHE host-call era: stub calls below `stubCalls` (0 for none, protected mode), SMCCC IDs from `table`. */
function defineSmcccHostAbi(options: {
  readonly id: string;
  readonly era: string;
  readonly status: AbiSpec['status'];
  readonly purpose: string;
  readonly source: AbiSpec['source'];
  readonly table: readonly KvmHostCall[];
  readonly stubCallCount: 0 | 3 | 4;
  readonly refusedBelow?: number;
  readonly examples: AbiSpec['examples'];
  readonly notes: readonly string[];
}): Abi {
  const ids = options.table.map((c) => kvmHostSmcccId(c.number));
  const stub: CallSpec[] =
    options.stubCallCount === 0
      ? [
          {
            name: 'stub call refused',
            select: { min: 0n, max: 3n },
            summary: 'protected mode skips the stub branch ("No stub for you, sonny Jim"): the call reaches handle_host_hcall, x0 − 0xC6000000 is out of range, x0 ← NOT_SUPPORTED (−1) and the HVC returns',
            results: [{ register: 'x0', role: 'NOT_SUPPORTED (−1)' }],
            meaning: 'smccc-not-supported',
            run: notSupported,
          },
        ]
      : stubCalls({ sctlrFlags: SCTLR_ELX_FLAGS_V5_7, clobbersPayloadX0: false, stubVectors: ARM64_HYP_STUB_VECTORS }, options.stubCallCount);
  const first = options.stubCallCount === 0 ? 4n : BigInt(options.stubCallCount);
  return defineAbi({
    ...common,
    id: options.id,
    era: options.era,
    status: options.status,
    purpose: options.purpose,
    source: options.source,
    calls: [
      ...stub,
      ...smcccHostCalls(options.table, options.refusedBelow ?? 0),
      {
        name: 'unknown',
        select: gaps(first, 0xffff_ffff_ffff_ffffn, ids),
        summary: 'any other x0 (an ID past the table, a function pointer of the older convention): handle_host_hcall finds no handler, x0 ← NOT_SUPPORTED (−1)',
        results: [{ register: 'x0', role: 'NOT_SUPPORTED (−1)' }],
        meaning: 'smccc-not-supported',
        run: notSupported,
      },
    ],
    examples: options.examples,
    notes: options.notes,
  });
}

const NVHE_SOURCE =
  'torvalds/linux:arch/arm64/include/asm/kvm_asm.h @01b94b0f (KVM_HOST_SMCCC_ID: fast, SMC64, owner VENDOR_HYP); torvalds/linux:arch/arm64/kvm/hyp/nvhe/host.S @01f492e1 (__host_hvc: x0 < HVC_STUB_HCALL_NR → __kvm_handle_stub_hvc, unless protected) and hyp-init.S (__do_hyp_init, __kvm_handle_stub_hvc); arch/arm64/kvm/hyp/nvhe/hyp-main.c (handle_host_hcall); A. Scull, "arm64: kvm: Migrate hyp interface to SMCCC"';

/** v5.10: the first SMCCC host IDs; stub calls x0 < 3. */
export const KVM_ARM64_V5_10: Abi = defineSmcccHostAbi({
  id: 'kvm-arm64-v5.10',
  era: 'v5.10–v5.11',
  status: 'removed',
  purpose:
    'nVHE KVM moves its host interface to SMCCC: x0 is a function ID KVM_HOST_SMCCC_ID(n) = 0xC6000000 + n (fast, SMC64, owner VENDOR_HYP), arguments from x1 on, and the answer an SMCCC status in x0 with the result in x1. Stub calls stay in the legacy region x0 < HVC_STUB_HCALL_NR (3) and still reach __kvm_handle_stub_hvc; no function pointers any more.',
  source: { document: `${NVHE_SOURCE}; patch copies of kvm_asm.h at v5.10 (the numbering)`, version: 'v5.10' },
  table: KVM_HOST_CALLS_V5_10,
  stubCallCount: 3,
  examples: [
    { title: 'the host runs a vCPU', registers: { x0: 0xc600_0001n, x1: 0xffff_0000_7a00_0000n }, call: '__kvm_vcpu_run' },
    { title: 'kdump with KVM loaded: KVM performs the soft restart', registers: { x0: 1n, x1: 0x4008_0000n, x2: 0x4800_0000n }, call: 'HVC_SOFT_RESTART' },
    { title: 'an old-style function pointer is no longer a call', registers: { x0: 0xffff_8000_1009_1000n }, call: 'unknown' },
    { title: 'x0 = 3 is not a stub call yet: NOT_SUPPORTED', registers: { x0: 3n }, call: 'unknown' },
  ],
  notes: [
    'Host call 0xC6000002 is __kvm_flush_vm_context here, __pkvm_init in ≈v6.2, and from a guest the same ID is the vendor-hyp call HYP_MEMINFO (kvm-vendor-hyp-arm64): the two never meet, because a host HVC arrives through the host vector and a guest HVC through the guest exit path. The dispatcher tells them apart by origin, then by ID (abi-facts §3.3).',
    'The SMCCC hint bit (bit 16, ARM_SMCCC_CALL_HINTS) is cleared by the init vectors only; the model does not strip it at run time.',
  ],
});

/** ≈v5.13–≈v6.1: pKVM calls appended; stub calls x0 < 4 (VHE_RESTART is a stub number now). */
export const KVM_ARM64_V5_13: Abi = defineSmcccHostAbi({
  id: 'kvm-arm64-v5.13',
  era: '≈v5.12–≈v6.1',
  status: 'removed',
  purpose:
    'The v5.10 host calls with the first protected-KVM calls appended (15–20), and the stub region grown to x0 < 4 now that the stub has HVC_VHE_RESTART: KVM treats x0 = 3 as a stub call it does not implement (HVC_STUB_ERR) instead of an unknown ID.',
  source: { document: `${NVHE_SOURCE}; patch copies of kvm_asm.h (≈v5.13, and the later lists that add __pkvm_prot_finalize 19 and __kvm_adjust_pc 20)`, version: '≈v5.13', note: 'Releases are UNCONFIRMED: the numbering is that of the patch copies abi-facts §3.3 cites; __pkvm_create_mappings (16) was later replaced by __pkvm_host_share_hyp. HVC_STUB_HCALL_NR is shared with the stub (virt.h), so it became 4 with HVC_VHE_RESTART (≈v5.12), where the pKVM calls 15–20 may not be there yet (derived).' },
  table: KVM_HOST_CALLS_V5_13,
  stubCallCount: 4,
  examples: [
    { title: 'the host runs a vCPU', registers: { x0: 0xc600_0001n }, call: '__kvm_vcpu_run' },
    { title: 'pKVM init', registers: { x0: 0xc600_000fn }, call: '__pkvm_init' },
    { title: 'the stub\'s VHE upgrade reaching KVM', registers: { x0: 3n }, call: 'HVC_VHE_RESTART' },
  ],
  notes: ['Host call numbers are not stable across releases: 0xC6000002 is __kvm_flush_vm_context here and __pkvm_init in ≈v6.2 (kvm-arm64-v6.2).'],
});

/** ≈v6.2: W. Deacon's reorder. */
export const KVM_ARM64_V6_2: Abi = defineSmcccHostAbi({
  id: 'kvm-arm64-v6.2',
  era: '≈v6.2–',
  status: 'mainline',
  purpose:
    'The host calls reordered so that the calls a protected host may still make after finalisation form a suffix (from __pkvm_prot_finalize, 8, on): the early privileged calls come first. In non-protected nVHE every listed call is served; stub calls x0 < 4 still reach __kvm_handle_stub_hvc.',
  source: { document: `${NVHE_SOURCE} (≈v6.2 numbering: W. Deacon's reorder, "only a suffix remains available after finalisation")`, version: '≈v6.2', note: 'Around v6.17 __kvm_get_mdcr_el2 was removed, shifting 1 and 2 (seen only in an altered fork: UNCONFIRMED, not modelled).' },
  table: KVM_HOST_CALLS_V6_2,
  stubCallCount: 4,
  examples: [
    { title: 'the host runs a vCPU', registers: { x0: 0xc600_000cn }, call: '__kvm_vcpu_run' },
    { title: 'pKVM init (0xC6000002 in this numbering)', registers: { x0: 0xc600_0002n }, call: '__pkvm_init' },
    { title: 'kexec: the reboot path gives EL2 back to the stub', registers: { x0: 2n }, call: 'HVC_RESET_VECTORS' },
  ],
  notes: ['0xC6000002 is __pkvm_init here; a guest\'s 0xC6000002 is the vendor-hyp HYP_MEMINFO call (kvm-vendor-hyp-arm64), told apart by where the trap came from.'],
});

/** Protected KVM (≈v6.2 numbering), finalised: no stub calls, early calls refused. */
export const KVM_ARM64_PROTECTED: Abi = defineSmcccHostAbi({
  id: 'kvm-arm64-protected',
  era: 'protected KVM (kvm-arm.mode=protected), ≈v6.2 numbering, after finalisation',
  status: 'mainline',
  purpose:
    "pKVM does not trust the host with EL2: __host_hvc skips the stub branch, so a stub call (x0 < 4, a soft restart included) reaches handle_host_hcall and answers NOT_SUPPORTED (−1), and once protection is finalised the early privileged calls (below __pkvm_prot_finalize) are refused too. The host can no longer soft-restart at EL2 or take EL2 back.",
  source: {
    document: `${NVHE_SOURCE}; hyp-main.c handle_host_hcall (hcall_min = __pkvm_prot_finalize once kvm_protected_mode_initialized)`,
    version: '≈v6.2',
    note: 'The stub branch is skipped in protected mode since W. Deacon\'s "KVM: arm64: Reject stub hypercalls after pKVM has been initialised" (v2 posted 2021-10-05, after the v5.15 merge window: v5.16 at the earliest). After the refused HVC, cpu_soft_restart falls through exactly as in v4.12: torvalds/linux:arch/arm64/kernel/cpu-reset.S @b5630b0a still has `cbz x0, 1f; mov x0, #HVC_SOFT_RESTART; hvc #0 // no return` followed by `1: mov x8, x1; mov x0, x2; mov x1, x3; mov x2, x4; br x8`, so the entry runs at EL1 with the arguments shuffled.',
  },
  table: KVM_HOST_CALLS_V6_2,
  stubCallCount: 0,
  refusedBelow: 8,
  examples: [
    { title: 'kexec/kdump HVC_SOFT_RESTART under pKVM: NOT_SUPPORTED, the HVC returns', registers: { x0: 1n, x1: 0x4008_0000n }, call: 'stub call refused' },
    { title: 'the host runs a vCPU', registers: { x0: 0xc600_000cn }, call: '__kvm_vcpu_run' },
    { title: '__pkvm_init after finalisation is refused', registers: { x0: 0xc600_0002n }, call: '__pkvm_init' },
  ],
  notes: [
    'The consequence for kexec and kdump: HVC_SOFT_RESTART returns with x0 = −1 instead of branching, and __cpu_soft_restart falls through to whatever follows its hvc (the reset matrix).',
    '__pkvm_prot_finalize (8) itself is not refused after finalisation (it is per CPU and answers -EPERM the second time); the model answers it like any served call.',
  ],
});

/** Every era, oldest first. */
export const KVM_ARM64_ABIS: readonly Abi[] = [KVM_ARM64_V3_11, KVM_ARM64_V4_12, KVM_ARM64_V5_7, KVM_ARM64_V5_10, KVM_ARM64_V5_13, KVM_ARM64_V6_2, KVM_ARM64_PROTECTED];
