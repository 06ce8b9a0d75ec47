/**
 * The arm32 backend object: instruction set, machine factory, run defaults
 * and benchmark programs.
 *
 * @module
 */

import { ARM32_SMP } from './smp.ts';
import { ARM32_STATE } from './state/index.ts';
import { HSR_DECODER } from './syndrome.ts';
import { ARM32_BOOT } from './image.ts';
import type { ArchBackend, BenchProgram, Showcase } from '../../src/interp/backend.ts';
import { ARM32_INSTRUCTION_SET, createArm32Machine } from './core.ts';
import { ARM32_FIRMWARE_PORT, ARM32_ORIGIN_REGISTERS } from './firmware-port.ts';
import { ARM32_RESET_MATRIX, ARM32_SCENARIOS } from './scenarios/index.ts';

/** ALU loop: four ALU instructions per iteration, the loop counter in r1. */
const ALU_LOOP = `
        movw    r1, #0xffff
        movt    r1, #0x7fff
loop:   add     r0, r0, #1
        eor     r2, r2, r0
        subs    r1, r1, #1
        bne     loop
        wfi
`;

/**
 * HVC round trip: the guest starts in Hyp, points HVBAR at a table whose
 * Hyp-trap slot is \`eret\`, drops to svc, then loops on \`hvc #0\`. Every hvc
 * goes through the full architectural entry (HSR, ELR_hyp, SPSR_hyp, mode
 * and banking) and the eret through the full return. The loop body holds four
 * hvc so that its own subs/bne weigh less: ten instructions per four round
 * trips.
 */
const HVC_ROUND_TRIP = `
        ldr     r0, vaddr
        mcr     p15, #4, r0, c12, c0, #0   @ HVBAR
        movw    r0, #0x1d3                 @ svc, A/I/F masked
        msr     spsr_fsxc, r0
        ldr     r0, laddr
        msr     elr_hyp, r0
        ldr     r1, count
        eret
loop:   hvc     #0
        hvc     #0
        hvc     #0
        hvc     #0
        subs    r1, r1, #1
        bne     loop
        wfi
        .align  5
vectors:
        b       vectors
        b       vectors
        b       vectors
        b       vectors
        b       vectors
        eret                               @ +0x14: Hyp trap
        b       vectors
        b       vectors
vaddr:  .word   vectors
laddr:  .word   loop
count:  .word   0x7fffffff
`;

/**
 * HVC round trip into spec firmware: HVBAR points at the linux-hyp-stub v4.12
 * spec installed as firmware, and the guest drops to svc and loops on
 * HVC_RESET_VECTORS (r0 = 2, which returns r0 = 0, so r0 is set again before
 * every call). Per round trip: mov, hvc, and the firmware's Hyp-trap slot
 * (one step), plus the loop's subs/bne shared by four: 3.5 steps.
 */
const SPEC_HVC_ROUND_TRIP = `
        movw    r0, #0x1d3                 @ svc, A/I/F masked
        msr     spsr_fsxc, r0
        ldr     r0, laddr
        msr     elr_hyp, r0
        ldr     r1, count
        eret
loop:   mov     r0, #2                     @ HVC_RESET_VECTORS
        hvc     #0
        mov     r0, #2
        hvc     #0
        mov     r0, #2
        hvc     #0
        mov     r0, #2
        hvc     #0
        subs    r1, r1, #1
        bne     loop
        wfi
laddr:  .word   loop
count:  .word   0x7fffffff
`;

const BENCHMARKS: readonly BenchProgram[] = [
  { metric: 'alu-ips', description: 'guest instructions per second, ALU loop', source: ALU_LOOP, mode: 'svc', registers: {}, instructionsPerUnit: 1, peer: { loop: 'loop', counter: 'r1' } },
  { metric: 'trap-rtps', description: 'HVC round trips per second (svc -> Hyp trap -> eret)', source: HVC_ROUND_TRIP, mode: 'hyp', registers: {}, instructionsPerUnit: 2.5, peer: { loop: 'loop', counter: 'r1' } },
  {
    metric: 'spec-trap-rtps',
    description: 'HVC round trips per second into spec firmware (linux-hyp-stub-v4.12 HVC_RESET_VECTORS at HVBAR)',
    source: SPEC_HVC_ROUND_TRIP,
    mode: 'hyp',
    registers: {},
    instructionsPerUnit: 3.5,
    firmware: { abi: 'linux-hyp-stub-v4.12', base: 0x4000 },
  },
];

