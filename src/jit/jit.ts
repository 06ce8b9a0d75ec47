/**
 * A block-translating JIT that a backend opts into as its run loop
 * (`ExecutionCore.runLoop`).
 *
 * Guest code is translated a basic block at a time into a JS function (made
 * with `new Function`, from source a backend's {@link Translator} writes in
 * the protocol of `block-writer.ts`). Blocks are cached by (PC, mode), chained
 * to each other through link arrays, and invalidated when cached code goes
 * stale (a store into a code page, an overlay added or removed, a restore:
 * {@link LoopHost.onInvalidate}). The interpreter stays the reference and
 * the fallback: an instruction a translator does not handle ends its block
 * and runs through {@link LoopHost.step}, and so do overlays (spec firmware:
 * a *host block* calls the overlay directly) and the last few instructions of
 * a run whose budget is shorter than the next block, so that `run(n)` stops
 * after exactly `n` instructions.
 *
 * A JIT instance belongs to one machine. Each block's source carries the
 * instance's serial number, so that V8's compilation cache never hands one
 * machine's optimised code (and its type feedback) to another's.
 *
 * @module
 */

import type { DecodedOp, SteppableState } from '../interp/decoded-op.ts';
import type { LoopHost } from '../interp/interpreter.ts';
import type { Retired, StepResult } from '../interp/step-result.ts';
import type { TraceRecorder } from '../interp/trace.ts';
import { knownPagesIn, pageIndex as pageOf, type GuestMemory } from '../memory/guest-memory.ts';
import { Exit, type BlockSource } from './block-writer.ts';

/** What a block translator sees of the machine. */
export interface TranslationContext<S> {
  /** The predecoded op at an address (the interpreter's: overlays first, from its cache when possible). */
  opAt(address: number): DecodedOp<S>;
  /** Whether the block is for a traced run: it then records every instruction it runs into `TR` (see `block-writer.ts`). */
  readonly traced: boolean;
  /** The recorder of a traced run (bound as `TR`): ops registered with it now can be recorded by index. */
  readonly recorder: TraceRecorder | undefined;
}

/** What a backend gives the JIT. */
export interface Translator<S> {
  /** The mode part of a block's key for the current state: a small integer below {@link MODE_KEYS}. */
  modeKey(state: S): number;
  /**
   * The names generated code uses and their values (the state as `s`, the
   * memory window's arrays, shared semantic functions), asked for again
   * after every flush (the memory window's arrays change when it grows).
   */
  bindings(): Readonly<Record<string, unknown>>;
  /** Translate the block at `pc` in mode `mode`; `undefined` when its first instruction must run in the interpreter. */
  translate(pc: number, mode: number, context: TranslationContext<S>): BlockSource | undefined;
  /**
   * Translate a trace: the blocks starting at `path[0]`, `path[1]`, … (each
   * a (PC, mode) the run went through in that order, the last one going back
   * to the first) as one loop, every block's way out to anything but the
   * next one an exit. `undefined` when the path cannot be one loop (a block
   * on it ends in the interpreter, or goes on in a way the translator cannot
   * guard).
   */
  translateTrace?(path: readonly TracePoint[], context: TranslationContext<S>): BlockSource | undefined;
  /**
   * Whether blocks of mode key `mode` belong to another run loop (arm32:
   * while the MMU translates, the interpreter's translated blocks): the JIT
   * then returns from {@link Jit.run} when it reaches one, with
   * {@link Jit.yielded} set, nothing run. Absent: never.
   */
  yields?(mode: number): boolean;
  /**
   * The instructions' alignment as a shift (an instruction starts on a
   * multiple of `1 << alignShift` bytes): the direct-mapped block front is
   * indexed by `pc >>> alignShift`, so that neighbouring instructions never
   * share a slot. Absent: 2 (4-byte instructions); a byte-aligned
   * instruction set says 0.
   */
  readonly alignShift?: number;
}

/** A block on a trace's path. */
export interface TracePoint {
  /** Its address. */
  readonly pc: number;
  /** Its mode key. */
  readonly mode: number;
}

