/**
 * Writing one translated block: a {@link LocalCode} (slots in JS locals) plus
 * the exits every block uses, in the JIT's protocol.
 *
 * The protocol, shared by the JIT (`jit.ts`) and every backend's translator:
 * - `J` is the JIT's control array: `J[0]` is the fuel (instructions the
 *   run may still execute), `J[1]` why the block returned `null`
 *   ({@link Exit}).
 * - A block function reads the fuel once, runs, and at every exit writes
 *   back its locals, stores the fuel left, sets `s.pc` (the state is always
 *   bound as `s`), and either returns the next block (chained through its
 *   link array `L`) or returns `null` with a reason in `J[1]`.
 * - `X` is the JIT itself (`X.link` resolves and patches a link, `X.settle`
 *   hands a step result to the exception model); `self` is the block's own
 *   `Block`; `TR` is the recorder of a traced run (ops registered with it at
 *   translation are recorded by index); `K` holds the block's constants
 *   (objects its code uses by identity, such as an overlay's op).
 *
 * @module
 */

import type { DecodedOp } from '../interp/decoded-op.ts';
import { LocalCode, type SlotPlace } from './state-code.ts';

/**
 * A PC as generated code spells it: an int32 (a 32-bit machine's register)
 * as its unsigned value, any other address (up to 2^53: a 64-bit machine's,
 * which may lie above 4 GiB) as it is.
 */
function address(pc: number): number {
  return pc < 0 ? pc >>> 0 : pc;
}

/** Why a block returned `null` (the value in `J[1]`). */
export const Exit = {
  /** Run one instruction at `s.pc` through the interpreter, then go on. */
  step: 1,
  /** Fewer instructions are left than the block needs: the interpreter runs out the budget. */
  fuel: 2,
  /** The run is over (the interpreter has recorded why). */
  end: 3,
  /** Look the next block up by `s.pc` and the mode. */
  lookup: 4,
  /** A loop header got hot (`X.hot` names it): record the path it leads to, for a trace. */
  record: 5,
  /** The mode is one the translator leaves to another run loop (`Translator.yields`): `Jit.run` returns, with `Jit.yielded` set. */
  yield: 6,
} as const;

/** A translated block's source, as a translator hands it to the JIT. */
export interface BlockSource {
  /** The block function's body (what `return function () { … }` encloses). */
  readonly body: string;
  /** Address just past the last instruction the block was translated from. */
  readonly end: number;
  /** Links the block uses (`L[0]` … `L[links - 1]`). */
  readonly links: number;
  /** Targets of its backward branches: loop headers, where traces start. */
  readonly headers: readonly number[];
  /** Whether the block is a loop already (it branches back to its own start): it never heads a trace. */
  readonly loops: boolean;
  /** For a trace, the address ranges (`[start, end]` pairs) of the code it was translated from; a block covers `[pc, end)`. */
  readonly ranges?: readonly (readonly [number, number])[];
  /** The block's constants, bound as `K` (`K[0]`, …); absent: none. */
  readonly constants?: readonly unknown[];
}

/**
 * A {@link LocalCode} with the JIT's exits. `fuel` names the fuel read at
 * entry; `done` is how many guest instructions have run before the exit
 * (each exit stores `fuel - done`).
 */
export class BlockWriter extends LocalCode {
  private linkCount = 0;
  private readonly constants: unknown[] = [];
  private results = 0;

  /** @param place where each slot lives. */
  constructor(place: SlotPlace) {
    super(place);
  }

  /** Links used so far. */
  get links(): number {
    return this.linkCount;
  }

  /**
   * The function body around the emitted code: the fuel read once and
   * checked against the `count` instructions a pass needs (too little: the
   * interpreter runs out the budget), the prologue, and the loop a looping
   * block or trace runs in (closed by {@link BlockWriter.finish}).
   */
  fueledBody(count: number, looped: boolean): string {
    return [`let fuel = J[0];`, `if (fuel < ${count}) { J[1] = ${Exit.fuel}; return null; }`, this.prologue(), looped ? 'for (;;) {' : '', this.body()].join('\n');
  }

