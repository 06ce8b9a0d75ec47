/**
 * The spec layer: `defineAbi` rejects contradicting or incomplete specs with a
 * message that names the spec and the field, resolves `otherwise` and
 * immediate selectors, and the {@link ValueSet} algebra it rests on agrees
 * with a naive set of numbers.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AbiSpecError, copyMemory, defineAbi, exampleTrap, fillMemory, IMMEDIATE_SELECTOR, originAllowed, repeatedByte, selectsByImmediate, type AbiSpec, type CallMemory, type CallSpec } from '../../src/abi/spec.ts';
import { hexValue, ValueSet } from '../../src/abi/value-set.ts';
import { findCall } from '../../src/dispatch/compiled-selector.ts';

const RETURN = (): { kind: 'return' } => ({ kind: 'return' });

function call(name: string, select: CallSpec['select']): CallSpec {
  return { name, select, summary: name, run: RETURN };
}

/** A small valid spec to break one field at a time. */
function base(overrides: Partial<AbiSpec> = {}): AbiSpec {
  return {
    id: 'toy-abi',
    family: 'toy',
    arch: 'toy',
    era: 'v1',
    status: 'draft',
    purpose: 'A toy ABI for the tests.',
    source: { document: 'test/abi/spec.test.ts', version: 'v1' },
    conduit: { instruction: 'hvc', imm: 0n },
    origin: { privilege: ['kernel'], world: ['host'] },
    selector: { register: 'r0', width: 8 },
    priority: 0,
    calls: [call('zero', 0n), call('small', { min: 1n, max: 3n }), call('rest', 'otherwise')],
    examples: [{ title: 'zero', registers: { r0: 0n }, call: 'zero' }],
    ...overrides,
  };
}

