/**
 * The arm32 block translator for the JIT (`src/jit/jit.ts`).
 *
 * It translates from the interpreter's own predecoded ops: the row the
 * table decoded, the handler its semantics' `Prepare` chose (by identity) and
 * the operand slots it filled. So a form the semantics treat specially (an
 * UNPREDICTABLE encoding, a write to the PC, an exception return) has another
 * handler and is not translated: its block ends there and the interpreter
 * runs it. What is translated:
 * - data processing in every form, with S and every condition; MOVW, MOVT,
 *   MUL and MLA; NOP;
 * - LDR, LDRB, LDRH, LDRSB, LDRSH, STR, STRB and STRH, straight to the
 *   memory's flat window when the access is aligned, the page mapped (and,
 *   for a store, holds no code) and CPSR.E is clear; anything else leaves the
 *   block for the interpreter to run that instruction;
 * - B, BL and BX to a word-aligned target.
 *
 * Registers and flags live in JS locals inside a block (`src/jit/state-code.ts`).
 * Flags are lazy: N and Z stay the result's, C and V the adder's operands,
 * until a condition, an exit or a later instruction needs them. What they
 * mean is the interpreter's: conditions through {@link conditionHolds}, the
 * adder's carry and overflow through {@link carryOfAdd} and
 * {@link overflowOfAdd}, shifts and their carry-out through
 * {@link shiftImmediate}, {@link shiftRegister} and {@link lastShifterCarry}.
 *
 * @module
 */

import { BlockWriter, type BlockSource } from '../../../src/jit/block-writer.ts';
import type { TracePoint, TranslationContext, Translator } from '../../../src/jit/jit.ts';
import { RETIRED } from '../../../src/interp/step-result.ts';
import { PAGE_MAPPED, type GuestMemory } from '../../../src/memory/guest-memory.ts';
import { arm32SlotPlace, bankOf, Cp15, Mode, Psr, Slot, StateSlot, type Arm32State } from '../registers.ts';
import { translationActive } from '../mmu.ts';
import { branch, branchExchange, branchWithLink } from '../semantics/branch.ts';
import { conditionHolds, lastShifterCarry, READS_PC, shiftImmediate, shiftRegister, type A32Handler, type Op } from '../semantics/common.ts';
import { carryOfAdd, DATA_PROCESSING_HANDLERS, moveTop, moveWide, multiply, OperandForm, overflowOfAdd } from '../semantics/data-processing.ts';
import { AccessKind, load, store, TransferBits } from '../semantics/load-store.ts';
import { exceptionReturn, hypervisorCall, noOperation } from '../semantics/system.ts';
import { emitEretFastPath, emitHvcFastPath, exceptionReturnAllowed } from '../exceptions.ts';

/** The semantic functions translated code calls (bound as `H`): the interpreter's own. */
export const ARM32_JIT_HELPERS = {
  /** {@link conditionHolds}. */
  conditionHolds,
  /** {@link carryOfAdd}. */
  carryOfAdd,
  /** {@link overflowOfAdd}. */
  overflowOfAdd,
  /** {@link shiftImmediate}. */
  shiftImmediate,
  /** {@link shiftRegister}. */
  shiftRegister,
  /** {@link lastShifterCarry}. */
  lastShifterCarry,
} as const;

/** Longest block, in instructions. */
const MAX_BLOCK = 64;
/** A loop also leaves through its back edge once the fuel's bits under this mask wrap (every 16 Ki instructions): see `backEdge`. */
const LOOP_EXIT_MASK = (1 << 14) - 1;
const FLAG_SLOTS = [StateSlot.n, StateSlot.z, StateSlot.c, StateSlot.v] as const;
const N = 0;
const Z = 1;
const C = 2;
const V = 3;

/** How each data-processing opcode combines Rn and the operand (ARM ARM A5.2.1): a logical operation, or the adder's inputs. */
interface DataProcessing {
  /** The logical result from `rn` and `b` (expressions); `undefined` for the adder's operations. */
  readonly logical?: (rn: string, b: string) => string;
  /** For the adder: Rn inverted, the operand inverted, and the carry-in (0, 1, or C). */
  readonly adder?: { readonly invertRn: boolean; readonly invertOperand: boolean; readonly carryIn: 0 | 1 | 'c' };
  /** Whether the result is written to Rd (not for TST, TEQ, CMP, CMN). */
  readonly writes: boolean;
}

