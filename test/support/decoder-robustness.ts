/**
 * The decoder-robustness check every backend runs: seeded random 32-bit
 * words through the predecoder, the table decoder and the disassembler.
 * None may throw; every word either decodes to a table row (and then
 * predecodes to that row and disassembles to real text) or predecodes to an
 * undefined-instruction trap (and does not disassemble).
 */

import type { DecodedOp } from '../../src/interp/decoded-op.ts';
import type { InstructionSet } from '../../src/isa/assembler.ts';
import type { InstructionTable } from '../../src/isa/instruction-table.ts';
import type { Endian, GuestMemory } from '../../src/memory/guest-memory.ts';

/** xorshift32: small, fast and the same on every run. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

/** What the check needs of a backend. */
export interface RobustnessSubject<S> {
  /** Memory with `address` mapped, in the instruction byte order. */
  readonly memory: GuestMemory;
  /** Byte order of instruction words. */
  readonly endian: Endian;
  /** Where words are written and predecoded. */
  readonly address: number;
  /** The backend's predecoder. */
  predecode(address: number): DecodedOp<S>;
  /** The instruction table. */
  readonly table: InstructionTable;
  /** The instruction set (for the disassembler). */
  readonly set: InstructionSet;
}

/** The outcome: problems found (at most 20) and how many words decoded to a row. */
export interface RobustnessReport {
  /** One line per problem. */
  readonly problems: readonly string[];
  /** Words that decoded to a table row. */
  readonly decoded: number;
}

/** Run `words` seeded random words through `subject`. */
export function checkRandomWords<S>(subject: RobustnessSubject<S>, words: number, seed: number): RobustnessReport {
  const next = xorshift32(seed);
  const bytes = new Uint8Array(4);
  const view = new DataView(bytes.buffer);
  const problems: string[] = [];
  let decoded = 0;
  for (let i = 0; i < words && problems.length < 20; i++) {
    const word = next();
    const hex = `0x${word.toString(16).padStart(8, '0')}`;
    try {
      view.setUint32(0, word, subject.endian === 'little');
      subject.memory.writeBytes(subject.address, bytes);
      const op = subject.predecode(subject.address);
      const match = subject.table.decode(word);
      const text = subject.set.disassembleOne(bytes, subject.address);
      if (match !== undefined) {
        decoded += 1;
        if (op.name !== match.entry.def.name) problems.push(`${hex}: predecoded as ${op.name}, table says ${match.entry.def.name}`);
        if (text === undefined || text.text.startsWith('.inst')) problems.push(`${hex}: ${match.entry.def.name} has no disassembly (${text?.text})`);
      } else {
        const fixed = op.fixed;
        if (fixed === undefined || fixed.kind !== 'trap' || fixed.cause !== 'undefined') problems.push(`${hex}: no row, and not an undefined-instruction trap`);
        if (text !== undefined) problems.push(`${hex}: no row, yet disassembles to '${text.text}'`);
      }
    } catch (error) {
      problems.push(`${hex}: threw ${(error as Error).stack ?? String(error)}`);
    }
  }
  return { problems, decoded };
}