/**
 * Boot in Hyp, install a minimal v4.12-style hyp-stub, drop to svc, then ask
 * the stub for HVC_SOFT_RESTART (r0 = 1, r1 = entry): the new kernel's first
 * instruction runs in Hyp mode.
 */
const SOFT_RESTART: Showcase = {
  title: 'arm32: boot in Hyp, install a v4.12 hyp-stub, drop to svc, soft-restart through hvc #0',
  mode: 'hyp',
  maxSteps: 100,
  source: `
        ldr     r0, stubvec
        mcr     p15, #4, r0, c12, c0, #0   @ HVBAR = the stub's vectors
        movw    r0, #0x1d3
        msr     spsr_fsxc, r0              @ SPSR_hyp: svc mode, A/I/F masked
        ldr     r0, kernel
        msr     elr_hyp, r0
        eret                               @ drop to svc
booted: mov     r0, #1                     @ HVC_SOFT_RESTART (v4.12 numbering)
        ldr     r1, entry                  @ r1 = restart address
        hvc     #0
        b       booted                     @ not reached: soft restart does not return
        .align  5
stub:   b       stub                       @ +0x00 reset
        b       stub                       @ +0x04 undefined
        b       stub                       @ +0x08 svc/hvc in Hyp
        b       stub                       @ +0x0c prefetch abort
        b       stub                       @ +0x10 data abort
        b       trap                       @ +0x14 Hyp trap
        b       stub                       @ +0x18 irq
        b       stub                       @ +0x1c fiq
trap:   cmp     r0, #1
        bxeq    r1                         @ SOFT_RESTART: branch to r1, still in Hyp
        movw    r0, #0xca11
        movt    r0, #0xbad                 @ HVC_STUB_ERR
        eret
newk:   wfi                                @ the new kernel's first instruction
stubvec: .word  stub
kernel: .word   booted
entry:  .word   newk
`,
};

/** The arm32 backend: ARMv7-A with the Virtualization Extensions, A32 state, little-endian. */
export const ARM32_BACKEND: ArchBackend = {
  name: 'arm32',
  title: 'ARMv7-A with the Virtualization Extensions (A32 state, Hyp mode, little-endian)',
  endians: ['little'],
  instructionSet: () => ARM32_INSTRUCTION_SET,
  unitSize: 4,
  loadAddress: 0x8000,
  defaultMode: 'svc',
  createMachine: (options = {}) => createArm32Machine({ engine: options.engine ?? 'jit', ...(options.memory === undefined ? {} : { memory: options.memory }) }),
  smp: ARM32_SMP,
  engines: ['jit', 'interp'],
  benchmarks: BENCHMARKS,
  showcase: SOFT_RESTART,
  conduits: ['data-abort', 'hvc', 'smc', 'svc'],
  // ARM ARM B9.3.4 HVC #imm16, B6.1.13 SMC #imm4 (a trapped SMC's HSR does not carry it), A8.8.228 SVC #imm24.
  immediates: {
    hvc: { field: 'imm16', bits: 16 },
    smc: { field: 'imm4', bits: 4 },
    svc: { field: 'imm24', bits: 24 },
    // A stage-2 data abort (HSR EC 0x24) is a guest exit, not an instruction with an operand (ARM ARM B3.13.6).
    'data-abort': { field: 'none', bits: 0, note: 'a stage-2 data abort carries no immediate: the HSR describes the access' },
  },
  originRegisters: ARM32_ORIGIN_REGISTERS,
  firmware: ARM32_FIRMWARE_PORT,
  state: ARM32_STATE,
  scenarios: ARM32_SCENARIOS,
  resetMatrix: ARM32_RESET_MATRIX,
  boot: ARM32_BOOT,
  syndrome: HSR_DECODER,
};
