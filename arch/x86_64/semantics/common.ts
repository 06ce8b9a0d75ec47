/**
 * What every x86-64 semantics family shares: the predecoded op, operand
 * locations resolved once at predecode, register and memory access with
 * the architecture's faults as trap values, and the flag computations
 * (SDM vol. 1 §3.4.3.1, appendix A).
 *
 * Values are bigints of the operand's width; a memory access goes through
 * {@link linear} (segment base, canonical check: #GP(0)) and the guest
 * memory (unmapped: #PF). Until the guest loads CR3 linear addresses map
 * one to one onto guest memory (the reset state's identity map,
 * `paging.ts`); after, an op's memory is the translating view
 * (`translated-memory.ts`) and a #PF's error code comes from the walk.
 * A non-canonical stack reference (PUSH, POP, CALL, RET, and a memory
 * operand addressed through RSP or RBP, which is in SS) is #SS(0), any
 * other #GP(0) (SDM vol. 3 §6.15, interrupts 12 and 13); an access is
 * non-canonical when any of its bytes is.
 *
 * Linear addresses reach memory in the signed representation
 * (`registers.ts`, {@link linearAddress}): the upper canonical half is
 * negative. Physical memory has nothing at a negative address, so without
 * paging an upper-half access is an unmapped one (#PF, P = 0): the reset
 * state's identity map cannot reach it, since a physical address has at
 * most 52 bits. Under paging the walk maps it (`paging.ts`).
 *
 * @module
 */

import { DecodedOp, type Handler } from '../../../src/interp/decoded-op.ts';
import type { DataFaultTrap, ExceptionTrap, StepResult, Trap, UndefinedTrap } from '../../../src/interp/step-result.ts';
import { Attr, Flag, isCanonical, linearAddress, NON_CANONICAL_PC, Seg, UPPER_HALF_START, type X86State } from '../registers.ts';
import { RIP_BASE, sizeOf, type X86Insn } from '../table.ts';

/** Where an operand lives, resolved at predecode. */
export const Loc = {
  /** A general register (`n`), at the operand's size. */
  reg: 0,
  /** AH, CH, DH or BH: bits 15:8 of register `n`. */
  high8: 1,
  /** Memory at the instruction's effective address. */
  mem: 2,
  /** An immediate (`imm`). */
  imm: 3,
  /** A segment register (`n`). */
  seg: 4,
  /** A control register (`n`). */
  cr: 5,
} as const;

/** One operand's location. */
export interface Operand {
  /** A {@link Loc} value. */
  readonly loc: number;
  /** Register number, where it is one. */
  readonly n: number;
  /** Size in bytes. */
  readonly size: number;
  /** The immediate, where it is one (64-bit two's complement). */
  readonly imm: bigint;
}

/** The semantics handler of an x86 op. */
export type X86Handler = (s: X86State, op: X86Op) => StepResult;

/** A predecoded x86 instruction: the decoded fields and its operands' locations. */
export class X86Op extends DecodedOp<X86State> {
  /** What the step loop calls (the row's handler). */
  declare exec: Handler<X86State>;
  /** The op's index in the trace recorder it is registered with. */
  declare traceId: number;
  /** The decoded instruction (undefined for the fault pseudo-ops). */
  insn: X86Insn | undefined = undefined;
  /** Operands in Intel order. */
  operands: readonly Operand[] = [];
  /** Operand size in bytes. */
  opsize = 8;
}

/** Handlers that end a block: they change RIP or leave for the exception model, or change what later instructions depend on (CR3, the segments, MSRs, RFLAGS.IF). */
const BLOCK_ENDING: ReadonlySet<string> = new Set(['invlpg', 'call', 'call-indirect', 'jmp', 'jmp-indirect', 'ret', 'jcc', 'vmcall', 'vmmcall', 'syscall', 'sysret', 'iret', 'int', 'int3', 'ud2', 'hlt', 'mov-to-cr', 'mov-to-seg', 'wrmsr', 'lgdt', 'ltr', 'swapgs', 'popf', 'cli']);

