/**
 * The data-abort syndrome as a hypervisor reads it when a guest access
 * faults at stage 2: the ISS fields of EC 0x24/0x25 (ISV, SAS, SSE, SRT,
 * SF, AR, EA, CM, S1PTW, WnR, DFSC), the instruction length, and the fault
 * IPA from the fault-address registers.
 *
 * The two architectures that have it lay the fields out alike and differ in
 * width and meaning, which a {@link DataAbortLayout} states (the ARMv7 HSR:
 * SRT 4 bits, no SF or AR, SAS = 3 reserved; AArch64 ESR_ELx: SRT 5 bits,
 * SF and AR, SAS = 3 a doubleword), so nothing here names either. Bit
 * positions: abi-facts §12.1 (ARM ARM B3.13.6 for the HSR; the ESR_ELx ISS
 * encoding for a Data Abort), kernel macros `HSR_ISV`, `HSR_SRT_MASK`,
 * `HSR_SSE`, `HSR_WNR`, `HSR_FSC` and arm64 `esr.h`.
 *
 * @module
 */

/** The exception class of a data abort from a lower level (HSR `DABT`, ESR `DABT_LOW`). */
export const EC_DATA_ABORT_LOWER = 0x24;
/** The exception class of a data abort taken at the same level (HSR `DABT_HYP`, ESR `DABT_CUR`). */
export const EC_DATA_ABORT_SAME = 0x25;

/** How one architecture's syndrome register lays out the data-abort ISS. */
export interface DataAbortLayout {
  /** The register's name (`HSR`, `ESR_EL2`). */
  readonly register: string;
  /** Width of SRT: 4 (bits 19:16) or 5 (bits 20:16). */
  readonly srtBits: 4 | 5;
  /** Whether SF (bit 15) and AR (bit 14) are defined. */
  readonly sixtyFourBitFields: boolean;
  /** What SAS = 3 means: a doubleword, or reserved (ARMv7: KVM calls such hardware "weird"). */
  readonly sas3: 'doubleword' | 'reserved';
  /** The SRT value that names the program counter, if any (15 on AArch32: a load into PC). */
  readonly pcRegister: number | undefined;
  /** Width of a general register in bits (32 or 64): where SSE sign-extends to. */
  readonly registerBits: 32 | 64;
}

/** The fields of a data-abort syndrome. Fields not valid (ISV = 0) are still given as read; the hypervisor must not use them. */
export interface DataAbortSyndrome {
  /** Exception class, bits 31:26. */
  readonly ec: number;
  /** Instruction length: 1 for a 32-bit instruction, 0 for a 16-bit Thumb one (bit 25). */
  readonly il: number;
  /** Instruction syndrome valid (bit 24): 0 means bits 23:14 say nothing. */
  readonly isv: number;
  /** Access size: 0 byte, 1 halfword, 2 word, 3 doubleword or reserved (bits 23:22). */
  readonly sas: number;
  /** Sign-extend the load (bit 21). */
  readonly sse: number;
  /** The transfer register (bits 19:16 or 20:16). */
  readonly srt: number;
  /** 64-bit register (bit 15; 0 where the layout has no SF). */
  readonly sf: number;
  /** Acquire/release (bit 14; 0 where the layout has no AR). */
  readonly ar: number;
  /** External abort type (bit 9). */
  readonly ea: number;
  /** Cache maintenance (bit 8). */
  readonly cm: number;
  /** Fault on a stage-1 translation table walk (bit 7). */
  readonly s1ptw: number;
  /** Write not read (bit 6). */
  readonly wnr: number;
  /** Fault status code (bits 5:0). */
  readonly dfsc: number;
}

/** Decode `value` (the syndrome register, 32 bits) by `layout`. */
export function decodeDataAbort(value: number, layout: DataAbortLayout): DataAbortSyndrome {
  const v = value >>> 0;
  return {
    ec: v >>> 26,
    il: (v >>> 25) & 1,
    isv: (v >>> 24) & 1,
    sas: (v >>> 22) & 3,
    sse: (v >>> 21) & 1,
    srt: (v >>> 16) & (layout.srtBits === 5 ? 0x1f : 0xf),
    sf: layout.sixtyFourBitFields ? (v >>> 15) & 1 : 0,
    ar: layout.sixtyFourBitFields ? (v >>> 14) & 1 : 0,
    ea: (v >>> 9) & 1,
    cm: (v >>> 8) & 1,
    s1ptw: (v >>> 7) & 1,
    wnr: (v >>> 6) & 1,
    dfsc: v & 0x3f,
  };
}

