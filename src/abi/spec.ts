/**
 * ABI specs: declarative data that decides what a trap means, runs as the
 * reference handler, generates the docs and generates conformance tests.
 *
 * A spec is written once with {@link defineAbi}, which checks it at
 * definition time (a value claimed twice, overlapping ranges, a missing
 * source, contradicting fields) and returns an {@link Abi}: the same data
 * plus the selector regions the dispatcher and the collision analysis use.
 *
 * @module
 */

import { ValueSet, type Interval } from './value-set.ts';

/** The privilege a trap came from. */
export type Privilege = 'user' | 'kernel' | 'hyp';

/** Whether a trap came from the host or from a guest of a hypervisor. */
export type World = 'host' | 'guest';

/** Every privilege, in order. */
export const PRIVILEGES: readonly Privilege[] = ['user', 'kernel', 'hyp'];

/** Every world, in order. */
export const WORLDS: readonly World[] = ['host', 'guest'];

/** Where a trap came from. */
export interface Origin {
  /** Privilege of the caller. */
  readonly privilege: Privilege;
  /** Host or guest. */
  readonly world: World;
}

/** How established an ABI (era) is. */
export type AbiStatus = 'mainline' | 'removed' | 'proposal' | 'draft' | 'out-of-tree' | 'alternative';

/** Where a spec's facts come from. */
export interface AbiSource {
  /** Document or file, e.g. `torvalds/linux:arch/arm/kernel/hyp-stub.S`. */
  readonly document: string;
  /** The kernel (or other) version it describes, e.g. `v4.12`. */
  readonly version: string;
  /** Anything a reader must know about the source (unconfirmed values, …). */
  readonly note?: string;
}

/** An inclusive range of register values. */
export interface ValueRange {
  /** Smallest value. */
  readonly min: bigint;
  /** Largest value. */
  readonly max: bigint;
}

/** Values of one register, written as numbers, ranges or both. */
export type ValueSpec = bigint | ValueRange | readonly (bigint | ValueRange)[];

/** A register condition of the whole spec (a magic value, a range). */
export interface RegisterCondition {
  /** Register name as the machine spells it (`r3`, `x0`, `rax`). */
  readonly register: string;
  /** The values that satisfy it. */
  readonly values: ValueSpec;
  /** Why the condition exists, one line. */
  readonly why: string;
  /**
   * How many low bits of the register the condition looks at (1–64; the
   * selector's width when absent). A width of 1 tests bit 0 alone: an
   * enable bit, whatever the rest of the register holds.
   */
  readonly width?: number;
}

/** One argument or result of a call. */
export interface RegisterRole {
  /** Register name. */
  readonly register: string;
  /** What it carries. */
  readonly role: string;
}

/**
 * Hypervisor-side state that a spec keeps between calls (which vCPUs are on,
 * a partition's SPRG0, …): named values, read with the value they hold before
 * any call set them. One store lives as long as one machine's firmware, one
 * conformance case or one dispatch query.
 */
export interface HypervisorState {
  /** The value under `key`, or `initial` if no call has set it. */
  get(key: string, initial: bigint): bigint;
  /** Set the value under `key`. */
  set(key: string, value: bigint): void;
}

/** A {@link HypervisorState} in a Map: what the dispatcher and conformance use, and the default for firmware. */
export class MapHypervisorState implements HypervisorState {
  /** The values set so far, in order of first write. */
  readonly values = new Map<string, bigint>();

  /** The value under `key`, or `initial`. */
  get(key: string, initial: bigint): bigint {
    return this.values.get(key) ?? initial;
  }

  /** Set the value under `key`. */
  set(key: string, value: bigint): void {
    this.values.set(key, value);
  }
}

/**
 * Guest memory as a call's semantics may touch it (PAPR H_PAGE_INIT zeroes or
 * copies a page). Addresses are guest physical addresses. A read of memory that
 * is not there gives `undefined` and a write returns false, as in
 * `GuestMemory`; the dispatcher, which has no guest memory, reads zeros and
 * records writes.
 *
 * `copy` and `fill` are the bulk forms, optional: semantics call them through
 * {@link copyMemory} and {@link fillMemory}, which use them where a memory
 * has them and otherwise do the same through `read` and `write` (the
 * meaning is the one {@link copyMemory} and {@link fillMemory} give).
 */
