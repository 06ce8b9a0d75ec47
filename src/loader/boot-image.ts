/**
 * Loading a boot image into a machine: what a file is (compressed or not,
 * ELF, an architecture's own kernel image header, or raw bytes), where its
 * bytes go in RAM, and the state a kernel is entered with (the mode, a
 * device tree blob, the boot protocol's registers).
 *
 * The architecture-specific parts, the kernel image headers, ELF machine
 * numbers, default RAM, boot mode, machine description and boot protocol,
 * are a backend's {@link BootSupport}. This file knows none of them.
 *
 * @module
 */

import type { Machine } from '../interp/machine.ts';
import { decompressImage, type Compression } from './decompress.ts';
import { isElf, parseElf } from './elf.ts';
import { encodeFdt, type FdtNode } from './fdt.ts';
import { ImageError } from './image-error.ts';
import { SymbolTable } from './symbols.ts';

/** A RAM region: `size` bytes from `base`. */
export interface RamRegion {
  /** First byte. */
  readonly base: number;
  /** Length in bytes. */
  readonly size: number;
}

/** Bytes placed at an address, with zeros after them up to `memorySize`. */
export interface PlacedSegment {
  /** Where the first byte goes. */
  readonly address: number;
  /** The bytes. */
  readonly bytes: Uint8Array;
  /** Bytes the segment takes in memory (at least `bytes.length`; the rest is zeroed). */
  readonly memorySize: number;
}

/** Where a format puts an image, and where it is entered. */
export interface ImagePlacement {
  /** The format's name as shown (`zImage`, `arm64 Image`, `ELF64`, `raw`). */
  readonly format: string;
  /** The bytes and where they go. */
  readonly segments: readonly PlacedSegment[];
  /** The entry point (a physical address). */
  readonly entry: number;
  /** Header facts worth showing (`text_offset 0x0`, `flags 0xa: little-endian, 4K pages`). */
  readonly facts: readonly string[];
}

/**
 * A kernel image header an architecture defines (the ARM zImage, the arm64
 * Image). `place` returns `undefined` when `bytes` are not in this format
 * (no magic) and throws {@link ImageError} when they claim to be and are
 * malformed.
 */
export interface ImageFormat {
  /** The format's name. */
  readonly name: string;
  /** Where the image goes in `ram`, or `undefined` when `bytes` are not this format. */
  place(bytes: Uint8Array, ram: RamRegion): ImagePlacement | undefined;
  /**
   * For a self-decompressing image (the ARM zImage): the kernel inside it,
   * decompressed here, placed where the image's own decompressor would put
   * it and entered there, skipping the decompressor. Only called on bytes
   * {@link ImageFormat.place} took; throws {@link ImageError} when the
   * payload cannot be found or undone.
   */
  payload?(bytes: Uint8Array, ram: RamRegion): Promise<ImagePlacement>;
}

/** The state a kernel is entered in, as the boot protocol hands it over. */
export interface BootEntry {
  /** The entry point. */
  readonly entry: number;
  /** Where the device tree blob is, or `undefined` when none is given. */
  readonly deviceTree: number | undefined;
  /** The RAM the kernel is given. */
  readonly ram: RamRegion;
}

/** A hyp stub a kernel image of an architecture installs while it boots (conformance takes it as `image:FILE@name`). */
export interface ImageStub {
  /** Short name (`zimage`, `kernel`). */
  readonly name: string;
  /** One line: which code installs it, and when. */
  readonly description: string;
  /**
   * True for a stub a self-decompressing image's own decompressor installs
   * before it enters the kernel: a boot of the payload
   * ({@link BootOptions.payload}) starts past it, so never sees it.
   */
  readonly decompressor?: boolean;
}

