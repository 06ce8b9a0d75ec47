/**
 * The general ONE_REG machinery over a small made-up core file: IDs, the
 * table checks of defineOneRegFormat, and each write rule (any-width,
 * exact-size, word-only) with its refusals and its partial writes.
 */

import { describe, expect, it } from 'vitest';
import { decodeOneRegId, defineOneRegFormat, emptyCoreFile, encodeOneRegId, OneRegFormatError, readWords, setOneReg, type OneRegFormatSpec } from '../../src/state/one-reg.ts';

const SPEC: OneRegFormatSpec = {
  id: 'toy-core',
  title: 'a toy core file',
  structure: 'struct toy',
  words: 10,
  arch: 0x6000_0000_0000_0000n,
  group: 0x10,
  guests: ['toy'],
  registers: [
    { name: 'a', word: 0, bytes: 8, holds: { toy: 'a' } },
    { name: 'b', word: 2, bytes: 8, holds: { toy: 'b' } },
    { name: 'c', word: 4, bytes: 4, holds: { toy: 'c' } },
  ],
  eras: [
    { era: 'old', source: 'test', rule: 'any-width', maxBytes: 16, note: '' },
    { era: 'new', source: 'test', rule: 'exact-size', note: '' },
    { era: 'word', source: 'test', rule: 'word-only', note: '' },
  ],
  valueChecks: [{ register: 'c', what: 'c must be even', check: (_era, _guest, value) => ((value & 1n) === 0n ? undefined : 'EINVAL') }],
  source: 'test',
};
const TOY = defineOneRegFormat(SPEC);
const id = (bytes: number, word: number): bigint => encodeOneRegId(SPEC.arch, bytes, SPEC.group, word);

describe('ONE_REG ids', () => {
  it('encode and decode the size as log2 of the bytes', () => {
    expect(id(8, 0x48)).toBe(0x6030_0000_0010_0048n);
    expect(id(4, 0x48)).toBe(0x6020_0000_0010_0048n);
    expect(decodeOneRegId(0x6060_0000_0010_0050n)).toMatchObject({ bytes: 64, group: 0x10, index: 0x50 });
    expect(TOY.ids).toEqual([id(8, 0), id(8, 2), id(4, 4)]);
    expect(TOY.registerOf(id(8, 2))?.name).toBe('b');
    expect(TOY.registerOf(id(4, 2))).toBeUndefined();
  });
});

describe('defineOneRegFormat', () => {
  it('refuses overlapping, misaligned, oversized and duplicate registers', () => {
    const bad = (registers: OneRegFormatSpec['registers'], message: RegExp): void => {
      expect(() => defineOneRegFormat({ ...SPEC, registers, valueChecks: [] })).toThrow(OneRegFormatError);
      expect(() => defineOneRegFormat({ ...SPEC, registers, valueChecks: [] })).toThrow(message);
    };
    bad([{ name: 'a', word: 0, bytes: 8, holds: {} }, { name: 'b', word: 1, bytes: 4, holds: {} }], /b .*overlaps/);
    bad([{ name: 'a', word: 1, bytes: 8, holds: {} }], /not aligned/);
    bad([{ name: 'a', word: 8, bytes: 16, holds: {} }], /ends past/);
    bad([{ name: 'a', word: 0, bytes: 4, holds: {} }, { name: 'a', word: 2, bytes: 4, holds: {} }], /listed twice/);
    bad([{ name: 'a', word: 0, bytes: 4, holds: { other: 'x' } }], /not one of its guests/);
  });
});

describe('setOneReg by era', () => {
  it('any-width: a narrow write changes only its bytes, a wide one spills into the next register, past the buffer is EINVAL', () => {
    const file = emptyCoreFile(TOY);
    expect(setOneReg(TOY, 'old', 'toy', file, id(8, 0), 0x1111_2222_3333_4444n).errno).toBe(0);
    const narrow = setOneReg(TOY, 'old', 'toy', file, id(4, 0), 0xaaaa_bbbbn);
    expect(narrow).toMatchObject({ errno: 0, touched: ['a'] });
    expect(readWords(file, 0, 8)).toBe(0x1111_2222_aaaa_bbbbn);
    const wide = setOneReg(TOY, 'old', 'toy', file, id(16, 0), (5n << 64n) | 7n);
    expect(wide.touched).toEqual(['a', 'b']);
    expect([readWords(file, 0, 8), readWords(file, 2, 8)]).toEqual([7n, 5n]);
    expect(setOneReg(TOY, 'old', 'toy', file, id(32, 0), 0n).errno).toBe('EINVAL');
    expect(setOneReg(TOY, 'old', 'toy', file, id(8, 9), 0n).errno).toBe('ENOENT');
  });

  it('exact-size: only whole registers at their own size', () => {
    const file = emptyCoreFile(TOY);
    expect(setOneReg(TOY, 'new', 'toy', file, id(4, 0), 1n).errno).toBe('EINVAL');
    expect(setOneReg(TOY, 'new', 'toy', file, id(8, 1), 1n).errno).toBe('EINVAL');
    expect(setOneReg(TOY, 'new', 'toy', file, id(8, 2), 9n)).toMatchObject({ errno: 0, touched: ['b'] });
    expect(readWords(file, 2, 8)).toBe(9n);
  });

  it('word-only: any size but 4 is ENOENT; value checks run where a write starts', () => {
    const file = emptyCoreFile(TOY);
    expect(setOneReg(TOY, 'word', 'toy', file, id(8, 0), 1n).errno).toBe('ENOENT');
    expect(setOneReg(TOY, 'word', 'toy', file, id(4, 9), 1n).errno).toBe(0);
    expect(setOneReg(TOY, 'word', 'toy', file, id(4, 4), 3n).errno).toBe('EINVAL');
    expect(setOneReg(TOY, 'word', 'toy', file, id(4, 4), 4n).errno).toBe(0);
    expect(() => setOneReg(TOY, 'newest', 'toy', file, id(4, 4), 4n)).toThrow(/no era 'newest' \(one of old, new, word\)/);
  });
});
