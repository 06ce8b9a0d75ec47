/**
 * The arm64 firmware port: the VBAR_EL2 slots (four groups of four, calls at
 * the synchronous entries of the AArch64 groups), `pendingTrapReader`
 * decoding ESR_EL2, SPSR_EL2 and VTTBR_EL2.VMID, `registerSlot` reading and
 * writing exactly as the register view does; spec firmware answering real
 * traps (HVC from EL1 at +0x400, from EL2 at +0x200, a TSC-trapped SMC
 * returned past, an EL0 SVC routed by TGE) and stopping on what is not a
 * call; the conformance driver running generated suites, passing against a
 * spec's own firmware and failing, saying why, against another era's.
 */

import { describe, expect, it } from 'vitest';
import { LINUX_HYP_STUB_ARM64_V4_12, LINUX_HYP_STUB_ARM64_V4_8 } from '../../../arch/arm64/abis/linux-hyp-stub-arm64.abi.ts';
import { LINUX_SYSCALL_ARM64 } from '../../../arch/arm64/abis/linux-syscall-arm64.abi.ts';
import { XEN_ARM64 } from '../../../arch/arm64/abis/xen-arm64.abi.ts';
import { PSCI_ARM64_GUEST_SMC_V6_4, PSCI_ARM64_SMC } from '../../../arch/arm64/abis/psci-arm64.abi.ts';
import { createArm64Machine } from '../../../arch/arm64/core.ts';
import { ARM64_CONFORMANCE_DRIVER } from '../../../arch/arm64/firmware/conformance-driver.ts';
import { ARM64_FIRMWARE_PORT } from '../../../arch/arm64/firmware-port.ts';
import { SYS_REGISTERS } from '../../../arch/arm64/registers.ts';
import type { Abi } from '../../../src/abi/spec.ts';
import { generateSuite, runSuite, specFirmwareImplementation, type ConformanceReport } from '../../../src/firmware/conformance.ts';
import { installSpecFirmware, pendingTrap, type RegisterWords } from '../../../src/firmware/firmware.ts';
import { CODE, machineWith, run, type Arm64Machine } from './machine-harness.ts';

const port = ARM64_FIRMWARE_PORT;
const driver = ARM64_CONFORMANCE_DRIVER;
const VALUES = [0n, 1n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, -1n, (1n << 40n) + 5n, -(1n << 40n), (1n << 63n) | 3n, (1n << 64n) + 7n];

function slot(machine: Arm64Machine, name: string): RegisterWords | undefined {
  return port.registerSlot!(machine, name) as RegisterWords | undefined;
}

function read(words: RegisterWords): bigint {
  return (BigInt(words.words[words.high]!) << 32n) | BigInt(words.words[words.low]!);
}

function write(words: RegisterWords, value: bigint): void {
  const v = BigInt.asUintN(64, value);
  words.words[words.low] = Number(v & 0xffff_ffffn);
  words.words[words.high] = Number(v >> 32n);
}

describe('arm64 vector slots', () => {
  it('are the sixteen entries of VBAR_EL2, calls at the synchronous entry of the AArch64 groups', () => {
    expect(port.vectorBaseRegister).toBe('vbar_el2');
    expect([port.tableSize, port.alignment]).toEqual([0x800, 0x800]);
    expect(port.slots.map((s) => s.offset)).toEqual(Array.from({ length: 16 }, (_, i) => i * 0x80));
    expect(port.slots.filter((s) => s.calls).map((s) => [s.offset, s.name])).toEqual([
      [0x000, 'current-sp0-sync'],
      [0x200, 'current-spx-sync'],
      [0x400, 'lower-a64-sync'],
    ]);
  });
});

