/**
 * Cache management (Book II 4.3), TLB and SLB management (Book III
 * 5.9.3), the power-saving instructions (Book III 7.3) and the other
 * system forms issue 12 added: what each may observably do in a model with
 * no caches and no translation, and who may run it.
 */

import { describe, expect, it } from 'vitest';
import { CODE, DATA, exceptions, run, runToWait, u64 } from './machine-harness.ts';

describe('cache management (Book II 4.3)', () => {
  it('dcbz zeroes the aligned 128-byte block holding the EA, nothing around it', () => {
    const fill = 'li 3, -1\n' + Array.from({ length: 48 }, (_, i) => `std 3, ${8 * i}(9)`).join('\n');
    const o = runToWait(`${fill}\nli 4, 0x90\ndcbz 9, 4\nwait`, { registers: { r9: BigInt(DATA) } });
    const bytes = o.machine.memory.readBytes(DATA, 384)!;
    expect([...bytes.subarray(0, 128)].every((b) => b === 0xff)).toBe(true);
    expect([...bytes.subarray(128, 256)].every((b) => b === 0)).toBe(true);
    expect([...bytes.subarray(256, 384)].every((b) => b === 0xff)).toBe(true);
  });

  it('dcbz of an unmapped block is a data-storage interrupt for a store', () => {
    const o = run('dcbz 0, 9\nwait', { registers: { r9: 0x7000_0000n }, vectors: { 0x300: 'wait' } });
    expect(exceptions(o)[0]).toMatchObject({ exception: 'data-storage', vector: 0x300, syndrome: 0x4200_0000 });
  });

  it('dcbst, dcbf and icbi fault as loads on an unmapped block; dcbt and dcbtst are hints that never fault', () => {
    for (const source of ['dcbst 0, 9', 'dcbf 0, 9', 'dcbfl 0, 9', 'icbi 0, 9']) {
      const o = run(`${source}\nwait`, { registers: { r9: 0x7000_0000n }, vectors: { 0x300: 'wait' } });
      expect(exceptions(o)[0], source).toMatchObject({ exception: 'data-storage', syndrome: 0x4000_0000 });
    }
    for (const source of ['dcbt 0, 9', 'dcbtst 0, 9', 'dcbt 0, 9, 16']) runToWait(`${source}\nwait`, { registers: { r9: 0x7000_0000n } });
    runToWait('dcbst 0, 9\ndcbf 0, 9\nicbi 0, 9\nwait', { registers: { r9: BigInt(DATA) }, mode: 'problem' });
  });

  it('code rewritten, then flushed with dcbst/sync/icbi/isync as a kernel does, runs as rewritten', () => {
    // The patched instruction is `li 5, 1` (0x38a00001) over `li 5, 2`.
    const o = runToWait(`lis 3, 0x38a0\nori 3, 3, 1\nstw 3, 28(9)\ndcbst 0, 9\nsync\nicbi 0, 9\nisync\nli 5, 2\nwait`, { registers: { r9: BigInt(CODE) } });
    expect(o.reg('r5')).toBe(1n);
  });
});

describe('TLB and SLB management (Book III 5.9.3)', () => {
  it('run in hypervisor state, and trap as privileged elsewhere', () => {
    runToWait('tlbie 3\ntlbie 3, 4\ntlbiel 3\ntlbsync\nptesync\nslbmte 3, 4\nslbie 4\nslbia\nwait');
    for (const [source, mode] of [['tlbie 3', 'supervisor'], ['tlbsync', 'supervisor'], ['tlbiel 3', 'problem'], ['slbmte 3, 4', 'problem'], ['slbie 4', 'problem'], ['slbia', 'problem'], ['msgsync', 'supervisor']] as const) {
      const o = run(`${source}\nwait`, { mode, vectors: { 0x700: 'wait' } });
      expect(exceptions(o).map((e) => [e.exception, e.syndrome]), source).toEqual([['program', 0x40000]]);
    }
    runToWait('tlbiel 3\nslbmte 3, 4\nslbia\nwait', { mode: 'supervisor' });
  });
});

describe('power saving and the rest', () => {
  it('stop and nap end the run as wait does (no interrupt source), with their privilege', () => {
    for (const source of ['stop', 'nap']) {
      const o = run(`${source}\nli 3, 1`);
      expect(o.result.reason, source).toBe('wfi');
      expect(o.result.detail, source).toContain(source);
    }
    const stop = run('stop\nwait', { mode: 'problem', vectors: { 0x700: 'wait' } });
    expect(exceptions(stop).map((e) => e.syndrome)).toEqual([0x40000]);
    const nap = run('nap\nwait', { mode: 'supervisor', vectors: { 0x700: 'wait' } });
    expect(exceptions(nap).map((e) => e.syndrome)).toEqual([0x40000]);
  });

  it('darn reports no random number: the error value of its length', () => {
    const o = runToWait('darn 3, 0\ndarn 4, 1\ndarn 5, 2\ncpabort\nwait', { mode: 'problem' });
    expect(o.reg('r3')).toBe(0xffff_ffffn);
    expect(o.reg('r4')).toBe(u64(-1));
    expect(o.reg('r5')).toBe(u64(-1));
  });
});
