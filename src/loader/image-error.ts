/**
 * The one error a loader raises: an image that is not what it claims to be
 * (truncated, a bad magic, a header field out of range), with the byte
 * offset where the loader found it. The CLI turns it into a one-line
 * message with exit status 2.
 *
 * @module
 */

/** A malformed or unsupported image, at a byte offset of the (decompressed) file. */
export class ImageError extends Error {
  /** Always `'ImageError'`. */
  override readonly name = 'ImageError';

  /**
   * @param message one line saying what is wrong.
   * @param offset the byte offset in the image where it was found.
   */
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Byte reads that raise an {@link ImageError} instead of reading past the end. */
export class ImageReader {
  private readonly view: DataView;

  /**
   * @param bytes the image.
   * @param little whether multi-byte fields are little-endian.
   * @param what the format's name, for messages (`ELF`, `zImage`).
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly little: boolean,
    readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Fail unless `length` bytes from `offset` are inside the image. */
  need(offset: number, length: number, field: string): void {
    if (offset < 0 || length < 0 || offset + length > this.bytes.length) {
      throw new ImageError(`${this.what}: ${field} at offset 0x${offset.toString(16)} (${length} bytes) is past the end of the ${this.bytes.length}-byte image`, offset);
    }
  }

  /** Unsigned byte. */
  u8(offset: number, field: string): number {
    this.need(offset, 1, field);
    return this.bytes[offset]!;
  }

  /** Unsigned 16-bit field. */
  u16(offset: number, field: string): number {
    this.need(offset, 2, field);
    return this.view.getUint16(offset, this.little);
  }

  /** Unsigned 32-bit field. */
  u32(offset: number, field: string): number {
    this.need(offset, 4, field);
    return this.view.getUint32(offset, this.little);
  }

  /** Unsigned 64-bit field. */
  u64(offset: number, field: string): bigint {
    this.need(offset, 8, field);
    return this.view.getBigUint64(offset, this.little);
  }

  /** A 64-bit field that must fit a JS number exactly (an offset, size or address this model can hold). */
  safe64(offset: number, field: string): number {
    const value = this.u64(offset, field);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ImageError(`${this.what}: ${field} 0x${value.toString(16)} is too large`, offset);
    return Number(value);
  }

  /** `length` bytes from `offset` (a view, not a copy). */
  slice(offset: number, length: number, field: string): Uint8Array {
    this.need(offset, length, field);
    return this.bytes.subarray(offset, offset + length);
  }
}
