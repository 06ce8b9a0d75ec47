/**
 * The ppc64 scenarios (hyplay issue 5 §6): the guest kernel's KVM PV calls
 * through kvm-ppc-pv-v3.8 spec firmware at 0xC00, and a user process's syscalls
 * under each design's hypervisor; plus the ppc64 firmware port they run on.
 */

import { describe, expect, it } from 'vitest';
import { KVM_PPC_PV_V3_8 } from '../../../arch/ppc64/abis/kvm-ppc-pv.abi.ts';
import { PAPR_KVM } from '../../../arch/ppc64/abis/papr.abi.ts';
import { PPC64_BACKEND } from '../../../arch/ppc64/backend.ts';
import { PPC64_FIRMWARE_PORT } from '../../../arch/ppc64/firmware-port.ts';
import { assemble } from '../../../src/isa/assembler.ts';
import { installSpecFirmware } from '../../../src/firmware/firmware.ts';
import { loadAbis } from '../../../src/di/container.ts';
import { outcomeJson } from '../../../src/scenario/outcome.ts';
import { runScenario } from '../../../src/scenario/runner.ts';

const ABIS = loadAbis();
const scenarios = PPC64_BACKEND.scenarios!.scenarios();
const byName = (name: string) => {
  const scenario = scenarios.find((s) => s.name === name);
  if (scenario === undefined) throw new Error(`no scenario ${name}`);
  return runScenario(PPC64_BACKEND, scenario, ABIS);
};

describe('ppc64 scenarios', () => {
  it('are registered on the ppc64 backend and each reaches its expected outcome', () => {
    expect(scenarios.map((s) => s.name)).toEqual([
      'ppc64-kvm-pv-magic-page',
      'ppc64-kvm-pv-idle-v2.6.37',
      'ppc64-kvm-pv-idle-v3.4',
      'ppc64-kvm-pv-idle-v3.8',
      'ppc64-user-magic-syscall-kvm-ppc-pv',
      'ppc64-user-magic-syscall-draft',
      'ppc64-user-magic-syscall-draft-unchecked',
      'ppc64-user-magic-syscall-osi',
      'ppc64-user-magic-syscall-pc-keyed',
    ]);
    for (const scenario of scenarios) {
      const run = runScenario(PPC64_BACKEND, scenario, ABIS);
      expect({ name: scenario.name, kind: run.outcome.kind }).toEqual({ name: scenario.name, kind: scenario.expected });
      expect(run.matches).toBe(true);
    }
  });

  it('the guest kernel gets the magic-page feature bit and maps the magic page through kvm-ppc-pv', () => {
    const run = byName('ppc64-kvm-pv-magic-page');
    expect(run.outcome.kind).toBe('guest-done');
    expect(run.hvcs.map((h) => [h.conduit, h.imm, h.from, h.origin.privilege, h.origin.world, h.handled?.call])).toEqual([
      ['sc', 0, 'supervisor', 'kernel', 'guest', 'KVM_HC_FEATURES'],
      ['sc', 0, 'supervisor', 'kernel', 'guest', 'KVM_HC_PPC_MAP_MAGIC_PAGE'],
    ]);
    expect(run.hvcs[0]!.registers).toMatchObject({ r0: 0x4b56_4d21n, r11: (42n << 16n) | 3n });
    expect(run.hvcs[0]!.handled!.writes).toEqual({ r3: 0n, r4: 2n });
    expect(run.hvcs[1]!.registers).toMatchObject({ r0: 0x4b56_4d21n, r11: (42n << 16n) | 4n, r3: 0x3fff_f000n });
    expect(run.hvcs[1]!.handled!.writes).toMatchObject({ r3: 0n });
    expect(run.trace).toContain('map_magic_page:');
  });

  it('EV_IDLE is EV_UNIMPLEMENTED under the eras before v3.8 and answered from v3.8', () => {
    for (const [era, label, call] of [
      ['v2.6.37', 'no_idle_hcall', 'unknown'],
      ['v3.4', 'no_idle_hcall', 'unknown'],
      ['v3.8', 'idled', 'EV_IDLE'],
    ] as const) {
      const run = byName(`ppc64-kvm-pv-idle-${era}`);
      expect(run.outcome.kind).toBe('guest-done');
      expect(run.outcome.detail, era).toContain(`(${label})`);
      expect(run.hvcs.map((h) => [h.registers.r11, h.handled?.call, h.handled?.writes?.r3])).toEqual([[0x1_0010n, call, call === 'EV_IDLE' ? 0n : 12n]]);
    }
  });

  const designs: readonly [string, string, string | undefined][] = [
    ['kvm-ppc-pv', 'syscall-reflected', undefined],
    ['draft', 'syscall-reflected', undefined],
    ['draft-unchecked', 'hypercall-intercepted', 'intercepted_draft'],
    ['osi', 'hypercall-intercepted', 'intercepted_osi'],
    ['pc-keyed', 'syscall-reflected', undefined],
  ];
  for (const [design, kind, label] of designs) {
    it(`a user process's magic-valued syscalls under ${design}: ${kind}`, () => {
      const run = byName(`ppc64-user-magic-syscall-${design}`);
      expect(run.outcome.kind).toBe(kind);
      expect(run.hvcs.every((h) => h.from === 'problem' && h.origin.privilege === 'user')).toBe(true);
      // getpid always reaches the kernel first.
      expect(run.hvcs[0]!.registers.r0).toBe(20n);
      expect(run.hvcs[0]!.handled?.mine).toBe(false);
      if (label === undefined) {
        expect(run.hvcs).toHaveLength(3);
        expect(run.hvcs.every((h) => h.handled?.mine === false)).toBe(true);
        expect(run.trace.filter((l) => l === 'syscall_entry:')).toHaveLength(3);
      } else {
        expect(run.outcome.detail).toContain(`(${label})`);
        expect(outcomeJson(run.outcome)).toMatchObject({ kind: 'hypercall-intercepted', mode: 'problem' });
        expect(run.hvcs[run.hvcs.length - 1]!.handled?.mine).toBe(true);
        expect(run.outcome.detail).toContain(label === 'intercepted_draft' ? '2010 draft magic' : 'OSI magic');
      }
    });
  }
});

