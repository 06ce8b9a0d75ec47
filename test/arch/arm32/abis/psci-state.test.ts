/**
 * PSCI and SMCCC 1.1 as KVM/arm32 answers them in v4.16–v5.6
 * (../shared/abi-facts.md §5.3, §5.5, §5.6): the SMCCC architecture calls,
 * PSCI_FEATURES, the SMC64 IDs of the era, AFFINITY_INFO's refusals, and the
 * power state of the modelled four-vCPU VM kept in the call state, so that a
 * sequence of calls sees what the earlier ones did. Each item of the fact
 * sheet's "Known errors" list for psci.abi.ts has a case here.
 */

import { describe, expect, it } from 'vitest';
import {
  ARM_SMCCC_ARCH_FEATURES_FUNC_ID,
  ARM_SMCCC_ARCH_WORKAROUND_1,
  ARM_SMCCC_ARCH_WORKAROUND_2,
  ARM_SMCCC_VERSION_FUNC_ID,
  KVM_PSCI_FN_BASE,
  KVM_PSCI_V0_1,
  PSCI_FUNCTIONS,
  PSCI_MODEL_CPUS,
  psciFunctionId,
  psciPowerKey,
  psciVcpuMpidr,
  PSCI_SYSTEM_EVENT_KEY,
  PSCI_V0_2_HVC,
  PSCI_V0_2_SMC,
} from '../../../../arch/arm32/abis/psci.abi.ts';
import { ARM32_INSTRUCTION_SET, createArm32Machine } from '../../../../arch/arm32/core.ts';
import { ARM32_FIRMWARE_PORT } from '../../../../arch/arm32/firmware-port.ts';
import { MapHypervisorState, type Abi } from '../../../../src/abi/spec.ts';
import { findCall, RecordingContext } from '../../../../src/dispatch/dispatcher.ts';
import { installSpecFirmware } from '../../../../src/firmware/firmware.ts';
import { assemble } from '../../../../src/isa/assembler.ts';

const GUEST = { privilege: 'kernel', world: 'guest' } as const;
const HOST = { privilege: 'kernel', world: 'host' } as const;

/** -n as r0 holds it. */
const minus = (n: bigint): bigint => BigInt.asUintN(32, -n);

const NOT_SUPPORTED = minus(1n);
const INVALID_PARAMS = minus(2n);
const ALREADY_ON = minus(4n);
const INTERNAL_FAILURE = minus(6n);
const ON = 0n;
const OFF = 1n;

/** One VM: calls made in order share its state, as they do under one installed firmware. */
class Vm {
  readonly state = new MapHypervisorState();

  constructor(
    private readonly abi: Abi = PSCI_V0_2_HVC,
    private readonly origin: { readonly privilege: 'kernel'; readonly world: 'guest' | 'host' } = GUEST,
  ) {}

  /** Make a call from vCPU `vcpu`; returns the call's name and its register writes. */
  call(registers: Record<string, bigint>, options: { vcpu?: number; imm?: number } = {}): { name: string; writes: Record<string, bigint> } {
    const all: Record<string, bigint> = { vmpidr: 0x8000_0000n | psciVcpuMpidr(options.vcpu ?? 0), ...registers };
    const imm = options.imm ?? 0;
    const found = findCall(this.abi, imm, this.origin, (r) => all[r] ?? 0n);
    if (typeof found === 'string') throw new Error(found);
    const context = new RecordingContext(all, imm, this.origin, this.state);
    found.spec.run(context);
    return { name: found.spec.name, writes: Object.fromEntries(context.writes) };
  }

  r0(registers: Record<string, bigint>, options: { vcpu?: number; imm?: number } = {}): bigint | undefined {
    return this.call(registers, options).writes['r0'];
  }
}

const CPU_ON = 0x8400_0003n;
const CPU_OFF = 0x8400_0002n;
const AFFINITY_INFO = 0x8400_0004n;
const PSCI_FEATURES = 0x8400_000an;

