/**
 * The arm64 guest sequences of arch/arm64/scenarios/ and the reset matrix
 * they make up, against the history of ../shared/abi-facts.md §3 and §4:
 * boot at EL2 (the stub installed at VBAR_EL2, eret to EL1), KVM init
 * through the stub, the reboot notifier putting the stub back, and
 * `__cpu_soft_restart` with and without `el2_switch`; then every matrix row.
 * The assembly is also checked byte for byte against llvm-mc where it is
 * installed.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARM64_BACKEND } from '../../../../arch/arm64/backend.ts';
import { ARM64_INSTRUCTION_SET } from '../../../../arch/arm64/core.ts';
import { ARM64_HYP_STUBS, arm64FirmwareSource } from '../../../../arch/arm64/firmware/hyp-stubs.ts';
import { arm64KernelFiles, arm64Prelude, arm64ScenarioSource, HYP_PGD, HYP_STACK, HYP_STACK_BYTES, KVM_INIT_VECTORS, KVM_VECTORS, RELOCATE_CODE, STUB_VECTORS } from '../../../../arch/arm64/scenarios/kernel-image.ts';
import { arm64ResetConfigs } from '../../../../arch/arm64/scenarios/reset.scenario.ts';
import { loadAbis } from '../../../../src/di/container.ts';
import { assemble } from '../../../../src/isa/assembler.ts';
import { runResetMatrix } from '../../../../src/scenario/reset-matrix.ts';
import { llvmMcAvailable } from '../../../support/llvm-mc.ts';
import { scenarioRuns } from '../../../support/scenario-runs.ts';

const ABIS = loadAbis();
const run = scenarioRuns(ARM64_BACKEND);

/** The guest labels a run reaches, in order. */
function labels(name: string): string[] {
  return run(name)
    .trace.filter((line) => /^[\w.: ]+:$/.test(line) && !line.startsWith('=='))
    .flatMap((line) => line.slice(0, -1).split(': '));
}

/** The calls of a run as `owner x0`, in order. */
function calls(name: string): string[] {
  return run(name).hvcs.map((h) => `${h.owner.name} ${h.registers['x0']!.toString(16)}`);
}

const STACK_TOP = BigInt(HYP_STACK + HYP_STACK_BYTES);

describe('boot at EL2 (el2_setup / init_el2)', () => {
  it('installs the stub at VBAR_EL2 and erets to EL1h, where the kernel runs', () => {
    const trace = run('kexec-v4.12-no-kvm-v4.19').trace;
    const eret = trace.findIndex((line) => line.includes('eret') && line.includes('el2h -> el1h'));
    expect(eret).toBeGreaterThan(0);
    expect(trace.slice(0, eret).some((line) => line.includes('msr VBAR_EL2, x0'))).toBe(true);
    // The first call after boot reaches the stub the boot code installed.
    expect(run('kexec-v4.12-no-kvm-v4.19').hvcs[0]!.vectorBase).toBe(STUB_VECTORS);
    expect(labels('kexec-v4.12-no-kvm-v4.19').slice(0, 3)).toEqual(['stext', 'el2_setup', 'start_kernel']);
  });

  it('booted at EL1 there is no stub and no KVM: no call at all, and the new kernel starts at EL1', () => {
    for (const name of ['kexec-arm64-el1-boot', 'kdump-arm64-el1-boot']) {
      expect(run(name).hvcs, name).toEqual([]);
      expect(run(name).outcome.kind, name).toBe('new-kernel-in-svc');
      expect(labels(name), name).not.toContain('cpu_hyp_init');
    }
  });
});

describe('KVM init takes EL2 from the stub with the era’s calls', () => {
  it('function-pointer eras: SET_VECTORS to the init vectors through the stub, then the init call (x0 pgd, x1 stack, x2 vectors)', () => {
    for (const [name, set] of [['kexec-v4.8-kvm-v4.6-v4.8', 1n], ['kexec-v4.12-kvm-v4.12-v4.12', 0n]] as const) {
      const [first, second] = run(name).hvcs;
      expect(first!.vectorBase, name).toBe(STUB_VECTORS);
      expect([first!.registers['x0'], first!.registers['x1']], name).toEqual([set, BigInt(KVM_INIT_VECTORS)]);
      expect(second!.vectorBase, name).toBe(KVM_INIT_VECTORS);
      expect([second!.registers['x0'], second!.registers['x1'], second!.registers['x2']], name).toEqual([BigInt(HYP_PGD), STACK_TOP, BigInt(KVM_VECTORS)]);
    }
  });

  it('v5.10+: the init call is the SMCCC ID 0xC6000000 with the params in x1', () => {
    const init = run('kexec-v4.12-kvm-v5.10-v4.19').hvcs[1]!;
    expect(init.vectorBase).toBe(KVM_INIT_VECTORS);
    expect(init.registers['x0']).toBe(0xc600_0000n);
  });

  it('v4.6+: initialisation gives EL2 back to the stub until a VM exists; protected mode keeps it', () => {
    // Third call: the reset after init_subsystems (v4.6–v4.11 by function pointer to __kvm_hyp_reset, v4.12+ HVC_RESET_VECTORS 2 to KVM).
    expect(calls('kexec-v4.8-kvm-v4.6-v4.8')[2]).toBe(`asm:kvm-hyp-v4.6 ${(KVM_VECTORS + 0x1004).toString(16)}`);
    expect(calls('kexec-v4.12-kvm-v4.12-v4.12')[2]).toBe('asm:kvm-hyp-v4.12 2');
    expect(labels('kexec-v5.12-kvm-pkvm-v5.15')).not.toContain('cpu_hyp_reset');
  });
});

