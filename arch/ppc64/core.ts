/**
 * The ppc64 execution core: predecoding (fetch in the current byte order,
 * table decode, the row's semantics), the single execute dispatch, the
 * register view and the machine factory.
 *
 * @module
 */

import { TableInstructionSet } from '../../src/isa/assembler.ts';
import { DecodedOp } from '../../src/interp/decoded-op.ts';
import type { EngineName } from '../../src/interp/backend.ts';
import type { ExecutionCore, LoopHost, RunLoop } from '../../src/interp/interpreter.ts';
import { Jit } from '../../src/jit/jit.ts';
import { CoreMachine, type RegisterView } from '../../src/interp/machine.ts';
import { RETIRED, stop, type CallTrap, type ExceptionReturn, type Retired, type StepResult, type Stop, type Trap } from '../../src/interp/step-result.ts';
import { instanceCopy } from '../../src/interp/instance-code.ts';
import type { TraceSink } from '../../src/interp/trace.ts';
import { GuestMemory, type CodeWriteListener, type Endian, type FlatWindow } from '../../src/memory/guest-memory.ts';
import { deliverPpc64, exceptionReturnPpc64, PPC64_EXCEPTION_KIT, returnFromInterruptPpc64, systemCallPpc64, Vector, type Ppc64ExceptionKit } from './exceptions.ts';
import {
  createPpc64State,
  high32,
  join64,
  low32,
  MODE_NAMES,
  modeMsr,
  modeName,
  pcValue,
  readXer,
  setPc,
  SPR_BY_NAME,
  writeMsr,
  writeXer,
  type ModeName,
  type Ppc64State,
} from './registers.ts';
import { add, addImmediate, addImmediateCarrying, AddForm, addRegisters, divide, loadImmediate, multiplyImmediate, multiplyLow, subtractFromImmediate } from './semantics/arithmetic.ts';
import { AA, branch, branchConditional, branchOnCondition, branchOnConditionNear, branchOnCount, branchToCount, branchToLink, LK } from './semantics/branch.ts';
import { illegalInstruction, swap32, type Op, type PpcHandler } from './semantics/common.ts';
import { compare } from './semantics/compare.ts';
import { PPC64_SEMANTICS } from './semantics/index.ts';
import { load, store } from './semantics/load-store.ts';
import { andImmediate, countLeadingZeros, extendSign, logical, LogicalForm, or, orImmediate, xor, xorImmediate } from './semantics/logical.ts';
import { rotateDoubleword, rotateWord, shift } from './semantics/rotate.ts';
import { moveFromCount, moveFromLink, moveToCount, moveToLink } from './semantics/special.ts';
import { noOperation, raiseFixed, returnFromInterrupt, trap } from './semantics/system.ts';
import { PPC64_TABLE } from './table.ts';
import { Ppc64Translator, type Ppc64TranslatorOptions } from './jit/translator.ts';

const instructionSets: Record<Endian, TableInstructionSet> = {
  big: new TableInstructionSet(PPC64_TABLE, 'big', ['#']),
  little: new TableInstructionSet(PPC64_TABLE, 'little', ['#']),
};

/** The Power instruction set in a byte order, for the assembler and disassembler (comments start with `#`). */
export function ppc64InstructionSet(endian: Endian): TableInstructionSet {
  return instructionSets[endian];
}

/**
 * Guest memory that can tell its code listeners (the interpreter's
 * predecode cache) that every instruction changed: when MSR[LE] flips, the
 * same bytes decode to other instructions.
 */
export class Ppc64Memory extends GuestMemory {
  private readonly codeListeners: CodeWriteListener[] = [];
  /** The flat window as it is now (see `GuestMemory.window`), kept current for the loads and stores that use it directly. */
  flat: FlatWindow;

  /** @param endian the memory's byte order (the machine's boot byte order). */
  constructor(endian: Endian) {
    super(endian);
    this.flat = this.window();
    this.onLayoutChange(() => {
      this.flat = this.window();
    });
  }

  /** Register a listener for writes to code (kept so that {@link Ppc64Memory.invalidateAllCode} can reach it). */
  override onCodeWrite(listener: CodeWriteListener): void {
    super.onCodeWrite(listener);
    this.codeListeners.push(listener);
  }

  /** Tell every code listener that all code changed. */
  invalidateAllCode(): void {
    for (const listener of this.codeListeners) listener(0, Number.MAX_SAFE_INTEGER);
  }
}

/**
 * Handlers that get a direct, monomorphic call from {@link executePpc64},
 * in `op.kind` order. Every other handler runs through `op.inner`.
 */
const DIRECT_HANDLERS: readonly PpcHandler[] = [
  loadImmediate,
  addImmediate,
  addImmediateCarrying,
  add,
  addRegisters,
  xor,
  or,
  logical,
  orImmediate,
  andImmediate,
  rotateWord,
  rotateDoubleword,
  shift,
  compare,
  branch,
  branchConditional,
  branchOnCondition,
  branchOnCount,
  branchToLink,
  branchToCount,
  load,
  store,
  moveFromLink,
  moveToLink,
  moveFromCount,
  moveToCount,
  raiseFixed,
  noOperation,
  returnFromInterrupt,
  trap,
  extendSign,
  xorImmediate,
  multiplyLow,
  multiplyImmediate,
  subtractFromImmediate,
  countLeadingZeros,
  divide,
  branchOnConditionNear,
];

/**
 * The single `exec` of every ppc64 op: a switch on `op.kind` to the row's
 * handler. One function at the loop's call site keeps that call
 * monomorphic, and each case's call is monomorphic too, so V8 can inline
 * them.
 */
