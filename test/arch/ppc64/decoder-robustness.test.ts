/**
 * Decoder robustness: seeded random 32-bit words through the predecoder,
 * the table decoder and the disassembler, in both byte orders. None may
 * throw; every word either decodes to a table row or predecodes to an
 * illegal-instruction trap (the program interrupt).
 */

import { describe, expect, it } from 'vitest';
import { Ppc64Memory, ppc64InstructionSet, predecodePpc64 } from '../../../arch/ppc64/core.ts';
import { createPpc64State } from '../../../arch/ppc64/registers.ts';
import { PPC64_TABLE } from '../../../arch/ppc64/table.ts';

/** xorshift32: small, fast and the same on every run. */
function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

const WORDS = 120_000;
const ADDRESS = 0x8000;

describe('ppc64 decoder robustness', () => {
  for (const endian of ['big', 'little'] as const) {
    it(`decodes or traps as illegal for ${WORDS} seeded random words (${endian}-endian), without a JS exception`, () => {
      const next = xorshift32(endian === 'big' ? 0x9c64_0ffe : 0x0ffe_9c64);
      const memory = new Ppc64Memory(endian);
      memory.map(ADDRESS, 0x1000);
      const state = createPpc64State(endian === 'big');
      const set = ppc64InstructionSet(endian);
      const bytes = new Uint8Array(4);
      const view = new DataView(bytes.buffer);
      const problems: string[] = [];
      let decoded = 0;
      for (let i = 0; i < WORDS; i++) {
        const word = next();
        const hex = `0x${word.toString(16).padStart(8, '0')}`;
        try {
          view.setUint32(0, word, endian === 'little');
          memory.writeBytes(ADDRESS, bytes);
          const op = predecodePpc64(memory, state, ADDRESS);
          const match = PPC64_TABLE.decode(word);
          const text = set.disassembleOne(bytes, ADDRESS);
          if (match !== undefined) {
            decoded += 1;
            if (op.name !== match.entry.def.name) problems.push(`${hex}: predecoded as ${op.name}, table says ${match.entry.def.name}`);
            if (text === undefined || text.text.startsWith('.inst')) problems.push(`${hex}: ${match.entry.def.name} has no disassembly (${text?.text})`);
          } else {
            const fixed = op.fixed;
            if (fixed === undefined || fixed.kind !== 'trap' || fixed.cause !== 'undefined') problems.push(`${hex}: no row, and not an illegal-instruction trap`);
            if (text !== undefined) problems.push(`${hex}: no row, yet disassembles to '${text.text}'`);
          }
        } catch (error) {
          problems.push(`${hex}: threw ${(error as Error).stack ?? String(error)}`);
        }
        if (problems.length >= 20) break;
      }
      expect(problems).toEqual([]);
      // A sanity check on the generator: a fair share of random words are table instructions.
      expect(decoded).toBeGreaterThan(WORDS / 20);
    });
  }
});
