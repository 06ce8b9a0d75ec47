/**
 * The JIT framework on arm32: blocks are translated, chained and reused;
 * code writes, overlays and restores invalidate them; breakpoints and plain
 * trace sinks run in the interpreter; the budget is exact.
 */

import { describe, expect, it } from 'vitest';
import type { Arm32Core } from '../../arch/arm32/core.ts';
import { createArm32Machine } from '../../arch/arm32/core.ts';
import { RETIRED } from '../../src/interp/step-result.ts';
import { TraceRecorder, type TraceEvent } from '../../src/interp/trace.ts';
import { CODE, load, type Arm32Machine } from '../arch/arm32/machine-harness.ts';

const LOOP = ['mov r0, #0', 'mov r1, #100', 'loop: add r0, r0, #3', 'subs r1, r1, #1', 'bne loop', 'wfi'].join('\n');

function jitMachine(source: string): Arm32Machine {
  const m = createArm32Machine({ engine: 'jit' });
  m.memory.map(CODE - 0x4000, 0x8000);
  load(m, source, CODE);
  m.pc = CODE;
  return m;
}

function stats(m: Arm32Machine) {
  return (m.core as Arm32Core).jit!.stats;
}

describe('the arm32 JIT', () => {
  it('translates a loop once and runs it to the end', () => {
    const m = jitMachine(LOOP);
    expect(m.engine).toBe('jit');
    expect(m.run(10_000)).toMatchObject({ reason: 'wfi', steps: 2 + 300 + 1 });
    expect(m.register('r0')).toBe(300n);
    // mov/mov/add/subs/bne up to the branch, then the loop body, then the wfi (run by the interpreter).
    expect(stats(m).translated).toBeLessThanOrEqual(3);
    expect(stats(m).translated).toBeGreaterThan(0);
  });

  it('stops after exactly the budget, inside a block', () => {
    for (const budget of [0, 1, 2, 3, 4, 5, 6, 77, 301]) {
      const m = jitMachine(LOOP);
      const result = m.run(budget);
      expect(result, `budget ${budget}`).toMatchObject({ reason: 'budget-exhausted', steps: budget });
      const body = Math.max(0, budget - 2);
      expect(Number(m.register('r0'))).toBe(3 * Math.ceil(body / 3));
    }
  });

  it('runs a budget of 2^31 steps or more (the fuel word is an int32): the program runs to its end, not zero steps', () => {
    for (const budget of [2 ** 31, 4_000_000_000]) {
      const m = jitMachine(LOOP);
      expect(m.run(budget), `budget ${budget}`).toMatchObject({ reason: 'wfi', steps: 2 + 300 + 1 });
      expect(m.register('r0')).toBe(300n);
    }
  });

  it('drops a block a store rewrites, and runs the new code', () => {
    const m = jitMachine(['mov r2, #0', 'again: mov r0, #1', 'add r2, r2, #1', 'cmp r2, #2', 'beq done', 'ldr r1, word', 'str r1, again', 'b again', 'done: wfi', 'word: .word 0xe3a00007'].join('\n'));
    expect(m.run(100).reason).toBe('wfi');
    expect(m.register('r0')).toBe(7n);
    expect(stats(m).invalidated).toBeGreaterThan(0);
  });

  it('an overlay installed over translated code takes over at once', () => {
    const m = jitMachine(LOOP);
    m.run(50);
    let calls = 0;
    m.addOverlay(CODE + 8, () => {
      calls++;
      m.pc = CODE + 20;
      return RETIRED;
    });
    m.pc = CODE + 8;
    expect(m.run(100)).toMatchObject({ reason: 'wfi', steps: 2 });
    expect(calls).toBe(1);
  });

  it('a restore keeps the blocks of code it does not change, and drops the others', () => {
    const m = jitMachine(LOOP);
    const snap = m.snapshot();
    m.run(100);
    const translated = stats(m).translated;
    m.restore(snap);
    expect(m.run(10_000)).toMatchObject({ reason: 'wfi', steps: 303 });
    expect(stats(m).translated).toBe(translated);
    m.memory.write32(CODE + 8, 0xe2800005); // add r0, r0, #5
    m.restore(snap);
    expect(m.run(10_000)).toMatchObject({ reason: 'wfi', steps: 303 });
    expect(m.register('r0')).toBe(300n);
    expect(stats(m).invalidated).toBeGreaterThan(0);
  });

  it('runs with breakpoints and with a plain trace sink in the interpreter, and traces into a recorder itself', () => {
    const m = jitMachine(LOOP);
    m.breakpoints.add(CODE + 16);
    expect(m.run(10_000)).toMatchObject({ reason: 'breakpoint', pc: CODE + 16, steps: 4 });
    expect(stats(m).translated).toBe(0);
    m.breakpoints.clear();
    const events: TraceEvent[] = [];
    m.trace = { emit: (event) => events.push(event) };
    m.run(5);
    expect(events.filter((e) => e.kind === 'step')).toHaveLength(5);
    expect(stats(m).translated).toBe(0);
    const recorder = new TraceRecorder();
    m.trace = recorder;
    m.run(30);
    expect(recorder.lines().filter((l) => l.startsWith('0x'))).toHaveLength(30);
    expect(stats(m).translated).toBeGreaterThan(0);
  });
});
