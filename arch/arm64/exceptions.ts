/**
 * The AArch64 exception model (EL0–EL2, no EL3): the one place that turns a
 * trap into architectural state (ESR_ELx, ELR_ELx, SPSR_ELx, FAR_ELx,
 * PSTATE, the vector) and that performs exception returns.
 *
 * References: ARM ARM (DDI 0487) D1.10 "Exception entry" and the
 * AArch64.TakeException pseudocode, D1.10.2 "Exception vectors", D1.11
 * "Exception return" and AArch64.ExceptionReturn / IllegalExceptionReturn,
 * D13.2.37 ESR_EL2 (exception classes); QEMU `arm_cpu_do_interrupt_aarch64`,
 * `pre_hvc` and `pre_smc` for the same rules (facts in `abi-facts.md` §11).
 *
 * What is modelled and what is not:
 * - Synchronous exceptions only (no interrupt sources exist).
 * - AArch32 execution is not modelled: an exception return whose SPSR says
 *   AArch32 (M[4] = 1) is an illegal exception return, as the ARM ARM
 *   requires of an EL that cannot run AArch32 (PSTATE.IL is set and the
 *   next instruction takes an Illegal Execution state exception, EC 0x0E).
 * - No EL3: SMC is UNDEFINED, except that at EL1 with HCR_EL2.TSC = 1 it
 *   traps to EL2 (EC 0x17). Without EL3 the ARM ARM leaves that choice
 *   IMPLEMENTATION DEFINED for AArch64 (UNDEFINED or the trap); hyplay takes
 *   the trap so that KVM's SMC handling can be exercised. QEMU takes
 *   UNDEFINED (its `pre_smc`).
 * - HVC is UNDEFINED at EL0 and, at EL1 and EL2, when HCR_EL2.HCD = 1
 *   (with no EL3 there is no SCR_EL3.HCE).
 * - HCR_EL2.TGE = 1 routes exceptions from EL0 to EL2 (D1.10.4).
 * - With HCR_EL2.VM = 1, a stage-2 fault of an EL1 or EL0 access is taken
 *   to EL2 (EC 0x24/0x20, FAR_EL2, HPFAR_EL2; `stage2Abort`); stage-1
 *   faults still go to EL1. External aborts are taken to EL1 (HCR_EL2.TEA
 *   is not modelled).
 *
 * @module
 */

import { hexAddress, stop, type DataFaultTrap, type ExceptionReturn, type FetchFaultTrap, type Stop, type Trap } from '../../src/interp/step-result.ts';
import type { TraceSink } from '../../src/interp/trace.ts';
import { buildDirect, type StateCode } from '../../src/jit/state-code.ts';
import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { arm64SlotPlace, isValidMode, MODE_NAMES, modeOf, Psr, SP_SLOT, stackSlotOf, StateSlot, Sys, sysWordSlot, type Arm64State } from './registers.ts';
import { IABT_EA, IABT_S1PTW, stage2DataAbortSyndrome } from './syndrome.ts';
import { tlbOf, type Arm64Tlb } from './tlb.ts';

/** ESR_ELx.EC values used here (ARM ARM D13.2.37; Linux `esr.h`). */
export const Ec = {
  /** Unknown reason: UNDEFINED instructions. */
  unknown: 0x00,
  /** Trapped WFI/WFE. */
  wfiWfe: 0x01,
  /** Illegal Execution state. */
  illegalState: 0x0e,
  /** SVC from AArch64. */
  svc64: 0x15,
  /** HVC from AArch64. */
  hvc64: 0x16,
  /** SMC from AArch64 (trapped to EL2). */
  smc64: 0x17,
  /** Trapped MSR/MRS/system instruction. */
  sys64: 0x18,
  /** Instruction abort from a lower EL. */
  iabtLower: 0x20,
  /** Instruction abort taken without a change of EL. */
  iabtCurrent: 0x21,
  /** PC alignment fault. */
  pcAlignment: 0x22,
  /** Data abort from a lower EL. */
  dabtLower: 0x24,
  /** Data abort taken without a change of EL. */
  dabtCurrent: 0x25,
  /** SP alignment fault. */
  spAlignment: 0x26,
  /** BRK from AArch64. */
  brk64: 0x3c,
} as const;

/** ESR_ELx.IL: the trapped instruction was 32 bits (always, in A64). */
const IL = 1 << 25;

/** An ESR_ELx value: EC, IL, ISS (ARM ARM D13.2.37). */
export function syndrome(ec: number, iss: number): number {
  return ((ec << 26) | IL | (iss & 0x1ff_ffff)) >>> 0;
}

