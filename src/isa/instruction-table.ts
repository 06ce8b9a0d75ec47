/**
 * The instruction table: one typed list of patterns per instruction set that
 * feeds the decoder, the encoder, the assembler, the disassembler and the
 * overlap check.
 *
 * Every overlap between two entries must be declared on the entry that wins
 * (`overlaps`). An undeclared overlap, a declaration whose overlap no longer
 * exists, an unknown field, codec or name are all rejected when the table is
 * built, with a message naming the entry. The search for undeclared overlaps
 * compares every pair of entries (quadratic in the table's size); a shipped
 * table defers it (`deferOverlapScan`) so that start-up does not pay for it,
 * and the test suite and the build run it instead ({@link InstructionTable.checkOverlaps}).
 *
 * @module
 */

import { extractField, insertField, parsePattern, TableError, type BitPattern, type FieldLayout } from './bit-pattern.ts';
import type { AssemblySyntax } from './directives.ts';
import { OperandError, type CodecSet, type FormatContext, type OperandCodec, type ParseContext } from './operand.ts';

/** An assembly template with fixed field values it applies to. */
export interface TemplateDef {
  /** The template text, e.g. `push{cond:cond} {reglist:regs}`. */
  readonly text: string;
  /** Field values this template implies (assembler) and requires (disassembler). */
  readonly when?: Readonly<Record<string, number>>;
}

/** One table row, as written in a backend's `table.ts`. */
export interface InstructionDef {
  /** Unique name; also the name of the semantics handler for this pattern. */
  readonly name: string;
  /** The bit pattern, see {@link parsePattern}. */
  readonly pattern: string;
  /**
   * Assembly templates. The disassembler uses the first one whose codecs all
   * format; the assembler accepts any of them.
   */
  readonly syntax: readonly (string | TemplateDef)[];
  /**
   * Field-value combinations that are not this instruction, each a partial
   * assignment (e.g. `{ cond: 0b1111 }`, or `{ p: 0, w: 1 }` for both at once),
   * or a bit pattern of fixed and don't-care bits only (no fields), for a
   * condition on single bits inside a field, such as should-be-zero bits that
   * only exist for some values of another field.
   */
  readonly exclude?: readonly (Readonly<Record<string, number>> | string)[];
  /** Entries this one overlaps on purpose; this entry takes priority over them. */
  readonly overlaps?: readonly string[];
}

/** A bit cube: the words `w` with `(w & mask) === value`. */
export interface Cube {
  /** Bits that are fixed. */
  readonly mask: number;
  /** Their values. */
  readonly value: number;
}

/** Literal text inside a template. */
export interface TextSegment {
  /** Discriminant. */
  readonly kind: 'text';
  /** The text. */
  readonly text: string;
}

/** A placeholder inside a template. */
export interface OperandSegment {
  /** Discriminant. */
  readonly kind: 'operand';
  /** The codec's name in the table's codec set. */
  readonly codecName: string;
  /** The codec. */
  readonly codec: OperandCodec;
  /** The fields it formats and parses, in order. */
  readonly fields: readonly string[];
}

/** One segment of a compiled template. */
export type Segment = TextSegment | OperandSegment;

/** A template compiled to a matcher. */
export interface CompiledTemplate {
  /** The template text as written in the table. */
  readonly text: string;
  /** Fixed field values. */
  readonly when: Readonly<Record<string, number>>;
  /** Literal text and placeholders in order. */
  readonly segments: readonly Segment[];
  /** Matches a whole instruction line (trimmed, comments removed), with match indices for error offsets. */
  readonly line: RegExp;
  /** The same pattern without indices, which is cheaper for the common case: a line that assembles. */
  readonly quickLine: RegExp;
  /** Matches the mnemonic word alone. */
  readonly mnemonic: RegExp;
}

/** A built table row. */
export interface TableEntry {
  /** The row as written. */
  readonly def: InstructionDef;
  /** Its parsed pattern. */
  readonly pattern: BitPattern;
  /** Its exclusions as cubes. */
  readonly exclusions: readonly Cube[];
  /** Its compiled templates. */
  readonly templates: readonly CompiledTemplate[];
}

