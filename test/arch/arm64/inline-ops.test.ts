/**
 * The block loop's inline ops (`DecodedOp.fast`, chosen in arm64's
 * `fastKindOf`) mean exactly what their handlers do: every specialised
 * add/subtract, logical, move and branch form, 64- and 32-bit, run through
 * the block loop (no trace) and through `op.exec` one step at a time (a
 * plain trace sink takes the interpreter's observed loop), from the same
 * random registers and flags, end in the same state after the same number
 * of steps. A run traced into a recorder (the loop records a block at a
 * time) gives the same events as the plain sink's step by step; with
 * PSTATE.IL set no op is performed inline (each takes the Illegal Execution
 * state exception).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTraceEvent, TraceRecorder, type TraceEvent } from '../../../src/interp/trace.ts';
import { ARM64_INSTRUCTION_SET, createArm64Machine } from '../../../arch/arm64/core.ts';
import { assemble } from '../../../src/isa/assembler.ts';
import { CODE, machineWith, VBAR1, type Arm64Machine } from './machine-harness.ts';

const ADD_SUB = ['add', 'adds', 'sub', 'subs'];
const LOGICAL = ['and', 'orr', 'eor', 'ands'];
const CONDITIONS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];

/** One instruction of each inline form (and a few neighbours that are not inline: shifted, inverted, extended). */
function forms(): string[] {
  const out: string[] = [];
  for (const op of ADD_SUB) {
    for (const imm of ['#0', '#1', '#0xfff', '#1, lsl #12', '#0xfff, lsl #12']) out.push(`${op} x1, x2, ${imm}`, `${op} w1, w2, ${imm}`, `${op} x2, x2, ${imm}`);
    out.push(`${op} x1, x2, x3`, `${op} w1, w2, w3`, `${op} x2, x2, x2`, `${op} w3, w3, w2`, `${op} x1, x2, x3, lsl #3`, `${op} w1, w2, w3, asr #7`, `${op} x1, x2, w3, sxtw`);
  }
  out.push('add sp, x2, #16', 'add x1, sp, #8', 'sub sp, sp, #0x20', 'mov x4, sp', 'cmp x2, #5', 'cmn w2, #1', 'cmp x2, x3', 'cmn x2, x3', 'cmp w2, w3', 'neg x1, x3', 'negs w1, w3');
  for (const op of LOGICAL) {
    for (const imm of ['#0xff', '#0x1', '#0xffff0000ffff0000', '#0x5555555555555555', '#0x8000000000000000', '#0xfffffffffffffffe']) out.push(`${op} x1, x2, ${imm}`);
    for (const imm of ['#0xff', '#0x80000000', '#0xfffffffe', '#0x55555555']) out.push(`${op} w1, w2, ${imm}`);
    out.push(`${op} x1, x2, x3`, `${op} w1, w2, w3`, `${op} x2, x2, x2`, `${op} x1, x2, x3, ror #5`, `${op} w1, w2, w3, lsl #31`);
  }
  out.push('orr sp, x2, #0xff0', 'mov x1, x3', 'mov w1, w3', 'tst x2, #0x8000000000000000', 'tst w2, w3', 'tst x2, x3', 'bic x1, x2, x3', 'orn w1, w2, w3', 'eon x1, x2, x3', 'bics x1, x2, x3');
  for (const hw of [0, 16, 32, 48]) out.push(`movz x1, #0xabcd, lsl #${hw}`, `movn x1, #0x1234, lsl #${hw}`, `movk x2, #0xbeef, lsl #${hw}`);
  out.push('movz w1, #0xffff, lsl #16', 'movn w1, #0', 'movk w2, #0x8000, lsl #16', 'movk w2, #7', 'adr x1, .', 'adrp x1, .', 'adr x5, . + 0x40000');
  return out;
}

/** Assembled programs by source (each form runs from many states). */
const assembled = new Map<string, Uint8Array>();

/** A machine at EL1h running `source` on the interpreter, X0–X4 from `registers`, NZCV from `flags`. */
function machine(source: string, registers: readonly bigint[], flags: number): Arm64Machine {
  let bytes = assembled.get(source);
  if (bytes === undefined) {
    bytes = Uint8Array.from(assemble(ARM64_INSTRUCTION_SET, source, CODE).bytes);
    assembled.set(source, bytes);
  }
  const m = createArm64Machine({ engine: 'interp' });
  m.memory.map(CODE, 0x1_0000);
  m.memory.load(CODE, bytes);
  m.setMode('el1h');
  m.pc = CODE;
  registers.forEach((value, k) => m.setRegister(`x${k}`, value));
  m.setRegister('sp', 0x4_0800n);
  m.setRegister('nzcv', BigInt(flags << 28));
  return m;
}

/** Run `source` both ways; the state and step counts must agree. */
function agree(source: string, registers: readonly bigint[], flags: number, steps: number): void {
  const fast = machine(source, registers, flags);
  const stepped = machine(source, registers, flags);
  stepped.trace = { emit: () => undefined };
  const a = fast.run(steps);
  const b = stepped.run(steps);
  expect({ reason: a.reason, steps: a.steps, pc: a.pc, registers: fast.registers() }, source).toEqual({ reason: b.reason, steps: b.steps, pc: b.pc, registers: stepped.registers() });
}

/** Random 64-bit values, and often the edges of both widths. */
const EDGES = [0n, 1n, 0xffff_ffff_ffff_ffffn, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffffn, 0x8000_0000n, 0x7fff_ffffn, 0x1_0000_0000n, 0xfffn, 0xfff000n, 0xffff_ffff_ffff_f001n];
const value = fc.oneof(fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }), fc.constantFrom(...EDGES), fc.integer({ min: 0, max: 0x2000 }).map(BigInt));
const state = fc.tuple(fc.array(value, { minLength: 5, maxLength: 5 }), fc.integer({ min: 0, max: 15 }));

