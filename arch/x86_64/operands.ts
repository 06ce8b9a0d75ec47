/**
 * x86-64 operand syntax: formatting a decoded instruction in AT&T syntax
 * (as `llvm-mc -triple=x86_64` prints it) or Intel syntax (as it prints it
 * with `-output-asm-variant=1`), and the assembler that reads both, from
 * the same table rows (`table.ts`): the row's operand codes say what each
 * operand may be, and its opcode, prefix, ModRM and immediate fields say
 * how it is encoded.
 *
 * @module
 */

import { AssemblyError, type DecodedText, type InstructionSet } from '../../src/isa/assembler.ts';
import type { AssemblySyntax } from '../../src/isa/directives.ts';
import { evaluateOperand } from '../../src/isa/expression.ts';
import { OperandError, type ParseContext } from '../../src/isa/operand.ts';
import { GPR16_NAMES, GPR32_NAMES, GPR8_LEGACY_NAMES, GPR8_REX_NAMES, GPR_NAMES, SEG_NAMES } from './registers.ts';
import { decodeBytes, isInsn, operandSize, RIP_BASE, sizeOf, X86_TABLE, type CodeSize, type OperandDef, type X86Insn, type X86Row } from './table.ts';

/** Which assembly syntax. */
export type X86Syntax = 'att' | 'intel';

/** The name of general register `n` at `size` bytes (`rex`: whether the instruction has a REX prefix, which turns AH…BH into SPL…DIL). */
export function registerName(n: number, size: number, rex: boolean): string {
  switch (size) {
    case 8:
      return GPR_NAMES[n]!;
    case 4:
      return GPR32_NAMES[n]!;
    case 2:
      return GPR16_NAMES[n]!;
    default:
      return rex || n >= 8 ? GPR8_REX_NAMES[n]! : GPR8_LEGACY_NAMES[n]!;
  }
}

const SUFFIX: Readonly<Record<number, string>> = { 1: 'b', 2: 'w', 4: 'l', 8: 'q' };
const PTR: Readonly<Record<number, string>> = { 1: 'byte ptr ', 2: 'word ptr ', 4: 'dword ptr ', 8: 'qword ptr ', 10: 'tbyte ptr ' };

/** An immediate as llvm-mc prints it: 8-bit and sign-extended immediates signed, full-width 16/32-bit ones unsigned, 64-bit signed. */
function immediateText(insn: X86Insn, def: OperandDef): string {
  const value = insn.imm;
  const bytes = insn.immBytes;
  const extended = def.kind === 'Is' ? insn.opsize : bytes;
  let v: bigint;
  if (bytes === 8 || extended > bytes) v = BigInt.asIntN(64, value);
  else if (bytes === 1) v = UNSIGNED_BYTE.has(insn.row.handler) ? value & 0xffn : BigInt.asIntN(8, value);
  else v = value & ((1n << BigInt(8 * bytes)) - 1n);
  return v.toString();
}

/** Rows whose 8-bit immediate is a count, vector or bit number (llvm-mc prints it unsigned), not data (printed signed). */
const UNSIGNED_BYTE: ReadonlySet<string> = new Set(['shift', 'int', 'bt']);

/** The memory operand in AT&T syntax: `seg:disp(base,index,scale)`. */
function attMemory(insn: X86Insn, moffs: boolean): string {
  const seg = insn.segment >= 0 ? `%${SEG_NAMES[insn.segment]}:` : '';
  if (moffs) return `${seg}${BigInt.asUintN(insn.adsize === 4 ? 32 : 64, insn.imm).toString()}`;
  const reg = (n: number): string => (insn.adsize === 4 ? (n === RIP_BASE ? 'eip' : GPR32_NAMES[n]!) : n === RIP_BASE ? 'rip' : GPR_NAMES[n]!);
  const disp = insn.disp;
  if (insn.base < 0 && insn.index < 0) return `${seg}${disp}`;
  const parts = `${insn.base >= 0 ? `%${reg(insn.base)}` : ''}${insn.index >= 0 ? `,%${reg(insn.index)}${insn.scale === 0 && insn.base >= 0 ? '' : `,${1 << insn.scale}`}` : ''}`;
  const dispText = disp !== 0 || insn.base < 0 ? String(disp) : '';
  return `${seg}${dispText}(${parts})`;
}

/** The memory operand in Intel syntax: `size ptr seg:[base + scale*index + disp]`. */
function intelMemory(insn: X86Insn, size: number, moffs: boolean, sized: boolean): string {
  const seg = insn.segment >= 0 ? `${SEG_NAMES[insn.segment]}:` : '';
  const ptr = sized ? (PTR[size] ?? '') : '';
  if (moffs) return `${ptr}${seg}[${BigInt.asUintN(insn.adsize === 4 ? 32 : 64, insn.imm).toString()}]`;
  const reg = (n: number): string => (insn.adsize === 4 ? (n === RIP_BASE ? 'eip' : GPR32_NAMES[n]!) : n === RIP_BASE ? 'rip' : GPR_NAMES[n]!);
  const terms: string[] = [];
  if (insn.base >= 0) terms.push(reg(insn.base));
  if (insn.index >= 0) terms.push(insn.scale === 0 && insn.base >= 0 ? reg(insn.index) : `${1 << insn.scale}*${reg(insn.index)}`);
  let text = terms.join(' + ');
  const disp = insn.disp;
  if (terms.length === 0) text = String(disp);
  else if (disp > 0) text += ` + ${disp}`;
  else if (disp < 0) text += ` - ${-disp}`;
  return `${ptr}${seg}[${text}]`;
}

