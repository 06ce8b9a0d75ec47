/**
 * Power ISA operand codecs: registers, immediates, displacements, branch
 * targets, rotate and mask fields, SPR numbers and the extended mnemonics
 * that fold several fields into one operand, in the spelling llvm-mc 14
 * uses (`-triple=powerpc64`): registers print as bare numbers (`3`, not
 * `r3`), relative branch targets as `.+8` / `.-16`, absolute ones as
 * unsigned numbers.
 *
 * The assembler also takes `r3` and `%r3` for registers and `cr2` /
 * `%cr2` for condition-register fields, as GNU as and llvm-mc (with `%`)
 * do.
 *
 * @module
 */

import type { AssemblySyntax } from '../../src/isa/directives.ts';
import { evaluateOperand, EXPRESSION_PATTERN, type ExpressionSyntax, type ExpressionValue } from '../../src/isa/expression.ts';
import { OperandError, type CodecSet, type OperandCodec, type ParseContext } from '../../src/isa/operand.ts';

/** One word of operand text: registers, numbers, names. */
const WORD = '[%\\w]+';
/** An immediate: an expression (`5`, `-1`, `(1 << 5) | 3`, `sym@ha`). */
const IMM = EXPRESSION_PATTERN;
/** A branch target: `.`, `.+8`, `.-8`, a number, `(-8)`, a label, `1f`, or any expression. */
const TARGET = EXPRESSION_PATTERN;

/**
 * The 16-bit halves of a value, as `@l`, `@h`, `@ha` and the 64-bit
 * `@higher`, `@highest` (and their `a` forms, adjusted for a signed low
 * half) give them: the PowerPC ELF ABI's `#lo`, `#hi`, `#ha`, `#higher`,
 * `#highera`, `#highest`, `#highesta`, evaluated as llvm-mc's
 * `PPCMCExpr::evaluateAsInt64` does. `@high` / `@higha` are `@h` / `@ha`
 * without the 32-bit overflow check a relocation would make.
 */
const HALVES: ExpressionSyntax['modifiers'] = {
  l: (v) => v & 0xffffn,
  h: (v) => (v >> 16n) & 0xffffn,
  ha: (v) => ((v + 0x8000n) >> 16n) & 0xffffn,
  high: (v) => (v >> 16n) & 0xffffn,
  higha: (v) => ((v + 0x8000n) >> 16n) & 0xffffn,
  higher: (v) => (v >> 32n) & 0xffffn,
  highera: (v) => ((v + 0x8000n) >> 32n) & 0xffffn,
  highest: (v) => (v >> 48n) & 0xffffn,
  highesta: (v) => ((v + 0x8000n) >> 48n) & 0xffffn,
};

/** Expressions in Power assembly: binary `!` (or-not) as in llvm-mc, and the `@` half operators. */
export const PPC64_EXPRESSIONS: ExpressionSyntax = {
  orNot: true,
  modifiers: HALVES,
  linkerRelocations: ['toc', 'tocbase', 'got', 'plt', 'pcrel', 'notoc', 'local', 'tls', 'tlsgd', 'tlsld', 'tprel', 'dtprel', 'dtpmod', 'got@tprel'],
};

/**
 * What Power assembly adds to the common syntax, after GNU as and llvm-mc
 * (`-triple=powerpc64`): `.word` is 2 bytes and `.llong` 8; `.machine`,
 * `.abiversion` and `.localentry` are accepted and change no bytes here;
 * TOC entries (`.tc`) need a linker. Code padding is NOPs, then zeros
 * (`PPCAsmBackend::writeNopData`).
 */
export const PPC64_ASSEMBLY: AssemblySyntax = {
  wordSize: 2,
  expressions: PPC64_EXPRESSIONS,
  codeFill: { instruction: 'nop' },
  directives: {
    '.machine': { kind: 'ignore', arguments: /^(?:"[\w.+-]*"|[\w.+-]+)$/, expected: 'a machine name (power8, push, pop, "any", …)' },
    '.abiversion': { kind: 'ignore', arguments: /^\d+$/, expected: 'an ABI version number' },
    '.localentry': { kind: 'ignore', arguments: /^[A-Za-z_.$][\w.$]*\s*,\s*\S.*$/, expected: 'SYMBOL, OFFSET' },
    '.llong': { kind: 'data', size: 8 },
    '.tc': { kind: 'reject', reason: 'TOC entries are placed by a linker, which hyplay does not have' },
    '.toc': { kind: 'reject', reason: 'the TOC is placed by a linker, which hyplay does not have' },
  },
};

