/**
 * The ELF reader against executables that llvm-mc and ld.lld-14 build (and
 * llvm-readelf describes): ARM, AArch64 and big-endian PowerPC 64, and
 * never a JS exception on a truncated or corrupted file.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/loader/elf.ts';
import { ImageError } from '../../src/loader/image-error.ts';
import { tempFiles } from '../support/temp-files.ts';

const tools = ['llvm-mc', 'ld.lld-14', 'llvm-readelf'].filter((tool) => spawnSync(tool, ['--version']).status !== 0);
if (tools.length > 0) console.warn(`skipping the linked-ELF tests: ${tools.join(', ')} not installed`);
const { dir, file } = tempFiles('elf');

interface Target {
  readonly name: string;
  readonly triple: string;
  readonly machine: number;
  readonly bits: 32 | 64;
  readonly endian: 'little' | 'big';
  readonly source: string;
}

const TARGETS: readonly Target[] = [
  { name: 'arm32', triple: 'armv7a', machine: 40, bits: 32, endian: 'little', source: '.globl start\nstart: mov r0, #1\nbl helper\nhelper: bx lr\n.data\nvalue: .word 7\n.bss\nzeros: .space 256\n' },
  { name: 'arm64', triple: 'aarch64', machine: 183, bits: 64, endian: 'little', source: '.globl start\nstart: mov x0, #1\nbl helper\nhelper: ret\n.data\nvalue: .quad 7\n.bss\nzeros: .space 256\n' },
  { name: 'ppc64', triple: 'powerpc64', machine: 21, bits: 64, endian: 'big', source: '.globl start\nstart: li 3, 1\nbl helper\nhelper: blr\n.data\nvalue: .quad 7\n.bss\nzeros: .space 256\n' },
];

/** Assemble and link `target`'s program at 0x40010000; returns the executable's path. */
function link(target: Target): string {
  const source = file(target.source);
  const object = join(dir, `${target.name}.o`);
  const executable = join(dir, `${target.name}.elf`);
  const mc = spawnSync('llvm-mc', [`-triple=${target.triple}`, '-filetype=obj', source, '-o', object], { encoding: 'utf8' });
  expect(mc.stderr).toBe('');
  const ld = spawnSync('ld.lld-14', ['-N', '-Ttext=0x40010000', '-e', 'start', object, '-o', executable], { encoding: 'utf8' });
  expect(ld.status).toBe(0);
  return executable;
}

/** llvm-readelf's PT_LOAD lines: [vaddr, paddr, filesz, memsz]. */
function readelfLoads(path: string): number[][] {
  const out = spawnSync('llvm-readelf', ['-l', '-W', path], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .filter((line) => /^\s*LOAD\s/.test(line))
    .map((line) => line.trim().split(/\s+/).slice(2, 6).map((field) => Number(field)));
}

/** llvm-readelf's named, non-mapping, non-section symbols: name → value. */
function readelfSymbols(path: string): Map<string, bigint> {
  const out = spawnSync('llvm-readelf', ['-s', '-W', path], { encoding: 'utf8' }).stdout;
  const symbols = new Map<string, bigint>();
  for (const line of out.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8 || !/^\d+:$/.test(fields[0]!)) continue;
    const [, value, , type, , , , name] = fields;
    if (name === undefined || name.startsWith('$') || !['NOTYPE', 'FUNC', 'OBJECT'].includes(type!) || BigInt(`0x${value}`) === 0n) continue;
    symbols.set(name, BigInt(`0x${value}`));
  }
  return symbols;
}

describe.skipIf(tools.length > 0)('ELF executables linked by ld.lld-14', () => {
  for (const target of TARGETS) {
    it(`${target.name}: class, byte order, machine, entry, segments and symbols as llvm-readelf reads them`, () => {
      const path = link(target);
      const elf = parseElf(new Uint8Array(readFileSync(path)));
      expect([elf.bits, elf.endian, elf.machine, elf.type]).toEqual([target.bits, target.endian, target.machine, 2]);
      expect(elf.entry).toBe(0x40010000n);
      expect(elf.segments.map((s) => [Number(s.virtual), Number(s.physical), s.bytes.length, s.memorySize])).toEqual(readelfLoads(path));
      expect(new Map(elf.symbols.map((s) => [s.name, s.value]))).toEqual(readelfSymbols(path));
      expect(elf.symbols.map((s) => s.name)).toEqual(expect.arrayContaining(['start', 'helper', 'value', 'zeros']));
    });
  }

  it('every truncation and random corruption is parsed or refused with an ImageError, never a JS exception', () => {
    const bytes = new Uint8Array(readFileSync(link(TARGETS[1]!)));
    for (let length = 0; length < bytes.length; length += 7) {
      try {
        parseElf(bytes.subarray(0, length));
      } catch (error) {
        expect(error).toBeInstanceOf(ImageError);
      }
    }
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (flips) => {
        const copy = bytes.slice();
        for (const [at, value] of flips) copy[at] = value;
        try {
          parseElf(copy);
        } catch (error) {
          if (!(error instanceof ImageError)) throw error;
        }
      }),
      { numRuns: 2000, seed: 12 },
    );
  });
});

describe('ELF refusals', () => {
  it('names the field and its offset', () => {
    const header = new Uint8Array(64);
    header.set([0x7f, 0x45, 0x4c, 0x46, 3, 1, 1]);
    expect(() => parseElf(header)).toThrow(/EI_CLASS 3/);
    header[4] = 2;
    header[5] = 9;
    expect(() => parseElf(header)).toThrow(/EI_DATA 9/);
    header[5] = 1;
    expect(() => parseElf(header.subarray(0, 20))).toThrow(ImageError);
  });
});