/** The operand size the AT&T suffix names: the first sized operand's (MOVZX/MOVSX name their destination's), else the row's. */
function suffixSize(insn: X86Insn): number {
  const r = insn.row;
  // A segment register to or from memory always moves 16 bits (llvm-mc: movw).
  if (r.operands.some((o) => o.kind === 'S') && insn.mod !== 3) return 2;
  for (const o of r.operands) {
    if (o.kind === 'I' || o.kind === 'Is' || o.kind === 'J' || o.kind === 'one' || o.kind === 'S' || o.kind === 'K') continue;
    return sizeOf(o.size, insn.opsize) || insn.opsize;
  }
  return insn.opsize;
}

/** Format one operand. */
function operandText(insn: X86Insn, def: OperandDef, syntax: X86Syntax, address: number): string {
  const rex = insn.rex !== 0;
  const size = sizeOf(def.size, insn.opsize);
  const reg = (n: number, s: number): string => (syntax === 'att' ? '%' : '') + registerName(n, s, rex);
  switch (def.kind) {
    case 'E':
    case 'M':
    case 'R':
      if (insn.mod === 3) return reg(insn.rm, size);
      if (syntax === 'att') return attMemory(insn, false);
      return intelMemory(insn, insn.row.operands.some((o) => o.kind === 'S') ? 2 : size, false, def.size !== 'm' && insn.row.handler !== 'lea');
    case 'O':
      return syntax === 'att' ? attMemory(insn, true) : intelMemory(insn, size, true, true);
    case 'G':
      return reg(insn.reg, size);
    case 'Z':
      return reg(insn.rm, size);
    case 'F':
      return reg(def.reg!, size);
    case 'S': {
      const name = SEG_NAMES[insn.reg & 7] ?? `sreg${insn.reg & 7}`;
      return syntax === 'att' ? `%${name}` : name;
    }
    case 'C':
      return syntax === 'att' ? `%cr${insn.reg}` : `cr${insn.reg}`;
    case 'K':
      return (syntax === 'att' ? '%' : '') + SEG_NAMES[def.reg!]!;
    case 'I':
    case 'Is':
      return (syntax === 'att' ? '$' : '') + immediateText(insn, def);
    case 'one':
      return '';
    case 'J': {
      // In 32-bit code the target is EIP (IP with a 66 prefix), as the branch computes it.
      const width = insn.codeSize === 8 ? 64 : insn.operandPrefix ? 16 : 32;
      const target = BigInt.asUintN(width, BigInt(address + insn.length) + BigInt.asIntN(64, insn.imm));
      return `0x${target.toString(16)}`;
    }
    default: {
      const unreachable: never = def.kind;
      return unreachable;
    }
  }
}

/** The mnemonic as llvm-mc prints it. */
function mnemonicText(insn: X86Insn, syntax: X86Syntax): string {
  const r = insn.row;
  // PUSHF/POPF name their operand size in Intel syntax, as llvm-mc prints them: pushfq, pushfd (32-bit code), pushf (66).
  if (syntax === 'intel' && (r.handler === 'pushf' || r.handler === 'popf')) return `${r.handler}${insn.opsize === 8 ? 'q' : insn.opsize === 4 ? 'd' : ''}`;
  if (syntax === 'intel') return r.intel;
  return r.att.replace('{s}', SUFFIX[suffixSize(insn)] ?? '');
}

/** Format a decoded instruction at `address`. */
export function formatInsn(insn: X86Insn, syntax: X86Syntax, address: number): string {
  const r = insn.row;
  let defs = r.operands.filter((o) => o.kind !== 'one');
  // MOV to/from a segment register with a memory operand names no suffix size beyond the 16 bits moved; AT&T reverses the operand order.
  if (syntax === 'att') defs = [...defs].reverse();
  const parts = defs.map((d) => operandText(insn, d, syntax, address));
  const indirect = syntax === 'att' && (r.handler === 'call-indirect' || r.handler === 'jmp-indirect');
  const mnemonic = mnemonicText(insn, syntax);
  const prefix = insn.lock ? 'lock\t\t' : insn.rep !== 0 && r.prefix === 0 ? '' : '';
  const text = parts.length === 0 ? mnemonic : `${mnemonic}\t${indirect ? '*' : ''}${parts.join(', ')}`;
  return prefix + text;
}

/** Disassemble one instruction from bytes as code of `codeSize` (8: 64-bit mode, 4: 32-bit code), or `undefined` when it is not one. */
export function disassembleX86(bytes: Uint8Array, address: number, syntax: X86Syntax, codeSize: CodeSize = 8): DecodedText | undefined {
  const result = decodeBytes(bytes, 0, codeSize);
  if (!isInsn(result)) return undefined;
  return { length: result.length, text: formatInsn(result, syntax, address).replace(/\t+/g, ' ').replace(/^lock /, 'lock ') };
}

// ---------------------------------------------------------------------------
// Assembler.

/** A parsed operand. */
type Parsed =
  | { readonly kind: 'reg'; readonly n: number; readonly size: number; readonly high8: boolean; readonly rexOnly: boolean; readonly column: number }
  | { readonly kind: 'seg'; readonly n: number; readonly column: number }
  | { readonly kind: 'cr'; readonly n: number; readonly column: number }
  | { readonly kind: 'imm'; readonly value: bigint; readonly column: number }
  | { readonly kind: 'mem'; readonly seg: number; readonly base: number; readonly index: number; readonly scale: number; readonly disp: bigint; readonly size: number; readonly bare: boolean; readonly bracketed: boolean; readonly constant: boolean; readonly adsize: number; readonly column: number };

