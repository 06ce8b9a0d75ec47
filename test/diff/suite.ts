/**
 * The differential suite every target runs under vitest: the CI run of
 * {@link CI_COUNT} seeded sequences against the reference, with the checks
 * that keep the generator and the deviation list honest. Skipped, with the
 * reason printed, where the reference's tools are not installed.
 *
 * The seed is fixed so that CI is reproducible; `DIFF_SEED=n` picks
 * another, and `npm run diff` runs any size.
 *
 * @module
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_DEVIATIONS } from './deviations.ts';
import { Coverage, formatMismatch, formatReport, runDifferential, type DiffReport, type DiffTarget } from './differential.ts';
import { Random } from './random.ts';

/** Sequences per target in CI. */
export const CI_COUNT = 2000;

/** The CI seed (`DIFF_SEED` overrides it). */
export const CI_SEED = process.env.DIFF_SEED === undefined ? 20_240_808 : Number(process.env.DIFF_SEED);

/** Options of {@link differentialSuite}. */
export interface SuiteOptions {
  /** Sequences in CI (default {@link CI_COUNT}): sized so that the target's run takes about ten seconds. */
  readonly count?: number;
  /** The register the broken-hyplay check corrupts (default `r3`). */
  readonly register?: string;
}

/** Register the suite of one target. */
export function differentialSuite(target: DiffTarget, options: SuiteOptions = {}): void {
  const count = options.count ?? CI_COUNT;
  const victim = options.register ?? 'r3';
  const missing = target.missing();
  if (missing !== undefined) console.warn(`test/diff: ${target.name} against ${target.reference} is skipped: ${missing}`);

  describe(`${target.name}: generated cases`, () => {
    it('a case depends only on the seed and its index', () => {
      const a = target.generate(7, 123, Random.forCase(7, 123), new Coverage());
      const b = target.generate(7, 123, Random.forCase(7, 123), new Coverage());
      const c = target.generate(7, 124, Random.forCase(7, 124), new Coverage());
      expect(b).toEqual(a);
      expect(c.instructions).not.toEqual(a.instructions);
    });

    it('every wholly excluded row is a row of the table, with a reason', () => {
      for (const [row, exclusion] of target.excludedRows) {
        expect(target.rows, row).toContain(row);
        expect(exclusion.reason.length, row).toBeGreaterThan(20);
      }
    });

    it('every known deviation names a reason and something it does', () => {
      for (const d of REFERENCE_DEVIATIONS.filter((x) => x.targets.includes(target.name))) {
        expect(d.reason.length, d.name).toBeGreaterThan(40);
        expect(d.hyplay !== undefined || d.reference !== undefined || d.stopReference !== undefined || d.handledByDriver !== undefined, d.name).toBe(true);
      }
    });
  });

  describe.skipIf(missing !== undefined)(`${target.name} against ${target.reference}`, () => {
    let report: DiffReport;
    beforeAll(() => {
      report = runDifferential(target, { seed: CI_SEED, count, deviations: REFERENCE_DEVIATIONS });
    }, 300_000);

    it(`${count} sequences agree on registers, flags and memory`, () => {
      expect(report.count).toBe(count);
      expect(report.mismatches.length, formatReport(report, REFERENCE_DEVIATIONS, 5)).toBe(0);
    });

    it('every row of the instruction table is generated, or excluded by name', () => {
      const missed = target.rows.filter((row) => !target.excludedRows.has(row) && (report.coverage.rows.get(row) ?? 0) === 0);
      expect(missed, 'rows neither generated nor excluded: exclude them by name with a reason, or teach the generator').toEqual([]);
      for (const row of target.excludedRows.keys()) expect(report.coverage.rows.get(row) ?? 0, row).toBe(0);
    });

    it('every known deviation of this reference still applies to some case', () => {
      for (const d of REFERENCE_DEVIATIONS.filter((x) => x.targets.includes(target.name))) {
        expect(report.deviations.get(d.name), `deviation '${d.name}' touched no case: drop it or find out why`).toBeGreaterThan(0);
      }
    });

    it(`a hyplay that gets one register (${victim}) wrong is caught, and the diff names the case, its sequence and both values`, () => {
      const broken: DiffTarget = {
        ...target,
        runHyplay: (c) => {
          const outcome = target.runHyplay(c);
          return { ...outcome, registers: { ...outcome.registers, [victim]: outcome.registers[victim]! ^ 4n } };
        },
      };
      const small = runDifferential(broken, { seed: CI_SEED, count: 20, deviations: REFERENCE_DEVIATIONS });
      expect(small.mismatches).toHaveLength(20);
      const text = formatMismatch(broken, small.mismatches[0]!);
      expect(text).toContain(`${target.name} seed ${CI_SEED} case 0: registers ${victim}`);
      expect(text).toContain(`npm run diff -- --arch ${target.name} --seed ${CI_SEED} --first 0 --count 1`);
      expect(text).toMatch(new RegExp(`${victim} +0x[0-9a-f]+ +0x[0-9a-f]+ +\\(before 0x[0-9a-f]+\\) +<--`));
      expect(text).toContain(target.disassemble(small.mismatches[0]!.hyplayCase.instructions[0]!.word, small.mismatches[0]!.hyplayCase.code));
    });
  });
}
