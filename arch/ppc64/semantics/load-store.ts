/**
 * Fixed-point loads and stores (Power ISA v3.0B Book I 3.3.2, 3.3.3): byte,
 * halfword (zero and algebraic), word (zero and algebraic) and doubleword,
 * in D-, DS- and X-form, with and without update; the byte-reversed forms
 * (Book I 3.3.6); load and reserve and store conditional (Book II 4.4.2).
 *
 * Accesses follow MSR[LE]: guest memory has one byte order, and when MSR[LE]
 * disagrees with it every access is byte-swapped. An access to unmapped
 * memory returns a data-fault trap (a DSI) and changes no register. The
 * update forms with RA = 0, and the update loads with RA = RT, are invalid
 * forms (Book I 3.3.2): illegal instructions here, as in QEMU.
 *
 * Slots: dest = RT / RS index, src1 = RA index (-1 for `(RA|0)` with RA = 0),
 * src2 = RB index, imm = the displacement, src3 = the access size in bytes,
 * variant = {@link SIGNED} | {@link UPDATE} | {@link INDEXED}.
 *
 * @module
 */

import { hexAddress, RETIRED, type ExceptionTrap, type StepResult } from '../../../src/interp/step-result.ts';
import type { FieldValues } from '../../../src/isa/instruction-table.ts';
import { PAGE_MAPPED } from '../../../src/memory/guest-memory.ts';
import type { Ppc64Memory } from '../core.ts';
import type { Ppc64State } from '../registers.ts';
import { baseIndex, CR_EQ, dataFault, eaHi, eaLo, effectiveAddress, gprIndex, illegalInstruction, signExtend, swap16, swap32, type Op, type PpcHandler, type Prepare } from './common.ts';
import { raiseFixed } from './system.ts';

/** `op.variant` bit: sign-extend the loaded value (lha, lwa). */
export const SIGNED = 1;
/** `op.variant` bit: write the EA back to RA. */
export const UPDATE = 2;
/** `op.variant` bit: the offset is RB (X-form), not the displacement. */
export const INDEXED = 4;
/** `op.variant` bit: byte-reversed (lhbrx, lwbrx, ldbrx and their stores): the bytes go the other way from MSR[LE]'s order. */
export const REVERSED = 8;

/** The op's EA as a number; its halves are in `eaHi`/`eaLo`. */
function address(s: Ppc64State, op: Op): number {
  if ((op.variant & INDEXED) !== 0) return effectiveAddress(s, op.src1, s.gpr[op.src2]!, s.gpr[op.src2 + 1]!);
  return effectiveAddress(s, op.src1, op.imm >> 31, op.imm);
}

/** True when this host stores typed-array words little-endian: the flat window's `words` then hold little-endian guest words. */
const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Every load (size in `src3`, kind in `variant`). An aligned access to a
 * mapped page of the memory's flat window reads the window directly: the
 * access's byte order is MSR[LE]'s whatever the memory's (a swapped access
 * of the other order is the same bytes read the other way).
 */
export const load: PpcHandler = (s, op) => {
  const ea = address(s, op);
  const w = (op.memory as Ppc64Memory).flat;
  const o = ea - w.base;
  const size = op.src3;
  if (o >= 0 && o < w.size && (o & (size - 1)) === 0 && w.pages[o >>> 12] !== 0 && HOST_LITTLE) {
    let hi = 0;
    let lo: number;
    if (size === 1) lo = w.bytes[o]!;
    else if (size === 4) {
      const raw = w.words[o >>> 2]!;
      lo = s.le !== 0 ? raw : swap32(raw);
      if ((op.variant & SIGNED) !== 0) hi = lo >> 31;
    } else if (size === 2) {
      const b = w.bytes;
      const v = s.le !== 0 ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
      lo = (op.variant & SIGNED) !== 0 ? (v << 16) >> 16 : v;
      hi = lo >> 31;
    } else {
      const words = w.words;
      const w0 = words[o >>> 2]!;
      const w1 = words[(o >>> 2) + 1]!;
      if (s.le !== 0) {
        hi = w1;
        lo = w0;
      } else {
        hi = swap32(w0);
        lo = swap32(w1);
      }
    }
    const g = s.gpr;
    if ((op.variant & UPDATE) !== 0) {
      g[op.src1] = eaHi;
      g[op.src1 + 1] = eaLo;
    }
    g[op.dest] = hi;
    g[op.dest + 1] = lo;
    return RETIRED;
  }
  return loadThroughMemory(s, op, ea);
};

