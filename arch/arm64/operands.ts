/**
 * A64 operand codecs: the assembly syntax of registers, immediates, shifts,
 * extends, addressing modes, conditions and system registers, in the
 * spelling llvm-mc 14 uses (`-triple=aarch64`).
 *
 * @module
 */

import type { AssemblySyntax } from '../../src/isa/directives.ts';
import { evaluateOperand, EXPRESSION_PATTERN, type ExpressionSyntax, type ExpressionValue } from '../../src/isa/expression.ts';
import { OperandError, type CodecSet, type OperandCodec, type ParseContext } from '../../src/isa/operand.ts';
import { findSysRegister, sysFields, sysKey, SYS_REGISTERS } from './registers.ts';

/** An immediate: `#` and an expression, or an expression that starts like a number. */
const IMM = `(?:#${EXPRESSION_PATTERN}|(?=[-+~\\('\\d])${EXPRESSION_PATTERN})`;

/** Expressions in A64 assembly: `!` is or-not as llvm-mc has it off ARM32; `:lo12:` gives the low 12 bits (ADD after ADRP). */
export const ARM64_EXPRESSIONS: ExpressionSyntax = {
  orNot: true,
  prefixModifiers: {
    lo12: (value) => value & 0xfffn,
  },
};

/**
 * What A64 assembly adds to the common syntax (llvm-mc, GNU as): `.word`
 * is 4 bytes, `.inst` writes an instruction word, `.ltorg`/`.pool` place
 * the literal pool of `ldr xN, =value`; target directives are accepted.
 * Code padding is NOPs (llvm-mc's `AArch64AsmBackend::writeNopData`).
 */
export const ARM64_ASSEMBLY: AssemblySyntax = {
  wordSize: 4,
  expressions: ARM64_EXPRESSIONS,
  literalMarker: '=',
  codeFill: { instruction: 'nop', remainders: [[], [0], [0, 0], [0, 0, 0]] },
  directives: {
    '.arch': { kind: 'ignore', arguments: /^[\w.+-]+$/, expected: 'an architecture name' },
    '.arch_extension': { kind: 'ignore', arguments: /^[\w.+-]+$/, expected: 'an extension name' },
    '.cpu': { kind: 'ignore', arguments: /^[\w.+-]+$/, expected: 'a CPU name' },
    '.inst': { kind: 'data', size: 4 },
    '.ltorg': { kind: 'literal-pool' },
    '.pool': { kind: 'literal-pool' },
  },
};

/** The expression of an operand, without its `#`. */
function operandValue(text: string, context: ParseContext): ExpressionValue {
  const hash = /^\s*#?/.exec(text)![0].length;
  try {
    return evaluateOperand(text.slice(hash), context, ARM64_EXPRESSIONS);
  } catch (error) {
    if (error instanceof OperandError) throw new OperandError(error.message, hash + error.offset);
    throw error;
  }
}

