/**
 * Exception-generating instructions, exception return, hints, barriers and
 * system-register access: SVC, HVC, SMC, BRK (C6.2.38), ERET (C6.2.80),
 * NOP and the other hints, WFE, WFI, CLREX, DSB, DMB, ISB, MSR
 * (immediate), MRS/MSR (register), and SYS with its DC, IC, AT and TLBI
 * aliases.
 *
 * The call instructions return a trap built once at predecode; the
 * exception model (`exceptions.ts`) decides where it goes, including when
 * HVC or SMC is UNDEFINED.
 *
 * @module
 */

import { hexAddress, RETIRED, stop, type CallTrap, type ExceptionReturn, type StepResult } from '../../../src/interp/step-result.ts';
import { Ec, Hcr, PA_LIMIT, waitTrapped } from '../exceptions.ts';
import type { GuestMemory } from '../../../src/memory/guest-memory.ts';
import { parAfter, translateStage1Nested } from '../mmu.ts';
import { flushTlb, tlbOf } from '../tlb.ts';
import { Arm64TranslatedMemory } from '../translated-memory.ts';
import { findSysOperation } from '../operands.ts';
import { E2H_REDIRECTION, findSysRegister, isReservedIdSpace, modeOf, stackSlotOf, Sys, SYS_INDEX, SYS_REGISTERS, switchMode, sysFields, sysKey, sysSlot, type Arm64State, type SysRegister } from '../registers.ts';
import { destZr, sourceZr, TRANSLATED, undefinedInstruction, type A64Handler, type Op, type Prepare } from './common.ts';

/** The op's fixed trap or return value. */
export const raiseFixed: A64Handler = (_s, op) => op.fixed!;

/** "ERET is UNDEFINED at EL0" (C6.2.80). */
export const exceptionReturn: A64Handler = (s, op) => (s.el === 0 ? undefinedInstruction(op, 'ERET is UNDEFINED at EL0') : op.fixed!);

/** NOP and the hints that have no effect in this model. */
export const noOperation: A64Handler = () => RETIRED;

/**
 * DSB: completes the TLB maintenance this vCPU issued (D8.13.5: a TLBI is
 * complete once a DSB after it completes). On one vCPU that is at once; on
 * an SMP machine the shootdown decides, and a barrier that must wait for
 * other vCPUs' acknowledgements (an IPI design) does not retire: the PC
 * stays on it and the run stops (`waiting`), to be retried.
 */
export const dataSynchronizationBarrier: A64Handler = (s, op) => {
  const tlb = tlbOf(s);
  if (tlb === undefined || tlb.shootdown.complete()) return RETIRED;
  s.pc = op.address;
  return stop('waiting', `dsb at ${hexAddress(op.address)} waits for TLB shootdown acknowledgements from the other vCPUs`);
};

/**
 * WFI: hyplay models no interrupt source, so a WFI that is not trapped would
 * wait forever: it ends the run with reason `wfi`, the PC after it.
 */
const waitForInterrupt: A64Handler = (s, op) => {
  if (waitTrapped(s, false)) return op.fixed!;
  return stop('wfi', `wfi at ${hexAddress(op.address)} at EL${s.el} waits for an interrupt that never comes`);
};

/** WFE: may complete at once (a spurious wake-up is allowed). */
const waitForEvent: A64Handler = (s, op) => (waitTrapped(s, true) ? op.fixed! : RETIRED);

function callTrap(conduit: string, op: Op, imm: number): CallTrap {
  return { kind: 'trap', cause: 'call', conduit, imm, address: op.address, next: op.next };
}

/** The (op0, op1, CRn, CRm, op2) of a system register key, as a trace names it. */
export function describeSysKey(key: number): string {
  const [op0, op1, crn, crm, op2] = sysFields(key);
  return `S${op0}_${op1}_C${crn}_C${crm}_${op2} (op0=${op0}, op1=${op1}, CRn=${crn}, CRm=${crm}, op2=${op2})`;
}

