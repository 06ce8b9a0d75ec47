/**
 * The dispatcher: every spec on a conduit says what it makes of one trap, and
 * the verdict says whether they agree. The example (a kdump soft
 * restart, `hvc` with r0 = 1, r1 = 0x80008000 from the kernel) is the
 * collision hyplay exists to show; unique, agree and unclaimed traps and
 * every shipped spec's examples are covered too.
 */

import { describe, expect, it } from 'vitest';
import { HYP_STUB_VECTORS, KVM_ARM32_V3_10, KVM_ARM32_V3_9, KVM_ARM32_V4_12 } from '../../arch/arm32/abis/kvm-arm32.abi.ts';
import { LINUX_HYP_STUB_V3_6, LINUX_HYP_STUB_V4_12, LINUX_HYP_STUB_V5_7, LINUX_HYP_STUB_V5_7_ZIMAGE } from '../../arch/arm32/abis/linux-hyp-stub.abi.ts';
import { AbiRegistry } from '../../src/abi/registry.ts';
import { defineAbi, exampleTrap, IMMEDIATE_SELECTOR } from '../../src/abi/spec.ts';
import { loadAbis } from '../../src/di/container.ts';
import { dispatch, findCall, interpret, RecordingContext, type Interpretation, type TrapQuery } from '../../src/dispatch/dispatcher.ts';

const REGISTRY = loadAbis();

function hvc(registers: Record<string, bigint>, extra: Partial<TrapQuery> = {}): TrapQuery {
  return { arch: 'arm32', conduit: 'hvc', imm: 0, privilege: 'kernel', registers, ...extra };
}

function byAbi(interpretations: readonly Interpretation[], id: string): Interpretation {
  const found = interpretations.find((i) => i.abi === id);
  if (found === undefined) throw new Error(`no interpretation by ${id}`);
  return found;
}

