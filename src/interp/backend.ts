/**
 * What a backend contributes: its instruction set for the assembler and
 * disassembler, a machine factory, run defaults and benchmark programs.
 * Each backend binds one of these through its own ContainerModule.
 *
 * @module
 */

import type { SyndromeDecoder } from './syndrome.ts';
import type { Abi, Privilege, World } from '../abi/spec.ts';
import type { FirmwarePort } from '../firmware/firmware.ts';
import type { InstructionSet } from '../isa/assembler.ts';
import type { BootSupport } from '../loader/boot-image.ts';
import type { Endian, GuestMemory } from '../memory/guest-memory.ts';
import type { SmpSupport } from '../smp/smp-support.ts';
import type { ResetMatrixDefinition, ScenarioCatalog } from '../scenario/scenario.ts';
import type { StateSupport } from '../state/state-support.ts';
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
  /**
   * How to install it, where the backend's spec firmware is no vector table
   * (x86's VM exits go to a host model): called instead of the generic
   * install, with the machine and the spec. Absent: the backend's
   * {@link ArchBackend.firmware} port at `base`.
   */
  readonly install?: (machine: Machine, abi: Abi) => void;
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
  /** Values of the backend's {@link ArchBackend.machineChoices}, by choice name; each defaults to its first value. */
  readonly choices?: Readonly<Record<string, string>>;
  /**
   * Guest memory to run over instead of a fresh, empty one: another vCPU of
   * the same machine (`src/smp/smp-machine.ts`). Only backends with
   * {@link ArchBackend.smp} honour it.
   */
  readonly memory?: GuestMemory;
}

/**
 * A machine option a backend defines beyond the byte order and engine (a
 * CPU vendor, a virtualization flavour): its name is also the command-line
 * option (`--NAME VALUE`).
 */
export interface MachineChoice {
  /** The option's name, lowercase. */
  readonly name: string;
  /** The values it takes; the first is the default. */
  readonly values: readonly string[];
  /** What it selects, one line. */
  readonly description: string;
}

/** A narrower name for part of a register that the command line accepts (`eax` for the low 32 bits of `rax`). */
export interface RegisterAlias {
  /** The register it is part of, as the register view names it. */
  readonly register: string;
  /** How many low bits of it the alias names. */
  readonly bits: number;
}

/**
 * The immediate a trap conduit's instruction encodes, as the trap reports it
 * (what `hyplay dispatch --imm` may give).
 */
export interface ConduitImmediate {
  /** The field as the architecture manual names it (`imm16`, `imm4`, `imm24`, `LEV`). */
  readonly field: string;
  /** Its width in bits; 0 when the trap reports no immediate (the immediate is then always 0). */
  readonly bits: number;
  /** Why the range is what it is, one line, where that is not plain from the field (ppc64: LEV is the conduit itself). */
  readonly note?: string;
}

/** What the value of an {@link OriginRegister} says about where a trap came from. */
export interface OriginReading {
  /** The caller's privilege, where the register gives it. */
  readonly privilege?: Privilege;
  /** The caller's world, where the register gives it. */
  readonly world?: World;
  /** The field that says so, for messages (`M[4:0]=0x13 (svc)`, `MSR[PR]=1`). */
  readonly field: string;
  /** Set when the value is not one the architecture defines (a reserved mode): why, one line. */
  readonly error?: string;
}

/**
 * A register whose value says where a trap came from: the privilege (arm32
 * CPSR.M, ppc64 MSR[PR]/[HV]), the world (arm32 VTTBR.VMID, ppc64 MSR[HV]),
 * or both. Tools that take a register state honour it instead of ignoring it.
 */
export interface OriginRegister {
  /** Register name, lowercase. */
  readonly register: string;
  /** What a value of it says. */
  read(value: bigint): OriginReading;
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
  /**
   * The assembly syntaxes by name where the backend has more than one
   * (`--syntax NAME`); {@link ArchBackend.instructionSet} is the default one.
   */
  readonly syntaxes?: Readonly<Record<string, InstructionSet>>;
  /** Smallest instruction size in bytes (the disassembler's unit). */
  readonly unitSize: number;
  /** The stack pointer's name in the register view, which `hyplay run` points below the program (default `sp`). */
  readonly stackPointer?: string;
  /** Where `hyplay run` loads programs. */
  readonly loadAddress: number;
  /** The mode `hyplay run` starts in. */
  readonly defaultMode: string;
  /** A fresh machine with nothing mapped. */
  createMachine(options?: MachineOptions): Machine;
  /** Machine options the backend defines (see {@link MachineChoice}); absent means none. */
  readonly machineChoices?: readonly MachineChoice[];
  /** Names the command line accepts for parts of registers, by alias (see {@link RegisterAlias}); absent means none. */
  readonly registerAliases?: Readonly<Record<string, RegisterAlias>>;
  /** Engines this backend offers, the default first; absent means `['interp']` only. */
  readonly engines?: readonly EngineName[];
  /** Benchmark programs. */
  readonly benchmarks: readonly BenchProgram[];
  /** What the main job shows for this backend. */
  readonly showcase: Showcase;
  /** Trap conduits `hyplay dispatch` accepts (`hvc`, `svc`, `smc`, …), whether or not a spec uses them yet. */
  readonly conduits?: readonly string[];
  /** The immediate each conduit's instruction encodes, by conduit name; a conduit not listed takes immediates up to 24 bits. */
  readonly immediates?: Readonly<Record<string, ConduitImmediate>>;
  /** Registers whose value gives a trap's privilege or world (see {@link OriginRegister}). */
  readonly originRegisters?: readonly OriginRegister[];
  /** How spec firmware sits at this architecture's hypervisor vectors, where it has them. */
  readonly firmware?: FirmwarePort;
  /** Scenarios (machine setup, guest code, expected outcome) this backend ships, where it has any. */
  readonly scenarios?: ScenarioCatalog;
  /** The kexec/kdump reset matrix, where the backend has one; its rows name scenarios of {@link ArchBackend.scenarios}. */
  readonly resetMatrix?: ResetMatrixDefinition;
  /** How real kernel images boot on this backend (`hyplay run --image`, `hyplay boot`), where it can. */
  readonly boot?: BootSupport;
  /** What machines with several vCPUs need of this backend (`src/smp/`), where it has them; such a backend honours {@link MachineOptions.memory}. */
  readonly smp?: SmpSupport;
  /** CPU state export, import and migration formats (`hyplay state`), where the backend has them. */
  readonly state?: StateSupport;
  /** The decoder of its exception syndrome register (`hyplay syndrome`), where it has one. */
  readonly syndrome?: SyndromeDecoder;
}
