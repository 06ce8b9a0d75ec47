/**
 * Blocks of predecoded ops: a run loop over them stops after exactly the
 * step budget, leaves a block that a store rewrote under it, and a block
 * ends where the backend says (branches) or at a page end; the cache drops
 * what a code write hits and nothing else.
 */

import { describe, expect, it } from 'vitest';
import { CODE, load, runProgram, setupMachine } from '../arch/arm32/machine-harness.ts';

describe('blocks in the arm32 run loop', () => {
  it('stop after exactly the step budget, whatever the block length', () => {
    const source = ['mov r0, #0', 'loop: add r0, r0, #1', 'add r1, r1, #2', 'add r2, r2, #3', 'b loop'].join('\n');
    for (let budget = 0; budget <= 23; budget++) {
      const m = setupMachine({ engine: 'interp' });
      load(m, source, CODE);
      m.pc = CODE;
      const result = m.run(budget);
      expect(result).toMatchObject({ reason: 'budget-exhausted', steps: budget });
      const body = Math.max(0, budget - 1);
      const passes = Math.floor(body / 4);
      const rest = body % 4;
      expect(Number(m.register('r0'))).toBe(passes + (rest >= 1 ? 1 : 0));
      expect(Number(m.register('r2'))).toBe(3 * (passes + (rest >= 3 ? 1 : 0)));
    }
  });

  it('a store that rewrites a later op of the running block takes effect at once', () => {
    // `patch` is in the same block as the store; it must run as the stored `mov r0, #7`.
    const ran = runProgram(['ldr r1, word', 'str r1, patch', 'patch: mov r0, #1', 'wfi', 'word: .word 0xe3a00007'].join('\n'));
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r0')).toBe(7);
  });

  it('a store to data on a code page leaves the blocks it does not hit alone, and they still run right', () => {
    const ran = runProgram(['mov r2, #0', 'loop: add r2, r2, #1', 'str r2, counter', 'cmp r2, #5', 'bne loop', 'ldr r3, counter', 'wfi', 'counter: .word 0'].join('\n'));
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r3')).toBe(5);
  });

  it('an instruction at the end of a page runs, and the block after it starts on the next page', () => {
    const m = setupMachine({ engine: 'interp' });
    m.memory.map(0x20000, 0x2000);
    load(m, ['mov r0, #1', 'add r0, r0, #1', 'add r0, r0, #1', 'wfi'].join('\n'), 0x21000 - 8);
    m.pc = 0x21000 - 8;
    expect(m.run(100)).toMatchObject({ reason: 'wfi', steps: 4 });
    expect(m.register('r0')).toBe(3n);
  });
});
