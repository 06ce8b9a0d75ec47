/**
 * The PAPR specs (abi-facts §8.5, §8.6): every opcode of Linux v5.7's
 * hvcall.h and QEMU 5.0.0's own, H_FUNCTION only where a host really gives
 * it, the modelled calls changing what they say they change, and a
 * user-mode `sc 1` reflected (KVM) or answered H_PRIVILEGE (QEMU TCG), never
 * a program check.
 */

import { describe, expect, it } from 'vitest';
import { PAPR_HCALLS } from '../../../../arch/ppc64/abis/papr-hcalls.ts';
import {
  H_COPY_PAGE,
  H_FUNCTION,
  H_ICACHE_INVALIDATE,
  H_PAGE_SET_LOANED,
  H_PARAMETER,
  H_PRIVILEGE,
  H_ZERO_PAGE,
  MSR_EE,
  PAPR_ABIS,
  PAPR_KVM,
  PAPR_QEMU_TCG,
  PAPR_STATE,
  prodKey,
} from '../../../../arch/ppc64/abis/papr.abi.ts';
import { BigIntCallContext, bigIntOutcome, MapHypervisorState, registerName, type Abi, type CallMemory, type CallOutcome, type HypervisorState, type Origin, type RegisterOperand } from '../../../../src/abi/spec.ts';
import { findCall, interpret } from '../../../../src/dispatch/dispatcher.ts';

const KERNEL: Origin = { privilege: 'kernel', world: 'guest' };
const USER: Origin = { privilege: 'user', world: 'guest' };

/** Guest memory of `size` bytes from 0, as 8-byte words; reads past it are absent. */
class TestMemory implements CallMemory {
  readonly words = new Map<bigint, bigint>();
  constructor(readonly size: bigint) {}
  read(address: bigint, size: 1 | 2 | 4 | 8): bigint | undefined {
    if (address + BigInt(size) > this.size) return undefined;
    return this.words.get(address) ?? 0n;
  }
  write(address: bigint, size: 1 | 2 | 4 | 8, value: bigint): boolean {
    if (address + BigInt(size) > this.size) return false;
    this.words.set(address, value);
    return true;
  }
}

/** A call context over plain registers, a state and a memory. */
class TestContext extends BigIntCallContext {
  readonly writes = new Map<string, bigint>();
  constructor(
    private readonly registers: Record<string, bigint>,
    readonly origin: Origin = KERNEL,
    readonly state: HypervisorState = new MapHypervisorState(),
    readonly memory: CallMemory = new TestMemory(0x10_0000n),
  ) {
    super();
  }
  readonly imm = 0;
  get(register: RegisterOperand): bigint {
    const name = registerName(register);
    return this.writes.get(name) ?? this.registers[name] ?? 0n;
  }
  set(register: RegisterOperand, value: bigint): void {
    this.writes.set(registerName(register), value);
  }
}

function call(abi: Abi, context: TestContext): { name: string; outcome: CallOutcome } {
  const found = findCall(abi, 0, context.origin, (r) => context.get(r));
  if (typeof found === 'string') throw new Error(found);
  return { name: found.spec.name, outcome: bigIntOutcome(found.spec.run(context)) };
}

function run(abi: Abi, registers: Record<string, bigint>, origin: Origin = KERNEL) {
  return interpret(abi, { arch: 'ppc64', conduit: 'sc1', imm: 0, privilege: origin.privilege, world: origin.world, registers });
}

