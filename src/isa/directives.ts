/**
 * The pieces of directive syntax the assembler shares across architectures:
 * splitting arguments, string literals with GNU as escapes, `.section`
 * flags and the flags a section name implies, `.type` symbol types, and the
 * per-architecture directive rules of {@link AssemblySyntax}.
 *
 * Every parser here throws {@link OperandError} with the offset of the
 * problem inside the text it was given.
 *
 * @module
 */

import { OperandError } from './operand.ts';
import type { ExpressionSyntax } from './expression.ts';

const UTF8 = new TextEncoder();

/** One argument of a directive: its text (trimmed) and the offset of its first character. */
export interface DirectiveArgument {
  /** The text, trimmed. */
  readonly text: string;
  /** Offset of the first character of `text` inside the argument list. */
  readonly offset: number;
}

/**
 * Split a directive's argument text at top-level commas (not inside
 * parentheses, strings or character literals). An empty text has no
 * arguments; `a,,b` has an empty middle one.
 */
export function splitArguments(text: string): DirectiveArgument[] {
  if (text.trim() === '') return [];
  const out: DirectiveArgument[] = [];
  let depth = 0;
  let start = 0;
  const push = (end: number): void => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    out.push({ text: raw.trim(), offset: start + lead });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === "'") {
      const width = text[i + 1] === '\\' ? 3 : 2;
      if (text[i + width] === "'") i += width;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      push(i);
      start = i + 1;
    }
  }
  push(text.length);
  return out;
}

/** What {@link parseStrings} read. */
export interface ParsedStrings {
  /** The bytes, escapes resolved. */
  readonly bytes: number[];
  /** Where the literals end in the text. */
  readonly end: number;
}

/**
 * Read the string literals at the start of `text` (`"…"`, several when
 * `adjacent` allows `"a" "b"`) with llvm-mc's escapes: `\b \f \n \r \t \" \\`,
 * up to three octal digits, and `\x` with hex digits (the low byte is kept).
 * Returns the bytes and where the literals end.
 */
export function parseStrings(text: string, adjacent: boolean): ParsedStrings {
  const bytes: number[] = [];
  let at = 0;
  let count = 0;
  for (;;) {
    while (text[at] === ' ' || text[at] === '\t') at++;
    if (text[at] !== '"') {
      if (count === 0) throw new OperandError('expected a string in double quotes', at);
      return { bytes, end: at };
    }
    const open = at;
    at++;
    for (;;) {
      const c = text[at];
      if (c === undefined) throw new OperandError('unterminated string', open);
      if (c === '"') break;
      if (c !== '\\') {
        const code = text.codePointAt(at)!;
        if (code < 0x80) bytes.push(code);
        // Non-ASCII text goes in as its UTF-8 bytes, as a file read by llvm-mc would.
        else for (const b of UTF8.encode(String.fromCodePoint(code))) bytes.push(b);
        at += code > 0xffff ? 2 : 1;
        continue;
      }
      const e = text[at + 1];
      const escapeAt = at;
      at += 2;
      switch (e) {
        case 'b':
          bytes.push(8);
          break;
        case 'f':
          bytes.push(12);
          break;
        case 'n':
          bytes.push(10);
          break;
        case 'r':
          bytes.push(13);
          break;
        case 't':
          bytes.push(9);
          break;
        case '"':
          bytes.push(34);
          break;
        case '\\':
          bytes.push(92);
          break;
        case 'x':
        case 'X': {
          let end = at;
          while (/[0-9a-f]/i.test(text[end] ?? '')) end++;
          if (end === at) throw new OperandError('invalid hexadecimal escape sequence', escapeAt);
          bytes.push(Number(BigInt(`0x${text.slice(at, end)}`) & 0xffn));
          at = end;
          break;
        }
        default: {
          if (e !== undefined && /[0-7]/.test(e)) {
            let end = at - 1;
            while (end < at + 2 && /[0-7]/.test(text[end] ?? '')) end++;
            const value = parseInt(text.slice(at - 1, end), 8);
            if (value > 255) throw new OperandError('invalid octal escape sequence (out of range)', escapeAt);
            bytes.push(value);
            at = end;
            break;
          }
          throw new OperandError(`invalid escape sequence '\\${e ?? ''}'`, escapeAt);
        }
      }
    }
    at++;
    count++;
    if (!adjacent) return { bytes, end: at };
  }
}