/**
 * The instruction name of spec firmware's exception return: an ERET that
 * also steps over a trapped SMC (see {@link exceptionReturnArm64}).
 */
export const FIRMWARE_ERET = 'eret (spec firmware)';

/** Vector offsets from VBAR_ELx (ARM ARM D1.10.2, Table D1-7; `abi-facts.md` §11.3). */
export const Vector = {
  /** Current EL with SP_EL0. */
  currentSp0: 0x000,
  /** Current EL with SP_ELx. */
  currentSpx: 0x200,
  /** Lower EL, AArch64. */
  lowerA64: 0x400,
  /** Lower EL, AArch32 (never used: AArch32 is not modelled). */
  lowerA32: 0x600,
  /** Synchronous exception, within a group. */
  sync: 0x00,
  /** IRQ, within a group. */
  irq: 0x80,
  /** FIQ, within a group. */
  fiq: 0x100,
  /** SError, within a group. */
  serror: 0x180,
} as const;

/** Fault status codes (ISS DFSC/IFSC, D13.2.37). */
const FSC_ADDRESS_SIZE_L0 = 0x00;
const FSC_SYNC_EXTERNAL = 0x10;
const FSC_ALIGNMENT = 0x21;

/** The physical address size modelled (ID_AA64MMFR0_EL1.PARange = 48 bits): an access at or above it is an address size fault. */
export const PA_LIMIT = 2 ** 48;

/** Whether an address (the signed representation, see `tlb.ts`) is outside the 48-bit physical address space: an address size fault with the MMU off. */
export function outsidePhysical(address: number): boolean {
  return address < 0 || address >= PA_LIMIT;
}

/** Reasons of undefined-instruction traps that the architecture reports with their own exception class. */
export const Reason = {
  /** PSTATE.IL was set when an instruction was about to run (D1.11.4). */
  illegalState: 'illegal execution state (PSTATE.IL is set after an illegal exception return)',
  /** The PC was not 4-byte aligned at a fetch (D1.10.5 PC alignment checking). */
  pcAlignment: 'PC alignment fault',
} as const;

/** Name of a PSTATE.M[3:0] value for traces. */
export function modeName(mode: number): string {
  return MODE_NAMES.get(mode) ?? `mode 0x${mode.toString(16)}`;
}

/** Bit `bit` of HCR_EL2. */
function hcr(s: Arm64State, bit: number): boolean {
  const word = s.sys[2 * Sys.hcrEl2 + (bit >> 5)]!;
  return ((word >>> (bit & 31)) & 1) === 1;
}

/** HCR_EL2 bits (D13.2.46). */
export const Hcr = {
  /** VM: stage 2 enabled (the caller is a guest when VTTBR_EL2.VMID is not 0). */
  VM: 0,
  /** TWI: trap WFI from EL0/EL1. */
  TWI: 13,
  /** TWE: trap WFE from EL0/EL1. */
  TWE: 14,
  /** TSC: trap SMC from EL1. */
  TSC: 19,
  /** TSW: trap data cache maintenance by set/way from EL1. */
  TSW: 22,
  /** TTLB: trap TLB maintenance from EL1. */
  TTLB: 25,
  /** TGE: route EL0 exceptions to EL2. */
  TGE: 27,
  /** HCD: HVC is UNDEFINED (with no EL3). */
  HCD: 29,
} as const;

/** Whether HVC at the current EL is UNDEFINED (at EL0 always; with HCR_EL2.HCD set otherwise): QEMU `trans_HVC` and `pre_hvc`. */
export function hvcUndefined(s: Arm64State): boolean {
  return s.el === 0 || hcr(s, Hcr.HCD);
}

/** Whether WFI (`wfe` false) or WFE traps to EL2 from the current EL (HCR_EL2.TWI/TWE). */
export function waitTrapped(s: Arm64State, wfe: boolean): boolean {
  return s.el < 2 && hcr(s, wfe ? Hcr.TWE : Hcr.TWI);
}

/** The EL an exception from the current EL goes to when the architecture says "EL1, or EL2 if routed": EL0's go to EL2 under HCR_EL2.TGE. */
function defaultTarget(s: Arm64State): number {
  if (s.el === 2) return 2;
  if (s.el === 0 && hcr(s, Hcr.TGE)) return 2;
  return 1;
}

