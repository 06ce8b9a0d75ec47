/**
 * The ppc64 block translator for the JIT (`src/jit/jit.ts`).
 *
 * It translates from the interpreter's own predecoded ops: the row the
 * table decoded, the handler its semantics' `Prepare` chose (by identity)
 * and the operand slots it filled. A form the semantics treat apart (an
 * invalid form, an SPR move, an MSR write) has another handler and is not
 * translated: its block ends there and the interpreter runs it. Only
 * 64-bit mode (MSR[SF] = 1) below 4 GiB is translated; 32-bit code runs in
 * the interpreter. What is translated:
 * - the D-form and XO-form adds and subtracts with OE and Rc, li, lis,
 *   addic(.), subfic; every logical operation with Rc, the immediate forms,
 *   extsb/h/w, cntlzw/d; the rotates with an immediate amount; compares
 *   into any CR field; mflr, mtlr, mfctr, mtctr; nop;
 * - the multiplies, divides, shifts and rotates by a register, called in
 *   place (the state written back, the interpreter's handler, the locals
 *   reloaded);
 * - every load and store, straight to the memory's flat window when the
 *   access is aligned, the page mapped (and, for a store, holds no code);
 *   anything else leaves the block for the interpreter to run that
 *   instruction. The byte order is MSR[LE]'s, part of the block's mode;
 * - b, bc (CR test, CTR decrement, LK), bclr and bcctr;
 * - sc, rfid and hrfid through the exception model's own fast paths
 *   (`arch/ppc64/exceptions.ts`), guarded, in untraced runs.
 *
 * GPRs live in JS locals as int32 halves (the state's own representation:
 * slot 2n is rn's high word, 2n + 1 its low word), as do the CR, XER's
 * bits, LR and CTR. CA, CA32 and CR0 are lazy: they stay expressions over
 * the operands until a reader, an exit or a loop's back edge needs them.
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import { BlockWriter, type BlockSource } from '../../../src/jit/block-writer.ts';
import type { TracePoint, TranslationContext, Translator } from '../../../src/jit/jit.ts';
import { PAGE_MAPPED, type FlatWindow, type GuestMemory } from '../../../src/memory/guest-memory.ts';
import { emitReturnFastPath, emitSystemCallFastPath, interruptReturnMode, returnFastPathAllowed, systemCallFastPathAllowed, Vector } from '../exceptions.ts';
import { MODE_KEY_COUNT, ModeKey, ppc64SlotPlace, StateSlot, traceModeOfKey, type Ppc64State } from '../registers.ts';
import { add, addImmediate, addImmediateCarrying, AddForm, addRegisters, divide, loadImmediate, multiplyImmediate, multiplyLow, OE, RC, subtractFromImmediate } from '../semantics/arithmetic.ts';
import { AA, branch, branchConditional, branchOnCondition, branchOnConditionNear, branchOnCount, branchToCount, branchToLink, LK } from '../semantics/branch.ts';
import { TWO_32, type Op, type PpcHandler } from '../semantics/common.ts';
import { compare, DOUBLEWORD, IMMEDIATE, UNSIGNED } from '../semantics/compare.ts';
import { INDEXED, load, SIGNED, store, UPDATE } from '../semantics/load-store.ts';
import { andImmediate, countLeadingZeros, extendSign, logical, LogicalForm, or, orImmediate, xor, xorImmediate } from '../semantics/logical.ts';
import { FROM_RB, INSERT, rotateDoubleword, rotateWord, shift } from '../semantics/rotate.ts';
import { moveFromCount, moveFromLink, moveToCount, moveToLink } from '../semantics/special.ts';
import { hypervisorReturn, noOperation, raiseFixed, returnFromInterrupt } from '../semantics/system.ts';

/** Longest block, in instructions. */
const MAX_BLOCK = 64;
/** A loop also leaves through its back edge once the fuel's bits under this mask wrap (every 16 Ki instructions): see `loopBack`. */
const LOOP_EXIT_MASK = (1 << 14) - 1;
/** True when this host stores typed-array words little-endian (the window's words are then little-endian guest words). */
const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Handlers called in place (they only compute: no trap, no branch, no MSR). */
const CALLED: ReadonlySet<PpcHandler> = new Set([rotateWord, rotateDoubleword, shift, multiplyLow, multiplyImmediate, divide, countLeadingZeros]);

/** The lazy flags: XER[CA], XER[CA32] and CR0. */
const CA = 0;
const CA32 = 1;
const CR0 = 2;
const FLAGS = 3;
const FLAG_SLOTS = [StateSlot.ca, StateSlot.ca32, StateSlot.cr] as const;

/** CR0 as a pending comparison: LT and EQ as boolean expressions over temporaries (GT is neither; SO is XER[SO], which is never written while CR0 is pending). */
interface PendingCr0 {
  readonly lt: string;
  readonly eq: string;
}

/** Options for what the translator does; the defaults are the fast ones (the differential test also runs the others). */
export interface Ppc64TranslatorOptions {
  /** Keep CA, CA32 and CR0 lazy (default true); false materialises them after every instruction. */
  readonly lazyFlags?: boolean;
  /** Make traces of hot loops (default true). */
  readonly traces?: boolean;
  /** Run a one-block loop two passes per turn (default true). */
  readonly unrollLoops?: boolean;
}

/** The ppc64 {@link Translator}. */
export class Ppc64Translator implements Translator<Ppc64State> {
  private readonly lazy: boolean;
  private readonly traces: boolean;
  private readonly unroll: boolean;
  /** Ops whose handlers translated code calls in place (`OPS[i]`), each once (by its index in {@link Ppc64Translator.opIndex}). */
  private readonly ops: Op[] = [];
  private readonly opIndex = new Map<Op, number>();