const REGISTERS = new Map<string, { n: number; size: number; high8: boolean; rexOnly: boolean }>();
GPR_NAMES.forEach((name, n) => REGISTERS.set(name, { n, size: 8, high8: false, rexOnly: false }));
GPR32_NAMES.forEach((name, n) => REGISTERS.set(name, { n, size: 4, high8: false, rexOnly: false }));
GPR16_NAMES.forEach((name, n) => REGISTERS.set(name, { n, size: 2, high8: false, rexOnly: false }));
GPR8_REX_NAMES.forEach((name, n) => REGISTERS.set(name, { n, size: 1, high8: false, rexOnly: n >= 4 && n < 8 }));
['ah', 'ch', 'dh', 'bh'].forEach((name, i) => REGISTERS.set(name, { n: i + 4, size: 1, high8: true, rexOnly: false }));
for (let n = 8; n < 16; n++) REGISTERS.set(`r${n}l`, { n, size: 1, high8: false, rexOnly: false });

/** Split operands at top-level commas (not inside parentheses or brackets). */
function splitOperands(text: string): { text: string; column: number }[] {
  const out: { text: string; column: number }[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    if ((c === ',' && depth === 0) || i === text.length) {
      const raw = text.slice(start, i);
      const lead = raw.length - raw.trimStart().length;
      out.push({ text: raw.trim(), column: start + lead });
      start = i + 1;
    }
  }
  return out.length === 1 && out[0]!.text === '' ? [] : out;
}

function value(text: string, context: ParseContext, column: number): bigint {
  return evaluate(text, context, column).value;
}

function evaluate(text: string, context: ParseContext, column: number): { value: bigint; constant: boolean } {
  try {
    return evaluateOperand(text, context);
  } catch (error) {
    if (error instanceof OperandError) throw new OperandError(error.message, column + error.offset);
    throw new OperandError(error instanceof Error ? error.message : String(error), column);
  }
}

function gpr(name: string, column: number): { n: number; size: number } {
  const r = REGISTERS.get(name.toLowerCase());
  if (r === undefined || r.high8) throw new OperandError(`unknown register '${name}'`, column);
  return r;
}

/** Parse an AT&T operand. */
function parseAtt(text: string, column: number, context: ParseContext): Parsed {
  if (text.startsWith('$')) return { kind: 'imm', value: value(text.slice(1), context, column + 1), column };
  if (text.startsWith('%')) {
    const name = text.slice(1).toLowerCase();
    const seg = SEG_NAMES.indexOf(name);
    if (seg >= 0 && !text.includes(':')) return { kind: 'seg', n: seg, column };
    const cr = /^cr(\d+)$/.exec(name);
    if (cr !== null) return { kind: 'cr', n: Number(cr[1]), column };
    const r = REGISTERS.get(name);
    if (r !== undefined) return { kind: 'reg', ...r, column };
    if (!name.includes(':')) throw new OperandError(`unknown register '${text}'`, column);
  }
  let rest = text;
  let seg = -1;
  const segMatch = /^%(es|cs|ss|ds|fs|gs)\s*:\s*/i.exec(rest);
  if (segMatch !== null) {
    seg = SEG_NAMES.indexOf(segMatch[1]!.toLowerCase());
    rest = rest.slice(segMatch[0].length);
  }
  const offset = text.length - rest.length;
  const paren = /\(([^()]*)\)\s*$/.exec(rest);
  let base = -1;
  let index = -1;
  let scale = 0;
  let dispText = rest;
  let adsize = 8;
  if (paren !== null && /^\s*(%|,)/.test(paren[1]!)) {
    dispText = rest.slice(0, paren.index);
    const inner = paren[1]!.split(',').map((p) => p.trim());
    const at = column + offset + paren.index + 1;
    if (inner[0] !== undefined && inner[0] !== '') {
      if (inner[0].toLowerCase() === '%rip' || inner[0].toLowerCase() === '%eip') {
        base = RIP_BASE;
        adsize = inner[0].toLowerCase() === '%eip' ? 4 : 8;
      } else {
        const b = gpr(inner[0].replace(/^%/, ''), at);
        if ((b.size !== 8 && b.size !== 4) || !inner[0].startsWith('%')) throw new OperandError(`base register must be a 64-bit or 32-bit register: '${inner[0]}'`, at);
        base = b.n;
        adsize = b.size;
      }
    }
    if (inner.length > 1) {
      const ix = gpr(inner[1]!.replace(/^%/, ''), at);
      if (inner[0] === '') adsize = ix.size;
      if (ix.size !== adsize || ix.n === 4) throw new OperandError(`invalid index register '${inner[1]}'`, at);
      index = ix.n;
      const sc = inner.length > 2 ? Number(inner[2]) : 1;
      const shift = [1, 2, 4, 8].indexOf(sc);
      if (shift < 0) throw new OperandError(`scale must be 1, 2, 4 or 8: '${inner[2]}'`, at);
      scale = shift;
    }
    if (inner.length > 3) throw new OperandError(`too many parts in '(${paren[1]})'`, at);
  }
  const d = dispText.trim() === '' ? { value: 0n, constant: true } : evaluate(dispText.trim(), context, column + offset);
  return { kind: 'mem', seg, base, index, scale, disp: d.value, size: 0, bare: base < 0 && index < 0, bracketed: false, constant: d.constant, adsize, column };
}

const PTR_SIZES: Readonly<Record<string, number>> = { byte: 1, word: 2, dword: 4, qword: 8 };

