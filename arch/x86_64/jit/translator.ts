/**
 * The x86-64 block translator for the JIT (`src/jit/jit.ts`).
 *
 * It translates from the interpreter's own predecoded ops, and only the
 * ones predecode gave a number-typed handler (`semantics/number-forms.ts`,
 * known here by identity through `NUMBER_FORMS`): MOV, the eight ALU
 * operations (ADD, OR, ADC, SBB, AND, SUB, XOR, CMP), TEST, INC and DEC
 * between 32- and 64-bit registers and immediates, and near Jcc/JMP, whose
 * targets predecode resolved. Every other op (memory operands, 8- and
 * 16-bit forms, SYSCALL, VMCALL, …) runs its own handler, called in place
 * as the interpreter's block loop calls it, with its result settled by
 * the exception model. A block is a straight run of ops that ends at a
 * branch (a near branch to its own start makes it a loop), after an op
 * that ends the interpreter's blocks too (`endsX86Block`: SYSCALL, MOV to
 * CR3, …), at an op the interpreter must step (a fetch fault) or spec
 * firmware, or after {@link MAX_BLOCK} ops.
 *
 * Results are the handlers' own: the flags through the same functions the
 * handlers use (`addFlags32` …, `szp64`; conditions through
 * `conditionOf`). A flag computation whose every flag is written again
 * later in the block before anything reads it is left out (block exits
 * read every flag).
 *
 * While paging is on (`paging.ts`: the guest has loaded CR3) every access
 * translates, and the translated code would read physical memory: blocks
 * are then keyed by {@link PAGED_MODE_KEY}, which the JIT
 * {@link X86Translator.yields | yields} to the interpreter's loop.
 *
 * GPRs live in JS locals as unsigned 32-bit words (slot k is word k of
 * `gpr32`: register n is slots 2n, 2n + 1), as do RFLAGS and the step
 * counter RDTSC reads, which counts every instruction as the interpreter's
 * block loop does.
 *
 * @module
 */

import { RETIRED } from '../../../src/interp/step-result.ts';
import { BlockWriter, Exit, type BlockSource } from '../../../src/jit/block-writer.ts';
import type { TracePoint, TranslationContext, Translator } from '../../../src/jit/jit.ts';
import { deliverHypercallExit, emitSyscallEntry, emitSysretReturn, hypercallExit as hypercallExitOf, type DeliveryContext } from '../exceptions.ts';
import { codeSizeOf, Flag, STATUS_FLAGS, VENDORS, X86Slot, x86SlotPlace, type X86State } from '../registers.ts';
import { X86_SEMANTICS } from '../semantics/index.ts';
import { conditionOf, endsX86Block, type X86Op } from '../semantics/common.ts';
import { addFlags32, addFlags64, LITTLE_ENDIAN_HOST, NOT_CF, NUMBER_FORMS, subFlags32, subFlags64, szp32, szp64 } from '../semantics/number-forms.ts';

/** Longest block, in instructions. */
export const MAX_BLOCK = 64;
/** A loop also leaves through its back edge once the fuel's bits under this mask wrap (every 16 Ki instructions), as on ppc64. */
const LOOP_EXIT_MASK = (1 << 14) - 1;

/** Blocks start below this (4 GiB less the longest block's bytes), so that every PC a block links to or leaves at fits the unsigned 32 bits of `BlockWriter`'s links. */
const JIT_PC_LIMIT = 0x1_0000_0000 - MAX_BLOCK * 15;

/** Whether code at `pc` is translated: [0, {@link JIT_PC_LIMIT}); the rest (the upper half, negative, and the top of the lower half) runs in the interpreter. */
function inJitRange(pc: number): boolean {
  return pc >= 0 && pc < JIT_PC_LIMIT;
}

/** The mode key while paging is on: above every CPL, below the JIT's `MODE_KEYS`. */
export const PAGED_MODE_KEY = 4;

/** The mode key of 32-bit (compatibility-mode) code: the JIT declines it, and {@link X86Translator.yields} to the interpreter, which decodes it. */
export const COMPAT_MODE_KEY = 5;

/** Slot of RFLAGS (slots 0–31 are the words of `gpr32`). */
const RFLAGS = X86Slot.rflags;
/** Slot of the step counter. */
const TSC = X86Slot.tsc;

