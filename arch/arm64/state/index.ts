/**
 * The arm64 backend's state support: its canonical AArch64 state, the KVM
 * arm64 ONE_REG core format (which also carries AArch32 EL1 guests), QEMU's
 * CPU structure with its two KVM syncs and its migration stream, and the
 * AArch32 ↔ AArch64 mapping page.
 *
 * @module
 */

import type { StateDocPage, StateSupport } from '../../../src/state/state-support.ts';
import { REGISTER_MAP_ERAS, SPSR_CORRESPONDENCE } from './aarch32-mapping.ts';
import { ARM64_STATE_REGISTERS, arm64MachineState } from './architectural-state.ts';
import { KVM_ARM64_CORE_FORMAT } from './kvm-arm64-core.ts';
import { KVM_ARM64_OPERATIONS } from './kvm-vcpu.ts';
import { QEMU_MIGRATION_STREAM, QEMU_SYNCS } from './qemu-kvm64-sync.ts';
import { QEMU_CPU_STATE_FORMAT } from './qemu-view-format.ts';

/** The AArch32 ↔ AArch64 register mapping as a docs page. */
export const AARCH32_MAPPING_PAGE: StateDocPage = {
  id: 'aarch32-aarch64-mapping',
  title: 'AArch32 ↔ AArch64 register mapping',
  doc: {
    intro: [
      'Which AArch64 register holds which AArch32 register when an AArch32 EL1 guest runs under an AArch64 hypervisor (ARM ARM DDI 0487 D1.20.1, table D1-77; Xen `vcpu_guest_core_regs`; QEMU commit 3a9148d0). Hyp has no banked LR: its LR is LR_usr (x14).',
      'The compat-swapped column is what older arm64 KVM took each X register to be (v3.10 backport tree `ptrace.h`; fix release unconfirmed). The hardware saves the architectural map, so in that era KVM\'s own writes (`vcpu_reg(vcpu, 14)` in Abort mode when injecting an abort) land in the wrong register: x21, which is SP_abt.',
    ],
    tables: [
      {
        title: 'General registers',
        header: ['AArch64', ...REGISTER_MAP_ERAS.map((e) => `${e.id} (${e.era})`)],
        rows: REGISTER_MAP_ERAS[0]!.map.map((_, x) => [`x${x}`, ...REGISTER_MAP_ERAS.map((e) => e.map[x]!)]),
      },
      { title: 'SPSR and ELR', header: ['AArch32', 'AArch64'], rows: SPSR_CORRESPONDENCE.map((c) => [c.aarch32, c.aarch64]) },
    ],
  },
};

/** The arm64 {@link StateSupport}. */
export const ARM64_STATE: StateSupport = {
  registers: ARM64_STATE_REGISTERS,
  fromMachine: arm64MachineState,
  formats: [KVM_ARM64_CORE_FORMAT, QEMU_CPU_STATE_FORMAT],
  syncs: QEMU_SYNCS,
  stream: QEMU_MIGRATION_STREAM,
  operations: KVM_ARM64_OPERATIONS,
  pages: [AARCH32_MAPPING_PAGE],
};