describe('SMCCC 1.1 architecture calls are real calls (v4.16+ kvm_hvc_call_handler)', () => {
  it('SMCCC_VERSION answers 1.1', () => {
    expect(new Vm().r0({ r0: ARM_SMCCC_VERSION_FUNC_ID })).toBe(0x1_0001n);
    expect(new Vm(PSCI_V0_2_SMC, HOST).r0({ r0: ARM_SMCCC_VERSION_FUNC_ID })).toBe(0x1_0001n);
  });

  it('ARCH_FEATURES: WORKAROUND_1 implemented (the modelled Cortex-A15 host), WORKAROUND_2 and anything else NOT_SUPPORTED', () => {
    const vm = new Vm();
    expect(vm.r0({ r0: ARM_SMCCC_ARCH_FEATURES_FUNC_ID, r1: ARM_SMCCC_ARCH_WORKAROUND_1 })).toBe(0n);
    expect(vm.r0({ r0: ARM_SMCCC_ARCH_FEATURES_FUNC_ID, r1: ARM_SMCCC_ARCH_WORKAROUND_2 })).toBe(NOT_SUPPORTED);
    expect(vm.r0({ r0: ARM_SMCCC_ARCH_FEATURES_FUNC_ID, r1: ARM_SMCCC_VERSION_FUNC_ID })).toBe(NOT_SUPPORTED);
  });

  it('a guest WORKAROUND_1 is answered in Hyp: r0 <- 0, r1 <- the HSR, r2 <- the ID; over SMC there is no return value', () => {
    expect(new Vm().call({ r0: ARM_SMCCC_ARCH_WORKAROUND_1, r1: 5n, r2: 6n })).toEqual({ name: 'ARM_SMCCC_ARCH_WORKAROUND_1', writes: { r0: 0n, r1: 0x4a00_0000n, r2: ARM_SMCCC_ARCH_WORKAROUND_1 } });
    expect(new Vm().call({ r0: ARM_SMCCC_ARCH_WORKAROUND_1 }, { imm: 0x12 }).writes['r1']).toBe(0x4a00_0012n);
    expect(new Vm(PSCI_V0_2_SMC, HOST).call({ r0: ARM_SMCCC_ARCH_WORKAROUND_1 }).writes).toEqual({});
    // WORKAROUND_2 itself is not a call KVM/arm32 runs.
    expect(new Vm().call({ r0: ARM_SMCCC_ARCH_WORKAROUND_2 })).toEqual({ name: 'unknown', writes: { r0: NOT_SUPPORTED } });
  });
});

describe('PSCI_FEATURES and the IDs of the era', () => {
  const vm = new Vm();

  it('PSCI_FEATURES(ARM_SMCCC_VERSION_FUNC_ID) is 0, the probe psci_init_smccc() makes', () => {
    expect(vm.r0({ r0: PSCI_FEATURES, r1: ARM_SMCCC_VERSION_FUNC_ID })).toBe(0n);
  });

  it("PSCI_FEATURES lists KVM's PSCI 1.0 calls and their served SMC64 IDs, not SYSTEM_SUSPEND or SET_SUSPEND_MODE", () => {
    for (const id of [0x8400_0000n, 0x8400_0001n, 0xc400_0001n, CPU_OFF, CPU_ON, 0xc400_0003n, AFFINITY_INFO, 0xc400_0004n, 0x8400_0006n, 0x8400_0008n, 0x8400_0009n, PSCI_FEATURES]) {
      expect(vm.r0({ r0: PSCI_FEATURES, r1: id }), id.toString(16)).toBe(0n);
    }
    for (const id of [0x8400_000en, 0x8400_000fn, 0xc400_0005n, 0x8400_0005n, 0x8400_0012n]) expect(vm.r0({ r0: PSCI_FEATURES, r1: id }), id.toString(16)).toBe(NOT_SUPPORTED);
  });

  it('SET_SUSPEND_MODE (0x8400000f) exists in psci.h and is a named call, answered NOT_SUPPORTED by KVM', () => {
    expect(PSCI_FUNCTIONS.find((f) => f.name === 'SET_SUSPEND_MODE')).toMatchObject({ number: 15, since: '1.0', smc64: false });
    expect(psciFunctionId(PSCI_FUNCTIONS.find((f) => f.name === 'SET_SUSPEND_MODE')!)).toBe(0x8400_000fn);
    expect(vm.call({ r0: 0x8400_000fn })).toEqual({ name: 'PSCI_1_0_FN_SET_SUSPEND_MODE', writes: { r0: NOT_SUPPORTED } });
  });

  it('SMC64 CPU_SUSPEND, CPU_ON and AFFINITY_INFO act like the SMC32 forms (no check before v5.7); the other SMC64 IDs are NOT_SUPPORTED', () => {
    const fresh = new Vm();
    expect(fresh.r0({ r0: 0xc400_0001n })).toBe(0n);
    expect(fresh.r0({ r0: 0xc400_0003n, r1: 2n, r2: 0x8000_8000n })).toBe(0n);
    expect(fresh.r0({ r0: 0xc400_0004n, r1: 2n, r2: 0n })).toBe(ON);
    for (const id of [0xc400_0005n, 0xc400_0007n, 0xc400_000en, 0xc400_0012n]) expect(fresh.r0({ r0: id }), id.toString(16)).toBe(NOT_SUPPORTED);
  });

  it('the HVC immediate is ignored: hvc #1 and hvc #0xffff with a PSCI ID are PSCI', () => {
    expect(PSCI_V0_2_HVC.spec.conduit.imm).toBe('any');
    expect(KVM_PSCI_V0_1.spec.conduit.imm).toBe('any');
    expect(vm.r0({ r0: 0x8400_0000n }, { imm: 1 })).toBe(0x1_0000n);
    expect(vm.r0({ r0: 0x8400_0000n }, { imm: 0xffff })).toBe(0x1_0000n);
  });
});

