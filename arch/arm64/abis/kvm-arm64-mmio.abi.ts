/**
 * KVM/arm64's MMIO emulation as an ABI between the guest's load or store,
 * ESR_EL2 and the hypervisor: a guest access outside its memory slots is a
 * stage-2 data abort taken to EL2 (ESR_EL2 EC 0x24, FAR_EL2, HPFAR_EL2).
 * Each era is a spec on the `data-abort` conduit, selected by ESR_EL2:
 * ISV = 1 (the syndrome describes the access) or ISV = 0 (it does not).
 * The decision is the general {@link resolveDataAbort} over each era's
 * {@link MmioEra}, as on arm32; this file adds what is AArch64's: the
 * ESR_EL2 layout (SRT 20:16, SF, AR, SAS = 3 a doubleword), XZR as SRT 31,
 * read completion at the register's width, and `inject_abt64`.
 *
 * arm64 KVM never decoded instructions in the kernel, so its eras differ
 * in what happens to ISV = 0 (−ENOSYS, or an exit to userspace from v5.5)
 * and in read completion: before "KVM: arm64: Only sign-extend MMIO up to
 * register width" (C. Dall, merged for v5.6, Cc stable) a sign-extending
 * load into a W register was sign-extended to 64 bits (SF was not read).
 *
 * Facts: abi-facts §12 (12.1 ESR fields, 12.2 HPFAR_EL2/FAR_EL2, 12.3
 * eras, 12.5 worked syndromes, 12.7 scenarios); torvalds/linux
 * arch/arm64/kvm/mmio.c @022c8328 (kvm_handle_mmio_return with SF,
 * io_mem_abort with NISV); the v4.19.149 virt/kvm/arm/mmio.c (io_mem_abort
 * −ENOSYS, decode_hsr: S1PTW first) and the SF patch
 * (20191212195055.5541-1-christoffer.dall@arm.com) for the state before
 * the fix; arch/arm64/kvm/inject_fault.c inject_abt64 and
 * get_except_vector (the v5.x form); QEMU target/arm/kvm.c (NISV →
 * ext_dabt_pending).
 *
 * @module
 */

import { defineAbi, RETURN, reg, returnIn, type Abi, type AbiSpec, type CallContext, type CallSpec, type RegisterHandle, type SpecOutcome } from '../../../src/abi/spec.ts';
import { completeRead, decodeDataAbort, EC_DATA_ABORT_LOWER, faultIpa, NO_SYNDROME_RANGES, SYNDROME_VALID_RANGES } from '../../../src/mmio/data-abort.ts';
import { NISV_ISS_MASK, resolveDataAbort, type MmioEra, type MmioPlan } from '../../../src/mmio/mmio-era.ts';
import { ESR_EL2_DATA_ABORT } from '../syndrome.ts';
import { ELR_EL2, SPSR_EL2, VBAR_EL1 } from './spec-registers.ts';

/** ESR_EL2 as a data-abort syndrome (abi-facts §12.1): SRT bits 20:16 (31 = XZR), SF and AR defined, SAS = 3 a doubleword, no PC as a transfer register: the layout the machine raises its stage-2 aborts with. */
const ARM64_DATA_ABORT_LAYOUT = ESR_EL2_DATA_ABORT;

const ESR_EL2 = reg('esr_el2');
const FAR_EL2 = reg('far_el2');
const HPFAR_EL2 = reg('hpfar_el2');
const ESR_EL1 = reg('esr_el1');
const FAR_EL1 = reg('far_el1');
const ELR_EL1 = reg('elr_el1');
const SPSR_EL1 = reg('spsr_el1');

/** x0–x30 by number; SRT 31 is XZR (reads as 0, writes are discarded: KVM's vcpu_get_reg/vcpu_set_reg). */
const X_REGISTERS: readonly RegisterHandle[] = Array.from({ length: 31 }, (_, i) => reg(`x${i}`));
const XZR = 31;

