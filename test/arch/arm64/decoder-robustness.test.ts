/**
 * Decoder robustness: seeded random 32-bit words through the predecoder,
 * the table decoder and the disassembler. None may throw; every word either
 * decodes to a table row or predecodes to an undefined-instruction trap.
 */

import { describe, expect, it } from 'vitest';
import { ARM64_INSTRUCTION_SET, predecodeArm64 } from '../../../arch/arm64/core.ts';
import { ARM64_TABLE } from '../../../arch/arm64/table.ts';
import { GuestMemory } from '../../../src/memory/guest-memory.ts';
import { checkRandomWords } from '../../support/decoder-robustness.ts';

const WORDS = 100_000;
const ADDRESS = 0x8000;

describe('arm64 decoder robustness', () => {
  it(`decodes or traps as undefined for ${WORDS} seeded random words, without a JS exception`, () => {
    const memory = new GuestMemory('little');
    memory.map(ADDRESS, 0x1000);
    const report = checkRandomWords(
      { memory, endian: 'little', address: ADDRESS, predecode: (address) => predecodeArm64(memory, address), table: ARM64_TABLE, set: ARM64_INSTRUCTION_SET },
      WORDS,
      0x1d3c_0ffe,
    );
    expect(report.problems).toEqual([]);
    // A sanity check on the generator: a fair share of random words are table instructions.
    expect(report.decoded).toBeGreaterThan(WORDS / 10);
  });
});
