/**
 * Vitest global setup (see vitest.config.ts): bring `dist/` (the built
 * `hyplay` that package.json's `bin` runs) up to date before any test
 * spawns it, so that those tests run the current sources. A no-op when the
 * build is fresh (`npm ci` has just built it).
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Run `node scripts/build.mjs --if-stale`; a failed build fails the run. */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the build failed (node scripts/build.mjs): ${(build.stderr || build.stdout).trim()}`);
}
