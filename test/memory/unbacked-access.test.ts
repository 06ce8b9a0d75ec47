/**
 * The unbacked-access hook of guest memory (`GuestMemory.setUnbackedHandler`):
 * what RAM cannot serve goes to the handler, which answers or declines
 * (then the access faults, as without a handler); RAM accesses never reach
 * it; page-table walks, fetches and trace reads never do either. And on a
 * running arm32 machine: a load and a store outside RAM are answered by
 * the handler with the MMU off and through a stage-1 translation, and a
 * declined one is the architecture's abort.
 */

import { describe, expect, it } from 'vitest';
import { GuestMemory, type UnbackedAccessHandler } from '../../src/memory/guest-memory.ts';
import { TranslatingMemory, TranslationAccess } from '../../src/memory/translating-memory.ts';
import { runProgram, type Arm32Machine } from '../arch/arm32/machine-harness.ts';

const DEVICE = 0x0900_0000;

/** A handler that logs every access and answers reads inside `[base, base + 0x1000)` with 0x1000 + offset. */
function device(log: string[], base = DEVICE): UnbackedAccessHandler {
  return {
    read(address, size) {
      log.push(`read ${size} @0x${address.toString(16)}`);
      return address >= base && address < base + 0x1000 ? 0x1000 + (address - base) : undefined;
    },
    write(address, size, value) {
      log.push(`write ${size} @0x${address.toString(16)} = 0x${value.toString(16)}`);
      return address >= base && address < base + 0x1000;
    },
  };
}

/** A translating view that maps virtual page V to physical page V + 0x0900_0000 - 0x1_0000 (the device's), and every other page to itself. */
class ShiftedView extends TranslatingMemory {
  readonly kinds: number[] = [];
  protected translate(address: number, kind: number): number {
    this.kinds.push(kind);
    return address >= 0x1_0000 && address < 0x1_1000 ? address - 0x1_0000 + DEVICE : address;
  }
}

describe('GuestMemory unbacked-access hook', () => {
  it('through a translating view: loads reach the device, a copy of the bytes (a trace, a dump) does not', () => {
    const physical = new GuestMemory('little');
    physical.map(0, 0x1000);
    physical.write32(0x20, 0x04030201);
    const log: string[] = [];
    physical.setUnbackedHandler(device(log));
    const view = new ShiftedView(physical);
    expect(view.read32(0x1_0008)).toBe(0x1008);
    expect(log).toEqual(['read 4 @0x9000008']);
    expect(view.readBytes(0x1_0008, 4)).toBeUndefined();
    expect(Array.from(view.readBytes(0x20, 4)!)).toEqual([1, 2, 3, 4]);
    expect(log).toEqual(['read 4 @0x9000008']);
    expect(view.kinds.every((k) => k === TranslationAccess.read)).toBe(true);
  });

  it('answers reads and writes outside RAM, in one call per access, and leaves RAM alone', () => {
    const memory = new GuestMemory('little');
    memory.map(0, 0x1000);
    const log: string[] = [];
    memory.setUnbackedHandler(device(log));
    memory.write32(0x10, 0xabcd);
    expect(memory.read32(0x10)).toBe(0xabcd);
    expect(log).toEqual([]);
    expect(memory.read32(DEVICE + 4)).toBe(0x1004);
    expect(memory.read16(DEVICE + 2)).toBe(0x1002);
    expect(memory.read8(DEVICE + 1)).toBe(0x1001);
    expect(memory.read32(DEVICE + 3)).toBe(0x1003);
    expect(memory.write32(DEVICE + 8, 0x1234_5678)).toBe(true);
    expect(memory.write16(DEVICE + 8, 0xffff_1234)).toBe(true);
    expect(memory.write8(DEVICE + 8, 0x1ff)).toBe(true);
    expect(log).toEqual([
      `read 4 @0x${(DEVICE + 4).toString(16)}`,
      `read 2 @0x${(DEVICE + 2).toString(16)}`,
      `read 1 @0x${(DEVICE + 1).toString(16)}`,
      `read 4 @0x${(DEVICE + 3).toString(16)}`,
      `write 4 @0x${(DEVICE + 8).toString(16)} = 0x12345678`,
      `write 2 @0x${(DEVICE + 8).toString(16)} = 0x1234`,
      `write 1 @0x${(DEVICE + 8).toString(16)} = 0xff`,
    ]);
  });

  it('faults what the handler declines, and everything without a handler', () => {
    const memory = new GuestMemory('little');
    const log: string[] = [];
    expect(memory.read32(0x5000)).toBeUndefined();
    memory.setUnbackedHandler(device(log));
    expect(memory.read32(0x5000)).toBeUndefined();
    expect(memory.write32(0x5000, 1)).toBe(false);
    expect(log).toHaveLength(2);
    memory.setUnbackedHandler(undefined);
    expect(memory.read32(DEVICE)).toBeUndefined();
  });

  it('is never asked by fetches, readBytes (loaders, traces) or isMapped', () => {
    const memory = new GuestMemory('little');
    const log: string[] = [];
    memory.setUnbackedHandler(device(log));
    expect(memory.fetch32(DEVICE)).toBeUndefined();
    expect(memory.fetch8(DEVICE)).toBeUndefined();
    expect(memory.readBytes(DEVICE, 4)).toBeUndefined();
    expect(memory.isMapped(DEVICE)).toBe(false);
    expect(log).toEqual([]);
  });
});

describe('an arm32 machine with a device behind the hook', () => {
  const attach = (log: string[], base = DEVICE) => (machine: Arm32Machine): void => machine.memory.setUnbackedHandler(device(log, base));

  it('with the MMU off: ldr and str to the device are answered, no abort', () => {
    let log: string[] = [];
    const ran = runProgram('ldr r1, [r0, #4]\nstr r1, [r0, #8]\nwfi', { registers: { r0: DEVICE }, setup: (m) => attach((log = []))(m) });
    expect(ran.machine.mode()).toBe('svc');
    expect(ran.r('r1')).toBe(0x1004);
    expect(log).toEqual([`read 4 @0x${(DEVICE + 4).toString(16)}`, `write 4 @0x${(DEVICE + 8).toString(16)} = 0x1004`]);
  });

  it('through a stage-1 section at a different VA', () => {
    let log: string[] = [];
    const setup = (machine: Arm32Machine): void => {
      log = [];
      attach(log)(machine);
      const L1 = 0x4000;
      machine.memory.map(L1, 0x4000);
      machine.memory.write32(L1, (3 << 10) | 2);
      // VA 0xf0000000 → the device's MiB, full access, XN.
      machine.memory.write32(L1 + 0xf00 * 4, (DEVICE | (3 << 10) | 0x10 | 2) >>> 0);
      machine.setRegister('ttbr0', BigInt(L1));
      machine.setRegister('dacr', 1n);
      machine.setRegister('sctlr', BigInt(Number(machine.register('sctlr')) | 1));
    };
    const ran = runProgram('ldr r1, [r0, #4]\nwfi', { registers: { r0: 0xf000_0000 }, setup });
    expect(ran.r('r1')).toBe(0x1004);
    expect(log).toEqual([`read 4 @0x${(DEVICE + 4).toString(16)}`]);
  });

  it('a declined access is a data abort (a synchronous external abort, DFSR 0x008)', () => {
    const ran = runProgram('ldr r1, [r0]\nwfi', { registers: { r0: DEVICE + 0x2000 }, setup: attach([]) });
    expect(ran.machine.mode()).toBe('abt');
    expect(ran.r('dfsr')).toBe(0x008);
    expect(ran.r('dfar')).toBe(DEVICE + 0x2000);
  });
});