/** One line saying what raised an exception, for the trace. */
function causeOf(trap: Trap, from: number): string {
  switch (trap.cause) {
    case 'call':
      return `${trap.conduit} #0x${trap.imm.toString(16)} from ${modeName(from)}`;
    case 'exception':
      if (trap.vector === Ec.sys64) return `trapped system instruction at ${hexAddress(trap.address)} (${trap.reason})`;
      return `undefined instruction at ${hexAddress(trap.address)} (${trap.reason})`;
    case 'undefined':
    case 'privileged':
      return `undefined instruction at ${hexAddress(trap.address)} (${trap.reason})`;
    case 'fetch-fault':
      return `instruction fetch from unmapped ${hexAddress(trap.address)}`;
    case 'data-fault':
      return `${trap.write ? 'write to' : 'read from'} ${trap.fault === 'alignment' ? 'unaligned' : outsidePhysical(trap.faultAddress) ? 'out-of-range' : 'unmapped'} ${hexAddress(trap.faultAddress)} at ${hexAddress(trap.address)}`;
    case 'breakpoint':
      return `brk #0x${trap.imm.toString(16)} at ${hexAddress(trap.address)}`;
    case 'wait':
      return `${trap.instruction} trapped by HCR_EL2`;
    default: {
      const unreachable: never = trap;
      return unreachable;
    }
  }
}

/** A 64-bit system register as an address: the signed representation (see `tlb.ts`), exact within ±2^53. */
function pairValue(s: Arm64State, slot: number): number {
  return s.sys[2 * slot + 1]! * 0x1_0000_0000 + (s.sys[2 * slot]! >>> 0);
}

/** The vector group a synchronous exception taken from mode `from` to EL `target` uses (D1.10.2). */
export function vectorGroupOf(from: number, target: number): number {
  if (target > from >> 2) return Vector.lowerA64;
  return (from & 1) === 0 ? Vector.currentSp0 : Vector.currentSpx;
}

/** Words 31:0 and 63:32 of a number below 2^53 (an expression), as expressions. */
function wordsOf(value: string): [string, string] {
  // A constant (a translated instruction's return address) is split here.
  if (/^\d+$/.test(value)) return [`${Number(value) | 0}`, `${Math.floor(Number(value) / 0x1_0000_0000) | 0}`];
  return [`(${value}) | 0`, `Math.floor((${value}) / 4294967296) | 0`];
}

/** A 64-bit system register (slot `register`) as an address in the signed representation (see `tlb.ts`), exact within ±2^53: the expression. */
function pairExpression(code: StateCode, register: number): string {
  const hi = code.get(sysWordSlot(register, 1));
  const lo = code.get(sysWordSlot(register, 0));
  // Below 4 GiB (the common case) the value stays a uint32, never a double.
  return `(${hi} === 0 ? ${lo} >>> 0 : ${hi} * 4294967296 + (${lo} >>> 0))`;
}

/**
 * The change of EL and SP selection from mode `from` to mode `to` as a
 * template (`switchMode` in `registers.ts`): the current SP saved to its bank and the
 * new mode's loaded (D1.6.2), PSTATE.EL and PSTATE.SP set.
 */
export function emitSwitchMode(code: StateCode, from: number, to: number): void {
  const a = stackSlotOf(from);
  const b = stackSlotOf(to);
  if (a !== b) {
    const lo = code.temp(code.get(2 * SP_SLOT));
    const hi = code.temp(code.get(2 * SP_SLOT + 1));
    code.set(sysWordSlot(a, 0), lo);
    code.set(sysWordSlot(a, 1), hi);
    code.set(2 * SP_SLOT, code.get(sysWordSlot(b, 0)));
    code.set(2 * SP_SLOT + 1, code.get(sysWordSlot(b, 1)));
  }
  code.set(StateSlot.el, `${to >> 2}`);
  code.set(StateSlot.sp, `${to & 1}`);
}

/**
 * AArch64.TakeException for a synchronous exception from mode `from` to
 * EL `target` (D1.10.1) as a template: the one definition of the state an
 * exception entry writes, which the model runs built once per (from,
 * target) and translated code inlines. SPSR_ELt gets PSTATE, ELR_ELt the
 * preferred return address, ESR_ELt the syndrome (and FAR_ELt the fault
 * address, when `far` is given); PSTATE becomes ELt with SP_ELt, D, A, I
 * and F masked and IL clear; the PC is VBAR_ELt + the group's offset.
 * Returns the name of the vector's temporary.
 *
 * @param esr the syndrome (an expression, 32 bits).
 * @param returnAddress the preferred return address (an expression, a number below 2^53).
 * @param far the fault address (an expression), or `undefined` when FAR is not written.
 * @param vector the vector's temporary when the caller has computed it already (VBAR_ELt + the offset).
 */
