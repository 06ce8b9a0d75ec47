/**
 * Images shipped compressed: gzip (RFC 1952; arm64 `Image.gz`, what most
 * distributions' arm64 `vmlinuz` files are) and XZ (`.xz` files).
 *
 * gzip is Node's own zlib. XZ is `xz-decompress` (xz-embedded compiled to
 * WebAssembly, no native build step, MIT): the other registry packages
 * either need a native addon or a toolchain at install time. xz-embedded as
 * that package builds it has no BCJ filters, so an XZ stream made with one
 * (the ARM zImage's own payload is `--arm --lzma2`) is refused with a
 * message saying so; the zImage is run as it is meant to run, its
 * decompressor decompressing itself in the guest.
 *
 * @module
 */

import { gunzipSync } from 'node:zlib';
import { ImageError } from './image-error.ts';

/** The wrappers a file can come in, outermost first. */
export type Compression = 'gzip' | 'xz';

const GZIP_MAGIC = [0x1f, 0x8b];
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** The compression `bytes` start with, if any. */
export function compressionOf(bytes: Uint8Array): Compression | undefined {
  if (startsWith(bytes, GZIP_MAGIC)) return 'gzip';
  if (startsWith(bytes, XZ_MAGIC)) return 'xz';
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
    current = kind === 'gzip' ? gunzip(current) : await unxz(current);
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

/** xz-embedded's `enum xz_ret` (linux/include/linux/xz.h), as the package reports it ("error code N"). */
const XZ_ERRORS: Readonly<Record<string, string>> = {
  '2': 'unsupported integrity check',
  '3': 'out of memory',
  '4': 'dictionary larger than the memory limit',
  '5': 'not an XZ stream',
  '6': 'unsupported options (a BCJ filter or an unknown filter in the chain)',
  '7': 'corrupt data',
  '8': 'truncated stream',
};

async function unxz(bytes: Uint8Array): Promise<Uint8Array> {
  const module = (await import('xz-decompress')) as unknown as { XzReadableStream?: XzStreamClass; default?: { XzReadableStream: XzStreamClass } };
  const Stream = module.XzReadableStream ?? module.default!.XzReadableStream;
  try {
    const stream = new Stream(new Blob([bytes]).stream());
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    const message = (error as Error).message;
    const code = /error code (\d+)/.exec(message)?.[1];
    throw new ImageError(`xz: ${code !== undefined && code in XZ_ERRORS ? XZ_ERRORS[code] : message}`, 0);
  }
}

type XzStreamClass = new (compressed: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
