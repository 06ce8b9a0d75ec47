/**
 * How spec firmware sits at the arm32 Hyp vectors: the slots of the HVBAR
 * table, reading the pending call out of HSR, SPSR_hyp and VTTBR, and
 * leaving through ERET, a branch in Hyp, or a call with a return trampoline.
 *
 * @module
 */

import type { Origin, Privilege } from '../../src/abi/spec.ts';
import type { FirmwarePort, FirmwareSlot, PendingTrap } from '../../src/firmware/firmware.ts';
import type { CoreMachine } from '../../src/interp/machine.ts';
import type { Machine } from '../../src/interp/machine.ts';
import { hexAddress, type ExceptionReturn, type StepResult } from '../../src/interp/step-result.ts';
import { Ec, modeName, Vector } from './exceptions.ts';
import { Bank, Mode, type Arm32State } from './registers.ts';
import { branchTo } from './semantics/common.ts';

const SLOTS: readonly FirmwareSlot[] = [
  { offset: Vector.reset, name: 'reset', calls: false },
  { offset: Vector.undefined, name: 'undefined', calls: false },
  { offset: Vector.svc, name: 'svc/hvc-in-hyp', calls: true },
  { offset: Vector.prefetchAbort, name: 'prefetch-abort', calls: false },
  { offset: Vector.dataAbort, name: 'data-abort', calls: false },
  { offset: Vector.hypTrap, name: 'hyp-trap', calls: true },
  { offset: Vector.irq, name: 'irq', calls: false },
  { offset: Vector.fiq, name: 'fiq', calls: false },
];

function state(machine: Machine): Arm32State {
  return (machine as CoreMachine<Arm32State>).state;
}

function privilegeOf(mode: number): Privilege {
  if (mode === Mode.usr) return 'user';
  if (mode === Mode.hyp) return 'hyp';
  return 'kernel';
}

/** VTTBR.VMID (bits 55:48): 0 is the host, anything else a guest (Linux `kvm_arm.h`, KVM's `hyp_hvc`). */
function worldOf(machine: Machine): Origin['world'] {
  const vmid = (machine.register('vttbr') >> 48n) & 0xffn;
  return vmid === 0n ? 'host' : 'guest';
}

/** The arm32 {@link FirmwarePort}. */
export const ARM32_FIRMWARE_PORT: FirmwarePort = {
  vectorBaseRegister: 'hvbar',
  tableSize: 0x20,
  alignment: 0x20,
  slots: SLOTS,
  pendingTrap(machine: Machine): PendingTrap | undefined {
    const s = state(machine);
    const hsr = Number(machine.register('hsr'));
    const ec = hsr >>> 26;
    const conduit = ec === Ec.hvc ? 'hvc' : ec === Ec.svc ? 'svc' : ec === Ec.smc ? 'smc' : undefined;
    if (conduit === undefined) return undefined;
    const from = s.bankedSpsr[Bank.hyp]! & 0x1f;
    return { conduit, imm: conduit === 'smc' ? 0 : hsr & 0xffff, origin: { privilege: privilegeOf(from), world: worldOf(machine) } };
  },
  describeException(machine: Machine, slot: FirmwareSlot): string {
    const s = state(machine);
    const from = modeName(s.bankedSpsr[Bank.hyp]! & 0x1f);
    const hsr = hexAddress(Number(machine.register('hsr')));
    switch (slot.offset) {
      case Vector.prefetchAbort:
        return `prefetch abort in Hyp at ${hexAddress(Number(machine.register('hifar')))} (HVBAR+0x0c, HSR ${hsr}), taken from ${from}`;
      case Vector.dataAbort:
        return `data abort in Hyp at ${hexAddress(Number(machine.register('hdfar')))} (HVBAR+0x10, HSR ${hsr}), taken from ${from}`;
      case Vector.undefined:
        return `undefined instruction in Hyp at ${hexAddress(s.elrHyp)} (HVBAR+0x04)`;
      default:
        return `unexpected exception at HVBAR+0x${slot.offset.toString(16).padStart(2, '0')} (HSR ${hsr}), taken from ${from}`;
    }
  },
  returnToCaller(address: number): StepResult {
    const request: ExceptionReturn = { kind: 'return', instruction: 'eret (spec firmware)', address, target: undefined };
    return request;
  },
  jump(machine: Machine, target: bigint, address: number): StepResult {
    return branchTo(state(machine), machine.memory, Number(BigInt.asUintN(32, target)), address, 'spec firmware branch');
  },
  callFunction(machine: Machine, target: bigint, args: readonly bigint[], returnAddress: number, address: number): StepResult {
    const s = state(machine);
    args.slice(0, 4).forEach((value, i) => {
      s.r[i] = Number(BigInt.asUintN(32, value));
    });
    s.r[14] = returnAddress;
    return branchTo(s, machine.memory, Number(BigInt.asUintN(32, target)), address, 'spec firmware blx');
  },
};