/** An operand's expression; `what` names it in messages. */
function operandValue(text: string, context: ParseContext): ExpressionValue {
  return evaluateOperand(text, context, PPC64_EXPRESSIONS);
}

function codec(pattern: string, format: OperandCodec['format'], parse: OperandCodec['parse']): OperandCodec {
  return { pattern, format, parse };
}

/** Parse a GPR: `3`, `r3` or `%r3`. Throws naming the text. */
export function parseGpr(text: string): number {
  const t = text.trim();
  const match = /^%?r?(\d+)$/i.exec(t);
  if (match === null) throw new OperandError(`unknown register '${t}'`);
  const n = Number(match[1]);
  if (n > 31) throw new OperandError(`unknown register '${t}' (GPRs are 0..31)`);
  return n;
}

/** Parse a CR field: `2`, `cr2` or `%cr2`. */
export function parseCrField(text: string): number {
  const t = text.trim();
  const match = /^%?(?:cr)?(\d+)$/i.exec(t);
  if (match === null) throw new OperandError(`unknown condition register field '${t}'`);
  const n = Number(match[1]);
  if (n > 7) throw new OperandError(`unknown condition register field '${t}' (CR fields are 0..7)`);
  return n;
}

/** Bit within a CR field by its name (Book I 2.3.1): lt, gt, eq, and so (or un). */
export const CR_BIT_NAMES: Readonly<Record<string, number>> = { lt: 0, gt: 1, eq: 2, so: 3, un: 3 };

/** Parse a CR bit: a number, `4*cr2+eq`, or a bare `eq` (CR0). */
export function parseCrBit(text: string, context: ParseContext): number {
  const t = text.trim().toLowerCase().replace(/\s+/g, '');
  const named = CR_BIT_NAMES[t];
  if (named !== undefined) return named;
  const expression = /^4\*%?cr([0-7])\+(lt|gt|eq|so|un)$/.exec(t);
  if (expression !== null) return 4 * Number(expression[1]) + CR_BIT_NAMES[expression[2]!]!;
  return parseImmediate(t, context, 0, 31, 'condition register bit');
}

/**
 * Parse an immediate expression in `[min, max]`; throws naming the range.
 * With `half`, an operand with an `@` half operator (`sym@l`, `x@ha`) is
 * taken as its 16 bits, whatever the field's signedness, as llvm-mc does.
 */
export function parseImmediate(text: string, context: ParseContext, min: number, max: number, what = 'immediate', half = false): number {
  const t = text.trim();
  const result = operandValue(text, context);
  if (result.modifier !== undefined) {
    if (!half) throw new OperandError(`'@${result.modifier}' gives a 16-bit half, which this ${what} does not take`);
    return Number(result.value) & 0xffff;
  }
  if (result.value < BigInt(min) || result.value > BigInt(max)) throw new OperandError(`${what} ${t} out of range ${min}..${max}`);
  return Number(result.value);
}

/** Two's-complement value of the low `bits` bits. */
export function signExtend(value: number, bits: number): number {
  const shift = 32 - bits;
  return (value << shift) >> shift;
}

const gpr = codec(WORD, ([n]) => `${n}`, (text, context) => [parseGpr(text)]);

/** Two fields that must name the same GPR (`mr rA, rS` is `or rA, rS, rS`). */
const gprPair = codec(
  WORD,
  ([a, b]) => (a === b ? `${a}` : undefined),
  (text, context) => {
    const n = parseGpr(text);
    return [n, n];
  },
);

const crField = codec(WORD, ([n]) => `${n}`, (text, context) => [parseCrField(text)]);

const crBit = codec('[%\\w*+]+', ([n]) => `${n}`, (text, context) => [parseCrBit(text, context)]);