/**
 * Rows whose handlers model 64-bit mode only, by handler name: in
 * compatibility mode predecode makes them a `compat-unsupported` stop
 * (`core.ts`). MOV to and from CR (32-bit
 * operands there), MOV to a segment register and POP FS/GS and PUSH FS/GS
 * (legacy descriptor loads), LGDT/LIDT (a 6-byte pseudo-descriptor),
 * IRETD/IRETQ and SYSRET from 32-bit code.
 */
export const COMPAT_UNMODELLED_HANDLERS: ReadonlySet<string> = new Set(['mov-from-cr', 'mov-to-cr', 'mov-to-seg', 'push-seg', 'pop-seg', 'lgdt', 'iret', 'sysret']);

/** Whether `op` ends a block (the interpreter's block loop and the JIT's translator both stop after it): a fault pseudo-op, or a handler of `BLOCK_ENDING`. */
export function endsX86Block(op: X86Op): boolean {
  return op.insn === undefined || BLOCK_ENDING.has(op.insn.row.handler);
}

/** Mask of the low `size` bytes. */
export const MASKS: readonly bigint[] = [0n, 0xffn, 0xffffn, 0n, 0xffff_ffffn, 0n, 0n, 0n, 0xffff_ffff_ffff_ffffn];
/** The sign bit of `size` bytes. */
export const SIGNS: readonly bigint[] = [0n, 0x80n, 0x8000n, 0n, 0x8000_0000n, 0n, 0n, 0n, 0x8000_0000_0000_0000n];

/** Resolve the operands of a decoded instruction. */
export function resolveOperands(insn: X86Insn): Operand[] {
  const out: Operand[] = [];
  for (const def of insn.row.operands) {
    const size = sizeOf(def.size, insn.opsize);
    switch (def.kind) {
      case 'E':
      case 'M':
      case 'R':
        if (insn.mod === 3) out.push(regOperand(insn.rm, size, insn.rex));
        else out.push({ loc: Loc.mem, n: 0, size, imm: 0n });
        break;
      case 'G':
        out.push(regOperand(insn.reg, size, insn.rex));
        break;
      case 'Z':
        out.push(regOperand(insn.rm, size, insn.rex));
        break;
      case 'F':
        out.push({ loc: Loc.reg, n: def.reg!, size, imm: 0n });
        break;
      case 'S':
        out.push({ loc: Loc.seg, n: insn.reg & 7, size: 2, imm: 0n });
        break;
      case 'C':
        out.push({ loc: Loc.cr, n: insn.reg, size: 8, imm: 0n });
        break;
      case 'Is':
        // Sign-extended to the operand size (SDM vol. 2 §A.2.2 "ib"/"iz" with the operand's size).
        out.push({ loc: Loc.imm, n: 0, size: def.size === 'b' || def.size === 'z' ? insn.opsize : size, imm: insn.imm });
        break;
      case 'I':
      case 'J':
        out.push({ loc: Loc.imm, n: 0, size, imm: insn.imm });
        break;
      case 'one':
        out.push({ loc: Loc.imm, n: 0, size: 1, imm: 1n });
        break;
      case 'O':
        out.push({ loc: Loc.mem, n: 0, size, imm: 0n });
        break;
      case 'K':
        out.push({ loc: Loc.seg, n: def.reg!, size: 2, imm: 0n });
        break;
      default: {
        const unreachable: never = def.kind;
        throw new Error(`x86_64: unknown operand kind ${String(unreachable)}`);
      }
    }
  }
  return out;
}

function regOperand(n: number, size: number, rex: number): Operand {
  if (size === 1 && rex === 0 && n >= 4 && n < 8) return { loc: Loc.high8, n: n - 4, size: 1, imm: 0n };
  return { loc: Loc.reg, n, size, imm: 0n };
}

/** Read general register `n` at `size` bytes. */
export function getReg(s: X86State, n: number, size: number): bigint {
  const v = s.gpr[n]!;
  return size === 8 ? v : v & MASKS[size]!;
}

