/**
 * Sparse guest memory.
 *
 * Memory is a set of 4 KiB pages that exist only once mapped. Every access
 * either succeeds or comes back as a fault value (`undefined` for reads,
 * `false` for writes): an unmapped access is something the guest did, so it
 * is never a JavaScript exception. The caller (an instruction's semantics)
 * turns the fault value into the architecture's abort.
 *
 * @module
 */

/** Byte order of multi-byte guest accesses. */
export type Endian = 'little' | 'big';

/** log2 of the page size. */
export const PAGE_SHIFT = 12;
/** The page size in bytes (4 KiB). */
export const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SIZE - 1;

/** One mapped page: its bytes and whether decoded code was fetched from it. */
interface Page {
  readonly bytes: Uint8Array;
  /** Set once the interpreter fetched an instruction here; writes then notify. */
  code: boolean;
}

/** Called when a write lands on a page that holds decoded code. */
export type CodeWriteListener = (address: number, length: number) => void;

/** A copy of every mapped page, for {@link GuestMemory.restore}. */
export interface MemorySnapshot {
  /** Page number to a copy of its bytes. */
  readonly pages: ReadonlyMap<number, Uint8Array>;
}

/** One contiguous mapped range, as reported by {@link GuestMemory.regions}. */
export interface MemoryRegion {
  /** First mapped byte. */
  readonly base: number;
  /** Length in bytes (a multiple of the page size). */
  readonly size: number;
}

/**
 * Sparse, page-granular guest memory of one byte order.
 *
 * Addresses are non-negative integers below 2^53; 32-bit guests use the low
 * 4 GiB. Multi-byte accesses may cross a page boundary; they fault if any byte
 * is unmapped, and then nothing is written.
 */
export class GuestMemory {
  private readonly pages = new Map<number, Page>();
  private lastIndex = -1;
  private lastPage: Page | undefined;
  private readonly listeners: CodeWriteListener[] = [];

  /**
   * @param endian byte order of 16-, 32- and 64-bit accesses.
   */
  constructor(readonly endian: Endian = 'little') {}

  /** Map `[base, base + size)`, page-aligned outward and zero-filled. Mapping a mapped page keeps its bytes. */
  map(base: number, size: number): void {
    if (size <= 0) return;
    const first = Math.floor(base / PAGE_SIZE);
    const last = Math.floor((base + size - 1) / PAGE_SIZE);
    for (let index = first; index <= last; index++) {
      if (!this.pages.has(index)) this.pages.set(index, { bytes: new Uint8Array(PAGE_SIZE), code: false });
    }
    this.lastIndex = -1;
    this.lastPage = undefined;
  }

  /** Remove the pages covering `[base, base + size)`. */
  unmap(base: number, size: number): void {
    const first = Math.floor(base / PAGE_SIZE);
    const last = Math.floor((base + size - 1) / PAGE_SIZE);
    for (let index = first; index <= last; index++) {
      if (this.pages.get(index)?.code === true) this.notify(index * PAGE_SIZE, PAGE_SIZE);
      this.pages.delete(index);
    }
    this.lastIndex = -1;
    this.lastPage = undefined;
  }

  /** True when the byte at `address` is mapped. */
  isMapped(address: number): boolean {
    return this.page(address) !== undefined;
  }

  /** The mapped ranges, merged and sorted by address. */
  regions(): MemoryRegion[] {
    const indices = [...this.pages.keys()].sort((a, b) => a - b);
    const out: { base: number; size: number }[] = [];
    for (const index of indices) {
      const base = index * PAGE_SIZE;
      const previous = out[out.length - 1];
      if (previous !== undefined && previous.base + previous.size === base) previous.size += PAGE_SIZE;
      else out.push({ base, size: PAGE_SIZE });
    }
    return out;
  }

  /** Register a listener for writes to pages holding decoded code. */
  onCodeWrite(listener: CodeWriteListener): void {
    this.listeners.push(listener);
  }