/** Two CR-bit fields that must name the same bit (`crmove bx, by` is `cror bx, by, by`). */
const crBitPair = codec(
  '[%\\w*+]+',
  ([a, b]) => (a === b ? `${a}` : undefined),
  (text, context) => {
    const n = parseCrBit(text, context);
    return [n, n];
  },
);

/** Three CR-bit fields that must name the same bit (`crclr bx` is `crxor bx, bx, bx`). */
const crBitTriple = codec(
  '[%\\w*+]+',
  ([a, b, c]) => (a === b && b === c ? `${a}` : undefined),
  (text, context) => {
    const n = parseCrBit(text, context);
    return [n, n, n];
  },
);

function unsigned(bits: number, what = 'immediate'): OperandCodec {
  const max = 2 ** bits - 1;
  return codec(IMM, ([v]) => `${v}`, (text, context) => [parseImmediate(text, context, 0, max, what, bits === 16)]);
}

/** A 16-bit signed immediate, printed signed. */
const si16 = codec(
  IMM,
  ([v]) => `${signExtend(v!, 16)}`,
  (text, context) => [parseImmediate(text, context, -0x8000, 0x7fff, 'immediate', true) & 0xffff],
);

/** A 16-bit immediate written signed or unsigned (addis, lis), printed signed as llvm does. */
const si17 = codec(
  IMM,
  ([v]) => `${signExtend(v!, 16)}`,
  (text, context) => [parseImmediate(text, context, -0x8000, 0xffff, 'immediate', true) & 0xffff],
);

/** The negation of a signed 16-bit immediate (`subi rD, rA, v` is `addi rD, rA, -v`). Assembler only. */
const negSi16 = codec(
  IMM,
  () => undefined,
  (text, context) => [-parseImmediate(text, context, -0x7fff, 0x8000) & 0xffff],
);

/** As {@link negSi16} for `subis`. Assembler only. */
const negSi17 = codec(
  IMM,
  () => undefined,
  (text, context) => [-parseImmediate(text, context, -0xffff, 0x8000) & 0xffff],
);

function splitDisplacement(text: string): { displacement: string; base: string } {
  const match = /^(.*?)\s*\(\s*([%\w]+)\s*\)$/.exec(text.trim());
  if (match === null) throw new OperandError(`bad address '${text.trim()}' (expected d(rA))`);
  return { displacement: match[1] === '' ? '0' : match[1]!, base: match[2]! };
}

/** Error offsets of a displacement's expression, counted from the operand's start. */
function inDisplacement<T>(text: string, displacement: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof OperandError) throw new OperandError(error.message, Math.max(0, text.indexOf(displacement)) + error.offset);
    throw error;
  }
}

/** `d(rA)` of the D-form loads and stores: fields d, ra. */
const displacement = codec(
  `(?:${IMM})?\\s*\\(\\s*${WORD}\\s*\\)`,
  ([d, ra]) => `${signExtend(d!, 16)}(${ra})`,
  (text, context) => {
    const { displacement, base } = splitDisplacement(text);
    const d = inDisplacement(text, displacement, () => parseImmediate(displacement, context, -0x8000, 0x7fff, 'displacement', true));
    return [d & 0xffff, parseGpr(base)];
  },
);

/** `ds(rA)` of the DS-form loads and stores: the field holds the displacement divided by 4. */
const dsDisplacement = codec(
  `(?:${IMM})?\\s*\\(\\s*${WORD}\\s*\\)`,
  ([ds, ra]) => `${signExtend(ds!, 14) * 4}(${ra})`,
  (text, context) => {
    const { displacement, base } = splitDisplacement(text);
    const d = inDisplacement(text, displacement, () => parseImmediate(displacement, context, -0x8000, 0x7ffc, 'displacement', true));
    if (d % 4 !== 0) throw new OperandError(`displacement ${displacement.trim()} is not a multiple of 4`);
    return [(d >> 2) & 0x3fff, parseGpr(base)];
  },
);

function formatRelative(offset: number): string {
  return offset < 0 ? `.-${-offset}` : `.+${offset}`;
}