/** A range of syndrome values, as a spec's selector takes it. */
export interface SyndromeRange {
  /** Lowest value. */
  readonly min: bigint;
  /** Highest value. */
  readonly max: bigint;
}

/** The ranges of a data abort from a lower level (EC 0x24) with ISV = `isv`, for IL = 0 and IL = 1 (HSR and ESR_ELx alike). */
function lowerDataAborts(isv: 0 | 1): readonly SyndromeRange[] {
  return [0, 1].map((il) => {
    const base = ((EC_DATA_ABORT_LOWER << 26) | (il << 25) | (isv << 24)) >>> 0;
    return { min: BigInt(base), max: BigInt((base | 0xff_ffff) >>> 0) };
  });
}

/** Syndrome values of a data abort from a guest with ISV = 1 (the syndrome describes the access). */
export const SYNDROME_VALID_RANGES: readonly SyndromeRange[] = lowerDataAborts(1);

/** Syndrome values of a data abort from a guest with ISV = 0 (it does not). */
export const NO_SYNDROME_RANGES: readonly SyndromeRange[] = lowerDataAborts(0);

/** Build a syndrome from fields (absent ones 0): the inverse of {@link decodeDataAbort}, for hand-built test syndromes. */
export function encodeDataAbort(fields: Partial<DataAbortSyndrome>, layout: DataAbortLayout): number {
  const f = (name: keyof DataAbortSyndrome): number => fields[name] ?? 0;
  const srtMask = layout.srtBits === 5 ? 0x1f : 0xf;
  if (f('srt') > srtMask) throw new RangeError(`SRT ${f('srt')} does not fit ${layout.register}'s ${layout.srtBits}-bit field`);
  if (!layout.sixtyFourBitFields && (f('sf') !== 0 || f('ar') !== 0)) throw new RangeError(`${layout.register} has no SF or AR field`);
  return (
    ((f('ec') & 0x3f) * 2 ** 26 +
      (((f('il') & 1) << 25) | ((f('isv') & 1) << 24) | ((f('sas') & 3) << 22) | ((f('sse') & 1) << 21) | ((f('srt') & srtMask) << 16) | ((f('sf') & 1) << 15) | ((f('ar') & 1) << 14) | ((f('ea') & 1) << 9) | ((f('cm') & 1) << 8) | ((f('s1ptw') & 1) << 7) | ((f('wnr') & 1) << 6) | (f('dfsc') & 0x3f))) >>>
    0
  );
}

/**
 * The faulting IPA as KVM forms it: the page from HPFAR (IPA[39:12] in
 * HPFAR[31:4], `(HPFAR & ~0xF) << 8`) and the byte offset from the fault
 * address register's low 12 bits (abi-facts §12.2; `kvm_vcpu_get_fault_ipa`
 * and `io_mem_abort`).
 */
export function faultIpa(hpfar: bigint, far: bigint): bigint {
  return (BigInt.asUintN(64, hpfar & ~0xfn) << 8n) | (far & 0xfffn);
}

/**
 * {@link faultIpa} of 32-bit fault registers, without BigInt: the IPA as a
 * number (at most 40 bits, so exact). `hpfar` and `far` are read as
 * unsigned 32-bit values.
 */
export function faultIpa32(hpfar: number, far: number): number {
  return ((hpfar & ~0xf) >>> 0) * 256 + (far & 0xfff);
}

/** Bytes an access of size field `sas` moves (1 << SAS). */
export function accessBytes(sas: number): 1 | 2 | 4 | 8 {
  return (1 << (sas & 3)) as 1 | 2 | 4 | 8;
}

/**
 * Read completion as KVM does it (`kvm_handle_mmio_return`, v3.9 tree
 * `arch/arm/kvm/mmio.c`; arm64 `kvm_handle_mmio_return` @022c8328): a
 * sign-extending load of fewer bytes than a register is sign-extended
 * with `mask = 1 << (len*8 − 1); data = (data ^ mask) − mask`; where the
 * layout has SF, a load with SF = 0 keeps only the low 32 bits. The result
 * is what goes to Rt, at the register's width.
 */
export function completeRead(data: bigint, length: 1 | 2 | 4 | 8, signExtend: boolean, sixtyFourBit: boolean, layout: DataAbortLayout): bigint {
  let value = BigInt.asUintN(length * 8, data);
  if (signExtend && length * 8 < layout.registerBits) {
    const mask = 1n << BigInt(length * 8 - 1);
    value = (value ^ mask) - mask;
  }
  if (layout.sixtyFourBitFields && !sixtyFourBit) value &= 0xffff_ffffn;
  return BigInt.asUintN(layout.registerBits, value);
}
