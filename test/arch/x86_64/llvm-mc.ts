/**
 * llvm-mc for x86_64: the shared driver in test/support/llvm-mc.ts, aimed at
 * `-triple=x86_64`, plus a disassembler of variable-length encodings (each
 * a complete instruction: llvm-mc reads its input as one byte stream, so
 * the printed lines line up with the encodings only when every one decodes
 * to exactly one instruction, which is checked).
 */

import { spawnSync } from 'node:child_process';
import { LLVM_MC, llvmAssemble as assembleFor, normaliseSpace, type LlvmAssembly, type LlvmTarget } from '../../support/llvm-mc.ts';

export { hexBytes, llvmMcAvailable, normaliseSpace, type LlvmAssembly } from '../../support/llvm-mc.ts';

/** The x86_64 target options (AT&T syntax). */
export const X86_LLVM: LlvmTarget = { options: ['-triple=x86_64'] };

/** Assemble each AT&T text with llvm-mc, in one process. */
export function llvmAssemble(texts: readonly string[]): LlvmAssembly[] {
  return assembleFor(X86_LLVM, texts);
}

/** The 32-bit code target (compatibility mode with CS.D = 1), AT&T syntax. */
export const I386_LLVM: LlvmTarget = { options: ['-triple=i386'] };

/** Assemble each AT&T text as 32-bit code with llvm-mc (`-triple=i386`), in one process. */
export function llvmAssemble32(texts: readonly string[]): LlvmAssembly[] {
  return assembleFor(I386_LLVM, texts);
}

/** Assemble each Intel-syntax text as 32-bit code with llvm-mc (`-triple=i386`), in one process. */
export function llvmAssembleIntel32(texts: readonly string[]): LlvmAssembly[] {
  return assembleFor({ options: ['-triple=i386', '-x86-asm-syntax=intel'] }, texts);
}

/** Assemble each Intel-syntax text with llvm-mc, in one process. */
export function llvmAssembleIntel(texts: readonly string[]): LlvmAssembly[] {
  return assembleFor({ options: ['-triple=x86_64', '-x86-asm-syntax=intel'] }, texts);
}

/**
 * Disassemble each encoding (hex bytes in memory order, one instruction
 * each) with one llvm-mc process, in AT&T (`att`) or Intel syntax; llvm-mc's
 * trailing comments (`# imm = 0x100`) are dropped; `triple` is `i386` for
 * 32-bit code. Throws when the printed
 * instructions do not line up with the encodings.
 */
export function llvmDisassemble(encodings: readonly string[], syntax: 'att' | 'intel' = 'att', triple = 'x86_64'): string[] {
  const input = encodings.map((w) => w.split(' ').map((b) => `0x${b}`).join(' ')).join('\n') + '\n';
  const args = ['-disassemble', `-triple=${triple}`, ...(syntax === 'intel' ? ['-output-asm-variant=1'] : [])];
  const result = spawnSync(LLVM_MC, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) throw result.error;
  if (/error|warning/.test(result.stderr)) throw new Error(`llvm-mc: ${result.stderr.split('\n')[0]}`);
  const printed = result.stdout
    .split('\n')
    .map((line) => normaliseSpace(line.replace(/#.*$/, '')))
    .filter((line) => line !== '' && line !== '.text')
    // A LOCK prefix prints on a line of its own: join it to its instruction.
    .reduce<string[]>((lines, line) => {
      if (lines.length > 0 && lines[lines.length - 1] === 'lock') lines[lines.length - 1] = `lock ${line}`;
      else lines.push(line);
      return lines;
    }, []);
  if (printed.length !== encodings.length) throw new Error(`llvm-mc printed ${printed.length} instructions for ${encodings.length} encodings`);
  return printed;
}