/**
 * A branch displacement from the text: a constant is the displacement itself
 * (`.+8` and `1f` are addresses; a bare `8` is what llvm-mc takes as the
 * displacement), an address is taken relative to the instruction.
 */
function parseRelative(text: string, context: ParseContext, bits: number): number {
  const t = text.trim();
  const result = operandValue(text, context);
  if (result.modifier !== undefined) throw new OperandError(`'@${result.modifier}' does not go with a branch target`);
  const value = Number(result.value);
  const offset = result.constant ? value : value - context.address;
  const limit = 2 ** (bits + 1);
  if (offset % 4 !== 0) throw new OperandError(`branch offset ${offset} is not a multiple of 4`);
  if (offset < -limit || offset >= limit) throw new OperandError(`branch target ${t} out of range (offset ${offset}, limit ±${limit})`);
  return (offset / 4) & (2 ** bits - 1);
}

function parseAbsolute(text: string, context: ParseContext, bits: number): number {
  const t = text.trim();
  const result = operandValue(text, context);
  if (result.modifier !== undefined) throw new OperandError(`'@${result.modifier}' does not go with a branch target`);
  const value = Number(result.value);
  const span = 2 ** (bits + 2);
  if (value % 4 !== 0) throw new OperandError(`branch target ${t} is not a multiple of 4`);
  if (value < -span / 2 || value >= span) throw new OperandError(`absolute branch target ${t} out of range`);
  return (value / 4) & (2 ** bits - 1);
}

function relativeTarget(bits: number): OperandCodec {
  return codec(
    TARGET,
    ([v]) => formatRelative(signExtend(v!, bits) * 4),
    (text, context) => [parseRelative(text, context, bits)],
  );
}

function absoluteTarget(bits: number): OperandCodec {
  return codec(
    TARGET,
    ([v]) => `${v! * 4}`,
    (text, context) => [parseAbsolute(text, context, bits)],
  );
}

/** A 6-bit shift split as sh5 (high, one bit) and sh0:4 (the MD/XS forms). Fields: high, low. */
const six = codec(
  IMM,
  ([high, low]) => `${(high! << 5) | low!}`,
  (text, context) => {
    const v = parseImmediate(text, context, 0, 63);
    return [v >> 5, v & 31];
  },
);

/** Fields of a 6-bit value split high bit / low five bits, from the value. */
function split6(v: number): [number, number] {
  return [(v >> 5) & 1, v & 31];
}

/** `sldi rA, rS, n` = rldicr rA, rS, n, 63-n. Fields: shh, shl, meh, mel. */
const sldi = codec(
  IMM,
  ([shh, shl, meh, mel]) => {
    const sh = (shh! << 5) | shl!;
    return ((meh! << 5) | mel!) === 63 - sh ? `${sh}` : undefined;
  },
  (text, context) => {
    const n = parseImmediate(text, context, 0, 63);
    return [...split6(n), ...split6(63 - n)];
  },
);

/** `srdi rA, rS, n` = rldicl rA, rS, 64-n, n (n = 1..63; 0 gives sh = 0). Assembler only (llvm prints rldicl). */
const srdi = codec(
  IMM,
  () => undefined,
  (text, context) => {
    const n = parseImmediate(text, context, 0, 63);
    return [...split6((64 - n) & 63), ...split6(n)];
  },
);

/** `rotrdi rA, rS, n` = rotldi rA, rS, 64-n. Fields: shh, shl. Assembler only. */
const rotrdi = codec(
  IMM,
  () => undefined,
  (text, context) => split6((64 - parseImmediate(text, context, 0, 63)) & 63),
);

/** `clrrdi rA, rS, n` = rldicr rA, rS, 0, 63-n. Fields: meh, mel. Assembler only. */
const clrrdi = codec(
  IMM,
  () => undefined,
  (text, context) => split6(63 - parseImmediate(text, context, 0, 63)),
);

/** Two immediates `n, b` as one operand. */
const PAIR = `${IMM}\\s*,\\s*${IMM}`;

