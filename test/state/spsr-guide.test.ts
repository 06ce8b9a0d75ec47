/**
 * abi-docs/guides/spsr-migration.md shows commands with their output
 * between `<!-- command -->` and `<!-- /command -->` markers: this test runs
 * every one in-process and fails when what it prints differs from the
 * guide, and checks that the pages the guide links to are generated.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUIDE = readFileSync(join(ROOT, 'abi-docs/guides/spsr-migration.md'), 'utf8');

function commandsOf(markdown: string): { readonly argv: string[]; readonly output: string }[] {
  const pattern = /<!-- command -->\n```sh\nhyplay ([^\n]+)\n```\n```text\n([\s\S]*?)\n```\n<!-- \/command -->/g;
  const out = [...markdown.matchAll(pattern)].map((m) => ({ argv: m[1]!.split(' '), output: m[2]! }));
  const opened = markdown.match(/<!-- command -->/g)?.length ?? 0;
  if (opened !== out.length) throw new Error(`${opened} command markers, ${out.length} parsed`);
  return out;
}

describe('the SPSR migration guide', () => {
  const commands = commandsOf(GUIDE);

  it('shows the scenarios and migrations of the story', () => {
    expect(commands.length).toBeGreaterThanOrEqual(8);
    for (const name of ['spsr-negative-index-aarch64', 'spsr-shifted-banks-aarch32', 'spsr-env-spsr-sync', 'spsr-partial-width-write', 'spsr-documented-fiq-id', 'spsr-compat-swap-abort', 'spsr-usr-sys-refused']) {
      expect(commands.some((c) => c.argv.includes(name)), name).toBe(true);
    }
  });

  for (const { argv, output } of commands) {
    it(`hyplay ${argv.join(' ')} prints what the guide shows`, () => {
      const result = cli(...argv);
      expect(result.err).toEqual([]);
      expect(result.status).toBe(0);
      expect(result.out).toBe(output);
    });
  }

  it('links only to pages that exist', () => {
    const links = [...GUIDE.matchAll(/\]\((\.\.\/[^)]+\.md)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(existsSync(join(ROOT, 'abi-docs/guides', link)), link).toBe(true);
  });
});
