/**
 * Spec firmware: a vector table at a guest address whose handlers run an ABI
 * spec's semantics instead of fetched instructions. The vector base register
 * points at it like at any other vectors; traps arrive through the
 * architecture's real exception entry, and the handler leaves through the
 * real exception return.
 *
 * What differs per architecture (which slots exist, how to read the pending
 * trap out of the syndrome, how to return, jump or call) is a
 * {@link FirmwarePort} that the backend provides.
 *
 * @module
 */

import {
  MapHypervisorState,
  reg,
  registerHandles,
  RETURN,
  type Abi,
  type CallContext,
  type CallMemory,
  type HypervisorState,
  type Origin,
  type OutcomeValue,
  type RegisterHandle,
  type RegisterOperand,
  type ResolvedCall,
  type SpecOutcome,
  type VcpuControl,
} from '../abi/spec.ts';
import type { ConformanceDriver } from './conformance.ts';
import { compileSelector, originIndex, SlotValues, type CompiledSelector } from '../dispatch/compiled-selector.ts';
import type { Machine } from '../interp/machine.ts';
import { stop, type StepResult } from '../interp/step-result.ts';

/** One slot of a hypervisor vector table. */
export interface FirmwareSlot {
  /** Offset from the vector base. */
  readonly offset: number;
  /** Architectural name (`hyp-trap`, `prefetch-abort`, …). */
  readonly name: string;
  /** Whether hypervisor calls arrive here. */
  readonly calls: boolean;
}

/** A trap waiting at a vector, decoded from the architectural state. */
export interface PendingTrap {
  /** Conduit instruction. */
  readonly conduit: string;
  /** Its immediate. */
  readonly imm: number;
  /** Who called. */
  readonly origin: Origin;
}

/**
 * A {@link PendingTrap} that a port fills in: spec firmware keeps one per
 * installed table, so decoding a trap allocates nothing (ports hand out
 * shared origin objects).
 */
export interface PendingTrapRecord {
  /** Conduit instruction. */
  conduit: string;
  /** Its immediate. */
  imm: number;
  /** Who called. */
  origin: Origin;
}

/**
 * Where one register of a live machine lives, as two 32-bit words of a
 * typed array: `words[low]` holds bits 31:0 and, for a 64-bit register,
 * `words[high]` bits 63:32 (`high` is −1 for a 32-bit register). Reading and
 * writing the words must be exactly what `machine.register(name)` and
 * `machine.setRegister(name, …)` do: plain stores, no side effects.
 */
export interface RegisterWords {
  /** The state's array, as unsigned words (a `Uint32Array` view of an `Int32Array` is fine). */
  readonly words: Uint32Array;
  /** Index of bits 31:0. */
  readonly low: number;
  /** Index of bits 63:32, or −1 for a 32-bit register. */
  readonly high: number;
}

/** Reads and writes one register of a live machine, for a register that is not plain words (its write has side effects, or it is a scalar field). */
export interface RegisterAccess {
  /** The register's value. */
  read(): bigint;
  /** Set the register. */
  write(value: bigint): void;
}

/** Where a register lives, as a port resolves it: words of a typed array, or an accessor pair. */
export type RegisterSlot = RegisterWords | RegisterAccess;

/** What a backend provides so that spec firmware can sit at its hypervisor vectors. */
export interface FirmwarePort {
  /** The register that holds the vector base (`hvbar`). */
  readonly vectorBaseRegister: string;
  /** Bytes the table spans (overlays are installed inside it). */
  readonly tableSize: number;
  /** Required alignment of the vector base. */
  readonly alignment: number;
  /** The slots. */
  readonly slots: readonly FirmwareSlot[];
  /**
   * A decoder of the trap being handled at a call slot of `machine`, bound
   * to its state once (spec firmware asks when it is installed): it fills
   * `into` and returns true, or returns false (and leaves `into` alone) if
   * the syndrome names something else. It runs on every trap the firmware
   * takes, so it must not allocate. {@link pendingTrap} gives the same
   * answer as a fresh object.
   */
  pendingTrapReader(machine: Machine): PendingTrapReader;
  /** One line about the exception being taken at a slot (for stops). */
  describeException(machine: Machine, slot: FirmwareSlot): string;
  /** The architecture's exception return to the caller, as an instruction at `address` would do it. */
  returnToCaller(address: number): StepResult;
  /** Continue at `target` in the handler's mode, as a branch at `address` would. */
  jump(machine: Machine, target: OutcomeValue, address: number): StepResult;
  /** Call a function at `target` with `args`, so that it returns to `returnAddress`. */
  callFunction(machine: Machine, target: OutcomeValue, args: readonly OutcomeValue[], returnAddress: number, address: number): StepResult;
  /** How conformance suites run on this architecture, where they can. */
  readonly conformance?: ConformanceDriver;
  /**
   * Where register `name` lives in `machine`'s state, for spec firmware to
   * reach it directly (it asks once per register name when it is
   * installed); `undefined` where the port has no direct slot (the firmware
   * then goes through `machine.register` and `machine.setRegister`, which
   * throw for an unknown name). Speed only, never behaviour.
   */
  registerSlot?(machine: Machine, name: string): RegisterSlot | undefined;
}