describe('arm64 registerSlot', () => {
  const stored = SYS_REGISTERS.filter((r) => r.kind === 'plain' || r.kind === 'read-only').map((r) => r.name);

  it('offers words for x0–x30 and the stored system registers only', () => {
    const machine = createArm64Machine();
    for (let i = 0; i <= 30; i++) expect(slot(machine, `x${i}`)).toMatchObject({ low: 2 * i, high: 2 * i + 1 });
    for (const name of stored) expect(slot(machine, name), name).toBeDefined();
    for (const name of ['sp', 'pc', 'pstate', 'sp_el0', 'sp_el1', 'sp_el2', 'nzcv', 'daif', 'currentel', 'spsel', 'cntpct_el0', 'oslar_el1', 'x31', 'w0', 'X0', 'r0']) expect(slot(machine, name), name).toBeUndefined();
  });

  it.each(['el0', 'el1h', 'el2h', 'el2t'])('reads and writes like the register view in %s', (mode) => {
    const fast = createArm64Machine();
    const slow = createArm64Machine();
    fast.setMode(mode);
    slow.setMode(mode);
    for (const name of [...Array.from({ length: 31 }, (_, i) => `x${i}`), ...stored]) {
      const words = slot(fast, name)!;
      for (const value of VALUES) {
        write(words, value);
        slow.setRegister(name, value);
        expect(fast.register(name), name).toBe(slow.register(name));
        fast.setRegister(name, value ^ 0x5a5an);
        slow.setRegister(name, value ^ 0x5a5an);
        expect(read(words), name).toBe(slow.register(name));
      }
    }
    expect(fast.registers()).toEqual(slow.registers());
  });
});

describe('arm64 pendingTrapReader', () => {
  const lower = port.slots.find((s) => s.name === 'lower-a64-sync')!;

  it.each([
    ['hvc #0x1234 from el1h in the host', 0x5a00_1234n, 0x3c5n, 0n, { conduit: 'hvc', imm: 0x1234, origin: { privilege: 'kernel', world: 'host' } }],
    ['hvc #0 from el2h (hyp)', 0x5a00_0000n, 0x3c9n, 0n, { conduit: 'hvc', imm: 0, origin: { privilege: 'hyp', world: 'host' } }],
    ['svc #5 from el0 in a guest', 0x5600_0005n, 0x0n, 3n << 48n, { conduit: 'svc', imm: 5, origin: { privilege: 'user', world: 'guest' } }],
    ['smc #0x42 from el1h in a guest (TSC)', 0x5e00_0042n, 0x3c5n, (0xffn << 48n) | 0x1234_5000n, { conduit: 'smc', imm: 0x42, origin: { privilege: 'kernel', world: 'guest' } }],
    ['a VTTBR_EL2 with a BADDR but VMID 0 is the host', 0x5a00_0000n, 0x3c4n, 0xffff_f000n | (1n << 56n), { conduit: 'hvc', imm: 0, origin: { privilege: 'kernel', world: 'host' } }],
  ] as const)('decodes %s', (_, esr, spsr, vttbr, expected) => {
    const machine = createArm64Machine();
    machine.setRegister('esr_el2', esr);
    machine.setRegister('spsr_el2', spsr);
    machine.setRegister('vttbr_el2', vttbr);
    expect(pendingTrap(port, machine, lower)).toEqual(expected);
    const into = { conduit: '', imm: -1, origin: { privilege: 'user' as const, world: 'host' as const } };
    const reader = port.pendingTrapReader(machine);
    expect(reader(lower, into)).toBe(true);
    const origin = into.origin;
    expect(reader(lower, into)).toBe(true);
    expect(into.origin).toBe(origin);
    expect(into).toEqual(expected);
  });

  it('reads a data abort from a lower EL (EC 0x24) as the data-abort conduit with no immediate', () => {
    const machine = createArm64Machine();
    machine.setRegister('esr_el2', 0x9381_0047n);
    expect(pendingTrap(port, machine, lower)).toMatchObject({ conduit: 'data-abort', imm: 0 });
  });

  it('gives nothing for a syndrome that is not a call, and leaves the record alone', () => {
    const machine = createArm64Machine();
    machine.setRegister('esr_el2', 0x9600_0010n); // EC 0x25: a data abort taken at EL2 itself
    expect(pendingTrap(port, machine, lower)).toBeUndefined();
    const into = { conduit: 'hvc', imm: 7, origin: { privilege: 'kernel' as const, world: 'host' as const } };
    expect(port.pendingTrapReader(machine)(lower, into)).toBe(false);
    expect(into).toEqual({ conduit: 'hvc', imm: 7, origin: { privilege: 'kernel', world: 'host' } });
  });
});

