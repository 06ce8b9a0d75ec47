/**
 * The arm32 exception model: entry to every vector and every way back
 * (ARM ARM DDI 0406C B1.8 "Exception handling", B1.9 "Exception
 * descriptions", B3.13.6 "Use of the HSR", B9.3.3 ERET, B9.3.20 SUBS PC, LR).
 *
 * The test vector tables hold `wfi` in every slot unless a test installs its
 * own handlers, so a run that takes an exception stops at vector + 4 in the
 * handler's mode.
 */

import { describe, expect, it } from 'vitest';
import { CODE, CPSR, DATA, exceptionEvents, HVBAR, load, MVBAR, runProgram, VBAR, type Arm32Machine, type Ran } from './machine-harness.ts';

const HCR_TWI = 1 << 13;
const HCR_TWE = 1 << 14;
const HCR_TSC = 1 << 19;
const SCTLR_V = 1 << 13;
const SCTLR_TE = 1 << 30;
const UNMAPPED = 0x0080_0000;

/** HSR fields. */
const ec = (hsr: number): number => hsr >>> 26;
const il = (hsr: number): number => (hsr >>> 25) & 1;

/**
 * Install a vector table at `base`: slot i runs `slots[i]` (a single
 * instruction, `wfi` when absent), followed by `handlers` (code the slots may
 * branch to by label).
 */
function vectors(machine: Arm32Machine, base: number, slots: Partial<Record<number, string>>, handlers = ''): void {
  const lines: string[] = [];
  for (let offset = 0; offset < 0x20; offset += 4) lines.push(slots[offset] ?? 'wfi');
  load(machine, `${lines.join('\n')}\n${handlers}`, base);
}

/** Expect the run to have stopped on the wfi in `vector`'s slot, in `mode`. */
function expectVector(ran: Ran, vector: number, mode: string): void {
  expect(ran.result.reason, ran.result.detail).toBe('wfi');
  expect(ran.result.pc, `stopped at 0x${ran.result.pc.toString(16)}`).toBe(vector + 4);
  expect(ran.machine.mode()).toBe(mode);
  expect(ran.r('cpsr') & 0x1f).toBe(CPSR[mode as keyof typeof CPSR]);
}

const u32 = (x: number): number => x >>> 0;