/** Decodes the pending trap at a call slot into a record (see {@link FirmwarePort.pendingTrapReader}). */
export type PendingTrapReader = (slot: FirmwareSlot, into: PendingTrapRecord) => boolean;

/** The trap being handled at a call slot as a fresh object, or `undefined` if the syndrome names something else (for tools that keep it; the firmware itself reads into a record). */
export function pendingTrap(port: FirmwarePort, machine: Machine, slot: FirmwareSlot): PendingTrap | undefined {
  const into: PendingTrapRecord = { conduit: '', imm: 0, origin: { privilege: 'kernel', world: 'host' } };
  return port.pendingTrapReader(machine)(slot, into) ? into : undefined;
}

/** BigInts of the small values call numbers and results mostly are, so that reading them allocates nothing. */
const SMALL: readonly bigint[] = Array.from({ length: 256 }, (_, i) => BigInt(i));
const U32_MAX = 0xffff_ffffn;

/** A register through the machine's by-name access (a register the port has no slot for). */
function machineAccess(machine: Machine, name: string): RegisterAccess {
  return { read: () => machine.register(name), write: (value) => machine.setRegister(name, value) };
}

function isWords(slot: RegisterSlot): slot is RegisterWords {
  return (slot as RegisterWords).words !== undefined;
}

/** Options of a {@link FirmwareContext}. */
export interface FirmwareContextOptions {
  /** Guest memory as the semantics see it (default: the machine's memory, guest physical addresses being the machine's). */
  readonly memory?: CallMemory;
  /** Hypervisor-side state (default: a fresh {@link MapHypervisorState}); the vCPUs of one machine share one. */
  readonly state?: HypervisorState;
  /** The machine's vCPUs as the calls see them (see `CallContext.vcpus`), where it has several. */
  readonly vcpus?: VcpuControl;
}

/**
 * The {@link CallContext} spec firmware hands a spec's semantics: the live
 * registers of one machine, every {@link RegisterHandle} resolved to its
 * slot once, when the context is made (handles interned later are resolved
 * on their first use). A register the port keeps in a typed array is two
 * array loads away: `u32` and `setU32` are one typed-array access and no
 * BigInt; `get` and `set` build or split a bigint only for the value
 * itself. One context per installed firmware, re-aimed at each trap
 * (`imm`, `origin`); semantics run synchronously, so none outlives its call.
 */
export class FirmwareContext implements CallContext {
  /** The trap's immediate (set by the firmware before each call). */
  imm = 0;
  /** Where the trap came from (set by the firmware before each call). */
  origin: Origin = { privilege: 'kernel', world: 'host' };
  /** Lives as long as the context. */
  readonly state: HypervisorState;
  /** Guest memory. */
  readonly memory: CallMemory;
  /** The machine's vCPUs, where it has several. */
  readonly vcpus: VcpuControl | undefined;
  /** By handle id: the words array of a register in one, else `undefined` (an accessor, or not resolved yet). */
  private words: (Uint32Array | undefined)[] = [];
  /** By handle id: index of bits 31:0 in `words`. */
  private lows = new Int32Array(0);
  /** By handle id: index of bits 63:32 in `words`, or −1. */
  private highs = new Int32Array(0);
  /** By handle id: the accessor of a register not in words. */
  private accessors: (RegisterAccess | undefined)[] = [];
  /** Handles with id below this are resolved. */
  private resolved = 0;