  /**
   * @param state the machine's state.
   * @param memory the machine's memory.
   * @param options translation choices.
   */
  constructor(
    private readonly state: Ppc64State,
    private readonly memory: GuestMemory,
    options: Ppc64TranslatorOptions = {},
  ) {
    this.lazy = options.lazyFlags ?? true;
    this.traces = options.traces ?? true;
    this.unroll = options.unrollLoops ?? true;
  }

  /**
   * Blocks are keyed by the mode key (MSR[SF], [HV], [PR], [LE]: `ModeKey`);
   * while the PC's EA bits 0:3 are not the sign extension of bit 4
   * (`pcTop` ≠ 0: a Linux kernel's 0xc000… addresses, in real mode), by
   * {@link FAR_MODE_KEY}, for which nothing is translated: the interpreter
   * runs those instructions (a `bl` there must put the full EA in LR).
   */
  modeKey(state: Ppc64State): number {
    return state.pcTop !== 0 ? FAR_MODE_KEY : (state.sf << 3) | (state.hv << 2) | (state.pr << 1) | state.le;
  }

  /** The state, the ops called in place and the memory window's arrays (asked for after every flush; the window's base and size are written into the code as constants). */
  bindings(): Readonly<Record<string, unknown>> {
    const window = this.memory.window();
    return { s: this.state, OPS: this.ops, W8: window.bytes, W32: window.words, WP: window.pages };
  }

  private translation(context: TranslationContext<Ppc64State>, mode: number): BlockTranslation {
    return new BlockTranslation(context, mode, this.lazy, this.state, (op) => this.indexOf(op), this.memory.window());
  }

  /** The index of `op` in `OPS`, added there if need be. */
  private indexOf(op: Op): number {
    let index = this.opIndex.get(op);
    if (index === undefined) {
      index = this.ops.push(op) - 1;
      this.opIndex.set(op, index);
    }
    return index;
  }

  /** Translate a trace (see `Translator.translateTrace`). */
  translateTrace(path: readonly TracePoint[], context: TranslationContext<Ppc64State>): BlockSource | undefined {
    if (!this.traces || path.some((point) => !translatable(point.pc, point.mode) || (point.mode & ModeKey.le) !== this.state.le)) return undefined;
    return this.translation(context, path[0]!.mode).runTrace(path);
  }

  /** Translate the block at (`pc`, `mode`). */
  translate(pc: number, mode: number, context: TranslationContext<Ppc64State>): BlockSource | undefined {
    if (!translatable(pc, mode)) return undefined;
    const source = this.translation(context, mode).run(pc);
    if (source === undefined || !source.loops || !this.unroll) return source;
    // A loop of one block runs two passes per turn (a trace of the block twice): half the fuel checks and back edges.
    const unrolled = this.translation(context, mode).runTrace([{ pc, mode }, { pc, mode }]);
    return unrolled === undefined ? source : { ...unrolled, end: source.end, headers: source.headers };
  }
}

/**
 * The mode key of code whose PC has EA bits 0:3 of their own (`pcTop` ≠ 0):
 * above every mode key of `ModeKey` (`MODE_KEY_COUNT`), and below the JIT's
 * `MODE_KEYS`.
 */
export const FAR_MODE_KEY = MODE_KEY_COUNT;

/** Only 64-bit code below 4 GiB (with `pcTop` = 0) is translated, on a little-endian host. */
function translatable(pc: number, mode: number): boolean {
  return mode < MODE_KEY_COUNT && (mode & ModeKey.sf) !== 0 && pc >= 0 && pc < TWO_32 && HOST_LITTLE;
}

/** One block (or trace) being translated. */
class BlockTranslation {
  private readonly w = new BlockWriter(ppc64SlotPlace);
  /** Pending CA and CA32 (expressions over temporaries), or `undefined` where the local holds them. */
  private readonly pending: (string | undefined)[] = [undefined, undefined];
  /** Pending CR0, or `undefined` when the CR local holds it. */
  private cr0: PendingCr0 | undefined = undefined;
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
  private readonly bigMemory: number;

  constructor(
    private readonly context: TranslationContext<Ppc64State>,
    private mode: number,
    private readonly lazy: boolean,
    private readonly state: Ppc64State,
    private readonly opIndex: (op: Op) => number,
    private readonly window: FlatWindow,
  ) {
    this.bigMemory = state.bigMemory;
  }

  /** A plain block at `pc`. */
  run(pc: number): BlockSource | undefined {
    this.start = pc;
    const block = this.block(pc, 0);
    if (block === undefined) return undefined;
    const w = this.w;
    const body = w.fueledBody(block.count, this.looped);
    return w.finish(body, block.end, this.headers, this.looped);
  }

