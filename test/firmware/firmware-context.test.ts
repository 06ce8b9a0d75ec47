/**
 * The firmware's call context against the machine's by-name register view,
 * on every backend with a firmware port: every register the view has, read
 * and written through a handle (resolved when the context was made, or
 * interned later) and through its name, in both forms (`get`/`set` and
 * `u32`/`setU32`) and with `copy`, gives exactly what `machine.register` and
 * `machine.setRegister` give, for values that wrap, are negative or wider
 * than 64 bits. Unknown registers throw as the machine does. Its guest
 * memory's bulk copy and fill leave memory as `copyMemory` and `fillMemory`
 * do through `read` and `write` alone.
 */

import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { PPC64_BACKEND } from '../../arch/ppc64/backend.ts';
import { BigIntCallContext, copyMemory, fillMemory, reg, registerName, type CallMemory, type HypervisorState, type Origin, type RegisterOperand } from '../../src/abi/spec.ts';
import { FirmwareContext } from '../../src/firmware/firmware.ts';
import type { ArchBackend } from '../../src/interp/backend.ts';
import { MachineError, type Machine } from '../../src/interp/machine.ts';

const VALUES = [0n, 1n, 255n, 256n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn, -1n, -2n, -0x8000_0000n, (1n << 40n) + 5n, -(1n << 40n), (1n << 64n) + 7n];
const NUMBERS = [0, 1, 255, 256, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, -1, -2, 0x1_0000_0001, 2 ** 40 + 3];

/** The context the interface defines from get/set alone, over a live machine: the reference for the firmware's fast paths. */
class MachineContext extends BigIntCallContext {
  readonly imm = 0;
  readonly origin: Origin = { privilege: 'kernel', world: 'host' };
  readonly state = undefined as unknown as HypervisorState;
  readonly memory = undefined as unknown as CallMemory;
  constructor(private readonly machine: Machine) {
    super();
  }
  get(register: RegisterOperand): bigint {
    return this.machine.register(registerName(register));
  }
  set(register: RegisterOperand, value: bigint): void {
    this.machine.setRegister(registerName(register), value);
  }
}

/** Registers whose writes have side effects beyond their own value (a mode switch, the PC): checked on their own. */
const SPECIAL: Readonly<Record<string, readonly string[]>> = { arm32: ['cpsr', 'pc'], ppc64: ['msr', 'pc', 'ivbase'] };

function backends(): [string, ArchBackend, string][] {
  return [
    ['arm32', ARM32_BACKEND, 'hyp'],
    ['ppc64', PPC64_BACKEND, 'hv'],
  ];
}

