/**
 * The Book3S 64-bit register file (Power ISA v3.0B): GPRs, CR, XER, LR,
 * CTR, the MSR and the special-purpose registers hyplay models.
 *
 * Every 64-bit register is kept as two int32 halves (high word, low word),
 * so that the hot paths stay in V8's unboxed integer arithmetic: no BigInt
 * and no doubles. The GPRs share one `Int32Array` of 64 entries, r*n* at
 * index 2*n* (high word) and 2*n*+1 (low word); predecode stores those
 * indexes in the op's slots.
 *
 * Bits are named the way the ISA names them (MSB = 0) in comments; masks are
 * given on the 32-bit half that holds the bit.
 *
 * @module
 */

import type { StateCode } from '../../src/jit/state-code.ts';

/**
 * MSR bits hyplay implements, as masks on the high (`hi`) or low (`lo`) word
 * (Power ISA v3.0B Book III 4.2.1 "Machine State Register"; Linux `reg.h`
 * gives the same bits numbered LSB = 0).
 */
export const Msr = {
  /** SF (bit 0): 64-bit mode. High word. */
  SF: 0x8000_0000,
  /** HV (bit 3): hypervisor state (with PR = 0). High word. */
  HV: 0x1000_0000,
  /** VEC (bit 38): vector available. */
  VEC: 0x0200_0000,
  /** VSX (bit 40): VSX available. */
  VSX: 0x0080_0000,
  /** EE (bit 48): external interrupts enabled. */
  EE: 0x8000,
  /** PR (bit 49): problem state. */
  PR: 0x4000,
  /** FP (bit 50): floating point available. */
  FP: 0x2000,
  /** ME (bit 51): machine check enabled. */
  ME: 0x1000,
  /** FE0 (bit 52). */
  FE0: 0x0800,
  /** SE (bit 53): single-step trace. */
  SE: 0x0400,
  /** BE (bit 54): branch trace. */
  BE: 0x0200,
  /** FE1 (bit 55). */
  FE1: 0x0100,
  /** IR (bit 58): instruction relocation. */
  IR: 0x20,
  /** DR (bit 59): data relocation. */
  DR: 0x10,
  /** PMM (bit 61): performance monitor mark. */
  PMM: 0x04,
  /** RI (bit 62): recoverable interrupt. */
  RI: 0x02,
  /** LE (bit 63): little-endian mode. */
  LE: 0x01,
} as const;

/** MSR high-word bits hyplay implements (SF, HV); the others (TS, TM, …) read as 0. */
export const MSR_HI_IMPLEMENTED = Msr.SF | Msr.HV;
/** MSR low-word bits hyplay implements. */
export const MSR_LO_IMPLEMENTED =
  Msr.VEC | Msr.VSX | Msr.EE | Msr.PR | Msr.FP | Msr.ME | Msr.FE0 | Msr.SE | Msr.BE | Msr.FE1 | Msr.IR | Msr.DR | Msr.PMM | Msr.RI | Msr.LE;

/** XER bits in the low word (Power ISA v3.0B Book I 3.2.2): SO, OV, CA, OV32, CA32. */
export const Xer = {
  /** SO (bit 32): summary overflow. */
  SO: 0x8000_0000,
  /** OV (bit 33): overflow. */
  OV: 0x4000_0000,
  /** CA (bit 34): carry. */
  CA: 0x2000_0000,
  /** OV32 (bit 44): 32-bit overflow (new in v3.0). */
  OV32: 0x0008_0000,
  /** CA32 (bit 45): carry out of bit 32 (new in v3.0). */
  CA32: 0x0004_0000,
  /** Bits 57:63: the byte count of the string instructions (kept, not used). */
  COUNT: 0x7f,
  /**
   * Bits 32:63 other than SO, OV, CA, OV32 and CA32: the byte count and the
   * reserved bits 35:43 and 46:56, kept as mtxer writes them. A reserved
   * bit of a system register reads 0 if it was last written 0 and is
   * undefined otherwise (Book I 1.3.3); hyplay returns what was written, as
   * QEMU does.
   */
  KEPT: 0x1ff3_ffff,
} as const;

