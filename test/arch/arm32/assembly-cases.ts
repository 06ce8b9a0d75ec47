/**
 * Kernel-style A32 assembly cases: each a small source and the bytes of
 * each section, pinned to what llvm-mc 14 (`-triple=armv7a
 * -mattr=+virtualization -filetype=obj`) gives once its relocations are
 * applied for hyplay's placement of the sections at {@link ASSEMBLY_BASE}.
 * `assembly.test.ts` checks hyplay against the pins, and against llvm-mc
 * live where it is installed.
 *
 * @module
 */

import { readFileSync } from 'node:fs';

/** The kernel-style hyp-stub beside these cases (`fixtures/kernel-style-hyp-stub.s`). */
export const KERNEL_STYLE_HYP_STUB = readFileSync(new URL('./fixtures/kernel-style-hyp-stub.s', import.meta.url), 'utf8');

/** Where the cases are assembled (the arm32 load address). */
export const ASSEMBLY_BASE = 0x8000;

/** One case: a name, the source, and each section's bytes as `hexBytes` writes them. */
export interface AssemblyCase {
  /** What it shows. */
  readonly name: string;
  /** The source. */
  readonly source: string;
  /** Pinned section bytes, by section name. */
  readonly sections: Readonly<Record<string, string>>;
}

/** The cases, in the order of the list. */
export const ARM32_ASSEMBLY_CASES: readonly AssemblyCase[] = [
  {
    name: 'expressions: operators, precedence, labels, the location counter',
    source: [
      '        .equ    SHIFT, 5',
      'start:  .word   start + 4, (1 << SHIFT) | 3, end - ., . - start',
      '        .word   4 + 1 & 2, 3 == 3 + 5, ~0 >> 60, -7 / 2, -7 % 2, 6 ^ 3',
      "        mov     r0, #'a'",
      "        mov     r1, #'\\n'",
      '        mov     r2, #(0x40 + 0x40) >> 1',
      '        cmp     r3, #SHIFT * 2',
      '        mcr     p15, 4, r1, c12, c0, 0',
      'end:',
    ].join('\n'),
    sections: {
      '.text': '04 80 00 00 23 00 00 00 34 00 00 00 0c 00 00 00 04 00 00 00 00 00 00 00 0f 00 00 00 fd ff ff ff ff ff ff ff 05 00 00 00 61 00 a0 e3 0a 10 a0 e3 40 20 a0 e3 0a 00 53 e3 10 1f 8c ee',
    },
  },
  {
    name: 'numeric local labels, redefined, both directions',
    source: ['1:      subs    r0, r0, #1', '        bne     1b', '        beq     1f', '        nop', '1:      b       2f', '        .word   1b, 2f', '2:      b       1b', '1:      .word   1b - .'].join('\n'),
    sections: {
      '.text': '01 00 50 e2 fd ff ff 1a 00 00 00 0a 00 f0 20 e3 01 00 00 ea 10 80 00 00 1c 80 00 00 fb ff ff ea 00 00 00 00',
    },
  },
  {
    name: 'adr: ADD or SUB from the PC, and a constant offset',
    source: ['back:   nop', '        adr     r0, back', '        adr     r1, fwd', '        adr     r2, .', '        adrne   r3, fwd + 4', '        adr     r4, 8', '        adr     r5, 1f', '1:      nop', 'fwd:    nop'].join('\n'),
    sections: {
      '.text': '00 f0 20 e3 0c 00 4f e2 10 10 8f e2 08 20 4f e2 0c 30 8f 12 08 40 8f e2 04 50 4f e2 00 f0 20 e3 00 f0 20 e3',
    },
  },
  {
    name: 'ldr =: mov, mvn and movw when they fit; the pool at .ltorg and at the end of each section',
    source: [
      '        .equ    K, 0x12345678',
      'a:      ldr     r0, =0x12345678',
      '        ldr     r1, =1',
      '        ldr     r2, =0xffffffff',
      '        ldr     r3, =0xabcd',
      '        ldr     r4, =K',
      '        ldr     r5, =a',
      '        ldr     r6, =a',
      '        ldr     r7, =b + 4',
      '        ldr     r8, =.',
      '        ldr     r9, =F',
      '        ldrne   r10, =0x10000',
      'b:      nop',
      '        .equ    F, 3',
      '        .ltorg',
      '        ldr     r0, =0x12345678',
      '        .byte   1',
      '        .data',
      '        ldr     r1, =0x55555555',
      '        ldr     r2, =b',
    ].join('\n'),
    sections: {
      '.text': '28 00 9f e5 01 10 a0 e3 00 20 e0 e3 cd 3b 0a e3 18 40 9f e5 18 50 9f e5 18 60 9f e5 18 70 9f e5 18 80 9f e5 18 90 9f e5 01 a8 a0 13 00 f0 20 e3 78 56 34 12 00 80 00 00 00 80 00 00 30 80 00 00 20 80 00 00 03 00 00 00 00 00 9f e5 01 00 00 00 78 56 34 12',
      '.data': '00 10 9f e5 00 20 9f e5 55 55 55 55 2c 80 00 00',
    },
  },
  {
    name: 'sections: .data, .section with flags, .pushsection/.popsection, .previous, .bss, references across them',
    source: [
      '        .text',
      '        .globl  entry',
      'entry:  ldr     r0, =counter',
      '        ldr     r1, boot_mode_ptr',
      '        bl      hyp_helper',
      'boot_mode_ptr: .word boot_mode',
      '        .data',
      '        .align  2',
      'boot_mode: .long 0',
      'counter:   .long 0x11',
      '        .section .hyp.text,"ax",%progbits',
      'hyp_helper:',
      '        mrs     r0, cpsr',
      '        bx      lr',
      '        .pushsection .rodata.str,"a"',
      'message: .asciz "hyp"',
      '        .popsection',
      '        eret',
      '        .previous',
      '        .word   message',
      '        .bss',
      'stack:  .space  64',
      '        .text',
      '        .word   stack + 64',
    ].join('\n'),
    sections: {
      '.text': '0c 00 9f e5 00 10 9f e5 05 00 00 eb 18 80 00 00 74 80 00 00 1c 80 00 00',
      '.data': '00 00 00 00 11 00 00 00 30 80 00 00',
      '.hyp.text': '00 00 0f e1 1e ff 2f e1 6e 00 60 e1',
      '.rodata.str': '68 79 70 00',
      '.bss': '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
    },
  },
  {
    name: 'data directives',
    source: [
      "        .byte   1, -1, 'x', 0xff",
      '        .short  0x1234, -2',
      '        .hword  7',
      '        .2byte  8',
      '        .long   0xdeadbeef',
      '        .4byte  9',
      '        .quad   0x1122334455667788',
      '        .8byte  -1',
      '        .ascii  "ab\\n\\t\\\\\\"\\101\\x41", "c"',
      '        .ascii  "x" "y"',
      '        .asciz  "z", "w"',
      '        .string "s"',
      '        .space  3',
      '        .space  2, 0xab',
      '        .skip   1, 7',
      '        .zero   2',
      '        .fill   2, 4, 0x11223344',
      '        .fill   1, 8, 0x55',
      '        .fill   3',
    ].join('\n'),
    sections: {
      '.text': '01 ff 78 ff 34 12 fe ff 07 00 08 00 ef be ad de 09 00 00 00 88 77 66 55 44 33 22 11 ff ff ff ff ff ff ff ff 61 62 0a 09 5c 22 41 41 63 78 79 7a 00 77 00 73 00 00 00 00 ab ab 07 00 00 44 33 22 11 44 33 22 11 55 00 00 00 00 00 00 00 00 00 00',
    },
  },
  {
    name: 'alignment: NOP padding in code, zeros in data, explicit fill, a maximum',
    source: [
      '        nop',
      '        .align  4',
      '        nop',
      '        .byte   1',
      '        .align  3',
      '        .byte   2',
      '        .balign 8, 0xaa',
      '        .byte   3',
      '        .p2align 3,,2',
      '        .byte   4',
      '        .p2align 2',
      '        nop',
      '        .byte   5',
      '        .p2align 3',
      '        .data',
      '        .byte   1',
      '        .align  3',
      '        .byte   2',
    ].join('\n'),
    sections: {
      '.text': '00 f0 20 e3 00 f0 20 e3 00 f0 20 e3 00 f0 20 e3 00 f0 20 e3 01 00 00 a0 02 aa aa aa aa aa aa aa 03 04 00 00 00 f0 20 e3 05 00 f0 20 e3 00 00 a0',
      '.data': '01 00 00 00 00 00 00 00 02',
    },
  },
  {
    name: 'symbols: .equ, .set and = (redefinable), .org, and the kernel directives that change no bytes',
    source: [
      '        .syntax unified',
      '        .arm',
      '        .arch_extension virt',
      '        .globl  __hyp_stub_install',
      '        .type   __hyp_stub_install, %function',
      'X = 5',
      '__hyp_stub_install:',
      '        mov     r0, #X',
      '        .set    X, X + 1',
      '        mov     r1, #X',
      '        .size   __hyp_stub_install, . - __hyp_stub_install',
      '        .org    0x10',
      '        .inst   0xe160006e',
      '        .org    . + 4, 0xff',
      '        movw    r2, #:lower16:target',
      '        movt    r2, #:upper16:target',
      'target: .word   X',
    ].join('\n'),
    sections: {
      '.text': '05 00 a0 e3 06 10 a0 e3 00 00 00 00 00 00 00 00 6e 00 60 e1 ff ff ff ff 20 20 08 e3 00 20 40 e3 06 00 00 00',
    },
  },
  {
    name: 'a hyp-stub in the kernel style, as the C preprocessor leaves it (fixtures/kernel-style-hyp-stub.s)',
    source: KERNEL_STYLE_HYP_STUB,
    sections: {
      '.text': '00 40 0f e1 1f 40 04 e2 d0 50 9f e5 00 40 85 e5 00 40 0f e1 1f 40 04 e2 c4 50 9f e5 00 60 95 e5 06 00 54 e1 01 00 00 0a 01 6c 86 e3 00 60 85 e5 1a 00 54 e3 1e ff 2f 11 80 70 8f e2 10 7f 8c ee 1e ff 2f e1 00 00 30 e3 01 00 00 1a 10 1f 8c ee 06 00 00 ea 01 00 30 e3 00 00 00 1a 11 ff 2f e1 02 00 30 e3 01 00 00 0a 78 00 9f e5 6e 00 60 e1 00 00 a0 e3 6e 00 60 e1 00 10 a0 e1 00 00 a0 e3 70 00 40 e1 1e ff 2f e1 00 10 a0 e1 01 00 a0 e3 70 00 40 e1 1e ff 2f e1 02 00 a0 e3 70 00 40 e1 1e ff 2f e1 00 f0 20 e3 00 f0 20 e3 00 f0 20 e3 00 f0 20 e3 00 f0 20 e3 00 f0 20 e3 00 f0 20 e3 fe ff ff ea fe ff ff ea fe ff ff ea fe ff ff ea fe ff ff ea da ff ff ea fe ff ff ea fe ff ff ea ec 80 00 00 ec 80 00 00 11 ca ad 0b',
      '.data': '00 00 00 00',
    },
  },
];
