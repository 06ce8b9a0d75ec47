/**
 * The arm64 execution core: predecoding (fetch, table decode, the row's
 * semantics), the register view and the machine factory.
 *
 * @module
 */

import { TableInstructionSet } from '../../src/isa/assembler.ts';
import { DecodedOp } from '../../src/interp/decoded-op.ts';
import type { EngineName } from '../../src/interp/backend.ts';
import type { ExecutionCore, LoopHost, RunLoop } from '../../src/interp/interpreter.ts';
import { CoreMachine, type RegisterView } from '../../src/interp/machine.ts';
import { instanceCopy } from '../../src/interp/instance-code.ts';
import { RETIRED, type ExceptionReturn, type Retired, type Stop, type StepResult, type Trap } from '../../src/interp/step-result.ts';
import type { TraceSink } from '../../src/interp/trace.ts';
import { Jit } from '../../src/jit/jit.ts';
import { GuestMemory } from '../../src/memory/guest-memory.ts';
import { deliverArm64, exceptionReturnArm64, modeName, PA_LIMIT, Reason, unmappedVector } from './exceptions.ts';
import {
  bigIntToWords,
  createArm64State,
  isValidMode,
  Mode,
  MODE_ALIASES,
  MODE_NAMES,
  modeOf,
  readPstate,
  SP_SLOT,
  stackSlotOf,
  SYS_INDEX,
  SYS_REGISTERS,
  Sys,
  switchMode,
  wordsToBigInt,
  writePstate,
  X_NAMES,
  type Arm64State,
} from './registers.ts';
import { Arm64Translator, type Arm64TranslatorOptions } from './jit/translator.ts';
import { branch, branchConditional, branchWithLink, compareBranch, testBranch } from './semantics/branch.ts';
import { BRANCH, conditionPassed, TRANSLATED, undefinedInstruction, WIDE, type A64Handler, type Op } from './semantics/common.ts';
import { addressOf, addSubtractImmediate, addSubtractShifted, logicalImmediate, logicalShifted, moveKeep, moveWide } from './semantics/data-processing.ts';
import { ARM64_SEMANTICS } from './semantics/index.ts';
import { exceptionReturn, moveToSystem, raiseFixed, TRANSLATION_CONTROLS } from './semantics/system.ts';
import { ARM64_TABLE } from './table.ts';
import { Access, Arm64Tlb, translationActive } from './tlb.ts';
import { Arm64TranslatedMemory } from './translated-memory.ts';

/** The A64 instruction set for the assembler and disassembler (little-endian). */
export const ARM64_INSTRUCTION_SET = new TableInstructionSet(ARM64_TABLE, 'little', ['//']);

/** Handlers that end a block: they change the PC, or leave for the exception model. */
const BLOCK_ENDING: ReadonlySet<A64Handler> = new Set([raiseFixed, exceptionReturn]);

/** An op whose handler is not allowed to run because PSTATE.IL is set: the Illegal Execution state exception (D1.11.4). */
function illegalState(op: Op): StepResult {
  return undefinedInstruction(op, Reason.illegalState);
}

/**
 * The single `exec` of every arm64 op: an instruction about to run with
 * PSTATE.IL set takes the Illegal Execution state exception instead
 * (D1.11.4); otherwise the row's handler.
 */
function executeArm64(s: Arm64State, op: Op): StepResult {
  if (s.il !== 0) return illegalState(op);
  return op.inner(s, op);
}

/** What {@link interpretArm64Blocks} calls, passed in (the loop is closed: see `instanceCopy`). */
interface Arm64LoopKit {
  /** `executeArm64`. */
  readonly execute: typeof executeArm64;
  /** `RETIRED`. */
  readonly retired: Retired;
  /** `deliverArm64`. */
  readonly deliver: typeof deliverArm64;
  /** `unmappedVector`. */
  readonly unmappedVector: typeof unmappedVector;
  /** `exceptionReturnArm64`. */
  readonly exceptionReturn: typeof exceptionReturnArm64;
  /** The machine's memory. */
  readonly memory: GuestMemory;
  /** {@link translationActive}: checked once per block; while it holds, every instruction runs through `host.step` (the translating decode). */
  readonly translationActive: typeof translationActive;
  /** `conditionPassed` (ConditionHolds on PSTATE), for the inline B.cond. */
  readonly conditionPassed: typeof conditionPassed;
}

/**
 * `op.fast` of the forms the interpreter's block loop
 * (`interpretArm64Blocks`) performs inline (chosen by `fastKindOf`). The data-processing kinds write their result (and
 * NZCV where they set flags) exactly as their handler does, and never trap,
 * store, or read or write the PC; the branch kinds (from
 * {@link FastKind.branch} on) write the PC and end their block.
 */
