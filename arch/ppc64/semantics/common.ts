/**
 * Helpers every ppc64 semantics family shares: 64-bit arithmetic on int32
 * halves, CR0 and XER updates, effective addresses, branch targets, and the
 * guards named after the ISA's rules.
 *
 * Slot conventions (set by each family's `Prepare`): `dest`, `src1` and
 * `src2` hold GPR *indexes* into `state.gpr` (2 × the register number, the
 * high word; the low word follows), and `src1` is -1 for an `(RA|0)`
 * operand whose RA field is 0. Immediates are int32.
 *
 * @module
 */

import type { DecodedOp, Handler } from '../../../src/interp/decoded-op.ts';
import type { DataFaultTrap, FetchFaultTrap, PrivilegedTrap, UndefinedTrap } from '../../../src/interp/step-result.ts';
import type { FieldValues } from '../../../src/isa/instruction-table.ts';
import type { Halves, Ppc64State } from '../registers.ts';

/** A predecoded ppc64 instruction. */
export type Op = DecodedOp<Ppc64State>;

/** A ppc64 instruction handler. */
export type PpcHandler = Handler<Ppc64State>;

/**
 * Fills an op's slots from the decoded fields and returns the handler to
 * run. One per table row, named after it.
 */
export type Prepare = (op: Op, fields: FieldValues) => PpcHandler;

/** 2^32, for joining halves into a number. */
export const TWO_32 = 4294967296;

/** The GPR index of register `n` (its high word) in `state.gpr`. */
export function gprIndex(n: number): number {
  return 2 * n;
}

/** The index for an `(RA|0)` operand: -1 when RA = 0, which reads as zero (Book I 1.6.2). */
export function baseIndex(ra: number): number {
  return ra === 0 ? -1 : 2 * ra;
}

// ---------------------------------------------------------------- results

/** High word of the last 64-bit result from {@link add64}, {@link rotl64} or {@link mul32}. */
export let resultHi = 0;
/** Low word of the last 64-bit result. */
export let resultLo = 0;
/** Carry out of the low word (bit 32) from the last {@link add64}. */
export let carry32 = 0;
/** Carry out of the doubleword (bit 0) from the last {@link add64}. */
export let carry64 = 0;

/** a + b + carryIn over 64 bits; result in {@link resultHi}/{@link resultLo}, carries in {@link carry32}/{@link carry64}. */
export function add64(aHi: number, aLo: number, bHi: number, bLo: number, carryIn: number): void {
  const low = (aLo >>> 0) + (bLo >>> 0) + carryIn;
  const c32 = low > 0xffff_ffff ? 1 : 0;
  const high = (aHi >>> 0) + (bHi >>> 0) + c32;
  resultLo = low | 0;
  resultHi = high | 0;
  carry32 = c32;
  carry64 = high > 0xffff_ffff ? 1 : 0;
}

/** Rotate left a doubleword by `n` (0..63); result in {@link resultHi}/{@link resultLo}. */
export function rotl64(hi: number, lo: number, n: number): void {
  let h = hi;
  let l = lo;
  if (n >= 32) {
    h = lo;
    l = hi;
  }
  const k = n & 31;
  if (k === 0) {
    resultHi = h;
    resultLo = l;
    return;
  }
  resultHi = (h << k) | (l >>> (32 - k));
  resultLo = (l << k) | (h >>> (32 - k));
}

/** Rotate left a word by `n` (0..31). */
export function rotl32(value: number, n: number): number {
  return n === 0 ? value : (value << n) | (value >>> (32 - n));
}

/** The unsigned 64-bit product of two uint32 values; result in {@link resultHi}/{@link resultLo}. */
export function mul32(a: number, b: number): void {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const middle = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  resultLo = ((middle << 16) | (p00 & 0xffff)) | 0;
  resultHi = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (middle >>> 16)) | 0;
}

/** The signed 64-bit product of two int32 values; result in {@link resultHi}/{@link resultLo}. */
export function mulSigned32(a: number, b: number): void {
  mul32(a >>> 0, b >>> 0);
  let hi = resultHi;
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  resultHi = hi;
}

