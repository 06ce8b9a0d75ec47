/**
 * The number-typed forms of the hottest x86-64 instructions: the eight ALU
 * operations, TEST, MOV, INC and DEC between 32- and 64-bit registers and
 * immediates, and the relative branches (Jcc, JMP). Predecode picks one of
 * these instead of the row's general handler when the operands allow it
 * ({@link numberForm}); everything else, and every form with a memory
 * operand or an 8- or 16-bit size, keeps the general BigInt handler, which
 * stays the semantic reference these forms are tested against.
 *
 * A 64-bit register is two 32-bit words of {@link X86State.gpr32} (the
 * same buffer as `gpr`, low word first: a little-endian host), so these
 * forms run on numbers and allocate nothing. What the general handler
 * decides per execution (the operand kinds, the size, the register
 * numbers, a branch's target and whether it is canonical) is decided once
 * here and kept in the op's slots: `dest` and `src1` are word indexes
 * (2 × the register number) and `src1` is −1 for an immediate, whose low
 * and high words are `imm` and `imm2`.
 *
 * Flags as the general handlers compute them (SDM vol. 1 §3.4.3.1, vol. 2
 * ADD/SUB/ADC/SBB/CMP/AND/OR/XOR/TEST/INC/DEC): CF and OF from the carry
 * and the sign words, AF from bit 4, SF/ZF/PF from the result; the logic
 * operations clear CF, OF and AF.
 *
 * @module
 */

import { RETIRED, type StepResult } from '../../../src/interp/step-result.ts';
import { Flag, isCanonicalNumber, STATUS_FLAGS, type X86State } from '../registers.ts';
import { conditionHolds, type X86Handler, type X86Op, Loc } from './common.ts';

/** Whether a `Uint32Array` over a `BigUint64Array`'s buffer sees each 64-bit value low word first (every host Node runs on is). */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** PF for each low byte: set when it has an even number of ones. */
const PARITY = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  let v = b ^ (b >> 4);
  v ^= v >> 2;
  v ^= v >> 1;
  PARITY[b] = (v & 1) === 0 ? Flag.PF : 0;
}

/** The status flags outside CF (what INC and DEC write). */
export const NOT_CF = STATUS_FLAGS & ~Flag.CF;

/** SF, ZF and PF of a 32-bit result `r` (unsigned). */
export function szp32(r: number): number {
  return (r === 0 ? Flag.ZF : 0) | ((r >>> 31) << 7) | PARITY[r & 0xff]!;
}

/** SF, ZF and PF of a 64-bit result (`lo`, `hi` unsigned words). */
export function szp64(lo: number, hi: number): number {
  return ((lo | hi) === 0 ? Flag.ZF : 0) | ((hi >>> 31) << 7) | PARITY[lo & 0xff]!;
}

/** The status flags of a 32-bit `a + b + c` whose unwrapped sum is `full` (the JIT's translator computes them with this too). */
export function addFlags32(a: number, b: number, full: number): number {
  const r = full >>> 0;
  return szp32(r) | (full > 0xffff_ffff ? Flag.CF : 0) | ((((a ^ r) & (b ^ r)) >>> 31) << 11) | ((a ^ b ^ r) & Flag.AF);
}

/** The status flags of a 32-bit `a − b − c` whose unwrapped difference is `d`. */
export function subFlags32(a: number, b: number, d: number): number {
  const r = d >>> 0;
  return szp32(r) | (d < 0 ? Flag.CF : 0) | ((((a ^ b) & (a ^ r)) >>> 31) << 11) | ((a ^ b ^ r) & Flag.AF);
}

/** The status flags of a 64-bit `a + b + c` (words `al`/`ah`, `bl`/`bh`), whose unwrapped word sums are `lo` (with c) and `hi` (with the carry out of `lo`). */
export function addFlags64(al: number, ah: number, bl: number, bh: number, lo: number, hi: number): number {
  const rl = lo >>> 0;
  const rh = hi >>> 0;
  return szp64(rl, rh) | (hi > 0xffff_ffff ? Flag.CF : 0) | ((((ah ^ rh) & (bh ^ rh)) >>> 31) << 11) | ((al ^ bl ^ rl) & Flag.AF);
}

