/**
 * The two-pass assembler and the disassembler over the made-up 16-bit ISA
 * of `toy-isa.ts`: labels both ways, `;` statements, data directives,
 * comments, and errors that carry line and column.
 */

import { describe, expect, it } from 'vitest';
import { assemble, AssemblyError, disassemble, TableInstructionSet, type AssembledProgram } from '../../src/isa/assembler.ts';
import { buildToyTable } from './toy-isa.ts';

const TABLE = buildToyTable();
const LITTLE = new TableInstructionSet(TABLE, 'little', ['//', '@']);
const BIG = new TableInstructionSet(TABLE, 'big', ['//', '@']);

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function asm(source: string, base = 0): AssembledProgram {
  return assemble(LITTLE, source, base);
}

/** The error `source` gives, as `line:column: message`. */
function failure(source: string, set = LITTLE): string {
  try {
    assemble(set, source, 0);
  } catch (error) {
    if (!(error instanceof AssemblyError)) throw error;
    return `${error.line}:${error.column}: ${error.message}`;
  }
  throw new Error('assembled');
}

describe('assemble', () => {
  it('resolves labels forward and backward in two passes', () => {
    const program = asm(
      [
        'start:  nop', //      0x100
        '        b end', //    0x102: (0x108 - 0x104) / 2 = 2
        'loop:   mov r1, #1', // 0x104
        '        b loop', //   0x106: (0x104 - 0x108) / 2 = -2
        'end:    halt', //     0x108
      ].join('\n'),
      0x100,
    );
    expect(hex(program.bytes)).toBe('00 00 02 4e 01 11 fe 4e ff 00');
    expect(program.base).toBe(0x100);
    expect([...program.symbols]).toEqual([
      ['start', 0x100],
      ['loop', 0x104],
      ['end', 0x108],
    ]);
    expect(program.items.map((i) => [i.address, i.text, i.line, i.instruction])).toEqual([
      [0x100, 'nop', 1, true],
      [0x102, 'b end', 2, true],
      [0x104, 'mov r1, #1', 3, true],
      [0x106, 'b loop', 4, true],
      [0x108, 'halt', 5, true],
    ]);
  });

  it('splits statements at `;`, with labels after a separator', () => {
    const program = asm('nop; mov r1, #2 ;halt\nx: nop; y: b x');
    expect(program.items.map((i) => [i.address, i.text, i.line])).toEqual([
      [0, 'nop', 1],
      [2, 'mov r1, #2', 1],
      [4, 'halt', 1],
      [6, 'nop', 2],
      [8, 'b x', 2],
    ]);
    expect(program.symbols.get('y')).toBe(8);
    expect(hex(program.bytes.subarray(8))).toBe('fe 4e'); // b x at 8: (6 - 10) / 2 = -2
  });

  it('emits .word values and labels in the set\'s byte order', () => {
    const source = '.word data, 0x12345678, -1\ndata: .word data';
    expect(hex(asm(source).bytes)).toBe('0c 00 00 00 78 56 34 12 ff ff ff ff 0c 00 00 00');
    expect(hex(assemble(BIG, source, 0).bytes)).toBe('00 00 00 0c 12 34 56 78 ff ff ff ff 00 00 00 0c');
    expect(hex(assemble(BIG, 'nop; mov r1, #5', 0).bytes)).toBe('00 00 11 05');
    const items = asm(source).items;
    expect(items.map((i) => [i.address, i.text, i.instruction])).toEqual([
      [0, '.word data, 0x12345678, -1', false],
      [12, '.word data', false],
    ]);
  });

  it('evaluates .equ, .set and = symbols in expressions, redefinable as in GNU as; .equiv is not', () => {
    const source = '.equ FIVE, 5\n.set WORD, 0x12345678\n.equ ALIAS, FIVE\nmov r1, #ALIAS\n.word WORD, FIVEFOLD\nFIVEFOLD: nop';
    const program = asm(source);
    expect(hex(program.bytes.subarray(0, 2))).toBe(hex(asm('mov r1, #5').bytes));
    expect(hex(program.bytes.subarray(2, 6))).toBe('78 56 34 12');
    expect(program.items.map((i) => i.address)).toEqual([0, 2, 10]);
    // Each use sees the value set before it; a use before any definition sees the last one (llvm-mc gives 2, 6, 7 here).
    expect(hex(asm('.word Z\n.set Z, 1\n.set Z, 2\nX = 5\n.set X, 6\n.word X\nX = 7\n.word X').bytes)).toBe('02 00 00 00 06 00 00 00 07 00 00 00');
    expect(failure('.equ X, nonsense')).toBe("1:9: undefined symbol 'nonsense'");
    expect(failure('.equiv Y, 1\n.equiv Y, 2')).toBe("2:8: symbol 'Y' is already defined");
    expect(failure('a: nop\n.set a, 5')).toBe("2:6: symbol 'a' is already defined as a label");
    expect(failure('.set b, 5\nb: nop')).toBe("2:1: symbol 'b' is already defined (by .equ or .set)");
    expect(failure('.equ X')).toBe('1:6: expected .equ NAME, VALUE');
  });

  it('pads to .align (2^n here), .balign and .p2align boundaries', () => {
    expect(asm('nop\n.align 2\nhalt').items.map((i) => [i.address, i.bytes.length])).toEqual([
      [0, 2],
      [2, 2],
      [4, 2],
    ]);
    expect(asm('nop\n.balign 8\nend: halt').symbols.get('end')).toBe(8);
    expect(asm('nop\n.p2align 4\nend: halt').symbols.get('end')).toBe(16);
    expect(asm('nop; nop\n.align 2\nend: halt').symbols.get('end')).toBe(4); // already aligned: no padding
    // Where `.align n` means n bytes.
    const byteAlign = new TableInstructionSet(TABLE, 'little', ['//'], false);
    expect(assemble(byteAlign, 'nop\n.align 4\nend: halt', 0).symbols.get('end')).toBe(4);
    expect(failure('nop\n.align 3', byteAlign)).toBe("2:8: bad alignment '3'");
    expect(failure('.balign 3')).toBe("1:9: bad alignment '3'");
    expect(failure('.align 17')).toBe("1:8: bad alignment '17'");
  });

  it('reserves zeroed bytes with .space and .skip', () => {
    const program = asm('.space 3\nend: .skip 2\nhalt');
    expect(program.symbols.get('end')).toBe(3);
    expect(hex(program.bytes)).toBe('00 00 00 00 00 ff 00');
    expect(failure('.space -1')).toBe("1:8: bad size '-1'");
    expect(failure('.space')).toBe('1:1: .space needs a size');
    expect(hex(asm('.space 3, 0xab\n.zero 2\n.skip 1, -1').bytes)).toBe('ab ab ab 00 00 ff');
    expect(failure('.space 1, 2, 3')).toBe('1:14: .space takes a size and a fill byte');
  });

  it('ignores comments: whole lines, trailing, indented, with either prefix', () => {
    const program = asm('@ whole line\nnop // trailing; not a separator\n   // indented\nhalt @ x: not a label');
    expect(program.items.map((i) => [i.text, i.line])).toEqual([
      ['nop', 2],
      ['halt', 4],
    ]);
    expect(program.symbols.size).toBe(0);
  });

  it('accepts label-only lines and local-style label names', () => {
    const program = asm('.L1:\n$x: .Lend:\nb .L1\n');
    expect([...program.symbols]).toEqual([
      ['.L1', 0],
      ['$x', 0],
      ['.Lend', 0],
    ]);
    expect(hex(program.bytes)).toBe('ff 4e');
  });

  it('assembles nothing to an empty image', () => {
    const program = asm('\n  // nothing\n', 0x40);
    expect(program.items).toEqual([]);
    expect(program.bytes.length).toBe(0);
  });

  it('rejects a duplicate label at the second definition', () => {
    expect(failure('a: nop\n  a: halt')).toBe("2:3: label 'a' defined twice");
    expect(failure('a: nop; a: halt')).toBe("1:9: label 'a' defined twice");
  });

  it('rejects an unknown directive at its column', () => {
    expect(failure('nop\n   .bogus 1')).toBe("2:4: unknown directive '.bogus'");
    // A statement that starts with `.` but is no directive name at all.
    expect(failure('nop; .')).toBe("1:6: unknown directive '.'");
    expect(failure('.+1 2')).toBe("1:1: unknown directive '.+1'");
  });

  it('gives instruction errors the line and the column of the offending character', () => {
    expect(failure('nop\n\n  frob r1')).toBe("3:3: unknown mnemonic 'frob'");
    expect(failure('nop\nnop; mov r1, #300')).toBe('2:15: immediate 300 out of range 0..255');
    expect(failure('nop\nlabel: add r1, r2, r16 // comment')).toBe("2:20: unknown register 'r16'");
    expect(failure('  mov r1')).toBe("1:7: bad operands for 'mov' (expected mov <rd>, <imm> | mov <rd>, <rm>)");
    expect(failure('nop\nb nowhere')).toBe("2:3: unknown label 'nowhere'");
  });

  it('gives directive errors the line and column of the bad argument', () => {
    expect(failure('.word nowhere')).toBe("1:7: undefined symbol 'nowhere'");
    expect(failure('nop\n.word 1, zz!')).toBe("2:10: undefined symbol 'zz'");
    expect(failure('nop\n.word 1, 2 *')).toBe('2:13: expression ends early');
    expect(failure('.word 0x100000000')).toBe('1:7: value 0x100000000 does not fit 32 bits');
    // Each argument's own column, even when its text also occurs inside an earlier argument.
    expect(failure('.word ab, b\nab:')).toBe("1:11: undefined symbol 'b'");
    expect(failure('.word 1, 0x100000000,  1')).toBe('1:10: value 0x100000000 does not fit 32 bits');
    expect(failure('.word 1,')).toBe('1:9: missing value for .word (argument 2)');
    expect(failure('  .word')).toBe('1:3: .word needs a value');
  });
});

