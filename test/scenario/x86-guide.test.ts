/**
 * abi-docs/guides/x86-hypercalls.md: every outcome table row is what the
 * scenario reaches, every x86_64 scenario appears in a table exactly once,
 * every command of its `sh` blocks runs (a `scenario run` ends in the
 * outcome its comment names), and its links and paths resolve.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { X86_64_BACKEND } from '../../arch/x86_64/backend.ts';
import { loadAbis } from '../../src/di/container.ts';
import { findScenario } from '../../src/scenario/reset-matrix.ts';
import { runScenario } from '../../src/scenario/runner.ts';
import { commandsOf, expectCommandWorks, ROOT } from './guide-support.ts';

const GUIDE = readFileSync(join(ROOT, 'abi-docs/guides/x86-hypercalls.md'), 'utf8');

describe('the x86 hypercall guide', () => {
  const rows = [...GUIDE.matchAll(/^\| (x86-[^ |]+) \| ([^ |]+) \|$/gm)].map((m) => [m[1]!, m[2]!] as const);

  it('names every x86_64 scenario once, with the outcome it reaches', () => {
    const names = X86_64_BACKEND.scenarios!.scenarios().map((s) => s.name);
    expect(rows.map(([name]) => name).sort()).toEqual([...names].sort());
    const abis = loadAbis();
    for (const [name, outcome] of rows) expect(runScenario(X86_64_BACKEND, findScenario(X86_64_BACKEND, name), abis).outcome.kind, name).toBe(outcome);
  });

  it('runs every command it shows', () => {
    const commands = commandsOf(GUIDE);
    expect(commands.length).toBe(4);
    for (const command of commands) expectCommandWorks(command);
  });

  it('links to specs and names paths that exist', () => {
    for (const link of [...GUIDE.matchAll(/\]\(([^)#\s]+)\)/g)].map((m) => m[1]!)) expect(() => readFileSync(join(ROOT, 'abi-docs/guides', link)), link).not.toThrow();
    for (const path of [...GUIDE.matchAll(/`((?:test|src|arch)\/[\w./-]+)`/g)].map((m) => m[1]!)) expect(() => readFileSync(join(ROOT, path)), path).not.toThrow();
  });
});
