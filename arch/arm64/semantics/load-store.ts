/**
 * Loads and stores (C4.1.4): every size, signed and unsigned, with unsigned
 * and unscaled offsets, pre- and post-index, unprivileged, register offset
 * and literal forms; LDP/STP/LDNP/STNP/LDPSW; the exclusives (LDXR, STXR,
 * and their pair and acquire/release forms) and LDAR/STLR; PRFM.
 *
 * Addresses are the signed representation (`tlb.ts`). With the MMU off,
 * memory is the flat physical space: an access to nothing mapped is a
 * synchronous external abort, one outside the 48-bit physical address size
 * an address size fault. An op predecoded while stage 1 or stage 2
 * translates (`op.flags` TRANSLATED) carries the translating view as its
 * memory (`translated-memory.ts`): its addresses are virtual, and the
 * view's TLB notes the fault (and its stage) for the exception model.
 * Alignment: exclusives and acquire/release accesses must be aligned to
 * their size (B2.5.2); other accesses only when SCTLR_ELx.A is set.
 *
 * The instruction syndrome: a fault of a row whose prepare sets
 * SYNDROME_VALID carries the register it transfers (`DataFaultTrap.transfer`),
 * which the exception model reports in ESR_EL2 (ISV, SAS, SSE, SRT, SF, AR)
 * for a stage-2 abort. Those rows are the ARM ARM's (D13.2.37, ISS encoding
 * for a Data Abort, ISV: "loads and stores of a single general-purpose
 * register (including the register specified with 0b11111, including those
 * with Acquire/Release semantics, but excluding Load Exclusive or Store
 * Exclusive and excluding those with writeback)"; abi-facts §12.4 has what
 * QEMU and KVM users observed): LDR/STR and every size and sign of it with
 * an unsigned, unscaled or register offset, the unprivileged LDTR/STTR
 * forms, LDR (literal) and LDAR/STLR. Not the pre- and post-index forms,
 * LDP/STP/LDNP/STNP/LDPSW, or the exclusives (LDXR, STXR, their pair and
 * acquire/release forms). The manual's wording (as quoted above) does not
 * name LDR (literal); it is a single-register load without writeback, so it
 * is given a syndrome here. No SIMD&FP loads or stores are modelled.
 *
 * @module
 */

import { RETIRED, type DataFaultTrap, type DataTransfer, type StepResult } from '../../../src/interp/step-result.ts';
import type { GuestMemory } from '../../../src/memory/guest-memory.ts';
import { PA_LIMIT } from '../exceptions.ts';
import { Arm64TranslatedMemory } from '../translated-memory.ts';
import { DISCARD_SLOT, Sys, type Arm64State } from '../registers.ts';
import { destZr, extend64, pairNumber, R, sourceSp, sourceZr, SYNDROME_VALID, TRANSLATED, type A64Handler, type Op, type Prepare } from './common.ts';

/** `op.variant` bits: log2 of the access size in bits 1:0; then what to do with it. */
export const SIZE_MASK = 3;
/** A store. */
export const STORE = 4;
/** Sign-extend the loaded value. */
export const SIGNED = 8;
/** The destination is an X register (a sign-extending load to 64 bits). */
export const TO_X = 16;
/** An exclusive or acquire/release access: always aligned (B2.5.2). */
export const ORDERED = 32;

/** Addressing (`op.cond`): offset, pre-index (write back, then use), post-index (use, then write back); this is plain offset. */
export const OFFSET = 0;
/** Pre-index addressing. */
export const PRE = 1;
/** Post-index addressing. */
export const POST = 2;

/** Whether an access of `bytes` at `address` is outside the physical address space for an untranslated op. */
function outside(op: Op, address: number, bytes: number): boolean {
  return (op.flags & TRANSLATED) === 0 && (address < 0 || address + bytes > PA_LIMIT);
}

