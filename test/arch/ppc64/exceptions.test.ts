/**
 * Interrupt entry and return (Power ISA v3.0B Book III chapter 6 and
 * 4.3.1): sc and sc 1 at 0xC00 through SRR0/SRR1 (sc 1 setting MSR[HV]),
 * the program interrupt for illegal, privileged and trap, ISI and DSI,
 * rfid and hrfid with their MSR rules, the unknown-SPR trace note, the
 * recursive-fault stops, and MSR[LE] switching the byte order.
 */

import { describe, expect, it } from 'vitest';
import { TraceRecorder, formatTraceEvent } from '../../../src/interp/trace.ts';
import { CODE, DATA, exceptions, load, MSR, newMachine, run, runToWait, UNMAPPED } from './machine-harness.ts';

/** A handler that records SRR0/SRR1 and the MSR it runs with, then returns. */
const RECORD_AND_RETURN = `
      mfsrr0 20
      mfsrr1 21
      mfmsr 22
      rfid
`;

/** SRR1 values the tests set: 64-bit supervisor and problem state. */
const SUPERVISOR = MSR.SF | MSR.ME | MSR.RI;
const PROBLEM = SUPERVISOR | MSR.PR;

describe('system call interrupt (sc, LEV = 0)', () => {
  it('from supervisor: SRR0 = the next instruction, SRR1 = the MSR, MSR[HV] unchanged, vector 0xC00, rfid back', () => {
    const o = runToWait('li 3, 1\nsc\nli 4, 2\nwait', { mode: 'supervisor', vectors: { 0xc00: RECORD_AND_RETURN } });
    const [event] = exceptions(o);
    expect(event).toMatchObject({ exception: 'system-call', from: 'supervisor', to: 'supervisor', vector: 0xc00, returnAddress: CODE + 8 });
    expect(o.reg('r20')).toBe(BigInt(CODE + 8));
    expect(o.reg('r21')).toBe(SUPERVISOR);
    // The handler runs with SF and ME only: EE, PR, IR, DR, RI, HV are 0.
    expect(o.reg('r22')).toBe(MSR.SF | MSR.ME);
    expect(o.reg('r4')).toBe(2n);
    expect(o.reg('msr')).toBe(SUPERVISOR);
    expect(o.machine.mode()).toBe('supervisor');
  });

  it('from problem state: the handler runs in supervisor state; rfid returns to problem state with EE, IR and DR', () => {
    const o = runToWait('sc\nwait', { mode: 'problem', vectors: { 0xc00: RECORD_AND_RETURN } });
    expect(exceptions(o)[0]).toMatchObject({ from: 'problem', to: 'supervisor' });
    expect(o.reg('r21') & MSR.PR).toBe(MSR.PR);
    expect(o.reg('r22') & (MSR.PR | MSR.HV)).toBe(0n);
    expect(o.reg('msr')).toBe(PROBLEM | MSR.EE | MSR.IR | MSR.DR);
    expect(o.machine.mode()).toBe('problem');
  });

  it('from hypervisor state: MSR[HV] stays 1', () => {
    const o = runToWait('sc\nwait', { mode: 'hv', vectors: { 0xc00: RECORD_AND_RETURN } });
    expect(exceptions(o)[0]).toMatchObject({ from: 'hv', to: 'hv' });
    expect(o.reg('r22') & MSR.HV).toBe(MSR.HV);
  });
});

describe('hypervisor call (sc 1, LEV = 1)', () => {
  it('sets MSR[HV] and saves state in SRR0/SRR1, not HSRR0/HSRR1 (Book III 6.5.14)', () => {
    const o = runToWait('li 3, 0x300\nsc 1\nwait', {
      mode: 'supervisor',
      vectors: { 0xc00: RECORD_AND_RETURN },
      registers: { hsrr0: 0x1111n, hsrr1: 0x2222n },
    });
    expect(exceptions(o)[0]).toMatchObject({ exception: 'system-call', cause: 'sc 1 from supervisor', from: 'supervisor', to: 'hv', vector: 0xc00 });
    expect(o.reg('r20')).toBe(BigInt(CODE + 8));
    expect(o.reg('r21')).toBe(SUPERVISOR);
    expect(o.reg('r22')).toBe(MSR.SF | MSR.HV | MSR.ME);
    expect(o.reg('hsrr0')).toBe(0x1111n);
    expect(o.reg('hsrr1')).toBe(0x2222n);
    // rfid clears HV again: SRR1[HV] = 0.
    expect(o.machine.mode()).toBe('supervisor');
    expect(o.reg('msr')).toBe(SUPERVISOR);
  });

  it('from problem state too (calling up two levels is a programming error, but it is what the ISA does)', () => {
    const o = runToWait('sc 1\nwait', { mode: 'problem', vectors: { 0xc00: RECORD_AND_RETURN } });
    expect(exceptions(o)[0]).toMatchObject({ from: 'problem', to: 'hv' });
  });

  it('the trap carries the conduit names sc and sc1', () => {
    const recorder = run('sc\nsc 1\nwait', { mode: 'supervisor', vectors: { 0xc00: 'rfid' } });
    expect(exceptions(recorder).map((e) => e.cause)).toEqual(['sc from supervisor', 'sc 1 from supervisor']);
  });
});

