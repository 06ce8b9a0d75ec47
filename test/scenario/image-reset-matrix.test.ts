/**
 * The reset matrix's rows on a real stub (`hyplay reset-matrix --image`):
 * Debian's armmp kernel, booted from its zImage payload until it drops from
 * its own `__hyp_stub_install`, then kexec and kdump from the model's old
 * kernel with HVBAR at the vectors the image wrote. The soft restart must be
 * answered by the image's code (steps in Hyp inside the image, not in the
 * scenario's segments), and the same scenario with HVBAR at a page of zeros
 * must not reach the new kernel, so the outcome is the real stub's. The
 * same for Debian's arm64 Image, booted until its kernel's stub drops to
 * EL1, with VBAR_EL2 at the image's `__hyp_stub_vectors`.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { ARM64_BACKEND } from '../../arch/arm64/backend.ts';
import { KERNEL_STUB as ARM64_KERNEL_STUB } from '../../src/loader/boot-image.ts';
import { bootImageToStub, type ImageAtStub } from '../../src/cli/conformance-command.ts';
import { loadAbis } from '../../src/di/container.ts';
import { runImageResetMatrix } from '../../src/scenario/reset-matrix.ts';
import { cliAsync } from '../support/cli.ts';
import { kernelImage } from '../support/kernel-images.ts';

const ABIS = loadAbis();
const armmp = kernelImage('armmp');
const KERNEL_STUB = ARM32_BACKEND.boot!.stubs!.at(-1)!;
const WATCH = { hypervisorMode: 'hyp', vectorBaseRegister: 'hvbar' } as const;
/** The scenario's segments and regions all sit at 0x80000000 and above; the image's RAM is below. */
const SCENARIO_MEMORY = 0x8000_0000;

describe.skipIf(armmp.skip !== undefined)(`reset-matrix rows on the armmp kernel's own stub (${armmp.skip === undefined ? armmp.package : 'absent'})`, () => {
  let booted: ImageAtStub;
  beforeAll(async () => {
    booted = await bootImageToStub(ARM32_BACKEND, armmp.skip === undefined ? armmp.path : '', KERNEL_STUB, WATCH, { payload: true, budget: 1_000_000_000 });
  }, 120_000);

  it('kexec and kdump reach the new kernel in Hyp through the image\'s own HVC_SOFT_RESTART code', () => {
    const base = booted.install.vectorBase;
    expect(base).toBeLessThan(SCENARIO_MEMORY);
    const results = runImageResetMatrix(ARM32_BACKEND, ABIS, { name: 'image:armmp@kernel', vectorBase: base }, booted.install.snapshot);
    expect(results.map((r) => [r.row.path, r.row.stub, r.row.hypervisor, r.row.outcome])).toEqual([
      ['kexec', 'image:armmp@kernel', 'none', 'new-kernel-in-hyp'],
      ['kdump', 'image:armmp@kernel', 'none', 'new-kernel-in-hyp'],
    ]);
    for (const { run } of results) {
      expect(run.matches).toBe(true);
      const trap = run.trace.findIndex((line) => line.startsWith('-- exception hyp-trap: hvc #0 from svc'));
      expect(trap).toBeGreaterThan(0);
      expect(run.trace[trap]).toContain(`vector 0x${(base + 0x14).toString(16)}`);
      // After the trap, Hyp runs the image's code (below the scenario's memory) before the new kernel.
      const hypSteps = run.trace.slice(trap).filter((line) => / hyp {2}/.test(line)).map((line) => Number.parseInt(line.slice(2, 10), 16));
      expect(hypSteps.filter((address) => address < SCENARIO_MEMORY).length).toBeGreaterThan(2);
      expect(run.hvcs.map((h) => h.owner.label)).toEqual(['image:armmp@kernel (real code implementing linux-hyp-stub-v5.7)']);
    }
  });

  it('the same rows with HVBAR at a page of zeros do not reach the new kernel', () => {
    const zeros = 0x43f0_0000;
    const machine = ARM32_BACKEND.createMachine({ engine: 'interp' });
    machine.restore(booted.install.snapshot);
    expect(Array.from({ length: 64 }, (_, i) => machine.memory.read32(zeros + 4 * i)).every((word) => word === 0)).toBe(true);
    const results = runImageResetMatrix(ARM32_BACKEND, ABIS, { name: 'zeros', vectorBase: zeros }, booted.install.snapshot);
    for (const { row } of results) expect(row.outcome).not.toBe('new-kernel-in-hyp');
  });

  it('hyplay reset-matrix --image adds the rows to the matrix (JSON)', async () => {
    const result = await cliAsync('reset-matrix', '--arch', 'arm32', '--image', armmp.skip === undefined ? armmp.path : '', '--payload', '--json');
    expect(result.status).toBe(0);
    const rows = JSON.parse(result.out).rows as { stub: string; outcome: string }[];
    expect(rows.filter((r) => r.stub === 'image:debian-armmp.vmlinuz@kernel').map((r) => r.outcome)).toEqual(['new-kernel-in-hyp', 'new-kernel-in-hyp']);
    expect(rows.length).toBeGreaterThan(20);
  }, 120_000);
});