/** The status flags of a 64-bit `a − b − c`, whose unwrapped word differences are `lo` (with c) and `hi` (with the borrow out of `lo`). */
export function subFlags64(al: number, ah: number, bl: number, bh: number, lo: number, hi: number): number {
  const rl = lo >>> 0;
  const rh = hi >>> 0;
  return szp64(rl, rh) | (hi < 0 ? Flag.CF : 0) | ((((ah ^ bh) & (ah ^ rh)) >>> 31) << 11) | ((al ^ bl ^ rl) & Flag.AF);
}

/** The high word the last 64-bit operation left (the low word is its return value). */
let high = 0;
/** The flags the last operation left. */
let flags = 0;

/** `a + b + c` on 32 bits: the result, with its flags in {@link flags}. */
function add32(a: number, b: number, c: number): number {
  const full = a + b + c;
  flags = addFlags32(a, b, full);
  return full >>> 0;
}

/** `a − b − c` on 32 bits. */
function sub32(a: number, b: number, c: number): number {
  const d = a - b - c;
  flags = subFlags32(a, b, d);
  return d >>> 0;
}

/** `a + b + c` on 64 bits (words `al`/`ah`, `bl`/`bh`): the low word, the high one in {@link high}. */
function add64(al: number, ah: number, bl: number, bh: number, c: number): number {
  const lo = al + bl + c;
  const hi = ah + bh + (lo > 0xffff_ffff ? 1 : 0);
  high = hi >>> 0;
  flags = addFlags64(al, ah, bl, bh, lo, hi);
  return lo >>> 0;
}

/** `a − b − c` on 64 bits. */
function sub64(al: number, ah: number, bl: number, bh: number, c: number): number {
  const lo = al - bl - c;
  const hi = ah - bh - (lo < 0 ? 1 : 0);
  high = hi >>> 0;
  flags = subFlags64(al, ah, bl, bh, lo, hi);
  return lo >>> 0;
}

/** ADD … CMP (variant 0–7) on 32-bit registers; the source a register (`src1`) or an immediate (`imm`). A 32-bit write zero-extends. */
const alu32: X86Handler = (s, op) => {
  const g = s.gpr32;
  const d = op.dest;
  const a = g[d]!;
  const b = op.src1 < 0 ? op.imm : g[op.src1]!;
  const carry = s.rflags & Flag.CF;
  let r: number;
  switch (op.variant) {
    case 0:
      r = add32(a, b, 0);
      break;
    case 1:
      r = (a | b) >>> 0;
      flags = szp32(r);
      break;
    case 2:
      r = add32(a, b, carry);
      break;
    case 3:
      r = sub32(a, b, carry);
      break;
    case 4:
      r = (a & b) >>> 0;
      flags = szp32(r);
      break;
    case 5:
      r = sub32(a, b, 0);
      break;
    case 6:
      r = (a ^ b) >>> 0;
      flags = szp32(r);
      break;
    default:
      sub32(a, b, 0);
      s.rflags = (s.rflags & ~STATUS_FLAGS) | flags;
      return RETIRED;
  }
  g[d] = r;
  g[d + 1] = 0;
  s.rflags = (s.rflags & ~STATUS_FLAGS) | flags;
  return RETIRED;
};

