/**
 * Build stage-2 translation tables (ARM ARM DDI 0406C B3.6.5, the
 * long-descriptor format with the stage-2 attributes of B3.6.2) for a
 * guest whose memory is a list of IPA ranges, as a hypervisor builds them
 * from its memory slots: every 4 KiB page of a range maps to the same
 * physical page (plus an optional offset) with read/write access
 * (HAP = 0b11), the access flag set and normal memory attributes; every
 * other IPA is unmapped, so an access there is a stage-2 translation
 * fault taken to Hyp (the MMIO case).
 *
 * The tables start at level 1 (VTCR.SL0 = 1) over a 32-bit IPA space
 * (VTCR.T0SZ = 0), and use level-3 pages throughout, so an unmapped IPA
 * next to mapped memory faults at level 3 (DFSC 0x07) and one in an
 * untouched gigabyte at level 1.
 *
 * @module
 */

import type { GuestMemory } from '../../src/memory/guest-memory.ts';

/** One IPA range of guest memory. */
export interface Stage2Range {
  /** First IPA (page-aligned). */
  readonly ipa: number;
  /** Length in bytes (a multiple of 4 KiB). */
  readonly size: number;
  /** The physical address of its first byte (default: the IPA, an identity map). */
  readonly physical?: number;
}

/** What {@link buildStage2Tables} made. */
export interface Stage2Tables {
  /** VTTBR's low word: the level-1 table's address (VMID in the high word is the caller's). */
  readonly vttbr: number;
  /** VTCR: T0SZ = 0, SL0 = 1 (start at level 1), inner/outer write-back cacheable walks (bit 31 RES1). */
  readonly vtcr: number;
  /** Bytes of table memory used from the base. */
  readonly size: number;
}

/** Lower attributes of a stage-2 page: AF (bit 10), SH inner (9:8), HAP read/write (7:6), MemAttr normal write-back (5:2 = 0b1111), page (1:0 = 0b11). */
const PAGE_ATTRIBUTES = (1 << 10) | (3 << 8) | (3 << 6) | (0xf << 2) | 3;
/** A table descriptor (1:0 = 0b11). */
const TABLE = 3;

/**
 * Write stage-2 tables for `ranges` into `memory` from `base` (4 KiB
 * aligned; the pages are mapped as needed). Returns the VTTBR and VTCR
 * values to program (with HCR.VM to turn stage 2 on).
 */
export function buildStage2Tables(memory: GuestMemory, base: number, ranges: readonly Stage2Range[]): Stage2Tables {
  let next = base + 0x1000;
  memory.map(base, 0x1000);
  const level1 = base;
  const table = (descriptorAddress: number): number => {
    const low = memory.read32(descriptorAddress)!;
    if ((low & 3) === TABLE) return (low & 0xffff_f000) >>> 0;
    const fresh = next;
    next += 0x1000;
    memory.map(fresh, 0x1000);
    memory.write32(descriptorAddress, (fresh | TABLE) >>> 0);
    memory.write32(descriptorAddress + 4, 0);
    return fresh;
  };
  for (const range of ranges) {
    for (let offset = 0; offset < range.size; offset += 0x1000) {
      const ipa = range.ipa + offset;
      const pa = (range.physical ?? range.ipa) + offset;
      const level2 = table(level1 + (ipa >>> 30) * 8);
      const level3 = table(level2 + ((ipa >>> 21) & 0x1ff) * 8);
      const entry = level3 + ((ipa >>> 12) & 0x1ff) * 8;
      memory.write32(entry, ((pa & 0xffff_f000) | PAGE_ATTRIBUTES) >>> 0);
      memory.write32(entry + 4, 0);
    }
  }
  return { vttbr: level1, vtcr: (1 << 31) | (1 << 6) | (1 << 8) | (1 << 10), size: next - base };
}
