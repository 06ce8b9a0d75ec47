/**
 * Real A32 assembly implementations of Hyp-mode firmware, for conformance:
 * each `.s` file beside this one is assembled by hyplay's own assembler
 * (pinned against llvm-mc in `test/firmware/asm-firmware.test.ts`) and
 * installed at a vector base, where the arm32 interpreter runs it like any
 * other guest code.
 *
 * - `hyp-stub-v4.12.s`: the Linux hyp-stub ABI of v4.12–v5.6.
 * - `kvm-v3.9.s`: KVM/ARM v3.9's host HVC dispatch (`kvm_call_hyp`: every r0
 *   a Hyp function pointer).
 * - `kvm-v3.10.s`: KVM/ARM v3.10–v4.11's (r0 = -1 answered with HVBAR).
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import type { FirmwareImplementation } from '../../../src/firmware/conformance.ts';
import type { Machine } from '../../../src/interp/machine.ts';
import { assemble, type AssembledProgram } from '../../../src/isa/assembler.ts';
import { PAGE_SIZE } from '../../../src/memory/guest-memory.ts';
import { ARM32_INSTRUCTION_SET } from '../core.ts';

/** One assembly implementation shipped with the backend. */
export interface AsmFirmware {
  /** Name without the `asm:` prefix (`hyp-stub-v4.12`). */
  readonly name: string;
  /** The source file, relative to this directory. */
  readonly file: string;
  /** The ABI id it implements. */
  readonly implements: string;
  /** One line: what it is. */
  readonly description: string;
  /** Bytes of Hyp stack it needs (SP_hyp is set to the top of a region this big after the code), 0 for none. */
  readonly stackBytes: number;
}

/** The Linux hyp-stub of the v4.12 ABI, written for hyplay. */
export const HYP_STUB_V4_12: AsmFirmware = {
  name: 'hyp-stub-v4.12',
  file: 'hyp-stub-v4.12.s',
  implements: 'linux-hyp-stub-v4.12',
  description: 'A32 assembly hyp-stub for the v4.12 ABI (SET_VECTORS, SOFT_RESTART, RESET_VECTORS, else HVC_STUB_ERR)',
  stackBytes: 0,
};

/** A model of KVM v3.9's `hyp_hvc`: every r0 is a Hyp function pointer. */
export const KVM_V3_9: AsmFirmware = {
  name: 'kvm-v3.9',
  file: 'kvm-v3.9.s',
  implements: 'kvm-arm32-v3.9',
  description: "A32 assembly model of KVM v3.9's host HVC dispatch (every r0, -1 included: call r0 with r1-r3 shifted down)",
  stackBytes: 0x100,
};

/** A model of KVM v3.10–v4.11's `hyp_hvc`: r0 = -1 reads HVBAR, anything else is a Hyp function pointer. */
export const KVM_V3_10: AsmFirmware = {
  name: 'kvm-v3.10',
  file: 'kvm-v3.10.s',
  implements: 'kvm-arm32-v3.10',
  description: "A32 assembly model of KVM v3.10-v4.11's host HVC dispatch (r0 = -1: HVBAR; else call r0 with r1-r3 shifted down)",
  stackBytes: 0x100,
};

/** Every assembly implementation, by name. */
export const ARM32_ASM_FIRMWARE: readonly AsmFirmware[] = [HYP_STUB_V4_12, KVM_V3_9, KVM_V3_10];

const sources = new Map<string, string>();
const assembled = new Map<string, AssembledProgram>();

/** The source text of an assembly implementation (read once). */
export function firmwareSource(firmware: AsmFirmware): string {
  let source = sources.get(firmware.file);
  if (source === undefined) {
    source = readFileSync(new URL(`./${firmware.file}`, import.meta.url), 'utf8');
    sources.set(firmware.file, source);
  }
  return source;
}

/** Assemble an implementation at `base` with hyplay's assembler (once per base). Throws `AssemblyError` if the source is broken. */
export function assembleFirmware(firmware: AsmFirmware, base: number): AssembledProgram {
  const key = `${firmware.file}@${base}`;
  let program = assembled.get(key);
  if (program === undefined) {
    program = assemble(ARM32_INSTRUCTION_SET, firmwareSource(firmware), base);
    assembled.set(key, program);
  }
  return program;
}

/**
 * Install an implementation at `base`: assemble it there, load it, give it
 * a Hyp stack if it needs one, and point HVBAR at it. `base` must be 32-byte
 * aligned (HVBAR bits 4:0 are reserved, ARM ARM B4.1.75).
 */
export function installAsmFirmware(machine: Machine, firmware: AsmFirmware, base: number): AssembledProgram {
  if (base % 0x20 !== 0) throw new Error(`${firmware.name}: base 0x${base.toString(16)} is not 32-byte aligned`);
  const program = assembleFirmware(firmware, base);
  machine.memory.load(base, program.bytes);
  if (firmware.stackBytes > 0) {
    const bottom = Math.ceil((base + program.bytes.length) / PAGE_SIZE) * PAGE_SIZE;
    machine.memory.map(bottom, firmware.stackBytes);
    machine.setRegister('sp_hyp', BigInt(bottom + firmware.stackBytes));
  }
  machine.setRegister('hvbar', BigInt(base));
  return program;
}

/** The assembly implementations as conformance implementations named `asm:<name>`. */
export const ARM32_FIRMWARE_IMPLEMENTATIONS: readonly FirmwareImplementation[] = ARM32_ASM_FIRMWARE.map((firmware) => ({
  name: `asm:${firmware.name}`,
  description: firmware.description,
  implements: firmware.implements,
  install: (machine: Machine, base: number) => {
    installAsmFirmware(machine, firmware, base);
  },
}));
