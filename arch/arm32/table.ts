/**
 * The A32 instruction table (ARMv7-A with the Virtualization Extensions).
 *
 * One row per encoding pattern; the row name is the name of its semantics
 * handler. Patterns follow the ARM ARM (DDI 0406C) chapter A8 encodings,
 * written most significant bit first. Encodings the table does not list are
 * undefined instructions.
 *
 * @module
 */

import { InstructionTable, type InstructionDef, type TemplateDef } from '../../src/isa/instruction-table.ts';
import { KERNEL_CODECS } from './kernel-operands.ts';
import { KERNEL_INSTRUCTIONS } from './kernel-rows.ts';
import { ARM32_ASSEMBLY, ARM32_CODECS, bankedRegisterName } from './operands.ts';

/** Data-processing opcodes (ARM ARM A5.2.1), in encoding order. */
export const DATA_PROCESSING_OPS = ['and', 'eor', 'sub', 'rsb', 'add', 'adc', 'sbc', 'rsc', 'tst', 'teq', 'cmp', 'cmn', 'orr', 'mov', 'bic', 'mvn'] as const;

/** A data-processing mnemonic. */
export type DataProcessingOp = (typeof DATA_PROCESSING_OPS)[number];

const NOT_UNCONDITIONAL = [{ cond: 0b1111 }];

/**
 * Data-processing pairs whose immediates are each other's inverse or
 * negation: for row `key`, the text `op rd, rn, #v` with `v` not encodable
 * but `~v` (`modimmnot`) or `-v` (`modimmneg`) encodable is this row.
 */
const IMMEDIATE_PARTNERS: Partial<Record<DataProcessingOp, { readonly op: DataProcessingOp; readonly codec: 'modimmnot' | 'modimmneg' }>> = {
  and: { op: 'bic', codec: 'modimmnot' },
  bic: { op: 'and', codec: 'modimmnot' },
  adc: { op: 'sbc', codec: 'modimmnot' },
  sbc: { op: 'adc', codec: 'modimmnot' },
  mov: { op: 'mvn', codec: 'modimmnot' },
  mvn: { op: 'mov', codec: 'modimmnot' },
  add: { op: 'sub', codec: 'modimmneg' },
  sub: { op: 'add', codec: 'modimmneg' },
  cmp: { op: 'cmn', codec: 'modimmneg' },
  cmn: { op: 'cmp', codec: 'modimmneg' },
};

function bits(value: number, width: number): string {
  return value.toString(2).padStart(width, '0');
}

/**
 * (R, SYSm) pairs that name no banked register: UNPREDICTABLE (ARM ARM
 * B9.2.3), so left undefined. Derived from the codec's own name map.
 */
function unallocatedBanked(): Record<string, number>[] {
  const out: Record<string, number>[] = [];
  for (const r of [0, 1]) {
    for (let sysm = 0; sysm < 32; sysm++) if (bankedRegisterName(r, sysm) === undefined) out.push({ r, m: sysm >> 4, m1: sysm & 15 });
  }
  return out;
}

