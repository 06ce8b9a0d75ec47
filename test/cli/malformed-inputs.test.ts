/**
 * The malformed-input battery: hundreds of distinct bad inputs across every
 * command (arguments, files with bad assembly, bad hex, bad numbers,
 * unknown architectures, modes, registers, specs and scenarios, bad
 * options). For each: exit status 2, nothing on stdout (without `--json`),
 * exactly one line on stderr that starts `hyplay: `, names the input and
 * its position where there is one, and carries no stack trace; every run
 * has a small step budget, so none can hang. In-process for speed, and a
 * sample through the built binary.
 *
 * `dispatch` cases are only those it rejects already; the dispatch checks
 * added on top are tested with the command.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hyplay } from '../support/binary.ts';
import { cli } from '../support/cli.ts';

const TMP = mkdtempSync(join(tmpdir(), 'hyplay-malformed-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** One bad input: the arguments, and what the error line must contain (the input's name, the position). */
interface Case {
  readonly argv: readonly string[];
  readonly names: readonly (string | RegExp)[];
}

const cases: Case[] = [];
function bad(argv: readonly string[], ...names: (string | RegExp)[]): void {
  cases.push({ argv, names });
}

let files = 0;
function file(content: string | Uint8Array, extension = '.s'): string {
  files += 1;
  const path = join(TMP, `input-${files}${extension}`);
  writeFileSync(path, content);
  return path;
}

const GOOD = file('mov r0, #1\nwfi\n');
const GOOD_PPC = file('li 3, 1\nwait\n');
const AT = (line: number) => new RegExp(`<text>:${line}:\\d+: `);

// 1. Assembly text: unknown mnemonics, registers, operands, immediates, labels, directives (both backends).
const ARM_MNEMONICS = ['frob', 'movz', 'eret.w', 'hvcc', 'svcall', 'xyzzy', 'mov.', 'ldrrr', 'push.w', 'bxxx', 'vmcall', 'sc', 'li', 'addis', 'jmp', 'ret', 'syscall', 'int', 'callq', 'mfspr'];
for (const m of ARM_MNEMONICS) bad(['asm', 'arm32', `${m} r0, r1`], AT(1), `'${m}'`);
const PPC_MNEMONICS = ['frob', 'hvc', 'svc', 'mov', 'eret', 'push', 'ldr', 'bx', 'vmcall', 'movw', 'scv2', 'rfidd', 'lii', 'addx', 'jmp'];
for (const m of PPC_MNEMONICS) bad(['asm', 'ppc64', `${m} 3, 4`], AT(1), `'${m}'`);
const ARM_REGISTERS = ['r16', 'r99', 'x0', 'w1', 'rr0', 'r17', 'sp1', 'pcc', 'r0x', 'q0'];
for (const r of ARM_REGISTERS) bad(['asm', 'arm32', `mov r0, ${r}`], AT(1), r);
for (const r of ARM_REGISTERS) bad(['asm', 'arm32', `add ${r}, r0, r1`], AT(1));
const PPC_REGISTERS = ['r32', 'x5', '32', '99', 'rr3', 'f3x'];
for (const r of PPC_REGISTERS) bad(['asm', 'ppc64', `add 3, 4, ${r}`], AT(1));
const OUT_OF_RANGE = [
  ['arm32', 'hvc #70000'],
  ['arm32', 'hvc #65536'],
  ['arm32', 'hvc #-1'],
  ['arm32', 'svc #0x1000000'],
  ['arm32', 'smc #16'],
  ['arm32', 'bkpt #0x10000'],
  ['arm32', 'movw r0, #0x10000'],
  ['arm32', 'movt r0, #65536'],
  ['arm32', 'mov r0, r1, lsl #32'],
  ['arm32', 'ldr r0, [r1, #4096]'],
  ['ppc64', 'li 3, 40000'],
  ['ppc64', 'li 3, -32769'],
  ['ppc64', 'ori 3, 3, -1'],
  ['ppc64', 'ori 3, 3, 65536'],
  ['ppc64', 'addi 3, 4, 0x8000'],
  ['ppc64', 'sldi 3, 4, 64'],
] as const;
for (const [arch, text] of OUT_OF_RANGE) bad(['asm', arch, text], AT(1));
const BAD_OPERANDS = [
  ['arm32', 'hvc'],
  ['arm32', 'nop r0'],
  ['arm32', 'mov r0'],
  ['arm32', 'mov r0,'],
  ['arm32', 'add r0, r1'],
  ['arm32', 'ldr r0, [r1'],
  ['arm32', 'ldr r0, r1]'],
  ['arm32', 'push {r0'],
  ['arm32', 'push r0}'],
  ['arm32', 'mov r0, #'],
  ['arm32', 'mov r0, #zz'],
  ['arm32', 'mcr p15, 4, r0, c12'],
  ['arm32', 'msr foo, r0'],
  ['arm32', 'wfi r1'],
  ['arm32', 'eret #1'],
  ['ppc64', 'li 3'],
  ['ppc64', 'addi 3, 4'],
  ['ppc64', 'sc 2, 3'],
  ['ppc64', 'lwz 3, 4'],
  ['ppc64', 'stw 3, 4('],
  ['ppc64', 'mtspr 3'],
  ['ppc64', 'rfid 1'],
  ['ppc64', 'b'],
] as const;
for (const [arch, text] of BAD_OPERANDS) bad(['asm', arch, text], AT(1));
// An error on a later statement names that statement's place.
bad(['asm', 'arm32', 'nop; nop; frob'], AT(1), "'frob'");
bad(['asm', 'arm32', 'nop\\nnop\\nhvc #70000'], AT(3));
bad(['asm', 'ppc64', 'nop\\nli 3, 40000'], AT(2));
bad(['asm', 'arm32', 'a: nop; a: nop'], AT(1), "'a'");
bad(['asm', 'arm32', 'b nowhere'], AT(1), "'nowhere'");
bad(['asm', 'ppc64', 'b nowhere'], AT(1), "'nowhere'");
bad(['asm', 'arm32', '.frob 1'], AT(1), "'.frob'");
bad(['asm', 'ppc64', '.frob 1'], AT(1), "'.frob'");
bad(['asm', 'arm32', '.word 0x1ffffffff'], AT(1));
bad(['asm', 'arm32', '.align 99'], AT(1));
bad(['asm', 'arm32', '#include <asm/assembler.h>'], AT(1));
bad(['asm', 'arm32', '#define X 1'], AT(1));
bad(['asm', 'arm32', '#ifdef CONFIG_KVM'], AT(1));

