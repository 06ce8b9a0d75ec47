/**
 * Fixed-point loads and stores (Power ISA v3.0B Book I 3.3.2, 3.3.3): byte,
 * halfword (zero and algebraic), word (zero and algebraic) and doubleword,
 * in D-, DS- and X-form, with and without update.
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

import { RETIRED } from '../../../src/interp/step-result.ts';
import type { FieldValues } from '../../../src/isa/instruction-table.ts';
import { baseIndex, dataFault, eaHi, eaLo, effectiveAddress, gprIndex, illegalInstruction, signExtend, swap16, swap32, type Op, type PpcHandler, type Prepare } from './common.ts';
import { raiseFixed } from './system.ts';

/** `op.variant` bit: sign-extend the loaded value (lha, lwa). */
export const SIGNED = 1;
/** `op.variant` bit: write the EA back to RA. */
export const UPDATE = 2;
/** `op.variant` bit: the offset is RB (X-form), not the displacement. */
export const INDEXED = 4;

/** The op's EA as a number; its halves are in `eaHi`/`eaLo`. */
function address(s: Parameters<PpcHandler>[0], op: Op): number {
  if ((op.variant & INDEXED) !== 0) return effectiveAddress(s, op.src1, s.gpr[op.src2]!, s.gpr[op.src2 + 1]!);
  return effectiveAddress(s, op.src1, op.imm >> 31, op.imm);
}

/** Every load (size in `src3`, kind in `variant`). */
export const load: PpcHandler = (s, op) => {
  const ea = address(s, op);
  const m = op.memory;
  const signed = (op.variant & SIGNED) !== 0;
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
      if (s.swap !== 0) v = swap16(v);
      lo = signed ? (v << 16) >> 16 : v;
      hi = lo >> 31;
      break;
    }
    case 4: {
      let v = m.read32(ea);
      if (v === undefined) return dataFault(op, ea, false, 4);
      if (s.swap !== 0) v = swap32(v);
      lo = v | 0;
      hi = signed ? lo >> 31 : 0;
      break;
    }
    default: {
      let w0 = m.read32(ea);
      let w1 = m.read32(ea + 4);
      if (w0 === undefined || w1 === undefined) return dataFault(op, ea, false, 8);
      if (s.swap !== 0) {
        w0 = swap32(w0);
        w1 = swap32(w1);
      }
      const big = (s.bigMemory ^ s.swap) !== 0;
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
};

/** Every store (size in `src3`). */
export const store: PpcHandler = (s, op) => {
  const ea = address(s, op);
  const m = op.memory;
  const g = s.gpr;
  const lo = g[op.dest + 1]!;
  let ok: boolean;
  switch (op.src3) {
    case 1:
      ok = m.write8(ea, lo & 0xff);
      break;
    case 2:
      ok = m.write16(ea, s.swap !== 0 ? swap16(lo & 0xffff) : lo & 0xffff);
      break;
    case 4:
      ok = m.write32(ea, s.swap !== 0 ? swap32(lo) : lo);
      break;
    default: {
      // Both words or neither: check the second page before writing the first word.
      if ((ea & 0xfff) > 0xff8 && !m.isMapped(ea + 7)) return dataFault(op, ea, true, 8);
      const hi = g[op.dest]!;
      const big = (s.bigMemory ^ s.swap) !== 0;
      let w0 = big ? hi : lo;
      let w1 = big ? lo : hi;
      if (s.swap !== 0) {
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
};

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
};
