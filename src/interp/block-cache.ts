/**
 * Straight-line runs of predecoded ops, for run loops that check the step
 * budget once per block rather than once per instruction.
 *
 * A block is the ops from one address up to (and including) the first that
 * may end it: a row the backend says ends blocks, an overlay, the end of a
 * page, or a length limit. It stops short of an op that may not be cached
 * (a fetch fault), which then runs alone. A run loop runs a block's ops in
 * order and leaves it early when an op does not retire, when an op moves the
 * PC anywhere but to the next op, or when the block was invalidated under it
 * (its `count` drops to 0): so a block is never wrong to run, only possibly
 * longer than the path taken.
 *
 * @module
 */

import { knownPagesIn, pageIndex as pageOf } from '../memory/guest-memory.ts';
import type { DecodedOp } from './decoded-op.ts';

/** Longest block, in ops. */
export const MAX_BLOCK_OPS = 32;
const SLOTS = 4096;
const SLOT_MASK = SLOTS - 1;

/** A straight-line run of predecoded ops. */
export class OpBlock<S> {
  /** Ops still valid to run: `ops.length`, or 0 once the block is invalidated. */
  count: number;
  /** The trace recorder whose ops these are (a block loop registers a block's ops with a recorder once, see `TraceRecorder.registerAll`). */
  tracedBy: object | undefined = undefined;
  /** The mode {@link OpBlock.traceRecords} were built for. */
  traceMode = -1;
  /** The block's step records for {@link OpBlock.tracedBy} in {@link OpBlock.traceMode} (see `TraceRecorder.blockRecords`), if they are fixed. */
  traceRecords: Int32Array | undefined = undefined;

  /**
   * @param address address of the first op.
   * @param ops the ops in address order.
   * @param cacheable whether the block may be kept (false for a lone op that may not be cached).
   */
  constructor(
    readonly address: number,
    readonly ops: readonly DecodedOp<S>[],
    readonly cacheable: boolean,
  ) {
    this.count = ops.length;
  }

  /** Address just past the last op. */
  get end(): number {
    return this.ops[this.ops.length - 1]!.next;
  }
}

/** Where a {@link BlockCache} gets its ops. */
export interface BlockSource<S> {
  /** The predecoded op at `address` (overlays first; from the interpreter's op cache when possible). */
  opAt(address: number): DecodedOp<S>;
  /** Whether `op` must be the last of its block (it may branch, or change how what follows decodes); absent: only overlays and page ends end blocks. */
  endsBlock?(op: DecodedOp<S>): boolean;
}

/** A direct-mapped cache of {@link OpBlock}s by start address, invalidated by code writes. */
export class BlockCache<S> {
  /** Blocks by `(address >>> shift) & mask`; empty slots hold an empty block whose address (-1) matches none. */
  readonly slots: OpBlock<S>[];
  /** The slot index mask. */
  readonly mask = SLOT_MASK;
  /** Every cached block by page, so that a code write finds the blocks it hits. */
  private readonly byPage = new Map<number, OpBlock<S>[]>();
  private readonly empty: OpBlock<S>;

  /**
   * @param source where ops come from.
   * @param shift log2 of the instruction alignment.
   */
  constructor(
    private readonly source: BlockSource<S>,
    readonly shift: number,
  ) {
    this.empty = new OpBlock<S>(-1, [], false);
    this.slots = new Array<OpBlock<S>>(SLOTS).fill(this.empty);
  }

  /** The block starting at `address`, from the cache or built now. */
  find(address: number): OpBlock<S> {
    const index = (address >>> this.shift) & SLOT_MASK;
    const cached = this.slots[index]!;
    if (cached.address === address) return cached;
    const block = this.build(address);
    if (block.cacheable) {
      if (cached !== this.empty) this.forget(cached);
      this.slots[index] = block;
      const page = pageOf(address);
      const list = this.byPage.get(page);
      if (list === undefined) this.byPage.set(page, [block]);
      else list.push(block);
    }
    return block;
  }

  private build(address: number): OpBlock<S> {
    const ops: DecodedOp<S>[] = [];
    const page = pageOf(address);
    for (let a = address; ; ) {
      const op = this.source.opAt(a);
      if (!op.cacheable) {
        if (ops.length === 0) return new OpBlock<S>(address, [op], false);
        break;
      }
      ops.push(op);
      if (ops.length >= MAX_BLOCK_OPS || op.name === 'overlay' || this.source.endsBlock?.(op) === true || pageOf(op.next) !== page) break;
      a = op.next;
    }
    return new OpBlock<S>(address, ops, true);
  }

  /** Drop `block` from the page lists (it was evicted from its slot). */
  private forget(block: OpBlock<S>): void {
    const page = pageOf(block.address);
    const list = this.byPage.get(page);
    if (list === undefined) return;
    const at = list.indexOf(block);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.byPage.delete(page);
  }

  /** Invalidate every block overlapping `[address, address + length)`. */
  invalidate(address: number, length: number): void {
    for (const page of knownPagesIn(address, length, this.byPage)) this.invalidatePage(page, address, length);
  }

  private invalidatePage(page: number, address: number, length: number): void {
    const list = this.byPage.get(page);
    if (list === undefined) return;
    const kept: OpBlock<S>[] = [];
    for (const block of list) {
      if (block.address < address + length && block.end > address) this.drop(block);
      else kept.push(block);
    }
    if (kept.length === 0) this.byPage.delete(page);
    else this.byPage.set(page, kept);
  }

  private drop(block: OpBlock<S>): void {
    block.count = 0;
    const index = (block.address >>> this.shift) & SLOT_MASK;
    if (this.slots[index] === block) this.slots[index] = this.empty;
  }

  /** Invalidate every block. */
  flush(): void {
    for (const list of this.byPage.values()) for (const block of list) this.drop(block);
    this.byPage.clear();
  }
}