function executePpc64(s: Ppc64State, op: Op): StepResult {
  switch (op.kind) {
    case 0:
      return loadImmediate(s, op);
    case 1:
      return addImmediate(s, op);
    case 2:
      return addImmediateCarrying(s, op);
    case 3:
      return add(s, op);
    case 4:
      return addRegisters(s, op);
    case 5:
      return xor(s, op);
    case 6:
      return or(s, op);
    case 7:
      return logical(s, op);
    case 8:
      return orImmediate(s, op);
    case 9:
      return andImmediate(s, op);
    case 10:
      return rotateWord(s, op);
    case 11:
      return rotateDoubleword(s, op);
    case 12:
      return shift(s, op);
    case 13:
      return compare(s, op);
    case 14:
      return branch(s, op);
    case 15:
      return branchConditional(s, op);
    case 16:
      return branchOnCondition(s, op);
    case 17:
      return branchOnCount(s, op);
    case 18:
      return branchToLink(s, op);
    case 19:
      return branchToCount(s, op);
    case 20:
      return load(s, op);
    case 21:
      return store(s, op);
    case 22:
      return moveFromLink(s, op);
    case 23:
      return moveToLink(s, op);
    case 24:
      return moveFromCount(s, op);
    case 25:
      return moveToCount(s, op);
    case 26:
      return op.fixed!;
    case 27:
      return noOperation(s, op);
    case 28:
      return returnFromInterrupt(s, op);
    case 29:
      return trap(s, op);
    case 30:
      return extendSign(s, op);
    case 31:
      return xorImmediate(s, op);
    case 32:
      return multiplyLow(s, op);
    case 33:
      return multiplyImmediate(s, op);
    case 34:
      return subtractFromImmediate(s, op);
    case 35:
      return countLeadingZeros(s, op);
    case 36:
      return divide(s, op);
    case 37:
      return branchOnConditionNear(s, op);
    default:
      return op.inner(s, op);
  }
}

const misalignedFetch: PpcHandler = (s, op) => {
  s.pc = op.address;
  return stop('unpredictable', `the PC 0x${op.address.toString(16)} is not word-aligned (NIA[62:63] is always 0 in the ISA)`);
};

/**
 * The ppc64 op: a DecodedOp of this backend's own class, so that V8 tracks
 * its fields' representations apart from other backends' ops (which share
 * the base class and may widen a field's representation for everyone).
 */
class Ppc64Op extends DecodedOp<Ppc64State> {}

/** Predecode the instruction at `address`, fetched in the byte order MSR[LE] selects. Never throws. */
export function predecodePpc64(memory: Ppc64Memory, s: Ppc64State, address: number): Op {
  if (address % 4 !== 0) {
    const op = new Ppc64Op('misaligned', address, 4, 0, misalignedFetch, memory);
    op.cacheable = false;
    return dispatched(op);
  }
  const raw = memory.fetch32(address);
  if (raw === undefined) {
    const op = new Ppc64Op('fetch-fault', address, 4, 0, raiseFixed, memory);
    op.fixed = { kind: 'trap', cause: 'fetch-fault', address, next: address + 4 };
    op.cacheable = false;
    return dispatched(op);
  }
  const word = s.swap !== 0 ? swap32(raw) >>> 0 : raw;
  const match = PPC64_TABLE.decode(word);
  if (match === undefined) {
    const op = new Ppc64Op('illegal', address, 4, word, raiseFixed, memory);
    op.fixed = illegalInstruction(op, 'unknown encoding');
    return dispatched(op);
  }
  const name = match.entry.def.name;
  const op = new Ppc64Op(name, address, 4, word, raiseFixed, memory);
  const prepare = PPC64_SEMANTICS[name];
  if (prepare === undefined) {
    op.fixed = illegalInstruction(op, `no semantics for ${name}`);
    return dispatched(op);
  }
  op.inner = prepare(op, match.fields);
  return dispatched(op);
}

/** Route an op through {@link executePpc64}, so that every ppc64 op has the same `exec`, and choose its inline form ({@link fastKindOf}). */
function dispatched(op: Op): Op {
  op.kind = DIRECT_HANDLERS.indexOf(op.inner);
  op.exec = executePpc64;
  op.fast = fastKindOf(op);
  return op;
}

/**
 * `op.fast` of the ppc64 forms the interpreter's block loop
 * (`interpretPpc64Blocks`) performs inline (chosen in `fastKindOf`).
 * The loop's source uses the numbers themselves (it is closed, see
 * `instanceCopy`): the ALU forms first, then the branches (which end their
 * block), then sc and rfid (which go straight to the exception model).
 */
export const Ppc64FastKind = {
  /** li, lis (addi, addis with RA = 0). */
  loadImmediate: 1,
  /** addi, addis with RA ≠ 0. */
  addImmediate: 2,
  /** addic. */
  addImmediateCarrying: 3,
  /** addic. (CR0 too). */
  addImmediateCarryingRecord: 4,
  /** add (no OE, no Rc). */
  add: 5,
  /** subf (no OE, no Rc). */
  subtractFrom: 6,
  /** or, mr (no Rc). */
  or: 7,
  /** xor (no Rc). */
  xor: 8,
  /** and (no Rc). */
  and: 9,
  /** ori, oris (not nop). */
  orImmediate: 10,
  /** xori, xoris. */
  xorImmediate: 11,
  /** andi., andis. */
  andImmediate: 12,
  /** rlwinm (and its extended mnemonics: slwi, srwi, clrlwi, …), no Rc. */
  rotateWord: 13,
  /** rlwinm. */
  rotateWordRecord: 14,
  /** rldicl, rldicr, rldic (sldi, srdi, clrldi, …), no Rc. */
  rotateDoubleword: 15,
  /** rldicl., rldicr., rldic. */
  rotateDoublewordRecord: 16,
  /** The compares: `compare + op.variant` (cmpw 17 … cmpldi 24; see compare.ts's variant bits). */
  compare: 17,
  /** extsb, extsh, extsw (no Rc). */
  extendSign: 25,
  /** mflr. */
  moveFromLink: 26,
  /** mtlr. */
  moveToLink: 27,
  /** mfctr. */
  moveFromCount: 28,
  /** mtctr. */
  moveToCount: 29,
  /** nop, sync, isync, eieio. */
  noOperation: 30,
  /** b (relative, no LK). The first form that ends its block. */
  branch: 31,
  /** bl (relative). */
  branchWithLink: 32,
  /** bc on a CR bit, relative, no LK, target fixed below 2^31 (`branchOnConditionNear`). */
  branchOnConditionNear: 33,
  /** bc on a CR bit, relative, no LK (`branchOnCondition`). */
  branchOnCondition: 34,
  /** bdnz, bdz (`branchOnCount`). */
  branchOnCount: 35,
  /** blr (BO "branch always", no LK). */
  branchToLink: 36,
  /** bctr (BO "branch always", no LK). */
  branchToCount: 37,
  /** bctrl. */
  branchToCountWithLink: 38,
  /** sc, sc 1 (not at the vector itself): straight to the exception model's system-call entry. */
  systemCall: 39,
  /** rfid: straight to the exception model's return, outside problem state. */
  returnFromInterrupt: 40,
} as const;

