/**
 * Guest memory as an x86-64 instruction sees it once the guest has loaded
 * CR3 (`paging.ts`): the framework's {@link TranslatingMemory} over the
 * machine's TLB ({@link X86Tlb}), each access made at the current CPL (a
 * user-mode access at CPL 3). Ops predecoded while paging is on carry this
 * view as their memory, so loads, stores, pushes, pops, calls and returns
 * translate through the semantics written against `GuestMemory`, and the
 * byte-by-byte fetch of the variable-length decode translates each byte as
 * an instruction fetch (an instruction may cross into a page that faults).
 *
 * @module
 */

import { TranslatingMemory } from '../../src/memory/translating-memory.ts';
import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { PageAccess } from './paging.ts';
import type { X86State } from './registers.ts';
import type { X86Tlb } from './tlb.ts';

/** The translating view (see the module comment). */
export class X86TranslatedMemory extends TranslatingMemory {
  private readonly state: X86State;

  /**
   * @param physical guest-physical memory.
   * @param tlb the machine's TLB.
   */
  constructor(
    physical: GuestMemory,
    readonly tlb: X86Tlb,
  ) {
    super(physical);
    this.state = tlb.state;
  }

  /** Through the TLB, as a user-mode access at CPL 3. */
  protected translate(address: number, kind: number): number {
    return this.tlb.translate(address, this.state.cpl === 3 ? kind | PageAccess.user : kind);
  }
}
