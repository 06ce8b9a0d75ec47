/**
 * The arm32 reset matrix, row by row, against the history it must
 * reproduce (../shared/abi-facts.md §1, §2.5, §4): the outcome of every
 * {path, era, stub, hypervisor, vm} row, whether the pair shipped, and the
 * detail that says why. The table is written out here, apart from the
 * matrix definition, so that a change to either shows.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { loadAbis } from '../../src/di/container.ts';
import { formatResetMatrix, runResetMatrix, type ResetMatrixRow } from '../../src/scenario/reset-matrix.ts';

const ROWS = runResetMatrix(ARM32_BACKEND, loadAbis()).map((r) => r.row);

type Expected = readonly [path: string, era: string, stub: string, hypervisor: string, vm: ResetMatrixRow['vm'], shipped: boolean, outcome: ResetMatrixRow['outcome'], detail: RegExp];

const SVC_BRANCH = /^new kernel entered in SVC at 0x8\d{7} by a plain branch, no soft-restart call/;
const KVM_CALLS_1 = (kvm: string): RegExp => new RegExp(`^prefetch abort in Hyp at 0x00000000 \\(HVBAR\\+0x0C\\): ${kvm.replace(/\./g, '\\.')} took HVC_SOFT_RESTART \\(r0=1\\) as a function pointer \\(call target 0x1\\)$`);
const VIA = (abi: string, entry: string): RegExp => new RegExp(`^new kernel entered in Hyp at ${entry} via ${abi.replace(/\./g, '\\.')} HVC_SOFT_RESTART \\(r0=1\\)$`);
const KEXEC = '0x80808000';
const CRASH = '0x88008000';

/** The history, row by row (abi-facts §1, §2.5, §4). */
const EXPECTED: readonly Expected[] = [
  // 1. v3.7–v4.11: no soft-restart call, so both paths stay in svc; the detail names who is left owning HVBAR.
  ['kexec', 'v3.9', 'linux-hyp-stub-v3.6', 'kvm-arm32-v3.9', 'none', true, 'new-kernel-in-svc', /plain branch, no soft-restart call \(HVBAR left with kvm-arm32-v3\.9\)$/],
  ['kdump', 'v3.9', 'linux-hyp-stub-v3.6', 'kvm-arm32-v3.9', 'none', true, 'new-kernel-in-svc', /plain branch, no soft-restart call \(HVBAR left with kvm-arm32-v3\.9\)$/],
  ['kexec', 'v3.10–v4.5', 'linux-hyp-stub-v3.6', 'kvm-arm32-v3.10', 'none', true, 'new-kernel-in-svc', /\(HVBAR left with kvm-arm32-v3\.10\)$/],
  ['kdump', 'v3.10–v4.5', 'linux-hyp-stub-v3.6', 'kvm-arm32-v3.10', 'none', true, 'new-kernel-in-svc', /\(HVBAR left with kvm-arm32-v3\.10\)$/],
  // From v4.6 KVM gives Hyp back after init: with no VM the stub owns it on both paths.
  ['kexec', 'v4.6–v4.11', 'linux-hyp-stub-v3.6', 'kvm-arm32-v3.10', 'none', true, 'new-kernel-in-svc', /\(HVBAR left with linux-hyp-stub-v3\.6\)$/],
  ['kdump', 'v4.6–v4.11', 'linux-hyp-stub-v3.6', 'kvm-arm32-v3.10', 'none', true, 'new-kernel-in-svc', /\(HVBAR left with linux-hyp-stub-v3\.6\)$/],
  ['kexec', 'v4.6–v4.11', 'linux-hyp-stub-v3.6', 'kvm-arm32-v3.10', 'running', true, 'new-kernel-in-svc', /\(HVBAR left with linux-hyp-stub-v3\.6\)$/],
  ['kdump', 'v4.6–v4.11', 'linux-hyp-stub-v3.6', 'kvm-arm32-v3.10', 'running', true, 'new-kernel-in-svc', /\(HVBAR left with kvm-arm32-v3\.10\)$/],
  ['kexec', 'v3.7–v4.11', 'linux-hyp-stub-v3.6', 'none', 'none', true, 'new-kernel-in-svc', SVC_BRANCH],
  ['kdump', 'v3.7–v4.11', 'linux-hyp-stub-v3.6', 'none', 'none', true, 'new-kernel-in-svc', SVC_BRANCH],
  // 2. The out-of-tree soft-reboot stub: kdump crashes only with a VM running.
  ['kexec', 'out of tree (v4.x vendor)', 'linux-hyp-stub-rmk', 'kvm-arm32-v3.10', 'none', true, 'new-kernel-in-hyp', VIA('linux-hyp-stub-rmk', KEXEC)],
  ['kdump', 'out of tree (v4.x vendor)', 'linux-hyp-stub-rmk', 'kvm-arm32-v3.10', 'none', true, 'new-kernel-in-hyp', VIA('linux-hyp-stub-rmk', CRASH)],
  ['kexec', 'out of tree (v4.x vendor)', 'linux-hyp-stub-rmk', 'kvm-arm32-v3.10', 'running', true, 'new-kernel-in-hyp', VIA('linux-hyp-stub-rmk', KEXEC)],
  ['kdump', 'out of tree (v4.x vendor)', 'linux-hyp-stub-rmk', 'kvm-arm32-v3.10', 'running', true, 'hyp-crash', KVM_CALLS_1('kvm-arm32-v3.10')],
  ['kexec', 'out of tree (v4.x vendor)', 'linux-hyp-stub-rmk', 'none', 'none', true, 'new-kernel-in-hyp', VIA('linux-hyp-stub-rmk', KEXEC)],
  ['kdump', 'out of tree (v4.x vendor)', 'linux-hyp-stub-rmk', 'none', 'none', true, 'new-kernel-in-hyp', VIA('linux-hyp-stub-rmk', CRASH)],
  // 3. v4.12–v5.6: the stub answers without a VM; with one, kexec reaches the stub (KVM reset it) and kdump KVM's own SOFT_RESTART.
  ['kexec', 'v4.12–v5.6', 'linux-hyp-stub-v4.12', 'kvm-arm32-v4.12', 'none', true, 'new-kernel-in-hyp', VIA('linux-hyp-stub-v4.12', KEXEC)],
  ['kdump', 'v4.12–v5.6', 'linux-hyp-stub-v4.12', 'kvm-arm32-v4.12', 'none', true, 'new-kernel-in-hyp', VIA('linux-hyp-stub-v4.12', CRASH)],
  ['kexec', 'v4.12–v5.6', 'linux-hyp-stub-v4.12', 'kvm-arm32-v4.12', 'running', true, 'new-kernel-in-hyp', VIA('linux-hyp-stub-v4.12', KEXEC)],
  ['kdump', 'v4.12–v5.6', 'linux-hyp-stub-v4.12', 'kvm-arm32-v4.12', 'running', true, 'new-kernel-in-hyp', VIA('kvm-arm32-v4.12', CRASH)],
  ['kexec', 'v4.12–v5.6', 'linux-hyp-stub-v4.12', 'none', 'none', true, 'new-kernel-in-hyp', VIA('linux-hyp-stub-v4.12', KEXEC)],
  ['kdump', 'v4.12–v5.6', 'linux-hyp-stub-v4.12', 'none', 'none', true, 'new-kernel-in-hyp', VIA('linux-hyp-stub-v4.12', CRASH)],
  ['kexec', 'v5.7+', 'linux-hyp-stub-v5.7', 'none', 'none', true, 'new-kernel-in-hyp', VIA('linux-hyp-stub-v5.7', KEXEC)],
  ['kdump', 'v5.7+', 'linux-hyp-stub-v5.7', 'none', 'none', true, 'new-kernel-in-hyp', VIA('linux-hyp-stub-v5.7', CRASH)],
  // 4. Never shipped: the v4.12 stub with a KVM that never gives Hyp back (both paths crash), and with one that does (only kdump with a VM).
  ['kexec', 'mixed: v4.12 stub, v3.9 KVM', 'linux-hyp-stub-v4.12', 'kvm-arm32-v3.9', 'none', false, 'hyp-crash', KVM_CALLS_1('kvm-arm32-v3.9')],
  ['kdump', 'mixed: v4.12 stub, v3.9 KVM', 'linux-hyp-stub-v4.12', 'kvm-arm32-v3.9', 'none', false, 'hyp-crash', KVM_CALLS_1('kvm-arm32-v3.9')],
  ['kexec', 'mixed: v4.12 stub, v4.6–v4.11 KVM', 'linux-hyp-stub-v4.12', 'kvm-arm32-v3.10', 'none', false, 'new-kernel-in-hyp', VIA('linux-hyp-stub-v4.12', KEXEC)],
  ['kdump', 'mixed: v4.12 stub, v4.6–v4.11 KVM', 'linux-hyp-stub-v4.12', 'kvm-arm32-v3.10', 'none', false, 'new-kernel-in-hyp', VIA('linux-hyp-stub-v4.12', CRASH)],
  ['kexec', 'mixed: v4.12 stub, v4.6–v4.11 KVM', 'linux-hyp-stub-v4.12', 'kvm-arm32-v3.10', 'running', false, 'new-kernel-in-hyp', VIA('linux-hyp-stub-v4.12', KEXEC)],
  ['kdump', 'mixed: v4.12 stub, v4.6–v4.11 KVM', 'linux-hyp-stub-v4.12', 'kvm-arm32-v3.10', 'running', false, 'hyp-crash', KVM_CALLS_1('kvm-arm32-v3.10')],
];

