/**
 * The guest sequences of arch/arm32/scenarios/ against the eras they claim
 * (../shared/abi-facts.md §2.4, §2.5, §4.1, §4.2): the kexec steps and their
 * order, KVM's init call layout by era, who owns Hyp after KVM init and
 * after a VM is created, how KVM gives Hyp back (never, __kvm_hyp_reset
 * ending in eret, HVC_RESET_VECTORS), and that kdump runs no notifier.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../../../arch/arm32/backend.ts';
import { CRASH_START, HYP_BOOT_PGD, HYP_PGD, HYP_STACK, HYP_STACK_BYTES, KVM_VECTORS, STUB_VECTORS } from '../../../../arch/arm32/scenarios/kernel-image.ts';
import { scenarioRuns } from '../../../support/scenario-runs.ts';

const run = scenarioRuns(ARM32_BACKEND);

/** The guest labels a run reaches, in order (one per `label:` trace line; several labels on one address count once). */
function labels(name: string): string[] {
  return run(name)
    .trace.filter((line) => /^[\w.: ]+:$/.test(line) && !line.startsWith('=='))
    .flatMap((line) => line.slice(0, -1).split(': '));
}

/** The calls that reached KVM's init vectors (guest code at __kvm_hyp_init), r0–r3 each. */
function initCalls(name: string): bigint[][] {
  return run(name)
    .hvcs.filter((h) => h.owner.name === '__kvm_hyp_init')
    .map((h) => ['r0', 'r1', 'r2', 'r3'].map((r) => h.registers[r]!));
}

/** Where HVBAR points after KVM's init, before the reboot path: the value at the first call of the reboot path (or the end). */
function ownerAfterInit(name: string): string | undefined {
  const record = run(name).hvcs.find((h) => h.slot.name === 'hyp-trap' && h.registers['r0'] === 1n);
  return record?.owner.name;
}

const STACK_TOP = BigInt(HYP_STACK + HYP_STACK_BYTES);

describe('kexec (kernel_kexec), by era', () => {
  it('v4.12 and later: kernel_restart_prepare(NULL), migrate_to_reboot_cpu, cpu_hotplug_enable, machine_shutdown, then machine_kexec; no syscore_shutdown', () => {
    for (const name of ['kexec-v4.12-no-kvm', 'kexec-v4.12-kvm-v4.12-vm', 'kexec-v5.7-no-kvm', 'kexec-v3.7-kvm-v4.6-vm']) {
      const seen = labels(name);
      const order = ['kernel_restart_prepare', 'migrate_to_reboot_cpu', 'cpu_hotplug_enable', 'machine_shutdown', 'machine_kexec'].map((l) => seen.indexOf(l));
      expect(order.every((i) => i >= 0), name).toBe(true);
      expect([...order].sort((a, b) => a - b), name).toEqual(order);
      expect(seen, name).not.toContain('syscore_shutdown');
    }
  });

  it('v3.9: kernel_restart_prepare(NULL), then machine_shutdown, as the v3.9 tree has it', () => {
    const seen = labels('kexec-v3.7-kvm-v3.9');
    expect(seen).toContain('kernel_restart_prepare');
    expect(seen).toContain('machine_shutdown');
    expect(seen).not.toContain('migrate_to_reboot_cpu');
    expect(seen).not.toContain('cpu_hotplug_enable');
  });

  it('kdump never runs kernel_restart_prepare, so no reboot notifier', () => {
    const seen = labels('kdump-v4.12-kvm-v4.12-vm');
    expect(seen).not.toContain('kernel_restart_prepare');
    expect(seen).not.toContain('kvm_reboot');
    expect(seen).toContain('machine_crash_shutdown');
  });
});

