/**
 * The arithmetic and the units of `hyplay bench`: a figure is the median of
 * its rounds with their range (min–max), because these machines swing by up
 * to 2× between runs; rates print in the unit that fits them (k/s, M/s,
 * G/s), times in milliseconds and ratios with a `×`.
 *
 * @module
 */

/** The median and range of a figure's rounds. */
export interface BenchSummary {
  /** The median (the mean of the two middle values for an even count). */
  readonly median: number;
  /** The lowest round. */
  readonly min: number;
  /** The highest round. */
  readonly max: number;
}

/** Median and range of `rounds`. Throws on an empty list or a value that is not a finite number. */
export function summarise(rounds: readonly number[]): BenchSummary {
  if (rounds.length === 0) throw new Error('no rounds to summarise');
  for (const value of rounds) if (!Number.isFinite(value)) throw new Error(`a round is not a finite number: ${value}`);
  const sorted = [...rounds].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** A unit of rates: its suffix and its size in per-second. */
export interface RateUnit {
  /** `/s`, `k/s`, `M/s` or `G/s`. */
  readonly suffix: string;
  /** Per-second values per unit (1, 1e3, 1e6, 1e9). */
  readonly scale: number;
}

const RATE_UNITS: readonly RateUnit[] = [
  { suffix: 'G/s', scale: 1e9 },
  { suffix: 'M/s', scale: 1e6 },
  { suffix: 'k/s', scale: 1e3 },
  { suffix: '/s', scale: 1 },
];

/** The unit that fits `perSecond`: the largest in which it is at least 1 once rounded to three digits (999.96 k/s is `1.00 M/s`). */
export function rateUnit(perSecond: number): RateUnit {
  const magnitude = Number.isFinite(perSecond) && perSecond !== 0 ? Math.abs(Number(perSecond.toPrecision(3))) : 0;
  return RATE_UNITS.find((unit) => magnitude >= unit.scale) ?? RATE_UNITS[RATE_UNITS.length - 1]!;
}

/** `value` with three significant digits and never an exponent (`61.2`, `0.0345`, `1234`). */
export function significant(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const decimals = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  const text = value.toFixed(decimals);
  // Rounding can carry into a new digit (99.96 -> "100.0"): one decimal fewer then.
  return decimals > 0 && Math.abs(Number(text)) >= 10 ** (3 - decimals) ? value.toFixed(decimals - 1) : text;
}

/** A rate in the unit that fits it, or in `unit`: `61.2 M/s`, `704 k/s`, `1.52 G/s`. */
export function formatRate(perSecond: number, unit: RateUnit = rateUnit(perSecond)): string {
  return `${significant(perSecond / unit.scale)} ${unit.suffix}`;
}

/** A time in milliseconds: `2.87 ms`. */
export function formatMs(ms: number): string {
  return `${significant(ms)} ms`;
}

/** A ratio: `0.0345×`, `35.2×`. */
export function formatRatio(ratio: number): string {
  return `${significant(ratio)}×`;
}

/** A summary of rates as `median (min–max)`, the range in the median's unit: `61.2 M/s (48.1–66.0)`. */
export function formatRateSummary(summary: BenchSummary): string {
  const unit = rateUnit(summary.median);
  return `${formatRate(summary.median, unit)} (${significant(summary.min / unit.scale)}–${significant(summary.max / unit.scale)})`;
}

/** A summary of times: `2.87 ms (2.51–3.40)`. */
export function formatMsSummary(summary: BenchSummary): string {
  return `${formatMs(summary.median)} (${significant(summary.min)}–${significant(summary.max)})`;
}

/** A summary of ratios: `35.2× (27.0–61.5)`. */
export function formatRatioSummary(summary: BenchSummary): string {
  return `${formatRatio(summary.median)} (${significant(summary.min)}–${significant(summary.max)})`;
}

/** A target ratio: the median must reach `median`, and every round must reach `every`, where given. */
export interface BenchTarget {
  /** Lowest acceptable median ratio. */
  readonly median?: number;
  /** Lowest acceptable ratio in every round. */
  readonly every?: number;
}

/** Whether `ratios` meet `target`. */
export function targetHolds(target: BenchTarget, ratios: BenchSummary): boolean {
  return (target.median === undefined || ratios.median >= target.median) && (target.every === undefined || ratios.min >= target.every);
}

/** A target in words: `≥ 80× median`, `≥ 0.5× every round, ≥ 1× median`. */
export function formatTarget(target: BenchTarget): string {
  const parts: string[] = [];
  if (target.every !== undefined) parts.push(`≥ ${target.every}× every round`);
  if (target.median !== undefined) parts.push(`≥ ${target.median}× median`);
  return parts.join(', ');
}
