/**
 * The Power ISA instruction table (v3.0B, the Book3S 64-bit subset hyplay
 * models).
 *
 * One row per instruction form; the row name is the name of its semantics
 * handler. Patterns follow the ISA's instruction-format diagrams (Book I
 * 1.6), written most significant bit first, so bit 0 of the ISA is the
 * first bit written. Reserved (`/`) bits are written as 0: a word with one
 * set is not an instruction here, as in llvm-mc and QEMU. Encodings the
 * table does not list are illegal instructions.
 *
 * Templates are in llvm-mc's spelling. The first template that formats is
 * what the disassembler prints, so each row lists llvm-mc's preferred
 * extended mnemonics first, then the raw form; templates after the raw one
 * are accepted by the assembler only (`subi`, `srdi`, `beq cr2, …`).
 *
 * Split fields: the SPR number's halves (`sprl` holds the low five bits),
 * the MD/XS-form 6-bit shift (`shh` is sh5, `shl` sh0:4) and the MD-form
 * 6-bit mask bound (`mbh`/`meh` is its high bit, written last).
 *
 * @module
 */

import { InstructionTable, type InstructionDef, type TemplateDef } from '../../src/isa/instruction-table.ts';
import { PPC64_ASSEMBLY, PPC64_CODECS } from './operands.ts';

function bits(value: number, width: number): string {
  return value.toString(2).padStart(width, '0');
}

/** Primary opcode bits. */
function opcode(n: number): string {
  return bits(n, 6);
}

/** A 32-character exclusion pattern: don't-care everywhere except `ones` (ISA bit numbers), which are 1. */
function onesAt(ones: readonly number[]): string {
  const chars = Array.from({ length: 32 }, () => '.');
  for (const bit of ones) chars[bit] = '1';
  return chars.join('');
}

/** FXM values with other than exactly one bit set, for mtocrf and mfocrf (FXM is bits 12:19). */
function notOneField(): (Record<string, number> | string)[] {
  const out: (Record<string, number> | string)[] = [{ fxm: 0 }];
  for (let i = 0; i < 8; i++) for (let j = i + 1; j < 8; j++) out.push(onesAt([12 + i, 12 + j]));
  return out;
}

// ---------------------------------------------------------------- arithmetic

/** D-form arithmetic and logic with an immediate (Book I 3.3.9, 3.3.13). */
function immediateForms(): InstructionDef[] {
  return [
    {
      name: 'ADDI',
      pattern: `${opcode(14)} rt:5 ra:5 si:16`,
      syntax: [
        { text: 'li {gpr:rt}, {si16:si}', when: { ra: 0 } },
        'addi {gpr:rt}, {gpr:ra}, {si16:si}',
        'la {gpr:rt}, {disp:si,ra}',
        'subi {gpr:rt}, {gpr:ra}, {negsi16:si}',
      ],
    },
    {
      name: 'ADDIS',
      pattern: `${opcode(15)} rt:5 ra:5 si:16`,
      syntax: [{ text: 'lis {gpr:rt}, {si17:si}', when: { ra: 0 } }, 'addis {gpr:rt}, {gpr:ra}, {si17:si}', 'subis {gpr:rt}, {gpr:ra}, {negsi17:si}'],
    },
    { name: 'ADDIC', pattern: `${opcode(12)} rt:5 ra:5 si:16`, syntax: ['addic {gpr:rt}, {gpr:ra}, {si16:si}', 'subic {gpr:rt}, {gpr:ra}, {negsi16:si}'] },
    {
      name: 'ADDIC_rec',
      pattern: `${opcode(13)} rt:5 ra:5 si:16`,
      syntax: ['addic. {gpr:rt}, {gpr:ra}, {si16:si}', 'subic. {gpr:rt}, {gpr:ra}, {negsi16:si}'],
    },
    { name: 'SUBFIC', pattern: `${opcode(8)} rt:5 ra:5 si:16`, syntax: ['subfic {gpr:rt}, {gpr:ra}, {si16:si}'] },
    { name: 'MULLI', pattern: `${opcode(7)} rt:5 ra:5 si:16`, syntax: ['mulli {gpr:rt}, {gpr:ra}, {si16:si}'] },
    {
      name: 'ORI',
      pattern: `${opcode(24)} rs:5 ra:5 ui:16`,
      syntax: [{ text: 'nop', when: { rs: 0, ra: 0, ui: 0 } }, 'ori {gpr:ra}, {gpr:rs}, {ui16:ui}'],
    },
    { name: 'ORIS', pattern: `${opcode(25)} rs:5 ra:5 ui:16`, syntax: ['oris {gpr:ra}, {gpr:rs}, {ui16:ui}'] },
    {
      name: 'XORI',
      pattern: `${opcode(26)} rs:5 ra:5 ui:16`,
      syntax: [{ text: 'xnop', when: { rs: 0, ra: 0, ui: 0 } }, 'xori {gpr:ra}, {gpr:rs}, {ui16:ui}'],
    },
    { name: 'XORIS', pattern: `${opcode(27)} rs:5 ra:5 ui:16`, syntax: ['xoris {gpr:ra}, {gpr:rs}, {ui16:ui}'] },
    { name: 'ANDI_rec', pattern: `${opcode(28)} rs:5 ra:5 ui:16`, syntax: ['andi. {gpr:ra}, {gpr:rs}, {ui16:ui}'] },
    { name: 'ANDIS_rec', pattern: `${opcode(29)} rs:5 ra:5 ui:16`, syntax: ['andis. {gpr:ra}, {gpr:rs}, {ui16:ui}'] },
  ];
}