  /**
   * @param machine the live machine.
   * @param port its firmware port (for the register slots).
   * @param options memory and state, when not the defaults.
   */
  constructor(
    private readonly machine: Machine,
    private readonly port: FirmwarePort,
    options: FirmwareContextOptions = {},
  ) {
    this.memory = options.memory ?? machineMemory(machine);
    this.state = options.state ?? new MapHypervisorState();
    this.vcpus = options.vcpus;
    this.resolveHandles();
  }

  /** Resolve every handle interned since the last time. */
  private resolveHandles(): void {
    const handles = registerHandles();
    const count = handles.length;
    if (count <= this.resolved) return;
    const lows = new Int32Array(count);
    const highs = new Int32Array(count);
    lows.set(this.lows);
    highs.set(this.highs);
    for (let id = this.resolved; id < count; id++) {
      const name = handles[id]!.name;
      const slot = this.port.registerSlot?.(this.machine, name) ?? machineAccess(this.machine, name);
      if (isWords(slot)) {
        this.words[id] = slot.words;
        lows[id] = slot.low;
        highs[id] = slot.high;
        this.accessors[id] = undefined;
      } else {
        this.words[id] = undefined;
        highs[id] = -1;
        this.accessors[id] = slot;
      }
    }
    this.lows = lows;
    this.highs = highs;
    this.resolved = count;
  }

  /** The accessor of a register that is not in words (resolving handles interned after the context was made). */
  private accessor(id: number): RegisterAccess {
    if (id >= this.resolved) this.resolveHandles();
    return this.accessors[id]!;
  }

  /** The words of handle `id` after resolving late handles, or `undefined` for an accessor register. */
  private lateWords(id: number): Uint32Array | undefined {
    if (id >= this.resolved) this.resolveHandles();
    return this.words[id];
  }

  /** A register's value, unsigned, full width. */
  get(register: RegisterOperand): bigint {
    const id = (typeof register === 'string' ? reg(register) : register).id;
    const words = this.words[id] ?? this.lateWords(id);
    if (words === undefined) return this.accessor(id).read();
    const low = words[this.lows[id]!]!;
    const high = this.highs[id]!;
    const hi = high < 0 ? 0 : words[high]!;
    if (hi === 0) return low < 256 ? SMALL[low]! : BigInt(low);
    return (BigInt(hi) << 32n) | BigInt(low);
  }

  /** Set a register, truncated to its width. */
  set(register: RegisterOperand, value: bigint): void {
    const id = (typeof register === 'string' ? reg(register) : register).id;
    const words = this.words[id] ?? this.lateWords(id);
    if (words === undefined) {
      this.accessor(id).write(value);
      return;
    }
    let low: number;
    let hi: number;
    if (value >= 0n && value <= U32_MAX) {
      // The usual case (results, addresses of a 32-bit machine): no BigInt arithmetic.
      low = Number(value);
      hi = 0;
    } else {
      const v = BigInt.asUintN(64, value);
      low = Number(v & U32_MAX);
      hi = Number(v >> 32n);
    }
    words[this.lows[id]!] = low;
    const high = this.highs[id]!;
    if (high >= 0) words[high] = hi;
  }

  /** The low 32 bits of a register, unsigned. */
  u32(register: RegisterOperand): number {
    const id = (typeof register === 'string' ? reg(register) : register).id;
    const words = this.words[id];
    if (words !== undefined) return words[this.lows[id]!]!;
    const late = this.lateWords(id);
    if (late !== undefined) return late[this.lows[id]!]!;
    return Number(BigInt.asUintN(32, this.accessor(id).read()));
  }

  /** Set a register to a 32-bit value (`>>> 0`), zero-extended. */
  setU32(register: RegisterOperand, value: number): void {
    const id = (typeof register === 'string' ? reg(register) : register).id;
    const words = this.words[id] ?? this.lateWords(id);
    if (words === undefined) {
      this.accessor(id).write(BigInt(value >>> 0));
      return;
    }
    // A Uint32Array store takes the value modulo 2^32, as `>>> 0` does.
    words[this.lows[id]!] = value;
    const high = this.highs[id]!;
    if (high >= 0) words[high] = 0;
  }

