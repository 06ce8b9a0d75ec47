/**
 * The x86 host model running real guest code: a VMCALL exit answered by a
 * KVM spec (RAX written, RIP past the instruction), the other vendor's
 * instruction patched in guest memory and re-executed without RIP advancing
 * (kvm-unit-tests x86/hypercall.c "patched"), the AMD mirror, the CPL-3
 * asymmetry, the quirk, and Hyper-V taking KVM_HC_KICK_CPU once enabled.
 */

import { describe, expect, it } from 'vitest';
import { HYPERV_TLFS_ABIS } from '../../../../arch/x86_64/abis/hyperv-tlfs.abi.ts';
import { PATCHING_ERAS } from '../../../../arch/x86_64/abis/hypercall-patching.ts';
import { KVM_X86_ABIS } from '../../../../arch/x86_64/abis/kvm-x86.abi.ts';
import { X86_64_BACKEND } from '../../../../arch/x86_64/backend.ts';
import type { X86Machine } from '../../../../arch/x86_64/core.ts';
import { SpecHost, type SpecHostOptions } from '../../../../arch/x86_64/firmware/spec-host.ts';
import type { Abi } from '../../../../src/abi/spec.ts';
import { assemble } from '../../../../src/isa/assembler.ts';
import { machineWith, RSP0, stackWord } from '../machine-harness.ts';

const BASE = 0x10_0000;
const V411 = PATCHING_ERAS.find((era) => era.key === 'v4.11')!;
const QUIRK = PATCHING_ERAS.find((era) => era.key === 'quirk')!;

function spec(id: string): Abi {
  const abi = [...KVM_X86_ABIS, ...HYPERV_TLFS_ABIS].find((a) => a.spec.id === id);
  if (abi === undefined) throw new Error(id);
  return abi;
}

/** A machine of `vendor` running `source` at CPL 0 (or 3), with a spec host. */
function guest(vendor: 'intel' | 'amd', source: string, options: SpecHostOptions, mode = 'cpl0'): { machine: X86Machine; host: SpecHost; labels: ReadonlyMap<string, number> } {
  const machine = X86_64_BACKEND.createMachine({ choices: { vendor } }) as X86Machine;
  const program = assemble(X86_64_BACKEND.instructionSet('little'), source, BASE);
  machine.memory.map(BASE - 0x1000, 0x2000);
  machine.memory.load(BASE, program.bytes);
  machine.setMode(mode);
  machine.pc = BASE;
  const host = SpecHost.install(machine, options);
  return { machine, host, labels: program.symbols };
}

const TWICE = `
        movq    $-1, %rax
call1:  vmmcall
        movq    %rax, %rbx
        movq    $-1, %rax
call2:  vmmcall
        hlt
`;