/** Parse an Intel operand. */
function parseIntel(text: string, column: number, context: ParseContext): Parsed {
  const lower = text.toLowerCase();
  const seg = SEG_NAMES.indexOf(lower);
  if (seg >= 0) return { kind: 'seg', n: seg, column };
  const cr = /^cr(\d+)$/.exec(lower);
  if (cr !== null) return { kind: 'cr', n: Number(cr[1]), column };
  const r = REGISTERS.get(lower);
  if (r !== undefined) return { kind: 'reg', ...r, column };
  const mem = /^(?:(byte|word|dword|qword)\s+ptr\s+)?(?:(es|cs|ss|ds|fs|gs)\s*:\s*)?\[(.*)\]$/i.exec(text);
  if (mem === null) return { kind: 'imm', value: value(text, context, column), column };
  const size = mem[1] === undefined ? 0 : PTR_SIZES[mem[1].toLowerCase()]!;
  const segment = mem[2] === undefined ? -1 : SEG_NAMES.indexOf(mem[2].toLowerCase());
  const inner = mem[3]!;
  const innerColumn = column + text.indexOf('[') + 1;
  let base = -1;
  let index = -1;
  let scale = 0;
  let adsize = 8;
  const rest: string[] = [];
  // Split into + and - terms at top level.
  const terms = inner.split(/(?=[+-])/).map((t) => t.trim()).filter((t) => t !== '');
  for (const term of terms) {
    const sign = term.startsWith('-') ? '-' : '';
    const body = term.replace(/^[+-]\s*/, '');
    const scaled = /^(\d+)\s*\*\s*([a-z0-9]+)$/i.exec(body) ?? /^([a-z0-9]+)\s*\*\s*(\d+)$/i.exec(body);
    if (scaled !== null && sign === '') {
      const [regName, factor] = /^\d+$/.test(scaled[1]!) ? [scaled[2]!, scaled[1]!] : [scaled[1]!, scaled[2]!];
      const ix = gpr(regName, innerColumn);
      const shift = [1, 2, 4, 8].indexOf(Number(factor));
      if (ix.size === 4) adsize = 4;
      if (shift < 0 || (ix.size !== 8 && ix.size !== 4) || ix.n === 4) throw new OperandError(`invalid index '${body}'`, innerColumn);
      index = ix.n;
      scale = shift;
      continue;
    }
    const lowerBody = body.toLowerCase();
    if (sign === '' && (lowerBody === 'rip' || lowerBody === 'eip') && base < 0) {
      base = RIP_BASE;
      if (lowerBody === 'eip') adsize = 4;
      continue;
    }
    const reg = REGISTERS.get(lowerBody);
    if (reg !== undefined && sign === '') {
      if (reg.size !== 8 && reg.size !== 4) throw new OperandError(`address registers must be 64-bit or 32-bit: '${body}'`, innerColumn);
      if (reg.size === 4) adsize = 4;
      if (base < 0) base = reg.n;
      else if (index < 0 && reg.n !== 4) index = reg.n;
      else throw new OperandError(`too many registers in '[${inner}]'`, innerColumn);
      continue;
    }
    rest.push(`${sign}${body}`);
  }
  const d = rest.length === 0 ? { value: 0n, constant: true } : evaluate(rest.join(' + ').replace(/\+ -/g, '- '), context, innerColumn);
  return { kind: 'mem', seg: segment, base, index, scale, disp: d.value, size, bare: base < 0 && index < 0, bracketed: true, constant: d.constant, adsize, column };
}

/** Whether a parsed operand fits an operand definition at operand size `opsize`; the register or memory size must match. */
function fits(p: Parsed, def: OperandDef, opsize: number, row: X86Row): boolean {
  const size = sizeOf(def.size, opsize);
  switch (def.kind) {
    case 'E':
      return (p.kind === 'reg' && p.size === size && row.mod !== 'mem') || (p.kind === 'mem' && (p.size === 0 || p.size === size));
    case 'M':
      return p.kind === 'mem' && (p.size === 0 || def.size === 'm' || p.size === size);
    case 'R':
      return p.kind === 'reg' && p.size === size;
    case 'G':
    case 'Z':
      return p.kind === 'reg' && p.size === size;
    case 'F':
      return p.kind === 'reg' && p.size === size && p.n === def.reg && !p.high8;
    case 'S':
      return p.kind === 'seg';
    case 'C':
      return p.kind === 'cr';
    case 'I':
    case 'Is': {
      if (p.kind !== 'imm') return false;
      const bytes = def.size === 'q' ? 8 : sizeOf(def.size, opsize);
      return immediateFits(p.value, bytes, def.kind === 'Is' ? opsize : bytes, row);
    }
    case 'one':
      return p.kind === 'imm' && p.value === 1n;
    case 'J':
      return p.kind === 'mem' && p.bare && !p.bracketed && p.seg < 0;
    case 'K':
      return p.kind === 'seg' && p.n === def.reg;
    case 'O':
      return p.kind === 'mem' && p.bare;
    default: {
      const unreachable: never = def.kind;
      return unreachable;
    }
  }
}

/** Whether `value` is encodable in `bytes` bytes that extend to `width` bytes (signed or unsigned within the width, as GNU as and llvm-mc take them). */
function immediateFits(value: bigint, bytes: number, width: number, _row: X86Row): boolean {
  const v = BigInt.asIntN(64, value);
  if (bytes >= 8) return true;
  const wide = BigInt(8 * width);
  const low = -(1n << (wide - 1n));
  const high = (1n << wide) - 1n;
  if (v < low || v > high) return false;
  if (bytes === width) return true;
  // Narrower than the operand: the value (as the operand width sees it) must survive sign extension.
  const asWidth = BigInt.asIntN(Number(wide), v);
  const field = BigInt(8 * bytes);
  return asWidth >= -(1n << (field - 1n)) && asWidth < 1n << (field - 1n);
}

