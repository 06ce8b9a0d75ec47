/**
 * Input errors the CLI reports as one line with exit status 2, and the
 * plain words it uses for them.
 *
 * @module
 */

import { getSystemErrorMap } from 'node:util';

/** Where in the input an error is, as far as it is known. */
export interface ErrorPosition {
  /** The input: a file name, `<text>`, `<stdin>`, `argument 3`, an option (`--dump`). */
  readonly input?: string;
  /** 1-based line. */
  readonly line?: number;
  /** 1-based column. */
  readonly column?: number;
}

/** A user-input error: bad mnemonic, register, value, file or hex. The message names the input and position. */
export class CliError extends Error {
  /** Always `'CliError'`. */
  override readonly name = 'CliError';

  /**
   * @param message one line, naming the input and position where there is one.
   * @param position the same position as fields, for `--json` errors.
   */
  constructor(
    message: string,
    readonly position: ErrorPosition = {},
  ) {
    super(message);
  }
}

/** Parse a CLI number (decimal or `0x` hex, optional `-`) or throw a {@link CliError} naming `what`. */
export function parseCliNumber(text: string, what: string): bigint {
  const t = text.trim();
  if (!/^-?(0x[0-9a-f]+|0b[01]+|\d+)$/i.test(t)) throw new CliError(`${what}: '${text}' is not a number (decimal or 0x hex)`, { input: what });
  const negative = t.startsWith('-');
  const magnitude = BigInt(negative ? t.slice(1) : t);
  return negative ? -magnitude : magnitude;
}

/** The words for the errors a user meets, where they differ from the system's own (`ENOENT` is `no such file`). */
const PLAIN_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  ENOTEMPTY: 'directory not empty',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EPIPE: 'broken pipe',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
};

/**
 * What a failed system call means, in plain words and never as a code:
 * `no such file`, `permission denied`, `is a directory`; for other errors
 * the system's own description (`getSystemErrorMap`).
 */
export function systemErrorText(error: unknown): string {
  const failure = error as NodeJS.ErrnoException | undefined;
  const code = failure?.code;
  if (code !== undefined && code in PLAIN_WORDS) return PLAIN_WORDS[code]!;
  if (typeof failure?.errno === 'number') {
    const described = getSystemErrorMap().get(failure.errno);
    if (described !== undefined) return described[1];
  }
  const message = error instanceof Error ? error.message : String(error);
  // Node's messages start with the code (`EXDEV: cross-device link not permitted, rename …`): keep the words.
  return message.replace(/^E[A-Z]+: /, '').split(',')[0]!;
}

/**
 * `text` with every control character (and a replacement character left by
 * undecodable bytes) shown as `\xNN` or `\u{…}`, so that a message quoting
 * binary input stays one printable line.
 */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]/gu, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}
