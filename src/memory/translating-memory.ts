/**
 * Guest memory as an instruction sees it while an MMU translates: a
 * {@link GuestMemory} whose every access is first translated a page
 * (4 KiB) at a time by the backend ({@link TranslatingMemory.translate}),
 * then made in guest-physical memory. Semantics written against
 * `GuestMemory` run unchanged on virtual (linear) addresses when the ops
 * predecoded under translation carry such a view as their memory.
 *
 * An access that crosses a page is made a byte at a time, each byte
 * translated (a translation is per page); a write checks every page
 * first and writes nothing if any byte would fault. A translation that
 * fails returns -1, and the backend keeps whatever its exception model
 * needs to report the fault; an address that translates but finds no RAM
 * is reported through {@link TranslatingMemory.missing}.
 *
 * @module
 */

import { GuestMemory, PAGE_SIZE } from './guest-memory.ts';

/** The kinds of access a translation is asked for. */
export const TranslationAccess = {
  /** A data read. */
  read: 0,
  /** A data write. */
  write: 1,
  /** An instruction fetch. */
  fetch: 2,
} as const;

/** A translating view of guest-physical memory (see the module comment). */
export abstract class TranslatingMemory extends GuestMemory {
  /** @param physical guest-physical memory. */
  constructor(readonly physical: GuestMemory) {
    super(physical.endian);
  }

  /**
   * The physical address of virtual `address` for an access of `kind`
   * ({@link TranslationAccess}), or -1 when the translation faults.
   */
  protected abstract translate(address: number, kind: number): number;

  /** An access to `address` translated but found no RAM (default: nothing to record). */
  protected missing(address: number): void {
    void address;
  }

  /** Whether `size` bytes from `address` stay in one page (a virtual address may be negative, the signed representation of its 64-bit value: the offset in its page is its low bits). */
  private static inPage(address: number, size: number): boolean {
    return (address & (PAGE_SIZE - 1)) <= PAGE_SIZE - size;
  }

  private absent<T>(address: number): T | undefined {
    this.missing(address);
    return undefined;
  }

  private failed(address: number): false {
    this.missing(address);
    return false;
  }

  /** True when a read of the byte at `address` translates and lands in RAM. */
  override isMapped(address: number): boolean {
    const pa = this.translate(address, TranslationAccess.read);
    return pa >= 0 && this.physical.isMapped(pa);
  }

  /** True when a write of the byte at `address` translates (write permission included) and lands in RAM. */
  override isWritable(address: number): boolean {
    const pa = this.translate(address, TranslationAccess.write);
    return pa >= 0 && this.physical.isWritable(pa);
  }

  override read8(address: number): number | undefined {
    const pa = this.translate(address, TranslationAccess.read);
    if (pa < 0) return undefined;
    return this.physical.read8(pa) ?? this.absent(address);
  }

  override read16(address: number): number | undefined {
    if (!TranslatingMemory.inPage(address, 2)) return this.readBytewise(address, 2);
    const pa = this.translate(address, TranslationAccess.read);
    if (pa < 0) return undefined;
    return this.physical.read16(pa) ?? this.absent(address);
  }

  override read32(address: number): number | undefined {
    if (!TranslatingMemory.inPage(address, 4)) return this.readBytewise(address, 4);
    const pa = this.translate(address, TranslationAccess.read);
    if (pa < 0) return undefined;
    return this.physical.read32(pa) ?? this.absent(address);
  }

  override read64(address: number): bigint | undefined {
    const a = this.read32(address);
    const b = a === undefined ? undefined : this.read32(address + 4);
    if (a === undefined || b === undefined) return undefined;
    return this.endian === 'little' ? (BigInt(b) << 32n) | BigInt(a) : (BigInt(a) << 32n) | BigInt(b);
  }

  override write8(address: number, value: number): boolean {
    const pa = this.translate(address, TranslationAccess.write);
    if (pa < 0) return false;
    return this.physical.write8(pa, value) || this.failed(address);
  }

