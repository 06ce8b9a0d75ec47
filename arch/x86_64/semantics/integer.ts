/**
 * The integer instructions: data movement, the eight ALU operations,
 * TEST, INC/DEC/NEG/NOT, the multiplies and divides, shifts and rotates,
 * sign extensions, the stack, branches, conditional moves and sets,
 * exchanges, bit tests and scans. Flags as the SDM's "Flags Affected"
 * gives them; where it says "undefined", the value QEMU (and so Unicorn)
 * computes, so that the differential test can still compare them (the
 * differential test masks them all the same).
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import { Flag, Gpr, STATUS_FLAGS, type X86State } from '../registers.ts';
import {
  addFlags,
  adjustStack,
  branchTo,
  conditionHolds,
  getReg,
  linear,
  loaded,
  MASKS,
  effectiveAddress,
  pop,
  push,
  readAt,
  readOperand,
  setFlags,
  setReg,
  signed,
  SIGNS,
  subFlags,
  szp,
  writeAt as writeAtOp,
  writeOperand,
  type X86Handler,
  type X86Op,
} from './common.ts';

/** The flags the logic operations define: CF = OF = 0, SF/ZF/PF from the result; AF undefined (QEMU: 0). */
function logicFlags(result: bigint, size: number): number {
  return szp(result, size);
}

/** The ALU operation `variant` (0 add … 7 cmp) on `a` and `b`: the result, with the flags left in {@link aluFlags}. */
function alu(s: X86State, variant: number, a: bigint, b: bigint, size: number): bigint {
  const mask = MASKS[size]!;
  const carry = (s.rflags & Flag.CF) !== 0 ? 1n : 0n;
  switch (variant) {
    case 0:
      aluFlags = addFlags(a, b, 0n, size);
      return (a + b) & mask;
    case 1: {
      const r = a | b;
      aluFlags = logicFlags(r, size);
      return r;
    }
    case 2:
      aluFlags = addFlags(a, b, carry, size);
      return (a + b + carry) & mask;
    case 3:
      aluFlags = subFlags(a, b, carry, size);
      return (a - b - carry) & mask;
    case 4: {
      const r = a & b;
      aluFlags = logicFlags(r, size);
      return r;
    }
    case 5:
    case 7:
      aluFlags = subFlags(a, b, 0n, size);
      return (a - b) & mask;
    default: {
      const r = a ^ b;
      aluFlags = logicFlags(r, size);
      return r;
    }
  }
}

/** The flags the last {@link alu} computed. */
let aluFlags = 0;

/** ADD, OR, ADC, SBB, AND, SUB, XOR, CMP in every form: operand 0 op= operand 1 (CMP writes nothing). */
const aluHandler: X86Handler = (s, op) => {
  const size = op.operands[0]!.size;
  let fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  const a = loaded;
  fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  const b = loaded & MASKS[size]!;
  const r = alu(s, op.variant, a, b, size);
  if (op.variant !== 7) {
    fault = writeOperand(s, op, 0, r);
    if (fault !== undefined) return fault;
  }
  setFlags(s, STATUS_FLAGS, aluFlags);
  return RETIRED;
};

/** TEST: AND without the write. */
const test: X86Handler = (s, op) => {
  const size = op.operands[0]!.size;
  let fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  const a = loaded;
  fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  setFlags(s, STATUS_FLAGS, logicFlags(a & loaded & MASKS[size]!, size));
  return RETIRED;
};

/** MOV (register, memory, immediate forms): operand 0 ← operand 1. */
const mov: X86Handler = (s, op) => {
  const fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  return writeOperand(s, op, 0, loaded & MASKS[op.operands[0]!.size]!) ?? RETIRED;
};

/** MOVABS AL/rAX ↔ moffs (A0–A3): variant 0 loads, 1 stores. */
const movMoffs: X86Handler = (s, op) => {
  if (op.variant === 0) {
    const fault = readOperand(s, op, 1);
    if (fault !== undefined) return fault;
    return writeOperand(s, op, 0, loaded) ?? RETIRED;
  }
  const fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  return writeOperand(s, op, 0, loaded) ?? RETIRED;
};