// 2. Files with bad assembly: the file's name and the line.
const BAD_SOURCES: readonly (readonly [string, string, number])[] = [
  ['arm32', 'nop\nfrob\n', 2],
  ['arm32', 'mov r0, #1\n\n\nmov r0, r16\n', 4],
  ['arm32', 'start: nop\nb start\nb end\n', 3],
  ['arm32', '\thvc #0x10000\n', 1],
  ['arm32', 'x: nop\nx: nop\n', 2],
  ['arm32', 'nop @ fine\nldr r0, [r1\n', 2],
  ['arm32', 'mov r0, #1\n.frob\n', 2],
  ['arm32', 'nop\nnop\nnop\nnop\nnop\nhvc\n', 6],
  ['ppc64', 'li 3, 1\nfrob 3\n', 2],
  ['ppc64', 'li 3, 1\nli 4, 99999\n', 2],
  ['ppc64', 'sc 1\nadd 3, 4, r32\n', 2],
  ['ppc64', 'bl nowhere\n', 1],
];
for (const [arch, source, line] of BAD_SOURCES) {
  const path = file(source);
  bad(['asm', arch, '--file', path], `${path}:${line}:`);
  bad(['run', arch, path, '--max-steps', '100'], `${path}:${line}:`);
}
// Binary junk as assembly: one printable line, control bytes escaped.
for (const bytes of [[0x00, 0x01, 0x02], [0x1b, 0x5b, 0x32, 0x4a], [0xff, 0xfe, 0x00], [0x7f, 0x08, 0x0d], [0x90, 0x90, 0xc3]]) {
  const path = file(Uint8Array.from([...bytes, 0x0a]));
  bad(['asm', 'arm32', '--file', path], `${path}:1:`);
}

