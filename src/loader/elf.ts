/**
 * ELF32 and ELF64 executables, either byte order: the program headers a
 * loader places (PT_LOAD), the entry point and the symbol table.
 *
 * Written here rather than taken from npm: the packages on the registry
 * either parse only one class, only the host's byte order, or pull in
 * file-system code; what a boot loader needs from ELF (the System V gABI,
 * "Program Loading" and "Symbol Table") is a page of field reads. Fields are
 * read through {@link ImageReader}, so a truncated or inconsistent file is
 * an {@link ImageError} at the offset of the field, never a JS exception.
 *
 * @module
 */

import { ImageError, ImageReader } from './image-error.ts';

/** `\x7fELF`. */
const MAGIC = [0x7f, 0x45, 0x4c, 0x46];
/** gABI p_type: a loadable segment. */
const PT_LOAD = 1;
/** gABI sh_type: a symbol table, and a string table. */
const SHT_SYMTAB = 2;
/** Most program or section headers read (real kernels have under 10 and under 100). */
const MAX_HEADERS = 4096;

/** One loadable segment. */
export interface ElfSegment {
  /** Physical address (p_paddr): where a loader with the MMU off puts it. */
  readonly physical: bigint;
  /** Virtual address (p_vaddr): where the code runs once translation is on. */
  readonly virtual: bigint;
  /** The file bytes (p_filesz of them). */
  readonly bytes: Uint8Array;
  /** Size in memory (p_memsz): bytes past the file bytes are zero (.bss). */
  readonly memorySize: number;
  /** p_flags: 4 read, 2 write, 1 execute. */
  readonly flags: number;
}

/** One symbol of the symbol table (named, with a value). */
export interface ElfSymbol {
  /** Its name. */
  readonly name: string;
  /** st_value: an address for functions and objects. */
  readonly value: bigint;
  /** st_size. */
  readonly size: bigint;
  /** The low 4 bits of st_info (0 none, 1 object, 2 function, 3 section, 4 file). */
  readonly type: number;
}

/** What a loader uses from an ELF file. */
export interface ElfFile {
  /** 32 or 64. */
  readonly bits: 32 | 64;
  /** Byte order of the file. */
  readonly endian: 'little' | 'big';
  /** e_machine (40 ARM, 183 AArch64, 21 PowerPC64, 62 x86-64). */
  readonly machine: number;
  /** e_type (2 executable, 3 shared object). */
  readonly type: number;
  /** e_entry (a virtual address). */
  readonly entry: bigint;
  /** The PT_LOAD segments in file order. */
  readonly segments: readonly ElfSegment[];
  /** Function, object and untyped symbols with a name and a non-zero value. */
  readonly symbols: readonly ElfSymbol[];
}

/** Whether `bytes` starts with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && MAGIC.every((b, i) => bytes[i] === b);
}

/** Parse an ELF file. Throws {@link ImageError} for a malformed one. */
export function parseElf(bytes: Uint8Array): ElfFile {
  if (!isElf(bytes)) throw new ImageError('ELF: no \\x7fELF magic at offset 0', 0);
  if (bytes.length < 16) throw new ImageError('ELF: the file ends inside e_ident', bytes.length);
  const elfClass = bytes[4];
  if (elfClass !== 1 && elfClass !== 2) throw new ImageError(`ELF: EI_CLASS ${elfClass} is neither 1 (32-bit) nor 2 (64-bit)`, 4);
  const data = bytes[5];
  if (data !== 1 && data !== 2) throw new ImageError(`ELF: EI_DATA ${data} is neither 1 (little-endian) nor 2 (big-endian)`, 5);
  const wide = elfClass === 2;
  const r = new ImageReader(bytes, data === 1, 'ELF');
  const word = (offset: number, field: string): bigint => (wide ? r.u64(offset, field) : BigInt(r.u32(offset, field)));
  const offsetField = (offset: number, field: string): number => (wide ? r.safe64(offset, field) : r.u32(offset, field));

  const type = r.u16(16, 'e_type');
  const machine = r.u16(18, 'e_machine');
  const entry = word(24, 'e_entry');
  const phoff = offsetField(wide ? 32 : 28, 'e_phoff');
  const shoff = offsetField(wide ? 40 : 32, 'e_shoff');
  const phentsize = r.u16(wide ? 54 : 42, 'e_phentsize');
  const phnum = r.u16(wide ? 56 : 44, 'e_phnum');
  const shentsize = r.u16(wide ? 58 : 46, 'e_shentsize');
  const shnum = r.u16(wide ? 60 : 48, 'e_shnum');

  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize < (wide ? 56 : 32)) throw new ImageError(`ELF: e_phentsize ${phentsize} is smaller than a program header`, wide ? 54 : 42);
    if (phnum > MAX_HEADERS) throw new ImageError(`ELF: e_phnum ${phnum} is more than ${MAX_HEADERS}`, wide ? 56 : 44);
  }
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    const what = `program header ${i}`;
    if (r.u32(at, `${what} p_type`) !== PT_LOAD) continue;
    const offset = offsetField(at + (wide ? 8 : 4), `${what} p_offset`);
    const virtual = word(at + (wide ? 16 : 8), `${what} p_vaddr`);
    const physical = word(at + (wide ? 24 : 12), `${what} p_paddr`);
    const fileSize = offsetField(at + (wide ? 32 : 16), `${what} p_filesz`);
    const memorySize = offsetField(at + (wide ? 40 : 20), `${what} p_memsz`);
    const flags = r.u32(at + (wide ? 4 : 24), `${what} p_flags`);
    if (memorySize < fileSize) throw new ImageError(`ELF: ${what} has p_memsz 0x${memorySize.toString(16)} below p_filesz 0x${fileSize.toString(16)}`, at);
    segments.push({ physical, virtual, bytes: r.slice(offset, fileSize, `${what} contents`), memorySize, flags });
  }

  return { bits: wide ? 64 : 32, endian: data === 1 ? 'little' : 'big', machine, type, entry, segments, symbols: symbolsOf(r, wide, shoff, shentsize, shnum) };
}

