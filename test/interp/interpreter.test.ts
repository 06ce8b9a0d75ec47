/**
 * The shared step loop: step budgets, breakpoints, trace determinism and the
 * predecode cache. Runs on arm32 and on a toy byte-stream core (variable
 * length instructions, alignment 1) that exercises the architecture-neutral
 * parts on their own.
 */

import { describe, expect, it } from 'vitest';
import { DecodedOp } from '../../src/interp/decoded-op.ts';
import { Interpreter, type ExecutionCore } from '../../src/interp/interpreter.ts';
import { RETIRED, stop, type Stop, type Trap } from '../../src/interp/step-result.ts';
import { formatTraceEvent, TraceRecorder, type TraceSink } from '../../src/interp/trace.ts';
import { GuestMemory } from '../../src/memory/guest-memory.ts';
import { CODE, HVBAR, load, setupMachine } from '../arch/arm32/machine-harness.ts';

describe('step budget', () => {
  for (const traced of [false, true]) {
    it(`a spinning 'b .' ends budget-exhausted with steps == budget (${traced ? 'traced' : 'untraced'})`, () => {
      const m = setupMachine();
      load(m, 'spin: b spin', CODE);
      if (traced) m.trace = new TraceRecorder();
      for (const budget of [1, 7, 1000]) {
        m.pc = CODE;
        const result = m.run(budget);
        expect(result.reason).toBe('budget-exhausted');
        expect(result.steps).toBe(budget);
        expect(result.pc).toBe(CODE);
        expect(result.detail).toContain(String(budget));
      }
      expect(m.interpreter.totalSteps).toBe(1 + 7 + 1000);
    });
  }

  it('a budget of zero executes nothing', () => {
    const m = setupMachine();
    load(m, 'mov r0, #1\nwfi', CODE);
    m.pc = CODE;
    const result = m.run(0);
    expect(result).toMatchObject({ reason: 'budget-exhausted', steps: 0, pc: CODE });
    expect(m.register('r0')).toBe(0n);
  });

  it('the budget counts the instruction that stops the run, and a trap counts once', () => {
    const m = setupMachine();
    load(m, 'mov r0, #1\nhvc #0\nwfi', CODE);
    m.pc = CODE;
    const result = m.run(100);
    // mov, hvc (trap delivered), the wfi at HVBAR + 0x14.
    expect(result).toMatchObject({ reason: 'wfi', steps: 3, pc: HVBAR + 0x18 });
  });
});

describe('breakpoints', () => {
  const PROGRAM = 'mov r0, #1\nmov r1, #2\nmov r2, #3\nwfi';

  for (const traced of [false, true]) {
    it(`stop before executing, and resuming steps over (${traced ? 'traced' : 'untraced'})`, () => {
      const m = setupMachine();
      load(m, PROGRAM, CODE);
      if (traced) m.trace = new TraceRecorder();
      m.breakpoints.add(CODE + 8);
      m.pc = CODE;
      const hit = m.run(100);
      expect(hit).toMatchObject({ reason: 'breakpoint', pc: CODE + 8, steps: 2 });
      expect(m.register('r1')).toBe(2n);
      expect(m.register('r2')).toBe(0n);
      const resumed = m.run(100);
      expect(resumed).toMatchObject({ reason: 'wfi', steps: 2, pc: CODE + 16 });
      expect(m.register('r2')).toBe(3n);
    });
  }

  it('a breakpoint at the starting PC does not stop the run', () => {
    const m = setupMachine();
    load(m, PROGRAM, CODE);
    m.breakpoints.add(CODE);
    m.pc = CODE;
    expect(m.run(100).reason).toBe('wfi');
  });

  it('a breakpoint in a loop stops on every pass', () => {
    const m = setupMachine();
    load(m, 'mov r0, #0\nloop: add r0, r0, #1\ncmp r0, #3\nbne loop\nwfi', CODE);
    m.breakpoints.add(CODE + 4);
    m.pc = CODE;
    const counts: bigint[] = [];
    for (;;) {
      const result = m.run(100);
      if (result.reason !== 'breakpoint') {
        expect(result.reason).toBe('wfi');
        break;
      }
      counts.push(m.register('r0'));
    }
    expect(counts).toEqual([0n, 1n, 2n]);
  });

  it('a breakpoint on an exception vector stops there, in the handler mode', () => {
    const m = setupMachine();
    load(m, 'hvc #0\nwfi', CODE);
    m.breakpoints.add(HVBAR + 0x14);
    m.pc = CODE;
    expect(m.run(100)).toMatchObject({ reason: 'breakpoint', pc: HVBAR + 0x14, steps: 1 });
    expect(m.mode()).toBe('hyp');
  });

  it('removing a breakpoint lets the run through', () => {
    const m = setupMachine();
    load(m, PROGRAM, CODE);
    m.breakpoints.add(CODE + 8);
    m.breakpoints.delete(CODE + 8);
    m.pc = CODE;
    expect(m.run(100).reason).toBe('wfi');
  });
});

