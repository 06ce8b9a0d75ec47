/**
 * The instruction-table machinery: must-fail fixtures (QEMU `tests/decode`
 * style, one malformed table per file in `fixtures/err-*.ts`), and the
 * decoder, encoder, disassembler and assembler of a made-up 16-bit ISA
 * (`toy-isa.ts`).
 */

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBackends } from '../../src/di/container.ts';
import { TableInstructionSet } from '../../src/isa/assembler.ts';
import { TableError } from '../../src/isa/bit-pattern.ts';
import { InstructionTable, type EncodeFailure, type EncodeMatch, type InstructionDef } from '../../src/isa/instruction-table.ts';
import type { CodecSet, ParseContext } from '../../src/isa/operand.ts';
import { buildToyTable } from './toy-isa.ts';

/** Every must-fail fixture and the exact message `InstructionTable.build` must give for it. */
const MUST_FAIL: Readonly<Record<string, string>> = {
  'err-bad-pattern-token.ts': "toy table entry 'MOVI': bad pattern token 'imm;8' in '0001 rd:4 imm;8'",
  'err-bad-width.ts': "toy table entry 'NOP': pattern width 40 is not 1..32",
  'err-capturing-codec.ts': "toy table entry 'MOVR': codec 'shifted' pattern has a capturing group",
  'err-duplicate-name.ts': "toy table entry 'NOP': name defined twice",
  'err-empty-exclusion.ts': "toy table entry 'ADD': empty exclusion",
  'err-exclusion-unknown-field.ts': "toy table entry 'ADD': exclusion names unknown field 'rs'",
  'err-exclusion-value-too-wide.ts': "toy table entry 'ADD': exclusion rd=16 does not fit 4 bits",
  'err-mutual-priority.ts': "toy table: 'MOVI' and 'CLR' each claim priority over the other",
  'err-no-syntax.ts': "toy table entry 'NOP': no syntax",
  'err-overlap-self.ts': "toy table entry 'CLR': overlaps itself",
  'err-overlap-unknown-entry.ts': "toy table entry 'CLR': overlaps unknown entry 'MOVE'",
  'err-pattern-too-long.ts': "toy table entry 'MOVI': pattern '0001 rd:4 imm:9' is longer than 16 bits",
  'err-pattern-too-short.ts': "toy table entry 'MOVI': pattern '0001 rd:3 imm:8' is 15 bits, expected 16",
  'err-priority-cycle.ts': "toy table: overlap priorities form a cycle at 'P'",
  'err-stale-overlap-by-exclusion.ts': "toy table: 'MOVI' and 'CLR' are declared to overlap but do not",
  'err-stale-overlap.ts': "toy table: 'MOVI' and 'ADD' are declared to overlap but do not",
  'err-template-fixes-unknown-field.ts': "toy table entry 'MOVI': template 'movs {reg:rd}, {imm:imm}' fixes unknown field 's'",
  'err-template-missing-field.ts': "toy table entry 'ADD': template 'add {reg:rd}, {reg:rn}' does not set field 'rm'",
  'err-undeclared-overlap.ts': "toy table: undeclared overlap between 'MOVI' and 'CLR' (both match 0x00001000)",
  'err-unknown-codec.ts': "toy table entry 'MOVI': template 'movi {reg:rd}, {imm9:imm}' names unknown codec 'imm9'",
  'err-unknown-field-in-template.ts': "toy table entry 'MOVI': template 'movi {reg:rd}, {imm:immediate}' names unknown field 'immediate'",
  'err-zero-width-field.ts': "toy table entry 'MOVI': field 'pad' has width 0",
};

interface Fixture {
  readonly defs: readonly InstructionDef[];
  readonly codecs: CodecSet;
  readonly width: number;
}

const FIXTURE_DIR = new URL('./fixtures/', import.meta.url);
const FIXTURE_FILES = readdirSync(FIXTURE_DIR)
  .filter((f) => f.startsWith('err-') && f.endsWith('.ts'))
  .sort();

function buildError(build: () => unknown): TableError {
  try {
    build();
  } catch (error) {
    if (error instanceof TableError) return error;
    throw error;
  }
  throw new Error('the table was built');
}

