/**
 * The TLB shootdown design option against fake TLBs that log what they are
 * told: broadcast completes at the issuer's DSB whatever the other vCPUs do
 * (one inside the hypervisor's emulation included); IPI waits for every
 * acknowledgement, which a vCPU inside the emulation cannot give until it
 * leaves; and the SMP machine does not run a vCPU waiting at its barrier.
 * Then the same against two real arm32 vCPUs' TLBs, which an SMP machine
 * joins: a stale translation is observable until the issuer's DSB.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { arm32StateOf } from '../../arch/arm32/firmware-port.ts';
import { ARM64_BACKEND } from '../../arch/arm64/backend.ts';
import { ARM64_INSTRUCTION_SET } from '../../arch/arm64/core.ts';
import { assemble } from '../../src/isa/assembler.ts';
import type { Arm64State } from '../../arch/arm64/registers.ts';
import { Access, tlbOf as arm64TlbOf } from '../../arch/arm64/tlb.ts';
import { tlbOf } from '../../arch/arm32/tlb.ts';
import { section } from '../arch/arm32/machine-harness.ts';
import { Shootdown, type LocalTlb, type TlbInvalidation } from '../../src/smp/shootdown.ts';
import { ExplicitScheduler, parseSchedule } from '../../src/smp/schedule.ts';
import { createSmpMachine } from '../../src/smp/smp-machine.ts';

/** A TLB that holds a set of cached pages and logs every invalidation. */
class FakeTlb implements LocalTlb {
  readonly log: string[] = [];
  readonly pages = new Set<number>([0x1000, 0x2000]);

  invalidate(request: TlbInvalidation): void {
    this.log.push(request.scope === 'address' ? `va ${request.address!.toString(16)}` : request.scope);
    if (request.scope === 'all') this.pages.clear();
    else if (request.scope === 'address') this.pages.delete(request.address!);
  }
}

const VA = { scope: 'address', address: 0x1000 } as const;

function machine(design: 'broadcast' | 'ipi', on: readonly boolean[] = [true, true, true]) {
  const tlbs = on.map(() => new FakeTlb());
  const lines: string[] = [];
  const shootdown = new Shootdown(design, tlbs, (n) => on[n]!, (n, line) => lines.push(`vcpu${n} ${line}`));
  return { tlbs, shootdown, lines };
}

describe('broadcast shootdown (ARMv7+: TLBI inner shareable)', () => {
  it("invalidates the issuer at once and every other vCPU by the issuer's DSB, with no help from them", () => {
    const { tlbs, shootdown } = machine('broadcast');
    shootdown.setInEmulation(1, true);
    shootdown.forVcpu(0).invalidateShareable(VA);
    expect(tlbs[0]!.pages.has(0x1000)).toBe(false);
    // Before the DSB the others may still hold the translation: the stale window.
    expect(tlbs[1]!.pages.has(0x1000)).toBe(true);
    expect(shootdown.outstanding(0)).toBe(2);
    expect(shootdown.forVcpu(0).barrier()).toBe(true);
    // vCPU 1 is inside the hypervisor's emulation and still lost its entry: the race of abi-facts §12.6.
    expect(tlbs.map((t) => t.pages.has(0x1000))).toEqual([false, false, false]);
    expect(tlbs.map((t) => t.log)).toEqual([['va 1000'], ['va 1000'], ['va 1000']]);
    expect(shootdown.waiting(0)).toBe(false);
  });

  it('a DSB completes only what its own vCPU issued', () => {
    const { tlbs, shootdown } = machine('broadcast');
    shootdown.invalidateShareable(0, VA);
    shootdown.invalidateShareable(1, { scope: 'all' });
    shootdown.barrier(1);
    expect(tlbs[2]!.log).toEqual(['all']);
    expect(shootdown.outstanding(0)).toBe(2);
  });
});

