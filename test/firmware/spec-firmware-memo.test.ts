/**
 * Spec firmware remembers the last call a trap reached (the fast path of
 * `installSpecFirmware`). The memory must never answer for a trap that
 * differs in its immediate, caller, selector or condition registers: each
 * such trap gets exactly the answer `findCall` gives.
 */

import { describe, expect, it } from 'vitest';
import { createArm32Machine } from '../../arch/arm32/core.ts';
import { ARM32_FIRMWARE_PORT } from '../../arch/arm32/firmware-port.ts';
import { defineAbi, RETURN, type Abi } from '../../src/abi/spec.ts';
import { PAPR_KVM } from '../../arch/ppc64/abis/papr.abi.ts';
import { PPC64_BACKEND } from '../../arch/ppc64/backend.ts';
import { PPC64_FIRMWARE_PORT } from '../../arch/ppc64/firmware-port.ts';
import { installSpecFirmware } from '../../src/firmware/firmware.ts';
import type { Machine } from '../../src/interp/machine.ts';
import { ARM32_INSTRUCTION_SET } from '../../arch/arm32/core.ts';
import { assemble } from '../../src/isa/assembler.ts';

const HVBAR = 0x2000;
const CODE = 0x8000;

/** hvc #0 or #1 from the host kernel with r7 = 0x42: r0 = 0 counts in r2, r0 = 1 sets r3 to 7. */
const COUNTER: Abi = defineAbi({
  id: 'memo-test',
  family: 'memo-test',
  arch: 'arm32',
  era: 'test',
  status: 'draft',
  purpose: 'exercise the firmware decision memory',
  source: { document: 'test/firmware/spec-firmware-memo.test.ts', version: 'test' },
  conduit: { instruction: 'hvc', imm: { min: 0n, max: 1n } },
  origin: { privilege: ['kernel'], world: ['host'] },
  selector: { register: 'r0', width: 32 },
  conditions: [{ register: 'r7', values: 0x42n, why: 'magic' }],
  priority: 0,
  calls: [
    { name: 'COUNT', select: 0n, summary: 'r2 += 1', run: (c) => (c.set('r2', c.get('r2') + 1n), { kind: 'return' }) },
    { name: 'SEVEN', select: 1n, summary: 'r3 = 7', run: (c) => (c.set('r3', 7n), { kind: 'return' }) },
  ],
  examples: [],
});

function machineWith(source: string): Machine {
  const machine = createArm32Machine();
  machine.memory.load(CODE, assemble(ARM32_INSTRUCTION_SET, source, CODE).bytes);
  installSpecFirmware(machine, ARM32_FIRMWARE_PORT, COUNTER, HVBAR);
  machine.setMode('svc');
  machine.pc = CODE;
  return machine;
}

