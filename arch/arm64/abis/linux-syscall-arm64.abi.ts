/**
 * The arm64 Linux system call ABI: `svc #0` from EL0 with the number in w8,
 * up to six arguments in x0–x5 (every argument, 64-bit ones included, in
 * one register: no pairs and no padding, unlike 32-bit EABI), the result in
 * x0 (−errno on failure). The call names come from the generic table
 * (`arm64-syscall-table.ts`).
 *
 * Facts: ../shared/abi-facts.md §10.1 (man-pages syscall(2));
 * torvalds/linux:scripts/syscall.tbl @26fef9d0,
 * arch/arm64/kernel/Makefile.syscalls, arch/arm64/kernel/syscall.c
 * (el0_svc_common, invoke_syscall: scno is an unsigned int, numbers at or
 * past __NR_syscalls go to do_ni_syscall).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type CallContext, type CallSpec, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { ARM64_NR_SYSCALLS, ARM64_SYSCALL_TABLE, type Arm64SyscallEntry } from './arm64-syscall-table.ts';
import { X0 } from './spec-registers.ts';

/** `ENOSYS`. */
export const ARM64_ENOSYS = 38n;

/** −ENOSYS as x0 holds it (a 64-bit long). */
const MINUS_ENOSYS = BigInt.asUintN(64, -ARM64_ENOSYS);

/** Argument names of the calls whose registers the spec spells out (the kernel's SYSCALL_DEFINE order); the others take theirs in x0–x5 in prototype order. */
export const ARM64_SYSCALL_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  exit: ['status'],
  exit_group: ['status'],
  read: ['fd', 'buf', 'count'],
  write: ['fd', 'buf', 'count'],
  openat: ['dfd', 'filename', 'flags', 'mode'],
  close: ['fd'],
  pread64: ['fd', 'buf', 'count', 'pos (64-bit, one register)'],
  pwrite64: ['fd', 'buf', 'count', 'pos (64-bit, one register)'],
  reboot: ['magic1', 'magic2', 'cmd', 'arg'],
  kexec_load: ['entry', 'nr_segments', 'segments', 'flags'],
  kexec_file_load: ['kernel_fd', 'initrd_fd', 'cmdline_len', 'cmdline', 'flags'],
  mmap: ['addr', 'len', 'prot', 'flags', 'fd', 'off'],
  clone: ['clone_flags', 'newsp', 'parent_tidptr', 'tls', 'child_tidptr'],
};

/** Calls that never return to the caller: exit and exit_group end the task, rt_sigreturn resumes the saved context. */
const NO_RETURN = new Set(['exit', 'exit_group', 'rt_sigreturn']);

function returnsEnosys(call: CallContext): ReturnOutcome {
  call.set(X0, MINUS_ENOSYS);
  return RETURN;
}

function syscallCall(entry: Arm64SyscallEntry): CallSpec {
  const base = { name: entry.name, select: BigInt(entry.number) };
  if (entry.entry === 'sys_ni_syscall') {
    return { ...base, summary: `${entry.name} (#${entry.number}): no entry point (sys_ni_syscall), so x0 ← −ENOSYS`, results: [{ register: 'x0', role: '-ENOSYS' }], meaning: 'enosys', run: returnsEnosys };
  }
  const args = ARM64_SYSCALL_ARGUMENTS[entry.name];
  const noReturn = NO_RETURN.has(entry.name);
  return {
    ...base,
    summary: `${entry.name} (#${entry.number}, ${entry.entry})${noReturn ? '; does not return to the caller' : ''}`,
    ...(args === undefined ? {} : { args: args.map((role, i) => ({ register: `x${i}`, role })) }),
    results: [{ register: 'x0', role: 'result, or −errno (−4095…−1)' }],
    ...(noReturn ? { noReturn: true } : {}),
    // Dispatch only: which call and which arguments; Linux is not emulated, so x0 is left as it was.
    run: () => RETURN,
  };
}

/** The arm64 syscall ABI. */
export const LINUX_SYSCALL_ARM64: Abi = defineAbi({
  id: 'linux-syscall-arm64',
  family: 'linux-syscall-arm64',
  arch: 'arm64',
  era: 'the generic table to v6.11 (last entry 462 mseal)',
  status: 'mainline',
  purpose:
    'How an AArch64 program asks Linux for a service: `svc #0` at EL0 with the call number in w8 and up to six arguments in x0–x5; the kernel answers in x0. arm64 has no table of its own: it builds the generic one (the numbers that include/uapi/asm-generic/unistd.h used to define), so there is no open, fork or stat, only their *at and clone forms.',
  source: {
    document:
      'torvalds/linux:scripts/syscall.tbl @26fef9d0 (the generic table, last entry 462 mseal) and arch/arm64/kernel/Makefile.syscalls (syscall_abis_64: renameat newstat rlimit memfd_secret); arch/arm64/kernel/syscall.c (invoke_syscall: an unsigned int scno below __NR_syscalls runs its entry, anything else do_ni_syscall → −ENOSYS); man-pages syscall(2) (svc #0, x8, x0–x5, x0)',
    version: 'v6.11',
  },
  // The kernel never reads the svc immediate on arm64 (el0_svc takes every SVC64 as a system call).
  conduit: { instruction: 'svc', imm: 'any' },
  origin: { privilege: ['user'], world: ['host', 'guest'] },
  // scno is an unsigned int taken from x8: only w8 matters.
  selector: { register: 'x8', width: 32 },
  priority: 0,
  calls: [
    ...ARM64_SYSCALL_TABLE.map(syscallCall),
    {
      name: 'unknown',
      select: 'otherwise',
      summary: `a number no row has (42, 244–259, 295–423) or at/past __NR_syscalls (${ARM64_NR_SYSCALLS}), w8 = −1 included: do_ni_syscall, x0 ← −ENOSYS`,
      results: [{ register: 'x0', role: '-ENOSYS' }],
      meaning: 'enosys',
      run: returnsEnosys,
    },
  ],
  examples: [
    { title: 'write(1, buf, 13)', registers: { x8: 64n, x0: 1n, x1: 0x4000_1000n, x2: 13n }, call: 'write' },
    { title: 'exit_group(0)', registers: { x8: 94n }, call: 'exit_group' },
    { title: 'getpid', registers: { x8: 172n }, call: 'getpid' },
    { title: 'pread64 with a 64-bit offset in one register', registers: { x8: 67n, x0: 3n, x1: 0x4000_2000n, x2: 512n, x3: 0x1_0000_0000n }, call: 'pread64' },
    { title: 'the last call of the table', registers: { x8: 462n }, call: 'mseal' },
    { title: 'past the table', registers: { x8: BigInt(ARM64_NR_SYSCALLS) }, call: 'unknown' },
    { title: 'only w8 counts: x8 = 0x1_0000_00ac is getpid', registers: { x8: 0x1_0000_00acn }, call: 'getpid' },
  ],
  notes: [
    '64-bit arguments need no register pairs: pread64\'s offset is x3, where 32-bit EABI puts it in r4/r5 after a pad register.',
    'An AArch32 task on an arm64 kernel uses the compat EABI table (svc #0, r7) instead; that is the arm32 linux-syscall-eabi spec, not this one.',
    'The table is the v6.11 one: setxattrat and the later calls (463+) are past its end here.',
  ],
});

/** The arm64 syscall specs. */
export const LINUX_SYSCALL_ARM64_ABIS: readonly Abi[] = [LINUX_SYSCALL_ARM64];