/** Mode keys are below this. */
export const MODE_KEYS = 64;
const SLOTS = 4096;
/** Entries into a loop header before the path it leads to is recorded. */
const HOT = 64;
/** Longest path a trace follows, in blocks. */
const MAX_TRACE = 32;
/** Recordings a header may fail (the path went somewhere a trace cannot go, or did not come back) before it stops counting. */
const MAX_ATTEMPTS = 8;
const SLOT_MASK = SLOTS - 1;
/** Compiled factories a JIT keeps for code made again (see `Jit.compile`); past this the cache starts over. */
const MAX_FACTORIES = 4096;

/** A block's function: runs, then returns the next block or `null` (with a reason in the control array). */
export type BlockFunction = () => Block | null;

/** One translated (or host, or interpreter-stub) block. */
export class Block {
  /** The block's code. */
  fn: BlockFunction;
  /** False once invalidated: links to it are dropped when next taken. */
  valid = true;
  /** Its links to successor blocks (`L` in its code). */
  links: (Block | null)[] = [];
  /** The generated source of a translated block (for inspection). */
  source = '';
  /** Entries left before a loop header records its path (`self.heat` in its code). */
  heat = HOT;
  /** The code ranges it was made from (`[start, end]` pairs): `[pc, end)`, or a trace's blocks. */
  ranges: readonly (readonly [number, number])[];

  /**
   * @param pc address of its first instruction.
   * @param mode its mode key.
   * @param end address just past its last instruction.
   * @param traced whether it records trace events.
   * @param kind `translated`, `host` (an overlay) or `step` (its first instruction runs in the interpreter).
   */
  constructor(
    readonly pc: number,
    readonly mode: number,
    readonly end: number,
    readonly traced: boolean,
    readonly kind: 'translated' | 'host' | 'step' | 'trace',
  ) {
    this.fn = () => null;
    this.ranges = [[pc, end]];
  }
}

/** Blocks of one kind (plain or traced): a direct-mapped front over a map per mode. */
class BlockTable {
  readonly slots: (Block | undefined)[] = new Array<Block | undefined>(SLOTS).fill(undefined);
  readonly byMode: Map<number, Block>[] = Array.from({ length: MODE_KEYS }, () => new Map<number, Block>());

  clear(): void {
    this.slots.fill(undefined);
    for (const map of this.byMode) map.clear();
  }
}

/** Counters, for tests and for curiosity. */
export interface JitStats {
  /** Blocks translated to JS. */
  translated: number;
  /** Blocks dropped because their code went stale. */
  invalidated: number;
  /** Times every block was dropped (a restore, a memory layout change, a new trace recorder). */
  flushes: number;
  /** Traces compiled. */
  traces: number;
  /** Block lookups the direct-mapped front did not answer (the block was new, invalid, or another one held its slot). */
  misses: number;
}

let instances = 0;

/** The largest budget one pass of the run loop takes: the fuel word `J[0]` is an int32. */
const MAX_FUEL = 0x4000_0000;

/** The JIT of one machine. */
export class Jit<S extends SteppableState> {
  /** `J`: fuel and exit reason (see `block-writer.ts`). */
  private readonly control = new Int32Array(4);
  private readonly plain = new BlockTable();
  private readonly traced = new BlockTable();
  /** Every live block by page, for invalidation. */
  private readonly pages = new Map<number, Set<Block>>();
  private readonly serial = ++instances;
  /** `pc >>> shift` indexes the block front ({@link Translator.alignShift}). */
  private readonly shift: number;
  /** Blocks compiled so far (each source is unique, so no two share V8's compiled code or feedback). */
  private compiled = 0;
  private host: LoopHost<S> | undefined = undefined;
  private recorder: TraceRecorder | undefined = undefined;
  private bound: Readonly<Record<string, unknown>> | undefined = undefined;
  /** Compiled block factories by their names and body (see {@link Jit.compile}), at most {@link MAX_FACTORIES}. */
  private readonly factories = new Map<string, (...args: unknown[]) => BlockFunction>();
  /** Every live block (for inspection and tests). */
  blocks(): Block[] {
    return [...this.plain.byMode, ...this.traced.byMode].flatMap((map) => [...map.values()]);
  }