/** The text an error shows for an operand: trimmed, without `#`. */
function shown(text: string): string {
  return text.trim().replace(/^#\s*/, '');
}

/** Parse an immediate expression in `[min, max]` (bigint bounds); throws naming the range. */
export function parseImmediateBig(text: string, context: ParseContext, min: bigint, max: bigint, what = 'immediate'): bigint {
  const result = operandValue(text, context);
  if (result.value < min || result.value > max) throw new OperandError(`${what} ${shown(text)} out of range ${min}..${max}`);
  return result.value;
}

/** Parse an immediate expression in `[min, max]`; throws naming the range. */
export function parseImmediate(text: string, context: ParseContext, min: number, max: number, what = 'immediate'): number {
  return Number(parseImmediateBig(text, context, BigInt(min), BigInt(max), what));
}

function simple(pattern: string, format: OperandCodec['format'], parse: OperandCodec['parse']): OperandCodec {
  return { pattern, format, parse };
}

/** `#0` or `#0x…`: how llvm-mc prints the imm16 of SVC, HVC, SMC and BRK. */
function hex16(value: number): string {
  return value === 0 ? '#0' : `#0x${value.toString(16)}`;
}

/** An unsigned 16-bit immediate printed in hex (exception-generating instructions). */
const imm16: OperandCodec = simple(IMM, ([v]) => hex16(v!), (text, context) => [parseImmediate(text, context, 0, 0xffff)]);

/** A system register by llvm-mc's spelling, or the generic `S<op0>_<op1>_C<n>_C<m>_<op2>` (o0 is op0 - 2). */
export function sysRegisterName(key: number): string {
  const register = findSysRegister(key);
  if (register !== undefined) return register.spelling;
  const [op0, op1, crn, crm, op2] = sysFields(key);
  return `S${op0}_${op1}_C${crn}_C${crm}_${op2}`;
}

const SYS_BY_NAME: ReadonlyMap<string, number> = new Map(SYS_REGISTERS.map((r) => [r.name, sysKey(r.op0, r.op1, r.crn, r.crm, r.op2)]));

/** The key of a system register name (any case), or of a generic name; throws otherwise. */
export function parseSysRegister(text: string): number {
  const name = text.trim().toLowerCase();
  const known = SYS_BY_NAME.get(name);
  if (known !== undefined) return known;
  const generic = /^s([23])_([0-7])_c(\d+)_c(\d+)_([0-7])$/.exec(name);
  if (generic !== null) {
    const crn = Number(generic[3]);
    const crm = Number(generic[4]);
    if (crn <= 15 && crm <= 15) return sysKey(Number(generic[1]), Number(generic[2]), crn, crm, Number(generic[5]));
  }
  throw new OperandError(`unknown system register '${text.trim()}'`);
}

/** A system register operand of MRS/MSR: the 15-bit field o0:op1:CRn:CRm:op2 (bits 19:5). */
const sysreg: OperandCodec = simple(
  '[a-z][a-z0-9_]*',
  ([v]) => sysRegisterName(v! | 0x8000),
  (text) => {
    const key = parseSysRegister(text);
    return [key & 0x7fff];
  },
);


// ---- Registers ---------------------------------------------------------------

/** A register name: x0–x30, w0–w30, xzr, wzr, sp, wsp (and fp = x29, lr = x30). */
const REG = '(?:[xw](?:[12]?\\d|30)|[xw]zr|w?sp|fp|lr)';

/** A parsed register: its width (1 for X, 0 for W), number, and whether it was SP/WSP (31) rather than ZR (31). */
export interface ParsedRegister {
  /** 1 for an X register, 0 for a W register. */
  readonly sf: number;
  /** The register number, 31 for SP and ZR. */
  readonly n: number;
  /** True for SP/WSP, false for ZR and the numbered registers. */
  readonly sp: boolean;
}

/** Parse a register name; throws for anything else. */
export function parseRegister(text: string): ParsedRegister {
  const t = text.trim().toLowerCase();
  if (t === 'sp') return { sf: 1, n: 31, sp: true };
  if (t === 'wsp') return { sf: 0, n: 31, sp: true };
  if (t === 'xzr') return { sf: 1, n: 31, sp: false };
  if (t === 'wzr') return { sf: 0, n: 31, sp: false };
  if (t === 'fp') return { sf: 1, n: 29, sp: false };
  if (t === 'lr') return { sf: 1, n: 30, sp: false };
  const m = /^([xw])(0|[1-9]\d?)$/.exec(t);
  if (m !== null && Number(m[2]) <= 30) return { sf: m[1] === 'x' ? 1 : 0, n: Number(m[2]), sp: false };
  throw new OperandError(`unknown register '${text.trim()}'`);
}

/** The name of register `n` at width `sf`, where 31 is SP (`sp` true) or ZR. */
export function registerName(sf: number, n: number, sp: boolean): string {
  if (n === 31) return sp ? (sf === 1 ? 'sp' : 'wsp') : sf === 1 ? 'xzr' : 'wzr';
  return `${sf === 1 ? 'x' : 'w'}${n}`;
}

/** Parse a register of width `sf` where 31 is SP (`sp`) or ZR; throws naming what is wrong. */
function parseFixed(text: string, sf: number, sp: boolean): number {
  const r = parseRegister(text);
  if (r.sf !== sf) throw new OperandError(`'${text.trim()}' must be a ${sf === 1 ? '64-bit x' : '32-bit w'} register here`);
  if (r.n === 31 && r.sp !== sp) throw new OperandError(`'${text.trim()}' is not allowed here (register 31 is ${sp ? 'sp' : 'zr'} in this form)`);
  return r.n;
}

/** A register of fixed width (`sf` 1: X, 0: W); 31 is SP when `sp`, else ZR. Field: r. */
function fixedRegister(sf: number, sp: boolean): OperandCodec {
  return simple(REG, ([n]) => registerName(sf, n!, sp), (text) => [parseFixed(text, sf, sp)]);
}

/** One register written for two fields that must hold the same number (`cinc`'s Rn = Rm, `ror`'s Rn = Rm); 31 only when `allow31`. Fields: a, b. */
function sameRegister(sf: number, allow31: boolean): OperandCodec {
  return simple(REG, ([a, b]) => (a !== b || (a === 31 && !allow31) ? undefined : registerName(sf, a!, false)), (text) => {
    const n = parseFixed(text, sf, false);
    if (n === 31 && !allow31) return undefined;
    return [n, n];
  });
}

// ---- Immediates ---------------------------------------------------------------

/** A decimal immediate in `[min, max]`. Field: v. */
function decimal(min: number, max: number, what = 'immediate'): OperandCodec {
  return simple(IMM, ([v]) => `#${v}`, (text, context) => [parseImmediate(text, context, min, max, what)]);
}

/** The ADD/SUB immediate: imm12 with an optional `lsl #12` (sh). A value of 4096 or more that is a multiple of 4096 takes the shift, as llvm-mc does. Fields: imm12, sh. */
const arithmeticImmediate: OperandCodec = simple(
  `${IMM}(?:\\s*,\\s*lsl\\s*${IMM})?`,
  ([v, sh]) => `#${v}${sh === 1 ? ', lsl #12' : ''}`,
  (text, context) => {
    const m = /^(.*?)(?:,\s*lsl\s*(#?.*))?$/i.exec(text.trim())!;
    if (m[2] !== undefined) {
      const shift = parseImmediate(m[2], context, 0, 12, 'shift');
      if (shift !== 0 && shift !== 12) throw new OperandError(`shift #${shift} is not 0 or 12`);
      return [parseImmediate(m[1]!, context, 0, 4095), shift === 12 ? 1 : 0];
    }
    const value = parseImmediate(m[1]!, context, -0xff_ffff, 0xff_ffff);
    if (value < 0) return undefined; // the partner row (sub for add) takes a negative immediate
    if (value <= 4095) return [value, 0];
    if ((value & 0xfff) === 0) return [value >>> 12, 1];
    throw new OperandError(`immediate ${shown(m[1]!)} out of range 0..4095 (or a multiple of 4096 up to 0xfff000)`);
  },
);

/** A negative ADD/SUB immediate read as its partner's (`add x0, x1, #-1` is `sub x0, x1, #1`). Assembler only. Fields: imm12, sh. */
const negatedArithmeticImmediate: OperandCodec = simple(
  IMM,
  () => undefined,
  (text, context) => {
    const value = parseImmediate(text, context, -0xff_ffff, 0xff_ffff);
    if (value >= 0) return undefined;
    const magnitude = -value;
    if (magnitude <= 4095) return [magnitude, 0];
    if ((magnitude & 0xfff) === 0 && magnitude >>> 12 <= 4095) return [magnitude >>> 12, 1];
    throw new OperandError(`immediate ${shown(text)} out of range`);
  },
);

/** A 16-bit MOVK/MOVZ/MOVN immediate with its `lsl #16·hw` (absent for 0), in decimal as llvm-mc prints it. Fields: imm16, hw. */
function wideImmediate(bits: number): OperandCodec {
  return simple(
    `${IMM}(?:\\s*,\\s*lsl\\s*${IMM})?`,
    ([v, hw]) => `#${v}${hw === 0 ? '' : `, lsl #${hw! * 16}`}`,
    (text, context) => {
      const m = /^(.*?)(?:,\s*lsl\s*(#?.*))?$/i.exec(text.trim())!;
      const value = parseImmediate(m[1]!, context, 0, 0xffff);
      const shift = m[2] === undefined ? 0 : parseImmediate(m[2], context, 0, bits - 16, 'shift');
      if (shift % 16 !== 0) throw new OperandError(`shift #${shift} is not a multiple of 16`);
      return [value, shift / 16];
    },
  );
}

/** Whether a value (of width `bits`) is one 16-bit chunk at some shift: what MOVZ can make (llvm `isAnyMOVZMovAlias`). */
function movzAble(value: bigint, bits: number): boolean {
  for (let shift = 0; shift <= bits - 16; shift += 16) if ((value & ~(0xffffn << BigInt(shift))) === 0n) return true;
  return false;
}

/** What MOVZ or MOVN can make at width `bits` (llvm `isAnyMOVWMovAlias`). */
function movAble(value: bigint, bits: number): boolean {
  const mask = (1n << BigInt(bits)) - 1n;
  return movzAble(value & mask, bits) || movzAble(~value & mask, bits);
}

/** The value of a `mov xN, #imm` operand, at width `bits` (a 32-bit register takes -2^31..2^32-1). */
function movValue(text: string, context: ParseContext, bits: number): bigint {
  const min = -(1n << BigInt(bits - 1));
  const max = (1n << BigInt(bits)) - 1n;
  return BigInt.asUintN(bits, parseImmediateBig(text, context, min, max));
}

/** The lowest (imm16, hw) that makes `value` with MOVZ at width `bits`, or `undefined`. */
function movzFields(value: bigint, bits: number): [number, number] | undefined {
  for (let hw = 0; hw < bits / 16; hw++) if ((value & ~(0xffffn << BigInt(16 * hw))) === 0n) return [Number((value >> BigInt(16 * hw)) & 0xffffn), hw];
  return undefined;
}

/**
 * The `mov` alias of MOVZ at width `bits`: printed unless the value is 0
 * with a shift (llvm `isMOVZMovAlias`). Fields: imm16, hw.
 */
function movzAlias(bits: number): OperandCodec {
  return simple(
    IMM,
    ([v, hw]) => (v === 0 && hw !== 0 ? undefined : `#${BigInt.asIntN(bits, BigInt(v!) << BigInt(16 * hw!))}`),
    (text, context) => movzFields(movValue(text, context, bits), bits),
  );
}

/** The `mov` alias of MOVN at width `bits`: printed when MOVZ cannot make the value (llvm `isMOVNMovAlias`), signed. Fields: imm16, hw. */
function movnAlias(bits: number): OperandCodec {
  const mask = (1n << BigInt(bits)) - 1n;
  return simple(
    IMM,
    ([v, hw]) => {
      const value = ~(BigInt(v!) << BigInt(16 * hw!)) & mask;
      if (movzAble(value, bits) || (v === 0 && hw !== 0)) return undefined;
      return `#${BigInt.asIntN(bits, value)}`;
    },
    (text, context) => {
      const value = movValue(text, context, bits);
      if (movzAble(value, bits)) return undefined;
      return movzFields(~value & mask, bits);
    },
  );
}

/** The `mov` alias of ORR (immediate) from ZR at width `bits`: printed when MOVZ and MOVN cannot make the value (llvm `isAnyMOVWMovAlias`), signed. Fields: n, immr, imms. */
function orrMovAlias(bits: number): OperandCodec {
  return simple(
    IMM,
    ([n, immr, imms]) => {
      const value = decodeBitMask(n!, immr!, imms!, bits);
      if (value === undefined || movAble(value, bits)) return undefined;
      return `#${BigInt.asIntN(bits, value)}`;
    },
    (text, context) => {
      const value = movValue(text, context, bits);
      if (movAble(value, bits)) return undefined;
      const encoded = encodeBitMask(value, bits);
      if (encoded === undefined) throw new OperandError(`mov: ${shown(text)} is neither a 16-bit chunk (movz/movn) nor a bitmask immediate (orr): use movz and movk`);
      return encoded;
    },
  );
}

/** A value's element of `esize` bits repeated to `bits` (ARM ARM Replicate). */
function replicate(element: bigint, esize: number, bits: number): bigint {
  let out = 0n;
  for (let i = 0; i < bits; i += esize) out |= element << BigInt(i);
  return out;
}

/**
 * DecodeBitMasks for a logical immediate (ARM ARM shared pseudocode,
 * immediate = TRUE): the value at width `bits`, or `undefined` for a
 * reserved encoding (N = 1 at 32 bits, an element of all ones, no element
 * size).
 */
export function decodeBitMask(n: number, immr: number, imms: number, bits: number): bigint | undefined {
  if (bits === 32 && n === 1) return undefined;
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined < 2) return undefined;
  const len = 31 - Math.clz32(combined);
  const levels = (1 << len) - 1;
  const s = imms & levels;
  const r = immr & levels;
  if (s === levels) return undefined;
  const esize = 1 << len;
  const welem = (1n << BigInt(s + 1)) - 1n;
  const emask = (1n << BigInt(esize)) - 1n;
  const rotated = r === 0 ? welem : ((welem >> BigInt(r)) | (welem << BigInt(esize - r))) & emask;
  return replicate(rotated, esize, bits);
}

/** The (N, immr, imms) of a logical immediate value at width `bits`, smallest element first, or `undefined` when it has none. */
export function encodeBitMask(value: bigint, bits: number): [number, number, number] | undefined {
  const mask = (1n << BigInt(bits)) - 1n;
  const v = value & mask;
  if (v === 0n || v === mask) return undefined;
  for (let esize = 2; esize <= bits; esize *= 2) {
    const emask = (1n << BigInt(esize)) - 1n;
    const element = v & emask;
    if (replicate(element, esize, bits) !== v) continue;
    for (let r = 0; r < esize; r++) {
      // Rotating left by r undoes a rotation right by r: the element must then be a run of ones from bit 0.
      const unrotated = r === 0 ? element : ((element << BigInt(r)) | (element >> BigInt(esize - r))) & emask;
      if ((unrotated & (unrotated + 1n)) !== 0n) continue;
      const ones = unrotated.toString(2).length;
      const n = esize === 64 ? 1 : 0;
      const imms = ((~(esize - 1) << 1) & 0x3f) | (ones - 1);
      return [n, r, imms];
    }
    return undefined;
  }
  return undefined;
}

/** A logical immediate at width `bits`, printed in hex as llvm-mc does. Fields: n, immr, imms. */
function logicalImmediate(bits: number): OperandCodec {
  return simple(
    IMM,
    ([n, immr, imms]) => {
      const value = decodeBitMask(n!, immr!, imms!, bits);
      return value === undefined ? undefined : `#0x${value.toString(16)}`;
    },
    (text, context) => {
      const value = movValue(text, context, bits);
      const encoded = encodeBitMask(value, bits);
      if (encoded === undefined) throw new OperandError(`${shown(text)} is not a logical (bitmask) immediate for a ${bits}-bit register`);
      return encoded;
    },
  );
}

/**
 * The inverted logical immediate of the `bic`, `bics`, `orn` and `eon`
 * aliases (llvm-mc accepts `bic x0, x0, #imm` as `and x0, x0, #~imm`, and
 * likewise ANDS, ORR and EOR). Assembler only: the disassembler prints the
 * base instruction, as llvm-mc does. Fields: n, immr, imms.
 */
function invertedLogicalImmediate(bits: number): OperandCodec {
  return simple(
    IMM,
    () => undefined,
    (text, context) => {
      const value = movValue(text, context, bits);
      const inverted = BigInt.asUintN(bits, ~value);
      const encoded = encodeBitMask(inverted, bits);
      if (encoded === undefined) throw new OperandError(`${shown(text)} inverted (0x${inverted.toString(16)}) is not a logical (bitmask) immediate for a ${bits}-bit register`);
      return encoded;
    },
  );
}

/** `#shift` of LSL (immediate), the UBFM alias with imms + 1 = immr (llvm prints it unless imms = bits - 1). Fields: immr, imms. */
function lslShift(bits: number): OperandCodec {
  return simple(
    IMM,
    ([immr, imms]) => (imms !== bits - 1 && imms! + 1 === immr ? `#${bits - 1 - imms!}` : undefined),
    (text, context) => {
      const shift = parseImmediate(text, context, 0, bits - 1, 'shift');
      return [(bits - shift) % bits, bits - 1 - shift];
    },
  );
}

/** `#shift` of ASR/LSR (immediate), the SBFM/UBFM alias with imms = bits - 1. Fields: immr, imms. */
function rightShift(bits: number): OperandCodec {
  return simple(
    IMM,
    ([immr, imms]) => (imms === bits - 1 ? `#${immr}` : undefined),
    (text, context) => [parseImmediate(text, context, 0, bits - 1, 'shift'), bits - 1],
  );
}

const TWO_IMMEDIATES = `${IMM}\\s*,\\s*${IMM}`;

function twoImmediates(text: string, context: ParseContext, bits: number): [number, number] {
  const m = /^(.*?),(.*)$/.exec(text)!;
  return [parseImmediate(m[1]!, context, 0, bits - 1, 'lsb'), parseImmediate(m[2]!, context, 1, bits, 'width')];
}

/** `#lsb, #width` of the extract aliases (SBFX, UBFX, BFXIL: imms ≥ immr). Fields: immr, imms. */
function extractField(bits: number): OperandCodec {
  return simple(
    TWO_IMMEDIATES,
    ([immr, imms]) => (imms! >= immr! ? `#${immr}, #${imms! - immr! + 1}` : undefined),
    (text, context) => {
      const [lsb, width] = twoImmediates(text, context, bits);
      if (lsb + width > bits) throw new OperandError(`lsb ${lsb} + width ${width} exceeds ${bits} bits`);
      return [lsb, lsb + width - 1];
    },
  );
}

/** `#lsb, #width` of the insert aliases (SBFIZ, UBFIZ, BFI: imms < immr). Fields: immr, imms. */
function insertField(bits: number): OperandCodec {
  return simple(
    TWO_IMMEDIATES,
    ([immr, imms]) => (imms! < immr! ? `#${(bits - immr!) % bits}, #${imms! + 1}` : undefined),
    (text, context) => {
      const [lsb, width] = twoImmediates(text, context, bits);
      if (lsb + width > bits) throw new OperandError(`lsb ${lsb} + width ${width} exceeds ${bits} bits`);
      const immr = (bits - lsb) % bits;
      const imms = width - 1;
      // lsb 0 is the extract form (imms ≥ immr), which llvm-mc encodes the same way.
      return [immr, imms];
    },
  );
}

// ---- Shifted and extended registers ---------------------------------------------

const SHIFT_NAMES = ['lsl', 'lsr', 'asr', 'ror'] as const;

/** `xm{, shift #n}`: a shifted register at width `bits` (`ror` only for the logical forms). Fields: rm, shift, imm6. */
function shiftedRegister(bits: number, allowRor: boolean): OperandCodec {
  const sf = bits === 64 ? 1 : 0;
  return simple(
    `${REG}(?:\\s*,\\s*(?:lsl|lsr|asr|ror)\\s*${IMM})?`,
    ([rm, shift, imm6]) => `${registerName(sf, rm!, false)}${shift === 0 && imm6 === 0 ? '' : `, ${SHIFT_NAMES[shift!]} #${imm6}`}`,
    (text, context) => {
      const m = /^(\w+)\s*(?:,\s*(lsl|lsr|asr|ror)\s*(.*))?$/i.exec(text.trim())!;
      const rm = parseFixed(m[1]!, sf, false);
      if (m[2] === undefined) return [rm, 0, 0];
      const shift = SHIFT_NAMES.indexOf(m[2].toLowerCase() as (typeof SHIFT_NAMES)[number]);
      if (shift === 3 && !allowRor) throw new OperandError('ror is not a shift of add/sub (shifted register)');
      return [rm, shift, parseImmediate(m[3]!, context, 0, bits - 1, 'shift amount')];
    },
  );
}

const EXTEND_NAMES = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'] as const;

/**
 * `rm, extend {#n}` of ADD/SUB (extended register) at width `bits`: the
 * register is W unless the extend is UXTX/SXTX (64-bit forms). With `lsl`
 * set, the form llvm-mc prints when SP is an operand and the extend is the
 * register's own width (UXTX at 64, UXTW at 32): `rm{, lsl #n}`. Fields:
 * rm, option, imm3.
 */
function extendedRegister(bits: number, lsl: boolean): OperandCodec {
  const own = bits === 64 ? 3 : 2;
  return simple(
    `${REG}(?:\\s*,\\s*(?:[us]xt[bhwx]|lsl)(?:\\s*${IMM})?)?`,
    ([rm, option, imm3]) => {
      if (lsl) return option === own ? `${registerName(bits === 64 ? 1 : 0, rm!, false)}${imm3 === 0 ? '' : `, lsl #${imm3}`}` : undefined;
      const wide = bits === 64 && (option! & 3) === 3;
      return `${registerName(wide ? 1 : 0, rm!, false)}, ${EXTEND_NAMES[option!]}${imm3 === 0 ? '' : ` #${imm3}`}`;
    },
    (text, context) => {
      const m = /^(\w+)\s*(?:,\s*([a-z]+)\s*(.*))?$/i.exec(text.trim())!;
      const r = parseRegister(m[1]!);
      if (r.sp) throw new OperandError(`'${m[1]}' is not allowed here`);
      const amount = m[3] === undefined || m[3] === '' ? 0 : parseImmediate(m[3], context, 0, 4, 'extend amount');
      const kind = m[2]?.toLowerCase();
      if (kind === undefined || kind === 'lsl') {
        if (!lsl) return undefined;
        if (r.sf !== (bits === 64 ? 1 : 0)) throw new OperandError(`'${m[1]}' must be a ${bits}-bit register with lsl`);
        return [r.n, own, amount];
      }
      if (lsl) return undefined;
      const option = EXTEND_NAMES.indexOf(kind as (typeof EXTEND_NAMES)[number]);
      if (option < 0) throw new OperandError(`unknown extend '${m[2]}'`);
      const wantWide = bits === 64 && (option & 3) === 3;
      if (r.sf !== (wantWide ? 1 : 0)) throw new OperandError(`'${m[1]}' must be a ${wantWide ? 'x' : 'w'} register with ${kind}`);
      return [r.n, option, amount];
    },
  );
}

// ---- Conditions ---------------------------------------------------------------

/** Condition names by number (llvm prints `hs`/`lo`). */
export const CONDITION_NAMES: readonly string[] = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
const CONDITION_CODES = new Map<string, number>([...CONDITION_NAMES.map((n, i): [string, number] => [n, i]), ['cs', 2], ['cc', 3]]);
const COND = `(?:${[...CONDITION_CODES.keys()].join('|')})`;

function parseCondition(text: string): number {
  const code = CONDITION_CODES.get(text.trim().toLowerCase());
  if (code === undefined) throw new OperandError(`unknown condition '${text.trim()}'`);
  return code;
}

/** A condition. Field: cond. */
const condition: OperandCodec = simple(COND, ([c]) => CONDITION_NAMES[c!], (text) => [parseCondition(text)]);

/** The condition of the CINC/CSET-style aliases: written as the inverse of the field, never AL or NV. Field: cond. */
const invertedCondition: OperandCodec = simple(
  COND,
  ([c]) => (c! >= 14 ? undefined : CONDITION_NAMES[c! ^ 1]),
  (text) => {
    const code = parseCondition(text);
    if (code >= 14) throw new OperandError(`condition '${text.trim()}' cannot be inverted here (al/nv)`);
    return [code ^ 1];
  },
);

// ---- PC-relative targets ---------------------------------------------------------

/** A label expression: anything but `#…`, `=…` and `[…]`. */
const LABEL = `(?![#=\\[])${EXPRESSION_PATTERN}`;

/**
 * A PC-relative offset: a constant is the offset itself (`b #8`, as llvm-mc
 * prints and reads it); an address (a label, `.`) is taken relative to the
 * instruction's own address (A64 reads the PC as the instruction's address).
 */
function pcRelative(text: string, context: ParseContext): number {
  const result = operandValue(text, context);
  if (result.modifier !== undefined) throw new OperandError(`':${result.modifier}:' does not go with a PC-relative target`);
  const value = Number(result.value);
  return result.constant ? value : value - context.address;
}

/** A branch or literal target of a `bits`-bit word offset. Field: imm. */
function wordTarget(bits: number): OperandCodec {
  const limit = 2 ** (bits - 1);
  return simple(`${IMM}|${LABEL}`, ([imm]) => `#${((imm! << (32 - bits)) >> (32 - bits)) * 4}`, (text, context) => {
    const offset = pcRelative(text, context);
    if (offset % 4 !== 0) throw new OperandError(`offset ${offset} is not a multiple of 4`);
    if (offset < -limit * 4 || offset >= limit * 4) throw new OperandError(`offset ${offset} out of range ${-limit * 4}..${limit * 4 - 4}`);
    return [(offset / 4) & (2 ** bits - 1)];
  });
}

/** ADR's byte offset (±1 MiB), or ADRP's page offset (±4 GiB, from the instruction's page). Fields: immhi, immlo. */
function adrTarget(page: boolean): OperandCodec {
  return simple(`${IMM}|${LABEL}`, ([hi, lo]) => {
    const value = (((hi! << 2) | lo!) << 11) >> 11;
    return `#${page ? value * 4096 : value}`;
  }, (text, context) => {
    const result = operandValue(text, context);
    let offset: number;
    if (page) {
      const value = Number(result.value);
      offset = result.constant ? value : Math.floor(value / 4096) * 4096 - Math.floor(context.address / 4096) * 4096;
      if (offset % 4096 !== 0) throw new OperandError(`adrp offset ${offset} is not a multiple of 4096`);
      offset /= 4096;
    } else offset = pcRelative(text, context);
    if (offset < -(2 ** 20) || offset >= 2 ** 20) throw new OperandError(`${page ? 'adrp page' : 'adr'} offset ${offset} out of range`);
    const v = offset & 0x1f_ffff;
    return [v >> 2, v & 3];
  });
}

/** A TBZ/TBNZ bit number: `w` registers show bits 0–31 (b5 = 0), `x` registers 32–63. Field: bit. */
function testBit(wide: boolean): OperandCodec {
  return simple(IMM, ([b]) => ((b! >= 32) === wide ? `#${b}` : undefined), (text, context) => [parseImmediate(text, context, 0, wide ? 63 : 31, 'bit number')]);
}

// ---- Addresses ------------------------------------------------------------------------

const ADDRESS = '\\[[^\\]]*\\]\\s*!?';

/** `[xn]` or `[xn, offset…]` split into the base register and the offset text. */
function splitAddress(text: string): { rn: number; rest: string | undefined; writeback: boolean } {
  const m = /^\[\s*(\w+)\s*(?:,\s*(.*?))?\s*\]\s*(!?)$/.exec(text.trim());
  if (m === null) throw new OperandError(`bad address '${text.trim()}'`);
  return { rn: parseFixed(m[1]!, 1, true), rest: m[2], writeback: m[3] === '!' };
}

function baseName(rn: number): string {
  return registerName(1, rn, true);
}

/** `[xn{, #imm}]`: an unsigned offset scaled by 2^scale (12 bits), or a signed unscaled one (`signed9`). Fields: rn, imm. */
function offsetAddress(kind: 'unsigned12' | 'signed9', scale: number): OperandCodec {
  return simple(ADDRESS, ([rn, imm]) => {
    const offset = kind === 'unsigned12' ? imm! << scale : (imm! << 23) >> 23;
    return `[${baseName(rn!)}${offset === 0 ? '' : `, #${offset}`}]`;
  }, (text, context) => {
    const { rn, rest, writeback } = splitAddress(text);
    if (writeback) return undefined;
    const offset = rest === undefined ? 0 : parseImmediate(rest, context, -(2 ** 30), 2 ** 30, 'offset');
    if (kind === 'unsigned12') {
      if (offset < 0 || offset % (1 << scale) !== 0 || offset >> scale > 4095) return undefined; // the unscaled form (ldur) takes it
      return [rn, offset >> scale];
    }
    if (offset < -256 || offset > 255) throw new OperandError(`offset ${offset} out of range -256..255`);
    return [rn, offset & 0x1ff];
  });
}

/** `[xn, #imm]!` (pre-index) or `[xn], #imm` (post-index), a signed offset of `bits` bits scaled by 2^scale. Fields: rn, imm. */
function indexedAddress(mode: 'pre' | 'post', bits: number, scale: number): OperandCodec {
  const limit = 2 ** (bits - 1);
  const pattern = mode === 'pre' ? `\\[[^\\]]*\\]\\s*!` : `\\[[^\\]]*\\]\\s*,\\s*${IMM}`;
  return simple(pattern, ([rn, imm]) => {
    const offset = ((imm! << (32 - bits)) >> (32 - bits)) * (1 << scale);
    return mode === 'pre' ? `[${baseName(rn!)}, #${offset}]!` : `[${baseName(rn!)}], #${offset}`;
  }, (text, context) => {
    let rn: number;
    let offset: number;
    if (mode === 'pre') {
      const a = splitAddress(text);
      rn = a.rn;
      offset = a.rest === undefined ? 0 : parseImmediate(a.rest, context, -(2 ** 30), 2 ** 30, 'offset');
    } else {
      const m = /^(\[[^\]]*\])\s*,\s*(.*)$/.exec(text.trim())!;
      const a = splitAddress(m[1]!);
      if (a.rest !== undefined) throw new OperandError('a post-indexed address is [xn], #imm');
      rn = a.rn;
      offset = parseImmediate(m[2]!, context, -(2 ** 30), 2 ** 30, 'offset');
    }
    if (offset % (1 << scale) !== 0) throw new OperandError(`offset ${offset} is not a multiple of ${1 << scale}`);
    const scaled = offset / (1 << scale);
    if (scaled < -limit || scaled >= limit) throw new OperandError(`offset ${offset} out of range ${-limit * (1 << scale)}..${(limit - 1) * (1 << scale)}`);
    return [rn, scaled & (2 ** bits - 1)];
  });
}

/** `[xn{, #imm}]` of LDP/STP: a signed 7-bit offset scaled by 2^scale. Fields: rn, imm7. */
function pairAddress(scale: number): OperandCodec {
  return simple(ADDRESS, ([rn, imm]) => {
    const offset = ((imm! << 25) >> 25) * (1 << scale);
    return `[${baseName(rn!)}${offset === 0 ? '' : `, #${offset}`}]`;
  }, (text, context) => {
    const { rn, rest, writeback } = splitAddress(text);
    if (writeback) return undefined;
    const offset = rest === undefined ? 0 : parseImmediate(rest, context, -(2 ** 30), 2 ** 30, 'offset');
    if (offset % (1 << scale) !== 0) throw new OperandError(`offset ${offset} is not a multiple of ${1 << scale}`);
    const scaled = offset / (1 << scale);
    if (scaled < -64 || scaled > 63) throw new OperandError(`offset ${offset} out of range ${-64 << scale}..${63 << scale}`);
    return [rn, scaled & 0x7f];
  });
}

/** `[xn]` (exclusives, acquire/release: no offset but an optional `#0`). Field: rn. */
const baseAddress: OperandCodec = simple(ADDRESS, ([rn]) => `[${baseName(rn!)}]`, (text, context) => {
  const { rn, rest, writeback } = splitAddress(text);
  if (writeback) return undefined;
  if (rest !== undefined && parseImmediate(rest, context, 0, 0, 'offset') !== 0) return undefined;
  return [rn];
});

/** `[xn, rm{, extend {#s}}]` (register offset), the amount being 0 or `scale` (S). Fields: rn, rm, option, s. */
function registerAddress(scale: number): OperandCodec {
  return simple(ADDRESS, ([rn, rm, option, s]) => {
    const wide = (option! & 1) === 1;
    const name = registerName(wide ? 1 : 0, rm!, false);
    const amount = s === 1 ? ` #${scale}` : '';
    if (option === 3) return `[${baseName(rn!)}, ${name}${s === 1 ? `, lsl #${scale}` : ''}]`;
    return `[${baseName(rn!)}, ${name}, ${EXTEND_NAMES[option!]}${amount}]`;
  }, (text, context) => {
    const { rn, rest, writeback } = splitAddress(text);
    if (writeback || rest === undefined) return undefined;
    const m = /^(\w+)\s*(?:,\s*([a-z]+)\s*(.*))?$/i.exec(rest);
    if (m === null) return undefined;
    let r: ParsedRegister;
    try {
      r = parseRegister(m[1]!);
    } catch {
      return undefined;
    }
    if (r.sp) throw new OperandError(`'${m[1]}' cannot be an index register`);
    const kind = m[2]?.toLowerCase() ?? 'lsl';
    const option = kind === 'lsl' ? 3 : EXTEND_NAMES.indexOf(kind as (typeof EXTEND_NAMES)[number]);
    if (![2, 3, 6, 7].includes(option)) throw new OperandError(`'${m[2]}' is not an index extend (lsl, uxtw, sxtw, sxtx)`);
    if (r.sf !== (option & 1)) throw new OperandError(`'${m[1]}' must be a ${option & 1 ? 'x' : 'w'} register with ${kind}`);
    let s = 0;
    if (m[3] !== undefined && m[3] !== '') {
      const amount = parseImmediate(m[3], context, 0, 4, 'shift amount');
      if (amount !== 0 && amount !== scale) throw new OperandError(`shift amount #${amount} must be #0 or #${scale} here`);
      s = 1;
      if (scale !== 0 && amount === 0) s = 0;
    } else if (kind === 'lsl' && m[2] !== undefined) throw new OperandError('lsl needs an amount');
    return [rn, r.n, option, s];
  });
}

/** The value of `=expression` (the operand of `ldr xN, =…`). */
function literalValue(text: string, context: ParseContext): ExpressionValue {
  const t = text.trimStart();
  const skip = text.length - t.length + 1;
  try {
    return evaluateOperand(t.slice(1), context, ARM64_EXPRESSIONS);
  } catch (error) {
    if (error instanceof OperandError) throw new OperandError(error.message, skip + error.offset);
    throw error;
  }
}

const LITERAL = `=${EXPRESSION_PATTERN}`;

/**
 * `ldr xN, =constant` as MOVZ when the constant is one 16-bit chunk
 * (llvm-mc's AArch64AsmParser, "ldr =" handling: shift while the value is
 * above 0xffff with 16 trailing zeros). Assembler only. Fields: imm16, hw.
 */
function literalMove(bits: number): OperandCodec {
  return simple(LITERAL, () => undefined, (text, context) => {
    const result = literalValue(text, context);
    if (!result.constant) return undefined;
    let value = BigInt.asUintN(64, result.value);
    let hw = 0;
    while (value > 0xffffn && (value & 0xffffn) === 0n) {
      value >>= 16n;
      hw += 1;
    }
    if (value > 0xffffn || hw * 16 > bits - 16) return undefined;
    return [Number(value), hw];
  });
}

/** `ldr xN, =value` from the literal pool (LDR literal, ±1 MiB). Assembler only. Field: imm19. */
function literalLoad(size: number): OperandCodec {
  return simple(LITERAL, () => undefined, (text, context) => {
    const result = literalValue(text, context);
    if (result.modifier !== undefined) throw new OperandError(`':${result.modifier}:' does not go with ldr, =value`);
    if (context.literal === undefined) throw new OperandError('ldr xN, =value needs the assembler, which keeps the literal pool');
    const limit = 1n << BigInt(size * 8);
    if (result.value >= limit || result.value < -(limit >> 1n)) throw new OperandError(`value ${text.trim().slice(1).trim()} does not fit ${size * 8} bits`);
    const entry = context.literal({ value: result.value, constant: result.constant, size });
    const delta = entry - context.address;
    if (delta % 4 !== 0 || Math.abs(delta) >= 2 ** 20) throw new OperandError(`the literal pool is ${delta} bytes away, out of range (place one nearer with .ltorg)`);
    return [(delta / 4) & 0x7_ffff];
  });
}

// ---- System --------------------------------------------------------------------------

const PRFM_TYPES = ['pld', 'pli', 'pst'];
const PRFM_TARGETS = ['l1', 'l2', 'l3'];
const PRFM_POLICIES = ['keep', 'strm'];

/** PRFM's operation: `pldl1keep` … `pstl3strm`, or `#n` for the unnamed ones. Field: rt. */
const prefetchOperation: OperandCodec = simple('[a-z0-9]+|#\\s*\\d+|\\d+', ([rt]) => {
  const type = PRFM_TYPES[rt! >> 3];
  const target = PRFM_TARGETS[(rt! >> 1) & 3];
  return type === undefined || target === undefined ? `#${rt}` : `${type}${target}${PRFM_POLICIES[rt! & 1]}`;
}, (text, context) => {
  const t = text.trim().toLowerCase();
  const m = /^(pld|pli|pst)(l[123])(keep|strm)$/.exec(t);
  if (m !== null) return [(PRFM_TYPES.indexOf(m[1]!) << 3) | (PRFM_TARGETS.indexOf(m[2]!) << 1) | PRFM_POLICIES.indexOf(m[3]!)];
  if (/^[a-z]/.test(t)) throw new OperandError(`unknown prefetch operation '${text.trim()}'`);
  return [parseImmediate(t, context, 0, 31, 'prefetch operation')];
});

/** The PSTATE fields of MSR (immediate) in Armv8.0: (op1, op2) → llvm-mc's spelling. */
const PSTATE_FIELDS: readonly (readonly [number, number, string])[] = [
  [0, 5, 'SPSel'],
  [3, 6, 'DAIFSet'],
  [3, 7, 'DAIFClr'],
];

/** MSR (immediate)'s PSTATE field. Fields: op1, op2. */
const pstateField: OperandCodec = simple('[a-z]+', ([op1, op2]) => PSTATE_FIELDS.find(([a, b]) => a === op1 && b === op2)?.[2], (text) => {
  const found = PSTATE_FIELDS.find(([, , name]) => name.toLowerCase() === text.trim().toLowerCase());
  if (found === undefined) throw new OperandError(`unknown PSTATE field '${text.trim()}' (SPSel, DAIFSet, DAIFClr)`);
  return [found[0], found[1]];
});

const BARRIER_NAMES = new Map<number, string>([[1, 'oshld'], [2, 'oshst'], [3, 'osh'], [5, 'nshld'], [6, 'nshst'], [7, 'nsh'], [9, 'ishld'], [10, 'ishst'], [11, 'ish'], [13, 'ld'], [14, 'st'], [15, 'sy']]);

/** A DMB/DSB option: its name, or `#n`. Field: crm. */
const barrierOption: OperandCodec = simple('[a-z]+|#\\s*\\d+|\\d+', ([crm]) => BARRIER_NAMES.get(crm!) ?? `#${crm}`, (text, context) => {
  const t = text.trim().toLowerCase();
  for (const [value, name] of BARRIER_NAMES) if (name === t) return [value];
  if (/^[a-z]/.test(t)) throw new OperandError(`unknown barrier option '${text.trim()}'`);
  return [parseImmediate(t, context, 0, 15, 'barrier option')];
});

/** `#n` of an instruction whose default option (15) is written without it (ISB, CLREX). Field: crm. */
const optionalOption: OperandCodec = simple(IMM, ([crm]) => (crm === 15 ? undefined : `#${crm}`), (text, context) => [parseImmediate(text, context, 0, 15, 'option')]);

/** A `cN` register of SYS. Field: crn or crm. */
const controlRegister: OperandCodec = simple('[cC]\\d+', ([c]) => `c${c}`, (text) => {
  const n = Number(text.trim().slice(1));
  if (!Number.isInteger(n) || n > 15) throw new OperandError(`unknown control register '${text.trim()}'`);
  return [n];
});

/** A SYS operation with an alias (DC, IC, AT, TLBI) in Armv8.0, and whether it takes a register. */
export interface SysOperation {
  /** The alias mnemonic. */
  readonly alias: 'dc' | 'ic' | 'at' | 'tlbi';
  /** The operation, lowercase as llvm-mc prints it. */
  readonly name: string;
  /** op1, CRn, CRm, op2. */
  readonly op1: number;
  /** CRn. */
  readonly crn: number;
  /** CRm. */
  readonly crm: number;
  /** op2. */
  readonly op2: number;
  /** Whether it takes Xt. */
  readonly register: boolean;
}

function op(alias: SysOperation['alias'], name: string, op1: number, crn: number, crm: number, op2: number, register: boolean): SysOperation {
  return { alias, name, op1, crn, crm, op2, register };
}

/** The Armv8.0 cache, address-translation and TLB maintenance operations (ARM ARM C5.3, the SYS alias tables). */
export const SYS_OPERATIONS: readonly SysOperation[] = [
  op('ic', 'ialluis', 0, 7, 1, 0, false),
  op('ic', 'iallu', 0, 7, 5, 0, false),
  op('ic', 'ivau', 3, 7, 5, 1, true),
  op('dc', 'zva', 3, 7, 4, 1, true),
  op('dc', 'ivac', 0, 7, 6, 1, true),
  op('dc', 'isw', 0, 7, 6, 2, true),
  op('dc', 'cvac', 3, 7, 10, 1, true),
  op('dc', 'csw', 0, 7, 10, 2, true),
  op('dc', 'cvau', 3, 7, 11, 1, true),
  op('dc', 'civac', 3, 7, 14, 1, true),
  op('dc', 'cisw', 0, 7, 14, 2, true),
  op('at', 's1e1r', 0, 7, 8, 0, true),
  op('at', 's1e1w', 0, 7, 8, 1, true),
  op('at', 's1e0r', 0, 7, 8, 2, true),
  op('at', 's1e0w', 0, 7, 8, 3, true),
  op('at', 's1e2r', 4, 7, 8, 0, true),
  op('at', 's1e2w', 4, 7, 8, 1, true),
  op('at', 's12e1r', 4, 7, 8, 4, true),
  op('at', 's12e1w', 4, 7, 8, 5, true),
  op('at', 's12e0r', 4, 7, 8, 6, true),
  op('at', 's12e0w', 4, 7, 8, 7, true),
  op('tlbi', 'vmalle1is', 0, 8, 3, 0, false),
  op('tlbi', 'vae1is', 0, 8, 3, 1, true),
  op('tlbi', 'aside1is', 0, 8, 3, 2, true),
  op('tlbi', 'vaae1is', 0, 8, 3, 3, true),
  op('tlbi', 'vale1is', 0, 8, 3, 5, true),
  op('tlbi', 'vaale1is', 0, 8, 3, 7, true),
  op('tlbi', 'vmalle1', 0, 8, 7, 0, false),
  op('tlbi', 'vae1', 0, 8, 7, 1, true),
  op('tlbi', 'aside1', 0, 8, 7, 2, true),
  op('tlbi', 'vaae1', 0, 8, 7, 3, true),
  op('tlbi', 'vale1', 0, 8, 7, 5, true),
  op('tlbi', 'vaale1', 0, 8, 7, 7, true),
  op('tlbi', 'ipas2e1is', 4, 8, 0, 1, true),
  op('tlbi', 'ipas2le1is', 4, 8, 0, 5, true),
  op('tlbi', 'alle2is', 4, 8, 3, 0, false),
  op('tlbi', 'vae2is', 4, 8, 3, 1, true),
  op('tlbi', 'alle1is', 4, 8, 3, 4, false),
  op('tlbi', 'vale2is', 4, 8, 3, 5, true),
  op('tlbi', 'vmalls12e1is', 4, 8, 3, 6, false),
  op('tlbi', 'ipas2e1', 4, 8, 4, 1, true),
  op('tlbi', 'ipas2le1', 4, 8, 4, 5, true),
  op('tlbi', 'alle2', 4, 8, 7, 0, false),
  op('tlbi', 'vae2', 4, 8, 7, 1, true),
  op('tlbi', 'alle1', 4, 8, 7, 4, false),
  op('tlbi', 'vale2', 4, 8, 7, 5, true),
  op('tlbi', 'vmalls12e1', 4, 8, 7, 6, false),
];

/** The SYS operation at (op1, CRn, CRm, op2), or `undefined`. */
export function findSysOperation(op1: number, crn: number, crm: number, op2: number): SysOperation | undefined {
  return SYS_OPERATIONS.find((o) => o.op1 === op1 && o.crn === crn && o.crm === crm && o.op2 === op2);
}

/** A DC/IC/AT/TLBI operation name of `alias`, taking a register or not. Fields: op1, crn, crm, op2. */
function sysOperation(alias: SysOperation['alias'], register: boolean): OperandCodec {
  return simple('[a-z0-9]+', ([op1, crn, crm, op2]) => {
    const found = findSysOperation(op1!, crn!, crm!, op2!);
    return found !== undefined && found.alias === alias && found.register === register ? found.name : undefined;
  }, (text) => {
    const found = SYS_OPERATIONS.find((o) => o.alias === alias && o.name === text.trim().toLowerCase());
    if (found === undefined) throw new OperandError(`unknown ${alias} operation '${text.trim()}'`);
    if (found.register !== register) return undefined;
    return [found.op1, found.crn, found.crm, found.op2];
  });
}

/** Every codec the table names. */
export const ARM64_CODECS: CodecSet = {
  imm16,
  hint: simple(
    IMM,
    ([crm, op2]) => `#${(crm! << 3) | op2!}`,
    (text, context) => {
      const n = parseImmediate(text, context, 0, 127, 'hint number');
      return [n >> 3, n & 7];
    },
  ),
  sysreg,
  x: fixedRegister(1, false),
  w: fixedRegister(0, false),
  xsp: fixedRegister(1, true),
  wsp: fixedRegister(0, true),
  xx: sameRegister(1, false),
  ww: sameRegister(0, false),
  imm3: decimal(0, 7),
  imm4: decimal(0, 15),
  imm5: decimal(0, 31),
  imm6: decimal(0, 63),
  aimm: arithmeticImmediate,
  aimmneg: negatedArithmeticImmediate,
  wide64: wideImmediate(64),
  wide32: wideImmediate(32),
  movz64: movzAlias(64),
  movz32: movzAlias(32),
  movn64: movnAlias(64),
  movn32: movnAlias(32),
  orrmov64: orrMovAlias(64),
  orrmov32: orrMovAlias(32),
  limm64: logicalImmediate(64),
  limm32: logicalImmediate(32),
  nlimm64: invertedLogicalImmediate(64),
  nlimm32: invertedLogicalImmediate(32),
  lsl64: lslShift(64),
  lsl32: lslShift(32),
  shr64: rightShift(64),
  shr32: rightShift(32),
  bfx64: extractField(64),
  bfx32: extractField(32),
  bfiz64: insertField(64),
  bfiz32: insertField(32),
  sh64: shiftedRegister(64, false),
  sh32: shiftedRegister(32, false),
  shl64: shiftedRegister(64, true),
  shl32: shiftedRegister(32, true),
  ext64: extendedRegister(64, false),
  ext32: extendedRegister(32, false),
  extlsl64: extendedRegister(64, true),
  extlsl32: extendedRegister(32, true),
  cond: condition,
  invcond: invertedCondition,
  br26: wordTarget(26),
  br19: wordTarget(19),
  br14: wordTarget(14),
  adr: adrTarget(false),
  adrp: adrTarget(true),
  tbit32: testBit(false),
  tbit64: testBit(true),
  uoff0: offsetAddress('unsigned12', 0),
  uoff1: offsetAddress('unsigned12', 1),
  uoff2: offsetAddress('unsigned12', 2),
  uoff3: offsetAddress('unsigned12', 3),
  soff: offsetAddress('signed9', 0),
  pre: indexedAddress('pre', 9, 0),
  post: indexedAddress('post', 9, 0),
  pair2: pairAddress(2),
  pair3: pairAddress(3),
  ppre2: indexedAddress('pre', 7, 2),
  ppre3: indexedAddress('pre', 7, 3),
  ppost2: indexedAddress('post', 7, 2),
  ppost3: indexedAddress('post', 7, 3),
  base: baseAddress,
  roff0: registerAddress(0),
  roff1: registerAddress(1),
  roff2: registerAddress(2),
  roff3: registerAddress(3),
  ldrmov64: literalMove(64),
  ldrmov32: literalMove(32),
  pool8: literalLoad(8),
  pool4: literalLoad(4),
  prfop: prefetchOperation,
  pstate: pstateField,
  barrier: barrierOption,
  option: optionalOption,
  creg: controlRegister,
  dc: sysOperation('dc', true),
  ic: sysOperation('ic', true),
  icn: sysOperation('ic', false),
  at: sysOperation('at', true),
  tlbi: sysOperation('tlbi', true),
  tlbin: sysOperation('tlbi', false),
};
