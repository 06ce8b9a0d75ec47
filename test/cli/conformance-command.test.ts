/**
 * `hyplay conformance <abi-id> [--impl <name>] [--json]`, driven in-process
 * through `runCli` with a capturing io: exit 0 when every case passes, 1
 * when one fails (the report on stdout, nothing on stderr), 2 on bad input
 * (one line on stderr).
 */

import { describe, expect, it } from 'vitest';
import { KVM_ARM32_V3_9 } from '../../arch/arm32/abis/kvm-arm32.abi.ts';
import { LINUX_HYP_STUB_V4_12 } from '../../arch/arm32/abis/linux-hyp-stub.abi.ts';
import { AbiRegistry } from '../../src/abi/registry.ts';
import { defineAbi } from '../../src/abi/spec.ts';
import { CliError } from '../../src/cli/cli-error.ts';
import { runConformanceCommand } from '../../src/cli/conformance-command.ts';
import { loadBackends } from '../../src/di/container.ts';
import { cli, cliAsync } from '../support/cli.ts';
import { tempFiles } from '../support/temp-files.ts';

const CASES = [
  'HVC_SET_VECTORS r0=0x0 r1=0x80001000',
  'HVC_SOFT_RESTART r0=0x1 r1=0x80008000',
  'HVC_RESET_VECTORS r0=0x2',
  'invalid r0=0xc0100000',
  'invalid r0=0x3',
  'invalid r0=0xffffffff',
  'invalid r0=0x80000000',
];

