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
import type { ParseContext } from '../../../src/isa/operand.ts';

interface PinnedEncoding {
  readonly text: string;
}

const FIXTURES: readonly PinnedEncoding[] = JSON.parse(readFileSync(new URL('./fixtures/encodings.json', import.meta.url), 'utf8'));

const ADDRESS = 0x10000;
const CONTEXT: ParseContext = { address: ADDRESS, final: true, resolve: () => undefined };

function assembleWord(text: string, endian: 'big' | 'little'): number {
  const bytes = ppc64InstructionSet(endian).assembleOne(text, CONTEXT);
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, endian === 'little');
}

/** decode → disassemble → assemble: the word back, or a description of where it went wrong. */
function roundTrip(word: number, endian: 'big' | 'little' = 'big'): number | string {
  const hex = `0x${word.toString(16).padStart(8, '0')}`;
  const match = PPC64_TABLE.decode(word);
  if (match === undefined) return `${hex} does not decode`;
  const text = PPC64_TABLE.format(match, { address: ADDRESS });
  try {
    const back = assembleWord(text, endian);
    return back === word ? back : `${hex} (${match.entry.def.name}) → '${text}' → 0x${back.toString(16).padStart(8, '0')}`;
  } catch (error) {
    return `${hex} (${match.entry.def.name}) → '${text}' → ${(error as Error).message}`;
  }
}

/** A word inside one row's pattern: the row's fixed bits, random elsewhere. */
const rowWord = fc
  .tuple(fc.constantFrom(...PPC64_TABLE.written), fc.integer({ min: 0, max: 0xffff_ffff }))
  .map(([entry, bits]) => ((bits & ~entry.pattern.mask) | entry.pattern.value) >>> 0)
  .filter((word) => PPC64_TABLE.decode(word) !== undefined);

/** Any word the table decodes. */
const anyWord = fc.integer({ min: 0, max: 0xffff_ffff }).filter((word) => PPC64_TABLE.decode(word) !== undefined);

describe('ppc64 round trips', () => {
  for (const endian of ['big', 'little'] as const) {
    it(`encode → decode → disassemble → assemble for every fixture (${endian}-endian)`, () => {
      const wrong: string[] = [];
      for (const fixture of FIXTURES) {
        const word = assembleWord(fixture.text, endian);
        const back = roundTrip(word, endian);
        if (back !== word) wrong.push(`${fixture.text}: ${back}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('decode → disassemble → assemble for random words inside each row', () => {
    fc.assert(
      fc.property(rowWord, (word) => {
        expect(roundTrip(word)).toBe(word);
      }),
      { seed: 0x5eed_9c64, numRuns: 6000 },
    );
  });

  it('decode → disassemble → assemble for uniformly random words that decode', () => {
    fc.assert(
      fc.property(anyWord, (word) => {
        expect(roundTrip(word, 'little')).toBe(word);
      }),
      { seed: 0x9c64_5eed, numRuns: 2000 },
    );
  });
});
