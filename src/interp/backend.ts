/**
 * What a backend contributes: its instruction set for the assembler and
 * disassembler, a machine factory, run defaults and benchmark programs.
 * Each backend binds one of these through its own ContainerModule.
 *
 * @module
 */

import type { FirmwarePort } from '../firmware/firmware.ts';
import type { InstructionSet } from '../isa/assembler.ts';
import type { Endian } from '../memory/guest-memory.ts';
import type { ResetMatrixDefinition, ScenarioCatalog } from '../scenario/scenario.ts';
import type { Machine } from './machine.ts';

/** A guest program the benchmark runs. */
export interface BenchProgram {
  /** The metric it measures (`alu-ips`, `trap-rtps`). */
  readonly metric: string;
  /** What it measures, one line. */
  readonly description: string;
  /** Assembly source. */
  readonly source: string;
  /** Mode to start in. */
  readonly mode: string;
  /** Registers to set before running (e.g. the vector base). */
  readonly registers: Readonly<Record<string, bigint>>;
  /** Guest instructions per measured unit (1 for instructions per second; instructions per round trip for traps). */
  readonly instructionsPerUnit: number;
  /** Spec firmware to install before the run: the ABI with this id at `base` (the vector base register points at it). */
  readonly firmware?: BenchFirmware;
  /** Where a peer emulator can run this program's loop on its own (`hyplay bench --peers`); absent when it cannot. */
  readonly peer?: BenchPeerLoop;
}

/**
 * The loop of a {@link BenchProgram} as a peer emulator runs it: from the
 * label `loop` to the first instruction after it that branches back to
 * `loop` (inclusive), with `counter` set to the number of iterations and
 * counting down to 0. The peer starts there directly, so the program's
 * setup (vectors, mode changes) does not run on the peer.
 */
export interface BenchPeerLoop {
  /** Label of the loop's first instruction. */
  readonly loop: string;
  /** The register that counts iterations down to 0, as the register view names it. */
  readonly counter: string;
}

/** Spec firmware a benchmark runs against. */
export interface BenchFirmware {
  /** ABI spec id, e.g. `linux-hyp-stub-v4.12`. */
  readonly abi: string;
  /** Vector base to install it at. */
  readonly base: number;
}

/** A short guest program the main job runs with a trace, to show the backend at work. */
export interface Showcase {
  /** One-line title. */
  readonly title: string;
  /** Assembly source, loaded at the backend's load address. */
  readonly source: string;
  /** Mode to start in. */
  readonly mode: string;
  /** Step budget. */
  readonly maxSteps: number;
}

/**
 * How a machine runs guest code: `interp` is the step-by-step interpreter (the
 * semantic reference, and the mode for breakpoints and single-stepping);
 * `jit` translates blocks and falls back to the interpreter for anything it
 * does not translate.
 */
export type EngineName = 'interp' | 'jit';

/** Options for a new machine. */
export interface MachineOptions {
  /** Byte order, for architectures that have both. */
  readonly endian?: Endian;
  /** Execution engine; the backend's first entry in {@link ArchBackend.engines} by default. */
  readonly engine?: EngineName;
}

/** One architecture backend. */
export interface ArchBackend {
  /** `arm32`, `arm64`, `ppc64` or `x86_64`. */
  readonly name: string;
  /** One line describing what is modelled. */
  readonly title: string;
  /** Byte orders supported; the first is the default. */
  readonly endians: readonly Endian[];
  /** The instruction set in a byte order. */
  instructionSet(endian: Endian): InstructionSet;
  /** Smallest instruction size in bytes (the disassembler's unit). */
  readonly unitSize: number;
  /** Where `hyplay run` loads programs. */
  readonly loadAddress: number;
  /** The mode `hyplay run` starts in. */
  readonly defaultMode: string;
  /** A fresh machine with nothing mapped. */
  createMachine(options?: MachineOptions): Machine;
  /** Engines this backend offers, the default first; absent means `['interp']` only. */
  readonly engines?: readonly EngineName[];
  /** Benchmark programs. */
  readonly benchmarks: readonly BenchProgram[];
  /** What the main job shows for this backend. */
  readonly showcase: Showcase;
  /** Trap conduits `hyplay dispatch` accepts (`hvc`, `svc`, `smc`, …), whether or not a spec uses them yet. */
  readonly conduits?: readonly string[];
  /** How spec firmware sits at this architecture's hypervisor vectors, where it has them. */
  readonly firmware?: FirmwarePort;
  /** Scenarios (machine setup, guest code, expected outcome) this backend ships, where it has any. */
  readonly scenarios?: ScenarioCatalog;
  /** The kexec/kdump reset matrix, where the backend has one; its rows name scenarios of {@link ArchBackend.scenarios}. */
  readonly resetMatrix?: ResetMatrixDefinition;
}
