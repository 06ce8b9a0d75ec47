/**
 * A32 operand codecs: the assembly syntax of registers, immediates, shifts,
 * addressing modes and register lists, in the spelling llvm-mc uses
 * (`-triple=armv7a -mattr=+virtualization`).
 *
 * @module
 */

import type { AssemblySyntax } from '../../src/isa/directives.ts';
import { evaluateOperand, EXPRESSION_PATTERN, type ExpressionSyntax, type ExpressionValue } from '../../src/isa/expression.ts';
import { OperandError, type CodecSet, type OperandCodec, type ParseContext } from '../../src/isa/operand.ts';
import { CORE_NAMES, REGISTER_ALIASES } from './registers.ts';

/** Condition-code suffixes by number (llvm prints `hs`/`lo` for cs/cc). */
export const CONDITION_NAMES: readonly string[] = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al'];
const CONDITION_ALIASES = new Map<string, number>([...CONDITION_NAMES.map((n, i): [string, number] => [n, i]), ['cs', 2], ['cc', 3]]);

/** Shift type names by encoding. */
export const SHIFT_NAMES: readonly string[] = ['lsl', 'lsr', 'asr', 'ror'];

const IDENT = '[a-z_][a-z0-9_]*';
/**
 * An immediate: `#` and an expression, or an expression that starts like a
 * number (`4`, `-1`, `(1 << 5) | 3`, `'a'`), as llvm-mc and GNU as take
 * `mcr p15, 4, r1, c12, c0, 0`. A bare name is not an immediate here: it is
 * a register or a label.
 */
const IMM = `(?:#${EXPRESSION_PATTERN}|(?=[-+~\\('\\d])${EXPRESSION_PATTERN})`;
/** A label expression (branch and load targets): anything but `#…`, `=…` and `[…]`. */
const LABEL = `(?![#=\\[])${EXPRESSION_PATTERN}`;

/**
 * Expressions in A32 assembly: no binary `!` (llvm-mc's ARM parser keeps it
 * for writeback), and `:lower16:` / `:upper16:` for MOVW / MOVT (the halves
 * of a 32-bit value, ARM ARM A8.8.106 and A8.8.109).
 */
export const ARM32_EXPRESSIONS: ExpressionSyntax = {
  orNot: false,
  prefixModifiers: {
    lower16: (value) => value & 0xffffn,
    upper16: (value) => (value >> 16n) & 0xffffn,
  },
};

/**
 * What A32 assembly adds to the common syntax, after GNU as and llvm-mc
 * (`-triple=armv7a`): `.word` is 4 bytes; `.inst` writes an instruction
 * word; `.ltorg` / `.pool` place the literal pool of `ldr rN, =value`;
 * `.arm`, `.code 32`, `.syntax unified` and the target and unwinding
 * directives are accepted and change nothing here; Thumb is refused. Code
 * padding is llvm-mc's `ARMAsmBackend::writeNopData`: NOPs, then 1–3 odd
 * bytes.
 */