const DP: readonly DataProcessing[] = [
  { logical: (rn, b) => `${rn} & ${b}`, writes: true }, // and
  { logical: (rn, b) => `${rn} ^ ${b}`, writes: true }, // eor
  { adder: { invertRn: false, invertOperand: true, carryIn: 1 }, writes: true }, // sub
  { adder: { invertRn: true, invertOperand: false, carryIn: 1 }, writes: true }, // rsb
  { adder: { invertRn: false, invertOperand: false, carryIn: 0 }, writes: true }, // add
  { adder: { invertRn: false, invertOperand: false, carryIn: 'c' }, writes: true }, // adc
  { adder: { invertRn: false, invertOperand: true, carryIn: 'c' }, writes: true }, // sbc
  { adder: { invertRn: true, invertOperand: false, carryIn: 'c' }, writes: true }, // rsc
  { logical: (rn, b) => `${rn} & ${b}`, writes: false }, // tst
  { logical: (rn, b) => `${rn} ^ ${b}`, writes: false }, // teq
  { adder: { invertRn: false, invertOperand: true, carryIn: 1 }, writes: false }, // cmp
  { adder: { invertRn: false, invertOperand: false, carryIn: 0 }, writes: false }, // cmn
  { logical: (rn, b) => `${rn} | ${b}`, writes: true }, // orr
  { logical: (_rn, b) => b, writes: true }, // mov
  { logical: (rn, b) => `${rn} & ~${b}`, writes: true }, // bic
  { logical: (_rn, b) => `~${b}`, writes: true }, // mvn
];

/** Options for what the translator does; the defaults are the fast ones (the differential test also runs the others). */
export interface Arm32TranslatorOptions {
  /** Keep flags lazy (default true); false materialises them after every instruction. */
  readonly lazyFlags?: boolean;
  /** Make traces of hot loops (default true). */
  readonly traces?: boolean;
  /** Run a one-block loop two passes per turn (default true). */
  readonly unrollLoops?: boolean;
}

/** The mode key of every block while the MMU translates (above every CPSR.M value, below `MODE_KEYS`). */
export const TRANSLATED_MODE_KEY = 63;

/** The arm32 {@link Translator}. */
export class Arm32Translator implements Translator<Arm32State> {
  private readonly lazy: boolean;
  private readonly traces: boolean;
  private readonly unroll: boolean;

  /**
   * @param state the machine's state.
   * @param memory the machine's memory.
   * @param options translation choices.
   */
  constructor(
    private readonly state: Arm32State,
    private readonly memory: GuestMemory,
    options: Arm32TranslatorOptions = {},
  ) {
    this.lazy = options.lazyFlags ?? true;
    this.traces = options.traces ?? true;
    this.unroll = options.unrollLoops ?? true;
  }

  /**
   * Blocks are keyed by CPSR.M; while the MMU translates, by
   * {@link TRANSLATED_MODE_KEY}, for which nothing is translated: the JIT
   * hands the run to the interpreter's translated blocks
   * ({@link Arm32Translator.yields}; translated code reads the flat
   * physical window).
   */
  modeKey(state: Arm32State): number {
    return translationActive(state) ? TRANSLATED_MODE_KEY : state.mode;
  }

  /** Blocks of {@link TRANSLATED_MODE_KEY} are the interpreter's translated blocks (`translated-blocks.ts`): the JIT hands the run over. */
  yields(mode: number): boolean {
    return mode === TRANSLATED_MODE_KEY;
  }

  /** The state, the helpers and the memory window. */
  bindings(): Readonly<Record<string, unknown>> {
    const window = this.memory.window();
    return { s: this.state, H: ARM32_JIT_HELPERS, W8: window.bytes, W32: window.words, WP: window.pages, WB: window.base, WS: window.size };
  }

