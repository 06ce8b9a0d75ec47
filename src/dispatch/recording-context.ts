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

import { BigIntCallContext, repeatedByte, type CallContext, type CallMemory, type HypervisorState, type Origin, type RegisterOperand } from '../abi/spec.ts';
import type { TrapRegisters } from './trap-registers.ts';

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
 * writes are appended to a log, a bulk fill (and a copy of memory nothing
 * was written to, which reads zeros) is one run in it, a read before any
 * write answers 0 at once, and the index that later reads use is built
 * only when one comes. The writes it shows are the ones `copyMemory` and
 * `fillMemory` would make through `read` and `write` (8-byte words, then
 * bytes), so a bulk operation records what the word-by-word one does.
 */
export class RecordingMemory implements CallMemory {
  private readonly addresses: bigint[] = [];
  private readonly sizes: number[] = [];
  private readonly values: bigint[] = [];
  /** How many units of `sizes[i]` bytes from `addresses[i]`, back to back, entry `i` writes (each with `values[i]`): 1 for a single write. */
  private readonly counts: number[] = [];
  /** The entries in use (a {@link RecordingMemory.clear} only resets the count). */
  private length = 0;
  /** Log position of the last write by `address:size`, built on the first read after a write. */
  private index: Map<string, number> | undefined;

  /** The writes by `address:size`, each with its last value, in order of first write (a new Map on each access). */
  get writes(): ReadonlyMap<string, MemoryWrite> {
    const out = new Map<string, MemoryWrite>();
    this.forEachWrite((address, size, value) => out.set(`${address}:${size}`, { address, size, value }));
    return out;
  }

  /** Every unit written, in log order, with its log position. */
  private forEachWrite(each: (address: bigint, size: number, value: bigint, at: number) => void): void {
    for (let i = 0; i < this.length; i++) {
      const size = this.sizes[i]!;
      const step = BigInt(size);
      let address = this.addresses[i]!;
      for (let k = 0; k < this.counts[i]!; k++, address += step) each(address, size, this.values[i]!, i);
    }
  }

  /** What the call wrote at exactly this address and size, else 0. */
  read(address: bigint, size: 1 | 2 | 4 | 8): bigint {
    if (this.length === 0) return 0n;
    if (this.index === undefined) {
      const index = new Map<string, number>();
      this.forEachWrite((at, unit, _, i) => index.set(`${at}:${unit}`, i));
      this.index = index;
    }
    const at = this.index.get(`${address}:${size}`);
    return at === undefined ? 0n : this.values[at]!;
  }

  /** Record a write. */
  write(address: bigint, size: 1 | 2 | 4 | 8, value: bigint): boolean {
    this.index?.set(`${address}:${size}`, this.length);
    this.append(address, size, value, 1);
    return true;
  }

  /** Record a copy: the source's units as {@link RecordingMemory.read} gives them, written to the destination. */
  copy(destination: bigint, source: bigint, length: number): boolean {
    // Nothing written yet: the source reads zeros, so the copy writes what a zero fill does.
    if (this.length === 0) return this.fill(destination, length, 0);
    const words = Math.floor(length / 8);
    const values: bigint[] = [];
    for (let k = 0; k < words; k++) values.push(this.read(source + BigInt(k * 8), 8));
    for (let offset = words * 8; offset < length; offset++) values.push(this.read(source + BigInt(offset), 1));
    let next = 0;
    for (let k = 0; k < words; k++) this.write(destination + BigInt(k * 8), 8, values[next++]!);
    for (let offset = words * 8; offset < length; offset++) this.write(destination + BigInt(offset), 1, values[next++]!);
    return true;
  }

  /** Record a fill: one run of 8-byte words, then the bytes of a tail shorter than a word. */
  fill(address: bigint, length: number, byte: number): boolean {
    const words = Math.floor(length / 8);
    this.index = undefined;
    if (words > 0) this.append(address, 8, repeatedByte(byte), words);
    if (length > words * 8) this.append(address + BigInt(words * 8), 1, BigInt(byte & 0xff), length - words * 8);
    return true;
  }

  /** Forget every write (for a context that is reused). */
  clear(): void {
    this.length = 0;
    this.index = undefined;
  }