/** The low 64 bits of a 64 × 64 product (signedness does not matter for them). */
export function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  mul32(aLo >>> 0, bLo >>> 0);
  resultHi = (resultHi + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) | 0;
}

/** A doubleword as a BigInt (signed or unsigned), for the rare slow paths (divide, overflow checks). */
export function toBig(hi: number, lo: number, signed: boolean): bigint {
  const value = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return signed ? BigInt.asIntN(64, value) : value;
}

/** Store a BigInt's low 64 bits in a GPR. */
export function writeBig(s: Ppc64State, index: number, value: bigint): void {
  s.gpr[index] = Number(BigInt.asIntN(32, value >> 32n));
  s.gpr[index + 1] = Number(BigInt.asIntN(32, value));
}

// ---------------------------------------------------------------- CR and XER

/** CR field bit LT, as a plain constant: hot code reads these rather than {@link Cr}, whose property loads V8 does not fold. */
export const CR_LT = 8;
/** CR field bit GT. */
export const CR_GT = 4;
/** CR field bit EQ. */
export const CR_EQ = 2;

/** CR field bits (Book I 2.3.1). */
export const Cr = {
  /** Negative (less than). */
  LT: 8,
  /** Positive (greater than). */
  GT: 4,
  /** Zero (equal). */
  EQ: 2,
  /** Summary overflow (a copy of XER[SO]). */
  SO: 1,
} as const;

/**
 * Rc = 1: CR0 from the result compared with zero, and XER[SO] (Book I
 * 3.3.8). In 32-bit mode only the low word is compared.
 */
export function record(s: Ppc64State, hi: number, lo: number): void {
  // Branch-free choice of the compared value: all of it in 64-bit mode, the low word (sign-extended) in 32-bit mode.
  const keep = -s.sf;
  const top = (hi & keep) | ((lo >> 31) & ~keep);
  const c = top < 0 ? CR_LT : (lo | (hi & keep)) !== 0 ? CR_GT : CR_EQ;
  s.cr = (s.cr & 0x0fff_ffff) | ((c | s.so) << 28);
}

/** Set XER[CA] and XER[CA32] from the last {@link add64}: CA is the carry out of bit 0 in 64-bit mode, of bit 32 in 32-bit mode. */
export function setCarry(s: Ppc64State): void {
  s.ca32 = carry32;
  s.ca = s.sf !== 0 ? carry64 : carry32;
}

/**
 * OE = 1 for an addition a + b = result: XER[OV] (signed overflow of the
 * doubleword, or of the word in 32-bit mode), XER[OV32] and XER[SO]
 * (Book I 3.3.9).
 */
export function setAddOverflow(s: Ppc64State, aHi: number, aLo: number, bHi: number, bLo: number, hi: number, lo: number): void {
  const ov32 = ((aLo ^ lo) & (bLo ^ lo)) >>> 31;
  const ov64 = ((aHi ^ hi) & (bHi ^ hi)) >>> 31;
  setOverflow(s, s.sf !== 0 ? ov64 : ov32, ov32);
}

/** Set XER[OV], XER[OV32], and SO when OV is set. */
export function setOverflow(s: Ppc64State, ov: number, ov32: number): void {
  s.ov = ov;
  s.ov32 = ov32;
  s.so |= ov;
}

// ---------------------------------------------------------------- addresses

/** High word of the last {@link effectiveAddress}. */
export let eaHi = 0;
/** Low word of the last {@link effectiveAddress}. */
export let eaLo = 0;

