/**
 * Booting arm32 images: the zImage header as head.S lays it out, and
 * Debian's own armmp zImage entered in Hyp mode as booting.rst says, up to
 * its decompressor installing the zImage copy of the hyp stub.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../../arch/arm32/backend.ts';
import { ZIMAGE_FORMAT } from '../../../arch/arm32/image.ts';
import { loadBootImage } from '../../../src/loader/boot-image.ts';
import { kernelImage } from '../../support/kernel-images.ts';

const RAM = { base: 0x4000_0000, size: 256 << 20 };

/** A zImage-shaped file: `size` bytes with the header words at 0x24. */
function zImage(size: number, start: number, end: number, flag = 0x04030201): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0x24, 0x016f2818, true);
  view.setUint32(0x28, start, true);
  view.setUint32(0x2c, end, true);
  view.setUint32(0x30, flag, true);
  return bytes;
}

describe('the zImage header', () => {
  it('places a position-independent image 32 KiB into RAM and one linked for an address there', () => {
    expect(ZIMAGE_FORMAT.place(zImage(0x1000, 0, 0x800), RAM)).toMatchObject({ entry: 0x4000_8000, segments: [{ address: 0x4000_8000, memorySize: 0x800 }] });
    expect(ZIMAGE_FORMAT.place(zImage(0x1000, 0x4100_0000, 0x4100_0800), RAM)).toMatchObject({ entry: 0x4100_0000 });
  });

  it('is not a zImage without the magic, and refuses a big-endian kernel or an inconsistent size', () => {
    expect(ZIMAGE_FORMAT.place(new Uint8Array(0x100), RAM)).toBeUndefined();
    expect(() => ZIMAGE_FORMAT.place(zImage(0x100, 0, 0x80, 0x01020304), RAM)).toThrow(/endianness flag 0x1020304/);
    expect(() => ZIMAGE_FORMAT.place(zImage(0x100, 0x80, 0x80), RAM)).toThrow(/not above start/);
    expect(() => ZIMAGE_FORMAT.place(zImage(0x100, 0, 0x1000), RAM)).toThrow(/header says 4096 bytes but the file has 256/);
  });
});

const image = kernelImage('armmp');

describe.skipIf(image.skip !== undefined)(`Debian's armmp zImage (${image.skip === undefined ? image.package : 'absent'})`, () => {
  it('is entered in Hyp with the boot registers, and its decompressor points HVBAR at its own stub inside the image', async () => {
    const machine = ARM32_BACKEND.createMachine();
    const loaded = await loadBootImage(machine, new Uint8Array(readFileSync(image.skip === undefined ? image.path : '')), ARM32_BACKEND.boot!);
    expect(loaded.format).toBe('zImage');
    expect([machine.mode(), machine.pc, machine.register('r0'), machine.register('r1'), machine.register('r2')]).toEqual(['hyp', 0x4000_8000, 0n, 0xffff_ffffn, BigInt(loaded.deviceTree!.address)]);
    const [segment] = loaded.segments;
    let hvbar = 0n;
    // One step at a time until HVBAR is written: the stub drops to svc a few instructions later.
    let mode = '';
    for (let step = 0; step < 100_000 && hvbar === 0n; step++) {
      mode = machine.mode();
      machine.run(1);
      hvbar = machine.register('hvbar');
    }
    // __hyp_stub_install (arch/arm/kernel/hyp-stub.S, the copy linked into the decompressor) writes HVBAR in Hyp.
    expect(mode).toBe('hyp');
    expect(Number(hvbar)).toBeGreaterThanOrEqual(segment!.address);
    expect(Number(hvbar)).toBeLessThan(segment!.address + segment!.size);
    expect(Number(hvbar) % 32).toBe(0);
  });
});
