import { describe, expect, it } from 'vitest';
import { formatMmioAccess, layeredMemory, MmioBus, MmioBusError, type MmioAccess } from '../../src/devices/mmio-bus.ts';
import { Pl011Uart } from '../../src/devices/pl011-uart.ts';
import { TestRegisterFile } from '../../src/devices/test-register-file.ts';

describe('MmioBus', () => {
  it('routes an access to the device whose window holds it, reports it, and answers nothing elsewhere', () => {
    const bus = new MmioBus();
    const registers = new TestRegisterFile({ registers: [{ name: 'DATA', offset: 0x4, value: 0x1234n }] });
    bus.map('uart0', 0x0900_0000n, new Pl011Uart()).map('test0', 0x0a00_0000n, registers);
    const seen: MmioAccess[] = [];
    bus.onAccess = (access) => seen.push(access);
    expect(bus.read(0x0a00_0004n, 4)).toBe(0x1234n);
    expect(bus.write(0x0a00_0004n, 2, 0x1_beefn)).toBe(true);
    expect(registers.value('DATA')).toBe(0xbeefn);
    expect(bus.read(0x0b00_0000n, 4)).toBeUndefined();
    expect(bus.write(0x08ff_fffcn, 4, 1n)).toBe(false);
    // An access that runs past the end of a window is not the device's.
    expect(bus.read(0x0a00_0ffen, 4)).toBeUndefined();
    expect(seen.map(formatMmioAccess)).toEqual(['mmio read 4 bytes 0x00001234 at IPA 0x0a000004 (test0 DATA)', 'mmio write 2 bytes 0xbeef at IPA 0x0a000004 (test0 DATA)']);
  });

  it('refuses overlapping windows and reused names, naming both', () => {
    const bus = new MmioBus().map('uart0', 0x0900_0000n, new Pl011Uart());
    expect(() => bus.map('uart1', 0x0900_0800n, new Pl011Uart())).toThrow(new MmioBusError('uart1 at 0x09000800-0x090017ff overlaps uart0 at 0x09000000-0x09000fff'));
    expect(() => bus.map('uart0', 0x0a00_0000n, new Pl011Uart())).toThrow('a device is already mapped as uart0');
    expect(() => bus.map('uart2', 0x0900_1000n, new Pl011Uart())).not.toThrow();
  });

  it('says loudly when a device answered with an unimplemented register', () => {
    const bus = new MmioBus().map('test0', 0x1000n, new TestRegisterFile({ registers: [], unmapped: 0xdead_beefn }));
    const seen: string[] = [];
    bus.onAccess = (access) => seen.push(formatMmioAccess(access));
    expect(bus.read(0x1010n, 4)).toBe(0xdead_beefn);
    expect(bus.read(0x1010n, 1)).toBe(0xefn);
    expect(seen).toEqual(['mmio read 4 bytes 0xdeadbeef at IPA 0x00001010 (test0 +0x10, not implemented by the model)', 'mmio read 1 byte 0xef at IPA 0x00001010 (test0 +0x10, not implemented by the model)']);
  });

  it('layers a bus in front of other memory: devices first, then the rest', () => {
    const bus = new MmioBus().map('test0', 0x1000n, new TestRegisterFile({ registers: [{ name: 'ID', offset: 0, value: 7n }] }));
    const ram = new Map<bigint, bigint>([[0x2000n, 9n]]);
    const memory = layeredMemory(bus, { read: (a) => ram.get(a), write: (a, _s, v) => (ram.has(a) ? (ram.set(a, v), true) : false) });
    expect(memory.read(0x1000n, 4)).toBe(7n);
    expect(memory.read(0x2000n, 4)).toBe(9n);
    expect(memory.write(0x2000n, 4, 5n)).toBe(true);
    expect(ram.get(0x2000n)).toBe(5n);
    expect(memory.read(0x3000n, 4)).toBeUndefined();
    expect(memory.write(0x3000n, 4, 1n)).toBe(false);
  });
});

describe('unbackedHandler', () => {
  it('lets a machine without a hypervisor reach the devices: the guest memory asks the bus only where RAM is not', async () => {
    const { GuestMemory } = await import('../../src/memory/guest-memory.ts');
    const { unbackedHandler } = await import('../../src/devices/mmio-bus.ts');
    const uart = new Pl011Uart();
    const bus = new MmioBus().map('uart0', 0x0900_0000n, uart);
    const memory = new GuestMemory('little');
    memory.map(0x1000, 0x1000);
    memory.setUnbackedHandler(unbackedHandler(bus));
    expect(memory.write32(0x0900_0000, 0x41)).toBe(true);
    expect(memory.write8(0x0900_0000, 0x42)).toBe(true);
    expect(memory.read32(0x0900_0018)).toBe(0x90);
    expect(uart.output).toBe('AB');
    expect(memory.read32(0x0a00_0000)).toBeUndefined();
    expect(memory.write32(0x1000, 7)).toBe(true);
    expect(memory.read32(0x1000)).toBe(7);
  });
});