export function emitTakeException(code: StateCode, from: number, target: number, esr: string, returnAddress: string, far: string | undefined, vector?: string): string {
  const el2 = target === 2;
  const offset = vectorGroupOf(from, target) + Vector.sync;
  const pstate = code.temp(
    `((${code.get(StateSlot.n)} << 31) | (${code.get(StateSlot.z)} << 30) | (${code.get(StateSlot.c)} << 29) | (${code.get(StateSlot.v)} << 28) | (${code.get(StateSlot.il)} << 20) | ${code.get(StateSlot.daif)} | ${from}) >>> 0`,
  );
  const elr = /^\d+$/.test(returnAddress) ? returnAddress : code.temp(returnAddress);
  const spsrSlot = el2 ? Sys.spsrEl2 : Sys.spsrEl1;
  code.set(sysWordSlot(spsrSlot, 0), `${pstate} | 0`);
  code.set(sysWordSlot(spsrSlot, 1), '0');
  const [elrLo, elrHi] = wordsOf(elr);
  const elrSlot = el2 ? Sys.elrEl2 : Sys.elrEl1;
  code.set(sysWordSlot(elrSlot, 0), elrLo);
  code.set(sysWordSlot(elrSlot, 1), elrHi);
  const esrSlot = el2 ? Sys.esrEl2 : Sys.esrEl1;
  code.set(sysWordSlot(esrSlot, 0), `(${esr}) | 0`);
  code.set(sysWordSlot(esrSlot, 1), '0');
  if (far !== undefined) {
    const address = code.temp(far);
    const [farLo, farHi] = wordsOf(address);
    const farSlot = el2 ? Sys.farEl2 : Sys.farEl1;
    code.set(sysWordSlot(farSlot, 0), farLo);
    code.set(sysWordSlot(farSlot, 1), farHi);
  }
  emitSwitchMode(code, from, (target << 2) | 1);
  code.set(StateSlot.daif, `${Psr.DAIF}`);
  code.set(StateSlot.il, '0');
  const pc = vector ?? code.temp(`${pairExpression(code, el2 ? Sys.vbarEl2 : Sys.vbarEl1)} + ${offset}`);
  code.set(StateSlot.pc, pc);
  return pc;
}

/** Built {@link emitTakeException} paths, by `(from * 4 + target) * 2 + (FAR written)`. */
type EntryPath = (s: Arm64State, esr: number, returnAddress: number, far: number) => void;
const entries: (EntryPath | undefined)[] = [];

function entryPath(from: number, target: number, withFar: boolean): EntryPath {
  const key = (from * 4 + target) * 2 + (withFar ? 1 : 0);
  const built = buildDirect<EntryPath>(['s', 'esr', 'returnAddress', 'far'], arm64SlotPlace, (code) => {
    emitTakeException(code, from, target, 'esr', 'returnAddress', withFar ? 'far' : undefined);
  });
  entries[key] = built;
  return built;
}

/**
 * Take a synchronous exception to EL `target` through its built path (see
 * {@link emitTakeException}), with the trace event.
 */
function takeException(s: Arm64State, target: number, esr: number, returnAddress: number, far: number | undefined, exception: string, trap: Trap, trace: TraceSink | undefined): undefined {
  const from = modeOf(s);
  const withFar = far !== undefined;
  const path = entries[(from * 4 + target) * 2 + (withFar ? 1 : 0)] ?? entryPath(from, target, withFar);
  path(s, esr, returnAddress, withFar ? far : 0);
  if (trace !== undefined) trace.emit({ kind: 'exception', exception, cause: causeOf(trap, from), from: modeName(from), to: modeName(modeOf(s)), vector: s.pc, returnAddress, syndrome: esr });
  return undefined;
}

/** The exception's name for the trace: the vector group and the kind, e.g. `sync-lower-a64 (hvc)`. */
function exceptionName(s: Arm64State, target: number, what: string): string {
  const group = target > s.el ? 'lower-a64' : s.sp === 0 ? 'current-sp0' : 'current-spx';
  return `el${target} sync ${group} (${what})`;
}

