/**
 * A small seeded generator for the differential tests: every case draws
 * from its own stream, derived from the run's seed and the case's index, so
 * case N of seed S is the same sequence whatever else the run contains and
 * can be regenerated alone (`npm run diff -- --seed S --only N`).
 *
 * @module
 */

/** SplitMix32-style mixing of a 32-bit value (a bijection, so distinct inputs stay distinct). */
function mix(value: number): number {
  let z = (value + 0x9e37_79b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85eb_ca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2_ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A deterministic stream of random numbers (mulberry32 over a mixed seed). */
export class Random {
  private state: number;

  /** The stream of case `index` of a run with `seed`. */
  static forCase(seed: number, index: number): Random {
    return new Random(mix(mix(seed >>> 0) ^ mix(index >>> 0)));
  }

  /** @param seed any 32-bit value. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned value. */
  next(): number {
    this.state = (this.state + 0x6d2b_79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform integer in `[0, n)` (n ≤ 2^32). */
  below(n: number): number {
    return Math.floor((this.next() / 0x1_0000_0000) * n);
  }

  /** A uniform integer in `[low, high]`. */
  between(low: number, high: number): number {
    return low + this.below(high - low + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /** A field value of `width` bits, uniform. */
  bits(width: number): number {
    return width >= 32 ? this.next() : width <= 0 ? 0 : this.next() >>> (32 - width);
  }

  /**
   * A 32-bit register value, biased towards the values where arithmetic
   * goes wrong: 0, all ones, the sign boundaries, small numbers, single
   * bits, and uniform noise.
   */
  word(): number {
    switch (this.below(8)) {
      case 0:
        return this.pick([0, 1, 0xffff_ffff, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, 0xffff_fffe, 0x0000_ffff, 0xffff_0000]);
      case 1:
        return this.below(256);
      case 2:
        return (0x1_0000_0000 - 1 - this.below(256)) >>> 0;
      case 3:
        return (1 << this.below(32)) >>> 0;
      default:
        return this.next();
    }
  }

  /** A 64-bit register value with the same bias as {@link Random.word}, per half and across the halves. */
  doubleword(): bigint {
    switch (this.below(6)) {
      case 0:
        return this.pick([0n, 1n, (1n << 64n) - 1n, (1n << 63n) - 1n, 1n << 63n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0xffff_ffff_8000_0000n]);
      case 1:
        return BigInt.asUintN(64, BigInt(this.below(512)) - 256n);
      case 2:
        return 1n << BigInt(this.below(64));
      case 3:
        // A sign-extended word: the 32-bit boundaries in 64-bit arithmetic.
        return BigInt.asUintN(64, BigInt.asIntN(32, BigInt(this.word())));
      default:
        return (BigInt(this.word()) << 32n) | BigInt(this.word());
    }
  }

  /** `length` uniform bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const v = this.next();
      for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }
}
