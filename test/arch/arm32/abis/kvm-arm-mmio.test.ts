import { describe, expect, it } from 'vitest';
import { KVM_ARM_MMIO_ABIS } from '../../../../arch/arm32/abis/kvm-arm-mmio.abi.ts';
import { BigIntCallContext, MapHypervisorState, type Abi, type CallMemory, type Origin, type RegisterOperand, type SpecOutcome } from '../../../../src/abi/spec.ts';
import { layeredMemory, MmioBus } from '../../../../src/devices/mmio-bus.ts';
import { TestRegisterFile } from '../../../../src/devices/test-register-file.ts';

/** Registers in a map, memory a device bus at 0x09000000 in front of a little RAM holding guest code. */
class MmioContext extends BigIntCallContext {
  readonly imm = 0;
  readonly origin: Origin = { privilege: 'kernel', world: 'guest' };
  readonly state = new MapHypervisorState();
  readonly memory: CallMemory;
  readonly registers: Map<string, bigint>;

  constructor(registers: Record<string, bigint>, bus: MmioBus, code: ReadonlyMap<bigint, number> = new Map()) {
    super();
    this.registers = new Map(Object.entries(registers));
    this.memory = layeredMemory(bus, { read: (a, size) => (size === 4 && code.has(a) ? BigInt(code.get(a)!) : undefined), write: () => false });
  }

  get(register: RegisterOperand): bigint {
    return this.registers.get(typeof register === 'string' ? register : register.name) ?? 0n;
  }

  set(register: RegisterOperand, value: bigint): void {
    this.registers.set(typeof register === 'string' ? register : register.name, BigInt.asUintN(32, value));
  }
}

const spec = (id: string): Abi => KVM_ARM_MMIO_ABIS.find((abi) => abi.spec.id === id)!;

function run(id: string, registers: Record<string, bigint>, code?: ReadonlyMap<bigint, number>) {
  const device = new TestRegisterFile({ registers: [{ name: 'DATA', offset: 0, value: 0x8001n }, { name: 'CTRL', offset: 4 }] });
  const bus = new MmioBus().map('test0', 0x0900_0000n, device);
  const context = new MmioContext({ hpfar: 0x0009_0000n, elr_hyp: 0x8000_0100n, spsr_hyp: 0x1d3n, vbar: 0x8000_0000n, ...registers }, bus, code);
  const abi = spec(id);
  const call = abi.calls.find((c) => c.values.has(registers.hsr!))!;
  const outcome: SpecOutcome = call.spec.run(context);
  return { outcome, context, device, call: call.spec.name };
}

const ALL = ['kvm-arm-mmio-pre-merge', 'kvm-arm-mmio-pre-merge-stw', 'kvm-arm-mmio-v3.9', 'kvm-arm-mmio-v5.5', 'kvm-arm-mmio-v5.5-nisv'];