describe('hyplay conformance', () => {
  it("defaults to the spec's own firmware: every case passes, exit 0", () => {
    const result = cli('conformance', 'linux-hyp-stub-v4.12');
    expect(result.err).toEqual([]);
    expect(result.status).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe('conformance of spec to linux-hyp-stub-v4.12');
    expect(lines.slice(1, -1).map((l) => l.slice(0, l.indexOf(':')))).toEqual(CASES.map((c) => `pass ${c}`));
    expect(lines).toContain('pass HVC_SOFT_RESTART r0=0x1 r1=0x80008000: landed at 0x80008000 in hyp; 13 registers preserved');
    expect(lines.at(-1)).toBe('7 passed, 0 failed');
  });

  it('--impl asm:hyp-stub-v4.12 (or the bare name) runs the assembly stub: exit 0', () => {
    for (const impl of ['asm:hyp-stub-v4.12', 'hyp-stub-v4.12']) {
      const result = cli('conformance', 'linux-hyp-stub-v4.12', '--impl', impl);
      expect(result.err).toEqual([]);
      expect(result.status).toBe(0);
      expect(result.out.split('\n')[0]).toBe('conformance of asm:hyp-stub-v4.12 to linux-hyp-stub-v4.12');
      expect(result.out).toContain('\n7 passed, 0 failed');
    }
  });

  it('--impl with another spec id runs that spec as the firmware; a failing case is a result: exit 1, report on stdout, stderr empty', () => {
    const result = cli('conformance', 'linux-hyp-stub-v4.12', '--impl', 'linux-hyp-stub-v3.6');
    expect(result.err).toEqual([]);
    expect(result.status).toBe(1);
    expect(result.out).toContain('FAIL HVC_SOFT_RESTART r0=0x1 r1=0x80008000: expected to land at 0x80008000 in hyp; got a return to the caller at 0x00008004 in svc');
    expect(result.out.split('\n').at(-1)).toBe('0 passed, 7 failed');
    // spec:<id> names the same implementation.
    expect(cli('conformance', 'linux-hyp-stub-v4.12', '--impl', 'spec:linux-hyp-stub-v3.6').out).toBe(result.out);
  });

  it("--impl kvm-arm32-v3.9 (KVM's r0-is-a-function-pointer convention) fails on HVC_SOFT_RESTART with the reason: exit 1", () => {
    const result = cli('conformance', 'linux-hyp-stub-v4.12', '--impl', 'kvm-arm32-v3.9');
    expect(result.err).toEqual([]);
    expect(result.status).toBe(1);
    expect(result.out.split('\n')).toContain(
      'FAIL HVC_SOFT_RESTART r0=0x1 r1=0x80008000: expected to land at 0x80008000 in hyp; got firmware stop: kvm-arm32-v3.9 firmware: prefetch abort in Hyp at 0x00000000 (HIFAR; HVBAR+0x0c, HSR 0x86000010), taken from hyp (vector prefetch-abort)',
    );
    expect(result.out.split('\n')[0]).toBe('conformance of kvm-arm32-v3.9 to linux-hyp-stub-v4.12');
  });

  it('a spec suite against its own firmware passes for KVM too, listing the targets it cannot observe as skipped', () => {
    const result = cli('conformance', 'kvm-arm32-v3.9');
    expect(result.status).toBe(0);
    expect(result.out).toContain('skip kvm_call_hyp r0=0x1 ');
    expect(result.out.split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/);
  });

  it('--impl kvm-arm32-v4.12 lands the soft restart at r1 too, but with r0 and r1 changed: the stub spec says FAIL, exit 1', () => {
    const result = cli('conformance', 'linux-hyp-stub-v4.12', '--impl', 'kvm-arm32-v4.12');
    expect(result.status).toBe(1);
    expect(result.out.split('\n')).toContain('FAIL HVC_SOFT_RESTART r0=0x1 r1=0x80008000: expected to land at 0x80008000 in hyp; landed, but r0 changed 0x1 -> 0x0, r1 changed 0x80008000 -> 0x80100000');
  });

  it('a spec whose conduit cannot be driven is bad input: exit 2', () => {
    expect(cli('conformance', 'psci-v0.2-smc')).toEqual({
      status: 2,
      out: '',
      err: ['hyplay: cannot run a conformance suite for psci-v0.2-smc: arm32 conformance drives hvc only, not smc (from PL1, svc is taken at VBAR and smc at MVBAR, not at the Hyp vectors)'],
    });
  });

  it('--impl asm:kvm-v3.9 fails on SOFT_RESTART with the reason: exit 1', () => {
    const result = cli('conformance', 'linux-hyp-stub-v4.12', '--impl', 'asm:kvm-v3.9');
    expect(result.status).toBe(1);
    expect(result.out).toContain(
      'FAIL HVC_SOFT_RESTART r0=0x1 r1=0x80008000: expected to land at 0x80008000 in hyp; got no end within 10000 steps, stuck at 0x0000200c in hyp (vector prefetch-abort: prefetch abort in Hyp at 0x00000000 (HIFAR; HVBAR+0x0c',
    );
  });

  it('--json: abi, implementation, counts, skipped, and per case its registers, expectation, verdict and stop', () => {
    const result = cli('conformance', 'linux-hyp-stub-v4.12', '--impl', 'asm:hyp-stub-v4.12', '--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.out);
    expect(Object.keys(report)).toEqual(['abi', 'implementation', 'passed', 'failed', 'skipped', 'cases']);
    expect([report.abi, report.implementation, report.passed, report.failed, report.skipped]).toEqual(['linux-hyp-stub-v4.12', 'asm:hyp-stub-v4.12', 7, 0, []]);
    expect(report.cases.map((c: { name: string }) => c.name)).toEqual(CASES);
    const restart = report.cases[1];
    expect(Object.keys(restart)).toEqual(['name', 'call', 'pass', 'why', 'registers', 'expected', 'stop']);
    expect(restart.call).toBe('HVC_SOFT_RESTART');
    expect(restart.pass).toBe(true);
    expect(restart.registers.r1).toBe('0x80008000');
    expect(restart.expected).toEqual({ kind: 'jump', target: '0x80008000', writes: {}, preserved: ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12'] });
    expect(restart.stop).toEqual({ reason: 'wfi', pc: '0x80008004', mode: 'hyp' });
    expect(report.cases[0].expected).toMatchObject({ kind: 'return', writes: { hvbar: '0x80001000', r0: '0x00000000' }, clobbers: ['r1', 'r2', 'r3', 'r12'] });
  });

  it('--json on a failing run still prints the report, with exit 1', () => {
    const result = cli('conformance', 'linux-hyp-stub-v4.12', '--impl', 'linux-hyp-stub-v3.6', '--json');
    expect(result.status).toBe(1);
    expect(result.err).toEqual([]);
    const report = JSON.parse(result.out);
    expect([report.passed, report.failed]).toEqual([0, 7]);
    expect(report.cases[1].why).toBe('expected to land at 0x80008000 in hyp; got a return to the caller at 0x00008004 in svc');
  });

  it.each([
    [['conformance', 'no-such-abi'], "hyplay: unknown ABI 'no-such-abi' (see `hyplay abi list`)"],
    [['conformance', 'linux-hyp-stub-v4.12', '--impl', 'nope'], "hyplay: --impl: unknown implementation 'nope' (one of spec, a spec id of arm32, asm:hyp-stub-v4.12, asm:kvm-v3.9, asm:kvm-v3.10, image:FILE[@STUB])"],
    [['conformance', 'linux-hyp-stub-v4.12', '--impl', 'asm:nope'], "hyplay: --impl: unknown implementation 'asm:nope' (one of spec, a spec id of arm32, asm:hyp-stub-v4.12, asm:kvm-v3.9, asm:kvm-v3.10, image:FILE[@STUB])"],
  ])('bad input %j: one line on stderr, exit 2', (argv, message) => {
    const result = cli(...argv);
    expect(result).toEqual({ status: 2, out: '', err: [message] });
  });

  it('a missing ABI id is a usage error: exit 2', () => {
    const result = cli('conformance');
    expect(result.status).toBe(2);
    expect(result.err).toEqual(["hyplay: missing required argument 'abi-id'"]);
  });
});

describe('hyplay conformance --impl image: bad input', () => {
  const files = tempFiles('conformance-image');
  /** A well-formed little-endian zImage header (magic, start 0, end, flag) on code that is all `b .`: it boots, and spins. */
  function spinningZimage(): string {
    const words = new Uint32Array(0x40 / 4).fill(0xeaff_fffe);
    words[0x24 / 4] = 0x016f_2818;
    words[0x28 / 4] = 0;
    words[0x2c / 4] = 0x40;
    words[0x30 / 4] = 0x0403_0201;
    return files.file(new Uint8Array(words.buffer), '.zimage');
  }

  it.each([
    ['a missing file', () => ['--impl', `image:${files.dir}/none.vmlinuz`], "hyplay: cannot read '<dir>/none.vmlinuz': no such file"],
    ['a file that is no kernel image', () => ['--impl', `image:${files.file('not a kernel\n', '.txt')}`], 'hyplay: <file>: offset 0x0: not a kernel image arm32 boots (ELF, zImage), so it has no hyp stub to test'],
    ['an unknown @STUB', () => ['--impl', 'image:vmlinuz@nope'], "hyplay: --impl: arm32 images have no stub 'nope' (one of zimage, kernel)"],
    ["the decompressor's stub with --payload", () => ['--impl', 'image:vmlinuz@zimage', '--payload'], "hyplay: --impl: the zimage stub is the zImage decompressor's copy of the hyp stub (compressed/head.S __hyp_stub_install, then the drop to svc); --payload boots the kernel inside the image directly and never runs it"],
    ['no file', () => ['--impl', 'image:'], "hyplay: --impl: 'image:' names no file (image:FILE[@STUB])"],
    ['a step budget out of range', () => ['--impl', 'image:vmlinuz', '--boot-steps', '0'], 'hyplay: --boot-steps: 0 is out of range 1..100000000000'],
  ])('%s: one line on stderr, exit 2', async (_, argv, message) => {
    const args = argv();
    const file = args[1]!.slice('image:'.length).replace(/@.*$/, '');
    const result = await cliAsync('conformance', 'linux-hyp-stub-v5.7', ...args);
    expect(result).toEqual({ status: 2, out: '', err: [message.replace('<dir>', files.dir).replace('<file>', file)] });
  });

  it('an image that never installs a stub stops on the boot budget: one line naming the stub, the budget and where the boot was, exit 2', async () => {
    const file = spinningZimage();
    const result = await cliAsync('conformance', 'linux-hyp-stub-v5.7', '--impl', `image:${file}`, '--boot-steps', '1000');
    expect(result.status).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toEqual([
      `hyplay: image:${file}@kernel: the image did not install the kernel proper's hyp stub (head.S __hyp_stub_install after the Hyp re-entry, then the drop to svc) within 1000 instructions (no stub installed); the boot stopped with budget-exhausted at 0x40008000: step budget of 1000 used up`,
    ]);
  });
});

describe('runConformanceCommand with an explicit registry', () => {
  const backends = loadBackends();

  it('the linux-hyp-stub-v4.12 suite against kvm-arm32-v3.9 fails on HVC_SOFT_RESTART, saying why', () => {
    const abis = new AbiRegistry([LINUX_HYP_STUB_V4_12, KVM_ARM32_V3_9]);
    const { text, report } = runConformanceCommand(backends, abis, 'linux-hyp-stub-v4.12', { impl: 'kvm-arm32-v3.9' });
    expect(report.failed).toBe(7);
    expect(text.split('\n')).toContain(
      'FAIL HVC_SOFT_RESTART r0=0x1 r1=0x80008000: expected to land at 0x80008000 in hyp; got firmware stop: kvm-arm32-v3.9 firmware: prefetch abort in Hyp at 0x00000000 (HIFAR; HVBAR+0x0c, HSR 0x86000010), taken from hyp (vector prefetch-abort)',
    );
  });

  it('refuses a spec of another architecture as the implementation, and a spec it cannot drive', () => {
    const foreign = defineAbi({ ...LINUX_HYP_STUB_V4_12.spec, id: 'foreign', arch: 'ppc64', examples: [] });
    const svc = defineAbi({ ...LINUX_HYP_STUB_V4_12.spec, id: 'svc-spec', conduit: { instruction: 'svc', imm: 'any' }, examples: [] });
    const abis = new AbiRegistry([LINUX_HYP_STUB_V4_12, foreign, svc]);
    expect(() => runConformanceCommand(backends, abis, 'linux-hyp-stub-v4.12', { impl: 'foreign' })).toThrow(new CliError("--impl: 'foreign' is a ppc64 spec and linux-hyp-stub-v4.12 is arm32"));
    expect(() => runConformanceCommand(backends, abis, 'svc-spec', {})).toThrow(
      new CliError('cannot run a conformance suite for svc-spec: arm32 conformance drives hvc only, not svc (from PL1, svc is taken at VBAR and smc at MVBAR, not at the Hyp vectors)'),
    );
    const noDriver = defineAbi({ ...LINUX_HYP_STUB_V4_12.spec, id: 'elsewhere', arch: 'no-such-arch', examples: [] });
    expect(() => runConformanceCommand(backends, new AbiRegistry([noDriver]), 'elsewhere', {})).toThrow(new CliError('elsewhere: architecture no-such-arch has no conformance driver'));
  });
});
