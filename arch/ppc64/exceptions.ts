/**
 * The ppc64 exception model: the one place that turns a trap into
 * architectural state (SRR0/SRR1, DAR/DSISR, the new MSR, the vector) and
 * that performs rfid and hrfid.
 *
 * References: Power ISA v3.0B Book III chapter 6 "Interrupts" — 6.5 for
 * the common entry rules and Figure 68 ("MSR setting due to interrupt"),
 * 6.5.3 DSI, 6.5.4 ISI, 6.5.9 Program, 6.5.14 System Call — and Book III
 * 4.3.1 for rfid/hrfid. QEMU's `powerpc_excp_books` (target/ppc/
 * excp_helper.c) implements the same rules.
 *
 * Interrupts are taken in real mode at their architected offset from 0
 * (LPCR[AIL] = 0) and with MSR[LE] = the machine's boot byte order (what
 * firmware would put in LPCR[ILE]).
 *
 * **System call, `sc` and `sc 1` (Book III 4.3.1, 6.5.14).** Both LEV = 0
 * and LEV = 1 vector to 0xC00 and save state in SRR0/SRR1 — *not*
 * HSRR0/HSRR1: SRR0 ← CIA + 4, SRR1[33:36, 42:47] ← 0 and the rest of SRR1
 * ← MSR. The new MSR keeps HV for LEV = 0 and sets MSR[HV] = 1 for
 * LEV = 1: `sc 1` is "the only way that executing an instruction can cause
 * a transition from non-hypervisor state to hypervisor state" (the
 * programming note to sc). The hypervisor returns with rfid, which clears
 * HV again as SRR1[HV] = 0 (rfid keeps MSR[HV] only when both MSR[HV] and
 * SRR1[HV] are 1). QEMU does the same (`POWERPC_EXCP_SYSCALL`: `if (lev ==
 * 1) new_msr |= MSR_HVB`, with srr0/srr1 = SPR_SRR0/SPR_SRR1). Other LEV
 * values, reserved in v3.0B, are taken like LEV = 0, as QEMU does.
 *
 * **Program interrupt (6.5.9).** SRR0 is the trapping instruction; SRR1
 * bit 44 marks an illegal instruction, 45 a privileged one, 46 a trap.
 * Server processors with a hypervisor (v2.06 and later) send illegal
 * instructions, and hypervisor-privileged ones run in privileged state, to
 * the Hypervisor Emulation Assistance interrupt (0xE40, HSRR0/HSRR1,
 * HEIR) instead; hyplay models what a guest without the hypervisor
 * facility sees — QEMU converts HV_EMU to PROGRAM in that case
 * (`!(env->msr_mask & MSR_HVB)`) — and gives the program interrupt
 * everywhere.
 *
 * @module
 */

import { hexAddress, stop, type CallTrap, type ExceptionReturn, type Stop, type Trap } from '../../src/interp/step-result.ts';
import type { TraceSink } from '../../src/interp/trace.ts';
import type { GuestMemory } from '../../src/memory/guest-memory.ts';
import { buildDirect, type StateCode } from '../../src/jit/state-code.ts';
import { addressHigh, emitWriteMsr, MODE_KEY_COUNT, ModeKey, modeKeyOf, modeName, Msr, MSR_LO_IMPLEMENTED, ppc64SlotPlace, Spr, StateSlot, type Ppc64State } from './registers.ts';
import type { Ppc64Memory } from './core.ts';
import { dataFaultEa, fetchable, TWO_32, unfetchable } from './semantics/common.ts';
import { isUnknownSprTrap } from './semantics/special.ts';

/** Interrupt vector offsets (Book III 6.5, Figure 67). */
export const Vector = {
  /** Data Storage. */
  dsi: 0x300,
  /** Instruction Storage. */
  isi: 0x400,
  /** Alignment. */
  alignment: 0x600,
  /** Program. */
  program: 0x700,
  /** System Call (sc with any LEV). */
  systemCall: 0xc00,
} as const;

/** Interrupt-specific SRR1 bits, in its low word (Book III 6.5.4, 6.5.9). */
export const Srr1 = {
  /** ISI: the translation of the fetch address was not found (bit 33). */
  noTranslation: 0x4000_0000,
  /** Program: illegal instruction (bit 44). */
  illegal: 0x0008_0000,
  /** Program: privileged instruction (bit 45). */
  privileged: 0x0004_0000,
  /** Program: trap (bit 46). */
  trap: 0x0002_0000,
} as const;