const FIRMWARE = 0x3_0000;

/** A machine running `source` in `mode` with `abi`'s firmware at VBAR_EL2. */
function withFirmware(abi: Abi, source: string, mode: string): Arm64Machine {
  const machine = machineWith(source, mode);
  installSpecFirmware(machine, port, abi, FIRMWARE);
  return machine;
}

describe('spec firmware at VBAR_EL2', () => {
  it('answers hvc #0 from EL1 at +0x400 and returns to the caller at EL1', () => {
    const machine = withFirmware(LINUX_HYP_STUB_ARM64_V4_12, 'mov x0, #2\nhvc #0\nmov x5, x0\nwfi', 'el1h');
    machine.setRegister('x0', 0xdeadn);
    const { result, events } = run(machine);
    expect(result.reason).toBe('wfi');
    expect(events.find((e) => e.kind === 'exception')).toMatchObject({ vector: FIRMWARE + 0x400, from: 'el1h', to: 'el2h', syndrome: 0x5a00_0000 });
    expect(events.find((e) => e.kind === 'return')).toMatchObject({ from: 'el2h', to: 'el1h', target: CODE + 8 });
    // HVC_RESET_VECTORS: x0 = 0.
    expect(machine.register('x5')).toBe(0n);
    expect(machine.mode()).toBe('el1h');
  });

  it('answers HVC_SET_VECTORS from EL1 by writing VBAR_EL2 with the full 64-bit x1', () => {
    const machine = withFirmware(LINUX_HYP_STUB_ARM64_V4_12, 'mov x0, #0\nhvc #0\nwfi', 'el1h');
    machine.setRegister('x1', 0x1_4008_0800n);
    expect(run(machine).result.reason).toBe('wfi');
    expect(machine.register('vbar_el2')).toBe(0x1_4008_0800n);
  });

  it('takes an hvc made at EL2 itself at +0x200 (current EL, SP_EL2), where the stub refuses a hyp caller', () => {
    const machine = withFirmware(LINUX_HYP_STUB_ARM64_V4_12, 'mov x0, #3\nhvc #0\nwfi', 'el2h');
    const { result, events } = run(machine);
    expect(events.find((e) => e.kind === 'exception')).toMatchObject({ vector: FIRMWARE + 0x200, from: 'el2h', to: 'el2h' });
    expect(result.reason).toBe('firmware');
    expect(result.detail).toBe('linux-hyp-stub-arm64-v4.12 firmware: hvc #0 not handled: callable only from kernel in host, not from hyp in host');
    expect(machine.pc).toBe(FIRMWARE + 0x200);
  });

  it('returns past an SMC trapped by HCR_EL2.TSC (ELR_EL2 is on the SMC itself)', () => {
    const machine = withFirmware(PSCI_ARM64_GUEST_SMC_V6_4, 'movz x0, #0x8400, lsl #16\nsmc #0\nmov x7, x0\nwfi', 'el1h');
    machine.setRegister('hcr_el2', 1n << 19n);
    machine.setRegister('vttbr_el2', 1n << 48n);
    const { result, events } = run(machine);
    expect(result.reason).toBe('wfi');
    expect(events.find((e) => e.kind === 'exception')).toMatchObject({ vector: FIRMWARE + 0x400, returnAddress: CODE + 4, syndrome: 0x5e00_0000 });
    expect(events.find((e) => e.kind === 'return')).toMatchObject({ target: CODE + 8 });
    // PSCI_VERSION from a guest: 1.0 (0x10000), seen by the instruction after the SMC (x0 itself was 0x84000000).
    expect(machine.register('x7')).toBe(0x1_0000n);
  });

  it('answers an EL0 svc routed to EL2 by HCR_EL2.TGE', () => {
    const machine = withFirmware(LINUX_SYSCALL_ARM64, 'mov x8, #172\nsvc #0\nwfi', 'el0');
    machine.setRegister('hcr_el2', 1n << 27n);
    const { result, events } = run(machine);
    expect(result.reason).toBe('wfi');
    expect(events.find((e) => e.kind === 'exception')).toMatchObject({ vector: FIRMWARE + 0x400, from: 'el0', to: 'el2h' });
    expect(machine.mode()).toBe('el0');
  });

  it('stops on a data abort taken to EL2 by firmware of another conduit, saying where, with the PC on the vector', () => {
    const machine = withFirmware(LINUX_HYP_STUB_ARM64_V4_12, 'mov x1, #0x7000\nlsl x1, x1, #32\nldr x0, [x1]\nwfi', 'el0');
    machine.setRegister('hcr_el2', 1n << 27n);
    const { result } = run(machine);
    expect(result.reason).toBe('firmware');
    expect(result.detail).toBe(
      'linux-hyp-stub-arm64-v4.12 firmware: a data-abort trap, but this ABI answers hvc: data abort at EL2 for 0x0000700000000000 (FAR_EL2) by the instruction at 0x00080008 (VBAR_EL2+0x400, ESR_EL2 0x92000010), taken from el0 (vector lower-a64-sync)',
    );
    expect(machine.pc).toBe(FIRMWARE + 0x400);
  });
});

