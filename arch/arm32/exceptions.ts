/**
 * The arm32 exception model: the one place that turns a trap into
 * architectural state (mode, banked LR/SPSR, ELR_hyp, HSR, fault registers,
 * vector) and that performs exception returns.
 *
 * References: ARM ARM (ARMv7-A/R, DDI 0406C) B1.8 "Exception handling", B1.9
 * "Exception descriptions", B3.13.6 "Use of the HSR" and B9.3.3 "ERET";
 * QEMU `arm_cpu_do_interrupt_aarch32` / `_aarch32_hyp` for the same rules.
 *
 * @module
 */

import { hexAddress, stop, type ExceptionReturn, type Stop, type Trap } from '../../src/interp/step-result.ts';
import type { TraceSink } from '../../src/interp/trace.ts';
import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { buildDirect, type StateCode } from '../../src/jit/state-code.ts';
import { arm32SlotPlace, Bank, bankOf, Cp15, CP15_INDEX, cpsrExpression, emitSwitchMode, emitWriteCpsr, isValidMode, Mode, MODE_NAMES, Psr, StateSlot, writeCpsr, type Arm32State, Slot } from './registers.ts';
import { translationActive, type MmuFault } from './mmu.ts';
import { tlbOf } from './tlb.ts';
import { dataAbortIss, instructionAbortIss } from './syndrome.ts';

/** HSR exception classes used here (ARM ARM B3.13.6, Table B3-24; Linux `kvm_arm.h`). */
export const Ec = {
  /** Unknown reason (undefined instruction in Hyp). */
  unknown: 0x00,
  /** Trapped WFI/WFE. */
  wfiWfe: 0x01,
  /** Trapped MCR/MRC. */
  cp15_32: 0x03,
  /** Trapped MCRR/MRRC. */
  cp15_64: 0x04,
  /** SVC (taken to Hyp). */
  svc: 0x11,
  /** HVC. */
  hvc: 0x12,
  /** Trapped SMC. */
  smc: 0x13,
  /** Prefetch abort from below Hyp. */
  iabtLower: 0x20,
  /** Prefetch abort taken in Hyp. */
  iabtHyp: 0x21,
  /** Data abort from below Hyp. */
  dabtLower: 0x24,
  /** Data abort taken in Hyp. */
  dabtHyp: 0x25,
} as const;

/** HSR.IL: the trapped instruction was 32 bits (always, in A32 state). */
const IL = 1 << 25;

/** Build an HSR value. */
export function syndrome(ec: number, iss: number): number {
  return ((ec << 26) | IL | (iss & 0x1ff_ffff)) >>> 0;
}

/** Long-descriptor fault status for a synchronous external abort (used by HSR, ARM ARM B3.13.6). */
const FSC_SYNC_EXTERNAL = 0x10;
/** Long-descriptor fault status for a debug event. */
const FSC_DEBUG = 0x22;
/** Short-descriptor DFSR/IFSR status for a synchronous external abort (ARM ARM B3.13.3, FS = 0b01000). */
const FS_SYNC_EXTERNAL = 0x008;
/** Short-descriptor status for a debug event (FS = 0b00010). */
const FS_DEBUG = 0x002;
/** Short-descriptor DFSR status for an alignment fault (ARM ARM B3.13.3, Table B3-23: FS = 0b00001). */
const FS_ALIGNMENT = 0x001;
/** Long-descriptor status (HSR ISS DFSC) for an alignment fault (Table B3-24: 0b100001). */
const FSC_ALIGNMENT = 0x21;

/** Vector offsets (ARM ARM B1.8.1, Table B1-3; Hyp: Table B1-4). */
export const Vector = {
  /** Reset. */
  reset: 0x00,
  /** Undefined instruction. */
  undefined: 0x04,
  /** SVC (PL1); SVC/HVC executed in Hyp (HVBAR). */
  svc: 0x08,
  /** Prefetch abort. */
  prefetchAbort: 0x0c,
  /** Data abort. */
  dataAbort: 0x10,
  /** Hyp trap: every exception routed to Hyp from below it. */
  hypTrap: 0x14,
  /** IRQ. */
  irq: 0x18,
  /** FIQ. */
  fiq: 0x1c,
} as const;