export const FastKind = {
  /** ADD (immediate), 64-bit: Xd|SP = Xn|SP + imm. */
  add64Imm: 1,
  /** ADDS (immediate), 64-bit. */
  adds64Imm: 2,
  /** SUB (immediate), 64-bit. */
  sub64Imm: 3,
  /** SUBS (immediate), 64-bit (CMP). */
  subs64Imm: 4,
  /** ADD (immediate), 32-bit. */
  add32Imm: 5,
  /** ADDS (immediate), 32-bit. */
  adds32Imm: 6,
  /** SUB (immediate), 32-bit. */
  sub32Imm: 7,
  /** SUBS (immediate), 32-bit. */
  subs32Imm: 8,
  /** ADD (shifted register, LSL #0), 64-bit. */
  add64Reg: 9,
  /** ADDS (shifted register, LSL #0), 64-bit (CMN). */
  adds64Reg: 10,
  /** SUB (shifted register, LSL #0), 64-bit (NEG with XZR). */
  sub64Reg: 11,
  /** SUBS (shifted register, LSL #0), 64-bit (CMP). */
  subs64Reg: 12,
  /** ADD (shifted register, LSL #0), 32-bit. */
  add32Reg: 13,
  /** ADDS (shifted register, LSL #0), 32-bit. */
  adds32Reg: 14,
  /** SUB (shifted register, LSL #0), 32-bit. */
  sub32Reg: 15,
  /** SUBS (shifted register, LSL #0), 32-bit. */
  subs32Reg: 16,
  /** AND (immediate), 64-bit: the bitmask in imm/imm2. */
  and64Imm: 17,
  /** ORR (immediate), 64-bit. */
  orr64Imm: 18,
  /** EOR (immediate), 64-bit. */
  eor64Imm: 19,
  /** ANDS (immediate), 64-bit (TST). */
  ands64Imm: 20,
  /** AND (immediate), 32-bit. */
  and32Imm: 21,
  /** ORR (immediate), 32-bit. */
  orr32Imm: 22,
  /** EOR (immediate), 32-bit. */
  eor32Imm: 23,
  /** ANDS (immediate), 32-bit. */
  ands32Imm: 24,
  /** AND (shifted register, shift amount 0), 64-bit. */
  and64Reg: 25,
  /** ORR (shifted register, shift amount 0), 64-bit (MOV with XZR). */
  orr64Reg: 26,
  /** EOR (shifted register, shift amount 0), 64-bit. */
  eor64Reg: 27,
  /** ANDS (shifted register, shift amount 0), 64-bit (TST). */
  ands64Reg: 28,
  /** AND (shifted register, shift amount 0), 32-bit. */
  and32Reg: 29,
  /** ORR (shifted register, shift amount 0), 32-bit. */
  orr32Reg: 30,
  /** EOR (shifted register, shift amount 0), 32-bit. */
  eor32Reg: 31,
  /** ANDS (shifted register, shift amount 0), 32-bit. */
  ands32Reg: 32,
  /** MOVZ, MOVN, ADR, ADRP: the whole value is imm/imm2, computed at predecode. */
  moveWide: 33,
  /** MOVK: imm inserted at bit `variant`. */
  moveKeep: 34,
  /** B: the target is imm. */
  branch: 35,
  /** BL. */
  branchWithLink: 36,
  /** B.cond, cond EQ. */
  branchEq: 37,
  /** B.cond, cond NE. */
  branchNe: 38,
  /** B.cond, any other condition. */
  branchCond: 39,
  /** CBZ, 64-bit. */
  cbz64: 40,
  /** CBNZ, 64-bit. */
  cbnz64: 41,
  /** CBZ, 32-bit. */
  cbz32: 42,
  /** CBNZ, 32-bit. */
  cbnz32: 43,
  /** TBZ. */
  tbz: 44,
  /** TBNZ. */
  tbnz: 45,
} as const;

/**
 * The interpreter engine's hot loop, in this backend's source so that V8's
 * type feedback sees only arm64 ops (each machine runs a copy of its own):
 * it runs the blocks of `host.blocks` (one budget check per block). An op
 * with a {@link DecodedOp.fast} form (chosen at predecode by
 * {@link fastKindOf}) is performed inline, on the register words; every
 * other op runs through `executeArm64` directly, overlays (firmware) through
 * their own `exec`. While PSTATE.IL is set no op is performed inline, so
 * that each takes the Illegal Execution state exception in `executeArm64`.
 * It leaves a block when an op does not retire or branches, or the block is
 * invalidated (a store into it). Traps and returns go straight to the
 * exception model. A run traced into a recorder registers a block's ops
 * when the block first runs traced, and records the ops of the block that
 * started as one copy (`recorder.stepRecords`) before anything the last one
 * leads to is emitted, with the mode as PSTATE.M[3:0]; the block is left
 * after an op that changed the mode (MSR SPSel) or an overlay, so that every
 * recorded op started in the block's mode and an overlay is recorded before
 * it runs. Closed (see `instanceCopy`): everything it calls comes in `kit`.
 */
