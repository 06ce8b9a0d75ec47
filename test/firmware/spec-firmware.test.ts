/**
 * Spec firmware on arm32: linux-hyp-stub-v4.12 installed at HVBAR answers a
 * real `hvc #0` from an svc-mode guest. The trap enters through the
 * architectural Hyp trap (HVBAR + 0x14, HSR, ELR_hyp, SPSR_hyp) and the
 * firmware leaves through the real ERET; a soft restart branches in Hyp; an
 * HVC from usr never gets there; any other exception reaching the table
 * stops the run with reason `firmware` and says what was taken where.
 */

import { describe, expect, it } from 'vitest';
import { LINUX_HYP_STUB_V4_12 } from '../../arch/arm32/abis/linux-hyp-stub.abi.ts';
import { createArm32Machine } from '../../arch/arm32/core.ts';
import { ARM32_FIRMWARE_PORT } from '../../arch/arm32/firmware-port.ts';
import type { Abi } from '../../src/abi/spec.ts';
import { installSpecFirmware, type InstalledFirmware } from '../../src/firmware/firmware.ts';
import type { RunResult } from '../../src/interp/interpreter.ts';
import type { Machine } from '../../src/interp/machine.ts';
import { TraceRecorder, type ExceptionEvent, type ReturnEvent } from '../../src/interp/trace.ts';
import { assemble } from '../../src/isa/assembler.ts';
import { ARM32_INSTRUCTION_SET } from '../../arch/arm32/core.ts';

const HVBAR = 0x2000;
const VBAR = 0x1000;
const CODE = 0x8000;
const TARGET = 0x9000;

/** CPSR mode numbers and flag bits (ARM ARM B1.3.1), spelled out for the expectations. */
const MODE = { usr: 0x10, svc: 0x13, und: 0x1b, hyp: 0x1a } as const;
const NZCV = 0xf000_0000;

interface Ran {
  readonly machine: Machine;
  readonly result: RunResult;
  readonly trace: TraceRecorder;
  readonly firmware: InstalledFirmware;
}

/**
 * Load `source` at CODE, `wfi` at TARGET and a PL1 vector table of `wfi` at
 * VBAR, install `abi` as firmware at HVBAR, enter `mode` with `registers`
 * and run.
 */
function run(source: string, mode: string, registers: Readonly<Record<string, bigint>>, abi: Abi = LINUX_HYP_STUB_V4_12): Ran {
  const machine = createArm32Machine();
  const load = (text: string, base: number): void => machine.memory.load(base, assemble(ARM32_INSTRUCTION_SET, text, base).bytes);
  load(source, CODE);
  load('wfi', TARGET);
  load(Array.from({ length: 8 }, () => 'wfi').join('\n'), VBAR);
  machine.setRegister('vbar', BigInt(VBAR));
  const firmware = installSpecFirmware(machine, ARM32_FIRMWARE_PORT, abi, HVBAR);
  machine.setMode(mode);
  for (const [name, value] of Object.entries(registers)) machine.setRegister(name, value);
  machine.pc = CODE;
  const trace = new TraceRecorder();
  machine.trace = trace;
  const result = machine.run(1000);
  return { machine, result, trace, firmware };
}

function exceptions(trace: TraceRecorder): ExceptionEvent[] {
  return trace.events.filter((e): e is ExceptionEvent => e.kind === 'exception');
}

function returns(trace: TraceRecorder): ReturnEvent[] {
  return trace.events.filter((e): e is ReturnEvent => e.kind === 'return');
}

const HVC_THEN_WFI = 'hvc #0\nwfi';