/** The AbiSpecError message `defineAbi` gives for `spec`. */
function rejection(spec: AbiSpec): string {
  try {
    defineAbi(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(AbiSpecError);
    return (error as Error).message;
  }
  throw new Error(`defineAbi accepted ${spec.id}`);
}

describe('defineAbi rejects a bad spec, naming the spec and the field', () => {
  it('a value claimed twice', () => {
    const message = rejection(base({ calls: [call('a', 5n), call('b', [7n, 5n])] }));
    expect(message).toBe("ABI spec 'toy-abi': calls[1] 'b'.select: value 0x5 is already claimed by 'a'");
  });

  it('overlapping ranges', () => {
    const message = rejection(base({ calls: [call('low', { min: 0n, max: 0x10n }), call('high', { min: 0x0cn, max: 0x20n })] }));
    expect(message).toBe("ABI spec 'toy-abi': calls[1] 'high'.select: value 0xc–0x10 is already claimed by 'low'");
  });

  it('finds the first call claiming a value an earlier call claims, whatever the order (against a naive set)', () => {
    const selectArb = fc.oneof(
      fc.integer({ min: 0, max: 63 }).map((v) => BigInt(v)),
      fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 8 })).map(([min, span]) => ({ min: BigInt(min), max: BigInt(min + span) })),
      fc.array(fc.integer({ min: 0, max: 63 }).map((v) => BigInt(v)), { minLength: 1, maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(selectArb, { minLength: 1, maxLength: 12 }), (selects) => {
        const members = selects.map((select) => {
          const items = Array.isArray(select) ? select : [select];
          const set = new Set<number>();
          for (const item of items) {
            if (typeof item === 'bigint') set.add(Number(item));
            else for (let v = Number(item.min); v <= Number(item.max); v++) set.add(v);
          }
          return set;
        });
        const calls = selects.map((select, i) => call(`c${i}`, select as CallSpec['select']));
        const spec = base({ calls, examples: [{ title: 'first', registers: { r0: BigInt(Math.min(...members[0]!)) }, call: 'c0' }] });
        const seen = new Set<number>();
        let clash: { index: number; values: number[] } | undefined;
        for (const [index, set] of members.entries()) {
          const both = [...set].filter((v) => seen.has(v)).sort((a, b) => a - b);
          if (both.length > 0) {
            clash = { index, values: both };
            break;
          }
          for (const v of set) seen.add(v);
        }
        if (clash === undefined) {
          const abi = defineAbi(spec);
          for (const [index, set] of members.entries()) for (const v of set) expect(abi.calls.find((c) => c.values.has(BigInt(v)))!.spec.name).toBe(`c${index}`);
          return;
        }
        const message = rejection(spec);
        expect(message).toMatch(new RegExp(`^ABI spec 'toy-abi': calls\\[${clash.index}\\] 'c${clash.index}'\\.select: value .* is already claimed by 'c\\d+'$`));
        const shown = /value (.*) is already claimed/.exec(message)![1]!;
        expect(shown).toBe(ValueSet.of(8, ...clash.values.map((v) => BigInt(v))).toString());
      }),
      { numRuns: 300 },
    );
  });

  it('a missing source document or version', () => {
    expect(rejection(base({ source: { document: ' ', version: 'v1' } }))).toBe("ABI spec 'toy-abi': source.document: missing: every spec cites its source");
    expect(rejection(base({ source: { document: 'somewhere', version: '' } }))).toBe("ABI spec 'toy-abi': source.version: missing: say which kernel (or other) version it describes");
    expect(rejection(base({ source: undefined as unknown as AbiSpec['source'] }))).toBe("ABI spec 'toy-abi': source.document: missing: every spec cites its source");
  });

  it("two 'otherwise' calls", () => {
    const message = rejection(base({ calls: [call('one', 1n), call('rest', 'otherwise'), call('more', 'otherwise')] }));
    expect(message).toBe("ABI spec 'toy-abi': calls[2] 'more': a second 'otherwise' call (the first is 'rest')");
  });

  it("an 'otherwise' with nothing left", () => {
    const message = rejection(base({ calls: [call('all', { min: 0n, max: 0xffn }), call('rest', 'otherwise')], examples: [] }));
    expect(message).toBe("ABI spec 'toy-abi': calls 'rest': 'otherwise' has nothing left to claim");
  });

  it('an example that reaches the wrong call', () => {
    const message = rejection(base({ examples: [{ title: 'two', registers: { r0: 2n }, call: 'zero' }] }));
    expect(message).toBe("ABI spec 'toy-abi': examples[0]: r0=0x2 reaches 'small', not 'zero'");
  });

  it('an example that names no call, or comes from the wrong place', () => {
    expect(rejection(base({ examples: [{ title: 'x', registers: {}, call: 'nope' }] }))).toBe("ABI spec 'toy-abi': examples[0]: names unknown call 'nope'");
    expect(rejection(base({ examples: [{ title: 'x', registers: {}, imm: 1, call: 'zero' }] }))).toBe("ABI spec 'toy-abi': examples[0].imm: 0x1 is outside conduit.imm (0x0)");
    expect(rejection(base({ examples: [{ title: 'x', registers: {}, origin: { privilege: 'user', world: 'host' }, call: 'zero' }] }))).toBe(
      "ABI spec 'toy-abi': examples[0].origin: user in host may not call this ABI",
    );
  });

  it('a call name used twice, an empty range, a bad width, no calls', () => {
    expect(rejection(base({ calls: [call('a', 1n), call('a', 2n)], examples: [] }))).toBe("ABI spec 'toy-abi': calls[1] 'a': call name used twice");
    expect(rejection(base({ calls: [call('a', { min: 5n, max: 4n })], examples: [] }))).toBe("ABI spec 'toy-abi': calls[0] 'a'.select: range 5..4 is empty");
    expect(rejection(base({ selector: { register: 'r0', width: 65 } }))).toBe("ABI spec 'toy-abi': selector.width: 65 is not 1..64");
    expect(rejection(base({ calls: [], examples: [] }))).toBe("ABI spec 'toy-abi': calls: no calls");
  });

  it('identity fields and origin', () => {
    expect(rejection(base({ id: '' }))).toBe("ABI spec '<no id>': id: missing");
    expect(rejection(base({ family: '' }))).toBe("ABI spec 'toy-abi': family: missing");
    expect(rejection(base({ origin: { privilege: [], world: ['host'] } }))).toBe("ABI spec 'toy-abi': origin.privilege: no privilege may call it");
  });

  it('conditions: on the selector, on the immediate, twice, or failed by an example', () => {
    const why = 'magic';
    expect(rejection(base({ conditions: [{ register: 'r0', values: 1n, why }] }))).toBe("ABI spec 'toy-abi': conditions[0]: the selector register r0 cannot also be a condition");
    expect(rejection(base({ conditions: [{ register: IMMEDIATE_SELECTOR, values: 1n, why }] }))).toMatch(/^ABI spec 'toy-abi': conditions\[0\]: 'imm' is the trap's immediate/);
    expect(
      rejection(
        base({
          conditions: [
            { register: 'r3', values: 1n, why },
            { register: 'r3', values: 2n, why },
          ],
        }),
      ),
    ).toBe("ABI spec 'toy-abi': conditions[1]: register r3 is conditioned twice");
    expect(rejection(base({ conditions: [{ register: 'r3', values: 0x4bn, why }] }))).toBe("ABI spec 'toy-abi': examples[0]: r3=0x0 fails the condition on r3");
    expect(rejection(base({ conditions: [{ register: 'r3', values: 1n, why, width: 65 }] }))).toBe("ABI spec 'toy-abi': conditions[0].width: 65 is not 1..64");
  });

  it('a condition with its own width looks at that many low bits of its register, whatever the selector width', () => {
    // An enable bit: bit 0 alone, whatever the rest of the register holds.
    const abi = defineAbi(base({ conditions: [{ register: 'r3', values: 1n, why: 'enable bit', width: 1 }], examples: [] }));
    expect(abi.conditions.get('r3')!.width).toBe(1);
    expect(findCall(abi, 0, { privilege: 'kernel', world: 'host' }, (r) => (r === 'r3' ? 0x1234_5001n : 0n))).toMatchObject({ spec: { name: 'zero' } });
    expect(findCall(abi, 0, { privilege: 'kernel', world: 'host' }, (r) => (r === 'r3' ? 0x1234_5000n : 0n))).toBe('r3=0x0 fails the condition r3 ∈ {0x1} (enable bit)');
    // Wider than an 8-bit selector: a non-zero 64-bit value.
    const wide = defineAbi(base({ conditions: [{ register: 'r4', values: { min: 1n, max: 0xffff_ffff_ffff_ffffn }, why: 'non-zero', width: 64 }], examples: [] }));
    expect(findCall(wide, 0, { privilege: 'kernel', world: 'host' }, (r) => (r === 'r4' ? 0x8100_0000_0000_0000n : 0n))).toMatchObject({ spec: { name: 'zero' } });
    expect(typeof findCall(wide, 0, { privilege: 'kernel', world: 'host' }, () => 0n)).toBe('string');
  });
});