/**
 * EA bits 0:31 that a data access in real addressing mode (MSR[DR] = 0)
 * keeps: real addressing ignores EA bits 0:3 (Power ISA v3.0B Book III 5.7.3
 * "Real Addressing Mode"; in hypervisor real mode an EA with bit 0 = 0 is
 * further offset by HRMOR, 5.7.3.1, which hyplay keeps at its reset value 0
 * and does not apply). QEMU does the same: `raddr = eaddr &
 * 0x0FFFFFFFFFFFFFFF` in `ppc_hash64_xlate` and `ppc_radix64_xlate`
 * (target/ppc/mmu-hash64.c, mmu-radix64.c), adding HRMOR only when EA bit 0
 * is clear; as an sPAPR guest under a virtual hypervisor it adds nothing.
 * (The ISA's own text was not at hand when this was written: the section
 * numbers are recalled, not checked against the document; the rule is
 * checked against QEMU's code named here.) Non-hypervisor real mode
 * (MSR[HV] = 0) goes through the RMOR or the VRMA on hardware; hyplay,
 * like QEMU's virtual-hypervisor case, ignores bits 0:3 there too.
 * So 0xc000_0000_0000_1234, Linux's linear-map address of physical 0x1234,
 * reaches 0x1234. With MSR[DR] = 1 the EA is taken whole (hyplay models no
 * translation), and nothing is mapped at 2^60 and up.
 */
export const REAL_HIGH_MASK = 0x0fff_ffff;

/**
 * EA = (RA|0) + offset (Book I 1.10.3), its halves in {@link eaHi} and
 * {@link eaLo}; returns the address the access is made at, as a number: in
 * real mode (MSR[DR] = 0) without EA bits 0:3 ({@link REAL_HIGH_MASK}). In
 * 32-bit mode the high word is 0. Above 2^53 the number is not exact, but
 * no memory is mapped there, so the access faults either way.
 */
export function effectiveAddress(s: Ppc64State, base: number, offsetHi: number, offsetLo: number): number {
  let hi = offsetHi;
  let lo = offsetLo;
  if (base >= 0) {
    const g = s.gpr;
    const low = (g[base + 1]! >>> 0) + (offsetLo >>> 0);
    lo = low | 0;
    hi = (g[base]! + offsetHi + (low > 0xffff_ffff ? 1 : 0)) | 0;
  }
  if (s.sf === 0) hi = 0;
  eaHi = hi;
  eaLo = lo;
  const h = (s.msrLo & MSR_DR) === 0 ? hi & REAL_HIGH_MASK : hi;
  eaNumber = h === 0 ? lo >>> 0 : (h >>> 0) * TWO_32 + (lo >>> 0);
  return eaNumber;
}

/** What the last {@link effectiveAddress} returned (for {@link dataFault}). */
let eaNumber = 0;

/** MSR[DR] in the MSR's low word (a plain constant for the hot path; `Msr.DR` in registers.ts). */
const MSR_DR = 0x10;

/** MSR[IR] in the MSR's low word (`Msr.IR` in registers.ts). */
const MSR_IR = 0x20;

/**
 * Whether the NIA can be fetched as it is held: with MSR[IR] = 1 hyplay
 * translates nothing and takes the EA whole, so an NIA whose EA bits 0:3 are
 * not bit 4's sign extension (`pcTop` ≠ 0, e.g. a 0xc000… kernel address) is
 * at 2^60 or up, where nothing is mapped; in real mode (MSR[IR] = 0) those
 * bits are ignored (Book III 5.7.3, see {@link REAL_HIGH_MASK}) and `pc` is
 * the real address.
 */
export function fetchable(s: Ppc64State): boolean {
  return s.pcTop === 0 || (s.msrLo & MSR_IR) === 0;
}

/**
 * The instruction storage interrupt of fetching at the NIA when it is not
 * {@link fetchable}: the trap's address is the PC number, in the PC's EA bits
 * 0:3 (`pcTop`), which the exception model puts back together for SRR0.
 * Built when it happens (rare).
 */
export function unfetchable(s: Ppc64State): FetchFaultTrap {
  return { kind: 'trap', cause: 'fetch-fault', address: s.pc, next: s.pc + 4 };
}

/** A doubleword as an address number (exact below 2^53). */
export function addressOf(hi: number, lo: number): number {
  return hi === 0 ? lo >>> 0 : (hi >>> 0) * TWO_32 + (lo >>> 0);
}

/**
 * A relative or absolute branch target computed as a number in the PC's
 * form (`setPc` in registers.ts): wrapped to 32 bits in 32-bit mode, and in
 * 64-bit mode already the signed representation, which a negative target
 * is (NIA, Book I 2.4 and 1.10.3).
 */
