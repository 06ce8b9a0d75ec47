/**
 * How spec firmware sits at the arm64 EL2 vectors (VBAR_EL2): the sixteen
 * slots of the table (four groups of synchronous, IRQ, FIQ and SError
 * entries; ARM ARM D1.10.2, Table D1-7), reading the pending call out of
 * ESR_EL2, SPSR_EL2 and VTTBR_EL2, and leaving through ERET, a branch at
 * EL2, or a call with a return trampoline; plus the conformance driver
 * (`firmware/conformance-driver.ts`).
 *
 * Calls arrive at the synchronous entry of three groups: from a lower EL
 * in AArch64 (+0x400: HVC from EL1, an SMC trapped by HCR_EL2.TSC, an EL0
 * SVC routed by HCR_EL2.TGE), and at EL2 itself (+0x000 with SP_EL0,
 * +0x200 with SP_EL2: an HVC or SVC issued at EL2). The AArch32 group
 * (+0x600) is never used: AArch32 is not modelled.
 *
 * @module
 */

import { outcomeBigInt, type Origin, type OutcomeValue, type Privilege } from '../../src/abi/spec.ts';
import { ORIGINS as SHARED_ORIGINS } from '../../src/dispatch/dispatcher.ts';
import type { FirmwarePort, FirmwareSlot, PendingTrapReader, RegisterSlot } from '../../src/firmware/firmware.ts';
import type { OriginReading, OriginRegister } from '../../src/interp/backend.ts';
import type { CoreMachine, Machine } from '../../src/interp/machine.ts';
import { hexAddress, RETIRED, type ExceptionReturn, type StepResult } from '../../src/interp/step-result.ts';
import { Ec, FIRMWARE_ERET, modeName, Vector } from './exceptions.ts';
import { ARM64_CONFORMANCE_DRIVER } from './firmware/conformance-driver.ts';
import { isValidMode, MODE_NAMES, Psr, SYS_INDEX, SYS_REGISTERS, Sys, type Arm64State } from './registers.ts';
import { setPairNumber } from './semantics/common.ts';

/** The privilege of each exception level: EL0 user, EL1 kernel, EL2 hyp. */
const PRIVILEGE_OF_EL: readonly Privilege[] = ['user', 'kernel', 'hyp'];

/** The privilege of a PSTATE/SPSR value, or why it gives none. */
export function readMode(value: number): OriginReading {
  const m = value & 0x1f;
  const field = `M[4:0]=0x${m.toString(16).padStart(2, '0')}`;
  if ((m & Psr.nRW) !== 0) return { field, error: `${field} is an AArch32 mode; hyplay models AArch64 only (C5.2.18)` };
  if (!isValidMode(m)) return { field, error: `${field} is not an implemented AArch64 mode (EL3 is not modelled; C5.2.18)` };
  return { privilege: PRIVILEGE_OF_EL[m >> 2]!, field: `${field} (${MODE_NAMES.get(m)!})` };
}

/**
 * The registers that say where an arm64 trap came from: PSTATE (the
 * caller's, as SPSR_EL2 holds it when the trap is taken) gives the
 * privilege by its EL (M[3:2]: EL0 user, EL1 kernel, EL2 hyp; ARM ARM
 * C5.2.18); VTTBR_EL2.VMID (bits 55:48) the world: 0 is the host, as KVM
 * before the nVHE split tells host from guest (`vttbr_el2 == 0`,
 * `abi-facts.md` §11.6), anything else a guest.
 */
export const ARM64_ORIGIN_REGISTERS: readonly OriginRegister[] = [
  {
    register: 'pstate',
    read: (value: bigint): OriginReading => readMode(Number(value & 0x1fn)),
  },
  {
    register: 'vttbr_el2',
    read(value: bigint): OriginReading {
      const vmid = Number((value >> 48n) & 0xffn);
      return { world: vmid === 0 ? 'host' : 'guest', field: `VMID=0x${vmid.toString(16)}` };
    },
  },
];

