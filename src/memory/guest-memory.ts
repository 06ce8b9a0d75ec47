/**
 * Sparse guest memory.
 *
 * Memory is a set of 4 KiB pages that exist only once mapped. Every access
 * either succeeds or comes back as a fault value (`undefined` for reads,
 * `false` for writes): an unmapped access is something the guest did, so it
 * is never a JavaScript exception. The caller (an instruction's semantics)
 * turns the fault value into the architecture's abort.
 *
 * Pages near the first one mapped live in one flat buffer, the
 * {@link FlatWindow}, so that a load or store there is a bounds check, a
 * page-flag test and one typed-array access (engines may use the window
 * directly); the rest live in a sparse map. Which storage a page uses is
 * invisible through the API.
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

/** One mapped page outside the flat window: its bytes and whether decoded code was fetched from it. */
interface Page {
  readonly bytes: Uint8Array;
  /** Set once the interpreter fetched an instruction here; writes then notify. */
  code: boolean;
}

/** {@link FlatWindow.pages} value: the page is mapped. */
export const PAGE_MAPPED = 1;
/** {@link FlatWindow.pages} bit: decoded code was fetched from the page, so writes to it notify the code-write listeners. */
export const PAGE_CODE = 2;

/** The span a flat window may grow to (64 MiB), and the alignment of its base. */
export const WINDOW_SPAN = 1 << 26;
const WINDOW_MIN = 1 << 16;

/** Whether this host stores typed-array words little-endian (then an aligned little-endian guest word is one `Int32Array` element). */
const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The flat part of guest memory: guest addresses `[base, base + size)` at
 * `bytes[address - base]`. A page there is mapped when its entry in `pages`
 * is non-zero, and holds decoded code when {@link PAGE_CODE} is set; a store
 * may go straight to the buffer only where the entry is exactly
 * {@link PAGE_MAPPED} (a code page must notify). `words` views the same
 * buffer as host-order int32 (`words[(address - base) >>> 2]`), valid for
 * aligned little-endian accesses when `littleWords` is true. The arrays are
 * replaced when the window grows: {@link GuestMemory.onLayoutChange} says
 * when.
 */
export interface FlatWindow {
  /** First guest address of the window (a multiple of {@link WINDOW_SPAN}); -1 before anything is mapped. */
  readonly base: number;
  /** Bytes the window covers (0 before anything is mapped). */
  readonly size: number;
  /** The window's bytes. */
  readonly bytes: Uint8Array;
  /** The same bytes as host-order int32. */
  readonly words: Int32Array;
  /** One entry per window page: 0 unmapped, else {@link PAGE_MAPPED} plus {@link PAGE_CODE} for code. */
  readonly pages: Uint8Array;
  /** True when `words` elements are this memory's 32-bit values (little-endian memory on a little-endian host). */
  readonly littleWords: boolean;
}

/**
 * The page number of an address (addresses go up to 2^53). A negative
 * address (the signed representation some backends keep for 64-bit
 * virtual addresses) has a negative page number, which no mapped page has:
 * physical memory never wraps it onto a page below 4 GiB.
 */
export function pageIndex(address: number): number {
  return address >= 0 && address < 0x1_0000_0000 ? address >>> PAGE_SHIFT : Math.floor(address / PAGE_SIZE);
}

/**
 * The pages of `[address, address + length)` that are keys of `known`
 * (pages something is cached for): counted up the range, or picked from
 * `known` when the range has more pages than it (a flush-sized range).
 */
export function knownPagesIn(address: number, length: number, known: ReadonlyMap<number, unknown>): number[] {
  const first = pageIndex(address);
  const last = pageIndex(address + length - 1);
  if (last - first > known.size) return [...known.keys()].filter((page) => page >= first && page <= last);
  const out: number[] = [];
  for (let page = first; page <= last; page++) if (known.has(page)) out.push(page);
  return out;
}

