/**
 * Guest memory as an arm64 instruction sees it while the EL1&0 regime
 * translates, by stage 1, stage 2 or both (`tlb.ts`, `translationActive`): every access
 * goes through the machine's TLB ({@link Arm64Tlb}) and then to
 * guest-physical memory, so that the load/store semantics written against
 * {@link GuestMemory} run unchanged on virtual addresses (the signed
 * representation, see `tlb.ts`). Ops predecoded while translation is on
 * carry this view as their memory; untranslated ops keep the physical
 * memory, so a machine with the MMU off runs exactly the code it ran
 * before.
 *
 * The privilege of an access is the current EL's (EL0 accesses are checked
 * against AP[1]), or EL0's for LDTR/STTR at EL1 ({@link Arm64TranslatedMemory.unprivileged}); an access that crosses a page is made a byte at a time,
 * each byte translated (D8.2: a translation is per page), and faults with
 * nothing written if any byte does. Every failure is noted in the TLB, so
 * that the exception model reports its fault status code.
 *
 * @module
 */

import { GuestMemory } from '../../src/memory/guest-memory.ts';
import { Access, type Arm64Tlb } from './tlb.ts';
import type { Arm64State } from './registers.ts';

/** The translating view (see the module comment). */
export class Arm64TranslatedMemory extends GuestMemory {
  private readonly state: Arm64State;

  /**
   * @param physical guest-physical memory.
   * @param tlb the machine's TLB (its state selects the regime).
   */
  constructor(
    readonly physical: GuestMemory,
    readonly tlb: Arm64Tlb,
  ) {
    super(physical.endian);
    this.state = tlb.state;
  }

  /**
   * Set while an unprivileged load or store (LDTR/STTR and their sizes,
   * C6.2.150 and neighbours) runs at EL1: its data accesses are checked as
   * EL0's (D8.4.1, "unprivileged"; in ARMv8.0 there is no PSTATE.UAO, and
   * HCR_EL2.{NV, NV1} are not implemented).
   */
  unprivileged = false;

  /** The physical address of a data access, or -1 (a translation fault, noted in the TLB). EL0's, and LDTR's, are checked as EL0 accesses. */
  private data(address: number, write: boolean): number {
    return this.tlb.translate(address, (write ? Access.write : Access.read) | (this.unprivileged || this.state.el === 0 ? Access.el0 : 0));
  }

  /** Whether `size` bytes from `address` stay in one page. */
  private static inPage(address: number, size: number): boolean {
    return (address & 0xfff) <= 0x1000 - size;
  }

  /** A read that translated but found nothing. */
  private missed<T>(address: number): T | undefined {
    this.tlb.external(address);
    return undefined;
  }

  /** True when a read of the byte at `address` translates and lands in RAM. */
  override isMapped(address: number): boolean {
    const pa = this.data(address, false);
    return pa >= 0 && this.physical.isMapped(pa);
  }

  override read8(address: number): number | undefined {
    const pa = this.data(address, false);
    if (pa < 0) return undefined;
    return this.physical.read8(pa) ?? this.missed(address);
  }

  override read16(address: number): number | undefined {
    if (!Arm64TranslatedMemory.inPage(address, 2)) return this.readBytewise(address, 2);
    const pa = this.data(address, false);
    if (pa < 0) return undefined;
    return this.physical.read16(pa) ?? this.missed(address);
  }

  override read32(address: number): number | undefined {
    if (!Arm64TranslatedMemory.inPage(address, 4)) return this.readBytewise(address, 4);
    const pa = this.data(address, false);
    if (pa < 0) return undefined;
    return this.physical.read32(pa) ?? this.missed(address);
  }

  override read64(address: number): bigint | undefined {
    const a = this.read32(address);
    const b = a === undefined ? undefined : this.read32(address + 4);
    if (a === undefined || b === undefined) return undefined;
    return (BigInt(b) << 32n) | BigInt(a);
  }

  override write8(address: number, value: number): boolean {
    const pa = this.data(address, true);
    if (pa < 0) return false;
    return this.physical.write8(pa, value) || this.failed(address);
  }

  override write16(address: number, value: number): boolean {
    if (!Arm64TranslatedMemory.inPage(address, 2)) return this.writeBytewise(address, value, 2);
    const pa = this.data(address, true);
    if (pa < 0) return false;
    return this.physical.write16(pa, value) || this.failed(address);
  }

  override write32(address: number, value: number): boolean {
    if (!Arm64TranslatedMemory.inPage(address, 4)) return this.writeBytewise(address, value, 4);
    const pa = this.data(address, true);
    if (pa < 0) return false;
    return this.physical.write32(pa, value) || this.failed(address);
  }

  override write64(address: number, value: bigint): boolean {
    if (!this.writable(address, 8)) return false;
    return this.write32(address, Number(value & 0xffff_ffffn)) && this.write32(address + 4, Number((value >> 32n) & 0xffff_ffffn));
  }

  /** A fetch through this view is a translated instruction fetch (the core fetches through the TLB itself; this is for other readers). */
  override fetch32(address: number): number | undefined {
    const pa = this.tlb.translate(address, Access.fetch | (this.state.el === 0 ? Access.el0 : 0));
    if (pa < 0) return undefined;
    return this.physical.fetch32(pa) ?? this.missed(address);
  }

  override readBytes(address: number, length: number): Uint8Array | undefined {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const byte = this.read8(address + i);
      if (byte === undefined) return undefined;
      out[i] = byte;
    }
    return out;
  }

  override writeBytes(address: number, bytes: Uint8Array): boolean {
    if (!this.writable(address, bytes.length)) return false;
    for (let i = 0; i < bytes.length; i++) this.write8(address + i, bytes[i]!);
    return true;
  }

  private failed(address: number): false {
    this.tlb.external(address);
    return false;
  }

  /** Whether every byte of `length` from `address` translates for a write and lands in RAM (checked a page at a time). */
  private writable(address: number, length: number): boolean {
    for (let at = address; at < address + length; at = (Math.floor(at / 4096) + 1) * 4096) {
      const pa = this.data(at, true);
      if (pa < 0) return false;
      const last = Math.min(address + length, (Math.floor(at / 4096) + 1) * 4096) - 1;
      if (!this.physical.isMapped(pa) || !this.physical.isMapped(pa + (last - at))) return this.failed(at);
    }
    return true;
  }

  private readBytewise(address: number, size: number): number | undefined {
    let value = 0;
    for (let i = size - 1; i >= 0; i--) {
      const byte = this.read8(address + i);
      if (byte === undefined) return undefined;
      value = value * 256 + byte;
    }
    return value;
  }

  private writeBytewise(address: number, value: number, size: number): boolean {
    if (!this.writable(address, size)) return false;
    for (let i = 0; i < size; i++) this.write8(address + i, Math.floor(value / 2 ** (8 * i)) & 0xff);
    return true;
  }
}
