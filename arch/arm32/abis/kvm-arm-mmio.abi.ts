/**
 * KVM/ARM's MMIO emulation as an ABI between the guest's load or store,
 * the HSR and the hypervisor: a guest access outside its memory slots is a
 * stage-2 data abort taken to Hyp (HSR EC 0x24, HDFAR, HPFAR), and what
 * KVM does with it changed by era. Each era is a spec on the `data-abort`
 * conduit, selected by the HSR: ISV = 1 (the syndrome describes the access)
 * or ISV = 0 (it does not). The decision is the general
 * {@link resolveDataAbort} over each era's {@link MmioEra}; this file adds
 * what is ARMv7's: the HSR layout, the banked registers, the A32 decoder of
 * the pre-merge trees (`mmio-instruction-decoder.ts`) and the abort
 * injection into the guest.
 *
 * Facts: abi-facts §12 (12.1 HSR fields, 12.3 eras, 12.5 worked
 * syndromes, 12.6 stop-the-world, 12.7 scenarios); v3.9 tree
 * `arch/arm/kvm/mmio.c`; virtualopensystems/linux-kvm-arm
 * `arch/arm/kvm/emulate.c` @02b4bc95 (`kvm_emulate_mmio_ls`,
 * `copy_current_insn`, `inject_abt`); C. Dall's v5.5 NISV patch; QEMU
 * `target/arm/kvm.c` (NISV → `ext_dabt_pending`).
 *
 * @module
 */

import { defineAbi, RETURN, reg, returnIn, type Abi, type AbiSpec, type CallContext, type CallSpec, type RegisterHandle, type SpecOutcome } from '../../../src/abi/spec.ts';
import { completeRead, decodeDataAbort, faultIpa32, NO_SYNDROME_RANGES, SYNDROME_VALID_RANGES, type DataAbortLayout } from '../../../src/mmio/data-abort.ts';
import { NISV_ISS_MASK, resolveDataAbort, type InstructionDecode, type MmioEra, type MmioPlan } from '../../../src/mmio/mmio-era.ts';
import { decodePreMergeArm } from './mmio-instruction-decoder.ts';
import { ELR_HYP } from './spec-registers.ts';

/** The ARMv7 HSR as a data-abort syndrome (abi-facts §12.1): SRT bits 19:16, no SF or AR, SAS = 3 reserved, SRT 15 the PC. */
export const ARM32_DATA_ABORT_LAYOUT: DataAbortLayout = { register: 'HSR', srtBits: 4, sixtyFourBitFields: false, sas3: 'reserved', pcRegister: 15, registerBits: 32 };

/** `KVM_CAP_ARM_NISV_TO_USER` (v5.7 tree `include/uapi/linux/kvm.h`; the posted patch used 176, the merged value is 177). */
export const KVM_CAP_ARM_NISV_TO_USER = 177n;
/** `KVM_EXIT_ARM_NISV` (same header). */
export const KVM_EXIT_ARM_NISV = 28n;
/** `KVM_CAP_ARM_INJECT_EXT_DABT` (same header), what QEMU needs to answer an NISV exit with an abort. */
export const KVM_CAP_ARM_INJECT_EXT_DABT = 178n;
/** −ENOSYS, what `KVM_RUN` returns for an access with no valid syndrome (include/uapi/asm-generic/errno.h: ENOSYS 38). */
export const ENOSYS = 38n;

const HSR = reg('hsr');
const HDFAR = reg('hdfar');
const HPFAR = reg('hpfar');
const SPSR_HYP = reg('spsr_hyp');
const SCTLR = reg('sctlr');
const TTBCR = reg('ttbcr');
const VBAR = reg('vbar');
const DFAR = reg('dfar');
const DFSR = reg('dfsr');
const IFAR = reg('ifar');
const IFSR = reg('ifsr');
const SPSR_ABT = reg('spsr_abt');
const LR_ABT = reg('lr_abt');

/** r0–r12 by number (r8–r12 as the non-FIQ modes see them). */
const LOW_REGISTERS: readonly RegisterHandle[] = Array.from({ length: 13 }, (_, i) => reg(`r${i}`));
const FIQ_HIGH: readonly RegisterHandle[] = [8, 9, 10, 11, 12].map((i) => reg(`r${i}_fiq`));

