/**
 * The MMIO bus: guest-physical address ranges mapped to device models.
 * A hypervisor that has decided an access is emulated I/O (a stage-2 fault
 * outside the guest's memory) hands it here; the device answers it, and
 * every access it answers is reported, in order, as one {@link MmioAccess}
 * (the trace shows it as an exit line, `mmio write 4 bytes 0x… at IPA 0x…`).
 *
 * The bus is a {@link CallMemory} (reads give `undefined` and writes false
 * where no device is mapped), so a spec's semantics reach devices through
 * the memory they already have.
 *
 * Nothing here names an architecture: sizes, directions and values only.
 *
 * @module
 */

import type { CallMemory } from '../abi/spec.ts';
import type { UnbackedAccessHandler } from '../memory/guest-memory.ts';

/** The width of one access, in bytes. */
export type MmioSize = 1 | 2 | 4 | 8;

/** Whether the guest read or wrote. */
export type MmioDirection = 'read' | 'write';

/**
 * A device model. Offsets are from the start of its window on the bus;
 * values are the access's bytes as an unsigned integer (the bus has already
 * put them in the guest's byte order). A model answers every offset of its
 * window with a defined value: a register it does not implement reads as a
 * value of its own choosing and says so through {@link MmioDevice.describe}.
 */
export interface MmioDevice {
  /** The device's kind, for messages (`pl011`, `test-registers`). */
  readonly kind: string;
  /** Bytes its window spans. */
  readonly size: number;
  /** Answer a read. */
  read(offset: number, size: MmioSize): bigint;
  /** Take a write. */
  write(offset: number, size: MmioSize, value: bigint): void;
  /** The register at `offset` by the device's name for it (`UARTDR`), with `unimplemented` where the model has none there. */
  describe(offset: number): MmioRegisterName;
  /** What the device has to say at the end of a run, one line (a UART's output), or `undefined`. */
  report?(): string | undefined;
}

/** A register as a device names it. */
export interface MmioRegisterName {
  /** Its name (`UARTDR`), or the offset (`+0x40`) where the device has none. */
  readonly register: string;
  /** Whether the model leaves it unimplemented (it reads as the model's defined value). */
  readonly unimplemented: boolean;
}

/** One access a device answered. */
export interface MmioAccess {
  /** Read or write. */
  readonly direction: MmioDirection;
  /** Width in bytes. */
  readonly size: MmioSize;
  /** The value read or written. */
  readonly value: bigint;
  /** The guest-physical (intermediate physical) address. */
  readonly ipa: bigint;
  /** The name the device was mapped under (`uart0`). */
  readonly device: string;
  /** The register's name (`UARTDR`, or `+0x40` where the device has no name for it). */
  readonly register: string;
  /** Whether the model implements that register (false: it answered with its defined value, loudly). */
  readonly unimplemented: boolean;
}

/** A device on the bus. */
export interface MmioMapping {
  /** Its name on this bus (`uart0`). */
  readonly name: string;
  /** First IPA. */
  readonly base: bigint;
  /** The model. */
  readonly device: MmioDevice;
}

/** A mapping that overlaps another, or a device with no window. The message names both. */
export class MmioBusError extends Error {
  /** Always `'MmioBusError'`. */
  override readonly name = 'MmioBusError';
}

/** `0x` hex of a value, at least 8 digits (16 for a 64-bit access). */
export function hexMmio(value: bigint, digits = 8): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

/** One line for an access, the trace's exit line: `mmio write 4 bytes 0x00000041 at IPA 0x09000000 (uart0 UARTDR)`. */
export function formatMmioAccess(access: MmioAccess): string {
  const bytes = access.size === 1 ? 'byte' : 'bytes';
  const unimplemented = access.unimplemented ? ', not implemented by the model' : '';
  return `mmio ${access.direction} ${access.size} ${bytes} ${hexMmio(access.value, access.size * 2)} at IPA ${hexMmio(access.ipa)} (${access.device} ${access.register}${unimplemented})`;
}

const MASKS: Readonly<Record<MmioSize, bigint>> = { 1: 0xffn, 2: 0xffffn, 4: 0xffff_ffffn, 8: 0xffff_ffff_ffff_ffffn };

