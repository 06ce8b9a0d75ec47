/**
 * `npm run diff`: the differential test at any size, e.g.
 * `npm run diff -- --count 100000 --seed 7 --arch arm32`. Generates seeded
 * random straight-line sequences, runs them in hyplay and in the reference
 * (Unicorn 2 for arm32, qemu-ppc64 / qemu-ppc64le for ppc64 / ppc64le),
 * prints the summary (coverage, exclusions, known deviations) and every
 * mismatch as a readable diff. Exit status 0 when everything agrees, 1 on a
 * mismatch or when no reference could run, 2 on a bad option.
 *
 * Options: `--arch arm32|arm64|ppc64|ppc64le|all` (default all), `--count N`
 * (default 2000), `--seed S` (default 1), `--first N` (index of the first
 * case, to replay one: `--first 123 --count 1`), `--batch N` (cases per
 * reference process, default 2000), `--show N` (mismatches printed, default 10).
 *
 * @module
 */

import { parseArgs } from 'node:util';
import { REFERENCE_DEVIATIONS } from '../test/diff/deviations.ts';
import { formatReport, runDifferential } from '../test/diff/differential.ts';
import { DIFF_TARGETS } from '../test/diff/targets.ts';

function fail(message: string): never {
  console.error(`diff: ${message}`);
  process.exit(2);
}

function integer(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) fail(`--${name} wants a whole number, not '${text}'`);
  const value = Number(text);
  if (value < min || !Number.isSafeInteger(value)) fail(`--${name} must be at least ${min}`);
  return value;
}

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        arch: { type: 'string', default: 'all' },
        count: { type: 'string' },
        seed: { type: 'string' },
        first: { type: 'string' },
        batch: { type: 'string' },
        show: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    fail((error as Error).message.split('\n')[0]!);
  }
  const { values } = parsed;
  const names = values.arch === 'all' ? [...DIFF_TARGETS.keys()] : [values.arch!];
  for (const name of names) if (!DIFF_TARGETS.has(name)) fail(`unknown --arch '${name}' (one of ${[...DIFF_TARGETS.keys()].join(', ')}, all)`);
  const count = integer('count', values.count, 2000, 1);
  const seed = integer('seed', values.seed, 1, 0);
  const first = integer('first', values.first, 0, 0);
  const batch = integer('batch', values.batch, 2000, 1);
  const show = integer('show', values.show, 10, 0);
  let ran = 0;
  let mismatches = 0;
  for (const name of names) {
    const target = DIFF_TARGETS.get(name)!;
    const missing = target.missing();
    if (missing !== undefined) {
      console.log(`${name}: skipped: ${missing}`);
      continue;
    }
    const started = performance.now();
    const report = runDifferential(target, { seed, count, first, batch, deviations: REFERENCE_DEVIATIONS });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(formatReport(report, REFERENCE_DEVIATIONS, show));
    console.log(`${name}: ${seconds} s`);
    console.log('');
    ran++;
    mismatches += report.mismatches.length;
  }
  if (ran === 0) {
    console.log('diff: no reference could run');
    return 1;
  }
  return mismatches === 0 ? 0 : 1;
}

// A closed pipe (`npm run diff | head`) ends the run quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = main();
