/**
 * The AArch64 ESR_ELx decoder behind `hyplay syndrome arm64` (Arm ARM
 * DDI 0487 D13.2.37 ESR_EL2; abi-facts §6.4 and §12.1): the exception
 * classes by their Linux `esr.h` names, and for data aborts the ISS with
 * SRT[4:0], SF and AR, which the ARMv7 HSR lacks (backends never
 * import each other: arm32's HSR decoder is its own, in
 * `arch/arm32/syndrome.ts`).
 *
 * @module
 */

import type { DataTransfer } from '../../src/interp/step-result.ts';
import { levelledFaultStatus, type DecodedSyndrome, type SyndromeDecoder, type SyndromeField } from '../../src/interp/syndrome.ts';
import { EC_DATA_ABORT_LOWER, encodeDataAbort, type DataAbortLayout } from '../../src/mmio/data-abort.ts';

/** ESR_EL2's data-abort ISS layout (D13.2.37; abi-facts §12.1): SRT 5 bits, SF and AR, SAS = 3 a doubleword, no PC register. */
export const ESR_EL2_DATA_ABORT: DataAbortLayout = { register: 'ESR_EL2', srtBits: 5, sixtyFourBitFields: true, sas3: 'doubleword', pcRegister: undefined, registerBits: 64 };

/** What {@link stage2DataAbortSyndrome} needs of a faulting access. */
export interface Stage2DataAbort {
  /** The fault status code the stage-2 walk found (DFSC: type and level). */
  readonly dfsc: number;
  /** A write (WnR). */
  readonly write: boolean;
  /** Bytes accessed (1, 2, 4 or 8 when the syndrome is valid). */
  readonly size: number;
  /** The fault was on a stage-1 translation table walk's read (S1PTW). */
  readonly s1ptw: boolean;
  /** The single register the instruction moves, when its form gives a valid syndrome (`DataFaultTrap.transfer`). */
  readonly transfer: DataTransfer | undefined;
  /** An address translation instruction's walk faulted (`DataFaultTrap.maintenance`): CM = 1, WnR = 1. */
  readonly maintenance: boolean;
}

/**
 * ESR_EL2 for a stage-2 data abort from EL1 or EL0 (EC 0x24, IL = 1;
 * D13.2.37, ISS encoding for an exception from a Data Abort). ISV = 1 only
 * when the instruction gives a syndrome (`transfer`, see
 * `semantics/load-store.ts`) and the fault is not on a stage-1 walk: the
 * access that faulted is then the walk's, not the instruction's (the ARM
 * ARM's ISV rule names "stage 2 aborts" on the instruction's loads and
 * stores; KVM checks S1PTW before anything else, abi-facts §12.3). With
 * ISV = 1: SAS the size, SSE sign extension, SRT Rt, SF a 64-bit register,
 * AR acquire/release; with ISV = 0 bits 23:14 are 0. WnR is the access's
 * direction, on a walk too (the ARM ARM text at hand says nothing of WnR on
 * an S1PTW fault; KVM treats WnR as unreliable then, §12.1). CM is 1, and
 * WnR with it, for an address translation instruction (AT S1E1R/W at EL1,
 * whose walk faulted at stage 2; D13.2.37 CM: "a synchronous fault on the
 * execution of an address translation instruction"; WnR: 1 for faults on
 * cache maintenance and address translation instructions). DC ZVA is a
 * store for these bits, not cache maintenance (the ARM ARM does not class
 * it as one for CM); hyplay's cache maintenance by VA never faults. EA, an IMPLEMENTATION
 * DEFINED classification of external aborts, is set for a synchronous
 * external abort on the stage-2 walk (DFSC 0b0101ll), as hyplay's ARMv7
 * HSR does; FnV is 0 (FAR_EL2 is always valid here).
 */
export function stage2DataAbortSyndrome(access: Stage2DataAbort): number {
  const transfer = access.s1ptw ? undefined : access.transfer;
  const valid = transfer === undefined ? {} : { isv: 1, sas: access.size === 1 ? 0 : access.size === 2 ? 1 : access.size === 4 ? 2 : 3, sse: transfer.signExtend ? 1 : 0, srt: transfer.register, sf: transfer.wide ? 1 : 0, ar: transfer.acquireRelease ? 1 : 0 };
  return encodeDataAbort({ ec: EC_DATA_ABORT_LOWER, il: 1, ...valid, ea: (access.dfsc & 0x3c) === 0x14 ? 1 : 0, cm: access.maintenance ? 1 : 0, s1ptw: access.s1ptw ? 1 : 0, wnr: access.write || access.maintenance ? 1 : 0, dfsc: access.dfsc }, ESR_EL2_DATA_ABORT);
}

