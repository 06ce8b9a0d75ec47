/**
 * A two-pass assembler and a disassembler over any {@link InstructionSet}.
 *
 * The assembler knows lines, labels, comments and the data directives
 * (`.word`, `.align`, `.balign`, `.space`); the instruction set knows the
 * instructions. Every error is an {@link AssemblyError} that names the line
 * and column.
 *
 * @module
 */

import type { Endian } from '../memory/guest-memory.ts';
import { InstructionTable } from './instruction-table.ts';
import { parseInteger, type ParseContext } from './operand.ts';

/** One decoded instruction at the start of a byte stream. */
export interface DecodedText {
  /** Its length in bytes. */
  readonly length: number;
  /** Its disassembly. */
  readonly text: string;
}

/** What the assembler and disassembler need from an architecture. */
export interface InstructionSet {
  /** Architecture name, for messages. */
  readonly name: string;
  /** Byte order of instruction words and `.word`. */
  readonly endian: Endian;
  /** Prefixes that start a comment running to the end of the line. */
  readonly commentPrefixes: readonly string[];
  /** Whether `.align n` means 2^n bytes (true on ARM and PowerPC) or n bytes. */
  readonly alignIsPowerOfTwo: boolean;
  /** Encode one instruction. Throws {@link AssemblyError} (column relative to `text`). */
  assembleOne(text: string, context: ParseContext): Uint8Array;
  /** Decode the instruction at the start of `bytes`: its length and text, or `undefined` if it is not an instruction. */
  disassembleOne(bytes: Uint8Array, address: number): DecodedText | undefined;
}

/** An input error with its position. `line` and `column` count from 1. */
export class AssemblyError extends Error {
  /** Always `'AssemblyError'`. */
  override readonly name = 'AssemblyError';
  /**
   * @param message what is wrong.
   * @param line 1-based line number.
   * @param column 1-based column.
   */
  constructor(
    message: string,
    readonly line = 1,
    readonly column = 1,
  ) {
    super(message);
  }
}

/** One assembled item, for listings and the `asm` command. */
export interface AssembledItem {
  /** Address of the first byte. */
  readonly address: number;
  /** The bytes, in memory order. */
  readonly bytes: Uint8Array;
  /** The source text (instruction or directive), trimmed, without label or comment. */
  readonly text: string;
  /** 1-based source line. */
  readonly line: number;
  /** Whether it is an instruction (rather than data). */
  readonly instruction: boolean;
}

/** The result of assembling a program. */
export interface AssembledProgram {
  /** Load address. */
  readonly base: number;
  /** The whole image. */
  readonly bytes: Uint8Array;
  /** Items in address order. */
  readonly items: readonly AssembledItem[];
  /** Label addresses. */
  readonly symbols: ReadonlyMap<string, number>;
}

function stripComment(line: string, prefixes: readonly string[]): string {
  let cut = line.length;
  for (const prefix of prefixes) {
    const at = line.indexOf(prefix);
    if (at >= 0 && at < cut) cut = at;
  }
  return line.slice(0, cut);
}

function wordBytes(value: number, size: number, endian: Endian): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const shift = endian === 'little' ? 8 * i : 8 * (size - 1 - i);
    out[i] = Math.floor(value / 2 ** shift) & 0xff;
  }
  return out;
}

/** Assemble `source` for `set`, placed at `base`. Throws {@link AssemblyError}. */
export function assemble(set: InstructionSet, source: string, base: number): AssembledProgram {
  const lines = source.split(/\r?\n/);
  let symbols = new Map<string, number>();
  let items: AssembledItem[] = [];
  for (const final of [false, true]) {
    const defined = new Map<string, number>();
    const equates = new Map<string, number>();
    items = [];
    let address = base;
    for (let index = 0; index < lines.length; index++) {
      const lineNumber = index + 1;
      const raw = stripComment(lines[index]!, set.commentPrefixes);
      // `;` separates statements on one line, as in GNU as.
      let statementColumn = 1;
      for (const statement of raw.split(';')) {
        address = assembleStatement(set, statement, statementColumn, lineNumber, address, final, defined, symbols, items, equates);
        statementColumn += statement.length + 1;
      }
    }
    symbols = defined;
  }
  const end = items.length === 0 ? base : items[items.length - 1]!.address + items[items.length - 1]!.bytes.length;
  const image = new Uint8Array(end - base);
  for (const item of items) image.set(item.bytes, item.address - base);
  return { base, bytes: image, items, symbols };
}