  /** Counters. */
  readonly stats: JitStats = { translated: 0, invalidated: 0, flushes: 0, traces: 0, misses: 0 };
  /** Loop headers seen (targets of backward branches), by address. */
  private readonly headers = new Set<number>();
  /** Failed attempts at a trace, by `pc * MODE_KEYS + mode` of the header: after {@link MAX_ATTEMPTS} it stops counting. */
  private readonly failures = new Map<number, number>();
  /** The header that asked for recording (`X.hot`, set by its code). */
  hot: Block | undefined = undefined;
  /** Set when the last {@link Jit.run} returned early at a mode the translator {@link Translator.yields}: the caller's other loop goes on. */
  yielded = false;

  /**
   * @param translator the backend's translator.
   * @param state the machine's state.
   * @param memory the machine's memory (its layout changes flush every block).
   */
  constructor(
    private readonly translator: Translator<S>,
    private readonly state: S,
    memory: GuestMemory,
  ) {
    this.shift = translator.alignShift ?? 2;
    memory.onLayoutChange(() => this.flush());
  }

  /**
   * The run loop: at most `maxSteps` instructions, exactly `maxSteps` unless
   * the run ends first (the interpreter's host records why). Returns how many
   * ran.
   */
  run(host: LoopHost<S>, state: S, maxSteps: number): number {
    // The fuel lives in an Int32Array: a budget of 2^31 or more would wrap negative and end the run before its first
    // instruction, so a large budget runs as chunks (a chunk that ends early is the run's end).
    if (maxSteps <= MAX_FUEL) return this.runFueled(host, state, maxSteps);
    let done = 0;
    while (done < maxSteps) {
      const chunk = Math.min(MAX_FUEL, maxSteps - done);
      const ran = this.runFueled(host, state, chunk);
      done += ran;
      if (ran < chunk) break;
    }
    return done;
  }

  /** {@link Jit.run} for a budget that fits the fuel word. */
  private runFueled(host: LoopHost<S>, state: S, maxSteps: number): number {
    if (this.host === undefined) {
      this.host = host;
      host.onInvalidate((address, length) => this.invalidate(address, length));
    }
    const recorder = host.recorder;
    if (recorder !== undefined && recorder !== this.recorder) {
      this.recorder = recorder;
      this.drop(this.traced);
    }
    const traced = recorder !== undefined;
    const J = this.control;
    J[0] = maxSteps;
    J[1] = 0;
    this.yielded = false;
    const translator = this.translator;
    let block: Block | null = this.find(state.pc, translator.modeKey(state), traced);
    for (;;) {
      while (block !== null) block = block.fn();
      const why: number = J[1]!;
      J[1] = 0;
      if (why === Exit.end) return maxSteps - J[0]!;
      if (why === Exit.yield) {
        this.yielded = true;
        return maxSteps - J[0]!;
      }
      if (why === Exit.fuel) {
        while (J[0]! > 0) {
          J[0] = J[0]! - 1;
          if (host.step()) return maxSteps - J[0]!;
        }
        return maxSteps;
      }
      if (why === Exit.step) {
        if (J[0]! <= 0) return maxSteps;
        J[0] = J[0]! - 1;
        if (host.step()) return maxSteps - J[0]!;
      }
      if (why === Exit.record) {
        // Recording runs the path; a block on it that returns null leaves its reason for the next round.
        block = this.record(this.hot!);
        continue;
      }
      if (J[0]! <= 0) return maxSteps;
      block = this.find(state.pc, translator.modeKey(state), traced);
    }
  }

  /**
   * Run the overlay at the PC through the interpreter, as a host block
   * would (called from a trace as `X.hostStep()`, the state written back
   * first); true when the run must end.
   */
  hostStep(): boolean {
    return this.host!.step();
  }

  /**
   * Hand a step result that did not retire (an overlay's, called from a
   * block as `X.settle`) to the exception model; true when the run must end
   * (the interpreter has recorded why).
   */
  settle(result: Exclude<StepResult, Retired>): boolean {
    return this.host!.settle(result);
  }

  /** Resolve link `k` of `from` to the block at (`pc`, `mode`), and patch it in while both are valid (called from block code as `X.link`). */
  link(from: Block, k: number, pc: number, mode: number): Block {
    const block = this.find(pc, mode, from.traced);
    if (from.valid && block.valid) from.links[k] = block;
    return block;
  }

