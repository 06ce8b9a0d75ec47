/**
 * Kernel-style A32 assembly: the cases of `assembly-cases.ts` (expressions,
 * numeric labels, adr, ldr = with its literal pool, sections, data,
 * alignment, symbols, and a hyp-stub written in the kernel's style) give
 * the pinned section bytes, and the bytes llvm-mc gives where it is
 * installed; the arm32-only syntax gets one-line errors where it is wrong.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_INSTRUCTION_SET } from '../../../arch/arm32/core.ts';
import { assemble, type AssembledProgram } from '../../../src/isa/assembler.ts';
import { assemblyFailure } from '../../support/assembly-failure.ts';
import { llvmSections, programSections } from '../../support/elf-object.ts';
import { llvmMcAvailable } from '../../support/llvm-mc.ts';
import { ARM32_ASSEMBLY_CASES, ASSEMBLY_BASE, KERNEL_STYLE_HYP_STUB } from './assembly-cases.ts';
import { CODE, runProgram } from './machine-harness.ts';

const available = llvmMcAvailable();
if (!available) console.warn('arm32 assembly.test.ts: llvm-mc is not on PATH; the live llvm-mc comparison is skipped (the pinned bytes still run)');

const LLVM = ['-triple=armv7a', '-mattr=+virtualization'];

function asm(source: string, base = ASSEMBLY_BASE): AssembledProgram {
  return assemble(ARM32_INSTRUCTION_SET, source, base);
}

/** The error `source` gives, as `in.s:line:column: message`. */
function failure(source: string): string {
  return assemblyFailure(ARM32_INSTRUCTION_SET, source, ASSEMBLY_BASE);
}

describe('kernel-style arm32 assembly, pinned to llvm-mc', () => {
  it.each(ARM32_ASSEMBLY_CASES.map((c) => [c.name, c] as const))('%s', (_, one) => {
    expect(programSections(asm(one.source))).toEqual(one.sections);
  });

  it('places the hyp-stub as the kernel would use it: vectors 32-byte aligned, __boot_cpu_mode in .data after .text', () => {
    const program = asm(KERNEL_STYLE_HYP_STUB);
    expect(program.sections.map((s) => [s.name, s.flags])).toEqual([
      ['.text', 'ax'],
      ['.data', 'aw'],
    ]);
    const vectors = program.symbols.get('__hyp_stub_vectors')!;
    expect(vectors % 32).toBe(0);
    expect(program.symbols.get('__boot_cpu_mode')).toBe(program.sections[1]!.address);
    // The trap slot branches to the dispatcher; the other slots spin.
    const word = (address: number): number => new DataView(program.bytes.buffer, address - program.base).getUint32(0, true);
    expect(word(vectors)).toBe(0xeafffffe);
    expect(((word(vectors + 0x14) << 8) >> 8) * 4 + vectors + 0x14 + 8).toBe(program.symbols.get('__hyp_stub_do_trap'));
    // HVC_STUB_ERR is no rotated 8-bit value or 16-bit one: it comes from the literal pool at the end of .text.
    const items = program.items.filter((i) => i.text === '.word 0xbadca11');
    expect(items.map((i) => i.section)).toEqual(['.text']);
  });
});

describe('the kernel-style hyp-stub runs', () => {
  it('records the boot mode, answers a non-stub call with HVC_STUB_ERR, and sets HVBAR through __hyp_set_vectors', () => {
    // A caller in svc, first in .text, with HVBAR already at the stub's vectors (as __hyp_stub_install_secondary leaves it).
    const driver = ['        .text', 'driver: bl      __hyp_stub_install', '        mov     r0, #5', '        hvc     #0', '        mov     r8, r0', '        ldr     r0, =0x4000', '        bl      __hyp_set_vectors', '        mov     r9, r0', '        wfi'];
    const source = `${driver.join('\n')}\n${KERNEL_STYLE_HYP_STUB}`;
    const vectors = asm(source, CODE).symbols.get('__hyp_stub_vectors')!;
    const ran = runProgram(source, { mode: 'svc', setup: (machine) => machine.setRegister('hvbar', BigInt(vectors)) });
    expect(ran.r('r8')).toBe(0xbadca11); // r0 = 5 is no stub call (r0 >= HVC_STUB_HCALL_NR)
    expect(ran.r('r9')).toBe(0); // HVC_SET_VECTORS returns 0 ...
    expect(ran.r('hvbar')).toBe(0x4000); // ... with HVBAR <- r1
    expect(ran.machine.memory.read32(ran.label('__boot_cpu_mode'))).toBe(0x13); // svc
    expect(ran.machine.mode()).toBe('svc'); // every call came back
  });
});

describe.skipIf(!available)('kernel-style arm32 assembly against llvm-mc, live', () => {
  it.each(ARM32_ASSEMBLY_CASES.map((c) => [c.name, c] as const))('%s', (_, one) => {
    const program = asm(one.source);
    const placement = new Map(program.sections.map((s) => [s.name, s.address]));
    expect(programSections(program)).toEqual(llvmSections(one.source, LLVM, placement));
  });
});