/**
 * Answers guest-physical accesses that fall outside RAM (an MMIO bus plugs
 * in here). Consulted only where RAM would have faulted, so RAM accesses
 * never see it; what it declines (`undefined` from `read`, `false` from
 * `write`) faults as before, and the machine turns the fault into its
 * architecture's abort. Page-table walks, instruction fetches, loaders and
 * trace reads never reach it: they read RAM only.
 */
export interface UnbackedAccessHandler {
  /** A read of `size` bytes (1, 2 or 4) at `address`: the value (unsigned, in the access's own byte order), or `undefined` to fault. */
  read(address: number, size: number): number | undefined;
  /** A write of `size` bytes (1, 2 or 4): true when taken, false to fault. */
  write(address: number, size: number, value: number): boolean;
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
 * 4 GiB. A negative address is never mapped (an access there faults). Multi-byte accesses may cross a page boundary; they fault if any byte
 * is unmapped, and then nothing is written.
 */
export class GuestMemory {
  /** Pages outside the window. */
  private readonly pages = new Map<number, Page>();
  private lastIndex = -1;
  private lastPage: Page | undefined;
  private readonly listeners: CodeWriteListener[] = [];
  private readonly layoutListeners: (() => void)[] = [];
  /** The flat window (see {@link FlatWindow}); its fields are replaced together when it grows. */
  private flatBase = -1;
  private flatSize = 0;
  private flatBytes = new Uint8Array(0);
  private flatWords = new Int32Array(0);
  private flatPages = new Uint8Array(0);
  private readonly little: boolean;
  /** Aligned 32-bit accesses in the window are one `Int32Array` element. */
  private readonly fastWords: boolean;
  /** What answers accesses outside RAM, if anything (see {@link UnbackedAccessHandler}). */
  private unbacked: UnbackedAccessHandler | undefined = undefined;

  /** Install (or, with `undefined`, remove) the handler of accesses outside RAM. */
  setUnbackedHandler(handler: UnbackedAccessHandler | undefined): void {
    this.unbacked = handler;
  }

  /** The handler installed by {@link GuestMemory.setUnbackedHandler}, if any. */
  unbackedHandler(): UnbackedAccessHandler | undefined {
    return this.unbacked;
  }

  /** A read RAM could not serve: the unbacked-access handler's answer, or `undefined` (a fault). */
  private missRead(address: number, size: number): number | undefined {
    return this.unbacked === undefined ? undefined : this.unbacked.read(address, size);
  }

  /** A write RAM could not take: the unbacked-access handler's answer, or false (a fault). */
  private missWrite(address: number, size: number, value: number): boolean {
    return this.unbacked !== undefined && this.unbacked.write(address, size, value >>> 0);
  }

  /**
   * @param endian byte order of 16-, 32- and 64-bit accesses.
   */
  constructor(readonly endian: Endian = 'little') {
    this.little = endian === 'little';
    this.fastWords = this.little && HOST_LITTLE;
  }

  /** The flat window as it is now (a new object each call; its arrays stay valid until the next layout change). */
  window(): FlatWindow {
    return { base: this.flatBase, size: this.flatSize, bytes: this.flatBytes, words: this.flatWords, pages: this.flatPages, littleWords: this.fastWords };
  }

  /** Register a listener called after the flat window's arrays are replaced (it grew). */
  onLayoutChange(listener: () => void): void {
    this.layoutListeners.push(listener);
  }

  /** Offset of `address` in the window, or -1 when the window does not cover it. */
  private offset(address: number): number {
    const offset = address - this.flatBase;
    return offset >= 0 && offset < this.flatSize ? offset : -1;
  }

