/**
 * The ARMv7-A stage-1 translation table walk (ARM ARM DDI 0406C B3): the
 * short-descriptor format of the PL1&0 regime (B3.5: sections,
 * supersections, small and large pages, domains, the AP[2:0] permission
 * model with and without SCTLR.AFE, XN and PXN) and the long-descriptor
 * (LPAE) format (B3.6: TTBCR.EAE, TTBR0/TTBR1 by T0SZ/T1SZ, blocks and
 * pages, AP[2:1], AF, XN and PXN), which the Hyp regime always uses (HTTBR,
 * HTCR, HSCTLR; B3.6.4).
 *
 * A walk either gives the physical address or the fault the MMU would
 * report, with the DFSR/IFSR status the exception model writes (B4.1.52:
 * short format FS[4] at bit 10 and FS[3:0] at bits 3:0 with the domain at
 * 7:4; long format STATUS at bits 5:0 with bit 9, LPAE, set).
 *
 * Stage 2 (B3.6.5, the Virtualization Extensions): with HCR.VM set, the
 * PL1&0 regime's output (an IPA) is translated again through VTTBR/VTCR in
 * the long-descriptor format, with the HAP/XN permission model; stage-1
 * descriptor reads are IPAs too, and a stage-2 fault on one is reported
 * with S1PTW set.
 *
 * The walk reads descriptors through a {@link DescriptorReader}; it caches
 * nothing. `tlb.ts` caches its results per machine and holds the TLB
 * maintenance operations.
 *
 * @module
 */

import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { cp15Slot, Mode, type Arm32State } from './registers.ts';

/** What an access is, for the permission checks. */
export interface MmuAccess {
  /** A write (else a read or a fetch). */
  readonly write: boolean;
  /** An instruction fetch. */
  readonly execute: boolean;
  /** Made at PL1 or above (else PL0: usr mode, or LDRT and friends). */
  readonly privileged: boolean;
}

/** The kinds of translation fault (B3.12.1); `external` is a synchronous external abort on the access itself (nothing answers at the physical address). */
export type MmuFaultKind = 'translation' | 'access-flag' | 'domain' | 'permission' | 'walk-external' | 'external';

/** A successful translation. */
export interface MmuTranslation {
  /** Discriminant. */
  readonly kind: 'ok';
  /** The physical address. */
  readonly physical: number;
  /** The level of the descriptor that mapped it (short: 1 section, 2 page; long: 1–3). */
  readonly level: number;
  /** Which descriptor format the walk used. */
  readonly format: 'short' | 'long';
  /** The mapping is global (nG = 0), so it matches every ASID; always true with the MMU off. */
  readonly global: boolean;
}

/** A fault. */
export interface MmuFault {
  /** Discriminant. */
  readonly kind: 'fault';
  /** What went wrong. */
  readonly fault: MmuFaultKind;
  /** The lookup level it was found at. */
  readonly level: number;
  /** The DFSR/IFSR value (without WnR), short or long format; for a stage-2 fault the HSR's DFSC/IFSC (long format, without bit 9). */
  readonly status: number;
  /** Which descriptor format the walk used. */
  readonly format: 'short' | 'long';
  /** 2 for a fault found by the stage-2 walk (reported to Hyp), else 1. */
  readonly stage: 1 | 2;
  /** A stage-2 fault on a stage-1 translation table walk (HSR ISS S1PTW, B3.13.6). */
  readonly s1ptw: boolean;
  /** For a stage-2 fault: the IPA whose translation faulted (HPFAR holds its bits 39:12, B4.1.70). */
  readonly ipa: number;
}

/**
 * Where a walk reads its descriptors: a physical read (`undefined` when
 * nothing is there), or, under stage 2, an IPA read that may fault at stage
 * 2, in which case `fault` holds that fault.
 */
