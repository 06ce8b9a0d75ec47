/**
 * The numeric dispatcher against the reference (the plain BigInt rules with
 * every text built eagerly, test/support/reference-dispatcher.ts), on
 * seeded random traps for every shipped conduit. The traps are built from
 * the specs' own interval ends (and one past them), their examples, and
 * values around 2^32, 2^53 and 2^64, so that both the number path and the
 * BigInt path of every decision are taken; the test checks it saw every
 * verdict and every kind of refusal.
 */

import { describe, expect, it } from 'vitest';
import { PRIVILEGES, WORLDS, defineAbi, exampleTrap, type Abi, type AbiSpec, type Privilege, type World } from '../../src/abi/spec.ts';
import { KVM_ARM32_V4_12 } from '../../arch/arm32/abis/kvm-arm32.abi.ts';
import { LINUX_HYP_STUB_V4_12, LINUX_HYP_STUB_V5_7 } from '../../arch/arm32/abis/linux-hyp-stub.abi.ts';
import { AbiRegistry } from '../../src/abi/registry.ts';
import { loadAbis } from '../../src/di/container.ts';
import { analyseCollisions } from '../../src/dispatch/collisions.ts';
import { ClaimedInterpretation, dispatch, dispatchTable, findCall, interpret, RecordingMemory, VERDICTS, type Interpretation, type TrapQuery } from '../../src/dispatch/dispatcher.ts';
import { classifyBatch, exampleQueries } from '../../src/dispatch/classify-batch.ts';
import { referenceDispatch, referenceFindCall, referenceInterpret, type ReferenceInterpretation } from '../support/reference-dispatcher.ts';

const REGISTRY = loadAbis();
/** Eras that agree on a soft restart, so that random traps reach 'agree' too. */
const AGREEING = new AbiRegistry([LINUX_HYP_STUB_V4_12, KVM_ARM32_V4_12, LINUX_HYP_STUB_V5_7]);

/** A small seeded generator (xorshift32), so a failure reproduces. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

const SPECIAL: readonly bigint[] = [0n, 1n, -1n, 0xffff_ffffn, 0x1_0000_0000n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, 1n << 63n, (1n << 64n) - 1n, 0x4b56_4d21n, 0x8400_0000n];

/** Interesting register values for the specs on a conduit: every interval end and one either side, the examples' values, and the special values. */
function candidates(abis: readonly Abi[]): { values: bigint[]; imms: number[]; registers: string[] } {
  const values = new Set<bigint>(SPECIAL);
  const imms = new Set<number>([0, 1, 0xea1, 0xffff, 0x90_0000, 0x90_0014, 0xff_ffff]);
  const registers = new Set<string>();
  const ends = (min: bigint, max: bigint): void => {
    for (const v of [min - 1n, min, max, max + 1n]) values.add(v);
  };
  for (const abi of abis) {
    for (const interval of abi.imm.intervals) for (const v of [interval.min - 1n, interval.min, interval.max, interval.max + 1n]) if (v >= 0n && v <= 0xff_ffffn) imms.add(Number(v));
    if (abi.spec.selector.register !== 'imm') registers.add(abi.spec.selector.register);
    for (const call of abi.calls) {
      for (const interval of call.values.intervals.slice(0, 40)) {
        ends(interval.min, interval.max);
        if (abi.spec.selector.register === 'imm' && interval.min <= 0xff_ffffn) imms.add(Number(interval.min));
      }
      for (const arg of call.spec.args ?? []) registers.add(arg.register);
    }
    for (const [register, set] of abi.conditions) {
      registers.add(register);
      for (const interval of set.intervals) ends(interval.min, interval.max);
    }
    for (const example of abi.spec.examples) {
      const trap = exampleTrap(abi, example);
      imms.add(trap.imm);
      for (const [register, value] of Object.entries(trap.registers)) {
        registers.add(register);
        values.add(value);
      }
    }
  }
  return { values: [...values], imms: [...imms], registers: [...registers] };
}

/** The conduits the shipped specs use. */
const CONDUITS = [...new Set(REGISTRY.all().map((abi) => `${abi.spec.arch} ${abi.spec.conduit.instruction}`))].sort();

