/**
 * Input errors the CLI reports as one line with exit status 2.
 *
 * @module
 */

/** A user-input error: bad mnemonic, register, value, file or hex. The message names the input and position. */
export class CliError extends Error {
  /** Always `'CliError'`. */
  override readonly name = 'CliError';
}

/** Parse a CLI number (decimal or `0x` hex, optional `-`) or throw a {@link CliError} naming `what`. */
export function parseCliNumber(text: string, what: string): bigint {
  const t = text.trim();
  if (!/^-?(0x[0-9a-f]+|0b[01]+|\d+)$/i.test(t)) throw new CliError(`${what}: '${text}' is not a number (decimal or 0x hex)`);
  const negative = t.startsWith('-');
  const magnitude = BigInt(negative ? t.slice(1) : t);
  return negative ? -magnitude : magnitude;
}