export interface DescriptorReader {
  /** The 32-bit word at a descriptor address, or `undefined`. */
  read32(address: number): number | undefined;
  /** Set by a read that failed at stage 2 (cleared by the walk before it starts). */
  fault: MmuFault | undefined;
}

/** A reader straight from guest-physical memory (RAM only: a descriptor outside RAM is an external abort on the walk, never a device read). */
export function physicalReader(memory: GuestMemory): DescriptorReader {
  return {
    fault: undefined,
    read32: (address) => (memory.isMapped(address) && memory.isMapped(address + 3) ? memory.read32(address) : undefined),
  };
}

/** The result of a walk. */
export type MmuResult = MmuTranslation | MmuFault;

const SCTLR = cp15Slot('sctlr');
const HSCTLR = cp15Slot('hsctlr');
const TTBCR = cp15Slot('ttbcr');
const TTBR0 = cp15Slot('ttbr0');
const TTBR1 = cp15Slot('ttbr1');
const TTBR0_64 = cp15Slot('ttbr0_64');
const TTBR1_64 = cp15Slot('ttbr1_64');
const DACR = cp15Slot('dacr');
const HTCR = cp15Slot('htcr');
const HTTBR = cp15Slot('httbr');
const HCR = cp15Slot('hcr');
const VTCR = cp15Slot('vtcr');
const VTTBR = cp15Slot('vttbr');

/** The stage-1 MMU of the current regime is on: HSCTLR.M in Hyp mode, SCTLR.M otherwise (B4.1.130, B4.1.68). */
export function mmuEnabled(s: Arm32State): boolean {
  return ((s.mode === Mode.hyp ? s.cp15[HSCTLR]! : s.cp15[SCTLR]!) & 1) !== 0;
}

/** Short-descriptor fault status codes (Table B3-23), by kind and level. */
function shortStatus(kind: MmuFaultKind, level: number, domain: number): number {
  const fs = {
    translation: level === 1 ? 0b00101 : 0b00111,
    'access-flag': level === 1 ? 0b00011 : 0b00110,
    domain: level === 1 ? 0b01001 : 0b01011,
    permission: level === 1 ? 0b01101 : 0b01111,
    'walk-external': level === 1 ? 0b01100 : 0b01110,
    external: 0b01000,
  }[kind];
  return (((fs >> 4) & 1) << 10) | ((domain & 0xf) << 4) | (fs & 0xf);
}

/** Long-descriptor fault status (Table B3-24): the kind's base code plus the level, with DFSR.LPAE (bit 9). */
function longStatus(kind: MmuFaultKind, level: number): number {
  // Table B3-24: a synchronous external abort on the access is 0b010000 (no level); on a walk 0b0101LL.
  if (kind === 'external') return (1 << 9) | 0b010000;
  const base = { translation: 0b000100, 'access-flag': 0b001000, permission: 0b001100, 'walk-external': 0b010100, domain: 0b111100 }[kind];
  return (1 << 9) | base | (level & 3);
}

function shortFault(kind: MmuFaultKind, level: number, domain: number): MmuFault {
  return { kind: 'fault', fault: kind, level, status: shortStatus(kind, level, domain), format: 'short', stage: 1, s1ptw: false, ipa: 0 };
}

function longFault(kind: MmuFaultKind, level: number): MmuFault {
  return { kind: 'fault', fault: kind, level, status: longStatus(kind, level), format: 'long', stage: 1, s1ptw: false, ipa: 0 };
}

/**
 * The AP[2:0] check of the short format (B3.7.1, Table B3-8; with
 * SCTLR.AFE = 1 the simplified model of Table B3-9, AP[0] being the access
 * flag, checked by the caller).
 */
function shortPermits(ap: number, afe: boolean, access: MmuAccess): boolean {
  if (afe) {
    const readOnly = (ap & 4) !== 0;
    const pl0 = (ap & 2) !== 0;
    if (!access.privileged && !pl0) return false;
    return !(access.write && readOnly);
  }
  switch (ap) {
    case 0b001:
      return access.privileged;
    case 0b010:
      return access.privileged || !access.write;
    case 0b011:
      return true;
    case 0b101:
      return access.privileged && !access.write;
    case 0b110:
    case 0b111:
      return !access.write;
    default:
      return false;
  }
}

