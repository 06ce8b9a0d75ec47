/**
 * Images shipped compressed: gzip (RFC 1952; arm64 `Image.gz`, what most
 * distributions' arm64 `vmlinuz` files are) and XZ (`.xz` files).
 *
 * gzip is Node's own zlib. XZ is decoded by src/loader/xz.ts and lzma2.ts:
 * the registry's XZ packages either need a native addon, or (xz-decompress,
 * xz-embedded in WebAssembly, which hyplay used first) lack the ARM BCJ
 * filter a zImage's payload carries and refuse its 128 MiB dictionary.
 *
 * @module
 */

import { gunzipSync } from 'node:zlib';
import { ImageError } from './image-error.ts';
import { decodeXz, isXz, XzError, type DecodedXz } from './xz.ts';

/** The wrappers a file can come in, outermost first. */
export type Compression = 'gzip' | 'xz';

const GZIP_MAGIC = [0x1f, 0x8b];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** The compression `bytes` start with, if any. */
export function compressionOf(bytes: Uint8Array): Compression | undefined {
  if (startsWith(bytes, GZIP_MAGIC)) return 'gzip';
  if (isXz(bytes)) return 'xz';
  return undefined;
}

/** An image with its compression undone. */
export interface Decompressed {
  /** The payload. */
  readonly bytes: Uint8Array;
  /** The layers removed, outermost first. */
  readonly layers: readonly Compression[];
}

/** Largest image decompressed (RAM this model would give it is far less). */
const MAX_OUTPUT = 1 << 30;

/**
 * Undo every layer of compression `bytes` are wrapped in (a `.gz` of an
 * `.xz` is two). Returns the payload and the layers, outermost first.
 * Throws {@link ImageError} for a corrupt or unsupported stream.
 */
export async function decompressImage(bytes: Uint8Array): Promise<Decompressed> {
  const layers: Compression[] = [];
  let current = bytes;
  for (let kind = compressionOf(current); kind !== undefined && layers.length < 4; kind = compressionOf(current)) {
    current = kind === 'gzip' ? gunzip(current) : unxz(current);
    layers.push(kind);
  }
  return { bytes: current, layers };
}

function gunzip(bytes: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(bytes, { maxOutputLength: MAX_OUTPUT }));
  } catch (error) {
    throw new ImageError(`gzip: ${(error as Error).message}`, 0);
  }
}

/**
 * Undo the XZ stream at the start of `bytes` (a kernel image's payload:
 * other data may follow it). Returns the data and the bytes the stream
 * took. Throws {@link ImageError} for a corrupt or unsupported stream.
 */
export function decompressXzPayload(bytes: Uint8Array): DecodedXz {
  return decodeXzAt(bytes, 0);
}

function unxz(bytes: Uint8Array): Uint8Array {
  // A file may hold several streams back to back, each followed by stream padding (zero bytes, a multiple of four).
  const parts: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const stream = decodeXzAt(bytes, at);
    parts.push(stream.bytes);
    at += stream.length;
    const padding = at;
    while (at < bytes.length && bytes[at] === 0) at++;
    if ((at - padding) % 4 !== 0) throw new ImageError('xz: stream padding is not a multiple of four bytes', padding);
    if (at < bytes.length && !isXz(bytes, at)) throw new ImageError('xz: data after the stream', at);
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let to = 0;
  for (const part of parts) {
    out.set(part, to);
    to += part.length;
  }
  return out;
}

/** The stream at `at`, with an {@link XzError} turned into an {@link ImageError} at its place in `bytes`. */
function decodeXzAt(bytes: Uint8Array, at: number): DecodedXz {
  try {
    return decodeXz(bytes.subarray(at));
  } catch (error) {
    if (error instanceof XzError) throw new ImageError(error.message, at + error.offset);
    throw error;
  }
}