function fault(op: Op, address: number, write: boolean, size: number, alignment = false): DataFaultTrap {
  const transfer = (op.flags & SYNDROME_VALID) !== 0 ? transferOf(op) : undefined;
  return { kind: 'trap', cause: 'data-fault', address: op.address, next: op.next, faultAddress: address, write, size, ...(alignment ? { fault: 'alignment' as const } : {}), ...(transfer === undefined ? {} : { transfer }) };
}

/**
 * What a single-register op (SYNDROME_VALID) transfers, from its decoded
 * operands: Rt (the register words op.dest; 31, XZR/WZR, is the discard
 * slot of a load and the zero register of a store), sign extension
 * (SIGNED), a 64-bit register (an X register: 8 bytes, or a sign-extending
 * load to X), acquire/release (ORDERED, which only LDAR/STLR among these
 * rows have).
 */
function transferOf(op: Op): DataTransfer {
  const variant = op.variant;
  const slot = op.dest >> 1;
  return {
    register: slot === DISCARD_SLOT ? 31 : slot,
    signExtend: (variant & SIGNED) !== 0,
    wide: (variant & SIZE_MASK) === 3 || (variant & (SIGNED | TO_X)) === (SIGNED | TO_X),
    acquireRelease: (variant & ORDERED) !== 0,
  };
}

/** SCTLR_ELx.A (bit 1) of the current regime: alignment checking for every access. */
function alignmentChecked(s: Arm64State): boolean {
  return (s.sys[2 * (s.el === 2 ? Sys.sctlrEl2 : Sys.sctlrEl1)]! & 2) !== 0;
}

/**
 * Load `1 << size` bytes at `address` into register words `t` (zero- or
 * sign-extended as `variant` says), or the abort. Nothing is written on a
 * fault.
 */
function loadInto(s: Arm64State, memory: GuestMemory, op: Op, address: number, variant: number, t: number): StepResult | undefined {
  const size = variant & SIZE_MASK;
  const bytes = 1 << size;
  if (outside(op, address, bytes)) return fault(op, address, false, bytes);
  if ((address & (bytes - 1)) !== 0 && ((variant & ORDERED) !== 0 || alignmentChecked(s))) return fault(op, address, false, bytes, true);
  const x = s.x;
  if (size === 3) {
    const lo = memory.read32(address);
    const hi = lo === undefined ? undefined : memory.read32(address + 4);
    if (lo === undefined || hi === undefined) return fault(op, address, false, bytes);
    x[t] = lo;
    x[t + 1] = hi;
    return undefined;
  }
  const value = size === 2 ? memory.read32(address) : size === 1 ? memory.read16(address) : memory.read8(address);
  if (value === undefined) return fault(op, address, false, bytes);
  let lo = value | 0;
  if ((variant & SIGNED) !== 0) lo = size === 0 ? (lo << 24) >> 24 : size === 1 ? (lo << 16) >> 16 : lo;
  x[t] = lo;
  x[t + 1] = (variant & (SIGNED | TO_X)) === (SIGNED | TO_X) ? lo >> 31 : 0;
  return undefined;
}

/** Store `1 << size` bytes of register words `t` at `address`, or the abort (nothing written on a fault). */
function storeFrom(s: Arm64State, memory: GuestMemory, op: Op, address: number, variant: number, t: number): StepResult | undefined {
  const size = variant & SIZE_MASK;
  const bytes = 1 << size;
  if (outside(op, address, bytes)) return fault(op, address, true, bytes);
  if ((address & (bytes - 1)) !== 0 && ((variant & ORDERED) !== 0 || alignmentChecked(s))) return fault(op, address, true, bytes, true);
  const x = s.x;
  let ok: boolean;
  if (size === 3) {
    // Two word writes when both are on one page (the first cannot succeed alone); across a page, one 64-bit write that faults as a whole.
    if ((address & 0xfff) <= 0xff8) ok = memory.write32(address, x[t]!) && memory.write32(address + 4, x[t + 1]!);
    else ok = memory.write64(address, (BigInt(x[t + 1]! >>> 0) << 32n) | BigInt(x[t]! >>> 0));
  } else if (size === 2) ok = memory.write32(address, x[t]!);
  else if (size === 1) ok = memory.write16(address, x[t]! & 0xffff);
  else ok = memory.write8(address, x[t]! & 0xff);
  return ok ? undefined : fault(op, address, true, bytes);
}