  /** A trace: the blocks of `path` in turn, each going on to the next (the last to the first) inside one loop, every other way out an exit. */
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
   * ran in this pass): how many, and the address after the last.
   * `undefined` when the first one is not translated (or, in a trace, when
   * the block cannot go on as the path did).
   */
  private block(pc: number, before: number): { count: number; end: number } | undefined {
    const w = this.w;
    const page = Math.floor(pc / 4096);
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
      if (!this.lazy) this.materialise();
      address = op.next;
      if (Math.floor(address / 4096) !== page || count >= MAX_BLOCK) {
        this.goOn(address, this.mode, before + count);
        return { count, end: address };
      }
    }
  }

  /**
   * In a trace: the overlay at `pc` (spec firmware), called in place as the
   * interpreter would step it, then a guard that the state goes on where the
   * path did. The overlay may read and change anything: lazy flags go to
   * their locals first (every local is written back before and reloaded
   * after), and all of them count as read. What it returns is settled here:
   * an rfid to the caller (how spec firmware leaves) runs through the
   * exception model's return template ({@link emitReturnFastPath}), guarded
   * on the mode and on SRR1 giving the mode the path went to; any other
   * trap, return or stop goes to the exception model itself through the
   * host (`X.settle`), and the dispatcher finds where the run goes on.
   */
  private hostCall(pc: number, done: number): void {
    const w = this.w;
    this.materialise();
    this.allLive();
    const op = this.context.opAt(pc);
    const result = w.overlayCall(op, done + 1);
    const retired = w.constant(RETIRED);
    const expected = this.expected!;
    const from = this.mode;
    const to = expected.mode;
    const slow = w.settle(result);
    const mode = `((${w.get(StateSlot.sf)} << 3) | (${w.get(StateSlot.hv)} << 2) | (${w.get(StateSlot.pr)} << 1) | ${w.get(StateSlot.le)})`;
    w.emit(`if (${result} === ${retired}) { if (${w.get(StateSlot.pc)} !== ${expected.pc} || ${mode} !== ${to}) ${w.relookup()} } else {`);
    if (returnFastPathAllowed(from, to, false)) {
      w.emit(`if (${result}.kind !== 'return' || ${result}.instruction !== 'rfid' || ${mode} !== ${from}) ${slow}`);
      const target = emitReturnFastPath(w, from, to, false, this.bigMemory, slow);
      w.emit(`if (${target} !== ${expected.pc}) ${this.exit(w.dynamic(target, to, done + 1))}`);
    } else w.emit(slow);
    w.emit('}');
  }

  /** Go on to a known (PC, mode): an exit in a plain block; in a trace, nothing if the path goes there, else a failure. */
  private goOn(pc: number, mode: number, done: number): void {
    if (this.expected === undefined) this.w.emit(this.exit(this.chainOrLookup(pc, mode, done)));
    else if (this.expected.pc !== pc || this.expected.mode !== mode) this.failed = true;
  }

  /** An exit to a known (PC, mode): chained below 4 GiB, else looked up. */
  private chainOrLookup(pc: number, mode: number, done: number): string {
    return pc < TWO_32 ? this.w.chain(pc, mode, done) : this.w.lookup(`${pc}`, done);
  }

  /** Go on to a PC computed at run time (an expression) in a known mode: an exit, or in a trace a guard that exits unless it is the path's. */
  private goOnDynamic(pc: string, mode: number, done: number): void {
    const w = this.w;
    if (this.expected === undefined) w.emit(this.exit(w.dynamic(pc, mode, done)));
    else if (this.expected.mode !== mode) this.failed = true;
    else w.emit(`if (${pc} !== ${this.expected.pc}) ${this.exit(w.dynamic(pc, mode, done))}`);
  }

  // ---- lazy flags

  private allLive(): void {
    for (let f = 0; f < FLAGS; f++) if (!this.written.has(f)) this.live.add(f);
  }

  /** CA or CA32 as an expression. */
  private flag(f: number): string {
    const pending = this.pending[f];
    if (pending !== undefined) return pending;
    if (!this.written.has(f)) this.live.add(f);
    return this.w.get(FLAG_SLOTS[f]!);
  }

  private setFlag(f: number, expression: string): void {
    this.written.add(f);
    this.pending[f] = expression;
  }

  /** The CR0 field (0 … 15) of a pending comparison. */
  private cr0Field(pending: PendingCr0): string {
    return `(((${pending.lt}) ? 8 : (${pending.eq}) ? 2 : 4) | ${this.w.get(StateSlot.so)})`;
  }

  /** The statement that puts a pending CR0 into the CR local. */
  private cr0Assignment(pending: PendingCr0): string {
    return this.w.assign(StateSlot.cr, `(${this.w.get(StateSlot.cr)} & 0x0fffffff) | (${this.cr0Field(pending)} << 28)`);
  }

  private setCr0(pending: PendingCr0): void {
    this.written.add(CR0);
    this.cr0 = pending;
  }

  /** Put CR0 into the CR local (before anything reads the CR whole, or writes SO). */
  private materialiseCr0(): void {
    if (this.cr0 === undefined) return;
    this.w.emit(this.cr0Assignment(this.cr0));
    this.cr0 = undefined;
  }

  /** Put every pending flag into its local. */
  private materialise(): void {
    for (let f = 0; f < 2; f++) {
      const value = this.pending[f];
      if (value !== undefined) {
        this.w.set(FLAG_SLOTS[f]!, value);
        this.pending[f] = undefined;
      }
    }
    this.materialiseCr0();
  }

  /** An exit, preceded by the pending flags (which stay pending on the path that goes on). */
  private exit(code: string): string {
    this.allLive();
    let flags = '';
    for (let f = 0; f < 2; f++) {
      const value = this.pending[f];
      if (value !== undefined) flags += this.w.assign(FLAG_SLOTS[f]!, value) + ' ';
    }
    if (this.cr0 !== undefined) flags += this.cr0Assignment(this.cr0) + ' ';
    return flags === '' ? code : `{ ${flags}${code} }`;
  }

  /** CR bit `bi` (0 … 31) as a boolean expression. */
  private crBit(bi: number): string {
    if (bi < 4) {
      const pending = this.cr0;
      if (pending !== undefined) {
        if (bi === 0) return `(${pending.lt})`;
        if (bi === 1) return `!(${pending.lt} || ${pending.eq})`;
        if (bi === 2) return `(${pending.eq})`;
        return `(${this.w.get(StateSlot.so)} !== 0)`;
      }
      if (!this.written.has(CR0)) this.live.add(CR0);
    }
    return `((${this.w.get(StateSlot.cr)} & ${(1 << (31 - bi)) | 0}) !== 0)`;
  }

  /** Rc = 1: CR0 from a 64-bit result (temporaries), compared with zero (Book I 3.3.8). */
  private record(hi: string, lo: string): void {
    this.setCr0({ lt: `${hi} < 0`, eq: `(${hi} | ${lo}) === 0` });
  }

  /** Set XER[OV], XER[OV32] and SO when OV is set (expressions). */
  private setOverflow(ov: string, ov32: string): void {
    const w = this.w;
    this.materialiseCr0();
    const o = w.temp(ov);
    w.set(StateSlot.ov, o);
    w.set(StateSlot.ov32, ov32);
    w.set(StateSlot.so, `${w.get(StateSlot.so)} | ${o}`);
  }

  // ---- operands

  /** The high and low words of GPR index `k` (2n), or of 0 for `(RA|0)` with RA = 0 (k = -1). */
  private gpr(k: number): [string, string] {
    if (k < 0) return ['0', '0'];
    return [this.w.get(k), this.w.get(k + 1)];
  }

  /** The high and low words of GPR index `k` as temporaries (values that stay put while the instruction writes registers). */
  private gprTemps(k: number): [string, string] {
    const [hi, lo] = this.gpr(k);
    return [this.w.temp(hi), this.w.temp(lo)];
  }

  private setGpr(k: number, hi: string, lo: string): void {
    this.w.set(k, hi);
    this.w.set(k + 1, lo);
  }

  /** a + b + carry in over 64 bits (Book I 3.3.9): the result's words and the carries out of bit 32 and bit 0, as temporaries. */
  private add64(aHi: string, aLo: string, bHi: string, bLo: string, carryIn: string): { hi: string; lo: string; c32: string; c64: string } {
    const w = this.w;
    const low = w.temp(`(${aLo} >>> 0) + (${bLo} >>> 0) + ${carryIn}`);
    const c32 = w.temp(`${low} > 0xffffffff ? 1 : 0`);
    const high = w.temp(`(${aHi} >>> 0) + (${bHi} >>> 0) + ${c32}`);
    return { hi: w.temp(`${high} | 0`), lo: w.temp(`${low} | 0`), c32, c64: `(${high} > 0xffffffff ? 1 : 0)` };
  }

  /** The trace record of `op` ('' when not traced): placed once on every path through the instruction, after any exit that hands it to the interpreter. */
  private recording(op: Op): string {
    const recorder = this.context.recorder;
    if (recorder === undefined) return '';
    const id = op.traceOwner === recorder ? op.traceId : recorder.register(op);
    return `TR.stepRegistered(${id}, ${traceModeOfKey(this.mode)}, ${op.address | 0}, ${op.word | 0});`;
  }

  private recordStep(op: Op): void {
    const statement = this.recording(op);
    if (statement !== '') this.w.emit(statement);
  }

  /**
   * Translate one instruction (`done` instructions before it in the block).
   * Returns `'no'` if it is not translated (nothing was emitted), `'ended'`
   * if it ended the block, `'on'` otherwise.
   */
  private instruction(op: Op, done: number): 'no' | 'ended' | 'on' {
    const inner = op.inner;
    if (CALLED.has(inner)) {
      if ((inner === rotateWord || inner === rotateDoubleword) && (op.variant & FROM_RB) === 0) return this.simple(op, () => this.rotate(op));
      return this.simple(op, () => this.callInPlace(op));
    }
    switch (inner) {
      case loadImmediate:
        return this.simple(op, () => this.setGpr(op.dest, `${op.imm >> 31}`, `${op.imm | 0}`));
      case addImmediate:
        return this.simple(op, () => this.addImmediate(op));
      case addImmediateCarrying:
        return this.simple(op, () => this.addImmediateCarrying(op));
      case subtractFromImmediate:
        return this.simple(op, () => this.subtractFromImmediate(op));
      case add:
      case addRegisters:
        return this.simple(op, () => this.addRegisters(op));
      case xor:
      case or:
      case logical:
        return this.simple(op, () => this.logical(op));
      case orImmediate:
      case xorImmediate:
        return this.simple(op, () => {
          const [hi, lo] = this.gpr(op.src1);
          this.setGpr(op.dest, hi, `${lo} ${inner === orImmediate ? '|' : '^'} ${op.imm | 0}`);
        });
      case andImmediate:
        return this.simple(op, () => {
          const lo = this.w.temp(`${this.gpr(op.src1)[1]} & ${op.imm | 0}`);
          this.setGpr(op.dest, '0', lo);
          this.record('0', lo);
        });
      case extendSign:
        return this.simple(op, () => {
          const shiftBy = 32 - op.variant;
          const lo = this.w.temp(shiftBy === 0 ? this.gpr(op.src1)[1] : `(${this.gpr(op.src1)[1]} << ${shiftBy}) >> ${shiftBy}`);
          const hi = this.w.temp(`${lo} >> 31`);
          this.setGpr(op.dest, hi, lo);
          if (op.setFlags) this.record(hi, lo);
        });
      case compare:
        return this.simple(op, () => this.compare(op));
      case moveFromLink:
        return this.simple(op, () => this.setGpr(op.dest, this.w.get(StateSlot.lrHi), this.w.get(StateSlot.lrLo)));
      case moveToLink:
        return this.simple(op, () => {
          const [hi, lo] = this.gpr(op.dest);
          this.w.set(StateSlot.lrHi, hi);
          this.w.set(StateSlot.lrLo, lo);
        });
      case moveFromCount:
        return this.simple(op, () => this.setGpr(op.dest, this.w.get(StateSlot.ctrHi), this.w.get(StateSlot.ctrLo)));
      case moveToCount:
        return this.simple(op, () => {
          const [hi, lo] = this.gpr(op.dest);
          this.w.set(StateSlot.ctrHi, hi);
          this.w.set(StateSlot.ctrLo, lo);
        });
      case noOperation:
        return this.simple(op, () => undefined);
      case load:
      case store:
        return this.transfer(op, done, inner === load);
      case branch:
        return this.branch(op, done);
      case branchConditional:
      case branchOnCondition:
      case branchOnConditionNear:
      case branchOnCount:
        return this.branchConditional(op, done);
      case branchToLink:
      case branchToCount:
        return this.branchToRegister(op, done, inner === branchToLink);
      case raiseFixed:
        return this.systemCall(op, done);
      case returnFromInterrupt:
      case hypervisorReturn:
        return this.interruptReturn(op, done, inner === hypervisorReturn);
      default:
        return 'no';
    }
  }

  /** An instruction that cannot leave the block: its trace record, then its effect. */
  private simple(op: Op, effect: () => void): 'on' {
    this.recordStep(op);
    effect();
    return 'on';
  }

  /** A handler called in place: every lazy flag into its local, the state written back, the call, the locals reloaded. */
  private callInPlace(op: Op): void {
    const w = this.w;
    this.materialise();
    this.allLive();
    const index = this.opIndex(op);
    w.emit(`${w.writeBack()} OPS[${index}].inner(s, OPS[${index}]); ${w.reload()}`);
  }

  private addImmediate(op: Op): void {
    const w = this.w;
    const [aHi, aLo] = this.gprTemps(op.src1);
    const lo = w.temp(`(${aLo} + ${op.imm | 0}) | 0`);
    this.setGpr(op.dest, `(${aHi} + ${op.imm >> 31} + ((${lo} >>> 0) < (${aLo} >>> 0) ? 1 : 0)) | 0`, lo);
  }

  /** addic, addic.: as the handler, the carries lazy. */
  private addImmediateCarrying(op: Op): void {
    const w = this.w;
    const [aHi, aLo] = this.gprTemps(op.src1);
    const imm = op.imm | 0;
    const lo = w.temp(`(${aLo} + ${imm}) | 0`);
    const c32 = w.temp(`(${lo} >>> 0) < (${aLo} >>> 0) ? 1 : 0`);
    const hi = w.temp(`(${aHi} + ${imm >> 31} + ${c32}) | 0`);
    // Carry out of bit 0: adding 0xffffffff (negative SI) carries unless aHi and c32 are both 0; adding 0 carries only 0xffffffff + 1.
    const c64 = imm < 0 ? `((${aHi} | ${c32}) !== 0 ? 1 : 0)` : `(${aHi} === -1 && ${c32} === 1 ? 1 : 0)`;
    this.setGpr(op.dest, hi, lo);
    this.setFlag(CA32, c32);
    this.setFlag(CA, c64);
    if (op.variant !== 0) this.record(hi, lo);
  }

  private subtractFromImmediate(op: Op): void {
    const [aHi, aLo] = this.gprTemps(op.src1);
    const sum = this.add64(`~${aHi}`, `~${aLo}`, `${op.imm >> 31}`, `${op.imm | 0}`, '1');
    this.setGpr(op.dest, sum.hi, sum.lo);
    this.setFlag(CA32, sum.c32);
    this.setFlag(CA, sum.c64);
  }

  /** Every XO-form add and subtract (`AddForm` in `src3`), with OE and Rc, as `addRegisters` does it. */
  private addRegisters(op: Op): void {
    const w = this.w;
    const form = op.inner === add ? AddForm.add : op.src3;
    const complement = form >= AddForm.subf && form !== AddForm.addze && form !== AddForm.addme;
    const [rHi, rLo] = this.gprTemps(op.src1);
    const aHi = complement ? w.temp(`~${rHi}`) : rHi;
    const aLo = complement ? w.temp(`~${rLo}`) : rLo;
    const unary = form >= AddForm.addze;
    // addme and subfme add all ones (-1) where addze and subfze add zero.
    const minusOne = form >= AddForm.addme ? '-1' : '0';
    const [bHi, bLo] = unary ? [minusOne, minusOne] : this.gprTemps(op.src2);
    const carryIn = form === AddForm.subf || form === AddForm.subfc || form === AddForm.neg ? '1' : form === AddForm.add || form === AddForm.addc ? '0' : w.temp(this.flag(CA));
    const sum = this.add64(aHi, aLo, bHi, bLo, carryIn);
    this.setGpr(op.dest, sum.hi, sum.lo);
    if (form !== AddForm.add && form !== AddForm.subf && form !== AddForm.neg) {
      this.setFlag(CA32, sum.c32);
      this.setFlag(CA, sum.c64);
    }
    if ((op.variant & OE) !== 0) this.setOverflow(`((${aHi} ^ ${sum.hi}) & (${bHi} ^ ${sum.hi})) >>> 31`, `((${aLo} ^ ${sum.lo}) & (${bLo} ^ ${sum.lo})) >>> 31`);
    if ((op.variant & RC) !== 0) this.record(sum.hi, sum.lo);
  }

  /** Every X-form logical operation (`LogicalForm` in `variant`), with Rc. */
  private logical(op: Op): void {
    const w = this.w;
    const [aHi, aLo] = this.gpr(op.src1);
    const [bHi, bLo] = this.gpr(op.src2);
    const combine = (a: string, b: string): string => {
      switch (op.variant) {
        case LogicalForm.and:
          return `${a} & ${b}`;
        case LogicalForm.andc:
          return `${a} & ~${b}`;
        case LogicalForm.or:
          return `${a} | ${b}`;
        case LogicalForm.orc:
          return `${a} | ~${b}`;
        case LogicalForm.xor:
          return `${a} ^ ${b}`;
        case LogicalForm.nor:
          return `~(${a} | ${b})`;
        case LogicalForm.nand:
          return `~(${a} & ${b})`;
        default:
          return `~(${a} ^ ${b})`;
      }
    };
    const hi = w.temp(combine(aHi, bHi));
    const lo = w.temp(combine(aLo, bLo));
    this.setGpr(op.dest, hi, lo);
    if (op.setFlags) this.record(hi, lo);
  }

  /** rlwinm, rlwimi, rldicl, rldicr, rldic, rldimi: a rotate by an immediate, then the mask (`src3`, `imm2`) or an insert under it. */
  private rotate(op: Op): void {
    const w = this.w;
    const n = op.imm;
    const [sHi, sLo] = this.gpr(op.src1);
    let rHi: string;
    let rLo: string;
    if (op.inner === rotateWord) {
      const r = w.temp(n === 0 ? sLo : `(${sLo} << ${n}) | (${sLo} >>> ${32 - n})`);
      rHi = r;
      rLo = r;
    } else {
      const [h, l] = n >= 32 ? [sLo, sHi] : [sHi, sLo];
      const k = n & 31;
      rHi = w.temp(k === 0 ? h : `(${h} << ${k}) | (${l} >>> ${32 - k})`);
      rLo = w.temp(k === 0 ? l : `(${l} << ${k}) | (${h} >>> ${32 - k})`);
    }
    let hi = `${rHi} & ${op.src3 | 0}`;
    let lo = `${rLo} & ${op.imm2 | 0}`;
    if ((op.variant & INSERT) !== 0) {
      const [dHi, dLo] = this.gpr(op.dest);
      hi = `(${hi}) | (${dHi} & ${~op.src3 | 0})`;
      lo = `(${lo}) | (${dLo} & ${~op.imm2 | 0})`;
    }
    const h = w.temp(hi);
    const l = w.temp(lo);
    this.setGpr(op.dest, h, l);
    if (op.setFlags) this.record(h, l);
  }

  /** Every compare: LT, GT and EQ (and SO) to CR field BF (`src3` is its shift); CR0 stays a pending comparison. */
  private compare(op: Op): void {
    const w = this.w;
    const immediate = (op.variant & IMMEDIATE) !== 0;
    const unsigned = (op.variant & UNSIGNED) !== 0;
    const [aHi, aLo] = this.gprTemps(op.src1);
    const bLo = immediate ? `${op.imm | 0}` : w.temp(this.gpr(op.src2)[1]);
    let lt: string;
    let eq: string;
    if ((op.variant & DOUBLEWORD) !== 0) {
      const bHi = immediate ? `${op.imm2 | 0}` : w.temp(this.gpr(op.src2)[0]);
      const high = unsigned ? `(${aHi} >>> 0) < (${bHi} >>> 0)` : `${aHi} < ${bHi}`;
      lt = `(${high} || (${aHi} === ${bHi} && (${aLo} >>> 0) < (${bLo} >>> 0)))`;
      eq = `(${aHi} === ${bHi} && ${aLo} === ${bLo})`;
    } else {
      lt = unsigned ? `(${aLo} >>> 0) < (${bLo} >>> 0)` : `${aLo} < ${bLo}`;
      eq = `${aLo} === ${bLo}`;
    }
    const shiftBy = op.src3;
    if (shiftBy === 28 && this.lazy) {
      this.setCr0({ lt: w.temp(lt), eq: w.temp(eq) });
      return;
    }
    if (shiftBy === 28) {
      this.written.add(CR0);
      this.cr0 = undefined;
    }
    const field = w.temp(`((${lt}) ? 8 : (${eq}) ? 2 : 4) | ${w.get(StateSlot.so)}`);
    // Another field: CR0, pending or not, is left as it is.
    w.set(StateSlot.cr, `(${w.get(StateSlot.cr)} & ${~(0xf << shiftBy) | 0}) | (${field} << ${shiftBy})`);
  }

  /**
   * A load or store: the EA, a guard for the window's fast path (else the
   * interpreter runs the instruction), then the transfer and any update.
   */
  private transfer(op: Op, done: number, isLoad: boolean): 'on' {
    const w = this.w;
    const size = op.src3;
    const [baseHi, baseLo] = this.gpr(op.src1);
    const [offHi, offLo] = (op.variant & INDEXED) !== 0 ? this.gpr(op.src2) : [`${op.imm >> 31}`, `${op.imm | 0}`];
    let eaHi: string;
    let eaLo: string;
    if (op.src1 < 0) {
      eaHi = w.temp(offHi);
      eaLo = w.temp(offLo);
    } else {
      const low = w.temp(`(${baseLo} >>> 0) + (${offLo} >>> 0)`);
      eaLo = w.temp(`${low} | 0`);
      eaHi = w.temp(`(${baseHi} + ${offHi} + (${low} > 0xffffffff ? 1 : 0)) | 0`);
    }
    // The window's base and size are constants until its layout changes, which drops every block.
    const o = w.temp(`(${eaLo} >>> 0) - ${this.window.base}`);
    const aligned = size === 1 ? '' : ` && (${o} & ${size - 1}) === 0`;
    const page = isLoad ? `WP[${o} >>> 12] !== 0` : `WP[${o} >>> 12] === ${PAGE_MAPPED}`;
    w.emit(`if (!(${eaHi} === 0 && ${o} >= 0 && ${o} < ${this.window.size}${aligned} && ${page})) ${this.exit(w.step(op.address, done))}`);
    this.recordStep(op);
    const little = (this.mode & ModeKey.le) !== 0;
    const swap = (v: string): string => (little ? v : `((${v} << 24) | ((${v} & 0xff00) << 8) | ((${v} >>> 8) & 0xff00) | (${v} >>> 24))`);
    const update = (): void => {
      if ((op.variant & UPDATE) !== 0) this.setGpr(op.src1, eaHi, eaLo);
    };
    if (isLoad) {
      const signed = (op.variant & SIGNED) !== 0;
      let hi: string;
      let lo: string;
      if (size === 1) {
        lo = w.temp(`W8[${o}]`);
        hi = '0';
      } else if (size === 2) {
        const v = w.temp(little ? `W8[${o}] | (W8[${o} + 1] << 8)` : `(W8[${o}] << 8) | W8[${o} + 1]`);
        lo = signed ? w.temp(`(${v} << 16) >> 16`) : v;
        hi = signed ? `${lo} >> 31` : '0';
      } else if (size === 4) {
        const raw = w.temp(`W32[${o} >>> 2]`);
        lo = w.temp(swap(raw));
        hi = signed ? `${lo} >> 31` : '0';
      } else {
        const w0 = w.temp(`W32[${o} >>> 2]`);
        const w1 = w.temp(`W32[(${o} >>> 2) + 1]`);
        hi = w.temp(little ? w1 : swap(w0));
        lo = w.temp(little ? w0 : swap(w1));
      }
      update();
      this.setGpr(op.dest, hi, lo);
    } else {
      const [vHi, vLo] = this.gprTemps(op.dest);
      if (size === 1) w.emit(`W8[${o}] = ${vLo};`);
      else if (size === 2) w.emit(little ? `W8[${o}] = ${vLo}; W8[${o} + 1] = ${vLo} >>> 8;` : `W8[${o}] = ${vLo} >>> 8; W8[${o} + 1] = ${vLo};`);
      else if (size === 4) w.emit(`W32[${o} >>> 2] = ${swap(vLo)};`);
      else w.emit(little ? `W32[${o} >>> 2] = ${vLo}; W32[(${o} >>> 2) + 1] = ${vHi};` : `W32[${o} >>> 2] = ${swap(vHi)}; W32[(${o} >>> 2) + 1] = ${swap(vLo)};`);
      update();
    }
    return 'on';
  }

  /** LR ← CIA + 4 (64-bit mode). */
  private link(op: Op): string {
    return `${this.w.assign(StateSlot.lrHi, `${op.src3 | 0}`)} ${this.w.assign(StateSlot.lrLo, `${op.imm2 | 0}`)}`;
  }

  /** The target of a b or bc, when it is an address (not negative, below 2^53); else `undefined`. */
  private target(op: Op): number | undefined {
    const t = (op.flags & AA) !== 0 ? op.imm : op.address + op.imm;
    return t >= 0 ? t : undefined;
  }

  private branch(op: Op, done: number): 'no' | 'ended' {
    const target = this.target(op);
    if (target === undefined) return 'no';
    this.recordStep(op);
    if ((op.flags & LK) !== 0) this.w.emit(this.link(op));
    else if (target <= op.address) this.headers.push(target);
    if ((op.flags & LK) === 0 && target === this.start && this.expected === undefined) {
      this.loopBack(done + 1);
      this.looped = true;
      return 'ended';
    }
    this.goOn(target, this.mode, done + 1);
    return 'ended';
  }

  /**
   * bc in all its forms (Book I 2.4: BO[2] = 0 decrements CTR and BO[3]
   * picks the CTR test, BO[0] = 1 ignores the CR and BO[1] is the CR bit
   * value to branch on; LK sets LR taken or not).
   */
  private branchConditional(op: Op, done: number): 'no' | 'ended' {
    const w = this.w;
    const target = this.target(op);
    if (target === undefined) return 'no';
    this.recordStep(op);
    const bo = op.variant;
    if ((op.flags & LK) !== 0) w.emit(this.link(op));
    const tests: string[] = [];
    if ((bo & 4) === 0) {
      const old = w.temp(w.get(StateSlot.ctrLo));
      w.set(StateSlot.ctrLo, `(${old} - 1) | 0`);
      w.emit(`if (${old} === 0) ${w.assign(StateSlot.ctrHi, `(${w.get(StateSlot.ctrHi)} - 1) | 0`)}`);
      tests.push(`(${w.get(StateSlot.ctrHi)} | ${w.get(StateSlot.ctrLo)}) ${(bo & 2) !== 0 ? '===' : '!=='} 0`);
    }
    if ((bo & 16) === 0) {
      const bit = this.crBit(31 - op.src1);
      tests.push(op.src2 === 1 ? bit : `!${bit}`);
    }
    const condition = w.temp(tests.length === 0 ? 'true' : tests.join(' && '));
    const link = (op.flags & LK) !== 0;
    if (!link && target <= op.address) this.headers.push(target);
    if (!link && target === this.start && this.expected === undefined) {
      w.emit(`if (!${condition}) ${this.exit(this.chainOrLookup(op.next, this.mode, done + 1))}`);
      this.loopBack(done + 1);
      this.looped = true;
      return 'ended';
    }
    const expected = this.expected;
    if (expected === undefined) {
      w.emit(`if (${condition}) ${this.exit(this.chainOrLookup(target, this.mode, done + 1))}`);
      w.emit(this.exit(this.chainOrLookup(op.next, this.mode, done + 1)));
    } else if (expected.mode !== this.mode) this.failed = true;
    else if (expected.pc === target) w.emit(`if (!${condition}) ${this.exit(this.chainOrLookup(op.next, this.mode, done + 1))}`);
    else if (expected.pc === op.next) w.emit(`if (${condition}) ${this.exit(this.chainOrLookup(target, this.mode, done + 1))}`);
    else this.failed = true;
    return 'ended';
  }

  /** bclr and bcctr (BO as for bc; bcctr with BO[2] = 0 is an invalid form the interpreter takes). */
  private branchToRegister(op: Op, done: number, toLink: boolean): 'no' | 'ended' {
    const w = this.w;
    const bo = op.variant;
    if (!toLink && (bo & 4) === 0) return 'no';
    // The target is read before LK updates LR. Translated code runs with the PC's EA bits 0:3 the sign
    // extension of bit 4 (pcTop = 0, `modeKey`): a target beyond that (a 0xc000… kernel address) is the interpreter's.
    const hi = w.temp(w.get(toLink ? StateSlot.lrHi : StateSlot.ctrHi));
    w.emit(`if (((${hi} << 4) >> 4) !== ${hi}) ${this.exit(w.step(op.address, done))}`);
    this.recordStep(op);
    const lo = w.temp(`(${w.get(toLink ? StateSlot.lrLo : StateSlot.ctrLo)} & -4) >>> 0`);
    // The signed representation of the target (`setPc`).
    const target = w.temp(`${hi} === 0 ? ${lo} : ${hi} * ${TWO_32} + ${lo}`);
    if ((op.flags & LK) !== 0) w.emit(this.link(op));
    const tests: string[] = [];
    if ((bo & 4) === 0) {
      const old = w.temp(w.get(StateSlot.ctrLo));
      w.set(StateSlot.ctrLo, `(${old} - 1) | 0`);
      w.emit(`if (${old} === 0) ${w.assign(StateSlot.ctrHi, `(${w.get(StateSlot.ctrHi)} - 1) | 0`)}`);
      tests.push(`(${w.get(StateSlot.ctrHi)} | ${w.get(StateSlot.ctrLo)}) ${(bo & 2) !== 0 ? '===' : '!=='} 0`);
    }
    if ((bo & 16) === 0) {
      const bit = this.crBit(31 - op.src1);
      tests.push(op.src2 === 1 ? bit : `!${bit}`);
    }
    if (tests.length === 0) {
      this.goOnDynamic(target, this.mode, done + 1);
      return 'ended';
    }
    const condition = w.temp(tests.join(' && '));
    const expected = this.expected;
    if (expected === undefined || expected.pc !== op.next || expected.mode !== this.mode) {
      w.emit(`if (!${condition}) ${this.exit(this.chainOrLookup(op.next, this.mode, done + 1))}`);
      this.goOnDynamic(target, this.mode, done + 1);
    } else w.emit(`if (${condition}) ${this.exit(w.dynamic(target, this.mode, done + 1))}`);
    return 'ended';
  }

  /** sc, through the exception model's fast path (its template): in a traced run, or where the model must decide, the interpreter takes it. */
  private systemCall(op: Op, done: number): 'no' | 'ended' {
    const trap = op.fixed;
    if (this.context.traced || trap === undefined || trap.kind !== 'trap' || trap.cause !== 'call') return 'no';
    if (!systemCallFastPathAllowed(this.mode, op.address, this.bigMemory)) return 'no';
    // The vector is a constant: where the window covers it, whether it is mapped is one page flag.
    const offset = Vector.systemCall - this.window.base;
    if (offset < 0 || offset >= this.window.size) return 'no';
    this.materialise();
    const to = emitSystemCallFastPath(this.w, this.mode, trap.imm, op.next, this.bigMemory, () => `WP[${offset >>> 12}] !== 0`, this.exit(this.w.step(op.address, done)));
    this.mode = to;
    this.goOn(Vector.systemCall, to, done + 1);
    return 'ended';
  }

  /**
   * rfid and hrfid through the exception model's fast path, guarded on
   * (H)SRR1 giving the mode it gives now (at translation; in a trace, the
   * mode the path went to); anything else leaves for the interpreter.
   */
  private interruptReturn(op: Op, done: number, hyper: boolean): 'no' | 'ended' {
    if (this.context.traced) return 'no';
    const from = this.mode;
    const to = this.expected?.mode ?? interruptReturnMode(this.state, hyper);
    if (!returnFastPathAllowed(from, to, hyper)) return 'no';
    this.materialise();
    const pc = emitReturnFastPath(this.w, from, to, hyper, this.bigMemory, this.exit(this.w.step(op.address, done)));
    this.mode = to;
    this.goOnDynamic(pc, to, done + 1);
    return 'ended';
  }

  /** The end of a loop's pass of `count` instructions: fuel, the periodic way out, the live lazy flags kept, the back edge. */
  private loopBack(count: number): void {
    const w = this.w;
    w.emit(`fuel -= ${count};`);
    // Out when another pass would not fit, and also every few thousand passes (when the fuel's low bits wrap):
    // re-entered through its link, the function is called often enough for V8 to optimise it whole.
    w.emit(`if ((fuel & ${LOOP_EXIT_MASK}) < ${count}) ${this.exit(w.chain(this.start, this.mode, 0))}`);
    for (let f = 0; f < 2; f++) {
      const value = this.pending[f];
      if (value !== undefined && this.live.has(f)) w.set(FLAG_SLOTS[f]!, value);
      this.pending[f] = undefined;
    }
    if (this.cr0 !== undefined && this.live.has(CR0)) w.emit(this.cr0Assignment(this.cr0));
    this.cr0 = undefined;
    w.emit('}');
  }
}