/** Name of a mode for traces. */
export function modeName(mode: number): string {
  return MODE_NAMES.get(mode) ?? `mode 0x${mode.toString(16)}`;
}

/** Base of the PL1 vector table: the high vectors when SCTLR.V is set, else VBAR. */
function pl1VectorBase(s: Arm32State): number {
  return (s.cp15[Cp15.sctlr]! & (1 << 13)) !== 0 ? 0xffff_0000 : s.cp15[Cp15.vbar]!;
}

/** One line saying what raised an exception, for the trace (built only when tracing). */
function causeOf(trap: Trap, from: number): string {
  switch (trap.cause) {
    case 'call':
      return `${trap.conduit} #${trap.imm} from ${modeName(from)}`;
    case 'undefined':
    case 'exception':
    case 'privileged':
      return `undefined instruction at ${hexAddress(trap.address)} (${trap.reason})`;
    case 'fetch-fault':
      return `instruction fetch from unmapped ${hexAddress(trap.address)}`;
    case 'data-fault':
      return `${trap.write ? 'write to' : 'read from'} ${trap.fault === 'alignment' ? 'unaligned' : 'unmapped'} ${hexAddress(trap.faultAddress)} at ${hexAddress(trap.address)}`;
    case 'breakpoint':
      return `bkpt #${trap.imm} at ${hexAddress(trap.address)}`;
    case 'wait':
      return `${trap.instruction} trapped by HCR`;
    default: {
      const unreachable: never = trap;
      return unreachable;
    }
  }
}

/** Temporaries an exception entry template leaves for its caller. */
export interface EntryTemporaries {
  /** The vector (the new PC). */
  readonly vector: string;
  /** The system control register of the target mode (HSCTLR or SCTLR), whose TE bit the caller checks. */
  readonly control: string;
}

/** CPSR bits an exception entry clears (IT, J, T, E) before it sets its masks and E again (ARM ARM B1.8.3). */
const ENTRY_CLEARS = ~(Psr.IT | Psr.J | Psr.T | Psr.E) | 0;

/**
 * The Hyp entry from mode `from` (ARM ARM B1.8.4 "Processor mode for taking
 * exceptions" and the TakeHypTrapException pseudocode) as a template: the
 * one definition of the state it writes, which the model's own Hyp entry runs built
 * once per mode and translated code inlines. From below Hyp every exception
 * uses the Hyp trap vector (0x14); SPSR_hyp gets the CPSR, ELR_hyp the
 * preferred return address, HSR the syndrome, and A, I and F are masked
 * because SCR routes nothing to Monitor here. IT, J and T are cleared, E comes
 * from HSCTLR.EE (bit 25); the PC is the vector. Returns the names of the
 * temporaries holding the vector and HSCTLR (HSCTLR.TE, bit 30, would make
 * the vector run in Thumb state: the caller stops then).
 *
 * @param offset the vector offset asked for (an expression).
 * @param hsr the syndrome (an expression).
 * @param returnAddress the preferred return address (an expression).
 */
export function emitHypEntry(code: StateCode, from: number, offset: string, hsr: string, returnAddress: string): EntryTemporaries {
  const vectorOffset = from === Mode.hyp ? offset : code.temp(`${offset} < ${Vector.hypTrap} ? ${Vector.hypTrap} : ${offset}`);
  const cpsr = code.temp(cpsrExpression(code, `${from}`));
  const elr = code.temp(`(${returnAddress}) >>> 0`);
  const syndromeValue = code.temp(hsr);
  emitSwitchMode(code, from, Mode.hyp);
  code.set(Slot.spsr + Bank.hyp, cpsr);
  code.set(StateSlot.elrHyp, elr);
  code.set(StateSlot.cp15 + Cp15.hsr, syndromeValue);
  const hsctlr = code.temp(code.get(StateSlot.cp15 + Cp15.hsctlr));
  code.set(StateSlot.psrRest, `(${code.get(StateSlot.psrRest)} & ${ENTRY_CLEARS}) | ${Psr.A | Psr.I | Psr.F} | (((${hsctlr} >>> 25) & 1) !== 0 ? ${Psr.E} : 0)`);
  const vector = code.temp(`(${code.get(StateSlot.cp15 + Cp15.hvbar)} + ${vectorOffset}) >>> 0`);
  code.set(StateSlot.pc, vector);
  return { vector, control: hsctlr };
}