/** XO-form arithmetic (Book I 3.3.9): OE and Rc as the `o` and `.` suffixes. */
function xoArithmetic(): InstructionDef[] {
  const three = (name: string, xo: number, mnemonic: string, alias?: string): InstructionDef => ({
    name,
    pattern: `${opcode(31)} rt:5 ra:5 rb:5 oe:1 ${bits(xo, 9)} rc:1`,
    // llvm prints subf/subfc as sub/subc with the operands swapped, but only without OE.
    syntax: [
      ...(alias === undefined ? [] : [{ text: `${alias}{dot:rc} {gpr:rt}, {gpr:rb}, {gpr:ra}`, when: { oe: 0 } }]),
      `${mnemonic}{o:oe}{dot:rc} {gpr:rt}, {gpr:ra}, {gpr:rb}`,
    ],
  });
  const two = (name: string, xo: number, mnemonic: string): InstructionDef => ({
    name,
    pattern: `${opcode(31)} rt:5 ra:5 00000 oe:1 ${bits(xo, 9)} rc:1`,
    syntax: [`${mnemonic}{o:oe}{dot:rc} {gpr:rt}, {gpr:ra}`],
  });
  // The multiply-high forms have no OE: bit 21 is reserved (/).
  const high = (name: string, xo: number, mnemonic: string): InstructionDef => ({
    name,
    pattern: `${opcode(31)} rt:5 ra:5 rb:5 0 ${bits(xo, 9)} rc:1`,
    syntax: [`${mnemonic}{dot:rc} {gpr:rt}, {gpr:ra}, {gpr:rb}`],
  });
  // The v3.0 modulo forms are X-form with neither OE nor Rc.
  const modulo = (name: string, xo: number, mnemonic: string): InstructionDef => ({
    name,
    pattern: `${opcode(31)} rt:5 ra:5 rb:5 ${bits(xo, 10)} 0`,
    syntax: [`${mnemonic} {gpr:rt}, {gpr:ra}, {gpr:rb}`],
  });
  return [
    three('ADD', 266, 'add'),
    three('ADDC', 10, 'addc'),
    three('ADDE', 138, 'adde'),
    three('SUBF', 40, 'subf', 'sub'),
    three('SUBFC', 8, 'subfc', 'subc'),
    three('SUBFE', 136, 'subfe'),
    two('ADDZE', 202, 'addze'),
    two('SUBFZE', 200, 'subfze'),
    two('NEG', 104, 'neg'),
    three('MULLD', 233, 'mulld'),
    three('MULLW', 235, 'mullw'),
    three('DIVD', 489, 'divd'),
    three('DIVDU', 457, 'divdu'),
    three('DIVW', 491, 'divw'),
    three('DIVWU', 459, 'divwu'),
    // Kernel forms (issue 12): the add/subtract-minus-one forms, the extended divides (Book I 3.3.9).
    two('ADDME', 234, 'addme'),
    two('SUBFME', 232, 'subfme'),
    three('DIVDE', 425, 'divde'),
    three('DIVDEU', 393, 'divdeu'),
    high('MULHD', 73, 'mulhd'),
    high('MULHDU', 9, 'mulhdu'),
    high('MULHW', 75, 'mulhw'),
    high('MULHWU', 11, 'mulhwu'),
    modulo('MODSD', 777, 'modsd'),
    modulo('MODUD', 265, 'modud'),
    modulo('MODSW', 779, 'modsw'),
    modulo('MODUW', 267, 'moduw'),
  ];
}

/** X-form logic, sign extension and count-leading-zeros (Book I 3.3.13). */
function xLogical(): InstructionDef[] {
  const three = (name: string, xo: number, mnemonic: string, aliases: readonly (string | TemplateDef)[] = []): InstructionDef => ({
    name,
    pattern: `${opcode(31)} rs:5 ra:5 rb:5 ${bits(xo, 10)} rc:1`,
    syntax: [...aliases, `${mnemonic}{dot:rc} {gpr:ra}, {gpr:rs}, {gpr:rb}`],
  });
  const two = (name: string, xo: number, mnemonic: string): InstructionDef => ({
    name,
    pattern: `${opcode(31)} rs:5 ra:5 00000 ${bits(xo, 10)} rc:1`,
    syntax: [`${mnemonic}{dot:rc} {gpr:ra}, {gpr:rs}`],
  });
  const noRecord = (name: string, xo: number, mnemonic: string): InstructionDef => ({
    name,
    pattern: `${opcode(31)} rs:5 ra:5 00000 ${bits(xo, 10)} 0`,
    syntax: [`${mnemonic} {gpr:ra}, {gpr:rs}`],
  });
  return [
    three('AND', 28, 'and'),
    three('ANDC', 60, 'andc'),
    three('OR', 444, 'or', ['mr{dot:rc} {gpr:ra}, {gprpair:rs,rb}']),
    three('ORC', 412, 'orc'),
    three('XOR', 316, 'xor'),
    three('NOR', 124, 'nor', ['not{dot:rc} {gpr:ra}, {gprpair:rs,rb}']),
    three('NAND', 476, 'nand'),
    three('EQV', 284, 'eqv'),
    two('EXTSB', 954, 'extsb'),
    two('EXTSH', 922, 'extsh'),
    two('EXTSW', 986, 'extsw'),
    two('CNTLZW', 26, 'cntlzw'),
    two('CNTLZD', 58, 'cntlzd'),
    // Kernel forms (issue 12): count trailing zeros (v3.0), population counts and compare bytes (Book I 3.3.13).
    two('CNTTZW', 538, 'cnttzw'),
    two('CNTTZD', 570, 'cnttzd'),
    noRecord('POPCNTB', 122, 'popcntb'),
    noRecord('POPCNTW', 378, 'popcntw'),
    noRecord('POPCNTD', 506, 'popcntd'),
    { name: 'CMPB', pattern: `${opcode(31)} rs:5 ra:5 rb:5 ${bits(508, 10)} 0`, syntax: ['cmpb {gpr:ra}, {gpr:rs}, {gpr:rb}'] },
    {
      // isel (Book I 3.3.12): llvm prints isellt/iselgt/iseleq for the CR0 bits 0..2.
      name: 'ISEL',
      pattern: `${opcode(31)} rt:5 ra:5 rb:5 bc:5 01111 0`,
      syntax: [
        { text: 'isellt {gpr:rt}, {gpr:ra}, {gpr:rb}', when: { bc: 0 } },
        { text: 'iselgt {gpr:rt}, {gpr:ra}, {gpr:rb}', when: { bc: 1 } },
        { text: 'iseleq {gpr:rt}, {gpr:ra}, {gpr:rb}', when: { bc: 2 } },
        'isel {gpr:rt}, {gpr:ra}, {gpr:rb}, {crbit:bc}',
      ],
    },
  ];
}

