/**
 * Assembly expressions as GNU as and llvm-mc read them: integers (decimal,
 * `0x` hex, `0b` binary, `0` octal), character literals (`'a'`, `'\n'`),
 * symbols, numeric local label references (`1b`, `1f`), `.` for the
 * location counter, parentheses, and the operators
 * `+ - * / % << >> & | ^ ~ !`, the comparisons and `&& ||`.
 *
 * Precedence is llvm-mc's for ELF targets (`AsmParser`'s GNU table), lowest
 * first: `||`; `&&`; `== != <> < <= > >=`; `+ -`; `| & ^` and binary `!`
 * (or-not, where the architecture has it); `* / % << >>`. Operators of one
 * level associate to the left. Values are 64-bit two's complement; `>>` is
 * a logical shift, a comparison gives -1 for true and 0 for false, `&&`,
 * `||` and unary `!` give 1 or 0 (as llvm-mc does).
 *
 * An architecture adds relocation operators through {@link ExpressionSyntax}:
 * postfix `@l`, `@ha`, … on PowerPC, prefix `:lower16:` on ARM. As in
 * llvm-mc, a postfix modifier applies to the whole expression it appears
 * in (`sym@l + 4` is `(sym + 4)@l`), and one expression takes one kind.
 *
 * Evaluation happens while parsing (no tree is built), and never recurses
 * more deeply than the nesting of the text.
 *
 * @module
 */

import { OperandError, type ContextSymbol, type ParseContext } from './operand.ts';

/** A relocation operator: how it turns a value into the field's value. */
export type ExpressionModifier = (value: bigint) => bigint;

/** What an architecture adds to the common expression syntax. */
export interface ExpressionSyntax {
  /** Whether binary `!` (or-not, `a | ~b`) exists. llvm-mc has it except on ARM, where `!` means writeback. */
  readonly orNot: boolean;
  /** Postfix `@name` operators (PowerPC `@l`, `@ha`, …), by name. */
  readonly modifiers?: Readonly<Record<string, ExpressionModifier>>;
  /** Prefix `:name:` operators at the start of an operand (ARM `:lower16:`), by name. */
  readonly prefixModifiers?: Readonly<Record<string, ExpressionModifier>>;
  /**
   * Modifier names that are relocations only a linker can resolve (PowerPC
   * `@toc`, `@got`, …): named in the error instead of "unknown modifier".
   */
  readonly linkerRelocations?: readonly string[];
}

/** The common syntax, with no architecture's additions. */
export const PLAIN_EXPRESSIONS: ExpressionSyntax = { orNot: true };

/** Where an expression is evaluated. */
export interface ExpressionScope {
  /** The location counter, `.`. */
  readonly location: number;
  /** A symbol (`name`, or `1b` / `1f` for numeric local labels), or `undefined` when it is not defined. */
  lookup(name: string): ContextSymbol | undefined;
}

/** An evaluated expression. */
export interface ExpressionValue {
  /** The value, as a signed 64-bit integer. */
  readonly value: bigint;
  /** True when only constants went into it (see {@link ContextSymbol.constant}); llvm-mc folds only those at parse time, which decides, for example, whether `ldr r0, =x` can become a `mov`. */
  readonly constant: boolean;
  /** The relocation operator applied to it (`l`, `ha`, `lower16`, …), if any. */
  readonly modifier: string | undefined;
}

const MASK_64 = (1n << 64n) - 1n;

/** Deepest parenthesis nesting taken: each level is a stack frame, so a pathological line gets an error, not a stack overflow. */
const MAX_NESTING = 256;

