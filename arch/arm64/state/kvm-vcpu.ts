/**
 * What KVM arm64 itself does with an AArch32 vCPU's core registers: the
 * accessor of the current mode's SPSR (`vcpu_spsr32_mode`, v5.7 tree
 * arch/arm64/kvm/regmap.c: SVC 0, ABT 1, UND 2, IRQ 3, FIQ 4, anything else
 * `BUG()`), and abort injection (`inject_abt32`, arch/arm64/kvm/
 * inject_fault.c), which writes the return address through `vcpu_reg(vcpu,
 * 14)` in Abort mode, so through the era's register map.
 *
 * @module
 */

import { StateError, type ArchitecturalRegister, type ArchitecturalState } from '../../../src/state/architectural-state.ts';
import { readWords, writeWords, type CoreFile } from '../../../src/state/one-reg.ts';
import { coreFileOf, stateOfCoreFile } from '../../../src/state/state-format.ts';
import type { OperationResult, StateOperation } from '../../../src/state/state-support.ts';
import { ARCHITECTURAL_X_MAP, REGISTER_MAP_ERAS, type RegisterMapEra } from './aarch32-mapping.ts';
import { KVM_ARM64_CORE } from './kvm-arm64-core.ts';

/** AArch32 mode names by M[4:0]. */
const MODE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x10, 'usr'],
  [0x11, 'fiq'],
  [0x12, 'irq'],
  [0x13, 'svc'],
  [0x16, 'mon'],
  [0x17, 'abt'],
  [0x1a, 'hyp'],
  [0x1b, 'und'],
  [0x1f, 'sys'],
]);

/** KVM's `spsr[]` index by AArch32 mode. */
const SPSR_INDEX: ReadonlyMap<string, number> = new Map([
  ['svc', 0],
  ['abt', 1],
  ['und', 2],
  ['irq', 3],
  ['fiq', 4],
]);

const word = (name: string): number => KVM_ARM64_CORE.registers.find((r) => r.name === name)!.word;

/** The mode name of an AArch32 CPSR value. */
export function aarch32ModeName(cpsr: number): string {
  return MODE_NAMES.get(cpsr & 0x1f) ?? `reserved mode 0x${(cpsr & 0x1f).toString(16)}`;
}

/**
 * KVM's `spsr[]` index of the current mode's SPSR for an AArch32 vCPU whose
 * PSTATE is `cpsr`. USR and SYS have no SPSR (ARM ARM B1.3.3), and KVM's
 * accessor hits `BUG()` for them (and for Hyp and Mon, which a guest is never
 * in): hyplay refuses with a {@link StateError} instead.
 */
export function kvmSpsrIndex(cpsr: number): number {
  const mode = aarch32ModeName(cpsr);
  const index = SPSR_INDEX.get(mode);
  if (index === undefined) {
    const why = mode === 'usr' || mode === 'sys' ? `${mode.toUpperCase()} mode has no SPSR (ARM ARM B1.3.3)` : `a guest is never in ${mode} mode, and spsr[] has no ${mode} entry`;
    throw new StateError(`refused: the current mode's SPSR does not exist: ${why}; KVM's vcpu_spsr32_mode() would BUG() (crash the host) here`);
  }
  return index;
}

/** The current mode's SPSR of the AArch32 vCPU in `file` (through {@link kvmSpsrIndex}). */
export function kvmCurrentSpsr(file: CoreFile): bigint {
  const cpsr = Number(readWords(file, word('regs.pstate'), 4));
  return readWords(file, word(`spsr[${kvmSpsrIndex(cpsr)}]`), 8);
}

/** What {@link injectDataAbort32} did. */
export interface InjectedAbort {
  /** The X register KVM wrote the return address to (its `vcpu_reg(vcpu, 14)` in Abort mode). */
  readonly x: number;
  /** The AArch32 register that X register architecturally is. */
  readonly architectural: string;
  /** The return address written. */
  readonly returnAddress: bigint;
}

/**
 * KVM injecting a data abort into the AArch32 vCPU in `file`, as the era of
 * `map` names the registers: SPSR_abt ← CPSR, CPSR ← Abort mode with A and I
 * masked, LR_abt (by the era's map) ← PC + 8, PC ← the vector (VBAR 0, low
 * vectors: 0x10). The +8 and the masks are the ARM ARM's data-abort entry
 * (B1.8.3, B1.9.8); the exact arithmetic of each KVM release is not checked.
 */
export function injectDataAbort32(file: CoreFile, map: RegisterMapEra): InjectedAbort {
  const cpsr = readWords(file, word('regs.pstate'), 8);
  const pc = readWords(file, word('regs.pc'), 8);
  const x = map.map.indexOf('lr_abt');
  writeWords(file, word('spsr[1]'), 8, cpsr);
  writeWords(file, word('regs.pstate'), 8, 0x17n | 0x100n | 0x80n);
  const returnAddress = (pc + 8n) & 0xffff_ffffn;
  writeWords(file, word(`regs.regs[${x}]`), 8, returnAddress);
  writeWords(file, word('regs.pc'), 8, 0x10n);
  return { x, architectural: ARCHITECTURAL_X_MAP[x]!, returnAddress };
}

/** `vcpu_spsr()` of an AArch32 vCPU: the current mode's SPSR, refused for USR and SYS. */
export const KVM_VCPU_SPSR: StateOperation = {
  id: 'kvm-arm64-vcpu-spsr',
  title: "KVM arm64 reads an AArch32 vCPU's current-mode SPSR (vcpu_spsr32_mode)",
  guests: ['arm32'],
  source: 'v5.7 tree arch/arm64/kvm/regmap.c vcpu_spsr32_mode (BUG() for any other mode); v3.9 tree arch/arm/kvm/emulate.c vcpu_spsr',
  run(state: ArchitecturalState): OperationResult {
    const file = coreFileOf(KVM_ARM64_CORE, state);
    const cpsr = Number(readWords(file, word('regs.pstate'), 4));
    const index = kvmSpsrIndex(cpsr);
    return { state, lines: [`current mode ${aarch32ModeName(cpsr)}: vcpu_spsr() = spsr[${index}] = 0x${readWords(file, word(`spsr[${index}]`), 8).toString(16)}`] };
  },
};

function injection(map: RegisterMapEra): StateOperation {
  return {
    id: `kvm-arm64-inject-dabt32-${map.id}`,
    title: `KVM arm64 injects a data abort into an AArch32 vCPU, registers named by the ${map.id} map (${map.era})`,
    guests: ['arm32'],
    source: `arch/arm64/kvm/inject_fault.c inject_abt32; map: ${map.source}`,
    run(state: ArchitecturalState, registers: readonly ArchitecturalRegister[]): OperationResult {
      const file = coreFileOf(KVM_ARM64_CORE, state);
      const done = injectDataAbort32(file, map);
      const after = stateOfCoreFile(KVM_ARM64_CORE, file, state.arch, registers).state;
      return { state: after, lines: [`vcpu_reg(vcpu, 14) in abt mode is x${done.x} by the ${map.id} map, architecturally ${done.architectural}: wrote the return address 0x${done.returnAddress.toString(16)} there`] };
    },
  };
}

/** Every kernel operation on arm64 KVM state. */
export const KVM_ARM64_OPERATIONS: readonly StateOperation[] = [KVM_VCPU_SPSR, ...REGISTER_MAP_ERAS.map(injection)];
