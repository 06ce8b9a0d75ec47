/**
 * QEMU's KVM register sync for arm64 hosts (`kvm_arch_get_registers` /
 * `kvm_arch_put_registers` in target-arm/kvm64.c) as two selectable
 * implementations, and QEMU's CPU migration stream.
 *
 * - `qemu-2014`: SPSRs through `&env->banked_spsr[i - 1]` in both get and
 *   put (qemu/qemu target-arm/kvm64.c from the first AArch64 KVM support,
 *   2014, with the AArch32-guest sync of early 2015). KVM's `spsr[0]`
 *   (SPSR_EL1 = SPSR_svc) lands on `uncached_cpsr` and `spsr`; the other
 *   four land one bank low; banks 4 (irq) and 5 (fiq) are never synced.
 * - `qemu-2015`: KVM `spsr[i]` ↔ `banked_spsr[i + 1]` ("KVM 0-4 map to QEMU
 *   banks 1-5", qemu/qemu target-arm/kvm64.c @585fcd4b), and for an AArch32
 *   CPU at EL > 0 `env->spsr` copied into the current mode's bank before a
 *   put and reloaded from it after a get. The commit and date of the fix
 *   are unconfirmed (believed March 2015).
 *
 * Order of the accesses follows QEMU: get = X registers, SP_EL0, SP_EL1,
 * PSTATE (nRW decides `pstate_write` or `cpsr_write`), PC, the 64→32 sync,
 * ELR_EL1, the SPSRs; put = the 32→64 sync, the same in reverse. The
 * kernel writes of a put are stored as they come (the era's ONE_REG
 * validation is `src/state/one-reg.ts`'s business).
 *
 * @module
 */

import { StateError, type ArchitecturalRegister, type ArchitecturalState } from '../../../src/state/architectural-state.ts';
import { readWords, writeWords, type CoreFile, type CoreRegister } from '../../../src/state/one-reg.ts';
import type { MigrationStream, StateSync, StreamData, SyncLog } from '../../../src/state/state-support.ts';
import { StructImage } from '../../../src/state/struct-layout.ts';
import { ARCHITECTURAL_X_MAP } from './aarch32-mapping.ts';
import { KVM_ARM64_CORE, KVM_NR_SPSR, KVM_SPSR_MODES } from './kvm-arm64-core.ts';
import {
  aarch32RegisterPlaces,
  aarch64RestoreSp,
  aarch64SaveSp,
  aarch64Sync32To64,
  aarch64Sync64To32,
  Aarch32Mode,
  bankNumber,
  cpsrRead,
  cpsrWrite,
  currentEl,
  isA64,
  pstateRead,
  pstateWrite,
  PSTATE_NRW,
  QEMU_CPU_STATE,
} from './qemu-cpu-state.ts';

const CORE: ReadonlyMap<string, CoreRegister> = new Map(KVM_ARM64_CORE.registers.map((r) => [r.name, r]));

function core(name: string): CoreRegister {
  return CORE.get(name)!;
}

/** The QEMU `banked_spsr` index each era syncs KVM's `spsr[i]` with. */
export type SpsrSlot = (i: number) => number;

/** QEMU's CPU reset, as far as the modelled fields go: AArch64 (or AArch32 for a 32-bit vCPU), EL1h, `uncached_cpsr` = SVC, D A I F masked. */
export function qemuReset(guest: string): StructImage {
  const env = new StructImage(QEMU_CPU_STATE);
  env.set('aarch64', 0, guest === 'arm64' ? 1n : 0n);
  env.set('pstate', 0, 5n);
  env.set('uncached_cpsr', 0, BigInt(Aarch32Mode.svc));
  env.set('daif', 0, 0x3c0n);
  return env;
}

