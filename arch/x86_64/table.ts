/**
 * The x86-64 instruction table and the variable-length decoder it drives.
 *
 * One row per opcode form (Intel SDM vol. 2, appendix A opcode maps): the
 * opcode bytes, the mandatory prefix, the ModRM use (`/r`, `/digit`, a
 * fixed ModRM byte, register-only or memory-only), a register in the
 * opcode's low three bits (`+r`), the REX.W requirement, and the operands
 * in Intel order with their size codes (SDM vol. 2 §A.2: `b`, `w`, `d`,
 * `q`, `v` operand size, `z` the immediate of an operand size, `s` the
 * 64-bit-default stack/branch size). The same rows drive the decoder
 * ({@link decodeX86}), the formatter and assembler (`operands.ts`) and the
 * overlap check ({@link buildX86Table}, which rejects two rows that would
 * take the same bytes as soon as the module loads).
 *
 * The decoder never throws: a byte it cannot fetch is a fetch fault at that
 * offset, an opcode no row claims (or a LOCK on an instruction that does
 * not take one, or more than 15 bytes) is #UD.
 *
 * @module
 */

/** The size code of an operand (SDM vol. 2 §A.2.2), plus `s` for the 64-bit-default operand size and `m` for an unsized memory operand. */
export type SizeCode = 'b' | 'w' | 'd' | 'q' | 'v' | 'z' | 'y' | 's' | 'm';

/** How an operand is encoded. */
export type OperandKind =
  /** ModRM r/m: register or memory. */
  | 'E'
  /** ModRM reg: a general register. */
  | 'G'
  /** ModRM r/m, memory only. */
  | 'M'
  /** An immediate. */
  | 'I'
  /** An immediate, sign-extended to the operand size. */
  | 'Is'
  /** A relative branch displacement. */
  | 'J'
  /** A general register in the opcode's low three bits (plus REX.B). */
  | 'Z'
  /** ModRM reg: a segment register. */
  | 'S'
  /** ModRM reg: a control register. */
  | 'C'
  /** ModRM r/m, register only (mod = 3), a general register. */
  | 'R'
  /** A fixed general register (`reg` gives it): AL/AX/EAX/RAX, CL, DX. */
  | 'F'
  /** The constant 1 of the shift-by-one forms. */
  | 'one'
  /** A 64-bit absolute memory offset (moffs, `movabs`). */
  | 'O'
  /** A fixed segment register (`reg` gives it): the FS/GS of PUSH and POP. */
  | 'K';

/** One operand of a row. */
export interface OperandDef {
  /** How it is encoded. */
  readonly kind: OperandKind;
  /** Its size code. */
  readonly size: SizeCode;
  /** For `F`: the register number. */
  readonly reg?: number;
}

/** The operand-size attribute of a row (SDM vol. 2 §2.2.1.2, table 2-4). */
export type OperandSizeRule =
  /** 32 by default, 16 with 66, 64 with REX.W. */
  | 'v'
  /** 64 by default (stack operations, near branches), 16 with 66; REX.W changes nothing. */
  | 's'
  /** Fixed by the row (byte forms, no operands): prefixes do not change it. */
  | 'n';

/** One row of the table. */
export interface X86Row {
  /** Unique name: the Intel mnemonic and operand codes (`add Ev,Gv`). */
  readonly name: string;
  /** The semantics handler's name. */
  readonly handler: string;
  /** Handler variant (the ALU operation, the condition code, …). */
  readonly variant: number;
  /** AT&T mnemonic template as llvm-mc prints it: `{s}` is the operand-size suffix (`b`, `w`, `l`, `q`). */
  readonly att: string;
  /** Intel mnemonic as llvm-mc prints it with `--output-asm-variant=1`. */
  readonly intel: string;
  /** Other mnemonics the assembler accepts for this row (without suffix rules). */
  readonly aliases: readonly string[];
  /** Opcode bytes after the prefixes and REX. */
  readonly opcode: readonly number[];
  /** Mandatory prefix (0x66, 0xF2, 0xF3), or 0. */
  readonly prefix: number;
  /** Whether a ModRM byte follows the opcode. */
  readonly modrm: boolean;
  /** ModRM.reg digit (`/digit`), or −1 for `/r`. */
  readonly digit: number;
  /** The whole ModRM byte, for rows that fix it (`0F 01 C1` VMCALL), or −1. */
  readonly fixedModrm: number;
  /** Which ModRM.mod values it takes. */
  readonly mod: 'any' | 'mem' | 'reg';
  /** Whether the opcode's low three bits name a register (`+r`). */
  readonly opreg: boolean;
  /** REX.W requirement: `1` set, `0` clear, `any`. */
  readonly w: '0' | '1' | 'any';
  /** Operand-size attribute. */
  readonly osz: OperandSizeRule;
  /** Operands, Intel order (destination first). */
  readonly operands: readonly OperandDef[];
  /** Whether a LOCK prefix is allowed (with a memory destination; SDM vol. 2 LOCK). */
  readonly lockable: boolean;
  /** Whether the row is a conditional family member: `variant` is the condition code (SDM vol. 1 appendix B). */
  readonly condition: boolean;
  /** Rows that deliberately take bytes this row also matches, preferring this one (checked by {@link buildX86Table}). */
  readonly overlaps: readonly string[];
  /** The code sizes the row decodes in: `any`, `64` (64-bit mode only) or `32` (compatibility mode with CS.D = 1 only: INC/DEC r32 at 40–4F, which are REX prefixes in 64-bit mode). */
  readonly modes: RowModes;
}

/** Which code sizes a row decodes in (see {@link X86Row.modes}). */
export type RowModes = 'any' | '64' | '32';

/** What a row definition gives; the rest defaults. */
interface RowSpec {
  readonly handler: string;
  readonly variant?: number;
  readonly att: string;
  readonly intel?: string;
  readonly aliases?: readonly string[];
  readonly opcode: string;
  readonly operands?: string;
  readonly osz?: OperandSizeRule;
  readonly w?: '0' | '1' | 'any';
  readonly lockable?: boolean;
  readonly condition?: boolean;
  readonly overlaps?: readonly string[];
  readonly name?: string;
  readonly modes?: RowModes;
}

const OPERAND_CODES: Readonly<Record<string, OperandDef>> = {
  AL: { kind: 'F', size: 'b', reg: 0 },
  CL: { kind: 'F', size: 'b', reg: 1 },
  rAX: { kind: 'F', size: 'v', reg: 0 },
  DX: { kind: 'F', size: 'w', reg: 2 },
  FS: { kind: 'K', size: 'w', reg: 4 },
  GS: { kind: 'K', size: 'w', reg: 5 },
  one: { kind: 'one', size: 'b' },
};