/** The short-descriptor walk (B3.5) of the PL1&0 regime. */
function walkShort(s: Arm32State, reader: DescriptorReader, va: number, access: MmuAccess): MmuResult {
  const ttbcr = s.cp15[TTBCR]!;
  const n = ttbcr & 7;
  // B3.5.4: TTBR1 when N > 0 and VA[31:32-N] is not zero.
  const useTtbr1 = n > 0 && va >>> (32 - n) !== 0;
  // TTBCR.PD0/PD1 (bits 4, 5) disable walks through TTBR0/TTBR1: a translation fault.
  if ((ttbcr & (useTtbr1 ? 0x20 : 0x10)) !== 0) return shortFault('translation', 1, 0);
  const base = useTtbr1 ? s.cp15[TTBR1]! & 0xffff_c000 : s.cp15[TTBR0]! & (0xffff_ffff << (14 - n));
  const index = useTtbr1 ? va >>> 20 : (va >>> 20) & (0xfff >>> n);
  const l1Address = (base | (index << 2)) >>> 0;
  const l1 = reader.read32(l1Address);
  if (l1 === undefined) return reader.fault ?? shortFault('walk-external', 1, 0);
  const dacr = s.cp15[DACR]!;
  const afe = (s.cp15[SCTLR]! & (1 << 29)) !== 0;
  if ((l1 & 2) !== 0) {
    // Section (bit 18 = 0) or supersection; bit 0 is PXN (B3.5.1, an implementation with the LPAE).
    const supersection = (l1 & (1 << 18)) !== 0;
    const domain = supersection ? 0 : (l1 >>> 5) & 0xf;
    const ap = (((l1 >>> 15) & 1) << 2) | ((l1 >>> 10) & 3);
    const check = checkShort(dacr, domain, ap, afe, (l1 & 0x10) !== 0, (l1 & 1) !== 0, access, 1);
    if (check !== undefined) return check;
    const physical = supersection ? ((l1 & 0xff00_0000) | (va & 0x00ff_ffff)) >>> 0 : ((l1 & 0xfff0_0000) | (va & 0x000f_ffff)) >>> 0;
    // nG is bit 17 of a section or supersection (B3.5.1).
    return { kind: 'ok', physical, level: 1, format: 'short', global: (l1 & (1 << 17)) === 0 };
  }
  if ((l1 & 1) === 0) return shortFault('translation', 1, 0);
  // A page table: PXN is bit 2, the domain bits 8:5, the table at bits 31:10.
  const domain = (l1 >>> 5) & 0xf;
  const l2Address = ((l1 & 0xffff_fc00) | (((va >>> 12) & 0xff) << 2)) >>> 0;
  const l2 = reader.read32(l2Address);
  if (l2 === undefined) return reader.fault ?? shortFault('walk-external', 2, domain);
  if ((l2 & 3) === 0) return shortFault('translation', 2, domain);
  const ap = (((l2 >>> 9) & 1) << 2) | ((l2 >>> 4) & 3);
  const small = (l2 & 2) !== 0;
  const xn = small ? (l2 & 1) !== 0 : (l2 & 0x8000) !== 0;
  const check = checkShort(dacr, domain, ap, afe, xn, (l1 & 4) !== 0, access, 2);
  if (check !== undefined) return check;
  const physical = small ? ((l2 & 0xffff_f000) | (va & 0xfff)) >>> 0 : ((l2 & 0xffff_0000) | (va & 0xffff)) >>> 0;
  // nG is bit 11 of a small or large page descriptor (B3.5.1).
  return { kind: 'ok', physical, level: 2, format: 'short', global: (l2 & (1 << 11)) === 0 };
}

