/**
 * The arm32 execution core: predecoding (fetch, table decode, the row's
 * semantics, the condition and PC wrappers), the register view and the
 * machine factory.
 *
 * @module
 */

import { TableInstructionSet } from '../../src/isa/assembler.ts';
import type { FieldValues } from '../../src/isa/instruction-table.ts';
import { DecodedOp } from '../../src/interp/decoded-op.ts';
import type { EngineName } from '../../src/interp/backend.ts';
import type { OpBlock } from '../../src/interp/block-cache.ts';
import type { ExecutionCore, LoopHost, RunLoop } from '../../src/interp/interpreter.ts';
import { Jit } from '../../src/jit/jit.ts';
import { CoreMachine, type RegisterView } from '../../src/interp/machine.ts';
import { RETIRED, type ExceptionReturn, type Retired, type Stop, type Trap } from '../../src/interp/step-result.ts';
import { instanceCopy } from '../../src/interp/instance-code.ts';
import type { TraceSink } from '../../src/interp/trace.ts';
import { GuestMemory } from '../../src/memory/guest-memory.ts';
import { deliverArm32, exceptionReturnArm32, modeName, unmappedVector } from './exceptions.ts';
import {
  BANKED_READERS,
  CORE_NAMES,
  CP15_INDEX,
  CP15_REGISTERS,
  createArm32State,
  lrBankOf,
  bankOf,
  Mode,
  MODE_NAMES,
  readCpsr,
  Slot,
  switchMode,
  writeCpsr,
  type Arm32State,
} from './registers.ts';
import { conditionPassed, READS_PC, undefinedInstruction, unpredictable, type A32Handler, type Op } from './semantics/common.ts';
import { ARM32_SEMANTICS } from './semantics/index.ts';
import { branch, branchExchange, branchWithLink } from './semantics/branch.ts';
import {
  adcHandler,
  addHandler,
  andHandler,
  bicHandler,
  cmnHandler,
  cmpHandler,
  DATA_PROCESSING_HANDLERS,
  eorHandler,
  OperandForm,
  moveTop,
  moveWide,
  movHandler,
  multiply,
  mvnHandler,
  orrHandler,
  rscHandler,
  rsbHandler,
  sbcHandler,
  subHandler,
  teqHandler,
  tstHandler,
} from './semantics/data-processing.ts';
import { load, loadMultiple, store, storeMultiple } from './semantics/load-store.ts';
import { exceptionReturn, hypervisorCall, noOperation, raiseFixed } from './semantics/system.ts';
import { ARM32_TABLE } from './table.ts';
import { Arm32Translator, type Arm32TranslatorOptions } from './jit/translator.ts';
import { translationActive } from './mmu.ts';
import { Arm32Tlb } from './tlb.ts';
import { TranslatedBlocks } from './translated-blocks.ts';
import { TranslatedMemory } from './translated-memory.ts';

/** The A32 instruction set for the assembler and disassembler (little-endian only for now). */
export const ARM32_INSTRUCTION_SET = new TableInstructionSet(ARM32_TABLE, 'little', ['@', '//']);


/** Fields that name a register the instruction reads: if one is 15, the op needs r15 = PC + 8. */
const SOURCE_FIELDS = ['rn', 'rm', 'rs', 'rt', 'rt2', 'ra'] as const;

function readsPc(name: string, fields: FieldValues): boolean {
  for (const field of SOURCE_FIELDS) if (fields[field] === 15) return true;
  return name === 'STM' && (fields.regs! & 0x8000) !== 0;
}


/**
 * Handlers that get a direct, monomorphic call from {@link executeArm32}, in
 * `op.kind` order. Every other handler runs through `op.inner`.
 */
const DIRECT_HANDLERS: readonly A32Handler[] = [
  ...DATA_PROCESSING_HANDLERS,
  load,
  store,
  loadMultiple,
  storeMultiple,
  branch,
  branchWithLink,
  branchExchange,
  hypervisorCall,
  exceptionReturn,
  raiseFixed,
  noOperation,
  moveWide,
  moveTop,
  multiply,
];

/** What {@link executeArm32With} calls: every direct handler, the condition check and {@link RETIRED} (it is closed, see {@link instanceCopy}). */
interface Arm32Handlers {
  /** `andHandler`. */
  readonly andHandler: A32Handler;
  /** `eorHandler`. */
  readonly eorHandler: A32Handler;
  /** `subHandler`. */
  readonly subHandler: A32Handler;
  /** `rsbHandler`. */
  readonly rsbHandler: A32Handler;
  /** `addHandler`. */
  readonly addHandler: A32Handler;
  /** `adcHandler`. */
  readonly adcHandler: A32Handler;
  /** `sbcHandler`. */
  readonly sbcHandler: A32Handler;
  /** `rscHandler`. */
  readonly rscHandler: A32Handler;
  /** `tstHandler`. */
  readonly tstHandler: A32Handler;
  /** `teqHandler`. */
  readonly teqHandler: A32Handler;
  /** `cmpHandler`. */
  readonly cmpHandler: A32Handler;
  /** `cmnHandler`. */
  readonly cmnHandler: A32Handler;
  /** `orrHandler`. */
  readonly orrHandler: A32Handler;
  /** `movHandler`. */
  readonly movHandler: A32Handler;
  /** `bicHandler`. */
  readonly bicHandler: A32Handler;
  /** `mvnHandler`. */
  readonly mvnHandler: A32Handler;
  /** `load`. */
  readonly load: A32Handler;
  /** `store`. */
  readonly store: A32Handler;
  /** `loadMultiple`. */
  readonly loadMultiple: A32Handler;
  /** `storeMultiple`. */
  readonly storeMultiple: A32Handler;
  /** `branch`. */
  readonly branch: A32Handler;
  /** `branchWithLink`. */
  readonly branchWithLink: A32Handler;
  /** `branchExchange`. */
  readonly branchExchange: A32Handler;
  /** `hypervisorCall`. */
  readonly hypervisorCall: A32Handler;
  /** `exceptionReturn`. */
  readonly exceptionReturn: A32Handler;
  /** `moveWide`. */
  readonly moveWide: A32Handler;
  /** `moveTop`. */
  readonly moveTop: A32Handler;
  /** `multiply`. */
  readonly multiply: A32Handler;
  /** {@link conditionPassed}. */
  readonly conditionPassed: typeof conditionPassed;
  /** {@link RETIRED}. */
  readonly retired: Retired;
}

