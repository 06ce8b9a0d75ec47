/**
 * x86-64 against Unicorn 2 (python3-unicorn): seeded random straight-line
 * integer sequences (`x86_64-differential.ts`). Skips with the reason when
 * /usr/bin/python3 has no unicorn module.
 */

import { describe, expect, it } from 'vitest';
import { x86Differential, x86UnicornMissing } from './x86_64-differential.ts';

const missing = x86UnicornMissing();
if (missing !== undefined) console.log(`x86_64 differential: skipped (${missing})`);

describe('x86_64 against Unicorn 2', () => {
  it.skipIf(missing !== undefined)('agrees on 1500 random straight-line integer sequences', () => {
    expect(x86Differential(1500, 11)).toEqual([]);
  }, 120_000);
});
