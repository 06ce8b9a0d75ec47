/**
 * Decoder robustness: seeded random 32-bit words through the predecoder,
 * the table decoder and the disassembler. None may throw; every word either
 * decodes to a table row or predecodes to an undefined-instruction trap.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_INSTRUCTION_SET, predecodeArm32 } from '../../../arch/arm32/core.ts';
import { ARM32_TABLE } from '../../../arch/arm32/table.ts';
import { GuestMemory } from '../../../src/memory/guest-memory.ts';

/** xorshift32: small, fast and the same on every run. */
function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

const WORDS = 120_000;
const ADDRESS = 0x8000;

describe('arm32 decoder robustness', () => {
  it(`decodes or traps as undefined for ${WORDS} seeded random words, without a JS exception`, () => {
    const next = xorshift32(0x1d3c_0ffe);
    const memory = new GuestMemory('little');
    memory.map(ADDRESS, 0x1000);
    const bytes = new Uint8Array(4);
    const view = new DataView(bytes.buffer);
    const problems: string[] = [];
    let decoded = 0;
    for (let i = 0; i < WORDS; i++) {
      const word = next();
      const hex = `0x${word.toString(16).padStart(8, '0')}`;
      try {
        memory.write32(ADDRESS, word);
        const op = predecodeArm32(memory, ADDRESS);
        const match = ARM32_TABLE.decode(word);
        view.setUint32(0, word, true);
        const text = ARM32_INSTRUCTION_SET.disassembleOne(bytes, ADDRESS);
        if (match !== undefined) {
          decoded += 1;
          if (op.name !== match.entry.def.name) problems.push(`${hex}: predecoded as ${op.name}, table says ${match.entry.def.name}`);
          if (text === undefined || text.text.startsWith('.inst')) problems.push(`${hex}: ${match.entry.def.name} has no disassembly (${text?.text})`);
        } else {
          const fixed = op.fixed;
          if (fixed === undefined || fixed.kind !== 'trap' || fixed.cause !== 'undefined') problems.push(`${hex}: no row, and not an undefined-instruction trap`);
          if (text !== undefined) problems.push(`${hex}: no row, yet disassembles to '${text.text}'`);
        }
      } catch (error) {
        problems.push(`${hex}: threw ${(error as Error).stack ?? String(error)}`);
      }
      if (problems.length >= 20) break;
    }
    expect(problems).toEqual([]);
    // A sanity check on the generator: a fair share of random words are table instructions.
    expect(decoded).toBeGreaterThan(WORDS / 10);
  });
});
