/**
 * The arm64 backend object: instruction set, machine factory, run defaults,
 * trap conduits and origin registers, benchmark and showcase programs.
 *
 * @module
 */

import type { ArchBackend, BenchProgram, Showcase } from '../../src/interp/backend.ts';
import { ARM64_INSTRUCTION_SET, createArm64Machine } from './core.ts';
import { ARM64_FIRMWARE_PORT, ARM64_ORIGIN_REGISTERS } from './firmware-port.ts';
import { ARM64_RESET_MATRIX, ARM64_SCENARIOS } from './scenarios/index.ts';

const BENCHMARKS: readonly BenchProgram[] = [];

/** HVC from EL1 with no vector table: the exception model takes it to EL2 and stops on the unmapped vector. */
const SHOWCASE: Showcase = {
  title: 'arm64: hvc #0 from EL1 is taken to EL2 (ESR_EL2 EC 0x16)',
  mode: 'el1h',
  maxSteps: 10,
  source: `
        nop
        hvc     #0
`,
};

/** The arm64 backend: Armv8.0-A, AArch64 state at EL0, EL1 and EL2 (no EL3), little-endian. */
export const ARM64_BACKEND: ArchBackend = {
  name: 'arm64',
  title: 'Armv8-A AArch64 at EL0, EL1 and EL2 (A64 base integer set, no EL3, no AArch32, little-endian)',
  endians: ['little'],
  instructionSet: () => ARM64_INSTRUCTION_SET,
  unitSize: 4,
  loadAddress: 0x8_0000,
  defaultMode: 'el1h',
  createMachine: (options = {}) => createArm64Machine({ engine: options.engine ?? 'interp' }),
  engines: ['interp'],
  benchmarks: BENCHMARKS,
  showcase: SHOWCASE,
  conduits: ['hvc', 'smc', 'svc'],
  // ARM ARM C6.2.101 HVC, C6.2.255 SMC and C6.2.317 SVC: each encodes imm16 (bits 20:5), which ESR_ELx.ISS reports for all three.
  immediates: { hvc: { field: 'imm16', bits: 16 }, smc: { field: 'imm16', bits: 16 }, svc: { field: 'imm16', bits: 16 } },
  originRegisters: ARM64_ORIGIN_REGISTERS,
  firmware: ARM64_FIRMWARE_PORT,
  scenarios: ARM64_SCENARIOS,
  resetMatrix: ARM64_RESET_MATRIX,
};