  private append(address: bigint, size: number, value: bigint, count: number): void {
    const i = this.length++;
    this.addresses[i] = address;
    this.sizes[i] = size;
    this.values[i] = value;
    this.counts[i] = count;
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
 *
 * The dispatcher's table also hands it the trap's registers by handle
 * ({@link TrapRegisters}, on {@link RecordingContext.reset}): then a read by
 * handle is an array load, and `u32` and `setU32` use no BigInt (a 32-bit
 * write is kept as a number until its bigint is asked for). Subclasses (a
 * context that notes what the semantics read) are never given one, so that
 * every read still goes through `get`.
 */
export class RecordingContext extends BigIntCallContext {
  /** Registers written, in order of first write, and their values: the first `count` entries (a reset only resets the count). */
  private readonly names: string[] = [];
  private readonly values: bigint[] = [];
  /** Per write: the value when `setU32` wrote it with a trap view, as a number (its bigint is made on first read), else NaN. */
  private readonly numbers: number[] = [];
  private count = 0;
  private stateStore: HypervisorState | undefined;
  /** The state this context made itself (reused across resets), when none was given. */
  private ownState: RecordingState | undefined;
  private memoryStore: RecordingMemory | undefined;
  /** The trap's registers by handle, when the dispatcher's table runs the context. */
  private trap: TrapRegisters | undefined;

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
   * keep nothing of their context. `trap`, when given, holds the same
   * registers by handle (loaded from `registers`), until the next reset or
   * {@link RecordingContext.detach}.
   */
  reset(registers: Readonly<Record<string, bigint>>, imm: number, origin: Origin, trap?: TrapRegisters): void {
    this.registers = registers;
    this.imm = imm;
    this.origin = origin;
    this.count = 0;
    this.ownState?.clear();
    this.stateStore = this.ownState;
    this.memoryStore?.clear();
    this.trap = trap;
  }

  /** Stop reading the trap view given to {@link RecordingContext.reset} (before the view is reloaded for another trap): reads go to the registers record. */
  detach(): void {
    this.trap = undefined;
  }

  /** Hypervisor-side state kept between calls. */
  get state(): HypervisorState {
    return (this.stateStore ??= this.ownState = new RecordingState());
  }

  /** Guest memory: zeros, and the writes the call made. */
  get memory(): RecordingMemory {
    return (this.memoryStore ??= new RecordingMemory());
  }

  /** The index of `name` among the writes, or −1. */
  private writeIndex(name: string): number {
    const names = this.names;
    for (let i = 0; i < this.count; i++) if (names[i] === name) return i;
    return -1;
  }

  /** Current value (after this call's writes). */
  get(register: RegisterOperand): bigint {
    const name = typeof register === 'string' ? register : register.name;
    const at = this.writeIndex(name);
    if (at >= 0) return this.writtenValue(at);
    if (this.trap !== undefined && typeof register !== 'string') return this.trap.big(register.id);
    return this.registers[name] ?? 0n;
  }

  /** Record a write. */
  set(register: RegisterOperand, value: bigint): void {
    this.record(typeof register === 'string' ? register : register.name, value, NaN);
  }

  /** The low 32 bits, unsigned: without BigInt when the table's trap view is there. */
  override u32(register: RegisterOperand): number {
    if (this.trap === undefined) return super.u32(register);
    const name = typeof register === 'string' ? register : register.name;
    const at = this.writeIndex(name);
    if (at >= 0) {
      const n = this.numbers[at]!;
      return n === n ? n : Number(BigInt.asUintN(32, this.values[at]!));
    }
    if (typeof register !== 'string') return this.trap.u32(register.id);
    return Number(BigInt.asUintN(32, this.registers[name] ?? 0n));
  }

  /** Write a 32-bit value: kept as a number when the table's trap view is there. */
  override setU32(register: RegisterOperand, value: number): void {
    if (this.trap === undefined) super.setU32(register, value);
    else this.record(typeof register === 'string' ? register : register.name, 0n, value >>> 0);
  }

  private record(name: string, value: bigint, number: number): void {
    let at = this.writeIndex(name);
    if (at < 0) {
      at = this.count++;
      this.names[at] = name;
    }
    this.values[at] = value;
    this.numbers[at] = number;
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
    const n = this.numbers[index]!;
    if (n === n) {
      // Made once: the bigint replaces the number.
      this.values[index] = BigInt(n);
      this.numbers[index] = NaN;
    }
    return this.values[index]!;
  }

  /** The value the call left in `register`, or `undefined` if it did not write it. */
  written(register: string): bigint | undefined {
    const at = this.writeIndex(register);
    return at < 0 ? undefined : this.writtenValue(at);
  }

  /** Whether `other` wrote the same registers with the same values (in any order), comparing 32-bit writes as numbers. */
  sameWrites(other: RecordingContext): boolean {
    if (other === this) return true;
    const count = this.count;
    if (count !== other.count) return false;
    for (let i = 0; i < count; i++) {
      const j = other.writeIndex(this.names[i]!);
      if (j < 0) return false;
      const a = this.numbers[i]!;
      const b = other.numbers[j]!;
      if (a === a && b === b) {
        if (a !== b) return false;
      } else if (this.writtenValue(i) !== other.writtenValue(j)) return false;
    }
    return true;
  }

  /** Registers written by the call, in order of first write (a new Map on each access). */
  get writes(): ReadonlyMap<string, bigint> {
    const out = new Map<string, bigint>();
    for (let i = 0; i < this.count; i++) out.set(this.names[i]!, this.writtenValue(i));
    return out;
  }
}
