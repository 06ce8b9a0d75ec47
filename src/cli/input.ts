/**
 * The files commands read: a path, or `-` for standard input, wherever a
 * file is taken (`asm --file`, `run FILE`, `disasm --file`). A file that
 * cannot be read is a one-line {@link CliError} in plain words.
 *
 * @module
 */

import { readFileSync, readSync } from 'node:fs';
import { CliError, systemErrorText } from './cli-error.ts';

/** The path that means standard input. */
export const STDIN_PATH = '-';

/** How an input is named in messages: its path, or `<stdin>` for `-`. */
export function inputName(path: string): string {
  return path === STDIN_PATH ? '<stdin>' : path;
}

/** Wait about `ms` milliseconds without spinning (standard input that is not ready yet). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * All of standard input. Reads in a loop rather than `readFileSync(0)`,
 * which fails with EAGAIN when the descriptor is non-blocking (a pipe from
 * a parent that set it so); here that only means "not yet".
 */
function readStandardInput(): Uint8Array {
  const chunks: Buffer[] = [];
  const chunk = Buffer.alloc(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        pause(1);
        continue;
      }
      if (code === 'EOF') break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

/** The bytes of `path` (`-`: standard input). Throws {@link CliError} naming the file. */
export function readInputBytes(path: string): Uint8Array {
  try {
    return path === STDIN_PATH ? readStandardInput() : readFileSync(path);
  } catch (error) {
    throw new CliError(`cannot read '${inputName(path)}': ${systemErrorText(error)}`, { input: inputName(path) });
  }
}

/** The text of `path` (`-`: standard input), as UTF-8. Throws {@link CliError} naming the file. */
export function readInputText(path: string): string {
  return Buffer.from(readInputBytes(path)).toString('utf8');
}