/** CR logical instructions and mcrf (Book I 2.5.1), with llvm's extended mnemonics first. */
function conditionRegister(): InstructionDef[] {
  const logic = (name: string, xo: number, mnemonic: string, aliases: readonly TemplateDef[] = []): InstructionDef => ({
    name,
    pattern: `${opcode(19)} bt:5 ba:5 bb:5 ${bits(xo, 10)} 0`,
    syntax: [...aliases, `${mnemonic} {crbit:bt}, {crbit:ba}, {crbit:bb}`],
  });
  return [
    logic('CRAND', 257, 'crand'),
    logic('CROR', 449, 'cror', [{ text: 'crmove {crbit:bt}, {crbitpair:ba,bb}' }]),
    logic('CRXOR', 193, 'crxor', [{ text: 'crclr {crbittriple:bt,ba,bb}' }]),
    logic('CRNAND', 225, 'crnand'),
    logic('CRNOR', 33, 'crnor', [{ text: 'crnot {crbit:bt}, {crbitpair:ba,bb}' }]),
    logic('CREQV', 289, 'creqv', [{ text: 'crset {crbittriple:bt,ba,bb}' }]),
    logic('CRANDC', 129, 'crandc'),
    logic('CRORC', 417, 'crorc'),
    { name: 'MCRF', pattern: `${opcode(19)} bf:3 00 bfa:3 00 00000 ${bits(0, 10)} 0`, syntax: ['mcrf {crf:bf}, {crf:bfa}'] },
  ];
}

// ---------------------------------------------------------------- rotates and shifts