describe('the ppc64 firmware port', () => {
  function machineWith(source: string, mode: string) {
    const machine = PPC64_BACKEND.createMachine();
    const program = assemble(PPC64_BACKEND.instructionSet('big'), source, 0x4000);
    machine.memory.load(0x4000, program.bytes);
    installSpecFirmware(machine, PPC64_FIRMWARE_PORT, KVM_PPC_PV_V3_8, 0);
    machine.setMode(mode);
    machine.pc = 0x4000;
    return machine;
  }

  it('reads sc from the kernel as LEV 0 from a guest kernel and answers it, returning with rfid', () => {
    const machine = machineWith('lis 0, 0x4b56\nori 0, 0, 0x4d21\nli 11, 3\noris 11, 11, 42\nsc\nwait\n', 'supervisor');
    const result = machine.run(20);
    expect(result.reason).toBe('wfi');
    expect(machine.register('r4')).toBe(2n);
    expect(machine.mode()).toBe('supervisor');
  });

  it('reads sc 1 as LEV 1 (MSR[HV] raised), the conduit sc1, which the sc-LEV-0 spec does not answer', () => {
    const machine = machineWith('lis 0, 0x4b56\nori 0, 0, 0x4d21\nli 11, 3\noris 11, 11, 42\nsc 1\nwait\n', 'supervisor');
    const result = machine.run(20);
    expect(result.reason).toBe('firmware');
    expect(result.detail).toContain('a sc1 trap, but this ABI answers sc');
  });

  it('answers sc 1 from a guest kernel with a spec on the sc1 conduit (papr-kvm H_SET_SPRG0)', () => {
    const machine = machineWith('li 3, 0x24\nli 4, 0x777\nsc 1\nwait\n', 'supervisor');
    installSpecFirmware(machine, PPC64_FIRMWARE_PORT, PAPR_KVM, 0);
    const result = machine.run(20);
    expect(result.reason).toBe('wfi');
    expect(machine.register('sprg0')).toBe(0x777n);
    expect(machine.register('r3')).toBe(0n);
    expect(machine.mode()).toBe('supervisor');
  });

  it('stops on the program vector, saying what was taken', () => {
    const machine = machineWith('.long 0\n', 'supervisor');
    const result = machine.run(5);
    expect(result.reason).toBe('firmware');
    expect(result.detail).toContain('program interrupt at 0x00004000');
    expect(result.detail).toContain('taken from supervisor');
  });

  it('has a fixed vector base: ivbase reads 0 and only 0 can be written', () => {
    const machine = PPC64_BACKEND.createMachine();
    expect(machine.register('ivbase')).toBe(0n);
    machine.setRegister('ivbase', 0n);
    expect(() => machine.setRegister('ivbase', 0x1000n)).toThrow();
  });
});
