/**
 * The bench's arithmetic and units: medians and ranges of rounds, rates in
 * the unit that fits, times in ms, ratios, and whether a target holds.
 */

import { describe, expect, it } from 'vitest';
import {
  formatMs,
  formatMsSummary,
  formatRate,
  formatRateSummary,
  formatRatio,
  formatRatioSummary,
  formatTarget,
  rateUnit,
  significant,
  summarise,
  targetHolds,
} from '../../src/cli/bench-summary.ts';

describe('summarise', () => {
  it('takes the middle round of an odd count and the range', () => {
    expect(summarise([5, 1, 4, 2, 3])).toEqual({ median: 3, min: 1, max: 5 });
    expect(summarise([7])).toEqual({ median: 7, min: 7, max: 7 });
  });

  it('takes the mean of the two middle rounds of an even count', () => {
    expect(summarise([10, 40, 20, 30])).toEqual({ median: 25, min: 10, max: 40 });
  });

  it('leaves its input in order', () => {
    const rounds = [3, 1, 2];
    summarise(rounds);
    expect(rounds).toEqual([3, 1, 2]);
  });

  it('refuses no rounds and rounds that are not finite numbers', () => {
    expect(() => summarise([])).toThrow(/no rounds/);
    expect(() => summarise([1, Number.NaN, 2])).toThrow(/not a finite number/);
    expect(() => summarise([Number.POSITIVE_INFINITY])).toThrow(/not a finite number/);
  });
});

describe('units', () => {
  it('gives three significant digits without an exponent', () => {
    expect(significant(61.24)).toBe('61.2');
    expect(significant(0.03456)).toBe('0.0346');
    expect(significant(1234.4)).toBe('1234');
    expect(significant(5)).toBe('5.00');
    expect(significant(0)).toBe('0');
  });

  it('does not grow a fourth digit when rounding carries', () => {
    expect(significant(99.96)).toBe('100');
    expect(significant(9.996)).toBe('10.0');
    expect(significant(0.09996)).toBe('0.100');
  });

  it('prints rates in the unit that fits', () => {
    expect(formatRate(12)).toBe('12.0 /s');
    expect(formatRate(704_321)).toBe('704 k/s');
    expect(formatRate(61_240_000)).toBe('61.2 M/s');
    expect(formatRate(1_523_000_000)).toBe('1.52 G/s');
    expect(formatRate(3_400_000_000_000)).toBe('3400 G/s');
  });

  it('moves up a unit when rounding reaches 1000', () => {
    expect(rateUnit(999_960).suffix).toBe('M/s');
    expect(formatRate(999_960)).toBe('1.00 M/s');
    expect(formatRate(999_400)).toBe('999 k/s');
  });

  it('prints times in ms and ratios with ×', () => {
    expect(formatMs(2.873)).toBe('2.87 ms');
    expect(formatMs(0.5123)).toBe('0.512 ms');
    expect(formatRatio(35.24)).toBe('35.2×');
    expect(formatRatio(0.02791)).toBe('0.0279×');
  });

  it('prints a summary as median (min–max), the range in the median’s unit', () => {
    expect(formatRateSummary({ median: 61_200_000, min: 950_000, max: 1_100_000_000 })).toBe('61.2 M/s (0.950–1100)');
    expect(formatMsSummary({ median: 2.87, min: 2.514, max: 3.4 })).toBe('2.87 ms (2.51–3.40)');
    expect(formatRatioSummary({ median: 35.2, min: 27, max: 61.5 })).toBe('35.2× (27.0–61.5)');
  });
});

describe('targets', () => {
  it('hold on the median', () => {
    expect(targetHolds({ median: 80 }, { median: 80, min: 10, max: 90 })).toBe(true);
    expect(targetHolds({ median: 80 }, { median: 79.9, min: 79, max: 200 })).toBe(false);
  });

  it('hold in every round as well, where the target says so', () => {
    const target = { every: 0.5, median: 1 };
    expect(targetHolds(target, { median: 1.2, min: 0.5, max: 2 })).toBe(true);
    expect(targetHolds(target, { median: 1.2, min: 0.49, max: 2 })).toBe(false);
    expect(targetHolds(target, { median: 0.99, min: 0.6, max: 2 })).toBe(false);
  });

  it('read as words', () => {
    expect(formatTarget({ median: 80 })).toBe('≥ 80× median');
    expect(formatTarget({ every: 0.5, median: 1 })).toBe('≥ 0.5× every round, ≥ 1× median');
  });
});
