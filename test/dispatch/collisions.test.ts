/**
 * The static collision analysis: every collision it reports comes with a
 * witness that the dispatcher confirms, the allow-list has no stale entries
 * (and a stale one is reported), intended and hazardous stub × KVM pairs are
 * told apart, and the cost of the analysis follows the number of calls and
 * intervals, never the width of the registers.
 */

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ARM32_ALLOWED_COLLISIONS } from '../../arch/arm32/abis/index.ts';
import { AbiRegistry, type AllowedCollision } from '../../src/abi/registry.ts';
import { defineAbi, type Abi, type AbiSpec } from '../../src/abi/spec.ts';
import { ValueSet } from '../../src/abi/value-set.ts';
import { loadAbis } from '../../src/di/container.ts';
import { analyseCollisions, type Collision } from '../../src/dispatch/collisions.ts';
import { dispatch } from '../../src/dispatch/dispatcher.ts';

const REGISTRY = loadAbis();
const REPORT = analyseCollisions(REGISTRY);

function pair(a: string, b: string): string {
  return [a, b].sort().join(' × ');
}

function confirm(registry: AbiRegistry, collision: Collision): void {
  const registers = Object.fromEntries(Object.entries(collision.witness.registers).map(([register, value]) => [register, BigInt(value)]));
  const result = dispatch(registry, {
    arch: collision.arch,
    conduit: collision.conduit,
    imm: collision.witness.imm,
    privilege: collision.witness.origin.privilege,
    world: collision.witness.origin.world,
    registers,
  });
  const claims = collision.abis.map((id) => result.interpretations.find((i) => i.abi === id));
  expect(claims.map((c) => c?.mine), `${collision.abis.join(' × ')} at ${JSON.stringify(collision.witness)}`).toEqual([true, true]);
  expect(claims.map((c) => c?.call)).toEqual(collision.calls);
}