describe('disassemble', () => {
  it('lists instructions with addresses, and shows bytes that are not an instruction as data', () => {
    const program = asm('nop\nmov r1, #5\nloop: b loop', 0x200);
    const items = disassemble(LITTLE, program.bytes, 0x200, 2);
    expect(items.map((i) => [i.address, hex(i.bytes), i.text])).toEqual([
      [0x200, '00 00', 'nop'],
      [0x202, '05 11', 'mov r1, #5'],
      [0x204, 'ff 4e', 'b 0x204'],
    ]);
    const odd = disassemble(LITTLE, Uint8Array.from([0x00, 0x30, 0x00, 0x00, 0xab]), 0, 2);
    expect(odd.map((i) => [i.address, hex(i.bytes)])).toEqual([
      [0, '00 30'],
      [2, '00 00'],
      [4, 'ab'],
    ]);
    expect(odd[0]!.text).not.toBe('add r0, r0, r0'); // excluded encoding
    expect(odd[0]!.text.startsWith('.')).toBe(true);
    expect(odd[1]!.text).toBe('nop');
    expect(odd[2]!.text).toBe('.byte 0xab');
  });

  it('reads words in the set\'s byte order', () => {
    expect(disassemble(BIG, Uint8Array.from([0x11, 0x05]), 0, 2)[0]!.text).toBe('mov r1, #5');
    expect(disassemble(LITTLE, Uint8Array.from([0x11, 0x05]), 0, 2)[0]!.text).not.toBe('mov r1, #5');
  });
});