/** A load outside the window's fast path: through the memory's accessors (faults, page crossings, unaligned). */
function loadThroughMemory(s: Ppc64State, op: Op, ea: number): StepResult {
  const m = op.memory;
  const signed = (op.variant & SIGNED) !== 0;
  // A byte-reversed access swaps exactly when an ordinary one does not.
  const swap = (op.variant & REVERSED) !== 0 ? s.swap ^ 1 : s.swap;
  let hi = 0;
  let lo: number;
  switch (op.src3) {
    case 1: {
      const v = m.read8(ea);
      if (v === undefined) return dataFault(op, ea, false, 1);
      lo = v;
      break;
    }
    case 2: {
      let v = m.read16(ea);
      if (v === undefined) return dataFault(op, ea, false, 2);
      if (swap !== 0) v = swap16(v);
      lo = signed ? (v << 16) >> 16 : v;
      hi = lo >> 31;
      break;
    }
    case 4: {
      let v = m.read32(ea);
      if (v === undefined) return dataFault(op, ea, false, 4);
      if (swap !== 0) v = swap32(v);
      lo = v | 0;
      hi = signed ? lo >> 31 : 0;
      break;
    }
    default: {
      let w0 = m.read32(ea);
      let w1 = m.read32(ea + 4);
      if (w0 === undefined || w1 === undefined) return dataFault(op, ea, false, 8);
      if (swap !== 0) {
        w0 = swap32(w0);
        w1 = swap32(w1);
      }
      const big = (s.bigMemory ^ swap) !== 0;
      hi = (big ? w0 : w1) | 0;
      lo = (big ? w1 : w0) | 0;
    }
  }
  const g = s.gpr;
  if ((op.variant & UPDATE) !== 0) {
    g[op.src1] = eaHi;
    g[op.src1 + 1] = eaLo;
  }
  g[op.dest] = hi;
  g[op.dest + 1] = lo;
  return RETIRED;
}

/**
 * Every store (size in `src3`). An aligned store to a page of the flat
 * window that holds no code writes the window directly (a code page's
 * stores go through the memory, which tells the predecoder).
 */
export const store: PpcHandler = (s, op) => {
  const ea = address(s, op);
  const w = (op.memory as Ppc64Memory).flat;
  const o = ea - w.base;
  const size = op.src3;
  if (o >= 0 && o < w.size && (o & (size - 1)) === 0 && w.pages[o >>> 12] === PAGE_MAPPED && HOST_LITTLE) {
    const g = s.gpr;
    const lo = g[op.dest + 1]!;
    if (size === 1) w.bytes[o] = lo;
    else if (size === 4) w.words[o >>> 2] = s.le !== 0 ? lo : swap32(lo);
    else if (size === 2) {
      const b = w.bytes;
      if (s.le !== 0) {
        b[o] = lo;
        b[o + 1] = lo >>> 8;
      } else {
        b[o] = lo >>> 8;
        b[o + 1] = lo;
      }
    } else {
      const hi = g[op.dest]!;
      const words = w.words;
      if (s.le !== 0) {
        words[o >>> 2] = lo;
        words[(o >>> 2) + 1] = hi;
      } else {
        words[o >>> 2] = swap32(hi);
        words[(o >>> 2) + 1] = swap32(lo);
      }
    }
    if ((op.variant & UPDATE) !== 0) {
      g[op.src1] = eaHi;
      g[op.src1 + 1] = eaLo;
    }
    return RETIRED;
  }
  return storeThroughMemory(s, op, ea);
};

