/**
 * A machine: one backend's execution core, its interpreter and a register
 * view, behind an interface the CLI, scenarios and tests share.
 *
 * @module
 */

import { restoreState, snapshotState } from '../cpu/plain-state.ts';
import type { GuestMemory, MemorySnapshot } from '../memory/guest-memory.ts';
import type { EngineName } from './backend.ts';
import type { SteppableState } from './decoded-op.ts';
import { Interpreter, type ExecutionCore, type FetchGuard, type Overlay, type RunResult } from './interpreter.ts';
import type { TraceSink } from './trace.ts';

/** A bad register name or value given to a machine (an input error, not a guest fault). */
export class MachineError extends Error {
  /** Always `'MachineError'`. */
  override readonly name = 'MachineError';
}

/** How a backend exposes its registers by name. */
export interface RegisterView<S> {
  /** Names in dump order, lowercase as the architecture spells them. */
  names(state: S): readonly string[];
  /** Read a register; `undefined` for an unknown name. */
  read(state: S, name: string): bigint | undefined;
  /** Write a register; returns false for an unknown name. */
  write(state: S, name: string, value: bigint): boolean;
  /** Hex digits per register in the dump. */
  readonly digits: number;
  /** Processor modes by name. */
  readonly modes: readonly string[];
  /** The current mode's name. */
  mode(state: S): string;
  /** Enter a mode directly (machine setup, not an instruction). Returns false for an unknown name. */
  setMode(state: S, mode: string): boolean;
}

/** A snapshot of a whole machine. */
export interface MachineSnapshot {
  /** Registers. */
  readonly state: unknown;
  /** Memory. */
  readonly memory: MemorySnapshot;
}

/** The architecture-neutral face of a machine. */
export interface Machine {
  /** Architecture name. */
  readonly arch: string;
  /** The engine running its guest code. */
  readonly engine: EngineName;
  /** Guest memory. */
  readonly memory: GuestMemory;
  /** Breakpoint addresses. */
  readonly breakpoints: Set<number>;
  /** Where trace events go. */
  trace: TraceSink | undefined;
  /**
   * Decides, when an address is first decoded, whether it may run; a stop
   * it returns ends the run there (see {@link Interpreter.fetchGuard}).
   * Optional: a machine without it runs every address.
   */
  fetchGuard?: FetchGuard | undefined;
  /** The PC. */
  pc: number;
  /** Modes this architecture has. */
  readonly modes: readonly string[];
  /** The current mode. */
  mode(): string;
  /** Enter a mode (setup). Throws {@link MachineError} for an unknown mode. */
  setMode(mode: string): void;
  /** Every register as lowercase name to `0x` hex. */
  registers(): Record<string, string>;
  /** One register's value. Throws {@link MachineError} for an unknown name. */
  register(name: string): bigint;
  /** Set a register. Throws {@link MachineError} for an unknown name. */
  setRegister(name: string, value: bigint): void;
  /** Run until a stop or `maxSteps` instructions. */
  run(maxSteps: number): RunResult;
  /** Run `overlay` instead of the instruction at `address` (firmware). */
  addOverlay(address: number, overlay: Overlay): void;
  /** Remove the overlay at `address`. */
  removeOverlay(address: number): void;
  /** Copy the whole machine. */
  snapshot(): MachineSnapshot;
  /** Put the machine back as `snapshot` was taken. */
  restore(snapshot: MachineSnapshot): void;
}

/** A {@link Machine} built from an execution core and a register view. */
export class CoreMachine<S extends SteppableState> implements Machine {
  /** The step loop. */
  readonly interpreter: Interpreter<S>;

  /**
   * @param arch architecture name.
   * @param core the backend's execution core.
   * @param view the backend's register view.
   * @param engine the engine the core runs (its `runLoop`).
   */
  constructor(
    readonly arch: string,
    readonly core: ExecutionCore<S>,
    private readonly view: RegisterView<S>,
    readonly engine: EngineName = 'interp',
  ) {
    this.interpreter = new Interpreter(core);
  }

  /** The backend state. */
  get state(): S {
    return this.core.state;
  }

  /** Guest memory. */
  get memory(): GuestMemory {
    return this.core.memory;
  }

  /** Breakpoint addresses. */
  get breakpoints(): Set<number> {
    return this.interpreter.breakpoints;
  }

  /** Where trace events go. */
  get trace(): TraceSink | undefined {
    return this.interpreter.trace;
  }

  set trace(sink: TraceSink | undefined) {
    this.interpreter.trace = sink;
  }

  /** Decides at predecode whether an address may run. */
  get fetchGuard(): FetchGuard | undefined {
    return this.interpreter.fetchGuard;
  }

  set fetchGuard(guard: FetchGuard | undefined) {
    this.interpreter.fetchGuard = guard;
    this.interpreter.flush();
  }

  /** The PC. */
  get pc(): number {
    return this.core.state.pc;
  }

  set pc(value: number) {
    if (this.core.setPc !== undefined) this.core.setPc(value);
    else this.core.state.pc = value;
  }

  /** Modes this architecture has. */
  get modes(): readonly string[] {
    return this.view.modes;
  }

  /** The current mode. */
  mode(): string {
    return this.view.mode(this.core.state);
  }

  /** Enter a mode (setup). */
  setMode(mode: string): void {
    if (!this.view.setMode(this.core.state, mode)) throw new MachineError(`unknown mode '${mode}' (one of ${this.view.modes.join(', ')})`);
  }

  /** Every register as lowercase name to `0x` hex. */
  registers(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of this.view.names(this.core.state)) {
      const value = this.view.read(this.core.state, name)!;
      out[name] = `0x${value.toString(16).padStart(this.view.digits, '0')}`;
    }
    return out;
  }

  /** One register's value. */
  register(name: string): bigint {
    const value = this.view.read(this.core.state, name.toLowerCase());
    if (value === undefined) throw new MachineError(`unknown register '${name}'`);
    return value;
  }

  /** Set a register. */
  setRegister(name: string, value: bigint): void {
    if (!this.view.write(this.core.state, name.toLowerCase(), value)) throw new MachineError(`unknown register '${name}'`);
  }

  /** Run until a stop or `maxSteps` instructions. */
  run(maxSteps: number): RunResult {
    return this.interpreter.run(maxSteps);
  }

  /** Run `overlay` instead of the instruction at `address`. */
  addOverlay(address: number, overlay: Overlay): void {
    this.interpreter.addOverlay(address, overlay);
  }

  /** Remove the overlay at `address`. */
  removeOverlay(address: number): void {
    this.interpreter.removeOverlay(address);
  }

  /** Copy the whole machine. */
  snapshot(): MachineSnapshot {
    return { state: snapshotState(this.core.state), memory: this.core.memory.snapshot() };
  }

  /** Put the machine back as `snapshot` was taken. */
  restore(snapshot: MachineSnapshot): void {
    const core = this.core;
    const before = core.decodeDependency?.();
    restoreState(core.state, snapshot.state as S);
    core.memory.restore(snapshot.memory);
    // The memory told the caches which code changed; what a core decodes may also depend on its state.
    if (core.decodeReadsState !== false && (before === undefined || core.decodeDependency!() !== before)) this.interpreter.flush();
  }
}
