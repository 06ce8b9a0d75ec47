/**
 * ARMv7-A (with the Virtualization Extensions) register file: the core
 * registers with their per-mode banks, the CPSR, and the cp15 system
 * registers hyplay models.
 *
 * Banking follows the ARM ARM (B1.3.2, "ARM core registers") and QEMU's bank
 * numbering: Hyp has its own SP and SPSR but shares LR with usr/sys, and keeps
 * its return address in ELR_hyp.
 *
 * @module
 */

import { buildDirect, type StateCode } from '../../src/jit/state-code.ts';
import { kernelCp15Registers } from './cp15-registers.ts';

/** CPSR.M values (ARM ARM B1.3.1, Table B1-1). */
export const Mode = {
  /** User (PL0). */
  usr: 0x10,
  /** FIQ. */
  fiq: 0x11,
  /** IRQ. */
  irq: 0x12,
  /** Supervisor. */
  svc: 0x13,
  /** Monitor (Secure). */
  mon: 0x16,
  /** Abort. */
  abt: 0x17,
  /** Hyp (PL2, Non-secure). */
  hyp: 0x1a,
  /** Undefined. */
  und: 0x1b,
  /** System (PL1, shares usr registers). */
  sys: 0x1f,
} as const;

/** A mode name. */
export type ModeName = keyof typeof Mode;

/** Mode names by CPSR.M value. */
export const MODE_NAMES: ReadonlyMap<number, ModeName> = new Map(Object.entries(Mode).map(([name, value]) => [value, name as ModeName]));

/** 1 for each CPSR.M value the architecture defines, indexed by the 5-bit mode. */
const VALID_MODE = new Uint8Array(32);
for (const value of Object.values(Mode)) VALID_MODE[value] = 1;

/** True for a CPSR.M value the architecture defines. */
export function isValidMode(mode: number): boolean {
  return VALID_MODE[mode & 0x1f] === 1 && mode <= 0x1f;
}

/** Bank index of each mode for SP and SPSR (QEMU's `bank_number`). */
export const Bank = {
  /** usr and sys. */
  usr: 0,
  /** svc. */
  svc: 1,
  /** abt. */
  abt: 2,
  /** und. */
  und: 3,
  /** irq. */
  irq: 4,
  /** fiq. */
  fiq: 5,
  /** hyp (SP and SPSR only). */
  hyp: 6,
  /** mon. */
  mon: 7,
} as const;

/** Where the banked registers live in {@link Arm32State.r}, after r0–r15. */
export const Slot = {
  /** SP of each {@link Bank}. */
  sp: 16,
  /** LR of each {@link Bank} (the Hyp slot is unused: Hyp shares LR_usr). */
  lr: 24,
  /** SPSR of each {@link Bank} (the usr slot is unused). */
  spsr: 32,
  /** r8–r12 of fiq mode, while fiq is not current. */
  fiqHigh: 40,
  /** r8–r12 of every other mode, while fiq is current. */
  usrHigh: 45,
} as const;

/** Int32 slots in {@link Arm32State.r}. */
export const REGISTER_SLOTS = 50;

/**
 * Slots of the arm32 state for generated code (`src/jit/state-code.ts`):
 * slot `i` below {@link REGISTER_SLOTS} is `s.r[i]` (r0–r15, then the banks
 * at {@link Slot}); the fields follow; cp15 register slot `k` (see
 * {@link cp15Slot}) is slot `cp15 + k`.
 */
export const StateSlot = {
  /** N flag. */
  n: 50,
  /** Z flag. */
  z: 51,
  /** C flag. */
  c: 52,
  /** V flag. */
  v: 53,
  /** Q flag. */
  q: 54,
  /** CPSR.M. */
  mode: 55,
  /** The rest of the CPSR. */
  psrRest: 56,
  /** ELR_hyp (unsigned). */
  elrHyp: 57,
  /** The PC (unsigned). */
  pc: 58,
  /** First cp15 slot (unsigned values). */
  cp15: 64,
} as const;

const FIELD_NAMES: readonly string[] = ['n', 'z', 'c', 'v', 'q', 'mode', 'psrRest', 'elrHyp', 'pc'];

/** Where a {@link StateSlot} lives, as an assignable expression over a state named `s`. */
export function arm32SlotPlace(slot: number): string {
  if (slot < REGISTER_SLOTS) return `s.r[${slot}]`;
  if (slot >= StateSlot.cp15) return `s.cp15[${slot - StateSlot.cp15}]`;
  const field = FIELD_NAMES[slot - StateSlot.n];
  if (field === undefined) throw new Error(`no arm32 state slot ${slot}`);
  return `s.${field}`;
}