  /** Bits 63:32 of a register (0 for a 32-bit register), unsigned: with {@link FirmwareContext.u32}, a register's words without a bigint. */
  high32(register: RegisterOperand): number {
    const id = (typeof register === 'string' ? reg(register) : register).id;
    const words = this.words[id] ?? this.lateWords(id);
    if (words === undefined) return Number(BigInt.asUintN(32, this.accessor(id).read() >> 32n));
    const high = this.highs[id]!;
    return high < 0 ? 0 : words[high]!;
  }

  /**
   * Where a register's words are, for readers that resolve once and load
   * words themselves (the call finder); `undefined` for a register the port
   * keeps behind an accessor.
   */
  wordsOf(register: RegisterHandle): RegisterWords | undefined {
    const id = register.id;
    const words = this.words[id] ?? this.lateWords(id);
    return words === undefined ? undefined : { words, low: this.lows[id]!, high: this.highs[id]! };
  }

  /** `to` ← `from`, word by word where both are in words. */
  copy(to: RegisterOperand, from: RegisterOperand): void {
    const source = (typeof from === 'string' ? reg(from) : from).id;
    const target = (typeof to === 'string' ? reg(to) : to).id;
    const sourceWords = this.words[source] ?? this.lateWords(source);
    const targetWords = this.words[target] ?? this.lateWords(target);
    if (sourceWords === undefined || targetWords === undefined) {
      this.set(to, this.get(from));
      return;
    }
    const sourceHigh = this.highs[source]!;
    const targetHigh = this.highs[target]!;
    const low = sourceWords[this.lows[source]!]!;
    const hi = sourceHigh < 0 ? 0 : sourceWords[sourceHigh]!;
    targetWords[this.lows[target]!] = low;
    if (targetHigh >= 0) targetWords[targetHigh] = hi;
  }
}

/** 2^32, to put a register's two words together as one number. */
const TWO_TO_32 = 0x1_0000_0000;
/** High words below this keep a register's value under 2^53, exact as a number. */
const EXACT_HIGH = 0x20_0000;

/**
 * Which call of a spec a trap reaches: the dispatcher's decision structure
 * for the spec ({@link compileSelector}: immediates, origins, conditions and
 * selector values as number intervals), fed straight from the register
 * words the firmware context resolved, so spec firmware and the dispatcher
 * decide alike by construction. In front of it sits the last decision: the
 * call a trap reaches depends only on the immediate, the origin and the
 * decision registers, so when the immediate, the origin object and every
 * decision register's raw words (the whole register, so a hit is exact
 * whatever the widths) repeat, as in a loop on one call, it stands.
 */
class CallFinder {
  private readonly selector: CompiledSelector;
  private readonly values: SlotValues;
  /** The decision registers by slot: their handles, and their words where the port keeps them in an array. */
  private readonly handles: readonly RegisterHandle[];
  private readonly words: readonly (Uint32Array | undefined)[];
  private readonly lows: Int32Array;
  private readonly highs: Int32Array;
  /** The decision registers' words at the last decision, low then high per slot. */
  private readonly lastWords: Uint32Array;
  private lastCall: ResolvedCall | undefined = undefined;
  private lastImm = 0;
  private lastOrigin: Origin | undefined = undefined;
  private lastOriginIndex = 0;
  private readonly read: (register: string) => bigint;

  constructor(abi: Abi, private readonly context: FirmwareContext) {
    // Slots of its own: 0, 1, … in the order of `registers`.
    let next = 0;
    this.selector = compileSelector(abi, () => next++);
    this.values = new SlotValues(next);
    const names = this.selector.registers;
    this.handles = names.map(reg);
    const slots = this.handles.map((handle) => context.wordsOf(handle));
    this.words = slots.map((slot) => slot?.words);
    this.lows = Int32Array.from(slots, (slot) => slot?.low ?? 0);
    this.highs = Int32Array.from(slots, (slot) => slot?.high ?? -1);
    this.lastWords = new Uint32Array(2 * names.length);
    this.read = (register) => context.get(register);
  }

