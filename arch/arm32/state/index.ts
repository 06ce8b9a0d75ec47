/**
 * The arm32 backend's state support: its canonical AArch32 state and the
 * KVM/ARM v3.9 core format. An arm32 guest's state also travels through
 * the arm64 backend's formats (an AArch32 EL1 guest of an arm64 host), which
 * name its registers by this backend's canonical names.
 *
 * @module
 */

import type { StateSupport } from '../../../src/state/state-support.ts';
import { ARM32_STATE_REGISTERS, arm32MachineState } from './architectural-state.ts';
import { KVM_ARM32_CORE_FORMAT } from './kvm-arm32-core.ts';

/** The arm32 {@link StateSupport}. */
export const ARM32_STATE: StateSupport = {
  registers: ARM32_STATE_REGISTERS,
  fromMachine: arm32MachineState,
  formats: [KVM_ARM32_CORE_FORMAT],
};
