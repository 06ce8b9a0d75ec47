/**
 * The ppc64 Linux syscall specs (abi-facts §8.1, §8.6): a released table per
 * era, ENOSYS with cr0.SO past it, the 0x1ebe fast endian switch, and the
 * v5.7 change that made a kernel-mode `sc` a BUG instead of a syscall.
 */

import { describe, expect, it } from 'vitest';
import { CR0_SO, ENOSYS, LINUX_SYSCALL_PPC64_ABIS, LINUX_SYSCALL_PPC64_V5_0, LINUX_SYSCALL_PPC64_V5_7, MSR_LE } from '../../../../arch/ppc64/abis/linux-syscall-ppc64.abi.ts';
import type { Abi, Privilege } from '../../../../src/abi/spec.ts';
import { interpret } from '../../../../src/dispatch/dispatcher.ts';

function run(abi: Abi, registers: Record<string, bigint>, privilege: Privilege = 'user') {
  return interpret(abi, { arch: 'ppc64', conduit: 'sc', imm: 0, privilege, world: 'guest', registers });
}

describe('linux-syscall-ppc64 eras', () => {
  it('are v5.0 and v5.7, each citing the tree its table was read from', () => {
    expect(LINUX_SYSCALL_PPC64_ABIS.map((a) => [a.spec.id, a.spec.source.version])).toEqual([
      ['linux-syscall-ppc64-v5.0', 'v5.0'],
      ['linux-syscall-ppc64-v5.7', 'v5.7'],
    ]);
    expect(LINUX_SYSCALL_PPC64_V5_0.spec.source.document).toContain('VVvector/linux-5.0.1');
    expect(LINUX_SYSCALL_PPC64_V5_7.spec.source.document).toContain('a5221985/linux-5.7.14');
    for (const abi of LINUX_SYSCALL_PPC64_ABIS) expect(abi.spec.source.document).not.toContain('00bf25d6');
  });

  it('name the calls each release has: 393 is semget from v5.1, 424 pidfd_send_signal, 435 clone3', () => {
    expect(run(LINUX_SYSCALL_PPC64_V5_0, { r0: 393n }).call).toBe('unknown');
    expect(run(LINUX_SYSCALL_PPC64_V5_7, { r0: 393n }).call).toBe('semget');
    expect(run(LINUX_SYSCALL_PPC64_V5_0, { r0: 424n }).writes).toEqual({ r3: ENOSYS, cr: CR0_SO });
    expect(run(LINUX_SYSCALL_PPC64_V5_7, { r0: 424n })).toMatchObject({ call: 'pidfd_send_signal', writes: {} });
    expect(run(LINUX_SYSCALL_PPC64_V5_7, { r0: 435n })).toMatchObject({ call: 'clone3', writes: {} });
    expect(run(LINUX_SYSCALL_PPC64_V5_7, { r0: 20n }).call).toBe('getpid');
  });
});

describe('ENOSYS, the ppc64 way (r3 = positive errno, cr0.SO set)', () => {
  for (const abi of LINUX_SYSCALL_PPC64_ABIS) {
    const nr = abi === LINUX_SYSCALL_PPC64_V5_0 ? 389n : 439n;
    it(`${abi.spec.id}: r0 ≥ NR_syscalls (${nr}), compared as 64 bits`, () => {
      expect(run(abi, { r0: nr - 1n }).call).not.toBe('unknown');
      for (const r0 of [nr, 0x1000n, 0x1_0000_0014n, 0xffff_ffff_ffff_ffffn]) {
        const result = run(abi, { r0, cr: 0x2000_0000n });
        expect(result.call, `r0=${r0}`).toBe('unknown');
        expect(result.writes).toEqual({ r3: ENOSYS, cr: 0x2000_0000n | CR0_SO });
      }
    });
  }

  it('a number with only a `32` row, a sys_ni_syscall row or no row at all is ENOSYS for a 64-bit caller', () => {
    for (const r0 of [192n, 403n, 423n]) expect(run(LINUX_SYSCALL_PPC64_V5_7, { r0 }).writes, String(r0)).toEqual({ r3: ENOSYS, cr: CR0_SO });
    expect(run(LINUX_SYSCALL_PPC64_V5_7, { r0: 403n }).call).toBe('clock_gettime64');
    expect(run(LINUX_SYSCALL_PPC64_V5_7, { r0: 18n })).toMatchObject({ call: 'oldstat', writes: { r3: ENOSYS, cr: CR0_SO } });
    expect(run(LINUX_SYSCALL_PPC64_V5_7, { r0: 224n })).toMatchObject({ call: 'unknown', writes: { r3: ENOSYS, cr: CR0_SO } });
  });
});

describe('the fast endian switch', () => {
  for (const abi of LINUX_SYSCALL_PPC64_ABIS) {
    it(`${abi.spec.id}: r0 = 0x1ebe flips MSR[LE] and touches neither r3 nor cr0`, () => {
      const result = run(abi, { r0: 0x1eben, msr: 0x8000_0000_0000_4000n, r3: 7n });
      expect(result.call).toBe('fast_endian_switch');
      expect(result.writes).toEqual({ msr: 0x8000_0000_0000_4000n ^ MSR_LE });
      expect(run(abi, { r0: 0x1_0000_1eben }).call).toBe('unknown');
    });
  }
});

describe('a kernel-mode sc', () => {
  it('is a syscall up to v5.6 (v5.0: entry_64.S runs it), and no syscall from v5.7 (BUG_ON in system_call_exception)', () => {
    expect(run(LINUX_SYSCALL_PPC64_V5_0, { r0: 120n }, 'kernel')).toMatchObject({ mine: true, call: 'clone' });
    const v57 = run(LINUX_SYSCALL_PPC64_V5_7, { r0: 120n }, 'kernel');
    expect(v57.mine).toBe(false);
    expect(v57.effect).toContain('callable only from user');
    expect(LINUX_SYSCALL_PPC64_V5_7.spec.origin.privilege).toEqual(['user']);
    expect(LINUX_SYSCALL_PPC64_V5_7.spec.source.document).toContain('BUG_ON(!(regs->msr & MSR_PR))');
  });
});

describe('calls that never return', () => {
  it('exit, exit_group and rt_sigreturn are noReturn; execve (returns on failure) and getpid are not', () => {
    for (const abi of LINUX_SYSCALL_PPC64_ABIS) {
      const flags = Object.fromEntries(abi.calls.map((c) => [c.spec.name, c.spec.noReturn === true]));
      expect(flags, abi.spec.id).toMatchObject({ exit: true, exit_group: true, rt_sigreturn: true, execve: false, getpid: false, clone: false });
    }
  });
});
