/**
 * How conformance suites run on arm32: the caller is `hvc #imm` followed by
 * `wfi`, run in svc (a kernel caller) or Hyp, with every general register
 * preset; a returning call stops on that `wfi`. A jump or call target gets
 * a landing pad, a `wfi` reached in Hyp mode. Implementations sit at HVBAR.
 *
 * Memory layout of a case:
 *
 * | range | what |
 * |---|---|
 * | 0x00002000 | the implementation at HVBAR (and its Hyp stack, the page after) |
 * | 0x00008000 | the caller: `hvc #imm`, `wfi` |
 * | the target | a landing pad, `wfi` |
 *
 * Address 0 stays unmapped, so a branch to a small "function pointer" such
 * as 1 or 2 faults as it would in Hyp on a real machine.
 *
 * @module
 */

import type { CallerSetup, CaseTrap, ConformanceDriver, Pad } from '../../../src/firmware/conformance.ts';
import type { Machine } from '../../../src/interp/machine.ts';
import { hexAddress } from '../../../src/interp/step-result.ts';
import { PAGE_SIZE } from '../../../src/memory/guest-memory.ts';
import { ARM32_INSTRUCTION_SET, createArm32Machine } from '../core.ts';
import { ARM32_FIRMWARE_IMPLEMENTATIONS } from './index.ts';

/** Where implementations are installed (HVBAR). */
export const CONFORMANCE_HVBAR = 0x2000;

/** Where the caller program is loaded. */
export const CONFORMANCE_CALLER = 0x8000;

/** Bytes reserved at HVBAR: the table and handlers, then a page of Hyp stack. */
const VECTOR_AREA = 2 * PAGE_SIZE;

let wfi: Uint8Array | undefined;

/** The encoding of `wfi`, assembled on first use (not when the backend loads: the first assembly compiles the assembler's patterns). */
function wfiBytes(): Uint8Array {
  return (wfi ??= ARM32_INSTRUCTION_SET.assembleOne('wfi', { address: 0, final: true, resolve: () => undefined }));
}

/** The mode a caller of each privilege runs in. */
const MODE_OF = { kernel: 'svc', hyp: 'hyp' } as const;

function pageOf(address: number): number {
  return Math.floor(address / PAGE_SIZE);
}

/** The arm32 {@link ConformanceDriver}. */
export const ARM32_CONFORMANCE_DRIVER: ConformanceDriver = {
  createMachine: (): Machine => createArm32Machine(),
  vectorBase: CONFORMANCE_HVBAR,
  hypervisorMode: 'hyp',
  generalRegisters: ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr'],
  statusRegisters: ['cpsr'],
  // AAPCS: the first four arguments in r0-r3 (KVM shifts r1-r3 down into r0-r2).
  argumentRegisters: ['r0', 'r1', 'r2', 'r3'],
  // r0-r12 are shared by every mode but FIQ (r8-r12 banked there); SP and LR of the caller's mode are banked away from Hyp's (ARM ARM B1.3.2).
  unbankedRegisters: ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12'],
  unsupported(trap: CaseTrap): string | undefined {
    if (trap.conduit !== 'hvc') return `arm32 conformance drives hvc only, not ${trap.conduit} (from PL1, svc is taken at VBAR and smc at MVBAR, not at the Hyp vectors)`;
    if (trap.origin.privilege === 'user') return 'HVC is UNDEFINED in User mode (ARM ARM B9.3.4): a user caller never reaches the Hyp vectors';
    if (trap.imm < 0 || trap.imm > 0xffff) return `hvc takes a 16-bit immediate, not ${trap.imm}`;
    return undefined;
  },
  prepareCaller(machine: Machine, trap: CaseTrap, registers: Readonly<Record<string, bigint>>): CallerSetup {
    if (trap.origin.privilege === 'user') throw new Error('arm32 conformance: no user-mode hvc caller');
    const mode = MODE_OF[trap.origin.privilege];
    const program = new Uint8Array(8);
    program.set(ARM32_INSTRUCTION_SET.assembleOne(`hvc #${trap.imm}`, { address: CONFORMANCE_CALLER, final: true, resolve: () => undefined }), 0);
    program.set(wfiBytes(), 4);
    machine.memory.load(CONFORMANCE_CALLER, program);
    // A guest's hvc is told from the host's by VTTBR.VMID (bits 55:48), as KVM's hyp_hvc does.
    machine.setRegister('vttbr', trap.origin.world === 'guest' ? 1n << 48n : 0n);
    machine.setMode(mode);
    for (const [name, value] of Object.entries(registers)) machine.setRegister(name, value);
    machine.pc = CONFORMANCE_CALLER;
    // wfi ends the run with the PC after it.
    return { trapAddress: CONFORMANCE_CALLER, resume: { address: CONFORMANCE_CALLER + 4, reason: 'wfi', pc: CONFORMANCE_CALLER + 8 }, mode };
  },
  landingPadProblem(address: bigint): string | undefined {
    if (address < 0n || address > 0xffff_ffffn) return 'not a 32-bit address';
    const a = Number(address);
    if ((a & 1) !== 0) return 'an odd address selects Thumb state, which hyplay does not model';
    if ((a & 2) !== 0) return 'not word-aligned, so not an ARM-state instruction address';
    if (pageOf(a) === pageOf(CONFORMANCE_CALLER)) return `it shares a page with the caller at ${hexAddress(CONFORMANCE_CALLER)}`;
    if (pageOf(a) >= pageOf(CONFORMANCE_HVBAR) && pageOf(a) < pageOf(CONFORMANCE_HVBAR + VECTOR_AREA)) return `it lies in the vector area at ${hexAddress(CONFORMANCE_HVBAR)}`;
    return undefined;
  },
  placeLandingPad(machine: Machine, address: bigint): Pad {
    const problem = ARM32_CONFORMANCE_DRIVER.landingPadProblem(address);
    if (problem !== undefined) throw new Error(`arm32 conformance: no landing pad at 0x${address.toString(16)}: ${problem}`);
    const a = Number(address);
    machine.memory.load(a, wfiBytes());
    return { address: a, reason: 'wfi', pc: a + 4 };
  },
  implementations: ARM32_FIRMWARE_IMPLEMENTATIONS,
};
