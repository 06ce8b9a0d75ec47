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
import { RETIRED, stop, type ExceptionReturn, type Retired, type StepResult, type Stop, type Trap } from '../../src/interp/step-result.ts';
import { instanceCopy } from '../../src/interp/instance-code.ts';
import type { TraceSink } from '../../src/interp/trace.ts';
import { GuestMemory, type CodeWriteListener, type Endian, type FlatWindow } from '../../src/memory/guest-memory.ts';
import { deliverPpc64, exceptionReturnPpc64 } from './exceptions.ts';
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
import { add, addImmediate, addImmediateCarrying, addRegisters, divide, loadImmediate, multiplyImmediate, multiplyLow, subtractFromImmediate } from './semantics/arithmetic.ts';
import { branch, branchConditional, branchOnCondition, branchOnConditionNear, branchOnCount, branchToCount, branchToLink } from './semantics/branch.ts';
import { illegalInstruction, swap32, type Op, type PpcHandler } from './semantics/common.ts';
import { compare } from './semantics/compare.ts';
import { PPC64_SEMANTICS } from './semantics/index.ts';
import { load, store } from './semantics/load-store.ts';
import { andImmediate, countLeadingZeros, extendSign, logical, or, orImmediate, xor, xorImmediate } from './semantics/logical.ts';
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

/** Route an op through {@link executePpc64}, so that every ppc64 op has the same `exec`. */
function dispatched(op: Op): Op {
  op.kind = DIRECT_HANDLERS.indexOf(op.inner);
  op.exec = executePpc64;
  return op;
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
  /** The machine's memory. */
  readonly memory: Ppc64Memory;
  /** Drops every predecoded op (`Ppc64Core.onEndianChange`). */
  readonly onEndianChange: () => void;
}

/**
 * The interpreter engine's hot loop (see {@link Ppc64Core.interpretBlocks}):
 * the blocks of `host.blocks` (one budget check per block), every op through
 * `kit.execute` (an overlay has no kind and runs its `inner`). It leaves a
 * block when an op does not retire, branches, or invalidates the block (a
 * store into it, or an MSR[LE] change). Traps and returns go straight to
 * the exception model. A run traced into a recorder records each op as it
 * starts (`host.recorder`). Closed (see {@link instanceCopy}): everything it
 * calls comes in `kit`.
 */
function interpretPpc64Blocks(kit: Ppc64LoopKit, host: LoopHost<Ppc64State>, s: Ppc64State, maxSteps: number): number {
  const execute = kit.execute;
  const retired = kit.retired;
  const blocks = host.blocks;
  const slots = blocks.slots;
  const mask = blocks.mask;
  const recorder = host.recorder;
  let steps = 0;
  while (steps < maxSteps) {
    const pc = s.pc;
    let block = slots[(pc >>> 2) & mask]!;
    if (block.address !== pc) block = blocks.find(pc);
    const ops = block.ops;
    const room = maxSteps - steps;
    const count = block.count < room ? block.count : room;
    let i = 0;
    while (i < count) {
      const op = ops[i++]!;
      if (recorder !== undefined) recorder.step(op, s.pr !== 0 ? 2 : s.hv !== 0 ? 1 : 0);
      const next = op.next;
      s.pc = next;
      const result = execute(s, op);
      if (result !== retired) {
        let halted: Stop | undefined;
        if (result.kind === 'trap') halted = kit.deliver(s, result, recorder, kit.memory, kit.onEndianChange);
        else if (result.kind === 'return') halted = kit.exceptionReturn(s, result, recorder, kit.memory, kit.onEndianChange);
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
    this.kit = { execute: executePpc64, retired: RETIRED, deliver: deliverPpc64, exceptionReturn: exceptionReturnPpc64, memory, onEndianChange: this.onEndianChange };
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
   * machine that has asked for 2^20 steps gets copies of both of its own
   * ({@link instanceCopy}, and `executorCopy`); one that runs little (a
   * test, a short command) keeps the shared ones, which are warm.
   */
  interpretBlocks(host: LoopHost<Ppc64State>, s: Ppc64State, maxSteps: number): number {
    if (this.loop === interpretPpc64Blocks && (this.budgets += maxSteps) >= OWN_LOOP_AFTER) {
      this.kit = { ...this.kit, execute: executorCopy('ppc64 execute') };
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
