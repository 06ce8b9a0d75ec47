/**
 * The 64-bit PowerPC Linux system call ABI: `sc` (LEV 0) with the number in
 * r0, arguments in r3–r8 and the result in r3; on error cr0.SO is set and r3
 * holds the positive errno. It also covers the fast endian switch
 * (r0 = 0x1ebe), which the 0xC00 handler tests before the normal syscall path.
 * The call names come from the kernel's syscall table
 * (`ppc64-syscall-table.ts`).
 *
 * Facts: ../shared/abi-facts.md §8.1 (torvalds/linux:Documentation/arch/powerpc/syscall64-abi.rst,
 * arch/powerpc/kernel/syscalls/syscall.tbl, arch/powerpc/kernel/exceptions-64s.S).
 *
 * @module
 */

import { defineAbi, type Abi, type CallContext, type CallSpec, type RegisterRole, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { PPC64_SYSCALL_TABLE, PPC64_SYSCALL_TABLE_COMMIT, type Ppc64SyscallEntry } from './ppc64-syscall-table.ts';

/** `ENOSYS`: an unknown system call returns it, positive, in r3 with cr0.SO set. */
export const ENOSYS = 38n;

/** cr0.SO: bit 3 of CR field 0, i.e. bit 28 of the 32-bit CR (LSB = 0). Set on a failed `sc` system call. */
export const CR0_SO = 0x1000_0000n;

/** MSR[LE] (LSB-0 bit 0): little-endian mode, the bit the fast endian switch flips. */
export const MSR_LE = 0x1n;

/** The r0 value of the fast endian switch (`CONFIG_PPC_FAST_ENDIAN_SWITCH`). */
export const FAST_ENDIAN_SWITCH = 0x1ebe;

/** Argument registers of a ppc64 system call, in order: r3–r8. */
export const SYSCALL_ARGUMENT_REGISTERS: readonly string[] = ['r3', 'r4', 'r5', 'r6', 'r7', 'r8'];

/** Fail a system call the ppc64 way: r3 ← errno (positive), cr0.SO ← 1. */
export function failSyscall(call: CallContext, errno: bigint): ReturnOutcome {
  call.set('r3', errno);
  call.set('cr', call.get('cr') | CR0_SO);
  return { kind: 'return' };
}

/** Argument names of a few everyday calls (the kernel's `sys_*` prototypes); other calls take r3–r8 in prototype order. */
const PROTOTYPES: Readonly<Record<string, readonly string[]>> = {
  exit: ['status'],
  exit_group: ['status'],
  read: ['fd', 'buf', 'count'],
  write: ['fd', 'buf', 'count'],
  open: ['filename', 'flags', 'mode'],
  close: ['fd'],
  getpid: [],
  clone: ['clone_flags', 'newsp', 'parent_tidptr', 'tls', 'child_tidptr'],
  reboot: ['magic1', 'magic2', 'cmd', 'arg'],
  kexec_load: ['entry', 'nr_segments', 'segments', 'flags'],
  switch_endian: [],
};

const NO_RETURN = new Set(['exit', 'exit_group']);

const RESULT: RegisterRole = { register: 'r3', role: 'result; on error the positive errno, with cr0.SO set' };

function syscallCall(entry: Ppc64SyscallEntry): CallSpec {
  const base = { name: entry.name, select: BigInt(entry.number) };
  if (entry.entry === undefined) {
    return {
      ...base,
      summary: `${entry.name} (#${entry.number}): no 64-bit entry point (sys_ni_syscall), so r3 ← ENOSYS and cr0.SO set`,
      results: [{ register: 'r3', role: 'ENOSYS (38)' }],
      clobbers: ['cr'],
      meaning: 'enosys',
      run: (call) => failSyscall(call, ENOSYS),
    };
  }
  const prototype = PROTOTYPES[entry.name];
  return {
    ...base,
    summary: `${entry.name} (#${entry.number}, ${entry.entry})${NO_RETURN.has(entry.name) ? '; does not return' : ''}`,
    ...(prototype === undefined ? {} : { args: prototype.map((role, i) => ({ register: SYSCALL_ARGUMENT_REGISTERS[i]!, role })) }),
    results: [RESULT],
    ...(NO_RETURN.has(entry.name) ? { noReturn: true } : {}),
    // Dispatch only: the spec says which call and which registers carry its arguments; it does not emulate Linux.
    run: () => ({ kind: 'return' }),
  };
}

const FAST_ENDIAN: CallSpec = {
  name: 'fast_endian_switch',
  select: BigInt(FAST_ENDIAN_SWITCH),
  summary: "r0 = 0x1ebe: the 0xC00 handler flips MSR[LE] in SRR1 and rfid's straight back, no syscall done: the caller resumes with its endianness switched",
  results: [{ register: 'msr', role: 'MSR[LE] flipped (via SRR1 and rfid)' }],
  meaning: 'switch-endian',
  run: (call) => {
    call.set('msr', call.get('msr') ^ MSR_LE);
    return { kind: 'return' };
  },
};

const UNKNOWN: CallSpec = {
  name: 'unknown',
  select: 'otherwise',
  summary: 'r0 ≥ NR_syscalls (or a gap): r3 ← ENOSYS (38), cr0.SO set',
  results: [{ register: 'r3', role: 'ENOSYS (38)' }],
  clobbers: ['cr'],
  meaning: 'enosys',
  run: (call) => failSyscall(call, ENOSYS),
};

/** The ppc64 Linux system call ABI on `sc`. */
export const LINUX_SYSCALL_PPC64: Abi = defineAbi({
  id: 'linux-syscall-ppc64',
  family: 'linux-syscall',
  arch: 'ppc64',
  era: 'ppc64 Linux (v2.6 onwards; table of v5.0)',
  status: 'mainline',
  purpose:
    'How 64-bit PowerPC user space calls the Linux kernel: `sc` with the system call number in r0 and up to six arguments in r3–r8. The result comes back in r3; on error the kernel sets cr0.SO and r3 holds the positive errno (not −errno as on most architectures). r0 = 0x1ebe is the fast endian switch, tested before the syscall path.',
  source: {
    document: `torvalds/linux:Documentation/arch/powerpc/syscall64-abi.rst @512a93a9 (registers, cr0.SO error convention); torvalds/linux:arch/powerpc/kernel/syscalls/syscall.tbl @${PPC64_SYSCALL_TABLE_COMMIT.slice(0, 8)} (names and entry points, 0–402); arch/powerpc/kernel/exceptions-64s.S (system_call_common, the 0x1ebe fast endian switch; seen through patch excerpts); in-kernel \`sc\`: arch/ppc64/kernel/misc.S and arch/ppc/kernel/misc.S kernel_thread (li r0,__NR_clone; sc)`,
    version: 'v5.0 (the table); the register convention is unchanged since ppc64 Linux began',
    note: `The table is the one stored for commit ${PPC64_SYSCALL_TABLE_COMMIT} and ends at 402 (msgctl): later numbers (403 onwards, io_uring, clone3, …) are not in it and dispatch as 'unknown'. The fast endian switch needs CONFIG_PPC_FAST_ENDIAN_SWITCH and CPU_FTR_REAL_LE and was removed in 2024 (abi-facts §8.1).`,
  },
  conduit: { instruction: 'sc', imm: 0n },
  // Decision: user AND kernel. Old kernels issued `sc` from kernel mode themselves (kernel_thread: li r0,__NR_clone; sc), and the 0xC00 handler never checks MSR[PR] before the syscall path; that is what makes the kernel-mode collisions of issue 5 §4 real.
  origin: { privilege: ['user', 'kernel'], world: ['host', 'guest'] },
  selector: { register: 'r0', width: 64 },
  priority: 0,
  calls: [...PPC64_SYSCALL_TABLE.map(syscallCall), FAST_ENDIAN, UNKNOWN],
  examples: [
    { title: 'getpid()', registers: { r0: 20n }, origin: { privilege: 'user', world: 'host' }, call: 'getpid' },
    { title: 'write(1, buf, 5)', registers: { r0: 4n, r3: 1n, r4: 0x1000_0000n, r5: 5n }, origin: { privilege: 'user', world: 'host' }, call: 'write' },
    { title: 'exit_group(0)', registers: { r0: 234n }, origin: { privilege: 'user', world: 'host' }, call: 'exit_group' },
    { title: 'the fast endian switch (r0 = 0x1ebe)', registers: { r0: 0x1eben }, origin: { privilege: 'user', world: 'host' }, call: 'fast_endian_switch' },
    { title: 'mmap2 is 32-bit only: ENOSYS on ppc64', registers: { r0: 192n }, origin: { privilege: 'user', world: 'host' }, call: 'mmap2' },
    { title: "an old kernel's kernel_thread: clone from kernel mode", registers: { r0: 120n, r3: 0x100n }, origin: { privilege: 'kernel', world: 'host' }, call: 'clone' },
    { title: 'a number past the table', registers: { r0: 0x1000n }, origin: { privilege: 'user', world: 'host' }, call: 'unknown' },
  ],
  notes: [
    'The reference handler models the dispatch only: which call, and which registers carry its arguments. It does not emulate Linux, so a known call returns with r3 as it was; only what the ABI itself defines is modelled: ENOSYS with cr0.SO set for numbers with no 64-bit system call.',
    'Error convention of `sc`: cr0.SO set and r3 = the positive errno; `scv 0` (POWER9+) returns −errno instead and sets no flag (not modelled: scv is not a conduit here).',
    'Origin is user and kernel: the 0xC00 handler does not check MSR[PR], and old kernels issued `sc` from kernel mode (kernel_thread). In a guest, whoever intercepts `sc` before the guest kernel (KVM PR) sees in-kernel syscalls too.',
    'The fast endian switch is its own call: r0 = 0x1ebe (a 64-bit compare) flips MSR[LE] in SRR1 and returns with rfid, before the syscall path and without touching r3 or cr0. It is ppc64-only, needs CONFIG_PPC_FAST_ENDIAN_SWITCH on a CPU with CPU_FTR_REAL_LE, and was removed in 2024; switch_endian (363) is the syscall that replaced it. The model sets the caller’s MSR[LE] directly.',
    'Volatile across `sc`: r0, r3–r8 and cr0 (syscall64-abi.rst).',
  ],
});

/** The ppc64 Linux syscall ABIs. */
export const LINUX_SYSCALL_PPC64_ABIS: readonly Abi[] = [LINUX_SYSCALL_PPC64];
