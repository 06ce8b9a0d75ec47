/**
 * Booting arm64 images: the Image header as booting.rst defines it, and
 * Debian's own arm64 Image entered at EL2, through init_el2 to the eret
 * into EL1 with VBAR_EL2 at the kernel's __hyp_stub_vectors; then at EL1
 * through __cpu_setup's TLB maintenance and __enable_mmu, as far as the
 * model's addresses go.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARM64_BACKEND } from '../../../arch/arm64/backend.ts';
import { ARM64_IMAGE_FORMAT } from '../../../arch/arm64/image.ts';
import { translateStage1 } from '../../../arch/arm64/mmu.ts';
import { loadBootImage } from '../../../src/loader/boot-image.ts';
import type { TraceEvent } from '../../../src/interp/trace.ts';
import { TraceRecorder } from '../../../src/interp/trace.ts';
import { kernelImage } from '../../support/kernel-images.ts';

const RAM = { base: 0x4010_0000, size: 256 << 20 };

/** An Image-shaped file of `size` bytes with the header fields given. */
function header(size: number, textOffset: number, imageSize: number, flags: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(8, BigInt(textOffset), true);
  view.setBigUint64(16, BigInt(imageSize), true);
  view.setBigUint64(24, BigInt(flags), true);
  view.setUint32(56, 0x644d5241, true);
  return bytes;
}

describe('the arm64 Image header', () => {
  it('places the image at a 2 MiB-aligned base plus text_offset, taking image_size in RAM', () => {
    expect(ARM64_IMAGE_FORMAT.place(header(0x1000, 0x8_0000, 0x4000, 0b1010), RAM)).toMatchObject({ entry: 0x4028_0000, segments: [{ address: 0x4028_0000, memorySize: 0x4000 }] });
    // image_size 0: a kernel before v3.17, whose text_offset is 0x80000 whatever the field says.
    expect(ARM64_IMAGE_FORMAT.place(header(0x1000, 0, 0, 0), RAM)).toMatchObject({ entry: 0x4028_0000, segments: [{ memorySize: 0x1000 }] });
  });

  it('is not an Image without the magic, and refuses a big-endian kernel or an image_size below the file', () => {
    expect(ARM64_IMAGE_FORMAT.place(new Uint8Array(0x100), RAM)).toBeUndefined();
    expect(() => ARM64_IMAGE_FORMAT.place(header(0x100, 0, 0x100, 1), RAM)).toThrow(/big-endian/);
    expect(() => ARM64_IMAGE_FORMAT.place(header(0x100, 0, 0x80, 0), RAM)).toThrow(/smaller than the file/);
  });
});

const image = kernelImage('arm64');

describe.skipIf(image.skip !== undefined)(`Debian's arm64 Image (${image.skip === undefined ? image.package : 'absent'})`, () => {
  it('runs init_el2 at EL2 and erets to EL1 with VBAR_EL2 at its stub vectors and x0 = BOOT_CPU_MODE_EL2', async () => {
    const machine = ARM64_BACKEND.createMachine();
    const loaded = await loadBootImage(machine, new Uint8Array(readFileSync(image.skip === undefined ? image.path : '')), ARM64_BACKEND.boot!);
    expect(loaded.format).toBe('arm64 Image');
    expect([machine.mode(), machine.register('x0')]).toEqual(['el2h', BigInt(loaded.deviceTree!.address)]);
    const returns: TraceEvent[] = [];
    const x0AtReturn: bigint[] = [];
    machine.trace = new TraceRecorder({
      limit: 16,
      onEvent: (event) => {
        if (event.kind !== 'return') return;
        returns.push(event);
        x0AtReturn.push(machine.register('x0'));
      },
    });
    for (let chunk = 0; chunk < 200 && machine.mode() !== 'el1h'; chunk++) machine.run(5000);
    const [segment] = loaded.segments;
    expect(returns[0]).toMatchObject({ kind: 'return', instruction: 'eret', from: 'el2h', to: 'el1h' });
    const vbar = Number(machine.register('vbar_el2'));
    // arch/arm64/kernel/hyp-stub.S: __hyp_stub_vectors is .align 11 inside the kernel image.
    expect(vbar).toBeGreaterThanOrEqual(segment!.address);
    expect(vbar).toBeLessThan(segment!.address + segment!.size);
    expect(vbar % 0x800).toBe(0);
    // init_el2 returns BOOT_CPU_MODE_EL2 (0xe12, arch/arm64/include/asm/virt.h) in w0 to the EL1 caller.
    expect(x0AtReturn[0]).toBe(0xe12n);
  });

  it('at EL1 runs tlbi vmalle1 (__cpu_setup), turns the MMU on (__enable_mmu), and first faults on a TTBR1 address its own tables map', async () => {
    const machine = ARM64_BACKEND.createMachine({ engine: 'interp' });
    const loaded = await loadBootImage(machine, new Uint8Array(readFileSync(image.skip === undefined ? image.path : '')), ARM64_BACKEND.boot!);
    const exceptions: TraceEvent[] = [];
    machine.trace = new TraceRecorder({ limit: 16, onEvent: (event) => void (event.kind === 'exception' && exceptions.push(event)) });
    for (let chunk = 0; chunk < 400 && exceptions.length === 0; chunk++) machine.run(5000);
    // The first exception is taken at EL1 from EL1: no UNDEF on the way (tlbi vmalle1 at EL1 is legal), a data abort (EC 0x25).
    expect(exceptions[0]).toMatchObject({ kind: 'exception', from: 'el1h', to: 'el1h' });
    expect(Number(machine.register('esr_el1') >> 26n)).toBe(0x25);
    // __enable_mmu has run: SCTLR_EL1.M is set, and TTBR1_EL1 holds the kernel's own tables (inside its image).
    expect(machine.register('sctlr_el1') & 1n).toBe(1n);
    const [segment] = loaded.segments;
    const ttbr1 = machine.register('ttbr1_el1') & 0x0000_ffff_ffff_f000n;
    expect(ttbr1).toBeGreaterThanOrEqual(BigInt(segment!.address));
    expect(ttbr1).toBeLessThan(BigInt(segment!.address + segment!.size));
    // The faulting access is to the kernel's virtual address space (the TTBR1 half, 0xffff…), which the machine's
    // accesses cannot form yet; walking it through the kernel's own tables with arch/arm64/mmu.ts lands in the image.
    const far = machine.register('far_el1');
    expect(far >> 48n).toBe(0xffffn);
    const regime = { tcr: machine.register('tcr_el1'), ttbr0: machine.register('ttbr0_el1'), ttbr1: machine.register('ttbr1_el1') };
    const walked = translateStage1(machine.memory, regime, far, 'write', 1);
    expect(walked.ok, walked.ok ? '' : walked.reason).toBe(true);
    if (walked.ok) {
      expect(walked.pa).toBeGreaterThanOrEqual(BigInt(segment!.address));
      expect(walked.pa).toBeLessThan(BigInt(segment!.address + segment!.size));
    }
  });
});
