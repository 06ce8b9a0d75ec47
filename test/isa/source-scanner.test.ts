/**
 * The statement scanner: comments of every kind, `;` separators, strings and
 * character literals that hold them, C-preprocessor lines (an error where
 * `#` is no comment, a comment where it is), and line markers.
 */

import { describe, expect, it } from 'vitest';
import { ScanError, scanStatements, type CommentSyntax } from '../../src/isa/source-scanner.ts';

const ARM: CommentSyntax = { lineComments: ['@', '//'], hash: 'statement-start' };
const POWER: CommentSyntax = { lineComments: ['#'], hash: 'anywhere' };

/** Every statement as `physical line:column [line file] text`: the column of its first character (blanks after a `;` included), the text trimmed. */
function statements(source: string, syntax = ARM): string[] {
  const out: string[] = [];
  scanStatements(source, syntax, (text, physical, column, line, file) => {
    out.push(`${physical}:${column}${line === physical && file === undefined ? '' : ` [${file}:${line}]`} ${text.trim()}`);
  });
  return out;
}

function scanError(source: string, syntax = ARM): string {
  try {
    scanStatements(source, syntax, () => undefined);
  } catch (error) {
    if (error instanceof ScanError) return `${error.file ?? ''}:${error.line}:${error.column}: ${error.message}`;
    throw error;
  }
  throw new Error('scanned');
}

describe('scanStatements', () => {
  it.each([
    ['one statement per line', 'nop\n  mov r0, r1\n', ['1:1 nop', '2:1 mov r0, r1']],
    ['blank and comment-only lines give nothing', '\n   \n@ all comment\n// also\n', []],
    ['; separates statements, with their own columns', 'nop; mov r0, #1 ;bx lr', ['1:1 nop', '1:5 mov r0, #1', '1:18 bx lr']],
    ['line comments with @ and //', 'nop @ x; y\nnop // z; w', ['1:1 nop', '2:1 nop']],
    ['# mid-statement is an immediate on ARM', 'mov r0, #1', ['1:1 mov r0, #1']],
    ['# at the start of a statement is a comment on ARM', '# a comment\nnop; # another', ['2:1 nop']],
    ['strings keep ; @ # and //', '.ascii "a;b@c#d//e" @ real comment', ['1:1 .ascii "a;b@c#d//e"']],
    ['an escaped quote stays in the string', '.ascii "a\\";b"; nop', ['1:1 .ascii "a\\";b"', '1:16 nop']],
    ["character literals keep ; @ and ,", "mov r0, #';'; mov r1, #'@'\nmov r2, #'\\''", ["1:1 mov r0, #';'", "1:14 mov r1, #'@'", "2:1 mov r2, #'\\''"]],
    ['a lone quote does not swallow the line', "mov r0, #'a; nop", ["1:1 mov r0, #'a", '1:13 nop']],
    ['a block comment on one line is a blank', '.byte 6 /* c */, 7', ['1:1 .byte 6  , 7']],
    ['a block comment over lines', 'nop /* one\ntwo\nthree */ bx lr\nnop', ['1:1 nop', '3:9 bx lr', '4:1 nop']],
    ['CRLF line ends', 'nop\r\nbx lr\r\n', ['1:1 nop', '2:1 bx lr']],
    ['a line marker names the file and line of the next line', 'nop\n# 40 "hyp-stub.S"\nnop\nnop\n# 7 "virt.h" 1\nnop', ['1:1 nop', '3:1 [hyp-stub.S:40] nop', '4:1 [hyp-stub.S:41] nop', '6:1 [virt.h:7] nop']],
  ])('%s', (_, source, expected) => {
    expect(statements(source)).toEqual(expected);
  });

  it('reads # as a comment anywhere on PowerPC, and keeps the line markers', () => {
    expect(statements('li 3, 1 # c ; li 4, 2\n# 3 "entry.S"\n#include <x.h>\nli 5, 3 ; li 6, 4', POWER)).toEqual(['1:1 li 3, 1', '4:1 [entry.S:4] li 5, 3', '4:10 [entry.S:4] li 6, 4']);
  });

  it('remembers the #define names it skipped as comments', () => {
    const defines = new Map<string, number>();
    scanStatements('#define H_CEDE 0xe0\n# define  H_CONFER 0xe4\nnop', POWER, () => undefined, defines);
    expect([...defines]).toEqual([
      ['H_CEDE', 1],
      ['H_CONFER', 2],
    ]);
  });

  it.each([
    ['#include <linux/linkage.h>', ":1:1: C preprocessor directive '#include'"],
    ['#define HVC_STUB_ERR 0xbadca11', ":1:1: C preprocessor directive '#define'"],
    ['nop\n  #ifdef ZIMAGE', ":2:3: C preprocessor directive '#ifdef'"],
    ['nop; #endif', ":1:6: C preprocessor directive '#endif'"],
    ['# 10 "a.S"\n#if 0', "a.S:10:1: C preprocessor directive '#if'"],
    ['# if 0', ":1:1: C preprocessor directive '#if'"],
  ])('refuses the C preprocessor directive in %j on ARM', (source, expected) => {
    expect(scanError(source)).toBe(`${expected}: run this file through the C preprocessor first (cpp, or gcc -E) and assemble its output`);
  });

  it('stops where the visitor says (.end)', () => {
    const seen: string[] = [];
    scanStatements('a; b\nc', ARM, (text) => {
      seen.push(text.trim());
      return text.trim() !== 'b';
    });
    expect(seen).toEqual(['a', 'b']);
  });
});