/** PSTATE.M[3:0] values (ARM ARM C5.2.18): EL0t and EL1t (EL1h, 0x5, is every other AArch64 mode a guest traps from); M[4] set is AArch32. */
const PSR_MODE_EL0T = 0x0;
const PSR_MODE_EL1T = 0x4;
const PSR_MODE32 = 0x10;
/**
 * `PSTATE_FAULT_BITS_64` of the v5.x inject_fault.c: EL1h with D, A, I
 * and F masked (what an exception to EL1 leaves; later kernels compute PAN,
 * SSBS and the rest as the ARM ARM does, which a guest at reset does not
 * see).
 */
const FAULT_PSTATE = 0x3c5n;

/** The vector offsets of get_except_vector (ARM ARM D1.10.2), by where the exception comes from; sync is + 0. */
const CURRENT_EL_SP_EL0 = 0x000n;
const CURRENT_EL_SP_ELX = 0x200n;
const LOWER_EL_AARCH64 = 0x400n;
const LOWER_EL_AARCH32 = 0x600n;

/** ESR_ELx EC values inject_abt64 builds from (esr.h): IABT_LOW 0x20, IABT_CUR 0x21, DABT_LOW 0x24 (ORed in for a data abort: 0x21 | 0x24 = 0x25, DABT_CUR). */
const EC_IABT_LOW = 0x20;
const EC_IABT_CUR = 0x21;
const ESR_IL = 1 << 25;
/** ESR_ELx_FSC_EXTABT: a synchronous external abort. */
const FSC_EXTABT = 0x10;

/**
 * `inject_abt64(vcpu, false, FAR_EL2)` as `kvm_inject_dabt` calls it (and
 * QEMU's `ext_dabt_pending` through KVM_SET_VCPU_EVENTS): ELR_EL1 = the
 * faulting PC, SPSR_EL1 = the guest's PSTATE, FAR_EL1 = the fault VA,
 * ESR_EL1 = EC DABT_CUR (0x25) from EL1 or DABT_LOW (0x24) from EL0, IL
 * when the trapped instruction was 32 bits, FSC 0x10; the guest resumes
 * in EL1h at VBAR_EL1 + the offset for where it was. From EL1h that is
 * ESR_EL1 0x96000010, what U-Boot printed (abi-facts §12.7).
 */
function injectDataAbort(call: CallContext): void {
  const pstate = call.get(SPSR_EL2);
  const mode = Number(pstate & 0x1fn);
  const offset = (mode & PSR_MODE32) !== 0 ? LOWER_EL_AARCH32 : mode === PSR_MODE_EL0T ? LOWER_EL_AARCH64 : mode === PSR_MODE_EL1T ? CURRENT_EL_SP_EL0 : CURRENT_EL_SP_ELX;
  const fromEl0 = (mode & PSR_MODE32) !== 0 || (mode & 0xf) === PSR_MODE_EL0T;
  let esr = ((fromEl0 ? EC_IABT_LOW : EC_IABT_CUR) | EC_DATA_ABORT_LOWER) << 26;
  if ((call.u32(ESR_EL2) & ESR_IL) !== 0) esr |= ESR_IL;
  call.set(ELR_EL1, call.get(ELR_EL2));
  call.set(SPSR_EL1, pstate);
  call.set(FAR_EL1, call.get(FAR_EL2));
  call.set(ESR_EL1, BigInt((esr | FSC_EXTABT) >>> 0));
  // The exception return of the handler enters the guest's EL1 at its vector.
  call.set(ELR_EL2, BigInt.asUintN(64, call.get(VBAR_EL1) + offset));
  call.set(SPSR_EL2, FAULT_PSTATE);
}

const INTO_DATA_ABORT = returnIn('el1h', 'KVM injected a data abort (inject_abt64): the guest resumes in EL1h at its synchronous vector');
const INTO_EXTERNAL_ABORT = returnIn('el1h', 'QEMU injected a synchronous external abort (ext_dabt_pending, inject_abt64): the guest resumes in EL1h at its synchronous vector, ESR_EL1 FSC 0x10');

/** How an era completes a sign-extending read: to 64 bits whatever the register (before v5.6), or up to the register width SF names. */
export type Completion = 'sign-extend-to-64' | 'register-width';