describe('the spec host', () => {
  it('Intel host, vmmcall at CPL 0, RAX = −1: #UD, patched to vmcall at the same RIP, exit 18, RAX = −1000; the second call exits directly', () => {
    const { machine, host } = guest('intel', TWICE, { abis: [spec('kvm-x86-v4.11-vmcall')], patching: V411 });
    const result = machine.run(50);
    expect(result.reason).not.toBe('budget-exhausted');
    expect(machine.register('rbx')).toBe(0xffff_ffff_ffff_fc18n);
    expect(machine.register('rax')).toBe(0xffff_ffff_ffff_fc18n);
    expect(Array.from(machine.memory.readBytes(BASE + 7, 3)!)).toEqual([0x0f, 0x01, 0xc1]);
    expect(host.events.map((e) => e.exit.name)).toEqual(['EXCEPTION_NMI', 'VMCALL', 'EXCEPTION_NMI', 'VMCALL']);
    // The #UD exit resumed at the same RIP: the VMCALL exit that follows is at the patched address.
    expect(host.events[0]!.exit.address).toBe(host.events[1]!.exit.address);
  });

  it('the AMD mirror: vmcall patched to vmmcall, then #VMEXIT 0x81', () => {
    const { machine, host } = guest('amd', TWICE.replaceAll('vmmcall', 'vmcall'), { abis: [spec('kvm-x86-v4.11-vmmcall')], patching: V411 });
    machine.run(50);
    expect(machine.register('rbx')).toBe(0xffff_ffff_ffff_fc18n);
    expect(Array.from(machine.memory.readBytes(BASE + 7, 3)!)).toEqual([0x0f, 0x01, 0xd9]);
    expect(host.events.map((e) => e.exit.name)).toEqual(['EXCP_BASE+6', 'VMMCALL', 'EXCP_BASE+6', 'VMMCALL']);
  });

  it('the quirk cleared: no patching, the #UD goes back to the guest', () => {
    const { machine, host } = guest('intel', TWICE, { abis: [spec('kvm-x86-map-gpa-range-vmcall')], patching: QUIRK, quirkEnabled: false });
    machine.run(50);
    expect(Array.from(machine.memory.readBytes(BASE + 7, 3)!)).toEqual([0x0f, 0x01, 0xd9]);
    expect(host.events[0]!.note).toMatch(/KVM_X86_QUIRK_FIX_HYPERCALL_INSN is cleared/);
    expect(host.events.some((e) => e.exit.name === 'VMCALL')).toBe(false);
  });

  it('the CPL-3 asymmetry: Intel vmmcall at CPL 3 is patched (user text changes) and answered −KVM_EPERM; AMD vmcall at CPL 3 is #GP(0), unpatched', () => {
    const intel = guest('intel', 'movq $1, %rax\nvmmcall\nhlt\n', { abis: [spec('kvm-x86-v4.11-vmcall')], patching: V411 }, 'cpl3');
    intel.machine.run(20);
    expect(Array.from(intel.machine.memory.readBytes(BASE + 7, 3)!)).toEqual([0x0f, 0x01, 0xc1]);
    expect(intel.machine.register('rax')).toBe(0xffff_ffff_ffff_ffffn);
    // The AMD host injects #GP(0): the guest kernel's #GP gate is taken from CPL 3 (stack from TSS.RSP0), RIP on the unpatched vmcall.
    const source = 'movq $1, %rax\ncall: vmcall\nhlt\nh_gp: hlt\n';
    const probe = machineWith(source);
    const amd = machineWith(source, { vendor: 'amd', gates: { 13: { offset: probe.labels.get('h_gp')! } } });
    amd.machine.setMode('cpl3');
    const host = SpecHost.install(amd.machine, { abis: [spec('kvm-x86-v4.11-vmmcall')], patching: V411 });
    const result = amd.machine.run(20);
    const call = amd.labels.get('call')!;
    expect(Array.from(amd.machine.memory.readBytes(call, 3)!)).toEqual([0x0f, 0x01, 0xc1]);
    expect(result.reason).toBe('wfi');
    expect(amd.machine.pc).toBe(amd.labels.get('h_gp')! + 1);
    expect(amd.machine.mode()).toBe('cpl0');
    const rsp = amd.machine.register('rsp');
    expect(stackWord(amd.machine, rsp)).toBe(0n);
    expect(stackWord(amd.machine, rsp + 8n)).toBe(BigInt(call));
    expect(stackWord(amd.machine, rsp + 16n) & 3n).toBe(3n);
    expect(rsp).toBeLessThan(BigInt(RSP0));
    expect(host.events[0]!.note).toMatch(/#GP\(0\)/);
  });

  it('Hyper-V at CPL 3 (≤ v5.7, enabled): the host injects #UD at the vmcall; RAX is untouched', () => {
    const source = 'movq $5, %rax\nmovq $1, %rcx\ncall: vmcall\nhlt\nh_ud: hlt\n';
    const probe = machineWith(source);
    const { machine, labels } = machineWith(source, { gates: { 6: { offset: probe.labels.get('h_ud')! } } });
    machine.setRegister('hv_x64_msr_hypercall', 0x34_5001n);
    machine.setMode('cpl3');
    const host = SpecHost.install(machine, { abis: [spec('kvm-x86-v5.7-vmcall'), spec('hyperv-tlfs-v3.9-vmcall'), spec('hyperv-tlfs-v3.9-vmcall-cpl3')], patching: V411 });
    machine.run(20);
    expect(machine.pc).toBe(labels.get('h_ud')! + 1);
    expect(stackWord(machine, machine.register('rsp'))).toBe(BigInt(labels.get('call')!));
    expect(machine.register('rax')).toBe(5n);
    expect(host.events.map((e) => e.note).join('\n')).toMatch(/hyperv-tlfs-v3.9-vmcall-cpl3: inject #UD/);
  });

  it('Hyper-V enablement takes KVM_HC_KICK_CPU (≤ v5.7): with the hypercall MSR enabled RAX = 5, RCX = 1 is call code 1, answered 2', () => {
    const source = `
        movl    $0x40000001, %ecx
        movl    $0x00345001, %eax
        xorl    %edx, %edx
        wrmsr
        movq    $5, %rax
        xorq    %rbx, %rbx
        movq    $1, %rcx
        vmcall
        hlt
`;
    const { machine, host } = guest('intel', source, { abis: [spec('kvm-x86-v5.7-vmcall'), spec('hyperv-tlfs-v3.9-vmcall')], patching: V411 });
    machine.run(50);
    expect(machine.register('rax')).toBe(2n);
    expect(host.events.map((e) => e.note).join('\n')).toMatch(/hyperv-tlfs-v3.9-vmcall: unknown call code/);
    // Without the wrmsr, KVM answers the kick.
    const plain = guest('intel', source.replace('wrmsr', 'nop'), { abis: [spec('kvm-x86-v5.7-vmcall'), spec('hyperv-tlfs-v3.9-vmcall')] });
    plain.machine.run(50);
    expect(plain.machine.register('rax')).toBe(0n);
    expect(plain.host.events.map((e) => e.note).join('\n')).toMatch(/kvm-x86-v5.7-vmcall: KVM_HC_KICK_CPU/);
  });
});
