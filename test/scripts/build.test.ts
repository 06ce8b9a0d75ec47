/**
 * scripts/build.mjs `--if-stale`: after a build (the global setup has just
 * made one), a second `--if-stale` finds it fresh and writes nothing. Every
 * `npm start` and `npm run hyplay` goes through it, so a stamp that can never
 * be fresh (an input with no file behind it) costs each of them a rebuild.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/binary.ts';

const STAMP = join(ROOT, 'dist/build-stamp.json');

describe('scripts/build.mjs --if-stale', () => {
  it('records only inputs that are files', () => {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8')) as { inputs: string[] };
    expect(stamp.inputs.length).toBeGreaterThan(50);
    expect(stamp.inputs.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('does not rebuild a fresh build', () => {
    const before = statSync(STAMP).mtimeMs;
    const result = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(statSync(STAMP).mtimeMs).toBe(before);
  });
});
