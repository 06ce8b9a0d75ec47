/**
 * The interp-vs-JIT agreement check every backend's differential test runs
 * (test/jit/*-differential.test.ts): a program set up afresh for each
 * engine, run at many budgets, split, and traced, must end identically
 * (stop, registers, mode, memory, trace lines).
 *
 * @module
 */

import { expect } from 'vitest';
import type { RunResult } from '../../src/interp/interpreter.ts';
import type { Machine } from '../../src/interp/machine.ts';
import { TraceRecorder } from '../../src/interp/trace.ts';

/** A machine set up by `setup` for one engine. */
export type Setup<O> = (options: O) => Machine;

/** Everything observable after a run. */
export interface Outcome {
  readonly result: RunResult;
  readonly registers: Record<string, string>;
  readonly mode: string;
  readonly memory: string;
}

/** A digest of every mapped page (address and contents). */
function memoryDigest(machine: Machine): string {
  const pages = [...machine.memory.snapshot().pages].sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  for (const [index, bytes] of pages) {
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    parts.push(`${index.toString(16)}:${(h >>> 0).toString(16)}`);
  }
  return parts.join(',');
}

export function outcome(machine: Machine, result: RunResult): Outcome {
  return { result, registers: machine.registers(), mode: machine.mode(), memory: memoryDigest(machine) };
}

/** Run `budgets` in turn on a fresh machine; the outcome after each. */
export function runs<O>(setup: Setup<O>, options: O, budgets: readonly number[], traced: boolean): { outcomes: Outcome[]; lines: string[] } {
  const machine = setup(options);
  const recorder = new TraceRecorder();
  if (traced) machine.trace = recorder;
  const outcomes = budgets.map((budget) => outcome(machine, machine.run(budget)));
  return { outcomes, lines: recorder.lines() };
}

/** Which runs {@link agree} compares. */
export interface Plan {
  /** Whole runs of these budgets. */
  readonly counts: readonly number[];
  /** These budgets also split in two and three (run(k), run(n - k); run(1), run(n - 2), run(1)). */
  readonly splits: readonly number[];
  /** These budgets also traced under every engine, trace lines compared. */
  readonly traced: readonly number[];
}

/** One engine to compare: a name for messages and the machine options that select it. */
export interface EngineUnderTest<O> {
  readonly name: string;
  readonly options: O;
}

/** Compare every engine with the first (the interpreter, the reference) on `setup`, as `plan` says. */
export function agree<O>(engines: readonly EngineUnderTest<O>[], label: string, setup: Setup<O>, plan: Plan): void {
  const cases: number[][] = [...plan.counts.map((n) => [n]), ...plan.splits.flatMap((n) => [[Math.floor(n / 3), n - Math.floor(n / 3)], [1, n - 2, 1]])];
  for (const budgets of cases) {
    const n = budgets.reduce((a, b) => a + b, 0);
    const reference = runs(setup, engines[0]!.options, budgets, false);
    const traced = budgets.length === 1 && plan.traced.includes(n) ? runs(setup, engines[0]!.options, budgets, true) : undefined;
    if (traced !== undefined) expect(traced.outcomes, `${label}: interp traced vs untraced, budgets ${budgets}`).toEqual(reference.outcomes);
    for (const engine of engines.slice(1)) {
      expect(runs(setup, engine.options, budgets, false).outcomes, `${label}: ${engine.name}, budgets ${budgets}`).toEqual(reference.outcomes);
      if (traced === undefined) continue;
      const jitTraced = runs(setup, engine.options, budgets, true);
      expect(jitTraced.outcomes, `${label}: ${engine.name} traced, budgets ${budgets}`).toEqual(reference.outcomes);
      expect(jitTraced.lines, `${label}: ${engine.name} trace lines, budgets ${budgets}`).toEqual(traced.lines);
    }
    // A run split in two at a budget boundary is the same run as one.
    if (budgets.length > 1 && reference.outcomes.slice(0, -1).every((o) => o.result.reason === 'budget-exhausted')) {
      const whole = runs(setup, engines[1]!.options, [n], false).outcomes[0]!;
      const last = reference.outcomes.at(-1)!;
      // The budget in the detail differs (`step budget of N used up`), and the steps are the last run's.
      const same = (o: Outcome) => ({ ...o, result: { reason: o.result.reason, pc: o.result.pc, detail: o.result.reason === 'budget-exhausted' ? '' : o.result.detail } });
      expect(same(whole), `${label}: split ${budgets} vs whole ${n}`).toEqual(same(last));
    }
  }
}

/**
 * A machine restored from a snapshot after a run of `first` steps (for each
 * of `firsts`) runs as a fresh one does, on every engine: what it translated
 * from bytes the run rewrote is dropped with the restore.
 */
export function expectRestoreRunsFresh<O>(engines: readonly EngineUnderTest<O>[], setup: Setup<O>, firsts: readonly number[], budget = 1000): void {
  for (const engine of engines) {
    for (const first of firsts) {
      const fresh = setup(engine.options);
      const expected = outcome(fresh, fresh.run(budget));
      const again = setup(engine.options);
      const snap = again.snapshot();
      again.run(first);
      again.restore(snap);
      expect(outcome(again, again.run(budget)), `${engine.name}: restored after ${first}`).toEqual(expected);
    }
  }
}
