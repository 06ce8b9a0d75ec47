/**
 * Every ppc64 form is pinned to llvm-mc 14 in both byte orders
 * (`fixtures/encodings.json`, written by `npm run pin:ppc64`): hyplay's
 * assembler gives llvm-mc's bytes, big- and little-endian, and hyplay's
 * disassembler of those bytes gives llvm-mc's text. No llvm-mc is needed to
 * run this file.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ppc64InstructionSet } from '../../../arch/ppc64/core.ts';
import { PPC64_TABLE } from '../../../arch/ppc64/table.ts';
import type { ParseContext } from '../../../src/isa/operand.ts';
import { hexBytes, normaliseSpace } from '../../support/llvm-mc.ts';
import { ppc64Forms } from './forms.ts';

interface PinnedEncoding {
  readonly text: string;
  readonly big: string;
  readonly little: string;
  readonly disasm: string;
}

const FIXTURES: readonly PinnedEncoding[] = JSON.parse(readFileSync(new URL('./fixtures/encodings.json', import.meta.url), 'utf8'));

const CONTEXT: ParseContext = { address: 0, final: true, resolve: () => undefined };

function bytesOf(hex: string): Uint8Array {
  return Uint8Array.from(hex.split(' ').map((b) => parseInt(b, 16)));
}

/** The instruction word of big-endian bytes. */
function wordOf(hex: string): number {
  const b = bytesOf(hex);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

describe('ppc64 encodings pinned to llvm-mc', () => {
  it('has a fixture for every generated form, in order', () => {
    expect(FIXTURES.map((f) => f.text)).toEqual(ppc64Forms().map((f) => f.text));
    expect(FIXTURES.length).toBeGreaterThanOrEqual(300);
  });

  for (const endian of ['big', 'little'] as const) {
    it(`assembles every fixture text to llvm-mc's ${endian}-endian bytes`, () => {
      const set = ppc64InstructionSet(endian);
      const wrong: string[] = [];
      for (const fixture of FIXTURES) {
        let got: string;
        try {
          got = hexBytes(set.assembleOne(fixture.text, CONTEXT));
        } catch (error) {
          got = `error: ${(error as Error).message}`;
        }
        if (got !== fixture[endian]) wrong.push(`${fixture.text}: llvm ${fixture[endian]}, hyplay ${got}`);
      }
      expect(wrong).toEqual([]);
    });

    it(`disassembles every ${endian}-endian fixture word to llvm-mc's text`, () => {
      const set = ppc64InstructionSet(endian);
      const wrong: string[] = [];
      for (const fixture of FIXTURES) {
        const got = set.disassembleOne(bytesOf(fixture[endian]), 0);
        const text = got === undefined ? '<illegal>' : normaliseSpace(got.text);
        if (text !== fixture.disasm) wrong.push(`${fixture[endian]} (${fixture.text}): llvm '${fixture.disasm}', hyplay '${text}'`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('decodes every fixture word to the row its form names', () => {
    const wrong: string[] = [];
    const forms = new Map(ppc64Forms().map((f) => [f.text, f.row]));
    for (const fixture of FIXTURES) {
      const row = PPC64_TABLE.decode(wordOf(fixture.big))?.entry.def.name;
      if (row !== forms.get(fixture.text)) wrong.push(`${fixture.text}: expected ${forms.get(fixture.text)}, decoded ${row}`);
    }
    expect(wrong).toEqual([]);
  });

  it('covers every row of the table', () => {
    const hit = new Set(FIXTURES.map((f) => PPC64_TABLE.decode(wordOf(f.big))?.entry.def.name));
    expect(PPC64_TABLE.written.map((e) => e.def.name).filter((name) => !hit.has(name))).toEqual([]);
  });

  it('pins the trapping instructions of the fact sheet (abi-facts §0)', () => {
    const big = new Map(FIXTURES.map((f) => [f.text, f.big]));
    expect(big.get('sc')).toBe('44 00 00 02');
    expect(big.get('sc 1')).toBe('44 00 00 22');
    expect(big.get('rfid')).toBe('4c 00 00 24');
    expect(big.get('hrfid')).toBe('4c 00 02 24');
    expect(big.get('nop')).toBe('60 00 00 00');
    expect(big.get('lis 0, 0x4b56')).toBe('3c 00 4b 56');
  });
});
