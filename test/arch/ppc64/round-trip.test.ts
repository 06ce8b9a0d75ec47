/**
 * Round trips through the one Power ISA table: encode → decode →
 * disassemble → assemble gives the same word, for every pinned fixture and
 * for seeded random words that decode (fast-check, fixed seed), in both
 * byte orders.
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ppc64InstructionSet } from '../../../arch/ppc64/core.ts';
import { PPC64_TABLE } from '../../../arch/ppc64/table.ts';
import { assembleWord, decodableWords, roundTrip, rowWords, type RoundTripSubject } from '../../support/round-trip.ts';

interface PinnedEncoding {
  readonly text: string;
}

const FIXTURES: readonly PinnedEncoding[] = JSON.parse(readFileSync(new URL('./fixtures/encodings.json', import.meta.url), 'utf8'));

function subject(endian: 'big' | 'little'): RoundTripSubject {
  return { table: PPC64_TABLE, set: ppc64InstructionSet(endian), endian, address: 0x10000 };
}

describe('ppc64 round trips', () => {
  for (const endian of ['big', 'little'] as const) {
    it(`encode → decode → disassemble → assemble for every fixture (${endian}-endian)`, () => {
      const wrong: string[] = [];
      for (const fixture of FIXTURES) {
        const word = assembleWord(subject(endian), fixture.text);
        const back = roundTrip(subject(endian), word);
        if (back !== word) wrong.push(`${fixture.text}: ${back}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('decode → disassemble → assemble for random words inside each row', () => {
    fc.assert(
      fc.property(rowWords(PPC64_TABLE), (word) => {
        expect(roundTrip(subject('big'), word)).toBe(word);
      }),
      { seed: 0x5eed_9c64, numRuns: 6000 },
    );
  });

  it('decode → disassemble → assemble for uniformly random words that decode', () => {
    fc.assert(
      fc.property(decodableWords(PPC64_TABLE), (word) => {
        expect(roundTrip(subject('little'), word)).toBe(word);
      }),
      { seed: 0x9c64_5eed, numRuns: 2000 },
    );
  });
});