/**
 * The entry to PL1 mode `to` from mode `from` (ARM ARM B1.8.3 and the
 * TakeUndefInstrException, TakeSVCException, TakePrefetchAbortException,
 * TakeDataAbortException and TakeSMCException pseudocode) as a template, as
 * {@link emitHypEntry}: SPSR_mode gets the CPSR, LR_mode the return link,
 * `masks` are set (I; A too for aborts; A, I and F for Monitor), E comes
 * from SCTLR.EE; the PC is `base + offset`. Returns the names of the
 * temporaries holding the vector and SCTLR (SCTLR.TE, bit 30, would make the
 * vector run in Thumb state).
 */
export function emitPl1Entry(code: StateCode, from: number, to: number, offset: number, link: string, masks: number, base: string): EntryTemporaries {
  const cpsr = code.temp(cpsrExpression(code, `${from}`));
  const linkValue = code.temp(`(${link}) >>> 0`);
  const vector = code.temp(`(${base} + ${offset}) >>> 0`);
  emitSwitchMode(code, from, to);
  code.set(Slot.spsr + bankOf(to), cpsr);
  code.set(14, linkValue);
  const sctlr = code.temp(code.get(StateSlot.cp15 + Cp15.sctlr));
  code.set(StateSlot.psrRest, `(${code.get(StateSlot.psrRest)} & ${ENTRY_CLEARS}) | ${masks} | (((${sctlr} >>> 25) & 1) !== 0 ? ${Psr.E} : 0)`);
  code.set(StateSlot.pc, vector);
  return { vector, control: sctlr };
}

/**
 * An allowed exception return from mode `from` to mode `to` (ARM ARM B9.3.3
 * ERET and B9.3.20 SUBS PC, LR) as a template: the CPSR from `spsr` (whose
 * mode field is `to`), the PC from `target` forced to a word boundary for ARM
 * state (BranchWritePC, A2.3.1). The checks that decide whether the return
 * is allowed come first, in {@link exceptionReturnArm32} or in translated
 * code's guards.
 */
export function emitExceptionReturn(code: StateCode, from: number, to: number, spsr: string, target: string): string {
  const pc = code.temp(`((${target}) & -4) >>> 0`);
  emitWriteCpsr(code, from, to, spsr);
  code.set(StateSlot.pc, pc);
  return pc;
}

/**
 * Whether an exception return from `from` to the mode number `to` is
 * allowed (CPSRWriteByInstr with is_excpt_return, ARM ARM B1.3.3): `to` is a
 * mode; Hyp is entered only from Hyp or Monitor (Monitor is Secure and may
 * return to Hyp when SCR.NS is 1, taken as set: hyplay models the
 * Non-secure world, and that is how Secure firmware enters a kernel in Hyp);
 * Monitor only from Monitor. Anything else is UNPREDICTABLE.
 */
export function exceptionReturnAllowed(from: number, to: number): boolean {
  if (!isValidMode(to)) return false;
  if (to === Mode.hyp && from !== Mode.hyp && from !== Mode.mon) return false;
  return to !== Mode.mon || from === Mode.mon;
}

/**
 * Translated code's HVC from mode `from` (not usr, where HVC is UNDEFINED):
 * {@link deliverArm32}'s hvc case and the {@link unmappedVector} check, as
 * a template. Guards come first: when HSCTLR.TE is set or the vector is not
 * `mapped`, `slow` runs instead (it hands the instruction to the exception
 * model whole); otherwise the Hyp entry ({@link emitHypEntry}). Returns the
 * name of the vector's temporary.
 *
 * @param imm the instruction's immediate.
 * @param next the address after the HVC (the preferred return address).
 * @param mapped an expression that is true when the address in the named temporary is mapped.
 * @param slow the statement that leaves for the exception model.
 */