/** The canonical state QEMU's structure holds (what TCG and the gdbstub read). */
export function qemuView(env: StructImage, guest: string, registers: readonly ArchitecturalRegister[]): ArchitecturalState {
  const out: Record<string, bigint> = Object.fromEntries(registers.map((r) => [r.name, 0n]));
  if (guest === 'arm64') {
    for (let i = 0; i < 31; i++) out[`x${i}`] = env.get('xregs', i);
    const pstate = Number(env.get('pstate'));
    const el = (pstate >> 2) & 3;
    const live = (pstate & 1) !== 0 ? el : 0;
    for (let el2 = 0; el2 < 3; el2++) out[`sp_el${el2}`] = el2 === live ? env.get('xregs', 31) : env.get('sp_el', el2);
    out['pc'] = env.get('pc');
    out['pstate'] = BigInt(pstateRead(env));
    out['elr_el1'] = env.get('elr_el', 1);
    out['spsr_el1'] = env.get('banked_spsr', 1);
    out['elr_el2'] = env.get('elr_el', 2);
    out['spsr_el2'] = env.get('banked_spsr', 6);
    for (const mode of ['abt', 'und', 'irq', 'fiq'] as const) out[`spsr_${mode}`] = env.get('banked_spsr', bankNumber(Aarch32Mode[mode])) & 0xffff_ffffn;
    return { arch: guest, registers: out };
  }
  if (guest !== 'arm32') throw new StateError(`QEMU's CPUARMState does not hold ${guest} state`);
  const mode = Number(env.get('uncached_cpsr')) & 0x1f;
  aarch32RegisterPlaces(mode).forEach(([field, index], x) => {
    out[ARCHITECTURAL_X_MAP[x]!] = env.get(field, index) & 0xffff_ffffn;
  });
  for (const m of ['svc', 'abt', 'und', 'irq', 'fiq', 'hyp', 'mon'] as const) {
    const bank = bankNumber(Aarch32Mode[m]);
    out[`spsr_${m}`] = mode === Aarch32Mode[m] ? env.get('spsr') : env.get('banked_spsr', bank) & 0xffff_ffffn;
  }
  out['sp_mon'] = mode === Aarch32Mode.mon ? env.get('regs', 13) : env.get('banked_r13', 7);
  out['lr_mon'] = mode === Aarch32Mode.mon ? env.get('regs', 14) : env.get('banked_r14', 7);
  out['elr_hyp'] = env.get('elr_el', 2) & 0xffff_ffffn;
  out['pc'] = env.get('regs', 15);
  out['cpsr'] = BigInt(cpsrRead(env));
  return { arch: guest, registers: out };
}

/** Write a canonical state into QEMU's structure as QEMU's own emulation would hold it. */
export function qemuFromView(state: ArchitecturalState, env: StructImage): void {
  const r = state.registers;
  const get = (name: string): bigint => r[name] ?? 0n;
  if (state.arch === 'arm64') {
    env.set('aarch64', 0, 1n);
    for (let i = 0; i < 31; i++) env.set('xregs', i, get(`x${i}`));
    pstateWrite(env, Number(get('pstate')));
    for (let el = 0; el < 3; el++) env.set('sp_el', el, get(`sp_el${el}`));
    aarch64RestoreSp(env, (Number(get('pstate')) >> 2) & 3);
    env.set('pc', 0, get('pc'));
    env.set('elr_el', 1, get('elr_el1'));
    env.set('banked_spsr', 1, get('spsr_el1'));
    env.set('elr_el', 2, get('elr_el2'));
    env.set('banked_spsr', 6, get('spsr_el2'));
    for (const mode of ['abt', 'und', 'irq', 'fiq'] as const) env.set('banked_spsr', bankNumber(Aarch32Mode[mode]), get(`spsr_${mode}`));
    return;
  }
  env.set('aarch64', 0, 0n);
  const cpsr = Number(get('cpsr'));
  const mode = cpsr & 0x1f;
  env.set('uncached_cpsr', 0, BigInt(mode));
  cpsrWrite(env, cpsr);
  aarch32RegisterPlaces(mode).forEach(([field, index], x) => env.set(field, index, get(ARCHITECTURAL_X_MAP[x]!)));
  for (const m of ['svc', 'abt', 'und', 'irq', 'fiq', 'hyp', 'mon'] as const) env.set('banked_spsr', bankNumber(Aarch32Mode[m]), get(`spsr_${m}`));
  if (mode !== Aarch32Mode.usr && mode !== Aarch32Mode.sys) env.set('spsr', 0, get(`spsr_${[...Object.entries(Aarch32Mode)].find(([, v]) => v === mode)?.[0] ?? 'svc'}`) & 0xffff_ffffn);
  env.set('banked_r13', 7, get('sp_mon'));
  env.set('banked_r14', 7, get('lr_mon'));
  env.set('elr_el', 2, get('elr_hyp'));
  env.set('regs', 15, get('pc'));
  env.set('pc', 0, get('pc'));
}