/** Field values by name. */
export type FieldValues = Readonly<Record<string, number>>;

/** The result of decoding one word. */
export interface DecodeMatch {
  /** The matching row. */
  readonly entry: TableEntry;
  /** Every field's value. */
  readonly fields: FieldValues;
}

/** A successful match of one line against one template. */
export interface EncodeMatch {
  /** The row that matched. */
  readonly entry: TableEntry;
  /** The encoded word. */
  readonly word: number;
}

/** Why a line did not assemble against a table. */
export interface EncodeFailure {
  /** What is wrong, in one line. */
  readonly message: string;
  /** Character offset inside the line. */
  readonly offset: number;
}

/** Options for building a table. */
export interface TableOptions {
  /** Name of the instruction set, used in messages. */
  readonly name: string;
  /** Width of an instruction word in bits. */
  readonly width: number;
  /** The operand codecs templates may name. */
  readonly codecs: CodecSet;
  /**
   * Leave the search for undeclared overlaps (every pair of entries) to a
   * later {@link InstructionTable.checkOverlaps}. Everything else, declared
   * overlaps included, is still checked when the table is built. For tables
   * built at start-up whose scan the test suite and the build run.
   */
  readonly deferOverlapScan?: boolean;
  /**
   * Build (and check) the table when it is first used (decoding,
   * assembling, reading its entries) instead of in
   * {@link InstructionTable.build}: a command that never decodes or
   * assembles (`hyplay dispatch`) then pays nothing for it. A table error
   * surfaces at first use; the shipped tables set this together with
   * `deferOverlapScan`, and the test suite and the build force and check
   * them through {@link InstructionTable.checkOverlaps}.
   */
  readonly buildOnFirstUse?: boolean;
  /** What the architecture's assembly language adds to the assembler's common syntax (directives, `.word` size, relocation operators). */
  readonly assembly?: AssemblySyntax;
}

/** What building a table produces. */
interface BuiltTable {
  /** Entries in the order they were written. */
  readonly written: readonly TableEntry[];
  /** Entries in decode order. */
  readonly ordered: readonly TableEntry[];
  /** Entries by name. */
  readonly byName: ReadonlyMap<string, TableEntry>;
  /** Each entry's declared priorities. */
  readonly beats: Priorities;
  /** For each entry, the entries declared to win over it, in written order: the only ones that can take a word it matches. */
  readonly winners: ReadonlyMap<TableEntry, readonly TableEntry[]>;
}

/** A template with the row it belongs to, as the assembler tries them. */
interface Candidate {
  readonly entry: TableEntry;
  readonly template: CompiledTemplate;
}

/** Distinct mnemonics whose candidate templates are remembered (the input decides how many it writes). */
const CANDIDATE_CACHE_LIMIT = 4096;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function literalRegex(text: string): string {
  let out = '';
  for (const ch of text) {
    if (/\s/.test(ch)) out += '\\s*';
    else if (ch === ',') out += '\\s*,\\s*';
    else out += escapeRegex(ch);
  }
  return out.replace(/(\\s\*)+/g, '\\s*');
}

