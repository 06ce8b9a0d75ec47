/**
 * `hyplay scenario list|run` and `hyplay reset-matrix` against their
 * contract, in-process through `runCli`; and `npm start`, spawned for real:
 * it exits 0 and prints the reset matrix, then the collision summary.
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, json } from '../support/cli.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('hyplay scenario list', () => {
  it('lists every scenario with its architecture, expected outcome and title', () => {
    const { scenarios } = json('scenario', 'list');
    expect(scenarios.length).toBeGreaterThan(20);
    expect(scenarios).toContainEqual({
      name: 'kdump-rmk-kvm-v4.6-vm',
      arch: 'arm32',
      title: "kdump on linux-hyp-stub-rmk with kvm-arm32-v3.10 (v4.6–v4.11), a VM running: the out-of-tree soft-reboot stub on its tree's function-pointer KVM",
      expected: 'hyp-crash',
    });
    for (const s of scenarios) expect(Object.keys(s)).toEqual(s.inspection === undefined ? ['name', 'arch', 'title', 'expected'] : ['name', 'arch', 'title', 'expected', 'inspection']);
    const text = cli('scenario', 'list');
    expect(text.status).toBe(0);
    expect(text.out.split('\n')).toHaveLength(scenarios.length);
    expect(text.out).toMatch(/^idle-spin +arm32 +budget-exhausted +boot in Hyp/m);
  });
});

describe('hyplay scenario run', () => {
  it('prints the outcome and one line per hypervisor call', () => {
    const result = cli('scenario', 'run', 'kdump-rmk-kvm-v4.6-vm');
    expect(result.status).toBe(0);
    expect(result.err).toEqual([]);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe(
      "scenario kdump-rmk-kvm-v4.6-vm (arm32): kdump on linux-hyp-stub-rmk with kvm-arm32-v3.10 (v4.6–v4.11), a VM running: the out-of-tree soft-reboot stub on its tree's function-pointer KVM",
    );
    expect(lines[1]).toBe('hypervisor calls: 12 (--trace shows each as it happens)');
    expect(lines).toContain('  12. hvc #0x0 from svc (kernel), r0=0x00000001 r1=0x00000001 r2=0x00c50078 r3=0x88008000 -> kvm-arm32-v3.10: kvm_call_hyp: calls 0x1(0x1, 0xc50078, 0x88008000) (meant HVC_SOFT_RESTART)');
    expect(lines.at(-2)).toBe('outcome: hyp-crash: prefetch abort in Hyp at 0x00000000 (HVBAR+0x0C): kvm-arm32-v3.10 took HVC_SOFT_RESTART (r0=1) as a function pointer (call target 0x1)');
    expect(lines.at(-1)).toMatch(/^expected: hyp-crash \(ok\), after \d+ steps$/);
  });

  it('--trace prints the golden trace: each HVC with mode, r0–r3, the vector and the dispatcher', () => {
    const result = cli('scenario', 'run', 'kexec-v4.12-kvm-v4.12-vm', '--trace');
    expect(result.status).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(/^== scenario kexec-v4.12-kvm-v4.12-vm: /);
    // The kexec reboot notifier: KVM v4.12 resets with HVC_RESET_VECTORS (r0 = 2); r1–r3 hold whatever the caller left.
    expect(lines.some((l) => /^-- hvc #0 from svc: r0=0x00000002 r1=0x[0-9a-f]{8} r2=0x[0-9a-f]{8} r3=0x[0-9a-f]{8}; HVBAR\+0x14 \(hyp-trap\) of kvm-arm32-v4\.12 \(spec firmware\)$/.test(l))).toBe(true);
    expect(lines.some((l) => /^-- dispatch collision \(\d+ of \d+ specs claim it\): handler kvm-arm32-v4\.12 HVC_RESET_VECTORS: hsctlr ← 0x0, r1 ← 0x80100000, hvbar ← 0x80100000, r0 ← 0x0; returns; caller means linux-hyp-stub-v4\.12 HVC_RESET_VECTORS: r0 ← 0x0; returns/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('== expected new-kernel-in-hyp: ok');
  });

  it('--json gives the outcome with its details and every call', () => {
    const run = json('scenario', 'run', 'kdump-v4.12-kvm-v3.9');
    expect(Object.keys(run)).toEqual(['scenario', 'arch', 'title', 'expected', 'matches', 'steps', 'outcome', 'hvcs']);
    expect(run.outcome).toEqual({
      kind: 'hyp-crash',
      vector: 'prefetch-abort',
      offset: '0x0c',
      vectorAddress: '0x8011000c',
      faultAddress: '0x00000000',
      mode: 'hyp',
      detail: 'prefetch abort in Hyp at 0x00000000 (HVBAR+0x0C): kvm-arm32-v3.9 took HVC_SOFT_RESTART (r0=1) as a function pointer (call target 0x1)',
    });
    expect(run.matches).toBe(true);
    expect(run.hvcs.at(-1)).toEqual({
      conduit: 'hvc',
      imm: 0,
      from: 'svc',
      registers: { r0: '0x00000001', r1: '0x88008000', r2: '0x00c50078', r3: '0x80110000' },
      vectorBase: '0x80110000',
      slot: 'HVBAR+0x14 (hyp-trap)',
      handler: 'kvm-arm32-v3.9',
      handled: { abi: 'kvm-arm32-v3.9', call: 'kvm_call_hyp', effect: 'calls 0x1(0x88008000, 0xc50078, 0x80110000)' },
      meant: { abi: 'linux-hyp-stub-v4.12', call: 'HVC_SOFT_RESTART', effect: 'jumps to 0x88008000' },
      verdict: 'collision',
    });
    const traced = json('scenario', 'run', 'kdump-v4.12-kvm-v3.9', '--trace');
    expect(traced.trace.at(-2)).toBe(`== outcome hyp-crash: ${run.outcome.detail}`);
  });

  it('a scenario whose hypervisor is a host model prints the host\'s exits instead of hypervisor calls, text and --json', () => {
    const result = cli('scenario', 'run', 'x86-kvm-vmcall-cpl3-on-amd');
    expect(result.status).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[1]).toBe('host model (--trace shows each exit as it happens):');
    expect(lines[2]).toMatch(/^  1\. 0x[0-9a-f]{8}: vm exit 0x46 EXCP_BASE\+6 \(#UD\) to the host$/);
    expect(lines[3]).toMatch(/^  2\. 0x[0-9a-f]{8}: host: VMCALL is decoded with Priv: CPL ≠ 0 → #GP\(0\), and the instruction is not patched$/);
    expect(lines).not.toContain('hypervisor calls: 0');
    expect(lines[lines.length - 1]).toMatch(/^expected: guest-exception \(ok\)/);
    const run = json('scenario', 'run', 'x86-kvm-vmcall-cpl3-on-amd', '--json');
    expect(run.outcome.kind).toBe('guest-exception');
    expect(run.hvcs).toEqual([]);
    expect(run.host).toHaveLength(2);
    expect(json('scenario', 'run', 'kdump-rmk-kvm-v4.6-vm', '--json').host).toBeUndefined();
  });

  it('an unknown scenario is a one-line error with exit status 2', () => {
    const result = cli('scenario', 'run', 'no-such-scenario');
    expect(result).toEqual({ status: 2, out: '', err: ["hyplay: unknown scenario 'no-such-scenario' (see `hyplay scenario list`)"] });
    expect(cli('scenario', 'run').status).toBe(2);
  });
});

describe('hyplay reset-matrix', () => {
  it('--json prints {"rows":[{"path","era","stub","hypervisor","vm","shipped","outcome","detail"}]}', () => {
    const { rows } = json('reset-matrix', '--arch', 'arm32');
    expect(rows).toHaveLength(30);
    for (const row of rows) expect(Object.keys(row)).toEqual(['path', 'era', 'stub', 'hypervisor', 'vm', 'shipped', 'outcome', 'detail']);
    expect(rows).toContainEqual({
      path: 'kdump',
      era: 'out of tree (v4.x vendor)',
      stub: 'linux-hyp-stub-rmk',
      hypervisor: 'kvm-arm32-v3.10',
      vm: 'running',
      shipped: true,
      outcome: 'hyp-crash',
      detail: 'prefetch abort in Hyp at 0x00000000 (HVBAR+0x0C): kvm-arm32-v3.10 took HVC_SOFT_RESTART (r0=1) as a function pointer (call target 0x1)',
    });
    const all = json('reset-matrix').rows as unknown[];
    expect(all.slice(0, rows.length)).toEqual(rows);
    expect(all.slice(rows.length)).toEqual(json('reset-matrix', '--arch', 'arm64').rows);
  });

  it('--arch arm64 prints the arm64 matrix: the v4.12 crash kernel at EL1, the x0 bug, protected KVM, the reboot race', () => {
    const { rows } = json('reset-matrix', '--arch', 'arm64');
    expect(rows).toHaveLength(32);
    const find = (path: string, era: string, hypervisor: string, vm: string): { outcome: string } => rows.find((r: Record<string, unknown>) => r['path'] === path && r['era'] === era && r['hypervisor'] === hypervisor && r['vm'] === vm);
    expect(find('kdump', 'v4.12', 'kvm-arm64-v4.12', 'running').outcome).toBe('new-kernel-in-svc');
    expect(find('kdump', 'v4.19–v5.7 (until the x0 fix)', 'kvm-arm64-v4.12', 'running').outcome).toBe('hyp-crash');
    expect(find('kdump', 'protected KVM, v5.16+', 'kvm-arm64-protected', 'running').outcome).toBe('new-kernel-in-svc');
    expect(find('kexec-race', 'v4.12–v5.9', 'kvm-arm64-v4.12', 'running').outcome).toBe('guest-error');
  });

  it('prints a readable table', () => {
    const result = cli('reset-matrix', '--arch', 'arm32');
    expect(result.status).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe('== arm32 kexec/kdump reset matrix: hyp-stub era × KVM era × VM (booted in Hyp mode)');
    expect(lines[1]).toMatch(/^path +era +stub +hypervisor +vm +shipped +outcome +detail$/);
    expect(lines).toHaveLength(33);
  });

  it('an unknown architecture, or one without a matrix, is a one-line error with exit status 2', () => {
    const unknown = cli('reset-matrix', '--arch', 'sparc');
    expect(unknown.status).toBe(2);
    expect(unknown.err).toHaveLength(1);
    expect(unknown.err[0]).toMatch(/^hyplay: --arch: unknown architecture 'sparc' \(one of /);
  });
});

describe('npm start', () => {
  it('exits 0 and prints the reset matrix, then the collision summary', () => {
    const result = spawnSync('npm', ['start', '--silent'], { cwd: ROOT, encoding: 'utf8', timeout: 55_000 });
    expect(result.status, result.stderr).toBe(0);
    const out = result.stdout;
    const matrix = out.indexOf('== arm32 kexec/kdump reset matrix');
    const collisions = out.indexOf('== collision analysis');
    expect(matrix).toBeGreaterThan(-1);
    expect(collisions).toBeGreaterThan(matrix);
    expect(out).toMatch(/^kdump +out of tree \(v4\.x vendor\) +linux-hyp-stub-rmk +kvm-arm32-v3\.10 +running +yes +hyp-crash +prefetch abort in Hyp at 0x00000000 \(HVBAR\+0x0C\)/m);
    expect(out).toMatch(/^kdump +v4\.12–v5\.6 +linux-hyp-stub-v4\.12 +kvm-arm32-v4\.12 +running +yes +new-kernel-in-hyp +new kernel entered in Hyp at 0x88008000 via kvm-arm32-v4\.12/m);
    expect(out).toMatch(/^kdump +mixed: v4\.12 stub, v3\.9 KVM +linux-hyp-stub-v4\.12 +kvm-arm32-v3\.9 +none +NO +hyp-crash /m);
  });
});

describe('hyplay scenario run on several vCPUs', () => {
  it('--trace interleaves the vCPUs, each line prefixed with its vCPU number', () => {
    const result = cli('scenario', 'run', 'smp-psci-cpu-on-race', '--trace', '--schedule', '2:12');
    expect(result.status).toBe(0);
    const lines = result.out.split('\n');
    expect(lines).toContain('-- vcpu2 runs 12 steps (schedule 2:12)');
    expect(lines.some((l) => /^vcpu2 0x00008000 svc /.test(l))).toBe(true);
    expect(lines.some((l) => /^vcpu1 0x[0-9a-f]{8} svc /.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('== expected guest-done: ok');
  });

  it('prints the schedule, the calls by vCPU and the outcome; --json has them as fields', () => {
    const text = cli('scenario', 'run', 'smp-psci-cpu-on-race-arm64', '--seed', '4');
    expect(text.status).toBe(0);
    expect(text.out).toMatch(/^schedule: seed 4 /m);
    const run = json('scenario', 'run', 'smp-psci-cpu-on-race', '--schedule', '3:12');
    expect(run.matches).toBe(true);
    expect(run.calls[0]).toEqual({ vcpu: 3, call: 'PSCI_0_2_FN_CPU_ON', registers: { r0: '0x84000003', r1: '0x00000001', r2: expect.stringMatching(/^0x[0-9a-f]{8}$/), r3: '0xc0de0003' }, result: '0x00000000' });
    expect(run.report.target_context).toBe('0xc0de0003');
  });

  it('a bad --schedule or --seed is a one-line error with its position and exit status 2', () => {
    for (const [args, message] of [
      [['--schedule', '0:12,1:x'], /^hyplay: --schedule '0:12,1:x': schedule column 8: expected a step count/],
      [['--schedule', '0:3,9:1'], /^hyplay: --schedule '0:3,9:1': schedule column 5: vCPU 9 does not exist/],
      [['--seed', 'abc'], /^hyplay: --seed 'abc': expected a number/],
      [['--seed', '1', '--schedule', '0:1'], /^hyplay: --schedule and --seed: give one of them/],
      [['--shootdown', 'ipis'], /^hyplay: --shootdown 'ipis': expected broadcast or ipi$/],
    ] as const) {
      const result = cli('scenario', 'run', 'smp-psci-cpu-on-race', ...args);
      expect(result.status).toBe(2);
      expect(result.out).toBe('');
      expect(result.err).toHaveLength(1);
      expect(result.err[0]).toMatch(message);
      expect(result.err[0]).not.toMatch(/\n./);
    }
    const single = cli('scenario', 'run', 'idle-spin', '--schedule', '0:1');
    expect(single.status).toBe(2);
    expect(single.err[0]).toMatch(/^hyplay: --schedule: idle-spin runs on one vCPU/);
    const local = cli('scenario', 'run', 'idle-spin', '--shootdown', 'ipi');
    expect(local.status).toBe(2);
    expect(local.err).toEqual(["hyplay: --shootdown: idle-spin runs on one vCPU; only scenarios on several vCPUs have other TLBs to reach"]);
  });

  it('--shootdown swaps the TLB shootdown design: the text and --json name it, and the fetch race comes and goes with it', () => {
    const raced = cli('scenario', 'run', 'mmio-fetch-race-ipi', '--shootdown', 'broadcast');
    expect(raced.status).toBe(0);
    expect(raced.out).toMatch(/^TLB shootdown: broadcast$/m);
    expect(raced.out).toMatch(/^outcome: hypercall-misread: /m);
    expect(raced.out).toMatch(/^expected: guest-done \(MISMATCH\)/m);
    const run = json('scenario', 'run', 'mmio-fetch-race-pre-merge', '--shootdown', 'ipi');
    expect(run.shootdown).toBe('ipi');
    expect(run.outcome.kind).toBe('guest-done');
    expect(json('scenario', 'run', 'mmio-fetch-race-pre-merge').shootdown).toBe('broadcast');
  });
});
