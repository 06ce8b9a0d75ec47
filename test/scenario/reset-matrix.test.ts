/**
 * The arm32 reset matrix, row by row, against the history it must
 * reproduce (issue 4 §3; ../shared/abi-facts.md §1, §2, §4): the outcome of
 * every {path, stub, hypervisor} row, whether the pair shipped, and the
 * detail that says why. The table is written out here, apart from the
 * matrix definition, so that a change to either shows.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { loadAbis } from '../../src/di/container.ts';
import { formatResetMatrix, runResetMatrix, type ResetMatrixRow } from '../../src/scenario/reset-matrix.ts';

const ROWS = runResetMatrix(ARM32_BACKEND, loadAbis()).map((r) => r.row);

type Expected = readonly [path: string, stub: string, hypervisor: string, shipped: boolean, outcome: ResetMatrixRow['outcome'], detail: RegExp];

const SVC_BRANCH = /^new kernel entered in SVC at 0x8\d{7} by a plain branch, no soft-restart call/;
const PROPOSAL_RESTART = /^new kernel entered in Hyp at 0x80808000 via linux-hyp-stub-2017-proposal HVC_SOFT_RESTART \(r0=2\)$/;

/** The history, row by row. */
const EXPECTED: readonly Expected[] = [
  // 1. v3.6–v4.11: no soft-restart call; KVM only changes who is left owning HVBAR.
  ['kexec', 'linux-hyp-stub-v3.6', 'kvm-arm32-v3.9', true, 'new-kernel-in-svc', /plain branch, no soft-restart call \(HVBAR left with linux-hyp-stub-v3\.6\)$/],
  ['kdump', 'linux-hyp-stub-v3.6', 'kvm-arm32-v3.9', true, 'new-kernel-in-svc', /plain branch, no soft-restart call \(HVBAR left with kvm-arm32-v3\.9\)$/],
  ['kexec', 'linux-hyp-stub-v3.6', 'none', true, 'new-kernel-in-svc', SVC_BRANCH],
  ['kdump', 'linux-hyp-stub-v3.6', 'none', true, 'new-kernel-in-svc', SVC_BRANCH],
  // 2. The early-2017 proposal, with and without the interim patch: kexec works, kdump branches to 2 in Hyp.
  ['kexec', 'linux-hyp-stub-2017-proposal', 'kvm-arm32-v3.9', true, 'new-kernel-in-hyp', PROPOSAL_RESTART],
  ['kdump', 'linux-hyp-stub-2017-proposal', 'kvm-arm32-v3.9', true, 'hyp-crash', /^prefetch abort in Hyp at 0x00000002 \(HVBAR\+0x0C\): kvm-arm32-v3\.9 took HVC_SOFT_RESTART \(r0=2\) as a function pointer$/],
  ['kexec', 'linux-hyp-stub-2017-proposal', 'kvm-arm32-2017-interim', true, 'new-kernel-in-hyp', PROPOSAL_RESTART],
  ['kdump', 'linux-hyp-stub-2017-proposal', 'kvm-arm32-2017-interim', true, 'hyp-crash', /^prefetch abort in Hyp at 0x00000002 \(HVBAR\+0x0C\): kvm-arm32-2017-interim took HVC_SOFT_RESTART \(r0=2\) as a function pointer$/],
  ['kexec', 'linux-hyp-stub-2017-proposal', 'none', true, 'new-kernel-in-hyp', PROPOSAL_RESTART],
  ['kdump', 'linux-hyp-stub-2017-proposal', 'none', true, 'new-kernel-in-hyp', /^new kernel entered in Hyp at 0x88008000 via linux-hyp-stub-2017-proposal HVC_SOFT_RESTART \(r0=2\)$/],
  // 3. v4.12–v5.6: kexec reaches the stub, kdump reaches KVM's own SOFT_RESTART.
  ['kexec', 'linux-hyp-stub-v4.12', 'kvm-arm32-v4.12', true, 'new-kernel-in-hyp', /^new kernel entered in Hyp at 0x80808000 via linux-hyp-stub-v4\.12 HVC_SOFT_RESTART \(r0=1\)$/],
  ['kdump', 'linux-hyp-stub-v4.12', 'kvm-arm32-v4.12', true, 'new-kernel-in-hyp', /^new kernel entered in Hyp at 0x88008000 via kvm-arm32-v4\.12 HVC_SOFT_RESTART \(r0=1\)$/],
  // 5. No KVM: the stub handles SOFT_RESTART on both paths.
  ['kexec', 'linux-hyp-stub-v4.12', 'none', true, 'new-kernel-in-hyp', /via linux-hyp-stub-v4\.12 HVC_SOFT_RESTART \(r0=1\)$/],
  ['kdump', 'linux-hyp-stub-v4.12', 'none', true, 'new-kernel-in-hyp', /via linux-hyp-stub-v4\.12 HVC_SOFT_RESTART \(r0=1\)$/],
  ['kexec', 'linux-hyp-stub-v5.7', 'none', true, 'new-kernel-in-hyp', /via linux-hyp-stub-v5\.7 HVC_SOFT_RESTART \(r0=1\)$/],
  ['kdump', 'linux-hyp-stub-v5.7', 'none', true, 'new-kernel-in-hyp', /via linux-hyp-stub-v5\.7 HVC_SOFT_RESTART \(r0=1\)$/],
  // 4. Never shipped: the v4.12 stub with a function-pointer KVM (blx 1: Thumb at 0), and the proposal's numbering with KVM v4.12.
  ['kexec', 'linux-hyp-stub-v4.12', 'kvm-arm32-v3.9', false, 'new-kernel-in-hyp', /via linux-hyp-stub-v4\.12 HVC_SOFT_RESTART \(r0=1\)$/],
  ['kdump', 'linux-hyp-stub-v4.12', 'kvm-arm32-v3.9', false, 'hyp-crash', /^prefetch abort in Hyp at 0x00000000 \(HVBAR\+0x0C\): kvm-arm32-v3\.9 took HVC_SOFT_RESTART \(r0=1\) as a function pointer \(call target 0x1\)$/],
  ['kexec', 'linux-hyp-stub-2017-proposal', 'kvm-arm32-v4.12', false, 'new-kernel-in-hyp', PROPOSAL_RESTART],
  ['kdump', 'linux-hyp-stub-2017-proposal', 'kvm-arm32-v4.12', false, 'guest-error', /^BUG: .* the last call, HVC_SOFT_RESTART \(r0=2\), went to kvm-arm32-v4\.12 as HVC_RESET_VECTORS, which returned$/],
];