/** SCTLR_EL1 bits (D13.2.113): M (stage 1 of the EL1&0 regime on), and those that open EL0 access: UMA (DAIF), DZE (DC ZVA), UCT (CTR_EL0), UCI (cache maintenance). */
const Sctlr = { M: 0, UMA: 9, DZE: 14, UCT: 15, UCI: 26 } as const;

function sctlrEl1(s: Arm64State, bit: number): boolean {
  return ((s.sys[2 * Sys.sctlrEl1]! >>> bit) & 1) === 1;
}

/** CNTKCTL_EL1 bits that open EL0 access to the counters and timers (D13.8.17). */
function cntkctl(s: Arm64State, bit: number): boolean {
  return ((s.sys[2 * sysSlot('cntkctl_el1')]! >>> bit) & 1) === 1;
}

/**
 * Why an access to `register` from the current EL is UNDEFINED, or
 * `undefined` when it is allowed: below the register's EL; SP_EL0 while it
 * is the selected stack pointer (C5.2.15); EL0 access that SCTLR_EL1 or
 * CNTKCTL_EL1 does not open. (Real hardware reports the EL0 cases as a
 * trapped system-register access, EC 0x18; hyplay takes them as UNDEFINED.)
 */
function accessDenied(s: Arm64State, register: SysRegister): string | undefined {
  if (s.el < register.el) return `${register.spelling} is not accessible at EL${s.el}`;
  // HCR_EL2.E2H is bit 34: bit 2 of the register's high word.
  if (register.e2hAliasOf !== undefined && ((s.sys[2 * Sys.hcrEl2 + 1]! >>> 2) & 1) === 0) return `${register.spelling} with HCR_EL2.E2H = 0`;
  if (register.kind === 'stack' && stackSlotOf(modeOf(s)) === SYS_INDEX.get(register.name)) return `${register.spelling} is the stack pointer in use`;
  if (s.el !== 0) return undefined;
  switch (register.name) {
    case 'daif':
      return sctlrEl1(s, Sctlr.UMA) ? undefined : 'DAIF at EL0 with SCTLR_EL1.UMA = 0';
    case 'ctr_el0':
      return sctlrEl1(s, Sctlr.UCT) ? undefined : 'CTR_EL0 at EL0 with SCTLR_EL1.UCT = 0';
    case 'cntpct_el0':
      return cntkctl(s, 0) ? undefined : 'CNTPCT_EL0 at EL0 with CNTKCTL_EL1.EL0PCTEN = 0';
    case 'cntvct_el0':
      return cntkctl(s, 1) ? undefined : 'CNTVCT_EL0 at EL0 with CNTKCTL_EL1.EL0VCTEN = 0';
    case 'cntfrq_el0':
      return cntkctl(s, 0) || cntkctl(s, 1) ? undefined : 'CNTFRQ_EL0 at EL0 with CNTKCTL_EL1.EL0PCTEN and EL0VCTEN = 0';
    default:
      if (register.name.startsWith('cntp_')) return cntkctl(s, 9) ? undefined : `${register.spelling} at EL0 with CNTKCTL_EL1.EL0PTEN = 0`;
      if (register.name.startsWith('cntv_')) return cntkctl(s, 8) ? undefined : `${register.spelling} at EL0 with CNTKCTL_EL1.EL0VTEN = 0`;
      return undefined;
  }
}

/** Per system register slot: the slot an EL2 access reaches with HCR_EL2.E2H = 1 (-1: the register's own). */
const E2H_SLOT = Int16Array.from(SYS_REGISTERS, () => -1);
for (const [el1, el2] of E2H_REDIRECTION) E2H_SLOT[SYS_INDEX.get(el1)!] = SYS_INDEX.get(el2)!;

