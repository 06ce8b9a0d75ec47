/**
 * The ARM Linux syscall specs: the syscall table spot-checked against numbers
 * everyone knows and against the lists of abi-facts.md §10.1, what the kernel
 * does with every number past the table (−ENOSYS, the ARM-private calls,
 * SIGILL, SIGSEGV), and the EABI argument placement against §10.2,
 * including the two reordered calls and the ones that waste a padding
 * register.
 */

import { describe, expect, it } from 'vitest';
import { MapHypervisorState } from '../../../../src/abi/spec.ts';
import { findCall, RecordingContext } from '../../../../src/dispatch/dispatcher.ts';
import { ARM_NR_BASE, ARM_PRIVATE_SYSCALLS, ARM_SYSCALL_TABLE, implementedUnder, NR_OABI_SYSCALL_BASE, syscallByName, syscallByNumber } from '../../../../arch/arm32/abis/arm-syscall-table.ts';
import {
  AAPCS_ARGUMENT_REGISTERS,
  eabiArgumentPlacement,
  LINUX_SYSCALL_EABI,
  LINUX_SYSCALL_OABI,
  prototypeRoles,
  SYSCALL_PROTOTYPES,
  type ArgumentPlacement,
  type ArgumentWidth,
} from '../../../../arch/arm32/abis/linux-syscall-eabi.abi.ts';

describe('the syscall table (syscall.tbl @cdd5b5a9)', () => {
  it.each([
    [0, 'restart_syscall'],
    [1, 'exit'],
    [3, 'read'],
    [4, 'write'],
    [11, 'execve'],
    [20, 'getpid'],
    [88, 'reboot'],
    [180, 'pread64'],
    [192, 'mmap2'],
    [225, 'readahead'],
    [248, 'exit_group'],
    [270, 'arm_fadvise64_64'],
    [341, 'arm_sync_file_range'],
    [347, 'kexec_load'],
    [435, 'clone3'],
    [451, 'cachestat'],
  ])('%i is %s', (number, name) => {
    expect(syscallByNumber(number)?.name).toBe(name);
    expect(syscallByName(name)?.number).toBe(number);
  });

  it('sync_file_range2 is entered through 341 (arm_sync_file_range)', () => {
    expect(syscallByNumber(341)?.entry).toBe('sys_sync_file_range2');
  });

  it('is sorted, unique, and skips the numbers the kernel marks unused', () => {
    const numbers = ARM_SYSCALL_TABLE.map((e) => e.number);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const unused of [7, 17, 18, 28, 31, 32, 35, 44, 48, 53, 56, 58, 59, 68, 69, 84, 98, 101, 109, 110, 112, 123, 127, 130, 137, 166, 167, 188, 189, 222, 223, 254, 255, 402, 415, 447]) {
      expect(syscallByNumber(unused), String(unused)).toBeUndefined();
    }
    expect(ARM_SYSCALL_TABLE).toHaveLength(416);
  });

  it('knows which rows do nothing under EABI: OABI-only rows and rows without an entry point', () => {
    expect(implementedUnder(syscallByName('time')!, 'eabi')).toBe(false);
    expect(implementedUnder(syscallByName('time')!, 'oabi')).toBe(true);
    expect(implementedUnder(syscallByName('nfsservctl')!, 'eabi')).toBe(false);
    expect(implementedUnder(syscallByName('bdflush')!, 'oabi')).toBe(false);
    expect(implementedUnder(syscallByName('getpid')!, 'eabi')).toBe(true);
    expect(syscallByName('pread64')?.oabiEntry).toBe('sys_oabi_pread64');
  });

  it('has the OABI-only rows and the rows with their own OABI entry point that syscall.tbl has (abi-facts §10.1)', () => {
    const oabiOnly = ARM_SYSCALL_TABLE.filter((e) => e.abi === 'oabi').map((e) => e.number);
    expect(oabiOnly).toEqual([13, 22, 25, 27, 30, 76, 82, 89, 90, 102, 113, 117]);
    expect(ARM_SYSCALL_TABLE.filter((e) => e.abi === 'eabi')).toEqual([]);
    const ownOabiEntry = ARM_SYSCALL_TABLE.filter((e) => e.oabiEntry !== undefined).map((e) => e.number);
    // At v6.5 epoll_wait (252) no longer has one; v5.7's table did.
    expect(ownOabiEntry).toEqual([102, 117, 180, 181, 193, 194, 195, 196, 197, 221, 225, 251, 282, 283, 290, 296, 298, 312, 327]);
    expect(syscallByNumber(252)?.oabiEntry).toBeUndefined();
  });

  it('has the ARM-private calls above __ARM_NR_BASE, get_tls included', () => {
    expect(ARM_NR_BASE).toBe(0xf0000);
    expect(ARM_PRIVATE_SYSCALLS.map((c) => [c.offset, c.name])).toEqual([
      [1, '__ARM_NR_breakpoint'],
      [2, '__ARM_NR_cacheflush'],
      [3, '__ARM_NR_usr26'],
      [4, '__ARM_NR_usr32'],
      [5, '__ARM_NR_set_tls'],
      [6, '__ARM_NR_get_tls'],
    ]);
  });
});

