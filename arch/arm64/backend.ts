/**
 * The arm64 backend object: instruction set, machine factory, run defaults,
 * trap conduits and origin registers, benchmark and showcase programs.
 *
 * @module
 */

import { ARM64_SMP } from './smp.ts';
import { ARM64_STATE } from './state/index.ts';
import { ESR_DECODER } from './syndrome.ts';
import { ARM64_BOOT } from './image.ts';
import type { ArchBackend, BenchProgram, Showcase } from '../../src/interp/backend.ts';
import { ARM64_INSTRUCTION_SET, createArm64Machine } from './core.ts';
import { ARM64_FIRMWARE_PORT, ARM64_ORIGIN_REGISTERS } from './firmware-port.ts';
import { ARM64_RESET_MATRIX, ARM64_SCENARIOS } from './scenarios/index.ts';

/** ALU loop: four ALU instructions per iteration, the loop counter in x1. */
const ALU_LOOP = `
        movz    x1, #0xffff
        movk    x1, #0x7fff, lsl #16
loop:   add     x0, x0, #1
        eor     x2, x2, x0
        subs    x1, x1, #1
        b.ne    loop
        wfi
`;

/**
 * HVC round trip: the guest starts at EL2h, points VBAR_EL2 at a table
 * whose lower-EL AArch64 synchronous slot (+0x400) is \`eret\`, drops to
 * EL1h, then loops on \`hvc #0\`. Every hvc goes through the full
 * architectural entry (ESR_EL2, ELR_EL2, SPSR_EL2, the EL and SP switch)
 * and the eret through the full return. Four hvc per iteration so that
 * subs/b.ne weigh less: ten instructions per four round trips.
 */
const HVC_ROUND_TRIP = `
        adr     x0, vectors
        msr     vbar_el2, x0
        mov     x0, #0x3c5                 // EL1h, D/A/I/F masked
        msr     spsr_el2, x0
        adr     x0, loop
        msr     elr_el2, x0
        movz    x1, #0xffff
        movk    x1, #0x7fff, lsl #16
        eret
loop:   hvc     #0
        hvc     #0
        hvc     #0
        hvc     #0
        subs    x1, x1, #1
        b.ne    loop
        wfi
        .balign 0x800
vectors:
        .skip   0x400
        eret                               // +0x400: synchronous, lower EL in AArch64
`;

/**
 * HVC round trip into spec firmware: VBAR_EL2 points at the
 * linux-hyp-stub-arm64 v4.12 spec installed as firmware, and the guest
 * drops to EL1h and loops on HVC_RESET_VECTORS (x0 = 2, which returns
 * x0 = 0, so x0 is set again before every call). Per round trip: mov, hvc,
 * and the firmware's +0x400 slot (one step), plus the loop's subs/b.ne
 * shared by four: 3.5 steps.
 */
const SPEC_HVC_ROUND_TRIP = `
        mov     x0, #0x3c5                 // EL1h, D/A/I/F masked
        msr     spsr_el2, x0
        adr     x0, loop
        msr     elr_el2, x0
        movz    x1, #0xffff
        movk    x1, #0x7fff, lsl #16
        eret
loop:   mov     x0, #2                     // HVC_RESET_VECTORS
        hvc     #0
        mov     x0, #2
        hvc     #0
        mov     x0, #2
        hvc     #0
        mov     x0, #2
        hvc     #0
        subs    x1, x1, #1
        b.ne    loop
        wfi
`;

const BENCHMARKS: readonly BenchProgram[] = [
  { metric: 'alu-ips', description: 'guest instructions per second, ALU loop', source: ALU_LOOP, mode: 'el1h', registers: {}, instructionsPerUnit: 1, peer: { loop: 'loop', counter: 'x1' } },
  { metric: 'trap-rtps', description: 'HVC round trips per second (EL1h -> VBAR_EL2 + 0x400 -> eret)', source: HVC_ROUND_TRIP, mode: 'el2h', registers: {}, instructionsPerUnit: 2.5, peer: { loop: 'loop', counter: 'x1' } },
  {
    metric: 'spec-trap-rtps',
    description: 'HVC round trips per second into spec firmware (linux-hyp-stub-arm64-v4.12 HVC_RESET_VECTORS at VBAR_EL2)',
    source: SPEC_HVC_ROUND_TRIP,
    mode: 'el2h',
    registers: {},
    instructionsPerUnit: 3.5,
    firmware: { abi: 'linux-hyp-stub-arm64-v4.12', base: 0x4_0000 },
  },
];

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
  createMachine: (options = {}) => createArm64Machine({ engine: options.engine ?? 'jit', ...(options.memory === undefined ? {} : { memory: options.memory }) }),
  smp: ARM64_SMP,
  engines: ['jit', 'interp'],
  benchmarks: BENCHMARKS,
  showcase: SHOWCASE,
  conduits: ['hvc', 'smc', 'svc'],
  // ARM ARM C6.2.101 HVC, C6.2.255 SMC and C6.2.317 SVC: each encodes imm16 (bits 20:5), which ESR_ELx.ISS reports for all three.
  immediates: { hvc: { field: 'imm16', bits: 16 }, smc: { field: 'imm16', bits: 16 }, svc: { field: 'imm16', bits: 16 } },
  originRegisters: ARM64_ORIGIN_REGISTERS,
  firmware: ARM64_FIRMWARE_PORT,
  state: ARM64_STATE,
  scenarios: ARM64_SCENARIOS,
  resetMatrix: ARM64_RESET_MATRIX,
  boot: ARM64_BOOT,
  syndrome: ESR_DECODER,
};
