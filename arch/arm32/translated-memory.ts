/**
 * Guest memory as an arm32 instruction sees it while the MMU translates:
 * every access goes through the machine's TLB ({@link Arm32Tlb}) and then
 * to guest-physical memory, so that instruction semantics written against
 * {@link GuestMemory} run unchanged on virtual addresses. Ops predecoded
 * while translation is on carry this view as their memory; the physical
 * memory stays what every untranslated op uses, so a machine with the MMU
 * off runs exactly the code it ran before.
 *
 * An access that crosses a page is made a byte at a time, each byte
 * translated (B3.1: a translation is per page); it faults, with nothing
 * written, if any byte does.
 *
 * @module
 */

import { GuestMemory } from '../../src/memory/guest-memory.ts';
import { Mode, type Arm32State } from './registers.ts';
import type { Arm32Tlb } from './tlb.ts';

/** The translating view (see the module comment). */
export class TranslatedMemory extends GuestMemory {
  private readonly state: Arm32State;

  /**
   * @param physical guest-physical memory.
   * @param tlb the machine's TLB (its state selects the regime).
   */
  constructor(
    readonly physical: GuestMemory,
    readonly tlb: Arm32Tlb,
  ) {
    super(physical.endian);
    this.state = tlb.state;
  }

  /**
   * Set while an unprivileged load or store (LDRT and its family, A8.8.92)
   * accesses memory from PL1: its accesses are checked as PL0's (B3.7.1).
   */
  unprivileged = false;

  /** PL0 accesses are unprivileged (B3.7.1), and so are LDRT's. */
  private user(): boolean {
    return this.unprivileged || this.state.mode === Mode.usr;
  }

  /** The guest-physical address of a data access, or -1 (a fault). */
  translateData(address: number, write: boolean): number {
    return this.tlb.translate(address >>> 0, write, false, this.user());
  }

  /** Whether `size` bytes from `address` stay in one page. */
  private static inPage(address: number, size: number): boolean {
    return (address & 0xfff) <= 0x1000 - size;
  }

  /** True when a read of the byte at `address` translates and lands in RAM. */
  override isMapped(address: number): boolean {
    const pa = this.translateData(address, false);
    return pa >= 0 && this.physical.isMapped(pa);
  }

  /** True when a write to the byte at `address` translates (write permission included) and lands in RAM. */
  override isWritable(address: number): boolean {
    const pa = this.translateData(address, true);
    return pa >= 0 && this.physical.isMapped(pa);
  }

  override read8(address: number): number | undefined {
    const pa = this.translateData(address, false);
    return pa < 0 ? undefined : this.physical.read8(pa);
  }

  override read16(address: number): number | undefined {
    if (!TranslatedMemory.inPage(address, 2)) return this.readBytewise(address, 2);
    const pa = this.translateData(address, false);
    return pa < 0 ? undefined : this.physical.read16(pa);
  }

  override read32(address: number): number | undefined {
    if (!TranslatedMemory.inPage(address, 4)) return this.readBytewise(address, 4);
    const pa = this.translateData(address, false);
    return pa < 0 ? undefined : this.physical.read32(pa);
  }

  override read64(address: number): bigint | undefined {
    const a = this.read32(address);
    const b = a === undefined ? undefined : this.read32(address + 4);
    if (a === undefined || b === undefined) return undefined;
    return this.endian === 'little' ? (BigInt(b) << 32n) | BigInt(a) : (BigInt(a) << 32n) | BigInt(b);
  }

  override write8(address: number, value: number): boolean {
    const pa = this.translateData(address, true);
    return pa >= 0 && this.physical.write8(pa, value);
  }

  override write16(address: number, value: number): boolean {
    if (!TranslatedMemory.inPage(address, 2)) return this.writeBytewise(address, value, 2);
    const pa = this.translateData(address, true);
    return pa >= 0 && this.physical.write16(pa, value);
  }

  override write32(address: number, value: number): boolean {
    if (!TranslatedMemory.inPage(address, 4)) return this.writeBytewise(address, value, 4);
    const pa = this.translateData(address, true);
    return pa >= 0 && this.physical.write32(pa, value);
  }

  override write64(address: number, value: bigint): boolean {
    const high = Number((value >> 32n) & 0xffff_ffffn);
    const low = Number(value & 0xffff_ffffn);
    if (!this.isWritable(address) || !this.isWritable(address + 4)) return false;
    return this.endian === 'little' ? this.write32(address, low) && this.write32(address + 4, high) : this.write32(address, high) && this.write32(address + 4, low);
  }

  /** Instruction fetches go through {@link Arm32Tlb.translate} as executes in the core; this view's fetch is a read. */
  override fetch32(address: number): number | undefined {
    const pa = this.tlb.translate(address >>> 0, false, true, this.user());
    return pa < 0 ? undefined : this.physical.fetch32(pa);
  }

  override readBytes(address: number, length: number): Uint8Array | undefined {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const pa = this.translateData(address + i, false);
      const byte = pa < 0 ? undefined : this.physical.readBytes(pa, 1)?.[0];
      if (byte === undefined) return undefined;
      out[i] = byte;
    }
    return out;
  }

  private readBytewise(address: number, size: number): number | undefined {
    let value = 0;
    const little = this.endian === 'little';
    for (let i = 0; i < size; i++) {
      const byte = this.read8((little ? address + size - 1 - i : address + i) >>> 0);
      if (byte === undefined) return undefined;
      value = value * 256 + byte;
    }
    return value;
  }

  private writeBytewise(address: number, value: number, size: number): boolean {
    for (let i = 0; i < size; i++) if (!this.isWritable((address + i) >>> 0)) return false;
    const little = this.endian === 'little';
    for (let i = 0; i < size; i++) {
      const shift = little ? 8 * i : 8 * (size - 1 - i);
      this.write8((address + i) >>> 0, Math.floor(value / 2 ** shift) & 0xff);
    }
    return true;
  }
}