/** MOVZX: zero-extend operand 1 into operand 0. */
const movzx: X86Handler = (s, op) => {
  const fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  return writeOperand(s, op, 0, loaded) ?? RETIRED;
};

/** MOVSX / MOVSXD: sign-extend operand 1 into operand 0. */
const movsx: X86Handler = (s, op) => {
  const fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  const size = op.operands[0]!.size;
  return writeOperand(s, op, 0, BigInt.asUintN(8 * size, signed(loaded, op.operands[1]!.size))) ?? RETIRED;
};

/** LEA: the effective address, truncated to the operand size (no segment base; SDM vol. 2 LEA). */
const lea: X86Handler = (s, op) => {
  setReg(s, op.operands[0]!.n, op.operands[0]!.size, effectiveAddress(s, op) & MASKS[op.operands[0]!.size]!);
  return RETIRED;
};

/** INC / DEC: CF is kept (SDM vol. 2 INC). */
const incdec: X86Handler = (s, op) => {
  const size = op.operands[0]!.size;
  let fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  const a = loaded;
  const flags = op.variant === 0 ? addFlags(a, 1n, 0n, size) : subFlags(a, 1n, 0n, size);
  const r = (op.variant === 0 ? a + 1n : a - 1n) & MASKS[size]!;
  fault = writeOperand(s, op, 0, r);
  if (fault !== undefined) return fault;
  setFlags(s, STATUS_FLAGS & ~Flag.CF, flags);
  return RETIRED;
};

/** NOT: no flags. */
const not: X86Handler = (s, op) => {
  const size = op.operands[0]!.size;
  const fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  return writeOperand(s, op, 0, ~loaded & MASKS[size]!) ?? RETIRED;
};

/** NEG: 0 − operand; CF = operand ≠ 0 (SDM vol. 2 NEG). */
const neg: X86Handler = (s, op) => {
  const size = op.operands[0]!.size;
  let fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  const a = loaded;
  fault = writeOperand(s, op, 0, -a & MASKS[size]!);
  if (fault !== undefined) return fault;
  setFlags(s, STATUS_FLAGS, subFlags(0n, a, 0n, size));
  return RETIRED;
};

/** Where the double-width result of MUL/IMUL/DIV/IDIV lives: AX for bytes, DX:AX, EDX:EAX, RDX:RAX (SDM vol. 2 MUL). */
function writeWide(s: X86State, size: number, low: bigint, high: bigint): void {
  if (size === 1) setReg(s, Gpr.rax, 2, ((high & 0xffn) << 8n) | (low & 0xffn));
  else {
    setReg(s, Gpr.rax, size, low);
    setReg(s, Gpr.rdx, size, high);
  }
}

/** MUL / IMUL (one operand): variant 0 unsigned, 1 signed. CF = OF = the high half is significant; SF, ZF, PF from the low half, AF 0 (undefined: QEMU's values). */
const mul: X86Handler = (s, op) => {
  const size = op.operands[0]!.size;
  const fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  const bits = BigInt(8 * size);
  const mask = MASKS[size]!;
  const acc = getReg(s, Gpr.rax, size);
  let product: bigint;
  let overflow: boolean;
  if (op.variant === 0) {
    product = acc * loaded;
    overflow = product >> bits !== 0n;
  } else {
    product = signed(acc, size) * signed(loaded, size);
    overflow = product !== signed(product & mask, size);
  }
  const low = product & mask;
  writeWide(s, size, low, (product >> bits) & mask);
  setFlags(s, STATUS_FLAGS, szp(low, size) | (overflow ? Flag.CF | Flag.OF : 0));
  return RETIRED;
};

