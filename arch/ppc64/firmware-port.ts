/**
 * How spec firmware sits at the ppc64 real-mode interrupt vectors: 0xC00
 * (system call, `sc` and `sc 1`) takes calls; 0x300 (DSI), 0x400 (ISI) and
 * 0x700 (program) stop the run. Vectors sit at their architected offsets
 * from 0 (LPCR[AIL] = 0), so the vector base is the fixed pseudo-register
 * `ivbase`, always 0.
 *
 * The pending call is read from the state the exception model left:
 * - the caller's privilege from SRR1[PR] (problem state is user) and
 *   SRR1[HV] (hypervisor state is hyp, else kernel);
 * - the world: a caller in non-hypervisor state is a guest (a partition),
 *   one in hypervisor state the host;
 * - the LEV of `sc`: 1 if the call raised MSR[HV] (MSR[HV] = 1 while
 *   SRR1[HV] = 0), which only `sc 1` does (Book III 6.5.14); else 0. A
 *   caller already in hypervisor state cannot be told apart this way and
 *   is taken as LEV 0. LEV 1 is the conduit `sc1`, as the specs name it.
 *
 * The firmware returns with rfid, jumps by setting the PC in the handler's
 * state, and calls a function with its arguments in r3… and LR pointing at
 * the return trampoline.
 *
 * @module
 */

import type { Origin } from '../../src/abi/spec.ts';
import type { FirmwarePort, FirmwareSlot, PendingTrap } from '../../src/firmware/firmware.ts';
import type { OriginReading, OriginRegister } from '../../src/interp/backend.ts';
import type { CoreMachine, Machine } from '../../src/interp/machine.ts';
import { hexAddress, RETIRED, type ExceptionReturn, type StepResult } from '../../src/interp/step-result.ts';
import { Vector } from './exceptions.ts';
import { Msr, type Ppc64State } from './registers.ts';
import { wrapTarget } from './semantics/common.ts';

const SLOTS: readonly FirmwareSlot[] = [
  { offset: Vector.dsi, name: 'data-storage', calls: false },
  { offset: Vector.isi, name: 'instruction-storage', calls: false },
  { offset: Vector.program, name: 'program', calls: false },
  { offset: Vector.systemCall, name: 'system-call', calls: true },
];

function state(machine: Machine): Ppc64State {
  return (machine as CoreMachine<Ppc64State>).state;
}

/** SRR1's two words (high, low). */
function srr1(s: Ppc64State): { hi: number; lo: number } {
  return { hi: s.spr[6]!, lo: s.spr[7]! };
}

const USER_GUEST: Origin = { privilege: 'user', world: 'guest' };
const KERNEL_GUEST: Origin = { privilege: 'kernel', world: 'guest' };
const USER_HOST: Origin = { privilege: 'user', world: 'host' };
const HYP_HOST: Origin = { privilege: 'hyp', world: 'host' };

/** The caller's origin, from SRR1[PR] and SRR1[HV]. */
function originOf(s: Ppc64State): Origin {
  const { hi, lo } = srr1(s);
  return originOfMsr(hi, lo);
}

/** The origin an MSR (its high and low words) gives: HV = 1 is the host (the hypervisor, or its problem state), HV = 0 a guest (Book III 2.2: problem state is PR = 1). */
function originOfMsr(hi: number, lo: number): Origin {
  const hv = (hi & Msr.HV) !== 0;
  const pr = (lo & Msr.PR) !== 0;
  if (hv) return pr ? USER_HOST : HYP_HOST;
  return pr ? USER_GUEST : KERNEL_GUEST;
}

/** The register that says where a ppc64 trap came from: the MSR, by the rule a pending trap is read with (its SRR1). */
export const PPC64_ORIGIN_REGISTERS: readonly OriginRegister[] = [
  {
    register: 'msr',
    read(value: bigint): OriginReading {
      const hi = Number((value >> 32n) & 0xffff_ffffn);
      const lo = Number(value & 0xffff_ffffn);
      const origin = originOfMsr(hi, lo);
      return { ...origin, field: `MSR[HV]=${(hi & Msr.HV) === 0 ? 0 : 1} MSR[PR]=${(lo & Msr.PR) === 0 ? 0 : 1}` };
    },
  },
];

/** The caller's state as a mode name (`problem`, `supervisor`, `hv`). */
function callerMode(s: Ppc64State): string {
  const { hi, lo } = srr1(s);
  if ((lo & Msr.PR) !== 0) return 'problem';
  return (hi & Msr.HV) !== 0 ? 'hv' : 'supervisor';
}

/** The ppc64 {@link FirmwarePort}. */
export const PPC64_FIRMWARE_PORT: FirmwarePort = {
  vectorBaseRegister: 'ivbase',
  tableSize: 0x1000,
  alignment: 0x1000,
  slots: SLOTS,
  pendingTrap(machine: Machine, slot: FirmwareSlot): PendingTrap | undefined {
    if (slot.offset !== Vector.systemCall) return undefined;
    const s = state(machine);
    const raised = s.hv !== 0 && (srr1(s).hi & Msr.HV) === 0;
    // The conduits as the specs and the dispatcher name them: `sc 1` is `sc1` (immediate 0), not `sc` with LEV 1.
    return { conduit: raised ? 'sc1' : 'sc', imm: 0, origin: originOf(s) };
  },
  describeException(machine: Machine, slot: FirmwareSlot): string {
    const s = state(machine);
    const from = callerMode(s);
    const srr0 = hexAddress(Number(machine.register('srr0')));
    switch (slot.offset) {
      case Vector.dsi:
        return `data storage interrupt at ${srr0} (DAR ${hexAddress(Number(machine.register('dar')))}; 0x300), taken from ${from}`;
      case Vector.isi:
        return `instruction storage interrupt at ${srr0} (0x400), taken from ${from}`;
      case Vector.program:
        return `program interrupt at ${srr0} (0x700, SRR1 ${hexAddress(srr1(s).lo >>> 0)}), taken from ${from}`;
      default:
        return `system call at 0x${slot.offset.toString(16)} (SRR0 ${srr0}), taken from ${from}`;
    }
  },
  returnToCaller(address: number): StepResult {
    const request: ExceptionReturn = { kind: 'return', instruction: 'rfid', address, target: undefined };
    return request;
  },
  jump(machine: Machine, target: bigint, _address: number): StepResult {
    const s = state(machine);
    s.pc = wrapTarget(s, Number(BigInt.asUintN(64, target) & ~3n));
    return RETIRED;
  },
  callFunction(machine: Machine, target: bigint, args: readonly bigint[], returnAddress: number, address: number): StepResult {
    args.slice(0, 8).forEach((value, i) => machine.setRegister(`r${i + 3}`, value));
    machine.setRegister('lr', BigInt(returnAddress));
    return PPC64_FIRMWARE_PORT.jump(machine, target, address);
  },
};