function compileTemplate(def: string | TemplateDef, owner: string, pattern: BitPattern, codecs: CodecSet): CompiledTemplate {
  const text = typeof def === 'string' ? def : def.text;
  const when = typeof def === 'string' ? {} : (def.when ?? {});
  const segments: Segment[] = [];
  const placeholder = /\{([a-z0-9_]+)(?::([a-z0-9_,]+))?\}/gi;
  let last = 0;
  for (const match of text.matchAll(placeholder)) {
    if (match.index > last) segments.push({ kind: 'text', text: text.slice(last, match.index) });
    const codecName = match[1]!;
    const codec = codecs[codecName];
    if (codec === undefined) throw new TableError(`${owner}: template '${text}' names unknown codec '${codecName}'`);
    if (/\((?!\?)/.test(codec.pattern.replace(/\\\(/g, ''))) {
      throw new TableError(`${owner}: codec '${codecName}' pattern has a capturing group`);
    }
    const fields = match[2] === undefined ? [] : match[2].split(',');
    for (const field of fields) {
      if (!pattern.fields.has(field)) throw new TableError(`${owner}: template '${text}' names unknown field '${field}'`);
    }
    segments.push({ kind: 'operand', codecName, codec, fields });
    last = match.index + match[0].length;
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) });
  for (const field of Object.keys(when)) {
    if (!pattern.fields.has(field)) throw new TableError(`${owner}: template '${text}' fixes unknown field '${field}'`);
  }
  const covered = new Set<string>(Object.keys(when));
  for (const segment of segments) if (segment.kind === 'operand') for (const f of segment.fields) covered.add(f);
  for (const field of pattern.fields.keys()) {
    if (!covered.has(field)) throw new TableError(`${owner}: template '${text}' does not set field '${field}'`);
  }
  // Split at the first whitespace of the template text: mnemonic, then operands.
  let regex = '';
  let mnemonicRegex = '';
  let inMnemonic = true;
  for (const segment of segments) {
    if (segment.kind === 'operand') {
      regex += `(${segment.codec.pattern})`;
      if (inMnemonic) mnemonicRegex += `(?:${segment.codec.pattern})`;
      continue;
    }
    if (inMnemonic) {
      const space = segment.text.search(/\s/);
      if (space >= 0) {
        inMnemonic = false;
        mnemonicRegex += escapeRegex(segment.text.slice(0, space));
        regex += `${escapeRegex(segment.text.slice(0, space))}\\s+${literalRegex(segment.text.slice(space).trimStart())}`;
        continue;
      }
      mnemonicRegex += escapeRegex(segment.text);
      regex += escapeRegex(segment.text);
      continue;
    }
    regex += literalRegex(segment.text);
  }
  return {
    text,
    when,
    segments,
    line: new RegExp(`^${regex}\\s*$`, 'id'),
    quickLine: new RegExp(`^${regex}\\s*$`, 'i'),
    mnemonic: new RegExp(`^${mnemonicRegex}$`, 'i'),
  };
}

function fieldCube(pattern: BitPattern, field: string, value: number, owner: string): Cube {
  const layout = pattern.fields.get(field);
  if (layout === undefined) throw new TableError(`${owner}: exclusion names unknown field '${field}'`);
  if (value < 0 || value >= 2 ** layout.width) throw new TableError(`${owner}: exclusion ${field}=${value} does not fit ${layout.width} bits`);
  const ones = layout.width >= 32 ? 0xffff_ffff : 2 ** layout.width - 1;
  return { mask: insertField(0, layout, ones), value: insertField(0, layout, value) };
}

/**
 * Find a part of `cube` not covered by any of `holes`, or `undefined` if the
 * holes cover it. Splits on a bit one hole constrains and the cube does not.
 */
function uncovered(cube: Cube, holes: readonly Cube[]): Cube | undefined {
  const touching = holes.filter((h) => ((h.value ^ cube.value) & h.mask & cube.mask) === 0);
  if (touching.length === 0) return cube;
  for (const hole of touching) {
    if ((hole.mask & ~cube.mask) === 0) return undefined; // hole contains the cube
  }
  const hole = touching[0]!;
  const free = hole.mask & ~cube.mask;
  const bit = free & -free;
  const mask = (cube.mask | bit) >>> 0;
  return uncovered({ mask, value: cube.value >>> 0 }, touching) ?? uncovered({ mask, value: (cube.value | bit) >>> 0 }, touching);
}

/** What an entry's `overlaps` declarations resolve to: the entries it takes priority over. */
type Priorities = ReadonlyMap<TableEntry, ReadonlySet<TableEntry>>;

/**
 * The pairwise scan, in written order: no two entries may each claim
 * priority over the other, every two entries that share a word must have
 * declared it, and every declared pair must share one. Quadratic in the
 * number of entries, so a shipped table runs it in the test suite and the
 * build rather than at start-up.
 */
function scanOverlaps(name: string, written: readonly TableEntry[], beats: Priorities): void {
  for (let i = 0; i < written.length; i++) {
    for (let j = i + 1; j < written.length; j++) {
      checkPair(name, written[i]!, written[j]!, beats);
    }
  }
}

