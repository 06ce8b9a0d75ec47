/**
 * Plain CPU state: deep-copy snapshots, in-place restore, the hex helpers,
 * and whole-machine snapshot/restore on the arm32 backend, including the
 * predecode cache staying coherent with self-modifying code.
 */

import { describe, expect, it } from 'vitest';
import { hex32, hex64, hexBytes, restoreState, snapshotState } from '../../src/cpu/plain-state.ts';
import { CODE, DATA, load, setupMachine } from '../arch/arm32/machine-harness.ts';

describe('snapshotState and restoreState', () => {
  function sample(): { pc: number; big: bigint; name: string; on: boolean; r: Uint32Array; wide: BigUint64Array; nested: { a: number; bank: Uint32Array } } {
    return { pc: 0x8000, big: 5n, name: 'svc', on: true, r: new Uint32Array([1, 2, 3]), wide: new BigUint64Array([7n]), nested: { a: 1, bank: new Uint32Array([9, 9]) } };
  }

  it('a snapshot is a deep copy', () => {
    const state = sample();
    const snap = snapshotState(state);
    state.pc = 0;
    state.r[0] = 100;
    state.wide[0] = 0n;
    state.nested.a = 2;
    state.nested.bank[1] = 0;
    expect(snap.pc).toBe(0x8000);
    expect([...snap.r]).toEqual([1, 2, 3]);
    expect(snap.wide[0]).toBe(7n);
    expect(snap.nested.a).toBe(1);
    expect([...snap.nested.bank]).toEqual([9, 9]);
    expect(snap.r).not.toBe(state.r);
  });

  it('restore writes back in place, keeping the typed arrays and nested objects', () => {
    const state = sample();
    const { r, nested, wide } = state;
    const bank = nested.bank;
    const snap = snapshotState(state);
    state.pc = 1;
    state.big = 0n;
    state.name = 'hyp';
    state.on = false;
    r.fill(0);
    wide[0] = 1n;
    nested.a = 50;
    bank.fill(0);
    restoreState(state, snap);
    expect(state).toEqual(sample());
    expect(state.r).toBe(r);
    expect(state.wide).toBe(wide);
    expect(state.nested).toBe(nested);
    expect(state.nested.bank).toBe(bank);
    // The snapshot is not aliased by the restore.
    state.r[0] = 42;
    expect(snap.r[0]).toBe(1);
  });
});

describe('hex helpers', () => {
  it('hex32, hex64 and hexBytes', () => {
    expect(hex32(0)).toBe('0x00000000');
    expect(hex32(-1)).toBe('0xffffffff');
    expect(hex32(0x8000_0000)).toBe('0x80000000');
    expect(hex64(0x1234n)).toBe('0x0000000000001234');
    expect(hex64(-1n)).toBe('0xffffffffffffffff');
    expect(hexBytes(new Uint8Array([0x70, 0x00, 0x40, 0xe1]))).toBe('70 00 40 e1');
    expect(hexBytes([])).toBe('');
  });
});

describe('machine snapshot and restore (arm32)', () => {
  const LOOP = [
    'mov r0, #0',
    'mov r1, #0',
    'loop: add r0, r0, #1',
    'add r1, r1, r0',
    'str r1, [r2], #4',
    'cmp r0, #50',
    'bne loop',
    'hvc #7',
    'wfi',
  ].join('\n');

  function machine(): ReturnType<typeof setupMachine> {
    const m = setupMachine();
    load(m, LOOP, CODE);
    m.setRegister('r2', BigInt(DATA));
    m.setRegister('sp_hyp', 0x1234n);
    m.pc = CODE;
    return m;
  }

  it('run, snapshot, run more, restore: registers and memory are as at the snapshot, and the rerun matches', () => {
    const m = machine();
    expect(m.run(40).reason).toBe('budget-exhausted');
    const registersAtSnapshot = m.registers();
    const memoryAtSnapshot = m.memory.readBytes(DATA, 0x100);
    const snap = m.snapshot();

    const first = m.run(1000);
    expect(first.reason).toBe('wfi');
    // The run went through the HVC into Hyp (the vector's wfi stopped it).
    expect(m.mode()).toBe('hyp');
    const registersAfter = m.registers();
    const memoryAfter = m.memory.readBytes(DATA, 0x100);
    expect(registersAfter).not.toEqual(registersAtSnapshot);

    m.restore(snap);
    expect(m.registers()).toEqual(registersAtSnapshot);
    expect(m.mode()).toBe('svc');
    expect(m.memory.readBytes(DATA, 0x100)).toEqual(memoryAtSnapshot);

    const second = m.run(1000);
    expect(second).toEqual(first);
    expect(m.registers()).toEqual(registersAfter);
    expect(m.memory.readBytes(DATA, 0x100)).toEqual(memoryAfter);
    expect(Number(m.register('r1'))).toBe((50 * 51) / 2);
  });

  it('a snapshot survives later runs unchanged and restores twice', () => {
    const m = machine();
    m.run(10);
    const snap = m.snapshot();
    const expected = m.registers();
    m.run(1000);
    m.restore(snap);
    m.run(1000);
    m.restore(snap);
    expect(m.registers()).toEqual(expected);
  });

  it('restore puts back banked registers, cp15 and the mode', () => {
    const m = machine();
    m.setRegister('spsr_abt', 0x1d7n);
    m.setRegister('vttbr', 0x1_0000_0002n);
    const snap = m.snapshot();
    const expected = m.registers();
    m.setMode('fiq');
    m.setRegister('r8', 0x88n);
    m.setRegister('spsr_abt', 0n);
    m.setRegister('vttbr', 0n);
    m.setRegister('hcr', 0xffn);
    m.restore(snap);
    expect(m.registers()).toEqual(expected);
    expect(m.register('vttbr')).toBe(0x1_0000_0002n);
  });
});

