/**
 * The interpreter's fetch guard (`Interpreter.fetchGuard`): asked when an
 * address is predecoded, never for a cached instruction; its stop ends the
 * run with the PC on the refused address, no step counted and no step
 * traced. Runs on arm32, traced and untraced (the two loops).
 */

import { describe, expect, it } from 'vitest';
import { stop } from '../../src/interp/step-result.ts';
import { formatTraceEvent, TraceRecorder } from '../../src/interp/trace.ts';
import { CODE, load, setupMachine } from '../arch/arm32/machine-harness.ts';

describe('fetch guard', () => {
  for (const traced of [false, true]) {
    it(`refuses an address before it runs, counting no step for it (${traced ? 'traced' : 'untraced'})`, () => {
      const m = setupMachine();
      load(m, 'mov r0, #1\nmov r1, #2\nmov r2, #3', CODE);
      const recorder = new TraceRecorder();
      if (traced) m.trace = recorder;
      m.interpreter.fetchGuard = (address) => (address === CODE + 8 ? stop('left-image', `refused ${address}`) : undefined);
      m.pc = CODE;
      const result = m.run(100);
      expect(result).toEqual({ reason: 'left-image', detail: `refused ${CODE + 8}`, pc: CODE + 8, steps: 2 });
      expect(m.register('r1')).toBe(2n);
      expect(m.register('r2')).toBe(0n);
      expect(m.interpreter.totalSteps).toBe(2);
      if (traced) {
        const lines = recorder.events.map(formatTraceEvent);
        expect(lines).toHaveLength(3);
        expect(lines[2]).toMatch(/^-- stop left-image at /);
      }
    });
  }

  it('is asked once per address, not per executed instruction', () => {
    const m = setupMachine();
    load(m, 'mov r1, #100\nloop: subs r1, r1, #1\nbne loop\nwfi', CODE);
    const asked: number[] = [];
    m.interpreter.fetchGuard = (address) => {
      asked.push(address);
      return undefined;
    };
    m.pc = CODE;
    const result = m.run(1000);
    expect(result.reason).toBe('wfi');
    expect(result.steps).toBe(1 + 200 + 1);
    expect(asked).toEqual([CODE, CODE + 4, CODE + 8, CODE + 12]);
  });

  it('a run can resume past a refusal once the guard lets the address run', () => {
    const m = setupMachine();
    load(m, 'mov r0, #1\nmov r1, #2\nwfi', CODE);
    let refuse = true;
    m.fetchGuard = (address) => (refuse && address === CODE + 4 ? stop('left-image', 'not yet') : undefined);
    m.pc = CODE;
    expect(m.run(10)).toMatchObject({ reason: 'left-image', pc: CODE + 4, steps: 1 });
    refuse = false;
    expect(m.run(10)).toMatchObject({ reason: 'wfi', steps: 2 });
    expect(m.register('r1')).toBe(2n);
  });
});
