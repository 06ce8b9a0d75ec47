/**
 * The arm64 Linux hyp-stub: `hvc #0` from the host kernel at EL1 with the
 * call number in x0, handled by the 2 KiB-aligned EL2 vector table a kernel
 * booted at EL2 leaves behind (`__hyp_stub_vectors`: the "Synchronous
 * 64-bit EL1" slot, +0x400, is the live one). The numbering changed four
 * times in mainline; each era is its own spec.
 *
 * Facts: ../shared/abi-facts.md §3.1 and §3.2 (the v3.9, v4.11, v4.12 and
 * v5.7 release trees' arch/arm64/kernel/hyp-stub.S and
 * arch/arm64/include/asm/virt.h; torvalds/linux at the commits cited) and
 * §1.2 (the hyp-abi document).
 *
 * @module
 */

import { defineAbi, RETURN, returnIn, type Abi, type AbiSpec, type CallContext, type CallSpec, type JumpOutcome, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { hexValue } from '../../../src/abi/value-set.ts';
import {
  HCR_EL2,
  ID_AA64MMFR1_EL1,
  MAIR_EL1,
  MAIR_EL2,
  MDCR_EL2,
  SCTLR_EL1,
  SCTLR_EL2,
  SP_EL1,
  SP_EL2,
  SPSR_EL2,
  TCR_EL1,
  TCR_EL2,
  TPIDR_EL1,
  TPIDR_EL2,
  TTBR0_EL1,
  TTBR0_EL2,
  VBAR_EL1,
  VBAR_EL2,
  X0,
  X1,
  X2,
  X3,
  X4,
} from './spec-registers.ts';

/** `HVC_STUB_ERR`, the stub's error return (v4.12+), written to x0 zero-extended (`mov_q x0, HVC_STUB_ERR`). */
export const HVC_STUB_ERR = 0xbadca11n;

/** `ARM_EXCEPTION_HYP_GONE` in v4.11 (kvm_asm.h): what the v4.8–v4.11 stub answers a call it does not know. */
export const ARM_EXCEPTION_HYP_GONE_V4_11 = 3n;

/** `HCR_HOST_VHE_FLAGS` (HCR_RW bit 31 | HCR_TGE bit 27 | HCR_E2H bit 34), which VHE_RESTART writes to HCR_EL2 (torvalds/linux:arch/arm64/kernel/hyp-stub.S @005e1267, kvm_arm.h). */
export const HCR_HOST_VHE_FLAGS = (1n << 31n) | (1n << 27n) | (1n << 34n);

/**
 * MDCR_EL2.E2PB (bits 13:12) and E2TB (bits 25:24), which the VHE upgrade
 * clears ("Use EL2 translations for SPE & TRBE and disable access from
 * EL1": `bic x0, x0, #(MDCR_EL2_E2PB_MASK << MDCR_EL2_E2PB_SHIFT)` and the
 * same for E2TB; kvm_arm.h: both masks 0x3, shifts 12 and 24).
 */
export const MDCR_EL2_E2PB_E2TB = (0x3n << 12n) | (0x3n << 24n);

/** `PSR_MODE_EL2h` and `PSR_MODE_MASK` (uapi ptrace.h): the SPSR mode field VHE_RESTART rewrites so that the eret stays at EL2. */
export const PSR_MODE_EL2H = 0x9n;
const PSR_MODE_MASK = 0xf;

/** The numbers semantics write, converted once. */
const STUB_ERR = Number(HVC_STUB_ERR);
const HYP_GONE = Number(ARM_EXCEPTION_HYP_GONE_V4_11);
const MODE_EL2H = Number(PSR_MODE_EL2H);

const common = {
  family: 'linux-hyp-stub-arm64',
  arch: 'arm64',
  // Every era's handler looks at x0 only: the HVC immediate is never read (the v3.9–v4.11 stubs check ESR_EL2.EC, not the ISS).
  conduit: { instruction: 'hvc', imm: 'any' },
  origin: { privilege: ['kernel'], world: ['host'] },
  selector: { register: 'x0', width: 64 },
  priority: 0,
} as const satisfies Partial<AbiSpec>;

/** hyp-abi: "the hypercall is allowed to clobber any of the caller-saved registers (x0-x18)"; the results are listed separately. */
/** VBAR_EL2 bits 10:0 are RES0 (ARM ARM D13.2.144): a write keeps bits 63:11 only. */
const VBAR_MASK = ~0x7ffn & 0xffff_ffff_ffff_ffffn;

/**
 * The ≈v4.7–v4.11 stub reads ESR_EL2 into x30 (`mrs x30, esr_el2`), the one
 * register no call passes an argument in, which is why that era's
 * `__hyp_get_vectors`/`__hyp_set_vectors` save lr around the `hvc`
 * (read in the 4.9-based OE4T/linux-tegra-4.9 @d1c75155 arch/arm64/kernel/hyp-stub.S:
 * `el1_sync: mrs x30, esr_el2; lsr x30, x30, #ESR_ELx_EC_SHIFT`, and
 * `str lr, [sp, #-16]!` / `ldr lr, [sp], #16` around each `hvc #0`; v4.12's
 * stub no longer reads ESR_EL2. That the ≈v4.7 stub already did so is the
 * same code before SOFT_RESTART, but no 4.7 tree was read: UNCONFIRMED).
 */
const STUB_SCRATCH_X30 = ['x30'];

/** `call` with x30 among its clobbers: the ≈v4.7–v4.11 stub's scratch register ({@link STUB_SCRATCH_X30}). */
function clobbersX30(call: CallSpec): CallSpec {
  return { ...call, clobbers: [...(call.clobbers ?? []), ...STUB_SCRATCH_X30] };
}

const CALLER_SAVED = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9', 'x10', 'x11', 'x12', 'x13', 'x14', 'x15', 'x16', 'x17', 'x18'];

/** What the soft-restart target sees, one line (constant text: it runs on every soft restart firmware takes). */
const SOFT_RESTART_NOTE = 'soft restart: the stub moves x2–x4 down into x0–x2 and branches to the old x1 at EL2 (br x4), no exception return';

/**
 * HVC_SOFT_RESTART as the stub does it (v4.8+): `mov x0, x2; mov x2, x4;
 * mov x4, x1; mov x1, x3; br x4`. The payload sees its three arguments in
 * x0–x2 and the target in x4; ELR_EL2 and SPSR_EL2 are left as the
 * exception entry wrote them.
 */
function softRestart(call: CallContext): JumpOutcome {
  const target = call.get(X1);
  call.copy(X0, X2);
  call.copy(X2, X4);
  call.set(X4, target);
  call.copy(X1, X3);
  return { kind: 'jump', target, note: SOFT_RESTART_NOTE };
}

/** The soft restart of the stub, for `select`. */
function softRestartCall(select: bigint): CallSpec {
  return {
    name: 'HVC_SOFT_RESTART',
    select,
    summary: 'branch to x1 at EL2 with the MMU as it is (cpu_soft_restart turned it off), exceptions masked by the entry: x0 ← x2, x1 ← x3, x2 ← x4 (the payload\'s arguments), x4 ← the target; does not return',
    args: [
      { register: 'x1', role: 'restart address' },
      { register: 'x2', role: 'payload x0 (kexec: kimage->head)' },
      { register: 'x3', role: 'payload x1 (kimage->start)' },
      { register: 'x4', role: 'payload x2 (the dtb)' },
    ],
    results: [
      { register: 'x0', role: 'old x2 (at the target)' },
      { register: 'x1', role: 'old x3 (at the target)' },
      { register: 'x2', role: 'old x4 (at the target)' },
      { register: 'x4', role: 'the target (at the target)' },
    ],
    noReturn: true,
    meaning: 'soft-restart',
    run: softRestart,
  };
}

/** x0 ← VBAR_EL2. */
function getVectors(name: string, select: bigint, summary: string): CallSpec {
  return {
    name,
    select,
    summary,
    results: [{ register: 'x0', role: 'VBAR_EL2' }],
    meaning: 'get-vectors',
    run: (call) => {
      call.copy(X0, VBAR_EL2);
      return RETURN;
    },
  };
}

/** VBAR_EL2 ← x1, x0 ← `result` (the v4.12 numbering answers 0; the ≈v4.7–v4.11 stubs leave x0 = 1). */
function setVectorsX1(select: bigint, result: 'zero' | 'unchanged'): CallSpec {
  return {
    name: 'HVC_SET_VECTORS',
    select,
    summary: `install a new EL2 vector table: VBAR_EL2 ← x1 (a physical, 2 KiB-aligned address)${result === 'zero' ? ', x0 ← 0' : '; x0 is left as it was (the call number)'}`,
    args: [{ register: 'x1', role: 'vectors' }],
    ...(result === 'zero' ? { results: [{ register: 'x0', role: '0' }] } : {}),
    clobbers: CALLER_SAVED,
    meaning: 'set-vectors',
    run:
      result === 'zero'
        ? (call) => {
            call.copy(VBAR_EL2, X1);
            call.setU32(X0, 0);
            return RETURN;
          }
        : (call) => {
            call.copy(VBAR_EL2, X1);
            return RETURN;
          },
  };
}

/** x0 ← HVC_STUB_ERR, for `select`. */
function stubError(name: string, select: CallSpec['select'], summary: string): CallSpec {
  return {
    name,
    select,
    summary,
    results: [{ register: 'x0', role: 'HVC_STUB_ERR' }],
    meaning: 'error',
    run: (call) => {
      call.setU32(X0, STUB_ERR);
      return RETURN;
    },
  };
}

/** RESET_VECTORS of the stub: nothing to undo, x0 ← 0. */
const RESET_VECTORS: CallSpec = {
  name: 'HVC_RESET_VECTORS',
  select: 2n,
  summary: 'put the stub vectors back; the stub itself has nothing to undo ("Nothing to reset!"): x0 ← 0',
  results: [{ register: 'x0', role: '0' }],
  meaning: 'reset-vectors',
  run: (call) => {
    call.setU32(X0, 0);
    return RETURN;
  },
};

/** How a successful VHE upgrade ends: the eret goes back to the caller's next instruction, at EL2h. */
const RESUME_AT_EL2: ReturnOutcome = returnIn('el2h', 'the stub rewrote the saved mode to EL2h, so the kernel resumes at EL2 with VHE on');

/**
 * `mutate_to_vhe` (VHE_RESTART; `__finalise_el2` after the rename), as
 * torvalds/linux:arch/arm64/kernel/hyp-stub.S @005e1267 and @617e407c
 * write it: refuse with HVC_STUB_ERR, returning to the caller at EL1, if
 * the EL2 MMU is on (SCTLR_EL2.M) or the CPU has no VHE
 * (ID_AA64MMFR1_EL1.VH, bits 11:8, is 0). Otherwise: HCR_EL2 ← the VHE
 * host flags; the EL1 stack and per-CPU offset become EL2's (SP_EL2 ←
 * SP_EL1, TPIDR_EL2 ← TPIDR_EL1); the EL1 vectors (VBAR_EL12 → VBAR_EL2);
 * MDCR_EL2.E2PB and E2TB cleared; the MM state (TCR, TTBR0, MAIR EL1 →
 * EL2); the saved mode ← EL2h; then `enter_vhe` turns the EL2 MMU on as the
 * kernel had EL1's (SCTLR_EL2 ← SCTLR_EL12) and erets with x0 = 0: the
 * caller resumes at EL2.
 *
 * Not modelled, because hyplay has no E2H register redirection or no such
 * register: CPACR_EL12 → CPTR_EL2 (E2H format), TTBR1_EL12 → TTBR1_EL2,
 * SCTLR_EL12 ← INIT_SCTLR_EL1_MMU_OFF (its value changes by era), and the
 * command-line override (id_aa64mmfr1_override, in kernel memory: the
 * model is a kernel without arm64.nohvhe).
 */
function upgradeToVhe(call: CallContext): ReturnOutcome {
  if ((call.u32(SCTLR_EL2) & 1) !== 0 || ((call.u32(ID_AA64MMFR1_EL1) >>> 8) & 0xf) === 0) {
    call.setU32(X0, STUB_ERR);
    return RETURN;
  }
  call.set(HCR_EL2, HCR_HOST_VHE_FLAGS);
  call.copy(SP_EL2, SP_EL1);
  call.copy(TPIDR_EL2, TPIDR_EL1);
  call.copy(VBAR_EL2, VBAR_EL1);
  call.set(MDCR_EL2, call.get(MDCR_EL2) & ~MDCR_EL2_E2PB_E2TB);
  call.copy(TCR_EL2, TCR_EL1);
  call.copy(TTBR0_EL2, TTBR0_EL1);
  call.copy(MAIR_EL2, MAIR_EL1);
  // SPSR_EL2 is written through its E2H alias spsr_el1; only the mode field changes (bits 31:4 are kept whole).
  call.set(SPSR_EL2, (call.get(SPSR_EL2) & ~BigInt(PSR_MODE_MASK)) | BigInt(MODE_EL2H));
  call.copy(SCTLR_EL2, SCTLR_EL1);
  call.setU32(X0, 0);
  return RESUME_AT_EL2;
}

/**
 * A kernel at EL1h on a VHE CPU (ID_AA64MMFR1_EL1.VH = 1) with the EL2 MMU
 * off, every piece of EL1 context the upgrade moves distinct, and MDCR_EL2
 * with E2PB and E2TB set: the examples' registers, so that an
 * implementation that forgets one move fails.
 */
const VHE_CPU_AT_EL1: Readonly<Record<string, bigint>> = {
  id_aa64mmfr1_el1: 0x100n,
  spsr_el2: 0x3c5n,
  vbar_el1: 0xffff_8000_1001_0800n,
  sp_el1: 0xffff_8000_1234_3f00n,
  tpidr_el1: 0xffff_0000_7f7f_0000n,
  mdcr_el2: 0x0300_3006n,
  tcr_el1: 0x0000_0034_b559_3519n,
  ttbr0_el1: 0x4123_4000n,
  mair_el1: 0x0000_00ff_4404_0400n,
  // M clear: the conformance driver runs the caller flat, and with SCTLR_EL1.M set the model's EL1&0 stage 1 would translate its fetches.
  sctlr_el1: 0x30d0_199cn,
};

/** The VHE upgrade call under `name` (3 in both numberings that have it). */
function vheCall(name: string, summary: string): CallSpec {
  return {
    name,
    select: 3n,
    summary,
    results: [
      { register: 'x0', role: '0 (the caller resumes at EL2h), or HVC_STUB_ERR (it stays at EL1)' },
      { register: 'hcr_el2', role: 'HCR_HOST_VHE_FLAGS' },
      { register: 'sp_el2', role: 'SP_EL1: the kernel keeps its stack' },
      { register: 'tpidr_el2', role: 'TPIDR_EL1' },
      { register: 'vbar_el2', role: 'the EL1 vectors' },
      { register: 'mdcr_el2', role: 'E2PB and E2TB cleared' },
      { register: 'tcr_el2', role: 'TCR_EL1' },
      { register: 'ttbr0_el2', role: 'TTBR0_EL1' },
      { register: 'mair_el2', role: 'MAIR_EL1' },
      { register: 'spsr_el2', role: 'mode EL2h: the caller resumes at EL2' },
      { register: 'sctlr_el2', role: 'SCTLR_EL1: the EL2 MMU as the kernel had EL1\'s' },
    ],
    clobbers: CALLER_SAVED,
    meaning: 'upgrade-to-vhe',
    run: upgradeToVhe,
  };
}

/** v3.9–≈v4.6: no call numbers. x0 = 0 reads VBAR_EL2, anything else is the new VBAR_EL2. */
export const LINUX_HYP_STUB_ARM64_V3_9: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-arm64-v3.9',
  era: 'v3.9–≈v4.6',
  status: 'removed',
  purpose:
    'The first arm64 hyp-stub: a kernel booted at EL2 keeps a minimal EL2 vector table so that KVM can later install its own. It knows two operations and no numbers: x0 = 0 reads VBAR_EL2 (__hyp_get_vectors is `mov x0, xzr` falling into __hyp_set_vectors), any other x0 is the new vector base.',
  source: {
    document:
      'v3.9 tree (opennetworklinux/linux-3.9.6 @d0512f069337) arch/arm64/kernel/hyp-stub.S (el1_sync: ESR_EL2.EC must be HVC64 (0x16), else eret; cbz x0 → mrs x0, vbar_el2; else msr vbar_el2, x0); melvilli/kernel_msm8916_outrageous:arch/arm64/kernel/hyp-stub.S @945fb24b (the same code in a v3.18-based tree)',
    version: 'v3.9',
    note: 'G. Levand\'s "arm64: hyp/kvm: Make hyp-stub extensible" says the old stub and KVM "only allow for two distinct hcalls", x0 zero or not; the last release without call numbers is UNCONFIRMED (believed v4.6, abi-facts Appendix A.11).',
  },
  calls: [
    // el1_sync reads ESR_EL2 into x1 before it looks at x0, on both paths.
    { ...getVectors('__hyp_get_vectors', 0n, 'x0 = 0: read the vector base, x0 ← VBAR_EL2'), clobbers: ['x1'] },
    {
      name: '__hyp_set_vectors',
      select: 'otherwise',
      summary: 'any other x0 is the new vector base: VBAR_EL2 ← x0 (bits 10:0 are RES0 and read as 0); nothing is returned (x0 keeps the address) and there is no error value',
      args: [{ register: 'x0', role: 'vectors' }],
      // el1_sync reads ESR_EL2 into x1 to test the exception class.
      clobbers: ['x1'],
      meaning: 'set-vectors',
      run: (call) => {
        call.set(VBAR_EL2, call.get(X0) & VBAR_MASK);
        return RETURN;
      },
    },
  ],
  examples: [
    { title: 'KVM init saves the stub vectors', registers: { x0: 0n }, call: '__hyp_get_vectors' },
    { title: 'KVM installs its init vectors', registers: { x0: 0x4008_0800n }, call: '__hyp_set_vectors' },
    { title: 'a soft restart request (x0 = 1) in this era sets VBAR_EL2 to 1, which reads back as 0', registers: { x0: 1n, x1: 0x4008_0000n }, call: '__hyp_set_vectors' },
  ],
  notes: [
    'Only "Synchronous 64-bit EL1" (+0x400) is live; a synchronous exception that is not an HVC64 is returned from at once, and every other slot spins (abi-facts §3.2).',
    'No call number exists yet, so every later stub call (a soft restart, a reset) would land here as a vector base: this is the "two distinct hcalls" limit the v4.7 rework removed.',
    'The boot-mode marker of this era is BOOT_CPU_MODE_EL2 = 0x0e12b007 (v3.9 tree virt.h); later kernels use 0xe11/0xe12.',
  ],
});

