/**
 * Every x86_64 ABI spec, and the overlaps between them that are intended.
 * The specs themselves are the x86 ABI work (issue 11 §2); until they land
 * the lists are empty and the backend answers every trap as unclaimed.
 *
 * @module
 */

import type { AllowedCollision } from '../../../src/abi/registry.ts';
import type { Abi } from '../../../src/abi/spec.ts';

/** The x86_64 specs. */
export const X86_64_ABIS: readonly Abi[] = [];

/** Intended overlaps between x86_64 specs, each with its reason. */
export const X86_64_ALLOWED_COLLISIONS: readonly AllowedCollision[] = [];