/**
 * Where an MRS/MSR of `register` goes: an _EL12 alias to its EL1 register;
 * an EL1 register from EL2 with HCR_EL2.E2H = 1 to its EL2 counterpart
 * (E2H_REDIRECTION); anything else to its own slot.
 */
function storageSlot(s: Arm64State, register: SysRegister): number {
  if (register.e2hAliasOf !== undefined) return SYS_INDEX.get(register.e2hAliasOf)!;
  const slot = SYS_INDEX.get(register.name)!;
  // HCR_EL2.E2H is bit 34: bit 2 of the register's high word.
  if (s.el === 2 && E2H_SLOT[slot]! >= 0 && ((s.sys[2 * Sys.hcrEl2 + 1]! >>> 2) & 1) === 1) return E2H_SLOT[slot]!;
  return slot;
}

/** The physical counter, advanced by one per read (deterministic, and it moves). */
function tick(s: Arm64State): void {
  const lo = (s.ticks[0]! + 1) | 0;
  s.ticks[0] = lo;
  if (lo === 0) s.ticks[1] = (s.ticks[1]! + 1) | 0;
}

/** MRS: op.imm is the register key, op.dest the destination words; `op.fixed` the UNDEFINED trap for an unknown register. */
export const moveFromSystem: A64Handler = (s, op) => {
  const register = findSysRegister(op.imm);
  const x = s.x;
  const d = op.dest;
  if (register === undefined) {
    if (isReservedIdSpace(op.imm) && s.el >= 1) {
      x[d] = 0;
      x[d + 1] = 0;
      return RETIRED;
    }
    return op.fixed!;
  }
  const denied = accessDenied(s, register);
  if (denied !== undefined) return undefinedInstruction(op, `MRS ${denied}`);
  const slot = storageSlot(s, register);
  switch (register.kind) {
    case 'write-only':
      return undefinedInstruction(op, `MRS from the write-only ${register.spelling}`);
    case 'pstate': {
      let value = 0;
      if (register.name === 'nzcv') value = ((s.n << 31) | (s.z << 30) | (s.c << 29) | (s.v << 28)) >>> 0;
      else if (register.name === 'daif') value = s.daif;
      else if (register.name === 'currentel') value = s.el << 2;
      else value = s.sp;
      x[d] = value | 0;
      x[d + 1] = 0;
      return RETIRED;
    }
    case 'stack':
      x[d] = s.sys[2 * slot]!;
      x[d + 1] = s.sys[2 * slot + 1]!;
      return RETIRED;
    case 'counter': {
      tick(s);
      let lo = s.ticks[0]!;
      let hi = s.ticks[1]!;
      if (register.name === 'cntvct_el0') {
        // CNTVCT = CNTPCT - CNTVOFF_EL2 (D11.2.4); at EL2 as well, with no VHE.
        const off = sysSlot('cntvoff_el2');
        const olo = s.sys[2 * off]! >>> 0;
        const borrow = (lo >>> 0) < olo ? 1 : 0;
        lo = ((lo >>> 0) - olo) | 0;
        hi = (hi - s.sys[2 * off + 1]! - borrow) | 0;
      }
      x[d] = lo;
      x[d + 1] = hi;
      return RETIRED;
    }
    default:
      x[d] = s.sys[2 * slot]!;
      x[d + 1] = s.sys[2 * slot + 1]!;
      return RETIRED;
  }
};

/** Bits a write to `register` keeps (RES0/RES1 bits keep their reset value). */
function writeMasked(s: Arm64State, register: SysRegister, slot: number, lo: number, hi: number): void {
  if (register.writable === undefined) {
    s.sys[2 * slot] = lo;
    s.sys[2 * slot + 1] = hi;
    return;
  }
  const mlo = Number(register.writable & 0xffff_ffffn) | 0;
  const mhi = Number((register.writable >> 32n) & 0xffff_ffffn) | 0;
  const rlo = Number(register.reset & 0xffff_ffffn) | 0;
  const rhi = Number((register.reset >> 32n) & 0xffff_ffffn) | 0;
  s.sys[2 * slot] = (lo & mlo) | (rlo & ~mlo);
  s.sys[2 * slot + 1] = (hi & mhi) | (rhi & ~mhi);
}