/**
 * A 64-bit base (words `w`, `w + 1` of `x`) plus a 64-bit offset (its low and
 * high words), wrapped to 64 bits as the architecture adds addresses
 * (C6.2 "Address calculation": the sum is taken modulo 2^64), as an address
 * in the signed representation (`tlb.ts`): exact within ±2^53, and any sum
 * outside it is neither a physical address nor a canonical virtual one.
 */
function wrappedSum(x: Int32Array, w: number, lo: number, hi: number): number {
  const low = (x[w]! >>> 0) + (lo >>> 0);
  const carry = low >= 0x1_0000_0000 ? 1 : 0;
  return ((x[w + 1]! + hi + carry) | 0) * 0x1_0000_0000 + (low >>> 0);
}

/** The base plus the op's offset (a small signed immediate), wrapped to 64 bits. */
function basePlusImmediate(x: Int32Array, op: Op): number {
  return wrappedSum(x, op.src1, op.imm | 0, op.imm < 0 ? -1 : 0);
}

/** The access address of the immediate forms: the base for post-index, else the base plus the offset. */
function accessAddress(s: Arm64State, op: Op): number {
  return op.cond === POST ? pairNumber(s.x, op.src1) : basePlusImmediate(s.x, op);
}

/** Pre- and post-index write-back: the base plus the offset, wrapped to 64 bits. */
function writeBack(s: Arm64State, op: Op): void {
  if (op.cond === OFFSET) return;
  const x = s.x;
  const w = op.src1;
  const low = (x[w]! >>> 0) + ((op.imm | 0) >>> 0);
  const carry = low >= 0x1_0000_0000 ? 1 : 0;
  x[w + 1] = (x[w + 1]! + (op.imm < 0 ? -1 : 0) + carry) | 0;
  x[w] = low | 0;
}

/** LDR/STR (immediate) in all its forms: base op.src1, offset op.imm, addressing op.cond, register words op.dest. */
export const loadStoreImmediate: A64Handler = (s, op) => {
  const address = accessAddress(s, op);
  const result = (op.variant & STORE) !== 0 ? storeFrom(s, op.memory, op, address, op.variant, op.dest) : loadInto(s, op.memory, op, address, op.variant, op.dest);
  if (result !== undefined) return result;
  writeBack(s, op);
  return RETIRED;
};

/**
 * LDTR/STTR and their sizes (C6.2.150–C6.2.157, C6.2.306–C6.2.308) under
 * translation: at EL1 the access is made, and permission-checked, as an EL0
 * access (AArch64.CheckPermission with the unprivileged flag: AP[1] must
 * allow EL0, so a page EL1 may read and EL0 may not is a permission fault);
 * the fault is the one that EL0 lookup noted in the TLB, reported as a data
 * abort from the current EL. At EL0 it is the plain access; at EL2 it would
 * be EL2's, but the EL2 regime does not translate here.
 */
const unprivilegedImmediate: A64Handler = (s, op) => {
  if (s.el !== 1) return loadStoreImmediate(s, op);
  const view = op.memory as Arm64TranslatedMemory;
  view.unprivileged = true;
  try {
    return loadStoreImmediate(s, op);
  } finally {
    view.unprivileged = false;
  }
};

/** LDR/STR (register offset): Rm extended by op.imm2 (option) and shifted by op.imm. */
export const loadStoreRegister: A64Handler = (s, op) => {
  const x = s.x;
  extend64(x[op.src2]!, x[op.src2 + 1]!, op.imm2, op.imm);
  const address = wrappedSum(x, op.src1, R.lo, R.hi);
  const result = (op.variant & STORE) !== 0 ? storeFrom(s, op.memory, op, address, op.variant, op.dest) : loadInto(s, op.memory, op, address, op.variant, op.dest);
  return result ?? RETIRED;
};

