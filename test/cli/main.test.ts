/**
 * The command on first contact: help for the program and every command
 * group, `--version`, `--json` errors, files on standard input, raw
 * binaries for `disasm`, plain words for file errors and escaped control
 * bytes. In-process through `runCli`, and through the built binary where
 * the process itself matters (standard input, the lazy loading).
 */

import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorJson } from '../../src/cli/main.ts';
import { BACKEND_NAMES } from '../../src/di/container.ts';
import { hyplay, ROOT } from '../support/binary.ts';
import { cli, json } from '../support/cli.ts';

const TMP = mkdtempSync(join(tmpdir(), 'hyplay-main-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const COMMANDS = ['asm', 'disasm', 'run', 'dispatch', 'collisions', 'abi', 'abi-docs', 'conformance', 'scenario', 'reset-matrix', 'bench', 'start'];

function listed(help: string, names: readonly string[]): void {
  for (const name of names) expect(help).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
}

describe('help', () => {
  it('`hyplay` alone prints the full command list on stdout, status 0', () => {
    const result = cli();
    expect(result.status).toBe(0);
    expect(result.err).toEqual([]);
    expect(result.out).toMatch(/^Usage: hyplay /);
    listed(result.out, COMMANDS);
  });

  it.each([
    ['abi', ['list', 'show']],
    ['scenario', ['list', 'run']],
  ])('`hyplay %s` (a group without its subcommand) prints its full command list', (group, subcommands) => {
    const result = cli(group);
    expect(result.status).toBe(0);
    expect(result.err).toEqual([]);
    expect(result.out).toMatch(new RegExp(`^Usage: hyplay ${group} `));
    listed(result.out, subcommands);
  });

  it('--help, and help for one command', () => {
    listed(cli('--help').out, COMMANDS);
    const run = cli('run', '--help');
    expect(run.status).toBe(0);
    for (const option of ['--firmware', '--break', '--dump', '--regs', '--engine', '--mode', '--max-steps', '--trace', '--json']) expect(run.out).toContain(option);
  });

  it('the binary prints the same without loading a backend', () => {
    const result = hyplay([]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    listed(result.stdout, COMMANDS);
    const group = hyplay(['abi']);
    expect(group.status).toBe(0);
    listed(group.stdout, ['list', 'show']);
  });
});

describe('--version', () => {
  it.each(['--version', '-V'])('%s prints the version in package.json', (flag) => {
    expect(cli(flag)).toEqual({ status: 0, out: `${VERSION}\n`, err: [] });
  });
});

describe('--json errors: {"error":{message,input,line,column}} on stdout too, exit 2', () => {
  it('an assembly error carries the input and its position', () => {
    const result = cli('asm', 'arm32', 'nop; mov r0, r16', '--json');
    expect(result.status).toBe(2);
    expect(result.err).toEqual(["hyplay: <text>:1:14: unknown register 'r16'"]);
    expect(JSON.parse(result.out)).toEqual({ error: { message: "<text>:1:14: unknown register 'r16'", input: '<text>', line: 1, column: 14 } });
  });

  it.each([
    [['disasm', 'arm32', 'zz', '--json'], { message: "bad hex 'zz' (argument 1, column 1)" }],
    [['asm', 'arm32', 'nop', '--frob', '--json'], { message: "unknown option '--frob'" }],
    [['run', 'arm32', '/nonexistent/x.s', '--json'], { message: "cannot read '/nonexistent/x.s': no such file", input: '/nonexistent/x.s' }],
    [['run', 'arm32', '/nonexistent/x.s', '--max-steps', '0', '--json'], { message: '--max-steps: 0 is out of range 1..1000000000', input: '--max-steps' }],
    [['asm', 'arm99', 'nop', '--json'], { message: `unknown architecture 'arm99' (one of ${BACKEND_NAMES.join(', ')})`, input: 'argument 1' }],
    [['abi', 'show', 'nope', '--json'], { message: expect.stringMatching(/^abi show: unknown ABI 'nope'/) }],
  ])('%j', (argv, error) => {
    const result = cli(...argv);
    expect(result.status).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(JSON.parse(result.out)).toEqual({ error });
    expect(result.err[0]).toBe(`hyplay: ${JSON.parse(result.out).error.message}`);
  });

  it('no error object without --json, and none for --json after --', () => {
    expect(cli('asm', 'arm32', 'frob').out).toBe('');
    expect(errorJson('m', { input: 'x', column: 3 })).toBe(JSON.stringify({ error: { message: 'm', input: 'x', column: 3 } }, undefined, 2));
  });
});

describe('files: - for standard input, raw binaries, plain words', () => {
  it('asm --file - reads standard input', () => {
    const result = hyplay(['asm', 'arm32', '--file', '-'], { input: 'mov r0, #1\nhvc #0\n' });
    expect(result).toMatchObject({ status: 0, stderr: '', stdout: '0x00000000:  01 00 a0 e3  mov r0, #1\n0x00000004:  70 00 40 e1  hvc #0\n' });
  });

  it('disasm --file F disassembles a raw binary, a short tail as .byte', () => {
    const path = join(TMP, 'raw.bin');
    writeFileSync(path, Uint8Array.from([0x70, 0x00, 0x40, 0xe1, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(json('disasm', 'arm32', '--file', path, '--base', '0x8000').instructions).toEqual([
      { address: '0x00008000', bytes: '70 00 40 e1', text: 'hvc #0' },
      { address: '0x00008004', bytes: 'ff ff ff ff', text: '.inst 0xffffffff' },
      { address: '0x00008008', bytes: '01', text: '.byte 0x01' },
    ]);
  });

  it('disasm --file - reads the bytes from standard input', () => {
    const result = hyplay(['disasm', 'ppc64', '--file', '-'], { input: Buffer.from([0x44, 0x00, 0x00, 0x22]) });
    expect(result).toMatchObject({ status: 0, stderr: '', stdout: '0x00000000:  44 00 00 22  sc 1\n' });
  });

  it.each([
    [() => ['disasm', 'arm32', '--file', join(TMP, 'empty.bin')], () => `hyplay: disasm: '${join(TMP, 'empty.bin')}' is empty`],
    [() => ['disasm', 'arm32', '70004e01', '--file', join(TMP, 'raw.bin')], () => 'hyplay: disasm: give either HEX… or --file F'],
    [() => ['disasm', 'arm32', '--file', join(TMP, 'missing.bin')], () => `hyplay: cannot read '${join(TMP, 'missing.bin')}': no such file`],
    [() => ['asm', 'arm32', '--file', TMP], () => `hyplay: cannot read '${TMP}': is a directory`],
    [() => ['run', 'arm32', join(TMP, 'raw.bin', 'x.s')], () => `hyplay: cannot read '${join(TMP, 'raw.bin', 'x.s')}': not a directory`],
  ])('%s', (argv, expected) => {
    writeFileSync(join(TMP, 'empty.bin'), '');
    writeFileSync(join(TMP, 'raw.bin'), 'x');
    const result = cli(...argv());
    expect(result.status).toBe(2);
    expect(result.err).toEqual([expected()]);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file is `permission denied` (skipped as root, who can read anything)', () => {
    const path = join(TMP, 'secret.s');
    writeFileSync(path, 'nop\n');
    chmodSync(path, 0o000);
    expect(cli('asm', 'arm32', '--file', path).err).toEqual([`hyplay: cannot read '${path}': permission denied`]);
  });

  it('control bytes from binary input are escaped in the message, which stays one printable line', () => {
    const path = join(TMP, 'binary.s');
    writeFileSync(path, Buffer.from([0x01, 0x02, 0x1b, 0x5b, 0x32, 0x4a, 0x20, 0x72, 0x30, 0x0a]));
    const result = cli('asm', 'arm32', '--file', path);
    expect(result.status).toBe(2);
    expect(result.err).toEqual([`hyplay: ${path}:1:1: unknown mnemonic '\\x01\\x02\\x1b[2J'`]);
    const invalid = hyplay(['asm', 'arm32', '--file', '-'], { input: Buffer.from([0x6e, 0x6f, 0x70, 0xff, 0x0a]) });
    expect(invalid.stderr).toBe("hyplay: <stdin>:1:1: unknown mnemonic 'nop\\u{fffd}'\n");
  });
});
