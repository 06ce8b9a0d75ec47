/**
 * x86-64 4-level paging (SDM vol. 3 §4.5): the walk from CR3 through the
 * PML4, PDPT, page directory and page table to a 4 KiB page, or stopping
 * at a PDPTE (1 GiB) or PDE (2 MiB) with PS set; the access rights of
 * §4.6; the accessed and dirty flags of §4.8; the #PF error code of §4.7.
 *
 * **When walks happen.** The reset state has CR0.PG, CR4.PAE and EFER.LME
 * set with CR3 = 0, because long mode needs paging. hyplay's model is that
 * the reset state stands for a loader's identity map of every linear
 * address that lives outside guest memory (linear = physical, all
 * present, writable, user-accessible and executable; no guest memory is
 * read for it). That map covers the lower canonical half only: an identity
 * map cannot reach the upper half, since a physical address has at most 52
 * bits, so before the guest loads CR3 an upper-half address is unmapped (a
 * #PF with P = 0, CR2 the 64-bit address), never a wrap onto low memory.
 * Real 4-level walks start when the guest itself loads CR3
 * (`mov %reg, %cr3`), which sets the state's `paging` flag; from then on
 * every linear address the guest forms goes through this walk. Writing
 * `cr3` through the register view is setup and does not start walks.
 *
 * Rights: a user access (CPL 3, not an implicit supervisor access such as
 * a descriptor-table read) needs U/S = 1 at every level, and a user write
 * R/W = 1 at every level; a supervisor write needs R/W = 1 at every level
 * only while CR0.WP = 1; an instruction fetch faults when XD = 1 at any
 * level with EFER.NXE = 1, and (CR4.SMEP = 1) a supervisor fetch from a
 * user page faults. CR4.SMAP and protection keys are not modelled.
 *
 * Reserved bits (a fault with P = 1 and RSVD = 1): PS in a PML4E, XD with
 * EFER.NXE = 0, and the address bits below the page base of a 1 GiB or
 * 2 MiB page (bits 29:13, 20:13). MAXPHYADDR is taken as 52, so no
 * physical-address bits are reserved above it.
 *
 * A/D: the walk sets A in every entry it used and, for a write, D in the
 * leaf, only when the translation succeeds (as QEMU does; the SDM allows
 * a faulting walk to set A flags too, but does not require it). A paging
 * entry that lies outside guest RAM reads as not present (hyplay's
 * choice; real hardware would read whatever the bus gives).
 *
 * Linear addresses are numbers in the backend's signed representation
 * (`registers.ts`): the lower canonical half is 0 … 2^47 − 1, the upper
 * half (0xffff_8000_0000_0000 up, where a Linux kernel lives) −2^47 … −1.
 * The walk indexes the PML4 with bits 47:39 of the 48-bit address, so the
 * upper half uses PML4 entries 256–511. Guest-physical memory is where it
 * always is: paging is what maps an upper-half address onto it. A
 * non-canonical address is the caller's #GP/#SS and never walks (here it
 * fails as not present).
 *
 * @module
 */

import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { Cr0, Cr4, Efer, type X86State } from './registers.ts';

/** An access kind: bits 1:0 read 0, write 1, fetch 2 (`TranslationAccess`); bit 2 set for a user-mode access. */
export const PageAccess = {
  /** A data read. */
  read: 0,
  /** A data write. */
  write: 1,
  /** An instruction fetch. */
  fetch: 2,
  /** Or-ed in: the access is a user-mode one (CPL 3, and not an implicit supervisor access). */
  user: 4,
} as const;

/** The #PF error code bits (SDM vol. 3 §4.7, figure 4-12). */
export const PfError = {
  /** P: 0 a non-present page, 1 a protection violation (or a reserved bit). */
  P: 1,
  /** W/R: the access was a write. */
  W: 2,
  /** U/S: the access was a user-mode one. */
  U: 4,
  /** RSVD: a reserved bit was set in a paging-structure entry. */
  RSVD: 8,
  /** I/D: an instruction fetch (only with CR4.SMEP = 1, or EFER.NXE = 1 under PAE/4-level paging). */
  ID: 16,
} as const;

/** Paging-entry bits in the low word (SDM vol. 3 table 4-15 … 4-20). */
const P = 1;
const RW = 2;
const US = 4;
const A = 0x20;
const D = 0x40;
const PS = 0x80;
/** XD is bit 63: bit 31 of the high word. */
const XD_HIGH = 0x8000_0000;

const TWO_32 = 0x1_0000_0000;
/** The first non-canonical address of the lower half (2^47); −2^47 is the first of the upper half. */
const CANONICAL_LIMIT = 2 ** 47;
/** 2^48: the upper half's negative numbers plus this are their 48-bit addresses. */
const TWO_48 = 2 ** 48;

/** The error code of the last walk that faulted ({@link walk} returned -1). */
let faultCode = 0;

/** The #PF error code of the last {@link walk} that returned -1. */
export function lastFaultCode(): number {
  return faultCode;
}