describe('spec firmware: linux-hyp-stub-v4.12 at HVBAR on arm32', () => {
  it('install points HVBAR at the table and maps it, so the exception entry can fetch the vector', () => {
    const machine = createArm32Machine();
    const firmware = installSpecFirmware(machine, ARM32_FIRMWARE_PORT, LINUX_HYP_STUB_V4_12, HVBAR);
    expect(machine.register('hvbar')).toBe(BigInt(HVBAR));
    expect(firmware).toEqual({ base: HVBAR, returnTrampoline: HVBAR + 0x20 });
    expect(machine.memory.isMapped(HVBAR + 0x14)).toBe(true);
  });

  it('rejects a base that is not 32-byte aligned', () => {
    expect(() => installSpecFirmware(createArm32Machine(), ARM32_FIRMWARE_PORT, LINUX_HYP_STUB_V4_12, HVBAR + 4)).toThrow('firmware base 0x2004 is not 32-byte aligned');
  });

  it('HVC_SET_VECTORS: HVBAR <- r1, r0 <- 0, back in svc after the hvc through the real ERET', () => {
    // The caller's flags are set: ERET must restore them from SPSR_hyp.
    const { machine, result, trace } = run(HVC_THEN_WFI, 'svc', { r0: 0n, r1: 0x4000n, r2: 0x2222n, cpsr: BigInt(NZCV | 0x1c0 | MODE.svc) });
    expect(result.reason).toBe('wfi');
    expect(result.pc).toBe(CODE + 8);
    expect(machine.mode()).toBe('svc');
    expect(machine.register('r0')).toBe(0n);
    expect(machine.register('hvbar')).toBe(0x4000n);
    expect(machine.register('r2')).toBe(0x2222n);
    expect((Number(machine.register('cpsr')) & NZCV) >>> 0).toBe(NZCV >>> 0);
    // The architectural path: entry at HVBAR + 0x14 with ELR_hyp and SPSR_hyp set, then an eret back.
    expect(exceptions(trace)).toEqual([
      { kind: 'exception', exception: 'hyp-trap', cause: 'hvc #0 from svc', from: 'svc', to: 'hyp', vector: HVBAR + 0x14, returnAddress: CODE + 4, syndrome: 0x4a00_0000 },
    ]);
    expect(returns(trace)).toEqual([{ kind: 'return', instruction: 'eret (spec firmware)', from: 'hyp', to: 'svc', target: CODE + 4 }]);
    expect(machine.register('elr_hyp')).toBe(BigInt(CODE + 4));
    expect(Number(machine.register('spsr_hyp')) & 0x1f).toBe(MODE.svc);
    expect(machine.register('hsr')).toBe(0x4a00_0000n);
    expect(trace.lines()).toContain('-- return eret (spec firmware): hyp -> svc at 0x00008004');
  });

  it('the return goes where ELR_hyp says: the firmware uses the saved state, not a remembered PC', () => {
    // hvc #5 at CODE+4; the immediate reaches HSR.ISS, ELR_hyp is CODE+8.
    const { machine, result, trace } = run('nop\nhvc #5\nwfi', 'svc', { r0: 2n });
    expect(result).toMatchObject({ reason: 'wfi', pc: CODE + 12 });
    expect(machine.register('hsr')).toBe(0x4a00_0005n);
    expect(returns(trace).map((r) => r.target)).toEqual([CODE + 8]);
    expect(machine.register('r0')).toBe(0n);
  });

  it('HVC_SOFT_RESTART lands at r1 in Hyp mode and never returns', () => {
    const { machine, result, trace } = run(HVC_THEN_WFI, 'svc', { r0: 1n, r1: BigInt(TARGET), r5: 0x5555n });
    expect(result.reason).toBe('wfi');
    expect(result.pc).toBe(TARGET + 4);
    expect(machine.mode()).toBe('hyp');
    expect(Number(machine.register('cpsr')) & 0x1f).toBe(MODE.hyp);
    expect(machine.register('r5')).toBe(0x5555n);
    expect(exceptions(trace).map((e) => e.vector)).toEqual([HVBAR + 0x14]);
    expect(returns(trace)).toEqual([]);
    // Steps: the hvc, the firmware at the Hyp-trap slot, then the target's wfi in Hyp.
    expect(trace.lines().filter((l) => l.startsWith('0x')).map((l) => l.slice(0, 15))).toEqual(['0x00008000 svc ', '0x00002014 hyp ', '0x00009000 hyp ']);
  });

  it('an invalid call returns HVC_STUB_ERR (0xbadca11) and keeps the other registers', () => {
    for (const r0 of [3n, 0xffff_ffffn, 0xc010_0000n]) {
      const { machine, result } = run(HVC_THEN_WFI, 'svc', { r0, r1: 0x1111n, r3: 0x3333n });
      expect(result, `r0=0x${r0.toString(16)}`).toMatchObject({ reason: 'wfi', pc: CODE + 8 });
      expect(machine.register('r0'), `r0=0x${r0.toString(16)}`).toBe(0xbadca11n);
      expect(machine.register('r1')).toBe(0x1111n);
      expect(machine.register('r3')).toBe(0x3333n);
      expect(machine.register('hvbar')).toBe(BigInt(HVBAR));
      expect(machine.mode()).toBe('svc');
    }
  });

  it('an HVC from usr is an undefined instruction taken to und at VBAR+0x04: it never reaches the firmware', () => {
    const { machine, result, trace } = run(HVC_THEN_WFI, 'usr', { r0: 0n, r1: 0x4000n });
    expect(exceptions(trace)).toEqual([
      {
        kind: 'exception',
        exception: 'undefined',
        cause: 'undefined instruction at 0x00008000 (HVC is UNDEFINED at PL0)',
        from: 'usr',
        to: 'und',
        vector: VBAR + 0x04,
        returnAddress: CODE + 4,
        syndrome: undefined,
      },
    ]);
    expect(result).toMatchObject({ reason: 'wfi', pc: VBAR + 0x08 });
    expect(machine.mode()).toBe('und');
    // SET_VECTORS did not run: HVBAR and r0 are as they were, and no Hyp state was written.
    expect(machine.register('hvbar')).toBe(BigInt(HVBAR));
    expect(machine.register('r0')).toBe(0n);
    expect(machine.register('hsr')).toBe(0n);
    expect(returns(trace)).toEqual([]);
  });

  it('a prefetch abort reaching the abort slot stops with reason firmware, naming HIFAR and HVBAR+0x0c', () => {
    // In Hyp, branch to an unmapped address: the fetch faults and is taken to HVBAR + 0x0c.
    const { machine, result, trace } = run('bx r2', 'hyp', { r2: 0x0010_0000n });
    expect(result.reason).toBe('firmware');
    expect(result.pc).toBe(HVBAR + 0x0c);
    expect(machine.register('hifar')).toBe(0x0010_0000n);
    expect(result.detail).toBe(
      'linux-hyp-stub-v4.12 firmware: prefetch abort in Hyp at 0x00100000 (HIFAR; HVBAR+0x0c, HSR 0x86000010), taken from hyp (vector prefetch-abort)',
    );
    expect(exceptions(trace).map((e) => [e.exception, e.vector])).toEqual([['prefetch-abort', HVBAR + 0x0c]]);
  });

  it('a data abort in Hyp stops at HVBAR+0x10 naming HDFAR; an hvc of another conduit is refused by name', () => {
    const abort = run('ldr r0, [r2]', 'hyp', { r2: 0x0030_0000n });
    expect(abort.result).toMatchObject({ reason: 'firmware', pc: HVBAR + 0x10 });
    expect(abort.result.detail).toContain('data abort in Hyp at 0x00300000 (HDFAR; HVBAR+0x10');
    // svc executed in Hyp arrives at the call slot 0x08, but this ABI answers hvc.
    const svc = run('svc #0', 'hyp', {});
    expect(svc.result).toMatchObject({ reason: 'firmware', pc: HVBAR + 0x08 });
    expect(svc.result.detail).toBe('linux-hyp-stub-v4.12 firmware: a svc trap, but this ABI answers hvc: unexpected exception at HVBAR+0x08 (HSR 0x46000000), taken from hyp (vector svc/hvc-in-hyp)');
  });

  it('an hvc from Hyp mode enters at HVBAR+0x08; the stub answers kernel callers only, so the firmware stops saying why', () => {
    const { machine, result, trace } = run(HVC_THEN_WFI, 'hyp', { r0: 2n });
    expect(exceptions(trace).map((e) => [e.exception, e.vector])).toEqual([['hvc-in-hyp', HVBAR + 0x08]]);
    expect(result).toMatchObject({ reason: 'firmware', pc: HVBAR + 0x08 });
    expect(result.detail).toBe('linux-hyp-stub-v4.12 firmware: hvc #0 not handled: callable only from kernel in host, not from hyp in host');
    expect(machine.register('r0')).toBe(2n);
    expect(returns(trace)).toEqual([]);
  });
});