/** Who may access an SPR (Book III 4.4.4, the "privileged" column of the SPR table). */
export type SprAccess = 'user' | 'privileged' | 'hypervisor';

/** One modelled special-purpose register. */
export interface SprDef {
  /** Lowercase name, as in the register dump. */
  readonly name: string;
  /** SPR number (the decoded `spr` field). */
  readonly number: number;
  /** Lowest state that may access it. */
  readonly access: SprAccess;
  /** 32 for registers whose mtspr keeps only bits 32:63, else 64. */
  readonly width: 32 | 64;
  /** True when only mfspr is defined (mtspr names an undefined SPR). */
  readonly readOnly?: boolean;
  /** Slot in {@link Ppc64State.spr}; XER, LR and CTR have their own fields (slot -1). */
  readonly slot: number;
  /** Value at reset. */
  readonly reset: bigint;
}

/** POWER9 DD2.2 processor version (the reset value of PVR). */
export const POWER9_PVR = 0x004e_1202n;

/**
 * The SPRs hyplay models (Book III 4.4.4, Figure "SPR encodings" of v3.0B;
 * numbers also in Linux `arch/powerpc/include/asm/reg.h`). Any other SPR
 * number is undefined: mtspr/mfspr give an illegal-instruction program
 * interrupt, with a trace note.
 */