/** The part of {@link scanOverlaps} that looks only at declared pairs (linear in the declarations), in the same order. */
function checkDeclaredOverlaps(name: string, written: readonly TableEntry[], beats: Priorities): void {
  const position = new Map(written.map((entry, i) => [entry, i]));
  const pairs: [number, number][] = [];
  for (const [winner, losers] of beats) {
    for (const loser of losers) {
      const a = position.get(winner)!;
      const b = position.get(loser)!;
      pairs.push(a < b ? [a, b] : [b, a]);
    }
  }
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (const [a, b] of pairs) checkPair(name, written[a]!, written[b]!, beats);
}

/** One pair of entries, `a` written before `b`. */
function checkPair(name: string, a: TableEntry, b: TableEntry, beats: Priorities): void {
  const aBeatsB = beats.get(a)!.has(b);
  const bBeatsA = beats.get(b)!.has(a);
  if (aBeatsB && bBeatsA) throw new TableError(`${name} table: '${a.def.name}' and '${b.def.name}' each claim priority over the other`);
  const witness = InstructionTable.overlapWitness(a, b);
  const declared = aBeatsB || bBeatsA;
  if (witness !== undefined && !declared) {
    throw new TableError(`${name} table: undeclared overlap between '${a.def.name}' and '${b.def.name}' (both match 0x${witness.toString(16).padStart(8, '0')})`);
  }
  if (witness === undefined && declared) throw new TableError(`${name} table: '${a.def.name}' and '${b.def.name}' are declared to overlap but do not`);
}

/** Build and check a table from its rows (see {@link InstructionTable.build}). */
function buildTable(defs: readonly InstructionDef[], options: TableOptions): BuiltTable {
  const written: TableEntry[] = [];
  const names = new Set<string>();
  for (const def of defs) {
    const owner = `${options.name} table entry '${def.name}'`;
    if (names.has(def.name)) throw new TableError(`${owner}: name defined twice`);
    names.add(def.name);
    const pattern = parsePattern(def.pattern, options.width, owner);
    const exclusions: Cube[] = [];
    for (const assignment of def.exclude ?? []) {
      if (typeof assignment === 'string') {
        const hole = parsePattern(assignment, options.width, `${owner} exclusion`);
        if (hole.fields.size > 0) throw new TableError(`${owner}: exclusion pattern '${assignment}' names fields; use an assignment`);
        if (hole.mask === 0) throw new TableError(`${owner}: empty exclusion`);
        if (((hole.value ^ pattern.value) & hole.mask & pattern.mask) !== 0) {
          throw new TableError(`${owner}: exclusion pattern '${assignment}' never matches the entry's pattern`);
        }
        exclusions.push({ mask: hole.mask, value: hole.value });
        continue;
      }
      let mask = 0;
      let value = 0;
      for (const [field, fieldValue] of Object.entries(assignment)) {
        const cube = fieldCube(pattern, field, fieldValue, owner);
        mask |= cube.mask;
        value |= cube.value;
      }
      if (Object.keys(assignment).length === 0) throw new TableError(`${owner}: empty exclusion`);
      exclusions.push({ mask: mask >>> 0, value: value >>> 0 });
    }
    if (def.syntax.length === 0) throw new TableError(`${owner}: no syntax`);
    const templates = def.syntax.map((t) => compileTemplate(t, owner, pattern, options.codecs));
    written.push({ def, pattern, exclusions, templates });
  }
  const byName = new Map(written.map((e) => [e.def.name, e]));
  // Overlap check: every pair that shares a word must be declared, and every declaration must be real (the full scan may be deferred).
  const beats = new Map<TableEntry, Set<TableEntry>>();
  for (const entry of written) {
    const set = new Set<TableEntry>();
    for (const other of entry.def.overlaps ?? []) {
      const target = byName.get(other);
      if (target === undefined) throw new TableError(`${options.name} table entry '${entry.def.name}': overlaps unknown entry '${other}'`);
      if (target === entry) throw new TableError(`${options.name} table entry '${entry.def.name}': overlaps itself`);
      set.add(target);
    }
    beats.set(entry, set);
  }
  if (options.deferOverlapScan === true) checkDeclaredOverlaps(options.name, written, beats);
  else scanOverlaps(options.name, written, beats);
  // Decode order: stable topological sort, winners first.
  const ordered: TableEntry[] = [];
  const placed = new Set<TableEntry>();
  const visiting = new Set<TableEntry>();
  // Each entry's winners, in written order (what scanning every entry's declarations in turn would find).
  const winnersOf = new Map<TableEntry, TableEntry[]>();
  for (const [winner, losers] of beats) {
    for (const loser of losers) {
      const list = winnersOf.get(loser);
      if (list === undefined) winnersOf.set(loser, [winner]);
      else list.push(winner);
    }
  }
  const place = (entry: TableEntry): void => {
    if (placed.has(entry)) return;
    if (visiting.has(entry)) throw new TableError(`${options.name} table: overlap priorities form a cycle at '${entry.def.name}'`);
    visiting.add(entry);
    for (const winner of winnersOf.get(entry) ?? []) place(winner);
    visiting.delete(entry);
    placed.add(entry);
    ordered.push(entry);
  };
  for (const entry of written) place(entry);
  return { written, ordered, byName, beats, winners: winnersOf };
}