describe('the firmware decision memory', () => {
  it('follows the selector back and forth, then refuses a failed condition', () => {
    const machine = machineWith(['mov r0, #0', 'mov r7, #0x42', 'hvc #0', 'hvc #1', 'mov r0, #1', 'hvc #0', 'mov r0, #0', 'hvc #0', 'mov r7, #0x43', 'hvc #0', 'wfi'].join('\n'));
    const result = machine.run(100);
    expect(result.reason).toBe('firmware');
    expect(result.detail).toBe('memo-test firmware: hvc #0 not handled: r7=0x43 fails the condition r7 ∈ {0x42} (magic)');
    expect(machine.register('r2')).toBe(3n);
    expect(machine.register('r3')).toBe(7n);
  });

  it('refuses an immediate the spec does not answer, right after a remembered call', () => {
    const machine = machineWith(['mov r0, #0', 'mov r7, #0x42', 'hvc #1', 'hvc #2', 'wfi'].join('\n'));
    const result = machine.run(100);
    expect(result.reason).toBe('firmware');
    expect(result.detail).toBe('memo-test firmware: hvc #2 not handled: answers only to immediate 0x0–0x1');
    expect(machine.register('r2')).toBe(1n);
  });

  /** Take the Hyp-trap vector directly, as if `hvc #0` had been executed from `spsr`'s mode with this VTTBR. */
  function trapAt(machine: Machine, spsr: bigint, vttbr: bigint): ReturnType<Machine['run']> {
    machine.setMode('hyp');
    machine.setRegister('hsr', 0x4a00_0000n);
    machine.setRegister('spsr_hyp', spsr);
    machine.setRegister('vttbr', vttbr);
    machine.setRegister('elr_hyp', BigInt(CODE));
    machine.pc = HVBAR + 0x14;
    return machine.run(1);
  }

  it('refuses a guest or a user caller right after the same call from the host kernel', () => {
    const machine = machineWith('wfi');
    machine.setRegister('r7', 0x42n);
    expect(trapAt(machine, 0x1d3n, 0n)).toMatchObject({ reason: 'budget-exhausted', pc: CODE });
    expect(machine.register('r2')).toBe(1n);
    const guest = trapAt(machine, 0x1d3n, 1n << 48n);
    expect(guest.reason).toBe('firmware');
    expect(guest.detail).toBe('memo-test firmware: hvc #0 not handled: callable only from kernel in host, not from kernel in guest');
    expect(trapAt(machine, 0x1d3n, 0n)).toMatchObject({ reason: 'budget-exhausted', pc: CODE });
    const user = trapAt(machine, 0x10n, 0n);
    expect(user.detail).toBe('memo-test firmware: hvc #0 not handled: callable only from kernel in host, not from user in host');
    expect(machine.register('r2')).toBe(2n);
  });

  /** Selectors 0, 8 and 16 share their low bits, 1 does not; r0 = 8 is SEVEN too, r0 = 16 no call. */
  const TABLE: Abi = defineAbi({
    ...COUNTER.spec,
    id: 'memo-table-test',
    conditions: [],
    calls: [
      { name: 'COUNT', select: 0n, summary: 'r2 += 1', run: (c) => (c.set('r2', c.get('r2') + 1n), RETURN) },
      { name: 'SEVEN', select: [1n, 8n], summary: 'r3 += 7', run: (c) => (c.set('r3', c.get('r3') + 7n), RETURN) },
    ],
  });

  it('decides afresh whenever the selector moves, between values that share their low bits too', () => {
    const machine = createArm32Machine();
    const sequence = [0, 1, 0, 8, 0, 8, 1, 1, 0, 16];
    machine.memory.load(CODE, assemble(ARM32_INSTRUCTION_SET, [...sequence.flatMap((v) => [`mov r0, #${v}`, 'hvc #0']), 'wfi'].join('\n'), CODE).bytes);
    installSpecFirmware(machine, ARM32_FIRMWARE_PORT, TABLE, HVBAR);
    machine.setMode('svc');
    machine.pc = CODE;
    const result = machine.run(200);
    expect(result.detail).toBe('memo-table-test firmware: hvc #0 not handled: r0=0x10 is not one of its calls');
    expect(machine.register('r2')).toBe(4n);
    expect(machine.register('r3')).toBe(35n);
  });

  it('compares the whole 64-bit selector: r3 = 0x1_0000_0024 is not H_SET_SPRG0 (0x24), right after it', () => {
    const machine = PPC64_BACKEND.createMachine();
    const program = ['li 4, 0x77', 'li 3, 0x24', 'sc 1', 'mr 20, 3', 'li 3, 1', 'sldi 3, 3, 32', 'ori 3, 3, 0x24', 'li 4, 0x55', 'sc 1', 'mr 21, 3', 'wait'].join('\n');
    machine.memory.load(0x4000, assemble(PPC64_BACKEND.instructionSet('big'), program, 0x4000).bytes);
    installSpecFirmware(machine, PPC64_FIRMWARE_PORT, PAPR_KVM, 0);
    machine.setMode('supervisor');
    machine.pc = 0x4000;
    expect(machine.run(100).reason).toBe('wfi');
    expect(machine.register('r20')).toBe(0n);
    expect(machine.register('sprg0')).toBe(0x77n);
    // 0x1_0000_0024 is no PAPR opcode: H_FUNCTION (−2), SPRG0 untouched.
    expect(machine.register('r21')).toBe(0xffff_ffff_ffff_fffen);
  });
});