export const SPRS: readonly SprDef[] = [
  { name: 'xer', number: 1, access: 'user', width: 64, slot: -1, reset: 0n },
  { name: 'lr', number: 8, access: 'user', width: 64, slot: -1, reset: 0n },
  { name: 'ctr', number: 9, access: 'user', width: 64, slot: -1, reset: 0n },
  { name: 'dsisr', number: 18, access: 'privileged', width: 32, slot: 0, reset: 0n },
  { name: 'dar', number: 19, access: 'privileged', width: 64, slot: 1, reset: 0n },
  { name: 'srr0', number: 26, access: 'privileged', width: 64, slot: 2, reset: 0n },
  { name: 'srr1', number: 27, access: 'privileged', width: 64, slot: 3, reset: 0n },
  { name: 'sprg0', number: 272, access: 'privileged', width: 64, slot: 4, reset: 0n },
  { name: 'sprg1', number: 273, access: 'privileged', width: 64, slot: 5, reset: 0n },
  { name: 'sprg2', number: 274, access: 'privileged', width: 64, slot: 6, reset: 0n },
  { name: 'sprg3', number: 275, access: 'privileged', width: 64, slot: 7, reset: 0n },
  { name: 'pvr', number: 287, access: 'privileged', width: 32, readOnly: true, slot: 8, reset: POWER9_PVR },
  { name: 'hsprg0', number: 304, access: 'hypervisor', width: 64, slot: 9, reset: 0n },
  { name: 'hsprg1', number: 305, access: 'hypervisor', width: 64, slot: 10, reset: 0n },
  { name: 'hsrr0', number: 314, access: 'hypervisor', width: 64, slot: 11, reset: 0n },
  { name: 'hsrr1', number: 315, access: 'hypervisor', width: 64, slot: 12, reset: 0n },
  { name: 'pir', number: 1023, access: 'privileged', width: 32, readOnly: true, slot: 13, reset: 0n },
  // What a POWER9 kernel's entry, early setup, exception prologs and __setup_cpu_power9 move (issue 12),
  // kept as plain storage: writing them changes nothing else in this model (no translation, timers,
  // performance monitor or facility traps), which is said beside the ones a kernel might expect to act.
  { name: 'dscr', number: 17, access: 'privileged', width: 64, slot: 14, reset: 0n },
  /** Decrementer: kept, never decremented (hyplay has no timer interrupt). */
  { name: 'dec', number: 22, access: 'privileged', width: 32, slot: 15, reset: 0n },
  { name: 'sdr1', number: 25, access: 'hypervisor', width: 64, slot: 16, reset: 0n },
  /** Come-From Address Register: kept as written; hyplay's branches do not set it. */
  { name: 'cfar', number: 28, access: 'privileged', width: 64, slot: 17, reset: 0n },
  { name: 'amr', number: 29, access: 'privileged', width: 64, slot: 18, reset: 0n },
  { name: 'pid', number: 48, access: 'privileged', width: 32, slot: 19, reset: 0n },
  { name: 'iamr', number: 61, access: 'privileged', width: 64, slot: 20, reset: 0n },
  { name: 'fscr', number: 153, access: 'privileged', width: 64, slot: 21, reset: 0n },
  { name: 'uamor', number: 157, access: 'privileged', width: 64, slot: 22, reset: 0n },
  { name: 'dawr0', number: 180, access: 'hypervisor', width: 64, slot: 23, reset: 0n },
  { name: 'rpr', number: 186, access: 'hypervisor', width: 64, slot: 24, reset: 0n },
  { name: 'ciabr', number: 187, access: 'hypervisor', width: 64, slot: 25, reset: 0n },
  { name: 'dawrx0', number: 188, access: 'hypervisor', width: 64, slot: 26, reset: 0n },
  { name: 'hfscr', number: 190, access: 'hypervisor', width: 64, slot: 27, reset: 0n },
  /** Time Base (read at 268): kept, never advanced (hyplay has no clock). */
  { name: 'tb', number: 268, access: 'user', width: 64, readOnly: true, slot: 28, reset: 0n },
  /** Hypervisor Decrementer: kept, never decremented. */
  { name: 'hdec', number: 310, access: 'hypervisor', width: 32, slot: 29, reset: 0n },
  { name: 'hrmor', number: 313, access: 'hypervisor', width: 64, slot: 30, reset: 0n },
  { name: 'mmcrh', number: 316, access: 'hypervisor', width: 64, slot: 31, reset: 0n },
  { name: 'lpcr', number: 318, access: 'hypervisor', width: 64, slot: 32, reset: 0n },
  { name: 'lpidr', number: 319, access: 'hypervisor', width: 32, slot: 33, reset: 0n },
  { name: 'hmer', number: 336, access: 'hypervisor', width: 64, slot: 34, reset: 0n },
  { name: 'hmeer', number: 337, access: 'hypervisor', width: 64, slot: 35, reset: 0n },
  { name: 'pcr', number: 338, access: 'hypervisor', width: 64, slot: 36, reset: 0n },
  { name: 'amor', number: 349, access: 'hypervisor', width: 64, slot: 37, reset: 0n },
  { name: 'ptcr', number: 464, access: 'hypervisor', width: 64, slot: 38, reset: 0n },
  { name: 'mmcr2', number: 785, access: 'privileged', width: 64, slot: 39, reset: 0n },
  { name: 'mmcra', number: 786, access: 'privileged', width: 64, slot: 40, reset: 0n },
  { name: 'mmcr0', number: 795, access: 'privileged', width: 32, slot: 41, reset: 0n },
  { name: 'mmcr1', number: 798, access: 'privileged', width: 64, slot: 42, reset: 0n },
  { name: 'mmcrc', number: 851, access: 'hypervisor', width: 64, slot: 43, reset: 0n },
  { name: 'psscr', number: 855, access: 'hypervisor', width: 64, slot: 44, reset: 0n },
  { name: 'mmcrs', number: 894, access: 'hypervisor', width: 64, slot: 45, reset: 0n },
  /** Program Priority Register: user-accessible; its reset priority is medium (PPR[11:13] = 0b100, Book II 3.1). */
  { name: 'ppr', number: 896, access: 'user', width: 64, slot: 46, reset: 0x0010_0000_0000_0000n },
  { name: 'hid0', number: 1008, access: 'hypervisor', width: 64, slot: 47, reset: 0n },
];

/** Number of {@link Ppc64State.spr} slots. */
const SPR_SLOTS = 48;

/** SPRs by number. */
export const SPR_BY_NUMBER: ReadonlyMap<number, SprDef> = new Map(SPRS.map((d) => [d.number, d]));

