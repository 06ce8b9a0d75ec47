/**
 * QEMU's `CPUARMState` as bytes: the prefix of the structure in the layout
 * of the QEMU that synced SPSRs through `&env->banked_spsr[i - 1]` (2014
 * until the 2015 fix), with the helpers the sync and the migration stream
 * use, restated from QEMU's semantics: `cpsr_read`/`cpsr_write`,
 * `pstate_read`/`pstate_write`, `bank_number`, `aarch64_save_sp`/
 * `aarch64_restore_sp` and `aarch64_sync_32_to_64`/`_64_to_32`.
 *
 * Layout (abi-facts §7.2, checked against QEMU's target-arm/cpu.h of the
 * time): `uint32_t regs[16]` at 0, `uint64_t xregs[32]` at 64, `pc` at 320,
 * `uint32_t pstate` 328, `aarch64` 332, `uncached_cpsr` 336, `spsr` 340,
 * `uint64_t banked_spsr[8]` from 344 with no padding, so
 * `&banked_spsr[-1]` is the 8 bytes at 336: `uncached_cpsr` (low word on a
 * little-endian host) and `spsr` (high word). After the banks the layout
 * follows the copy with `banked_r13[8]`/`banked_r14[8]` (the 2014 tree had 6
 * entries; the AArch32-guest sync this file models writes bank 6, Hyp, so
 * it needs 8; nothing before `banked_spsr` moves).
 *
 * @module
 */

import { defineStructLayout, type StructImage, type StructLayout } from '../../../src/state/struct-layout.ts';

/** The modelled prefix of `CPUARMState`. */
export const QEMU_CPU_STATE: StructLayout = defineStructLayout('CPUARMState', '2014–2015 (QEMU 2.0–2.3)', 'qemu/qemu target-arm/cpu.h of 2014–2015 (abi-facts §7.2); fields after sp_el are not modelled', [
  { name: 'regs', offset: 0, bytes: 4, count: 16, what: 'AArch32 r0–r15 as the current mode sees them' },
  { name: 'xregs', offset: 64, bytes: 8, count: 32, what: 'AArch64 X0–X30 and the current SP (xregs[31])' },
  { name: 'pc', offset: 320, bytes: 8, count: 1, what: 'AArch64 PC (and the AArch32 PC while the 64-bit sync runs)' },
  { name: 'pstate', offset: 328, bytes: 4, count: 1, what: 'PSTATE bits not cached elsewhere (M[3:0], SP, IL, …)' },
  { name: 'aarch64', offset: 332, bytes: 4, count: 1, what: '1 when the CPU is in AArch64 state (inverse of PSTATE.nRW)' },
  { name: 'uncached_cpsr', offset: 336, bytes: 4, count: 1, what: 'AArch32 CPSR bits not cached in the flag fields (the mode among them)' },
  { name: 'spsr', offset: 340, bytes: 4, count: 1, what: 'the current AArch32 mode\'s SPSR (its bank is stale while the mode is current)' },
  { name: 'banked_spsr', offset: 344, bytes: 8, count: 8, what: 'SPSRs by bank_number: usr/sys 0, svc 1, abt 2, und 3, irq 4, fiq 5, hyp 6, mon 7 (SPSR_EL1 in 1, SPSR_EL2 in 6)' },
  { name: 'banked_r13', offset: 408, bytes: 4, count: 8, what: 'SP by bank (the current mode\'s is in regs[13])' },
  { name: 'banked_r14', offset: 440, bytes: 4, count: 8, what: 'LR by r14_bank_number (Hyp uses the usr bank)' },
  { name: 'usr_regs', offset: 472, bytes: 4, count: 5, what: 'r8–r12 of the non-FIQ modes while FIQ is current' },
  { name: 'fiq_regs', offset: 492, bytes: 4, count: 5, what: 'r8–r12 of FIQ mode while another mode is current' },
  { name: 'CF', offset: 512, bytes: 4, count: 1, what: 'C flag (0 or 1)' },
  { name: 'VF', offset: 516, bytes: 4, count: 1, what: 'V flag in bit 31' },
  { name: 'NF', offset: 520, bytes: 4, count: 1, what: 'N flag in bit 31' },
  { name: 'ZF', offset: 524, bytes: 4, count: 1, what: 'Z flag: set when ZF is 0' },
  { name: 'QF', offset: 528, bytes: 4, count: 1, what: 'Q flag (0 or 1)' },
  { name: 'GE', offset: 532, bytes: 4, count: 1, what: 'CPSR[19:16]' },
  { name: 'thumb', offset: 536, bytes: 4, count: 1, what: 'CPSR.T' },
  { name: 'condexec_bits', offset: 540, bytes: 4, count: 1, what: 'IT bits' },
  { name: 'daif', offset: 544, bytes: 8, count: 1, what: 'D, A, I, F masks in their PSTATE positions' },
  { name: 'elr_el', offset: 552, bytes: 8, count: 4, what: 'ELR_ELx (ELR_EL2 is ELR_hyp)' },
  { name: 'sp_el', offset: 584, bytes: 8, count: 4, what: 'SP_ELx banks (the current SP is in xregs[31])' },
]);

