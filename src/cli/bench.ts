/**
 * `hyplay bench`: run each backend's benchmark programs and measure.
 *
 * Timing lives here and only here: tests never time anything.
 *
 * @module
 */

import { performance } from 'node:perf_hooks';
import type { BackendRegistry } from '../di/container.ts';
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

/** Run every backend's benchmark programs; the best of a few runs after a warm-up. */
export function runBenchmarks(registry: BackendRegistry): BenchResult[] {
  const results: BenchResult[] = [];
  for (const backend of registry.all()) {
    for (const bench of backend.benchmarks) {
      const program = assembleOrFail(backend, bench.source, `${backend.name}:${bench.metric}`, backend.loadAddress);
      const machine = loadProgram(backend, program, bench.mode);
      for (const [name, value] of Object.entries(bench.registers)) machine.setRegister(name, value);
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
  }
  return results;
}

/** A human table of results. */
export function formatBenchTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [r.arch, r.metric, r.metric.endsWith('-ms') ? `${r.value.toFixed(2)} ms` : `${(r.value / 1e6).toFixed(2)} M/s`, r.description]);
  const header = ['arch', 'metric', 'value', 'what'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
