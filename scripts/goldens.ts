/**
 * Regenerate `test/golden/scenarios/*.trace`: every scenario's trace. Run
 * with `npm run goldens`; review the diff. Files of scenarios that no longer
 * exist are removed.
 *
 * @module
 */

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAbis, loadBackends, loadModules } from '../src/di/container.ts';
import { GOLDEN_EXTENSION, goldenTraces } from '../src/scenario/goldens.ts';

const DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../test/golden/scenarios');

function main(): number {
  mkdirSync(DIR, { recursive: true });
  const traces = goldenTraces(loadBackends().all(), loadAbis());
  const names = new Set(traces.map((t) => `${t.name}${GOLDEN_EXTENSION}`));
  let written = 0;
  for (const trace of traces) {
    const path = join(DIR, `${trace.name}${GOLDEN_EXTENSION}`);
    let old: string | undefined;
    try {
      old = readFileSync(path, 'utf8');
    } catch {
      old = undefined;
    }
    if (old === trace.text) continue;
    writeFileSync(path, trace.text);
    console.log(`wrote   ${path}`);
    written++;
  }
  let removed = 0;
  for (const file of readdirSync(DIR)) {
    if (!file.endsWith(GOLDEN_EXTENSION) || names.has(file)) continue;
    rmSync(join(DIR, file));
    console.log(`removed ${join(DIR, file)}`);
    removed++;
  }
  console.log(`goldens: ${traces.length} scenarios, ${written} written, ${removed} removed`);
  return 0;
}

await loadModules();
process.exitCode = main();
