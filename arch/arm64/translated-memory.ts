/**
 * Guest memory as an arm64 instruction sees it while the EL1&0 regime
 * translates, by stage 1, stage 2 or both (`tlb.ts`, `translationActive`):
 * the framework's {@link TranslatingMemory} over the machine's TLB
 * ({@link Arm64Tlb}), so that the load/store semantics written against
 * {@link GuestMemory} run unchanged on virtual addresses (the signed
 * representation, see `tlb.ts`). Ops predecoded while translation is on
 * carry this view as their memory; untranslated ops keep the physical
 * memory, so a machine with the MMU off runs exactly the code it ran
 * before.
 *
 * The privilege of an access is the current EL's (EL0 accesses are checked
 * against AP[1]), or EL0's for LDTR/STTR at EL1
 * ({@link Arm64TranslatedMemory.unprivileged}). The framework view makes an
 * access that crosses a page a byte at a time, each byte translated (D8.2: a
 * translation is per page), and faults with nothing written if any byte
 * does. Every failure is noted in the TLB, so that the exception model
 * reports its fault status code: a translation fault by the TLB itself, a
 * translation that finds no RAM as a synchronous external abort
 * ({@link Arm64Tlb.external}).
 *
 * @module
 */

import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { TranslatingMemory, TranslationAccess } from '../../src/memory/translating-memory.ts';
import { Access, type Arm64Tlb } from './tlb.ts';
import type { Arm64State } from './registers.ts';

/** The translating view (see the module comment). */
export class Arm64TranslatedMemory extends TranslatingMemory {
  private readonly state: Arm64State;

  /**
   * @param physical guest-physical memory.
   * @param tlb the machine's TLB (its state selects the regime).
   */
  constructor(
    physical: GuestMemory,
    readonly tlb: Arm64Tlb,
  ) {
    super(physical);
    this.state = tlb.state;
  }

  /**
   * Set while an unprivileged load or store (LDTR/STTR and their sizes,
   * C6.2.150 and neighbours) runs at EL1: its data accesses are checked as
   * EL0's (D8.4.1, "unprivileged"; in ARMv8.0 there is no PSTATE.UAO, and
   * HCR_EL2.{NV, NV1} are not implemented).
   */
  unprivileged = false;

  /**
   * Through the TLB (the framework's access kinds are the TLB's): EL0's
   * accesses, and LDTR/STTR's data accesses, are checked as EL0 accesses; a
   * fetch is always the current EL's.
   */
  protected translate(address: number, kind: number): number {
    const el0 = this.state.el === 0 || (this.unprivileged && kind !== TranslationAccess.fetch);
    return this.tlb.translate(address, el0 ? kind | Access.el0 : kind);
  }

  /** A translation that found no RAM: noted in the TLB as an external abort. */
  protected override missing(address: number): void {
    this.tlb.external(address);
  }
}