  /** Translate a trace (see `Translator.translateTrace`). */
  translateTrace(path: readonly TracePoint[], context: TranslationContext<Arm32State>): BlockSource | undefined {
    if (!this.traces) return undefined;
    return new BlockTranslation(context, path[0]!.mode, this.lazy, this.memory.window().littleWords, this.state).runTrace(path);
  }

  /** Translate the block at (`pc`, `mode`). */
  translate(pc: number, mode: number, context: TranslationContext<Arm32State>): BlockSource | undefined {
    if (mode === TRANSLATED_MODE_KEY) return undefined;
    const block = new BlockTranslation(context, mode, this.lazy, this.memory.window().littleWords, this.state);
    const source = block.run(pc);
    if (source === undefined || !source.loops || !this.unroll) return source;
    // A loop of one block runs two passes per turn (a trace of the block twice): half the fuel checks and back edges.
    const unrolled = new BlockTranslation(context, mode, this.lazy, this.memory.window().littleWords, this.state).runTrace([{ pc, mode }, { pc, mode }]);
    return unrolled === undefined ? source : { ...unrolled, end: source.end, headers: source.headers };
  }
}

/** One block being translated. */
class BlockTranslation {
  private readonly w = new BlockWriter(arm32SlotPlace);
  /** Pending flag values (expressions over temporaries), or `undefined` where the local holds it. */
  private readonly pending: (string | undefined)[] = [undefined, undefined, undefined, undefined];
  /** Inside a conditional instruction: flags are written at once (its temporaries end with the `if`). */
  private eager = false;
  /** Flags written on every path so far (their values at entry are dead from here on). */
  private readonly written = new Set<number>();
  /** Flags whose values at entry may be read (by an instruction or an exit): the ones a loop's back edge must keep. */
  private readonly live = new Set<number>();
  /** The block's first address. */
  private start = 0;
  /** Whether the block became a loop (it branches back to its start). */
  private looped = false;

  /** In a trace: where the current block must go on to (other ways out exit); `undefined` in a plain block. */
  private expected: TracePoint | undefined = undefined;
  /** In a trace: set when a block cannot go on to {@link BlockTranslation.expected} as the path did. */
  private failed = false;
  /** Targets of backward branches seen (loop headers). */
  private readonly headers: number[] = [];

  constructor(
    private readonly context: TranslationContext<Arm32State>,
    private mode: number,
    private readonly lazy: boolean,
    private readonly littleWords: boolean,
    private readonly state: Arm32State,
  ) {}

  /** A plain block at `pc`. */
  run(pc: number): BlockSource | undefined {
    this.start = pc;
    const block = this.block(pc, 0);
    if (block === undefined) return undefined;
    const w = this.w;
    const body = w.fueledBody(block.count, this.looped);
    return w.finish(body, block.end, this.headers, this.looped);
  }

  /**
   * A trace: the blocks of `path` in turn, each going on to the next (the
   * last to the first) inside one loop, every other way out an exit.
   */
  runTrace(path: readonly TracePoint[]): BlockSource | undefined {
    const w = this.w;
    const head = path[0]!;
    this.start = head.pc;
    let done = 0;
    for (let i = 0; i < path.length; i++) {
      this.mode = path[i]!.mode;
      this.expected = path[(i + 1) % path.length];
      if (this.context.opAt(path[i]!.pc).name === 'overlay') {
        this.hostCall(path[i]!.pc, done);
        done += 1;
        continue;
      }
      const block = this.block(path[i]!.pc, done);
      if (block === undefined || this.failed) return undefined;
      done += block.count;
    }
    this.mode = head.mode;
    this.loopBack(done);
    const body = w.fueledBody(done, true);
    return w.finish(body, head.pc + 4, [], true);
  }

