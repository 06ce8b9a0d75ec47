/**
 * `hyplay bench`: run each backend's benchmark programs and measure.
 *
 * Timing lives here and only here: tests never time anything.
 *
 * @module
 */

import { performance } from 'node:perf_hooks';
import type { AbiRegistry } from '../abi/registry.ts';
import { exampleTrap } from '../abi/spec.ts';
import { loadAbis, type BackendRegistry } from '../di/container.ts';
import { analyseCollisions } from '../dispatch/collisions.ts';
import { dispatch, type TrapQuery } from '../dispatch/dispatcher.ts';
import { installSpecFirmware } from '../firmware/firmware.ts';
import { assembleOrFail, loadProgram } from './run-program.ts';

/** One measured figure. */
export interface BenchResult {
  /** Architecture. */
  readonly arch: string;
  /** Metric name. */
  readonly metric: string;
  /** Value (per second for rates, milliseconds for `-ms` metrics). */
  readonly value: number;
  /** What it measures. */
  readonly description: string;
}

/** Steps per measured run; large enough that a run takes a good fraction of a second. */
const STEPS = 40_000_000;
const REPEATS = 3;

/**
 * Run every backend's benchmark programs (the best of a few runs after a
 * warm-up), then the dispatcher and collision-analysis measurements.
 */
export function runBenchmarks(registry: BackendRegistry, abis: AbiRegistry = loadAbis()): BenchResult[] {
  const results: BenchResult[] = [];
  for (const backend of registry.all()) {
    for (const bench of backend.benchmarks) {
      const program = assembleOrFail(backend, bench.source, `${backend.name}:${bench.metric}`, backend.loadAddress);
      const machine = loadProgram(backend, program, bench.mode);
      for (const [name, value] of Object.entries(bench.registers)) machine.setRegister(name, value);
      if (bench.firmware !== undefined) {
        const abi = abis.get(bench.firmware.abi);
        if (abi === undefined) throw new Error(`${backend.name} ${bench.metric}: no ABI spec '${bench.firmware.abi}'`);
        if (backend.firmware === undefined) throw new Error(`${backend.name} ${bench.metric}: the backend has no firmware port`);
        installSpecFirmware(machine, backend.firmware, abi, bench.firmware.base);
      }
      const start = machine.snapshot();
      machine.run(2_000_000); // warm-up: predecode and JIT
      let best = 0;
      for (let i = 0; i < REPEATS; i++) {
        machine.restore(start);
        const t0 = performance.now();
        const result = machine.run(STEPS);
        const seconds = (performance.now() - t0) / 1000;
        if (result.reason !== 'budget-exhausted') throw new Error(`${backend.name} ${bench.metric}: the benchmark stopped early (${result.reason}: ${result.detail})`);
        best = Math.max(best, result.steps / bench.instructionsPerUnit / seconds);
      }
      results.push({ arch: backend.name, metric: bench.metric, value: Math.round(best), description: bench.description });
    }
    const rate = dispatchRate(abis, backend.name);
    if (rate !== undefined) results.push({ arch: backend.name, metric: 'dispatch-per-s', value: Math.round(rate), description: 'dispatcher classifications per second (every spec example of the arch, in turn)' });
  }
  results.push({ arch: 'all', metric: 'collision-analysis-ms', value: collisionAnalysisMs(abis), description: `one full collision analysis of every shipped spec (${abis.all().length} specs), median` });
  return results;
}

/** How long each dispatcher measurement runs. */
const DISPATCH_MS = 300;

/**
 * Classifications per second against the whole registry, cycling through the
 * traps of every example of every spec of `arch` (each is classified against
 * all specs on its conduit, as `hyplay dispatch` does). `undefined` when the
 * arch has no specs.
 */
export function dispatchRate(abis: AbiRegistry, arch: string): number | undefined {
  const queries: TrapQuery[] = [];
  for (const abi of abis.all(arch)) {
    for (const example of abi.spec.examples) {
      const trap = exampleTrap(abi, example);
      queries.push({ arch, conduit: abi.spec.conduit.instruction, imm: trap.imm, privilege: trap.origin.privilege, world: trap.origin.world, registers: trap.registers });
    }
  }
  if (queries.length === 0) return undefined;
  let sink = 0;
  const runFor = (ms: number): number => {
    let count = 0;
    const t0 = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      for (const query of queries) sink += dispatch(abis, query).interpretations.length;
      count += queries.length;
      elapsed = performance.now() - t0;
    }
    return count / (elapsed / 1000);
  };
  runFor(DISPATCH_MS / 2); // warm-up
  let best = 0;
  for (let i = 0; i < REPEATS; i++) best = Math.max(best, runFor(DISPATCH_MS));
  if (sink < 0) throw new Error('unreachable');
  return best;
}

/** One full collision analysis of every spec in milliseconds: the median of several runs after a warm-up, to two decimals. */
export function collisionAnalysisMs(abis: AbiRegistry): number {
  for (let i = 0; i < 3; i++) analyseCollisions(abis);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    analyseCollisions(abis);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]! * 100) / 100;
}

/** A human table of results. */
export function formatBenchTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [r.arch, r.metric, r.metric.endsWith('-ms') ? `${r.value.toFixed(2)} ms` : `${(r.value / 1e6).toFixed(2)} M/s`, r.description]);
  const header = ['arch', 'metric', 'value', 'what'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
