/**
 * The canonical AArch64 state of the arm64 backend: X0–X30, the three stack
 * pointers, the PC, PSTATE (in the SPSR_ELx layout), ELR/SPSR of EL1 and
 * EL2, and the four AArch32 SPSRs an AArch64 EL2 can reach when EL1
 * supports AArch32 (ARM ARM DDI 0487 C5.2.19–C5.2.22: SPSR_abt, SPSR_und,
 * SPSR_irq, SPSR_fiq). hyplay's arm64 model has no AArch32, so a machine
 * reads those four as 0; formats and property tests still carry them.
 *
 * @module
 */

import type { Machine } from '../../../src/interp/machine.ts';
import type { ArchitecturalRegister, ArchitecturalState } from '../../../src/state/architectural-state.ts';
import { modeOf, readPstate, SP_SLOT, stackSlotOf, Sys, wordsToBigInt, type Arm64State } from '../registers.ts';

/** Every canonical AArch64 register, in export order. */
export const ARM64_STATE_REGISTERS: readonly ArchitecturalRegister[] = [
  ...Array.from({ length: 31 }, (_, i): ArchitecturalRegister => ({ name: `x${i}`, bits: 64, what: `general register X${i}` })),
  { name: 'sp_el0', bits: 64, bank: 'el0', what: 'stack pointer of EL0 (and of ELxt modes)' },
  { name: 'sp_el1', bits: 64, bank: 'el1', what: 'stack pointer of EL1h' },
  { name: 'sp_el2', bits: 64, bank: 'el2', what: 'stack pointer of EL2h' },
  { name: 'pc', bits: 64, what: 'program counter' },
  { name: 'pstate', bits: 32, what: 'PSTATE in the SPSR_ELx layout (N Z C V, IL, D A I F, M[4:0])' },
  { name: 'elr_el1', bits: 64, bank: 'el1', what: 'exception link register of EL1' },
  { name: 'spsr_el1', bits: 64, bank: 'el1', what: 'saved program status of EL1 (architecturally the same register as AArch32 SPSR_svc)' },
  { name: 'elr_el2', bits: 64, bank: 'el2', what: 'exception link register of EL2 (AArch32 ELR_hyp)' },
  { name: 'spsr_el2', bits: 64, bank: 'el2', what: 'saved program status of EL2 (AArch32 SPSR_hyp)' },
  { name: 'spsr_abt', bits: 32, bank: 'abt', what: 'AArch32 SPSR_abt as AArch64 sees it (0 here: no AArch32 at EL1)' },
  { name: 'spsr_und', bits: 32, bank: 'und', what: 'AArch32 SPSR_und as AArch64 sees it (0 here)' },
  { name: 'spsr_irq', bits: 32, bank: 'irq', what: 'AArch32 SPSR_irq as AArch64 sees it (0 here)' },
  { name: 'spsr_fiq', bits: 32, bank: 'fiq', what: 'AArch32 SPSR_fiq as AArch64 sees it (0 here)' },
];

function sysValue(s: Arm64State, slot: number): bigint {
  return wordsToBigInt(s.sys[2 * slot]!, s.sys[2 * slot + 1]!);
}

/** The canonical state of an arm64 machine state: the selected stack pointer is read from the live SP, the others from their banks. */
export function arm64ArchitecturalState(s: Arm64State): ArchitecturalState {
  const registers: Record<string, bigint> = {};
  for (let i = 0; i < 31; i++) registers[`x${i}`] = wordsToBigInt(s.x[2 * i]!, s.x[2 * i + 1]!);
  const live = stackSlotOf(modeOf(s));
  const sp = (slot: number): bigint => (slot === live ? wordsToBigInt(s.x[2 * SP_SLOT]!, s.x[2 * SP_SLOT + 1]!) : sysValue(s, slot));
  registers['sp_el0'] = sp(Sys.spEl0);
  registers['sp_el1'] = sp(Sys.spEl1);
  registers['sp_el2'] = sp(Sys.spEl2);
  registers['pc'] = BigInt(s.pc);
  registers['pstate'] = BigInt(readPstate(s));
  registers['elr_el1'] = sysValue(s, Sys.elrEl1);
  registers['spsr_el1'] = sysValue(s, Sys.spsrEl1);
  registers['elr_el2'] = sysValue(s, Sys.elrEl2);
  registers['spsr_el2'] = sysValue(s, Sys.spsrEl2);
  for (const name of ['spsr_abt', 'spsr_und', 'spsr_irq', 'spsr_fiq']) registers[name] = 0n;
  return { arch: 'arm64', registers };
}

/** The canonical state of a stopped arm64 machine (its plain state, as a snapshot holds it). */
export function arm64MachineState(machine: Machine): ArchitecturalState {
  return arm64ArchitecturalState(machine.snapshot().state as Arm64State);
}