function interpretArm64Blocks(kit: Arm64LoopKit, host: LoopHost<Arm64State>, s: Arm64State, maxSteps: number): number {
  const execute = kit.execute;
  const retired = kit.retired;
  const passed = kit.conditionPassed;
  const blocks = host.blocks;
  const slots = blocks.slots;
  const mask = blocks.mask;
  const recorder = host.recorder;
  const x = s.x;
  let steps = 0;
  const translating = kit.translationActive;
  blocks: while (steps < maxSteps) {
    if (translating(s)) {
      // The MMU is on: one instruction at a time through the translating decode (see Arm64Core.decode).
      steps++;
      if (host.step()) return steps;
      continue;
    }
    const pc = s.pc;
    let block = slots[(pc >>> 2) & mask]!;
    if (block.address !== pc) block = blocks.find(pc);
    const ops = block.ops;
    const room = maxSteps - steps;
    let count = block.count < room ? block.count : room;
    const mode = (s.el << 2) | s.sp;
    if (recorder !== undefined && (block.tracedBy !== recorder || block.traceMode !== mode)) {
      recorder.registerAll(ops);
      block.tracedBy = recorder;
      block.traceMode = mode;
      const records = recorder.blockRecords(ops, mode);
      const last = ops[ops.length - 1]!;
      if (records !== undefined && last.fast >= 35 && last.imm === block.address && ops.length <= 32) {
        // A loop on itself (see below): its records repeated, so that many turns of it are recorded as one copy.
        const turns = 128 / ops.length;
        const repeated = new Int32Array(records.length * Math.floor(turns));
        for (let k = 0; k < repeated.length; k++) repeated[k] = records[k % records.length]!;
        block.traceRecords = repeated;
      } else block.traceRecords = records;
    }
    // Ops with `fast` above this are performed inline: all of them (0) unless PSTATE.IL is set (above every kind). IL changes only on exception
    // entry and return, which end a block; it is read again after every op that is not inline.
    let floor = s.il === 0 ? 0 : 0x4000_0000;
    // Set once the block's steps are recorded (before an overlay runs).
    let recorded = false;
    // Set once an op ran through its handler.
    let slow = false;
    // Steps of earlier turns of a block that loops on itself, neither counted in `steps` nor recorded yet.
    let base = 0;
    let i = 0;
    for (;;) {
      if (i >= count) {
        // The block ran out (its end, or the budget): the PC after its last op, which the inline ops leave unset.
        s.pc = ops[i - 1]!.next;
        break;
      }
      const op = ops[i++]!;
      const fast = op.fast;
      if (fast > floor) {
        switch (fast) {
          case 1: {
            // add imm, 64-bit
            const a = op.src1;
            const hi = x[a + 1]!;
            const lo = (x[a]! >>> 0) + op.imm;
            const d = op.dest;
            x[d] = lo | 0;
            x[d + 1] = lo > 0xffff_ffff ? (hi + 1) | 0 : hi;
            continue;
          }
          case 2: {
            // adds imm, 64-bit
            const a = op.src1;
            const ahi = x[a + 1]!;
            const lo = (x[a]! >>> 0) + op.imm;
            const hi = (ahi >>> 0) + (lo > 0xffff_ffff ? 1 : 0);
            const rlo = lo | 0;
            const rhi = hi | 0;
            const d = op.dest;
            x[d] = rlo;
            x[d + 1] = rhi;
            s.n = rhi >>> 31;
            s.z = (rlo | rhi) === 0 ? 1 : 0;
            s.c = hi > 0xffff_ffff ? 1 : 0;
            s.v = (~ahi & rhi) < 0 ? 1 : 0;
            continue;
          }
          case 3: {
            // sub imm, 64-bit
            const a = op.src1;
            const alo = x[a]!;
            const hi = x[a + 1]!;
            const d = op.dest;
            x[d] = (alo - op.imm) | 0;
            x[d + 1] = alo >>> 0 < op.imm ? (hi - 1) | 0 : hi;
            continue;
          }
          case 4: {
            // subs imm, 64-bit: C is NOT borrow, V when a negative Xn gives a non-negative result
            const a = op.src1;
            const alo = x[a]!;
            const ahi = x[a + 1]!;
            const b = op.imm;
            const borrow = alo >>> 0 < b;
            const rlo = (alo - b) | 0;
            const rhi = borrow ? (ahi - 1) | 0 : ahi;
            const d = op.dest;
            x[d] = rlo;
            x[d + 1] = rhi;
            s.n = rhi >>> 31;
            s.z = (rlo | rhi) === 0 ? 1 : 0;
            s.c = ahi !== 0 || !borrow ? 1 : 0;
            s.v = (ahi & ~rhi) < 0 ? 1 : 0;
            continue;
          }
          case 5: {
            // add imm, 32-bit
            const d = op.dest;
            x[d] = (x[op.src1]! + op.imm) | 0;
            x[d + 1] = 0;
            continue;
          }
          case 6: {
            // adds imm, 32-bit
            const a = x[op.src1]!;
            const sum = (a >>> 0) + op.imm;
            const r = sum | 0;
            const d = op.dest;
            x[d] = r;
            x[d + 1] = 0;
            s.n = r >>> 31;
            s.z = r === 0 ? 1 : 0;
            s.c = sum > 0xffff_ffff ? 1 : 0;
            s.v = (~a & r) < 0 ? 1 : 0;
            continue;
          }
          case 7: {
            // sub imm, 32-bit
            const d = op.dest;
            x[d] = (x[op.src1]! - op.imm) | 0;
            x[d + 1] = 0;
            continue;
          }
          case 8: {
            // subs imm, 32-bit
            const a = x[op.src1]!;
            const r = (a - op.imm) | 0;
            const d = op.dest;
            x[d] = r;
            x[d + 1] = 0;
            s.n = r >>> 31;
            s.z = r === 0 ? 1 : 0;
            s.c = a >>> 0 >= op.imm ? 1 : 0;
            s.v = (a & ~r) < 0 ? 1 : 0;
            continue;
          }
          case 9: {
            // add reg, 64-bit
            const a = op.src1;
            const m = op.src2;
            const lo = (x[a]! >>> 0) + (x[m]! >>> 0);
            const hi = (x[a + 1]! + x[m + 1]! + (lo > 0xffff_ffff ? 1 : 0)) | 0;
            const d = op.dest;
            x[d] = lo | 0;
            x[d + 1] = hi;
            continue;
          }
          case 10:
          case 12: {
            // adds / subs reg, 64-bit: AddWithCarry(Xn, Xm, 0) or AddWithCarry(Xn, NOT Xm, 1)
            const a = op.src1;
            const m = op.src2;
            const sub = fast === 12;
            const ahi = x[a + 1]!;
            const blo = sub ? ~x[m]! : x[m]!;
            const bhi = sub ? ~x[m + 1]! : x[m + 1]!;
            const lo = (x[a]! >>> 0) + (blo >>> 0) + (sub ? 1 : 0);
            const hi = (ahi >>> 0) + (bhi >>> 0) + (lo >= 0x1_0000_0000 ? 1 : 0);
            const rlo = lo | 0;
            const rhi = hi | 0;
            const d = op.dest;
            x[d] = rlo;
            x[d + 1] = rhi;
            s.n = rhi >>> 31;
            s.z = (rlo | rhi) === 0 ? 1 : 0;
            s.c = hi >= 0x1_0000_0000 ? 1 : 0;
            s.v = ((ahi ^ rhi) & (bhi ^ rhi)) < 0 ? 1 : 0;
            continue;
          }
          case 11: {
            // sub reg, 64-bit
            const a = op.src1;
            const m = op.src2;
            const alo = x[a]!;
            const blo = x[m]!;
            const hi = (x[a + 1]! - x[m + 1]! - (alo >>> 0 < blo >>> 0 ? 1 : 0)) | 0;
            const d = op.dest;
            x[d] = (alo - blo) | 0;
            x[d + 1] = hi;
            continue;
          }
          case 13: {
            // add reg, 32-bit
            const d = op.dest;
            x[d] = (x[op.src1]! + x[op.src2]!) | 0;
            x[d + 1] = 0;
            continue;
          }
          case 14:
          case 16: {
            // adds / subs reg, 32-bit
            const a = x[op.src1]!;
            const sub = fast === 16;
            const b = sub ? ~x[op.src2]! : x[op.src2]!;
            const sum = (a >>> 0) + (b >>> 0) + (sub ? 1 : 0);
            const r = sum | 0;
            const d = op.dest;
            x[d] = r;
            x[d + 1] = 0;
            s.n = r >>> 31;
            s.z = r === 0 ? 1 : 0;
            s.c = sum >= 0x1_0000_0000 ? 1 : 0;
            s.v = ((a ^ r) & (b ^ r)) < 0 ? 1 : 0;
            continue;
          }
          case 15: {
            // sub reg, 32-bit
            const d = op.dest;
            x[d] = (x[op.src1]! - x[op.src2]!) | 0;
            x[d + 1] = 0;
            continue;
          }
          case 17: {
            // and imm, 64-bit
            const a = op.src1;
            const d = op.dest;
            const hi = x[a + 1]! & op.imm2;
            x[d] = x[a]! & op.imm;
            x[d + 1] = hi;
            continue;
          }
          case 18: {
            // orr imm, 64-bit
            const a = op.src1;
            const d = op.dest;
            const hi = x[a + 1]! | op.imm2;
            x[d] = x[a]! | op.imm;
            x[d + 1] = hi;
            continue;
          }
          case 19: {
            // eor imm, 64-bit
            const a = op.src1;
            const d = op.dest;
            const hi = x[a + 1]! ^ op.imm2;
            x[d] = x[a]! ^ op.imm;
            x[d + 1] = hi;
            continue;
          }
          case 20: {
            // ands imm, 64-bit: N, Z from the result, C and V cleared
            const a = op.src1;
            const lo = x[a]! & op.imm;
            const hi = x[a + 1]! & op.imm2;
            const d = op.dest;
            x[d] = lo;
            x[d + 1] = hi;
            s.n = hi >>> 31;
            s.z = (lo | hi) === 0 ? 1 : 0;
            s.c = 0;
            s.v = 0;
            continue;
          }
          case 21: {
            // and imm, 32-bit
            const d = op.dest;
            x[d] = x[op.src1]! & op.imm;
            x[d + 1] = 0;
            continue;
          }
          case 22: {
            // orr imm, 32-bit
            const d = op.dest;
            x[d] = x[op.src1]! | op.imm;
            x[d + 1] = 0;
            continue;
          }
          case 23: {
            // eor imm, 32-bit
            const d = op.dest;
            x[d] = x[op.src1]! ^ op.imm;
            x[d + 1] = 0;
            continue;
          }
          case 24: {
            // ands imm, 32-bit
            const lo = x[op.src1]! & op.imm;
            const d = op.dest;
            x[d] = lo;
            x[d + 1] = 0;
            s.n = lo >>> 31;
            s.z = lo === 0 ? 1 : 0;
            s.c = 0;
            s.v = 0;
            continue;
          }
          case 25: {
            // and reg, 64-bit
            const a = op.src1;
            const m = op.src2;
            const d = op.dest;
            const hi = x[a + 1]! & x[m + 1]!;
            x[d] = x[a]! & x[m]!;
            x[d + 1] = hi;
            continue;
          }
          case 26: {
            // orr reg, 64-bit
            const a = op.src1;
            const m = op.src2;
            const d = op.dest;
            const hi = x[a + 1]! | x[m + 1]!;
            x[d] = x[a]! | x[m]!;
            x[d + 1] = hi;
            continue;
          }
          case 27: {
            // eor reg, 64-bit
            const a = op.src1;
            const m = op.src2;
            const d = op.dest;
            const hi = x[a + 1]! ^ x[m + 1]!;
            x[d] = x[a]! ^ x[m]!;
            x[d + 1] = hi;
            continue;
          }
          case 28: {
            // ands reg, 64-bit
            const a = op.src1;
            const m = op.src2;
            const lo = x[a]! & x[m]!;
            const hi = x[a + 1]! & x[m + 1]!;
            const d = op.dest;
            x[d] = lo;
            x[d + 1] = hi;
            s.n = hi >>> 31;
            s.z = (lo | hi) === 0 ? 1 : 0;
            s.c = 0;
            s.v = 0;
            continue;
          }
          case 29: {
            // and reg, 32-bit
            const d = op.dest;
            x[d] = x[op.src1]! & x[op.src2]!;
            x[d + 1] = 0;
            continue;
          }
          case 30: {
            // orr reg, 32-bit
            const d = op.dest;
            x[d] = x[op.src1]! | x[op.src2]!;
            x[d + 1] = 0;
            continue;
          }
          case 31: {
            // eor reg, 32-bit
            const d = op.dest;
            x[d] = x[op.src1]! ^ x[op.src2]!;
            x[d + 1] = 0;
            continue;
          }
          case 32: {
            // ands reg, 32-bit
            const lo = x[op.src1]! & x[op.src2]!;
            const d = op.dest;
            x[d] = lo;
            x[d + 1] = 0;
            s.n = lo >>> 31;
            s.z = lo === 0 ? 1 : 0;
            s.c = 0;
            s.v = 0;
            continue;
          }
          case 33: {
            // movz, movn, adr, adrp
            const d = op.dest;
            x[d] = op.imm;
            x[d + 1] = op.imm2;
            continue;
          }
          case 34: {
            // movk
            const d = op.dest;
            const shift = op.variant;
            if (shift < 32) x[d] = (x[d]! & ~(0xffff << shift)) | (op.imm << shift);
            else x[d + 1] = (x[d + 1]! & ~(0xffff << (shift - 32))) | (op.imm << (shift - 32));
            if ((op.flags & 1) === 0) x[d + 1] = 0; // not WIDE (a closed loop: the literal)
            continue;
          }
          case 35: // b
            s.pc = op.imm;
            break;
          case 36: {
            // bl: X30 = the next instruction (its signed representation as a pair)
            const next = op.next;
            x[60] = next | 0;
            x[61] = Math.floor(next / 0x1_0000_0000) | 0;
            s.pc = op.imm;
            break;
          }
          case 37: // b.eq
            s.pc = s.z === 1 ? op.imm : op.next;
            break;
          case 38: // b.ne
            s.pc = s.z === 0 ? op.imm : op.next;
            break;
          case 39: // b.cond
            s.pc = passed(s, op.cond) ? op.imm : op.next;
            break;
          case 40: {
            // cbz, 64-bit
            const t = op.src1;
            s.pc = (x[t]! | x[t + 1]!) === 0 ? op.imm : op.next;
            break;
          }
          case 41: {
            // cbnz, 64-bit
            const t = op.src1;
            s.pc = (x[t]! | x[t + 1]!) !== 0 ? op.imm : op.next;
            break;
          }
          case 42: // cbz, 32-bit
            s.pc = x[op.src1] === 0 ? op.imm : op.next;
            break;
          case 43: // cbnz, 32-bit
            s.pc = x[op.src1] !== 0 ? op.imm : op.next;
            break;
          case 44: // tbz
          case 45: {
            // tbnz
            const bit = op.imm2;
            const set = bit < 32 ? (x[op.src1]! >>> bit) & 1 : (x[op.src1 + 1]! >>> (bit - 32)) & 1;
            s.pc = set === fast - 44 ? op.imm : op.next;
            break;
          }
        }
        // Only the branches get here: the block ends, unless it branched back to its own start having run whole, every op inline,
        // and there is budget left. Then it runs again at once: nothing it did can have changed the translation, the mode, PSTATE.IL
        // or the block, and nothing was emitted (a traced run records its turns together, up to what its records hold).
        if (s.pc !== block.address || slow || i !== block.count || steps + base + i >= maxSteps) break;
        base += i;
        i = 0;
        if (recorder !== undefined) {
          const records = block.traceRecords;
          if (records === undefined || (base + block.count) * 4 > records.length) {
            if (records !== undefined) recorder.stepRecords(records, base);
            else recorder.stepBlock(ops, base, mode);
            steps += base;
            base = 0;
          }
        }
        const left = maxSteps - steps - base;
        count = block.count < left ? block.count : left;
        continue;
      }
      slow = true;
      const next = op.next;
      s.pc = next;
      const exec = op.exec;
      if (exec !== execute && recorder !== undefined && !recorded) {
        // An overlay (the last op of its block): recorded before it runs, as its bytes are read then.
        if (block.traceRecords !== undefined) recorder.stepRecords(block.traceRecords, base + i);
        else recorder.stepBlock(ops, base + i, mode);
        recorded = true;
      }
      const result = exec === execute ? execute(s, op) : exec(s, op);
      if (result !== retired) {
        if (recorder !== undefined && !recorded) {
          if (block.traceRecords !== undefined) recorder.stepRecords(block.traceRecords, base + i);
          else recorder.stepBlock(ops, base + i, mode);
          recorded = true;
        }
        let halted: Stop | undefined;
        if (result.kind === 'trap') halted = kit.deliver(s, result, recorder) ?? kit.unmappedVector(s, kit.memory);
        else if (result.kind === 'return') halted = kit.exceptionReturn(s, result, recorder);
        else halted = result as Stop;
        if (halted !== undefined && host.settle(halted)) return steps + base + i;
        steps += base + i;
        continue blocks;
      }
      floor = s.il === 0 ? 0 : 0x4000_0000;
      if (s.pc !== next || block.count === 0 || recorded) break;
      if (recorder !== undefined && ((s.el << 2) | s.sp) !== mode) break;
    }
    if (recorder !== undefined && !recorded) {
      if (block.traceRecords !== undefined) recorder.stepRecords(block.traceRecords, base + i);
      else recorder.stepBlock(ops, base + i, mode);
    }
    steps += base + i;
  }
  return steps;
}