function traps(arch: string, conduit: string, count: number, seed: number, registry = REGISTRY): TrapQuery[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const abis = registry.all(arch).filter((abi) => abi.spec.conduit.instruction === conduit);
  const { values, imms, registers } = candidates(abis);
  const out: TrapQuery[] = [];
  for (let i = 0; i < count; i++) {
    const regs: Record<string, bigint> = {};
    for (const register of registers) {
      if (next() < 0.3) continue;
      // Mostly interval ends; sometimes a random 32- or 64-bit value.
      const r = next();
      regs[register] = r < 0.8 ? pick(values) : r < 0.9 ? BigInt(Math.floor(next() * 0x1_0000_0000)) : (BigInt(Math.floor(next() * 0x1_0000_0000)) << 32n) | BigInt(Math.floor(next() * 0x1_0000_0000));
    }
    const world = next() < 0.34 ? undefined : pick(WORLDS);
    const privilege: Privilege = pick(PRIVILEGES);
    out.push({ arch, conduit, imm: pick(imms), privilege, ...(world === undefined ? {} : { world: world as World }), registers: regs });
  }
  return out;
}

function sameInterpretation(actual: Interpretation, expected: ReferenceInterpretation): void {
  expect({ abi: actual.abi, mine: actual.mine, call: actual.call, effect: actual.effect }).toEqual({ abi: expected.abi, mine: expected.mine, call: expected.call, effect: expected.effect });
  if (!expected.mine) return;
  expect(actual.args).toEqual(expected.args);
  expect(actual.writes).toEqual(expected.writes);
  expect(actual.outcome).toEqual(expected.outcome);
  expect(actual.returns).toBe(expected.returns);
}

describe('the numeric dispatcher agrees with the reference on random traps', () => {
  const seen = { verdicts: new Set<string>(), refusals: new Set<string>(), wide: 0 };

  /** Every example of every spec, and every collision witness, as a trap (with the world given and left open). */
  function curated(arch: string, conduit: string): TrapQuery[] {
    const out: TrapQuery[] = [];
    for (const abi of REGISTRY.all(arch).filter((a) => a.spec.conduit.instruction === conduit)) {
      for (const example of abi.spec.examples) {
        const trap = exampleTrap(abi, example);
        out.push({ arch, conduit, imm: trap.imm, privilege: trap.origin.privilege, world: trap.origin.world, registers: trap.registers });
        out.push({ arch, conduit, imm: trap.imm, privilege: trap.origin.privilege, registers: trap.registers });
      }
    }
    for (const c of analyseCollisions(REGISTRY, arch).collisions.filter((c) => c.conduit === conduit)) {
      out.push({ arch, conduit, imm: c.witness.imm, privilege: c.witness.origin.privilege, world: c.witness.origin.world, registers: Object.fromEntries(Object.entries(c.witness.registers).map(([r, v]) => [r, BigInt(v)])) });
    }
    return out;
  }

  function check(registry: AbiRegistry, query: TrapQuery): void {
    const table = dispatchTable(registry, query.arch, query.conduit);
    const expected = referenceDispatch(registry, query);
    const actual = dispatch(registry, query);
    expect(actual.verdict, JSON.stringify(query, (_, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))).toBe(expected.verdict);
    expect(actual.interpretations.length).toBe(expected.interpretations.length);
    actual.interpretations.forEach((interpretation, i) => sameInterpretation(interpretation, expected.interpretations[i]!));
    // Equal agreement keys exactly where the reference's are equal.
    const claims = actual.interpretations.filter((i) => i.mine);
    const reference = expected.interpretations.filter((i) => i.mine);
    for (let a = 0; a < claims.length; a++) for (let b = a + 1; b < claims.length; b++) expect(claims[a]!.key === claims[b]!.key).toBe(reference[a]!.key === reference[b]!.key);
    // The object-free path gives the same verdict and claims.
    expect(VERDICTS[table.run(query)]).toBe(expected.verdict);
    expect(table.claims).toBe(claims.length);
    for (const abi of table.abis) sameInterpretation(interpret(abi, query), referenceInterpret(abi, query));
    seen.verdicts.add(expected.verdict);
    for (const i of expected.interpretations) if (!i.mine) seen.refusals.add(['answers only', 'callable only', 'fails the condition', 'is not one of'].find((kind) => i.effect.includes(kind)) ?? i.effect);
    if (Object.values(query.registers).some((v) => v < 0n || v > (1n << 53n) - 1n)) seen.wide++;
  }

  it.each(CONDUITS)('%s', (name) => {
    const [arch, conduit] = name.split(' ') as [string, string];
    for (const query of [...curated(arch, conduit), ...traps(arch, conduit, 500, name.length * 7919 + conduit.charCodeAt(0))]) check(REGISTRY, query);
  });

  it('arm32 hvc against eras that agree on a soft restart', () => {
    for (const query of traps('arm32', 'hvc', 300, 4242, AGREEING)) check(AGREEING, query);
  });

  it('saw every verdict, every kind of refusal and values for the BigInt path', () => {
    expect([...seen.verdicts].sort()).toEqual(['agree', 'collision', 'unclaimed', 'unique']);
    expect([...seen.refusals].sort()).toEqual(['answers only', 'callable only', 'fails the condition', 'is not one of']);
    expect(seen.wide).toBeGreaterThan(100);
  });
});