/** M-, MD-, MDS-, X- and XS-form rotates and shifts (Book I 3.3.14, 3.3.14.2). */
function rotatesAndShifts(): InstructionDef[] {
  const rs = '{gpr:ra}, {gpr:rs}';
  const sh6 = '{six:shh,shl}';
  const mb6 = '{six:mbh,mbl}';
  const me6 = '{six:meh,mel}';
  const shift = (name: string, xo: number, mnemonic: string): InstructionDef => ({
    name,
    pattern: `${opcode(31)} rs:5 ra:5 rb:5 ${bits(xo, 10)} rc:1`,
    syntax: [`${mnemonic}{dot:rc} ${rs}, {gpr:rb}`],
  });
  return [
    {
      name: 'RLWINM',
      pattern: `${opcode(21)} rs:5 ra:5 sh:5 mb:5 me:5 rc:1`,
      syntax: [
        // llvm's PPCInstPrinter prints slwi/srwi for rlwinm (never rlwinm.) before its table aliases.
        { text: `slwi ${rs}, {slwi:sh,mb,me}`, when: { rc: 0 } },
        { text: `srwi ${rs}, {srwi:sh,mb,me}`, when: { rc: 0 } },
        { text: `rotlwi{dot:rc} ${rs}, {u5:sh}`, when: { mb: 0, me: 31 } },
        { text: `clrlwi{dot:rc} ${rs}, {u5:mb}`, when: { sh: 0, me: 31 } },
        `rlwinm{dot:rc} ${rs}, {u5:sh}, {u5:mb}, {u5:me}`,
        { text: `slwi. ${rs}, {slwi:sh,mb,me}`, when: { rc: 1 } },
        { text: `srwi. ${rs}, {srwi:sh,mb,me}`, when: { rc: 1 } },
        { text: `rotrwi{dot:rc} ${rs}, {rotrwi:sh}`, when: { mb: 0, me: 31 } },
        { text: `clrrwi{dot:rc} ${rs}, {clrrwi:me}`, when: { sh: 0, mb: 0 } },
        `extlwi{dot:rc} ${rs}, {extlwi:sh,mb,me}`,
        `extrwi{dot:rc} ${rs}, {extrwi:sh,mb,me}`,
      ],
    },
    {
      name: 'RLWNM',
      pattern: `${opcode(23)} rs:5 ra:5 rb:5 mb:5 me:5 rc:1`,
      syntax: [{ text: `rotlw{dot:rc} ${rs}, {gpr:rb}`, when: { mb: 0, me: 31 } }, `rlwnm{dot:rc} ${rs}, {gpr:rb}, {u5:mb}, {u5:me}`],
    },
    {
      name: 'RLWIMI',
      pattern: `${opcode(20)} rs:5 ra:5 sh:5 mb:5 me:5 rc:1`,
      syntax: [`rlwimi{dot:rc} ${rs}, {u5:sh}, {u5:mb}, {u5:me}`, `inslwi{dot:rc} ${rs}, {inslwi:sh,mb,me}`, `insrwi{dot:rc} ${rs}, {insrwi:sh,mb,me}`],
    },
    {
      name: 'RLDICL',
      pattern: `${opcode(30)} rs:5 ra:5 shl:5 mbl:5 mbh:1 000 shh:1 rc:1`,
      syntax: [
        { text: `rotldi{dot:rc} ${rs}, ${sh6}`, when: { mbh: 0, mbl: 0 } },
        { text: `clrldi{dot:rc} ${rs}, ${mb6}`, when: { shh: 0, shl: 0 } },
        `rldicl{dot:rc} ${rs}, ${sh6}, ${mb6}`,
        `srdi{dot:rc} ${rs}, {srdi:shh,shl,mbh,mbl}`,
        { text: `rotrdi{dot:rc} ${rs}, {rotrdi:shh,shl}`, when: { mbh: 0, mbl: 0 } },
        `extrdi{dot:rc} ${rs}, {extrdi:shh,shl,mbh,mbl}`,
      ],
    },
    {
      name: 'RLDICR',
      pattern: `${opcode(30)} rs:5 ra:5 shl:5 mel:5 meh:1 001 shh:1 rc:1`,
      syntax: [
        // As slwi: llvm prints sldi only for rldicr, never rldicr.
        { text: `sldi ${rs}, {sldi:shh,shl,meh,mel}`, when: { rc: 0 } },
        `rldicr{dot:rc} ${rs}, ${sh6}, ${me6}`,
        { text: `sldi. ${rs}, {sldi:shh,shl,meh,mel}`, when: { rc: 1 } },
        { text: `clrrdi{dot:rc} ${rs}, {clrrdi:meh,mel}`, when: { shh: 0, shl: 0 } },
        `extldi{dot:rc} ${rs}, {extldi:shh,shl,meh,mel}`,
      ],
    },
    {
      name: 'RLDIC',
      pattern: `${opcode(30)} rs:5 ra:5 shl:5 mbl:5 mbh:1 010 shh:1 rc:1`,
      syntax: [`rldic{dot:rc} ${rs}, ${sh6}, ${mb6}`, `clrlsldi{dot:rc} ${rs}, {clrlsldi:shh,shl,mbh,mbl}`],
    },
    {
      name: 'RLDIMI',
      pattern: `${opcode(30)} rs:5 ra:5 shl:5 mbl:5 mbh:1 011 shh:1 rc:1`,
      syntax: [`rldimi{dot:rc} ${rs}, ${sh6}, ${mb6}`, `insrdi{dot:rc} ${rs}, {insrdi:shh,shl,mbh,mbl}`],
    },
    {
      name: 'RLDCL',
      pattern: `${opcode(30)} rs:5 ra:5 rb:5 mbl:5 mbh:1 1000 rc:1`,
      syntax: [{ text: `rotld{dot:rc} ${rs}, {gpr:rb}`, when: { mbh: 0, mbl: 0 } }, `rldcl{dot:rc} ${rs}, {gpr:rb}, ${mb6}`],
    },
    {
      name: 'RLDCR',
      pattern: `${opcode(30)} rs:5 ra:5 rb:5 mel:5 meh:1 1001 rc:1`,
      syntax: [`rldcr{dot:rc} ${rs}, {gpr:rb}, ${me6}`],
    },
    shift('SLW', 24, 'slw'),
    shift('SRW', 536, 'srw'),
    shift('SRAW', 792, 'sraw'),
    shift('SLD', 27, 'sld'),
    shift('SRD', 539, 'srd'),
    shift('SRAD', 794, 'srad'),
    {
      name: 'SRAWI',
      pattern: `${opcode(31)} rs:5 ra:5 sh:5 ${bits(824, 10)} rc:1`,
      syntax: [`srawi{dot:rc} ${rs}, {u5:sh}`],
    },
    {
      name: 'SRADI',
      pattern: `${opcode(31)} rs:5 ra:5 shl:5 ${bits(413, 9)} shh:1 rc:1`,
      syntax: [`sradi{dot:rc} ${rs}, ${sh6}`],
    },
  ];
}

// ---------------------------------------------------------------- compares

/** Compares (Book I 3.3.10): the word/doubleword mnemonics, CR0 left out as llvm prints it. */
function compares(): InstructionDef[] {
  const forms = (word: string, double: string, operands: string, raw: string): (string | TemplateDef)[] => [
    { text: `${word} ${operands}`, when: { l: 0, bf: 0 } },
    { text: `${word} {crf:bf}, ${operands}`, when: { l: 0 } },
    { text: `${double} ${operands}`, when: { l: 1, bf: 0 } },
    { text: `${double} {crf:bf}, ${operands}`, when: { l: 1 } },
    `${raw} {crf:bf}, {u1:l}, ${operands}`,
  ];
  return [
    { name: 'CMPI', pattern: `${opcode(11)} bf:3 0 l:1 ra:5 si:16`, syntax: forms('cmpwi', 'cmpdi', '{gpr:ra}, {si16:si}', 'cmpi') },
    { name: 'CMPLI', pattern: `${opcode(10)} bf:3 0 l:1 ra:5 ui:16`, syntax: forms('cmplwi', 'cmpldi', '{gpr:ra}, {ui16:ui}', 'cmpli') },
    { name: 'CMP', pattern: `${opcode(31)} bf:3 0 l:1 ra:5 rb:5 ${bits(0, 10)} 0`, syntax: forms('cmpw', 'cmpd', '{gpr:ra}, {gpr:rb}', 'cmp') },
    { name: 'CMPL', pattern: `${opcode(31)} bf:3 0 l:1 ra:5 rb:5 ${bits(32, 10)} 0`, syntax: forms('cmplw', 'cmpld', '{gpr:ra}, {gpr:rb}', 'cmpl') },
  ];
}

// ---------------------------------------------------------------- branches

/** Suffixes of the link (LK) and absolute (AA) bits, in llvm's order: `l` then `a`. */
const LINK_ABSOLUTE = [
  { suffix: '', lk: 0, aa: 0 },
  { suffix: 'l', lk: 1, aa: 0 },
  { suffix: 'a', lk: 0, aa: 1 },
  { suffix: 'la', lk: 1, aa: 1 },
] as const;

