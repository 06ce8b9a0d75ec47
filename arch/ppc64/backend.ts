/**
 * The ppc64 backend object: instruction sets, machine factory, run
 * defaults, benchmark and showcase programs.
 *
 * `hyplay run ppc64` loads a program at 0x4000 in hypervisor state (MSR[HV]
 * = 1, PR = 0, SF = 1), the state a Book3S processor leaves reset in. The
 * 16 KiB below the program, which the CLI maps as the stack (r1 = 0x4000),
 * is where the real-mode interrupt vectors live (0x300 DSI, 0x400 ISI,
 * 0x700 program, 0xC00 system call), so a program installs its handlers by
 * storing instructions there, as firmware does.
 *
 * @module
 */

import type { ArchBackend, BenchProgram, Showcase } from '../../src/interp/backend.ts';
import { createPpc64Machine, ppc64InstructionSet } from './core.ts';
import { PPC64_FIRMWARE_PORT, PPC64_ORIGIN_REGISTERS } from './firmware-port.ts';
import { PPC64_SCENARIOS } from './scenarios/index.ts';

/** ALU loop: four instructions per iteration, the loop counter in r5. */
const ALU_LOOP = `
        lis     5, 0x7fff
        ori     5, 5, 0xffff
loop:   addi    3, 3, 1
        xor     4, 4, 3
        addic.  5, 5, -1
        bne     loop
        wait
`;

/**
 * sc round trip: in hypervisor state, store an \`rfid\` at the system-call
 * vector 0xC00, then drop to supervisor state with rfid and loop on
 * \`sc\`. Every sc takes the full architectural entry (SRR0, SRR1, the new
 * MSR, the vector) and every rfid the full return. Four sc per iteration:
 * ten instructions per four round trips.
 */
const SC_ROUND_TRIP = `
        lis     6, 0x4c00
        ori     6, 6, 0x24          # rfid
        li      7, 0xc00
        stw     6, 0(7)             # the system-call vector returns at once
        bl      here
        .long   loop
here:   mflr    9
        lwz     8, 0(9)
        mtsrr0  8                   # return to loop
        li      7, 1
        sldi    7, 7, 63
        ori     7, 7, 0x1002        # SRR1: SF | ME | RI, HV = 0: supervisor state
        mtsrr1  7
        lis     5, 0x7fff
        ori     5, 5, 0xffff
        rfid
loop:   sc
        sc
        sc
        sc
        addic.  5, 5, -1
        bne     loop
        wait
`;

/**
 * \`sc 1\` round trip into spec firmware: the papr-kvm spec answers at the
 * system-call vector 0xC00, and the guest kernel (supervisor state, a
 * partition) loops on H_SET_SPRG0 (r3 = 0x24, which returns r3 = H_SUCCESS,
 * so r3 is set again before every call) with a kernel address in r4, as
 * pseries sets SPRG0 to its paca. Per round trip: li, sc 1, and the
 * firmware's system-call slot (one step), plus the loop's addic./bne shared
 * by four: 3.5 steps.
 */
const SPEC_SC1_ROUND_TRIP = `
        bl      here
        .long   loop
here:   mflr    9
        lwz     8, 0(9)
        mtsrr0  8                   # rfid to loop ...
        li      7, 1
        sldi    7, 7, 63
        ori     7, 7, 0x1002        # ... with SRR1 = SF | ME | RI, HV = 0: supervisor state
        mtsrr1  7
        lis     5, 0x7fff
        ori     5, 5, 0xffff
        rfid
loop:   li      3, 0x24             # H_SET_SPRG0
        sc      1
        li      3, 0x24
        sc      1
        li      3, 0x24
        sc      1
        li      3, 0x24
        sc      1
        addic.  5, 5, -1
        bne     loop
        wait
`;

