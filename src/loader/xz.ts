/**
 * The XZ container (.xz file format specification 1.1.0, tukaani.org),
 * decoded here: stream header and footer, blocks with their headers, the
 * index, the integrity checks (none, CRC32, CRC64, SHA-256), LZMA2
 * (src/loader/lzma2.ts) and the ARM and ARM-Thumb branch/call/jump filters
 * kernel images are compressed with (`xz --arm --lzma2` for an A32 zImage's
 * payload, `--armthumb` for a Thumb-2 kernel; §5.3.3: a BL's relative target
 * is stored as an absolute one, undone here, with the optional 4-byte start
 * offset property). Other filters (Delta, the other BCJ filters) are refused
 * by name.
 *
 * The output is allocated once from the index's sizes and is the LZMA2
 * decoder's dictionary, so the dictionary size a stream declares (a kernel
 * payload's is 128 MiB) costs nothing beyond the output.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { decodeLzma2, Lzma2Error, type Lzma2End } from './lzma2.ts';

/** A malformed or unsupported XZ stream. */
export class XzError extends Error {
  /**
   * @param message what is wrong, one line.
   * @param offset where in the input.
   */
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** An XZ stream decoded. */
export interface DecodedXz {
  /** The data. */
  readonly bytes: Uint8Array;
  /** Bytes the stream took in the input (other data may follow it). */
  readonly length: number;
}

/** A BCJ filter this module undoes. */
interface BcjFilter {
  /** Its filter ID: 0x07 ARM, 0x08 ARM-Thumb. */
  readonly id: number;
  /** The start offset (property), 0 when the property is absent. */
  readonly start: number;
}

const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const LZMA2_ID = 0x21;
/** Filter IDs of §5.3 by name, for refusals. */
const FILTER_NAMES: Readonly<Record<number, string>> = { 0x03: 'Delta', 0x04: 'x86 BCJ', 0x05: 'PowerPC BCJ', 0x06: 'IA-64 BCJ', 0x07: 'ARM BCJ', 0x08: 'ARM-Thumb BCJ', 0x09: 'SPARC BCJ', 0x0a: 'ARM64 BCJ', 0x0b: 'RISC-V BCJ', 0x21: 'LZMA2' };
/** Bytes of each check type's field (§2.1.1.2; the reserved types have these sizes too, and are refused). */
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];
const CHECK_NAMES: Readonly<Record<number, string>> = { 0: 'none', 1: 'CRC32', 4: 'CRC64', 10: 'SHA-256' };

const u32 = (bytes: Uint8Array, at: number): number => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
const pad4 = (n: number): number => (n + 3) & ~3;

/** Whether `bytes` start with the XZ magic at `at`. */
export function isXz(bytes: Uint8Array, at = 0): boolean {
  return bytes.length >= at + MAGIC.length && MAGIC.every((b, i) => bytes[at + i] === b);
}

/** A multibyte integer (§1.2) at `at`, before `end`. */
function varint(bytes: Uint8Array, at: number, end: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 9 && at + i < end; i++) {
    const byte = bytes[at + i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (byte === 0 && i > 0) break; // not the shortest encoding
      return { value, next: at + i + 1 };
    }
  }
  throw new XzError('xz: a malformed size field', at);
}

/** A block of the stream, as its index records it. */
interface IndexedBlock {
  readonly unpadded: number;
  readonly uncompressed: number;
}

/**
 * The index of the stream at the start of `bytes`, from the first stream
 * footer whose CRC32 checks and whose backward size lands on an index whose
 * CRC32 checks; and where the stream ends. Other data may follow a stream.
 */
function findIndex(bytes: Uint8Array): { blocks: IndexedBlock[]; index: number; length: number } {
  for (let end = 12 + 8 + 12; end <= bytes.length; end += 4) {
    if (bytes[end - 2] !== 0x59 || bytes[end - 1] !== 0x5a) continue; // footer magic 'YZ'
    const footer = end - 12;
    if (crc32(bytes.subarray(footer + 4, footer + 10)) !== u32(bytes, footer)) continue;
    const index = footer - (u32(bytes, footer + 4) + 1) * 4;
    if (index < 12 || bytes[index] !== 0) continue;
    if (crc32(bytes.subarray(index, footer - 4)) !== u32(bytes, footer - 4)) continue;
    if (bytes[footer + 8] !== bytes[6] || bytes[footer + 9] !== bytes[7]) throw new XzError('xz: the stream footer\'s flags differ from the header\'s', footer + 8);
    const count = varint(bytes, index + 1, footer - 4);
    const blocks: IndexedBlock[] = [];
    let p = count.next;
    for (let i = 0; i < count.value; i++) {
      const unpadded = varint(bytes, p, footer - 4);
      const uncompressed = varint(bytes, unpadded.next, footer - 4);
      blocks.push({ unpadded: unpadded.value, uncompressed: uncompressed.value });
      p = uncompressed.next;
    }
    return { blocks, index, length: end };
  }
  throw new XzError('xz: no stream footer (a truncated stream)', bytes.length);
}

