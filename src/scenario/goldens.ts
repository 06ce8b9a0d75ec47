/**
 * Golden traces: every scenario's trace as the text committed under
 * `test/golden/scenarios/<name>.trace`. `npm run goldens` writes them; a test
 * compares each scenario's trace with its file, and fails on a file no
 * scenario writes.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import type { ArchBackend } from '../interp/backend.ts';
import { stateCatalog } from '../state/state-catalog.ts';
import { runScenario } from './runner.ts';
import { runSmpScenario } from './smp-runner.ts';

/** The file extension of a golden trace. */
export const GOLDEN_EXTENSION = '.trace';

/** One scenario's golden trace. */
export interface GoldenTrace {
  /** The scenario name, which is also the file name without {@link GOLDEN_EXTENSION}. */
  readonly name: string;
  /** The trace, one line per event, ending in a newline. */
  readonly text: string;
}

/** The golden trace of every scenario of `backends` (single-vCPU ones, then those on several vCPUs), in backend then catalog order. Throws on two scenarios with one name. */
export function goldenTraces(backends: readonly ArchBackend[], abis: AbiRegistry): readonly GoldenTrace[] {
  const out: GoldenTrace[] = [];
  const seen = new Set<string>();
  const context = { state: stateCatalog(backends) };
  for (const backend of backends) {
    for (const scenario of backend.scenarios?.scenarios() ?? []) {
      if (seen.has(scenario.name)) throw new Error(`two scenarios are named '${scenario.name}'`);
      seen.add(scenario.name);
      out.push({ name: scenario.name, text: `${runScenario(backend, scenario, abis, { context }).trace.join('\n')}\n` });
    }
    // Scenarios on several vCPUs, each under its own seed: the trace replays exactly from it.
    for (const scenario of backend.scenarios?.smpScenarios?.() ?? []) {
      if (seen.has(scenario.name)) throw new Error(`two scenarios are named '${scenario.name}'`);
      seen.add(scenario.name);
      out.push({ name: scenario.name, text: `${runSmpScenario(backend, scenario, abis).trace.join('\n')}\n` });
    }
  }
  return out;
}