/**
 * The inline form of `op` ({@link DecodedOp.fast}, see {@link FastKind}),
 * decided once at predecode from its row's handler and operands: ADD/SUB
 * (immediate, and shifted register with a zero shift amount) with and
 * without flags, AND/ORR/EOR/ANDS (immediate, and shifted register with a
 * zero amount, not inverted), MOVZ/MOVN/ADR/ADRP, MOVK, and B, BL, B.cond,
 * CBZ/CBNZ, TBZ/TBNZ. 0: the op runs through `op.exec`.
 */
function fastKindOf(op: Op): number {
  const inner = op.inner;
  const is64 = (op.flags & WIDE) !== 0;
  const s = op.setFlags;
  const sub = op.variant === 1;
  if (inner === addSubtractImmediate) return 1 + (is64 ? 0 : 4) + (sub ? 2 : 0) + (s ? 1 : 0);
  if (inner === addSubtractShifted) return op.imm === 0 ? 9 + (is64 ? 0 : 4) + (sub ? 2 : 0) + (s ? 1 : 0) : 0;
  if (inner === logicalImmediate) return 17 + (is64 ? 0 : 4) + (s ? 3 : op.variant);
  if (inner === logicalShifted) return op.imm === 0 && op.cond === 0 ? 25 + (is64 ? 0 : 4) + (s ? 3 : op.variant) : 0;
  if (inner === moveWide || inner === addressOf) return FastKind.moveWide;
  if (inner === moveKeep) return FastKind.moveKeep;
  if (inner === branch) return FastKind.branch;
  if (inner === branchWithLink) return FastKind.branchWithLink;
  if (inner === branchConditional) return op.cond === 0 ? FastKind.branchEq : op.cond === 1 ? FastKind.branchNe : FastKind.branchCond;
  if (inner === compareBranch) return (op.cond === 1 ? FastKind.cbz64 : FastKind.cbz32) + op.variant;
  if (inner === testBranch) return FastKind.tbz + op.variant;
  return 0;
}