/**
 * The keys of the registers stage 1 of the EL1&0 regime depends on (and the
 * stage-2 and routing controls): an MSR to one empties the TLB (`tlb.ts`)
 * and ends its block (`core.ts`), since what follows it may be fetched
 * through another translation.
 */
export const TRANSLATION_CONTROLS: ReadonlySet<number> = new Set(
  ['sctlr_el1', 'tcr_el1', 'ttbr0_el1', 'ttbr1_el1', 'mair_el1', 'hcr_el2', 'vtcr_el2', 'vttbr_el2', 'sctlr_el2', 'tcr_el2', 'ttbr0_el2'].map((name) => {
    const r = SYS_REGISTERS[sysSlot(name)]!;
    return sysKey(r.op0, r.op1, r.crn, r.crm, r.op2);
  }),
);

/** MSR (register): op.imm is the key, op.src1 the source words. */
export const moveToSystem: A64Handler = (s, op) => {
  const register = findSysRegister(op.imm);
  if (register === undefined) return op.fixed!;
  const denied = accessDenied(s, register);
  if (denied !== undefined) return undefinedInstruction(op, `MSR ${denied}`);
  const lo = s.x[op.src1]!;
  const hi = s.x[op.src1 + 1]!;
  const slot = storageSlot(s, register);
  switch (register.kind) {
    case 'read-only':
    case 'counter':
      return undefinedInstruction(op, `MSR to the read-only ${register.spelling}`);
    case 'write-only':
      // OSLAR_EL1: writing bit 0 sets or clears the OS lock, which OSLSR_EL1.OSLK (bit 1) reports.
      if (register.name === 'oslar_el1') {
        const lsr = sysSlot('oslsr_el1');
        s.sys[2 * lsr] = (s.sys[2 * lsr]! & ~2) | ((lo & 1) << 1);
      }
      return RETIRED;
    case 'pstate':
      if (register.name === 'nzcv') {
        s.n = (lo >>> 31) & 1;
        s.z = (lo >>> 30) & 1;
        s.c = (lo >>> 29) & 1;
        s.v = (lo >>> 28) & 1;
      } else if (register.name === 'daif') s.daif = lo & 0x3c0;
      else if (register.name === 'spsel') {
        if (s.el === 0) return undefinedInstruction(op, 'MSR SPSel at EL0');
        switchMode(s, (s.el << 2) | (lo & 1));
      } else return undefinedInstruction(op, 'MSR to the read-only CurrentEL');
      return RETIRED;
    default:
      writeMasked(s, register, slot, lo, hi);
      if (TRANSLATION_CONTROLS.has(op.imm)) flushTlb(s);
      return RETIRED;
  }
};

/** MSR (immediate): op.variant 0 SPSel, 1 DAIFSet, 2 DAIFClr; op.imm the 4-bit CRm. */
const movePstateImmediate: A64Handler = (s, op) => {
  if (op.variant === 0) {
    if (s.el === 0) return undefinedInstruction(op, 'MSR SPSel at EL0');
    switchMode(s, (s.el << 2) | (op.imm & 1));
    return RETIRED;
  }
  if (s.el === 0 && !sctlrEl1(s, Sctlr.UMA)) return undefinedInstruction(op, 'MSR DAIFSet/DAIFClr at EL0 with SCTLR_EL1.UMA = 0');
  const bits = (op.imm & 0xf) << 6;
  s.daif = op.variant === 1 ? s.daif | bits : s.daif & ~bits;
  return RETIRED;
};

/** CLREX: open the local exclusive monitor. */
export const clearExclusive: A64Handler = (s) => {
  s.monitor = -1;
  return RETIRED;
};