describe('the opcode list', () => {
  it('is every opcode of v5.7 hvcall.h (159, to MAX_HCALL_OPCODE 0x418) and QEMU 5.0.0\'s own six', () => {
    expect(PAPR_HCALLS.filter((h) => h.origin === 'linux')).toHaveLength(159);
    expect(PAPR_HCALLS.filter((h) => h.origin === 'qemu').map((h) => [h.name, h.opcode])).toEqual([
      ['H_CLEAN_SLB', 0x374],
      ['H_INVALIDATE_PID', 0x378],
      ['SVM_H_TPM_COMM', 0xef10],
      ['KVMPPC_H_LOGICAL_MEMOP', 0xf001],
      ['KVMPPC_H_CAS', 0xf002],
      ['KVMPPC_H_UPDATE_DT', 0xf003],
    ]);
    expect(Math.max(...PAPR_HCALLS.filter((h) => h.opcode < 0xef00).map((h) => h.opcode))).toBe(0x418);
    expect(PAPR_HCALLS.find((h) => h.opcode === 0x418)?.name).toBe('H_SCM_PERFORMANCE_STATS');
    expect(PAPR_HCALLS.find((h) => h.opcode === 0xf000)?.name).toBe('H_RTAS');
  });

  it('has only multiples of 4, except QEMU\'s private KVMPPC_H_* calls', () => {
    expect(PAPR_HCALLS.filter((h) => h.opcode % 4 !== 0).map((h) => h.name)).toEqual(['KVMPPC_H_LOGICAL_MEMOP', 'KVMPPC_H_CAS', 'KVMPPC_H_UPDATE_DT']);
  });

  it('names the real opcodes the old spec answered H_FUNCTION for (0x2c, 0x40, 0x70, 0x124, 0x134, 0x2fc, 0x37c, 0xf002, 0xf003)', () => {
    for (const abi of PAPR_ABIS) {
      for (const [r3, name] of [
        [0x2cn, 'H_PAGE_INIT'],
        [0x40n, 'H_LOGICAL_CI_STORE'],
        [0x70n, 'H_IPOLL'],
        [0x124n, 'H_BULK_REMOVE'],
        [0x134n, 'H_SET_XDABR'],
        [0x2fcn, 'H_XIRR_X'],
        [0x37cn, 'H_REGISTER_PROC_TBL'],
        [0xf002n, 'KVMPPC_H_CAS'],
        [0xf003n, 'KVMPPC_H_UPDATE_DT'],
      ] as const) {
        const result = run(abi, { r3 });
        expect(result.call, `${abi.spec.id} 0x${r3.toString(16)}`).toBe(name);
        expect(result.writes?.r3).not.toBe(H_FUNCTION);
      }
    }
  });
});

describe('H_FUNCTION', () => {
  it('answers an opcode no header names: not a multiple of 4, a gap, or past the tables', () => {
    for (const abi of PAPR_ABIS) {
      for (const r3 of [0x1n, 0x26n, 0x2dn, 0x10cn, 0x41cn, 0xe000n, 0xf004n, 0xfffcn, 0x1_0000_0008n]) {
        const result = run(abi, { r3 });
        expect(result.call, `${abi.spec.id} 0x${r3.toString(16)}`).toBe('unknown');
        expect(result.writes).toEqual({ r3: H_FUNCTION });
      }
    }
    expect(H_FUNCTION).toBe(0xffff_ffff_ffff_fffen);
  });

  it('QEMU TCG: a listed opcode QEMU 5.0.0 has no handler for is H_FUNCTION; one it handles is not modelled', () => {
    expect(run(PAPR_QEMU_TCG, { r3: 0x400n })).toMatchObject({ call: 'H_SCM_HEALTH', writes: { r3: H_FUNCTION } });
    expect(run(PAPR_QEMU_TCG, { r3: 0x34n })).toMatchObject({ call: 'H_ASR_ON', writes: { r3: H_FUNCTION } });
    expect(run(PAPR_QEMU_TCG, { r3: 0x374n })).toMatchObject({ call: 'H_CLEAN_SLB', writes: { r3: H_FUNCTION } });
    expect(run(PAPR_QEMU_TCG, { r3: 0x08n })).toMatchObject({ call: 'H_ENTER', writes: {} });
  });

  it('KVM: no listed opcode claims H_FUNCTION; those not modelled say so and change nothing', () => {
    const modelled = new Set(['H_SET_SPRG0', 'H_RANDOM', 'H_PAGE_INIT', 'H_CEDE', 'H_CONFER', 'H_PROD', 'H_CLEAN_SLB', 'H_INVALIDATE_PID']);
    for (const hcall of PAPR_HCALLS) {
      const result = run(PAPR_KVM, { r3: BigInt(hcall.opcode) });
      expect(result.call).toBe(hcall.name);
      if (modelled.has(hcall.name)) continue;
      expect(result.writes, hcall.name).toEqual({});
      expect(PAPR_KVM.calls.find((c) => c.spec.name === hcall.name)!.spec.summary).toContain('not modelled');
    }
  });
});