/** LDR (literal): the address is op.imm (the instruction's address plus the offset). */
export const loadLiteral: A64Handler = (s, op) => loadInto(s, op.memory, op, op.imm, op.variant, op.dest) ?? RETIRED;

/** LDP/STP: two accesses at address and address + size; registers op.dest and op.src2. A load writes nothing unless both loads succeed. */
export const loadStorePair: A64Handler = (s, op) => {
  const address = accessAddress(s, op);
  const bytes = 1 << (op.variant & SIZE_MASK);
  if ((op.variant & STORE) !== 0) {
    // Check the second access first so that a fault leaves memory unchanged when the first would succeed.
    const probe = op.memory.readBytes(address, 2 * bytes);
    if (probe === undefined || outside(op, address, 2 * bytes)) {
      const first = op.memory.readBytes(address, bytes) === undefined;
      return fault(op, first ? address : address + bytes, true, bytes);
    }
    const a = storeFrom(s, op.memory, op, address, op.variant, op.dest);
    if (a !== undefined) return a;
    const b = storeFrom(s, op.memory, op, address + bytes, op.variant, op.src2);
    if (b !== undefined) return b;
  } else {
    const x = s.x;
    // Load into the zero register's discard slot first: Rt and Rt2 change only when both loads succeed.
    const first = loadInto(s, op.memory, op, address, op.variant, DISCARD);
    if (first !== undefined) return first;
    const lo = x[DISCARD]!;
    const hi = x[DISCARD + 1]!;
    const second = loadInto(s, op.memory, op, address + bytes, op.variant, op.src2);
    if (second !== undefined) return second;
    x[op.dest] = lo;
    x[op.dest + 1] = hi;
  }
  writeBack(s, op);
  return RETIRED;
};

/** Word index of the discard slot (register 31 as a destination). */
const DISCARD = destZr(31);

/** LDXR/LDAXR (and LDXP): load and mark the address in the local monitor. */
export const loadExclusive: A64Handler = (s, op) => {
  const address = pairNumber(s.x, op.src1);
  const bytes = 1 << (op.variant & SIZE_MASK);
  if (op.src2 >= 0) {
    // LDXP: both halves, aligned to the pair's size.
    if ((address & (2 * bytes - 1)) !== 0) return fault(op, address, false, 2 * bytes, true);
    const first = loadInto(s, op.memory, op, address, op.variant, DISCARD);
    if (first !== undefined) return first;
    const lo = s.x[DISCARD]!;
    const hi = s.x[DISCARD + 1]!;
    const second = loadInto(s, op.memory, op, address + bytes, op.variant, op.src2);
    if (second !== undefined) return second;
    s.x[op.dest] = lo;
    s.x[op.dest + 1] = hi;
  } else {
    const result = loadInto(s, op.memory, op, address, op.variant, op.dest);
    if (result !== undefined) return result;
  }
  s.monitor = address;
  s.monitorBytes = op.src2 >= 0 ? 2 * bytes : bytes;
  return RETIRED;
};

/** STXR/STLXR (and STXP): store only if the local monitor holds the address, marked by a load of the same size; Ws gets 0 on success, 1 on failure; the monitor opens either way. */
export const storeExclusive: A64Handler = (s, op) => {
  const address = pairNumber(s.x, op.src1);
  const bytes = 1 << (op.variant & SIZE_MASK);
  const span = op.src2 >= 0 ? 2 * bytes : bytes;
  if ((address & (span - 1)) !== 0) return fault(op, address, true, span, true);
  const status = op.src3;
  if (s.monitor !== address || s.monitorBytes !== span) {
    s.x[status] = 1;
    s.x[status + 1] = 0;
    s.monitor = -1;
    return RETIRED;
  }
  if (op.src2 >= 0 && op.memory.readBytes(address, span) === undefined) return fault(op, address, true, span);
  const a = storeFrom(s, op.memory, op, address, op.variant, op.dest);
  if (a !== undefined) return a;
  if (op.src2 >= 0) {
    const b = storeFrom(s, op.memory, op, address + bytes, op.variant, op.src2);
    if (b !== undefined) return b;
  }
  s.x[status] = 0;
  s.x[status + 1] = 0;
  s.monitor = -1;
  return RETIRED;
};

