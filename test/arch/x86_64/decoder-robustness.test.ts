/**
 * Random byte strings never make the x86-64 decoder, predecoder,
 * disassemblers or assembler throw, and every decoded string's text
 * assembles back to the same text (`random-bytes.ts`). The full 10^6-string
 * run is `npx tsx scripts/x86_64-decode-fuzz.ts`.
 */

import { describe, expect, it } from 'vitest';
import { checkRandomBytes } from './random-bytes.ts';

describe('x86_64 decoder robustness', () => {
  it('decodes 20000 random 15-byte strings without throwing, and round-trips their text', () => {
    const report = checkRandomBytes(20_000, 0x5eed_0086);
    expect(report.problems).toEqual([]);
    // Random bytes hit real instructions often (one-byte opcodes are dense): the check is not vacuous.
    expect(report.decoded).toBeGreaterThan(8_000);
    expect(report.reassembled).toBe(report.decoded);
  });

  it('as 32-bit code (compatibility mode): 20000 random strings, no throw, text round-trips through the 32-bit assembler', () => {
    const report = checkRandomBytes(20_000, 0x5eed_0032, 1, 4);
    expect(report.problems).toEqual([]);
    expect(report.decoded).toBeGreaterThan(8_000);
    expect(report.reassembled).toBe(report.decoded);
  });
});