/** ≈v4.7: GET 0, SET 1 (the base in x1). */
export const LINUX_HYP_STUB_ARM64_V4_7: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-arm64-v4.7',
  era: '≈v4.7 (release UNCONFIRMED)',
  status: 'removed',
  purpose:
    "G. Levand's extensible stub: x0 becomes a call number (x0 below 0xfff is a special hcall, anything else a function pointer in KVM's convention), GET 0 and SET 1 with the vector base moved to x1. The numbers leave room for the kexec soft restart that followed.",
  source: {
    document: 'torvalds/linux:arch/arm64/include/asm/virt.h @03263ac9 (HVC_GET_VECTORS 0, HVC_SET_VECTORS 1; "x0 below 0xfff is a special hcall"); G. Levand, "arm64: hyp/kvm: Make hyp-stub extensible" (patch text)',
    version: '≈v4.7',
    note: 'The first release with GET 0 / SET 1 is UNCONFIRMED (believed v4.7, abi-facts Appendix A.11). What this stub did with an unknown x0 is UNCONFIRMED too (abi-facts §3.2); the spec models the plain eret of the era before HYP_GONE.',
  },
  calls: [
    clobbersX30(getVectors('HVC_GET_VECTORS', 0n, 'x0 ← VBAR_EL2')),
    clobbersX30(setVectorsX1(1n, 'unchanged')),
    clobbersX30({
      name: 'unknown',
      select: 'otherwise',
      summary: 'any other x0: returned from with nothing written (UNCONFIRMED: the v4.11 stub answers ARM_EXCEPTION_HYP_GONE instead)',
      meaning: 'ignored',
      run: () => RETURN,
    }),
  ],
  examples: [
    { title: 'KVM init saves the stub vectors', registers: { x0: 0n }, call: 'HVC_GET_VECTORS' },
    { title: 'KVM installs its init vectors', registers: { x0: 1n, x1: 0x4008_0800n }, call: 'HVC_SET_VECTORS' },
    { title: 'a kvm_call_hyp aimed at the stub', registers: { x0: 0xffff_0000_0810_0000n }, call: 'unknown' },
  ],
});