  /** The call a trap with this immediate and origin reaches (the registers as they are now), or why none does. */
  find(imm: number, origin: Origin): ResolvedCall | string {
    const count = this.handles.length;
    const last = this.lastWords;
    let same = this.lastCall !== undefined && imm === this.lastImm && origin === this.lastOrigin;
    // Read every decision register's words, noting whether they are the last decision's.
    for (let slot = 0; slot < count; slot++) {
      const words = this.words[slot];
      let low: number;
      let high: number;
      if (words !== undefined) {
        low = words[this.lows[slot]!]!;
        const h = this.highs[slot]!;
        high = h < 0 ? 0 : words[h]!;
      } else {
        const handle = this.handles[slot]!;
        low = this.context.u32(handle);
        high = this.context.high32(handle);
      }
      if (same && (last[2 * slot] !== low || last[2 * slot + 1] !== high)) same = false;
      last[2 * slot] = low;
      last[2 * slot + 1] = high;
    }
    if (same) return this.lastCall!;
    const values = this.values;
    for (let slot = 0; slot < count; slot++) {
      const low = last[2 * slot]!;
      const high = last[2 * slot + 1]!;
      if (high < EXACT_HIGH) values.numbers[slot] = high * TWO_TO_32 + low;
      else values.setBig(slot, (BigInt(high) << 32n) | BigInt(low));
    }
    const at = origin === this.lastOrigin ? this.lastOriginIndex : originIndex(origin);
    const code = this.selector.decide(imm, at, values);
    if (code < 0) {
      this.lastCall = undefined;
      return this.selector.refusal(code, imm, at, this.read);
    }
    const call = this.selector.call(code);
    this.lastCall = call;
    this.lastImm = imm;
    this.lastOrigin = origin;
    this.lastOriginIndex = at;
    return call;
  }
}

/** The machine's memory as a spec's semantics sees it (guest physical addresses are the machine's addresses here). */
export function machineMemory(machine: Machine): CallMemory {
  const memory = machine.memory;
  return {
    read(address, size) {
      const a = Number(address);
      switch (size) {
        case 1:
          return toBig(memory.read8(a));
        case 2:
          return toBig(memory.read16(a));
        case 4:
          return toBig(memory.read32(a));
        default:
          return memory.read64(a);
      }
    },
    write(address, size, value) {
      const a = Number(address);
      switch (size) {
        case 1:
          return memory.write8(a, Number(BigInt.asUintN(8, value)));
        case 2:
          return memory.write16(a, Number(BigInt.asUintN(16, value)));
        case 4:
          return memory.write32(a, Number(BigInt.asUintN(32, value)));
        default:
          return memory.write64(a, BigInt.asUintN(64, value));
      }
    },
    // The bulk forms: every byte checked before any is written (readBytes and writeBytes do), as copyMemory and fillMemory define.
    copy(destination, source, length) {
      const bytes = memory.readBytes(Number(source), length);
      return bytes !== undefined && memory.writeBytes(Number(destination), bytes);
    },
    fill(address, length, byte) {
      return memory.writeBytes(Number(address), new Uint8Array(length).fill(byte & 0xff));
    },
  };
}

function toBig(value: number | undefined): bigint | undefined {
  return value === undefined ? undefined : BigInt(value >>> 0);
}

/** Where spec firmware is installed. */
export interface InstalledFirmware {
  /** The vector base. */
  readonly base: number;
  /** Address a called hypervisor function returns to (the firmware then returns to the caller). */
  readonly returnTrampoline: number;
}

/** How spec firmware treats what its spec does not handle. */
export interface SpecFirmwareOptions {
  /**
   * Where a trap at a call slot that the spec does not take as one of its
   * calls continues, in the handler's mode and with the exception state as
   * taken (the hypervisor reflects it to the guest's own handler). Without
   * it such a trap stops the run.
   */
  readonly reflectTo?: number;
  /** Hypervisor-side state, shared by the firmware of every vCPU of one machine (default: its own). */
  readonly state?: HypervisorState;
  /**
   * This vCPU's view of the machine's vCPUs (see `CallContext.vcpus`). A call
   * that powers the caller off (CPU_OFF, SYSTEM_OFF) ends its run with a
   * `powered-off` stop, the PC on the vector.
   */
  readonly vcpus?: VcpuControl;
  /**
   * Guest memory as the spec's semantics see it (default: the machine's):
   * where a hypervisor's emulated devices sit in front of the guest's RAM
   * (an MMIO bus layered over the machine's memory).
   */
  readonly memory?: CallMemory;
}