/** IMUL with two or three operands: operand 0 ← operand 1 × operand 2 (or × operand 0), truncated; CF = OF = truncation changed the value. */
const imul: X86Handler = (s, op) => {
  const size = op.operands[0]!.size;
  const three = op.operands.length === 3;
  let fault = readOperand(s, op, three ? 1 : 0);
  if (fault !== undefined) return fault;
  const a = signed(loaded, size);
  fault = readOperand(s, op, three ? 2 : 1);
  if (fault !== undefined) return fault;
  const b = signed(loaded & MASKS[size]!, size);
  const product = a * b;
  const low = product & MASKS[size]!;
  setReg(s, op.operands[0]!.n, size, low);
  setFlags(s, STATUS_FLAGS, szp(low, size) | (product !== signed(low, size) ? Flag.CF | Flag.OF : 0));
  return RETIRED;
};

/** DIV / IDIV: variant 0 unsigned, 1 signed (truncating toward zero). #DE for a zero divisor or a quotient that does not fit (SDM vol. 2 DIV); flags are left as they were (undefined). */
const div: X86Handler = (s, op) => {
  const size = op.operands[0]!.size;
  const fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  const bits = BigInt(8 * size);
  const mask = MASKS[size]!;
  const divisor = loaded;
  const dividend = size === 1 ? getReg(s, Gpr.rax, 2) : (getReg(s, Gpr.rdx, size) << bits) | getReg(s, Gpr.rax, size);
  if (divisor === 0n) return { kind: 'trap', cause: 'exception', address: op.address, next: op.next, vector: 0, errorCode: -1, reason: 'divide by zero' };
  let q: bigint;
  let r: bigint;
  if (op.variant === 0) {
    q = dividend / divisor;
    r = dividend % divisor;
    if (q > mask) return { kind: 'trap', cause: 'exception', address: op.address, next: op.next, vector: 0, errorCode: -1, reason: 'quotient too large' };
  } else {
    const n = BigInt.asIntN(16 * size, dividend);
    const d = signed(divisor, size);
    q = n / d;
    r = n % d;
    if (q > SIGNS[size]! - 1n || q < -SIGNS[size]!) return { kind: 'trap', cause: 'exception', address: op.address, next: op.next, vector: 0, errorCode: -1, reason: 'quotient too large' };
  }
  writeWide(s, size, q & mask, r & mask);
  return RETIRED;
};

/**
 * Shifts and rotates (group 2; SDM vol. 2 SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR):
 * the count is masked to 5 bits (6 for 64-bit operands); a masked count of
 * 0 changes no flags. Shifts set SF/ZF/PF and CF to the last bit shifted
 * out, OF for a count of 1 (SHL: MSB ⊕ CF, SHR: the original MSB, SAR: 0);
 * rotates change only CF and OF. RCL/RCR rotate through CF with the count
 * taken modulo size + 1 for 8- and 16-bit operands. OF for other counts and
 * AF are undefined (QEMU's values: the count-1 formula; AF 0).
 */
