/**
 * The per-machine (per-vCPU) TLB of the arm32 MMU: it caches what
 * `mmu.ts`'s walks found, one entry per 4 KiB page, access kind and regime,
 * tagged with the ASID (non-global entries) and the VMID (entries made
 * under stage 2), and keeps them until the guest's TLB maintenance removes
 * them (ARM ARM DDI 0406C B3.10 "TLB maintenance", B4.2.2 "TLB maintenance
 * operations"). Nothing else removes them: a guest that rewrites a
 * descriptor and does not invalidate keeps using the old translation, as a
 * real TLB may (B3.10.1), which is what makes a stale translation
 * observable. Faults are never cached (B3.10.2).
 *
 * The inner-shareable forms (`…IS`) apply here and then go to the
 * {@link TlbShootdown} (`src/memory/tlb-shootdown.ts`): a uniprocessor's
 * default reaches nobody; a multi-vCPU machine plugs in its design.
 *
 * @module
 */

import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { LOCAL_SHOOTDOWN, type TlbShootdown, type TlbTarget } from '../../src/memory/tlb-shootdown.ts';
import { currentAsid, pl1Vmid, translateFull, type MmuAccess, type MmuFault } from './mmu.ts';
import { Mode, type Arm32State } from './registers.ts';

/**
 * A TLB maintenance operation (B4.2.2, the CRn = c8 encodings):
 * `all` TLBIALL (and ITLBIALL, DTLBIALL), `va` TLBIMVA (by MVA and ASID),
 * `asid` TLBIASID, `va-any-asid` TLBIMVAA, `hyp-all` TLBIALLH, `hyp-va`
 * TLBIMVAH, `non-hyp-all` TLBIALLNSNH. The PL1 forms act on the issuing
 * processor's current VMID (B3.10.4: "for the current VMID").
 */
export type Arm32TlbOperation = TlbAll | TlbByVa | TlbByAsid | TlbByVaAnyAsid | TlbHypAll | TlbHypByVa | TlbNonHypAll;

/** TLBIALL, ITLBIALL, DTLBIALL (and the IS form): every PL1&0 entry of a VMID. */
export interface TlbAll {
  /** Discriminant. */
  readonly kind: 'all';
  /** The VMID. */
  readonly vmid: number;
}

/** TLBIMVA (ITLBIMVA, DTLBIMVA, IS): one page, for one ASID or global. */
export interface TlbByVa {
  /** Discriminant. */
  readonly kind: 'va';
  /** The page number (MVA[31:12]). */
  readonly page: number;
  /** The ASID (value[7:0]). */
  readonly asid: number;
  /** The VMID. */
  readonly vmid: number;
}

/** TLBIASID (ITLBIASID, DTLBIASID, IS): the non-global entries of one ASID. */
export interface TlbByAsid {
  /** Discriminant. */
  readonly kind: 'asid';
  /** The ASID. */
  readonly asid: number;
  /** The VMID. */
  readonly vmid: number;
}

/** TLBIMVAA (IS): one page for every ASID. */
export interface TlbByVaAnyAsid {
  /** Discriminant. */
  readonly kind: 'va-any-asid';
  /** The page number. */
  readonly page: number;
  /** The VMID. */
  readonly vmid: number;
}

/** TLBIALLH (IS): every Hyp-regime entry. */
export interface TlbHypAll {
  /** Discriminant. */
  readonly kind: 'hyp-all';
}

/** TLBIMVAH (IS): one Hyp-regime page. */
export interface TlbHypByVa {
  /** Discriminant. */
  readonly kind: 'hyp-va';
  /** The page number. */
  readonly page: number;
}

/** TLBIALLNSNH (IS): every non-Hyp entry, any VMID. */
export interface TlbNonHypAll {
  /** Discriminant. */
  readonly kind: 'non-hyp-all';
}

/** `TLBIMVAIS: VA 0x00008000 ASID 0 VMID 1`: an operation by the name of its inner-shareable form (the only ones a shootdown carries), for the trace. */
export function describeTlbOperation(op: Arm32TlbOperation): string {
  const page = (n: number) => `VA 0x${(n * 4096).toString(16).padStart(8, '0')}`;
  switch (op.kind) {
    case 'all':
      return `TLBIALLIS: every PL1&0 entry of VMID ${op.vmid}`;
    case 'va':
      return `TLBIMVAIS: ${page(op.page)} ASID ${op.asid} VMID ${op.vmid}`;
    case 'asid':
      return `TLBIASIDIS: ASID ${op.asid} VMID ${op.vmid}`;
    case 'va-any-asid':
      return `TLBIMVAAIS: ${page(op.page)} every ASID, VMID ${op.vmid}`;
    case 'hyp-all':
      return 'TLBIALLHIS: every Hyp entry';
    case 'hyp-va':
      return `TLBIMVAHIS: Hyp ${page(op.page)}`;
    case 'non-hyp-all':
      return 'TLBIALLNSNHIS: every non-Hyp entry, any VMID';
    default: {
      const unreachable: never = op;
      return unreachable;
    }
  }
}