/** The groups of the table, by offset (D1.10.2). */
const GROUPS: readonly { readonly offset: number; readonly name: string; readonly calls: boolean }[] = [
  { offset: Vector.currentSp0, name: 'current-sp0', calls: true },
  { offset: Vector.currentSpx, name: 'current-spx', calls: true },
  { offset: Vector.lowerA64, name: 'lower-a64', calls: true },
  { offset: Vector.lowerA32, name: 'lower-a32', calls: false },
];

/** The entries of a group, by offset within it. */
const ENTRIES: readonly { readonly offset: number; readonly name: string }[] = [
  { offset: Vector.sync, name: 'sync' },
  { offset: Vector.irq, name: 'irq' },
  { offset: Vector.fiq, name: 'fiq' },
  { offset: Vector.serror, name: 'serror' },
];

/** The sixteen slots: calls arrive at the synchronous entry of the AArch64 groups. */
const SLOTS: readonly FirmwareSlot[] = GROUPS.flatMap((group) =>
  ENTRIES.map((entry) => ({ offset: group.offset + entry.offset, name: `${group.name}-${entry.name}`, calls: group.calls && entry.offset === Vector.sync })),
);

function state(machine: Machine): Arm64State {
  return (machine as CoreMachine<Arm64State>).state;
}

/** The conduit of each ESR_EL2.EC that is a call (D13.2.37), or a data abort from a lower EL (stage 2: the MMIO specs' conduit), else `undefined`. */
const CONDUIT_OF_EC: readonly (string | undefined)[] = Array.from({ length: 64 }, (_, ec) => (ec === Ec.hvc64 ? 'hvc' : ec === Ec.svc64 ? 'svc' : ec === Ec.smc64 ? 'smc' : ec === Ec.dabtLower ? 'data-abort' : undefined));

/** The ESR_EL2.ISS bits that hold the immediate, by EC: imm16 for the calls, none for a data abort. */
const IMMEDIATE_MASK_OF_EC = Uint32Array.from({ length: 64 }, (_, ec) => (ec === Ec.dabtLower ? 0 : 0xffff));

/**
 * The dispatcher's shared origin objects (privilege × 2 + world), so that
 * reading a trap allocates no origin; copied out of their frozen array,
 * whose elements optimised code does not load inline.
 */
const ORIGINS: readonly Origin[] = [...SHARED_ORIGINS];

/** Word indexes in `s.sys` of ESR_EL2, SPSR_EL2 (low words) and VTTBR_EL2's high word. */
const ESR_EL2 = 2 * Sys.esrEl2;
const SPSR_EL2 = 2 * Sys.spsrEl2;
const VTTBR_HIGH = 2 * Sys.vttbrEl2 + 1;

/** x0–x30 by name: register slot n is words 2n (bits 31:0) and 2n + 1 (bits 63:32) of `s.x`. */
const X_SLOTS: ReadonlyMap<string, number> = new Map(Array.from({ length: 31 }, (_, n) => [`x${n}`, n]));

/** Unsigned views of the state's word arrays: the same memory, so a slot reads what the register view reads. */
const unsignedWords = new WeakMap<Int32Array, Uint32Array>();

function wordsOf(array: Int32Array): Uint32Array {
  let words = unsignedWords.get(array);
  if (words === undefined) {
    words = new Uint32Array(array.buffer, array.byteOffset, array.length);
    unsignedWords.set(array, words);
  }
  return words;
}