/** The AT&T suffix of a mnemonic, if it has one that this row's stem takes. */
function stems(mnemonic: string, syntax: X86Syntax): { rows: readonly X86Row[]; size: number }[] {
  const out: { rows: readonly X86Row[]; size: number }[] = [];
  const exact = X86_TABLE.byMnemonic.get(mnemonic);
  if (exact !== undefined) out.push({ rows: exact, size: 0 });
  if (syntax === 'att') {
    const last = mnemonic[mnemonic.length - 1];
    const size = last === 'b' ? 1 : last === 'w' ? 2 : last === 'l' ? 4 : last === 'q' ? 8 : 0;
    if (size !== 0) {
      const rows = X86_TABLE.byMnemonic.get(mnemonic.slice(0, -1));
      if (rows !== undefined) out.push({ rows: rows.filter((r) => r.att.endsWith('{s}') || r.att.includes('{s}')), size });
    }
  }
  return out;
}

/** Encode `insn` operands for a row at an operand size; `undefined` when they do not fit it. */
function encode(r: X86Row, opsize: number, given: readonly Parsed[], context: ParseContext, lock: boolean, codeSize: CodeSize): Uint8Array | undefined {
  const code32 = codeSize === 4;
  // The shift-by-one forms may leave the 1 out (`shll %eax`, Intel `shl eax`), as llvm-mc prints them.
  const one = r.operands.findIndex((o) => o.kind === 'one');
  const operands = one >= 0 && given.length === r.operands.length - 1 ? [...given.slice(0, one), { kind: 'imm', value: 1n, column: 0 } as Parsed, ...given.slice(one)] : given;
  if (operands.length !== r.operands.length) return undefined;
  for (let i = 0; i < operands.length; i++) if (!fits(operands[i]!, r.operands[i]!, opsize, r)) return undefined;
  const bytes: number[] = [];
  let rex = 0;
  let rexNeeded = false;
  let noRex = false;
  let modrmReg = r.digit >= 0 ? r.digit : 0;
  let modrmRm = -1;
  let mem: Extract<Parsed, { kind: 'mem' }> | undefined;
  let opreg = 0;
  let imm: { value: bigint; bytes: number } | undefined;
  let rel: { target: bigint; bytes: number } | undefined;
  let moffs: bigint | undefined;
  let moffsSeg = -1;
  for (let i = 0; i < operands.length; i++) {
    const p = operands[i]!;
    const def = r.operands[i]!;
    if (p.kind === 'reg') {
      if (p.rexOnly) rexNeeded = true;
      if (p.high8) noRex = true;
    }
    switch (def.kind) {
      case 'E':
      case 'M':
      case 'R':
        if (p.kind === 'reg') modrmRm = p.n;
        else if (p.kind === 'mem') mem = p;
        break;
      case 'G':
        if (p.kind === 'reg') modrmReg = p.n;
        break;
      case 'S':
      case 'C':
        if (p.kind === 'seg' || p.kind === 'cr') modrmReg = p.n;
        break;
      case 'Z':
        if (p.kind === 'reg') opreg = p.n;
        break;
      case 'I':
      case 'Is':
        if (p.kind === 'imm') imm = { value: p.value, bytes: def.size === 'q' ? 8 : sizeOf(def.size, opsize) };
        break;
      case 'J':
        if (p.kind === 'mem') rel = { target: p.disp, bytes: def.size === 'b' ? 1 : code32 && opsize === 2 ? 2 : 4 };
        break;
      case 'O':
        if (p.kind === 'mem') {
          moffs = p.disp;
          moffsSeg = p.seg;
        }
        break;
      default:
        break;
    }
  }
  const segment = mem !== undefined ? mem.seg : moffsSeg;
  // llvm-mc puts a segment override after the 66 for the moffs forms (`movw %es:16, %ax` = 66 26 a1 …), before it otherwise.
  const segmentByte = segment >= 0 ? [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65][segment]! : -1;
  if (segmentByte >= 0 && moffs === undefined) bytes.push(segmentByte);
  if (code32 && mem !== undefined) {
    // 32-bit code addresses with 32-bit registers and no prefix; a 64-bit or RIP-relative address has no encoding there.
    if (mem.base === RIP_BASE) throw new OperandError('RIP-relative addressing is not available in 32-bit code', mem.column);
    if (mem.adsize !== 4 && !mem.bare) throw new OperandError('64-bit address registers are not available in 32-bit code', mem.column);
  } else if (mem !== undefined && mem.adsize === 4) bytes.push(0x67);
  if (lock) bytes.push(0xf0);
  // A segment register moves 16 bits to or from memory, and MOV to a segment register reads 16: llvm-mc gives them no 66 (SDM vol. 2 MOV: "the operand-size attribute has no effect").
  const segmentMove = r.handler === 'mov-to-seg' || (r.handler === 'mov-from-seg' && mem !== undefined);
  if (opsize === 2 && r.osz !== 'n' && !segmentMove) bytes.push(0x66);
  if (segmentByte >= 0 && moffs !== undefined) bytes.push(segmentByte);
  if (r.prefix !== 0) bytes.push(r.prefix);
  if (r.osz === 'v' && opsize === 8 && !(segmentMove && mem !== undefined)) rex |= 8;
  if (r.w === '1') rex |= 8;
  if (r.osz === 'n' && r.operands.some((o) => o.kind === 'R' || o.kind === 'C')) {
    // MOV to/from CR: 64-bit without REX.W.
  }
  if (modrmReg >= 8) rex |= 4;
  if (modrmRm >= 8) rex |= 1;
  if (opreg >= 8) rex |= 1;
  if (mem !== undefined) {
    if (mem.base >= 8 && mem.base !== RIP_BASE) rex |= 1;
    if (mem.index >= 8) rex |= 2;
  }
  if ((rex !== 0 || rexNeeded) && code32) throw new OperandError('needs a REX prefix (a 64-bit operand or R8–R15, SPL–DIL), which 32-bit code does not have', 0);
  if (rex !== 0 || rexNeeded) {
    if (noRex) throw new OperandError('cannot encode AH, BH, CH or DH in an instruction that needs a REX prefix', 0);
    bytes.push(0x40 | rex);
  }
  for (let i = 0; i < r.opcode.length; i++) bytes.push(i === r.opcode.length - 1 && r.opreg ? r.opcode[i]! + (opreg & 7) : r.opcode[i]!);
  let ripFixup = -1;
  if (r.fixedModrm >= 0) bytes.push(r.fixedModrm);
  else if (r.modrm) {
    const reg = (modrmReg & 7) << 3;
    if (mem === undefined) bytes.push(0xc0 | reg | (modrmRm & 7));
    else {
      const disp = BigInt.asIntN(64, mem.disp);
      const fitsDisp = (d: bigint): boolean => d >= -0x8000_0000n && d <= 0x7fff_ffffn;
      if (mem.base === RIP_BASE) {
        bytes.push(reg | 5);
        ripFixup = bytes.length;
        bytes.push(0, 0, 0, 0);
      } else if (mem.base < 0 && mem.index < 0 && code32) {
        // 32-bit code: mod 00 r/m 101 is an absolute disp32 (SDM vol. 2 table 2-2).
        const d = BigInt.asIntN(32, disp);
        if (!fitsDisp(disp) && BigInt.asUintN(32, disp) !== disp) throw new OperandError(`displacement ${disp} does not fit 32 bits`, mem.column);
        bytes.push(reg | 5);
        pushLe(bytes, d, 4);
      } else if (mem.base < 0) {
        // No base: SIB with base 101 and mod 00 (disp32; index or none).
        const d = BigInt.asIntN(32, disp);
        if (!fitsDisp(disp) && BigInt.asUintN(32, disp) !== disp) throw new OperandError(`displacement ${disp} does not fit 32 bits`, mem.column);
        bytes.push(reg | 4, (mem.scale << 6) | ((mem.index < 0 ? 4 : mem.index & 7) << 3) | 5);
        pushLe(bytes, d, 4);
      } else {
        if (!fitsDisp(disp)) throw new OperandError(`displacement ${disp} does not fit 32 bits`, mem.column);
        const needsSib = mem.index >= 0 || (mem.base & 7) === 4;
        const mod = disp === 0n && (mem.base & 7) !== 5 ? 0 : disp >= -128n && disp <= 127n ? 1 : 2;
        bytes.push((mod << 6) | reg | (needsSib ? 4 : mem.base & 7));
        if (needsSib) bytes.push((mem.scale << 6) | ((mem.index < 0 ? 4 : mem.index & 7) << 3) | (mem.base & 7));
        if (mod === 1) pushLe(bytes, disp, 1);
        else if (mod === 2) pushLe(bytes, disp, 4);
      }
    }
  }
  if (moffs !== undefined) pushLe(bytes, moffs, code32 ? 4 : 8);
  if (imm !== undefined) pushLe(bytes, imm.value, imm.bytes);
  if (rel !== undefined) {
    const end = context.address + bytes.length + rel.bytes;
    // In 32-bit code EIP wraps at 4 GiB (IP at 64 Ki with a rel16): the displacement is the difference modulo that.
    const raw = rel.target - BigInt(end);
    const d = code32 ? BigInt.asIntN(rel.bytes === 2 ? 16 : 32, raw) : raw;
    if (rel.bytes === 1 && (d < -128n || d > 127n)) return undefined;
    if (d < -0x8000_0000n || d > 0x7fff_ffffn) throw new OperandError(`branch target is out of range (${d} bytes)`, 0);
    pushLe(bytes, d, rel.bytes);
  }
  if (ripFixup >= 0) {
    const d = BigInt.asIntN(64, mem!.disp);
    // `label(%rip)` is the label's address: the displacement is from the next instruction; a plain number is the displacement itself.
    const displacement = mem!.constant ? d : d - BigInt(context.address + bytes.length);
    const v = BigInt.asIntN(32, displacement);
    if (v !== displacement) throw new OperandError('RIP-relative displacement does not fit 32 bits', mem!.column);
    const b = new Uint8Array(4);
    for (let i = 0; i < 4; i++) b[i] = Number((BigInt.asUintN(32, v) >> BigInt(8 * i)) & 0xffn);
    bytes.splice(ripFixup, 4, ...b);
  }
  return Uint8Array.from(bytes);
}

