/**
 * The arm64 MMIO scenarios (issue 13, abi-facts §12.7) as real guest code:
 * a guest at EL1 behind stage 2 touches the test device, the machine
 * raises the stage-2 data abort with its ESR_EL2, and the kvm-arm64-mmio
 * spec of one era answers at the EL2 vectors. Each scenario reaches its
 * outcome, the device sees the accesses, and the same guest under another
 * era ends otherwise (the era, not the guest, decides).
 */

import { describe, expect, it } from 'vitest';
import { KVM_ARM64_MMIO_ABIS } from '../../../arch/arm64/abis/kvm-arm64-mmio.abi.ts';
import { ARM64_BACKEND } from '../../../arch/arm64/backend.ts';
import { loadAbis } from '../../../src/di/container.ts';
import { findScenario } from '../../../src/scenario/reset-matrix.ts';
import { runScenario } from '../../../src/scenario/runner.ts';
import type { Scenario } from '../../../src/scenario/scenario.ts';

const ABIS = loadAbis();

function under(name: string, abiId?: string): ReturnType<typeof runScenario> {
  const scenario = findScenario(ARM64_BACKEND, name);
  if (abiId === undefined) return runScenario(ARM64_BACKEND, scenario, ABIS);
  const abi = KVM_ARM64_MMIO_ABIS.find((a) => a.spec.id === abiId)!;
  const swapped: Scenario = { ...scenario, firmware: scenario.firmware.map((f) => (f.kind === 'spec' ? { ...f, abi } : f)) };
  return runScenario(ARM64_BACKEND, swapped, ABIS);
}

describe('arm64 MMIO scenarios', () => {
  it('ISV = 1 on v5.6: the store, the doubleword load and the sign-extending halfword load reach the device, with the syndromes the machine raised', () => {
    const run = under('mmio-a64-isv-v5.6');
    expect(run.matches).toBe(true);
    const text = run.trace.join('\n');
    // str w1, [x0, #8]: ISV, SAS word, SRT 1, WnR; DFSC 0x06 (level 2: the device's 2 MiB has no stage-2 table).
    expect(text).toContain('syndrome 0x93810046');
    expect(text).toContain('syndrome 0x93c28006');
    expect(text).toContain('syndrome 0x93638006');
    expect(text).toMatch(/mmio write 4 bytes 0x00000041 at IPA 0x0a000008 \(test0 CTRL\)/);
    expect(text).toMatch(/mmio read 8 bytes 0x123456789abcdef0 at IPA 0x0a000000 \(test0 DATA\)/);
    expect(text).toMatch(/mmio read 2 bytes 0x8001 at IPA 0x0a000010 \(test0 SIGNED\)/);
  });

  it('ldrsh w4: v4.19 sign-extends into bits 63:32 (hypercall-misread), v5.6 keeps the W register 32 bits', () => {
    expect(under('mmio-a64-ldrsh-w-v4.19').outcome.kind).toBe('hypercall-misread');
    expect(under('mmio-a64-ldrsh-w-v5.6').outcome.kind).toBe('guest-done');
    expect(under('mmio-a64-ldrsh-w-v5.6', 'kvm-arm64-mmio-v4.19').outcome.kind).toBe('hypercall-misread');
    expect(under('mmio-a64-ldrsh-w-v4.19', 'kvm-arm64-mmio-v5.6-nisv').outcome.kind).toBe('guest-done');
    // The ISV = 1 path does not depend on the NISV capability: the same W load is right under the NISV era.
  });

  it("U-Boot's post-indexed accessor: -ENOSYS without the capability, ESR_EL1 0x96000010 in the guest with it; nothing reaches the device", () => {
    const stopped = under('mmio-a64-writeback-v5.6');
    expect(stopped.matches).toBe(true);
    expect(stopped.outcome.detail).toContain('KVM_RUN: -ENOSYS');
    const aborted = under('mmio-a64-writeback-v5.6-qemu');
    expect(aborted.matches).toBe(true);
    for (const run of [stopped, aborted]) {
      expect(run.trace.join('\n')).toContain('syndrome 0x92000006');
      expect(run.trace.some((l) => l.includes('mmio '))).toBe(false);
    }
    expect(under('mmio-a64-writeback-v5.6', 'kvm-arm64-mmio-v4.19').outcome.kind).toBe('vm-stopped');
    expect(under('mmio-a64-writeback-v5.6', 'kvm-arm64-mmio-v5.6-nisv').outcome.kind).toBe('guest-abort');
  });

  it('the ISV = 1 accesses are right under every era (only the W sign extension and ISV = 0 differ)', () => {
    for (const abi of KVM_ARM64_MMIO_ABIS) expect(under('mmio-a64-isv-v5.6', abi.spec.id).outcome.kind, abi.spec.id).toBe('guest-done');
  });
});
