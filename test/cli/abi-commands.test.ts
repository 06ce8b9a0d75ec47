/**
 * `hyplay abi-docs [--out DIR]`: regenerates the pages through the CLI,
 * reports what it wrote, and leaves hand-written guides alone.
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ABI_DOCS_DIR } from '../../src/cli/abi-commands.ts';
import { runCli } from '../../src/cli/main.ts';
import { loadAbis } from '../../src/di/container.ts';
import { MANIFEST_FILE, renderAbiDocs } from '../../src/docs/abi-docs.ts';
import { cli } from '../support/cli.ts';

const TMP = mkdtempSync(join(tmpdir(), 'hyplay-abi-docs-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe('hyplay abi-docs', () => {
  it('writes the generated pages into --out, then finds them up to date, keeping guides', () => {
    const dir = join(TMP, 'docs');
    mkdirSync(join(dir, 'guides'), { recursive: true });
    writeFileSync(join(dir, 'guides', 'mine.md'), 'hand-written\n');
    const pages = renderAbiDocs(loadAbis());

    const first = cli('abi-docs', '--out', dir);
    expect(first.status).toBe(0);
    expect(first.err).toEqual([]);
    const lines = first.out.split('\n');
    expect(lines.slice(0, -1)).toEqual(pages.map((p) => `wrote     ${p.path}`));
    expect(lines.at(-1)).toBe(`abi-docs: ${pages.length} written, 0 unchanged, 0 removed`);
    for (const page of pages) expect(readFileSync(join(dir, page.path), 'utf8')).toBe(page.content);

    const second = cli('abi-docs', '--out', dir);
    expect(second.out).toBe(`abi-docs: 0 written, ${pages.length} unchanged, 0 removed`);
    expect(readFileSync(join(dir, 'guides', 'mine.md'), 'utf8')).toBe('hand-written\n');
    expect(existsSync(join(dir, MANIFEST_FILE))).toBe(true);
  });

  it('defaults to the checkout\'s abi-docs directory', () => {
    expect(ABI_DOCS_DIR.replace(/\\/g, '/')).toMatch(/\/abi-docs$/);
    expect(existsSync(join(ABI_DOCS_DIR, 'index.md'))).toBe(true);
  });
});

describe('the ABI commands in the help', () => {
  it('are listed', () => {
    const out: string[] = [];
    runCli(['--help'], { out: (t) => out.push(t), err: () => undefined });
    const help = out.join('\n');
    for (const command of ['dispatch', 'collisions', 'abi', 'abi-docs']) expect(help).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });
});