export interface CallMemory {
  /** `size` bytes at `address` in the guest's byte order. */
  read(address: bigint, size: 1 | 2 | 4 | 8): bigint | undefined;
  /** Write `size` bytes at `address`; false if any byte is not there. */
  write(address: bigint, size: 1 | 2 | 4 | 8, value: bigint): boolean;
  /** What {@link copyMemory} does, in one operation. */
  copy?(destination: bigint, source: bigint, length: number): boolean;
  /** What {@link fillMemory} does, in one operation. */
  fill?(address: bigint, length: number, byte: number): boolean;
}

/**
 * How the bulk operations go through `read` and `write`: a range of
 * `length` bytes is taken in units, 8-byte words from its start while 8
 * bytes remain, then single bytes.
 */
function forEachUnit(address: bigint, length: number, each: (at: bigint, size: 1 | 8) => boolean): boolean {
  let offset = 0;
  for (; offset + 8 <= length; offset += 8) if (!each(address + BigInt(offset), 8)) return false;
  for (; offset < length; offset++) if (!each(address + BigInt(offset), 1)) return false;
  return true;
}

/**
 * Copy `length` bytes from `source` to `destination` in guest memory, as
 * if every byte were read before any is written (so overlapping ranges
 * copy as `memmove` does); false, and nothing written, when any byte of
 * either range is not there. With `memory.copy` that is one call; without
 * it, every unit of the destination (8-byte words from its start while 8
 * bytes remain, then single bytes) is read to see it is there, then every
 * unit of the source, then the source's values are written in ascending
 * order.
 */
export function copyMemory(memory: CallMemory, destination: bigint, source: bigint, length: number): boolean {
  if (memory.copy !== undefined) return memory.copy(destination, source, length);
  if (!forEachUnit(destination, length, (at, size) => memory.read(at, size) !== undefined)) return false;
  const values: bigint[] = [];
  if (
    !forEachUnit(source, length, (at, size) => {
      const value = memory.read(at, size);
      if (value === undefined) return false;
      values.push(value);
      return true;
    })
  ) {
    return false;
  }
  let next = 0;
  return forEachUnit(destination, length, (at, size) => memory.write(at, size, values[next++]!));
}

/** `byte` (0–255) repeated in every byte of a 64-bit word. */
export function repeatedByte(byte: number): bigint {
  return BigInt(byte & 0xff) * 0x0101_0101_0101_0101n;
}

/**
 * Set `length` bytes at `address` to `byte` (0–255); false, and nothing
 * written, when any of them is not there. With `memory.fill` that is one
 * call; without it, every unit (8-byte words, then single bytes, as
 * {@link copyMemory} takes them) is read to see it is there, then written
 * in ascending order (a word as `byte` in each of its bytes).
 */
export function fillMemory(memory: CallMemory, address: bigint, length: number, byte: number): boolean {
  if (memory.fill !== undefined) return memory.fill(address, length, byte);
  if (!forEachUnit(address, length, (at, size) => memory.read(at, size) !== undefined)) return false;
  const word = repeatedByte(byte);
  const single = BigInt(byte & 0xff);
  return forEachUnit(address, length, (at, size) => memory.write(at, size, size === 8 ? word : single));
}

/**
 * A register as spec semantics name it: a handle interned once per name by
 * {@link reg}, so that whoever runs the semantics can resolve the name to
 * where the register lives once (spec firmware does it when it is
 * installed) instead of on every access. Handles compare by identity:
 * `reg('r0') === reg('r0')`.
 */
export interface RegisterHandle {
  /** The register's name as the machine spells it (`r0`, `hvbar`, `x0`). */
  readonly name: string;
  /** A small integer, unique per name in this process, in order of interning (0, 1, 2, …). */
  readonly id: number;
}

/** Every handle interned so far, by name and by id. */
const HANDLES_BY_NAME = new Map<string, RegisterHandle>();
const HANDLES: RegisterHandle[] = [];

/**
 * The handle of register `name`, interned: the first call for a name makes
 * a frozen handle, every later call returns the same one. Specs take their
 * handles once, at module level (`const R0 = reg('r0')`).
 */
export function reg(name: string): RegisterHandle {
  let handle = HANDLES_BY_NAME.get(name);
  if (handle === undefined) {
    handle = Object.freeze({ name, id: HANDLES.length });
    HANDLES.push(handle);
    HANDLES_BY_NAME.set(name, handle);
  }
  return handle;
}

/** Every handle interned so far, indexed by id (what spec firmware resolves when it is installed). */
export function registerHandles(): readonly RegisterHandle[] {
  return HANDLES;
}

