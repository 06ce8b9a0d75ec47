/**
 * The compiled selector on made-up specs built to hit the edges the shipped
 * ones do not: 64-bit selectors with calls one apart near 2^53 and 2^64,
 * conditions on a 32-bit spec given wider values (wrapped to the width),
 * negative values, an 8-bit selector taken from the immediate. Each decision
 * is checked against the reference finder (plain BigInt `ValueSet`s).
 */

import { describe, expect, it } from 'vitest';
import { defineAbi, IMMEDIATE_SELECTOR, PRIVILEGES, WORLDS, type Abi, type AbiSpec } from '../../src/abi/spec.ts';
import { NumberIntervals, ValueSet } from '../../src/abi/value-set.ts';
import { compileSelector, findCall, originIndex, ORIGINS, privilegeIndex, REFUSAL, SlotValues, worldIndex } from '../../src/dispatch/compiled-selector.ts';
import { referenceFindCall } from '../support/reference-dispatcher.ts';

const TOP = (1n << 64n) - 1n;
const EXACT = (1n << 53n) - 1n;

function spec(fields: Partial<AbiSpec> & Pick<AbiSpec, 'selector' | 'calls'>): Abi {
  return defineAbi({
    id: 'toy',
    family: 'toy',
    arch: 'toy',
    era: 'v1',
    status: 'draft',
    purpose: 'edges of the numeric decision',
    source: { document: 'test', version: 'v1' },
    conduit: { instruction: 'hvc', imm: 'any' },
    origin: { privilege: ['kernel'], world: ['host'] },
    priority: 0,
    examples: [],
    ...fields,
  });
}

const ret = () => ({ kind: 'return' }) as const;

const WIDE = spec({
  selector: { register: 'r0', width: 64 },
  conditions: [{ register: 'r4', values: [{ min: 1n << 63n, max: TOP }, 7n], why: 'high bit or seven' }],
  calls: [
    { name: 'five', select: 5n, summary: '', run: ret },
    { name: 'edge53', select: [EXACT, 1n << 53n], summary: '', run: ret },
    { name: 'above53', select: (1n << 53n) + 1n, summary: '', run: ret },
    { name: 'second', select: TOP - 1n, summary: '', run: ret },
    { name: 'top', select: TOP, summary: '', run: ret },
    { name: 'rest', select: { min: 0x100n, max: 0x1_0000_0000n }, summary: '', run: ret },
  ],
});

const NARROW = spec({
  selector: { register: 'r0', width: 32 },
  conditions: [{ register: 'r3', values: [0x4bn, 0xffff_ffffn], why: 'magic' }],
  calls: [
    { name: 'one', select: 1n, summary: '', run: ret },
    { name: 'other', select: 'otherwise', summary: '', run: ret },
  ],
});

const BY_IMM = spec({
  conduit: { instruction: 'svc', imm: { min: 0x10n, max: 0x2fn } },
  selector: { register: IMMEDIATE_SELECTOR, width: 8 },
  calls: [
    { name: 'low', select: { min: 0x10n, max: 0x1fn }, summary: '', run: ret },
    { name: 'high', select: 'otherwise', summary: '', run: ret },
  ],
});

const KERNEL_HOST = ORIGINS[originIndex({ privilege: 'kernel', world: 'host' })]!;

function around(values: readonly bigint[]): bigint[] {
  return values.flatMap((v) => [v - 2n, v - 1n, v, v + 1n, v + 2n, -v, v + (1n << 64n), v + (1n << 32n)]);
}

describe('origin indices', () => {
  it('privilegeIndex and worldIndex give the positions in PRIVILEGES and WORLDS, and ORIGINS is in originIndex order', () => {
    PRIVILEGES.forEach((privilege, i) => expect(privilegeIndex(privilege)).toBe(i));
    WORLDS.forEach((world, i) => expect(worldIndex(world)).toBe(i));
    ORIGINS.forEach((origin, i) => expect(originIndex(origin)).toBe(i));
  });
});

