/**
 * Booting real arm64 kernels: the Image header, the boot protocol and the
 * machine description a kernel is handed.
 *
 * Source: Linux Documentation/arch/arm64/booting.rst, "Call the kernel
 * image" (the 64-byte header: code0, code1, text_offset, image_size, flags,
 * res2–res4, magic "ARM\x64" = 0x644d5241 at 56, res5 = the PE header
 * offset; flags bit 0 endianness, bits 1–2 page size, bit 3 placement; the
 * image goes at a 2 MiB-aligned base plus text_offset; x0 = the device
 * tree, x1–x3 = 0, entered at EL2 or non-secure EL1 with the MMU off and
 * DAIF masked). The machine is laid out like QEMU's `virt` board.
 *
 * @module
 */

import type { BootSupport, ImageFormat, RamRegion } from '../../src/loader/boot-image.ts';
import { cells64, type FdtNode } from '../../src/loader/fdt.ts';
import { ImageError, ImageReader } from '../../src/loader/image-error.ts';

const IMAGE_MAGIC = 0x644d5241;
const ALIGN_2M = 0x20_0000;
/** booting.rst: with image_size = 0 (kernels before v3.17), text_offset is 0x80000. */
const OLD_TEXT_OFFSET = 0x8_0000;
/** Where the PL011 sits (QEMU virt's VIRT_UART). */
export const ARM64_UART_BASE = 0x0900_0000;

const PAGE_SIZES = ['unspecified', '4K', '16K', '64K'];

/** The arm64 Image (the uncompressed kernel; `Image.gz` is decompressed first). */
export const ARM64_IMAGE_FORMAT: ImageFormat = {
  name: 'arm64 Image',
  place(bytes: Uint8Array, ram: RamRegion) {
    if (bytes.length < 64) return undefined;
    const r = new ImageReader(bytes, true, 'arm64 Image');
    if (r.u32(56, 'magic') !== IMAGE_MAGIC) return undefined;
    const textOffset = r.safe64(8, 'text_offset');
    const imageSize = r.safe64(16, 'image_size');
    const flags = r.safe64(24, 'flags');
    if ((flags & 1) !== 0) throw new ImageError('arm64 Image: flags bit 0 says a big-endian kernel (this model runs little-endian)', 24);
    const offset = imageSize === 0 ? OLD_TEXT_OFFSET : textOffset;
    const size = imageSize === 0 ? bytes.length : imageSize;
    if (size < bytes.length) throw new ImageError(`arm64 Image: image_size 0x${imageSize.toString(16)} is smaller than the file (0x${bytes.length.toString(16)} bytes)`, 16);
    const base = Math.ceil(ram.base / ALIGN_2M) * ALIGN_2M;
    const address = base + offset;
    return {
      format: 'arm64 Image',
      segments: [{ address, bytes, memorySize: size }],
      entry: address,
      facts: [
        `text_offset 0x${textOffset.toString(16)}`,
        `image_size 0x${imageSize.toString(16)}`,
        `flags 0x${flags.toString(16)}: little-endian, ${PAGE_SIZES[(flags >> 1) & 3]} pages, ${(flags & 8) !== 0 ? 'anywhere in RAM' : '2 MiB-aligned base near the start of RAM'}`,
      ],
    };
  },
};

/** The machine description: memory, one Cortex-A57-class CPU, the PL011 and its clock, the command line. */
function deviceTree(ram: RamRegion, bootargs: string): FdtNode {
  const uart = `pl011@${ARM64_UART_BASE.toString(16)}`;
  return {
    name: '',
    properties: { '#address-cells': [2], '#size-cells': [2], compatible: 'linux,dummy-virt', model: 'hyplay arm64 (virt-like)' },
    children: [
      { name: 'chosen', properties: { bootargs, 'stdout-path': `/${uart}` } },
      { name: `memory@${ram.base.toString(16)}`, properties: { device_type: 'memory', reg: [...cells64(ram.base), ...cells64(ram.size)] } },
      {
        name: 'cpus',
        properties: { '#address-cells': [1], '#size-cells': [0] },
        children: [{ name: 'cpu@0', properties: { device_type: 'cpu', compatible: 'arm,cortex-a57', reg: [0] } }],
      },
      { name: 'apb-pclk', properties: { compatible: 'fixed-clock', '#clock-cells': [0], 'clock-frequency': [24_000_000], 'clock-output-names': 'clk24mhz', phandle: [1] } },
      {
        name: uart,
        properties: { compatible: ['arm,pl011', 'arm,primecell'], reg: [...cells64(ARM64_UART_BASE), ...cells64(0x1000)], clocks: [1, 1], 'clock-names': ['uartclk', 'apb_pclk'] },
      },
    ],
  };
}

/** How arm64 boots images: Image (gzip or not) or ELF, 256 MiB at 0x40000000, entered at EL2 with x0 = the device tree. */
export const ARM64_BOOT: BootSupport = {
  consoleBase: ARM64_UART_BASE,
  elfMachines: [183],
  formats: [ARM64_IMAGE_FORMAT],
  ram: { base: 0x4000_0000, size: 256 << 20 },
  mode: 'el2h',
  rawOffset: 0,
  deviceTree,
  enter(machine, entry) {
    machine.setRegister('x0', BigInt(entry.deviceTree ?? 0));
    for (const register of ['x1', 'x2', 'x3']) machine.setRegister(register, 0n);
    machine.pc = entry.entry;
  },
  protocol: 'x0 = device tree address, x1 = x2 = x3 = 0; DAIF masked; MMU off (Documentation/arch/arm64/booting.rst)',
};