/** AArch32 mode numbers (abi-facts §6.1). */
export const Aarch32Mode = {
  /** User. */
  usr: 0x10,
  /** FIQ. */
  fiq: 0x11,
  /** IRQ. */
  irq: 0x12,
  /** Supervisor. */
  svc: 0x13,
  /** Monitor. */
  mon: 0x16,
  /** Abort. */
  abt: 0x17,
  /** Hyp. */
  hyp: 0x1a,
  /** Undefined. */
  und: 0x1b,
  /** System. */
  sys: 0x1f,
} as const;

/** CPSR bits QEMU keeps outside `uncached_cpsr` (`CACHED_CPSR_BITS`: T, A, I, F, GE, IT, Q, NZCV). */
const CACHED_CPSR_BITS = 0x20 | 0x1c0 | 0xf_0000 | 0x0600_fc00 | 0x0800_0000 | 0xf000_0000;
/** `CPSR_AIF`. */
const CPSR_AIF = 0x1c0;
/** PSTATE bits kept outside `env->pstate` (NZCV and DAIF). */
const CACHED_PSTATE_BITS = 0xf000_0000 | 0x3c0;
/** `PSTATE_nRW`. */
export const PSTATE_NRW = 0x10;
/** `PSTATE_SP`. */
const PSTATE_SP = 0x1;

/** QEMU's `bank_number`: the SPSR/SP bank of an AArch32 mode (abi-facts §7.2). */
export function bankNumber(mode: number): number {
  switch (mode & 0x1f) {
    case Aarch32Mode.usr:
    case Aarch32Mode.sys:
      return 0;
    case Aarch32Mode.svc:
      return 1;
    case Aarch32Mode.abt:
      return 2;
    case Aarch32Mode.und:
      return 3;
    case Aarch32Mode.irq:
      return 4;
    case Aarch32Mode.fiq:
      return 5;
    case Aarch32Mode.hyp:
      return 6;
    case Aarch32Mode.mon:
      return 7;
    default:
      // QEMU calls hw_error() here; a reserved mode cannot reach the sync through KVM's PSTATE check.
      return 0;
  }
}

/** `r14_bank_number`: as {@link bankNumber}, but Hyp shares LR with usr (QEMU commit 593cfa2b). */
export function r14BankNumber(mode: number): number {
  return (mode & 0x1f) === Aarch32Mode.hyp ? 0 : bankNumber(mode);
}

const u32 = (env: StructImage, name: string, index = 0): number => Number(env.get(name, index));
const setU32 = (env: StructImage, name: string, index: number, value: number): void => env.set(name, index, BigInt(value >>> 0));

/** `is_a64(env)`. */
export function isA64(env: StructImage): boolean {
  return u32(env, 'aarch64') !== 0;
}

/** `cpsr_read(env)`: `uncached_cpsr` with the cached flags ORed in. */
export function cpsrRead(env: StructImage): number {
  const zf = u32(env, 'ZF') === 0 ? 1 : 0;
  const condexec = u32(env, 'condexec_bits');
  return (
    (u32(env, 'uncached_cpsr') |
      (u32(env, 'NF') & 0x8000_0000) |
      (zf << 30) |
      (u32(env, 'CF') << 29) |
      ((u32(env, 'VF') & 0x8000_0000) >>> 3) |
      (u32(env, 'QF') << 27) |
      (u32(env, 'thumb') << 5) |
      ((condexec & 3) << 25) |
      ((condexec & 0xfc) << 8) |
      (u32(env, 'GE') << 16) |
      (Number(env.get('daif')) & CPSR_AIF)) >>>
    0
  );
}

/** `cpsr_write(env, val, 0xffffffff)` without a mode switch (its callers first set `uncached_cpsr` to the new mode, as QEMU's KVM and migration code do). */
export function cpsrWrite(env: StructImage, value: number): void {
  const v = value >>> 0;
  setU32(env, 'ZF', 0, ~v & 0x4000_0000);
  setU32(env, 'NF', 0, v);
  setU32(env, 'CF', 0, (v >>> 29) & 1);
  setU32(env, 'VF', 0, (v << 3) & 0x8000_0000);
  setU32(env, 'QF', 0, (v >>> 27) & 1);
  setU32(env, 'thumb', 0, (v >>> 5) & 1);
  setU32(env, 'condexec_bits', 0, ((v >>> 25) & 3) | ((v >>> 8) & 0xfc));
  setU32(env, 'GE', 0, (v >>> 16) & 0xf);
  env.set('daif', 0, (env.get('daif') & ~BigInt(CPSR_AIF)) | BigInt(v & CPSR_AIF));
  setU32(env, 'uncached_cpsr', 0, (u32(env, 'uncached_cpsr') & CACHED_CPSR_BITS) | (v & ~CACHED_CPSR_BITS));
}