/** Domain, access flag, permission, XN and PXN checks of a short descriptor, in the order of B3.12.3; `undefined` when the access may go ahead. */
function checkShort(dacr: number, domain: number, ap: number, afe: boolean, xn: boolean, pxn: boolean, access: MmuAccess, level: number): MmuFault | undefined {
  if (afe && (ap & 1) === 0) return shortFault('access-flag', level, domain);
  const control = (dacr >>> (2 * domain)) & 3;
  // 0b00 no access, 0b10 reserved (UNPREDICTABLE: treated as no access), 0b11 manager (no permission checks).
  if (control === 0 || control === 2) return shortFault('domain', level, domain);
  if (control === 3) return undefined;
  if (!shortPermits(ap, afe, access)) return shortFault('permission', level, domain);
  if (access.execute && (xn || (pxn && access.privileged))) return shortFault('permission', level, domain);
  return undefined;
}

/** A 64-bit descriptor as (low, high) words, or `undefined` when unmapped. */
function read64(reader: DescriptorReader, address: number): [number, number] | undefined {
  const low = reader.read32(address);
  if (low === undefined) return undefined;
  const high = reader.read32(address + 4);
  return high === undefined ? undefined : [low, high];
}

/** Which permission model a long-descriptor walk applies (B3.7.1 stage 1, B3.6.4 Hyp, B3.7.2 stage 2 HAP). */
type LongRegime = 'pl1' | 'hyp' | 'stage2';

/**
 * The long-descriptor walk (B3.6) from a table at `table` (a physical
 * address below 4 GiB; hyplay's memory is 32-bit) for a region of `bits`
 * VA bits. `hyp`: the Hyp regime's permission model (AP[1] ignored, no PL0).
 */
function walkLong(reader: DescriptorReader, table: number, bits: number, va: number, access: MmuAccess, regime: LongRegime, startLevel = bits > 30 ? 1 : 2): MmuResult {
  const hyp = regime !== 'pl1';
  let level = startLevel;
  let base = table;
  let first = true;
  for (;;) {
    const shift = level === 1 ? 30 : level === 2 ? 21 : 12;
    // The first level resolves every VA bit above it (a stage-2 level-2 start may concatenate tables, B3.6.6).
    const width = first ? bits - shift : 9;
    first = false;
    const index = shift + width >= 32 ? va >>> shift : (va >>> shift) & ((1 << width) - 1);
    const descriptor = read64(reader, (base + index * 8) >>> 0);
    if (descriptor === undefined) return reader.fault ?? longFault('walk-external', level);
    const [low, high] = descriptor;
    if ((low & 1) === 0) return longFault('translation', level);
    const table = (low & 2) !== 0 && level < 3;
    if (table) {
      // Output addresses above 4 GiB (bits 39:32 in the high word) are not guest memory here.
      if ((high & 0xff) !== 0) return longFault('walk-external', level + 1);
      base = (low & 0xffff_f000) >>> 0;
      level += 1;
      continue;
    }
    if (level === 3 && (low & 2) === 0) return longFault('translation', 3);
    if ((low & (1 << 10)) === 0) return longFault('access-flag', level);
    const ap = (low >>> 6) & 3;
    if (regime === 'stage2') {
      // HAP[2:1] (bits 7:6): bit 6 permits reads (and fetches), bit 7 writes (B3.7.2, Table B3-9).
      if (access.write ? (ap & 2) === 0 : (ap & 1) === 0) return longFault('permission', level);
    } else if (hyp) {
      if (access.write && (ap & 2) !== 0) return longFault('permission', level);
    } else {
      if (!access.privileged && (ap & 1) === 0) return longFault('permission', level);
      if (access.write && (ap & 2) !== 0) return longFault('permission', level);
    }
    const xn = (high & (1 << 22)) !== 0;
    const pxn = (high & (1 << 21)) !== 0;
    if (access.execute && (xn || (!hyp && pxn && access.privileged))) return longFault('permission', level);
    if ((high & 0xff) !== 0) return longFault('walk-external', level);
    const mask = level === 1 ? 0x3fff_ffff : level === 2 ? 0x1f_ffff : 0xfff;
    // nG is bit 11 of a block or page descriptor (B3.6.2); the Hyp regime and stage 2 have no ASIDs.
    return { kind: 'ok', physical: ((low & ~mask) | (va & mask)) >>> 0, level, format: 'long', global: hyp || (low & (1 << 11)) === 0 };
  }
}