  private page(address: number): Page | undefined {
    const index = address >= 0x1_0000_0000 ? Math.floor(address / PAGE_SIZE) : address >>> PAGE_SHIFT;
    if (index === this.lastIndex) return this.lastPage;
    const page = this.pages.get(index);
    if (page !== undefined) {
      this.lastIndex = index;
      this.lastPage = page;
    }
    return page;
  }

  private notify(address: number, length: number): void {
    for (const listener of this.listeners) listener(address, length);
  }

  /** Read one byte, or `undefined` when unmapped. */
  read8(address: number): number | undefined {
    const page = this.page(address);
    return page === undefined ? undefined : page.bytes[address & PAGE_MASK];
  }

  /** Read a 16-bit value in this memory's byte order, or `undefined` on a fault. */
  read16(address: number): number | undefined {
    const offset = address & PAGE_MASK;
    const page = this.page(address);
    if (page !== undefined && offset <= PAGE_SIZE - 2) {
      const b = page.bytes;
      return this.endian === 'little' ? b[offset]! | (b[offset + 1]! << 8) : (b[offset]! << 8) | b[offset + 1]!;
    }
    return this.readSlow(address, 2);
  }

  /** Read a 32-bit value (unsigned) in this memory's byte order, or `undefined` on a fault. */
  read32(address: number): number | undefined {
    const offset = address & PAGE_MASK;
    const page = this.page(address);
    if (page !== undefined && offset <= PAGE_SIZE - 4) {
      const b = page.bytes;
      return this.endian === 'little'
        ? (b[offset]! | (b[offset + 1]! << 8) | (b[offset + 2]! << 16) | (b[offset + 3]! << 24)) >>> 0
        : ((b[offset]! << 24) | (b[offset + 1]! << 16) | (b[offset + 2]! << 8) | b[offset + 3]!) >>> 0;
    }
    return this.readSlow(address, 4);
  }

  /** Read a 64-bit value in this memory's byte order, or `undefined` on a fault. */
  read64(address: number): bigint | undefined {
    const a = this.read32(address);
    const b = this.read32(address + 4);
    if (a === undefined || b === undefined) return undefined;
    return this.endian === 'little' ? (BigInt(b) << 32n) | BigInt(a) : (BigInt(a) << 32n) | BigInt(b);
  }

  /**
   * Read a 32-bit instruction word and mark its page as holding code, so that a
   * later write to it invalidates the predecode cache.
   */
  fetch32(address: number): number | undefined {
    const page = this.page(address);
    if (page !== undefined) page.code = true;
    return this.read32(address);
  }

  /** Read `length` bytes in memory order and mark their pages as code, or `undefined` on a fault. */
  fetchBytes(address: number, length: number): Uint8Array | undefined {
    const out = this.readBytes(address, length);
    if (out === undefined) return undefined;
    for (let a = address; a < address + length; a += PAGE_SIZE) {
      const page = this.page(a);
      if (page !== undefined) page.code = true;
    }
    const lastPage = this.page(address + length - 1);
    if (lastPage !== undefined) lastPage.code = true;
    return out;
  }

  private readSlow(address: number, length: number): number | undefined {
    let value = 0;
    for (let i = 0; i < length; i++) {
      const byte = this.read8(this.endian === 'little' ? address + length - 1 - i : address + i);
      if (byte === undefined) return undefined;
      value = value * 256 + byte;
    }
    return value;
  }

  /** Write one byte; `false` when unmapped. */
  write8(address: number, value: number): boolean {
    const page = this.page(address);
    if (page === undefined) return false;
    page.bytes[address & PAGE_MASK] = value;
    if (page.code) this.notify(address, 1);
    return true;
  }