describe('IPI shootdown (the x86 way)', () => {
  it('the DSB waits until every powered-on vCPU took its IPI and acknowledged', () => {
    const { tlbs, shootdown, lines } = machine('ipi', [true, true, false]);
    shootdown.invalidateShareable(0, VA);
    expect(shootdown.outstanding(0)).toBe(1); // vCPU 2 is off: no IPI
    expect(shootdown.barrier(0)).toBe(false);
    expect(shootdown.waiting(0)).toBe(true);
    expect(tlbs[1]!.pages.has(0x1000)).toBe(true);
    shootdown.deliver(1);
    expect(tlbs[1]!.pages.has(0x1000)).toBe(false);
    expect(shootdown.waiting(0)).toBe(false);
    expect(shootdown.barrier(0)).toBe(true);
    expect(tlbs[2]!.log).toEqual([]);
    expect(lines).toEqual([
      'vcpu0 shootdown ipi: invalidate VA 0x00001000; IPI sent to every other powered-on vCPU',
      'vcpu0 shootdown ipi: DSB waits for 1 acknowledgement(s)',
      'vcpu1 shootdown ipi: took 1 IPI(s), TLB invalidated, acknowledged',
    ]);
  });

  it('a vCPU inside the hypervisor emulation cannot acknowledge, so the issuer waits for the emulation to end', () => {
    const { tlbs, shootdown } = machine('ipi', [true, true]);
    shootdown.setInEmulation(0, true);
    shootdown.invalidateShareable(1, VA);
    expect(shootdown.barrier(1)).toBe(false);
    shootdown.deliver(0);
    expect(tlbs[0]!.pages.has(0x1000)).toBe(true); // the emulation still sees its translation: no race
    expect(shootdown.waiting(1)).toBe(true);
    shootdown.setInEmulation(0, false);
    shootdown.deliver(0);
    expect(tlbs[0]!.pages.has(0x1000)).toBe(false);
    expect(shootdown.barrier(1)).toBe(true);
  });

  it('the SMP machine does not run a vCPU that waits at its barrier, and delivers IPIs as a vCPU starts a slice', () => {
    const smp = createSmpMachine(ARM32_BACKEND, 2, { engine: 'interp' }, [true, true]);
    smp.memory.map(0x8000, 0x1000);
    smp.memory.load(0x8000, ARM32_BACKEND.instructionSet('little').assembleOne('b #0', { address: 0x8000, final: true, resolve: () => undefined }));
    for (const vcpu of smp.vcpus) vcpu.pc = 0x8000;
    const tlbs = [new FakeTlb(), new FakeTlb()];
    const shootdown = new Shootdown('ipi', tlbs, (n) => smp.states[n]!.on);
    smp.shootdown = shootdown;
    shootdown.invalidateShareable(0, VA);
    expect(shootdown.barrier(0)).toBe(false);
    expect(smp.runnable(0)).toBe(false);
    const skipped: string[] = [];
    // vCPU 0 is named first but waits: skipped; vCPU 1's slice takes the IPI, after which vCPU 0 runs.
    const result = smp.run(new ExplicitScheduler(parseSchedule('0:5,1:5,0:5', 2)), 15, { skipped: (c, why) => skipped.push(`${c.vcpu}: ${why}`) });
    expect(skipped).toEqual(['0: waiting for a TLB shootdown']);
    expect(tlbs[1]!.pages.has(0x1000)).toBe(false);
    expect(smp.states.map((s) => s.steps)).toEqual([5, 10]);
    expect(result.reason).toBe('budget-exhausted');
  });
});