/**
 * Translate `va` through the current regime's stage 1: the identity when
 * its MMU is off (B3.2), else the Hyp regime (HTTBR, HTCR.T0SZ) in Hyp mode,
 * else the PL1&0 regime in the format TTBCR.EAE selects.
 */
export function translate(s: Arm32State, memory: GuestMemory, va: number, access: MmuAccess): MmuResult {
  return translateStage1(s, physicalReader(memory), va, access);
}

/** {@link translate} with descriptors read through `reader` (an IPA reader under stage 2). */
export function translateStage1(s: Arm32State, reader: DescriptorReader, va: number, access: MmuAccess): MmuResult {
  const address = va >>> 0;
  reader.fault = undefined;
  if (!mmuEnabled(s)) return { kind: 'ok', physical: address, level: 0, format: 'short', global: true };
  if (s.mode === Mode.hyp) {
    // B3.6.4: HTCR.T0SZ; addresses above the region fault at the first level.
    const t0sz = s.cp15[HTCR]! & 7;
    if (t0sz > 0 && address >>> (32 - t0sz) !== 0) return longFault('translation', 1);
    return walkLong(reader, s.cp15[HTTBR]! & 0xffff_ffe0, 32 - t0sz, address, access, 'hyp');
  }
  const ttbcr = s.cp15[TTBCR]!;
  if ((ttbcr & 0x8000_0000) === 0) return walkShort(s, reader, address, access);
  const t0sz = ttbcr & 7;
  const t1sz = (ttbcr >>> 16) & 7;
  // B3.6.4, Table B3-1: TTBR0 below 2^(32-T0SZ), TTBR1 from 2^32 - 2^(32-T1SZ) when T1SZ > 0; a gap faults.
  const inTtbr0 = t0sz === 0 ? t1sz === 0 || address < 2 ** 32 - 2 ** (32 - t1sz) : address < 2 ** (32 - t0sz);
  const inTtbr1 = t1sz > 0 && address >= 2 ** 32 - 2 ** (32 - t1sz);
  if (!inTtbr0 && !inTtbr1) return longFault('translation', 1);
  // EPD0/EPD1 (TTBCR bits 7, 23) disable walks through a TTBR.
  if ((ttbcr & (inTtbr1 && !inTtbr0 ? 1 << 23 : 1 << 7)) !== 0) return longFault('translation', 1);
  const useTtbr1 = inTtbr1 && !inTtbr0;
  const slot = useTtbr1 ? TTBR1_64 : TTBR0_64;
  if ((s.cp15[slot + 1]! & 0xff) !== 0) return longFault('walk-external', 1);
  const bits = 32 - (useTtbr1 ? t1sz : t0sz);
  return walkLong(reader, s.cp15[slot]! & 0xffff_ffe0, bits, address, access, 'pl1');
}

/** Stage 2 applies: HCR.VM (bit 0, B4.1.65) outside Hyp mode (the Hyp regime has no stage 2). */
export function stage2Enabled(s: Arm32State): boolean {
  return s.mode !== Mode.hyp && (s.cp15[HCR]! & 1) !== 0;
}

/** Any translation applies to the current regime: what the run loops check once per block. */
export function translationActive(s: Arm32State): boolean {
  return ((s.mode === Mode.hyp ? s.cp15[HSCTLR]! : s.cp15[SCTLR]! | s.cp15[HCR]!) & 1) !== 0;
}

