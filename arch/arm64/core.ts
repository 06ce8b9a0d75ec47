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
import { BRANCH, TRANSLATED, undefinedInstruction, type A64Handler, type Op } from './semantics/common.ts';
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
}

/**
 * The interpreter engine's hot loop, in this backend's source so that V8's
 * type feedback sees only arm64 ops (each machine runs a copy of its own):
 * it runs the blocks of `host.blocks` (one budget check per block), each op
 * through `executeArm64` directly and overlays (firmware) through their own
 * `exec`. It leaves a block when an op does not retire or branches, or the
 * block is a one-op stub. Traps and returns go straight to the exception
 * model. A run traced into a recorder records each op as it starts
 * (`host.recorder`), with the mode as PSTATE.M[3:0]. Closed (see
 * `instanceCopy`): everything it calls comes in `kit`.
 */
function interpretArm64Blocks(kit: Arm64LoopKit, host: LoopHost<Arm64State>, s: Arm64State, maxSteps: number): number {
  const execute = kit.execute;
  const retired = kit.retired;
  const blocks = host.blocks;
  const slots = blocks.slots;
  const mask = blocks.mask;
  const recorder = host.recorder;
  let steps = 0;
  const translating = kit.translationActive;
  while (steps < maxSteps) {
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
    const count = block.count < room ? block.count : room;
    let i = 0;
    while (i < count) {
      const op = ops[i++]!;
      if (recorder !== undefined) recorder.step(op, (s.el << 2) | s.sp);
      const next = op.next;
      s.pc = next;
      const result = op.exec === execute ? execute(s, op) : op.exec(s, op);
      if (result !== retired) {
        let halted: Stop | undefined;
        if (result.kind === 'trap') halted = kit.deliver(s, result, recorder) ?? kit.unmappedVector(s, kit.memory);
        else if (result.kind === 'return') halted = kit.exceptionReturn(s, result, recorder);
        else halted = result as Stop;
        if (halted !== undefined && host.settle(halted)) return steps + i;
        break;
      }
      if (s.pc !== next || block.count === 0) break;
    }
    steps += i;
  }
  return steps;
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
    this.kit = { execute: executeArm64, retired: RETIRED, deliver: deliverArm64, unmappedVector: vectorCheck, exceptionReturn: exceptionReturnArm64, memory, translationActive };
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
