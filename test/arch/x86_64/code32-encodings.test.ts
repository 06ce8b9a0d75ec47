/**
 * The 32-bit code forms (compatibility mode with CS.D = 1,
 * `code32-forms.ts`) pinned to llvm-mc `-triple=i386`
 * (`fixtures/encodings-code32.json`, written by
 * `npx tsx scripts/pin-x86-code32-encodings.ts`): hyplay's 32-bit assembler
 * gives llvm-mc's bytes, its disassembler llvm-mc's text, each encoding
 * decodes (as 32-bit code) to the row its form names, and every row only
 * 32-bit code has is pinned. No llvm-mc is needed to run this file.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { X86_CODE32_INSTRUCTION_SETS, X86_INSTRUCTION_SETS } from '../../../arch/x86_64/operands.ts';
import { assemble } from '../../../src/isa/assembler.ts';
import { decodeBytes, isInsn, X86_TABLE } from '../../../arch/x86_64/table.ts';
import { pinnedEncodingSuite } from '../../support/pinned-encodings.ts';
import { code32Forms } from './code32-forms.ts';

/** The row an encoding decodes to as 32-bit code. */
function rowOf(bytes: Uint8Array): string | undefined {
  const d = decodeBytes(bytes, 0, 4);
  return isInsn(d) && d.length === bytes.length ? d.row.name : undefined;
}

/** llvm-mc prints a relative branch's displacement; hyplay prints its 32-bit target at the instruction's address (0 here). */
function expectedDisasm(fixture: { readonly bytes: string; readonly disasm: string }): string {
  const m = /^(j[a-z]+|calll) (-?\d+)$/.exec(fixture.disasm);
  if (m === null) return fixture.disasm;
  const length = fixture.bytes.split(' ').length;
  return `${m[1]} 0x${BigInt.asUintN(32, BigInt(length) + BigInt(m[2]!)).toString(16)}`;
}

const ATT_FIXTURES: readonly { text: string; bytes: string }[] = JSON.parse(readFileSync(new URL('./fixtures/encodings-code32.json', import.meta.url), 'utf8'));

pinnedEncodingSuite({
  arch: 'x86 32-bit code (AT&T, -triple=i386)',
  fixtures: new URL('./fixtures/encodings-code32.json', import.meta.url),
  set: X86_CODE32_INSTRUCTION_SETS.att,
  rowOf,
  rowNames: X86_TABLE.rows.filter((r) => r.modes === '32').map((r) => r.name),
  forms: code32Forms,
  minimum: 70,
  expectedDisasm,
});

const attByBytes = new Map(code32Forms().map((f, i) => [ATT_FIXTURES[i]!.bytes, f.row] as const));
const intelFixtures: readonly { text: string; bytes: string }[] = JSON.parse(readFileSync(new URL('./fixtures/encodings-code32-intel.json', import.meta.url), 'utf8'));

pinnedEncodingSuite({
  arch: 'x86 32-bit code (Intel, -triple=i386)',
  fixtures: new URL('./fixtures/encodings-code32-intel.json', import.meta.url),
  set: X86_CODE32_INSTRUCTION_SETS.intel,
  rowOf,
  // Branch rows are pinned in AT&T only: llvm-mc's Intel text for them is a displacement it does not read back.
  rowNames: X86_TABLE.rows.filter((r) => r.modes === '32' && !r.operands.some((o) => o.kind === 'J')).map((r) => r.name),
  forms: () => intelFixtures.map((f) => ({ text: f.text, row: attByBytes.get(f.bytes) ?? '?' })),
  minimum: 60,
});

describe('x86 32-bit assembler refusals', () => {
  it.each([
    ['incq %rax', 'invalid operands'],
    ['movl %r8d, %eax', 'REX'],
    ['movb %sil, %al', 'REX'],
    ['movl (%rax), %eax', '64-bit address'],
    ['movl 4(%rip), %eax', 'RIP-relative'],
    ['pushq %rax', 'invalid operands'],
  ])('%s has no encoding in 32-bit code', (text, why) => {
    expect(() => assemble(X86_CODE32_INSTRUCTION_SETS.att, `${text}\n`, 0)).toThrow(why);
  });

  it('the same text takes a REX-free one-byte form in 32-bit code and a two-byte form in 64-bit code', () => {
    expect([...assemble(X86_CODE32_INSTRUCTION_SETS.att, 'incl %eax\n', 0).bytes]).toEqual([0x40]);
    expect([...assemble(X86_INSTRUCTION_SETS.att, 'incl %eax\n', 0).bytes]).toEqual([0xff, 0xc0]);
  });
});

describe('x86 .code32 and .code64', () => {
  it('switch the code size within one source, as llvm-mc -triple=x86_64 assembles it (bytes pinned from llvm-mc 14)', () => {
    const source = 'incl %eax\npushq %rax\n.code32\nincl %eax\npushl %eax\nmovl 0x1000, %eax\n.code64\nincl %eax\nmovl 0x1000, %eax\n';
    // llvm-mc -triple=x86_64 -filetype=obj, .text: ff c0 50 | 40 50 a1 00 10 00 00 | ff c0 8b 04 25 00 10 00 00
    const expected = 'ff c0 50 40 50 a1 00 10 00 00 ff c0 8b 04 25 00 10 00 00';
    const bytes = assemble(X86_INSTRUCTION_SETS.att, source, 0).bytes;
    expect([...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')).toBe(expected);
    // Each pass starts in the set's own code size: a second assembly is the same.
    expect([...assemble(X86_INSTRUCTION_SETS.att, source, 0).bytes]).toEqual([...bytes]);
  });

  it('.code16 is refused, and the directives take no arguments', () => {
    expect(() => assemble(X86_INSTRUCTION_SETS.att, '.code16\n', 0)).toThrow('16-bit code is not modelled');
    expect(() => assemble(X86_INSTRUCTION_SETS.att, '.code32 1\n', 0)).toThrow('takes no arguments');
  });
});
