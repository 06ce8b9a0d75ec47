/**
 * `hyplay dispatch --batch` gives, byte for byte, the output pinned in
 * `test/golden/dispatch/`: 780 trap lines (every example of every spec, with
 * the world given and left open, and seeded traps at and around every
 * call's selector boundaries from every privilege, with conditions met and
 * missed, wide values on ppc64, and lines the input checks refuse) and the
 * output `cd test/golden/dispatch && hyplay dispatch --batch
 * batch-pin.input.jsonl | gzip -9n` gave before the dispatcher's fast paths
 * (bulk guest memory, cached notes and keys) went in. A change to a spec's
 * meaning shows here too: regenerate the output with that command and
 * review the difference.
 */

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadAbis, loadBackends } from '../../src/di/container.ts';
import { DispatchBatch } from '../../src/dispatch/batch.ts';

const DIR = new URL('../golden/dispatch/', import.meta.url);
const INPUT = readFileSync(new URL('batch-pin.input.jsonl', DIR), 'utf8');
const OUTPUT = gunzipSync(readFileSync(new URL('batch-pin.output.jsonl.gz', DIR))).toString('utf8');

describe('dispatch --batch, pinned', () => {
  it('gives the pinned output line for every pinned input line', () => {
    const backends = loadBackends();
    const batch = new DispatchBatch({ registry: loadAbis(), backend: (name) => backends.get(name), archNames: backends.names(), input: 'batch-pin.input.jsonl' });
    const inputs = INPUT.split('\n');
    const expected = OUTPUT.split('\n');
    const results: string[] = [];
    inputs.forEach((text, index) => {
      const result = batch.line(text, index + 1);
      if (result === undefined) return;
      // Line by line first, so that a difference names its input line.
      expect(result, `line ${index + 1}: ${text}`).toBe(expected[results.length]);
      results.push(result);
    });
    expect(`${results.join('\n')}\n`).toBe(OUTPUT);
    expect(batch).toMatchObject({ traps: 780, errors: 126, firstError: 156 });
  });

  it('covers every verdict, and on both architectures claims, collisions and unclaimed traps', () => {
    const verdicts = new Set(
      OUTPUT.trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line))
        .filter((doc) => doc.verdict !== undefined)
        .map((doc) => `${doc.query.arch} ${doc.verdict}`),
    );
    for (const arch of ['arm32', 'ppc64']) for (const verdict of ['unique', 'collision', 'unclaimed']) expect(verdicts, `${arch} ${verdict}`).toContain(`${arch} ${verdict}`);
    // No two arm32 specs agree on a trap (their shared calls differ in effect or meaning); ppc64's PAPR hosts do.
    expect(verdicts).toContain('ppc64 agree');
  });
});
