/**
 * The ARMv7 HSR (ARM ARM DDI 0406C B3.13.6, "Use of the HSR"; B4.1.73) for
 * aborts taken to Hyp mode: the data-abort and prefetch-abort ISS the
 * exception model writes ({@link dataAbortIss}, {@link instructionAbortIss}),
 * and the decoder behind `hyplay syndrome arm32`.
 *
 * Field layout (abi-facts §12.1, after Linux `kvm_arm.h`): EC 31:26, IL 25,
 * and for data aborts ISV 24, SAS 23:22 (3 is reserved on ARMv7), SSE 21,
 * SRT 19:16 (4 bits: there is no SRT[4], SF or AR on ARMv7), EA 9, CM 8,
 * S1PTW 7, WnR 6, DFSC 5:0 (long-descriptor fault status).
 *
 * @module
 */

import type { DataTransfer } from '../../src/interp/step-result.ts';
import { levelledFaultStatus, type DecodedSyndrome, type SyndromeDecoder, type SyndromeField } from '../../src/interp/syndrome.ts';
import type { MmuFault } from './mmu.ts';

/** HSR ISS bits (B3.13.6). */
export const Iss = {
  /** Instruction syndrome valid. */
  isv: 1 << 24,
  /** Sign-extend the load. */
  sse: 1 << 21,
  /** External abort. */
  ea: 1 << 9,
  /** Cache maintenance. */
  cm: 1 << 8,
  /** Stage-2 fault on a stage-1 translation table walk. */
  s1ptw: 1 << 7,
  /** Write, not read. */
  wnr: 1 << 6,
} as const;

/** What {@link dataAbortIss} needs of a faulting access. */
export interface DataAbortAccess {
  /** The MMU fault. */
  readonly fault: MmuFault;
  /** A write. */
  readonly write: boolean;
  /** Bytes accessed (1, 2, 4 or 8). */
  readonly size: number;
  /** The single register moved, when the instruction's form gives a valid syndrome (see the semantics' `transfer`). */
  readonly transfer: DataTransfer | undefined;
}

/** SAS of an access size: 0 byte, 1 halfword, 2 word, 3 doubleword (reserved on ARMv7, §12.1). */
function accessSizeField(size: number): number {
  return size === 1 ? 0 : size === 2 ? 1 : size === 4 ? 2 : 3;
}

/**
 * The data-abort ISS. ISV = 1 only when the semantics say the instruction
 * is a single-register load or store without writeback (abi-facts §12.4;
 * the ARM ARM's list, B3.13.6, is LDR/STR, LDRB/STRB, LDRH/STRH,
 * LDRSB/LDRSH and their unprivileged forms, without writeback). ISV is 0 as
 * well for a fault on a stage-1 table walk (S1PTW): the access that faulted
 * is the walk's, not the instruction's (the sources at hand are silent on
 * this; KVM checks S1PTW first). EA is set for external aborts, CM never
 * (hyplay's cache maintenance by address never faults).
 */
export function dataAbortIss(access: DataAbortAccess): number {
  const { fault, transfer } = access;
  let iss = fault.status & 0x3f;
  if (access.write) iss |= Iss.wnr;
  if (fault.s1ptw) iss |= Iss.s1ptw;
  if (fault.fault === 'external' || fault.fault === 'walk-external') iss |= Iss.ea;
  if (transfer !== undefined && !fault.s1ptw) {
    iss |= Iss.isv | (accessSizeField(access.size) << 22) | ((transfer.register & 0xf) << 16);
    if (transfer.signExtend) iss |= Iss.sse;
  }
  return iss >>> 0;
}

/** The prefetch-abort ISS (B3.13.6): EA 9, S1PTW 7, IFSC 5:0. */
export function instructionAbortIss(fault: MmuFault): number {
  return ((fault.status & 0x3f) | (fault.s1ptw ? Iss.s1ptw : 0) | (fault.fault === 'external' || fault.fault === 'walk-external' ? Iss.ea : 0)) >>> 0;
}

/** HSR exception classes in words (B3.13.6, Table B3-26; abi-facts §6.4). */
export const HSR_CLASSES: ReadonlyMap<number, string> = new Map([
  [0x00, 'unknown reason'],
  [0x01, 'WFI or WFE trapped'],
  [0x03, 'MCR or MRC to CP15 trapped'],
  [0x04, 'MCRR or MRRC to CP15 trapped'],
  [0x05, 'MCR or MRC to CP14 trapped'],
  [0x06, 'LDC or STC to CP14 trapped'],
  [0x07, 'HCPTR-trapped access to CP0-CP13 (Advanced SIMD or floating point)'],
  [0x08, 'MRC or VMRS to CP10 (ID registers) trapped'],
  [0x09, 'Jazelle instruction trapped (HSTR.TJDBX)'],
  [0x0a, 'BXJ trapped'],
  [0x0c, 'MRRC to CP14 trapped'],
  [0x11, 'SVC taken to Hyp mode'],
  [0x12, 'HVC'],
  [0x13, 'SMC trapped'],
  [0x20, 'prefetch abort from a non-Hyp mode'],
  [0x21, 'prefetch abort taken in Hyp mode'],
  [0x24, 'data abort from a non-Hyp mode'],
  [0x25, 'data abort taken in Hyp mode'],
]);