describe('must-fail table fixtures', () => {
  it('every fixture file has an expected message and every expected message a fixture', () => {
    expect(FIXTURE_FILES.length).toBeGreaterThanOrEqual(20);
    expect(FIXTURE_FILES).toEqual(Object.keys(MUST_FAIL).sort());
  });

  it.each(FIXTURE_FILES)('%s is rejected with its message', async (file) => {
    const fixture = (await import(new URL(file, FIXTURE_DIR).href)) as Fixture;
    const error = buildError(() => InstructionTable.build(fixture.defs, { name: 'toy', width: fixture.width, codecs: fixture.codecs }));
    expect(error.message).toBe(MUST_FAIL[file]);
  });

  it.each(FIXTURE_FILES)('%s is rejected with the same message when the pairwise scan is deferred to checkOverlaps()', async (file) => {
    const fixture = (await import(new URL(file, FIXTURE_DIR).href)) as Fixture;
    const error = buildError(() => InstructionTable.build(fixture.defs, { name: 'toy', width: fixture.width, codecs: fixture.codecs, deferOverlapScan: true }).checkOverlaps());
    expect(error.message).toBe(MUST_FAIL[file]);
  });

  it.each(FIXTURE_FILES)('%s builds on first use and is rejected then with the same message (decode, or checkOverlaps)', async (file) => {
    const fixture = (await import(new URL(file, FIXTURE_DIR).href)) as Fixture;
    const deferred = { name: 'toy', width: fixture.width, codecs: fixture.codecs, deferOverlapScan: true };
    const lazy = { ...deferred, buildOnFirstUse: true };
    const table = InstructionTable.build(fixture.defs, lazy); // nothing is built yet: no error
    let eager: TableError | undefined;
    try {
      InstructionTable.build(fixture.defs, deferred);
    } catch (error) {
      eager = error as TableError;
    }
    // First use fails exactly where a deferred build fails (everything but the undeclared-overlap search).
    if (eager === undefined) expect(() => table.decode(0)).not.toThrow();
    else expect(buildError(() => table.decode(0)).message).toBe(eager.message);
    expect(buildError(() => InstructionTable.build(fixture.defs, lazy).checkOverlaps()).message).toBe(MUST_FAIL[file]);
  });

  it('a deferred build leaves only the search for undeclared overlaps to checkOverlaps()', async () => {
    const fixture = (await import(new URL('err-undeclared-overlap.ts', FIXTURE_DIR).href)) as Fixture;
    const table = InstructionTable.build(fixture.defs, { name: 'toy', width: fixture.width, codecs: fixture.codecs, deferOverlapScan: true });
    expect(buildError(() => table.checkOverlaps()).message).toBe(MUST_FAIL['err-undeclared-overlap.ts']);
  });
});

describe('every shipped instruction table (their builds defer the pairwise scan)', () => {
  // x86_64's variable-length table is not an InstructionTable: buildX86Table checks its overlaps when the module loads (test/arch/x86_64/encodings.test.ts imports it).
  for (const backend of loadBackends().all().filter((b) => b.name !== 'x86_64')) {
    for (const endian of backend.endians) {
      it(`${backend.name} ${endian}: no undeclared, stale or mutual overlap`, () => {
        const set = backend.instructionSet(endian);
        expect(set).toBeInstanceOf(TableInstructionSet);
        const { table } = set as TableInstructionSet;
        expect(table.options.deferOverlapScan).toBe(true);
        expect(table.options.buildOnFirstUse).toBe(true);
        expect(() => table.checkOverlaps()).not.toThrow();
      });
    }
  }
});

const TOY_REG = { pattern: 'r\\d+', format: ([v]: readonly number[]) => `r${v}`, parse: (t: string) => [Number(t.slice(1))] };
const TOY_IMM = { pattern: '#\\d+', format: ([v]: readonly number[]) => `#${v}`, parse: (t: string) => [Number(t.slice(1))] };

const CONTEXT: ParseContext = { address: 0x1000, final: true, resolve: () => undefined };

function assembled(result: EncodeMatch | EncodeFailure): number {
  if ('message' in result) throw new Error(`did not assemble: ${result.message} at ${result.offset}`);
  return result.word;
}