/** BO "branch always" (BO[0] = 1: ignore the CR; BO[2] = 1: leave CTR alone), Book I 2.4. */
const BRANCH_ALWAYS = 0b10100;

/**
 * The inline form of `op` ({@link DecodedOp.fast}, {@link Ppc64FastKind}),
 * decided once here from its handler and slots: each is exactly what the
 * handler does (test/arch/ppc64/inline-ops.test.ts checks them). 0: the op
 * runs through `op.exec`.
 */
function fastKindOf(op: Op): number {
  const handler = op.inner;
  if (handler === loadImmediate) return Ppc64FastKind.loadImmediate;
  if (handler === addImmediate) return Ppc64FastKind.addImmediate;
  if (handler === addImmediateCarrying) return op.variant === 0 ? Ppc64FastKind.addImmediateCarrying : Ppc64FastKind.addImmediateCarryingRecord;
  if (handler === add) return Ppc64FastKind.add;
  if (handler === addRegisters) return op.src3 === AddForm.subf && op.variant === 0 ? Ppc64FastKind.subtractFrom : 0;
  if (handler === or) return Ppc64FastKind.or;
  if (handler === xor) return Ppc64FastKind.xor;
  if (handler === logical) return op.variant === LogicalForm.and && !op.setFlags ? Ppc64FastKind.and : 0;
  if (handler === orImmediate) return Ppc64FastKind.orImmediate;
  if (handler === xorImmediate) return Ppc64FastKind.xorImmediate;
  if (handler === andImmediate) return Ppc64FastKind.andImmediate;
  if (handler === rotateWord) return op.variant !== 0 ? 0 : op.setFlags ? Ppc64FastKind.rotateWordRecord : Ppc64FastKind.rotateWord;
  if (handler === rotateDoubleword) return op.variant !== 0 ? 0 : op.setFlags ? Ppc64FastKind.rotateDoublewordRecord : Ppc64FastKind.rotateDoubleword;
  if (handler === compare) return Ppc64FastKind.compare + op.variant;
  if (handler === extendSign) return op.setFlags ? 0 : Ppc64FastKind.extendSign;
  if (handler === moveFromLink) return Ppc64FastKind.moveFromLink;
  if (handler === moveToLink) return Ppc64FastKind.moveToLink;
  if (handler === moveFromCount) return Ppc64FastKind.moveFromCount;
  if (handler === moveToCount) return Ppc64FastKind.moveToCount;
  if (handler === noOperation) return Ppc64FastKind.noOperation;
  if (handler === branch) return (op.flags & AA) !== 0 ? 0 : (op.flags & LK) !== 0 ? Ppc64FastKind.branchWithLink : Ppc64FastKind.branch;
  if (handler === branchOnConditionNear) return Ppc64FastKind.branchOnConditionNear;
  if (handler === branchOnCondition) return Ppc64FastKind.branchOnCondition;
  if (handler === branchOnCount) return Ppc64FastKind.branchOnCount;
  if (handler === branchToLink) return (op.variant & BRANCH_ALWAYS) === BRANCH_ALWAYS && (op.flags & LK) === 0 ? Ppc64FastKind.branchToLink : 0;
  if (handler === branchToCount) {
    if ((op.variant & BRANCH_ALWAYS) !== BRANCH_ALWAYS) return 0;
    return (op.flags & LK) !== 0 ? Ppc64FastKind.branchToCountWithLink : Ppc64FastKind.branchToCount;
  }
  // sc at the vector itself would re-enter forever: the exception model's generic path stops the run there.
  if (handler === raiseFixed) return op.fixed?.kind === 'trap' && op.fixed.cause === 'call' && op.address !== Vector.systemCall ? Ppc64FastKind.systemCall : 0;
  if (handler === returnFromInterrupt) return Ppc64FastKind.returnFromInterrupt;
  return 0;
}

/** Disassembly of a word at an address (for traces). */
export function describePpc64(word: number, address: number): string {
  const match = PPC64_TABLE.decode(word);
  return match === undefined ? `.inst 0x${word.toString(16).padStart(8, '0')}` : PPC64_TABLE.format(match, { address });
}

/** First and last `op.kind` of the handlers that end a block (the branches), and the others that do: sc and the fixed traps, rfid, the trap instructions. */
const FIRST_BRANCH_KIND = DIRECT_HANDLERS.indexOf(branch);
const LAST_BRANCH_KIND = DIRECT_HANDLERS.indexOf(branchToCount);
const RAISE_KIND = DIRECT_HANDLERS.indexOf(raiseFixed);
const RETURN_KIND = DIRECT_HANDLERS.indexOf(returnFromInterrupt);
const TRAP_KIND = DIRECT_HANDLERS.indexOf(trap);
const NEAR_BRANCH_KIND = DIRECT_HANDLERS.indexOf(branchOnConditionNear);

