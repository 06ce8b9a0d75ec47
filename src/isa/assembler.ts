/**
 * A multi-pass assembler and a disassembler over any {@link InstructionSet}.
 *
 * The assembler reads the GNU as dialect a kernel's `.S` files use once the
 * C preprocessor has run: sections (`.text`, `.data`, `.bss`, `.section`,
 * `.pushsection`/`.popsection`/`.previous`), symbols and their attributes
 * (`.globl`, `.type`, `.size`, `.equ`/`.set`/`=`), numeric local labels
 * (`1:` with `1b`/`1f`), data (`.byte` … `.quad`, `.ascii`, `.space`,
 * `.fill`), alignment and `.org`, expressions with `.` as the location
 * counter, and literal pools where the architecture has them. The
 * instruction set knows the instructions; {@link AssemblySyntax} says what
 * an architecture adds (`.word`'s size, its own directives, relocation
 * operators, code padding).
 *
 * Sections are laid out one after another in the order they first appear:
 * the first at the load address, each next one at the end of the previous,
 * aligned to the largest alignment it asks for (at least the instruction
 * size for a code section), as a linker with a plain script would. A
 * `%nobits` section (`.bss`) is zero-filled space in the image; a section
 * without the `a` flag is not loaded and must stay empty.
 *
 * Passes: a layout pass finds every size (without encoding fixed-size
 * instructions), then emitting passes encode everything. A value used
 * before it is defined comes from the previous pass; an emitting pass whose
 * borrowed values all came out the same is final. Its first error, if any,
 * is thrown; otherwise another pass runs (a size that depends on a forward
 * reference), up to {@link MAX_PASSES}. Every error is an
 * {@link AssemblyError} naming the line and column (and the file, after a
 * `# N "file"` line marker). Nothing here recurses with the input's size.
 *
 * @module
 */

import type { Endian } from '../memory/guest-memory.ts';
import {
  checkSymbolList,
  checkTypeDirective,
  IGNORED_DIRECTIVES,
  impliedSectionKind,
  parseSectionSpec,
  parseStrings,
  PLAIN_ASSEMBLY,
  REFUSED_DIRECTIVES,
  splitArguments,
  type AssemblySyntax,
  type DirectiveArgument,
  type SectionKind,
  type SectionType,
} from './directives.ts';
import { evaluateExpression, type ExpressionScope, type ExpressionValue } from './expression.ts';
import { InstructionTable } from './instruction-table.ts';
import { LiteralPool } from './literal-pool.ts';
import { OperandError, type ContextSymbol, type LiteralRequest, type ParseContext } from './operand.ts';
import { ScanError, scanStatements } from './source-scanner.ts';

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
  /** Byte order of instruction words and data. */
  readonly endian: Endian;
  /** Prefixes that start a comment running to the end of the line (`//` always does). */
  readonly commentPrefixes: readonly string[];
  /** Whether `.align n` means 2^n bytes (true on ARM and PowerPC) or n bytes. */
  readonly alignIsPowerOfTwo: boolean;
  /** Bytes per instruction when they all have one size; the layout pass then need not encode them. */
  readonly size?: number;
  /** What the architecture adds to the common syntax; without it, {@link PLAIN_ASSEMBLY}. */
  readonly syntax?: AssemblySyntax;
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
   * @param source the input's name (given to {@link assemble}, or a line marker's file), if known.
   */
  constructor(
    message: string,
    readonly line = 1,
    readonly column = 1,
    readonly source?: string,
  ) {
    super(message);
  }

  /** The error as one line, `source:line:column: message`, with `fallback` for an input without a name. */
  located(fallback = '<input>'): string {
    return `${this.source ?? fallback}:${this.line}:${this.column}: ${this.message}`;
  }
}

/** One assembled item, for listings and the `asm` command. */
export interface AssembledItem {
  /** Address of the first byte. */
  readonly address: number;
  /** The bytes, in memory order (a view of the image). */
  readonly bytes: Uint8Array;
  /** The source text (instruction or directive), trimmed, without label or comment. */
  readonly text: string;
  /** 1-based line of the input. */
  readonly line: number;
  /** Whether it is an instruction (rather than data). */
  readonly instruction: boolean;
  /** The section it is in. */
  readonly section: string;
}

/** A section as it was placed. */
export interface AssembledSection {
  /** Its name (`.text`). */
  readonly name: string;
  /** Where it starts. */
  readonly address: number;
  /** Its size in bytes. */
  readonly size: number;
  /** Its flags (`ax`, `aw`, …). */
  readonly flags: string;
  /** `progbits`, or `nobits` for zero-filled space. */
  readonly type: SectionType;
  /** The largest alignment it asked for, in bytes. */
  readonly alignment: number;
}

/** The result of assembling a program. */
export interface AssembledProgram {
  /** Load address. */
  readonly base: number;
  /** The whole image, from `base` to the end of the last loaded section. */
  readonly bytes: Uint8Array;
  /** Items in address order (built on first use). */
  readonly items: readonly AssembledItem[];
  /** Label addresses (numeric local labels are not listed). */
  readonly symbols: ReadonlyMap<string, number>;
  /** Sections in placement order. */
  readonly sections: readonly AssembledSection[];
}

/** Options for {@link assemble}. */
export interface AssembleOptions {
  /** The input's name for error messages (a file name, `<stdin>`); a `# N "file"` line marker overrides it. */
  readonly sourceName?: string;
}

