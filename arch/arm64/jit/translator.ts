/**
 * The arm64 block translator for the JIT (`src/jit/jit.ts`).
 *
 * It translates from the interpreter's own predecoded ops: the row the
 * table decoded, the handler its semantics' `Prepare` chose (by identity)
 * and the operand slots it filled (register fields already resolved to
 * word indexes, XZR and SP included). What is translated, below 4 GiB and
 * with PSTATE.IL clear (the mode key, `modeKeyOf`):
 * - MOVZ, MOVN, MOVK, ADR, ADRP; ADD/SUB (immediate and shifted register)
 *   with and without flags; AND/ORR/EOR/ANDS (immediate and shifted
 *   register, the inverted forms too); CSEL, CSINC, CSINV, CSNEG; the hints
 *   and barriers;
 * - the other data-processing rows (bitfields, extract, extended
 *   registers, with carry, conditional compare, multiplies, divides,
 *   variable shifts, one-source), and CLREX, called in place: the state
 *   written back, the interpreter's handler, the locals reloaded;
 * - LDR/STR (immediate: offset, pre- and post-index) and LDP/STP (with
 *   LDPSW), straight to the memory's flat window when the access is
 *   naturally aligned, inside one page that is mapped (and, for a store,
 *   holds no code); anything else leaves the block for the interpreter to
 *   run that instruction. The other loads and stores (register offset,
 *   literal, exclusives) and MRS are called in place, and what they return
 *   when it is not `RETIRED` (a data abort, an UNDEFINED MRS) goes to the
 *   exception model through the host (`X.settle`);
 * - B, BL, B.cond, CBZ, CBNZ, TBZ, TBNZ, BR, BLR, RET;
 * - HVC and ERET through the exception model's own fast paths
 *   (`arch/arm64/exceptions.ts`), guarded, in untraced runs.
 * Anything else (MSR, SVC, SMC, BRK, WFI, SYS, UNDEFINED) ends its block
 * and runs in the interpreter.
 *
 * X registers live in JS locals as int32 halves, the state's own
 * representation (slot 2r is bits 31:0 of register slot r, 2r + 1 bits
 * 63:32): no BigInt in translated code. NZCV is lazy: each flag stays an
 * expression over the operands' temporaries until a condition, an exit or
 * a loop's back edge needs it.
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import { BlockWriter, type BlockSource } from '../../../src/jit/block-writer.ts';
import type { TracePoint, TranslationContext, Translator } from '../../../src/jit/jit.ts';
import { PAGE_MAPPED, type GuestMemory } from '../../../src/memory/guest-memory.ts';
import { Ec, emitEretFastPath, emitHvcFastPath, eretFastPathAllowed, FIRMWARE_ERET, hvcFastPathAllowed } from '../exceptions.ts';
import { translationActive } from '../tlb.ts';
import { arm64SlotPlace, DISCARD_SLOT, Mode, modeKeyOf, Psr, StateSlot, Sys, sysWordSlot, ZERO_SLOT, type Arm64State } from '../registers.ts';
import { branch, branchConditional, branchRegister, branchWithLink, compareBranch, testBranch } from '../semantics/branch.ts';
import { WIDE, type A64Handler, type Op } from '../semantics/common.ts';
import {
  addressOf,
  addSubtractCarry,
  addSubtractExtended,
  addSubtractImmediate,
  addSubtractShifted,
  bitfieldMove,
  conditionalCompare,
  conditionalSelect,
  divide,
  extract,
  logicalImmediate,
  logicalShifted,
  moveKeep,
  moveWide,
  multiplyAdd,
  multiplyAddLong,
  multiplyHigh,
  oneSource,
  shiftVariable,
} from '../semantics/data-processing.ts';
import {
  loadExclusive,
  loadLiteral,
  loadStoreImmediate,
  loadStorePair,
  loadStoreRegister,
  OFFSET,
  POST,
  prefetch,
  SIGNED,
  SIZE_MASK,
  STORE,
  storeExclusive,
  TO_X,
} from '../semantics/load-store.ts';
import { clearExclusive, exceptionReturn, moveFromSystem, noOperation, raiseFixed } from '../semantics/system.ts';

/** Longest block, in instructions. */
const MAX_BLOCK = 64;
/** A loop also leaves through its back edge once the fuel's bits under this mask wrap (every 16 Ki instructions): see `loopBack`. */
const LOOP_EXIT_MASK = (1 << 14) - 1;
/** Blocks start below this (chained exits name their PC as a 32-bit constant). */
const TWO_32 = 0x1_0000_0000;
/** True when this host stores typed-array words little-endian (the window's words are then the guest's little-endian words). */
const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** The mode key of every block while the MMU translates (above every `modeKeyOf` value, below `MODE_KEYS`). */
export const TRANSLATED_MODE_KEY = 63;