function assembleStatement(
  set: InstructionSet,
  statement: string,
  startColumn: number,
  lineNumber: number,
  startAddress: number,
  final: boolean,
  defined: Map<string, number>,
  symbols: ReadonlyMap<string, number>,
  items: AssembledItem[],
  equates: Map<string, number>,
): number {
  let address = startAddress;
  let rest = statement;
  let column = startColumn;
  // Labels: `name:` at the start, possibly several.
  for (;;) {
    const label = /^(\s*)([A-Za-z_.$][\w.$]*):/.exec(rest);
    if (label === null) break;
    const name = label[2]!;
    if (defined.has(name)) throw new AssemblyError(`label '${name}' defined twice`, lineNumber, column + label[1]!.length);
    defined.set(name, address);
    column += label[0].length;
    rest = rest.slice(label[0].length);
  }
  const text = rest.trim();
  if (text === '') return address;
  const textColumn = column + (rest.length - rest.trimStart().length);
  const context: ParseContext = {
    address,
    final,
    resolve: (symbol) => (final ? symbols.get(symbol) : (defined.get(symbol) ?? symbols.get(symbol))),
  };
  const equate = /^\.(?:equ|set)\s+([A-Za-z_][\w]*)\s*,\s*(.+)$/i.exec(text);
  if (equate !== null) {
    const name = equate[1]!;
    const raw = equate[2]!.trim();
    const value = parseInteger(raw) ?? equates.get(raw);
    if (value === undefined) throw new AssemblyError(`bad value '${raw}' for .equ ${name}`, lineNumber, textColumn + text.indexOf(raw));
    if (equates.has(name) || defined.has(name)) throw new AssemblyError(`symbol '${name}' defined twice`, lineNumber, textColumn);
    equates.set(name, value);
    return address;
  }
  if (text.startsWith('.')) {
    const bytes = directive(set, substituteEquates(text, equates), address, lineNumber, textColumn, context);
    items.push({ address, bytes, text, line: lineNumber, instruction: false });
    return address + bytes.length;
  }
  let bytes: Uint8Array;
  try {
    bytes = set.assembleOne(substituteEquates(text, equates), context);
  } catch (error) {
    if (error instanceof AssemblyError) throw new AssemblyError(error.message, lineNumber, textColumn + error.column - 1);
    throw error;
  }
  items.push({ address, bytes, text, line: lineNumber, instruction: true });
  address += bytes.length;
  return address;
}

/**
 * Replace `.equ`/`.set` symbols in a statement by their values, as whole
 * words (so `#HVC_SOFT_RESTART` becomes `#1`). Columns after a substitution
 * may shift; errors still name the statement's line.
 */
function substituteEquates(text: string, equates: ReadonlyMap<string, number>): string {
  if (equates.size === 0) return text;
  return text.replace(/[A-Za-z_][\w]*/g, (word) => {
    const value = equates.get(word);
    return value === undefined ? word : value < 0 ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
  });
}

function directive(set: InstructionSet, text: string, address: number, line: number, column: number, context: ParseContext): Uint8Array {
  const match = /^(\.[a-z0-9_]+)\s*(.*)$/i.exec(text);
  if (match === null) throw new AssemblyError(`unknown directive '${text.split(/\s/, 1)[0]}'`, line, column);
  const name = match[1]!.toLowerCase();
  const argsText = match[2]!;
  const argsColumn = column + text.length - argsText.length;
  const parts = argsText === '' ? [] : argsText.split(',');
  const args = parts.map((a) => a.trim());
  // Column of each argument's first character (not `indexOf`, which finds `b` inside `ab`).
  const argColumns = parts.map((_, i) => argsColumn + parts.slice(0, i).reduce((n, p) => n + p.length + 1, 0) + (parts[i]!.length - parts[i]!.trimStart().length));
  const value = (arg: string, i: number): number => {
    const n = parseInteger(arg);
    if (n !== undefined) return n;
    if (/^[A-Za-z_.$][\w.$]*$/.test(arg)) {
      const v = context.resolve(arg);
      if (v !== undefined) return v;
      if (!context.final) return 0;
      throw new AssemblyError(`unknown label '${arg}'`, line, argColumns[i]!);
    }
    throw new AssemblyError(`bad value '${arg}' for ${name} (argument ${i + 1})`, line, argColumns[i]!);
  };
  switch (name) {
    case '.word':
    case '.long':
    case '.4byte': {
      if (args.length === 0) throw new AssemblyError(`${name} needs a value`, line, column);
      const out = new Uint8Array(4 * args.length);
      args.forEach((arg, i) => {
        const v = value(arg, i);
        if (v < -0x8000_0000 || v > 0xffff_ffff) throw new AssemblyError(`value ${arg} does not fit 32 bits`, line, argColumns[i]!);
        out.set(wordBytes(v >>> 0, 4, set.endian), 4 * i);
      });
      return out;
    }
    case '.align':
    case '.balign':
    case '.p2align': {
      if (args.length !== 1) throw new AssemblyError(`${name} takes one value`, line, column);
      const n = value(args[0]!, 0);
      const powerOfTwo = name === '.p2align' || (name === '.align' && set.alignIsPowerOfTwo);
      if (n < 0 || (powerOfTwo && n > 16) || (!powerOfTwo && (n > 65536 || (n & (n - 1)) !== 0))) {
        throw new AssemblyError(`bad alignment '${args[0]}'`, line, argsColumn);
      }
      const bytes = powerOfTwo ? 2 ** n : Math.max(1, n);
      const pad = (bytes - (address % bytes)) % bytes;
      return new Uint8Array(pad);
    }
    case '.space':
    case '.skip': {
      if (args.length !== 1) throw new AssemblyError(`${name} takes one value`, line, column);
      const n = value(args[0]!, 0);
      if (n < 0 || n > 1 << 24) throw new AssemblyError(`bad size '${args[0]}'`, line, argsColumn);
      return new Uint8Array(n);
    }
    default:
      throw new AssemblyError(`unknown directive '${name}'`, line, column);
  }
}

