/**
 * The canonical AArch32 state of the arm32 backend: every banked register by
 * its manual name (ARM ARM B1.3.2), the PC and the CPSR. The current mode's
 * registers are read from the live view (`r[8..14]`) and every other bank
 * from its slot, by the backend's own banking rules (Hyp has no banked LR;
 * usr and sys share one bank).
 *
 * @module
 */

import type { Machine } from '../../../src/interp/machine.ts';
import type { ArchitecturalRegister, ArchitecturalState } from '../../../src/state/architectural-state.ts';
import { BANKED_READERS, readCpsr, writeCpsr, Bank, lrBankOf, bankOf, Mode, Slot, type Arm32State } from '../registers.ts';

const BANKED_MODES = ['svc', 'abt', 'und', 'irq', 'fiq'] as const;

/** Every canonical AArch32 register, in export order. */
export const ARM32_STATE_REGISTERS: readonly ArchitecturalRegister[] = [
  ...Array.from({ length: 13 }, (_, i): ArchitecturalRegister => ({ name: `r${i}`, bits: 32, what: i < 8 ? `R${i}, shared by every mode` : `R${i} of every mode but FIQ` })),
  ...[8, 9, 10, 11, 12].map((i): ArchitecturalRegister => ({ name: `r${i}_fiq`, bits: 32, bank: 'fiq', what: `R${i}_fiq` })),
  { name: 'sp_usr', bits: 32, bank: 'usr', what: 'SP of usr and sys' },
  { name: 'lr_usr', bits: 32, bank: 'usr', what: 'LR of usr and sys, and Hyp\'s LR (Hyp has no banked LR)' },
  ...BANKED_MODES.flatMap((m): ArchitecturalRegister[] => [
    { name: `sp_${m}`, bits: 32, bank: m, what: `SP_${m}` },
    { name: `lr_${m}`, bits: 32, bank: m, what: `LR_${m}` },
    { name: `spsr_${m}`, bits: 32, bank: m, what: `SPSR_${m}` },
  ]),
  { name: 'sp_mon', bits: 32, bank: 'mon', what: 'SP_mon' },
  { name: 'lr_mon', bits: 32, bank: 'mon', what: 'LR_mon' },
  { name: 'spsr_mon', bits: 32, bank: 'mon', what: 'SPSR_mon' },
  { name: 'sp_hyp', bits: 32, bank: 'hyp', what: 'SP_hyp' },
  { name: 'spsr_hyp', bits: 32, bank: 'hyp', what: 'SPSR_hyp' },
  { name: 'elr_hyp', bits: 32, bank: 'hyp', what: 'ELR_hyp: Hyp\'s return address' },
  { name: 'pc', bits: 32, what: 'the address of the next instruction' },
  { name: 'cpsr', bits: 32, what: 'CPSR (mode in M[4:0])' },
];

/** The canonical state of an arm32 machine state. */
export function arm32ArchitecturalState(s: Arm32State): ArchitecturalState {
  const registers: Record<string, bigint> = {};
  const u = (v: number): bigint => BigInt(v >>> 0);
  const fiq = s.mode === Mode.fiq;
  for (let i = 0; i < 8; i++) registers[`r${i}`] = u(s.r[i]!);
  for (let i = 0; i < 5; i++) {
    registers[`r${8 + i}`] = u(fiq ? s.r[Slot.usrHigh + i]! : s.r[8 + i]!);
    registers[`r${8 + i}_fiq`] = u(fiq ? s.r[8 + i]! : s.r[Slot.fiqHigh + i]!);
  }
  for (const name of ARM32_STATE_REGISTERS.map((r) => r.name)) {
    if (registers[name] !== undefined || name === 'pc' || name === 'cpsr') continue;
    const reader = BANKED_READERS.get(name);
    if (reader !== undefined) registers[name] = u(reader(s));
  }
  // The current mode's SPSR lives in its slot (the backend keeps no separate current-SPSR copy).
  registers['pc'] = u(s.pc);
  registers['cpsr'] = u(readCpsr(s));
  return { arch: 'arm32', registers };
}

/** Write a canonical state into an arm32 machine state (mode and banks included). */
export function applyArm32ArchitecturalState(s: Arm32State, state: ArchitecturalState): void {
  const r = (name: string): number => Number(state.registers[name] ?? 0n) | 0;
  const cpsr = r('cpsr') >>> 0;
  writeCpsr(s, cpsr);
  const mode = s.mode;
  const fiq = mode === Mode.fiq;
  for (let i = 0; i < 8; i++) s.r[i] = r(`r${i}`);
  for (let i = 0; i < 5; i++) {
    s.r[Slot.usrHigh + i] = r(`r${8 + i}`);
    s.r[Slot.fiqHigh + i] = r(`r${8 + i}_fiq`);
    s.r[8 + i] = fiq ? r(`r${8 + i}_fiq`) : r(`r${8 + i}`);
  }
  const banks: Record<string, number> = { usr: Bank.usr, svc: Bank.svc, abt: Bank.abt, und: Bank.und, irq: Bank.irq, fiq: Bank.fiq, hyp: Bank.hyp, mon: Bank.mon };
  for (const [name, bank] of Object.entries(banks)) {
    s.r[Slot.sp + bank] = r(`sp_${name}`);
    if (name !== 'hyp') s.r[Slot.lr + bank] = r(`lr_${name}`);
    if (name !== 'usr') s.r[Slot.spsr + bank] = r(`spsr_${name}`);
  }
  s.r[13] = s.r[Slot.sp + bankOf(mode)]!;
  s.r[14] = s.r[Slot.lr + lrBankOf(mode)]!;
  s.elrHyp = r('elr_hyp') >>> 0;
  s.pc = r('pc') >>> 0;
}

/** The canonical state of a stopped arm32 machine. */
export function arm32MachineState(machine: Machine): ArchitecturalState {
  return arm32ArchitecturalState(machine.snapshot().state as Arm32State);
}
