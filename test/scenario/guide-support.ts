/**
 * Reading abi-docs/guides/kexec-vs-kdump.md for its tests, section by
 * section (`## ` headings), so that each architecture's part is checked by
 * its own test file and the files run in parallel: the quotes between
 * `<!-- quote: PATH#NAME -->` and `<!-- /quote -->` against the regions a
 * scenario file marks with `quote: NAME` … `/quote: NAME` comments (`@` in
 * A32 files, `//` in A64 ones), the outcome tables, and every `hyplay`
 * command of a section's `sh` blocks, which the tests run in-process.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { cli, type Captured } from '../support/cli.ts';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The guide, relative to the root. */
export const GUIDE_PATH = 'abi-docs/guides/kexec-vs-kdump.md';
/** The guide's text. */
export const GUIDE = readFileSync(join(ROOT, GUIDE_PATH), 'utf8');

/** One `## ` section of the guide: its heading (without `## `) and its text, heading included. */
export interface Section {
  readonly heading: string;
  readonly text: string;
}

/** The guide's sections in order; the text before the first heading is the section `''`. */
export function sectionsOf(markdown: string): Section[] {
  const out: Section[] = [];
  let heading = '';
  let lines: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (!fenced && line.startsWith('## ')) {
      out.push({ heading, text: lines.join('\n') });
      heading = line.slice(3);
      lines = [];
    }
    lines.push(line);
  }
  out.push({ heading, text: lines.join('\n') });
  return out;
}

/** The sections of the arm64 part (headings `arm64: …`), or of everything else. */
export function guideSections(part: 'arm32' | 'arm64'): Section[] {
  return sectionsOf(GUIDE).filter((s) => s.heading.startsWith('arm64:') === (part === 'arm64'));
}

/** One quote in a guide. */
export interface Quote {
  readonly path: string;
  readonly name: string;
  readonly body: string;
}

