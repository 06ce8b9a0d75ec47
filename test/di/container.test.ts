/**
 * Specs loaded by conduit (what `hyplay dispatch ARCH CONDUIT` loads): each
 * backend's loader for a conduit binds every one of its specs on that
 * conduit and no other, every conduit a backend takes has one, and the built
 * command answers exactly as the in-process one, which has every spec loaded.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { ARM32_ABIS } from '../../arch/arm32/abis/index.ts';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { ARM32_MODULES } from '../../arch/arm32/module.ts';
import { ARM64_ABIS } from '../../arch/arm64/abis/index.ts';
import { ARM64_BACKEND } from '../../arch/arm64/backend.ts';
import { ARM64_MODULES } from '../../arch/arm64/module.ts';
import { PPC64_ABIS } from '../../arch/ppc64/abis/index.ts';
import { PPC64_BACKEND } from '../../arch/ppc64/backend.ts';
import { PPC64_MODULES } from '../../arch/ppc64/module.ts';
import { ABI_SPEC, ALLOWED_COLLISION } from '../../src/di/tokens.ts';
import { cli } from '../support/cli.ts';

describe.each([
  ['arm32', ARM32_MODULES, ARM32_ABIS, ARM32_BACKEND.conduits!],
  ['ppc64', PPC64_MODULES, PPC64_ABIS, PPC64_BACKEND.conduits!],
  ['arm64', ARM64_MODULES, ARM64_ABIS, ARM64_BACKEND.conduits!],
] as const)('the %s specs by conduit', (_, modules, abis, conduits) => {
  it('has a loader for every conduit the backend takes and its specs use, and no other', () => {
    expect(Object.keys(modules.conduitSpecs!).sort()).toEqual([...new Set([...conduits, ...abis.map((abi) => abi.spec.conduit.instruction)])].sort());
  });

  it.each(conduits.map((conduit) => [conduit]))('%s: binds every spec on it, the same objects, and nothing else', async (conduit) => {
    const container = new Container();
    container.load(await modules.conduitSpecs![conduit]!());
    const bound = container.isBound(ABI_SPEC) ? container.getAll(ABI_SPEC) : [];
    const expected = abis.filter((abi) => abi.spec.conduit.instruction === conduit);
    expect(expected.length).toBeGreaterThan(0);
    expect(bound.map((abi) => abi.spec.id).sort()).toEqual(expected.map((abi) => abi.spec.id).sort());
    for (const abi of bound) expect(expected).toContain(abi);
    expect(container.isBound(ALLOWED_COLLISION)).toBe(false);
  });
});

describe('hyplay dispatch through the built bin, which loads only the conduit it is asked about', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const bin = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin.hyplay as string;
  const commands = [
    ['arm32', 'hvc', 'r0=0'],
    ['arm32', 'hvc', 'r0=0x84000003', 'r1=1', '--world', 'guest', '--json'],
    ['arm32', 'smc', 'r0=0x84000000'],
    ['arm32', 'svc', 'r7=1', '--from', 'user', '--json'],
    ['arm32', 'svc', 'r1=5', '--from', 'user'],
    ['ppc64', 'sc', 'r0=20', '--from', 'user'],
    ['ppc64', 'sc1', 'r3=0x2c', 'r4=0x10000', 'r5=0x10000', '--json'],
    ['arm64', 'hvc', 'x0=3'],
    ['arm64', 'hvc', 'x0=0x84000000', '--world', 'guest', '--json'],
    ['arm64', 'hvc', '--imm', '0xea1', 'x16=17', '--world', 'guest'],
    ['arm64', 'smc', 'x0=0x84000000', '--world', 'guest'],
    ['arm64', 'svc', 'x8=172', '--from', 'user', '--json'],
    ['arm32', 'vmcall'],
  ];

  it.each(commands.map((args) => [args.join(' '), args]))('%s: the same output and status as with every spec loaded', (_, args) => {
    const expected = cli('dispatch', ...args);
    const result = spawnSync(process.execPath, [bin, 'dispatch', ...args], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(expected.status);
    expect(result.stdout.trimEnd()).toBe(expected.out.trimEnd());
    expect(result.stderr.trimEnd()).toBe(expected.err.join('').trimEnd());
  });
});