/** An UNDEFINED instruction: EC 0 (or its own class for illegal state and PC alignment), to EL1 or the current EL; ELR is the instruction. */
function undefinedException(s: Arm64State, trap: Trap, address: number, reason: string, trace: TraceSink | undefined): undefined {
  const target = defaultTarget(s);
  if (reason === Reason.illegalState) return takeException(s, target, syndrome(Ec.illegalState, 0), address, undefined, exceptionName(s, target, 'illegal state'), trap, trace);
  if (reason === Reason.pcAlignment) return takeException(s, target, syndrome(Ec.pcAlignment, 0), address, address, exceptionName(s, target, 'pc alignment'), trap, trace);
  return takeException(s, target, syndrome(Ec.unknown, 0), address, undefined, exceptionName(s, target, 'undefined'), trap, trace);
}

/**
 * Deliver a trap: the single place where arm64 enters exceptions. Returns
 * a stop when the run cannot usefully go on (see {@link unmappedVector}).
 */
export function deliverArm64(s: Arm64State, trap: Trap, trace: TraceSink | undefined): Stop | undefined {
  switch (trap.cause) {
    case 'call': {
      const imm16 = trap.imm & 0xffff;
      if (trap.conduit === 'svc') {
        // SVC: to EL1 from EL0/EL1 (EL2 under TGE), to EL2 from EL2; ELR after the SVC (D1.10.1; C6.2.317 SVC).
        const target = defaultTarget(s);
        return takeException(s, target, syndrome(Ec.svc64, imm16), trap.next, undefined, exceptionName(s, target, 'svc'), trap, trace);
      }
      if (trap.conduit === 'hvc') {
        if (hvcUndefined(s)) return undefinedException(s, trap, trap.address, 'HVC is UNDEFINED here', trace);
        // HVC: to EL2, ELR after the HVC (C6.2.101 HVC; `abi-facts.md` §11.5).
        return takeException(s, 2, syndrome(Ec.hvc64, imm16), trap.next, undefined, exceptionName(s, 2, 'hvc'), trap, trace);
      }
      // SMC: UNDEFINED at EL0 and with no EL3, except at EL1 with HCR_EL2.TSC set: trapped to EL2 with ELR on the SMC itself (C6.2.255 SMC; §11.5).
      if (s.el === 1 && hcr(s, Hcr.TSC)) return takeException(s, 2, syndrome(Ec.smc64, imm16), trap.address, undefined, exceptionName(s, 2, 'smc'), trap, trace);
      return undefinedException(s, trap, trap.address, 'SMC is UNDEFINED (no EL3)', trace);
    }
    case 'exception':
      // A trapped MSR, MRS or System instruction (EC 0x18, the ISS in errorCode): to EL2, ELR on the instruction (D1.10.1).
      if (trap.vector === Ec.sys64) return takeException(s, 2, syndrome(Ec.sys64, trap.errorCode), trap.address, undefined, exceptionName(s, 2, 'sys'), trap, trace);
      return undefinedException(s, trap, trap.address, trap.reason, trace);
    case 'undefined':
    case 'privileged':
      return undefinedException(s, trap, trap.address, trap.reason, trace);
    case 'fetch-fault': {
      // Instruction abort: the stage-1 fault the TLB found (translation, access flag, permission; D8.14), else synchronous external
      // (nothing is mapped there) or address size beyond the 48-bit PA with the MMU off: FAR and ELR are the address.
      // A stage-2 fault goes to EL2 instead (stage2Abort).
      const tlb = tlbOf(s);
      const translated = tlb?.takeFault(trap.address, trap.address + 3) ?? -1;
      if (translated >= 0 && tlb!.faultStage2) return stage2Abort(s, trap, translated, tlb!, trace);
      const target = defaultTarget(s);
      const ec = target > s.el ? Ec.iabtLower : Ec.iabtCurrent;
      const fsc = translated >= 0 ? translated : outsidePhysical(trap.address) ? FSC_ADDRESS_SIZE_L0 : FSC_SYNC_EXTERNAL;
      return takeException(s, target, syndrome(ec, fsc), trap.address, trap.address, exceptionName(s, target, 'instruction abort'), trap, trace);
    }
    case 'data-fault': {
      // Data abort: ISV = 0 (ESR_EL1 never has a valid instruction syndrome, D13.2.37), WnR, DFSC (the stage-1 fault the TLB
      // found, else as the MMU off gives it); FAR is the address (virtual under translation), ELR the instruction.
      // A stage-2 fault goes to EL2 instead, with the syndrome (stage2Abort).
      const tlb = tlbOf(s);
      const translated = trap.fault === 'alignment' ? -1 : (tlb?.takeFault(trap.faultAddress, trap.faultAddress + trap.size - 1) ?? -1);
      if (translated >= 0 && tlb!.faultStage2) return stage2Abort(s, trap, translated, tlb!, trace);
      const target = defaultTarget(s);
      const ec = target > s.el ? Ec.dabtLower : Ec.dabtCurrent;
      const fsc = trap.fault === 'alignment' ? FSC_ALIGNMENT : translated >= 0 ? translated : outsidePhysical(trap.faultAddress) ? FSC_ADDRESS_SIZE_L0 : FSC_SYNC_EXTERNAL;
      const iss = (trap.write ? 1 << 6 : 0) | fsc;
      return takeException(s, target, syndrome(ec, iss), trap.address, trap.faultAddress, exceptionName(s, target, 'data abort'), trap, trace);
    }
    case 'breakpoint': {
      // BRK: EC 0x3C with the immediate, ELR on the BRK itself (C6.2.38 BRK).
      const target = defaultTarget(s);
      return takeException(s, target, syndrome(Ec.brk64, trap.imm & 0xffff), trap.address, undefined, exceptionName(s, target, 'brk'), trap, trace);
    }
    case 'wait': {
      // WFI/WFE trapped by HCR_EL2.TWI/TWE: EC 0x01, CV = 1, COND = 0xE, TI = 1 for WFE; ELR on the instruction.
      const iss = (1 << 24) | (0xe << 20) | (trap.instruction === 'wfe' ? 1 : 0);
      return takeException(s, 2, syndrome(Ec.wfiWfe, iss), trap.address, undefined, exceptionName(s, 2, trap.instruction), trap, trace);
    }
    default: {
      const unreachable: never = trap;
      return unreachable;
    }
  }
}

