/**
 * Literal pools share an entry between equal constants of one size, and
 * give every other value its own, as llvm-mc 14's `ConstantPools` does.
 */

import { describe, expect, it } from 'vitest';
import { LiteralPool } from '../../src/isa/literal-pool.ts';

describe('LiteralPool', () => {
  it('shares equal constants, not equal addresses, and empties on take', () => {
    const pool = new LiteralPool();
    expect(pool.empty).toBe(true);
    pool.add(0, { value: 0x1234_5678n, constant: true, size: 4 });
    pool.add(1, { value: 0x8000n, constant: false, size: 4 });
    pool.add(2, { value: 0x1234_5678n, constant: true, size: 4 });
    pool.add(3, { value: 0x8000n, constant: false, size: 4 });
    pool.add(4, { value: 0x1234_5678n, constant: true, size: 8 });
    expect(pool.empty).toBe(false);
    const entries = pool.take();
    expect(entries.map((e) => [e.value, e.size, e.requests])).toEqual([
      [0x1234_5678n, 4, [0, 2]],
      [0x8000n, 4, [1]],
      [0x8000n, 4, [3]],
      [0x1234_5678n, 8, [4]],
    ]);
    expect(pool.empty).toBe(true);
    pool.add(5, { value: 0x1234_5678n, constant: true, size: 4 });
    expect(pool.take().map((e) => e.requests)).toEqual([[5]]);
  });
});
