/**
 * 32-bit code (compatibility mode, CS.D = 1) against Unicorn 2 in
 * UC_MODE_32 (`code32-unicorn.py`): seeded random straight-line integer
 * sequences assembled as 32-bit code, with the encodings only 32-bit code
 * has (INC/DEC r32 at 40–4F, AH–BH beside 32-bit registers, PUSH/POP
 * through ESP, absolute disp32 loads and stores, 32-bit LEA wrapping at
 * 4 GiB), run from the same random registers in hyplay (CPL 0 in
 * __KERNEL32_CS under the long-mode reset state, both engines) and in
 * Unicorn's 32-bit protected mode, and compared on EAX–EDI, the data bytes,
 * and the RFLAGS status bits the last flag writer defines. Skips with the
 * reason when /usr/bin/python3 has no unicorn module.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createX86Machine } from '../../../arch/x86_64/core.ts';
import { X86_CODE32_INSTRUCTION_SETS } from '../../../arch/x86_64/operands.ts';
import { codeAttr, dataAttr, Flag, GPR16_NAMES, GPR32_NAMES, GPR8_LEGACY_NAMES } from '../../../arch/x86_64/registers.ts';
import type { EngineName } from '../../../src/interp/backend.ts';
import { assemble } from '../../../src/isa/assembler.ts';

const PYTHON = '/usr/bin/python3';
const DRIVER = fileURLToPath(new URL('./code32-unicorn.py', import.meta.url));
const CODE = 0x10_0000;
const STACK_TOP = 0x20_0000;
const DATA = 0x30_0000;

function unicornMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`;
  const probe = spawnSync(PYTHON, ['-c', 'import unicorn'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `${PYTHON} has no unicorn module (apt-get install python3-unicorn)`;
}

/** xorshift32. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

const STATUS = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.OF;
const LOGIC = STATUS & ~Flag.AF;
const SIZES = [1, 2, 4];
const SUFFIX: Readonly<Record<number, string>> = { 1: 'b', 2: 'w', 4: 'l' };
/** Registers a case names: not ESP (the stack), which PUSH/POP use. */
const USABLE = [0, 1, 2, 3, 5, 6, 7];

type Pick = (n: number) => number;
type Reg = (size: number) => string;

/** One template: its text, and the status flags it leaves defined (−1: it writes none). */
interface Template {
  readonly text: (p: Pick, r: Reg) => string;
  readonly defined: number;
  readonly reads?: boolean;
}

const sized = (op: string, operands: (s: number, p: Pick, r: Reg) => string, defined: number, sizes = SIZES): Template => ({
  text: (p, r) => {
    const s = sizes[p(sizes.length)]!;
    return `${op}${SUFFIX[s]} ${operands(s, p, r)}`;
  },
  defined,
});

