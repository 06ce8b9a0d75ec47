/**
 * Debian's own ppc64el kernel (issue 12 §2), code nobody here wrote: its
 * entry path from `__start`, its boot past the branch to its 0xc000… link
 * addresses (real mode ignores EA bits 0:3) as far as it goes without a
 * device tree, and leaf routines of its own that use the
 * forms hyplay added for it, called directly (r3.. arguments, LR at a
 * `wait`), in little-endian hypervisor real mode. The ELF's one PT_LOAD
 * goes at its physical address 0, as a kexec or skiboot loader puts it.
 * Skips, with the reason printed, without the image
 * (`scripts/kernel-images.sh` fetches it).
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPpc64Machine } from '../../../arch/ppc64/core.ts';
import type { ExceptionEvent, StepEvent, TraceEvent } from '../../../src/interp/trace.ts';
import { parseElf, type ElfFile } from '../../../src/loader/elf.ts';
import { kernelImage } from '../../support/kernel-images.ts';
import type { Ppc64Machine } from './machine-harness.ts';

const image = kernelImage('ppc64el');
const elf: ElfFile | undefined = image.skip === undefined ? parseElf(new Uint8Array(readFileSync(image.path))) : undefined;

/** The kernel's linear-map base: its link addresses are 0xc000… over physical 0. */
const KERNEL_BASE = 0xc000_0000_0000_0000n;
/** RAM from 0 (the image is about 41 MiB with its .bss). */
const RAM = 0x400_0000;
/** Scratch data for the routines, far above the image. */
const SCRATCH = 0x380_0000;
/** Where the called routines return to: a `wait` (0x7c00003c). */
const RETURN = 0x3f0_0000;
/** The stack top. */
const STACK = 0x3e0_0000;

/** A symbol's link address (0xc000…). */
function linked(name: string): bigint {
  const symbol = elf!.symbols.find((s) => s.name === name);
  if (symbol === undefined) throw new Error(`no symbol ${name} in ${image.skip === undefined ? image.path : ''}`);
  return symbol.value;
}

function physical(name: string): number {
  return Number(linked(name) - KERNEL_BASE);
}

/** The symbol an address (physical or kernel-virtual) falls in, as `name+0xoff`. */
function symbolAt(address: number): string {
  const virtual = (BigInt(address) & 0x0fff_ffff_ffffn) | KERNEL_BASE;
  let best: { name: string; value: bigint } | undefined;
  for (const s of elf!.symbols) if (s.value <= virtual && (best === undefined || s.value > best.value)) best = s;
  return best === undefined ? `0x${address.toString(16)}` : `${best.name}+0x${(virtual - best.value).toString(16)}`;
}

function machine(engine: 'jit' | 'interp' = 'jit'): Ppc64Machine {
  const m = createPpc64Machine({ endian: 'little', engine });
  m.memory.map(0, RAM);
  for (const segment of elf!.segments) m.memory.load(Number(segment.physical), segment.bytes);
  m.memory.load(RETURN, new Uint8Array([0x3c, 0x00, 0x00, 0x7c]));
  m.setMode('hv');
  return m;
}

/** Call the kernel routine `name` with r3.. = `args`, traced; returns the mnemonics it ran, once it returned to the `wait`. */
function call(m: Ppc64Machine, name: string, args: readonly bigint[]): Set<string> {
  const ran = new Set<string>();
  m.trace = { emit: (event: TraceEvent) => void (event.kind === 'step' && ran.add(event.text.split(' ')[0]!)) } as never;
  args.forEach((value, i) => m.setRegister(`r${3 + i}`, value));
  m.setRegister('r1', BigInt(STACK));
  m.setRegister('lr', BigInt(RETURN));
  m.pc = physical(name);
  const result = m.run(1_000_000);
  expect(result.reason, `${name}: ${result.detail}`).toBe('wfi');
  expect(result.pc, `${name} returned to LR`).toBe(RETURN + 4);
  m.trace = undefined;
  return ran;
}