  /**
   * The instructions of one block from `pc` (`before` instructions already
   * ran in this pass): how many, and the address after the last. `undefined`
   * when the first one is not translated (or, in a trace, when the block
   * cannot go on as the path did).
   */
  private block(pc: number, before: number): { count: number; end: number } | undefined {
    const w = this.w;
    const page = pc >>> 12;
    let count = 0;
    let address = pc;
    for (;;) {
      const op = this.context.opAt(address);
      const handled = op.cacheable && op.name !== 'overlay' && count < MAX_BLOCK ? this.instruction(op, before + count) : 'no';
      if (handled === 'no') {
        if (count === 0 || this.expected !== undefined) return undefined;
        // An overlay gets a host block of its own; anything else runs in the interpreter.
        w.emit(op.name === 'overlay' ? this.exit(w.chain(address, this.mode, before + count)) : this.exit(w.step(address, before + count)));
        return { count, end: address };
      }
      count++;
      if (handled === 'ended') return { count, end: op.next };
      address = op.next;
      if (address >>> 12 !== page || count >= MAX_BLOCK) {
        this.goOn(address, this.mode, before + count);
        return { count, end: address };
      }
    }
  }

  /**
   * In a trace: the overlay at `pc` (spec firmware), called in place as the
   * interpreter would step it, then a guard that the state goes on where the
   * path did. The overlay may read and change anything: flags go to their
   * locals first (every local is written back before and reloaded after),
   * and all of them count as read. What it returns is settled here: an
   * exception return to the caller (how spec firmware mostly leaves) runs
   * through the exception model's ERET template, guarded on the mode and the
   * SPSR as the path found them; any other trap, return or stop goes to the
   * exception model itself through the host (`X.settle`), and the
   * dispatcher finds where the run goes on.
   */
  private hostCall(pc: number, done: number): void {
    const w = this.w;
    this.materialise();
    for (let f = 0; f < 4; f++) if (!this.written.has(f)) this.live.add(f);
    const op = this.context.opAt(pc);
    const result = w.overlayCall(op, done + 1);
    const retired = w.constant(RETIRED);
    const expected = this.expected!;
    const from = this.mode;
    const to = expected.mode;
    const slow = w.settle(result);
    w.emit(`if (${result} === ${retired}) { if (s.pc !== ${expected.pc >>> 0} || s.mode !== ${to}) ${w.relookup()} } else {`);
    if (from !== Mode.usr && from !== Mode.sys && exceptionReturnAllowed(from, to) && (to & Psr.T) === 0) {
      w.emit(`if (${result}.kind !== 'return' || ${result}.target !== undefined || ${w.get(StateSlot.mode)} !== ${from}) ${slow}`);
      const target = emitEretFastPath(w, from, to, slow);
      this.wroteFlags();
      w.emit(`if (${target} !== ${expected.pc >>> 0}) ${this.exit(w.dynamic(target, to, done + 1))}`);
    } else w.emit(slow);
    w.emit('}');
  }

  /** Go on to a known (PC, mode): an exit in a plain block; in a trace, nothing if the path goes there, else a failure. */
  private goOn(pc: number, mode: number, done: number): void {
    if (this.expected === undefined) this.w.emit(this.exit(this.w.chain(pc, mode, done)));
    else if (this.expected.pc !== pc >>> 0 || this.expected.mode !== mode) this.failed = true;
  }

  /** Go on to a PC computed at run time (an expression) in a known mode: an exit, or in a trace a guard that exits unless it is the path's. */
  private goOnDynamic(pc: string, mode: number, done: number): void {
    const w = this.w;
    if (this.expected === undefined) w.emit(this.exit(w.dynamic(pc, mode, done)));
    else if (this.expected.mode !== mode) this.failed = true;
    else w.emit(`if (${pc} !== ${this.expected.pc >>> 0}) ${this.exit(w.dynamic(pc, mode, done))}`);
  }

  // ---- flags

  private flag(f: number): string {
    const pending = this.pending[f];
    if (pending !== undefined) return pending;
    if (!this.written.has(f)) this.live.add(f);
    return this.w.get(FLAG_SLOTS[f]!);
  }

  private setFlag(f: number, expression: string): void {
    if (!this.eager) this.written.add(f);
    if (this.lazy && !this.eager) this.pending[f] = expression;
    else {
      this.w.set(FLAG_SLOTS[f]!, expression);
      this.pending[f] = undefined;
    }
  }

  /** Put every pending flag into its local. */
  private materialise(): void {
    for (let f = 0; f < 4; f++) {
      const value = this.pending[f];
      if (value !== undefined) {
        this.w.set(FLAG_SLOTS[f]!, value);
        this.pending[f] = undefined;
      }
    }
  }