/** One cached translation. */
interface TlbEntry {
  /** The page number the access goes to (guest-physical, after both stages). */
  readonly physicalPage: number;
  /** The ASID it was made under (ignored when global). */
  readonly asid: number;
  /** nG = 0: matches every ASID. */
  readonly global: boolean;
  /** The VMID it was made under (0 without stage 2). */
  readonly vmid: number;
  /** Made in the Hyp regime. */
  readonly hyp: boolean;
}

/** Access-kind bits of a TLB key (the low four bits; the page number is above). */
const WRITE = 1;
const EXECUTE = 2;
const USER = 4;
const HYP = 8;

/** Slots of the TLB's direct-mapped front ({@link Arm32Tlb.translate}'s hit path): 256 pages times the 16 access kinds. */
const FRONT_PAGES = 256;

/** TLBs by the state they belong to, for the cp15 maintenance operations (whose semantics see only the state). */
const TLBS = new WeakMap<Arm32State, Arm32Tlb>();

/** The TLB of the machine whose state is `s`, if it has one. */
export function tlbOf(s: Arm32State): Arm32Tlb | undefined {
  return TLBS.get(s);
}

const ACCESSES: readonly MmuAccess[] = Array.from({ length: 8 }, (_, code) => ({ write: (code & WRITE) !== 0, execute: (code & EXECUTE) !== 0, privileged: (code & USER) === 0 }));

/** The per-machine TLB (see the module comment). */
export class Arm32Tlb implements TlbTarget<Arm32TlbOperation> {
  /** Entries by `page * 16 + access kind`. */
  private readonly entries = new Map<number, TlbEntry>();
  /** How broadcast (inner-shareable) invalidations reach other processors; a multi-vCPU machine replaces it. */
  shootdown: TlbShootdown<Arm32TlbOperation> = LOCAL_SHOOTDOWN;
  /** The fault of the last translation that failed (what the exception model reports). */
  lastFault: MmuFault | undefined = undefined;
  /** Walks made (TLB misses), for tests and statistics. */
  walks = 0;
  /**
   * A direct-mapped copy of recent entries, by `(page & 255) * 16 + access
   * kind`, so that a hit allocates nothing and touches no Map: the page
   * (-1: empty), the physical page, the ASID (-1: global) and the VMID of
   * the entry. Emptied whenever an entry is dropped, so it never holds
   * what {@link Arm32Tlb.entries} does not.
   */
  private readonly frontPage = new Int32Array(FRONT_PAGES * 16).fill(-1);
  private readonly frontPhysical = new Int32Array(FRONT_PAGES * 16);
  private readonly frontAsid = new Int32Array(FRONT_PAGES * 16);
  private readonly frontVmid = new Int32Array(FRONT_PAGES * 16);

  /**
   * @param state the processor's state (its registers select the regime).
   * @param memory guest-physical memory, where the tables are.
   */
  constructor(
    readonly state: Arm32State,
    readonly memory: GuestMemory,
  ) {
    TLBS.set(state, this);
  }