/** Physical address of the table an entry points to (bits 51:12), from its two words. */
function tableBase(low: number, high: number): number {
  return (high & 0xf_ffff) * TWO_32 + ((low & 0xffff_f000) >>> 0);
}

/** The error code of a failed access of `kind` (P set for a protection or reserved-bit fault). */
function errorCode(s: X86State, kind: number, present: boolean, reserved: boolean): number {
  let code = present ? PfError.P : 0;
  if ((kind & 3) === PageAccess.write) code |= PfError.W;
  if ((kind & PageAccess.user) !== 0) code |= PfError.U;
  if (reserved) code |= PfError.RSVD;
  if ((kind & 3) === PageAccess.fetch && ((s.cr4 & Cr4.SMEP) !== 0 || ((s.efer & Efer.NXE) !== 0 && (s.cr4 & Cr4.PAE) !== 0))) code |= PfError.ID;
  return code;
}

/** Where the walk found each entry it used (physical addresses), so that A/D can be set once it succeeds. */
const entryAt = new Float64Array(4);
const entryLow = new Uint32Array(4);

/** The failure of an access of `kind` that no translation reaches (a not-present #PF code kept for {@link lastFaultCode}): -1. */
export function notMapped(s: X86State, kind: number): number {
  faultCode = errorCode(s, kind, false, false);
  return -1;
}

/**
 * Translate linear `va` (the signed representation) for an access of `kind`
 * ({@link PageAccess}) by the 4-level walk from CR3 in `physical`. Returns
 * the physical address, or -1 with the #PF error code kept for
 * {@link lastFaultCode}. With `update` the walk sets the A and D flags of
 * a successful translation (a real access); without, it only looks (the
 * exception model's second look at a fault).
 */
export function walk(s: X86State, physical: GuestMemory, va: number, kind: number, update: boolean): number {
  if (!(va >= -CANONICAL_LIMIT && va < CANONICAL_LIMIT)) {
    faultCode = errorCode(s, kind, false, false);
    return -1;
  }
  // Bits 47:0 of the address: the upper half's PML4 indexes are 256–511.
  const u = va < 0 ? va + TWO_48 : va;
  const nxe = (s.efer & Efer.NXE) !== 0;
  let table = Number(s.cr3 & 0x000f_ffff_ffff_f000n);
  let writable = true;
  let user = true;
  let noExecute = false;
  let used = 0;
  let pageBase = 0;
  let pageSize = 0;
  for (let level = 4; level >= 1; level--) {
    const shift = 12 + 9 * (level - 1);
    const index = Math.floor(u / 2 ** shift) % 512;
    const at = table + index * 8;
    const low = physical.read32(at);
    const high = physical.read32(at + 4);
    if (low === undefined || high === undefined || (low & P) === 0) {
      faultCode = errorCode(s, kind, false, false);
      return -1;
    }
    entryAt[used] = at;
    entryLow[used] = low;
    used++;
    writable &&= (low & RW) !== 0;
    user &&= (low & US) !== 0;
    const xd = (high & XD_HIGH) !== 0;
    noExecute ||= xd;
    // XD without EFER.NXE is a reserved bit (§4.5.4: bit 63 is reserved when NXE = 0); so is PS in a PML4E.
    let reserved = xd && !nxe;
    if (level === 4 && (low & PS) !== 0) reserved = true;
    const leaf = level === 1 || ((level === 2 || level === 3) && (low & PS) !== 0);
    if (leaf && level > 1) {
      // A 1 GiB or 2 MiB page: the bits between 13 and the page base (bit 12 is PAT) must be zero.
      const reservedMask = level === 3 ? 0x3fff_e000 : 0x001f_e000;
      if ((low & reservedMask) !== 0) reserved = true;
    }
    if (reserved) {
      faultCode = errorCode(s, kind, true, true);
      return -1;
    }
    if (leaf) {
      pageSize = 2 ** shift;
      pageBase = level === 1 ? tableBase(low, high) : (high & 0xf_ffff) * TWO_32 + ((low & ~(pageSize - 1) & 0xffff_f000) >>> 0);
      break;
    }
    table = tableBase(low, high);
  }
  const access = kind & 3;
  const userAccess = (kind & PageAccess.user) !== 0;
  let allowed = true;
  if (userAccess && !user) allowed = false;
  else if (access === PageAccess.write && !writable && (userAccess || (s.cr0 & Cr0.WP) !== 0)) allowed = false;
  else if (access === PageAccess.fetch && noExecute && nxe) allowed = false;
  else if (access === PageAccess.fetch && !userAccess && user && (s.cr4 & Cr4.SMEP) !== 0) allowed = false;
  if (!allowed) {
    faultCode = errorCode(s, kind, true, false);
    return -1;
  }
  if (update) {
    for (let i = 0; i < used; i++) {
      const want = entryLow[i]! | A | (i === used - 1 && access === PageAccess.write ? D : 0);
      if (want !== entryLow[i]) physical.write32(entryAt[i]!, want >>> 0);
    }
  }
  return pageBase + (u % pageSize);
}