const SP_SLOT = Slot.sp;
const LR_SLOT = Slot.lr;
const FIQ_SLOT = Slot.fiqHigh;
const USR_SLOT = Slot.usrHigh;

/** SP/SPSR bank by 5-bit mode (usr, sys and undefined modes use bank 0). */
const BANK_OF = new Uint8Array(32);
/** LR bank by 5-bit mode: as {@link BANK_OF}, but Hyp shares LR_usr. */
const LR_BANK_OF = new Uint8Array(32);
for (const [name, value] of Object.entries(Mode)) {
  const bank = name in Bank ? Bank[name as keyof typeof Bank] : Bank.usr;
  BANK_OF[value] = bank;
  LR_BANK_OF[value] = value === Mode.hyp ? Bank.usr : bank;
}

/** The SP/SPSR bank of a mode. usr and sys share bank 0. */
export function bankOf(mode: number): number {
  return BANK_OF[mode & 0x1f]!;
}

/** The LR bank of a mode: Hyp has no banked LR and uses LR_usr (QEMU's `r14_bank_number`). */
export function lrBankOf(mode: number): number {
  return LR_BANK_OF[mode & 0x1f]!;
}

/** CPSR bit masks (ARM ARM B1.3.3). */
export const Psr = {
  /** Negative. */
  N: 0x8000_0000,
  /** Zero. */
  Z: 0x4000_0000,
  /** Carry. */
  C: 0x2000_0000,
  /** Overflow. */
  V: 0x1000_0000,
  /** Saturation. */
  Q: 0x0800_0000,
  /** Jazelle. */
  J: 0x0100_0000,
  /** Greater-than-or-equal flags. */
  GE: 0x000f_0000,
  /** If-Then state. */
  IT: 0x0600_fc00,
  /** Big-endian data. */
  E: 0x200,
  /** Asynchronous abort mask. */
  A: 0x100,
  /** IRQ mask. */
  I: 0x80,
  /** FIQ mask. */
  F: 0x40,
  /** Thumb state. */
  T: 0x20,
  /** Mode field. */
  M: 0x1f,
} as const;

/** Where a cp15 register may be accessed from. */
export type Cp15Level = 'pl0-rw' | 'pl0-ro' | 'pl1' | 'hyp' | 'mon';

/** A modelled cp15 register. */
export interface Cp15Register {
  /** Lowercase architectural name. */
  readonly name: string;
  /** opc1 field. */
  readonly opc1: number;
  /** CRn (for 32-bit registers) or 0 (64-bit). */
  readonly crn: number;
  /** CRm. */
  readonly crm: number;
  /** opc2 (32-bit registers) or 0. */
  readonly opc2: number;
  /** 32 for MRC/MCR, 64 for MRRC/MCRR. */
  readonly width: 32 | 64;
  /** Lowest privilege that may access it (from Non-secure state). */
  readonly level: Cp15Level;
  /** Value at reset. */
  readonly reset: number;
  /** Writes are ignored-with-a-note (identification registers) when true. */
  readonly readOnly?: boolean;
  /** A write-only operation (cache, TLB, barrier) that hyplay treats as a no-op. */
  readonly operation?: boolean;
  /**
   * A register whose value is computed when read (CCSIDR by CSSELR, the
   * generic timer's counts): it writes its slots (both, for a 64-bit
   * register) and returns the low word.
   */
  readonly read?: (s: Arm32State) => number;
}

function reg32(name: string, opc1: number, crn: number, crm: number, opc2: number, level: Cp15Level, reset = 0, extra: Partial<Cp15Register> = {}): Cp15Register {
  return { name, opc1, crn, crm, opc2, width: 32, level, reset, ...extra };
}

function reg64(name: string, opc1: number, crm: number, level: Cp15Level): Cp15Register {
  return { name, opc1, crn: 0, crm, opc2: 0, width: 64, level, reset: 0 };
}

/**
 * The cp15 registers hyplay models. Encodings from the ARM ARM (B4.1, B3.17 and
 * B8 for the Hyp registers); reset values are those of a Cortex-A15 where the
 * architecture leaves them IMPLEMENTATION DEFINED.
 */