describe('defineAbi resolves selectors', () => {
  it("'otherwise' claims exactly what the other calls leave", () => {
    const abi = defineAbi(base());
    expect(abi.calls.map((c) => [c.spec.name, c.values.toString()])).toEqual([
      ['zero', '0x0'],
      ['small', '0x1–0x3'],
      ['rest', '0x4–0xff'],
    ]);
  });

  it('values wrap to the selector width, so -1 is all ones', () => {
    const abi = defineAbi(base({ calls: [call('minus-one', -1n), call('rest', 'otherwise')], examples: [] }));
    expect(abi.calls[0]!.values.toString()).toBe('0xff');
  });

  it('an immediate selector claims immediates inside conduit.imm, and otherwise is the rest of conduit.imm', () => {
    const spec = base({
      conduit: { instruction: 'svc', imm: { min: 0x900000n, max: 0x9fffffn } },
      selector: { register: IMMEDIATE_SELECTOR, width: 32 },
      calls: [call('exit', 0x900001n), call('rest', 'otherwise')],
      examples: [
        { title: 'exit', registers: {}, imm: 0x900001, call: 'exit' },
        { title: 'default immediate', registers: {}, call: 'rest' },
      ],
    });
    expect(selectsByImmediate(spec)).toBe(true);
    const abi = defineAbi(spec);
    expect(abi.calls.map((c) => [c.spec.name, c.values.toString(), c.values.width])).toEqual([
      ['exit', '0x900001', 32],
      ['rest', '0x900000, 0x900002–0x9fffff', 32],
    ]);
    expect(rejection({ ...spec, calls: [call('svc0', 0n)], examples: [] })).toBe("ABI spec 'toy-abi': calls[0] 'svc0'.select: immediate 0x0 is outside conduit.imm (0x900000–0x9fffff)");
  });

  it('exampleTrap fills in the immediate and origin defaults', () => {
    const abi = defineAbi(base({ conduit: { instruction: 'hvc', imm: [0xea1n, 0x10n] }, origin: { privilege: ['kernel', 'hyp'], world: ['guest', 'host'] } }));
    expect(exampleTrap(abi, abi.spec.examples[0]!)).toEqual({ imm: 0x10, origin: { privilege: 'kernel', world: 'guest' }, registers: { r0: 0n } });
    expect(exampleTrap(abi, { title: 't', registers: {}, imm: 0xea1, origin: { privilege: 'hyp', world: 'host' }, call: 'zero' })).toMatchObject({ imm: 0xea1, origin: { privilege: 'hyp' } });
    expect(originAllowed(abi, { privilege: 'user', world: 'host' })).toBe(false);
  });
});