describe('exceptions taken to PL1 modes (ARM ARM B1.9)', () => {
  it('SVC from usr: svc mode at VBAR+0x08, LR = next, SPSR_svc = old CPSR, I masked', () => {
    const oldCpsr = u32(CPSR.usr | CPSR.Z | CPSR.C);
    const ran = runProgram('mov r0, #1\nsvc #0x42\nwfi', {
      mode: 'usr',
      registers: { cpsr: oldCpsr, sp: 0x7000, lr: 0x7100, sp_svc: 0x9000, lr_svc: 0x9100 },
    });
    expectVector(ran, VBAR + 0x08, 'svc');
    expect(ran.r('lr')).toBe(CODE + 8);
    expect(ran.r('spsr_svc')).toBe(oldCpsr);
    const cpsr = ran.r('cpsr');
    expect(cpsr & CPSR.I).toBe(CPSR.I);
    // A and F are not touched by an SVC; the flags stay as they were.
    expect(cpsr & (CPSR.A | CPSR.F)).toBe(0);
    expect(u32(cpsr & 0xf000_0000)).toBe(u32(CPSR.Z | CPSR.C));
    // Banked: the svc SP is now current; the usr SP and LR are kept.
    expect(ran.r('sp')).toBe(0x9000);
    expect(ran.r('sp_usr')).toBe(0x7000);
    expect(ran.r('lr_usr')).toBe(0x7100);
    expect(ran.r('r0')).toBe(1);
    const [event, ...rest] = exceptionEvents(ran.trace.events);
    expect(rest).toHaveLength(0);
    expect(event).toMatchObject({ exception: 'svc', from: 'usr', to: 'svc', vector: VBAR + 0x08, returnAddress: CODE + 8, syndrome: undefined });
  });

  it('an undefined instruction: und mode at VBAR+0x04, LR = address + 4, I masked', () => {
    const ran = runProgram('nop\nudf #7\nwfi', { registers: { cpsr: CPSR.svc | CPSR.N | CPSR.A } });
    expectVector(ran, VBAR + 0x04, 'und');
    expect(ran.r('lr')).toBe(CODE + 4 + 4);
    expect(ran.r('lr_und')).toBe(CODE + 8);
    expect(ran.r('spsr_und')).toBe(u32(CPSR.svc | CPSR.N | CPSR.A));
    expect(ran.r('cpsr') & (CPSR.I | CPSR.A | CPSR.F)).toBe(CPSR.I | CPSR.A);
    expect(exceptionEvents(ran.trace.events)[0]).toMatchObject({ exception: 'undefined', from: 'svc', to: 'und', vector: VBAR + 4, returnAddress: CODE + 8 });
  });

  it('an encoding the table does not know (a VFP instruction) is undefined too', () => {
    const ran = runProgram('.word 0xeee10a10\nwfi', { mode: 'usr', registers: { cpsr: CPSR.usr } });
    expectVector(ran, VBAR + 0x04, 'und');
    expect(ran.r('lr')).toBe(CODE + 4);
    expect(ran.r('spsr_und')).toBe(CPSR.usr);
  });

  it('a prefetch abort on a fetch from unmapped memory: abt at VBAR+0x0C, LR = address + 4, IFAR, IFSR', () => {
    const ran = runProgram('mov pc, r0', { registers: { r0: UNMAPPED, cpsr: CPSR.svc } });
    expectVector(ran, VBAR + 0x0c, 'abt');
    expect(ran.r('lr')).toBe(UNMAPPED + 4);
    expect(ran.r('ifar')).toBe(UNMAPPED);
    // Short-descriptor IFSR: FS = 0b01000, synchronous external abort.
    expect(ran.r('ifsr')).toBe(0x8);
    expect(ran.r('spsr_abt')).toBe(CPSR.svc);
    expect(ran.r('cpsr') & (CPSR.I | CPSR.A | CPSR.F)).toBe(CPSR.I | CPSR.A);
    expect(ran.r('dfar')).toBe(0);
    expect(exceptionEvents(ran.trace.events)[0]).toMatchObject({ exception: 'prefetch-abort', to: 'abt', vector: VBAR + 0x0c, returnAddress: UNMAPPED + 4 });
  });

  it('a data abort: abt at VBAR+0x10, LR = address + 8, DFAR', () => {
    const ran = runProgram('str r0, [r1]\nwfi', { registers: { r1: UNMAPPED + 0x20, cpsr: CPSR.svc } });
    expectVector(ran, VBAR + 0x10, 'abt');
    expect(ran.r('lr')).toBe(CODE + 8);
    expect(ran.r('dfar')).toBe(UNMAPPED + 0x20);
    expect(ran.r('dfsr')).toBe(0x808);
    expect(ran.r('ifar')).toBe(0);
  });

  it('BKPT is a prefetch abort (a debug event, ARM ARM C4.3): abt at VBAR+0x0C, LR = address + 4, IFSR = debug', () => {
    const ran = runProgram('nop\nbkpt #3\nwfi', { registers: { cpsr: CPSR.svc } });
    expectVector(ran, VBAR + 0x0c, 'abt');
    expect(ran.r('lr')).toBe(CODE + 8);
    expect(ran.r('ifsr')).toBe(0x2);
  });

  it('HVC in usr mode is UNDEFINED (ARM ARM B9.3.4): und mode, not Hyp', () => {
    const ran = runProgram('hvc #1\nwfi', { mode: 'usr', registers: { cpsr: CPSR.usr } });
    expectVector(ran, VBAR + 0x04, 'und');
    expect(ran.r('lr')).toBe(CODE + 4);
    expect(ran.r('hsr')).toBe(0);
    expect(ran.r('elr_hyp')).toBe(0);
  });

  it('SMC in usr mode is UNDEFINED', () => {
    const ran = runProgram('smc #0\nwfi', { mode: 'usr', registers: { cpsr: CPSR.usr } });
    expectVector(ran, VBAR + 0x04, 'und');
  });

  it('SMC without HCR.TSC: mon mode at MVBAR+0x08, LR_mon = next, A/I/F masked', () => {
    const ran = runProgram('smc #0\nwfi', { registers: { cpsr: CPSR.svc } });
    expectVector(ran, MVBAR + 0x08, 'mon');
    expect(ran.r('lr')).toBe(CODE + 4);
    expect(ran.r('spsr_mon')).toBe(CPSR.svc);
    expect(ran.r('cpsr') & (CPSR.I | CPSR.A | CPSR.F)).toBe(CPSR.I | CPSR.A | CPSR.F);
  });

  it('high vectors: SCTLR.V moves the PL1 table to 0xFFFF0000 and VBAR is ignored', () => {
    const ran = runProgram('svc #0\nwfi', {
      registers: { cpsr: CPSR.svc },
      setup: (m) => {
        vectors(m, 0xffff_0000, {});
        m.setRegister('sctlr', m.register('sctlr') | BigInt(SCTLR_V));
      },
    });
    expectVector(ran, 0xffff_0008, 'svc');
    const undef = runProgram('udf #0', {
      setup: (m) => {
        vectors(m, 0xffff_0000, {});
        m.setRegister('sctlr', m.register('sctlr') | BigInt(SCTLR_V));
      },
    });
    expectVector(undef, 0xffff_0004, 'und');
  });

  it('high vectors do not move the Hyp table', () => {
    const ran = runProgram('hvc #0\nwfi', {
      setup: (m) => m.setRegister('sctlr', m.register('sctlr') | BigInt(SCTLR_V)),
    });
    expectVector(ran, HVBAR + 0x14, 'hyp');
  });

  it('SCTLR.TE would take the exception in Thumb state: thumb-unsupported', () => {
    const ran = runProgram('svc #0\nwfi', { setup: (m) => m.setRegister('sctlr', m.register('sctlr') | BigInt(SCTLR_TE)) });
    expect(ran.result.reason).toBe('thumb-unsupported');
    expect(ran.result.pc).toBe(VBAR + 8);
  });
});