/** Write general register `n` at `size` bytes: a 32-bit write zero-extends, 8- and 16-bit writes merge (SDM vol. 1 §3.4.1.1). */
export function setReg(s: X86State, n: number, size: number, value: bigint): void {
  if (size === 8) s.gpr[n] = value;
  else if (size === 4) s.gpr[n] = value & 0xffff_ffffn;
  else s.gpr[n] = (s.gpr[n]! & ~MASKS[size]!) | (value & MASKS[size]!);
}

/** The value the last {@link readAt} or {@link readOperand} left. */
export let loaded = 0n;

/** A #UD for `op`. */
export function undefinedOp(op: X86Op, reason: string): UndefinedTrap {
  return { kind: 'trap', cause: 'undefined', address: op.address, next: op.next, reason };
}

/** A #GP(`code`) for `op` (vector 13). */
export function generalProtection(op: { readonly address: number; readonly next: number }, reason: string, code = 0): ExceptionTrap {
  return { kind: 'trap', cause: 'exception', address: op.address, next: op.next, vector: 13, errorCode: code, reason };
}

/** The segment an operand's address is in: the override, else SS for RSP/RBP bases, else DS (SDM vol. 1 §3.7.4). */
function segmentOf(insn: X86Insn): number {
  if (insn.segment >= 0) return insn.segment;
  return insn.base === 4 || insn.base === 5 ? Seg.ss : Seg.ds;
}

/** The effective address of the op's memory operand (before the segment base), 64-bit (or 32-bit with 67). */
export function effectiveAddress(s: X86State, op: X86Op): bigint {
  const insn = op.insn!;
  if (insn.row.operands.some((o) => o.kind === 'O')) return insn.imm;
  let ea = BigInt(insn.disp);
  if (insn.base === RIP_BASE) ea += BigInt(op.next);
  else if (insn.base >= 0) ea += s.gpr[insn.base]!;
  if (insn.index >= 0) ea += s.gpr[insn.index]! << BigInt(insn.scale);
  return insn.adsize === 4 ? ea & 0xffff_ffffn : BigInt.asUintN(64, ea);
}

/**
 * The linear address of the op's memory operand: in 64-bit mode FS and GS
 * add their bases and the others are zero-based (SDM vol. 3 §3.2.4); in
 * 32-bit code every segment adds its hidden base and the sum wraps at
 * 4 GiB (SDM vol. 3 §3.4; QEMU `gen_lea_v_seg`). Segment limits are not
 * checked (the flat segments Linux loads have none that matter).
 */
export function linear(s: X86State, op: X86Op): bigint {
  const insn = op.insn!;
  const ea = effectiveAddress(s, op);
  const seg = segmentOf(insn);
  if (insn.codeSize !== 8) return (ea + s.segBase[seg]!) & 0xffff_ffffn;
  if (seg === Seg.fs || seg === Seg.gs) return BigInt.asUintN(64, ea + s.segBase[seg]!);
  return ea;
}

/** True for a canonical address (an unsigned 64-bit bigint; {@link isCanonical}). */
const canonical = isCanonical;

/**
 * The signed representation of an access of `size` bytes at linear
 * `address` (an unsigned bigint, or a sum that may have passed 2^64), or
 * NaN when any of its bytes is non-canonical.
 */
function accessAddress(address: bigint, size: number): number {
  const a = linearAddress(address);
  return a >= UPPER_HALF_START && a + size <= NON_CANONICAL_PC ? a : Number.NaN;
}

/** Whether an access of `size` bytes at linear `address` touches a non-canonical byte. */
function nonCanonical(address: bigint, size: number): boolean {
  const a = accessAddress(address, size);
  return a !== a;
}

/** A data fault: #GP(0) for a non-canonical address, #PF for an unmapped one at `faultAddress` (the signed representation). */
function dataFaultAt(op: { readonly address: number; readonly next: number }, faultAddress: number, size: number, write: boolean, fault: 'unmapped' | 'non-canonical'): DataFaultTrap {
  return { kind: 'trap', cause: 'data-fault', address: op.address, next: op.next, faultAddress, write, size, fault };
}