const shift: X86Handler = (s, op) => {
  const size = op.operands[0]!.size;
  let fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  const count = Number(loaded & (size === 8 ? 0x3fn : 0x1fn));
  if (count === 0) {
    // Still a read-modify-write access for the fault (the SDM's memory operand is accessed).
    fault = readOperand(s, op, 0);
    return fault ?? RETIRED;
  }
  fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  const a = loaded;
  const bits = 8 * size;
  const mask = MASKS[size]!;
  const sign = SIGNS[size]!;
  const cf = (s.rflags & Flag.CF) !== 0 ? 1n : 0n;
  let r: bigint;
  let flags = s.rflags;
  const big = BigInt(count);
  switch (op.variant) {
    case 0: {
      // ROL
      const n = BigInt(count % bits);
      r = ((a << n) | (a >> (BigInt(bits) - n))) & mask;
      const c = r & 1n;
      flags = (flags & ~(Flag.CF | Flag.OF)) | (c !== 0n ? Flag.CF : 0) | (((r & sign) !== 0n) !== (c !== 0n) ? Flag.OF : 0);
      break;
    }
    case 1: {
      // ROR
      const n = BigInt(count % bits);
      r = ((a >> n) | (a << (BigInt(bits) - n))) & mask;
      const msb = (r & sign) !== 0n;
      const next = (r & (sign >> 1n)) !== 0n;
      flags = (flags & ~(Flag.CF | Flag.OF)) | (msb ? Flag.CF : 0) | (msb !== next ? Flag.OF : 0);
      break;
    }
    case 2: {
      // RCL: rotate the (bits + 1)-bit value CF:a left.
      const n = BigInt(size <= 2 ? count % (bits + 1) : count);
      const width = BigInt(bits + 1);
      const wide = (cf << BigInt(bits)) | a;
      const rotated = n === 0n ? wide : ((wide << n) | (wide >> (width - n))) & ((1n << width) - 1n);
      r = rotated & mask;
      const c = (rotated >> BigInt(bits)) & 1n;
      if (n === 0n) return writeOperand(s, op, 0, r) ?? RETIRED;
      flags = (flags & ~(Flag.CF | Flag.OF)) | (c !== 0n ? Flag.CF : 0) | (((r & sign) !== 0n) !== (c !== 0n) ? Flag.OF : 0);
      break;
    }
    case 3: {
      // RCR
      const n = BigInt(size <= 2 ? count % (bits + 1) : count);
      const width = BigInt(bits + 1);
      const wide = (cf << BigInt(bits)) | a;
      const rotated = n === 0n ? wide : ((wide >> n) | (wide << (width - n))) & ((1n << width) - 1n);
      r = rotated & mask;
      const c = (rotated >> BigInt(bits)) & 1n;
      if (n === 0n) return writeOperand(s, op, 0, r) ?? RETIRED;
      const msb = (r & sign) !== 0n;
      const next = (r & (sign >> 1n)) !== 0n;
      flags = (flags & ~(Flag.CF | Flag.OF)) | (c !== 0n ? Flag.CF : 0) | (msb !== next ? Flag.OF : 0);
      break;
    }
    case 4: {
      // SHL
      const full = a << big;
      r = full & mask;
      const c = count <= bits ? (full >> BigInt(bits)) & 1n : 0n;
      flags = (flags & ~STATUS_FLAGS) | szp(r, size) | (c !== 0n ? Flag.CF : 0) | (((r & sign) !== 0n) !== (c !== 0n) ? Flag.OF : 0);
      break;
    }
    case 5: {
      // SHR
      r = a >> big;
      const c = (a >> (big - 1n)) & 1n;
      flags = (flags & ~STATUS_FLAGS) | szp(r, size) | (c !== 0n ? Flag.CF : 0) | ((a & sign) !== 0n ? Flag.OF : 0);
      break;
    }
    default: {
      // SAR
      const v = signed(a, size);
      r = (v >> big) & mask;
      const c = (v >> (big - 1n)) & 1n;
      flags = (flags & ~STATUS_FLAGS) | szp(r, size) | (c !== 0n ? Flag.CF : 0);
      break;
    }
  }
  fault = writeOperand(s, op, 0, r);
  if (fault !== undefined) return fault;
  s.rflags = flags;
  return RETIRED;
};

/** CBW / CWDE / CDQE: sign-extend the lower half of the accumulator into all of it. */
const cbw: X86Handler = (s, op) => {
  const size = op.variant;
  setReg(s, Gpr.rax, size, BigInt.asUintN(8 * size, signed(getReg(s, Gpr.rax, size / 2), size / 2)));
  return RETIRED;
};

/** CWD / CDQ / CQO: the accumulator's sign into every bit of DX/EDX/RDX. */
const cwd: X86Handler = (s, op) => {
  const size = op.variant;
  const negative = (getReg(s, Gpr.rax, size) & SIGNS[size]!) !== 0n;
  setReg(s, Gpr.rdx, size, negative ? MASKS[size]! : 0n);
  return RETIRED;
};

