/**
 * Every A64 form is pinned to llvm-mc (`fixtures/encodings.json`, written by
 * `npm run pin:arm64`): hyplay's assembler gives llvm-mc's bytes, and
 * hyplay's disassembler of those bytes gives llvm-mc's text. No llvm-mc is
 * needed to run this file.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARM64_INSTRUCTION_SET } from '../../../arch/arm64/core.ts';
import { ARM64_TABLE } from '../../../arch/arm64/table.ts';
import type { ParseContext } from '../../../src/isa/operand.ts';
import { arm64Forms } from './forms.ts';
import { hexBytes, normaliseSpace } from './llvm-mc.ts';

interface PinnedEncoding {
  readonly text: string;
  readonly bytes: string;
  readonly disasm: string;
}

const FIXTURES: readonly PinnedEncoding[] = JSON.parse(readFileSync(new URL('./fixtures/encodings.json', import.meta.url), 'utf8'));

/**
 * Words whose llvm-mc disassembly hyplay does not reproduce, keyed by the
 * fixture's bytes, with the reason. Keep this tiny; a stale entry fails the
 * tests. Empty today: every pinned word disassembles exactly as llvm-mc does.
 */
const DISASM_ALLOWED: ReadonlyMap<string, string> = new Map<string, string>();

const CONTEXT: ParseContext = { address: 0, final: true, resolve: () => undefined };

function bytesOf(hex: string): Uint8Array {
  return Uint8Array.from(hex.split(' ').map((b) => parseInt(b, 16)));
}

function wordOf(hex: string): number {
  const b = bytesOf(hex);
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

describe('arm64 encodings pinned to llvm-mc', () => {
  it('has a fixture for every generated form, in order', () => {
    expect(FIXTURES.map((f) => f.text)).toEqual(arm64Forms().map((f) => f.text));
    expect(FIXTURES.length).toBeGreaterThanOrEqual(500);
  });

  it('assembles every fixture text to llvm-mc bytes', () => {
    const wrong: string[] = [];
    for (const fixture of FIXTURES) {
      let got: string;
      try {
        got = hexBytes(ARM64_INSTRUCTION_SET.assembleOne(fixture.text, CONTEXT));
      } catch (error) {
        got = `error: ${(error as Error).message}`;
      }
      if (got !== fixture.bytes) wrong.push(`${fixture.text}: llvm ${fixture.bytes}, hyplay ${got}`);
    }
    expect(wrong).toEqual([]);
  });

  it('disassembles every fixture word to llvm-mc text', () => {
    const wrong: string[] = [];
    const allowedSeen = new Set<string>();
    for (const fixture of FIXTURES) {
      const got = ARM64_INSTRUCTION_SET.disassembleOne(bytesOf(fixture.bytes), 0);
      const text = got === undefined ? '<undefined>' : normaliseSpace(got.text);
      if (text === fixture.disasm) continue;
      if (DISASM_ALLOWED.has(fixture.bytes)) {
        allowedSeen.add(fixture.bytes);
        continue;
      }
      wrong.push(`${fixture.bytes} (${fixture.text}): llvm '${fixture.disasm}', hyplay '${text}'`);
    }
    expect(wrong).toEqual([]);
    expect([...DISASM_ALLOWED.keys()].filter((k) => !allowedSeen.has(k))).toEqual([]);
  });

  it('decodes every fixture word to the row its form names', () => {
    const wrong: string[] = [];
    const forms = new Map(arm64Forms().map((f) => [f.text, f.row]));
    for (const fixture of FIXTURES) {
      const row = ARM64_TABLE.decode(wordOf(fixture.bytes))?.entry.def.name;
      if (row !== forms.get(fixture.text)) wrong.push(`${fixture.text}: expected ${forms.get(fixture.text)}, decoded ${row}`);
    }
    expect(wrong).toEqual([]);
  });

  it('covers every row of the table', () => {
    const hit = new Set(FIXTURES.map((f) => ARM64_TABLE.decode(wordOf(f.bytes))?.entry.def.name));
    expect(ARM64_TABLE.written.map((e) => e.def.name).filter((name) => !hit.has(name))).toEqual([]);
  });
});