export const ARM32_ASSEMBLY: AssemblySyntax = {
  wordSize: 4,
  expressions: ARM32_EXPRESSIONS,
  literalMarker: '=',
  codeFill: { instruction: 'nop', remainders: [[], [0], [0, 0], [0, 0, 0xa0]] },
  directives: {
    '.arm': { kind: 'ignore', arguments: /^$/, expected: 'no arguments' },
    '.code': { kind: 'ignore', arguments: /^32$/, expected: '32 (A32; Thumb is not modelled)' },
    '.syntax': { kind: 'ignore', arguments: /^unified$/i, expected: 'unified (the only syntax hyplay reads)' },
    '.fpu': { kind: 'ignore', arguments: /^[\w.+-]+$/, expected: 'an FPU name' },
    '.arch': { kind: 'ignore', arguments: /^[\w.+-]+$/, expected: 'an architecture name' },
    '.arch_extension': { kind: 'ignore', arguments: /^[\w.+-]+$/, expected: 'an extension name' },
    '.cpu': { kind: 'ignore', arguments: /^[\w.+-]+$/, expected: 'a CPU name' },
    '.object_arch': { kind: 'ignore', arguments: /^[\w.+-]+$/, expected: 'an architecture name' },
    '.eabi_attribute': { kind: 'ignore', arguments: /^[\w]+\s*,\s*(?:-?\w+|"[^"]*")$/, expected: 'TAG, VALUE' },
    '.fnstart': { kind: 'ignore', arguments: /^$/, expected: 'no arguments' },
    '.fnend': { kind: 'ignore', arguments: /^$/, expected: 'no arguments' },
    '.cantunwind': { kind: 'ignore', arguments: /^$/, expected: 'no arguments' },
    '.save': { kind: 'ignore', arguments: /^\{[^}]*\}$/, expected: 'a register list' },
    '.vsave': { kind: 'ignore', arguments: /^\{[^}]*\}$/, expected: 'a register list' },
    '.setfp': { kind: 'ignore', arguments: /^\w+\s*,\s*\w+(?:\s*,\s*#?[-\w]+)?$/, expected: 'FP, SP[, #OFFSET]' },
    '.pad': { kind: 'ignore', arguments: /^#?[-\w]+$/, expected: '#OFFSET' },
    '.movsp': { kind: 'ignore', arguments: /^\w+(?:\s*,\s*#?[-\w]+)?$/, expected: 'REGISTER[, #OFFSET]' },
    '.personality': { kind: 'ignore', arguments: /^[\w.$]+$/, expected: 'a symbol' },
    '.personalityindex': { kind: 'ignore', arguments: /^\d+$/, expected: 'an index' },
    '.thumb': { kind: 'reject', reason: 'Thumb is not modelled (A32 only)' },
    '.thumb_func': { kind: 'reject', reason: 'Thumb is not modelled (A32 only)' },
    '.thumb_set': { kind: 'reject', reason: 'Thumb is not modelled (A32 only)' },
    '.force_thumb': { kind: 'reject', reason: 'Thumb is not modelled (A32 only)' },
    '.inst.n': { kind: 'reject', reason: 'Thumb is not modelled (A32 only)' },
    '.inst.w': { kind: 'reject', reason: 'Thumb is not modelled (A32 only)' },
    '.inst': { kind: 'instruction' },
    '.ltorg': { kind: 'literal-pool' },
    '.pool': { kind: 'literal-pool' },
  },
};

/** Parse a register name; throws for anything else. */
export function parseRegister(text: string, offset = 0): number {
  const n = REGISTER_ALIASES.get(text.trim().toLowerCase());
  if (n === undefined) throw new OperandError(`unknown register '${text.trim()}'`, offset);
  return n;
}

/** The expression of an operand, without its `#` (offsets of errors still count from the operand's first character). */
function operandValue(text: string, context: ParseContext): ExpressionValue {
  const hash = /^\s*#?/.exec(text)![0].length;
  try {
    return evaluateOperand(text.slice(hash), context, ARM32_EXPRESSIONS);
  } catch (error) {
    if (error instanceof OperandError) throw new OperandError(error.message, hash + error.offset);
    throw error;
  }
}

/** The text an error shows for an operand: trimmed, without `#`. */
function shown(text: string): string {
  return text.trim().replace(/^#\s*/, '');
}

/**
 * Parse an immediate expression in `[min, max]`; throws naming the range.
 * A `:lower16:` / `:upper16:` operand is its half, as llvm-mc takes it (it
 * is meant for MOVW / MOVT, but any immediate that fits may have it).
 */
export function parseImmediate(text: string, context: ParseContext, min: number, max: number, what = 'immediate'): number {
  const result = operandValue(text, context);
  const value = Number(result.value);
  if (result.value < BigInt(min) || result.value > BigInt(max)) throw new OperandError(`${what} ${shown(text)} out of range ${min}..${max}`);
  return value;
}

function ror32(value: number, amount: number): number {
  const n = amount & 31;
  return n === 0 ? value >>> 0 : ((value >>> n) | (value << (32 - n))) >>> 0;
}

/** Expand a 12-bit modified immediate (ARM ARM A5.2.4 ARMExpandImm). */
export function expandModifiedImmediate(imm12: number): number {
  return ror32(imm12 & 0xff, 2 * ((imm12 >>> 8) & 0xf));
}

/** The canonical imm12 for a value (smallest rotation), or `undefined` if it cannot be encoded. */
export function encodeModifiedImmediate(value: number): number | undefined {
  const v = value >>> 0;
  for (let rot = 0; rot < 16; rot++) {
    const imm8 = ((v << (2 * rot)) | (rot === 0 ? 0 : v >>> (32 - 2 * rot))) >>> 0;
    if (imm8 <= 0xff) return (rot << 8) | imm8;
  }
  return undefined;
}

function simple(pattern: string, format: OperandCodec['format'], parse: OperandCodec['parse']): OperandCodec {
  return { pattern, format, parse };
}

/** An unsigned immediate of `bits` bits, printed `#n` in decimal. */
function unsignedImmediate(bits: number): OperandCodec {
  const max = 2 ** bits - 1;
  return simple(
    IMM,
    ([v]) => `#${v}`,
    (text, context) => [parseImmediate(text, context, 0, max)],
  );
}

function modifiedImmediate(signed: boolean): OperandCodec {
  return simple(
    `${IMM}(?:\\s*,\\s*#?\\s*\\d+)?`,
    ([imm12]) => {
      const value = expandModifiedImmediate(imm12!);
      if (encodeModifiedImmediate(value) !== imm12) return `#${imm12! & 0xff}, #${2 * (imm12! >>> 8)}`;
      return `#${signed ? value | 0 : value}`;
    },
    (text, context) => {
      const pair = /^(.*?),\s*#?\s*(\d+)$/.exec(text);
      if (pair !== null) {
        const imm8 = parseImmediate(pair[1]!, context, 0, 255);
        const rotation = Number(pair[2]);
        if (rotation > 30 || rotation % 2 !== 0) throw new OperandError(`rotation ${rotation} is not an even number 0..30`, text.indexOf(pair[2]!));
        return [((rotation / 2) << 8) | imm8];
      }
      const value = parseImmediate(text, context, -0x8000_0000, 0xffff_ffff);
      const imm12 = encodeModifiedImmediate(value >>> 0);
      if (imm12 === undefined) throw new OperandError(`immediate ${shown(text)} cannot be encoded as a rotated 8-bit value`);
      return [imm12];
    },
  );
}

/**
 * An immediate written for the partner instruction (`mov r0, #-1` for
 * `mvn r0, #0`): accepted only when the value itself cannot be encoded and
 * its inverse (`~v`) or negation (`-v`) can. Never formats: the disassembler
 * prints the row's own mnemonic.
 */
function partnerImmediate(transform: 'not' | 'neg'): OperandCodec {
  return simple(
    IMM,
    () => undefined,
    (text, context) => {
      const value = parseImmediate(text, context, -0x8000_0000, 0xffff_ffff) >>> 0;
      // Encodable as written: the row of the mnemonic as written takes it.
      if (encodeModifiedImmediate(value) !== undefined) return undefined;
      const imm12 = encodeModifiedImmediate(transform === 'not' ? ~value : -value);
      if (imm12 === undefined) throw new OperandError(`immediate ${shown(text)} cannot be encoded as a rotated 8-bit value`);
      return [imm12];
    },
  );
}

const register = simple(
  IDENT,
  ([n]) => CORE_NAMES[n!],
  (text) => [parseRegister(text)],
);

function signedOffset(u: number, magnitude: number): string {
  return `#${u === 1 ? '' : '-'}${magnitude}`;
}

/** An offset's sign (the U bit; `#-0` is U = 0, as llvm-mc encodes it) and magnitude. */
function splitOffset(text: string, context: ParseContext): { u: number; magnitude: number } {
  const value = operandValue(text, context).value;
  const negativeZero = value === 0n && /^#?\s*-/.test(text.trim());
  const magnitude = value < 0n ? -value : value;
  return { u: value < 0n || negativeZero ? 0 : 1, magnitude: magnitude > 0xffff_ffffn ? 0xffff_ffff : Number(magnitude) };
}

/** {@link splitOffset} of an address's offset, with error offsets counted from the operand's start. */
function offsetAt(address: Address, context: ParseContext): { u: number; magnitude: number } {
  try {
    return splitOffset(address.offset!, context);
  } catch (error) {
    if (error instanceof OperandError) throw new OperandError(error.message, address.offsetAt + error.offset);
    throw error;
  }
}

/**
 * A PC-relative target: a constant is the offset itself, as llvm-mc reads
 * `b 0x100` and `adr r0, 8`; an address (a label, `.`, `1f`) is taken
 * relative to the instruction's address + 8 (ARM ARM A2.3: reading the PC
 * in A32 gives the instruction's address plus 8).
 */
function pcRelative(text: string, context: ParseContext): number {
  const result = operandValue(text, context);
  if (result.modifier !== undefined) throw new OperandError(`':${result.modifier}:' does not go with a PC-relative target`);
  const value = Number(result.value);
  return result.constant ? value : value - (context.address + 8);
}

interface Address {
  readonly rn: number;
  readonly p: number;
  readonly w: number;
  /** The offset text (`#4`, `-r2, lsl #2`) or undefined for none. */
  readonly offset: string | undefined;
  /** Character offset of the offset text inside the operand. */
  readonly offsetAt: number;
}

/** Parse `[rn]`, `[rn, off]`, `[rn, off]!` and `[rn], off`. */
function parseAddress(text: string): Address {
  const pre = /^\[\s*(\w+)\s*(?:,\s*([^\]]*?))?\s*\](\s*!)?$/.exec(text.trim());
  if (pre !== null) {
    const rn = parseRegister(pre[1]!, 1);
    return { rn, p: 1, w: pre[3] === undefined ? 0 : 1, offset: pre[2], offsetAt: pre[2] === undefined ? 0 : text.indexOf(pre[2]) };
  }
  const post = /^\[\s*(\w+)\s*\]\s*,\s*(.+)$/.exec(text.trim());
  if (post !== null) return { rn: parseRegister(post[1]!, 1), p: 0, w: 0, offset: post[2], offsetAt: text.indexOf(post[2]!) };
  throw new OperandError(`bad address '${text.trim()}'`);
}

const ADDRESS = `\\[[^\\]]*\\]\\s*!?(?:\\s*,\\s*[^,]+(?:\\s*,\\s*[^,]+)?)?`;

function formatAddress(rn: number, p: number, w: number, offset: string | undefined): string | undefined {
  const base = CORE_NAMES[rn]!;
  if (p === 1) return offset === undefined ? `[${base}]${w ? '!' : ''}` : `[${base}, ${offset}]${w ? '!' : ''}`;
  if (w === 1) return undefined; // the unprivileged (T) forms are not modelled
  return `[${base}], ${offset ?? '#0'}`;
}

/** `[rn, #±imm]` style address for a field of `bits` bits: fields rn, p, u, w, imm. */
function immediateAddress(bits: number): OperandCodec {
  const max = 2 ** bits - 1;
  return {
    pattern: `${ADDRESS}|${LABEL}`,
    format: ([rn, p, u, w, imm]) => formatAddress(rn!, p!, w!, p === 1 && u === 1 && imm === 0 ? undefined : signedOffset(u!, imm!)),
    parse: (text: string, context: ParseContext) => {
      if (!text.trim().startsWith('[')) {
        // A label: PC-relative, offset from the instruction's address + 8.
        const result = operandValue(text, context);
        if (result.constant) throw new OperandError(`expected a label or an address in brackets, got the number '${text.trim()}'`);
        const delta = Number(result.value) - (context.address + 8);
        if (Math.abs(delta) > max) throw new OperandError(`label '${text.trim()}' is ${delta} bytes away, out of range -${max}..${max}`);
        return [15, 1, delta < 0 ? 0 : 1, 0, Math.abs(delta)];
      }
      const address = parseAddress(text);
      if (address.offset === undefined) return [address.rn, address.p, 1, address.w, 0];
      if (!/^#|^[-+~('\d]/.test(address.offset.trim())) throw new OperandError(`expected an immediate offset, got '${address.offset.trim()}'`, address.offsetAt);
      const { u, magnitude } = offsetAt(address, context);
      if (magnitude > max) throw new OperandError(`offset ${shown(address.offset)} out of range -${max}..${max}`, address.offsetAt);
      return [address.rn, address.p, u, address.w, magnitude];
    },
  };
}

/** `, lsl #n` (or `, rrx`, or nothing for LSL #0) of a shifted register offset (A8.4.1 DecodeImmShift). */
export function formatShift(type: number, imm5: number): string {
  if (type === 0 && imm5 === 0) return '';
  if (type === 3 && imm5 === 0) return ', rrx';
  return `, ${SHIFT_NAMES[type]} #${imm5 === 0 ? 32 : imm5}`;
}

/** Parse `lsl #n`, `rrx`, … (after the register). Returns [type, imm5]. */
/** The shift after a register offset (`lsl #2`, `rrx`, or none): [type, imm5]. */
export function parseShift(text: string | undefined, offset: number, context: ParseContext): [number, number] {
  if (text === undefined || text.trim() === '') return [0, 0];
  const t = text.trim();
  if (t.toLowerCase() === 'rrx') return [3, 0];
  const m = /^(lsl|lsr|asr|ror)\s*(.+)$/i.exec(t);
  if (m === null) throw new OperandError(`bad shift '${text.trim()}'`, offset);
  const type = SHIFT_NAMES.indexOf(m[1]!.toLowerCase());
  let amount: number;
  try {
    amount = Number(operandValue(m[2]!, context).value);
  } catch (error) {
    if (error instanceof OperandError) throw new OperandError(`bad shift amount '${m[2]}': ${error.message}`, offset);
    throw error;
  }
  const [min, max] = type === 0 ? [0, 31] : type === 3 ? [1, 31] : [1, 32];
  if (amount < min || amount > max) throw new OperandError(`shift amount ${amount} out of range ${min}..${max} for ${m[1]}`, offset);
  return [type, amount & 31];
}

/** `[rn, ±rm{, shift}]` addresses: fields rn, p, u, w, rm, type, imm5. */
const registerAddress: OperandCodec = {
  pattern: ADDRESS,
  format: ([rn, p, u, w, rm, type, imm5]) => formatAddress(rn!, p!, w!, `${u === 1 ? '' : '-'}${CORE_NAMES[rm!]}${formatShift(type!, imm5!)}`),
  parse: (text, context) => {
    const address = parseAddress(text);
    if (address.offset === undefined) throw new OperandError(`expected a register offset`);
    const m = /^([-+]?)\s*(\w+)\s*(?:,\s*(.*))?$/.exec(address.offset.trim());
    if (m === null || /^#|^\d/.test(m[2]!)) throw new OperandError(`expected a register offset, got '${address.offset.trim()}'`, address.offsetAt);
    const rm = parseRegister(m[2]!, address.offsetAt);
    const [type, imm5] = parseShift(m[3], address.offsetAt, context);
    return [address.rn, address.p, m[1] === '-' ? 0 : 1, address.w, rm, type, imm5];
  },
};

/** `[rn, ±rm]` addresses without a shift (halfword forms): fields rn, p, u, w, rm. */
const plainRegisterAddress: OperandCodec = {
  pattern: ADDRESS,
  format: ([rn, p, u, w, rm]) => formatAddress(rn!, p!, w!, `${u === 1 ? '' : '-'}${CORE_NAMES[rm!]}`),
  parse: (text, context) => {
    const [rn, p, u, w, rm, type, imm5] = registerAddress.parse(text, context)!;
    if (type !== 0 || imm5 !== 0) throw new OperandError('this form takes no shift');
    return [rn!, p!, u!, w!, rm!];
  },
};

function bitCount(value: number): number {
  let v = value;
  let n = 0;
  while (v !== 0) {
    v &= v - 1;
    n++;
  }
  return n;
}

/** `{r0, r1, …}` for a register mask. */
export function formatRegisterList(mask: number): string {
  const names: string[] = [];
  for (let i = 0; i < 16; i++) if ((mask & (1 << i)) !== 0) names.push(CORE_NAMES[i]!);
  return `{${names.join(', ')}}`;
}

/** The mask of a `{r0-r3, lr}` register list; throws {@link OperandError} for a bad one. */
export function parseRegisterList(text: string): number {
  const m = /^\{(.*)\}$/.exec(text.trim());
  if (m === null) throw new OperandError(`bad register list '${text.trim()}'`);
  let mask = 0;
  for (const item of m[1]!.split(',')) {
    const range = item.split('-').map((x) => x.trim());
    if (range.length === 1 && range[0] === '') throw new OperandError('empty register list');
    const offset = text.indexOf(item.trim());
    if (range.length === 1) mask |= 1 << parseRegister(range[0]!, offset);
    else if (range.length === 2) {
      const first = parseRegister(range[0]!, offset);
      const last = parseRegister(range[1]!, offset);
      if (last < first) throw new OperandError(`bad register range '${item.trim()}'`, offset);
      for (let r = first; r <= last; r++) mask |= 1 << r;
    } else throw new OperandError(`bad register range '${item.trim()}'`, offset);
  }
  return mask;
}

const LIST = '\\{[^}]*\\}';

/** Flag codec: `text` when the field is 1, nothing when 0. */
function flag(text: string): OperandCodec {
  return simple(
    `(?:${text.replace(/[!^]/g, '\\$&')})?`,
    ([v]) => (v === 1 ? text : ''),
    (t) => [t.trim() === '' ? 0 : 1],
  );
}

/**
 * Branch targets: `#offset` or a constant (from PC + 8, as llvm-mc reads and
 * prints them), or a label expression (`1f`, `stub + 4`). Field: imm24.
 */
const branchTarget: OperandCodec = {
  pattern: `${IMM}|${LABEL}`,
  format: ([imm24]) => `#${((imm24! << 8) >> 8) * 4}`,
  parse: (text, context) => {
    const offset = pcRelative(text, context);
    if (offset % 4 !== 0) throw new OperandError(`branch offset ${offset} is not a multiple of 4`);
    if (offset < -(2 ** 25) || offset >= 2 ** 25) throw new OperandError(`branch offset ${offset} out of range -33554432..33554428`);
    return [(offset / 4) & 0xff_ffff];
  },
};

const BANKED_R0 = new Map<number, string>([
  [0, 'r8_usr'], [1, 'r9_usr'], [2, 'r10_usr'], [3, 'r11_usr'], [4, 'r12_usr'], [5, 'sp_usr'], [6, 'lr_usr'],
  [8, 'r8_fiq'], [9, 'r9_fiq'], [10, 'r10_fiq'], [11, 'r11_fiq'], [12, 'r12_fiq'], [13, 'sp_fiq'], [14, 'lr_fiq'],
  [16, 'lr_irq'], [17, 'sp_irq'], [18, 'lr_svc'], [19, 'sp_svc'], [20, 'lr_abt'], [21, 'sp_abt'], [22, 'lr_und'], [23, 'sp_und'],
  [28, 'lr_mon'], [29, 'sp_mon'], [30, 'elr_hyp'], [31, 'sp_hyp'],
]);
const BANKED_R1 = new Map<number, string>([[14, 'fiq'], [16, 'irq'], [18, 'svc'], [20, 'abt'], [22, 'und'], [28, 'mon'], [30, 'hyp']]);

/** Banked register name for (R, SYSm), as llvm spells it, or `undefined` if unallocated. */
export function bankedRegisterName(r: number, sysm: number): string | undefined {
  if (r === 0) return BANKED_R0.get(sysm);
  const mode = BANKED_R1.get(sysm);
  return mode === undefined ? undefined : `SPSR_${mode}`;
}

/** Banked registers for MRS/MSR (banked): fields r, m, m1 with SYSm = m:m1 (ARM ARM B9.2.3). */
const bankedRegister: OperandCodec = {
  pattern: IDENT,
  format: ([r, m, m1]) => bankedRegisterName(r!, (m! << 4) | m1!),
  parse: (text) => {
    const t = text.trim().toLowerCase();
    for (const [sysm, name] of BANKED_R0) if (name === t) return [0, sysm >> 4, sysm & 15];
    for (const [sysm, mode] of BANKED_R1) if (`spsr_${mode}` === t) return [1, sysm >> 4, sysm & 15];
    throw new OperandError(`unknown banked register '${text.trim()}'`);
  },
};

/** PSR name for MRS: `apsr` (llvm's spelling of CPSR when read) or `spsr`. Field: r. */
const psrName: OperandCodec = simple(
  '[a-z]+',
  ([r]) => (r === 1 ? 'spsr' : 'apsr'),
  (text) => {
    const t = text.trim().toLowerCase();
    if (t === 'apsr' || t === 'cpsr') return [0];
    if (t === 'spsr') return [1];
    throw new OperandError(`expected apsr, cpsr or spsr, got '${text.trim()}'`);
  },
);

/** PSR field mask for MSR: `CPSR_fc`, `APSR_nzcvq`, `SPSR_fsxc`, … Fields: r, mask. */
const psrMask: OperandCodec = {
  pattern: '[a-z]+(?:_[a-z]+)?',
  format: ([r, mask]) => {
    if (mask === 0) return undefined;
    if (r === 0 && mask === 8) return 'APSR_nzcvq';
    if (r === 0 && mask === 4) return 'APSR_g';
    if (r === 0 && mask === 12) return 'APSR_nzcvqg';
    const letters = ['f', 's', 'x', 'c'].filter((_, i) => (mask! & (8 >> i)) !== 0).join('');
    return `${r === 1 ? 'SPSR' : 'CPSR'}_${letters}`;
  },
  parse: (text) => {
    const m = /^(apsr|cpsr|spsr)(?:_([a-z]+))?$/i.exec(text.trim());
    if (m === null) throw new OperandError(`bad status register '${text.trim()}'`);
    const which = m[1]!.toLowerCase();
    const suffix = (m[2] ?? '').toLowerCase();
    if (which === 'apsr') {
      const masks: Record<string, number> = { nzcvq: 8, g: 4, nzcvqg: 12, '': 8 };
      const mask = masks[suffix];
      if (mask === undefined) throw new OperandError(`bad APSR field '${suffix}'`);
      return [0, mask];
    }
    if (suffix === '') return [which === 'spsr' ? 1 : 0, 9];
    let mask = 0;
    for (const ch of suffix) {
      const bit = { f: 8, s: 4, x: 2, c: 1 }[ch];
      if (bit === undefined || (mask & bit) !== 0) throw new OperandError(`bad PSR field mask '${suffix}'`);
      mask |= bit;
    }
    return [which === 'spsr' ? 1 : 0, mask];
  },
};

/** `aif` flags for CPS: fields a, i, f. */
const interruptFlags: OperandCodec = {
  pattern: '[aif]+',
  format: ([a, i, f]) => (a || i || f ? `${a ? 'a' : ''}${i ? 'i' : ''}${f ? 'f' : ''}` : undefined),
  parse: (text) => {
    const t = text.trim().toLowerCase();
    const out = [0, 0, 0];
    for (const ch of t) {
      const index = 'aif'.indexOf(ch);
      if (index < 0 || out[index] === 1) throw new OperandError(`bad interrupt flags '${text.trim()}'`);
      out[index] = 1;
    }
    return out;
  },
};

const BARRIER_NAMES = new Map<number, string>([[15, 'sy'], [14, 'st'], [11, 'ish'], [10, 'ishst'], [7, 'nsh'], [6, 'nshst'], [3, 'osh'], [2, 'oshst']]);

/** A barrier option without a name, as llvm prints it: `#0x` and hex digits. */
function unnamedOption(v: number): string {
  return `#0x${v.toString(16)}`;
}

/** DSB/DMB option (`sy`, `ish`, … or `#n`, printed `#0xn`). Field: option. */
const barrierOption: OperandCodec = simple(
  `${IDENT}|${IMM}`,
  ([v]) => BARRIER_NAMES.get(v!) ?? unnamedOption(v!),
  (text, context) => {
    const t = text.trim().toLowerCase();
    for (const [v, name] of BARRIER_NAMES) if (name === t) return [v];
    // Older names: un/unst for nsh/nshst, sh/shst for ish/ishst.
    const older: Record<string, number> = { un: 7, unst: 6, sh: 11, shst: 10 };
    if (older[t] !== undefined) return [older[t]];
    return [parseImmediate(t, context, 0, 15, 'barrier option')];
  },
);

/** ISB option: only `sy` (15) has a name (ARM ARM A8.8.44); others are `#n`, printed `#0xn`. Field: option. */
const isbOption: OperandCodec = simple(
  `${IDENT}|${IMM}`,
  ([v]) => (v === 15 ? 'sy' : unnamedOption(v!)),
  (text, context) => {
    const t = text.trim().toLowerCase();
    if (t === 'sy') return [15];
    return [parseImmediate(t, context, 0, 15, 'ISB option')];
  },
);

/** Coprocessor register `cN`. */
const coprocessorRegister: OperandCodec = simple(
  'c\\d+',
  ([v]) => `c${v}`,
  (text) => {
    const m = /^c(\d+)$/i.exec(text.trim());
    if (m === null || Number(m[1]) > 15) throw new OperandError(`bad coprocessor register '${text.trim()}'`);
    return [Number(m[1])];
  },
);

/** `p15` only: other coprocessors are not modelled. No fields. */
const coprocessor15: OperandCodec = simple(
  'p\\d+',
  () => 'p15',
  (text) => {
    if (text.trim().toLowerCase() !== 'p15') throw new OperandError(`coprocessor '${text.trim()}' is not modelled (only p15)`);
    return [];
  },
);

/** LDM/STM addressing mode suffix: fields p, u. `ia` prints as nothing. */
const blockMode: OperandCodec = simple(
  '(?:ia|ib|da|db)?',
  ([p, u]) => (p === 0 ? (u === 1 ? '' : 'da') : u === 1 ? 'ib' : 'db'),
  (text) => {
    switch (text.trim().toLowerCase()) {
      case '':
      case 'ia':
        return [0, 1];
      case 'ib':
        return [1, 1];
      case 'da':
        return [0, 0];
      default:
        return [1, 0];
    }
  },
);

/** Hint number of an unnamed hint in MSR (immediate)'s space: `#0`…`#255` of imm12. */
const hintNumber: OperandCodec = simple(
  IMM,
  ([v]) => (v! <= 0xff ? `#${v}` : undefined),
  (text, context) => [parseImmediate(text, context, 0, 255, 'hint number')],
);

/** DBG option: hints 0xf0…0xff are `dbg #0`…`dbg #15` (ARM ARM A8.8.42). Field: imm12. */
const debugOption: OperandCodec = simple(
  IMM,
  ([v]) => ((v! & 0xff0) === 0xf0 ? `#${v! & 0xf}` : undefined),
  (text, context) => [0xf0 | parseImmediate(text, context, 0, 15, 'debug option')],
);

/**
 * `adr rd, label` is ADD or SUB rd, pc, #offset (ARM ARM A8.8.12), with the
 * offset from the instruction's address + 8 as a modified immediate, as
 * llvm-mc's `fixup_arm_adr_pcrel_12` encodes it: ADD for an offset of zero
 * or more, SUB for a negative one. A constant operand is the offset itself.
 * Assembler only (the disassembler prints add / sub). Field: imm12.
 */
function adrOffset(sign: 'plus' | 'minus'): OperandCodec {
  return simple(
    `${IMM}|${LABEL}`,
    () => undefined,
    (text, context) => {
      const offset = pcRelative(text, context);
      if ((offset < 0) !== (sign === 'minus')) return undefined;
      const imm12 = encodeModifiedImmediate(Math.abs(offset));
      if (imm12 === undefined || Math.abs(offset) > 0xffff_ffff) {
        throw new OperandError(`adr: offset ${offset} to '${text.trim()}' is not a rotated 8-bit value (out of range of adr; use ldr rN, =label)`);
      }
      return [imm12];
    },
  );
}

/** The value of `=expression` (the operand of `ldr rN, =…`), truncated to 32 bits as llvm-mc does before choosing an encoding. */
function literalValue(text: string, context: ParseContext): { value: bigint; constant: boolean; word: number } {
  const t = text.trimStart();
  const skip = text.length - t.length + 1;
  let result: ExpressionValue;
  try {
    result = evaluateOperand(t.slice(1), context, ARM32_EXPRESSIONS);
  } catch (error) {
    if (error instanceof OperandError) throw new OperandError(error.message, skip + error.offset);
    throw error;
  }
  if (result.modifier !== undefined) throw new OperandError(`':${result.modifier}:' does not go with ldr rN, =value (use movw and movt)`);
  return { value: result.value, constant: result.constant, word: Number(BigInt.asUintN(32, result.value)) };
}

const LITERAL = `=${EXPRESSION_PATTERN}`;

/**
 * `ldr rN, =constant` as MOV, MVN or MOVW when the value (a constant known
 * at that point) fits one, in llvm-mc's order (`ARMAsmParser`, LDRConstPool:
 * MOV, then MVN, then MOVW on ARMv6T2 and later); anything else goes to the
 * literal pool ({@link literalLoad}). Assembler only. Field: imm12 or imm16.
 */
function literalMove(form: 'mov' | 'mvn' | 'movw'): OperandCodec {
  return simple(
    LITERAL,
    () => undefined,
    (text, context) => {
      const { constant, word } = literalValue(text, context);
      if (!constant) return undefined;
      if (form === 'movw') return word <= 0xffff ? [word] : undefined;
      const imm12 = encodeModifiedImmediate(form === 'mov' ? word : ~word >>> 0);
      return imm12 === undefined ? undefined : [imm12];
    },
  );
}

/**
 * `ldr rN, =value` from the literal pool: LDR (literal) from a pool entry
 * within 4095 bytes of the instruction's address + 8 (ARM ARM A8.8.64).
 * The assembler places the pool at `.ltorg` / `.pool` or at the end of the
 * section. Assembler only. Fields: rn, p, u, w, imm12.
 */
const literalLoad: OperandCodec = simple(LITERAL, () => undefined, (text, context) => {
  const { value, constant } = literalValue(text, context);
  if (value < -0x8000_0000n || value > 0xffff_ffffn) throw new OperandError(`value ${text.trim().slice(1).trim()} does not fit 32 bits`);
  if (context.literal === undefined) throw new OperandError('ldr rN, =value needs the assembler, which keeps the literal pool');
  const entry = context.literal({ value, constant, size: 4 });
  const delta = entry - (context.address + 8);
  if (Math.abs(delta) > 4095) throw new OperandError(`the literal pool is ${delta} bytes away, out of range -4095..4095 (place one nearer with .ltorg)`);
  return [15, 1, delta < 0 ? 0 : 1, 0, Math.abs(delta)];
});

/** The A32 codecs, by the names `table.ts` uses. */
export const ARM32_CODECS: CodecSet = {
  cond: simple(
    `(?:${[...CONDITION_ALIASES.keys()].join('|')})?`,
    ([c]) => (c === 14 ? '' : CONDITION_NAMES[c!]),
    (text) => [text === '' ? 14 : CONDITION_ALIASES.get(text.toLowerCase())!],
  ),
  s: flag('s'),
  wb: flag('!'),
  reg: register,
  modimm: modifiedImmediate(true),
  modimmu: modifiedImmediate(false),
  modimmnot: partnerImmediate('not'),
  modimmneg: partnerImmediate('neg'),
  imm3: unsignedImmediate(3),
  imm4: unsignedImmediate(4),
  imm5: unsignedImmediate(5),
  imm16: unsignedImmediate(16),
  imm24: unsignedImmediate(24),
  shimmlsl: simple(IMM, ([v]) => (v === 0 ? undefined : `#${v}`), (t, c) => [parseImmediate(t, c, 0, 31, 'shift amount')]),
  shimm32: simple(IMM, ([v]) => `#${v === 0 ? 32 : v}`, (t, c) => [parseImmediate(t, c, 1, 32, 'shift amount') & 31]),
  shimmror: simple(IMM, ([v]) => (v === 0 ? undefined : `#${v}`), (t, c) => [parseImmediate(t, c, 1, 31, 'shift amount')]),
  shift: {
    pattern: `${IDENT}(?:\\s*,\\s*(?:rrx|(?:lsl|lsr|asr|ror)\\s*${IMM}))?`,
    format: ([rm, type, imm5]) => `${CORE_NAMES[rm!]}${formatShift(type!, imm5!)}`,
    parse: (text, context) => {
      const m = /^(\w+)\s*(?:,\s*(.*))?$/.exec(text.trim())!;
      const [type, imm5] = parseShift(m[2], text.indexOf(',') + 1, context);
      return [parseRegister(m[1]!), type, imm5];
    },
  },
  rshift: {
    pattern: `${IDENT}\\s*,\\s*(?:lsl|lsr|asr|ror)\\s+${IDENT}`,
    format: ([rm, type, rs]) => `${CORE_NAMES[rm!]}, ${SHIFT_NAMES[type!]} ${CORE_NAMES[rs!]}`,
    parse: (text) => {
      const m = /^(\w+)\s*,\s*(lsl|lsr|asr|ror)\s+(\w+)$/i.exec(text.trim())!;
      return [parseRegister(m[1]!), SHIFT_NAMES.indexOf(m[2]!.toLowerCase()), parseRegister(m[3]!, text.lastIndexOf(m[3]!))];
    },
  },
  addr12: immediateAddress(12),
  addr8: immediateAddress(8),
  addrreg: registerAddress,
  addrreg8: plainRegisterAddress,
  reglist: simple(LIST, ([mask]) => (mask === 0 ? undefined : formatRegisterList(mask!)), (t) => [parseRegisterList(t)]),
  reglist2: simple(
    LIST,
    ([mask]) => (bitCount(mask!) < 2 ? undefined : formatRegisterList(mask!)),
    (t) => {
      const mask = parseRegisterList(t);
      if (bitCount(mask) < 2) throw new OperandError('this form needs at least two registers');
      return [mask];
    },
  ),
  reglist1: simple(LIST, ([rt]) => `{${CORE_NAMES[rt!]}}`, (t) => {
    const mask = parseRegisterList(t);
    if (bitCount(mask) !== 1) throw new OperandError('this form takes exactly one register');
    return [31 - Math.clz32(mask)];
  }),
  target: branchTarget,
  banked: bankedRegister,
  psr: psrName,
  psrmask: psrMask,
  aif: interruptFlags,
  barrier: barrierOption,
  isboption: isbOption,
  hint: hintNumber,
  dbg: debugOption,
  creg: coprocessorRegister,
  p15: coprocessor15,
  blockmode: blockMode,
  adrplus: adrOffset('plus'),
  adrminus: adrOffset('minus'),
  ldrmov: literalMove('mov'),
  ldrmvn: literalMove('mvn'),
  ldrmovw: literalMove('movw'),
  ldrpool: literalLoad,
};