describe('arm32 assembly errors', () => {
  it.each([
    ['a C preprocessor directive', '#include <linux/linkage.h>', "in.s:1:1: C preprocessor directive '#include': run this file through the C preprocessor first (cpp, or gcc -E) and assemble its output"],
    ['an indented one', 'nop\n  #ifdef CONFIG_KVM', "in.s:2:3: C preprocessor directive '#ifdef': run this file through the C preprocessor first (cpp, or gcc -E) and assemble its output"],
    ['a position after a line marker', '# 40 "arch/arm/kernel/hyp-stub.S"\nnop\nfrob r0', "arch/arm/kernel/hyp-stub.S:41:1: unknown mnemonic 'frob'"],
    ['Thumb', '.thumb', "in.s:1:1: '.thumb' is not supported: Thumb is not modelled (A32 only)"],
    ['.code 16', '.code 16', 'in.s:1:7: .code: expected 32 (A32; Thumb is not modelled)'],
    ['divided syntax', '.syntax divided', 'in.s:1:9: .syntax: expected unified (the only syntax hyplay reads)'],
    ['a macro', '.macro store_mode reg\n.endm', "in.s:1:1: '.macro' is not supported: macros are not supported: expand them first (e.g. assemble with GNU as -al, or write the instructions out)"],
    ['an unknown directive', '.frobnicate 1', "in.s:1:1: unknown directive '.frobnicate'"],
    ['adr out of reach', 'adr r0, far\n.space 0x1001\nfar: nop', "in.s:1:9: adr: offset 4093 to 'far' is not a rotated 8-bit value (out of range of adr; use ldr rN, =label)"],
    ['a literal pool out of reach', 'ldr r0, =0x12345678\n.space 5000', 'in.s:1:9: the literal pool is 4996 bytes away, out of range -4095..4095 (place one nearer with .ltorg)'],
    ['a literal that does not fit', 'ldr r0, =0x123456789', 'in.s:1:9: value 0x123456789 does not fit 32 bits'],
    [':lower16: on a branch', 'b #:lower16:x\nx:', "in.s:1:3: ':lower16:' does not go with a PC-relative target"],
    [':upper16: in ldr =', 'ldr r0, =:upper16:x\nx:', "in.s:1:9: ':upper16:' does not go with ldr rN, =value (use movw and movt)"],
    ['an undefined symbol in ldr =', 'ldr r0, =nowhere', "in.s:1:10: undefined symbol 'nowhere'"],
    ['an undefined numeric label', 'b 1f', "in.s:1:3: undefined symbol '1f'"],
    ['a label in a load that is a number', 'ldr r0, 0x10', "in.s:1:9: expected a label or an address in brackets, got the number '0x10'"],
    ['code in .bss', '.bss\nnop', "in.s:2:1: section '.bss' is %nobits: it holds zeros only (.space, .zero, alignment)"],
    ['code in an unloaded section', '.section .hyp.text\nnop', 'in.s:2:1: section \'.hyp.text\' is not loaded (no "a" flag), so it cannot hold code or data; declare it with flags, e.g. .section .hyp.text,"ax"'],
    ['a bad label', '1x: nop', "in.s:1:1: bad label name '1x'"],
    ['a misplaced label', 'nop here: nop', "in.s:1:5: misplaced label 'here': a label starts its statement"],
  ])('%s', (_, source, expected) => {
    expect(failure(source)).toBe(expected);
  });

  it('treats a # that does not start a statement as an immediate, and one that does as a comment', () => {
    expect(programSections(asm('# a comment, as in llvm-mc\nmov r0, #1 @ trailing\n  # another'))).toEqual({ '.text': '01 00 a0 e3' });
  });

  it('accepts the target and unwinding directives GNU as would, changing no bytes', () => {
    const source = ['.fpu vfpv3', '.arch armv7-a', '.cpu cortex-a15', '.eabi_attribute 6, 10', '.object_arch armv7-a', '.fnstart', '.save {r4, lr}', '.setfp r11, sp, #8', '.pad #16', '.cantunwind', '.fnend', '.file "x.c"', '.ident "GCC"', '.cfi_startproc', '.cfi_endproc', 'nop'].join('\n');
    expect(programSections(asm(source))).toEqual({ '.text': '00 f0 20 e3' });
  });

  it('places the pool at .pool as at .ltorg, and leaves a section without pending literals alone', () => {
    const source = (directive: string): string => `ldr r0, =0x12345678\nb 1f\n${directive}\n1: ldr r1, =0x12345678\n${directive}\n${directive}`;
    expect(programSections(asm(source('.pool')))).toEqual(programSections(asm(source('.ltorg'))));
    expect(programSections(asm(source('.pool')))).toEqual({ '.text': '00 00 9f e5 00 00 00 ea 78 56 34 12 04 10 1f e5 78 56 34 12' }); // as llvm-mc gives
    expect(failure('.ltorg now')).toBe('in.s:1:8: .ltorg takes no arguments');
  });

  it('lists .inst as an instruction, and a .space as one item', () => {
    const program = asm('.inst 0xe160006e\n.space 0x10000\nnop');
    expect(program.items.map((i) => [i.text, i.bytes.length, i.instruction])).toEqual([
      ['.inst 0xe160006e', 4, true],
      ['.space 0x10000', 0x10000, false],
      ['nop', 4, true],
    ]);
    expect(ARM32_INSTRUCTION_SET.disassembleOne(program.items[0]!.bytes, program.items[0]!.address)?.text).toBe('eret');
  });
});