const TEMPLATES: readonly Template[] = [
  ...['add', 'adc', 'sub', 'sbb', 'cmp'].map((op) => sized(op, (s, _p, r) => `${r(s)}, ${r(s)}`, STATUS)),
  ...['and', 'or', 'xor', 'test'].map((op) => sized(op, (s, _p, r) => `${r(s)}, ${r(s)}`, LOGIC)),
  ...['add', 'sub', 'and', 'xor', 'cmp'].map((op) => sized(op, (s, p, r) => `$${[1, -1, 127, -128, 0x1234, -0x8000_0000][p(s === 1 ? 4 : s === 2 ? 5 : 6)]}, ${r(s)}`, op === 'and' || op === 'xor' ? LOGIC : STATUS)),
  // INC/DEC r16/r32: the one-byte 40+r / 48+r forms.
  ...['inc', 'dec'].map((op) => sized(op, (s, _p, r) => r(s), STATUS & ~Flag.CF)),
  sized('neg', (s, _p, r) => r(s), STATUS),
  sized('not', (s, _p, r) => r(s), -1),
  ...['shl', 'shr', 'sar'].map((op) => sized(op, (s, _p, r) => `$1, ${r(s)}`, LOGIC)),
  ...['rol', 'ror'].map((op) => sized(op, (s, _p, r) => `$1, ${r(s)}`, Flag.CF | Flag.OF)),
  sized('imul', (s, _p, r) => `${r(s)}, ${r(s)}`, Flag.CF | Flag.OF, [2, 4]),
  sized('mov', (s, _p, r) => `${r(s)}, ${r(s)}`, -1),
  { text: (_p, r) => `movzbl ${r(1)}, ${r(4)}`, defined: -1 },
  { text: (_p, r) => `movswl ${r(2)}, ${r(4)}`, defined: -1 },
  { text: (p, r) => `leal ${[-8, 16, 0x1234, -0x7000_0000][p(4)]}(${r(4)},${r(4)},${[1, 2, 4, 8][p(4)]}), ${r(4)}`, defined: -1 },
  { text: (_p, r) => `bswapl ${r(4)}`, defined: -1 },
  { text: (p, r) => `cmov${['e', 'ne', 'l', 'ge', 'b', 'a', 's', 'o'][p(8)]}l ${r(4)}, ${r(4)}`, defined: -1, reads: true },
  { text: (p, r) => `set${['e', 'ne', 'l', 'g', 'b', 'be', 'p', 'o'][p(8)]} ${r(1)}`, defined: -1, reads: true },
  { text: (_p, r) => `xchgl ${r(4)}, ${r(4)}`, defined: -1 },
  { text: () => 'cltd', defined: -1 },
  { text: () => 'cwtl', defined: -1 },
  // The stack (ESP, 4-byte slots, or 2 with 66) and absolute disp32 memory.
  { text: (p, r) => (p(2) === 0 ? `pushl ${r(4)}\npopl ${r(4)}` : `pushw ${r(2)}\npopw ${r(2)}`), defined: -1 },
  { text: (p, r) => `pushl $${[5, -2, 0x12345678][p(3)]}\npopl ${r(4)}`, defined: -1 },
  { text: (p, r) => `movl ${r(4)}, ${DATA + 4 * p(4)}`, defined: -1 },
  { text: (p, r) => `movl ${DATA + 4 * p(4)}, ${r(4)}`, defined: -1 },
  { text: (p, r) => `addl ${r(4)}, ${DATA + 4 * p(4)}`, defined: STATUS },
  { text: (p, r) => `movb ${r(1)}, ${DATA + p(16)}`, defined: -1 },
  { text: () => 'stc', defined: Flag.CF },
  { text: () => 'cmc', defined: Flag.CF },
];

/** One case. */
interface Case {
  readonly lines: readonly string[];
  readonly code: string;
  readonly registers: Record<string, string>;
  readonly flagMask: number;
  readonly steps: number;
}

