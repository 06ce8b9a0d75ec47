/**
 * The per-machine (per-vCPU) TLB of the arm64 MMU: it caches what the
 * whole translation of the EL1&0 regime (`mmu.ts`, {@link translateEl10}:
 * stage 1 when SCTLR_EL1.M is set, then stage 2 when HCR_EL2.VM is set)
 * found, VA straight to PA (a combined stage 1 and 2 entry, as D8.13.2
 * allows), one entry per 4 KiB page and access kind (read, write, fetch;
 * from EL1 or from EL0), so that translated loads, stores and fetches stay
 * on numbers. Faults are never cached (ARM ARM D8.13, "Translation
 * Lookaside Buffers": only valid translations may be held); the last one is
 * kept with its stage, IPA and S1PTW for the exception model.
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
 * are not modelled. Because entries are combined, every TLBI empties it
 * whatever its scope: VMALLS12E1(IS), ALLE1(IS), VMALLE1(IS) and the
 * by-VA forms drop the stage-1 part they name, and IPAS2E1(IS) the stage-2
 * part, which a combined entry holds as well (D8.13.5: after IPAS2E1 a
 * VMALLE1 is still needed to drop combined entries architecturally; hyplay
 * drops them at once, which is allowed).
 *
 * @module
 */

import { LOCAL_SHOOTDOWN, type TlbShootdown, type TlbTarget } from '../../src/memory/tlb-shootdown.ts';
import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { translateEl10, type El10Fault, type Stage1Access } from './mmu.ts';
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
const VTCR_EL2 = sysSlot('vtcr_el2');

function word64(s: Arm64State, slot: number): bigint {
  return (BigInt(s.sys[2 * slot + 1]! >>> 0) << 32n) | BigInt(s.sys[2 * slot]! >>> 0);
}

/**
 * Whether the EL1&0 regime translates the current EL's accesses: EL0 or
 * EL1 with stage 1 (SCTLR_EL1.M, D13.2.113) or stage 2 (HCR_EL2.VM,
 * D13.2.46) on.
 */
export function translationActive(s: Arm64State): boolean {
  return s.el < 2 && ((s.sys[2 * Sys.sctlrEl1]! | s.sys[2 * Sys.hcrEl2]!) & 1) !== 0;
}

/**
 * A TLB maintenance operation as a shootdown carries it: the TLBI
 * operation's name (`vmalle1is`). The model's TLB drops every entry
 * whatever the scope, so the name is all another vCPU needs.
 */
export interface Arm64TlbOperation {
  /** The TLBI operation (lower case, as llvm-mc prints it). */
  readonly operation: string;
}

/** `TLBI VMALLE1IS`: an operation in words, for the trace. */
export function describeArm64TlbOperation(op: Arm64TlbOperation): string {
  return `TLBI ${op.operation.toUpperCase()} (every entry, in this model)`;
}

/** Whether a TLBI operation is broadcast: the Inner Shareable (…IS) and Outer Shareable (…OS) forms (D8.13.4). */
export function isBroadcastTlbi(operation: string): boolean {
  return operation.endsWith('is') || operation.endsWith('os');
}

/** The translating TLB (see the module comment). */
export class Arm64Tlb implements TlbTarget<Arm64TlbOperation> {
  /** How broadcast (shareable) invalidations reach other vCPUs; a multi-vCPU machine replaces it. */
  shootdown: TlbShootdown<Arm64TlbOperation> = LOCAL_SHOOTDOWN;
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
  /** Whether the last failed translation failed at stage 2 (see {@link Arm64Tlb.faultStage2}). */
  private stage2 = false;
  /** Whether it was a stage-2 fault on a stage-1 walk's read. */
  private walk = false;
  /** Its IPA (stage 2). */
  private ipa = 0;

  /** Whether the fault {@link Arm64Tlb.takeFault} last returned was found by stage 2 (taken to EL2). */
  get faultStage2(): boolean {
    return this.stage2;
  }

  /** Whether that stage-2 fault was on a stage-1 translation table walk (S1PTW). */
  get faultOnWalk(): boolean {
    return this.walk;
  }

  /** The IPA of that stage-2 fault (HPFAR_EL2 holds its bits 47:12). */
  get faultIpa(): number {
    return this.ipa;
  }

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

  /** Apply `op` to this TLB only (every entry goes). */
  invalidate(_op: Arm64TlbOperation): void {
    this.flush();
  }

  /** The guest issued TLBI `operation`: flush here, and hand a broadcast form to {@link Arm64Tlb.shootdown}. */
  perform(operation: string): void {
    this.flush();
    if (isBroadcastTlbi(operation)) this.shootdown.broadcast(this, { operation });
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
    const s = this.state;
    const stage1 = (s.sys[2 * Sys.sctlrEl1]! & 1) !== 0;
    if (va >= INEXACT || va <= -INEXACT) {
      // Not held exactly (see the module comment): never canonical, and with TBI the access could not be made at the right bytes;
      // with stage 1 off, beyond the physical address size (an address size fault at level 0).
      this.note(va, stage1 ? 0b0001_00 : 0b0000_00, false, false, 0);
      return -1;
    }
    const regime = {
      stage1,
      stage2: (s.sys[2 * Sys.hcrEl2]! & 1) !== 0,
      tcr: word64(s, TCR_EL1),
      ttbr0: word64(s, TTBR0_EL1),
      ttbr1: word64(s, TTBR1_EL1),
      vtcr: word64(s, VTCR_EL2),
      vttbr: word64(s, Sys.vttbrEl2),
    };
    const result = translateEl10(this.physical, regime, BigInt.asUintN(64, BigInt(va)), ACCESS_NAMES[kind & 3]!, (kind & Access.el0) !== 0 ? 0 : 1);
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

  /**
   * Note a fault found outside the TLB's own lookups (an AT instruction's
   * walk, `semantics/system.ts`), so that the exception model reports it as
   * it reports the TLB's.
   */
  noteFault(va: number, fault: El10Fault): void {
    this.fail(va, fault);
  }

  private fail(va: number, fault: El10Fault): void {
    this.note(va, fault.fsc, fault.stage === 2, fault.s1ptw, Number(fault.ipa));
  }

  private note(va: number, status: number, stage2: boolean, walk: boolean, ipa: number): void {
    this.faultStatus = status;
    this.faultAddress = va;
    this.stage2 = stage2;
    this.walk = walk;
    this.ipa = ipa;
  }

  /**
   * Record that an access translated (to `pa`) but found nothing there: a
   * synchronous external abort, not on a walk (FSC 0b010000).
   */
  external(va: number): void {
    this.note(va, 0x10, false, false, 0);
  }

  /**
   * The fault status code of the translated access that failed between
   * `first` and `last` (virtual addresses, inclusive), or -1 when none did
   * (the access faulted before any translation: an untranslated access, or
   * an alignment fault). Taking it clears it; {@link Arm64Tlb.faultStage2},
   * {@link Arm64Tlb.faultOnWalk} and {@link Arm64Tlb.faultIpa} then say more.
   */
  takeFault(first: number, last: number): number {
    const status = this.faultStatus;
    if (status < 0) return -1;
    this.faultStatus = -1;
    const at = Math.floor(this.faultAddress / 4096);
    return at >= Math.floor(first / 4096) && at <= Math.floor(last / 4096) ? status : -1;
  }
}