/** ADD … CMP on 64-bit registers. */
const alu64: X86Handler = (s, op) => {
  const g = s.gpr32;
  const d = op.dest;
  const al = g[d]!;
  const ah = g[d + 1]!;
  const src = op.src1;
  const bl = src < 0 ? op.imm : g[src]!;
  const bh = src < 0 ? op.imm2 : g[src + 1]!;
  const carry = s.rflags & Flag.CF;
  let rl: number;
  let rh: number;
  switch (op.variant) {
    case 0:
      rl = add64(al, ah, bl, bh, 0);
      rh = high;
      break;
    case 1:
      rl = (al | bl) >>> 0;
      rh = (ah | bh) >>> 0;
      flags = szp64(rl, rh);
      break;
    case 2:
      rl = add64(al, ah, bl, bh, carry);
      rh = high;
      break;
    case 3:
      rl = sub64(al, ah, bl, bh, carry);
      rh = high;
      break;
    case 4:
      rl = (al & bl) >>> 0;
      rh = (ah & bh) >>> 0;
      flags = szp64(rl, rh);
      break;
    case 5:
      rl = sub64(al, ah, bl, bh, 0);
      rh = high;
      break;
    case 6:
      rl = (al ^ bl) >>> 0;
      rh = (ah ^ bh) >>> 0;
      flags = szp64(rl, rh);
      break;
    default:
      sub64(al, ah, bl, bh, 0);
      s.rflags = (s.rflags & ~STATUS_FLAGS) | flags;
      return RETIRED;
  }
  g[d] = rl;
  g[d + 1] = rh;
  s.rflags = (s.rflags & ~STATUS_FLAGS) | flags;
  return RETIRED;
};

/** TEST on 32-bit registers: AND's flags, no write. */
const test32: X86Handler = (s, op) => {
  const g = s.gpr32;
  const b = op.src1 < 0 ? op.imm : g[op.src1]!;
  s.rflags = (s.rflags & ~STATUS_FLAGS) | szp32((g[op.dest]! & b) >>> 0);
  return RETIRED;
};

/** TEST on 64-bit registers. */
const test64: X86Handler = (s, op) => {
  const g = s.gpr32;
  const src = op.src1;
  const d = op.dest;
  const lo = (g[d]! & (src < 0 ? op.imm : g[src]!)) >>> 0;
  const hi = (g[d + 1]! & (src < 0 ? op.imm2 : g[src + 1]!)) >>> 0;
  s.rflags = (s.rflags & ~STATUS_FLAGS) | szp64(lo, hi);
  return RETIRED;
};

/** MOV to a 32-bit register (zero-extended). */
const mov32: X86Handler = (s, op) => {
  const g = s.gpr32;
  const d = op.dest;
  g[d] = op.src1 < 0 ? op.imm : g[op.src1]!;
  g[d + 1] = 0;
  return RETIRED;
};

/** MOV to a 64-bit register. */
const mov64: X86Handler = (s, op) => {
  const g = s.gpr32;
  const d = op.dest;
  const src = op.src1;
  if (src < 0) {
    g[d] = op.imm;
    g[d + 1] = op.imm2;
  } else {
    const lo = g[src]!;
    g[d + 1] = g[src + 1]!;
    g[d] = lo;
  }
  return RETIRED;
};

/** INC (variant 0) / DEC (1) of a 32-bit register: CF is kept. */
const incdec32: X86Handler = (s, op) => {
  const g = s.gpr32;
  const d = op.dest;
  g[d] = op.variant === 0 ? add32(g[d]!, 1, 0) : sub32(g[d]!, 1, 0);
  g[d + 1] = 0;
  s.rflags = (s.rflags & ~NOT_CF) | (flags & NOT_CF);
  return RETIRED;
};

/** INC / DEC of a 64-bit register. */
const incdec64: X86Handler = (s, op) => {
  const g = s.gpr32;
  const d = op.dest;
  g[d] = op.variant === 0 ? add64(g[d]!, g[d + 1]!, 1, 0, 0) : sub64(g[d]!, g[d + 1]!, 1, 0, 0);
  g[d + 1] = high;
  s.rflags = (s.rflags & ~NOT_CF) | (flags & NOT_CF);
  return RETIRED;
};

/** Jcc with its target resolved at predecode (`imm`, canonical). */
const jccNear: X86Handler = (s, op): StepResult => {
  if (conditionHolds(s, op.variant)) s.pc = op.imm;
  return RETIRED;
};

/** JMP with its target resolved at predecode. */
const jmpNear: X86Handler = (s, op) => {
  s.pc = op.imm;
  return RETIRED;
};

/**
 * Jcc to a target the JIT's block links cannot hold (they are unsigned
 * 32-bit PCs): one in the upper canonical half (negative in the signed
 * representation, `registers.ts`) or at or above 4 GiB. {@link jccNear}'s
 * meaning under another identity, which the JIT's translator does not
 * know, so that it calls the op in place and leaves the block for the
 * interpreter there. Upper-half code only runs under paging, where the
 * interpreter runs every instruction anyway.
 */
