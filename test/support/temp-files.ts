/**
 * A temporary directory for one test file, removed after its tests, and a
 * way to write numbered input files into it.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A temporary directory (removed after the file's tests) and a writer of numbered files in it. */
export interface TempFiles {
  /** The directory. */
  readonly dir: string;
  /** Write `content` to a new file (`program-N.s` unless another extension is given) and return its path. */
  file(content: string | Uint8Array, extension?: string): string;
}

/** Make the directory `hyplay-<prefix>-…` under the system's temporary directory. */
export function tempFiles(prefix: string): TempFiles {
  const dir = mkdtempSync(join(tmpdir(), `hyplay-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let count = 0;
  return {
    dir,
    file(content, extension = '.s') {
      count += 1;
      const path = join(dir, `program-${count}${extension}`);
      writeFileSync(path, content);
      return path;
    },
  };
}
