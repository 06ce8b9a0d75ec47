/**
 * Regenerate `test/arch/ppc64/fixtures/encodings.json`: the Power ISA forms
 * from `test/arch/ppc64/forms.ts`, each with llvm-mc's big-endian
 * (`-triple=powerpc64`) and little-endian (`-triple=powerpc64le`)
 * encodings and llvm-mc's disassembly of them (which must agree). Run with
 * `npm run pin:ppc64`; review the diff.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ppc64Forms } from '../test/arch/ppc64/forms.ts';
import { PPC64_BIG, PPC64_LITTLE } from '../test/arch/ppc64/llvm-targets.ts';
import { llvmAssemble, llvmDisassemble, llvmMcAvailable, type LlvmAssembly } from '../test/support/llvm-mc.ts';

/** One pinned encoding. */
export interface PinnedPpc64Encoding {
  /** The assembly text given to llvm-mc. */
  readonly text: string;
  /** llvm-mc's big-endian encoding: lowercase space-separated hex in memory order. */
  readonly big: string;
  /** llvm-mc's little-endian encoding. */
  readonly little: string;
  /** llvm-mc's disassembly of the encoding (the same in both byte orders), whitespace-normalised. */
  readonly disasm: string;
}

const FIXTURE = resolve(dirname(fileURLToPath(import.meta.url)), '../test/arch/ppc64/fixtures/encodings.json');

function bytesOf(assembled: readonly LlvmAssembly[]): string[] {
  return assembled.map((a) => ('bytes' in a ? a.bytes : ''));
}

function main(): number {
  if (!llvmMcAvailable()) {
    console.error('pin-ppc64-encodings: llvm-mc is not on PATH');
    return 1;
  }
  const forms = ppc64Forms();
  const texts = forms.map((f) => f.text);
  const big = llvmAssemble(PPC64_BIG, texts);
  const little = llvmAssemble(PPC64_LITTLE, texts);
  const failures = forms.flatMap((f, i) => {
    const errors = [big[i]!, little[i]!].flatMap((a) => ('error' in a ? [a.error] : []));
    return errors.length > 0 ? [`  ${f.text}: ${errors.join('; ')}`] : [];
  });
  if (failures.length > 0) {
    console.error(`pin-ppc64-encodings: llvm-mc rejected ${failures.length} form(s):\n${failures.join('\n')}`);
    return 1;
  }
  const bigBytes = bytesOf(big);
  const littleBytes = bytesOf(little);
  const bigText = llvmDisassemble(PPC64_BIG, bigBytes);
  const littleText = llvmDisassemble(PPC64_LITTLE, littleBytes);
  const pinned: PinnedPpc64Encoding[] = [];
  const problems: string[] = [];
  forms.forEach((form, i) => {
    const disasm = bigText[i];
    if (disasm === undefined) problems.push(`  ${form.text} (${bigBytes[i]}): llvm-mc cannot disassemble its own encoding`);
    else if (littleText[i] !== disasm) problems.push(`  ${form.text}: big-endian '${disasm}', little-endian '${littleText[i]}'`);
    else if (littleBytes[i] !== bigBytes[i]!.split(' ').reverse().join(' ')) problems.push(`  ${form.text}: little-endian bytes are not the big-endian bytes reversed`);
    else pinned.push({ text: form.text, big: bigBytes[i]!, little: littleBytes[i]!, disasm });
  });
  if (problems.length > 0) {
    console.error(`pin-ppc64-encodings:\n${problems.join('\n')}`);
    return 1;
  }
  mkdirSync(dirname(FIXTURE), { recursive: true });
  writeFileSync(FIXTURE, `[\n${pinned.map((p) => `  ${JSON.stringify(p)}`).join(',\n')}\n]\n`);
  console.log(`pin-ppc64-encodings: wrote ${pinned.length} encodings to ${FIXTURE}`);
  return 0;
}

process.exitCode = main();
