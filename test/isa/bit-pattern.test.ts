/**
 * Bit patterns: parsing (fixed bits, don't-cares, split fields), field
 * extraction and insertion, and the parse errors. A fast-check property
 * round-trips insertField/extractField over random layouts.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractField, insertField, parsePattern, TableError, type BitPattern, type FieldLayout } from '../../src/isa/bit-pattern.ts';

function field(pattern: BitPattern, name: string): FieldLayout {
  const layout = pattern.fields.get(name);
  if (layout === undefined) throw new Error(`no field '${name}'`);
  return layout;
}

function parseError(text: string, width: number): string {
  try {
    parsePattern(text, width, 'owner');
  } catch (error) {
    expect(error).toBeInstanceOf(TableError);
    return (error as Error).message;
  }
  throw new Error(`'${text}' parsed`);
}

describe('parsePattern', () => {
  it('reads fixed bits as mask/value and leaves dots free', () => {
    const p = parsePattern('1010 .... 0000 ..11', 16, 'x');
    expect(p.width).toBe(16);
    expect(p.mask).toBe(0b1111_0000_1111_0011);
    expect(p.value).toBe(0b1010_0000_0000_0011);
    expect(p.fields.size).toBe(0);
  });

  it('places fields most significant first and keeps their first-seen order', () => {
    const p = parsePattern('0011 rd:3 rn:3 rm:3 000', 16, 'x');
    expect([...p.fields.keys()]).toEqual(['rd', 'rn', 'rm']);
    expect(field(p, 'rd').pieces).toEqual([{ shift: 9, width: 3 }]);
    expect(field(p, 'rn').pieces).toEqual([{ shift: 6, width: 3 }]);
    expect(field(p, 'rm').pieces).toEqual([{ shift: 3, width: 3 }]);
    expect(p.mask).toBe(0xf007);
    expect(p.value).toBe(0x3000);
  });

  it('joins a field written twice into one split field, first piece most significant (HVC imm12:imm4)', () => {
    // ARM ARM A8.8.64 HVC, A1: cond 0001 0100 imm12 0111 imm4, here with cond = AL.
    const p = parsePattern('1110 0001 0100 imm:12 0111 imm:4', 32, 'HVC');
    const imm = field(p, 'imm');
    expect(imm.width).toBe(16);
    expect(imm.pieces).toEqual([
      { shift: 8, width: 12 },
      { shift: 0, width: 4 },
    ]);
    expect(p.mask).toBe(0xfff000f0);
    expect(p.value).toBe(0xe1400070);
    // llvm-mc: `hvc #0x1234` is e1412374.
    expect(insertField(p.value, imm, 0x1234)).toBe(0xe1412374);
    expect(extractField(0xe1412374, imm)).toBe(0x1234);
    expect(extractField(0xe14fff7f, imm)).toBe(0xffff);
  });

  it('handles a 32-bit field and 32-bit words above 2^31', () => {
    const p = parsePattern('word:32', 32, 'x');
    const word = field(p, 'word');
    expect(p.mask).toBe(0);
    expect(extractField(0xdeadbeef, word)).toBe(0xdeadbeef);
    expect(insertField(0, word, 0xffffffff)).toBe(0xffffffff);
    const split = parsePattern('hi:16 lo:16', 32, 'x');
    expect(insertField(0, field(split, 'hi'), 0x8001)).toBe(0x80010000);
    expect(extractField(0x80010000, field(split, 'hi'))).toBe(0x8001);
  });

  it('leaves the other bits of the word alone when inserting', () => {
    const p = parsePattern('1111 imm:4 rd:4 imm:4', 16, 'LDW');
    expect(insertField(0xffff, field(p, 'rd'), 0)).toBe(0xff0f);
    expect(insertField(0x0000, field(p, 'imm'), 0xff)).toBe(0x0f0f);
    expect(insertField(0xf000, field(p, 'imm'), 0x12)).toBe(0xf102);
  });

  it('rejects malformed patterns with a message naming the owner', () => {
    expect(parseError('0000 0000', 0)).toBe('owner: pattern width 0 is not 1..32');
    expect(parseError('0000 0000', 33)).toBe('owner: pattern width 33 is not 1..32');
    expect(parseError('0000 000', 8)).toBe("owner: pattern '0000 000' is 7 bits, expected 8");
    expect(parseError('0000 0000 0', 8)).toBe("owner: pattern '0000 0000 0' is longer than 8 bits");
    expect(parseError('0000 a:5', 8)).toBe("owner: pattern '0000 a:5' is longer than 8 bits");
    expect(parseError('0000 a:0 0000', 8)).toBe("owner: field 'a' has width 0");
    expect(parseError('0000 002x', 8)).toBe("owner: bad pattern token '002x' in '0000 002x'");
    expect(parseError('0000 9a:4', 8)).toBe("owner: bad pattern token '9a:4' in '0000 9a:4'");
  });
});

/** One token of a random layout. */
type Token = { readonly kind: 'bits'; readonly text: string } | { readonly kind: 'field'; readonly name: string; readonly width: number };