/** A data fault at linear `address` (an unsigned bigint): #GP(0) when an access of `size` bytes there is non-canonical, else #PF. */
export function dataFault(op: { readonly address: number; readonly next: number }, address: bigint, size: number, write: boolean): DataFaultTrap {
  const a = accessAddress(address, size);
  return a === a ? dataFaultAt(op, a, size, write, 'unmapped') : dataFaultAt(op, linearAddress(address), size, write, 'non-canonical');
}

/** Read `size` bytes at linear `address` into {@link loaded}; a trap on a fault. */
export function readAt(op: X86Op, address: bigint, size: number): Trap | undefined {
  const a = accessAddress(address, size);
  if (a !== a) return dataFault(op, address, size, false);
  const m = op.memory;
  let v: number | bigint | undefined;
  switch (size) {
    case 1:
      v = m.read8(a);
      break;
    case 2:
      v = m.read16(a);
      break;
    case 4:
      v = m.read32(a);
      break;
    default:
      v = m.read64(a);
  }
  if (v === undefined) return dataFaultAt(op, firstFaulting(op, a, size, false), size, false, 'unmapped');
  loaded = typeof v === 'bigint' ? v : BigInt(v);
  return undefined;
}

/** The first byte of an access that faults (a #PF reports the page that faulted: for a split access whose second page faults, CR2 is that page's first byte). */
function firstFaulting(op: X86Op, a: number, size: number, write: boolean): number {
  const m = op.memory;
  for (let i = 0; i < size; i++) if (!(write ? m.isWritable(a + i) : m.isMapped(a + i))) return a + i;
  return a;
}

/** Write `size` bytes at linear `address`; a trap on a fault (nothing written). */
export function writeAt(op: X86Op, address: bigint, size: number, value: bigint): Trap | undefined {
  const a = accessAddress(address, size);
  if (a !== a) return dataFault(op, address, size, true);
  const m = op.memory;
  let ok: boolean;
  switch (size) {
    case 1:
      ok = m.write8(a, Number(value & 0xffn));
      break;
    case 2:
      ok = m.write16(a, Number(value & 0xffffn));
      break;
    case 4:
      ok = m.write32(a, Number(value & 0xffff_ffffn));
      break;
    default:
      ok = m.write64(a, BigInt.asUintN(64, value));
  }
  return ok ? undefined : dataFaultAt(op, firstFaulting(op, a, size, true), size, true, 'unmapped');
}

/** Read operand `i` into {@link loaded}; a trap on a memory fault. */
export function readOperand(s: X86State, op: X86Op, i: number): Trap | undefined {
  const o = op.operands[i]!;
  switch (o.loc) {
    case Loc.reg:
      loaded = getReg(s, o.n, o.size);
      return undefined;
    case Loc.high8:
      loaded = (s.gpr[o.n]! >> 8n) & 0xffn;
      return undefined;
    case Loc.imm:
      loaded = o.imm & MASKS[o.size === 0 ? 8 : o.size]!;
      return undefined;
    case Loc.mem: {
      const address = linear(s, op);
      if (segmentOf(op.insn!) === Seg.ss && nonCanonical(address, o.size)) return stackFault(op);
      return readAt(op, address, o.size);
    }
    case Loc.seg:
      loaded = BigInt(s.sel[o.n]!);
      return undefined;
    default:
      loaded = 0n;
      return undefined;
  }
}

/** An immediate operand sign- or zero-extended to `size` as decoded (for the forms whose immediate is narrower than the operand). */
export function immediate(op: X86Op, i: number, size: number): bigint {
  return op.operands[i]!.imm & MASKS[size]!;
}

/** Write operand `i`; a trap on a memory fault. */
export function writeOperand(s: X86State, op: X86Op, i: number, value: bigint): Trap | undefined {
  const o = op.operands[i]!;
  switch (o.loc) {
    case Loc.reg:
      setReg(s, o.n, o.size, value);
      return undefined;
    case Loc.high8:
      s.gpr[o.n] = (s.gpr[o.n]! & ~0xff00n) | ((value & 0xffn) << 8n);
      return undefined;
    case Loc.mem: {
      const address = linear(s, op);
      if (segmentOf(op.insn!) === Seg.ss && nonCanonical(address, o.size)) return stackFault(op);
      return writeAt(op, address, o.size, value);
    }
    default:
      return undefined;
  }
}