const ARM32_HANDLERS: Arm32Handlers = {
  andHandler,
  eorHandler,
  subHandler,
  rsbHandler,
  addHandler,
  adcHandler,
  sbcHandler,
  rscHandler,
  tstHandler,
  teqHandler,
  cmpHandler,
  cmnHandler,
  orrHandler,
  movHandler,
  bicHandler,
  mvnHandler,
  load,
  store,
  loadMultiple,
  storeMultiple,
  branch,
  branchWithLink,
  branchExchange,
  hypervisorCall,
  exceptionReturn,
  moveWide,
  moveTop,
  multiply,
  conditionPassed,
  retired: RETIRED,
};

/**
 * The single `exec` of every arm32 op: the condition check (ARM ARM A8.3),
 * r15 for instructions that read the PC, then a switch to the row's handler.
 * One function at the loop's call site keeps that call monomorphic, and each
 * case's call is monomorphic too, so V8 can inline them. Closed over `h` (the
 * handlers), so that a machine's loop can run a copy of its own
 * ({@link instanceCopy}): V8 keeps type feedback per function, and a switch
 * shared by every machine in a process (the bench runs several side by side)
 * has feedback for every machine's handlers, which its loop then inlines, at
 * the cost of what that loop needs (its exception return, measured not
 * inlined).
 */
function executeArm32With(h: Arm32Handlers, s: Arm32State, op: Op): ReturnType<A32Handler> {
  if (op.cond !== 14 && !h.conditionPassed(s, op.cond)) return h.retired;
  if (op.flags !== 0) s.r[15] = (op.address + 8) >>> 0;
  switch (op.kind) {
    case 0:
      return h.andHandler(s, op);
    case 1:
      return h.eorHandler(s, op);
    case 2:
      return h.subHandler(s, op);
    case 3:
      return h.rsbHandler(s, op);
    case 4:
      return h.addHandler(s, op);
    case 5:
      return h.adcHandler(s, op);
    case 6:
      return h.sbcHandler(s, op);
    case 7:
      return h.rscHandler(s, op);
    case 8:
      return h.tstHandler(s, op);
    case 9:
      return h.teqHandler(s, op);
    case 10:
      return h.cmpHandler(s, op);
    case 11:
      return h.cmnHandler(s, op);
    case 12:
      return h.orrHandler(s, op);
    case 13:
      return h.movHandler(s, op);
    case 14:
      return h.bicHandler(s, op);
    case 15:
      return h.mvnHandler(s, op);
    case 16:
      return h.load(s, op);
    case 17:
      return h.store(s, op);
    case 18:
      return h.loadMultiple(s, op);
    case 19:
      return h.storeMultiple(s, op);
    case 20:
      return h.branch(s, op);
    case 21:
      return h.branchWithLink(s, op);
    case 22:
      return h.branchExchange(s, op);
    case 23:
      return h.hypervisorCall(s, op);
    case 24:
      return h.exceptionReturn(s, op);
    case 25:
      return op.fixed!;
    case 26:
      return h.retired;
    case 27:
      return h.moveWide(s, op);
    case 28:
      return h.moveTop(s, op);
    case 29:
      return h.multiply(s, op);
    default:
      return op.inner(s, op);
  }
}

/** {@link executeArm32With} on the module's handlers: every arm32 op's `exec`. */
function executeArm32(s: Arm32State, op: Op): ReturnType<A32Handler> {
  return executeArm32With(ARM32_HANDLERS, s, op);
}

/** First and last `op.kind` of the handlers that end a block: branch, branchWithLink, branchExchange, hypervisorCall, exceptionReturn, raiseFixed. */
const BLOCK_ENDING_KINDS = DIRECT_HANDLERS.indexOf(branch);
const LAST_BLOCK_ENDING_KIND = DIRECT_HANDLERS.indexOf(raiseFixed);
const LOAD_MULTIPLE_KIND = DIRECT_HANDLERS.indexOf(loadMultiple);
const BRANCH_KIND = DIRECT_HANDLERS.indexOf(branch);
const BRANCH_WITH_LINK_KIND = DIRECT_HANDLERS.indexOf(branchWithLink);
const HYPERVISOR_CALL_KIND = DIRECT_HANDLERS.indexOf(hypervisorCall);
const EXCEPTION_RETURN_KIND = DIRECT_HANDLERS.indexOf(exceptionReturn);

