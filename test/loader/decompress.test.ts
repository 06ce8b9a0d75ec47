/**
 * Compressed images: gzip from Node's zlib, XZ from the xz tool (xz-utils),
 * and the BCJ-filtered XZ that xz-embedded cannot undo refused by name.
 */

import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressionOf, decompressImage } from '../../src/loader/decompress.ts';
import { ImageError } from '../../src/loader/image-error.ts';

const xz = spawnSync('xz', ['--version']).status === 0;
if (!xz) console.warn('skipping the XZ tests: the xz tool (xz-utils) is not installed');

const PAYLOAD = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24);

function xzOf(bytes: Uint8Array, ...options: string[]): Uint8Array {
  return new Uint8Array(spawnSync('xz', ['-c', ...options], { input: bytes, maxBuffer: 1 << 26 }).stdout);
}

describe('decompressImage', () => {
  it('passes bytes with no compression through', async () => {
    expect(await decompressImage(PAYLOAD)).toEqual({ bytes: PAYLOAD, layers: [] });
  });

  it('undoes gzip, and refuses a corrupt gzip stream with an ImageError', async () => {
    const gz = new Uint8Array(gzipSync(PAYLOAD));
    expect(compressionOf(gz)).toBe('gzip');
    expect(await decompressImage(gz)).toEqual({ bytes: PAYLOAD, layers: ['gzip'] });
    const corrupt = gz.slice(0, gz.length - 9);
    await expect(decompressImage(corrupt)).rejects.toBeInstanceOf(ImageError);
  });

  it.skipIf(!xz)('undoes xz, and xz inside gzip', async () => {
    const packed = xzOf(PAYLOAD);
    expect(compressionOf(packed)).toBe('xz');
    expect(await decompressImage(packed)).toEqual({ bytes: PAYLOAD, layers: ['xz'] });
    expect(await decompressImage(new Uint8Array(gzipSync(packed)))).toEqual({ bytes: PAYLOAD, layers: ['gzip', 'xz'] });
  });

  it.skipIf(!xz)('refuses an XZ stream with the ARM BCJ filter by saying so, and corrupt XZ as corrupt', async () => {
    await expect(decompressImage(xzOf(PAYLOAD, '--arm', '--lzma2'))).rejects.toThrow(/unsupported options \(a BCJ filter/);
    const packed = xzOf(PAYLOAD);
    packed[packed.length >> 1] = packed[packed.length >> 1]! ^ 0xff;
    await expect(decompressImage(packed)).rejects.toBeInstanceOf(ImageError);
  });
});
