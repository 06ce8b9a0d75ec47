/**
 * The suite every backend runs on its llvm-mc-pinned encodings
 * (`test/arch/<arch>/fixtures/encodings.json`, written by `npm run
 * pin:<arch>`): hyplay's assembler gives llvm-mc's bytes, its disassembler
 * of those bytes gives llvm-mc's text, each word decodes to the row its form
 * names, and every table row is covered. No llvm-mc is needed to run it.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InstructionSet } from '../../src/isa/assembler.ts';
import type { ParseContext } from '../../src/isa/operand.ts';
import { hexBytes, normaliseSpace } from './llvm-mc.ts';

/** One pinned form: its text, llvm-mc's bytes (hex, memory order) and llvm-mc's disassembly of them. */
interface PinnedEncoding {
  readonly text: string;
  readonly bytes: string;
  readonly disasm: string;
}

/** What the suite reads of an instruction table: decoding a little-endian 32-bit word to its row, and every row written. */
interface RowTable {
  decode(word: number): { readonly entry: { readonly def: { readonly name: string } } } | undefined;
  readonly written: readonly { readonly def: { readonly name: string } }[];
}

/** One backend's pinned encodings. */
export interface PinnedEncodingSuite {
  /** Backend name, for the suite's title. */
  readonly arch: string;
  /** The fixture file (a URL beside the test). */
  readonly fixtures: URL;
  readonly set: InstructionSet;
  /** The table of a fixed-width instruction set (rows found by decoding the first 32-bit little-endian word); or give {@link PinnedEncodingSuite.rowOf} and {@link PinnedEncodingSuite.rowNames}. */
  readonly table?: RowTable;
  /** The row an encoding decodes to, for variable-length instruction sets. */
  readonly rowOf?: (bytes: Uint8Array) => string | undefined;
  /** Every row name, for the coverage check, with {@link PinnedEncodingSuite.rowOf}. */
  readonly rowNames?: readonly string[];
  /** llvm-mc's disassembly as hyplay prints it, where the two differ by design (x86 branch targets: llvm-mc prints the displacement, hyplay the target). */
  readonly expectedDisasm?: (fixture: { readonly bytes: string; readonly disasm: string }) => string;
  /** The generated forms, in the fixture's order, each with the row it exercises. */
  readonly forms: () => readonly { readonly text: string; readonly row: string }[];
  /** The fewest fixtures the backend must pin. */
  readonly minimum: number;
  /**
   * Words whose llvm-mc disassembly hyplay does not reproduce, keyed by the
   * fixture's bytes, with the reason. Keep it tiny; a stale entry fails.
   */
  readonly disasmAllowed?: ReadonlyMap<string, string>;
}

const CONTEXT: ParseContext = { address: 0, final: true, resolve: () => undefined };

function bytesOf(hex: string): Uint8Array {
  return Uint8Array.from(hex.split(' ').map((b) => parseInt(b, 16)));
}

/** Define the pinned-encoding tests of one backend. */
export function pinnedEncodingSuite(suite: PinnedEncodingSuite): void {
  const fixtures: readonly PinnedEncoding[] = JSON.parse(readFileSync(suite.fixtures, 'utf8'));
  const rowOf = suite.rowOf ?? ((bytes: Uint8Array) => suite.table!.decode((bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0)?.entry.def.name);
  const rowNames = suite.rowNames ?? suite.table!.written.map((e) => e.def.name);
  const expected = suite.expectedDisasm ?? ((fixture: { readonly disasm: string }) => fixture.disasm);
  const allowed = suite.disasmAllowed ?? new Map<string, string>();

  describe(`${suite.arch} encodings pinned to llvm-mc`, () => {
    it('has a fixture for every generated form, in order', () => {
      expect(fixtures.map((f) => f.text)).toEqual(suite.forms().map((f) => f.text));
      expect(fixtures.length).toBeGreaterThanOrEqual(suite.minimum);
    });

    it('assembles every fixture text to llvm-mc bytes', () => {
      const wrong: string[] = [];
      for (const fixture of fixtures) {
        let got: string;
        try {
          got = hexBytes(suite.set.assembleOne(fixture.text, CONTEXT));
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
      for (const fixture of fixtures) {
        const got = suite.set.disassembleOne(bytesOf(fixture.bytes), 0);
        const text = got === undefined ? '<undefined>' : normaliseSpace(got.text);
        if (text === expected(fixture)) continue;
        if (allowed.has(fixture.bytes)) {
          allowedSeen.add(fixture.bytes);
          continue;
        }
        wrong.push(`${fixture.bytes} (${fixture.text}): llvm '${expected(fixture)}', hyplay '${text}'`);
      }
      expect(wrong).toEqual([]);
      expect([...allowed.keys()].filter((k) => !allowedSeen.has(k))).toEqual([]);
    });

    it('decodes every fixture word to the row its form names', () => {
      const wrong: string[] = [];
      const forms = new Map(suite.forms().map((f) => [f.text, f.row]));
      for (const fixture of fixtures) {
        const row = rowOf(bytesOf(fixture.bytes));
        if (row !== forms.get(fixture.text)) wrong.push(`${fixture.text}: expected ${forms.get(fixture.text)}, decoded ${row}`);
      }
      expect(wrong).toEqual([]);
    });

    it('covers every row of the table', () => {
      const hit = new Set(fixtures.map((f) => rowOf(bytesOf(f.bytes))));
      expect(rowNames.filter((name) => !hit.has(name))).toEqual([]);
    });
  });
}
