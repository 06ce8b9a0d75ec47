/**
 * Behaviour of the A32 rows a kernel needs (`arch/arm32/kernel-rows.ts`):
 * the media instructions, long multiplies and divides (ARM ARM A8.8.33,
 * A8.8.145–A8.8.147, A8.8.144, A8.8.246, A8.8.164, A8.8.20/21, A8.8.274
 * family, A8.8.255–A8.8.257, A8.8.189, A8.8.178, A8.8.101, A8.8.165,
 * A8.8.248), the doubleword, exclusive and unprivileged transfers (A8.8.72,
 * A8.8.210, A8.8.75–A8.8.78, A8.8.212–A8.8.215, A8.8.92), and LDM/STM of
 * the user registers and LDM's exception return (B9.3.5, B9.3.6, B9.3.17).
 * Each program runs on both engines (the harness compares them).
 */

import { describe, expect, it } from 'vitest';
import { CPSR, DATA, exceptionEvents, runProgram } from './machine-harness.ts';

describe('media instructions', () => {
  const cases: [string, Record<string, number>, string, number][] = [
    ['clz r0, r1', { r1: 0x0000_8000 }, 'r0', 16],
    ['clz r0, r1', { r1: 0 }, 'r0', 32],
    ['rev r0, r1', { r1: 0x1122_3344 }, 'r0', 0x4433_2211],
    ['rev16 r0, r1', { r1: 0x1122_3344 }, 'r0', 0x2211_4433],
    ['revsh r0, r1', { r1: 0x0000_0080 }, 'r0', 0xffff_8000],
    ['rbit r0, r1', { r1: 0x0000_0001 }, 'r0', 0x8000_0000],
    ['rbit r0, r1', { r1: 0x1234_5678 }, 'r0', 0x1e6a_2c48],
    ['ubfx r0, r1, #16, #4', { r1: 0x0001_1011 }, 'r0', 1],
    ['ubfx r0, r1, #0, #32', { r1: 0xdead_beef }, 'r0', 0xdead_beef],
    ['sbfx r0, r1, #4, #4', { r1: 0x0000_0080 }, 'r0', 0xffff_fff8],
    ['bfi r0, r1, #8, #8', { r0: 0xffff_ffff, r1: 0x12 }, 'r0', 0xffff_12ff],
    ['bfc r0, #4, #24', { r0: 0xffff_ffff }, 'r0', 0xf000_000f],
    ['bfc r0, #0, #32', { r0: 0xffff_ffff }, 'r0', 0],
    ['uxtb r0, r1, ror #8', { r1: 0x1122_3344 }, 'r0', 0x33],
    ['sxtb r0, r1', { r1: 0x80 }, 'r0', 0xffff_ff80],
    ['uxth r0, r1, ror #16', { r1: 0x8122_3344 }, 'r0', 0x8122],
    ['sxth r0, r1, ror #24', { r1: 0x0080_0000 }, 'r0', 0],
    ['sxth r0, r1, ror #24', { r1: 0x8000_00ff }, 'r0', 0xffff_ff80],
    ['uxtab r0, r1, r2', { r1: 0x100, r2: 0xffff_ffff }, 'r0', 0x1ff],
    ['sxtah r0, r1, r2', { r1: 0x10, r2: 0xffff }, 'r0', 0xf],
  ];
  for (const [text, registers, result, value] of cases) {
    it(`${text} with ${JSON.stringify(registers)} gives ${result} = 0x${value.toString(16)}`, () => {
      const ran = runProgram(`${text}\nwfi`, { registers });
      expect(ran.result.reason).toBe('wfi');
      expect(ran.r(result)).toBe(value >>> 0);
    });
  }
});