  /** Make the window cover the page at `index`, if it can; returns whether it does. */
  private cover(index: number): boolean {
    const address = index * PAGE_SIZE;
    if (this.flatBase < 0) {
      if (address >= 0x1_0000_0000) return false;
      this.flatBase = address - (address % WINDOW_SPAN);
    }
    const offset = address - this.flatBase;
    if (offset < 0 || offset >= WINDOW_SPAN) return false;
    if (offset < this.flatSize) return true;
    let size = Math.max(WINDOW_MIN, this.flatSize);
    while (size <= offset) size *= 2;
    const bytes = new Uint8Array(size);
    // Only the mapped pages are copied, run by run: a new buffer is zero pages the OS has not committed yet, and copying
    // all of the old one (up to 32 MiB for a sparse layout such as code at 0x4008_0000 and data at 0x4200_0000) would
    // commit both, which cost a scenario's setup hundreds of milliseconds. An unmapped page's bytes never matter: `map`
    // zero-fills a page when it is mapped.
    const old = this.flatBytes;
    const oldPages = this.flatPages;
    for (let page = 0; page < oldPages.length; ) {
      if (oldPages[page] === 0) {
        page++;
        continue;
      }
      let end = page + 1;
      while (end < oldPages.length && oldPages[end] !== 0) end++;
      bytes.set(old.subarray(page * PAGE_SIZE, end * PAGE_SIZE), page * PAGE_SIZE);
      page = end;
    }
    const pages = new Uint8Array(size / PAGE_SIZE);
    pages.set(oldPages);
    this.flatBytes = bytes;
    this.flatWords = new Int32Array(bytes.buffer);
    this.flatPages = pages;
    this.flatSize = size;
    for (const listener of this.layoutListeners) listener();
    return true;
  }