describe('modelled calls', () => {
  for (const abi of PAPR_ABIS) {
    describe(abi.spec.id, () => {
      it('H_SET_SPRG0 sets SPRG0 to r4', () => {
        const context = new TestContext({ r3: 0x24n, r4: 0x1234_5678_9abc_def0n });
        call(abi, context);
        expect(Object.fromEntries(context.writes)).toEqual({ sprg0: 0x1234_5678_9abc_def0n, r3: 0n });
      });

      it('H_RANDOM returns H_SUCCESS with a value in r4, a new one each call, the same sequence for a fresh state', () => {
        const state = new MapHypervisorState();
        const values = [0, 1, 2].map(() => {
          const context = new TestContext({ r3: 0x300n }, KERNEL, state);
          call(abi, context);
          expect(context.writes.get('r3')).toBe(0n);
          return context.writes.get('r4')!;
        });
        expect(new Set(values).size).toBe(3);
        expect(state.values.has(PAPR_STATE.random)).toBe(true);
        const again = new TestContext({ r3: 0x300n });
        call(abi, again);
        expect(again.writes.get('r4')).toBe(values[0]);
      });

      it('H_PAGE_INIT returns H_PARAMETER on an unaligned destination or source, and changes no memory', () => {
        for (const registers of [
          { r4: H_ZERO_PAGE, r5: 0x1_0008n } as Record<string, bigint>,
          { r4: H_COPY_PAGE, r5: 0x1_0000n, r6: 0x2_0800n },
          { r4: H_ZERO_PAGE, r5: 0x20_0000n },
          { r4: 1n, r5: 0x1_0000n },
        ]) {
          const memory = new TestMemory(0x10_0000n);
          memory.write(0x1_0008n, 8, 5n);
          const context = new TestContext({ r3: 0x2cn, ...registers }, KERNEL, new MapHypervisorState(), memory);
          call(abi, context);
          expect(context.writes.get('r3'), JSON.stringify(registers, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))).toBe(H_PARAMETER);
          expect([...memory.words]).toEqual([[0x1_0008n, 5n]]);
        }
      });

      it('H_PAGE_INIT copies the 4 KiB source page (H_COPY_PAGE) or zeroes the destination (H_ZERO_PAGE)', () => {
        const memory = new TestMemory(0x10_0000n);
        for (let i = 0n; i < 0x1000n; i += 8n) memory.write(0x2_0000n + i, 8, 0x1000n + i);
        memory.write(0x1_1000n, 8, 0xaan);
        const copy = new TestContext({ r3: 0x2cn, r4: H_COPY_PAGE | H_ICACHE_INVALIDATE, r5: 0x1_0000n, r6: 0x2_0000n }, KERNEL, new MapHypervisorState(), memory);
        call(abi, copy);
        expect(copy.writes.get('r3')).toBe(0n);
        for (let i = 0n; i < 0x1000n; i += 8n) expect(memory.read(0x1_0000n + i, 8)).toBe(0x1000n + i);
        expect(memory.read(0x1_1000n, 8)).toBe(0xaan);
        const zero = new TestContext({ r3: 0x2cn, r4: H_ZERO_PAGE, r5: 0x2_0000n }, KERNEL, new MapHypervisorState(), memory);
        call(abi, zero);
        expect(zero.writes.get('r3')).toBe(0n);
        for (let i = 0n; i < 0x1000n; i += 8n) expect(memory.read(0x2_0000n + i, 8)).toBe(0n);
        expect(memory.read(0x1_0000n, 8)).toBe(0x1000n);
      });

      it('H_CEDE enables MSR[EE] and consumes a pending H_PROD; H_PROD marks an existing vCPU, H_PARAMETER otherwise', () => {
        const state = new MapHypervisorState();
        const prod = new TestContext({ r3: 0xe8n, r4: 0n }, KERNEL, state);
        call(abi, prod);
        expect(prod.writes.get('r3')).toBe(0n);
        expect(state.get(prodKey(0n), 0n)).toBe(1n);
        const cede = new TestContext({ r3: 0xe0n, msr: 0x8000_0000_0000_0000n }, KERNEL, state);
        call(abi, cede);
        expect(Object.fromEntries(cede.writes)).toEqual({ msr: 0x8000_0000_0000_0000n | MSR_EE, r3: 0n });
        expect(state.get(prodKey(0n), 1n)).toBe(0n);
        const missing = new TestContext({ r3: 0xe8n, r4: 1n }, KERNEL, state);
        call(abi, missing);
        expect(missing.writes.get('r3')).toBe(H_PARAMETER);
        state.set(PAPR_STATE.vcpus, 2n);
        const second = new TestContext({ r3: 0xe8n, r4: 1n }, KERNEL, state);
        call(abi, second);
        expect(second.writes.get('r3')).toBe(0n);
      });

      it('H_CONFER: −1 and an existing vCPU succeed, a missing one is H_PARAMETER', () => {
        const r3 = (r4: bigint) => {
          const context = new TestContext({ r3: 0xe4n, r4 });
          call(abi, context);
          return context.writes.get('r3');
        };
        expect(r3(0xffff_ffff_ffff_ffffn)).toBe(0n);
        expect(r3(0n)).toBe(0n);
        expect(r3(7n)).toBe(H_PARAMETER);
      });
    });
  }

  it('H_PAGE_INIT: KVM HV accepts the CMO flags (H_PAGE_SET_LOANED), QEMU rejects them', () => {
    const r3 = (abi: Abi) => {
      const context = new TestContext({ r3: 0x2cn, r4: H_PAGE_SET_LOANED, r5: 0x1_0000n });
      call(abi, context);
      return context.writes.get('r3');
    };
    expect(r3(PAPR_KVM)).toBe(0n);
    expect(r3(PAPR_QEMU_TCG)).toBe(H_PARAMETER);
  });
});