describe('the specs use the table', () => {
  function callAt(abi: typeof LINUX_SYSCALL_EABI, value: bigint): string | undefined {
    return abi.calls.find((c) => c.values.has(value))?.spec.name;
  }

  it('EABI: r7 selects, ARM-private numbers at 0xf0000 + n, and every range past the table has its own outcome', () => {
    expect(callAt(LINUX_SYSCALL_EABI, 20n)).toBe('getpid');
    expect(callAt(LINUX_SYSCALL_EABI, 0xf0005n)).toBe('__ARM_NR_set_tls');
    expect(callAt(LINUX_SYSCALL_EABI, 0xf0006n)).toBe('__ARM_NR_get_tls');
    expect(callAt(LINUX_SYSCALL_EABI, 452n)).toBe('unknown');
    expect(callAt(LINUX_SYSCALL_EABI, 0xe_ffffn)).toBe('unknown');
    expect(callAt(LINUX_SYSCALL_EABI, 0xf_0000n)).toBe('branch_through_zero');
    expect(callAt(LINUX_SYSCALL_EABI, 0xf_0007n)).toBe('arm_syscall_enosys');
    expect(callAt(LINUX_SYSCALL_EABI, 0xf_07ffn)).toBe('arm_syscall_enosys');
    expect(callAt(LINUX_SYSCALL_EABI, 0xf_0800n)).toBe('arm_syscall_bad');
    expect(callAt(LINUX_SYSCALL_EABI, 0xf_ffffn)).toBe('arm_syscall_bad');
    expect(callAt(LINUX_SYSCALL_EABI, 0x10_0000n)).toBe('bad_syscall');
    expect(callAt(LINUX_SYSCALL_EABI, 0xffff_ffffn)).toBe('bad_syscall');
    for (const name of ['exit', 'exit_group', 'sigreturn', 'rt_sigreturn', '__ARM_NR_breakpoint']) {
      expect(LINUX_SYSCALL_EABI.calls.find((c) => c.spec.name === name)?.spec.noReturn, name).toBe(true);
    }
    expect(LINUX_SYSCALL_EABI.calls.find((c) => c.spec.name === 'getpid')?.spec.noReturn).toBeUndefined();
  });

  it('OABI: every non-zero immediate is OABI; 0x900000 + n selects, ARM-private calls at 0x9f0000 + n, anything outside 0x9xxxxx is bad_syscall', () => {
    expect(NR_OABI_SYSCALL_BASE).toBe(0x900000);
    expect(callAt(LINUX_SYSCALL_OABI, 0x900014n)).toBe('getpid');
    expect(callAt(LINUX_SYSCALL_OABI, 0x9f0002n)).toBe('__ARM_NR_cacheflush');
    expect(callAt(LINUX_SYSCALL_OABI, 0x9f0006n)).toBe('__ARM_NR_get_tls');
    expect(callAt(LINUX_SYSCALL_OABI, 0x9f0000n)).toBe('branch_through_zero');
    expect(callAt(LINUX_SYSCALL_OABI, 0x9f0800n)).toBe('arm_syscall_bad');
    expect(callAt(LINUX_SYSCALL_OABI, 0x900007n)).toBe('unknown');
    for (const imm of [1n, 0x12_3456n, 0x8f_ffffn, 0xa0_0000n, 0xff_ffffn]) expect(callAt(LINUX_SYSCALL_OABI, imm), imm.toString(16)).toBe('bad_syscall');
    expect(callAt(LINUX_SYSCALL_OABI, 0n)).toBeUndefined();
    expect(LINUX_SYSCALL_OABI.imm.toString()).toBe('0x1–0xffffff');
    expect(LINUX_SYSCALL_OABI.calls.find((c) => c.spec.name === 'pread64')?.spec.summary).toContain('sys_oabi_pread64');
  });
});