describe('the reboot notifier puts the stub back (kexec), kdump runs none', () => {
  it('kexec with a VM: kvm_reboot resets EL2 before machine_kexec, so HVC_SOFT_RESTART reaches the stub', () => {
    for (const [name, stub] of [['kexec-v4.8-kvm-v4.6-vm-v4.8', 'asm:hyp-stub-v4.8 2'], ['kexec-v4.12-kvm-v4.12-vm-v4.12', 'asm:hyp-stub-v4.12 1']] as const) {
      const seen = labels(name);
      expect(seen.indexOf('kvm_reboot'), name).toBeGreaterThan(0);
      expect(seen.indexOf('kvm_reboot'), name).toBeLessThan(seen.indexOf('machine_kexec'));
      expect(calls(name).at(-1), name).toBe(stub);
    }
  });

  it('kdump never runs kernel_restart_prepare: with a VM the soft restart reaches KVM', () => {
    const name = 'kdump-v4.12-kvm-v5.7-vm-v4.19';
    expect(labels(name)).not.toContain('kernel_restart_prepare');
    expect(labels(name)).not.toContain('kvm_reboot');
    expect(calls(name).at(-1)).toBe('asm:kvm-hyp-v5.7 1');
  });

  it('without the notifier (the test harness), v4.11 SOFT_RESTART (x0 = 2) is a call to address 2 at EL2', () => {
    const outcome = run('kexec-v4.8-kvm-v4.6-vm-v4.8-no-teardown').outcome;
    expect(outcome.kind).toBe('hyp-crash');
    expect(outcome.detail).toMatch(/^PC alignment fault in EL2h at 0x00000002 \(VBAR_EL2\+0x200\): asm:kvm-hyp-v4\.6 took HVC_SOFT_RESTART \(x0=2\) as a function pointer/);
  });
});

describe('__cpu_soft_restart with and without el2_switch', () => {
  it('el2_switch set: hvc #0 with x0 = HVC_SOFT_RESTART, x1 = the relocation code, x2 = kimage->head; the image starts at EL2', () => {
    const last = run('kexec-v4.12-no-kvm-v4.19').hvcs.at(-1)!;
    expect([last.registers['x0'], last.registers['x1'], last.registers['x2']]).toEqual([1n, BigInt(RELOCATE_CODE), 4n]);
    expect(run('kexec-v4.12-no-kvm-v4.19').outcome.kind).toBe('new-kernel-in-hyp');
  });

  it('v4.12 kdump: el2_switch is false for the crash kernel, no HVC after machine_kexec, the crash kernel starts at EL1', () => {
    const name = 'kdump-v4.12-kvm-v4.12-vm-v4.12';
    const seen = labels(name);
    expect(seen).toContain('__cpu_soft_restart');
    const afterKexec = run(name).trace.slice(run(name).trace.indexOf('machine_kexec:'));
    expect(afterKexec.some((line) => line.startsWith('-- hvc'))).toBe(false);
    expect(run(name).outcome.kind).toBe('new-kernel-in-svc');
  });

  it('protected KVM answers −1 and __cpu_soft_restart falls through to its EL1 branch', () => {
    const name = 'kdump-v5.12-kvm-pkvm-vm-v5.15';
    const last = run(name).hvcs.at(-1)!;
    expect(last.registers['x0']).toBe(1n);
    expect(last.handled?.call).toBe('stub call refused');
    expect(run(name).outcome.detail).toMatch(/EL1h .* after HVC_SOFT_RESTART \(x0=1\) came back from asm:kvm-hyp-nvhe/);
  });
});

/** [path, era, stub, hypervisor, vm, shipped, outcome, detail]. */
type Row = readonly [string, string, string, string, string, boolean, string, RegExp];

