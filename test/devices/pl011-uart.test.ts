import { describe, expect, it } from 'vitest';
import { PL011_FLAGS, PL011_REGISTERS, Pl011Uart } from '../../src/devices/pl011-uart.ts';

describe('Pl011Uart', () => {
  it('captures bytes written to UARTDR as output, in order, and hands each to the console', () => {
    const uart = new Pl011Uart();
    const console: number[] = [];
    uart.onTransmit = (byte) => console.push(byte);
    for (const c of 'ok\n') uart.write(PL011_REGISTERS.UARTDR, 4, BigInt(c.charCodeAt(0)) | 0x100n);
    expect(uart.output).toBe('ok\n');
    expect(console).toEqual([0x6f, 0x6b, 0x0a]);
  });

  it('flags: transmit FIFO always empty and never full; receive FIFO empty until bytes are queued, full at 16', () => {
    const uart = new Pl011Uart();
    expect(Number(uart.read(PL011_REGISTERS.UARTFR, 4))).toBe(PL011_FLAGS.TXFE | PL011_FLAGS.RXFE);
    uart.receive([0x41]);
    expect(Number(uart.read(PL011_REGISTERS.UARTFR, 4))).toBe(PL011_FLAGS.TXFE);
    expect(uart.read(PL011_REGISTERS.UARTDR, 4)).toBe(0x41n);
    expect(Number(uart.read(PL011_REGISTERS.UARTFR, 4)) & PL011_FLAGS.RXFE).toBe(PL011_FLAGS.RXFE);
    uart.receive(Array.from({ length: 16 }, (_, i) => i));
    expect(Number(uart.read(PL011_REGISTERS.UARTFR, 4)) & PL011_FLAGS.RXFF).toBe(PL011_FLAGS.RXFF);
    expect(Number(uart.read(PL011_REGISTERS.UARTFR, 4)) & PL011_FLAGS.TXFF).toBe(0);
  });

  it('holds control registers, keeps UARTFR and the ID registers read-only, and names reserved offsets as unimplemented', () => {
    const uart = new Pl011Uart();
    expect(uart.read(PL011_REGISTERS.UARTCR, 4)).toBe(0x300n);
    uart.write(PL011_REGISTERS.UARTCR, 4, 0x301n);
    uart.write(PL011_REGISTERS.UARTIBRD, 4, 13n);
    uart.write(PL011_REGISTERS.UARTFR, 4, 0n);
    uart.write(0xfe0, 4, 0n);
    expect(uart.read(PL011_REGISTERS.UARTCR, 4)).toBe(0x301n);
    expect(uart.read(PL011_REGISTERS.UARTIBRD, 4)).toBe(13n);
    expect(Number(uart.read(PL011_REGISTERS.UARTFR, 4)) & PL011_FLAGS.TXFE).toBe(PL011_FLAGS.TXFE);
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => Number(uart.read(o, 4)))).toEqual([0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
    expect(uart.describe(0x018)).toEqual({ register: 'UARTFR', unimplemented: false });
    expect(uart.describe(0xff0)).toEqual({ register: 'UARTPCellID0', unimplemented: false });
    expect(uart.describe(0x100)).toEqual({ register: '+0x100', unimplemented: true });
    expect(uart.read(0x100, 4)).toBe(0n);
  });
});