/**
 * Branch conditions of the extended mnemonics (Book I appendix C.2.3): the
 * CR bit within a field, and whether the branch is taken when it is set.
 */
const CONDITIONS = [
  { cond: 'lt', bit: 0, set: true },
  { cond: 'le', bit: 1, set: false },
  { cond: 'eq', bit: 2, set: true },
  { cond: 'ge', bit: 0, set: false },
  { cond: 'gt', bit: 1, set: true },
  { cond: 'nl', bit: 0, set: false },
  { cond: 'ne', bit: 2, set: false },
  { cond: 'ng', bit: 1, set: false },
  { cond: 'so', bit: 3, set: true },
  { cond: 'ns', bit: 3, set: false },
  { cond: 'un', bit: 3, set: true },
  { cond: 'nu', bit: 3, set: false },
] as const;

/** BO for a condition with its hint (Book I 2.4, Figure 40): `+` likely taken (at = 11), `-` unlikely (at = 10). */
function conditionBo(set: boolean, hint: '' | '+' | '-'): number {
  const base = set ? 0b01100 : 0b00100;
  return hint === '+' ? base | 0b11 : hint === '-' ? base | 0b10 : base;
}

const CR_FIELD_CODECS = ['crlt', 'crgt', 'creq', 'crso'] as const;

/** One link/absolute variant of a conditional branch row. */
interface BranchVariant {
  /** Mnemonic suffix: '', 'l', 'a' or 'la'. */
  readonly suffix: string;
  /** The fields the suffix fixes. */
  readonly when: Readonly<Record<string, number>>;
  /** The target operand template, or '' for the LR/CTR forms. */
  readonly target: string;
}

/** The templates of a conditional branch row, in three groups. */
interface ConditionalSyntax {
  /** The extended mnemonics llvm-mc prints. */
  readonly printed: TemplateDef[];
  /** The raw `bc`/`bclr`/`bcctr` forms. */
  readonly raw: TemplateDef[];
  /** The extended mnemonics llvm-mc only accepts (`beq`, `bnelr+ cr2`, `btctr`, …). */
  readonly accepted: TemplateDef[];
}

/**
 * The conditional-branch templates of one row. `stem` is '' for bc, 'lr'
 * or 'ctr' for bclr/bcctr.
 */
function conditionalSyntax(stem: '' | 'lr' | 'ctr', raw: string, variants: readonly BranchVariant[]): ConditionalSyntax {
  const printed: TemplateDef[] = [];
  const rawForms: TemplateDef[] = [];
  const accepted: TemplateDef[] = [];
  for (const { suffix, when, target } of variants) {
    const sep = target === '' ? '' : ' ';
    const comma = target === '' ? '' : ', ';
    if (stem !== 'ctr') {
      // CTR-decrementing forms with no CR test print only with BI = 0 (llvm's aliases fix it).
      for (const [name, bo] of [['bdnz', 16], ['bdz', 18]] as const) {
        printed.push({ text: `${name}${stem}${suffix}${sep}${target}`, when: { ...when, bo, bi: 0 } });
        printed.push({ text: `${name}${stem}${suffix}-${sep}${target}`, when: { ...when, bo: bo | 0b01000, bi: 0 } });
        printed.push({ text: `${name}${stem}${suffix}+${sep}${target}`, when: { ...when, bo: bo | 0b01001, bi: 0 } });
      }
    }
    const crTests = stem === 'ctr' ? ([['bf', 4], ['bt', 12]] as const) : ([['bdnzf', 0], ['bdzf', 2], ['bf', 4], ['bdnzt', 8], ['bdzt', 10], ['bt', 12]] as const);
    for (const [name, bo] of crTests) {
      // llvm prints bt/bf/bdnzt/… with a CR bit for bc only; for bclr/bcctr it prints the raw form.
      const list = stem === '' ? printed : accepted;
      list.push({ text: `${name}${stem}${suffix} {crbit:bi}${comma}${target}`, when: { ...when, bo } });
      if (name === 'bt' || name === 'bf') {
        list.push({ text: `${name}${stem}${suffix}- {crbit:bi}${comma}${target}`, when: { ...when, bo: bo | 0b10 } });
        list.push({ text: `${name}${stem}${suffix}+ {crbit:bi}${comma}${target}`, when: { ...when, bo: bo | 0b11 } });
      }
    }
    rawForms.push({ text: `${raw}${suffix} {u5:bo}, {crbit:bi}${comma}${target}`, when });
    for (const { cond, bit, set } of CONDITIONS) {
      for (const hint of ['', '+', '-'] as const) {
        const bo = conditionBo(set, hint);
        accepted.push({ text: `b${cond}${stem}${suffix}${hint} {${CR_FIELD_CODECS[bit]}:bi}${comma}${target}`, when: { ...when, bo } });
        accepted.push({ text: `b${cond}${stem}${suffix}${hint}${sep}${target}`, when: { ...when, bo, bi: bit } });
      }
    }
  }
  return { printed, raw: rawForms, accepted };
}