/** CPSR.M values (ARM ARM B1.3.1) → the bank suffix of SP and LR. */
const BANK_OF_MODE: Readonly<Record<number, string>> = { 0x10: 'usr', 0x11: 'fiq', 0x12: 'irq', 0x13: 'svc', 0x17: 'abt', 0x1b: 'und', 0x1f: 'usr' };
const SP_OF_MODE = new Map(Object.entries(BANK_OF_MODE).map(([mode, bank]) => [Number(mode), reg(`sp_${bank}`)]));
const LR_OF_MODE = new Map(Object.entries(BANK_OF_MODE).map(([mode, bank]) => [Number(mode), reg(`lr_${bank}`)]));

/** The guest's register `n` (0–14) as the mode it trapped from sees it (KVM's `vcpu_reg`). */
function guestRegister(n: number, mode: number): RegisterHandle {
  if (n === 13) return SP_OF_MODE.get(mode) ?? SP_OF_MODE.get(0x13)!;
  if (n === 14) return LR_OF_MODE.get(mode) ?? LR_OF_MODE.get(0x13)!;
  if (mode === 0x11 && n >= 8) return FIQ_HIGH[n - 8]!;
  return LOW_REGISTERS[n]!;
}

const PSR_T = 1 << 5;
const PSR_C = 1 << 29;
const MODE_ABT = 0x17;
const PSR_I = 1 << 7;
const PSR_A = 1 << 8;
const PSR_E = 1 << 9;
const PSR_J = 1 << 24;
/** IT[7:0] in CPSR[26:25] and [15:10]. */
const PSR_IT = (3 << 25) | (0x3f << 10);
const SCTLR_M = 1 << 0;
const SCTLR_V = 1 << 13;
const SCTLR_EE = 1 << 25;
const SCTLR_TE = 1 << 30;
const TTBCR_EAE = 1 << 31;

/** Vector offsets (ARM ARM B1.8.1). */
const PREFETCH_ABORT_VECTOR = 0x0c;
const DATA_ABORT_VECTOR = 0x10;

/** How an era's injected abort sets the guest's LR and fault status. */
interface Injection {
  /** Added to the faulting instruction's address for LR_abt, ARM and Thumb state. */
  readonly lrOffset: { readonly arm: number; readonly thumb: number };
  /** DFSR/IFSR for KVM's own aborts (short descriptor, LPAE). */
  readonly status: { readonly short: number; readonly long: number };
  /** Where the values come from. */
  readonly why: string;
}

/**
 * The 2012–v3.9 `inject_abt`: LR = PC + (Thumb ? 4 : 0), which is not the
 * ARM ARM's PC + 8 for a data abort (B1.8.3; fixed in later kernels with a
 * table of return offsets), and "Always give debug fault for now":
 * DFSR = 2 (short) or 1 << 9 | 0x22 (LPAE).
 */
const EARLY_INJECTION: Injection = { lrOffset: { arm: 0, thumb: 4 }, status: { short: 2, long: (1 << 9) | 0x22 }, why: 'inject_abt of the 2012–v3.9 trees: LR = PC + (Thumb ? 4 : 0), DFSR a debug event' };

/**
 * The v5.5+ `inject_abt32` (virt/kvm/arm/aarch32.c, after "KVM: arm/arm64:
 * Unify 32bit fault injection"), which KVM's own injections and QEMU's
 * `ext_dabt_pending` both go through: the return-offset table's
 * LR = PC + 8 (ARM ARM B1.8.3), and an external abort
 * (`DFSR_FSC_EXTABT_nLPAE` 0x08; `DFSR_LPAE | DFSR_FSC_EXTABT_LPAE`).
 * v5.5.0–v5.5.4 wrote 0x14 (a "lock abort") / 1 << 9 | 0x34 instead,
 * fixed by J. Morse in January 2020 (the "5.5..5.5.4" AArch32 bug QEMU
 * checks the injection for); the fixed values are modelled.
 */
const EXTERNAL_INJECTION: Injection = { lrOffset: { arm: 8, thumb: 8 }, status: { short: 0x08, long: (1 << 9) | 0x10 }, why: 'v5.5+ inject_abt32: LR = PC + 8, DFSR an external abort (0x08; LPAE 0x210)' };