function dataProcessing(): InstructionDef[] {
  const defs: InstructionDef[] = [];
  DATA_PROCESSING_OPS.forEach((op, opcode) => {
    const name = op.toUpperCase();
    const code = bits(opcode, 4);
    const compare = opcode >= 8 && opcode <= 11;
    const move = op === 'mov' || op === 'mvn';
    const s = compare ? '1' : 's:1';
    const rn = move ? '0000' : 'rn:4';
    const rd = compare ? '0000' : 'rd:4';
    const head = (operand: string, mnemonic: string = op): string => {
      if (compare) return `${mnemonic}{cond:cond} {reg:rn}, ${operand}`;
      if (move) return `${mnemonic}{s:s}{cond:cond} {reg:rd}, ${operand}`;
      return `${mnemonic}{s:s}{cond:cond} {reg:rd}, {reg:rn}, ${operand}`;
    };
    // llvm prints the immediate of MOV (immediate) to the PC unsigned (ARMInstPrinter::printModImmOperand), every other one signed.
    const immediateSyntax: (string | TemplateDef)[] = op === 'mov' ? [{ text: 'mov{s:s}{cond:cond} pc, {modimmu:imm12}', when: { rd: 15 } }] : [];
    immediateSyntax.push(head('{modimm:imm12}'));
    // The partner's mnemonic with an immediate only this row can encode (`mov r0, #-1` is `mvn r0, #0`), as
    // llvm-mc and GNU as accept. Assembler only: these codecs never format.
    const partner = IMMEDIATE_PARTNERS[op];
    if (partner !== undefined) immediateSyntax.push(head(`{${partner.codec}:imm12}`, partner.op));
    // Pseudo-instructions that are this row (assembler only): `adr rd, label` is ADD/SUB rd, pc, #offset, and
    // `ldr rd, =constant` is MOV/MVN when the constant fits (llvm-mc's choice; MOVW and the pool come later).
    if (op === 'add') immediateSyntax.push({ text: 'adr{cond:cond} {reg:rd}, {adrplus:imm12}', when: { rn: 15, s: 0 } });
    if (op === 'sub') immediateSyntax.push({ text: 'adr{cond:cond} {reg:rd}, {adrminus:imm12}', when: { rn: 15, s: 0 } });
    if (op === 'mov' || op === 'mvn') immediateSyntax.push({ text: `ldr{cond:cond} {reg:rd}, {ldr${op}:imm12}`, when: { s: 0 } });
    defs.push({
      name: `${name}_imm`,
      pattern: `cond:4 001 ${code} ${s} ${rn} ${rd} imm12:12`,
      syntax: immediateSyntax,
      exclude: NOT_UNCONDITIONAL,
    });
    const registerSyntax: (string | TemplateDef)[] = [];
    const shiftedRegisterSyntax: (string | TemplateDef)[] = [];
    if (op === 'mov') {
      // llvm prints the shift as the mnemonic: `lsl r0, r1, #3`, `rrx r0, r1`.
      registerSyntax.push(
        { text: 'mov{s:s}{cond:cond} {reg:rd}, {reg:rm}', when: { type: 0, imm5: 0 } },
        { text: 'rrx{s:s}{cond:cond} {reg:rd}, {reg:rm}', when: { type: 3, imm5: 0 } },
        { text: 'lsl{s:s}{cond:cond} {reg:rd}, {reg:rm}, {shimmlsl:imm5}', when: { type: 0 } },
        { text: 'lsr{s:s}{cond:cond} {reg:rd}, {reg:rm}, {shimm32:imm5}', when: { type: 1 } },
        { text: 'asr{s:s}{cond:cond} {reg:rd}, {reg:rm}, {shimm32:imm5}', when: { type: 2 } },
        { text: 'ror{s:s}{cond:cond} {reg:rd}, {reg:rm}, {shimmror:imm5}', when: { type: 3 } },
      );
      ['lsl', 'lsr', 'asr', 'ror'].forEach((shift, type) => {
        shiftedRegisterSyntax.push({ text: `${shift}{s:s}{cond:cond} {reg:rd}, {reg:rm}, {reg:rs}`, when: { type } });
      });
    }
    registerSyntax.push(head('{shift:rm,type,imm5}'));
    shiftedRegisterSyntax.push(head('{rshift:rm,type,rs}'));
    defs.push({
      name: `${name}_reg`,
      pattern: `cond:4 000 ${code} ${s} ${rn} ${rd} imm5:5 type:2 0 rm:4`,
      syntax: registerSyntax,
      exclude: NOT_UNCONDITIONAL,
    });
    defs.push({
      name: `${name}_rsr`,
      pattern: `cond:4 000 ${code} ${s} ${rn} ${rd} rs:4 0 type:2 1 rm:4`,
      syntax: shiftedRegisterSyntax,
      exclude: NOT_UNCONDITIONAL,
    });
  });
  return defs;
}

/**
 * The stack-oriented LDM/STM suffixes (ARM ARM A8.8.58 and following): full or
 * empty, descending or ascending, each a (P, U) pair that differs for loads
 * and stores. Assembler only; the disassembler prints ia/ib/da/db.
 */
function stackAliases(op: 'ldm' | 'stm', modes: Readonly<Record<'fd' | 'ed' | 'fa' | 'ea', readonly [number, number]>>): TemplateDef[] {
  return Object.entries(modes).map(([suffix, [p, u]]) => ({ text: `${op}${suffix}{cond:cond} {reg:rn}{wb:w}, {reglist:regs}`, when: { p, u } }));
}

