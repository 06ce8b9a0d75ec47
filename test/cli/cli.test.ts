/**
 * The `hyplay` command against the contract in DESIGN.md, driven in-process
 * through `runCli` with a capturing io, plus one spawn of the real binary.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, json } from '../support/cli.ts';
import { tempFiles } from '../support/temp-files.ts';

const { file } = tempFiles('cli');

const HEX32 = /^0x[0-9a-f]{8}$/;

describe('hyplay asm arm32', () => {
  it('assembles `hvc #0` to 70 00 40 e1', () => {
    const result = cli('asm', 'arm32', 'hvc #0');
    expect(result).toEqual({ status: 0, out: '0x00000000:  70 00 40 e1  hvc #0', err: [] });
  });

  it('prints the JSON contract: arch, and address as 0x hex, bytes lowercase and space-separated, text', () => {
    expect(json('asm', 'arm32', 'hvc #0')).toEqual({
      arch: 'arm32',
      instructions: [{ address: '0x00000000', bytes: '70 00 40 e1', text: 'hvc #0' }],
    });
  });

  it('takes several statements separated by `;` and addresses them from --base', () => {
    const listing = json('asm', 'arm32', 'mov r0, #0xFF; hvc #0x1234', '--base', '0x8000');
    expect(listing.instructions).toEqual([
      { address: '0x00008000', bytes: 'ff 00 a0 e3', text: 'mov r0, #255' },
      { address: '0x00008004', bytes: '74 23 41 e1', text: 'hvc #4660' },
    ]);
  });

  it('reads --file F, with labels and data', () => {
    const path = file('start: mov r1, #1\n  b start  @ back\n.word 0xdeadbeef\n');
    const listing = json('asm', 'arm32', '--file', path);
    expect(listing.arch).toBe('arm32');
    expect(listing.instructions).toEqual([
      { address: '0x00000000', bytes: '01 10 a0 e3', text: 'mov r1, #1' },
      { address: '0x00000004', bytes: 'fd ff ff ea', text: 'b #-12' },
      { address: '0x00000008', bytes: 'ef be ad de', text: '.word 0xdeadbeef' },
    ]);
  });
});

describe('hyplay disasm arm32', () => {
  it.each([[['700040e1']], [['70', '00', '40', 'e1']], [['70 00 40 e1']], [['0xe1400070']], [['0XE1400070']]])('%j is hvc #0', (args) => {
    const result = cli('disasm', 'arm32', ...args);
    expect(result).toEqual({ status: 0, out: '0x00000000:  70 00 40 e1  hvc #0', err: [] });
  });

  it('prints the JSON contract, words in memory order and undecodable words as .inst', () => {
    expect(json('disasm', 'arm32', '0xe1400070', 'ffffffff', '--base', '0x100')).toEqual({
      arch: 'arm32',
      instructions: [
        { address: '0x00000100', bytes: '70 00 40 e1', text: 'hvc #0' },
        { address: '0x00000104', bytes: 'ff ff ff ff', text: '.inst 0xffffffff' },
      ],
    });
  });

  it('zero-extends a short 0x word', () => {
    expect(json('disasm', 'arm32', '0x0').instructions[0].bytes).toBe('00 00 00 00');
  });
});

describe('hyplay run arm32', () => {
  const SPIN = 'mov r0, #1\nloop: b loop\n';

  it('loads at 0x8000 in svc with sp at the load address, and a spinning guest ends budget-exhausted with status 0', () => {
    const report = json('run', 'arm32', file(SPIN), '--max-steps', '5');
    expect(Object.keys(report)).toEqual(['stop', 'steps', 'registers', 'trace']);
    expect(report.stop.reason).toBe('budget-exhausted');
    expect(report.stop.pc).toBe('0x00008004');
    expect(typeof report.stop.detail).toBe('string');
    expect(report.steps).toBe(5);
    expect(report.trace).toEqual([]);
    const r = report.registers;
    expect(r.r0).toBe('0x00000001');
    expect(r.pc).toBe('0x00008004');
    expect(Number(r.cpsr) & 0x1f).toBe(0x13); // svc
    expect(r.sp).toBe('0x00008000');
    expect(r.sp_svc).toBe('0x00008000');
  });

  it('names registers in lowercase and gives every value as a 32-bit hex string', () => {
    const { registers } = json('run', 'arm32', file(SPIN), '--max-steps', '3');
    const names = Object.keys(registers);
    for (const name of [...Array.from({ length: 13 }, (_, i) => `r${i}`), 'sp', 'lr', 'pc', 'cpsr', 'spsr_hyp', 'elr_hyp', 'sp_svc', 'lr_svc', 'spsr_svc', 'sp_hyp', 'hvbar', 'hsr']) {
      expect(names).toContain(name);
    }
    expect(names.slice(0, 17)).toEqual([...Array.from({ length: 13 }, (_, i) => `r${i}`), 'sp', 'lr', 'pc', 'cpsr']);
    for (const name of names) {
      expect(name).toBe(name.toLowerCase());
      expect(registers[name]).toMatch(HEX32);
    }
  });

  it('starts in --mode hyp and takes an hvc from Hyp mode through HVBAR+0x08 and back with eret', () => {
    const source = [
      'vectors: b start', //     +0x00
      '    b hang', //            +0x04
      '    b hvc_vec', //         +0x08: HVC executed in Hyp mode (ARM ARM B1.8.1, Table B1-4)
      '    b hang', //            +0x0c
      '    b hang', //            +0x10
      '    b hang', //            +0x14: Hyp trap (HVC from a PL1 mode)
      '    b hang',
      '    b hang',
      'hvc_vec: mov r2, #7',
      '    eret',
      'start: mov r0, #0x8000',
      '    mcr p15, 4, r0, c12, c0, 0', // HVBAR
      '    hvc #0x12',
      '    mov r3, #9',
      'hang: b hang',
    ].join('\n');
    const report = json('run', 'arm32', file(source), '--mode', 'hyp', '--max-steps', '12', '--trace');
    expect(report.stop.reason).toBe('budget-exhausted');
    const r = report.registers;
    expect(Number(r.cpsr) & 0x1f).toBe(0x1a); // hyp
    expect(r.sp_hyp).toBe('0x00008000');
    expect(r.hvbar).toBe('0x00008000');
    expect(r.r2).toBe('0x00000007');
    expect(r.r3).toBe('0x00000009');
    expect(r.elr_hyp).toBe('0x00008034'); // the instruction after the hvc
    expect(r.hsr).toBe('0x4a000012'); // EC 0x12 (HVC), IL, imm16 = 0x12 (ARM ARM B3.13.6)
    expect(report.trace[0]).toBe('0x00008000 hyp  08 00 00 ea  b #32');
    expect(report.trace).toContain('0x00008030 hyp  72 01 40 e1  hvc #18');
    expect(report.trace.some((line: string) => line.startsWith('-- exception ') && line.includes('vector 0x00008008'))).toBe(true);
    expect(report.trace.some((line: string) => line.startsWith('-- return eret'))).toBe(true);
    expect(report.trace.at(-1)).toMatch(/^-- stop budget-exhausted at 0x00008038/);
  });

  it('prints one --trace line per event before the summary in text mode', () => {
    const result = cli('run', 'arm32', file(SPIN), '--max-steps', '3', '--trace');
    expect(result.status).toBe(0);
    expect(result.err).toEqual([]);
    const lines = result.out.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '0x00008000 svc  01 00 a0 e3  mov r0, #1',
      '0x00008004 svc  fe ff ff ea  b #-8',
      '0x00008004 svc  fe ff ff ea  b #-8',
      '-- stop budget-exhausted at 0x00008004: step budget of 3 used up',
      'stop: budget-exhausted at 0x00008004 after 3 steps: step budget of 3 used up',
    ]);
    expect(lines[5]).toMatch(/^\s+r0 0x00000001\s+r1 0x00000000/);
  });

  it('runs without --trace to the same state, recording no trace', () => {
    const traced = json('run', 'arm32', file(SPIN), '--max-steps', '7', '--trace');
    const plain = json('run', 'arm32', file(SPIN), '--max-steps', '7');
    expect(plain.trace).toEqual([]);
    expect(traced.trace.length).toBe(8);
    expect(plain.registers).toEqual(traced.registers);
    expect(plain.stop).toEqual(traced.stop);
  });

  it('reports a guest fault as an outcome, not an input error', () => {
    // hvc from svc with HVBAR = 0: the Hyp trap vector at 0x14 is unmapped.
    const result = cli('run', 'arm32', file('hvc #0\n'), '--json');
    expect(result.status).toBe(0);
    expect(result.err).toEqual([]);
    const report = JSON.parse(result.out);
    expect(report.stop.reason).toBe('recursive-fault');
    expect(report.stop.pc).toBe('0x00000014');
    expect(report.registers.elr_hyp).toBe('0x00008004');
  });
});

describe('input errors: one line, `hyplay: ` first, the position where there is one, status 2, no stack trace', () => {
  const missing = join(tmpdir(), 'hyplay-does-not-exist', 'nothing.s');
  const cases: readonly (readonly [string, () => string[], string])[] = [
    ['unknown mnemonic', () => ['asm', 'arm32', 'frob r0'], "hyplay: <text>:1:1: unknown mnemonic 'frob'"],
    ['unknown register', () => ['asm', 'arm32', 'mov r0, r16'], "hyplay: <text>:1:9: unknown register 'r16'"],
    ['immediate out of range', () => ['asm', 'arm32', 'hvc #70000'], 'hyplay: <text>:1:5: immediate 70000 out of range 0..65535'],
    ['error on a later statement', () => ['asm', 'arm32', 'nop; hvc #70000'], 'hyplay: <text>:1:10: immediate 70000 out of range 0..65535'],
    ['bad operands', () => ['asm', 'arm32', 'hvc'], "hyplay: <text>:1:5: bad operands for 'hvc' (expected hvc <imm16>)"],
    ['bad hex', () => ['disasm', 'arm32', 'zz'], "hyplay: bad hex 'zz' (argument 1, column 1)"],
    ['bad hex in a later argument', () => ['disasm', 'arm32', '70', '0g'], "hyplay: bad hex '0g' (argument 2, column 2)"],
    ['0x word too long', () => ['disasm', 'arm32', '0xfffffffff1'], "hyplay: bad hex '0xfffffffff1' (argument 1): a 0x word has at most 8 digits"],
    ['odd hex digits', () => ['disasm', 'arm32', '700'], "hyplay: bad hex '700' (argument 1): odd number of hex digits"],
    ['unreadable asm file', () => ['asm', 'arm32', '--file', missing], `hyplay: cannot read '${missing}': no such file`],
    ['unreadable run file', () => ['run', 'arm32', missing], `hyplay: cannot read '${missing}': no such file`],
    ['a directory as the file', () => ['run', 'arm32', tmpdir()], `hyplay: cannot read '${tmpdir()}': is a directory`],
    ['unknown architecture', () => ['asm', 'arm33', 'nop'], "hyplay: unknown architecture 'arm33' (one of arm32, arm64, ppc64, x86_64)"],
    ['bad --mode', () => ['run', 'arm32', file('nop\n'), '--mode', 'kernel'], "hyplay: --mode: unknown mode 'kernel' (one of usr, fiq, irq, svc, mon, abt, hyp, und, sys) ('kernel' is a privilege; --mode takes a CPU mode)"],
    ['--max-steps not a number', () => ['run', 'arm32', file('nop\n'), '--max-steps', 'lots'], "hyplay: --max-steps: 'lots' is not a number (decimal or 0x hex)"],
    ['--max-steps zero', () => ['run', 'arm32', file('nop\n'), '--max-steps', '0'], 'hyplay: --max-steps: 0 is out of range 1..1000000000'],
    ['unknown option', () => ['asm', 'arm32', 'nop', '--frob'], "hyplay: unknown option '--frob'"],
    ['missing argument', () => ['disasm'], "hyplay: missing required argument 'arch'"],
    ['neither hex nor a file', () => ['disasm', 'arm32'], 'hyplay: disasm: give either HEX… or --file F'],
    ['unknown command', () => ['frob'], "hyplay: unknown command 'frob'"],
  ];

  it.each(cases)('%s', (_, argv, expected) => {
    const result = cli(...argv());
    expect(result.status).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toHaveLength(1);
    const line = result.err[0]!;
    expect(line.startsWith('hyplay: ')).toBe(true);
    expect(line.trimEnd().includes('\n')).toBe(false);
    expect(line).not.toContain('    at ');
    expect(line.trimEnd()).toBe(expected);
  });

  it('names the file and the line:column of an error inside it', () => {
    const path = file('nop\n  mov r0, r16\n');
    expect(cli('asm', 'arm32', '--file', path)).toEqual({ status: 2, out: '', err: [`hyplay: ${path}:2:11: unknown register 'r16'`] });
    const run = file('mov r0, #1\nfrob\n');
    const failed = cli('run', 'arm32', run, '--json');
    expect(failed.status).toBe(2);
    expect(failed.err).toEqual([`hyplay: ${run}:2:1: unknown mnemonic 'frob'`]);
    expect(JSON.parse(failed.out)).toEqual({ error: { message: `${run}:2:1: unknown mnemonic 'frob'`, input: run, line: 2, column: 1 } });
  });
});

describe('the bin entry (the built plain JavaScript)', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

  it('is dist/hyplay.cjs, built by `prepare` (which npm ci runs), and is not tsx', () => {
    expect(pkg.bin).toEqual({ hyplay: 'dist/hyplay.cjs' });
    expect(pkg.scripts.prepare).toBe('node scripts/build.mjs');
    const bin = readFileSync(join(root, pkg.bin.hyplay), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(bin).not.toMatch(/tsx/);
    expect(statSync(join(root, pkg.bin.hyplay)).mode & 0o111).not.toBe(0);
  });

  it('runs `node dist/hyplay.cjs asm arm32 "hvc #0"` and exits 2 with one clean line on an error', () => {
    const ok = spawnSync(process.execPath, [pkg.bin.hyplay, 'asm', 'arm32', 'hvc #0'], { cwd: root, encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('0x00000000:  70 00 40 e1  hvc #0\n');
    expect(ok.status).toBe(0);
    const bad = spawnSync(process.execPath, [pkg.bin.hyplay, 'asm', 'arm32', 'mov r0, r16'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe("hyplay: <text>:1:9: unknown register 'r16'\n");
  });

  it('runs the bundle with the code cache the build wrote, which V8 accepts', () => {
    for (const args of [['--help'], ['dispatch', 'arm32', 'hvc', 'r0=1'], ['asm', 'arm32', 'nop']]) {
      const result = spawnSync(process.execPath, [pkg.bin.hyplay, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, HYPLAY_CODE_CACHE_STATUS: '1' } });
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('hyplay: code cache accepted\n');
    }
  });

  it('runs through its #! line, from another directory, and prints the version in package.json', () => {
    const result = spawnSync(join(root, pkg.bin.hyplay), ['--version'], { cwd: tmpdir(), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${pkg.version}\n`);
    expect(result.status).toBe(0);
  });
});