/** A 64-bit outcome value as an address below 2^53 (addresses live below the 48-bit PA limit; a larger one faults at its fetch). */
function addressOf(value: OutcomeValue): number {
  if (typeof value === 'number') return value >>> 0;
  const v = BigInt.asUintN(64, value);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** The arm64 {@link FirmwarePort}. */
export const ARM64_FIRMWARE_PORT: FirmwarePort = {
  vectorBaseRegister: 'vbar_el2',
  // Sixteen 0x80-byte entries; VBAR_EL2 bits 10:0 are RES0 (D13.2.137).
  tableSize: 0x800,
  alignment: 0x800,
  slots: SLOTS,
  pendingTrapReader(machine: Machine): PendingTrapReader {
    // Bound to the state's array (restored in place, so it stays the machine's), and tables, not branches: this runs on every call the firmware takes.
    const sys = state(machine).sys;
    return (_slot, into) => {
      const esr = sys[ESR_EL2]!;
      const ec = esr >>> 26;
      const conduit = CONDUIT_OF_EC[ec];
      if (conduit === undefined) return false;
      into.conduit = conduit;
      // ISS bits 15:0 are the imm16 of HVC, SMC and SVC alike (D13.2.37, ISS encoding for an exception from HVC or SVC / SMC); a data abort's ISS has none.
      into.imm = esr & IMMEDIATE_MASK_OF_EC[ec]!;
      // SPSR_EL2.M[3:2] is the caller's EL; VTTBR_EL2.VMID (bits 55:48, so bits 23:16 of the high word): 0 is the host.
      const guest = (sys[VTTBR_HIGH]! >>> 16) & 0xff;
      into.origin = ORIGINS[((sys[SPSR_EL2]! >>> 2) & 3) * 2 + (guest === 0 ? 0 : 1)]!;
      return true;
    };
  },
  describeException(machine: Machine, slot: FirmwareSlot): string {
    const s = state(machine);
    const from = modeName(s.sys[SPSR_EL2]! & 0xf);
    const esr = s.sys[ESR_EL2]! >>> 0;
    const ec = esr >>> 26;
    const elr = hexAddress(Number(machine.register('elr_el2')));
    const far = hexAddress(Number(machine.register('far_el2')));
    const where = `VBAR_EL2+0x${slot.offset.toString(16).padStart(3, '0')}, ESR_EL2 ${hexAddress(esr)}`;
    switch (ec) {
      case Ec.dabtLower:
      case Ec.dabtCurrent:
        return `data abort at EL2 for ${far} (FAR_EL2) by the instruction at ${elr} (${where}), taken from ${from}`;
      case Ec.iabtLower:
      case Ec.iabtCurrent:
        return `instruction abort at EL2 fetching ${far} (FAR_EL2; ${where}), taken from ${from}`;
      case Ec.unknown:
        return `undefined instruction at ${elr} (${where}), taken from ${from}`;
      default:
        return `unexpected exception, EC 0x${ec.toString(16).padStart(2, '0')}, ELR_EL2 ${elr} (${where}), taken from ${from}`;
    }
  },
  returnToCaller(address: number): StepResult {
    // FIRMWARE_ERET: the exception model steps a trapped SMC's ELR past the SMC, as a hypervisor that handled it does.
    const request: ExceptionReturn = { kind: 'return', instruction: FIRMWARE_ERET, address, target: undefined };
    return request;
  },
  jump(machine: Machine, target: OutcomeValue, _address: number): StepResult {
    // A branch at EL2 (BR): an unaligned target takes the PC alignment fault at its fetch.
    state(machine).pc = addressOf(target);
    return RETIRED;
  },
  callFunction(machine: Machine, target: OutcomeValue, args: readonly OutcomeValue[], returnAddress: number, address: number): StepResult {
    const s = state(machine);
    // AAPCS64: the first eight arguments in x0–x7; BLR puts the return address in x30.
    args.slice(0, 8).forEach((value, i) => machine.setRegister(`x${i}`, outcomeBigInt(value)));
    setPairNumber(s.x, 2 * 30, returnAddress);
    return ARM64_FIRMWARE_PORT.jump(machine, target, address);
  },
  conformance: ARM64_CONFORMANCE_DRIVER,
  registerSlot(machine: Machine, name: string): RegisterSlot | undefined {
    const s = state(machine);
    // Plain stores only, as the register view (`ARM64_REGISTERS` in core.ts) makes them: x0–x30 and the stored system registers. SP, PSTATE and its fields, the banked SPs and the PC go through the view.
    const n = X_SLOTS.get(name);
    if (n !== undefined) return { words: wordsOf(s.x), low: 2 * n, high: 2 * n + 1 };
    const slot = SYS_INDEX.get(name);
    if (slot !== undefined) {
      const kind = SYS_REGISTERS[slot]!.kind;
      if (kind === 'plain' || kind === 'read-only') return { words: wordsOf(s.sys), low: 2 * slot, high: 2 * slot + 1 };
    }
    return undefined;
  },
};