/** One arm64 era: the MMIO era and its read completion. */
export interface Arm64MmioEra {
  /** The checks and the ISV = 0 handling. */
  readonly era: MmioEra;
  /** The read completion. */
  readonly completion: Completion;
}

/** Do the access of `plan` at `ipa` through the context's memory (a device answers) and complete it as the era does. */
function emulate(call: CallContext, plan: MmioPlan, ipa: bigint, completion: Completion): void {
  if (plan.direction === 'write') {
    // io_mem_abort: vcpu_get_reg(rt), XZR reads as 0; a write no device claims goes to userspace, which drops it.
    const value = plan.rt === XZR ? 0n : BigInt.asUintN(plan.length * 8, call.get(X_REGISTERS[plan.rt]!));
    call.memory.write(ipa, plan.length, value);
    return;
  }
  // A read no device claims reads as 0 (QEMU: an unassigned address).
  const data = call.memory.read(ipa, plan.length) ?? 0n;
  // Before v5.6 kvm_handle_mmio_return never read SF: a sign-extended load into Wt was extended to 64 bits.
  const value = completeRead(data, plan.length, plan.signExtend, completion === 'register-width' ? plan.sixtyFourBit : true, ARM64_DATA_ABORT_LAYOUT);
  if (plan.rt !== XZR) call.set(X_REGISTERS[plan.rt]!, value);
}

/** The semantics of one era, for both calls (ESR_EL2 says which path). */
function mmioSemantics({ era, completion }: Arm64MmioEra): (call: CallContext) => SpecOutcome {
  return (call) => {
    const syndrome = decodeDataAbort(call.u32(ESR_EL2), ARM64_DATA_ABORT_LAYOUT);
    // No arm64 era decodes instructions: the decoder is never asked for.
    const resolution = resolveDataAbort(era, syndrome, ARM64_DATA_ABORT_LAYOUT, () => ({ kind: 'fetch-failed', reason: 'arm64 KVM has no instruction decoder' }));
    switch (resolution.kind) {
      case 'emulate':
        emulate(call, resolution.plan, faultIpa(call.get(HPFAR_EL2), call.get(FAR_EL2)), completion);
        call.set(ELR_EL2, BigInt.asUintN(64, call.get(ELR_EL2) + BigInt(resolution.plan.instructionBytes)));
        return RETURN;
      case 'skip':
        call.set(ELR_EL2, BigInt.asUintN(64, call.get(ELR_EL2) + BigInt(resolution.instructionBytes)));
        return RETURN;
      case 'inject-data-abort':
      case 'inject-prefetch-abort':
        injectDataAbort(call);
        return INTO_DATA_ABORT;
      case 'inject-external-abort':
        injectDataAbort(call);
        return INTO_EXTERNAL_ABORT;
      case 'fail':
        return { kind: 'exit', exit: resolution.exit, note: resolution.note };
      case 'retry':
        return RETURN;
      default: {
        const unreachable: never = resolution;
        return unreachable;
      }
    }
  };
}


const ARGS = [
  { register: 'esr_el2', role: 'syndrome' },
  { register: 'far_el2', role: 'fault VA' },
  { register: 'hpfar_el2', role: 'fault IPA page (FIPA)' },
  { register: 'elr_el2', role: 'faulting PC' },
  { register: 'spsr_el2', role: 'guest PSTATE' },
];

/** The ISV = 1 semantics, one function per checks and completion: eras that differ only in their ISV = 0 handling share it (dispatch twins). */
const SYNDROME_VALID = new Map<string, (call: CallContext) => SpecOutcome>();

function syndromeValidSemantics(era: Arm64MmioEra): (call: CallContext) => SpecOutcome {
  const key = `${era.era.checks.join(',')}|${era.era.cacheMaintenance}|${era.completion}`;
  let run = SYNDROME_VALID.get(key);
  if (run === undefined) {
    run = mmioSemantics(era);
    SYNDROME_VALID.set(key, run);
  }
  return run;
}

