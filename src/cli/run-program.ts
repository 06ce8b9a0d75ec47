/**
 * `hyplay run`: assemble a file, load it, run it, report the final state.
 *
 * @module
 */

import { assemble, AssemblyError, type AssembledProgram } from '../isa/assembler.ts';
import type { ArchBackend, EngineName } from '../interp/backend.ts';
import { hexAddress, type StopReason } from '../interp/step-result.ts';
import { formatTraceEvent, TraceRecorder } from '../interp/trace.ts';
import type { Machine } from '../interp/machine.ts';
import type { Endian } from '../memory/guest-memory.ts';
import { CliError } from './cli-error.ts';

/** Bytes of stack mapped below the load address. */
export const STACK_BYTES = 0x4000;

/** Options of one run. */
export interface RunOptions {
  /** Starting mode; the backend's default when undefined. */
  readonly mode?: string;
  /** Step budget. */
  readonly maxSteps: number;
  /** Record a trace. */
  readonly trace: boolean;
  /** Byte order. */
  readonly endian?: Endian;
}

/** Where and why a run stopped, as printed. */
export interface RunStop {
  /** The stop reason. */
  readonly reason: StopReason;
  /** The PC at the stop, `0x` hex. */
  readonly pc: string;
  /** One line of detail. */
  readonly detail: string;
}

/** What `hyplay run --json` prints. */
export interface RunReport {
  /** Why and where it stopped. */
  readonly stop: RunStop;
  /** Instructions executed. */
  readonly steps: number;
  /** Final registers. */
  readonly registers: Record<string, string>;
  /** Trace lines (empty without --trace). */
  readonly trace: readonly string[];
}

/** Assemble `source` for `backend`, turning an assembly error into a one-line {@link CliError}. */
export function assembleOrFail(backend: ArchBackend, source: string, inputName: string, base: number, endian?: Endian): AssembledProgram {
  try {
    return assemble(backend.instructionSet(endian ?? backend.endians[0]!), source, base);
  } catch (error) {
    if (error instanceof AssemblyError) throw new CliError(`${inputName}:${error.line}:${error.column}: ${error.message}`);
    throw error;
  }
}

/**
 * Load a program at the backend's load address with a stack below it, in a
 * fresh machine (on `engine`, the backend's default when undefined), starting in `mode`.
 */
export function loadProgram(backend: ArchBackend, program: AssembledProgram, mode: string | undefined, endian?: Endian, engine?: EngineName): Machine {
  const machine = backend.createMachine({ ...(endian === undefined ? {} : { endian }), ...(engine === undefined ? {} : { engine }) });
  machine.memory.map(program.base - STACK_BYTES, STACK_BYTES);
  machine.memory.load(program.base, program.bytes.length === 0 ? new Uint8Array(4) : program.bytes);
  try {
    machine.setMode(mode ?? backend.defaultMode);
  } catch (error) {
    throw new CliError(`--mode: ${(error as Error).message}`);
  }
  machine.pc = program.base;
  machine.setRegister('sp', BigInt(program.base));
  return machine;
}

/** Run assembled source and report. */
export function runProgram(backend: ArchBackend, source: string, inputName: string, options: RunOptions): RunReport {
  const program = assembleOrFail(backend, source, inputName, backend.loadAddress, options.endian);
  const machine = loadProgram(backend, program, options.mode, options.endian);
  const recorder = new TraceRecorder();
  if (options.trace) machine.trace = recorder;
  const result = machine.run(options.maxSteps);
  return {
    stop: { reason: result.reason, pc: hexAddress(result.pc), detail: result.detail },
    steps: result.steps,
    registers: machine.registers(),
    trace: recorder.events.map(formatTraceEvent),
  };
}