/** What a backend offers for booting real images. */
export interface BootSupport {
  /** ELF e_machine values this backend runs (40 ARM, 183 AArch64, …). */
  readonly elfMachines: readonly number[];
  /** Its kernel image formats, tried in order after ELF. */
  readonly formats: readonly ImageFormat[];
  /** RAM when `--ram` is not given. */
  readonly ram: RamRegion;
  /** The mode a kernel is entered in by default (the highest the model has: Hyp, EL2). */
  readonly mode: string;
  /** Where the boot protocol wants raw bytes with no header (the conventional kernel load offset from RAM's base). */
  readonly rawOffset: number;
  /** The machine description a kernel is given with `ram` and the kernel command line. */
  deviceTree(ram: RamRegion, bootargs: string): FdtNode;
  /** Set the boot protocol's registers and the PC (the mode is already set). */
  enter(machine: Machine, entry: BootEntry): void;
  /** Lines describing the boot protocol as `enter` follows it, with its source (for the report). */
  readonly protocol: string;
  /**
   * The UART the generated device tree names as `stdout-path` (a PL011 at
   * this physical address), which a boot attaches to the machine's
   * physical memory so the kernel's early console shows; absent: none.
   */
  readonly consoleBase?: number;
  /**
   * The hyp stubs a kernel image installs, in the order it installs them
   * (the zImage decompressor's before the kernel proper's). Absent: one,
   * {@link KERNEL_STUB}.
   */
  readonly stubs?: readonly ImageStub[];
}

/** The one stub of an architecture that does not list its own: the kernel's. */
export const KERNEL_STUB: ImageStub = { name: 'kernel', description: "the kernel's own hyp stub" };

/** A range of guest memory. */
export interface AddressRange {
  /** First byte. */
  readonly address: number;
  /** Length in bytes. */
  readonly size: number;
}

/** A file understood: where it goes, what wrapped it, the symbols it names. */
export interface PlacedImage {
  /** The placement. */
  readonly placement: ImagePlacement;
  /** Compression layers removed, outermost first. */
  readonly compression: readonly Compression[];
  /** The image's symbols (empty for formats without any). */
  readonly symbols: SymbolTable;
}

/** Options of {@link loadBootImage}. */
export interface BootOptions {
  /** RAM; the backend's default when absent. */
  readonly ram?: RamRegion;
  /** Load address for raw bytes (no header): RAM's base plus the backend's raw offset when absent. */
  readonly loadAddress?: number;
  /** Entry point override. */
  readonly entry?: number;
  /** Starting mode; the backend's boot mode when absent. */
  readonly mode?: string;
  /** A device tree blob to pass instead of the generated one; `false` passes none. */
  readonly deviceTree?: Uint8Array | false;
  /** Kernel command line for the generated device tree. */
  readonly bootargs?: string;
  /** Boot the kernel inside a self-decompressing image directly (see {@link ImageFormat.payload}). */
  readonly payload?: boolean;
}

/** What was loaded, for the report. */
export interface LoadedBootImage {
  /** The format. */
  readonly format: string;
  /** Compression layers removed, outermost first. */
  readonly compression: readonly Compression[];
  /** The segments, as placed. */
  readonly segments: readonly AddressRange[];
  /** Entry point. */
  readonly entry: number;
  /** The RAM given. */
  readonly ram: RamRegion;
  /** Where the device tree blob went, and its size, when one was passed. */
  readonly deviceTree: AddressRange | undefined;
  /** The mode it starts in. */
  readonly mode: string;
  /** Header facts. */
  readonly facts: readonly string[];
  /** The image's symbols (empty for formats without any). */
  readonly symbols: SymbolTable;
}

/** Where the generated or given device tree goes: 128 MiB into RAM (or half way in a smaller RAM), 8-byte aligned, clear of a kernel decompressing itself near RAM's base. */
function deviceTreeAddress(ram: RamRegion, size: number): number {
  const offset = Math.min(128 << 20, Math.floor(ram.size / 2));
  const address = ram.base + offset - (offset % 8);
  if (address + size > ram.base + ram.size) throw new ImageError(`the ${size}-byte device tree does not fit in RAM`, 0);
  return address;
}

/**
 * Parse `file`, the image's bytes as read, into a placement: decompress, then
 * ELF, then the backend's formats, then raw. With `payload`, the kernel inside
 * a self-decompressing format instead (an error for any other file).
 */