/** PUSH r/m, register: the value is read before RSP moves (PUSH RSP pushes the old RSP). */
const pushHandler: X86Handler = (s, op) => {
  const fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  return push(s, op, op.opsize, loaded) ?? RETIRED;
};

/** PUSH imm: the immediate sign-extended to the operand size. */
const pushImm: X86Handler = (s, op) => push(s, op, op.opsize, op.operands[0]!.imm & MASKS[op.opsize]!) ?? RETIRED;

/** POP r/m, register: RSP is incremented before a memory destination's address is computed, and POP RSP leaves the popped value (SDM vol. 2 POP). */
const popHandler: X86Handler = (s, op) => {
  const old = s.gpr[Gpr.rsp]!;
  const fault = pop(s, op, op.opsize);
  if (fault !== undefined) return fault;
  const w = writeOperand(s, op, 0, loaded);
  if (w !== undefined) {
    s.gpr[Gpr.rsp] = old;
    return w;
  }
  return RETIRED;
};

/** PUSH FS / GS: the selector, zero-extended. */
const pushSeg: X86Handler = (s, op) => push(s, op, op.opsize, BigInt(s.sel[op.variant]!)) ?? RETIRED;

/** POP FS / GS: loads the selector (flat model: a null or any selector keeps the base MSR). */
const popSeg: X86Handler = (s, op) => {
  const fault = pop(s, op, op.opsize);
  if (fault !== undefined) return fault;
  s.sel[op.variant] = Number(loaded & 0xffffn);
  return RETIRED;
};

/** PUSHF: RFLAGS with VM and RF cleared (SDM vol. 2 PUSHF). */
const pushf: X86Handler = (s, op) => push(s, op, op.opsize, BigInt(s.rflags & ~(Flag.VM | Flag.RF)) & MASKS[op.opsize]!) ?? RETIRED;

/** POPF: IOPL changes only at CPL 0, IF only at CPL ≤ IOPL; VM, VIF, VIP and RF keep their value or clear (SDM vol. 2 POPF, protected mode). */
const popf: X86Handler = (s, op) => {
  const fault = pop(s, op, op.opsize);
  if (fault !== undefined) return fault;
  const iopl = (s.rflags >> 12) & 3;
  let mask = STATUS_FLAGS | Flag.TF | Flag.DF | Flag.NT | Flag.AC | Flag.ID;
  if (s.cpl === 0) mask |= Flag.IOPL;
  if (s.cpl <= iopl) mask |= Flag.IF;
  if (op.opsize === 2) mask &= 0xffff;
  s.rflags = ((s.rflags & ~mask) | (Number(loaded & 0xffff_ffffn) & mask) | Flag.FIXED) & ~Flag.RF;
  return RETIRED;
};

/** The branch target of a relative branch. */
function relativeTarget(op: X86Op): bigint {
  const t = BigInt(op.next) + BigInt.asIntN(64, op.operands[0]!.imm);
  return op.opsize === 2 ? t & 0xffffn : BigInt.asUintN(64, t);
}

/** CALL rel32: push the return address, branch. */
const call: X86Handler = (s, op) => {
  const fault = push(s, op, op.opsize, BigInt(op.next));
  if (fault !== undefined) return fault;
  const b = branchTo(s, op, relativeTarget(op));
  if (b !== undefined) {
    s.gpr[Gpr.rsp] = s.gpr[Gpr.rsp]! + BigInt(op.opsize);
    return b;
  }
  return RETIRED;
};

/** CALL r/m64: the target is read first, then the return address pushed. */
const callIndirect: X86Handler = (s, op) => {
  const fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  const target = loaded;
  const p = push(s, op, op.opsize, BigInt(op.next));
  if (p !== undefined) return p;
  const b = branchTo(s, op, target);
  if (b !== undefined) {
    s.gpr[Gpr.rsp] = s.gpr[Gpr.rsp]! + BigInt(op.opsize);
    return b;
  }
  return RETIRED;
};

/** JMP rel8 / rel32. */
const jmp: X86Handler = (s, op) => branchTo(s, op, relativeTarget(op)) ?? RETIRED;