function wrap(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

/** Binary operators by precedence level (1 lowest), llvm-mc's GNU table. */
function binaryPrecedence(text: string, at: number, syntax: ExpressionSyntax): { level: number; length: number; op: string } | undefined {
  const c = text[at];
  const d = text[at + 1];
  switch (c) {
    case '|':
      return d === '|' ? { level: 1, length: 2, op: '||' } : { level: 5, length: 1, op: '|' };
    case '&':
      return d === '&' ? { level: 2, length: 2, op: '&&' } : { level: 5, length: 1, op: '&' };
    case '=':
      return d === '=' ? { level: 3, length: 2, op: '==' } : undefined;
    case '!':
      if (d === '=') return { level: 3, length: 2, op: '!=' };
      return syntax.orNot ? { level: 5, length: 1, op: '!' } : undefined;
    case '<':
      if (d === '<') return { level: 6, length: 2, op: '<<' };
      if (d === '=') return { level: 3, length: 2, op: '<=' };
      if (d === '>') return { level: 3, length: 2, op: '<>' };
      return { level: 3, length: 1, op: '<' };
    case '>':
      if (d === '>') return { level: 6, length: 2, op: '>>' };
      if (d === '=') return { level: 3, length: 2, op: '>=' };
      return { level: 3, length: 1, op: '>' };
    case '+':
    case '-':
      return { level: 4, length: 1, op: c };
    case '^':
      return { level: 5, length: 1, op: '^' };
    case '*':
    case '/':
    case '%':
      return { level: 6, length: 1, op: c };
    default:
      return undefined;
  }
}

function isIdentifierStart(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z_.$]/.test(c);
}

function isIdentifierPart(c: string | undefined): boolean {
  return c !== undefined && /[\w.$]/.test(c);
}

/** The value of one escape in a character literal, as llvm-mc's lexer reads it: `\b \f \n \r \t`, else the character itself. */
function characterEscape(c: string): number {
  switch (c) {
    case 'b':
      return 8;
    case 'f':
      return 12;
    case 'n':
      return 10;
    case 'r':
      return 13;
    case 't':
      return 9;
    default:
      return c.charCodeAt(0);
  }
}

