/**
 * Schedules: `--schedule` parsing (every malformed form is one error naming
 * its column), the explicit scheduler's order and its round robin after the
 * list, and the seeded scheduler's determinism.
 */

import { describe, expect, it } from 'vitest';
import { ExplicitScheduler, formatSchedule, parseSchedule, ROUND_ROBIN_QUANTUM, ScheduleError, SEEDED_MAX_SLICE, SeededScheduler } from '../../src/smp/schedule.ts';

describe('parseSchedule', () => {
  it('reads VCPU:STEPS entries, * for until it stops, spaces around entries', () => {
    expect(parseSchedule('0:12,1:3,0:*', 2)).toEqual([
      { vcpu: 0, steps: 12 },
      { vcpu: 1, steps: 3 },
      { vcpu: 0, steps: 'rest' },
    ]);
    expect(parseSchedule(' 3:1 , 2:*', 4)).toEqual([
      { vcpu: 3, steps: 1 },
      { vcpu: 2, steps: 'rest' },
    ]);
    expect(formatSchedule(parseSchedule('0:12,1:3,0:*', 2))).toBe('0:12,1:3,0:*');
  });

  const BAD: readonly (readonly [string, number, RegExp])[] = [
    ['', 1, /empty schedule/],
    ['   ', 1, /empty schedule/],
    ['x:1', 1, /expected a vCPU number, found 'x'/],
    ['0:12,1:x', 8, /expected a step count .*found 'x'/],
    ['0:12,5:3', 6, /vCPU 5 does not exist \(the machine has 4: 0–3\)/],
    ['0', 2, /expected ':' after vCPU 0, found the end/],
    ['0-3', 2, /expected ':' after vCPU 0, found '-'/],
    ['0:0', 3, /at least 1/],
    ['0:3,', 5, /expected an entry after the last comma/],
    ['0:3;1:2', 4, /expected ',' or the end after an entry, found ';'/],
    ['0:', 3, /expected a step count .*found the end/],
    ['0:99999999999999999999', 3, /too large/],
    [',', 1, /expected a vCPU number, found ','/],
  ];
  for (const [text, column, message] of BAD) {
    it(`'${text}' is refused at column ${column}`, () => {
      let error: unknown;
      try {
        parseSchedule(text, 4);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ScheduleError);
      expect((error as ScheduleError).column).toBe(column);
      expect((error as ScheduleError).message).toMatch(message);
      expect((error as ScheduleError).message).toMatch(new RegExp(`^schedule column ${column}: `));
      expect((error as ScheduleError).message).not.toContain('\n');
    });
  }
});

describe('ExplicitScheduler', () => {
  it('gives the list in order, names vCPUs that cannot run as written, then round robin from after the last one named', () => {
    const scheduler = new ExplicitScheduler(parseSchedule('2:5,0:*', 4));
    expect(scheduler.next([0, 1, 3])).toEqual({ vcpu: 2, steps: 5, why: 'schedule 2:5' });
    expect(scheduler.next([0, 1, 3])).toEqual({ vcpu: 0, steps: 'rest', why: 'schedule 0:*' });
    const after = [scheduler.next([0, 1, 3]), scheduler.next([0, 1, 3]), scheduler.next([0, 1, 3]), scheduler.next([0, 3])];
    expect(after.map((c) => c.vcpu)).toEqual([1, 3, 0, 3]);
    expect(after.every((c) => c.steps === ROUND_ROBIN_QUANTUM && c.why === 'round robin')).toBe(true);
    expect(scheduler.describe()).toBe(`schedule 2:5,0:*, then round robin (${ROUND_ROBIN_QUANTUM} steps a turn)`);
  });
});

describe('SeededScheduler', () => {
  const sequence = (seed: number, runnable: readonly number[], count = 50) => {
    const scheduler = new SeededScheduler(seed);
    return Array.from({ length: count }, () => scheduler.next(runnable));
  };

  it('one seed gives one sequence; another seed another', () => {
    expect(sequence(7, [0, 2, 3])).toEqual(sequence(7, [0, 2, 3]));
    expect(sequence(7, [0, 2, 3])).not.toEqual(sequence(8, [0, 2, 3]));
  });

  it('picks only runnable vCPUs, every one of them in time, for 1 to SEEDED_MAX_SLICE steps', () => {
    const choices = sequence(1, [0, 2, 3], 200);
    expect(new Set(choices.map((c) => c.vcpu))).toEqual(new Set([0, 2, 3]));
    for (const c of choices) {
      expect(c.steps).toBeGreaterThanOrEqual(1);
      expect(c.steps).toBeLessThanOrEqual(SEEDED_MAX_SLICE);
      expect(c.why).toBe('seed 1');
    }
  });
});