describe('findCall agrees with the reference finder', () => {
  it('on every shipped spec, for random origins, immediates and registers', () => {
    const next = random(12345);
    let calls = 0;
    let reasons = 0;
    for (const abi of REGISTRY.all()) {
      for (const query of traps(abi.spec.arch, abi.spec.conduit.instruction, 60, abi.spec.id.length)) {
        const origin = { privilege: query.privilege, world: query.world ?? (next() < 0.5 ? 'host' : 'guest') } as const;
        const read = (register: string): bigint => query.registers[register] ?? 0n;
        const expected = referenceFindCall(abi, query.imm, origin, read);
        expect(findCall(abi, query.imm, origin, read)).toBe(expected);
        if (typeof expected === 'string') reasons++;
        else calls++;
      }
    }
    expect(calls).toBeGreaterThan(100);
    expect(reasons).toBeGreaterThan(100);
  });
});

/** A spec on the toy architecture's `hvc` (any immediate, selector r0), host only, callable from `privileges`. */
function toySpec(id: string, calls: AbiSpec['calls'], privileges: Privilege[] = ['kernel'], worlds: World[] = ['host']): Abi {
  return defineAbi({
    id,
    family: id,
    arch: 'toy',
    era: 'v1',
    status: 'draft',
    purpose: 'toy',
    source: { document: 'test', version: 'v1' },
    conduit: { instruction: 'hvc', imm: 'any' },
    origin: { privilege: privileges, world: worlds },
    selector: { register: 'r0', width: 32 },
    priority: 0,
    calls,
    examples: [],
  });
}