describe('program interrupt (0x700)', () => {
  it('an illegal instruction: SRR0 = the instruction, SRR1[44]', () => {
    const o = run('nop\n.long 0\nwait', { vectors: { 0x700: 'wait' } });
    const [event] = exceptions(o);
    expect(event).toMatchObject({ exception: 'program', vector: 0x700, returnAddress: CODE + 4, syndrome: 0x80000 });
    expect(o.reg('srr0')).toBe(BigInt(CODE + 4));
    expect(o.reg('srr1') & 0x783f_0000n).toBe(0x8_0000n);
    expect(o.reg('srr1') & MSR.HV).toBe(MSR.HV);
  });

  it('privileged instructions in problem state: SRR1[45]', () => {
    for (const source of ['mfmsr 3', 'mtmsrd 3', 'mtmsr 3, 1', 'rfid', 'hrfid', 'mtsrr0 3', 'mfsprg 3, 0', 'mfspr 3, 314', 'mtspr 17, 3', 'mfpvr 3']) {
      const o = run(`${source}\nwait`, { mode: 'problem', vectors: { 0x700: 'wait' } });
      expect(exceptions(o).map((e) => [e.exception, e.syndrome, e.from, e.to]), source).toEqual([['program', 0x40000, 'problem', 'supervisor']]);
      expect(o.reg('srr0'), source).toBe(BigInt(CODE));
    }
  });

  it('hypervisor-privileged SPRs and hrfid outside hypervisor state: the privileged-instruction program interrupt', () => {
    for (const source of ['mtspr 314, 3', 'mfspr 3, 315', 'mtspr 304, 3', 'hrfid']) {
      const o = run(`${source}\nwait`, { mode: 'supervisor', vectors: { 0x700: 'wait' } });
      expect(exceptions(o).map((e) => [e.exception, e.syndrome]), source).toEqual([['program', 0x40000]]);
    }
    const allowed = runToWait('li 3, 9\nmtspr 314, 3\nmfspr 4, 314\nmtspr 304, 3\nwait', { mode: 'hv' });
    expect(allowed.reg('r4')).toBe(9n);
    expect(allowed.reg('hsprg0')).toBe(9n);
  });

  it('user SPRs are fine in problem state', () => {
    const o = runToWait('li 3, 5\nmtlr 3\nmflr 4\nmtctr 3\nmfctr 5\nmtxer 3\nmfxer 6\nwait', { mode: 'problem' });
    expect([o.reg('r4'), o.reg('r5'), o.reg('r6')]).toEqual([5n, 5n, 5n]);
  });

  it('an unknown SPR is an illegal instruction with a trace note; in problem state a privileged number is privileged first', () => {
    const o = run('mfspr 3, 1013\nwait', { mode: 'hv', vectors: { 0x700: 'wait' } });
    const note = o.events.find((e) => e.kind === 'note');
    expect(note).toMatchObject({ kind: 'note', address: CODE });
    expect(formatTraceEvent(note!)).toBe(`-- note 0x${CODE.toString(16).padStart(8, '0')}: mfspr: unknown SPR 1013: hyplay does not model it, so it is an illegal instruction`);
    expect(exceptions(o).map((e) => e.syndrome)).toEqual([0x80000]);
    const readOnly = run('mtspr 287, 3\nwait', { vectors: { 0x700: 'wait' } });
    expect(readOnly.events.some((e) => e.kind === 'note' && e.message.includes('read-only'))).toBe(true);
    const userNumber = run('mfspr 3, 15\nwait', { mode: 'problem', vectors: { 0x700: 'wait' } });
    expect(exceptions(userNumber).map((e) => e.syndrome)).toEqual([0x80000]);
    const privilegedNumber = run('mfspr 3, 1013\nwait', { mode: 'problem', vectors: { 0x700: 'wait' } });
    expect(exceptions(privilegedNumber).map((e) => e.syndrome)).toEqual([0x40000]);
  });

  it('a trap instruction: SRR1[46]', () => {
    const o = run('trap\nwait', { mode: 'supervisor', vectors: { 0x700: 'wait' } });
    expect(exceptions(o).map((e) => [e.exception, e.syndrome, e.cause])).toEqual([['program', 0x20000, `trap (TO = 31) at 0x${CODE.toString(16).padStart(8, '0')}`]]);
  });
});

