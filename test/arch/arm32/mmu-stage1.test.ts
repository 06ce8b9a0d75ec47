/**
 * Stage-1 translation applied to a running arm32 guest (SCTLR.M): data
 * accesses and instruction fetches go through the short-descriptor walk
 * (ARM ARM DDI 0406C B3.5) and the machine's TLB; faults are PL1 aborts
 * with DFSR/IFSR (B4.1.52, Table B3-23) and DFAR/IFAR; the TLB keeps a
 * translation until the guest's TLB maintenance (B4.2.2) removes it, so a
 * stale one is observable. Every program runs on both engines, traced and
 * not (`runProgram`), and the MMU is turned on by the guest itself.
 */

import { describe, expect, it } from 'vitest';
import { tlbOf } from '../../../arch/arm32/tlb.ts';
import type { Arm32State } from '../../../arch/arm32/registers.ts';
import { CODE, DATA, runProgram, section, VBAR, withMmu, type Arm32Machine } from './machine-harness.ts';

const L1 = 0x4000;
const L2 = 0xc000;


/** Tables: the first MiB identity-mapped (code, vectors, data), full access, domain 0 client; then whatever `more` adds. */
function tables(more: (machine: Arm32Machine) => void = () => undefined): (machine: Arm32Machine) => void {
  return (machine) => {
    machine.memory.map(L1, 0x4000);
    machine.memory.map(L2, 0x1000);
    machine.memory.write32(L1, section(0, 0b011));
    machine.setRegister('ttbr0', BigInt(L1));
    machine.setRegister('dacr', 1n);
    more(machine);
  };
}