/**
 * The lowest EL a SYS operation (DC, IC, TLBI, AT) can run at, from its op1
 * (C5.3, "op1 … the lowest Exception level at which the instruction can be
 * executed"): op1 0 and 1 are EL1 (TLBI VMALLE1, AT S1E1R, DC ISW, IC IALLU),
 * 3 is EL0 (IC IVAU and DC by VA to the PoU or PoC, DC ZVA, if SCTLR_EL1
 * opens them), 4 and 5 are EL2 (the E2 and stage-2 forms, TLBI ALLE1 and
 * VMALLS12E1 included), 6 is EL3 (never available: no EL3 is modelled).
 */
function sysOperationLevel(op1: number): number {
  switch (op1) {
    case 3:
      return 0;
    case 4:
    case 5:
      return 2;
    case 6:
      return 3;
    default:
      return 1;
  }
}

/**
 * The HCR_EL2 bit that traps a SYS operation from EL1 to EL2, or −1 when
 * none does: TTLB (bit 25) the TLB maintenance instructions, TSW (bit 22)
 * the data cache maintenance by set/way (D13.2.46 HCR_EL2). The other
 * cache maintenance traps (TPCP, TPU) are not modelled.
 */
function el2TrapBit(alias: string, name: string, op1: number): number {
  if (op1 !== 0) return -1;
  if (alias === 'tlbi') return HCR_TTLB;
  if (alias === 'dc' && (name === 'isw' || name === 'csw' || name === 'cisw')) return HCR_TSW;
  return -1;
}

const HCR_TTLB = Hcr.TTLB;
const HCR_TSW = Hcr.TSW;

/**
 * The ISS of a trapped SYS instruction, EC 0x18 (D13.2.37, ISS encoding for
 * an exception from MSR, MRS or System instruction execution): Op0 [21:20]
 * (1 for SYS), Op2 [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1],
 * Direction [0] = 0 (a write: SYS, as MSR).
 */
function sysTrapIss(op1: number, crn: number, crm: number, op2: number, rt: number): number {
  return (1 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1);
}

