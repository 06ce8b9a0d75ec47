/**
 * Every arm64 ABI spec, and the overlaps between them that are intended.
 * The specs themselves (issue 10 §2) are written in this directory, one
 * family per `*.abi.ts` file; until they land the lists are empty and
 * `hyplay dispatch arm64 …` answers that no spec claims the trap.
 *
 * @module
 */

import type { AllowedCollision } from '../../../src/abi/registry.ts';
import type { Abi } from '../../../src/abi/spec.ts';

/** The arm64 specs. */
export const ARM64_ABIS: readonly Abi[] = [];

/** Intended overlaps between arm64 specs, each with its reason. */
export const ARM64_ALLOWED_COLLISIONS: readonly AllowedCollision[] = [];