/** ≈v4.8–v4.11: GET 0, SET 1, SOFT_RESTART 2; anything else ARM_EXCEPTION_HYP_GONE. */
export const LINUX_HYP_STUB_ARM64_V4_8: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-arm64-v4.8',
  era: '≈v4.8–v4.11',
  status: 'removed',
  purpose:
    'The stub arm64 kexec arrived with: HVC_SOFT_RESTART = 2 branches to x1 at EL2 with the payload arguments moved into x0–x2, so a kexec can start the next kernel at EL2. KVM of the era still takes every x0 but 0 as a function pointer, so the kernel must hand EL2 back to the stub (kvm_reboot) before it soft-restarts.',
  source: {
    document:
      'v4.11 tree (HCLS/linux-4.11 @e81cedcca218) arch/arm64/include/asm/virt.h (HVC_GET_VECTORS 0, HVC_SET_VECTORS 1, HVC_SOFT_RESTART 2), arch/arm64/kernel/hyp-stub.S, arch/arm64/include/asm/kvm_asm.h (ARM_EXCEPTION_HYP_GONE 3); Haseo97/kernel_pendulum_sdm845 (a vendor 4.9 tree with the same numbers)',
    version: 'v4.11',
    note: 'SOFT_RESTART arrived with arm64 kexec (≈v4.8). The HYP_GONE answer for an unknown x0 is read in the v4.11 tree (J. Morse, "arm64: hyp/kvm: Make hyp-stub reject kvm_call_hyp()"); whether v4.8–v4.10 already had it is UNCONFIRMED. The register shuffle is the one torvalds/linux:arch/arm64/kernel/hyp-stub.S @005e1267 still has (mov x0, x2; mov x2, x4; mov x4, x1; mov x1, x3; br x4). The x30 scratch (mrs x30, esr_el2) and the lr save around the hvc are read in OE4T/linux-tegra-4.9 @d1c75155 arch/arm64/kernel/hyp-stub.S, which also has the HYP_GONE answer.',
  },
  calls: [
    clobbersX30(getVectors('HVC_GET_VECTORS', 0n, 'x0 ← VBAR_EL2')),
    clobbersX30(setVectorsX1(1n, 'unchanged')),
    clobbersX30(softRestartCall(2n)),
    clobbersX30({
      name: 'unknown',
      select: 'otherwise',
      summary: `any other x0 (a kvm_call_hyp aimed at the stub): x0 ← ARM_EXCEPTION_HYP_GONE (${ARM_EXCEPTION_HYP_GONE_V4_11}), which KVM's run loop reads as "EL2 went back to the stub"`,
      results: [{ register: 'x0', role: 'ARM_EXCEPTION_HYP_GONE (3)' }],
      meaning: 'error',
      run: (call) => {
        call.setU32(X0, HYP_GONE);
        return RETURN;
      },
    }),
  ],
  examples: [
    { title: 'KVM init saves the stub vectors', registers: { x0: 0n }, call: 'HVC_GET_VECTORS' },
    { title: 'KVM installs its init vectors', registers: { x0: 1n, x1: 0x4008_0800n }, call: 'HVC_SET_VECTORS' },
    { title: 'kexec: cpu_soft_restart(1, …) starts the new kernel at EL2', registers: { x0: 2n, x1: 0x4008_0000n, x2: 0x4800_0000n, x3: 0x4008_0000n, x4: 0x4400_0000n }, call: 'HVC_SOFT_RESTART' },
    { title: '__kvm_vcpu_run reaching the stub after a reset', registers: { x0: 0xffff_0000_0810_0000n }, call: 'unknown' },
  ],
  notes: [
    'No kdump in this era: machine_crash_shutdown is an empty stub, and a normal kexec runs the reboot notifiers (kvm_reboot) first, so the soft restart always meets the stub (abi-facts §4.2).',
    'If KVM still owned EL2, x0 = 2 would be a function pointer to address 2 under kvm-arm64-v3.11 (the reset matrix row "KVM not torn down").',
  ],
});

