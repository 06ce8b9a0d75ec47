/**
 * Every arm32 ABI spec, and the overlaps between them that are intended.
 *
 * @module
 */

import type { AllowedCollision } from '../../../src/abi/registry.ts';
import type { Abi } from '../../../src/abi/spec.ts';
import { LINUX_HYP_STUB_ABIS } from './linux-hyp-stub.abi.ts';

/** The arm32 specs. */
export const ARM32_ABIS: readonly Abi[] = [...LINUX_HYP_STUB_ABIS];

/** Intended overlaps between arm32 specs, each with its reason. A stale entry fails the tests. */
export const ARM32_ALLOWED_COLLISIONS: readonly AllowedCollision[] = [];