  /** An exit, preceded by the pending flags (which stay pending on the path that goes on). */
  private exit(code: string): string {
    for (let f = 0; f < 4; f++) if (!this.written.has(f)) this.live.add(f);
    let flags = '';
    for (let f = 0; f < 4; f++) {
      const value = this.pending[f];
      if (value !== undefined) flags += this.w.assign(FLAG_SLOTS[f]!, value) + ' ';
    }
    return flags === '' ? code : `{ ${flags}${code} }`;
  }

  private condition(cond: number): string {
    return `H.conditionHolds(${cond}, ${this.flag(N)}, ${this.flag(Z)}, ${this.flag(C)}, ${this.flag(V)})`;
  }

  // ---- operands

  /** Register `r` as an int32 expression; r15 reads as the instruction's address + 8. */
  private reg(op: Op, r: number): string {
    if (r === 15) {
      if ((op.flags & READS_PC) === 0) throw new Error(`arm32 translator: ${op.name} at 0x${op.address.toString(16)} reads r15 without the READS_PC flag`);
      return `${(op.address + 8) | 0}`;
    }
    return this.w.get(r);
  }

  /** The trace record of `op` ('' when not traced): placed once on every path through the instruction, after any exit that hands it to the interpreter. */
  private recording(op: Op): string {
    const recorder = this.context.recorder;
    if (recorder === undefined) return '';
    const id = op.traceOwner === recorder ? op.traceId : recorder.register(op);
    return `TR.stepRegistered(${id}, ${this.mode}, ${op.address | 0}, ${op.word | 0});`;
  }

  private record(op: Op): void {
    const statement = this.recording(op);
    if (statement !== '') this.w.emit(statement);
  }

  /**
   * Translate one instruction (`done` instructions before it in the block).
   * Returns `'no'` if it is not translated (nothing was emitted), `'ended'`
   * if it ended the block, `'on'` otherwise.
   */
  private instruction(op: Op, done: number): 'no' | 'ended' | 'on' {
    const inner: A32Handler = op.inner;
    const opcode = DATA_PROCESSING_HANDLERS.indexOf(inner);
    if (opcode >= 0) return this.conditional(op, () => this.dataProcessing(op, opcode));
    switch (inner) {
      case moveWide:
        return this.conditional(op, () => this.w.set(op.dest, `${op.imm | 0}`));
      case moveTop:
        return this.conditional(op, () => this.w.set(op.dest, `${(op.imm << 16) | 0} | (${this.w.get(op.dest)} & 0xffff)`));
      case multiply:
        return this.conditional(op, () => this.multiply(op));
      case noOperation:
        return this.conditional(op, () => undefined);
      case load:
      case store:
        return this.transfer(op, done, inner === load);
      case branch:
      case branchWithLink:
        this.branch(op, done, inner === branchWithLink);
        return 'ended';
      case branchExchange:
        this.branchExchange(op, done);
        return 'ended';
      case hypervisorCall:
        return this.hypervisorCall(op, done);
      case exceptionReturn:
        return this.exceptionReturn(op, done);
      default:
        return 'no';
    }
  }

  /** An instruction that cannot leave the block: its trace record, then its effect under its condition. */
  private conditional(op: Op, effect: () => void): 'on' {
    this.record(op);
    if (op.cond === 14) {
      effect();
      return 'on';
    }
    // The effect's temporaries live inside the `if`: flags it sets are written at once.
    this.materialise();
    this.w.emit(`if (${this.condition(op.cond)}) {`);
    this.eager = true;
    effect();
    this.eager = false;
    this.w.emit('}');
    return 'on';
  }