describe('long multiplies and divides', () => {
  it('umull, umlal, smull, smlal and umaal give the 64-bit results', () => {
    const ran = runProgram(
      ['umull r0, r1, r8, r9', 'smull r2, r3, r8, r9', 'mov r4, #1', 'mov r5, #0', 'umlal r4, r5, r8, r9', 'mov r6, #-1', 'mov r7, #-1', 'smlal r6, r7, r8, r10', 'mov r11, #5', 'mov r12, #7', 'umaal r11, r12, r8, r8', 'wfi'].join('\n'),
      { registers: { r8: 0xffff_ffff, r9: 0x2, r10: 0x3 } },
    );
    expect([ran.r('r0'), ran.r('r1')]).toEqual([0xffff_fffe, 1]);
    expect([ran.r('r2'), ran.r('r3')]).toEqual([0xffff_fffe, 0xffff_ffff]);
    expect([ran.r('r4'), ran.r('r5')]).toEqual([0xffff_ffff, 1]);
    // -1 + (-1 * 3) = -4
    expect([ran.r('r6'), ran.r('r7')]).toEqual([0xffff_fffc, 0xffff_ffff]);
    // 0xffffffff^2 + 5 + 7 = 0xfffffffe_0000000d
    expect([ran.r('r11'), ran.r('r12')]).toEqual([0x0000_000d, 0xffff_fffe]);
  });

  it('umulls sets N and Z from the 64-bit result', () => {
    const ran = runProgram('umulls r0, r1, r2, r3\nwfi', { registers: { r2: 0x1_0000, r3: 0x1_0000 } });
    expect([ran.r('r0'), ran.r('r1')]).toEqual([0, 1]);
    expect(ran.r('cpsr') & (CPSR.N | CPSR.Z)).toBe(0);
    const zero = runProgram('umulls r0, r1, r2, r3\nwfi', { registers: { r2: 0, r3: 5 } });
    expect(zero.r('cpsr') & CPSR.Z).toBe(CPSR.Z);
  });

  it('mls, sdiv and udiv; division by zero gives 0 and INT_MIN / -1 gives INT_MIN', () => {
    const ran = runProgram(['mls r0, r1, r2, r3', 'sdiv r4, r5, r6', 'udiv r7, r5, r6', 'sdiv r8, r5, r9', 'sdiv r10, r11, r12', 'wfi'].join('\n'), {
      registers: { r1: 3, r2: 4, r3: 100, r5: 0xffff_fff9, r6: 2, r9: 0, r11: 0x8000_0000, r12: 0xffff_ffff },
    });
    expect(ran.r('r0')).toBe(88);
    expect(ran.r('r4')).toBe(0xffff_fffd); // -7 / 2 = -3 (towards zero)
    expect(ran.r('r7')).toBe(0x7fff_fffc);
    expect(ran.r('r8')).toBe(0);
    expect(ran.r('r10')).toBe(0x8000_0000);
  });
});