/** Section type, as ELF has it: contents in the file, or zero-filled space. */
export type SectionType = 'progbits' | 'nobits';

/** What a section is, from its flags. */
export interface SectionKind {
  /** Flag letters as written or implied (`ax`, `aw`, …). */
  readonly flags: string;
  /** `progbits` or `nobits`. */
  readonly type: SectionType;
}

/**
 * The flags and type GNU as and llvm-mc give a section named without them:
 * `.text*` code, `.data*` and `.bss*` writable (`.bss*` without contents),
 * `.rodata*` read-only, `.tdata*` / `.tbss*` thread-local; any other name
 * none (the section is not loaded).
 */
export function impliedSectionKind(name: string): SectionKind {
  const has = (prefix: string): boolean => name === prefix || name.startsWith(`${prefix}.`);
  if (has('.text')) return { flags: 'ax', type: 'progbits' };
  if (has('.bss') || has('.sbss')) return { flags: 'aw', type: 'nobits' };
  if (has('.tbss')) return { flags: 'awT', type: 'nobits' };
  if (has('.tdata')) return { flags: 'awT', type: 'progbits' };
  if (has('.data') || has('.sdata') || name === '.data1' || has('.init_array') || has('.fini_array') || has('.preinit_array')) return { flags: 'aw', type: 'progbits' };
  if (has('.rodata') || name === '.rodata1') return { flags: 'a', type: 'progbits' };
  return { flags: '', type: 'progbits' };
}

/** The `.section` arguments after the name: flags, type and anything after them. */
export interface SectionSpec {
  /** The section's name. */
  readonly name: string;
  /** Its kind, from the flags given or implied by the name. */
  readonly kind: SectionKind;
}

const SECTION_FLAGS = /^[awxMSGTRoyd?]*$/;
const SECTION_TYPES = new Set(['progbits', 'nobits', 'note', 'init_array', 'fini_array', 'preinit_array', 'unwind', 'llvm_odrtab']);

/**
 * Parse `.section NAME[, "FLAGS"[, %TYPE[, …]]]` (NAME may be quoted). The
 * type may be written `%type`, `@type` (where `@` is no comment) or
 * `"type"`. Entry sizes, group names and `unique,N` after the type are
 * accepted and ignored: they matter to a linker, not to the bytes.
 */