function calls(era: Arm64MmioEra, noSyndrome: string): readonly CallSpec[] {
  return [
    {
      name: 'MMIO access, syndrome valid',
      select: SYNDROME_VALID_RANGES,
      summary: `ISV = 1: ESR_EL2 describes the access; KVM_EXIT_MMIO, a device answers, a load completes into Xt/Wt (SRT; XZR discards it), ${era.completion === 'register-width' ? 'sign-extended up to the register width (SF)' : 'sign-extended to 64 bits whatever the register width (SF not read)'}, the PC advances by 4. CM skips the instruction, S1PTW injects a data abort`,
      args: ARGS,
      results: [{ register: 'elr_el2', role: 'the next instruction (or the guest vector of an injected abort); a load also writes the SRT register' }],
      meaning: 'mmio-syndrome-valid',
      run: syndromeValidSemantics(era),
    },
    {
      name: 'MMIO access, no valid syndrome',
      select: NO_SYNDROME_RANGES,
      summary: noSyndrome,
      args: ARGS,
      meaning: 'mmio-no-syndrome',
      run: mmioSemantics(era),
    },
  ];
}

const CONDUIT = { instruction: 'data-abort', imm: 0n } as const;
const SELECTOR = { register: 'esr_el2', width: 32 } as const;

/** A guest at EL1h (SPSR_EL2 0x3c5) faulting at VA = IPA 0x09000000 (HPFAR_EL2 FIPA 0x9000 in bits 43:4). */
const GUEST_AT = { far_el2: 0x0900_0000n, hpfar_el2: 0x0009_0000n, elr_el2: 0x4000_0100n, spsr_el2: 0x3c5n, x0: 0x0900_0000n } as const;
/** The worked syndromes of abi-facts §12.5, with the two ISV = 0 cases of §12.4/§12.7. */
const EXAMPLES = [
  { title: 'A64 str w1, [x0] (b9000001) to a device at IPA 0x09000000: ESR_EL2 0x93810047', registers: { ...GUEST_AT, esr_el2: 0x9381_0047n, x1: 0x41n }, call: 'MMIO access, syndrome valid' },
  { title: 'A64 ldr x2, [x0] (f9400002): SAS doubleword, SF, ESR_EL2 0x93c28007', registers: { ...GUEST_AT, esr_el2: 0x93c2_8007n }, call: 'MMIO access, syndrome valid' },
  { title: 'A64 ldrsh x1, [x0] (79800001): SAS halfword, SSE, SF, ESR_EL2 0x93618007', registers: { ...GUEST_AT, esr_el2: 0x9361_8007n }, call: 'MMIO access, syndrome valid' },
  { title: 'A64 ldrsh w1, [x0] (79c00001): SSE with SF = 0, ESR_EL2 0x93610007 (the register width the v5.6 fix reads)', registers: { ...GUEST_AT, esr_el2: 0x9361_0007n }, call: 'MMIO access, syndrome valid' },
  { title: 'A64 dc civac, x0 on MMIO: CM = 1 (WnR = 1), ESR_EL2 0x92000147', registers: { ...GUEST_AT, esr_el2: 0x9200_0147n }, call: 'MMIO access, no valid syndrome' },
  { title: 'A64 ldr w1, [x0], #4 (b8404401, post-index): ISV = 0, ESR_EL2 0x92000007', registers: { ...GUEST_AT, esr_el2: 0x9200_0007n }, call: 'MMIO access, no valid syndrome' },
  { title: 'A64 stp x1, x2, [x0] (a9000801): ISV = 0, WnR, ESR_EL2 0x92000047', registers: { ...GUEST_AT, esr_el2: 0x9200_0047n }, call: 'MMIO access, no valid syndrome' },
];

/** Build one era's spec. */
function mmioSpec(spec: Omit<AbiSpec, 'family' | 'arch' | 'conduit' | 'origin' | 'selector' | 'priority' | 'calls' | 'examples'>, era: Arm64MmioEra, noSyndrome: string): Abi {
  return defineAbi({
    ...spec,
    family: 'kvm-arm64-mmio',
    arch: 'arm64',
    conduit: CONDUIT,
    origin: { privilege: ['kernel', 'user'], world: ['guest'] },
    selector: SELECTOR,
    priority: 0,
    calls: calls(era, noSyndrome),
    examples: EXAMPLES,
  });
}