describe('AFFINITY_INFO refuses what names no vCPU (kvm_psci_vcpu_affinity_info)', () => {
  const vm = new Vm();

  it('a target with no vCPU is INVALID_PARAMS, not OFF', () => {
    expect(vm.r0({ r0: AFFINITY_INFO, r1: 7n, r2: 0n })).toBe(INVALID_PARAMS);
    expect(vm.r0({ r0: AFFINITY_INFO, r1: 0x100n, r2: 0n })).toBe(INVALID_PARAMS);
    expect(vm.r0({ r0: AFFINITY_INFO, r1: BigInt(PSCI_MODEL_CPUS - 1), r2: 0n })).toBe(OFF);
  });

  it('level 3 is INVALID_PARAMS on arm32 (MPIDR_HWID_BITMASK has no Aff3), and so is any level above', () => {
    expect(vm.r0({ r0: AFFINITY_INFO, r1: 0n, r2: 3n })).toBe(INVALID_PARAMS);
    expect(vm.r0({ r0: AFFINITY_INFO, r1: 0n, r2: 4n })).toBe(INVALID_PARAMS);
    // Level 1 ignores Aff0: cluster 0 holds the running vCPU 0.
    expect(vm.r0({ r0: AFFINITY_INFO, r1: 3n, r2: 1n })).toBe(ON);
    expect(vm.r0({ r0: AFFINITY_INFO, r1: 0x100n, r2: 1n })).toBe(INVALID_PARAMS);
  });
});