describe('predecode cache coherence', () => {
  it('a store that rewrites a later instruction takes effect', () => {
    const m = setupMachine();
    // The instruction at CODE + 8 is rewritten before it runs for the first time.
    load(
      m,
      [
        'ldr r1, [pc, #8]', // CODE + 0: the word at CODE + 16
        'str r1, [pc, #-4]', // CODE + 4: store to CODE + 8
        'mov r0, #1', // CODE + 8: becomes `mov r0, #2`
        'wfi',
        'mov r0, #2', // CODE + 16, used as data
      ].join('\n'),
      CODE,
    );
    m.pc = CODE;
    expect(m.run(100).reason).toBe('wfi');
    expect(Number(m.register('r0'))).toBe(2);
  });

  it('a store that rewrites an instruction already executed (and cached) takes effect on the next pass', () => {
    const m = setupMachine();
    load(
      m,
      [
        'mov r4, #0',
        'again: add r4, r4, #1',
        'target: mov r0, #1', // rewritten to `mov r0, #2` after the first pass
        'add r5, r5, r0',
        'cmp r4, #2',
        'beq done',
        'ldr r1, [pc, #4]', // CODE + 24: the replacement word at CODE + 36
        'str r1, [r6]',
        'b again',
        '.word 0xe3a00002', // mov r0, #2
        'done: wfi',
      ].join('\n'),
      CODE,
    );
    m.setRegister('r6', BigInt(CODE + 8));
    m.setRegister('r5', 0n);
    m.pc = CODE;
    const result = m.run(100);
    expect(result.reason).toBe('wfi');
    // First pass adds 1, second pass adds the rewritten 2.
    expect(Number(m.register('r0'))).toBe(2);
    expect(Number(m.register('r5'))).toBe(3);
  });

  it('a host write (memory.load) over cached code takes effect too', () => {
    const m = setupMachine();
    load(m, 'mov r0, #1\nwfi', CODE);
    m.pc = CODE;
    m.run(10);
    expect(Number(m.register('r0'))).toBe(1);
    load(m, 'mov r0, #3\nwfi', CODE);
    m.pc = CODE;
    m.run(10);
    expect(Number(m.register('r0'))).toBe(3);
  });

  it('restoring memory after self-modifying code brings the original instructions back into effect', () => {
    const m = setupMachine();
    load(m, ['target: mov r0, #1', 'ldr r1, [pc, #4]', 'str r1, [r6]', 'wfi', '.word 0xe3a00007'].join('\n'), CODE);
    m.setRegister('r6', BigInt(CODE));
    m.pc = CODE;
    const snap = m.snapshot();
    expect(m.run(10).reason).toBe('wfi');
    expect(Number(m.register('r0'))).toBe(1);
    expect(m.memory.read32(CODE)).toBe(0xe3a0_0007);
    // Run again from the top: the patched instruction runs.
    m.pc = CODE;
    m.run(10);
    expect(Number(m.register('r0'))).toBe(7);
    m.restore(snap);
    expect(m.memory.read32(CODE)).not.toBe(0xe3a0_0007);
    m.run(10);
    expect(Number(m.register('r0'))).toBe(1);
  });

  it('mapping code where a fetch faulted before makes it run (fetch faults are not cached)', () => {
    const m = setupMachine();
    m.pc = 0x40000;
    const first = m.run(1);
    expect(first.steps).toBe(1);
    expect(m.mode()).toBe('abt');
    load(m, 'mov r0, #9\nwfi', 0x40000);
    m.setMode('svc');
    m.pc = 0x40000;
    expect(m.run(10).reason).toBe('wfi');
    expect(Number(m.register('r0'))).toBe(9);
  });
});