/**
 * The arm64 order: kvm_handle_guest_abort skips cache maintenance outside
 * memory first, then io_mem_abort tests ISV, then decode_hsr tests S1PTW.
 * The release that added the cache-maintenance skip was not pinned (it is
 * in the v4.19 code and in the 2020 patches that refine it).
 */
const MAINTENANCE_FIRST = ['cache-maintenance', 'syndrome-valid', 'stage1-walk'] as const;

/** arm64 KVM up to v5.4: no decoder, ISV = 0 is −ENOSYS; SF not read. */
export const ARM64_V4_19_ERA: Arm64MmioEra = {
  era: { releases: 'v3.11–v5.4', checks: MAINTENANCE_FIRST, cacheMaintenance: 'skip-instruction', noSyndrome: { kind: 'fail', exit: 'KVM_RUN: -ENOSYS', message: 'io_mem_abort: kvm_err("load/store instruction decoding not implemented"); KVM_RUN fails and the VM stops' } },
  completion: 'sign-extend-to-64',
};
/** v5.6+ without `KVM_CAP_ARM_NISV_TO_USER`: SF read. */
export const ARM64_V5_6_ERA: Arm64MmioEra = {
  era: { releases: 'v5.6+', checks: MAINTENANCE_FIRST, cacheMaintenance: 'skip-instruction', noSyndrome: { kind: 'fail', exit: 'KVM_RUN: -ENOSYS', message: 'kvm_pr_unimpl("Data abort outside memslots with no valid syndrome info"); KVM_RUN fails and the VM stops' } },
  completion: 'register-width',
};
/** v5.6+ with `KVM_CAP_ARM_NISV_TO_USER` and QEMU as userspace. */
export const ARM64_V5_6_NISV_ERA: Arm64MmioEra = {
  era: {
    releases: 'v5.6+ with KVM_CAP_ARM_NISV_TO_USER',
    checks: MAINTENANCE_FIRST,
    cacheMaintenance: 'skip-instruction',
    noSyndrome: { kind: 'exit-to-userspace', exit: 'KVM_EXIT_ARM_NISV', capability: 'KVM_CAP_ARM_NISV_TO_USER', issMask: NISV_ISS_MASK, userspace: 'inject-external-abort' },
  },
  completion: 'register-width',
};

const PURPOSE = 'What KVM/arm64 does when a guest load or store faults at stage 2 outside the guest memory (emulated I/O): ESR_EL2 (EC 0x24) either describes the access (ISV = 1) or does not (ISV = 0). arm64 KVM never decoded instructions; what changed between eras is the answer to ISV = 0 and how a sign-extending load completes.';
const COMMON_NOTES = [
  'ISV = 1 path: CM = 1 outside memory skips the instruction ("assume that the guest is just being cautious"); S1PTW = 1 injects a data abort ("page table accesses IO mem: tell guest to fix its TTBR"); otherwise KVM_EXIT_MMIO with len = 1 << SAS (SAS = 3 is a doubleword on AArch64), is_write = WnR, the value of Xt (XZR as 0) for a write; the PC advances by 4 once the access completes.',
  'The fault IPA is (HPFAR_EL2 & HPFAR_MASK) << 8 | (FAR_EL2 & 0xFFF) (abi-facts §12.2).',
  'An injected data abort (inject_abt64): ELR_EL1 = PC, SPSR_EL1 = PSTATE, FAR_EL1 = FAR_EL2, ESR_EL1 = EC 0x25 from EL1 (0x24 from EL0) | IL | FSC 0x10, PSTATE = EL1h with DAIF masked, PC = VBAR_EL1 + 0x200 from EL1h (0x000 EL1t, 0x400 EL0, 0x600 AArch32).',
];