/** A parsing cursor over one expression's text. */
class ExpressionParser {
  private at = 0;
  private modifier: string | undefined;
  private modifierAt = 0;
  private constant = true;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly scope: ExpressionScope,
    private readonly syntax: ExpressionSyntax,
  ) {}

  run(): ExpressionValue {
    let prefix: string | undefined;
    this.skipSpace();
    const prefixMatch = this.syntax.prefixModifiers === undefined ? null : /^:([a-z0-9_]+):/i.exec(this.text.slice(this.at));
    if (prefixMatch !== null) {
      prefix = prefixMatch[1]!.toLowerCase();
      if (this.syntax.prefixModifiers![prefix] === undefined) throw new OperandError(`unknown relocation operator ':${prefixMatch[1]}:'`, this.at);
      this.at += prefixMatch[0].length;
    }
    let value = this.binary(1);
    this.skipSpace();
    if (this.at < this.text.length) throw new OperandError(`unexpected '${this.text[this.at]}' in expression`, this.at);
    if (this.modifier !== undefined) value = wrap(this.syntax.modifiers![this.modifier]!(value));
    if (prefix !== undefined) {
      if (this.modifier !== undefined) throw new OperandError(`'@${this.modifier}' and ':${prefix}:' in one expression`, this.modifierAt);
      value = wrap(this.syntax.prefixModifiers![prefix]!(value));
    }
    return { value, constant: this.constant, modifier: prefix ?? this.modifier };
  }

  private skipSpace(): void {
    while (this.at < this.text.length && (this.text[this.at] === ' ' || this.text[this.at] === '\t')) this.at++;
  }

  /** Operators of `level` and above, left to right (precedence climbing: the loop, not recursion, handles a chain). */
  private binary(level: number): bigint {
    let left = this.unary();
    for (;;) {
      this.skipSpace();
      const op = binaryPrecedence(this.text, this.at, this.syntax);
      if (op === undefined || op.level < level) return left;
      const opAt = this.at;
      this.at += op.length;
      const right = this.binary(op.level + 1);
      left = this.apply(op.op, left, right, opAt);
    }
  }

  private apply(op: string, left: bigint, right: bigint, at: number): bigint {
    switch (op) {
      case '||':
        return left !== 0n || right !== 0n ? 1n : 0n;
      case '&&':
        return left !== 0n && right !== 0n ? 1n : 0n;
      case '==':
        return left === right ? -1n : 0n;
      case '!=':
      case '<>':
        return left !== right ? -1n : 0n;
      case '<':
        return left < right ? -1n : 0n;
      case '<=':
        return left <= right ? -1n : 0n;
      case '>':
        return left > right ? -1n : 0n;
      case '>=':
        return left >= right ? -1n : 0n;
      case '+':
        return wrap(left + right);
      case '-':
        return wrap(left - right);
      case '|':
        return left | right;
      case '&':
        return left & right;
      case '^':
        return left ^ right;
      case '!':
        return left | ~right;
      case '*':
        return wrap(left * right);
      case '/':
      case '%':
        if (right === 0n) throw new OperandError('division by zero', at);
        return wrap(op === '/' ? left / right : left % right);
      case '<<':
      case '>>':
        if (right < 0n || right > 63n) throw new OperandError(`shift amount ${right} out of range 0..63`, at);
        return op === '<<' ? wrap(left << right) : wrap((left & MASK_64) >> right);
      default:
        throw new OperandError(`unknown operator '${op}'`, at);
    }
  }

  private unary(): bigint {
    // A run of prefix operators is applied innermost first; a loop keeps deep runs off the stack.
    const ops: string[] = [];
    for (;;) {
      this.skipSpace();
      const c = this.text[this.at];
      if (c === '-' || c === '+' || c === '~' || (c === '!' && this.text[this.at + 1] !== '=')) {
        ops.push(c);
        this.at++;
        continue;
      }
      break;
    }
    let value = this.postfix();
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i]!;
      value = op === '-' ? wrap(-value) : op === '~' ? ~value : op === '!' ? (value === 0n ? 1n : 0n) : value;
    }
    return value;
  }

  /** A primary, then any `@modifier`. */
  private postfix(): bigint {
    const value = this.primary();
    if (this.syntax.modifiers !== undefined && this.text[this.at] === '@') {
      const start = this.at;
      const match = /^@([A-Za-z_][\w]*)/.exec(this.text.slice(this.at));
      if (match === null) throw new OperandError("expected a relocation operator after '@'", this.at);
      const name = match[1]!.toLowerCase();
      if (this.syntax.modifiers[name] === undefined) {
        if (this.syntax.linkerRelocations?.includes(name)) throw new OperandError(`relocation '@${match[1]}' needs a linker, which hyplay does not have`, start);
        throw new OperandError(`unknown relocation operator '@${match[1]}'`, start);
      }
      if (this.modifier !== undefined && this.modifier !== name) throw new OperandError(`'@${this.modifier}' and '@${name}' in one expression`, start);
      this.modifier = name;
      this.modifierAt = start;
      this.at += match[0].length;
    }
    return value;
  }

  private primary(): bigint {
    this.skipSpace();
    const start = this.at;
    const c = this.text[this.at];
    if (c === undefined) throw new OperandError(this.at === 0 ? 'missing expression' : 'expression ends early', this.at);
    if (c === '(') {
      if (++this.depth > MAX_NESTING) throw new OperandError(`parentheses nested more than ${MAX_NESTING} deep`, this.at);
      this.at++;
      const value = this.binary(1);
      this.depth--;
      this.skipSpace();
      if (this.text[this.at] !== ')') throw new OperandError("expected ')'", this.at);
      this.at++;
      return value;
    }
    if (c >= '0' && c <= '9') return this.number();
    if (c === "'") return this.character();
    if (c === '.' && !isIdentifierPart(this.text[this.at + 1])) {
      this.at++;
      this.constant = false;
      return BigInt(this.scope.location);
    }
    if (isIdentifierStart(c)) {
      let end = this.at + 1;
      while (isIdentifierPart(this.text[end])) end++;
      const name = this.text.slice(this.at, end);
      this.at = end;
      return this.symbol(name, start);
    }
    throw new OperandError(`unexpected '${c}' in expression`, this.at);
  }

  private symbol(name: string, at: number): bigint {
    const found = this.scope.lookup(name);
    if (found === undefined) throw new OperandError(`undefined symbol '${name}'`, at);
    if (!found.constant) this.constant = false;
    return found.value;
  }

  private number(): bigint {
    const start = this.at;
    let end = start;
    while (/[0-9A-Za-z_]/.test(this.text[end] ?? '')) end++;
    const word = this.text.slice(start, end);
    this.at = end;
    // `1b` / `1f`: the nearest numeric label 1 before / after this point.
    const local = /^(\d+)([bf])$/i.exec(word);
    if (local !== null && !/^0b[01]+$/i.test(word)) return this.symbol(`${Number(local[1])}${local[2]!.toLowerCase()}`, start);
    let magnitude: bigint;
    if (/^0x[0-9a-f]+$/i.test(word)) magnitude = BigInt(word);
    else if (/^0b[01]+$/i.test(word)) magnitude = BigInt(`0b${word.slice(2)}`);
    else if (/^0[0-7]*$/.test(word)) magnitude = word.length === 1 ? 0n : BigInt(`0o${word.slice(1)}`);
    else if (/^[1-9]\d*$/.test(word)) magnitude = BigInt(word);
    else throw new OperandError(`bad number '${word}'`, start);
    if (magnitude > MASK_64) throw new OperandError(`number ${word} does not fit 64 bits`, start);
    return wrap(magnitude);
  }

  private character(): bigint {
    const start = this.at;
    let at = this.at + 1;
    let value: number;
    const c = this.text[at];
    if (c === undefined || c === "'") throw new OperandError('empty character literal', start);
    if (c === '\\') {
      const escaped = this.text[at + 1];
      if (escaped === undefined) throw new OperandError('unterminated character literal', start);
      value = characterEscape(escaped);
      at += 2;
    } else {
      value = c.charCodeAt(0);
      at += 1;
    }
    if (this.text[at] !== "'") throw new OperandError('character literal needs a closing quote and holds one character', start);
    this.at = at + 1;
    return BigInt(value);
  }
}