/** The current VMID: VTTBR[55:48] (B4.1.159). */
export function currentVmid(s: Arm32State): number {
  return (s.cp15[VTTBR + 1]! >>> 16) & 0xff;
}

/** The VMID the PL1&0 regime's TLB entries and maintenance use: VTTBR.VMID while HCR.VM is set, else 0. */
export function pl1Vmid(s: Arm32State): number {
  return (s.cp15[HCR]! & 1) !== 0 ? currentVmid(s) : 0;
}

/** The current ASID: CONTEXTIDR[7:0] in the short format, else TTBR0 or TTBR1 (by TTBCR.A1, bit 22) bits 55:48 (B3.6.4). */
export function currentAsid(s: Arm32State): number {
  const ttbcr = s.cp15[TTBCR]!;
  if ((ttbcr & 0x8000_0000) === 0) return s.cp15[CONTEXTIDR]! & 0xff;
  return (s.cp15[((ttbcr & (1 << 22)) !== 0 ? TTBR1_64 : TTBR0_64) + 1]! >>> 16) & 0xff;
}

const CONTEXTIDR = cp15Slot('contextidr');

/**
 * The stage-2 walk (B3.6.5, B4.1.160 VTCR): IPA `ipa` through the table at
 * VTTBR[39:0] (VTTBR[31:0] here: hyplay's memory is 32-bit), starting at the
 * level VTCR.SL0 names (0: level 2, 1: level 1) for an IPA space of
 * 32 - VTCR.T0SZ bits (T0SZ is a signed 4-bit field; negative sizes, IPAs
 * above 4 GiB, are not reachable here). A fault comes back with `stage: 2`,
 * its IPA, and `s1ptw` as asked. Descriptors are read from physical memory.
 */
export function translateStage2(s: Arm32State, memory: GuestMemory, ipa: number, access: MmuAccess, s1ptw: boolean): MmuResult {
  const vtcr = s.cp15[VTCR]!;
  const t0sz = ((vtcr & 0xf) << 28) >> 28;
  const bits = Math.min(32, 32 - t0sz);
  const address = ipa >>> 0;
  const startLevel = ((vtcr >>> 6) & 3) === 1 ? 1 : 2;
  const result = bits < 32 && address >>> bits !== 0 ? longFault('translation', startLevel) : walkLong(physicalReader(memory), s.cp15[VTTBR]! & 0xffff_ffe0, bits, address, access, 'stage2', startLevel);
  if (result.kind === 'ok') return result;
  return { ...result, stage: 2, s1ptw, ipa: address, status: result.status & 0x3f };
}

/**
 * The whole translation of the current regime for one access: stage 1
 * (when its MMU is on), then stage 2 (when HCR.VM is set outside Hyp), the
 * stage-1 walk's own descriptor reads going through stage 2 as well
 * (S1PTW). The result's `physical` is the guest-physical address the access
 * goes to.
 */
export function translateFull(s: Arm32State, memory: GuestMemory, va: number, access: MmuAccess): MmuResult {
  if (!stage2Enabled(s)) return translateStage1(s, physicalReader(memory), va, access);
  const reader: DescriptorReader = {
    fault: undefined,
    read32(address) {
      // Stage-1 walks read (B3.6.5: the walk's accesses are reads, checked against stage 2 as data reads).
      const walked = translateStage2(s, memory, address, WALK_READ, true);
      if (walked.kind === 'fault') {
        reader.fault = walked;
        return undefined;
      }
      const pa = walked.physical;
      return memory.isMapped(pa) && memory.isMapped(pa + 3) ? memory.read32(pa) : undefined;
    },
  };
  const first = translateStage1(s, reader, va, access);
  if (first.kind === 'fault') return first;
  const second = translateStage2(s, memory, first.physical, access, false);
  return second.kind === 'fault' ? second : { ...second, global: first.global, level: first.level, format: first.format };
}

const WALK_READ: MmuAccess = { write: false, execute: false, privileged: true };