/** v4.12–≈v5.11: SET 0, SOFT_RESTART 1, RESET 2, HVC_STUB_ERR for the rest. */
export const LINUX_HYP_STUB_ARM64_V4_12: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-arm64-v4.12',
  era: 'v4.12–≈v5.11',
  status: 'removed',
  purpose:
    "The renumbering shared with arm32: x0 below HVC_STUB_HCALL_NR (3) is a stub call, every argument moved up one register, and HVC_STUB_ERR for anything else. KVM (kvm-arm64-v4.12 onwards) reserves the same x0 < 3 and implements SOFT_RESTART and RESET_VECTORS itself, so a soft restart reaches EL2 whoever owns it; there is no GET any more.",
  source: {
    document:
      'v4.12 tree (jason50123/linux-4.12 @d7bbb6bbf66c) and v5.7 tree (a5221985/linux-5.7.14 @5d0b54d93391) arch/arm64/include/asm/virt.h and arch/arm64/kernel/hyp-stub.S; torvalds/linux:arch/arm64/include/asm/virt.h @c884d8ac (HVC_SET_VECTORS 0, HVC_SOFT_RESTART 1, HVC_RESET_VECTORS 2, HVC_STUB_HCALL_NR 3, HVC_STUB_ERR 0xbadca11); Documentation/virtual/kvm/arm/hyp-abi.txt (the v4.12 tree)',
    version: 'v4.12',
    note: 'Still HVC_STUB_HCALL_NR 3 in v5.7.14; the last release before VHE_RESTART is UNCONFIRMED (believed v5.11).',
  },
  calls: [setVectorsX1(0n, 'zero'), softRestartCall(1n), RESET_VECTORS, stubError('invalid', 'otherwise', 'x0 ≥ HVC_STUB_HCALL_NR (3): "someone called kvm_call_hyp() against the hyp-stub", x0 ← HVC_STUB_ERR (0xbadca11)')],
  examples: [
    { title: 'KVM installs its init vectors', registers: { x0: 0n, x1: 0x4008_0800n }, call: 'HVC_SET_VECTORS' },
    { title: 'kexec soft restart to the new kernel', registers: { x0: 1n, x1: 0x4008_0000n, x2: 0x4800_0000n, x3: 0x4008_0000n, x4: 0x4400_0000n }, call: 'HVC_SOFT_RESTART' },
    { title: 'reset vectors while the stub owns EL2', registers: { x0: 2n }, call: 'HVC_RESET_VECTORS' },
    { title: 'the reboot race: __kvm_vcpu_run after kvm_reboot reset EL2', registers: { x0: 0xffff_0000_0810_0000n }, call: 'invalid' },
  ],
  notes: [
    'HVC_STUB_ERR doubles as KVM\'s ARM_EXCEPTION_HYP_GONE from v4.12: a kvm_call_hyp(__kvm_vcpu_run) that meets the stub (a guest pre-empted by kvm_reboot) gets it back, and handle_exit turns it into KVM_EXIT_FAIL_ENTRY (abi-facts §4.3).',
    'The hyp-abi document at v4.12 is Documentation/virtual/kvm/arm/hyp-abi.txt; SOFT_RESTART passes x2–x4 through as the payload\'s x0–x2 and does not return.',
    `The stub's SOFT_RESTART branches (br x4) and leaves ELR_EL2, SPSR_EL2, SCTLR_EL2 and VBAR_EL2 alone; KVM's own SOFT_RESTART erets with SPSR_EL2 = 0x3c9 and the stub vectors back, and before the x0 fix hands the payload x0 = 0 (kvm-arm64-v4.12).`,
  ],
});

