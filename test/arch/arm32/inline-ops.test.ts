/**
 * The block loop's inline ops (`DecodedOp.fast`, chosen in arm32's
 * `fastKindOf`) mean exactly what their handlers do: every specialised
 * data-processing form, B and BL under every condition, HVC and ERET, run
 * through the block loop (no trace) and through `op.exec` one step at a
 * time (a plain trace sink takes the interpreter's observed loop), from the
 * same random registers and flags, end in the same state after the same
 * number of steps.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createArm32Machine } from '../../../arch/arm32/core.ts';
import { CODE, load, type Arm32Machine } from './machine-harness.ts';

const OPS = ['and', 'eor', 'sub', 'rsb', 'add', 'orr', 'mov', 'bic', 'mvn'];
const COMPARES = ['tst', 'teq', 'cmp', 'cmn'];
const CONDITIONS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', ''];
const IMMEDIATES = ['#0', '#1', '#0xff', '#0x80000000', '#0xff000000', '#0x3fc'];

/** One instruction of each inline form. */
function forms(): string[] {
  const out: string[] = [];
  for (const op of OPS) {
    const sources = op === 'mov' || op === 'mvn' ? '' : ' r2,';
    for (const s of ['', 's']) {
      for (const imm of IMMEDIATES) out.push(`${op}${s} r1,${sources} ${imm}`);
      out.push(`${op}${s} r1,${sources} r3`, `${op}${s} r2,${sources} r2`);
    }
  }
  for (const op of COMPARES) {
    for (const imm of IMMEDIATES) out.push(`${op} r2, ${imm}`);
    out.push(`${op} r2, r3`, `${op} r3, r3`);
  }
  return out;
}

function machineWith(source: string, registers: readonly number[], flags: number): Arm32Machine {
  const machine = createArm32Machine({ engine: 'interp' });
  load(machine, source, CODE);
  machine.pc = CODE;
  registers.forEach((value, k) => machine.setRegister(`r${k}`, BigInt(value >>> 0)));
  machine.setRegister('cpsr', BigInt(((flags << 28) | 0x1d3) >>> 0));
  return machine;
}

/** Run `source` both ways; the state and step counts must agree. */
function agree(source: string, registers: readonly number[], flags: number, steps: number): void {
  const fast = machineWith(source, registers, flags);
  const stepped = machineWith(source, registers, flags);
  stepped.trace = { emit: () => undefined };
  const a = fast.run(steps);
  const b = stepped.run(steps);
  expect({ reason: a.reason, steps: a.steps, pc: a.pc, registers: fast.registers() }, source).toEqual({ reason: b.reason, steps: b.steps, pc: b.pc, registers: stepped.registers() });
}

/** Random words, and often the edges (and the test's immediates, so that compares meet equal operands). */
const word = fc.oneof(fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }), fc.constantFrom(0, 1, -1, 0xff, 0x3fc, 0x7fff_ffff, -0x8000_0000, -0x0100_0000));
const state = fc.tuple(fc.array(word, { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 15 }));

describe('arm32 inline ops', () => {
  it('every specialised data-processing form agrees with its handler', () => {
    const all = forms();
    fc.assert(
      fc.property(state, ([registers, flags]) => {
        for (const form of all) agree(`${form}\nwfi`, registers, flags, 10);
      }),
      { numRuns: 40 },
    );
  });

  it('B and BL agree under every condition, and a block of inline ops stops exactly at the budget', () => {
    fc.assert(
      fc.property(state, fc.integer({ min: 1, max: 40 }), ([registers, flags], budget) => {
        for (const cond of CONDITIONS) {
          agree(`add r0, r0, #1\ncmp r0, r3\nb${cond} there\nmov r1, #7\nthere: bl${cond} next\nnext: eor r2, r2, r0\nsubs r3, r3, #1\nbne next\nwfi`, registers, flags, budget);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('HVC and ERET round trips agree with the handlers, and HVC in usr is still UNDEFINED', () => {
    const source = `
        ldr     r0, vaddr
        mcr     p15, #4, r0, c12, c0, #0
        ldr     r0, mode
        msr     spsr_fsxc, r0
        ldr     r0, laddr
        msr     elr_hyp, r0
        eret
loop:   hvc     #0
        hvc     #1
        subs    r1, r1, #1
        bne     loop
        wfi
        .align  5
vectors:
        b       vectors
        b       vectors
        b       vectors
        b       vectors
        b       vectors
        eret
        b       vectors
        b       vectors
vaddr:  .word   vectors
laddr:  .word   loop
mode:   .word   MODE
`;
    for (const mode of [0x1d3, 0x1d0, 0x1df]) {
      for (const budget of [1, 7, 8, 9, 10, 23, 100]) {
        const run = (traced: boolean): unknown => {
          const machine = createArm32Machine({ engine: 'interp' });
          load(machine, source.replace('MODE', `0x${mode.toString(16)}`), CODE);
          machine.setMode('hyp');
          machine.pc = CODE;
          machine.setRegister('r1', 5n);
          if (traced) machine.trace = { emit: () => undefined };
          const result = machine.run(budget);
          return { result, registers: machine.registers(), mode: machine.mode() };
        };
        expect(run(false), `mode 0x${mode.toString(16)}, budget ${budget}`).toEqual(run(true));
      }
    }
  });
});