/** A store outside the window's fast path. */
function storeThroughMemory(s: Ppc64State, op: Op, ea: number): StepResult {
  const m = op.memory;
  const g = s.gpr;
  const lo = g[op.dest + 1]!;
  const swap = (op.variant & REVERSED) !== 0 ? s.swap ^ 1 : s.swap;
  let ok: boolean;
  switch (op.src3) {
    case 1:
      ok = m.write8(ea, lo & 0xff);
      break;
    case 2:
      ok = m.write16(ea, swap !== 0 ? swap16(lo & 0xffff) : lo & 0xffff);
      break;
    case 4:
      ok = m.write32(ea, swap !== 0 ? swap32(lo) : lo);
      break;
    default: {
      // Both words or neither: check the second page before writing the first word.
      if ((ea & 0xfff) > 0xff8 && !m.isMapped(ea + 7)) return dataFault(op, ea, true, 8);
      const hi = g[op.dest]!;
      const big = (s.bigMemory ^ swap) !== 0;
      let w0 = big ? hi : lo;
      let w1 = big ? lo : hi;
      if (swap !== 0) {
        w0 = swap32(w0);
        w1 = swap32(w1);
      }
      ok = m.write32(ea, w0) && m.write32(ea + 4, w1);
    }
  }
  if (!ok) return dataFault(op, ea, true, op.src3);
  if ((op.variant & UPDATE) !== 0) {
    g[op.src1] = eaHi;
    g[op.src1 + 1] = eaLo;
  }
  return RETIRED;
}

/** lhbrx, lwbrx, ldbrx (Book I 3.3.6): always through the memory's accessors, the bytes reversed. */
export const loadReversed: PpcHandler = (s, op) => loadThroughMemory(s, op, address(s, op));

/** sthbrx, stwbrx, stdbrx (Book I 3.3.6). */
export const storeReversed: PpcHandler = (s, op) => storeThroughMemory(s, op, address(s, op));

/**
 * The alignment interrupt (Book III 7.5.8) of a load and reserve or store
 * conditional whose EA is not a multiple of its size (Book II 4.4.2).
 * Built when it happens (rare).
 */
function misaligned(op: Op, ea: number): ExceptionTrap {
  return { kind: 'trap', cause: 'exception', vector: 0x600, errorCode: -1, address: op.address, next: op.next, reason: `${op.name.toLowerCase()} at unaligned ${hexAddress(ea)}` };
}

/**
 * lbarx, lharx, lwarx, ldarx (Book II 4.4.2): an ordinary load that also
 * sets this thread's reservation on the EA (the granule is the access
 * itself here: one thread, so only this thread's own stcx. can end it).
 */
export const loadAndReserve: PpcHandler = (s, op) => {
  const ea = address(s, op);
  if (ea % op.src3 !== 0) return misaligned(op, ea);
  const result = loadThroughMemory(s, op, ea);
  if (result === RETIRED) {
    s.reserveAddress = ea;
    s.reserveSize = op.src3;
  }
  return result;
};

/**
 * stbcx., sthcx., stwcx., stdcx. (Book II 4.4.2): the store is performed
 * only while a reservation is held for the same address and length (a
 * different address or length is "undefined whether the store is
 * performed": hyplay does not perform it, as QEMU does not); CR0 =
 * 0b00 || stored || XER[SO]. Every stcx. clears the reservation.
 */
export const storeConditional: PpcHandler = (s, op) => {
  const ea = address(s, op);
  if (ea % op.src3 !== 0) return misaligned(op, ea);
  const held = s.reserveAddress === ea && s.reserveSize === op.src3;
  if (held) {
    const result = storeThroughMemory(s, op, ea);
    if (result !== RETIRED) return result;
  }
  s.reserveAddress = -1;
  s.reserveSize = 0;
  s.cr = (s.cr & 0x0fff_ffff) | (((held ? CR_EQ : 0) | s.so) << 28);
  return RETIRED;
};

/** An X-form access of `size` bytes (RT or RS, RA|0 + RB) run by `load` or `store`, with `variant` beside INDEXED. */
function indexedForm(size: number, kind: 'load' | 'store', variant: number, load: PpcHandler, store: PpcHandler): Prepare {
  return (op, f: FieldValues) => {
    op.dest = gprIndex(kind === 'load' ? f.rt! : f.rs!);
    op.src1 = baseIndex(f.ra!);
    op.src2 = gprIndex(f.rb!);
    op.src3 = size;
    op.variant = INDEXED | variant;
    op.imm = 0;
    return kind === 'load' ? load : store;
  };
}

function reservation(size: number, kind: 'load' | 'store'): Prepare {
  return indexedForm(size, kind, 0, loadAndReserve, storeConditional);
}

function reversed(size: number, kind: 'load' | 'store'): Prepare {
  return indexedForm(size, kind, REVERSED, loadReversed, storeReversed);
}

