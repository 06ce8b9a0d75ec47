/**
 * The ARMv8-A stage-1 translation table walk of the EL1&0 regime with the
 * 4 KiB granule (ARM ARM D8, "The AArch64 Virtual Memory System
 * Architecture"): TCR_EL1 T0SZ/T1SZ, EPD0/EPD1, TG0/TG1, IPS and TBI0/TBI1;
 * TTBR0_EL1 for the low range and TTBR1_EL1 for the high one; levels 0 to 3,
 * table, block (level 1 and 2) and page descriptors; the access flag; the
 * hierarchical APTable, UXNTable and PXNTable controls and the leaf AP[2:1],
 * UXN and PXN; and the fault status codes a translation, address size,
 * access flag, permission or walk-external abort reports (D13.2.37 ESR_ELx,
 * DFSC/IFSC), with the lookup level.
 *
 * It works on whole 64-bit virtual addresses (bigints): the walk runs off
 * the hot path. `AT S1E0R/W, S1E1R/W` use it when SCTLR_EL1.M is set
 * (`arch/arm64/semantics/system.ts`), filling PAR_EL1 as D13.2.101 says,
 * and the machine's TLB (`tlb.ts`) on a miss: with SCTLR_EL1.M set, the
 * machine's own fetches, loads and stores at EL0 and EL1 translate through
 * it (`translated-memory.ts`), the PC and data addresses in the signed
 * representation that holds the TTBR1 half. With HCR_EL2.VM set, stage 2
 * (VTCR_EL2/VTTBR_EL2, {@link translateStage2}) follows stage 1 for those
 * accesses, and the stage-1 walk's own descriptor reads go through stage 2
 * too (S1PTW): {@link translateEl10} is the whole translation. The EL2
 * regime's stage 1 (SCTLR_EL2.M) is not applied to accesses yet. Stage 2
 * reuses {@link walkTables} with its own start level and base, which is
 * why the walk takes the table base, the input size and the start level as
 * arguments.
 *
 * @module
 */

/**
 * What a walk reads descriptors from: guest-physical memory (a
 * `GuestMemory`), or, for a stage-1 walk under stage 2, a reader that
 * translates each descriptor's IPA first ({@link translateEl10}).
 */
export interface DescriptorMemory {
  /** The little-endian word at `address`, or `undefined` where nothing answers. */
  read32(address: number): number | undefined;
}

/** What kind of access asks for the translation. */
export type Stage1Access = 'read' | 'write' | 'fetch';

/** Why a translation failed (D13.2.37, the DFSC/IFSC groups). */
export type Stage1FaultKind = 'address-size' | 'translation' | 'access-flag' | 'permission' | 'walk-external';

/** A failed translation: the fault, the level it was found at, and its fault status code. */
export interface Stage1Fault {
  /** Discriminant. */
  readonly ok: false;
  /** The fault. */
  readonly kind: Stage1FaultKind;
  /** The lookup level (0–3). */
  readonly level: number;
  /** The fault status code (DFSC/IFSC, 6 bits): the group in bits 5:2, the level in bits 1:0. */
  readonly fsc: number;
  /** Why, in a few words, for traces. */
  readonly reason: string;
}

/** A successful translation. */
export interface Stage1Translation {
  /** Discriminant. */
  readonly ok: true;
  /** The output (physical) address. */
  readonly pa: bigint;
  /** The leaf's AttrIndx (bits 4:2): which MAIR_EL1 byte gives the memory type. */
  readonly attrIndex: number;
  /** The leaf's shareability, SH[1:0] (bits 9:8). */
  readonly shareability: number;
  /** The level the leaf was found at (1 and 2 blocks, 3 pages). */
  readonly level: number;
  /** Whether writes are permitted (AP[2] and APTable[1] clear). */
  readonly writable: boolean;
  /** The leaf descriptor itself (a stage 2 reads its S2AP and XN from it). */
  readonly leaf: bigint;
}

/** The outcome of a walk. */
export type Stage1Result = Stage1Translation | Stage1Fault;

/** The EL1&0 regime's controls, as the system registers hold them. */
export interface Stage1Regime {
  /** TCR_EL1. */
  readonly tcr: bigint;
  /** TTBR0_EL1. */
  readonly ttbr0: bigint;
  /** TTBR1_EL1. */
  readonly ttbr1: bigint;
}

const FSC_GROUP: Readonly<Record<Stage1FaultKind, number>> = {
  'address-size': 0b0000_00,
  translation: 0b0001_00,
  'access-flag': 0b0010_00,
  permission: 0b0011_00,
  'walk-external': 0b0101_00,
};