const F = NUMBER_FORMS;
/** The handlers this translator knows, with the flags each writes. */
const WRITES = new Map<unknown, number>([
  [F.alu32, STATUS_FLAGS],
  [F.alu64, STATUS_FLAGS],
  [F.test32, STATUS_FLAGS],
  [F.test64, STATUS_FLAGS],
  [F.mov32, 0],
  [F.mov64, 0],
  [F.incdec32, NOT_CF],
  [F.incdec64, NOT_CF],
  [F.jccNear, 0],
  [F.jmpNear, 0],
]);

/** The flags `op` reads (ADC and SBB read CF, Jcc its condition's, an op called in place any: taken as all). */
function reads(op: X86Op): number {
  if (op.inner === F.jccNear || !WRITES.has(op.inner)) return STATUS_FLAGS;
  if ((op.inner === F.alu32 || op.inner === F.alu64) && (op.variant === 2 || op.variant === 3)) return Flag.CF;
  return 0;
}

/** SYSCALL's and SYSRET's handlers (`semantics/system.ts`), known by identity: translated through the exception model's templates. */
const SYSCALL = X86_SEMANTICS['syscall']!;
const SYSRET = X86_SEMANTICS['sysret']!;
/** VMCALL's and VMMCALL's handlers, with the vendor (an index of `VENDORS`) under which each is the hypercall: their VM exits go straight to the exception model. */
const HYPERCALLS = new Map<unknown, number>([
  [X86_SEMANTICS['vmcall']!, VENDORS.indexOf('intel')],
  [X86_SEMANTICS['vmmcall']!, VENDORS.indexOf('amd')],
]);

/** Options for what the translator does; the defaults are the fast ones (the differential test also runs the others). */
export interface X86TranslatorOptions {
  /** Make traces of hot loops (default true). */
  readonly traces?: boolean;
}

/** Whether `op` is a translated flag writer that writes its destination register (ADD … XOR, not CMP; INC, DEC): its ZF is the destination's zero test. */
function writesDestination(op: X86Op): boolean {
  return ((op.inner === F.alu32 || op.inner === F.alu64) && op.variant !== 7) || op.inner === F.incdec32 || op.inner === F.incdec64;
}

/** The x86-64 {@link Translator}. */
export class X86Translator implements Translator<X86State> {
  /** Instructions are byte-aligned: the JIT's block front is indexed by the whole PC. */
  readonly alignShift = 0;
  private readonly traces: boolean;

  /**
   * @param state the machine's state.
   * @param options translation choices.
   * @param delivery what the exception model delivers with (the core): with it, hypercalls' VM exits go to the model from translated code.
   */
  constructor(
    private readonly state: X86State,
    options: X86TranslatorOptions = {},
    private readonly delivery?: DeliveryContext,
  ) {
    this.traces = options.traces ?? true;
  }

  /** Blocks are keyed by the CPL (it is the trace mode); while paging is on, by {@link PAGED_MODE_KEY}; outside 64-bit mode by {@link COMPAT_MODE_KEY}. */
  modeKey(state: X86State): number {
    return state.paging !== 0 ? PAGED_MODE_KEY : codeSizeOf(state) !== 8 ? COMPAT_MODE_KEY : state.cpl;
  }

  /** Blocks under paging belong to the interpreter's loop (it translates every access), and so does 32-bit code. */
  yields(mode: number): boolean {
    return mode === PAGED_MODE_KEY || mode === COMPAT_MODE_KEY;
  }

  /** The state and the flag functions the generated code calls. */
  bindings(): Readonly<Record<string, unknown>> {
    return { s: this.state, D: this.delivery, deliverHypercallExit, addFlags32, subFlags32, addFlags64, subFlags64, szp32, szp64, conditionOf };
  }

  /** Translate the block at (`pc`, `mode`). */
  translate(pc: number, mode: number, context: TranslationContext<X86State>): BlockSource | undefined {
    if (mode === PAGED_MODE_KEY || !LITTLE_ENDIAN_HOST) return undefined;
    const source = new BlockTranslation(context, mode, this.delivery !== undefined).run(pc);
    if (source === undefined || !source.loops || !this.traces) return source;
    // A loop of one block runs two passes per turn (a trace of the block twice): half the fuel checks and back edges.
    const unrolled = new BlockTranslation(context, mode, this.delivery !== undefined).runTrace([{ pc, mode }, { pc, mode }]);
    return unrolled === undefined ? source : { ...unrolled, end: source.end, headers: source.headers };
  }