// 3. Bad hex for disasm.
const BAD_HEX: readonly (readonly [string, string])[] = [
  ['zz', 'argument 1'],
  ['0x', 'argument 1'],
  ['0xg1', 'argument 1'],
  ['700', 'argument 1'],
  ['7', 'argument 1'],
  ['0x123456789', 'argument 1'],
  ['0xe1400070e1', 'argument 1'],
  ['70-00', 'argument 1'],
  ['70,00', 'argument 1'],
  ['0x-1', 'argument 1'],
  ['--', 'argument'],
  ['e1400070h', 'argument 1'],
  ['0b101', 'argument 1'],
  ['70 00 4', 'argument 1'],
  ['é', 'argument 1'],
  ['\u0001', 'argument 1'],
];
for (const [hex, where] of BAD_HEX) {
  if (hex === '--') continue; // the option terminator, not hex
  bad(['disasm', 'arm32', hex], where);
  bad(['disasm', 'ppc64', hex], where);
}
for (const c of ['g', 'x', 'z', 'q', '!', '#', '.', ':', '/', '+']) bad(['disasm', 'arm32', '70', `00${c}0`], 'argument 2');
bad(['disasm', 'arm32', ''], 'empty');
bad(['disasm', 'arm32', '   '], 'empty');
bad(['disasm', 'arm32'], 'HEX');
bad(['disasm', 'arm32', '--file', file('', '.bin')], 'empty');
bad(['disasm', 'arm32', '70004001', '--file', file('x', '.bin')], 'HEX');

// 4. Bad numbers: --base, --max-steps, REG=VAL, --dump, --break, --imm.
const BAD_NUMBERS = ['abc', '-1', '0x100000000', '1.5', '', '0x', '1e3', '12abc', '0o17', '١'];
for (const n of BAD_NUMBERS) bad(['asm', 'arm32', 'nop', '--base', n], '--base');
for (const n of BAD_NUMBERS) bad(['disasm', 'arm32', '00', '--base', n], '--base');
for (const n of ['0', '-1', 'lots', '1.5', '', '1000000001', '0x', '1e6', '5x']) bad(['run', 'arm32', GOOD, '--max-steps', n], '--max-steps');
const BAD_ASSIGNMENTS: readonly (readonly [string, string])[] = [
  ['r0', 'argument 3'],
  ['r0=', 'argument 3'],
  ['=1', 'argument 3'],
  ['r0=x', 'argument 3'],
  ['r0=0x1ffffffff', 'argument 3'],
  ['r0=-0x80000001', 'argument 3'],
  ['r99=1', 'argument 3'],
  ['q0=1', 'argument 3'],
  ['r0=1.5', 'argument 3'],
  ['r0==1', 'argument 3'],
];
for (const [assignment, where] of BAD_ASSIGNMENTS) bad(['run', 'arm32', GOOD, assignment, '--max-steps', '10'], where);
bad(['run', 'arm32', GOOD, 'r0=1', 'r0=2'], 'argument 4');
bad(['run', 'ppc64', GOOD_PPC, 'r3=0x10000000000000000'], 'argument 3');
bad(['run', 'ppc64', GOOD_PPC, 'r32=1'], 'argument 3');
for (const d of ['0x8000', '0x8000:', ':4', '0x8000:0', '0x8000:-1', '0x8000:x', '0x8000:0x10001', 'nolabel:4', '0x100:4', '0xffffffff:4', 'q:r']) {
  bad(['run', 'arm32', GOOD, '--dump', d, '--max-steps', '10'], '--dump');
}
for (const b of ['nolabel', '-4', '0x100000000', '1.5', 'r0']) bad(['run', 'arm32', GOOD, '--break', b, '--max-steps', '10'], '--break');
// dispatch: only what it rejects already.
for (const imm of ['-1', 'x', '0x1000000', '1.5', '']) bad(['dispatch', 'arm32', 'hvc', '--imm', imm], '--imm');
for (const assignment of ['r0', 'r0=x', 'r99=1', 'r0=0x100000000']) bad(['dispatch', 'arm32', 'hvc', assignment], 'argument 3');
bad(['dispatch', 'arm32', 'hvc', 'r0=1', 'r0=2'], "'r0'");
bad(['dispatch', 'ppc64', 'sc', 'r32=1'], 'argument 3');

// 5. Unknown architectures, everywhere one is named.
const BAD_ARCHS = ['arm33', 'ARM32', 'x86', 'mips', 'arm', ''];
for (const a of BAD_ARCHS) {
  bad(['asm', a, 'nop'], `'${a}'`);
  bad(['disasm', a, '00'], `'${a}'`);
  bad(['run', a, GOOD], `'${a}'`);
  bad(['dispatch', a, 'hvc'], `'${a}'`);
  bad(['collisions', '--arch', a], '--arch', `'${a}'`);
  bad(['abi', 'list', '--arch', a], '--arch', `'${a}'`);
  bad(['reset-matrix', '--arch', a], '--arch', `'${a}'`);
}
bad(['reset-matrix', '--arch', 'ppc64'], '--arch', 'ppc64');