function pushLe(bytes: number[], value: bigint, count: number): void {
  const v = BigInt.asUintN(8 * count, value);
  for (let i = 0; i < count; i++) bytes.push(Number((v >> BigInt(8 * i)) & 0xffn));
}

/** The operand size implied by register operands (and an Intel `ptr`), or 0. */
function impliedSize(r: X86Row, operands: readonly Parsed[]): number {
  for (let i = 0; i < operands.length; i++) {
    const p = operands[i]!;
    const def = r.operands[i];
    if (def === undefined) continue;
    if (def.size !== 'v' && def.size !== 's' && def.size !== 'y') continue;
    if (p.kind === 'reg') return p.size;
    if (p.kind === 'mem' && p.size !== 0) return p.size;
  }
  return 0;
}

/** Candidate operand sizes for a row (in 32-bit code there is no 64-bit operand size, and the stack and branches default to 32). */
function sizesFor(r: X86Row, explicit: number, operands: readonly Parsed[], codeSize: CodeSize): number[] {
  if (r.osz === 'n') return [operandSize(r, r.w === '1', false, codeSize)];
  const implied = impliedSize(r, operands);
  const size = explicit !== 0 ? explicit : implied;
  const allowed = codeSize === 4 ? (r.w === '1' ? [] : [4, 2]) : r.osz === 's' ? [8, 2] : r.w === '1' ? [8] : r.w === '0' ? [4, 2] : [4, 8, 2];
  if (allowed.length === 0) return [];
  if (size !== 0) return allowed.includes(size) ? [size] : [];
  // No register names the size: only rows whose other operands fix it (a branch, push imm) may choose; a memory operand with an immediate is ambiguous.
  if (operands.some((p) => p.kind === 'mem' && !p.bare) && r.operands.some((o) => o.kind === 'E' && (o.size === 'v' || o.size === 's'))) return r.osz === 's' ? [8] : allowed;
  return [allowed[0]!];
}

