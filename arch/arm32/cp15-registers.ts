/**
 * The cp15 registers a v6.x Linux kernel touches beyond the first set in
 * `registers.ts` (issue 12): the identification registers with the reset
 * values of a Cortex-A15 r2p1 (MIDR 0x412fc0f1; Cortex-A15 TRM r2p1, chapter
 * 4, "System Control", the ID register summaries), the cache identification
 * registers, the memory attribute remapping registers, the generic timer
 * (ARM ARM B8) and the cache, branch predictor and TLB maintenance
 * operations by MVA, ASID and set/way (B4.2.1, B4.2.2, Table B3-47).
 *
 * hyplay models no caches, so cache maintenance is a no-op; the TLB
 * operations are no-ops too while the MMU model caches no translations
 * (see `mmu.ts`). `registers.ts` spreads these rows into
 * `CP15_REGISTERS`.
 *
 * @module
 */

import type { Arm32State, Cp15Level, Cp15Register } from './registers.ts';

function reg32(name: string, opc1: number, crn: number, crm: number, opc2: number, level: Cp15Level, reset = 0, extra: Partial<Cp15Register> = {}): Cp15Register {
  return { name, opc1, crn, crm, opc2, width: 32, level, reset, ...extra };
}

function reg64(name: string, opc1: number, crm: number, level: Cp15Level, extra: Partial<Cp15Register> = {}): Cp15Register {
  return { name, opc1, crn: 0, crm, opc2: 0, width: 64, level, reset: 0, ...extra };
}

/** An identification register: read-only, PL1. */
function id(name: string, crm: number, opc2: number, reset: number, opc1 = 0): Cp15Register {
  return reg32(name, opc1, 0, crm, opc2, 'pl1', reset, { readOnly: true });
}

/** A maintenance operation: write-only, a no-op here. */
function operation(name: string, opc1: number, crn: number, crm: number, opc2: number, level: Cp15Level = 'pl1'): Cp15Register {
  return reg32(name, opc1, crn, crm, opc2, level, 0, { operation: true });
}

/**
 * CCSIDR of the cache CSSELR selects (Cortex-A15 TRM 4.3.22): L1 data 32 KiB
 * 2-way 64-byte lines (0x701fe00a), L1 instruction 32 KiB (0x201fe00a), L2
 * 2 MiB 16-way (0x711fe07a, as QEMU's cortex-a15 model and the TRM's r2p1
 * table give it). Other selections are UNKNOWN: 0.
 */
function cacheSizeId(s: Arm32State, csselrSlot: number): number {
  switch (s.cp15[csselrSlot]! & 0xf) {
    case 0:
      return 0x701f_e00a;
    case 1:
      return 0x201f_e00a;
    case 2:
      return 0x711f_e07a;
    default:
      return 0;
  }
}

/**
 * Whether an MRC/MCR encoding is in the reserved part of the CP15 c0
 * identification space: opc1 = 0, CRn = c0 with CRm = c2, opc2 = 6–7, or
 * CRm = c3–c7 with any opc2. ARMv7-A (ARM DDI 0406C, B3.17.2, "CP15 c0
 * register summary") reserves these as Read-As-Zero from PL1 so that later
 * architecture versions can allocate them (ARMv8 AArch32 does: c0,c2,6 is
 * ID_MMFR4, c0,c2,7 ID_ISAR6, c0,c3,4 ID_PFR2, …), and a v7 kernel reads
 * them unconditionally.
 *
 * Read from public source: QEMU, qemu/qemu `target/arm/helper.c` at commit
 * 00928a421d47f49691cace1207481b7aad31b1f1, `register_cp_regs_for_features`:
 * `v6_idregs` defines c0,c2,7 as `ID_ISAR7_RESERVED` with the comment "7 is
 * as yet unallocated and must RAZ" (PL1_R, ARM_CP_CONST 0; older QEMU had
 * c2,6 and c2,7 both so), and `id_pre_v8_midr_cp_reginfo` defines
 * "crn = 0 op1 = 0 crm = 3..7 : currently unassigned; we RAZ" as PL1_R
 * constants 0 for every opc2. PL1_R means a PL0 read and any write are
 * UNDEFINED, as the architecture's RO access rule says. The read that
 * meets it first is Linux's `cpuid_init_hwcaps` (arch/arm/kernel/setup.c:
 * `read_cpuid_ext(CPUID_EXT_ISAR6)`, i.e. `mrc p15, 0, rN, c0, c2, 7`, then
 * `CPUID_EXT_PFR2`, c0, c3, 4).
 *
 * The modelled ID registers (ID_PFR0 … ID_ISAR5 above) are separate rows;
 * this covers what is left, without a register (and a dump entry) each.
 */