/** Parity of the low byte: PF is set when it has an even number of ones. */
export function parity(value: bigint): number {
  let b = Number(value & 0xffn);
  b ^= b >> 4;
  b ^= b >> 2;
  b ^= b >> 1;
  return (b & 1) === 0 ? Flag.PF : 0;
}

/** SF, ZF and PF of a result of `size` bytes. */
export function szp(result: bigint, size: number): number {
  return (result === 0n ? Flag.ZF : 0) | ((result & SIGNS[size]!) !== 0n ? Flag.SF : 0) | parity(result);
}

/** Replace the status flags in `mask` with `flags`. */
export function setFlags(s: X86State, mask: number, flags: number): void {
  s.rflags = (s.rflags & ~mask) | (flags & mask);
}

/** The flags of `a + b + carry` at `size` bytes, and its result (SDM vol. 2 ADD/ADC). */
export function addFlags(a: bigint, b: bigint, carry: bigint, size: number): number {
  const mask = MASKS[size]!;
  const full = a + b + carry;
  const r = full & mask;
  const sign = SIGNS[size]!;
  let f = szp(r, size);
  if (full > mask) f |= Flag.CF;
  if (((a ^ r) & (b ^ r) & sign) !== 0n) f |= Flag.OF;
  if (((a ^ b ^ r) & 0x10n) !== 0n) f |= Flag.AF;
  return f;
}

/** The flags of `a − b − borrow` at `size` bytes (SDM vol. 2 SUB/SBB/CMP). */
export function subFlags(a: bigint, b: bigint, borrow: bigint, size: number): number {
  const mask = MASKS[size]!;
  const r = (a - b - borrow) & mask;
  const sign = SIGNS[size]!;
  let f = szp(r, size);
  if (a < b + borrow) f |= Flag.CF;
  if (((a ^ b) & (a ^ r) & sign) !== 0n) f |= Flag.OF;
  if (((a ^ b ^ r) & 0x10n) !== 0n) f |= Flag.AF;
  return f;
}

/** Sign-extend the low `size` bytes of `value` to a signed bigint. */
export function signed(value: bigint, size: number): bigint {
  return BigInt.asIntN(8 * size, value);
}

/** Whether condition `cc` holds (SDM vol. 1 appendix B, table B-1). */
export function conditionHolds(s: X86State, cc: number): boolean {
  return conditionOf(s.rflags, cc);
}

/** Whether condition `cc` holds for RFLAGS `f` (the same table; the JIT's translator calls it on its RFLAGS local). */
export function conditionOf(f: number, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0:
      r = (f & Flag.OF) !== 0;
      break;
    case 1:
      r = (f & Flag.CF) !== 0;
      break;
    case 2:
      r = (f & Flag.ZF) !== 0;
      break;
    case 3:
      r = (f & (Flag.CF | Flag.ZF)) !== 0;
      break;
    case 4:
      r = (f & Flag.SF) !== 0;
      break;
    case 5:
      r = (f & Flag.PF) !== 0;
      break;
    case 6:
      r = ((f & Flag.SF) !== 0) !== ((f & Flag.OF) !== 0);
      break;
    default:
      r = (f & Flag.ZF) !== 0 || ((f & Flag.SF) !== 0) !== ((f & Flag.OF) !== 0);
  }
  return (cc & 1) === 0 ? r : !r;
}

/** #SS(0): a stack reference to a non-canonical address (SDM vol. 3 §6.15, interrupt 12). */
export function stackFault(op: X86Op): ExceptionTrap {
  return { kind: 'trap', cause: 'exception', address: op.address, next: op.next, vector: 12, errorCode: 0, reason: 'non-canonical stack address' };
}

/**
 * The stack-pointer width of 32-bit code as a mask: ESP with SS.B = 1, SP
 * with SS.B = 0 (SDM vol. 3 §3.4.5, the D/B flag of a stack segment).
 */
function stackMask(s: X86State): bigint {
  return (s.segAttr[Seg.ss]! & Attr.DB) !== 0 ? 0xffff_ffffn : 0xffffn;
}

