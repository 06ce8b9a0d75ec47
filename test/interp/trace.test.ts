/**
 * The trace recorder's compact records: a recorder and a plain sink (which
 * gets every step as an event object, built as it runs) see the same lines;
 * a limited recorder is a ring that keeps the newest events; an overlay's
 * bytes are read each time it runs; a recorder records only once attached.
 */

import { describe, expect, it } from 'vitest';
import { RETIRED } from '../../src/interp/step-result.ts';
import { formatTraceEvent, TraceRecorder, type TraceEvent, type TraceSink } from '../../src/interp/trace.ts';
import { CODE, HVBAR, load, setupMachine, type Arm32Machine } from '../arch/arm32/machine-harness.ts';

/** A sink that is not a recorder: the interpreter builds every step event as it runs. */
class PlainSink implements TraceSink {
  readonly events: TraceEvent[] = [];
  emit(event: TraceEvent): void {
    this.events.push(event);
  }
}

const PROGRAM = [
  'mov r3, #3',
  'again: add r4, r4, r3',
  'subs r3, r3, #1',
  'bne again',
  'str r4, [r2]', // r2 unmapped: a data abort, handled by subs pc, lr, #4
  'hvc #7',
  'b 0x700000', // a fetch from unmapped memory: a prefetch abort at VBAR + 0x0c
].join('\n');

function machine(engine?: 'interp' | 'jit'): Arm32Machine {
  const m = setupMachine(engine === undefined ? {} : { engine });
  load(m, PROGRAM, CODE);
  load(m, 'wfi\nwfi\nwfi\nwfi\nsubs pc, lr, #4', 0x1000);
  load(m, 'wfi\nwfi\nwfi\nwfi\nwfi\neret', HVBAR);
  m.setRegister('r2', 0x0090_0000n);
  m.pc = CODE;
  return m;
}