describe('kvm-arm-mmio specs (arm32)', () => {
  it('are one family on the data-abort conduit, selected by the HSR with ISV set or clear', () => {
    expect(KVM_ARM_MMIO_ABIS.map((a) => a.spec.id)).toEqual(ALL);
    for (const abi of KVM_ARM_MMIO_ABIS) {
      expect(abi.spec.conduit.instruction).toBe('data-abort');
      const names = (hsr: number) => abi.calls.find((c) => c.values.has(BigInt(hsr)))?.spec.name;
      expect(names(0x9381_0047)).toBe('MMIO access, syndrome valid');
      expect(names(0x9181_0047)).toBe('MMIO access, syndrome valid');
      expect(names(0x9200_0047)).toBe('MMIO access, no valid syndrome');
      expect(names(0x9000_0047)).toBe('MMIO access, no valid syndrome');
      // Not a guest data abort: HVC, or a data abort taken in Hyp.
      expect(names(0x4a00_0000)).toBeUndefined();
      expect(names(0x9781_0047)).toBeUndefined();
    }
  });

  it.each(ALL)('%s: ISV = 1 str r1, [r0] (HSR 0x93810047) writes r1 to the device and advances the PC by 4', (id) => {
    const { outcome, context, device } = run(id, { hsr: 0x9381_0047n, hdfar: 0x0900_0004n, r1: 0x1234_5678n });
    expect(outcome).toEqual({ kind: 'return' });
    expect(device.log).toEqual([{ direction: 'write', offset: 4, size: 4, value: 0x1234_5678n }]);
    expect(context.get('elr_hyp')).toBe(0x8000_0104n);
  });

  it('ISV = 1 ldrsh r1, [r0] on v3.9: the device returns 0x8001, r1 = 0xFFFF8001 (abi-facts §12.7); a 16-bit Thumb access advances by 2', () => {
    const hsr = 0x9361_0007n; // SAS 1, SSE, SRT 1, read
    const { context } = run('kvm-arm-mmio-v3.9', { hsr, hdfar: 0x0900_0000n });
    expect(context.get('r1')).toBe(0xffff_8001n);
    expect(context.get('elr_hyp')).toBe(0x8000_0104n);
    const thumb = run('kvm-arm-mmio-v3.9', { hsr: hsr & ~(1n << 25n), hdfar: 0x0900_0000n });
    expect(thumb.context.get('elr_hyp')).toBe(0x8000_0102n);
  });

  it('a load into SP or LR goes to the guest mode’s banked register', () => {
    const { context } = run('kvm-arm-mmio-v3.9', { hsr: 0x938e_0007n, hdfar: 0x0900_0000n }); // SRT 14, word load
    expect(context.get('lr_svc')).toBe(0x8001n);
    expect(context.registers.has('r14')).toBe(false);
  });

  it('the corner cases: CM and S1PTW inject a data abort, SAS = 3 fails with -EFAULT, Rt = PC injects a prefetch abort (v3.9)', () => {
    const cm = run('kvm-arm-mmio-v3.9', { hsr: 0x9381_0147n, hdfar: 0x0900_0004n, r1: 1n });
    expect(cm.outcome).toMatchObject({ kind: 'return', mode: 'abt' });
    expect(cm.device.log).toEqual([]);
    expect(cm.context.get('elr_hyp')).toBe(0x8000_0010n);
    expect(cm.context.get('dfar')).toBe(0x0900_0004n);
    expect(cm.context.get('spsr_hyp')).toBe(0x1d7n);
    expect(cm.context.get('spsr_abt')).toBe(0x1d3n);
    const s1ptw = run('kvm-arm-mmio-v3.9', { hsr: 0x9381_00c7n, hdfar: 0x0900_0004n });
    expect(s1ptw.outcome).toMatchObject({ kind: 'return', mode: 'abt' });
    expect(run('kvm-arm-mmio-v3.9', { hsr: 0x93c1_0007n, hdfar: 0x0900_0000n }).outcome).toMatchObject({ kind: 'exit', exit: 'KVM_RUN: -EFAULT' });
    const pc = run('kvm-arm-mmio-v3.9', { hsr: 0x938f_0007n, hdfar: 0x0900_0000n });
    expect(pc.outcome).toMatchObject({ kind: 'return', mode: 'abt' });
    expect(pc.context.get('elr_hyp')).toBe(0x8000_000cn);
    expect(pc.context.get('ifar')).toBe(0x0900_0000n);
    // v5.5+: cache maintenance outside memory is skipped, not injected.
    const skipped = run('kvm-arm-mmio-v5.5', { hsr: 0x9200_0147n, hdfar: 0x0900_0004n });
    expect(skipped.outcome).toEqual({ kind: 'return' });
    expect(skipped.context.get('elr_hyp')).toBe(0x8000_0104n);
  });

  it('ISV = 0 stm r0, {r1, r2}: -ENOSYS on v3.9 and on v5.5 without the capability; an external abort with it; a refused decode before the merge', () => {
    const stm = new Map([[0x8000_0100n, 0xe880_0006]]);
    const registers = { hsr: 0x9200_0047n, hdfar: 0x0900_0000n, r0: 0x0900_0000n, r1: 1n, r2: 2n };
    expect(run('kvm-arm-mmio-v3.9', registers, stm).outcome).toMatchObject({ kind: 'exit', exit: 'KVM_RUN: -ENOSYS' });
    expect(run('kvm-arm-mmio-v5.5', registers, stm).outcome).toMatchObject({ kind: 'exit', exit: 'KVM_RUN: -ENOSYS', note: expect.stringContaining('no valid syndrome info') });
    const nisv = run('kvm-arm-mmio-v5.5-nisv', registers, stm);
    expect(nisv.outcome).toMatchObject({ kind: 'return', mode: 'abt' });
    expect(nisv.context.get('dfsr')).toBe(0x08n);
    expect(nisv.context.get('lr_abt')).toBe(0x8000_0108n);
    expect(nisv.device.log).toEqual([]);
    const preMerge = run('kvm-arm-mmio-pre-merge', registers, stm);
    expect(preMerge.outcome).toMatchObject({ kind: 'return', mode: 'abt' });
    expect(preMerge.context.get('dfsr')).toBe(0x02n);
    // The early inject_abt: LR_abt = PC, not PC + 8.
    expect(preMerge.context.get('lr_abt')).toBe(0x8000_0100n);
    expect(preMerge.device.log).toEqual([]);
  });

  it('ISV = 0 ldr r1, [r0], #4 before the merge: the instruction is fetched and decoded, r0 written back, the device read, the PC advanced', () => {
    const code = new Map([[0x8000_0100n, 0xe490_1004]]);
    for (const id of ['kvm-arm-mmio-pre-merge', 'kvm-arm-mmio-pre-merge-stw']) {
      const { outcome, context, device } = run(id, { hsr: 0x9200_0007n, hdfar: 0x0900_0000n, r0: 0x0900_0000n }, code);
      expect(outcome).toEqual({ kind: 'return' });
      expect(context.get('r0')).toBe(0x0900_0004n);
      expect(context.get('r1')).toBe(0x8001n);
      expect(context.get('elr_hyp')).toBe(0x8000_0104n);
      expect(device.log).toEqual([{ direction: 'read', offset: 0, size: 4, value: 0x8001n }]);
    }
  });

  it('before the merge, a guest with its MMU on cannot have its PC translated in the model: the abort is retried (PAR.F)', () => {
    const { outcome, context } = run('kvm-arm-mmio-pre-merge', { hsr: 0x9200_0007n, hdfar: 0x0900_0000n, sctlr: 1n }, new Map([[0x8000_0100n, 0xe490_1004]]));
    expect(outcome).toEqual({ kind: 'return' });
    expect(context.get('elr_hyp')).toBe(0x8000_0100n);
  });
});
