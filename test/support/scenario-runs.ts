/**
 * Scenario runs for tests that assert on many parts of one run: each
 * scenario of a backend runs once per test file, with the shipped specs,
 * and later asks get the same run.
 */

import { loadAbis } from '../../src/di/container.ts';
import type { ArchBackend } from '../../src/interp/backend.ts';
import { findScenario } from '../../src/scenario/reset-matrix.ts';
import { runScenario, type ScenarioRun } from '../../src/scenario/runner.ts';

/** A function giving `backend`'s scenario `name` as run once (the first ask runs it). */
export function scenarioRuns(backend: ArchBackend): (name: string) => ScenarioRun {
  const abis = loadAbis();
  const runs = new Map<string, ScenarioRun>();
  return (name) => {
    let found = runs.get(name);
    if (found === undefined) {
      found = runScenario(backend, findScenario(backend, name), abis);
      runs.set(name, found);
    }
    return found;
  };
}