/** What the interpreter's loop ({@link interpretArm32Blocks}) calls, passed in because the loop is closed (see {@link instanceCopy}). */
interface Arm32LoopKit {
  /** {@link executeArm32}: the `exec` of the ops the loop runs through {@link Arm32LoopKit.run}. */
  readonly execute: typeof executeArm32;
  /** {@link executeArm32With}, or this machine's copy of it. */
  readonly run: typeof executeArm32With;
  /** Its handlers. */
  readonly handlers: Arm32Handlers;
  /** {@link RETIRED}. */
  readonly retired: Retired;
  /** {@link deliverArm32}. */
  readonly deliver: typeof deliverArm32;
  /** {@link unmappedVector}. */
  readonly unmappedVector: typeof unmappedVector;
  /** {@link exceptionReturnArm32}. */
  readonly exceptionReturn: typeof exceptionReturnArm32;
  /** The machine's memory. */
  readonly memory: GuestMemory;
  /** {@link translationActive}: checked once per block; while it holds, blocks come from {@link Arm32LoopKit.translatedBlock}. */
  readonly translationActive: typeof translationActive;
  /** The block at a virtual PC under the current translation (`TranslatedBlocks.find`); `undefined`: the interpreter steps the instruction (a fetch abort). */
  readonly translatedBlock: (host: LoopHost<Arm32State>, pc: number) => OpBlock<Arm32State> | undefined;
  /** Set on the JIT engine, whose blocks run untranslated code: the loop then returns when translation stops, with {@link Arm32LoopKit.handedBack}[0] set. */
  readonly untranslatedElsewhere: boolean;
  /** Its first element is set to 1 when the loop returned for {@link Arm32LoopKit.untranslatedElsewhere}. */
  readonly handedBack: Int32Array;
}

/**
 * The interpreter engine's hot loop, in this backend's source so that V8's
 * type feedback sees only arm32 ops (each machine runs a copy of its own):
 * it runs the blocks of `host.blocks` (one budget check per block), each op
 * through `executeArm32` directly and overlays (firmware) through their own
 * `exec`. It leaves a block when an op does not retire, branches, or
 * invalidates the block (a store into it). Traps and returns go straight to
 * the exception model. A run traced into a recorder records each op as it
 * starts (`host.recorder`). Closed (see {@link instanceCopy}): everything it
 * calls comes in `kit`.
 */