/**
 * Install `abi` as firmware at `base` and point the vector base register at
 * it. Call slots run the spec: the call the trap reaches runs its semantics
 * on the live registers, then returns, jumps or calls as its outcome says.
 * Any other exception reaching the table ends the run with a `firmware` stop
 * that says what was taken where, the PC on the vector. The table's memory is mapped if it is not
 * (the exception entry fetches the vector like any other).
 */
export function installSpecFirmware(machine: Machine, port: FirmwarePort, abi: Abi, base: number, options: SpecFirmwareOptions = {}): InstalledFirmware {
  if (base % port.alignment !== 0) throw new Error(`firmware base 0x${base.toString(16)} is not ${port.alignment}-byte aligned`);
  const returnTrampoline = base + port.tableSize;
  // The exception entry fetches the vector: the table must be mapped, like real vectors (its bytes are never run).
  machine.memory.map(base, port.tableSize + port.alignment);
  const id = abi.spec.id;
  const conduit = abi.spec.conduit.instruction;
  const vcpus = options.vcpus;
  const context = new FirmwareContext(machine, port, { ...(options.state === undefined ? {} : { state: options.state }), ...(vcpus === undefined ? {} : { vcpus }), ...(options.memory === undefined ? {} : { memory: options.memory }) });
  const finder = new CallFinder(abi, context);
  // One record per table: the port decodes each trap into it.
  const trap: PendingTrapRecord = { conduit: '', imm: 0, origin: context.origin };
  const readTrap = port.pendingTrapReader(machine);
  for (const slot of port.slots) {
    const address = base + slot.offset;
    // A stop leaves the PC on the vector it happened at (the step loop has already moved it past).
    const halt = (detail: string): StepResult => {
      machine.pc = address;
      return stop('firmware', `${id} firmware: ${detail}`);
    };
    if (!slot.calls) {
      machine.addOverlay(address, () => halt(`${port.describeException(machine, slot)} (vector ${slot.name})`));
      continue;
    }
    // The exception return is the same value every time (as an `eret` op's is): build it once.
    const back = port.returnToCaller(address);
    machine.addOverlay(address, () => {
      if (!readTrap(slot, trap)) return halt(`${port.describeException(machine, slot)} (vector ${slot.name})`);
      if (trap.conduit !== conduit) {
        if (options.reflectTo !== undefined) return port.jump(machine, options.reflectTo, address);
        return halt(`a ${trap.conduit} trap, but this ABI answers ${conduit}: ${port.describeException(machine, slot)} (vector ${slot.name})`);
      }
      const found = finder.find(trap.imm, trap.origin);
      if (typeof found === 'string') {
        if (options.reflectTo !== undefined) return port.jump(machine, options.reflectTo, address);
        return halt(`${trap.conduit} #${trap.imm} not handled: ${found}`);
      }
      context.imm = trap.imm;
      context.origin = trap.origin;
      const outcome: SpecOutcome = found.spec.run(context);
      if (vcpus !== undefined && !vcpus.isOn(vcpus.self)) {
        machine.pc = address;
        return stop('powered-off', `${id} firmware: ${found.spec.name} powered vCPU ${vcpus.self} off`);
      }
      if (outcome === RETURN) return back;
      switch (outcome.kind) {
        case 'return':
          return back;
        case 'jump':
          return port.jump(machine, outcome.target, address);
        case 'call':
          return port.callFunction(machine, outcome.target, outcome.args, returnTrampoline, address);
        case 'exit':
          // The hypervisor gives the vCPU back to its host: the guest stops here, on the vector.
          machine.pc = address;
          return stop('vm-exit', `${id}: ${outcome.exit}: ${outcome.note}`);
        default: {
          const unreachable: never = outcome;
          return unreachable;
        }
      }
    });
  }
  machine.addOverlay(returnTrampoline, () => port.returnToCaller(returnTrampoline));
  machine.setRegister(port.vectorBaseRegister, BigInt(base));
  return { base, returnTrampoline };
}