/** A register as a call context takes it: a {@link RegisterHandle} (the fast form) or its name. */
export type RegisterOperand = RegisterHandle | string;

/** The name of a register operand. */
export function registerName(register: RegisterOperand): string {
  return typeof register === 'string' ? register : register.name;
}

/**
 * What a call's semantics sees and changes.
 *
 * Registers are read and written in two forms:
 * - `u32` / `setU32`: the low 32 bits as a number, unsigned. This is the
 *   fast path, free of BigInt: use it for every register of a 32-bit
 *   machine and for values a 64-bit ABI defines as 32 bits (`w0`, `eax`, an
 *   `int` token, a 32-bit magic).
 * - `get` / `set`: the full width as a bigint, for 64-bit values and at the
 *   edges (a value handed to {@link HypervisorState} or {@link CallMemory}).
 *
 * `copy` moves a whole register without either. Every method takes a
 * {@link RegisterHandle} (resolved once) or a name (resolved per access).
 * Each form is defined by the bigint one, so every context answers alike:
 * `u32(r)` is `Number(BigInt.asUintN(32, get(r)))`, `setU32(r, v)` is
 * `set(r, BigInt(v >>> 0))` (a wider register is zero-extended), and
 * `copy(to, from)` is `set(to, get(from))`.
 */
export interface CallContext {
  /** A register's value at the trap (or as changed by this call), unsigned, full width. Unknown names read as 0 where the context has no machine. */
  get(register: RegisterOperand): bigint;
  /** Change a register (a result, or a system register such as the vector base); the value is truncated to the register's width. */
  set(register: RegisterOperand, value: bigint): void;
  /** The low 32 bits of a register, unsigned (0 … 2^32 − 1). */
  u32(register: RegisterOperand): number;
  /** Set a register to a 32-bit value (taken `>>> 0`, so −1 is 0xffffffff), zero-extended on a wider register. */
  setU32(register: RegisterOperand, value: number): void;
  /** `to` ← `from`, the whole register (truncated to `to`'s width). */
  copy(to: RegisterOperand, from: RegisterOperand): void;
  /** The trap's immediate. */
  readonly imm: number;
  /** Where the trap came from. */
  readonly origin: Origin;
  /** Hypervisor-side state kept between calls (see {@link HypervisorState}). */
  readonly state: HypervisorState;
  /** Guest memory (see {@link CallMemory}). */
  readonly memory: CallMemory;
  /**
   * The vCPUs of the live machine the call runs on, where it has several
   * (`src/smp/`): calls that act on other vCPUs (PSCI CPU_ON, CPU_OFF,
   * SYSTEM_OFF) take their power state and the caller from here, and power
   * them on and off through it. Absent (the dispatcher, conformance, a
   * single-vCPU machine): the call keeps its own model in {@link CallContext.state}.
   */
  readonly vcpus?: VcpuControl | undefined;
}

/**
 * The vCPUs of a machine as a call that acts on them sees them (KVM's
 * `kvm_mpidr_to_vcpu`, `kvm_psci_vcpu_on` and `kvm_psci_vcpu_off` act on the
 * `struct kvm_vcpu` of the target). vCPUs are numbered 0 … count − 1; how a
 * number maps to an MPIDR is the spec's business.
 */
export interface VcpuControl {
  /** How many vCPUs the machine has. */
  readonly count: number;
  /** The calling vCPU's number. */
  readonly self: number;
  /** Whether vCPU `n` is powered on (running or runnable). */
  isOn(n: number): boolean;
  /**
   * Power vCPU `n` on: it starts at `entry` with `contextId` in its first
   * argument register, in the state the architecture's CPU_ON leaves it in
   * (reset, the kernel's mode, interrupts masked). The caller goes on.
   */
  powerOn(n: number, entry: bigint, contextId: bigint): void;
  /** Power vCPU `n` off; when `n` is the caller, its run ends as the call completes. */
  powerOff(n: number): void;
}

/**
 * A {@link CallContext} from its bigint `get` and `set`: `u32`, `setU32` and
 * `copy` as the interface defines them. For contexts off the hot path (the
 * dispatcher's, a test's); spec firmware has its own.
 */
export abstract class BigIntCallContext implements CallContext {
  /** The trap's immediate. */
  abstract readonly imm: number;
  /** Where the trap came from. */
  abstract readonly origin: Origin;
  /** Hypervisor-side state. */
  abstract readonly state: HypervisorState;
  /** Guest memory. */
  abstract readonly memory: CallMemory;
  /** A register's value. */
  abstract get(register: RegisterOperand): bigint;
  /** Change a register. */
  abstract set(register: RegisterOperand, value: bigint): void;