/** Steps a machine asks of the interpreter's loop before it gets a copy of its own (see {@link Arm64Core.interpretBlocks}). */
const OWN_LOOP_AFTER = 1 << 20;

/** Slots of the translated-op cache (a power of two). */
const TRANSLATED_OPS = 1 << 14;

/** The op of a fetch that faults at `address` (misaligned, or nothing there). */
function fetchFault(memory: GuestMemory, address: number, misaligned: boolean): Op {
  const op = new DecodedOp<Arm64State>(misaligned ? 'misaligned' : 'fetch-fault', address, 4, 0, raiseFixed, memory);
  op.fixed = misaligned ? undefinedInstruction(op, Reason.pcAlignment) : { kind: 'trap', cause: 'fetch-fault', address, next: address + 4 };
  op.cacheable = false;
  return op;
}

/**
 * Predecode the instruction at `address` from physical memory. Never
 * throws. Addresses are the signed representation (`tlb.ts`): a negative
 * one, like one at or above 2^48, is outside the physical address space.
 */
export function predecodeArm64(memory: GuestMemory, address: number): Op {
  if ((address & 3) !== 0 || address >= PA_LIMIT || address < 0) return fetchFault(memory, address, (address & 3) !== 0);
  return decodeArm64Word(memory, address, memory.fetch32(address));
}

