/**
 * A {@link CallContext} without a machine: what the dispatcher and the
 * conformance suites hand a spec's semantics. Registers are read from a
 * plain record (the trap's registers) and writes are recorded, not applied;
 * guest memory reads zeros and records writes; the hypervisor-side state is
 * a fresh {@link RecordingState} unless one is given.
 *
 * It is built once per claimed interpretation, so it is kept cheap: writes go
 * to two small arrays (semantics write one to three registers), the state
 * and the memory are created only if the semantics touch them, and nothing
 * is built as text.
 *
 * @module
 */

import { BigIntCallContext, type CallContext, type CallMemory, type HypervisorState, type Origin, type RegisterOperand } from '../abi/spec.ts';

/** One guest memory write a call made. */
export interface MemoryWrite {
  /** Guest physical address. */
  readonly address: bigint;
  /** Bytes written. */
  readonly size: number;
  /** The value. */
  readonly value: bigint;
}

/**
 * Guest memory for a call classified without a machine: reads give 0 (or
 * what the call wrote at exactly that address and size), writes are
 * recorded. Kept cheap for calls that touch a whole page (PAPR H_PAGE_INIT):
 * writes are appended to a log, a read before any write answers 0 at once,
 * and the index that later reads use is built only when one comes.
 */
export class RecordingMemory implements CallMemory {
  private readonly addresses: bigint[] = [];
  private readonly sizes: number[] = [];
  private readonly values: bigint[] = [];
  /** Log position of the last write by `address:size`, built on the first read after a write. */
  private index: Map<string, number> | undefined;

  /** The writes by `address:size`, each with its last value, in order of first write (a new Map on each access). */
  get writes(): ReadonlyMap<string, MemoryWrite> {
    const out = new Map<string, MemoryWrite>();
    for (let i = 0; i < this.addresses.length; i++) out.set(`${this.addresses[i]}:${this.sizes[i]}`, { address: this.addresses[i]!, size: this.sizes[i]!, value: this.values[i]! });
    return out;
  }

  /** What the call wrote at exactly this address and size, else 0. */
  read(address: bigint, size: 1 | 2 | 4 | 8): bigint {
    if (this.addresses.length === 0) return 0n;
    if (this.index === undefined) {
      this.index = new Map();
      for (let i = 0; i < this.addresses.length; i++) this.index.set(`${this.addresses[i]}:${this.sizes[i]}`, i);
    }
    const at = this.index.get(`${address}:${size}`);
    return at === undefined ? 0n : this.values[at]!;
  }

  /** Record a write. */
  write(address: bigint, size: 1 | 2 | 4 | 8, value: bigint): boolean {
    this.index?.set(`${address}:${size}`, this.addresses.length);
    this.addresses.push(address);
    this.sizes.push(size);
    this.values.push(value);
    return true;
  }
}

/**
 * A {@link HypervisorState} for one classified call: the values set, in two
 * small arrays (a call sets a handful), emptied by {@link RecordingState.clear}
 * so that a reused context reuses it.
 */
export class RecordingState implements HypervisorState {
  private readonly keys: string[] = [];
  private readonly values: bigint[] = [];
  private count = 0;

  /** The value under `key`, or `initial` if no call has set it. */
  get(key: string, initial: bigint): bigint {
    for (let i = 0; i < this.count; i++) if (this.keys[i] === key) return this.values[i]!;
    return initial;
  }

  /** Set the value under `key`. */
  set(key: string, value: bigint): void {
    for (let i = 0; i < this.count; i++) {
      if (this.keys[i] === key) {
        this.values[i] = value;
        return;
      }
    }
    this.keys[this.count] = key;
    this.values[this.count++] = value;
  }

  /** Forget every value. */
  clear(): void {
    this.count = 0;
  }
}

/**
 * A register context over the trap's registers, recording writes: every
 * write as the bigint the call's `set` or `setU32` gave (`u32`, `setU32` and
 * `copy` as `BigIntCallContext` defines them from `get` and `set`), by
 * register name, handles or names alike.
 */
export class RecordingContext extends BigIntCallContext {
  /** Registers written, in order of first write, and their values: the first `count` entries (a reset only resets the count). */
  private readonly names: string[] = [];
  private readonly values: bigint[] = [];
  private count = 0;
  private stateStore: HypervisorState | undefined;
  /** The state this context made itself (reused across resets), when none was given. */
  private ownState: RecordingState | undefined;
  private memoryStore: RecordingMemory | undefined;

  /**
   * @param registers registers at the trap (unset ones read as 0).
   * @param imm the immediate.
   * @param origin the caller.
   * @param state hypervisor-side state (a fresh, empty one, created on first use, by default).
   */
  constructor(
    private registers: Readonly<Record<string, bigint>>,
    public imm: number,
    public origin: Origin,
    state?: HypervisorState,
  ) {
    super();
    this.stateStore = state;
  }

  /**
   * Aim the context at another trap, forgetting the writes, the state and the
   * memory: for a caller that reuses one context per spec (the dispatcher's
   * batch path), which is sound because semantics run synchronously and
   * keep nothing of their context.
   */
  reset(registers: Readonly<Record<string, bigint>>, imm: number, origin: Origin): void {
    this.registers = registers;
    this.imm = imm;
    this.origin = origin;
    this.count = 0;
    this.ownState?.clear();
    this.stateStore = this.ownState;
    this.memoryStore = undefined;
  }

  /** Hypervisor-side state kept between calls. */
  get state(): HypervisorState {
    return (this.stateStore ??= this.ownState = new RecordingState());
  }

  /** Guest memory: zeros, and the writes the call made. */
  get memory(): RecordingMemory {
    return (this.memoryStore ??= new RecordingMemory());
  }

  /** Current value (after this call's writes). */
  get(register: RegisterOperand): bigint {
    if (typeof register !== 'string') register = register.name;
    const names = this.names;
    for (let i = 0; i < this.count; i++) if (names[i] === register) return this.values[i]!;
    return this.registers[register] ?? 0n;
  }

  /** Record a write. */
  set(register: RegisterOperand, value: bigint): void {
    if (typeof register !== 'string') register = register.name;
    const names = this.names;
    for (let i = 0; i < this.count; i++) {
      if (names[i] === register) {
        this.values[i] = value;
        return;
      }
    }
    names[this.count] = register;
    this.values[this.count++] = value;
  }

  /** How many registers the call wrote. */
  get writeCount(): number {
    return this.count;
  }

  /** The `index`-th register written (in order of first write). */
  writtenRegister(index: number): string {
    return this.names[index]!;
  }

  /** The value of the `index`-th register written. */
  writtenValue(index: number): bigint {
    return this.values[index]!;
  }

  /** The value the call left in `register`, or `undefined` if it did not write it. */
  written(register: string): bigint | undefined {
    const names = this.names;
    for (let i = 0; i < this.count; i++) if (names[i] === register) return this.values[i];
    return undefined;
  }

  /** Registers written by the call, in order of first write (a new Map on each access). */
  get writes(): ReadonlyMap<string, bigint> {
    const out = new Map<string, bigint>();
    for (let i = 0; i < this.count; i++) out.set(this.names[i]!, this.values[i]!);
    return out;
  }
}
