/**
 * A PL011-style UART, enough for a kernel's early console (earlycon
 * `pl011`, `earlyprintk`): bytes written to the data register are captured
 * as output; the flag register says the transmit FIFO is never full (the
 * model sends at once) and the receive FIFO holds what a test queued with
 * {@link Pl011Uart.receive}. The other control registers hold what the
 * guest writes; the identification registers read the values of an
 * ARM PL011 r1p4.
 *
 * Register offsets and flag bits: ARM PrimeCell UART (PL011) Technical
 * Reference Manual (DDI 0183), section 3.2 "Summary of registers" and
 * 3.3.3 "Flag Register, UARTFR"; the identification values as QEMU's
 * `hw/char/pl011.c` (`pl011_id_arm`) gives them.
 *
 * @module
 */

import type { MmioDevice, MmioRegisterName, MmioSize } from './mmio-bus.ts';

/** Register offsets (PL011 TRM 3.2). */
export const PL011_REGISTERS = {
  /** Data register: a write transmits its low byte, a read takes a received byte. */
  UARTDR: 0x000,
  /** Receive status / error clear. */
  UARTRSR: 0x004,
  /** Flag register (read-only). */
  UARTFR: 0x018,
  /** IrDA low-power counter. */
  UARTILPR: 0x020,
  /** Integer baud rate divisor. */
  UARTIBRD: 0x024,
  /** Fractional baud rate divisor. */
  UARTFBRD: 0x028,
  /** Line control. */
  UARTLCR_H: 0x02c,
  /** Control (reset 0x0300: TXE, RXE). */
  UARTCR: 0x030,
  /** Interrupt FIFO level select. */
  UARTIFLS: 0x034,
  /** Interrupt mask set/clear. */
  UARTIMSC: 0x038,
  /** Raw interrupt status. */
  UARTRIS: 0x03c,
  /** Masked interrupt status. */
  UARTMIS: 0x040,
  /** Interrupt clear. */
  UARTICR: 0x044,
  /** DMA control. */
  UARTDMACR: 0x048,
} as const;

/** UARTFR bits (PL011 TRM 3.3.3). */
export const PL011_FLAGS = {
  /** Transmit FIFO empty. */
  TXFE: 1 << 7,
  /** Receive FIFO full. */
  RXFF: 1 << 6,
  /** Transmit FIFO full. */
  TXFF: 1 << 5,
  /** Receive FIFO empty. */
  RXFE: 1 << 4,
  /** UART busy transmitting. */
  BUSY: 1 << 3,
} as const;

/** UARTPeriphID0–3 and UARTPCellID0–3 at 0xFE0–0xFFC (QEMU `pl011_id_arm`). */
const ID_BYTES = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;
const ID_BASE = 0xfe0;
const ID_NAMES = ['UARTPeriphID0', 'UARTPeriphID1', 'UARTPeriphID2', 'UARTPeriphID3', 'UARTPCellID0', 'UARTPCellID1', 'UARTPCellID2', 'UARTPCellID3'] as const;

/** The receive FIFO depth (PL011 TRM 2.4: 16 entries) for RXFF. */
const RX_DEPTH = 16;

/** UARTCR at reset: TXE and RXE set (PL011 TRM 3.3.8, reset value 0x0300). */
const CR_RESET = 0x0300;

const NAMES_BY_OFFSET: ReadonlyMap<number, string> = new Map(Object.entries(PL011_REGISTERS).map(([name, offset]) => [offset, name]));

/** The UART. */
export class Pl011Uart implements MmioDevice {
  /** Always `'pl011'`. */
  readonly kind = 'pl011';
  /** A 4 KiB window (the PrimeCell register block). */
  readonly size = 0x1000;
  /** Bytes the guest transmitted, in order. */
  readonly transmitted: number[] = [];
  /** Called with each byte transmitted (a console). */
  onTransmit: ((byte: number) => void) | undefined = undefined;
  private readonly received: number[] = [];
  /** Values of the plain control registers, by offset. */
  private readonly held = new Map<number, number>([[PL011_REGISTERS.UARTCR, CR_RESET]]);

  /** What was transmitted, as Latin-1 text (a console's view). */
  get output(): string {
    return String.fromCharCode(...this.transmitted);
  }

  /** Queue bytes for the guest to read from UARTDR. */
  receive(bytes: readonly number[]): void {
    for (const byte of bytes) this.received.push(byte & 0xff);
  }

  /** UARTFR now: the transmit side always empty, the receive side as queued. */
  flags(): number {
    let flags = PL011_FLAGS.TXFE;
    if (this.received.length === 0) flags |= PL011_FLAGS.RXFE;
    if (this.received.length >= RX_DEPTH) flags |= PL011_FLAGS.RXFF;
    return flags;
  }

  /** Answer a read. */
  read(offset: number, _size: MmioSize): bigint {
    if (offset === PL011_REGISTERS.UARTDR) return BigInt(this.received.shift() ?? 0);
    if (offset === PL011_REGISTERS.UARTFR) return BigInt(this.flags());
    if (offset >= ID_BASE && offset < ID_BASE + 4 * ID_BYTES.length && offset % 4 === 0) return BigInt(ID_BYTES[(offset - ID_BASE) / 4]!);
    return BigInt(this.held.get(offset) ?? 0);
  }

  /** Take a write: UARTDR transmits its low byte; UARTFR and the ID registers are read-only; others are held. */
  write(offset: number, _size: MmioSize, value: bigint): void {
    if (offset === PL011_REGISTERS.UARTDR) {
      const byte = Number(value & 0xffn);
      this.transmitted.push(byte);
      this.onTransmit?.(byte);
      return;
    }
    if (offset === PL011_REGISTERS.UARTFR || offset >= ID_BASE) return;
    this.held.set(offset, Number(BigInt.asUintN(32, value)));
  }

  /** The transmitted text as a JSON string (`transmitted "hi\\n"`), or `undefined` when nothing was sent. */
  report(): string | undefined {
    return this.transmitted.length === 0 ? undefined : `transmitted ${JSON.stringify(this.output)}`;
  }

  /** The register's TRM name; offsets the TRM leaves reserved are unimplemented (they read 0). */
  describe(offset: number): MmioRegisterName {
    const name = NAMES_BY_OFFSET.get(offset);
    if (name !== undefined) return { register: name, unimplemented: false };
    if (offset >= ID_BASE && offset < ID_BASE + 4 * ID_BYTES.length && offset % 4 === 0) return { register: ID_NAMES[(offset - ID_BASE) / 4]!, unimplemented: false };
    return { register: `+0x${offset.toString(16)}`, unimplemented: true };
  }
}
