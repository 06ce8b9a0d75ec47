/**
 * Every x86-64 form is pinned to llvm-mc in AT&T syntax
 * (`fixtures/encodings.json`) and, for every form llvm-mc's Intel text
 * assembles back to the same bytes, in Intel syntax
 * (`fixtures/encodings-intel.json`), both written by `npm run pin:x86_64`;
 * the suite is the one every backend runs (`test/support/pinned-encodings.ts`).
 * No llvm-mc is needed to run this file.
 */

import { readFileSync } from 'node:fs';
import { X86_INSTRUCTION_SETS } from '../../../arch/x86_64/core.ts';
import { decodeBytes, isInsn, X86_TABLE } from '../../../arch/x86_64/table.ts';
import { pinnedEncodingSuite } from '../../support/pinned-encodings.ts';
import { x86Forms } from './forms.ts';

/** The row an encoding decodes to. */
function rowOf(bytes: Uint8Array): string | undefined {
  const d = decodeBytes(bytes);
  return isInsn(d) && d.length === bytes.length ? d.row.name : undefined;
}

/**
 * llvm-mc prints a relative branch's displacement (`jmp 16`); hyplay prints
 * its target at the instruction's address (`jmp 0x12` at 0), which is also
 * what its assembler reads back. The fixture's displacement is turned into
 * that target here.
 */
function expectedDisasm(fixture: { readonly bytes: string; readonly disasm: string }): string {
  const m = /^(j[a-z]+|callq) (-?\d+)$/.exec(fixture.disasm);
  if (m === null) return fixture.disasm;
  const length = fixture.bytes.split(' ').length;
  return `${m[1]} 0x${BigInt.asUintN(64, BigInt(length) + BigInt(m[2]!)).toString(16)}`;
}

const attForms = x86Forms();
const intelFixtures: readonly { text: string; bytes: string }[] = JSON.parse(readFileSync(new URL('./fixtures/encodings-intel.json', import.meta.url), 'utf8'));
const rowByBytes = new Map(JSON.parse(readFileSync(new URL('./fixtures/encodings.json', import.meta.url), 'utf8')).map((f: { bytes: string; text: string }) => [f.bytes, attForms.find((a) => a.text === f.text)?.row]));

pinnedEncodingSuite({
  arch: 'x86_64 (AT&T)',
  fixtures: new URL('./fixtures/encodings.json', import.meta.url),
  set: X86_INSTRUCTION_SETS.att,
  rowOf,
  rowNames: X86_TABLE.rows.filter((r) => r.modes !== '32').map((r) => r.name),
  forms: () => attForms,
  minimum: 600,
  expectedDisasm,
});

pinnedEncodingSuite({
  arch: 'x86_64 (Intel)',
  fixtures: new URL('./fixtures/encodings-intel.json', import.meta.url),
  set: X86_INSTRUCTION_SETS.intel,
  rowOf,
  // Branch rows are pinned in AT&T only: llvm-mc's Intel text for them is a displacement it does not read back.
  rowNames: X86_TABLE.rows.filter((r) => r.modes !== '32' && !r.operands.some((o) => o.kind === 'J')).map((r) => r.name),
  forms: () => intelFixtures.map((f) => ({ text: f.text, row: (rowByBytes.get(f.bytes) as string | undefined) ?? '?' })),
  minimum: 600,
});
