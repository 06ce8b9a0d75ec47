/**
 * Structure layouts: definition checks, field access, and C-style
 * out-of-bounds offsets landing on the neighbouring fields.
 */

import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/state/architectural-state.ts';
import { defineStructLayout, fieldsAt, StructImage, StructLayoutError } from '../../src/state/struct-layout.ts';

const LAYOUT = defineStructLayout('toy', 'test', 'test', [
  { name: 'lo', offset: 0, bytes: 4, count: 1, what: '' },
  { name: 'hi', offset: 4, bytes: 4, count: 1, what: '' },
  { name: 'bank', offset: 8, bytes: 8, count: 3, what: '' },
]);

describe('defineStructLayout', () => {
  it('refuses misaligned, overlapping and duplicate fields', () => {
    expect(() => defineStructLayout('t', '', '', [{ name: 'a', offset: 2, bytes: 4, count: 1, what: '' }])).toThrow(StructLayoutError);
    expect(() => defineStructLayout('t', '', '', [{ name: 'a', offset: 0, bytes: 8, count: 2, what: '' }, { name: 'b', offset: 8, bytes: 4, count: 1, what: '' }])).toThrow(/overlaps/);
    expect(() => defineStructLayout('t', '', '', [{ name: 'a', offset: 0, bytes: 4, count: 1, what: '' }, { name: 'a', offset: 4, bytes: 4, count: 1, what: '' }])).toThrow(/twice/);
    expect(LAYOUT.size).toBe(32);
  });
});

describe('StructImage', () => {
  it('index -1 of an array is the 8 bytes before it: the fields there, low word first', () => {
    const image = new StructImage(LAYOUT);
    expect(image.offsetOf('bank', -1)).toBe(0);
    expect(fieldsAt(LAYOUT, image.offsetOf('bank', -1), 8)).toEqual(['lo', 'hi']);
    image.write(image.offsetOf('bank', -1), 8, 0x0000_0002_0000_03c5n);
    expect([image.get('lo'), image.get('hi')]).toEqual([0x3c5n, 2n]);
    expect(() => image.get('bank', 3)).toThrow(StateError);
    expect(() => image.read(28, 8)).toThrow(/outside the modelled 32 bytes/);
  });
});
