/**
 * Sets of unsigned register values as sorted, disjoint, inclusive intervals.
 *
 * Selectors are written with these, so that two ABIs' selectors intersect
 * in time proportional to the number of intervals, never to the register
 * space.
 *
 * @module
 */

/** One inclusive interval. */
export interface Interval {
  /** Smallest value. */
  readonly min: bigint;
  /** Largest value. */
  readonly max: bigint;
}

/** An immutable set of unsigned values of a given width. */
export class ValueSet {
  /** The numeric view, built on first use. */
  private numbers: NumberIntervals | undefined;

  private constructor(
    /** Width of the values in bits (values lie in 0 … 2^width − 1). */
    readonly width: number,
    /** Sorted, disjoint, non-adjacent intervals. */
    readonly intervals: readonly Interval[],
  ) {}

  /** The largest value of a width. */
  static top(width: number): bigint {
    return (1n << BigInt(width)) - 1n;
  }

  /** The empty set. */
  static none(width: number): ValueSet {
    return new ValueSet(width, []);
  }

  /** Every value of the width. */
  static all(width: number): ValueSet {
    return new ValueSet(width, [{ min: 0n, max: ValueSet.top(width) }]);
  }

  /** The given values (wrapped to the width, so -1 means all ones). */
  static of(width: number, ...values: readonly bigint[]): ValueSet {
    return ValueSet.fromIntervals(
      width,
      values.map((v) => {
        const u = BigInt.asUintN(width, v);
        return { min: u, max: u };
      }),
    );
  }

  /** `[min, max]`, inclusive (both wrapped to the width). */
  static range(width: number, min: bigint, max: bigint): ValueSet {
    const lo = BigInt.asUintN(width, min);
    const hi = BigInt.asUintN(width, max);
    return lo > hi ? ValueSet.none(width) : new ValueSet(width, [{ min: lo, max: hi }]);
  }

  /** Normalise arbitrary intervals. */
  static fromIntervals(width: number, intervals: readonly Interval[]): ValueSet {
    const sorted = [...intervals].filter((i) => i.min <= i.max).sort((a, b) => (a.min < b.min ? -1 : a.min > b.min ? 1 : 0));
    const out: Interval[] = [];
    for (const interval of sorted) {
      const last = out[out.length - 1];
      if (last !== undefined && interval.min <= last.max + 1n) {
        if (interval.max > last.max) out[out.length - 1] = { min: last.min, max: interval.max };
      } else out.push(interval);
    }
    return new ValueSet(width, out);
  }

  /** True when the set holds nothing. */
  isEmpty(): boolean {
    return this.intervals.length === 0;
  }

  /** True when the set holds every value of its width. */
  isAll(): boolean {
    return this.intervals.length === 1 && this.intervals[0]!.min === 0n && this.intervals[0]!.max === ValueSet.top(this.width);
  }

  /** Whether `value` (wrapped to the width) is in the set. */
  has(value: bigint): boolean {
    const v = BigInt.asUintN(this.width, value);
    for (const interval of this.intervals) {
      if (v < interval.min) return false;
      if (v <= interval.max) return true;
    }
    return false;
  }

  /**
   * The same set for membership tests on plain numbers (see
   * {@link NumberIntervals}), built once per set.
   */
  get numeric(): NumberIntervals {
    return (this.numbers ??= new NumberIntervals(this.intervals));
  }

  /** The smallest member, or `undefined` when empty. */
  first(): bigint | undefined {
    return this.intervals[0]?.min;
  }

  /** Intersection. */
  intersect(other: ValueSet): ValueSet {
    const out: Interval[] = [];
    let i = 0;
    let j = 0;
    while (i < this.intervals.length && j < other.intervals.length) {
      const a = this.intervals[i]!;
      const b = other.intervals[j]!;
      const min = a.min > b.min ? a.min : b.min;
      const max = a.max < b.max ? a.max : b.max;
      if (min <= max) out.push({ min, max });
      if (a.max < b.max) i++;
      else j++;
    }
    return new ValueSet(Math.min(this.width, other.width), out);
  }

  /** Union. */
  union(other: ValueSet): ValueSet {
    return ValueSet.fromIntervals(Math.max(this.width, other.width), [...this.intervals, ...other.intervals]);
  }

  /** Every value of the width not in the set. */
  complement(): ValueSet {
    const out: Interval[] = [];
    let next = 0n;
    for (const interval of this.intervals) {
      if (interval.min > next) out.push({ min: next, max: interval.min - 1n });
      next = interval.max + 1n;
    }
    const top = ValueSet.top(this.width);
    if (next <= top) out.push({ min: next, max: top });
    return new ValueSet(this.width, out);
  }

  /** Members of this set not in `other`. */
  minus(other: ValueSet): ValueSet {
    return this.intersect(other.complement());
  }

  /** Short text: `0x1`, `0x0–0x2`, `any`, `none`, joined by `, `. */
  toString(): string {
    if (this.isEmpty()) return 'none';
    if (this.isAll()) return 'any';
    return this.intervals.map((i) => (i.min === i.max ? hexValue(i.min) : `${hexValue(i.min)}–${hexValue(i.max)}`)).join(', ');
  }
}

/** The largest integer a JavaScript number holds exactly (2^53 − 1), as a BigInt. */
export const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A {@link ValueSet}'s intervals as float64 bounds, for deciding membership of
 * a value given as a plain number (what the dispatcher and spec firmware hold
 * for registers up to 32 bits, and for wider values that happen to be small).
 *
 * A value must be an exact integer 0 ≤ v ≤ 2^53 − 1. Bounds at or above 2^53
 * are rounded by the conversion, but the rounding is monotonic and such a
 * bound stays ≥ 2^53 > v, so every comparison with an exact value gives the
 * answer the BigInt comparison would. Values above 2^53 − 1 must use the
 * {@link ValueSet} itself.
 */
export class NumberIntervals {
  /** Smallest value of each interval, ascending. */
  readonly mins: Float64Array;
  /** Largest value of each interval. */
  readonly maxs: Float64Array;

  /** @param intervals sorted, disjoint intervals (a {@link ValueSet}'s). */
  constructor(intervals: readonly Interval[]) {
    this.mins = Float64Array.from(intervals, (i) => Number(i.min));
    this.maxs = Float64Array.from(intervals, (i) => Number(i.max));
  }

  /** Index of the interval holding `value`, or −1 (binary search). */
  indexOf(value: number): number {
    const mins = this.mins;
    let lo = 0;
    let hi = mins.length - 1;
    // The last interval whose min ≤ value.
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (mins[mid]! <= value) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && value <= this.maxs[hi]! ? hi : -1;
  }

  /** Whether `value` (an exact integer, 0 ≤ value ≤ 2^53 − 1) is in the set. */
  has(value: number): boolean {
    const mins = this.mins;
    // Most sets are one to three intervals: a scan beats the search.
    if (mins.length <= 4) {
      const maxs = this.maxs;
      for (let i = 0; i < mins.length; i++) {
        if (value < mins[i]!) return false;
        if (value <= maxs[i]!) return true;
      }
      return false;
    }
    return this.indexOf(value) >= 0;
  }
}

/** `0x` hex of a value. */
export function hexValue(value: bigint): string {
  return `0x${value.toString(16)}`;
}