/** Whether a row is an instruction in code of `codeSize` ({@link X86Row.modes}). */
function rowInMode(r: X86Row, codeSize: CodeSize): boolean {
  return r.modes === 'any' || (r.modes === '32') === (codeSize === 4);
}

/** Assemble one line in `syntax`, as code of `codeSize` (8: 64-bit mode, the default; 4: 32-bit code, llvm-mc's `-triple=i386` or `.code32`). */
export function assembleX86(text: string, context: ParseContext, syntax: X86Syntax, codeSize: CodeSize = 8): Uint8Array {
  let line = text.trim();
  let lock = false;
  const lockMatch = /^lock\s+/i.exec(line);
  if (lockMatch !== null) {
    lock = true;
    line = line.slice(lockMatch[0].length);
  }
  const offset = text.indexOf(line);
  const space = /\s/.exec(line);
  const mnemonic = (space === null ? line : line.slice(0, space.index)).toLowerCase();
  const operandText = space === null ? '' : line.slice(space.index);
  const operandColumn = offset + (space === null ? line.length : space.index);
  let parsedText = splitOperands(operandText);
  let indirect = false;
  if (syntax === 'att' && parsedText.length === 1 && parsedText[0]!.text.startsWith('*')) {
    indirect = true;
    parsedText = [{ text: parsedText[0]!.text.slice(1), column: parsedText[0]!.column + 1 }];
  }
  const parse = (o: { text: string; column: number }): Parsed => {
    try {
      return syntax === 'att' ? parseAtt(o.text, o.column, context) : parseIntel(o.text, o.column, context);
    } catch (error) {
      if (error instanceof OperandError) throw new AssemblyError(error.message, 1, operandColumn + error.offset + 1);
      throw error;
    }
  };
  let operands = parsedText.map(parse);
  if (syntax === 'att') operands = [...operands].reverse();
  // Intel: a bare number is a branch target for branch rows (handled in fits through a bare memory operand).
  const candidates = stems(mnemonic, syntax);
  if (candidates.length === 0) throw new AssemblyError(`unknown instruction '${mnemonic}'`, 1, offset + 1);
  const found: { bytes: Uint8Array; size: number }[] = [];
  let firstError: string | undefined;
  const registerSized = operands.some((p) => p.kind === 'reg') || operands.some((p) => p.kind === 'mem' && p.size !== 0);
  // XCHG is symmetric: llvm-mc takes the one-byte 90+r form with the accumulator on either side (`xchgq %rax, %rdx` is 48 92), so
  // the operands are also tried swapped, after the given order (which wins a tie, keeping the 87 /r operand order llvm-mc emits).
  const orders = mnemonic.startsWith('xchg') && operands.length === 2 && operands.every((p) => p.kind === 'reg') ? [operands, [operands[1]!, operands[0]!]] : [operands];
  for (const order of orders) {
    for (const { rows, size } of candidates) {
      for (const r of rows) {
        if (!rowInMode(r, codeSize)) continue;
        if ((r.handler === 'call-indirect' || r.handler === 'jmp-indirect') !== indirect && syntax === 'att' && (r.handler.startsWith('call') || r.handler.startsWith('jmp'))) continue;
        const ops = syntax === 'intel' ? order.map((p) => (p.kind === 'imm' && r.operands.some((o) => o.kind === 'J') ? ({ kind: 'mem', seg: -1, base: -1, index: -1, scale: 0, disp: p.value, size: 0, bare: true, bracketed: false, constant: true, adsize: 8, column: p.column } as Parsed) : p)) : order;
        for (const opsize of sizesFor(r, size, ops, codeSize)) {
          const rowSize = rowSuffixSize(r, opsize);
          if (size !== 0 && rowSize !== size) continue;
          const special = specialEncoding(r, opsize, ops);
          if (special === 'refused') continue;
          try {
            const bytes = special ?? encode(r, opsize, ops, context, lock, codeSize);
            if (bytes !== undefined) found.push({ bytes, size: rowSize });
          } catch (error) {
            if (error instanceof OperandError) firstError ??= error.message;
            else throw error;
          }
        }
      }
    }
  }
  if (found.length === 0) throw new AssemblyError(firstError ?? `invalid operands for '${mnemonic}'`, 1, operandColumn + 1);
  // A memory operand with nothing to give its size (no suffix, register or ptr) is ambiguous when the rows disagree (llvm-mc: "ambiguous operand size").
  if (!registerSized && operands.some((p) => p.kind === 'mem' && !p.bare) && new Set(found.map((f) => f.size)).size > 1) {
    throw new AssemblyError(`ambiguous operand size for '${mnemonic}': ${syntax === 'att' ? 'add a suffix (b, w, l or q)' : 'say byte, word, dword or qword ptr'}`, 1, operandColumn + 1);
  }
  let best = found[0]!.bytes;
  for (const f of found) if (f.bytes.length < best.length) best = f.bytes;
  return best;
}