/** What the interpreter's loop ({@link interpretPpc64Blocks}) calls, passed in because the loop is closed (see {@link instanceCopy}). */
interface Ppc64LoopKit {
  /** {@link executePpc64}, or the machine's copy of it ({@link executorCopy}). */
  readonly execute: (s: Ppc64State, op: Op) => StepResult;
  /** {@link RETIRED}. */
  readonly retired: Retired;
  /** {@link deliverPpc64}. */
  readonly deliver: typeof deliverPpc64;
  /** {@link exceptionReturnPpc64}. */
  readonly exceptionReturn: typeof exceptionReturnPpc64;
  /** {@link systemCallPpc64}, or the machine's copy of it: an inline sc ({@link Ppc64FastKind}.systemCall). */
  readonly systemCall: typeof systemCallPpc64;
  /** {@link returnFromInterruptPpc64}, or the machine's copy of it: an inline rfid ({@link Ppc64FastKind}.returnFromInterrupt). */
  readonly returnFromInterrupt: typeof returnFromInterruptPpc64;
  /** {@link PPC64_EXCEPTION_KIT}, what those two are passed. */
  readonly model: Ppc64ExceptionKit;
  /** The machine's memory. */
  readonly memory: Ppc64Memory;
  /** Drops every predecoded op (`Ppc64Core.onEndianChange`). */
  readonly onEndianChange: () => void;
}

/**
 * The interpreter engine's hot loop (see {@link Ppc64Core.interpretBlocks}):
 * the blocks of `host.blocks` (one budget check per block). An op with an
 * inline form (`op.fast`, chosen once at predecode by `fastKindOf`) is
 * performed here; sc and rfid go straight to the exception model's paths
 * built for the mode (`kit.systemCall`, `kit.returnFromInterrupt`); every
 * other op runs through `kit.execute` (an overlay has no kind and runs its
 * `inner`). It leaves a block when an op does not retire, branches, or
 * invalidates the block (a store into it, or an MSR[LE] change). Traps and
 * returns go straight to the exception model. A run traced into a recorder
 * records the ops of a block that started, as a block, before anything its
 * last op leads to (every op of a block runs in the mode it started in:
 * what changes the mode ends the block). Closed (see {@link instanceCopy}):
 * everything it calls comes in `kit`, and the inline forms are written as
 * the numbers of {@link Ppc64FastKind}.
 */
