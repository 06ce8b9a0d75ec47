/**
 * Operand codecs of the A32 forms a kernel needs beyond the first table
 * (`kernel-rows.ts`): bit-field widths, extend rotations, register pairs,
 * exclusive and preload addresses, user-register lists. Spellings are
 * llvm-mc's (`-triple=armv7a -mattr=+virtualization`).
 *
 * @module
 */

import { OperandError, type CodecSet, type OperandCodec, type ParseContext } from '../../src/isa/operand.ts';
import { formatRegisterList, formatShift, parseImmediate, parseRegister, parseRegisterList, parseShift, SHIFT_NAMES } from './operands.ts';
import { CORE_NAMES } from './registers.ts';

const IMM = '#[^,\\]]+';

/** `#width` of UBFX/SBFX from widthm1 (ARM ARM A8.8.246). */
const bitFieldWidth: OperandCodec = {
  pattern: IMM,
  format: ([widthm1]) => `#${widthm1! + 1}`,
  parse: (text, context) => [parseImmediate(text, context, 1, 32, 'width') - 1],
};

/** `#lsb, #width` of BFI/BFC from lsb and msb (ARM ARM A8.8.20, A8.8.21): width = msb - lsb + 1. */
const bitFieldInsert: OperandCodec = {
  pattern: `${IMM}\\s*,\\s*${IMM}`,
  format: ([lsb, msb]) => (msb! < lsb! ? undefined : `#${lsb}, #${msb! - lsb! + 1}`),
  parse: (text: string, context: ParseContext) => {
    const comma = text.indexOf(',');
    const lsb = parseImmediate(text.slice(0, comma), context, 0, 31, 'lsb');
    const width = parseImmediate(text.slice(comma + 1), context, 1, 32 - lsb, 'width');
    return [lsb, lsb + width - 1];
  },
};

/** The optional `, ror #8|16|24` of the extend instructions (ARM ARM A8.8.274): rotate = amount / 8. */
const extendRotation: OperandCodec = {
  pattern: '(?:\\s*,\\s*ror\\s*#\\s*\\d+)?',
  format: ([rotate]) => (rotate === 0 ? '' : `, ror #${rotate! * 8}`),
  parse: (text) => {
    const m = /ror\s*#\s*(\d+)/.exec(text);
    if (m === null) return [0];
    const amount = Number(m[1]);
    if (amount !== 0 && amount !== 8 && amount !== 16 && amount !== 24) throw new OperandError(`rotation ${amount} must be 0, 8, 16 or 24`);
    return [amount / 8];
  },
};

/** `rt, rt2` where rt2 = rt + 1 (LDRD/STRD/LDREXD/STREXD, A8.8.72): rt even and not lr. */
const registerPair: OperandCodec = {
  pattern: '[a-z0-9]+\\s*,\\s*[a-z0-9]+',
  format: ([rt]) => ((rt! & 1) !== 0 || rt === 14 ? undefined : `${CORE_NAMES[rt!]}, ${CORE_NAMES[rt! + 1]}`),
  parse: (text) => {
    const [first, second] = text.split(',').map((t) => t.trim()) as [string, string];
    const rt = parseRegister(first);
    const rt2 = parseRegister(second, text.indexOf(second));
    if ((rt & 1) !== 0 || rt === 14) throw new OperandError(`the first register of a pair must be even and not lr, got ${first}`);
    if (rt2 !== rt + 1) throw new OperandError(`the second register of a pair must be ${CORE_NAMES[rt + 1]}, got ${second}`);
    return [rt];
  },
};

/** `[rn]`: the address of the exclusive loads and stores (A8.8.75). */
const plainAddress: OperandCodec = {
  pattern: '\\[\\s*[a-z0-9]+\\s*\\]',
  format: ([rn]) => `[${CORE_NAMES[rn!]}]`,
  parse: (text) => [parseRegister(text.trim().slice(1, -1).trim(), text.indexOf(text.trim().slice(1, -1).trim()))],
};

