/**
 * `hyplay dispatch <arch> <conduit> [REG=VAL ...] [--imm N] [--from P] [--world W] [--json]`,
 * driven in-process through `runCli` with a capturing io, plus the command's
 * functions against a registry made up for the test (for the verdicts the
 * shipped specs do not produce on their own).
 */

import { describe, expect, it } from 'vitest';
import { AbiRegistry } from '../../src/abi/registry.ts';
import { defineAbi, type Abi, type CallSpec } from '../../src/abi/spec.ts';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { conduitHelp, conduitsOf, parseRegisterAssignments, runDispatchCommand } from '../../src/cli/dispatch-command.ts';
import { loadAbis, loadBackends } from '../../src/di/container.ts';
import { cli, json } from '../support/cli.ts';

function byAbi(doc: any, id: string): any {
  const found = doc.interpretations.find((i: any) => i.abi === id);
  expect(found, `no interpretation from ${id}`).toBeDefined();
  return found;
}

const ARM32 = loadBackends().get('arm32')!;
/** The built CLI (the bundle `bin.hyplay` names; the test setup builds it, as for test/cli/cli.test.ts). */
const ENTRY = fileURLToPath(new URL('../../dist/hyplay.cjs', import.meta.url));
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
    expect(lines[0]).toBe('arm32 hvc #0x0 from kernel (host or guest): r0=0x00000001 r1=0x80008000');
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
    expect(text.split('\n')).toEqual(['arm32 smc #0x0 from kernel (host or guest), all registers zero', '  no spec is registered on this conduit', 'verdict: unclaimed (no spec on this conduit claims the trap)']);
  });

  it('accepts the backend\'s conduits even where no spec uses them', () => {
    expect(conduitsOf(ARM32, new AbiRegistry([]))).toEqual(['data-abort', 'hvc', 'smc', 'svc']);
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
    ['unknown conduit', ['dispatch', 'arm32', 'vmcall'], "hyplay: dispatch: unknown conduit 'vmcall' for arm32 (one of data-abort, hvc, smc, svc)"],
    ['unknown architecture', ['dispatch', 'arm33', 'hvc'], "hyplay: unknown architecture 'arm33' (one of " + loadBackends().names().join(', ') + ')'],
    ['bad --from', ['dispatch', 'arm32', 'hvc', '--from', 'root'], "hyplay: --from: 'root' is not one of user, kernel, hyp"],
    ['bad --world', ['dispatch', 'arm32', 'hvc', '--world', 'cloud'], "hyplay: --world: 'cloud' is not one of host, guest"],
    ['bad --imm', ['dispatch', 'arm32', 'hvc', '--imm', 'x1'], "hyplay: --imm: 'x1' is not a number (decimal or 0x hex)"],
    ['--imm out of range', ['dispatch', 'arm32', 'hvc', '--imm', '0x1000000'], "hyplay: --imm: 0x1000000 does not fit hvc's imm16 (0..0xffff)"],
  ];

  it.each(cases)('%s', (_, argv, expected) => {
    const result = cli(...argv);
    expect(result.status).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toEqual([expected]);
  });
});