describe('past the table: the signals and the ARM-private semantics (traps.c arm_syscall, bad_syscall)', () => {
  const state = new MapHypervisorState();
  const user = { privilege: 'user', world: 'host' } as const;
  function svc(registers: Record<string, bigint>, imm = 0): { call: string; writes: Record<string, bigint>; meaning: string | undefined } {
    const abi = imm === 0 ? LINUX_SYSCALL_EABI : LINUX_SYSCALL_OABI;
    const found = findCall(abi, imm, user, (r) => registers[r] ?? 0n);
    if (typeof found === 'string') throw new Error(found);
    const context = new RecordingContext(registers, imm, user, state);
    found.spec.run(context);
    return { call: found.spec.name, writes: Object.fromEntries(context.writes), meaning: found.spec.meaning };
  }

  it('r7 >= 0x100000 and OABI immediates outside 0x9xxxxx: SIGILL with r0 unchanged, not -ENOSYS', () => {
    expect(svc({ r7: 0x10_0000n, r0: 7n })).toEqual({ call: 'bad_syscall', writes: {}, meaning: 'signal-sigill' });
    expect(svc({ r0: 7n }, 1)).toEqual({ call: 'bad_syscall', writes: {}, meaning: 'signal-sigill' });
    expect(LINUX_SYSCALL_EABI.calls.find((c) => c.spec.name === 'bad_syscall')!.spec.summary).toMatch(/^SIGILL is sent to the caller/);
  });

  it("arm_syscall's own paths: 0xf0000 SIGSEGV, 0xf0800+ SIGILL, both with r0 <- 0; usr26/usr32 SIGILL on ARMv7; 0xf0007 -ENOSYS", () => {
    expect(svc({ r7: 0xf_0000n, r0: 7n })).toEqual({ call: 'branch_through_zero', writes: { r0: 0n }, meaning: 'signal-sigsegv' });
    expect(svc({ r7: 0xf_1234n, r0: 7n })).toEqual({ call: 'arm_syscall_bad', writes: { r0: 0n }, meaning: 'signal-sigill' });
    expect(svc({ r7: 0xf_0003n })).toMatchObject({ call: '__ARM_NR_usr26', meaning: 'signal-sigill' });
    expect(svc({ r7: 0xf_0004n })).toMatchObject({ call: '__ARM_NR_usr32', meaning: 'signal-sigill' });
    expect(svc({ r7: 0xf_0007n })).toMatchObject({ call: 'arm_syscall_enosys', writes: { r0: 0xffff_ffdan } });
  });

  it('set_tls then get_tls: the thread pointer is kept (TPIDRURO too), get_tls before any set_tls reads TPIDRURO', () => {
    expect(svc({ r7: 0xf_0006n, tpidruro: 0x1234n }).writes).toEqual({ r0: 0x1234n });
    expect(svc({ r7: 0xf_0005n, r0: 0x4000_0000n }).writes).toEqual({ tpidruro: 0x4000_0000n, r0: 0n });
    expect(svc({ r7: 0xf_0006n }).writes).toEqual({ r0: 0x4000_0000n });
    expect(svc({}, 0x9f_0006).writes).toEqual({ r0: 0x4000_0000n });
  });

  it('cacheflush: -EINVAL for end < start or flags, -EFAULT past TASK_SIZE, else 0', () => {
    expect(svc({ r7: 0xf_0002n, r0: 0x1_0000n, r1: 0x1_1000n }).writes).toEqual({ r0: 0n });
    expect(svc({ r7: 0xf_0002n, r0: 0x1_1000n, r1: 0x1_0000n }).writes).toEqual({ r0: 0xffff_ffean });
    expect(svc({ r7: 0xf_0002n, r0: 0x1_0000n, r1: 0x1_1000n, r2: 1n }).writes).toEqual({ r0: 0xffff_ffean });
    expect(svc({ r7: 0xf_0002n, r0: 0xbe00_0000n, r1: 0xc000_0000n }).writes).toEqual({ r0: 0xffff_fff2n });
  });
});

