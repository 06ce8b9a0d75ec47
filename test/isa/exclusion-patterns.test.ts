/**
 * Exclusions written as bit patterns (should-be bits inside a field that
 * only exist for some values of another field): they remove exactly their
 * words, and malformed ones are rejected when the table is built.
 */

import { describe, expect, it } from 'vitest';
import { TableError } from '../../src/isa/bit-pattern.ts';
import { InstructionTable, type InstructionDef } from '../../src/isa/instruction-table.ts';
import type { CodecSet } from '../../src/isa/operand.ts';

const CODECS: CodecSet = {
  n: { pattern: '\\d+', format: ([v]) => `${v}`, parse: (t) => [Number(t)] },
};

function build(exclude: InstructionDef['exclude']): InstructionTable {
  return InstructionTable.build([{ name: 'ROW', pattern: '1 op:3 imm:4', syntax: ['row {n:op} {n:imm}'], exclude }], { name: 'toy', width: 8, codecs: CODECS });
}

describe('bit-pattern exclusions', () => {
  it('removes exactly the words the pattern matches', () => {
    // With op = 0, imm bit 3 is should-be-zero.
    const table = build([{ op: 7 }, '1 000 1...']);
    const decodes = (word: number): boolean => table.decode(word) !== undefined;
    expect(decodes(0b1000_0111)).toBe(true);
    expect(decodes(0b1000_1000)).toBe(false);
    expect(decodes(0b1001_1000)).toBe(true);
    expect(decodes(0b1111_0000)).toBe(false);
  });

  it('rejects a pattern that names a field', () => {
    expect(() => build(['1 op:3 1...'])).toThrow(new TableError("toy table entry 'ROW': exclusion pattern '1 op:3 1...' names fields; use an assignment"));
  });

  it('rejects a pattern that never matches the entry', () => {
    expect(() => build(['0 ... ....'])).toThrow(new TableError("toy table entry 'ROW': exclusion pattern '0 ... ....' never matches the entry's pattern"));
  });

  it('rejects an empty pattern', () => {
    expect(() => build(['. ... ....'])).toThrow(new TableError("toy table entry 'ROW': empty exclusion"));
  });

  it('rejects a pattern of the wrong width', () => {
    expect(() => build(['1 000'])).toThrow(TableError);
  });
});
