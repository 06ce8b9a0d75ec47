/**
 * The registers of one trap by {@link RegisterHandle} id: what the
 * dispatcher's table loads once per trap, so that every spec's decision and
 * every claimed call's semantics read a register with an array load instead
 * of a property lookup on the trap's record (whose shape changes from trap
 * to trap) and a BigInt conversion each.
 *
 * @module
 */

import { reg, type RegisterHandle } from '../abi/spec.ts';

/**
 * A trap's registers by handle id, reloaded for each trap
 * ({@link TrapRegisters.load}). Registers the trap does not give read as 0.
 */
export class TrapRegisters {
  /** By handle id: the value as given (any sign and size). */
  private bigs: bigint[] = [];
  /** By handle id: the value when it is an exact integer 0 … 2^53 − 1, else NaN (as `SlotValues` holds it). */
  private exact = new Float64Array(0);
  /** By handle id: the low 32 bits, unsigned. */
  private low = new Uint32Array(0);
  /** The ids the last load set (put back to 0 by the next): the first `loadedCount`. */
  private readonly loaded: number[] = [];
  private loadedCount = 0;

  /**
   * Aim at a trap's registers. Every name is interned as a handle (a
   * register name the semantics reach by string resolves to the same id).
   */
  load(registers: Readonly<Record<string, bigint>>): void {
    const loaded = this.loaded;
    for (let i = 0; i < this.loadedCount; i++) {
      const id = loaded[i]!;
      this.bigs[id] = 0n;
      this.exact[id] = 0;
      this.low[id] = 0;
    }
    let count = 0;
    for (const name in registers) {
      const value = registers[name]!;
      const id = reg(name).id;
      if (id >= this.exact.length) this.grow(id + 1);
      this.bigs[id] = value;
      // Below 2^53 the conversion is exact; anything at or above it converts to ≥ 2^53, anything negative to < 0.
      const n = Number(value);
      if (n >= 0 && n <= Number.MAX_SAFE_INTEGER) {
        this.exact[id] = n;
        // ToUint32 is n modulo 2^32 for any integer n.
        this.low[id] = n >>> 0;
      } else {
        this.exact[id] = NaN;
        this.low[id] = Number(BigInt.asUintN(32, value));
      }
      loaded[count++] = id;
    }
    this.loadedCount = count;
  }

  /** The value of handle `id` as given (0 when the trap does not give it). */
  big(id: number): bigint {
    return id < this.bigs.length ? this.bigs[id]! : 0n;
  }

  /** The value of handle `id` as an exact number, or NaN when it is negative or 2^53 or more (0 when not given). */
  number(id: number): number {
    return id < this.exact.length ? this.exact[id]! : 0;
  }

  /** The low 32 bits of handle `id`, unsigned (0 when not given). */
  u32(id: number): number {
    return id < this.low.length ? this.low[id]! : 0;
  }

  private grow(size: number): void {
    const capacity = Math.max(size, this.exact.length * 2, 64);
    const exact = new Float64Array(capacity);
    exact.set(this.exact);
    const low = new Uint32Array(capacity);
    low.set(this.low);
    for (let id = this.bigs.length; id < capacity; id++) this.bigs.push(0n);
    this.exact = exact;
    this.low = low;
  }
}