  private dataProcessing(op: Op, opcode: number): void {
    const w = this.w;
    const meaning = DP[opcode]!;
    const logical = meaning.logical !== undefined;
    const wantCarry = logical && op.setFlags;
    // The second operand, and for logical S forms the shifter's carry-out (undefined: C unchanged).
    let b: string;
    let carry: string | undefined;
    switch (op.variant) {
      case OperandForm.immediate:
        b = `${op.imm | 0}`;
        carry = op.imm2 < 0 ? undefined : `${op.imm2}`;
        break;
      case OperandForm.plainRegister:
        b = this.reg(op, op.src2);
        carry = undefined;
        break;
      case OperandForm.register:
        b = w.temp(`H.shiftImmediate(${this.reg(op, op.src2)}, ${op.imm2}, ${op.imm}, ${this.flag(C)})`);
        carry = wantCarry ? w.temp('H.lastShifterCarry()') : undefined;
        break;
      default:
        b = w.temp(`H.shiftRegister(${this.reg(op, op.src2)}, ${op.imm2}, ${this.reg(op, op.src3)} & 255, ${this.flag(C)})`);
        carry = wantCarry ? w.temp('H.lastShifterCarry()') : undefined;
    }
    const rn = this.reg(op, op.src1);
    let result: string;
    if (meaning.logical !== undefined) {
      result = w.temp(`(${meaning.logical(rn, b)}) | 0`);
      if (op.setFlags) {
        this.setFlag(N, `(${result} >>> 31)`);
        this.setFlag(Z, `(${result} === 0 ? 1 : 0)`);
        if (carry !== undefined) this.setFlag(C, carry);
      }
    } else {
      const adder = meaning.adder!;
      const a = w.temp(adder.invertRn ? `~${rn}` : rn);
      const operand = w.temp(adder.invertOperand ? `~${b}` : b);
      const carryIn = adder.carryIn === 'c' ? w.temp(this.flag(C)) : `${adder.carryIn}`;
      result = w.temp(`(${a} + ${operand} + ${carryIn}) | 0`);
      if (op.setFlags) {
        this.setFlag(N, `(${result} >>> 31)`);
        this.setFlag(Z, `(${result} === 0 ? 1 : 0)`);
        this.setFlag(C, `H.carryOfAdd(${a}, ${operand}, ${carryIn})`);
        this.setFlag(V, `H.overflowOfAdd(${a}, ${operand}, ${result})`);
      }
    }
    if (meaning.writes) w.set(op.dest, result);
  }

  private multiply(op: Op): void {
    const w = this.w;
    const product = `Math.imul(${w.get(op.src1)}, ${w.get(op.src2)})`;
    const result = w.temp(op.variant === 1 ? `(${product} + ${w.get(op.src3)}) | 0` : product);
    w.set(op.dest, result);
    if (op.setFlags) {
      this.setFlag(N, `(${result} >>> 31)`);
      this.setFlag(Z, `(${result} === 0 ? 1 : 0)`);
    }
  }

  /**
   * A load or store: the address, a guard for the window's fast path (else the
   * interpreter runs the instruction), then the transfer and any writeback.
   */
  private transfer(op: Op, done: number, isLoad: boolean): 'no' | 'on' {
    const kind = op.src3;
    const size = kind === AccessKind.word ? 4 : kind === AccessKind.byte || kind === AccessKind.signedByte ? 1 : 2;
    if (size === 4 && !this.littleWords) return 'no';
    if (!isLoad && kind !== AccessKind.word && kind !== AccessKind.byte && kind !== AccessKind.half) return 'no';
    const w = this.w;
    const conditional = op.cond !== 14;
    if (conditional) {
      this.materialise();
      w.emit(`if (${this.condition(op.cond)}) {`);
      this.eager = true;
    }
    const base = this.reg(op, op.src1);
    let offsetAddress: string;
    if ((op.variant & TransferBits.registerOffset) === 0) offsetAddress = w.temp(`(${base} + ${op.imm | 0}) >>> 0`);
    else {
      const offset = w.temp(`H.shiftImmediate(${this.reg(op, op.src2)}, ${op.imm2}, ${op.imm}, ${this.flag(C)})`);
      offsetAddress = w.temp(`(${base} ${(op.variant & TransferBits.addOffset) !== 0 ? '+' : '-'} ${offset}) >>> 0`);
    }
    const address = (op.variant & TransferBits.preIndex) !== 0 ? offsetAddress : w.temp(`${base} >>> 0`);
    const o = w.temp(`${address} - WB`);
    const aligned = size === 4 ? ` && (${o} & 3) === 0` : size === 2 ? ` && (${o} & 1) === 0` : '';
    const page = isLoad ? `WP[${o} >>> 12] !== 0` : `WP[${o} >>> 12] === ${PAGE_MAPPED}`;
    w.emit(`if (!(${o} >= 0 && ${o} < WS${aligned} && ${page} && (${w.get(StateSlot.psrRest)} & ${Psr.E}) === 0)) ${this.exit(w.step(op.address, done))}`);
    this.record(op);
    if (isLoad) {
      const value = w.temp(loadExpression(kind, o));
      if ((op.variant & TransferBits.writeback) !== 0) w.set(op.src1, offsetAddress);
      w.set(op.dest, value);
    } else {
      const value = w.temp(this.reg(op, op.dest));
      if (kind === AccessKind.word) w.emit(`W32[${o} >>> 2] = ${value};`);
      else if (kind === AccessKind.byte) w.emit(`W8[${o}] = ${value};`);
      else w.emit(`W8[${o}] = ${value}; W8[${o} + 1] = ${value} >>> 8;`);
      if ((op.variant & TransferBits.writeback) !== 0) w.set(op.src1, offsetAddress);
    }
    if (conditional) {
      this.eager = false;
      // Not taken: the instruction retires doing nothing.
      const record = this.recording(op);
      w.emit(record === '' ? '}' : `} else { ${record} }`);
    }
    return 'on';
  }