function parsePair(text: string, context: ParseContext, what: [string, string], ranges: [[number, number], [number, number]]): [number, number] {
  const [a, b] = text.split(',');
  return [parseImmediate(a!, context, ranges[0][0], ranges[0][1], what[0]), parseImmediate(b!, context, ranges[1][0], ranges[1][1], what[1])];
}

/** `extldi rA, rS, n, b` = rldicr rA, rS, b, n-1. Fields: shh, shl, meh, mel. Assembler only. */
const extldi = codec(PAIR, () => undefined, (text, context) => {
  const [n, b] = parsePair(text, context, ['length', 'bit'], [[1, 64], [0, 63]]);
  return [...split6(b), ...split6(n - 1)];
});

/** `extrdi rA, rS, n, b` = rldicl rA, rS, b+n, 64-n. Fields: shh, shl, mbh, mbl. Assembler only. */
const extrdi = codec(PAIR, () => undefined, (text, context) => {
  const [n, b] = parsePair(text, context, ['length', 'bit'], [[1, 64], [0, 63]]);
  if (b + n > 64) throw new OperandError(`extrdi: bit ${b} + length ${n} exceeds 64`);
  return [...split6((b + n) & 63), ...split6(64 - n)];
});

/** `insrdi rA, rS, n, b` = rldimi rA, rS, 64-(b+n), b. Fields: shh, shl, mbh, mbl. Assembler only. */
const insrdi = codec(PAIR, () => undefined, (text, context) => {
  const [n, b] = parsePair(text, context, ['length', 'bit'], [[1, 64], [0, 63]]);
  if (b + n > 64) throw new OperandError(`insrdi: bit ${b} + length ${n} exceeds 64`);
  return [...split6((64 - (b + n)) & 63), ...split6(b)];
});

/** `clrlsldi rA, rS, b, n` = rldic rA, rS, n, b-n. Fields: shh, shl, mbh, mbl. Assembler only. */
const clrlsldi = codec(PAIR, () => undefined, (text, context) => {
  const [b, n] = parsePair(text, context, ['bit', 'shift'], [[0, 63], [0, 63]]);
  if (n > b) throw new OperandError(`clrlsldi: shift ${n} exceeds bit ${b}`);
  return [...split6(n), ...split6(b - n)];
});

/** `slwi rA, rS, n` = rlwinm rA, rS, n, 0, 31-n. Fields: sh, mb, me. llvm prints it for rlwinm (ISA: PPCInstPrinter). */
const slwi = codec(
  IMM,
  ([sh, mb, me]) => (mb === 0 && me === 31 - sh! ? `${sh}` : undefined),
  (text, context) => {
    const n = parseImmediate(text, context, 0, 31);
    return [n, 0, 31 - n];
  },
);

/** `srwi rA, rS, n` = rlwinm rA, rS, 32-n, n, 31 (n = 1..31). Fields: sh, mb, me. */
const srwi = codec(
  IMM,
  ([sh, mb, me]) => (sh! >= 1 && mb === 32 - sh! && me === 31 ? `${32 - sh!}` : undefined),
  (text, context) => {
    const n = parseImmediate(text, context, 0, 31);
    return [(32 - n) & 31, n, 31];
  },
);

/** `rotrwi rA, rS, n` = rotlwi rA, rS, 32-n. Field: sh. Assembler only. */
const rotrwi = codec(IMM, () => undefined, (text, context) => [(32 - parseImmediate(text, context, 0, 31)) & 31]);

/** `clrrwi rA, rS, n` = rlwinm rA, rS, 0, 0, 31-n. Field: me. Assembler only. */
const clrrwi = codec(IMM, () => undefined, (text, context) => [31 - parseImmediate(text, context, 0, 31)]);

/** `extlwi rA, rS, n, b` = rlwinm rA, rS, b, 0, n-1. Fields: sh, mb, me. Assembler only. */
const extlwi = codec(PAIR, () => undefined, (text, context) => {
  const [n, b] = parsePair(text, context, ['length', 'bit'], [[1, 32], [0, 31]]);
  return [b, 0, n - 1];
});

