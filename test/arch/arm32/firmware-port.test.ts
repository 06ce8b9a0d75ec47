/**
 * The arm32 firmware port's fast paths against the slow ones they replace:
 * `registerAccess` reads and writes r0–r12 exactly as the register view
 * does (in every mode, wrapping out-of-range values), and `pendingTrap`
 * decodes HSR, SPSR_hyp and VTTBR.VMID as before.
 */

import { describe, expect, it } from 'vitest';
import { createArm32Machine } from '../../../arch/arm32/core.ts';
import { ARM32_FIRMWARE_PORT } from '../../../arch/arm32/firmware-port.ts';

const VALUES = [0n, 1n, 255n, 256n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, -1n, -0x8000_0000n, (1n << 40n) + 5n, -(1n << 40n)];

describe('arm32 registerAccess', () => {
  it('offers accessors for r0–r12 only', () => {
    const machine = createArm32Machine();
    for (let i = 0; i <= 12; i++) expect(ARM32_FIRMWARE_PORT.registerAccess!(machine, `r${i}`)).toBeDefined();
    for (const name of ['r13', 'r14', 'r15', 'sp', 'lr', 'pc', 'cpsr', 'hvbar', 'r8_fiq', 'R0', 'r01', 'r16', 'x0']) expect(ARM32_FIRMWARE_PORT.registerAccess!(machine, name)).toBeUndefined();
  });

  it.each(['svc', 'fiq', 'hyp', 'usr'])('reads and writes like the register view in %s mode', (mode) => {
    const fast = createArm32Machine();
    const slow = createArm32Machine();
    fast.setMode(mode);
    slow.setMode(mode);
    for (let i = 0; i <= 12; i++) {
      const name = `r${i}`;
      const access = ARM32_FIRMWARE_PORT.registerAccess!(fast, name)!;
      for (const value of VALUES) {
        access.write(value);
        slow.setRegister(name, value);
        expect(fast.register(name)).toBe(slow.register(name));
        expect(access.read()).toBe(slow.register(name));
        slow.setRegister(name, value ^ 0x5a5an);
        fast.setRegister(name, value ^ 0x5a5an);
        expect(access.read()).toBe(slow.register(name));
      }
    }
    expect(fast.registers()).toEqual(slow.registers());
  });
});

describe('arm32 pendingTrap', () => {
  const slot = ARM32_FIRMWARE_PORT.slots.find((s) => s.name === 'hyp-trap')!;

  it.each([
    ['hvc #0x1234 from svc in the host', 0x4a00_1234n, 0x1d3n, 0n, { conduit: 'hvc', imm: 0x1234, origin: { privilege: 'kernel', world: 'host' } }],
    ['svc #5 from usr in a guest', 0x4600_0005n, 0x10n, 3n << 48n, { conduit: 'svc', imm: 5, origin: { privilege: 'user', world: 'guest' } }],
    ['smc from hyp (no immediate)', 0x4e00_0000n, 0x1an, 0n, { conduit: 'smc', imm: 0, origin: { privilege: 'hyp', world: 'host' } }],
  ] as const)('decodes %s', (_, hsr, spsr, vttbr, expected) => {
    const machine = createArm32Machine();
    machine.setRegister('hsr', hsr);
    machine.setRegister('spsr_hyp', spsr);
    machine.setRegister('vttbr', vttbr);
    expect(ARM32_FIRMWARE_PORT.pendingTrap(machine, slot)).toEqual(expected);
  });

  it('gives nothing for a syndrome that is not a call', () => {
    const machine = createArm32Machine();
    machine.setRegister('hsr', 0x8200_0010n); // EC 0x20: prefetch abort from below Hyp
    expect(ARM32_FIRMWARE_PORT.pendingTrap(machine, slot)).toBeUndefined();
  });
});