/** The mode key's PSTATE.IL bit (see `modeKeyOf`). */
const IL_KEY = 16;

const FLAG_SLOTS = [StateSlot.n, StateSlot.z, StateSlot.c, StateSlot.v] as const;
const N = 0;
const Z = 1;
const C = 2;
const V = 3;

/** Word indexes of XZR (reads as 0) and of the discard slot (writes to XZR go nowhere). */
const ZERO_WORD = 2 * ZERO_SLOT;
const DISCARD_WORD = 2 * DISCARD_SLOT;
/** Word index of X30 (the link register). */
const LINK_WORD = 60;

/** Handlers called in place that always retire (they only compute). */
const PURE: ReadonlySet<A64Handler> = new Set([
  bitfieldMove,
  extract,
  addSubtractExtended,
  addSubtractCarry,
  conditionalCompare,
  multiplyAdd,
  multiplyAddLong,
  multiplyHigh,
  divide,
  shiftVariable,
  oneSource,
  prefetch,
  clearExclusive,
]);
/** Handlers called in place that may return a trap (a data abort, an UNDEFINED MRS) for the exception model. */
const MAY_TRAP: ReadonlySet<A64Handler> = new Set([loadStoreRegister, loadLiteral, loadExclusive, storeExclusive, moveFromSystem]);
/** Of those, the ones that store (a store into code invalidates blocks, perhaps this one). */
const STORES: ReadonlySet<A64Handler> = new Set([loadStoreRegister, storeExclusive]);

/** Options for what the translator does; the defaults are the fast ones (the differential test also runs the others). */
export interface Arm64TranslatorOptions {
  /** Keep NZCV lazy (default true); false materialises the flags after every instruction. */
  readonly lazyFlags?: boolean;
  /** Make traces of hot loops (default true). */
  readonly traces?: boolean;
  /** Run a one-block loop two passes per turn (default true). */
  readonly unrollLoops?: boolean;
}

/** The arm64 {@link Translator}. */
export class Arm64Translator implements Translator<Arm64State> {
  private readonly lazy: boolean;
  private readonly traces: boolean;
  private readonly unroll: boolean;

  /**
   * @param state the machine's state.
   * @param memory the machine's memory.
   * @param options translation choices.
   */
  constructor(
    private readonly state: Arm64State,
    private readonly memory: GuestMemory,
    options: Arm64TranslatorOptions = {},
  ) {
    this.lazy = options.lazyFlags ?? true;
    this.traces = options.traces ?? true;
    this.unroll = options.unrollLoops ?? true;
  }

  /**
   * Blocks are keyed by PSTATE.M[3:0] and PSTATE.IL (`modeKeyOf`); while
   * the MMU translates, by {@link TRANSLATED_MODE_KEY}, for which nothing
   * is translated: every instruction then runs in the interpreter, through
   * the core's translating decode (translated code reads the flat physical
   * window).
   */
  modeKey(state: Arm64State): number {
    return translationActive(state) ? TRANSLATED_MODE_KEY : modeKeyOf(state);
  }

  /** The state and the memory window. */
  bindings(): Readonly<Record<string, unknown>> {
    const window = this.memory.window();
    return { s: this.state, W8: window.bytes, W32: window.words, WP: window.pages, WB: window.base, WS: window.size };
  }

  /** Translate a trace (see `Translator.translateTrace`). */
  translateTrace(path: readonly TracePoint[], context: TranslationContext<Arm64State>): BlockSource | undefined {
    if (!this.traces || path.some((point) => !translatable(point.pc, point.mode))) return undefined;
    return new BlockTranslation(context, path[0]!.mode, this.lazy, this.state).runTrace(path);
  }

  /** Translate the block at (`pc`, `mode`). */
  translate(pc: number, mode: number, context: TranslationContext<Arm64State>): BlockSource | undefined {
    if (!translatable(pc, mode)) return undefined;
    const source = new BlockTranslation(context, mode, this.lazy, this.state).run(pc);
    if (source === undefined || !source.loops || !this.unroll) return source;
    // A loop of one block runs two passes per turn (a trace of the block twice): half the fuel checks and back edges.
    const unrolled = new BlockTranslation(context, mode, this.lazy, this.state).runTrace([
      { pc, mode },
      { pc, mode },
    ]);
    return unrolled === undefined ? source : { ...unrolled, end: source.end, headers: source.headers };
  }
}