/** `extrwi rA, rS, n, b` = rlwinm rA, rS, b+n, 32-n, 31. Fields: sh, mb, me. Assembler only. */
const extrwi = codec(PAIR, () => undefined, (text, context) => {
  const [n, b] = parsePair(text, context, ['length', 'bit'], [[1, 32], [0, 31]]);
  if (b + n > 32) throw new OperandError(`extrwi: bit ${b} + length ${n} exceeds 32`);
  return [(b + n) & 31, 32 - n, 31];
});

/** `inslwi rA, rS, n, b` = rlwimi rA, rS, 32-b, b, b+n-1. Fields: sh, mb, me. Assembler only. */
const inslwi = codec(PAIR, () => undefined, (text, context) => {
  const [n, b] = parsePair(text, context, ['length', 'bit'], [[1, 32], [0, 31]]);
  if (b + n > 32) throw new OperandError(`inslwi: bit ${b} + length ${n} exceeds 32`);
  return [(32 - b) & 31, b, b + n - 1];
});

/** `insrwi rA, rS, n, b` = rlwimi rA, rS, 32-(b+n), b, b+n-1. Fields: sh, mb, me. Assembler only. */
const insrwi = codec(PAIR, () => undefined, (text, context) => {
  const [n, b] = parsePair(text, context, ['length', 'bit'], [[1, 32], [0, 31]]);
  if (b + n > 32) throw new OperandError(`insrwi: bit ${b} + length ${n} exceeds 32`);
  return [(32 - (b + n)) & 31, b, b + n - 1];
});

/** The record bit as the `.` suffix. */
const dot = codec('\\.?', ([rc]) => (rc === 1 ? '.' : ''), (text, context) => [text === '.' ? 1 : 0]);

/** The OE bit as the `o` suffix. */
const overflow = codec('o?', ([oe]) => (oe === 1 ? 'o' : ''), (text, context) => [text.toLowerCase() === 'o' ? 1 : 0]);

/** An SPR number split as spr5:9 (the low half of the number, bits 11:15) and spr0:4. Fields: high, low. */
const sprNumber = codec(
  IMM,
  ([high, low]) => `${(high! << 5) | low!}`,
  (text, context) => {
    const n = parseImmediate(text, context, 0, 1023, 'SPR number');
    return [n >> 5, n & 31];
  },
);

/**
 * The SPR names llvm-mc 14 prints in `mfXXX` / `mtXXX` (found by
 * disassembling every SPR number), by number. The BAT registers, which
 * llvm prints with an index operand, are left out: they print as
 * `mfspr`/`mtspr`.
 */
const SPR_PRINTED: Readonly<Record<number, string>> = {
  1: 'xer', 3: 'udscr', 8: 'lr', 9: 'ctr', 13: 'uamr', 17: 'dscr', 18: 'dsisr', 19: 'dar', 22: 'dec', 25: 'sdr1', 26: 'srr0', 27: 'srr1',
  28: 'cfar', 29: 'amr', 48: 'pid', 280: 'asr', 512: 'spefscr', 896: 'ppr', 980: 'esr', 981: 'dear', 986: 'tcr', 988: 'tbhi', 989: 'tblo',
  990: 'srr2', 991: 'srr3', 1018: 'dccr', 1019: 'iccr',
};
/** Names printed only for mfspr. */
const SPR_PRINTED_MF: Readonly<Record<number, string>> = { 4: 'rtcu', 5: 'rtcl', 287: 'pvr' };
/** Names printed only for mtspr. */
const SPR_PRINTED_MT: Readonly<Record<number, string>> = { 284: 'tbl', 285: 'tbu' };
/** Names llvm-mc accepts but never prints (SPRG0–3 are printed as mfspr/mtspr 272–275). */
const SPR_ACCEPTED: Readonly<Record<string, number>> = { sprg0: 272, sprg1: 273, sprg2: 274, sprg3: 275, vrsave: 256 };