const tokenArbitrary: fc.Arbitrary<Token> = fc.oneof(
  fc.array(fc.constantFrom('0', '1', '.'), { minLength: 1, maxLength: 4 }).map((bits): Token => ({ kind: 'bits', text: bits.join('') })),
  fc.record({ name: fc.constantFrom('a', 'b', 'c'), width: fc.integer({ min: 1, max: 4 }) }).map((f): Token => ({ kind: 'field', ...f })),
);

/** Layouts of 1..32 bits: up to 8 tokens of up to 4 bits, or a whole-word field split at a random point. */
const layoutArbitrary: fc.Arbitrary<readonly Token[]> = fc.oneof(
  fc.array(tokenArbitrary, { minLength: 1, maxLength: 8 }),
  fc.integer({ min: 1, max: 31 }).map((cut): Token[] => [
    { kind: 'field', name: 'a', width: cut },
    { kind: 'field', name: 'a', width: 32 - cut },
  ]),
);

function tokenWidth(token: Token): number {
  return token.kind === 'bits' ? token.text.length : token.width;
}

describe('insertField / extractField (property)', () => {
  it('round-trip every field of random layouts and leave every other bit alone', () => {
    fc.assert(
      fc.property(
        layoutArbitrary,
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (tokens, raw, start) => {
          const width = tokens.reduce((sum, t) => sum + tokenWidth(t), 0);
          const text = tokens.map((t) => (t.kind === 'bits' ? t.text : `${t.name}:${t.width}`)).join(' ');
          const pattern = parsePattern(text, width, 'random');
          const layouts = [...pattern.fields.values()];
          // The expected field widths are the sums of their pieces' widths.
          for (const layout of layouts) {
            const expected = tokens.filter((t) => t.kind === 'field' && t.name === layout.name).reduce((sum, t) => sum + tokenWidth(t), 0);
            expect(layout.width).toBe(expected);
          }
          const wordMask = width === 32 ? 0xffffffff : 2 ** width - 1;
          const base = ((start & wordMask & ~pattern.mask) | pattern.value) >>> 0;
          let word = base;
          const values = layouts.map((layout, i) => raw[i]! % 2 ** layout.width);
          layouts.forEach((layout, i) => {
            word = insertField(word, layout, values[i]!);
          });
          let fieldBits = 0;
          layouts.forEach((layout, i) => {
            expect(extractField(word, layout)).toBe(values[i]);
            fieldBits = (fieldBits | insertField(0, layout, 2 ** layout.width - 1)) >>> 0;
          });
          // Fixed bits still match, bits outside every field are unchanged, nothing leaks past the word.
          expect((word & pattern.mask) >>> 0).toBe(pattern.value);
          expect((word & ~fieldBits) >>> 0).toBe((base & ~fieldBits) >>> 0);
          expect((word & ~wordMask) >>> 0).toBe(0);
          // Fields never overlap the fixed bits.
          expect((fieldBits & pattern.mask) >>> 0).toBe(0);
        },
      ),
      { seed: 0x1eaf, numRuns: 2000 },
    );
  });
});
