/**
 * Compressed images: gzip from Node's zlib, XZ from the xz tool (xz-utils),
 * and XZ with the ARM and ARM-Thumb BCJ filters (undone by src/loader/xz-bcj.ts,
 * since xz-embedded has none): every block, start offsets, the checks, data
 * after the stream; another BCJ filter is refused by name.
 */

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressionOf, decompressImage, decompressXzPayload } from '../../src/loader/decompress.ts';
import { ImageError } from '../../src/loader/image-error.ts';

const xz = spawnSync('xz', ['--version']).status === 0;
if (!xz) console.warn('skipping the XZ tests: the xz tool (xz-utils) is not installed');

const PAYLOAD = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24);

/** Code-like bytes: A32 BL words, Thumb BL pairs and others, so that the BCJ filters have branches to convert. */
const CODE = Uint8Array.from({ length: 100_000 }, (_, i) => {
  const word = i >> 2;
  const kind = ((word * 2654435761) >>> 28) % 4;
  if (kind === 0) return i % 4 === 3 ? 0xeb : (word * 40503 + i) & 0xff; // bl <random>
  if (kind === 1) return [(word * 7) & 0xff, 0xf0 | (word & 7), (word * 13) & 0xff, 0xf8 | (word & 7)][i % 4]!; // Thumb bl
  return (i * 2654435761) >>> 24;
});

/** Compressible text (this repository's sources under src/, over 512 KiB, which compress to several LZMA2 chunks of at most 64 KiB: the state carried from chunk to chunk). */
const TEXT = (() => {
  const root = join(import.meta.dirname, '../..');
  const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  return new Uint8Array(Buffer.concat(files.sort().map((f) => readFileSync(join(root, 'src', f)))));
})();

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

  it.skipIf(!xz)('undoes the ARM and ARM-Thumb BCJ filters, in every block, with a start offset, under each check', async () => {
    const cases = [
      ['--arm', '--check=crc32'],
      ['--arm', '--check=crc64', '--block-size=16KiB'],
      ['--armthumb', '--check=none'],
      ['--arm=start=32768', '--check=sha256'],
      ['--armthumb=start=4096', '--check=crc32', '--block-size=16KiB'],
    ];
    for (const options of cases) {
      const out = await decompressImage(xzOf(CODE, options[0]!, '--lzma2', ...options.slice(1)));
      expect(out.layers, options.join(' ')).toEqual(['xz']);
      expect(Buffer.from(out.bytes).equals(CODE), options.join(' ')).toBe(true);
    }
  });

  it.skipIf(!xz)('decodes LZMA2 as xz encodes it: literals, matches and repeats over several chunks, every lc/lp/pb, with and without BCJ', async () => {
    expect(TEXT.length).toBeGreaterThan(512 << 10);
    const cases = [
      ['-6'],
      ['--lzma2=preset=1,lc=0,lp=0,pb=0', '--check=crc32'],
      ['--lzma2=lc=4,lp=0,pb=4'],
      ['--lzma2=lc=1,lp=3,pb=2,dict=64KiB', '--block-size=300KiB'],
      ['--arm', '--lzma2=preset=6'],
    ];
    for (const options of cases) {
      const packed = xzOf(TEXT, ...options);
      expect(packed.length, options.join(' ')).toBeLessThan(TEXT.length / 3); // compressed: LZMA chunks, not stored ones
      const out = await decompressImage(packed);
      expect(Buffer.from(out.bytes).equals(TEXT), options.join(' ')).toBe(true);
    }
  });

  it.skipIf(!xz)('finds where a payload stream ends when other data follows it, as in a zImage', async () => {
    const packed = xzOf(CODE, '--arm', '--lzma2', '--check=crc32');
    const image = new Uint8Array(packed.length + 64);
    image.set(packed);
    image.fill(0x5a, packed.length);
    const out = await decompressXzPayload(image);
    expect(out.length).toBe(packed.length);
    expect(out.bytes).toEqual(CODE);
  });

  it.skipIf(!xz)('checks the CRC32 of the data after undoing the filter itself, and refuses a BCJ filter it has no decoder for by saying so, and corrupt XZ as corrupt', async () => {
    const packed = xzOf(CODE, '--arm', '--lzma2', '--check=crc32');
    // The block's check field sits just before the index, which the footer's backward size locates.
    const view = new DataView(packed.buffer);
    const index = packed.length - 12 - (view.getUint32(packed.length - 8, true) + 1) * 4;
    packed[index - 1] = packed[index - 1]! ^ 0x01;
    await expect(decompressImage(packed)).rejects.toThrow(/block 0: CRC32 mismatch/);
    await expect(decompressImage(xzOf(PAYLOAD, '--x86', '--lzma2'))).rejects.toThrow(/unsupported options \(the x86 BCJ filter/);
    const plain = xzOf(PAYLOAD);
    plain[plain.length >> 1] = plain[plain.length >> 1]! ^ 0xff;
    await expect(decompressImage(plain)).rejects.toBeInstanceOf(ImageError);
  });
});