/** SRR1 bits 33:36 and 42:47, which an interrupt sets to its own values instead of copying the MSR. */
const SRR1_INTERRUPT_BITS = 0x783f_0000;

// The entry path reads plain constants (V8 folds these, not property loads
// of the documented objects above); checked against them when this loads.
const SRR0 = 4;
const SRR1 = 6;
const HSRR0 = 22;
const HSRR1 = 24;
const DAR = 2;
const DSISR = 0;
const MSR_SF = 0x8000_0000 | 0;
const MSR_HV = 0x1000_0000;
const MSR_ME = 0x1000;
const MSR_LE = 0x1;
const MSR_EE_IR_DR = 0x8000 | 0x20 | 0x10;
const MSR_PR = 0x4000;
if (SRR0 !== Spr.srr0 || SRR1 !== Spr.srr1 || HSRR0 !== Spr.hsrr0 || HSRR1 !== Spr.hsrr1 || DAR !== Spr.dar || DSISR !== Spr.dsisr) {
  throw new Error('exceptions.ts: SPR slot constants disagree with registers.ts');
}
if (MSR_SF !== (Msr.SF | 0) || MSR_HV !== Msr.HV || MSR_ME !== Msr.ME || MSR_LE !== Msr.LE || MSR_PR !== Msr.PR || MSR_EE_IR_DR !== (Msr.EE | Msr.IR | Msr.DR)) {
  throw new Error('exceptions.ts: MSR constants disagree with registers.ts');
}

/** DSISR bits (Book III 6.5.3). */
export const Dsisr = {
  /** The translation of the data address was not found (bit 33). */
  noTranslation: 0x4000_0000,
  /** The access was a store (bit 38). */
  store: 0x0200_0000,
} as const;

/** One line saying what raised an interrupt, for the trace (built only when tracing). */
function causeOf(trap: Trap, from: string): string {
  switch (trap.cause) {
    case 'call':
      return `${trap.imm === 0 ? 'sc' : `sc ${trap.imm}`} from ${from}`;
    case 'undefined':
    case 'exception':
      return `illegal instruction at ${hexAddress(trap.address)} (${trap.reason})`;
    case 'privileged':
      return `privileged instruction at ${hexAddress(trap.address)} (${trap.reason})`;
    case 'fetch-fault':
      return `instruction fetch from unmapped ${hexAddress(trap.address)}`;
    case 'data-fault':
      return `${trap.write ? 'write to' : 'read from'} unmapped ${hexAddress(trap.faultAddress)} at ${hexAddress(trap.address)}`;
    case 'breakpoint':
      return `trap (TO = ${trap.imm}) at ${hexAddress(trap.address)}`;
    case 'wait':
      return `${trap.instruction} at ${hexAddress(trap.address)}`;
    default: {
      const unreachable: never = trap;
      return unreachable;
    }
  }
}

/** The mode an interrupt from mode `from` enters: 64-bit, HV kept (and set for `sc 1`), PR = 0, LE from the boot byte order. */
export function entryMode(from: number, setHv: boolean, bootLittle: boolean): number {
  return ModeKey.sf | ((from & ModeKey.hv) !== 0 || setHv ? ModeKey.hv : 0) | (bootLittle ? ModeKey.le : 0);
}

/**
 * The entry to an interrupt from mode `from` (Book III 6.5 and Figure 68)
 * as a template: the one definition of the state it writes, which the
 * model's own entry runs built once per (from, to) pair and translated code
 * inlines. SRR0 gets `srr0Hi`/`srr0Lo`, SRR1 the MSR with bits 33:36 and
 * 42:47 replaced by `srr1Bits`; the new MSR has SF = 1, HV and ME kept, HV
 * set for `sc 1` (`setHv`), LE from the boot byte order (memory big-endian
 * when `bigMemory` is 1), everything else 0; the PC is `vector`. Returns the
 * mode key entered ({@link entryMode}). All arguments are expressions.
 */