/** The named symbols of the first SHT_SYMTAB section, with their string table (sh_link). */
function symbolsOf(r: ImageReader, wide: boolean, shoff: number, shentsize: number, shnum: number): ElfSymbol[] {
  if (shnum === 0 || shoff === 0) return [];
  if (shentsize < (wide ? 64 : 40)) throw new ImageError(`ELF: e_shentsize ${shentsize} is smaller than a section header`, wide ? 58 : 46);
  if (shnum > MAX_HEADERS * 16) throw new ImageError(`ELF: e_shnum ${shnum} is implausibly large`, wide ? 60 : 48);
  const section = (index: number): { type: number; offset: number; size: number; link: number; entsize: number } => {
    const at = shoff + index * shentsize;
    const what = `section header ${index}`;
    return {
      type: r.u32(at + 4, `${what} sh_type`),
      offset: wide ? r.safe64(at + 24, `${what} sh_offset`) : r.u32(at + 16, `${what} sh_offset`),
      size: wide ? r.safe64(at + 32, `${what} sh_size`) : r.u32(at + 20, `${what} sh_size`),
      link: r.u32(at + (wide ? 40 : 24), `${what} sh_link`),
      entsize: wide ? r.safe64(at + 56, `${what} sh_entsize`) : r.u32(at + 36, `${what} sh_entsize`),
    };
  };
  for (let i = 0; i < shnum; i++) {
    const table = section(i);
    if (table.type !== SHT_SYMTAB) continue;
    if (table.link >= shnum) throw new ImageError(`ELF: the symbol table's sh_link ${table.link} names no section`, shoff + i * shentsize);
    const strings = section(table.link);
    const names = r.slice(strings.offset, strings.size, 'the symbol string table');
    const entsize = table.entsize === 0 ? (wide ? 24 : 16) : table.entsize;
    if (entsize < (wide ? 24 : 16)) throw new ImageError(`ELF: symbol entry size ${entsize} is too small`, shoff + i * shentsize);
    const out: ElfSymbol[] = [];
    const decoder = new TextDecoder();
    for (let at = table.offset; at + entsize <= table.offset + table.size; at += entsize) {
      const nameOffset = r.u32(at, 'st_name');
      const info = r.u8(at + (wide ? 4 : 12), 'st_info');
      const value = wide ? r.u64(at + 8, 'st_value') : BigInt(r.u32(at + 4, 'st_value'));
      const size = wide ? r.u64(at + 16, 'st_size') : BigInt(r.u32(at + 8, 'st_size'));
      const symbolType = info & 0xf;
      if (nameOffset === 0 || value === 0n || symbolType > 2) continue;
      if (nameOffset >= names.length) throw new ImageError(`ELF: a symbol's st_name 0x${nameOffset.toString(16)} is past its string table`, at);
      const end = names.indexOf(0, nameOffset);
      const name = decoder.decode(names.subarray(nameOffset, end < 0 ? names.length : end));
      // ARM and AArch64 mapping symbols ($a, $t, $d, $x; AAELF "Mapping symbols") mark code and data, not places.
      if (name.startsWith('$')) continue;
      out.push({ name, value, size, type: symbolType });
    }
    return out;
  }
  return [];
}