/** SYS: op.imm holds (op1, CRn, CRm, op2) as op1 << 11 | CRn << 7 | CRm << 3 | op2, op.src1 the register words. */
const systemInstruction: A64Handler = (s, op): StepResult => {
  const op1 = (op.imm >>> 11) & 7;
  const crn = (op.imm >>> 7) & 15;
  const crm = (op.imm >>> 3) & 15;
  const op2 = op.imm & 7;
  const found = findSysOperation(op1, crn, crm, op2);
  if (found === undefined) return op.fixed!;
  const level = sysOperationLevel(op1);
  if (s.el < level) return undefinedInstruction(op, `${found.alias} ${found.name} is not available at EL${s.el}`);
  if (s.el === 1) {
    const bit = el2TrapBit(found.alias, found.name, op1);
    if (bit >= 0 && ((s.sys[2 * Sys.hcrEl2]! >>> bit) & 1) === 1) {
      return { kind: 'trap', cause: 'exception', address: op.address, next: op.next, vector: EC_SYS64, errorCode: sysTrapIss(op1, crn, crm, op2, op.variant), reason: `${found.alias} ${found.name} at EL1 trapped by HCR_EL2.${bit === HCR_TTLB ? 'TTLB' : 'TSW'}` };
    }
  }
  if (s.el === 0) {
    const open = found.name === 'zva' ? sctlrEl1(s, Sctlr.DZE) : sctlrEl1(s, Sctlr.UCI);
    if (!open) return undefinedInstruction(op, `${found.alias} ${found.name} at EL0 with SCTLR_EL1.${found.name === 'zva' ? 'DZE' : 'UCI'} = 0`);
  }
  const x = s.x;
  // The signed representation of addresses (`tlb.ts`).
  const address = x[op.src1 + 1]! * 0x1_0000_0000 + (x[op.src1]! >>> 0);
  if (found.alias === 'dc' && found.name === 'zva') {
    // DC ZVA zeroes the 64-byte block (DCZID_EL0.BS = 4 words … 2^4 × 4 bytes) that holds the address: a write, translated as one.
    const block = Math.floor(address / 64) * 64;
    const outside = (op.flags & TRANSLATED) === 0 && (block < 0 || block + 64 > PA_LIMIT);
    if (outside || !op.memory.writeBytes(block, ZERO_BLOCK)) return { kind: 'trap', cause: 'data-fault', address: op.address, next: op.next, faultAddress: address, write: true, size: 64 };
    return RETIRED;
  }
  if (found.alias === 'tlbi') {
    // TLB maintenance: the machine's TLB drops every entry, whatever the operation's scope (a superset of what it asks, D8.13);
    // the shareable forms go to the other vCPUs through the machine's shootdown.
    tlbOf(s)?.perform(found.name);
    return RETIRED;
  }
  if (found.alias === 'at') {
    const par = sysSlot('par_el1');
    if (AT_STAGE1_EL.has(found.name) && sctlrEl1(s, Sctlr.M)) {
      // Stage 1 of the EL1&0 regime is on: walk TTBR0/TTBR1_EL1 (arch/arm64/mmu.ts) and report the result or the fault in PAR_EL1.
      // With HCR_EL2.VM set the walk's reads go through stage 2; a stage-2 fault on them is taken to EL2 from EL1 (a data abort
      // with CM and S1PTW, FAR_EL2 the VA) and reported in PAR_EL1 (S, PTW) at EL2 (D13.2.101; C5.5 AT S1E1R).
      const va = (BigInt(x[op.src1 + 1]! >>> 0) << 32n) | BigInt(x[op.src1]! >>> 0);
      const regime = {
        stage1: true,
        stage2: (s.sys[2 * Sys.hcrEl2]! & 1) !== 0,
        tcr: sysValue(s, 'tcr_el1'),
        ttbr0: sysValue(s, 'ttbr0_el1'),
        ttbr1: sysValue(s, 'ttbr1_el1'),
        vtcr: sysValue(s, 'vtcr_el2'),
        vttbr: sysValue(s, 'vttbr_el2'),
      };
      const result = translateStage1Nested(physicalOf(op.memory), regime, va, found.name.endsWith('w') ? 'write' : 'read', AT_STAGE1_EL.get(found.name)!);
      if (!result.ok && result.stage === 2 && s.el === 1) {
        const tlb = tlbOf(s);
        if (tlb !== undefined) {
          tlb.noteFault(address, result);
          return { kind: 'trap', cause: 'data-fault', address: op.address, next: op.next, faultAddress: address, write: true, size: 1, maintenance: true };
        }
      }
      const value = parAfter(result, sysValue(s, 'mair_el1'));
      s.sys[2 * par] = Number(value & 0xffff_ffffn) | 0;
      s.sys[2 * par + 1] = Number(value >> 32n) | 0;
      return RETIRED;
    }
    // Stage 1 off (or a regime whose translation is not modelled): the output address is the input, PAR_EL1 = PA[47:12], F = 0 (D13.2.101).
    const page = Math.floor(address / 4096) * 4096;
    s.sys[2 * par] = page % 0x1_0000_0000 | 0;
    s.sys[2 * par + 1] = Math.floor(page / 0x1_0000_0000) | 0;
    return RETIRED;
  }
  // Cache and TLB maintenance: no caches or TLBs are modelled, so they complete with no effect.
  return RETIRED;
};

const ZERO_BLOCK = new Uint8Array(64);

/** The guest-physical memory under an op's memory (the translating view's, or the memory itself): table walks read it. */
function physicalOf(memory: GuestMemory): GuestMemory {
  return memory instanceof Arm64TranslatedMemory ? memory.physical : memory;
}