function loadStore(): InstructionDef[] {
  const defs: InstructionDef[] = [];
  const forms = [
    { name: 'STR', b: 0, l: 0 },
    { name: 'LDR', b: 0, l: 1 },
    { name: 'STRB', b: 1, l: 0 },
    { name: 'LDRB', b: 1, l: 1 },
  ];
  for (const { name, b, l } of forms) {
    const op = name.toLowerCase();
    const immediate: (string | TemplateDef)[] = [`${op}{cond:cond} {reg:rt}, {addr12:rn,p,u,w,imm12}`];
    // `push {r}` / `pop {r}` assemble to the single-register STR/LDR forms (llvm prints them as str/ldr).
    if (name === 'STR') immediate.push({ text: 'push{cond:cond} {reglist1:rt}', when: { rn: 13, p: 1, u: 0, w: 1, imm12: 4 } });
    if (name === 'LDR') immediate.push({ text: 'pop{cond:cond} {reglist1:rt}', when: { rn: 13, p: 0, u: 1, w: 0, imm12: 4 } });
    // `ldr rt, =value` that no move encodes loads it from the literal pool (assembler only; tried after MOV/MVN/MOVW).
    if (name === 'LDR') immediate.push(`ldr{cond:cond} {reg:rt}, {ldrpool:rn,p,u,w,imm12}`);
    defs.push({
      name: `${name}_imm`,
      pattern: `cond:4 010 p:1 u:1 ${b} w:1 ${l} rn:4 rt:4 imm12:12`,
      syntax: immediate,
      exclude: [...NOT_UNCONDITIONAL, { p: 0, w: 1 }],
    });
    defs.push({
      name: `${name}_reg`,
      pattern: `cond:4 011 p:1 u:1 ${b} w:1 ${l} rn:4 rt:4 imm5:5 type:2 0 rm:4`,
      syntax: [`${op}{cond:cond} {reg:rt}, {addrreg:rn,p,u,w,rm,type,imm5}`],
      exclude: [...NOT_UNCONDITIONAL, { p: 0, w: 1 }],
    });
  }
  const extra = [
    { name: 'STRH', l: 0, sh: '1011' },
    { name: 'LDRH', l: 1, sh: '1011' },
    { name: 'LDRSB', l: 1, sh: '1101' },
    { name: 'LDRSH', l: 1, sh: '1111' },
  ];
  for (const { name, l, sh } of extra) {
    const op = name.toLowerCase();
    defs.push({
      name: `${name}_imm`,
      pattern: `cond:4 000 p:1 u:1 1 w:1 ${l} rn:4 rt:4 imm8:4 ${sh} imm8:4`,
      syntax: [`${op}{cond:cond} {reg:rt}, {addr8:rn,p,u,w,imm8}`],
      exclude: [...NOT_UNCONDITIONAL, { p: 0, w: 1 }],
    });
    defs.push({
      name: `${name}_reg`,
      pattern: `cond:4 000 p:1 u:1 0 w:1 ${l} rn:4 rt:4 0000 ${sh} rm:4`,
      syntax: [`${op}{cond:cond} {reg:rt}, {addrreg8:rn,p,u,w,rm}`],
      exclude: [...NOT_UNCONDITIONAL, { p: 0, w: 1 }],
    });
  }
  defs.push({
    name: 'STM',
    pattern: 'cond:4 100 p:1 u:1 0 w:1 0 rn:4 regs:16',
    syntax: [
      { text: 'push{cond:cond} {reglist2:regs}', when: { p: 1, u: 0, w: 1, rn: 13 } },
      'stm{blockmode:p,u}{cond:cond} {reg:rn}{wb:w}, {reglist:regs}',
      ...stackAliases('stm', { fd: [1, 0], ed: [0, 0], fa: [1, 1], ea: [0, 1] }),
    ],
    exclude: [...NOT_UNCONDITIONAL, { regs: 0 }],
  });
  defs.push({
    name: 'LDM',
    pattern: 'cond:4 100 p:1 u:1 0 w:1 1 rn:4 regs:16',
    syntax: [
      { text: 'pop{cond:cond} {reglist2:regs}', when: { p: 0, u: 1, w: 1, rn: 13 } },
      'ldm{blockmode:p,u}{cond:cond} {reg:rn}{wb:w}, {reglist:regs}',
      ...stackAliases('ldm', { fd: [0, 1], ed: [1, 1], fa: [0, 0], ea: [1, 0] }),
    ],
    exclude: [...NOT_UNCONDITIONAL, { regs: 0 }],
  });
  return defs;
}

