/**
 * Booting arm64 images: the Image header as booting.rst defines it, and
 * Debian's own arm64 Image entered at EL2, through init_el2 to the eret
 * into EL1 with VBAR_EL2 at the kernel's __hyp_stub_vectors; then at EL1
 * through __enable_mmu into its TTBR1 half, to the HVC_FINALISE_EL2 call
 * and the stub's answer; and, with `earlycon`, the kernel's own log on the
 * PL011 the generated device tree names.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARM64_BACKEND } from '../../../arch/arm64/backend.ts';
import { ARM64_IMAGE_FORMAT } from '../../../arch/arm64/image.ts';
import { loadBootImage } from '../../../src/loader/boot-image.ts';
import type { TraceEvent } from '../../../src/interp/trace.ts';
import { TraceRecorder } from '../../../src/interp/trace.ts';
import { bootMachine } from '../../../src/cli/run-image.ts';
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

  it('at EL1 turns the MMU on (__enable_mmu), runs on in its TTBR1 half, and calls finalise_el2 (HVC_FINALISE_EL2) into its own stub', async () => {
    const machine = ARM64_BACKEND.createMachine({ engine: 'jit' });
    const loaded = await loadBootImage(machine, new Uint8Array(readFileSync(image.skip === undefined ? image.path : '')), ARM64_BACKEND.boot!);
    const events: TraceEvent[] = [];
    const x0AtHvc: bigint[] = [];
    machine.trace = new TraceRecorder({
      limit: 16,
      onEvent: (event) => {
        if (event.kind !== 'exception' && event.kind !== 'return') return;
        events.push(event);
        if (event.kind === 'exception' && event.exception.includes('(hvc)')) x0AtHvc.push(machine.register('x0'));
      },
    });
    const hvcs = () => events.filter((e) => e.kind === 'exception' && e.exception.includes('(hvc)'));
    for (let chunk = 0; chunk < 2000 && hvcs().length === 0; chunk++) machine.run(5000);
    // The HVC after the eret into EL1 comes from the kernel's virtual addresses: ELR_EL2 is in the TTBR1 half.
    const [hvc] = hvcs();
    expect(hvc).toMatchObject({ kind: 'exception', from: 'el1h', to: 'el2h', syndrome: 0x5a00_0000 });
    const returnAddress = hvc!.kind === 'exception' ? hvc!.returnAddress : 0;
    expect(BigInt.asUintN(64, BigInt(returnAddress)) >> 48n).toBe(0xffffn);
    // No exception on the way there: no UNDEF, no abort through the kernel's tables.
    expect(events.filter((e) => e.kind === 'exception')).toHaveLength(1);
    // SCTLR_EL1.M is set, and TTBR1_EL1 holds the kernel's own tables (inside its image).
    expect(machine.register('sctlr_el1') & 1n).toBe(1n);
    const [segment] = loaded.segments;
    const ttbr1 = machine.register('ttbr1_el1') & 0x0000_ffff_ffff_f000n;
    expect(ttbr1).toBeGreaterThanOrEqual(BigInt(segment!.address));
    expect(ttbr1).toBeLessThan(BigInt(segment!.address + segment!.size));
    // x0 = HVC_FINALISE_EL2 (3, arch/arm64/include/asm/virt.h, v6.0+), to VBAR_EL2 + 0x400: the vectors init_el2 installed.
    expect(x0AtHvc[0]).toBe(3n);
    expect(hvc!.kind === 'exception' ? hvc!.vector : 0).toBe(Number(machine.register('vbar_el2')) + 0x400);
    // The stub answers (no VHE here: HVC_STUB_ERR, 0xbadca11) with an eret back to the caller at EL1, in the TTBR1 half.
    for (let chunk = 0; chunk < 10 && events.filter((e) => e.kind === 'return').length < 2; chunk++) machine.run(5000);
    const back = events.filter((e) => e.kind === 'return')[1];
    expect(back).toMatchObject({ kind: 'return', instruction: 'eret', from: 'el2h', to: 'el1h', target: returnAddress });
  });
});

describe.skipIf(image.skip !== undefined)(`Debian's arm64 Image's early console (${image.skip === undefined ? image.package : 'absent'})`, () => {
  it('boots with earlycon to the PL011 its device tree names: the kernel prints its banner, model and command line', async () => {
    const { machine, console: uart } = await bootMachine(ARM64_BACKEND, new Uint8Array(readFileSync(image.skip === undefined ? image.path : '')), 'vmlinuz', { maxSteps: 0, trace: false, engine: 'jit', bootargs: 'earlycon console=ttyAMA0' });
    expect(uart).toBeDefined();
    for (let chunk = 0; chunk < 400 && !uart!.output.includes('Kernel command line:'); chunk++) {
      const result = machine.run(250_000);
      expect(result.reason, result.detail).toBe('budget-exhausted');
    }
    const text = uart!.output;
    expect(text).toMatch(/^\[ +0\.000000\] Booting Linux on physical CPU 0x0+ \[0x410fd034\]/);
    expect(text).toMatch(/\] Linux version 6\.\d+\S* \(debian-kernel@lists\.debian\.org\)/);
    expect(text).toContain('] Machine model: hyplay arm64 (virt-like)');
    expect(text).toContain('] Kernel command line: earlycon console=ttyAMA0');
  }, 120_000);
});