function branches(): InstructionDef[] {
  const bc = conditionalSyntax(
    '',
    'bc',
    LINK_ABSOLUTE.map(({ suffix, lk, aa }) => ({ suffix, when: { lk, aa }, target: aa === 1 ? '{abs14:bd}' : '{rel14:bd}' })),
  );
  const registerBranch = (name: string, xo: number, register: 'lr' | 'ctr', raw: string): InstructionDef => {
    const variants: BranchVariant[] = [
      { suffix: '', when: { lk: 0, bh: 0 }, target: '' },
      { suffix: 'l', when: { lk: 1, bh: 0 }, target: '' },
    ];
    const forms = conditionalSyntax(register, raw, variants);
    return {
      name,
      pattern: `${opcode(19)} bo:5 bi:5 000 bh:2 ${bits(xo, 10)} lk:1`,
      syntax: [
        { text: `b${register}`, when: { bo: 20, bi: 0, bh: 0, lk: 0 } },
        { text: `b${register}l`, when: { bo: 20, bi: 0, bh: 0, lk: 1 } },
        ...forms.printed,
        ...forms.raw,
        // A non-zero BH hint is printed as a third operand (llvm: `bclr 20, 6, 1`).
        { text: `${raw} {u5:bo}, {crbit:bi}, {u2:bh}`, when: { lk: 0 } },
        { text: `${raw}l {u5:bo}, {crbit:bi}, {u2:bh}`, when: { lk: 1 } },
        ...forms.accepted,
      ],
    };
  };
  return [
    {
      name: 'B',
      pattern: `${opcode(18)} li:24 aa:1 lk:1`,
      syntax: LINK_ABSOLUTE.map(({ suffix, lk, aa }) => ({ text: `b${suffix} {${aa === 1 ? 'abs24' : 'rel24'}:li}`, when: { lk, aa } })),
    },
    { name: 'BC', pattern: `${opcode(16)} bo:5 bi:5 bd:14 aa:1 lk:1`, syntax: [...bc.printed, ...bc.raw, ...bc.accepted] },
    registerBranch('BCLR', 16, 'lr', 'bclr'),
    registerBranch('BCCTR', 528, 'ctr', 'bcctr'),
  ];
}

// ---------------------------------------------------------------- loads and stores

/** D-, DS- and X-form loads and stores (Book I 3.3.2, 3.3.3). */
function loadsAndStores(): InstructionDef[] {
  const defs: InstructionDef[] = [];
  const dForm = (name: string, op: number, register: 'rt' | 'rs'): InstructionDef => ({
    name,
    pattern: `${opcode(op)} ${register}:5 ra:5 d:16`,
    syntax: [`${name.toLowerCase()} {gpr:${register}}, {disp:d,ra}`],
  });
  const dsForm = (name: string, op: number, xo: number, register: 'rt' | 'rs'): InstructionDef => ({
    name,
    pattern: `${opcode(op)} ${register}:5 ra:5 ds:14 ${bits(xo, 2)}`,
    syntax: [`${name.toLowerCase()} {gpr:${register}}, {ds:ds,ra}`],
  });
  const xForm = (name: string, xo: number, register: 'rt' | 'rs'): InstructionDef => ({
    name,
    pattern: `${opcode(31)} ${register}:5 ra:5 rb:5 ${bits(xo, 10)} 0`,
    syntax: [`${name.toLowerCase()} {gpr:${register}}, {gpr:ra}, {gpr:rb}`],
  });
  const loads: readonly [string, number, number, number, number][] = [
    // name, D opcode, D-update opcode, X xo, X-update xo
    ['LBZ', 34, 35, 87, 119],
    ['LHZ', 40, 41, 279, 311],
    ['LHA', 42, 43, 343, 375],
    ['LWZ', 32, 33, 23, 55],
  ];
  for (const [name, d, du, x, xu] of loads) {
    defs.push(dForm(name, d, 'rt'), dForm(`${name}U`, du, 'rt'), xForm(`${name}X`, x, 'rt'), xForm(`${name}UX`, xu, 'rt'));
  }
  defs.push(dsForm('LWA', 58, 2, 'rt'), xForm('LWAX', 341, 'rt'), xForm('LWAUX', 373, 'rt'));
  defs.push(dsForm('LD', 58, 0, 'rt'), dsForm('LDU', 58, 1, 'rt'), xForm('LDX', 21, 'rt'), xForm('LDUX', 53, 'rt'));
  const stores: readonly [string, number, number, number, number][] = [
    ['STB', 38, 39, 215, 247],
    ['STH', 44, 45, 407, 439],
    ['STW', 36, 37, 151, 183],
  ];
  for (const [name, d, du, x, xu] of stores) {
    defs.push(dForm(name, d, 'rs'), dForm(`${name}U`, du, 'rs'), xForm(`${name}X`, x, 'rs'), xForm(`${name}UX`, xu, 'rs'));
  }
  defs.push(dsForm('STD', 62, 0, 'rs'), dsForm('STDU', 62, 1, 'rs'), xForm('STDX', 149, 'rs'), xForm('STDUX', 181, 'rs'));
  // Byte-reversed loads and stores (Book I 3.3.6).
  defs.push(xForm('LHBRX', 790, 'rt'), xForm('LWBRX', 534, 'rt'), xForm('LDBRX', 532, 'rt'));
  defs.push(xForm('STHBRX', 918, 'rs'), xForm('STWBRX', 662, 'rs'), xForm('STDBRX', 660, 'rs'));
  // Load and reserve, store conditional (Book II 4.4.2): EH is the lock hint, printed only when set.
  const reserve = (name: string, xo: number): InstructionDef => ({
    name,
    pattern: `${opcode(31)} rt:5 ra:5 rb:5 ${bits(xo, 10)} eh:1`,
    syntax: [
      { text: `${name.toLowerCase()} {gpr:rt}, {gpr:ra}, {gpr:rb}`, when: { eh: 0 } },
      `${name.toLowerCase()} {gpr:rt}, {gpr:ra}, {gpr:rb}, {u1:eh}`,
    ],
  });
  const conditional = (name: string, xo: number, mnemonic: string): InstructionDef => ({
    name,
    pattern: `${opcode(31)} rs:5 ra:5 rb:5 ${bits(xo, 10)} 1`,
    syntax: [`${mnemonic} {gpr:rs}, {gpr:ra}, {gpr:rb}`],
  });
  defs.push(reserve('LBARX', 52), reserve('LHARX', 116), reserve('LWARX', 20), reserve('LDARX', 84));
  defs.push(conditional('STBCX_rec', 694, 'stbcx.'), conditional('STHCX_rec', 726, 'sthcx.'), conditional('STWCX_rec', 150, 'stwcx.'), conditional('STDCX_rec', 214, 'stdcx.'));
  return defs;
}

