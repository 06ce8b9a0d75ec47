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
import type { ParseContext } from '../../../src/isa/operand.ts';

interface PinnedEncoding {
  readonly text: string;
  readonly bytes: string;
  readonly disasm: string;
}

const FIXTURES: readonly PinnedEncoding[] = JSON.parse(readFileSync(new URL('./fixtures/encodings.json', import.meta.url), 'utf8'));

const ADDRESS = 0x8000;
const CONTEXT: ParseContext = { address: ADDRESS, final: true, resolve: () => undefined };

function assembleWord(text: string): number {
  const bytes = ARM32_INSTRUCTION_SET.assembleOne(text, CONTEXT);
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
}

/** decode → disassemble → assemble: the word back, or a description of where it went wrong. */
function roundTrip(word: number): number | string {
  const hex = `0x${word.toString(16).padStart(8, '0')}`;
  const match = ARM32_TABLE.decode(word);
  if (match === undefined) return `${hex} does not decode`;
  const text = ARM32_TABLE.format(match, { address: ADDRESS });
  try {
    const back = assembleWord(text);
    return back === word ? back : `${hex} (${match.entry.def.name}) → '${text}' → 0x${back.toString(16).padStart(8, '0')}`;
  } catch (error) {
    return `${hex} (${match.entry.def.name}) → '${text}' → ${(error as Error).message}`;
  }
}

/** A word inside one row's pattern: the row's fixed bits, random elsewhere. */
const rowWord = fc
  .tuple(fc.constantFrom(...ARM32_TABLE.written), fc.integer({ min: 0, max: 0xffff_ffff }))
  .map(([entry, bits]) => ((bits & ~entry.pattern.mask) | entry.pattern.value) >>> 0)
  .filter((word) => ARM32_TABLE.decode(word) !== undefined);

/** Any word the table decodes. */
const anyWord = fc.integer({ min: 0, max: 0xffff_ffff }).filter((word) => ARM32_TABLE.decode(word) !== undefined);

describe('arm32 round trips', () => {
  it('encode → decode → disassemble → assemble for every fixture', () => {
    const wrong: string[] = [];
    for (const fixture of FIXTURES) {
      const word = assembleWord(fixture.text);
      const back = roundTrip(word);
      if (back !== word) wrong.push(`${fixture.text}: ${back}`);
    }
    expect(wrong).toEqual([]);
  });

  it('decode → disassemble → assemble for random words inside each row', () => {
    fc.assert(
      fc.property(rowWord, (word) => {
        expect(roundTrip(word)).toBe(word);
      }),
      { seed: 0x5eed_a32, numRuns: 4000 },
    );
  });

  it('decode → disassemble → assemble for uniformly random words that decode', () => {
    fc.assert(
      fc.property(anyWord, (word) => {
        expect(roundTrip(word)).toBe(word);
      }),
      { seed: 0xa32_5eed, numRuns: 2000 },
    );
  });
});
