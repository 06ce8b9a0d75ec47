/**
 * Booting arm32 images: the zImage header as head.S lays it out, and
 * Debian's own armmp zImage entered in Hyp mode as booting.rst says, up to
 * its decompressor installing the zImage copy of the hyp stub; and the
 * kernel inside it, decompressed by hyplay (`payload`), booted directly up to
 * the kernel proper's own stub.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../../arch/arm32/backend.ts';
import { decompressorTextOffset, ZIMAGE_FORMAT } from '../../../arch/arm32/image.ts';
import { TraceRecorder } from '../../../src/interp/trace.ts';
import { loadBootImage } from '../../../src/loader/boot-image.ts';
import { bootMachine } from '../../../src/cli/run-image.ts';
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

/** Little-endian A32 words as bytes. */
function words(...values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  values.forEach((value, i) => new DataView(bytes.buffer).setUint32(i * 4, value >>> 0, true));
  return bytes;
}

describe("the decompressor's TEXT_OFFSET (compressed/head.S, AUTO_ZRELADDR)", () => {
  // Encodings from llvm-mc -triple=armv7a: and r4, r4, #0xf8000000 = e204433e; add r4, r4, #0x8000 = e2844902;
  // and r0, r0, #0xf8000000 = e200033e; add r4, r0, #0x208000 = e2804982; bl = eb000000; mov r1, r8 = e1a01008;
  // mov r4, pc = e1a0400f; mov r0, pc = e1a0000f.
  it('reads the add that follows the 128 MiB-aligned base, in the old and the 5.15+ (fdt_check_mem_start) sequence', () => {
    expect(decompressorTextOffset(words(0xe1a0_0000, 0xe1a0_400f, 0xe204_433e, 0xe284_4902))).toBe(0x8000);
    expect(decompressorTextOffset(words(0xe1a0_000f, 0xe200_033e, 0xe1a0_1008, 0xeb00_0000, 0xe280_4982))).toBe(0x20_8000);
  });

  it('is undefined without the pair: no base, or an add to another register or from another base', () => {
    expect(decompressorTextOffset(words(0xe280_4982))).toBeUndefined();
    expect(decompressorTextOffset(words(0xe200_033e, 0xe280_5982))).toBeUndefined();
    expect(decompressorTextOffset(words(0xe200_033e, 0xe281_4982))).toBeUndefined();
    expect(decompressorTextOffset(new Uint8Array(3))).toBeUndefined();
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

/** The payload decompressed by liblzma (Python's lzma module under /usr/bin/python3), when that is there: an oracle nobody here wrote. */
function liblzmaDigest(file: string, offset: number): string | undefined {
  const script = `import hashlib,lzma,sys\nd=open(sys.argv[1],'rb').read()[int(sys.argv[2]):]\nprint(hashlib.sha256(lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(d)).hexdigest())`;
  const run = spawnSync('/usr/bin/python3', ['-c', script, file, String(offset)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status === 0) return run.stdout.trim();
  // Only a missing interpreter or module skips the comparison; any other failure (a bad offset) is the test's.
  if (run.error !== undefined || /No module named '?lzma/.test(run.stderr)) return undefined;
  throw new Error(`liblzma oracle failed: ${run.stderr.trim().split('\n').pop()}`);
}

describe.skipIf(image.skip !== undefined)(`Debian's armmp zImage payload booted directly (${image.skip === undefined ? image.package : 'absent'})`, () => {
  it('is the kernel liblzma gets from the payload, placed at RAM + TEXT_OFFSET as the decompressor places it, and its head.S installs the kernel proper stub and drops to svc', async () => {
    const file = image.skip === undefined ? image.path : '';
    const machine = ARM32_BACKEND.createMachine({ engine: 'jit' });
    const loaded = await loadBootImage(machine, new Uint8Array(readFileSync(file)), ARM32_BACKEND.boot!, { payload: true });
    expect(loaded.format).toBe('zImage payload');
    const [segment] = loaded.segments;
    // The decompressor's own `add r4, r0, #TEXT_OFFSET` (0x208000 for Debian's armmp, which has ARCH_MESON) places it.
    const textOffset = decompressorTextOffset(new Uint8Array(readFileSync(file)));
    expect(textOffset).toBeDefined();
    expect(loaded.facts.join(' ')).toContain(`TEXT_OFFSET 0x${textOffset!.toString(16)}`);
    expect(segment!.address).toBe(RAM.base + textOffset!);
    expect([machine.mode(), machine.pc, machine.register('r0'), machine.register('r2')]).toEqual(['hyp', RAM.base + textOffset!, 0n, BigInt(loaded.deviceTree!.address)]);
    const offset = Number(`0x${/payload at offset 0x([0-9a-f]+)/.exec(loaded.facts.join(' '))![1]!}`);
    const oracle = liblzmaDigest(file, offset);
    if (oracle === undefined) console.warn('not comparing with liblzma: /usr/bin/python3 with its lzma module is not there');
    else expect(createHash('sha256').update(machine.memory.readBytes(segment!.address, segment!.size)!).digest('hex')).toBe(oracle);

    const returns: string[] = [];
    machine.trace = new TraceRecorder({
      limit: 64,
      onEvent: (event) => {
        if (event.kind === 'return') returns.push(`${event.from}->${event.to}`);
      },
    });
    machine.run(2_000_000);
    // arch/arm/kernel/head.S: stext calls __hyp_stub_install (HVBAR at __hyp_stub_vectors in the kernel), then safe_svcmode_maskall erets to svc.
    const hvbar = Number(machine.register('hvbar'));
    expect(hvbar).toBeGreaterThanOrEqual(segment!.address);
    expect(hvbar).toBeLessThan(segment!.address + segment!.size);
    expect(returns[0]).toBe('hyp->svc');
  });

  it('prints its own boot log on the PL011 past cpuid_init_hwcaps (ID_ISAR6 and ID_PFR2 read as zero) and setup_arch, to the command line and the memory zones, with no exception taken', { timeout: 300_000 }, async () => {
    const file = image.skip === undefined ? image.path : '';
    const { machine, console: uart } = await bootMachine(ARM32_BACKEND, new Uint8Array(readFileSync(file)), file, { maxSteps: 1, trace: false, bootargs: 'earlycon console=ttyAMA0', payload: true, engine: 'jit' });
    const exceptions: string[] = [];
    machine.trace = new TraceRecorder({ limit: 1, onEvent: (event) => void (event.kind === 'exception' && exceptions.push(event.cause)) });
    const want = 'Built 1 zonelists';
    for (let chunk = 0; chunk < 100 && !uart!.output.includes(want) && exceptions.length === 0; chunk++) {
      const result = machine.run(1_000_000);
      expect(result.reason, result.detail).toBe('budget-exhausted');
    }
    const log = uart!.output;
    expect(exceptions, log).toEqual([]);
    expect(log).toMatch(/Linux version 6\.\d+/);
    // setup_processor and cpuid_init_hwcaps (arch/arm/kernel/setup.c): the MIDR, then the hwcaps from the ID registers.
    expect(log).toContain('CPU: ARMv7 Processor [412fc0f1] revision 1 (ARMv7)');
    expect(log).toContain('CPU: div instructions available: patching division code');
    expect(log).toContain('Machine model: hyplay arm32 (virt-like)');
    expect(log).toContain('Kernel command line: earlycon console=ttyAMA0');
    // The linear map starts at the RAM the device tree gives (a kernel placed below its TEXT_OFFSET would map it 2 MiB off).
    expect(log).toContain('node   0: [mem 0x0000000040000000-0x000000004fffffff]');
    expect(log).toContain(want);
  });
});