/**
 * A stage-2 fault of an EL1 or EL0 access (HCR_EL2.VM set), taken to EL2
 * (D8.2, D1.10.4: stage-2 aborts are always taken to EL2): EC 0x24 (data
 * abort from a lower EL) with the syndrome of {@link stage2DataAbortSyndrome},
 * or EC 0x20 (instruction abort from a lower EL) with the IFSC, S1PTW and
 * EA; FAR_EL2 the faulting virtual address (D13.2.40), HPFAR_EL2.FIPA
 * (bits 43:4) the IPA's bits 51:12 (D13.2.55; abi-facts §12.2: KVM forms
 * the IPA as `(HPFAR_EL2 & HPFAR_MASK) << 8` plus FAR_EL2's low 12 bits);
 * ELR_EL2 the instruction, SPSR_EL2 PSTATE, as every exception entry.
 */
function stage2Abort(s: Arm64State, trap: DataFaultTrap | FetchFaultTrap, fsc: number, tlb: Arm64Tlb, trace: TraceSink | undefined): undefined {
  // FIPA: the IPA page number in bits 43:4 (an IPA below 2^48 keeps it within 2^40 · 16, exact in a double).
  const fipa = Math.floor(tlb.faultIpa / 4096) * 16;
  s.sys[2 * Sys.hpfarEl2] = fipa % 0x1_0000_0000 | 0;
  s.sys[2 * Sys.hpfarEl2 + 1] = Math.floor(fipa / 0x1_0000_0000) | 0;
  if (trap.cause === 'fetch-fault') {
    const iss = fsc | (tlb.faultOnWalk ? IABT_S1PTW : 0) | ((fsc & 0x3c) === 0x14 ? IABT_EA : 0);
    return takeException(s, 2, syndrome(Ec.iabtLower, iss), trap.address, trap.address, exceptionName(s, 2, 'stage-2 instruction abort'), trap, trace);
  }
  const esr = stage2DataAbortSyndrome({ dfsc: fsc, write: trap.write, size: trap.size, s1ptw: tlb.faultOnWalk, transfer: trap.transfer, maintenance: trap.maintenance === true });
  return takeException(s, 2, esr, trap.address, trap.faultAddress, exceptionName(s, 2, 'stage-2 data abort'), trap, trace);
}

/**
 * After an exception entry, whether its vector can be fetched. If not, the
 * instruction abort for the vector fetch would be taken through the same
 * unmapped table forever; hyplay stops with `recursive-fault`, the PC on the
 * vector.
 */
export function unmappedVector(s: Arm64State, memory: GuestMemory): Stop | undefined {
  if (memory.isMapped(s.pc)) return undefined;
  return stop('recursive-fault', `the exception vector at ${hexAddress(s.pc)} is unmapped, so taking the exception faults again (in ${modeName(modeOf(s))})`);
}