describe('storage interrupts', () => {
  it('ISI (0x400): a fetch from unmapped memory; SRR0 = the fetch address, SRR1[33]', () => {
    const o = run('ba 0x1000000\nwait', { vectors: { 0x400: 'wait' } });
    const [event] = exceptions(o);
    expect(event).toMatchObject({ exception: 'instruction-storage', vector: 0x400, returnAddress: 0x100_0000, syndrome: 0x4000_0000 });
    expect(o.reg('srr0')).toBe(0x100_0000n);
    expect(o.reg('srr1') & 0x783f_0000n).toBe(0x4000_0000n);
  });

  it('ba sign-extends its 26-bit target: 0x3000000 is 0xffffffffff000000', () => {
    const o = run('ba 0x3000000\nwait', { vectors: { 0x400: 'wait' } });
    expect(o.reg('srr0')).toBe(0xffff_ffff_ff00_0000n);
  });

  it('ISI through a register branch to an address above 4 GiB', () => {
    const o = run('mtctr 3\nbctr\nwait', { vectors: { 0x400: 'wait' }, registers: { r3: 0x1_0000_1000n } });
    expect(o.reg('srr0')).toBe(0x1_0000_1000n);
  });

  it('DSI (0x300): DAR and DSISR; SRR1 carries no interrupt bits', () => {
    const o = run('stw 4, 0(3)\nwait', { mode: 'supervisor', vectors: { 0x300: 'wait' }, registers: { r3: BigInt(UNMAPPED) } });
    expect(exceptions(o)[0]).toMatchObject({ exception: 'data-storage', vector: 0x300, returnAddress: CODE, syndrome: 0x4200_0000 });
    expect(o.reg('dar')).toBe(BigInt(UNMAPPED));
    expect(o.reg('srr1')).toBe(SUPERVISOR);
  });
});

describe('rfid and hrfid', () => {
  it('rfid cannot set HV from outside hypervisor state, nor change ME', () => {
    const o = runToWait(
      `
      bl here
      .long target
here: mflr 9
      lwz 9, 0(9)
      mtsrr0 9
      mtsrr1 3
      rfid
target: wait`,
      { mode: 'supervisor', registers: { r3: MSR.SF | MSR.HV | MSR.RI } },
    );
    expect(o.machine.mode()).toBe('supervisor');
    expect(o.reg('msr')).toBe(MSR.SF | MSR.ME | MSR.RI);
  });

  it('in hypervisor state rfid keeps HV when SRR1[HV] = 1, takes ME from SRR1, and PR = 1 sets EE, IR and DR', () => {
    const source = `
      bl here
      .long target
here: mflr 9
      lwz 9, 0(9)
      mtsrr0 9
      mtsrr1 3
      rfid
target: wait`;
    const stay = runToWait(source, { mode: 'hv', registers: { r3: MSR.SF | MSR.HV } });
    expect(stay.reg('msr')).toBe(MSR.SF | MSR.HV);
    expect(stay.machine.mode()).toBe('hv');
    const user = runToWait(source, { mode: 'hv', registers: { r3: MSR.SF | MSR.PR | MSR.ME } });
    expect(user.reg('msr')).toBe(MSR.SF | MSR.PR | MSR.ME | MSR.EE | MSR.IR | MSR.DR);
    expect(user.machine.mode()).toBe('problem');
  });

  it('hrfid returns through HSRR0/HSRR1, which may set HV', () => {
    const o = runToWait(
      `
      bl here
      .long target
here: mflr 9
      lwz 9, 0(9)
      mtspr 314, 9         # HSRR0
      mtspr 315, 3         # HSRR1
      hrfid
target: wait`,
      { mode: 'hv', registers: { r3: MSR.SF | MSR.ME } },
    );
    expect(o.machine.mode()).toBe('supervisor');
    expect(o.events.some((e) => e.kind === 'return' && e.instruction === 'hrfid' && e.from === 'hv' && e.to === 'supervisor')).toBe(true);
  });

  it('rfid clears the low two bits of SRR0, and a return to 32-bit mode truncates NIA', () => {
    const o = runToWait(
      `
      bl here
      .long target
here: mflr 9
      lwz 9, 0(9)
      li 10, 1
      sldi 10, 10, 32
      or 9, 9, 10          # SRR0 = 0x1_0000_0000 + target, low bits 0b11
      ori 9, 9, 3
      mtsrr0 9
      li 3, 0x1000         # SRR1: ME only, SF = 0
      mtsrr1 3
      rfid
target: wait`,
      { mode: 'hv' },
    );
    expect(o.reg('msr') & MSR.SF).toBe(0n);
    expect(o.events.find((e) => e.kind === 'return')).toMatchObject({ target: CODE + 48 });
  });
});

