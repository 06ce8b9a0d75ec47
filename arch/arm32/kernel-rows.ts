/**
 * The A32 rows a Linux kernel needs beyond the first table (issue 12): the
 * media instructions (CLZ, the byte reversals, bit-field extract and insert,
 * the extends), the long multiplies, MLS and the divides, the doubleword
 * and exclusive loads and stores, the preloads, the unprivileged loads and
 * stores, and LDM/STM of the user registers and LDM's exception return.
 * Encodings are the ARM ARM's (DDI 0406C, chapter A8), most significant bit
 * first; `table.ts` spreads these rows into `ARM32_INSTRUCTIONS`.
 *
 * @module
 */

import type { InstructionDef } from '../../src/isa/instruction-table.ts';

const NOT_UNCONDITIONAL = [{ cond: 0b1111 }];

/** A conditional row: the cond field may not be 0b1111 (that space is the unconditional instructions). */
function conditional(name: string, pattern: string, syntax: InstructionDef['syntax'], exclude: InstructionDef['exclude'] = []): InstructionDef {
  return { name, pattern: `cond:4 ${pattern}`, syntax, exclude: [...NOT_UNCONDITIONAL, ...(exclude ?? [])] };
}

/**
 * Rt values that name no register pair: odd ones (Rt<0> = 1) and 14 (Rt2
 * would be the PC), UNPREDICTABLE in every doubleword form (A8.8.72,
 * A8.8.76), so left undefined here: the disassembler has no spelling for them.
 */
const NO_PAIR = [1, 3, 5, 7, 9, 11, 13, 14, 15].map((rt) => ({ rt }));

/** (lsb, msb) with msb < lsb: BFI/BFC "if msbit < lsbit then UNPREDICTABLE" (A8.8.20), left undefined. */
const MSB_BELOW_LSB = Array.from({ length: 32 }, (_, lsb) => Array.from({ length: lsb }, (_, msb) => ({ lsb, msb }))).flat();

/** The extends (A8.8.274 UXTB and neighbours): plain (Rn = 1111) and accumulating forms. */
function extend(op: string, bits: string): InstructionDef[] {
  const upper = op.toUpperCase();
  const add = `${op.slice(0, 3)}a${op.slice(3)}`;
  return [
    conditional(upper, `0110 ${bits} 1111 rd:4 rotate:2 00 0111 rm:4`, [`${op}{cond:cond} {reg:rd}, {reg:rm}{xror:rotate}`]),
    conditional(add.toUpperCase(), `0110 ${bits} rn:4 rd:4 rotate:2 00 0111 rm:4`, [`${add}{cond:cond} {reg:rd}, {reg:rn}, {reg:rm}{xror:rotate}`], [{ rn: 15 }]),
  ];
}

/** The long multiplies (A8.8.257 UMULL and neighbours). */
function multiplyLong(op: string, bits: string): InstructionDef {
  return conditional(op.toUpperCase(), `0000 ${bits} s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4`, [`${op}{s:s}{cond:cond} {reg:rdlo}, {reg:rdhi}, {reg:rn}, {reg:rm}`]);
}

/** LDREX/STREX and their byte, halfword and doubleword forms (A8.8.75–A8.8.78, A8.8.212–A8.8.215). */
function exclusives(): InstructionDef[] {
  const sizes = [
    { suffix: '', bits: '00', pair: false },
    { suffix: 'd', bits: '01', pair: true },
    { suffix: 'b', bits: '10', pair: false },
    { suffix: 'h', bits: '11', pair: false },
  ];
  const rows: InstructionDef[] = [];
  for (const { suffix, bits, pair } of sizes) {
    const target = pair ? '{regpair:rt}' : '{reg:rt}';
    const exclude = pair ? NO_PAIR : [];
    rows.push(conditional(`LDREX${suffix.toUpperCase()}`, `0001 1${bits}1 rn:4 rt:4 1111 1001 1111`, [`ldrex${suffix}{cond:cond} ${target}, {addrplain:rn}`], exclude));
    rows.push(conditional(`STREX${suffix.toUpperCase()}`, `0001 1${bits}0 rn:4 rd:4 1111 1001 rt:4`, [`strex${suffix}{cond:cond} {reg:rd}, ${target}, {addrplain:rn}`], exclude));
  }
  return rows;
}

