/**
 * Guest memory as an arm32 instruction sees it while the MMU translates:
 * the framework's {@link TranslatingMemory} over the machine's TLB
 * ({@link Arm32Tlb}), so that instruction semantics written against
 * {@link GuestMemory} run unchanged on virtual addresses. Ops predecoded
 * while translation is on carry this view as their memory; the physical
 * memory stays what every untranslated op uses, so a machine with the MMU
 * off runs exactly the code it ran before.
 *
 * The framework view makes an access that crosses a page a byte at a time,
 * each byte translated (B3.1: a translation is per page); it faults, with
 * nothing written, if any byte does. Addresses are 32 bits: one that runs
 * past 0xffff_ffff wraps to 0 (the TLB is asked with `address >>> 0`).
 *
 * @module
 */

import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { TranslatingMemory, TranslationAccess } from '../../src/memory/translating-memory.ts';
import { Mode, type Arm32State } from './registers.ts';
import type { Arm32Tlb } from './tlb.ts';

/** The translating view (see the module comment). */
export class TranslatedMemory extends TranslatingMemory {
  private readonly state: Arm32State;

  /**
   * @param physical guest-physical memory.
   * @param tlb the machine's TLB (its state selects the regime).
   */
  constructor(
    physical: GuestMemory,
    readonly tlb: Arm32Tlb,
  ) {
    super(physical);
    this.state = tlb.state;
  }

  /**
   * Set while an unprivileged load or store (LDRT and its family, A8.8.92)
   * accesses memory from PL1: its accesses are checked as PL0's (B3.7.1).
   */
  unprivileged = false;

  /** Through the TLB; PL0 accesses are unprivileged (B3.7.1), and so are LDRT's. */
  protected translate(address: number, kind: number): number {
    return this.tlb.translate(address >>> 0, kind === TranslationAccess.write, kind === TranslationAccess.fetch, this.unprivileged || this.state.mode === Mode.usr);
  }
}