describe('doubleword, exclusive and unprivileged transfers', () => {
  it('strd then ldrd move a register pair, with writeback', () => {
    const ran = runProgram(['strd r2, r3, [r0, #8]!', 'ldrd r4, r5, [r0], #-8', 'wfi'].join('\n'), { registers: { r0: DATA, r2: 0x1111_1111, r3: 0x2222_2222 } });
    expect(ran.machine.memory.read32(DATA + 8)).toBe(0x1111_1111);
    expect(ran.machine.memory.read32(DATA + 12)).toBe(0x2222_2222);
    expect([ran.r('r4'), ran.r('r5'), ran.r('r0')]).toEqual([0x1111_1111, 0x2222_2222, DATA]);
  });

  it('ldrd from an address that is not word-aligned is an alignment fault (Table A3-1)', () => {
    const ran = runProgram('ldrd r4, r5, [r0]\nwfi', { registers: { r0: DATA + 2 } });
    const events = exceptionEvents(ran.trace.events);
    expect(events[0]?.exception).toBe('data-abort');
    expect(events[0]?.cause).toContain('unaligned');
  });

  it('strex succeeds after ldrex of the same address, fails after clrex or for another address', () => {
    const ran = runProgram(
      ['ldrex r1, [r0]', 'add r1, r1, #1', 'strex r2, r1, [r0]', 'ldrex r3, [r0]', 'clrex', 'strex r4, r1, [r0]', 'ldrex r5, [r0]', 'strex r6, r1, [r7]', 'strex r8, r1, [r0]', 'wfi'].join('\n'),
      { registers: { r0: DATA, r7: DATA + 4 }, setup: (m) => m.memory.write32(DATA, 41) },
    );
    expect(ran.r('r2')).toBe(0);
    expect(ran.machine.memory.read32(DATA)).toBe(42);
    expect(ran.r('r4')).toBe(1);
    expect(ran.r('r6')).toBe(1);
    // the failed strex to another address left the monitor open: this one fails too
    expect(ran.r('r8')).toBe(1);
  });

  it('ldrexd/strexd and the byte and halfword exclusives', () => {
    const ran = runProgram(['ldrexd r2, r3, [r0]', 'strexd r1, r4, r5, [r0]', 'ldrexb r6, [r0]', 'strexb r7, r8, [r0]', 'ldrexh r9, [r10]', 'strexh r11, r8, [r10]', 'wfi'].join('\n'), {
      registers: { r0: DATA, r4: 0xaaaa_aaaa, r5: 0xbbbb_bbbb, r8: 0x1234_5678, r10: DATA + 0x10 },
      setup: (m) => {
        m.memory.write32(DATA, 0x0102_0304);
        m.memory.write32(DATA + 4, 0x0506_0708);
        m.memory.write32(DATA + 0x10, 0xcafe);
      },
    });
    expect([ran.r('r2'), ran.r('r3'), ran.r('r1')]).toEqual([0x0102_0304, 0x0506_0708, 0]);
    expect([ran.r('r6'), ran.r('r7')]).toEqual([0xaa, 0]);
    expect(ran.machine.memory.read8(DATA)).toBe(0x78);
    expect([ran.r('r9'), ran.r('r11')]).toEqual([0xcafe, 0]);
    expect(ran.machine.memory.read16(DATA + 0x10)).toBe(0x5678);
  });

  it('ldrt and strbt are post-indexed', () => {
    const ran = runProgram(['strbt r1, [r0], #1', 'ldrt r2, [r3], #-4', 'wfi'].join('\n'), { registers: { r0: DATA, r1: 0x1ab, r3: DATA }, setup: (m) => m.memory.write32(DATA, 0x5566_7700) });
    expect(ran.r('r0')).toBe(DATA + 1);
    expect(ran.r('r2')).toBe(0x5566_77ab);
    expect(ran.r('r3')).toBe(DATA - 4);
  });

  it('ldrht, ldrsbt, ldrsht and strht are post-indexed, the signed forms sign-extend', () => {
    const ran = runProgram(['strht r1, [r0], #2', 'ldrht r2, [r3], #2', 'ldrsbt r4, [r5], #-1', 'ldrsht r6, [r7], r8', 'wfi'].join('\n'), {
      registers: { r0: DATA + 0x20, r1: 0x1_9abc, r3: DATA, r5: DATA + 4, r7: DATA + 8, r8: 6 },
      setup: (m) => {
        m.memory.write32(DATA, 0x1234_8765);
        m.memory.write32(DATA + 4, 0x0000_0080);
        m.memory.write32(DATA + 8, 0x0000_8001);
      },
    });
    expect([ran.r('r0'), ran.machine.memory.read32(DATA + 0x20)]).toEqual([DATA + 0x22, 0x9abc]);
    expect([ran.r('r2'), ran.r('r3')]).toEqual([0x8765, DATA + 2]);
    expect([ran.r('r4'), ran.r('r5')]).toEqual([0xffff_ff80, DATA + 3]);
    expect([ran.r('r6'), ran.r('r7')]).toEqual([0xffff_8001, DATA + 14]);
  });

  it('srsdb sp!, #19 stores LR and SPSR on the svc stack; rfeia sp! loads them back as the PC and the CPSR', () => {
    // From svc: SPSR_svc is a usr-mode CPSR with N and C, LR the return address (the wfi after the rfe's target).
    const ran = runProgram(['srsdb sp!, #19', 'rfeia sp!', 'wfi', 'target: wfi'].join('\n'), {
      registers: { sp: DATA + 0x100, lr: 0x800c, spsr_svc: 0xa000_0010 },
    });
    expect(ran.machine.memory.read32(DATA + 0xf8)).toBe(0x800c);
    expect(ran.machine.memory.read32(DATA + 0xfc)).toBe(0xa000_0010);
    expect(ran.machine.mode()).toBe('usr');
    expect(ran.r('cpsr')).toBe(0xa000_0010);
    expect(ran.result.pc).toBe(0x800c + 4);
    expect(ran.r('sp_svc')).toBe(DATA + 0x100);
  });

  it('srsia to another mode uses that mode\'s banked SP (irq), with writeback; rfe writes back its base', () => {
    const ran = runProgram(['srsia sp!, #18', 'mov r0, r1', 'rfedb r0!', 'wfi', 'back: wfi'].join('\n'), {
      registers: { sp_irq: DATA + 0x40, sp: DATA + 0x200, lr: 0x8010, spsr_svc: 0x1d3, r1: DATA + 0x48 },
    });
    expect([ran.machine.memory.read32(DATA + 0x40), ran.machine.memory.read32(DATA + 0x44)]).toEqual([0x8010, 0x1d3]);
    expect(ran.r('sp_irq')).toBe(DATA + 0x48);
    // rfedb from DATA + 0x48: the words at DATA + 0x40 (decrement before: base - 8), base written back by -8.
    expect(ran.r('r0')).toBe(DATA + 0x40);
    expect(ran.machine.mode()).toBe('svc');
    expect(ran.result.pc).toBe(0x8010 + 4);
  });

  it('srs and rfe are UNDEFINED in Hyp mode', () => {
    for (const text of ['srsdb sp!, #19', 'rfeia sp!']) {
      const ran = runProgram(`${text}\nwfi`, { mode: 'hyp', registers: { sp: DATA + 0x100 } });
      expect(exceptionEvents(ran.trace.events).map((e) => e.exception), text).toEqual(['undefined']);
    }
  });

  it('pld, pldw and pli never fault, even at unmapped addresses', () => {
    const ran = runProgram(['pld [r0, #-4]', 'pldw [r0]', 'pli [r0, #64]', 'wfi'].join('\n'), { registers: { r0: 0x4000_0000 } });
    expect(ran.result.reason).toBe('wfi');
  });

  it('the register forms (A8.8.128, A8.8.130) are hints too, leaving the registers; Rm = PC is UNPREDICTABLE', () => {
    const ran = runProgram(['pld [r3, r2]', 'pldw [r3, -r2, lsl #2]', 'pli [r3, r2, ror #7]', 'wfi'].join('\n'), { registers: { r2: 0x10, r3: 0x4000_0000 } });
    expect(ran.result.reason).toBe('wfi');
    expect([ran.r('r2'), ran.r('r3')]).toEqual([0x10, 0x4000_0000]);
    for (const text of ['pldw [r3, pc]', 'pld [pc, r2]', 'pli [r3, pc]']) expect(runProgram(`${text}\nwfi`).result.reason, text).toBe('unpredictable');
    expect(runProgram('pli [pc, r2]\nwfi').result.reason).toBe('wfi');
  });
});

