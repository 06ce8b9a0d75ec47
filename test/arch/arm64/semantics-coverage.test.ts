/**
 * Every row of the A64 table has a semantics handler under its name, and
 * every handler names a row: a missing handler would otherwise predecode
 * silently as an undefined instruction (`no semantics for …`).
 */

import { describe, expect, it } from 'vitest';
import { ARM64_SEMANTICS } from '../../../arch/arm64/semantics/index.ts';
import { ARM64_TABLE } from '../../../arch/arm64/table.ts';

describe('arm64 semantics coverage', () => {
  const rows = ARM64_TABLE.written.map((e) => e.def.name);

  it('has a handler for every table row', () => {
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.filter((name) => !Object.hasOwn(ARM64_SEMANTICS, name))).toEqual([]);
  });

  it('has no handler without a row', () => {
    expect(Object.keys(ARM64_SEMANTICS).filter((name) => !rows.includes(name))).toEqual([]);
  });
});