describe('the arm32 reset matrix', () => {
  it('has exactly the expected rows, in order', () => {
    expect(ROWS.map((r) => [r.path, r.stub, r.hypervisor])).toEqual(EXPECTED.map(([path, stub, hypervisor]) => [path, stub, hypervisor]));
  });

  for (const [path, stub, hypervisor, shipped, outcome, detail] of EXPECTED) {
    it(`${path} on ${stub} with ${hypervisor}: ${outcome}`, () => {
      const row = ROWS.find((r) => r.path === path && r.stub === stub && r.hypervisor === hypervisor);
      expect(row).toBeDefined();
      expect(row!.shipped).toBe(shipped);
      expect(row!.outcome).toBe(outcome);
      expect(row!.detail).toMatch(detail);
      expect(row!.detail).not.toContain('\n');
    });
  }

  it('rows have exactly the JSON contract keys', () => {
    for (const row of ROWS) expect(Object.keys(row)).toEqual(['path', 'stub', 'hypervisor', 'shipped', 'outcome', 'detail']);
  });

  it('every row reaches the outcome its scenario expects', () => {
    for (const result of runResetMatrix(ARM32_BACKEND, loadAbis())) expect(result.run.matches, result.definition.scenario).toBe(true);
  });
});

describe('formatResetMatrix', () => {
  it('aligns the columns, marks pairs that never shipped, and puts the detail last', () => {
    const text = formatResetMatrix([
      { path: 'kexec', stub: 's', hypervisor: 'none', shipped: true, outcome: 'new-kernel-in-hyp', detail: 'fine' },
      { path: 'kdump', stub: 'stub-long', hypervisor: 'h', shipped: false, outcome: 'hyp-crash', detail: 'boom' },
    ]);
    expect(text.split('\n')).toEqual([
      'path   stub       hypervisor  shipped  outcome            detail',
      '-----  ---------  ----------  -------  -----------------  ------',
      'kexec  s          none        yes      new-kernel-in-hyp  fine',
      'kdump  stub-long  h           NO       hyp-crash          boom',
    ]);
  });
});
