import { describe, expect, it } from 'vitest';
import { decodePreMergeArm } from '../../../../arch/arm32/abis/mmio-instruction-decoder.ts';

/** r0 = 0x09000010 (the device), r2 = 0x21 (an offset), r3 = 0xdeadbeef; encodings as llvm-mc 14 emits them (armv7a). */
const regs = { read: (n: number) => (n === 0 ? 0x0900_0010 : n === 2 ? 0x21 : n === 3 ? 0xdead_beef : 0x55), carry: false };

describe('the pre-merge A32 load/store decoder (arm_instr, @02b4bc95)', () => {
  it.each([
    ['ldr r1, [r0], #4', 0xe490_1004, { direction: 'read', length: 4, rt: 1, signExtend: false, writeback: { register: 0, value: 0x0900_0014 } }],
    ['ldr r1, [r0, #4]!', 0xe5b0_1004, { direction: 'read', length: 4, rt: 1, writeback: { register: 0, value: 0x0900_0014 } }],
    ['str r1, [r0], #-8', 0xe400_1008, { direction: 'write', length: 4, rt: 1, writeback: { register: 0, value: 0x0900_0008 } }],
    ['strb r2, [r0], #1', 0xe4c0_2001, { direction: 'write', length: 1, rt: 2, writeback: { register: 0, value: 0x0900_0011 } }],
    ['ldrsh r1, [r0], #2', 0xe0d0_10f2, { direction: 'read', length: 2, signExtend: true, writeback: { register: 0, value: 0x0900_0012 } }],
    ['ldrsb r1, [r0, #1]!', 0xe1f0_10d1, { direction: 'read', length: 1, signExtend: true, writeback: { register: 0, value: 0x0900_0011 } }],
    ['ldrh r1, [r0], r2', 0xe090_10b2, { direction: 'read', length: 2, signExtend: false, writeback: { register: 0, value: 0x0900_0031 } }],
    ['ldrd r2, r3, [r0], #8', 0xe0c0_20d8, { direction: 'read', length: 8, rt: 2, rt2: 3, writeback: { register: 0, value: 0x0900_0018 } }],
    ['strd r2, r3, [r0, #8]!', 0xe1e0_20f8, { direction: 'write', length: 8, rt: 2, rt2: 3 }],
    ['ldrt r1, [r0], #4 (unprivileged)', 0xe4b0_1004, { direction: 'read', length: 4, rt: 1 }],
    ['strht r1, [r0], #2 (unprivileged)', 0xe0e0_10b2, { direction: 'write', length: 2, rt: 1, writeback: { register: 0, value: 0x0900_0012 } }],
    // shift(value, 5, …) masks a shifted register offset to 5 bits: 0x21 << 2 = 0x84 becomes 0x04.
    ['ldr r1, [r0], r2, lsl #2 (offset masked to 5 bits, as the source does)', 0xe690_1102, { direction: 'read', writeback: { register: 0, value: 0x0900_0014 } }],
  ] as const)('%s', (_text, word, expected) => {
    const decoded = decodePreMergeArm(word, regs);
    expect(decoded.kind).toBe('decoded');
    if (decoded.kind === 'decoded') expect(decoded.plan).toMatchObject({ ...expected, instruction: word, instructionBytes: 4, via: 'instruction' });
  });

  it.each([
    ['stm r0, {r1, r2}', 0xe880_0006, 'not a single or extra load/store'],
    ['ldm r0!, {r1, r2}', 0xe8b0_0006, 'not a single or extra load/store'],
    ['ldrex r1, [r0]', 0xe190_1f9f, 'not a single or extra load/store'],
    ['vldr d0, [r0]', 0xed90_0b00, 'not a single or extra load/store'],
    ['ldr pc, [r0], #4', 0xe490_f004, 'Rt = PC'],
    ['ldr r1, [pc], #4', 0xe49f_1004, 'Rn = PC'],
    ['ldr r1, [r0, #4] (offset form: it has a valid syndrome)', 0xe590_1004, 'Decoding operation with valid ISV?'],
  ] as const)('refuses %s', (_text, word, reason) => {
    expect(decodePreMergeArm(word, regs)).toMatchObject({ kind: 'refused', instruction: word, reason: expect.stringContaining(reason) });
  });

  it.each([
    ['ldr r1, [r0], r2, lsl #8', 0xe690_1402],
    ['ldr r1, [r0], r2, lsr #32', 0xe690_1022],
  ] as const)('%s hits the decoder BUG_ON (shift by more than 5)', (_text, word) => {
    expect(decodePreMergeArm(word, regs)).toMatchObject({ kind: 'host-bug', reason: expect.stringContaining('BUG_ON(amount > N)') });
  });

  it('does not look at the condition field', () => {
    const always = decodePreMergeArm(0xe490_1004, regs);
    const never = decodePreMergeArm(0x0490_1004, regs);
    expect(never.kind).toBe('decoded');
    expect(always.kind).toBe('decoded');
  });
});
