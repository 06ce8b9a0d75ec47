import { describe, expect, it } from 'vitest';
import { encodeDataAbort, decodeDataAbort, type DataAbortLayout, type DataAbortSyndrome } from '../../src/mmio/data-abort.ts';
import { NISV_ISS_MASK, resolveDataAbort, type InstructionDecode, type MmioEra } from '../../src/mmio/mmio-era.ts';

const HSR: DataAbortLayout = { register: 'HSR', srtBits: 4, sixtyFourBitFields: false, sas3: 'reserved', pcRegister: 15, registerBits: 32 };
const ESR: DataAbortLayout = { register: 'ESR_EL2', srtBits: 5, sixtyFourBitFields: true, sas3: 'doubleword', pcRegister: undefined, registerBits: 64 };

const V3_9: MmioEra = { releases: 'v3.9', checks: ['syndrome-valid', 'cache-maintenance', 'stage1-walk'], cacheMaintenance: 'inject-data-abort', noSyndrome: { kind: 'fail', exit: 'KVM_RUN: -ENOSYS', message: 'not implemented' } };
const V5_5: MmioEra = { releases: 'v5.5', checks: ['cache-maintenance', 'syndrome-valid', 'stage1-walk'], cacheMaintenance: 'skip-instruction', noSyndrome: { kind: 'fail', exit: 'KVM_RUN: -ENOSYS', message: 'no valid syndrome' } };
const NISV: MmioEra = { ...V5_5, noSyndrome: { kind: 'exit-to-userspace', exit: 'KVM_EXIT_ARM_NISV', capability: 'KVM_CAP_ARM_NISV_TO_USER', issMask: NISV_ISS_MASK, userspace: 'inject-external-abort' } };
const PRE_MERGE: MmioEra = { releases: '2012', checks: ['syndrome-valid', 'cache-maintenance', 'stage1-walk'], cacheMaintenance: 'inject-data-abort', noSyndrome: { kind: 'decode-instruction', fetch: 'stop-the-world' } };

const syndrome = (fields: Partial<DataAbortSyndrome>, layout = HSR): DataAbortSyndrome => decodeDataAbort(encodeDataAbort({ ec: 0x24, il: 1, dfsc: 7, ...fields }, layout), layout);
const neverDecode = (): InstructionDecode => {
  throw new Error('the era must not decode the instruction');
};