function sprNameCodec(direction: 'mf' | 'mt'): OperandCodec {
  const printed = new Map<number, string>(Object.entries({ ...SPR_PRINTED, ...(direction === 'mf' ? SPR_PRINTED_MF : SPR_PRINTED_MT) }).map(([n, name]) => [Number(n), name]));
  const accepted = new Map<string, number>([...[...printed].map(([n, name]): [string, number] => [name, n]), ...Object.entries(SPR_ACCEPTED)]);
  const names = [...accepted.keys()].sort((a, b) => b.length - a.length);
  return codec(
    `(?:${names.join('|')})`,
    ([high, low]) => printed.get((high! << 5) | low!),
    (text) => {
      const n = accepted.get(text.toLowerCase());
      if (n === undefined) throw new OperandError(`unknown SPR name '${text}'`);
      return [n >> 5, n & 31];
    },
  );
}

/** `mfsprg rD, n` / `mtsprg n, rS`: SPRG0–3 are SPRs 272–275. Fields: high, low. Assembler only. */
const sprgIndex = codec(
  IMM,
  () => undefined,
  (text, context) => {
    const n = 272 + parseImmediate(text, context, 0, 3, 'SPRG number');
    return [n >> 5, n & 31];
  },
);

/** An FXM mask with exactly one bit set (mtocrf, mfocrf). */
const oneField = codec(
  IMM,
  ([v]) => (v !== 0 && (v! & (v! - 1)) === 0 ? `${v}` : undefined),
  (text, context) => {
    const v = parseImmediate(text, context, 1, 128, 'field mask');
    if ((v & (v - 1)) !== 0) throw new OperandError(`field mask ${text.trim()} must have exactly one bit set`);
    return [v];
  },
);

/**
 * TO values of the trap mnemonics (Book I appendix C.6): the names llvm-mc
 * prints, then the ones it only accepts.
 */
const TRAP_PRINTED: Readonly<Record<number, string>> = { 16: 'lt', 8: 'gt', 4: 'eq', 2: 'llt', 1: 'lgt', 24: 'ne', 31: 'u' };
const TRAP_ACCEPTED: Readonly<Record<string, number>> = { lt: 16, le: 20, eq: 4, ge: 12, gt: 8, nl: 12, ne: 24, ng: 20, llt: 2, lle: 6, lge: 5, lgt: 1, lnl: 5, lng: 6, u: 31 };

const trapCondition = codec(
  `(?:${Object.keys(TRAP_ACCEPTED).sort((a, b) => b.length - a.length).join('|')})`,
  ([to]) => TRAP_PRINTED[to!],
  (text, context) => [TRAP_ACCEPTED[text.toLowerCase()]!],
);

/**
 * A CR field standing for one bit of it in the conditional-branch mnemonics
 * (`beq cr2, …` tests bit 4*2+2). Assembler only: llvm-mc prints those
 * branches as `bt`/`bf` with the bit number.
 */
function crFieldBit(bit: number): OperandCodec {
  return codec(WORD, () => undefined, (text, context) => [4 * parseCrField(text) + bit]);
}

/** The codecs the ppc64 table's templates name. */
export const PPC64_CODECS: CodecSet = {
  gpr,
  gprpair: gprPair,
  crf: crField,
  crbit: crBit,
  crbitpair: crBitPair,
  crbittriple: crBitTriple,
  u1: unsigned(1),
  u2: unsigned(2),
  u5: unsigned(5),
  u7: unsigned(7),
  u8: unsigned(8, 'field mask'),
  si16,
  si17,
  ui16: unsigned(16),
  negsi16: negSi16,
  negsi17: negSi17,
  disp: displacement,
  ds: dsDisplacement,
  rel24: relativeTarget(24),
  abs24: absoluteTarget(24),
  rel14: relativeTarget(14),
  abs14: absoluteTarget(14),
  six,
  sldi,
  srdi,
  rotrdi,
  clrrdi,
  extldi,
  extrdi,
  insrdi,
  clrlsldi,
  slwi,
  srwi,
  rotrwi,
  clrrwi,
  extlwi,
  extrwi,
  inslwi,
  insrwi,
  dot,
  o: overflow,
  spr: sprNumber,
  sprmf: sprNameCodec('mf'),
  sprmt: sprNameCodec('mt'),
  sprg: sprgIndex,
  fxm1: oneField,
  tocond: trapCondition,
  crlt: crFieldBit(0),
  crgt: crFieldBit(1),
  creq: crFieldBit(2),
  crso: crFieldBit(3),
};