/** Decoder, encoder and overlap check built from one list of {@link InstructionDef}. */
export class InstructionTable {
  /** The built table, once built. */
  private built: BuiltTable | undefined;
  /** How each template fills its entry's fields, worked out on first use. */
  private readonly plans = new WeakMap<CompiledTemplate, TemplatePlan>();
  /** Templates by lower-case mnemonic word, in written order: the assembler tries only these. */
  private readonly candidates = new Map<string, readonly Candidate[]>();

  private constructor(
    /** How the table was built. */
    readonly options: TableOptions,
    private readonly defs: readonly InstructionDef[],
  ) {}

  /** The built table, building it on first use. */
  private get table(): BuiltTable {
    return (this.built ??= buildTable(this.defs, this.options));
  }

  /** Entries in decode order: declared winners before the entries they overlap, otherwise table order. */
  get entries(): readonly TableEntry[] {
    return this.table.ordered;
  }

  /** Entries in the order they were written. */
  get written(): readonly TableEntry[] {
    return this.table.written;
  }

  /**
   * Build and check a table. Throws {@link TableError} on any problem, now,
   * or on first use with `buildOnFirstUse`.
   */
  static build(defs: readonly InstructionDef[], options: TableOptions): InstructionTable {
    const table = new InstructionTable(options, defs);
    if (options.buildOnFirstUse !== true) table.built = buildTable(defs, options);
    return table;
  }

  /**
   * The full pairwise overlap check: an undeclared overlap (with a word both
   * entries match), a declared one that does not exist, or two entries
   * claiming priority over each other throws {@link TableError} naming the
   * first such pair in written order. {@link InstructionTable.build} runs it
   * unless `deferOverlapScan` is set.
   */
  checkOverlaps(): void {
    const { written, beats } = this.table;
    scanOverlaps(this.options.name, written, beats);
  }

  /** A word both entries match, or `undefined` when they are disjoint. */
  static overlapWitness(a: TableEntry, b: TableEntry): number | undefined {
    const { mask: ma, value: va } = a.pattern;
    const { mask: mb, value: vb } = b.pattern;
    if (((va ^ vb) & ma & mb) !== 0) return undefined;
    const cube = { mask: (ma | mb) >>> 0, value: (va | vb) >>> 0 };
    const part = uncovered(cube, [...a.exclusions, ...b.exclusions]);
    return part === undefined ? undefined : part.value >>> 0;
  }

  /** The entry of this name, or `undefined`. */
  entry(name: string): TableEntry | undefined {
    return this.table.byName.get(name);
  }