export const CP15_REGISTERS: readonly Cp15Register[] = [
  reg32('midr', 0, 0, 0, 0, 'pl1', 0x412f_c0f1, { readOnly: true }),
  reg32('mpidr', 0, 0, 0, 5, 'pl1', 0x8000_0000, { readOnly: true }),
  reg32('sctlr', 0, 1, 0, 0, 'pl1', 0x00c5_0078),
  reg32('cpacr', 0, 1, 0, 2, 'pl1'),
  reg32('nsacr', 0, 1, 1, 2, 'pl1', 0x0000_0c00, { readOnly: true }),
  reg32('ttbr0', 0, 2, 0, 0, 'pl1'),
  reg32('ttbr1', 0, 2, 0, 1, 'pl1'),
  reg32('ttbcr', 0, 2, 0, 2, 'pl1'),
  reg32('dacr', 0, 3, 0, 0, 'pl1'),
  reg32('dfsr', 0, 5, 0, 0, 'pl1'),
  reg32('ifsr', 0, 5, 0, 1, 'pl1'),
  reg32('dfar', 0, 6, 0, 0, 'pl1'),
  reg32('ifar', 0, 6, 0, 2, 'pl1'),
  reg32('iciallu', 0, 7, 5, 0, 'pl1', 0, { operation: true }),
  reg32('cp15isb', 0, 7, 5, 4, 'pl0-rw', 0, { operation: true }),
  reg32('bpiall', 0, 7, 5, 6, 'pl1', 0, { operation: true }),
  reg32('cp15dsb', 0, 7, 10, 4, 'pl0-rw', 0, { operation: true }),
  reg32('cp15dmb', 0, 7, 10, 5, 'pl0-rw', 0, { operation: true }),
  reg32('tlbiall', 0, 8, 7, 0, 'pl1', 0, { operation: true }),
  reg32('vbar', 0, 12, 0, 0, 'pl1'),
  reg32('mvbar', 0, 12, 0, 1, 'mon'),
  reg32('contextidr', 0, 13, 0, 1, 'pl1'),
  reg32('tpidrurw', 0, 13, 0, 2, 'pl0-rw'),
  reg32('tpidruro', 0, 13, 0, 3, 'pl0-ro'),
  reg32('tpidrprw', 0, 13, 0, 4, 'pl1'),
  reg32('vpidr', 4, 0, 0, 0, 'hyp', 0x412f_c0f1),
  reg32('vmpidr', 4, 0, 0, 5, 'hyp', 0x8000_0000),
  reg32('hsctlr', 4, 1, 0, 0, 'hyp', 0x30c5_0818),
  reg32('hactlr', 4, 1, 0, 1, 'hyp'),
  reg32('hcr', 4, 1, 1, 0, 'hyp'),
  reg32('hdcr', 4, 1, 1, 1, 'hyp'),
  reg32('hcptr', 4, 1, 1, 2, 'hyp'),
  reg32('hstr', 4, 1, 1, 3, 'hyp'),
  reg32('hacr', 4, 1, 1, 7, 'hyp'),
  reg32('htcr', 4, 2, 0, 2, 'hyp'),
  reg32('vtcr', 4, 2, 1, 2, 'hyp'),
  reg32('hsr', 4, 5, 2, 0, 'hyp'),
  reg32('hdfar', 4, 6, 0, 0, 'hyp'),
  reg32('hifar', 4, 6, 0, 2, 'hyp'),
  reg32('hpfar', 4, 6, 0, 4, 'hyp'),
  reg32('tlbiallh', 4, 8, 7, 0, 'hyp', 0, { operation: true }),
  reg32('tlbiallnsnh', 4, 8, 7, 4, 'hyp', 0, { operation: true }),
  reg32('hmair0', 4, 10, 2, 0, 'hyp'),
  reg32('hmair1', 4, 10, 2, 1, 'hyp'),
  reg32('hvbar', 4, 12, 0, 0, 'hyp'),
  reg32('htpidr', 4, 13, 0, 2, 'hyp'),
  reg64('ttbr0_64', 0, 2, 'pl1'),
  reg64('ttbr1_64', 1, 2, 'pl1'),
  reg64('par', 0, 7, 'pl1'),
  reg64('httbr', 4, 2, 'hyp'),
  reg64('vttbr', 6, 2, 'hyp'),
  ...kernelCp15Registers((name) => cp15Slot(name)),
];