export function emitInterruptEntry(code: StateCode, from: number, setHv: boolean, bigMemory: number, vector: string, srr0Hi: string, srr0Lo: string, srr1Bits: string): number {
  const to = entryMode(from, setHv, bigMemory === 0);
  const msrLo = code.temp(code.get(StateSlot.msrLo));
  code.set(StateSlot.spr + SRR0, srr0Hi);
  code.set(StateSlot.spr + SRR0 + 1, srr0Lo);
  code.set(StateSlot.spr + SRR1, code.get(StateSlot.msrHi));
  code.set(StateSlot.spr + SRR1 + 1, `(${msrLo} & ${~SRR1_INTERRUPT_BITS}) | ${srr1Bits}`);
  const hi = MSR_SF | ((to & ModeKey.hv) !== 0 ? MSR_HV : 0);
  emitWriteMsr(code, to, `${hi | 0}`, `(${msrLo} & ${MSR_ME}) | ${(to & ModeKey.le) !== 0 ? MSR_LE : 0}`, bigMemory);
  // The vectors are real addresses below 2^32: EA bits 0:3 are 0.
  code.set(StateSlot.pc, vector);
  code.set(StateSlot.pcTop, '0');
  return to;
}

/** An {@link emitInterruptEntry} built for one (from, `sc 1` or not, byte order): writes SRR0/SRR1, the new MSR and the PC. Kept by `(from * 2 + setHv) * 2 + bigMemory`. */
export type EntryPath = (s: Ppc64State, vector: number, srr0Hi: number, srr0Lo: number, srr1Bits: number) => void;
// Filled with undefined up front: a sparse array assigned at large indices may fall back to slow (dictionary) elements.
const entries: (EntryPath | undefined)[] = new Array<EntryPath | undefined>(MODE_KEY_COUNT * 4).fill(undefined);

function entryPath(from: number, setHv: boolean, bigMemory: number): EntryPath {
  const index = (from * 2 + (setHv ? 1 : 0)) * 2 + bigMemory;
  const built = buildDirect<EntryPath>(['s', 'vector', 'srr0Hi', 'srr0Lo', 'srr1Bits'], ppc64SlotPlace, (code) => {
    emitInterruptEntry(code, from, setHv, bigMemory, 'vector', 'srr0Hi', 'srr0Lo', 'srr1Bits');
  });
  entries[index] = built;
  return built;
}

/**
 * Take an interrupt (Book III 6.5) through the entry path of the current
 * mode ({@link emitInterruptEntry}), then tell the predecoder when MSR[LE]
 * changed. Allocates nothing unless tracing.
 */
function enter(
  s: Ppc64State,
  vector: number,
  srr0: number,
  srr1Bits: number,
  setHv: boolean,
  trap: Trap,
  trace: TraceSink | undefined,
  onEndianChange: () => void,
): void {
  const from = trace === undefined ? '' : modeName(s);
  const key = modeKeyOf(s);
  const bigMemory = s.bigMemory;
  // SRR0 is the full 64-bit EA: the PC number of the instruction with the current PC's bits 0:3 (`setPc`).
  (entries[(key * 2 + (setHv ? 1 : 0)) * 2 + bigMemory] ?? entryPath(key, setHv, bigMemory))(s, vector, addressHigh(s, srr0), srr0 | 0, srr1Bits);
  if ((key & ModeKey.le) !== s.le) onEndianChange();
  if (trace !== undefined) {
    if (isUnknownSprTrap(trap)) trace.emit({ kind: 'note', address: trap.address, message: `${(trap as { reason: string }).reason}: hyplay does not model it, so it is an illegal instruction` });
    const syndrome = trap.cause === 'data-fault' ? s.spr[DSISR + 1]! : srr1Bits === 0 ? undefined : srr1Bits;
    trace.emit({ kind: 'exception', exception: interruptName(vector), cause: causeOf(trap, from), from, to: modeName(s), vector, returnAddress: srr0, syndrome });
  }
}

/** The trace name of the interrupt at a vector. */
function interruptName(vector: number): string {
  switch (vector) {
    case Vector.dsi:
      return 'data-storage';
    case Vector.isi:
      return 'instruction-storage';
    case Vector.program:
      return 'program';
    case Vector.alignment:
      return 'alignment';
    default:
      return 'system-call';
  }
}

/**
 * Deliver a trap: the single place where ppc64 takes interrupts. DAR and
 * DSISR are written for a DSI. Returns a stop when taking the interrupt
 * would only repeat it: its vector is unmapped, or the instruction that
 * trapped sits at the vector itself (a program interrupt at 0x700 would
 * re-enter 0x700 with the same MSR forever).
 */