const HINTS = ['nop', 'yield', 'wfe', 'wfi'] as const;

/** The A32 table rows, in the order the assembler tries them. */
export const ARM32_INSTRUCTIONS: readonly InstructionDef[] = [
  ...dataProcessing(),
  {
    name: 'MOVW',
    pattern: 'cond:4 00110000 imm16:4 rd:4 imm16:12',
    syntax: ['movw{cond:cond} {reg:rd}, {imm16:imm16}', 'mov{cond:cond} {reg:rd}, {imm16:imm16}', 'ldr{cond:cond} {reg:rd}, {ldrmovw:imm16}'],
    exclude: NOT_UNCONDITIONAL,
  },
  {
    name: 'MOVT',
    pattern: 'cond:4 00110100 imm16:4 rd:4 imm16:12',
    syntax: ['movt{cond:cond} {reg:rd}, {imm16:imm16}'],
    exclude: NOT_UNCONDITIONAL,
  },
  {
    name: 'MUL',
    pattern: 'cond:4 0000000 s:1 rd:4 0000 rm:4 1001 rn:4',
    syntax: ['mul{s:s}{cond:cond} {reg:rd}, {reg:rn}, {reg:rm}'],
    exclude: NOT_UNCONDITIONAL,
  },
  {
    name: 'MLA',
    pattern: 'cond:4 0000001 s:1 rd:4 ra:4 rm:4 1001 rn:4',
    syntax: ['mla{s:s}{cond:cond} {reg:rd}, {reg:rn}, {reg:rm}, {reg:ra}'],
    exclude: NOT_UNCONDITIONAL,
  },
  ...loadStore(),
  { name: 'B', pattern: 'cond:4 1010 imm24:24', syntax: ['b{cond:cond} {target:imm24}'], exclude: NOT_UNCONDITIONAL },
  { name: 'BL', pattern: 'cond:4 1011 imm24:24', syntax: ['bl{cond:cond} {target:imm24}'], exclude: NOT_UNCONDITIONAL },
  { name: 'BX', pattern: 'cond:4 0001 0010 1111 1111 1111 0001 rm:4', syntax: ['bx{cond:cond} {reg:rm}'], exclude: NOT_UNCONDITIONAL },
  { name: 'BLX_reg', pattern: 'cond:4 0001 0010 1111 1111 1111 0011 rm:4', syntax: ['blx{cond:cond} {reg:rm}'], exclude: NOT_UNCONDITIONAL },
  { name: 'MRS', pattern: 'cond:4 00010 r:1 00 1111 rd:4 0000 0000 0000', syntax: ['mrs{cond:cond} {reg:rd}, {psr:r}'], exclude: NOT_UNCONDITIONAL },
  {
    name: 'MRS_banked',
    pattern: 'cond:4 00010 r:1 00 m1:4 rd:4 001 m:1 0000 0000',
    syntax: ['mrs{cond:cond} {reg:rd}, {banked:r,m,m1}'],
    exclude: [...NOT_UNCONDITIONAL, ...unallocatedBanked()],
  },
  { name: 'MSR_reg', pattern: 'cond:4 00010 r:1 10 mask:4 1111 0000 0000 rn:4', syntax: ['msr{cond:cond} {psrmask:r,mask}, {reg:rn}'], exclude: [...NOT_UNCONDITIONAL, { mask: 0 }] },
  {
    name: 'MSR_banked',
    pattern: 'cond:4 00010 r:1 10 m1:4 1111 001 m:1 0000 rn:4',
    syntax: ['msr{cond:cond} {banked:r,m,m1}, {reg:rn}'],
    exclude: [...NOT_UNCONDITIONAL, ...unallocatedBanked()],
  },
  {
    name: 'MSR_imm',
    pattern: 'cond:4 00110 r:1 10 mask:4 1111 imm12:12',
    // With R = 0 and mask = 0 this space holds the hints (ARM ARM A5.2.11). The named ones the table
    // models have rows of their own (declared overlaps below); the rest (SEV, CSDB, DBG and the
    // unallocated hints) execute as NOPs, which is what an MSR writing no field does, so they stay
    // here and only need their own spelling. Bits 11:8 are should-be-zero in every hint.
    syntax: [
      'msr{cond:cond} {psrmask:r,mask}, {modimmu:imm12}',
      { text: 'sev{cond:cond}', when: { r: 0, mask: 0, imm12: 0x04 } },
      { text: 'csdb{cond:cond}', when: { r: 0, mask: 0, imm12: 0x14 } },
      { text: 'dbg{cond:cond} {dbg:imm12}', when: { r: 0, mask: 0 } },
      { text: 'hint{cond:cond} {hint:imm12}', when: { r: 0, mask: 0 } },
    ],
    exclude: [
      ...NOT_UNCONDITIONAL,
      { r: 1, mask: 0 },
      '.... 00110 0 10 0000 1111 1... ........',
      '.... 00110 0 10 0000 1111 .1.. ........',
      '.... 00110 0 10 0000 1111 ..1. ........',
      '.... 00110 0 10 0000 1111 ...1 ........',
    ],
  },
  // Hints live in MSR (immediate)'s space with mask = 0 (ARM ARM A5.2.11): declared overlaps.
  ...HINTS.map(
    (hint, op): InstructionDef => ({
      name: hint.toUpperCase(),
      pattern: `cond:4 0011 0010 0000 1111 0000 ${bits(op, 8)}`,
      // `hint #n` is accepted for the named hints too, as llvm does (`hint #0` is `nop`).
      syntax: [`${hint}{cond:cond}`, `hint{cond:cond} #${op}`],
      exclude: NOT_UNCONDITIONAL,
      overlaps: ['MSR_imm'],
    }),
  ),
  {
    name: 'CPS',
    pattern: '1111 00010000 imod:2 mmod:1 0 0000000 a:1 i:1 f:1 0 mode:5',
    syntax: [
      { text: 'cps {imm5:mode}', when: { imod: 0, mmod: 1, a: 0, i: 0, f: 0 } },
      { text: 'cpsie {aif:a,i,f}', when: { imod: 2, mmod: 0, mode: 0 } },
      { text: 'cpsid {aif:a,i,f}', when: { imod: 3, mmod: 0, mode: 0 } },
      { text: 'cpsie {aif:a,i,f}, {imm5:mode}', when: { imod: 2, mmod: 1 } },
      { text: 'cpsid {aif:a,i,f}, {imm5:mode}', when: { imod: 3, mmod: 1 } },
    ],
    // UNPREDICTABLE, so undefined here (ARM ARM B9.3.2): imod = 01; a mode without M; CPSIE/CPSID
    // without flags; a plain CPS with flags.
    exclude: [
      { imod: 1 },
      { imod: 0, mmod: 0 },
      { imod: 0, a: 1 },
      { imod: 0, i: 1 },
      { imod: 0, f: 1 },
      { imod: 2, a: 0, i: 0, f: 0 },
      { imod: 3, a: 0, i: 0, f: 0 },
      '1111 00010000 .. 0 0 0000000 ... 0 1....',
      '1111 00010000 .. 0 0 0000000 ... 0 .1...',
      '1111 00010000 .. 0 0 0000000 ... 0 ..1..',
      '1111 00010000 .. 0 0 0000000 ... 0 ...1.',
      '1111 00010000 .. 0 0 0000000 ... 0 ....1',
    ],
  },
  {
    name: 'MRC',
    pattern: 'cond:4 1110 opc1:3 1 crn:4 rt:4 1111 opc2:3 1 crm:4',
    syntax: [
      // Rt = 15 transfers bits 31:28 to the APSR flags (ARM ARM A8.8.108).
      { text: 'mrc{cond:cond} {p15}, {imm3:opc1}, apsr_nzcv, {creg:crn}, {creg:crm}, {imm3:opc2}', when: { rt: 15 } },
      'mrc{cond:cond} {p15}, {imm3:opc1}, {reg:rt}, {creg:crn}, {creg:crm}, {imm3:opc2}',
      // opc2 may be left out and is then 0.
      { text: 'mrc{cond:cond} {p15}, {imm3:opc1}, apsr_nzcv, {creg:crn}, {creg:crm}', when: { rt: 15, opc2: 0 } },
      { text: 'mrc{cond:cond} {p15}, {imm3:opc1}, {reg:rt}, {creg:crn}, {creg:crm}', when: { opc2: 0 } },
    ],
    exclude: NOT_UNCONDITIONAL,
  },
  {
    name: 'MCR',
    pattern: 'cond:4 1110 opc1:3 0 crn:4 rt:4 1111 opc2:3 1 crm:4',
    syntax: [
      'mcr{cond:cond} {p15}, {imm3:opc1}, {reg:rt}, {creg:crn}, {creg:crm}, {imm3:opc2}',
      { text: 'mcr{cond:cond} {p15}, {imm3:opc1}, {reg:rt}, {creg:crn}, {creg:crm}', when: { opc2: 0 } },
    ],
    exclude: NOT_UNCONDITIONAL,
  },
  {
    name: 'MRRC',
    pattern: 'cond:4 1100 0101 rt2:4 rt:4 1111 opc1:4 crm:4',
    syntax: ['mrrc{cond:cond} {p15}, {imm4:opc1}, {reg:rt}, {reg:rt2}, {creg:crm}'],
    exclude: NOT_UNCONDITIONAL,
  },
  {
    name: 'MCRR',
    pattern: 'cond:4 1100 0100 rt2:4 rt:4 1111 opc1:4 crm:4',
    syntax: ['mcrr{cond:cond} {p15}, {imm4:opc1}, {reg:rt}, {reg:rt2}, {creg:crm}'],
    exclude: NOT_UNCONDITIONAL,
  },
  { name: 'SVC', pattern: 'cond:4 1111 imm24:24', syntax: ['svc{cond:cond} {imm24:imm24}', 'swi{cond:cond} {imm24:imm24}'], exclude: NOT_UNCONDITIONAL },
  // HVC and BKPT must be unconditional (cond = AL); other conditions are UNPREDICTABLE and left undefined here.
  { name: 'HVC', pattern: '1110 00010100 imm16:12 0111 imm16:4', syntax: ['hvc {imm16:imm16}'] },
  { name: 'SMC', pattern: 'cond:4 00010110 0000 0000 0000 0111 imm4:4', syntax: ['smc{cond:cond} {imm4:imm4}'], exclude: NOT_UNCONDITIONAL },
  { name: 'BKPT', pattern: '1110 00010010 imm16:12 0111 imm16:4', syntax: ['bkpt {imm16:imm16}'] },
  { name: 'UDF', pattern: '1110 0111 1111 imm16:12 1111 imm16:4', syntax: ['udf {imm16:imm16}'] },
  { name: 'ERET', pattern: 'cond:4 0001 0110 0000 0000 0000 0110 1110', syntax: ['eret{cond:cond}'], exclude: NOT_UNCONDITIONAL },
  {
    name: 'DSB',
    pattern: '1111 0101 0111 1111 1111 0000 0100 option:4',
    // DSB #0 and #4 are the speculation barriers SSBB and PSSBB (ARM ARM A32 SSBB/PSSBB); llvm prints those names.
    // Without an option a barrier is SY.
    syntax: [{ text: 'ssbb', when: { option: 0 } }, { text: 'pssbb', when: { option: 4 } }, 'dsb {barrier:option}', { text: 'dsb', when: { option: 15 } }],
  },
  {
    name: 'DMB',
    pattern: '1111 0101 0111 1111 1111 0000 0101 option:4',
    syntax: ['dmb {barrier:option}', { text: 'dmb', when: { option: 15 } }],
  },
  {
    name: 'ISB',
    pattern: '1111 0101 0111 1111 1111 0000 0110 option:4',
    syntax: ['isb {isboption:option}', { text: 'isb', when: { option: 15 } }],
  },
  ...KERNEL_INSTRUCTIONS,
];

/** The A32 table, built on first use (a command that never decodes or assembles skips it). Its pairwise overlap scan runs in the test suite and the build (`checkOverlaps`), not at every start. */
export const ARM32_TABLE: InstructionTable = InstructionTable.build(ARM32_INSTRUCTIONS, { name: 'arm32', width: 32, codecs: { ...ARM32_CODECS, ...KERNEL_CODECS }, assembly: ARM32_ASSEMBLY, deferOverlapScan: true, buildOnFirstUse: true });