function generate(seed: number, index: number, length = 8): Case {
  const next = random(seed * 7919 + index * 104_729 + 1);
  const pick = (n: number): number => next() % n;
  const reg = (size: number): string => {
    if (size === 1) return `%${GPR8_LEGACY_NAMES[pick(8)]}`;
    const n = USABLE[pick(USABLE.length)]!;
    return `%${size === 4 ? GPR32_NAMES[n] : GPR16_NAMES[n]}`;
  };
  const lines: string[] = [];
  let flagMask = STATUS;
  for (let i = 0; i < length; i++) {
    let t = TEMPLATES[pick(TEMPLATES.length)]!;
    // A condition read while some status flag is undefined compares nothing the SDM defines (as in the 64-bit differential).
    if (t.reads === true && flagMask !== STATUS) t = TEMPLATES.find((x) => x.text(() => 0, () => '') === 'stc')!;
    lines.push(t.text(pick, reg));
    if (t.defined >= 0) flagMask = t.defined;
  }
  const program = assemble(X86_CODE32_INSTRUCTION_SETS.att, lines.join('\n'), CODE);
  const code = [...program.bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  const registers: Record<string, string> = {};
  for (const n of USABLE) registers[GPR32_NAMES[n]!] = `0x${(pick(4) === 0 ? pick(3) : next()).toString(16)}`;
  registers.esp = `0x${STACK_TOP.toString(16)}`;
  registers.eflags = `0x${(2 | (next() & STATUS)).toString(16)}`;
  return { lines, code, registers, flagMask, steps: lines.join('\n').split('\n').length };
}

interface Result {
  readonly registers: Record<string, bigint>;
  readonly data: string;
}

function runInHyplay(c: Case, engine: EngineName): Result {
  const machine = createX86Machine({ engine });
  const bytes = Uint8Array.from(c.code.match(/../g)!.map((b) => parseInt(b, 16)));
  machine.memory.load(CODE, bytes);
  machine.memory.map(CODE + bytes.length, 0x1000);
  machine.memory.write8(CODE + bytes.length, 0xf4);
  machine.memory.map(STACK_TOP - 0x1_0000, 0x2_0000);
  machine.memory.map(DATA, 0x1000);
  // CPL 0 in __KERNEL32_CS (CS.L = 0, CS.D = 1) with a flat 32-bit stack: compatibility mode; HLT ends the run.
  machine.setRegister('cs', 0x08n);
  machine.setRegister('cs_attr', BigInt(codeAttr(0, false)));
  machine.setRegister('ss_attr', BigInt(dataAttr(0)));
  for (const [name, value] of Object.entries(c.registers)) machine.setRegister(name, BigInt(value));
  machine.pc = CODE;
  const result = machine.run(c.steps + 1);
  expect(result.reason, `${result.detail}\n${c.lines.join('\n')}`).toBe('wfi');
  const registers: Record<string, bigint> = {};
  for (const name of [...GPR32_NAMES.slice(0, 8), 'eflags']) registers[name] = machine.register(name);
  // Nothing above bit 31: 32-bit writes zero-extend.
  for (const name of ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi']) expect(machine.register(name) >> 32n, name).toBe(0n);
  const data = [...machine.memory.readBytes(DATA, 16)!].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { registers, data };
}

function runInUnicorn(cases: readonly Case[]): Result[] {
  const input = cases.map((c) => JSON.stringify({ code: c.code, registers: c.registers })).join('\n') + '\n';
  const result = spawnSync(PYTHON, [DRIVER], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`code32-unicorn.py failed: ${result.stderr}`);
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const out = JSON.parse(line) as { end: string; detail: string; registers: Record<string, string>; data: string };
      if (out.end !== 'completed') throw new Error(`unicorn: ${out.detail}`);
      return { registers: Object.fromEntries(Object.entries(out.registers).map(([k, v]) => [k, BigInt(v)])), data: out.data };
    });
}

function compare(c: Case, hyplay: Result, unicorn: Result): string[] {
  const out: string[] = [];
  for (const name of GPR32_NAMES.slice(0, 8)) if (hyplay.registers[name] !== unicorn.registers[name]) out.push(`${name}: hyplay 0x${hyplay.registers[name]!.toString(16)}, unicorn 0x${unicorn.registers[name]!.toString(16)}`);
  const mask = BigInt(c.flagMask);
  if ((hyplay.registers.eflags! & mask) !== (unicorn.registers.eflags! & mask)) out.push(`eflags & 0x${c.flagMask.toString(16)}: hyplay 0x${(hyplay.registers.eflags! & mask).toString(16)}, unicorn 0x${(unicorn.registers.eflags! & mask).toString(16)}`);
  if (hyplay.data !== unicorn.data) out.push(`data: hyplay ${hyplay.data}, unicorn ${unicorn.data}`);
  return out;
}

const missing = unicornMissing();
if (missing !== undefined) console.log(`x86 32-bit differential: skipped (${missing})`);

describe('x86 32-bit code against Unicorn 2 (UC_MODE_32)', () => {
  it.skipIf(missing !== undefined)('agrees on 400 random straight-line 32-bit integer sequences, on both engines', () => {
    const cases = Array.from({ length: 400 }, (_, i) => generate(23, i));
    // The cases hold forms only 32-bit code has: INC/DEC r16/r32 (40–4F, REX prefixes in 64-bit code) and absolute disp32 stores.
    expect(cases.filter((c) => c.lines.some((l) => /^(inc|dec)[lw] /.test(l))).length).toBeGreaterThan(50);
    expect(cases.filter((c) => c.lines.some((l) => /^movl %\w+, \d+$/.test(l))).length).toBeGreaterThan(20);
    const reference = runInUnicorn(cases);
    const problems: string[] = [];
    for (const engine of ['interp', 'jit'] as const) {
      cases.forEach((c, i) => {
        const d = compare(c, runInHyplay(c, engine), reference[i]!);
        if (d.length > 0 && problems.length < 10) problems.push(`${engine} case ${i}: ${d.join('; ')}\n    ${c.lines.join('\n    ')}\n    from ${JSON.stringify(c.registers)}`);
      });
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
