/**
 * `hyplay abi list [--arch A] [--json]` and `hyplay abi show ID [--json]`,
 * driven in-process through `runCli` with a capturing io.
 */

import { describe, expect, it } from 'vitest';
import { loadAbis } from '../../src/di/container.ts';
import { DOC_FIELDS } from '../../src/docs/abi-docs.ts';
import { cli, json } from '../support/cli.ts';

const SHIPPED = loadAbis();

describe('hyplay abi list', () => {
  it('lists every spec, sorted by id, with its identity and calls', () => {
    const doc = json('abi', 'list');
    expect(doc.abis.map((a: any) => a.id)).toEqual(SHIPPED.all().map((a) => a.spec.id));
    expect(doc.abis.find((a: any) => a.id === 'linux-hyp-stub-v4.12')).toEqual({
      id: 'linux-hyp-stub-v4.12',
      family: 'linux-hyp-stub',
      arch: 'arm32',
      era: 'v4.12–v5.6',
      status: 'removed',
      conduit: 'hvc',
      imm: 'any',
      priority: 0,
      calls: ['HVC_SET_VECTORS', 'HVC_SOFT_RESTART', 'HVC_RESET_VECTORS', 'invalid'],
    });
    expect(doc.abis.find((a: any) => a.id === 'xen-arm32').imm).toBe('0xea1');
  });

  it('filters by --arch', () => {
    const arm32 = json('abi', 'list', '--arch', 'arm32').abis;
    expect(arm32.length).toBe(SHIPPED.all('arm32').length);
    expect(arm32.every((a: any) => a.arch === 'arm32')).toBe(true);
    expect(cli('abi', 'list', '--arch', 'sparc')).toEqual({ status: 2, out: '', err: [expect.stringMatching(/^hyplay: --arch: unknown architecture 'sparc' \(one of /)] });
  });

  it('prints a table for humans', () => {
    const result = cli('abi', 'list', '--arch', 'arm32');
    expect(result.status).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(/^id\s+arch\s+conduit\s+status\s+era\s+calls$/);
    expect(lines[1]).toMatch(/^-+ {2}-+/);
    expect(lines.some((line) => /^linux-hyp-stub-v4\.12\s+arm32\s+hvc\s+removed\s+v4\.12–v5\.6\s+4$/.test(line))).toBe(true);
    expect(lines.some((line) => /^xen-arm32\s+arm32\s+hvc #0xea1\s/.test(line))).toBe(true);
    expect(lines.length).toBe(2 + SHIPPED.all('arm32').length);
  });
});

describe('hyplay abi show', () => {
  it('gives the spec as JSON, semantics left out', () => {
    const doc = json('abi', 'show', 'linux-hyp-stub-v4.12');
    expect(doc).toMatchObject({
      id: 'linux-hyp-stub-v4.12',
      family: 'linux-hyp-stub',
      source: { version: 'v4.12', note: null },
      conduit: { instruction: 'hvc', imm: 'any' },
      origin: { privilege: ['kernel'], world: ['host'] },
      selector: { register: 'r0', width: 32 },
      conditions: [],
      priority: 0,
    });
    expect(doc.calls[1]).toEqual({
      name: 'HVC_SOFT_RESTART',
      select: '0x1',
      summary: 'branch (bx r1) to r1 in Hyp mode, the kexec/kdump soft restart; does not return. The target sees r0 = 1 and r1 = the target, every other register as the caller left it',
      args: [{ register: 'r1', role: 'restart address' }],
      results: [],
      clobbers: [],
      noReturn: true,
      meaning: 'soft-restart',
    });
    expect(doc.calls[3].select).toBe('otherwise (0x3–0xffffffff)');
    expect(doc.examples[1]).toEqual({ title: 'kexec soft restart to the new kernel', registers: { r0: '0x00000001', r1: '0x80008000' }, origin: null, call: 'HVC_SOFT_RESTART' });
  });

  it('prints the spec\'s abi-docs section for humans, fields in the fixed order', () => {
    const result = cli('abi', 'show', 'kvm-arm32-v3.9');
    expect(result.status).toBe(0);
    expect(result.err).toEqual([]);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe(`# ${SHIPPED.get('kvm-arm32-v3.9')!.spec.era}: kvm-arm32-v3.9`);
    const fields: string[] = [];
    for (let i = lines.indexOf('| Field | Value |') + 2; lines[i]?.startsWith('| ') === true; i++) fields.push(lines[i]!.split(' | ')[0]!.slice(2));
    expect(fields).toEqual(DOC_FIELDS.filter((field) => fields.includes(field)));
    expect(fields.slice(0, 4)).toEqual(['Architecture', 'Status', 'Purpose', 'Registers in']);
    expect(result.out).toContain('## Calls of kvm-arm32-v3.9');
  });

  it('rejects an unknown id with one line and status 2', () => {
    expect(cli('abi', 'show', 'linux-hyp-stub-v9')).toEqual({ status: 2, out: '', err: [`hyplay: abi show: unknown ABI 'linux-hyp-stub-v9' (\`hyplay abi list\` lists ${SHIPPED.all().length} specs)`] });
    expect(cli('abi', 'show')).toEqual({ status: 2, out: '', err: ["hyplay: missing required argument 'id'"] });
  });
});