  private branch(op: Op, done: number, link: boolean): void {
    const w = this.w;
    this.record(op);
    const target = op.imm >>> 0;
    if (target <= op.address && !link) this.headers.push(target);
    if (!link && target === this.start && this.expected === undefined) {
      this.backEdge(op, done + 1);
      return;
    }
    const setLink = link ? `${w.assign(14, `${op.next | 0}`)} ` : '';
    if (op.cond === 14) {
      if (setLink !== '') w.emit(setLink);
      this.goOn(target, this.mode, done + 1);
      return;
    }
    const expected = this.expected;
    if (expected === undefined) {
      w.emit(`if (${this.condition(op.cond)}) { ${setLink}${this.exit(w.chain(target, this.mode, done + 1))} }`);
      w.emit(this.exit(w.chain(op.next, this.mode, done + 1)));
    } else if (expected.mode !== this.mode) this.failed = true;
    else if (expected.pc === target) {
      w.emit(`if (!${this.condition(op.cond)}) ${this.exit(w.chain(op.next, this.mode, done + 1))}`);
      if (setLink !== '') w.emit(setLink);
    } else if (expected.pc === op.next) w.emit(`if (${this.condition(op.cond)}) { ${setLink}${this.exit(w.chain(target, this.mode, done + 1))} }`);
    else this.failed = true;
  }

  /**
   * A branch back to the block's start: the block is a loop. The way out
   * (condition failed) exits; the back edge takes this pass's instructions
   * off the fuel, exits when another pass would not fit, keeps the flags the
   * next pass reads (lazy ones only as far as they are live) and loops, with
   * every register still in its local.
   */
  private backEdge(op: Op, count: number): void {
    const w = this.w;
    if (op.cond !== 14) w.emit(`if (!${this.condition(op.cond)}) ${this.exit(w.chain(op.next, this.mode, count))}`);
    this.loopBack(count);
    this.looped = true;
  }

  /** The end of a loop's pass of `count` instructions (see {@link BlockTranslation.backEdge}). */
  private loopBack(count: number): void {
    const w = this.w;
    w.emit(`fuel -= ${count};`);
    // Out when another pass would not fit, and also every few thousand passes (when the fuel's low bits wrap):
    // re-entered through its link, the function is called often enough for V8 to optimise it whole, rather
    // than keep running the on-stack-replaced copy it started in (measured: up to 2x on the ALU loop).
    w.emit(`if ((fuel & ${LOOP_EXIT_MASK}) < ${count}) ${this.exit(w.chain(this.start, this.mode, 0))}`);
    for (let f = 0; f < 4; f++) {
      const value = this.pending[f];
      if (value !== undefined && this.live.has(f)) w.set(FLAG_SLOTS[f]!, value);
      this.pending[f] = undefined;
    }
    w.emit('}');
  }