const jccNearFar: X86Handler = (s, op): StepResult => {
  if (conditionHolds(s, op.variant)) s.pc = op.imm;
  return RETIRED;
};

/** JMP to a target the JIT's block links cannot hold: {@link jmpNear} under another identity (see {@link jccNearFar}). */
const jmpNearFar: X86Handler = (s, op) => {
  s.pc = op.imm;
  return RETIRED;
};

/**
 * Every number-typed handler by name, for the JIT's translator
 * (`arch/x86_64/jit/translator.ts`), which knows ops by their handler's
 * identity.
 */
export const NUMBER_FORMS = { alu32, alu64, test32, test64, mov32, mov64, incdec32, incdec64, jccNear, jmpNear } as const;



/** 2^32: branch targets from here up (and negative ones) get {@link jccNearFar} / {@link jmpNearFar}. */
const TWO_32 = 0x1_0000_0000;

/** The register operand's word index, when operand `i` is a 32- or 64-bit general register of `size`; else −1. */
function registerWord(op: X86Op, i: number, size: number): number {
  const o = op.operands[i];
  return o !== undefined && o.loc === Loc.reg && o.size === size ? 2 * o.n : -1;
}

/** Put operand 1 (a register of `size` or an immediate) into `src1` / `imm` / `imm2`; false when it is neither. */
function source(op: X86Op, size: number): boolean {
  const o = op.operands[1];
  if (o === undefined) return false;
  if (o.loc === Loc.reg && o.size === size) {
    op.src1 = 2 * o.n;
    return true;
  }
  if (o.loc !== Loc.imm) return false;
  // The general handlers mask the immediate to its operand's size, then to the destination's (a sign-extended Is already fills it).
  const width = o.size === 0 ? 8 : o.size;
  const value = BigInt.asUintN(8 * Math.min(width, size), o.imm);
  op.src1 = -1;
  op.imm = Number(value & 0xffff_ffffn);
  op.imm2 = Number(value >> 32n);
  return true;
}

/**
 * The number-typed handler for `op`, with its slots filled, or `undefined`
 * when the op keeps its row's general handler (memory operands, 8- and
 * 16-bit sizes, LOCK, a fixed trap, a branch whose target is not
 * canonical, or a big-endian host).
 */
export function numberForm(op: X86Op): X86Handler | undefined {
  const insn = op.insn;
  if (!LITTLE_ENDIAN_HOST || insn === undefined || op.fixed !== undefined || insn.lock) return undefined;
  const handler = insn.row.handler;
  if (handler === 'jcc' || handler === 'jmp') {
    // A 16-bit operand size truncates the target (relativeTarget in integer.ts): that form keeps the general handler.
    if (op.opsize === 2) return undefined;
    // In the signed representation (`registers.ts`), where the sum wraps as the 64-bit RIP does; a non-canonical target keeps
    // the general handler, whose branch is #GP(0).
    const target = op.next + Number(BigInt.asIntN(64, op.operands[0]!.imm));
    if (!isCanonicalNumber(target)) return undefined;
    op.imm = target;
    if (!(target >= 0 && target < TWO_32)) return handler === 'jcc' ? jccNearFar : jmpNearFar;
    return handler === 'jcc' ? jccNear : jmpNear;
  }
  const size = op.operands[0]?.size ?? 0;
  if (size !== 4 && size !== 8) return undefined;
  const dest = registerWord(op, 0, size);
  if (dest < 0) return undefined;
  op.dest = dest;
  switch (handler) {
    case 'alu':
      if (!source(op, size)) return undefined;
      return size === 4 ? alu32 : alu64;
    case 'test':
      if (!source(op, size)) return undefined;
      return size === 4 ? test32 : test64;
    case 'mov':
    case 'mov-imm':
      if (!source(op, size)) return undefined;
      return size === 4 ? mov32 : mov64;
    case 'incdec':
      if (op.operands.length !== 1) return undefined;
      return size === 4 ? incdec32 : incdec64;
    default:
      return undefined;
  }
}
