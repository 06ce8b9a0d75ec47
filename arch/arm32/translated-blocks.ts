/**
 * Blocks of ops predecoded under translation (the MMU on), for the arm32
 * run loops: straight-line runs like the interpreter's own
 * ({@link OpBlock}, `src/interp/block-cache.ts`), but kept by virtual
 * address, each with the guest-physical address its first instruction was
 * fetched from.
 *
 * A block never crosses a page, and every op of it is fetched through the
 * same translation as its first (B3.1: a translation maps a whole page), so
 * one instruction-fetch lookup in the TLB per block stands for all of its
 * fetches: {@link TranslatedBlocks.find} asks the TLB for the start's
 * physical address (in the current regime, with the current ASID and VMID,
 * privileged or not) and reuses the cached block only when it is the one
 * the block was made from. What changes a translation reaches the blocks
 * through the TLB: the guest's TLB maintenance, and the regime registers
 * (SCTLR, TTBRn, TTBCR, CONTEXTIDR, HCR, VTTBR, …) through the lookup's own
 * context (the ASID, the VMID, the regime) and through the walk a missing
 * entry makes; nothing the TLB would still answer the old way makes a block
 * stale (B3.10.1: without maintenance, a cached translation may be used).
 * A cp15 write and a mode change end the block they are in (neither has a
 * direct handler, see `Arm32Core.endsBlock`), so the next block is looked up
 * under the new translation.
 *
 * Code writes arrive from guest memory by physical address (the page of a
 * fetched instruction is a code page, see `GuestMemory.fetch32`), overlays
 * and flushes by the interpreter's (virtual) address: a block is dropped
 * when either of its ranges overlaps what changed.
 *
 * @module
 */

import { MAX_BLOCK_OPS, OpBlock } from '../../src/interp/block-cache.ts';
import type { LoopHost } from '../../src/interp/interpreter.ts';
import { knownPagesIn, pageIndex as pageOf } from '../../src/memory/guest-memory.ts';
import { Mode, type Arm32State } from './registers.ts';
import type { Op } from './semantics/common.ts';
import type { Arm32Tlb } from './tlb.ts';

/** Slots of the direct-mapped front (a power of two). */
const SLOTS = 4096;
const SLOT_MASK = SLOTS - 1;

/** The translated blocks of one machine (see the module comment). */
export class TranslatedBlocks {
  /** Blocks by `(address >>> 2) & mask`; empty slots hold a block whose address (-1) matches none. */
  private readonly slots: OpBlock<Arm32State>[];
  /** The physical address each slot's block starts at. */
  private readonly physical = new Float64Array(SLOTS);
  /** Every cached block by its physical page (code writes) and by its virtual page (overlays). */
  private readonly byPhysical = new Map<number, OpBlock<Arm32State>[]>();
  private readonly byVirtual = new Map<number, OpBlock<Arm32State>[]>();
  /** The physical start of every cached block. */
  private readonly starts = new Map<OpBlock<Arm32State>, number>();
  private readonly empty = new OpBlock<Arm32State>(-1, [], false);
  /** The interpreter whose ops (overlays first) the blocks are made of, once a run has passed it in. */
  private host: LoopHost<Arm32State> | undefined = undefined;
  /** Blocks made, for tests and statistics. */
  built = 0;

  /**
   * @param state the processor's state (its mode says whether a fetch is privileged).
   * @param tlb the machine's TLB.
   * @param endsBlock whether an op must be the last of its block (the core's rule).
   */
  constructor(
    private readonly state: Arm32State,
    private readonly tlb: Arm32Tlb,
    private readonly endsBlock: (op: Op) => boolean,
  ) {
    this.slots = new Array<OpBlock<Arm32State>>(SLOTS).fill(this.empty);
  }