/** PRFM: a hint; it never faults. */
export const prefetch: A64Handler = () => RETIRED;

function variantOf(size: number, opc: number): number {
  if (opc === 0) return size | STORE;
  if (opc === 1) return size;
  return size | SIGNED | (opc === 2 ? 16 : 0);
}

function prepareImmediate(size: number, opc: number, mode: 'uoff' | 'unscaled' | 'post' | 'pre' | 'unpriv'): Prepare {
  return (op, f) => {
    op.variant = variantOf(size, opc);
    op.dest = (op.variant & STORE) !== 0 ? sourceZr(f.rt!) : destZr(f.rt!);
    op.src1 = sourceSp(f.rn!);
    if (mode === 'uoff') {
      op.imm = f.imm12! << size;
      op.cond = OFFSET;
    } else {
      op.imm = (f.imm9! << 23) >> 23;
      op.cond = mode === 'pre' ? PRE : mode === 'post' ? POST : OFFSET;
    }
    // Without writeback, a single register: a stage-2 abort has a valid syndrome (see the module comment).
    if (mode !== 'pre' && mode !== 'post') op.flags |= SYNDROME_VALID;
    // LDTR/STTR at EL1 access memory as EL0 would. Without translation (the physical view) nothing checks a privilege, so the
    // access is LDR's/STR's (and the JIT's); predecoded under translation, the op carries the translating view.
    if (mode === 'unpriv' && op.memory instanceof Arm64TranslatedMemory) return unprivilegedImmediate;
    return loadStoreImmediate;
  };
}

function prepareRegister(size: number, opc: number): Prepare {
  return (op, f) => {
    op.variant = variantOf(size, opc);
    op.dest = (op.variant & STORE) !== 0 ? sourceZr(f.rt!) : destZr(f.rt!);
    op.src1 = sourceSp(f.rn!);
    op.src2 = sourceZr(f.rm!);
    op.imm2 = f.option!;
    op.imm = f.s === 1 ? size : 0;
    op.flags |= SYNDROME_VALID;
    return loadStoreRegister;
  };
}

function prepareLiteral(variant: number): Prepare {
  return (op, f) => {
    op.variant = variant;
    op.dest = destZr(f.rt!);
    op.imm = op.address + ((f.imm19! << 13) >> 13) * 4;
    op.flags |= SYNDROME_VALID;
    return loadLiteral;
  };
}

function preparePair(size: number, store: boolean, signed: boolean, mode: number): Prepare {
  return (op, f) => {
    op.variant = size | (store ? STORE : 0) | (signed ? SIGNED | TO_X : 0);
    op.dest = store ? sourceZr(f.rt!) : destZr(f.rt!);
    op.src2 = store ? sourceZr(f.rt2!) : destZr(f.rt2!);
    op.src1 = sourceSp(f.rn!);
    op.imm = ((f.imm7! << 25) >> 25) << size;
    op.cond = mode;
    return loadStorePair;
  };
}

function prepareExclusive(size: number, kind: 'load' | 'store' | 'load-pair' | 'store-pair' | 'acquire' | 'release'): Prepare {
  return (op, f) => {
    op.src1 = sourceSp(f.rn!);
    op.src2 = -1;
    switch (kind) {
      case 'load':
      case 'load-pair':
        op.variant = size | ORDERED;
        op.dest = destZr(f.rt!);
        if (kind === 'load-pair') op.src2 = destZr(f.rt2!);
        return loadExclusive;
      case 'store':
      case 'store-pair':
        op.variant = size | STORE | ORDERED;
        op.dest = sourceZr(f.rt!);
        op.src3 = destZr(f.rs!);
        if (kind === 'store-pair') op.src2 = sourceZr(f.rt2!);
        return storeExclusive;
      case 'acquire':
        op.variant = size | ORDERED;
        op.dest = destZr(f.rt!);
        op.imm = 0;
        op.cond = OFFSET;
        op.flags |= SYNDROME_VALID;
        return loadStoreImmediate;
      default:
        op.variant = size | STORE | ORDERED;
        op.dest = sourceZr(f.rt!);
        op.imm = 0;
        op.cond = OFFSET;
        op.flags |= SYNDROME_VALID;
        return loadStoreImmediate;
    }
  };
}