/** The filter chain of the block header at `at`: at most one ARM/ARM-Thumb BCJ, then LZMA2. Returns the header's size and the BCJ. */
function blockHeader(bytes: Uint8Array, at: number): { size: number; bcj: BcjFilter | undefined } {
  const size = (bytes[at]! + 1) * 4;
  if (at + size > bytes.length) throw new XzError('xz: a block header runs past the stream', at);
  if (crc32(bytes.subarray(at, at + size - 4)) !== u32(bytes, at + size - 4)) throw new XzError('xz: a block header\'s CRC32 does not match', at);
  const end = at + size - 4;
  const flags = bytes[at + 1]!;
  if ((flags & 0x3c) !== 0) throw new XzError('xz: reserved block flags set', at + 1);
  let p = at + 2;
  if ((flags & 0x40) !== 0) p = varint(bytes, p, end).next;
  if ((flags & 0x80) !== 0) p = varint(bytes, p, end).next;
  const count = (flags & 0x03) + 1;
  let bcj: BcjFilter | undefined;
  for (let i = 0; i < count; i++) {
    const id = varint(bytes, p, end);
    const props = varint(bytes, id.next, end);
    const properties = bytes.subarray(props.next, props.next + props.value);
    if (props.next + props.value > end) throw new XzError('xz: filter properties run past the block header', p);
    const last = i === count - 1;
    const name = FILTER_NAMES[id.value] ?? `filter 0x${id.value.toString(16)}`;
    if (last && id.value === LZMA2_ID) {
      if (properties.length !== 1 || (properties[0]! & 0x3f) > 40) throw new XzError('xz: invalid LZMA2 properties', props.next);
    } else if (!last && (id.value === 0x07 || id.value === 0x08) && bcj === undefined && (properties.length === 0 || properties.length === 4)) {
      bcj = { id: id.value, start: properties.length === 4 ? u32(properties, 0) : 0 };
    } else throw new XzError(`xz: unsupported options (the ${name} filter${last ? ' as the last filter' : ''}; this decoder undoes LZMA2 after an optional ARM or ARM-Thumb BCJ)`, p);
    p = props.next + props.value;
  }
  for (; p < end; p++) if (bytes[p] !== 0) throw new XzError('xz: non-zero block header padding', p);
  return { size, bcj };
}

/** The CRC64 of `bytes` (ECMA-182, reflected, as xz uses it), as 16 hex digits. */
function crc64(bytes: Uint8Array): string {
  let lo = 0xffff_ffff;
  let hi = 0xffff_ffff;
  for (let i = 0; i < bytes.length; i++) {
    const t = (lo ^ bytes[i]!) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ CRC64_LO[t]!;
    hi = (hi >>> 8) ^ CRC64_HI[t]!;
  }
  return ((~hi >>> 0).toString(16).padStart(8, '0') + (~lo >>> 0).toString(16).padStart(8, '0'));
}

const CRC64_LO = new Uint32Array(256);
const CRC64_HI = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  // The reflected polynomial 0xC96C5795D7870F42.
  let lo = n;
  let hi = 0;
  for (let k = 0; k < 8; k++) {
    const odd = lo & 1;
    lo = ((lo >>> 1) | (hi << 31)) >>> 0;
    hi = hi >>> 1;
    if (odd) {
      lo = (lo ^ 0xd787_0f42) >>> 0;
      hi = (hi ^ 0xc96c_5795) >>> 0;
    }
  }
  CRC64_LO[n] = lo;
  CRC64_HI[n] = hi;
}

/** Whether block data `data` matches the check field `field` of type `type`. */
function checks(type: number, data: Uint8Array, field: Uint8Array): boolean {
  if (type === 0) return true;
  if (type === 1) return crc32(data) === u32(field, 0);
  const stored = Buffer.from(field).toString('hex');
  if (type === 4) return crc64(data) === Buffer.from(field).reverse().toString('hex');
  return createHash('sha256').update(data).digest('hex') === stored;
}

