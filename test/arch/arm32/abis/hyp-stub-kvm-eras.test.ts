/**
 * The hyp-stub and KVM/arm32 host-call specs against the eras and sources of
 * ../shared/abi-facts.md §1 and §2: each item of the "Known errors" tables
 * of §1.5 and §2.6 has a case here (the v5.7 kernel proper refuses
 * SET_VECTORS, the stub starts at v3.7, the out-of-tree soft-reboot stub
 * replaces a combination no source has, the v4.12 document path, KVM's
 * r0 = -1 from v3.10, and the soft-restart target's registers under KVM).
 */

import { describe, expect, it } from 'vitest';
import { ARM32_ABIS } from '../../../../arch/arm32/abis/index.ts';
import { HSCTLR_MMU_AND_CACHES, HYP_STUB_VECTORS, KVM_ARM32_2017_INTERIM, KVM_ARM32_V3_10, KVM_ARM32_V3_9, KVM_ARM32_V4_12 } from '../../../../arch/arm32/abis/kvm-arm32.abi.ts';
import { HVC_STUB_ERR, LINUX_HYP_STUB_RMK, LINUX_HYP_STUB_V3_6, LINUX_HYP_STUB_V4_12, LINUX_HYP_STUB_V5_7, LINUX_HYP_STUB_V5_7_ZIMAGE } from '../../../../arch/arm32/abis/linux-hyp-stub.abi.ts';
import { ARM32_INSTRUCTION_SET, createArm32Machine } from '../../../../arch/arm32/core.ts';
import { ARM32_FIRMWARE_PORT } from '../../../../arch/arm32/firmware-port.ts';
import { scenarioSource } from '../../../../arch/arm32/scenarios/kernel-image.ts';
import type { Abi } from '../../../../src/abi/spec.ts';
import { interpret, type Interpretation } from '../../../../src/dispatch/dispatcher.ts';
import { installSpecFirmware } from '../../../../src/firmware/firmware.ts';
import { assemble } from '../../../../src/isa/assembler.ts';

function hvc(abi: Abi, registers: Record<string, bigint>): Interpretation {
  return interpret(abi, { arch: 'arm32', conduit: 'hvc', imm: 0, privilege: 'kernel', world: 'host', registers });
}

describe('linux-hyp-stub eras', () => {
  it('the original stub starts at v3.7 (the v3.6 tree has none); the id stays linux-hyp-stub-v3.6', () => {
    expect(LINUX_HYP_STUB_V3_6.spec).toMatchObject({ id: 'linux-hyp-stub-v3.6', era: 'v3.7–v4.11' });
    expect(LINUX_HYP_STUB_V3_6.spec.source.version).toBe('v3.7');
    expect(LINUX_HYP_STUB_V3_6.spec.source.document).toContain('v3.7 tree');
  });

  it('v5.7 kernel proper: r0 = 0 answers HVC_STUB_ERR and leaves HVBAR alone; only SOFT_RESTART remains', () => {
    const set = hvc(LINUX_HYP_STUB_V5_7, { r0: 0n, r1: 0x8000_1000n, hvbar: 0x8010_0000n });
    expect(set).toMatchObject({ call: 'HVC_SET_VECTORS', writes: { r0: HVC_STUB_ERR } });
    expect(set.writes).not.toHaveProperty('hvbar');
    expect(hvc(LINUX_HYP_STUB_V5_7, { r0: 1n, r1: 0x8000_8000n }).outcome).toEqual({ kind: 'jump', target: 0x8000_8000n, note: expect.any(String) });
    expect(LINUX_HYP_STUB_V5_7.spec.purpose).not.toMatch(/keeps only what the decompressor and kexec need: SET_VECTORS/);
  });

  it("v5.7 decompressor copy: a spec of its own, the only v5.7 stub that sets HVBAR", () => {
    expect(LINUX_HYP_STUB_V5_7_ZIMAGE.spec.id).toBe('linux-hyp-stub-v5.7-zimage');
    expect(hvc(LINUX_HYP_STUB_V5_7_ZIMAGE, { r0: 0n, r1: 0x8000_1000n }).writes).toEqual({ hvbar: 0x8000_1000n, r0: 0n });
    expect(hvc(LINUX_HYP_STUB_V5_7_ZIMAGE, { r0: 2n }).writes).toEqual({ r0: HVC_STUB_ERR });
  });

  it("stub-v5.7.s's __hyp_set_vectors, run against the kernel proper's stub, gets HVC_STUB_ERR and HVBAR stays", () => {
    const machine = createArm32Machine();
    const source = ['        ldr     r0, new_vectors', '        bl      __hyp_set_vectors', '        wfi', scenarioSource('stub-v5.7.s'), '        .align  2', 'new_vectors: .word 0x80001000'].join('\n');
    machine.memory.load(0x8000, assemble(ARM32_INSTRUCTION_SET, source, 0x8000).bytes);
    installSpecFirmware(machine, ARM32_FIRMWARE_PORT, LINUX_HYP_STUB_V5_7, 0x2000);
    machine.setMode('svc');
    machine.pc = 0x8000;
    expect(machine.run(100)).toMatchObject({ reason: 'wfi' });
    expect(machine.register('r0')).toBe(HVC_STUB_ERR);
    expect(machine.register('hvbar')).toBe(0x2000n);
  });

  it('no spec combines altera numbering with beagleboard registers any more: the shipped soft-reboot variant is modelled, marked out of tree', () => {
    expect(ARM32_ABIS.map((a) => a.spec.id)).not.toContain('linux-hyp-stub-2017-proposal');
    expect(LINUX_HYP_STUB_RMK.spec).toMatchObject({ id: 'linux-hyp-stub-rmk', status: 'out-of-tree' });
    expect(LINUX_HYP_STUB_RMK.spec.source.document).toContain('beagleboard/linux:arch/arm/kernel/hyp-stub.S @4a8e59d4');
    expect(LINUX_HYP_STUB_RMK.calls.map((c) => [c.spec.name, c.values.toString()])).toEqual([
      ['HVC_GET_VECTORS', '0xffffffff'],
      ['HVC_SOFT_RESTART', '0x1'],
      ['HVC_SET_VECTORS', '0x0, 0x2–0xfffffffe'],
    ]);
  });

  it('the soft-reboot stub: -1 gets, 1 restarts at r3 (mov r0, r3; bx r0), anything else sets HVBAR with no error value', () => {
    expect(hvc(LINUX_HYP_STUB_RMK, { r0: 0xffff_ffffn, hvbar: 0x8010_0000n }).writes).toEqual({ r0: 0x8010_0000n });
    const restart = hvc(LINUX_HYP_STUB_RMK, { r0: 1n, r1: 1n, r3: 0x8080_8000n });
    expect(restart).toMatchObject({ call: 'HVC_SOFT_RESTART', writes: { r0: 0x8080_8000n }, outcome: { kind: 'jump', target: 0x8080_8000n } });
    expect(hvc(LINUX_HYP_STUB_RMK, { r0: 2n }).writes).toEqual({ hvbar: 2n });
    expect(hvc(LINUX_HYP_STUB_RMK, { r0: 0x8000_1000n }).writes).toEqual({ hvbar: 0x8000_1000n });
  });

  it('v4.12 cites the document its release has: Documentation/virtual/kvm/arm/hyp-abi.txt', () => {
    for (const abi of [LINUX_HYP_STUB_V4_12, KVM_ARM32_V4_12]) {
      expect(abi.spec.source.document).toContain('Documentation/virtual/kvm/arm/hyp-abi.txt');
      expect(abi.spec.source.document).not.toContain('Documentation/virt/kvm/arm/hyp-abi.rst');
    }
  });
});

