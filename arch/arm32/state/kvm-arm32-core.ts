/**
 * KVM/ARM (32-bit host, v3.9) ONE_REG core registers: `struct kvm_regs {
 * struct pt_regs usr_regs; u32 svc_regs[3]; u32 abt_regs[3]; u32
 * und_regs[3]; u32 irq_regs[3]; u32 fiq_regs[8]; }`, ID = `KVM_REG_ARM`
 * (0x4000000000000000) | `KVM_REG_SIZE_U32` | `KVM_REG_ARM_CORE` | word
 * index. Each `*_regs[3]` is SP, LR, SPSR; `fiq_regs` is r8–r14_fiq and
 * SPSR_fiq. There is no Hyp or Mon bank.
 *
 * Sources: v3.9 tree arch/arm/include/uapi/asm/kvm.h, ptrace.h,
 * include/uapi/linux/kvm.h, arch/arm/kvm/guest.c (`set_core_reg`: the ID
 * must be U32, else `ENOENT`; the offset must lie in the structure; a write
 * to `usr_regs.ARM_cpsr` must name USR, FIQ, IRQ, SVC, ABT or UND).
 *
 * @module
 */

import { defineOneRegFormat, oneRegIdHex, type CoreRegister, type OneRegFormat } from '../../../src/state/one-reg.ts';
import { oneRegStateFormat, type FormatDoc, type StateFormat } from '../../../src/state/state-format.ts';

/** `KVM_REG_ARM`. */
export const KVM_REG_ARM = 0x4000_0000_0000_0000n;

const USR_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp_usr', 'lr_usr', 'pc', 'cpsr'];
const PT_REGS = ['ARM_r0', 'ARM_r1', 'ARM_r2', 'ARM_r3', 'ARM_r4', 'ARM_r5', 'ARM_r6', 'ARM_r7', 'ARM_r8', 'ARM_r9', 'ARM_r10', 'ARM_fp', 'ARM_ip', 'ARM_sp', 'ARM_lr', 'ARM_pc', 'ARM_cpsr', 'ARM_ORIG_r0'];
/** AArch32 modes whose CPSR KVM v3.9 accepts from userspace. */
const ALLOWED_MODES: ReadonlySet<number> = new Set([0x10, 0x11, 0x12, 0x13, 0x17, 0x1b]);

function registers(): CoreRegister[] {
  const out: CoreRegister[] = PT_REGS.map((name, i) => ({ name: `usr_regs.${name}`, word: i, bytes: 4, ...(i === 13 || i === 14 ? { bank: 'usr' } : {}), holds: (i < USR_NAMES.length ? { arm32: USR_NAMES[i]! } : {}) as Readonly<Record<string, string>> }));
  ['svc', 'abt', 'und', 'irq'].forEach((mode, m) => {
    ['sp', 'lr', 'spsr'].forEach((what, k) => out.push({ name: `${mode}_regs[${k}]`, word: 18 + 3 * m + k, bytes: 4, bank: mode, holds: { arm32: `${what}_${mode}` } }));
  });
  ['r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'spsr'].forEach((what, k) => out.push({ name: `fiq_regs[${k}]`, word: 30 + k, bytes: 4, bank: 'fiq', holds: { arm32: `${what}_fiq` } }));
  return out;
}

/** The KVM/ARM v3.9 core-register table. */
export const KVM_ARM32_CORE: OneRegFormat = defineOneRegFormat({
  id: 'kvm-arm32-core',
  title: 'KVM/ARM (32-bit host) ONE_REG core registers, v3.9',
  structure: 'struct kvm_regs',
  words: 38,
  arch: KVM_REG_ARM,
  group: 0x0010,
  guests: ['arm32'],
  registers: registers(),
  eras: [{ era: 'v3.9', source: 'v3.9 tree arch/arm/kvm/guest.c set_core_reg', rule: 'word-only', note: 'the ID must be U32 (else ENOENT) and lie in the 38-word structure; a CPSR write must name USR, FIQ, IRQ, SVC, ABT or UND' }],
  valueChecks: [{ register: 'usr_regs.ARM_cpsr', what: 'CPSR mode check', check: (_era, _guest, value) => (ALLOWED_MODES.has(Number(value & 0x1fn)) ? undefined : 'EINVAL') }],
  source: 'v3.9 tree arch/arm/include/uapi/asm/kvm.h, arch/arm/include/uapi/asm/ptrace.h, arch/arm/kvm/guest.c',
  notes: [
    'usr_regs is struct pt_regs: uregs[18] = r0–r12, SP_usr, LR_usr, PC, CPSR, ORIG_r0 (ORIG_r0 holds no architectural register).',
    'No Hyp or Mon bank: a guest runs in PL1 or PL0 modes, so SP_hyp, SPSR_hyp, ELR_hyp and the Mon registers do not travel.',
    "v3.9's vcpu_reg picks the bank from the CPSR mode (USR/FIQ/IRQ/SVC → mode & ~0x10, ABT → 4, UND → 5, SYS → USR) and its vcpu_spsr BUG()s for USR and SYS.",
  ],
});

function docs(): FormatDoc {
  const f = KVM_ARM32_CORE;
  return {
    intro: [`ID = \`KVM_REG_ARM\` (${oneRegIdHex(KVM_REG_ARM)}) \\| \`KVM_REG_SIZE_U32\` (0x0020…) \\| \`KVM_REG_ARM_CORE\` (0x0010 << 16) \\| word index in \`${f.structure}\` (${f.words} words).`, `Source: ${f.source}.`, ...(f.notes ?? [])],
    tables: [
      { title: 'Registers', header: ['Register', 'ID', 'Word', 'Bank', 'AArch32 register'], rows: f.registers.map((r, i) => [`\`${r.name}\``, `\`${oneRegIdHex(f.ids[i]!)}\``, `${r.word}`, r.bank ?? '', r.holds['arm32'] ?? '—']) },
      { title: 'Write validation by era', header: ['Era', 'Rule', 'What it means', 'Source'], rows: f.eras.map((e) => [e.era, `\`${e.rule}\``, e.note, e.source]) },
    ],
  };
}

/** The format as `hyplay state export … --format kvm-arm32-core` uses it. */
export const KVM_ARM32_CORE_FORMAT: StateFormat = oneRegStateFormat(KVM_ARM32_CORE, docs);