/** Set the stack pointer of 32-bit code to `sp` (already masked): ESP is written as a 32-bit register write (zero-extended into RSP, as QEMU does), SP merges. */
function setStackPointer(s: X86State, mask: bigint, sp: bigint): void {
  s.gpr[4] = mask === 0xffffn ? (s.gpr[4]! & ~0xffffn) | sp : sp;
}

/** Add `delta` to the stack pointer at its width: RSP in 64-bit mode, ESP or SP in 32-bit code (RET imm16's release, a rolled-back push). */
export function adjustStack(s: X86State, op: X86Op, delta: bigint): void {
  if (op.insn!.codeSize === 8) {
    s.gpr[4] = BigInt.asUintN(64, s.gpr[4]! + delta);
    return;
  }
  const mask = stackMask(s);
  setStackPointer(s, mask, (s.gpr[4]! + delta) & mask);
}

/**
 * Push `size` bytes (the stack pointer is 64 bits wide in 64-bit mode; SDM
 * vol. 1 §6.2.3; in 32-bit code ESP or SP by SS.B, at SS's base, wrapping
 * at 4 GiB); RSP changes only when the write lands.
 */
export function push(s: X86State, op: X86Op, size: number, value: bigint): Trap | undefined {
  if (op.insn!.codeSize !== 8) {
    const mask = stackMask(s);
    const sp = (s.gpr[4]! - BigInt(size)) & mask;
    const fault = writeAt(op, (sp + s.segBase[Seg.ss]!) & 0xffff_ffffn, size, value);
    if (fault !== undefined) return fault;
    setStackPointer(s, mask, sp);
    return undefined;
  }
  const rsp = BigInt.asUintN(64, s.gpr[4]! - BigInt(size));
  if (nonCanonical(rsp, size)) return stackFault(op);
  const fault = writeAt(op, rsp, size, value);
  if (fault !== undefined) return fault;
  s.gpr[4] = rsp;
  return undefined;
}

/** Pop `size` bytes into {@link loaded} (in 32-bit code through ESP or SP, as {@link push}). */
export function pop(s: X86State, op: X86Op, size: number): Trap | undefined {
  if (op.insn!.codeSize !== 8) {
    const mask = stackMask(s);
    const sp = s.gpr[4]! & mask;
    const fault = readAt(op, (sp + s.segBase[Seg.ss]!) & 0xffff_ffffn, size);
    if (fault !== undefined) return fault;
    setStackPointer(s, mask, (sp + BigInt(size)) & mask);
    return undefined;
  }
  const rsp = s.gpr[4]!;
  if (nonCanonical(rsp, size)) return stackFault(op);
  const fault = readAt(op, rsp, size);
  if (fault !== undefined) return fault;
  s.gpr[4] = BigInt.asUintN(64, rsp + BigInt(size));
  return undefined;
}

/** Set RIP to a 64-bit target (an unsigned bigint): a non-canonical one is #GP(0) on the branch itself (SDM vol. 2 JMP: "If target offset is non-canonical"); RIP keeps the signed representation. */
export function branchTo(s: X86State, op: X86Op, target: bigint): StepResult | undefined {
  // In 32-bit code the target is EIP (IP with a 16-bit operand size), truncated, never non-canonical (SDM vol. 2 JMP: "tempEIP AND 0000FFFFH").
  if (op.insn!.codeSize !== 8) {
    s.pc = Number(target & (op.insn!.operandPrefix ? 0xffffn : 0xffff_ffffn));
    return undefined;
  }
  if (!canonical(target)) return generalProtection(op, 'non-canonical branch target');
  s.pc = linearAddress(target);
  return undefined;
}

/** CPL of the state, the guard every privileged instruction checks first (SDM vol. 3 §5.9). */
export function privileged(s: X86State): boolean {
  return s.cpl === 0;
}

/** True when CS is a 64-bit segment (the code size, `codeSizeOf` in `registers.ts`, decides how code decodes). */
export function longCode(s: X86State): boolean {
  return (s.segAttr[Seg.cs]! & Attr.L) !== 0;
}
