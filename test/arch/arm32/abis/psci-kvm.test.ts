/**
 * The SMCCC function-ID helpers against the IDs in abi-facts.md §5, and the
 * KVM/arm32 note that explains what a small "function pointer" does in Hyp.
 */

import { describe, expect, it } from 'vitest';
import { describeHypFunctionCall, HVC_STUB_HCALL_NR, KVM_ARM32_V4_12 } from '../../../../arch/arm32/abis/kvm-arm32.abi.ts';
import {
  decodeSmcccFunctionId,
  describeSmcccFunctionId,
  KVM_PSCI_FN_BASE,
  PSCI_FUNCTIONS,
  PSCI_RET,
  psciFunctionId,
  psciMacroName,
  psciVersion,
  PSCI_V0_2_HVC,
  SMCCC_OWNER,
  smcccFunctionId,
  smcccOwnerName,
} from '../../../../arch/arm32/abis/psci.abi.ts';

describe('SMCCC function IDs', () => {
  it('decodes the fields of PSCI, arch and vendor-hyp IDs', () => {
    expect(decodeSmcccFunctionId(0x8400_0003n)).toEqual({ id: 0x8400_0003, fast: true, smc64: false, owner: 4, ownerName: 'STANDARD', number: 3 });
    expect(decodeSmcccFunctionId(0xc400_0003n)).toMatchObject({ smc64: true, owner: 4, number: 3 });
    expect(decodeSmcccFunctionId(0x8000_8000)).toMatchObject({ fast: true, owner: SMCCC_OWNER.ARCH, number: 0x8000 });
    expect(decodeSmcccFunctionId(0x8600_ff01n)).toMatchObject({ ownerName: 'VENDOR_HYP', number: 0xff01 });
    expect(decodeSmcccFunctionId(0x3000_0001)).toMatchObject({ fast: false, owner: 48, ownerName: 'TRUSTED_APP' });
    expect(smcccOwnerName(63)).toBe('TRUSTED_OS');
    expect(smcccOwnerName(20)).toBe('reserved');
  });

  it('composes IDs the other way (fast + SMC32 + VENDOR_HYP = 0x86000000)', () => {
    expect(smcccFunctionId({ fast: true, smc64: false, owner: SMCCC_OWNER.VENDOR_HYP, number: 0 })).toBe(0x8600_0000n);
    expect(smcccFunctionId({ fast: true, smc64: true, owner: SMCCC_OWNER.STANDARD, number: 14 })).toBe(0xc400_000en);
    expect(describeSmcccFunctionId(0x8400_0003n)).toBe('0x84000003: fast SMC32/HVC32 call, owner STANDARD (4), function 3');
  });

  it('PSCI IDs, names and return codes match psci.h', () => {
    const byName = new Map(PSCI_FUNCTIONS.map((f) => [f.name, f]));
    expect(psciFunctionId(byName.get('CPU_ON')!)).toBe(0x8400_0003n);
    expect(psciFunctionId(byName.get('CPU_ON')!, true)).toBe(0xc400_0003n);
    expect(psciFunctionId(byName.get('SYSTEM_RESET2')!, true)).toBe(0xc400_0012n);
    expect(psciMacroName(byName.get('PSCI_FEATURES')!)).toBe('PSCI_1_0_FN_PSCI_FEATURES');
    expect(psciMacroName(byName.get('SYSTEM_SUSPEND')!, true)).toBe('PSCI_1_0_FN64_SYSTEM_SUSPEND');
    expect(PSCI_FUNCTIONS.filter((f) => f.smc64).map((f) => f.number)).toEqual([1, 3, 4, 5, 7, 14, 18]);
    expect(Object.values(PSCI_RET)).toEqual([0n, -1n, -2n, -3n, -4n, -5n, -6n, -7n, -8n, -9n]);
    expect(psciVersion(1, 0)).toBe(0x1_0000n);
    expect(KVM_PSCI_FN_BASE).toBe(0x95c1_ba5en);
    expect(PSCI_V0_2_HVC.calls.find((c) => c.spec.name === 'PSCI_0_2_FN_CPU_ON')?.spec.summary).toContain('owner STANDARD (4), function 3');
  });
});

describe('KVM/arm32 function-pointer note', () => {
  it('says prefetch abort for every target below 0x1000, and why', () => {
    expect(describeHypFunctionCall(1n)).toContain('odd target: BLX switches to Thumb state at 0x0');
    expect(describeHypFunctionCall(2n)).toContain('ARM-state branch to the misaligned address 0x2');
    expect(describeHypFunctionCall(0xffcn)).toContain('branch to 0xffc; page 0 is never mapped in Hyp');
    for (const target of [0n, 1n, 2n, 3n, 0xfffn]) expect(describeHypFunctionCall(target)).toContain('prefetch abort in Hyp (HVBAR+0x0c)');
    expect(describeHypFunctionCall(0x1000n)).not.toContain('prefetch abort');
    expect(describeHypFunctionCall(0xc000_0001n)).toContain('Thumb state');
  });

  it('v4.12 reserves exactly r0 < HVC_STUB_HCALL_NR for stub calls', () => {
    expect(HVC_STUB_HCALL_NR).toBe(3n);
    expect(KVM_ARM32_V4_12.calls.map((c) => [c.spec.name, c.values.toString()])).toEqual([
      ['HVC_SET_VECTORS', '0x0'],
      ['HVC_SOFT_RESTART', '0x1'],
      ['HVC_RESET_VECTORS', '0x2'],
      ['kvm_call_hyp', '0x3–0xffffffff'],
    ]);
  });
});
