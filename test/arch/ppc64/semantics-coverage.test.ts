/**
 * Every row of the Power ISA table has a semantics handler under its name,
 * and every handler names a row: a missing handler would otherwise
 * predecode silently as an illegal instruction (`no semantics for …`).
 */

import { describe, expect, it } from 'vitest';
import { PPC64_SEMANTICS } from '../../../arch/ppc64/semantics/index.ts';
import { PPC64_TABLE } from '../../../arch/ppc64/table.ts';

describe('ppc64 semantics coverage', () => {
  const rows = PPC64_TABLE.written.map((e) => e.def.name);

  it('has a handler for every table row', () => {
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.filter((name) => !Object.hasOwn(PPC64_SEMANTICS, name))).toEqual([]);
  });

  it('has no handler without a row', () => {
    expect(Object.keys(PPC64_SEMANTICS).filter((name) => !rows.includes(name))).toEqual([]);
  });
});
