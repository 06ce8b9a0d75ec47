/**
 * `hyplay state formats|export|import|migrate` against their contract,
 * in-process: a real program run to its stop, JSON images and state files,
 * ONE_REG writes checked by era, the migration report, and one-line input
 * errors with exit status 2 (an existing --out file is never overwritten
 * without --force).
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, json } from '../support/cli.ts';

const DIR = mkdtempSync(join(tmpdir(), 'hyplay-state-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
const GUEST64 = new URL('../../arch/arm64/scenarios/spsr-guest.s', import.meta.url).pathname;

describe('hyplay state formats', () => {
  it('lists the formats and both QEMU syncs', () => {
    const { formats, syncs } = json('state', 'formats');
    expect(formats.map((f: { id: string }) => f.id)).toEqual(expect.arrayContaining(['kvm-arm64-core', 'kvm-arm32-core', 'qemu-cpuarmstate']));
    expect(syncs.map((s: { id: string; correct: boolean }) => [s.id, s.correct])).toEqual([['qemu-2014', false], ['qemu-2015', true]]);
  });
});

describe('hyplay state export', () => {
  it('exports a program run to its stop as ONE_REG id/value pairs', () => {
    const image = json('state', 'export', 'arm64', '--format', 'kvm-arm64-core', '--program', GUEST64);
    expect(image.format).toBe('kvm-arm64-core');
    expect(image.registers.find((r: { name: string }) => r.name === 'spsr[0]')).toEqual({ name: 'spsr[0]', id: '0x6030000000100048', bytes: 8, value: '0x00000000000003c5' });
  });

  it('writes --out, then refuses to overwrite it without --force', () => {
    const out = join(DIR, 'image.json');
    expect(cli('state', 'export', 'arm64', '--format', 'kvm-arm64-core', '--program', GUEST64, '--out', out).status).toBe(0);
    const before = readFileSync(out, 'utf8');
    const again = cli('state', 'export', 'arm64', '--format', 'architectural', '--program', GUEST64, '--out', out);
    expect(again.status).toBe(2);
    expect(again.err.join('')).toMatch(/^hyplay: --out: '.*image\.json' exists; not overwriting it \(add --force to replace it\)\n?$/);
    expect(readFileSync(out, 'utf8')).toBe(before);
    expect(cli('state', 'export', 'arm64', '--format', 'architectural', '--program', GUEST64, '--out', out, '--force').status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).registers.spsr_el1).toBe('0x00000000000003c5');
  });

  it('bad input is one line with exit status 2', () => {
    const cases: [string[], RegExp][] = [
      [['state', 'export', 'arm64', '--format', 'nope', '--program', GUEST64], /--format: unknown format 'nope' \(one of architectural, /],
      [['state', 'export', 'arm64', '--format', 'kvm-arm32-core', '--program', GUEST64], /--format: format kvm-arm32-core does not carry arm64 state/],
      [['state', 'export', 'arm64', '--format', 'kvm-arm64-core'], /give exactly one of --program FILE .* or --state FILE/],
      [['state', 'export', 'ppc64', '--format', 'kvm-arm64-core', '--program', GUEST64], /ppc64 has no state support/],
    ];
    for (const [argv, message] of cases) {
      const result = cli(...argv);
      expect(result.status, argv.join(' ')).toBe(2);
      expect(result.err.join('').trim().split('\n')).toHaveLength(1);
      expect(result.err.join('')).toMatch(message);
    }
  });
});

describe('hyplay state import', () => {
  it('reads an image back; --era checks each write as that kernel would', () => {
    const path = join(DIR, 'writes.json');
    writeFileSync(path, JSON.stringify({ format: 'kvm-arm64-core', guest: 'arm64', registers: [{ id: '0x6020000000100048', value: '0x800003c5' }, { id: '0x6060000000100050', value: '0x1d1' }, { id: '0x6030000000100050', value: '0x1d1' }] }));
    const v412 = json('state', 'import', path, '--era', 'v4.12');
    expect(v412.writes.map((w: { errno: number | string }) => w.errno)).toEqual([0, 'EINVAL', 0]);
    const v501 = json('state', 'import', path, '--era', 'v5.0.1');
    expect(v501.writes.map((w: { errno: number | string }) => w.errno)).toEqual(['EINVAL', 'EINVAL', 0]);
    const bad = cli('state', 'import', path);
    expect(bad.status).toBe(2);
    expect(bad.err.join('')).toMatch(/0x6020000000100048 .* is not one of its register IDs/);
  });

  it('a state file round-trips through a format', () => {
    const state = join(DIR, 'state.json');
    writeFileSync(state, JSON.stringify({ arch: 'arm32', registers: { cpsr: '0x000001d2', spsr_irq: '0x600001d3', sp_irq: '0x4000', r0: '0x7' } }));
    const image = join(DIR, 'arm32.json');
    expect(cli('state', 'export', 'arm32', '--format', 'kvm-arm32-core', '--state', state, '--out', image).status).toBe(0);
    const back = json('state', 'import', image);
    expect([back.registers.spsr_irq, back.registers.sp_irq, back.registers.r0, back.dropped]).toEqual(['0x600001d3', '0x00004000', '0x00000007', []]);
    writeFileSync(state, '{"arch": "arm32", "registers": {"r99": "0x1"}}');
    expect(cli('state', 'export', 'arm32', '--format', 'kvm-arm32-core', '--state', state).err.join('')).toMatch(/state\.json: arm32 has no register 'r99'/);
    writeFileSync(state, '{"arch": ');
    expect(cli('state', 'export', 'arm32', '--format', 'kvm-arm32-core', '--state', state).err.join('')).toMatch(/state\.json: not JSON: /);
  });
});

describe('hyplay state migrate', () => {
  it('reports SPSR_EL1 lost by the 2014 sync, hidden in one process, and nothing with the 2015 sync', () => {
    const before = json('state', 'migrate', 'arm64', '--from', 'kvm-arm64-core', '--via', 'qemu-2014', '--to', 'kvm-arm64-core', '--program', GUEST64);
    expect(before.inProcess).toEqual([]);
    expect(before.migrated).toHaveLength(1);
    expect(before.migrated[0]).toMatchObject({ register: 'spsr_el1', before: '0x00000000000003c5', after: '0x0000000000000013' });
    expect(before.migrated[0].why).toMatch(/banked_spsr\[-1\] = bytes 336-343 \(uncached_cpsr, spsr\).*does not carry uncached_cpsr/);
    const after = json('state', 'migrate', 'arm64', '--from', 'kvm-arm64-core', '--via', 'qemu-2015', '--to', 'kvm-arm64-core', '--program', GUEST64);
    expect([after.inProcess, after.migrated]).toEqual([[], []]);
    const text = cli('state', 'migrate', 'arm64', '--from', 'kvm-arm64-core', '--via', 'qemu-2014', '--to', 'kvm-arm64-core', '--program', GUEST64);
    expect(text.out.split('\n').slice(0, 3)).toEqual(['migrate arm64: kvm-arm64-core -> qemu-2014 -> qemu-vmstate-cpu -> qemu-2014 -> kvm-arm64-core', 'round trip inside one VMM (get, then put): no register changed', 'after migration: 1 register changed']);
  });

  it('refuses a sync that does not speak the formats', () => {
    const result = cli('state', 'migrate', 'arm32', '--from', 'kvm-arm32-core', '--via', 'qemu-2015', '--to', 'kvm-arm64-core', '--program', GUEST64);
    expect(result.status).toBe(2);
    expect(result.err.join('')).toMatch(/--from: qemu-2015 speaks kvm-arm64-core to the kernel, not kvm-arm32-core/);
  });
});