/**
 * Where llvm-mc encodes a row's operands other than the row's general rule does: the bytes, `'refused'` when the row must not be
 * used for them, or undefined for the general encoding (`opsize` in bytes).
 * - `int $3` is the one-byte CC (SDM vol. 2, INT n/INTO/INT3).
 * - XCHG of the accumulator with itself in the 90+r form: in 64-bit mode 90 is NOP (SDM vol. 2, NOP and XCHG), so `xchgl %eax, %eax`,
 *   which zero-extends RAX, must take 87 /r; `xchgq %rax, %rax` changes nothing and llvm-mc emits the bare 90 (`xchgw %ax, %ax`,
 *   66 90, is the general rule's).
 */
function specialEncoding(r: X86Row, opsize: number, ops: readonly Parsed[]): Uint8Array | 'refused' | undefined {
  if (r.handler === 'int' && ops[0]?.kind === 'imm' && ops[0].value === 3n) return Uint8Array.of(0xcc);
  if (r.name === 'xchg rAX,Zv' && ops.every((p) => p.kind === 'reg' && p.n === 0 && p.size === opsize)) {
    if (opsize === 4) return 'refused';
    if (opsize === 8) return Uint8Array.of(0x90);
  }
  return undefined;
}

/** The size a row's AT&T suffix names at an operand size: its first register or memory operand's, as llvm-mc prints it. */
function rowSuffixSize(r: X86Row, opsize: number): number {
  if (r.operands.some((o) => o.kind === 'S')) return opsize;
  for (const o of r.operands) {
    if (o.kind === 'I' || o.kind === 'Is' || o.kind === 'J' || o.kind === 'one' || o.kind === 'K' || o.kind === 'M') continue;
    return sizeOf(o.size, opsize) || opsize;
  }
  return opsize;
}

/** `.quad`, `.long` and the like are common; x86 `.word` is 2 bytes (GNU as, llvm-mc). */
const X86_ASSEMBLY: AssemblySyntax = {
  wordSize: 2,
  expressions: { orNot: true },
  // The code size of what follows, as GNU as and llvm-mc take it: `.code32` for 32-bit code (compatibility mode, CS.D = 1), `.code64` back.
  directives: {
    '.code32': { kind: 'mode', mode: '32' },
    '.code64': { kind: 'mode', mode: '64' },
    '.code16': { kind: 'reject', reason: '16-bit code is not modelled (compatibility mode with CS.D = 0 stops the run)' },
  },
  codeFill: undefined,
};

/** An x86-64 instruction set in one syntax, for 64-bit code or for 32-bit code (compatibility mode). */
class X86InstructionSet implements InstructionSet {
  /** Architecture name: `x86_64`, or `i386` for 32-bit code. */
  readonly name: string;
  /** Little-endian. */
  readonly endian = 'little' as const;
  /** `#` starts a comment in AT&T syntax (and `;` in Intel's, as llvm-mc reads it). */
  readonly commentPrefixes: readonly string[];
  /** `.align n` is n bytes on x86 (GNU as for ELF i386/x86-64). */
  readonly alignIsPowerOfTwo = false;
  /** The syntax additions. */
  readonly syntax = X86_ASSEMBLY;

  /**
   * @param variant AT&T or Intel.
   * @param codeSize 8 for 64-bit code, 4 for 32-bit code: the code size until a `.code32` or `.code64` directive.
   */
  constructor(
    readonly variant: X86Syntax,
    readonly codeSize: CodeSize = 8,
  ) {
    this.name = codeSize === 8 ? 'x86_64' : 'i386';
    this.commentPrefixes = variant === 'att' ? ['#'] : ['#', ';'];
  }

  /** Encode one instruction. */
  assembleOne(text: string, context: ParseContext): Uint8Array {
    return assembleX86(text, context, this.variant, context.mode === '32' ? 4 : context.mode === '64' ? 8 : this.codeSize);
  }

  /** Decode and format one instruction. */
  disassembleOne(bytes: Uint8Array, address: number): DecodedText | undefined {
    return disassembleX86(bytes, address, this.variant, this.codeSize);
  }
}

/** The AT&T and Intel instruction sets. */
export const X86_INSTRUCTION_SETS: Readonly<Record<X86Syntax, InstructionSet>> = { att: new X86InstructionSet('att'), intel: new X86InstructionSet('intel') };

/**
 * The AT&T and Intel instruction sets for 32-bit code (compatibility mode
 * with CS.D = 1): what llvm-mc assembles with `-triple=i386`, or after
 * `.code32` under `-triple=x86_64`. No REX, no 64-bit operands, 32-bit
 * addresses without a 67 prefix, and INC/DEC r32 in their one-byte forms.
 */
export const X86_CODE32_INSTRUCTION_SETS: Readonly<Record<X86Syntax, InstructionSet>> = { att: new X86InstructionSet('att', 4), intel: new X86InstructionSet('intel', 4) };
