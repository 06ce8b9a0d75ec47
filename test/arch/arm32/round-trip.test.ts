/**
 * Round trips through the one A32 table: encode → decode → disassemble →
 * assemble gives the same word, for every pinned fixture and for seeded
 * random words that decode (fast-check, fixed seed).
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARM32_INSTRUCTION_SET } from '../../../arch/arm32/core.ts';
import { ARM32_TABLE } from '../../../arch/arm32/table.ts';
import { assembleWord, decodableWords, roundTrip, rowWords, type RoundTripSubject } from '../../support/round-trip.ts';

interface PinnedEncoding {
  readonly text: string;
  readonly bytes: string;
  readonly disasm: string;
}

const FIXTURES: readonly PinnedEncoding[] = JSON.parse(readFileSync(new URL('./fixtures/encodings.json', import.meta.url), 'utf8'));

const SUBJECT: RoundTripSubject = { table: ARM32_TABLE, set: ARM32_INSTRUCTION_SET, endian: 'little', address: 0x8000 };

describe('arm32 round trips', () => {
  it('encode → decode → disassemble → assemble for every fixture', () => {
    const wrong: string[] = [];
    for (const fixture of FIXTURES) {
      const word = assembleWord(SUBJECT, fixture.text);
      const back = roundTrip(SUBJECT, word);
      if (back !== word) wrong.push(`${fixture.text}: ${back}`);
    }
    expect(wrong).toEqual([]);
  });

  it('decode → disassemble → assemble for random words inside each row', () => {
    fc.assert(
      fc.property(rowWords(ARM32_TABLE), (word) => {
        expect(roundTrip(SUBJECT, word)).toBe(word);
      }),
      { seed: 0x5eed_a32, numRuns: 4000 },
    );
  });

  it('decode → disassemble → assemble for uniformly random words that decode', () => {
    fc.assert(
      fc.property(decodableWords(ARM32_TABLE), (word) => {
        expect(roundTrip(SUBJECT, word)).toBe(word);
      }),
      { seed: 0xa32_5eed, numRuns: 2000 },
    );
  });
});
