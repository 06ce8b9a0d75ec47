/**
 * Booting real arm32 kernels: the zImage header, the boot protocol and the
 * machine description a kernel is handed.
 *
 * Sources: Linux Documentation/arch/arm/booting.rst (the zImage load
 * convention, the register contents at entry, the CPU state) and
 * arch/arm/boot/compressed/head.S (the header words at 0x24: magic
 * 0x016f2818, start and end addresses, the endianness flag 0x04030201).
 * The machine is laid out like QEMU's `virt` board (RAM at 0x40000000, a
 * PL011 at 0x09000000), which the armmp kernel supports.
 *
 * @module
 */

import type { BootSupport, ImageFormat, ImagePlacement, RamRegion } from '../../src/loader/boot-image.ts';
import type { FdtNode } from '../../src/loader/fdt.ts';
import { decompressXzPayload } from '../../src/loader/decompress.ts';
import { ImageError, ImageReader } from '../../src/loader/image-error.ts';

/** head.S `_magic_sig`, at offset 0x24. */
const ZIMAGE_MAGIC = 0x016f2818;
/** head.S endianness flag as a little-endian kernel stores it. */
const LITTLE_FLAG = 0x04030201;
/** booting.rst: "convention is that it is loaded at the base of physical RAM plus an offset of 0x8000 (32K)". */
const ZIMAGE_OFFSET = 0x8000;
/** Where the PL011 sits (QEMU virt's VIRT_UART). */
export const ARM32_UART_BASE = 0x0900_0000;

/**
 * booting.rst / arch/arm/Makefile: the kernel proper runs at RAM's base plus
 * TEXT_OFFSET, 0x8000 unless a platform asks for more. A multiplatform kernel
 * takes the largest any of its platforms asks for (arch/arm/Makefile:
 * `textofs-$(CONFIG_ARCH_MESON) := 0x00208000`, and Debian's armmp kernel has
 * Meson), so it is read from the decompressor ({@link decompressorTextOffset});
 * this is the value when the decompressor does not show it.
 */
const DEFAULT_TEXT_OFFSET = 0x8000;
/** How far into the zImage the decompressor's entry code is looked for (head.S `start` comes first, after an EFI header's branch). */
const ENTRY_CODE_WINDOW = 0x4000;
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

/** An A32 modified immediate (imm12: rotation and imm8, A5.2.4). */
function armExpandImm(imm12: number): number {
  const rotation = (imm12 >>> 8) * 2;
  const imm8 = imm12 & 0xff;
  return rotation === 0 ? imm8 : ((imm8 >>> rotation) | (imm8 << (32 - rotation))) >>> 0;
}

/**
 * TEXT_OFFSET as the decompressor applies it: with AUTO_ZRELADDR,
 * arch/arm/boot/compressed/head.S computes the kernel's address as
 * `and rN, rM, #0xf8000000` (the 128 MiB-aligned RAM base from the PC)
 * followed, a few instructions on, by `add r4, rN, #TEXT_OFFSET` (5.15 and
 * later put `fdt_check_mem_start` between them, whose result in r0 is then
 * rN). The first such pair in the entry code gives it, or `undefined`.
 */
export function decompressorTextOffset(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = Math.min(bytes.length, ENTRY_CODE_WINDOW) & ~3;
  for (let at = 0; at + 4 <= end; at += 4) {
    const word = view.getUint32(at, true);
    // AND (immediate), cond AL, S clear, whose modified immediate is 0xf8000000 (an assembler writes it 0x33e: 0x3e ror 6).
    if (word >>> 20 !== 0xe20 || armExpandImm(word & 0xfff) !== 0xf800_0000) continue;
    const base = (word >>> 12) & 0xf;
    for (let next = at + 4; next + 4 <= end && next <= at + 4 * 32; next += 4) {
      const add = view.getUint32(next, true);
      // ADD (immediate), cond AL, S clear, Rd = r4 (the kernel's address in head.S), Rn = the AND's Rd.
      if (add >>> 20 === 0xe28 && ((add >>> 12) & 0xf) === 4 && ((add >>> 16) & 0xf) === base) return armExpandImm(add & 0xfff);
    }
  }
  return undefined;
}

