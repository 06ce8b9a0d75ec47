/**
 * A32 media and miscellaneous data processing a kernel uses (ARM ARM A5.4
 * and A5.2.12): CLZ, REV/REV16/REVSH/RBIT, UBFX/SBFX, BFI/BFC and the byte
 * and halfword extends with and without accumulate. None sets flags.
 *
 * Slots: dest = Rd, src1 = Rn, src2 = Rm, imm = lsb / rotation, imm2 =
 * width / msb.
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import { reverseBytes16, reverseBytes32, signExtend, unpredictableHandler, type A32Handler, type Prepare } from './common.ts';

/** CLZ (A8.8.33). */
const countLeadingZeros: A32Handler = (s, op) => {
  s.r[op.dest] = Math.clz32(s.r[op.src2]!);
  return RETIRED;
};

/** REV (A8.8.145). */
const reverseWord: A32Handler = (s, op) => {
  s.r[op.dest] = reverseBytes32(s.r[op.src2]!);
  return RETIRED;
};

/** REV16 (A8.8.146): the bytes of each halfword swapped. */
const reversePacked: A32Handler = (s, op) => {
  const v = s.r[op.src2]!;
  s.r[op.dest] = ((v & 0x00ff_00ff) << 8) | ((v >>> 8) & 0x00ff_00ff);
  return RETIRED;
};

/** REVSH (A8.8.147): the low halfword's bytes swapped, sign-extended. */
const reverseSignedHalf: A32Handler = (s, op) => {
  s.r[op.dest] = signExtend(reverseBytes16(s.r[op.src2]!), 16);
  return RETIRED;
};

/** RBIT (A8.8.144). */
const reverseBits: A32Handler = (s, op) => {
  let v = s.r[op.src2]! >>> 0;
  v = ((v >>> 1) & 0x5555_5555) | ((v & 0x5555_5555) << 1);
  v = ((v >>> 2) & 0x3333_3333) | ((v & 0x3333_3333) << 2);
  v = ((v >>> 4) & 0x0f0f_0f0f) | ((v & 0x0f0f_0f0f) << 4);
  s.r[op.dest] = reverseBytes32(v);
  return RETIRED;
};

/** UBFX (A8.8.246): width in imm2 (1..32), lsb in imm. */
const extractUnsigned: A32Handler = (s, op) => {
  const shifted = s.r[op.src1]! >>> op.imm;
  s.r[op.dest] = op.imm2 === 32 ? shifted : shifted & ((1 << op.imm2) - 1);
  return RETIRED;
};

/** SBFX (A8.8.164). */
const extractSigned: A32Handler = (s, op) => {
  s.r[op.dest] = signExtend(s.r[op.src1]! >>> op.imm, op.imm2);
  return RETIRED;
};

/** A mask of bits lsb..msb. */
function fieldMask(lsb: number, msb: number): number {
  const width = msb - lsb + 1;
  return (width === 32 ? -1 : ((1 << width) - 1) << lsb) | 0;
}

/** BFI (A8.8.21): Rd<msb:lsb> = Rn<width-1:0>. imm = lsb, imm2 = msb. */
const insertField: A32Handler = (s, op) => {
  const mask = fieldMask(op.imm, op.imm2);
  s.r[op.dest] = (s.r[op.dest]! & ~mask) | ((s.r[op.src1]! << op.imm) & mask);
  return RETIRED;
};

/** BFC (A8.8.20). */
const clearField: A32Handler = (s, op) => {
  s.r[op.dest] = s.r[op.dest]! & ~fieldMask(op.imm, op.imm2);
  return RETIRED;
};

/** Rm rotated right by imm (0, 8, 16, 24). */
function rotated(value: number, amount: number): number {
  return amount === 0 ? value : (value >>> amount) | (value << (32 - amount));
}

/** The extends (A8.8.223 SXTB … A8.8.277 UXTH): `bits` 8 or 16, signed or not, plus Rn when accumulating (src1 >= 0). */
function extendHandler(bits: 8 | 16, signed: boolean, accumulate: boolean): A32Handler {
  const mask = bits === 8 ? 0xff : 0xffff;
  return (s, op) => {
    const field = rotated(s.r[op.src2]!, op.imm) & mask;
    const value = signed ? signExtend(field, bits) : field;
    s.r[op.dest] = accumulate ? (s.r[op.src1]! + value) | 0 : value;
    return RETIRED;
  };
}

const EXTEND_HANDLERS: Record<string, A32Handler> = {
  SXTB: extendHandler(8, true, false),
  SXTAB: extendHandler(8, true, true),
  SXTH: extendHandler(16, true, false),
  SXTAH: extendHandler(16, true, true),
  UXTB: extendHandler(8, false, false),
  UXTAB: extendHandler(8, false, true),
  UXTH: extendHandler(16, false, false),
  UXTAH: extendHandler(16, false, true),
};

/** Two-register forms: "if d == 15 || m == 15 then UNPREDICTABLE". */
function prepareUnary(handler: A32Handler): Prepare {
  return (op, f) => {
    if (f.rd === 15 || f.rm === 15) return unpredictableHandler('the PC as Rd or Rm');
    op.dest = f.rd!;
    op.src2 = f.rm!;
    return handler;
  };
}

function prepareExtract(handler: A32Handler): Prepare {
  return (op, f) => {
    const width = f.widthm1! + 1;
    // "if d == 15 || n == 15 then UNPREDICTABLE; msbit = lsbit + widthminus1; if msbit > 31 then UNPREDICTABLE".
    if (f.rd === 15 || f.rn === 15) return unpredictableHandler('the PC as Rd or Rn');
    if (f.lsb! + width > 32) return unpredictableHandler('the field runs past bit 31');
    op.dest = f.rd!;
    op.src1 = f.rn!;
    op.imm = f.lsb!;
    op.imm2 = width;
    return handler;
  };
}

function prepareInsert(handler: A32Handler): Prepare {
  return (op, f) => {
    // "if d == 15 then UNPREDICTABLE; if msbit < lsbit then UNPREDICTABLE".
    if (f.rd === 15) return unpredictableHandler('the PC as Rd');
    if (f.msb! < f.lsb!) return unpredictableHandler('msb below lsb');
    op.dest = f.rd!;
    op.src1 = f.rn ?? 15;
    op.imm = f.lsb!;
    op.imm2 = f.msb!;
    return handler;
  };
}

function prepareExtend(name: string): Prepare {
  const handler = EXTEND_HANDLERS[name]!;
  return (op, f) => {
    if (f.rd === 15 || f.rm === 15) return unpredictableHandler('the PC as Rd or Rm');
    op.dest = f.rd!;
    op.src1 = f.rn ?? 0;
    op.src2 = f.rm!;
    op.imm = f.rotate! * 8;
    return handler;
  };
}

/** Handlers of this family by table row name. */
export const MEDIA_SEMANTICS: Readonly<Record<string, Prepare>> = {
  CLZ: prepareUnary(countLeadingZeros),
  REV: prepareUnary(reverseWord),
  REV16: prepareUnary(reversePacked),
  REVSH: prepareUnary(reverseSignedHalf),
  RBIT: prepareUnary(reverseBits),
  UBFX: prepareExtract(extractUnsigned),
  SBFX: prepareExtract(extractSigned),
  BFI: prepareInsert(insertField),
  BFC: prepareInsert(clearField),
  ...Object.fromEntries(Object.keys(EXTEND_HANDLERS).map((name) => [name, prepareExtend(name)])),
};