describe('arm64 inline ops', () => {
  it('every specialised data-processing and move form agrees with its handler', () => {
    const all = forms();
    fc.assert(
      fc.property(state, ([registers, flags]) => {
        for (const form of all) agree(`${form}\nwfi`, registers, flags, 10);
      }),
      { numRuns: 8 },
    );
  });

  it('B, BL, B.cond under every condition, CBZ/CBNZ and TBZ/TBNZ agree, and a block of inline ops stops exactly at the budget', () => {
    const branches = [
      ...CONDITIONS.map((cond) => `b.${cond} there`),
      'b there',
      'bl there',
      'cbz x3, there',
      'cbnz x3, there',
      'cbz w3, there',
      'cbnz w3, there',
      ...[0, 5, 31, 32, 47, 63].flatMap((bit) => [`tbz x3, #${bit}, there`, `tbnz x3, #${bit}, there`]),
    ];
    fc.assert(
      fc.property(state, fc.integer({ min: 1, max: 40 }), ([registers, flags], budget) => {
        for (const branch of branches) {
          agree(`add x0, x0, #1\nsubs x4, x4, x0\n${branch}\nmovz x1, #7\nthere: eor x2, x2, x0\nsubs x3, x3, #1\nb.ne there\nwfi`, registers, flags, budget);
        }
      }),
      { numRuns: 10 },
    );
  });

  it('a run traced into a recorder (a block at a time) gives the plain sink\'s events, across exceptions and SPSel changes', () => {
    const source = `
        movz    x1, #5
loop:   add     x0, x0, #1
        eor     x2, x2, x0
        msr     spsel, #0
        add     x5, x5, #2
        msr     spsel, #1
        svc     #3
        subs    x1, x1, #1
        b.ne    loop
        wfi`;
    const el1 = 'add x6, x6, #1\nmrs x7, elr_el1\nmsr elr_el1, x7\neret';
    for (const budget of [1, 2, 3, 5, 8, 13, 40, 200]) {
      const recorded = machineWith(source, 'el1h', { el1: `${'nop\n'.repeat(0x200 / 4)}${el1}` }, 'interp');
      const recorder = new TraceRecorder();
      recorded.trace = recorder;
      const a = recorded.run(budget);
      const stepped = machineWith(source, 'el1h', { el1: `${'nop\n'.repeat(0x200 / 4)}${el1}` }, 'interp');
      const events: TraceEvent[] = [];
      stepped.trace = { emit: (event) => events.push(event) };
      const b = stepped.run(budget);
      expect(a, `budget ${budget}`).toEqual(b);
      expect(recorder.lines(), `budget ${budget}`).toEqual(events.map(formatTraceEvent));
      expect(recorded.registers()).toEqual(stepped.registers());
    }
  });

  it('a loop on itself is recorded many turns at a time with the events of stepping it, into an unlimited recorder and a ring', () => {
    const source = `
        movz    x1, #300
loop:   add     x0, x0, #1
        eor     x2, x2, x0
        subs    x1, x1, #1
        b.ne    loop
        svc     #1
        wfi`;
    const el1 = 'add x6, x6, #1\neret';
    const vectors = { el1: `${'nop\n'.repeat(0x200 / 4)}${el1}` };
    for (const budget of [1, 3, 4, 5, 6, 129, 130, 131, 132, 513, 1000, 1201, 1202, 1203, 1210]) {
      const stepped = machineWith(source, 'el1h', vectors, 'interp');
      const events: TraceEvent[] = [];
      stepped.trace = { emit: (event) => events.push(event) };
      const b = stepped.run(budget);
      const lines = events.map(formatTraceEvent);
      for (const limit of [undefined, 8, 128]) {
        const recorded = machineWith(source, 'el1h', vectors, 'interp');
        const recorder = new TraceRecorder(limit === undefined ? {} : { limit });
        recorded.trace = recorder;
        const a = recorded.run(budget);
        expect(a, `budget ${budget}`).toEqual(b);
        expect(recorder.steps, `budget ${budget}`).toBe(b.steps);
        expect(recorder.lines(), `budget ${budget}, limit ${limit}`).toEqual(limit === undefined ? lines : lines.slice(-limit));
        expect(recorded.registers()).toEqual(stepped.registers());
      }
    }
  });

  it('with PSTATE.IL set an inline form takes the Illegal Execution state exception, as its handler does', () => {
    for (const form of ['add x0, x0, #1', 'eor x2, x2, x0', 'movz x1, #3', 'b .', 'cbz x0, .', 'subs x1, x1, #1']) {
      const run = (traced: boolean): unknown => {
        const m = machineWith(`${form}\nwfi`, 'el1h', {}, 'interp');
        m.setRegister('pstate', m.register('pstate') | (1n << 20n));
        if (traced) m.trace = { emit: () => undefined };
        const result = m.run(5);
        return { result, registers: m.registers() };
      };
      const fast = run(false) as { result: { reason: string; pc: number }; registers: Record<string, string> };
      expect(fast, form).toEqual(run(true));
      // EC 0x0e (Illegal Execution state) in ESR_EL1, taken to the current EL with SP_ELx: the vector's synchronous slot, a wfi (the stop's PC is after it).
      expect(fast.result.reason, form).toBe('wfi');
      expect(fast.result.pc, form).toBe(VBAR1 + 0x204);
      expect(BigInt(fast.registers.esr_el1!) >> 26n, form).toBe(0x0en);
      expect(BigInt(fast.registers.elr_el1!), form).toBe(BigInt(CODE));
    }
  });
});