/**
 * Evaluate `text` as one whole expression. Throws {@link OperandError} (with
 * the offset of the problem inside `text`) for a malformed expression, an
 * undefined symbol, division by zero or a bad relocation operator.
 */
export function evaluateExpression(text: string, scope: ExpressionScope, syntax: ExpressionSyntax = PLAIN_EXPRESSIONS): ExpressionValue {
  // Fast path for the common operand: a plain decimal or hex number.
  if (/^\s*(?:0x[0-9a-f]{1,15}|[1-9]\d{0,14}|0)\s*$/i.test(text)) return { value: BigInt(text.trim()), constant: true, modifier: undefined };
  return new ExpressionParser(text, scope, syntax).run();
}

/**
 * Regular-expression source matching the text of one expression inside a
 * larger line: no top-level comma, bracket or brace (a character literal may
 * hold any of them), starting with no blank (so a template's `\s*` owns the
 * space before it). It has no capturing groups, as codec patterns must not.
 */
export const EXPRESSION_PATTERN = String.raw`(?:'(?:\\.|[^\\'])'|[\w.$+\-*/%<>&|^~!\(\)=:@])(?:'(?:\\.|[^\\'])'|[\w.$+\-*/%<>&|^~!\(\)=:@ \t])*`;

/**
 * Evaluate an operand's expression in a codec's {@link ParseContext}: `.` is
 * the instruction's address. Without `context.lookup`, symbols come from
 * `context.resolve` as addresses, and an unknown one before the final pass
 * stands for the instruction's own address (so a branch to it is in range).
 */
export function evaluateOperand(text: string, context: ParseContext, syntax: ExpressionSyntax = PLAIN_EXPRESSIONS): ExpressionValue {
  const scope: ExpressionScope = {
    location: context.address,
    lookup:
      context.lookup?.bind(context) ??
      ((name) => {
        const value = context.resolve(name);
        if (value !== undefined) return { value: BigInt(value), constant: false };
        return context.final ? undefined : { value: BigInt(context.address), constant: false };
      }),
  };
  return evaluateExpression(text, scope, syntax);
}
