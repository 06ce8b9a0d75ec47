import { describe, expect, it } from 'vitest';
import { completeRead, decodeDataAbort, encodeDataAbort, faultIpa, type DataAbortLayout } from '../../src/mmio/data-abort.ts';

/** The two layouts as the backends give them (abi-facts §12.1). */
const HSR: DataAbortLayout = { register: 'HSR', srtBits: 4, sixtyFourBitFields: false, sas3: 'reserved', pcRegister: 15, registerBits: 32 };
const ESR: DataAbortLayout = { register: 'ESR_EL2', srtBits: 5, sixtyFourBitFields: true, sas3: 'doubleword', pcRegister: undefined, registerBits: 64 };

describe('data-abort syndrome (abi-facts §12.5 worked syndromes)', () => {
  it.each([
    ['A64 str w1, [x0]', ESR, { ec: 0x24, il: 1, isv: 1, sas: 2, srt: 1, wnr: 1, dfsc: 7 }, 0x9381_0047],
    ['A64 ldr x2, [x0]', ESR, { ec: 0x24, il: 1, isv: 1, sas: 3, srt: 2, sf: 1, dfsc: 7 }, 0x93c2_8007],
    ['A64 ldrsh x1, [x0]', ESR, { ec: 0x24, il: 1, isv: 1, sas: 1, sse: 1, srt: 1, sf: 1, dfsc: 7 }, 0x9361_8007],
    ['A32 str r1, [r0]', HSR, { ec: 0x24, il: 1, isv: 1, sas: 2, srt: 1, wnr: 1, dfsc: 7 }, 0x9381_0047],
    ['T32 str r1, [r0] (16-bit)', HSR, { ec: 0x24, il: 0, isv: 1, sas: 2, srt: 1, wnr: 1, dfsc: 7 }, 0x9181_0047],
    ['A64 ldr w1, [x0], #4 (ISV = 0)', ESR, { ec: 0x24, il: 1, dfsc: 7 }, 0x9200_0007],
    ['what U-Boot saw after QEMU injected the abort', ESR, { ec: 0x25, il: 1, dfsc: 0x10 }, 0x9600_0010],
  ] as const)('%s', (_name, layout, fields, value) => {
    expect(encodeDataAbort(fields, layout)).toBe(value);
    const decoded = decodeDataAbort(value, layout);
    for (const [field, expected] of Object.entries(fields)) expect(decoded[field as keyof typeof decoded], field).toBe(expected);
  });

  it('reads SRT with the layout width, and no SF or AR on the HSR', () => {
    // Bit 20 is SRT[4] on AArch64; on ARMv7 it is outside the 4-bit SRT.
    expect(decodeDataAbort(0x9391_8000, ESR)).toMatchObject({ srt: 0x11, sf: 1 });
    expect(decodeDataAbort(0x9391_8000, HSR)).toMatchObject({ srt: 1, sf: 0, ar: 0 });
    expect(() => encodeDataAbort({ srt: 16 }, HSR)).toThrow("SRT 16 does not fit HSR's 4-bit field");
    expect(() => encodeDataAbort({ sf: 1 }, HSR)).toThrow('HSR has no SF or AR field');
    expect(decodeDataAbort(encodeDataAbort({ cm: 1, s1ptw: 1, ea: 1 }, HSR), HSR)).toMatchObject({ cm: 1, s1ptw: 1, ea: 1, wnr: 0 });
  });

  it('forms the IPA from HPFAR (IPA[39:12] in bits 31:4) and the low 12 bits of the fault address', () => {
    expect(faultIpa(0x0009_0000n, 0x0900_0004n)).toBe(0x0900_0004n);
    expect(faultIpa(0x0009_000fn, 0xc000_0abcn)).toBe(0x0900_0abcn);
    expect(faultIpa(0xfff0_0000n, 0n)).toBe(0xff_f000_0000n);
  });
});

describe('read completion (kvm_handle_mmio_return)', () => {
  it('sign-extends a short load with SSE, to the register width (abi-facts §12.7)', () => {
    expect(completeRead(0x8001n, 2, true, false, HSR)).toBe(0xffff_8001n);
    expect(completeRead(0x8001n, 2, true, true, ESR)).toBe(0xffff_ffff_ffff_8001n);
    expect(completeRead(0x80n, 1, true, false, HSR)).toBe(0xffff_ff80n);
    expect(completeRead(0x7fffn, 2, true, false, HSR)).toBe(0x7fffn);
    expect(completeRead(0x8001n, 2, false, false, HSR)).toBe(0x8001n);
  });

  it('keeps only the low 32 bits when SF = 0 on AArch64, and drops bytes beyond the access', () => {
    expect(completeRead(0x8001n, 2, true, false, ESR)).toBe(0xffff_8001n);
    expect(completeRead(0x1_2345_6789n, 4, false, false, ESR)).toBe(0x2345_6789n);
    expect(completeRead(0x1_2345_6789n, 8, false, true, ESR)).toBe(0x1_2345_6789n);
    expect(completeRead(0xabcdn, 1, false, false, HSR)).toBe(0xcdn);
  });
});