/** Index of each cp15 register by name (a 64-bit register takes two slots: low, high). */
export const CP15_INDEX: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  let next = 0;
  for (const r of CP15_REGISTERS) {
    map.set(r.name, next);
    next += r.width === 64 ? 2 : 1;
  }
  return map;
})();

const CP15_SLOTS = CP15_REGISTERS.reduce((n, r) => n + (r.width === 64 ? 2 : 1), 0);

function cp15Key(width: 32 | 64, opc1: number, crn: number, crm: number, opc2: number): number {
  return width === 64 ? 0x10000 | (opc1 << 4) | crm : (opc1 << 12) | (crn << 8) | (crm << 4) | opc2;
}

const CP15_BY_ENCODING: ReadonlyMap<number, Cp15Register> = new Map(CP15_REGISTERS.map((r) => [cp15Key(r.width, r.opc1, r.crn, r.crm, r.opc2), r]));

/** The cp15 register at an MRC/MCR (width 32) or MRRC/MCRR (width 64) encoding, or `undefined`. */
export function findCp15(width: 32 | 64, opc1: number, crn: number, crm: number, opc2: number): Cp15Register | undefined {
  return CP15_BY_ENCODING.get(cp15Key(width, opc1, crn, crm, opc2));
}

/** Slot of a named cp15 register in {@link Arm32State.cp15}. Throws for an unknown name (a programming error). */
export function cp15Slot(name: string): number {
  const slot = CP15_INDEX.get(name);
  if (slot === undefined) throw new Error(`no cp15 register '${name}'`);
  return slot;
}

/** Slots of the registers the exception model touches on every entry, resolved once. */
export const Cp15 = {
  /** Slot of SCTLR. */
  sctlr: cp15Slot('sctlr'),
  /** Slot of VBAR. */
  vbar: cp15Slot('vbar'),
  /** Slot of MVBAR. */
  mvbar: cp15Slot('mvbar'),
  /** Slot of DFSR. */
  dfsr: cp15Slot('dfsr'),
  /** Slot of IFSR. */
  ifsr: cp15Slot('ifsr'),
  /** Slot of DFAR. */
  dfar: cp15Slot('dfar'),
  /** Slot of IFAR. */
  ifar: cp15Slot('ifar'),
  /** Slot of HSCTLR. */
  hsctlr: cp15Slot('hsctlr'),
  /** Slot of HCR. */
  hcr: cp15Slot('hcr'),
  /** Slot of HSR. */
  hsr: cp15Slot('hsr'),
  /** Slot of HDFAR. */
  hdfar: cp15Slot('hdfar'),
  /** Slot of HIFAR. */
  hifar: cp15Slot('hifar'),
  /** Slot of HPFAR. */
  hpfar: cp15Slot('hpfar'),
  /** Slot of HVBAR. */
  hvbar: cp15Slot('hvbar'),
  /** Slot of VTTBR. */
  vttbr: cp15Slot('vttbr'),
} as const;

/**
 * The whole arm32 architectural state, as plain data.
 *
 * `r` is the register view of the current mode. The banks hold the values of
 * the modes that are not current (the current mode's slots are stale until
 * the next mode switch saves them). Flags are kept apart for speed and folded
 * into the CPSR by {@link readCpsr}.
 */
export interface Arm32State {
  /** Address of the next instruction. */
  pc: number;
  /**
   * The register file as int32 (read with `>>> 0` for the unsigned value; V8
   * keeps int32 unboxed): slots 0–15 are r0–r15 as the current mode sees
   * them, then the banks at the offsets in {@link Slot} (SP, LR and SPSR per
   * {@link Bank}, r8–r12 of fiq and of the other modes). The current mode's
   * own bank slots are stale until the next mode switch saves them. r15 is
   * only meaningful while an instruction that reads the PC runs. One array
   * keeps a mode switch to a handful of loads and stores.
   */
  r: Int32Array;
  /** N flag (0 or 1). */
  n: number;
  /** Z flag. */
  z: number;
  /** C flag. */
  c: number;
  /** V flag. */
  v: number;
  /** Q flag. */
  q: number;
  /** CPSR.M. */
  mode: number;
  /** CPSR bits other than N, Z, C, V, Q and M. */
  psrRest: number;
  /** ELR_hyp. */
  elrHyp: number;
  /** cp15 registers by {@link cp15Slot}. */
  cp15: Uint32Array;
  /**
   * The local exclusive monitor (ARM ARM A3.4.1): the address LDREX marked,
   * or -1 when the monitor is in the Open Access state.
   */
  monitor: number;
}

