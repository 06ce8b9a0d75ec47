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

import type { Abi, CallContext, CallOutcome, Origin } from '../abi/spec.ts';
import { findCall } from '../dispatch/dispatcher.ts';
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
}

/** A {@link CallContext} over a live machine. */
export class MachineContext implements CallContext {
  /**
   * @param machine the machine.
   * @param imm the trap's immediate.
   * @param origin the caller.
   */
  constructor(
    private readonly machine: Machine,
    readonly imm: number,
    readonly origin: Origin,
  ) {}

  /** A register's value. */
  get(register: string): bigint {
    return this.machine.register(register);
  }

  /** Set a register. */
  set(register: string, value: bigint): void {
    this.machine.setRegister(register, value);
  }
}

/** Where spec firmware is installed. */
export interface InstalledFirmware {
  /** The vector base. */
  readonly base: number;
  /** Address a called hypervisor function returns to (the firmware then returns to the caller). */
  readonly returnTrampoline: number;
}

/**
 * Install `abi` as firmware at `base` and point the vector base register at
 * it. Call slots run the spec: the call the trap reaches runs its semantics
 * on the live registers, then returns, jumps or calls as its outcome says.
 * Any other exception reaching the table ends the run with a `firmware` stop
 * that says what was taken where.
 */
export function installSpecFirmware(machine: Machine, port: FirmwarePort, abi: Abi, base: number): InstalledFirmware {
  if (base % port.alignment !== 0) throw new Error(`firmware base 0x${base.toString(16)} is not ${port.alignment}-byte aligned`);
  const returnTrampoline = base + port.tableSize;
  const id = abi.spec.id;
  for (const slot of port.slots) {
    const address = base + slot.offset;
    if (!slot.calls) {
      machine.addOverlay(address, () => stop('firmware', `${id} firmware: ${port.describeException(machine, slot)} (vector ${slot.name})`));
      continue;
    }
    machine.addOverlay(address, () => {
      const trap = port.pendingTrap(machine, slot);
      if (trap === undefined) return stop('firmware', `${id} firmware: ${port.describeException(machine, slot)} (vector ${slot.name})`);
      if (trap.conduit !== abi.spec.conduit.instruction) return stop('firmware', `${id} firmware: a ${trap.conduit} trap, but this ABI answers ${abi.spec.conduit.instruction}`);
      const found = findCall(abi, trap.imm, trap.origin, (register) => machine.register(register));
      if (typeof found === 'string') return stop('firmware', `${id} firmware: ${trap.conduit} #${trap.imm} not handled: ${found}`);
      const outcome: CallOutcome = found.spec.run(new MachineContext(machine, trap.imm, trap.origin));
      switch (outcome.kind) {
        case 'return':
          return port.returnToCaller(address);
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