  /**
   * Whether `word`, built from `entry`'s pattern, decodes back to `entry`:
   * it is not one of its exclusions, and no entry declared to win over it
   * takes it. Any other entry matching the word would be an undeclared
   * overlap, which the overlap check rejects (at build, or in
   * {@link InstructionTable.checkOverlaps} for a deferred scan), so this is
   * `decode(word).entry === entry` without scanning the table.
   */
  private decodesTo(word: number, entry: TableEntry): boolean {
    const w = word >>> 0;
    if (excludes(entry, w)) return false;
    for (const winner of this.table.winners.get(entry) ?? []) {
      if (((w & winner.pattern.mask) >>> 0) === winner.pattern.value && !excludes(winner, w)) return false;
    }
    return true;
  }

  /** The entry a word decodes to, without its field values. */
  private decodeEntry(word: number): TableEntry | undefined {
    const w = word >>> 0;
    for (const entry of this.entries) {
      if (((w & entry.pattern.mask) >>> 0) === entry.pattern.value && !excludes(entry, w)) return entry;
    }
    return undefined;
  }

  /** Decode a word, or `undefined` when no entry matches (the architecture's undefined instruction). */
  decode(word: number): DecodeMatch | undefined {
    const w = word >>> 0;
    const entry = this.decodeEntry(w);
    if (entry === undefined) return undefined;
    const fields: Record<string, number> = {};
    for (const layout of entry.pattern.fields.values()) fields[layout.name] = extractField(w, layout);
    return { entry, fields };
  }

  /** Encode field values with an entry's pattern. Throws {@link TableError} if a value does not fit. */
  encode(entry: TableEntry, fields: FieldValues): number {
    let word = entry.pattern.value;
    for (const layout of entry.pattern.fields.values()) {
      const value = fields[layout.name];
      if (value === undefined) throw new TableError(`${entry.def.name}: field '${layout.name}' has no value`);
      if (!Number.isInteger(value) || value < 0 || value >= 2 ** layout.width) {
        throw new TableError(`${entry.def.name}: field '${layout.name}' value ${value} does not fit ${layout.width} bits`);
      }
      word = insertField(word, layout, value);
    }
    return word >>> 0;
  }

  /** Disassemble a decoded match with its first applicable template. */
  format(match: DecodeMatch, context: FormatContext): string {
    for (const template of match.entry.templates) {
      const text = formatTemplate(template, match.fields, context);
      if (text !== undefined) return text;
    }
    return `.inst 0x${this.encode(match.entry, match.fields).toString(16).padStart(8, '0')}`;
  }

  /**
   * Assemble one instruction line (no label, no comment). Returns the match,
   * or the most useful failure: an operand error from a template whose shape
   * matched, else "bad operands" when a mnemonic matched, else "unknown
   * mnemonic".
   */
  assemble(line: string, context: ParseContext): EncodeMatch | EncodeFailure {
    const text = line.trim();
    const mnemonicWord = /^\S*/.exec(text)![0];
    const candidates = this.candidatesFor(mnemonicWord);
    let operandFailure: EncodeFailure | undefined;
    for (const { entry, template } of candidates) {
      const match = template.quickLine.exec(text);
      if (match === null) continue;
      const result = this.parseTemplate(entry, template, match, context, text);
      if (typeof result === 'number') return { entry, word: result };
      if (result !== undefined && operandFailure === undefined) operandFailure = result;
    }
    if (operandFailure !== undefined) return operandFailure;
    if (candidates.length > 0) {
      const forms = candidates.map(({ template }) => template.text.replace(/\{([a-z0-9_]+)(?::([a-z0-9_,]+))?\}/gi, (_, c: string, f?: string) => `<${f ?? c}>`));
      const shown = [...new Set(forms)].slice(0, 3).join(' | ');
      return { message: `bad operands for '${mnemonicWord}' (expected ${shown})`, offset: mnemonicWord.length + 1 };
    }
    return { message: `unknown mnemonic '${mnemonicWord}'`, offset: 0 };
  }

  /**
   * The templates whose mnemonic matches `word`, in written order. Only
   * they can match a line starting with it (a template's line pattern starts
   * with its mnemonic pattern), so one lookup replaces a scan of the table.
   */
  private candidatesFor(word: string): readonly Candidate[] {
    const key = word.toLowerCase();
    const cached = this.candidates.get(key);
    if (cached !== undefined) return cached;
    const found: Candidate[] = [];
    for (const entry of this.written) for (const template of entry.templates) if (template.mnemonic.test(word)) found.push({ entry, template });
    if (this.candidates.size < CANDIDATE_CACHE_LIMIT) this.candidates.set(key, found);
    return found;
  }