/** The op of the instruction word fetched at `address` (`undefined`: the fetch faulted), whose accesses go to `memory`. Never throws. */
function decodeArm64Word(memory: GuestMemory, address: number, word: number | undefined): Op {
  if (word === undefined) return fetchFault(memory, address, false);
  const match = ARM64_TABLE.decode(word);
  if (match === undefined) {
    const op = new DecodedOp<Arm64State>('undefined', address, 4, word, raiseFixed, memory);
    op.fixed = undefinedInstruction(op, 'unallocated encoding');
    op.exec = executeArm64;
    return op;
  }
  const name = match.entry.def.name;
  const op = new DecodedOp<Arm64State>(name, address, 4, word, raiseFixed, memory);
  const prepare = ARM64_SEMANTICS[name];
  if (prepare === undefined) {
    op.fixed = undefinedInstruction(op, `no semantics for ${name}`);
    op.exec = executeArm64;
    return op;
  }
  op.inner = prepare(op, match.fields);
  op.exec = executeArm64;
  op.fast = fastKindOf(op);
  return op;
}

/** Disassembly of a word at an address (for traces). */
export function describeArm64(word: number, address: number): string {
  const match = ARM64_TABLE.decode(word);
  return match === undefined ? `.inst 0x${word.toString(16).padStart(8, '0')}` : ARM64_TABLE.format(match, { address });
}

/** The arm64 {@link ExecutionCore}. */
export class Arm64Core implements ExecutionCore<Arm64State> {
  /** Architectural state. */
  readonly state: Arm64State = createArm64State();
  /** Instructions are 4-byte aligned. */
  readonly alignShift = 2;
  /** Instructions are 4 bytes. */
  readonly maxInstructionBytes = 4;
  /** The run loop of the machine's engine: the interpreter's blocks ({@link Arm64Core.interpretBlocks}) or the JIT's. */
  readonly runLoop: RunLoop<Arm64State>;
  /** The JIT, when it is the engine. */
  readonly jit: Jit<Arm64State> | undefined;
  /** The machine's TLB: translations of the EL1&0 regime (stage 1 while SCTLR_EL1.M is set, stage 2 while HCR_EL2.VM is; see `tlb.ts`). */
  readonly tlb: Arm64Tlb;
  /** Memory as ops predecoded under translation see it (see `translated-memory.ts`). */
  readonly translatedMemory: Arm64TranslatedMemory;
  /** Ops predecoded under translation, direct-mapped by virtual address; each is checked against its physical address and word when used. */
  private readonly translatedOps: (Op | undefined)[] = new Array<Op | undefined>(TRANSLATED_OPS).fill(undefined);
  /** The physical address each of {@link Arm64Core.translatedOps} was fetched from. */
  private readonly translatedPhysical = new Float64Array(TRANSLATED_OPS);
  /** {@link unmappedVector} through the view the new EL fetches with. */
  private readonly vectorCheck: (s: Arm64State, physical: GuestMemory) => Stop | undefined;
  /** Ops depend on the code bytes alone (the EL checks happen when they run): a restore keeps them. */
  readonly decodeReadsState = false;
  /** Both engines record runs traced into a recorder themselves (`host.recorder`). */
  readonly runLoopTraces = true;

  /**
   * @param memory guest memory (little-endian).
   * @param engine the interpreter, or the JIT (which falls back to it).
   * @param translation options of the JIT's translator.
   */
  constructor(
    readonly memory: GuestMemory,
    readonly engine: EngineName = 'interp',
    translation: Arm64TranslatorOptions = {},
  ) {
    this.tlb = new Arm64Tlb(this.state, memory);
    this.translatedMemory = new Arm64TranslatedMemory(memory, this.tlb);
    const translated = this.translatedMemory;
    // The vector check fetches as the new EL will: through the MMU when it translates.
    const vectorCheck = (s: Arm64State, physical: GuestMemory): Stop | undefined => unmappedVector(s, translationActive(s) ? translated : physical);
    this.vectorCheck = vectorCheck;
    this.kit = { execute: executeArm64, retired: RETIRED, deliver: deliverArm64, unmappedVector: vectorCheck, exceptionReturn: exceptionReturnArm64, memory, translationActive, conditionPassed };
    if (engine === 'jit') {
      const jit = new Jit(new Arm64Translator(this.state, memory, translation), this.state, memory);
      this.jit = jit;
      this.runLoop = (host, s, maxSteps) => jit.run(host, s, maxSteps);
    } else {
      this.jit = undefined;
      this.runLoop = (host, s, maxSteps) => this.interpretBlocks(host, s, maxSteps);
    }
  }

