/**
 * The assembler never lets anything but an {@link AssemblyError} out, and
 * every error is one line with a position inside the input: seeded random
 * sources built from real mnemonics, directives, operands and garbage,
 * through both backends' instruction sets.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_INSTRUCTION_SET } from '../../arch/arm32/core.ts';
import { ppc64InstructionSet } from '../../arch/ppc64/core.ts';
import { assemble, AssemblyError, type InstructionSet } from '../../src/isa/assembler.ts';

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'mov', 'ldr', 'adr', 'b', 'bl', 'bne', 'hvc', 'mcr', 'push', 'ldm', 'li', 'lis', 'addi', 'ld', 'std', 'sc', 'bdnz', 'blr', 'nop', 'eret',
  'r0', 'r1', 'pc', 'sp', 'lr', '3', '%r3', 'cr0', 'p15', 'c12', '#0', '#-1', '#0x10000', '=0x12345678', '=label', '=', '#', '@', '@ha', '@l', '@toc',
  ':lower16:', '[r1, #4]', '[r1]!', '{r0-r3}', '{', '}', '(', ')', '8(1)', '1b', '1f', '2f', '.', '. + 4', 'label', 'label:', '1:', 'x =', ',', ', ',
  '"str"', '"unterminated', "'a'", "'", "'\\n'", ';', '/*', '*/', '//', '\\', '~', '!', '<<', '>>', '&&', '||', '==', '*', '/ 0', '% 0', '+', '-',
  '.text', '.data', '.bss', '.section', '.section .x,"ax"', '.pushsection', '.popsection', '.previous', '.globl', '.type', '%function', '.size',
  '.equ', '.set', '.equiv', '.word', '.long', '.quad', '.llong', '.byte', '.ascii', '.asciz', '.space', '.fill', '.align', '.balign', '.p2align',
  '.org', '.ltorg', '.inst', '.machine', '.abiversion', '.syntax', 'unified', '.arm', '.thumb', '.macro', '.if', '.end', '.error', '.include',
  '#include', '#define', '# 1 "f.S"', '0x', '09', '0b2', '99999999999999999999999', '0xffffffffffffffff', '-0x80000000', '\t', ' ', '\u00e9', '\u0000',
];

function line(next: () => number): string {
  const count = 1 + Math.floor(next() * 6);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(PIECES[Math.floor(next() * PIECES.length)]!);
  return words.join(next() < 0.5 ? ' ' : '');
}

/** Assemble; true when it assembled, false for a (checked) error. */
function check(set: InstructionSet, source: string, seed: number): boolean {
  try {
    assemble(set, source, 0x8000);
    return true;
  } catch (error) {
    if (!(error instanceof AssemblyError)) throw new Error(`seed ${seed}: ${set.name} let ${String(error)} out for ${JSON.stringify(source)}`);
    const lines = source.split('\n').length;
    const where = `seed ${seed}: ${error.located()} for ${JSON.stringify(source)}`;
    expect(error.message.includes('\n'), where).toBe(false);
    // An internal error is a bug turned into a message: none of these inputs may cause one.
    expect(error.message.startsWith('internal error'), where).toBe(false);
    expect(error.column >= 1 && Number.isInteger(error.column), where).toBe(true);
    // A line marker in the source may renumber lines, so the bound holds only without one.
    if (!source.includes('# 1 "f.S"')) expect(error.line >= 1 && error.line <= lines, where).toBe(true);
    return false;
  }
}

describe('assembler robustness', () => {
  it.each([
    ['arm32', ARM32_INSTRUCTION_SET],
    ['ppc64', ppc64InstructionSet('big')],
  ] as const)('%s: 1500 random sources give a result or one positioned line of error', (_, set) => {
    let assembled = 0;
    for (let seed = 1; seed <= 1500; seed++) {
      const next = random(seed);
      const lines = Array.from({ length: 1 + Math.floor(next() * 4) }, () => line(next));
      if (check(set, lines.join('\n'), seed)) assembled++;
    }
    // Both outcomes happen: the battery is not all garbage, nor all fine.
    expect(assembled).toBeGreaterThan(20);
    expect(assembled).toBeLessThan(1400);
  });

  it('survives pathological single lines without exhausting the stack', () => {
    for (const set of [ARM32_INSTRUCTION_SET, ppc64InstructionSet('big')]) {
      check(set, `.word ${'('.repeat(100_000)}1`, 0);
      check(set, `.word ${'-'.repeat(100_000)}1`, 0);
      check(set, `.word ${Array(50_000).fill('1').join('+')}`, 0);
      check(set, `${'a:'.repeat(20_000)} nop`, 0);
      check(set, `"${'x'.repeat(100_000)}`, 0);
    }
  });
});
