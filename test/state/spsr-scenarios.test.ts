/**
 * Every spsr-* scenario (arm64 and arm32 guests) reaches its guest ending
 * and then its named inspection outcome, with the values abi-facts §7.6
 * gives; without the state catalog the inspection says so instead of
 * guessing.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { ARM64_BACKEND } from '../../arch/arm64/backend.ts';
import { loadAbis } from '../../src/di/container.ts';
import { findScenario } from '../../src/scenario/reset-matrix.ts';
import { runScenario } from '../../src/scenario/runner.ts';
import { stateCatalog } from '../../src/state/state-catalog.ts';

const ABIS = loadAbis();
const CONTEXT = { state: stateCatalog([ARM32_BACKEND, ARM64_BACKEND]) };

const EXPECTED: readonly [typeof ARM64_BACKEND, string, string, RegExp][] = [
  [ARM64_BACKEND, 'spsr-negative-index-aarch64', 'spsr-el1-lost-in-migration', /uncached_cpsr = 0x000003c5, spsr = 0x00000000/],
  [ARM64_BACKEND, 'spsr-fixed-sync-aarch64', 'spsr-preserved', /banked_spsr\[0\.\.5\] = 0x00000000 0x000003c5/],
  [ARM64_BACKEND, 'spsr-partial-width-write', 'partial-write-v4.12-refused-v5.0.1', /v4\.12: U32 0x6020000000100048 .*accepted, spsr\[0\] now 0xa5a5a5a5800003c4/],
  [ARM64_BACKEND, 'spsr-documented-fiq-id', 'documented-id-rejected', /v5\.0\.1: 0x6060000000100050: -EINVAL/],
  [ARM32_BACKEND, 'spsr-shifted-banks-aarch32', 'banks-shifted-before-fix', /qemu-2014: banked_spsr\[0\.\.5\] = 0x000001d7 0x200001d3 0x000001d2/],
  [ARM32_BACKEND, 'spsr-env-spsr-sync', 'env-spsr-reaches-kvm-after-fix', /qemu-2015 put: KVM spsr\[3\] \(SPSR_irq\) = 0x600001d3; banked_spsr\[4\] = 0x600001d3/],
  [ARM32_BACKEND, 'spsr-compat-swap-abort', 'sp-abt-clobbered-in-compat-era', /compat-swapped: vcpu_reg\(vcpu, 14\) in abt mode is x21 .*sp_abt/],
  [ARM32_BACKEND, 'spsr-usr-sys-refused', 'spsr-request-refused', /cpsr = 0x400001df \(System mode\)/],
];

describe('spsr-* scenarios', () => {
  for (const [backend, name, outcome, line] of EXPECTED) {
    it(`${name}: guest-done, then ${outcome}`, () => {
      const run = runScenario(backend, findScenario(backend, name), ABIS, { context: CONTEXT });
      expect(run.outcome.kind).toBe('guest-done');
      expect(run.inspection?.result.outcome).toBe(outcome);
      expect(run.matches).toBe(true);
      expect(run.trace.some((l) => line.test(l))).toBe(true);
    });
  }

  it('the guests leave distinct SPSRs in every bank', () => {
    const run = runScenario(ARM32_BACKEND, findScenario(ARM32_BACKEND, 'spsr-shifted-banks-aarch32'), ABIS, { context: CONTEXT });
    const values = /spsr_svc = (\S+), spsr_abt = (\S+), spsr_und = (\S+), spsr_irq = (\S+), spsr_fiq = (\S+)/.exec(run.trace.join('\n'))!.slice(1);
    expect(new Set(values).size).toBe(5);
    expect(values).toEqual(['0x400001df', '0x000001d7', '0x200001d3', '0x000001d2', '0x200001d1']);
  });

  it('refusing the SPSR of SYS names the mode and the BUG()', () => {
    const run = runScenario(ARM32_BACKEND, findScenario(ARM32_BACKEND, 'spsr-usr-sys-refused'), ABIS, { context: CONTEXT });
    expect(run.inspection?.result.detail).toMatch(/SYS mode has no SPSR .*BUG\(\)/);
  });

  it('without a state catalog the inspection is an inspection-error, not a guess', () => {
    const run = runScenario(ARM32_BACKEND, findScenario(ARM32_BACKEND, 'spsr-env-spsr-sync'), ABIS);
    expect(run.inspection?.result.outcome).toBe('inspection-error');
    expect(run.matches).toBe(false);
  });
});