/** How a row addresses memory. */
type Form = 'd' | 'ds' | 'x';

function access(size: number, kind: 'load' | 'store', form: Form, flags: number): Prepare {
  return (op, f: FieldValues) => {
    const register = kind === 'load' ? f.rt! : f.rs!;
    const ra = f.ra!;
    op.dest = gprIndex(register);
    op.src3 = size;
    op.variant = flags | (form === 'x' ? INDEXED : 0);
    op.src2 = gprIndex(f.rb ?? 0);
    op.imm = form === 'd' ? signExtend(f.d!, 16) : form === 'ds' ? signExtend(f.ds!, 14) * 4 : 0;
    if ((flags & UPDATE) !== 0) {
      op.src1 = gprIndex(ra);
      if (ra === 0 || (kind === 'load' && ra === register)) {
        op.fixed = illegalInstruction(op, `invalid form: ${op.name.toLowerCase()} with RA = ${ra === 0 ? '0' : 'RT'}`);
        return raiseFixed;
      }
    } else {
      op.src1 = baseIndex(ra);
    }
    return kind === 'load' ? load : store;
  };
}

/** Handlers of this family by table row name. */
export const LOAD_STORE_SEMANTICS: Readonly<Record<string, Prepare>> = {
  LBZ: access(1, 'load', 'd', 0),
  LBZU: access(1, 'load', 'd', UPDATE),
  LBZX: access(1, 'load', 'x', 0),
  LBZUX: access(1, 'load', 'x', UPDATE),
  LHZ: access(2, 'load', 'd', 0),
  LHZU: access(2, 'load', 'd', UPDATE),
  LHZX: access(2, 'load', 'x', 0),
  LHZUX: access(2, 'load', 'x', UPDATE),
  LHA: access(2, 'load', 'd', SIGNED),
  LHAU: access(2, 'load', 'd', SIGNED | UPDATE),
  LHAX: access(2, 'load', 'x', SIGNED),
  LHAUX: access(2, 'load', 'x', SIGNED | UPDATE),
  LWZ: access(4, 'load', 'd', 0),
  LWZU: access(4, 'load', 'd', UPDATE),
  LWZX: access(4, 'load', 'x', 0),
  LWZUX: access(4, 'load', 'x', UPDATE),
  LWA: access(4, 'load', 'ds', SIGNED),
  LWAX: access(4, 'load', 'x', SIGNED),
  LWAUX: access(4, 'load', 'x', SIGNED | UPDATE),
  LD: access(8, 'load', 'ds', 0),
  LDU: access(8, 'load', 'ds', UPDATE),
  LDX: access(8, 'load', 'x', 0),
  LDUX: access(8, 'load', 'x', UPDATE),
  STB: access(1, 'store', 'd', 0),
  STBU: access(1, 'store', 'd', UPDATE),
  STBX: access(1, 'store', 'x', 0),
  STBUX: access(1, 'store', 'x', UPDATE),
  STH: access(2, 'store', 'd', 0),
  STHU: access(2, 'store', 'd', UPDATE),
  STHX: access(2, 'store', 'x', 0),
  STHUX: access(2, 'store', 'x', UPDATE),
  STW: access(4, 'store', 'd', 0),
  STWU: access(4, 'store', 'd', UPDATE),
  STWX: access(4, 'store', 'x', 0),
  STWUX: access(4, 'store', 'x', UPDATE),
  STD: access(8, 'store', 'ds', 0),
  STDU: access(8, 'store', 'ds', UPDATE),
  STDX: access(8, 'store', 'x', 0),
  STDUX: access(8, 'store', 'x', UPDATE),
  LHBRX: reversed(2, 'load'),
  LWBRX: reversed(4, 'load'),
  LDBRX: reversed(8, 'load'),
  STHBRX: reversed(2, 'store'),
  STWBRX: reversed(4, 'store'),
  STDBRX: reversed(8, 'store'),
  LBARX: reservation(1, 'load'),
  LHARX: reservation(2, 'load'),
  LWARX: reservation(4, 'load'),
  LDARX: reservation(8, 'load'),
  STBCX_rec: reservation(1, 'store'),
  STHCX_rec: reservation(2, 'store'),
  STWCX_rec: reservation(4, 'store'),
  STDCX_rec: reservation(8, 'store'),
};
