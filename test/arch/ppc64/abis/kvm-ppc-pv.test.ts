/**
 * The merged KVM PPC PV eras (abi-facts §8.3, §8.6): first release v2.6.37
 * (not v2.6.36), KVM_MAGIC_FEAT_SR only and no EV_IDLE up to v3.3,
 * MAS0_TO_SPRG7 from v3.4, EV_IDLE from v3.8; the r11 token and the r0 magic
 * compared as 32 bits; and MAP_MAGIC_PAGE recording the page it maps.
 */

import { describe, expect, it } from 'vitest';
import {
  EV_UNIMPLEMENTED,
  KVM_PPC_PV_MERGED,
  KVM_PPC_PV_V2_6_37,
  KVM_PPC_PV_V3_4,
  KVM_PPC_PV_V3_8,
  KVM_SC_MAGIC_R0,
  MAGIC_PAGE_STATE,
  MSR_SF,
} from '../../../../arch/ppc64/abis/kvm-ppc-pv.abi.ts';
import { MapHypervisorState, type Abi, type Privilege } from '../../../../src/abi/spec.ts';
import { findCall, interpret, RecordingContext } from '../../../../src/dispatch/dispatcher.ts';

const FEATURES = 0x2a_0003n;
const MAP_MAGIC_PAGE = 0x2a_0004n;
const EV_IDLE = 0x1_0010n;

function run(abi: Abi, registers: Record<string, bigint>, privilege: Privilege = 'kernel') {
  return interpret(abi, { arch: 'ppc64', conduit: 'sc', imm: 0, privilege, world: 'guest', registers });
}

describe('kvm-ppc-pv eras', () => {
  it('start at v2.6.37, then v3.4 and v3.8, each citing a release tree', () => {
    expect(KVM_PPC_PV_MERGED.map((a) => [a.spec.id, a.spec.source.version])).toEqual([
      ['kvm-ppc-pv-v2.6.37', 'v2.6.37'],
      ['kvm-ppc-pv-v3.4', 'v3.4'],
      ['kvm-ppc-pv-v3.8', 'v3.8'],
    ]);
    expect(KVM_PPC_PV_V2_6_37.spec.era).toMatch(/^v2\.6\.37–v3\.3/);
    expect(KVM_PPC_PV_V2_6_37.spec.source.document).toContain('srinugnt2000/linux-2.6.37');
    expect(KVM_PPC_PV_V3_4.spec.source.note).toMatch(/no clean v3\.4 release tree/);
    expect(KVM_PPC_PV_V3_8.spec.source.document).toContain('opennetworklinux/linux-3.8.13');
  });

  it('MAP_MAGIC_PAGE returns KVM_MAGIC_FEAT_SR (0x1) up to v3.3, SR | MAS0_TO_SPRG7 (0x3) from v3.4', () => {
    const r4 = (abi: Abi) => run(abi, { r0: KVM_SC_MAGIC_R0, r11: MAP_MAGIC_PAGE }).writes;
    expect(r4(KVM_PPC_PV_V2_6_37)).toEqual({ r3: 0n, r4: 0x1n });
    expect(r4(KVM_PPC_PV_V3_4)).toEqual({ r3: 0n, r4: 0x3n });
    expect(r4(KVM_PPC_PV_V3_8)).toEqual({ r3: 0n, r4: 0x3n });
  });

  it('EV_IDLE is EV_UNIMPLEMENTED (12) before v3.8 and EV_SUCCESS from v3.8', () => {
    for (const abi of [KVM_PPC_PV_V2_6_37, KVM_PPC_PV_V3_4]) {
      expect(run(abi, { r0: KVM_SC_MAGIC_R0, r11: EV_IDLE }), abi.spec.id).toMatchObject({ call: 'unknown', writes: { r3: EV_UNIMPLEMENTED, r4: 0n } });
    }
    expect(run(KVM_PPC_PV_V3_8, { r0: KVM_SC_MAGIC_R0, r11: EV_IDLE })).toMatchObject({ call: 'EV_IDLE', writes: { r3: 0n, r4: 0n } });
  });

  it('KVM_HC_FEATURES offers the magic page (r4 = 1 << KVM_FEATURE_MAGIC_PAGE) in every era', () => {
    for (const abi of KVM_PPC_PV_MERGED) expect(run(abi, { r0: KVM_SC_MAGIC_R0, r11: FEATURES }).writes, abi.spec.id).toEqual({ r3: 0n, r4: 2n });
  });

  it('only a guest kernel may call it', () => {
    for (const abi of KVM_PPC_PV_MERGED) expect(run(abi, { r0: KVM_SC_MAGIC_R0, r11: FEATURES }, 'user').mine).toBe(false);
  });
});

describe('32-bit compares (`int nr`, `(u32)r0`)', () => {
  it('r11 = 0x1002a0003 is KVM_HC_FEATURES, and the upper half of r0 is ignored', () => {
    for (const abi of KVM_PPC_PV_MERGED) {
      expect(abi.spec.selector).toEqual({ register: 'r11', width: 32 });
      expect(run(abi, { r0: KVM_SC_MAGIC_R0, r11: 0x1_002a_0003n }).call, abi.spec.id).toBe('KVM_HC_FEATURES');
      expect(run(abi, { r0: 0xdead_beef_4b56_4d21n, r11: FEATURES }).call).toBe('KVM_HC_FEATURES');
      expect(run(abi, { r0: 0x4b56_4d22n, r11: FEATURES }).mine).toBe(false);
    }
  });
});

describe('KVM_HC_PPC_MAP_MAGIC_PAGE', () => {
  function map(msr: bigint) {
    const state = new MapHypervisorState();
    const registers = { r0: KVM_SC_MAGIC_R0, r11: MAP_MAGIC_PAGE, r3: 0x1_3fff_f000n, r4: 0xffff_ffff_ffff_f000n, msr };
    const origin = { privilege: 'kernel', world: 'guest' } as const;
    const call = findCall(KVM_PPC_PV_V3_8, 0, origin, (r) => registers[r as keyof typeof registers] ?? 0n);
    if (typeof call === 'string') throw new Error(call);
    call.spec.run(new RecordingContext(registers, 0, origin, state));
    return state;
  }

  it('records the magic page (vcpu->arch.magic_page_pa/ea) in the hypervisor state', () => {
    const state = map(MSR_SF);
    expect(state.get(MAGIC_PAGE_STATE.physical, -1n)).toBe(0x1_3fff_f000n);
    expect(state.get(MAGIC_PAGE_STATE.effective, -1n)).toBe(0xffff_ffff_ffff_f000n);
  });

  it('truncates the arguments to 32 bits when the guest runs with MSR[SF] = 0', () => {
    const state = map(0n);
    expect(state.get(MAGIC_PAGE_STATE.physical, -1n)).toBe(0x3fff_f000n);
    expect(state.get(MAGIC_PAGE_STATE.effective, -1n)).toBe(0xffff_f000n);
  });
});
