/**
 * The recording memory's bulk forms record what `copyMemory` and
 * `fillMemory` record through its `read` and `write` alone: the same
 * writes, in the same order, with the same values, and later reads see them
 * alike; and a reused context forgets its memory.
 */

import { describe, expect, it } from 'vitest';
import { copyMemory, fillMemory, type CallMemory } from '../../src/abi/spec.ts';
import { RecordingContext, RecordingMemory } from '../../src/dispatch/recording-context.ts';

/** The same recording memory without its bulk forms. */
function wordByWord(memory: RecordingMemory): CallMemory {
  return { read: (address, size) => memory.read(address, size), write: (address, size, value) => memory.write(address, size, value) };
}

describe('RecordingMemory bulk copy and fill', () => {
  const programs: readonly (readonly ((memory: CallMemory) => boolean)[])[] = [
    [(m) => fillMemory(m, 0x1_0000n, 0x1000, 0)],
    [(m) => copyMemory(m, 0x1_0000n, 0x2_0000n, 0x1000)],
    [(m) => fillMemory(m, 0x1003n, 0x15, 0x7f), (m) => m.write(0x1008n, 8, 5n), (m) => fillMemory(m, 0x1000n, 0x10, 1)],
    [(m) => m.write(0x2000n, 8, 9n), (m) => m.write(0x2009n, 1, 3n), (m) => copyMemory(m, 0x3000n, 0x2000n, 0xb), (m) => copyMemory(m, 0x2004n, 0x2000n, 0x10)],
    [(m) => fillMemory(m, 0x10n, 0x20, 0xee), (m) => copyMemory(m, 0x18n, 0x10n, 0x18), (m) => fillMemory(m, 0x14n, 3, 0)],
  ];

  it.each(programs.map((program, index) => [index, program] as const))('program %i: the same writes and reads as word by word', (_, program) => {
    const bulk = new RecordingMemory();
    const plain = new RecordingMemory();
    for (const step of program) expect(step(bulk)).toBe(step(wordByWord(plain)));
    expect([...bulk.writes]).toEqual([...plain.writes]);
    for (const address of [0x10n, 0x18n, 0x1000n, 0x1008n, 0x1010n, 0x1013n, 0x2004n, 0x200cn, 0x3000n, 0x3008n, 0x300an, 0x1_0000n, 0x1_0ff8n]) {
      for (const size of [1, 8] as const) expect(bulk.read(address, size), `${address}:${size}`).toBe(plain.read(address, size));
    }
  });

  it('a page fill is 512 word writes of the repeated byte', () => {
    const memory = new RecordingMemory();
    memory.fill(0x1_0000n, 0x1000, 0x5a);
    const writes = [...memory.writes.values()];
    expect(writes).toHaveLength(512);
    expect(writes[511]).toEqual({ address: 0x1_0ff8n, size: 8, value: 0x5a5a_5a5a_5a5a_5a5an });
  });

  it('a reset context forgets the memory writes of its last call', () => {
    const context = new RecordingContext({}, 0, { privilege: 'kernel', world: 'guest' });
    context.memory.fill(0x1000n, 16, 1);
    expect(context.memory.writes.size).toBe(2);
    context.reset({}, 0, { privilege: 'kernel', world: 'guest' });
    expect(context.memory.writes.size).toBe(0);
    expect(context.memory.read(0x1000n, 8)).toBe(0n);
  });
});
