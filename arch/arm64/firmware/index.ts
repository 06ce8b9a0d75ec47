/**
 * Real A64 assembly implementations of EL2 firmware, for conformance and
 * `hyplay run --firmware asm:NAME`: none yet (the assembly hyp stubs of each
 * era come with the arm64 ABI work).
 *
 * @module
 */

import type { FirmwareImplementation } from '../../../src/firmware/conformance.ts';

/** The assembly implementations the arm64 backend ships. */
export const ARM64_FIRMWARE_IMPLEMENTATIONS: readonly FirmwareImplementation[] = [];