  /** The statements common to every exit: write back, fuel left, the PC. */
  private leave(pc: string, done: number | string): string {
    return `${this.writeBack()} J[0] = fuel - ${done}; s.pc = ${pc};`;
  }

  /** Exit to a known (PC, mode): through link `L[k]`, resolved and patched on first use. */
  chain(pc: number, mode: number, done: number | string): string {
    const k = this.linkCount++;
    return `{ ${this.leave(`${address(pc)}`, done)} const nb = L[${k}]; if (nb !== null && nb.valid) return nb; return X.link(self, ${k}, ${address(pc)}, ${mode}); }`;
  }

  /** Exit to a PC computed at run time (an expression, unsigned) in a known mode, through a one-entry inline cache. */
  dynamic(pc: string, mode: number, done: number | string): string {
    const k = this.linkCount++;
    return `{ const np = ${pc}; ${this.leave('np', done)} const nb = L[${k}]; if (nb !== null && nb.valid && nb.pc === np && nb.mode === ${mode}) return nb; return X.link(self, ${k}, np, ${mode}); }`;
  }

  /** Exit to the instruction at `pc`, for the interpreter to run. */
  step(pc: number, done: number | string): string {
    return `{ ${this.leave(`${address(pc)}`, done)} J[1] = ${Exit.step}; return null; }`;
  }

  /** Exit to a PC computed at run time (an expression) in a mode the dispatcher reads from the state. */
  lookup(pc: string, done: number | string): string {
    return `{ ${this.leave(pc, done)} J[1] = ${Exit.lookup}; return null; }`;
  }

  /**
   * Run the overlay at `pc` (spec firmware) in place, as its host block
   * would: the state written back and the fuel stored first (`done` counts
   * the overlay), the locals reloaded after. The run's end returns.
   */
  hostCall(pc: number, done: number): string {
    return `${this.leave(`${address(pc)}`, done)} if (X.hostStep()) { J[1] = ${Exit.end}; return null; } ${this.reload()}`;
  }

  /** An expression for `value`, bound as a constant of the block (the same value gives the same constant). */
  constant(value: unknown): string {
    let k = this.constants.indexOf(value);
    if (k < 0) k = this.constants.push(value) - 1;
    return `K[${k}]`;
  }

  /**
   * Run the overlay op `op` (spec firmware) in place, as the interpreter
   * steps it: the state written back and the fuel stored first (`done`
   * counts the overlay), the PC at `next` as for any instruction, the op
   * called directly, then every local reloaded. Returns the name of the
   * constant holding its step result, for the caller to settle: see
   * {@link BlockWriter.settle}.
   */
  overlayCall<S>(op: DecodedOp<S>, done: number): string {
    const k = this.constant(op);
    return this.callOut(`${k}.exec(s, ${k})`, op.next, done);
  }

  /**
   * Call host code in place (`call`, an expression over the bindings, such
   * as an exception model's function): the state written back and the fuel
   * stored first (`done` instructions run, the calling one included), the
   * PC at `pc`, then every local reloaded. Returns the name of the constant
   * holding what the call returned.
   */
  callOut(call: string, pc: number, done: number): string {
    const result = `r${this.results++}`;
    this.emit(`${this.leave(`${address(pc)}`, done)} const ${result} = ${call}; ${this.reload()}`);
    return result;
  }

  /**
   * After {@link BlockWriter.overlayCall}: hand `result` (not the retired
   * value) to the exception model through the host, then leave for the
   * dispatcher to look the next block up; the run's end returns. The state
   * is the model's from then on, so nothing is written back.
   */
  settle(result: string): string {
    return `{ if (X.settle(${result})) { J[1] = ${Exit.end}; return null; } J[1] = ${Exit.lookup}; return null; }`;
  }

  /** Leave for the dispatcher to look the next block up from the state as it is (after a reload: nothing is written back, the fuel is stored already). */
  relookup(): string {
    return `{ J[1] = ${Exit.lookup}; return null; }`;
  }

  /** The finished block. */
  finish(body: string, end: number, headers: readonly number[] = [], loops = false): BlockSource {
    return { body, end, links: this.linkCount, headers, loops, ...(this.constants.length === 0 ? {} : { constants: [...this.constants] }) };
  }
}