  /**
   * Translate a trace (see `Translator.translateTrace`): the blocks of a
   * hot loop as one loop, registers and flags kept in locals across them,
   * SYSCALL and SYSRET included (their templates inline), so a trap loop
   * runs its entries and returns without leaving the function.
   */
  translateTrace(path: readonly TracePoint[], context: TranslationContext<X86State>): BlockSource | undefined {
    if (!this.traces || !LITTLE_ENDIAN_HOST || path.some((point) => point.mode === PAGED_MODE_KEY || !inJitRange(point.pc))) return undefined;
    return new BlockTranslation(context, path[0]!.mode, this.delivery !== undefined).runTrace(path);
  }
}

/** One block, or one trace, being translated. */
class BlockTranslation {
  private readonly w = new BlockWriter(x86SlotPlace);
  private start = 0;
  private looped = false;
  private readonly headers: number[] = [];
  /** In a trace: where the current block must go on to (other ways out exit); `undefined` in a plain block. */
  private expected: TracePoint | undefined = undefined;
  /** In a trace: set when a block cannot go on to {@link BlockTranslation.expected} as the path did. */
  private failed = false;
  /** Whether the next flag write is deferred (the block's last flag writer, read only by its ending JE/JNE and the exits). */
  private deferNext = false;
  /** The deferred RFLAGS write (a statement), placed at every exit after it; `undefined` when none is pending. */
  private deferred: string | undefined = undefined;
  /** ZF of the deferred write, an expression over the destination's locals as the writer left them. */
  private zero = '';
  /** Whether the flags at the block's start are dead (every flag is written before anything, an exit included, reads it). */
  private deadAtStart = false;
  /** Whether they are at the loop's start (the block's, or a trace's first block's): the back edge then drops a deferred write. */
  private deadAtLoop = false;

  constructor(
    private readonly context: TranslationContext<X86State>,
    private mode: number,
    /** Whether hypercalls may exit to the model from the block (the bindings hold the delivery context). */
    private readonly exits: boolean,
  ) {}

  /** A plain block at `pc`. */
  run(pc: number): BlockSource | undefined {
    this.start = pc;
    const block = this.block(pc, 0);
    if (block === undefined) return undefined;
    const w = this.w;
    return w.finish(w.fueledBody(block.count, this.looped), block.end, this.headers, this.looped);
  }

  /** A trace: the blocks of `path` in turn, each going on to the next (the last to the first) inside one loop, every other way out an exit. */
  runTrace(path: readonly TracePoint[]): BlockSource | undefined {
    const head = path[0]!;
    this.start = head.pc;
    let done = 0;
    for (let i = 0; i < path.length; i++) {
      this.mode = path[i]!.mode;
      this.expected = path[(i + 1) % path.length];
      const block = this.block(path[i]!.pc, done);
      if (block === undefined || this.failed) return undefined;
      done += block.count;
    }
    this.mode = head.mode;
    this.count();
    this.loopBack(done);
    const w = this.w;
    return w.finish(w.fueledBody(done, true), head.pc + 1, [], true);
  }