  /** Cached translations. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The guest-physical address of an access at virtual address `va` in the
   * current regime, or -1 when it faults ({@link Arm32Tlb.lastFault} says
   * how). `user`: an unprivileged access (PL0, or LDRT and friends).
   */
  translate(va: number, write: boolean, execute: boolean, user: boolean): number {
    const s = this.state;
    const hyp = s.mode === Mode.hyp;
    const code = (write ? WRITE : 0) | (execute ? EXECUTE : 0) | (user ? USER : 0) | (hyp ? HYP : 0);
    const page = va >>> 12;
    const slot = ((page & (FRONT_PAGES - 1)) << 4) | code;
    if (this.frontPage[slot] === page && this.frontVmid[slot] === (hyp ? 0 : pl1Vmid(s))) {
      const asid = this.frontAsid[slot]!;
      if (asid < 0 || asid === currentAsid(s)) return ((this.frontPhysical[slot]! << 12) | (va & 0xfff)) >>> 0;
    }
    const key = page * 16 + code;
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.hyp === hyp) {
      const vmid = hyp ? 0 : pl1Vmid(s);
      if (entry.vmid === vmid && (entry.global || entry.asid === currentAsid(s))) {
        this.remember(slot, page, entry);
        return (entry.physicalPage * 4096 + (va & 0xfff)) >>> 0;
      }
    }
    this.walks++;
    const result = translateFull(s, this.memory, va, ACCESSES[code & 7]!);
    if (result.kind === 'fault') {
      this.lastFault = result;
      return -1;
    }
    const vmid = hyp ? 0 : pl1Vmid(s);
    const made = { physicalPage: result.physical >>> 12, asid: currentAsid(s), global: result.global, vmid, hyp };
    this.entries.set(key, made);
    this.remember(slot, page, made);
    return result.physical;
  }

  /** Put `entry` (for `page`) in the front's `slot`. */
  private remember(slot: number, page: number, entry: TlbEntry): void {
    this.frontPage[slot] = page;
    this.frontPhysical[slot] = entry.physicalPage;
    this.frontAsid[slot] = entry.global ? -1 : entry.asid;
    this.frontVmid[slot] = entry.vmid;
  }

  /** Apply `op` to this TLB (see {@link Arm32TlbOperation}). */
  invalidate(op: Arm32TlbOperation): void {
    this.frontPage.fill(-1);
    switch (op.kind) {
      case 'all':
        this.drop((e) => !e.hyp && e.vmid === op.vmid);
        return;
      case 'va':
        this.dropPage(op.page, (e) => !e.hyp && e.vmid === op.vmid && (e.global || e.asid === op.asid));
        return;
      case 'asid':
        this.drop((e) => !e.hyp && e.vmid === op.vmid && !e.global && e.asid === op.asid);
        return;
      case 'va-any-asid':
        this.dropPage(op.page, (e) => !e.hyp && e.vmid === op.vmid);
        return;
      case 'hyp-all':
        this.drop((e) => e.hyp);
        return;
      case 'hyp-va':
        this.dropPage(op.page, (e) => e.hyp);
        return;
      case 'non-hyp-all':
        this.drop((e) => !e.hyp);
        return;
      default: {
        const unreachable: never = op;
        return unreachable;
      }
    }
  }

  /** The guest issued `op`: apply it here, and when `broadcast` (an inner-shareable form) hand it to {@link Arm32Tlb.shootdown}. */
  perform(op: Arm32TlbOperation, broadcast: boolean): void {
    this.invalidate(op);
    if (broadcast) this.shootdown.broadcast(this, op);
  }

  /** Drop every entry. */
  clear(): void {
    this.frontPage.fill(-1);
    this.entries.clear();
  }

  private drop(matches: (entry: TlbEntry) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry)) this.entries.delete(key);
  }

  private dropPage(page: number, matches: (entry: TlbEntry) => boolean): void {
    for (let code = 0; code < 16; code++) {
      const key = page * 16 + code;
      const entry = this.entries.get(key);
      if (entry !== undefined && matches(entry)) this.entries.delete(key);
    }
  }
}

/** A decoded TLB maintenance instruction. */
export interface TlbMaintenance {
  /** What it invalidates. */
  readonly op: Arm32TlbOperation;
  /** An inner-shareable (`…IS`) form: broadcast to the other processors. */
  readonly broadcast: boolean;
}

/**
 * The operation a c8 MCR performs, from the register's name and the value
 * written (B4.2.2: by-MVA forms take MVA[31:12] and, except MVAA and the
 * Hyp forms, ASID[7:0]; TLBIASID takes the ASID), for the current VMID.
 * `undefined` for a name that is not a TLB operation.
 */
export function tlbOperation(s: Arm32State, name: string, value: number): TlbMaintenance | undefined {
  const broadcast = name.endsWith('is');
  const base = broadcast ? name.slice(0, -2) : name;
  const vmid = pl1Vmid(s);
  const page = value >>> 12;
  const asid = value & 0xff;
  switch (base) {
    case 'tlbiall':
    case 'itlbiall':
    case 'dtlbiall':
      return { op: { kind: 'all', vmid }, broadcast };
    case 'tlbimva':
    case 'itlbimva':
    case 'dtlbimva':
      return { op: { kind: 'va', page, asid, vmid }, broadcast };
    case 'tlbiasid':
    case 'itlbiasid':
    case 'dtlbiasid':
      return { op: { kind: 'asid', asid, vmid }, broadcast };
    case 'tlbimvaa':
      return { op: { kind: 'va-any-asid', page, vmid }, broadcast };
    case 'tlbiallh':
      return { op: { kind: 'hyp-all' }, broadcast };
    case 'tlbimvah':
      return { op: { kind: 'hyp-va', page }, broadcast };
    case 'tlbiallnsnh':
      return { op: { kind: 'non-hyp-all' }, broadcast };
    default:
      return undefined;
  }
}
