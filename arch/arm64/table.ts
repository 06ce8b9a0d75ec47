/**
 * The A64 instruction table (Armv8.0-A base integer instructions).
 *
 * One row per encoding pattern; the row name is the name of its semantics
 * handler. Patterns follow the ARM ARM (DDI 0487) chapter C4 encoding
 * index, written most significant bit first. Templates spell each form as
 * llvm-mc 14 prints it: the first template that formats is what the
 * disassembler shows, so the aliases llvm-mc prefers come first, and each
 * width (`sf`) has its own templates. Encodings the table does not list
 * are UNDEFINED.
 *
 * @module
 */

import { InstructionTable, type InstructionDef, type TemplateDef } from '../../src/isa/instruction-table.ts';
import { ARM64_ASSEMBLY, ARM64_CODECS } from './operands.ts';

type Syntax = string | TemplateDef;

/** Both widths of a template: `X`/`W` in the text become the width's register and codec suffixes (`{X:rd}` → `{x:rd}` or `{w:rd}`, `{limmN}` → `{limm64}` or `{limm32}`). */
function widths(text: string, when: Readonly<Record<string, number>> = {}, only?: 0 | 1, nIsSf = false): TemplateDef[] {
  const out: TemplateDef[] = [];
  for (const sf of [1, 0]) {
    if (only !== undefined && sf !== only) continue;
    const t = text
      .replace(/\{X:/g, sf === 1 ? '{x:' : '{w:')
      .replace(/\{XSP:/g, sf === 1 ? '{xsp:' : '{wsp:')
      .replace(/\{XX:/g, sf === 1 ? '{xx:' : '{ww:')
      .replace(/\{([a-z]+)N([:}])/g, (_, name: string, end: string) => `{${name}${sf === 1 ? 64 : 32}${end}`);
    out.push({ text: t, when: { sf, ...(nIsSf ? { n: sf } : {}), ...when } });
  }
  return out;
}

/** MSR (immediate) (op1, op2) pairs that name no Armv8.0 PSTATE field (C5.1.3): every pair but SPSel (0, 5), DAIFSet (3, 6) and DAIFClr (3, 7). */
const UNALLOCATED_PSTATE_FIELDS: readonly Readonly<Record<string, number>>[] = Array.from({ length: 64 }, (_, i) => ({ op1: i >> 3, op2: i & 7 })).filter(
  ({ op1, op2 }) => !((op1 === 0 && op2 === 5) || (op1 === 3 && (op2 === 6 || op2 === 7))),
);

/** sf = 0 with bit 21 set (immr ≥ 32), and with bit 15 set (imms or imm6 ≥ 32): reserved at 32 bits. */
const SF0_BIT21 = '0......... 1.....................';
const SF0_BIT15 = '0............... 1...............';

const SF0_HIGH_SHIFT = [{ sf: 0, hw: 2 }, { sf: 0, hw: 3 }];

/** Reserved logical-immediate encodings (DecodeBitMasks: N = 1 at 32 bits, no element size, an all-ones element). */
const RESERVED_BITMASK: readonly (Readonly<Record<string, number>> | string)[] = [
  { sf: 0, n: 1 },
  { n: 1, imms: 0b111111 },
  { n: 0, imms: 0b011111 },
  { n: 0, imms: 0b101111 },
  { n: 0, imms: 0b110111 },
  { n: 0, imms: 0b111011 },
  { n: 0, imms: 0b111101 },
  '......... 0 ...... 11111. ..........',
];

/** The alias that takes the inverted immediate of each logical (immediate) instruction (`bic x0, x0, #m` is `and x0, x0, #~m`). */
const INVERTED_LOGICAL: Readonly<Record<string, string>> = { and: 'bic', ands: 'bics', orr: 'orn', eor: 'eon' };

function dataProcessingImmediate(): InstructionDef[] {
  const addSub = (name: string, op: number, s: number): InstructionDef => {
    const mnemonic = `${op === 0 ? 'add' : 'sub'}${s === 1 ? 's' : ''}`;
    const partner = `${op === 0 ? 'sub' : 'add'}${s === 1 ? 's' : ''}`;
    const syntax: Syntax[] = [];
    if (op === 0 && s === 0) syntax.push(...widths('mov {XSP:rd}, {XSP:rn}', { sh: 0, imm12: 0, rd: 31 }), ...widths('mov {XSP:rd}, {XSP:rn}', { sh: 0, imm12: 0, rn: 31 }));
    if (s === 1) syntax.push(...widths(`${op === 0 ? 'cmn' : 'cmp'} {XSP:rn}, {aimm:imm12,sh}`, { rd: 31 }));
    const rd = s === 1 ? 'X' : 'XSP';
    syntax.push(...widths(`${mnemonic} {${rd}:rd}, {XSP:rn}, {aimm:imm12,sh}`));
    // A negative immediate is the partner instruction's (llvm-mc: `add x0, x1, #-1` is `sub x0, x1, #1`). Assembler only.
    syntax.push(...widths(`${partner} {${rd}:rd}, {XSP:rn}, {aimmneg:imm12,sh}`));
    if (s === 1) syntax.push(...widths(`${op === 0 ? 'cmp' : 'cmn'} {XSP:rn}, {aimmneg:imm12,sh}`, { rd: 31 }));
    return { name, pattern: `sf:1 ${op}${s} 100010 sh:1 imm12:12 rn:5 rd:5`, syntax };
  };
  const logical = (name: string, opc: number, mnemonic: string): InstructionDef => {
    const syntax: Syntax[] = [];
    if (mnemonic === 'orr') syntax.push(...widths('mov {XSP:rd}, {orrmovN:n,immr,imms}', { rn: 31 }));
    if (mnemonic === 'ands') syntax.push(...widths('tst {X:rn}, {limmN:n,immr,imms}', { rd: 31 }));
    const rd = mnemonic === 'ands' ? 'X' : 'XSP';
    syntax.push(...widths(`${mnemonic} {${rd}:rd}, {X:rn}, {limmN:n,immr,imms}`));
    // The inverted-immediate aliases llvm-mc accepts (bic, bics, orn, eon with an immediate): assembler only.
    syntax.push(...widths(`${INVERTED_LOGICAL[mnemonic]!} {${rd}:rd}, {X:rn}, {nlimmN:n,immr,imms}`));
    return { name, pattern: `sf:1 ${opc.toString(2).padStart(2, '0')} 100100 n:1 immr:6 imms:6 rn:5 rd:5`, syntax, exclude: RESERVED_BITMASK };
  };
  const wide = (name: string, opc: string, mnemonic: string, alias: string | undefined): InstructionDef => ({
    name,
    pattern: `sf:1 ${opc} 100101 hw:2 imm16:16 rd:5`,
    syntax: [...(alias === undefined ? [] : widths(`mov {X:rd}, {${alias}N:imm16,hw}`)), ...widths(`${mnemonic} {X:rd}, {wideN:imm16,hw}`)],
    exclude: SF0_HIGH_SHIFT,
  });
  const widthsN = (text: string, when: Readonly<Record<string, number>> = {}, only?: 0 | 1): TemplateDef[] => widths(text, when, only, true);
  const bitfield = (name: string, opc: string, aliases: readonly Syntax[], mnemonic: string): InstructionDef => ({
    name,
    pattern: `sf:1 ${opc} 100110 n:1 immr:6 imms:6 rn:5 rd:5`,
    syntax: [...aliases, ...widthsN(`${mnemonic} {X:rd}, {X:rn}, {imm6:immr}, {imm6:imms}`)],
    // N must equal sf; at 32 bits immr and imms are 5 bits (bit 5 set is reserved).
    exclude: [{ sf: 1, n: 0 }, { sf: 0, n: 1 }, SF0_BIT21, SF0_BIT15],
  });
  return [
    { name: 'ADR', pattern: '0 immlo:2 10000 immhi:19 rd:5', syntax: ['adr {x:rd}, {adr:immhi,immlo}'] },
    { name: 'ADRP', pattern: '1 immlo:2 10000 immhi:19 rd:5', syntax: ['adrp {x:rd}, {adrp:immhi,immlo}'] },
    addSub('ADD_IMM', 0, 0),
    addSub('ADDS_IMM', 0, 1),
    addSub('SUB_IMM', 1, 0),
    addSub('SUBS_IMM', 1, 1),
    logical('AND_IMM', 0, 'and'),
    logical('ORR_IMM', 1, 'orr'),
    logical('EOR_IMM', 2, 'eor'),
    logical('ANDS_IMM', 3, 'ands'),
    wide('MOVN', '00', 'movn', 'movn'),
    wide('MOVZ', '10', 'movz', 'movz'),
    wide('MOVK', '11', 'movk', undefined),
    bitfield(
      'SBFM',
      '00',
      [
        ...widthsN('asr {X:rd}, {X:rn}, {shrN:immr,imms}'),
        ...widthsN('sxtb {X:rd}, {w:rn}', { immr: 0, imms: 7 }),
        ...widthsN('sxth {X:rd}, {w:rn}', { immr: 0, imms: 15 }),
        ...widthsN('sxtw {x:rd}, {w:rn}', { immr: 0, imms: 31 }, 1),
        ...widthsN('sbfiz {X:rd}, {X:rn}, {bfizN:immr,imms}'),
        ...widthsN('sbfx {X:rd}, {X:rn}, {bfxN:immr,imms}'),
      ],
      'sbfm',
    ),
    bitfield('BFM', '01', [...widthsN('bfi {X:rd}, {X:rn}, {bfizN:immr,imms}'), ...widthsN('bfxil {X:rd}, {X:rn}, {bfxN:immr,imms}')], 'bfm'),
    bitfield(
      'UBFM',
      '10',
      [
        ...widthsN('lsl {X:rd}, {X:rn}, {lslN:immr,imms}'),
        ...widthsN('lsr {X:rd}, {X:rn}, {shrN:immr,imms}'),
        ...widthsN('uxtb {w:rd}, {w:rn}', { immr: 0, imms: 7 }, 0),
        ...widthsN('uxth {w:rd}, {w:rn}', { immr: 0, imms: 15 }, 0),
        ...widthsN('ubfiz {X:rd}, {X:rn}, {bfizN:immr,imms}'),
        ...widthsN('ubfx {X:rd}, {X:rn}, {bfxN:immr,imms}'),
      ],
      'ubfm',
    ),
    {
      name: 'EXTR',
      pattern: 'sf:1 00 100111 n:1 0 rm:5 imms:6 rn:5 rd:5',
      syntax: [...widthsN('ror {X:rd}, {XX:rn,rm}, {imm6:imms}'), ...widthsN('extr {X:rd}, {X:rn}, {X:rm}, {imm6:imms}')],
      exclude: [{ sf: 1, n: 0 }, { sf: 0, n: 1 }, SF0_BIT15],
    },
  ];
}


function branchesAndSystem(): InstructionDef[] {
  return [
    { name: 'B_COND', pattern: '01010100 imm19:19 0 cond:4', syntax: ['b.{cond:cond} {br19:imm19}'] },
    { name: 'SVC', pattern: '11010100 000 imm16:16 000 01', syntax: ['svc {imm16:imm16}'] },
    { name: 'HVC', pattern: '11010100 000 imm16:16 000 10', syntax: ['hvc {imm16:imm16}'] },
    { name: 'SMC', pattern: '11010100 000 imm16:16 000 11', syntax: ['smc {imm16:imm16}'] },
    { name: 'BRK', pattern: '11010100 001 imm16:16 000 00', syntax: ['brk {imm16:imm16}'] },
    // Hints (C6.2.99 HINT): the ones llvm-mc names in Armv8.0, then `hint #n`; unallocated hints execute as NOP.
    {
      name: 'HINT',
      pattern: '11010101 00000011 0010 crm:4 op2:3 11111',
      syntax: [
        { text: 'nop', when: { crm: 0, op2: 0 } },
        { text: 'yield', when: { crm: 0, op2: 1 } },
        { text: 'sev', when: { crm: 0, op2: 4 } },
        { text: 'sevl', when: { crm: 0, op2: 5 } },
        { text: 'dgh', when: { crm: 0, op2: 6 } },
        { text: 'csdb', when: { crm: 2, op2: 4 } },
        'hint {hint:crm,op2}',
      ],
      exclude: [{ crm: 0, op2: 2 }, { crm: 0, op2: 3 }],
    },
    { name: 'WFE', pattern: '11010101 00000011 0010 0000 010 11111', syntax: ['wfe'] },
    { name: 'WFI', pattern: '11010101 00000011 0010 0000 011 11111', syntax: ['wfi'] },
    { name: 'CLREX', pattern: '11010101 00000011 0011 crm:4 010 11111', syntax: [{ text: 'clrex', when: { crm: 15 } }, 'clrex {option:crm}'] },
    // DSB #0 and #4 are SSBB and PSSBB (llvm prints those names).
    { name: 'DSB', pattern: '11010101 00000011 0011 crm:4 100 11111', syntax: [{ text: 'ssbb', when: { crm: 0 } }, { text: 'pssbb', when: { crm: 4 } }, 'dsb {barrier:crm}'] },
    { name: 'DMB', pattern: '11010101 00000011 0011 crm:4 101 11111', syntax: ['dmb {barrier:crm}'] },
    { name: 'ISB', pattern: '11010101 00000011 0011 crm:4 110 11111', syntax: [{ text: 'isb', when: { crm: 15 } }, 'isb {option:crm}'] },
    // MSR (immediate): the Armv8.0 PSTATE fields; other (op1, op2) are UNDEFINED here.
    {
      name: 'MSR_IMM',
      pattern: '11010101 00000 op1:3 0100 crm:4 op2:3 11111',
      syntax: ['msr {pstate:op1,op2}, {imm4:crm}'],
      exclude: UNALLOCATED_PSTATE_FIELDS,
    },
    {
      name: 'SYS',
      pattern: '11010101 00001 op1:3 crn:4 crm:4 op2:3 rt:5',
      syntax: [
        'dc {dc:op1,crn,crm,op2}, {x:rt}',
        'ic {ic:op1,crn,crm,op2}, {x:rt}',
        { text: 'ic {icn:op1,crn,crm,op2}', when: { rt: 31 } },
        'at {at:op1,crn,crm,op2}, {x:rt}',
        'tlbi {tlbi:op1,crn,crm,op2}, {x:rt}',
        { text: 'tlbi {tlbin:op1,crn,crm,op2}', when: { rt: 31 } },
        { text: 'sys {imm3:op1}, {creg:crn}, {creg:crm}, {imm3:op2}', when: { rt: 31 } },
        'sys {imm3:op1}, {creg:crn}, {creg:crm}, {imm3:op2}, {x:rt}',
      ],
    },
    { name: 'SYSL', pattern: '11010101 00101 op1:3 crn:4 crm:4 op2:3 rt:5', syntax: ['sysl {x:rt}, {imm3:op1}, {creg:crn}, {creg:crm}, {imm3:op2}'] },
    { name: 'MSR_REG', pattern: '11010101 0001 sysreg:15 rt:5', syntax: ['msr {sysreg:sysreg}, {x:rt}'] },
    { name: 'MRS', pattern: '11010101 0011 sysreg:15 rt:5', syntax: ['mrs {x:rt}, {sysreg:sysreg}'] },
    { name: 'BR', pattern: '1101011 0000 11111 000000 rn:5 00000', syntax: ['br {x:rn}'] },
    { name: 'BLR', pattern: '1101011 0001 11111 000000 rn:5 00000', syntax: ['blr {x:rn}'] },
    { name: 'RET', pattern: '1101011 0010 11111 000000 rn:5 00000', syntax: [{ text: 'ret', when: { rn: 30 } }, 'ret {x:rn}'] },
    { name: 'ERET', pattern: '1101011 0100 11111 000000 11111 00000', syntax: ['eret'] },
    { name: 'B', pattern: '000101 imm26:26', syntax: ['b {br26:imm26}'] },
    { name: 'BL', pattern: '100101 imm26:26', syntax: ['bl {br26:imm26}'] },
    { name: 'CBZ', pattern: 'sf:1 011010 0 imm19:19 rt:5', syntax: widths('cbz {X:rt}, {br19:imm19}') },
    { name: 'CBNZ', pattern: 'sf:1 011010 1 imm19:19 rt:5', syntax: widths('cbnz {X:rt}, {br19:imm19}') },
    { name: 'TBZ', pattern: 'bit:1 011011 0 bit:5 imm14:14 rt:5', syntax: ['tbz {w:rt}, {tbit32:bit}, {br14:imm14}', 'tbz {x:rt}, {tbit64:bit}, {br14:imm14}'] },
    { name: 'TBNZ', pattern: 'bit:1 011011 1 bit:5 imm14:14 rt:5', syntax: ['tbnz {w:rt}, {tbit32:bit}, {br14:imm14}', 'tbnz {x:rt}, {tbit64:bit}, {br14:imm14}'] },
  ];
}

/** A load/store class: the (size, opc) pair, its mnemonic stem and register width; `undefined` where the pair is unallocated. */
export interface AccessClass {
  /** Row-name stem and semantic class (`LDRSB_X`). */
  readonly id: string;
  /** size (log2 of the access). */
  readonly size: number;
  /** opc. */
  readonly opc: number;
  /** Mnemonic suffix after ld/st: `rb`, `rsh`, `r`. */
  readonly store: boolean;
  /** The mnemonic of the scaled, unscaled and unprivileged forms. */
  readonly names: readonly [string, string, string];
  /** Register width of Rt (`x` or `w`). */
  readonly reg: 'x' | 'w';
}

function access(id: string, size: number, opc: number, store: boolean, stem: string, reg: 'x' | 'w'): AccessClass {
  const base = store ? 'st' : 'ld';
  return { id, size, opc, store, names: [`${base}${stem}`, `${base}u${stem}`, `${base}t${stem}`], reg };
}

/** The allocated (size, opc) pairs of the integer loads and stores (C4.1.4, Load/store register). */
export const ACCESS_CLASSES: readonly AccessClass[] = [
  access('STRB', 0, 0, true, 'rb', 'w'),
  access('LDRB', 0, 1, false, 'rb', 'w'),
  access('LDRSB_X', 0, 2, false, 'rsb', 'x'),
  access('LDRSB_W', 0, 3, false, 'rsb', 'w'),
  access('STRH', 1, 0, true, 'rh', 'w'),
  access('LDRH', 1, 1, false, 'rh', 'w'),
  access('LDRSH_X', 1, 2, false, 'rsh', 'x'),
  access('LDRSH_W', 1, 3, false, 'rsh', 'w'),
  access('STR_W', 2, 0, true, 'r', 'w'),
  access('LDR_W', 2, 1, false, 'r', 'w'),
  access('LDRSW', 2, 2, false, 'rsw', 'x'),
  access('STR_X', 3, 0, true, 'r', 'x'),
  access('LDR_X', 3, 1, false, 'r', 'x'),
];

function bits(value: number, width: number): string {
  return value.toString(2).padStart(width, '0');
}

function loadsAndStores(): InstructionDef[] {
  const defs: InstructionDef[] = [];
  for (const c of ACCESS_CLASSES) {
    const size = bits(c.size, 2);
    const opc = bits(c.opc, 2);
    const [scaled, unscaled, unprivileged] = c.names;
    const rt = `{${c.reg}:rt}`;
    defs.push({ name: `${c.id}_UOFF`, pattern: `${size} 111 0 01 ${opc} imm12:12 rn:5 rt:5`, syntax: [`${scaled} ${rt}, {uoff${c.size}:rn,imm12}`] });
    defs.push({ name: `${c.id}_UNSCALED`, pattern: `${size} 111 0 00 ${opc} 0 imm9:9 00 rn:5 rt:5`, syntax: [`${unscaled} ${rt}, {soff:rn,imm9}`, `${scaled} ${rt}, {soff:rn,imm9}`] });
    defs.push({ name: `${c.id}_POST`, pattern: `${size} 111 0 00 ${opc} 0 imm9:9 01 rn:5 rt:5`, syntax: [`${scaled} ${rt}, {post:rn,imm9}`] });
    defs.push({ name: `${c.id}_UNPRIV`, pattern: `${size} 111 0 00 ${opc} 0 imm9:9 10 rn:5 rt:5`, syntax: [`${unprivileged} ${rt}, {soff:rn,imm9}`] });
    defs.push({ name: `${c.id}_PRE`, pattern: `${size} 111 0 00 ${opc} 0 imm9:9 11 rn:5 rt:5`, syntax: [`${scaled} ${rt}, {pre:rn,imm9}`] });
    defs.push({
      name: `${c.id}_REG`,
      pattern: `${size} 111 0 00 ${opc} 1 rm:5 option:3 s:1 10 rn:5 rt:5`,
      syntax: [`${scaled} ${rt}, {roff${c.size}:rn,rm,option,s}`],
      exclude: [{ option: 0 }, { option: 1 }, { option: 4 }, { option: 5 }],
    });
  }
  defs.push(
    { name: 'PRFM_UOFF', pattern: '11 111 0 01 10 imm12:12 rn:5 rt:5', syntax: ['prfm {prfop:rt}, {uoff3:rn,imm12}'] },
    { name: 'PRFM_UNSCALED', pattern: '11 111 0 00 10 0 imm9:9 00 rn:5 rt:5', syntax: ['prfum {prfop:rt}, {soff:rn,imm9}', 'prfm {prfop:rt}, {soff:rn,imm9}'] },
    { name: 'PRFM_REG', pattern: '11 111 0 00 10 1 rm:5 option:3 s:1 10 rn:5 rt:5', syntax: ['prfm {prfop:rt}, {roff3:rn,rm,option,s}'], exclude: [{ option: 0 }, { option: 1 }, { option: 4 }, { option: 5 }] },
    { name: 'LDR_W_LIT', pattern: '00 011 0 00 imm19:19 rt:5', syntax: ['ldr {w:rt}, {br19:imm19}', 'ldr {w:rt}, {pool4:imm19}'] },
    { name: 'LDR_X_LIT', pattern: '01 011 0 00 imm19:19 rt:5', syntax: ['ldr {x:rt}, {br19:imm19}', 'ldr {x:rt}, {pool8:imm19}'] },
    { name: 'LDRSW_LIT', pattern: '10 011 0 00 imm19:19 rt:5', syntax: ['ldrsw {x:rt}, {br19:imm19}'] },
    { name: 'PRFM_LIT', pattern: '11 011 0 00 imm19:19 rt:5', syntax: ['prfm {prfop:rt}, {br19:imm19}'] },
  );
  // LDP/STP (C4.1.4, Load/store register pair): opc 00 W, 10 X, 01 LDPSW (loads only); modes 000 no-allocate, 001 post, 010 offset, 011 pre.
  const pairs: readonly (readonly [string, string, number, string, string])[] = [
    ['STP_W', '00', 0, 'stp', 'w'],
    ['LDP_W', '00', 1, 'ldp', 'w'],
    ['LDPSW', '01', 1, 'ldpsw', 'x'],
    ['STP_X', '10', 0, 'stp', 'x'],
    ['LDP_X', '10', 1, 'ldp', 'x'],
  ];
  for (const [id, opc, l, mnemonic, reg] of pairs) {
    const scale = opc === '10' ? 3 : 2;
    const regs = `{${reg}:rt}, {${reg}:rt2}`;
    if (id !== 'LDPSW') defs.push({ name: `${id.replace('P_', 'NP_')}`, pattern: `${opc} 101 0 000 ${l} imm7:7 rt2:5 rn:5 rt:5`, syntax: [`${mnemonic.replace('p', 'np')} ${regs}, {pair${scale}:rn,imm7}`] });
    defs.push({ name: `${id}_POST`, pattern: `${opc} 101 0 001 ${l} imm7:7 rt2:5 rn:5 rt:5`, syntax: [`${mnemonic} ${regs}, {ppost${scale}:rn,imm7}`] });
    defs.push({ name: `${id}_OFF`, pattern: `${opc} 101 0 010 ${l} imm7:7 rt2:5 rn:5 rt:5`, syntax: [`${mnemonic} ${regs}, {pair${scale}:rn,imm7}`] });
    defs.push({ name: `${id}_PRE`, pattern: `${opc} 101 0 011 ${l} imm7:7 rt2:5 rn:5 rt:5`, syntax: [`${mnemonic} ${regs}, {ppre${scale}:rn,imm7}`] });
  }
  // Exclusives and acquire/release (C4.1.4, Load/store exclusive; Load-acquire/store-release): o2 L o1 o0.
  const sized: readonly (readonly [number, string, 'w' | 'x'])[] = [
    [0, 'b', 'w'],
    [1, 'h', 'w'],
    [2, '', 'w'],
    [3, '', 'x'],
  ];
  for (const [size, suffix, reg] of sized) {
    const sz = bits(size, 2);
    const id = `${size}`;
    defs.push(
      { name: `STXR_${id}`, pattern: `${sz} 001000 0 0 0 rs:5 0 11111 rn:5 rt:5`, syntax: [`stxr${suffix} {w:rs}, {${reg}:rt}, {base:rn}`] },
      { name: `STLXR_${id}`, pattern: `${sz} 001000 0 0 0 rs:5 1 11111 rn:5 rt:5`, syntax: [`stlxr${suffix} {w:rs}, {${reg}:rt}, {base:rn}`] },
      { name: `LDXR_${id}`, pattern: `${sz} 001000 0 1 0 11111 0 11111 rn:5 rt:5`, syntax: [`ldxr${suffix} {${reg}:rt}, {base:rn}`] },
      { name: `LDAXR_${id}`, pattern: `${sz} 001000 0 1 0 11111 1 11111 rn:5 rt:5`, syntax: [`ldaxr${suffix} {${reg}:rt}, {base:rn}`] },
      { name: `STLR_${id}`, pattern: `${sz} 001000 1 0 0 11111 1 11111 rn:5 rt:5`, syntax: [`stlr${suffix} {${reg}:rt}, {base:rn}`] },
      { name: `LDAR_${id}`, pattern: `${sz} 001000 1 1 0 11111 1 11111 rn:5 rt:5`, syntax: [`ldar${suffix} {${reg}:rt}, {base:rn}`] },
    );
  }
  for (const [size, reg] of [[2, 'w'], [3, 'x']] as const) {
    const sz = bits(size, 2);
    defs.push(
      { name: `STXP_${size}`, pattern: `${sz} 001000 0 0 1 rs:5 0 rt2:5 rn:5 rt:5`, syntax: [`stxp {w:rs}, {${reg}:rt}, {${reg}:rt2}, {base:rn}`] },
      { name: `STLXP_${size}`, pattern: `${sz} 001000 0 0 1 rs:5 1 rt2:5 rn:5 rt:5`, syntax: [`stlxp {w:rs}, {${reg}:rt}, {${reg}:rt2}, {base:rn}`] },
      { name: `LDXP_${size}`, pattern: `${sz} 001000 0 1 1 11111 0 rt2:5 rn:5 rt:5`, syntax: [`ldxp {${reg}:rt}, {${reg}:rt2}, {base:rn}`] },
      { name: `LDAXP_${size}`, pattern: `${sz} 001000 0 1 1 11111 1 rt2:5 rn:5 rt:5`, syntax: [`ldaxp {${reg}:rt}, {${reg}:rt2}, {base:rn}`] },
    );
  }
  return defs;
}

function dataProcessingRegister(): InstructionDef[] {
  const logical = (name: string, opc: number, nbit: number, mnemonic: string): InstructionDef => {
    const syntax: Syntax[] = [];
    if (mnemonic === 'orr') syntax.push(...widths('mov {X:rd}, {X:rm}', { rn: 31, shift: 0, imm6: 0 }));
    if (mnemonic === 'orn') syntax.push(...widths('mvn {X:rd}, {shlN:rm,shift,imm6}', { rn: 31 }));
    if (mnemonic === 'ands') syntax.push(...widths('tst {X:rn}, {shlN:rm,shift,imm6}', { rd: 31 }));
    syntax.push(...widths(`${mnemonic} {X:rd}, {X:rn}, {shlN:rm,shift,imm6}`));
    return { name, pattern: `sf:1 ${bits(opc, 2)} 01010 shift:2 ${nbit} rm:5 imm6:6 rn:5 rd:5`, syntax, exclude: [SF0_BIT15] };
  };
  const addSub = (name: string, op: number, s: number): InstructionDef[] => {
    const mnemonic = `${op === 0 ? 'add' : 'sub'}${s === 1 ? 's' : ''}`;
    const shifted: Syntax[] = [];
    if (op === 1) shifted.push(...widths(`${s === 1 ? 'negs' : 'neg'} {X:rd}, {shN:rm,shift,imm6}`, { rn: 31 }));
    if (s === 1) shifted.push(...widths(`${op === 0 ? 'cmn' : 'cmp'} {X:rn}, {shN:rm,shift,imm6}`, { rd: 31 }));
    shifted.push(...widths(`${mnemonic} {X:rd}, {X:rn}, {shN:rm,shift,imm6}`));
    const extended: Syntax[] = [];
    const rd = s === 1 ? 'X' : 'XSP';
    if (s === 1) extended.push(...widths(`${op === 0 ? 'cmn' : 'cmp'} {XSP:rn}, {extlslN:rm,option,imm3}`, { rd: 31, rn: 31 }), ...widths(`${op === 0 ? 'cmn' : 'cmp'} {XSP:rn}, {extN:rm,option,imm3}`, { rd: 31 }));
    extended.push(...widths(`${mnemonic} {${rd}:rd}, {XSP:rn}, {extlslN:rm,option,imm3}`, { rn: 31 }));
    if (s === 0) extended.push(...widths(`${mnemonic} {${rd}:rd}, {XSP:rn}, {extlslN:rm,option,imm3}`, { rd: 31 }));
    extended.push(...widths(`${mnemonic} {${rd}:rd}, {XSP:rn}, {extN:rm,option,imm3}`));
    return [
      { name: `${name}_SHIFT`, pattern: `sf:1 ${op}${s} 01011 shift:2 0 rm:5 imm6:6 rn:5 rd:5`, syntax: shifted, exclude: [{ shift: 3 }, SF0_BIT15] },
      { name: `${name}_EXT`, pattern: `sf:1 ${op}${s} 01011 00 1 rm:5 option:3 imm3:3 rn:5 rd:5`, syntax: extended, exclude: [{ imm3: 5 }, { imm3: 6 }, { imm3: 7 }] },
    ];
  };
  const carry = (name: string, op: number, s: number): InstructionDef => {
    const mnemonic = `${op === 0 ? 'adc' : 'sbc'}${s === 1 ? 's' : ''}`;
    const syntax: Syntax[] = op === 1 ? widths(`${s === 1 ? 'ngcs' : 'ngc'} {X:rd}, {X:rm}`, { rn: 31 }) : [];
    syntax.push(...widths(`${mnemonic} {X:rd}, {X:rn}, {X:rm}`));
    return { name, pattern: `sf:1 ${op}${s} 11010000 rm:5 000000 rn:5 rd:5`, syntax };
  };
  const select = (name: string, op: number, op2: number, mnemonic: string, aliases: readonly Syntax[]): InstructionDef => ({
    name,
    pattern: `sf:1 ${op} 0 11010100 rm:5 cond:4 0 ${op2} rn:5 rd:5`,
    syntax: [...aliases, ...widths(`${mnemonic} {X:rd}, {X:rn}, {X:rm}, {cond:cond}`)],
  });
  const threeSource = (name: string, op31: string, o0: number, mnemonic: string, alias: string | undefined, long: boolean): InstructionDef => {
    const syntax: Syntax[] = [];
    if (long) {
      if (alias !== undefined) syntax.push({ text: `${alias} {x:rd}, {w:rn}, {w:rm}`, when: { ra: 31 } });
      syntax.push(`${mnemonic} {x:rd}, {w:rn}, {w:rm}, {x:ra}`);
      return { name, pattern: `1 00 11011 ${op31} rm:5 ${o0} ra:5 rn:5 rd:5`, syntax };
    }
    if (alias !== undefined) syntax.push(...widths(`${alias} {X:rd}, {X:rn}, {X:rm}`, { ra: 31 }));
    syntax.push(...widths(`${mnemonic} {X:rd}, {X:rn}, {X:rm}, {X:ra}`));
    return { name, pattern: `sf:1 00 11011 ${op31} rm:5 ${o0} ra:5 rn:5 rd:5`, syntax };
  };
  const twoSource = (name: string, opcode: string, mnemonic: string, alias: string | undefined): InstructionDef => ({
    name,
    pattern: `sf:1 0 0 11010110 rm:5 ${opcode} rn:5 rd:5`,
    syntax: [...(alias === undefined ? [] : widths(`${alias} {X:rd}, {X:rn}, {X:rm}`)), ...widths(`${mnemonic} {X:rd}, {X:rn}, {X:rm}`)],
  });
  const oneSource = (name: string, opcode: string, syntax: readonly Syntax[], exclude?: InstructionDef['exclude']): InstructionDef => ({
    name,
    pattern: `sf:1 1 0 11010110 00000 ${opcode} rn:5 rd:5`,
    syntax,
    ...(exclude === undefined ? {} : { exclude }),
  });
  return [
    logical('AND_SHIFT', 0, 0, 'and'),
    logical('BIC_SHIFT', 0, 1, 'bic'),
    logical('ORR_SHIFT', 1, 0, 'orr'),
    logical('ORN_SHIFT', 1, 1, 'orn'),
    logical('EOR_SHIFT', 2, 0, 'eor'),
    logical('EON_SHIFT', 2, 1, 'eon'),
    logical('ANDS_SHIFT', 3, 0, 'ands'),
    logical('BICS_SHIFT', 3, 1, 'bics'),
    ...addSub('ADD', 0, 0),
    ...addSub('ADDS', 0, 1),
    ...addSub('SUB', 1, 0),
    ...addSub('SUBS', 1, 1),
    carry('ADC', 0, 0),
    carry('ADCS', 0, 1),
    carry('SBC', 1, 0),
    carry('SBCS', 1, 1),
    { name: 'CCMN_REG', pattern: 'sf:1 0 1 11010010 rm:5 cond:4 0 0 rn:5 0 nzcv:4', syntax: widths('ccmn {X:rn}, {X:rm}, {imm4:nzcv}, {cond:cond}') },
    { name: 'CCMP_REG', pattern: 'sf:1 1 1 11010010 rm:5 cond:4 0 0 rn:5 0 nzcv:4', syntax: widths('ccmp {X:rn}, {X:rm}, {imm4:nzcv}, {cond:cond}') },
    { name: 'CCMN_IMM', pattern: 'sf:1 0 1 11010010 imm5:5 cond:4 1 0 rn:5 0 nzcv:4', syntax: widths('ccmn {X:rn}, {imm5:imm5}, {imm4:nzcv}, {cond:cond}') },
    { name: 'CCMP_IMM', pattern: 'sf:1 1 1 11010010 imm5:5 cond:4 1 0 rn:5 0 nzcv:4', syntax: widths('ccmp {X:rn}, {imm5:imm5}, {imm4:nzcv}, {cond:cond}') },
    select('CSEL', 0, 0, 'csel', []),
    select('CSINC', 0, 1, 'csinc', [...widths('cset {X:rd}, {invcond:cond}', { rn: 31, rm: 31 }), ...widths('cinc {X:rd}, {XX:rn,rm}, {invcond:cond}')]),
    select('CSINV', 1, 0, 'csinv', [...widths('csetm {X:rd}, {invcond:cond}', { rn: 31, rm: 31 }), ...widths('cinv {X:rd}, {XX:rn,rm}, {invcond:cond}')]),
    select('CSNEG', 1, 1, 'csneg', [...widths('cneg {X:rd}, {XX:rn,rm}, {invcond:cond}')]),
    threeSource('MADD', '000', 0, 'madd', 'mul', false),
    threeSource('MSUB', '000', 1, 'msub', 'mneg', false),
    threeSource('SMADDL', '001', 0, 'smaddl', 'smull', true),
    threeSource('SMSUBL', '001', 1, 'smsubl', 'smnegl', true),
    { name: 'SMULH', pattern: '1 00 11011 010 rm:5 0 11111 rn:5 rd:5', syntax: ['smulh {x:rd}, {x:rn}, {x:rm}'] },
    threeSource('UMADDL', '101', 0, 'umaddl', 'umull', true),
    threeSource('UMSUBL', '101', 1, 'umsubl', 'umnegl', true),
    { name: 'UMULH', pattern: '1 00 11011 110 rm:5 0 11111 rn:5 rd:5', syntax: ['umulh {x:rd}, {x:rn}, {x:rm}'] },
    twoSource('UDIV', '000010', 'udiv', undefined),
    twoSource('SDIV', '000011', 'sdiv', undefined),
    twoSource('LSLV', '001000', 'lslv', 'lsl'),
    twoSource('LSRV', '001001', 'lsrv', 'lsr'),
    twoSource('ASRV', '001010', 'asrv', 'asr'),
    twoSource('RORV', '001011', 'rorv', 'ror'),
    oneSource('RBIT', '000000', widths('rbit {X:rd}, {X:rn}')),
    oneSource('REV16', '000001', widths('rev16 {X:rd}, {X:rn}')),
    oneSource('REV32', '000010', [{ text: 'rev32 {x:rd}, {x:rn}', when: { sf: 1 } }, { text: 'rev {w:rd}, {w:rn}', when: { sf: 0 } }]),
    oneSource('REV', '000011', [{ text: 'rev {x:rd}, {x:rn}', when: { sf: 1 } }], [{ sf: 0 }]),
    oneSource('CLZ', '000100', widths('clz {X:rd}, {X:rn}')),
    oneSource('CLS', '000101', widths('cls {X:rd}, {X:rn}')),
  ];
}

/** Every row. */
export const ARM64_INSTRUCTIONS: readonly InstructionDef[] = [...dataProcessingImmediate(), ...branchesAndSystem(), ...loadsAndStores(), ...dataProcessingRegister()];

/** The A64 table, built on first use; its pairwise overlap scan runs in the test suite and the build. */
export const ARM64_TABLE: InstructionTable = InstructionTable.build(ARM64_INSTRUCTIONS, { name: 'arm64', width: 32, codecs: ARM64_CODECS, assembly: ARM64_ASSEMBLY, deferOverlapScan: true, buildOnFirstUse: true });