export function wrapTarget(s: Ppc64State, target: number): number {
  return s.sf === 0 ? target >>> 0 : target;
}

/** Byte-swap a word. */
export function swap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** Byte-swap a halfword. */
export function swap16(v: number): number {
  return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
}

// ---------------------------------------------------------------- guards and traps

/** "…is privileged": the instruction may not run in problem state (Book III 2.2, MSR[PR] = 1). */
export function inProblemState(s: Ppc64State): boolean {
  return s.pr !== 0;
}

/** "…is hypervisor privileged": it may run only in hypervisor state (MSR[HV] = 1, MSR[PR] = 0). */
export function inHypervisorState(s: Ppc64State): boolean {
  return s.hv !== 0 && s.pr === 0;
}

/** An illegal-instruction trap for this op. */
export function illegalInstruction(op: Op, reason: string): UndefinedTrap {
  return { kind: 'trap', cause: 'undefined', address: op.address, next: op.next, reason };
}

/** A privileged-instruction trap for this op. */
export function privilegedInstruction(op: Op, reason: string): PrivilegedTrap {
  return { kind: 'trap', cause: 'privileged', address: op.address, next: op.next, reason };
}

/** Privileged-instruction traps built at predecode, by op: a trapping op returns the same value every time. */
const privilegedTraps = new WeakMap<Op, PrivilegedTrap>();
/** The second kind an SPR move may raise: a hypervisor SPR outside hypervisor state. */
const hypervisorTraps = new WeakMap<Op, PrivilegedTrap>();

/** At predecode: build the privileged-instruction trap this op raises in problem state (or, with `hypervisor`, outside hypervisor state). */
export function preparePrivileged(op: Op, reason: string, hypervisor = false): void {
  (hypervisor ? hypervisorTraps : privilegedTraps).set(op, privilegedInstruction(op, reason));
}

/** The op's privileged-instruction trap, built by {@link preparePrivileged}: no allocation when it traps. */
export function privilegedTrap(op: Op, hypervisor = false): PrivilegedTrap {
  return (hypervisor ? hypervisorTraps : privilegedTraps).get(op) ?? privilegedInstruction(op, `${op.name.toLowerCase()} is privileged`);
}

/** The full EAs (high word, low word) of data faults, by trap. */
const faultEas = new WeakMap<DataFaultTrap, Halves>();

/**
 * A data-storage trap (built only when an access faults) at the address
 * number the access was made at. When that is the last
 * {@link effectiveAddress}'s, its full 64-bit EA is kept for DAR
 * ({@link dataFaultEa}): the number lacks EA bits 0:3 in real mode, and is
 * inexact from 2^53 up.
 */
export function dataFault(op: Op, faultAddress: number, write: boolean, size: number): DataFaultTrap {
  const trap: DataFaultTrap = { kind: 'trap', cause: 'data-fault', address: op.address, next: op.next, faultAddress, write, size };
  if (faultAddress === eaNumber) faultEas.set(trap, { hi: eaHi, lo: eaLo });
  return trap;
}

/** The full EA of a data fault where {@link dataFault} kept it; `undefined` otherwise. */
export function dataFaultEa(trap: DataFaultTrap): Halves | undefined {
  return faultEas.get(trap);
}

/** Two's-complement sign extension of the low `bits` bits. */
export function signExtend(value: number, bits: number): number {
  const shift = 32 - bits;
  return (value << shift) >> shift;
}

/**
 * The 64-bit mask MASK(mb, me) (Book I 3.3.14: ones from bit mb through bit
 * me, wrapping when mb > me), as int32 halves.
 */
export function mask64(mb: number, me: number): Halves {
  let hi = 0;
  let lo = 0;
  const set = (bit: number): void => {
    if (bit < 32) hi |= 1 << (31 - bit);
    else lo |= 1 << (63 - bit);
  };
  if (mb <= me) for (let b = mb; b <= me; b++) set(b);
  else {
    for (let b = mb; b <= 63; b++) set(b);
    for (let b = 0; b <= me; b++) set(b);
  }
  return { hi: hi | 0, lo: lo | 0 };
}