describe('DispatchTable', () => {
  it('sorts the specs once by priority, then id, and shares one slot per register', () => {
    const table = dispatchTable(REGISTRY, 'ppc64', 'sc');
    expect(table.abis.map((abi) => abi.spec.priority)).toEqual([...table.abis.map((abi) => abi.spec.priority)].sort((a, b) => b - a));
    expect(new Set(table.registers).size).toBe(table.registers.length);
    expect(dispatchTable(REGISTRY, 'ppc64', 'sc')).toBe(table);
    expect(dispatchTable(REGISTRY, 'arm32', 'vmcall').abis).toEqual([]);
  });

  it('run leaves each decision, outcome and context readable; classify hands the contexts to its interpretations', () => {
    const table = dispatchTable(REGISTRY, 'arm32', 'hvc');
    const query: TrapQuery = { arch: 'arm32', conduit: 'hvc', imm: 0, privilege: 'kernel', world: 'host', registers: { r0: 2n, hsctlr: 0x30c5_1805n } };
    expect(VERDICTS[table.run(query)]).toBe('collision');
    const kvm = table.abis.findIndex((abi) => abi.spec.id === 'kvm-arm32-v4.12');
    const xen = table.abis.findIndex((abi) => abi.spec.id === 'xen-arm32');
    expect(table.code(kvm)).toBeGreaterThanOrEqual(0);
    expect(table.outcome(kvm)).toEqual({ kind: 'return' });
    expect(table.context(kvm)?.written('hsctlr')).toBe(0x30c5_0800n);
    expect(table.code(xen)).toBeLessThan(0);
    expect(table.outcome(xen)).toBeUndefined();
    const first = table.classify(query);
    const second = table.classify({ ...query, registers: { r0: 2n, hsctlr: 0n } });
    // The first answer is not disturbed by the second classification.
    const claimed = first.interpretations.find((i) => i.abi === 'kvm-arm32-v4.12') as ClaimedInterpretation;
    expect(claimed.writes).toMatchObject({ hsctlr: 0x30c5_0800n, hvbar: 0x8010_0000n, r0: 0n });
    expect((second.interpretations.find((i) => i.abi === 'kvm-arm32-v4.12') as ClaimedInterpretation).writes['hsctlr']).toBe(0n);
  });

  it('a call whose semantics read no input runs once; one that reads the immediate, the origin, the state or a register runs on each trap', () => {
    let runs = 0;
    const spec = (id: string, calls: AbiSpec['calls']): Abi => toySpec(id, calls, ['kernel', 'hyp']);
    const constant = spec('toy-constant', [
      {
        name: 'error',
        select: 1n,
        summary: 'r0 ← 0xbadca11',
        run: (call) => {
          runs++;
          call.setU32('r0', 0xbadca11);
          return { kind: 'return' };
        },
      },
    ]);
    const inputs = spec('toy-inputs', [
      { name: 'imm', select: 1n, summary: 'r1 ← imm', run: (call) => (call.setU32('r1', call.imm), { kind: 'return' }) },
      { name: 'origin', select: 2n, summary: 'r1 ← hyp?', run: (call) => (call.setU32('r1', call.origin.privilege === 'hyp' ? 1 : 0), { kind: 'return' }) },
      { name: 'state', select: 3n, summary: 'r1 ← count', run: (call) => (call.set('r1', call.state.get('count', 7n)), { kind: 'return' }) },
      { name: 'register', select: 4n, summary: 'r1 ← r2', run: (call) => (call.copy('r1', 'r2'), { kind: 'return' }) },
    ]);
    const table = new AbiRegistry([constant, inputs]);
    const query = (r0: bigint, imm: number, privilege: Privilege, r2 = 0n): TrapQuery => ({ arch: 'toy', conduit: 'hvc', imm, privilege, world: 'host', registers: { r0, r2 } });
    const at = (id: string): number => dispatchTable(table, 'toy', 'hvc').abis.findIndex((abi) => abi.spec.id === id);
    const written = (q: TrapQuery, id: string, register: string): bigint | undefined => {
      const t = dispatchTable(table, 'toy', 'hvc');
      t.run(q);
      return t.context(at(id))?.written(register);
    };
    expect(written(query(1n, 5, 'kernel'), 'toy-constant', 'r0')).toBe(0xbadca11n);
    const built = runs;
    expect(written(query(1n, 6, 'hyp'), 'toy-constant', 'r0')).toBe(0xbadca11n);
    expect(runs).toBe(built);
    expect(written(query(1n, 5, 'kernel'), 'toy-inputs', 'r1')).toBe(5n);
    expect(written(query(1n, 9, 'kernel'), 'toy-inputs', 'r1')).toBe(9n);
    expect(written(query(2n, 0, 'kernel'), 'toy-inputs', 'r1')).toBe(0n);
    expect(written(query(2n, 0, 'hyp'), 'toy-inputs', 'r1')).toBe(1n);
    expect(written(query(3n, 0, 'kernel'), 'toy-inputs', 'r1')).toBe(7n);
    expect(written(query(4n, 0, 'kernel', 0x1234n), 'toy-inputs', 'r1')).toBe(0x1234n);
    expect(written(query(4n, 0, 'kernel', 0x5678n), 'toy-inputs', 'r1')).toBe(0x5678n);
    // The shared context survives classify handing it to an interpretation, and the interpretation's writes stay.
    const first = dispatchTable(table, 'toy', 'hvc').classify(query(1n, 0, 'kernel'));
    dispatchTable(table, 'toy', 'hvc').run(query(4n, 0, 'kernel', 3n));
    expect((first.interpretations.find((i) => i.abi === 'toy-constant') as ClaimedInterpretation).writes).toEqual({ r0: 0xbadca11n });
    expect(written(query(1n, 0, 'kernel'), 'toy-constant', 'r0')).toBe(0xbadca11n);
    expect(runs).toBe(built);
  });

  it('run runs only the semantics the verdict needs; the others run when their effect is read, on the trap decided', () => {
    const ran: string[] = [];
    const toy = (id: string, write: (r1: bigint) => bigint): Abi =>
      toySpec(id, [
        {
          name: 'call',
          select: { min: id === 'toy-c' ? 1n : 0n, max: 1n },
          summary: 'r0 ← f(r1)',
          run: (call) => {
            ran.push(id);
            call.set('r0', write(call.get('r1')));
            return { kind: 'return' };
          },
        },
      ]);
    const registry = new AbiRegistry([toy('toy-a', (r1) => r1), toy('toy-b', (r1) => r1 + 1n), toy('toy-c', (r1) => r1)]);
    const table = dispatchTable(registry, 'toy', 'hvc');
    const query = (r0: bigint, r1: bigint): TrapQuery => ({ arch: 'toy', conduit: 'hvc', imm: 0, privilege: 'kernel', world: 'host', registers: { r0, r1 } });
    const index = (id: string): number => table.abis.findIndex((abi) => abi.spec.id === id);
    // Building the table probed each call once (each reads r1, so none is constant).
    expect(ran.sort()).toEqual(['toy-a', 'toy-b', 'toy-c']);
    ran.length = 0;
    // toy-c claims only r0 = 1: with r0 = 0, a and b claim; they differ, and c is refused.
    expect(VERDICTS[table.run(query(0n, 5n))]).toBe('collision');
    expect(ran).toEqual(['toy-a', 'toy-b']);
    // r0 = 1: all three claim, a and b differ, so c is not run until its effect is read (on r1 = 7, not the earlier trap's 5).
    ran.length = 0;
    expect(VERDICTS[table.run(query(1n, 7n))]).toBe('collision');
    expect(ran).toEqual(['toy-a', 'toy-b']);
    expect(table.context(index('toy-c'))?.written('r0')).toBe(7n);
    expect(table.outcome(index('toy-c'))).toEqual({ kind: 'return' });
    expect(ran).toEqual(['toy-a', 'toy-b', 'toy-c']);
    // One claim: no semantics runs for the verdict.
    const single = new AbiRegistry([toy('toy-c', (r1) => r1)]);
    const alone = dispatchTable(single, 'toy', 'hvc');
    ran.length = 0;
    expect(VERDICTS[alone.run(query(1n, 3n))]).toBe('unique');
    expect(ran).toEqual([]);
    expect(alone.context(0)?.written('r0')).toBe(3n);
    // classify runs every claimed call.
    ran.length = 0;
    const answer = table.classify(query(1n, 2n));
    expect(ran.sort()).toEqual(['toy-a', 'toy-b', 'toy-c']);
    expect(answer.interpretations.filter((i) => i.mine).map((i) => (i as ClaimedInterpretation).writes['r0'])).toEqual([2n, 3n, 2n]);
  });

  it('twins: specs whose call runs one semantics function run it once per trap and origin, and share its effect', () => {
    const ran: string[] = [];
    const shared: AbiSpec['calls'][number]['run'] = (call) => {
      ran.push(`shared@${call.origin.world}`);
      call.set('r0', call.get('r1') + (call.origin.world === 'guest' ? 100n : 1n));
      return { kind: 'return' };
    };
    const own: AbiSpec['calls'][number]['run'] = (call) => {
      ran.push('own');
      call.set('r0', call.get('r1') + 1n);
      return { kind: 'return' };
    };
    const call = (run: AbiSpec['calls'][number]['run']): AbiSpec['calls'] => [{ name: 'call', select: { min: 0n, max: 1n }, summary: 'r0 ← r1 + 1', run }];
    const registry = new AbiRegistry([
      toySpec('twin-a', call(shared)),
      toySpec('twin-b', call(shared)),
      toySpec('twin-guest', call(shared), ['kernel'], ['guest']),
      toySpec('twin-own', call(own)),
    ]);
    const table = dispatchTable(registry, 'toy', 'hvc');
    const index = (id: string): number => table.abis.findIndex((abi) => abi.spec.id === id);
    const query = (r1: bigint, world?: World): TrapQuery => ({ arch: 'toy', conduit: 'hvc', imm: 0, privilege: 'kernel', ...(world === undefined ? {} : { world }), registers: { r0: 0n, r1 } });
    ran.length = 0;
    // Host only: a, b and own claim and agree; the shared function runs once for a and b.
    expect(VERDICTS[table.run(query(5n, 'host'))]).toBe('agree');
    expect(ran.sort()).toEqual(['own', 'shared@host']);
    expect(table.context(index('twin-b'))).toBe(table.context(index('twin-a')));
    expect(table.context(index('twin-b'))?.written('r0')).toBe(6n);
    expect(table.outcome(index('twin-b'))).toEqual({ kind: 'return' });
    // Both worlds open: the guest spec is decided for another origin, so the function runs again there, and differs.
    ran.length = 0;
    expect(VERDICTS[table.run(query(7n))]).toBe('collision');
    for (const id of ['twin-a', 'twin-b', 'twin-own']) table.context(index(id));
    expect(table.context(index('twin-guest'))?.written('r0')).toBe(107n);
    expect(ran.sort()).toEqual(['own', 'shared@guest', 'shared@host']);
    expect(table.context(index('twin-a'))?.written('r0')).toBe(8n);
    // A new trap never reuses the last one's run: read lazily, b runs on r1 = 9, not on a's earlier trap.
    ran.length = 0;
    table.decide(query(9n, 'host'));
    expect(table.context(index('twin-b'))?.written('r0')).toBe(10n);
    expect(table.context(index('twin-a'))).toBe(table.context(index('twin-b')));
    expect(ran).toEqual(['shared@host']);
    // classify hands each interpretation the shared writes.
    ran.length = 0;
    const answer = table.classify(query(11n, 'host'));
    expect(answer.interpretations.filter((i) => i.mine).map((i) => [i.abi, (i as ClaimedInterpretation).writes['r0']])).toEqual([
      ['twin-a', 12n],
      ['twin-b', 12n],
      ['twin-own', 12n],
    ]);
    expect(ran.sort()).toEqual(['own', 'shared@host']);
  });

  it('the MMIO eras that differ only without a syndrome share their ISV = 1 semantics', () => {
    const table = dispatchTable(REGISTRY, 'arm32', 'data-abort');
    const run = (id: string): unknown => table.abis.find((abi) => abi.spec.id === id)!.calls.find((c) => c.spec.meaning === 'mmio-syndrome-valid')!.spec.run;
    expect(run('kvm-arm-mmio-pre-merge-stw')).toBe(run('kvm-arm-mmio-pre-merge'));
    expect(run('kvm-arm-mmio-v3.9')).toBe(run('kvm-arm-mmio-pre-merge'));
    expect(run('kvm-arm-mmio-v5.5-nisv')).toBe(run('kvm-arm-mmio-v5.5'));
    // v5.5 checks cache maintenance first and injects another abort: its own function.
    expect(run('kvm-arm-mmio-v5.5')).not.toBe(run('kvm-arm-mmio-v3.9'));
  });

  it('reads: the registers the specs on a conduit read, their semantics included', () => {
    expect([...dispatchTable(REGISTRY, 'arm32', 'hvc').reads].sort()).toEqual(['hsctlr', 'hvbar', 'r0', 'r1', 'r12', 'r2', 'r3', 'r4', 'vmpidr']);
    expect(dispatchTable(REGISTRY, 'ppc64', 'sc').reads.has('pc')).toBe(true);
    expect(dispatchTable(REGISTRY, 'ppc64', 'sc').reads.has('msr')).toBe(true);
    expect(dispatchTable(REGISTRY, 'arm32', 'svc').reads.has('r8')).toBe(false);
  });
});

