/**
 * QEMU's `CPUARMState` as a state format: a canonical state written into the
 * structure as QEMU's own emulation holds it (`banked_spsr` by
 * `bank_number`, the current mode's SPSR also in `env->spsr`, the flags in
 * their cache fields), exported field by field at byte offsets.
 *
 * @module
 */

import { fieldsAt } from '../../../src/state/struct-layout.ts';
import type { FormatDoc, StateFormat } from '../../../src/state/state-format.ts';
import { structStateFormat } from '../../../src/state/struct-format.ts';
import { KVM_ARM64_CORE, KVM_SPSR_MODES } from './kvm-arm64-core.ts';
import { QEMU_CPU_STATE } from './qemu-cpu-state.ts';
import { QEMU_MIGRATION_STREAM, QEMU_SYNCS, qemuFromView, qemuReset, qemuView } from './qemu-kvm64-sync.ts';

const BANK_NAMES = ['usr/sys', 'svc (SPSR_EL1)', 'abt', 'und', 'irq', 'fiq', 'hyp (SPSR_EL2)', 'mon'];

function docs(): FormatDoc {
  const layout = QEMU_CPU_STATE;
  const spsrBase = layout.fields.find((f) => f.name === 'banked_spsr')!.offset;
  return {
    intro: [
      `\`${layout.name}\`, ${layout.era} layout. Source: ${layout.source}.`,
      `\`&banked_spsr[-1]\` is byte ${spsrBase - 8}: the 8 bytes ${fieldsAt(layout, spsrBase - 8, 8).join(' and ')} (low word first on a little-endian host).`,
      `Syncs with KVM (\`--via\`): ${QEMU_SYNCS.map((s) => `\`${s.id}\` (${s.title}; ${s.source})`).join('; ')}.`,
      `Migration stream: ${QEMU_MIGRATION_STREAM.title}; ${QEMU_MIGRATION_STREAM.source}.`,
    ],
    tables: [
      { title: 'Layout', header: ['Field', 'Offset', 'Element bytes', 'Elements', 'What'], rows: layout.fields.map((f) => [`\`${f.name}\``, `${f.offset}`, `${f.bytes}`, `${f.count}`, f.what]) },
      { title: 'SPSR banks (bank_number)', header: ['Index', 'Bank', 'Offset'], rows: BANK_NAMES.map((name, i) => [`${i}`, name, `${spsrBase + 8 * i}`]) },
      {
        title: 'KVM spsr[i] and the QEMU slot each sync uses',
        header: ['KVM', 'ID', ...QEMU_SYNCS.map((s) => s.id)],
        rows: KVM_SPSR_MODES.map((mode, i) => {
          const r = KVM_ARM64_CORE.registers.findIndex((x) => x.name === `spsr[${i}]`);
          const slotOf = (sync: (typeof QEMU_SYNCS)[number]): string => {
            const offset = spsrBase + 8 * (sync.id === 'qemu-2014' ? i - 1 : i + 1);
            return `\`banked_spsr[${(offset - spsrBase) / 8}]\` = ${fieldsAt(layout, offset, 8).join(' + ')}`;
          };
          return [`\`spsr[${i}]\` (${mode})`, `\`0x${KVM_ARM64_CORE.ids[r]!.toString(16).padStart(16, '0')}\``, ...QEMU_SYNCS.map(slotOf)];
        }),
      },
      { title: 'Migration stream fields', header: ['Field', 'Carried as', 'What'], rows: QEMU_MIGRATION_STREAM.fields.map((f) => [`\`${f.name}\``, f.raw === undefined ? 'accessor' : 'bytes', f.what]) },
    ],
  };
}

/** The QEMU CPU structure format. */
export const QEMU_CPU_STATE_FORMAT: StateFormat = structStateFormat({
  id: 'qemu-cpuarmstate',
  title: "QEMU's CPUARMState (2014–2015 layout): banked_spsr[8] by bank_number, env->spsr, uncached_cpsr",
  guests: ['arm64', 'arm32'],
  eras: QEMU_SYNCS.map((s) => s.id),
  layout: QEMU_CPU_STATE,
  reset: qemuReset,
  fill: qemuFromView,
  read: qemuView,
  docs,
});