describe('LDM and STM of the user registers, LDM exception return (B9.3.5, B9.3.6, B9.3.17)', () => {
  it('stm ^ from svc stores the user SP and LR, ldm ^ loads them', () => {
    const ran = runProgram(['stm r0, {sp, lr}^', 'ldm r1, {sp, lr}^', 'wfi'].join('\n'), {
      registers: { r0: DATA, r1: DATA + 0x20, sp_usr: 0x1000, lr_usr: 0x2000, sp: 0x3000, lr: 0x4000 },
      setup: (m) => {
        m.memory.write32(DATA + 0x20, 0x5555);
        m.memory.write32(DATA + 0x24, 0x6666);
      },
    });
    expect([ran.machine.memory.read32(DATA), ran.machine.memory.read32(DATA + 4)]).toEqual([0x1000, 0x2000]);
    expect([ran.r('sp_usr'), ran.r('lr_usr')]).toEqual([0x5555, 0x6666]);
    expect([ran.r('sp'), ran.r('lr')]).toEqual([0x3000, 0x4000]);
  });

  it('ldm with the PC and ^ returns: CPSR from SPSR_svc, registers and writeback first', () => {
    const ran = runProgram(['ldm r0!, {r1, pc}^', 'wfi', 'back: wfi'].join('\n'), {
      registers: { r0: DATA, spsr_svc: CPSR.usr },
      setup: (m) => {
        m.memory.write32(DATA, 0x77);
        m.memory.write32(DATA + 4, 0x8008);
      },
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.result.pc).toBe(0x800c);
    expect(ran.machine.mode()).toBe('usr');
    expect(ran.r('r1')).toBe(0x77);
    expect(ran.r('r0')).toBe(DATA + 8);
    expect(ran.trace.events.some((e) => e.kind === 'return' && e.from === 'svc' && e.to === 'usr')).toBe(true);
  });

  it('the user-register and return forms are UNDEFINED in Hyp mode', () => {
    const ran = runProgram('stm r0, {sp}^\nwfi', { mode: 'hyp', registers: { r0: DATA } });
    const events = exceptionEvents(ran.trace.events);
    expect(events[0]?.exception).toBe('undefined');
  });
});
