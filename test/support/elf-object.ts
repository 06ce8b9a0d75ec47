/**
 * Assemble a whole source file with llvm-mc into an ELF object, read its
 * sections, and apply its relocations for a given placement of the
 * sections, so the result can be compared byte for byte with what hyplay's
 * assembler lays out. (An object leaves label references as relocations:
 * `.word label`, `ldr r0, =label`, `bl f`, `lis r3, x@ha`. Applying them
 * with hyplay's section addresses gives what a linker would, which is what
 * hyplay's flat image holds.)
 *
 * Reads ELF32 and ELF64 in either byte order; applies the ARM (REL) and
 * PowerPC 64 (RELA) relocation types these tests produce, and throws on any
 * other so a new one cannot pass unnoticed.
 *
 * @module
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One section of an object. */
export interface ObjectSection {
  /** Its name. */
  readonly name: string;
  /** `SHT_*` type (1 progbits, 8 nobits, …). */
  readonly type: number;
  /** `SHF_*` flags (1 write, 2 alloc, 4 exec). */
  readonly flags: number;
  /** Its size. */
  readonly size: number;
  /** Its contents (zeros for nobits), before relocation. */
  readonly bytes: Uint8Array;
}

interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly section: number;
}

interface ElfRelocation {
  readonly offset: number;
  readonly type: number;
  readonly symbol: number;
  readonly addend: number | undefined;
}

/** An object file as the comparison needs it. */
export interface ElfObject {
  /** `little` or `big`. */
  readonly endian: 'little' | 'big';
  /** 32 or 64. */
  readonly bits: 32 | 64;
  /** ELF machine (40 ARM, 21 PowerPC 64). */
  readonly machine: number;
  /** Sections by index (index 0 is the null section). */
  readonly sections: readonly ObjectSection[];
  /** Symbols by index. */
  readonly symbols: readonly ElfSymbol[];
  /** Relocations by the index of the section they patch. */
  readonly relocations: ReadonlyMap<number, readonly ElfRelocation[]>;
}

/** Parse an ELF relocatable object. */
export function parseElf(file: Uint8Array): ElfObject {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (view.getUint32(0, false) !== 0x7f454c46) throw new Error('not an ELF file');
  const bits = file[4] === 2 ? 64 : 32;
  const little = file[5] === 1;
  const u16 = (at: number): number => view.getUint16(at, little);
  const u32 = (at: number): number => view.getUint32(at, little);
  const word = (at: number): number => (bits === 64 ? Number(view.getBigUint64(at, little)) : u32(at));
  const sword = (at: number): number => (bits === 64 ? Number(view.getBigInt64(at, little)) : view.getInt32(at, little));
  const machine = u16(0x12);
  const shoff = word(bits === 64 ? 0x28 : 0x20);
  const shentsize = u16(bits === 64 ? 0x3a : 0x2e);
  const shnum = u16(bits === 64 ? 0x3c : 0x30);
  const shstrndx = u16(bits === 64 ? 0x3e : 0x32);
  const headers = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return bits === 64
      ? { name: u32(at), type: u32(at + 4), flags: word(at + 8), offset: word(at + 24), size: word(at + 32), link: u32(at + 40), info: u32(at + 44), entsize: word(at + 56) }
      : { name: u32(at), type: u32(at + 4), flags: u32(at + 8), offset: u32(at + 16), size: u32(at + 20), link: u32(at + 24), info: u32(at + 28), entsize: u32(at + 36) };
  });
  const string = (table: number, offset: number): string => {
    const start = headers[table]!.offset + offset;
    let end = start;
    while (file[end] !== 0) end++;
    return new TextDecoder().decode(file.subarray(start, end));
  };
  const sections = headers.map((h): ObjectSection => ({
    name: string(shstrndx, h.name),
    type: h.type,
    flags: h.flags,
    size: h.size,
    bytes: h.type === 8 ? new Uint8Array(h.size) : file.slice(h.offset, h.offset + h.size),
  }));
  const symbols: ElfSymbol[] = [];
  const symtab = headers.findIndex((h) => h.type === 2);
  if (symtab >= 0) {
    const h = headers[symtab]!;
    for (let at = h.offset; at < h.offset + h.size; at += h.entsize) {
      const name = string(h.link, u32(at));
      symbols.push(bits === 64 ? { name, value: word(at + 8), section: u16(at + 6) } : { name, value: u32(at + 4), section: u16(at + 14) });
    }
  }
  const relocations = new Map<number, ElfRelocation[]>();
  headers.forEach((h) => {
    if (h.type !== 9 && h.type !== 4) return; // SHT_REL, SHT_RELA
    const list: ElfRelocation[] = [];
    for (let at = h.offset; at < h.offset + h.size; at += h.entsize) {
      const info = bits === 64 ? view.getBigUint64(at + 8, little) : BigInt(u32(at + 4));
      const symbol = Number(bits === 64 ? info >> 32n : info >> 8n);
      const type = Number(bits === 64 ? info & 0xffff_ffffn : info & 0xffn);
      list.push({ offset: word(at), type, symbol, addend: h.type === 4 ? sword(at + (bits === 64 ? 16 : 8)) : undefined });
    }
    relocations.set(h.info, list);
  });
  return { endian: little ? 'little' : 'big', bits, machine, sections, symbols, relocations };
}