function suite(abi: Abi, impl: Abi = abi): ConformanceReport {
  return runSuite(abi, generateSuite(abi, port, driver), port, driver, specFirmwareImplementation(port, impl));
}

function failures(report: ConformanceReport): string[] {
  return report.results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.why}`);
}

describe('arm64 conformance', () => {
  it.each([LINUX_HYP_STUB_ARM64_V4_12, LINUX_HYP_STUB_ARM64_V4_8, PSCI_ARM64_GUEST_SMC_V6_4, XEN_ARM64].map((abi) => [abi.spec.id, abi] as const))('%s passes against its own firmware', (_, abi) => {
    const report = suite(abi);
    expect(failures(report)).toEqual([]);
    expect(report.passed).toBeGreaterThan(0);
  });

  it('the v4.12 suite fails against the v4.8 stub, saying why', () => {
    const report = suite(LINUX_HYP_STUB_ARM64_V4_12, LINUX_HYP_STUB_ARM64_V4_8);
    expect(report.passed).toBe(0);
    expect(failures(report)).toContain(
      'invalid x0=0x3: expected to return to the caller at 0x00008004 in el1h with x0=0xbadca11; returned, but x0=0x3 (expected 0xbadca11)',
    );
  });

  it('refuses callers that cannot reach the EL2 vectors, saying why', () => {
    expect(driver.unsupported({ conduit: 'hvc', imm: 0, origin: { privilege: 'user', world: 'host' } })).toMatch(/HVC is UNDEFINED at EL0/);
    expect(driver.unsupported({ conduit: 'smc', imm: 0, origin: { privilege: 'hyp', world: 'host' } })).toMatch(/EL3/);
    expect(driver.unsupported({ conduit: 'svc', imm: 0, origin: { privilege: 'kernel', world: 'guest' } })).toMatch(/VBAR_EL1/);
    expect(driver.unsupported({ conduit: 'hvc', imm: 0x10000, origin: { privilege: 'kernel', world: 'host' } })).toMatch(/16-bit/);
    const smc = generateSuite(PSCI_ARM64_SMC, port, driver);
    expect(smc.skipped.some((s) => s.why.includes('EL3'))).toBe(true);
    expect(smc.cases.length).toBeGreaterThan(0);
  });

  it('refuses landing pads that are not A64 instruction addresses', () => {
    expect(driver.landingPadProblem(0xffff_0000_0809_1000n)).toMatch(/48-bit/);
    expect(driver.landingPadProblem(0x4008_0002n)).toMatch(/word-aligned/);
    expect(driver.landingPadProblem(0x8010n)).toMatch(/caller/);
    expect(driver.landingPadProblem(0x2400n)).toMatch(/vector area/);
    expect(driver.landingPadProblem(0x4008_0000n)).toBeUndefined();
  });
});
