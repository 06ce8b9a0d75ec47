/**
 * The kvm-arm64-mmio specs run directly against a device bus: ISV = 1
 * accesses decoded from ESR_EL2 and completed into Xt/Wt (XZR discards a
 * load and stores 0), the v5.6 SF fix that stops a W load sign-extending
 * into bits 63:32, ISV = 0 as −ENOSYS or as QEMU's external abort with
 * inject_abt64's ESR_EL1 0x96000010 and vector, and cache maintenance
 * skipped.
 */

import { describe, expect, it } from 'vitest';
import { KVM_ARM64_MMIO_ABIS } from '../../../../arch/arm64/abis/kvm-arm64-mmio.abi.ts';
import { BigIntCallContext, MapHypervisorState, type Abi, type CallMemory, type Origin, type RegisterOperand, type SpecOutcome } from '../../../../src/abi/spec.ts';
import { layeredMemory, MmioBus } from '../../../../src/devices/mmio-bus.ts';
import { TestRegisterFile } from '../../../../src/devices/test-register-file.ts';

/** Registers in a map (64 bits), memory a device bus at 0x09000000. */
class MmioContext extends BigIntCallContext {
  readonly imm = 0;
  readonly origin: Origin = { privilege: 'kernel', world: 'guest' };
  readonly state = new MapHypervisorState();
  readonly memory: CallMemory;
  readonly registers: Map<string, bigint>;

  constructor(registers: Record<string, bigint>, bus: MmioBus) {
    super();
    this.registers = new Map(Object.entries(registers));
    this.memory = layeredMemory(bus, { read: () => undefined, write: () => false });
  }

  get(register: RegisterOperand): bigint {
    return this.registers.get(typeof register === 'string' ? register : register.name) ?? 0n;
  }

  set(register: RegisterOperand, value: bigint): void {
    this.registers.set(typeof register === 'string' ? register : register.name, BigInt.asUintN(64, value));
  }
}

const ALL = ['kvm-arm64-mmio-v4.19', 'kvm-arm64-mmio-v5.6', 'kvm-arm64-mmio-v5.6-nisv'];
const spec = (id: string): Abi => KVM_ARM64_MMIO_ABIS.find((abi) => abi.spec.id === id)!;

function run(id: string, registers: Record<string, bigint>) {
  const device = new TestRegisterFile({ registers: [{ name: 'DATA', offset: 0, value: 0x8001n }, { name: 'CTRL', offset: 8 }] });
  const bus = new MmioBus().map('test0', 0x0900_0000n, device);
  const context = new MmioContext({ hpfar_el2: 0x0009_0000n, far_el2: 0x0900_0000n, elr_el2: 0x4_0100n, spsr_el2: 0x3c5n, vbar_el1: 0x8_0800n, ...registers }, bus);
  const call = spec(id).calls.find((c) => c.values.has(registers.esr_el2!))!;
  const outcome: SpecOutcome = call.spec.run(context);
  return { outcome, context, device, call: call.spec.name };
}