/** JMP r/m64. */
const jmpIndirect: X86Handler = (s, op) => {
  const fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  return branchTo(s, op, loaded) ?? RETIRED;
};

/** RET / RET imm16: pop the return address (a non-canonical one is #GP(0) with RSP unchanged), then release imm16 bytes. */
const ret: X86Handler = (s, op) => {
  const old = s.gpr[Gpr.rsp]!;
  const fault = pop(s, op, op.opsize);
  if (fault !== undefined) return fault;
  const b = branchTo(s, op, loaded);
  if (b !== undefined) {
    s.gpr[Gpr.rsp] = old;
    return b;
  }
  if (op.operands.length === 1) adjustStack(s, op, op.operands[0]!.imm & 0xffffn);
  return RETIRED;
};

/** Jcc rel8 / rel32. */
const jcc: X86Handler = (s, op) => {
  if (!conditionHolds(s, op.variant)) return RETIRED;
  return branchTo(s, op, relativeTarget(op)) ?? RETIRED;
};

/** SETcc r/m8. */
const setcc: X86Handler = (s, op) => writeOperand(s, op, 0, conditionHolds(s, op.variant) ? 1n : 0n) ?? RETIRED;

/** CMOVcc: the source is read (and may fault) whatever the condition; a 32-bit destination is zero-extended even when the condition fails (SDM vol. 2 CMOVcc). */
const cmovcc: X86Handler = (s, op) => {
  const fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  const dest = op.operands[0]!;
  setReg(s, dest.n, dest.size, conditionHolds(s, op.variant) ? loaded : getReg(s, dest.n, dest.size));
  return RETIRED;
};

/** XCHG: swap the operands (with memory, locked implicitly). */
const xchg: X86Handler = (s, op) => {
  let fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  const a = loaded;
  fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  const b = loaded;
  fault = writeOperand(s, op, 0, b);
  if (fault !== undefined) return fault;
  return writeOperand(s, op, 1, a) ?? RETIRED;
};

/** CMPXCHG: compare the accumulator with the destination (flags as CMP); equal: destination ← source; else accumulator ← destination. The destination is written either way (SDM vol. 2 CMPXCHG: "the destination operand is written back if the comparison fails"). */
const cmpxchg: X86Handler = (s, op) => {
  const size = op.operands[0]!.size;
  let fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  const dest = loaded;
  const acc = getReg(s, Gpr.rax, size);
  const equal = acc === dest;
  fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  fault = writeOperand(s, op, 0, equal ? loaded : dest);
  if (fault !== undefined) return fault;
  if (!equal) setReg(s, Gpr.rax, size, dest);
  setFlags(s, STATUS_FLAGS, subFlags(acc, dest, 0n, size));
  return RETIRED;
};

/** XADD: destination ← destination + source, source ← the old destination; flags as ADD. */
const xadd: X86Handler = (s, op) => {
  const size = op.operands[0]!.size;
  let fault = readOperand(s, op, 0);
  if (fault !== undefined) return fault;
  const a = loaded;
  fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  const b = loaded;
  fault = writeOperand(s, op, 1, a);
  if (fault !== undefined) return fault;
  fault = writeOperand(s, op, 0, (a + b) & MASKS[size]!);
  if (fault !== undefined) return fault;
  setFlags(s, STATUS_FLAGS, addFlags(a, b, 0n, size));
  return RETIRED;
};

/** BSWAP r32 / r64. */
const bswap: X86Handler = (s, op) => {
  const o = op.operands[0]!;
  let v = getReg(s, o.n, o.size);
  let r = 0n;
  for (let i = 0; i < o.size; i++) {
    r = (r << 8n) | (v & 0xffn);
    v >>= 8n;
  }
  setReg(s, o.n, o.size, r);
  return RETIRED;
};