// ---------------------------------------------------------------- special registers and system

/** Move to/from SPRs, CR and MSR (Book I 3.3.17, Book III 4.4.4). */
function specialRegisters(): InstructionDef[] {
  const spr = '{spr:sprh,sprl}';
  return [
    {
      name: 'MFSPR',
      pattern: `${opcode(31)} rt:5 sprl:5 sprh:5 ${bits(339, 10)} 0`,
      syntax: ['mf{sprmf:sprh,sprl} {gpr:rt}', `mfspr {gpr:rt}, ${spr}`, 'mfsprg {gpr:rt}, {sprg:sprh,sprl}'],
    },
    {
      name: 'MTSPR',
      pattern: `${opcode(31)} rs:5 sprl:5 sprh:5 ${bits(467, 10)} 0`,
      syntax: ['mt{sprmt:sprh,sprl} {gpr:rs}', `mtspr ${spr}, {gpr:rs}`, 'mtsprg {sprg:sprh,sprl}, {gpr:rs}'],
    },
    { name: 'MFCR', pattern: `${opcode(31)} rt:5 0 00000000 0 ${bits(19, 10)} 0`, syntax: ['mfcr {gpr:rt}'] },
    { name: 'MFOCRF', pattern: `${opcode(31)} rt:5 1 fxm:8 0 ${bits(19, 10)} 0`, syntax: ['mfocrf {gpr:rt}, {fxm1:fxm}'], exclude: notOneField() },
    {
      name: 'MTCRF',
      pattern: `${opcode(31)} rs:5 0 fxm:8 0 ${bits(144, 10)} 0`,
      syntax: [{ text: 'mtcr {gpr:rs}', when: { fxm: 255 } }, 'mtcrf {u8:fxm}, {gpr:rs}'],
    },
    { name: 'MTOCRF', pattern: `${opcode(31)} rs:5 1 fxm:8 0 ${bits(144, 10)} 0`, syntax: ['mtocrf {fxm1:fxm}, {gpr:rs}'], exclude: notOneField() },
    { name: 'MFMSR', pattern: `${opcode(31)} rt:5 00000 00000 ${bits(83, 10)} 0`, syntax: ['mfmsr {gpr:rt}'] },
    {
      name: 'MTMSR',
      pattern: `${opcode(31)} rs:5 0000 l:1 00000 ${bits(146, 10)} 0`,
      syntax: [{ text: 'mtmsr {gpr:rs}', when: { l: 0 } }, 'mtmsr {gpr:rs}, {u1:l}'],
    },
    {
      name: 'MTMSRD',
      pattern: `${opcode(31)} rs:5 0000 l:1 00000 ${bits(178, 10)} 0`,
      syntax: [{ text: 'mtmsrd {gpr:rs}', when: { l: 0 } }, 'mtmsrd {gpr:rs}, {u1:l}'],
    },
  ];
}

/** System call, interrupt return, traps, barriers and wait (Book I 3.3.11, Book II 4.6, Book III 4.3). */
function system(): InstructionDef[] {
  const trap = (name: string, xo: number, stem: 'tw' | 'td'): InstructionDef => ({
    name,
    pattern: `${opcode(31)} to:5 ra:5 rb:5 ${bits(xo, 10)} 0`,
    syntax: [
      ...(stem === 'tw' ? [{ text: 'trap', when: { to: 31, ra: 0, rb: 0 } }] : []),
      `${stem}{tocond:to} {gpr:ra}, {gpr:rb}`,
      `${stem} {u5:to}, {gpr:ra}, {gpr:rb}`,
    ],
  });
  const trapImmediate = (name: string, op: number, stem: 'tw' | 'td'): InstructionDef => ({
    name,
    pattern: `${opcode(op)} to:5 ra:5 si:16`,
    syntax: [`${stem}{tocond:to}i {gpr:ra}, {si16:si}`, `${stem}i {u5:to}, {gpr:ra}, {si16:si}`],
  });
  return [
    { name: 'SC', pattern: `${opcode(17)} 00000 00000 0000 lev:7 000 1 0`, syntax: [{ text: 'sc', when: { lev: 0 } }, 'sc {u7:lev}'] },
    { name: 'RFID', pattern: `${opcode(19)} 00000 00000 00000 ${bits(18, 10)} 0`, syntax: ['rfid'] },
    { name: 'HRFID', pattern: `${opcode(19)} 00000 00000 00000 ${bits(274, 10)} 0`, syntax: ['hrfid'] },
    trap('TW', 4, 'tw'),
    trapImmediate('TWI', 3, 'tw'),
    trap('TD', 68, 'td'),
    trapImmediate('TDI', 2, 'td'),
    {
      name: 'SYNC',
      pattern: `${opcode(31)} 000 l:2 00000 00000 ${bits(598, 10)} 0`,
      syntax: [
        { text: 'sync', when: { l: 0 } },
        { text: 'lwsync', when: { l: 1 } },
        { text: 'ptesync', when: { l: 2 } },
        'sync {u2:l}',
        { text: 'msync', when: { l: 0 } },
      ],
    },
    { name: 'ISYNC', pattern: `${opcode(19)} 00000 00000 00000 ${bits(150, 10)} 0`, syntax: ['isync'] },
    { name: 'EIEIO', pattern: `${opcode(31)} 00000 00000 00000 ${bits(854, 10)} 0`, syntax: ['eieio'] },
    {
      name: 'WAIT',
      pattern: `${opcode(31)} 000 wc:2 00000 00000 ${bits(30, 10)} 0`,
      syntax: [{ text: 'wait', when: { wc: 0 } }, { text: 'waitrsv', when: { wc: 1 } }, { text: 'waitimpl', when: { wc: 2 } }, 'wait {u2:wc}'],
    },
    // Power-saving (v3.0 Book III 7.3 stop; nap is v2.07's, kept by llvm), copy-paste abort (Book II 4.x), message sync (Book III 11), darn (Book I 3.3.9).
    { name: 'STOP', pattern: `${opcode(19)} 00000 00000 00000 ${bits(370, 10)} 0`, syntax: ['stop'] },
    { name: 'NAP', pattern: `${opcode(19)} 00000 00000 00000 ${bits(434, 10)} 0`, syntax: ['nap'] },
    { name: 'CPABORT', pattern: `${opcode(31)} 00000 00000 00000 ${bits(838, 10)} 0`, syntax: ['cpabort'] },
    { name: 'MSGSYNC', pattern: `${opcode(31)} 00000 00000 00000 ${bits(886, 10)} 0`, syntax: ['msgsync'] },
    { name: 'DARN', pattern: `${opcode(31)} rt:5 000 l:2 00000 ${bits(755, 10)} 0`, syntax: ['darn {gpr:rt}, {u2:l}'] },
  ];
}