  /** `Number(BigInt.asUintN(32, get(register)))`. */
  u32(register: RegisterOperand): number {
    return Number(BigInt.asUintN(32, this.get(register)));
  }

  /** `set(register, BigInt(value >>> 0))`. */
  setU32(register: RegisterOperand, value: number): void {
    this.set(register, BigInt(value >>> 0));
  }

  /** `set(to, get(from))`. */
  copy(to: RegisterOperand, from: RegisterOperand): void {
    this.set(to, this.get(from));
  }
}

/**
 * The call returns to the caller's next instruction with the registers as
 * set. Usually in the caller's own mode; a handler that rewrites the saved
 * exception state (an arm64 stub that upgrades its caller to VHE, so the
 * exception return stays at EL2) returns to another exception level or
 * mode, which `mode` names.
 */
export interface ReturnOutcome {
  /** Discriminant. */
  readonly kind: 'return';
  /** The mode the caller resumes in, by the backend's mode name, when it is not the caller's own; absent: the caller's mode. */
  readonly mode?: string;
  /** Why the caller resumes in {@link ReturnOutcome.mode}, one line (with `mode` only). */
  readonly note?: string;
}

/** A return to the caller's next instruction in `mode` instead of the caller's own (see {@link ReturnOutcome.mode}); build it once, at module level. */
export function returnIn(mode: string, note: string): ReturnOutcome {
  return Object.freeze({ kind: 'return', mode, note });
}

/** The one {@link ReturnOutcome} semantics return: shared, so returning allocates nothing (and spec firmware can test for it by identity). */
export const RETURN: ReturnOutcome = Object.freeze({ kind: 'return' });

/**
 * A jump or call target (or argument) as semantics give it: a bigint, or a
 * number holding a 32-bit value (read `>>> 0`, so it is unsigned), the form
 * that costs no BigInt where the value is at most 32 bits wide.
 */
export type OutcomeValue = bigint | number;

/** An {@link OutcomeValue} as a bigint (a number is read as an unsigned 32-bit value). */
export function outcomeBigInt(value: OutcomeValue): bigint {
  return typeof value === 'bigint' ? value : BigInt(value >>> 0);
}

/** The low 32 bits of an {@link OutcomeValue}, unsigned. */
export function outcomeU32(value: OutcomeValue): number {
  return typeof value === 'number' ? value >>> 0 : Number(BigInt.asUintN(32, value));
}

/** The call continues at `target` in the handler's (hypervisor) mode; the caller never sees a return. */
export interface JumpOutcome<V extends OutcomeValue = bigint> {
  /** Discriminant. */
  readonly kind: 'jump';
  /** Where execution continues. */
  readonly target: V;
  /** What the jump means, one line. */
  readonly note: string;
}

/** The call runs a hypervisor function at `target` with `args`; it returns to the handler, which then returns to the caller. */
export interface FunctionCallOutcome<V extends OutcomeValue = bigint> {
  /** Discriminant. */
  readonly kind: 'call';
  /** The function's address. */
  readonly target: V;
  /** Its arguments, in the architecture's argument registers. */
  readonly args: readonly V[];
  /** What the call means, one line. */
  readonly note: string;
}

/**
 * The hypervisor stops running the guest and hands the vCPU back to its
 * host-side caller: `KVM_RUN` returns an error (−ENOSYS for an MMIO access
 * with no valid syndrome on v3.9–v5.4), so the virtual machine stops. The
 * guest never resumes; what the host sees is `exit`. A trap's meaning can
 * end there only for conduits that are guest exits (a data abort), never
 * for a call the guest makes on purpose and waits on.
 */
export interface ExitOutcome {
  /** Discriminant. */
  readonly kind: 'exit';
  /** What the host sees, as the source spells it (`KVM_RUN: -ENOSYS`). */
  readonly exit: string;
  /** What it means, one line. */
  readonly note: string;
}

/**
 * How a call ends. `CallOutcome` (values as bigints) is what the dispatcher,
 * conformance and the docs see; semantics return a {@link SpecOutcome},
 * which may carry 32-bit values as numbers.
 */
export type CallOutcome<V extends OutcomeValue = bigint> = ReturnOutcome | JumpOutcome<V> | FunctionCallOutcome<V> | ExitOutcome;

