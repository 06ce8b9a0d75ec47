/**
 * `hyplay collisions [--arch A] [--json]` and the main job's collision
 * summary, against the shipped specs (in-process through `runCli`) and a
 * registry made up for the test.
 */

import { describe, expect, it } from 'vitest';
import { AbiRegistry } from '../../src/abi/registry.ts';
import { defineAbi, type Abi } from '../../src/abi/spec.ts';
import { collisionsJson, collisionsText, collisionSummary } from '../../src/cli/collisions-command.ts';
import { loadAbis } from '../../src/di/container.ts';
import { analyseCollisions } from '../../src/dispatch/collisions.ts';
import { cli, json } from '../support/cli.ts';

const SHIPPED = loadAbis();

describe('hyplay collisions --json', () => {
  it('keeps the contract keys for every collision and matches the analysis', () => {
    const doc = json('collisions');
    const report = analyseCollisions(SHIPPED);
    expect(Object.keys(doc)).toEqual(['collisions', 'stale']);
    expect(doc.collisions).toHaveLength(report.collisions.length);
    expect(doc.stale).toEqual([]);
    for (const c of doc.collisions) {
      expect(Object.keys(c)).toEqual(['arch', 'conduit', 'abis', 'calls', 'overlaps', 'witness', 'allowed', 'reason']);
      expect(c.abis).toEqual([...c.abis].sort());
      expect(Object.keys(c.witness)).toEqual(['registers', 'imm', 'origin']);
      for (const value of Object.values(c.witness.registers)) expect(value).toMatch(/^0x[0-9a-f]+$/);
      if (c.allowed) expect(typeof c.reason).toBe('string');
      else expect(c.reason).toBeNull();
    }
  });

  it('flags the kdump hazard as not allowed and the shipped-together pair as allowed', () => {
    const doc = json('collisions', '--arch', 'arm32');
    const pair = (a: string, b: string): any => doc.collisions.find((c: any) => c.abis[0] === a && c.abis[1] === b);
    expect(pair('kvm-arm32-v3.9', 'linux-hyp-stub-v4.12')).toMatchObject({ arch: 'arm32', conduit: 'hvc', allowed: false, reason: null });
    const shipped = pair('kvm-arm32-v4.12', 'linux-hyp-stub-v4.12');
    expect(shipped.allowed).toBe(true);
    expect(shipped.reason).toBe(SHIPPED.allowed.find((e) => e.abis.includes('kvm-arm32-v4.12') && e.abis.includes('linux-hyp-stub-v4.12'))!.reason);
  });

  it('gives witnesses that both specs claim when dispatched', () => {
    for (const c of json('collisions').collisions) {
      const argv = ['dispatch', c.arch, c.conduit, ...Object.entries(c.witness.registers).map(([r, v]) => `${r}=${v}`), '--imm', String(c.witness.imm), '--from', c.witness.origin.privilege, '--world', c.witness.origin.world];
      const answer = json(...argv);
      const mine = answer.interpretations.filter((i: any) => i.mine).map((i: any) => i.abi);
      expect(mine).toContain(c.abis[0]);
      expect(mine).toContain(c.abis[1]);
      expect(answer.interpretations.find((i: any) => i.abi === c.abis[0]).call).toBe(c.calls[0]);
      expect(answer.interpretations.find((i: any) => i.abi === c.abis[1]).call).toBe(c.calls[1]);
    }
  });

  it('filters by --arch and rejects an unknown one', () => {
    expect(json('collisions', '--arch', 'ppc64').collisions.every((c: any) => c.arch === 'ppc64')).toBe(true);
    expect(cli('collisions', '--arch', 'arm33')).toEqual({ status: 2, out: '', err: [expect.stringMatching(/^hyplay: --arch: unknown architecture 'arm33' \(one of arm32/)] });
  });
});

describe('hyplay collisions (text)', () => {
  it('prints a block per collision and the totals', () => {
    const result = cli('collisions');
    expect(result.status).toBe(0);
    const report = analyseCollisions(SHIPPED);
    const allowed = report.collisions.filter((c) => c.allowed).length;
    const lines = result.out.split('\n');
    expect(lines.at(-1)).toBe(`${report.collisions.length} collisions: ${allowed} allowed, ${report.collisions.length - allowed} not allowed`);
    expect(lines).toContain('arm32 hvc: kvm-arm32-v3.9 x linux-hyp-stub-v4.12  NOT ALLOWED');
    expect(lines).toContain('arm32 hvc: kvm-arm32-v4.12 x linux-hyp-stub-v4.12  allowed');
  });
});

/** A spec of its own family on `hvc` claiming r0 in `[min, max]`. */
function claim(id: string, min: bigint, max: bigint, conduit = 'hvc'): Abi {
  return defineAbi({
    id,
    family: id,
    arch: 'toy',
    era: 'test',
    status: 'draft',
    purpose: 'test spec',
    source: { document: 'test/cli/collisions-command.test.ts', version: 'test' },
    conduit: { instruction: conduit, imm: 'any' },
    origin: { privilege: ['kernel'], world: ['host'] },
    selector: { register: 'r0', width: 32 },
    priority: 0,
    calls: [{ name: `${id.toUpperCase()}_CALL`, select: { min, max }, summary: 'test', run: () => ({ kind: 'return' }) }],
    examples: [],
  });
}

describe('against a made-up registry', () => {
  const registry = new AbiRegistry(
    [claim('a', 0n, 10n), claim('b', 5n, 20n), claim('c', 15n, 30n), claim('d', 0n, 100n, 'smc'), claim('e', 50n, 60n, 'smc')],
    [
      { abis: ['b', 'a'], reason: 'on purpose' },
      { abis: ['a', 'z'], reason: 'no longer' },
    ],
  );

  it('gives the JSON witness and the reason or null', () => {
    const doc = collisionsJson(analyseCollisions(registry));
    expect(doc.collisions).toEqual([
      { arch: 'toy', conduit: 'hvc', abis: ['a', 'b'], calls: ['A_CALL', 'B_CALL'], overlaps: 1, witness: { registers: { r0: '0x5' }, imm: 0, origin: { privilege: 'kernel', world: 'host' } }, allowed: true, reason: 'on purpose' },
      { arch: 'toy', conduit: 'hvc', abis: ['b', 'c'], calls: ['B_CALL', 'C_CALL'], overlaps: 1, witness: { registers: { r0: '0xf' }, imm: 0, origin: { privilege: 'kernel', world: 'host' } }, allowed: false, reason: null },
      { arch: 'toy', conduit: 'smc', abis: ['d', 'e'], calls: ['D_CALL', 'E_CALL'], overlaps: 1, witness: { registers: { r0: '0x32' }, imm: 0, origin: { privilege: 'kernel', world: 'host' } }, allowed: false, reason: null },
    ]);
    expect(doc.stale).toEqual([{ abis: ['a', 'z'], reason: 'no longer' }]);
  });

  it('reports a stale allow-list entry in the text', () => {
    expect(collisionsText(analyseCollisions(registry)).split('\n')).toContain('stale allow-list entry: a x z (no longer) no longer overlaps');
  });

  it('summarises per architecture and conduit for the main job, listing what is not allowed', () => {
    expect(collisionSummary(registry).split('\n')).toEqual([
      '== collision analysis',
      'toy hvc: 3 specs, 2 collisions (1 allowed, 1 not allowed)',
      'toy smc: 2 specs, 1 collision (0 allowed, 1 not allowed)',
      'not allowed:',
      '  toy hvc: b (B_CALL) x c (C_CALL) at hvc #0x0 from kernel (host), r0=0xf',
      '  toy smc: d (D_CALL) x e (E_CALL) at smc #0x0 from kernel (host), r0=0x32',
      'stale allow-list entry: a x z',
    ]);
  });

  it('summarises a registry without collisions in one line per conduit', () => {
    expect(collisionSummary(new AbiRegistry([claim('a', 0n, 1n)])).split('\n')).toEqual(['== collision analysis', 'toy hvc: 1 spec, 0 collisions (0 allowed, 0 not allowed)']);
    expect(collisionSummary(new AbiRegistry([]))).toBe('== collision analysis\nno ABI specs registered');
  });
});