/** Enter the guest's abort mode at its data or prefetch abort vector, as `inject_abt` does (TakeDataAbortException). */
function injectAbort(call: CallContext, prefetch: boolean, injection: Injection): void {
  const cpsr = call.u32(SPSR_HYP);
  const sctlr = call.u32(SCTLR);
  const thumb = (cpsr & PSR_T) !== 0;
  const pc = call.u32(ELR_HYP);
  let next = ((cpsr & ~0x1f) | MODE_ABT | PSR_I | PSR_A) & ~(PSR_IT | PSR_J | PSR_E | PSR_T);
  if ((sctlr & SCTLR_TE) !== 0) next |= PSR_T;
  if ((sctlr & SCTLR_EE) !== 0) next |= PSR_E;
  call.setU32(SPSR_ABT, cpsr);
  call.setU32(LR_ABT, pc + (thumb ? injection.lrOffset.thumb : injection.lrOffset.arm));
  const base = (sctlr & SCTLR_V) !== 0 ? 0xffff_0000 : call.u32(VBAR);
  const status = (call.u32(TTBCR) & TTBCR_EAE) !== 0 ? injection.status.long : injection.status.short;
  if (prefetch) {
    call.setU32(IFAR, call.u32(HDFAR));
    call.setU32(IFSR, status);
  } else {
    call.setU32(DFAR, call.u32(HDFAR));
    call.setU32(DFSR, status);
  }
  // The exception return of the handler then enters the guest's abort mode at its vector.
  call.setU32(ELR_HYP, base + (prefetch ? PREFETCH_ABORT_VECTOR : DATA_ABORT_VECTOR));
  call.setU32(SPSR_HYP, next >>> 0);
}

const INTO_DATA_ABORT = returnIn('abt', 'KVM injected a data abort: the guest resumes in Abort mode at its data-abort vector');
const INTO_PREFETCH_ABORT = returnIn('abt', 'KVM injected a prefetch abort: the guest resumes in Abort mode at its prefetch-abort vector');
const INTO_EXTERNAL_ABORT = returnIn('abt', 'QEMU injected a synchronous external abort: the guest resumes in Abort mode at its data-abort vector');

/** The offset of the Hyp trap vector in the Hyp vector table (ARM ARM B1.8.1, Table B1-3), where a data abort from a guest enters. */
const HYP_TRAP_VECTOR = 0x14;
const HVBAR = reg('hvbar');
/** No translated PC is waiting to be read (an IPA is at most 40 bits, never all ones). */
const NO_FETCH = -1n;

/** The hypervisor state key of the IPA that vCPU `n`'s pending 2012 fetch translated and has not read yet. */
export function pendingFetchKey(n: number): string {
  return `kvm-arm-mmio.fetch-ipa.vcpu${n}`;
}

/**
 * The PC's IPA, as `__kvm_va_to_pa` (ATS1CPR, then PAR) gives it: with the
 * guest's stage 1 off the IPA is the VA; with it on, the call context gives
 * no translation: the fetch fails as a PAR.F = 1 would (a reason string).
 */
function translatePc(call: CallContext): bigint | string {
  if ((call.u32(SCTLR) & SCTLR_M) !== 0) return 'the guest MMU is on and the model has no AT operation in the hypervisor yet: PAR.F = 1, "IO abort from invalid instruction address"';
  return BigInt(call.u32(ELR_HYP));
}

/** Read the instruction word at `ipa` (`kvm_read_guest`) and decode it with the pre-merge A32 decoder. */
function readAndDecode(call: CallContext, ipa: bigint, mode: number): InstructionDecode {
  const word = call.memory.read(ipa, 4);
  if (word === undefined) return { kind: 'fetch-failed', reason: `kvm_read_guest of 0x${ipa.toString(16)} failed` };
  return decodePreMergeArm(Number(word), { read: (n) => call.u32(guestRegister(n, mode)), carry: (call.u32(SPSR_HYP) & PSR_C) !== 0 });
}

/**
 * The trapping instruction, fetched as the era fetches it, and decoded; or,
 * for the 2012 fetch on a machine with several vCPUs, the translation only:
 * the IPA is kept in `call.state` under {@link pendingFetchKey} and
 * `'deferred'` returned, and the call that re-enters the trap vector reads
 * the word at that IPA (whatever another vCPU wrote there meanwhile). The
 * stop-the-world fetch, and any fetch on one vCPU, translates and reads in
 * this one call: no other vCPU runs in between.
 */