describe('traces', () => {
  const PROGRAM = [
    'mov r0, #5',
    'loop: subs r0, r0, #1',
    'bne loop',
    'ldr r1, [r2]', // r2 unmapped: a data abort, handled by subs pc, lr, #4
    'hvc #0x42',
    'wfi',
  ].join('\n');

  function traced(): string[] {
    const m = setupMachine();
    load(m, PROGRAM, CODE);
    load(m, 'wfi\nwfi\nwfi\nwfi\nsubs pc, lr, #4', 0x1000);
    m.setRegister('r2', 0x0090_0000n);
    m.pc = CODE;
    const recorder = new TraceRecorder();
    m.trace = recorder;
    m.run(100);
    expect(recorder.lines()).toEqual(recorder.events.map(formatTraceEvent));
    return recorder.lines();
  }

  it('the same program twice gives identical lines', () => {
    const first = traced();
    const second = traced();
    expect(second).toEqual(first);
    expect(first.length).toBeGreaterThan(15);
  });

  it('one line per event, in a stable format', () => {
    const lines = traced();
    expect(lines[0]).toBe('0x00008000 svc  05 00 a0 e3  mov r0, #5');
    expect(lines.filter((l) => l.startsWith('-- exception'))).toEqual([
      '-- exception data-abort: read from unmapped 0x00900000 at 0x0000800c; svc -> abt, vector 0x00001010, return 0x00008014',
      '-- exception hyp-trap: hvc #66 from svc; svc -> hyp, vector 0x00002014, return 0x00008014, syndrome 0x4a000042',
    ]);
    expect(lines.filter((l) => l.startsWith('-- return'))).toEqual(['-- return subs pc: abt -> svc at 0x00008010']);
    expect(lines.at(-1)).toMatch(/^-- stop wfi at 0x00002018: /);
    expect(lines.filter((l) => l.startsWith('-- stop'))).toHaveLength(1);
    for (const line of lines) expect(line).not.toContain('\n');
  });

  it('a fetch from unmapped memory is traced with ?? bytes', () => {
    const m = setupMachine();
    m.pc = 0x0070_0000;
    const recorder = new TraceRecorder();
    m.trace = recorder;
    m.run(1);
    expect(recorder.lines()[0]).toBe('0x00700000 svc  ??           <unmapped>');
  });

  it('a restored machine retraces the same lines', () => {
    const m = setupMachine();
    load(m, PROGRAM, CODE);
    load(m, 'wfi\nwfi\nwfi\nwfi\nsubs pc, lr, #4', 0x1000);
    m.setRegister('r2', 0x0090_0000n);
    m.pc = CODE;
    const snap = m.snapshot();
    const a = new TraceRecorder();
    m.trace = a;
    m.run(100);
    m.restore(snap);
    const b = new TraceRecorder();
    m.trace = b;
    m.run(100);
    expect(b.lines()).toEqual(a.lines());
  });
});

// ---------------------------------------------------------------------------
// A toy core: a byte-stream ISA with 1- and 2-byte instructions.
//   01       inc      acc += 1
//   02 nn    add nn   acc += nn
//   03       halt     stop (reason wfi)
//   04 nn    call nn  trap (call, imm nn); the "exception model" adds 1000 and continues
//   05 nn    jmp nn   pc = nn
// anything else is undefined: a trap the model turns into a stop.

interface ToyState {
  pc: number;
  acc: number;
}

class ToyCore implements ExecutionCore<ToyState> {
  readonly state: ToyState = { pc: 0, acc: 0 };
  readonly memory = new GuestMemory('little');
  readonly alignShift = 0;
  readonly maxInstructionBytes = 2;
  decodes = 0;

  decode(address: number): DecodedOp<ToyState> {
    this.decodes++;
    const first = this.memory.fetchBytes(address, 1);
    if (first === undefined) {
      const op = new DecodedOp<ToyState>('fault', address, 1, 0, (_s, o) => o.fixed!, this.memory);
      op.fixed = { kind: 'trap', cause: 'fetch-fault', address, next: address + 1 };
      op.cacheable = false;
      return op;
    }
    const opcode = first[0]!;
    const size = opcode === 2 || opcode === 4 || opcode === 5 ? 2 : 1;
    const bytes = size === 2 ? this.memory.fetchBytes(address, 2) : first;
    const operand = bytes?.[1] ?? 0;
    switch (opcode) {
      case 1:
        return new DecodedOp<ToyState>('inc', address, 1, opcode, (s) => ((s.acc += 1), RETIRED), this.memory);
      case 2: {
        const op = new DecodedOp<ToyState>('add', address, 2, opcode | (operand << 8), (s, o) => ((s.acc += o.imm), RETIRED), this.memory);
        op.imm = operand;
        return op;
      }
      case 3:
        return new DecodedOp<ToyState>('halt', address, 1, opcode, () => stop('wfi', 'halt'), this.memory);
      case 4: {
        const op = new DecodedOp<ToyState>('call', address, 2, opcode, (_s, o) => o.fixed!, this.memory);
        op.fixed = { kind: 'trap', cause: 'call', conduit: 'toy', imm: operand, address, next: address + 2 };
        return op;
      }
      case 5: {
        const op = new DecodedOp<ToyState>('jmp', address, 2, opcode, (s, o) => ((s.pc = o.imm), RETIRED), this.memory);
        op.imm = operand;
        return op;
      }
      default: {
        const op = new DecodedOp<ToyState>('undefined', address, 1, opcode, (_s, o) => o.fixed!, this.memory);
        op.fixed = { kind: 'trap', cause: 'undefined', address, next: address + 1, reason: 'unknown' };
        return op;
      }
    }
  }

