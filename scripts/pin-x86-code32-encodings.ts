/**
 * Regenerate `test/arch/x86_64/fixtures/encodings-code32.json`: the 32-bit
 * code forms of `test/arch/x86_64/code32-forms.ts` (compatibility mode with
 * CS.D = 1), each with llvm-mc's encoding under `-triple=i386` and
 * llvm-mc's AT&T disassembly of it; and `encodings-code32-intel.json`,
 * llvm-mc's Intel text of each encoding that llvm-mc assembles back to the
 * same bytes. Run with
 * `npx tsx scripts/pin-x86-code32-encodings.ts`; review the diff.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { llvmObject } from '../test/support/elf-object.ts';
import { code32Forms } from '../test/arch/x86_64/code32-forms.ts';
import { llvmAssemble32, llvmAssembleIntel32, llvmDisassemble, llvmMcAvailable } from '../test/arch/x86_64/llvm-mc.ts';

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../test/arch/x86_64/fixtures/encodings-code32.json');
const OUT_INTEL = resolve(dirname(fileURLToPath(import.meta.url)), '../test/arch/x86_64/fixtures/encodings-code32-intel.json');

function main(): number {
  if (!llvmMcAvailable()) {
    console.error('pin-x86-code32-encodings: llvm-mc is not on PATH');
    return 1;
  }
  const forms = code32Forms();
  const assembled = llvmAssemble32(forms.map((f) => f.text));
  const failures = forms.flatMap((f, i) => {
    const a = assembled[i]!;
    return 'error' in a ? [`  ${f.text}: ${a.error}`] : [];
  });
  if (failures.length > 0) {
    console.error(`pin-x86-code32-encodings: llvm-mc rejected ${failures.length} form(s):\n${failures.join('\n')}`);
    return 1;
  }
  // A branch to `.+N` shows fixup placeholders in -show-encoding: take its bytes from an object file of its own.
  const bytes = assembled.map((a, i) => {
    const shown = 'bytes' in a ? a.bytes : '';
    if (!/[A-Z]/.test(shown)) return shown;
    const object = llvmObject(`${forms[i]!.text}\n`, ['-triple=i386']);
    if ('error' in object) throw new Error(`${forms[i]!.text}: ${object.error}`);
    const text = object.object.sections.find((section) => section.name === '.text')!;
    return [...text.bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  });
  const att = llvmDisassemble(bytes, 'att', 'i386');
  // Intel: llvm-mc's Intel text of each encoding, kept where llvm-mc assembles it back to the same bytes.
  const intel = llvmDisassemble(bytes, 'intel', 'i386');
  const back = llvmAssembleIntel32(intel);
  const intelPins = intel.flatMap((text, i) => {
    const a = back[i]!;
    return !('error' in a) && a.bytes === bytes[i] ? [{ text, bytes: bytes[i]!, disasm: text }] : [];
  });
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `[\n${forms.map((f, i) => `  ${JSON.stringify({ text: f.text, bytes: bytes[i]!, disasm: att[i]! })}`).join(',\n')}\n]\n`);
  writeFileSync(OUT_INTEL, `[\n${intelPins.map((p) => `  ${JSON.stringify(p)}`).join(',\n')}\n]\n`);
  console.log(`pin-x86-code32-encodings: wrote ${forms.length} AT&T and ${intelPins.length} Intel encodings to ${dirname(OUT)}`);
  return 0;
}

process.exitCode = main();