describe.skipIf(elf === undefined)(`Debian's ppc64el kernel (${image.skip === undefined ? image.package : image.skip})`, () => {
  it('runs __start through enable_64b_mode, relative_toc and start_initialization_book3s with no illegal instruction', () => {
    const m = machine('interp');
    const events: TraceEvent[] = [];
    m.trace = { emit: (event: TraceEvent) => void (events.length < 10_000 && events.push(event)) } as never;
    m.pc = 0;
    m.run(2_000);
    const stop = events.findIndex((e) => e.kind === 'exception');
    const steps = events.slice(0, stop < 0 ? undefined : stop).filter((e): e is StepEvent => e.kind === 'step');
    const reached = new Set([...new Set(steps.map((e) => e.address))].map((address) => symbolAt(address).replace(/\+.*$/, '')));
    for (const name of ['start_first_256B', '__start_initialization_multiplatform', 'enable_64b_mode', 'relative_toc', 'start_initialization_book3s']) expect(reached, name).toContain(name);
    const first = events.find((e): e is ExceptionEvent => e.kind === 'exception');
    // The path so far has no form hyplay lacks: whatever stops it is not a program interrupt.
    expect(first?.exception).not.toBe('program');
    console.info(
      `ppc64el kernel: ${steps.length} instructions from __start to ${first === undefined ? 'the budget' : `the first interrupt, ${first.exception} (${first.cause}) at ${symbolAt(first.returnAddress)}`}`,
    );
  });

  it('boots from __start past the branch to its 0xc000… link addresses, through relocate, start_here_multiplatform and early_setup, to the panic of a boot without a device tree', () => {
    // Each named function in turn, as a breakpoint on its global and local (ELFv2: +8) entry; the PC reads as the
    // full 64-bit EA, 0xc000… from __after_prom_start on (real mode ignores EA bits 0:3, so it runs at physical 0…).
    const path = ['__after_prom_start', 'relocate', 'start_here_multiplatform', 'early_setup', 'initialise_paca', 'identify_cpu', '__setup_cpu_power9', 'udbg_early_init', 'early_init_devtree', 'panic'];
    const m = machine('interp');
    m.pc = 0;
    let steps = 0;
    for (const name of path) {
      m.breakpoints.clear();
      m.breakpoints.add(physical(name));
      m.breakpoints.add(physical(name) + 8);
      const result = m.run(3_000_000 - steps);
      steps += result.steps;
      expect(result.reason, `${name}: ${result.detail} at ${symbolAt(result.pc)}`).toBe('breakpoint');
      const at = m.register('pc');
      expect(at === linked(name) || at === linked(name) + 8n, `${name} at 0x${at.toString(16)}`).toBe(true);
    }
    // The kernel's own diagnosis: r3 is panic's message, at its 0xc000… address. No device tree was given (r3 = 0 at entry).
    const message = m.register('r3');
    expect(message >> 60n).toBe(0xcn);
    const bytes = m.memory.readBytes(Number(message - KERNEL_BASE), 64)!;
    expect(new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0)))).toBe('BUG: Failed verifying flat device tree, bad version?');
    expect(m.register('lr') >> 60n).toBe(0xcn);
    // The JIT (which leaves code at 0xc000… addresses to the interpreter) gets to the same state in as many steps.
    const jit = machine('jit');
    jit.pc = 0;
    expect(jit.run(steps).reason).toBe('budget-exhausted');
    expect(jit.registers()).toEqual(m.registers());
    console.info(`ppc64el kernel: ${steps} instructions from __start to panic ("${new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0)))}") from ${symbolAt(Number(m.register('lr') - KERNEL_BASE))}`);
  });

  it("the kernel's copy_and_flush copies doublewords and flushes each block with dcbst, sync, icbi", () => {
    const m = machine();
    const source = SCRATCH;
    const destination = SCRATCH + 0x1000;
    const bytes = Uint8Array.from({ length: 0x200 }, (_, i) => (i * 37 + 11) & 0xff);
    m.memory.load(source, bytes);
    // copy_and_flush(dest r3, src r4, limit r5, offset r6): copies [offset, limit) rounded up to its 64-byte chunks.
    const ran = call(m, 'copy_and_flush', [BigInt(destination), BigInt(source), 0x180n, 0x40n]);
    for (const mnemonic of ['ldx', 'stdx', 'dcbst', 'sync', 'icbi', 'isync']) expect(ran, mnemonic).toContain(mnemonic);
    const copied = m.memory.readBytes(destination, 0x200)!;
    expect([...copied.subarray(0x40, 0x180)]).toEqual([...bytes.subarray(0x40, 0x180)]);
    expect([...copied.subarray(0, 0x40)].every((b) => b === 0)).toBe(true);
  });

  it("the kernel's memcmp (ldbrx on little-endian) orders buffers as bytes do", () => {
    const m = machine();
    const a = Uint8Array.from({ length: 96 }, (_, i) => (i * 13) & 0xff);
    const ran = new Set<string>();
    for (const [length, at, delta, offset] of [[8, 5, 1, 0], [31, 30, -1, 3], [64, 0, 2, 0], [95, 47, -3, 1], [40, 40, 0, 2]] as const) {
      const b = a.slice();
      if (at < length) b[offset + at] = (b[offset + at]! + delta) & 0xff;
      m.memory.load(SCRATCH, a);
      m.memory.load(SCRATCH + 0x100 + offset, b.subarray(offset));
      for (const mnemonic of call(m, 'memcmp', [BigInt(SCRATCH + offset), BigInt(SCRATCH + 0x100 + offset), BigInt(length)])) ran.add(mnemonic);
      const got = BigInt.asIntN(32, m.register('r3'));
      let want = 0;
      for (let i = 0; i < length && want === 0; i++) want = Math.sign(a[offset + i]! - b[offset + i]!);
      expect(Math.sign(Number(got)), `memcmp of ${length} bytes at offset ${offset}`).toBe(want);
    }
    expect(ran).toContain('ldbrx');
  });

  it("the popcntb body of the kernel's __arch_hweight64 (the alternative its feature fixups pick on POWER7 and later) counts bits", () => {
    const m = machine();
    // The unpatched entry branches to __sw_hweight64; the popcntb alternatives follow the nops, 64 bits' at +0x60.
    const entry = physical('__arch_hweight64');
    for (const value of [0n, 1n, 0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0001n, 0x0123_4567_89ab_cdefn]) {
      m.setRegister('r3', value);
      m.setRegister('lr', BigInt(RETURN));
      m.pc = entry + 0x60; // the popcntb 3, 3 ... sequence for 64 bits
      expect(m.run(100).reason).toBe('wfi');
      let ones = 0n;
      for (let v = value; v !== 0n; v >>= 1n) ones += v & 1n;
      expect(m.register('r3'), `hweight64(0x${value.toString(16)})`).toBe(ones);
    }
  });
});
