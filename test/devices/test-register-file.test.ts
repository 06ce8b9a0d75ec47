import { describe, expect, it } from 'vitest';
import { TestRegisterFile } from '../../src/devices/test-register-file.ts';

describe('TestRegisterFile', () => {
  it('answers scripted reads first, then the value; keeps writes except to read-only registers; logs everything', () => {
    const device = new TestRegisterFile({
      registers: [
        { name: 'STATUS', offset: 0, value: 1n, readOnly: true, reads: [0n, 0n] },
        { name: 'DATA', offset: 4 },
      ],
    });
    expect([device.read(0, 4), device.read(0, 4), device.read(0, 4)]).toEqual([0n, 0n, 1n]);
    device.write(0, 4, 5n);
    device.write(4, 4, 0x55n);
    expect(device.read(0, 4)).toBe(1n);
    expect(device.read(4, 4)).toBe(0x55n);
    expect(device.log).toEqual([
      { direction: 'read', offset: 0, size: 4, value: 0n },
      { direction: 'read', offset: 0, size: 4, value: 0n },
      { direction: 'read', offset: 0, size: 4, value: 1n },
      { direction: 'write', offset: 0, size: 4, value: 5n },
      { direction: 'write', offset: 4, size: 4, value: 0x55n },
      { direction: 'read', offset: 0, size: 4, value: 1n },
      { direction: 'read', offset: 4, size: 4, value: 0x55n },
    ]);
  });

  it('rejects registers outside the window or sharing an offset', () => {
    expect(() => new TestRegisterFile({ size: 0x10, registers: [{ name: 'X', offset: 0x10 }] })).toThrow('test register X at +0x10 is outside the 0x10-byte window');
    expect(() => new TestRegisterFile({ registers: [{ name: 'A', offset: 8 }, { name: 'B', offset: 8 }] })).toThrow('test registers A and B share offset +0x8');
    expect(() => new TestRegisterFile({ registers: [] }).value('NONE')).toThrow('no test register NONE');
  });
});
