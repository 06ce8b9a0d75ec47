/**
 * How spec firmware sits at the arm32 Hyp vectors: the slots of the HVBAR
 * table, reading the pending call out of HSR, SPSR_hyp and VTTBR, and
 * leaving through ERET, a branch in Hyp, or a call with a return trampoline;
 * plus the conformance driver (`firmware/conformance-driver.ts`).
 *
 * @module
 */

import { outcomeU32, type Origin, type OutcomeValue, type Privilege } from '../../src/abi/spec.ts';
import type { FirmwarePort, FirmwareSlot, PendingTrapReader, RegisterSlot } from '../../src/firmware/firmware.ts';
import { ORIGINS as SHARED_ORIGINS } from '../../src/dispatch/dispatcher.ts';
import type { OriginReading, OriginRegister } from '../../src/interp/backend.ts';
import type { CoreMachine } from '../../src/interp/machine.ts';
import type { Machine } from '../../src/interp/machine.ts';
import { hexAddress, type ExceptionReturn, type StepResult } from '../../src/interp/step-result.ts';
import { Ec, modeName, Vector } from './exceptions.ts';
import { ARM32_CONFORMANCE_DRIVER } from './firmware/conformance-driver.ts';
import { Bank, Cp15, CP15_INDEX, CP15_REGISTERS, isValidMode, Mode, MODE_NAMES, Slot, type Arm32State } from './registers.ts';
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

/** The arm32 registers of `machine` (an arm32 backend's machine). */
export function arm32StateOf(machine: Machine): Arm32State {
  return (machine as CoreMachine<Arm32State>).state;
}

/** Index of each mode's privilege (user, kernel, hyp), by CPSR.M: usr is PL0, hyp is PL2, every other mode PL1. */
const PRIVILEGE_OF_MODE = Uint8Array.from({ length: 32 }, (_, mode) => (mode === Mode.usr ? 0 : mode === Mode.hyp ? 2 : 1));

/** The conduit of each HSR.EC that is a call (ARM ARM B3.13.6), else `undefined`. */
const CONDUIT_OF_EC: readonly (string | undefined)[] = Array.from({ length: 64 }, (_, ec) => (ec === Ec.hvc ? 'hvc' : ec === Ec.svc ? 'svc' : ec === Ec.smc ? 'smc' : ec === Ec.dabtLower ? 'data-abort' : undefined));

/** The HSR.ISS bits that hold the immediate, by EC: imm16 for HVC and SVC; an SMC's ISS has none. */
const IMMEDIATE_MASK_OF_EC = Uint32Array.from({ length: 64 }, (_, ec) => (ec === Ec.hvc || ec === Ec.svc ? 0xffff : 0));

/**
 * The dispatcher's shared origin objects (privilege × 2 + world), so that
 * reading a trap allocates no origin; copied out of their frozen array,
 * whose elements optimised code does not load inline.
 */
const ORIGINS: readonly Origin[] = [...SHARED_ORIGINS];

/** Where SPSR_hyp (the caller's CPSR) and the high word of VTTBR are. */
const SPSR_HYP = Slot.spsr + Bank.hyp;
const VTTBR_HIGH = Cp15.vttbr + 1;

const PRIVILEGE_NAMES: readonly Privilege[] = ['user', 'kernel', 'hyp'];

/**
 * The registers that say where an arm32 trap came from, read by the same
 * rules as a pending trap: CPSR.M gives the privilege (usr PL0, hyp PL2,
 * every other mode PL1; ARM ARM B1.3.1), VTTBR.VMID the world (0 is the
 * host).
 */
export const ARM32_ORIGIN_REGISTERS: readonly OriginRegister[] = [
  {
    register: 'cpsr',
    read(value: bigint): OriginReading {
      const mode = Number(value & 0x1fn);
      const field = `M[4:0]=0x${mode.toString(16).padStart(2, '0')}`;
      if (!isValidMode(mode)) return { field, error: `${field} is not an arm32 mode (B1.3.1)` };
      return { privilege: PRIVILEGE_NAMES[PRIVILEGE_OF_MODE[mode]!]!, field: `${field} (${MODE_NAMES.get(mode)!})` };
    },
  },
  {
    register: 'vttbr',
    read(value: bigint): OriginReading {
      const vmid = Number((value >> 48n) & 0xffn);
      return { world: vmid === 0 ? 'host' : 'guest', field: `VMID=0x${vmid.toString(16)}` };
    },
  },
];


