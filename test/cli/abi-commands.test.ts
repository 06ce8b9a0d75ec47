/**
 * `hyplay abi-docs [--out DIR]`: regenerates the pages through the CLI,
 * reports what it wrote, and leaves hand-written guides alone.
 */

import { stateDocsInput } from '../../src/docs/state-docs.ts';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ABI_DOCS_DIR } from '../../src/cli/abi-commands.ts';
import { runCli } from '../../src/cli/main.ts';
import { loadAbis, loadBackends } from '../../src/di/container.ts';
import { contentHash, MANIFEST_FILE, renderAbiDocs } from '../../src/docs/abi-docs.ts';
import { allServices, cli } from '../support/cli.ts';

const TMP = mkdtempSync(join(tmpdir(), 'hyplay-abi-docs-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe('hyplay abi-docs', () => {
  it('writes the generated pages into --out, then finds them up to date, keeping guides', () => {
    const dir = join(TMP, 'docs');
    mkdirSync(join(dir, 'guides'), { recursive: true });
    writeFileSync(join(dir, 'guides', 'mine.md'), 'hand-written\n');
    const pages = renderAbiDocs(loadAbis(), stateDocsInput(loadBackends().all()));

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

describe('hyplay abi-docs --out never deletes or overwrites a file it did not write', () => {
  const pages = (): ReturnType<typeof renderAbiDocs> => renderAbiDocs(loadAbis(), stateDocsInput(loadBackends().all()));
  let n = 0;
  const fresh = (): string => {
    n += 1;
    const dir = join(TMP, `safety-${n}`);
    mkdirSync(dir);
    return dir;
  };
  const refused = (argv: string[], expected: string | RegExp): void => {
    const result = cli('abi-docs', ...argv);
    expect(result.status).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toHaveLength(1);
    if (typeof expected === 'string') expect(result.err[0]).toBe(expected);
    else expect(result.err[0]).toMatch(expected);
  };

  it('refuses a non-empty directory without its manifest, writing nothing; --force writes, keeping the foreign file', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'notes.md'), 'mine\n');
    refused(['--out', dir], `hyplay: abi-docs: refusing to write into '${dir}': it is not empty and has no ${MANIFEST_FILE} of abi-docs (found 'notes.md'; use --force to write there anyway)`);
    expect(readdirSync(dir)).toEqual(['notes.md']);
    const forced = cli('abi-docs', '--out', dir, '--force');
    expect(forced.status).toBe(0);
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(dir, MANIFEST_FILE))).toBe(true);
    // Now it owns the directory: a plain regeneration is fine.
    expect(cli('abi-docs', '--out', dir).status).toBe(0);
  });

  it('refuses to overwrite a generated file changed by hand, and one a manifest does not list; --force replaces them', () => {
    const dir = fresh();
    expect(cli('abi-docs', '--out', dir).status).toBe(0);
    writeFileSync(join(dir, 'index.md'), 'edited by hand\n');
    refused(['--out', dir], `hyplay: abi-docs: refusing to overwrite '${join(dir, 'index.md')}': it has changed since abi-docs wrote it (use --force); nothing was written`);
    expect(readFileSync(join(dir, 'index.md'), 'utf8')).toBe('edited by hand\n');
    // A manifest that does not list collisions.md: that file is not the tool's to replace.
    const manifest = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
    writeFileSync(join(dir, MANIFEST_FILE), manifest.split('\n').filter((line) => !line.endsWith('  collisions.md')).join('\n'));
    writeFileSync(join(dir, 'collisions.md'), 'someone else\'s\n');
    refused(['--out', dir], `hyplay: abi-docs: refusing to overwrite '${join(dir, 'collisions.md')}': abi-docs did not write it (use --force), and 1 more; nothing was written`);
    expect(cli('abi-docs', '--out', dir, '--force').status).toBe(0);
    for (const page of pages()) expect(readFileSync(join(dir, page.path), 'utf8')).toBe(page.content);
  });

  it('removes a stale generated file only while it is unchanged', () => {
    const dir = fresh();
    expect(cli('abi-docs', '--out', dir).status).toBe(0);
    const stale = 'arm32/retired.md';
    writeFileSync(join(dir, stale), 'old page\n');
    const withStale = (hash: string): void => writeFileSync(join(dir, MANIFEST_FILE), `${readFileSync(join(dir, MANIFEST_FILE), 'utf8')}${hash}  ${stale}\n`);
    withStale(contentHash('another text\n'));
    refused(['--out', dir], `hyplay: abi-docs: refusing to remove '${join(dir, stale)}': it has changed since abi-docs wrote it (use --force); nothing was written`);
    expect(existsSync(join(dir, stale))).toBe(true);
    withStale(contentHash('old page\n'));
    const result = cli('abi-docs', '--out', dir);
    expect(result.out).toContain(`removed   ${stale}`);
    expect(existsSync(join(dir, stale))).toBe(false);
  });

  it('fails cleanly on a file path, a missing parent and an unwritable place', () => {
    const file = join(TMP, 'a-file.txt');
    writeFileSync(file, 'x');
    refused(['--out', file], `hyplay: abi-docs: '${file}' is not a directory`);
    refused(['--out', join(TMP, 'no', 'such', 'dir')], `hyplay: abi-docs: cannot create '${join(TMP, 'no', 'such', 'dir')}': its parent '${join(TMP, 'no', 'such')}' does not exist`);
    refused(['--out', join(file, 'docs')], `hyplay: abi-docs: cannot use '${join(file, 'docs')}': not a directory`);
  });

  it.skipIf(!existsSync('/sys/kernel'))('an unwritable place (sysfs refuses even root) is one line in plain words', () => {
    refused(['--out', '/sys/kernel/hyplay-docs'], "hyplay: abi-docs: cannot create '/sys/kernel/hyplay-docs': permission denied");
  });

  it('leaves no temporary file behind', () => {
    const dir = fresh();
    expect(cli('abi-docs', '--out', dir).status).toBe(0);
    const all = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? all(join(d, e.name)) : [e.name]));
    expect(all(dir).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});

describe('the ABI commands in the help', () => {
  it('are listed', () => {
    const out: string[] = [];
    runCli(['--help'], { out: (t) => out.push(t), err: () => undefined }, allServices());
    const help = out.join('\n');
    for (const command of ['dispatch', 'collisions', 'abi', 'abi-docs']) expect(help).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });
});
