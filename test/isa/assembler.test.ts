/**
 * The two-pass assembler and the disassembler over the made-up 16-bit ISA
 * of `toy-isa.ts`: labels both ways, `;` statements, data directives,
 * comments, and errors that carry line and column.
 */

import { describe, expect, it } from 'vitest';
import { assemble, AssemblyError, disassemble, TableInstructionSet, type AssembledProgram, type InstructionSet } from '../../src/isa/assembler.ts';
import { PLAIN_ASSEMBLY } from '../../src/isa/directives.ts';
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
function failure(source: string, set: InstructionSet = LITTLE): string {
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

describe('assemble: sections', () => {
  it('lays sections out in order of appearance, each after the last and aligned to what it asks for', () => {
    const program = asm(['nop', '.data', '.byte 1', '.section .hyp.text,"ax"', 'hyp: halt', '.text', 'b hyp', '.bss', '.align 3', 'buf: .space 4', '.data', 'last: .byte 2'].join('\n'), 0x100);
    expect(program.sections.map((s) => [s.name, s.address, s.size, s.flags, s.type, s.alignment])).toEqual([
      ['.text', 0x100, 4, 'ax', 'progbits', 2],
      ['.data', 0x104, 2, 'aw', 'progbits', 1],
      ['.hyp.text', 0x106, 2, 'ax', 'progbits', 2],
      ['.bss', 0x108, 4, 'aw', 'nobits', 8],
    ]);
    expect(hex(program.bytes)).toBe('00 00 01 4e 01 02 ff 00 00 00 00 00');
    expect([...program.symbols]).toEqual([
      ['hyp', 0x106],
      ['buf', 0x108],
      ['last', 0x105],
    ]);
    // Items come in address order, each naming its section.
    expect(program.items.map((i) => [i.address, i.text, i.section])).toEqual([
      [0x100, 'nop', '.text'],
      [0x102, 'b hyp', '.text'],
      [0x104, '.byte 1', '.data'],
      [0x105, '.byte 2', '.data'],
      [0x106, 'halt', '.hyp.text'],
      [0x108, '.space 4', '.bss'],
    ]);
  });

  it('switches back with .previous and .popsection', () => {
    const program = asm(['nop', '.data', '.byte 1', '.previous', 'halt', '.pushsection .rodata', '.byte 2', '.pushsection .data', '.byte 3', '.popsection', '.byte 4', '.popsection', 'nop'].join('\n'));
    expect(program.sections.map((s) => [s.name, s.size])).toEqual([
      ['.text', 6],
      ['.data', 2],
      ['.rodata', 2],
    ]);
    expect(failure('.popsection')).toBe('1:1: .popsection without a .pushsection');
    expect(failure('.previous')).toBe('1:1: .previous: no section to go back to');
    expect(failure('.section .x,"ax"\n.section .x,"aw"')).toBe('2:10: section \'.x\' changes its flags or type (it is "ax", %progbits)');
    expect(failure('.text 1')).toBe("1:7: subsections are not supported ('.text 1')");
  });

  it('keeps zeros only in a nobits section and nothing in an unloaded one', () => {
    expect(hex(asm('.bss\n.space 2\n.align 2\n.word 0').bytes)).toBe('00 00 00 00 00 00 00 00');
    expect(failure('.bss\n.word 1')).toBe("2:1: section '.bss' is %nobits: it holds zeros only (.space, .zero, alignment)");
    expect(failure('.bss\n.space 1, 5')).toBe("2:1: section '.bss' is %nobits: it holds zeros only (.space, .zero, alignment)");
    expect(asm('.section .comment\n.previous\nnop').sections.map((s) => s.name)).toEqual(['.text']);
    expect(failure('nop\n.section .note.x,"",%note\n.byte 1')).toBe('3:1: section \'.note.x\' is not loaded (no "a" flag), so it cannot hold code or data; declare it with flags, e.g. .section .note.x,"ax"');
  });
});

describe('assemble: labels, symbols and passes', () => {
  it('resolves numeric local labels to the nearest definition behind or ahead, however often redefined', () => {
    const program = asm(['1: nop', 'b 1b', 'b 1f', '1: nop', '1: b 1b', '.word 1b, 1f, 2f', '2: 1: halt'].join('\n'));
    expect(hex(program.bytes)).toBe('00 00 fe 4e 00 4e 00 00 ff 4e 08 00 00 00 16 00 00 00 16 00 00 00 ff 00');
    expect(program.symbols.size).toBe(0); // numeric labels are not symbols
    expect(failure('b 1b')).toBe("1:3: undefined symbol '1b'");
    expect(failure('1: nop\n.word 1f')).toBe("2:7: undefined symbol '1f'");
  });

  it('takes . as the location counter, per value in a data directive', () => {
    expect(hex(asm('nop\n.word ., ., . - 2', 0x10).bytes)).toBe('00 00 12 00 00 00 16 00 00 00 18 00 00 00');
    expect(hex(asm('.space 4\n. = 8\nhalt').bytes)).toBe('00 00 00 00 00 00 00 00 ff 00');
  });

  it('takes more passes when a size depends on a label after it, and says when it never settles', () => {
    // `.space end - mid` needs two labels after it, which move with its size.
    const program = asm('start: .space end - mid\n.word 0\nmid: .space 6\nend: .word start, mid, end');
    expect([...program.symbols]).toEqual([
      ['start', 0],
      ['mid', 10],
      ['end', 16],
    ]);
    expect(hex(program.bytes.subarray(16))).toBe('00 00 00 00 0a 00 00 00 10 00 00 00');
    expect(failure('a: .space (b - a) ^ 4\nb: nop')).toBe('1:1: the layout does not settle after 8 passes: a size or .org depends on a label after it');
  });

  it('moves forward with .org and refuses to move back', () => {
    expect(hex(asm('nop\n.org 6, 0xee\nhalt\nmark: .org mark + 2\n.org . + 1, 1').bytes)).toBe('00 00 ee ee ee ee ff 00 00 00 01');
    expect(hex(asm('.org end - 2\nnop\nend:').bytes)).toBe('00 00');
    expect(failure('.space 8\n.org 4')).toBe('2:6: .org 4 would move the location counter backwards (it is at offset 8 in .text)');
  });

  it('names the input, or the file of a line marker, in errors', () => {
    let error: AssemblyError | undefined;
    try {
      assemble(LITTLE, 'nop\n# 12 "hyp-stub.S"\nnop\nfrob', 0, { sourceName: 'stub.s' });
    } catch (e) {
      error = e as AssemblyError;
    }
    expect(error?.located()).toBe("hyp-stub.S:13:1: unknown mnemonic 'frob'");
    try {
      assemble(LITTLE, 'frob', 0, { sourceName: 'stub.s' });
    } catch (e) {
      error = e as AssemblyError;
    }
    expect(error?.located()).toBe("stub.s:1:1: unknown mnemonic 'frob'");
    try {
      assemble(LITTLE, 'frob', 0);
    } catch (e) {
      error = e as AssemblyError;
    }
    expect(error?.located('<stdin>')).toBe("<stdin>:1:1: unknown mnemonic 'frob'");
  });

  it('gives a misplaced or malformed label its own message', () => {
    expect(failure('nop here: halt')).toBe("1:5: misplaced label 'here': a label starts its statement");
    expect(failure('4x: nop')).toBe("1:1: bad label name '4x'");
  });

  it('turns anything unexpected from an instruction set into an error with a position, never an exception of its own', () => {
    const broken: InstructionSet = { name: 'broken', endian: 'little', commentPrefixes: ['@'], alignIsPowerOfTwo: true, size: 2, assembleOne: () => { throw new TypeError('boom'); }, disassembleOne: () => undefined };
    expect(failure('\n  nop', broken)).toBe('2:3: internal error: boom');
  });
});

describe('assemble: data and alignment directives', () => {
  it('writes .byte … .quad in the byte order, each range-checked to its size', () => {
    expect(hex(asm(".byte 1, -1, 'a'\n.short 0x1234\n.hword -2\n.long 5\n.quad -2").bytes)).toBe('01 ff 61 34 12 fe ff 05 00 00 00 fe ff ff ff ff ff ff ff');
    expect(hex(assemble(BIG, '.short 0x1234\n.quad 1', 0).bytes)).toBe('12 34 00 00 00 00 00 00 00 01');
    expect(failure('.byte 256')).toBe('1:7: value 256 does not fit 8 bits');
    expect(failure('.byte -129')).toBe('1:7: value -129 does not fit 8 bits');
    expect(failure('.short 65536')).toBe('1:8: value 65536 does not fit 16 bits');
    expect(failure('.quad 0x1_0000')).toBe("1:7: bad number '0x1_0000'");
  });

  it('writes strings with .ascii, .asciz and .string', () => {
    expect(hex(asm('.ascii "ab", "c"\n.ascii "x" "y"\n.asciz "z", ""\n.string "s"').bytes)).toBe('61 62 63 78 79 7a 00 00 73 00');
    expect(failure('.ascii "a",')).toBe("1:12: .ascii: expected a string after ','");
    expect(failure('.asciz "a" "b"')).toBe('1:12: unexpected \'"b"\' after a string');
    expect(failure('.ascii abc')).toBe('1:8: expected a string in double quotes');
  });

  it('fills with .fill as llvm-mc does: the value in at most 4 bytes, zeros up to the size (at most 8)', () => {
    expect(hex(asm('.fill 2, 3, 0x112233\n.fill 1, 8, 0x1122334455\n.fill 2').bytes)).toBe('33 22 11 33 22 11 55 44 33 22 00 00 00 00 00 00');
    expect(hex(assemble(BIG, '.fill 1, 8, 0x11223344\n.fill 1, 12, 0x55', 0).bytes)).toBe('11 22 33 44 00 00 00 00 00 00 00 55 00 00 00 00');
    expect(failure('.fill')).toBe('1:1: .fill takes REPEAT[, SIZE[, VALUE]]');
    expect(failure('.fill -1')).toBe("1:7: bad repeat count '-1'");
  });

  it('pads code with the architecture\'s fill, data with zeros, and honours a fill value and a maximum', () => {
    const padded = new TableInstructionSet(buildToyTable({ ...PLAIN_ASSEMBLY, codeFill: { instruction: 'halt', remainders: [[], [0xee]] } }), 'little', ['@']);
    expect(hex(assemble(padded, '.byte 1\n.align 3\n.byte 2\n.balign 4, 0x77\n.byte 3\n.p2align 3,,2\n.data\n.byte 1\n.align 2', 0).bytes)).toBe(
      // .data asks for 4-byte alignment, so it starts at 16, after a gap.
      '01 ff 00 ff 00 ff 00 ee 02 77 77 77 03 00 00 00 01 00 00 00',
    );
    expect(failure('.p2align')).toBe('1:1: .p2align takes ALIGNMENT[, FILL[, MAX]]');
  });

  it('stops at .end, and stops with .err and .error', () => {
    expect(hex(asm('nop\n.end\nfrob').bytes)).toBe('00 00');
    expect(failure('nop\n.err')).toBe('2:1: .err encountered');
    expect(failure('.error "hyp mode not supported"')).toBe('1:1: hyp mode not supported');
  });

  it('accepts the directives that change no bytes, and refuses the ones it cannot honour, saying why', () => {
    expect(hex(asm('.globl a, b\n.type a, %function\n.size a, . - a\n.weak w\n.hidden h\n.local l\n.file "a.S"\n.ident "x"\n.loc 1 2 3\n.cfi_startproc\na: nop\n.cfi_endproc').bytes)).toBe('00 00');
    expect(failure('.size a, nowhere')).toBe("1:10: undefined symbol 'nowhere'");
    expect(failure('.include "virt.h"')).toBe("1:1: '.include' is not supported: hyplay assembles one file: concatenate the files, or run the C preprocessor with the include first");
    expect(failure('.rept 3')).toBe("1:1: '.rept' is not supported: repetition blocks are not supported: write the statements out");
    expect(failure('.ifdef CONFIG_X')).toBe("1:1: '.ifdef' is not supported: conditional assembly is not supported");
    expect(failure('.comm buf, 4')).toBe("1:1: '.comm' is not supported: common symbols are allocated by a linker, which hyplay does not have: reserve the space with .space in .bss");
    expect(failure('.ltorg')).toBe("1:1: unknown directive '.ltorg'"); // the toy set has no literal pools
  });

  it('refuses an image past the limit', () => {
    expect(failure('.space 0x3000000\n.space 0x1000001')).toBe("2:1: section '.text' would grow past 64 MiB");
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