describe('noReturn calls do not return (issue 8 §1)', () => {
  const cases: readonly (readonly [string, readonly string[], string, string])[] = [
    ['arm32 exit', ['dispatch', 'arm32', 'svc', 'r7=1', '--from', 'user'], 'linux-syscall-eabi', 'exit'],
    ['arm32 exit_group', ['dispatch', 'arm32', 'svc', 'r7=248', '--from', 'user'], 'linux-syscall-eabi', 'exit_group'],
    ['ppc64 exit', ['dispatch', 'ppc64', 'sc', 'r0=1', '--from', 'user'], 'linux-syscall-ppc64-v5.7', 'exit'],
    ['PSCI CPU_OFF', ['dispatch', 'arm32', 'hvc', 'r0=0x84000002', '--world', 'guest'], 'psci-v0.2-hvc', 'PSCI_0_2_FN_CPU_OFF'],
    ['PSCI SYSTEM_OFF', ['dispatch', 'arm32', 'smc', 'r0=0x84000008', '--world', 'host'], 'psci-v0.2-smc', 'PSCI_0_2_FN_SYSTEM_OFF'],
  ];

  it.each(cases)('%s: the effect ends "does not return" and JSON says returns: false', (_, argv, abi, call) => {
    const doc = json(...argv);
    const reading = byAbi(doc, abi);
    expect(reading).toMatchObject({ mine: true, call, returns: false, outcome: { kind: 'return' } });
    expect(reading.effect).toMatch(/(^|; )does not return$/);
    expect(reading.effect).not.toMatch(/\breturns$/);
    const text = cli(...argv).out.split('\n');
    const at = text.findIndex((line) => line.startsWith(`  ${abi}: ${call}(`));
    expect(at).toBeGreaterThan(0);
    expect(text[at + 1]).toMatch(/^ {6}(.*; )?does not return$/);
  });

  it('a call that returns says so, and a jump is not a return', () => {
    expect(byAbi(json('dispatch', 'arm32', 'svc', 'r7=20', '--from', 'user'), 'linux-syscall-eabi')).toMatchObject({ call: 'getpid', effect: 'returns', returns: true });
    expect(byAbi(json('dispatch', 'arm32', 'hvc', 'r0=1', 'r1=0x80008000'), 'linux-hyp-stub-v4.12')).toMatchObject({ call: 'HVC_SOFT_RESTART', returns: false, outcome: { kind: 'jump' } });
    expect(byAbi(json('dispatch', 'arm32', 'hvc', 'r0=1', 'r1=0x80008000'), 'kvm-arm32-v3.9')).toMatchObject({ call: 'kvm_call_hyp', returns: true, outcome: { kind: 'call' } });
    expect(byAbi(json('dispatch', 'arm32', 'hvc', 'r0=1'), 'xen-arm32')).not.toHaveProperty('returns');
  });
});