const EM_ARM = 40;
const EM_PPC64 = 21;

/**
 * The allocated sections of `object` with relocations applied, for sections
 * placed at `addresses` (by name). Throws for a relocation type it does not
 * know, or a symbol in a section without an address.
 */
export function relocatedSections(object: ElfObject, addresses: ReadonlyMap<string, number>): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const little = object.endian === 'little';
  object.sections.forEach((section, index) => {
    if ((section.flags & 2) === 0) return; // not SHF_ALLOC
    const bytes = section.bytes.slice();
    const view = new DataView(bytes.buffer);
    const place = addresses.get(section.name);
    for (const r of object.relocations.get(index) ?? []) {
      const symbol = object.symbols[r.symbol]!;
      const home = object.sections[symbol.section];
      const base = home === undefined ? undefined : addresses.get(home.name);
      if (base === undefined || place === undefined) throw new Error(`relocation against '${symbol.name}' in a section without an address`);
      const S = base + symbol.value;
      const P = place + r.offset;
      if (object.machine === EM_ARM) applyArm(view, r, S, P, little);
      else if (object.machine === EM_PPC64) applyPpc64(view, r, S, P, little);
      else throw new Error(`machine ${object.machine} not handled`);
    }
    out.set(section.name, bytes);
  });
  return out;
}

/** ARM ELF relocations (ARM IHI 0044, table 4-8), REL: the addend is in the place. */
function applyArm(view: DataView, r: ElfRelocation, S: number, P: number, little: boolean): void {
  const old = view.getUint32(r.offset, little);
  switch (r.type) {
    case 2: // R_ARM_ABS32
      view.setUint32(r.offset, (S + (old | 0)) >>> 0, little);
      return;
    case 3: // R_ARM_REL32
      view.setUint32(r.offset, (S + (old | 0) - P) >>> 0, little);
      return;
    case 28: // R_ARM_CALL
    case 29: {
      // R_ARM_JUMP24
      const addend = ((old << 8) >> 8) * 4;
      const value = (S + addend - P) >> 2;
      view.setUint32(r.offset, ((old & 0xff00_0000) | (value & 0x00ff_ffff)) >>> 0, little);
      return;
    }
    case 43: // R_ARM_MOVW_ABS_NC
    case 44: {
      // R_ARM_MOVT_ABS
      const addend = (((old >>> 4) & 0xf000) | (old & 0xfff)) << 16 >> 16;
      const value = r.type === 43 ? (S + addend) & 0xffff : ((S + addend) >>> 16) & 0xffff;
      view.setUint32(r.offset, ((old & 0xfff0_f000) | ((value & 0xf000) << 4) | (value & 0xfff)) >>> 0, little);
      return;
    }
    default:
      throw new Error(`ARM relocation type ${r.type} not handled`);
  }
}