/** SPRs by name. */
export const SPR_BY_NAME: ReadonlyMap<string, SprDef> = new Map(SPRS.map((d) => [d.name, d]));

function slotOf(name: string): number {
  const def = SPR_BY_NAME.get(name);
  if (def === undefined || def.slot < 0) throw new Error(`no SPR slot named '${name}'`);
  return def.slot;
}

/** Index of an SPR's high word in {@link Ppc64State.spr} (the low word follows it). */
export const Spr = {
  /** DSISR. */
  dsisr: 2 * slotOf('dsisr'),
  /** DAR. */
  dar: 2 * slotOf('dar'),
  /** SRR0. */
  srr0: 2 * slotOf('srr0'),
  /** SRR1. */
  srr1: 2 * slotOf('srr1'),
  /** HSRR0. */
  hsrr0: 2 * slotOf('hsrr0'),
  /** HSRR1. */
  hsrr1: 2 * slotOf('hsrr1'),
} as const;

/**
 * Architectural state as plain data. 64-bit values are int32 pairs; read a
 * low word with `>>> 0` for its unsigned value.
 */
export interface Ppc64State {
  /**
   * Address of the next instruction (NIA) with {@link Ppc64State.pcTop}:
   * bits 4:63 of the EA as a signed 60-bit number (bit 4 set: value − 2^60),
   * exact within ±2^53. With `pcTop` 0 this is the signed representation
   * of the whole EA (the MSB, ISA bit 0, set: value − 2^64); see `setPc`.
   */
  pc: number;
  /**
   * EA bits 0:3 of the NIA where they differ from the sign extension of bit
   * 4, in place in a high word (0x0000_0000 … 0xf000_0000, an int32): the
   * EA's high word is `pcTop ^ (high word of pc)`. 0 for every address
   * within ±2^59, and nonzero for Linux's 0xc000… kernel addresses (see `setPc`).
   */
  pcTop: number;
  /** r0–r31: index 2n holds bits 0:31 of rn, 2n+1 bits 32:63. */
  gpr: Int32Array;
  /** The condition register, CR0 in bits 31:28 (ISA bits 32:35). */
  cr: number;
  /** XER[SO] (0 or 1). */
  so: number;
  /** XER[OV]. */
  ov: number;
  /** XER[CA]. */
  ca: number;
  /** XER[OV32]. */
  ov32: number;
  /** XER[CA32]. */
  ca32: number;
  /** The other XER bits of the low word, kept as written: the string byte count (57:63) and the reserved bits ({@link Xer}.KEPT). */
  xerCount: number;
  /** LR bits 0:31. */
  lrHi: number;
  /** LR bits 32:63. */
  lrLo: number;
  /** CTR bits 0:31. */
  ctrHi: number;
  /** CTR bits 32:63. */
  ctrLo: number;
  /** MSR bits 0:31 (only implemented bits are ever set). */
  msrHi: number;
  /** MSR bits 32:63. */
  msrLo: number;
  /** MSR[SF], kept beside the MSR for the hot paths (always equal to it). */
  sf: number;
  /** MSR[HV]. */
  hv: number;
  /** MSR[PR]. */
  pr: number;
  /** MSR[LE]. */
  le: number;
  /** 1 when guest memory is big-endian (fixed per machine). */
  bigMemory: number;
  /** 1 when MSR[LE] disagrees with the memory's byte order, so every access swaps bytes. */
  swap: number;
  /** The other modelled SPRs: slot k has its high word at 2k, low word at 2k+1 ({@link SPRS}). */
  spr: Int32Array;
  /** The EA of this thread's reservation (Book II 4.4.2, set by a load and reserve), or -1 when none is held. */
  reserveAddress: number;
  /** The length in bytes of the load and reserve that set the reservation (0 when none is held). */
  reserveSize: number;
}

/** The hypervisor state, problem state and the privileged non-hypervisor state between them (Book III 2.2). */
export const MODE_NAMES = ['hv', 'supervisor', 'problem'] as const;

