/**
 * llvm-mc for arm64: the shared driver in test/support/llvm-mc.ts, aimed at
 * `-triple=aarch64` (Armv8.0-A, no extensions).
 */

import { llvmAssemble as assembleFor, llvmDisassemble as disassembleFor, type LlvmAssembly, type LlvmTarget } from '../../support/llvm-mc.ts';

export { hexBytes, llvmMcAvailable, normaliseSpace, type LlvmAssembly } from '../../support/llvm-mc.ts';

/** The arm64 target options. */
export const ARM64_LLVM: LlvmTarget = { options: ['-triple=aarch64'] };

/** Assemble each text with llvm-mc for arm64, in one process. */
export function llvmAssemble(texts: readonly string[]): LlvmAssembly[] {
  return assembleFor(ARM64_LLVM, texts);
}

/** Disassemble each word (hex bytes in memory order) with llvm-mc for arm64, in one process; llvm-mc's trailing comments (`// =4096`) are dropped. */
export function llvmDisassemble(words: readonly string[]): (string | undefined)[] {
  return disassembleFor(ARM64_LLVM, words).map((text) => text?.replace(/\s*\/\/.*$/, ''));
}
