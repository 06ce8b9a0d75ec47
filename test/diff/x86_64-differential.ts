/**
 * x86-64 against Unicorn 2 (`x86_64-unicorn.py`): seeded random
 * straight-line sequences of register-only integer instructions, run from
 * the same random registers in both, compared on RAX–R15 and on the
 * RFLAGS status bits the last flag-writing instruction defines (bits the
 * SDM leaves undefined after it are masked).
 *
 * @module
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { X86_INSTRUCTION_SETS, createX86Machine } from '../../arch/x86_64/core.ts';
import { GPR_NAMES, GPR32_NAMES, GPR16_NAMES, GPR8_REX_NAMES, Flag } from '../../arch/x86_64/registers.ts';
import { assemble } from '../../src/isa/assembler.ts';

const PYTHON = '/usr/bin/python3';
const DRIVER = fileURLToPath(new URL('./x86_64-unicorn.py', import.meta.url));
const CODE = 0x10_0000;

/** Why Unicorn cannot run here, or `undefined`. */
export function x86UnicornMissing(): string | undefined {
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

/** One instruction template: its text from random picks, and the status flags it leaves defined (−1: it writes none). */
interface Template {
  readonly text: (pick: (n: number) => number, reg: (size: number) => string) => string;
  readonly defined: number;
  /** Whether it reads the status flags (cmovcc, setcc, adc, sbb, rcl, rcr). */
  readonly reads?: boolean;
}

const SIZES = [1, 2, 4, 8];
const SUFFIX: Readonly<Record<number, string>> = { 1: 'b', 2: 'w', 4: 'l', 8: 'q' };
const ALL = STATUS;
const LOGIC = STATUS & ~Flag.AF;

const TEMPLATES: readonly Template[] = [
  ...['add', 'adc', 'sub', 'sbb', 'cmp'].map((op): Template => ({ text: (p, r) => { const s = SIZES[p(4)]!; return `${op}${SUFFIX[s]} ${r(s)}, ${r(s)}`; }, defined: ALL })),
  ...['and', 'or', 'xor', 'test'].map((op): Template => ({ text: (p, r) => { const s = SIZES[p(4)]!; return `${op}${SUFFIX[s]} ${r(s)}, ${r(s)}`; }, defined: LOGIC })),
  ...['add', 'sub', 'and', 'or', 'xor', 'cmp', 'adc', 'sbb'].map((op): Template => ({ text: (p, r) => { const s = SIZES[p(4)]!; return `${op}${SUFFIX[s]} $${[1, -1, 127, -128, 0x1234, -0x80000000][p(s === 1 ? 4 : s === 2 ? 5 : 6)]}, ${r(s)}`; }, defined: ['and', 'or', 'xor'].includes(op) ? LOGIC : ALL })),
  ...['inc', 'dec'].map((op): Template => ({ text: (p, r) => { const s = SIZES[p(4)]!; return `${op}${SUFFIX[s]} ${r(s)}`; }, defined: ALL & ~Flag.CF })),
  { text: (p, r) => { const s = SIZES[p(4)]!; return `neg${SUFFIX[s]} ${r(s)}`; }, defined: ALL },
  { text: (p, r) => { const s = SIZES[p(4)]!; return `not${SUFFIX[s]} ${r(s)}`; }, defined: -1 },
  ...['shl', 'shr', 'sar'].map((op): Template => ({ text: (p, r) => { const s = SIZES[p(4)]!; return `${op}${SUFFIX[s]} $1, ${r(s)}`; }, defined: LOGIC })),
  ...['shl', 'shr', 'sar'].map((op): Template => ({ text: (p, r) => { const s = SIZES[p(4)]!; return `${op}${SUFFIX[s]} $${1 + p(s * 8 - 1)}, ${r(s)}`; }, defined: Flag.CF | Flag.ZF | Flag.SF | Flag.PF })),
  ...['rol', 'ror'].map((op): Template => ({ text: (p, r) => { const s = SIZES[p(4)]!; return `${op}${SUFFIX[s]} $1, ${r(s)}`; }, defined: Flag.CF | Flag.OF })),
  ...['rcl', 'rcr'].map((op): Template => ({ text: (p, r) => { const s = SIZES[p(4)]!; return `${op}${SUFFIX[s]} $1, ${r(s)}`; }, defined: Flag.CF | Flag.OF })),
  { text: (p, r) => { const s = SIZES[1 + p(3)]!; return `imul${SUFFIX[s]} ${r(s)}, ${r(s)}`; }, defined: Flag.CF | Flag.OF },
  { text: (p, r) => { const s = SIZES[1 + p(3)]!; return `imul${SUFFIX[s]} $${[3, -7, 0x1234][p(3)]}, ${r(s)}, ${r(s)}`; }, defined: Flag.CF | Flag.OF },
  { text: (p, r) => { const s = SIZES[1 + p(3)]!; return `mov${SUFFIX[s]} ${r(s)}, ${r(s)}`; }, defined: -1 },
  { text: (p, r) => `movzb${SUFFIX[[2, 4, 8][p(3)]!]} ${r(1)}, ${r([2, 4, 8][p(3)]!)}`.replace(/movzb(\w) (%\w+), (%\w+)/, (_m, _s, a, b) => `movzb${SUFFIX[sizeOfReg(b)]} ${a}, ${b}`), defined: -1 },
  { text: (p, r) => `movsbq ${r(1)}, ${r(8)}`, defined: -1 },
  { text: (p, r) => `movswl ${r(2)}, ${r(4)}`, defined: -1 },
  { text: (p, r) => `movslq ${r(4)}, ${r(8)}`, defined: -1 },
  { text: (p, r) => `leaq ${[-8, 16, 0x1234][p(3)]}(${r(8)},${r(8).replace('%rsp', '%rbx')},${[1, 2, 4, 8][p(4)]}), ${r(8)}`, defined: -1 },
  { text: (p, r) => `bswap${['l', 'q'][p(2)]} ${r(4)}`.replace(/bswapq (%\w+)/, (_m, a) => `bswapq %${GPR_NAMES[GPR32_NAMES.indexOf(a.slice(1))]}`), defined: -1 },
  { text: (p, r) => `cmov${['e', 'ne', 'l', 'ge', 'b', 'a', 's', 'o'][p(8)]}q ${r(8)}, ${r(8)}`, defined: -1, reads: true },
  { text: (p, r) => `set${['e', 'ne', 'l', 'g', 'b', 'be', 'p', 'o'][p(8)]} ${r(1)}`, defined: -1, reads: true },
  { text: (p, r) => `xchgq ${r(8)}, ${r(8)}`, defined: -1 },
  { text: (p, r) => `bt${['', 's', 'r', 'c'][p(4)]}q $${p(64)}, ${r(8)}`, defined: Flag.CF },
  { text: (p, r) => `bt${['', 's', 'r', 'c'][p(4)]}l ${r(4)}, ${r(4)}`, defined: Flag.CF },
  { text: () => ['cqto', 'cltq', 'cltd', 'cwtl'][Math.floor(Math.random() * 0) + 0]!, defined: -1 },
  { text: () => 'stc', defined: Flag.CF },
  { text: () => 'cmc', defined: Flag.CF },
];

function sizeOfReg(name: string): number {
  const n = name.slice(1);
  return GPR_NAMES.includes(n) ? 8 : GPR32_NAMES.includes(n) ? 4 : GPR16_NAMES.includes(n) ? 2 : 1;
}

/** The registers a case may name: not RSP (no stack here). */
const USABLE = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/** One case. */
export interface X86DiffCase {
  readonly lines: readonly string[];
  readonly code: string;
  readonly registers: Record<string, string>;
  readonly flagMask: number;
}

/** Generate case `index` of `seed`. */
export function generateX86Case(seed: number, index: number, length = 8): X86DiffCase {
  const next = random(seed * 7919 + index * 104_729 + 1);
  const pick = (n: number): number => next() % n;
  const reg = (size: number): string => {
    const n = USABLE[pick(USABLE.length)]!;
    return `%${size === 8 ? GPR_NAMES[n] : size === 4 ? GPR32_NAMES[n] : size === 2 ? GPR16_NAMES[n] : GPR8_REX_NAMES[n]}`;
  };
  const lines: string[] = [];
  let flagMask = STATUS;
  for (let i = 0; i < length; i++) {
    let t = TEMPLATES[pick(TEMPLATES.length)]!;
    // A condition read while some status flag is undefined (after BT*, a multiply, a shift by more than 1) compares nothing the SDM defines:
    // hyplay keeps such flags, QEMU computes them from its lazy flag state. Such a reader is replaced by one on defined flags only.
    if (t.reads === true && flagMask !== STATUS) t = TEMPLATES.find((x) => x.text(() => 0, () => '') === 'stc')!;
    lines.push(t.text(pick, reg));
    if (t.defined >= 0) flagMask = t.defined;
  }
  const program = assemble(X86_INSTRUCTION_SETS.att, lines.join('\n'), CODE);
  const code = [...program.bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  const registers: Record<string, string> = {};
  for (const n of USABLE) {
    const hi = BigInt(next()) << 32n;
    const value = pick(4) === 0 ? BigInt(pick(3)) : hi | BigInt(next());
    registers[GPR_NAMES[n]!] = `0x${value.toString(16)}`;
  }
  registers.rsp = '0x200000';
  registers.rflags = `0x${(2 | (next() & STATUS)).toString(16)}`;
  return { lines, code, registers, flagMask };
}

/** Registers after running a case in hyplay. */
export function runX86InHyplay(c: X86DiffCase): Record<string, bigint> {
  const machine = createX86Machine();
  const bytes = Uint8Array.from(c.code.match(/../g)!.map((b) => parseInt(b, 16)));
  machine.memory.load(CODE, bytes);
  machine.memory.map(CODE + bytes.length, 0x1000);
  machine.memory.write8(CODE + bytes.length, 0xf4);
  for (const [name, value] of Object.entries(c.registers)) machine.setRegister(name, BigInt(value));
  machine.pc = CODE;
  machine.run(c.lines.length + 1);
  const out: Record<string, bigint> = {};
  for (const name of [...GPR_NAMES, 'rflags']) out[name] = machine.register(name);
  return out;
}

/** Registers after running each case in Unicorn (one process). */
export function runX86InUnicorn(cases: readonly X86DiffCase[]): Record<string, bigint>[] {
  const input = cases.map((c) => JSON.stringify({ code: c.code, registers: c.registers })).join('\n') + '\n';
  const result = spawnSync(PYTHON, [DRIVER], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`x86_64-unicorn.py failed: ${result.stderr}`);
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const out = JSON.parse(line) as { end: string; detail: string; registers: Record<string, string> };
      if (out.end !== 'completed') throw new Error(`unicorn: ${out.detail}`);
      return Object.fromEntries(Object.entries(out.registers).map(([k, v]) => [k, BigInt(v)]));
    });
}