/** PowerPC 64 ELF relocations (the 64-bit ELF ABI, "Relocation Types"), RELA. */
function applyPpc64(view: DataView, r: ElfRelocation, S: number, P: number, little: boolean): void {
  const value = BigInt(S) + BigInt(r.addend ?? 0);
  const half = (v: bigint): void => view.setUint16(r.offset, Number(BigInt.asUintN(16, v)), little);
  switch (r.type) {
    case 1: // R_PPC64_ADDR32
      view.setUint32(r.offset, Number(BigInt.asUintN(32, value)), little);
      return;
    case 38: // R_PPC64_ADDR64
      view.setBigUint64(r.offset, BigInt.asUintN(64, value), little);
      return;
    case 3: // ADDR16
    case 4: // ADDR16_LO
      half(value);
      return;
    case 5: // ADDR16_HI
    case 110: // ADDR16_HIGH
      half(value >> 16n);
      return;
    case 6: // ADDR16_HA
    case 111: // ADDR16_HIGHA
      half((value + 0x8000n) >> 16n);
      return;
    case 39: // ADDR16_HIGHER
      half(value >> 32n);
      return;
    case 40: // ADDR16_HIGHERA
      half((value + 0x8000n) >> 32n);
      return;
    case 41: // ADDR16_HIGHEST
      half(value >> 48n);
      return;
    case 42: // ADDR16_HIGHESTA
      half((value + 0x8000n) >> 48n);
      return;
    case 56: // ADDR16_DS
    case 57: {
      // ADDR16_LO_DS
      const old = view.getUint16(r.offset, little);
      view.setUint16(r.offset, (Number(BigInt.asUintN(16, value)) & 0xfffc) | (old & 3), little);
      return;
    }
    case 10: {
      // R_PPC64_REL24
      const old = view.getUint32(r.offset, little);
      const delta = Number(BigInt.asUintN(32, value - BigInt(P)));
      view.setUint32(r.offset, ((old & 0xfc00_0003) | (delta & 0x03ff_fffc)) >>> 0, little);
      return;
    }
    case 11: {
      // R_PPC64_REL14
      const old = view.getUint32(r.offset, little);
      const delta = Number(BigInt.asUintN(32, value - BigInt(P)));
      view.setUint32(r.offset, ((old & 0xffff_0003) | (delta & 0xfffc)) >>> 0, little);
      return;
    }
    default:
      throw new Error(`PowerPC 64 relocation type ${r.type} not handled`);
  }
}

/** llvm-mc's answer for a source: the object, or its error text. */
export type LlvmObjectResult = { readonly object: ElfObject } | { readonly error: string };

/** Assemble `source` with llvm-mc (`options` such as `-triple=armv7a`) into an object. */
export function llvmObject(source: string, options: readonly string[]): LlvmObjectResult {
  const dir = mkdtempSync(join(tmpdir(), 'hyplay-elf-'));
  try {
    const input = join(dir, 'in.s');
    const output = join(dir, 'out.o');
    writeFileSync(input, source);
    const result = spawnSync('llvm-mc', [...options, '-filetype=obj', '-o', output, input], { encoding: 'utf8' });
    if (result.error !== undefined) throw result.error;
    const diagnostics = result.stderr.trim();
    if (result.status !== 0 || /error:/.test(diagnostics)) return { error: diagnostics };
    return { object: parseElf(new Uint8Array(readFileSync(output))) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Hex (as `hexBytes` writes it) of each non-empty section of a hyplay program, by name. */
export function programSections(program: { readonly base: number; readonly bytes: Uint8Array; readonly sections: readonly { readonly name: string; readonly address: number; readonly size: number }[] }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of program.sections) {
    if (s.size === 0) continue;
    out[s.name] = hex(program.bytes.subarray(s.address - program.base, s.address - program.base + s.size));
  }
  return out;
}

/**
 * Hex of each non-empty allocated section llvm-mc makes of `source`, with
 * relocations applied for the section addresses hyplay chose (`placement`).
 * Sections llvm-mc adds for its own bookkeeping (`.ARM.attributes`, not
 * allocated) are left out by the allocation test.
 */
export function llvmSections(source: string, options: readonly string[], placement: ReadonlyMap<string, number>): Record<string, string> | { readonly error: string } {
  const result = llvmObject(source, options);
  if ('error' in result) return result;
  const out: Record<string, string> = {};
  for (const [name, bytes] of relocatedSections(result.object, placement)) if (bytes.length > 0) out[name] = hex(bytes);
  return out;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