/** The long-descriptor fault status codes (DFSC/IFSC; B3.13.6 and Table B3-24; abi-facts §12.1). */
export function faultStatusMeaning(code: number): string {
  const levelled = levelledFaultStatus(code);
  if (levelled !== undefined) return levelled;
  switch (code) {
    case 0x10:
      return 'synchronous external abort';
    case 0x11:
      return 'asynchronous external abort (SError)';
    case 0x18:
      return 'synchronous parity/ECC error on the access';
    case 0x21:
      return 'alignment fault';
    case 0x22:
      return 'debug event';
    case 0x30:
      return 'TLB conflict abort';
    case 0x34:
      return 'implementation defined (lockdown)';
    case 0x3a:
      return 'implementation defined (unsupported exclusive)';
    case 0x3d:
      return 'domain fault (short descriptor, stage 1)';
    default:
      return 'reserved fault status';
  }
}

/** SRT's register in words. */
function registerName(n: number): string {
  return n === 15 ? 'r15 (pc)' : n === 14 ? 'r14 (lr)' : n === 13 ? 'r13 (sp)' : `r${n}`;
}

function bitMeaning(on: boolean, yes: string, no: string): string {
  return on ? yes : no;
}

/** Decode an HSR value into its fields (B3.13.6; abi-facts §6.4, §12.1). */
export function decodeHsr(value: number): DecodedSyndrome {
  const v = value >>> 0;
  const ec = v >>> 26;
  const il = (v >>> 25) & 1;
  const bit = (n: number): number => (v >>> n) & 1;
  const className = HSR_CLASSES.get(ec);
  const summary = className ?? `exception class 0x${ec.toString(16).padStart(2, '0')} is not one ARMv7 defines for the HSR`;
  const fields: SyndromeField[] = [
    { name: 'ec', value: ec, meaning: summary },
    { name: 'il', value: il, meaning: il === 1 ? '32-bit instruction' : '16-bit instruction' },
  ];
  if (ec === 0x24 || ec === 0x25) {
    const isv = bit(24);
    fields.push({ name: 'isv', value: isv, meaning: isv === 1 ? 'instruction syndrome valid: bits 23:16 describe the access' : 'no valid instruction syndrome: bits 23:16 are not valid (a hypervisor must decode the instruction itself)' });
    if (isv === 1) {
      const sas = (v >>> 22) & 3;
      fields.push({ name: 'sas', value: sas, meaning: `access size: ${['byte', 'halfword', 'word', 'reserved (0b11 is reserved on ARMv7)'][sas]!}` });
      fields.push({ name: 'sse', value: bit(21), meaning: bitMeaning(bit(21) === 1, 'the load sign-extends', 'no sign extension') });
      fields.push({ name: 'srt', value: (v >>> 16) & 0xf, meaning: `register transferred: ${registerName((v >>> 16) & 0xf)}` });
    }
    fields.push({ name: 'ea', value: bit(9), meaning: bitMeaning(bit(9) === 1, 'external abort', 'not an external abort') });
    fields.push({ name: 'cm', value: bit(8), meaning: bitMeaning(bit(8) === 1, 'a cache maintenance or address translation instruction', 'not cache maintenance') });
    fields.push({ name: 's1ptw', value: bit(7), meaning: bitMeaning(bit(7) === 1, 'stage-2 fault on a stage-1 translation table walk', 'not on a stage-1 table walk') });
    fields.push({ name: 'wnr', value: bit(6), meaning: bitMeaning(bit(6) === 1, 'write', 'read') });
    fields.push({ name: 'dfsc', value: v & 0x3f, meaning: faultStatusMeaning(v & 0x3f) });
  } else if (ec === 0x20 || ec === 0x21) {
    fields.push({ name: 'ea', value: bit(9), meaning: bitMeaning(bit(9) === 1, 'external abort', 'not an external abort') });
    fields.push({ name: 's1ptw', value: bit(7), meaning: bitMeaning(bit(7) === 1, 'stage-2 fault on a stage-1 translation table walk', 'not on a stage-1 table walk') });
    fields.push({ name: 'ifsc', value: v & 0x3f, meaning: faultStatusMeaning(v & 0x3f) });
  } else if (ec === 0x11 || ec === 0x12) {
    fields.push({ name: 'imm16', value: v & 0xffff, meaning: `the instruction's immediate, #${v & 0xffff}` });
  } else if (ec === 0x13) {
    // syn_aa32_smc() carries no immediate (abi-facts §6.4).
    fields.push({ name: 'iss', value: v & 0x1ff_ffff, meaning: 'SMC: no immediate in the syndrome' });
  } else if (className !== undefined && ec !== 0) {
    fields.push({ name: 'iss', value: v & 0x1ff_ffff, meaning: 'instruction-specific syndrome (not decoded further here)' });
  }
  return { register: 'HSR', value: v, summary, fields };
}

/** The ARMv7 HSR decoder. */
export const HSR_DECODER: SyndromeDecoder = { register: 'HSR', decode: decodeHsr };