  deliver(trap: Trap, trace: TraceSink | undefined): Stop | undefined {
    if (trap.cause !== 'call') return stop('unpredictable', trap.cause);
    this.state.acc += 1000 + trap.imm;
    trace?.emit({ kind: 'exception', exception: 'toy', cause: 'call', from: 'toy', to: 'toy', vector: trap.next, returnAddress: trap.next, syndrome: undefined });
    return undefined;
  }

  exceptionReturn(): Stop | undefined {
    return stop('unpredictable', 'no returns');
  }

  modeName(): string {
    return 'toy';
  }

  traceMode(): number {
    return 0;
  }

  traceModeName(): string {
    return 'toy';
  }

  describe(op: DecodedOp<ToyState>): string {
    return op.name;
  }
}

function toy(bytes: number[]): { core: ToyCore; interpreter: Interpreter<ToyState> } {
  const core = new ToyCore();
  core.memory.load(0, new Uint8Array(bytes));
  return { core, interpreter: new Interpreter(core) };
}

describe('the step loop on a toy byte-stream core', () => {
  it('runs variable-length instructions, delivers traps and stops', () => {
    const { core, interpreter } = toy([1, 2, 10, 4, 7, 1, 3]);
    const result = interpreter.run(100);
    expect(result).toEqual({ reason: 'wfi', detail: 'halt', pc: 7, steps: 5 });
    expect(core.state.acc).toBe(1 + 10 + 1007 + 1);
  });

  it('a trap whose delivery stops ends the run', () => {
    const { interpreter } = toy([1, 0xff, 1]);
    expect(interpreter.run(100)).toMatchObject({ reason: 'unpredictable', steps: 2 });
  });

  it('caches predecoded ops: a loop decodes each instruction once', () => {
    const { core, interpreter } = toy([1, 5, 0]);
    expect(interpreter.run(1000)).toMatchObject({ reason: 'budget-exhausted', steps: 1000 });
    expect(core.state.acc).toBe(500);
    expect(core.decodes).toBe(2);
  });

  it('a write to the second byte of a cached 2-byte instruction invalidates it', () => {
    const { core, interpreter } = toy([2, 1, 5, 0]);
    interpreter.run(4);
    expect(core.state.acc).toBe(2);
    core.memory.write8(1, 100);
    core.state.pc = 0;
    core.state.acc = 0;
    interpreter.run(4);
    expect(core.state.acc).toBe(200);
  });

  it('a write to the operand of a cached instruction in a running loop takes effect', () => {
    const { core, interpreter } = toy([1, 2, 3, 5, 1]);
    // inc at 0, add 3 at 1, jmp 1 at 3: five steps are inc, add, jmp, add, jmp.
    interpreter.run(5);
    expect(core.state.acc).toBe(1 + 3 + 3);
    core.memory.write8(2, 50); // the operand of the add at 1
    core.state.pc = 1;
    core.state.acc = 0;
    interpreter.run(2);
    expect(core.state.acc).toBe(50);
  });

  it('flush drops everything', () => {
    const { core, interpreter } = toy([1, 5, 0]);
    interpreter.run(10);
    const decodes = core.decodes;
    interpreter.flush();
    core.state.pc = 0;
    interpreter.run(10);
    expect(core.decodes).toBe(decodes + 2);
  });

  it('breakpoints and traces work on the toy core too', () => {
    const { core, interpreter } = toy([1, 1, 1, 3]);
    interpreter.breakpoints.add(2);
    const recorder = new TraceRecorder();
    interpreter.trace = recorder;
    expect(interpreter.run(100)).toMatchObject({ reason: 'breakpoint', pc: 2, steps: 2 });
    expect(interpreter.run(100)).toMatchObject({ reason: 'wfi', pc: 4, steps: 2 });
    expect(core.state.acc).toBe(3);
    expect(recorder.lines()).toEqual([
      '0x00000000 toy  01           inc',
      '0x00000001 toy  01           inc',
      '-- stop breakpoint at 0x00000002: breakpoint at 0x2',
      '0x00000002 toy  01           inc',
      '0x00000003 toy  03           halt',
      '-- stop wfi at 0x00000004: halt',
    ]);
  });
});
