/**
 * The llvm-mc targets that are the ppc64 encoding oracle: llvm-mc 14,
 * 64-bit PowerPC, big-endian and little-endian.
 *
 * @module
 */

import type { LlvmTarget } from '../../support/llvm-mc.ts';

/** `-triple=powerpc64`: big-endian. */
export const PPC64_BIG: LlvmTarget = { options: ['-triple=powerpc64'] };

/** `-triple=powerpc64le`: little-endian. */
export const PPC64_LITTLE: LlvmTarget = { options: ['-triple=powerpc64le'] };