/**
 * BT/BTS/BTR/BTC (variant 0–3): CF ← the bit; the others set, clear or
 * complement it. With a register bit offset and a memory operand the
 * offset addresses memory beyond the operand (signed, in operand-size
 * units; SDM vol. 2 BT); an immediate offset is taken modulo the size.
 * OF, SF, AF and PF are undefined (kept), ZF unchanged.
 */
const bt: X86Handler = (s, op) => {
  const dest = op.operands[0]!;
  const size = dest.size;
  const bits = BigInt(8 * size);
  let fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  let offset = loaded;
  let address: bigint | undefined;
  if (dest.loc === 2) {
    address = linear(s, op);
    if (op.operands[1]!.loc !== 3) {
      const so = signed(offset, size);
      const unit = so >= 0n ? so / bits : -((-so + bits - 1n) / bits);
      // The bit's address wraps as linear addresses do: at 2^64, or at 4 GiB in 32-bit code.
      address = BigInt.asUintN(op.insn!.codeSize === 8 ? 64 : 32, address + unit * BigInt(size));
      offset = so - unit * bits;
    } else offset &= bits - 1n;
    fault = readAt(op, address, size);
    if (fault !== undefined) return fault;
  } else {
    offset &= bits - 1n;
    fault = readOperand(s, op, 0);
    if (fault !== undefined) return fault;
  }
  const value = loaded;
  const bit = (value >> offset) & 1n;
  let r = value;
  if (op.variant === 1) r = value | (1n << offset);
  else if (op.variant === 2) r = value & ~(1n << offset);
  else if (op.variant === 3) r = value ^ (1n << offset);
  if (op.variant !== 0) {
    fault = address === undefined ? writeOperand(s, op, 0, r) : writeAtOp(op, address, size, r);
    if (fault !== undefined) return fault;
  }
  s.rflags = bit !== 0n ? s.rflags | Flag.CF : s.rflags & ~Flag.CF;
  return RETIRED;
};

/** BSF / BSR (variant 0 / 1): ZF = the source is 0 (the destination is then unchanged, as AMD documents and QEMU does); CF, OF, SF, AF, PF undefined (kept). */
const bsf: X86Handler = (s, op) => {
  const fault = readOperand(s, op, 1);
  if (fault !== undefined) return fault;
  const v = loaded;
  if (v === 0n) {
    s.rflags |= Flag.ZF;
    return RETIRED;
  }
  let index = 0;
  if (op.variant === 0) {
    while (((v >> BigInt(index)) & 1n) === 0n) index++;
  } else index = v.toString(2).length - 1;
  const dest = op.operands[0]!;
  setReg(s, dest.n, dest.size, BigInt(index));
  s.rflags &= ~Flag.ZF;
  return RETIRED;
};

/** CLC, STC, CMC, CLD, STD (variant 0–4). */
const flag: X86Handler = (s, op) => {
  switch (op.variant) {
    case 0:
      s.rflags &= ~Flag.CF;
      break;
    case 1:
      s.rflags |= Flag.CF;
      break;
    case 2:
      s.rflags ^= Flag.CF;
      break;
    case 3:
      s.rflags &= ~Flag.DF;
      break;
    default:
      s.rflags |= Flag.DF;
  }
  return RETIRED;
};

/** The integer family's handlers. */
export const INTEGER_SEMANTICS: Readonly<Record<string, X86Handler>> = {
  alu: aluHandler,
  test,
  mov,
  'mov-imm': mov,
  'mov-moffs': movMoffs,
  movzx,
  movsx,
  lea,
  incdec,
  not,
  neg,
  mul,
  imul,
  div,
  shift,
  cbw,
  cwd,
  push: pushHandler,
  pop: popHandler,
  'push-imm': pushImm,
  'push-seg': pushSeg,
  'pop-seg': popSeg,
  pushf,
  popf,
  call,
  'call-indirect': callIndirect,
  jmp,
  'jmp-indirect': jmpIndirect,
  ret,
  jcc,
  setcc,
  cmovcc,
  xchg,
  cmpxchg,
  xadd,
  bswap,
  bt,
  bsf,
  flag,
};
