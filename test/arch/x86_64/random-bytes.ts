/**
 * The x86-64 decoder-robustness check: seeded random byte strings (15
 * bytes, the longest instruction) through the table decoder, the
 * predecoder and both disassemblers. None may throw; a string either
 * decodes to a row (and then predecodes to that row, disassembles in both
 * syntaxes, and its AT&T text assembles back to text that disassembles the
 * same) or predecodes to a #UD or fetch-fault op. Shared by the test (a
 * sample) and `scripts/x86_64-decode-fuzz.ts` (10^6 strings).
 *
 * @module
 */

import { COMPAT_UNSUPPORTED_OP, predecodeX86, X86_INSTRUCTION_SETS } from '../../../arch/x86_64/core.ts';
import { X86_CODE32_INSTRUCTION_SETS } from '../../../arch/x86_64/operands.ts';
import { COMPAT_UNMODELLED_HANDLERS } from '../../../arch/x86_64/semantics/common.ts';
import { decodeBytes, isInsn, type CodeSize } from '../../../arch/x86_64/table.ts';
import { GuestMemory } from '../../../src/memory/guest-memory.ts';
import type { ParseContext } from '../../../src/isa/operand.ts';
import { xorshift32 } from '../../support/decoder-robustness.ts';

/** What a run found. */
export interface RandomBytesReport {
  /** One line per problem (at most 20). */
  readonly problems: readonly string[];
  /** Strings that decoded to an instruction. */
  readonly decoded: number;
  /** Decoded strings whose text was assembled back. */
  readonly reassembled: number;
}

const BASE = 0x1000;

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Run `count` strings from `seed` as code of `codeSize` (8: 64-bit code; 4:
 * 32-bit code, where a row compatibility mode does not model predecodes to
 * the `compat-unsupported` stop); every `reassembleEvery`-th decoded one
 * also goes through the assembler.
 */
export function checkRandomBytes(count: number, seed: number, reassembleEvery = 1, codeSize: CodeSize = 8): RandomBytesReport {
  const sets = codeSize === 8 ? X86_INSTRUCTION_SETS : X86_CODE32_INSTRUCTION_SETS;
  const next = xorshift32(seed);
  const memory = new GuestMemory('little');
  memory.map(BASE, 0x1000);
  const bytes = new Uint8Array(15);
  const problems: string[] = [];
  let decoded = 0;
  let reassembled = 0;
  for (let i = 0; i < count && problems.length < 20; i++) {
    for (let b = 0; b < 15; b += 4) {
      const w = next();
      for (let k = 0; k < 4 && b + k < 15; k++) bytes[b + k] = (w >>> (8 * k)) & 0xff;
    }
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    try {
      const result = decodeBytes(bytes, 0, codeSize);
      memory.writeBytes(BASE, bytes);
      const op = predecodeX86(memory, BASE, codeSize);
      if (!isInsn(result)) {
        if (op.insn !== undefined) problems.push(`${hex}: the table finds nothing but predecode gives ${op.name}`);
        continue;
      }
      decoded++;
      const unmodelled = codeSize === 4 && op.name === COMPAT_UNSUPPORTED_OP && COMPAT_UNMODELLED_HANDLERS.has(result.row.handler);
      if (op.name !== result.row.name && !unmodelled) problems.push(`${hex}: decoded ${result.row.name}, predecoded ${op.name}`);
      const att = sets.att.disassembleOne(bytes, BASE);
      const intel = sets.intel.disassembleOne(bytes, BASE);
      if (att === undefined || intel === undefined || att.length !== result.length || intel.length !== result.length) {
        problems.push(`${hex}: decoded ${result.row.name} but does not disassemble to one ${result.length}-byte instruction`);
        continue;
      }
      if (decoded % reassembleEvery !== 0) continue;
      const context: ParseContext = { address: BASE, final: true, resolve: () => undefined };
      const again = sets.att.assembleOne(att.text, context);
      const text = sets.att.disassembleOne(again, BASE)?.text;
      // The text may name an encoding llvm-mc would choose otherwise (C1 /5 with 1 is written `shrl $1`, which assembles to D1 /5): then the new bytes must be a fixed point.
      const settled = text === att.text || (text !== undefined && same(sets.att.assembleOne(text, context), again));
      if (!settled) problems.push(`${hex}: '${att.text}' assembles to ${[...again].map((b) => b.toString(16).padStart(2, '0')).join(' ')}, which disassembles to '${text}'`);
      reassembled++;
    } catch (error) {
      problems.push(`${hex}: threw ${(error as Error).stack?.split('\n').slice(0, 2).join(' ')}`);
    }
  }
  return { problems, decoded, reassembled };
}