/** What a call's semantics return: {@link RETURN}, or a jump or call whose values are bigints or 32-bit numbers. */
export type SpecOutcome = CallOutcome<OutcomeValue>;

/** A {@link SpecOutcome} with every value as a bigint (the object itself when it already is one). */
export function bigIntOutcome(outcome: SpecOutcome): CallOutcome {
  switch (outcome.kind) {
    case 'return':
    case 'exit':
      return outcome;
    case 'jump':
      return typeof outcome.target === 'bigint' ? (outcome as JumpOutcome) : { kind: 'jump', target: outcomeBigInt(outcome.target), note: outcome.note };
    case 'call':
      if (typeof outcome.target === 'bigint' && outcome.args.every((a) => typeof a === 'bigint')) return outcome as FunctionCallOutcome;
      return { kind: 'call', target: outcomeBigInt(outcome.target), args: outcome.args.map(outcomeBigInt), note: outcome.note };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

/** The trapping instruction and the immediates an ABI answers to. */
export interface AbiConduit {
  /** Conduit instruction (`hvc`, `svc`, `smc`, `sc`, `sc1`, `vmcall`, …). */
  readonly instruction: string;
  /** Immediates it answers to. */
  readonly imm: ValueSpec | 'any';
}

/** Who may call an ABI. */
export interface AbiOrigin {
  /** Privileges that may call it. */
  readonly privilege: readonly Privilege[];
  /** Worlds that may call it. */
  readonly world: readonly World[];
}

/**
 * The selector name that means "the trap's immediate" rather than a register
 * (e.g. ARM OABI syscalls, `svc #(0x900000 + nr)`). A spec whose selector is
 * the immediate answers only immediates its calls claim.
 */
export const IMMEDIATE_SELECTOR = 'imm';

/** The register that selects the call. */
export interface AbiSelector {
  /** Register name, or {@link IMMEDIATE_SELECTOR} when the trap's immediate selects the call. */
  readonly register: string;
  /** Its width in bits (1–64). */
  readonly width: number;
}

/** The selector values of one call: a number, a range, a list, or every value no other call of the spec claims. */
export type CallSelect = ValueSpec | 'otherwise';

/** One call of an ABI. */
export interface CallSpec {
  /** Name as the source spells it (`HVC_SOFT_RESTART`, `getpid`). */
  readonly name: string;
  /** Selector values. */
  readonly select: CallSelect;
  /** What it does, one line. */
  readonly summary: string;
  /** Argument registers. */
  readonly args?: readonly RegisterRole[];
  /** Result registers. */
  readonly results?: readonly RegisterRole[];
  /** Registers it may clobber besides the results. */
  readonly clobbers?: readonly string[];
  /** Whether the call never returns to the caller. */
  readonly noReturn?: boolean;
  /**
   * What the call means, for telling agreement from collision: two specs
   * agree on a trap when their calls have the same meaning and the same
   * effect. Defaults to the call name.
   */
  readonly meaning?: string;
  /**
   * The executable semantics: the reference handler. It reads and writes
   * registers through the context (handles and the 32-bit number form where
   * the values are 32 bits: see {@link CallContext}) and returns how the call
   * ends ({@link RETURN} for a plain return).
   */
  readonly run: (context: CallContext) => SpecOutcome;
}

/** A runnable example of the ABI. */
export interface AbiExample {
  /** What it shows. */
  readonly title: string;
  /** Registers at the trap (unset ones are 0). */
  readonly registers: Readonly<Record<string, bigint>>;
  /** Where the caller runs (default: the spec's first allowed origin). */
  readonly origin?: Origin;
  /** The trap's immediate (default: the smallest the conduit answers to). */
  readonly imm?: number;
  /** The call it must reach. */
  readonly call: string;
}

/** An example as a trap: its immediate, origin and registers with the defaults filled in. */
export interface ExampleTrap {
  /** The immediate. */
  readonly imm: number;
  /** The caller. */
  readonly origin: Origin;
  /** Registers at the trap (unset ones are 0). */
  readonly registers: Readonly<Record<string, bigint>>;
}

/** Whether a spec's selector is the trap's immediate. */
export function selectsByImmediate(spec: Pick<AbiSpec, 'selector'>): boolean {
  return spec.selector.register === IMMEDIATE_SELECTOR;
}

/**
 * The trap an example stands for: its immediate (default: the smallest the
 * conduit answers to) and its origin (default: the spec's first privilege
 * and first world).
 */
export function exampleTrap(abi: Abi, example: AbiExample): ExampleTrap {
  const origin = example.origin ?? { privilege: abi.spec.origin.privilege[0]!, world: abi.spec.origin.world[0]! };
  return { imm: example.imm ?? Number(abi.imm.first() ?? 0n), origin, registers: example.registers };
}

/**
 * What a hypervisor must look at to recognise one of a design's calls on a
 * conduit it shares with something else (ordinarily the OS's system calls):
 * the trap's immediate (or a level field encoded in the trapping instruction), magic
 * values in registers, the caller's privilege, the trapping address, or a
 * fetch of the trapping instruction itself.
 */
export type RecognitionInput = 'immediate' | 'magic-registers' | 'privilege' | 'pc' | 'instruction-fetch';

/**
 * The design cost of an ABI: what recognising a call costs the hypervisor and
 * the guest. Optional; the docs render it on the family page and gather every
 * spec that has one on the design-cost page, so that competing designs for the
 * same conduit can be compared.
 */
export interface AbiRecognition {
  /** What the hypervisor inspects on every trap of the conduit to tell a call of this ABI from anything else. */
  readonly inspects: readonly RecognitionInput[];
  /** How many registers the guest gives up to recognition (magic values, a token) beyond the ones the conduit's own ABI already uses. */
  readonly registersGivenUp: number;
  /** Whether, and why, ordinary system calls on the same conduit get slower, one line. */
  readonly slowsSyscalls: string;
}

/** A spec as written in an `.abi.ts` file. */
export interface AbiSpec {
  /** Unique id, e.g. `linux-hyp-stub-v4.12`. */
  readonly id: string;
  /** Family shared by the eras of one ABI, e.g. `linux-hyp-stub`. */
  readonly family: string;
  /** Architecture name. */
  readonly arch: string;
  /** Era or version, e.g. `v4.12–v5.6`. */
  readonly era: string;
  /** How established it is. */
  readonly status: AbiStatus;
  /** What the ABI is for, one paragraph. */
  readonly purpose: string;
  /** Where the facts come from. */
  readonly source: AbiSource;
  /** The trapping instruction and the immediates it answers to. */
  readonly conduit: AbiConduit;
  /** Who may call it. */
  readonly origin: AbiOrigin;
  /** The register that selects the call, and its width in bits. */
  readonly selector: AbiSelector;
  /** Conditions on other registers every call needs (magic values). */
  readonly conditions?: readonly RegisterCondition[];
  /** Order in which a hypervisor that implements several ABIs on one conduit consults them (higher first). */
  readonly priority: number;
  /** The calls. */
  readonly calls: readonly CallSpec[];
  /** Runnable examples. */
  readonly examples: readonly AbiExample[];
  /** Notes for the docs page. */
  readonly notes?: readonly string[];
  /** The design cost of recognising a call (see {@link AbiRecognition}); rendered in the docs when present. */
  readonly recognition?: AbiRecognition;
}

/** A call with its selector values resolved. */
export interface ResolvedCall {
  /** The call as written. */
  readonly spec: CallSpec;
  /** Selector values it claims ('otherwise' resolved against the other calls). */
  readonly values: ValueSet;
}

/** A checked spec with its resolved selector regions. */
export interface Abi {
  /** The spec as written. */
  readonly spec: AbiSpec;
  /** Immediates the conduit answers to. */
  readonly imm: ValueSet;
  /** Conditions as value sets, by register. */
  readonly conditions: ReadonlyMap<string, ValueSet>;
  /** Calls with their selector values. */
  readonly calls: readonly ResolvedCall[];
}

/** A spec that contradicts itself or lacks something required. The message names the spec and the field. */
export class AbiSpecError extends Error {
  /** Always `'AbiSpecError'`. */
  override readonly name = 'AbiSpecError';
}

/** Immediates are 24 bits at most on every modelled conduit (A32 SVC). */
const IMM_WIDTH = 24;

/** Turn a {@link ValueSpec} into a set, checking each range. */
export function valuesOf(values: ValueSpec, width: number, where: string): ValueSet {
  const items = Array.isArray(values) ? (values as readonly (bigint | ValueRange)[]) : [values as bigint | ValueRange];
  if (items.length === 0) throw new AbiSpecError(`${where}: no values`);
  // One normalisation for all items (the same set as a union item by item, without a set per item).
  const intervals: Interval[] = [];
  for (const item of items) {
    if (typeof item === 'bigint') {
      const value = BigInt.asUintN(width, item);
      intervals.push({ min: value, max: value });
    } else {
      const min = BigInt.asUintN(width, item.min);
      const max = BigInt.asUintN(width, item.max);
      if (min > max) throw new AbiSpecError(`${where}: range ${item.min}..${item.max} is empty`);
      intervals.push({ min, max });
    }
  }
  return ValueSet.fromIntervals(width, intervals);
}

/**
 * The selector values claimed by the calls seen so far, as sorted disjoint
 * intervals: checking and adding a call costs a binary search, so a spec
 * with hundreds of calls (a syscall table) is checked in about linear time
 * instead of re-normalising the whole union after every call.
 */
class ClaimedValues {
  private readonly intervals: Interval[] = [];

  /** Index of the first interval whose max is at least `value`. */
  private firstEndingAtOrAfter(value: bigint): number {
    let lo = 0;
    let hi = this.intervals.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.intervals[mid]!.max < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether any of `values` is claimed already. */
  overlaps(values: ValueSet): boolean {
    for (const interval of values.intervals) {
      const next = this.intervals[this.firstEndingAtOrAfter(interval.min)];
      if (next !== undefined && next.min <= interval.max) return true;
    }
    return false;
  }

  /** Claim `values` (which must not overlap what is claimed). */
  add(values: ValueSet): void {
    for (const interval of values.intervals) {
      // Calls mostly come in ascending order (syscall tables): then the interval goes at the end.
      const last = this.intervals[this.intervals.length - 1];
      if (last === undefined || last.max < interval.min) this.intervals.push(interval);
      else this.intervals.splice(this.firstEndingAtOrAfter(interval.min), 0, interval);
    }
  }

  /** Everything claimed, as a set of `width`. */
  set(width: number): ValueSet {
    return ValueSet.fromIntervals(width, this.intervals);
  }
}

/**
 * Check a spec and resolve its selectors. Throws {@link AbiSpecError} naming
 * the spec and field for: a missing id, family, arch, era, purpose or source;
 * no calls; a call name used twice; a selector value claimed twice (or
 * ranges that overlap) inside the spec; more than one `otherwise` call; an
 * `otherwise` call with nothing left to claim; a call selected by the
 * immediate that claims an immediate the conduit does not answer to; an
 * example that names an unknown call, uses an immediate or origin the spec
 * does not answer to, fails a condition, or does not reach the call it names.
 */
export function defineAbi(spec: AbiSpec): Abi {
  const id = spec.id?.trim() ? spec.id : '<no id>';
  const fail = (field: string, message: string): never => {
    throw new AbiSpecError(`ABI spec '${id}': ${field}: ${message}`);
  };
  if (!spec.id?.trim()) fail('id', 'missing');
  for (const field of ['family', 'arch', 'era', 'purpose'] as const) if (!spec[field]?.trim()) fail(field, 'missing');
  if (spec.source === undefined || !spec.source.document?.trim()) fail('source.document', 'missing: every spec cites its source');
  if (!spec.source.version?.trim()) fail('source.version', 'missing: say which kernel (or other) version it describes');
  if (!spec.conduit?.instruction?.trim()) fail('conduit.instruction', 'missing');
  if (spec.origin.privilege.length === 0) fail('origin.privilege', 'no privilege may call it');
  if (spec.origin.world.length === 0) fail('origin.world', 'no world may call it');
  const width = spec.selector.width;
  if (!Number.isInteger(width) || width < 1 || width > 64) fail('selector.width', `${width} is not 1..64`);
  if (spec.calls.length === 0) fail('calls', 'no calls');
  if (spec.recognition !== undefined) {
    if (spec.recognition.inspects.length === 0) fail('recognition.inspects', 'empty: say what the hypervisor inspects');
    if (!Number.isInteger(spec.recognition.registersGivenUp) || spec.recognition.registersGivenUp < 0) fail('recognition.registersGivenUp', `${spec.recognition.registersGivenUp} is not a count`);
    if (!spec.recognition.slowsSyscalls?.trim()) fail('recognition.slowsSyscalls', 'missing');
  }
  const imm = spec.conduit.imm === 'any' ? ValueSet.all(IMM_WIDTH) : valuesOf(spec.conduit.imm, IMM_WIDTH, `ABI spec '${id}': conduit.imm`);
  const conditions = new Map<string, ValueSet>();
  for (const [index, condition] of (spec.conditions ?? []).entries()) {
    if (conditions.has(condition.register)) fail(`conditions[${index}]`, `register ${condition.register} is conditioned twice`);
    if (condition.register === spec.selector.register) fail(`conditions[${index}]`, `the selector register ${condition.register} cannot also be a condition`);
    if (condition.register === IMMEDIATE_SELECTOR) fail(`conditions[${index}]`, `'${IMMEDIATE_SELECTOR}' is the trap's immediate, not a register: say which immediates the ABI answers to in conduit.imm`);
    const conditionWidth = condition.width ?? width;
    if (!Number.isInteger(conditionWidth) || conditionWidth < 1 || conditionWidth > 64) fail(`conditions[${index}].width`, `${conditionWidth} is not 1..64`);
    conditions.set(condition.register, valuesOf(condition.values, conditionWidth, `ABI spec '${id}': conditions[${index}] (${condition.register})`));
  }
  const byImmediate = selectsByImmediate(spec);
  const names = new Set<string>();
  const explicit: { call: CallSpec; values: ValueSet }[] = [];
  let otherwise: CallSpec | undefined;
  const claimedSoFar = new ClaimedValues();
  for (const [index, call] of spec.calls.entries()) {
    const where = `calls[${index}] '${call.name}'`;
    if (!call.name?.trim()) fail(`calls[${index}].name`, 'missing');
    if (names.has(call.name)) fail(where, 'call name used twice');
    names.add(call.name);
    if (call.select === 'otherwise') {
      if (otherwise !== undefined) fail(where, `a second 'otherwise' call (the first is '${otherwise.name}')`);
      otherwise = call;
      continue;
    }
    const values = valuesOf(call.select, width, `ABI spec '${id}': ${where}.select`);
    // A call selected by the immediate can only claim immediates the conduit answers to.
    const unreachable = byImmediate ? values.minus(imm) : ValueSet.none(width);
    if (!unreachable.isEmpty()) fail(`${where}.select`, `immediate ${unreachable.toString()} is outside conduit.imm (${imm.toString()})`);
    if (claimedSoFar.overlaps(values)) {
      const overlap = values.intersect(claimedSoFar.set(width));
      const other = explicit.find((e) => !e.values.intersect(values).isEmpty())!;
      fail(`${where}.select`, `value ${overlap.toString()} is already claimed by '${other.call.name}'`);
    }
    claimedSoFar.add(values);
    explicit.push({ call, values });
  }
  const claimed = claimedSoFar.set(width);
  const calls: ResolvedCall[] = explicit.map((e) => ({ spec: e.call, values: e.values }));
  if (otherwise !== undefined) {
    // Selected by the immediate, 'otherwise' means every other immediate the conduit answers to (kept at the selector's width).
    const rest = byImmediate ? ValueSet.fromIntervals(width, claimed.complement().intersect(imm).intervals) : claimed.complement();
    if (rest.isEmpty()) fail(`calls '${otherwise.name}'`, "'otherwise' has nothing left to claim");
    calls.push({ spec: otherwise, values: rest });
  }
  const abi: Abi = { spec, imm, conditions, calls };
  for (const [index, example] of spec.examples.entries()) {
    if (!names.has(example.call)) fail(`examples[${index}]`, `names unknown call '${example.call}'`);
    const trap = exampleTrap(abi, example);
    if (!imm.has(BigInt(trap.imm))) fail(`examples[${index}].imm`, `0x${trap.imm.toString(16)} is outside conduit.imm (${imm.toString()})`);
    if (!originAllowed(abi, trap.origin)) fail(`examples[${index}].origin`, `${trap.origin.privilege} in ${trap.origin.world} may not call this ABI`);
    for (const [register, values] of conditions) {
      const value = trap.registers[register] ?? 0n;
      if (!values.has(value)) fail(`examples[${index}]`, `${register}=0x${BigInt.asUintN(width, value).toString(16)} fails the condition on ${register}`);
    }
    const selector = byImmediate ? BigInt(trap.imm) : (trap.registers[spec.selector.register] ?? 0n);
    const reached = calls.find((c) => c.values.has(selector));
    if (reached?.spec.name !== example.call) {
      fail(`examples[${index}]`, `${spec.selector.register}=0x${BigInt.asUintN(width, selector).toString(16)} reaches '${reached?.spec.name ?? 'no call'}', not '${example.call}'`);
    }
  }
  return abi;
}

/** Whether an origin is allowed by a spec. */
export function originAllowed(abi: Abi, origin: Origin): boolean {
  return abi.spec.origin.privilege.includes(origin.privilege) && abi.spec.origin.world.includes(origin.world);
}
