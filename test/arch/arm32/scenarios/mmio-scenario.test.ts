/**
 * The single-vCPU MMIO scenarios (arch/arm32/scenarios/mmio.scenario.ts)
 * against the eras of abi-facts §12.3 and §12.7: the syndromes the machine
 * raises for each access form, what the device saw, what the guest ended
 * with, and how each era answered.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../../../arch/arm32/backend.ts';
import { scenarioRuns } from '../../../support/scenario-runs.ts';

const run = scenarioRuns(ARM32_BACKEND);

const mmioLines = (name: string): string[] => run(name).trace.filter((line) => line.startsWith('-- mmio '));
const syndromes = (name: string): string[] => run(name).trace.flatMap((line) => /^-- exception hyp-trap: .*syndrome (0x[0-9a-f]+)$/.exec(line)?.[1] ?? []);

describe('arm32 mmio-* scenarios', () => {
  it.each([
    ['mmio-isv-v3.9', 'guest-done'],
    ['mmio-uart-v3.9', 'guest-done'],
    ['mmio-ldr-pc-v3.9', 'guest-abort'],
    ['mmio-s1ptw-v3.9', 'vm-stopped'],
    ['mmio-stm-pre-merge', 'guest-abort'],
    ['mmio-writeback-pre-merge', 'guest-done'],
    ['mmio-stm-v3.9', 'vm-stopped'],
    ['mmio-writeback-v3.9', 'vm-stopped'],
    ['mmio-stm-v5.5', 'vm-stopped'],
    ['mmio-stm-v5.5-nisv', 'guest-abort'],
    ['mmio-writeback-v5.5-qemu', 'guest-abort'],
  ] as const)('%s ends %s', (name, kind) => {
    const result = run(name);
    expect(result.outcome.kind).toBe(kind);
    expect(result.matches).toBe(true);
  });

  it('ISV = 1: the machine raises the §12.5 syndromes, the device is written and read, and the loads complete (SSE sign-extends 0x8001)', () => {
    // str word (WnR, SRT 1), ldr word (SRT 2), ldrsh (SAS 1, SSE, SRT 3); DFSC 0x05: the device's gigabyte has no stage-2 table (level 1).
    expect(syndromes('mmio-isv-v3.9')).toEqual(['0x93810045', '0x93820005', '0x93630005']);
    expect(mmioLines('mmio-isv-v3.9')).toEqual([
      '-- mmio write 4 bytes 0x00000041 at IPA 0x0a000004 (test0 CTRL)',
      '-- mmio read 4 bytes 0x12345678 at IPA 0x0a000000 (test0 DATA)',
      '-- mmio read 2 bytes 0x8001 at IPA 0x0a000008 (test0 SIGNED)',
    ]);
    // The guest itself checks r2 = 0x12345678 and r3 = 0xffff8001 before it reaches guest_done.
    expect(run('mmio-isv-v3.9').outcome.detail).toContain('every value it checks was right');
  });

  it('the UART: every byte through UARTDR after a UARTFR poll, the output captured', () => {
    const lines = mmioLines('mmio-uart-v3.9');
    expect(lines.filter((line) => line.includes('UARTDR')).map((line) => line.split(' ')[5])).toEqual(['0x00000068', '0x00000065', '0x0000006c', '0x0000006c', '0x0000006f', '0x0000000a']);
    expect(lines.filter((line) => line.includes('UARTFR'))).toHaveLength(6);
    expect(run('mmio-uart-v3.9').trace).toContain('== device uart0: transmitted "hello\\n"');
  });

  it('ISV = 0 forms (stm, a post-indexed ldr) raise ISV = 0 syndromes', () => {
    expect(syndromes('mmio-stm-v3.9')).toEqual(['0x92000045']);
    expect(syndromes('mmio-writeback-v3.9')).toEqual(['0x92000005']);
  });

  it('v3.9 and v5.5 without the capability: KVM_RUN returns -ENOSYS, no device access, the VM stops', () => {
    for (const name of ['mmio-stm-v3.9', 'mmio-writeback-v3.9', 'mmio-stm-v5.5']) {
      expect(mmioLines(name)).toEqual([]);
      expect(run(name).outcome.detail).toContain('KVM_RUN: -ENOSYS');
    }
    expect(run('mmio-stm-v5.5').outcome.detail).toContain('Data abort outside memslots with no valid syndrome info');
  });

  it('pre-merge: the writeback LDR is decoded and emulated (r0 advanced, the device read); the STM is refused with a data abort', () => {
    expect(mmioLines('mmio-writeback-pre-merge')).toEqual(['-- mmio read 4 bytes 0x12345678 at IPA 0x0a000000 (test0 DATA)']);
    expect(mmioLines('mmio-stm-pre-merge')).toEqual([]);
    expect(run('mmio-stm-pre-merge').outcome.detail).toContain('data-abort handler');
    // The injection returns into Abort mode at VBAR + 0x10, whose branch reaches the guest's handler.
    const trace = run('mmio-stm-pre-merge').trace;
    const eret = trace.findIndex((line) => /^-- return eret \(spec firmware\): hyp -> abt at 0x[0-9a-f]+$/.test(line));
    expect(eret).toBeGreaterThan(0);
    const vector = Number(/at (0x[0-9a-f]+)$/.exec(trace[eret]!)![1]);
    expect(vector % 32).toBe(0x10);
    expect(run('mmio-stm-pre-merge').outcome.detail).toContain('(guest_data_abort) in Abort');
  });

  it('v5.5 with the capability: QEMU injects a synchronous external abort (no device access)', () => {
    for (const name of ['mmio-stm-v5.5-nisv', 'mmio-writeback-v5.5-qemu']) {
      expect(mmioLines(name)).toEqual([]);
      expect(run(name).outcome.detail).toContain('data-abort handler');
    }
  });

  it('a stage-1 walk into MMIO: the machine reports S1PTW with ISV = 0, so v3.9 stops at the ISV test before decode_hsr', () => {
    expect(syndromes('mmio-s1ptw-v3.9')).toEqual(['0x92000085']);
    expect(run('mmio-s1ptw-v3.9').outcome.detail).toContain('KVM_RUN: -ENOSYS');
    expect(mmioLines('mmio-s1ptw-v3.9')).toEqual([]);
  });

  it('a load into the PC from MMIO: a prefetch abort injected at VBAR + 0x0c', () => {
    expect(syndromes('mmio-ldr-pc-v3.9')).toEqual(['0x938f0005']);
    expect(run('mmio-ldr-pc-v3.9').outcome.detail).toContain('prefetch-abort handler');
    expect(mmioLines('mmio-ldr-pc-v3.9')).toEqual([]);
  });
});