// 6. Modes, byte orders, engines.
for (const m of ['kernel', 'user', 'hypervisor', 'SVC', 'svc ', 'el2', '']) bad(['run', 'arm32', GOOD, '--mode', m, '--max-steps', '10'], '--mode');
for (const m of ['svc', 'kernel', 'hyp', 'HV', 'user']) bad(['run', 'ppc64', GOOD_PPC, '--mode', m, '--max-steps', '10'], '--mode');
for (const e of ['middle', 'LITTLE', 'be', '']) {
  bad(['asm', 'ppc64', 'nop', '--endian', e], '--endian');
  bad(['run', 'ppc64', GOOD_PPC, '--endian', e], '--endian');
}
bad(['asm', 'arm32', 'nop', '--endian', 'big'], '--endian');
bad(['disasm', 'arm32', '00000000', '--endian', 'big'], '--endian');
for (const e of ['fast', 'JIT', 'unicorn', '']) bad(['run', 'arm32', GOOD, '--engine', e], '--engine');

// 7. Unknown registers, specs, implementations, scenarios.
for (const r of ['bogus', 'r0,bogus', 'r0,,r1', ',', 'r16']) bad(['run', 'arm32', GOOD, '--regs', r, '--max-steps', '10'], '--regs');
for (const id of ['nope', 'linux-hyp-stub', 'PSCI-v0.2-hvc', 'asm:nothing', 'papr-kvm', '']) bad(['run', 'arm32', GOOD, '--firmware', id, '--max-steps', '10'], '--firmware');
bad(['run', 'ppc64', GOOD_PPC, '--firmware', 'asm:hyp-stub-v4.12'], '--firmware');
bad(['run', 'ppc64', GOOD_PPC, '--firmware', 'linux-hyp-stub-v4.12'], '--firmware');
for (const id of ['nope', 'linux-hyp-stub', 'LINUX-HYP-STUB-V4.12', '']) {
  bad(['abi', 'show', id], `'${id}'`);
  bad(['conformance', id], `'${id}'`);
}
for (const impl of ['frob', 'asm:frob', 'spec:nope', 'papr-kvm']) bad(['conformance', 'linux-hyp-stub-v4.12', '--impl', impl], '--impl');
for (const name of ['nope', 'kexec', 'KEXEC-V4.12-KVM-V4.12', '']) bad(['scenario', 'run', name], `'${name}'`);
for (const conduit of ['frob', 'HVC', 'sc', 'vmcall']) bad(['dispatch', 'arm32', conduit], `'${conduit}'`);
for (const conduit of ['hvc', 'svc', 'syscall']) bad(['dispatch', 'ppc64', conduit], `'${conduit}'`);
for (const from of ['svc', 'el1', 'KERNEL', 'root']) bad(['dispatch', 'arm32', 'hvc', '--from', from], '--from');
for (const world of ['x', 'HOST', 'both']) bad(['dispatch', 'arm32', 'hvc', '--world', world], '--world');