export async function placeImage(file: Uint8Array, boot: BootSupport, ram: RamRegion, loadAddress?: number, payload = false): Promise<PlacedImage> {
  const { bytes, layers } = await decompressImage(file);
  if (payload) {
    const format = boot.formats.find((f) => f.payload !== undefined && f.place(bytes, ram) !== undefined);
    if (format === undefined) throw new ImageError(`the image is not a self-decompressing one (${boot.formats.filter((f) => f.payload !== undefined).map((f) => f.name).join(', ') || 'this architecture has none'}): boot it without the payload option`, 0);
    return { placement: await format.payload!(bytes, ram), compression: layers, symbols: SymbolTable.EMPTY };
  }
  if (isElf(bytes)) {
    const elf = parseElf(bytes);
    if (!boot.elfMachines.includes(elf.machine)) throw new ImageError(`ELF: e_machine ${elf.machine} is not one this architecture runs (${boot.elfMachines.join(', ')})`, 18);
    if (elf.segments.length === 0) throw new ImageError('ELF: no PT_LOAD segment', 0);
    const segments = elf.segments.map((s) => ({ address: Number(s.physical), bytes: s.bytes, memorySize: s.memorySize }));
    // e_entry is virtual; a kernel is entered at the physical address of the same place.
    const holder = elf.segments.find((s) => elf.entry >= s.virtual && elf.entry < s.virtual + BigInt(s.memorySize));
    const entry = holder === undefined ? Number(elf.entry) : Number(elf.entry - holder.virtual + holder.physical);
    const symbols = new SymbolTable(elf.symbols, elf.segments);
    return { placement: { format: `ELF${elf.bits}`, segments, entry, facts: [`e_entry 0x${elf.entry.toString(16)}`, `${elf.symbols.length} symbols`] }, compression: layers, symbols };
  }
  for (const format of boot.formats) {
    const placement = format.place(bytes, ram);
    if (placement !== undefined) return { placement, compression: layers, symbols: SymbolTable.EMPTY };
  }
  const address = loadAddress ?? ram.base + boot.rawOffset;
  return { placement: { format: 'raw', segments: [{ address, bytes, memorySize: bytes.length }], entry: address, facts: [] }, compression: layers, symbols: SymbolTable.EMPTY };
}

/**
 * Load `file` into `machine` (fresh, nothing mapped): map RAM, place the
 * image, put a device tree in RAM, set the mode and the boot protocol's
 * registers. Throws {@link ImageError} for a malformed image or one that
 * does not fit in RAM.
 */
export async function loadBootImage(machine: Machine, file: Uint8Array, boot: BootSupport, options: BootOptions = {}): Promise<LoadedBootImage> {
  const ram = options.ram ?? boot.ram;
  const { placement, compression, symbols } = await placeImage(file, boot, ram, options.loadAddress, options.payload === true);
  for (const segment of placement.segments) {
    if (segment.address < ram.base || segment.address + segment.memorySize > ram.base + ram.size) {
      throw new ImageError(
        `${placement.format}: ${segment.memorySize} bytes at 0x${segment.address.toString(16)} do not fit in RAM 0x${ram.base.toString(16)}..0x${(ram.base + ram.size).toString(16)}`,
        0,
      );
    }
  }
  machine.memory.map(ram.base, ram.size);
  for (const segment of placement.segments) machine.memory.writeBytes(segment.address, segment.bytes);
  let deviceTree: LoadedBootImage['deviceTree'];
  if (options.deviceTree !== false) {
    const blob = options.deviceTree ?? encodeFdt(boot.deviceTree(ram, options.bootargs ?? ''));
    const address = deviceTreeAddress(ram, blob.length);
    const image = placement.segments.find((s) => address < s.address + s.memorySize && s.address < address + blob.length);
    if (image !== undefined) throw new ImageError(`the device tree at 0x${address.toString(16)} would overlap the image: give more RAM`, 0);
    machine.memory.writeBytes(address, blob);
    deviceTree = { address, size: blob.length };
  }
  const mode = options.mode ?? boot.mode;
  machine.setMode(mode);
  const entry = options.entry ?? placement.entry;
  boot.enter(machine, { entry, deviceTree: deviceTree?.address, ram });
  return {
    format: placement.format,
    compression,
    segments: placement.segments.map((s) => ({ address: s.address, size: s.memorySize })),
    entry,
    ram,
    deviceTree,
    mode,
    facts: placement.facts,
    symbols,
  };
}
