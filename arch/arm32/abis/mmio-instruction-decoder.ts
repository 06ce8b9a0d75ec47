/**
 * The pre-merge KVM/ARM load/store decoder for A32 instructions that trap
 * with no valid syndrome (ISV = 0), with that decoder's real scope and
 * quirks: virtualopensystems/linux-kvm-arm `arch/arm/kvm/emulate.c`
 * @02b4bc95 (`arm_instr`, `decode_arm_ls`, `decode_arm_extra`,
 * `decode_arm_wb`, `shift`), the same table as the kvm_decode.c of R.
 * Russell's later series.
 *
 * Scope, from its table and the comment over it ("register write-back
 * occurred, the PC was used as the destination or a load/store multiple
 * operation was used … we simply inject a fault"): single word and byte
 * loads and stores with writeback (LDR/STR/LDRB/STRB, post-indexed or with
 * W, which covers the unprivileged LDRT/STRT/LDRBT/STRBT), the extra
 * loads and stores (LDRH/STRH, LDRSB/LDRSH, LDRD/STRD, the unprivileged
 * halfword forms). Everything else is refused, and the caller injects a
 * data abort: LDM/STM, exclusives (LDREX/STREX are not in this table; they
 * were in R. Russell's earlier `ls_instr` table @3891642a), Rt or Rn = PC,
 * and an offset form that has a valid syndrome (P = 1, W = 0: "Decoding
 * operation with valid ISV?").
 *
 * Quirks kept because they are the source's: the condition field is not
 * looked at; the table matches by masks that also take some media and
 * multiply encodings as loads and stores; a register offset is passed
 * through `shift(value, 5, …)`, which masks a shifted offset to 5 bits and
 * hits `BUG_ON(amount > N)` for a shift by more than 5 (an LSR or ASR #32
 * too): the host kernel oopses.
 *
 * @module
 */

import type { InstructionDecode } from '../../../src/mmio/mmio-era.ts';

/** One row of `arm_instr`. */
interface ArmInstructionRow {
  readonly opcode: number;
  readonly mask: number;
  readonly length: 1 | 2 | 4 | 8;
  readonly write: boolean;
  readonly signExtend: boolean;
  readonly form: 'word-byte' | 'extra';
  readonly name: string;
}

const row = (opcode: number, mask: number, length: 1 | 2 | 4 | 8, write: boolean, signExtend: boolean, form: 'word-byte' | 'extra', name: string): ArmInstructionRow => ({ opcode, mask, length, write, signExtend, form, name });

/** `arm_instr`, in the source's order (the first match wins). */
const ARM_INSTRUCTIONS: readonly ArmInstructionRow[] = [
  row(0x0400_0000, 0x0c50_0000, 4, true, false, 'word-byte', 'store word with writeback'),
  row(0x0440_0000, 0x0c50_0000, 1, true, false, 'word-byte', 'store byte with writeback'),
  row(0x0410_0000, 0x0c50_0000, 4, false, false, 'word-byte', 'load word with writeback'),
  row(0x0450_0000, 0x0c50_0000, 1, false, false, 'word-byte', 'load byte with writeback'),
  row(0x0000_00b0, 0x0c10_00f0, 2, true, false, 'extra', 'store halfword with writeback'),
  row(0x0010_00b0, 0x0c10_00f0, 2, false, false, 'extra', 'load halfword with writeback'),
  row(0x0000_00d0, 0x0c10_00f0, 8, false, false, 'extra', 'load dual with writeback'),
  row(0x0010_00d0, 0x0c10_00f0, 1, false, true, 'extra', 'load signed byte with writeback'),
  row(0x0000_00f0, 0x0c10_00f0, 8, true, false, 'extra', 'store dual with writeback'),
  row(0x0010_00f0, 0x0c10_00f0, 2, false, true, 'extra', 'load signed halfword with writeback'),
  row(0x0020_00b0, 0x0f30_00f0, 2, true, false, 'extra', 'store halfword unprivileged'),
  row(0x0030_00b0, 0x0f30_00f0, 2, false, false, 'extra', 'load halfword unprivileged'),
  row(0x0030_00d0, 0x0f30_00f0, 1, false, true, 'extra', 'load signed byte unprivileged'),
];

/** The guest state the decoder reads. */
export interface DecoderRegisters {
  /** The guest's register `n` (0–14) in the mode it trapped from. */
  read(n: number): number;
  /** The guest's CPSR.C (for RRX). */
  readonly carry: boolean;
}

