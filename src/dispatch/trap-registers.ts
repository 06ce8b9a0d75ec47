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
 * A trap's registers resolved once, where the trap is made (parsed from a
 * command line or a batch line, or taken from a spec's example): each
 * register's {@link RegisterHandle} id and its value as a number, its low 32
 * bits and (for any value) the bigint. {@link TrapRegisters.loadResolved}
 * copies it in with no name lookup and no bigint conversion, which is what
 * `TrapRegisters.load` spends most of a trap on when it is given a record.
 */
export class ResolvedRegisters {
  /** Handle ids, in the record's order. */
  readonly ids: readonly number[] = [];
  /** By position: the value when it is an exact integer 0 … 2^53 − 1, else NaN (as {@link TrapRegisters.number} gives it). */
  readonly exact: readonly number[] = [];
  /** By position: the low 32 bits, unsigned. */
  readonly low: readonly number[] = [];
  /** By position: the value as given. */
  readonly bigs: readonly bigint[] = [];

  /** @param registers registers by name (every name is interned as a handle). */
  constructor(registers: Readonly<Record<string, bigint>>) {
    const ids = this.ids as number[];
    const exact = this.exact as number[];
    const low = this.low as number[];
    const bigs = this.bigs as bigint[];
    for (const name in registers) {
      const value = registers[name]!;
      const n = exactNumber(value);
      ids.push(reg(name).id);
      bigs.push(value);
      exact.push(n);
      // ToUint32 is n modulo 2^32 for any integer n.
      low.push(n === n ? n >>> 0 : Number(BigInt.asUintN(32, value)));
    }
  }
}

/** `value` as a number when it is an exact integer 0 … 2^53 − 1, else NaN. */
function exactNumber(value: bigint): number {
  // Below 2^53 the conversion is exact; anything at or above it converts to ≥ 2^53, anything negative to < 0.
  const n = Number(value);
  return n >= 0 && n <= Number.MAX_SAFE_INTEGER ? n : NaN;
}

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
    this.clear();
    const loaded = this.loaded;
    let count = 0;
    for (const name in registers) {
      const value = registers[name]!;
      const id = reg(name).id;
      if (id >= this.exact.length) this.grow(id + 1);
      this.bigs[id] = value;
      const n = exactNumber(value);
      this.exact[id] = n;
      // ToUint32 is n modulo 2^32 for any integer n.
      this.low[id] = n === n ? n >>> 0 : Number(BigInt.asUintN(32, value));
      loaded[count++] = id;
    }
    this.loadedCount = count;
  }

  /** Aim at a trap's registers resolved beforehand: the same values as {@link TrapRegisters.load} of the record they were resolved from. */
  loadResolved(registers: ResolvedRegisters): void {
    this.clear();
    const { ids, exact, low, bigs } = registers;
    const loaded = this.loaded;
    const count = ids.length;
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      if (id >= this.exact.length) this.grow(id + 1);
      this.bigs[id] = bigs[i]!;
      this.exact[id] = exact[i]!;
      this.low[id] = low[i]!;
      loaded[i] = id;
    }
    this.loadedCount = count;
  }

  /** Put the registers the last load set back to 0. */
  private clear(): void {
    const loaded = this.loaded;
    for (let i = 0; i < this.loadedCount; i++) {
      const id = loaded[i]!;
      this.bigs[id] = 0n;
      this.exact[id] = 0;
      this.low[id] = 0;
    }
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
