/**
 * A machine with a 32-bit task: the harness's 64-bit kernel (GDT with
 * Linux's selectors, TSS, IDT), plus 32-bit code assembled as llvm-mc
 * `-triple=i386` would at {@link CODE32}, entered at CPL 3 in compatibility
 * mode (CS = __USER32_CS 0x23 with D = 1, L = 0; SS = __USER_DS 0x2b, B = 1).
 */

import { X86_CODE32_INSTRUCTION_SETS } from '../../../arch/x86_64/operands.ts';
import { codeAttr, dataAttr, type Vendor } from '../../../arch/x86_64/registers.ts';
import type { X86Machine } from '../../../arch/x86_64/core.ts';
import type { EngineName } from '../../../src/interp/backend.ts';
import { assemble } from '../../../src/isa/assembler.ts';
import { machineWith, type Gate } from './machine-harness.ts';

/** Where the 32-bit code loads. */
export const CODE32 = 0x50_0000;
/** Top of the 32-bit task's stack (ESP at start). */
export const USER_STACK = 0x60_0000;

/** Assemble 32-bit AT&T source at `address`. */
export function assemble32(source: string, address = CODE32): { bytes: Uint8Array; symbols: ReadonlyMap<string, number> } {
  const program = assemble(X86_CODE32_INSTRUCTION_SETS.att, source, address);
  return { bytes: program.bytes, symbols: program.symbols };
}

/** Put the machine in compatibility mode at CPL 3 (what a `sysretl` or `iretq` to __USER32_CS leaves), at `pc`. */
export function enterCompat(machine: X86Machine, pc: number, esp = USER_STACK): void {
  machine.setRegister('cs', 0x23n);
  machine.setRegister('cs_attr', BigInt(codeAttr(3, false)));
  machine.setRegister('ss', 0x2bn);
  machine.setRegister('ss_attr', BigInt(dataAttr(3)));
  machine.setRegister('cpl', 3n);
  machine.setRegister('rsp', BigInt(esp));
  machine.pc = pc;
}

/**
 * A machine whose 64-bit kernel (`kernel`, at the harness's load address)
 * has the `int $0x80` gate (DPL 3) at its label `int80` and the #UD gate at
 * `ud` when it has one, with the 32-bit code `code32` loaded at
 * {@link CODE32} and the machine in compatibility mode there.
 */
export function compatMachine(
  code32: string,
  kernel = 'int80:\n  hlt\n',
  options: { vendor?: Vendor; engine?: EngineName; gates?: Readonly<Record<number, Gate>> } = {},
): { machine: X86Machine; labels: ReadonlyMap<string, number>; labels32: ReadonlyMap<string, number> } {
  const probe = machineWith(kernel);
  const gates: Record<number, Gate> = { 0x80: { offset: probe.labels.get('int80')!, dpl: 3 }, ...(options.gates ?? {}) };
  if (probe.labels.has('ud')) gates[6] = { offset: probe.labels.get('ud')! };
  const { machine, labels } = machineWith(kernel, { vendor: options.vendor ?? 'intel', gates, ...(options.engine === undefined ? {} : { engine: options.engine }) });
  const program = assemble32(code32);
  machine.memory.load(CODE32, program.bytes);
  machine.memory.map(USER_STACK - 0x1_0000, 0x1_0000);
  enterCompat(machine, CODE32);
  return { machine, labels, labels32: program.symbols };
}