/** ≈v5.12+: VHE_RESTART 3 added, HVC_STUB_HCALL_NR 4. */
export const LINUX_HYP_STUB_ARM64_V5_12: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-arm64-v5.12',
  era: '≈v5.12 (first release UNCONFIRMED)–the FINALISE_EL2 rename',
  status: 'removed',
  purpose:
    'The stub learns to turn an nVHE boot into a VHE one: a kernel that booted at EL2 but dropped to EL1 issues HVC_VHE_RESTART (switch_to_vhe), and the stub, if the CPU has VHE and the EL2 MMU is off, sets HCR_EL2 for a VHE host, moves the EL1 context to EL2 and returns to the caller at EL2.',
  source: {
    document:
      'torvalds/linux:arch/arm64/kernel/hyp-stub.S @005e1267 (elx_sync: SET_VECTORS, VHE_RESTART → mutate_to_vhe, SOFT_RESTART, RESET_VECTORS, else HVC_STUB_ERR; the EL2h synchronous slot routed to elx_sync too); kernelorg-mirror/linux_kernel_git_maz_arm-platforms and CodeLinaro-mirror/la_kernel_msm-4.4 arch/arm64/include/asm/virt.h (HVC_VHE_RESTART 3, HVC_STUB_HCALL_NR 4)',
    version: '≈v5.12',
    note: 'The first release with HVC_VHE_RESTART is UNCONFIRMED (believed v5.12, abi-facts Appendix A.11). The command-line override (id_aa64mmfr1_override, arm64.nohvhe) lives in kernel memory and is not modelled: the model is a kernel without it.',
  },
  calls: [
    setVectorsX1(0n, 'zero'),
    softRestartCall(1n),
    RESET_VECTORS,
    vheCall(
      'HVC_VHE_RESTART',
      `upgrade to VHE (mutate_to_vhe): HVC_STUB_ERR, back at EL1, if SCTLR_EL2.M is set or ID_AA64MMFR1_EL1.VH is 0; else HCR_EL2 ← ${hexValue(HCR_HOST_VHE_FLAGS)} (RW, TGE, E2H), the EL1 context moved to EL2 (SP, TPIDR, VBAR, TCR, TTBR0, MAIR, then SCTLR), MDCR_EL2.E2PB/E2TB cleared, SPSR_EL2 mode ← EL2h, x0 ← 0, and the eret resumes the caller at EL2h (CPACR → CPTR_EL2, TTBR1 and the EL1 SCTLR reset are not modelled)`,
    ),
    stubError('invalid', 'otherwise', 'x0 ≥ HVC_STUB_HCALL_NR (4): x0 ← HVC_STUB_ERR (0xbadca11)'),
  ],
  examples: [
    { title: 'KVM installs its init vectors', registers: { x0: 0n, x1: 0x4008_0800n }, call: 'HVC_SET_VECTORS' },
    { title: 'kexec soft restart to the new kernel', registers: { x0: 1n, x1: 0x4008_0000n, x2: 0x4800_0000n }, call: 'HVC_SOFT_RESTART' },
    { title: 'switch_to_vhe on a VHE CPU with the EL2 MMU off: the kernel resumes at EL2h with its EL1 context', registers: { x0: 3n, ...VHE_CPU_AT_EL1 }, call: 'HVC_VHE_RESTART' },
    { title: 'switch_to_vhe on a CPU without VHE: HVC_STUB_ERR, and the kernel stays at EL1', registers: { ...VHE_CPU_AT_EL1, x0: 3n, id_aa64mmfr1_el1: 0n }, call: 'HVC_VHE_RESTART' },
    { title: 'switch_to_vhe with the EL2 MMU on: refused', registers: { ...VHE_CPU_AT_EL1, x0: 3n, sctlr_el2: 0x30c5_083dn }, call: 'HVC_VHE_RESTART' },
    { title: 'a kvm_call_hyp aimed at the stub', registers: { x0: 0xc600_0001n }, call: 'invalid' },
  ],
  notes: [
    'x0 = 3 is no longer an error: under linux-hyp-stub-arm64-v4.12 the same trap answers HVC_STUB_ERR, here it may move the kernel to EL2.',
    'The @005e1267 stub also routes "Synchronous EL2h" (+0x200) to the same handler; the spec models the EL1 caller, the one the ABI is for.',
  ],
});