/** `[rn, #±imm12]` of PLD/PLDW/PLI (immediate), A8.8.126: fields rn, u, imm12. */
const preloadAddress: OperandCodec = {
  pattern: '\\[[^\\]]*\\]',
  format: ([rn, u, imm12]) => (u === 1 && imm12 === 0 ? `[${CORE_NAMES[rn!]}]` : `[${CORE_NAMES[rn!]}, #${u === 1 ? '' : '-'}${imm12}]`),
  parse: (text, context) => {
    const inner = text.trim().slice(1, -1);
    const [base, offset] = inner.split(',').map((t) => t.trim()) as [string, string | undefined];
    const rn = parseRegister(base, text.indexOf(base));
    if (offset === undefined) return [rn, 1, 0];
    if (!offset.startsWith('#')) return undefined;
    const value = parseImmediate(offset, context, -4095, 4095, 'offset');
    // `#-0` is U = 0 with a zero offset, as llvm-mc reads it.
    return [rn, value < 0 || /^#\s*-/.test(offset) ? 0 : 1, Math.abs(value)];
  },
};

/** `[rn, ±rm{, shift}]` of PLD/PLDW/PLI (register) (A8.8.128, A8.8.130): fields rn, u, rm, type, imm5. */
const preloadRegisterAddress: OperandCodec = {
  pattern: '\\[[^\\]]*\\]',
  format: ([rn, u, rm, type, imm5]) => `[${CORE_NAMES[rn!]}, ${u === 1 ? '' : '-'}${CORE_NAMES[rm!]}${formatShift(type!, imm5!)}]`,
  parse: (text, context) => {
    const m = /^\s*\[\s*(\w+)\s*,\s*([-+]?)\s*(\w+)\s*(?:,\s*([^\]]*))?\]\s*$/.exec(text);
    // An immediate offset (or none) is the immediate form's.
    if (m === null || /^#|^\d/.test(m[3]!)) return undefined;
    const rn = parseRegister(m[1]!, text.indexOf(m[1]!));
    const rm = parseRegister(m[3]!, text.indexOf(m[3]!, text.indexOf(',')));
    const [type, imm5] = parseShift(m[4], m[4] === undefined ? 0 : text.lastIndexOf(m[4]), context);
    return [rn, m[2] === '-' ? 0 : 1, rm, type, imm5];
  },
};

/** `#mode` of SRS (A8.8.168 / B9.3.16): a 5-bit mode number. */
const modeNumber: OperandCodec = {
  pattern: IMM,
  format: ([mode]) => `#${mode}`,
  parse: (text, context) => [parseImmediate(text, context, 0, 31, 'mode')],
};

/** A register list that includes the PC, from the 15-bit field of the rest (LDM exception return, B9.3.6). */
const listWithPc: OperandCodec = {
  pattern: '\\{[^}]*\\}',
  format: ([regs]) => formatRegisterList(regs! | 0x8000),
  parse: (text) => {
    const mask = parseRegisterList(text);
    return (mask & 0x8000) === 0 ? undefined : [mask & 0x7fff];
  },
};

/** `[rn], #±imm` of the unprivileged loads and stores, `max` the largest offset: fields rn, u and the offset. */
function postImmediateOf(max: number): OperandCodec {
  return {
    pattern: '\\[\\s*[a-z0-9]+\\s*\\](?:\\s*,\\s*#[^,]+)?',
    format: ([rn, u, offset]) => `[${CORE_NAMES[rn!]}], #${u === 1 ? '' : '-'}${offset}`,
    parse: (text, context) => {
      const m = /^\s*\[\s*([a-z0-9]+)\s*\](?:\s*,\s*(#.*))?$/i.exec(text)!;
      const rn = parseRegister(m[1]!, text.indexOf(m[1]!));
      if (m[2] === undefined) return [rn, 1, 0];
      const value = parseImmediate(m[2], context, -max, max, 'offset');
      return [rn, value < 0 || /^#\s*-/.test(m[2]) ? 0 : 1, Math.abs(value)];
    },
  };
}

/** `[rn], #±imm12` of the unprivileged word and byte forms (LDRT, A8.8.92): fields rn, u, imm12. */
const postImmediate = postImmediateOf(4095);

/** `[rn], #±imm8` of the unprivileged halfword and signed forms (LDRHT, A8.8.83): fields rn, u, imm8. */
const postImmediate8 = postImmediateOf(255);

/** `[rn], ±rm` of the unprivileged halfword and signed register forms (LDRHT, A8.8.83; no shift): fields rn, u, rm. */
const postRegister8: OperandCodec = {
  pattern: '\\[\\s*[a-z0-9]+\\s*\\]\\s*,\\s*[-+]?[a-z][a-z0-9]*',
  format: ([rn, u, rm]) => `[${CORE_NAMES[rn!]}], ${u === 1 ? '' : '-'}${CORE_NAMES[rm!]}`,
  parse: (text) => {
    const m = /^\s*\[\s*([a-z0-9]+)\s*\]\s*,\s*([-+]?)([a-z][a-z0-9]*)\s*$/i.exec(text)!;
    return [parseRegister(m[1]!, text.indexOf(m[1]!)), m[2] === '-' ? 0 : 1, parseRegister(m[3]!, text.indexOf(m[3]!))];
  },
};

/** `[rn], ±rm{, shift #n}` of the unprivileged register forms (LDRT, A8.8.92): fields rn, u, rm, type, imm5. */
const postRegister: OperandCodec = {
  pattern: '\\[\\s*[a-z0-9]+\\s*\\]\\s*,\\s*[-+]?[a-z][a-z0-9]*(?:\\s*,\\s*(?:rrx|(?:lsl|lsr|asr|ror)\\s*#\\s*\\d+))?',
  format: ([rn, u, rm, type, imm5]) => {
    const shift = type === 0 && imm5 === 0 ? '' : type === 3 && imm5 === 0 ? ', rrx' : `, ${SHIFT_NAMES[type!]} #${imm5 === 0 ? 32 : imm5}`;
    return `[${CORE_NAMES[rn!]}], ${u === 1 ? '' : '-'}${CORE_NAMES[rm!]}${shift}`;
  },
  parse: (text) => {
    const m = /^\s*\[\s*([a-z0-9]+)\s*\]\s*,\s*([-+]?)([a-z][a-z0-9]*)(?:\s*,\s*(rrx|(lsl|lsr|asr|ror)\s*#\s*(\d+)))?\s*$/i.exec(text)!;
    const rn = parseRegister(m[1]!, text.indexOf(m[1]!));
    const rm = parseRegister(m[3]!, text.indexOf(m[3]!));
    if (m[4] === undefined) return [rn, m[2] === '-' ? 0 : 1, rm, 0, 0];
    if (m[4].toLowerCase() === 'rrx') return [rn, m[2] === '-' ? 0 : 1, rm, 3, 0];
    const type = SHIFT_NAMES.indexOf(m[5]!.toLowerCase());
    const amount = Number(m[6]);
    const max = type === 0 ? 31 : 32;
    if (amount < (type === 0 ? 0 : 1) || amount > max) throw new OperandError(`shift amount ${amount} out of range`);
    return [rn, m[2] === '-' ? 0 : 1, rm, type, amount & 31];
  },
};

/** The addressing mode of SRS and RFE (`ia`, `ib`, `da`, `db`; llvm-mc always prints it): fields p, u. */
const returnStateMode: OperandCodec = {
  pattern: '(?:ia|ib|da|db)?',
  format: ([p, u]) => (p === 0 ? (u === 1 ? 'ia' : 'da') : u === 1 ? 'ib' : 'db'),
  parse: (text) => {
    const mode = text.trim().toLowerCase();
    return mode === 'ib' ? [1, 1] : mode === 'da' ? [0, 0] : mode === 'db' ? [1, 0] : [0, 1];
  },
};

/** The codecs, by the names `kernel-rows.ts` uses. */
export const KERNEL_CODECS: CodecSet = {
  bfwidth: bitFieldWidth,
  bfinsert: bitFieldInsert,
  xror: extendRotation,
  regpair: registerPair,
  addrplain: plainAddress,
  addrpreload: preloadAddress,
  addrpreloadreg: preloadRegisterAddress,
  modenum: modeNumber,
  reglistpc: listWithPc,
  addrpost: postImmediate,
  addrpost8: postImmediate8,
  amode: returnStateMode,
  addrpostreg8: postRegister8,
  addrpostreg: postRegister,
};