/** One disassembled instruction. */
export interface DisassembledItem {
  /** Its address. */
  readonly address: number;
  /** Its bytes in memory order. */
  readonly bytes: Uint8Array;
  /** Its text; `.inst 0x…` when the bytes are not an instruction. */
  readonly text: string;
}

/** Disassemble a byte stream placed at `base`. Bytes that are not an instruction show as `.inst`/`.byte`. */
export function disassemble(set: InstructionSet, bytes: Uint8Array, base: number, unitSize: number): DisassembledItem[] {
  const out: DisassembledItem[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const slice = bytes.subarray(offset);
    const address = base + offset;
    const one = slice.length >= unitSize ? set.disassembleOne(slice, address) : undefined;
    if (one === undefined) {
      const length = Math.min(unitSize, slice.length);
      const chunk = slice.subarray(0, length);
      let value = 0;
      for (let i = 0; i < length; i++) value = value * 256 + chunk[set.endian === 'little' ? length - 1 - i : i]!;
      const text = length === 4 ? `.inst 0x${value.toString(16).padStart(8, '0')}` : `.byte ${[...chunk].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}`;
      out.push({ address, bytes: chunk.slice(), text });
      offset += length;
      continue;
    }
    out.push({ address, bytes: slice.slice(0, one.length), text: one.text });
    offset += one.length;
  }
  return out;
}

/** An {@link InstructionSet} for fixed-width instruction words described by an {@link InstructionTable}. */
export class TableInstructionSet implements InstructionSet {
  /** Bytes per instruction. */
  readonly size: number;

  /**
   * @param table the instruction table.
   * @param endian byte order of instruction words.
   * @param commentPrefixes comment starters.
   * @param alignIsPowerOfTwo `.align` semantics.
   */
  constructor(
    readonly table: InstructionTable,
    readonly endian: Endian,
    readonly commentPrefixes: readonly string[],
    readonly alignIsPowerOfTwo = true,
  ) {
    this.size = table.options.width / 8;
  }

  /** The table's name. */
  get name(): string {
    return this.table.options.name;
  }

  /** Encode one instruction into bytes. */
  assembleOne(text: string, context: ParseContext): Uint8Array {
    const result = this.table.assemble(text, context);
    if ('message' in result) throw new AssemblyError(result.message, 1, result.offset + 1);
    return wordBytes(result.word, this.size, this.endian);
  }

  /** Decode and format the instruction word at the start of `bytes`. */
  disassembleOne(bytes: Uint8Array, address: number): DecodedText | undefined {
    if (bytes.length < this.size) return undefined;
    let word = 0;
    for (let i = 0; i < this.size; i++) word = word * 256 + bytes[this.endian === 'little' ? this.size - 1 - i : i]!;
    const match = this.table.decode(word);
    if (match === undefined) return undefined;
    return { length: this.size, text: this.table.format(match, { address }) };
  }

  /** Encode a word to bytes in this set's byte order. */
  bytesOf(word: number): Uint8Array {
    return wordBytes(word, this.size, this.endian);
  }
}
