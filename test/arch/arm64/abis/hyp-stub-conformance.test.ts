/**
 * The assembly hyp-stubs of arch/arm64/firmware/ against the generated
 * conformance suites: each stub passes its own era's suite (every case the
 * spec firmware passes), fails the neighbouring eras' suites with a line
 * that says why, and `hyplay conformance <id> --impl asm:<name>` reports
 * the same at the command line.
 */

import { describe, expect, it } from 'vitest';
import { ARM64_FIRMWARE_PORT } from '../../../../arch/arm64/firmware-port.ts';
import { ARM64_FIRMWARE_IMPLEMENTATIONS } from '../../../../arch/arm64/firmware/index.ts';
import { ARM64_HYP_STUBS } from '../../../../arch/arm64/firmware/hyp-stubs.ts';
import { loadAbis } from '../../../../src/di/container.ts';
import { generateSuite, runSuite, specFirmwareImplementation, type ConformanceReport } from '../../../../src/firmware/conformance.ts';
import { cli } from '../../../support/cli.ts';

const ABIS = loadAbis();
const DRIVER = ARM64_FIRMWARE_PORT.conformance!;

function report(abiId: string, implementation: string): ConformanceReport {
  const abi = ABIS.get(abiId)!;
  const suite = generateSuite(abi, ARM64_FIRMWARE_PORT, DRIVER);
  const impl = implementation === 'spec' ? specFirmwareImplementation(ARM64_FIRMWARE_PORT, abi) : ARM64_FIRMWARE_IMPLEMENTATIONS.find((i) => i.name === implementation)!;
  return runSuite(abi, suite, ARM64_FIRMWARE_PORT, DRIVER, impl);
}

describe('arm64 assembly hyp-stubs', () => {
  it('ships one implementation per numbered stub era, asm:<name>, each naming its spec', () => {
    expect(ARM64_FIRMWARE_IMPLEMENTATIONS.map((i) => [i.name, i.implements])).toEqual([
      ['asm:hyp-stub-v3.9', 'linux-hyp-stub-arm64-v3.9'],
      ['asm:hyp-stub-v4.7', 'linux-hyp-stub-arm64-v4.7'],
      ['asm:hyp-stub-v4.8', 'linux-hyp-stub-arm64-v4.8'],
      ['asm:hyp-stub-v4.12', 'linux-hyp-stub-arm64-v4.12'],
      ['asm:hyp-stub-v5.12', 'linux-hyp-stub-arm64-v5.12'],
    ]);
  });

  for (const stub of ARM64_HYP_STUBS) {
    it(`asm:${stub.name} passes ${stub.implements}'s suite wherever the spec firmware does`, () => {
      const asm = report(stub.implements, `asm:${stub.name}`);
      const spec = report(stub.implements, 'spec');
      expect(asm.results.length).toBeGreaterThan(3);
      expect(asm.results.map((r) => [r.name, r.pass])).toEqual(spec.results.map((r) => [r.name, r.pass]));
      expect(asm.failed).toBe(0);
      expect(spec.failed).toBe(0);
    });
  }

  it('VHE_RESTART returns to the caller at EL2h when the CPU has VHE, and at EL1h with HVC_STUB_ERR when it has not or the EL2 MMU is on', () => {
    for (const impl of ['spec', 'asm:hyp-stub-v5.12']) {
      const vhe = report('linux-hyp-stub-arm64-v5.12', impl).results.filter((r) => r.call === 'HVC_VHE_RESTART');
      expect(vhe.map((r) => [r.pass, r.mode])).toEqual([
        [true, 'el2h'],
        [true, 'el1h'],
        [true, 'el1h'],
      ]);
      expect(vhe[0]!.why).toMatch(/^returned to the caller at 0x00008004 in el2h \(not the caller's el1h: .*\) with hcr_el2=0x488000000, sp_el2=0xffff800012343f00, tpidr_el2=0xffff00007f7f0000, vbar_el2=0xffff800010010800, mdcr_el2=0x6, .*spsr_el2=0x3c9, sctlr_el2=0x30d0199c, x0=0x0; 12 registers preserved$/);
      expect(vhe[1]!.why).toMatch(/^returned to the caller at 0x00008004 in el1h with x0=0xbadca11/);
    }
  });

  it('a stub that refuses VHE_RESTART fails the upgrade case: it returned at EL1, not EL2', () => {
    const old = report('linux-hyp-stub-arm64-v5.12', 'asm:hyp-stub-v4.12');
    const vhe = old.results.find((r) => r.call === 'HVC_VHE_RESTART')!;
    expect(vhe.pass).toBe(false);
    expect(vhe.why).toMatch(/^expected to return to the caller at 0x00008004 in el2h \(not the caller's el1h: .*\) with .*; got a return to the caller at 0x00008004 in el1h$/);
  });

  it('fails the wrong era with a line saying why', () => {
    // The v4.8 stub under the v4.12 numbering: SET_VECTORS (0) is its GET, SOFT_RESTART (1) its SET.
    const old = report('linux-hyp-stub-arm64-v4.12', 'asm:hyp-stub-v4.8');
    expect(old.failed).toBeGreaterThan(0);
    expect(old.results.find((r) => r.call === 'HVC_SET_VECTORS')!.why).toMatch(/^expected to return to the caller at 0x00008004 in el1h with vbar_el2=0x40080800, x0=0x0; returned, but vbar_el2=0x2000 \(expected 0x40080800\), x0=0x2000 \(expected 0x0\)/);
    expect(old.results.find((r) => r.call === 'HVC_SOFT_RESTART')!.why).toMatch(/^expected to land at 0x40080000 in el2h .*; got a return to the caller/);
    // The v4.12 stub under the v4.8 numbering: GET (0) is its SET, SOFT_RESTART (2) its RESET.
    const renumbered = report('linux-hyp-stub-arm64-v4.8', 'asm:hyp-stub-v4.12');
    expect(renumbered.results.find((r) => r.call === 'HVC_SOFT_RESTART')!.pass).toBe(false);
    expect(renumbered.results.find((r) => r.call === 'unknown' && !r.pass)!.why).toMatch(/x0=0xbadca11 \(expected 0x3\)/);
  });

  it('hyplay conformance <id> --impl asm:<name> passes its era and fails another with exit status 1', () => {
    const good = cli('conformance', 'linux-hyp-stub-arm64-v4.12', '--impl', 'asm:hyp-stub-v4.12');
    expect(good.status).toBe(0);
    expect(good.out).toMatch(/7 passed, 0 failed/);
    const bad = cli('conformance', 'linux-hyp-stub-arm64-v4.12', '--impl', 'asm:hyp-stub-v3.9');
    expect(bad.status).toBe(1);
    expect(bad.out).toMatch(/^FAIL HVC_SOFT_RESTART .*: expected to land at 0x40080000 in el2h/m);
  });
});
