/**
 * Kernel-style Power assembly cases: each a small source and the bytes of
 * each section, pinned to what llvm-mc 14 (`-triple=powerpc64
 * -filetype=obj`, big-endian) gives once its relocations are applied for
 * hyplay's placement of the sections at {@link ASSEMBLY_BASE}.
 * `assembly.test.ts` checks hyplay against the pins, and against llvm-mc
 * live (both byte orders) where it is installed. Re-pin with
 * `npx tsx scripts/pin-assembly-cases.ts`.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import type { AssemblyCase } from '../arm32/assembly-cases.ts';

/** The kernel-style hypervisor-call wrappers beside these cases (`fixtures/kernel-style-hcall.s`). */
export const KERNEL_STYLE_HCALL = readFileSync(new URL('./fixtures/kernel-style-hcall.s', import.meta.url), 'utf8');

/** Where the cases are assembled (an address with all four halves non-zero, so every `@` operator has something to show). */
export const ASSEMBLY_BASE = 0x1234_5678_0000;

/** The cases. */
export const PPC64_ASSEMBLY_CASES: readonly AssemblyCase[] = [
  {
    name: 'the @ half operators on labels and constants (lis/addi, the 64-bit load of a kernel address)',
    source: [
      '        .equ    MAGIC, 0x123456789abcdef0',
      '        lis     3, target@ha',
      '        addi    3, 3, target@l',
      '        lis     4, target@h',
      '        ori     4, 4, target@l',
      '        lis     5, target@highest',
      '        ori     5, 5, target@higher',
      '        rldicr  5, 5, 32, 31',
      '        oris    5, 5, target@h',
      '        ori     5, 5, target@l',
      '        lis     6, MAGIC@highesta',
      '        addi    6, 6, MAGIC@highera',
      '        li      7, (0x12348000)@ha',
      '        li      8, 0x12348000@l',
      '        lwz     9, target@l(10)',
      '        ld      11, (8 + 8)(1)',
      "        li      12, 'a'",
      '        addi    13, 13, (1 << 5) | 3',
      'target: nop',
    ].join('\n'),
    sections: {
      '.text': '3c 60 56 78 38 63 00 44 3c 80 56 78 60 84 00 44 3c a0 00 00 60 a5 12 34 78 a5 07 c6 64 a5 56 78 60 a5 00 44 3c c0 12 34 38 c6 56 78 38 e0 12 35 39 00 80 00 81 2a 00 44 e9 61 00 10 39 80 00 61 39 ad 00 23 60 00 00 00',
    },
  },
  {
    name: 'numeric local labels and branches in both directions',
    source: ['1:      addi    3, 3, -1', '        cmpdi   3, 0', '        bne     1b', '        beq     1f', '        bl      2f', '1:      bdnz    1b', '2:      blr', '        b       1b', '        .long   2b - ., 1b - 2b'].join('\n'),
    sections: {
      '.text': '38 63 ff ff 2c 23 00 00 40 82 ff f8 41 82 00 08 48 00 00 09 42 00 00 00 4e 80 00 20 4b ff ff f8 ff ff ff f8 ff ff ff fc',
    },
  },
  {
    name: 'data directives (.word is 2 bytes here, .llong 8)',
    source: [
      "        .byte   1, -1, 'x'",
      '        .word   0x1234',
      '        .short  -2',
      '        .long   0xdeadbeef',
      '        .llong  0x1122334455667788',
      '        .quad   here',
      'here:   .asciz  "kernel"',
      '        .ascii  "a\\tb"',
      '        .space  3, 0xee',
      '        .fill   2, 8, 0x11223344',
      '        .fill   1, 3, 0x112233',
    ].join('\n'),
    sections: {
      '.text': '01 ff 78 12 34 ff fe de ad be ef 11 22 33 44 55 66 77 88 00 00 12 34 56 78 00 1b 6b 65 72 6e 65 6c 00 61 09 62 ee ee ee 11 22 33 44 00 00 00 00 11 22 33 44 00 00 00 00 11 22 33',
    },
  },
  {
    name: 'sections and references across them',
    source: [
      '        .section ".head.text","ax"',
      'start:  lis     3, value@ha',
      '        ld      4, value@l(3)',
      '        b       later',
      '        .data',
      '        .balign 8',
      'value:  .llong  start',
      '        .pushsection .rodata,"a"',
      'name:   .asciz  "hv"',
      '        .popsection',
      '        .llong  name',
      '        .text',
      'later:  li      3, 0',
      '        .bss',
      '        .space  16',
    ].join('\n'),
    sections: {
      '.text': '38 60 00 00',
      '.head.text': '3c 60 56 78 e8 83 00 10 4b ff ff f4',
      '.data': '00 00 12 34 56 78 00 04 00 00 12 34 56 78 00 20',
      '.rodata': '68 76 00',
      '.bss': '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
    },
  },
  {
    name: 'alignment: NOP padding in code, zeros in data',
    source: ['        nop', '        .align  4', '        .byte   1', '        .align  3', '        nop', '        .p2align 4, 0x55', '        .data', '        .byte   1', '        .align  3', '        .byte   2'].join('\n'),
    sections: {
      '.text': '60 00 00 00 60 00 00 00 60 00 00 00 60 00 00 00 01 60 00 00 00 00 00 00 60 00 00 00 55 55 55 55',
      '.data': '01 00 00 00 00 00 00 00 02',
    },
  },
  {
    name: 'the directives of a kernel entry point, and a C preprocessor line marker',
    source: [
      '# 1 "arch/powerpc/kernel/entry.S"',
      '        .abiversion 2',
      '        .machine push',
      '        .machine "power8"',
      '        .globl  entry',
      '        .type   entry, @function',
      '        .balign 4',
      'entry:  mflr    0',
      '        std     0, 16(1)',
      '        .localentry entry, . - entry',
      '        ld      0, 16(1)',
      '        mtlr    0',
      '        blr',
      '        .size   entry, . - entry',
      '        .machine pop',
      '        .set    DEPTH, 3',
      '        .long   DEPTH * 4, 1 ! 2',
    ].join('\n'),
    sections: {
      '.text': '7c 08 02 a6 f8 01 00 10 e8 01 00 10 7c 08 03 a6 4e 80 00 20 00 00 00 0c ff ff ff fd',
    },
  },
  {
    name: 'hypervisor-call wrappers in the kernel style, as the C preprocessor leaves them (fixtures/kernel-style-hcall.s)',
    source: KERNEL_STYLE_HCALL,
    sections: {
      '.text': '7c 00 00 26 90 01 00 08 44 00 00 22 80 01 00 08 7c 0f f1 20 4e 80 00 20 7c 00 00 26 90 01 00 08 f8 81 00 20 7c a4 2b 78 7c c5 33 78 7c e6 3b 78 7d 07 43 78 44 00 00 22 e9 81 00 20 f8 8c 00 00 f8 ac 00 08 f8 cc 00 10 f8 ec 00 18 3d 60 00 00 61 6b 12 34 79 6b 07 c6 65 6b 56 78 61 6b 00 88 e9 4b 00 00 39 4a 00 01 f9 4b 00 00 2c 23 00 00 41 82 00 0c 38 80 ff ff f8 8c 00 00 80 01 00 08 7c 0f f1 20 4e 80 00 20',
      '.data': '00 00 00 00 00 00 00 00',
    },
  },
];