/**
 * Why an exception return from the current EL with this SPSR is illegal
 * (IllegalExceptionReturn, D1.11.4), or `undefined` when it is legal: an
 * AArch32 target (not modelled here, so an EL that cannot use AArch32), a
 * reserved or unimplemented mode (EL3), a return to a higher EL, or to EL1
 * while HCR_EL2.TGE is set.
 */
export function illegalReturn(s: Arm64State, spsr: number): string | undefined {
  if ((spsr & Psr.nRW) !== 0) return `SPSR.M[4] = 1 asks for AArch32 state, which is not implemented (AArch32 execution is not modelled)`;
  const mode = spsr & Psr.M;
  if (!isValidMode(mode)) return `SPSR.M = 0x${mode.toString(16)} is not an implemented mode`;
  const target = mode >> 2;
  if (target > s.el) return `return to EL${target} from EL${s.el}`;
  if (target === 1 && hcr(s, Hcr.TGE)) return 'return to EL1 with HCR_EL2.TGE set';
  return undefined;
}

/**
 * Perform an exception return (ERET, C6.2.80, and AArch64.ExceptionReturn):
 * PSTATE from SPSR_ELx, the PC from ELR_ELx (or `request.target`, from
 * spec firmware). An illegal return (see {@link illegalReturn}) keeps
 * PSTATE.{EL, SP} and sets PSTATE.IL, restores the rest from the SPSR and
 * still branches to ELR; the next instruction then takes an Illegal
 * Execution state exception. Spec firmware's return ({@link FIRMWARE_ERET})
 * after a trapped SMC goes to ELR_EL2 + 4: the firmware handled the SMC.
 */
export function exceptionReturnArm64(s: Arm64State, request: ExceptionReturn, trace: TraceSink | undefined): Stop | undefined {
  const from = modeOf(s);
  const el2 = s.el === 2;
  const spsr = s.sys[2 * (el2 ? Sys.spsrEl2 : Sys.spsrEl1)]! >>> 0;
  let target = request.target ?? pairValue(s, el2 ? Sys.elrEl2 : Sys.elrEl1);
  // A trapped SMC leaves ELR_EL2 on the SMC itself (C6.2.255): spec firmware that answered it returns past it, as KVM's handle_smc does (kvm_incr_pc).
  if (request.instruction === FIRMWARE_ERET && el2 && request.target === undefined && s.sys[2 * Sys.esrEl2]! >>> 26 === Ec.smc64) target += 4;
  const why = illegalReturn(s, spsr);
  if (why !== undefined) {
    // An exception return clears the local exclusive monitor (AArch64.ExceptionReturn, ClearExclusiveLocal).
    s.monitor = -1;
    s.n = (spsr >>> 31) & 1;
    s.z = (spsr >>> 30) & 1;
    s.c = (spsr >>> 29) & 1;
    s.v = (spsr >>> 28) & 1;
    s.daif = spsr & Psr.DAIF;
    s.il = 1;
    s.pc = target;
    trace?.emit({ kind: 'note', address: request.address, message: `illegal exception return: ${why}; PSTATE.IL is set and the mode stays ${modeName(from)}` });
    trace?.emit({ kind: 'return', instruction: request.instruction, from: modeName(from), to: modeName(from), target });
    return undefined;
  }
  const to = spsr & Psr.M;
  (returns[from * 16 + to] ?? returnPath(from, to))(s, spsr, target);
  trace?.emit({ kind: 'return', instruction: request.instruction, from: modeName(from), to: modeName(modeOf(s)), target });
  return undefined;
}

/**
 * A legal exception return from mode `from` to mode `to` (AArch64.ExceptionReturn,
 * D1.11) as a template: the local exclusive monitor cleared
 * (ClearExclusiveLocal), the SP switched, NZCV, DAIF and IL from `spsr`
 * (whose M field is `to`), the PC from `target`. Whether the return is
 * legal is decided first, by {@link illegalReturn} in the model or by
 * translated code's guards. Returns the name of the new PC's temporary.
 *
 * @param spsr the SPSR (an expression, unsigned 32 bits).
 * @param target the return address (an expression, a number).
 */