describe('exceptions taken to Hyp mode (ARM ARM B1.8.4, B3.13.6)', () => {
  it('HVC from svc: Hyp trap at HVBAR+0x14, HSR = 0x4A000000 | imm16, ELR_hyp = next, SPSR_hyp = old CPSR, A/I/F masked', () => {
    const oldCpsr = u32(CPSR.svc | CPSR.N | CPSR.V);
    const ran = runProgram('mov r0, #1\nhvc #0x1234\nwfi', {
      registers: { cpsr: oldCpsr, sp: 0x9000, lr: 0x9100, sp_usr: 0x7000, lr_usr: 0x7100, sp_hyp: 0xa000 },
    });
    expectVector(ran, HVBAR + 0x14, 'hyp');
    expect(ran.r('hsr')).toBe(0x4a00_1234);
    expect(ec(ran.r('hsr'))).toBe(0x12);
    expect(il(ran.r('hsr'))).toBe(1);
    expect(ran.r('elr_hyp')).toBe(CODE + 8);
    expect(ran.r('spsr_hyp')).toBe(oldCpsr);
    const cpsr = ran.r('cpsr');
    expect(cpsr & (CPSR.A | CPSR.I | CPSR.F)).toBe(CPSR.A | CPSR.I | CPSR.F);
    expect(u32(cpsr & 0xf000_0000)).toBe(u32(CPSR.N | CPSR.V));
    // Hyp has its own SP but no banked LR: lr in Hyp is LR_usr, and LR_svc is untouched.
    expect(ran.r('sp')).toBe(0xa000);
    expect(ran.r('lr')).toBe(0x7100);
    expect(ran.r('lr_svc')).toBe(0x9100);
    expect(ran.r('sp_svc')).toBe(0x9000);
    expect(exceptionEvents(ran.trace.events)[0]).toMatchObject({ exception: 'hyp-trap', from: 'svc', to: 'hyp', vector: HVBAR + 0x14, returnAddress: CODE + 8, syndrome: 0x4a00_1234 });
  });

  it('HVC #0xffff keeps all sixteen immediate bits', () => {
    const ran = runProgram('hvc #0xffff\nwfi');
    expect(ran.r('hsr')).toBe(0x4a00_ffff);
  });

  it('HVC executed in Hyp: HVBAR+0x08, EC 0x12', () => {
    const ran = runProgram('hvc #5\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp } });
    expectVector(ran, HVBAR + 0x08, 'hyp');
    expect(ran.r('hsr')).toBe(0x4a00_0005);
    expect(ran.r('elr_hyp')).toBe(CODE + 4);
    expect(ran.r('spsr_hyp')).toBe(CPSR.hyp);
    expect(exceptionEvents(ran.trace.events)[0]).toMatchObject({ from: 'hyp', to: 'hyp', vector: HVBAR + 8 });
  });

  it('SVC executed in Hyp: HVBAR+0x08, EC 0x11, HSR = 0x46000000 | imm16', () => {
    const ran = runProgram('svc #0x12345\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp } });
    expectVector(ran, HVBAR + 0x08, 'hyp');
    expect(ec(ran.r('hsr'))).toBe(0x11);
    expect(ran.r('hsr')).toBe(0x4600_2345);
    expect(ran.r('elr_hyp')).toBe(CODE + 4);
    expect(ran.r('lr_svc')).toBe(0);
    expect(ran.r('spsr_svc')).toBe(0);
  });

  it('an undefined instruction in Hyp: HVBAR+0x04, EC 0, ELR_hyp = the instruction', () => {
    const ran = runProgram('nop\nudf #1\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp } });
    expectVector(ran, HVBAR + 0x04, 'hyp');
    expect(ec(ran.r('hsr'))).toBe(0);
    expect(ran.r('elr_hyp')).toBe(CODE + 4);
    expect(ran.r('lr_und')).toBe(0);
  });

  it('a prefetch abort in Hyp: HVBAR+0x0C, EC 0x21, HIFAR', () => {
    const ran = runProgram('mov pc, r0', { mode: 'hyp', registers: { cpsr: CPSR.hyp, r0: UNMAPPED } });
    expectVector(ran, HVBAR + 0x0c, 'hyp');
    expect(ec(ran.r('hsr'))).toBe(0x21);
    expect(ran.r('hifar')).toBe(UNMAPPED);
    expect(ran.r('elr_hyp')).toBe(UNMAPPED);
    expect(ran.r('ifar')).toBe(0);
  });

  it('a data abort in Hyp: HVBAR+0x10, EC 0x25, HDFAR, WnR in ISS bit 6', () => {
    const read = runProgram('nop\nldr r0, [r1]\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp, r1: UNMAPPED + 4 } });
    expectVector(read, HVBAR + 0x10, 'hyp');
    expect(ec(read.r('hsr'))).toBe(0x25);
    expect(read.r('hsr') & (1 << 6)).toBe(0);
    expect(read.r('hdfar')).toBe(UNMAPPED + 4);
    expect(read.r('elr_hyp')).toBe(CODE + 4);
    expect(read.r('dfar')).toBe(0);
    const write = runProgram('str r0, [r1]\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp, r1: UNMAPPED + 8 } });
    expectVector(write, HVBAR + 0x10, 'hyp');
    expect(write.r('hsr') & (1 << 6)).toBe(1 << 6);
    expect(write.r('hdfar')).toBe(UNMAPPED + 8);
  });

  it('BKPT in Hyp: HVBAR+0x0C, EC 0x21', () => {
    const ran = runProgram('bkpt #0\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp } });
    expectVector(ran, HVBAR + 0x0c, 'hyp');
    expect(ec(ran.r('hsr'))).toBe(0x21);
    expect(ran.r('elr_hyp')).toBe(CODE);
  });

  it('SMC with HCR.TSC from svc: Hyp trap, EC 0x13, ELR_hyp = the SMC itself', () => {
    const ran = runProgram('nop\nsmc #0\nwfi', { registers: { cpsr: CPSR.svc, hcr: HCR_TSC } });
    expectVector(ran, HVBAR + 0x14, 'hyp');
    expect(ran.r('hsr')).toBe(0x4e00_0000);
    expect(ran.r('elr_hyp')).toBe(CODE + 4);
    expect(ran.r('spsr_hyp')).toBe(CPSR.svc);
    expect(ran.r('lr_mon')).toBe(0);
  });

  it('WFI with HCR.TWI from svc: Hyp trap, EC 0x01, ELR_hyp = the WFI', () => {
    const ran = runProgram('nop\nwfi', { registers: { cpsr: CPSR.svc, hcr: HCR_TWI } });
    expectVector(ran, HVBAR + 0x14, 'hyp');
    const hsr = ran.r('hsr');
    expect(ec(hsr)).toBe(0x01);
    // ISS: CV = 1, COND = 0b1110, TI = 0 (WFI).
    expect(hsr & 0x1ff_ffff).toBe((1 << 24) | (0xe << 20));
    expect(ran.r('elr_hyp')).toBe(CODE + 4);
  });

  it('WFI with HCR.TWI from usr traps too; WFE with HCR.TWE sets TI', () => {
    const user = runProgram('wfi', { mode: 'usr', registers: { cpsr: CPSR.usr, hcr: HCR_TWI } });
    expectVector(user, HVBAR + 0x14, 'hyp');
    expect(user.r('spsr_hyp')).toBe(CPSR.usr);
    const wfe = runProgram('wfe\nwfi', { registers: { cpsr: CPSR.svc, hcr: HCR_TWE } });
    expectVector(wfe, HVBAR + 0x14, 'hyp');
    expect(wfe.r('hsr') & 1).toBe(1);
    expect(ec(wfe.r('hsr'))).toBe(0x01);
  });

  it('WFI in Hyp is not trapped by HCR.TWI, and WFE without TWE just retires', () => {
    const hyp = runProgram('wfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp, hcr: HCR_TWI } });
    expect(hyp.result.reason).toBe('wfi');
    expect(hyp.result.pc).toBe(CODE + 4);
    expect(exceptionEvents(hyp.trace.events)).toHaveLength(0);
    const wfe = runProgram('wfe\nmov r0, #1\nwfi');
    expect(wfe.result.reason).toBe('wfi');
    expect(wfe.r('r0')).toBe(1);
  });

  it('HSCTLR.TE would take the Hyp exception in Thumb state: thumb-unsupported', () => {
    const ran = runProgram('hvc #0', { setup: (m) => m.setRegister('hsctlr', m.register('hsctlr') | BigInt(SCTLR_TE)) });
    expect(ran.result.reason).toBe('thumb-unsupported');
    expect(ran.machine.mode()).toBe('hyp');
  });
});

describe('exception return', () => {
  it('ERET from Hyp returns to ELR_hyp with CPSR = SPSR_hyp, and the banked SP switches back', () => {
    const oldCpsr = u32(CPSR.svc | CPSR.Z);
    const ran = runProgram('hvc #0\nmov r0, sp\nwfi', {
      registers: { cpsr: oldCpsr, sp: 0x9000, sp_hyp: 0xa000 },
      setup: (m) => vectors(m, HVBAR, { 0x14: 'b handler' }, 'handler: mov r1, sp\nmsr cpsr_f, #0x80000000\neret'),
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.result.pc).toBe(CODE + 12);
    expect(ran.machine.mode()).toBe('svc');
    expect(ran.r('cpsr')).toBe(oldCpsr);
    expect(ran.r('r1')).toBe(0xa000);
    expect(ran.r('r0')).toBe(0x9000);
    expect(ran.r('sp_hyp')).toBe(0xa000);
    const returns = ran.trace.events.filter((e) => e.kind === 'return');
    expect(returns).toEqual([{ kind: 'return', instruction: 'eret', from: 'hyp', to: 'svc', target: CODE + 4 }]);
  });

  it('ERET from Hyp to Hyp (HVC in Hyp) stays in Hyp', () => {
    const ran = runProgram('hvc #0\nmov r0, #2\nwfi', {
      mode: 'hyp',
      registers: { cpsr: CPSR.hyp },
      setup: (m) => vectors(m, HVBAR, { 0x08: 'eret' }),
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.result.pc).toBe(CODE + 12);
    expect(ran.machine.mode()).toBe('hyp');
    expect(ran.r('r0')).toBe(2);
  });

  it('ERET in svc behaves as subs pc, lr, #0: CPSR = SPSR_svc, PC = LR', () => {
    const ran = runProgram('svc #0\nmov r0, sp\nwfi', {
      mode: 'usr',
      registers: { cpsr: CPSR.usr, sp: 0x7000, sp_svc: 0x9000 },
      setup: (m) => vectors(m, VBAR, { 0x08: 'eret' }),
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.result.pc).toBe(CODE + 12);
    expect(ran.machine.mode()).toBe('usr');
    expect(ran.r('cpsr')).toBe(CPSR.usr);
    expect(ran.r('r0')).toBe(0x7000);
    expect(ran.trace.events.filter((e) => e.kind === 'return')).toEqual([{ kind: 'return', instruction: 'eret', from: 'svc', to: 'usr', target: CODE + 4 }]);
  });

  it('subs pc, lr, #4 from abt returns past a faulting load', () => {
    const ran = runProgram('ldr r0, [r1]\nmov r2, #2\nwfi', {
      registers: { cpsr: u32(CPSR.svc | CPSR.C), r1: UNMAPPED, r0: 9 },
      setup: (m) => vectors(m, VBAR, { 0x10: 'subs pc, lr, #4' }),
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.result.pc).toBe(CODE + 12);
    expect(ran.machine.mode()).toBe('svc');
    // Flags come back from SPSR_abt, not from the subtraction.
    expect(ran.r('cpsr')).toBe(u32(CPSR.svc | CPSR.C));
    expect(ran.r('r0')).toBe(9);
    expect(ran.r('r2')).toBe(2);
  });

  it('subs pc, lr, #8 from abt retries the faulting instruction', () => {
    const ran = runProgram('ldr r0, [r1]\nwfi', {
      registers: { r1: DATA + 0x1000 },
      setup: (m) => vectors(m, VBAR, { 0x10: 'b handler' }, 'handler: mov r1, #0x10000\nsubs pc, lr, #8'),
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.machine.mode()).toBe('svc');
    expect(ran.r('r1')).toBe(0x10000);
  });

  it('movs pc, lr from und returns past an undefined instruction', () => {
    const ran = runProgram('udf #0\nmov r0, #3\nwfi', {
      mode: 'usr',
      registers: { cpsr: CPSR.usr },
      setup: (m) => vectors(m, VBAR, { 0x04: 'movs pc, lr' }),
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.machine.mode()).toBe('usr');
    expect(ran.r('r0')).toBe(3);
    expect(ran.trace.events.filter((e) => e.kind === 'return')).toMatchObject([{ from: 'und', to: 'usr', target: CODE + 4 }]);
  });

  it('ERET in usr is UNDEFINED', () => {
    const ran = runProgram('eret\nwfi', { mode: 'usr', registers: { cpsr: CPSR.usr } });
    expectVector(ran, VBAR + 0x04, 'und');
    expect(ran.r('lr')).toBe(CODE + 4);
  });

  it('subs pc, lr in Hyp is UNDEFINED (ARM ARM B9.3.20): HVBAR+0x04', () => {
    const ran = runProgram('subs pc, lr, #4\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp, lr: 0x4000 } });
    expectVector(ran, HVBAR + 0x04, 'hyp');
    expect(ec(ran.r('hsr'))).toBe(0);
    expect(ran.r('elr_hyp')).toBe(CODE);
  });

  it('movs pc, lr in usr is UNDEFINED', () => {
    const ran = runProgram('movs pc, lr\nwfi', { mode: 'usr', registers: { cpsr: CPSR.usr, lr: 0x4000 } });
    expectVector(ran, VBAR + 0x04, 'und');
  });

  it('ERET whose SPSR has the T bit stops with thumb-unsupported', () => {
    const ran = runProgram('eret', { registers: { cpsr: CPSR.svc, spsr_svc: CPSR.usr | CPSR.T, lr: 0x4000 } });
    expect(ran.result.reason).toBe('thumb-unsupported');
  });

  it('an exception return to ARM state word-aligns the target (BranchWritePC): an odd address does not mean Thumb', () => {
    for (const lr of [CODE + 9, CODE + 10, CODE + 11]) {
      const ran = runProgram('eret\nwfi\nmov r0, #1\nwfi', { registers: { cpsr: CPSR.svc, spsr_svc: CPSR.usr, lr } });
      expect(ran.result.reason, `lr = 0x${lr.toString(16)}`).toBe('wfi');
      expect(ran.result.pc).toBe(CODE + 16);
      expect(ran.machine.mode()).toBe('usr');
      expect(ran.r('r0')).toBe(1);
    }
    const hyp = runProgram('eret\nwfi\nmov r0, #1\nwfi', { mode: 'hyp', registers: { cpsr: CPSR.hyp, spsr_hyp: CPSR.svc, elr_hyp: CODE + 9 } });
    expect(hyp.result.pc).toBe(CODE + 16);
    expect(hyp.r('r0')).toBe(1);
  });

  it('ERET with SPSR.T stops at the halfword-aligned Thumb target', () => {
    const ran = runProgram('eret', { registers: { cpsr: CPSR.svc, spsr_svc: CPSR.usr | CPSR.T, lr: 0x4003 } });
    expect(ran.result.reason).toBe('thumb-unsupported');
    expect(ran.result.pc).toBe(0x4002);
    expect(ran.machine.mode()).toBe('usr');
  });

  it('ERET to Hyp from svc is UNPREDICTABLE and leaves the state alone', () => {
    const ran = runProgram('nop\neret', { registers: { cpsr: CPSR.svc, spsr_svc: CPSR.hyp, lr: 0x4000 } });
    expect(ran.result.reason).toBe('unpredictable');
    expect(ran.result.pc).toBe(CODE + 4);
    expect(ran.machine.mode()).toBe('svc');
  });

  it('an exception return from Monitor mode may enter Hyp (how Secure firmware drops a kernel into Non-secure Hyp)', () => {
    // CPSRWriteByInstr (ARM ARM B1.3.3) only forbids entering Hyp from a Non-secure PL1 mode; Monitor
    // mode is Secure, and SCR.NS is taken as 1 (hyplay models the Non-secure world).
    for (const source of ['movs pc, lr', 'eret']) {
      const ran = runProgram(`${source}\nwfi\nkernel: mov r0, sp\nwfi`, {
        mode: 'mon',
        registers: { cpsr: CPSR.mon | CPSR.A | CPSR.I | CPSR.F, spsr_mon: CPSR.hyp | CPSR.A | CPSR.I | CPSR.F, lr: CODE + 8, sp_hyp: 0xa000, elr_hyp: 0x4444 },
      });
      expect(ran.result.reason, source).toBe('wfi');
      expect(ran.result.pc).toBe(CODE + 16);
      expect(ran.machine.mode()).toBe('hyp');
      expect(ran.r('r0')).toBe(0xa000);
      expect(ran.r('cpsr')).toBe(CPSR.hyp | CPSR.A | CPSR.I | CPSR.F);
      // The return address came from LR_mon, not ELR_hyp.
      expect(ran.r('elr_hyp')).toBe(0x4444);
      expect(ran.trace.events.filter((e) => e.kind === 'return')).toMatchObject([{ from: 'mon', to: 'hyp', target: CODE + 8 }]);
    }
  });

  it('SMC to Monitor and an exception return back to svc', () => {
    const ran = runProgram('smc #0\nmov r0, #1\nwfi', {
      registers: { cpsr: CPSR.svc | CPSR.Z },
      setup: (m) => vectors(m, MVBAR, { 0x08: 'movs pc, lr' }),
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.machine.mode()).toBe('svc');
    expect(ran.r('r0')).toBe(1);
    expect(ran.r('cpsr')).toBe(CPSR.svc | CPSR.Z);
  });

  it('an exception return into Monitor mode from a Non-secure mode is UNPREDICTABLE', () => {
    for (const [mode, cpsr, spsr] of [['svc', CPSR.svc, 'spsr_svc'], ['hyp', CPSR.hyp, 'spsr_hyp'], ['abt', CPSR.abt, 'spsr_abt']] as const) {
      const ran = runProgram('eret\nwfi', { mode, registers: { cpsr, [spsr]: CPSR.mon, lr: 0x4000, elr_hyp: 0x4000 } });
      expect(ran.result.reason, mode).toBe('unpredictable');
      expect(ran.result.pc).toBe(CODE);
      expect(ran.machine.mode()).toBe(mode);
    }
  });

  it('ERET to a mode number that is not a mode is UNPREDICTABLE', () => {
    const ran = runProgram('eret', { registers: { cpsr: CPSR.svc, spsr_svc: 0x15, lr: 0x4000 } });
    expect(ran.result.reason).toBe('unpredictable');
    expect(ran.machine.mode()).toBe('svc');
  });

  it('ERET in sys mode (no SPSR) is UNPREDICTABLE: either stops unpredictable or is taken as UNDEFINED', () => {
    const ran = runProgram('eret\nwfi', { mode: 'sys', registers: { cpsr: CPSR.sys, lr: 0x4000 } });
    if (ran.result.reason === 'unpredictable') {
      expect(ran.result.pc).toBe(CODE);
      expect(ran.machine.mode()).toBe('sys');
    } else {
      expectVector(ran, VBAR + 0x04, 'und');
      expect(ran.r('spsr_und')).toBe(CPSR.sys);
    }
  });

  it('subs pc, lr in sys mode is likewise unpredictable or UNDEFINED, never a return', () => {
    const ran = runProgram('subs pc, lr, #0\nwfi', { mode: 'sys', registers: { cpsr: CPSR.sys, lr: 0x4000 } });
    if (ran.result.reason === 'unpredictable') expect(ran.result.pc).toBe(CODE);
    else expectVector(ran, VBAR + 0x04, 'und');
  });

  it('conditional ERET and SUBS PC, LR only return when the condition passes', () => {
    const ran = runProgram('cmp r0, #1\neretne\nsubsne pc, lr, #0\nmov r1, #1\nwfi', { registers: { cpsr: CPSR.svc, r0: 1, spsr_svc: CPSR.usr, lr: 0x4000 } });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.machine.mode()).toBe('svc');
    expect(ran.r('r1')).toBe(1);
  });
});

describe('faults while taking an exception', () => {
  it('an unmapped vector ends the run with recursive-fault at the vector', () => {
    const ran = runProgram('svc #0\nwfi', { registers: { vbar: UNMAPPED } });
    expect(ran.result.reason).toBe('recursive-fault');
    expect(ran.result.pc).toBe(UNMAPPED + 8);
  });

  it('an unmapped Hyp vector too', () => {
    const ran = runProgram('hvc #0\nwfi', { registers: { hvbar: UNMAPPED } });
    expect(ran.result.reason).toBe('recursive-fault');
    expect(ran.result.pc).toBe(UNMAPPED + 0x14);
  });

  it('a branch to an unmapped address inside another (unused) vector table is an ordinary prefetch abort', () => {
    // HVBAR is left at 0 (nothing mapped there) and the guest, in svc, jumps to 0x10: that fetch
    // faults like any other, and the PL1 prefetch abort vector is mapped.
    const ran = runProgram('mov pc, #0x10', { registers: { hvbar: 0, cpsr: CPSR.svc } });
    expectVector(ran, VBAR + 0x0c, 'abt');
    expect(ran.r('ifar')).toBe(0x10);
    expect(ran.r('lr')).toBe(0x14);
  });

  it('an unmapped vector is reported even when the table base is 0', () => {
    const ran = runProgram('svc #0\nwfi', { registers: { vbar: 0 } });
    expect(ran.result.reason).toBe('recursive-fault');
    expect(ran.result.pc).toBe(0x08);
    expect(ran.machine.mode()).toBe('svc');
    expect(ran.r('lr')).toBe(CODE + 4);
  });

  it('a prefetch abort whose own vector is unmapped is recursive too', () => {
    const ran = runProgram('mov pc, r0', { registers: { r0: 0x0060_0000, vbar: UNMAPPED } });
    expect(ran.result.reason).toBe('recursive-fault');
    expect(ran.result.pc).toBe(UNMAPPED + 0x0c);
  });
});

describe('banked registers across mode switches (ARM ARM B1.3.2)', () => {
  it('every mode keeps its own SP, LR and SPSR', () => {
    const ran = runProgram('wfi', {
      setup: (m) => {
        const modes = ['usr', 'fiq', 'irq', 'svc', 'abt', 'und', 'mon', 'hyp'];
        modes.forEach((mode, i) => {
          m.setRegister(`sp_${mode}`, BigInt(0x1000 * (i + 1)));
          if (mode !== 'hyp') m.setRegister(`lr_${mode}`, BigInt(0x100 * (i + 1)));
          if (mode !== 'usr') m.setRegister(`spsr_${mode}`, BigInt(0x10 * (i + 1)));
        });
      },
    });
    const m = ran.machine;
    const modes = ['usr', 'fiq', 'irq', 'svc', 'abt', 'und', 'mon', 'hyp', 'sys'];
    for (const mode of modes) {
      m.setMode(mode);
      const i = mode === 'sys' ? 0 : modes.indexOf(mode);
      expect(Number(m.register('sp')), `sp in ${mode}`).toBe(0x1000 * (i + 1));
      // Hyp has no LR of its own: it sees LR_usr.
      expect(Number(m.register('lr')), `lr in ${mode}`).toBe(mode === 'hyp' ? 0x100 : 0x100 * (i + 1));
    }
    m.setMode('svc');
    for (const [i, mode] of modes.slice(0, 8).entries()) {
      expect(Number(m.register(`sp_${mode}`))).toBe(0x1000 * (i + 1));
      if (mode !== 'usr') expect(Number(m.register(`spsr_${mode}`))).toBe(0x10 * (i + 1));
    }
  });

  it('the register view names r13, r14 and r15 as aliases of sp, lr and pc, for reading as for writing', () => {
    const ran = runProgram('wfi', { registers: { r13: 0x1300, r14: 0x1400 } });
    const m = ran.machine;
    expect(m.register('sp')).toBe(0x1300n);
    expect(m.register('r13')).toBe(0x1300n);
    expect(m.register('lr')).toBe(0x1400n);
    expect(m.register('r14')).toBe(0x1400n);
    expect(m.register('r15')).toBe(BigInt(CODE + 4));
    expect(() => m.register('lr_hyp')).toThrow(/unknown register/);
    expect(() => m.setRegister('lr_hyp', 1n)).toThrow(/unknown register/);
  });

  it('fiq banks r8–r12; the other modes share them', () => {
    const ran = runProgram('wfi', {
      mode: 'fiq',
      registers: { r7: 0x77, r8: 0xf8, r9: 0xf9, r10: 0xfa, r11: 0xfb, r12: 0xfc },
      setup: (m) => {
        m.setMode('usr');
        for (let i = 8; i <= 12; i++) m.setRegister(`r${i}`, BigInt(i));
        m.setMode('svc');
      },
    });
    const m = ran.machine;
    expect([8, 9, 10, 11, 12].map((i) => Number(m.register(`r${i}`)))).toEqual([8, 9, 10, 11, 12]);
    expect([8, 9, 10, 11, 12].map((i) => Number(m.register(`r${i}_fiq`)))).toEqual([0xf8, 0xf9, 0xfa, 0xfb, 0xfc]);
    expect(Number(m.register('r7'))).toBe(0x77);
    m.setMode('fiq');
    expect([8, 9, 10, 11, 12].map((i) => Number(m.register(`r${i}`)))).toEqual([0xf8, 0xf9, 0xfa, 0xfb, 0xfc]);
    expect(Number(m.register('r7'))).toBe(0x77);
    m.setMode('abt');
    expect(Number(m.register('r12'))).toBe(12);
  });

  it('an exception taken from fiq sees the usr r8–r12, and returning restores the fiq ones', () => {
    const ran = runProgram('svc #0\nmov r1, r8\nmov r2, r12\nwfi', {
      mode: 'usr',
      registers: { r8: 0x08, r12: 0x0c },
      setup: (m) => {
        m.setMode('fiq');
        m.setRegister('r8', 0xf8n);
        m.setRegister('r12', 0xfcn);
        m.setRegister('cpsr', BigInt(CPSR.fiq | CPSR.F));
        vectors(m, VBAR, { 0x08: 'b handler' }, 'handler: mov r3, r8\nmov r4, r12\neret');
      },
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.machine.mode()).toBe('fiq');
    expect(ran.r('r3')).toBe(0x08);
    expect(ran.r('r4')).toBe(0x0c);
    expect(ran.r('r1')).toBe(0xf8);
    expect(ran.r('r2')).toBe(0xfc);
    expect(ran.r('r8_fiq')).toBe(0xf8);
  });

  it('guest mode switches with cps keep the banks apart', () => {
    const ran = runProgram(['mov sp, #0x100', 'mov r8, #1', 'cps #0x11', 'mov sp, #0x200', 'mov r8, #2', 'cps #0x17', 'mov sp, #0x300', 'mov r0, r8', 'cps #0x13', 'mov r1, sp', 'wfi'].join('\n'));
    expect(ran.result.reason).toBe('wfi');
    expect(ran.r('r0')).toBe(1);
    expect(ran.r('r1')).toBe(0x100);
    expect(ran.r('sp_fiq')).toBe(0x200);
    expect(ran.r('sp_abt')).toBe(0x300);
    expect(ran.r('r8_fiq')).toBe(2);
    expect(ran.r('r8')).toBe(1);
  });

  it('taking an exception from usr and returning preserves LR_usr and SP_usr', () => {
    const clean = runProgram('mov lr, #0x44\nmov sp, #0x55\nsvc #0\nmov r0, lr\nmov r1, sp\nwfi', {
      mode: 'usr',
      registers: { cpsr: CPSR.usr },
      setup: (m) => vectors(m, VBAR, { 0x08: 'b handler' }, 'handler: mov r2, lr\nmov sp, #0x66\nmovs pc, lr'),
    });
    expect(clean.result.reason).toBe('wfi');
    expect(clean.machine.mode()).toBe('usr');
    expect(clean.r('r0')).toBe(0x44);
    expect(clean.r('r1')).toBe(0x55);
    expect(clean.r('r2')).toBe(CODE + 12);
    expect(clean.r('sp_svc')).toBe(0x66);
    expect(clean.r('lr_svc')).toBe(CODE + 12);
  });
});

describe('exception vectors and returns at high addresses', () => {
  it('HVBAR and VBAR in the top half; ERET back to code there', () => {
    const HIGH_CODE = 0x8000_8000;
    const ran = runProgram('hvc #1\nsvc #2\nmov r0, #3\nwfi', {
      base: HIGH_CODE,
      registers: { hvbar: 0xa000_0000, vbar: 0xb000_0000 },
      setup: (m) => {
        vectors(m, 0xa000_0000, { 0x14: 'eret' });
        vectors(m, 0xb000_0000, { 0x08: 'movs pc, lr' });
      },
    });
    expect(ran.result.reason).toBe('wfi');
    expect(ran.result.pc).toBe(HIGH_CODE + 16);
    expect(ran.r('r0')).toBe(3);
    expect(ran.r('elr_hyp')).toBe(HIGH_CODE + 4);
    expect(ran.r('lr_svc')).toBe(HIGH_CODE + 8);
    const [hvc, svc] = exceptionEvents(ran.trace.events);
    expect(hvc).toMatchObject({ vector: 0xa000_0014, returnAddress: HIGH_CODE + 4 });
    expect(svc).toMatchObject({ vector: 0xb000_0008, returnAddress: HIGH_CODE + 8 });
    expect(ran.trace.events.filter((e) => e.kind === 'return').map((e) => (e.kind === 'return' ? e.target : 0))).toEqual([HIGH_CODE + 4, HIGH_CODE + 8]);
  });

  it('a prefetch abort at a high address: IFAR and LR unsigned', () => {
    const ran = runProgram('mov pc, r0', { registers: { r0: 0xe000_0000 } });
    expect(ran.result.pc).toBe(VBAR + 0x10);
    expect(ran.r('ifar')).toBe(0xe000_0000);
    expect(ran.r('lr')).toBe(0xe000_0004);
  });
});