describe('stops instead of endless interrupts', () => {
  it('an unmapped vector stops the run with recursive-fault, the PC on the vector', () => {
    const machine = newMachine();
    machine.memory.unmap(0, 0x2000);
    load(machine, 'sc\nwait', CODE);
    machine.pc = CODE;
    const result = machine.run(10);
    expect(result.reason).toBe('recursive-fault');
    expect(result.pc).toBe(0xc00);
    expect(result.detail).toContain('system-call vector at 0x00000c00 is unmapped');
  });

  it('an illegal instruction at the program vector itself stops with recursive-fault', () => {
    const o = run('.long 0', {});
    expect(o.result.reason).toBe('recursive-fault');
    expect(o.result.pc).toBe(0x700);
    expect(exceptions(o)).toHaveLength(2);
  });
});

describe('MSR[LE] switches the byte order', () => {
  it('rfid to LE = 1 on a big-endian machine fetches and accesses little-endian, and drops the predecoded code', () => {
    // `target` runs once big-endian (li 4, 1 is cached), then again after the
    // switch, where its bytes are a different (here illegal) word.
    const o = run(
      `
      lis 8, ${DATA >> 16}
      lis 5, 0x1122
      ori 5, 5, 0x3344
      stw 5, 0(8)
      bl here
      .long target
here: mflr 9
      lwz 9, 0(9)
      li 6, 0
target: li 4, 1
      cmpwi 6, 0
      bne done
      li 6, 1
      mtsrr0 9
      li 3, 1
      sldi 3, 3, 63
      ori 3, 3, 0x1001     # SF | ME | LE
      mtsrr1 3
      rfid
done: wait`,
      { mode: 'hv', vectors: { 0x700: 'wait' } },
    );
    // 38 80 00 01 read little-endian is 0x01008038: opcode 0, illegal.
    expect(exceptions(o).map((e) => [e.exception, e.returnAddress])).toEqual([['program', Number(o.reg('r9'))]]);
    // Interrupts enter with the boot byte order: MSR[LE] = 0 again at 0x700.
    expect(o.reg('msr') & MSR.LE).toBe(0n);
    expect(o.reg('srr1') & MSR.LE).toBe(MSR.LE);
  });

  it('little-endian data accesses after the switch see the bytes reversed', () => {
    const machine = newMachine('big');
    load(machine, 'lwz 4, 0(8)\nwait', CODE);
    machine.memory.writeBytes(DATA, Uint8Array.from([0x11, 0x22, 0x33, 0x44]));
    machine.setRegister('r8', BigInt(DATA));
    machine.setRegister('msr', MSR.SF | MSR.HV | MSR.ME);
    machine.pc = CODE;
    expect(machine.run(10).reason).toBe('wfi');
    expect(machine.register('r4')).toBe(0x1122_3344n);
    // The same code, stored byte-reversed, run with MSR[LE] = 1.
    const le = newMachine('big');
    le.memory.load(CODE, Uint8Array.from([0x00, 0x00, 0x88, 0x80, 0x3c, 0x00, 0x00, 0x7c]));
    le.memory.writeBytes(DATA, Uint8Array.from([0x11, 0x22, 0x33, 0x44]));
    le.setRegister('r8', BigInt(DATA));
    le.setRegister('msr', MSR.SF | MSR.HV | MSR.ME | MSR.LE);
    le.pc = CODE;
    const recorder = new TraceRecorder();
    le.trace = recorder;
    expect(le.run(10).reason).toBe('wfi');
    expect(le.register('r4')).toBe(0x4433_2211n);
    expect(recorder.lines()[0]).toContain('lwz 4, 0(8)');
  });
});

describe('MSR moves (Book III 4.4.4)', () => {
  it('mtmsrd L = 1 changes only EE and RI; L = 0 cannot change HV, ME or LE; PR = 1 brings EE, IR and DR', () => {
    const o = runToWait(
      `
      li 3, -1
      mtmsrd 3, 1          # EE and RI from r3
      mfmsr 10
      li 4, 0
      mtmsrd 4             # clears SF and the rest, but not HV, ME or LE
      mfmsr 11
      wait`,
      { mode: 'hv' },
    );
    expect(o.reg('r10')).toBe(MSR.SF | MSR.HV | MSR.ME | MSR.RI | MSR.EE);
    expect(o.reg('r11')).toBe(MSR.HV | MSR.ME);
    const problem = run('li 3, 0x4000\nmtmsr 3\nwait', { mode: 'supervisor' });
    expect(problem.reg('msr')).toBe(MSR.SF | MSR.ME | MSR.PR | MSR.EE | MSR.IR | MSR.DR);
    expect(problem.machine.mode()).toBe('problem');
  });

  it('mtmsr leaves the high word (SF, HV) alone', () => {
    const o = runToWait('li 3, 0\nmtmsr 3\nwait', { mode: 'hv' });
    expect(o.reg('msr')).toBe(MSR.SF | MSR.HV | MSR.ME);
  });
});