describe('compileSelector', () => {
  it('64-bit: calls one apart near 2^53 and 2^64, and a condition on the high half, decide as BigInt sets do', () => {
    const names = new Set<string>();
    for (const r0 of around([5n, EXACT, 1n << 53n, TOP - 1n, TOP, 0x100n, 0x1_0000_0000n])) {
      for (const r4 of around([1n << 63n, 7n, TOP])) {
        const read = (register: string): bigint => (register === 'r0' ? r0 : register === 'r4' ? r4 : 0n);
        const expected = referenceFindCall(WIDE, 0, KERNEL_HOST, read);
        expect(findCall(WIDE, 0, KERNEL_HOST, read), `r0=${r0} r4=${r4}`).toBe(expected);
        names.add(typeof expected === 'string' ? expected.replace(/=.*$/, '') : expected.spec.name);
      }
    }
    expect([...names].sort()).toEqual(['above53', 'edge53', 'five', 'r0', 'r4', 'rest', 'second', 'top']);
  });

  it('32-bit: values wider than the spec wrap to its width, for conditions and selector alike', () => {
    for (const r0 of around([1n, 0n, 0xffff_ffffn])) {
      for (const r3 of around([0x4bn, 0xffff_ffffn])) {
        const read = (register: string): bigint => (register === 'r0' ? r0 : register === 'r3' ? r3 : 0n);
        expect(findCall(NARROW, 0, KERNEL_HOST, read), `r0=${r0} r3=${r3}`).toBe(referenceFindCall(NARROW, 0, KERNEL_HOST, read));
      }
    }
    expect(findCall(NARROW, 0, KERNEL_HOST, (r) => (r === 'r3' ? 0x1_0000_004bn : 1n))).toMatchObject({ spec: { name: 'one' } });
    expect(findCall(NARROW, 0, KERNEL_HOST, (r) => (r === 'r3' ? -1n : 1n))).toMatchObject({ spec: { name: 'one' } });
  });

  it('an 8-bit selector taken from the immediate, and immediates outside the conduit', () => {
    for (let imm = 0; imm < 0x140; imm++) {
      expect(findCall(BY_IMM, imm, KERNEL_HOST, () => 0n), `imm=${imm}`).toBe(referenceFindCall(BY_IMM, imm, KERNEL_HOST, () => 0n));
    }
  });

  it('decide answers call indices and refusal codes; refusal gives the text', () => {
    const selector = compileSelector(NARROW);
    expect(selector.registers).toEqual(['r3', 'r0']);
    const values = new SlotValues(2);
    const at = originIndex({ privilege: 'kernel', world: 'host' });
    values.setBig(0, 0x4bn);
    values.setBig(1, 1n);
    expect(selector.call(selector.decide(0, at, values)).spec.name).toBe('one');
    expect(selector.decide(0, originIndex({ privilege: 'user', world: 'host' }), values)).toBe(REFUSAL.origin);
    values.setBig(0, 0n);
    expect(selector.decide(0, at, values)).toBe(REFUSAL.condition);
    expect(selector.refusal(REFUSAL.condition, 0, at, () => 0n)).toBe('r3=0x0 fails the condition r3 ∈ {0x4b, 0xffffffff} (magic)');
    expect(compileSelector(BY_IMM).decide(0x130, at, new SlotValues(0))).toBe(REFUSAL.immediate);
    expect(compileSelector(NARROW)).toBe(selector);
  });
});

describe('SlotValues and NumberIntervals', () => {
  it('hold exact values as numbers and the rest as BigInt', () => {
    const values = new SlotValues(4);
    values.setBig(0, EXACT);
    values.setBig(1, EXACT + 1n);
    values.setBig(2, -1n);
    values.setBig(3, 0xffff_ffffn);
    expect([...values.numbers].map((n) => Number.isNaN(n))).toEqual([false, true, true, false]);
    expect([values.big(0), values.big(1), values.big(2), values.big(3)]).toEqual([EXACT, EXACT + 1n, -1n, 0xffff_ffffn]);
  });

  it('bounds at or above 2^53 round, yet decide every exact value as the BigInt set does', () => {
    const set = ValueSet.fromIntervals(64, [
      { min: 3n, max: EXACT - 1n },
      { min: (1n << 53n) + 1n, max: TOP },
    ]);
    const numeric = new NumberIntervals(set.intervals);
    for (const v of [0n, 2n, 3n, 4n, EXACT - 2n, EXACT - 1n, EXACT]) expect(numeric.has(Number(v)), String(v)).toBe(set.has(v));
    expect(set.numeric).toBe(set.numeric);
  });
});