export function emitHvcFastPath(code: StateCode, from: number, imm: number, next: number, mapped: (address: string) => string, slow: string): string {
  // HVC from Non-secure PL1 is a Hyp trap (0x14); executed in Hyp it uses the Hyp SVC/HVC slot (0x08).
  const offset = from === Mode.hyp ? Vector.svc : Vector.hypTrap;
  const vector = code.temp(`(${code.get(StateSlot.cp15 + Cp15.hvbar)} + ${offset}) >>> 0`);
  // HSCTLR.TE (bit 30) or HSCTLR.M (bit 0): Thumb vectors, or a Hyp regime that translates (the fast path's blocks read the physical window).
  code.emit(`if ((${code.get(StateSlot.cp15 + Cp15.hsctlr)} & ${(1 << 30) | 1}) !== 0 || !(${mapped(vector)})) ${slow}`);
  emitHypEntry(code, from, `${offset}`, `${syndrome(Ec.hvc, imm & 0xffff) | 0}`, `${next}`);
  return vector;
}

/**
 * Translated code's ERET from mode `from` (not usr or sys, where it is
 * UNDEFINED) when SPSR_`from` names mode `to` in ARM state, as a template:
 * the guard (else `slow` runs: the exception model takes the instruction
 * whole), then {@link emitExceptionReturn} to ELR_hyp (in Hyp) or LR. `to`
 * must be a return {@link exceptionReturnAllowed} allows. Returns the name
 * of the new PC's temporary.
 */
export function emitEretFastPath(code: StateCode, from: number, to: number, slow: string): string {
  const spsr = code.temp(code.get(Slot.spsr + bankOf(from)));
  code.emit(`if ((${spsr} & ${Psr.T | Psr.M}) !== ${to}) ${slow}`);
  const target = code.temp(from === Mode.hyp ? code.get(StateSlot.elrHyp) : code.get(14));
  return emitExceptionReturn(code, from, to, spsr, target);
}

/** Built {@link emitHypEntry} functions by mode, and {@link emitPl1Entry} ones by `from * 32 + to`. */
type HypEntry = (s: Arm32State, offset: number, hsr: number, returnAddress: number) => void;
type Pl1Entry = (s: Arm32State, link: number, base: number) => void;
const hypEntries: (HypEntry | undefined)[] = new Array<HypEntry | undefined>(32).fill(undefined);
const pl1Entries = new Map<number, Pl1Entry>();

function hypEntry(from: number): HypEntry {
  const built = buildDirect<HypEntry>(['s', 'offset', 'hsr', 'returnAddress'], arm32SlotPlace, (code) => {
    emitHypEntry(code, from, 'offset', 'hsr', 'returnAddress');
  });
  hypEntries[from] = built;
  return built;
}

function pl1Entry(from: number, to: number, offset: number, masks: number): Pl1Entry {
  const key = (((from * 32 + to) * 32 + offset) << 8) | masks;
  const cached = pl1Entries.get(key);
  if (cached !== undefined) return cached;
  const built = buildDirect<Pl1Entry>(['s', 'link', 'base'], arm32SlotPlace, (code) => {
    emitPl1Entry(code, from, to, offset, 'link', masks, 'base');
  });
  pl1Entries.set(key, built);
  return built;
}

/** Enter Hyp mode for `trap` (see {@link emitHypEntry}); the trace event, and the HSCTLR.TE stop. */
function enterHyp(s: Arm32State, offset: number, hsr: number, returnAddress: number, exception: string, trap: Trap, trace: TraceSink | undefined): Stop | undefined {
  const from = s.mode;
  (hypEntries[from] ?? hypEntry(from))(s, offset, hsr, returnAddress);
  const vector = s.pc;
  if (trace !== undefined) trace.emit({ kind: 'exception', exception, cause: causeOf(trap, from), from: modeName(from), to: 'hyp', vector, returnAddress: s.elrHyp, syndrome: hsr });
  if ((s.cp15[Cp15.hsctlr]! & (1 << 30)) !== 0) return stop('thumb-unsupported', `HSCTLR.TE is set: the Hyp vector at ${hexAddress(vector)} would run in Thumb state`);
  return undefined;
}