/** The bus. Mappings are kept sorted by base; lookups are a scan (a machine has a handful of devices). */
export class MmioBus implements CallMemory {
  private readonly mappings: MmioMapping[] = [];
  /** Called with every access a device answered, in order (the trace's exit lines). */
  onAccess: ((access: MmioAccess) => void) | undefined = undefined;

  /** Map `device` at `base` under `name`; overlapping another mapping or reusing a name is an {@link MmioBusError}. */
  map(name: string, base: bigint, device: MmioDevice): this {
    if (!Number.isInteger(device.size) || device.size <= 0) throw new MmioBusError(`device ${name} (${device.kind}) has no window (size ${device.size})`);
    const end = base + BigInt(device.size);
    for (const other of this.mappings) {
      if (other.name === name) throw new MmioBusError(`a device is already mapped as ${name}`);
      const otherEnd = other.base + BigInt(other.device.size);
      if (base < otherEnd && other.base < end) throw new MmioBusError(`${name} at ${hexMmio(base)}-${hexMmio(end - 1n)} overlaps ${other.name} at ${hexMmio(other.base)}-${hexMmio(otherEnd - 1n)}`);
    }
    this.mappings.push({ name, base, device });
    this.mappings.sort((a, b) => (a.base < b.base ? -1 : 1));
    return this;
  }

  /** Every mapping, by base. */
  get devices(): readonly MmioMapping[] {
    return this.mappings;
  }

  /** The mapping whose window holds all `size` bytes at `ipa`, or `undefined`. */
  find(ipa: bigint, size: MmioSize = 1): MmioMapping | undefined {
    for (const mapping of this.mappings) {
      if (ipa >= mapping.base && ipa + BigInt(size) <= mapping.base + BigInt(mapping.device.size)) return mapping;
    }
    return undefined;
  }

  /** A device's answer to a read at `ipa`, or `undefined` where no device is mapped. */
  read(ipa: bigint, size: MmioSize): bigint | undefined {
    const mapping = this.find(ipa, size);
    if (mapping === undefined) return undefined;
    const offset = Number(ipa - mapping.base);
    const value = mapping.device.read(offset, size) & MASKS[size];
    this.report(mapping, offset, 'read', size, value, ipa);
    return value;
  }

  /** Hand a write at `ipa` to its device; false where none is mapped. */
  write(ipa: bigint, size: MmioSize, value: bigint): boolean {
    const mapping = this.find(ipa, size);
    if (mapping === undefined) return false;
    const offset = Number(ipa - mapping.base);
    const masked = BigInt.asUintN(64, value) & MASKS[size];
    mapping.device.write(offset, size, masked);
    this.report(mapping, offset, 'write', size, masked, ipa);
    return true;
  }

  private report(mapping: MmioMapping, offset: number, direction: MmioDirection, size: MmioSize, value: bigint, ipa: bigint): void {
    if (this.onAccess === undefined) return;
    const { register, unimplemented } = mapping.device.describe(offset);
    this.onAccess({ direction, size, value, ipa, device: mapping.name, register, unimplemented });
  }
}

/**
 * The bus as a machine's handler of accesses outside RAM
 * (`GuestMemory.setUnbackedHandler`): for a machine with no hypervisor in
 * between, where the guest's own loads and stores reach the devices (a
 * bare-metal kernel's early console). Under a hypervisor the devices sit
 * behind its spec firmware instead (a scenario's `devices`).
 */
export function unbackedHandler(bus: MmioBus): UnbackedAccessHandler {
  return {
    read: (address, size) => {
      const value = bus.read(BigInt(address >>> 0), size as MmioSize);
      return value === undefined ? undefined : Number(value);
    },
    write: (address, size, value) => bus.write(BigInt(address >>> 0), size as MmioSize, BigInt(value >>> 0)),
  };
}

/**
 * Memory that tries `first` and then `second`: a device bus in front of the
 * guest's RAM, as a hypervisor's semantics see guest-physical space (an IPA
 * a device claims is the device's, any other is RAM or nothing).
 */
export function layeredMemory(first: CallMemory, second: CallMemory): CallMemory {
  return {
    read: (address, size) => first.read(address, size) ?? second.read(address, size),
    write: (address, size, value) => first.write(address, size, value) || second.write(address, size, value),
  };
}