/** ESR_EL2 ISS bit 7, S1PTW, of an instruction abort (D13.2.37, ISS encoding for an exception from an Instruction Abort). */
export const IABT_S1PTW = 1 << 7;
/** ESR_EL2 ISS bit 9, EA, of an instruction abort. */
export const IABT_EA = 1 << 9;

/** ESR_ELx exception classes in words (abi-facts §6.4, Linux `esr.h`). */
export const ESR_CLASSES: ReadonlyMap<number, string> = new Map([
  [0x00, 'unknown reason (UNKNOWN)'],
  [0x01, 'WFI or WFE trapped (WFx)'],
  [0x03, 'MCR or MRC to CP15 from AArch32 trapped (CP15_32)'],
  [0x04, 'MCRR or MRRC to CP15 from AArch32 trapped (CP15_64)'],
  [0x05, 'MCR or MRC to CP14 from AArch32 trapped (CP14_MR)'],
  [0x06, 'LDC or STC to CP14 from AArch32 trapped (CP14_LS)'],
  [0x07, 'SVE, Advanced SIMD or floating point trapped (FP_ASIMD)'],
  [0x08, 'VMRS from AArch32 trapped (CP10_ID)'],
  [0x09, 'pointer authentication trapped (PAC)'],
  [0x0a, 'LS64 or other trapped instruction (OTHER)'],
  [0x0c, 'MRRC to CP14 from AArch32 trapped (CP14_64)'],
  [0x0d, 'branch target exception (BTI)'],
  [0x0e, 'illegal execution state (ILL)'],
  [0x11, 'SVC from AArch32 (SVC32)'],
  [0x12, 'HVC from AArch32 (HVC32)'],
  [0x13, 'SMC from AArch32 (SMC32)'],
  [0x15, 'SVC from AArch64 (SVC64)'],
  [0x16, 'HVC from AArch64 (HVC64)'],
  [0x17, 'SMC from AArch64 (SMC64)'],
  [0x18, 'MSR, MRS or system instruction trapped (SYS64)'],
  [0x19, 'SVE trapped (SVE)'],
  [0x1a, 'ERET trapped (FEAT_NV)'],
  [0x1c, 'pointer authentication failure (FPAC)'],
  [0x1d, 'SME trapped (SME)'],
  [0x1f, 'implementation defined (IMP_DEF)'],
  [0x20, 'instruction abort from a lower exception level (IABT_LOW)'],
  [0x21, 'instruction abort at the same exception level (IABT_CUR)'],
  [0x22, 'PC alignment fault (PC_ALIGN)'],
  [0x24, 'data abort from a lower exception level (DABT_LOW)'],
  [0x25, 'data abort at the same exception level (DABT_CUR)'],
  [0x26, 'SP alignment fault (SP_ALIGN)'],
  [0x27, 'memory copy or set instruction (MOPS)'],
  [0x28, 'floating-point exception from AArch32 (FP_EXC32)'],
  [0x2c, 'floating-point exception from AArch64 (FP_EXC64)'],
  [0x2d, 'guarded control stack (GCS)'],
  [0x2f, 'SError interrupt (SERROR)'],
  [0x30, 'breakpoint from a lower exception level (BREAKPT_LOW)'],
  [0x31, 'breakpoint at the same exception level (BREAKPT_CUR)'],
  [0x32, 'software step from a lower exception level (SOFTSTP_LOW)'],
  [0x33, 'software step at the same exception level (SOFTSTP_CUR)'],
  [0x34, 'watchpoint from a lower exception level (WATCHPT_LOW)'],
  [0x35, 'watchpoint at the same exception level (WATCHPT_CUR)'],
  [0x38, 'BKPT from AArch32 (BKPT32)'],
  [0x3a, 'vector catch from AArch32 (VECTOR32)'],
  [0x3c, 'BRK from AArch64 (BRK64)'],
]);

/** The DFSC/IFSC codes (abi-facts §12.1; D13.2.37). */
export function faultStatusMeaning(code: number): string {
  const levelled = levelledFaultStatus(code);
  if (levelled !== undefined) return levelled;
  const named: Readonly<Record<number, string>> = {
    0x10: 'synchronous external abort',
    0x11: 'synchronous tag check fault (MTE)',
    0x18: 'synchronous parity/ECC error on the access',
    0x21: 'alignment fault',
    0x30: 'TLB conflict abort',
    0x31: 'unsupported atomic hardware update',
    0x34: 'implementation defined (lockdown)',
    0x35: 'implementation defined (unsupported exclusive or atomic)',
  };
  return named[code] ?? 'reserved fault status';
}

