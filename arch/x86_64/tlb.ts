/**
 * The per-machine (per-vCPU) x86-64 TLB over the 4-level walk
 * (`paging.ts`, {@link walk}): one entry per 4 KiB linear page and access
 * kind (read, write, fetch; supervisor or user), in typed arrays, so that
 * translated loads, stores and fetches stay on numbers and allocate
 * nothing. Faults are never cached (SDM vol. 3 §4.10.2.1: only
 * translations that do not fault are cached). A write entry is filled only
 * by a walk that set D, so a cached write never needs to set it.
 *
 * Maintenance (SDM vol. 3 §4.10.4): `invlpg` drops the entries of one
 * page, a MOV to CR3 drops every entry, and so does a write to CR0, CR4 or
 * EFER (which change the access rights; dropping more than required is
 * always allowed). Global pages (CR4.PGE with G = 1, which survive a CR3
 * load) and PCIDs are not modelled: every entry is flushed by a CR3 load.
 * Until the guest loads CR3 the reset state's identity map applies (see
 * `paging.ts`): the TLB answers linear = physical without a walk, for the
 * lower half; an upper-half address (negative in the signed
 * representation, `registers.ts`) is not mapped then, since no physical
 * address reaches it (a not-present #PF).
 *
 * @module
 */

import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { lastFaultCode, notMapped, PageAccess, walk } from './paging.ts';
import type { X86State } from './registers.ts';

/** Entries (a power of two), direct-mapped by page, eight slots (access kinds) per page. */
const ENTRIES = 1 << 12;

/** TLBs by the state they belong to, for the semantics (whose code sees only the state). */
const TLBS = new WeakMap<X86State, X86Tlb>();

/** The TLB of the machine whose state is `s`, if it has one. */
export function tlbOf(s: X86State): X86Tlb | undefined {
  return TLBS.get(s);
}

/** Whether the guest has loaded CR3, so that linear addresses go through the 4-level walk (see `paging.ts`). */
export function pagingActive(s: X86State): boolean {
  return s.paging !== 0;
}

/** The translating TLB (see the module comment). */
export class X86Tlb {
  /** The linear page number of each entry (NaN when empty). */
  private readonly pages = new Float64Array(ENTRIES).fill(Number.NaN);
  /** The physical page address of each entry. */
  private readonly frames = new Float64Array(ENTRIES);

  /**
   * @param state the machine's state.
   * @param physical guest-physical memory (the walk reads entries there).
   */
  constructor(
    readonly state: X86State,
    readonly physical: GuestMemory,
  ) {
    TLBS.set(state, this);
  }

  /** Drop every entry (MOV to CR3, CR0, CR4, EFER; a restore). */
  flush(): void {
    this.pages.fill(Number.NaN);
  }

  /** Drop the entries of the page holding linear `va` (INVLPG). */
  flushPage(va: number): void {
    const page = Math.floor(va / 4096);
    const base = (page & (ENTRIES / 8 - 1)) << 3;
    for (let kind = 0; kind < 8; kind++) if (this.pages[base | kind] === page) this.pages[base | kind] = Number.NaN;
  }

  /**
   * The physical address of linear `va` for an access of `kind`
   * ({@link PageAccess}), or -1 when the translation faults (its error code
   * is then {@link X86Tlb.faultCode}). Before the guest loads CR3, the
   * identity of the lower half (the upper half is not mapped).
   */
  translate(va: number, kind: number): number {
    if (this.state.paging === 0) return va >= 0 ? va : notMapped(this.state, kind);
    const page = Math.floor(va / 4096);
    const index = ((page & (ENTRIES / 8 - 1)) << 3) | kind;
    if (this.pages[index] === page) return this.frames[index]! + (va - page * 4096);
    const pa = walk(this.state, this.physical, va, kind, true);
    if (pa < 0) return -1;
    this.pages[index] = page;
    this.frames[index] = pa - (va - page * 4096);
    return pa;
  }

  /** The #PF error code of the last {@link X86Tlb.translate} that returned -1. */
  faultCode(): number {
    return lastFaultCode();
  }

  /**
   * The #PF error code an access of `kind` to `va` gets now, or -1 when it
   * translates (the exception model's look at a fault: no A/D update, no
   * entry filled).
   */
  probe(va: number, kind: number): number {
    if (this.state.paging === 0) return va >= 0 ? -1 : (notMapped(this.state, kind), lastFaultCode());
    return walk(this.state, this.physical, va, kind, false) < 0 ? lastFaultCode() : -1;
  }
}

/** {@link PageAccess} of a data access at the current CPL. */
export function dataAccess(s: X86State, write: boolean): number {
  return (write ? PageAccess.write : PageAccess.read) | (s.cpl === 3 ? PageAccess.user : 0);
}
