/**
 * Every row of the A32 table has a semantics handler under its name, and
 * every handler names a row: a missing handler would otherwise predecode
 * silently as an undefined instruction (`no semantics for …`).
 */

import { describe, expect, it } from 'vitest';
import { ARM32_SEMANTICS } from '../../../arch/arm32/semantics/index.ts';
import { ARM32_TABLE } from '../../../arch/arm32/table.ts';

describe('arm32 semantics coverage', () => {
  const rows = ARM32_TABLE.written.map((e) => e.def.name);

  it('has a handler for every table row', () => {
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.filter((name) => !Object.hasOwn(ARM32_SEMANTICS, name))).toEqual([]);
  });

  it('has no handler without a row', () => {
    expect(Object.keys(ARM32_SEMANTICS).filter((name) => !rows.includes(name))).toEqual([]);
  });
});