/** A placement as the table in abi-facts §10.2 writes a row: one cell per register, `pad` for padding. */
function row(placement: ArgumentPlacement, names: readonly string[]): string[] {
  const cells: string[] = [];
  for (const argument of placement.arguments) {
    argument.registers.forEach((register, word) => {
      cells[Number(register.slice(1))] = argument.width === 64 ? `${names[argument.index]} ${word === 0 ? 'lo' : 'hi'}` : names[argument.index]!;
    });
  }
  for (const register of placement.padding) cells[Number(register.slice(1))] = 'pad';
  return Array.from(cells, (cell) => cell ?? '');
}

describe('eabiArgumentPlacement (abi-facts §10.2)', () => {
  const cases: readonly [string, readonly ArgumentWidth[], readonly string[], readonly string[]][] = [
    ['readahead (225)', [32, 64, 32], ['fd', 'off', 'count'], ['fd', 'pad', 'off lo', 'off hi', 'count']],
    ['truncate64 (193)', [32, 64], ['path', 'len'], ['path', 'pad', 'len lo', 'len hi']],
    ['ftruncate64 (194)', [32, 64], ['fd', 'len'], ['fd', 'pad', 'len lo', 'len hi']],
    ['pread64 (180)', [32, 32, 32, 64], ['fd', 'buf', 'count', 'pos'], ['fd', 'buf', 'count', 'pad', 'pos lo', 'pos hi']],
    ['generic fadvise64_64 order', [32, 64, 64, 32], ['fd', 'off', 'len', 'advice'], ['fd', 'pad', 'off lo', 'off hi', 'len lo', 'len hi', 'advice']],
    ['arm_fadvise64_64 (270)', [32, 32, 64, 64], ['fd', 'advice', 'off', 'len'], ['fd', 'advice', 'off lo', 'off hi', 'len lo', 'len hi']],
    ['generic sync_file_range order', [32, 64, 64, 32], ['fd', 'off', 'n', 'flags'], ['fd', 'pad', 'off lo', 'off hi', 'n lo', 'n hi', 'flags']],
    ['sync_file_range2 (341)', [32, 32, 64, 64], ['fd', 'flags', 'off', 'n'], ['fd', 'flags', 'off lo', 'off hi', 'n lo', 'n hi']],
  ];

  it.each(cases)('%s', (_, widths, names, expected) => {
    const placement = eabiArgumentPlacement(widths);
    expect(row(placement, names)).toEqual(expected);
    expect(placement.stackBytes).toBe(0);
  });

  it('the ARM reorderings waste no register and fit in r0–r5; the generic orders need r6', () => {
    expect(eabiArgumentPlacement([32, 32, 64, 64]).padding).toEqual([]);
    expect(eabiArgumentPlacement([32, 64, 64, 32]).padding).toEqual(['r1']);
    expect(eabiArgumentPlacement([32, 64, 64, 32]).arguments.at(-1)?.registers).toEqual(['r6']);
    expect(eabiArgumentPlacement([32, 32, 32, 64]).padding).toEqual(['r3']);
  });

  it('puts the low word in the even register', () => {
    expect(eabiArgumentPlacement([64]).arguments[0]?.registers).toEqual(['r0', 'r1']);
    expect(prototypeRoles(SYSCALL_PROTOTYPES['ftruncate64']!)).toEqual([
      { register: 'r0', role: 'fd' },
      { register: 'r2', role: 'length (low)' },
      { register: 'r3', role: 'length (high)' },
    ]);
  });

  it('goes to the stack when registers run out: no back-filling, 64-bit slots 8-byte aligned', () => {
    const placement = eabiArgumentPlacement([32, 32, 32, 64, 32], AAPCS_ARGUMENT_REGISTERS);
    expect(placement.arguments.map((a) => (a.registers.length > 0 ? a.registers.join('/') : `sp+${a.stackOffset}`))).toEqual(['r0', 'r1', 'r2', 'sp+0', 'sp+8']);
    expect(placement.padding).toEqual(['r3']);
    expect(placement.stackBytes).toBe(12);
    const spill = eabiArgumentPlacement([64, 32, 32, 32, 64], AAPCS_ARGUMENT_REGISTERS);
    expect(spill.arguments.map((a) => a.stackOffset)).toEqual([undefined, undefined, undefined, 0, 8]);
    expect(spill.stackBytes).toBe(16);
    expect(eabiArgumentPlacement([64, 64, 64, 64]).arguments.at(-1)).toEqual({ index: 3, width: 64, registers: [], stackOffset: 0 });
    expect(eabiArgumentPlacement([64, 64, 64, 64]).padding).toEqual(['r6']);
  });
});
