/**
 * A32 loads and stores (ARM ARM DDI 0406C A5.3, A8.8.62 LDR and neighbours,
 * A8.8.58–A8.8.61 LDM, A8.8.199–A8.8.202 STM) and the data abort they raise
 * on unmapped memory (B1.9.8, TakeDataAbortException).
 */

import { describe, expect, it } from 'vitest';
import { CODE, CPSR, DATA, runProgram, VBAR, type Arm32Machine } from './machine-harness.ts';

/** Fill the data page with a known pattern: byte i = i & 0xff. */
function pattern(machine: Arm32Machine): void {
  const bytes = new Uint8Array(0x1000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = i & 0xff;
  machine.memory.writeBytes(DATA, bytes);
}

/** The little-endian word the pattern holds at DATA + offset. */
const patternWord = (offset: number): number => ((offset & 0xff) | (((offset + 1) & 0xff) << 8) | (((offset + 2) & 0xff) << 16) | (((offset + 3) & 0xff) << 24)) >>> 0;

describe('single loads: addressing modes (ARM ARM A8.8.62, A8.8.64)', () => {
  // [instruction, r1 before, r2, r0 after, r1 after]
  const cases: [string, number, number, number, number][] = [
    ['ldr r0, [r1]', DATA + 0x100, 0, patternWord(0x100), DATA + 0x100],
    ['ldr r0, [r1, #4]', DATA + 0x100, 0, patternWord(0x104), DATA + 0x100],
    ['ldr r0, [r1, #-4]', DATA + 0x100, 0, patternWord(0xfc), DATA + 0x100],
    ['ldr r0, [r1, #4]!', DATA + 0x100, 0, patternWord(0x104), DATA + 0x104],
    ['ldr r0, [r1, #-8]!', DATA + 0x100, 0, patternWord(0xf8), DATA + 0xf8],
    ['ldr r0, [r1], #4', DATA + 0x100, 0, patternWord(0x100), DATA + 0x104],
    ['ldr r0, [r1], #-4', DATA + 0x100, 0, patternWord(0x100), DATA + 0xfc],
    ['ldr r0, [r1, #4092]', DATA, 0, patternWord(0xffc), DATA],
    ['ldr r0, [r1, r2]', DATA + 0x100, 0x20, patternWord(0x120), DATA + 0x100],
    ['ldr r0, [r1, -r2]', DATA + 0x100, 0x20, patternWord(0xe0), DATA + 0x100],
    ['ldr r0, [r1, r2, lsl #2]', DATA + 0x100, 0x10, patternWord(0x140), DATA + 0x100],
    ['ldr r0, [r1, -r2, lsl #3]', DATA + 0x200, 0x10, patternWord(0x180), DATA + 0x200],
    ['ldr r0, [r1, r2, lsr #1]', DATA + 0x100, 0x40, patternWord(0x120), DATA + 0x100],
    ['ldr r0, [r1, r2, lsl #2]!', DATA + 0x100, 0x10, patternWord(0x140), DATA + 0x140],
    ['ldr r0, [r1], r2', DATA + 0x100, 0x10, patternWord(0x100), DATA + 0x110],
    ['ldr r0, [r1], -r2, lsl #1', DATA + 0x100, 0x10, patternWord(0x100), DATA + 0xe0],
    ['ldrb r0, [r1, #3]', DATA + 0x100, 0, 0x03, DATA + 0x100],
    ['ldrb r0, [r1, #-1]!', DATA + 0x100, 0, 0xff, DATA + 0xff],
    ['ldrb r0, [r1], r2', DATA + 0x1fe, 3, 0xfe, DATA + 0x201],
    ['ldrh r0, [r1, #2]', DATA + 0x100, 0, 0x0302, DATA + 0x100],
    ['ldrh r0, [r1, #-2]', DATA + 0x100, 0, 0xfffe, DATA + 0x100],
    ['ldrh r0, [r1, #255]', DATA + 0x100, 0, 0x00ff, DATA + 0x100],
    ['ldrh r0, [r1, r2]!', DATA + 0x100, 6, 0x0706, DATA + 0x106],
    ['ldrh r0, [r1], #-2', DATA + 0x100, 0, 0x0100, DATA + 0xfe],
    ['ldrsb r0, [r1]', DATA + 0x80, 0, 0xffff_ff80, DATA + 0x80],
    ['ldrsb r0, [r1, #-1]', DATA + 0x80, 0, 0x7f, DATA + 0x80],
    ['ldrsb r0, [r1], r2', DATA + 0xff, 1, 0xffff_ffff, DATA + 0x100],
    ['ldrsh r0, [r1]', DATA + 0x7f, 0, 0xffff_807f, DATA + 0x7f],
    ['ldrsh r0, [r1, #-2]', DATA + 0x7f, 0, 0x7e7d, DATA + 0x7f],
    ['ldrsh r0, [r1, -r2]!', DATA + 0x90, 0x10, 0xffff_8180, DATA + 0x80],
  ];
  for (const [source, r1, r2, r0, r1After] of cases) {
    it(source, () => {
      const ran = runProgram(`${source}\nwfi`, { registers: { r0: 0xdead_beef, r1, r2 }, setup: pattern });
      expect(ran.result.reason).toBe('wfi');
      expect(ran.r('r0') >>> 0).toBe(r0);
      expect(ran.r('r1')).toBe(r1After);
      expect(ran.r('r2')).toBe(r2);
    });
  }

  it('a register offset with rrx shifts the carry flag in, and the address wraps at 2^32', () => {
    // r2 rrx with C = 1 is 0x80000020; r1 + that wraps round to DATA + 0x120.
    const ran = runProgram('ldr r0, [r1, r2, rrx]\nwfi', {
      registers: { r1: (DATA + 0x100 + 0x8000_0000) >>> 0, r2: 0x40, cpsr: CPSR.svc | CPSR.C | CPSR.I },
      setup: pattern,
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r0')).toBe(patternWord(0x120));
    const clear = runProgram('ldr r0, [r1, -r2, rrx]\nwfi', {
      registers: { r1: DATA + 0x100, r2: 0x40, cpsr: CPSR.svc | CPSR.I },
      setup: pattern,
    });
    // -(0x40 rrx, C = 0) = -0x20.
    expect(clear.r('r0')).toBe(patternWord(0xe0));
  });

  it('an unaligned word load reads the four bytes (SCTLR.A = 0, ARMv7 unaligned support)', () => {
    const ran = runProgram('ldr r0, [r1]\nwfi', { registers: { r1: DATA + 0x101 }, setup: pattern });
    expect(ran.r('r0')).toBe(patternWord(0x101));
  });

  it('ldr from the PC reads relative to the instruction address + 8', () => {
    const ran = runProgram('ldr r0, [pc, #4]\nwfi\nnop\n.word 0xcafef00d\nldr r1, [pc, #-12]\nwfi', {});
    expect(ran.r('r0')).toBe(0xcafe_f00d);
    const second = runProgram('b skip\n.word 0x11223344\nskip: ldr r1, [pc, #-12]\nwfi');
    expect(second.r('r1')).toBe(0x1122_3344);
  });

  it('ldr pc loads a branch target; an odd one is Thumb (LoadWritePC)', () => {
    const ran = runProgram('ldr pc, [r1]\nmov r0, #1\nmov r2, #2\nwfi', {
      registers: { r1: DATA },
      setup: (m) => m.memory.write32(DATA, CODE + 8),
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r0')).toBe(0);
    expect(ran.r('r2')).toBe(2);
    const thumb = runProgram('ldr pc, [r1]\nwfi', {
      registers: { r1: DATA },
      setup: (m) => m.memory.write32(DATA, CODE + 0x11),
    });
    expect(thumb.result.reason).toBe('thumb-unsupported');
  });

  it('writeback with Rn = Rt is UNPREDICTABLE', () => {
    const ran = runProgram('ldr r1, [r1, #4]!\nwfi', { registers: { r1: DATA } });
    expect(ran.result.reason).toBe('unpredictable');
    expect(ran.r('r1')).toBe(DATA);
    expect(ran.result.pc).toBe(CODE);
  });
});

describe('single stores', () => {
  it('str, strb and strh store the right bytes little-endian and touch nothing else', () => {
    const ran = runProgram(
      ['str r0, [r1]', 'strb r0, [r1, #8]', 'strh r0, [r1, #12]', 'str r0, [r1, #-4]!', 'strb r2, [r1], #32', 'strh r2, [r1, r3]', 'wfi'].join('\n'),
      {
        registers: { r0: 0x1122_3344, r1: DATA + 0x100, r2: 0xaabb_ccdd, r3: 2 },
        setup: (m) => m.memory.writeBytes(DATA + 0xf0, new Uint8Array(0x40).fill(0xee)),
      },
    );
    expect(ran.machine.memory.read32(DATA + 0x100)).toBe(0x1122_3344);
    expect(ran.machine.memory.read8(DATA + 0x108)).toBe(0x44);
    expect(ran.machine.memory.read8(DATA + 0x109)).toBe(0xee);
    expect(ran.machine.memory.read16(DATA + 0x10c)).toBe(0x3344);
    expect(ran.machine.memory.read8(DATA + 0x10e)).toBe(0xee);
    // str r0, [r1, #-4]! wrote 0xfc, then strb r2, [r1], #32 overwrote its first byte.
    expect(ran.machine.memory.read32(DATA + 0xfc)).toBe(0x1122_33dd);
    expect(ran.r('r1')).toBe(DATA + 0xfc + 32);
    expect(ran.machine.memory.read16(DATA + 0xfc + 32 + 2)).toBe(0xccdd);
    // Below the pre-indexed store, the filler is untouched.
    expect(ran.machine.memory.read32(DATA + 0xf8)).toBe(0xeeee_eeee);
  });

  it('str pc stores the instruction address + 8', () => {
    const ran = runProgram('nop\nstr pc, [r1]\nwfi', { registers: { r1: DATA } });
    expect(ran.machine.memory.read32(DATA)).toBe(CODE + 4 + 8);
  });

  it('a post-indexed store uses the old base and writes the new one back', () => {
    const ran = runProgram('str r0, [r1], #-16\nwfi', { registers: { r0: 0x5a5a_5a5a, r1: DATA + 0x40 } });
    expect(ran.machine.memory.read32(DATA + 0x40)).toBe(0x5a5a_5a5a);
    expect(ran.machine.memory.read32(DATA + 0x30)).toBe(0);
    expect(ran.r('r1')).toBe(DATA + 0x30);
  });
});

describe('LDM and STM (block transfers)', () => {
  // [mode, first address relative to base, base after with writeback]
  const modes: [string, number, number][] = [
    ['ia', 0, 16],
    ['ib', 4, 16],
    ['da', -12, -16],
    ['db', -16, -16],
  ];
  for (const [mode, first, delta] of modes) {
    it(`stm${mode} and ldm${mode}, with and without writeback`, () => {
      const base = DATA + 0x100;
      const stored = runProgram(`stm${mode} r0, {r1, r2, r3, r4}\nstm${mode} r5!, {r1, r2, r3, r4}\nwfi`, {
        registers: { r0: base, r1: 0x11, r2: 0x22, r3: 0x33, r4: 0x44, r5: base + 0x200 },
      });
      expect(stored.r('r0')).toBe(base);
      expect(stored.r('r5')).toBe(base + 0x200 + delta);
      const memory = stored.machine.memory;
      for (const [b, which] of [[base, 'plain'], [base + 0x200, 'writeback']] as const) {
        const words = [0, 4, 8, 12].map((o) => memory.read32(b + first + o));
        expect(words, `${mode} ${which}`).toEqual([0x11, 0x22, 0x33, 0x44]);
        // Nothing outside the block.
        expect(memory.read32(b + first - 4), `${mode} ${which} below`).toBe(0);
        expect(memory.read32(b + first + 16), `${mode} ${which} above`).toBe(0);
      }
      const loaded = runProgram(`ldm${mode} r0, {r6, r7, r8, r9}\nldm${mode} r5!, {r1, r2}\nwfi`, {
        registers: { r0: base, r5: base },
        setup: (m) => {
          for (let i = 0; i < 8; i++) m.memory.write32(base + first + 4 * i - 16, 0x100 + i);
        },
      });
      // Words at first, first+4, ... hold 0x104, 0x105, ...
      expect([loaded.r('r6'), loaded.r('r7'), loaded.r('r8'), loaded.r('r9')]).toEqual([0x104, 0x105, 0x106, 0x107]);
      expect(loaded.r('r0')).toBe(base);
      // Two registers: the increment modes take the two words from the base up, the decrement modes the two below it.
      const two = mode.startsWith('i') ? [0x104, 0x105] : [0x106, 0x107];
      expect([loaded.r('r1'), loaded.r('r2')], mode).toEqual(two);
      expect(loaded.r('r5')).toBe(base + (delta / 4) * 2);
    });
  }

  it('push and pop (stmdb sp! / ldmia sp!) round trip, lowest register at the lowest address', () => {
    const ran = runProgram('push {r0, r1, r4, lr}\nmov r0, #0\nmov r1, #0\nmov r4, #0\npop {r5, r6, r7, r8}\nwfi', {
      registers: { sp: DATA + 0x800, r0: 1, r1: 2, r4: 3, lr: 4 },
    });
    expect(ran.machine.memory.read32(DATA + 0x800 - 16)).toBe(1);
    expect(ran.machine.memory.read32(DATA + 0x800 - 4)).toBe(4);
    expect([ran.r('r5'), ran.r('r6'), ran.r('r7'), ran.r('r8')]).toEqual([1, 2, 3, 4]);
    expect(ran.r('sp')).toBe(DATA + 0x800);
  });

  it('push {r} and pop {r} of one register use the single STR/LDR forms', () => {
    const ran = runProgram('push {r0}\npop {r1}\nwfi', { registers: { sp: DATA + 0x800, r0: 0x77 } });
    expect(ran.r('r1')).toBe(0x77);
    expect(ran.machine.memory.read32(DATA + 0x7fc)).toBe(0x77);
    expect(ran.r('sp')).toBe(DATA + 0x800);
  });

  it('bl / push {lr} / pop {pc} returns', () => {
    const ran = runProgram('bl func\nmov r1, #1\nwfi\nfunc: push {r4, lr}\nmov r4, #9\nmov r0, r4\npop {r4, pc}', {
      registers: { sp: DATA + 0x800, r4: 0x44 },
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.result.pc).toBe(CODE + 12);
    expect(ran.r('r0')).toBe(9);
    expect(ran.r('r4')).toBe(0x44);
    expect(ran.r('r1')).toBe(1);
    expect(ran.r('sp')).toBe(DATA + 0x800);
  });

  it('pop {pc} alone (LDR post-indexed) returns', () => {
    const ran = runProgram('bl func\nwfi\nfunc: push {lr}\npop {pc}', { registers: { sp: DATA + 0x800 } });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.result.pc).toBe(CODE + 8);
    expect(ran.r('sp')).toBe(DATA + 0x800);
  });

  it('stm of the PC stores the instruction address + 8', () => {
    const ran = runProgram('stmia r0, {r1, pc}\nwfi', { registers: { r0: DATA, r1: 5 } });
    expect(ran.machine.memory.read32(DATA + 4)).toBe(CODE + 8);
  });

  it('ldm with the PC in the list branches', () => {
    const ran = runProgram('ldmia r0, {r1, pc}\nmov r2, #1\nwfi', {
      registers: { r0: DATA },
      setup: (m) => {
        m.memory.write32(DATA, 0x99);
        m.memory.write32(DATA + 4, CODE + 8);
      },
    });
    expect(ran.r('r1')).toBe(0x99);
    expect(ran.r('r2')).toBe(0);
    expect(ran.result.pc).toBe(CODE + 12);
  });
});

describe('data aborts on unmapped memory (ARM ARM B1.9.8)', () => {
  const UNMAPPED = 0x0090_0000;

  function expectAbort(ran: ReturnType<typeof runProgram>, faultAddress: number, write: boolean, at = CODE): void {
    expect(ran.result.reason).toBe('wfi');
    // The vector at VBAR + 0x10 ran (its wfi stopped the run one word later).
    expect(ran.result.pc).toBe(VBAR + 0x10 + 4);
    expect(ran.machine.mode()).toBe('abt');
    expect(ran.r('lr')).toBe(at + 8);
    expect(ran.r('lr_abt')).toBe(at + 8);
    expect(ran.r('dfar')).toBe(faultAddress);
    // Short-descriptor DFSR: FS = 0b01000 (synchronous external abort), WnR in bit 11.
    expect(ran.r('dfsr')).toBe((write ? 1 << 11 : 0) | 0x8);
    const cpsr = ran.r('cpsr');
    expect(cpsr & 0x1f).toBe(CPSR.abt);
    expect(cpsr & CPSR.A).toBe(CPSR.A);
    expect(cpsr & CPSR.I).toBe(CPSR.I);
  }

  it('ldr from an unmapped address leaves every register unchanged and enters abt at VBAR+0x10', () => {
    const before = { r0: 0x1111_1111, r1: UNMAPPED, r2: 0x2222_2222 };
    const ran = runProgram('nop\nldr r0, [r1, #4]!\nwfi', {
      registers: { ...before, cpsr: CPSR.svc | CPSR.Z | CPSR.F },
    });
    expectAbort(ran, UNMAPPED + 4, false, CODE + 4);
    expect(ran.r('r0')).toBe(before.r0);
    expect(ran.r('r1')).toBe(before.r1);
    expect(ran.r('r2')).toBe(before.r2);
    expect(ran.r('spsr_abt')).toBe(CPSR.svc | CPSR.Z | CPSR.F);
    // F stays as it was: a data abort masks A and I only.
    expect(ran.r('cpsr') & CPSR.F).toBe(CPSR.F);
    const exceptions = ran.trace.events.filter((e) => e.kind === 'exception');
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({ exception: 'data-abort', from: 'svc', to: 'abt', vector: VBAR + 0x10, returnAddress: CODE + 12 });
  });

  it('a post-indexed load that faults does not write back', () => {
    const ran = runProgram('ldrb r0, [r1], #1\nwfi', { registers: { r0: 7, r1: UNMAPPED } });
    expectAbort(ran, UNMAPPED, false);
    expect(ran.r('r1')).toBe(UNMAPPED);
    expect(ran.r('r0')).toBe(7);
  });

  it('str to an unmapped address sets DFSR.WnR', () => {
    const ran = runProgram('str r0, [r1, r2]\nwfi', { registers: { r1: UNMAPPED, r2: 0x10 } });
    expectAbort(ran, UNMAPPED + 0x10, true);
  });

  it('a halfword store straddling the end of the mapped page writes nothing', () => {
    const ran = runProgram('strh r0, [r1]\nwfi', {
      registers: { r0: 0xabcd, r1: DATA + 0xfff },
      setup: (m) => m.memory.write8(DATA + 0xfff, 0x5a),
    });
    expectAbort(ran, DATA + 0xfff, true);
    expect(ran.machine.memory.read8(DATA + 0xfff)).toBe(0x5a);
  });

  it('ldm that runs off the page loads nothing', () => {
    const ran = runProgram('ldmia r1!, {r2, r3, r4, r5}\nwfi', {
      registers: { r1: DATA + 0xff8, r2: 2, r3: 3, r4: 4, r5: 5 },
      setup: (m) => {
        m.memory.write32(DATA + 0xff8, 0xaaaa);
        m.memory.write32(DATA + 0xffc, 0xbbbb);
      },
    });
    expectAbort(ran, DATA + 0x1000, false);
    expect([ran.r('r1'), ran.r('r2'), ran.r('r3'), ran.r('r4'), ran.r('r5')]).toEqual([DATA + 0xff8, 2, 3, 4, 5]);
  });

  it('stm that runs off the page stores nothing', () => {
    const ran = runProgram('stmia r1!, {r2, r3, r4, r5}\nwfi', {
      registers: { r1: DATA + 0xff8, r2: 2, r3: 3, r4: 4, r5: 5 },
    });
    expectAbort(ran, DATA + 0x1000, true);
    expect(ran.r('r1')).toBe(DATA + 0xff8);
    expect(ran.machine.memory.read32(DATA + 0xff8)).toBe(0);
    expect(ran.machine.memory.read32(DATA + 0xffc)).toBe(0);
  });

  it('a data abort from usr saves the usr CPSR and leaves sp_usr/lr_usr alone', () => {
    const ran = runProgram('ldr r0, [r1]\nwfi', {
      mode: 'usr',
      registers: { r1: UNMAPPED, sp: 0x5000, lr: 0x6000, cpsr: (CPSR.usr | CPSR.N) >>> 0 },
    });
    expectAbort(ran, UNMAPPED, false);
    expect(ran.r('spsr_abt')).toBe((CPSR.usr | CPSR.N) >>> 0);
    expect(ran.r('sp_usr')).toBe(0x5000);
    expect(ran.r('lr_usr')).toBe(0x6000);
  });
});

describe('addresses at and above 0x80000000 (registers are held as int32 internally)', () => {
  const HIGH = 0x8000_0000;
  const HIGH_DATA = 0xc000_0000;

  it('code, loads, stores, block transfers and calls all run in the top half of the address space', () => {
    const ran = runProgram(
      [
        'str r1, [r0], #4', // post-indexed: the old (high) base is the address
        'ldr r2, [r0, #-4]!',
        'strb r1, [r0, #8]',
        'ldrsb r3, [r0, #8]',
        'stmdb sp!, {r1, r2, lr}',
        'ldmia sp!, {r4, r5, r6}',
        'bl func',
        'mov r8, pc',
        'wfi',
        'func: mov r7, lr',
        'bx lr',
      ].join('\n'),
      {
        base: HIGH,
        registers: { r0: HIGH_DATA, r1: 0x8765_43f1, sp: HIGH_DATA + 0x800, lr: 0xf000_0000 },
        setup: (m) => m.memory.map(HIGH_DATA, 0x1000),
      },
    );
    expect(ran.result.reason).toBe('wfi');
    expect(ran.result.pc).toBe(HIGH + 36);
    expect(ran.machine.memory.read32(HIGH_DATA)).toBe(0x8765_43f1);
    expect(ran.r('r0')).toBe(HIGH_DATA);
    expect(ran.r('r2')).toBe(0x8765_43f1);
    expect(ran.r('r3')).toBe(0xffff_fff1);
    expect([ran.r('r4'), ran.r('r5'), ran.r('r6')]).toEqual([0x8765_43f1, 0x8765_43f1, 0xf000_0000]);
    expect(ran.r('sp')).toBe(HIGH_DATA + 0x800);
    expect(ran.r('r7')).toBe(HIGH + 28);
    expect(ran.r('r8')).toBe(HIGH + 28 + 8);
  });

  it('a data abort at a high address reports it unsigned in DFAR and in the trace', () => {
    const ran = runProgram('ldr r0, [r1], #4\nwfi', { registers: { r1: 0xf000_0010 } });
    expect(ran.result.pc).toBe(VBAR + 0x14);
    expect(ran.r('dfar')).toBe(0xf000_0010);
    expect(ran.r('r1')).toBe(0xf000_0010);
    const line = ran.trace.lines().find((l) => l.startsWith('-- exception'));
    expect(line).toContain('read from unmapped 0xf0000010');
  });

  it('a data abort from an LDM at a high address', () => {
    const ran = runProgram('ldmdb r1!, {r2, r3}\nwfi', { registers: { r1: 0xf000_0010 } });
    expect(ran.r('dfar')).toBe(0xf000_0008);
    expect(ran.r('r1')).toBe(0xf000_0010);
  });
});

describe('CPSR.E = 1: big-endian data accesses (ARM ARM A3.3 "Endian support", MemA[]/MemU[] pseudocode)', () => {
  const E = 0x200;

  it('every load size reads big-endian, aligned and unaligned, while instructions still fetch little-endian', () => {
    const ran = runProgram(
      ['ldr r0, [r1]', 'ldrh r2, [r1, #4]', 'ldrsh r3, [r1, #6]', 'ldrb r4, [r1, #1]', 'ldrsb r5, [r1, #6]', 'ldr r6, [r1, #1]', 'ldrh r7, [r1, #3]', 'wfi'].join('\n'),
      {
        registers: { r1: DATA + 0x100, cpsr: CPSR.svc | CPSR.I | E },
        setup: (m) => m.memory.writeBytes(DATA + 0x100, Uint8Array.from([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x87, 0x78])),
      },
    );
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r0')).toBe(0x1122_3344);
    expect(ran.r('r2')).toBe(0x5566);
    expect(ran.r('r3')).toBe(0xffff_8778);
    expect(ran.r('r4')).toBe(0x22);
    expect(ran.r('r5')).toBe(0xffff_ff87);
    expect(ran.r('r6')).toBe(0x2233_4455);
    expect(ran.r('r7')).toBe(0x4455);
  });

  it('every store size writes big-endian', () => {
    const ran = runProgram(['str r0, [r1]', 'strh r0, [r1, #4]', 'strb r0, [r1, #6]', 'str r0, [r1, #9]', 'wfi'].join('\n'), {
      registers: { r0: 0x1122_3344, r1: DATA + 0x100, cpsr: CPSR.svc | CPSR.I | E },
    });
    expect([...ran.machine.memory.readBytes(DATA + 0x100, 13)!]).toEqual([0x11, 0x22, 0x33, 0x44, 0x33, 0x44, 0x44, 0, 0, 0x11, 0x22, 0x33, 0x44]);
  });

  it('ldm and stm move big-endian words', () => {
    const ran = runProgram('stmia r0, {r1, r2}\nldmia r0, {r3, r4}\nwfi', {
      registers: { r0: DATA, r1: 0x0102_0304, r2: 0xa0b0_c0d0, cpsr: CPSR.svc | CPSR.I | E },
    });
    expect([...ran.machine.memory.readBytes(DATA, 8)!]).toEqual([1, 2, 3, 4, 0xa0, 0xb0, 0xc0, 0xd0]);
    expect([ran.r('r3'), ran.r('r4')]).toEqual([0x0102_0304, 0xa0b0_c0d0]);
  });

  it('usr mode may set E with MSR (CPSRWriteByInstr writes E from any mode, B1.3.3), and loads follow at once', () => {
    const ran = runProgram('ldr r2, [r1]\nmsr cpsr_x, r0\nldr r3, [r1]\nwfi', {
      mode: 'usr',
      registers: { r0: E, r1: DATA, cpsr: CPSR.usr },
      setup: (m) => m.memory.write32(DATA, 0x4433_2211),
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('cpsr') & E).toBe(E);
    expect(ran.r('r2')).toBe(0x4433_2211);
    expect(ran.r('r3')).toBe(0x1122_3344);
  });
});

describe('alignment faults (ARM ARM A3.2.1, Table A3-1; DFSR FS = 0b00001, B3.13.3 Table B3-23)', () => {
  const SCTLR_A = 2;

  /** The data abort the run took: entered abt at VBAR+0x10 from the instruction at `at`. */
  function expectAlignmentAbort(ran: ReturnType<typeof runProgram>, faultAddress: number, write: boolean, at = CODE): void {
    expect(ran.result.reason).toBe('wfi');
    expect(ran.result.pc).toBe(VBAR + 0x10 + 4);
    expect(ran.machine.mode()).toBe('abt');
    expect(ran.r('lr_abt')).toBe(at + 8);
    expect(ran.r('dfar')).toBe(faultAddress);
    expect(ran.r('dfsr')).toBe((write ? 1 << 11 : 0) | 0x001);
  }

  it('ldm from an address that is not word-aligned faults even with SCTLR.A = 0, changing no register', () => {
    const ran = runProgram('ldmia r1!, {r2, r3}\nwfi', {
      registers: { r1: DATA + 0x102, r2: 2, r3: 3 },
      setup: (m) => m.memory.writeBytes(DATA + 0x100, new Uint8Array(16).fill(0x77)),
    });
    expect(ran.r('sctlr') & SCTLR_A).toBe(0);
    expectAlignmentAbort(ran, DATA + 0x102, false);
    expect([ran.r('r1'), ran.r('r2'), ran.r('r3')]).toEqual([DATA + 0x102, 2, 3]);
    const line = ran.trace.lines().find((l) => l.startsWith('-- exception'));
    expect(line).toContain(`read from unaligned 0x${(DATA + 0x102).toString(16).padStart(8, '0')}`);
  });

  it('stm to an address that is not word-aligned faults with WnR and stores nothing; DFAR is the lowest address of the block', () => {
    const ran = runProgram('stmdb r1!, {r2, r3}\nwfi', { registers: { r1: DATA + 0x101, r2: 2, r3: 3 } });
    expectAlignmentAbort(ran, DATA + 0x101 - 8, true);
    expect(ran.r('r1')).toBe(DATA + 0x101);
    expect([...ran.machine.memory.readBytes(DATA + 0xf0, 0x20)!].every((b) => b === 0)).toBe(true);
  });

  it('push and pop of several registers with a misaligned sp fault too', () => {
    const pushed = runProgram('push {r0, r1}\nwfi', { registers: { sp: DATA + 0x802 } });
    expectAlignmentAbort(pushed, DATA + 0x802 - 8, true);
    const popped = runProgram('pop {r0, r1}\nwfi', { registers: { sp: DATA + 0x803 } });
    expectAlignmentAbort(popped, DATA + 0x803, false);
  });

  it('an alignment fault is found before an unmapped page: the status is alignment', () => {
    const ran = runProgram('ldmia r1, {r2}\nwfi', { registers: { r1: 0x0090_0001 } });
    expectAlignmentAbort(ran, 0x0090_0001, false);
  });

  it('with SCTLR.A = 1 unaligned word and halfword transfers fault; byte transfers and aligned ones do not', () => {
    const aligned = runProgram('ldr r0, [r1]\nldrh r2, [r1, #2]\nldrb r3, [r1, #3]\nstrh r2, [r1, #6]\nwfi', {
      registers: { r1: DATA + 0x100, sctlr: 0x00c5_0078 | SCTLR_A },
      setup: pattern,
    });
    expect(aligned.result.reason).toBe('wfi');
    expect(aligned.result.pc).toBe(CODE + 20);
    expect(aligned.r('r0')).toBe(patternWord(0x100));
    for (const [source, address, write] of [
      ['ldr r0, [r1, #1]', DATA + 0x101, false],
      ['ldrh r0, [r1, #3]', DATA + 0x103, false],
      ['ldrsh r0, [r1, #1]', DATA + 0x101, false],
      ['str r0, [r1, #2]', DATA + 0x102, true],
      ['strh r0, [r1, #1]', DATA + 0x101, true],
    ] as const) {
      const ran = runProgram(`${source}\nwfi`, { registers: { r0: 0x1234, r1: DATA + 0x100, sctlr: 0x00c5_0078 | SCTLR_A }, setup: pattern });
      expectAlignmentAbort(ran, address, write);
      expect(ran.r('r0'), source).toBe(0x1234);
    }
  });

  it('in Hyp mode HSCTLR.A decides, and the abort is reported in HSR (EC 0x25, DFSC 0b100001) and HDFAR', () => {
    const ldm = runProgram('ldmia r1, {r2}\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp, r1: DATA + 2 } });
    expect(ldm.result.pc).toBe(0x2000 + 0x10 + 4);
    expect(ldm.r('hsr')).toBe(((0x25 << 26) | (1 << 25) | 0x21) >>> 0);
    expect(ldm.r('hdfar')).toBe(DATA + 2);
    expect(ldm.r('elr_hyp')).toBe(CODE);
    // SCTLR.A does not apply in Hyp; HSCTLR.A does.
    const plain = runProgram('ldr r0, [r1]\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp, r1: DATA + 1, sctlr: 0x00c5_0078 | SCTLR_A } });
    expect(plain.result.pc).toBe(CODE + 8);
    const strict = runProgram('str r0, [r1]\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp, r1: DATA + 1, hsctlr: 0x30c5_0818 | SCTLR_A } });
    expect(strict.result.pc).toBe(0x2000 + 0x10 + 4);
    expect(strict.r('hsr')).toBe(((0x25 << 26) | (1 << 25) | (1 << 6) | 0x21) >>> 0);
    expect(strict.r('hdfar')).toBe(DATA + 1);
  });
});

describe('UNPREDICTABLE transfers the ARM ARM names', () => {
  it('ldm with writeback and Rn in the list (A8.8.58: ArchVersion() >= 7)', () => {
    const ran = runProgram('ldmia r1!, {r1, r2}\nwfi', { registers: { r1: DATA } });
    expect(ran.result.reason).toBe('unpredictable');
    expect(ran.r('r1')).toBe(DATA);
    // Without writeback Rn may be in the list: it is loaded.
    const plain = runProgram('ldmia r1, {r1, r2}\nwfi', { registers: { r1: DATA }, setup: (m) => m.memory.write32(DATA, 0x55) });
    expect(plain.result.reason).toBe('wfi');
    expect(plain.r('r1')).toBe(0x55);
  });

  it('strb and strh of the PC (A8.8.207, A8.8.217: t == 15)', () => {
    for (const source of ['strb pc, [r1]', 'strh pc, [r1]', 'strb pc, [r1, r2]', 'strh pc, [r1, -r2]']) {
      const ran = runProgram(`${source}\nwfi`, { registers: { r1: DATA, r2: 4 } });
      expect(ran.result.reason, source).toBe('unpredictable');
      expect(ran.machine.memory.read32(DATA), source).toBe(0);
    }
  });
});
