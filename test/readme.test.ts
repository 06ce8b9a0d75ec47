/**
 * The README's examples, run as written: every command line in the shell
 * blocks of "The command line", through `sh` from the repository root, each
 * checked to exit as its comment documents (0 unless it says "exits N").
 * The quick start's `npm ci && …` lines are checked for the scripts they
 * name (running `npm ci` would replace the node_modules the suite runs
 * from; a fresh clone is what CI is).
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/binary.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** The text of a `## ` section. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section '${title}'`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** Every line of every ```sh block in `text`. */
function shellLines(text: string): string[] {
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n')).filter((line) => line.trim() !== '');
}

/** A line's trailing comment (a `#` after whitespace, outside quotes), or ''. */
function commentOf(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(i + 1).trim();
  }
  return '';
}

const EXAMPLES = shellLines(section('The command line'));

describe('the README', () => {
  it('shows command examples, most of them hyplay commands', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(15);
    expect(EXAMPLES.filter((line) => line.includes('npm run -s hyplay -- ')).length).toBeGreaterThanOrEqual(15);
  });

  it('quick start: npm ci && npm start / npm test, scripts that exist; npm ci runs the build', () => {
    expect(shellLines(section('Quick start'))).toEqual(['npm ci && npm start', 'npm ci && npm test']);
    expect(PACKAGE.scripts.start).toBeDefined();
    expect(PACKAGE.scripts.test).toBeDefined();
    expect(PACKAGE.scripts.prepare).toBe('node scripts/build.mjs');
  });

  it('`npm start` runs the main job', () => {
    const result = spawnSync('sh', ['-c', 'npm start'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('hyplay: hypercall ABI playground');
    expect(result.stdout).toContain('== collision analysis');
  });

  // The benchmark runs for minutes by design; it is checked to exist, not run.
  const runnable = EXAMPLES.filter((line) => !commentOf(line).includes('takes a while'));

  it('names a script for every example it does not run', () => {
    for (const line of EXAMPLES.filter((l) => !runnable.includes(l))) expect(PACKAGE.scripts[/^npm run (\S+)/.exec(line)![1]!]).toBeDefined();
  });

  it.each(runnable)('%s', (line) => {
    const documented = /\bexits (\d)\b/.exec(commentOf(line));
    const expected = documented === null ? 0 : Number(documented[1]);
    const result = spawnSync('sh', ['-c', line], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.error).toBeUndefined();
    if (result.status !== expected) throw new Error(`exit ${result.status}, documented ${expected}; stderr: ${result.stderr}`);
    expect(result.stderr).not.toMatch(/\n\s+at |Error:|internal error/);
    if (expected === 0) expect(result.stdout.length).toBeGreaterThan(0);
    else expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
