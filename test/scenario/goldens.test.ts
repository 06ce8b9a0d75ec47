/**
 * Every scenario's trace equals its committed golden
 * (`test/golden/scenarios/<name>.trace`), no golden is left without a
 * scenario, every scenario reaches the outcome it expects, and the
 * scenarios that run real assembly firmware end exactly like their
 * spec-firmware twins. Regenerate the goldens with `npm run goldens` and
 * review the diff.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAbis, loadBackends } from '../../src/di/container.ts';
import { GOLDEN_EXTENSION, goldenTraces } from '../../src/scenario/goldens.ts';
import { runScenario } from '../../src/scenario/runner.ts';

const DIR = fileURLToPath(new URL('../golden/scenarios/', import.meta.url));
const BACKENDS = loadBackends().all();
const ABIS = loadAbis();
const TRACES = goldenTraces(BACKENDS, ABIS);

describe('golden scenario traces', () => {
  it('there are scenarios, with unique names', () => {
    expect(TRACES.length).toBeGreaterThan(20);
    expect(new Set(TRACES.map((t) => t.name)).size).toBe(TRACES.length);
  });

  for (const trace of TRACES) {
    it(`${trace.name} matches its golden (else: npm run goldens, and review the diff)`, () => {
      const path = join(DIR, `${trace.name}${GOLDEN_EXTENSION}`);
      expect(existsSync(path), `${path} is missing: run npm run goldens`).toBe(true);
      expect(trace.text).toBe(readFileSync(path, 'utf8'));
    });
  }

  it('no golden is left without a scenario', () => {
    const names = new Set(TRACES.map((t) => `${t.name}${GOLDEN_EXTENSION}`));
    expect(readdirSync(DIR).filter((f) => !names.has(f))).toEqual([]);
  });

  it('traces are one line per event: no empty or multi-line entries, and they end with the outcome', () => {
    for (const trace of TRACES) {
      const lines = trace.text.slice(0, -1).split('\n');
      expect(lines.every((l) => l.length > 0)).toBe(true);
      expect(lines.at(-2)).toMatch(/^== (outcome|inspection outcome) /);
      expect(lines.at(-1)).toMatch(/^== expected \S+: ok$/);
    }
  });
});

describe('scenarios on real assembly firmware', () => {
  for (const backend of BACKENDS) {
    const scenarios = backend.scenarios?.scenarios() ?? [];
    for (const twin of scenarios.filter((s) => s.name.endsWith('-asm'))) {
      const specName = twin.name.slice(0, -'-asm'.length);
      it(`${twin.name} ends like ${specName}`, () => {
        const spec = scenarios.find((s) => s.name === specName);
        expect(spec).toBeDefined();
        expect(twin.firmware.some((f) => f.kind === 'code')).toBe(true);
        const a = runScenario(backend, twin, ABIS).outcome;
        const b = runScenario(backend, spec!, ABIS).outcome;
        const { detail: _a, ...left } = a;
        const { detail: _b, ...right } = b;
        expect(left).toEqual(right);
      });
    }
  }
});