describe('TraceRecorder', () => {
  it('gives the lines a plain sink gets, exceptions, returns and a fetch fault included', () => {
    const a = machine();
    const plain = new PlainSink();
    a.trace = plain;
    const ra = a.run(60);
    const b = machine();
    const recorder = new TraceRecorder();
    b.trace = recorder;
    const rb = b.run(60);
    expect(rb).toEqual(ra);
    const lines = plain.events.map(formatTraceEvent);
    expect(recorder.lines()).toEqual(lines);
    expect(recorder.events).toEqual(plain.events);
    expect(lines.some((l) => l.includes('??'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('-- exception'))).toHaveLength(3);
    expect(recorder.recorded).toBe(lines.length);
    expect(recorder.dropped).toBe(0);
  });

  it('with a limit keeps the newest events, oldest first, and counts the dropped ones', () => {
    const full = new TraceRecorder();
    const a = machine();
    a.trace = full;
    a.run(60);
    const all = full.lines();
    for (const limit of [1, 3, 8, 16, all.length, all.length + 5]) {
      const ring = new TraceRecorder({ limit });
      const b = machine();
      b.trace = ring;
      b.run(60);
      const capacity = 2 ** Math.ceil(Math.log2(limit));
      const kept = Math.min(all.length, capacity);
      expect(ring.lines(), `limit ${limit}`).toEqual(all.slice(all.length - kept));
      expect(ring.dropped).toBe(all.length - kept);
      expect(ring.recorded).toBe(all.length);
    }
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => new TraceRecorder({ limit: 0 })).toThrow(RangeError);
    expect(() => new TraceRecorder({ limit: 2.5 })).toThrow(RangeError);
  });

  it("reads an overlay's bytes each time it runs (its page is never marked as code)", () => {
    const m = setupMachine();
    m.memory.map(0x40000, 0x1000);
    // A32 `b #imm` is PC-relative (PC = this instruction + 8), as llvm-mc reads it.
    load(m, `b #${0x40000 - CODE - 8}`, CODE);
    m.addOverlay(0x40000, () => {
      m.pc = CODE;
      return RETIRED;
    });
    const recorder = new TraceRecorder();
    m.trace = recorder;
    m.pc = CODE;
    m.run(2);
    m.memory.write32(0x40000, 0xe1a00000);
    m.run(2);
    const steps = recorder.lines().filter((l) => l.startsWith('0x00040000'));
    expect(steps).toEqual(['0x00040000 svc  00 00 00 00  andeq r0, r0, r0', '0x00040000 svc  00 00 a0 e1  andeq r0, r0, r0']);
    const plain = new PlainSink();
    const again = setupMachine();
    again.memory.map(0x40000, 0x1000);
    again.memory.write32(0x40000, 0xe1a00000);
    again.addOverlay(0x40000, () => RETIRED);
    again.trace = plain;
    again.pc = 0x40000;
    again.run(1);
    expect(formatTraceEvent(plain.events[0]!)).toBe(steps[1]);
  });

  it('records steps only as a machine sink, and takes plain events at any time', () => {
    const recorder = new TraceRecorder();
    const m = machine();
    const op = m.interpreter.opAt(CODE);
    expect(() => recorder.step(op, 0x13)).toThrow(/attach/);
    recorder.emit({ kind: 'note', address: 4, message: 'hello' });
    expect(recorder.lines()).toEqual(['-- note 0x00000004: hello']);
  });

  it('a self-modified instruction is traced with its bytes as they were when it ran', () => {
    const m = setupMachine();
    // The first pass runs `patch` as `mov r0, #1`, then stores `mov r0, #7` (e3a00007) over it and runs it again.
    load(m, ['mov r2, #0', 'patch: mov r0, #1', 'cmp r2, #0', 'bne done', 'mov r2, #1', 'ldr r1, word', 'str r1, patch', 'b patch', 'done: wfi', 'word: .word 0xe3a00007'].join('\n'), CODE);
    const recorder = new TraceRecorder();
    m.trace = recorder;
    m.pc = CODE;
    expect(m.run(100).reason).toBe('wfi');
    expect(m.register('r0')).toBe(7n);
    expect(recorder.lines().filter((l) => l.startsWith('0x00008004'))).toEqual(['0x00008004 svc  01 00 a0 e3  mov r0, #1', '0x00008004 svc  07 00 a0 e3  mov r0, #7']);
  });

  // The interpreter's block loop records the steps of a block at once (TraceRecorder.stepBlock / stepRecords): the same
  // lines as one by one, across a ring's end at every limit, and with bytes as they ran for self-modified code.
  it('the interpreter engine records blocks as a plain sink sees their steps, in a ring of any limit', () => {
    const a = machine('interp');
    const plain = new PlainSink();
    a.trace = plain;
    const ra = a.run(60);
    const all = plain.events.map(formatTraceEvent);
    for (const limit of [undefined, 1, 3, 5, 8, 16, all.length + 5]) {
      const b = machine('interp');
      const recorder = new TraceRecorder(limit === undefined ? {} : { limit });
      b.trace = recorder;
      expect(b.run(60)).toEqual(ra);
      const kept = limit === undefined ? all.length : Math.min(all.length, 2 ** Math.ceil(Math.log2(limit)));
      expect(recorder.lines(), `limit ${limit}`).toEqual(all.slice(all.length - kept));
      expect(recorder.recorded).toBe(all.length);
    }
    // Runs of every length end at every point inside a block, and each run goes on recording into the same ring.
    const split = (sink: TraceSink): void => {
      const c = machine('interp');
      c.trace = sink;
      let steps = 0;
      for (let n = 1; steps < ra.steps; n++) steps += c.run(Math.min((n % 4) + 1, ra.steps - steps)).steps;
    };
    const plainSplit = new PlainSink();
    split(plainSplit);
    const ring = new TraceRecorder({ limit: 8 });
    split(ring);
    expect(plainSplit.events.length).toBeGreaterThan(all.length);
    expect(ring.lines()).toEqual(plainSplit.events.map(formatTraceEvent).slice(-8));
  });

  it('the interpreter engine traces a self-modified instruction with its bytes as they were when it ran', () => {
    const m = setupMachine({ engine: 'interp' });
    load(m, ['mov r2, #0', 'patch: mov r0, #1', 'cmp r2, #0', 'bne done', 'mov r2, #1', 'ldr r1, word', 'str r1, patch', 'b patch', 'done: wfi', 'word: .word 0xe3a00007'].join('\n'), CODE);
    const recorder = new TraceRecorder();
    m.trace = recorder;
    m.pc = CODE;
    expect(m.run(100).reason).toBe('wfi');
    expect(recorder.lines().filter((l) => l.startsWith('0x00008004'))).toEqual(['0x00008004 svc  01 00 a0 e3  mov r0, #1', '0x00008004 svc  07 00 a0 e3  mov r0, #7']);
  });
});
