/**
 * Test helpers for running small A32 programs on a fresh arm32 machine.
 *
 * Programs are assembled with the project's own assembler (whose encodings
 * are pinned elsewhere against llvm-mc) and usually end with `wfi`, which
 * stops the run with reason `wfi` and the PC just after it.
 *
 * @module
 */

import { ARM32_INSTRUCTION_SET, createArm32Machine } from '../../../arch/arm32/core.ts';
import type { Arm32State } from '../../../arch/arm32/registers.ts';
import { assemble, type AssembledProgram } from '../../../src/isa/assembler.ts';
import { expect } from 'vitest';
import type { RunResult } from '../../../src/interp/interpreter.ts';
import type { CoreMachine } from '../../../src/interp/machine.ts';
import type { EngineName } from '../../../src/interp/backend.ts';
import { TraceRecorder, type ExceptionEvent, type TraceEvent } from '../../../src/interp/trace.ts';

/** Where test programs are loaded unless a test says otherwise. */
export const CODE = 0x8000;
/** Where tests put the PL1 vector table (VBAR). */
export const VBAR = 0x1000;
/** Where tests put the Hyp vector table (HVBAR). */
export const HVBAR = 0x2000;
/** Where tests put the Monitor vector table (MVBAR). */
export const MVBAR = 0x3000;
/** A mapped data page. */
export const DATA = 0x10000;

/** CPSR bits used in expectations (ARM ARM B1.3.3), spelled out here rather than imported. */
export const CPSR = {
  N: 0x8000_0000,
  Z: 0x4000_0000,
  C: 0x2000_0000,
  V: 0x1000_0000,
  Q: 0x0800_0000,
  A: 0x100,
  I: 0x80,
  F: 0x40,
  T: 0x20,
  usr: 0x10,
  fiq: 0x11,
  irq: 0x12,
  svc: 0x13,
  mon: 0x16,
  abt: 0x17,
  hyp: 0x1a,
  und: 0x1b,
  sys: 0x1f,
} as const;

/** An arm32 machine. */
export type Arm32Machine = CoreMachine<Arm32State>;

/** Assemble `source` at `base` and load it into `machine`. */
export function load(machine: Arm32Machine, source: string, base: number): AssembledProgram {
  const program = assemble(ARM32_INSTRUCTION_SET, source, base);
  machine.memory.load(base, program.bytes);
  return program;
}

/** A short-format section descriptor (B3.5.1): PA[31:20], AP[2] bit 15, AP[1:0] 11:10, domain 8:5, XN bit 4, nG bit 17. */
export function section(pa: number, ap: number, extra: { domain?: number; xn?: boolean; ng?: boolean } = {}): number {
  return ((pa & 0xfff0_0000) | ((ap >> 2) << 15) | ((ap & 3) << 10) | ((extra.domain ?? 0) << 5) | (extra.xn ? 0x10 : 0) | (extra.ng ? 1 << 17 : 0) | 2) >>> 0;
}

/** Fill the eight vectors of a table at `base` with `wfi`, so that a run stops at vector + 4. */
export function wfiVectors(machine: Arm32Machine, base: number): void {
  load(machine, Array.from({ length: 8 }, () => 'wfi').join('\n'), base);
}

/** Options for {@link runProgram}. */
export interface RunOptions {
  /** Mode to start in (default svc). */
  readonly mode?: string;
  /** Registers to set before the run (after the mode switch). */
  readonly registers?: Readonly<Record<string, number | bigint>>;
  /** Load address (default {@link CODE}). */
  readonly base?: number;
  /** Step budget (default 1000). */
  readonly maxSteps?: number;
  /** Map the data page at {@link DATA} (default true). */
  readonly data?: boolean;
  /** Install `wfi` vector tables at VBAR, HVBAR and MVBAR and point the registers at them (default true). */
  readonly vectors?: boolean;
  /** Anything else to do before the run. */
  readonly setup?: (machine: Arm32Machine) => void;
  /** The engine (the backend's default, the JIT, when absent). */
  readonly engine?: EngineName;
}

/** What {@link runProgram} returns. */
export interface Ran {
  /** The machine after the run. */
  readonly machine: Arm32Machine;
  /** How the run ended. */
  readonly result: RunResult;
  /** Every trace event. */
  readonly trace: TraceRecorder;
  /** The program. */
  readonly program: AssembledProgram;
  /** A register as an unsigned 32-bit number. */
  r(name: string): number;
  /** A label's address. */
  label(name: string): number;
}

