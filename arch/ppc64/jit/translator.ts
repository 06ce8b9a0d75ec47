/**
 * The ppc64 block translator for the JIT (`src/jit/jit.ts`).
 *
 * @module
 */

import type { BlockSource } from '../../../src/jit/block-writer.ts';
import type { TranslationContext, Translator } from '../../../src/jit/jit.ts';
import type { GuestMemory } from '../../../src/memory/guest-memory.ts';
import { modeKeyOf, type Ppc64State } from '../registers.ts';

/** Options for what the translator does. */
export interface Ppc64TranslatorOptions {
  /** Make traces of hot loops (default true). */
  readonly traces?: boolean;
}

/** The ppc64 {@link Translator}. */
export class Ppc64Translator implements Translator<Ppc64State> {
  /**
   * @param state the machine's state.
   * @param memory the machine's memory.
   * @param options translation choices.
   */
  constructor(
    private readonly state: Ppc64State,
    private readonly memory: GuestMemory,
    readonly options: Ppc64TranslatorOptions = {},
  ) {}

  /** Blocks are keyed by the mode key (SF, HV, PR, LE). */
  modeKey(state: Ppc64State): number {
    return modeKeyOf(state);
  }

  /** The state and the memory window. */
  bindings(): Readonly<Record<string, unknown>> {
    const window = this.memory.window();
    return { s: this.state, W8: window.bytes, W32: window.words, WP: window.pages, WB: window.base, WS: window.size };
  }

  /** Translate the block at (`pc`, `mode`). */
  translate(_pc: number, _mode: number, _context: TranslationContext<Ppc64State>): BlockSource | undefined {
    return undefined;
  }
}