  /**
   * The block at virtual address `pc` under the current translation, from
   * the cache or made now; `undefined` when the fetch there faults or the
   * PC is misaligned (the interpreter's single step then raises the abort).
   */
  find(host: LoopHost<Arm32State>, pc: number): OpBlock<Arm32State> | undefined {
    if ((pc & 3) !== 0) return undefined;
    const pa = this.tlb.translate(pc, false, true, this.state.mode === Mode.usr);
    if (pa < 0) return undefined;
    const index = (pc >>> 2) & SLOT_MASK;
    const cached = this.slots[index]!;
    if (cached.address === pc && this.physical[index] === pa) return cached;
    if (this.host !== host) {
      this.host = host;
      host.onInvalidate((address, length) => this.invalidate(address, length));
    }
    const block = this.build(host, pc);
    if (block.cacheable) {
      if (cached !== this.empty) this.forget(cached);
      this.slots[index] = block;
      this.physical[index] = pa;
      this.starts.set(block, pa);
      add(this.byPhysical, pageOf(pa), block);
      add(this.byVirtual, pageOf(pc), block);
    }
    return block;
  }

  /** The ops from `pc` to the first that ends a block, the page's end or {@link MAX_BLOCK_OPS}. */
  private build(host: LoopHost<Arm32State>, pc: number): OpBlock<Arm32State> {
    this.built++;
    const ops: Op[] = [];
    const page = pageOf(pc);
    for (let a = pc; ; ) {
      // The interpreter's decode: an overlay at the address first, else the core's translating predecode.
      const op = host.miss(a);
      if (op.name === 'fetch-fault' || op.name === 'misaligned' || op.notAStep) {
        if (ops.length === 0) return new OpBlock<Arm32State>(pc, [op], false);
        break;
      }
      ops.push(op);
      if (ops.length >= MAX_BLOCK_OPS || op.name === 'overlay' || this.endsBlock(op) || pageOf(op.next) !== page) break;
      a = op.next;
    }
    return new OpBlock<Arm32State>(pc, ops, true);
  }

  /** Drop `block` from the page lists (evicted from its slot). */
  private forget(block: OpBlock<Arm32State>): void {
    const pa = this.starts.get(block);
    if (pa === undefined) return;
    this.starts.delete(block);
    remove(this.byPhysical, pageOf(pa), block);
    remove(this.byVirtual, pageOf(block.address), block);
  }

  /** Drop every block whose virtual or physical range overlaps `[address, address + length)`. */
  invalidate(address: number, length: number): void {
    if (length >= 2 ** 32) {
      this.flush();
      return;
    }
    const end = address + length;
    for (const page of knownPagesIn(address, length, this.byVirtual)) {
      for (const block of [...this.byVirtual.get(page)!]) if (block.address < end && block.end > address) this.drop(block);
    }
    for (const page of knownPagesIn(address, length, this.byPhysical)) {
      for (const block of [...this.byPhysical.get(page)!]) {
        const start = this.starts.get(block)!;
        if (start < end && start + (block.end - block.address) > address) this.drop(block);
      }
    }
  }

  /** Drop every block. */
  flush(): void {
    for (const block of [...this.starts.keys()]) this.drop(block);
  }

  private drop(block: OpBlock<Arm32State>): void {
    block.count = 0;
    const index = (block.address >>> 2) & SLOT_MASK;
    if (this.slots[index] === block) this.slots[index] = this.empty;
    this.forget(block);
  }

  /** Blocks cached now (for tests). */
  get size(): number {
    return this.starts.size;
  }
}

/** Add `block` to `map`'s list for `page`. */
function add(map: Map<number, OpBlock<Arm32State>[]>, page: number, block: OpBlock<Arm32State>): void {
  const list = map.get(page);
  if (list === undefined) map.set(page, [block]);
  else list.push(block);
}

/** Remove `block` from `map`'s list for `page`. */
function remove(map: Map<number, OpBlock<Arm32State>[]>, page: number, block: OpBlock<Arm32State>): void {
  const list = map.get(page);
  if (list === undefined) return;
  const at = list.indexOf(block);
  if (at >= 0) list.splice(at, 1);
  if (list.length === 0) map.delete(page);
}