/** The AT operations of the EL1&0 stage 1 and the EL whose permissions they check (C5.5). */
const AT_STAGE1_EL: ReadonlyMap<string, number> = new Map([
  ['s1e1r', 1],
  ['s1e1w', 1],
  ['s1e0r', 0],
  ['s1e0w', 0],
]);

/** A system register's whole value, by name (off the hot path: AT). */
function sysValue(s: Arm64State, name: string): bigint {
  const slot = sysSlot(name);
  return (BigInt(s.sys[2 * slot + 1]! >>> 0) << 32n) | BigInt(s.sys[2 * slot]! >>> 0);
}

/** EC 0x18: a trapped MSR, MRS or System instruction. */
const EC_SYS64 = Ec.sys64;

/** Handlers of this family by table row name. */
export const SYSTEM_SEMANTICS: Readonly<Record<string, Prepare>> = {
  MRS: (op, f) => {
    op.imm = (f.sysreg! | 0x8000) >>> 0;
    op.dest = destZr(f.rt!);
    op.fixed = undefinedInstruction(op, `MRS from the unimplemented system register ${describeSysKey(op.imm)}`);
    return moveFromSystem;
  },
  MSR_REG: (op, f) => {
    op.imm = (f.sysreg! | 0x8000) >>> 0;
    op.src1 = sourceZr(f.rt!);
    op.fixed = undefinedInstruction(op, `MSR to the unimplemented system register ${describeSysKey(op.imm)}`);
    return moveToSystem;
  },
  MSR_IMM: (op, f) => {
    op.variant = f.op1 === 0 ? 0 : f.op2 === 6 ? 1 : 2;
    op.imm = f.crm!;
    return movePstateImmediate;
  },
  SYS: (op, f) => {
    op.imm = (f.op1! << 11) | (f.crn! << 7) | (f.crm! << 3) | f.op2!;
    op.src1 = sourceZr(f.rt!);
    op.variant = f.rt!;
    op.fixed = undefinedInstruction(op, `SYS #${f.op1}, C${f.crn}, C${f.crm}, #${f.op2} is not an implemented operation (op0=1, op1=${f.op1}, CRn=${f.crn}, CRm=${f.crm}, op2=${f.op2})`);
    return systemInstruction;
  },
  SYSL: (op, f) => {
    op.fixed = undefinedInstruction(op, `SYSL #${f.op1}, C${f.crn}, C${f.crm}, #${f.op2} is not an implemented operation (op0=1, op1=${f.op1}, CRn=${f.crn}, CRm=${f.crm}, op2=${f.op2})`);
    return raiseFixed;
  },
  CLREX: () => clearExclusive,
  DSB: () => dataSynchronizationBarrier,
  DMB: () => noOperation,
  ISB: () => noOperation,
  SVC: (op, f) => {
    op.fixed = callTrap('svc', op, f.imm16!);
    return raiseFixed;
  },
  HVC: (op, f) => {
    op.fixed = callTrap('hvc', op, f.imm16!);
    return raiseFixed;
  },
  SMC: (op, f) => {
    op.fixed = callTrap('smc', op, f.imm16!);
    return raiseFixed;
  },
  BRK: (op, f) => {
    op.fixed = { kind: 'trap', cause: 'breakpoint', imm: f.imm16!, address: op.address, next: op.next };
    return raiseFixed;
  },
  ERET: (op) => {
    const request: ExceptionReturn = { kind: 'return', instruction: 'eret', address: op.address, target: undefined };
    op.fixed = request;
    return exceptionReturn;
  },
  HINT: () => noOperation,
  WFE: (op) => {
    op.fixed = { kind: 'trap', cause: 'wait', instruction: 'wfe', address: op.address, next: op.next };
    return waitForEvent;
  },
  WFI: (op) => {
    op.fixed = { kind: 'trap', cause: 'wait', instruction: 'wfi', address: op.address, next: op.next };
    return waitForInterrupt;
  },
};