/** The unprivileged loads and stores (A8.8.92 LDRT and neighbours, and the halfword and signed forms): post-indexed, W = 1. */
function unprivileged(): InstructionDef[] {
  const rows: InstructionDef[] = [];
  for (const { op, b, l } of [
    { op: 'strt', b: 0, l: 0 },
    { op: 'ldrt', b: 0, l: 1 },
    { op: 'strbt', b: 1, l: 0 },
    { op: 'ldrbt', b: 1, l: 1 },
  ]) {
    rows.push(conditional(`${op.toUpperCase()}_imm`, `0100 u:1 ${b}1${l} rn:4 rt:4 imm12:12`, [`${op}{cond:cond} {reg:rt}, {addrpost:rn,u,imm12}`]));
    rows.push(conditional(`${op.toUpperCase()}_reg`, `0110 u:1 ${b}1${l} rn:4 rt:4 imm5:5 type:2 0 rm:4`, [`${op}{cond:cond} {reg:rt}, {addrpostreg:rn,u,rm,type,imm5}`]));
  }
  // The halfword and signed forms (A8.8.83 LDRHT, A8.8.87 LDRSBT, A8.8.91 LDRSHT, A8.8.211 STRHT): the extra load/store
  // encodings with P = 0, W = 1, an 8-bit split immediate or an unshifted register.
  for (const { op, l, sh } of [
    { op: 'strht', l: 0, sh: '1011' },
    { op: 'ldrht', l: 1, sh: '1011' },
    { op: 'ldrsbt', l: 1, sh: '1101' },
    { op: 'ldrsht', l: 1, sh: '1111' },
  ]) {
    rows.push(conditional(`${op.toUpperCase()}_imm`, `0000 u:1 11${l} rn:4 rt:4 imm8:4 ${sh} imm8:4`, [`${op}{cond:cond} {reg:rt}, {addrpost8:rn,u,imm8}`]));
    rows.push(conditional(`${op.toUpperCase()}_reg`, `0000 u:1 01${l} rn:4 rt:4 0000 ${sh} rm:4`, [`${op}{cond:cond} {reg:rt}, {addrpostreg8:rn,u,rm}`]));
  }
  return rows;
}