describe('a user-mode sc 1', () => {
  it('is no hypercall under KVM (reflected to the guest as a syscall: not mine)', () => {
    expect(PAPR_KVM.spec.origin.privilege).toEqual(['kernel']);
    const result = run(PAPR_KVM, { r3: 0x08n }, USER);
    expect(result.mine).toBe(false);
    expect(PAPR_KVM.spec.notes!.join(' ')).toContain('reflect to guest syscall');
  });

  it('is answered H_PRIVILEGE under QEMU TCG, whatever the opcode, and the caller resumes', () => {
    for (const r3 of [0x08n, 0x24n, 0x300n, 0x2cn, 0x26n, 0xf000n]) {
      const result = run(PAPR_QEMU_TCG, { r3, r4: 1n }, USER);
      expect(result.mine).toBe(true);
      expect(result.writes).toEqual({ r3: H_PRIVILEGE });
      expect(result.outcome).toEqual({ kind: 'return' });
    }
    expect(H_PRIVILEGE).toBe(0xffff_ffff_ffff_fffdn);
  });

  it('is never a program check: no PAPR call jumps, and no note says so', () => {
    for (const abi of PAPR_ABIS) {
      for (const hcall of PAPR_HCALLS) {
        for (const origin of [KERNEL, USER]) {
          const result = run(abi, { r3: BigInt(hcall.opcode) }, origin);
          if (result.mine) expect(result.outcome?.kind, `${abi.spec.id} ${hcall.name}`).toBe('return');
        }
      }
      expect(abi.spec.notes!.join(' ')).not.toMatch(/reflected (to the guest )?as a program/);
    }
  });
});