const BENCHMARKS: readonly BenchProgram[] = [
  { metric: 'alu-ips', description: 'guest instructions per second, ALU loop', source: ALU_LOOP, mode: 'hv', registers: {}, instructionsPerUnit: 1, peer: { loop: 'loop', counter: 'r5' } },
  { metric: 'trap-rtps', description: 'sc round trips per second (supervisor -> 0xC00 -> rfid)', source: SC_ROUND_TRIP, mode: 'hv', registers: {}, instructionsPerUnit: 2.5, peer: { loop: 'loop', counter: 'r5' } },
  {
    metric: 'spec-trap-rtps',
    description: 'sc 1 round trips per second into spec firmware (papr-kvm H_SET_SPRG0 at 0xC00)',
    source: SPEC_SC1_ROUND_TRIP,
    mode: 'hv',
    registers: { r4: 0xc000_0000_0000_1000n },
    instructionsPerUnit: 3.5,
    firmware: { abi: 'papr-kvm', base: 0 },
  },
];

/**
 * Boot in hypervisor state, copy a system-call handler to 0xC00, drop to
 * supervisor state, then make an \`sc 1\` hypercall (taken at 0xC00 with
 * MSR[HV] = 1, state in SRR0/SRR1) and an \`sc\` system call (taken at
 * 0xC00 with HV unchanged); the handler returns with rfid both times.
 */
const HYPERCALL: Showcase = {
  title: 'ppc64: boot in hypervisor state, install a 0xC00 handler, drop to supervisor, sc 1 (hypercall) and sc (system call)',
  mode: 'hv',
  maxSteps: 200,
  source: `
        bl      here
        .long   handler
        .long   done
        .long   kernel
here:   mflr    9
        lwz     10, 0(9)            # copy handler..done to the system-call vector
        lwz     11, 4(9)
        li      12, 0xc00
copy:   lwz     0, 0(10)
        stw     0, 0(12)
        addi    10, 10, 4
        addi    12, 12, 4
        cmplw   10, 11
        blt     copy
        lwz     8, 8(9)
        mtsrr0  8                   # rfid to kernel ...
        li      7, 1
        sldi    7, 7, 63
        ori     7, 7, 0x1002
        mtsrr1  7                   # ... in supervisor state (HV = 0, PR = 0)
        rfid
kernel: li      3, 0x300            # H_RANDOM (PAPR opcode in r3)
        sc      1                   # hypercall: MSR[HV] becomes 1
        li      0, 20               # a system call number in r0
        sc                          # system call: MSR[HV] stays 0
        wait
handler:
        mfsrr1  4                   # the caller's MSR
        li      3, 0                # success
        rfid
done:
`,
};

/** The ppc64 backend: Power ISA v3.0B Book3S, 64-bit, big- or little-endian. */
export const PPC64_BACKEND: ArchBackend = {
  name: 'ppc64',
  title: 'Power ISA v3.0B Book3S 64-bit (hypervisor, supervisor and problem state; big- or little-endian)',
  endians: ['big', 'little'],
  instructionSet: (endian) => ppc64InstructionSet(endian),
  unitSize: 4,
  loadAddress: 0x4000,
  defaultMode: 'hv',
  createMachine: (options = {}) => createPpc64Machine({ ...(options.endian === undefined ? {} : { endian: options.endian }), engine: options.engine ?? 'jit' }),
  engines: ['jit', 'interp'],
  benchmarks: BENCHMARKS,
  showcase: HYPERCALL,
  firmware: PPC64_FIRMWARE_PORT,
  scenarios: PPC64_SCENARIOS,
  conduits: ['sc', 'sc1'],
  // Book III 4.3.1 sc LEV: the level is the conduit (sc is LEV 0, sc1 is `sc 1`, the hypervisor call), so the trap carries no immediate of its own.
  immediates: {
    sc: { field: 'LEV', bits: 0, note: 'LEV is the conduit: sc is LEV 0, sc1 is `sc 1`' },
    sc1: { field: 'LEV', bits: 0, note: 'LEV is the conduit: sc1 is `sc 1`, sc is LEV 0' },
  },
  originRegisters: PPC64_ORIGIN_REGISTERS,
};
