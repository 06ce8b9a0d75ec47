/**
 * A32 long multiplies, multiply-subtract and the divides (ARM ARM A5.2.5
 * and A5.4.4): UMULL, UMLAL, SMULL, SMLAL (S sets N and Z from the 64-bit
 * result), UMAAL, MLS, SDIV and UDIV. The divides round towards zero and a
 * division by zero gives 0 (SCTLR.DZ does not exist in ARMv7-A's A32
 * divides: A8.8.165, "if SInt(R[m]) == 0 then result = 0"). The most
 * negative number divided by -1 is itself (the 33-bit quotient truncated).
 *
 * Slots: dest = RdLo (or Rd), imm = RdHi, src1 = Rn, src2 = Rm, src3 = Ra.
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import { unpredictableHandler, type A32Handler, type Prepare } from './common.ts';


/** Write a 64-bit result to RdHi:RdLo, N and Z from it when S. */
function writeLong(s: Parameters<A32Handler>[0], op: Parameters<A32Handler>[1], value: bigint): void {
  const v = BigInt.asUintN(64, value);
  const low = Number(v & 0xffff_ffffn) | 0;
  const high = Number(v >> 32n) | 0;
  s.r[op.dest] = low;
  s.r[op.imm] = high;
  if (op.setFlags) {
    s.n = high >>> 31;
    s.z = v === 0n ? 1 : 0;
  }
}

function accumulator(s: Parameters<A32Handler>[0], op: Parameters<A32Handler>[1]): bigint {
  return (BigInt(s.r[op.imm]! >>> 0) << 32n) | BigInt(s.r[op.dest]! >>> 0);
}

const HANDLERS: Record<string, A32Handler> = {
  // A8.8.257
  UMULL: (s, op) => {
    writeLong(s, op, BigInt(s.r[op.src1]! >>> 0) * BigInt(s.r[op.src2]! >>> 0));
    return RETIRED;
  },
  // A8.8.256
  UMLAL: (s, op) => {
    writeLong(s, op, BigInt(s.r[op.src1]! >>> 0) * BigInt(s.r[op.src2]! >>> 0) + accumulator(s, op));
    return RETIRED;
  },
  // A8.8.189
  SMULL: (s, op) => {
    writeLong(s, op, BigInt(s.r[op.src1]!) * BigInt(s.r[op.src2]!));
    return RETIRED;
  },
  // A8.8.178
  SMLAL: (s, op) => {
    writeLong(s, op, BigInt(s.r[op.src1]!) * BigInt(s.r[op.src2]!) + accumulator(s, op));
    return RETIRED;
  },
  // A8.8.255: Rn * Rm + RdHi + RdLo (never overflows 64 bits).
  UMAAL: (s, op) => {
    writeLong(s, op, BigInt(s.r[op.src1]! >>> 0) * BigInt(s.r[op.src2]! >>> 0) + BigInt(s.r[op.dest]! >>> 0) + BigInt(s.r[op.imm]! >>> 0));
    return RETIRED;
  },
  // A8.8.101
  MLS: (s, op) => {
    s.r[op.dest] = (s.r[op.src3]! - Math.imul(s.r[op.src1]!, s.r[op.src2]!)) | 0;
    return RETIRED;
  },
  // A8.8.165
  SDIV: (s, op) => {
    const m = s.r[op.src2]!;
    s.r[op.dest] = m === 0 ? 0 : Math.trunc(s.r[op.src1]! / m) | 0;
    return RETIRED;
  },
  // A8.8.248
  UDIV: (s, op) => {
    const m = s.r[op.src2]! >>> 0;
    s.r[op.dest] = m === 0 ? 0 : Math.trunc((s.r[op.src1]! >>> 0) / m) | 0;
    return RETIRED;
  },
};

/** The long forms: "if dLo == 15 || dHi == 15 || n == 15 || m == 15 then UNPREDICTABLE; if dHi == dLo then UNPREDICTABLE". */
function prepareLong(name: string): Prepare {
  const handler = HANDLERS[name]!;
  return (op, f) => {
    if (f.rdlo === 15 || f.rdhi === 15 || f.rn === 15 || f.rm === 15) return unpredictableHandler('long multiplies may not use the PC');
    if (f.rdlo === f.rdhi) return unpredictableHandler('RdHi = RdLo');
    op.dest = f.rdlo!;
    op.imm = f.rdhi!;
    op.src1 = f.rn!;
    op.src2 = f.rm!;
    op.setFlags = f.s === 1;
    return handler;
  };
}

function prepareShort(name: string): Prepare {
  const handler = HANDLERS[name]!;
  return (op, f) => {
    if (f.rd === 15 || f.rn === 15 || f.rm === 15 || f.ra === 15) return unpredictableHandler('the PC as an operand');
    op.dest = f.rd!;
    op.src1 = f.rn!;
    op.src2 = f.rm!;
    op.src3 = f.ra ?? 0;
    return handler;
  };
}

/** Handlers of this family by table row name. */
export const MULTIPLY_LONG_SEMANTICS: Readonly<Record<string, Prepare>> = {
  UMULL: prepareLong('UMULL'),
  UMLAL: prepareLong('UMLAL'),
  SMULL: prepareLong('SMULL'),
  SMLAL: prepareLong('SMLAL'),
  UMAAL: prepareLong('UMAAL'),
  MLS: prepareShort('MLS'),
  SDIV: prepareShort('SDIV'),
  UDIV: prepareShort('UDIV'),
};
