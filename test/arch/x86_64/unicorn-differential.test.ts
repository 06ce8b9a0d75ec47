/**
 * hyplay's x86-64 interpreter against Unicorn 2 (QEMU's x86-64 TCG) on
 * seeded random straight-line integer sequences: the ALU operations, TEST,
 * MOV, INC and DEC at every width, register and immediate forms (the forms
 * whose number-typed handlers run the hot path, and their 8- and 16-bit
 * siblings on the general handlers), from random registers and status
 * flags. Every general register and the six status flags must agree after
 * each sequence. Runs where `/usr/bin/python3` imports unicorn (CI installs
 * python3-unicorn); otherwise skips and says why.
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createX86Machine, X86_INSTRUCTION_SETS } from '../../../arch/x86_64/core.ts';
import { GPR16_NAMES, GPR32_NAMES, GPR8_REX_NAMES, GPR_NAMES, STATUS_FLAGS, Flag } from '../../../arch/x86_64/registers.ts';
import { assemble } from '../../../src/isa/assembler.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../scripts/peers/unicorn-x86-straight.py', import.meta.url));
const LOAD = 0x10_0000;

const probe = spawnSync(PYTHON, ['-c', 'import unicorn'], { encoding: 'utf8' });
const HAVE_UNICORN = probe.status === 0;
if (!HAVE_UNICORN) console.log(`x86_64 Unicorn differential: skipped: ${PYTHON} cannot import unicorn (install python3-unicorn)`);

/** A small seeded generator (xorshift32), so that a failure names its sequence. */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp', 'test', 'mov'];
const WIDTHS = [
  { suffix: 'q', names: GPR_NAMES, bits: 64 },
  { suffix: 'l', names: GPR32_NAMES, bits: 32 },
  { suffix: 'w', names: GPR16_NAMES, bits: 16 },
  { suffix: 'b', names: GPR8_REX_NAMES, bits: 8 },
];
const EDGES = [0, 1, -1, 0x7f, -0x80, 0x7fff, -0x8000, 0x7fff_ffff, -0x8000_0000, 0x10, 0xf];

/** One random instruction (RSP left alone: the sequences have no stack). */
function instruction(next: () => number): string {
  const reg = (): number => {
    const n = next() % 15;
    return n >= 4 ? n + 1 : n;
  };
  const width = WIDTHS[next() % (next() % 4 === 0 ? 4 : 2)]!;
  const a = width.names[reg()]!;
  const kind = next() % 8;
  if (kind === 0) return `${next() % 2 === 0 ? 'inc' : 'dec'}${width.suffix} %${a}`;
  const mnemonic = ALU[next() % ALU.length]!;
  if (kind <= 3) {
    const limit = width.bits === 64 ? 32 : width.bits;
    let imm = next() % 3 === 0 ? EDGES[next() % EDGES.length]! : (next() | 0) >> (32 - limit);
    if (width.bits < 32) imm = Number(BigInt.asUintN(width.bits, BigInt(imm)));
    if (width.bits === 32) imm >>>= 0;
    return `${mnemonic}${width.suffix} $${imm}, %${a}`;
  }
  return `${mnemonic}${width.suffix} %${width.names[reg()]!}, %${a}`;
}

function random64(next: () => number): bigint {
  const pick = next() % 4;
  if (pick === 0) return [0n, 1n, 0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0x7fff_ffffn, 0xffff_ffffn, 0x80n, 0xffffn][next() % 8]!;
  return (BigInt(next()) << 32n) | BigInt(next());
}

interface Case {
  readonly text: string[];
  readonly code: Uint8Array;
  readonly gpr: bigint[];
  readonly rflags: number;
}

function cases(count: number, length: number): Case[] {
  const out: Case[] = [];
  for (let k = 0; k < count; k++) {
    const next = generator(0x9e37_79b9 ^ (k * 0x85eb_ca6b));
    const text = Array.from({ length }, () => instruction(next));
    const code = assemble(X86_INSTRUCTION_SETS.att, `${text.join('\n')}\n`, LOAD).bytes;
    const gpr = Array.from({ length: 16 }, () => random64(next));
    gpr[4] = 0x20_0000n;
    out.push({ text, code, gpr, rflags: (next() & STATUS_FLAGS) | Flag.FIXED });
  }
  return out;
}

describe.runIf(HAVE_UNICORN)('x86_64 interpreter = Unicorn 2 on random straight-line integer sequences', () => {
  it('agrees on every general register and status flag after 300 sequences of 24 instructions', () => {
    const all = cases(300, 24);
    const request = { base: LOAD, cases: all.map((c) => ({ code: Buffer.from(c.code).toString('hex'), count: c.text.length, gpr: c.gpr.map((v) => v.toString(16)), rflags: c.rflags })) };
    const child = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 1 << 26 });
    const answer = JSON.parse(child.stdout) as { ok: boolean; error?: string; results: { gpr: string[]; rflags: number; rip: number }[] };
    expect(answer.error).toBeUndefined();
    all.forEach((c, k) => {
      const machine = createX86Machine();
      machine.memory.load(LOAD, c.code);
      machine.pc = LOAD;
      c.gpr.forEach((v, i) => machine.setRegister(GPR_NAMES[i]!, v));
      machine.setRegister('rflags', BigInt(c.rflags));
      const result = machine.run(c.text.length);
      expect(result.reason, c.text.join('; ')).toBe('budget-exhausted');
      const peer = answer.results[k]!;
      const ours = { gpr: GPR_NAMES.map((n) => machine.register(n).toString(16)), flags: Number(machine.register('rflags')) & STATUS_FLAGS, rip: machine.pc };
      expect(ours, `sequence ${k}: ${c.text.join('; ')}`).toEqual({ gpr: peer.gpr, flags: peer.rflags & STATUS_FLAGS, rip: peer.rip });
    });
  });
});