export function deliverPpc64(s: Ppc64State, trap: Trap, trace: TraceSink | undefined, memory: GuestMemory, onEndianChange: () => void): Stop | undefined {
  let vector: number;
  switch (trap.cause) {
    case 'call':
      vector = 0xc00;
      enter(s, vector, trap.next, 0, trap.imm === 1, trap, trace, onEndianChange);
      break;
    case 'exception':
      // The alignment interrupt (Book III 7.5.8) of a misaligned load and reserve or store conditional: SRR1[33:36,42:47] = 0. DAR is not set (the trap does not carry the EA).
      if (trap.vector === Vector.alignment) {
        vector = Vector.alignment;
        enter(s, vector, trap.address, 0, false, trap, trace, onEndianChange);
        break;
      }
      vector = 0x700;
      enter(s, vector, trap.address, 0x0008_0000, false, trap, trace, onEndianChange);
      break;
    case 'undefined':
    case 'wait':
      vector = 0x700;
      enter(s, vector, trap.address, 0x0008_0000, false, trap, trace, onEndianChange);
      break;
    case 'privileged':
      vector = 0x700;
      enter(s, vector, trap.address, 0x0004_0000, false, trap, trace, onEndianChange);
      break;
    case 'breakpoint':
      vector = 0x700;
      enter(s, vector, trap.address, 0x0002_0000, false, trap, trace, onEndianChange);
      break;
    case 'fetch-fault':
      vector = 0x400;
      enter(s, vector, trap.address, 0x4000_0000, false, trap, trace, onEndianChange);
      break;
    case 'data-fault': {
      vector = 0x300;
      const dar = trap.faultAddress;
      // The full EA where the handler kept it (in real mode the access was made without EA bits 0:3).
      const ea = dataFaultEa(trap);
      s.spr[DAR] = ea !== undefined ? ea.hi : Math.floor(dar / TWO_32) | 0;
      s.spr[DAR + 1] = ea !== undefined ? ea.lo : dar | 0;
      s.spr[DSISR] = 0;
      s.spr[DSISR + 1] = 0x4000_0000 | (trap.write ? 0x0200_0000 : 0);
      enter(s, vector, trap.address, 0, false, trap, trace, onEndianChange);
      break;
    }
    default: {
      const unreachable: never = trap;
      return unreachable;
    }
  }
  if (!memory.isMapped(vector)) {
    return stop('recursive-fault', `the ${interruptName(vector)} vector at ${hexAddress(vector)} is unmapped, so taking the interrupt faults again (in ${modeName(s)} state)`);
  }
  if (trap.address === vector && trap.cause !== 'data-fault') {
    return stop('recursive-fault', `the instruction at the ${interruptName(vector)} vector ${hexAddress(vector)} raises that interrupt again, forever`);
  }
  return undefined;
}

/**
 * What {@link systemCallPpc64} and {@link returnFromInterruptPpc64} use of
 * this module, passed in because they are closed (see `instanceCopy` in
 * src/interp/instance-code.ts): each machine's interpreter runs copies of
 * its own, so that the call of the path built for its mode is monomorphic
 * there whatever other machines in the process take.
 */
export interface Ppc64ExceptionKit {
  /** {@link deliverPpc64}. */
  readonly deliver: typeof deliverPpc64;
  /** {@link exceptionReturnPpc64}. */
  readonly exceptionReturn: typeof exceptionReturnPpc64;
  /** The entry paths built so far, by `(from * 2 + setHv) * 2 + bigMemory` ({@link emitInterruptEntry}). */
  readonly entries: readonly (EntryPath | undefined)[];
  /** Build the entry path from mode `from` (`setHv` 1 for `sc 1`) and keep it in `entries`. */
  readonly entryPath: (from: number, setHv: boolean, bigMemory: number) => EntryPath;
  /** The return-mode functions built so far, by `from * 2 + hyper` ({@link emitReturnMode}). */
  readonly returnModes: readonly (ReturnMode | undefined)[];
  /** Build the return-mode function from mode `from` and keep it in `returnModes`. */
  readonly returnMode: (from: number, hyper: boolean) => ReturnMode;
  /** The return paths built so far, one per (from, to) pair: by `((from * 16 + to) * 2 + hyper) * 2 + bigMemory` ({@link emitInterruptReturn}). */
  readonly returnPairs: readonly (ReturnPairPath | undefined)[];
  /** Build the return path from mode `from` to mode `to` and keep it in `returnPairs`. */
  readonly returnPair: (from: number, to: number, hyper: boolean, bigMemory: number) => ReturnPairPath;
  /** The stop of a system call whose vector is unmapped. */
  readonly vectorUnmapped: (s: Ppc64State) => Stop;
  /** The instruction storage interrupt of fetching at an NIA that is not fetchable (`unfetchable`). */
  readonly unfetchable: typeof unfetchable;
}

