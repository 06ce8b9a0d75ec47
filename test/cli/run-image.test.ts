/**
 * `hyplay run --image` and `hyplay boot` as a user drives them: an ELF
 * linked by ld.lld-14 with its symbols in the trace, raw bytes at --load,
 * the HVC seen by the dispatcher, and one-line errors for bad images and
 * options.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliAsync } from '../support/cli.ts';
import { tempFiles } from '../support/temp-files.ts';

const { dir, file } = tempFiles('run-image');
const tools = ['llvm-mc', 'ld.lld-14'].filter((tool) => spawnSync(tool, ['--version']).status !== 0);
if (tools.length > 0) console.warn(`skipping the linked-image CLI tests: ${tools.join(', ')} not installed`);

const PROGRAM = `
        .globl start
start:  mov     r0, #42
        bl      helper
        hvc     #0
helper: add     r0, r0, #1
        bx      lr
`;

function linked(triple: string, source: string, name: string): string {
  const object = join(dir, `${name}.o`);
  const executable = join(dir, `${name}.elf`);
  expect(spawnSync('llvm-mc', [`-triple=${triple}`, '-mattr=+virtualization', '-filetype=obj', file(source), '-o', object].filter((a) => triple === 'armv7a' || !a.startsWith('-mattr'))).status).toBe(0);
  expect(spawnSync('ld.lld-14', ['-N', '-Ttext=0x40010000', '-e', 'start', object, '-o', executable]).status).toBe(0);
  return executable;
}

/** The one stderr line of a failed command, which must exit 2 with nothing on stdout. */
async function failure(...argv: string[]): Promise<string> {
  const result = await cliAsync(...argv);
  expect(result.status).toBe(2);
  expect(result.out).toBe('');
  expect(result.err).toHaveLength(1);
  return result.err[0]!;
}