/** The rows, in the order the assembler tries them. */
export const KERNEL_INSTRUCTIONS: readonly InstructionDef[] = [
  conditional('CLZ', '0001 0110 1111 rd:4 1111 0001 rm:4', ['clz{cond:cond} {reg:rd}, {reg:rm}']),
  conditional('REV', '0110 1011 1111 rd:4 1111 0011 rm:4', ['rev{cond:cond} {reg:rd}, {reg:rm}']),
  conditional('REV16', '0110 1011 1111 rd:4 1111 1011 rm:4', ['rev16{cond:cond} {reg:rd}, {reg:rm}']),
  conditional('REVSH', '0110 1111 1111 rd:4 1111 1011 rm:4', ['revsh{cond:cond} {reg:rd}, {reg:rm}']),
  conditional('RBIT', '0110 1111 1111 rd:4 1111 0011 rm:4', ['rbit{cond:cond} {reg:rd}, {reg:rm}']),
  conditional('UBFX', '0111 111 widthm1:5 rd:4 lsb:5 101 rn:4', ['ubfx{cond:cond} {reg:rd}, {reg:rn}, {imm5:lsb}, {bfwidth:widthm1}']),
  conditional('SBFX', '0111 101 widthm1:5 rd:4 lsb:5 101 rn:4', ['sbfx{cond:cond} {reg:rd}, {reg:rn}, {imm5:lsb}, {bfwidth:widthm1}']),
  conditional('BFI', '0111 110 msb:5 rd:4 lsb:5 001 rn:4', ['bfi{cond:cond} {reg:rd}, {reg:rn}, {bfinsert:lsb,msb}'], [{ rn: 15 }, ...MSB_BELOW_LSB]),
  conditional('BFC', '0111 110 msb:5 rd:4 lsb:5 001 1111', ['bfc{cond:cond} {reg:rd}, {bfinsert:lsb,msb}'], MSB_BELOW_LSB),
  ...extend('sxtb', '1010'),
  ...extend('sxth', '1011'),
  ...extend('uxtb', '1110'),
  ...extend('uxth', '1111'),
  multiplyLong('umull', '100'),
  multiplyLong('umlal', '101'),
  multiplyLong('smull', '110'),
  multiplyLong('smlal', '111'),
  conditional('UMAAL', '0000 0100 rdhi:4 rdlo:4 rm:4 1001 rn:4', ['umaal{cond:cond} {reg:rdlo}, {reg:rdhi}, {reg:rn}, {reg:rm}']),
  conditional('MLS', '0000 0110 rd:4 ra:4 rm:4 1001 rn:4', ['mls{cond:cond} {reg:rd}, {reg:rn}, {reg:rm}, {reg:ra}']),
  conditional('SDIV', '0111 0001 rd:4 1111 rm:4 0001 rn:4', ['sdiv{cond:cond} {reg:rd}, {reg:rn}, {reg:rm}']),
  conditional('UDIV', '0111 0011 rd:4 1111 rm:4 0001 rn:4', ['udiv{cond:cond} {reg:rd}, {reg:rn}, {reg:rm}']),
  conditional('LDRD_imm', '000 p:1 u:1 1 w:1 0 rn:4 rt:4 imm8:4 1101 imm8:4', ['ldrd{cond:cond} {regpair:rt}, {addr8:rn,p,u,w,imm8}'], [{ p: 0, w: 1 }, ...NO_PAIR]),
  conditional('LDRD_reg', '000 p:1 u:1 0 w:1 0 rn:4 rt:4 0000 1101 rm:4', ['ldrd{cond:cond} {regpair:rt}, {addrreg8:rn,p,u,w,rm}'], [{ p: 0, w: 1 }, ...NO_PAIR]),
  conditional('STRD_imm', '000 p:1 u:1 1 w:1 0 rn:4 rt:4 imm8:4 1111 imm8:4', ['strd{cond:cond} {regpair:rt}, {addr8:rn,p,u,w,imm8}'], [{ p: 0, w: 1 }, ...NO_PAIR]),
  conditional('STRD_reg', '000 p:1 u:1 0 w:1 0 rn:4 rt:4 0000 1111 rm:4', ['strd{cond:cond} {regpair:rt}, {addrreg8:rn,p,u,w,rm}'], [{ p: 0, w: 1 }, ...NO_PAIR]),
  ...exclusives(),
  { name: 'CLREX', pattern: '1111 0101 0111 1111 1111 0000 0001 1111', syntax: ['clrex'] },
  // SRS (B9.3.16) and RFE (B9.3.13): store LR and SPSR to a mode's stack; load the PC and CPSR back.
  { name: 'SRS', pattern: '1111 100 p:1 u:1 1 w:1 0 1101 0000 0101 000 mode:5', syntax: ['srs{amode:p,u} sp{wb:w}, {imm5:mode}'] },
  { name: 'RFE', pattern: '1111 100 p:1 u:1 0 w:1 1 rn:4 0000 1010 0000 0000', syntax: ['rfe{amode:p,u} {reg:rn}{wb:w}'] },
  { name: 'PLD', pattern: '1111 0101 u:1 101 rn:4 1111 imm12:12', syntax: ['pld {addrpreload:rn,u,imm12}'] },
  { name: 'PLDW', pattern: '1111 0101 u:1 001 rn:4 1111 imm12:12', syntax: ['pldw {addrpreload:rn,u,imm12}'] },
  { name: 'PLI', pattern: '1111 0100 u:1 101 rn:4 1111 imm12:12', syntax: ['pli {addrpreload:rn,u,imm12}'] },
  // The register forms (A8.8.128 PLD/PLDW (register), R = 1 for PLD; A8.8.130 PLI (register)).
  { name: 'PLD_reg', pattern: '1111 0111 u:1 101 rn:4 1111 imm5:5 type:2 0 rm:4', syntax: ['pld {addrpreloadreg:rn,u,rm,type,imm5}'] },
  { name: 'PLDW_reg', pattern: '1111 0111 u:1 001 rn:4 1111 imm5:5 type:2 0 rm:4', syntax: ['pldw {addrpreloadreg:rn,u,rm,type,imm5}'] },
  { name: 'PLI_reg', pattern: '1111 0110 u:1 101 rn:4 1111 imm5:5 type:2 0 rm:4', syntax: ['pli {addrpreloadreg:rn,u,rm,type,imm5}'] },
  ...unprivileged(),
  conditional('LDM_user', '100 p:1 u:1 1 0 1 rn:4 0 regs:15', ['ldm{blockmode:p,u}{cond:cond} {reg:rn}, {reglist:regs} ^'], [{ regs: 0 }]),
  conditional('LDM_return', '100 p:1 u:1 1 w:1 1 rn:4 1 regs:15', ['ldm{blockmode:p,u}{cond:cond} {reg:rn}{wb:w}, {reglistpc:regs} ^']),
  conditional('STM_user', '100 p:1 u:1 1 0 0 rn:4 regs:16', ['stm{blockmode:p,u}{cond:cond} {reg:rn}, {reglist:regs} ^'], [{ regs: 0 }]),
];