/** Enter PL1 mode `mode` for `trap` (see {@link emitPl1Entry}); the trace event, and the SCTLR.TE stop. */
function enterPl1(s: Arm32State, mode: number, offset: number, link: number, masks: number, base: number, exception: string, trap: Trap, trace: TraceSink | undefined): Stop | undefined {
  const from = s.mode;
  pl1Entry(from, mode, offset, masks)(s, link, base);
  const vector = s.pc;
  if (trace !== undefined) trace.emit({ kind: 'exception', exception, cause: causeOf(trap, from), from: modeName(from), to: modeName(mode), vector, returnAddress: link >>> 0, syndrome: undefined });
  if ((s.cp15[Cp15.sctlr]! & (1 << 30)) !== 0) return stop('thumb-unsupported', `SCTLR.TE is set: the vector at ${hexAddress(vector)} would run in Thumb state`);
  return undefined;
}

function hcr(s: Arm32State, bit: number): boolean {
  return (s.cp15[Cp15.hcr]! & (1 << bit)) !== 0;
}

/** HCR.TSC: trap SMC to Hyp (ARM ARM B4.1.65). */
const HCR_TSC = 19;

/**
 * Deliver a trap: the single place where arm32 enters exceptions. Returns a
 * stop when the run cannot usefully go on (a fault fetching a vector, or a
 * vector that would run in Thumb state).
 */
export function deliverArm32(s: Arm32State, trap: Trap, trace: TraceSink | undefined): Stop | undefined {
  // HVC, the commonest trap here, first and small, so that a run loop inlines it.
  if (trap.cause === 'call' && trap.conduit === 'hvc') {
    // HVC from Non-secure PL1 is a Hyp trap (0x14); executed in Hyp it uses the Hyp SVC/HVC slot (0x08).
    const inHyp = s.mode === Mode.hyp;
    return enterHyp(s, inHyp ? Vector.svc : Vector.hypTrap, syndrome(Ec.hvc, trap.imm & 0xffff), trap.next, inHyp ? 'hvc-in-hyp' : 'hyp-trap', trap, trace);
  }
  return deliverOther(s, trap, trace);
}

