/**
 * Kernel-style Power assembly: the cases of `assembly-cases.ts` (the `@`
 * half operators with lis/addi and the 64-bit address load, numeric labels,
 * data, sections, alignment, the directives of a kernel entry point, and
 * hypervisor-call wrappers written in the kernel's style) give the pinned
 * big-endian section bytes, and the bytes llvm-mc gives in both byte orders
 * where it is installed; the ppc64-only syntax gets one-line errors where it
 * is wrong.
 */

import { describe, expect, it } from 'vitest';
import { ppc64InstructionSet } from '../../../arch/ppc64/core.ts';
import { assemble, type AssembledProgram } from '../../../src/isa/assembler.ts';
import type { Endian } from '../../../src/memory/guest-memory.ts';
import { assemblyFailure } from '../../support/assembly-failure.ts';
import { llvmSections, programSections } from '../../support/elf-object.ts';
import { llvmMcAvailable } from '../../support/llvm-mc.ts';
import { ASSEMBLY_BASE, KERNEL_STYLE_HCALL, PPC64_ASSEMBLY_CASES } from './assembly-cases.ts';

const available = llvmMcAvailable();
if (!available) console.warn('ppc64 assembly.test.ts: llvm-mc is not on PATH; the live llvm-mc comparison is skipped (the pinned bytes still run)');

function asm(source: string, endian: Endian = 'big'): AssembledProgram {
  return assemble(ppc64InstructionSet(endian), source, ASSEMBLY_BASE);
}

/** The error `source` gives, as `in.s:line:column: message`. */
function failure(source: string): string {
  return assemblyFailure(ppc64InstructionSet('big'), source, 0x4000);
}

describe('kernel-style ppc64 assembly, pinned to llvm-mc', () => {
  it.each(PPC64_ASSEMBLY_CASES.map((c) => [c.name, c] as const))('%s', (_, one) => {
    expect(programSections(asm(one.source))).toEqual(one.sections);
  });

  it('gives the same instructions little-endian, each word byte-swapped', () => {
    const big = asm(KERNEL_STYLE_HCALL, 'big').bytes;
    const little = asm(KERNEL_STYLE_HCALL, 'little').bytes;
    const text = 136; // .text only: .data holds a doubleword, swapped as a whole
    for (let i = 0; i < text; i += 4) expect([...little.subarray(i, i + 4)]).toEqual([...big.subarray(i, i + 4)].reverse());
  });
});

describe.skipIf(!available)('kernel-style ppc64 assembly against llvm-mc, live', () => {
  for (const [endian, triple] of [
    ['big', 'powerpc64'],
    ['little', 'powerpc64le'],
  ] as const) {
    it.each(PPC64_ASSEMBLY_CASES.map((c) => [c.name, c] as const))(`${endian}-endian: %s`, (_, one) => {
      const program = asm(one.source, endian);
      const placement = new Map(program.sections.map((s) => [s.name, s.address]));
      expect(programSections(program)).toEqual(llvmSections(one.source, [`-triple=${triple}`], placement));
    });
  }
});

describe('ppc64 assembly errors', () => {
  it.each([
    ['a relocation that needs a linker', 'ld 3, x@toc(2)\nx:', "in.s:1:8: relocation '@toc' needs a linker, which hyplay does not have"],
    ['a half where the field is no halfword', 'sldi 3, 3, x@l\nx:', "in.s:1:12: '@l' gives a 16-bit half, which this immediate does not take"],
    ['a half on a branch', 'b x@l\nx:', "in.s:1:3: '@l' does not go with a branch target"],
    ['an immediate out of range', 'li 3, 0x8000', 'in.s:1:7: immediate 0x8000 out of range -32768..32767'],
    ['a TOC entry', '.tc x[TC], x', "in.s:1:1: '.tc' is not supported: TOC entries are placed by a linker, which hyplay does not have"],
    ['a .machine without a name', '.machine', 'in.s:1:9: .machine: expected a machine name (power8, push, pop, "any", …)'],
    ['.llong out of 64 bits', '.llong 0x10000000000000000', 'in.s:1:8: number 0x10000000000000000 does not fit 64 bits'],
    ['a .word too wide (it is 2 bytes here)', '.word 0x10000', 'in.s:1:7: value 0x10000 does not fit 16 bits'],
  ])('%s', (_, source, expected) => {
    expect(failure(source)).toBe(expected);
  });

  it('reads a C preprocessor line as a comment, as llvm-mc -triple=powerpc64 does, and says so when its #define is missed', () => {
    expect(programSections(asm('#include <asm/ppc_asm.h>\n#ifdef CONFIG_PPC64\nli 3, 1\n#endif'))).toEqual({ '.text': '38 60 00 01' });
    expect(failure('#define H_CEDE 0xe0\n        li 3, H_CEDE')).toBe(
      "in.s:2:15: undefined symbol 'H_CEDE': line 1 defines it with '#define', which is a comment here; run the file through the C preprocessor first",
    );
  });
});
