/**
 * A small x86-64 machine harness: assemble AT&T source at the load address,
 * map a stack, and build the system tables a guest needs for exceptions
 * (a flat GDT with Linux's selectors and a 64-bit TSS, a 16-byte-gate IDT)
 * in guest memory, the way a kernel's early boot code does.
 */

import { createX86Machine, X86_INSTRUCTION_SETS, type X86Machine } from '../../../arch/x86_64/core.ts';
import type { X86TranslatorOptions } from '../../../arch/x86_64/jit/translator.ts';
import type { Vendor } from '../../../arch/x86_64/registers.ts';
import type { EngineName } from '../../../src/interp/backend.ts';
import { assemble } from '../../../src/isa/assembler.ts';

/** Where programs load. */
export const LOAD = 0x10_0000;
/** Top of the kernel stack (RSP at start). */
export const STACK_TOP = 0x20_0000;
/** Top of the CPL-0 stack the TSS gives (RSP0). */
export const RSP0 = 0x30_0000;
/** Top of the IST1 stack. */
export const IST1 = 0x38_0000;
/** The GDT, IDT and TSS. */
export const GDT = 0x40_0000;
/** The IDT (256 gates). */
export const IDT = 0x40_1000;
/** The 64-bit TSS. */
export const TSS = 0x40_2000;

/** A gate to install: handler address, DPL, IST slot, type (14 interrupt, 15 trap). */
export interface Gate {
  readonly offset: number;
  readonly dpl?: number;
  readonly ist?: number;
  readonly type?: number;
}

/** Assemble `source` and load it; map the stacks and the tables. */
export function machineWith(source: string, options: { vendor?: Vendor; gates?: Readonly<Record<number, Gate>>; engine?: EngineName; translation?: X86TranslatorOptions } = {}): { machine: X86Machine; labels: ReadonlyMap<string, number> } {
  const machine = createX86Machine({ vendor: options.vendor ?? 'intel', ...(options.engine === undefined ? {} : { engine: options.engine }), ...(options.translation === undefined ? {} : { translation: options.translation }) });
  const program = assemble(X86_INSTRUCTION_SETS.att, source, LOAD);
  machine.memory.load(LOAD, program.bytes);
  machine.memory.map(STACK_TOP - 0x1_0000, 0x1_0000);
  machine.memory.map(RSP0 - 0x1_0000, 0x1_0000);
  machine.memory.map(IST1 - 0x1_0000, 0x1_0000);
  machine.memory.map(GDT, 0x3000);
  const m = machine.memory;
  const gdt: [number, bigint][] = [
    [0x10, 0x00af_9b00_0000_ffffn],
    [0x18, 0x00cf_9300_0000_ffffn],
    [0x23, 0x00cf_fb00_0000_ffffn],
    [0x2b, 0x00cf_f300_0000_ffffn],
    [0x33, 0x00af_fb00_0000_ffffn],
  ];
  for (const [selector, value] of gdt) m.write64(GDT + (selector & ~7), value);
  // 64-bit available TSS at 0x40: limit 0x67, type 9, present.
  const tss = BigInt(TSS);
  m.write64(GDT + 0x40, 0x67n | ((tss & 0xff_ffffn) << 16n) | (0x89n << 40n) | (((tss >> 24n) & 0xffn) << 56n));
  m.write64(GDT + 0x48, tss >> 32n);
  m.write64(TSS + 4, BigInt(RSP0));
  m.write64(TSS + 0x24, BigInt(IST1));
  for (const [vector, gate] of Object.entries(options.gates ?? {})) {
    const offset = BigInt(gate.offset);
    const attr = 0x80n | (BigInt(gate.dpl ?? 0) << 5n) | BigInt(gate.type ?? 14);
    const low = (offset & 0xffffn) | (0x10n << 16n) | (BigInt(gate.ist ?? 0) << 32n) | (attr << 40n) | (((offset >> 16n) & 0xffffn) << 48n);
    m.write64(IDT + 16 * Number(vector), low);
    m.write64(IDT + 16 * Number(vector) + 8, offset >> 32n);
  }
  machine.setRegister('gdtr_base', BigInt(GDT));
  machine.setRegister('gdtr_limit', 0x4fn);
  machine.setRegister('idtr_base', BigInt(IDT));
  machine.setRegister('idtr_limit', 0xfffn);
  machine.setRegister('tr', 0x40n);
  machine.setRegister('tr_base', BigInt(TSS));
  machine.setRegister('rsp', BigInt(STACK_TOP));
  machine.pc = LOAD;
  const labels = program.symbols;
  return { machine, labels };
}

/** A 64-bit value on the stack. */
export function stackWord(machine: X86Machine, address: bigint | number): bigint {
  return machine.memory.read64(Number(address))!;
}
