/**
 * Real A64 assembly implementations of EL2 firmware, for conformance and
 * `hyplay run --firmware asm:NAME`: the hyp-stub of each numbered era
 * (`hyp-stubs.ts`, the `.s` files beside it).
 *
 * @module
 */

import type { FirmwareImplementation } from '../../../src/firmware/conformance.ts';
import type { Machine } from '../../../src/interp/machine.ts';
import { ARM64_HYP_STUBS, installArm64AsmFirmware } from './hyp-stubs.ts';

/** The assembly implementations the arm64 backend ships, named `asm:<name>`. */
export const ARM64_FIRMWARE_IMPLEMENTATIONS: readonly FirmwareImplementation[] = ARM64_HYP_STUBS.map((firmware) => ({
  name: `asm:${firmware.name}`,
  description: firmware.description,
  implements: firmware.implements,
  install: (machine: Machine, base: number) => {
    installArm64AsmFirmware(machine, firmware, base);
  },
}));