/**
 * The kernel inside a zImage (arch/arm/boot/compressed: piggy.S puts the
 * compressed kernel between `input_data` and `input_data_end`, whose last
 * word is the decompressed size, little-endian). Only an XZ payload is
 * undone (Debian's armmp kernels; `--arm --lzma2`, whose BCJ filter the
 * loader undoes). It goes where a decompressor built with AUTO_ZRELADDR
 * (every multiplatform kernel) puts it: `(pc & 0xf8000000) + TEXT_OFFSET`
 * with the zImage at RAM + 0x8000, i.e. the 128 MiB-aligned RAM base plus
 * the TEXT_OFFSET the decompressor adds ({@link decompressorTextOffset};
 * 0x8000 when it is not found). Placed 2 MiB too low (0x8000 where the
 * kernel was built for 0x208000), the kernel's head.S derives PHYS_OFFSET
 * from where it runs, so its linear map is 2 MiB off: Debian's armmp then
 * fetched other functions' code once paging_init switched tables.
 */
async function zimagePayload(bytes: Uint8Array, ram: RamRegion): Promise<ImagePlacement> {
  const tried: string[] = [];
  // The decompressor's own code may hold the magic too (it checks for it), so every candidate is tried in turn.
  for (let at = bytes.indexOf(XZ_MAGIC[0]!, 0x34); at >= 0 && at + XZ_MAGIC.length <= bytes.length; at = bytes.indexOf(XZ_MAGIC[0]!, at + 1)) {
    if (!XZ_MAGIC.every((b, i) => bytes[at + i] === b)) continue;
    let stream: { bytes: Uint8Array; length: number };
    try {
      stream = await decompressXzPayload(bytes.subarray(at));
    } catch (error) {
      tried.push(`0x${at.toString(16)}: ${(error as Error).message}`);
      continue;
    }
    const sizeAt = at + stream.length;
    const recorded = sizeAt + 4 <= bytes.length ? new ImageReader(bytes, true, 'zImage').u32(sizeAt, 'payload size') : undefined;
    if (recorded !== stream.bytes.length) {
      tried.push(`0x${at.toString(16)}: decompresses to ${stream.bytes.length} bytes, but the word after it says ${recorded ?? 'nothing'}`);
      continue;
    }
    const found = decompressorTextOffset(bytes);
    const textOffset = found ?? DEFAULT_TEXT_OFFSET;
    const address = (ram.base & 0xf800_0000) + textOffset;
    return {
      format: 'zImage payload',
      segments: [{ address, bytes: stream.bytes, memorySize: stream.bytes.length }],
      entry: address,
      facts: [`XZ payload at offset 0x${at.toString(16)} (${stream.length} bytes), ${stream.bytes.length} bytes decompressed by hyplay`, `TEXT_OFFSET 0x${textOffset.toString(16)} (${found === undefined ? 'not found in the decompressor: the default' : "the decompressor's add r4, …, #TEXT_OFFSET"})`, 'entered as the decompressor enters the kernel (AUTO_ZRELADDR placement)'],
    };
  }
  throw new ImageError(`zImage: no XZ payload found (gzip, LZMA, LZO and LZ4 payloads are not undone)${tried.length === 0 ? '' : `; tried ${tried.join('; ')}`}`, 0x34);
}