/**
 * Decode the XZ stream at the start of `bytes` (other data may follow it, as
 * in a zImage). Returns the data and the bytes the stream took. Throws
 * {@link XzError} for a malformed, corrupt or unsupported stream.
 */
export function decodeXz(bytes: Uint8Array): DecodedXz {
  if (!isXz(bytes) || bytes.length < 24) throw new XzError('xz: not an XZ stream', 0);
  if (crc32(bytes.subarray(6, 8)) !== u32(bytes, 8)) throw new XzError('xz: the stream header\'s CRC32 does not match', 8);
  const type = bytes[7]! & 0x0f;
  if (bytes[6] !== 0 || (bytes[7]! & 0xf0) !== 0) throw new XzError('xz: reserved stream flags set', 6);
  if (CHECK_NAMES[type] === undefined) throw new XzError(`xz: unsupported integrity check (type ${type})`, 7);
  const checkSize = CHECK_SIZES[type]!;
  const { blocks, index, length } = findIndex(bytes);
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.uncompressed, 0));
  let at = 12;
  let written = 0;
  for (const [i, block] of blocks.entries()) {
    const header = blockHeader(bytes, at);
    let decoded: Lzma2End;
    try {
      decoded = decodeLzma2(bytes.subarray(0, index), at + header.size, out.subarray(0, written + block.uncompressed), written);
    } catch (error) {
      if (error instanceof Lzma2Error) throw new XzError(`xz: block ${i}: ${error.message} (corrupt data)`, at);
      throw error;
    }
    const unpadded = decoded.next - at + checkSize;
    if (decoded.end - written !== block.uncompressed || unpadded !== block.unpadded) throw new XzError(`xz: block ${i}'s sizes differ from the index's`, at);
    const padded = at + pad4(decoded.next - at);
    for (let p = decoded.next; p < padded; p++) if (bytes[p] !== 0) throw new XzError('xz: non-zero block padding', p);
    const data = out.subarray(written, decoded.end);
    if (header.bcj !== undefined) undoBcj(data, header.bcj);
    if (!checks(type, data, bytes.subarray(padded, padded + checkSize))) throw new XzError(`xz: block ${i}: ${CHECK_NAMES[type]} mismatch (corrupt data)`, padded);
    at = padded + checkSize;
    written = decoded.end;
  }
  if (at !== index) throw new XzError('xz: the index does not follow the last block', at);
  return { bytes: out, length };
}

/** Undo `filter` on `bytes` in place (the data as the filter's encoder saw it at offset `filter.start`). */
function undoBcj(bytes: Uint8Array, filter: BcjFilter): void {
  const base = filter.start;
  if (filter.id === 0x07) {
    // ARM: a BL (cond AL, 0xEB in the top byte) holds its absolute target; the instruction's PC reads 8 ahead.
    for (let i = 0; i + 4 <= bytes.length; i += 4) {
      if (bytes[i + 3] !== 0xeb) continue;
      const absolute = ((bytes[i + 2]! << 16) | (bytes[i + 1]! << 8) | bytes[i]!) << 2;
      const relative = ((absolute - (base + i + 8)) >>> 2) & 0xff_ffff;
      bytes[i] = relative & 0xff;
      bytes[i + 1] = (relative >>> 8) & 0xff;
      bytes[i + 2] = (relative >>> 16) & 0xff;
    }
    return;
  }
  // ARM-Thumb: a 32-bit BL (halfwords 0xF000–0xF7FF then 0xF800–0xFFFF) holds its absolute target; the PC reads 4 ahead.
  for (let i = 0; i + 4 <= bytes.length; i += 2) {
    if ((bytes[i + 1]! & 0xf8) !== 0xf0 || (bytes[i + 3]! & 0xf8) !== 0xf8) continue;
    const absolute = (((bytes[i + 1]! & 7) << 19) | (bytes[i]! << 11) | ((bytes[i + 3]! & 7) << 8) | bytes[i + 2]!) << 1;
    const relative = (absolute - (base + i + 4)) >>> 1;
    bytes[i + 1] = 0xf0 | ((relative >>> 19) & 7);
    bytes[i] = (relative >>> 11) & 0xff;
    bytes[i + 3] = 0xf8 | ((relative >>> 8) & 7);
    bytes[i + 2] = relative & 0xff;
    i += 2;
  }
}
