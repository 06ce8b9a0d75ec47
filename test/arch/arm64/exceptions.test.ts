/**
 * The AArch64 exception model (ARM ARM D1.10–D1.11; `abi-facts.md` §11):
 * vector groups and offsets, ESR_ELx for HVC/SMC/SVC/BRK, aborts and
 * unknown reasons, ELR and SPSR, the UNDEFINED cases of HVC and SMC, the
 * TSC trap, ERET to every legal AArch64 target, and the illegal returns.
 */

import { describe, expect, it } from 'vitest';
import { CODE, DATA, machineWith, runToWfi, VBAR1, VBAR2 } from './machine-harness.ts';

const M = { el0: 0x0, el1t: 0x4, el1h: 0x5, el2t: 0x8, el2h: 0x9 } as const;
const DAIF = 0x3c0;

describe('synchronous exception entry', () => {
  it('hvc #0 from EL1: ESR_EL2 0x5A000000, VBAR_EL2 + 0x400, ELR after the HVC, SPSR the caller', () => {
    const m = machineWith('msr daifclr, #0xf\nhvc #0\n', 'el1h');
    const events = runToWfi(m);
    expect(m.pc).toBe(VBAR2 + 0x400 + 4);
    expect(m.register('esr_el2')).toBe(0x5a00_0000n);
    expect(m.register('elr_el2')).toBe(BigInt(CODE + 8));
    expect(m.register('spsr_el2')).toBe(BigInt(M.el1h));
    expect(m.mode()).toBe('el2h');
    expect(m.register('daif')).toBe(BigInt(DAIF));
    expect(events.find((e) => e.kind === 'exception')).toMatchObject({ from: 'el1h', to: 'el2h', vector: VBAR2 + 0x400, syndrome: 0x5a00_0000 });
  });

  it('hvc #0xea1 from EL2h uses the current-EL SP_ELx group (+0x200) and keeps the immediate', () => {
    const m = machineWith('hvc #0xea1\n', 'el2h');
    runToWfi(m);
    expect(m.pc).toBe(VBAR2 + 0x200 + 4);
    expect(m.register('esr_el2')).toBe(0x5a00_0ea1n);
    expect(m.register('spsr_el2')).toBe(BigInt(DAIF | M.el2h));
  });

  it('svc from EL2t uses the SP_EL0 group (+0x000)', () => {
    const m = machineWith('svc #7\n', 'el2t');
    runToWfi(m);
    expect(m.pc).toBe(VBAR2 + 0x000 + 4);
    expect(m.register('esr_el2')).toBe(0x5600_0007n);
    expect(m.register('spsr_el2') & 0xfn).toBe(BigInt(M.el2t));
  });

  it('svc from EL0 goes to EL1 (+0x400), and to EL2 under HCR_EL2.TGE', () => {
    const m = machineWith('svc #0\n', 'el0');
    runToWfi(m);
    expect(m.pc).toBe(VBAR1 + 0x400 + 4);
    expect(m.register('esr_el1')).toBe(0x5600_0000n);
    const tge = machineWith('svc #0\n', 'el0');
    tge.setRegister('hcr_el2', 1n << 27n);
    runToWfi(tge);
    expect(tge.pc).toBe(VBAR2 + 0x400 + 4);
    expect(tge.register('esr_el2')).toBe(0x5600_0000n);
  });

  it('HVC at EL0 is UNDEFINED: EC 0 to EL1, ELR on the HVC', () => {
    const m = machineWith('hvc #0\n', 'el0');
    runToWfi(m);
    expect(m.pc).toBe(VBAR1 + 0x400 + 4);
    expect(m.register('esr_el1')).toBe(0x0200_0000n);
    expect(m.register('elr_el1')).toBe(BigInt(CODE));
  });

  it('HVC with HCR_EL2.HCD set is UNDEFINED at EL1 (EC 0 to EL1) and at EL2 (EC 0 at EL2)', () => {
    const m = machineWith('hvc #0\n', 'el1h');
    m.setRegister('hcr_el2', 1n << 29n);
    runToWfi(m);
    expect(m.pc).toBe(VBAR1 + 0x200 + 4);
    expect(m.register('esr_el1')).toBe(0x0200_0000n);
    const el2 = machineWith('hvc #0\n', 'el2h');
    el2.setRegister('hcr_el2', 1n << 29n);
    runToWfi(el2);
    expect(el2.pc).toBe(VBAR2 + 0x200 + 4);
    expect(el2.register('esr_el2')).toBe(0x0200_0000n);
  });

  it('SMC with no EL3 is UNDEFINED; at EL1 with HCR_EL2.TSC it traps to EL2 as EC 0x17 with ELR on the SMC', () => {
    const m = machineWith('smc #1\n', 'el1h');
    runToWfi(m);
    expect(m.register('esr_el1')).toBe(0x0200_0000n);
    expect(m.pc).toBe(VBAR1 + 0x200 + 4);
    const tsc = machineWith('smc #1\n', 'el1h');
    tsc.setRegister('hcr_el2', 1n << 19n);
    runToWfi(tsc);
    expect(tsc.pc).toBe(VBAR2 + 0x400 + 4);
    expect(tsc.register('esr_el2')).toBe(0x5e00_0001n);
    expect(tsc.register('elr_el2')).toBe(BigInt(CODE));
    const el2 = machineWith('smc #0\n', 'el2h');
    el2.setRegister('hcr_el2', 1n << 19n);
    runToWfi(el2);
    expect(el2.register('esr_el2')).toBe(0x0200_0000n);
    const el0 = machineWith('smc #0\n', 'el0');
    el0.setRegister('hcr_el2', 1n << 19n);
    runToWfi(el0);
    expect(el0.register('esr_el1')).toBe(0x0200_0000n);
  });

  it('BRK: EC 0x3C with the immediate, ELR on the BRK', () => {
    const m = machineWith('nop\nbrk #0x3e8\n', 'el1h');
    runToWfi(m);
    expect(m.register('esr_el1')).toBe(0xf200_03e8n);
    expect(m.register('elr_el1')).toBe(BigInt(CODE + 4));
  });

  it('an unallocated encoding is UNDEFINED: EC 0, ELR on it', () => {
    const m = machineWith('.inst 0x00000000\n', 'el1h');
    runToWfi(m);
    expect(m.register('esr_el1')).toBe(0x0200_0000n);
    expect(m.register('elr_el1')).toBe(BigInt(CODE));
  });

  it('a data abort: EC 0x25 at the current EL (0x24 from below), WnR, FAR the address, ELR the instruction', () => {
    const m = machineWith('mov x1, #0x100000\nstr x0, [x1, #8]\n', 'el1h');
    runToWfi(m);
    expect(m.register('esr_el1')).toBe(0x9600_0050n);
    expect(m.register('far_el1')).toBe(0x10_0008n);
    expect(m.register('elr_el1')).toBe(BigInt(CODE + 4));
    const low = machineWith('mov x1, #0x100000\nldr x0, [x1]\n', 'el0');
    runToWfi(low);
    expect(low.register('esr_el1')).toBe(0x9200_0010n);
  });

  it('an alignment fault for an unaligned exclusive (DFSC 0x21)', () => {
    const m = machineWith(`mov x1, #${DATA}\nadd x1, x1, #1\nldxr x0, [x1]\n`, 'el1h');
    runToWfi(m);
    expect(m.register('esr_el1')).toBe(0x9600_0021n);
    expect(m.register('far_el1')).toBe(BigInt(DATA + 1));
  });

  it('an instruction abort: EC 0x21 at the current EL, FAR and ELR the address', () => {
    const m = machineWith('mov x1, #0x100000\nbr x1\n', 'el1h');
    runToWfi(m);
    expect(m.register('esr_el1')).toBe(0x8600_0010n);
    expect(m.register('far_el1')).toBe(0x10_0000n);
    expect(m.register('elr_el1')).toBe(0x10_0000n);
  });

  it('a PC alignment fault: EC 0x22, FAR the misaligned PC', () => {
    const m = machineWith(`mov x1, #${CODE}\nadd x1, x1, #6\nbr x1\n`, 'el1h');
    runToWfi(m);
    expect(m.register('esr_el1')).toBe(0x8a00_0000n);
    expect(m.register('far_el1')).toBe(BigInt(CODE + 6));
  });

  it('an MRS of an unimplemented system register is UNDEFINED with a trace naming (op0, op1, CRn, CRm, op2)', () => {
    const m = machineWith('mrs x0, s3_7_c15_c15_7\n', 'el1h');
    const events = runToWfi(m);
    expect(m.register('esr_el1')).toBe(0x0200_0000n);
    const event = events.find((e) => e.kind === 'exception');
    expect(event).toMatchObject({ kind: 'exception' });
    expect(event && 'cause' in event ? event.cause : '').toContain('(op0=3, op1=7, CRn=15, CRm=15, op2=7)');
  });

  it('EL2 registers are UNDEFINED at EL1; ID registers read, and the reserved ID space reads as zero', () => {
    const m = machineWith('mrs x0, midr_el1\nmrs x1, s3_0_c0_c7_7\nmrs x2, hcr_el2\n', 'el1h');
    m.setRegister('x1', 5n);
    runToWfi(m);
    expect(m.register('x0')).toBe(0x410f_d034n);
    expect(m.register('x1')).toBe(0n);
    expect(m.register('elr_el1')).toBe(BigInt(CODE + 8));
  });

  it('CPACR_EL12 (S3_5_C1_C0_2) is CPACR_EL1 from EL2 with HCR_EL2.E2H = 1, and UNDEFINED from EL2 with E2H = 0 or from EL1', () => {
    const on = machineWith('mrs x0, s3_5_c1_c0_2\nmov x1, #0x300000\nmsr s3_5_c1_c0_2, x1\nwfi\n', 'el2h');
    setE2h(on);
    on.setRegister('cpacr_el1', 0x10_0000n);
    runToWfi(on);
    expect([on.register('x0'), on.register('cpacr_el1'), on.mode(), on.pc]).toEqual([0x10_0000n, 0x30_0000n, 'el2h', CODE + 16]);
    // E2H = 0: the EL12 encodings name nothing (D13.2 "Accessing CPACR_EL12"); the trap is taken at EL2 itself.
    const off = machineWith('mrs x0, s3_5_c1_c0_2\n', 'el2h');
    runToWfi(off);
    expect([off.register('esr_el2'), off.register('elr_el2')]).toEqual([0x0200_0000n, BigInt(CODE)]);
    // From EL1, even with E2H set: UNDEFINED, taken at EL1.
    const el1 = machineWith('mrs x0, s3_5_c1_c0_2\n', 'el1h');
    setE2h(el1);
    runToWfi(el1);
    expect([el1.register('esr_el1'), el1.register('elr_el1'), el1.mode()]).toEqual([0x0200_0000n, BigInt(CODE), 'el1h']);
  });

  it("E2H's redirection: from EL2 with HCR_EL2.E2H = 1 the EL1 names reach the EL2 registers and the _EL12 names the EL1 ones; with E2H = 0 or from EL1 nothing moves", () => {
    const program = 'msr vbar_el1, x1\nmrs x2, vbar_el12\nmsr tcr_el1, x3\nmrs x4, spsr_el1\nwfi\n';
    const on = machineWith(program, 'el2h');
    setE2h(on);
    on.setRegister('x1', 0x4_0800n);
    on.setRegister('x3', 0x35n);
    on.setRegister('vbar_el1', 0x8_0000n);
    on.setRegister('spsr_el2', 0x3c9n);
    runToWfi(on);
    expect([on.register('vbar_el2'), on.register('vbar_el1'), on.register('x2'), on.register('tcr_el2'), on.register('tcr_el1'), on.register('x4')]).toEqual([0x4_0800n, 0x8_0000n, 0x8_0000n, 0x35n, 0n, 0x3c9n]);
    // E2H = 0 at EL2: the EL1 names are the EL1 registers (and VBAR_EL12 is UNDEFINED, so stop before it).
    const off = machineWith('msr vbar_el1, x1\nmrs x4, spsr_el1\nwfi\n', 'el2h');
    off.setRegister('x1', 0x4_0800n);
    off.setRegister('spsr_el1', 0x3c5n);
    const vbarEl2 = off.register('vbar_el2');
    runToWfi(off);
    expect([off.register('vbar_el1'), off.register('vbar_el2'), off.register('x4')]).toEqual([0x4_0800n, vbarEl2, 0x3c5n]);
    // From EL1 with E2H set: EL1's own registers.
    const el1 = machineWith('msr vbar_el1, x1\nwfi\n', 'el1h');
    setE2h(el1);
    el1.setRegister('x1', 0x4_0800n);
    const el1Vbar2 = el1.register('vbar_el2');
    runToWfi(el1);
    expect([el1.register('vbar_el1'), el1.register('vbar_el2')]).toEqual([0x4_0800n, el1Vbar2]);
  });

  it('TLB maintenance: the EL1 forms run at EL1 (op1 = 0), the EL2 and stage-2 forms (op1 = 4) are UNDEFINED there', () => {
    // tlbi vmalle1 is what arm64 Linux runs at EL1 right after init_el2 (__cpu_setup); its name contains "alle1" but its op1 is 0.
    const m = machineWith('tlbi vmalle1\ntlbi vmalle1is\ntlbi vae1, x0\nat s1e1r, x1\ndc cisw, x2\nwfi\n', 'el1h');
    runToWfi(m);
    expect(m.pc).toBe(CODE + 24); // past the wfi
    expect(m.mode()).toBe('el1h');
    for (const text of ['tlbi alle1', 'tlbi vmalls12e1', 'tlbi alle2', 'at s1e2r, x0', 'tlbi ipas2e1is, x1']) {
      const el1 = machineWith(`${text}\n`, 'el1h');
      runToWfi(el1);
      expect(el1.register('esr_el1'), text).toBe(0x0200_0000n);
      const el2 = machineWith(`${text}\nwfi\n`, 'el2h');
      runToWfi(el2);
      expect(el2.pc, text).toBe(CODE + 8);
    }
  });

  it('HCR_EL2.TTLB traps TLB maintenance at EL1, and TSW DC by set/way, to EL2 as EC 0x18 with the operation in the ISS', () => {
    const m = machineWith('tlbi vmalle1\n', 'el1h');
    m.setRegister('hcr_el2', 1n << 25n);
    runToWfi(m);
    expect(m.pc).toBe(VBAR2 + 0x400 + 4);
    // EC 0x18, IL, ISS: Op0 1 [21:20], Op2 0, Op1 0, CRn 8 [13:10], Rt 31 [9:5], CRm 7 [4:1], Direction 0 (D13.2.37).
    expect(m.register('esr_el2')).toBe(0x6200_0000n | (1n << 20n) | (8n << 10n) | (31n << 5n) | (7n << 1n));
    expect(m.register('elr_el2')).toBe(BigInt(CODE));
    const sw = machineWith('dc cisw, x3\n', 'el1h');
    sw.setRegister('hcr_el2', 1n << 22n);
    runToWfi(sw);
    expect(sw.register('esr_el2')).toBe(0x6200_0000n | (1n << 20n) | (7n << 10n) | (3n << 5n) | (14n << 1n) | (2n << 17n));
    // TTLB does not reach EL2's own TLB maintenance, nor EL1's DC by VA.
    const el2 = machineWith('tlbi vmalle1\nwfi\n', 'el2h');
    el2.setRegister('hcr_el2', 1n << 25n);
    runToWfi(el2);
    expect(el2.pc).toBe(CODE + 8);
    const va = machineWith('dc civac, x0\nwfi\n', 'el1h');
    va.setRegister('x0', 0x4_0000n);
    va.setRegister('hcr_el2', (1n << 25n) | (1n << 22n));
    runToWfi(va);
    expect(va.pc).toBe(CODE + 8);
  });

  it('a trapped WFI (HCR_EL2.TWI): EC 0x01 to EL2, ELR on the WFI', () => {
    const m = machineWith('wfi\n', 'el1h');
    m.setRegister('hcr_el2', 1n << 13n);
    runToWfi(m);
    expect(m.pc).toBe(VBAR2 + 0x400 + 4);
    expect(m.register('esr_el2')).toBe(0x07e0_0000n | 0x0200_0000n);
    expect(m.register('elr_el2')).toBe(BigInt(CODE));
  });
});