/** {@link deliverArm32} for every trap but HVC. */
function deliverOther(s: Arm32State, trap: Trap, trace: TraceSink | undefined): Stop | undefined {
  const inHyp = s.mode === Mode.hyp;
  switch (trap.cause) {
    case 'call': {
      const imm16 = trap.imm & 0xffff;
      if (trap.conduit === 'svc') {
        if (inHyp) return enterHyp(s, Vector.svc, syndrome(Ec.svc, imm16), trap.next, 'svc-in-hyp', trap, trace);
        return enterPl1(s, Mode.svc, Vector.svc, trap.next, Psr.I, pl1VectorBase(s), 'svc', trap, trace);
      }
      // SMC: trapped to Hyp when HCR.TSC is set (preferred return is the SMC itself), else taken to Monitor mode.
      if (!inHyp && s.mode !== Mode.mon && hcr(s, HCR_TSC)) {
        return enterHyp(s, Vector.hypTrap, syndrome(Ec.smc, 0), trap.address, 'hyp-trap', trap, trace);
      }
      return enterPl1(s, Mode.mon, Vector.svc, trap.next, Psr.A | Psr.I | Psr.F, s.cp15[Cp15.mvbar]!, 'smc', trap, trace);
    }
    case 'undefined':
    case 'exception':
    case 'privileged': {
      if (inHyp) return enterHyp(s, Vector.undefined, syndrome(Ec.unknown, 0), trap.address, 'undefined', trap, trace);
      return enterPl1(s, Mode.und, Vector.undefined, trap.address + 4, Psr.I, pl1VectorBase(s), 'undefined', trap, trace);
    }
    case 'fetch-fault': {
      const fault = translationFault(s, trap.address, false, true, false);
      if (fault !== undefined) return deliverTranslationFault(s, trap, fault, trace);
      if (inHyp) {
        s.cp15[Cp15.hifar] = trap.address;
        return enterHyp(s, Vector.prefetchAbort, syndrome(Ec.iabtHyp, FSC_SYNC_EXTERNAL), trap.address, 'prefetch-abort', trap, trace);
      }
      s.cp15[Cp15.ifar] = trap.address;
      s.cp15[Cp15.ifsr] = longFormat(s) ? LPAE_FORMAT | FSC_SYNC_EXTERNAL : FS_SYNC_EXTERNAL;
      return enterPl1(s, Mode.abt, Vector.prefetchAbort, trap.address + 4, Psr.A | Psr.I, pl1VectorBase(s), 'prefetch-abort', trap, trace);
    }
    case 'data-fault': {
      const alignment = trap.fault === 'alignment';
      const fault = alignment ? undefined : translationFault(s, trap.faultAddress, trap.write, false, trap.unprivileged === true);
      if (fault !== undefined) return deliverTranslationFault(s, trap, fault, trace);
      if (inHyp) {
        s.cp15[Cp15.hdfar] = trap.faultAddress;
        const iss = (trap.write ? 1 << 6 : 0) | (alignment ? FSC_ALIGNMENT : FSC_SYNC_EXTERNAL);
        return enterHyp(s, Vector.dataAbort, syndrome(Ec.dabtHyp, iss), trap.address, 'data-abort', trap, trace);
      }
      s.cp15[Cp15.dfar] = trap.faultAddress;
      // DFSR.WnR is bit 11 in both formats; the long format (TTBCR.EAE) has LPAE (bit 9) and the 6-bit STATUS (B4.1.52).
      const status = longFormat(s) ? LPAE_FORMAT | (alignment ? FSC_ALIGNMENT : FSC_SYNC_EXTERNAL) : alignment ? FS_ALIGNMENT : FS_SYNC_EXTERNAL;
      s.cp15[Cp15.dfsr] = (trap.write ? 1 << 11 : 0) | status;
      return enterPl1(s, Mode.abt, Vector.dataAbort, trap.address + 8, Psr.A | Psr.I, pl1VectorBase(s), 'data-abort', trap, trace);
    }
    case 'breakpoint': {
      // BKPT is a debug event reported as a Prefetch Abort (ARM ARM C4.3 and B1.9.7).
      if (inHyp) return enterHyp(s, Vector.prefetchAbort, syndrome(Ec.iabtHyp, FSC_DEBUG), trap.address, 'prefetch-abort', trap, trace);
      s.cp15[Cp15.ifsr] = FS_DEBUG;
      return enterPl1(s, Mode.abt, Vector.prefetchAbort, trap.address + 4, Psr.A | Psr.I, pl1VectorBase(s), 'prefetch-abort', trap, trace);
    }
    case 'wait': {
      // WFI/WFE trapped by HCR.TWI/TWE: EC 0x01, CV = 1, COND = AL, TI = 1 for WFE (ARM ARM B3.13.6).
      const iss = (1 << 24) | (0xe << 20) | (trap.instruction === 'wfe' ? 1 : 0);
      return enterHyp(s, Vector.hypTrap, syndrome(Ec.wfiWfe, iss), trap.address, 'hyp-trap', trap, trace);
    }
    default: {
      const unreachable: never = trap;
      return unreachable;
    }
  }
}

/** DFSR/IFSR bit 9 (LPAE): the long-descriptor format (B4.1.52). */
const LPAE_FORMAT = 1 << 9;

/** The PL1 fault status registers use the long-descriptor format: TTBCR.EAE (B4.1.52, B4.1.153). */
function longFormat(s: Arm32State): boolean {
  return (s.cp15[TTBCR]! & 0x8000_0000) !== 0;
}

const TTBCR = CP15_INDEX.get('ttbcr')!;

/**
 * Why an access faulted in translation, when the current regime translates
 * and the translation itself failed: the same lookup the access made (the
 * TLB, then the walk, as PL0 for an unprivileged access), whose fault the TLB keeps. `undefined` when there is
 * no translation or it succeeded (then nothing answered at the physical
 * address: a synchronous external abort, as without an MMU).
 */