describe('kvm-arm32 eras', () => {
  it('v3.9: every r0 is a function pointer, -1 included (blx 0xffffffff: Thumb at 0xfffffffe)', () => {
    expect(KVM_ARM32_V3_9.spec.era).toBe('v3.9');
    expect(KVM_ARM32_V3_9.calls.map((c) => [c.spec.name, c.values.toString()])).toEqual([['kvm_call_hyp', 'any']]);
    const get = hvc(KVM_ARM32_V3_9, { r0: 0xffff_ffffn, hvbar: 0x8011_0000n });
    expect(get).toMatchObject({ call: 'kvm_call_hyp', outcome: { kind: 'call', target: 0xffff_ffffn } });
    expect(get.effect).toContain('Thumb state at 0xfffffffe');
  });

  it('v3.10–v4.11: r0 = -1 is get-vectors, answered by KVM', () => {
    expect(KVM_ARM32_V3_10.spec.era).toBe('v3.10–v4.11');
    expect(hvc(KVM_ARM32_V3_10, { r0: 0xffff_ffffn, hvbar: 0x8011_0000n })).toMatchObject({ call: '__hyp_get_vectors', writes: { r0: 0x8011_0000n } });
    expect(hvc(KVM_ARM32_V3_10, { r0: 1n, r1: 0x8000_8000n })).toMatchObject({ call: 'kvm_call_hyp', outcome: { kind: 'call', target: 1n } });
  });

  it('v4.12: the soft-restart target sees r0 = 0, r1 = the stub vectors, HVBAR = the stub, HSCTLR MMU and caches off, ELR_hyp = the target', () => {
    const restart = hvc(KVM_ARM32_V4_12, { r0: 1n, r1: 0x8000_8000n, hsctlr: 0x30c5_1805n });
    expect(restart.outcome).toMatchObject({ kind: 'jump', target: 0x8000_8000n });
    expect(restart.writes).toEqual({ elr_hyp: 0x8000_8000n, hsctlr: 0x30c5_1805n & ~HSCTLR_MMU_AND_CACHES, r1: HYP_STUB_VECTORS, hvbar: HYP_STUB_VECTORS, r0: 0n });
    // The stub writes nothing: its target sees r0 = 1 and r1 = itself.
    expect(hvc(LINUX_HYP_STUB_V4_12, { r0: 1n, r1: 0x8000_8000n }).writes).toEqual({});
    expect(KVM_ARM32_V4_12.calls.find((c) => c.spec.name === 'HVC_SOFT_RESTART')!.spec.clobbers).toEqual(['r12']);
  });

  it('the interim patch is marked UNCONFIRMED and is no era of the history', () => {
    expect(KVM_ARM32_2017_INTERIM.spec.status).toBe('proposal');
    expect(KVM_ARM32_2017_INTERIM.spec.era).toContain('UNCONFIRMED');
    expect(KVM_ARM32_2017_INTERIM.spec.source.note).toContain('It is not in the reset matrix');
  });
});
