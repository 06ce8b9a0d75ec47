/**
 * abi-docs/guides/mmio-emulation.md quotes the MMIO guest program between
 * markers (`<!-- quote: PATH#NAME -->`, a fenced block, `<!-- /quote -->`,
 * the region marked `@ quote: NAME` … `@ /quote: NAME` in PATH): this test
 * fails when a quote drifts from its file, and keeps the guide's outcome
 * table equal to what the scenarios reach.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { loadAbis } from '../../src/di/container.ts';
import { findScenario } from '../../src/scenario/reset-matrix.ts';
import { runScenario } from '../../src/scenario/runner.ts';
import { commandsOf, expectCommandWorks } from './guide-support.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUIDE = readFileSync(join(ROOT, 'abi-docs/guides/mmio-emulation.md'), 'utf8');

describe('the MMIO guide', () => {
  it('quotes mmio-guest.s verbatim between its markers', () => {
    const quotes = [...GUIDE.matchAll(/<!-- quote: ([^#\s]+)#(\S+) -->\n```[a-z]*\n([\s\S]*?)\n```\n<!-- \/quote -->/g)];
    expect(quotes.map((q) => q[2])).toEqual(['mmio-stm', 'mmio-writeback']);
    for (const [, path, name, body] of quotes) {
      const file = readFileSync(join(ROOT, path!), 'utf8');
      const region = new RegExp(`@ quote: ${name}\\n([\\s\\S]*?)\\n@ /quote: ${name}`).exec(file);
      expect(region, `${path} has no region ${name}`).not.toBeNull();
      expect(body).toBe(region![1]);
    }
  });

  it('runs the race commands it shows, each ending in the outcome its comment names', () => {
    const commands = commandsOf(GUIDE).filter((c) => c.argv.some((a) => a.startsWith('mmio-fetch-race-')));
    expect(commands.map((c) => c.comment)).toEqual(['hypercall-misread', 'guest-done', 'guest-done', 'vm-stopped', 'vm-stopped', 'guest-abort']);
    for (const command of commands) expectCommandWorks(command);
  });

  it('runs the arm64 commands it shows, each ending in the outcome its comment names', () => {
    const commands = commandsOf(GUIDE).filter((c) => c.argv.some((a) => a.startsWith('mmio-a64-')));
    expect(commands.map((c) => c.comment)).toEqual(['guest-done', 'hypercall-misread', 'guest-done', 'vm-stopped', 'guest-abort']);
    for (const command of commands) expectCommandWorks(command);
  });

  it('lists the outcome each scenario reaches, with the spec it runs', () => {
    const abis = loadAbis();
    const rows = [...GUIDE.matchAll(/^\| (mmio-[^ |]+) \| ([^ |]+) \| ([^ |]+) \|$/gm)];
    expect(rows).toHaveLength(11);
    for (const [, name, spec, outcome] of rows) {
      const scenario = findScenario(ARM32_BACKEND, name!);
      expect(scenario.firmware.map((f) => (f.kind === 'spec' ? f.abi.spec.id : f.name))).toEqual([spec]);
      expect(runScenario(ARM32_BACKEND, scenario, abis).outcome.kind, name).toBe(outcome);
    }
  });
});