describe('classifyBatch', () => {
  it('gives each query the verdict dispatch gives, and counts the claims', () => {
    for (const arch of ['arm32', 'ppc64']) {
      const queries = exampleQueries(REGISTRY, arch);
      expect(queries.length).toBe(REGISTRY.all(arch).reduce((n, abi) => n + abi.spec.examples.length, 0));
      const verdicts = new Uint8Array(queries.length);
      const claims = classifyBatch(REGISTRY, queries, verdicts);
      expect([...verdicts].map((v) => VERDICTS[v])).toEqual(queries.map((q) => dispatch(REGISTRY, q).verdict));
      expect(claims).toBe(queries.reduce((n, q) => n + dispatch(REGISTRY, q).interpretations.filter((i) => i.mine).length, 0));
    }
  });
});

describe('RecordingMemory', () => {
  it('reads 0 until written, then the last value at exactly that address and size; lists each place once, in order of first write', () => {
    const memory = new RecordingMemory();
    expect(memory.read(0x1000n, 8)).toBe(0n);
    memory.write(0x1000n, 8, 5n);
    memory.write(0x2000n, 4, 6n);
    expect(memory.read(0x1000n, 8)).toBe(5n);
    expect(memory.read(0x1000n, 4)).toBe(0n);
    memory.write(0x1000n, 8, 7n);
    expect(memory.read(0x1000n, 8)).toBe(7n);
    expect([...memory.writes]).toEqual([
      ['4096:8', { address: 0x1000n, size: 8, value: 7n }],
      ['8192:4', { address: 0x2000n, size: 4, value: 6n }],
    ]);
  });
});