/** A fresh state: svc mode with A, I and F masked, cp15 at reset values, everything else zero. */
export function createArm32State(): Arm32State {
  const cp15 = new Uint32Array(CP15_SLOTS);
  for (const r of CP15_REGISTERS) cp15[CP15_INDEX.get(r.name)!] = r.reset;
  return {
    pc: 0,
    r: new Int32Array(REGISTER_SLOTS),
    n: 0,
    z: 0,
    c: 0,
    v: 0,
    q: 0,
    mode: Mode.svc,
    psrRest: Psr.A | Psr.I | Psr.F,
    elrHyp: 0,
    cp15,
    monitor: -1,
  };
}

/**
 * The CPSR as an expression over slots (`mode` is an expression too, often a
 * known mode number): the one definition of how the CPSR is put together
 * from the flags, the rest and the mode (ARM ARM B1.3.3).
 */
export function cpsrExpression(code: StateCode, mode: string): string {
  const f = (slot: number): string => code.get(slot);
  return `((${f(StateSlot.n)} << 31) | (${f(StateSlot.z)} << 30) | (${f(StateSlot.c)} << 29) | (${f(StateSlot.v)} << 28) | (${f(StateSlot.q)} << 27) | ${f(StateSlot.psrRest)} | ${mode}) >>> 0`;
}

/** The CPSR value. */
export const readCpsr: (s: Arm32State) => number = buildDirect(['s'], arm32SlotPlace, (code) => code.emit(`return ${cpsrExpression(code, code.get(StateSlot.mode))};`));

/**
 * Switch the register view from mode `from` to mode `to` (both known): save
 * SP and LR (and r8–r12 around fiq) to the old mode's banks, load the new
 * mode's, set the mode. The one definition of banking (ARM ARM B1.3.2):
 * {@link switchMode} runs it built per pair of modes, and translated code
 * inlines it.
 */
export function emitSwitchMode(code: StateCode, from: number, to: number): void {
  if (from === to) return;
  const sp = code.temp(code.get(13));
  const lr = code.temp(code.get(14));
  code.set(SP_SLOT + BANK_OF[from & 0x1f]!, sp);
  code.set(LR_SLOT + LR_BANK_OF[from & 0x1f]!, lr);
  if (from === Mode.fiq || to === Mode.fiq) {
    const [save, load] = from === Mode.fiq ? [FIQ_SLOT, USR_SLOT] : [USR_SLOT, FIQ_SLOT];
    for (let i = 0; i < 5; i++) {
      code.set(save + i, code.temp(code.get(8 + i)));
      code.set(8 + i, code.get(load + i));
    }
  }
  code.set(13, code.get(SP_SLOT + BANK_OF[to & 0x1f]!));
  code.set(14, code.get(LR_SLOT + LR_BANK_OF[to & 0x1f]!));
  code.set(StateSlot.mode, `${to}`);
}

/**
 * Write the whole CPSR from `value` (an expression whose mode field is `to`)
 * while in mode `from`: switch banks, then the flags and the rest. The
 * caller has checked that the change is allowed.
 */
export function emitWriteCpsr(code: StateCode, from: number, to: number, value: string): void {
  const v = code.temp(value);
  emitSwitchMode(code, from, to);
  code.set(StateSlot.n, `(${v} >>> 31) & 1`);
  code.set(StateSlot.z, `(${v} >>> 30) & 1`);
  code.set(StateSlot.c, `(${v} >>> 29) & 1`);
  code.set(StateSlot.v, `(${v} >>> 28) & 1`);
  code.set(StateSlot.q, `(${v} >>> 27) & 1`);
  code.set(StateSlot.psrRest, `${v} & ${~(Psr.N | Psr.Z | Psr.C | Psr.V | Psr.Q | Psr.M) | 0}`);
}

/** Built {@link emitSwitchMode} and {@link emitWriteCpsr} functions by `from * 32 + to`. */
const switchers: (((s: Arm32State) => void) | undefined)[] = [];
const cpsrWriters: (((s: Arm32State, value: number) => void) | undefined)[] = [];

function switcher(from: number, to: number): (s: Arm32State) => void {
  const built = buildDirect<(s: Arm32State) => void>(['s'], arm32SlotPlace, (code) => emitSwitchMode(code, from, to));
  switchers[from * 32 + to] = built;
  return built;
}

