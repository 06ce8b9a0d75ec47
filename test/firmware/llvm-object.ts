/**
 * Assemble a whole A32 source file with llvm-mc into an ELF object and read
 * back its `.text` bytes, so a file with labels and branches can be
 * compared byte for byte with hyplay's assembler. (`-show-encoding` prints
 * fixups rather than bytes for branches to labels; the object file has them
 * resolved.)
 *
 * @module
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The target the firmware files are written for. */
export const FIRMWARE_LLVM_TARGET = ['-triple=armv7a', '-mattr=+virtualization'] as const;

/** True when `llvm-mc` can be run. */
export function llvmMcAvailable(): boolean {
  const result = spawnSync('llvm-mc', ['--version'], { encoding: 'utf8' });
  return result.error === undefined && result.status === 0;
}

/** The sections of a little-endian ELF32 file, by name. */
export function elf32Sections(elf: Uint8Array): Map<string, { type: number; bytes: Uint8Array }> {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (view.getUint32(0, false) !== 0x7f454c46 || elf[4] !== 1 || elf[5] !== 1) throw new Error('not a little-endian ELF32 file');
  const shoff = view.getUint32(0x20, true);
  const shentsize = view.getUint16(0x2e, true);
  const shnum = view.getUint16(0x30, true);
  const shstrndx = view.getUint16(0x32, true);
  const header = (i: number): { name: number; type: number; offset: number; size: number } => {
    const at = shoff + i * shentsize;
    return { name: view.getUint32(at, true), type: view.getUint32(at + 4, true), offset: view.getUint32(at + 16, true), size: view.getUint32(at + 20, true) };
  };
  const strings = header(shstrndx);
  const nameAt = (offset: number): string => {
    let end = strings.offset + offset;
    while (elf[end] !== 0) end++;
    return new TextDecoder().decode(elf.subarray(strings.offset + offset, end));
  };
  const out = new Map<string, { type: number; bytes: Uint8Array }>();
  for (let i = 1; i < shnum; i++) {
    const h = header(i);
    out.set(nameAt(h.name), { type: h.type, bytes: elf.slice(h.offset, h.offset + h.size) });
  }
  return out;
}

/** What llvm-mc made of a file: the `.text` bytes and the names of every section (to check there are no relocations). */
export interface LlvmObject {
  /** `.text` in memory order. */
  readonly text: Uint8Array;
  /** Every section name. */
  readonly sections: readonly string[];
}

/** Assemble `file` with llvm-mc for {@link FIRMWARE_LLVM_TARGET}. Throws with llvm-mc's stderr if it fails. */
export function llvmAssembleFile(file: string): LlvmObject {
  const dir = mkdtempSync(join(tmpdir(), 'hyplay-llvm-'));
  try {
    const out = join(dir, 'out.o');
    const result = spawnSync('llvm-mc', [...FIRMWARE_LLVM_TARGET, '-filetype=obj', '-o', out, file], { encoding: 'utf8' });
    if (result.error !== undefined) throw result.error;
    if (result.status !== 0 || result.stderr.trim() !== '') throw new Error(`llvm-mc ${file}: ${result.stderr.trim()}`);
    const sections = elf32Sections(new Uint8Array(readFileSync(out)));
    const text = sections.get('.text');
    if (text === undefined) throw new Error(`llvm-mc ${file}: no .text section`);
    return { text: text.bytes, sections: [...sections.keys()] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