function kvmSync(id: string, title: string, era: string, source: string, correct: boolean, slot: SpsrSlot, syncCurrentSpsr: boolean): StateSync {
  const getReg = (file: CoreFile, log: SyncLog, name: string, offset: number, bytes: number, expression: string, env: StructImage): void => {
    const register = core(name);
    log.push({ direction: 'get', register: name, offset, bytes, expression });
    env.write(offset, bytes, readWords(file, register.word, register.bytes) & ((1n << BigInt(8 * bytes)) - 1n));
  };
  const putReg = (file: CoreFile, log: SyncLog, name: string, offset: number, bytes: number, expression: string, env: StructImage): void => {
    const register = core(name);
    log.push({ direction: 'put', register: name, offset, bytes, expression });
    writeWords(file, register.word, register.bytes, env.read(offset, bytes));
  };
  return {
    id,
    title,
    era,
    source,
    correct,
    kernel: KVM_ARM64_CORE,
    layout: QEMU_CPU_STATE,
    reset: qemuReset,
    view: qemuView,
    fromView: qemuFromView,
    get(file: CoreFile, env: StructImage, log: SyncLog): void {
      for (let i = 0; i < 31; i++) getReg(file, log, `regs.regs[${i}]`, env.offsetOf('xregs', i), 8, `&env->xregs[${i}]`, env);
      getReg(file, log, 'regs.sp', env.offsetOf('sp_el', 0), 8, '&env->sp_el[0]', env);
      getReg(file, log, 'sp_el1', env.offsetOf('sp_el', 1), 8, '&env->sp_el[1]', env);
      log.push({ direction: 'get', register: 'regs.pstate', offset: env.offsetOf('pstate'), bytes: 4, expression: 'pstate_write() or cpsr_write()' });
      const value = Number(readWords(file, core('regs.pstate').word, 4));
      env.set('aarch64', 0, (value & PSTATE_NRW) === 0 ? 1n : 0n);
      if (isA64(env)) {
        pstateWrite(env, value);
      } else {
        env.set('uncached_cpsr', 0, BigInt(value & 0x1f));
        cpsrWrite(env, value);
      }
      aarch64RestoreSp(env, 1);
      getReg(file, log, 'regs.pc', env.offsetOf('pc'), 8, '&env->pc', env);
      if (!isA64(env)) {
        log.push({ direction: 'rebuild', register: '*', offset: env.offsetOf('regs'), bytes: 0, expression: `get: aarch64_sync_64_to_32() for mode 0x${(Number(env.get('uncached_cpsr')) & 0x1f).toString(16)} (uncached_cpsr)` });
        aarch64Sync64To32(env);
      }
      getReg(file, log, 'elr_el1', env.offsetOf('elr_el', 1), 8, '&env->elr_el[1]', env);
      for (let i = 0; i < KVM_NR_SPSR; i++) getReg(file, log, `spsr[${i}]`, env.offsetOf('banked_spsr', slot(i)), 8, `&env->banked_spsr[${slot(i)}]`, env);
      if (syncCurrentSpsr && currentEl(env) > 0 && !isA64(env)) env.set('spsr', 0, env.get('banked_spsr', bankNumber(Number(env.get('uncached_cpsr')))) & 0xffff_ffffn);
    },
    put(env: StructImage, file: CoreFile, log: SyncLog): void {
      if (!isA64(env)) {
        log.push({ direction: 'rebuild', register: '*', offset: env.offsetOf('regs'), bytes: 0, expression: `put: aarch64_sync_32_to_64() for mode 0x${(Number(env.get('uncached_cpsr')) & 0x1f).toString(16)} (uncached_cpsr)` });
        aarch64Sync32To64(env);
      }
      for (let i = 0; i < 31; i++) putReg(file, log, `regs.regs[${i}]`, env.offsetOf('xregs', i), 8, `&env->xregs[${i}]`, env);
      aarch64SaveSp(env, 1);
      putReg(file, log, 'regs.sp', env.offsetOf('sp_el', 0), 8, '&env->sp_el[0]', env);
      putReg(file, log, 'sp_el1', env.offsetOf('sp_el', 1), 8, '&env->sp_el[1]', env);
      log.push({ direction: 'put', register: 'regs.pstate', offset: env.offsetOf('pstate'), bytes: 4, expression: 'pstate_read() or cpsr_read()' });
      writeWords(file, core('regs.pstate').word, 8, BigInt(isA64(env) ? pstateRead(env) : cpsrRead(env)));
      putReg(file, log, 'regs.pc', env.offsetOf('pc'), 8, '&env->pc', env);
      putReg(file, log, 'elr_el1', env.offsetOf('elr_el', 1), 8, '&env->elr_el[1]', env);
      if (syncCurrentSpsr && currentEl(env) > 0 && !isA64(env)) env.set('banked_spsr', bankNumber(Number(env.get('uncached_cpsr'))), env.get('spsr'));
      for (let i = 0; i < KVM_NR_SPSR; i++) putReg(file, log, `spsr[${i}]`, env.offsetOf('banked_spsr', slot(i)), 8, `&env->banked_spsr[${slot(i)}]`, env);
    },
  };
}

/** The 2014 QEMU slot of KVM `spsr[i]`: `i - 1`. */
export const SLOT_2014: SpsrSlot = (i) => i - 1;
/** The 2015 QEMU slot of KVM `spsr[i]`: `i + 1` (`bank_number` of KVM's mode {@link KVM_SPSR_MODES}[i]). */
export const SLOT_2015: SpsrSlot = (i) => i + 1;

