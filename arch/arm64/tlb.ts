/**
 * The per-machine (per-vCPU) TLB of the arm64 MMU: it caches what the
 * stage-1 walk of the EL1&0 regime (`mmu.ts`, {@link translateStage1})
 * found, one entry per 4 KiB page and access kind (read, write, fetch; from
 * EL1 or from EL0), so that translated loads, stores and fetches stay on
 * numbers. Faults are never cached (ARM ARM D8.13, "Translation Lookaside
 * Buffers": only valid translations may be held).
 *
 * Virtual addresses are the signed representation the backend uses for
 * every address (`registers.ts`): a 64-bit value with bit 63 set is the
 * negative number value − 2^64, so the upper (TTBR1) half of a 48-bit
 * space, 0xffff_0000_0000_0000 up, is -2^48 … -1, exact in a double.
 * Values whose magnitude reaches 2^53 cannot be held exactly; they are
 * never canonical at any TxSZ (the input size is at most 48 bits), so they
 * fault as level 0 translation faults (D8.2.1), with a FAR that may have
 * lost low bits. One deviation follows: a data address whose top byte is a
 * tag (not the sign extension of bit 55) faults even where TBI0/TBI1 says
 * the top byte is ignored, since the access could not be made at the
 * right bytes; the walk itself (`translateStage1`, and AT) applies TBI.
 *
 * Maintenance: every TLBI empties it, and so does a write to a register
 * the translation depends on (SCTLR_EL1, TCR_EL1, TTBR0/1_EL1, MAIR_EL1,
 * HCR_EL2, VTCR/VTTBR_EL2): a TLB may drop entries at any time (D8.13.1),
 * so dropping more than the architecture requires is always allowed; the
 * ASID and VMID tags a TLB that kept entries across those writes would need
 * are not modelled.
 *
 * @module
 */

import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { translateStage1, type Stage1Access, type Stage1Fault } from './mmu.ts';
import { Sys, sysSlot, type Arm64State } from './registers.ts';

/** Magnitudes from which a number no longer holds every address exactly (2^53). */
const INEXACT = 2 ** 53;

/** Entries (a power of two), direct-mapped by page and access kind. */
const ENTRIES = 1 << 12;

/** An access kind: bits 1:0 read 0, write 1, fetch 2; bit 2 set for an access made as EL0. */
export const Access = {
  /** A data read. */
  read: 0,
  /** A data write. */
  write: 1,
  /** An instruction fetch. */
  fetch: 2,
  /** Or-ed in: the access is made as EL0 (from EL0, or LDTR/STTR at EL1). */
  el0: 4,
} as const;

const ACCESS_NAMES: readonly Stage1Access[] = ['read', 'write', 'fetch', 'read'];

/** TLBs by the state they belong to, for the maintenance instructions and the exception model (whose code sees only the state). */
const TLBS = new WeakMap<Arm64State, Arm64Tlb>();

/** The TLB of the machine whose state is `s`, if it has one. */
export function tlbOf(s: Arm64State): Arm64Tlb | undefined {
  return TLBS.get(s);
}

/** Empty the TLB of the machine whose state is `s` (TLBI, and writes to the translation controls). */
export function flushTlb(s: Arm64State): void {
  TLBS.get(s)?.flush();
}

const TCR_EL1 = sysSlot('tcr_el1');
const TTBR0_EL1 = sysSlot('ttbr0_el1');
const TTBR1_EL1 = sysSlot('ttbr1_el1');

function word64(s: Arm64State, slot: number): bigint {
  return (BigInt(s.sys[2 * slot + 1]! >>> 0) << 32n) | BigInt(s.sys[2 * slot]! >>> 0);
}

/** Whether stage 1 of the EL1&0 regime translates the current EL's accesses: EL0 or EL1 with SCTLR_EL1.M set (D13.2.113). */
export function translationActive(s: Arm64State): boolean {
  return s.el < 2 && (s.sys[2 * Sys.sctlrEl1]! & 1) !== 0;
}

/** The translating TLB (see the module comment). */
export class Arm64Tlb {
  /** The VA page number of each entry (NaN when empty). */
  private readonly pages = new Float64Array(ENTRIES).fill(Number.NaN);
  /** The access kind of each entry. */
  private readonly kinds = new Int8Array(ENTRIES);
  /** The physical page address of each entry. */
  private readonly frames = new Float64Array(ENTRIES);
  /** The fault status code (DFSC/IFSC) of the last failed translation, or -1 once the exception model has taken it. */
  private faultStatus = -1;
  /** The virtual address of the last failed translation. */
  private faultAddress = 0;

  /**
   * @param state the machine's state (its registers select the regime).
   * @param physical guest-physical memory (the walk reads descriptors there).
   */
  constructor(
    readonly state: Arm64State,
    readonly physical: GuestMemory,
  ) {
    TLBS.set(state, this);
  }

  /** Drop every entry. */
  flush(): void {
    this.pages.fill(Number.NaN);
  }

  /**
   * The physical address of virtual address `va` for an access of `kind`
   * ({@link Access}), or -1 when the translation faults (the fault is kept
   * for {@link Arm64Tlb.takeFault}).
   */
  translate(va: number, kind: number): number {
    const page = Math.floor(va / 4096);
    const index = ((page & (ENTRIES / 8 - 1)) << 3) | kind;
    if (this.pages[index] === page && this.kinds[index] === kind) return this.frames[index]! + (va - page * 4096);
    return this.miss(va, page, index, kind);
  }

  private miss(va: number, page: number, index: number, kind: number): number {
    if (va >= INEXACT || va <= -INEXACT) {
      // Not held exactly (see the module comment): never canonical, and with TBI the access could not be made at the right bytes.
      this.faultStatus = 0b0001_00;
      this.faultAddress = va;
      return -1;
    }
    const s = this.state;
    const regime = { tcr: word64(s, TCR_EL1), ttbr0: word64(s, TTBR0_EL1), ttbr1: word64(s, TTBR1_EL1) };
    const result = translateStage1(this.physical, regime, BigInt.asUintN(64, BigInt(va)), ACCESS_NAMES[kind & 3]!, (kind & Access.el0) !== 0 ? 0 : 1);
    if (!result.ok) {
      this.fail(va, result);
      return -1;
    }
    const frame = Number(result.pa) - (va - page * 4096);
    this.pages[index] = page;
    this.kinds[index] = kind;
    this.frames[index] = frame;
    return Number(result.pa);
  }

  private fail(va: number, fault: Stage1Fault): void {
    this.faultStatus = fault.fsc;
    this.faultAddress = va;
  }

  /**
   * Record that an access translated (to `pa`) but found nothing there: a
   * synchronous external abort, not on a walk (FSC 0b010000).
   */
  external(va: number): void {
    this.faultStatus = 0x10;
    this.faultAddress = va;
  }

  /**
   * The fault status code of the translated access that failed between
   * `first` and `last` (virtual addresses, inclusive), or -1 when none did
   * (the access faulted before any translation: an untranslated access, or
   * an alignment fault). Taking it clears it.
   */
  takeFault(first: number, last: number): number {
    const status = this.faultStatus;
    if (status < 0) return -1;
    this.faultStatus = -1;
    const at = Math.floor(this.faultAddress / 4096);
    return at >= Math.floor(first / 4096) && at <= Math.floor(last / 4096) ? status : -1;
  }
}
