/**
 * Assembly expressions: every operator, precedence and literal form, pinned
 * to the values llvm-mc 14 gives (checked live below where llvm-mc is
 * installed, by assembling each expression as a `.quad`), and the errors
 * for malformed ones at the offending character.
 */

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ARM32_EXPRESSIONS } from '../../arch/arm32/operands.ts';
import { PPC64_EXPRESSIONS } from '../../arch/ppc64/operands.ts';
import { evaluateExpression, PLAIN_EXPRESSIONS, type ExpressionScope, type ExpressionSyntax } from '../../src/isa/expression.ts';
import { OperandError } from '../../src/isa/operand.ts';
import { llvmMcAvailable } from '../support/llvm-mc.ts';

const available = llvmMcAvailable();
if (!available) console.warn('expression.test.ts: llvm-mc is not on PATH; the live llvm-mc comparison is skipped (the pinned values still run)');

/** Symbols the cases use: two constants and two addresses, at location 0x100. */
const SCOPE: ExpressionScope = {
  location: 0x100,
  lookup: (name) =>
    ({
      five: { value: 5n, constant: true },
      big: { value: 0x1234_5678_9abc_def0n, constant: true },
      start: { value: 0x40n, constant: false },
      end: { value: 0x80n, constant: false },
    })[name],
};

/** [expression, value as llvm-mc 14 evaluates it]. The symbols are defined as in {@link SCOPE} for the live check. */
const CASES: readonly (readonly [string, bigint])[] = [
  ['0', 0n],
  ['42', 42n],
  ['0x2a', 42n],
  ['0X2A', 42n],
  ['0b101010', 42n],
  ['0B11', 3n],
  ['052', 42n], // a leading 0 is octal
  ['18446744073709551615', -1n], // 2^64 - 1 wraps to -1
  ["'a'", 97n],
  ["'\\n'", 10n],
  ["'\\t'", 9n],
  ["'\\b'", 8n],
  ["'\\f'", 12n],
  ["'\\r'", 13n],
  ["'\\''", 39n],
  ["'\\\\'", 92n],
  ["'\\0'", 48n], // llvm-mc reads \0 in a character literal as '0'
  ["' '", 32n],
  ["','", 44n],
  ['-5', -5n],
  ['~0', -1n],
  ['!0', 1n],
  ['!5', 0n],
  ['+7', 7n],
  ['- -3', 3n],
  ['1 + 2 * 3', 7n],
  ['2 * 3 + 1', 7n],
  ['10 - 2 - 3', 5n], // left to right
  ['100 / 7 / 2', 7n],
  ['-5 / 2', -2n], // truncates toward zero
  ['-5 % 3', -2n],
  ['1 << 2 + 1', 5n], // << binds tighter than +
  ['4 + 1 & 2', 4n], // & binds tighter than + (GNU as and llvm-mc, unlike C)
  ['1 | 2 + 4', 7n],
  ['(1 << 5) | 3', 35n],
  ['6 ^ 3', 5n],
  ['0xf0 & 0x3c', 0x30n],
  ['-8 >> 1', 0x7fff_ffff_ffff_fffcn], // >> is a logical shift
  ['1 << 63 >> 62', 2n],
  ['1 == 1', -1n], // true is -1
  ['1 != 2', -1n],
  ['5 <> 5', 0n],
  ['1 < 2', -1n],
  ['2 > 3', 0n],
  ['3 >= 3', -1n],
  ['2 <= 1', 0n],
  ['3 == 3 + 5', 0n], // comparisons bind looser than + in llvm-mc
  ['1 && 2', 1n],
  ['0 || 3', 1n],
  ['0 && 1 || 1', 1n],
  ['five * 2', 10n],
  ['end - start', 0x40n],
  ['end - .', -0x80n],
  ['. + 8', 0x108n],
  ['big >> 32', 0x1234_5678n],
  ['((((1))))', 1n],
];

function value(text: string, syntax: ExpressionSyntax = PLAIN_EXPRESSIONS): bigint {
  return evaluateExpression(text, SCOPE, syntax).value;
}

function error(text: string, syntax: ExpressionSyntax = PLAIN_EXPRESSIONS): string {
  try {
    evaluateExpression(text, SCOPE, syntax);
  } catch (e) {
    if (e instanceof OperandError) return `${e.offset}: ${e.message}`;
    throw e;
  }
  throw new Error(`'${text}' evaluated`);
}

