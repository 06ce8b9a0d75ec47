/**
 * The arm32 scenarios on machines with several vCPUs (issue 13 §3).
 *
 * - `smp-psci-cpu-on-race`: PSCI CPU_ON raced from vCPUs 0, 2 and 3 at
 *   vCPU 1, through the PSCI 1.0 spec KVM/arm32 answered guests with
 *   (v4.16–v5.6, after kvm_psci_vcpu_on took kvm->lock in v4.12,
 *   6c7a5dce22b3): exactly one SUCCESS, the others ALREADY_ON, and the
 *   target starts at its entry point with the winner's context_id in r0.
 *   KVM's CPU_ON never answers ON_PENDING: the target is on from the
 *   moment the winning call returns.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import type { SmpScenario } from '../../../src/scenario/scenario.ts';
import { PSCI_V0_2_HVC } from '../abis/psci.abi.ts';

/** Where the guest program is loaded. */
const GUEST_BASE = 0x8000;
/** VTTBR of the VM: VMID 1, no stage-2 table (the model does not translate). */
const VM_VTTBR = 1n << 48n;

/** Where the PSCI firmware's vectors are (HVBAR). */
const FIRMWARE_BASE = 0x4000;

function source(file: string): string {
  return readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
}

/** The arm32 SMP scenarios, built when first asked for. */
export function smpScenarios(): readonly SmpScenario[] {
  const guest = { segment: 'guest', symbol: 'start' };
  const at = (symbol: string) => ({ segment: 'guest', symbol });
  return [
    {
      name: 'smp-psci-cpu-on-race',
      arch: 'arm32',
      title: 'PSCI CPU_ON raced from every vCPU at one target: exactly one SUCCESS, the rest ALREADY_ON (KVM/arm32 PSCI 1.0, v4.16–v5.6)',
      segments: [{ name: 'guest', base: GUEST_BASE, source: source('psci-cpu-on-race.s'), origin: 'arch/arm32/scenarios/psci-cpu-on-race.s' }],
      regions: [],
      firmware: { kind: 'spec', abi: PSCI_V0_2_HVC, base: FIRMWARE_BASE },
      vcpus: [{ at: guest, mode: 'svc' }, 'off', { at: guest, mode: 'svc' }, { at: guest, mode: 'svc' }],
      // A VM's vCPUs: VTTBR.VMID (bits 55:48, ARM ARM B4.1.159) non-zero, so their calls come from a guest.
      registers: { vttbr: VM_VTTBR },
      exits: [{ at: at('race_ok'), kind: 'guest-done', what: 'vCPU 0 counted one SUCCESS and two ALREADY_ON, and the target started with the winner\'s context_id' }],
      errorExits: [{ at: at('race_bad'), what: 'the answers or the target\'s r0 are not what one locked CPU_ON gives' }],
      maxSteps: 20_000,
      seed: 1,
      report: ['result0', 'result2', 'result3', 'target_context', 'target_started'].map(at),
      expected: 'guest-done',
    },
  ];
}