function bitMeaning(on: boolean, yes: string, no: string): string {
  return on ? yes : no;
}

/** Decode an ESR_ELx value. */
export function decodeEsr(value: number): DecodedSyndrome {
  const v = value >>> 0;
  const ec = v >>> 26;
  const il = (v >>> 25) & 1;
  const bit = (n: number): number => (v >>> n) & 1;
  const className = ESR_CLASSES.get(ec);
  const summary = className ?? `exception class 0x${ec.toString(16).padStart(2, '0')} is not one the architecture defines (or hyplay does not know it)`;
  const fields: SyndromeField[] = [
    { name: 'ec', value: ec, meaning: summary },
    { name: 'il', value: il, meaning: il === 1 ? '32-bit instruction (or not an instruction-specific trap)' : '16-bit instruction' },
  ];
  if (ec === 0x24 || ec === 0x25) {
    const isv = bit(24);
    fields.push({ name: 'isv', value: isv, meaning: isv === 1 ? 'instruction syndrome valid: bits 23:14 describe the access' : 'no valid instruction syndrome: bits 23:14 are not valid (a hypervisor must decode the instruction itself)' });
    if (isv === 1) {
      const sas = (v >>> 22) & 3;
      const sf = bit(15);
      const srt = (v >>> 16) & 0x1f;
      fields.push({ name: 'sas', value: sas, meaning: `access size: ${['byte', 'halfword', 'word', 'doubleword'][sas]!}` });
      fields.push({ name: 'sse', value: bit(21), meaning: bitMeaning(bit(21) === 1, 'the load sign-extends', 'no sign extension') });
      fields.push({ name: 'srt', value: srt, meaning: `register transferred: ${srt === 31 ? (sf === 1 ? 'xzr' : 'wzr') : `${sf === 1 ? 'x' : 'w'}${srt}`}` });
      fields.push({ name: 'sf', value: sf, meaning: bitMeaning(sf === 1, '64-bit register', '32-bit register (KVM masks the data to 32 bits)') });
      fields.push({ name: 'ar', value: bit(14), meaning: bitMeaning(bit(14) === 1, 'acquire/release semantics', 'no acquire/release semantics') });
    }
    fields.push({ name: 'fnv', value: bit(10), meaning: bitMeaning(bit(10) === 1, 'FAR is not valid', 'FAR is valid') });
    fields.push({ name: 'ea', value: bit(9), meaning: bitMeaning(bit(9) === 1, 'external abort', 'not an external abort') });
    fields.push({ name: 'cm', value: bit(8), meaning: bitMeaning(bit(8) === 1, 'a cache maintenance or address translation instruction', 'not cache maintenance') });
    fields.push({ name: 's1ptw', value: bit(7), meaning: bitMeaning(bit(7) === 1, 'stage-2 fault on a stage-1 translation table walk', 'not on a stage-1 table walk') });
    fields.push({ name: 'wnr', value: bit(6), meaning: bitMeaning(bit(6) === 1, 'write', 'read') });
    fields.push({ name: 'dfsc', value: v & 0x3f, meaning: faultStatusMeaning(v & 0x3f) });
  } else if (ec === 0x20 || ec === 0x21) {
    fields.push({ name: 'fnv', value: bit(10), meaning: bitMeaning(bit(10) === 1, 'FAR is not valid', 'FAR is valid') });
    fields.push({ name: 'ea', value: bit(9), meaning: bitMeaning(bit(9) === 1, 'external abort', 'not an external abort') });
    fields.push({ name: 's1ptw', value: bit(7), meaning: bitMeaning(bit(7) === 1, 'stage-2 fault on a stage-1 translation table walk', 'not on a stage-1 table walk') });
    fields.push({ name: 'ifsc', value: v & 0x3f, meaning: faultStatusMeaning(v & 0x3f) });
  } else if ([0x11, 0x12, 0x15, 0x16, 0x17].includes(ec)) {
    fields.push({ name: 'imm16', value: v & 0xffff, meaning: `the instruction's immediate, #${v & 0xffff}` });
  } else if (ec === 0x13) {
    // syn_aa32_smc() carries no immediate (abi-facts §6.4).
    fields.push({ name: 'iss', value: v & 0x1ff_ffff, meaning: 'SMC from AArch32: no immediate in the syndrome' });
  } else if (className !== undefined && ec !== 0) {
    fields.push({ name: 'iss', value: v & 0x1ff_ffff, meaning: 'instruction-specific syndrome (not decoded further here)' });
  }
  return { register: 'ESR_ELx', value: v, summary, fields };
}

/** The ESR_ELx decoder. */
export const ESR_DECODER: SyndromeDecoder = { register: 'ESR_ELx', decode: decodeEsr };