  private parseTemplate(entry: TableEntry, template: CompiledTemplate, match: RegExpExecArray, context: ParseContext, text: string): number | EncodeFailure | undefined {
    const plan = this.planOf(entry, template);
    // Field values by slot (the entry's field order); -1 is "not set yet" (a codec's negative value is no field value either).
    const values = plan.fixed.slice();
    let group = 1;
    for (const { segment, slots } of plan.operands) {
      const captured = match[group] ?? '';
      const index = group;
      group += 1;
      let parsed: readonly number[] | undefined;
      try {
        parsed = segment.codec.parse(captured, context);
      } catch (error) {
        if (error instanceof OperandError) {
          // Only now is the operand's position needed: match again, with indices.
          const start = template.line.exec(text)?.indices?.[index]?.[0] ?? 0;
          return { message: error.message, offset: start + error.offset };
        }
        throw error;
      }
      if (parsed === undefined) return undefined; // another template's text
      if (parsed.length !== slots.length) {
        throw new TableError(`${entry.def.name}: codec '${segment.codecName}' returned ${parsed.length} values for ${slots.length} fields`);
      }
      for (let i = 0; i < parsed.length; i++) {
        const slot = slots[i]!;
        const previous = values[slot]!;
        if (previous !== -1 && previous !== parsed[i]) return undefined; // inconsistent: not this template
        values[slot] = parsed[i]!;
      }
    }
    let word = entry.pattern.value;
    for (let k = 0; k < plan.layouts.length; k++) {
      const layout = plan.layouts[k]!;
      const value = values[k]!;
      if (!Number.isInteger(value) || value < 0 || value >= 2 ** layout.width) return undefined;
      word = insertField(word, layout, value);
    }
    word >>>= 0;
    if (!this.decodesTo(word, entry)) return undefined; // excluded value or shadowed encoding
    return word;
  }

  /** How a template fills its entry's fields, worked out once: field slots per operand and the fixed values. */
  private planOf(entry: TableEntry, template: CompiledTemplate): TemplatePlan {
    const known = this.plans.get(template);
    if (known !== undefined) return known;
    const layouts = [...entry.pattern.fields.values()];
    const slot = new Map(layouts.map((layout, i) => [layout.name, i]));
    const fixed = layouts.map((layout) => template.when[layout.name] ?? -1);
    const operands = template.segments.flatMap((segment) => (segment.kind === 'operand' ? [{ segment, slots: segment.fields.map((f) => slot.get(f)!) }] : []));
    const plan: TemplatePlan = { layouts, fixed, operands };
    this.plans.set(template, plan);
    return plan;
  }
}

/** A template's fields as slots in its entry's field order (see `InstructionTable.planOf`). */
interface TemplatePlan {
  readonly layouts: readonly FieldLayout[];
  readonly fixed: readonly number[];
  readonly operands: readonly { readonly segment: OperandSegment; readonly slots: readonly number[] }[];
}

/** Whether one of `entry`'s exclusions holds `word`. */
function excludes(entry: TableEntry, word: number): boolean {
  for (const hole of entry.exclusions) if (((word & hole.mask) >>> 0) === hole.value) return true;
  return false;
}

function sameWhen(template: CompiledTemplate, fields: FieldValues): boolean {
  for (const [field, value] of Object.entries(template.when)) if (fields[field] !== value) return false;
  return true;
}

function formatTemplate(template: CompiledTemplate, fields: FieldValues, context: FormatContext): string | undefined {
  if (!sameWhen(template, fields)) return undefined;
  let out = '';
  for (const segment of template.segments) {
    if (segment.kind === 'text') {
      out += segment.text;
      continue;
    }
    const text = segment.codec.format(
      segment.fields.map((f) => fields[f]!),
      context,
    );
    if (text === undefined) return undefined;
    out += text;
  }
  return out.replace(/\s+/g, ' ').trim();
}
