/**
 * Where the CLI writes: an interface the tests capture, and the process's
 * own standard output and error, guarded so that a failed write never ends
 * in a stack trace.
 *
 * - A closed pipe (`hyplay run … --trace | head -1`): the rest of the output
 *   is dropped and the process ends quietly, with the status the command
 *   had (0 when it succeeded), as Unix tools do.
 * - Any other failure to write standard output (a full disk, an I/O
 *   error): one line on standard error in plain words, exit status 2.
 * - A failure to write standard error itself has nowhere to be reported;
 *   the process ends with the status it had.
 *
 * Writes stay the stream's own (synchronous for files and, on Linux, pipes),
 * so nothing is lost at exit; the failures above arrive as the stream's
 * `error` event, after the write.
 *
 * @module
 */

import { systemErrorText } from './cli-error.ts';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  /** Standard output: one call per piece of output; a final newline is added when missing. */
  out(text: string): void;
  /** Standard error: one call per line. */
  err(text: string): void;
}

function line(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

let guarded = false;
/** Set once standard output has failed: later output is dropped. */
let outputFailed = false;

function exitStatus(): number {
  const code = process.exitCode;
  return typeof code === 'number' ? code : Number(code ?? 0);
}

/**
 * Install the `error` handlers on the process's standard output and error
 * (once). Called by {@link processIo} before its first write.
 */
export function guardProcessOutput(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (outputFailed) return;
    outputFailed = true;
    if (error.code === 'EPIPE') process.exit(exitStatus());
    try {
      process.stderr.write(`hyplay: cannot write to standard output: ${systemErrorText(error)}\n`);
    } catch {
      // Nowhere left to say it.
    }
    process.exit(2);
  });
  process.stderr.on('error', () => {
    process.exit(exitStatus());
  });
}

/** The process's standard output and error, guarded ({@link guardProcessOutput}). */
export const processIo: CliIo = {
  out(text) {
    guardProcessOutput();
    if (!outputFailed) process.stdout.write(line(text));
  },
  err(text) {
    guardProcessOutput();
    process.stderr.write(line(text));
  },
};