const arm64 = kernelImage('arm64');
const ARM64_WATCH = { hypervisorMode: 'el2h', vectorBaseRegister: 'vbar_el2' } as const;

describe.skipIf(arm64.skip !== undefined)(`reset-matrix rows on the arm64 kernel's own stub (${arm64.skip === undefined ? arm64.package : 'absent'})`, () => {
  let booted: ImageAtStub;
  beforeAll(async () => {
    booted = await bootImageToStub(ARM64_BACKEND, arm64.skip === undefined ? arm64.path : '', ARM64_KERNEL_STUB, ARM64_WATCH, { payload: false, budget: 100_000_000 });
  }, 120_000);

  it("kexec and kdump reach the new kernel at EL2 through the image's own __hyp_stub_vectors and HVC_SOFT_RESTART code", () => {
    const base = booted.install.vectorBase;
    const results = runImageResetMatrix(ARM64_BACKEND, ABIS, { name: 'image:arm64@kernel', vectorBase: base }, booted.install.snapshot);
    expect(results.map((r) => [r.row.path, r.row.stub, r.row.hypervisor, r.row.outcome])).toEqual([
      ['kexec', 'image:arm64@kernel', 'none', 'new-kernel-in-hyp'],
      ['kdump', 'image:arm64@kernel', 'none', 'new-kernel-in-hyp'],
    ]);
    for (const { run } of results) {
      expect(run.matches).toBe(true);
      const trap = run.trace.findIndex((line) => /^-- exception el2 sync lower-a64 .*hvc #0/.test(line));
      expect(trap, run.trace.join('\n')).toBeGreaterThan(0);
      expect(run.trace[trap]).toContain(`vector 0x${(base + 0x400).toString(16)}`);
      // After the trap, EL2 runs the image's stub: its vectors and handler, bytes the image wrote (the scenario has no stub of its own).
      const el2Steps = run.trace.slice(trap).filter((line) => / el2h /.test(line) && /^0x/.test(line)).map((line) => Number.parseInt(line.slice(2, 10), 16));
      expect(el2Steps.filter((address) => address >= base && address < base + 0x1000).length).toBeGreaterThan(2);
      expect(run.hvcs.map((h) => h.owner.label)).toEqual(['image:arm64@kernel (real code implementing linux-hyp-stub-arm64-finalise-el2)']);
    }
  });

  it('the same rows with VBAR_EL2 at a page of zeros do not reach the new kernel', () => {
    const zeros = 0x7f00_0000;
    const machine = ARM64_BACKEND.createMachine({ engine: 'interp' });
    machine.restore(booted.install.snapshot);
    expect(Array.from({ length: 64 }, (_, i) => machine.memory.read32(zeros + 4 * i) ?? 0).every((word) => word === 0)).toBe(true);
    const results = runImageResetMatrix(ARM64_BACKEND, ABIS, { name: 'zeros', vectorBase: zeros }, booted.install.snapshot);
    for (const { row } of results) expect(row.outcome).not.toBe('new-kernel-in-hyp');
  });
});

describe('hyplay reset-matrix --image: bad input', () => {
  it('one line and exit 2 for options out of place', async () => {
    const one = async (...argv: string[]): Promise<string[]> => {
      const result = await cliAsync('reset-matrix', ...argv);
      expect(result.status).toBe(2);
      expect(result.out).toBe('');
      return result.err;
    };
    expect(await one('--payload')).toEqual(['hyplay: reset-matrix --payload: only with --image']);
    expect(await one('--image', 'x.vmlinuz')).toEqual(["hyplay: reset-matrix --image: give --arch too (the image's architecture)"]);
    expect(await one('--arch', 'ppc64', '--image', 'x.vmlinuz')).toEqual(['hyplay: --arch: ppc64 has no reset matrix (one of arm32, arm64 has)']);
    expect(await one('--arch', 'arm32', '--image', '/no/such.vmlinuz')).toEqual(["hyplay: cannot read '/no/such.vmlinuz': no such file"]);
  });
});
