/**
 * Regenerate `test/arch/x86_64/fixtures/encodings.json` (AT&T) and
 * `encodings-intel.json`: the forms of `test/arch/x86_64/forms.ts`, each
 * with llvm-mc's encoding and llvm-mc's disassembly of that encoding in
 * AT&T and in Intel syntax (the Intel text is checked to assemble back to
 * the same bytes with llvm-mc). Run with `npm run pin:x86_64`; review the
 * diff.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { llvmObject } from '../test/support/elf-object.ts';
import { x86Forms } from '../test/arch/x86_64/forms.ts';
import { llvmAssemble, llvmAssembleIntel, llvmDisassemble, llvmMcAvailable } from '../test/arch/x86_64/llvm-mc.ts';

/** One pinned encoding. */
export interface PinnedEncoding {
  /** The assembly text given to llvm-mc. */
  readonly text: string;
  /** llvm-mc's encoding: lowercase space-separated hex in memory order. */
  readonly bytes: string;
  /** llvm-mc's disassembly of `bytes`, whitespace-normalised. */
  readonly disasm: string;
}

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../test/arch/x86_64/fixtures');

function write(name: string, pinned: readonly PinnedEncoding[]): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(resolve(DIR, name), `[\n${pinned.map((p) => `  ${JSON.stringify(p)}`).join(',\n')}\n]\n`);
}

function main(): number {
  if (!llvmMcAvailable()) {
    console.error('pin-x86_64-encodings: llvm-mc is not on PATH');
    return 1;
  }
  const forms = x86Forms();
  const assembled = llvmAssemble(forms.map((f) => f.text));
  const failures = forms.flatMap((f, i) => {
    const a = assembled[i]!;
    return 'error' in a ? [`  ${f.text}: ${a.error}`] : [];
  });
  if (failures.length > 0) {
    console.error(`pin-x86_64-encodings: llvm-mc rejected ${failures.length} form(s):\n${failures.join('\n')}`);
    return 1;
  }
  // A branch to `.+N` shows fixup placeholders (`A`) in -show-encoding, and may relax: take its bytes from an object file of its own.
  const bytes = assembled.map((a, i) => {
    const shown = 'bytes' in a ? a.bytes : '';
    if (!/[A-Z]/.test(shown)) return shown;
    const object = llvmObject(`${forms[i]!.text}\n`, ['-triple=x86_64']);
    if ('error' in object) throw new Error(`${forms[i]!.text}: ${object.error}`);
    const text = object.object.sections.find((section) => section.name === '.text')!;
    return [...text.bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  });
  const att = llvmDisassemble(bytes, 'att');
  const intel = llvmDisassemble(bytes, 'intel');
  const back = llvmAssembleIntel(intel);
  const bad = new Set<number>();
  const mismatched = intel.flatMap((text, i) => {
    const a = back[i]!;
    if (!('error' in a) && a.bytes === bytes[i]) return [];
    bad.add(i);
    return [`  ${text}: ${'error' in a ? a.error : a.bytes} (want ${bytes[i]})`];
  });
  const intelForms = intel.map((text, i) => ({ text, bytes: bytes[i]!, disasm: text, ok: !bad.has(i) }));
  if (mismatched.length > 0) console.error(`pin-x86_64-encodings: ${mismatched.length} Intel text(s) llvm-mc does not assemble back to the same bytes (left out of the Intel pins):\n${mismatched.join('\n')}`);
  write('encodings.json', forms.map((f, i) => ({ text: f.text, bytes: bytes[i]!, disasm: att[i]! })));
  write('encodings-intel.json', intelForms.filter((f) => f.ok).map(({ text, bytes: b, disasm }) => ({ text, bytes: b, disasm })));
  console.log(`pin-x86_64-encodings: wrote ${forms.length} AT&T and ${intelForms.filter((f) => f.ok).length} Intel encodings to ${DIR}`);
  return 0;
}

process.exitCode = main();
