/**
 * Bit patterns with named fields, in the style of QEMU's decodetree.
 *
 * A pattern is written most significant bit first as whitespace-separated
 * tokens: a run of `0`, `1` and `.` (a fixed or don't-care bit each), or a
 * field `name:width`. A field name written twice is one field made of both
 * pieces, the first piece being the more significant (HVC's imm12:imm4).
 *
 * @module
 */

/** One contiguous piece of a field inside the instruction word. */
export interface FieldPiece {
  /** Bit position of the piece's least significant bit. */
  readonly shift: number;
  /** Width of the piece in bits. */
  readonly width: number;
}

/** Where a named field lives in the word. */
export interface FieldLayout {
  /** The field's name. */
  readonly name: string;
  /** Its pieces, most significant first. */
  readonly pieces: readonly FieldPiece[];
  /** Total width in bits. */
  readonly width: number;
}

/** A parsed pattern: fixed bits as mask/value, plus the field layouts. */
export interface BitPattern {
  /** Width of the word in bits (at most 32). */
  readonly width: number;
  /** Bits that are fixed. */
  readonly mask: number;
  /** Values of the fixed bits. */
  readonly value: number;
  /** Fields by name, in the order they first appear. */
  readonly fields: ReadonlyMap<string, FieldLayout>;
}

/** A problem in a table or pattern definition, found when the table is built. */
export class TableError extends Error {
  /** Always `'TableError'`. */
  override readonly name = 'TableError';
}

/** Parse a pattern of exactly `width` bits. Throws {@link TableError} naming `owner` when malformed. */
export function parsePattern(text: string, width: number, owner: string): BitPattern {
  if (width < 1 || width > 32) throw new TableError(`${owner}: pattern width ${width} is not 1..32`);
  let position = width;
  let mask = 0;
  let value = 0;
  const pieces = new Map<string, FieldPiece[]>();
  for (const token of text.trim().split(/\s+/)) {
    const field = /^([a-z_][a-z0-9_]*):(\d+)$/i.exec(token);
    if (field !== null) {
      const name = field[1]!;
      const fieldWidth = Number(field[2]);
      if (fieldWidth < 1) throw new TableError(`${owner}: field '${name}' has width 0`);
      position -= fieldWidth;
      if (position < 0) throw new TableError(`${owner}: pattern '${text}' is longer than ${width} bits`);
      const list = pieces.get(name) ?? [];
      list.push({ shift: position, width: fieldWidth });
      pieces.set(name, list);
      continue;
    }
    if (!/^[01.]+$/.test(token)) throw new TableError(`${owner}: bad pattern token '${token}' in '${text}'`);
    for (const bit of token) {
      position -= 1;
      if (position < 0) throw new TableError(`${owner}: pattern '${text}' is longer than ${width} bits`);
      if (bit === '.') continue;
      mask |= 1 << position;
      if (bit === '1') value |= 1 << position;
    }
  }
  if (position !== 0) throw new TableError(`${owner}: pattern '${text}' is ${width - position} bits, expected ${width}`);
  const fields = new Map<string, FieldLayout>();
  for (const [name, list] of pieces) {
    fields.set(name, { name, pieces: list, width: list.reduce((sum, p) => sum + p.width, 0) });
  }
  return { width, mask: mask >>> 0, value: value >>> 0, fields };
}

/** Read a field's value out of a word. */
export function extractField(word: number, layout: FieldLayout): number {
  let out = 0;
  for (const piece of layout.pieces) {
    const bits = piece.width === 32 ? word >>> 0 : (word >>> piece.shift) & ((1 << piece.width) - 1);
    out = out * 2 ** piece.width + (bits >>> 0);
  }
  return out;
}

/** Write a field's value into a word (the value must fit the field). */
export function insertField(word: number, layout: FieldLayout, value: number): number {
  let rest = value;
  let out = word;
  for (let i = layout.pieces.length - 1; i >= 0; i--) {
    const piece = layout.pieces[i]!;
    const pieceMask = piece.width === 32 ? 0xffff_ffff : (1 << piece.width) - 1;
    out = (out & ~((pieceMask << piece.shift) >>> 0)) | (((rest & pieceMask) << piece.shift) >>> 0);
    rest = Math.floor(rest / 2 ** piece.width);
  }
  return out >>> 0;
}
