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

import { MapHypervisorState, selectsByImmediate, type Abi, type CallContext, type CallMemory, type CallOutcome, type HypervisorState, type Origin, type ResolvedCall } from '../abi/spec.ts';
import type { ConformanceDriver } from './conformance.ts';
import { findCall, type RegisterReader } from '../dispatch/dispatcher.ts';
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
  /** The trap being handled at a call slot, or `undefined` if the syndrome names something else. */
  pendingTrap(machine: Machine, slot: FirmwareSlot): PendingTrap | undefined;
  /** One line about the exception being taken at a slot (for stops). */
  describeException(machine: Machine, slot: FirmwareSlot): string;
  /** The architecture's exception return to the caller, as an instruction at `address` would do it. */
  returnToCaller(address: number): StepResult;
  /** Continue at `target` in the handler's mode, as a branch at `address` would. */
  jump(machine: Machine, target: bigint, address: number): StepResult;
  /** Call a function at `target` with `args`, so that it returns to `returnAddress`. */
  callFunction(machine: Machine, target: bigint, args: readonly bigint[], returnAddress: number, address: number): StepResult;
  /** How conformance suites run on this architecture, where they can. */
  readonly conformance?: ConformanceDriver;
  /**
   * A direct accessor for register `name`, equivalent to `machine.register(name)`
   * and `machine.setRegister(name, …)` but without resolving the name on every
   * access; `undefined` where the port has none (the firmware then goes through
   * the machine). Speed only, never behaviour.
   */
  registerAccess?(machine: Machine, name: string): RegisterAccess | undefined;
}

/** Reads and writes one register of a live machine. */
export interface RegisterAccess {
  /** The register's value. */
  read(): bigint;
  /** Set the register. */
  write(value: bigint): void;
}

/**
 * Register accessors by name for one machine, resolved once per name through
 * the port (or the machine's by-name access where the port offers none).
 */
class RegisterCache {
  private readonly byName = new Map<string, RegisterAccess>();
  /** The last name looked up and its accessor: semantics mostly touch one register. */
  private lastName = '';
  private lastAccess: RegisterAccess | undefined;

  constructor(
    private readonly machine: Machine,
    private readonly port: FirmwarePort,
  ) {}

  access(name: string): RegisterAccess {
    if (name === this.lastName && this.lastAccess !== undefined) return this.lastAccess;
    let access = this.byName.get(name);
    if (access === undefined) {
      const machine = this.machine;
      access = this.port.registerAccess?.(machine, name) ?? { read: () => machine.register(name), write: (value) => machine.setRegister(name, value) };
      this.byName.set(name, access);
    }
    this.lastName = name;
    this.lastAccess = access;
    return access;
  }
}

/** Decides which call of a spec a trap reaches, like {@link findCall}. */
type CallFinder = (imm: number, origin: Origin, read: RegisterReader) => ResolvedCall | string;

/**
 * {@link findCall} with a one-entry memo. The call a trap reaches depends only
 * on the immediate, the origin, the selector register and the condition
 * registers, so when those repeat the last decision stands; anything else
 * (and every "not handled" answer) goes through `findCall` itself.
 */
function memoisedFindCall(abi: Abi, registers: RegisterCache): CallFinder {
  const selector = selectsByImmediate(abi.spec) ? undefined : registers.access(abi.spec.selector.register);
  const conditioned = [...abi.conditions.keys()];
  const lastConditions: bigint[] = conditioned.map(() => 0n);
  let last: ResolvedCall | undefined;
  let lastImm = 0;
  let lastPrivilege = '';
  let lastWorld = '';
  let lastSelector = 0n;
  return (imm, origin, read) => {
    // Registers are read here only after findCall has read them successfully for the remembered decision.
    hit: if (last !== undefined && imm === lastImm && origin.privilege === lastPrivilege && origin.world === lastWorld) {
      if ((selector === undefined ? 0n : selector.read()) !== lastSelector) break hit;
      for (let i = 0; i < conditioned.length; i++) if (read(conditioned[i]!) !== lastConditions[i]) break hit;
      return last;
    }
    const found = findCall(abi, imm, origin, read);
    if (typeof found === 'string') {
      last = undefined;
      return found;
    }
    last = found;
    lastImm = imm;
    lastPrivilege = origin.privilege;
    lastWorld = origin.world;
    lastSelector = selector === undefined ? 0n : selector.read();
    for (let i = 0; i < conditioned.length; i++) lastConditions[i] = read(conditioned[i]!);
    return found;
  };
}

/**
 * A {@link CallContext} over cached register accessors: what the firmware
 * hands a spec's semantics. One per installed firmware, re-aimed at each trap
 * (semantics run synchronously and return their outcome, so none outlives
 * its call).
 */
class FirmwareContext implements CallContext {
  imm = 0;
  origin: Origin = { privilege: 'kernel', world: 'host' };
  /** Lives as long as the installed firmware. */
  readonly state: HypervisorState = new MapHypervisorState();

  constructor(
    private readonly registers: RegisterCache,
    readonly memory: CallMemory,
  ) {}

  get(register: string): bigint {
    return this.registers.access(register).read();
  }

  set(register: string, value: bigint): void {
    this.registers.access(register).write(value);
  }
}

/** The machine's memory as a spec's semantics sees it (guest physical addresses are the machine's addresses here). */
function machineMemory(machine: Machine): CallMemory {
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
  const registers = new RegisterCache(machine, port);
  const read = (register: string): bigint => registers.access(register).read();
  const find = memoisedFindCall(abi, registers);
  const context = new FirmwareContext(registers, machineMemory(machine));
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
      const trap = port.pendingTrap(machine, slot);
      if (trap === undefined) return halt(`${port.describeException(machine, slot)} (vector ${slot.name})`);
      if (trap.conduit !== abi.spec.conduit.instruction && options.reflectTo !== undefined) return port.jump(machine, BigInt(options.reflectTo), address);
      if (trap.conduit !== abi.spec.conduit.instruction) return halt(`a ${trap.conduit} trap, but this ABI answers ${abi.spec.conduit.instruction}`);
      const found = find(trap.imm, trap.origin, read);
      if (typeof found === 'string') {
        if (options.reflectTo !== undefined) return port.jump(machine, BigInt(options.reflectTo), address);
        return halt(`${trap.conduit} #${trap.imm} not handled: ${found}`);
      }
      context.imm = trap.imm;
      context.origin = trap.origin;
      const outcome: CallOutcome = found.spec.run(context);
      switch (outcome.kind) {
        case 'return':
          return back;
        case 'jump':
          return port.jump(machine, outcome.target, address);
        case 'call':
          return port.callFunction(machine, outcome.target, outcome.args, returnTrampoline, address);
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