/** The most passes before a layout that keeps changing is an error. */
export const MAX_PASSES = 8;

/** The largest image the assembler builds. */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

/** Bytes of a value in memory order (two's complement, low `size` bytes). */
export function valueBytes(value: bigint, size: number, endian: Endian): Uint8Array {
  const out = new Uint8Array(size);
  let v = BigInt.asUintN(8 * size, value);
  for (let i = 0; i < size; i++) {
    out[endian === 'little' ? i : size - 1 - i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
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
export function assemble(set: InstructionSet, source: string, base: number, options: AssembleOptions = {}): AssembledProgram {
  let previous = new Pass(set, source, base, undefined, options).run();
  let last: Pass | undefined;
  for (let round = 0; round < MAX_PASSES; round++) {
    last = new Pass(set, source, base, previous.record(), options).run();
    if (last.stable) {
      if (last.error !== undefined) throw last.error;
      return last.program();
    }
    previous = last;
  }
  if (last?.error !== undefined) throw last.error;
  throw new AssemblyError(`the layout does not settle after ${MAX_PASSES} passes: a size or .org depends on a label after it`, 1, 1, options.sourceName);
}

/** A symbol defined in a pass. */
interface Definition extends ContextSymbol {
  /** Whether it is a label (rather than `.equ` / `.set`). */
  readonly label: boolean;
}

/** What a pass leaves for the next one to borrow. */
interface PassRecord {
  readonly symbols: ReadonlyMap<string, Definition>;
  readonly numeric: ReadonlyMap<number, readonly number[]>;
  readonly sectionNames: readonly string[];
  readonly bases: readonly number[];
  readonly literals: readonly number[];
}

interface Section {
  readonly name: string;
  readonly index: number;
  readonly kind: SectionKind;
  readonly alloc: boolean;
  readonly code: boolean;
  /** Bytes so far (the location counter, relative to the section). */
  size: number;
  /** Largest alignment asked for. */
  alignment: number;
  /** The section's address in this pass (borrowed from the previous pass's layout). */
  base: number;
  /** Contents (emitting passes). */
  bytes: Uint8Array;
  readonly pool: LiteralPool;
  /** First line that put something here, for the error about an unloaded section. */
  contentLine: number;
}

/** Items as columns, so a million of them cost a few bytes each until a listing asks for objects. */
class ItemColumns {
  count = 0;
  section = new Uint16Array(1024);
  offset = new Float64Array(1024);
  length = new Float64Array(1024);
  line = new Uint32Array(1024);
  instruction = new Uint8Array(1024);
  readonly text: string[] = [];

  push(section: number, offset: number, length: number, line: number, instruction: boolean, text: string): void {
    if (this.count === this.section.length) this.grow();
    const i = this.count++;
    this.section[i] = section;
    this.offset[i] = offset;
    this.length[i] = length;
    this.line[i] = line;
    this.instruction[i] = instruction ? 1 : 0;
    this.text.push(text);
  }

  private grow(): void {
    const n = this.section.length * 2;
    const grown = <T extends Uint16Array | Float64Array | Uint32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const fresh = make(n);
      fresh.set(old);
      return fresh;
    };
    this.section = grown(this.section, (k) => new Uint16Array(k));
    this.offset = grown(this.offset, (k) => new Float64Array(k));
    this.length = grown(this.length, (k) => new Float64Array(k));
    this.line = grown(this.line, (k) => new Uint32Array(k));
    this.instruction = grown(this.instruction, (k) => new Uint8Array(k));
  }
}

const LABEL = /^(\s*)([A-Za-z_.$][\w.$]*|\d+):/;
const BAD_LABEL = /^\s*([^\s:,"'#[\]{}()]+):/;
const ASSIGNMENT = /^([A-Za-z_.$][\w.$]*)\s*=(?!=)\s*/;
const DIRECTIVE = /^(\.[A-Za-z_0-9][\w.]*)\s*/;
const NUMERIC_REFERENCE = /^(\d+)([bf])$/;
/** A label after the start of a statement (`nop here: nop`), for a clearer message than "bad operands". */
const MISPLACED_LABEL = /\s([A-Za-z_.$][\w.$]*|\d+):(?=\s|$)/;

/** Bytes per value of the common data directives (`.word` is the architecture's). */
const DATA_SIZES: Readonly<Record<string, number>> = { '.byte': 1, '.short': 2, '.hword': 2, '.2byte': 2, '.long': 4, '.int': 4, '.4byte': 4, '.quad': 8, '.8byte': 8 };

/** Alignment exponents above this are refused (64 KiB is plenty for any vector table or page). */
const MAX_ALIGN_EXPONENT = 16;

/** One pass over the source. It is also the {@link ParseContext} the instruction codecs see. */
class Pass implements ParseContext {
  /** The current statement's address (`.`). */
  address = 0;
  readonly final: boolean;
  /** True once the pass is over and every value it borrowed came out the same. */
  stable = false;
  /** The first error of an emitting pass. */
  error: AssemblyError | undefined;

  private readonly syntax: AssemblySyntax;
  private readonly emitting: boolean;
  private readonly sections: Section[] = [];
  private readonly byName = new Map<string, Section>();
  private current: Section;
  private previousSection: Section | undefined;
  private readonly stack: { section: Section; previous: Section | undefined }[] = [];
  private readonly symbols = new Map<string, Definition>();
  private readonly labels = new Map<string, number>();
  private readonly numeric = new Map<number, number[]>();
  private readonly borrowedSymbols = new Set<string>();
  private readonly borrowedNumeric: number[] = [];
  private readonly literalAddresses: number[] = [];
  private literalCount = 0;
  private readonly items = new ItemColumns();
  private readonly skippedDefines = new Map<string, number>();
  private line = 0;
  private physicalLine = 0;
  private file: string | undefined;
  private unsettled = false;
  private codeFillUnit: Uint8Array | undefined;
  private bases: number[] = [];
  /** The code mode the last mode directive selected ({@link ParseContext.mode}). */
  mode: string | undefined = undefined;

  constructor(
    private readonly set: InstructionSet,
    private readonly source: string,
    private readonly base: number,
    private readonly previous: PassRecord | undefined,
    private readonly options: AssembleOptions,
  ) {
    this.syntax = set.syntax ?? PLAIN_ASSEMBLY;
    this.emitting = previous !== undefined;
    this.final = previous !== undefined;
    this.file = options.sourceName;
    this.current = this.section('.text', impliedSectionKind('.text'));
  }

  // --- ParseContext -------------------------------------------------------

  resolve(symbol: string): number | undefined {
    const found = this.lookup(symbol);
    return found === undefined ? undefined : Number(found.value);
  }

  lookup(name: string): ContextSymbol | undefined {
    const code = name.charCodeAt(0);
    if (code >= 48 && code <= 57) {
      const match = NUMERIC_REFERENCE.exec(name);
      if (match === null) return undefined;
      const n = Number(match[1]);
      const list = this.numeric.get(n);
      if (match[2] === 'b') return list === undefined || list.length === 0 ? undefined : { value: BigInt(list[list.length - 1]!), constant: false };
      const k = list?.length ?? 0;
      if (this.previous === undefined) return { value: BigInt(this.address), constant: false };
      const later = this.previous.numeric.get(n)?.[k];
      if (later === undefined) return undefined;
      this.borrowedNumeric.push(n, k);
      return { value: BigInt(later), constant: false };
    }
    const defined = this.symbols.get(name);
    if (defined !== undefined) return defined;
    if (this.previous === undefined) return { value: BigInt(this.address), constant: false };
    const later = this.previous.symbols.get(name);
    if (later === undefined) return undefined;
    this.borrowedSymbols.add(name);
    return { value: later.value, constant: false };
  }

  literal(request: LiteralRequest): number {
    const id = this.literalCount++;
    this.current.pool.add(id, request);
    return this.previous?.literals[id] ?? this.address;
  }

  // --- the pass -----------------------------------------------------------

  run(): this {
    try {
      scanStatements(
        this.source,
        { lineComments: this.set.commentPrefixes, hash: this.set.commentPrefixes.includes('#') ? 'anywhere' : 'statement-start' },
        (text, physicalLine, column, line, file) => {
          this.physicalLine = physicalLine;
          this.line = line;
          this.file = file ?? this.options.sourceName;
          return this.statement(text, column);
        },
        this.skippedDefines,
      );
    } catch (error) {
      if (error instanceof ScanError) throw new AssemblyError(error.message, error.line, error.column, error.file ?? this.options.sourceName);
      throw error;
    }
    this.finish();
    return this;
  }

  /** One statement; `false` ends the scan (`.end`). */
  private statement(raw: string, startColumn: number): boolean {
    let rest = raw;
    let column = startColumn;
    let textColumn = column;
    try {
      const colon = raw.includes(':');
      while (colon) {
        const label = LABEL.exec(rest);
        if (label === null) break;
        this.address = this.location();
        this.defineLabel(label[2]!, column + label[1]!.length);
        column += label[0].length;
        rest = rest.slice(label[0].length);
      }
      const text = rest.trim();
      if (text === '') return true;
      textColumn = column + (rest.length - rest.trimStart().length);
      this.address = this.location();
      const bad = colon ? BAD_LABEL.exec(text) : null;
      if (bad !== null && !/^[A-Za-z_.$][\w.$]*$/.test(bad[1]!)) throw new AssemblyError(`bad label name '${bad[1]}'`, this.line, textColumn);
      const assignment = text.includes('=') ? ASSIGNMENT.exec(text) : null;
      if (assignment !== null) {
        this.assign(assignment[1]!, text.slice(assignment[0].length), textColumn + assignment[0].length, 'set', textColumn);
        return true;
      }
      if (text.charCodeAt(0) === 46 /* . */) return this.directive(text, textColumn);
      this.instruction(text, textColumn);
    } catch (error) {
      this.fail(error, textColumn);
    }
    return true;
  }

  /** Record an error (emitting passes) or drop it (the layout pass: the next pass meets it again with every value known). */
  private fail(error: unknown, column: number): void {
    let failure: AssemblyError;
    if (error instanceof AssemblyError) failure = new AssemblyError(this.hint(error.message), this.line, error.column, this.file);
    else if (error instanceof OperandError) failure = new AssemblyError(this.hint(error.message), this.line, column + error.offset, this.file);
    else failure = new AssemblyError(`internal error: ${error instanceof Error ? error.message : String(error)}`, this.line, column, this.file);
    if (this.emitting && this.error === undefined) this.error = failure;
  }

  /** An undefined symbol that a skipped `#define` named gets the reason. */
  private hint(message: string): string {
    const match = /^undefined symbol '([^']+)'$/.exec(message);
    const line = match === null ? undefined : this.skippedDefines.get(match[1]!);
    return line === undefined ? message : `${message}: line ${line} defines it with '#define', which is a comment here; run the file through the C preprocessor first`;
  }

  private location(): number {
    return this.current.base + this.current.size;
  }

  private defineLabel(name: string, column: number): void {
    const address = this.address;
    if (name.charCodeAt(0) <= 57 && name.charCodeAt(0) >= 48) {
      const n = Number(name);
      const list = this.numeric.get(n);
      if (list === undefined) this.numeric.set(n, [address]);
      else list.push(address);
      return;
    }
    const existing = this.symbols.get(name);
    if (existing !== undefined) {
      throw new AssemblyError(existing.label ? `label '${name}' defined twice` : `symbol '${name}' is already defined (by .equ or .set)`, this.line, column);
    }
    this.symbols.set(name, { value: BigInt(address), constant: false, label: true });
    this.labels.set(name, address);
  }

  /** `.set` / `.equ` / `=` (redefinable, as in GNU as) or `.equiv` (not). */
  private assign(name: string, expression: string, expressionColumn: number, how: 'set' | 'equiv', nameColumn: number): void {
    if (name === '.') {
      this.org(expression, expressionColumn, `. = ${expression}`);
      return;
    }
    const existing = this.symbols.get(name);
    if (existing !== undefined && (existing.label || how === 'equiv')) {
      throw new AssemblyError(existing.label ? `symbol '${name}' is already defined as a label` : `symbol '${name}' is already defined`, this.line, nameColumn);
    }
    const value = this.evaluate(expression, expressionColumn, this.address);
    this.symbols.set(name, { value: value.value, constant: value.constant, label: false });
  }

  /** Evaluate `text` (starting at `column`) with `.` at `location`. */
  private evaluate(text: string, column: number, location: number): ExpressionValue {
    const scope: ExpressionScope = { location, lookup: (name) => this.lookup(name) };
    try {
      return evaluateExpression(text, scope, this.syntax.expressions);
    } catch (error) {
      if (error instanceof OperandError) throw new AssemblyError(error.message, this.line, column + error.offset);
      throw error;
    }
  }

  /** An evaluated size or count: a safe, non-negative integer. */
  private count(argument: DirectiveArgument, column: number, what: string): number {
    const value = this.evaluate(argument.text, column + argument.offset, this.address).value;
    if (value < 0n || value > BigInt(MAX_IMAGE_BYTES)) throw new AssemblyError(`bad ${what} '${argument.text}'`, this.line, column + argument.offset);
    return Number(value);
  }

  // --- sections -----------------------------------------------------------

  private section(name: string, kind: SectionKind): Section {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const index = this.sections.length;
    let base = this.base;
    if (index > 0) {
      const borrowed = this.previous?.sectionNames[index] === name ? this.previous.bases[index] : undefined;
      if (borrowed === undefined) this.unsettled = true;
      base = borrowed ?? this.base;
    }
    const code = kind.flags.includes('x');
    const section: Section = {
      name,
      index,
      kind,
      alloc: kind.flags.includes('a'),
      code,
      size: 0,
      alignment: code && this.set.size !== undefined ? this.set.size : 1,
      base,
      bytes: new Uint8Array(0),
      pool: new LiteralPool(),
      contentLine: 0,
    };
    this.sections.push(section);
    this.byName.set(name, section);
    return section;
  }

  private switchTo(section: Section): void {
    if (section !== this.current) {
      this.previousSection = this.current;
      this.current = section;
    }
  }

  private sectionDirective(args: string, column: number, push: boolean): void {
    let spec;
    try {
      spec = parseSectionSpec(args);
    } catch (error) {
      if (error instanceof OperandError) throw new AssemblyError(error.message, this.line, column + error.offset);
      throw error;
    }
    const known = this.byName.get(spec.name);
    const explicit = args.includes(',');
    if (known !== undefined && explicit && (known.kind.flags !== spec.kind.flags || known.kind.type !== spec.kind.type)) {
      throw new AssemblyError(`section '${spec.name}' changes its flags or type (it is "${known.kind.flags}", %${known.kind.type})`, this.line, column);
    }
    if (push) this.stack.push({ section: this.current, previous: this.previousSection });
    this.switchTo(known ?? this.section(spec.name, spec.kind));
  }

  // --- bytes --------------------------------------------------------------

  /** Reserve `length` bytes of `fill` at the location counter (padding, `.space`). */
  private reserve(length: number, fill: number, text: string, column: number): void {
    if (length === 0) return;
    const section = this.current;
    this.claim(section, length, fill !== 0, column);
    if (this.emitting) {
      this.ensure(section, section.size + length);
      if (fill !== 0) section.bytes.fill(fill, section.size, section.size + length);
      this.items.push(section.index, section.size, length, this.physicalLine, false, text);
    }
    section.size += length;
  }

  /** Put `bytes` at the location counter. */
  private put(bytes: Uint8Array, text: string, instruction: boolean, column: number): void {
    const section = this.current;
    this.claim(section, bytes.length, section.kind.type === 'nobits' && (instruction || bytes.some((b) => b !== 0)), column);
    if (this.emitting) {
      this.ensure(section, section.size + bytes.length);
      section.bytes.set(bytes, section.size);
      this.items.push(section.index, section.size, bytes.length, this.physicalLine, instruction, text);
    }
    section.size += bytes.length;
  }

  /** Checks before `length` bytes go into `section`. */
  private claim(section: Section, length: number, contents: boolean, column: number): void {
    if (section.size + length > MAX_IMAGE_BYTES) throw new AssemblyError(`section '${section.name}' would grow past ${MAX_IMAGE_BYTES / (1024 * 1024)} MiB`, this.line, column);
    if (contents && section.kind.type === 'nobits') throw new AssemblyError(`section '${section.name}' is %nobits: it holds zeros only (.space, .zero, alignment)`, this.line, column);
    if (section.contentLine === 0 && length > 0) section.contentLine = this.line;
  }

  private ensure(section: Section, size: number): void {
    if (size <= section.bytes.length) return;
    const grown = new Uint8Array(Math.max(size, Math.min(MAX_IMAGE_BYTES, section.bytes.length * 2), 256));
    grown.set(section.bytes.subarray(0, section.size));
    section.bytes = grown;
  }

  /** Padding to a multiple of `bytes`: the architecture's code fill in a code section without a fill value, else `fill` (or zeros). */
  private alignTo(bytes: number, fill: number | undefined, max: number | undefined, text: string, column: number): void {
    const section = this.current;
    section.alignment = Math.max(section.alignment, bytes);
    const origin = section.index === 0 ? this.base : 0;
    const pad = (bytes - ((origin + section.size) % bytes)) % bytes;
    if (pad === 0 || (max !== undefined && pad > max)) return;
    if (fill === undefined && section.code && this.syntax.codeFill !== undefined && section.kind.type !== 'nobits') {
      this.put(this.codeFill(pad), text, false, column);
      return;
    }
    this.reserve(pad, fill ?? 0, text, column);
  }

  /** llvm-mc's `writeNopData`: whole instructions, then the remainder bytes. */
  private codeFill(count: number): Uint8Array {
    const spec = this.syntax.codeFill!;
    this.codeFillUnit ??= this.set.assembleOne(spec.instruction, { address: 0, final: true, resolve: () => undefined });
    const unit = this.codeFillUnit;
    const out = new Uint8Array(count);
    const whole = Math.floor(count / unit.length);
    for (let i = 0; i < whole; i++) out.set(unit, i * unit.length);
    const remainder = spec.remainders?.[count % unit.length];
    if (remainder !== undefined) out.set(remainder, whole * unit.length);
    return out;
  }

  private flushPool(section: Section, text: string): void {
    const entries = section.pool.take();
    if (entries.length === 0) return;
    const saved = this.current;
    this.current = section;
    for (const entry of entries) {
      this.alignTo(entry.size, 0, undefined, text, 1);
      const address = this.location();
      for (const request of entry.requests) this.literalAddresses[request] = address;
      this.put(valueBytes(entry.value, entry.size, this.set.endian), `${dataName(entry.size, this.syntax.wordSize)} 0x${BigInt.asUintN(8 * entry.size, entry.value).toString(16)}`, false, 1);
    }
    this.current = saved;
  }

  // --- instructions -------------------------------------------------------

  private instruction(text: string, column: number): void {
    const fixed = this.set.size;
    const marker = this.syntax.literalMarker;
    if (!this.emitting && fixed !== undefined && (marker === undefined || !text.includes(marker))) {
      if (this.current.kind.type === 'nobits') throw new AssemblyError(`section '${this.current.name}' is %nobits: it holds no instructions`, this.line, column);
      this.current.size += fixed;
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = this.set.assembleOne(text, this);
    } catch (error) {
      // A failed instruction still takes its size, so the layout after it (and other messages) stay right.
      if (fixed !== undefined) this.reserve(fixed, 0, text, column);
      const misplaced = MISPLACED_LABEL.exec(text);
      if (misplaced !== null) throw new AssemblyError(`misplaced label '${misplaced[1]}': a label starts its statement`, this.line, column + misplaced.index + 1);
      if (error instanceof AssemblyError) throw new AssemblyError(error.message, this.line, column + error.column - 1);
      throw error;
    }
    this.put(bytes, text, true, column);
  }

  // --- directives ---------------------------------------------------------

  private directive(text: string, column: number): boolean {
    const match = DIRECTIVE.exec(text);
    if (match === null) throw new AssemblyError(`unknown directive '${text.split(/\s/, 1)[0]}'`, this.line, column);
    const name = match[1]!.toLowerCase();
    const args = text.slice(match[0].length);
    const argsColumn = column + match[0].length;
    const size = name === '.word' ? this.syntax.wordSize : DATA_SIZES[name];
    if (size !== undefined) {
      this.data(name, size, args, argsColumn, text, column, false);
      return true;
    }
    switch (name) {
      case '.text':
      case '.data':
      case '.bss':
        if (args.trim() !== '') throw new AssemblyError(`subsections are not supported ('${name} ${args.trim()}')`, this.line, argsColumn);
        this.switchTo(this.section(name, impliedSectionKind(name)));
        return true;
      case '.section':
        this.sectionDirective(args, argsColumn, false);
        return true;
      case '.pushsection':
        this.sectionDirective(args, argsColumn, true);
        return true;
      case '.popsection': {
        const top = this.stack.pop();
        if (top === undefined) throw new AssemblyError('.popsection without a .pushsection', this.line, column);
        this.current = top.section;
        this.previousSection = top.previous;
        return true;
      }
      case '.previous':
        if (this.previousSection === undefined) throw new AssemblyError('.previous: no section to go back to', this.line, column);
        this.switchTo(this.previousSection);
        return true;
      case '.globl':
      case '.global':
      case '.local':
      case '.weak':
      case '.hidden':
      case '.protected':
      case '.internal':
        this.check(() => checkSymbolList(args, name), argsColumn);
        return true;
      case '.type':
        this.check(() => checkTypeDirective(args), argsColumn);
        return true;
      case '.size': {
        const parts = splitArguments(args);
        if (parts.length !== 2 || !/^[A-Za-z_.$][\w.$]*$/.test(parts[0]!.text)) throw new AssemblyError('expected SYMBOL, SIZE (e.g. .size name, . - name)', this.line, argsColumn);
        if (this.emitting) this.evaluate(parts[1]!.text, argsColumn + parts[1]!.offset, this.address);
        return true;
      }
      case '.equ':
      case '.set':
      case '.equiv': {
        const parts = /^([A-Za-z_.$][\w.$]*)\s*,\s*/.exec(args);
        if (parts === null) throw new AssemblyError(`expected ${name} NAME, VALUE`, this.line, argsColumn);
        this.assign(parts[1]!, args.slice(parts[0].length), argsColumn + parts[0].length, name === '.equiv' ? 'equiv' : 'set', argsColumn);
        return true;
      }
      case '.ascii':
      case '.asciz':
      case '.string':
        this.strings(name, args, argsColumn, text, column);
        return true;
      case '.space':
      case '.skip':
      case '.zero':
        this.space(name, args, argsColumn, text, column);
        return true;
      case '.fill':
        this.fill(args, argsColumn, text, column);
        return true;
      case '.align':
      case '.balign':
      case '.p2align':
        this.align(name, args, argsColumn, text, column);
        return true;
      case '.org':
        this.org(args, argsColumn, text);
        return true;
      case '.end':
        return false;
      case '.err':
        throw new AssemblyError('.err encountered', this.line, column);
      case '.error': {
        const message = args.trim() === '' ? '.error encountered' : this.check(() => new TextDecoder().decode(Uint8Array.from(parseStrings(args, false).bytes)), argsColumn);
        throw new AssemblyError(message, this.line, column);
      }
      default:
        break;
    }
    const rule = this.syntax.directives[name];
    if (rule !== undefined) {
      switch (rule.kind) {
        case 'ignore':
          if (!rule.arguments.test(args.trim())) throw new AssemblyError(`${name}: expected ${rule.expected}`, this.line, argsColumn);
          return true;
        case 'reject':
          throw new AssemblyError(`'${name}' is not supported: ${rule.reason}`, this.line, column);
        case 'data':
          this.data(name, rule.size, args, argsColumn, text, column, false);
          return true;
        case 'instruction':
          this.data(name, this.set.size ?? 4, args, argsColumn, text, column, true);
          return true;
        case 'literal-pool':
          if (args.trim() !== '') throw new AssemblyError(`${name} takes no arguments`, this.line, argsColumn);
          this.flushPool(this.current, text);
          return true;
        case 'mode':
          if (args.trim() !== '') throw new AssemblyError(`${name} takes no arguments`, this.line, argsColumn);
          this.mode = rule.mode;
          return true;
        default: {
          const never: never = rule;
          return never;
        }
      }
    }
    if (IGNORED_DIRECTIVES.has(name) || name.startsWith('.cfi_')) return true;
    const refused = REFUSED_DIRECTIVES[name];
    if (refused !== undefined) throw new AssemblyError(`'${name}' is not supported: ${refused}`, this.line, column);
    throw new AssemblyError(`unknown directive '${name}'`, this.line, column);
  }

  /** Run a directive-syntax check, turning its {@link OperandError} into a positioned error. */
  private check<T>(body: () => T, column: number): T {
    try {
      return body();
    } catch (error) {
      if (error instanceof OperandError) throw new AssemblyError(error.message, this.line, column + error.offset);
      throw error;
    }
  }

  /** `.byte` … `.quad`, `.inst`: values of `size` bytes, each range-checked. */
  private data(name: string, size: number, args: string, column: number, text: string, directiveColumn: number, instruction: boolean): void {
    const values = splitArguments(args);
    if (values.length === 0) throw new AssemblyError(`${name} needs a value`, this.line, directiveColumn);
    if (!this.emitting) {
      const section = this.current;
      this.claim(section, size * values.length, instruction, directiveColumn);
      section.size += size * values.length;
      return;
    }
    const out = new Uint8Array(size * values.length);
    const start = this.address;
    const low = -(1n << BigInt(8 * size - 1));
    const high = (1n << BigInt(8 * size)) - 1n;
    // A bad value leaves zeros and the size, so what follows stays where it is; the first error is thrown after.
    let failure: unknown;
    values.forEach((value, i) => {
      const at = column + value.offset;
      try {
        if (value.text === '') throw new AssemblyError(`missing value for ${name} (argument ${i + 1})`, this.line, at);
        const result = this.evaluate(value.text, at, start + size * i).value;
        if (result < low || result > high) throw new AssemblyError(`value ${value.text} does not fit ${8 * size} bits`, this.line, at);
        out.set(valueBytes(result, size, this.set.endian), size * i);
      } catch (error) {
        failure ??= error;
      }
    });
    this.put(out, text, instruction, directiveColumn);
    if (failure !== undefined) throw failure;
  }

  private strings(name: string, args: string, column: number, text: string, directiveColumn: number): void {
    const bytes: number[] = [];
    let rest = args;
    let offset = 0;
    while (rest.trim() !== '') {
      const { bytes: piece, end } = this.check(() => parseStrings(rest, name === '.ascii'), column + offset);
      bytes.push(...piece);
      if (name !== '.ascii') bytes.push(0);
      const after = rest.slice(end);
      const comma = /^\s*,\s*/.exec(after);
      if (comma === null) {
        if (after.trim() !== '') throw new AssemblyError(`unexpected '${after.trim()}' after a string`, this.line, column + offset + end + (after.length - after.trimStart().length));
        break;
      }
      offset += end + comma[0].length;
      rest = after.slice(comma[0].length);
      if (rest.trim() === '') throw new AssemblyError(`${name}: expected a string after ','`, this.line, column + offset);
    }
    this.put(Uint8Array.from(bytes), text, false, directiveColumn);
  }

  private space(name: string, args: string, column: number, text: string, directiveColumn: number): void {
    const parts = splitArguments(args);
    if (parts.length === 0 || parts[0]!.text === '') throw new AssemblyError(`${name} needs a size`, this.line, directiveColumn);
    if (parts.length > (name === '.zero' ? 1 : 2)) throw new AssemblyError(`${name} takes a size${name === '.zero' ? '' : ' and a fill byte'}`, this.line, column + parts[parts.length - 1]!.offset);
    const length = this.count(parts[0]!, column, 'size');
    const fill = parts.length === 2 ? Number(this.evaluate(parts[1]!.text, column + parts[1]!.offset, this.address).value & 0xffn) : 0;
    this.reserve(length, fill, text, directiveColumn);
  }

  /** `.fill repeat[, size[, value]]`, as llvm-mc writes it: the value's low (at most 4) bytes, then zeros up to `size` (at most 8). */
  private fill(args: string, column: number, text: string, directiveColumn: number): void {
    const parts = splitArguments(args);
    if (parts.length === 0 || parts.length > 3 || parts[0]!.text === '') throw new AssemblyError('.fill takes REPEAT[, SIZE[, VALUE]]', this.line, directiveColumn);
    const repeat = this.count(parts[0]!, column, 'repeat count');
    const size = parts.length >= 2 && parts[1]!.text !== '' ? Math.min(8, this.count(parts[1]!, column, 'size')) : 1;
    const value = parts.length === 3 ? this.evaluate(parts[2]!.text, column + parts[2]!.offset, this.address).value : 0n;
    if (repeat * size > MAX_IMAGE_BYTES) throw new AssemblyError(`.fill of ${repeat * size} bytes is too large`, this.line, directiveColumn);
    if (value === 0n || size === 0) {
      this.reserve(repeat * size, 0, text, directiveColumn);
      return;
    }
    const unit = new Uint8Array(size);
    const low = Math.min(size, 4);
    unit.set(valueBytes(value, low, this.set.endian), 0);
    const out = new Uint8Array(repeat * size);
    for (let i = 0; i < repeat; i++) out.set(unit, i * size);
    this.put(out, text, false, directiveColumn);
  }

  private align(name: string, args: string, column: number, text: string, directiveColumn: number): void {
    const parts = splitArguments(args);
    if (parts.length === 0 || parts.length > 3 || parts[0]!.text === '') throw new AssemblyError(`${name} takes ALIGNMENT[, FILL[, MAX]]`, this.line, directiveColumn);
    const n = this.count(parts[0]!, column, 'alignment');
    const powerOfTwo = name === '.p2align' || (name === '.align' && this.set.alignIsPowerOfTwo);
    if ((powerOfTwo && n > MAX_ALIGN_EXPONENT) || (!powerOfTwo && (n > 2 ** MAX_ALIGN_EXPONENT || (n & (n - 1)) !== 0))) {
      throw new AssemblyError(`bad alignment '${parts[0]!.text}'`, this.line, column + parts[0]!.offset);
    }
    const bytes = powerOfTwo ? 2 ** n : Math.max(1, n);
    const fillArg = parts[1];
    const fill = fillArg === undefined || fillArg.text === '' ? undefined : Number(this.evaluate(fillArg.text, column + fillArg.offset, this.address).value & 0xffn);
    const maxArg = parts[2];
    let max = maxArg === undefined || maxArg.text === '' ? undefined : this.count(maxArg, column, 'maximum');
    // llvm-mc ignores a maximum that is not below the alignment (with a warning).
    if (max !== undefined && max >= bytes) max = undefined;
    this.alignTo(bytes, fill, max, text, directiveColumn);
  }

  /** `.org`: move the location counter forward to a section offset (a number) or an address in this section. */
  private org(args: string, column: number, text: string): void {
    const parts = splitArguments(args);
    if (parts.length === 0 || parts.length > 2 || parts[0]!.text === '') throw new AssemblyError('.org takes OFFSET[, FILL]', this.line, column);
    const target = this.evaluate(parts[0]!.text, column + parts[0]!.offset, this.address);
    const offset = Number(target.constant ? target.value : target.value - BigInt(this.current.base));
    if (!Number.isSafeInteger(offset) || offset < this.current.size) {
      throw new AssemblyError(`.org ${parts[0]!.text} would move the location counter backwards (it is at offset ${this.current.size} in ${this.current.name})`, this.line, column + parts[0]!.offset);
    }
    const fill = parts.length === 2 ? Number(this.evaluate(parts[1]!.text, column + parts[1]!.offset, this.address).value & 0xffn) : 0;
    this.reserve(offset - this.current.size, fill, text, column);
  }

  // --- the end of a pass --------------------------------------------------

  private finish(): void {
    this.line = this.physicalLine;
    for (const section of this.sections) {
      try {
        this.flushPool(section, '.ltorg (end of section)');
      } catch (error) {
        this.fail(error, 1);
      }
    }
    for (const section of this.sections) {
      if (!section.alloc && section.size > 0 && this.error === undefined && this.emitting) {
        this.error = new AssemblyError(`section '${section.name}' is not loaded (no "a" flag), so it cannot hold code or data; declare it with flags, e.g. .section ${section.name},"ax"`, section.contentLine, 1, this.options.sourceName);
      }
    }
    // Place the sections: the first at the base, each next one after the previous, aligned.
    let address = this.base;
    this.bases = this.sections.map((section) => {
      if (!section.alloc) return 0;
      if (section.index > 0) address = Math.ceil(address / section.alignment) * section.alignment;
      const at = address;
      address += section.size;
      return at;
    });
    if (address - this.base > MAX_IMAGE_BYTES && this.emitting && this.error === undefined) {
      this.error = new AssemblyError(`the image would be ${address - this.base} bytes, more than ${MAX_IMAGE_BYTES / (1024 * 1024)} MiB`, this.line, 1, this.options.sourceName);
    }
    this.stable = this.emitting && !this.unsettled && this.settled();
  }

  /** Whether every value this pass borrowed from the previous one came out the same. */
  private settled(): boolean {
    const previous = this.previous!;
    for (let i = 0; i < this.sections.length; i++) {
      if (previous.sectionNames[i] !== this.sections[i]!.name) return false;
      if (i > 0 && this.sections[i]!.alloc && previous.bases[i] !== this.bases[i]) return false;
    }
    for (const name of this.borrowedSymbols) if (this.symbols.get(name)?.value !== previous.symbols.get(name)?.value) return false;
    for (let i = 0; i < this.borrowedNumeric.length; i += 2) {
      const n = this.borrowedNumeric[i]!;
      const k = this.borrowedNumeric[i + 1]!;
      if (this.numeric.get(n)?.[k] !== previous.numeric.get(n)?.[k]) return false;
    }
    if (previous.literals.length !== this.literalCount) return false;
    for (let i = 0; i < this.literalCount; i++) if (previous.literals[i] !== this.literalAddresses[i]) return false;
    return true;
  }

  record(): PassRecord {
    return {
      symbols: this.symbols,
      numeric: this.numeric,
      sectionNames: this.sections.map((s) => s.name),
      bases: this.bases,
      literals: this.literalAddresses,
    };
  }

  /** The program this (stable) pass built. */
  program(): AssembledProgram {
    const end = this.sections.reduce((top, section, i) => (section.alloc ? Math.max(top, this.bases[i]! + section.size) : top), this.base);
    const image = new Uint8Array(end - this.base);
    this.sections.forEach((section, i) => {
      if (section.alloc && section.kind.type !== 'nobits') image.set(section.bytes.subarray(0, section.size), this.bases[i]! - this.base);
    });
    const columns = this.items;
    const bases = this.bases;
    const base = this.base;
    const names = this.sections.map((s) => s.name);
    const order = this.sections.map((_, i) => i).filter((i) => this.sections[i]!.alloc).sort((a, b) => bases[a]! - bases[b]!);
    let items: AssembledItem[] | undefined;
    const listing = (): AssembledItem[] => {
      if (items !== undefined) return items;
      // Items in address order: section by section in placement order, each in source order.
      const bySection: number[][] = this.sections.map(() => []);
      for (let i = 0; i < columns.count; i++) bySection[columns.section[i]!]!.push(i);
      items = [];
      for (const s of order) {
        for (const i of bySection[s]!) {
          const address = bases[s]! + columns.offset[i]!;
          const length = columns.length[i]!;
          items.push({ address, bytes: image.subarray(address - base, address - base + length), text: columns.text[i]!, line: columns.line[i]!, instruction: columns.instruction[i] === 1, section: names[s]! });
        }
      }
      return items;
    };
    const sections: AssembledSection[] = order.map((i) => {
      const s = this.sections[i]!;
      return { name: s.name, address: bases[i]!, size: s.size, flags: s.kind.flags, type: s.kind.type, alignment: s.alignment };
    });
    return {
      base,
      bytes: image,
      get items() {
        return listing();
      },
      symbols: this.labels,
      sections,
    };
  }
}

/** The directive that lists a pool entry of `size` bytes. */
function dataName(size: number, wordSize: number): string {
  if (size === wordSize) return '.word';
  return size === 1 ? '.byte' : size === 2 ? '.short' : size === 8 ? '.quad' : '.long';
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
  /** The table's assembly syntax (`TableOptions.assembly`), or the plain one. */
  readonly syntax: AssemblySyntax;

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
    this.syntax = table.options.assembly ?? PLAIN_ASSEMBLY;
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