export function parseSectionSpec(text: string): SectionSpec {
  const args = splitArguments(text);
  if (args.length === 0 || args[0]!.text === '') throw new OperandError('expected a section name', 0);
  const first = args[0]!;
  let name = first.text;
  if (name.startsWith('"')) {
    if (!/^"[^"]+"$/.test(name)) throw new OperandError(`bad section name ${name}`, first.offset);
    name = name.slice(1, -1);
  } else if (!/^[\w.$-]+$/.test(name)) throw new OperandError(`bad section name '${name}'`, first.offset);
  if (args.length === 1) return { name, kind: impliedSectionKind(name) };
  const flagsArg = args[1]!;
  const flagsMatch = /^"([^"]*)"$/.exec(flagsArg.text);
  if (flagsMatch === null) throw new OperandError(`expected section flags in double quotes ("ax", "aw", …), got '${flagsArg.text}'`, flagsArg.offset);
  const flags = flagsMatch[1]!;
  if (!SECTION_FLAGS.test(flags)) throw new OperandError(`unknown section flag in "${flags}" (known: a w x M S G T R o y d ?)`, flagsArg.offset);
  let type: SectionType = 'progbits';
  if (args.length >= 3) {
    const typeArg = args[2]!;
    const typeMatch = /^(?:[%@]([a-z_]+)|"([a-z_]+)")$/.exec(typeArg.text);
    if (typeMatch === null) throw new OperandError(`expected a section type (%progbits, %nobits, …), got '${typeArg.text}'`, typeArg.offset);
    const typeName = typeMatch[1] ?? typeMatch[2]!;
    if (!SECTION_TYPES.has(typeName)) throw new OperandError(`unknown section type '${typeName}'`, typeArg.offset);
    if (typeName === 'nobits') type = 'nobits';
  } else if (impliedSectionKind(name).type === 'nobits') type = 'nobits';
  for (const extra of args.slice(3)) {
    if (!/^[\w.$"]+$/.test(extra.text)) throw new OperandError(`bad .section argument '${extra.text}'`, extra.offset);
  }
  return { name, kind: { flags, type } };
}

const SYMBOL_TYPES = new Set(['function', 'gnu_indirect_function', 'object', 'tls_object', 'common', 'notype', 'gnu_unique_object']);

/**
 * Check `.type SYMBOL, TYPE`: TYPE is `%function`, `@function` (where `@`
 * is no comment), `#function`, `"function"` or `STT_FUNC`, and the same for
 * the other ELF symbol types. Returns the symbol's name.
 */
export function checkTypeDirective(text: string): string {
  const args = splitArguments(text);
  if (args.length !== 2) throw new OperandError('expected SYMBOL, TYPE (e.g. .type name, %function)', 0);
  const [symbol, type] = args as [DirectiveArgument, DirectiveArgument];
  if (!/^[A-Za-z_.$][\w.$]*$/.test(symbol.text)) throw new OperandError(`bad symbol name '${symbol.text}'`, symbol.offset);
  const stt: Readonly<Record<string, string>> = { STT_FUNC: 'function', STT_GNU_IFUNC: 'gnu_indirect_function', STT_OBJECT: 'object', STT_TLS: 'tls_object', STT_COMMON: 'common', STT_NOTYPE: 'notype' };
  const match = /^(?:[%@#]([a-z_]+)|"([a-z_]+)")$/.exec(type.text);
  const name = match === null ? stt[type.text] : (match[1] ?? match[2]!);
  if (name === undefined || !SYMBOL_TYPES.has(name)) throw new OperandError(`unknown symbol type '${type.text}' (expected %function, %object, …)`, type.offset);
  return symbol.text;
}

/** Check a list of symbol names (`.globl a, b`). */
export function checkSymbolList(text: string, directive: string): void {
  const args = splitArguments(text);
  if (args.length === 0) throw new OperandError(`${directive} needs a symbol name`, 0);
  for (const arg of args) if (!/^[A-Za-z_.$][\w.$]*$/.test(arg.text)) throw new OperandError(`bad symbol name '${arg.text}'`, arg.offset);
}

/** A directive accepted and dropped, as GNU as would for these bytes. */
export interface IgnoredDirective {
  /** Discriminant. */
  readonly kind: 'ignore';
  /** What its (trimmed) arguments must look like. */
  readonly arguments: RegExp;
  /** Those arguments in words, for the error when they do not. */
  readonly expected: string;
}

/** A directive known and refused. */
export interface RejectedDirective {
  /** Discriminant. */
  readonly kind: 'reject';
  /** Why (`Thumb is not modelled`). */
  readonly reason: string;
}

/** A data directive of the architecture (`.llong`). */
export interface DataDirective {
  /** Discriminant. */
  readonly kind: 'data';
  /** Bytes per value. */
  readonly size: number;
}

/** A raw instruction word (`.inst`), listed as an instruction. */
export interface InstructionDirective {
  /** Discriminant. */
  readonly kind: 'instruction';
}

/** Where the pending literal pool goes (`.ltorg`, `.pool`). */
export interface LiteralPoolDirective {
  /** Discriminant. */
  readonly kind: 'literal-pool';
}

/** A directive that selects the code mode of the statements after it (`ParseContext.mode`), taking no arguments. */
export interface ModeDirective {
  /** Discriminant. */
  readonly kind: 'mode';
  /** The mode it selects. */
  readonly mode: string;
}

/** What an architecture does with a directive of its own, or one it accepts without modelling. */
export type DirectiveRule = IgnoredDirective | RejectedDirective | DataDirective | InstructionDirective | LiteralPoolDirective | ModeDirective;

/** How code-alignment padding is written (llvm-mc's `writeNopData`): as many copies of `instruction` as fit, then `remainders[count % size]`. */
export interface CodeFill {
  /** The instruction repeated, as the table assembles it (`nop`). */
  readonly instruction: string;
  /** The bytes for a remainder of 0, 1, 2, … bytes (memory order); absent entries are zeros. */
  readonly remainders?: readonly (readonly number[])[];
}

/** What an architecture adds to the assembler's common syntax. */
export interface AssemblySyntax {
  /** Bytes of `.word`: 4 on ARM, 2 on PowerPC (as GNU as and llvm-mc have it). */
  readonly wordSize: number;
  /** Relocation operators and the like. */
  readonly expressions: ExpressionSyntax;
  /** Directives of the architecture, by lower-case name with the dot. */
  readonly directives: Readonly<Record<string, DirectiveRule>>;
  /** Padding of `.align` in a code section without a fill value. Without it, zeros. */
  readonly codeFill?: CodeFill;
  /**
   * The character that starts an operand asking for a literal-pool entry
   * (`=` in `ldr r0, =value`). The layout pass, which otherwise skips
   * fixed-size instructions, encodes statements that contain it, so pool
   * entries are counted before anything is placed.
   */
  readonly literalMarker?: string;
}

/** The syntax of an architecture that adds nothing. */
export const PLAIN_ASSEMBLY: AssemblySyntax = { wordSize: 4, expressions: { orNot: true }, directives: {} };

/** Common directives that are accepted and dropped: they describe symbols, debug info or unwinding, not bytes. */
export const IGNORED_DIRECTIVES: ReadonlySet<string> = new Set(['.file', '.ident', '.loc', '.loc_mark_labels', '.addrsig', '.addrsig_sym']);

/** Directives that are known and refused, with the reason. */
export const REFUSED_DIRECTIVES: Readonly<Record<string, string>> = {
  '.include': 'hyplay assembles one file: concatenate the files, or run the C preprocessor with the include first',
  '.incbin': 'hyplay assembles one file and reads no others',
  '.macro': 'macros are not supported: expand them first (e.g. assemble with GNU as -al, or write the instructions out)',
  '.endm': 'macros are not supported',
  '.exitm': 'macros are not supported',
  '.purgem': 'macros are not supported',
  '.irp': 'repetition blocks are not supported: write the statements out',
  '.irpc': 'repetition blocks are not supported: write the statements out',
  '.rept': 'repetition blocks are not supported: write the statements out',
  '.endr': 'repetition blocks are not supported',
  '.altmacro': 'macros are not supported',
  '.noaltmacro': 'macros are not supported',
  '.if': 'conditional assembly is not supported: run the C preprocessor, or remove the branch not taken',
  '.ifdef': 'conditional assembly is not supported',
  '.ifndef': 'conditional assembly is not supported',
  '.ifnotdef': 'conditional assembly is not supported',
  '.ifc': 'conditional assembly is not supported',
  '.ifnc': 'conditional assembly is not supported',
  '.ifeq': 'conditional assembly is not supported',
  '.ifeqs': 'conditional assembly is not supported',
  '.ifne': 'conditional assembly is not supported',
  '.ifnes': 'conditional assembly is not supported',
  '.ifb': 'conditional assembly is not supported',
  '.ifnb': 'conditional assembly is not supported',
  '.ifgt': 'conditional assembly is not supported',
  '.ifge': 'conditional assembly is not supported',
  '.iflt': 'conditional assembly is not supported',
  '.ifle': 'conditional assembly is not supported',
  '.elseif': 'conditional assembly is not supported',
  '.else': 'conditional assembly is not supported',
  '.endif': 'conditional assembly is not supported',
  '.comm': 'common symbols are allocated by a linker, which hyplay does not have: reserve the space with .space in .bss',
  '.lcomm': 'common symbols are allocated by a linker, which hyplay does not have: reserve the space with .space in .bss',
  '.reloc': 'relocations need a linker, which hyplay does not have',
  '.symver': 'symbol versions need a linker, which hyplay does not have',
  '.subsection': 'subsections are not supported',
  '.warning': 'warnings are not supported (hyplay prints errors only)',
  '.print': '.print is not supported',
  '.octa': '16-byte values are not supported',
  '.float': 'floating-point data is not supported',
  '.single': 'floating-point data is not supported',
  '.double': 'floating-point data is not supported',
  '.uleb128': 'LEB128 data is not supported',
  '.sleb128': 'LEB128 data is not supported',
};
