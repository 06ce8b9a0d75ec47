/**
 * llvm-mc for arm32: the shared driver in test/support/llvm-mc.ts, aimed at
 * `-triple=armv7a -mattr=+virtualization,+trustzone,+mp` (trustzone for `smc`, mp for `pldw`: the Multiprocessing Extensions every Cortex-A15 has).
 */

import { llvmAssemble as assembleFor, llvmDisassemble as disassembleFor, type LlvmAssembly, type LlvmTarget } from '../../support/llvm-mc.ts';

export { hexBytes, llvmMcAvailable, normaliseSpace, type LlvmAssembly } from '../../support/llvm-mc.ts';

/** The arm32 target options. */
export const ARM32_LLVM: LlvmTarget = { options: ['-triple=armv7a', '-mattr=+virtualization,+trustzone,+mp'] };

/** Assemble each text with llvm-mc for arm32, in one process. */
export function llvmAssemble(texts: readonly string[]): LlvmAssembly[] {
  return assembleFor(ARM32_LLVM, texts);
}

/** Disassemble each word (hex bytes in memory order) with llvm-mc for arm32, in one process. */
export function llvmDisassemble(words: readonly string[]): (string | undefined)[] {
  return disassembleFor(ARM32_LLVM, words);
}
