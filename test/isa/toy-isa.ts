/**
 * A tiny made-up 16-bit instruction set, little-endian, used to test the
 * table machinery and the assembler without any real architecture.
 *
 * It has what the machinery must handle: a split field (`LDW`'s imm:4 …
 * imm:4), a codec inside the mnemonic (`b{cond}`), a template with fixed
 * field values (`b` is `bal`), a declared overlap written loser first (`SVC`
 * beats `B`), an exclusion that carves a hole (`ADD` r0, r0, r0) and an
 * exclusion that makes two rows disjoint (`TRAP` without code 0 vs `PING`),
 * and a PC-relative label operand.
 */

import { InstructionTable, type InstructionDef } from '../../src/isa/instruction-table.ts';
import type { AssemblySyntax } from '../../src/isa/directives.ts';
import { evaluateOperand, EXPRESSION_PATTERN } from '../../src/isa/expression.ts';
import { OperandError, parseInteger, type CodecSet } from '../../src/isa/operand.ts';
import { TOY_CODECS } from './fixtures/toy-codecs.ts';

/** Condition names by encoding; 15 has no name (that space is `SVC`). */
export const TOY_CONDITIONS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al'] as const;

function signExtend8(value: number): number {
  return value >= 0x80 ? value - 0x100 : value;
}

/** The toy codecs. */
export const TOY_ISA_CODECS: CodecSet = {
  reg: TOY_CODECS.reg!,
  // An immediate expression after `#` (symbols, `.`, operators), as the real backends take them.
  imm8: {
    pattern: '#[^,]*',
    format: ([v]) => `#${v}`,
    parse: (text, context) => {
      let n: number;
      try {
        n = Number(evaluateOperand(text.slice(1), context).value);
      } catch (error) {
        if (error instanceof OperandError) throw new OperandError(error.message, 1 + error.offset);
        throw error;
      }
      if (n < 0 || n > 255) throw new OperandError(`immediate ${n} out of range 0..255`, 1);
      return [n];
    },
  },
  imm: {
    pattern: '#[^,\\s]*',
    format: ([v]) => `#${v}`,
    parse: (text) => {
      const n = parseInteger(text);
      if (n === undefined) throw new OperandError(`bad immediate '${text}'`);
      return [n];
    },
  },
  cond: {
    pattern: TOY_CONDITIONS.join('|'),
    format: ([v]) => TOY_CONDITIONS[v!],
    parse: (text) => [TOY_CONDITIONS.indexOf(text.toLowerCase() as (typeof TOY_CONDITIONS)[number])],
  },
  // A branch target: a label, an absolute 0x address or any expression for
  // an address (`1f`, `. + 4`), stored as a signed halfword offset from the
  // next instruction.
  target: {
    pattern: EXPRESSION_PATTERN,
    format: ([off], context) => `0x${(context.address + 2 + 2 * signExtend8(off!)).toString(16)}`,
    parse: (text, context) => {
      const plain = /^[a-z_.$][\w.$]*$/i.test(text) || parseInteger(text) !== undefined;
      const target = plain ? (parseInteger(text) ?? context.resolve(text)) : Number(evaluateOperand(text, context).value);
      if (target === undefined) {
        if (!context.final) return [0];
        throw new OperandError(`unknown label '${text}'`);
      }
      const delta = target - (context.address + 2);
      if (delta % 2 !== 0) throw new OperandError(`target ${text} is not halfword aligned`);
      if (delta < -256 || delta > 254) throw new OperandError(`target ${text} is out of range`);
      return [(delta / 2) & 0xff];
    },
  },
};

/** The toy rows, in written order (`SVC` after `B` on purpose). */
export const TOY_DEFS: readonly InstructionDef[] = [
  { name: 'NOP', pattern: '0000 0000 0000 0000', syntax: ['nop'] },
  { name: 'HALT', pattern: '0000 0000 1111 1111', syntax: ['halt'] },
  { name: 'MOVI', pattern: '0001 0 rd:3 imm:8', syntax: ['mov {reg:rd}, {imm8:imm}'] },
  { name: 'MOVR', pattern: '0010 0000 00 rd:3 rm:3', syntax: ['mov {reg:rd}, {reg:rm}'] },
  { name: 'ADD', pattern: '0011 rd:3 rn:3 rm:3 000', syntax: ['add {reg:rd}, {reg:rn}, {reg:rm}'], exclude: [{ rd: 0, rn: 0, rm: 0 }] },
  { name: 'B', pattern: '0100 cond:4 off:8', syntax: [{ text: 'b {target:off}', when: { cond: 14 } }, 'b{cond:cond} {target:off}'] },
  { name: 'SVC', pattern: '0100 1111 imm:8', syntax: ['svc {imm8:imm}'], overlaps: ['B'] },
  { name: 'PING', pattern: '0110 0000 arg:8', syntax: ['ping {imm:arg}'] },
  { name: 'TRAP', pattern: '0110 code:4 arg:8', syntax: ['trap {imm:code}, {imm:arg}'], exclude: [{ code: 0 }] },
  { name: 'LDW', pattern: '1111 imm:4 rd:4 imm:4', syntax: ['ldw {reg:rd}, {imm:imm}'] },
];

/** Build the toy table, with an assembly syntax when a test needs one. */
export function buildToyTable(assembly?: AssemblySyntax): InstructionTable {
  return InstructionTable.build(TOY_DEFS, { name: 'toy', width: 16, codecs: TOY_ISA_CODECS, ...(assembly === undefined ? {} : { assembly }) });
}
