/**
 * A64 address arithmetic and the exclusive monitor, as the differential
 * test against Unicorn found them wanting: addresses are base + offset
 * modulo 2^64 (a register offset or a negative immediate wraps a base near
 * 2^64 back into memory), write-back wraps the same way, and a store
 * exclusive of another size than its marking load fails.
 */

import { describe, expect, it } from 'vitest';
import { DATA, machineWith, runToWfi } from './machine-harness.ts';

describe('A64 address calculation wraps modulo 2^64', () => {
  it('register offset: [x29, x15, sxtx #1] with x29 near 2^64', () => {
    const machine = machineWith('ldrsh x8, [x29, x15, sxtx #1]\nwfi');
    machine.memory.write16(DATA + 0x2a, 0x8001);
    machine.setRegister('x29', 0xffff_ffff_0000_0000n + BigInt(DATA + 0x2a));
    machine.setRegister('x15', 0x8000_0000n);
    runToWfi(machine);
    expect(machine.register('x8')).toBe(0xffff_ffff_ffff_8001n);
  });

  it('immediate offset and pre-index write-back: [x1, #-8]! with x1 = 2^64 - 8 + DATA + 8', () => {
    const machine = machineWith('ldr x0, [x1, #8]!\nwfi');
    machine.memory.write32(DATA, 0x1234_5678);
    machine.setRegister('x1', BigInt.asUintN(64, BigInt(DATA) - 8n));
    runToWfi(machine);
    expect(machine.register('x0')).toBe(0x1234_5678n);
    expect(machine.register('x1')).toBe(BigInt(DATA));
  });

  it('post-index write-back wraps below zero', () => {
    const machine = machineWith('ldr x0, [x1], #-256\nwfi');
    machine.setRegister('x1', BigInt(DATA));
    runToWfi(machine);
    expect(machine.register('x1')).toBe(BigInt(DATA - 256));
    const wrap = machineWith('str x0, [x1], #-16\nwfi');
    wrap.setRegister('x1', BigInt(DATA));
    runToWfi(wrap);
    expect(wrap.register('x1')).toBe(BigInt(DATA - 16));
  });
});

describe('the exclusive monitor', () => {
  it('a store exclusive of the marked size succeeds; of another size it fails and stores nothing', () => {
    const machine = machineWith(`mov x11, #${DATA}\nldaxr w16, [x11]\nstxp w8, w12, w2, [x11]\nldxr w16, [x11]\nstxr w9, w12, [x11]\nwfi`);
    machine.memory.write32(DATA, 0xaaaa_aaaa);
    machine.memory.write32(DATA + 4, 0xbbbb_bbbb);
    machine.setRegister('x12', 0x1111n);
    machine.setRegister('x2', 0x2222n);
    runToWfi(machine);
    expect(machine.register('x8')).toBe(1n);
    expect(machine.register('x9')).toBe(0n);
    expect(machine.memory.read32(DATA)).toBe(0x1111);
    expect(machine.memory.read32(DATA + 4)).toBe(0xbbbb_bbbb);
  });
});