  /** Map `[base, base + size)`, page-aligned outward and zero-filled. Mapping a mapped page keeps its bytes. */
  map(base: number, size: number): void {
    if (size <= 0) return;
    const first = Math.floor(base / PAGE_SIZE);
    const last = Math.floor((base + size - 1) / PAGE_SIZE);
    for (let index = first; index <= last; index++) {
      if (this.cover(index)) {
        const page = (index * PAGE_SIZE - this.flatBase) / PAGE_SIZE;
        if (this.flatPages[page] === 0) {
          this.flatBytes.fill(0, page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
          this.flatPages[page] = PAGE_MAPPED;
        }
      } else if (!this.pages.has(index)) this.pages.set(index, { bytes: new Uint8Array(PAGE_SIZE), code: false });
    }
    this.lastIndex = -1;
    this.lastPage = undefined;
  }

  /** Remove the pages covering `[base, base + size)`. */
  unmap(base: number, size: number): void {
    const first = Math.floor(base / PAGE_SIZE);
    const last = Math.floor((base + size - 1) / PAGE_SIZE);
    for (let index = first; index <= last; index++) {
      const offset = this.offset(index * PAGE_SIZE);
      if (offset >= 0) {
        const page = offset / PAGE_SIZE;
        if ((this.flatPages[page]! & PAGE_CODE) !== 0) this.notify(index * PAGE_SIZE, PAGE_SIZE);
        this.flatPages[page] = 0;
        continue;
      }
      if (this.pages.get(index)?.code === true) this.notify(index * PAGE_SIZE, PAGE_SIZE);
      this.pages.delete(index);
    }
    this.lastIndex = -1;
    this.lastPage = undefined;
  }

  /**
   * True when a write to the byte at `address` would land: it is mapped
   * (for physical memory the same as {@link GuestMemory.isMapped}; a
   * translating view also checks the write permission). Multi-word stores
   * check every word with it before writing any.
   */
  isWritable(address: number): boolean {
    return this.isMapped(address);
  }

  /** True when the byte at `address` is mapped. */
  isMapped(address: number): boolean {
    const offset = this.offset(address);
    if (offset >= 0) return this.flatPages[offset >>> PAGE_SHIFT] !== 0;
    return this.page(address) !== undefined;
  }

  /** The mapped ranges, merged and sorted by address. */
  regions(): MemoryRegion[] {
    const out: { base: number; size: number }[] = [];
    for (const index of this.pageIndices()) {
      const base = index * PAGE_SIZE;
      const previous = out[out.length - 1];
      if (previous !== undefined && previous.base + previous.size === base) previous.size += PAGE_SIZE;
      else out.push({ base, size: PAGE_SIZE });
    }
    return out;
  }

  /** Every mapped page number, sorted. */
  private pageIndices(): number[] {
    const indices = [...this.pages.keys()];
    const firstPage = this.flatBase / PAGE_SIZE;
    for (let page = 0; page < this.flatPages.length; page++) if (this.flatPages[page] !== 0) indices.push(firstPage + page);
    return indices.sort((a, b) => a - b);
  }

  /** Register a listener for writes to pages holding decoded code. */
  onCodeWrite(listener: CodeWriteListener): void {
    this.listeners.push(listener);
  }

  /** A sparse page (never a window page). */
  private page(address: number): Page | undefined {
    const index = pageIndex(address);
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
    const offset = this.offset(address);
    if (offset >= 0) return this.flatPages[offset >>> PAGE_SHIFT] !== 0 ? this.flatBytes[offset] : this.missRead(address, 1);
    const page = this.page(address);
    return page === undefined ? this.missRead(address, 1) : page.bytes[address & PAGE_MASK];
  }

  /** {@link GuestMemory.read8} of RAM only (the unbacked-access handler is not asked). */
  private peek8(address: number): number | undefined {
    const offset = this.offset(address);
    if (offset >= 0) return this.flatPages[offset >>> PAGE_SHIFT] !== 0 ? this.flatBytes[offset] : undefined;
    const page = this.page(address);
    return page === undefined ? undefined : page.bytes[address & PAGE_MASK];
  }

  /**
   * The bytes holding `[address, address + length)` when one mapped page
   * holds them all, as the array and the index of the first byte in
   * {@link GuestMemory.spanIndex}; `undefined` otherwise (a fault, or a
   * page-crossing access for the byte-wise path).
   */
  private span(address: number, length: number): Uint8Array | undefined {
    if ((address & PAGE_MASK) > PAGE_SIZE - length) return undefined;
    const offset = this.offset(address);
    if (offset >= 0) {
      if (this.flatPages[offset >>> PAGE_SHIFT] === 0) return undefined;
      this.spanIndex = offset;
      return this.flatBytes;
    }
    const page = this.page(address);
    if (page === undefined) return undefined;
    this.spanIndex = address & PAGE_MASK;
    return page.bytes;
  }

  /** Index of the first byte found by the last {@link GuestMemory.span}. */
  private spanIndex = 0;

  /** Read a 16-bit value in this memory's byte order, or `undefined` on a fault. */
  read16(address: number): number | undefined {
    const b = this.span(address, 2);
    if (b === undefined) return this.readSlow(address, 2);
    const i = this.spanIndex;
    return this.little ? b[i]! | (b[i + 1]! << 8) : (b[i]! << 8) | b[i + 1]!;
  }

  /** Read a 32-bit value (unsigned) in this memory's byte order, or `undefined` on a fault. */
  read32(address: number): number | undefined {
    const offset = address - this.flatBase;
    if ((offset & 3) === 0 && offset >= 0 && offset < this.flatSize && this.fastWords) {
      return this.flatPages[offset >>> PAGE_SHIFT] !== 0 ? this.flatWords[offset >>> 2]! >>> 0 : this.missRead(address, 4);
    }
    const b = this.span(address, 4);
    if (b === undefined) return this.readSlow(address, 4);
    const i = this.spanIndex;
    return this.little
      ? (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0
      : ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  }

  /** Read a 64-bit value in this memory's byte order, or `undefined` on a fault. */
  read64(address: number): bigint | undefined {
    const a = this.read32(address);
    const b = this.read32(address + 4);
    if (a === undefined || b === undefined) return undefined;
    return this.little ? (BigInt(b) << 32n) | BigInt(a) : (BigInt(a) << 32n) | BigInt(b);
  }

  /** Mark the page holding `address` (if mapped) as holding decoded code. */
  private markCode(address: number): void {
    const offset = this.offset(address);
    if (offset >= 0) {
      const page = offset >>> PAGE_SHIFT;
      if (this.flatPages[page] !== 0) this.flatPages[page] = this.flatPages[page]! | PAGE_CODE;
      return;
    }
    const page = this.page(address);
    if (page !== undefined) page.code = true;
  }

  /**
   * Read a 32-bit instruction word and mark its page as holding code, so that a
   * later write to it invalidates the predecode cache.
   */
  fetch32(address: number): number | undefined {
    if (this.unbacked !== undefined && !this.isMapped(address)) return undefined;
    this.markCode(address);
    return this.read32(address);
  }

  /**
   * Read one instruction byte and mark its page as holding code, for
   * decoders of variable-length instructions that fetch byte by byte (an
   * instruction may cross into a page that is not mapped, or that holds
   * other code).
   */
  fetch8(address: number): number | undefined {
    this.markCode(address);
    return this.peek8(address);
  }

  /** Read `length` bytes in memory order and mark their pages as code, or `undefined` on a fault. */
  fetchBytes(address: number, length: number): Uint8Array | undefined {
    const out = this.readBytes(address, length);
    if (out === undefined) return undefined;
    for (let a = address; a < address + length; a += PAGE_SIZE) this.markCode(a);
    this.markCode(address + length - 1);
    return out;
  }

  private readSlow(address: number, length: number): number | undefined {
    let value = 0;
    for (let i = 0; i < length; i++) {
      const byte = this.peek8(this.little ? address + length - 1 - i : address + i);
      if (byte === undefined) return this.missRead(address, length);
      value = value * 256 + byte;
    }
    return value;
  }

  /** Whether the page holding `address` (mapped) holds decoded code. */
  private isCode(address: number): boolean {
    const offset = this.offset(address);
    if (offset >= 0) return (this.flatPages[offset >>> PAGE_SHIFT]! & PAGE_CODE) !== 0;
    return this.page(address)?.code === true;
  }

  /** Write one byte; `false` when unmapped. */
  write8(address: number, value: number): boolean {
    const offset = this.offset(address);
    if (offset >= 0) {
      const flags = this.flatPages[offset >>> PAGE_SHIFT]!;
      if (flags === 0) return this.missWrite(address, 1, value & 0xff);
      this.flatBytes[offset] = value;
      if ((flags & PAGE_CODE) !== 0) this.notify(address, 1);
      return true;
    }
    const page = this.page(address);
    if (page === undefined) return this.missWrite(address, 1, value & 0xff);
    page.bytes[address & PAGE_MASK] = value;
    if (page.code) this.notify(address, 1);
    return true;
  }

  /** Write a 16-bit value in this memory's byte order; `false` on a fault (nothing written). */
  write16(address: number, value: number): boolean {
    const b = this.span(address, 2);
    if (b === undefined) return this.writeSlow(address, value, 2);
    const i = this.spanIndex;
    if (this.little) {
      b[i] = value;
      b[i + 1] = value >>> 8;
    } else {
      b[i] = value >>> 8;
      b[i + 1] = value;
    }
    if (this.isCode(address)) this.notify(address, 2);
    return true;
  }

  /** Write a 32-bit value in this memory's byte order; `false` on a fault (nothing written). */
  write32(address: number, value: number): boolean {
    const offset = address - this.flatBase;
    if ((offset & 3) === 0 && offset >= 0 && offset < this.flatSize && this.fastWords && this.flatPages[offset >>> PAGE_SHIFT] === PAGE_MAPPED) {
      this.flatWords[offset >>> 2] = value;
      return true;
    }
    const b = this.span(address, 4);
    if (b === undefined) return this.writeSlow(address, value, 4);
    const i = this.spanIndex;
    if (this.little) {
      b[i] = value;
      b[i + 1] = value >>> 8;
      b[i + 2] = value >>> 16;
      b[i + 3] = value >>> 24;
    } else {
      b[i] = value >>> 24;
      b[i + 1] = value >>> 16;
      b[i + 2] = value >>> 8;
      b[i + 3] = value;
    }
    if (this.isCode(address)) this.notify(address, 4);
    return true;
  }

  /** Write a 64-bit value in this memory's byte order; `false` on a fault (nothing written). */
  write64(address: number, value: bigint): boolean {
    if (!this.isMapped(address) || !this.isMapped(address + 7)) {
      if (this.unbacked === undefined || this.isMapped(address) || this.isMapped(address + 7)) return false;
      const high = Number((value >> 32n) & 0xffff_ffffn);
      const low = Number(value & 0xffff_ffffn);
      return this.missWrite(address, 4, this.little ? low : high) && this.missWrite(address + 4, 4, this.little ? high : low);
    }
    const high = Number((value >> 32n) & 0xffff_ffffn);
    const low = Number(value & 0xffff_ffffn);
    return this.little ? this.write32(address, low) && this.write32(address + 4, high) : this.write32(address, high) && this.write32(address + 4, low);
  }

  private writeSlow(address: number, value: number, length: number): boolean {
    for (let i = 0; i < length; i++) if (!this.isMapped(address + i)) return this.missWrite(address, length, length === 4 ? value : value & (length === 2 ? 0xffff : 0xff));
    for (let i = 0; i < length; i++) {
      const shift = this.little ? 8 * i : 8 * (length - 1 - i);
      this.write8(address + i, Math.floor(value / 2 ** shift) & 0xff);
    }
    return true;
  }

  /** Copy `length` bytes out in memory order, or `undefined` if any byte is unmapped. */
  readBytes(address: number, length: number): Uint8Array | undefined {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const byte = this.peek8(address + i);
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
      const a = address + i;
      const offset = this.offset(a);
      if (offset >= 0) {
        this.flatBytes[offset] = bytes[i]!;
        touchedCode ||= (this.flatPages[offset >>> PAGE_SHIFT]! & PAGE_CODE) !== 0;
      } else {
        const page = this.page(a)!;
        page.bytes[a & PAGE_MASK] = bytes[i]!;
        touchedCode ||= page.code;
      }
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
    const firstPage = this.flatBase / PAGE_SIZE;
    for (let page = 0; page < this.flatPages.length; page++) {
      if (this.flatPages[page] !== 0) pages.set(firstPage + page, this.flatBytes.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE));
    }
    return { pages };
  }

  /**
   * Put memory back exactly as `snapshot` was taken. Code listeners are told
   * of every page holding code whose bytes the restore changes or unmaps; a
   * code page that comes back with the same bytes stays a code page, and
   * what was decoded from it stays valid.
   */
  restore(snapshot: MemorySnapshot): void {
    const stale: number[] = [];
    const kept = new Set<number>();
    for (const index of this.pageIndices()) {
      if (!this.isCode(index * PAGE_SIZE)) continue;
      const saved = snapshot.pages.get(index);
      if (saved !== undefined && this.samePage(index, saved)) kept.add(index);
      else stale.push(index);
    }
    this.pages.clear();
    this.flatPages.fill(0);
    for (const [index, bytes] of snapshot.pages) {
      const code = kept.has(index);
      if (this.cover(index)) {
        const page = (index * PAGE_SIZE - this.flatBase) / PAGE_SIZE;
        this.flatBytes.set(bytes, page * PAGE_SIZE);
        this.flatPages[page] = PAGE_MAPPED | (code ? PAGE_CODE : 0);
      } else this.pages.set(index, { bytes: bytes.slice(), code });
    }
    this.lastIndex = -1;
    this.lastPage = undefined;
    for (const index of stale) this.notify(index * PAGE_SIZE, PAGE_SIZE);
  }

  /** Whether mapped page `index` holds exactly `bytes`. */
  private samePage(index: number, bytes: Uint8Array): boolean {
    const offset = this.offset(index * PAGE_SIZE);
    const current = offset >= 0 ? this.flatBytes.subarray(offset, offset + PAGE_SIZE) : this.pages.get(index)!.bytes;
    for (let i = 0; i < PAGE_SIZE; i++) if (current[i] !== bytes[i]) return false;
    return true;
  }
}