function translationFault(s: Arm32State, address: number, write: boolean, execute: boolean, unprivileged: boolean): MmuFault | undefined {
  if (!translationActive(s)) return undefined;
  const tlb = tlbOf(s);
  if (tlb === undefined) return undefined;
  return tlb.translate(address >>> 0, write, execute, unprivileged || s.mode === Mode.usr) < 0 ? tlb.lastFault : undefined;
}

/**
 * Deliver an MMU fault (B3.12, B3.13): a stage-2 fault from a PL1&0 mode is
 * a Hyp trap (HSR EC 0x24 data abort / 0x20 prefetch abort, HDFAR or HIFAR
 * the virtual address, HPFAR the IPA's bits 39:12 in bits 31:4, B4.1.70);
 * a stage-1 fault in Hyp mode is a Hyp data/prefetch abort (EC 0x25/0x21);
 * any other stage-1 fault is a PL1 abort with DFSR/IFSR in the format the
 * walk used and DFAR/IFAR.
 */
function deliverTranslationFault(s: Arm32State, trap: Trap, fault: MmuFault, trace: TraceSink | undefined): Stop | undefined {
  const data = trap.cause === 'data-fault';
  const address = data ? trap.faultAddress : trap.address;
  const write = data && trap.write;
  if (fault.stage === 2 || s.mode === Mode.hyp) {
    const inHyp = s.mode === Mode.hyp;
    if (fault.stage === 2) s.cp15[Cp15.hpfar] = ((fault.ipa >>> 12) << 4) >>> 0;
    if (data) {
      s.cp15[Cp15.hdfar] = address;
      const iss = dataAbortIss({ fault, write, size: trap.size, transfer: inHyp ? undefined : trap.transfer });
      return enterHyp(s, Vector.dataAbort, syndrome(inHyp ? Ec.dabtHyp : Ec.dabtLower, iss), trap.address, inHyp ? 'data-abort' : 'hyp-trap', trap, trace);
    }
    s.cp15[Cp15.hifar] = address;
    return enterHyp(s, Vector.prefetchAbort, syndrome(inHyp ? Ec.iabtHyp : Ec.iabtLower, instructionAbortIss(fault)), trap.address, inHyp ? 'prefetch-abort' : 'hyp-trap', trap, trace);
  }
  // B4.1.52: the short format's status already carries FS[4] at bit 10 and the domain; the long format's LPAE bit 9.
  if (data) {
    s.cp15[Cp15.dfar] = address;
    s.cp15[Cp15.dfsr] = (write ? 1 << 11 : 0) | fault.status;
    return enterPl1(s, Mode.abt, Vector.dataAbort, trap.address + 8, Psr.A | Psr.I, pl1VectorBase(s), 'data-abort', trap, trace);
  }
  s.cp15[Cp15.ifar] = address;
  // IFSR has no domain field (B4.1.96): the short format keeps FS only.
  s.cp15[Cp15.ifsr] = fault.format === 'short' ? fault.status & 0x40f : fault.status;
  return enterPl1(s, Mode.abt, Vector.prefetchAbort, trap.address + 4, Psr.A | Psr.I, pl1VectorBase(s), 'prefetch-abort', trap, trace);
}

/**
 * After an exception entry, whether its vector can be fetched. If not, taking
 * the exception would fault again at once: the Prefetch Abort for the vector
 * fetch (ARM ARM B1.9.7) is taken through a table that is just as unmapped, or
 * loops through it forever. hyplay stops with `recursive-fault` instead, the
 * PC on the vector.
 *
 * This is decided at entry, from the vector actually selected. Deciding it
 * later, from any fetch fault whose address lies in some vector table, also
 * caught ordinary branches into an unused (unmapped) table, e.g. HVBAR left at
 * 0 and a PL1 guest jumping to 0x10, which must be an ordinary Prefetch Abort.
 */
export function unmappedVector(s: Arm32State, memory: GuestMemory): Stop | undefined {
  if (memory.isMapped(s.pc)) return undefined;
  return stop('recursive-fault', `the exception vector at ${hexAddress(s.pc)} is unmapped, so taking the exception faults again (in ${modeName(s.mode)})`);
}

