/**
 * Writing the generated `abi-docs/` pages to disk, and comparing the pages on
 * disk with a fresh rendering.
 *
 * The writer never deletes or overwrites a file it did not write. The
 * manifest in the directory (`generated-files.txt`) lists every file it
 * wrote with the SHA-256 of what it wrote; a file is changed or removed only
 * when the manifest lists it and its content still has that hash (a file a
 * manifest of the format before hashes lists is taken as written by the
 * tool). A directory without a manifest is written into only when it is
 * empty (apart from `guides/`). Anything else is refused, with one message
 * naming the file, unless `force` is set; nothing is written when anything
 * is refused. Nothing under `guides/` (the hand-written guides) is ever
 * touched, whatever a manifest says, and `force` does not change that.
 *
 * Each file is written whole or not at all (a temporary file beside it,
 * then renamed), and the manifest last, so a failure (a full disk) leaves
 * every file either as it was or as it is now generated.
 *
 * @module
 */

import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { contentHash, GUIDES_DIR, MANIFEST_FILE, parseManifestEntries, type GeneratedPage, type ManifestEntry } from './abi-docs.ts';

/** What {@link writeAbiDocs} did, by path relative to the docs directory. */
export interface WriteReport {
  /** Files created or changed. */
  readonly written: readonly string[];
  /** Files already up to date. */
  readonly unchanged: readonly string[];
  /** Stale generated files removed (listed in the old manifest, no longer generated). */
  readonly removed: readonly string[];
}

/** How {@link writeAbiDocs} may treat files it did not write. */
export interface WriteOptions {
  /**
   * Write into a non-empty directory without a manifest, and overwrite or
   * remove listed files that changed since they were written. Never reaches
   * into `guides/` and never removes a file no manifest lists.
   */
  readonly force?: boolean;
}

/** Why the pages could not be written: one line naming the file or directory, plus the system error where there was one. */
export class DocsWriteError extends Error {
  /** Always `'DocsWriteError'`. */
  override readonly name = 'DocsWriteError';

  /**
   * @param what what could not be done, one line (`cannot write 'docs/index.md'`).
   * @param failure the system error behind it, when there was one (its words follow `what` in the message).
   */
  constructor(
    readonly what: string,
    readonly failure?: NodeJS.ErrnoException,
  ) {
    super(failure === undefined ? what : `${what}: ${failure.message}`);
  }
}

