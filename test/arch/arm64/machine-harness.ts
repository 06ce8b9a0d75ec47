/**
 * Test helpers for running small A64 programs on a fresh arm64 machine:
 * code at {@link CODE}, vector tables at {@link VBAR1} (VBAR_EL1) and
 * {@link VBAR2} (VBAR_EL2) whose every slot is `wfi` unless a test puts
 * code there, and a data page.
 *
 * @module
 */

import { expect } from 'vitest';
import { ARM64_INSTRUCTION_SET, createArm64Machine } from '../../../arch/arm64/core.ts';
import type { Arm64State } from '../../../arch/arm64/registers.ts';
import { assemble } from '../../../src/isa/assembler.ts';
import type { EngineName } from '../../../src/interp/backend.ts';
import type { RunResult } from '../../../src/interp/interpreter.ts';
import type { CoreMachine } from '../../../src/interp/machine.ts';
import { TraceRecorder, type TraceEvent } from '../../../src/interp/trace.ts';

/** Where programs are loaded. */
export const CODE = 0x8_0000;
/** VBAR_EL1. */
export const VBAR1 = 0x1_0000;
/** VBAR_EL2. */
export const VBAR2 = 0x2_0000;
/** A mapped data page. */
export const DATA = 0x4_0000;

/** An arm64 machine. */
export type Arm64Machine = CoreMachine<Arm64State>;

/** A machine in `mode` with code, both vector tables (every slot `wfi`) and data mapped; `source` at {@link CODE}. */
export function machineWith(source: string, mode = 'el1h', vectors: { el1?: string; el2?: string } = {}, engine: EngineName = 'jit'): Arm64Machine {
  const machine = createArm64Machine({ engine });
  machine.memory.map(CODE, 0x1_0000);
  machine.memory.map(DATA, 0x1000);
  for (const [base, code] of [[VBAR1, vectors.el1], [VBAR2, vectors.el2]] as const) {
    machine.memory.map(base, 0x800);
    const slots = assemble(ARM64_INSTRUCTION_SET, Array.from({ length: 0x800 / 4 }, () => 'wfi').join('\n'), base);
    machine.memory.load(base, slots.bytes);
    if (code !== undefined) machine.memory.load(base, assemble(ARM64_INSTRUCTION_SET, code, base).bytes);
  }
  machine.setRegister('vbar_el1', BigInt(VBAR1));
  machine.setRegister('vbar_el2', BigInt(VBAR2));
  machine.memory.load(CODE, assemble(ARM64_INSTRUCTION_SET, source, CODE).bytes);
  machine.setMode(mode);
  machine.pc = CODE;
  return machine;
}

/** Run to the first stop and return it with the trace events. */
export function run(machine: Arm64Machine, maxSteps = 1000): { result: RunResult; events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  machine.trace = { emit: (event) => events.push(event) };
  const result = machine.run(maxSteps);
  return { result, events };
}

/** Run, expecting a `wfi` stop (the program's own, or a vector slot's). */
export function runToWfi(machine: Arm64Machine, maxSteps = 1000): TraceEvent[] {
  const { result, events } = run(machine, maxSteps);
  expect(result.reason, result.detail).toBe('wfi');
  return events;
}

/** A trace recorder, for tests of recorded runs. */
export function recorder(): TraceRecorder {
  return new TraceRecorder();
}