describe('kvm-arm64-mmio specs', () => {
  it('are one family on the data-abort conduit, selected by ESR_EL2 EC 0x24 with ISV set or clear', () => {
    expect(KVM_ARM64_MMIO_ABIS.map((a) => a.spec.id)).toEqual(ALL);
    for (const abi of KVM_ARM64_MMIO_ABIS) {
      expect(abi.spec.conduit.instruction).toBe('data-abort');
      const name = (esr: number) => abi.calls.find((c) => c.values.has(BigInt(esr)))?.spec.name;
      expect(name(0x9381_0047)).toBe('MMIO access, syndrome valid');
      expect(name(0x9200_0007)).toBe('MMIO access, no valid syndrome');
      // An HVC64 (EC 0x16) and a data abort taken at EL2 itself (EC 0x25) are not this family's.
      expect(name(0x5a00_0000)).toBeUndefined();
      expect(name(0x9781_0047)).toBeUndefined();
    }
  });

  it.each(ALL)('%s: str w1, [x0] (ESR_EL2 0x93810047) writes the low word of x1 at the fault IPA and advances by 4', (id) => {
    const { outcome, context, device } = run(id, { esr_el2: 0x9381_0047n, far_el2: 0x0900_0008n, x1: 0xaaaa_bbbb_1234_5678n });
    expect(outcome).toEqual({ kind: 'return' });
    expect(device.log).toEqual([{ direction: 'write', offset: 8, size: 4, value: 0x1234_5678n }]);
    expect(context.get('elr_el2')).toBe(0x4_0104n);
  });

  it('a store of wzr (SRT 31) writes 0, and a load into xzr writes no register', () => {
    const store = run('kvm-arm64-mmio-v5.6', { esr_el2: 0x939f_0047n, far_el2: 0x0900_0008n, x30: 0x55n });
    expect(store.device.log).toEqual([{ direction: 'write', offset: 8, size: 4, value: 0n }]);
    const load = run('kvm-arm64-mmio-v5.6', { esr_el2: 0x939f_0007n });
    expect([...load.context.registers.keys()].filter((r) => /^x/.test(r))).toEqual([]);
    expect(load.device.log).toHaveLength(1);
  });

  it('ldrsh x1 of 0x8001 sign-extends to 64 bits in every era; ldrsh w1 keeps 32 bits only from v5.6 (SF read)', () => {
    for (const id of ALL) expect(run(id, { esr_el2: 0x9361_8007n }).context.get('x1'), id).toBe(0xffff_ffff_ffff_8001n);
    expect(run('kvm-arm64-mmio-v4.19', { esr_el2: 0x9361_0007n }).context.get('x1')).toBe(0xffff_ffff_ffff_8001n);
    expect(run('kvm-arm64-mmio-v5.6', { esr_el2: 0x9361_0007n }).context.get('x1')).toBe(0x0000_0000_ffff_8001n);
    // A doubleword load (SAS = 3, SF) reads 8 bytes.
    const wide = run('kvm-arm64-mmio-v5.6', { esr_el2: 0x93c2_8007n });
    expect(wide.device.log).toEqual([{ direction: 'read', offset: 0, size: 8, value: 0x8001n }]);
    expect(wide.context.get('x2')).toBe(0x8001n);
  });

  it('ISV = 0 stops the VM with -ENOSYS without the NISV capability', () => {
    for (const id of ['kvm-arm64-mmio-v4.19', 'kvm-arm64-mmio-v5.6']) {
      const { outcome, device } = run(id, { esr_el2: 0x9200_0007n });
      expect(outcome).toMatchObject({ kind: 'exit', exit: 'KVM_RUN: -ENOSYS' });
      expect(device.log).toEqual([]);
    }
  });

  it('ISV = 0 with NISV to QEMU: inject_abt64 from EL1h gives ESR_EL1 0x96000010, FAR_EL1, ELR_EL1 = the PC, VBAR_EL1 + 0x200 in EL1h with DAIF masked', () => {
    const { outcome, context, device } = run('kvm-arm64-mmio-v5.6-nisv', { esr_el2: 0x9200_0007n, far_el2: 0x0900_0004n, spsr_el2: 0x3c5n });
    expect(outcome).toMatchObject({ kind: 'return', mode: 'el1h' });
    expect(device.log).toEqual([]);
    expect(context.get('esr_el1')).toBe(0x9600_0010n);
    expect(context.get('far_el1')).toBe(0x0900_0004n);
    expect(context.get('elr_el1')).toBe(0x4_0100n);
    expect(context.get('spsr_el1')).toBe(0x3c5n);
    expect(context.get('elr_el2')).toBe(0x8_0a00n);
    expect(context.get('spsr_el2')).toBe(0x3c5n);
    // From EL0 the class is DABT_LOW (0x24) and the vector the lower-EL AArch64 one.
    const user = run('kvm-arm64-mmio-v5.6-nisv', { esr_el2: 0x9200_0007n, spsr_el2: 0n });
    expect(user.context.get('esr_el1')).toBe(0x9200_0010n);
    expect(user.context.get('elr_el2')).toBe(0x8_0c00n);
  });

  it('cache maintenance outside memory (CM = 1) is skipped before the syndrome is read; S1PTW injects a data abort', () => {
    for (const id of ALL) {
      const cm = run(id, { esr_el2: 0x9200_0147n });
      expect(cm.outcome, id).toEqual({ kind: 'return' });
      expect(cm.context.get('elr_el2'), id).toBe(0x4_0104n);
      const walk = run(id, { esr_el2: 0x9381_0087n });
      expect(walk.outcome, id).toMatchObject({ kind: 'return', mode: 'el1h' });
      expect(walk.context.get('esr_el1'), id).toBe(0x9600_0010n);
    }
  });
});