/** Every quote of `markdown`; throws on a quote that is not closed or holds no fenced block. */
export function quotesOf(markdown: string): Quote[] {
  const out: Quote[] = [];
  const pattern = /<!-- quote: ([^#\s]+)#(\S+) -->\n([\s\S]*?)<!-- \/quote -->/g;
  for (const match of markdown.matchAll(pattern)) {
    const fenced = /^```[a-z]*\n([\s\S]*?)\n```\n$/.exec(match[3]!);
    if (fenced === null) throw new Error(`quote ${match[1]}#${match[2]}: no fenced block between the markers`);
    out.push({ path: match[1]!, name: match[2]!, body: fenced[1]! });
  }
  const opened = markdown.match(/<!-- quote: /g)?.length ?? 0;
  const closed = markdown.match(/<!-- \/quote -->/g)?.length ?? 0;
  if (opened !== out.length || closed !== out.length) throw new Error(`${opened} quote markers open, ${closed} close, ${out.length} quotes parsed`);
  return out;
}

/** The comment that opens a marker line in a scenario file: `@` for A32 sources, `//` for A64 ones. */
export function commentOf(path: string): string {
  return path.startsWith('arch/arm64/') ? '//' : '@';
}

/** The lines between `C quote: NAME` and `C /quote: NAME` in `source` (C the comment), or why there are none. */
export function regionOf(source: string, name: string, comment = '@'): string | { readonly missing: string } {
  const lines = source.split('\n');
  const start = lines.indexOf(`${comment} quote: ${name}`);
  const end = lines.indexOf(`${comment} /quote: ${name}`);
  if (start < 0) return { missing: `no '${comment} quote: ${name}' marker` };
  if (end < 0) return { missing: `no '${comment} /quote: ${name}' marker` };
  if (end < start) return { missing: `'${comment} /quote: ${name}' comes before '${comment} quote: ${name}'` };
  return lines.slice(start + 1, end).join('\n');
}

/** Every region marked in the `.s` files of `dir` (relative to the root), as `PATH#NAME`. */
export function markedRegions(dir: string): string[] {
  const comment = commentOf(`${dir}/`);
  const out: string[] = [];
  for (const file of readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.s')).sort()) {
    const source = readFileSync(join(ROOT, dir, file), 'utf8');
    for (const line of source.split('\n')) if (line.startsWith(`${comment} quote: `)) out.push(`${dir}/${file}#${line.slice(comment.length + 8)}`);
  }
  return out;
}

/** Whether a quote's body is its file's marked region, verbatim. */
export function expectVerbatim(quote: Quote): void {
  const region = regionOf(readFileSync(join(ROOT, quote.path), 'utf8'), quote.name, commentOf(quote.path));
  expect(region, `${quote.path}: marker missing`).toBeTypeOf('string');
  expect(quote.body).toBe(region);
}

/** One row of an outcome table: path, era, stub, hypervisor, vm, shipped, outcome. */
export type TableRow = readonly [string, string, string, string, string, boolean, string];

/** The outcome-table rows of a text (`| path | era | … | outcome |` with a known path). */
export function tableRows(text: string): TableRow[] {
  return [...text.matchAll(/^\| (kexec|kdump|kexec-race) \| ([^|]+) \| (\S+) \| (\S+) \| (none|running) \| (yes|no) \| (\S+) \|$/gm)].map(
    (m) => [m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6] === 'yes', m[7]!] as const,
  );
}

const runs = new Map<string, Captured>();

/** Run `hyplay argv…` in-process once per test file: a command the guide shows and a table check share one run. */
export function runOnce(argv: readonly string[]): Captured {
  const key = argv.join('\0');
  let result = runs.get(key);
  if (result === undefined) {
    result = cli(...argv);
    runs.set(key, result);
  }
  return result;
}

/** The rows of `hyplay reset-matrix --arch ARCH --json`, the matrix the code computes, in the table's shape. */
export function matrixRows(arch: string): TableRow[] {
  const result = runOnce(['reset-matrix', '--arch', arch, '--json']);
  expect(result.status).toBe(0);
  const rows: { path: string; era: string; stub: string; hypervisor: string; vm: string; shipped: boolean; outcome: string }[] = JSON.parse(result.out).rows;
  return rows.map((r) => [r.path, r.era, r.stub, r.hypervisor, r.vm, r.shipped, r.outcome] as const);
}

/** A command of a `sh` block: the words after `hyplay`, and the comment after `#` (empty when none). */
export interface GuideCommand {
  readonly line: string;
  readonly argv: readonly string[];
  readonly comment: string;
}

/** The `hyplay` commands (`npm run -s hyplay -- …`) of a text's `sh` blocks. */
export function commandsOf(text: string): GuideCommand[] {
  const out: GuideCommand[] = [];
  for (const block of text.matchAll(/^```sh\n([\s\S]*?)\n```$/gm)) {
    for (const line of block[1]!.split('\n')) {
      const match = /^npm run -s hyplay -- ([^#]*?)\s*(?:#\s*(.*))?$/.exec(line);
      if (match !== null) out.push({ line, argv: match[1]!.split(/\s+/), comment: match[2] ?? '' });
    }
  }
  return out;
}

/** The `npm` scripts a text's `sh` blocks run other than `hyplay` (`npm start`, `npm run X`). */
export function npmScriptsOf(text: string): string[] {
  const out: string[] = [];
  for (const block of text.matchAll(/^```sh\n([\s\S]*?)\n```$/gm)) {
    for (const line of block[1]!.split('\n')) {
      const match = /^npm (?:run (?:-s )?)?(\S+)/.exec(line);
      if (match !== null && match[1] !== 'hyplay') out.push(match[1]!);
    }
  }
  return out;
}

/**
 * Run one guide command in-process: it must exit 0 with nothing on stderr;
 * `--json` output must parse; a `scenario run` whose comment names an
 * outcome must end in that outcome, as expected.
 */
export function expectCommandWorks(command: GuideCommand): void {
  const result = runOnce(command.argv);
  expect(result.err, command.line).toEqual([]);
  expect(result.status, command.line).toBe(0);
  if (command.argv.includes('--json')) expect(() => JSON.parse(result.out), command.line).not.toThrow();
  if (command.argv[0] === 'scenario' && command.argv[1] === 'run' && command.comment !== '') {
    const outcome = command.comment.split(/\s/)[0]!;
    const trace = command.argv.includes('--trace');
    expect(result.out, command.line).toContain(trace ? `\n== outcome ${outcome}: ` : `\noutcome: ${outcome}: `);
    expect(result.out, command.line).toMatch(trace ? new RegExp(`\n== expected ${outcome}: ok$`) : new RegExp(`\nexpected: ${outcome} \\(ok\\), after \\d+ steps$`));
  }
}

/** The relative link targets of a text (`](path)` and `](path#anchor)`), outside `http` links. */
export function linksOf(text: string): string[] {
  return [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
}

/** Backticked repository paths a text names (`arch/…`, `src/…`, `test/…`, `scripts/…`), which must exist. */
export function pathsOf(text: string): string[] {
  return [...text.matchAll(/`((?:arch\/\w+\/(?:scenarios|firmware|abis|jit|semantics)\/|src\/|test\/|scripts\/)[\w./-]+)`/g)].map((m) => m[1]!).filter((p) => !p.includes("NAME"));
}

/** Every link of a section resolves from the guide's directory, and every path it names exists. */
export function expectReferencesExist(section: Section): void {
  const here = join(ROOT, 'abi-docs/guides');
  for (const link of linksOf(section.text)) expect(existsSync(join(here, link)), `${section.heading}: link ${link}`).toBe(true);
  for (const path of pathsOf(section.text)) expect(existsSync(join(ROOT, path)), `${section.heading}: ${path}`).toBe(true);
}