describe('exception return', () => {
  const legal = [
    ['el2h', 'el2h'],
    ['el2h', 'el2t'],
    ['el2h', 'el1h'],
    ['el2h', 'el1t'],
    ['el2h', 'el0'],
    ['el1h', 'el1h'],
    ['el1h', 'el1t'],
    ['el1h', 'el0'],
    ['el1t', 'el0'],
    ['el2t', 'el1h'],
  ] as const;

  it.each(legal)('eret from %s to %s restores PSTATE from SPSR and the PC from ELR', (from, to) => {
    const el2 = from.startsWith('el2');
    const m = machineWith(`eret\n.space 12\ntarget: wfi\n`, from);
    m.setRegister(el2 ? 'spsr_el2' : 'spsr_el1', BigInt(0xa000_0000 | 0x140 | M[to]));
    m.setRegister(el2 ? 'elr_el2' : 'elr_el1', BigInt(CODE + 16));
    runToWfi(m);
    expect(m.pc).toBe(CODE + 20);
    expect(m.mode()).toBe(to);
    expect(m.register('nzcv')).toBe(0xa000_0000n);
    expect(m.register('daif')).toBe(0x140n);
    expect(m.register('pstate') & (1n << 20n)).toBe(0n);
  });

  it.each([
    ['el1h', 0x13, 'AArch32'],
    ['el2h', 0x10, 'AArch32'],
    ['el1h', M.el2h, 'return to EL2 from EL1'],
    ['el2h', 0xd, 'not an implemented mode'],
    ['el2h', 0x1, 'not an implemented mode'],
  ] as const)('eret from %s with SPSR.M 0x%s is illegal (%s): PSTATE.IL, mode kept, then an Illegal Execution state exception', (from, mode, why) => {
    const el2 = from.startsWith('el2');
    const m = machineWith(`eret\n.space 12\ntarget: nop\n`, from);
    m.setRegister(el2 ? 'spsr_el2' : 'spsr_el1', BigInt(mode));
    m.setRegister(el2 ? 'elr_el2' : 'elr_el1', BigInt(CODE + 16));
    const events = runToWfi(m);
    expect(events.some((e) => e.kind === 'note' && e.message.includes(why))).toBe(true);
    const esr = el2 ? 'esr_el2' : 'esr_el1';
    expect(m.register(esr)).toBe(0x3a00_0000n);
    expect(m.register(el2 ? 'elr_el2' : 'elr_el1')).toBe(BigInt(CODE + 16));
    expect(m.register(el2 ? 'spsr_el2' : 'spsr_el1') & (1n << 20n)).toBe(1n << 20n);
    expect(m.mode()).toBe(from);
    expect(m.register('pstate') & (1n << 20n)).toBe(0n);
  });

  it('eret to EL1 with HCR_EL2.TGE set is illegal', () => {
    const m = machineWith('eret\n', 'el2h');
    m.setRegister('hcr_el2', 1n << 27n);
    m.setRegister('spsr_el2', BigInt(M.el1h));
    m.setRegister('elr_el2', BigInt(CODE + 4));
    runToWfi(m);
    expect(m.register('esr_el2')).toBe(0x3a00_0000n);
  });

  it('ERET at EL0 is UNDEFINED', () => {
    const m = machineWith('eret\n', 'el0');
    runToWfi(m);
    expect(m.register('esr_el1')).toBe(0x0200_0000n);
  });

  it('the round trip el1 → hvc → VBAR_EL2 + 0x400 → eret comes back after the hvc', () => {
    const vectors = { el2: `.space 0x400\nadd x5, x5, #1\neret\n` };
    const m = machineWith('hvc #0\nhvc #0\nwfi\n', 'el1h', vectors);
    runToWfi(m);
    expect(m.register('x5')).toBe(2n);
    expect(m.pc).toBe(CODE + 12);
    expect(m.mode()).toBe('el1h');
  });
});

/** HCR_EL2.E2H (bit 34) set, nothing else. */
function setE2h(machine: ReturnType<typeof machineWith>): void {
  machine.setRegister('hcr_el2', 1n << 34n);
}