  override write16(address: number, value: number): boolean {
    if (!TranslatingMemory.inPage(address, 2)) return this.writeBytewise(address, value, 2);
    const pa = this.translate(address, TranslationAccess.write);
    if (pa < 0) return false;
    return this.physical.write16(pa, value) || this.failed(address);
  }

  override write32(address: number, value: number): boolean {
    if (!TranslatingMemory.inPage(address, 4)) return this.writeBytewise(address, value, 4);
    const pa = this.translate(address, TranslationAccess.write);
    if (pa < 0) return false;
    return this.physical.write32(pa, value) || this.failed(address);
  }

  override write64(address: number, value: bigint): boolean {
    if (!this.writable(address, 8)) return false;
    const low = Number(value & 0xffff_ffffn);
    const high = Number((value >> 32n) & 0xffff_ffffn);
    const little = this.endian === 'little';
    return this.write32(address, little ? low : high) && this.write32(address + 4, little ? high : low);
  }

  /** One instruction byte, fetched through the translation (and its physical page marked as code). */
  override fetch8(address: number): number | undefined {
    const pa = this.translate(address, TranslationAccess.fetch);
    if (pa < 0) return undefined;
    return this.physical.fetch8(pa) ?? this.absent(address);
  }

  /** A 32-bit instruction word fetched through the translation (a word crossing a page is fetched a byte at a time). */
  override fetch32(address: number): number | undefined {
    if (!TranslatingMemory.inPage(address, 4)) {
      let value = 0;
      for (let i = 3; i >= 0; i--) {
        const byte = this.fetch8(address + (this.endian === 'little' ? i : 3 - i));
        if (byte === undefined) return undefined;
        value = value * 256 + byte;
      }
      return value;
    }
    const pa = this.translate(address, TranslationAccess.fetch);
    if (pa < 0) return undefined;
    return this.physical.fetch32(pa) ?? this.absent(address);
  }

  /**
   * Copy `length` bytes out, each translated as a read, from RAM only as
   * {@link GuestMemory.readBytes} does: a copy (a trace's code bytes, a
   * dump) never reaches a device, and a byte without RAM makes it
   * `undefined` without a fault being noted.
   */
  override readBytes(address: number, length: number): Uint8Array | undefined {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const pa = this.translate(address + i, TranslationAccess.read);
      const byte = pa < 0 ? undefined : this.physical.readBytes(pa, 1)?.[0];
      if (byte === undefined) return undefined;
      out[i] = byte;
    }
    return out;
  }

  override writeBytes(address: number, bytes: Uint8Array): boolean {
    if (!this.writable(address, bytes.length)) return false;
    for (let i = 0; i < bytes.length; i++) this.write8(address + i, bytes[i]!);
    return true;
  }

  /** Whether every byte of `length` from `address` translates for a write and lands in RAM (checked a page at a time). */
  private writable(address: number, length: number): boolean {
    for (let at = address; at < address + length; at = (Math.floor(at / PAGE_SIZE) + 1) * PAGE_SIZE) {
      const pa = this.translate(at, TranslationAccess.write);
      if (pa < 0) return false;
      const last = Math.min(address + length, (Math.floor(at / PAGE_SIZE) + 1) * PAGE_SIZE) - 1;
      if (!this.physical.isMapped(pa) || !this.physical.isMapped(pa + (last - at))) return this.failed(at);
    }
    return true;
  }

  private readBytewise(address: number, size: number): number | undefined {
    let value = 0;
    for (let i = size - 1; i >= 0; i--) {
      const byte = this.read8(address + (this.endian === 'little' ? i : size - 1 - i));
      if (byte === undefined) return undefined;
      value = value * 256 + byte;
    }
    return value;
  }

  private writeBytewise(address: number, value: number, size: number): boolean {
    if (!this.writable(address, size)) return false;
    for (let i = 0; i < size; i++) {
      const shift = this.endian === 'little' ? 8 * i : 8 * (size - 1 - i);
      this.write8(address + i, Math.floor(value / 2 ** shift) & 0xff);
    }
    return true;
  }
}