/** A mode name. */
export type ModeName = (typeof MODE_NAMES)[number];

/** The current mode's name: problem state whenever PR = 1, else hypervisor or supervisor by HV. */
export function modeName(s: Ppc64State): ModeName {
  if (s.pr !== 0) return 'problem';
  return s.hv !== 0 ? 'hv' : 'supervisor';
}

/**
 * Write the MSR: only implemented bits are kept, and the flags kept beside
 * it are updated. Returns true when MSR[LE] changed (so the byte order of
 * instruction fetch changed and predecoded code must be dropped).
 */
export function writeMsr(s: Ppc64State, hi: number, lo: number): boolean {
  const oldLe = s.le;
  s.msrHi = hi & MSR_HI_IMPLEMENTED;
  s.msrLo = lo & MSR_LO_IMPLEMENTED;
  s.sf = s.msrHi >>> 31;
  s.hv = (s.msrHi >>> 28) & 1;
  s.pr = (s.msrLo >>> 14) & 1;
  s.le = s.msrLo & 1;
  s.swap = s.le ^ s.bigMemory ^ 1;
  return s.le !== oldLe;
}

/** A 64-bit value as int32 halves. */
export interface Halves {
  /** Bits 0:31. */
  readonly hi: number;
  /** Bits 32:63. */
  readonly lo: number;
}

