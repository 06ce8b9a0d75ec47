/**
 * KVM arm64 ONE_REG core registers: `struct kvm_regs` (`user_pt_regs regs;
 * u64 sp_el1; u64 elr_el1; u64 spsr[KVM_NR_SPSR]; struct user_fpsimd_state
 * fp_regs`), ID = `KVM_REG_ARM64 | size | KVM_REG_ARM_CORE | (offset / 4)`.
 * The same IDs serve AArch64 guests and AArch32 (`KVM_ARM_VCPU_EL1_32BIT`)
 * guests, whose registers sit in the X registers by the architectural map
 * (`aarch32-mapping.ts`) and whose SPSRs are `spsr[]`: SVC (= SPSR_EL1),
 * ABT, UND, IRQ, FIQ. There is no Hyp or Mon entry.
 *
 * Sources: torvalds/linux:arch/arm64/include/uapi/asm/kvm.h @00e6dae0
 * (layout, `KVM_SPSR_*`), include/uapi/linux/kvm.h (sizes), the v4.12 and
 * v5.0 trees' arch/arm64/kvm/guest.c (write validation); the exact-size rule
 * is commit d26c25a9d19b "arm64: KVM: Tighten guest core register access
 * from userspace" (2018, also backported to 3.16.75 stable), PSTATE
 * sanitising 2a3f93459d68 (the CVE number remains unconfirmed).
 *
 * @module
 */

import { defineOneRegFormat, oneRegIdHex, type CoreRegister, type OneRegFormat } from '../../../src/state/one-reg.ts';
import { oneRegStateFormat, type FormatDoc, type StateFormat } from '../../../src/state/state-format.ts';
import { ARCHITECTURAL_X_MAP } from './aarch32-mapping.ts';

/** `KVM_REG_ARM64`. */
export const KVM_REG_ARM64 = 0x6000_0000_0000_0000n;
/** `KVM_REG_ARM_CORE >> 16`. */
export const KVM_REG_ARM_CORE_GROUP = 0x0010;
/** `KVM_NR_SPSR`. */
export const KVM_NR_SPSR = 5;

/** The AArch32 mode each `spsr[i]` belongs to (`KVM_SPSR_SVC` = `KVM_SPSR_EL1` = 0, ABT 1, UND 2, IRQ 3, FIQ 4). */
export const KVM_SPSR_MODES: readonly string[] = ['svc', 'abt', 'und', 'irq', 'fiq'];

/** PSTATE.M values KVM v4.12 accepts from userspace (COMPAT USR/FIQ/IRQ/SVC/ABT/UND, EL0t, EL1t, EL1h). */
const V412_MODES: ReadonlySet<number> = new Set([0x10, 0x11, 0x12, 0x13, 0x17, 0x1b, 0x0, 0x4, 0x5]);
/** The AArch32 EL1 modes (valid only for a 32-bit vCPU from the tightening on). */
const AARCH32_EL1_MODES: ReadonlySet<number> = new Set([0x11, 0x12, 0x13, 0x17, 0x1b]);
/** The AArch64 modes a vCPU may be put in (valid only for a 64-bit vCPU from the tightening on). */
const AARCH64_MODES: ReadonlySet<number> = new Set([0x0, 0x4, 0x5]);

function registers(): CoreRegister[] {
  const out: CoreRegister[] = [];
  for (let i = 0; i < 31; i++) out.push({ name: `regs.regs[${i}]`, word: 2 * i, bytes: 8, holds: { arm64: `x${i}`, arm32: ARCHITECTURAL_X_MAP[i]! } });
  out.push({ name: 'regs.sp', word: 62, bytes: 8, bank: 'el0', holds: { arm64: 'sp_el0' } });
  out.push({ name: 'regs.pc', word: 64, bytes: 8, holds: { arm64: 'pc', arm32: 'pc' } });
  out.push({ name: 'regs.pstate', word: 66, bytes: 8, holds: { arm64: 'pstate', arm32: 'cpsr' } });
  out.push({ name: 'sp_el1', word: 68, bytes: 8, bank: 'el1', holds: { arm64: 'sp_el1' } });
  out.push({ name: 'elr_el1', word: 70, bytes: 8, bank: 'el1', holds: { arm64: 'elr_el1' } });
  KVM_SPSR_MODES.forEach((mode, i) => {
    const alias = i === 0 ? 'KVM_SPSR_EL1 = KVM_SPSR_SVC' : `KVM_SPSR_${mode.toUpperCase()}`;
    out.push({ name: `spsr[${i}]`, alias, word: 72 + 2 * i, bytes: 8, bank: mode, holds: { arm64: i === 0 ? 'spsr_el1' : `spsr_${mode}`, arm32: `spsr_${mode}` } });
  });
  // 8 bytes of padding: fp_regs (struct user_fpsimd_state, __uint128_t vregs[32]) is 16-byte aligned.
  for (let i = 0; i < 32; i++) out.push({ name: `fp_regs.vregs[${i}]`, word: 84 + 4 * i, bytes: 16, holds: {} });
  out.push({ name: 'fp_regs.fpsr', word: 212, bytes: 4, holds: {} });
  out.push({ name: 'fp_regs.fpcr', word: 213, bytes: 4, holds: {} });
  return out;
}

