/**
 * The arm64 scenarios on machines with several vCPUs (issue 13 §3).
 *
 * - `smp-psci-cpu-on-race-arm64`: PSCI CPU_ON (the SMC64 ID) raced from
 *   vCPUs 0, 2 and 3 at vCPU 1, through KVM/arm64's PSCI 1.0 (v4.16 on,
 *   after kvm_psci_vcpu_on took kvm->lock in v4.12, 6c7a5dce22b3): exactly
 *   one SUCCESS, the others ALREADY_ON (KVM's CPU_ON never answers
 *   ON_PENDING), and the target starts at EL1h at its entry point with the
 *   winner's context_id in x0.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import type { SmpScenario } from '../../../src/scenario/scenario.ts';
import { PSCI_ARM64_V1_0_HVC } from '../abis/psci-arm64.abi.ts';

/** Where the guest program is loaded (the backend's load address). */
const GUEST_BASE = 0x8_0000;
/** Where the PSCI firmware's vectors are (VBAR_EL2, 2 KiB aligned). */
const FIRMWARE_BASE = 0x1_0000;
/** VTTBR_EL2 of the VM: VMID 1 (bits 55:48, ARM ARM D13.2.151), no stage-2 table (the model does not translate). */
const VM_VTTBR = 1n << 48n;

function source(file: string): string {
  return readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
}

/** The arm64 SMP scenarios, built when first asked for. */
export function arm64SmpScenarios(): readonly SmpScenario[] {
  const guest = { segment: 'guest', symbol: 'start' };
  const at = (symbol: string) => ({ segment: 'guest', symbol });
  return [
    {
      name: 'smp-psci-cpu-on-race-arm64',
      arch: 'arm64',
      title: 'PSCI CPU_ON raced from every vCPU at one target: exactly one SUCCESS, the rest ALREADY_ON (KVM/arm64 PSCI 1.0, v4.16 on)',
      segments: [{ name: 'guest', base: GUEST_BASE, source: source('psci-cpu-on-race.s'), origin: 'arch/arm64/scenarios/psci-cpu-on-race.s' }],
      regions: [],
      firmware: { kind: 'spec', abi: PSCI_ARM64_V1_0_HVC, base: FIRMWARE_BASE },
      vcpus: [{ at: guest, mode: 'el1h' }, 'off', { at: guest, mode: 'el1h' }, { at: guest, mode: 'el1h' }],
      registers: { vttbr_el2: VM_VTTBR },
      exits: [{ at: at('race_ok'), kind: 'guest-done', what: 'vCPU 0 counted one SUCCESS and two ALREADY_ON, and the target started with the winner\'s context_id' }],
      errorExits: [{ at: at('race_bad'), what: 'the answers or the target\'s x0 are not what one locked CPU_ON gives' }],
      maxSteps: 20_000,
      seed: 1,
      report: ['result0', 'result2', 'result3', 'target_context', 'target_started'].map(at),
      expected: 'guest-done',
    },
  ];
}
