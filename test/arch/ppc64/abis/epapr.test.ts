/**
 * The ePAPR family (abi-facts §8.3, §8.4, §8.6): v3.3 guests hard-code
 * `sc 1` and the `hcall-instructions` patching comes later; KVM on BookE-HV
 * answers the KVM vendor tokens on `sc 1` (so `dispatch ppc64 sc1
 * r11=0x2a0003` is a call, not `unknown`) and gives a user-mode `sc 1` a
 * program check.
 */

import { describe, expect, it } from 'vitest';
import { EPAPR, EPAPR_ABIS, EPAPR_KVM_BOOKE_HV_V3_5, EPAPR_KVM_BOOKE_HV_V3_8, ESR_PPR } from '../../../../arch/ppc64/abis/epapr.abi.ts';
import { EV_UNIMPLEMENTED } from '../../../../arch/ppc64/abis/kvm-ppc-pv.abi.ts';
import type { Abi, Privilege } from '../../../../src/abi/spec.ts';
import { interpret } from '../../../../src/dispatch/dispatcher.ts';
import { json } from '../../../support/cli.ts';

function run(abi: Abi, registers: Record<string, bigint>, privilege: Privilege = 'kernel') {
  return interpret(abi, { arch: 'ppc64', conduit: 'sc1', imm: 0, privilege, world: 'guest', registers });
}

const BOOKE_HV = [EPAPR_KVM_BOOKE_HV_V3_5, EPAPR_KVM_BOOKE_HV_V3_8];

describe('epapr (the guest ABI)', () => {
  it('starts at v3.3 with `sc 1` hard-coded; the hcall-instructions patching is later (v3.6 file, v3.8 wrappers)', () => {
    expect(EPAPR.spec.source.version).toBe('v3.3');
    expect(EPAPR.spec.era).toMatch(/`sc 1` hard-coded in the wrappers up to v3\.7; from v3\.8 the stub patched from `hcall-instructions`/);
    expect(EPAPR.spec.source.document).toMatch(/^v3\.3 tree .*`"sc 1"` hard-coded.*no arch\/powerpc\/kernel\/epapr_paravirt\.c; v3\.6 tree/);
    expect(EPAPR.spec.source.document).toContain('v3.8 tree (opennetworklinux/linux-3.8.13 @9cabf0dd): the wrappers call `bl epapr_hypercall_start`');
  });

  it('says its calls are not modelled, rather than claiming an answer', () => {
    const send = EPAPR.calls.find((c) => c.spec.name === 'EV_BYTE_CHANNEL_SEND')!;
    expect(send.spec.summary).toContain('not modelled');
    expect(run(EPAPR, { r11: 0x1_0001n }).writes).toEqual({});
  });
});

describe('KVM BookE-HV on sc 1', () => {
  it('answers KVM_HC_FEATURES (0x2a0003) and MAP_MAGIC_PAGE (0x2a0004)', () => {
    for (const abi of BOOKE_HV) {
      expect(run(abi, { r11: 0x2a_0003n }), abi.spec.id).toMatchObject({ call: 'KVM_HC_FEATURES', writes: { r3: 0n, r4: 0n } });
      expect(run(abi, { r11: 0x2a_0004n })).toMatchObject({ call: 'KVM_HC_PPC_MAP_MAGIC_PAGE', writes: { r3: 0n, r4: 0x3n } });
    }
  });

  it('has no r0 magic and reads the token as 32 bits', () => {
    for (const abi of BOOKE_HV) {
      expect(abi.spec.conditions ?? []).toEqual([]);
      expect(run(abi, { r11: 0x1_002a_0003n, r0: 20n }).call).toBe('KVM_HC_FEATURES');
    }
  });

  it('EV_IDLE is unimplemented before v3.8; the ePAPR byte channels are never implemented', () => {
    expect(run(EPAPR_KVM_BOOKE_HV_V3_5, { r11: 0x1_0010n })).toMatchObject({ call: 'unknown', writes: { r3: EV_UNIMPLEMENTED } });
    expect(run(EPAPR_KVM_BOOKE_HV_V3_8, { r11: 0x1_0010n })).toMatchObject({ call: 'EV_IDLE', writes: { r3: 0n } });
    for (const abi of BOOKE_HV) expect(run(abi, { r11: 0x1_0001n }).writes?.r3).toBe(EV_UNIMPLEMENTED);
  });

  it('a user-mode sc 1 is a program check (ESR[PPR]) into the guest, whatever the token', () => {
    for (const abi of BOOKE_HV) {
      for (const r11 of [0x2a_0003n, 0x1_0010n, 0x1234n]) {
        const result = run(abi, { r11, ivpr: 0xc000_0000_0000_0000n, ivor6: 0x700n }, 'user');
        expect(result.mine, abi.spec.id).toBe(true);
        expect(result.writes).toEqual({ esr: ESR_PPR });
        expect(result.outcome).toMatchObject({ kind: 'jump', target: 0xc000_0000_0000_0700n });
        expect(result.writes).not.toHaveProperty('r3');
      }
    }
    expect(ESR_PPR).toBe(0x0400_0000n);
  });

  it('are eras of the ePAPR family, from v3.5 (the first BookE-HV release)', () => {
    expect(EPAPR_ABIS.map((a) => [a.spec.id, a.spec.family, a.spec.source.version])).toEqual([
      ['epapr', 'epapr', 'v3.3'],
      ['epapr-kvm-booke-hv-v3.5', 'epapr', 'v3.5'],
      ['epapr-kvm-booke-hv-v3.8', 'epapr', 'v3.8'],
    ]);
  });
});

describe('hyplay dispatch ppc64 sc1 r11=0x2a0003', () => {
  it('is KVM_HC_FEATURES for the BookE-HV specs, no longer only `unknown`', () => {
    const doc = json('dispatch', 'ppc64', 'sc1', 'r11=0x2a0003', '--from', 'kernel');
    const mine = Object.fromEntries(doc.interpretations.filter((i: any) => i.mine).map((i: any) => [i.abi, i.call]));
    expect(mine).toMatchObject({ 'epapr-kvm-booke-hv-v3.5': 'KVM_HC_FEATURES', 'epapr-kvm-booke-hv-v3.8': 'KVM_HC_FEATURES' });
  });
});