/** The KVM arm64 core-register table. */
export const KVM_ARM64_CORE: OneRegFormat = defineOneRegFormat({
  id: 'kvm-arm64-core',
  title: 'KVM arm64 ONE_REG core registers (struct kvm_regs), AArch64 and AArch32 EL1 guests',
  structure: 'struct kvm_regs',
  words: 216,
  arch: KVM_REG_ARM64,
  group: KVM_REG_ARM_CORE_GROUP,
  guests: ['arm64', 'arm32'],
  registers: registers(),
  eras: [
    { era: 'v4.12', source: 'v4.12 tree arch/arm64/kvm/guest.c set_core_reg', rule: 'any-width', maxBytes: 16, note: 'any size up to the 16-byte bounce buffer at any word offset: a U32 write changes half a register, a U128 write at spsr[0] also writes spsr[1]; the PSTATE mode check runs only for a write that starts at regs.pstate' },
    { era: 'v5.0.1', source: 'v5.0 tree arch/arm64/kvm/guest.c validate_core_offset (commit d26c25a9d19b, 2018)', rule: 'exact-size', note: 'the offset must start a register and the ID must give its exact size; PSTATE modes are checked against the vCPU being 32- or 64-bit' },
  ],
  valueChecks: [
    {
      register: 'regs.pstate',
      what: 'PSTATE mode check',
      check(era: string, guest: string, value: bigint): string | undefined {
        const mode = Number(value & 0x1fn);
        if (era === 'v4.12') return V412_MODES.has(mode) ? undefined : 'EINVAL';
        if (mode === 0x10) return undefined; // AArch32 USR: allowed where the system supports 32-bit EL0 (assumed)
        if (AARCH32_EL1_MODES.has(mode)) return guest === 'arm32' ? undefined : 'EINVAL';
        if (AARCH64_MODES.has(mode)) return guest === 'arm64' ? undefined : 'EINVAL';
        return 'EINVAL';
      },
    },
  ],
  documentedIds: [
    { id: 0x6060_0000_0010_0050n, register: 'spsr[4]', source: 'Documentation/virtual/kvm/api.txt (2019) and some api.rst versions', why: 'size nibble 6 is U512 (64 bytes); the real ID is 0x6030000000100050 (U64). The fix release is unconfirmed' },
  ],
  source: 'torvalds/linux:arch/arm64/include/uapi/asm/kvm.h @00e6dae0; v4.12 and v5.0 trees arch/arm64/kvm/guest.c',
  notes: [
    'regs.sp is SP_EL0; an AArch32 guest keeps regs.sp, sp_el1 and elr_el1 at 0 (no AArch32 register maps to them).',
    'spsr[] has no Hyp or Mon entry: the guest runs at EL1 or below. SPSR_EL1 is SPSR_svc (ARM ARM D1.20.1).',
    '8 bytes of padding follow spsr[4]: fp_regs is 16-byte aligned, so V0 is word 84 (ID ...0054), not 82.',
    'The FP/SIMD registers are listed for their IDs; hyplay models no FP state, so they export as 0.',
  ],
});

function docs(): FormatDoc {
  const f = KVM_ARM64_CORE;
  return {
    intro: [
      `ID = \`KVM_REG_ARM64\` (${oneRegIdHex(KVM_REG_ARM64)}) \\| size (U32 0x0020…, U64 0x0030…, U128 0x0040…) \\| \`KVM_REG_ARM_CORE\` (0x0010 << 16) \\| the register's offset in \`${f.structure}\` in 32-bit words (${f.words} words).`,
      `Source: ${f.source}.`,
      ...(f.notes ?? []),
    ],
    tables: [
      {
        title: 'Registers',
        header: ['Register', 'ID', 'Word', 'Bytes', 'Bank', 'AArch64 guest', 'AArch32 guest'],
        rows: f.registers.map((r, i) => [`\`${r.name}\`${r.alias === undefined ? '' : ` (${r.alias})`}`, `\`${oneRegIdHex(f.ids[i]!)}\``, `${r.word}`, `${r.bytes}`, r.bank ?? '', r.holds['arm64'] ?? '—', r.holds['arm32'] ?? '—']),
      },
      {
        title: 'Write validation by era',
        header: ['Era', 'Rule', 'What it means', 'Source'],
        rows: f.eras.map((e) => [e.era, `\`${e.rule}\``, e.note, e.source]),
      },
      {
        title: 'Documented IDs that are wrong',
        header: ['Documented ID', 'For', 'Why', 'Where'],
        rows: (f.documentedIds ?? []).map((d) => [`\`${oneRegIdHex(d.id)}\``, `\`${d.register}\``, d.why, d.source]),
      },
    ],
  };
}

/** The format as `hyplay state export … --format kvm-arm64-core` uses it. */
export const KVM_ARM64_CORE_FORMAT: StateFormat = oneRegStateFormat(KVM_ARM64_CORE, docs);