const key = (r: { path: string; era: string; stub: string; hypervisor: string; vm: string }): string => [r.path, r.era, r.stub, r.hypervisor, r.vm].join(' | ');

describe('the arm32 reset matrix', () => {
  it('has exactly the expected rows, in order', () => {
    expect(ROWS.map(key)).toEqual(EXPECTED.map(([path, era, stub, hypervisor, vm]) => key({ path, era, stub, hypervisor, vm })));
  });

  for (const [path, era, stub, hypervisor, vm, shipped, outcome, detail] of EXPECTED) {
    it(`${path} on ${stub} with ${hypervisor} (${era}, VM ${vm}): ${outcome}`, () => {
      const row = ROWS.find((r) => key(r) === key({ path, era, stub, hypervisor, vm }));
      expect(row).toBeDefined();
      expect(row!.shipped).toBe(shipped);
      expect(row!.outcome).toBe(outcome);
      expect(row!.detail).toMatch(detail);
      expect(row!.detail).not.toContain('\n');
    });
  }

  it('rows have exactly the JSON contract keys', () => {
    for (const row of ROWS) expect(Object.keys(row)).toEqual(['path', 'era', 'stub', 'hypervisor', 'vm', 'shipped', 'outcome', 'detail']);
  });

  it('every row reaches the outcome its scenario expects', () => {
    for (const result of runResetMatrix(ARM32_BACKEND, loadAbis())) expect(result.run.matches, result.definition.scenario).toBe(true);
  });

  it('the VM dimension appears exactly where KVM owns Hyp only while a VM exists (v4.6+), and changes kdump there', () => {
    const withVm = new Set(ROWS.filter((r) => r.vm === 'running').map((r) => `${r.era} ${r.stub} ${r.hypervisor}`));
    expect([...withVm]).toEqual([
      'v4.6–v4.11 linux-hyp-stub-v3.6 kvm-arm32-v3.10',
      'out of tree (v4.x vendor) linux-hyp-stub-rmk kvm-arm32-v3.10',
      'v4.12–v5.6 linux-hyp-stub-v4.12 kvm-arm32-v4.12',
      'mixed: v4.12 stub, v4.6–v4.11 KVM linux-hyp-stub-v4.12 kvm-arm32-v3.10',
    ]);
    for (const row of ROWS.filter((r) => r.hypervisor === 'none')) expect(row.vm).toBe('none');
    const kdump = (era: string, vm: string): string | undefined => ROWS.find((r) => r.path === 'kdump' && r.stub === 'linux-hyp-stub-rmk' && r.hypervisor !== 'none' && r.era === era && r.vm === vm)?.outcome;
    expect([kdump('out of tree (v4.x vendor)', 'none'), kdump('out of tree (v4.x vendor)', 'running')]).toEqual(['new-kernel-in-hyp', 'hyp-crash']);
  });

  it('no unshipped pair is called shipped: every pair with a mixed era is marked NO, every other one yes', () => {
    for (const row of ROWS) expect(row.shipped, key(row)).toBe(!row.era.startsWith('mixed'));
  });
});

describe('formatResetMatrix', () => {
  it('aligns the columns, marks pairs that never shipped, and puts the detail last', () => {
    const text = formatResetMatrix([
      { path: 'kexec', era: 'v1', stub: 's', hypervisor: 'none', vm: 'none', shipped: true, outcome: 'new-kernel-in-hyp', detail: 'fine' },
      { path: 'kdump', era: 'v1–v2', stub: 'stub-long', hypervisor: 'h', vm: 'running', shipped: false, outcome: 'hyp-crash', detail: 'boom' },
    ]);
    expect(text.split('\n')).toEqual([
      'path   era    stub       hypervisor  vm       shipped  outcome            detail',
      '-----  -----  ---------  ----------  -------  -------  -----------------  ------',
      'kexec  v1     s          none        none     yes      new-kernel-in-hyp  fine',
      'kdump  v1–v2  stub-long  h           running  NO       hyp-crash          boom',
    ]);
  });
});