/** Install `wfi` vector tables at VBAR, HVBAR and MVBAR and point the registers at them. */
export function installWfiVectors(machine: Arm32Machine): void {
  wfiVectors(machine, VBAR);
  wfiVectors(machine, HVBAR);
  wfiVectors(machine, MVBAR);
  machine.setRegister('vbar', BigInt(VBAR));
  machine.setRegister('hvbar', BigInt(HVBAR));
  machine.setRegister('mvbar', BigInt(MVBAR));
}

/** A fresh machine with the wfi vector tables installed and the data page mapped. */
export function setupMachine(options: RunOptions = {}): Arm32Machine {
  const machine = createArm32Machine(options.engine === undefined ? {} : { engine: options.engine });
  if (options.vectors ?? true) installWfiVectors(machine);
  if (options.data ?? true) machine.memory.map(DATA, 0x1000);
  return machine;
}

function prepare(source: string, options: RunOptions): { machine: Arm32Machine; program: AssembledProgram } {
  const machine = setupMachine(options);
  const base = options.base ?? CODE;
  const program = load(machine, source, base);
  machine.setMode(options.mode ?? 'svc');
  for (const [name, value] of Object.entries(options.registers ?? {})) machine.setRegister(name, BigInt(value));
  options.setup?.(machine);
  machine.pc = base;
  return { machine, program };
}

/**
 * Assemble and run `source` (normally ending in `wfi`) on a fresh machine,
 * with a trace recorder attached. The same program also runs untraced on a
 * second machine (the interpreter has a separate loop for that case), and on
 * the other engine, and they must all end identically.
 */
export function runProgram(source: string, options: RunOptions = {}): Ran {
  const plain = prepare(source, options);
  const plainResult = plain.machine.run(options.maxSteps ?? 1000);
  const other = prepare(source, { ...options, engine: plain.machine.engine === 'jit' ? 'interp' : 'jit' });
  const otherResult = other.machine.run(options.maxSteps ?? 1000);
  expect(otherResult, `the ${other.machine.engine} engine ends as the ${plain.machine.engine} one`).toEqual(plainResult);
  expect(other.machine.registers(), `the ${other.machine.engine} engine leaves the registers as the ${plain.machine.engine} one`).toEqual(plain.machine.registers());
  const { machine, program } = prepare(source, options);
  const trace = new TraceRecorder();
  machine.trace = trace;
  const result = machine.run(options.maxSteps ?? 1000);
  expect(plainResult, 'the untraced run ends as the traced one').toEqual(result);
  expect(plain.machine.registers(), 'the untraced run leaves the registers as the traced one').toEqual(machine.registers());
  return {
    machine,
    result,
    trace,
    program,
    r: (name) => Number(machine.register(name)),
    label: (name) => {
      const address = program.symbols.get(name);
      if (address === undefined) throw new Error(`no label ${name}`);
      return address;
    },
  };
}

/** The exception events of a trace. */
export function exceptionEvents(events: readonly TraceEvent[]): ExceptionEvent[] {
  return events.filter((e): e is ExceptionEvent => e.kind === 'exception');
}

/** Flags as a CPSR value for `mode`. */
export function cpsrWith(mode: number, flags: { n?: boolean; z?: boolean; c?: boolean; v?: boolean }, masks = CPSR.A | CPSR.I | CPSR.F): number {
  return ((flags.n ? CPSR.N : 0) | (flags.z ? CPSR.Z : 0) | (flags.c ? CPSR.C : 0) | (flags.v ? CPSR.V : 0) | masks | mode) >>> 0;
}

/** N, Z, C, V of a CPSR value as booleans. */
export function flagsOf(cpsr: number): { n: boolean; z: boolean; c: boolean; v: boolean } {
  return { n: (cpsr & CPSR.N) !== 0, z: (cpsr & CPSR.Z) !== 0, c: (cpsr & CPSR.C) !== 0, v: (cpsr & CPSR.V) !== 0 };
}

/** The guest turns the MMU on (SCTLR.M), then runs `body`. */
export function withMmu(body: string): string {
  return `mrc p15, #0, r12, c1, c0, #0
orr r12, r12, #1
mcr p15, #0, r12, c1, c0, #0
isb
${body}
wfi`;
}