describe('stage-1 translation of a running guest (B3.5, B3.12)', () => {
  it('runs on after the guest sets SCTLR.M, through an identity map', () => {
    const ran = runProgram(withMmu('mov r0, #7\nstr r0, [r1]\nldr r2, [r1]'), { registers: { r1: DATA }, setup: tables() });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r2')).toBe(7);
    expect(ran.machine.memory.read32(DATA)).toBe(7);
  });

  it('translates a VA to a different PA (a section at 0x00500000 over physical 0)', () => {
    const setup = tables((machine) => {
      machine.memory.write32(L1 + 5 * 4, section(0, 0b011));
      machine.memory.write32(DATA + 0x20, 0xfeed);
    });
    const ran = runProgram(withMmu('ldr r2, [r1]\nstr r2, [r1, #4]'), { registers: { r1: 0x50_0000 + DATA + 0x20 }, setup });
    expect(ran.r('r2')).toBe(0xfeed);
    expect(ran.machine.memory.read32(DATA + 0x24)).toBe(0xfeed);
  });

  it('takes a translation fault as a data abort with DFSR 0x005 (section, domain 0) and DFAR', () => {
    const ran = runProgram(withMmu('ldr r2, [r1]'), { registers: { r1: 0x30_0010 }, setup: tables() });
    expect(ran.machine.mode()).toBe('abt');
    expect(ran.r('dfsr')).toBe(0x005);
    expect(ran.r('dfar')).toBe(0x30_0010);
    expect(ran.result.pc).toBe(VBAR + 0x10 + 4);
    expect(ran.r('lr_abt')).toBe(CODE + 4 * 4 + 8);
  });

  it('takes a write to a read-only section as a permission fault with WnR and the domain (DFSR 0x8ed)', () => {
    const setup = tables((machine) => machine.memory.write32(L1 + 6 * 4, section(0, 0b111, { domain: 14 })));
    const ran = runProgram(withMmu('ldr r2, [r1]\nstr r2, [r1]'), {
      registers: { r1: 0x60_0000 + DATA },
      setup: (machine) => {
        setup(machine);
        machine.setRegister('dacr', (1n << 28n) | 1n);
      },
    });
    expect(ran.machine.mode()).toBe('abt');
    // WnR (bit 11), domain 14 (bits 7:4), FS 0b01101 (section permission).
    expect(ran.r('dfsr').toString(16)).toBe((0x800 | (14 << 4) | 0b1101).toString(16));
    expect(ran.r('dfar')).toBe(0x60_0000 + DATA);
  });

  it('checks LDRT and STRT as PL0 accesses: a PL1-only section (AP 0b001) is readable by ldr but a permission fault for ldrt and strt', () => {
    // Section 6: AP = 0b001 (PL1 read/write, PL0 no access; B3.7.1 Table B3-8), domain 0 client.
    const setup = tables((machine) => {
      machine.memory.write32(L1 + 6 * 4, section(0, 0b001));
      machine.memory.write32(DATA, 0x1234);
    });
    const privileged = runProgram(withMmu('ldr r2, [r1]'), { registers: { r1: 0x60_0000 + DATA }, setup });
    expect(privileged.result.reason).toBe('wfi');
    expect(privileged.r('r2')).toBe(0x1234);
    for (const text of ['ldrt r2, [r1], #4', 'strt r2, [r1], #4', 'ldrht r2, [r1], #2']) {
      const ran = runProgram(withMmu(text), { registers: { r1: 0x60_0000 + DATA }, setup });
      expect(ran.machine.mode(), text).toBe('abt');
      // A section permission fault, domain 0 (FS 0b01101), WnR for the store; DFAR the VA; the base not written back.
      expect(ran.r('dfsr'), text).toBe((text.startsWith('strt') ? 0x800 : 0) | 0b1101);
      expect(ran.r('dfar'), text).toBe(0x60_0000 + DATA);
      expect(ran.r('r1'), text).toBe(0x60_0000 + DATA);
    }
    // And a PL0-readable section (AP 0b011) serves ldrt from svc.
    const open = runProgram(withMmu('ldrt r2, [r1], #4'), { registers: { r1: 0x50_0000 + DATA }, setup: tables((machine) => {
      machine.memory.write32(L1 + 5 * 4, section(0, 0b011));
      machine.memory.write32(DATA, 0x5678);
    }) });
    expect([open.result.reason, open.r('r2'), open.r('r1')]).toEqual(['wfi', 0x5678, 0x50_0000 + DATA + 4]);
  });

  it('takes a fetch from an unmapped VA as a prefetch abort with IFSR and IFAR', () => {
    const ran = runProgram(withMmu('bx r1'), { registers: { r1: 0x70_0000 }, setup: tables() });
    expect(ran.machine.mode()).toBe('abt');
    expect(ran.r('ifsr')).toBe(0x005);
    expect(ran.r('ifar')).toBe(0x70_0000);
    expect(ran.r('lr_abt')).toBe(0x70_0004);
  });

  it('refuses PL0 a privileged-only page (AP = 0b001) and lets PL1 in', () => {
    const setup = tables((machine) => machine.memory.write32(L1 + 6 * 4, section(0, 0b001)));
    const privileged = runProgram(withMmu('ldr r2, [r1]'), { registers: { r1: 0x60_0000 + DATA }, setup });
    expect(privileged.machine.mode()).toBe('svc');
    const user = runProgram(withMmu('cps #0x10\nldr r2, [r1]'), { registers: { r1: 0x60_0000 + DATA }, setup });
    expect(user.machine.mode()).toBe('abt');
    expect(user.r('dfsr')).toBe(0x00d);
  });

  it('drops the entry of one page with TLBIMVA (by MVA and ASID) and leaves the next page stale', () => {
    const setup = tables((machine) => {
      machine.memory.write32(L1 + 8 * 4, section(0, 0b011));
      machine.memory.map(0x10_0000 + DATA, 0x2000);
      machine.memory.map(DATA + 0x1000, 0x1000);
      machine.memory.write32(DATA, 0xaaaa);
      machine.memory.write32(DATA + 0x1000, 0xcccc);
      machine.memory.write32(0x10_0000 + DATA, 0xbbbb);
      machine.memory.write32(0x10_0000 + DATA + 0x1000, 0xdddd);
    });
    const body = `ldr r5, [r1]
ldr r6, [r2]
str r4, [r3]
mcr p15, #0, r1, c8, c7, #1
isb
ldr r7, [r1]
ldr r8, [r2]`;
    const ran = runProgram(withMmu(body), { registers: { r1: 0x80_0000 + DATA, r2: 0x80_0000 + DATA + 0x1000, r3: L1 + 8 * 4, r4: section(0x10_0000, 0b011) }, setup });
    expect([ran.r('r5'), ran.r('r6')]).toEqual([0xaaaa, 0xcccc]);
    expect(ran.r('r7'), 'the invalidated page walks again').toBe(0xbbbb);
    expect(ran.r('r8'), 'the other page of the section is still cached').toBe(0xcccc);
  });

  it('observes a stale translation after the descriptor moves, and the new one after TLBIALL', () => {
    // VA 0x800000 maps to physical 0x000000 at first; the guest rewrites the descriptor to map physical 0x100000 (a second MiB of RAM).
    const setup = tables((machine) => {
      machine.memory.write32(L1 + 8 * 4, section(0, 0b011));
      machine.memory.map(0x10_0000 + DATA, 0x1000);
      machine.memory.write32(DATA, 0xaaaa);
      machine.memory.write32(0x10_0000 + DATA, 0xbbbb);
    });
    const body = `ldr r5, [r1]
str r4, [r3]
dsb
ldr r6, [r1]
mcr p15, #0, r0, c8, c7, #0
dsb
isb
ldr r7, [r1]`;
    const ran = runProgram(withMmu(body), { registers: { r1: 0x80_0000 + DATA, r3: L1 + 8 * 4, r4: section(0x10_0000, 0b011) }, setup });
    expect(ran.r('r5')).toBe(0xaaaa);
    expect(ran.r('r6'), 'the TLB still holds the old translation').toBe(0xaaaa);
    expect(ran.r('r7'), 'after TLBIALL the walk sees the new descriptor').toBe(0xbbbb);
  });

  it('invalidates by ASID only the non-global entries of that ASID (TLBIASID)', () => {
    const setup = tables((machine) => {
      machine.memory.write32(L1 + 8 * 4, section(0, 0b011, { ng: true }));
      machine.memory.write32(L1 + 9 * 4, section(0, 0b011));
      machine.memory.map(0x10_0000 + DATA, 0x1000);
      machine.memory.write32(DATA, 0xaaaa);
      machine.memory.write32(0x10_0000 + DATA, 0xbbbb);
      machine.setRegister('contextidr', 5n);
    });
    const body = `ldr r5, [r1]
ldr r6, [r2]
str r4, [r3]
str r4, [r3, #4]
mov r0, #5
mcr p15, #0, r0, c8, c7, #2
isb
ldr r7, [r1]
ldr r8, [r2]`;
    const ran = runProgram(withMmu(body), { registers: { r1: 0x80_0000 + DATA, r2: 0x90_0000 + DATA, r3: L1 + 8 * 4, r4: section(0x10_0000, 0b011, { ng: true }) }, setup });
    expect([ran.r('r5'), ran.r('r6')]).toEqual([0xaaaa, 0xaaaa]);
    expect(ran.r('r7'), 'the non-global entry of ASID 5 is gone').toBe(0xbbbb);
    expect(ran.r('r8'), 'the global entry stays').toBe(0xaaaa);
  });

  it('hands the inner-shareable forms to the shootdown hook and keeps the local ones local', () => {
    let broadcasts: string[] = [];
    const ran = runProgram(withMmu('mcr p15, #0, r0, c8, c3, #0\nmcr p15, #0, r0, c8, c7, #0\nmcr p15, #0, r1, c8, c3, #1'), {
      registers: { r1: 0x80_0005 },
      setup: tables((machine) => {
        broadcasts = [];
        const tlb = tlbOf(machine.state as Arm32State)!;
        tlb.shootdown = { broadcast: (_origin, op) => broadcasts.push(JSON.stringify(op)), complete: () => true };
      }),
    });
    expect(ran.result.reason).toBe('wfi');
    expect(broadcasts).toEqual([JSON.stringify({ kind: 'all', vmid: 0 }), JSON.stringify({ kind: 'va', page: 0x800, asid: 5, vmid: 0 })]);
  });
});