const CLASSES: readonly (readonly [string, number, number])[] = [
  ['STRB', 0, 0],
  ['LDRB', 0, 1],
  ['LDRSB_X', 0, 2],
  ['LDRSB_W', 0, 3],
  ['STRH', 1, 0],
  ['LDRH', 1, 1],
  ['LDRSH_X', 1, 2],
  ['LDRSH_W', 1, 3],
  ['STR_W', 2, 0],
  ['LDR_W', 2, 1],
  ['LDRSW', 2, 2],
  ['STR_X', 3, 0],
  ['LDR_X', 3, 1],
];

function semantics(): Record<string, Prepare> {
  const out: Record<string, Prepare> = {};
  for (const [id, size, opc] of CLASSES) {
    out[`${id}_UOFF`] = prepareImmediate(size, opc, 'uoff');
    out[`${id}_UNSCALED`] = prepareImmediate(size, opc, 'unscaled');
    out[`${id}_POST`] = prepareImmediate(size, opc, 'post');
    out[`${id}_PRE`] = prepareImmediate(size, opc, 'pre');
    out[`${id}_UNPRIV`] = prepareImmediate(size, opc, 'unpriv');
    out[`${id}_REG`] = prepareRegister(size, opc);
  }
  out.PRFM_UOFF = () => prefetch;
  out.PRFM_UNSCALED = () => prefetch;
  out.PRFM_REG = () => prefetch;
  out.PRFM_LIT = () => prefetch;
  out.LDR_W_LIT = prepareLiteral(2);
  out.LDR_X_LIT = prepareLiteral(3);
  out.LDRSW_LIT = prepareLiteral(2 | SIGNED | TO_X);
  for (const [id, size, store, signed] of [
    ['STP_W', 2, true, false],
    ['LDP_W', 2, false, false],
    ['LDPSW', 2, false, true],
    ['STP_X', 3, true, false],
    ['LDP_X', 3, false, false],
  ] as const) {
    if (id !== 'LDPSW') out[id.replace('P_', 'NP_')] = preparePair(size, store, signed, OFFSET);
    out[`${id}_POST`] = preparePair(size, store, signed, POST);
    out[`${id}_OFF`] = preparePair(size, store, signed, OFFSET);
    out[`${id}_PRE`] = preparePair(size, store, signed, PRE);
  }
  for (const size of [0, 1, 2, 3]) {
    out[`STXR_${size}`] = prepareExclusive(size, 'store');
    out[`STLXR_${size}`] = prepareExclusive(size, 'store');
    out[`LDXR_${size}`] = prepareExclusive(size, 'load');
    out[`LDAXR_${size}`] = prepareExclusive(size, 'load');
    out[`STLR_${size}`] = prepareExclusive(size, 'release');
    out[`LDAR_${size}`] = prepareExclusive(size, 'acquire');
  }
  for (const size of [2, 3]) {
    out[`STXP_${size}`] = prepareExclusive(size, 'store-pair');
    out[`STLXP_${size}`] = prepareExclusive(size, 'store-pair');
    out[`LDXP_${size}`] = prepareExclusive(size, 'load-pair');
    out[`LDAXP_${size}`] = prepareExclusive(size, 'load-pair');
  }
  return out;
}

/** Handlers of this family by table row name. */
export const LOAD_STORE_SEMANTICS: Readonly<Record<string, Prepare>> = semantics();
