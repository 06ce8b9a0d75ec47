/**
 * The arm32 firmware port's fast paths against the slow ones they replace:
 * `registerSlot` gives words for r0–r12 and the cp15 registers only, which
 * read and write exactly as the register view does (in every mode, wrapping
 * out-of-range values), and `pendingTrapReader` decodes HSR, SPSR_hyp and
 * VTTBR.VMID.
 */

import { describe, expect, it } from 'vitest';
import { createArm32Machine } from '../../../arch/arm32/core.ts';
import { ARM32_FIRMWARE_PORT } from '../../../arch/arm32/firmware-port.ts';
import { CP15_REGISTERS } from '../../../arch/arm32/registers.ts';
import { pendingTrap, type RegisterWords } from '../../../src/firmware/firmware.ts';

const VALUES = [0n, 1n, 255n, 256n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, -1n, -0x8000_0000n, (1n << 40n) + 5n, -(1n << 40n), (1n << 64n) + 7n];

function slot(machine: ReturnType<typeof createArm32Machine>, name: string): RegisterWords | undefined {
  return ARM32_FIRMWARE_PORT.registerSlot!(machine, name) as RegisterWords | undefined;
}

/** What a words slot holds, read as the firmware reads it. */
function read(words: RegisterWords): bigint {
  const low = BigInt(words.words[words.low]!);
  return words.high < 0 ? low : (BigInt(words.words[words.high]!) << 32n) | low;
}

/** A write through a words slot, as the firmware makes it. */
function write(words: RegisterWords, value: bigint): void {
  const v = BigInt.asUintN(64, value);
  words.words[words.low] = Number(v & 0xffff_ffffn);
  if (words.high >= 0) words.words[words.high] = Number(v >> 32n);
}

const CP15 = CP15_REGISTERS.map((r) => r.name);

describe('arm32 registerSlot', () => {
  it('offers words for r0–r12 and cp15 only (64-bit ones with a high word)', () => {
    const machine = createArm32Machine();
    for (let i = 0; i <= 12; i++) expect(slot(machine, `r${i}`)).toMatchObject({ low: i, high: -1 });
    for (const r of CP15_REGISTERS) expect(slot(machine, r.name)?.high !== -1, r.name).toBe(r.width === 64);
    for (const name of ['r13', 'r14', 'r15', 'sp', 'lr', 'pc', 'cpsr', 'elr_hyp', 'spsr_hyp', 'sp_hyp', 'r8_fiq', 'R0', 'r01', 'r16', 'x0']) expect(slot(machine, name)).toBeUndefined();
  });

  it.each(['svc', 'fiq', 'hyp', 'usr'])('reads and writes like the register view in %s mode', (mode) => {
    const fast = createArm32Machine();
    const slow = createArm32Machine();
    fast.setMode(mode);
    slow.setMode(mode);
    for (const name of [...Array.from({ length: 13 }, (_, i) => `r${i}`), ...CP15]) {
      const words = slot(fast, name)!;
      for (const value of VALUES) {
        write(words, value);
        slow.setRegister(name, value);
        expect(fast.register(name), name).toBe(slow.register(name));
        expect(read(words), name).toBe(slow.register(name));
        slow.setRegister(name, value ^ 0x5a5an);
        fast.setRegister(name, value ^ 0x5a5an);
        expect(read(words), name).toBe(slow.register(name));
      }
    }
    expect(fast.registers()).toEqual(slow.registers());
  });
});

describe('arm32 pendingTrapReader', () => {
  const hypTrap = ARM32_FIRMWARE_PORT.slots.find((s) => s.name === 'hyp-trap')!;

  it.each([
    ['hvc #0x1234 from svc in the host', 0x4a00_1234n, 0x1d3n, 0n, { conduit: 'hvc', imm: 0x1234, origin: { privilege: 'kernel', world: 'host' } }],
    ['svc #5 from usr in a guest', 0x4600_0005n, 0x10n, 3n << 48n, { conduit: 'svc', imm: 5, origin: { privilege: 'user', world: 'guest' } }],
    ['smc from hyp (no immediate)', 0x4e00_0000n, 0x1an, 0n, { conduit: 'smc', imm: 0, origin: { privilege: 'hyp', world: 'host' } }],
  ] as const)('decodes %s', (_, hsr, spsr, vttbr, expected) => {
    const machine = createArm32Machine();
    machine.setRegister('hsr', hsr);
    machine.setRegister('spsr_hyp', spsr);
    machine.setRegister('vttbr', vttbr);
    expect(pendingTrap(ARM32_FIRMWARE_PORT, machine, hypTrap)).toEqual(expected);
    // Into a record, reusing the port's shared origin objects: the same trap twice gives the same origin object.
    const into = { conduit: '', imm: -1, origin: { privilege: 'user' as const, world: 'host' as const } };
    const read = ARM32_FIRMWARE_PORT.pendingTrapReader(machine);
    expect(read(hypTrap, into)).toBe(true);
    const origin = into.origin;
    expect(read(hypTrap, into)).toBe(true);
    expect(into.origin).toBe(origin);
    expect(into).toEqual(expected);
  });

  it('gives nothing for a syndrome that is not a call, and leaves the record alone', () => {
    const machine = createArm32Machine();
    machine.setRegister('hsr', 0x8200_0010n); // EC 0x20: prefetch abort from below Hyp
    expect(pendingTrap(ARM32_FIRMWARE_PORT, machine, hypTrap)).toBeUndefined();
    const into = { conduit: 'hvc', imm: 7, origin: { privilege: 'kernel' as const, world: 'host' as const } };
    expect(ARM32_FIRMWARE_PORT.pendingTrapReader(machine)(hypTrap, into)).toBe(false);
    expect(into).toEqual({ conduit: 'hvc', imm: 7, origin: { privilege: 'kernel', world: 'host' } });
  });
});