describe.each(backends())('the %s firmware context', (arch, backend, mode) => {
  function pair(): { fast: Machine; slow: Machine; context: FirmwareContext; reference: MachineContext } {
    const fast = backend.createMachine();
    const slow = backend.createMachine();
    fast.setMode(mode);
    slow.setMode(mode);
    return { fast, slow, context: new FirmwareContext(fast, backend.firmware!), reference: new MachineContext(slow) };
  }
  const names = (machine: Machine): string[] => Object.keys(machine.registers()).filter((n) => !SPECIAL[arch]!.includes(n));

  it('reads and writes every register of the view as the machine does, by handle and by name, in both forms', () => {
    const { fast, slow, context, reference } = pair();
    for (const name of names(fast)) {
      for (const operand of [reg(name), name]) {
        for (const value of VALUES) {
          context.set(operand, value);
          reference.set(operand, value);
          expect(context.get(operand), `${name} set ${value}`).toBe(reference.get(operand));
          expect(context.u32(operand), `${name} u32 after set ${value}`).toBe(reference.u32(operand));
          expect(context.high32(operand), `${name} high32`).toBe(Number(BigInt.asUintN(32, reference.get(operand) >> 32n)));
        }
        for (const value of NUMBERS) {
          context.setU32(operand, value);
          reference.setU32(operand, value);
          expect(context.get(operand), `${name} setU32 ${value}`).toBe(reference.get(operand));
        }
      }
    }
    expect(fast.registers()).toEqual(slow.registers());
  });

  it('copies between any two registers as set(to, get(from)) does', () => {
    const { fast, slow, context, reference } = pair();
    const all = names(fast);
    let seed = 0x1234_5678_9abc_def0n;
    for (const name of all) {
      seed = BigInt.asUintN(64, seed * 6364136223846793005n + 1442695040888963407n);
      fast.setRegister(name, seed);
      slow.setRegister(name, seed);
    }
    for (const from of all) {
      for (const to of [all[0]!, all[all.length - 1]!, 'r1', 'r3', arch === 'arm32' ? 'hvbar' : 'sprg0', arch === 'arm32' ? 'vttbr' : 'cr']) {
        context.copy(reg(to), reg(from));
        reference.copy(to, from);
        expect(fast.registers(), `${to} <- ${from}`).toEqual(slow.registers());
      }
    }
  });

  it('resolves a handle interned after the context was made, and throws for a register the machine does not have', () => {
    const { fast, context } = pair();
    const late = reg(`late-${arch}-${Math.random().toString(36).slice(2)}`);
    expect(() => context.get(late)).toThrow(MachineError);
    expect(() => context.setU32(late, 1)).toThrow(MachineError);
    expect(() => context.u32('no-such-register')).toThrow(MachineError);
    // A real register under a handle the context had never seen (a fresh name string resolves the same way).
    context.setU32('r2', 0xdead_beef);
    expect(fast.register('r2')).toBe(0xdead_beefn);
  });

  it("copies and fills guest memory in bulk exactly as copyMemory and fillMemory do through the memory's read and write", () => {
    const base = 0x4_0000;
    const machines = [backend.createMachine(), backend.createMachine()];
    for (const machine of machines) {
      machine.memory.map(base, 0x3000);
      machine.memory.writeBytes(base, Uint8Array.from({ length: 0x3000 }, (_, i) => (i * 7 + 3) & 0xff));
    }
    const bulk = new FirmwareContext(machines[0]!, backend.firmware!).memory;
    const words = new FirmwareContext(machines[1]!, backend.firmware!).memory;
    expect(bulk.copy).toBeDefined();
    // The same memory without its bulk forms: the fallbacks' reads and writes.
    const plain: CallMemory = { read: (address, size) => words.read(address, size), write: (address, size, value) => words.write(address, size, value) };
    const b = BigInt(base);
    const steps: ((memory: CallMemory) => boolean)[] = [
      (m) => copyMemory(m, b, b + 0x1000n, 0x1000),
      (m) => copyMemory(m, b + 0x10n, b + 0x3n, 0x105),
      (m) => copyMemory(m, b + 0x3n, b + 0x10n, 0x105),
      (m) => fillMemory(m, b + 0x2001n, 0x11, 0xa5),
      (m) => fillMemory(m, b + 0x1000n, 0x1000, 0),
      (m) => copyMemory(m, b + 0x2ff8n, b, 0x10), // the destination runs off the end: nothing written
      (m) => copyMemory(m, b, b + 0x2ff8n, 0x10), // so does the source
      (m) => fillMemory(m, b - 8n, 0x10, 0xff),
      (m) => fillMemory(m, b + 0x2f00n, 0x100, 0x5a),
    ];
    for (const [index, step] of steps.entries()) {
      expect(step(bulk), `step ${index}`).toBe(step(plain));
      expect(machines[0]!.memory.readBytes(base, 0x3000), `step ${index}`).toEqual(machines[1]!.memory.readBytes(base, 0x3000));
    }
    expect(steps.map((step) => step(bulk))).toEqual([true, true, true, true, true, false, false, false, true]);
  });

  it('keeps the special registers going through the view: their writes behave as setRegister does', () => {
    const { fast, slow, context, reference } = pair();
    for (const name of SPECIAL[arch]!.filter((n) => n !== 'ivbase')) {
      const value = reference.get(name);
      context.set(name, value);
      reference.set(name, value);
      expect(context.get(name)).toBe(reference.get(name));
    }
    expect(fast.registers()).toEqual(slow.registers());
    expect(fast.mode()).toBe(slow.mode());
  });
});