/** The differences of one case, one line each. */
export function compareX86(c: X86DiffCase, hyplay: Record<string, bigint>, unicorn: Record<string, bigint>): string[] {
  const out: string[] = [];
  for (const name of GPR_NAMES) if (hyplay[name] !== unicorn[name]) out.push(`${name}: hyplay 0x${hyplay[name]!.toString(16)}, unicorn 0x${unicorn[name]!.toString(16)}`);
  const mask = BigInt(c.flagMask);
  if ((hyplay.rflags! & mask) !== (unicorn.rflags! & mask)) out.push(`rflags & 0x${c.flagMask.toString(16)}: hyplay 0x${(hyplay.rflags! & mask).toString(16)}, unicorn 0x${(unicorn.rflags! & mask).toString(16)}`);
  return out;
}

/** Run `count` cases of `seed`; the mismatches, each with its listing. */
export function x86Differential(count: number, seed: number): string[] {
  const cases = Array.from({ length: count }, (_, i) => generateX86Case(seed, i));
  const reference = runX86InUnicorn(cases);
  const problems: string[] = [];
  cases.forEach((c, i) => {
    const d = compareX86(c, runX86InHyplay(c), reference[i]!);
    if (d.length > 0 && problems.length < 10) problems.push(`case ${i} (seed ${seed}): ${d.join('; ')}\n    ${c.lines.join('\n    ')}\n    from ${JSON.stringify(c.registers)}`);
  });
  return problems;
}
