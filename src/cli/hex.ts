/**
 * Hex input for `hyplay disasm`: a bare argument is a byte stream in memory
 * order (`700040e1` or `70 00 40 e1`); a `0x` argument is one instruction word
 * in the architecture's byte order.
 *
 * @module
 */

import type { Endian } from '../memory/guest-memory.ts';
import { CliError } from './cli-error.ts';

/** Bytes in memory order from the `disasm` arguments. Throws {@link CliError} with the argument and column. */
export function parseHexArguments(args: readonly string[], endian: Endian, wordSize: number): Uint8Array {
  const out: number[] = [];
  args.forEach((arg, index) => {
    const where = `argument ${index + 1}`;
    if (/^0x/i.test(arg)) {
      const digits = arg.slice(2);
      const bad = digits.search(/[^0-9a-f]/i);
      if (bad >= 0 || digits.length === 0) throw new CliError(`bad hex '${arg}' (${where}, column ${bad >= 0 ? bad + 3 : 3})`);
      if (digits.length > wordSize * 2) throw new CliError(`bad hex '${arg}' (${where}): a 0x word has at most ${wordSize * 2} digits`);
      const value = BigInt(arg);
      const bytes: number[] = [];
      for (let i = 0; i < wordSize; i++) bytes.push(Number((value >> BigInt(8 * i)) & 0xffn));
      out.push(...(endian === 'little' ? bytes : bytes.reverse()));
      return;
    }
    const compact = arg.replace(/\s+/g, '');
    const bad = arg.search(/[^0-9a-f\s]/i);
    if (bad >= 0) throw new CliError(`bad hex '${arg}' (${where}, column ${bad + 1})`);
    if (compact.length === 0) return;
    if (compact.length % 2 !== 0) throw new CliError(`bad hex '${arg}' (${where}): odd number of hex digits`);
    for (let i = 0; i < compact.length; i += 2) out.push(parseInt(compact.slice(i, i + 2), 16));
  });
  if (out.length === 0) throw new CliError(`no bytes to disassemble (the hex argument${args.length === 1 ? ' is' : 's are'} empty)`, { input: 'argument 2' });
  return Uint8Array.from(out);
}