describe("arm32 vCPUs' TLBs joined by the machine's shootdown", () => {
  const L1 = 0x4000;
  const VA = 0x50_0000;

  /** Two arm32 vCPUs with stage 1 on: VA 0x00500000 is a section over physical 0x00100000; each vCPU has walked it once. */
  function twoVcpus(design: 'broadcast' | 'ipi') {
    const smp = createSmpMachine(ARM32_BACKEND, 2, { engine: 'interp' }, [true, true], design);
    smp.memory.map(0, 0x30_0000);
    smp.memory.write32(L1 + 5 * 4, section(0x10_0000, 0b011));
    for (const vcpu of smp.vcpus) {
      vcpu.setMode('svc');
      vcpu.setRegister('ttbr0', BigInt(L1));
      vcpu.setRegister('dacr', 1n);
      vcpu.setRegister('sctlr', 0x00c5_0079n);
    }
    const tlbs = smp.vcpus.map((vcpu) => tlbOf(arm32StateOf(vcpu))!);
    for (const tlb of tlbs) expect(tlb.translate(VA + 0x10, false, false, false)).toBe(0x10_0010);
    // The guest remaps the section over physical 0x00200000 (a descriptor write, no maintenance yet).
    smp.memory.write32(L1 + 5 * 4, section(0x20_0000, 0b011));
    return { smp, tlbs };
  }

  it('broadcast: TLBIMVAIS on vCPU 0 reaches vCPU 1 at its DSB; before it vCPU 1 still uses the old translation', () => {
    const { smp, tlbs } = twoVcpus('broadcast');
    expect(smp.shootdown?.design).toBe('broadcast');
    tlbs[0]!.perform({ kind: 'va', page: VA >>> 12, asid: 0, vmid: 0 }, true);
    expect(tlbs[0]!.translate(VA + 0x10, false, false, false)).toBe(0x20_0010);
    expect(tlbs[1]!.translate(VA + 0x10, false, false, false)).toBe(0x10_0010); // stale until the DSB
    expect(tlbs[0]!.shootdown.complete()).toBe(true);
    expect(tlbs[1]!.translate(VA + 0x10, false, false, false)).toBe(0x20_0010);
  });

  it('a local TLBIMVA stays on its vCPU, as on one processor', () => {
    const { tlbs } = twoVcpus('broadcast');
    tlbs[0]!.perform({ kind: 'va', page: VA >>> 12, asid: 0, vmid: 0 }, false);
    expect(tlbs[0]!.shootdown.complete()).toBe(true);
    expect(tlbs[1]!.translate(VA + 0x10, false, false, false)).toBe(0x10_0010);
  });

  it('IPI: the DSB does not complete until vCPU 1 takes the IPI, which it cannot do in Hyp mode', () => {
    const { smp, tlbs } = twoVcpus('ipi');
    tlbs[0]!.perform({ kind: 'all', vmid: 0 }, true);
    expect(tlbs[0]!.shootdown.complete()).toBe(false);
    expect(smp.runnable(0)).toBe(false);
    // vCPU 1 runs a slice in Hyp mode (the hypervisor's code: b . at physical 0x00100000, the Hyp regime untranslated).
    smp.memory.write32(0x10_0000, 0xeafffffe);
    smp.vcpus[1]!.setMode('hyp');
    smp.vcpus[1]!.pc = 0x10_0000;
    smp.run(new ExplicitScheduler(parseSchedule('1:2', 2)), 2);
    expect(smp.runnable(0)).toBe(false);
    smp.vcpus[1]!.setMode('svc');
    expect(tlbs[1]!.translate(VA + 0x10, false, false, false)).toBe(0x10_0010); // not acknowledged: still the old entry
    // Back in the guest, its next slice takes the IPI first.
    smp.vcpus[1]!.pc = VA;
    smp.run(new ExplicitScheduler(parseSchedule('1:1', 2)), 1);
    expect(smp.runnable(0)).toBe(true);
    expect(tlbs[0]!.shootdown.complete()).toBe(true);
    expect(tlbs[1]!.translate(VA + 0x10, false, false, false)).toBe(0x20_0010);
  });
});