/** Only code below 4 GiB with PSTATE.IL clear is translated, on a little-endian host. */
function translatable(pc: number, mode: number): boolean {
  return mode !== TRANSLATED_MODE_KEY && (mode & IL_KEY) === 0 && pc >= 0 && pc < TWO_32 && HOST_LITTLE;
}

/** NOT of an int32 expression: folded for a constant. */
function complement(value: string): string {
  return /^-?\d+$/.test(value) ? `${~Number(value)}` : `(~${value})`;
}

/** One block (or trace) being translated. */
class BlockTranslation {
  private readonly w = new BlockWriter(arm64SlotPlace);
  /** Pending flag values (expressions over temporaries), or `undefined` where the local holds it. */
  private readonly pending: (string | undefined)[] = [undefined, undefined, undefined, undefined];
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
    private readonly context: TranslationContext<Arm64State>,
    private mode: number,
    private readonly lazy: boolean,
    private readonly state: Arm64State,
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
   * path did. The overlay may read and change anything: flags go to their
   * locals first (every local is written back before and reloaded after),
   * and all of them count as read. What it returns is settled here: an
   * exception return to the caller (how spec firmware mostly leaves) runs
   * through the exception model's ERET template, guarded on the mode, the
   * SPSR and the syndrome as the path found them (the return after a
   * trapped SMC steps past it: the model takes that one); any other trap,
   * return or stop goes to the exception model itself through the host
   * (`X.settle`), and the dispatcher finds where the run goes on.
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
    w.emit(`if (${result} === ${retired}) { if (s.pc !== ${expected.pc} || ((s.il << 4) | (s.el << 2) | s.sp) !== ${to}) ${w.relookup()} } else {`);
    if (eretFastPathAllowed(from, to)) {
      const mode = `((${w.get(StateSlot.el)} << 2) | ${w.get(StateSlot.sp)})`;
      const smc = `(${w.get(sysWordSlot(Sys.esrEl2, 0))} >>> 26) === ${Ec.smc64}`;
      w.emit(`if (${result}.kind !== 'return' || ${result}.target !== undefined || ${mode} !== ${from} || (${result}.instruction === '${FIRMWARE_ERET}' && ${smc})) ${slow}`);
      const target = emitEretFastPath(w, from, to, slow);
      this.wroteFlags();
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

  // ---- flags

  private allLive(): void {
    for (let f = 0; f < 4; f++) if (!this.written.has(f)) this.live.add(f);
  }

  private flag(f: number): string {
    const pending = this.pending[f];
    if (pending !== undefined) return pending;
    if (!this.written.has(f)) this.live.add(f);
    return this.w.get(FLAG_SLOTS[f]!);
  }

  private setFlag(f: number, expression: string): void {
    this.written.add(f);
    if (this.lazy) this.pending[f] = expression;
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

  /** After a template wrote the flags' locals itself. */
  private wroteFlags(): void {
    for (let f = 0; f < 4; f++) {
      this.written.add(f);
      this.pending[f] = undefined;
    }
  }

  /** An exit, preceded by the pending flags (which stay pending on the path that goes on). */
  private exit(code: string): string {
    this.allLive();
    let flags = '';
    for (let f = 0; f < 4; f++) {
      const value = this.pending[f];
      if (value !== undefined) flags += this.w.assign(FLAG_SLOTS[f]!, value) + ' ';
    }
    return flags === '' ? code : `{ ${flags}${code} }`;
  }

  /** ConditionHolds (C1.2.4) as a boolean expression; 14 and 15 are both "always". */
  private condition(cond: number): string {
    let test: string;
    switch (cond >> 1) {
      case 0:
        test = `${this.flag(Z)} === 1`;
        break;
      case 1:
        test = `${this.flag(C)} === 1`;
        break;
      case 2:
        test = `${this.flag(N)} === 1`;
        break;
      case 3:
        test = `${this.flag(V)} === 1`;
        break;
      case 4:
        test = `${this.flag(C)} === 1 && ${this.flag(Z)} === 0`;
        break;
      case 5:
        test = `${this.flag(N)} === ${this.flag(V)}`;
        break;
      case 6:
        test = `${this.flag(N)} === ${this.flag(V)} && ${this.flag(Z)} === 0`;
        break;
      default:
        return 'true';
    }
    return (cond & 1) === 1 ? `!(${test})` : `(${test})`;
  }

  // ---- operands

  /** Bits 31:0 and 63:32 of the register at word index `k` (XZR reads 0). */
  private reg(k: number): [string, string] {
    if (k === ZERO_WORD) return ['0', '0'];
    return [this.w.get(k), this.w.get(k + 1)];
  }

  /** The same as temporaries (values that stay put while the instruction writes registers). */
  private regTemps(k: number): [string, string] {
    if (k === ZERO_WORD) return ['0', '0'];
    return [this.w.temp(this.w.get(k)), this.w.temp(this.w.get(k + 1))];
  }

  /** Write the register at word index `k` (a write to XZR goes nowhere). */
  private setReg(k: number, lo: string, hi: string): void {
    if (k === DISCARD_WORD) return;
    this.w.set(k, lo);
    this.w.set(k + 1, hi);
  }

  /** Write a number below 2^53 (an address) to the register at word index `k`. */
  private setRegNumber(k: number, value: number): void {
    this.setReg(k, `${value | 0}`, `${Math.floor(value / TWO_32) | 0}`);
  }

  /**
   * a + b + carry in (AddWithCarry, C1.2.4) on word pairs (temporaries or
   * constants), 64 or 32 bits: the result's words as temporaries, and C and
   * V as expressions. The words are int32 additions; the carry out of bits
   * 31:0 is an unsigned comparison when the carry in is a constant.
   */
  private add(aLo: string, aHi: string, bLo: string, bHi: string, carryIn: string, is64: boolean): { lo: string; hi: string; c: string; v: string } {
    const w = this.w;
    let lo: string;
    let c0: string;
    if (carryIn === '0' || carryIn === '1') {
      lo = w.temp(`(${aLo} + ${bLo}${carryIn === '1' ? ' + 1' : ''}) | 0`);
      c0 = `((${lo} >>> 0) ${carryIn === '1' ? '<=' : '<'} (${aLo} >>> 0) ? 1 : 0)`;
    } else {
      const low = w.temp(`(${aLo} >>> 0) + (${bLo} >>> 0) + ${carryIn}`);
      lo = w.temp(`${low} | 0`);
      c0 = `(${low} > 0xffffffff ? 1 : 0)`;
    }
    if (!is64) return { lo, hi: '0', c: c0, v: `(((${aLo} ^ ${lo}) & (${bLo} ^ ${lo})) < 0 ? 1 : 0)` };
    const carry = w.temp(c0);
    const hi = w.temp(`(${aHi} + ${bHi} + ${carry}) | 0`);
    return { lo, hi, c: `((${aHi} >>> 0) + (${bHi} >>> 0) + ${carry} > 0xffffffff ? 1 : 0)`, v: `(((${aHi} ^ ${hi}) & (${bHi} ^ ${hi})) < 0 ? 1 : 0)` };
  }

  /** N and Z from a result (temporaries) at the op's width. */
  private setNz(lo: string, hi: string, is64: boolean): void {
    this.setFlag(N, is64 ? `(${hi} >>> 31)` : `(${lo} >>> 31)`);
    this.setFlag(Z, is64 ? `((${lo} | ${hi}) === 0 ? 1 : 0)` : `(${lo} === 0 ? 1 : 0)`);
  }

  /** ShiftReg (C6.2) of a word pair by a constant: type (LSL, LSR, ASR, ROR) and amount; the result as temporaries (`hi` '0' at 32 bits). */
  private shifted(lo: string, hi: string, type: number, n: number, is64: boolean): [string, string] {
    const w = this.w;
    if (n === 0) return is64 ? [lo, hi] : [lo, '0'];
    if (!is64) {
      switch (type) {
        case 0:
          return [w.temp(`${lo} << ${n}`), '0'];
        case 1:
          return [w.temp(`(${lo} >>> ${n}) | 0`), '0'];
        case 2:
          return [w.temp(`${lo} >> ${n}`), '0'];
        default:
          return [w.temp(`(${lo} >>> ${n}) | (${lo} << ${32 - n})`), '0'];
      }
    }
    switch (type) {
      case 0:
        return n < 32 ? [w.temp(`${lo} << ${n}`), w.temp(`(${hi} << ${n}) | (${lo} >>> ${32 - n})`)] : ['0', w.temp(`${lo} << ${n - 32}`)];
      case 1:
        return n < 32 ? [w.temp(`(${lo} >>> ${n}) | (${hi} << ${32 - n})`), w.temp(`(${hi} >>> ${n}) | 0`)] : [w.temp(`(${hi} >>> ${n - 32}) | 0`), '0'];
      case 2:
        return n < 32 ? [w.temp(`(${lo} >>> ${n}) | (${hi} << ${32 - n})`), w.temp(`${hi} >> ${n}`)] : [w.temp(`${hi} >> ${n - 32}`), w.temp(`${hi} >> 31`)];
      default: {
        const [a, b] = n >= 32 ? [hi, lo] : [lo, hi];
        const k = n & 31;
        if (k === 0) return [a, b];
        return [w.temp(`(${a} >>> ${k}) | (${b} << ${32 - k})`), w.temp(`(${b} >>> ${k}) | (${a} << ${32 - k})`)];
      }
    }
  }

  /** The trace record of `op` ('' when not traced): placed once on every path through the instruction, after any exit that hands it to the interpreter. */
  private recording(op: Op): string {
    const recorder = this.context.recorder;
    if (recorder === undefined) return '';
    const id = op.traceOwner === recorder ? op.traceId : recorder.register(op);
    return `TR.stepRegistered(${id}, ${this.mode & 15}, ${op.address | 0}, ${op.word | 0});`;
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
    const inner = op.inner;
    if (PURE.has(inner)) return this.simple(op, () => this.callInPlace(op, done, false));
    if (MAY_TRAP.has(inner)) return this.simple(op, () => this.callInPlace(op, done, true));
    const is64 = (op.flags & WIDE) !== 0;
    switch (inner) {
      case moveWide:
      case addressOf:
        return this.simple(op, () => this.setReg(op.dest, `${op.imm | 0}`, `${op.imm2 | 0}`));
      case moveKeep:
        return this.simple(op, () => this.moveKeep(op, is64));
      case addSubtractImmediate:
        return this.simple(op, () => this.addSubtract(op, `${op.imm | 0}`, '0', is64));
      case addSubtractShifted:
        return this.simple(op, () => {
          const [mLo, mHi] = this.regTemps(op.src2);
          const [bLo, bHi] = this.shifted(mLo, mHi, op.imm2, op.imm, is64);
          this.addSubtract(op, bLo, bHi, is64);
        });
      case logicalImmediate:
        return this.simple(op, () => this.logical(op, `${op.imm | 0}`, `${op.imm2 | 0}`, is64));
      case logicalShifted:
        return this.simple(op, () => {
          const [mLo, mHi] = this.reg(op.src2);
          let [bLo, bHi] = this.shifted(mLo, mHi, op.src3, op.imm, is64);
          if (op.cond === 1) {
            bLo = `~${bLo}`;
            bHi = `~${bHi}`;
          }
          this.logical(op, bLo, bHi, is64);
        });
      case conditionalSelect:
        return this.simple(op, () => this.select(op, is64));
      case noOperation:
        return this.simple(op, () => undefined);
      case loadStoreImmediate:
        return this.transfer(op, done, false);
      case loadStorePair:
        return this.transfer(op, done, true);
      case branch:
      case branchWithLink:
        this.branch(op, done, inner === branchWithLink);
        return 'ended';
      case branchConditional:
        this.conditionalBranch(op, done, this.condition(op.cond));
        return 'ended';
      case compareBranch: {
        const [lo, hi] = this.reg(op.src1);
        const zero = op.cond === 1 ? `(${lo} | ${hi}) === 0` : `${lo} === 0`;
        this.conditionalBranch(op, done, op.variant === 1 ? `!(${zero})` : `(${zero})`);
        return 'ended';
      }
      case testBranch: {
        const [lo, hi] = this.reg(op.src1);
        const bit = op.imm2;
        const set = bit < 32 ? `((${lo} >>> ${bit}) & 1) === 1` : `((${hi} >>> ${bit - 32}) & 1) === 1`;
        this.conditionalBranch(op, done, op.variant === 1 ? `(${set})` : `!(${set})`);
        return 'ended';
      }
      case branchRegister:
        this.branchRegister(op, done);
        return 'ended';
      case raiseFixed:
        return this.hypervisorCall(op, done);
      case exceptionReturn:
        return this.exceptionReturn(op, done);
      default:
        return 'no';
    }
  }

  /** An instruction that cannot leave the block but through its own exits: its trace record, then its effect. */
  private simple(op: Op, effect: () => void): 'on' {
    this.record(op);
    effect();
    return 'on';
  }

  /**
   * The interpreter's handler called in place: every flag into its local,
   * the state written back (the PC after the instruction, the fuel counting
   * it), the op run as the interpreter runs it, the locals reloaded. A
   * result that is not `RETIRED` goes to the exception model through the
   * host; after a store, a block the store made stale leaves at once.
   */
  private callInPlace(op: Op, done: number, mayTrap: boolean): void {
    const w = this.w;
    this.materialise();
    this.allLive();
    const result = w.overlayCall(op, done + 1);
    if (mayTrap) w.emit(`if (${result} !== ${w.constant(RETIRED)}) ${w.settle(result)}`);
    if (STORES.has(op.inner)) w.emit(`if (!self.valid) ${w.relookup()}`);
  }

  private moveKeep(op: Op, is64: boolean): void {
    const w = this.w;
    const [lo, hi] = this.reg(op.dest);
    const shift = op.variant;
    let rLo = lo;
    let rHi = is64 ? hi : '0';
    if (shift < 32) rLo = w.temp(`(${lo} & ${~(0xffff << shift)}) | ${(op.imm << shift) | 0}`);
    else rHi = w.temp(`(${hi} & ${~(0xffff << (shift - 32))}) | ${(op.imm << (shift - 32)) | 0}`);
    this.setReg(op.dest, rLo, is64 ? rHi : '0');
  }

  /**
   * ADD/SUB with the second operand `b` (words: temporaries or constants, which lazy flags may read later): subtract adds
   * its complement with carry in 1 (AddWithCarry); S forms set NZCV.
   */
  private addSubtract(op: Op, bLo: string, bHi: string, is64: boolean): void {
    const [aLo, aHi] = this.regTemps(op.src1);
    const sub = op.variant === 1;
    const sum = sub ? this.add(aLo, aHi, complement(bLo), complement(bHi), '1', is64) : this.add(aLo, aHi, bLo, bHi, '0', is64);
    if (op.setFlags) {
      this.setNz(sum.lo, sum.hi, is64);
      this.setFlag(C, sum.c);
      this.setFlag(V, sum.v);
    }
    this.setReg(op.dest, sum.lo, sum.hi);
  }

  /** AND/ORR/EOR (op.variant 0, 1, 2) of Rn with `b`; ANDS and BICS set N and Z and clear C and V. */
  private logical(op: Op, bLo: string, bHi: string, is64: boolean): void {
    const w = this.w;
    const [aLo, aHi] = this.reg(op.src1);
    const operator = op.variant === 0 ? '&' : op.variant === 1 ? '|' : '^';
    const lo = w.temp(`${aLo} ${operator} ${bLo}`);
    const hi = is64 ? w.temp(`${aHi} ${operator} ${bHi}`) : '0';
    if (op.setFlags) {
      this.setNz(lo, hi, is64);
      this.setFlag(C, '0');
      this.setFlag(V, '0');
    }
    this.setReg(op.dest, lo, hi);
  }

  /** CSEL, CSINC, CSINV, CSNEG (op.variant 0–3): Rn if the condition holds, else Rm, Rm + 1, NOT Rm or −Rm. */
  private select(op: Op, is64: boolean): void {
    const w = this.w;
    const holds = w.temp(this.condition(op.cond));
    const [nLo, nHi] = this.reg(op.src1);
    const [mLo, mHi] = this.regTemps(op.src2);
    let fLo: string;
    let fHi: string;
    switch (op.variant) {
      case 0:
        fLo = mLo;
        fHi = mHi;
        break;
      case 1:
        fLo = `(${mLo} + 1) | 0`;
        fHi = `(${mHi} + (${mLo} === -1 ? 1 : 0)) | 0`;
        break;
      case 2:
        fLo = `~${mLo}`;
        fHi = `~${mHi}`;
        break;
      default:
        fLo = `(-${mLo}) | 0`;
        fHi = `(~${mHi} + (${mLo} === 0 ? 1 : 0)) | 0`;
    }
    const lo = w.temp(`${holds} ? ${nLo} : ${fLo}`);
    const hi = is64 ? w.temp(`${holds} ? ${nHi} : ${fHi}`) : '0';
    this.setReg(op.dest, lo, hi);
  }

  /**
   * LDR/STR (immediate) and LDP/STP: the address, a guard for the window's
   * fast path (naturally aligned, inside one mapped page below 4 GiB that,
   * for a store, holds no code; else the interpreter runs the instruction),
   * then the transfers and the write-back, in the handler's order.
   */
  private transfer(op: Op, done: number, pair: boolean): 'on' {
    const w = this.w;
    const variant = op.variant;
    const size = variant & SIZE_MASK;
    const bytes = 1 << size;
    const span = pair ? 2 * bytes : bytes;
    const isStore = (variant & STORE) !== 0;
    const [baseLo, baseHi] = this.regTemps(op.src1);
    const imm = op.imm | 0;
    const low = w.temp(`(${baseLo} >>> 0) + ${imm >>> 0}`);
    const sumLo = w.temp(`${low} | 0`);
    const sumHi = w.temp(`(${baseHi} + ${imm < 0 ? -1 : 0} + (${low} > 0xffffffff ? 1 : 0)) | 0`);
    const [eaLo, eaHi] = op.cond === POST ? [baseLo, baseHi] : [sumLo, sumHi];
    // The window's base and size are constants until its layout changes, which drops every block.
    const o = w.temp(`(${eaLo} >>> 0) - WB`);
    const page = isStore ? `WP[${o} >>> 12] === ${PAGE_MAPPED}` : `WP[${o} >>> 12] !== 0`;
    w.emit(`if (!(${eaHi} === 0 && ${o} >= 0 && ${o} < WS && (${o} & ${bytes - 1}) === 0 && (${o} & 4095) <= ${4096 - span} && ${page})) ${this.exit(w.step(op.address, done))}`);
    this.record(op);
    const writeBack = (): void => {
      if (op.cond !== OFFSET) this.setReg(op.src1, sumLo, sumHi);
    };
    if (isStore) {
      const [aLo, aHi] = this.regTemps(op.dest);
      this.store(o, 0, size, aLo, aHi);
      if (pair) {
        const [bLo, bHi] = this.regTemps(op.src2);
        this.store(o, bytes, size, bLo, bHi);
      }
      writeBack();
      return 'on';
    }
    const first = this.load(o, 0, size, variant);
    if (pair) {
      const second = this.load(o, bytes, size, variant);
      this.setReg(op.src2, second[0], second[1]);
    }
    this.setReg(op.dest, first[0], first[1]);
    writeBack();
    return 'on';
  }

  /** A load of `1 << size` bytes at window offset `o` + `at`, extended as `variant` says: the words as temporaries. */
  private load(o: string, at: number, size: number, variant: number): [string, string] {
    const w = this.w;
    const p = at === 0 ? o : `${o} + ${at}`;
    if (size === 3) return [w.temp(`W32[(${p}) >>> 2]`), w.temp(`W32[((${p}) >>> 2) + 1]`)];
    const signed = (variant & SIGNED) !== 0;
    let lo: string;
    if (size === 2) lo = w.temp(`W32[(${p}) >>> 2]`);
    else if (size === 1) lo = w.temp(signed ? `((W8[${p}] | (W8[${p} + 1] << 8)) << 16) >> 16` : `W8[${p}] | (W8[${p} + 1] << 8)`);
    else lo = w.temp(signed ? `(W8[${p}] << 24) >> 24` : `W8[${p}]`);
    const hi = (variant & (SIGNED | TO_X)) === (SIGNED | TO_X) ? w.temp(`${lo} >> 31`) : '0';
    return [lo, hi];
  }

  /** A store of `1 << size` bytes of the words `lo`, `hi` at window offset `o` + `at`. */
  private store(o: string, at: number, size: number, lo: string, hi: string): void {
    const p = at === 0 ? o : `${o} + ${at}`;
    if (size === 3) this.w.emit(`W32[(${p}) >>> 2] = ${lo}; W32[((${p}) >>> 2) + 1] = ${hi};`);
    else if (size === 2) this.w.emit(`W32[(${p}) >>> 2] = ${lo};`);
    else if (size === 1) this.w.emit(`W8[${p}] = ${lo}; W8[${p} + 1] = ${lo} >>> 8;`);
    else this.w.emit(`W8[${p}] = ${lo};`);
  }

  private branch(op: Op, done: number, link: boolean): void {
    this.record(op);
    const target = op.imm;
    if (link) this.setRegNumber(LINK_WORD, op.next);
    else if (target <= op.address) this.headers.push(target);
    if (!link && target === this.start && this.expected === undefined) {
      this.loopBack(done + 1);
      this.looped = true;
      return;
    }
    this.goOn(target, this.mode, done + 1);
  }

  /** B.cond, CBZ, CBNZ, TBZ, TBNZ: to `op.imm` when `condition` (an expression) holds, else on. */
  private conditionalBranch(op: Op, done: number, condition: string): void {
    const w = this.w;
    this.record(op);
    const target = op.imm;
    if (target <= op.address) this.headers.push(target);
    const taken = w.temp(condition);
    if (target === this.start && this.expected === undefined) {
      w.emit(`if (!${taken}) ${this.exit(this.chainOrLookup(op.next, this.mode, done + 1))}`);
      this.loopBack(done + 1);
      this.looped = true;
      return;
    }
    const expected = this.expected;
    if (expected === undefined) {
      w.emit(`if (${taken}) ${this.exit(this.chainOrLookup(target, this.mode, done + 1))}`);
      w.emit(this.exit(this.chainOrLookup(op.next, this.mode, done + 1)));
    } else if (expected.mode !== this.mode) this.failed = true;
    else if (expected.pc === target) w.emit(`if (!${taken}) ${this.exit(this.chainOrLookup(op.next, this.mode, done + 1))}`);
    else if (expected.pc === op.next) w.emit(`if (${taken}) ${this.exit(this.chainOrLookup(target, this.mode, done + 1))}`);
    else this.failed = true;
  }

  /** BR, BLR, RET: the target read before BLR writes X30. */
  private branchRegister(op: Op, done: number): void {
    const [lo, hi] = this.reg(op.src1);
    // A target whose top byte is not the sign extension of bit 55 (tagged, or far from canonical): the interpreter takes the
    // branch (AArch64.BranchAddr strips a tag under TBI; the number representation holds such a target only inexactly).
    this.materialise();
    this.w.emit(`if ((${hi} >> 24) !== ((${hi} << 8) >> 31)) ${this.exit(this.w.step(op.address, done))}`);
    this.record(op);
    // The signed representation of addresses (`tlb.ts`).
    const target = this.w.temp(`${hi} === 0 ? ${lo} >>> 0 : ${hi} * ${TWO_32} + (${lo} >>> 0)`);
    if (op.variant === 1) this.setRegNumber(LINK_WORD, op.next);
    this.goOnDynamic(target, this.mode, done + 1);
  }

  /** Whether the window maps the address in temporary `address`. */
  private mapped(address: string): string {
    const o = this.w.temp(`${address} - WB`);
    return `${o} >= 0 && ${o} < WS && WP[${o} >>> 12] !== 0`;
  }

  /**
   * HVC through the exception model's fast path (its template): in a traced
   * run, at EL0 (UNDEFINED), or for another exception-generating
   * instruction, the interpreter takes it.
   */
  private hypervisorCall(op: Op, done: number): 'no' | 'ended' {
    const trap = op.fixed;
    if (this.context.traced || trap === undefined || trap.kind !== 'trap' || trap.cause !== 'call' || trap.conduit !== 'hvc' || !hvcFastPathAllowed(this.mode)) return 'no';
    this.materialise();
    const vector = emitHvcFastPath(this.w, this.mode, trap.imm, op.next, (a) => this.mapped(a), this.exit(this.w.step(op.address, done)));
    this.wroteFlags();
    this.mode = Mode.el2h;
    this.goOnDynamic(vector, this.mode, done + 1);
    return 'ended';
  }

  /**
   * ERET through the exception model's fast path, guarded on the SPSR
   * naming the mode it names now (at translation; in a trace, the mode the
   * path went to); any other SPSR, a traced run, or EL0 (UNDEFINED) leaves
   * for the interpreter.
   */
  private exceptionReturn(op: Op, done: number): 'no' | 'ended' {
    const from = this.mode;
    if (this.context.traced) return 'no';
    const spsr = this.state.sys[2 * ((from >> 2) === 2 ? Sys.spsrEl2 : Sys.spsrEl1)]! >>> 0;
    const to = this.expected?.mode ?? (spsr & (Psr.IL | Psr.nRW | Psr.M));
    if (!eretFastPathAllowed(from, to)) return 'no';
    this.materialise();
    const pc = emitEretFastPath(this.w, from, to, this.exit(this.w.step(op.address, done)));
    this.wroteFlags();
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
    for (let f = 0; f < 4; f++) {
      const value = this.pending[f];
      if (value !== undefined && this.live.has(f)) w.set(FLAG_SLOTS[f]!, value);
      this.pending[f] = undefined;
    }
    w.emit('}');
  }
}
