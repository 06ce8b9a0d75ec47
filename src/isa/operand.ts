/**
 * Operand codecs: how one piece of assembly syntax maps to instruction fields.
 *
 * A table template such as `add{s:s}{cond:cond} {reg:rd}, {reg:rn}, {modimm:imm12}`
 * names a codec and the fields it owns for each placeholder. The same codec
 * formats the fields for the disassembler and parses the text for the
 * assembler, so the two cannot drift apart.
 *
 * @module
 */

/** A symbol as an expression sees it: its value, and whether it is an assembly-time constant rather than an address. */
export interface ContextSymbol {
  /** The value. */
  readonly value: bigint;
  /** True for a constant (`.equ X, 5` before this use), false for an address (a label, `.`, anything derived from one). */
  readonly constant: boolean;
}

/** A value an instruction wants placed in a literal pool (`ldr r0, =value` on ARM). */
export interface LiteralRequest {
  /** The value, as a signed 64-bit integer. */
  readonly value: bigint;
  /** Whether it is an assembly-time constant: equal constants share one pool entry, as in llvm-mc. */
  readonly constant: boolean;
  /** Its size in bytes. */
  readonly size: number;
}

/** What a codec may ask about the place it is assembled at. */
export interface ParseContext {
  /** Address of the instruction being assembled. */
  readonly address: number;
  /**
   * Value of a label, or `undefined` when it is not (yet) known. In the
   * first pass unknown labels are expected; see {@link ParseContext.final}.
   */
  resolve(symbol: string): number | undefined;
  /**
   * True once every symbol is known from an earlier pass (the assembler's
   * emitting passes, or a caller with no labels to wait for): an unknown
   * label is then an error, not a placeholder.
   */
  readonly final: boolean;
  /**
   * The code mode the source's last mode directive selected (the value of
   * a `ModeDirective` rule of the architecture's syntax), or
   * `undefined` before any: an architecture whose encodings depend on a
   * mode reads it here. Each pass starts without one.
   */
  readonly mode?: string;
  /**
   * A symbol for an expression (`name`, or `1b` / `1f` for numeric local
   * labels), or `undefined` when it is not defined. The assembler provides
   * it; without it expressions use {@link ParseContext.resolve} and take
   * every symbol for an address.
   */
  lookup?(symbol: string): ContextSymbol | undefined;
  /**
   * Place a value in the current section's literal pool and return the
   * address of its entry (a placeholder before the pool is placed). Only the
   * assembler provides it; pseudo-instructions that need it fail without.
   */
  literal?(request: LiteralRequest): number;
}

/** What a codec may ask about the place it is disassembled at. */
export interface FormatContext {
  /** Address of the instruction being disassembled. */
  readonly address: number;
}

/** A problem with one operand's text. `offset` is relative to the operand's first character. */
export class OperandError extends Error {
  /** Always `'OperandError'`. */
  override readonly name = 'OperandError';
  /**
   * @param message what is wrong, naming the offending text.
   * @param offset character offset of the problem inside the operand text.
   */
  constructor(
    message: string,
    readonly offset = 0,
  ) {
    super(message);
  }
}

/**
 * Formats and parses one placeholder. A codec is bound to an ordered list of
 * fields in the template; `format` receives their values in that order and
 * `parse` returns them in that order.
 */
export interface OperandCodec {
  /** Regular-expression source matching the operand text. It must not contain capturing groups. */
  readonly pattern: string;
  /** Text for these field values, or `undefined` when this template does not apply to them. */
  format(values: readonly number[], context: FormatContext): string | undefined;
  /**
   * Field values for this text. Throws {@link OperandError} for a bad value,
   * register or range; returns `undefined` when the text is well formed but
   * belongs to another template (`adr` to a label behind is SUB, not ADD).
   */
  parse(text: string, context: ParseContext): readonly number[] | undefined;
}

/** A set of codecs by the name templates use. */
export type CodecSet = Readonly<Record<string, OperandCodec>>;

/**
 * Parse an integer the way assemblers write it: decimal, `0x` hex, `0b`
 * binary, with an optional sign and an optional leading `#`. Returns
 * `undefined` when the text is not a number.
 */
export function parseInteger(text: string): number | undefined {
  const match = /^#?\s*([+-]?)\s*(0x[0-9a-f]+|0b[01]+|\d+)$/i.exec(text.trim());
  if (match === null) return undefined;
  const digits = match[2]!.toLowerCase();
  const magnitude = digits.startsWith('0b') ? parseInt(digits.slice(2), 2) : Number(digits);
  if (!Number.isSafeInteger(magnitude)) return undefined;
  return match[1] === '-' ? -magnitude : magnitude;
}