/**
 * `sc` straight into the exception model, for the interpreter's block loop
 * (`op.fast` in core.ts): what {@link deliverPpc64} does with a system
 * call, on the entry path built once for the current mode and LEV
 * ({@link emitInterruptEntry}, the same one {@link deliverPpc64} runs),
 * without the dispatch on the trap's cause. A traced run, or one whose
 * MSR[LE] is not the boot byte order (the entry changes it, so the
 * predecoded code must go), goes through {@link deliverPpc64} itself. The
 * caller never passes an sc that sits at the vector (predecode keeps those on
 * the generic path). Closed: what it uses comes in `model`
 * ({@link PPC64_EXCEPTION_KIT}), and its constants are written out (0xC00
 * is {@link Vector}.systemCall, 2^32 `TWO_32`).
 */
export function systemCallPpc64(model: Ppc64ExceptionKit, s: Ppc64State, trap: CallTrap, trace: TraceSink | undefined, memory: Ppc64Memory, onEndianChange: () => void): Stop | undefined {
  if (trace !== undefined || s.swap !== 0) return model.deliver(s, trap, trace, memory, onEndianChange);
  const key = (s.sf << 3) | (s.hv << 2) | (s.pr << 1) | s.le;
  const setHv = trap.imm === 1 ? 1 : 0;
  const bigMemory = s.bigMemory;
  const next = trap.next;
  // SRR0 is the full 64-bit EA of the next instruction (`enter`: `addressHigh`), taken before the entry clears pcTop.
  const srr0Hi = next >= 0 && next < 4294967296 ? s.pcTop : (Math.floor(next / 4294967296) ^ s.pcTop) | 0;
  (model.entries[(key * 2 + setHv) * 2 + bigMemory] ?? model.entryPath(key, setHv === 1, bigMemory))(s, 0xc00, srr0Hi, next | 0, 0);
  // The vector's page, from the flat window when it covers it (as `isMapped` reads it).
  const w = memory.flat;
  const o = 0xc00 - w.base;
  if (o >= 0 && o < w.size ? w.pages[o >>> 12] === 0 : !memory.isMapped(0xc00)) return model.vectorUnmapped(s);
  return undefined;
}

/** {@link deliverPpc64}'s stop for a system call whose vector is unmapped (built only when it happens). */
function systemCallVectorUnmapped(s: Ppc64State): Stop {
  return stop('recursive-fault', `the ${interruptName(Vector.systemCall)} vector at ${hexAddress(Vector.systemCall)} is unmapped, so taking the interrupt faults again (in ${modeName(s)} state)`);
}

/**
 * rfid straight into the exception model, for the interpreter's block loop
 * (`op.fast` in core.ts), outside problem state (where rfid is a privileged
 * instruction, which the caller leaves to the handler): what
 * {@link exceptionReturnPpc64} does for rfid, on the return path built once
 * for the (from, to) mode pair ({@link emitInterruptReturn}, after
 * {@link emitReturnMode} says where SRR1 goes), without the request's
 * decoding. A traced run goes through {@link exceptionReturnPpc64} itself.
 * Closed, as {@link systemCallPpc64} is (0x20 is MSR[IR]).
 */