/** A generated path that is safe to write or remove: relative, no `..`, not under `guides/`. */
function isGeneratedPath(path: string): boolean {
  const parts = path.split('/');
  return path !== '' && !path.startsWith('/') && !parts.includes('..') && !parts.includes('') && parts[0] !== GUIDES_DIR;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** The manifest's entries in `dir` (empty when there is none). */
function manifestEntries(dir: string): ManifestEntry[] {
  const text = readOrUndefined(join(dir, MANIFEST_FILE));
  return text === undefined ? [] : parseManifestEntries(text);
}

/** Paths the manifest in `dir` lists (empty when there is none). */
export function previousManifest(dir: string): string[] {
  return manifestEntries(dir).map((entry) => entry.path);
}

/** A system error as a {@link DocsWriteError} saying `what` failed (e.g. `cannot write 'x/index.md'`). */
function failed(what: string, error: unknown): DocsWriteError {
  return new DocsWriteError(what, error as NodeJS.ErrnoException);
}

/** Make sure `dir` is a directory, creating it (not its parents) when it is missing. */
function ensureDirectory(dir: string): void {
  let stat;
  try {
    stat = statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw failed(`cannot use '${dir}'`, error);
    if (!existsSync(dirname(dir))) throw new DocsWriteError(`cannot create '${dir}': its parent '${dirname(dir)}' does not exist`);
    try {
      mkdirSync(dir);
    } catch (mkdirError) {
      throw failed(`cannot create '${dir}'`, mkdirError);
    }
    return;
  }
  if (!stat.isDirectory()) throw new DocsWriteError(`'${dir}' is not a directory`);
}

/** Write `content` to `path` whole: a temporary file beside it, then a rename. */
function writeWhole(path: string, content: string): void {
  const temporary = join(dirname(path), `.${path.split('/').pop()}.abi-docs-tmp`);
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Write `pages` into `dir`, leaving files whose content is already right
 * untouched, and remove files the previous manifest listed that are no
 * longer generated. Throws {@link DocsWriteError} (one line) when `dir`
 * cannot be used or a file it would change is not its own (see the module
 * comment), before writing anything.
 */
export function writeAbiDocs(dir: string, pages: readonly GeneratedPage[], options: WriteOptions = {}): WriteReport {
  for (const page of pages) {
    if (!isGeneratedPath(page.path)) throw new DocsWriteError(`refusing to write '${page.path}': not a generated path`);
  }
  ensureDirectory(dir);
  const force = options.force === true;
  const hasManifest = existsSync(join(dir, MANIFEST_FILE));
  if (!hasManifest && !force) {
    const other = readdirSync(dir).filter((name) => name !== GUIDES_DIR);
    if (other.length > 0) {
      throw new DocsWriteError(`refusing to write into '${dir}': it is not empty and has no ${MANIFEST_FILE} of abi-docs (found '${other.sort()[0]}'; use --force to write there anyway)`);
    }
  }
  const listed = new Map(manifestEntries(dir).map((entry) => [entry.path, entry]));
  /** Whether the file at `path` (relative) is the tool's own to change: listed, and unchanged since it was written. */
  const own = (path: string, content: string): boolean => {
    const entry = listed.get(path);
    return entry !== undefined && (entry.hash === undefined || entry.hash === contentHash(content));
  };
  const wanted = new Set(pages.map((p) => p.path));
  const toWrite: GeneratedPage[] = [];
  const unchanged: string[] = [];
  const toRemove: string[] = [];
  const refusals: string[] = [];
  for (const page of pages) {
    const full = join(dir, page.path);
    let isDirectory = false;
    try {
      isDirectory = lstatSync(full).isDirectory();
    } catch {
      // Missing: written below.
    }
    if (isDirectory) {
      refusals.push(`refusing to overwrite '${full}': it is a directory`);
      continue;
    }
    const current = readOrUndefined(full);
    if (current === page.content) {
      unchanged.push(page.path);
      continue;
    }
    if (current !== undefined && page.path !== MANIFEST_FILE && !own(page.path, current) && !force) {
      refusals.push(`refusing to overwrite '${full}': ${listed.has(page.path) ? 'it has changed since abi-docs wrote it' : 'abi-docs did not write it'} (use --force)`);
      continue;
    }
    toWrite.push(page);
  }
  for (const [path] of listed) {
    if (wanted.has(path) || !isGeneratedPath(path)) continue;
    const current = readOrUndefined(join(dir, path));
    if (current === undefined) continue;
    if (!own(path, current) && !force) {
      refusals.push(`refusing to remove '${join(dir, path)}': it has changed since abi-docs wrote it (use --force)`);
      continue;
    }
    toRemove.push(path);
  }
  if (refusals.length > 0) {
    throw new DocsWriteError(`${refusals[0]}${refusals.length > 1 ? `, and ${refusals.length - 1} more` : ''}; nothing was written`);
  }
  // The manifest goes last: until it is written, the old one still describes every file not yet replaced.
  const ordered = [...toWrite.filter((p) => p.path !== MANIFEST_FILE), ...toWrite.filter((p) => p.path === MANIFEST_FILE)];
  const written: string[] = [];
  for (const page of ordered) {
    const full = join(dir, page.path);
    try {
      mkdirSync(dirname(full), { recursive: true });
      writeWhole(full, page.content);
    } catch (error) {
      throw failed(`cannot write '${full}'`, error);
    }
    written.push(page.path);
  }
  const removed: string[] = [];
  for (const path of toRemove) {
    try {
      rmSync(join(dir, path));
    } catch (error) {
      throw failed(`cannot remove '${join(dir, path)}'`, error);
    }
    removed.push(path);
  }
  const order = pages.map((p) => p.path);
  written.sort((a, b) => order.indexOf(a) - order.indexOf(b));
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