/** Parse one operand code (`Ev`, `Ibs`, `Jz`, `rAX`). */
function operandCode(code: string): OperandDef {
  const fixed = OPERAND_CODES[code];
  if (fixed !== undefined) return fixed;
  const match = /^(E|G|M|I|Is|J|Z|S|C|R|O)([bwdqvzysm])$/.exec(code);
  if (match === null) throw new Error(`x86_64 table: unknown operand code '${code}'`);
  return { kind: match[1] as OperandKind, size: match[2] as SizeCode };
}

/** Build a row from its spec: the opcode string is hex bytes, then `/r`, `/0`…`/7`, `+r`, a fixed ModRM `C1`, `/r:mem` or `/r:reg`, and `p66`/`pF3`/`pF2` for a mandatory prefix first. */
function row(spec: RowSpec): X86Row {
  const parts = spec.opcode.split(/\s+/);
  let prefix = 0;
  const opcode: number[] = [];
  let modrm = false;
  let digit = -1;
  let fixedModrm = -1;
  let mod: X86Row['mod'] = 'any';
  let opreg = false;
  for (const part of parts) {
    if (/^p(66|F2|F3)$/i.test(part)) prefix = parseInt(part.slice(1), 16);
    else if (/^\/([0-7r])(:mem|:reg)?$/.test(part)) {
      modrm = true;
      if (part[1] !== 'r') digit = Number(part[1]);
      if (part.endsWith(':mem')) mod = 'mem';
      if (part.endsWith(':reg')) mod = 'reg';
    } else if (part === '+r') opreg = true;
    else if (/^=[0-9A-F]{2}$/i.test(part)) {
      modrm = true;
      fixedModrm = parseInt(part.slice(1), 16);
      mod = 'reg';
    } else if (/^[0-9A-F]{2}$/i.test(part)) opcode.push(parseInt(part, 16));
    else throw new Error(`x86_64 table: bad opcode part '${part}' in '${spec.opcode}'`);
  }
  const operands = spec.operands === undefined || spec.operands === '' ? [] : spec.operands.split(',').map(operandCode);
  if (operands.some((o) => o.kind === 'M')) mod = 'mem';
  if (operands.some((o) => o.kind === 'R' || o.kind === 'C')) mod = 'reg';
  const intel = spec.intel ?? spec.att.replace('{s}', '');
  const name = spec.name ?? `${intel}${fixedModrm >= 0 ? '' : ''} ${spec.operands ?? ''}`.trim() + (spec.w === '1' ? ' W1' : spec.w === '0' ? ' W0' : '');
  return {
    name,
    handler: spec.handler,
    variant: spec.variant ?? 0,
    att: spec.att,
    intel,
    aliases: spec.aliases ?? [],
    opcode,
    prefix,
    modrm,
    digit,
    fixedModrm,
    mod,
    opreg,
    w: spec.w ?? 'any',
    osz: spec.osz ?? (operands.some((o) => o.size === 'v' || o.size === 'z' || o.size === 'y') ? 'v' : operands.some((o) => o.size === 's') ? 's' : 'n'),
    operands,
    lockable: spec.lockable ?? false,
    condition: spec.condition ?? false,
    overlaps: spec.overlaps ?? [],
    modes: spec.modes ?? 'any',
  };
}

/** The eight ALU operations in opcode order (SDM vol. 2 table A-2, opcodes 00–3F; group 1 /digit). */
export const ALU_OPS: readonly string[] = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];

/** Shift and rotate operations by group-2 digit (SDM vol. 2 table A-6); 6 is the undocumented SAL alias and is left out. */
export const SHIFT_OPS: readonly (string | undefined)[] = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', undefined, 'sar'];

/** Condition-code suffixes as llvm-mc prints them, by condition number (SDM vol. 1 appendix B). */
export const CONDITIONS: readonly string[] = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

