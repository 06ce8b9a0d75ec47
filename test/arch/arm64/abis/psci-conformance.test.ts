/**
 * The arm64 PSCI/SMCCC answers are 64 bits wide: KVM writes
 * SMCCC_RET_NOT_SUPPORTED as an unsigned long −1 into x0 (smccc_set_retval
 * and handle_smc's vcpu_set_reg(vcpu, 0, ~0UL)), although the function ID
 * is read from w0. The conformance suite compares at the register width, so
 * an implementation that writes only w0 (the 32-bit −1, 0xffffffff) fails.
 */

import { describe, expect, it } from 'vitest';
import { PSCI_ARM64_GUEST_SMC_V5_7, PSCI_ARM64_V1_0_HVC } from '../../../../arch/arm64/abis/psci-arm64.abi.ts';
import { ARM64_FIRMWARE_PORT } from '../../../../arch/arm64/firmware-port.ts';
import { defineAbi, RETURN, type Abi } from '../../../../src/abi/spec.ts';
import { generateSuite, runSuite, specFirmwareImplementation, valueWidth } from '../../../../src/firmware/conformance.ts';

const DRIVER = ARM64_FIRMWARE_PORT.conformance!;

/** `abi` with every call answering the 32-bit −1 in w0 (x0's high half cleared, as `mov w0, #-1` does). */
function narrow(abi: Abi): Abi {
  return defineAbi({
    ...abi.spec,
    id: `${abi.spec.id}-narrow`,
    examples: [],
    calls: [{ name: 'narrow', select: 'otherwise', summary: 'w0 ← −1', results: [{ register: 'x0', role: '−1 in w0' }], run: (call) => (call.setU32('x0', 0xffff_ffff), RETURN) }],
  });
}

describe('arm64 SMCCC results fill x0', () => {
  it('the suite compares arm64 registers at 64 bits even where the selector is w0', () => {
    expect(PSCI_ARM64_GUEST_SMC_V5_7.spec.selector.width).toBe(32);
    expect(valueWidth(PSCI_ARM64_GUEST_SMC_V5_7, DRIVER)).toBe(64);
  });

  for (const abi of [PSCI_ARM64_GUEST_SMC_V5_7, PSCI_ARM64_V1_0_HVC]) {
    it(`${abi.spec.id}: the spec firmware answers an unknown ID with the 64-bit −1 and passes; a w0-only −1 fails, naming x0`, () => {
      const suite = generateSuite(abi, ARM64_FIRMWARE_PORT, DRIVER);
      const own = runSuite(abi, suite, ARM64_FIRMWARE_PORT, DRIVER, specFirmwareImplementation(ARM64_FIRMWARE_PORT, abi));
      expect(own.failed).toBe(0);
      const unknown = own.results.find((r) => r.call === (abi === PSCI_ARM64_V1_0_HVC ? 'unknown' : 'not_supported'))!;
      expect(unknown.why).toMatch(/with (.*, )?x0=0xffffffffffffffff/);
      const wrong = runSuite(abi, suite, ARM64_FIRMWARE_PORT, DRIVER, specFirmwareImplementation(ARM64_FIRMWARE_PORT, narrow(abi)));
      const failure = wrong.results.find((r) => r.call === unknown.call && !r.pass)!;
      expect(failure.why).toMatch(/x0=0xffffffff \(expected 0xffffffffffffffff\)/);
    });
  }
});
