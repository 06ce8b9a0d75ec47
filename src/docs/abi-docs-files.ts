/**
 * Writing the generated `abi-docs/` pages to disk, and comparing the pages on
 * disk with a fresh rendering.
 *
 * Only generated files are ever written or removed: the names the renderer
 * produces, and stale names the previous manifest listed. Nothing under
 * `guides/` (the hand-written guides) is touched, whatever a manifest says.
 *
 * @module
 */

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GUIDES_DIR, MANIFEST_FILE, parseManifest, type GeneratedPage } from './abi-docs.ts';

/** What {@link writeAbiDocs} did, by path relative to the docs directory. */
export interface WriteReport {
  /** Files created or changed. */
  readonly written: readonly string[];
  /** Files already up to date. */
  readonly unchanged: readonly string[];
  /** Stale generated files removed (listed in the old manifest, no longer generated). */
  readonly removed: readonly string[];
}

/** A generated path that is safe to write or remove: relative, no `..`, not under `guides/`. */
function isGeneratedPath(path: string): boolean {
  const parts = path.split('/');
  return path !== '' && !path.startsWith('/') && !parts.includes('..') && !parts.includes('') && parts[0] !== GUIDES_DIR;
}

function readOrUndefined(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Paths the manifest in `dir` lists (empty when there is none). */
export function previousManifest(dir: string): string[] {
  const text = readOrUndefined(join(dir, MANIFEST_FILE));
  return text === undefined ? [] : parseManifest(text);
}

/**
 * Write `pages` into `dir`, leaving files whose content is already right
 * untouched, and remove files the previous manifest listed that are no
 * longer generated. Never touches `guides/` or any file it did not generate.
 */
export function writeAbiDocs(dir: string, pages: readonly GeneratedPage[]): WriteReport {
  const written: string[] = [];
  const unchanged: string[] = [];
  const removed: string[] = [];
  const wanted = new Set(pages.map((p) => p.path));
  for (const page of pages) {
    if (!isGeneratedPath(page.path)) throw new Error(`refusing to write '${page.path}': not a generated path`);
  }
  for (const path of previousManifest(dir)) {
    if (wanted.has(path) || !isGeneratedPath(path)) continue;
    const full = join(dir, path);
    if (existsSync(full)) {
      rmSync(full);
      removed.push(path);
    }
  }
  for (const page of pages) {
    const full = join(dir, page.path);
    if (readOrUndefined(full) === page.content) {
      unchanged.push(page.path);
      continue;
    }
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, page.content);
    written.push(page.path);
  }
  return { written, unchanged, removed };
}

/** One way the pages on disk differ from a fresh rendering. */
export interface DocsDrift {
  /** Path relative to the docs directory. */
  readonly path: string;
  /** What is wrong, one line: missing, stale, or the first differing line with both versions. */
  readonly message: string;
}

/** Where two texts first differ. */
export interface LineDifference {
  /** 1-based line number. */
  readonly line: number;
  /** The expected line (`<end of file>` past the end). */
  readonly expected: string;
  /** The line found (`<end of file>` past the end). */
  readonly actual: string;
}

/** The first line where two texts differ, with both lines; `undefined` when equal. */
export function firstDifference(expected: string, actual: string): LineDifference | undefined {
  if (expected === actual) return undefined;
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) return { line: i + 1, expected: e[i] ?? '<end of file>', actual: a[i] ?? '<end of file>' };
  }
  return undefined;
}

/**
 * Compare `dir` with `pages`: every generated file must exist with exactly
 * the rendered content, and no file the committed manifest lists may be left
 * over from an earlier rendering.
 */
export function checkAbiDocs(dir: string, pages: readonly GeneratedPage[]): DocsDrift[] {
  const drift: DocsDrift[] = [];
  const wanted = new Set(pages.map((p) => p.path));
  for (const page of pages) {
    const actual = readOrUndefined(join(dir, page.path));
    if (actual === undefined) {
      drift.push({ path: page.path, message: `${page.path}: missing (run \`npm run abi-docs\`)` });
      continue;
    }
    const diff = firstDifference(page.content, actual);
    if (diff !== undefined) {
      drift.push({ path: page.path, message: `${page.path}:${diff.line}: differs from the specs (run \`npm run abi-docs\`): expected ${JSON.stringify(diff.expected)}, found ${JSON.stringify(diff.actual)}` });
    }
  }
  for (const path of previousManifest(dir)) {
    if (!wanted.has(path) && isGeneratedPath(path) && existsSync(join(dir, path))) {
      drift.push({ path, message: `${path}: generated earlier but no longer (run \`npm run abi-docs\` to remove it)` });
    }
  }
  return drift;
}