describe('expressions', () => {
  it.each(CASES)('%s = %s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it('says whether only constants went in (llvm-mc folds those at parse time)', () => {
    expect(evaluateExpression('five + 1', SCOPE).constant).toBe(true);
    expect(evaluateExpression("(1 << 5) | 'a'", SCOPE).constant).toBe(true);
    expect(evaluateExpression('end - start', SCOPE).constant).toBe(false);
    expect(evaluateExpression('.', SCOPE).constant).toBe(false);
  });

  it('has binary ! (or-not) except on ARM, where llvm-mc keeps ! for writeback', () => {
    expect(value('1 ! 2', PPC64_EXPRESSIONS)).toBe(-3n);
    expect(error('1 ! 2', ARM32_EXPRESSIONS)).toBe("2: unexpected '!' in expression");
    expect(value('!0', ARM32_EXPRESSIONS)).toBe(1n); // unary ! stays
  });

  it('applies PowerPC @ operators to the whole expression, as llvm-mc does', () => {
    const cases: readonly (readonly [string, bigint])[] = [
      ['0x12345678@l', 0x5678n],
      ['0x12345678@h', 0x1234n],
      ['0x12348000@ha', 0x1235n],
      ['0x12347fff@ha', 0x1234n],
      ['0x123456789abcdef0@higher', 0x5678n],
      ['0x123456789abcdef0@highera', 0x5678n],
      ['0x12345678ffff8000@highera', 0x5679n],
      ['0x123456789abcdef0@highest', 0x1234n],
      ['0xffffffffffff8000@highesta', 0n],
      ['(end + 0x7ff0)@ha', 0x1n],
      ['end@l + 4', 0x84n], // (end + 4)@l
      ['(0x12348000)@ha', 0x1235n],
    ];
    for (const [text, expected] of cases) expect([text, value(text, PPC64_EXPRESSIONS)]).toEqual([text, expected]);
    expect(evaluateExpression('end@ha', SCOPE, PPC64_EXPRESSIONS).modifier).toBe('ha');
    expect(error('x@l', PLAIN_EXPRESSIONS)).toBe("0: undefined symbol 'x'");
    expect(error('end@lo', PPC64_EXPRESSIONS)).toBe("3: unknown relocation operator '@lo'");
    expect(error('end@toc', PPC64_EXPRESSIONS)).toBe("3: relocation '@toc' needs a linker, which hyplay does not have");
    expect(error('end@l + start@ha', PPC64_EXPRESSIONS)).toBe("13: '@l' and '@ha' in one expression");
  });

  it('applies ARM :lower16: and :upper16: to the whole operand', () => {
    expect(value(':lower16:0x12345678', ARM32_EXPRESSIONS)).toBe(0x5678n);
    expect(value(':upper16:0x12345678', ARM32_EXPRESSIONS)).toBe(0x1234n);
    expect(value(':lower16:end + 2', ARM32_EXPRESSIONS)).toBe(0x82n);
    expect(evaluateExpression(':upper16:end', SCOPE, ARM32_EXPRESSIONS).modifier).toBe('upper16');
    expect(error(':middle16:end', ARM32_EXPRESSIONS)).toBe("0: unknown relocation operator ':middle16:'");
  });

  it('reports malformed expressions at the offending character', () => {
    const cases: readonly (readonly [string, string])[] = [
      ['', '0: missing expression'],
      ['1 +', '3: expression ends early'],
      ['(1', "2: expected ')'"],
      ['1)', "1: unexpected ')' in expression"],
      ['1 2', "2: unexpected '2' in expression"],
      ['09', "0: bad number '09'"],
      ['0x', "0: bad number '0x'"],
      ['12abc', "0: bad number '12abc'"],
      ['0x10000000000000000', '0: number 0x10000000000000000 does not fit 64 bits'],
      ['1 / 0', '2: division by zero'],
      ['1 % (2 - 2)', '2: division by zero'],
      ['1 << 64', '2: shift amount 64 out of range 0..63'],
      ['1 >> -1', '2: shift amount -1 out of range 0..63'],
      ["'ab'", '0: character literal needs a closing quote and holds one character'],
      ["'a", '0: character literal needs a closing quote and holds one character'],
      ["''", '0: empty character literal'],
      ['nowhere + 1', "0: undefined symbol 'nowhere'"],
      ['4 * #2', "4: unexpected '#' in expression"],
      [`${'('.repeat(300)}1${')'.repeat(300)}`, '256: parentheses nested more than 256 deep'],
    ];
    for (const [text, expected] of cases) expect([text, error(text)]).toEqual([text, expected]);
  });

  it('evaluates a long operator chain without deep recursion', () => {
    const chain = Array.from({ length: 100_000 }, () => '1').join(' + ');
    expect(value(chain)).toBe(100_000n);
    expect(value(`${'-'.repeat(100_001)}1`)).toBe(-1n);
  });
});

describe.skipIf(!available)('expressions against llvm-mc', () => {
  it('gives the value llvm-mc gives for every case (as .quad on powerpc64le)', () => {
    const prelude = ['.set five, 5', '.set big, 0x123456789abcdef0', '.org 0x40', 'start:', '.org 0x80', 'end:', '.org 0x100'];
    const source = [...prelude, ...CASES.map(([text]) => `.quad ${text}`)].join('\n');
    const listing = spawnSync('llvm-mc', ['-triple=powerpc64le', '-show-encoding'], { input: source, encoding: 'utf8' });
    expect(listing.stderr).toBe('');
    const values = listing.stdout.split('\n').filter((l) => /^\s*\.quad\s/.test(l)).map((l) => l.trim().split(/\s+/)[1]!);
    // llvm-mc prints what it folds as a number and the rest (labels, `.`) as written: compare the numbers.
    expect(values.length).toBe(CASES.length);
    const folded = CASES.map(([text, expected], i) => [text, values[i], expected] as const).filter(([, printed]) => /^-?\d+$/.test(printed!));
    expect(folded.length).toBeGreaterThan(40);
    for (const [text, printed, expected] of folded) expect([text, BigInt.asIntN(64, BigInt(printed!))]).toEqual([text, expected]);
  });
});