  /** The block at (`pc`, `mode`), translated now if need be. */
  private find(pc: number, mode: number, traced: boolean): Block {
    const table = traced ? this.traced : this.plain;
    const index = (pc >>> this.shift) & SLOT_MASK;
    const cached = table.slots[index];
    if (cached !== undefined && cached.pc === pc && cached.mode === mode && cached.valid) return cached;
    this.stats.misses++;
    const map = table.byMode[mode]!;
    let block = map.get(pc);
    if (block === undefined) {
      block = this.make(pc, mode, traced);
      map.set(pc, block);
      this.track(block);
    }
    table.slots[index] = block;
    return block;
  }

  /**
   * Follow the blocks a hot loop header leads to, one call at a time, until
   * the path comes back to it: that path becomes a trace, installed in the
   * header's place. Returns the next block to run, or `null` when a block on
   * the path returned `null` (its reason is in the control array).
   */
  private record(head: Block): Block | null {
    const path: Block[] = [head];
    head.heat = Number.MAX_SAFE_INTEGER;
    let block = head;
    for (;;) {
      const next = block.fn();
      if (next === null || (next.kind !== 'translated' && next.kind !== 'host') || path.length >= MAX_TRACE || !head.valid) {
        this.failed(head);
        return next;
      }
      if (next === head) return this.installTrace(path) ?? head;
      path.push(next);
      block = next;
    }
  }

  /** A recording from `head` failed: count it, and let the header count again unless it failed too often. */
  private failed(head: Block): void {
    const key = head.pc * MODE_KEYS + head.mode;
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    if (failures < MAX_ATTEMPTS) head.heat = HOT;
  }

  private installTrace(path: readonly Block[]): Block | undefined {
    const head = path[0]!;
    const host = this.host!;
    const source = this.translator.translateTrace?.(path, { opAt: (address) => host.opAt(address), traced: false, recorder: undefined });
    if (source === undefined) {
      this.failed(head);
      return undefined;
    }
    this.kill(head);
    const trace = this.compile(head.pc, head.mode, false, source, 'trace');
    trace.ranges = path.flatMap((block) => block.ranges);
    trace.heat = Number.MAX_SAFE_INTEGER;
    this.plain.byMode[head.mode]!.set(head.pc, trace);
    this.track(trace);
    this.stats.traces++;
    return trace;
  }

  private make(pc: number, mode: number, traced: boolean): Block {
    const host = this.host!;
    if (this.translator.yields?.(mode) === true) return this.exitBlock(pc, mode, pc + 1, traced, Exit.yield);
    const op = host.opAt(pc);
    if (op.name === 'overlay') return this.hostBlock(pc, mode, op.next, traced);
    const source = op.cacheable ? this.translator.translate(pc, mode, { opAt: (address) => host.opAt(address), traced, recorder: traced ? this.recorder : undefined }) : undefined;
    if (source === undefined) return this.exitBlock(pc, mode, op.next, traced, Exit.step);
    for (const header of source.headers) this.markHeader(header);
    return this.compile(pc, mode, traced, source, 'translated');
  }

  /** A block that only leaves the JIT's code with reason `why` (its first instruction runs elsewhere). */
  private exitBlock(pc: number, mode: number, end: number, traced: boolean, why: number): Block {
    const block = new Block(pc, mode, end, traced, 'step');
    const J = this.control;
    block.fn = () => {
      J[1] = why;
      return null;
    };
    return block;
  }

  /** Note a loop header: a plain block already there is dropped, to be made again with a counter. */
  private markHeader(pc: number): void {
    if (this.headers.has(pc)) return;
    this.headers.add(pc);
    for (const map of this.plain.byMode) {
      const block = map.get(pc);
      if (block !== undefined && block.kind === 'translated') this.kill(block);
    }
  }

  /**
   * A host block: the overlay at `pc` (spec firmware) runs through the
   * interpreter's step, as one instruction, and the block goes on to whatever
   * the overlay chose through a one-entry inline cache.
   */
  private hostBlock(pc: number, mode: number, end: number, traced: boolean): Block {
    const block = new Block(pc, mode, end, traced, 'host');
    block.links = [null];
    const J = this.control;
    const host = this.host!;
    const state = this.state;
    const translator = this.translator;
    block.fn = () => {
      if (J[0]! < 1) {
        J[1] = Exit.fuel;
        return null;
      }
      J[0] = J[0]! - 1;
      if (host.step()) {
        J[1] = Exit.end;
        return null;
      }
      const np = state.pc;
      const nm = translator.modeKey(state);
      const next = block.links[0]!;
      if (next !== null && next.valid && next.pc === np && next.mode === nm) return next;
      return this.link(block, 0, np, nm);
    };
    return block;
  }

