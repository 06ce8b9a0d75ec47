/**
 * Deterministic vCPU schedules: an explicit interleaving (`0:12,1:3,0:*`)
 * or a seed. Either decides, from the vCPUs that can run, which one runs
 * next and for how many steps, so a run replays exactly from the same
 * schedule.
 *
 * A step is one guest instruction retired on one vCPU, counted as the
 * interpreter counts it (`RunResult.steps`: a spec-firmware vector counts as
 * one, a refused fetch as none). The JIT honours a step budget exactly (a
 * block runs only when the budget covers all of it; the interpreter runs
 * the rest), so a slice of N steps is the same N instructions under either
 * engine and neither has to be forced to single-step. Within a slice a vCPU
 * runs alone: the other vCPUs see its memory writes at once, in program
 * order (sequential consistency at instruction granularity).
 *
 * @module
 */

/** One entry of an explicit schedule: run `vcpu` for `steps` instructions, or (`'rest'`, written `*`) until it stops or the budget is used up. */
export interface ScheduleSlice {
  /** The vCPU. */
  readonly vcpu: number;
  /** How many steps, or `'rest'`. */
  readonly steps: number | 'rest';
}

/** What a scheduler chose: a slice, and how it reads in a trace. */
export interface ScheduleChoice extends ScheduleSlice {
  /** Where the choice came from, for the trace (`schedule 1:3`, `seed 7`, `round robin`). */
  readonly why: string;
}

/** A bad `--schedule`: one line with the column it happened at (1-based). */
export class ScheduleError extends Error {
  /** Always `'ScheduleError'`. */
  override readonly name = 'ScheduleError';

  /**
   * @param message what is wrong.
   * @param column where, 1-based.
   */
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(`schedule column ${column}: ${message}`);
  }
}

/**
 * Parse `text` (`VCPU:STEPS` entries separated by commas, `STEPS` a
 * positive decimal or `*`; spaces around entries are allowed) for a
 * machine of `vcpus` vCPUs. Throws a {@link ScheduleError} naming the column
 * of the first thing wrong.
 */
export function parseSchedule(text: string, vcpus: number): ScheduleSlice[] {
  const slices: ScheduleSlice[] = [];
  let at = 0;
  const skipSpaces = (): void => {
    while (at < text.length && text[at] === ' ') at++;
  };
  const number = (what: string): number => {
    const start = at;
    while (at < text.length && text[at]! >= '0' && text[at]! <= '9') at++;
    if (at === start) {
      const found = at < text.length ? `'${text[at]}'` : 'the end';
      throw new ScheduleError(`expected ${what}, found ${found}`, start + 1);
    }
    const value = Number(text.slice(start, at));
    if (!Number.isSafeInteger(value)) throw new ScheduleError(`${what} ${text.slice(start, at)} is too large`, start + 1);
    return value;
  };
  skipSpaces();
  if (at === text.length) throw new ScheduleError('empty schedule (expected VCPU:STEPS entries separated by commas, e.g. 0:12,1:3,0:*)', 1);
  for (;;) {
    skipSpaces();
    const vcpuAt = at;
    const vcpu = number('a vCPU number');
    if (vcpu >= vcpus) throw new ScheduleError(`vCPU ${vcpu} does not exist (the machine has ${vcpus}: 0–${vcpus - 1})`, vcpuAt + 1);
    if (text[at] !== ':') throw new ScheduleError(`expected ':' after vCPU ${vcpu}, found ${at < text.length ? `'${text[at]}'` : 'the end'}`, at + 1);
    at++;
    let steps: number | 'rest';
    if (text[at] === '*') {
      steps = 'rest';
      at++;
    } else {
      const stepsAt = at;
      steps = number("a step count (a positive number, or '*' for until it stops)");
      if (steps === 0) throw new ScheduleError('a step count must be at least 1', stepsAt + 1);
    }
    slices.push({ vcpu, steps });
    skipSpaces();
    if (at === text.length) return slices;
    if (text[at] !== ',') throw new ScheduleError(`expected ',' or the end after an entry, found '${text[at]}'`, at + 1);
    at++;
    skipSpaces();
    if (at === text.length) throw new ScheduleError('expected an entry after the last comma', at + 1);
  }
}

/** The schedule as it was written: `0:12,1:3,0:*`. */
export function formatSchedule(slices: readonly ScheduleSlice[]): string {
  return slices.map((slice) => `${slice.vcpu}:${slice.steps === 'rest' ? '*' : slice.steps}`).join(',');
}

/** Decides which vCPU runs next, and for how long. Deterministic: the same calls give the same choices. */
export interface Scheduler {
  /** The next slice, given the vCPUs that can run (ascending, never empty). It may name one that cannot: the machine then skips it. */
  next(runnable: readonly number[]): ScheduleChoice;
  /** One line: how it chooses (`schedule 0:12,1:3,0:*, then round robin`, `seed 7`). */
  describe(): string;
}

/** Steps per turn once an explicit schedule is used up. */
export const ROUND_ROBIN_QUANTUM = 16;

/**
 * An explicit interleaving: its slices in order, then round robin over the
 * vCPUs that can run, {@link ROUND_ROBIN_QUANTUM} steps each, starting after
 * the last vCPU the list named.
 */
export class ExplicitScheduler implements Scheduler {
  private index = 0;
  private last = -1;

  /** @param slices the interleaving ({@link parseSchedule}). */
  constructor(private readonly slices: readonly ScheduleSlice[]) {}

  /** The next slice of the list, or round robin after it. */
  next(runnable: readonly number[]): ScheduleChoice {
    const slice = this.slices[this.index];
    if (slice !== undefined) {
      this.index++;
      this.last = slice.vcpu;
      return { ...slice, why: `schedule ${formatSchedule([slice])}` };
    }
    const vcpu = runnable.find((n) => n > this.last) ?? runnable[0]!;
    this.last = vcpu;
    return { vcpu, steps: ROUND_ROBIN_QUANTUM, why: 'round robin' };
  }

  /** The list as written, then round robin. */
  describe(): string {
    return `schedule ${formatSchedule(this.slices)}, then round robin (${ROUND_ROBIN_QUANTUM} steps a turn)`;
  }
}

/** The longest slice a {@link SeededScheduler} gives. */
export const SEEDED_MAX_SLICE = 16;

/**
 * A seeded pseudo-random interleaving: each turn picks one of the vCPUs that
 * can run and a slice of 1 to {@link SEEDED_MAX_SLICE} steps from a
 * mulberry32 generator seeded with `seed`, so one seed always gives the same
 * interleaving.
 */
export class SeededScheduler implements Scheduler {
  private state: number;

  /** @param seed any 32-bit value. */
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: 32 random bits. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A random runnable vCPU for a random number of steps. */
  next(runnable: readonly number[]): ScheduleChoice {
    const vcpu = runnable[this.random() % runnable.length]!;
    const steps = 1 + (this.random() % SEEDED_MAX_SLICE);
    return { vcpu, steps, why: `seed ${this.seed}` };
  }

  /** `seed N`. */
  describe(): string {
    return `seed ${this.seed} (1–${SEEDED_MAX_SLICE} steps a turn)`;
  }
}