// 8. Bad options, commands and arguments.
const COMMANDS: readonly (readonly string[])[] = [
  ['asm', 'arm32', 'nop'],
  ['disasm', 'arm32', '00'],
  ['run', 'arm32', GOOD],
  ['dispatch', 'arm32', 'hvc'],
  ['collisions'],
  ['abi', 'list'],
  ['abi', 'show', 'psci-v0.2-hvc'],
  ['abi-docs', '--out', join(TMP, 'docs')],
  ['conformance', 'linux-hyp-stub-v4.12'],
  ['scenario', 'list'],
  ['scenario', 'run', 'kexec-v4.12-kvm-v4.12'],
  ['reset-matrix'],
  ['bench'],
  ['start'],
];
for (const command of COMMANDS) {
  bad([...command, '--frob'], "'--frob'");
  bad([...command, '-z'], "'-z'");
}
for (const command of ['frob', 'assemble', 'ASM', 'abi-doc', 'scenarios', 'disassemble']) bad([command], `'${command}'`);
for (const sub of ['frob', 'lst', 'run']) bad(['abi', sub], `'${sub}'`);
for (const sub of ['frob', 'show']) bad(['scenario', sub], `'${sub}'`);
bad(['asm', 'arm32', 'nop', 'extra'], 'arguments');
bad(['asm', 'arm32'], 'TEXT');
bad(['asm', 'arm32', 'nop', '--file', GOOD], 'TEXT');
bad(['asm'], "'arch'");
bad(['disasm'], "'arch'");
bad(['run', 'arm32'], "'file'");
bad(['run'], "'arch'");
bad(['dispatch', 'arm32'], 'CONDUIT');
bad(['abi', 'show'], "'id'");
bad(['conformance'], "'abi-id'");
bad(['scenario', 'run'], "'name'");
for (const option of ['--mode', '--max-steps', '--endian', '--engine', '--firmware', '--break', '--dump', '--regs']) bad(['run', 'arm32', GOOD, option], option);
for (const option of ['--file', '--base', '--endian']) bad(['asm', 'arm32', option], option);
bad(['dispatch', 'arm32', 'hvc', '--imm'], '--imm');
bad(['collisions', '--arch'], '--arch');
bad(['conformance', 'linux-hyp-stub-v4.12', '--impl'], '--impl');
bad(['abi-docs', '--out'], '--out');

// 9. Files that cannot be read, and abi-docs places it cannot use.
const MISSING = join(TMP, 'missing', 'nothing.s');
const A_FILE = file('x', '.txt');
const DIRECTORY = join(TMP, 'a-directory');
mkdirSync(DIRECTORY);
for (const path of [MISSING, DIRECTORY, join(A_FILE, 'below.s')]) {
  bad(['asm', 'arm32', '--file', path], path);
  bad(['run', 'arm32', path], path);
  bad(['disasm', 'arm32', '--file', path], path);
}
bad(['abi-docs', '--out', A_FILE], A_FILE);
bad(['abi-docs', '--out', join(TMP, 'no', 'parent')], join(TMP, 'no'));
bad(['abi-docs', '--out', join(A_FILE, 'docs')], join(A_FILE, 'docs'));

/** The checks every error line must pass. */
function checkLine(line: string, names: readonly (string | RegExp)[]): void {
  expect(line.startsWith('hyplay: ')).toBe(true);
  expect(line.trimEnd()).not.toMatch(/[\n\r]/);
  expect(line).not.toMatch(/[\u0000-\u001f\u007f]/u);
  expect(line).not.toMatch(/\n\s+at |\bat .*\.(ts|mjs|js):\d+|Error:|internal error/);
  for (const name of names) {
    if (typeof name === 'string') expect(line).toContain(name);
    else expect(line).toMatch(name);
  }
}

describe('the malformed-input battery', () => {
  it('has at least 300 distinct inputs', () => {
    expect(new Set(cases.map((c) => JSON.stringify(c.argv))).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(300);
  });

  it.each(cases.map((c) => [c.argv.join(' ').slice(0, 80), c] as const))('%s', (_, { argv, names }) => {
    const result = cli(...argv);
    expect(result.status).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toHaveLength(1);
    checkLine(result.err[0]!, names);
  });

  it.each(cases.filter((_, i) => i % 40 === 7).map((c) => [c.argv.join(' ').slice(0, 80), c] as const))('with --json: %s', (_, { argv, names }) => {
    const result = cli(...argv, '--json');
    expect(result.status).toBe(2);
    expect(result.err).toHaveLength(1);
    checkLine(result.err[0]!, names);
    expect(`hyplay: ${JSON.parse(result.out).error.message}`).toBe(result.err[0]);
  });
});

describe('a sample of the battery through the built binary', () => {
  const sample = cases.filter((_, i) => i % 25 === 3);

  it('samples at least 12 inputs, across several commands', () => {
    expect(sample.length).toBeGreaterThanOrEqual(12);
    expect(new Set(sample.map((c) => c.argv[0])).size).toBeGreaterThanOrEqual(4);
  });

  it.each(sample.map((c) => [c.argv.join(' ').slice(0, 80), c] as const))('%s', (_, { argv, names }) => {
    const result = hyplay(argv);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.endsWith('\n')).toBe(true);
    expect(result.stderr.slice(0, -1).split('\n')).toHaveLength(1);
    checkLine(result.stderr.slice(0, -1), names);
  });
});
