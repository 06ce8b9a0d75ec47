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

import { outcomeBigInt, type Origin, type OutcomeValue } from '../../src/abi/spec.ts';
import type { FirmwarePort, FirmwareSlot, PendingTrapReader, RegisterSlot } from '../../src/firmware/firmware.ts';
import { originIndex, ORIGINS } from '../../src/dispatch/dispatcher.ts';
import type { OriginReading, OriginRegister } from '../../src/interp/backend.ts';
import type { CoreMachine, Machine } from '../../src/interp/machine.ts';
import { hexAddress, RETIRED, type ExceptionReturn, type StepResult } from '../../src/interp/step-result.ts';
import { Vector } from './exceptions.ts';
import { high32, low32, Msr, setPc, SPR_BY_NAME, type Ppc64State } from './registers.ts';

const SLOTS: readonly FirmwareSlot[] = [
  { offset: Vector.dsi, name: 'data-storage', calls: false },
  { offset: Vector.isi, name: 'instruction-storage', calls: false },
  { offset: Vector.program, name: 'program', calls: false },
  { offset: Vector.systemCall, name: 'system-call', calls: true },
];

function state(machine: Machine): Ppc64State {
  return (machine as CoreMachine<Ppc64State>).state;
}

/** Index of SRR1's high word in `s.spr` (its low word follows). */
const SRR1_HIGH = 2 * SPR_BY_NAME.get('srr1')!.slot;

/** SRR1's two words (high, low). */
function srr1(s: Ppc64State): { hi: number; lo: number } {
  return { hi: s.spr[SRR1_HIGH]!, lo: s.spr[SRR1_HIGH + 1]! };
}

/** The dispatcher's shared origin objects, so that reading a trap allocates no origin. */
const USER_HOST = ORIGINS[originIndex({ privilege: 'user', world: 'host' })]!;
const USER_GUEST = ORIGINS[originIndex({ privilege: 'user', world: 'guest' })]!;
const KERNEL_GUEST = ORIGINS[originIndex({ privilege: 'kernel', world: 'guest' })]!;
const HYP_HOST = ORIGINS[originIndex({ privilege: 'hyp', world: 'host' })]!;

/** The caller's origin, from SRR1[PR] and SRR1[HV] (read as words: this runs on every trap). */
function originOf(spr: Int32Array): Origin {
  return originOfMsr(spr[SRR1_HIGH]!, spr[SRR1_HIGH + 1]!);
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

/** r0–r31 by name (and `sp`, r1), as the register view spells them: GPR n is words 2n (bits 0:31) and 2n + 1 (bits 32:63) of `s.gpr`. */
const GPR_NUMBERS: ReadonlyMap<string, number> = new Map([...Array.from({ length: 32 }, (_, n) => [`r${n}`, n] as const), ['sp', 1]]);

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

/** The ppc64 {@link FirmwarePort}. */
export const PPC64_FIRMWARE_PORT: FirmwarePort = {
  vectorBaseRegister: 'ivbase',
  tableSize: 0x1000,
  alignment: 0x1000,
  slots: SLOTS,
  pendingTrapReader(machine: Machine): PendingTrapReader {
    // Bound to the state (its arrays are restored in place, so they stay the machine's).
    const s = state(machine);
    const spr = s.spr;
    return (slot, into) => {
      if (slot.offset !== Vector.systemCall) return false;
      const raised = s.hv !== 0 && (spr[SRR1_HIGH]! & Msr.HV) === 0;
      into.conduit = raised ? 'sc1' : 'sc';
      into.imm = 0;
      into.origin = originOf(spr);
      return true;
    };
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
  jump(machine: Machine, target: OutcomeValue, _address: number): StepResult {
    const s = state(machine);
    // A number is a 32-bit target; a bigint the full 64-bit NIA. Either way word aligned.
    if (typeof target === 'number') setPc(s, 0, target & ~3);
    else if (s.sf === 0) setPc(s, 0, Number(BigInt.asIntN(32, target)) & ~3);
    else setPc(s, high32(target), low32(target) & ~3);
    return RETIRED;
  },
  callFunction(machine: Machine, target: OutcomeValue, args: readonly OutcomeValue[], returnAddress: number, address: number): StepResult {
    // ELF ABI: the first eight arguments in r3–r10.
    args.slice(0, 8).forEach((value, i) => machine.setRegister(`r${i + 3}`, outcomeBigInt(value)));
    machine.setRegister('lr', BigInt(returnAddress));
    return PPC64_FIRMWARE_PORT.jump(machine, target, address);
  },
  registerSlot(machine: Machine, name: string): RegisterSlot | undefined {
    const s = state(machine);
    // Plain stores only, as the register view (core.ts) makes them: the GPRs and the 64-bit SPRs kept in s.spr. The MSR (its write switches modes), CR, XER, LR, CTR, the PC and the 32-bit SPRs (whose high word the view clears) go through the view.
    const n = GPR_NUMBERS.get(name);
    if (n !== undefined) return { words: wordsOf(s.gpr), low: 2 * n + 1, high: 2 * n };
    const spr = SPR_BY_NAME.get(name);
    if (spr !== undefined && spr.slot >= 0 && spr.width === 64) return { words: wordsOf(s.spr), low: 2 * spr.slot + 1, high: 2 * spr.slot };
    return undefined;
  },
};
