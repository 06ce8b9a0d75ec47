/**
 * The ppc64 syscall tables (abi-facts §8.1, §8.6): each is a released table,
 * complete, with the ABI column applied the way the kernel's generators
 * apply it for a 64-bit kernel. The old table (torvalds/linux @00bf25d6, a
 * v5.1 merge-window state) had 392–402 but not 424 or 435 and was labelled
 * v5.0: the checks below on both releases would have caught it.
 */

import { describe, expect, it } from 'vitest';
import { parseSyscallTbl, PPC64_SYSCALL_TABLE_V5_0, PPC64_SYSCALL_TABLE_V5_7, ppc64SyscallTable } from '../../../../arch/ppc64/abis/ppc64-syscall-table.ts';

const byNumber = (table: typeof PPC64_SYSCALL_TABLE_V5_7) => new Map(table.entries.map((e) => [e.number, e]));

describe('the v5.0 table', () => {
  const v50 = byNumber(PPC64_SYSCALL_TABLE_V5_0);

  it('ends at 388 io_pgetevents, so NR_syscalls is 389 and 392–402 are not in it', () => {
    expect(PPC64_SYSCALL_TABLE_V5_0.nrSyscalls).toBe(389);
    expect(v50.get(388)).toMatchObject({ name: 'io_pgetevents', entry: 'sys_io_pgetevents', kind: 'native' });
    for (const n of [392, 393, 402, 403, 424, 435]) expect(v50.has(n), String(n)).toBe(false);
  });

  it('has the v5.0 entry points, not the v5.1 merge-window ones', () => {
    expect(v50.get(2)).toMatchObject({ name: 'fork', entry: 'ppc_fork', abis: ['nospu'] });
    expect(v50.get(13)).toMatchObject({ name: 'time', entry: 'sys_time', abis: ['common'] });
    expect(v50.get(120)).toMatchObject({ name: 'clone', entry: 'ppc_clone' });
    expect(v50.get(249)).toMatchObject({ name: 'swapcontext', entry: 'ppc64_swapcontext', abis: ['32', '64', 'spu'] });
    expect(v50.get(363)).toMatchObject({ name: 'switch_endian', entry: 'ppc_switch_endian' });
  });

  it('has 416 rows, 366 of them for a 64-bit kernel', () => {
    expect(PPC64_SYSCALL_TABLE_V5_0.rows).toHaveLength(416);
    expect(PPC64_SYSCALL_TABLE_V5_0.entries.filter((e) => e.kind !== 'not-64-bit')).toHaveLength(366);
  });
});

describe('the v5.7 table', () => {
  const v57 = byNumber(PPC64_SYSCALL_TABLE_V5_7);

  it('is complete to v5.7: 424 pidfd_send_signal, io_uring 425–427, 435 clone3, 437 openat2, last 438 pidfd_getfd', () => {
    expect(PPC64_SYSCALL_TABLE_V5_7.nrSyscalls).toBe(439);
    expect(v57.get(424)).toMatchObject({ name: 'pidfd_send_signal', entry: 'sys_pidfd_send_signal', kind: 'native' });
    expect([425, 426, 427].map((n) => v57.get(n)?.name)).toEqual(['io_uring_setup', 'io_uring_enter', 'io_uring_register']);
    expect(v57.get(435)).toMatchObject({ name: 'clone3', entry: 'sys_clone3', abis: ['32', '64', 'spu'] });
    expect(v57.get(437)).toMatchObject({ name: 'openat2', entry: 'sys_openat2' });
    expect(v57.get(438)).toMatchObject({ name: 'pidfd_getfd' });
    expect(v57.has(436)).toBe(false);
    expect(v57.has(439)).toBe(false);
  });

  it('takes the 64 row where a number is split by ABI, and ignores 32 and spu rows', () => {
    expect(v57.get(2)).toMatchObject({ name: 'fork', entry: 'sys_fork', abis: ['32', '64', 'spu'], kind: 'native' });
    expect(v57.get(13)).toMatchObject({ name: 'time', entry: 'sys_time' });
    expect(v57.get(363)).toMatchObject({ name: 'switch_endian', entry: 'sys_switch_endian' });
    expect(v57.get(249)).toMatchObject({ entry: 'sys_swapcontext' });
  });

  it('marks the 32-only numbers (time64 calls, mmap2, …) as not in the 64-bit table', () => {
    const not64 = PPC64_SYSCALL_TABLE_V5_7.entries.filter((e) => e.kind === 'not-64-bit').map((e) => e.number);
    expect(not64).toEqual([192, 193, 194, 195, 196, 197, 204, 226, 254, ...Array.from({ length: 21 }, (_, i) => 403 + i).filter((n) => n !== 415)]);
    expect(v57.get(403)).toMatchObject({ name: 'clock_gettime64', entry: undefined, abis: ['32'] });
    expect(v57.get(254)).toMatchObject({ name: 'fadvise64_64', abis: ['32', 'spu'] });
  });

  it('tells sys_ni_syscall rows from real ones, and lists the numbers with no row', () => {
    expect(v57.get(18)).toMatchObject({ name: 'oldstat', entry: undefined, kind: 'ni-syscall' });
    expect(v57.get(20)).toMatchObject({ name: 'getpid', entry: 'sys_getpid', kind: 'native' });
    expect(PPC64_SYSCALL_TABLE_V5_7.unused).toEqual([224, 257, ...Array.from({ length: 12 }, (_, i) => 366 + i), 389, 390, 391, 415, 436]);
  });

  it('has 516 rows, 391 of them for a 64-bit kernel', () => {
    expect(PPC64_SYSCALL_TABLE_V5_7.rows).toHaveLength(516);
    expect(PPC64_SYSCALL_TABLE_V5_7.entries.filter((e) => e.kind !== 'not-64-bit')).toHaveLength(391);
  });
});

describe('the parser', () => {
  it('rejects a malformed row and a second 64-bit row for one number', () => {
    expect(() => parseSyscallTbl('1 nospu exit')).toThrow(/row 1: malformed/);
    expect(() => parseSyscallTbl('1 x86 exit sys_exit')).toThrow(/malformed/);
    expect(() => ppc64SyscallTable('test', 'test', '1 common exit sys_exit\n1 64 exit sys_exit')).toThrow(/1 has 2 64-bit rows/);
  });
});