function fetchAndDecode(call: CallContext, era: MmioEra, mode: number): InstructionDecode | 'deferred' {
  const cpsr = call.u32(SPSR_HYP);
  if ((cpsr & PSR_T) !== 0) return { kind: 'refused', instruction: 0, reason: 'a Thumb instruction: the model has the A32 decoder only (the source also decodes some 32-bit Thumb stores and loads)' };
  const vcpus = call.vcpus;
  const key = pendingFetchKey(vcpus?.self ?? 0);
  const saved = call.state.get(key, NO_FETCH);
  if (saved !== NO_FETCH) {
    call.state.set(key, NO_FETCH);
    return readAndDecode(call, saved, mode);
  }
  const ipa = translatePc(call);
  if (typeof ipa === 'string') return { kind: 'fetch-failed', reason: ipa };
  const split = era.noSyndrome.kind === 'decode-instruction' && era.noSyndrome.fetch === 'translate-then-read' && vcpus !== undefined && vcpus.count > 1;
  if (split) {
    call.state.set(key, ipa);
    return 'deferred';
  }
  return readAndDecode(call, ipa, mode);
}

/** Do the access of `plan` at `ipa` through the context's memory (a device answers) and complete it as KVM does. */
function emulate(call: CallContext, plan: MmioPlan, ipa: bigint, mode: number): void {
  // The decoder's writeback happens at decode time, before the access (decode_arm_wb).
  if (plan.writeback !== undefined) call.setU32(guestRegister(plan.writeback.register, mode), plan.writeback.value);
  const rt = guestRegister(plan.rt, mode);
  if (plan.direction === 'write') {
    let value = BigInt(call.u32(rt));
    // A doubleword pair: Rt the low word, Rt2 the high (the pre-merge completion of 8-byte accesses was not read: the architectural order is assumed).
    if (plan.rt2 !== undefined) value |= BigInt(call.u32(guestRegister(plan.rt2, mode))) << 32n;
    // A write no device claims goes to userspace, which drops it (QEMU: an unassigned address).
    call.memory.write(ipa, plan.length, value);
  } else {
    // A read no device claims reads as 0 (QEMU: an unassigned address).
    const data = call.memory.read(ipa, plan.length) ?? 0n;
    if (plan.rt2 !== undefined) {
      call.setU32(rt, Number(data & 0xffff_ffffn));
      call.setU32(guestRegister(plan.rt2, mode), Number((data >> 32n) & 0xffff_ffffn));
    } else {
      call.setU32(rt, Number(completeRead(data, plan.length, plan.signExtend, plan.sixtyFourBit, ARM32_DATA_ABORT_LAYOUT)));
    }
  }
}

const FETCH_DEFERRED = 'the PC translated to an IPA (kept in the hypervisor state), the instruction not read yet: the handler re-enters the Hyp trap vector, and other vCPUs may run before the read';