describe("KVM's init call, by era (abi-facts §2.4)", () => {
  it('v3.9: one call into the init vectors with r0/r1 = the pgd, r2 = the stack, r3 = the vectors', () => {
    expect(initCalls('kexec-v3.7-kvm-v3.9')).toEqual([[BigInt(HYP_PGD), 0n, STACK_TOP, BigInt(KVM_VECTORS)]]);
  });

  it('v3.10–v4.5: two phases, r0 = 0 with the boot pgd, then the stack, the vectors and the runtime pgd', () => {
    expect(initCalls('kexec-v3.7-kvm-v3.10')).toEqual([
      [0n, 0n, BigInt(HYP_BOOT_PGD), 0n],
      [STACK_TOP, BigInt(KVM_VECTORS), BigInt(HYP_PGD), 0n],
    ]);
  });

  it('v4.6+: one call, r0 = the stack, r1 = the vectors, r2/r3 = the pgd; again for every time KVM takes Hyp (init, then a VM)', () => {
    expect(initCalls('kexec-v3.7-kvm-v4.6')).toEqual([[STACK_TOP, BigInt(KVM_VECTORS), BigInt(HYP_PGD), 0n]]);
    expect(initCalls('kexec-v3.7-kvm-v4.6-vm')).toHaveLength(2);
    expect(initCalls('kexec-v4.12-kvm-v4.12-vm')).toHaveLength(2);
  });
});

describe('who owns Hyp when the soft restart asks for it (abi-facts §2.5)', () => {
  it('v3.9–v4.5: KVM, from init on and whatever the path (the reboot notifier gives nothing back)', () => {
    expect(ownerAfterInit('kexec-v4.12-kvm-v3.9')).toBe('kvm-arm32-v3.9');
    expect(ownerAfterInit('kdump-v4.12-kvm-v3.9')).toBe('kvm-arm32-v3.9');
    expect(labels('kexec-v4.12-kvm-v3.9')).not.toContain('cpu_hyp_reset');
  });

  it('v4.6–v4.11: the stub after init; KVM only with a VM running, and kexec gives it back with __kvm_hyp_reset, which erets to the host', () => {
    expect(ownerAfterInit('kdump-v4.12-kvm-v4.6')).toBe('linux-hyp-stub-v4.12');
    expect(ownerAfterInit('kdump-v4.12-kvm-v4.6-vm')).toBe('kvm-arm32-v3.10');
    expect(ownerAfterInit('kexec-v4.12-kvm-v4.6-vm')).toBe('linux-hyp-stub-v4.12');
    const kexec = run('kexec-v4.12-kvm-v4.6-vm').trace;
    const reset = kexec.lastIndexOf('__kvm_hyp_reset:');
    expect(reset).toBeGreaterThan(0);
    expect(kexec.slice(reset).find((line) => line.startsWith('-- return'))).toMatch(/^-- return eret: hyp -> svc/);
  });

  it('v4.12: the stub after init; with a VM running KVM, which kexec resets with HVC_RESET_VECTORS', () => {
    expect(ownerAfterInit('kdump-v4.12-kvm-v4.12')).toBe('linux-hyp-stub-v4.12');
    expect(ownerAfterInit('kdump-v4.12-kvm-v4.12-vm')).toBe('kvm-arm32-v4.12');
    const reset = run('kexec-v4.12-kvm-v4.12-vm').hvcs.filter((h) => h.registers['r0'] === 2n).map((h) => h.handled?.call);
    expect(reset.at(-1)).toBe('HVC_RESET_VECTORS');
  });

  it('kdump with a VM on KVM v4.12: KVM performs the soft restart, and the crash kernel starts with r0 = 0, r1 = the stub vectors', () => {
    const kdump = run('kdump-v4.12-kvm-v4.12-vm');
    expect(kdump.outcome).toMatchObject({ kind: 'new-kernel-in-hyp', entry: CRASH_START });
    const last = kdump.hvcs.at(-1)!;
    expect(last.handled).toMatchObject({ abi: 'kvm-arm32-v4.12', call: 'HVC_SOFT_RESTART', writes: { r0: 0n, r1: BigInt(STUB_VECTORS) } });
  });
});