  private compile(pc: number, mode: number, traced: boolean, source: BlockSource, kind: 'translated' | 'trace'): Block {
    const block = new Block(pc, mode, source.end, traced, kind);
    block.links = new Array<Block | null>(source.links).fill(null);
    this.bound ??= this.translator.bindings();
    const names = [...Object.keys(this.bound), 'J', 'L', 'self', 'X', 'TR', 'K'];
    const values = [...Object.values(this.bound), this.control, block.links, block, this, traced ? this.recorder : undefined, source.constants ?? []];
    // A loop header counts its entries; hot, it hands over for recording (nothing has run yet, the PC is its own).
    const counted = kind === 'translated' && !traced && !source.loops && this.headers.has(pc) && (this.failures.get(pc * MODE_KEYS + mode) ?? 0) < MAX_ATTEMPTS && this.translator.translateTrace !== undefined;
    const count = counted ? `if (--self.heat === 0) { X.hot = self; J[1] = ${Exit.record}; return null; }\n` : '';
    const text = `// hyplay jit ${this.serial}.${++this.compiled}: ${kind === 'trace' ? 'trace' : traced ? 'traced block' : 'block'} at 0x${pc.toString(16)}, mode ${mode}\nreturn function block() {\n${count}${source.body}\n};`;
    block.source = text;
    // The same code again (a block or trace made anew after its page was rewritten with the same bytes, or restored) reuses
    // the factory compiled for it: closures from one factory share V8's feedback and optimised code, so it runs at speed at
    // once instead of starting cold. Only this machine's blocks share (the cache is the instance's), and the bindings are
    // passed afresh, so the same source means the same behaviour.
    const key = `${names.join(',')}\n${count}${source.body}`;
    let factory = this.factories.get(key);
    if (factory === undefined) {
      if (this.factories.size >= MAX_FACTORIES) this.factories.clear();
      factory = new Function(...names, text) as (...args: unknown[]) => BlockFunction;
      this.factories.set(key, factory);
    }
    block.fn = factory(...values);
    this.stats.translated++;
    return block;
  }

  private track(block: Block): void {
    for (const [start, end] of block.ranges) {
      for (let page = pageOf(start); page <= pageOf(Math.max(start, end - 1)); page++) {
        let set = this.pages.get(page);
        if (set === undefined) this.pages.set(page, (set = new Set()));
        set.add(block);
      }
    }
  }

  /** Drop every block overlapping `[address, address + length)`. */
  invalidate(address: number, length: number): void {
    for (const page of knownPagesIn(address, length, this.pages)) this.invalidatePage(page, address, length);
  }

  private invalidatePage(page: number, address: number, length: number): void {
    const set = this.pages.get(page);
    if (set === undefined) return;
    for (const block of set) if (block.ranges.some(([start, end]) => start < address + length && end > address)) this.kill(block);
  }

  private kill(block: Block): void {
    if (!block.valid) return;
    block.valid = false;
    this.stats.invalidated++;
    const table = block.traced ? this.traced : this.plain;
    const map = table.byMode[block.mode]!;
    if (map.get(block.pc) === block) map.delete(block.pc);
    const index = (block.pc >>> this.shift) & SLOT_MASK;
    if (table.slots[index] === block) table.slots[index] = undefined;
    for (const [start, end] of block.ranges) for (let page = pageOf(start); page <= pageOf(Math.max(start, end - 1)); page++) this.pages.get(page)?.delete(block);
  }

  private drop(table: BlockTable): void {
    for (const map of table.byMode) for (const block of map.values()) this.kill(block);
    table.clear();
  }

  /** Drop every block (and the bindings: they are asked for again). */
  flush(): void {
    this.stats.flushes++;
    this.drop(this.plain);
    this.drop(this.traced);
    this.pages.clear();
    this.bound = undefined;
    this.failures.clear();
  }
}