/** `DecodeImmShift` (ARM ARM A8.4.3) as the source writes it: type and amount. */
function decodeImmShift(type: number, imm5: number): { type: 'lsl' | 'lsr' | 'asr' | 'ror' | 'rrx'; amount: number } {
  switch (type) {
    case 0:
      return { type: 'lsl', amount: imm5 };
    case 1:
      return { type: 'lsr', amount: imm5 === 0 ? 32 : imm5 };
    case 2:
      return { type: 'asr', amount: imm5 === 0 ? 32 : imm5 };
    default:
      return imm5 === 0 ? { type: 'rrx', amount: 1 } : { type: 'ror', amount: imm5 };
  }
}

/** The source's `shift(value, N = 5, …)`: undefined where its `BUG_ON(amount > N)` fires. */
function sourceShift(value: number, type: 'lsl' | 'lsr' | 'asr' | 'ror' | 'rrx', amount: number, carry: boolean): number | undefined {
  const n = 5;
  const mask = (1 << n) - 1;
  if (amount > n) return undefined;
  if (amount === 0) return value >>> 0;
  let out: number;
  switch (type) {
    case 'lsl':
      out = value << amount;
      break;
    case 'lsr':
      out = value >>> amount;
      break;
    case 'asr':
      // The source sign-extends from bit N−1 of the value, then shifts.
      out = (value & (1 << (n - 1)) ? value | (-1 << n) : value) >> amount;
      break;
    case 'ror':
      out = (value >>> amount) | (value << (n - amount));
      break;
    default:
      out = (value >>> 1) | ((carry ? 1 : 0) << (n - 1));
  }
  return (out & mask) >>> 0;
}

/**
 * Decode `word`, an A32 instruction that trapped with ISV = 0, as the
 * pre-merge decoder does; `registers` gives the guest's registers (the
 * base and offset registers are read from them; the decoder's writeback
 * is returned in the plan, not applied).
 */
export function decodePreMergeArm(word: number, registers: DecoderRegisters): InstructionDecode {
  const instruction = word >>> 0;
  const found = ARM_INSTRUCTIONS.find((r) => ((instruction & r.mask) >>> 0) === r.opcode);
  if (found === undefined) return { kind: 'refused', instruction, reason: 'not a single or extra load/store the decoder knows (a load/store multiple, an exclusive, or anything else)' };
  const rt = (instruction >>> 12) & 0xf;
  const rn = (instruction >>> 16) & 0xf;
  const w = (instruction >>> 21) & 1;
  const u = (instruction >>> 23) & 1;
  const p = (instruction >>> 24) & 1;
  // decode_arm_wb: "Technically this is allowed in certain circumstances, but we don't support it."
  if (rt === 15 || rn === 15) return { kind: 'refused', instruction, reason: `${found.name} with ${rt === 15 ? 'Rt' : 'Rn'} = PC` };
  if (p === 1 && w === 0) return { kind: 'refused', instruction, reason: 'an offset form with no writeback: "Decoding operation with valid ISV?"' };
  let offset: number;
  const registerForm = found.form === 'word-byte' ? ((instruction >>> 25) & 1) === 1 : ((instruction >>> 22) & 1) === 0;
  if (registerForm) {
    const rm = instruction & 0xf;
    const shift = found.form === 'word-byte' ? decodeImmShift((instruction >>> 5) & 3, (instruction >>> 7) & 0x1f) : { type: 'lsl' as const, amount: 0 };
    const shifted = sourceShift(registers.read(rm), shift.type, shift.amount, registers.carry);
    if (shifted === undefined) return { kind: 'host-bug', instruction, reason: `BUG_ON(amount > N) in shift(): a register offset shifted by ${shift.amount} (${shift.type}) is more than the 5 bits the decoder passes` };
    offset = shifted;
  } else {
    offset = found.form === 'word-byte' ? instruction & 0xfff : ((instruction >>> 4) & 0xf0) | (instruction & 0xf);
  }
  const base = registers.read(rn);
  const value = (u === 1 ? base + offset : base - offset) >>> 0;
  return {
    kind: 'decoded',
    plan: {
      direction: found.write ? 'write' : 'read',
      length: found.length,
      rt,
      ...(found.length === 8 ? { rt2: rt + 1 } : {}),
      signExtend: found.signExtend,
      sixtyFourBit: false,
      instructionBytes: 4,
      via: 'instruction',
      writeback: { register: rn, value },
      instruction,
    },
  };
}