  /**
   * arm64's own copy of the interpreter's hot loop (the interpreter engine's
   * `ExecutionCore.runLoop`), in a copy of this machine's own
   * (`instanceCopy`), so that V8's type feedback sees only this machine's
   * ops and results: the blocks of `host.blocks` (one budget check per
   * block), traps and returns straight to the exception model, each op
   * recorded as it starts when the run is traced into a recorder.
   */
  interpretBlocks(host: LoopHost<Arm64State>, s: Arm64State, maxSteps: number): number {
    // A copy starts cold (V8 compiles it afresh): a machine that runs little (a test, a short command) keeps the shared loop.
    if (this.loop === interpretArm64Blocks && (this.budgets += maxSteps) >= OWN_LOOP_AFTER) this.loop = instanceCopy(interpretArm64Blocks, 'arm64 interpreter loop');
    return this.loop(this.kit, host, s, maxSteps);
  }

  /** What the loop uses, for this machine. */
  private readonly kit: Arm64LoopKit;
  /** The loop this machine runs: the shared one, then (once it has asked for {@link OWN_LOOP_AFTER} steps) a copy of its own. */
  private loop: typeof interpretArm64Blocks = interpretArm64Blocks;
  /** Steps asked of the interpreter's loop so far (until it has its own copy). */
  private budgets = 0;

  /**
   * Whether an op ends its block: exception-generating and returning
   * instructions, every branch, and an MSR to a register the translation
   * depends on (what follows it may have to be fetched through the MMU).
   */
  endsBlock(op: Op): boolean {
    return BLOCK_ENDING.has(op.inner) || (op.flags & BRANCH) !== 0 || (op.inner === moveToSystem && TRANSLATION_CONTROLS.has(op.imm));
  }

  /**
   * Predecode at `address`: from physical memory while nothing translates;
   * else the fetch translates through the TLB as an instruction fetch (a
   * fault is an instruction abort when the op runs), and the op's accesses
   * go through {@link Arm64Core.translatedMemory}. Translated ops are never
   * cacheable in the interpreter's caches (they depend on the translation);
   * this core keeps them by virtual address and reuses one only while the
   * address still translates to the same physical address holding the same
   * word.
   */
  decode(address: number): Op {
    if (!translationActive(this.state)) return predecodeArm64(this.memory, address);
    return this.decodeTranslated(address);
  }

  /** True while the MMU translates the current regime (see `ExecutionCore.translating`). */
  translating(): boolean {
    return translationActive(this.state);
  }

  private decodeTranslated(address: number): Op {
    const view = this.translatedMemory;
    if ((address & 3) !== 0) return fetchFault(view, address, true);
    const physical = this.tlb.translate(address, Access.fetch | (this.state.el === 0 ? Access.el0 : 0));
    if (physical < 0) return fetchFault(view, address, false);
    const word = this.memory.fetch32(physical);
    if (word === undefined) this.tlb.external(address);
    const index = (address >>> 2) & (TRANSLATED_OPS - 1);
    const cached = this.translatedOps[index];
    if (cached !== undefined && cached.address === address && this.translatedPhysical[index] === physical && cached.word === word && word !== undefined) return cached;
    const op = decodeArm64Word(view, address, word);
    op.cacheable = false;
    op.flags |= TRANSLATED;
    if (word !== undefined) {
      this.translatedOps[index] = op;
      this.translatedPhysical[index] = physical;
    }
    return op;
  }

  /** Deliver a trap through the exception model. */
  deliver(trap: Trap, trace: TraceSink | undefined): Stop | undefined {
    return deliverArm64(this.state, trap, trace) ?? this.vectorCheck(this.state, this.memory);
  }

  /** Perform an exception return through the exception model. */
  exceptionReturn(request: ExceptionReturn, trace: TraceSink | undefined): Stop | undefined {
    return exceptionReturnArm64(this.state, request, trace);
  }

  /** The current mode's name. */
  modeName(): string {
    return modeName(modeOf(this.state));
  }

  /** The current mode as a trace code: PSTATE.M[3:0]. */
  traceMode(): number {
    return modeOf(this.state);
  }

  /** The name of a mode code. */
  traceModeName(code: number): string {
    return modeName(code);
  }

  /** Disassembly of an op. */
  describe(op: Op): string {
    return op.name === 'fetch-fault' || op.name === 'misaligned' ? '<unmapped>' : describeArm64(op.word, op.address);
  }
}

/** System registers the register view shows: every modelled one but the write-only, the counters and the PSTATE views (shown as `pstate`). */
const VIEW_SYS = SYS_REGISTERS.filter((r) => (r.kind === 'plain' || r.kind === 'read-only' || r.kind === 'stack') && r.e2hAliasOf === undefined);

/** Register names in dump order: x0–x30, sp, pc, pstate, sp_el2, then the system registers. */
const NAMES: readonly string[] = [...X_NAMES, 'sp', 'pc', 'pstate', ...VIEW_SYS.map((r) => r.name), 'sp_el2', 'currentel', 'nzcv', 'daif', 'spsel'];

/** The banked SP in slot `slot` (SP_EL0/1/2): the live SP when that bank is the one selected. */
function readStack(s: Arm64State, slot: number): bigint {
  if (stackSlotOf(modeOf(s)) === slot) return wordsToBigInt(s.x[2 * SP_SLOT]!, s.x[2 * SP_SLOT + 1]!);
  return wordsToBigInt(s.sys[2 * slot]!, s.sys[2 * slot + 1]!);
}