/** The pre-fix sync. */
export const QEMU_SYNC_2014: StateSync = kvmSync(
  'qemu-2014',
  'QEMU kvm64.c before the SPSR fix: KVM spsr[i] <-> &env->banked_spsr[i - 1]',
  '2014 (QEMU 2.0) to early 2015',
  'qemu/qemu target-arm/kvm64.c (2014 copies with [i - 1] in get and put); AArch32-guest sync as in early 2015',
  false,
  SLOT_2014,
  false,
);

/** The fixed sync. */
export const QEMU_SYNC_2015: StateSync = kvmSync(
  'qemu-2015',
  'QEMU kvm64.c after the SPSR fix: KVM spsr[i] <-> banked_spsr[i + 1], env->spsr synced with the current bank',
  '2015 (fix believed March 2015; commit unconfirmed) and later',
  'qemu/qemu target-arm/kvm64.c @585fcd4b',
  true,
  SLOT_2015,
  true,
);

/** Both syncs, oldest first. */
export const QEMU_SYNCS: readonly StateSync[] = [QEMU_SYNC_2014, QEMU_SYNC_2015];

// Check once that the fixed slot is the architectural bank of KVM's mode (abi-facts §7.2 "Mapping side by side").
KVM_SPSR_MODES.forEach((mode, i) => {
  if (SLOT_2015(i) !== bankNumber(Aarch32Mode[mode as keyof typeof Aarch32Mode])) throw new StateError(`spsr[${i}] (${mode}) is not bank ${SLOT_2015(i)}`);
});

const RAW_FIELDS = ['regs', 'xregs', 'pc', 'spsr', 'banked_spsr', 'banked_r13', 'banked_r14', 'usr_regs', 'fiq_regs', 'elr_el', 'sp_el'];

/**
 * QEMU's `vmstate_arm_cpu` fields for the core registers (target-arm/machine.c,
 * as read in a QEMU copy with version_id 22): `regs`, `xregs`, `pc`, a `cpsr`
 * field saved through `put_cpsr` (`pstate_read` for an AArch64 CPU,
 * `cpsr_read` otherwise) and loaded through `get_cpsr` (nRW decides; the
 * mode is set first to avoid a mode switch), `spsr`, `banked_spsr`,
 * `banked_r13`, `banked_r14`, `usr_regs`, `fiq_regs`, `elr_el`, `sp_el`.
 * `uncached_cpsr` itself is not a field. Which fields the 2014 stream had
 * exactly is unconfirmed (abi-facts §7.2).
 */
export const QEMU_MIGRATION_STREAM: MigrationStream = {
  id: 'qemu-vmstate-cpu',
  title: "QEMU's CPU migration stream (vmstate_arm_cpu core fields)",
  source: 'qemu/qemu target-arm/machine.c vmstate_arm_cpu (read in a version_id 22 copy; the 2014 field list is unconfirmed)',
  fields: [
    { name: 'regs', raw: 'regs', what: 'AArch32 r0–r15' },
    { name: 'xregs', raw: 'xregs', what: 'X0–X31' },
    { name: 'pc', raw: 'pc', what: 'PC' },
    { name: 'cpsr', what: 'put_cpsr: pstate_read() for an AArch64 CPU, else cpsr_read(); get_cpsr: nRW picks pstate_write() or (mode first) cpsr_write()' },
    ...RAW_FIELDS.filter((f) => !['regs', 'xregs', 'pc'].includes(f)).map((f) => ({ name: f, raw: f, what: f })),
  ],
  save(env: StructImage): StreamData {
    const fields = new Map<string, readonly bigint[]>();
    for (const field of this.fields) {
      if (field.raw === undefined) {
        fields.set(field.name, [BigInt(isA64(env) ? pstateRead(env) : cpsrRead(env))]);
        continue;
      }
      const f = env.field(field.raw);
      fields.set(field.name, Array.from({ length: f.count }, (_, i) => env.get(field.raw!, i)));
    }
    return { fields };
  },
  load(data: StreamData, env: StructImage): void {
    for (const field of this.fields) {
      const values = data.fields.get(field.name) ?? [];
      if (field.raw === undefined) {
        const value = Number(values[0] ?? 0n);
        env.set('aarch64', 0, (value & PSTATE_NRW) === 0 ? 1n : 0n);
        if (isA64(env)) {
          pstateWrite(env, value);
        } else {
          env.set('uncached_cpsr', 0, BigInt(value & 0x1f));
          cpsrWrite(env, value);
        }
        continue;
      }
      values.forEach((v, i) => env.set(field.raw!, i, v));
    }
  },
};