export function returnFromInterruptPpc64(
  model: Ppc64ExceptionKit,
  s: Ppc64State,
  request: ExceptionReturn,
  trace: TraceSink | undefined,
  memory: GuestMemory,
  onEndianChange: () => void,
): Stop | undefined {
  if (trace !== undefined) return model.exceptionReturn(s, request, trace, memory, onEndianChange);
  const key = (s.sf << 3) | (s.hv << 2) | (s.pr << 1) | s.le;
  const bigMemory = s.bigMemory;
  // The mode SRR1 returns to, then the path built for that (from, to) pair (16 modes: `MODE_KEY_COUNT`).
  const to = (model.returnModes[key * 2] ?? model.returnMode(key, false))(s);
  (model.returnPairs[(key * 16 + to) * 4 + bigMemory] ?? model.returnPair(key, to, false, bigMemory))(s);
  if ((key & 1) !== (to & 1)) onEndianChange();
  // Not `fetchable` (relocation on, EA bits 0:3 of its own): the instruction storage interrupt of that fetch.
  if (s.pcTop !== 0 && (s.msrLo & 0x20) !== 0) return model.deliver(s, model.unfetchable(s), trace, memory, onEndianChange);
  return undefined;
}

/**
 * The mode key rfid (or, with `hyper`, hrfid) returns to from mode `from`,
 * as an expression over the state (Book III 4.3.1: the new MSR[SF], MSR[PR]
 * and MSR[LE] come from (H)SRR1; rfid keeps MSR[HV] = 1 only when both
 * MSR[HV] and SRR1[HV] are 1, hrfid takes HSRR1[HV]).
 */
export function emitReturnMode(code: StateCode, from: number, hyper: boolean): string {
  const srr1 = StateSlot.spr + (hyper ? HSRR1 : SRR1);
  const h1 = code.get(srr1);
  const l1 = code.get(srr1 + 1);
  const hv = hyper || (from & ModeKey.hv) !== 0 ? `((${h1} >>> 26) & ${ModeKey.hv})` : '0';
  return `(((${h1} >>> 28) & ${ModeKey.sf}) | ${hv} | ((${l1} >>> 13) & ${ModeKey.pr}) | (${l1} & ${ModeKey.le}))`;
}

/**
 * rfid and hrfid from mode `from` to mode `to` (Book III 4.3.1 pseudocode)
 * as a template: rfid takes the MSR from SRR1, except that HV stays 1 only
 * if both MSR[HV] and SRR1[HV] are 1 and ME changes only in hypervisor
 * state; hrfid takes it from HSRR1 including HV and ME. For both, PR = 1
 * also sets EE, IR and DR, and NIA ← (H)SRR0[0:61] || 0b00, truncated to 32
 * bits when the new MSR[SF] is 0. `to` must be what
 * {@link emitReturnMode} gives for the state (the caller checks). Returns
 * the name of the new PC's temporary.
 */
export function emitInterruptReturn(code: StateCode, from: number, to: number, hyper: boolean, bigMemory: number): string {
  const srr0 = StateSlot.spr + (hyper ? HSRR0 : SRR0);
  const srr1 = StateSlot.spr + (hyper ? HSRR1 : SRR1);
  const l1 = code.temp(code.get(srr1 + 1));
  // Bits 32, 37:41, 49:50, 52:57 and 60:63 (and 51 for hrfid) come straight from (H)SRR1; of the high word only SF and HV are implemented, and `to` gives both.
  const me = hyper ? '0' : `(${(from & ModeKey.hv) !== 0 ? l1 : code.get(StateSlot.msrLo)} & ${MSR_ME})`;
  const kept = hyper ? 0x8000_0000 | 0x07c0_0000 | 0x7fc0 | 0xf : 0x8000_0000 | 0x07c0_0000 | 0x6fc0 | 0xf;
  const pr = (to & ModeKey.pr) !== 0;
  const lo = `((${l1} & ${kept | 0}) | ${me} | (${l1} & ${MSR_EE_IR_DR})${pr ? ` | ${MSR_EE_IR_DR}` : ''}) & ${MSR_LO_IMPLEMENTED}`;
  const hi = ((to & ModeKey.sf) !== 0 ? MSR_SF : 0) | ((to & ModeKey.hv) !== 0 ? MSR_HV : 0);
  const targetLo = code.temp(`(${code.get(srr0 + 1)} & -4) >>> 0`);
  // The new PC in the form of `setPc`: EA bits 4:63 as a signed number (`low`), bits 0:3 beyond bit 4's sign in pcTop.
  const targetHi = (to & ModeKey.sf) !== 0 ? code.temp(code.get(srr0)) : undefined;
  const low = targetHi === undefined ? undefined : code.temp(`(${targetHi} << 4) >> 4`);
  emitWriteMsr(code, to, `${hi | 0}`, lo, bigMemory);
  const pc = code.temp(low === undefined ? targetLo : `${low} === 0 ? ${targetLo} : ${low} * ${TWO_32} + ${targetLo}`);
  code.set(StateSlot.pc, pc);
  code.set(StateSlot.pcTop, low === undefined ? '0' : `${targetHi} ^ ${low}`);
  return pc;
}