/** `pstate_read(env)`. */
export function pstateRead(env: StructImage): number {
  const zf = u32(env, 'ZF') === 0 ? 1 : 0;
  return (u32(env, 'pstate') | (u32(env, 'NF') & 0x8000_0000) | (zf << 30) | (u32(env, 'CF') << 29) | ((u32(env, 'VF') & 0x8000_0000) >>> 3) | Number(env.get('daif'))) >>> 0;
}

/** `pstate_write(env, val)`. */
export function pstateWrite(env: StructImage, value: number): void {
  const v = value >>> 0;
  setU32(env, 'ZF', 0, ~v & 0x4000_0000);
  setU32(env, 'NF', 0, v);
  setU32(env, 'CF', 0, (v >>> 29) & 1);
  setU32(env, 'VF', 0, (v << 3) & 0x8000_0000);
  env.set('daif', 0, BigInt(v & 0x3c0));
  setU32(env, 'pstate', 0, v & ~CACHED_PSTATE_BITS);
}

/** `aarch64_save_sp(env, el)`: the current SP (xregs[31]) to its bank. */
export function aarch64SaveSp(env: StructImage, el: number): void {
  env.set('sp_el', (u32(env, 'pstate') & PSTATE_SP) !== 0 ? el : 0, env.get('xregs', 31));
}

/** `aarch64_restore_sp(env, el)`: the current SP from its bank. */
export function aarch64RestoreSp(env: StructImage, el: number): void {
  env.set('xregs', 31, env.get('sp_el', (u32(env, 'pstate') & PSTATE_SP) !== 0 ? el : 0));
}

/** `arm_current_el(env)` for an AArch32 CPU: usr 0, hyp 2, mon 3, others 1; for AArch64 PSTATE.EL. */
export function currentEl(env: StructImage): number {
  if (isA64(env)) return (u32(env, 'pstate') >> 2) & 3;
  const mode = u32(env, 'uncached_cpsr') & 0x1f;
  if (mode === Aarch32Mode.usr) return 0;
  if (mode === Aarch32Mode.hyp) return 2;
  if (mode === Aarch32Mode.mon) return 3;
  return 1;
}

/** Where each X register's AArch32 register lives for `mode`: `regs[n]` when the mode sees it, else its bank. */
function aarch32Places(mode: number): readonly (readonly [string, number])[] {
  const fiq = mode === Aarch32Mode.fiq;
  const usrLike = mode === Aarch32Mode.usr || mode === Aarch32Mode.sys;
  const places: (readonly [string, number])[] = [];
  for (let i = 0; i < 8; i++) places.push(['regs', i]);
  for (let i = 8; i < 13; i++) places.push(fiq ? ['usr_regs', i - 8] : ['regs', i]);
  places.push(usrLike ? ['regs', 13] : ['banked_r13', 0]); // x13 SP_usr
  places.push(usrLike || mode === Aarch32Mode.hyp ? ['regs', 14] : ['banked_r14', 0]); // x14 LR_usr (Hyp's LR)
  places.push(mode === Aarch32Mode.hyp ? ['regs', 13] : ['banked_r13', 6]); // x15 SP_hyp
  const pair = (m: number, bank: number): void => {
    places.push(mode === m ? ['regs', 14] : ['banked_r14', bank]);
    places.push(mode === m ? ['regs', 13] : ['banked_r13', bank]);
  };
  pair(Aarch32Mode.irq, 4); // x16 LR_irq, x17 SP_irq
  pair(Aarch32Mode.svc, 1); // x18, x19
  pair(Aarch32Mode.abt, 2); // x20, x21
  pair(Aarch32Mode.und, 3); // x22, x23
  for (let i = 8; i < 13; i++) places.push(fiq ? ['regs', i] : ['fiq_regs', i - 8]);
  places.push(fiq ? ['regs', 13] : ['banked_r13', 5]); // x29 SP_fiq
  places.push(fiq ? ['regs', 14] : ['banked_r14', 5]); // x30 LR_fiq
  return places;
}

/** `aarch64_sync_32_to_64(env)`: the AArch32 registers into X0–X30 by the architectural map, for the mode in `uncached_cpsr`. */
export function aarch64Sync32To64(env: StructImage): void {
  aarch32Places(u32(env, 'uncached_cpsr') & 0x1f).forEach(([field, index], x) => env.set('xregs', x, env.get(field, index)));
  env.set('pc', 0, env.get('regs', 15));
}

/** `aarch64_sync_64_to_32(env)`: X0–X30 into the AArch32 registers, for the mode in `uncached_cpsr`. */
export function aarch64Sync64To32(env: StructImage): void {
  aarch32Places(u32(env, 'uncached_cpsr') & 0x1f).forEach(([field, index], x) => env.set(field, index, env.get('xregs', x) & 0xffff_ffffn));
  env.set('regs', 15, env.get('pc') & 0xffff_ffffn);
}

/** The places of X0–X30 for a mode (for the view and its inverse). */
export function aarch32RegisterPlaces(mode: number): readonly (readonly [string, number])[] {
  return aarch32Places(mode & 0x1f);
}