function cpsrWriter(from: number, to: number): (s: Arm32State, value: number) => void {
  const built = buildDirect<(s: Arm32State, value: number) => void>(['s', 'value'], arm32SlotPlace, (code) => emitWriteCpsr(code, from, to, 'value'));
  cpsrWriters[from * 32 + to] = built;
  return built;
}

/**
 * Switch the banked registers from the current mode to `mode`. Only the
 * register view changes; the caller sets the rest of the CPSR.
 */
export function switchMode(s: Arm32State, mode: number): void {
  const old = s.mode & 0x1f;
  const to = mode & 0x1f;
  if (old === to) return;
  (switchers[old * 32 + to] ?? switcher(old, to))(s);
}

/**
 * Write the whole CPSR, switching banks if the mode changes. The caller has
 * already checked that the mode change is allowed.
 */
export function writeCpsr(s: Arm32State, value: number): void {
  const from = s.mode & 0x1f;
  const to = value & Psr.M;
  (cpsrWriters[from * 32 + to] ?? cpsrWriter(from, to))(s, value);
}

/** Names of the banked registers in the JSON register dump, with how to read each one. */
export type BankedReader = (s: Arm32State) => number;

function bankedSp(bank: number, mode: number): BankedReader {
  return (s) => (bankOf(s.mode) === bank && (s.mode === mode || bank === Bank.usr) ? s.r[13]! : s.r[SP_SLOT + bank]!);
}

function bankedLr(bank: number): BankedReader {
  return (s) => (lrBankOf(s.mode) === bank ? s.r[14]! : s.r[LR_SLOT + bank]!);
}

function fiqHigh(i: number): BankedReader {
  return (s) => (s.mode === Mode.fiq ? s.r[8 + i]! : s.r[FIQ_SLOT + i]!);
}

/** Every banked register by its lowercase architectural name, as MRS (banked) spells them. */
export const BANKED_READERS: ReadonlyMap<string, BankedReader> = new Map<string, BankedReader>([
  ['sp_usr', bankedSp(Bank.usr, Mode.usr)],
  ['lr_usr', bankedLr(Bank.usr)],
  ...[0, 1, 2, 3, 4].map((i): [string, BankedReader] => [`r${8 + i}_fiq`, fiqHigh(i)]),
  ['sp_fiq', bankedSp(Bank.fiq, Mode.fiq)],
  ['lr_fiq', bankedLr(Bank.fiq)],
  ['spsr_fiq', (s) => s.r[Slot.spsr + Bank.fiq]!],
  ['sp_irq', bankedSp(Bank.irq, Mode.irq)],
  ['lr_irq', bankedLr(Bank.irq)],
  ['spsr_irq', (s) => s.r[Slot.spsr + Bank.irq]!],
  ['sp_svc', bankedSp(Bank.svc, Mode.svc)],
  ['lr_svc', bankedLr(Bank.svc)],
  ['spsr_svc', (s) => s.r[Slot.spsr + Bank.svc]!],
  ['sp_abt', bankedSp(Bank.abt, Mode.abt)],
  ['lr_abt', bankedLr(Bank.abt)],
  ['spsr_abt', (s) => s.r[Slot.spsr + Bank.abt]!],
  ['sp_und', bankedSp(Bank.und, Mode.und)],
  ['lr_und', bankedLr(Bank.und)],
  ['spsr_und', (s) => s.r[Slot.spsr + Bank.und]!],
  ['sp_mon', bankedSp(Bank.mon, Mode.mon)],
  ['lr_mon', bankedLr(Bank.mon)],
  ['spsr_mon', (s) => s.r[Slot.spsr + Bank.mon]!],
  ['sp_hyp', bankedSp(Bank.hyp, Mode.hyp)],
  ['spsr_hyp', (s) => s.r[Slot.spsr + Bank.hyp]!],
  ['elr_hyp', (s) => s.elrHyp],
]);

/** Core register names r0–r15 as the JSON dump spells them. */
export const CORE_NAMES: readonly string[] = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'];

/** Register-number aliases the assembler accepts. */
export const REGISTER_ALIASES: ReadonlyMap<string, number> = new Map([
  ...CORE_NAMES.map((name, i): [string, number] => [name, i]),
  ['r13', 13],
  ['r14', 14],
  ['r15', 15],
  ['ip', 12],
  ['fp', 11],
  ['sl', 10],
  ['sb', 9],
]);
