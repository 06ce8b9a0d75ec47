/**
 * The ppc64 core around the instructions: its own copy of the hot loop
 * (`runLoop`) agrees with the interpreter's observed loop, snapshot and
 * restore, breakpoints, firmware overlays, and the register view.
 */

import { describe, expect, it } from 'vitest';
import { PPC64_BACKEND } from '../../../arch/ppc64/backend.ts';
import { assembleOrFail, loadProgram } from '../../../src/cli/run-program.ts';
import { TraceRecorder } from '../../../src/interp/trace.ts';
import { Ppc64Core, Ppc64Memory, ppc64InstructionSet, predecodePpc64 } from '../../../arch/ppc64/core.ts';
import { createPpc64State, writeMsr, type Ppc64State } from '../../../arch/ppc64/registers.ts';
import type { CoreMachine } from '../../../src/interp/machine.ts';
import { CODE, load, newMachine } from './machine-harness.ts';

function benchMachine(metric: string) {
  const bench = PPC64_BACKEND.benchmarks.find((b) => b.metric === metric)!;
  const program = assembleOrFail(PPC64_BACKEND, bench.source, metric, PPC64_BACKEND.loadAddress);
  return loadProgram(PPC64_BACKEND, program, bench.mode);
}

describe('the ppc64 hot loop', () => {
  for (const metric of ['alu-ips', 'trap-rtps']) {
    it(`runs the ${metric} benchmark to the same state with and without a trace`, () => {
      const fast = benchMachine(metric);
      const observed = benchMachine(metric);
      observed.trace = new TraceRecorder();
      const a = fast.run(5000);
      const b = observed.run(5000);
      expect(a).toEqual(b);
      expect(fast.registers()).toEqual(observed.registers());
    });
  }

  it('restores a snapshot and runs the same again', () => {
    const machine = benchMachine('trap-rtps');
    const start = machine.snapshot();
    machine.run(3000);
    const first = machine.registers();
    machine.restore(start);
    machine.run(3000);
    expect(machine.registers()).toEqual(first);
  });

  it('keeps its translated code across a restore that keeps the byte order', () => {
    const bench = PPC64_BACKEND.benchmarks.find((b) => b.metric === 'trap-rtps')!;
    const machine = loadProgram(PPC64_BACKEND, assembleOrFail(PPC64_BACKEND, bench.source, 'trap-rtps', PPC64_BACKEND.loadAddress), bench.mode, undefined, 'jit') as CoreMachine<Ppc64State>;
    const start = machine.snapshot();
    machine.run(3000);
    const first = machine.registers();
    const jit = (machine.core as Ppc64Core).jit!;
    const translated = jit.stats.translated;
    machine.restore(start);
    machine.run(3000);
    expect(machine.registers()).toEqual(first);
    // Only what covers 0xC00 (the program stores an rfid there; the restore puts the old word back, a reported code write: the block there and the trace through it) is translated again, not everything.
    expect(translated).toBeGreaterThan(6);
    expect(jit.stats.translated - translated).toBeLessThanOrEqual(3);
  });

  it('stops at a breakpoint and resumes from it', () => {
    const machine = newMachine();
    load(machine, 'li 3, 1\nli 3, 2\nli 3, 3\nwait', CODE);
    machine.pc = CODE;
    machine.breakpoints.add(CODE + 8);
    expect(machine.run(100)).toMatchObject({ reason: 'breakpoint', pc: CODE + 8, steps: 2 });
    expect(machine.register('r3')).toBe(2n);
    expect(machine.run(100).reason).toBe('wfi');
    expect(machine.register('r3')).toBe(3n);
  });

  it('runs a firmware overlay at the system-call vector, in the fast loop, and returns through the exception model', () => {
    const machine = newMachine();
    load(machine, 'li 3, 7\nsc\nwait', CODE);
    machine.setMode('supervisor');
    machine.pc = CODE;
    let calls = 0;
    machine.addOverlay(0xc00, () => {
      calls += 1;
      machine.setRegister('r3', machine.register('r3') * 6n);
      return { kind: 'return', instruction: 'rfid', address: 0xc00, target: undefined };
    });
    expect(machine.run(100).reason).toBe('wfi');
    expect(calls).toBe(1);
    expect(machine.register('r3')).toBe(42n);
    expect(machine.mode()).toBe('supervisor');
    machine.removeOverlay(0xc00);
  });
});

describe('traps are values built at predecode', () => {
  it('sc, rfid, mfmsr and an unknown SPR return the same trap object every time they trap (no allocation)', () => {
    const memory = new Ppc64Memory('big');
    memory.map(CODE, 0x1000);
    const state = createPpc64State(true);
    writeMsr(state, 0x8000_0000 | 0, 0xd032); // problem state
    for (const text of ['sc', 'sc 1', 'rfid', 'hrfid', 'mfmsr 3', 'mtmsrd 3', 'mfspr 3, 1013', 'mtsrr0 3', 'trap']) {
      memory.writeBytes(CODE, ppc64InstructionSet('big').assembleOne(text, { address: CODE, final: true, resolve: () => undefined }));
      const op = predecodePpc64(memory, state, CODE);
      const first = op.exec(state, op);
      expect(first.kind, text).not.toBe('retired');
      expect(op.exec(state, op), text).toBe(first);
    }
  });
});

describe('the ppc64 register view', () => {
  it('reads and writes 64-bit registers; sp is r1; the PC is kept word-aligned', () => {
    const machine = newMachine();
    machine.setRegister('r5', 0xdead_beef_0123_4567n);
    machine.setRegister('sp', 0x1234n);
    machine.setRegister('pc', 0x1003n);
    machine.setRegister('lr', -1n);
    expect(machine.register('r5')).toBe(0xdead_beef_0123_4567n);
    expect(machine.register('r1')).toBe(0x1234n);
    expect(machine.pc).toBe(0x1000);
    expect(machine.register('lr')).toBe(0xffff_ffff_ffff_ffffn);
    expect(machine.register('pvr')).toBe(0x004e_1202n);
    expect(() => machine.register('r32')).toThrow("unknown register 'r32'");
    expect(() => machine.setRegister('hsrr2', 0n)).toThrow("unknown register 'hsrr2'");
  });

  it('has the modes hv, supervisor and problem; hv is the default', () => {
    expect(PPC64_BACKEND.defaultMode).toBe('hv');
    const machine = newMachine('little');
    expect(machine.modes).toEqual(['hv', 'supervisor', 'problem']);
    expect(machine.mode()).toBe('hv');
    expect(machine.register('msr')).toBe(0x9000_0000_0000_1003n);
    machine.setMode('problem');
    expect(machine.register('msr')).toBe(0x8000_0000_0000_d033n);
    expect(() => machine.setMode('user')).toThrow("unknown mode 'user' (one of hv, supervisor, problem)");
  });
});