describe('a made-up 16-bit ISA', () => {
  const table = buildToyTable();
  const names = (entries: readonly { def: { name: string } }[]): string[] => entries.map((e) => e.def.name);

  it('decodes declared winners before the entries they overlap, otherwise in written order', () => {
    expect(names(table.written)).toEqual(['NOP', 'HALT', 'MOVI', 'MOVR', 'ADD', 'B', 'SVC', 'PING', 'TRAP', 'LDW']);
    expect(names(table.entries)).toEqual(['NOP', 'HALT', 'MOVI', 'MOVR', 'ADD', 'SVC', 'B', 'PING', 'TRAP', 'LDW']);
    expect(table.decode(0x4f05)?.entry.def.name).toBe('SVC');
    expect(table.decode(0x4f05)?.fields).toEqual({ imm: 5 });
    expect(table.decode(0x4e05)?.entry.def.name).toBe('B');
    expect(table.decode(0x4e05)?.fields).toEqual({ cond: 14, off: 5 });
  });

  it('finds a witness for a declared overlap and none for rows an exclusion keeps apart', () => {
    expect(InstructionTable.overlapWitness(table.entry('SVC')!, table.entry('B')!)).toBe(0x4f00);
    expect(InstructionTable.overlapWitness(table.entry('PING')!, table.entry('TRAP')!)).toBeUndefined();
    expect(InstructionTable.overlapWitness(table.entry('MOVI')!, table.entry('MOVR')!)).toBeUndefined();
  });

  it('honours exclusions when decoding', () => {
    expect(table.decode(0x3000)).toBeUndefined(); // add r0, r0, r0 is excluded
    expect(table.decode(0x3008)?.entry.def.name).toBe('ADD');
    expect(table.decode(0x6005)?.entry.def.name).toBe('PING');
    expect(table.decode(0x6105)?.entry.def.name).toBe('TRAP');
    expect(table.decode(0x6105)?.fields).toEqual({ code: 1, arg: 5 });
  });

  it('extracts split fields and leaves unlisted encodings undefined', () => {
    expect(table.decode(0xf1a2)?.fields).toEqual({ imm: 0x12, rd: 10 });
    expect(table.decode(0x0001)).toBeUndefined();
    expect(table.decode(0x7000)).toBeUndefined();
  });

  it('decodes every 16-bit word without throwing, and every decoded word round-trips through format and assemble', () => {
    let decoded = 0;
    const failures: string[] = [];
    for (let word = 0; word <= 0xffff; word++) {
      const match = table.decode(word);
      if (match === undefined) continue;
      decoded += 1;
      const text = table.format(match, { address: 0x1000 });
      const back = table.assemble(text, CONTEXT);
      if ('message' in back || back.word !== word) failures.push(`${word.toString(16)} '${text}' -> ${'message' in back ? back.message : back.word.toString(16)}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
    // NOP + HALT + MOVI 2^11 + MOVR 2^6 + ADD (2^9 - 1) + B 15*2^8 + SVC 2^8 + PING 2^8 + TRAP 15*2^8 + LDW 2^12.
    expect(decoded).toBe(2 + 2048 + 64 + 511 + 3840 + 256 + 256 + 3840 + 4096);
  });

  it('formats with the first template whose fixed values apply', () => {
    const text = (word: number, address = 0x1000): string => table.format(table.decode(word)!, { address });
    expect(text(0x4e07)).toBe('b 0x1010'); // cond = al: the `b` template
    expect(text(0x41f7, 0x10)).toBe('bne 0x0'); // offset -9 from 0x12
    expect(text(0xf1a2)).toBe('ldw r10, #18');
    expect(text(0x1105)).toBe('mov r1, #5');
    expect(text(0x2011)).toBe('mov r2, r1');
  });

  it('encodes field values, and rejects missing and out-of-range ones naming the entry and field', () => {
    const movi = table.entry('MOVI')!;
    expect(table.encode(movi, { rd: 1, imm: 255 })).toBe(0x11ff);
    expect(table.encode(table.entry('LDW')!, { rd: 10, imm: 0x12 })).toBe(0xf1a2);
    expect(buildError(() => table.encode(movi, { rd: 1, imm: 256 })).message).toBe("MOVI: field 'imm' value 256 does not fit 8 bits");
    expect(buildError(() => table.encode(movi, { rd: -1, imm: 0 })).message).toBe("MOVI: field 'rd' value -1 does not fit 3 bits");
    expect(buildError(() => table.encode(movi, { rd: 1.5, imm: 0 })).message).toBe("MOVI: field 'rd' value 1.5 does not fit 3 bits");
    expect(buildError(() => table.encode(movi, { rd: 1 })).message).toBe("MOVI: field 'imm' has no value");
  });

  it('assembles every template shape, case-insensitively and with loose spacing', () => {
    expect(assembled(table.assemble('nop', CONTEXT))).toBe(0x0000);
    expect(assembled(table.assemble('mov r1, #5', CONTEXT))).toBe(0x1105);
    expect(assembled(table.assemble('  MOV   R1 ,#0x5  ', CONTEXT))).toBe(0x1105);
    expect(assembled(table.assemble('mov r2, r1', CONTEXT))).toBe(0x2011);
    expect(assembled(table.assemble('svc #255', CONTEXT))).toBe(0x4fff);
    expect(assembled(table.assemble('b 0x1010', CONTEXT))).toBe(0x4e07);
    expect(assembled(table.assemble('bal 0x1010', CONTEXT))).toBe(0x4e07);
    expect(assembled(table.assemble('bne 0x1000', CONTEXT))).toBe(0x41ff);
    expect(assembled(table.assemble('ldw r10, #0x12', CONTEXT))).toBe(0xf1a2);
    expect(assembled(table.assemble('trap #15, #1', CONTEXT))).toBe(0x6f01);
    expect(assembled(table.assemble('ping #1', CONTEXT))).toBe(0x6001);
  });

  it('reports an unknown mnemonic at offset 0', () => {
    expect(table.assemble('x', CONTEXT)).toEqual({ message: "unknown mnemonic 'x'", offset: 0 });
    expect(table.assemble('frob r1, r2', CONTEXT)).toEqual({ message: "unknown mnemonic 'frob'", offset: 0 });
    // `bx` is not `b` + a condition.
    expect(table.assemble('bx 0x0', CONTEXT)).toEqual({ message: "unknown mnemonic 'bx'", offset: 0 });
  });

  it('reports bad operands for a known mnemonic, listing its forms', () => {
    expect(table.assemble('mov r1', CONTEXT)).toEqual({ message: "bad operands for 'mov' (expected mov <rd>, <imm> | mov <rd>, <rm>)", offset: 4 });
    // r9 is a register, but not one a 3-bit field holds.
    expect(table.assemble('mov r9, #1', CONTEXT)).toEqual({ message: "bad operands for 'mov' (expected mov <rd>, <imm> | mov <rd>, <rm>)", offset: 4 });
    // The excluded encoding is not this instruction.
    expect(table.assemble('add r0, r0, r0', CONTEXT)).toEqual({ message: "bad operands for 'add' (expected add <rd>, <rn>, <rm>)", offset: 4 });
    // A mnemonic with a condition inside it lists only the forms it can be.
    expect(table.assemble('beq', CONTEXT)).toEqual({ message: "bad operands for 'beq' (expected b<cond> <off>)", offset: 4 });
    expect(table.assemble('ldw r1', CONTEXT)).toEqual({ message: "bad operands for 'ldw' (expected ldw <rd>, <imm>)", offset: 4 });
  });

  it('reports operand errors at the offending character', () => {
    expect(table.assemble('mov r1, #300', CONTEXT)).toEqual({ message: 'immediate 300 out of range 0..255', offset: 9 });
    expect(table.assemble('add r1, r2, r16', CONTEXT)).toEqual({ message: "unknown register 'r16'", offset: 12 });
    expect(table.assemble('mov r1, #zz', CONTEXT)).toEqual({ message: "undefined symbol 'zz'", offset: 9 });
    expect(table.assemble('mov r1, #1 +', CONTEXT)).toEqual({ message: 'expression ends early', offset: 12 });
    expect(table.assemble('b nowhere', CONTEXT)).toEqual({ message: "unknown label 'nowhere'", offset: 2 });
    expect(table.assemble('bne 0x2000', CONTEXT)).toEqual({ message: 'target 0x2000 is out of range', offset: 4 });
    // Leading blanks are trimmed, so offsets count from the first character of the instruction.
    expect(table.assemble('   mov r1, #300', CONTEXT)).toEqual({ message: 'immediate 300 out of range 0..255', offset: 9 });
  });

  it('uses the label resolver and the instruction address for PC-relative operands', () => {
    const at = (address: number, labels: Record<string, number>): ParseContext => ({ address, final: true, resolve: (s) => labels[s] });
    expect(assembled(table.assemble('b loop', at(0x20, { loop: 0x10 })))).toBe(0x4ef7); // (0x10 - 0x22) / 2 = -9
    expect(assembled(table.assemble('blt next', at(0x20, { next: 0x22 })))).toBe(0x4b00);
    // Before the final pass an unknown label is a placeholder, not an error.
    expect(assembled(table.assemble('b later', { address: 0, final: false, resolve: () => undefined }))).toBe(0x4e00);
  });

  it('rejects a codec that returns the wrong number of values, naming the entry and codec', () => {
    const codecs: CodecSet = { pair: { pattern: '\\d+', format: () => '0', parse: () => [1] } };
    const pairs = InstructionTable.build([{ name: 'PAIR', pattern: 'a:4 b:4', syntax: ['pair {pair:a,b}'] }], { name: 'toy8', width: 8, codecs });
    expect(buildError(() => pairs.assemble('pair 3', CONTEXT)).message).toBe("PAIR: codec 'pair' returned 1 values for 2 fields");
  });

  it('moves on to the next template when a codec declines the text (returns undefined), without an error', () => {
    // `jmp` is row NEAR for an even number, row FAR for an odd one: each codec declines the other's numbers.
    const parity = (odd: boolean): CodecSet[string] => ({ pattern: '\\d+', format: ([v]) => `${2 * v! + (odd ? 1 : 0)}`, parse: (t) => (Number(t) % 2 === (odd ? 1 : 0) ? [Number(t) >> 1] : undefined) });
    const table8 = InstructionTable.build(
      [
        { name: 'NEAR', pattern: '0 v:7', syntax: ['jmp {even:v}'] },
        { name: 'FAR', pattern: '1 v:7', syntax: ['jmp {odd:v}'] },
      ],
      { name: 'toy8', width: 8, codecs: { even: parity(false), odd: parity(true) } },
    );
    expect(assembled(table8.assemble('jmp 6', CONTEXT))).toBe(0x03);
    expect(assembled(table8.assemble('jmp 7', CONTEXT))).toBe(0x83);
    // 999 is FAR's, but 499 does not fit its 7 bits: no row takes the line, so the forms are listed.
    expect(table8.assemble('jmp 999', CONTEXT)).toEqual({ message: "bad operands for 'jmp' (expected jmp <v>)", offset: 4 });
  });

  it('accepts a table whose only overlap is declared, and rejects it once the declaration is removed', () => {
    const defs: InstructionDef[] = [
      { name: 'MOVI', pattern: '0001 rd:4 imm:8', syntax: ['movi {reg:rd}, {imm:imm}'] },
      { name: 'CLR', pattern: '0001 rd:4 0000 0000', syntax: ['clr {reg:rd}'], overlaps: ['MOVI'] },
    ];
    const codecs = { reg: TOY_REG, imm: TOY_IMM };
    const ok = InstructionTable.build(defs, { name: 'toy', width: 16, codecs });
    expect(ok.decode(0x1300)?.entry.def.name).toBe('CLR');
    expect(ok.decode(0x1301)?.entry.def.name).toBe('MOVI');
    // Assembling `movi r3, #0` gives CLR's word, which decodes as CLR, so MOVI declines it.
    expect(ok.assemble('movi r3, #0', CONTEXT)).toEqual({ message: "bad operands for 'movi' (expected movi <rd>, <imm>)", offset: 5 });
    const undeclared = defs.map((d) => ({ ...d, overlaps: [] }));
    expect(buildError(() => InstructionTable.build(undeclared, { name: 'toy', width: 16, codecs })).message).toBe(
      "toy table: undeclared overlap between 'MOVI' and 'CLR' (both match 0x00001000)",
    );
  });
});