describe('the issue example: hvc r0=1 r1=0x80008000 --from kernel', () => {
  const result = dispatch(REGISTRY, hvc({ r0: 1n, r1: 0x8000_8000n }));

  it('is a collision', () => {
    expect(result.verdict).toBe('collision');
  });

  it("the v4.12 stub's SOFT_RESTART jumps to 0x80008000", () => {
    const stub = byAbi(result.interpretations, 'linux-hyp-stub-v4.12');
    expect(stub).toMatchObject({ mine: true, call: 'HVC_SOFT_RESTART', args: { 'restart address': '0x80008000' }, outcome: { kind: 'jump', target: 0x8000_8000n } });
    expect(stub.effect).toMatch(/^jumps to 0x80008000 in the hypervisor's mode, no return/);
  });

  it('KVM v3.9 calls a Hyp function at 0x00000001, which means a prefetch abort in Hyp', () => {
    const kvm = byAbi(result.interpretations, 'kvm-arm32-v3.9');
    expect(kvm).toMatchObject({ mine: true, call: 'kvm_call_hyp', args: { 'Hyp function': '0x1', arg0: '0x80008000' }, outcome: { kind: 'call', target: 1n, args: [0x8000_8000n, 0n, 0n] } });
    expect(kvm.effect).toContain('calls hypervisor function at 0x1(0x80008000, 0x0, 0x0)');
    expect(kvm.effect).toContain('Thumb state at 0x0');
    expect(kvm.effect).toContain('prefetch abort in Hyp (HVBAR+0x0c)');
  });

  it('KVM v4.12 handles SOFT_RESTART itself: the same target as the stub, with other registers there (abi-facts §2.3)', () => {
    const kvm = byAbi(result.interpretations, 'kvm-arm32-v4.12');
    const stub = byAbi(result.interpretations, 'linux-hyp-stub-v4.12');
    expect(kvm).toMatchObject({ mine: true, call: 'HVC_SOFT_RESTART', outcome: { kind: 'jump', target: 0x8000_8000n } });
    expect(kvm.writes).toEqual({ elr_hyp: 0x8000_8000n, hsctlr: 0n, r1: HYP_STUB_VECTORS, hvbar: HYP_STUB_VECTORS, r0: 0n });
    expect(stub.writes).toEqual({});
    expect(kvm.key).not.toBe(stub.key);
    expect(byAbi(result.interpretations, 'kvm-arm32-v3.9').key).not.toBe(stub.key);
  });

  it('lists claiming specs first, then the rest with the reason they decline', () => {
    const mine = result.interpretations.filter((i) => i.mine).map((i) => i.abi);
    expect(result.interpretations.slice(0, mine.length).every((i) => i.mine)).toBe(true);
    expect(byAbi(result.interpretations, 'xen-arm32')).toMatchObject({ mine: false, effect: 'not mine: answers only to immediate 0xea1' });
    expect(byAbi(result.interpretations, 'kvm-psci-v0.1').effect).toBe('not mine: r0=0x1 is not one of its calls');
  });

  it('from the host only, PSCI (a guest ABI) drops out; from a guest, the host ABIs do', () => {
    const host = dispatch(REGISTRY, hvc({ r0: 1n, r1: 0x8000_8000n }, { world: 'host' }));
    expect(byAbi(host.interpretations, 'psci-v0.2-hvc')).toMatchObject({ mine: false, effect: 'not mine: callable only from kernel in guest, not from kernel in host' });
    const guest = dispatch(REGISTRY, hvc({ r0: 1n }, { world: 'guest' }));
    expect(guest.interpretations.filter((i) => i.mine).map((i) => i.abi)).toEqual(['psci-v0.2-hvc']);
    expect(guest.verdict).toBe('unique');
  });
});

describe('verdicts', () => {
  it('unique: one spec claims the trap (an EABI getpid)', () => {
    const result = dispatch(REGISTRY, { arch: 'arm32', conduit: 'svc', imm: 0, privilege: 'user', registers: { r7: 20n } });
    expect(result.verdict).toBe('unique');
    expect(result.interpretations[0]).toMatchObject({ abi: 'linux-syscall-eabi', call: 'getpid', effect: 'returns' });
  });

  it('unique: the immediate selects the call (an OABI getpid)', () => {
    const result = dispatch(REGISTRY, { arch: 'arm32', conduit: 'svc', imm: 0x90_0014, privilege: 'user', registers: {} });
    expect(result.verdict).toBe('unique');
    expect(result.interpretations[0]).toMatchObject({ abi: 'linux-syscall-oabi', call: 'getpid' });
  });

  it('agree: same meaning and same effect (the v4.12 stub and both v5.7 stubs on a soft restart: bx r1)', () => {
    const registry = new AbiRegistry([LINUX_HYP_STUB_V4_12, LINUX_HYP_STUB_V5_7, LINUX_HYP_STUB_V5_7_ZIMAGE]);
    const result = dispatch(registry, hvc({ r0: 1n, r1: 0x8000_8000n }));
    expect(result.verdict).toBe('agree');
    expect(result.interpretations.map((i) => i.call)).toEqual(['HVC_SOFT_RESTART', 'HVC_SOFT_RESTART', 'HVC_SOFT_RESTART']);
  });

  it('agree: KVM v3.10 emulates the v3.7 stub get-vectors; KVM v3.9 does not (a call to 0xffffffff); collision: a set-vectors', () => {
    const registry = new AbiRegistry([LINUX_HYP_STUB_V3_6, KVM_ARM32_V3_10]);
    const get = dispatch(registry, hvc({ r0: 0xffff_ffffn, hvbar: 0x8010_0000n }));
    expect(get.verdict).toBe('agree');
    expect(get.interpretations.map((i) => i.writes)).toEqual([{ r0: 0x8010_0000n }, { r0: 0x8010_0000n }]);
    expect(dispatch(registry, hvc({ r0: 0x8000_1000n })).verdict).toBe('collision');
    const v39 = dispatch(new AbiRegistry([LINUX_HYP_STUB_V3_6, KVM_ARM32_V3_9]), hvc({ r0: 0xffff_ffffn, hvbar: 0x8010_0000n }));
    expect(v39.verdict).toBe('collision');
    expect(byAbi(v39.interpretations, 'kvm-arm32-v3.9')).toMatchObject({ call: 'kvm_call_hyp', outcome: { kind: 'call', target: 0xffff_ffffn } });
    expect(byAbi(v39.interpretations, 'kvm-arm32-v3.9').effect).toContain('Thumb state at 0xfffffffe');
  });

  it('collision: same call name, different effect (RESET_VECTORS: the stub has nothing to undo, KVM puts the stub back)', () => {
    const registry = new AbiRegistry([LINUX_HYP_STUB_V4_12, KVM_ARM32_V4_12]);
    const result = dispatch(registry, hvc({ r0: 2n, hsctlr: 0x30c5_1805n }));
    expect(result.verdict).toBe('collision');
    expect(byAbi(result.interpretations, 'kvm-arm32-v4.12').writes).toEqual({ hsctlr: 0x30c5_0800n, r1: 0x8010_0000n, hvbar: 0x8010_0000n, r0: 0n });
    expect(byAbi(result.interpretations, 'linux-hyp-stub-v4.12').writes).toEqual({ r0: 0n });
  });

  it('v5.7: the kernel proper refuses SET_VECTORS (HVC_STUB_ERR, HVBAR unchanged), the decompressor stub takes it', () => {
    const registry = new AbiRegistry([LINUX_HYP_STUB_V5_7, LINUX_HYP_STUB_V5_7_ZIMAGE]);
    const result = dispatch(registry, hvc({ r0: 0n, r1: 0x8000_1000n }));
    expect(result.verdict).toBe('collision');
    expect(byAbi(result.interpretations, 'linux-hyp-stub-v5.7')).toMatchObject({ call: 'HVC_SET_VECTORS', writes: { r0: 0xbadca11n } });
    expect(byAbi(result.interpretations, 'linux-hyp-stub-v5.7-zimage')).toMatchObject({ call: 'HVC_SET_VECTORS', writes: { hvbar: 0x8000_1000n, r0: 0n } });
  });

  it('unclaimed: no spec answers (svc from the kernel: system calls come from user space; hvc from user)', () => {
    const svc = dispatch(REGISTRY, { arch: 'arm32', conduit: 'svc', imm: 0x123, privilege: 'kernel', registers: { r7: 20n } });
    expect(svc.verdict).toBe('unclaimed');
    expect(svc.interpretations.map((i) => i.effect)).toEqual(['not mine: answers only to immediate 0x0', 'not mine: callable only from user in host/guest, not from kernel in guest']);
    expect(dispatch(REGISTRY, hvc({ r0: 1n }, { privilege: 'user' })).verdict).toBe('unclaimed');
    expect(dispatch(REGISTRY, { ...hvc({}), conduit: 'vmcall' })).toEqual({ verdict: 'unclaimed', interpretations: [] });
  });
});

describe('spec semantics through the dispatcher', () => {
  it('KVM v3.9 explains small targets: misaligned ARM-state branch for 2, plain unmapped page 0 for 4', () => {
    expect(interpret(KVM_ARM32_V3_9, hvc({ r0: 2n })).effect).toContain('ARM-state branch to the misaligned address 0x2');
    const four = interpret(KVM_ARM32_V3_9, hvc({ r0: 4n })).effect;
    expect(four).toContain('branch to 0x4; page 0 is never mapped in Hyp');
    const real = interpret(KVM_ARM32_V3_9, hvc({ r0: 0xc010_2000n })).effect;
    expect(real).not.toContain('prefetch abort');
  });

  it('PSCI: CPU_ON answers SUCCESS, ALREADY_ON and INVALID_PARAMS as documented, 0.1 says INVALID_PARAMS for an online CPU', () => {
    const abi = REGISTRY.get('psci-v0.2-hvc')!;
    const cpuOn = (target: bigint): bigint | undefined => interpret(abi, hvc({ r0: 0x8400_0003n, r1: target }, { world: 'guest' })).writes?.['r0'];
    expect(cpuOn(1n)).toBe(0n);
    expect(cpuOn(0n)).toBe(0xffff_fffcn);
    expect(cpuOn(4n)).toBe(0xffff_fffen);
    const v01 = REGISTRY.get('kvm-psci-v0.1')!;
    expect(interpret(v01, hvc({ r0: 0x95c1_ba60n, r1: 0n }, { world: 'guest' })).writes).toEqual({ r0: 0xffff_fffen });
  });

  it('PSCI: version 1.0, features, affinity, a 64-bit ID from AArch32 and an unknown ID', () => {
    const abi = REGISTRY.get('psci-v0.2-smc')!;
    const r0 = (registers: Record<string, bigint>): bigint | undefined => interpret(abi, { ...hvc(registers), conduit: 'smc', world: 'host' }).writes?.['r0'];
    expect(r0({ r0: 0x8400_0000n })).toBe(0x1_0000n);
    expect(r0({ r0: 0x8400_000an, r1: 0x8400_0003n })).toBe(0n);
    expect(r0({ r0: 0x8400_000an, r1: 0x8400_000en })).toBe(0xffff_ffffn);
    expect(r0({ r0: 0x8400_0004n, r1: 0n, r2: 0n })).toBe(0n);
    expect(r0({ r0: 0x8400_0004n, r1: 2n, r2: 0n })).toBe(1n);
    expect(r0({ r0: 0x8400_0004n, r1: 2n, r2: 1n })).toBe(0n);
    expect(r0({ r0: 0x8400_0004n, r1: 0n, r2: 4n })).toBe(0xffff_fffen);
    // An SMC64 CPU_ON of CPU 0 is served like the SMC32 one in v4.16–v5.6: ALREADY_ON, not NOT_SUPPORTED.
    expect(r0({ r0: 0xc400_0003n })).toBe(0xffff_fffcn);
    expect(r0({ r0: 0x1234_5678n })).toBe(0xffff_ffffn);
    const off = interpret(abi, { ...hvc({ r0: 0x8400_0008n }), conduit: 'smc', world: 'host' });
    expect(off).toMatchObject({ call: 'PSCI_0_2_FN_SYSTEM_OFF', writes: { r0: 0xffff_fffan } });
    expect(abi.calls.find((c) => c.spec.name === 'PSCI_0_2_FN_SYSTEM_OFF')!.spec.noReturn).toBe(true);
  });

  it('syscalls: unknown numbers and OABI-only rows give -ENOSYS; known calls leave r0 alone and name their argument registers', () => {
    const eabi = REGISTRY.get('linux-syscall-eabi')!;
    const svc = (registers: Record<string, bigint>): Interpretation => interpret(eabi, { arch: 'arm32', conduit: 'svc', imm: 0, privilege: 'user', registers });
    expect(svc({ r7: 7n })).toMatchObject({ call: 'unknown', writes: { r0: 0xffff_ffdan } });
    expect(svc({ r7: 13n })).toMatchObject({ call: 'time', writes: { r0: 0xffff_ffdan } });
    expect(svc({ r7: 169n })).toMatchObject({ call: 'nfsservctl', writes: { r0: 0xffff_ffdan } });
    expect(svc({ r7: 0xf_0006n, tpidruro: 0x4000_0000n })).toMatchObject({ call: '__ARM_NR_get_tls', writes: { r0: 0x4000_0000n } });
    expect(svc({ r7: 0xf_0007n })).toMatchObject({ call: 'arm_syscall_enosys', writes: { r0: 0xffff_ffdan } });
    expect(svc({ r7: 0x10_0000n, r0: 5n })).toMatchObject({ call: 'bad_syscall', writes: {} });
    expect(svc({ r7: 341n, r0: 3n, r1: 2n, r2: 0x1000n, r3: 0n, r4: 0x2000n, r5: 0n })).toMatchObject({
      call: 'arm_sync_file_range',
      writes: {},
      args: { fd: '0x3', flags: '0x2', 'offset (low)': '0x1000', 'offset (high)': '0x0', 'nbytes (low)': '0x2000', 'nbytes (high)': '0x0' },
    });
  });

  it('Xen: number in r12, unknown numbers get -ENOSYS', () => {
    const xen = REGISTRY.get('xen-arm32')!;
    expect(interpret(xen, hvc({ r12: 18n }, { imm: 0xea1, world: 'guest' }))).toMatchObject({ call: '__HYPERVISOR_console_io', writes: {} });
    expect(interpret(xen, hvc({ r12: 1n }, { imm: 0xea1, world: 'guest' }))).toMatchObject({ call: 'unknown', writes: { r0: 0xffff_ffdan } });
  });
});

describe('findCall', () => {
  const abi = defineAbi({
    id: 'toy-imm',
    family: 'toy',
    arch: 'toy',
    era: 'v1',
    status: 'draft',
    purpose: 'toy',
    source: { document: 'test', version: 'v1' },
    conduit: { instruction: 'svc', imm: { min: 0x10n, max: 0x1fn } },
    origin: { privilege: ['user'], world: ['host'] },
    selector: { register: IMMEDIATE_SELECTOR, width: 8 },
    conditions: [{ register: 'r3', values: 0x4bn, why: 'magic' }],
    priority: 0,
    calls: [
      { name: 'one', select: 0x11n, summary: 'one', run: () => ({ kind: 'return' }) },
      { name: 'rest', select: 'otherwise', summary: 'rest', run: () => ({ kind: 'return' }) },
    ],
    examples: [{ title: 'one', registers: { r3: 0x4bn }, imm: 0x11, call: 'one' }],
  });
  const user = { privilege: 'user', world: 'host' } as const;
  const read = (registers: Record<string, bigint>) => (register: string) => registers[register] ?? 0n;

  it('selects by the immediate when the selector is imm, and says why a trap is not mine', () => {
    expect(findCall(abi, 0x11, user, read({ r3: 0x4bn }))).toMatchObject({ spec: { name: 'one' } });
    expect(findCall(abi, 0x12, user, read({ r3: 0x4bn }))).toMatchObject({ spec: { name: 'rest' } });
    expect(findCall(abi, 0x20, user, read({ r3: 0x4bn }))).toBe('answers only to immediate 0x10–0x1f');
    expect(findCall(abi, 0x11, { privilege: 'kernel', world: 'host' }, read({ r3: 0x4bn }))).toBe('callable only from user in host, not from kernel in host');
    expect(findCall(abi, 0x11, user, read({}))).toBe('r3=0x0 fails the condition r3 ∈ {0x4b} (magic)');
  });

  it('RecordingContext reads the trap registers, then its own writes', () => {
    const context = new RecordingContext({ r0: 5n }, 0, user);
    expect(context.get('r0')).toBe(5n);
    expect(context.get('nonexistent')).toBe(0n);
    context.set('r0', 7n);
    expect(context.get('r0')).toBe(7n);
    expect([...context.writes]).toEqual([['r0', 7n]]);
  });
});

describe("every shipped spec's examples", () => {
  const cases = REGISTRY.all().flatMap((abi) => abi.spec.examples.map((example) => ({ abi, example })));

  it('there are examples for every spec', () => {
    for (const abi of REGISTRY.all()) expect(abi.spec.examples.length, abi.spec.id).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [`${c.abi.spec.id}: ${c.example.title}`, c] as const))('%s dispatches to its call', (_, { abi, example }) => {
    const trap = exampleTrap(abi, example);
    const result = dispatch(REGISTRY, { arch: abi.spec.arch, conduit: abi.spec.conduit.instruction, imm: trap.imm, privilege: trap.origin.privilege, world: trap.origin.world, registers: trap.registers });
    expect(byAbi(result.interpretations, abi.spec.id)).toMatchObject({ mine: true, call: example.call });
    expect(result.verdict).not.toBe('unclaimed');
  });
});