describe('power state is kept: a call that does something changes what later calls see', () => {
  it('CPU_ON twice: SUCCESS, then ALREADY_ON; AFFINITY_INFO says ON in between', () => {
    const vm = new Vm();
    expect(vm.r0({ r0: AFFINITY_INFO, r1: 1n, r2: 0n })).toBe(OFF);
    expect(vm.r0({ r0: CPU_ON, r1: 1n, r2: 0x8000_8000n, r3: 0x55n })).toBe(0n);
    expect(vm.state.get(psciPowerKey(1), OFF)).toBe(ON);
    expect(vm.state.values.get('psci.vcpu1.entry')).toBe(0x8000_8000n);
    expect(vm.state.values.get('psci.vcpu1.context_id')).toBe(0x55n);
    expect(vm.r0({ r0: AFFINITY_INFO, r1: 1n, r2: 0n })).toBe(ON);
    expect(vm.r0({ r0: CPU_ON, r1: 1n, r2: 0x8000_8000n })).toBe(ALREADY_ON);
    expect(vm.r0({ r0: CPU_ON, r1: 0n })).toBe(ALREADY_ON);
    expect(vm.r0({ r0: CPU_ON, r1: 7n })).toBe(INVALID_PARAMS);
  });

  it('CPU_OFF on vCPU 1, then AFFINITY_INFO from vCPU 0 says OFF, and CPU_ON works again', () => {
    const vm = new Vm();
    vm.r0({ r0: CPU_ON, r1: 1n, r2: 0x8000_8000n });
    const off = vm.call({ r0: CPU_OFF }, { vcpu: 1 });
    expect(off).toEqual({ name: 'PSCI_0_2_FN_CPU_OFF', writes: { r0: 0n } });
    expect(vm.r0({ r0: AFFINITY_INFO, r1: 1n, r2: 0n })).toBe(OFF);
    expect(vm.r0({ r0: CPU_ON, r1: 1n, r2: 0x8000_9000n })).toBe(0n);
  });

  it('a vCPU that calls is on: a call from vCPU 2 turns it on in the model', () => {
    const vm = new Vm();
    vm.call({ r0: 0x8400_0000n }, { vcpu: 2 });
    expect(vm.r0({ r0: CPU_ON, r1: 2n })).toBe(ALREADY_ON);
  });

  it('SYSTEM_OFF and SYSTEM_RESET: every vCPU off, the system event recorded, r0 preloaded with INTERNAL_FAILURE', () => {
    const vm = new Vm();
    vm.r0({ r0: CPU_ON, r1: 3n });
    expect(vm.call({ r0: 0x8400_0008n })).toEqual({ name: 'PSCI_0_2_FN_SYSTEM_OFF', writes: { r0: INTERNAL_FAILURE } });
    expect(vm.state.values.get(PSCI_SYSTEM_EVENT_KEY)).toBe(1n);
    expect(vm.r0({ r0: AFFINITY_INFO, r1: 3n, r2: 0n }, { vcpu: 0 })).toBe(OFF);
    expect(new Vm().call({ r0: 0x8400_0009n }).writes).toEqual({ r0: INTERNAL_FAILURE });
  });

  it('the calls that do not return are marked noReturn, and only those', () => {
    const noReturn = PSCI_V0_2_HVC.calls.filter((c) => c.spec.noReturn === true).map((c) => c.spec.name);
    expect(noReturn).toEqual(['PSCI_0_2_FN_CPU_OFF', 'PSCI_0_2_FN_SYSTEM_OFF', 'PSCI_0_2_FN_SYSTEM_RESET']);
    expect(KVM_PSCI_V0_1.calls.filter((c) => c.spec.noReturn === true).map((c) => c.spec.name)).toEqual(['KVM_PSCI_FN_CPU_OFF']);
  });

  it('PSCI 0.1: CPU_ON of a vCPU that is on is INVALID_PARAMS (no ALREADY_ON), after a SUCCESS', () => {
    const vm = new Vm(KVM_PSCI_V0_1);
    expect(vm.r0({ r0: KVM_PSCI_FN_BASE + 2n, r1: 1n })).toBe(0n);
    expect(vm.r0({ r0: KVM_PSCI_FN_BASE + 2n, r1: 1n })).toBe(INVALID_PARAMS);
  });
});

describe('on a machine: the spec firmware keeps the state between traps', () => {
  it('a guest that brings up vCPU 1 twice sees SUCCESS, then ALREADY_ON', () => {
    const machine = createArm32Machine();
    const program = ['movw r0, #3', 'movt r0, #0x8400', 'mov r1, #1', 'hvc #0', 'mov r4, r0', 'movw r0, #3', 'movt r0, #0x8400', 'mov r1, #1', 'hvc #0', 'mov r5, r0', 'wfi'].join('\n');
    machine.memory.load(0x8000, assemble(ARM32_INSTRUCTION_SET, program, 0x8000).bytes);
    installSpecFirmware(machine, ARM32_FIRMWARE_PORT, PSCI_V0_2_HVC, 0x2000);
    machine.setRegister('vttbr', 1n << 48n);
    machine.setMode('svc');
    machine.pc = 0x8000;
    expect(machine.run(200)).toMatchObject({ reason: 'wfi' });
    expect([machine.register('r4'), machine.register('r5')]).toEqual([0n, ALREADY_ON]);
  });
});