/** Every arm64 era, oldest first. */
export const KVM_ARM64_MMIO_ABIS: readonly Abi[] = [
  mmioSpec(
    {
      id: 'kvm-arm64-mmio-v4.19',
      era: 'v3.11–v5.4 (arm64 KVM before NISV and before the SF fix)',
      status: 'mainline',
      purpose: PURPOSE,
      source: {
        document: 'v4.19.149 virt/kvm/arm/mmio.c (io_mem_abort, decode_hsr) as it was before its stable backport of "KVM: arm64: Only sign-extend MMIO up to register width" (20191212195055.5541-1-christoffer.dall@arm.com, merged for v5.6, Cc stable), which shows the code it replaced',
        version: 'v4.19',
        note: 'Modelled on the v4.19 code; the earliest arm64 releases (v3.11 on) were not read and may differ in detail. v5.5 added the NISV exit but still sign-extended W loads to 64 bits; that combination has no spec of its own.',
      },
      notes: [...COMMON_NOTES, 'Read completion: with SSE and len < 8, mask = 1 << (len*8 - 1); data = (data ^ mask) - mask, and SF is not read: ldrsh w1 of 0x8001 leaves x1 = 0xffffffffffff8001, where the architecture writes 0x00000000ffff8001 to a W register.', 'ISV = 0: io_mem_abort returns -ENOSYS ("load/store instruction decoding not implemented"), KVM_RUN fails, the VM stops.'],
    },
    ARM64_V4_19_ERA,
    'ISV = 0: KVM_RUN returns -ENOSYS ("load/store instruction decoding not implemented"): the VM stops',
  ),
  mmioSpec(
    {
      id: 'kvm-arm64-mmio-v5.6',
      era: 'v5.6+ (KVM_CAP_ARM_NISV_TO_USER not enabled)',
      status: 'mainline',
      purpose: PURPOSE,
      source: { document: 'torvalds/linux:arch/arm64/kvm/mmio.c @022c8328 (kvm_handle_mmio_return, io_mem_abort); C. Dall, "KVM: arm64: Only sign-extend MMIO up to register width" (v5.6)', version: 'v5.6' },
      notes: [...COMMON_NOTES, 'Read completion: sign-extended as before, then "if (!SF) data &= 0xffffffff": a W register gets its 32-bit value zero-extended.', 'ISV = 0 without the capability: kvm_pr_unimpl("Data abort outside memslots with no valid syndrome info"), KVM_RUN returns -ENOSYS.'],
    },
    ARM64_V5_6_ERA,
    'ISV = 0 without KVM_CAP_ARM_NISV_TO_USER: KVM_RUN returns -ENOSYS: the VM stops',
  ),
  mmioSpec(
    {
      id: 'kvm-arm64-mmio-v5.6-nisv',
      era: 'v5.6+ with KVM_CAP_ARM_NISV_TO_USER (177), QEMU userspace',
      status: 'mainline',
      purpose: PURPOSE,
      source: {
        document: 'torvalds/linux:arch/arm64/kvm/mmio.c @022c8328 (io_mem_abort: KVM_EXIT_ARM_NISV with esr_iss and fault_ipa); include/uapi/linux/kvm.h (KVM_EXIT_ARM_NISV 28, KVM_CAP_ARM_NISV_TO_USER 177, KVM_CAP_ARM_INJECT_EXT_DABT 178); QEMU target/arm/kvm.c (kvm_arm_handle_dabt_nisv → ext_dabt_pending); U-Boot "arm: io.h: Fix io accessors for KVM"',
        version: 'v5.6',
      },
      notes: [
        ...COMMON_NOTES,
        'ISV = 0 with the capability: exit KVM_EXIT_ARM_NISV with arm_nisv.esr_iss = ISS & (CM | WnR | FSC) and arm_nisv.fault_ipa; KVM does not skip the instruction. QEMU (with KVM_CAP_ARM_INJECT_EXT_DABT) sets ext_dabt_pending: the guest takes a synchronous external abort at the same instruction, ESR_EL1 0x96000010 from EL1 (U-Boot: "Synchronous Abort … esr 0x96000010").',
      ],
    },
    ARM64_V5_6_NISV_ERA,
    'ISV = 0 with KVM_CAP_ARM_NISV_TO_USER: KVM_EXIT_ARM_NISV (ISS & (CM|WnR|FSC), fault IPA) to userspace; QEMU injects a synchronous external data abort',
  ),
];