describe('the shipped arm32 specs', () => {
  it('every collision has a witness that makes both specs claim the trap', () => {
    expect(REPORT.collisions.length).toBeGreaterThan(0);
    for (const collision of REPORT.collisions) confirm(REGISTRY, collision);
  });

  it('the allow-list has no stale entries, and each entry has a one-line reason', () => {
    expect(REPORT.stale).toEqual([]);
    for (const entry of ARM32_ALLOWED_COLLISIONS) expect(entry.reason).toMatch(/^[^\n]{20,}$/);
  });

  it('allows the stub × KVM pairs that shipped together and cannot meet, and leaves the hazards visible', () => {
    const allowed = REPORT.collisions.filter((c) => c.allowed && c.arch === 'arm32' && c.conduit === 'hvc' && c.witness.origin.world === 'host').map((c) => pair(...c.abis));
    expect(allowed).toEqual([pair('linux-hyp-stub-v3.6', 'kvm-arm32-v3.9'), pair('linux-hyp-stub-v3.6', 'kvm-arm32-v3.10'), pair('linux-hyp-stub-v4.12', 'kvm-arm32-v4.12')].sort());
    for (const hazard of [
      ['linux-hyp-stub-v4.12', 'kvm-arm32-v3.9'],
      ['linux-hyp-stub-v4.12', 'kvm-arm32-v3.10'],
      // Shipped together (the beagleboard tree), and still a hazard: kdump with a VM running.
      ['linux-hyp-stub-rmk', 'kvm-arm32-v3.10'],
    ] as const) {
      const found = REPORT.collisions.find((c) => pair(...c.abis) === pair(hazard[0], hazard[1]));
      expect(found, hazard.join(' x ')).toMatchObject({ allowed: false, conduit: 'hvc' });
      expect(found?.reason).toBeUndefined();
    }
    // A reason never says KVM v3.9 answers get-vectors: that is v3.10+.
    const v39 = ARM32_ALLOWED_COLLISIONS.find((e) => e.abis.includes('kvm-arm32-v3.9'))!;
    expect(v39.reason).not.toMatch(/answers the stub's only query/);
    expect(v39.reason).toContain('a call to 0xffffffff');
  });

  it("KVM's guest PSCI and Xen's HVC handling overlap (KVM ignores the immediate), allowed as different hypervisors", () => {
    const guest = REPORT.collisions.filter((c) => c.arch === 'arm32' && c.witness.origin.world === 'guest').map((c) => pair(...c.abis));
    expect(guest).toEqual(
      [pair('psci-v0.2-hvc', 'xen-arm32'), pair('psci-v0.2-hvc', 'xen-arm32-hvc-undef'), pair('kvm-psci-v0.1', 'xen-arm32'), pair('kvm-psci-v0.1', 'xen-arm32-hvc-undef')].sort(),
    );
    for (const collision of REPORT.collisions.filter((c) => c.arch === 'arm32' && c.witness.origin.world === 'guest')) {
      expect(collision.allowed).toBe(true);
      expect(collision.reason).toContain('Two hypervisors that never serve one guest');
    }
    const xen = REPORT.collisions.find((c) => pair(...c.abis) === pair('psci-v0.2-hvc', 'xen-arm32'))!;
    expect(xen.witness.imm).toBe(0xea1);
  });

  it('collisions are only between families on one conduit, from an origin both allow', () => {
    for (const collision of REPORT.collisions) {
      const [a, b] = collision.abis.map((id) => REGISTRY.get(id)!.spec);
      expect(a!.family).not.toBe(b!.family);
      expect(a!.conduit.instruction).toBe(collision.conduit);
      expect(b!.conduit.instruction).toBe(collision.conduit);
    }
  });

  it('immediates keep ABIs apart: EABI (svc #0) never meets OABI (any other svc immediate), and nothing else shares svc or smc', () => {
    const involved = new Set(REPORT.collisions.flatMap((c) => c.abis));
    for (const id of ['linux-syscall-eabi', 'linux-syscall-oabi', 'psci-v0.2-smc']) expect(involved.has(id), id).toBe(false);
  });

  it('the v3.9 × v4.12-stub witness region includes the kdump soft restart', () => {
    const kdump = REPORT.collisions.find((c) => pair(...c.abis) === pair('linux-hyp-stub-v4.12', 'kvm-arm32-v3.9'))!;
    confirm(REGISTRY, { ...kdump, witness: { ...kdump.witness, registers: { r0: '0x1', r1: '0x80008000' } }, calls: kdump.abis[0] === 'kvm-arm32-v3.9' ? ['kvm_call_hyp', 'HVC_SOFT_RESTART'] : ['HVC_SOFT_RESTART', 'kvm_call_hyp'] });
  });
});

/** A toy spec on `hvc` with an 'any' immediate. */
function toy(id: string, family: string, width: number, calls: AbiSpec['calls'], extra: Partial<AbiSpec> = {}): Abi {
  return defineAbi({
    id,
    family,
    arch: 'toy',
    era: 'v1',
    status: 'draft',
    purpose: 'toy',
    source: { document: 'test', version: 'v1' },
    conduit: { instruction: 'hvc', imm: 'any' },
    origin: { privilege: ['kernel'], world: ['host'] },
    selector: { register: 'r0', width },
    priority: 0,
    calls,
    examples: [],
    ...extra,
  });
}

const run = (): { kind: 'return' } => ({ kind: 'return' });

describe('the allow-list', () => {
  it('reports a synthetic stale entry, and an entry matches its pair in either order', () => {
    const a = toy('toy-a', 'a', 8, [{ name: 'low', select: { min: 0n, max: 9n }, summary: 'low', run }]);
    const b = toy('toy-b', 'b', 8, [{ name: 'five', select: 5n, summary: 'five', run }]);
    const c = toy('toy-c', 'c', 8, [{ name: 'high', select: { min: 0x80n, max: 0xffn }, summary: 'high', run }]);
    const stale: AllowedCollision = { abis: ['toy-c', 'toy-a'], reason: 'they used to overlap' };
    const report = analyseCollisions(new AbiRegistry([a, b, c], [{ abis: ['toy-b', 'toy-a'], reason: 'on purpose' }, stale]));
    expect(report.collisions).toHaveLength(1);
    expect(report.collisions[0]).toMatchObject({ abis: ['toy-a', 'toy-b'], calls: ['low', 'five'], allowed: true, reason: 'on purpose', witness: { registers: { r0: '0x5' } } });
    expect(report.stale).toEqual([stale]);
  });

  it('the shipped allow-list goes stale when its specs stop overlapping', () => {
    const without = new AbiRegistry(
      REGISTRY.all().filter((abi) => abi.spec.id !== 'kvm-arm32-v4.12'),
      ARM32_ALLOWED_COLLISIONS,
    );
    expect(analyseCollisions(without).stale.map((entry) => pair(...entry.abis))).toEqual([pair('linux-hyp-stub-v4.12', 'kvm-arm32-v4.12')]);
  });
});

describe('what the analysis looks at', () => {
  it('eras of one family never collide; different origins or immediates never collide', () => {
    const calls = [{ name: 'all', select: 'otherwise' as const, summary: 'all', run }];
    const eraA = toy('f-v1', 'f', 8, calls);
    const eraB = toy('f-v2', 'f', 8, calls);
    const guest = toy('g', 'g', 8, calls, { origin: { privilege: ['kernel'], world: ['guest'] } });
    const tagged = toy('t', 't', 8, calls, { conduit: { instruction: 'hvc', imm: 0xea1n } });
    const untagged = toy('u', 'u', 8, calls, { conduit: { instruction: 'hvc', imm: 0n } });
    const report = analyseCollisions(new AbiRegistry([eraA, eraB, guest, tagged, untagged]));
    expect(report.collisions.map((c) => pair(...c.abis))).toEqual([pair('f-v1', 't'), pair('f-v1', 'u'), pair('f-v2', 't'), pair('f-v2', 'u')].sort());
    for (const collision of report.collisions) confirm(new AbiRegistry([eraA, eraB, guest, tagged, untagged]), collision);
  });

  it('intersects magic-register conditions: disjoint magic values never collide, overlapping ones give a witness that satisfies both', () => {
    const magic = (id: string, values: bigint | { min: bigint; max: bigint }): Abi =>
      toy(id, id, 32, [{ name: `${id}-all`, select: 'otherwise', summary: 'all', run }], { conditions: [{ register: 'r3', values, why: 'magic' }] });
    const kvmr = magic('kvmr', 0x4b56_4d52n);
    const other = magic('other', 0x1234n);
    const range = magic('range', { min: 0x4b56_0000n, max: 0x4b56_ffffn });
    const registry = new AbiRegistry([kvmr, other, range]);
    const report = analyseCollisions(registry);
    expect(report.collisions.map((c) => pair(...c.abis))).toEqual([pair('kvmr', 'range')]);
    expect(report.collisions[0]!.witness.registers).toEqual({ r0: '0x0', r3: '0x4b564d52' });
    confirm(registry, report.collisions[0]!);
  });

  it('handles an immediate selector: calls claim immediates, and the witness immediate is one both claim', () => {
    const byImm = toy('oabi-like', 'o', 32, [{ name: 'one', select: 0x900001n, summary: 'one', run }, { name: 'rest', select: 'otherwise', summary: 'rest', run }], {
      conduit: { instruction: 'hvc', imm: { min: 0x900000n, max: 0x9fffffn } },
      selector: { register: 'imm', width: 32 },
    });
    const narrow = toy('narrow', 'n', 32, [{ name: 'n-all', select: 'otherwise', summary: 'all', run }], { conduit: { instruction: 'hvc', imm: 0x900001n } });
    const elsewhere = toy('elsewhere', 'e', 32, [{ name: 'e-all', select: 'otherwise', summary: 'all', run }], { conduit: { instruction: 'hvc', imm: 0x123n } });
    const registry = new AbiRegistry([byImm, narrow, elsewhere]);
    const report = analyseCollisions(registry);
    expect(report.collisions).toHaveLength(1);
    expect(report.collisions[0]).toMatchObject({ abis: ['narrow', 'oabi-like'], calls: ['n-all', 'one'], overlaps: 1, witness: { imm: 0x900001, registers: {} } });
    confirm(registry, report.collisions[0]!);
  });
});

describe('cost follows calls and intervals, never register width', () => {
  afterEach(() => vi.restoreAllMocks());

  /** Two families whose calls carve the selector space into the same interval structure at any width. */
  function structure(width: number): AbiRegistry {
    const top = ValueSet.top(width);
    const quarter = top >> 2n;
    const a = toy(`a${width}`, 'a', width, [
      { name: 'zero', select: 0n, summary: 'zero', run },
      { name: 'low', select: { min: 1n, max: quarter }, summary: 'low', run },
      { name: 'top', select: top, summary: 'top', run },
      { name: 'rest', select: 'otherwise', summary: 'rest', run },
    ]);
    const b = toy(`b${width}`, 'b', width, [
      { name: 'half', select: { min: 0n, max: top >> 1n }, summary: 'half', run },
      { name: 'minus-two', select: top - 1n, summary: 'minus two', run },
      { name: 'other', select: 'otherwise', summary: 'other', run },
    ]);
    return new AbiRegistry([a, b]);
  }

  /** The analysis of `registry`, with the number of interval intersections it performed. */
  function measured(registry: AbiRegistry): { collision: Collision; intersections: number; intervals: number } {
    const spy = vi.spyOn(ValueSet.prototype, 'intersect');
    const report = analyseCollisions(registry);
    const intersections = spy.mock.calls.length;
    spy.mockRestore();
    const intervals = registry.all().reduce((sum, abi) => sum + abi.calls.reduce((n, call) => n + call.values.intervals.length, 0), 0);
    return { collision: report.collisions[0]!, intersections, intervals };
  }

  it('an 8-bit and a 64-bit selector with the same structure take the same steps and find the same overlaps', () => {
    const small = measured(structure(8));
    const large = measured(structure(64));
    expect(large.intervals).toBe(small.intervals);
    expect(large.intersections).toBe(small.intersections);
    expect(large.collision.overlaps).toBe(small.collision.overlaps);
    expect(large.collision.calls).toEqual(small.collision.calls);
    // Every region pair is visited once: 4 × 3 call pairs, each an immediate and a register intersection at most.
    expect(small.intersections).toBeLessThanOrEqual(1 + 2 * 4 * 3);
    expect(large.collision.witness.registers).toEqual({ r0: '0x0' });
  });

  it('the shipped arm32 analysis performs a bounded number of interval operations', () => {
    const { intersections } = measured(REGISTRY);
    const regions = REGISTRY.all().map((abi) => abi.calls.length);
    const pairs = regions.reduce((sum, n, i) => sum + n * regions.slice(i + 1).reduce((s, m) => s + m, 0), 0);
    expect(intersections).toBeLessThanOrEqual(regions.length ** 2 + 2 * pairs);
  });
});