/** A naive model of a value set: the members, as numbers. */
function naive(set: ValueSet): Set<number> {
  const out = new Set<number>();
  for (const interval of set.intervals) for (let v = interval.min; v <= interval.max; v++) out.add(Number(v));
  return out;
}

const WIDTHS = [1, 2, 3, 4, 5, 6] as const;

/** An arbitrary set of a small width, built from values and ranges, with its naive twin. */
const arbitrarySet = fc.constantFrom(...WIDTHS).chain((width) => {
  const top = (1 << width) - 1;
  const piece = fc.oneof(
    fc.integer({ min: 0, max: top }).map((v) => ({ min: v, max: v })),
    fc.tuple(fc.integer({ min: 0, max: top }), fc.integer({ min: 0, max: top })).map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) })),
  );
  return fc.tuple(fc.constant(width), fc.array(piece, { maxLength: 6 }), fc.array(piece, { maxLength: 6 }));
});

function build(width: number, pieces: readonly { min: number; max: number }[]): { set: ValueSet; members: Set<number> } {
  const set = ValueSet.fromIntervals(
    width,
    pieces.map((p) => ({ min: BigInt(p.min), max: BigInt(p.max) })),
  );
  const members = new Set<number>();
  for (const p of pieces) for (let v = p.min; v <= p.max; v++) members.add(v);
  return { set, members };
}