/** The MSR a mode starts in when set up directly (not by an instruction). */
export function modeMsr(mode: ModeName, littleEndian: boolean): Halves {
  const le = littleEndian ? Msr.LE : 0;
  switch (mode) {
    case 'hv':
      return { hi: Msr.SF | Msr.HV, lo: Msr.ME | Msr.RI | le };
    case 'supervisor':
      return { hi: Msr.SF, lo: Msr.ME | Msr.RI | le };
    case 'problem':
      // rfid and mtmsrd set EE, IR and DR whenever they set PR (Book III 4.4.4): problem state always has them.
      return { hi: Msr.SF, lo: Msr.EE | Msr.PR | Msr.ME | Msr.IR | Msr.DR | Msr.RI | le };
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}

/** The XER value (low word; the high word is reserved and reads 0). */
export function readXer(s: Ppc64State): number {
  return (
    ((s.so << 31) | (s.ov << 30) | (s.ca << 29) | (s.ov32 << 19) | (s.ca32 << 18) | (s.xerCount & Xer.KEPT)) >>> 0
  );
}

/** Write the XER from its low word. */
export function writeXer(s: Ppc64State, lo: number): void {
  s.so = (lo >>> 31) & 1;
  s.ov = (lo >>> 30) & 1;
  s.ca = (lo >>> 29) & 1;
  s.ov32 = (lo >>> 19) & 1;
  s.ca32 = (lo >>> 18) & 1;
  s.xerCount = lo & Xer.KEPT;
}

/** A fresh state: everything zero, SPRs at reset, hypervisor state, 64-bit mode. */
export function createPpc64State(bigEndian: boolean): Ppc64State {
  const spr = new Int32Array(2 * SPR_SLOTS);
  for (const def of SPRS) {
    if (def.slot < 0) continue;
    spr[2 * def.slot] = Number(BigInt.asIntN(32, def.reset >> 32n));
    spr[2 * def.slot + 1] = Number(BigInt.asIntN(32, def.reset));
  }
  const s: Ppc64State = {
    pc: 0,
    pcTop: 0,
    gpr: new Int32Array(64),
    cr: 0,
    so: 0,
    ov: 0,
    ca: 0,
    ov32: 0,
    ca32: 0,
    xerCount: 0,
    lrHi: 0,
    lrLo: 0,
    ctrHi: 0,
    ctrLo: 0,
    msrHi: 0,
    msrLo: 0,
    sf: 0,
    hv: 0,
    pr: 0,
    le: 0,
    bigMemory: bigEndian ? 1 : 0,
    swap: 0,
    spr,
    reserveAddress: -1,
    reserveSize: 0,
  };
  const msr = modeMsr('hv', !bigEndian);
  writeMsr(s, msr.hi, msr.lo);
  return s;
}

/*
 * How the NIA is held (issue 12): a Linux kernel runs at 0xc000_0000_0000_0000
 * and up, and the signed representation arm64 uses (a 64-bit value with its
 * MSB, ISA bit 0, set held as value − 2^64) does not hold those exactly:
 * 0xc000_0000_0000_1234 is −2^62 + 0x1234, which needs 62 significant bits,
 * and a double has 53.
 * So the PC is two fields: {@link Ppc64State.pc} holds EA bits 4:63 as a
 * signed 60-bit number and {@link Ppc64State.pcTop} the bits 0:3 where they
 * are not the sign extension of bit 4. Every address within ±2^59 (so every
 * address the signed representation holds exactly) has `pcTop` = 0 and `pc`
 * equal to its signed representation; 0xc000_0000_0000_1234 is
 * `pcTop` = 0xc000_0000, `pc` = 0x1234. Bits 0:3 are exactly the bits real
 * addressing mode ignores (Book III 5.7.3, see `REAL_HIGH_MASK` in
 * semantics/common.ts), so in real mode
 * `pc` itself is the real address of the fetch (negative or at 2^53 and up:
 * nothing is mapped there), and the interpreter's and the JIT's caches keyed
 * by `pc` hold the same instructions whatever `pcTop` is.
 */

/** 2^32 (kept here so that this module stands alone). */
const TWO_32 = 4294967296;

/** The NIA's high word (EA bits 0:31), from {@link Ppc64State.pc} and {@link Ppc64State.pcTop}. */
export function pcHigh(s: Ppc64State): number {
  return (Math.floor(s.pc / TWO_32) ^ s.pcTop) | 0;
}

/** The high word (EA bits 0:31) of an op address or return address `address` (a PC number) in the quadrant of the current PC. */
export function addressHigh(s: Ppc64State, address: number): number {
  return (Math.floor(address / TWO_32) ^ s.pcTop) | 0;
}

/**
 * Set the NIA to the 64-bit EA `hi`:`lo` (`lo`'s low two bits already
 * clear), in the form described above (`pc` and `pcTop`). In 32-bit mode
 * the caller passes `hi` = 0.
 */
export function setPc(s: Ppc64State, hi: number, lo: number): void {
  const h = (hi << 4) >> 4;
  s.pcTop = (hi ^ h) | 0;
  s.pc = h === 0 ? lo >>> 0 : h * TWO_32 + (lo >>> 0);
}

/** The NIA as an unsigned 64-bit bigint (for the register view and reports). */
export function pcValue(s: Ppc64State): bigint {
  return join64(pcHigh(s), s.pc | 0);
}

/** A 64-bit value from its halves. */
export function join64(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** The high half (int32) of a 64-bit value. */
export function high32(value: bigint): number {
  return Number(BigInt.asIntN(32, value >> 32n));
}

/** The low half (int32) of a 64-bit value. */
export function low32(value: bigint): number {
  return Number(BigInt.asIntN(32, value));
}

/**
 * Slots of the ppc64 state for generated code (`src/jit/state-code.ts`):
 * slot `k` below 64 is `s.gpr[k]` (the high word of r*n* at 2*n*, the low
 * word at 2*n* + 1, as predecode numbers them); the fields follow; SPR word
 * `k` of {@link Ppc64State.spr} is slot `spr + k` ({@link Spr} gives the
 * high word of each).
 */
export const StateSlot = {
  /** The CR. */
  cr: 64,
  /** XER[SO]. */
  so: 65,
  /** XER[OV]. */
  ov: 66,
  /** XER[CA]. */
  ca: 67,
  /** XER[OV32]. */
  ov32: 68,
  /** XER[CA32]. */
  ca32: 69,
  /** The kept XER bits. */
  xerCount: 70,
  /** LR bits 0:31. */
  lrHi: 71,
  /** LR bits 32:63. */
  lrLo: 72,
  /** CTR bits 0:31. */
  ctrHi: 73,
  /** CTR bits 32:63. */
  ctrLo: 74,
  /** MSR bits 0:31. */
  msrHi: 75,
  /** MSR bits 32:63. */
  msrLo: 76,
  /** MSR[SF]. */
  sf: 77,
  /** MSR[HV]. */
  hv: 78,
  /** MSR[PR]. */
  pr: 79,
  /** MSR[LE]. */
  le: 80,
  /** Whether accesses swap bytes. */
  swap: 81,
  /** The PC. */
  pc: 82,
  /** EA bits 0:3 of the PC beyond bit 4's sign extension ({@link Ppc64State.pcTop}). */
  pcTop: 83,
  /** First SPR word. */
  spr: 96,
} as const;

const FIELD_NAMES: readonly string[] = ['cr', 'so', 'ov', 'ca', 'ov32', 'ca32', 'xerCount', 'lrHi', 'lrLo', 'ctrHi', 'ctrLo', 'msrHi', 'msrLo', 'sf', 'hv', 'pr', 'le', 'swap', 'pc', 'pcTop'];

/** Where a {@link StateSlot} lives, as an assignable expression over a state named `s`. */
export function ppc64SlotPlace(slot: number): string {
  if (slot < StateSlot.cr) return `s.gpr[${slot}]`;
  if (slot >= StateSlot.spr) return `s.spr[${slot - StateSlot.spr}]`;
  const field = FIELD_NAMES[slot - StateSlot.cr];
  if (field === undefined) throw new Error(`no ppc64 state slot ${slot}`);
  return `s.${field}`;
}

/**
 * The MSR bits that decide how code runs, as a small number: SF (8), HV
 * (4), PR (2) and LE (1). Predecoded ops depend on LE (the fetch byte order);
 * translated code also on SF (addresses, CR0, CA), HV and PR (privilege). So
 * a mode key is what the exception model's paths are built for, and what
 * the JIT keys blocks by.
 */
export const ModeKey = {
  /** MSR[SF]. */
  sf: 8,
  /** MSR[HV]. */
  hv: 4,
  /** MSR[PR]. */
  pr: 2,
  /** MSR[LE]. */
  le: 1,
} as const;

/** Mode keys are below this. */
export const MODE_KEY_COUNT = 16;

/** The current mode key (see {@link ModeKey}). */
export function modeKeyOf(s: Ppc64State): number {
  return (s.sf << 3) | (s.hv << 2) | (s.pr << 1) | s.le;
}

/** The mode key an MSR value (its implemented bits) gives. */
export function modeKeyOfMsr(hi: number, lo: number): number {
  return ((hi >>> 31) << 3) | (((hi >>> 28) & 1) << 2) | (((lo >>> 14) & 1) << 1) | (lo & 1);
}

/** The trace mode code of a mode key: 2 in problem state, else 1 in hypervisor state, else 0 (as {@link modeName} decides). */
export function traceModeOfKey(key: number): number {
  return (key & ModeKey.pr) !== 0 ? 2 : (key & ModeKey.hv) !== 0 ? 1 : 0;
}

/**
 * The MSR write of an instruction or interrupt whose new MSR (`hi`, `lo`:
 * expressions, only implemented bits set) gives mode key `to`, as a
 * template: the MSR and the flags kept beside it, which are constants of the
 * key (SF, HV, PR, LE, and the byte swap against the memory's order `bigMemory`).
 * {@link writeMsr} is the same for any value.
 */
export function emitWriteMsr(code: StateCode, to: number, hi: string, lo: string, bigMemory: number): void {
  code.set(StateSlot.msrHi, hi);
  code.set(StateSlot.msrLo, lo);
  code.set(StateSlot.sf, `${(to >>> 3) & 1}`);
  code.set(StateSlot.hv, `${(to >>> 2) & 1}`);
  code.set(StateSlot.pr, `${(to >>> 1) & 1}`);
  code.set(StateSlot.le, `${to & 1}`);
  code.set(StateSlot.swap, `${(to & 1) ^ bigMemory ^ 1}`);
}