  /** Write a 16-bit value in this memory's byte order; `false` on a fault (nothing written). */
  write16(address: number, value: number): boolean {
    const offset = address & PAGE_MASK;
    const page = this.page(address);
    if (page !== undefined && offset <= PAGE_SIZE - 2) {
      const b = page.bytes;
      if (this.endian === 'little') {
        b[offset] = value;
        b[offset + 1] = value >>> 8;
      } else {
        b[offset] = value >>> 8;
        b[offset + 1] = value;
      }
      if (page.code) this.notify(address, 2);
      return true;
    }
    return this.writeSlow(address, value, 2);
  }

  /** Write a 32-bit value in this memory's byte order; `false` on a fault (nothing written). */
  write32(address: number, value: number): boolean {
    const offset = address & PAGE_MASK;
    const page = this.page(address);
    if (page !== undefined && offset <= PAGE_SIZE - 4) {
      const b = page.bytes;
      if (this.endian === 'little') {
        b[offset] = value;
        b[offset + 1] = value >>> 8;
        b[offset + 2] = value >>> 16;
        b[offset + 3] = value >>> 24;
      } else {
        b[offset] = value >>> 24;
        b[offset + 1] = value >>> 16;
        b[offset + 2] = value >>> 8;
        b[offset + 3] = value;
      }
      if (page.code) this.notify(address, 4);
      return true;
    }
    return this.writeSlow(address, value, 4);
  }

  /** Write a 64-bit value in this memory's byte order; `false` on a fault (nothing written). */
  write64(address: number, value: bigint): boolean {
    if (!this.isMapped(address) || !this.isMapped(address + 7)) return false;
    const high = Number((value >> 32n) & 0xffff_ffffn);
    const low = Number(value & 0xffff_ffffn);
    return this.endian === 'little'
      ? this.write32(address, low) && this.write32(address + 4, high)
      : this.write32(address, high) && this.write32(address + 4, low);
  }

  private writeSlow(address: number, value: number, length: number): boolean {
    for (let i = 0; i < length; i++) if (!this.isMapped(address + i)) return false;
    for (let i = 0; i < length; i++) {
      const shift = this.endian === 'little' ? 8 * i : 8 * (length - 1 - i);
      this.write8(address + i, Math.floor(value / 2 ** shift) & 0xff);
    }
    return true;
  }

  /** Copy `length` bytes out in memory order, or `undefined` if any byte is unmapped. */
  readBytes(address: number, length: number): Uint8Array | undefined {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const byte = this.read8(address + i);
      if (byte === undefined) return undefined;
      out[i] = byte;
    }
    return out;
  }

  /** Copy bytes in at `address`; `false` (and nothing written) if any byte is unmapped. */
  writeBytes(address: number, bytes: Uint8Array): boolean {
    for (let i = 0; i < bytes.length; i++) if (!this.isMapped(address + i)) return false;
    let touchedCode = false;
    for (let i = 0; i < bytes.length; i++) {
      const page = this.page(address + i)!;
      page.bytes[(address + i) & PAGE_MASK] = bytes[i]!;
      touchedCode ||= page.code;
    }
    if (touchedCode) this.notify(address, bytes.length);
    return true;
  }

  /** Map what is needed and copy `bytes` in at `address`. */
  load(address: number, bytes: Uint8Array): void {
    this.map(address, bytes.length);
    this.writeBytes(address, bytes);
  }

  /** Copy every mapped page. */
  snapshot(): MemorySnapshot {
    const pages = new Map<number, Uint8Array>();
    for (const [index, page] of this.pages) pages.set(index, page.bytes.slice());
    return { pages };
  }

  /** Put memory back exactly as `snapshot` was taken; code listeners are told everything changed. */
  restore(snapshot: MemorySnapshot): void {
    this.pages.clear();
    for (const [index, bytes] of snapshot.pages) this.pages.set(index, { bytes: bytes.slice(), code: false });
    this.lastIndex = -1;
    this.lastPage = undefined;
    this.notify(0, Number.MAX_SAFE_INTEGER);
  }
}