function writeStack(s: Arm64State, slot: number, value: bigint): void {
  const [low, high] = bigIntToWords(value);
  if (stackSlotOf(modeOf(s)) === slot) {
    s.x[2 * SP_SLOT] = low;
    s.x[2 * SP_SLOT + 1] = high;
  } else {
    s.sys[2 * slot] = low;
    s.sys[2 * slot + 1] = high;
  }
}

/**
 * The arm64 register view: `x0`…`x30`, `sp` (the selected stack pointer),
 * `pc`, `pstate` (in the SPSR_ELx layout: NZCV, IL, DAIF, M[3:0]), the
 * banked `sp_el0`/`sp_el1`/`sp_el2`, and the system registers by lowercase
 * name; `currentel`, `nzcv`, `daif` and `spsel` read and write their PSTATE
 * fields as MRS/MSR see them. Writes are setup, not instructions: no
 * access checks (a read-only register can be given a value).
 */
export const ARM64_REGISTERS: RegisterView<Arm64State> = {
  digits: 16,
  modes: [...MODE_NAMES.values()],
  names: () => NAMES,
  read(s, name) {
    const x = /^x(\d|[12]\d|30)$/.exec(name);
    if (x !== null) {
      const w = 2 * Number(x[1]);
      return wordsToBigInt(s.x[w]!, s.x[w + 1]!);
    }
    switch (name) {
      case 'sp':
        return wordsToBigInt(s.x[2 * SP_SLOT]!, s.x[2 * SP_SLOT + 1]!);
      case 'pc':
        // The signed representation (see `tlb.ts`): negative for an address with bit 63 set.
        return BigInt.asUintN(64, BigInt(s.pc));
      case 'pstate':
        return BigInt(readPstate(s));
      case 'sp_el2':
        return readStack(s, Sys.spEl2);
      case 'currentel':
        return BigInt(s.el << 2);
      case 'nzcv':
        return BigInt((readPstate(s) & 0xf000_0000) >>> 0);
      case 'daif':
        return BigInt(s.daif);
      case 'spsel':
        return BigInt(s.sp);
      default:
        break;
    }
    const slot = SYS_INDEX.get(name);
    if (slot === undefined) return undefined;
    const register = SYS_REGISTERS[slot]!;
    if (register.kind === 'stack') return readStack(s, slot);
    if (register.kind !== 'plain' && register.kind !== 'read-only') return undefined;
    return wordsToBigInt(s.sys[2 * slot]!, s.sys[2 * slot + 1]!);
  },
  write(s, name, value) {
    const x = /^x(\d|[12]\d|30)$/.exec(name);
    const [low, high] = bigIntToWords(value);
    if (x !== null) {
      const w = 2 * Number(x[1]);
      s.x[w] = low;
      s.x[w + 1] = high;
      return true;
    }
    switch (name) {
      case 'sp':
        s.x[2 * SP_SLOT] = low;
        s.x[2 * SP_SLOT + 1] = high;
        return true;
      case 'pc':
        // The signed representation (see `tlb.ts`): exact within ±2^53, which holds every canonical address.
        s.pc = Number(BigInt.asIntN(64, value));
        return true;
      case 'pstate': {
        // Setup keeps the mode an implemented one: an AArch32 or EL3 M field keeps the current mode.
        const v = low >>> 0;
        writePstate(s, isValidMode(v & 0x1f) ? v : (v & ~0x1f) | modeOf(s));
        return true;
      }
      case 'sp_el2':
        writeStack(s, Sys.spEl2, value);
        return true;
      case 'currentel': {
        const el = (low >>> 2) & 3;
        switchMode(s, el === 0 ? Mode.el0 : (el > 2 ? 2 : el) * 4 + s.sp);
        return true;
      }
      case 'nzcv':
        s.n = (low >>> 31) & 1;
        s.z = (low >>> 30) & 1;
        s.c = (low >>> 29) & 1;
        s.v = (low >>> 28) & 1;
        return true;
      case 'daif':
        s.daif = low & 0x3c0;
        return true;
      case 'spsel':
        if (s.el !== 0) switchMode(s, (s.el << 2) | (low & 1));
        return true;
      default:
        break;
    }
    const slot = SYS_INDEX.get(name);
    if (slot === undefined) return false;
    const register = SYS_REGISTERS[slot]!;
    if (register.kind === 'stack') {
      writeStack(s, slot, value);
      return true;
    }
    if (register.kind !== 'plain' && register.kind !== 'read-only') return false;
    s.sys[2 * slot] = low;
    s.sys[2 * slot + 1] = high;
    return true;
  },
  mode: (s) => modeName(modeOf(s)),
  setMode(s, mode) {
    const name = MODE_ALIASES[mode] ?? mode;
    const value = Mode[name as keyof typeof Mode];
    if (value === undefined) return false;
    switchMode(s, value);
    return true;
  },
};

/** Options for a new arm64 machine. */
export interface Arm64MachineOptions {
  /** The engine: the JIT (the default) or the interpreter. */
  readonly engine?: EngineName;
  /** Options of the JIT's translator (for tests: the differential test runs the slower variants too). */
  readonly translation?: Arm64TranslatorOptions;
  /** Guest memory to share (another vCPU of the same machine); a fresh, empty one when absent. */
  readonly memory?: GuestMemory;
}

/** A new arm64 machine over empty little-endian memory. */
export function createArm64Machine(options: Arm64MachineOptions = {}): CoreMachine<Arm64State> {
  const core = new Arm64Core(options.memory ?? new GuestMemory('little'), options.engine ?? 'jit', options.translation);
  return new CoreMachine('arm64', core, ARM64_REGISTERS, core.engine);
}