export function isReservedIdEncoding(opc1: number, crn: number, crm: number, opc2: number): boolean {
  if (opc1 !== 0 || crn !== 0) return false;
  return (crm === 2 && opc2 >= 6) || (crm >= 3 && crm <= 7);
}

/**
 * Ticks the generic timer's count advances on every read of CNTPCT or
 * CNTVCT. hyplay has no time base: the count is deterministic and
 * monotonic, enough for a kernel's delay loops and clocksource checks.
 */
export const COUNTER_TICKS_PER_READ = 64;

/** The registers, in encoding order within each group. The slot arguments are resolved by `registers.ts`. */
export function kernelCp15Registers(slot: (name: string) => number): Cp15Register[] {
  return [
    // B4.1.40 CTR: IminLine 16 words, L1Ipolicy PIPT, DminLine 16 words, ERG/CWG 16 words (Cortex-A15 0x8444c004).
    id('ctr', 0, 1, 0x8444_c004),
    id('tcmtr', 0, 2, 0),
    id('tlbtr', 0, 3, 0),
    id('revidr', 0, 6, 0),
    // B4.1.93–B4.1.101 and the Cortex-A15 TRM's values.
    id('id_pfr0', 1, 0, 0x0000_1131),
    id('id_pfr1', 1, 1, 0x0001_1011),
    id('id_dfr0', 1, 2, 0x0201_0555),
    id('id_afr0', 1, 3, 0),
    id('id_mmfr0', 1, 4, 0x1020_1105),
    id('id_mmfr1', 1, 5, 0x2000_0000),
    id('id_mmfr2', 1, 6, 0x0124_0000),
    id('id_mmfr3', 1, 7, 0x0210_2211),
    id('id_isar0', 2, 0, 0x0210_1110),
    id('id_isar1', 2, 1, 0x1311_2111),
    id('id_isar2', 2, 2, 0x2123_2041),
    id('id_isar3', 2, 3, 0x1111_2131),
    id('id_isar4', 2, 4, 0x1001_1142),
    id('id_isar5', 2, 5, 0),
    // B4.1.19 CCSIDR (by CSSELR), B4.1.20 CLIDR (L1 separate I/D, L2 unified; LoUU 1, LoC 2, LoUIS 1: 0x0a200023), B4.1.5 AIDR, B4.1.41 CSSELR.
    reg32('ccsidr', 1, 0, 0, 0, 'pl1', 0, { readOnly: true, read: (s) => cacheSizeId(s, slot('csselr')) }),
    id('clidr', 0, 1, 0x0a20_0023, 1),
    id('aidr', 0, 7, 0, 1),
    reg32('csselr', 2, 0, 0, 0, 'pl1'),
    reg32('actlr', 0, 1, 0, 1, 'pl1'),
    reg32('adfsr', 0, 5, 1, 0, 'pl1'),
    reg32('aifsr', 0, 5, 1, 1, 'pl1'),
    reg32('par32', 0, 7, 4, 0, 'pl1'),
    // Cache and branch predictor maintenance (B4.2.1, Table B4-3).
    operation('icialluis', 0, 7, 1, 0),
    operation('bpiallis', 0, 7, 1, 6),
    operation('icimvau', 0, 7, 5, 1),
    operation('bpimva', 0, 7, 5, 7),
    operation('dcimvac', 0, 7, 6, 1),
    operation('dcisw', 0, 7, 6, 2),
    operation('dccmvac', 0, 7, 10, 1),
    operation('dccsw', 0, 7, 10, 2),
    operation('dccmvau', 0, 7, 11, 1),
    operation('dccimvac', 0, 7, 14, 1),
    operation('dccisw', 0, 7, 14, 2),
    // TLB maintenance (B4.2.2, Table B4-5), PL1 and Hyp.
    operation('tlbiallis', 0, 8, 3, 0),
    operation('tlbimvais', 0, 8, 3, 1),
    operation('tlbiasidis', 0, 8, 3, 2),
    operation('tlbimvaais', 0, 8, 3, 3),
    operation('itlbiall', 0, 8, 5, 0),
    operation('itlbimva', 0, 8, 5, 1),
    operation('itlbiasid', 0, 8, 5, 2),
    operation('dtlbiall', 0, 8, 6, 0),
    operation('dtlbimva', 0, 8, 6, 1),
    operation('dtlbiasid', 0, 8, 6, 2),
    operation('tlbimva', 0, 8, 7, 1),
    operation('tlbiasid', 0, 8, 7, 2),
    operation('tlbimvaa', 0, 8, 7, 3),
    operation('tlbiallhis', 4, 8, 3, 0, 'hyp'),
    operation('tlbimvahis', 4, 8, 3, 1, 'hyp'),
    operation('tlbiallnsnhis', 4, 8, 3, 4, 'hyp'),
    operation('tlbimvah', 4, 8, 7, 1, 'hyp'),
    // B4.1.114 PRRR / MAIR0 and B4.1.111 NMRR / MAIR1 (one encoding each; TTBCR.EAE picks the meaning), B4.1.5 AMAIR0/1.
    reg32('prrr', 0, 10, 2, 0, 'pl1', 0x0009_8aa4),
    reg32('nmrr', 0, 10, 2, 1, 'pl1', 0x44e0_48e0),
    reg32('amair0', 0, 10, 3, 0, 'pl1'),
    reg32('amair1', 0, 10, 3, 1, 'pl1'),
    reg32('hamair0', 4, 10, 3, 0, 'hyp'),
    reg32('hamair1', 4, 10, 3, 1, 'hyp'),
    reg32('isr', 0, 12, 1, 0, 'pl1', 0, { readOnly: true }),
    reg32('fcseidr', 0, 13, 0, 0, 'pl1'),
    // The generic timer (B8.2, Table B8-1). CNTFRQ as firmware programs it (62.5 MHz, QEMU's virt value).
    // PL0 access is what CNTKCTL grants (B8.1.2); CNTKCTL's enables are not modelled, so the
    // registers are PL1 only, as with CNTKCTL = 0 (the value the kernel leaves there while it boots).
    reg32('cntfrq', 0, 14, 0, 0, 'pl1', 62_500_000),
    reg32('cntkctl', 0, 14, 1, 0, 'pl1'),
    reg32('cntp_tval', 0, 14, 2, 0, 'pl1'),
    reg32('cntp_ctl', 0, 14, 2, 1, 'pl1'),
    reg32('cntv_tval', 0, 14, 3, 0, 'pl1'),
    reg32('cntv_ctl', 0, 14, 3, 1, 'pl1'),
    reg32('cnthctl', 4, 14, 1, 0, 'hyp', 3),
    reg32('cnthp_tval', 4, 14, 2, 0, 'hyp'),
    reg32('cnthp_ctl', 4, 14, 2, 1, 'hyp'),
    reg64('cntpct', 0, 14, 'pl1', { readOnly: true, read: (s) => advanceCounter(s, slot('cntpct')) }),
    reg64('cntvct', 1, 14, 'pl1', { readOnly: true, read: (s) => virtualCount(s, slot('cntpct'), slot('cntvct'), slot('cntvoff')) }),
    reg64('cntp_cval', 2, 14, 'pl1'),
    reg64('cntv_cval', 3, 14, 'pl1'),
    reg64('cntvoff', 4, 14, 'hyp'),
    reg64('cnthp_cval', 6, 14, 'hyp'),
  ];
}

/** Advance the physical count by {@link COUNTER_TICKS_PER_READ} and return its low word (the high word is in the next slot). */
function advanceCounter(s: Arm32State, at: number): number {
  const low = s.cp15[at]! + COUNTER_TICKS_PER_READ;
  if (low > 0xffff_ffff) s.cp15[at + 1] = s.cp15[at + 1]! + 1;
  s.cp15[at] = low >>> 0;
  return s.cp15[at]!;
}

/** CNTVCT = CNTPCT - CNTVOFF (B8.1.1), written into CNTVCT's slots; returns its low word. */
function virtualCount(s: Arm32State, physical: number, at: number, offset: number): number {
  advanceCounter(s, physical);
  const count = ((BigInt(s.cp15[physical + 1]!) << 32n) | BigInt(s.cp15[physical]!)) - ((BigInt(s.cp15[offset + 1]!) << 32n) | BigInt(s.cp15[offset]!));
  const v = BigInt.asUintN(64, count);
  s.cp15[at] = Number(v & 0xffff_ffffn);
  s.cp15[at + 1] = Number(v >> 32n);
  return s.cp15[at]!;
}
