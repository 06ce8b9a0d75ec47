/**
 * Test helpers for running small Power programs on a fresh ppc64 machine.
 *
 * Programs are assembled with the project's own assembler (whose encodings
 * are pinned elsewhere against llvm-mc) and usually end with `wait`, which
 * stops the run with reason `wfi` and the PC just after it. Page 0 (the
 * real-mode interrupt vectors), the code and a data page are mapped.
 *
 * @module
 */

import { expect } from 'vitest';
import { createPpc64Machine, ppc64InstructionSet } from '../../../arch/ppc64/core.ts';
import type { ModeName, Ppc64State } from '../../../arch/ppc64/registers.ts';
import { assemble, type AssembledProgram } from '../../../src/isa/assembler.ts';
import type { RunResult } from '../../../src/interp/interpreter.ts';
import type { CoreMachine } from '../../../src/interp/machine.ts';
import { TraceRecorder, type ExceptionEvent, type TraceEvent } from '../../../src/interp/trace.ts';
import type { Endian } from '../../../src/memory/guest-memory.ts';
import type { EngineName } from '../../../src/interp/backend.ts';

/** Where test programs are loaded unless a test says otherwise. */
export const CODE = 0x10000;
/** A mapped data page. */
export const DATA = 0x20000;
/** An address nothing maps. */
export const UNMAPPED = 0x7000_0000;

/** MSR bits used in expectations (Book III 4.2.1), as bigints on the whole register. */
export const MSR = {
  SF: 1n << 63n,
  HV: 1n << 60n,
  EE: 0x8000n,
  PR: 0x4000n,
  ME: 0x1000n,
  IR: 0x20n,
  DR: 0x10n,
  RI: 0x2n,
  LE: 0x1n,
} as const;

/** A ppc64 machine. */
export type Ppc64Machine = CoreMachine<Ppc64State>;

/** A fresh machine with page 0, the code pages and the data page mapped. */
export function newMachine(endian: Endian = 'big', engine: EngineName = 'jit'): Ppc64Machine {
  const machine = createPpc64Machine({ endian, engine });
  machine.memory.map(0, 0x2000);
  machine.memory.map(CODE, 0x2000);
  machine.memory.map(DATA, 0x1000);
  return machine;
}

/** Assemble `source` at `base` (in the machine's byte order) and load it. */
export function load(machine: Ppc64Machine, source: string, base: number): AssembledProgram {
  const program = assemble(ppc64InstructionSet(machine.memory.endian), source, base);
  machine.memory.load(base, program.bytes);
  return program;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Starting mode (default `hv`). */
  readonly mode?: ModeName;
  /** Registers to set first. */
  readonly registers?: Readonly<Record<string, bigint>>;
  /** Step budget (default 1000). */
  readonly steps?: number;
  /** Byte order (default big). */
  readonly endian?: Endian;
  /** Handlers to assemble at vectors, by vector address. */
  readonly vectors?: Readonly<Record<number, string>>;
}

/** What {@link run} returns. */
export interface Outcome {
  /** The machine, after the run. */
  readonly machine: Ppc64Machine;
  /** How the run ended. */
  readonly result: RunResult;
  /** Every trace event. */
  readonly events: readonly TraceEvent[];
  /** A register's value. */
  reg(name: string): bigint;
}

function prepare(source: string, options: RunOptions, engine: EngineName): Ppc64Machine {
  const machine = newMachine(options.endian ?? 'big', engine);
  for (const [vector, handler] of Object.entries(options.vectors ?? {})) load(machine, handler, Number(vector));
  load(machine, source, CODE);
  machine.setMode(options.mode ?? 'hv');
  machine.pc = CODE;
  for (const [name, value] of Object.entries(options.registers ?? {})) machine.setRegister(name, value);
  return machine;
}

/**
 * Assemble and run `source` at {@link CODE}, tracing. The same program also
 * runs untraced on both engines (the JIT, the default, and the
 * interpreter), and every run must end identically.
 */
export function run(source: string, options: RunOptions = {}): Outcome {
  const steps = options.steps ?? 1000;
  const machine = prepare(source, options, 'jit');
  const recorder = new TraceRecorder();
  machine.trace = recorder;
  const result = machine.run(steps);
  for (const engine of ['jit', 'interp'] as const) {
    const other = prepare(source, options, engine);
    expect(other.run(steps), `the untraced ${engine} run ends as the traced one`).toEqual(result);
    expect(other.registers(), `the untraced ${engine} run leaves the registers as the traced one`).toEqual(machine.registers());
  }
  return { machine, result, events: recorder.events, reg: (name) => machine.register(name) };
}

/** Run and insist that it ended on `wait` (reason `wfi`). */
export function runToWait(source: string, options: RunOptions = {}): Outcome {
  const outcome = run(source, options);
  expect(outcome.result.reason, outcome.result.detail).toBe('wfi');
  return outcome;
}

/** The exception events of a run. */
export function exceptions(outcome: Outcome): ExceptionEvent[] {
  return outcome.events.filter((e): e is ExceptionEvent => e.kind === 'exception');
}

/** A 64-bit value from a signed or unsigned number or bigint, as the register view returns it. */
export function u64(value: bigint | number): bigint {
  return BigInt.asUintN(64, BigInt(value));
}

/** XER bits (Book I 3.2.2), as bigints. */
export const XER = { SO: 1n << 31n, OV: 1n << 30n, CA: 1n << 29n, OV32: 1n << 19n, CA32: 1n << 18n } as const;

/** CR0 from the CR value: LT, GT, EQ, SO as a 4-bit number (8, 4, 2, 1). */
export function cr0(outcome: Outcome): number {
  return Number(outcome.reg('cr') >> 28n) & 0xf;
}

/** CR field `n`. */
export function crField(outcome: Outcome, n: number): number {
  return Number(outcome.reg('cr') >> BigInt(28 - 4 * n)) & 0xf;
}
