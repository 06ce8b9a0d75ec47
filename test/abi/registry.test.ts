/**
 * The ABI registry: one stable list sorted by id, families in id order, and a
 * second registration of an id is an error, never an overwrite.
 */

import { describe, expect, it } from 'vitest';
import { AbiRegistry } from '../../src/abi/registry.ts';
import { defineAbi, type Abi } from '../../src/abi/spec.ts';

function toy(id: string, family: string, arch = 'toy'): Abi {
  return defineAbi({
    id,
    family,
    arch,
    era: 'v1',
    status: 'draft',
    purpose: 'toy',
    source: { document: 'test', version: 'v1' },
    conduit: { instruction: 'hvc', imm: 'any' },
    origin: { privilege: ['kernel'], world: ['host'] },
    selector: { register: 'r0', width: 8 },
    priority: 0,
    calls: [{ name: 'all', select: 'otherwise', summary: 'all', run: () => ({ kind: 'return' }) }],
    examples: [],
  });
}

describe('AbiRegistry', () => {
  it('sorts by id whatever the registration order, and filters by arch', () => {
    const registry = new AbiRegistry([toy('c', 'f2'), toy('a', 'f1'), toy('b', 'f1', 'other')]);
    expect(registry.all().map((abi) => abi.spec.id)).toEqual(['a', 'b', 'c']);
    expect(registry.all('toy').map((abi) => abi.spec.id)).toEqual(['a', 'c']);
    expect(registry.get('b')?.spec.arch).toBe('other');
    expect(registry.get('z')).toBeUndefined();
    expect([...registry.families()].map(([family, eras]) => [family, eras.map((e) => e.spec.id)])).toEqual([
      ['f1', ['a', 'b']],
      ['f2', ['c']],
    ]);
  });

  it('refuses an id registered twice', () => {
    expect(() => new AbiRegistry([toy('a', 'f'), toy('a', 'g')])).toThrow("ABI 'a' is registered twice");
  });
});