function sorted(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

describe('ValueSet', () => {
  it('agrees with a naive set on union, intersection, complement, minus and membership (small widths)', () => {
    fc.assert(
      fc.property(arbitrarySet, ([width, left, right]) => {
        const a = build(width, left);
        const b = build(width, right);
        const all = Array.from({ length: 1 << width }, (_, v) => v);
        expect(sorted(naive(a.set))).toEqual(sorted(a.members));
        expect(sorted(naive(a.set.union(b.set)))).toEqual(sorted(new Set([...a.members, ...b.members])));
        expect(sorted(naive(a.set.intersect(b.set)))).toEqual(sorted(all.filter((v) => a.members.has(v) && b.members.has(v))));
        expect(sorted(naive(a.set.complement()))).toEqual(sorted(all.filter((v) => !a.members.has(v))));
        expect(sorted(naive(a.set.minus(b.set)))).toEqual(sorted(all.filter((v) => a.members.has(v) && !b.members.has(v))));
        for (const v of all) expect(a.set.has(BigInt(v))).toBe(a.members.has(v));
        expect(a.set.isEmpty()).toBe(a.members.size === 0);
        expect(a.set.isAll()).toBe(a.members.size === all.length);
        expect(a.set.first()).toBe(a.members.size === 0 ? undefined : BigInt(Math.min(...a.members)));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps intervals sorted, disjoint and non-adjacent', () => {
    fc.assert(
      fc.property(arbitrarySet, ([width, left, right]) => {
        const set = build(width, left).set.union(build(width, right).set);
        set.intervals.forEach((interval, i) => {
          expect(interval.min <= interval.max).toBe(true);
          const next = set.intervals[i + 1];
          if (next !== undefined) expect(next.min > interval.max + 1n).toBe(true);
        });
      }),
    );
  });

  it('wraps values to the width and prints hex', () => {
    expect(ValueSet.of(32, -1n).toString()).toBe('0xffffffff');
    expect(ValueSet.range(8, 0n, 2n).union(ValueSet.of(8, 0x10n)).toString()).toBe('0x0–0x2, 0x10');
    expect(ValueSet.all(64).toString()).toBe('any');
    expect(ValueSet.none(64).toString()).toBe('none');
    expect(ValueSet.range(8, 5n, 4n).isEmpty()).toBe(true);
    expect(hexValue(0xbadca11n)).toBe('0xbadca11');
  });

  it('costs intervals, not values: a 64-bit complement of a huge range is two intervals', () => {
    const top = ValueSet.top(64);
    const middle = ValueSet.range(64, 3n, top - 3n);
    expect(middle.complement().intervals).toEqual([
      { min: 0n, max: 2n },
      { min: top - 2n, max: top },
    ]);
    expect(middle.intersect(ValueSet.range(64, top - 10n, top)).intervals).toEqual([{ min: top - 10n, max: top - 3n }]);
  });
});

describe('copyMemory and fillMemory', () => {
  /** Memory of `size` bytes from 0 as 8-byte and 1-byte cells (what the fallbacks use), logging every access. */
  class LoggedMemory implements CallMemory {
    readonly log: string[] = [];
    readonly cells = new Map<string, bigint>();
    constructor(readonly size: bigint) {}
    read(address: bigint, size: 1 | 2 | 4 | 8): bigint | undefined {
      this.log.push(`r${size}@${address}`);
      return address + BigInt(size) > this.size ? undefined : (this.cells.get(`${address}:${size}`) ?? address);
    }
    write(address: bigint, size: 1 | 2 | 4 | 8, value: bigint): boolean {
      this.log.push(`w${size}@${address}=${value}`);
      this.cells.set(`${address}:${size}`, value);
      return address + BigInt(size) <= this.size;
    }
  }

  it('without the bulk forms: read every destination unit, then every source unit, then write (8-byte words, then bytes)', () => {
    const memory = new LoggedMemory(0x100n);
    expect(copyMemory(memory, 0x40n, 0x10n, 10)).toBe(true);
    expect(memory.log).toEqual(['r8@64', 'r1@72', 'r1@73', 'r8@16', 'r1@24', 'r1@25', 'w8@64=16', 'w1@72=24', 'w1@73=25']);
    memory.log.length = 0;
    expect(fillMemory(memory, 0x80n, 9, 0xab)).toBe(true);
    expect(memory.log).toEqual(['r8@128', 'r1@136', `w8@128=${0xabab_abab_abab_ababn}`, 'w1@136=171']);
    expect(repeatedByte(0x1ff)).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('without the bulk forms: nothing is written when any byte of either range is not there', () => {
    for (const run of [(m: CallMemory) => copyMemory(m, 0xf8n, 0n, 16), (m: CallMemory) => copyMemory(m, 0n, 0xf8n, 16), (m: CallMemory) => fillMemory(m, 0xfcn, 8, 0)]) {
      const memory = new LoggedMemory(0x100n);
      expect(run(memory)).toBe(false);
      expect(memory.log.filter((entry) => entry.startsWith('w'))).toEqual([]);
    }
  });

  it('hands the whole operation to a memory that has the bulk forms', () => {
    const calls: string[] = [];
    const memory: CallMemory = {
      read: () => {
        throw new Error('no reads');
      },
      write: () => {
        throw new Error('no writes');
      },
      copy: (destination, source, length) => calls.push(`copy ${destination} ${source} ${length}`) > 0,
      fill: (address, length, byte) => calls.push(`fill ${address} ${length} ${byte}`) < 0,
    };
    expect(copyMemory(memory, 1n, 2n, 3)).toBe(true);
    expect(fillMemory(memory, 4n, 5, 6)).toBe(false);
    expect(calls).toEqual(['copy 1 2 3', 'fill 4 5 6']);
  });
});