function interpretPpc64Blocks(kit: Ppc64LoopKit, host: LoopHost<Ppc64State>, s: Ppc64State, maxSteps: number): number {
  const execute = kit.execute;
  const retired = kit.retired;
  const blocks = host.blocks;
  const slots = blocks.slots;
  const mask = blocks.mask;
  const recorder = host.recorder;
  const systemCall = kit.systemCall;
  const returnFromInterrupt = kit.returnFromInterrupt;
  const model = kit.model;
  const memory = kit.memory;
  const onEndianChange = kit.onEndianChange;
  const g = s.gpr;
  let steps = 0;
  blocks: while (steps < maxSteps) {
    const pc = s.pc;
    let block = slots[(pc >>> 2) & mask]!;
    if (block.address !== pc) block = blocks.find(pc);
    const ops = block.ops;
    const room = maxSteps - steps;
    const count = block.count < room ? block.count : room;
    const mode = recorder === undefined ? 0 : s.pr !== 0 ? 2 : s.hv !== 0 ? 1 : 0;
    if (recorder !== undefined && (block.tracedBy !== recorder || block.traceMode !== mode)) {
      recorder.registerAll(ops);
      block.tracedBy = recorder;
      block.traceMode = mode;
      block.traceRecords = recorder.blockRecords(ops, mode);
    }
    let i = 0;
    for (;;) {
      if (i >= count) {
        // The block ran out (its end, or the budget): the PC after its last op, which the inline forms leave unset.
        s.pc = ops[i - 1]!.next;
        break;
      }
      const op = ops[i++]!;
      const next = op.next;
      const fast = op.fast;
      inline: if (fast !== 0 && fast <= 38) {
        // Ppc64FastKind 1–30 retire and fall through (no trap, no store, no PC write); 31–38 are branches, which end their
        // block. A branch to a register whose NIA cannot be fetched (relocation on, EA bits 0:3 of its own) is the handler's.
        switch (fast) {
          case 1: // li, lis
            g[op.dest] = op.imm >> 31;
            g[op.dest + 1] = op.imm;
            continue;
          case 2: {
            // addi, addis: the carry into the high word is the unsigned wrap of the low word
            const a = g[op.src1 + 1]!;
            const imm = op.imm;
            const lo = (a + imm) | 0;
            g[op.dest] = (g[op.src1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
            g[op.dest + 1] = lo;
            continue;
          }
          case 3:
          case 4: {
            // addic, addic.
            const a = g[op.src1 + 1]!;
            const aHi = g[op.src1]!;
            const imm = op.imm;
            const lo = (a + imm) | 0;
            const c32 = lo >>> 0 < a >>> 0 ? 1 : 0;
            const hi = (aHi + (imm >> 31) + c32) | 0;
            g[op.dest] = hi;
            g[op.dest + 1] = lo;
            s.ca32 = c32;
            if (s.sf !== 0) {
              s.ca = imm < 0 ? ((aHi | c32) !== 0 ? 1 : 0) : aHi === -1 && c32 === 1 ? 1 : 0;
              if (fast === 4) s.cr = (s.cr & 0x0fff_ffff) | (((hi < 0 ? 8 : (hi | lo) !== 0 ? 4 : 2) | s.so) << 28);
            } else {
              s.ca = c32;
              if (fast === 4) s.cr = (s.cr & 0x0fff_ffff) | (((lo < 0 ? 8 : lo !== 0 ? 4 : 2) | s.so) << 28);
            }
            continue;
          }
          case 5: {
            // add
            const a = g[op.src1 + 1]!;
            const sum = (a >>> 0) + (g[op.src2 + 1]! >>> 0);
            g[op.dest] = (g[op.src1]! + g[op.src2]! + (sum > 0xffff_ffff ? 1 : 0)) | 0;
            g[op.dest + 1] = sum | 0;
            continue;
          }
          case 6: {
            // subf: RB - RA (¬RA + RB + 1), borrowing from the high word when the low word wraps
            const a = g[op.src1 + 1]!;
            const b = g[op.src2 + 1]!;
            g[op.dest] = (g[op.src2]! - g[op.src1]! - (b >>> 0 < a >>> 0 ? 1 : 0)) | 0;
            g[op.dest + 1] = (b - a) | 0;
            continue;
          }
          case 7: // or
            g[op.dest] = g[op.src1]! | g[op.src2]!;
            g[op.dest + 1] = g[op.src1 + 1]! | g[op.src2 + 1]!;
            continue;
          case 8: // xor
            g[op.dest] = g[op.src1]! ^ g[op.src2]!;
            g[op.dest + 1] = g[op.src1 + 1]! ^ g[op.src2 + 1]!;
            continue;
          case 9: // and
            g[op.dest] = g[op.src1]! & g[op.src2]!;
            g[op.dest + 1] = g[op.src1 + 1]! & g[op.src2 + 1]!;
            continue;
          case 10: // ori, oris
            g[op.dest] = g[op.src1]!;
            g[op.dest + 1] = g[op.src1 + 1]! | op.imm;
            continue;
          case 11: // xori, xoris
            g[op.dest] = g[op.src1]!;
            g[op.dest + 1] = g[op.src1 + 1]! ^ op.imm;
            continue;
          case 12: {
            // andi., andis.: CR0 from the doubleword, whose high word is 0
            const lo = g[op.src1 + 1]! & op.imm;
            g[op.dest] = 0;
            g[op.dest + 1] = lo;
            s.cr = (s.cr & 0x0fff_ffff) | ((((s.sf !== 0 ? 0 : lo >> 31) < 0 ? 8 : lo !== 0 ? 4 : 2) | s.so) << 28);
            continue;
          }
          case 13:
          case 14: {
            // rlwinm, rlwinm.: ROTL32 of the low word (replicated into both halves), under MASK (high word in src3, low in imm2)
            const v = g[op.src1 + 1]!;
            const n = op.imm;
            const r = n === 0 ? v : (v << n) | (v >>> (32 - n));
            const hi = r & op.src3;
            const lo = r & op.imm2;
            g[op.dest] = hi;
            g[op.dest + 1] = lo;
            if (fast === 14) s.cr = (s.cr & 0x0fff_ffff) | ((((s.sf !== 0 ? hi : lo >> 31) < 0 ? 8 : (lo | (s.sf !== 0 ? hi : 0)) !== 0 ? 4 : 2) | s.so) << 28);
            continue;
          }
          case 15:
          case 16: {
            // rldicl, rldicr, rldic (and with Rc): ROTL64 under MASK
            let h = g[op.src1]!;
            let l = g[op.src1 + 1]!;
            const n = op.imm;
            if (n >= 32) {
              const t = h;
              h = l;
              l = t;
            }
            const k = n & 31;
            const rh = k === 0 ? h : (h << k) | (l >>> (32 - k));
            const rl = k === 0 ? l : (l << k) | (h >>> (32 - k));
            const hi = rh & op.src3;
            const lo = rl & op.imm2;
            g[op.dest] = hi;
            g[op.dest + 1] = lo;
            if (fast === 16) s.cr = (s.cr & 0x0fff_ffff) | ((((s.sf !== 0 ? hi : lo >> 31) < 0 ? 8 : (lo | (s.sf !== 0 ? hi : 0)) !== 0 ? 4 : 2) | s.so) << 28);
            continue;
          }
          case 17:
          case 18:
          case 19:
          case 20:
          case 21:
          case 22:
          case 23:
          case 24: {
            // The compares, 17 + variant: bit 1 L = 1 (doublewords), 2 unsigned, 4 the immediate (imm, imm2 its high word)
            const variant = fast - 17;
            const immediate = (variant & 4) !== 0;
            const aLo = g[op.src1 + 1]!;
            const bLo = immediate ? op.imm : g[op.src2 + 1]!;
            let c: number;
            if ((variant & 1) !== 0) {
              const aHi = g[op.src1]!;
              const bHi = immediate ? op.imm2 : g[op.src2]!;
              if (aHi !== bHi) c = (variant & 2) !== 0 ? (aHi >>> 0 < bHi >>> 0 ? 8 : 4) : aHi < bHi ? 8 : 4;
              else c = aLo === bLo ? 2 : aLo >>> 0 < bLo >>> 0 ? 8 : 4;
            } else if (aLo === bLo) c = 2;
            else if ((variant & 2) !== 0) c = aLo >>> 0 < bLo >>> 0 ? 8 : 4;
            else c = aLo < bLo ? 8 : 4;
            const shift = op.src3;
            s.cr = (s.cr & ~(0xf << shift)) | ((c | s.so) << shift);
            continue;
          }
          case 25: {
            // extsb, extsh, extsw (variant: the width)
            const shift = 32 - op.variant;
            const lo = (g[op.src1 + 1]! << shift) >> shift;
            g[op.dest] = lo >> 31;
            g[op.dest + 1] = lo;
            continue;
          }
          case 26: // mflr
            g[op.dest] = s.lrHi;
            g[op.dest + 1] = s.lrLo;
            continue;
          case 27: // mtlr
            s.lrHi = g[op.dest]!;
            s.lrLo = g[op.dest + 1]!;
            continue;
          case 28: // mfctr
            g[op.dest] = s.ctrHi;
            g[op.dest + 1] = s.ctrLo;
            continue;
          case 29: // mtctr
            s.ctrHi = g[op.dest]!;
            s.ctrLo = g[op.dest + 1]!;
            continue;
          case 30: // nop, sync, isync, eieio
            continue;
          case 31: {
            // b: CIA + displacement, wrapped to 32 bits in 32-bit mode
            const t = op.address + op.imm;
            s.pc = s.sf !== 0 ? t : t >>> 0;
            break;
          }
          case 32: {
            // bl: LR = CIA + 4 (its high word in src3, with the PC's EA bits 0:3), then as b
            s.lrHi = s.sf !== 0 ? op.src3 ^ s.pcTop : 0;
            s.lrLo = op.imm2;
            const t = op.address + op.imm;
            s.pc = s.sf !== 0 ? t : t >>> 0;
            break;
          }
          case 33: // beq, bne, … with a target fixed below 2^31 (imm2); src1 the CR bit's shift, src2 the value it branches on
            s.pc = ((s.cr >>> op.src1) & 1) === op.src2 ? op.imm2 : next;
            break;
          case 34:
            if (((s.cr >>> op.src1) & 1) === op.src2) {
              const t = op.address + op.imm;
              s.pc = s.sf !== 0 ? t : t >>> 0;
            } else s.pc = next;
            break;
          case 35: {
            // bdnz, bdz: CTR - 1, then CTR ≠ 0 (BO[3] = 0) or CTR = 0 (BO[3] = 1), only the low word in 32-bit mode
            const lo = (s.ctrLo - 1) | 0;
            if (s.ctrLo === 0) s.ctrHi = (s.ctrHi - 1) | 0;
            s.ctrLo = lo;
            const nonzero = s.sf !== 0 ? (s.ctrHi | lo) !== 0 : lo !== 0;
            if (nonzero !== ((op.variant & 2) !== 0)) {
              const t = op.address + op.imm;
              s.pc = s.sf !== 0 ? t : t >>> 0;
            } else s.pc = next;
            break;
          }
          case 36:
          case 37:
          case 38: {
            // blr, bctr, bctrl: NIA = LR or CTR [0:61] || 0b00 (as setPc keeps it: EA bits 0:3 beyond bit 4's sign in pcTop)
            const hi = s.sf !== 0 ? (fast === 36 ? s.lrHi : s.ctrHi) : 0;
            const h = (hi << 4) >> 4;
            // MSR[IR] = 1 and EA bits 0:3 of its own: not fetchable, the handler's instruction storage interrupt.
            if (h !== hi && (s.msrLo & 0x20) !== 0) break inline;
            const lo = ((fast === 36 ? s.lrLo : s.ctrLo) & -4) >>> 0;
            if (fast === 38) {
              s.lrHi = s.sf !== 0 ? op.src3 ^ s.pcTop : 0;
              s.lrLo = op.imm2;
            }
            s.pcTop = (hi ^ h) | 0;
            s.pc = h === 0 ? lo : h * 4294967296 + lo;
            break;
          }
        }
        break;
      }
      s.pc = next;
      if (fast >= 39 && (fast === 39 || s.pr === 0)) {
        // 39 sc, 40 rfid where it is not privileged: the op's fixed trap or request straight to the exception model's path
        // for the current mode, as the handler would return it.
        if (recorder !== undefined) {
          if (block.traceRecords !== undefined) recorder.stepRecords(block.traceRecords, i);
          else recorder.stepBlock(ops, i, mode);
        }
        const halted =
          fast === 39
            ? systemCall(model, s, op.fixed as CallTrap, recorder, memory, onEndianChange)
            : returnFromInterrupt(model, s, op.fixed as ExceptionReturn, recorder, memory, onEndianChange);
        if (halted !== undefined && host.settle(halted)) return steps + i;
        steps += i;
        continue blocks;
      }
      const result = execute(s, op);
      if (result !== retired) {
        if (recorder !== undefined) {
          if (block.traceRecords !== undefined) recorder.stepRecords(block.traceRecords, i);
          else recorder.stepBlock(ops, i, mode);
        }
        let halted: Stop | undefined;
        if (result.kind === 'trap') halted = kit.deliver(s, result, recorder, memory, onEndianChange);
        else if (result.kind === 'return') halted = kit.exceptionReturn(s, result, recorder, memory, onEndianChange);
        else halted = result as Stop;
        if (halted !== undefined && host.settle(halted)) return steps + i;
        steps += i;
        continue blocks;
      }
      if (s.pc !== next || block.count === 0) break;
    }
    if (recorder !== undefined) {
      if (block.traceRecords !== undefined) recorder.stepRecords(block.traceRecords, i);
      else recorder.stepBlock(ops, i, mode);
    }
    steps += i;
  }
  return steps;
}

/** Steps a machine asks of the interpreter's loop before it gets copies of its own (see {@link Ppc64Core.interpretBlocks}). */
const OWN_LOOP_AFTER = 1 << 20;

let executorCopies = 0;

/**
 * A copy of {@link executePpc64} with code and type feedback of its own:
 * the same switch on `op.kind` over {@link DIRECT_HANDLERS}, compiled
 * afresh (the handlers come in as parameters, so the source does not
 * depend on what a bundler names them). Each case's call then sees only
 * one machine's ops, and the machine's loop sees one `execute`.
 */
function executorCopy(label: string): (s: Ppc64State, op: Op) => StepResult {
  const names = DIRECT_HANDLERS.map((_, i) => `h${i}`);
  const cases = DIRECT_HANDLERS.map((handler, i) => (handler === raiseFixed ? `case ${i}: return op.fixed;` : `case ${i}: return h${i}(s, op);`));
  const source = `// ${label} (copy ${++executorCopies})\nreturn function executePpc64(s, op) {\nswitch (op.kind) {\n${cases.join('\n')}\ndefault: return op.inner(s, op);\n}\n};`;
  return new Function(...names, source)(...DIRECT_HANDLERS) as (s: Ppc64State, op: Op) => StepResult;
}

/** The ppc64 {@link ExecutionCore}. */
export class Ppc64Core implements ExecutionCore<Ppc64State> {
  /** Architectural state. */
  readonly state: Ppc64State;
  /** Instructions are 4-byte aligned. */
  readonly alignShift = 2;
  /** Instructions are 4 bytes. */
  readonly maxInstructionBytes = 4;
  /** Drops every predecoded op: the instruction byte order changed. */
  readonly onEndianChange: () => void;
  /** The run loop of the machine's engine: the interpreter's blocks ({@link Ppc64Core.interpretBlocks}) or the JIT's. */
  readonly runLoop: RunLoop<Ppc64State>;
  /** Both engines record runs traced into a trace recorder themselves (`host.recorder`). */
  readonly runLoopTraces = true;
  /** The JIT, when it is the engine. */
  readonly jit: Jit<Ppc64State> | undefined;

  /**
   * What of the state predecoded ops (and the JIT's blocks, built from them)
   * depend on: the instruction byte order, `s.swap` (MSR[LE] against the
   * memory's). Everything else a use checks (the JIT keys blocks by mode),
   * so a restore that keeps the byte order keeps the caches
   * (`ExecutionCore.decodeDependency`).
   */
  decodeDependency(): number {
    return this.state.swap;
  }

  /**
   * @param memory guest memory; its byte order is the machine's boot byte order.
   * @param engine the interpreter, or the JIT (which falls back to it).
   * @param translation options of the JIT's translator.
   */
  constructor(
    readonly memory: Ppc64Memory,
    readonly engine: EngineName = 'interp',
    translation: Ppc64TranslatorOptions = {},
  ) {
    this.state = createPpc64State(memory.endian === 'big');
    this.onEndianChange = () => memory.invalidateAllCode();
    this.kit = {
      execute: executePpc64,
      retired: RETIRED,
      deliver: deliverPpc64,
      exceptionReturn: exceptionReturnPpc64,
      systemCall: systemCallPpc64,
      returnFromInterrupt: returnFromInterruptPpc64,
      model: PPC64_EXCEPTION_KIT,
      memory,
      onEndianChange: this.onEndianChange,
    };
    if (engine === 'jit') {
      const jit = new Jit(new Ppc64Translator(this.state, memory, translation), this.state, memory);
      this.jit = jit;
      this.runLoop = (host, s, maxSteps) => jit.run(host, s, maxSteps);
    } else {
      this.jit = undefined;
      this.runLoop = (host, s, maxSteps) => this.interpretBlocks(host, s, maxSteps);
    }
  }

  /**
   * The interpreter engine's `ExecutionCore.runLoop`: the block loop
   * (`interpretPpc64Blocks`). V8 keeps type feedback per function, and the
   * bench runs several ppc64 machines (the ALU loop, the trap loop, spec
   * firmware, traced runs) in one process: a loop and an `executePpc64` they
   * all share see all their ops, and each runs slower than alone. So a
   * machine that has asked for 2^20 steps gets copies of its own of both, and
   * of the exception model's inline sc and rfid ({@link instanceCopy}, and
   * `executorCopy`); one that runs little (a test, a short command) keeps the
   * shared ones, which are warm.
   */
  interpretBlocks(host: LoopHost<Ppc64State>, s: Ppc64State, maxSteps: number): number {
    if (this.loop === interpretPpc64Blocks && (this.budgets += maxSteps) >= OWN_LOOP_AFTER) {
      this.kit = {
        ...this.kit,
        execute: executorCopy('ppc64 execute'),
        systemCall: instanceCopy(systemCallPpc64, 'ppc64 sc'),
        returnFromInterrupt: instanceCopy(returnFromInterruptPpc64, 'ppc64 rfid'),
      };
      this.loop = instanceCopy(interpretPpc64Blocks, 'ppc64 interpreter loop');
    }
    return this.loop(this.kit, host, s, maxSteps);
  }

  /** What the loop uses, for this machine. */
  private kit: Ppc64LoopKit;
  /** The loop this machine runs: the shared one, then a copy of its own. */
  private loop: typeof interpretPpc64Blocks = interpretPpc64Blocks;
  /** Steps asked of the interpreter's loop so far (until it has its own copy). */
  private budgets = 0;

  /**
   * Whether an op ends its block: branches, sc and the other fixed traps,
   * rfid, the trap instructions, and every op without a direct handler
   * (hrfid, the MSR and SPR moves, wait, …).
   */
  endsBlock(op: Op): boolean {
    const kind = op.kind;
    return kind < 0 || (kind >= FIRST_BRANCH_KIND && kind <= LAST_BRANCH_KIND) || kind === RAISE_KIND || kind === RETURN_KIND || kind === TRAP_KIND || kind === NEAR_BRANCH_KIND;
  }

  /**
   * Set the PC to a PC number (`CoreMachine.pc`): the signed representation
   * of the whole EA, so EA bits 0:3 beyond bit 4's sign (`pcTop`, see
   * `setPc` in registers.ts) are cleared; the register view's `pc` sets the
   * full 64-bit EA.
   */
  setPc(address: number): void {
    this.state.pc = address;
    this.state.pcTop = 0;
  }

  /** Predecode at `address`. */
  decode(address: number): Op {
    return predecodePpc64(this.memory, this.state, address);
  }

  /** Deliver a trap through the exception model. */
  deliver(trap: Trap, trace: TraceSink | undefined): Stop | undefined {
    return deliverPpc64(this.state, trap, trace, this.memory, this.onEndianChange);
  }

  /** Perform rfid or hrfid through the exception model. */
  exceptionReturn(request: ExceptionReturn, trace: TraceSink | undefined): Stop | undefined {
    return exceptionReturnPpc64(this.state, request, trace, this.memory, this.onEndianChange);
  }

  /** The current mode's name. */
  modeName(): string {
    return modeName(this.state);
  }

  /** The current mode as a trace code: 2 for MSR[PR], else 1 for MSR[HV], else 0 (as {@link modeName} decides; see `traceModeOfKey`). */
  traceMode(): number {
    const s = this.state;
    return s.pr !== 0 ? 2 : s.hv !== 0 ? 1 : 0;
  }

  /** The name of a code from {@link Ppc64Core.traceMode}. */
  traceModeName(code: number): string {
    return code === 2 ? 'problem' : code === 1 ? 'hv' : 'supervisor';
  }

  /** Disassembly of an op. */
  describe(op: Op): string {
    return op.name === 'fetch-fault' || op.name === 'misaligned' ? '<unmapped>' : describePpc64(op.word, op.address);
  }
}

/** Register names in dump order. */
const NAMES: readonly string[] = [
  ...Array.from({ length: 32 }, (_, i) => `r${i}`),
  'pc',
  'cr',
  'xer',
  'lr',
  'ctr',
  'msr',
  'srr0',
  'srr1',
  'hsrr0',
  'hsrr1',
  'sprg0',
  'sprg1',
  'sprg2',
  'sprg3',
  'hsprg0',
  'hsprg1',
  'dar',
  'dsisr',
  'pvr',
  'pir',
];

/** GPR numbers by name: `r0`…`r31`, and `sp` for r1 (a map: spec firmware looks registers up by name on every call). */
const GPR_NUMBERS: ReadonlyMap<string, number> = new Map([...Array.from({ length: 32 }, (_, i) => [`r${i}`, i] as const), ['sp', 1] as const]);

/** `r0`…`r31` (and `sp` for r1) to the register number; -1 otherwise. */
function gprNumber(name: string): number {
  const known = GPR_NUMBERS.get(name);
  if (known !== undefined) return known;
  const match = /^r(\d+)$/.exec(name);
  if (match === null) return -1;
  const n = Number(match[1]);
  return n <= 31 ? n : -1;
}

/**
 * The ppc64 register view: `r0`…`r31` (`sp` is r1), `pc`, `cr`, `xer`,
 * `lr`, `ctr`, `msr` and the modelled SPRs, 16 hex digits each; plus
 * `ivbase`, the interrupt vector base, a pseudo-register fixed at 0 (only 0
 * can be written), which spec firmware's port names as its vector base. Writes are
 * setup, not instructions: no privilege checks, and read-only SPRs can be
 * set.
 */
function registerView(memory: Ppc64Memory): RegisterView<Ppc64State> {
  return {
    digits: 16,
    modes: MODE_NAMES,
    names: () => NAMES,
    read(s, name) {
      const n = gprNumber(name);
      if (n >= 0) return join64(s.gpr[2 * n]!, s.gpr[2 * n + 1]!);
      switch (name) {
        case 'pc':
          // The full 64-bit EA (`setPc` in registers.ts: pc with the EA bits 0:3 of pcTop).
          return pcValue(s);
        case 'cr':
          return BigInt(s.cr >>> 0);
        case 'xer':
          return BigInt(readXer(s));
        case 'lr':
          return join64(s.lrHi, s.lrLo);
        case 'ctr':
          return join64(s.ctrHi, s.ctrLo);
        case 'msr':
          return join64(s.msrHi, s.msrLo);
        case 'ivbase':
          // Pseudo-register: the interrupt vector base, fixed at 0 (real mode, LPCR[AIL] = 0).
          return 0n;
        default: {
          const def = SPR_BY_NAME.get(name);
          if (def === undefined || def.slot < 0) return undefined;
          return join64(s.spr[2 * def.slot]!, s.spr[2 * def.slot + 1]!);
        }
      }
    },
    write(s, name, value) {
      const v = BigInt.asUintN(64, value);
      const hi = high32(v);
      const lo = low32(v);
      const n = gprNumber(name);
      if (n >= 0) {
        s.gpr[2 * n] = hi;
        s.gpr[2 * n + 1] = lo;
        return true;
      }
      switch (name) {
        case 'pc':
          setPc(s, hi, lo & ~3);
          return true;
        case 'cr':
          s.cr = lo;
          return true;
        case 'xer':
          writeXer(s, lo);
          return true;
        case 'lr':
          s.lrHi = hi;
          s.lrLo = lo;
          return true;
        case 'ctr':
          s.ctrHi = hi;
          s.ctrLo = lo;
          return true;
        case 'msr':
          if (writeMsr(s, hi, lo)) memory.invalidateAllCode();
          return true;
        case 'ivbase':
          return v === 0n;
        default: {
          const def = SPR_BY_NAME.get(name);
          if (def === undefined || def.slot < 0) return false;
          s.spr[2 * def.slot] = def.width === 32 ? 0 : hi;
          s.spr[2 * def.slot + 1] = lo;
          return true;
        }
      }
    },
    mode: (s) => modeName(s),
    setMode(s, mode) {
      if (!(MODE_NAMES as readonly string[]).includes(mode)) return false;
      const msr = modeMsr(mode as ModeName, s.bigMemory === 0);
      if (writeMsr(s, msr.hi, msr.lo)) memory.invalidateAllCode();
      return true;
    },
  };
}

/** Options for a new ppc64 machine. */
export interface Ppc64MachineOptions {
  /** Byte order of guest memory and of MSR[LE] at reset; big-endian when absent. */
  readonly endian?: Endian;
  /** The engine (the JIT when absent; `PPC64_BACKEND.engines` lists both). */
  readonly engine?: EngineName;
  /** Options of the JIT's translator (the differential test varies them). */
  readonly translation?: Ppc64TranslatorOptions;
}

/** A new ppc64 machine over empty memory, in hypervisor state. */
export function createPpc64Machine(options: Ppc64MachineOptions = {}): CoreMachine<Ppc64State> {
  const memory = new Ppc64Memory(options.endian ?? 'big');
  const core = new Ppc64Core(memory, options.engine ?? 'jit', options.translation);
  return new CoreMachine('ppc64', core, registerView(memory), core.engine);
}
