/**
 * The arm64 hyp-stubs of each numbered era as real A64 assembly (the files
 * beside this module, written from `../shared/abi-facts.md` §3.1 and §3.2),
 * and how a piece of A64 firmware is assembled and installed at VBAR_EL2.
 * The reset scenarios run them as the kernel's `__hyp_stub_vectors`; the
 * conformance suite runs them against their era's spec.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import type { Machine } from '../../../src/interp/machine.ts';
import { assemble, type AssembledProgram } from '../../../src/isa/assembler.ts';
import { ARM64_INSTRUCTION_SET } from '../core.ts';

/** A piece of A64 assembly firmware: a vector table at its first byte. */
export interface Arm64AsmFirmware {
  /** Name without the `asm:` prefix (`hyp-stub-v4.12`). */
  readonly name: string;
  /** The source file, relative to the module that lists it. */
  readonly file: string;
  /** The directory of {@link Arm64AsmFirmware.file}, as a `file:` URL. */
  readonly directory: URL;
  /** The ABI id it implements. */
  readonly implements: string;
  /** One line: what it is. */
  readonly description: string;
}

/** VBAR_EL2 bits 10:0 are RES0: a vector table is 2 KiB aligned (ARM ARM D13.2.144). */
export const VBAR_ALIGNMENT = 0x800;

const HERE = new URL('./', import.meta.url);

function stub(era: string, implementsId: string, description: string): Arm64AsmFirmware {
  return { name: `hyp-stub-${era}`, file: `hyp-stub-${era}.s`, directory: HERE, implements: implementsId, description };
}

/** v3.9–≈v4.6: no call numbers; x0 = 0 gets VBAR_EL2, anything else sets it. */
export const HYP_STUB_ARM64_V3_9 = stub('v3.9', 'linux-hyp-stub-arm64-v3.9', 'A64 hyp-stub of v3.9–≈v4.6 (x0 = 0 gets VBAR_EL2, any other x0 is the new VBAR_EL2)');
/** ≈v4.7: GET 0, SET 1 (x1). */
export const HYP_STUB_ARM64_V4_7 = stub('v4.7', 'linux-hyp-stub-arm64-v4.7', 'A64 hyp-stub of ≈v4.7 (HVC_GET_VECTORS 0, HVC_SET_VECTORS 1 with the base in x1)');
/** v4.8–v4.11: GET 0, SET 1, SOFT_RESTART 2, else HYP_GONE 3. */
export const HYP_STUB_ARM64_V4_8 = stub('v4.8', 'linux-hyp-stub-arm64-v4.8', 'A64 hyp-stub of v4.8–v4.11 (GET 0, SET 1, SOFT_RESTART 2, else ARM_EXCEPTION_HYP_GONE 3)');
/** v4.12–≈v5.11: SET 0, SOFT_RESTART 1, RESET_VECTORS 2, else HVC_STUB_ERR. */
export const HYP_STUB_ARM64_V4_12 = stub('v4.12', 'linux-hyp-stub-arm64-v4.12', 'A64 hyp-stub of v4.12–≈v5.11 (SET 0, SOFT_RESTART 1, RESET_VECTORS 2, else HVC_STUB_ERR)');
/** ≈v5.12: adds VHE_RESTART 3 and routes EL2h synchronous exceptions to the same handler. */
export const HYP_STUB_ARM64_V5_12 = stub('v5.12', 'linux-hyp-stub-arm64-v5.12', 'A64 hyp-stub of ≈v5.12 (SET 0, SOFT_RESTART 1, RESET_VECTORS 2, VHE_RESTART 3, else HVC_STUB_ERR)');

/** Every numbered stub era, oldest first. */
export const ARM64_HYP_STUBS: readonly Arm64AsmFirmware[] = [HYP_STUB_ARM64_V3_9, HYP_STUB_ARM64_V4_7, HYP_STUB_ARM64_V4_8, HYP_STUB_ARM64_V4_12, HYP_STUB_ARM64_V5_12];

const sources = new Map<string, string>();
const assembled = new Map<string, AssembledProgram>();

/** The source text of `firmware` (read once). */
export function arm64FirmwareSource(firmware: Arm64AsmFirmware): string {
  const url = new URL(firmware.file, firmware.directory);
  let source = sources.get(url.href);
  if (source === undefined) {
    source = readFileSync(url, 'utf8');
    sources.set(url.href, source);
  }
  return source;
}

/** `firmware` assembled at `base`, with `prelude` (`.equ` lines) before it (cached). */
export function assembleArm64Firmware(firmware: Arm64AsmFirmware, base: number, prelude = ''): AssembledProgram {
  const key = `${firmware.directory.href}${firmware.file}@${base}\n${prelude}`;
  let program = assembled.get(key);
  if (program === undefined) {
    program = assemble(ARM64_INSTRUCTION_SET, `${prelude}${arm64FirmwareSource(firmware)}`, base);
    assembled.set(key, program);
  }
  return program;
}

/**
 * Load `firmware` at `base` (2 KiB aligned) and point VBAR_EL2 at it;
 * returns the program (its labels name the code in traces).
 */
export function installArm64AsmFirmware(machine: Machine, firmware: Arm64AsmFirmware, base: number, prelude = ''): AssembledProgram {
  if (base % VBAR_ALIGNMENT !== 0) throw new Error(`${firmware.name}: base 0x${base.toString(16)} is not 2 KiB aligned`);
  const program = assembleArm64Firmware(firmware, base, prelude);
  machine.memory.load(base, program.bytes);
  machine.setRegister('vbar_el2', BigInt(base));
  return program;
}