  /**
   * The ops of one block from `pc` (`before` instructions already ran in
   * this pass): how many, and the address after the last; `undefined` when
   * the first one is not translated.
   */
  private block(pc: number, before: number): { count: number; end: number } | undefined {
    const ops: X86Op[] = [];
    let address = pc;
    let after: X86Op | undefined;
    for (;;) {
      const op = this.context.opAt(address) as X86Op;
      if (!op.cacheable || op.name === 'overlay' || ops.length >= MAX_BLOCK) {
        after = op;
        break;
      }
      ops.push(op);
      address = op.next;
      if (op.inner === F.jccNear || op.inner === F.jmpNear || (!WRITES.has(op.inner) && endsX86Block(op))) break;
    }
    if (ops.length === 0) return undefined;
    // Which ops' flags are read: every flag is live at the block's end and before an op called in place, and an op's are
    // dead when all it writes is written again first.
    const needed: boolean[] = new Array<boolean>(ops.length).fill(false);
    let live = STATUS_FLAGS;
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i]!;
      const written = WRITES.get(op.inner) ?? 0;
      needed[i] = (live & written) !== 0;
      live = (live & ~written) | reads(op);
    }
    this.deadAtStart = (live & STATUS_FLAGS) === 0;
    if (before === 0) this.deadAtLoop = this.deadAtStart;
    const w = this.w;
    // In a trace, the last block's deferred write: needed only if this block may read flags before writing them all.
    if (this.deferred !== undefined && !this.deadAtStart) w.emit(this.deferred);
    this.deferred = undefined;
    const count = ops.length;
    // The flags of a destination-writing op right before an ending JE/JNE are read only there and at the exits: the
    // branch tests the destination for zero, and the flags are written only on the ways out (see setFlags).
    const last = ops[count - 1]!;
    const lazy = count >= 2 && last.inner === F.jccNear && (last.variant === 4 || last.variant === 5) && writesDestination(ops[count - 2]!) && needed[count - 2]! ? count - 2 : -1;
    for (let i = 0; i < count; i++) {
      const op = ops[i]!;
      if (WRITES.has(op.inner)) {
        this.deferNext = i === lazy;
        this.instruction(op, needed[i]!);
        this.deferNext = false;
        if (i === lazy) this.zero = op.inner === F.alu32 || op.inner === F.incdec32 ? `${w.get(op.dest)} === 0` : `(${w.get(op.dest)} | ${w.get(op.dest + 1)}) === 0`;
        this.uncounted++;
      } else if (this.trapThroughTemplate(op, before + i)) return { count: i + 1, end: address };
      else if (this.hypercallExit(op, before + i)) return { count: i + 1, end: address };
      else if (this.callInPlace(op, before + i + 1)) {
        // The dispatcher finds where the run goes on: a trace cannot follow.
        if (this.expected !== undefined) this.failed = true;
        return { count: i + 1, end: address };
      }
    }
    this.count();
    if (last.inner === F.jccNear || last.inner === F.jmpNear) this.branch(last, before + count);
    else if (after !== undefined && (after.name === 'overlay' || (after.cacheable && ops.length >= MAX_BLOCK))) this.goOn(address, before + count);
    else if (this.expected !== undefined) this.failed = true;
    else w.emit(w.step(address, before + count));
    return { count, end: address };
  }

  /** Go on to a known PC in the current mode: an exit in a plain block; in a trace, nothing if the path goes there, else a failure. */
  private goOn(pc: number, done: number): void {
    if (this.expected === undefined) this.w.emit(this.w.chain(pc, this.mode, done));
    else if (this.expected.pc !== pc || this.expected.mode !== this.mode) this.failed = true;
  }

  /** Go on to a PC computed at run time (an expression) in a known mode: an exit, or in a trace a guard that exits unless it is the path's. */
  private goOnDynamic(pc: string, mode: number, done: number): void {
    const w = this.w;
    const expected = this.expected;
    if (expected === undefined) w.emit(w.dynamic(pc, mode, done));
    else if (expected.mode !== mode) this.failed = true;
    else w.emit(`if (${pc} !== ${expected.pc}) ${w.dynamic(pc, mode, done)}`);
  }

  /**
   * SYSCALL, and SYSRETQ at CPL 0, through the exception model's own
   * templates (`emitSyscallEntry`, `emitSysretReturn` in `exceptions.ts`,
   * the code the interpreter's delivery runs): their guards leave for the
   * interpreter to run the instruction (`done` instructions before it),
   * which hands it to the model whole; the block then goes on to the new
   * RIP in the new CPL. In a traced run the interpreter takes them (the
   * model traces the entry and the return). Returns false for any other op.
   */
  private trapThroughTemplate(op: X86Op, done: number): boolean {
    if (this.context.traced) return false;
    const syscall = op.inner === SYSCALL;
    // SYSRETL returns to 32-bit code, which the JIT declines (COMPAT_MODE_KEY): it runs its handler in place, and the exception
    // model's return drops the ops of the other code size (X86Core.syncCodeSize).
    if (!syscall && (op.inner !== SYSRET || this.mode !== 0 || op.variant !== 8)) return false;
    const w = this.w;
    this.count();
    const slow = w.step(op.address, done);
    const pc = syscall ? emitSyscallEntry(w, `${op.next}`, slow) : emitSysretReturn(w, op.variant === 8, slow);
    this.uncounted++;
    this.count();
    this.mode = syscall ? 0 : 3;
    this.goOnDynamic(pc, this.mode, done + 1);
    return true;
  }

  /**
   * VMCALL (Intel) or VMMCALL (AMD) without prefixes: a guard that the
   * machine is the vendor whose hypercall it is (else the interpreter runs
   * it: #UD, `done` instructions before it), then the VM exit straight to
   * the exception model's own delivery (`deliverHypercallExit`, the exit
   * made once, as a constant), the state written back before and reloaded
   * after. A stop ends the run; the block goes on only where the host
   * resumed at the next instruction in the same CPL, paging still off, and
   * nothing invalidated the block (a host that patched code); anywhere else
   * the dispatcher looks the next block up. Untranslated in a traced run
   * (the model traces the exit). Returns false for any other op.
   */
  private hypercallExit(op: X86Op, done: number): boolean {
    const vendor = HYPERCALLS.get(op.inner);
    const insn = op.insn;
    if (vendor === undefined || !this.exits || this.context.traced || insn === undefined || insn.operandPrefix || insn.rep !== 0 || insn.lock) return false;
    const w = this.w;
    this.count();
    w.emit(`if (s.vendor !== ${vendor}) ${w.step(op.address, done)}`);
    this.uncounted++;
    this.count();
    const exit = w.constant(hypercallExitOf(VENDORS[vendor]!, op.address, op.next - op.address));
    const result = w.callOut(`deliverHypercallExit(s, D, ${exit})`, op.next, done + 1);
    w.emit(`if (${result} !== undefined) { X.settle(${result}); J[1] = ${Exit.end}; return null; }`);
    w.emit(`if (s.pc !== ${op.next} || s.cpl !== ${this.mode} || s.paging !== 0 || !self.valid) ${w.relookup()}`);
    this.goOn(op.next, done + 1);
    return true;
  }

  /** Translated ops not yet added to the step counter. */
  private uncounted = 0;

  /** Add the ops run so far to the step counter (before an op called in place, which may read it, and before the exits). */
  private count(): void {
    if (this.uncounted === 0) return;
    const w = this.w;
    w.set(TSC, `${w.get(TSC)} + ${this.uncounted}`);
    this.uncounted = 0;
  }

  /**
   * An op the translator does not know, called in place as the interpreter's
   * block loop runs it (`done` counts it): the state written back, RIP at
   * its next instruction, its handler, the locals reloaded; what it returns
   * other than retired goes to the exception model (`X.settle`), and the
   * block goes on only while RIP is the next instruction and the block was
   * not invalidated (a store into its own code). After an op that ends the
   * interpreter's blocks (`endsX86Block`) the dispatcher looks the next
   * block up. Returns true when the block ended here.
   */
  private callInPlace(op: X86Op, done: number): boolean {
    const w = this.w;
    this.record(op);
    this.uncounted++;
    this.count();
    const result = w.overlayCall(op, done);
    w.emit(`if (${result} !== ${w.constant(RETIRED)}) ${w.settle(result)}`);
    if (endsX86Block(op)) {
      w.emit(w.relookup());
      return true;
    }
    w.emit(`if (s.pc !== ${op.next} || !self.valid) ${w.relookup()}`);
    return false;
  }

  /** The trace record of `op`, when the run is traced (the interpreter records each op as it starts, with the CPL). */
  private record(op: X86Op): void {
    const recorder = this.context.recorder;
    if (recorder === undefined) return;
    const id = op.traceOwner === recorder ? op.traceId : recorder.register(op);
    this.w.emit(`TR.stepRegistered(${id}, ${this.mode}, ${op.address | 0}, ${op.word | 0});`);
  }

  /** The low and high words of the source (a register's, as temporaries, or the immediate's). */
  private source(op: X86Op): [string, string] {
    const w = this.w;
    if (op.src1 < 0) return [`${op.imm >>> 0}`, `${op.imm2 >>> 0}`];
    return [w.temp(w.get(op.src1)), w.temp(w.get(op.src1 + 1))];
  }

  /** RFLAGS' status bits `mask` from `flags` (an expression). */
  private setFlags(flags: string, mask: number): void {
    const w = this.w;
    const value = `(${w.get(RFLAGS)} & ${~mask}) | (${flags}${mask === STATUS_FLAGS ? '' : ` & ${mask}`})`;
    if (this.deferNext) {
      this.deferred = w.assign(RFLAGS, value);
      return;
    }
    w.set(RFLAGS, value);
  }

  /** `exit` preceded by the deferred flag write, if one is pending. */
  private exit(exit: string): string {
    return this.deferred === undefined ? exit : `{ ${this.deferred} ${exit} }`;
  }

  /** Write the deferred flags, if pending, where the code goes on (nothing is deferred past the block's branch). */
  private settleFlags(): void {
    if (this.deferred !== undefined) this.w.emit(this.deferred);
    this.deferred = undefined;
  }

  private instruction(op: X86Op, needed: boolean): void {
    const w = this.w;
    this.record(op);
    const d = op.dest;
    const inner = op.inner;
    switch (inner) {
      case F.mov32: {
        const [lo] = this.source(op);
        w.set(d, lo);
        w.set(d + 1, '0');
        return;
      }
      case F.mov64: {
        const [lo, hi] = this.source(op);
        w.set(d, lo);
        w.set(d + 1, hi);
        return;
      }
      case F.test32:
      case F.test64: {
        if (!needed) return;
        const [bl, bh] = this.source(op);
        if (inner === F.test32) this.setFlags(`szp32((${w.get(d)} & ${bl}) >>> 0)`, STATUS_FLAGS);
        else this.setFlags(`szp64((${w.get(d)} & ${bl}) >>> 0, (${w.get(d + 1)} & ${bh}) >>> 0)`, STATUS_FLAGS);
        return;
      }
      case F.alu32:
        return this.alu32(op, needed);
      case F.alu64:
        return this.alu64(op, needed);
      case F.incdec32: {
        const a = w.temp(w.get(d));
        const full = w.temp(op.variant === 0 ? `${a} + 1` : `${a} - 1`);
        if (needed) this.setFlags(op.variant === 0 ? `addFlags32(${a}, 1, ${full})` : `subFlags32(${a}, 1, ${full})`, NOT_CF);
        w.set(d, `${full} >>> 0`);
        w.set(d + 1, '0');
        return;
      }
      case F.incdec64: {
        const al = w.temp(w.get(d));
        const ah = w.temp(w.get(d + 1));
        const inc = op.variant === 0;
        const lo = w.temp(inc ? `${al} + 1` : `${al} - 1`);
        const hi = w.temp(inc ? `${ah} + (${lo} > 0xffffffff ? 1 : 0)` : `${ah} - (${lo} < 0 ? 1 : 0)`);
        if (needed) this.setFlags(`${inc ? 'add' : 'sub'}Flags64(${al}, ${ah}, 1, 0, ${lo}, ${hi})`, NOT_CF);
        w.set(d, `${lo} >>> 0`);
        w.set(d + 1, `${hi} >>> 0`);
        return;
      }
      default:
        // The branches: their effect is the block's exit (see BlockTranslation.branch).
        return;
    }
  }

  /** ADD … CMP (variant 0–7) on 32-bit registers, as `alu32` does them. */
  private alu32(op: X86Op, needed: boolean): void {
    const w = this.w;
    const d = op.dest;
    const v = op.variant;
    const a = w.temp(w.get(d));
    const [b] = this.source(op);
    const carry = v === 2 || v === 3 ? `(${w.get(RFLAGS)} & ${Flag.CF})` : '0';
    let result: string;
    if (v === 0 || v === 2) {
      const full = w.temp(`${a} + ${b} + ${carry}`);
      if (needed) this.setFlags(`addFlags32(${a}, ${b}, ${full})`, STATUS_FLAGS);
      result = `${full} >>> 0`;
    } else if (v === 3 || v === 5 || v === 7) {
      const diff = w.temp(`${a} - ${b} - ${carry}`);
      if (needed) this.setFlags(`subFlags32(${a}, ${b}, ${diff})`, STATUS_FLAGS);
      if (v === 7) return;
      result = `${diff} >>> 0`;
    } else {
      const r = w.temp(`(${a} ${v === 1 ? '|' : v === 4 ? '&' : '^'} ${b}) >>> 0`);
      if (needed) this.setFlags(`szp32(${r})`, STATUS_FLAGS);
      result = r;
    }
    w.set(d, result);
    w.set(d + 1, '0');
  }

  /** ADD … CMP on 64-bit registers, as `alu64` does them. */
  private alu64(op: X86Op, needed: boolean): void {
    const w = this.w;
    const d = op.dest;
    const v = op.variant;
    const al = w.temp(w.get(d));
    const ah = w.temp(w.get(d + 1));
    const [bl, bh] = this.source(op);
    const carry = v === 2 || v === 3 ? `(${w.get(RFLAGS)} & ${Flag.CF})` : '0';
    let rl: string;
    let rh: string;
    if (v === 0 || v === 2) {
      const lo = w.temp(`${al} + ${bl} + ${carry}`);
      const hi = w.temp(`${ah} + ${bh} + (${lo} > 0xffffffff ? 1 : 0)`);
      if (needed) this.setFlags(`addFlags64(${al}, ${ah}, ${bl}, ${bh}, ${lo}, ${hi})`, STATUS_FLAGS);
      rl = `${lo} >>> 0`;
      rh = `${hi} >>> 0`;
    } else if (v === 3 || v === 5 || v === 7) {
      const lo = w.temp(`${al} - ${bl} - ${carry}`);
      const hi = w.temp(`${ah} - ${bh} - (${lo} < 0 ? 1 : 0)`);
      if (needed) this.setFlags(`subFlags64(${al}, ${ah}, ${bl}, ${bh}, ${lo}, ${hi})`, STATUS_FLAGS);
      if (v === 7) return;
      rl = `${lo} >>> 0`;
      rh = `${hi} >>> 0`;
    } else {
      const operator = v === 1 ? '|' : v === 4 ? '&' : '^';
      rl = w.temp(`(${al} ${operator} ${bl}) >>> 0`);
      rh = w.temp(`(${ah} ${operator} ${bh}) >>> 0`);
      if (needed) this.setFlags(`szp64(${rl}, ${rh})`, STATUS_FLAGS);
    }
    w.set(d, rl);
    w.set(d + 1, rh);
  }

  /**
   * The block's ending branch (`done` instructions in the pass, the branch
   * included): a loop when it goes back to the start of a plain block; in a
   * trace, the way the path went goes on and the other way exits.
   */
  private branch(op: X86Op, done: number): void {
    const w = this.w;
    const target = op.imm;
    if (target <= op.address) this.headers.push(target);
    const plain = this.expected === undefined;
    if (op.inner === F.jmpNear) {
      if (plain && target === this.start) this.loopBack(done);
      else this.goOn(target, done);
      return;
    }
    const condition = this.deferred !== undefined ? w.temp(`${op.variant === 4 ? '' : '!'}(${this.zero})`) : w.temp(`conditionOf(${w.get(RFLAGS)}, ${op.variant})`);
    const expected = this.expected;
    if (expected === undefined) {
      if (target === this.start) {
        w.emit(`if (!${condition}) ${this.exit(w.chain(op.next, this.mode, done))}`);
        this.loopBack(done);
        return;
      }
      w.emit(`if (${condition}) ${this.exit(w.chain(target, this.mode, done))}`);
      w.emit(this.exit(w.chain(op.next, this.mode, done)));
    } else if (expected.mode !== this.mode) this.failed = true;
    else if (expected.pc === target) w.emit(`if (!${condition}) ${this.exit(w.chain(op.next, this.mode, done))}`);
    else if (expected.pc === op.next) w.emit(`if (${condition}) ${this.exit(w.chain(target, this.mode, done))}`);
    else this.failed = true;
    // Going on in a trace, the deferred write stays pending for the next block (see BlockTranslation.block).
    if (expected === undefined) this.settleFlags();
  }

  /** The end of a loop's pass of `count` instructions: the fuel, the periodic way out, the back edge. */
  private loopBack(count: number): void {
    const w = this.w;
    this.looped = true;
    w.emit(`fuel -= ${count};`);
    w.emit(`if ((fuel & ${LOOP_EXIT_MASK}) < ${count}) ${this.exit(w.chain(this.start, this.mode, 0))}`);
    // The next pass writes every flag before anything reads one: the deferred write is needed only on the ways out.
    if (this.deadAtLoop) this.deferred = undefined;
    else this.settleFlags();
    w.emit('}');
  }
}