/** Built {@link emitExceptionReturn} functions by `from * 32 + to`. */
type ExceptionReturnPath = (s: Arm32State, spsr: number, target: number) => void;
const returns: (ExceptionReturnPath | undefined)[] = new Array<ExceptionReturnPath | undefined>(32 * 32).fill(undefined);

function exceptionReturnPath(from: number, to: number): ExceptionReturnPath {
  const built = buildDirect<ExceptionReturnPath>(['s', 'spsr', 'target'], arm32SlotPlace, (code) => emitExceptionReturn(code, from, to, 'spsr', 'target'));
  returns[from * 32 + to] = built;
  return built;
}

/**
 * Perform an exception return (ARM ARM B9.3.3 ERET and B9.3.19/B9.3.20 SUBS
 * PC, LR, B9.3.13 RFE): CPSR from the current mode's SPSR (or, for RFE, the
 * word the instruction loaded), PC from ELR_hyp (ERET in Hyp) or from the
 * instruction's result.
 *
 * A return to Hyp from a Non-secure PL1 mode, or to a mode number the
 * architecture does not define, is UNPREDICTABLE: hyplay stops with reason `unpredictable`
 * rather than pick a behaviour. A return to Thumb state stops with
 * `thumb-unsupported`.
 */
export function exceptionReturnArm32(s: Arm32State, request: ExceptionReturn, trace: TraceSink | undefined): Stop | undefined {
  const from = s.mode;
  const spsr = (request.status ?? s.r[Slot.spsr + bankOf(from)]!) >>> 0;
  // An untraced return this model has already allowed once for this mode and SPSR.M/T: its built path, and nothing else to decide.
  const known = trace === undefined ? allowedReturns[from * 64 + (spsr & (Psr.T | Psr.M))] : undefined;
  if (known !== undefined) {
    known(s, spsr, (request.target ?? (from === Mode.hyp ? s.elrHyp : s.r[14]!)) >>> 0);
    return undefined;
  }
  return checkedReturn(s, request, trace, from, spsr);
}

/**
 * Built return paths by `from * 64 + SPSR<5:0>` (mode and T) for the
 * returns {@link checkedReturn} found allowed and in ARM state: what
 * {@link exceptionReturnArm32} runs without deciding again.
 */
const allowedReturns: (ExceptionReturnPath | undefined)[] = new Array<ExceptionReturnPath | undefined>(32 * 64).fill(undefined);

/** {@link exceptionReturnArm32} deciding everything: whether the return is allowed, Thumb, the trace event. */
function checkedReturn(s: Arm32State, request: ExceptionReturn, trace: TraceSink | undefined, from: number, spsr: number): Stop | undefined {
  const target = (request.target ?? (from === Mode.hyp ? s.elrHyp : s.r[14]!)) >>> 0;
  const to = spsr & Psr.M;
  if (!exceptionReturnAllowed(from, to)) {
    s.pc = request.address;
    const why = !isValidMode(to)
      ? `SPSR_${modeName(from)} holds mode 0x${to.toString(16)}, which is not a mode`
      : to === Mode.hyp
        ? `return to Hyp mode from ${modeName(from)}`
        : `return to Monitor mode from Non-secure ${modeName(from)}`;
    return stop('unpredictable', `${request.instruction} at ${hexAddress(request.address)}: ${why}`);
  }
  // ERET (B9.3.3) and SUBS PC, LR (B9.3.20) end in BranchWritePC (A2.3.1):
  // the instruction set comes from SPSR.T, never from the address, and in ARM
  // state the address is forced to a word boundary (address<31:2>:'00').
  const thumb = (spsr & Psr.T) !== 0;
  if (thumb) {
    writeCpsr(s, spsr);
    s.pc = (target & ~1) >>> 0;
  } else {
    const path = returns[from * 32 + to] ?? exceptionReturnPath(from, to);
    allowedReturns[from * 64 + (spsr & (Psr.T | Psr.M))] = path;
    path(s, spsr, target);
  }
  const pc = s.pc;
  trace?.emit({ kind: 'return', instruction: request.instruction, from: modeName(from), to: modeName(to), target: pc });
  if (thumb) return stop('thumb-unsupported', `${request.instruction} returns to Thumb state at ${hexAddress(pc)}`);
  return undefined;
}
