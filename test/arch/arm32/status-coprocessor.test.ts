/**
 * Status-register and cp15 instructions: MRS/MSR (ARM ARM DDI 0406C B9.3.8–
 * B9.3.12, CPSRWriteByInstr in B1.3.3), MRS/MSR (banked register) (B9.3.9,
 * B9.3.10, B9.2.3), CPS (B9.3.2), MRC/MCR/MRRC/MCRR on cp15 (A8.8.99–A8.8.109,
 * B4.1, B8 for the Hyp registers).
 */

import { describe, expect, it } from 'vitest';
import { CODE, CPSR, exceptionEvents, HVBAR, runProgram, VBAR, type Ran } from './machine-harness.ts';

const u32 = (x: number): number => x >>> 0;

/** The run took an undefined-instruction exception for the instruction at `at`, from `from`. */
function expectUndefined(ran: Ran, at: number, from: string): string {
  expect(ran.result.reason, ran.result.detail).toBe('wfi');
  expect(ran.result.pc).toBe(VBAR + 0x04 + 4);
  expect(ran.machine.mode()).toBe('und');
  expect(ran.r('lr')).toBe(at + 4);
  const events = exceptionEvents(ran.trace.events);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ exception: 'undefined', from, to: 'und', vector: VBAR + 4 });
  return events[0]!.cause;
}

/** The run stopped as UNPREDICTABLE on the instruction at `at`. */
function expectUnpredictable(ran: Ran, at: number): void {
  expect(ran.result.reason, ran.result.detail).toBe('unpredictable');
  expect(ran.result.pc).toBe(at);
}

