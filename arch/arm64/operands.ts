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
};
