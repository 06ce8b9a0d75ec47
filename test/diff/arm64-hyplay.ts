/**
 * Run an A64 differential case in hyplay: a fresh arm64 machine at EL1h,
 * the sequence at its slot, the data page mapped, and an EL1 vector table
 * of `wfi`s so that an exception ends the run where it can be read: ELR_EL1
 * is the instruction that raised it, ESR_EL1.EC says what it was, SPSR_EL1
 * holds the NZCV it saw.
 *
 * @module
 */

import { createArm64Machine } from '../../arch/arm64/core.ts';
import { Ec } from '../../arch/arm64/exceptions.ts';
import type { Arm64State } from '../../arch/arm64/registers.ts';
import { restoreState, snapshotState } from '../../src/cpu/plain-state.ts';
import type { CoreMachine } from '../../src/interp/machine.ts';
import { ARM64_SYSTEM_REGISTERS, CODE_REGION, CODE_REGION_SIZE, DATA, DATA_SIZE, TERMINATOR } from './arm64-generator.ts';
import { copyIn, copyOut, type DiffCase, type Outcome } from './differential.ts';

/** VBAR_EL1 (only hyplay has vectors; the reference reports exceptions itself). */
const VBAR = 0x3_0000;
const EMPTY_CODE = new Uint8Array(CODE_REGION_SIZE);
const EMPTY_DATA = new Uint8Array(DATA_SIZE);

/** The registers compared on A64, in listing order. */
export const ARM64_COMPARED = [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'pc', 'nzcv', ...ARM64_SYSTEM_REGISTERS] as const;

/** The exception names both sides use, by ESR_EL1.EC (D13.2.37). */
const EXCEPTIONS: ReadonlyMap<number, string> = new Map([
  [Ec.unknown, 'undefined'],
  [Ec.dabtCurrent, 'data-abort'],
  [Ec.iabtCurrent, 'prefetch-abort'],
  [Ec.pcAlignment, 'prefetch-abort'],
  [Ec.spAlignment, 'data-abort'],
]);

interface Runner {
  readonly machine: CoreMachine<Arm64State>;
  readonly pristine: Arm64State;
}

let runner: Runner | undefined;

function setUp(): Runner {
  const machine = createArm64Machine();
  const memory = machine.memory;
  memory.map(CODE_REGION, CODE_REGION_SIZE);
  memory.map(DATA, DATA_SIZE);
  memory.map(VBAR, 0x800);
  for (let offset = 0; offset < 0x800; offset += 4) memory.write32(VBAR + offset, TERMINATOR);
  machine.setRegister('vbar_el1', BigInt(VBAR));
  machine.setMode('el1h');
  return { machine, pristine: snapshotState(machine.state) };
}

/** Run `c` to its end (or its first exception) and read the state. */
export function runArm64InHyplay(c: DiffCase): Outcome {
  runner ??= setUp();
  const { machine } = runner;
  const memory = machine.memory;
  restoreState(machine.state, runner.pristine);
  copyIn(memory, CODE_REGION, EMPTY_CODE);
  c.instructions.forEach((instruction, i) => memory.write32(c.code + 4 * i, instruction.word));
  const end = c.code + 4 * c.instructions.length;
  memory.write32(end, TERMINATOR);
  copyIn(memory, DATA, EMPTY_DATA);
  for (const block of c.memory) copyIn(memory, block.base, block.bytes);
  machine.interpreter.flush();
  for (const [name, value] of Object.entries(c.registers)) machine.setRegister(name, value);
  machine.pc = c.code;
  const result = machine.run(c.instructions.length + 2);
  const registers: Record<string, bigint> = {};
  for (const name of ARM64_COMPARED) registers[name] = machine.register(name);
  const data = [{ base: DATA, bytes: copyOut(memory, DATA, DATA_SIZE) }];
  const vector = result.pc - 4 - VBAR;
  if (result.reason === 'wfi' && result.pc === end + 4) {
    registers.pc = BigInt(end);
    return { end: { kind: 'completed' }, registers, memory: data };
  }
  if (result.reason !== 'wfi' || vector !== 0x200) {
    return { end: { kind: 'stopped', reason: result.reason, detail: `${result.detail} (in ${machine.mode()})` }, registers, memory: data };
  }
  // Taken at EL1 from EL1h (current EL, SP_ELx: +0x200): the registers are the ones the instruction saw, NZCV is in SPSR_EL1.
  const esr = Number(machine.register('esr_el1'));
  const at = Number(machine.register('elr_el1'));
  registers.pc = BigInt(at);
  registers.nzcv = machine.register('spsr_el1') & 0xf000_0000n;
  const ec = esr >>> 26;
  const exception = EXCEPTIONS.get(ec) ?? `ec 0x${ec.toString(16)}`;
  return { end: { kind: 'exception', exception, at, detail: `ESR_EL1 0x${esr.toString(16)}, FAR_EL1 0x${machine.register('far_el1').toString(16)}` }, registers, memory: data };
}
