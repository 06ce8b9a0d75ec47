/**
 * The AArch32 ↔ AArch64 register mapping for an AArch32 EL1 guest of an
 * AArch64 hypervisor: which X register holds which banked AArch32 register
 * (ARM ARM DDI 0487 D1.20.1, table D1-77; the same table is Xen's
 * `vcpu_guest_core_regs` comment and QEMU commit 3a9148d0), and the SPSR
 * and ELR correspondences (SPSR_EL1 is SPSR_svc, SPSR_EL2 is SPSR_hyp,
 * ELR_EL2 is ELR_hyp; Hyp has no banked LR, so no X register holds one).
 *
 * Beside it, the map older arm64 Linux/KVM used (the v3.10 backport tree's
 * `arch/arm64/include/asm/ptrace.h`): SP and LR swapped for irq, svc, abt and
 * und. The hardware saves the architectural map whatever the kernel calls
 * the slots, so the swapped map only changes what KVM's own accessors
 * (`vcpu_reg` in fault injection) read and write (abi-facts §7.3). The
 * release of R. Murphy's fix is unconfirmed: the v3.10 tree has the swap,
 * v4.11 the architectural map.
 *
 * Register names are the arm32 backend's canonical names
 * (`arch/arm32/state/architectural-state.ts`); `test/arch/arm64/state/`
 * checks that both lists agree.
 *
 * @module
 */

/** AArch32 register held by each of X0–X30, architecturally (table D1-77). */
export const ARCHITECTURAL_X_MAP: readonly string[] = [
  'r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12',
  'sp_usr', 'lr_usr', 'sp_hyp',
  'lr_irq', 'sp_irq', 'lr_svc', 'sp_svc', 'lr_abt', 'sp_abt', 'lr_und', 'sp_und',
  'r8_fiq', 'r9_fiq', 'r10_fiq', 'r11_fiq', 'r12_fiq', 'sp_fiq', 'lr_fiq',
];

/** What old arm64 KVM (the v3.10 backport tree, before "arm64: Fix compat register mappings") took each of X0–X30 to hold. */
export const COMPAT_SWAPPED_X_MAP: readonly string[] = ARCHITECTURAL_X_MAP.map((name, x) => (x >= 16 && x <= 23 ? ARCHITECTURAL_X_MAP[x % 2 === 0 ? x + 1 : x - 1]! : name));

/** A register map era: how KVM names the X registers of an AArch32 guest. */
export interface RegisterMapEra {
  /** Its id (`architectural`, `compat-swapped`). */
  readonly id: string;
  /** Releases, one phrase. */
  readonly era: string;
  /** The AArch32 register each X register is taken to hold. */
  readonly map: readonly string[];
  /** Where it is read from. */
  readonly source: string;
}

/** Both map eras, oldest first. */
export const REGISTER_MAP_ERAS: readonly RegisterMapEra[] = [
  { id: 'compat-swapped', era: 'arm64 Linux/KVM before the compat mapping fix (v3.10 backport tree; fix release unconfirmed)', map: COMPAT_SWAPPED_X_MAP, source: 'v3.10 tree arch/arm64/include/asm/ptrace.h (compat_sp_irq = regs[16], compat_lr_irq = regs[17], …)' },
  { id: 'architectural', era: 'v4.11 and later (the ARM ARM table)', map: ARCHITECTURAL_X_MAP, source: 'ARM ARM DDI 0487 D1.20.1 table D1-77; v4.11 tree arch/arm64/include/asm/ptrace.h' },
];

/** One AArch32 register and the AArch64 register it is. */
export interface SpsrCorrespondence {
  /** The AArch32 name. */
  readonly aarch32: string;
  /** The AArch64 name. */
  readonly aarch64: string;
}

/** AArch32 SPSRs and the AArch64 register each one is (ARM ARM D1.20.1; QEMU `aarch64_banked_spsr_index`). */
export const SPSR_CORRESPONDENCE: readonly SpsrCorrespondence[] = [
  { aarch32: 'spsr_svc', aarch64: 'spsr_el1' },
  { aarch32: 'spsr_hyp', aarch64: 'spsr_el2' },
  { aarch32: 'spsr_mon', aarch64: 'spsr_el3' },
  { aarch32: 'spsr_abt', aarch64: 'spsr_abt' },
  { aarch32: 'spsr_und', aarch64: 'spsr_und' },
  { aarch32: 'spsr_irq', aarch64: 'spsr_irq' },
  { aarch32: 'spsr_fiq', aarch64: 'spsr_fiq' },
  { aarch32: 'elr_hyp', aarch64: 'elr_el2' },
];

/** The map era with id `id`, or `undefined`. */
export function registerMapEra(id: string): RegisterMapEra | undefined {
  return REGISTER_MAP_ERAS.find((e) => e.id === id);
}
