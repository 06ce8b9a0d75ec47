/**
 * `hyplay dispatch <arch> <conduit> [REG=VAL ...] [--imm N] [--from P] [--world W] [--json]`,
 * driven in-process through `runCli` with a capturing io, plus the command's
 * functions against a registry made up for the test (for the verdicts the
 * shipped specs do not produce on their own).
 */

import { describe, expect, it } from 'vitest';
import { AbiRegistry } from '../../src/abi/registry.ts';
import { defineAbi, type Abi, type CallSpec } from '../../src/abi/spec.ts';
import { conduitsOf, parseRegisterAssignments, runDispatchCommand } from '../../src/cli/dispatch-command.ts';
import { loadAbis, loadBackends } from '../../src/di/container.ts';
import { cli, json } from '../support/cli.ts';

function byAbi(doc: any, id: string): any {
  const found = doc.interpretations.find((i: any) => i.abi === id);
  expect(found, `no interpretation from ${id}`).toBeDefined();
  return found;
}

const ARM32 = loadBackends().get('arm32')!;
const SHIPPED = loadAbis();

describe('the issue example: hvc r0=1 r1=0x80008000 from kernel', () => {
  const argv = ['dispatch', 'arm32', 'hvc', 'r0=1', 'r1=0x80008000', '--from', 'kernel'];

  it('is a collision: the v4.12 stub soft-restarts, KVM v3.9 calls a Hyp function at 1, KVM v4.12 soft-restarts itself', () => {
    const doc = json(...argv);
    expect(doc.verdict).toBe('collision');

    const stub = byAbi(doc, 'linux-hyp-stub-v4.12');
    expect(stub).toMatchObject({ mine: true, call: 'HVC_SOFT_RESTART', args: { 'restart address': '0x80008000' }, outcome: { kind: 'jump', target: '0x80008000' } });
    expect(stub.effect).toMatch(/^jumps to 0x80008000 in the hypervisor's mode, no return/);

    const kvm39 = byAbi(doc, 'kvm-arm32-v3.9');
    expect(kvm39).toMatchObject({ mine: true, call: 'kvm_call_hyp', outcome: { kind: 'call', target: '0x1', args: ['0x80008000', '0x0', '0x0'] } });
    expect(kvm39.effect).toContain('calls hypervisor function at 0x1');
    expect(kvm39.effect).toContain('prefetch abort');

    const kvm412 = byAbi(doc, 'kvm-arm32-v4.12');
    expect(kvm412).toMatchObject({ mine: true, call: 'HVC_SOFT_RESTART', args: { 'restart address': '0x80008000' }, outcome: { kind: 'jump', target: '0x80008000' } });
  });

  it('keeps the contract keys first and puts the claiming specs before the others', () => {
    const doc = json(...argv);
    expect(Object.keys(doc)).toEqual(['verdict', 'interpretations', 'query']);
    for (const i of doc.interpretations) {
      expect(Object.keys(i).slice(0, 5)).toEqual(['abi', 'mine', 'call', 'args', 'effect']);
      if (!i.mine) expect(i).toEqual({ abi: i.abi, mine: false, call: null, args: {}, effect: i.effect });
    }
    const mine = doc.interpretations.map((i: any) => i.mine);
    expect(mine).toEqual([...mine].sort((a: boolean, b: boolean) => Number(b) - Number(a)));
    expect(doc.interpretations.map((i: any) => i.abi).sort()).toEqual(SHIPPED.all('arm32').filter((a) => a.spec.conduit.instruction === 'hvc').map((a) => a.spec.id).sort());
    expect(doc.query).toEqual({ arch: 'arm32', conduit: 'hvc', imm: 0, from: 'kernel', world: null, registers: { r0: '0x00000001', r1: '0x80008000' } });
  });

  it('prints each interpretation and the verdict for humans', () => {
    const result = cli(...argv);
    expect(result.status).toBe(0);
    expect(result.err).toEqual([]);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe('arm32 hvc #0 from kernel (host or guest): r0=0x00000001 r1=0x80008000');
    expect(lines).toContain('  linux-hyp-stub-v4.12: HVC_SOFT_RESTART(restart address=0x80008000)');
    expect(lines).toContain('  kvm-arm32-v4.12: HVC_SOFT_RESTART(restart address=0x80008000)');
    expect(lines).toContain('  kvm-arm32-v3.9: kvm_call_hyp(Hyp function=0x1, arg0=0x80008000, arg1=0x0, arg2=0x0)');
    expect(lines[lines.indexOf('  kvm-arm32-v3.9: kvm_call_hyp(Hyp function=0x1, arg0=0x80008000, arg1=0x0, arg2=0x0)') + 1]).toMatch(/^ {6}calls hypervisor function at 0x1\(/);
    expect(lines).toContain('  not mine:');
    expect(lines).toContain('    xen-arm32: answers only to immediate 0xea1');
    expect(lines.at(-1)).toBe('verdict: collision (several specs claim the trap with different meanings or effects)');
  });
});

describe('other verdicts with the shipped specs', () => {
  it('unclaimed: hvc from user mode is no spec\'s caller', () => {
    const doc = json('dispatch', 'arm32', 'hvc', 'r0=1', '--from', 'user');
    expect(doc.verdict).toBe('unclaimed');
    expect(doc.interpretations.every((i: any) => !i.mine)).toBe(true);
    expect(byAbi(doc, 'linux-hyp-stub-v4.12').effect).toBe('not mine: callable only from kernel in host, not from user in host');
  });

  it('collision between hypervisors: Xen takes hvc #0xEA1 by r12, KVM ignores the immediate and takes it as PSCI', () => {
    const doc = json('dispatch', 'arm32', 'hvc', '--imm', '0xea1', '--world', 'guest', 'r12=1');
    expect(doc.verdict).toBe('collision');
    expect(doc.interpretations.filter((i: any) => i.mine).map((i: any) => i.abi).sort()).toEqual(['psci-v0.2-hvc', 'xen-arm32']);
    expect(byAbi(doc, 'xen-arm32').call).toBe('unknown');
    expect(doc.query).toMatchObject({ imm: 0xea1, world: 'guest', registers: { r12: '0x00000001' } });
  });

  it('unique: an EABI system call by number, from user', () => {
    const doc = json('dispatch', 'arm32', 'svc', 'r7=20', '--from', 'user');
    expect(doc.verdict).toBe('unique');
    expect(byAbi(doc, 'linux-syscall-eabi')).toMatchObject({ mine: true, call: 'getpid' });
  });

  it('takes -1 as all ones and register names in any case', () => {
    const doc = json('dispatch', 'arm32', 'hvc', 'R0=-1', '--world', 'host');
    expect(doc.query.registers).toEqual({ r0: '0xffffffff' });
    expect(byAbi(doc, 'linux-hyp-stub-v3.6').call).toBe('__hyp_get_vectors');
  });
});

/** A spec of its own family on `hvc` whose one call claims r0 = 5 with a given meaning and r0 result. */
function single(id: string, meaning: string, result: bigint): Abi {
  const call: CallSpec = { name: `CALL_${id}`, select: 5n, summary: 'test call', meaning, run: (c) => (c.set('r0', result), { kind: 'return' }) };
  return defineAbi({
    id,
    family: id,
    arch: 'arm32',
    era: 'test',
    status: 'draft',
    purpose: 'test spec',
    source: { document: 'test/cli/dispatch-command.test.ts', version: 'test' },
    conduit: { instruction: 'hvc', imm: 'any' },
    origin: { privilege: ['kernel'], world: ['host'] },
    selector: { register: 'r0', width: 32 },
    priority: 0,
    calls: [call],
    examples: [],
  });
}

describe('verdicts against a made-up registry', () => {
  it('agree when two specs mean the same and do the same; collision when the effect differs; unique and unclaimed', () => {
    const agree = JSON.parse(runDispatchCommand(ARM32, new AbiRegistry([single('a', 'same', 0n), single('b', 'same', 0n)]), 'hvc', ['r0=5'], { json: true }));
    expect(agree.verdict).toBe('agree');
    const differ = JSON.parse(runDispatchCommand(ARM32, new AbiRegistry([single('a', 'same', 0n), single('b', 'same', 1n)]), 'hvc', ['r0=5'], { json: true }));
    expect(differ.verdict).toBe('collision');
    const one = JSON.parse(runDispatchCommand(ARM32, new AbiRegistry([single('a', 'same', 0n)]), 'hvc', ['r0=5'], { json: true }));
    expect(one.verdict).toBe('unique');
    const none = JSON.parse(runDispatchCommand(ARM32, new AbiRegistry([single('a', 'same', 0n), single('b', 'same', 0n)]), 'hvc', ['r0=6'], { json: true }));
    expect(none.verdict).toBe('unclaimed');
  });

  it('says so when no spec sits on the conduit', () => {
    const text = runDispatchCommand(ARM32, new AbiRegistry([]), 'smc', [], {});
    expect(text.split('\n')).toEqual(['arm32 smc #0 from kernel (host or guest), all registers zero', '  no spec is registered on this conduit', 'verdict: unclaimed (no spec on this conduit claims the trap)']);
  });

  it('accepts the backend\'s conduits even where no spec uses them', () => {
    expect(conduitsOf(ARM32, new AbiRegistry([]))).toEqual(['hvc', 'smc', 'svc']);
  });
});

describe('register assignments', () => {
  it('parse decimal and 0x hex, wrap negatives and keep the order given', () => {
    expect(parseRegisterAssignments(ARM32, ['r1=0x80008000', 'r0=7', 'r2=-2'])).toEqual({ r1: 0x8000_8000n, r0: 7n, r2: 0xffff_fffen });
  });
});

describe('input errors: one line, status 2', () => {
  const cases: readonly (readonly [string, readonly string[], string])[] = [
    ['unknown register', ['dispatch', 'arm32', 'hvc', 'r0=1', 'r16=1'], "hyplay: dispatch: unknown register 'r16' for arm32 (argument 4)"],
    ['not a number', ['dispatch', 'arm32', 'hvc', 'r0=zz'], "hyplay: dispatch: r0 (argument 3): 'zz' is not a number (decimal or 0x hex)"],
    ['too wide', ['dispatch', 'arm32', 'hvc', 'r0=0x100000000'], 'hyplay: dispatch: r0 (argument 3): 0x100000000 does not fit a 32-bit register'],
    ['too negative', ['dispatch', 'arm32', 'hvc', 'r0=-0x80000001'], 'hyplay: dispatch: r0 (argument 3): -0x80000001 does not fit a 32-bit register'],
    ['not REG=VAL', ['dispatch', 'arm32', 'hvc', 'r0'], "hyplay: dispatch: 'r0' (argument 3) is not REG=VAL"],
    ['a register twice', ['dispatch', 'arm32', 'hvc', 'r0=1', 'R0=2'], "hyplay: dispatch: register 'r0' is given twice (argument 4)"],
    ['unknown conduit', ['dispatch', 'arm32', 'vmcall'], "hyplay: dispatch: unknown conduit 'vmcall' for arm32 (one of hvc, smc, svc)"],
    ['unknown architecture', ['dispatch', 'arm33', 'hvc'], "hyplay: unknown architecture 'arm33' (one of " + loadBackends().names().join(', ') + ')'],
    ['bad --from', ['dispatch', 'arm32', 'hvc', '--from', 'root'], "hyplay: --from: 'root' is not one of user, kernel, hyp"],
    ['bad --world', ['dispatch', 'arm32', 'hvc', '--world', 'cloud'], "hyplay: --world: 'cloud' is not one of host, guest"],
    ['bad --imm', ['dispatch', 'arm32', 'hvc', '--imm', 'x1'], "hyplay: --imm: 'x1' is not a number (decimal or 0x hex)"],
    ['--imm out of range', ['dispatch', 'arm32', 'hvc', '--imm', '0x1000000'], 'hyplay: --imm: 0x1000000 is out of range 0..0xffffff'],
  ];

  it.each(cases)('%s', (_, argv, expected) => {
    const result = cli(...argv);
    expect(result.status).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toEqual([expected]);
  });
});