function fault(kind: Stage1FaultKind, level: number, reason: string): Stage1Fault {
  return { ok: false, kind, level, fsc: FSC_GROUP[kind] | level, reason };
}

function bits(value: bigint, hi: number, lo: number): number {
  return Number((value >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n));
}

/** TCR_ELx.IPS / PS (D13.2.131): the output address size in bits. Reserved values act as 48 here. */
const OUTPUT_BITS = [32, 36, 40, 42, 44, 48, 52, 48];

/** The 4 KiB granule's start level for an input size (D8.2.6): 4 − ceil((inputsize − 12) / 9). */
export function startLevel(inputSize: number): number {
  return 4 - Math.ceil((inputSize - 12) / 9);
}

/** Read a little-endian descriptor, or `undefined` where nothing is mapped. */
function descriptorAt(memory: DescriptorMemory, address: bigint): bigint | undefined {
  if (address >= 1n << 53n) return undefined;
  const a = Number(address);
  const lo = memory.read32(a);
  const hi = lo === undefined ? undefined : memory.read32(a + 4);
  if (lo === undefined || hi === undefined) return undefined;
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Hierarchical controls collected from table descriptors on the way down (D8.4.2). */
interface TableControls {
  noWrite: boolean;
  noEl0: boolean;
  uxn: boolean;
  pxn: boolean;
}

/**
 * The walk proper, for any regime with the 4 KiB granule: from the table
 * at `base`, resolving the low `inputSize` bits of `address`, starting at
 * `level`. A stage 2 calls it with VTTBR_EL2's base and VTCR_EL2's size.
 */
export function walkTables(memory: DescriptorMemory, base: bigint, address: bigint, inputSize: number, level: number, outputBits: number, access: Stage1Access, el: number): Stage1Result {
  const limit = 1n << BigInt(outputBits);
  let table = base & ~0xfffn & ((1n << 48n) - 1n);
  // The start level may be later than the input size needs (a stage 2's concatenated tables, D8.2.9): its index takes every bit up to the input size.
  const start = level;
  const controls: TableControls = { noWrite: false, noEl0: false, uxn: false, pxn: false };
  for (;;) {
    const shift = 12 + 9 * (3 - level);
    const topBit = level === start ? inputSize : shift + 9;
    const index = (address >> BigInt(shift)) & ((1n << BigInt(topBit - shift)) - 1n);
    if (table >= limit) return fault('address-size', level, `table base 0x${table.toString(16)} beyond the ${outputBits}-bit output size`);
    const descriptor = descriptorAt(memory, table + index * 8n);
    if (descriptor === undefined) return fault('walk-external', level, `level ${level} descriptor at 0x${(table + index * 8n).toString(16)} is not in memory`);
    const type = Number(descriptor & 3n);
    if ((type & 1) === 0) return fault('translation', level, `level ${level} descriptor invalid`);
    if (type === 1 && (level === 0 || level === 3)) return fault('translation', level, `level ${level} descriptor is a block, which the 4 KiB granule allows only at levels 1 and 2`);
    if (type === 3 && level < 3) {
      // A table: collect APTable[1:0] (62:61), UXNTable (60), PXNTable (59), then descend.
      controls.noWrite ||= bits(descriptor, 62, 62) === 1;
      controls.noEl0 ||= bits(descriptor, 61, 61) === 1;
      controls.uxn ||= bits(descriptor, 60, 60) === 1;
      controls.pxn ||= bits(descriptor, 59, 59) === 1;
      table = descriptor & 0x0000_ffff_ffff_f000n;
      level++;
      continue;
    }
    // A block (levels 1, 2) or a page (level 3): the output address, then the access flag and the permissions.
    const offsetBits = shift;
    const output = (descriptor & 0x0000_ffff_ffff_f000n & ~((1n << BigInt(offsetBits)) - 1n)) | (address & ((1n << BigInt(offsetBits)) - 1n));
    if (output >= limit) return fault('address-size', level, `output address 0x${output.toString(16)} beyond the ${outputBits}-bit output size`);
    if (bits(descriptor, 10, 10) === 0) return fault('access-flag', level, `level ${level} descriptor has AF = 0`);
    const ap = bits(descriptor, 7, 6);
    const el0Allowed = (ap & 1) === 1 && !controls.noEl0;
    const writable = (ap & 2) === 0 && !controls.noWrite;
    if (el === 0 && !el0Allowed) return fault('permission', level, 'AP[1] = 0: no access from EL0');
    if (access === 'write' && !writable) return fault('permission', level, 'a write to a read-only mapping (AP[2] = 1)');
    if (access === 'fetch') {
      const uxn = bits(descriptor, 54, 54) === 1 || controls.uxn;
      const pxn = bits(descriptor, 53, 53) === 1 || controls.pxn;
      // EL1 may not execute what EL0 can write (D8.4.1.2, "Instruction access permissions").
      if (el === 0 ? uxn : pxn || (el0Allowed && writable)) return fault('permission', level, `execute-never at EL${el}`);
    }
    return { ok: true, pa: output, attrIndex: bits(descriptor, 4, 2), shareability: bits(descriptor, 9, 8), level, writable, leaf: descriptor };
  }
}

/**
 * Translate a virtual address in the EL1&0 regime (stage 1 enabled): pick
 * TTBR0 or TTBR1 by bit 55, check the range the TxSZ leaves, and walk.
 * With TBI0/TBI1 the top byte of a data address is ignored (an instruction
 * fetch is always checked whole, as TBI does not apply to it here).
 */
export function translateStage1(memory: DescriptorMemory, regime: Stage1Regime, virtualAddress: bigint, access: Stage1Access, el: number): Stage1Result {
  const va = virtualAddress & 0xffff_ffff_ffff_ffffn;
  const upper = ((va >> 55n) & 1n) === 1n;
  const tcr = regime.tcr;
  const txsz = upper ? bits(tcr, 21, 16) : bits(tcr, 5, 0);
  const epd = upper ? bits(tcr, 23, 23) : bits(tcr, 7, 7);
  const granule = upper ? bits(tcr, 31, 30) : bits(tcr, 15, 14);
  const tbi = access !== 'fetch' && (upper ? bits(tcr, 38, 38) : bits(tcr, 37, 37)) === 1;
  if (granule !== (upper ? 2 : 0)) return fault('translation', 0, `TCR_EL1.TG${upper ? 1 : 0} = ${granule}: only the 4 KiB granule is modelled`);
  if (epd === 1) return fault('translation', 0, `TCR_EL1.EPD${upper ? 1 : 0} = 1: walks through TTBR${upper ? 1 : 0}_EL1 are disabled`);
  const inputSize = 64 - Math.min(Math.max(txsz, 16), 39);
  // Every bit above the input size must equal the range select (bits 63:56 excepted under TBI).
  const top = tbi ? 56 : 64;
  const checked = (va >> BigInt(inputSize)) & ((1n << BigInt(top - inputSize)) - 1n);
  if (checked !== (upper ? (1n << BigInt(top - inputSize)) - 1n : 0n)) return fault('translation', 0, `0x${va.toString(16)} is outside the ${inputSize}-bit range of TTBR${upper ? 1 : 0}_EL1`);
  const base = (upper ? regime.ttbr1 : regime.ttbr0) & 0x0000_ffff_ffff_fffen;
  return walkTables(memory, base, va, inputSize, startLevel(inputSize), OUTPUT_BITS[bits(tcr, 34, 32)]!, access, el);
}

/** The stage-2 controls of the EL1&0 regime, as the system registers hold them. */
export interface Stage2Regime {
  /** VTCR_EL2. */
  readonly vtcr: bigint;
  /** VTTBR_EL2. */
  readonly vttbr: bigint;
}

/**
 * Translate an intermediate physical address through stage 2 (HCR_EL2.VM
 * set; D8.2, D13.2.151 VTCR_EL2, D13.2.152 VTTBR_EL2): T0SZ the input size,
 * SL0 the start level (4 KiB granule: 0 → level 2, 1 → level 1, 2 → level
 * 0), TG0 (only 4 KiB, 0, is modelled), PS the output size, BADDR the
 * table; the leaf's S2AP (bit 6 read, bit 7 write) and XN (bit 54) are
 * checked in place of the stage-1 AP/UXN/PXN. Stage 2 has no hierarchical
 * controls, which {@link walkTables} collects but this ignores. An IPA
 * beyond the input size, or an SL0 that does not fit T0SZ, is reported as
 * a translation fault at level 0: the ARM ARM makes the latter a
 * misconfiguration (CONSTRAINED UNPREDICTABLE), and level 0 is a choice
 * made here. The machine's accesses reach it through {@link translateEl10}.
 */
export function translateStage2(memory: DescriptorMemory, regime: Stage2Regime, ipa: bigint, access: Stage1Access): Stage1Result {
  const vtcr = regime.vtcr;
  if (bits(vtcr, 15, 14) !== 0) return fault('translation', 0, `VTCR_EL2.TG0 = ${bits(vtcr, 15, 14)}: only the 4 KiB granule is modelled`);
  const inputSize = 64 - Math.min(Math.max(bits(vtcr, 5, 0), 16), 39);
  if (ipa >> BigInt(inputSize) !== 0n) return fault('translation', 0, `IPA 0x${ipa.toString(16)} is outside the ${inputSize}-bit input range of VTCR_EL2.T0SZ`);
  const sl0 = bits(vtcr, 7, 6);
  const start = 2 - sl0;
  // The start level's index may take at most 4 more bits than 9 (16 concatenated tables), and at least 1.
  if (sl0 === 3 || start < startLevel(inputSize) || inputSize - (12 + 9 * (3 - start)) > 13) return fault('translation', 0, `VTCR_EL2.SL0 = ${sl0} does not fit T0SZ = ${bits(vtcr, 5, 0)}`);
  const result = walkTables(memory, regime.vttbr & 0x0000_ffff_ffff_fffen, ipa, inputSize, start, OUTPUT_BITS[bits(vtcr, 18, 16)]!, 'read', 1);
  if (!result.ok) return result;
  const s2ap = bits(result.leaf, 7, 6);
  if (access === 'write' ? (s2ap & 2) === 0 : (s2ap & 1) === 0) return fault('permission', result.level, `S2AP = ${s2ap}: no stage-2 ${access === 'write' ? 'write' : 'read'} access`);
  if (access === 'fetch' && bits(result.leaf, 54, 54) === 1) return fault('permission', result.level, 'stage-2 XN = 1');
  return { ...result, writable: (s2ap & 2) !== 0 };
}

/** A fault of the whole EL1&0 translation ({@link translateEl10}): which stage found it, and for stage 2 the IPA and whether the access was a stage-1 walk's. */
export interface El10Fault extends Stage1Fault {
  /** 1: the stage-1 walk (taken to EL1); 2: stage 2 (taken to EL2, D8.2). */
  readonly stage: 1 | 2;
  /** A stage-2 fault on a stage-1 translation table walk's descriptor read (ESR_EL2 ISS S1PTW, D13.2.37). */
  readonly s1ptw: boolean;
  /** For a stage-2 fault, the IPA whose translation failed (HPFAR_EL2.FIPA holds its bits 47:12, D13.2.55); 0 otherwise. */
  readonly ipa: bigint;
}

/** The outcome of {@link translateEl10}. */
export type El10Result = Stage1Translation | El10Fault;

/** The EL1&0 regime's controls for both stages: which are on (SCTLR_EL1.M, HCR_EL2.VM) and their registers. */
export interface El10Regime extends Stage1Regime, Stage2Regime {
  /** SCTLR_EL1.M: stage 1 translates. */
  readonly stage1: boolean;
  /** HCR_EL2.VM: stage 2 translates (the PE is at EL1 or EL0). */
  readonly stage2: boolean;
}

/** The IPA size the VA is checked against when stage 1 is off (the modelled PARange, 48 bits: D8.2.10, "an address above the PA size is an address size fault at level 0"). */
const FLAT_LIMIT = 1n << 48n;

function stageFault(result: Stage1Fault, stage: 1 | 2, s1ptw: boolean, ipa: bigint): El10Fault {
  return { ...result, stage, s1ptw, ipa };
}

/**
 * The stage-1 walk's descriptor reads under stage 2: each IPA is translated
 * as a data read (the walk's accesses are reads, D8.2: a stage-1 walk's
 * accesses are checked by stage 2 like any other), and the first stage-2
 * fault is kept for {@link translateEl10}, which reports it with S1PTW set.
 */
class Stage2WalkReader implements DescriptorMemory {
  fault: Stage1Fault | undefined = undefined;
  ipa = 0n;
  constructor(
    private readonly memory: DescriptorMemory,
    private readonly regime: Stage2Regime,
  ) {}

  read32(address: number): number | undefined {
    const result = translateStage2(this.memory, this.regime, BigInt(address), 'read');
    if (!result.ok) {
      if (this.fault === undefined) {
        this.fault = result;
        this.ipa = BigInt(address);
      }
      return undefined;
    }
    return this.memory.read32(Number(result.pa));
  }
}

/**
 * Stage 1 of the EL1&0 regime alone (its output is the IPA), its walk's
 * descriptor reads going through stage 2 when `regime.stage2` is set: what
 * {@link translateEl10} starts with, and what `AT S1E1R/W, S1E0R/W` ask
 * for (C5.5: their result is the IPA, but their walk is translated). A
 * walk read that stage 2 refuses is a stage-2 fault with `s1ptw`.
 */
export function translateStage1Nested(memory: DescriptorMemory, regime: El10Regime, virtualAddress: bigint, access: Stage1Access, el: number): El10Result {
  const reader = regime.stage2 ? new Stage2WalkReader(memory, regime) : memory;
  const result = translateStage1(reader, regime, virtualAddress, access, el);
  if (result.ok) return result;
  // A walk read that stage 2 refused: the walk saw 'walk-external'; the fault is stage 2's, on the walk (S1PTW).
  if (reader instanceof Stage2WalkReader && reader.fault !== undefined) return stageFault(reader.fault, 2, true, reader.ipa);
  return stageFault(result, 1, false, 0n);
}

/**
 * The whole translation of an EL1 or EL0 access (D8.2, "the EL1&0
 * translation regime"): stage 1 when SCTLR_EL1.M is set (else the IPA is
 * the VA, which must fit the 48-bit space: an address size fault at level
 * 0 otherwise, reported by stage 1), then stage 2 when HCR_EL2.VM is set,
 * the stage-1 walk's descriptor reads going through stage 2 as well. A
 * stage-2 fault on such a read is reported with `s1ptw` and the
 * descriptor's IPA; one on the access itself with the access's IPA. The
 * result's `pa` is the physical address; its other fields are stage 1's
 * (with stage 1 off, stage 2's), `writable` both stages'.
 */
export function translateEl10(memory: DescriptorMemory, regime: El10Regime, virtualAddress: bigint, access: Stage1Access, el: number): El10Result {
  let ipa: bigint;
  let first: Stage1Translation | undefined;
  if (regime.stage1) {
    const result = translateStage1Nested(memory, regime, virtualAddress, access, el);
    if (!result.ok) return result;
    first = result;
    ipa = result.pa;
  } else {
    ipa = virtualAddress & 0xffff_ffff_ffff_ffffn;
    if (ipa >= FLAT_LIMIT) return stageFault(fault('address-size', 0, `0x${ipa.toString(16)} is beyond the 48-bit physical address size (stage 1 off)`), 1, false, 0n);
  }
  if (!regime.stage2) return first ?? { ok: true, pa: ipa, attrIndex: 0, shareability: 0, level: 0, writable: true, leaf: 0n };
  const second = translateStage2(memory, regime, ipa, access);
  if (!second.ok) return stageFault(second, 2, false, ipa);
  if (first === undefined) return second;
  return { ...first, pa: second.pa, writable: first.writable && second.writable };
}

/** The ISS of a data abort from a stage-1 fault: WnR (bit 6) and the DFSC (D13.2.37; ISV = 0, S1PTW = 0, FnV = 0). */
export function dataAbortIss(result: Stage1Fault, write: boolean): number {
  return (write ? 1 << 6 : 0) | result.fsc;
}

/** The ISS of an instruction abort from a stage-1 fault: the IFSC. */
export function instructionAbortIss(result: Stage1Fault): number {
  return result.fsc;
}

/**
 * PAR_EL1 after an AT instruction (D13.2.101): on success F = 0, SH in bits
 * 8:7, the PA in bits 47:12 and the MAIR_EL1 attribute byte in bits 63:56;
 * on a fault F = 1, the FST in bits 6:1 and bit 11 RES1, with S (bit 9)
 * set for a stage-2 fault and PTW (bit 8) for one on the stage-1 walk (an
 * {@link El10Fault}; only an AT executed at EL2 reports those in PAR: at
 * EL1 they are taken to EL2).
 */
export function parAfter(result: Stage1Result | El10Result, mair: bigint): bigint {
  if (!result.ok) {
    const stage2 = 'stage' in result && result.stage === 2;
    return (1n << 11n) | (stage2 ? 1n << 9n : 0n) | (stage2 && result.s1ptw ? 1n << 8n : 0n) | (BigInt(result.fsc) << 1n) | 1n;
  }
  const attribute = (mair >> BigInt(8 * result.attrIndex)) & 0xffn;
  return (attribute << 56n) | (result.pa & 0x0000_ffff_ffff_f000n) | (BigInt(result.shareability) << 7n);
}