/** r0–r12 by name: slots 0–12 of the current mode's register view, which in Hyp (where the firmware runs) are the caller's. */
const CORE_SLOTS: ReadonlyMap<string, number> = new Map(Array.from({ length: 13 }, (_, i) => [`r${i}`, i]));

/** The 64-bit cp15 registers (two slots: low word, high word), as the register view reads and writes them. */
const CP15_64 = new Set(CP15_REGISTERS.filter((r) => r.width === 64).map((r) => r.name));

/** The core register file as unsigned words: the same memory as `s.r`, so a slot reads what the register view reads. */
const unsignedCore = new WeakMap<Int32Array, Uint32Array>();

function coreWords(s: Arm32State): Uint32Array {
  let words = unsignedCore.get(s.r);
  if (words === undefined) {
    words = new Uint32Array(s.r.buffer, s.r.byteOffset, s.r.length);
    unsignedCore.set(s.r, words);
  }
  return words;
}

/** The arm32 {@link FirmwarePort}. */
export const ARM32_FIRMWARE_PORT: FirmwarePort = {
  vectorBaseRegister: 'hvbar',
  tableSize: 0x20,
  alignment: 0x20,
  slots: SLOTS,
  pendingTrapReader(machine: Machine): PendingTrapReader {
    // Bound to the state's arrays (restored in place, so they stay the machine's), and tables, not branches: this runs on every call the firmware takes.
    const { cp15, r } = arm32StateOf(machine);
    return (_slot, into) => {
      const hsr = cp15[Cp15.hsr]!;
      const ec = hsr >>> 26;
      const conduit = CONDUIT_OF_EC[ec];
      if (conduit === undefined) return false;
      into.conduit = conduit;
      into.imm = hsr & IMMEDIATE_MASK_OF_EC[ec]!;
      // VTTBR.VMID (bits 55:48, so bits 23:16 of the high word): 0 is the host, anything else a guest (Linux `kvm_arm.h`, KVM's `hyp_hvc`).
      const guest = (cp15[VTTBR_HIGH]! >>> 16) & 0xff;
      into.origin = ORIGINS[PRIVILEGE_OF_MODE[r[SPSR_HYP]! & 0x1f]! * 2 + (guest === 0 ? 0 : 1)]!;
      return true;
    };
  },
  describeException(machine: Machine, slot: FirmwareSlot): string {
    const s = arm32StateOf(machine);
    const from = modeName(s.r[Slot.spsr + Bank.hyp]! & 0x1f);
    const hsr = hexAddress(Number(machine.register('hsr')));
    switch (slot.offset) {
      case Vector.prefetchAbort:
        return `prefetch abort in Hyp at ${hexAddress(Number(machine.register('hifar')))} (HIFAR; HVBAR+0x0c, HSR ${hsr}), taken from ${from}`;
      case Vector.dataAbort:
        return `data abort in Hyp at ${hexAddress(Number(machine.register('hdfar')))} (HDFAR; HVBAR+0x10, HSR ${hsr}), taken from ${from}`;
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
  jump(machine: Machine, target: OutcomeValue, address: number): StepResult {
    return branchTo(arm32StateOf(machine), machine.memory, outcomeU32(target), address, 'spec firmware branch');
  },
  callFunction(machine: Machine, target: OutcomeValue, args: readonly OutcomeValue[], returnAddress: number, address: number): StepResult {
    const s = arm32StateOf(machine);
    // AAPCS: the first four arguments in r0–r3.
    for (let i = 0; i < args.length && i < 4; i++) s.r[i] = outcomeU32(args[i]!);
    s.r[14] = returnAddress;
    return branchTo(s, machine.memory, outcomeU32(target), address, 'spec firmware blx');
  },
  conformance: ARM32_CONFORMANCE_DRIVER,
  registerSlot(machine: Machine, name: string): RegisterSlot | undefined {
    const s = arm32StateOf(machine);
    // Plain stores only, as the register view (`ARM32_REGISTERS` in core.ts) makes them: r0–r12 and cp15. Banked registers, the CPSR and ELR_hyp go through the view.
    const core = CORE_SLOTS.get(name);
    if (core !== undefined) return { words: coreWords(s), low: core, high: -1 };
    const cp15 = CP15_INDEX.get(name);
    if (cp15 !== undefined) return { words: s.cp15, low: cp15, high: CP15_64.has(name) ? cp15 + 1 : -1 };
    return undefined;
  },
};
