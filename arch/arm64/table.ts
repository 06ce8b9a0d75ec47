/**
 * The A64 instruction table (Armv8.0-A base integer instructions).
 *
 * One row per encoding pattern; the row name is the name of its semantics
 * handler. Patterns follow the ARM ARM (DDI 0487) chapter C4 encodings,
 * written most significant bit first. Templates spell each form as llvm-mc
 * 14 prints it; the first template that formats is what the disassembler
 * shows, so aliases llvm-mc prints come first. Encodings the table does not
 * list are UNDEFINED.
 *
 * @module
 */

import { InstructionTable, type InstructionDef } from '../../src/isa/instruction-table.ts';
import { ARM64_ASSEMBLY, ARM64_CODECS } from './operands.ts';

/** Every row. */
export const ARM64_INSTRUCTIONS: readonly InstructionDef[] = [
  // Exception generation (C4.1.3): SVC, HVC, SMC, BRK.
  { name: 'SVC', pattern: '11010100 000 imm16:16 000 01', syntax: ['svc {imm16:imm16}'] },
  { name: 'HVC', pattern: '11010100 000 imm16:16 000 10', syntax: ['hvc {imm16:imm16}'] },
  { name: 'SMC', pattern: '11010100 000 imm16:16 000 11', syntax: ['smc {imm16:imm16}'] },
  { name: 'BRK', pattern: '11010100 001 imm16:16 000 00', syntax: ['brk {imm16:imm16}'] },
  // ERET (C6.2.80).
  { name: 'ERET', pattern: '1101011 0100 11111 000000 11111 00000', syntax: ['eret'] },
  // Hints (C6.2.99 HINT): NOP, YIELD, WFE, WFI, SEV, SEVL; other hint numbers are NOPs.
  {
    name: 'HINT',
    pattern: '11010101 00000011 0010 crm:4 op2:3 11111',
    syntax: [
      { text: 'nop', when: { crm: 0, op2: 0 } },
      { text: 'yield', when: { crm: 0, op2: 1 } },
      { text: 'sev', when: { crm: 0, op2: 4 } },
      { text: 'sevl', when: { crm: 0, op2: 5 } },
      'hint {hint:crm,op2}',
    ],
    exclude: [{ crm: 0, op2: 2 }, { crm: 0, op2: 3 }],
  },
  { name: 'WFE', pattern: '11010101 00000011 0010 0000 010 11111', syntax: ['wfe'] },
  { name: 'WFI', pattern: '11010101 00000011 0010 0000 011 11111', syntax: ['wfi'] },
];

/** The A64 table, built on first use; its pairwise overlap scan runs in the test suite and the build. */
export const ARM64_TABLE: InstructionTable = InstructionTable.build(ARM64_INSTRUCTIONS, { name: 'arm64', width: 32, codecs: ARM64_CODECS, assembly: ARM64_ASSEMBLY, deferOverlapScan: true, buildOnFirstUse: true });
