/**
 * Round trips through one instruction table, shared by every backend's
 * round-trip test: decode → disassemble → assemble must give the word back.
 */

import fc from 'fast-check';
import type { InstructionSet } from '../../src/isa/assembler.ts';
import type { InstructionTable } from '../../src/isa/instruction-table.ts';
import type { Endian } from '../../src/memory/guest-memory.ts';
import type { ParseContext } from '../../src/isa/operand.ts';

/** A table, its instruction set in one byte order, and where to place words. */
export interface RoundTripSubject {
  /** The instruction table. */
  readonly table: InstructionTable;
  /** The instruction set (assembler) in `endian`. */
  readonly set: InstructionSet;
  /** Byte order of the set's words. */
  readonly endian: Endian;
  /** Address of the instruction (for PC-relative operands). */
  readonly address: number;
}

/** Assemble one instruction and read its word back in the subject's byte order. */
export function assembleWord(subject: RoundTripSubject, text: string): number {
  const context: ParseContext = { address: subject.address, final: true, resolve: () => undefined };
  const bytes = subject.set.assembleOne(text, context);
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, subject.endian === 'little');
}

/** decode → disassemble → assemble: the word back, or a description of where it went wrong. */
export function roundTrip(subject: RoundTripSubject, word: number): number | string {
  const hex = `0x${word.toString(16).padStart(8, '0')}`;
  const match = subject.table.decode(word);
  if (match === undefined) return `${hex} does not decode`;
  const text = subject.table.format(match, { address: subject.address });
  try {
    const back = assembleWord(subject, text);
    return back === word ? back : `${hex} (${match.entry.def.name}) → '${text}' → 0x${back.toString(16).padStart(8, '0')}`;
  } catch (error) {
    return `${hex} (${match.entry.def.name}) → '${text}' → ${(error as Error).message}`;
  }
}

/** A word inside one row's pattern: the row's fixed bits, random elsewhere, that decodes. */
export function rowWords(table: InstructionTable): fc.Arbitrary<number> {
  return fc
    .tuple(fc.constantFrom(...table.written), fc.integer({ min: 0, max: 0xffff_ffff }))
    .map(([entry, bits]) => ((bits & ~entry.pattern.mask) | entry.pattern.value) >>> 0)
    .filter((word) => table.decode(word) !== undefined);
}

/** Any word the table decodes. */
export function decodableWords(table: InstructionTable): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 0xffff_ffff }).filter((word) => table.decode(word) !== undefined);
}