describe('MRS and MSR on the CPSR (CPSRWriteByInstr, ARM ARM B1.3.3)', () => {
  it('mrs reads the whole CPSR in a privileged mode', () => {
    const cpsr = u32(CPSR.svc | CPSR.N | CPSR.C | CPSR.I | CPSR.A);
    const ran = runProgram('mrs r0, cpsr\nwfi', { registers: { cpsr } });
    expect(ran.r('r0')).toBe(cpsr);
  });

  it('msr cpsr_f writes N, Z, C, V and Q only', () => {
    const ran = runProgram('msr cpsr_f, r0\nwfi', { registers: { cpsr: CPSR.svc | CPSR.I, r0: 0xffff_ffff } });
    expect(ran.r('cpsr')).toBe(u32(0xf800_0000 | CPSR.svc | CPSR.I));
    const imm = runProgram('msr APSR_nzcvq, #0xf8000000\nwfi', { registers: { cpsr: CPSR.svc } });
    expect(imm.r('cpsr')).toBe(u32(0xf800_0000 | CPSR.svc));
  });

  it('msr cpsr_c changes mode and the I and F masks, not A and not the flags', () => {
    const ran = runProgram('msr cpsr_c, r0\nmov r1, sp\nwfi', {
      registers: { cpsr: u32(CPSR.svc | CPSR.Z | CPSR.A | CPSR.I | CPSR.F), r0: 0xffff_ff1f, sp: 0x9000, sp_usr: 0x7000 },
    });
    expect(ran.machine.mode()).toBe('sys');
    // r0's control byte 0x1f has I = F = 0, so both masks clear; A (bit 8) is in the x field, not written.
    expect(ran.r('cpsr')).toBe(u32(CPSR.Z | CPSR.A | CPSR.sys));
    expect(ran.r('r1')).toBe(0x7000);
    const clear = runProgram('msr cpsr_c, #0x13\nwfi', { registers: { cpsr: CPSR.svc | CPSR.A | CPSR.I | CPSR.F } });
    expect(clear.r('cpsr')).toBe(CPSR.svc | CPSR.A);
  });

  it('msr cpsr_x writes E and A; msr cpsr_s writes GE', () => {
    const x = runProgram('msr cpsr_x, r0\nwfi', { registers: { cpsr: CPSR.svc, r0: 0xffff_ffff } });
    expect(x.r('cpsr')).toBe(CPSR.svc | CPSR.A | 0x200);
    const s = runProgram('msr cpsr_s, r0\nwfi', { registers: { cpsr: CPSR.svc, r0: 0xffff_ffff } });
    expect(s.r('cpsr')).toBe(CPSR.svc | 0x000f_0000);
  });

  it('from usr, a write naming every field changes only the flags, GE and E: not mode, A, I or F', () => {
    const ran = runProgram('msr cpsr_fsxc, r0\nmov r1, #1\nwfi', {
      mode: 'usr',
      registers: { cpsr: CPSR.usr, r0: u32(0xf00f_0000 | CPSR.A | CPSR.I | CPSR.F | 0x200 | CPSR.svc) },
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.machine.mode()).toBe('usr');
    expect(ran.r('cpsr')).toBe(u32(0xf00f_0000 | 0x200 | CPSR.usr));
    expect(ran.r('r1')).toBe(1);
    const imm = runProgram('msr cpsr_c, #0xd3\nwfi', { mode: 'usr', registers: { cpsr: CPSR.usr } });
    expect(imm.r('cpsr')).toBe(CPSR.usr);
  });

  it('mode changes the manual makes UNPREDICTABLE stop the run with nothing written', () => {
    for (const [mode, start, target] of [
      ['svc', CPSR.svc, CPSR.hyp], // into Hyp except by an exception
      ['hyp', CPSR.hyp, CPSR.svc], // out of Hyp except by an exception return
      ['svc', CPSR.svc, CPSR.mon], // Monitor from Non-secure state
      ['svc', CPSR.svc, 0x15], // not a mode
    ] as const) {
      const ran = runProgram('nop\nmsr cpsr_fc, r0\nwfi', { mode, registers: { cpsr: start, r0: u32(0xf000_0000 | target) } });
      expectUnpredictable(ran, CODE + 4);
      expect(ran.r('cpsr'), `${mode} -> 0x${target.toString(16)}`).toBe(start);
    }
  });

  it('msr and cps cannot enter Hyp even from Monitor mode (only an exception return can)', () => {
    for (const source of ['msr cpsr_c, #0xda', 'cps #0x1a']) {
      const ran = runProgram(`${source}\nwfi`, { mode: 'mon', registers: { cpsr: CPSR.mon | CPSR.I } });
      expectUnpredictable(ran, CODE);
      expect(ran.machine.mode()).toBe('mon');
    }
  });

  it('msr cpsr_c in Hyp that keeps the mode is allowed', () => {
    const ran = runProgram('msr cpsr_c, #0xda\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp } });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('cpsr')).toBe(CPSR.hyp | CPSR.I | CPSR.F);
  });
});

describe('MRS and MSR on the SPSR', () => {
  it('read and write SPSR_svc by whole bytes', () => {
    const ran = runProgram('mrs r0, spsr\nmsr spsr_fsxc, r1\nmrs r2, spsr\nmsr spsr_c, r3\nmrs r4, spsr\nwfi', {
      registers: { spsr_svc: 0x1234_5678, r1: 0xa000_0010, r3: 0xffff_ff1f },
    });
    expect(ran.r('r0')).toBe(0x1234_5678);
    expect(ran.r('r2')).toBe(0xa000_0010);
    expect(ran.r('r4')).toBe(0xa000_001f);
    expect(ran.r('spsr_svc')).toBe(0xa000_001f);
    expect(ran.machine.mode()).toBe('svc');
  });

  it('in Hyp, SPSR means SPSR_hyp', () => {
    const ran = runProgram('msr spsr_fsxc, r1\nmrs r0, spsr\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp, r1: 0x6000_01d3, spsr_svc: 5 } });
    expect(ran.r('r0')).toBe(0x6000_01d3);
    expect(ran.r('spsr_hyp')).toBe(0x6000_01d3);
    expect(ran.r('spsr_svc')).toBe(5);
  });

  it('usr and sys have no SPSR: mrs/msr spsr there are UNPREDICTABLE, taken as UNDEFINED (or a stop)', () => {
    for (const [mode, cpsr] of [['usr', CPSR.usr], ['sys', CPSR.sys]] as const) {
      for (const source of ['mrs r0, spsr', 'msr spsr_fsxc, r0']) {
        const ran = runProgram(`${source}\nwfi`, { mode, registers: { cpsr, r0: 0x1234 } });
        if (ran.result.reason === 'unpredictable') expectUnpredictable(ran, CODE);
        else expectUndefined(ran, CODE, mode);
      }
    }
  });
});

describe('MRS and MSR (banked register) (ARM ARM B9.3.9, B9.3.10)', () => {
  it('ELR_hyp and SPSR_hyp from Hyp', () => {
    const ran = runProgram('mrs r0, elr_hyp\nmrs r1, spsr_hyp\nmsr elr_hyp, r2\nmsr spsr_hyp, r3\nwfi', {
      mode: 'hyp',
      registers: { cpsr: CPSR.hyp, elr_hyp: 0x1234, spsr_hyp: 0x1d3, r2: 0x8888, r3: 0x6000_0010 },
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r0')).toBe(0x1234);
    expect(ran.r('r1')).toBe(0x1d3);
    expect(ran.r('elr_hyp')).toBe(0x8888);
    expect(ran.r('spsr_hyp')).toBe(0x6000_0010);
  });

  it('ELR_hyp from svc is UNDEFINED, and the cause says why', () => {
    const ran = runProgram('mrs r0, elr_hyp\nwfi', { registers: { elr_hyp: 0x1234, r0: 7 } });
    expect(expectUndefined(ran, CODE, 'svc')).toMatch(/elr_hyp/i);
    expect(ran.r('r0')).toBe(7);
    const write = runProgram('msr elr_hyp, r0\nwfi', { registers: { elr_hyp: 0x1234, r0: 7 } });
    expectUndefined(write, CODE, 'svc');
    expect(write.r('elr_hyp')).toBe(0x1234);
  });

  it('sp_svc and lr_svc from Hyp', () => {
    const ran = runProgram('mrs r0, sp_svc\nmrs r1, lr_svc\nmsr sp_svc, r2\nmsr lr_svc, r3\nwfi', {
      mode: 'hyp',
      registers: { cpsr: CPSR.hyp, sp_svc: 0x9000, lr_svc: 0x9100, r2: 0x9200, r3: 0x9300, sp: 0xa000 },
    });
    expect(ran.r('r0')).toBe(0x9000);
    expect(ran.r('r1')).toBe(0x9100);
    expect(ran.r('sp')).toBe(0xa000);
    ran.machine.setMode('svc');
    expect(ran.r('sp')).toBe(0x9200);
    expect(ran.r('lr')).toBe(0x9300);
  });

  it('the usr registers from svc, and the fiq r8 from svc', () => {
    const ran = runProgram('mrs r0, sp_usr\nmrs r1, lr_usr\nmrs r2, r8_fiq\nmsr r9_fiq, r3\nwfi', {
      registers: { sp_usr: 0x7000, lr_usr: 0x7100, r8_fiq: 0xf8, r3: 0xf9, r9: 0x99 },
    });
    expect([ran.r('r0'), ran.r('r1'), ran.r('r2')]).toEqual([0x7000, 0x7100, 0xf8]);
    expect(ran.r('r9_fiq')).toBe(0xf9);
    expect(ran.r('r9')).toBe(0x99);
  });

  it('r8_usr from fiq reads the usr copy', () => {
    const ran = runProgram('mrs r0, r8_usr\nmsr r10_usr, r1\nwfi', {
      mode: 'fiq',
      registers: { cpsr: CPSR.fiq, r8: 0xf8, r1: 0x1010 },
      setup: (m) => {
        m.setMode('svc');
        m.setRegister('r8', 0x08n);
        m.setMode('fiq');
      },
    });
    expect(ran.r('r0')).toBe(0x08);
    ran.machine.setMode('svc');
    expect(ran.r('r10')).toBe(0x1010);
  });

  // The ARM ARM makes these UNPREDICTABLE; hyplay, like QEMU, takes them as UNDEFINED.
  const refused: [string, string, number, RegExp][] = [
    ['mrs r0, sp_svc', 'svc', CPSR.svc, /current mode/],
    ['mrs r0, spsr_svc', 'svc', CPSR.svc, /current mode/],
    ['mrs r0, r8_usr', 'svc', CPSR.svc, /current mode/],
    ['mrs r0, r8_fiq', 'fiq', CPSR.fiq, /current mode/],
    ['mrs r0, lr_usr', 'hyp', CPSR.hyp, /current mode/],
    ['mrs r0, sp_usr', 'sys', CPSR.sys, /current mode/],
    ['mrs r0, sp_hyp', 'hyp', CPSR.hyp, /Monitor/],
    ['mrs r0, sp_hyp', 'svc', CPSR.svc, /Monitor/],
    ['mrs r0, spsr_hyp', 'svc', CPSR.svc, /Hyp/],
    ['mrs r0, sp_mon', 'svc', CPSR.svc, /Monitor/],
    ['msr lr_svc, r0', 'svc', CPSR.svc, /current mode/],
  ];
  for (const [source, mode, cpsr, why] of refused) {
    it(`${source} in ${mode} is UNDEFINED`, () => {
      const ran = runProgram(`${source}\nwfi`, { mode, registers: { cpsr, r0: 0x5a5a, lr_svc: 0x1111 } });
      if (mode === 'hyp') {
        // An undefined instruction in Hyp is taken to Hyp.
        expect(ran.result.pc).toBe(HVBAR + 0x04 + 4);
        expect(ran.r('hsr') >>> 26).toBe(0);
      } else {
        expect(expectUndefined(ran, CODE, mode)).toMatch(why);
      }
      expect(ran.r('r0')).toBe(0x5a5a);
      // Nothing was written: in particular `msr lr_svc, r0` did not reach LR_svc.
      expect(ran.r('lr_svc')).toBe(0x1111);
    });
  }

  it('no banked register access from usr', () => {
    const ran = runProgram('mrs r0, sp_svc\nwfi', { mode: 'usr', registers: { cpsr: CPSR.usr, sp_svc: 0x9000, r0: 1 } });
    expectUndefined(ran, CODE, 'usr');
    expect(ran.r('r0')).toBe(1);
  });
});

describe('CPS (ARM ARM B9.3.2)', () => {
  it('cpsid and cpsie set and clear A, I and F', () => {
    const ran = runProgram('cpsid i\nmrs r0, cpsr\ncpsie if\nmrs r1, cpsr\ncpsid a\nmrs r2, cpsr\nwfi', { registers: { cpsr: CPSR.svc | CPSR.F } });
    expect(ran.r('r0')).toBe(CPSR.svc | CPSR.F | CPSR.I);
    expect(ran.r('r1')).toBe(CPSR.svc);
    expect(ran.r('r2')).toBe(CPSR.svc | CPSR.A);
  });

  it('cps #0x1f enters sys mode and switches the banked SP', () => {
    const ran = runProgram('cps #0x1f\nmov r0, sp\nwfi', { registers: { cpsr: CPSR.svc | CPSR.I, sp: 0x9000, sp_usr: 0x7000 } });
    expect(ran.machine.mode()).toBe('sys');
    expect(ran.r('r0')).toBe(0x7000);
    expect(ran.r('cpsr')).toBe(CPSR.sys | CPSR.I);
  });

  it('cps to Hyp is UNPREDICTABLE and changes nothing, masks included', () => {
    const ran = runProgram('cps #0x1a\nwfi', { registers: { cpsr: CPSR.svc } });
    expectUnpredictable(ran, CODE);
    expect(ran.r('cpsr')).toBe(CPSR.svc);
    const masked = runProgram('cpsid i, #0x1a\nwfi', { registers: { cpsr: CPSR.svc } });
    expectUnpredictable(masked, CODE);
    expect(masked.r('cpsr')).toBe(CPSR.svc);
  });

  it('cps out of Hyp is UNPREDICTABLE', () => {
    const ran = runProgram('cps #0x13\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp } });
    expectUnpredictable(ran, CODE);
    expect(ran.machine.mode()).toBe('hyp');
  });

  it('in usr, CPS is a NOP', () => {
    const ran = runProgram('cpsid if\ncps #0x13\ncpsie a, #0x1f\nmov r0, #1\nwfi', { mode: 'usr', registers: { cpsr: CPSR.usr | CPSR.A } });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r0')).toBe(1);
    expect(ran.r('cpsr')).toBe(CPSR.usr | CPSR.A);
    expect(exceptionEvents(ran.trace.events)).toHaveLength(0);
  });
});

describe('cp15 transfers (MRC, MCR, MRRC, MCRR)', () => {
  it('HVBAR write and read from Hyp, and the next Hyp exception uses it', () => {
    const ran = runProgram('mcr p15, 4, r0, c12, c0, 0\nmrc p15, 4, r1, c12, c0, 0\nhvc #0\nwfi', {
      mode: 'hyp',
      registers: { cpsr: CPSR.hyp, r0: 0x4000 },
      setup: (m) => m.memory.load(0x4000, new Uint8Array([0x03, 0xf0, 0x20, 0xe3, 0x03, 0xf0, 0x20, 0xe3, 0x03, 0xf0, 0x20, 0xe3])),
    });
    expect(ran.r('hvbar')).toBe(0x4000);
    expect(ran.r('r1')).toBe(0x4000);
    // HVC in Hyp: HVBAR + 0x08 (a wfi there).
    expect(ran.result.reason).toBe('wfi');
    expect(ran.result.pc).toBe(0x4000 + 0x08 + 4);
  });

  it('HVBAR from svc is UNDEFINED; the trace names hvbar and the register keeps its value', () => {
    for (const source of ['mcr p15, 4, r0, c12, c0, 0', 'mrc p15, 4, r0, c12, c0, 0']) {
      const ran = runProgram(`${source}\nwfi`, { registers: { r0: 0x4000 } });
      expect(expectUndefined(ran, CODE, 'svc')).toMatch(/hvbar/);
      expect(ran.r('hvbar')).toBe(HVBAR);
      expect(ran.r('r0')).toBe(0x4000);
    }
  });

  it('HCR written from Hyp takes effect after the return to svc (HCR.TWI traps a WFI)', () => {
    const ran = runProgram('mcr p15, 4, r0, c1, c1, 0\neret\nguest: nop\nwfi', {
      mode: 'hyp',
      registers: { cpsr: CPSR.hyp, r0: 1 << 13, spsr_hyp: CPSR.svc | CPSR.I, elr_hyp: CODE + 8 },
    });
    expect(ran.r('hcr')).toBe(1 << 13);
    expect(ran.result.pc).toBe(HVBAR + 0x14 + 4);
    expect(ran.r('hsr') >>> 26).toBe(0x01);
    expect(ran.r('elr_hyp')).toBe(CODE + 12);
  });

  it('an unknown system register is UNDEFINED and the trace says "unknown system register"', () => {
    const ran = runProgram('mrc p15, 0, r0, c9, c9, 0\nwfi', { registers: { r0: 3 } });
    const cause = expectUndefined(ran, CODE, 'svc');
    expect(cause).toMatch(/unknown system register/);
    expect(cause).toMatch(/c9, c9/);
    expect(ran.r('r0')).toBe(3);
    const formatted = ran.trace.lines().filter((line) => line.startsWith('-- exception'));
    expect(formatted).toHaveLength(1);
    expect(formatted[0]).toContain('unknown system register');
  });

  it('an unknown system register in Hyp goes to the Hyp undefined vector', () => {
    const ran = runProgram('mcr p15, 4, r0, c9, c9, 0\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp } });
    expect(ran.result.pc).toBe(HVBAR + 0x04 + 4);
    expect(exceptionEvents(ran.trace.events)[0]!.cause).toMatch(/unknown system register/);
  });

  it('VBAR from svc: write, read back, and the next PL1 exception uses it', () => {
    const ran = runProgram('mcr p15, 0, r0, c12, c0, 0\nmrc p15, 0, r1, c12, c0, 0\nsvc #0\nwfi', {
      registers: { r0: 0x5000 },
      setup: (m) => m.memory.load(0x5000, new Uint8Array(16).fill(0).map((_, i) => [0x03, 0xf0, 0x20, 0xe3][i % 4]!)),
    });
    expect(ran.r('r1')).toBe(0x5000);
    expect(ran.result.pc).toBe(0x5000 + 0x08 + 4);
    expect(ran.machine.mode()).toBe('svc');
  });

  it('PL1 registers are UNDEFINED from usr', () => {
    const ran = runProgram('mcr p15, 0, r0, c12, c0, 0\nwfi', { mode: 'usr', registers: { cpsr: CPSR.usr, r0: 0x5000 } });
    expect(expectUndefined(ran, CODE, 'usr')).toMatch(/vbar/);
    expect(ran.r('vbar')).toBe(VBAR);
  });

  it('the reserved c0 ID space (opc1 0: c2 opc2 6-7, c3-c7 any opc2) reads as zero from svc and Hyp (B3.17.2; QEMU target/arm/helper.c RAZ)', () => {
    const encodings = [
      [2, 6],
      [2, 7],
      ...[3, 4, 5, 6, 7].flatMap((crm) => [0, 1, 2, 3, 4, 5, 6, 7].map((opc2) => [crm, opc2])),
    ] as const;
    for (const [crm, opc2] of encodings) {
      for (const mode of ['svc', 'hyp'] as const) {
        const ran = runProgram(`mrc p15, 0, r0, c0, c${crm}, ${opc2}\nwfi`, { mode, registers: { cpsr: CPSR[mode], r0: 0xdead_beef } });
        expect(ran.result.reason, `c0, c${crm}, ${opc2} from ${mode}: ${ran.result.detail}`).toBe('wfi');
        expect(ran.r('r0'), `c0, c${crm}, ${opc2}`).toBe(0);
      }
    }
    // The allocated neighbours keep their values: ID_ISAR4 (c2, 4) and the MIDR.
    const ran = runProgram('mrc p15, 0, r0, c0, c2, 4\nmrc p15, 0, r1, c0, c2, 7\nmrc p15, 0, r2, c0, c0, 0\nwfi', { registers: { r1: 1 } });
    expect([ran.r('r0'), ran.r('r1'), ran.r('r2')]).toEqual([0x1001_1142, 0, 0x412f_c0f1]);
  });

  it('the reserved c0 ID space is UNDEFINED from usr and for MCR; outside it (CRm c8, opc1 1) stays unknown', () => {
    const usr = runProgram('mrc p15, 0, r0, c0, c2, 7\nwfi', { mode: 'usr', registers: { cpsr: CPSR.usr, r0: 5 } });
    expect(expectUndefined(usr, CODE, 'usr')).toMatch(/reserved ID register/);
    expect(usr.r('r0')).toBe(5);
    const write = runProgram('mcr p15, 0, r0, c0, c3, 4\nwfi', { registers: { r0: 5 } });
    expect(expectUndefined(write, CODE, 'svc')).toMatch(/reserved ID register/);
    for (const source of ['mrc p15, 0, r0, c0, c8, 0', 'mrc p15, 1, r0, c0, c3, 0']) {
      const ran = runProgram(`${source}\nwfi`, { registers: { r0: 5 } });
      expect(expectUndefined(ran, CODE, 'svc')).toMatch(/unknown system register/);
    }
  });

  it('MIDR reads its reset value; SCTLR reads and writes', () => {
    // SCTLR.M stays clear: with it set the next fetch would translate (and there are no tables here; see mmu-stage1.test.ts).
    const ran = runProgram('mrc p15, 0, r0, c0, c0, 0\nmrc p15, 0, r1, c1, c0, 0\nmcr p15, 0, r2, c1, c0, 0\nmrc p15, 0, r3, c1, c0, 0\nwfi', { registers: { r2: 0x00c5_0878 } });
    expect(ran.r('r0')).toBe(0x412f_c0f1);
    expect(ran.r('r1')).toBe(0x00c5_0078);
    expect(ran.r('r3')).toBe(0x00c5_0878);
    expect(ran.r('sctlr')).toBe(0x00c5_0878);
  });

  it('TPIDRURW is read/write from usr; TPIDRURO is read-only there', () => {
    const ran = runProgram('mcr p15, 0, r0, c13, c0, 2\nmrc p15, 0, r1, c13, c0, 2\nmrc p15, 0, r2, c13, c0, 3\nwfi', {
      mode: 'usr',
      registers: { cpsr: CPSR.usr, r0: 0xabcd, tpidruro: 0x1234 },
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.machine.mode()).toBe('usr');
    expect([ran.r('r1'), ran.r('r2')]).toEqual([0xabcd, 0x1234]);
    const write = runProgram('mcr p15, 0, r0, c13, c0, 3\nwfi', { mode: 'usr', registers: { cpsr: CPSR.usr, r0: 1, tpidruro: 0x1234 } });
    expectUndefined(write, CODE, 'usr');
    expect(write.r('tpidruro')).toBe(0x1234);
  });

  it('mrc to APSR_nzcv: UNPREDICTABLE for cp15 (ARM ARM B3.17), so either the QEMU behaviour (bits 31:28 to N, Z, C, V) or a stop', () => {
    const ran = runProgram('mrc p15, 0, apsr_nzcv, c13, c0, 2\nwfi', { registers: { cpsr: CPSR.svc, r0: 0, tpidrurw: 0xa000_0fff } });
    if (ran.result.reason === 'unpredictable') {
      expectUnpredictable(ran, CODE);
      expect(ran.r('cpsr')).toBe(CPSR.svc);
    } else {
      expect(ran.result.reason).toBe('wfi');
      expect(ran.r('cpsr')).toBe(u32(CPSR.N | CPSR.C | CPSR.svc));
    }
  });

  it('VTTBR is 64 bits wide through MCRR and MRRC in Hyp', () => {
    const ran = runProgram('mcrr p15, 6, r0, r1, c2\nmrrc p15, 6, r2, r3, c2\nwfi', {
      mode: 'hyp',
      registers: { cpsr: CPSR.hyp, r0: 0x8765_4000, r1: 0x00ab_00cd },
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.machine.register('vttbr')).toBe(0x00ab_00cd_8765_4000n);
    expect(ran.r('r2')).toBe(0x8765_4000);
    expect(ran.r('r3')).toBe(0x00ab_00cd);
  });

  it('setRegister on VTTBR takes 64 bits and MRRC sees both halves', () => {
    const ran = runProgram('mrrc p15, 6, r2, r3, c2\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp, vttbr: 0x0001_0002_0003_0004n } });
    expect(ran.r('r2')).toBe(0x0003_0004);
    expect(ran.r('r3')).toBe(0x0001_0002);
  });

  it('VTTBR from svc is UNDEFINED', () => {
    const ran = runProgram('mcrr p15, 6, r0, r1, c2\nwfi', { registers: { r0: 1, r1: 2 } });
    expect(expectUndefined(ran, CODE, 'svc')).toMatch(/vttbr/);
    expect(ran.machine.register('vttbr')).toBe(0n);
  });

  it('mrrc with Rt = Rt2 is UNPREDICTABLE', () => {
    const ran = runProgram('mrrc p15, 6, r2, r2, c2\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp, r2: 9 } });
    expectUnpredictable(ran, CODE);
    expect(ran.r('r2')).toBe(9);
  });

  it('an unknown 64-bit register is UNDEFINED', () => {
    const ran = runProgram('mrrc p15, 3, r0, r1, c9\nwfi');
    expect(expectUndefined(ran, CODE, 'svc')).toMatch(/unknown system register/);
  });
});