/** Other condition spellings the assembler accepts, by condition number (GNU as). */
const CONDITION_ALIASES: readonly (readonly string[])[] = [[], [], ['c', 'nae'], ['nb', 'nc'], ['z'], ['nz'], ['na'], ['nbe'], [], [], ['pe'], ['po'], ['nge'], ['nl'], ['ng'], ['nle']];

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** Every row, in the order the assembler prefers among encodings of equal length (llvm-mc's choices first). */
function rows(): X86Row[] {
  const out: X86Row[] = [];
  const add = (spec: RowSpec): void => {
    out.push(row(spec));
  };
  // ALU: 00–3D and group 1 (80, 81, 83).
  ALU_OPS.forEach((op, i) => {
    const base = i * 8;
    const lock = op !== 'cmp';
    add({ handler: 'alu', variant: i, att: `${op}{s}`, opcode: `${hex(base)} /r`, operands: 'Eb,Gb', lockable: lock });
    add({ handler: 'alu', variant: i, att: `${op}{s}`, opcode: `${hex(base + 1)} /r`, operands: 'Ev,Gv', lockable: lock });
    add({ handler: 'alu', variant: i, att: `${op}{s}`, opcode: `${hex(base + 2)} /r`, operands: 'Gb,Eb' });
    add({ handler: 'alu', variant: i, att: `${op}{s}`, opcode: `${hex(base + 3)} /r`, operands: 'Gv,Ev' });
    add({ handler: 'alu', variant: i, att: `${op}{s}`, opcode: hex(base + 4), operands: 'AL,Ib', name: `${op} AL,Ib` });
    add({ handler: 'alu', variant: i, att: `${op}{s}`, opcode: hex(base + 5), operands: 'rAX,Isz', name: `${op} rAX,Iz` });
    add({ handler: 'alu', variant: i, att: `${op}{s}`, opcode: `80 /${i}`, operands: 'Eb,Ib', lockable: lock });
    add({ handler: 'alu', variant: i, att: `${op}{s}`, opcode: `83 /${i}`, operands: 'Ev,Isb', lockable: lock });
    add({ handler: 'alu', variant: i, att: `${op}{s}`, opcode: `81 /${i}`, operands: 'Ev,Isz', lockable: lock });
  });
  // TEST (84, 85, A8, A9, F6 /0, F7 /0).
  add({ handler: 'test', att: 'test{s}', opcode: '84 /r', operands: 'Eb,Gb' });
  add({ handler: 'test', att: 'test{s}', opcode: '85 /r', operands: 'Ev,Gv' });
  add({ handler: 'test', att: 'test{s}', opcode: 'A8', operands: 'AL,Ib', name: 'test AL,Ib' });
  add({ handler: 'test', att: 'test{s}', opcode: 'A9', operands: 'rAX,Isz', name: 'test rAX,Iz' });
  add({ handler: 'test', att: 'test{s}', opcode: 'F6 /0', operands: 'Eb,Ib' });
  add({ handler: 'test', att: 'test{s}', opcode: 'F7 /0', operands: 'Ev,Isz' });
  // MOV (88–8C, 8E, A0–A3 movabs, B0–BF, C6, C7).
  add({ handler: 'mov', att: 'mov{s}', opcode: '88 /r', operands: 'Eb,Gb' });
  add({ handler: 'mov', att: 'mov{s}', opcode: '89 /r', operands: 'Ev,Gv' });
  add({ handler: 'mov', att: 'mov{s}', opcode: '8A /r', operands: 'Gb,Eb' });
  add({ handler: 'mov', att: 'mov{s}', opcode: '8B /r', operands: 'Gv,Ev' });
  add({ handler: 'mov-imm', att: 'mov{s}', opcode: 'B0 +r', operands: 'Zb,Ib' });
  add({ handler: 'mov-imm', att: 'mov{s}', opcode: 'B8 +r', operands: 'Zv,Iz', w: '0', name: 'mov Zv,Iz' });
  add({ handler: 'mov-imm', att: 'mov{s}', opcode: 'C6 /0', operands: 'Eb,Ib' });
  add({ handler: 'mov-imm', att: 'mov{s}', opcode: 'C7 /0', operands: 'Ev,Isz' });
  add({ handler: 'mov-imm', att: 'movabs{s}', intel: 'movabs', opcode: 'B8 +r', operands: 'Zv,Iq', w: '1', name: 'movabs Zq,Iq' });
  add({ handler: 'mov-moffs', variant: 0, att: 'movabs{s}', intel: 'movabs', opcode: 'A0', operands: 'AL,Ob', name: 'movabs AL,Ob', modes: '64' });
  add({ handler: 'mov-moffs', variant: 0, att: 'movabs{s}', intel: 'movabs', opcode: 'A1', operands: 'rAX,Ov', name: 'movabs rAX,Ov', modes: '64' });
  add({ handler: 'mov-moffs', variant: 1, att: 'movabs{s}', intel: 'movabs', opcode: 'A2', operands: 'Ob,AL', name: 'movabs Ob,AL', modes: '64' });
  add({ handler: 'mov-moffs', variant: 1, att: 'movabs{s}', intel: 'movabs', opcode: 'A3', operands: 'Ov,rAX', name: 'movabs Ov,rAX', modes: '64' });
  // In 32-bit code A0–A3 take a 32-bit offset and are plain MOV (llvm-mc -triple=i386: `movl 4660, %eax` = a1 34 12 00 00).
  add({ handler: 'mov-moffs', variant: 0, att: 'mov{s}', opcode: 'A0', operands: 'AL,Ob', name: 'mov AL,Ob', modes: '32' });
  add({ handler: 'mov-moffs', variant: 0, att: 'mov{s}', opcode: 'A1', operands: 'rAX,Ov', name: 'mov rAX,Ov', modes: '32' });
  add({ handler: 'mov-moffs', variant: 1, att: 'mov{s}', opcode: 'A2', operands: 'Ob,AL', name: 'mov Ob,AL', modes: '32' });
  add({ handler: 'mov-moffs', variant: 1, att: 'mov{s}', opcode: 'A3', operands: 'Ov,rAX', name: 'mov Ov,rAX', modes: '32' });
  add({ handler: 'mov-from-seg', att: 'mov{s}', opcode: '8C /r', operands: 'Ev,Sw', name: 'mov Ev,Sw' });
  add({ handler: 'mov-to-seg', att: 'mov{s}', opcode: '8E /r', operands: 'Sw,Ev', name: 'mov Sw,Ev' });
  add({ handler: 'mov-from-cr', att: 'mov{s}', opcode: '0F 20 /r', operands: 'Rq,Cq', osz: 'n' });
  add({ handler: 'mov-to-cr', att: 'mov{s}', opcode: '0F 22 /r', operands: 'Cq,Rq', osz: 'n' });
  // MOVZX, MOVSX, MOVSXD.
  add({ handler: 'movzx', att: 'movzb{s}', intel: 'movzx', opcode: '0F B6 /r', operands: 'Gv,Eb', name: 'movzx Gv,Eb' });
  add({ handler: 'movzx', att: 'movzw{s}', intel: 'movzx', opcode: '0F B7 /r', operands: 'Gy,Ew', name: 'movzx Gv,Ew' });
  add({ handler: 'movsx', att: 'movsb{s}', intel: 'movsx', opcode: '0F BE /r', operands: 'Gv,Eb', name: 'movsx Gv,Eb' });
  add({ handler: 'movsx', att: 'movsw{s}', intel: 'movsx', opcode: '0F BF /r', operands: 'Gy,Ew', name: 'movsx Gv,Ew' });
  add({ handler: 'movsx', att: 'movslq', intel: 'movsxd', opcode: '63 /r', operands: 'Gq,Ed', w: '1', name: 'movsxd Gq,Ed' });
  // LEA.
  add({ handler: 'lea', att: 'lea{s}', opcode: '8D /r', operands: 'Gv,Mm' });
  // INC/DEC/NOT/NEG/MUL/IMUL/DIV/IDIV (group 3 F6/F7, group 4/5 FE/FF).
  add({ handler: 'incdec', variant: 0, att: 'inc{s}', opcode: 'FE /0', operands: 'Eb', lockable: true });
  add({ handler: 'incdec', variant: 0, att: 'inc{s}', opcode: 'FF /0', operands: 'Ev', lockable: true });
  add({ handler: 'incdec', variant: 1, att: 'dec{s}', opcode: 'FE /1', operands: 'Eb', lockable: true });
  add({ handler: 'incdec', variant: 1, att: 'dec{s}', opcode: 'FF /1', operands: 'Ev', lockable: true });
  // INC/DEC r16/r32 (40+r, 48+r): compatibility mode only; in 64-bit mode these bytes are REX prefixes (SDM vol. 2 INC, DEC).
  add({ handler: 'incdec', variant: 0, att: 'inc{s}', opcode: '40 +r', operands: 'Zv', name: 'inc Zv', modes: '32' });
  add({ handler: 'incdec', variant: 1, att: 'dec{s}', opcode: '48 +r', operands: 'Zv', name: 'dec Zv', modes: '32' });
  add({ handler: 'not', att: 'not{s}', opcode: 'F6 /2', operands: 'Eb', lockable: true });
  add({ handler: 'not', att: 'not{s}', opcode: 'F7 /2', operands: 'Ev', lockable: true });
  add({ handler: 'neg', att: 'neg{s}', opcode: 'F6 /3', operands: 'Eb', lockable: true });
  add({ handler: 'neg', att: 'neg{s}', opcode: 'F7 /3', operands: 'Ev', lockable: true });
  add({ handler: 'mul', variant: 0, att: 'mul{s}', opcode: 'F6 /4', operands: 'Eb' });
  add({ handler: 'mul', variant: 0, att: 'mul{s}', opcode: 'F7 /4', operands: 'Ev' });
  add({ handler: 'mul', variant: 1, att: 'imul{s}', opcode: 'F6 /5', operands: 'Eb' });
  add({ handler: 'mul', variant: 1, att: 'imul{s}', opcode: 'F7 /5', operands: 'Ev' });
  add({ handler: 'div', variant: 0, att: 'div{s}', opcode: 'F6 /6', operands: 'Eb' });
  add({ handler: 'div', variant: 0, att: 'div{s}', opcode: 'F7 /6', operands: 'Ev' });
  add({ handler: 'div', variant: 1, att: 'idiv{s}', opcode: 'F6 /7', operands: 'Eb' });
  add({ handler: 'div', variant: 1, att: 'idiv{s}', opcode: 'F7 /7', operands: 'Ev' });
  add({ handler: 'imul', att: 'imul{s}', opcode: '0F AF /r', operands: 'Gv,Ev' });
  add({ handler: 'imul', att: 'imul{s}', opcode: '6B /r', operands: 'Gv,Ev,Isb' });
  add({ handler: 'imul', att: 'imul{s}', opcode: '69 /r', operands: 'Gv,Ev,Isz' });
  // Shifts and rotates (group 2: C0, C1, D0–D3).
  SHIFT_OPS.forEach((op, i) => {
    if (op === undefined) return;
    add({ handler: 'shift', variant: i, att: `${op}{s}`, opcode: `D0 /${i}`, operands: 'Eb,one', name: `${op} Eb,1` });
    add({ handler: 'shift', variant: i, att: `${op}{s}`, opcode: `D1 /${i}`, operands: 'Ev,one', name: `${op} Ev,1` });
    add({ handler: 'shift', variant: i, att: `${op}{s}`, opcode: `C0 /${i}`, operands: 'Eb,Ib' });
    add({ handler: 'shift', variant: i, att: `${op}{s}`, opcode: `C1 /${i}`, operands: 'Ev,Ib' });
    add({ handler: 'shift', variant: i, att: `${op}{s}`, opcode: `D2 /${i}`, operands: 'Eb,CL' });
    add({ handler: 'shift', variant: i, att: `${op}{s}`, opcode: `D3 /${i}`, operands: 'Ev,CL' });
  });
  // CBW/CWDE/CDQE, CWD/CDQ/CQO (98, 99): one row per operand size, as llvm-mc names them.
  add({ handler: 'cbw', variant: 2, att: 'cbtw', intel: 'cbw', opcode: 'p66 98', w: '0', name: 'cbw', overlaps: ['cwde'] });
  add({ handler: 'cbw', variant: 4, att: 'cwtl', intel: 'cwde', opcode: '98', w: '0', name: 'cwde' });
  add({ handler: 'cbw', variant: 8, att: 'cltq', intel: 'cdqe', opcode: '98', w: '1', name: 'cdqe' });
  add({ handler: 'cwd', variant: 2, att: 'cwtd', intel: 'cwd', opcode: 'p66 99', w: '0', name: 'cwd', overlaps: ['cdq'] });
  add({ handler: 'cwd', variant: 4, att: 'cltd', intel: 'cdq', opcode: '99', w: '0', name: 'cdq' });
  add({ handler: 'cwd', variant: 8, att: 'cqto', intel: 'cqo', opcode: '99', w: '1', name: 'cqo' });
  // PUSH/POP.
  add({ handler: 'push', att: 'push{s}', opcode: '50 +r', operands: 'Zs' });
  add({ handler: 'pop', att: 'pop{s}', opcode: '58 +r', operands: 'Zs' });
  add({ handler: 'push', att: 'push{s}', opcode: 'FF /6', operands: 'Es' });
  add({ handler: 'pop', att: 'pop{s}', opcode: '8F /0', operands: 'Es' });
  add({ handler: 'push-imm', att: 'push{s}', opcode: '6A', operands: 'Isb', osz: 's', name: 'push Ib' });
  add({ handler: 'push-imm', att: 'push{s}', opcode: '68', operands: 'Isz', osz: 's', name: 'push Iz' });
  add({ handler: 'push-seg', variant: 4, att: 'push{s}', opcode: '0F A0', operands: 'FS', osz: 's', name: 'push fs' });
  add({ handler: 'push-seg', variant: 5, att: 'push{s}', opcode: '0F A8', operands: 'GS', osz: 's', name: 'push gs' });
  add({ handler: 'pop-seg', variant: 4, att: 'pop{s}', opcode: '0F A1', operands: 'FS', osz: 's', name: 'pop fs' });
  add({ handler: 'pop-seg', variant: 5, att: 'pop{s}', opcode: '0F A9', operands: 'GS', osz: 's', name: 'pop gs' });
  add({ handler: 'pushf', att: 'pushf{s}', intel: 'pushfq', aliases: ['pushf', 'pushfd'], opcode: '9C', osz: 's', name: 'pushfq' });
  add({ handler: 'popf', att: 'popf{s}', intel: 'popfq', aliases: ['popf', 'popfd'], opcode: '9D', osz: 's', name: 'popfq' });
  // CALL/RET/JMP/Jcc.
  add({ handler: 'call', att: 'call{s}', intel: 'call', opcode: 'E8', operands: 'Jz', osz: 's', name: 'call Jz' });
  add({ handler: 'call-indirect', att: 'call{s}', intel: 'call', opcode: 'FF /2', operands: 'Es', name: 'call Es' });
  add({ handler: 'jmp', att: 'jmp', opcode: 'EB', operands: 'Jb', osz: 'n', name: 'jmp Jb' });
  add({ handler: 'jmp', att: 'jmp', opcode: 'E9', operands: 'Jz', osz: 's', name: 'jmp Jz' });
  add({ handler: 'jmp-indirect', att: 'jmp{s}', intel: 'jmp', opcode: 'FF /4', operands: 'Es', name: 'jmp Es' });
  add({ handler: 'ret', att: 'ret{s}', intel: 'ret', opcode: 'C3', osz: 's', name: 'ret' });
  add({ handler: 'ret', att: 'ret{s}', intel: 'ret', opcode: 'C2', operands: 'Iw', osz: 's', name: 'ret Iw' });
  CONDITIONS.forEach((cc, i) => {
    const aliases = CONDITION_ALIASES[i]!;
    add({ handler: 'jcc', variant: i, att: `j${cc}`, aliases: aliases.map((a) => `j${a}`), opcode: hex(0x70 + i), operands: 'Jb', osz: 'n', condition: true });
    add({ handler: 'jcc', variant: i, att: `j${cc}`, aliases: aliases.map((a) => `j${a}`), opcode: `0F ${hex(0x80 + i)}`, operands: 'Jz', osz: 's', condition: true });
    add({ handler: 'setcc', variant: i, att: `set${cc}`, aliases: aliases.map((a) => `set${a}`), opcode: `0F ${hex(0x90 + i)} /r`, operands: 'Eb', condition: true });
    add({ handler: 'cmovcc', variant: i, att: `cmov${cc}{s}`, intel: `cmov${cc}`, aliases: aliases.map((a) => `cmov${a}`), opcode: `0F ${hex(0x40 + i)} /r`, operands: 'Gv,Ev', condition: true });
  });
  // XCHG, CMPXCHG, XADD, BSWAP.
  // XCHG: llvm-mc prints the register-register forms with ModRM.reg first (Intel order), the memory forms with memory first.
  add({ handler: 'xchg', att: 'xchg{s}', opcode: '90 +r', operands: 'rAX,Zv', name: 'xchg rAX,Zv' });
  add({ handler: 'xchg', att: 'xchg{s}', opcode: '86 /r:mem', operands: 'Eb,Gb', lockable: true });
  add({ handler: 'xchg', att: 'xchg{s}', opcode: '87 /r:mem', operands: 'Ev,Gv', lockable: true });
  add({ handler: 'xchg', att: 'xchg{s}', opcode: '86 /r', operands: 'Gb,Rb' });
  add({ handler: 'xchg', att: 'xchg{s}', opcode: '87 /r', operands: 'Gv,Rv' });
  add({ handler: 'cmpxchg', att: 'cmpxchg{s}', opcode: '0F B0 /r', operands: 'Eb,Gb', lockable: true });
  add({ handler: 'cmpxchg', att: 'cmpxchg{s}', opcode: '0F B1 /r', operands: 'Ev,Gv', lockable: true });
  add({ handler: 'xadd', att: 'xadd{s}', opcode: '0F C0 /r', operands: 'Eb,Gb', lockable: true });
  add({ handler: 'xadd', att: 'xadd{s}', opcode: '0F C1 /r', operands: 'Ev,Gv', lockable: true });
  add({ handler: 'bswap', att: 'bswap{s}', opcode: '0F C8 +r', operands: 'Zy' });
  // BT/BTS/BTR/BTC (0F A3/AB/B3/BB, group 8 0F BA), BSF/BSR.
  ['bt', 'bts', 'btr', 'btc'].forEach((op, i) => {
    add({ handler: 'bt', variant: i, att: `${op}{s}`, opcode: `0F ${hex(0xa3 + 8 * i)} /r`, operands: 'Ev,Gv', lockable: i !== 0 });
    add({ handler: 'bt', variant: i, att: `${op}{s}`, opcode: `0F BA /${4 + i}`, operands: 'Ev,Ib', lockable: i !== 0 });
  });
  add({ handler: 'bsf', variant: 0, att: 'bsf{s}', opcode: '0F BC /r', operands: 'Gv,Ev' });
  add({ handler: 'bsf', variant: 1, att: 'bsr{s}', opcode: '0F BD /r', operands: 'Gv,Ev' });
  // Flag instructions.
  add({ handler: 'flag', variant: 0, att: 'clc', opcode: 'F8' });
  add({ handler: 'flag', variant: 1, att: 'stc', opcode: 'F9' });
  add({ handler: 'flag', variant: 2, att: 'cmc', opcode: 'F5' });
  add({ handler: 'flag', variant: 3, att: 'cld', opcode: 'FC' });
  add({ handler: 'flag', variant: 4, att: 'std', opcode: 'FD' });
  add({ handler: 'cli', variant: 0, att: 'cli', opcode: 'FA' });
  add({ handler: 'cli', variant: 1, att: 'sti', opcode: 'FB' });
  // NOP forms (90 is XCHG eAX, eAX and taken by the +r row below it; F3 90 is PAUSE; 0F 1F /0 the long NOP).
  add({ handler: 'nop', att: 'nop', opcode: '90', osz: 'n', name: 'nop', overlaps: ['xchg rAX,Zv'] });
  add({ handler: 'nop', att: 'pause', opcode: 'pF3 90', osz: 'n', name: 'pause', overlaps: ['xchg rAX,Zv', 'nop'] });
  add({ handler: 'nop', att: 'nop{s}', intel: 'nop', opcode: '0F 1F /0', operands: 'Ev', name: 'nop Ev' });
  // System instructions.
  add({ handler: 'hlt', att: 'hlt', opcode: 'F4' });
  add({ handler: 'cpuid', att: 'cpuid', opcode: '0F A2' });
  add({ handler: 'rdmsr', att: 'rdmsr', opcode: '0F 32' });
  add({ handler: 'wrmsr', att: 'wrmsr', opcode: '0F 30' });
  add({ handler: 'rdtsc', att: 'rdtsc', opcode: '0F 31' });
  add({ handler: 'lgdt', variant: 0, att: 'lgdtq', intel: 'lgdt', aliases: ['lgdt'], opcode: '0F 01 /2', operands: 'Mm', osz: 'n' });
  add({ handler: 'lgdt', variant: 1, att: 'lidtq', intel: 'lidt', aliases: ['lidt'], opcode: '0F 01 /3', operands: 'Mm', osz: 'n' });
  add({ handler: 'ltr', att: 'ltr{s}', intel: 'ltr', opcode: '0F 00 /3', operands: 'Ew', osz: 'n' });
  add({ handler: 'vmcall', att: 'vmcall', opcode: '0F 01 =C1' });
  add({ handler: 'vmmcall', att: 'vmmcall', opcode: '0F 01 =D9' });
  // SWAPGS is #UD outside 64-bit mode (SDM vol. 2 SWAPGS: "#UD If Mode ≠ 64-Bit").
  add({ handler: 'swapgs', att: 'swapgs', opcode: '0F 01 =F8', modes: '64' });
  // INVLPG m: 0F 01 /7 with a memory operand (mod = 3 is SWAPGS, RDTSCP); llvm-mc: `invlpg (%rax)` = 0f 01 38, Intel `invlpg byte ptr [rax]`.
  add({ handler: 'invlpg', att: 'invlpg', opcode: '0F 01 /7', operands: 'Mb', osz: 'n' });
  add({ handler: 'ud2', att: 'ud2', opcode: '0F 0B' });
  add({ handler: 'int3', att: 'int3', opcode: 'CC' });
  add({ handler: 'int', att: 'int', opcode: 'CD', operands: 'Ib', osz: 'n' });
  add({ handler: 'iret', variant: 8, att: 'iretq', opcode: 'CF', w: '1', name: 'iretq' });
  add({ handler: 'iret', variant: 4, att: 'iretl', intel: 'iretd', opcode: 'CF', w: '0', name: 'iretd' });
  add({ handler: 'syscall', att: 'syscall', opcode: '0F 05' });
  add({ handler: 'sysret', variant: 8, att: 'sysretq', opcode: '0F 07', w: '1', name: 'sysretq' });
  add({ handler: 'sysret', variant: 4, att: 'sysretl', intel: 'sysret', opcode: '0F 07', w: '0', name: 'sysretl' });
  return out;
}

/** A decoded instruction: the row, its length, and the fields the prefixes, ModRM, SIB, displacement and immediates gave. */
export interface X86Insn {
  /** The row. */
  readonly row: X86Row;
  /** Length in bytes (prefixes included). */
  readonly length: number;
  /** Operand size in bytes (1, 2, 4 or 8) as the row's rule and the prefixes give it. */
  readonly opsize: number;
  /** Address size in bytes (8, or 4 with a 67 prefix). */
  readonly adsize: number;
  /** The REX byte, or 0. */
  readonly rex: number;
  /** The segment-override prefix as a segment number, or −1. */
  readonly segment: number;
  /** Whether a LOCK prefix was given. */
  readonly lock: boolean;
  /** The last of F2/F3 given, or 0. */
  readonly rep: number;
  /** Whether a 66 prefix was given. */
  readonly operandPrefix: boolean;
  /** ModRM.mod, or −1 without ModRM. */
  readonly mod: number;
  /** ModRM.reg with REX.R. */
  readonly reg: number;
  /** ModRM.rm with REX.B (the register when mod = 3), or the `+r` register with REX.B. */
  readonly rm: number;
  /** Memory base register, −1 for none, {@link RIP_BASE} for RIP-relative. */
  readonly base: number;
  /** Memory index register, or −1. */
  readonly index: number;
  /** Index scale as a shift (0–3). */
  readonly scale: number;
  /** Displacement, signed (for moffs, the 64-bit offset as a bigint in {@link X86Insn.imm}). */
  readonly disp: number;
  /** The (first) immediate, sign- or zero-extended as the row says, as a 64-bit two's-complement bigint; the moffs offset; the branch displacement. */
  readonly imm: bigint;
  /** The immediate's width in bytes (0 for none). */
  readonly immBytes: number;
  /** The code size it was decoded for ({@link CodeSize}): 8 in 64-bit mode, 4 in compatibility mode with CS.D = 1. */
  readonly codeSize: CodeSize;
}

/**
 * The default operand and address size of the code being decoded, in bytes
 * (SDM vol. 3 §5.2.1, vol. 2 table 2-4 and §2.2.1): 8 in 64-bit mode
 * (EFER.LMA = 1, CS.L = 1), 4 in compatibility mode with CS.D = 1 (the
 * legacy 32-bit encoding: no REX, 40–4F are INC/DEC, no RIP-relative
 * addressing, 32-bit addresses). Compatibility mode with CS.D = 0 (16-bit
 * code) is not decoded (see {@link decodeX86}).
 */
export type CodeSize = 8 | 4;

/** {@link X86Insn.base} of a RIP-relative operand. */
export const RIP_BASE = 16;

/** Why decoding failed: a byte that could not be fetched (a fault at `offset`), an undefined encoding (#UD), or a form hyplay does not model. */
export type X86DecodeFailure = X86FetchFailure | X86UndefinedFailure | X86UnmodelledFailure;

/**
 * The bytes are an instruction of the current mode that hyplay does not
 * model (a compatibility-mode form such as ARPL or PUSHA, or the 67
 * prefix's 16-bit addressing): the run must stop there rather than run
 * something else.
 */
export interface X86UnmodelledFailure {
  /** Discriminant. */
  readonly kind: 'unmodelled';
  /** Bytes consumed before the decoder gave up. */
  readonly length: number;
  /** The instruction (or prefix) that is not modelled, in a few words. */
  readonly what: string;
}

/**
 * Opcodes that are #UD in 64-bit mode but instructions in compatibility
 * mode (SDM vol. 2 appendix A, table A-2, the "i64" entries, the 82
 * alias of group 1, and SYSENTER/SYSEXIT, which the table does not have),
 * by first byte (0x100 + second byte after 0F): decoded there as a named stop, never as
 * something else (an opcode no row claims is #UD in both modes, as before).
 */
const COMPAT_UNMODELLED: ReadonlyMap<number, string> = new Map([
  [0x06, 'push %es'],
  [0x07, 'pop %es'],
  [0x0e, 'push %cs'],
  [0x16, 'push %ss'],
  [0x17, 'pop %ss'],
  [0x1e, 'push %ds'],
  [0x1f, 'pop %ds'],
  [0x27, 'daa'],
  [0x2f, 'das'],
  [0x37, 'aaa'],
  [0x3f, 'aas'],
  [0x60, 'pusha'],
  [0x61, 'popa'],
  [0x62, 'bound'],
  [0x63, 'arpl'],
  [0x82, 'group-1 alias 82 (add/or/… r/m8, imm8)'],
  [0x9a, 'lcall ptr16:32'],
  [0xc4, 'les'],
  [0xc5, 'lds'],
  [0xce, 'into'],
  [0xd4, 'aam'],
  [0xd5, 'aad'],
  [0xd6, 'salc'],
  [0xea, 'ljmp ptr16:32'],
  [0x134, 'sysenter'],
  [0x135, 'sysexit'],
]);

/** A byte of the instruction could not be fetched. */
export interface X86FetchFailure {
  /** Discriminant. */
  readonly kind: 'fetch-fault';
  /** Offset of the byte from the instruction's start. */
  readonly offset: number;
}

/** The bytes are no instruction (#UD). */
export interface X86UndefinedFailure {
  /** Discriminant. */
  readonly kind: 'undefined';
  /** Bytes consumed before the decoder gave up. */
  readonly length: number;
  /** Why, in a few words. */
  readonly reason: string;
}

/** Reads the byte at an offset from the instruction's start, or `undefined` when it cannot be fetched. */
export type ByteSource = (offset: number) => number | undefined;

/** The longest instruction (SDM vol. 2 §2.3.11): a longer one is #GP(0), modelled as #UD here (see {@link decodeX86}). */
export const MAX_INSTRUCTION_BYTES = 15;

/** The table, indexed for decoding. */
export interface X86Table {
  /** Every row, in preference order. */
  readonly rows: readonly X86Row[];
  /** Rows by opcode key (first byte, or 0x100 + second byte after 0F). */
  readonly byOpcode: readonly (readonly X86Row[] | undefined)[];
  /** Rows by mnemonic (AT&T stems, Intel mnemonics and aliases). */
  readonly byMnemonic: ReadonlyMap<string, readonly X86Row[]>;
}

/** Whether two rows could take the same bytes: same opcode and mandatory prefix, compatible ModRM constraints and REX.W. */
function rowsOverlap(a: X86Row, b: X86Row): boolean {
  if (a.modes !== 'any' && b.modes !== 'any' && a.modes !== b.modes) return false;
  if ((a.prefix !== 0 && b.prefix !== 0 && a.prefix !== b.prefix) || a.modrm !== b.modrm) return false;
  if (a.w !== 'any' && b.w !== 'any' && a.w !== b.w) return false;
  if (a.modrm) {
    if (a.digit >= 0 && b.digit >= 0 && a.digit !== b.digit) return false;
    if (a.mod !== 'any' && b.mod !== 'any' && a.mod !== b.mod) return false;
    if (a.fixedModrm >= 0 && b.fixedModrm >= 0 && a.fixedModrm !== b.fixedModrm) return false;
    const fixedDigit = (r: X86Row): number => (r.fixedModrm >= 0 ? (r.fixedModrm >> 3) & 7 : r.digit);
    if (fixedDigit(a) >= 0 && fixedDigit(b) >= 0 && fixedDigit(a) !== fixedDigit(b)) return false;
    if ((a.fixedModrm >= 0 && b.mod === 'mem') || (b.fixedModrm >= 0 && a.mod === 'mem')) return false;
  }
  return true;
}

function opcodeKeys(r: X86Row): number[] {
  const last = r.opcode[r.opcode.length - 1]!;
  const base = r.opcode.length === 2 ? 0x100 : 0;
  if (r.opcode.length === 2 && r.opcode[0] !== 0x0f) throw new Error(`x86_64 table: '${r.name}' has a two-byte opcode not starting 0F`);
  return r.opreg ? Array.from({ length: 8 }, (_, i) => base + last + i) : [base + last];
}

/**
 * Index the rows and check them: names are unique, and any two rows that
 * could take the same bytes declare it (the preferred row lists the other
 * in `overlaps`, and precedes it in its opcode's candidate list); a stale
 * declaration is an error too. Throws naming the row.
 */
export function buildX86Table(all: readonly X86Row[]): X86Table {
  const names = new Set<string>();
  for (const r of all) {
    if (names.has(r.name)) throw new Error(`x86_64 table: duplicate row name '${r.name}'`);
    names.add(r.name);
  }
  const byOpcode: X86Row[][] = [];
  for (const r of all) for (const key of opcodeKeys(r)) (byOpcode[key] ??= []).push(r);
  const declared = new Set<string>();
  for (const list of byOpcode) {
    if (list === undefined) continue;
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]!;
        const b = list[j]!;
        if (!rowsOverlap(a, b)) continue;
        if (b.overlaps.includes(a.name)) declared.add(`${b.name}>${a.name}`);
        else if (a.overlaps.includes(b.name)) declared.add(`${a.name}>${b.name}`);
        else throw new Error(`x86_64 table: rows '${a.name}' and '${b.name}' take the same bytes; declare it in 'overlaps' of the row that wins`);
      }
    }
  }
  for (const r of all) for (const other of r.overlaps) if (!declared.has(`${r.name}>${other}`)) throw new Error(`x86_64 table: '${r.name}' declares an overlap with '${other}' that does not exist`);
  // The winner of a declared overlap is tried first.
  for (const list of byOpcode) list?.sort((a, b) => (a.overlaps.includes(b.name) ? -1 : b.overlaps.includes(a.name) ? 1 : 0));
  const byMnemonic = new Map<string, X86Row[]>();
  const index = (name: string, r: X86Row): void => {
    const list = byMnemonic.get(name) ?? [];
    if (!list.includes(r)) list.push(r);
    byMnemonic.set(name, list);
  };
  for (const r of all) {
    index(r.att.replace('{s}', ''), r);
    index(r.intel, r);
    for (const alias of r.aliases) index(alias, r);
  }
  return { rows: all, byOpcode, byMnemonic };
}