/** Later: 3 renamed HVC_FINALISE_EL2. */
export const LINUX_HYP_STUB_ARM64_FINALISE_EL2: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-arm64-finalise-el2',
  era: 'the HVC_FINALISE_EL2 rename (release UNCONFIRMED)–',
  status: 'mainline',
  purpose:
    'The current stub: call 3 is HVC_FINALISE_EL2, which finishes configuring EL2 from the command-line options (finalise_el2_state) and then attempts the same upgrade to VHE as VHE_RESTART did. Still four calls; an unknown x0 is HVC_STUB_ERR.',
  source: {
    document:
      'torvalds/linux:arch/arm64/kernel/hyp-stub.S @617e407c (elx_sync: HVC_FINALISE_EL2 → __finalise_el2: the SVE/SME set-up when the ID registers have them, then the same VHE checks and context moves as mutate_to_vhe, HVC_STUB_ERR on refusal); torvalds/linux:Documentation/virt/kvm/arm/hyp-abi.rst @166cc2a4 (HVC_FINALISE_EL2: "finish configuring EL2 … including an attempt to upgrade the kernel\'s exception level from EL1 to EL2 by enabling the VHE mode … conditioned by the CPU supporting VHE, the EL2 MMU being off"); mailing-list copies of arch/arm64/include/asm/virt.h (HVC_FINALISE_EL2 3, HVC_STUB_HCALL_NR 4)',
    version: 'after ≈v5.12 (the rename\'s release is UNCONFIRMED)',
    note: 'The rename is read in torvalds/linux hyp-stub.S @617e407c; its first release is UNCONFIRMED, and the number 3 is from the patch copies of virt.h (no torvalds copy of the renamed virt.h was read). A posted series adds HVC_GET_ICH_VTR_EL2 4 (HVC_STUB_HCALL_NR 5); its merge is UNCONFIRMED, so x0 = 4 stays HVC_STUB_ERR here. HCR_HOST_VHE_FLAGS is the value of @005e1267; later kernels may set more bits (UNCONFIRMED).',
  },
  calls: [
    setVectorsX1(0n, 'zero'),
    softRestartCall(1n),
    RESET_VECTORS,
    vheCall(
      'HVC_FINALISE_EL2',
      `finish EL2 set-up (the SVE/SME traps and vector lengths, only on CPUs whose ID registers have SVE or SME: none here), then upgrade to VHE: HVC_STUB_ERR if SCTLR_EL2.M is set or ID_AA64MMFR1_EL1.VH is 0 (the kernel stays at EL1); else HCR_EL2 ← ${hexValue(HCR_HOST_VHE_FLAGS)}, the EL1 context moved to EL2 as VHE_RESTART does, SPSR_EL2 mode ← EL2h, x0 ← 0, and the caller resumes at EL2h`,
    ),
    stubError('invalid', 'otherwise', 'x0 ≥ HVC_STUB_HCALL_NR (4): x0 ← HVC_STUB_ERR (0xbadca11)'),
  ],
  examples: [
    { title: 'KVM installs its init vectors', registers: { x0: 0n, x1: 0x4008_0800n }, call: 'HVC_SET_VECTORS' },
    { title: 'finalise_el2 on a VHE CPU: the kernel resumes at EL2h', registers: { x0: 3n, ...VHE_CPU_AT_EL1 }, call: 'HVC_FINALISE_EL2' },
    { title: 'finalise_el2 on a CPU without VHE: HVC_STUB_ERR, and the kernel stays at EL1', registers: { ...VHE_CPU_AT_EL1, x0: 3n, id_aa64mmfr1_el1: 0n }, call: 'HVC_FINALISE_EL2' },
    { title: 'kexec soft restart to the new kernel', registers: { x0: 1n, x1: 0x4008_0000n, x2: 0x4800_0000n }, call: 'HVC_SOFT_RESTART' },
    { title: 'the posted HVC_GET_ICH_VTR_EL2 (4) is not a call of this stub', registers: { x0: 4n }, call: 'invalid' },
  ],
});

/** Every era, oldest first. */
export const LINUX_HYP_STUB_ARM64_ABIS: readonly Abi[] = [
  LINUX_HYP_STUB_ARM64_V3_9,
  LINUX_HYP_STUB_ARM64_V4_7,
  LINUX_HYP_STUB_ARM64_V4_8,
  LINUX_HYP_STUB_ARM64_V4_12,
  LINUX_HYP_STUB_ARM64_V5_12,
  LINUX_HYP_STUB_ARM64_FINALISE_EL2,
];