/** The semantics of one era, for both calls (the HSR says which path). */
function mmioSemantics(era: MmioEra, injectedAbort: Injection): (call: CallContext) => SpecOutcome {
  return (call) => {
    const syndrome = decodeDataAbort(call.u32(HSR), ARM32_DATA_ABORT_LAYOUT);
    const mode = call.u32(SPSR_HYP) & 0x1f;
    let deferred = false;
    const resolution = resolveDataAbort(era, syndrome, ARM32_DATA_ABORT_LAYOUT, () => {
      const fetched = fetchAndDecode(call, era, mode);
      if (fetched !== 'deferred') return fetched;
      deferred = true;
      // What the resolution makes of this is not used: the call jumps instead.
      return { kind: 'fetch-failed', reason: 'translated, not read yet' };
    });
    // The 2012 fetch between its translation and its read: back to the trap vector, where the scheduler may run other vCPUs first.
    if (deferred) return { kind: 'jump', target: (call.u32(HVBAR) + HYP_TRAP_VECTOR) >>> 0, note: FETCH_DEFERRED };
    switch (resolution.kind) {
      case 'emulate':
        emulate(call, resolution.plan, BigInt(faultIpa32(call.u32(HPFAR), call.u32(HDFAR))), mode);
        call.setU32(ELR_HYP, call.u32(ELR_HYP) + resolution.plan.instructionBytes);
        return RETURN;
      case 'skip':
        call.setU32(ELR_HYP, call.u32(ELR_HYP) + resolution.instructionBytes);
        return RETURN;
      case 'inject-data-abort':
        injectAbort(call, false, injectedAbort);
        return INTO_DATA_ABORT;
      case 'inject-prefetch-abort':
        injectAbort(call, true, injectedAbort);
        return INTO_PREFETCH_ABORT;
      case 'inject-external-abort':
        injectAbort(call, false, EXTERNAL_INJECTION);
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
  { register: 'hsr', role: 'syndrome' },
  { register: 'hdfar', role: 'fault VA' },
  { register: 'hpfar', role: 'fault IPA page' },
  { register: 'elr_hyp', role: 'faulting PC' },
  { register: 'spsr_hyp', role: 'guest CPSR' },
];

/**
 * The ISV = 1 semantics, one function per (checks, cache maintenance,
 * injection): the syndrome-valid path never reaches an era's ISV = 0
 * handling, so eras that differ only there share it, and the dispatcher
 * runs it once per trap for all of them (its twins).
 */
const SYNDROME_VALID = new Map<string, (call: CallContext) => SpecOutcome>();

function syndromeValidSemantics(era: MmioEra, injection: Injection): (call: CallContext) => SpecOutcome {
  const key = `${era.checks.join(',')}|${era.cacheMaintenance}|${injection.why}`;
  let run = SYNDROME_VALID.get(key);
  if (run === undefined) {
    run = mmioSemantics(era, injection);
    SYNDROME_VALID.set(key, run);
  }
  return run;
}

function calls(era: MmioEra, injection: Injection, noSyndrome: string): readonly CallSpec[] {
  return [
    {
      name: 'MMIO access, syndrome valid',
      select: SYNDROME_VALID_RANGES,
      summary: 'ISV = 1: the HSR describes the access; KVM_EXIT_MMIO, a device answers, a load completes into Rt (SSE sign-extends), the PC advances by 2 or 4 (IL). CM, S1PTW, SAS = 3 and Rt = PC are refused as the era does',
      args: ARGS,
      results: [{ register: 'elr_hyp', role: 'the next instruction (or the guest vector of an injected abort); a load also writes Rt (the SRT register)' }],
      meaning: 'mmio-syndrome-valid',
      run: syndromeValidSemantics(era, injection),
    },
    {
      name: 'MMIO access, no valid syndrome',
      select: NO_SYNDROME_RANGES,
      summary: noSyndrome,
      args: ARGS,
      meaning: `mmio-no-syndrome`,
      run: mmioSemantics(era, injection),
    },
  ];
}

const CONDUIT = { instruction: 'data-abort', imm: 0n } as const;
const ORIGIN = { privilege: ['kernel', 'user'], world: ['guest'] } as const;
const SELECTOR = { register: 'hsr', width: 32 } as const;

/** The worked syndromes of abi-facts §12.5 and §12.7 as examples (IPA 0x09000000 + offset; the guest in SVC). */
const STR_EXAMPLE = { title: 'A32 str r1, [r0] (e5801000) to a device at IPA 0x09000000: HSR 0x93810047', registers: { hsr: 0x9381_0047n, hdfar: 0x0900_0000n, hpfar: 0x0009_0000n, elr_hyp: 0x8000_0100n, spsr_hyp: 0x1d3n, r0: 0x0900_0000n, r1: 0x41n }, call: 'MMIO access, syndrome valid' };
const GUEST_AT = { hdfar: 0x0900_0000n, hpfar: 0x0009_0000n, elr_hyp: 0x8000_0100n, spsr_hyp: 0x1d3n, r0: 0x0900_0000n } as const;
const LDRSH_EXAMPLE = { title: 'A32 ldrsh r1, [r0] (e1d010f0): ISV = 1, SAS halfword, SSE, HSR 0x93610007', registers: { ...GUEST_AT, hsr: 0x9361_0007n }, call: 'MMIO access, syndrome valid' };
const CM_EXAMPLE = { title: 'cache maintenance by VA on MMIO (CM = 1, WnR = 1): HSR 0x93810147', registers: { ...GUEST_AT, hsr: 0x9381_0147n }, call: 'MMIO access, syndrome valid' };
const CM_NO_SYNDROME_EXAMPLE = { title: 'cache maintenance by VA on MMIO reported with ISV = 0 (CM = 1, WnR = 1): HSR 0x92000147', registers: { ...GUEST_AT, hsr: 0x9200_0147n }, call: 'MMIO access, no valid syndrome' };
const S1PTW_EXAMPLE = { title: 'a stage-1 table walk into MMIO (S1PTW = 1): HSR 0x938100c7', registers: { ...GUEST_AT, hsr: 0x9381_00c7n }, call: 'MMIO access, syndrome valid' };
const SAS3_EXAMPLE = { title: 'SAS = 3, reserved on ARMv7 (fault injection): HSR 0x93c10007', registers: { ...GUEST_AT, hsr: 0x93c1_0007n }, call: 'MMIO access, syndrome valid' };
const PC_EXAMPLE = { title: 'A32 ldr pc, [r0] (e590f000): ISV = 1, SRT = 15, HSR 0x938f0007', registers: { ...GUEST_AT, hsr: 0x938f_0007n }, call: 'MMIO access, syndrome valid' };
const STM_EXAMPLE = { title: 'A32 stm r0, {r1, r2} (e8800006) to a device: ISV = 0, HSR 0x92000047', registers: { hsr: 0x9200_0047n, hdfar: 0x0900_0000n, hpfar: 0x0009_0000n, elr_hyp: 0x8000_0100n, spsr_hyp: 0x1d3n, r0: 0x0900_0000n }, call: 'MMIO access, no valid syndrome' };

/** Build one era's spec. */
function mmioSpec(spec: Omit<AbiSpec, 'family' | 'arch' | 'conduit' | 'origin' | 'selector' | 'priority' | 'calls' | 'examples'>, era: MmioEra, injection: Injection, noSyndrome: string): Abi {
  return defineAbi({
    ...spec,
    family: 'kvm-arm-mmio',
    arch: 'arm32',
    conduit: CONDUIT,
    origin: { privilege: [...ORIGIN.privilege], world: [...ORIGIN.world] },
    selector: SELECTOR,
    priority: 0,
    calls: calls(era, injection, noSyndrome),
    examples: [STR_EXAMPLE, LDRSH_EXAMPLE, PC_EXAMPLE, CM_EXAMPLE, CM_NO_SYNDROME_EXAMPLE, S1PTW_EXAMPLE, SAS3_EXAMPLE, STM_EXAMPLE],
  });
}

/** v3.9's order: `io_mem_abort` tests ISV, then `decode_hsr` CM and S1PTW (abi-facts §12.3). */
const SYNDROME_FIRST = ['syndrome-valid', 'cache-maintenance', 'stage1-walk'] as const;
/** v5.5's: `kvm_handle_guest_abort` skips cache maintenance outside memory, then `io_mem_abort` tests ISV, then S1PTW. */
const MAINTENANCE_FIRST = ['cache-maintenance', 'syndrome-valid', 'stage1-walk'] as const;

/** Pre-merge trees (2012): translate the PC at trap time, read the instruction later, decode it. */
export const PRE_MERGE_ERA: MmioEra = { releases: '2012 pre-merge KVM/ARM trees', checks: SYNDROME_FIRST, cacheMaintenance: 'inject-data-abort', noSyndrome: { kind: 'decode-instruction', fetch: 'translate-then-read' } };
/** The Virtual Open Systems tree of January 2013: the same decoder, the fetch done with every vCPU paused. */
export const STOP_THE_WORLD_ERA: MmioEra = { releases: 'Jan 2013 Virtual Open Systems tree', checks: SYNDROME_FIRST, cacheMaintenance: 'inject-data-abort', noSyndrome: { kind: 'decode-instruction', fetch: 'stop-the-world' } };
/** Mainline v3.9–v5.4: no decoder. */
export const MAINLINE_V3_9_ERA: MmioEra = { releases: 'v3.9–v5.4', checks: SYNDROME_FIRST, cacheMaintenance: 'inject-data-abort', noSyndrome: { kind: 'fail', exit: 'KVM_RUN: -ENOSYS', message: 'io_mem_abort: kvm_err("load/store instruction decoding not implemented"); KVM_RUN fails and the VM stops' } };
/** v5.5+ without `KVM_CAP_ARM_NISV_TO_USER`. */
export const V5_5_ERA: MmioEra = { releases: 'v5.5+', checks: MAINTENANCE_FIRST, cacheMaintenance: 'skip-instruction', noSyndrome: { kind: 'fail', exit: 'KVM_RUN: -ENOSYS', message: 'kvm_pr_unimpl("Data abort outside memslots with no valid syndrome info"); KVM_RUN fails and the VM stops' } };
/** v5.5+ with `KVM_CAP_ARM_NISV_TO_USER` enabled and QEMU as userspace. */
export const V5_5_NISV_ERA: MmioEra = {
  releases: 'v5.5+ with KVM_CAP_ARM_NISV_TO_USER',
  checks: MAINTENANCE_FIRST,
  cacheMaintenance: 'skip-instruction',
  noSyndrome: { kind: 'exit-to-userspace', exit: 'KVM_EXIT_ARM_NISV', capability: 'KVM_CAP_ARM_NISV_TO_USER', issMask: NISV_ISS_MASK, userspace: 'inject-external-abort' },
};

const PURPOSE = 'What KVM/ARM does when a guest load or store faults at stage 2 outside the guest memory (emulated I/O): the HSR (EC 0x24) either describes the access (ISV = 1) or does not (ISV = 0), and the answer to ISV = 0 is what changed between eras.';
const COMMON_NOTES = [
  'ISV = 1 path, in the order of v3.9 decode_hsr: CM = 1 injects a data abort; S1PTW = 1 injects a data abort ("page table accesses IO mem: tell guest to fix its TTBR"); SAS = 3 is reserved on ARMv7 ("Hardware is weird"), KVM_RUN returns -EFAULT; SRT = 15 injects a prefetch abort; otherwise the instruction is skipped first and KVM_EXIT_MMIO goes to the device model.',
  'Read completion (kvm_handle_mmio_return): with SSE and len < 4, mask = 1 << (len*8 - 1); data = (data ^ mask) - mask; the value goes to Rt (the banked SP or LR of the guest mode for Rt = 13 or 14).',
  'The fault IPA is (HPFAR & ~0xF) << 8 | (HDFAR & 0xFFF) (abi-facts §12.2).',
];

/** Every era, oldest first. */
export const KVM_ARM_MMIO_ABIS: readonly Abi[] = [
  mmioSpec(
    {
      id: 'kvm-arm-mmio-pre-merge',
      era: '2012 (pre-merge KVM/ARM trees)',
      status: 'out-of-tree',
      purpose: PURPOSE,
      source: {
        document: 'virtualopensystems/linux-kvm-arm:arch/arm/kvm/emulate.c @02b4bc95 (arm_instr, kvm_emulate_mmio_ls, inject_abt); kernelorg-mirror/linux_kernel_git_rusty_linux-kvm-arm:arch/arm/kvm/emulate.c @3891642a',
        version: 'pre-merge 2012',
        note: 'The ISV = 1 checks are taken as v3.9 decode_hsr: the pre-merge mmu.c was not read.',
      },
      notes: [
        ...COMMON_NOTES,
        'ISV = 0: the PC is translated (AT, PAR) at trap time and the instruction read later: a time-of-check/time-of-use window another vCPU can race (abi-facts §12.6). On a machine of several vCPUs the model keeps the IPA in the hypervisor state and re-enters the Hyp trap vector between the two, so other vCPUs may run before the read (scenario mmio-fetch-race-pre-merge); on one vCPU both happen in one call. The A32 decoder (arm_instr) takes single word/byte loads and stores with writeback, the extra loads and stores (halfword, signed, LDRD/STRD, unprivileged halfword forms); LDM/STM, exclusives, Rt or Rn = PC and P = 1, W = 0 are refused and a data abort is injected. A register offset shifted by more than 5 hits BUG_ON in the decoder.',
        'Injected aborts use this era\'s inject_abt: LR_abt = PC + (Thumb ? 4 : 0), not the ARM ARM\'s PC + 8, and DFSR = 2 (a debug event, "should give guest a clue").',
      ],
    },
    PRE_MERGE_ERA,
    EARLY_INJECTION,
    'ISV = 0: fetch the instruction (PC translated with AT/PAR, then read), decode it with the pre-merge A32 decoder, emulate it with its writeback; what the decoder refuses gets a data abort injected',
  ),
  mmioSpec(
    {
      id: 'kvm-arm-mmio-pre-merge-stw',
      era: 'Jan 2013 (pre-merge, stop-the-world fetch)',
      status: 'out-of-tree',
      purpose: PURPOSE,
      source: { document: 'virtualopensystems/linux-kvm-arm:arch/arm/kvm/emulate.c @02b4bc95 (copy_current_insn)', version: 'pre-merge Jan 2013', note: 'The ISV = 1 checks are taken as v3.9 decode_hsr: the pre-merge mmu.c was not read.' },
      notes: [
        ...COMMON_NOTES,
        'ISV = 0: as the 2012 trees, but copy_current_insn takes mmu_lock, sets pause on every vCPU, IPIs the ones in guest mode, translates the PC (__kvm_va_to_pa) and reads the instruction, then unpauses: no other vCPU runs between the translation and the read. A failed read re-enters the guest to retry ("SMP race?"). On one vCPU it behaves as the 2012 trees.',
      ],
    },
    STOP_THE_WORLD_ERA,
    EARLY_INJECTION,
    'ISV = 0: stop every vCPU, translate the PC and read the instruction, resume them; decode it with the pre-merge A32 decoder and emulate it; what the decoder refuses gets a data abort injected',
  ),
  mmioSpec(
    {
      id: 'kvm-arm-mmio-v3.9',
      era: 'v3.9–v5.4',
      status: 'mainline',
      purpose: PURPOSE,
      source: { document: 'v3.9 tree arch/arm/kvm/mmio.c (io_mem_abort, decode_hsr, kvm_handle_mmio_return); merge commit 45e96ea6b369 "KVM: ARM: Handle I/O aborts"', version: 'v3.9', note: 'Later releases of the era skip cache maintenance in the abort handler before the syndrome is read (the v5.5 spec models that order); the release of that change was not pinned. A stage-1 walk into MMIO reports ISV = 0, so v3.9 fails it with -ENOSYS before decode_hsr could inject its data abort.' },
      notes: [...COMMON_NOTES, 'ISV = 0: no decoder in mainline ("patches are available elsewhere"): io_mem_abort returns -ENOSYS, KVM_RUN fails, the VM stops.'],
    },
    MAINLINE_V3_9_ERA,
    EARLY_INJECTION,
    'ISV = 0: KVM_RUN returns -ENOSYS ("load/store instruction decoding not implemented"): the VM stops',
  ),
  mmioSpec(
    {
      id: 'kvm-arm-mmio-v5.5',
      era: 'v5.5+ (KVM_CAP_ARM_NISV_TO_USER not enabled)',
      status: 'mainline',
      purpose: PURPOSE,
      source: { document: 'C. Dall, "KVM: arm/arm64: Allow reporting non-ISV data aborts to userspace" (v5.5); v5.7 tree virt/kvm/arm/mmio.c and mmu.c (kvm_handle_guest_abort)', version: 'v5.5' },
      notes: [
        ...COMMON_NOTES.slice(1),
        'Order: CM = 1 outside memory skips the instruction ("assume that the guest is just being cautious") before the syndrome is read; then ISV = 0 is refused; then S1PTW = 1 injects a data abort; then decode_hsr (SAS = 3, Rt = PC). A fault on a stage-1 walk has ISV = 0, so until the S1PTW check moved ahead of the ISV test in the abort handler (after v5.7; release not pinned) a page-table walk into MMIO ends as ISV = 0 does.',
        'ISV = 0 without the capability: kvm_pr_unimpl("Data abort outside memslots with no valid syndrome info"), KVM_RUN returns -ENOSYS.',
        'Aborts KVM injects go through inject_abt32: LR_abt = PC + 8 and DFSR = 0x08, an external abort (LPAE: 0x210). v5.5.0–v5.5.4 wrote DFSR = 0x14, a "lock abort", fixed in January 2020.',
      ],
    },
    V5_5_ERA,
    EXTERNAL_INJECTION,
    'ISV = 0 without KVM_CAP_ARM_NISV_TO_USER: KVM_RUN returns -ENOSYS: the VM stops',
  ),
  mmioSpec(
    {
      id: 'kvm-arm-mmio-v5.5-nisv',
      era: 'v5.5+ with KVM_CAP_ARM_NISV_TO_USER (177), QEMU userspace',
      status: 'mainline',
      purpose: PURPOSE,
      source: { document: 'C. Dall NISV patch (v5.5); v5.7 tree include/uapi/linux/kvm.h (KVM_EXIT_ARM_NISV 28, KVM_CAP_ARM_NISV_TO_USER 177, KVM_CAP_ARM_INJECT_EXT_DABT 178); QEMU target/arm/kvm.c (kvm_arm_handle_dabt_nisv)', version: 'v5.5' },
      notes: [
        ...COMMON_NOTES.slice(1),
        'ISV = 0 with the capability: exit KVM_EXIT_ARM_NISV with arm_nisv.esr_iss = ISS & (CM | WnR | FSC) and arm_nisv.fault_ipa; KVM does not skip the instruction. QEMU (with KVM_CAP_ARM_INJECT_EXT_DABT) sets ext_dabt_pending: the guest takes a synchronous external abort at the same instruction (U-Boot: "Synchronous Abort … esr 0x96000010" on arm64).',
      ],
    },
    V5_5_NISV_ERA,
    EXTERNAL_INJECTION,
    'ISV = 0 with KVM_CAP_ARM_NISV_TO_USER: KVM_EXIT_ARM_NISV (ISS & (CM|WnR|FSC), fault IPA) to userspace; QEMU injects a synchronous external data abort',
  ),
];