/** The x86-64 table. */
export const X86_TABLE: X86Table = buildX86Table(rows());

/** The size in bytes of a size code at operand size `opsize`. */
export function sizeOf(code: SizeCode, opsize: number): number {
  switch (code) {
    case 'b':
      return 1;
    case 'w':
      return 2;
    case 'd':
      return 4;
    case 'q':
      return 8;
    case 'v':
    case 's':
      return opsize;
    case 'z':
      return opsize === 2 ? 2 : 4;
    case 'y':
      return opsize === 8 ? 8 : 4;
    case 'm':
      return 0;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

const SEGMENT_PREFIXES: Readonly<Record<number, number>> = { 0x26: 0, 0x2e: 1, 0x36: 2, 0x3e: 3, 0x64: 4, 0x65: 5 };

/** The operand size a row has under these prefixes (SDM vol. 2 table 2-4) in code of `codeSize` (compatibility mode: the stack and near branches are 32-bit too). */
export function operandSize(r: X86Row, rexW: boolean, prefix66: boolean, codeSize: CodeSize = 8): number {
  switch (r.osz) {
    case 'v':
      return rexW ? 8 : prefix66 ? 2 : 4;
    case 's':
      return prefix66 ? 2 : codeSize;
    case 'n':
      return r.operands.some((o) => o.size === 'q') ? 8 : r.operands.some((o) => o.size === 'b') ? 1 : 8;
    default: {
      const unreachable: never = r.osz;
      return unreachable;
    }
  }
}

/** Whether a row accepts this ModRM byte. */
function acceptsModrm(r: X86Row, modrm: number): boolean {
  if (r.fixedModrm >= 0) return modrm === r.fixedModrm;
  if (r.digit >= 0 && ((modrm >> 3) & 7) !== r.digit) return false;
  const mod = modrm >> 6;
  if (r.mod === 'mem' && mod === 3) return false;
  if (r.mod === 'reg' && mod !== 3) return false;
  return true;
}

/**
 * Decode one instruction from `fetch` (SDM vol. 2 chapter 2): in 64-bit
 * mode (`codeSize` 8, the default) or in compatibility mode with CS.D = 1
 * (`codeSize` 4: 40–4F are INC/DEC, not REX; the default address size is
 * 32 and ModRM mod 00 r/m 101 is an absolute disp32, not RIP-relative; near
 * branches and the stack are 32-bit). In compatibility mode the 67 prefix
 * (16-bit addressing) and the opcodes only that mode has
 * (PUSHA, ARPL, LES, far CALL/JMP, BCD, …) are {@link X86UnmodelledFailure}s. Never throws.
 */
export function decodeX86(fetch: ByteSource, table: X86Table = X86_TABLE, codeSize: CodeSize = 8): X86Insn | X86DecodeFailure {
  const compat = codeSize === 4;
  let p = 0;
  let operandPrefix = false;
  let addressPrefix = false;
  let lock = false;
  let rep = 0;
  let segment = -1;
  let mandatory = 0;
  let rex = 0;
  let byte: number | undefined;
  for (;;) {
    if (p >= MAX_INSTRUCTION_BYTES) return { kind: 'undefined', length: p, reason: 'longer than 15 bytes' };
    byte = fetch(p);
    if (byte === undefined) return { kind: 'fetch-fault', offset: p };
    if (byte === 0x66) {
      operandPrefix = true;
      if (mandatory === 0) mandatory = 0x66;
    } else if (byte === 0x67) addressPrefix = true;
    else if (byte === 0xf0) lock = true;
    else if (byte === 0xf2 || byte === 0xf3) {
      rep = byte;
      mandatory = byte;
    } else if (SEGMENT_PREFIXES[byte] !== undefined) segment = SEGMENT_PREFIXES[byte]!;
    else if (byte >= 0x40 && byte <= 0x4f && !compat) {
      // REX counts only immediately before the opcode (SDM vol. 2 §2.2.1): a prefix after it cancels it.
      const next = fetch(p + 1);
      if (next === undefined) return { kind: 'fetch-fault', offset: p + 1 };
      rex = byte;
      p++;
      byte = next;
      if (next === 0x66 || next === 0x67 || next === 0xf0 || next === 0xf2 || next === 0xf3 || SEGMENT_PREFIXES[next] !== undefined || (next >= 0x40 && next <= 0x4f)) {
        rex = 0;
        continue;
      }
      break;
    } else break;
    p++;
  }
  let key = byte;
  p++;
  if (byte === 0x0f) {
    if (p >= MAX_INSTRUCTION_BYTES) return { kind: 'undefined', length: p, reason: 'longer than 15 bytes' };
    const second = fetch(p);
    if (second === undefined) return { kind: 'fetch-fault', offset: p };
    key = 0x100 + second;
    p++;
  }
  if (compat) {
    const unmodelled = COMPAT_UNMODELLED.get(key);
    if (unmodelled !== undefined) return { kind: 'unmodelled', length: p, what: unmodelled };
    if (addressPrefix) return { kind: 'unmodelled', length: p, what: '67 prefix (16-bit addressing)' };
  }
  const candidates = table.byOpcode[key];
  if (candidates === undefined) return { kind: 'undefined', length: p, reason: 'unknown opcode' };
  const rexW = (rex & 8) !== 0;
  let modrm = -1;
  if (candidates.some((r) => r.modrm)) {
    if (p >= MAX_INSTRUCTION_BYTES) return { kind: 'undefined', length: p, reason: 'longer than 15 bytes' };
    const m = fetch(p);
    if (m === undefined) return { kind: 'fetch-fault', offset: p };
    modrm = m;
  }
  let chosen: X86Row | undefined;
  for (const r of candidates) {
    if (r.prefix !== 0 && r.prefix !== mandatory) continue;
    if (r.modes !== 'any' && (r.modes === '32') !== compat) continue;
    if (r.w === '1' && !rexW) continue;
    if (r.w === '0' && rexW) continue;
    if (r.modrm && !acceptsModrm(r, modrm)) continue;
    // 90 is NOP only without REX.B (41 90 is XCHG R8D, EAX; SDM vol. 2 NOP and XCHG).
    if (key === 0x90 && !r.opreg && (rex & 1) !== 0) continue;
    chosen = r;
    break;
  }
  if (chosen === undefined) return { kind: 'undefined', length: p, reason: 'unknown encoding' };
  const r = chosen;
  if (r.prefix === 0x66) operandPrefix = false;
  if (r.prefix === 0xf3 || r.prefix === 0xf2) rep = 0;
  const opsize = operandSize(r, rexW, operandPrefix, codeSize);
  let mod = -1;
  let reg = 0;
  let rm = 0;
  let base = -1;
  let index = -1;
  let scale = 0;
  let disp = 0;
  const need = (count: number): X86DecodeFailure | undefined => {
    if (p + count > MAX_INSTRUCTION_BYTES) return { kind: 'undefined', length: MAX_INSTRUCTION_BYTES, reason: 'longer than 15 bytes' };
    for (let i = 0; i < count; i++) if (fetch(p + i) === undefined) return { kind: 'fetch-fault', offset: p + i };
    return undefined;
  };
  const read = (count: number): number => {
    let value = 0;
    for (let i = count - 1; i >= 0; i--) value = value * 256 + fetch(p + i)!;
    p += count;
    return value;
  };
  if (r.opreg) rm = (key & 7) | ((rex & 1) << 3);
  if (r.modrm) {
    p++;
    mod = modrm >> 6;
    reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
    rm = (modrm & 7) | ((rex & 1) << 3);
    if (mod !== 3) {
      if ((modrm & 7) === 4) {
        const fail = need(1);
        if (fail !== undefined) return fail;
        const sib = read(1);
        scale = sib >> 6;
        const idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
        index = idx === 4 ? -1 : idx;
        const b = (sib & 7) | ((rex & 1) << 3);
        base = (sib & 7) === 5 && mod === 0 ? -1 : b;
        if ((sib & 7) === 5 && mod === 0) {
          const f = need(4);
          if (f !== undefined) return f;
          disp = read(4) | 0;
        }
      } else if ((modrm & 7) === 5 && mod === 0) {
        // RIP-relative in 64-bit mode; an absolute disp32 in 32-bit code (SDM vol. 2 §2.2.1.6, table 2-2).
        base = compat ? -1 : RIP_BASE;
        const f = need(4);
        if (f !== undefined) return f;
        disp = read(4) | 0;
      } else base = rm;
      if (mod === 1) {
        const f = need(1);
        if (f !== undefined) return f;
        disp = (read(1) << 24) >> 24;
      } else if (mod === 2) {
        const f = need(4);
        if (f !== undefined) return f;
        disp = read(4) | 0;
      }
    }
  }
  let imm = 0n;
  let immBytes = 0;
  for (const o of r.operands) {
    let bytes = 0;
    let signed = false;
    if (o.kind === 'I' || o.kind === 'Is') {
      bytes = sizeOf(o.size, opsize);
      signed = o.kind === 'Is';
    } else if (o.kind === 'J') {
      // In 32-bit code a 66 prefix makes a near branch's displacement 16 bits (rel16; SDM vol. 2 JMP, CALL, Jcc).
      bytes = o.size === 'b' ? 1 : compat && opsize === 2 ? 2 : 4;
      signed = true;
    } else if (o.kind === 'O') bytes = addressPrefix || compat ? 4 : 8;
    else continue;
    const f = need(bytes);
    if (f !== undefined) return f;
    let value = 0n;
    for (let i = bytes - 1; i >= 0; i--) value = (value << 8n) | BigInt(fetch(p + i)!);
    p += bytes;
    if (signed) value = BigInt.asIntN(8 * bytes, value);
    imm = BigInt.asUintN(64, value);
    immBytes = bytes;
  }
  if (lock && !(r.lockable && mod !== 3 && mod !== -1)) return { kind: 'undefined', length: p, reason: 'LOCK prefix not allowed here' };
  // ModRM.reg 6 and 7 name no segment register (SDM vol. 2 MOV: #UD).
  if (r.operands.some((o) => o.kind === 'S') && (reg & 7) > 5) return { kind: 'undefined', length: p, reason: 'no such segment register' };
  return { row: r, length: p, opsize, adsize: addressPrefix || compat ? 4 : 8, rex, segment, lock, rep, operandPrefix, mod, reg, rm, base, index, scale, disp, imm, immBytes, codeSize };
}

/** Decode from a byte array (for the disassembler), as code of `codeSize`: bytes past the end cannot be fetched. */
export function decodeBytes(bytes: Uint8Array, offset = 0, codeSize: CodeSize = 8): X86Insn | X86DecodeFailure {
  return decodeX86((i) => (offset + i < bytes.length ? bytes[offset + i] : undefined), X86_TABLE, codeSize);
}

/** Whether a decode result is an instruction. */
export function isInsn(result: X86Insn | X86DecodeFailure): result is X86Insn {
  return (result as X86Insn).row !== undefined;
}
