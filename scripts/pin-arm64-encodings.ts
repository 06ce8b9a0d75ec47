/**
 * Regenerate `test/arch/arm64/fixtures/encodings.json`: the A64 forms from
 * `test/arch/arm64/forms.ts`, each with llvm-mc's encoding and llvm-mc's
 * disassembly of that encoding. Run with `npm run pin:arm64`; review the diff.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arm64Forms } from '../test/arch/arm64/forms.ts';
import { llvmAssemble, llvmDisassemble, llvmMcAvailable } from '../test/arch/arm64/llvm-mc.ts';

/** One pinned encoding. */
export interface PinnedEncoding {
  /** The assembly text given to llvm-mc. */
  readonly text: string;
  /** llvm-mc's encoding: lowercase space-separated hex in memory order. */
  readonly bytes: string;
  /** llvm-mc's disassembly of `bytes`, whitespace-normalised. */
  readonly disasm: string;
}

const FIXTURE = resolve(dirname(fileURLToPath(import.meta.url)), '../test/arch/arm64/fixtures/encodings.json');

function main(): number {
  if (!llvmMcAvailable()) {
    console.error('pin-arm64-encodings: llvm-mc is not on PATH');
    return 1;
  }
  const forms = arm64Forms();
  const assembled = llvmAssemble(forms.map((f) => f.text));
  const failures = forms.flatMap((f, i) => {
    const a = assembled[i]!;
    return 'error' in a ? [`  ${f.text}: ${a.error}`] : [];
  });
  if (failures.length > 0) {
    console.error(`pin-arm64-encodings: llvm-mc rejected ${failures.length} form(s):\n${failures.join('\n')}`);
    return 1;
  }
  const bytes = assembled.map((a) => ('bytes' in a ? a.bytes : ''));
  const disassembled = llvmDisassemble(bytes);
  const pinned: PinnedEncoding[] = [];
  const invalid: string[] = [];
  forms.forEach((form, i) => {
    const disasm = disassembled[i];
    if (disasm === undefined) invalid.push(`  ${form.text} (${bytes[i]})`);
    else pinned.push({ text: form.text, bytes: bytes[i]!, disasm });
  });
  if (invalid.length > 0) {
    console.error(`pin-arm64-encodings: llvm-mc cannot disassemble its own encoding of:\n${invalid.join('\n')}`);
    return 1;
  }
  mkdirSync(dirname(FIXTURE), { recursive: true });
  writeFileSync(FIXTURE, `[\n${pinned.map((p) => `  ${JSON.stringify(p)}`).join(',\n')}\n]\n`);
  console.log(`pin-arm64-encodings: wrote ${pinned.length} encodings to ${FIXTURE}`);
  return 0;
}

process.exitCode = main();