describe('values checked against the conduit and the registers (issue 8 §3)', () => {
  it('--imm fits the instruction: hvc imm16, smc imm4, svc imm24, ppc64 sc none', () => {
    expect(json('dispatch', 'arm32', 'hvc', '--imm', '0xffff').query.imm).toBe(0xffff);
    expect(json('dispatch', 'arm32', 'smc', '--imm', '15').query.imm).toBe(15);
    expect(json('dispatch', 'arm32', 'svc', '--imm', '0xffffff', '--from', 'user').query.imm).toBe(0xff_ffff);
    expect(json('dispatch', 'ppc64', 'sc1', '--imm', '0').query.imm).toBe(0);
    const errors: readonly (readonly [readonly string[], string])[] = [
      [['arm32', 'hvc', '--imm', '0x10000'], "hyplay: --imm: 0x10000 does not fit hvc's imm16 (0..0xffff)"],
      [['arm32', 'smc', '--imm', '16'], "hyplay: --imm: 16 does not fit smc's imm4 (0..0xf)"],
      [['arm32', 'svc', '--imm', '0x1000000'], "hyplay: --imm: 0x1000000 does not fit svc's imm24 (0..0xffffff)"],
      [['arm32', 'hvc', '--imm', '-1'], "hyplay: --imm: -1 does not fit hvc's imm16 (0..0xffff)"],
      [['ppc64', 'sc', '--imm', '1'], 'hyplay: --imm: sc reports no immediate (LEV is the conduit: sc is LEV 0, sc1 is `sc 1`): give 0 or leave it out'],
    ];
    for (const [argv, message] of errors) expect(cli('dispatch', ...argv).err, argv.join(' ')).toEqual([message]);
  });

  it('arm32 registers stay 32-bit, its 64-bit cp15 registers take 64 bits, and each is printed at its width', () => {
    expect(cli('dispatch', 'arm32', 'hvc', 'r1=0x100000000').err).toEqual(['hyplay: dispatch: r1 (argument 3): 0x100000000 does not fit a 32-bit register']);
    expect(cli('dispatch', 'arm32', 'hvc', 'vttbr=0x10000000000000000').err).toEqual(['hyplay: dispatch: vttbr (argument 3): 0x10000000000000000 does not fit a 64-bit register']);
    const doc = json('dispatch', 'arm32', 'hvc', 'r0=-1', 'vttbr=0x1234');
    expect(doc.query.registers).toEqual({ r0: '0xffffffff', vttbr: '0x0000000000001234' });
    const ppc = json('dispatch', 'ppc64', 'sc', 'r0=1', 'cr=1', '--from', 'user');
    expect(ppc.query.registers).toEqual({ r0: '0x0000000000000001', cr: '0x00000001' });
    expect(cli('dispatch', 'ppc64', 'sc', 'cr=0x100000000').err).toEqual(['hyplay: dispatch: cr (argument 3): 0x100000000 does not fit a 32-bit register']);
  });

  it('a register no spec on the conduit reads is an error, not silently ignored', () => {
    expect(cli('dispatch', 'arm32', 'hvc', 'r0=1', 'pc=0x8000').err).toEqual([
      'hyplay: dispatch: pc (argument 4): no spec on arm32 hvc reads pc, so its value would be ignored (they read r0, r12, r1, r2, r3, hvbar, hsctlr, vmpidr, r4)',
    ]);
    expect(cli('dispatch', 'arm32', 'svc', 'r7=20', 'r8=1', '--from', 'user').err[0]).toMatch(/^hyplay: dispatch: r8 \(argument 4\): no spec on arm32 svc reads r8/);
    expect(cli('dispatch', 'arm32', 'hvc', 'sp_svc=1').status).toBe(2);
    // What a spec's semantics read counts: get-vectors reads HVBAR; the pc-keyed ppc64 design conditions on the pc.
    expect(byAbi(json('dispatch', 'arm32', 'hvc', 'r0=-1', 'hvbar=0x80100000', '--world', 'host'), 'linux-hyp-stub-v3.6').outcome).toEqual({ kind: 'return' });
    expect(json('dispatch', 'ppc64', 'sc', 'pc=0x4000').query.registers).toEqual({ pc: '0x0000000000004000' });
  });

  it('arm32 cpsr gives the privilege (CPSR.M) and vttbr the world (VMID); a contradiction is an error', () => {
    expect(json('dispatch', 'arm32', 'hvc', 'r0=1', 'cpsr=0x1d3').query).toMatchObject({ from: 'kernel', world: null });
    const hyp = json('dispatch', 'arm32', 'hvc', 'r0=1', 'cpsr=0x1da');
    expect(hyp.query.from).toBe('hyp');
    expect(hyp.verdict).toBe('unclaimed');
    expect(json('dispatch', 'arm32', 'svc', 'r7=20', 'cpsr=0x10').query.from).toBe('user');
    const guest = json('dispatch', 'arm32', 'hvc', 'r0=0x84000000', 'vttbr=0x0001000000000000');
    expect(guest.query.world).toBe('guest');
    expect(byAbi(guest, 'psci-v0.2-hvc').mine).toBe(true);
    expect(json('dispatch', 'arm32', 'hvc', 'r0=1', 'cpsr=0x1d3', '--from', 'kernel').query.from).toBe('kernel');
    expect(cli('dispatch', 'arm32', 'hvc', 'r0=1', 'cpsr=0x1da', '--from', 'kernel').err).toEqual(['hyplay: dispatch: cpsr (argument 4): M[4:0]=0x1a (hyp) means hyp, but --from says kernel']);
    expect(cli('dispatch', 'arm32', 'hvc', 'vttbr=0x0001000000000000', '--world', 'host').err).toEqual(['hyplay: dispatch: vttbr (argument 3): VMID=0x1 means the guest, but --world says host']);
    expect(cli('dispatch', 'arm32', 'hvc', 'cpsr=0').err).toEqual(['hyplay: dispatch: cpsr (argument 3): M[4:0]=0x00 is not an arm32 mode (B1.3.1)']);
  });

  it('ppc64 msr gives the privilege (MSR[PR], MSR[HV]) and the world (MSR[HV]), as the firmware reads SRR1', () => {
    expect(json('dispatch', 'ppc64', 'sc', 'r0=20', 'msr=0x8000000000004000').query).toMatchObject({ from: 'user', world: 'guest' });
    expect(json('dispatch', 'ppc64', 'sc', 'r0=20', 'msr=0x8000000000000000').query).toMatchObject({ from: 'kernel', world: 'guest' });
    expect(json('dispatch', 'ppc64', 'sc1', 'r3=8', 'msr=0x9000000000000000').query).toMatchObject({ from: 'hyp', world: 'host' });
    expect(cli('dispatch', 'ppc64', 'sc', 'msr=0x8000000000004000', '--from', 'kernel').err).toEqual(['hyplay: dispatch: msr (argument 3): MSR[HV]=0 MSR[PR]=1 means user, but --from says kernel']);
  });

  it('--from takes privilege names; a CPU mode is an error that names its privilege', () => {
    expect(cli('dispatch', 'arm32', 'hvc', '--from', 'svc').err).toEqual(["hyplay: --from: 'svc' is a CPU mode of arm32, not a privilege: give one of user, kernel, hyp (svc runs at kernel)"]);
    expect(cli('dispatch', 'arm32', 'hvc', '--from', 'usr').err).toEqual(["hyplay: --from: 'usr' is a CPU mode of arm32, not a privilege: give one of user, kernel, hyp (usr runs at user)"]);
    expect(cli('dispatch', 'ppc64', 'sc', '--from', 'hv').err).toEqual(["hyplay: --from: 'hv' is a CPU mode of ppc64, not a privilege: give one of user, kernel, hyp (hv runs at hyp)"]);
    expect(cli('dispatch', 'ppc64', 'sc', '--from', 'problem').err).toEqual(["hyplay: --from: 'problem' is a CPU mode of ppc64, not a privilege: give one of user, kernel, hyp (problem runs at user)"]);
  });

  it('immediates are printed in hex, and a conduit without one shows none', () => {
    expect(cli('dispatch', 'arm32', 'hvc', '--imm', '3745', '--world', 'guest', 'r12=18').out.split('\n')[0]).toBe('arm32 hvc #0xea1 from kernel (guest): r12=0x00000012');
    expect(cli('dispatch', 'ppc64', 'sc1', 'r3=8').out.split('\n')[0]).toBe('ppc64 sc1 from kernel (host or guest): r3=0x0000000000000008');
  });
});

describe('dispatch --help', () => {
  it("lists every backend's conduits, their immediates and its origin registers, generated from the backends", () => {
    const text = conduitHelp(loadBackends());
    for (const name of loadBackends().names()) {
      const backend = loadBackends().get(name)!;
      const line = text.split('\n').find((l) => l.startsWith(`  ${name}: `));
      expect(line, name).toBeDefined();
      for (const conduit of backend.conduits ?? []) expect(line).toContain(conduit);
      for (const origin of backend.originRegisters ?? []) expect(line).toContain(origin.register);
    }
    expect(text).toContain('  arm32: data-abort (--imm: none), hvc (--imm: imm16), smc (--imm: imm4), svc (--imm: imm24); origin registers cpsr, vttbr');
  });

  it('the built CLI loads the backends for the help (it prints the list, not an internal error)', () => {
    const result = spawnSync(process.execPath, [ENTRY, 'dispatch', '--help'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Conduits by architecture');
    expect(result.stdout).toMatch(/\n {2}ppc64: sc/);
  });
});
