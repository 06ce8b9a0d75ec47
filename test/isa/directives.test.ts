/**
 * The shared pieces of directive syntax: argument splitting, string
 * literals with llvm-mc's escapes (the byte values below are what llvm-mc
 * 14 emits for them), `.section` specs and the flags a name implies (as
 * llvm-mc's ELF parser gives them), and `.type` symbol types.
 */

import { describe, expect, it } from 'vitest';
import { checkSymbolList, checkTypeDirective, impliedSectionKind, parseSectionSpec, parseStrings, splitArguments } from '../../src/isa/directives.ts';
import { OperandError } from '../../src/isa/operand.ts';

function thrown(body: () => unknown): string {
  try {
    body();
  } catch (error) {
    if (error instanceof OperandError) return `${error.offset}: ${error.message}`;
    throw error;
  }
  throw new Error('no error');
}

describe('splitArguments', () => {
  it.each([
    ['', []],
    ['1', [['1', 0]]],
    ['1, 2 ,3', [['1', 0], ['2', 3], ['3', 6]]],
    ['a,,b', [['a', 0], ['', 2], ['b', 3]]],
    ["',', 2", [["','", 0], ['2', 5]]],
    ['"a,b", c', [['"a,b"', 0], ['c', 7]]],
    ['(1, 2), 3', [['(1, 2)', 0], ['3', 8]]],
    ['"a\\",b", c', [['"a\\",b"', 0], ['c', 9]]],
  ])('%j', (text, expected) => {
    expect(splitArguments(text).map((a) => [a.text, a.offset])).toEqual(expected);
  });
});

describe('parseStrings', () => {
  it.each([
    ['"ab"', false, [0x61, 0x62]],
    ['"\\b\\f\\n\\r\\t\\"\\\\"', false, [8, 12, 10, 13, 9, 34, 92]],
    ['"\\101\\18\\0\\377"', false, [0x41, 1, 0x38, 0, 0xff]],
    ['"\\x41\\x4142\\X7a"', false, [0x41, 0x42, 0x7a]],
    ['"x" "y"', true, [0x78, 0x79]],
    ['"é"', false, [0xc3, 0xa9]],
    ['""', false, []],
  ])('%s', (text, adjacent, bytes) => {
    expect(parseStrings(text, adjacent).bytes).toEqual(bytes);
  });

  it('stops after one string unless adjacent ones are allowed, and says where it stopped', () => {
    expect(parseStrings('"a" "b"', false)).toEqual({ bytes: [0x61], end: 3 });
    expect(parseStrings('"a", "b"', true)).toEqual({ bytes: [0x61], end: 3 });
  });

  it.each([
    ['abc', '0: expected a string in double quotes'],
    ['"abc', '0: unterminated string'],
    ['"\\777"', '1: invalid octal escape sequence (out of range)'],
    ['"\\x"', '1: invalid hexadecimal escape sequence'],
    ['"a\\q"', "2: invalid escape sequence '\\q'"],
  ])('rejects %s', (text, expected) => {
    expect(thrown(() => parseStrings(text, false))).toBe(expected);
  });
});

describe('sections', () => {
  it.each([
    ['.text', 'ax', 'progbits'],
    ['.text.unlikely', 'ax', 'progbits'],
    ['.data', 'aw', 'progbits'],
    ['.data..ro_after_init', 'aw', 'progbits'],
    ['.bss', 'aw', 'nobits'],
    ['.bss.x', 'aw', 'nobits'],
    ['.tbss', 'awT', 'nobits'],
    ['.tdata', 'awT', 'progbits'],
    ['.rodata.str1.1', 'a', 'progbits'],
    ['.init_array', 'aw', 'progbits'],
    ['.hyp.text', '', 'progbits'],
    ['.init.text', '', 'progbits'],
    ['.textual', '', 'progbits'],
  ])('a section named %s is "%s" %s unless told otherwise', (name, flags, type) => {
    expect(impliedSectionKind(name)).toEqual({ flags, type });
  });

  it.each([
    ['.hyp.text', '.hyp.text', '', 'progbits'],
    ['.hyp.text,"ax",%progbits', '.hyp.text', 'ax', 'progbits'],
    ['.hyp.idmap.text, "ax"', '.hyp.idmap.text', 'ax', 'progbits'],
    ['".head.text","ax"', '.head.text', 'ax', 'progbits'],
    ['.bss', '.bss', 'aw', 'nobits'],
    ['.stack,"aw",%nobits', '.stack', 'aw', 'nobits'],
    ['.note.GNU-stack,"",%progbits', '.note.GNU-stack', '', 'progbits'],
    ['.x,"a",@progbits', '.x', 'a', 'progbits'],
    ['.rodata.cst4,"aM",%progbits,4', '.rodata.cst4', 'aM', 'progbits'],
    ['.text.f,"axG",%progbits,f,comdat', '.text.f', 'axG', 'progbits'],
    ['.text.u,"ax",%progbits,unique,1', '.text.u', 'ax', 'progbits'],
  ])('.section %s', (text, name, flags, type) => {
    expect(parseSectionSpec(text)).toEqual({ name, kind: { flags, type } });
  });

  it.each([
    ['', '0: expected a section name'],
    ['.x,ax', "3: expected section flags in double quotes (\"ax\", \"aw\", …), got 'ax'"],
    ['.x,"aq"', '3: unknown section flag in "aq" (known: a w x M S G T R o y d ?)'],
    ['.x,"a",progbits', "7: expected a section type (%progbits, %nobits, …), got 'progbits'"],
    ['.x,"a",%bogus', "7: unknown section type 'bogus'"],
    ['a b', "0: bad section name 'a b'"],
  ])('rejects .section %j', (text, expected) => {
    expect(thrown(() => parseSectionSpec(text))).toBe(expected);
  });
});

describe('symbol directives', () => {
  it.each([['f, %function'], ['f, @function'], ['f, #object'], ['f, "function"'], ['f, STT_FUNC'], ['__hyp_stub_vectors, %object'], ['x, %gnu_indirect_function']])('.type %s', (text) => {
    expect(checkTypeDirective(text)).toBe(text.split(',')[0]);
  });

  it.each([
    ['f', '0: expected SYMBOL, TYPE (e.g. .type name, %function)'],
    ['f, function', "3: unknown symbol type 'function' (expected %function, %object, …)"],
    ['f, %func', "3: unknown symbol type '%func' (expected %function, %object, …)"],
    ['1f, %function', "0: bad symbol name '1f'"],
  ])('rejects .type %j', (text, expected) => {
    expect(thrown(() => checkTypeDirective(text))).toBe(expected);
  });

  it('checks symbol lists', () => {
    expect(() => checkSymbolList('a, b, .L1, $x', '.globl')).not.toThrow();
    expect(thrown(() => checkSymbolList('', '.globl'))).toBe('0: .globl needs a symbol name');
    expect(thrown(() => checkSymbolList('a, 2b', '.globl'))).toBe("3: bad symbol name '2b'");
  });
});