export function emitExceptionReturn(code: StateCode, from: number, to: number, spsr: string, target: string): string {
  const pc = code.temp(target);
  code.set(StateSlot.monitor, '-1');
  emitSwitchMode(code, from, to);
  code.set(StateSlot.n, `(${spsr} >>> 31) & 1`);
  code.set(StateSlot.z, `(${spsr} >>> 30) & 1`);
  code.set(StateSlot.c, `(${spsr} >>> 29) & 1`);
  code.set(StateSlot.v, `(${spsr} >>> 28) & 1`);
  code.set(StateSlot.daif, `${spsr} & ${Psr.DAIF}`);
  code.set(StateSlot.il, `(${spsr} >>> 20) & 1`);
  code.set(StateSlot.pc, pc);
  return pc;
}

/** Built {@link emitExceptionReturn} paths, by `from * 16 + to`. */
type ReturnPath = (s: Arm64State, spsr: number, target: number) => void;
const returns: (ReturnPath | undefined)[] = [];

function returnPath(from: number, to: number): ReturnPath {
  const built = buildDirect<ReturnPath>(['s', 'spsr', 'target'], arm64SlotPlace, (code) => {
    emitExceptionReturn(code, from, to, 'spsr', 'target');
  });
  returns[from * 16 + to] = built;
  return built;
}

/** Whether translated code may take HVC from mode `from` by {@link emitHvcFastPath}: not at EL0, where HVC is UNDEFINED. */
export function hvcFastPathAllowed(from: number): boolean {
  return from >> 2 !== 0;
}

/**
 * Translated code's HVC from mode `from` ({@link hvcFastPathAllowed}):
 * {@link deliverArm64}'s hvc case and the {@link unmappedVector} check, as
 * a template. Guards come first: with HCR_EL2.HCD set (HVC UNDEFINED) or
 * the vector not `mapped`, `slow` runs instead (it hands the instruction to
 * the exception model whole); otherwise the entry to EL2h
 * ({@link emitTakeException}) with EC 0x16 and the immediate, ELR after the
 * HVC. Returns the name of the vector's temporary.
 *
 * @param mapped an expression that is true when the address in the named temporary is mapped.
 * @param slow the statement that leaves for the exception model.
 */
export function emitHvcFastPath(code: StateCode, from: number, imm: number, next: number, mapped: (address: string) => string, slow: string): string {
  const offset = vectorGroupOf(from, 2) + Vector.sync;
  const vector = code.temp(`${pairExpression(code, Sys.vbarEl2)} + ${offset}`);
  code.emit(`if ((${code.get(sysWordSlot(Sys.hcrEl2, 0))} & ${1 << Hcr.HCD}) !== 0 || !(${mapped(vector)})) ${slow}`);
  return emitTakeException(code, from, 2, `${syndrome(Ec.hvc64, imm & 0xffff) | 0}`, `${next}`, undefined, vector);
}

/** Whether translated code may return from mode `from` to mode `to` by {@link emitEretFastPath}: from EL1 or EL2 to an implemented mode no higher. */
export function eretFastPathAllowed(from: number, to: number): boolean {
  return from >> 2 !== 0 && isValidMode(to) && to >> 2 <= from >> 2;
}

/**
 * Translated code's ERET from mode `from` when SPSR_ELx names mode `to`
 * (in AArch64 state, IL clear), as a template: the guards (another SPSR
 * mode, or a return to EL1 with HCR_EL2.TGE set, runs `slow`: the exception
 * model takes the instruction whole), then {@link emitExceptionReturn} to
 * ELR_ELx. Only where {@link eretFastPathAllowed}. Returns the name of the
 * new PC's temporary.
 */
export function emitEretFastPath(code: StateCode, from: number, to: number, slow: string): string {
  const el2 = from >> 2 === 2;
  const spsr = code.temp(`${code.get(sysWordSlot(el2 ? Sys.spsrEl2 : Sys.spsrEl1, 0))} >>> 0`);
  const tge = to >> 2 === 1 ? ` || (${code.get(sysWordSlot(Sys.hcrEl2, 0))} & ${1 << Hcr.TGE}) !== 0` : '';
  // A return into the EL1&0 regime with its stage 1 or stage 2 on lands where translated code cannot go (it reads the physical window): the model takes it.
  const mmu = to >> 2 < 2 ? ` || ((${code.get(sysWordSlot(Sys.sctlrEl1, 0))} | ${code.get(sysWordSlot(Sys.hcrEl2, 0))}) & 1) !== 0` : '';
  code.emit(`if ((${spsr} & ${Psr.IL | Psr.nRW | Psr.M}) !== ${to}${tge}${mmu}) ${slow}`);
  return emitExceptionReturn(code, from, to, spsr, pairExpression(code, el2 ? Sys.elrEl2 : Sys.elrEl1));
}