describe.each(['interp', 'jit'] as const)("arm64 vCPUs' TLBs joined by the machine's shootdown (guest code: tlbi …is, dsb; %s)", (engine) => {
  const S2 = 0x6_0000;
  const PAGE = 0x4_0000;
  const CODE = 0x8_0000;

  /** Two arm64 vCPUs at EL1 with stage 2 on (identity over the low 2 MiB); each has translated PAGE once; then its descriptor moves to PAGE + 0x1000. */
  function twoVcpus(design: 'broadcast' | 'ipi', code: string) {
    const smp = createSmpMachine(ARM64_BACKEND, 2, { engine }, [true, true], design);
    smp.memory.map(0, 0x20_0000);
    const w = (address: number, value: bigint) => smp.memory.write64(address, value);
    w(S2, BigInt(S2 + 0x1000) | 3n);
    w(S2 + 0x1000, BigInt(S2 + 0x2000) | 3n);
    for (let page = 0; page < 0x200; page++) w(S2 + 0x2000 + page * 8, BigInt(page * 0x1000) | 3n | (1n << 10n) | (3n << 6n));
    smp.memory.load(CODE, assemble(ARM64_INSTRUCTION_SET, code, CODE).bytes);
    for (const vcpu of smp.vcpus) {
      vcpu.setMode('el1h');
      vcpu.setRegister('vtcr_el2', 25n | (1n << 6n) | (2n << 16n));
      vcpu.setRegister('vttbr_el2', BigInt(S2) | (1n << 48n));
      vcpu.setRegister('hcr_el2', (1n << 31n) | 1n);
      vcpu.pc = CODE;
    }
    const tlbs = smp.vcpus.map((vcpu) => arm64TlbOf((vcpu as unknown as { state: Arm64State }).state)!);
    for (const tlb of tlbs) expect(tlb.translate(PAGE + 8, Access.read)).toBe(PAGE + 8);
    w(S2 + 0x2000 + (PAGE >>> 12) * 8, BigInt(PAGE + 0x1000) | 3n | (1n << 10n) | (3n << 6n));
    return { smp, tlbs };
  }

  it('broadcast: vCPU 0\'s tlbi vmalle1is reaches vCPU 1 at its dsb; a local tlbi vmalle1 does not', () => {
    const { smp, tlbs } = twoVcpus('broadcast', 'tlbi vmalle1is\ndsb ish\ntlbi vmalle1\nwfi');
    smp.run(new ExplicitScheduler(parseSchedule('0:1', 2)), 1);
    expect(tlbs[1]!.translate(PAGE + 8, Access.read)).toBe(PAGE + 8); // stale until vCPU 0's DSB
    smp.run(new ExplicitScheduler(parseSchedule('0:1', 2)), 1);
    expect(tlbs[1]!.translate(PAGE + 8, Access.read)).toBe(PAGE + 0x1008);
    // Cached again, then moved back: vCPU 0's local TLBI leaves vCPU 1 stale.
    smp.memory.write64(S2 + 0x2000 + (PAGE >>> 12) * 8, BigInt(PAGE) | 3n | (1n << 10n) | (3n << 6n));
    smp.run(new ExplicitScheduler(parseSchedule('0:1', 2)), 1);
    expect(tlbs[1]!.translate(PAGE + 8, Access.read)).toBe(PAGE + 0x1008);
    expect(tlbs[0]!.translate(PAGE + 8, Access.read)).toBe(PAGE + 8);
  });

  it('IPI: vCPU 0\'s dsb waits (stop "waiting", the PC on it) while vCPU 1 is at EL2, and completes once vCPU 1 took the IPI at EL1', () => {
    const { smp, tlbs } = twoVcpus('ipi', 'tlbi vmalle1is\ndsb ish\nwfi');
    smp.memory.load(0x9_0000, assemble(ARM64_INSTRUCTION_SET, 'b .', 0x9_0000).bytes);
    smp.vcpus[1]!.setMode('el2h');
    smp.vcpus[1]!.pc = 0x9_0000;
    const stops: string[] = [];
    smp.run(new ExplicitScheduler(parseSchedule('0:2,1:2,0:2', 2)), 6, { skipped: (c, why) => stops.push(`${c.vcpu}: ${why}`) });
    expect(smp.vcpus[0]!.pc).toBe(CODE + 4);
    expect(smp.runnable(0)).toBe(false);
    expect(stops).toEqual(['0: waiting for a TLB shootdown']);
    smp.vcpus[1]!.setMode('el1h');
    expect(tlbs[1]!.translate(PAGE + 8, Access.read)).toBe(PAGE + 8); // not acknowledged yet
    smp.vcpus[1]!.pc = 0x9_0000;
    smp.run(new ExplicitScheduler(parseSchedule('1:1,0:2', 2)), 3);
    expect(tlbs[1]!.translate(PAGE + 8, Access.read)).toBe(PAGE + 0x1008);
    expect(smp.states[0]!.stopped?.reason).toBe('wfi');
  });
});