/** An {@link emitReturnMode} built for one (from, rfid or hrfid): the mode key the return goes to. Kept by `from * 2 + hyper`. */
export type ReturnMode = (s: Ppc64State) => number;
const returnModes: (ReturnMode | undefined)[] = new Array<ReturnMode | undefined>(MODE_KEY_COUNT * 2).fill(undefined);

function returnMode(from: number, hyper: boolean): ReturnMode {
  const built = buildDirect<ReturnMode>(['s'], ppc64SlotPlace, (code) => code.emit(`return ${emitReturnMode(code, from, hyper)};`));
  returnModes[from * 2 + (hyper ? 1 : 0)] = built;
  return built;
}

/**
 * A return function built for one (from, rfid or hrfid, byte order), kept
 * by `(from * 2 + hyper) * 2 + bigMemory`: it holds every return from its
 * mode, the mode it returns to ({@link emitReturnMode}) picking the path
 * built for that pair ({@link emitInterruptReturn}), and gives that mode.
 * One call per rfid, and the switch is a jump over small integers.
 */
export type ReturnPath = (s: Ppc64State) => number;
const returns: (ReturnPath | undefined)[] = new Array<ReturnPath | undefined>(MODE_KEY_COUNT * 4).fill(undefined);

function returnPath(index: number, from: number, hyper: boolean, bigMemory: number): ReturnPath {
  const built = buildDirect<ReturnPath>(['s'], ppc64SlotPlace, (code) => {
    code.emit(`switch (${emitReturnMode(code, from, hyper)}) {`);
    for (let to = 0; to < MODE_KEY_COUNT; to++) {
      code.emit(`case ${to}: {`);
      emitInterruptReturn(code, from, to, hyper, bigMemory);
      code.emit(`return ${to}; }`);
    }
    // The mode is four bits: never reached.
    code.emit('}\nreturn -1;');
  });
  returns[index] = built;
  return built;
}

/** An {@link emitInterruptReturn} built for one (from, to, rfid or hrfid, byte order), kept by `((from * 16 + to) * 2 + hyper) * 2 + bigMemory`. */
export type ReturnPairPath = (s: Ppc64State) => void;
const returnPairs: (ReturnPairPath | undefined)[] = new Array<ReturnPairPath | undefined>(MODE_KEY_COUNT * MODE_KEY_COUNT * 4).fill(undefined);

function returnPair(from: number, to: number, hyper: boolean, bigMemory: number): ReturnPairPath {
  const built = buildDirect<ReturnPairPath>(['s'], ppc64SlotPlace, (code) => {
    emitInterruptReturn(code, from, to, hyper, bigMemory);
  });
  returnPairs[((from * MODE_KEY_COUNT + to) * 2 + (hyper ? 1 : 0)) * 2 + bigMemory] = built;
  return built;
}

/**
 * rfid and hrfid (Book III 4.3.1): the return built for the current mode
 * (every mode it can return to, {@link emitInterruptReturn} for each); the
 * predecoder is told when MSR[LE] changed. A return with MSR[IR] = 1 to an
 * NIA that is not `fetchable` takes the instruction storage interrupt of
 * that fetch (`memory` is for {@link deliverPpc64}).
 */
export function exceptionReturnPpc64(s: Ppc64State, request: ExceptionReturn, trace: TraceSink | undefined, memory: GuestMemory, onEndianChange: () => void): Stop | undefined {
  const from = trace === undefined ? '' : modeName(s);
  const hyper = request.instruction === 'hrfid';
  const key = modeKeyOf(s);
  const bigMemory = s.bigMemory;
  const index = (key * 2 + (hyper ? 1 : 0)) * 2 + bigMemory;
  const to = (returns[index] ?? returnPath(index, key, hyper, bigMemory))(s);
  if ((key & ModeKey.le) !== (to & ModeKey.le)) onEndianChange();
  trace?.emit({ kind: 'return', instruction: request.instruction, from, to: modeName(s), target: s.pc });
  // Returning with relocation on to an EA whose bits 0:3 are its own (a 0xc000… address): hyplay translates
  // nothing, so the fetch there is an instruction storage interrupt, SRR0 the full EA (`fetchable`).
  if (!fetchable(s)) return deliverPpc64(s, unfetchable(s), trace, memory, onEndianChange);
  return undefined;
}

