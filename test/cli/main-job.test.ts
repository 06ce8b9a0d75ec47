/**
 * The main job (`npm start`): the showcase output, then the collision
 * summary over the shipped specs as its last section.
 */

import { describe, expect, it } from 'vitest';
import { collisionSummary } from '../../src/cli/collisions-command.ts';
import { runMainJob } from '../../src/cli/main-job.ts';
import { registerWidths } from '../../src/cli/register-values.ts';
import { loadAbis, loadBackends } from '../../src/di/container.ts';
import { analyseCollisions } from '../../src/dispatch/collisions.ts';

describe('the main job', () => {
  const abis = loadAbis();
  const report = runMainJob(loadBackends(), abis);

  it('ends with the collision summary, after the showcase, witness registers at the register width', () => {
    const summary = collisionSummary(abis, registerWidths(loadBackends()));
    expect(summary).toMatch(/ppc64 sc1: .* r3=0x[0-9a-f]{16}/);
    expect(report.trimEnd().endsWith(summary)).toBe(true);
    expect(report.indexOf('== arm32')).toBeGreaterThanOrEqual(0);
    expect(report.indexOf('== arm32')).toBeLessThan(report.indexOf('== collision analysis'));
  });

  it('counts per architecture and conduit and lists every collision that is not allowed', () => {
    const lines = report.split('\n');
    const collisions = analyseCollisions(abis).collisions.filter((c) => c.arch === 'arm32' && c.conduit === 'hvc');
    const allowed = collisions.filter((c) => c.allowed).length;
    const specs = abis.all('arm32').filter((a) => a.spec.conduit.instruction === 'hvc').length;
    expect(lines).toContain(`arm32 hvc: ${specs} specs, ${collisions.length} collisions (${allowed} allowed, ${collisions.length - allowed} not allowed)`);
    expect(lines).toContain('not allowed:');
    const listed = lines.filter((line) => line.startsWith('  arm32 hvc: '));
    expect(listed).toHaveLength(collisions.length - allowed);
    expect(listed.some((line) => line.startsWith('  arm32 hvc: kvm-arm32-v3.9 (') && line.includes(' x linux-hyp-stub-v4.12 ('))).toBe(true);
  });

  it('lists every scenario of a backend without a reset matrix, and for one whose hypervisor is a host model the exits of its first scenario', () => {
    const lines = report.split('\n');
    const header = lines.indexOf('-- x86_64 scenarios (hyplay scenario run NAME --trace)');
    expect(header).toBeGreaterThan(lines.indexOf(lines.find((l) => l.startsWith('== x86_64'))!));
    const scenarios = loadBackends().get('x86_64')!.scenarios!.scenarios();
    for (const [i, scenario] of scenarios.entries()) expect(lines[header + 1 + i]).toMatch(new RegExp(`^  ${scenario.name} +${scenario.expected}$`));
    const host = lines.indexOf(`-- ${scenarios[0]!.name}: what the host model did`);
    expect(host).toBe(header + 1 + scenarios.length);
    expect(lines.slice(host + 1, host + 5)).toEqual([
      expect.stringMatching(/: vm exit 0 EXCEPTION_NMI \(#UD\) to the host$/),
      expect.stringMatching(/: host: emulator_fix_hypercall: patch_hypercall writes 0f 01 c1 \(vmcall\) at RIP; RIP is not advanced/),
      expect.stringMatching(/: vm exit 18 VMCALL to the host$/),
      expect.stringMatching(/: host: kvm-x86-v4.11-vmcall: .*rax ← 0xfffffffffffffc18, rip \+= 3$/),
    ]);
  });
});