describe('resolveDataAbort', () => {
  it('ISV = 1: the syndrome is the access; the PC advances by IL', () => {
    const resolved = resolveDataAbort(V3_9, syndrome({ isv: 1, sas: 1, sse: 1, srt: 3 }), HSR, neverDecode);
    expect(resolved).toMatchObject({ kind: 'emulate', plan: { direction: 'read', length: 2, rt: 3, signExtend: true, instructionBytes: 4, via: 'syndrome' } });
    expect(resolveDataAbort(V3_9, syndrome({ isv: 1, il: 0, sas: 2, srt: 1, wnr: 1 }), HSR, neverDecode)).toMatchObject({ kind: 'emulate', plan: { direction: 'write', length: 4, instructionBytes: 2 } });
    expect(resolveDataAbort(V5_5, syndrome({ isv: 1, sas: 3, srt: 2, sf: 1 }, ESR), ESR, neverDecode)).toMatchObject({ kind: 'emulate', plan: { length: 8, sixtyFourBit: true } });
  });

  it('the v3.9 corner cases in decode_hsr order: CM, S1PTW, SAS = 3 reserved, Rt = PC', () => {
    expect(resolveDataAbort(V3_9, syndrome({ isv: 1, cm: 1, s1ptw: 1 }), HSR, neverDecode).kind).toBe('inject-data-abort');
    expect(resolveDataAbort(V3_9, syndrome({ isv: 1, cm: 1 }), HSR, neverDecode)).toMatchObject({ kind: 'inject-data-abort', note: expect.stringContaining('CM = 1') });
    expect(resolveDataAbort(V3_9, syndrome({ isv: 1, s1ptw: 1 }), HSR, neverDecode)).toMatchObject({ kind: 'inject-data-abort', note: expect.stringContaining('fix its TTBR') });
    expect(resolveDataAbort(V3_9, syndrome({ isv: 1, sas: 3 }), HSR, neverDecode)).toMatchObject({ kind: 'fail', exit: 'KVM_RUN: -EFAULT', note: expect.stringContaining('Hardware is weird') });
    // SAS = 3 is a doubleword on AArch64, not an error.
    expect(resolveDataAbort(V3_9, syndrome({ isv: 1, sas: 3 }, ESR), ESR, neverDecode).kind).toBe('emulate');
    expect(resolveDataAbort(V3_9, syndrome({ isv: 1, sas: 2, srt: 15 }), HSR, neverDecode).kind).toBe('inject-prefetch-abort');
    // v3.9 looks at the syndrome first: an ISV = 0 abort fails even with CM set.
    expect(resolveDataAbort(V3_9, syndrome({ isv: 0, cm: 1 }), HSR, neverDecode)).toMatchObject({ kind: 'fail', exit: 'KVM_RUN: -ENOSYS' });
  });

  it('v5.5+: cache maintenance outside memory is skipped before the syndrome is read; ISV = 0 before S1PTW', () => {
    expect(resolveDataAbort(V5_5, syndrome({ isv: 0, cm: 1, wnr: 1 }), HSR, neverDecode)).toEqual(expect.objectContaining({ kind: 'skip', instructionBytes: 4 }));
    expect(resolveDataAbort(V5_5, syndrome({ isv: 1, s1ptw: 1 }), HSR, neverDecode).kind).toBe('inject-data-abort');
    // A stage-1 walk fault reports ISV = 0: the ISV test comes first.
    expect(resolveDataAbort(V5_5, syndrome({ isv: 0, s1ptw: 1 }), HSR, neverDecode)).toMatchObject({ kind: 'fail', exit: 'KVM_RUN: -ENOSYS' });
    expect(resolveDataAbort(V3_9, syndrome({ isv: 0, s1ptw: 1 }), HSR, neverDecode)).toMatchObject({ kind: 'fail', exit: 'KVM_RUN: -ENOSYS' });
    expect(resolveDataAbort(V5_5, syndrome({ isv: 0 }), HSR, neverDecode)).toMatchObject({ kind: 'fail', exit: 'KVM_RUN: -ENOSYS' });
  });

  it('v5.5+ with the capability: KVM_EXIT_ARM_NISV with ISS & (CM | WnR | FSC), and QEMU injects an external abort', () => {
    const resolved = resolveDataAbort(NISV, syndrome({ isv: 0, wnr: 1, ea: 1, dfsc: 0x07 }), HSR, neverDecode);
    expect(resolved).toMatchObject({ kind: 'inject-external-abort', exit: 'KVM_EXIT_ARM_NISV', iss: 0x47 });
    expect(NISV_ISS_MASK).toBe(0x17f);
  });

  it('pre-merge: ISV = 0 decodes the instruction; a refusal injects a data abort, a failed read retries, a decoder BUG stops the host', () => {
    const plan = { direction: 'write', length: 4, rt: 1, signExtend: false, sixtyFourBit: false, instructionBytes: 4, via: 'instruction', instruction: 0xe480_1004 } as const;
    expect(resolveDataAbort(PRE_MERGE, syndrome({ isv: 0 }), HSR, () => ({ kind: 'decoded', plan }))).toMatchObject({ kind: 'emulate', plan, note: expect.stringContaining('every vCPU paused') });
    expect(resolveDataAbort(PRE_MERGE, syndrome({ isv: 0 }), HSR, () => ({ kind: 'refused', instruction: 0xe880_0006, reason: 'LDM/STM' }))).toMatchObject({ kind: 'inject-data-abort', note: expect.stringContaining('0xe8800006') });
    expect(resolveDataAbort(PRE_MERGE, syndrome({ isv: 0 }), HSR, () => ({ kind: 'fetch-failed', reason: 'PAR.F' })).kind).toBe('retry');
    expect(resolveDataAbort(PRE_MERGE, syndrome({ isv: 0 }), HSR, () => ({ kind: 'host-bug', instruction: 1, reason: 'BUG_ON' }))).toMatchObject({ kind: 'fail', exit: 'host oops' });
  });
});
