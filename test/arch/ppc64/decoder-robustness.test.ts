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
import { checkRandomWords } from '../../support/decoder-robustness.ts';

const WORDS = 120_000;
const ADDRESS = 0x8000;

describe('ppc64 decoder robustness', () => {
  for (const endian of ['big', 'little'] as const) {
    it(`decodes or traps as illegal for ${WORDS} seeded random words (${endian}-endian), without a JS exception`, () => {
      const memory = new Ppc64Memory(endian);
      memory.map(ADDRESS, 0x1000);
      const state = createPpc64State(endian === 'big');
      const report = checkRandomWords(
        { memory, endian, address: ADDRESS, predecode: (address) => predecodePpc64(memory, state, address), table: PPC64_TABLE, set: ppc64InstructionSet(endian) },
        WORDS,
        endian === 'big' ? 0x9c64_0ffe : 0x0ffe_9c64,
      );
      expect(report.problems).toEqual([]);
      // A sanity check on the generator: a fair share of random words are table instructions.
      expect(report.decoded).toBeGreaterThan(WORDS / 20);
    });
  }
});