  /** Whether the window maps the address in temporary `address` (an expression). */
  private mapped(address: string): string {
    const o = this.w.temp(`${address} - WB`);
    return `${o} >= 0 && ${o} < WS && WP[${o} >>> 12] !== 0`;
  }

  /**
   * HVC, through the exception model's own fast path (its template): in a
   * traced run, or from usr (UNDEFINED), the interpreter takes it.
   */
  private hypervisorCall(op: Op, done: number): 'no' | 'ended' {
    if (this.context.traced || this.mode === Mode.usr) return 'no';
    const trap = op.fixed;
    if (trap === undefined || trap.kind !== 'trap' || trap.cause !== 'call') return 'no';
    this.materialise();
    const vector = emitHvcFastPath(this.w, this.mode, trap.imm, op.next, (a) => this.mapped(a), this.exit(this.w.step(op.address, done)));
    this.mode = Mode.hyp;
    this.goOnDynamic(vector, Mode.hyp, done + 1);
    return 'ended';
  }

  /**
   * ERET through the exception model's fast path, guarded on the SPSR naming
   * the mode it names now (at translation); any other SPSR, a traced run, or
   * usr and sys (UNDEFINED) leave for the interpreter.
   */
  private exceptionReturn(op: Op, done: number): 'no' | 'ended' {
    const mode = this.mode;
    if (this.context.traced || mode === Mode.usr || mode === Mode.sys || op.cond !== 14) return 'no';
    // Where the path went, in a trace; else where the SPSR says now (a guess the guard checks).
    const to = this.expected?.mode ?? this.state.r[Slot.spsr + bankOf(mode)]! & (Psr.T | Psr.M);
    if ((to & Psr.T) !== 0 || !exceptionReturnAllowed(mode, to)) return 'no';
    this.materialise();
    // The mode returned to must not translate (its blocks read the physical window): else the interpreter takes the ERET.
    const control = to === Mode.hyp ? this.w.get(StateSlot.cp15 + Cp15.hsctlr) : `(${this.w.get(StateSlot.cp15 + Cp15.sctlr)} | ${this.w.get(StateSlot.cp15 + Cp15.hcr)})`;
    this.w.emit(`if ((${control} & 1) !== 0) ${this.exit(this.w.step(op.address, done))}`);
    const pc = emitEretFastPath(this.w, mode, to, this.exit(this.w.step(op.address, done)));
    this.wroteFlags();
    this.mode = to;
    this.goOnDynamic(pc, to, done + 1);
    return 'ended';
  }

  /** After a template wrote the flags' locals itself. */
  private wroteFlags(): void {
    for (let f = 0; f < 4; f++) this.written.add(f);
  }

  /** BX to a word-aligned target; any other target leaves for the interpreter (Thumb, UNPREDICTABLE, or a fetch fault there). */
  private branchExchange(op: Op, done: number): void {
    const w = this.w;
    if (op.cond !== 14) w.emit(`if (!${this.condition(op.cond)}) { ${this.recording(op)} ${this.exit(w.chain(op.next, this.mode, done + 1))} }`);
    const target = w.temp(this.reg(op, op.src2));
    w.emit(`if ((${target} & 3) !== 0) ${this.exit(w.step(op.address, done))}`);
    this.record(op);
    this.goOnDynamic(`(${target} >>> 0)`, this.mode, done + 1);
  }
}

/** The loaded value (int32) of an access of `kind` at window offset `o` (a temporary). */
function loadExpression(kind: number, o: string): string {
  switch (kind) {
    case AccessKind.word:
      return `W32[${o} >>> 2]`;
    case AccessKind.byte:
      return `W8[${o}]`;
    case AccessKind.half:
      return `W8[${o}] | (W8[${o} + 1] << 8)`;
    case AccessKind.signedByte:
      return `(W8[${o}] << 24) >> 24`;
    default:
      return `((W8[${o}] | (W8[${o} + 1] << 8)) << 16) >> 16`;
  }
}