describe.skipIf(tools.length > 0)('run --image with an ELF', () => {
  it('loads the PT_LOAD segments, enters at e_entry and names each address by its symbol', async () => {
    const elf = linked('armv7a', PROGRAM, 'arm');
    const result = await cliAsync('run', 'arm32', '--image', elf, '--mode', 'svc', '--max-steps', '4', '--trace', '--regs', 'r0');
    expect(result.status).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe('image: ELF32; e_entry 0x40010000, 2 symbols');
    expect(lines).toContain('0x40010000 svc  2a 00 a0 e3  mov r0, #42  <start>');
    expect(lines).toContain('0x40010004 svc  00 00 00 eb  bl #0  <start+0x4>');
    expect(lines).toContain('0x40010010 svc  1e ff 2f e1  bx lr  <helper+0x4>');
    expect(lines.at(-1)).toContain('r0 0x0000002b');
  });

  it('takes symbols for --break and --entry', async () => {
    const elf = linked('armv7a', PROGRAM, 'arm-break');
    const stopped = await cliAsync('run', 'arm32', '--image', elf, '--mode', 'svc', '--break', 'helper', '--json');
    expect(JSON.parse(stopped.out).stop).toMatchObject({ reason: 'breakpoint', pc: '0x4001000c' });
    const entered = await cliAsync('run', 'arm32', '--image', elf, '--mode', 'svc', '--entry', 'helper', '--max-steps', '1', '--json', 'r0=5');
    expect(JSON.parse(entered.out).registers.r0).toBe('0x00000006');
  });

  it('boot shows the hvc with the dispatcher reading it, from the mode the image called in', async () => {
    const elf = linked('armv7a', PROGRAM, 'arm-boot');
    const result = await cliAsync('boot', 'arm32', '--image', elf, '--mode', 'svc', '--max-steps', '10', '--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.out);
    expect(report.modes).toEqual(['svc', 'hyp']);
    expect(report.events[0]).toMatch(/^-- exception hyp-trap: hvc #0 from svc; svc -> hyp/);
    expect(report.hvcs).toEqual([expect.objectContaining({ conduit: 'hvc', imm: 0, from: 'svc', selector: 'r0=0x2b' })]);
    expect(report.events.some((line: string) => line.startsWith('-- dispatch'))).toBe(true);
    expect(report.eventCount).toBe(report.events.length);
    const kept = JSON.parse((await cliAsync('boot', 'arm32', '--image', elf, '--mode', 'svc', '--max-steps', '10', '--max-events', '2', '--json')).out);
    expect(kept.eventCount).toBe(report.eventCount);
    expect(kept.events).toEqual([report.events[0], `... ${report.eventCount - 2} event line${report.eventCount === 3 ? '' : 's'} not kept (--max-events 2) ...`, report.events.at(-1)]);
    expect(await failure('boot', 'arm32', '--image', elf, '--max-events', '1')).toBe('hyplay: --max-events: 1 is out of range 2..10000000');
  });

  it('refuses an ELF for another machine', async () => {
    const elf = linked('aarch64', '.globl start\nstart: ret\n', 'a64');
    expect(await failure('run', 'arm32', '--image', elf)).toMatch(/^hyplay: .*a64\.elf: offset 0x12: ELF: e_machine 183 is not one this architecture runs \(40\)$/);
  });
});

describe('run --image', () => {
  it('puts raw bytes at --load and enters there', async () => {
    const raw = file(new Uint8Array([0x2a, 0x00, 0xa0, 0xe3]), '.bin');
    const report = JSON.parse((await cliAsync('run', 'arm32', '--image', raw, '--load', '0x40100000', '--max-steps', '1', '--json')).out);
    expect(report.image).toMatchObject({ format: 'raw', entry: '0x40100000', mode: 'hyp' });
    expect(report.registers.r0).toBe('0x0000002a');
  });

  it('checks --break and --entry as PCs of the machine: 32 bits on arm32, a 64-bit value on arm64 held in the signed representation', async () => {
    const raw = file(new Uint8Array([0x1f, 0x20, 0x03, 0xd5]), '.bin');
    expect(await failure('run', 'arm32', '--image', raw, '--load', '0x40100000', '--break', '0x100000000')).toBe('hyplay: --break: 0x100000000 is out of range 0..0xffffffff');
    expect(await failure('run', 'arm64', '--image', raw, '--load', '0x40100000', '--break', '0x8000000000000000')).toBe(
      'hyplay: --break: 0x8000000000000000 cannot be a PC: hyplay holds 64-bit addresses in their signed representation, exact within ±2^53 (every canonical address is)',
    );
    expect(await failure('run', 'arm64', '--image', raw, '--load', '0x40100000', '--entry', '0x10000000000000000')).toBe('hyplay: --entry: 0x10000000000000000 is out of range 0..0xffffffffffffffff');
    // An upper-half PC is accepted (nothing maps it with the MMU off, so the fetch there is the architecture's fault).
    const report = JSON.parse((await cliAsync('run', 'arm64', '--image', raw, '--load', '0x40100000', '--entry', '0xffff800008000000', '--max-steps', '1', '--json')).out);
    expect(report.image.entry).toBe('0xffff800008000000');
  });

  /** A well-formed zImage header with no payload after it. */
  function validZimage(): Uint8Array {
    const bytes = new Uint8Array(0x100);
    const view = new DataView(bytes.buffer);
    view.setUint32(0x24, 0x016f2818, true);
    view.setUint32(0x2c, 0x100, true);
    view.setUint32(0x30, 0x04030201, true);
    return bytes;
  }

  it('gives one-line errors for bad images and options', async () => {
    const raw = file(new Uint8Array(4), '.bin');
    const zimage = new Uint8Array(0x40);
    new DataView(zimage.buffer).setUint32(0x24, 0x016f2818, true);
    new DataView(zimage.buffer).setUint32(0x2c, 0x1000, true);
    new DataView(zimage.buffer).setUint32(0x30, 0x04030201, true);
    expect(await failure('run', 'arm32', '--image', file(zimage, '.zimage'))).toMatch(/offset 0x2c: zImage: the header says 4096 bytes but the file has 64$/);
    expect(await failure('run', 'arm32', '--image', join(dir, 'missing.bin'))).toMatch(/^hyplay: cannot read '.*missing\.bin': no such file$/);
    expect(await failure('run', 'arm32', '--image', raw, '--ram', '0x40000000')).toBe("hyplay: --ram: '0x40000000' is not BASE:SIZE (e.g. 0x40000000:256M)");
    expect(await failure('run', 'arm32', '--image', raw, '--ram', '0x40000100:1M')).toBe('hyplay: --ram: base 0x40000100 is not a non-negative multiple of 4096');
    expect(await failure('run', 'arm32', '--image', raw, '--load', '0x100')).toMatch(/raw: 4 bytes at 0x100 do not fit in RAM 0x40000000\.\.0x50000000$/);
    expect(await failure('run', 'ppc64', '--image', raw)).toBe('hyplay: --image: ppc64 cannot boot images yet');
    expect(await failure('run', 'arm32', '--image', raw, '--firmware', 'linux-hyp-stub-v4.12')).toBe('hyplay: --firmware does not go with --image');
    expect(await failure('run', 'arm32', file('nop\n'), '--ram', '0x40000000:1M')).toBe('hyplay: --ram goes with --image only');
    expect(await failure('boot', 'arm32', '--image', raw, '--tail', '0')).toBe('hyplay: --tail: 0 is out of range 1..4096');
    expect(await failure('boot', 'arm32', '--image', raw, '--payload')).toMatch(/raw\.bin|\.bin: offset 0x0: the image is not a self-decompressing one \(zImage\): boot it without the payload option$/);
    expect(await failure('run', 'arm32', '--image', file(validZimage(), '.zimage'), '--payload')).toMatch(/offset 0x34: zImage: no XZ payload found \(gzip, LZMA, LZO and LZ4 payloads are not undone\)$/);
    expect(await failure('run', 'arm32', file('nop\n'), '--payload')).toBe('hyplay: --payload goes with --image only');
    expect(readFileSync(raw)).toEqual(Buffer.alloc(4));
  });
});