/** Cache management (Book II 4.3), TLB and SLB management (Book III 5.9.3). */
function storageControl(): InstructionDef[] {
  const block = (name: string, xo: number, mnemonic: string): InstructionDef => ({
    name,
    pattern: `${opcode(31)} 00000 ra:5 rb:5 ${bits(xo, 10)} 0`,
    syntax: [`${mnemonic} {gpr:ra}, {gpr:rb}`],
  });
  const touch = (name: string, xo: number, mnemonic: string, transient: string): InstructionDef => ({
    name,
    pattern: `${opcode(31)} th:5 ra:5 rb:5 ${bits(xo, 10)} 0`,
    syntax: [
      { text: `${mnemonic} {gpr:ra}, {gpr:rb}`, when: { th: 0 } },
      { text: `${transient} {gpr:ra}, {gpr:rb}`, when: { th: 16 } },
      `${mnemonic} {gpr:ra}, {gpr:rb}, {u5:th}`,
    ],
  });
  return [
    {
      // dcbf with v3.0B's two-bit L (Book II 4.3.2): 0, dcbfl (1) and dcbflp (3); L = 2 is reserved. v3.1's
      // third bit (dcbfps, dcbstps: persistent storage, POWER10) is not in this POWER9 model.
      name: 'DCBF',
      pattern: `${opcode(31)} 000 l:2 ra:5 rb:5 ${bits(86, 10)} 0`,
      syntax: [
        { text: 'dcbf {gpr:ra}, {gpr:rb}', when: { l: 0 } },
        { text: 'dcbfl {gpr:ra}, {gpr:rb}', when: { l: 1 } },
        { text: 'dcbflp {gpr:ra}, {gpr:rb}', when: { l: 3 } },
        'dcbf {gpr:ra}, {gpr:rb}, {u2:l}',
      ],
      exclude: [{ l: 2 }],
    },
    block('DCBST', 54, 'dcbst'),
    touch('DCBT', 278, 'dcbt', 'dcbtt'),
    touch('DCBTST', 246, 'dcbtst', 'dcbtstt'),
    block('DCBZ', 1014, 'dcbz'),
    block('ICBI', 982, 'icbi'),
    // llvm 14 knows tlbie/tlbiel only with RIC = PRS = R = 0 (and prints RB,RS with no space).
    {
      name: 'TLBIE',
      pattern: `${opcode(31)} rs:5 00000 rb:5 ${bits(306, 10)} 0`,
      syntax: [{ text: 'tlbie {gpr:rb}', when: { rs: 0 } }, 'tlbie {gpr:rb},{gpr:rs}', 'tlbie {gpr:rb}, {gpr:rs}'],
    },
    { name: 'TLBIEL', pattern: `${opcode(31)} 00000 00000 rb:5 ${bits(274, 10)} 0`, syntax: ['tlbiel {gpr:rb}'] },
    { name: 'TLBSYNC', pattern: `${opcode(31)} 00000 00000 00000 ${bits(566, 10)} 0`, syntax: ['tlbsync'] },
    { name: 'SLBMTE', pattern: `${opcode(31)} rs:5 00000 rb:5 ${bits(402, 10)} 0`, syntax: ['slbmte {gpr:rs}, {gpr:rb}'] },
    { name: 'SLBIE', pattern: `${opcode(31)} 00000 00000 rb:5 ${bits(434, 10)} 0`, syntax: ['slbie {gpr:rb}'] },
    { name: 'SLBIA', pattern: `${opcode(31)} 00000 00000 00000 ${bits(498, 10)} 0`, syntax: ['slbia'] },
  ];
}

/** The ppc64 table rows, in the order the assembler tries them. */
export const PPC64_INSTRUCTIONS: readonly InstructionDef[] = [
  ...immediateForms(),
  ...xoArithmetic(),
  ...xLogical(),
  ...conditionRegister(),
  ...rotatesAndShifts(),
  ...compares(),
  ...branches(),
  ...loadsAndStores(),
  ...specialRegisters(),
  ...system(),
  ...storageControl(),
];

/** The ppc64 table, built on first use (a command that never decodes or assembles skips it). Its pairwise overlap scan runs in the test suite and the build (`checkOverlaps`), not at every start. */
export const PPC64_TABLE: InstructionTable = InstructionTable.build(PPC64_INSTRUCTIONS, { name: 'ppc64', width: 32, codecs: PPC64_CODECS, assembly: PPC64_ASSEMBLY, deferOverlapScan: true, buildOnFirstUse: true });