function interpretArm32Blocks(kit: Arm32LoopKit, host: LoopHost<Arm32State>, s: Arm32State, maxSteps: number): number {
  const execute = kit.execute;
  const run = kit.run;
  const handlers = kit.handlers;
  const retired = kit.retired;
  const blocks = host.blocks;
  const slots = blocks.slots;
  const mask = blocks.mask;
  const recorder = host.recorder;
  const r = s.r;
  const passed = handlers.conditionPassed;
  let steps = 0;
  const translating = kit.translationActive;
  // Known untranslated since the last op that could have changed that (anything but the inline data processing and
  // branches may: a trap, a return, a cp15 write, an overlay); until then the check is not repeated per block.
  let untranslated = false;
  blocks: while (steps < maxSteps) {
    const pc = s.pc;
    let block: OpBlock<Arm32State>;
    if (!untranslated && translating(s)) {
      // The MMU is on: blocks by virtual PC, checked against the TLB once each (see translated-blocks.ts).
      const found = kit.translatedBlock(host, pc);
      if (found === undefined) {
        steps++;
        if (host.step()) return steps;
        continue;
      }
      block = found;
    } else {
      if (kit.untranslatedElsewhere) {
        kit.handedBack[0] = 1;
        return steps;
      }
      untranslated = true;
      block = slots[(pc >>> 2) & mask]!;
      if (block.address !== pc) block = blocks.find(pc);
    }
    const ops = block.ops;
    const room = maxSteps - steps;
    const count = block.count < room ? block.count : room;
    // Traced: the ops are registered before the block first runs, and the ones that started are recorded as a block (every op
    // of a block runs in the mode it started in: what changes the mode ends the block), before anything the last one leads to.
    const mode = s.mode;
    if (recorder !== undefined && (block.tracedBy !== recorder || block.traceMode !== mode)) {
      recorder.registerAll(ops);
      block.tracedBy = recorder;
      block.traceMode = mode;
      block.traceRecords = recorder.blockRecords(ops, mode);
    }
    let i = 0;
    for (;;) {
      if (i >= count) {
        // The block ran out (its end, or the budget): the PC after its last op, which the inline ops leave unset.
        s.pc = ops[i - 1]!.next;
        break;
      }
      const op = ops[i++]!;
      const next = op.next;
      const fast = op.fast;
      if (fast !== 0 && fast <= 66) {
        // Specialised at predecode (core.ts fastKindOf): `1 + opcode * 4 + form * 2 + S` for data processing (form 0: the
        // modified immediate, its carry-out in imm2, -1 for "C unchanged"; form 1: plain Rm), 65 B, 66 BL. None of them
        // traps, stores or writes the PC but the branches, which end their block.
        switch (fast) {
          case 1: // and imm
            r[op.dest] = r[op.src1]! & op.imm;
            continue;
          case 2: {
            const v = r[op.src1]! & op.imm;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            if (op.imm2 >= 0) s.c = op.imm2;
            continue;
          }
          case 3: // and reg
            r[op.dest] = r[op.src1]! & r[op.src2]!;
            continue;
          case 4: {
            const v = r[op.src1]! & r[op.src2]!;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            continue;
          }
          case 5: // eor imm
            r[op.dest] = r[op.src1]! ^ op.imm;
            continue;
          case 6: {
            const v = r[op.src1]! ^ op.imm;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            if (op.imm2 >= 0) s.c = op.imm2;
            continue;
          }
          case 7: // eor reg
            r[op.dest] = r[op.src1]! ^ r[op.src2]!;
            continue;
          case 8: {
            const v = r[op.src1]! ^ r[op.src2]!;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            continue;
          }
          case 9: // sub imm
            r[op.dest] = (r[op.src1]! - op.imm) | 0;
            continue;
          case 10: {
            const a = r[op.src1]!;
            const b = op.imm;
            const v = (a - b) | 0;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            s.c = a >>> 0 >= b >>> 0 ? 1 : 0;
            s.v = ((a ^ b) & (a ^ v)) >>> 31;
            continue;
          }
          case 11: // sub reg
            r[op.dest] = (r[op.src1]! - r[op.src2]!) | 0;
            continue;
          case 12: {
            const a = r[op.src1]!;
            const b = r[op.src2]!;
            const v = (a - b) | 0;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            s.c = a >>> 0 >= b >>> 0 ? 1 : 0;
            s.v = ((a ^ b) & (a ^ v)) >>> 31;
            continue;
          }
          case 13: // rsb imm
            r[op.dest] = (op.imm - r[op.src1]!) | 0;
            continue;
          case 14: {
            const a = op.imm;
            const b = r[op.src1]!;
            const v = (a - b) | 0;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            s.c = a >>> 0 >= b >>> 0 ? 1 : 0;
            s.v = ((a ^ b) & (a ^ v)) >>> 31;
            continue;
          }
          case 15: // rsb reg
            r[op.dest] = (r[op.src2]! - r[op.src1]!) | 0;
            continue;
          case 16: {
            const a = r[op.src2]!;
            const b = r[op.src1]!;
            const v = (a - b) | 0;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            s.c = a >>> 0 >= b >>> 0 ? 1 : 0;
            s.v = ((a ^ b) & (a ^ v)) >>> 31;
            continue;
          }
          case 17: // add imm
            r[op.dest] = (r[op.src1]! + op.imm) | 0;
            continue;
          case 18: {
            const a = r[op.src1]!;
            const b = op.imm;
            const v = (a + b) | 0;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            s.c = (a >>> 0) + (b >>> 0) > 0xffff_ffff ? 1 : 0;
            s.v = ((a ^ v) & (b ^ v)) >>> 31;
            continue;
          }
          case 19: // add reg
            r[op.dest] = (r[op.src1]! + r[op.src2]!) | 0;
            continue;
          case 20: {
            const a = r[op.src1]!;
            const b = r[op.src2]!;
            const v = (a + b) | 0;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            s.c = (a >>> 0) + (b >>> 0) > 0xffff_ffff ? 1 : 0;
            s.v = ((a ^ v) & (b ^ v)) >>> 31;
            continue;
          }
          case 34: {
            // tst imm
            const v = r[op.src1]! & op.imm;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            if (op.imm2 >= 0) s.c = op.imm2;
            continue;
          }
          case 36: {
            // tst reg
            const v = r[op.src1]! & r[op.src2]!;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            continue;
          }
          case 38: {
            // teq imm
            const v = r[op.src1]! ^ op.imm;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            if (op.imm2 >= 0) s.c = op.imm2;
            continue;
          }
          case 40: {
            // teq reg
            const v = r[op.src1]! ^ r[op.src2]!;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            continue;
          }
          case 42: {
            // cmp imm
            const a = r[op.src1]!;
            const b = op.imm;
            const v = (a - b) | 0;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            s.c = a >>> 0 >= b >>> 0 ? 1 : 0;
            s.v = ((a ^ b) & (a ^ v)) >>> 31;
            continue;
          }
          case 44: {
            // cmp reg
            const a = r[op.src1]!;
            const b = r[op.src2]!;
            const v = (a - b) | 0;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            s.c = a >>> 0 >= b >>> 0 ? 1 : 0;
            s.v = ((a ^ b) & (a ^ v)) >>> 31;
            continue;
          }
          case 46: {
            // cmn imm
            const a = r[op.src1]!;
            const b = op.imm;
            const v = (a + b) | 0;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            s.c = (a >>> 0) + (b >>> 0) > 0xffff_ffff ? 1 : 0;
            s.v = ((a ^ v) & (b ^ v)) >>> 31;
            continue;
          }
          case 48: {
            // cmn reg
            const a = r[op.src1]!;
            const b = r[op.src2]!;
            const v = (a + b) | 0;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            s.c = (a >>> 0) + (b >>> 0) > 0xffff_ffff ? 1 : 0;
            s.v = ((a ^ v) & (b ^ v)) >>> 31;
            continue;
          }
          case 49: // orr imm
            r[op.dest] = r[op.src1]! | op.imm;
            continue;
          case 50: {
            const v = r[op.src1]! | op.imm;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            if (op.imm2 >= 0) s.c = op.imm2;
            continue;
          }
          case 51: // orr reg
            r[op.dest] = r[op.src1]! | r[op.src2]!;
            continue;
          case 52: {
            const v = r[op.src1]! | r[op.src2]!;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            continue;
          }
          case 53: // mov imm
            r[op.dest] = op.imm;
            continue;
          case 54: {
            const v = op.imm;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            if (op.imm2 >= 0) s.c = op.imm2;
            continue;
          }
          case 55: // mov reg
            r[op.dest] = r[op.src2]!;
            continue;
          case 56: {
            const v = r[op.src2]!;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            continue;
          }
          case 57: // bic imm
            r[op.dest] = r[op.src1]! & ~op.imm;
            continue;
          case 58: {
            const v = r[op.src1]! & ~op.imm;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            if (op.imm2 >= 0) s.c = op.imm2;
            continue;
          }
          case 59: // bic reg
            r[op.dest] = r[op.src1]! & ~r[op.src2]!;
            continue;
          case 60: {
            const v = r[op.src1]! & ~r[op.src2]!;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            continue;
          }
          case 61: // mvn imm
            r[op.dest] = ~op.imm;
            continue;
          case 62: {
            const v = ~op.imm;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            if (op.imm2 >= 0) s.c = op.imm2;
            continue;
          }
          case 63: // mvn reg
            r[op.dest] = ~r[op.src2]!;
            continue;
          case 64: {
            const v = ~r[op.src2]!;
            r[op.dest] = v;
            s.n = v >>> 31;
            s.z = v === 0 ? 1 : 0;
            continue;
          }
          case 65: // b
            s.pc = op.cond === 14 || passed(s, op.cond) ? op.imm >>> 0 : next;
            break;
          case 66: // bl
            if (op.cond === 14 || passed(s, op.cond)) {
              r[14] = next;
              s.pc = op.imm >>> 0;
            } else s.pc = next;
            break;
        }
        if (fast >= 65) break;
      }
      s.pc = next;
      untranslated = false;
      if (fast >= 67 && s.mode !== 0x10 && (fast === 67 || s.mode !== 0x1f)) {
        // 67 HVC, 68 ERET, where they are not UNDEFINED (HVC in usr, ERET in usr and sys): their fixed trap or request
        // straight to the exception model, as the handler would return it.
        if (recorder !== undefined) {
          if (block.traceRecords !== undefined) recorder.stepRecords(block.traceRecords, i);
          else recorder.stepBlock(ops, i, mode);
        }
        const halted = fast === 67 ? (kit.deliver(s, op.fixed as Trap, recorder) ?? kit.unmappedVector(s, kit.memory)) : kit.exceptionReturn(s, op.fixed as ExceptionReturn, recorder);
        if (halted !== undefined && host.settle(halted)) return steps + i;
        steps += i;
        continue blocks;
      }
      const result = op.exec === execute ? run(handlers, s, op) : op.exec(s, op);
      if (result !== retired) {
        if (recorder !== undefined) {
          if (block.traceRecords !== undefined) recorder.stepRecords(block.traceRecords, i);
          else recorder.stepBlock(ops, i, mode);
        }
        let halted: Stop | undefined;
        if (result.kind === 'trap') halted = kit.deliver(s, result, recorder) ?? kit.unmappedVector(s, kit.memory);
        else if (result.kind === 'return') halted = kit.exceptionReturn(s, result, recorder);
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

/** Slots of the translated-op cache (a power of two). */
const TRANSLATED_OPS = 1 << 14;

/** Steps a machine asks of the interpreter's loop before it gets a copy of its own (see {@link Arm32Core.interpretBlocks}). */
const OWN_LOOP_AFTER = 1 << 20;

/** Predecode the instruction at `address`. Never throws. */
export function predecodeArm32(memory: GuestMemory, address: number): Op {
  if ((address & 3) !== 0) return misalignedPc(memory, address);
  return decodeArm32Word(memory, address, memory.fetch32(address));
}

/** The op of a fetch from an address that is not word-aligned. */
function misalignedPc(memory: GuestMemory, address: number): Op {
  const op = new DecodedOp<Arm32State>('misaligned', address, 4, 0, (s, o) => unpredictable(s, o, 'the PC is not word-aligned in ARM state'), memory);
  op.cacheable = false;
  return op;
}

/**
 * The op of the instruction word fetched at `address` (`undefined`: the
 * fetch faulted), whose accesses go to `memory`. Never throws.
 */
function decodeArm32Word(memory: GuestMemory, address: number, word: number | undefined): Op {
  if (word === undefined) {
    const op = new DecodedOp<Arm32State>('fetch-fault', address, 4, 0, raiseFixed, memory);
    op.fixed = { kind: 'trap', cause: 'fetch-fault', address, next: address + 4 };
    op.cacheable = false;
    return op;
  }
  const match = ARM32_TABLE.decode(word);
  if (match === undefined) {
    const op = new DecodedOp<Arm32State>('undefined', address, 4, word, raiseFixed, memory);
    op.fixed = undefinedInstruction(op, 'unknown encoding');
    return op;
  }
  const name = match.entry.def.name;
  const op = new DecodedOp<Arm32State>(name, address, 4, word, raiseFixed, memory);
  const prepare = ARM32_SEMANTICS[name];
  if (prepare === undefined) {
    op.fixed = undefinedInstruction(op, `no semantics for ${name}`);
    return op;
  }
  op.cond = match.fields.cond ?? 14;
  op.inner = prepare(op, match.fields);
  op.flags = readsPc(name, match.fields) ? READS_PC : 0;
  op.kind = DIRECT_HANDLERS.indexOf(op.inner);
  op.exec = executeArm32;
  op.fast = fastKindOf(op);
  return op;
}

/**
 * `op.fast` of a data-processing op (ARM ARM A5.2), for the forms the
 * interpreter's loop performs inline: `1 + opcode * 4 + form * 2 + S`, form 0
 * for the modified immediate and 1 for plain Rm (LSL #0), S for "sets flags".
 * ADC, SBC and RSC have none (they take the handler).
 */
function fastDataProcessing(opcode: number, register: boolean, setFlags: boolean): number {
  return 1 + opcode * 4 + (register ? 2 : 0) + (setFlags ? 1 : 0);
}

/** `op.fast` of B, BL, HVC and ERET (see `fastKindOf`). */
export const FastKind = {
  /** B (any condition): the target is `op.imm`. */
  branch: 65,
  /** BL (any condition). */
  branchWithLink: 66,
  /** HVC (`op.fixed` the trap), run through the exception model's HVC entry. */
  hypervisorCall: 67,
  /** ERET (`op.fixed` the request), run through the exception model's return. */
  exceptionReturn: 68,
} as const;

/**
 * The specialised form of `op` ({@link DecodedOp.fast}) that
 * {@link interpretArm32Blocks} performs inline, decided once here: the
 * unconditional data-processing operations whose second operand is the
 * modified immediate or plain Rm and that do not read the PC (their handlers
 * never write it, trap or store), and B, BL, HVC and ERET. 0: the op runs
 * through `op.exec`.
 */
function fastKindOf(op: Op): number {
  if (op.flags !== 0) return 0;
  const kind = op.kind;
  if (kind === BRANCH_KIND) return FastKind.branch;
  if (kind === BRANCH_WITH_LINK_KIND) return FastKind.branchWithLink;
  if (op.cond !== 14) return 0;
  if (kind === HYPERVISOR_CALL_KIND) return FastKind.hypervisorCall;
  if (kind === EXCEPTION_RETURN_KIND) return FastKind.exceptionReturn;
  if (kind < 0 || kind > 15 || (kind >= 5 && kind <= 7)) return 0;
  if (op.variant !== OperandForm.immediate && op.variant !== OperandForm.plainRegister) return 0;
  return fastDataProcessing(kind, op.variant === OperandForm.plainRegister, op.setFlags);
}

/** Disassembly of a word at an address (for traces). */
export function describeArm32(word: number, address: number): string {
  const match = ARM32_TABLE.decode(word);
  return match === undefined ? `.inst 0x${word.toString(16).padStart(8, '0')}` : ARM32_TABLE.format(match, { address });
}

/** The arm32 {@link ExecutionCore}. */
export class Arm32Core implements ExecutionCore<Arm32State> {
  /** Architectural state. */
  readonly state: Arm32State = createArm32State();
  /** Instructions are 4-byte aligned. */
  readonly alignShift = 2;
  /** Instructions are 4 bytes. */
  readonly maxInstructionBytes = 4;

  /** The run loop of the machine's engine: the interpreter's blocks ({@link Arm32Core.interpretBlocks}) or the JIT's. */
  readonly runLoop: RunLoop<Arm32State>;
  /** Ops and translated code depend on the code bytes and the mode they run in, which every use checks: a restore keeps them (see `ExecutionCore.decodeReadsState`). */
  readonly decodeReadsState = false;
  /** Both engines record runs traced into a trace recorder themselves (`host.recorder`). */
  readonly runLoopTraces: boolean;
  /** The JIT, when it is the engine. */
  readonly jit: Jit<Arm32State> | undefined;
  /** The machine's TLB: translations cached while the MMU is on, and the guest's TLB maintenance (see `tlb.ts`). */
  readonly tlb: Arm32Tlb;
  /** Blocks of ops predecoded under translation, by virtual PC (see `translated-blocks.ts`). */
  readonly translatedBlocks: TranslatedBlocks;
  /** Memory as ops predecoded under translation see it (see `translated-memory.ts`). */
  readonly translatedMemory: TranslatedMemory;
  /** Ops predecoded under translation, direct-mapped by virtual address; each is checked against its physical address and word when used. */
  private readonly translatedOps: (Op | undefined)[] = new Array<Op | undefined>(TRANSLATED_OPS).fill(undefined);
  /** The physical address each of {@link Arm32Core.translatedOps} was fetched from. */
  private readonly translatedPhysical = new Float64Array(TRANSLATED_OPS);

  /**
   * @param memory guest memory (little-endian).
   * @param engine the interpreter, or the JIT (which falls back to it).
   * @param translation options of the JIT's translator.
   */
  constructor(
    readonly memory: GuestMemory,
    readonly engine: EngineName = 'interp',
    translation: Arm32TranslatorOptions = {},
  ) {
    this.tlb = new Arm32Tlb(this.state, memory);
    this.translatedMemory = new TranslatedMemory(memory, this.tlb);
    const translated = this.translatedMemory;
    // The vector check fetches as the new mode will: through the MMU when it translates.
    const vectorCheck = (s: Arm32State, physical: GuestMemory): Stop | undefined => unmappedVector(s, translationActive(s) ? translated : physical);
    const translatedBlocks = new TranslatedBlocks(this.state, this.tlb, (op) => this.endsBlock(op));
    this.translatedBlocks = translatedBlocks;
    const handedBack = new Int32Array(1);
    this.kit = {
      execute: executeArm32,
      run: executeArm32With,
      handlers: ARM32_HANDLERS,
      retired: RETIRED,
      deliver: deliverArm32,
      unmappedVector: vectorCheck,
      exceptionReturn: exceptionReturnArm32,
      memory,
      translationActive,
      translatedBlock: (host, pc) => translatedBlocks.find(host, pc),
      untranslatedElsewhere: engine === 'jit',
      handedBack,
    };
    if (engine === 'jit') {
      const jit = new Jit(new Arm32Translator(this.state, memory, translation), this.state, memory);
      this.jit = jit;
      // The JIT's blocks read the physical window: while the MMU translates, the interpreter's translated blocks run
      // instead, each side handing the run to the other when translation starts or stops (see Jit.yielded).
      this.runLoop = (host, s, maxSteps) => {
        let done = 0;
        for (;;) {
          if (translationActive(s)) {
            handedBack[0] = 0;
            done += this.interpretBlocks(host, s, maxSteps - done);
            if (handedBack[0] === 0 || done >= maxSteps) return done;
          } else {
            done += jit.run(host, s, maxSteps - done);
            if (!jit.yielded || done >= maxSteps) return done;
          }
        }
      };
      this.runLoopTraces = true;
    } else {
      this.jit = undefined;
      this.runLoop = (host, s, maxSteps) => this.interpretBlocks(host, s, maxSteps);
      this.runLoopTraces = true;
    }
  }

  /**
   * arm32's own copy of the interpreter's hot loop (the interpreter engine's
   * `ExecutionCore.runLoop`), in a copy of this machine's own
   * ({@link instanceCopy}), so that V8's type feedback sees only this
   * machine's ops and results: it runs the blocks of `host.blocks` (one
   * budget check per block), each op through `executeArm32` directly and
   * overlays (firmware) through their own `exec`, and hands traps and
   * returns straight to the exception model.
   */
  interpretBlocks(host: LoopHost<Arm32State>, s: Arm32State, maxSteps: number): number {
    // A copy starts cold (V8 compiles it afresh): a machine that runs little (a test, a short command) keeps the shared loop.
    if (this.loop === interpretArm32Blocks && (this.budgets += maxSteps) >= OWN_LOOP_AFTER) {
      this.loop = instanceCopy(interpretArm32Blocks, 'arm32 interpreter loop');
      this.kit = { ...this.kit, run: instanceCopy(executeArm32With, 'arm32 execute') };
    }
    return this.loop(this.kit, host, s, maxSteps);
  }

  /** What the loop uses, for this machine (with copies of its own of the loop's callees, once it has its own loop). */
  private kit: Arm32LoopKit;
  /** The loop this machine runs: the shared one, then (once it has asked for {@link OWN_LOOP_AFTER} steps) a copy of its own. */
  private loop: typeof interpretArm32Blocks = interpretArm32Blocks;
  /** Steps asked of the interpreter's loop so far (until it has its own copy). */
  private budgets = 0;

  /**
   * Whether an op ends its block: branches, exception-generating and
   * exception-return instructions, an LDM that loads the PC, and every op
   * without a direct handler (the rare rows, PC-writing forms among them).
   */
  endsBlock(op: Op): boolean {
    if (op.kind < 0 || (op.kind >= BLOCK_ENDING_KINDS && op.kind <= LAST_BLOCK_ENDING_KIND)) return true;
    return op.kind === LOAD_MULTIPLE_KIND && (op.imm & 0x8000) !== 0;
  }

  /**
   * Predecode at `address`: from physical memory while nothing translates;
   * else (B3.1) the fetch translates through the TLB as an instruction
   * fetch (a fault is a prefetch abort when the op runs), and the op's
   * accesses go through {@link Arm32Core.translatedMemory}. Translated ops
   * are never cacheable in the interpreter's caches (they depend on the
   * translation); this core keeps them by virtual address and reuses one
   * only while the address still translates to the same physical address
   * holding the same word.
   */
  decode(address: number): Op {
    if (!translationActive(this.state)) return predecodeArm32(this.memory, address);
    return this.decodeTranslated(address >>> 0);
  }

  /** True while the MMU translates the current regime (see `ExecutionCore.translating`). */
  translating(): boolean {
    return translationActive(this.state);
  }

  private decodeTranslated(address: number): Op {
    const view = this.translatedMemory;
    if ((address & 3) !== 0) return misalignedPc(view, address);
    const physical = this.tlb.translate(address, false, true, this.state.mode === Mode.usr);
    if (physical < 0) return decodeArm32Word(view, address, undefined);
    const word = this.memory.fetch32(physical);
    const index = (address >>> 2) & (TRANSLATED_OPS - 1);
    const cached = this.translatedOps[index];
    if (cached !== undefined && cached.address === address && this.translatedPhysical[index] === physical && cached.word === word && word !== undefined) return cached;
    const op = decodeArm32Word(view, address, word);
    op.cacheable = false;
    if (word !== undefined) {
      this.translatedOps[index] = op;
      this.translatedPhysical[index] = physical;
    }
    return op;
  }

  /** Deliver a trap through the exception model. */
  deliver(trap: Trap, trace: TraceSink | undefined): ReturnType<ExecutionCore<Arm32State>['deliver']> {
    const s = this.state;
    return deliverArm32(s, trap, trace) ?? unmappedVector(s, translationActive(s) ? this.translatedMemory : this.memory);
  }

  /** Perform an exception return through the exception model. */
  exceptionReturn(request: ExceptionReturn, trace: TraceSink | undefined): ReturnType<ExecutionCore<Arm32State>['exceptionReturn']> {
    return exceptionReturnArm32(this.state, request, trace);
  }

  /** The current mode's name. */
  modeName(): string {
    return modeName(this.state.mode);
  }

  /** The current mode as a trace code: CPSR.M. */
  traceMode(): number {
    return this.state.mode;
  }

  /** The name of a CPSR.M value. */
  traceModeName(code: number): string {
    return modeName(code);
  }

  /** Disassembly of an op. */
  describe(op: Op): string {
    return op.name === 'fetch-fault' ? '<unmapped>' : describeArm32(op.word, op.address);
  }
}

const CP15_64 = new Set(CP15_REGISTERS.filter((r) => r.width === 64).map((r) => r.name));

/** Register names in dump order: core, CPSR, banked, then cp15. */
function registerNames(): string[] {
  return [...CORE_NAMES, 'cpsr', ...BANKED_READERS.keys(), ...CP15_REGISTERS.filter((r) => r.operation !== true).map((r) => r.name)];
}

const NAMES = registerNames();

/** Write a banked register's storage directly (setup, not an instruction: no access checks). */
function writeBanked(s: Arm32State, name: string, value: number): boolean {
  if (name === 'elr_hyp') {
    s.elrHyp = value;
    return true;
  }
  const match = /^(r8|r9|r10|r11|r12|sp|lr|spsr)_(usr|fiq|irq|svc|abt|und|mon|hyp)$/.exec(name);
  if (match === null || !BANKED_READERS.has(name)) return false;
  const [, register, owner] = match as unknown as [string, string, string];
  const mode = Mode[owner as keyof typeof Mode];
  if (register === 'spsr') {
    s.r[Slot.spsr + bankOf(mode)] = value;
    return true;
  }
  if (register === 'sp') {
    if (bankOf(s.mode) === bankOf(mode)) s.r[13] = value;
    else s.r[Slot.sp + bankOf(mode)] = value;
    return true;
  }
  if (register === 'lr') {
    if (lrBankOf(s.mode) === bankOf(mode)) s.r[14] = value;
    else s.r[Slot.lr + bankOf(mode)] = value;
    return true;
  }
  const index = Number(register.slice(1)) - 8;
  const fiqCurrent = s.mode === Mode.fiq;
  if (owner === 'fiq') {
    if (fiqCurrent) s.r[8 + index] = value;
    else s.r[Slot.fiqHigh + index] = value;
  } else if (fiqCurrent) s.r[Slot.usrHigh + index] = value;
  else s.r[8 + index] = value;
  return true;
}

/** r0–r15 by name, with r13/r14/r15 as aliases of sp/lr/pc (the same names for reading and writing); -1 otherwise. */
function coreRegisterIndex(name: string): number {
  return CORE_NAMES.indexOf(name === 'r13' ? 'sp' : name === 'r14' ? 'lr' : name === 'r15' ? 'pc' : name);
}

/** The arm32 register view: `r0`…`r12`, `sp`, `lr`, `pc`, `cpsr`, the banked registers and cp15. */
export const ARM32_REGISTERS: RegisterView<Arm32State> = {
  digits: 8,
  modes: [...MODE_NAMES.values()],
  names: () => NAMES,
  read(s, name) {
    const core = coreRegisterIndex(name);
    if (core === 15) return BigInt(s.pc);
    if (core >= 0) return BigInt(s.r[core]! >>> 0);
    if (name === 'cpsr') return BigInt(readCpsr(s));
    const banked = BANKED_READERS.get(name);
    if (banked !== undefined) return BigInt(banked(s) >>> 0);
    const slot = CP15_INDEX.get(name);
    if (slot === undefined) return undefined;
    return CP15_64.has(name) ? (BigInt(s.cp15[slot + 1]!) << 32n) | BigInt(s.cp15[slot]!) : BigInt(s.cp15[slot]!);
  },
  write(s, name, value) {
    const v = Number(BigInt.asUintN(32, value));
    const core = coreRegisterIndex(name);
    if (core === 15) {
      s.pc = v;
      return true;
    }
    if (core >= 0) {
      s.r[core] = v;
      return true;
    }
    if (name === 'cpsr') {
      writeCpsr(s, v);
      return true;
    }
    if (writeBanked(s, name, v)) return true;
    const slot = CP15_INDEX.get(name);
    if (slot === undefined) return false;
    s.cp15[slot] = v;
    if (CP15_64.has(name)) s.cp15[slot + 1] = Number(BigInt.asUintN(32, value >> 32n));
    return true;
  },
  mode: (s) => modeName(s.mode),
  setMode(s, mode) {
    const value = Mode[mode as keyof typeof Mode];
    if (value === undefined) return false;
    switchMode(s, value);
    return true;
  },
};

/** Options for a new arm32 machine. */
export interface Arm32MachineOptions {
  /** The engine (the JIT when absent; `ARM32_BACKEND.engines` lists both). */
  readonly engine?: EngineName;
  /** Options of the JIT's translator (the differential test varies them). */
  readonly translation?: Arm32TranslatorOptions;
  /** Guest memory to share (another vCPU of the same machine); a fresh, empty one when absent. */
  readonly memory?: GuestMemory;
}

/** A new arm32 machine over empty little-endian memory. */
export function createArm32Machine(options: Arm32MachineOptions = {}): CoreMachine<Arm32State> {
  const core = new Arm32Core(options.memory ?? new GuestMemory('little'), options.engine ?? 'jit', options.translation);
  return new CoreMachine('arm32', core, ARM32_REGISTERS, core.engine);
}