/** The mode key rfid (`hyper` false) or hrfid would return to from the current state ({@link emitReturnMode}, built once per mode). */
export function interruptReturnMode(s: Ppc64State, hyper: boolean): number {
  const key = modeKeyOf(s);
  return (returnModes[key * 2 + (hyper ? 1 : 0)] ?? returnMode(key, hyper))(s);
}

/**
 * Whether translated code may take `sc` at `address` from mode `from` by
 * {@link emitSystemCallFastPath}: not when the sc sits at the vector itself
 * (the model stops: it would re-enter forever), nor when the entry changes
 * MSR[LE] (every predecoded instruction goes stale; the model does that).
 */
export function systemCallFastPathAllowed(from: number, address: number, bigMemory: number): boolean {
  return address !== Vector.systemCall && (from & ModeKey.le) === (bigMemory !== 0 ? 0 : ModeKey.le);
}

/**
 * Translated code's `sc` (LEV `lev`) from mode `from`: {@link deliverPpc64}'s
 * system-call case as a template. The guard comes first: when the vector is
 * not `mapped`, `slow` runs instead (it hands the instruction to the model
 * whole); otherwise the entry ({@link emitInterruptEntry}) with SRR0 = `next`.
 * Returns the mode key entered. Only where {@link systemCallFastPathAllowed}.
 *
 * @param mapped an expression that is true when the address in the named temporary is mapped.
 */
export function emitSystemCallFastPath(code: StateCode, from: number, lev: number, next: number, bigMemory: number, mapped: (address: string) => string, slow: string): number {
  const vector = code.temp(`${Vector.systemCall}`);
  code.emit(`if (!(${mapped(vector)})) ${slow}`);
  return emitInterruptEntry(code, from, lev === 1, bigMemory, vector, `${next < TWO_32 ? 0 : Math.floor(next / TWO_32) | 0}`, `${next | 0}`, '0');
}

/** Whether translated code may return from mode `from` to mode `to` by {@link emitReturnFastPath}: rfid not in problem state, hrfid only in hypervisor state, and no MSR[LE] change. */
export function returnFastPathAllowed(from: number, to: number, hyper: boolean): boolean {
  if ((from & ModeKey.pr) !== 0 || (hyper && (from & ModeKey.hv) === 0)) return false;
  return (from & ModeKey.le) === (to & ModeKey.le);
}

/**
 * Translated code's rfid or hrfid from mode `from` when (H)SRR1 gives mode
 * `to`: the guards on {@link emitReturnMode} and on the target's EA bits
 * 0:3 (else `slow` runs: the model takes the instruction whole), then
 * {@link emitInterruptReturn}. Returns
 * the name of the new PC's temporary. Only where {@link returnFastPathAllowed}.
 */
export function emitReturnFastPath(code: StateCode, from: number, to: number, hyper: boolean, bigMemory: number, slow: string): string {
  code.emit(`if (${emitReturnMode(code, from, hyper)} !== ${to}) ${slow}`);
  if ((to & ModeKey.sf) !== 0) {
    // Translated code runs with pcTop = 0 (the translator's `modeKey`): a return to an EA whose bits 0:3 are not
    // bit 4's sign extension (a 0xc000… kernel address) is the model's.
    const hi = code.temp(code.get(StateSlot.spr + (hyper ? HSRR0 : SRR0)));
    code.emit(`if (((${hi} << 4) >> 4) !== ${hi}) ${slow}`);
  }
  return emitInterruptReturn(code, from, to, hyper, bigMemory);
}

/** What {@link systemCallPpc64} and {@link returnFromInterruptPpc64} are passed: this module's paths and entry points. */
export const PPC64_EXCEPTION_KIT: Ppc64ExceptionKit = {
  deliver: deliverPpc64,
  exceptionReturn: exceptionReturnPpc64,
  entries,
  entryPath,
  returnModes,
  returnMode,
  returnPairs,
  returnPair,
  vectorUnmapped: systemCallVectorUnmapped,
  unfetchable,
};