const S48 = 'linux-hyp-stub-arm64-v4.8';
const S412 = 'linux-hyp-stub-arm64-v4.12';
const S512 = 'linux-hyp-stub-arm64-v5.12';
const NO_CRASH_KERNEL = /^panic\(\) found no crash kernel/;
const VIA = (owner: string, x0: number): RegExp => new RegExp(`EL2h at 0x4[28]000000 via asm:${owner} HVC_SOFT_RESTART \\(x0=${x0}\\) to 0x41000000 \\(arm64_relocate_new_kernel\\)$`);
const AT_EL1 = /EL1h at 0x48000000 by a plain branch, no soft-restart call/;
const REFUSED = /EL1h at 0x4[28]000000 by a plain branch after HVC_SOFT_RESTART \(x0=1\) came back from asm:kvm-hyp-nvhe as stub call refused/;

const ROWS: readonly Row[] = [
  ['kexec', 'v4.8–v4.11', S48, 'kvm-arm64-v3.11', 'none', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.8', 2)],
  ['kdump', 'v4.8–v4.11', S48, 'kvm-arm64-v3.11', 'none', true, 'guest-error', NO_CRASH_KERNEL],
  ['kexec', 'v4.8–v4.11', S48, 'kvm-arm64-v3.11', 'running', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.8', 2)],
  ['kdump', 'v4.8–v4.11', S48, 'kvm-arm64-v3.11', 'running', true, 'guest-error', NO_CRASH_KERNEL],
  ['kexec', 'v4.8–v4.11', S48, 'none', 'none', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.8', 2)],
  ['kdump', 'v4.8–v4.11', S48, 'none', 'none', true, 'guest-error', NO_CRASH_KERNEL],
  ['kexec', 'v4.11, KVM not torn down (test harness)', S48, 'kvm-arm64-v3.11', 'running', false, 'hyp-crash', /took HVC_SOFT_RESTART \(x0=2\) as a function pointer/],
  ['kexec', 'v4.12', S412, 'kvm-arm64-v4.12', 'none', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kdump', 'v4.12', S412, 'kvm-arm64-v4.12', 'none', true, 'new-kernel-in-svc', AT_EL1],
  ['kexec', 'v4.12', S412, 'kvm-arm64-v4.12', 'running', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kdump', 'v4.12', S412, 'kvm-arm64-v4.12', 'running', true, 'new-kernel-in-svc', AT_EL1],
  ['kexec', 'v4.19–v5.7 (until the x0 fix)', S412, 'kvm-arm64-v4.12', 'none', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kdump', 'v4.19–v5.7 (until the x0 fix)', S412, 'kvm-arm64-v4.12', 'none', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kexec', 'v4.19–v5.7 (until the x0 fix)', S412, 'kvm-arm64-v4.12', 'running', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kdump', 'v4.19–v5.7 (until the x0 fix)', S412, 'kvm-arm64-v4.12', 'running', true, 'hyp-crash', /^data abort in EL2h at 0x00000000 \(VBAR_EL2\+0x200\): asm:kvm-hyp-v4\.12 took HVC_SOFT_RESTART \(x0=1\)/],
  ['kexec-race', 'v4.12–v5.9', S412, 'kvm-arm64-v4.12', 'running', true, 'guest-error', /^KVM_RUN failed with KVM_EXIT_FAIL_ENTRY \(9\).*went to asm:hyp-stub-v4\.12 as invalid, which returned$/],
  ['kexec', 'the x0 fix (v5.8; stable 5.7.y)–v5.9', S412, 'kvm-arm64-v5.7', 'none', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kdump', 'the x0 fix (v5.8; stable 5.7.y)–v5.9', S412, 'kvm-arm64-v5.7', 'none', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kexec', 'the x0 fix (v5.8; stable 5.7.y)–v5.9', S412, 'kvm-arm64-v5.7', 'running', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kdump', 'the x0 fix (v5.8; stable 5.7.y)–v5.9', S412, 'kvm-arm64-v5.7', 'running', true, 'new-kernel-in-hyp', VIA('kvm-hyp-v5.7', 1)],
  ['kexec', 'v5.10–v5.11', S412, 'kvm-arm64-v5.10', 'none', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kdump', 'v5.10–v5.11', S412, 'kvm-arm64-v5.10', 'none', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kexec', 'v5.10–v5.11', S412, 'kvm-arm64-v5.10', 'running', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kdump', 'v5.10–v5.11', S412, 'kvm-arm64-v5.10', 'running', true, 'new-kernel-in-hyp', VIA('kvm-hyp-nvhe', 1)],
  ['kexec', 'v4.19–≈v5.11', S412, 'none', 'none', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kdump', 'v4.19–≈v5.11', S412, 'none', 'none', true, 'new-kernel-in-hyp', VIA('hyp-stub-v4.12', 1)],
  ['kexec', 'protected KVM, v5.16+', S512, 'kvm-arm64-protected', 'none', true, 'new-kernel-in-svc', REFUSED],
  ['kdump', 'protected KVM, v5.16+', S512, 'kvm-arm64-protected', 'none', true, 'new-kernel-in-svc', REFUSED],
  ['kexec', 'protected KVM, v5.16+', S512, 'kvm-arm64-protected', 'running', true, 'new-kernel-in-svc', REFUSED],
  ['kdump', 'protected KVM, v5.16+', S512, 'kvm-arm64-protected', 'running', true, 'new-kernel-in-svc', REFUSED],
  ['kexec', '≈v5.15+', S512, 'none', 'none', true, 'new-kernel-in-hyp', VIA('hyp-stub-v5.12', 1)],
  ['kdump', '≈v5.15+', S512, 'none', 'none', true, 'new-kernel-in-hyp', /EL2h at 0x48000000 via asm:hyp-stub-v5\.12 HVC_SOFT_RESTART \(x0=1\)$/],
];

describe('hyplay reset-matrix --arch arm64', () => {
  const results = runResetMatrix(ARM64_BACKEND, ABIS);

  it('has exactly the historical rows, each with its outcome and detail', () => {
    expect(results.map((r) => [r.row.path, r.row.era, r.row.stub, r.row.hypervisor, r.row.vm, r.row.shipped, r.row.outcome])).toEqual(ROWS.map((r) => r.slice(0, 7)));
    results.forEach((r, i) => expect(r.row.detail, `${r.definition.scenario}`).toMatch(ROWS[i]![7]));
    for (const r of results) expect(r.run.matches, r.definition.scenario).toBe(true);
  });

  it('the x0 bug and its fix differ only in KVM’s EL2 code, and only with a VM on the kdump path', () => {
    const bug = results.find((r) => r.definition.scenario === 'kdump-v4.12-kvm-v4.12-vm-v4.19')!;
    const fix = results.find((r) => r.definition.scenario === 'kdump-v4.12-kvm-v5.7-vm-v4.19')!;
    expect(bug.run.hvcs.at(-1)!.registers).toEqual(fix.run.hvcs.at(-1)!.registers);
    expect([bug.row.outcome, fix.row.outcome]).toEqual(['hyp-crash', 'new-kernel-in-hyp']);
  });

  it('every other scenario ends as it expects (EL1 boots, the idle guest)', () => {
    for (const config of arm64ResetConfigs()) expect(run(config.name).matches, config.name).toBe(true);
    expect(run('idle-spin-arm64').outcome.kind).toBe('budget-exhausted');
  });
});

/** The .text bytes llvm-mc assembles from `source`. */
function llvmBytes(source: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'hyplay-arm64-'));
  try {
    writeFileSync(join(dir, 'in.s'), source);
    const mc = spawnSync('llvm-mc', ['-triple=aarch64', '-filetype=obj', '-o', join(dir, 'in.o'), join(dir, 'in.s')], { encoding: 'utf8' });
    if (mc.status !== 0) throw new Error(mc.stderr);
    const copy = spawnSync('llvm-objcopy', ['-O', 'binary', '--only-section=.text', join(dir, 'in.o'), join(dir, 'in.bin')], { encoding: 'utf8' });
    if (copy.status !== 0) throw new Error(copy.stderr);
    return readFileSync(join(dir, 'in.bin'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LLVM = llvmMcAvailable() && spawnSync('llvm-objcopy', ['--version']).status === 0;
if (!LLVM) console.log('arm64 scenario encodings: llvm-mc or llvm-objcopy not installed; the byte-for-byte comparison is skipped');

describe.runIf(LLVM)('the scenario and stub assembly is what llvm-mc -triple=aarch64 assembles', () => {
  it('every kernel image, KVM EL2 file, relocation code and stub, byte for byte', () => {
    const sources = new Map<string, string>();
    for (const config of arm64ResetConfigs()) {
      const prelude = arm64Prelude(config);
      sources.set(`kernel ${arm64KernelFiles(config).join('+')}`, prelude + arm64KernelFiles(config).map(arm64ScenarioSource).join('\n'));
      if (config.kvm !== undefined) sources.set(config.kvm.file, prelude + arm64ScenarioSource(config.kvm.file));
    }
    sources.set('relocate.s', arm64ScenarioSource('relocate.s'));
    for (const stub of ARM64_HYP_STUBS) sources.set(stub.file, arm64FirmwareSource(stub));
    for (const [what, source] of sources) {
      const ours = assemble(ARM64_INSTRUCTION_SET, source, 0).bytes;
      expect(Buffer.from(ours).toString('hex'), what).toBe(llvmBytes(source).toString('hex'));
    }
  });
});