/** The ARM zImage: PIC code with the header words at 0x24. */
export const ZIMAGE_FORMAT: ImageFormat = {
  name: 'zImage',
  payload: zimagePayload,
  place(bytes: Uint8Array, ram: RamRegion) {
    if (bytes.length < 0x34) return undefined;
    const r = new ImageReader(bytes, true, 'zImage');
    if (r.u32(0x24, 'magic') !== ZIMAGE_MAGIC) return undefined;
    const start = r.u32(0x28, 'start address');
    const end = r.u32(0x2c, 'end address');
    const flag = r.u32(0x30, 'endianness flag');
    if (flag !== LITTLE_FLAG) throw new ImageError(`zImage: endianness flag 0x${flag.toString(16)} is not a little-endian kernel's 0x04030201 (this model is little-endian)`, 0x30);
    if (end <= start) throw new ImageError(`zImage: end address 0x${end.toString(16)} is not above start address 0x${start.toString(16)}`, 0x2c);
    const size = end - start;
    if (size > bytes.length) throw new ImageError(`zImage: the header says ${size} bytes but the file has ${bytes.length}`, 0x2c);
    // start = 0 is position-independent (booting.rst); otherwise the image runs where it was linked.
    const address = start === 0 ? ram.base + ZIMAGE_OFFSET : start;
    return {
      format: 'zImage',
      segments: [{ address, bytes: bytes.subarray(0, size), memorySize: size }],
      entry: address,
      facts: [`start 0x${start.toString(16)}${start === 0 ? ' (position-independent)' : ''}`, `end 0x${end.toString(16)}`, 'little-endian'],
    };
  },
};

/** The machine description: memory, one Cortex-A15, the PL011 and its clock, the command line. */
function deviceTree(ram: RamRegion, bootargs: string): FdtNode {
  const uart = `pl011@${ARM32_UART_BASE.toString(16)}`;
  return {
    name: '',
    properties: { '#address-cells': [1], '#size-cells': [1], compatible: 'linux,dummy-virt', model: 'hyplay arm32 (virt-like)' },
    children: [
      { name: 'chosen', properties: { bootargs, 'stdout-path': `/${uart}` } },
      { name: `memory@${ram.base.toString(16)}`, properties: { device_type: 'memory', reg: [ram.base, ram.size] } },
      {
        name: 'cpus',
        properties: { '#address-cells': [1], '#size-cells': [0] },
        children: [{ name: 'cpu@0', properties: { device_type: 'cpu', compatible: 'arm,cortex-a15', reg: [0] } }],
      },
      { name: 'apb-pclk', properties: { compatible: 'fixed-clock', '#clock-cells': [0], 'clock-frequency': [24_000_000], 'clock-output-names': 'clk24mhz', phandle: [1] } },
      {
        name: uart,
        properties: { compatible: ['arm,pl011', 'arm,primecell'], reg: [ARM32_UART_BASE, 0x1000], clocks: [1, 1], 'clock-names': ['uartclk', 'apb_pclk'] },
      },
    ],
  };
}

/** How arm32 boots images: zImage or ELF, 256 MiB at 0x40000000, entered in Hyp with r0 = 0, r1 = ~0, r2 = the device tree. */
export const ARM32_BOOT: BootSupport = {
  consoleBase: ARM32_UART_BASE,
  elfMachines: [40],
  formats: [ZIMAGE_FORMAT],
  ram: { base: 0x4000_0000, size: 256 << 20 },
  mode: 'hyp',
  rawOffset: ZIMAGE_OFFSET,
  deviceTree,
  enter(machine, entry) {
    // booting.rst "Calling the kernel image": r0 = 0, r1 = machine type (ignored for a device tree; ~0 as no board
    // number), r2 = the device tree's physical address; IRQ and FIQ masked (setMode masks A, I and F), MMU and caches off.
    machine.setRegister('r0', 0n);
    machine.setRegister('r1', 0xffff_ffffn);
    machine.setRegister('r2', BigInt(entry.deviceTree ?? 0));
    machine.pc = entry.entry;
  },
  protocol: 'r0 = 0, r1 = 0xffffffff (no board number: a device tree follows), r2 = device tree address; A, I, F masked; MMU off (Documentation/arch/arm/booting.rst)',
  // A zImage entered in Hyp installs two copies of arch/arm/kernel/hyp-stub.S: the decompressor's (built with ZIMAGE, from
  // arch/arm/boot/compressed/head.S before it drops to svc) and, after the Hyp re-entry, the kernel proper's (head.S).
  stubs: [
    { name: 'zimage', description: "the zImage decompressor's copy of the hyp stub (compressed/head.S __hyp_stub_install, then the drop to svc)", decompressor: true },
    { name: 'kernel', description: "the kernel proper's hyp stub (head.S __hyp_stub_install after the Hyp re-entry, then the drop to svc)" },
  ],
};
