/**
 * The 64-bit PowerPC Linux system call ABI: `sc` (LEV 0) with the number in
 * r0, arguments in r3–r8 and the result in r3; on error cr0.SO is set and r3
 * holds the positive errno. It also covers the fast endian switch
 * (r0 = 0x1ebe), which the 0xC00 handler tests before the normal syscall path.
 * The call names come from a released syscall table (`ppc64-syscall-table.ts`).
 *
 * Two eras, because v5.7 changed who may call it: up to v5.6 the 0xC00 entry
 * (`system_call_common` in entry_64.S) runs a syscall whatever MSR[PR] says,
 * so a kernel-mode `sc` is a syscall; from v5.7 the entry is C
 * (`system_call_exception`), which starts with `BUG_ON(!(regs->msr &
 * MSR_PR))`, so a kernel-mode `sc` is a kernel BUG, not a syscall. Each era
 * carries the table of the release it names: v5.0 and v5.7.
 *
 * Facts: ../shared/abi-facts.md §8.1 (v5.0 and v5.7 trees; torvalds/linux:Documentation/arch/powerpc/syscall64-abi.rst).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type AbiOrigin, type CallContext, type CallSpec, type RegisterRole, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { CR, MSR, R3 } from './spec-registers.ts';
import { PPC64_SYSCALL_TABLE_V5_0, PPC64_SYSCALL_TABLE_V5_7, type Ppc64SyscallEntry, type Ppc64SyscallTable } from './ppc64-syscall-table.ts';

/** `ENOSYS`: an unknown system call returns it, positive, in r3 with cr0.SO set. */
export const ENOSYS = 38n;

/** cr0.SO: bit 3 of CR field 0, i.e. bit 28 of the 32-bit CR (LSB = 0). Set on a failed `sc` system call. */
export const CR0_SO = 0x1000_0000n;

/** {@link CR0_SO} as a number: the CR is 32 bits. */
const SO = Number(CR0_SO);

/** MSR[LE] (LSB-0 bit 0): little-endian mode, the bit the fast endian switch flips. */
export const MSR_LE = 0x1n;

/** The r0 value of the fast endian switch (`CONFIG_PPC_FAST_ENDIAN_SWITCH`). */
export const FAST_ENDIAN_SWITCH = 0x1ebe;

/** Argument registers of a ppc64 system call, in order: r3–r8. */
export const SYSCALL_ARGUMENT_REGISTERS: readonly string[] = ['r3', 'r4', 'r5', 'r6', 'r7', 'r8'];

/** Fail a system call the ppc64 way: r3 ← errno (positive), cr0.SO ← 1. */
export function failSyscall(call: CallContext, errno: bigint): ReturnOutcome {
  call.set(R3, errno);
  call.setU32(CR, call.u32(CR) | SO);
  return RETURN;
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
  execve: ['filename', 'argv', 'envp'],
  clone: ['clone_flags', 'newsp', 'parent_tidptr', 'tls', 'child_tidptr'],
  reboot: ['magic1', 'magic2', 'cmd', 'arg'],
  kexec_load: ['entry', 'nr_segments', 'segments', 'flags'],
  switch_endian: [],
  rt_sigreturn: [],
};

/**
 * Calls that never return to the caller: exit and exit_group end the thread
 * or process; rt_sigreturn resumes the context the signal frame holds, never
 * the instruction after its own `sc` (on a bad frame the task gets SIGSEGV).
 * execve returns only on failure, so it is not here.
 */
const NO_RETURN: ReadonlySet<string> = new Set(['exit', 'exit_group', 'rt_sigreturn']);

const RESULT: RegisterRole = { register: 'r3', role: 'result; on error the positive errno, with cr0.SO set' };

function enosysCall(entry: Ppc64SyscallEntry, why: string): CallSpec {
  return {
    name: entry.name,
    select: BigInt(entry.number),
    summary: `${entry.name} (#${entry.number}): ${why}, so r3 ← ENOSYS and cr0.SO set`,
    results: [{ register: 'r3', role: 'ENOSYS (38)' }],
    clobbers: ['cr'],
    meaning: 'enosys',
    run: (call) => failSyscall(call, ENOSYS),
  };
}

function syscallCall(entry: Ppc64SyscallEntry): CallSpec {
  switch (entry.kind) {
    case 'ni-syscall':
      return enosysCall(entry, `the 64-bit row's entry is sys_ni_syscall (ABI ${entry.abis.join('/')})`);
    case 'not-64-bit':
      return enosysCall(entry, `no 64-bit row (only ${entry.abis.join('/')}): a 64-bit caller gets sys_ni_syscall, and the 64-bit unistd.h has no __NR_${entry.name}`);
    case 'native': {
      const prototype = PROTOTYPES[entry.name];
      const noReturn = NO_RETURN.has(entry.name);
      return {
        name: entry.name,
        select: BigInt(entry.number),
        summary: `${entry.name} (#${entry.number}, ${entry.entry})${noReturn ? '; does not return to the caller' : ''}`,
        ...(prototype === undefined ? {} : { args: prototype.map((role, i) => ({ register: SYSCALL_ARGUMENT_REGISTERS[i]!, role })) }),
        results: [RESULT],
        ...(noReturn ? { noReturn: true } : {}),
        // Dispatch only: the spec says which call and which registers carry its arguments; it does not emulate Linux.
        run: () => RETURN,
      };
    }
    default: {
      const unreachable: never = entry.kind;
      return unreachable;
    }
  }
}

const FAST_ENDIAN: CallSpec = {
  name: 'fast_endian_switch',
  select: BigInt(FAST_ENDIAN_SWITCH),
  summary: "r0 = 0x1ebe: the 0xC00 handler flips MSR[LE] in SRR1 and rfid's straight back, no syscall done: the caller resumes with its endianness switched",
  results: [{ register: 'msr', role: 'MSR[LE] flipped (via SRR1 and rfid)' }],
  clobbers: ['r12'],
  meaning: 'switch-endian',
  run: (call) => {
    call.set(MSR, call.get(MSR) ^ MSR_LE);
    return RETURN;
  },
};

function unknownCall(table: Ppc64SyscallTable): CallSpec {
  return {
    name: 'unknown',
    select: 'otherwise',
    summary: `r0 ≥ NR_syscalls (${table.nrSyscalls} in ${table.version}), or a number with no row at all (${table.unused.join(', ')}): r3 ← ENOSYS (38), cr0.SO set`,
    results: [{ register: 'r3', role: 'ENOSYS (38)' }],
    clobbers: ['cr'],
    meaning: 'enosys',
    run: (call) => failSyscall(call, ENOSYS),
  };
}

const PURPOSE =
  'How 64-bit PowerPC user space calls the Linux kernel: `sc` with the system call number in r0 and up to six arguments in r3–r8. The result comes back in r3; on error the kernel sets cr0.SO and r3 holds the positive errno (not −errno as on most architectures). r0 = 0x1ebe is the fast endian switch, tested before the syscall path.';

const ABI_DOCUMENT = 'torvalds/linux:Documentation/arch/powerpc/syscall64-abi.rst @512a93a9 (registers, cr0.SO error convention)';

function notes(table: Ppc64SyscallTable, kernelMode: string): string[] {
  return [
    'The reference handler models the dispatch only: which call, and which registers carry its arguments. It does not emulate Linux, so a known call returns with r3 as it was; only what the ABI itself defines is modelled: ENOSYS with cr0.SO set for numbers with no 64-bit system call.',
    `The table is ${table.version}'s, complete: its 64-bit view takes the rows of ABI common, nospu and 64 (arch/powerpc/kernel/syscalls/Makefile), so NR_syscalls = ${table.nrSyscalls}. A number with only \`32\` or \`spu\` rows is sys_ni_syscall for a 64-bit caller (ENOSYS); so is a number with no row below NR_syscalls, and any r0 ≥ NR_syscalls (a 64-bit unsigned compare).`,
    kernelMode,
    'Error convention of `sc`: cr0.SO set and r3 = the positive errno; `scv 0` (POWER9, v5.9+) returns −errno instead and sets no flag (not modelled: scv is not a conduit here).',
    'The fast endian switch is its own call: r0 = 0x1ebe (a 64-bit `cmpdi`) flips MSR[LE] in SRR1 and returns with rfid, before the syscall path and without touching r3 or cr0 (it clobbers only r12). In this era it needs CONFIG_PPC_FAST_ENDIAN_SWITCH, a deprecated debug option (arch/powerpc/Kconfig.debug: "depends on DEBUG_KERNEL && PPC_BOOK3S_64", "say N") on a CPU with CPU_FTR_REAL_LE; without it r0 = 0x1ebe is past NR_syscalls and gets ENOSYS. It was removed by a 2024 patch (release unconfirmed); switch_endian (363) is the syscall that replaced it. The model sets the caller’s MSR[LE] directly.',
    'Volatile across `sc`: r0, r3–r8 and cr0 (syscall64-abi.rst).',
  ];
}

const COMMON = {
  family: 'linux-syscall',
  arch: 'ppc64',
  status: 'mainline',
  purpose: PURPOSE,
  conduit: { instruction: 'sc', imm: 0n },
  selector: { register: 'r0', width: 64 },
  priority: 0,
} as const;

function calls(table: Ppc64SyscallTable): CallSpec[] {
  return [...table.entries.map(syscallCall), FAST_ENDIAN, unknownCall(table)];
}

function userExamples(table: Ppc64SyscallTable) {
  return [
    { title: 'getpid()', registers: { r0: 20n }, origin: { privilege: 'user', world: 'host' }, call: 'getpid' },
    { title: 'write(1, buf, 5)', registers: { r0: 4n, r3: 1n, r4: 0x1000_0000n, r5: 5n }, origin: { privilege: 'user', world: 'host' }, call: 'write' },
    { title: 'exit_group(0)', registers: { r0: 234n }, origin: { privilege: 'user', world: 'host' }, call: 'exit_group' },
    { title: 'the fast endian switch (r0 = 0x1ebe)', registers: { r0: 0x1eben }, origin: { privilege: 'user', world: 'host' }, call: 'fast_endian_switch' },
    { title: 'mmap2 has only a `32` row: ENOSYS for a 64-bit caller', registers: { r0: 192n }, origin: { privilege: 'user', world: 'host' }, call: 'mmap2' },
    { title: `r0 = NR_syscalls (${table.nrSyscalls}): past the table`, registers: { r0: BigInt(table.nrSyscalls) }, origin: { privilege: 'user', world: 'host' }, call: 'unknown' },
  ] as const;
}

const BOTH_WORLDS = ['host', 'guest'] as const;

/**
 * v5.0: the table as v5.0 released it, and a kernel-mode `sc` is a syscall
 * (as in every release up to v5.6).
 */
export const LINUX_SYSCALL_PPC64_V5_0: Abi = defineAbi({
  ...COMMON,
  id: 'linux-syscall-ppc64-v5.0',
  era: 'v5.0 (table of v5.0; a kernel-mode `sc` is a syscall, as in every release up to v5.6)',
  source: {
    document: `${PPC64_SYSCALL_TABLE_V5_0.document} (names, ABI column, entry points; NR_syscalls from syscallhdr.sh); same tree linux-5.0.1/arch/powerpc/kernel/entry_64.S system_call_common (:85 \`beq 2f /* if from kernel mode */\`: MSR[PR] picks the stack only; :173 \`cmpldi 0,r0,NR_syscalls\` → .Lsyscall_enosys; :322 \`oris r5,r5,0x1000\` sets cr0.SO), linux-5.0.1/arch/powerpc/kernel/exceptions-64s.S:902 (\`cmpdi r0,0x1ebe\`), linux-5.0.1/arch/powerpc/Kconfig.debug:368 (PPC_FAST_ENDIAN_SWITCH); ${ABI_DOCUMENT}; in-kernel \`sc\` in old kernels: arch/ppc64/kernel/misc.S and arch/ppc/kernel/misc.S kernel_thread (li r0,__NR_clone; sc)`,
    version: 'v5.0',
    note: 'The register convention is unchanged since ppc64 Linux began, and every release up to v5.6 runs a kernel-mode `sc` as a syscall; older releases have fewer rows (numbers are only ever added).',
  },
  // A kernel-mode `sc` is a syscall up to v5.6 (entry_64.S tests MSR[PR] only to pick the stack): that is what makes the kernel-mode collisions of issue 5 §4 real.
  origin: { privilege: ['user', 'kernel'], world: BOTH_WORLDS },
  calls: calls(PPC64_SYSCALL_TABLE_V5_0),
  examples: [
    ...userExamples(PPC64_SYSCALL_TABLE_V5_0),
    { title: 'v5.0 has no 393 (semget came in v5.1): ENOSYS', registers: { r0: 393n }, origin: { privilege: 'user', world: 'host' }, call: 'unknown' },
    { title: "an old kernel's kernel_thread: clone from kernel mode", registers: { r0: 120n, r3: 0x100n }, origin: { privilege: 'kernel', world: 'host' }, call: 'clone' },
  ],
  notes: notes(
    PPC64_SYSCALL_TABLE_V5_0,
    'Origin is user and kernel: system_call_common tests MSR[PR] only to choose the stack (`beq 2f /* if from kernel mode */`) and then runs the syscall, and old kernels issued `sc` from kernel mode themselves (kernel_thread). In a guest, whoever intercepts `sc` before the guest kernel (KVM PR) sees in-kernel syscalls too. From v5.7 a kernel-mode `sc` is a BUG instead: see linux-syscall-ppc64-v5.7.',
  ),
});

/** Who may make a syscall from v5.7 on: user mode only (a kernel-mode `sc` is BUG_ON). */
const USER_ONLY: AbiOrigin = { privilege: ['user'], world: BOTH_WORLDS };

/** v5.7: the table as v5.7 released it, and a kernel-mode `sc` is a BUG. */
export const LINUX_SYSCALL_PPC64_V5_7: Abi = defineAbi({
  ...COMMON,
  id: 'linux-syscall-ppc64-v5.7',
  era: 'v5.7 onwards (table of v5.7; a kernel-mode `sc` is a BUG, not a syscall)',
  source: {
    document: `${PPC64_SYSCALL_TABLE_V5_7.document} (names, ABI column, entry points; NR_syscalls from syscallhdr.sh); same tree arch/powerpc/kernel/syscall_64.c system_call_exception (:34 \`BUG_ON(!(regs->msr & MSR_PR))\`; :80-81 r0 ≥ NR_syscalls → -ENOSYS) and syscall_exit_prepare (:129-132 -errno → positive errno with \`regs->ccr |= 0x10000000\`, cr0.SO), arch/powerpc/kernel/exceptions-64s.S:1897 (\`cmpdi r0,0x1ebe\`, before system_call_common), arch/powerpc/Kconfig.debug:391 (PPC_FAST_ENDIAN_SWITCH); ${ABI_DOCUMENT}`,
    version: 'v5.7',
    note: 'Later releases add rows past 438 (439 faccessat2, 440 process_madvise, …); this spec answers them ENOSYS, as v5.7 does.',
  },
  origin: USER_ONLY,
  calls: calls(PPC64_SYSCALL_TABLE_V5_7),
  examples: [
    ...userExamples(PPC64_SYSCALL_TABLE_V5_7),
    { title: 'pidfd_send_signal (v5.1+)', registers: { r0: 424n }, origin: { privilege: 'user', world: 'host' }, call: 'pidfd_send_signal' },
    { title: 'clone3 (v5.3+)', registers: { r0: 435n }, origin: { privilege: 'user', world: 'guest' }, call: 'clone3' },
    { title: 'clock_gettime64 has only a `32` row: ENOSYS for a 64-bit caller', registers: { r0: 403n }, origin: { privilege: 'user', world: 'host' }, call: 'clock_gettime64' },
  ],
  notes: notes(
    PPC64_SYSCALL_TABLE_V5_7,
    'Origin is user only: from v5.7 the syscall entry is C (system_call_exception), and a kernel-mode `sc` hits `BUG_ON(!(regs->msr & MSR_PR))`, a kernel BUG, not a syscall. One corner the origin cannot carve out: the fast endian switch is tested in exceptions-64s.S before system_call_common, so with CONFIG_PPC_FAST_ENDIAN_SWITCH a kernel-mode `sc` with r0 = 0x1ebe still flips MSR[LE] (not modelled).',
  ),
});

/** The ppc64 Linux syscall ABIs, oldest first. */
export const LINUX_SYSCALL_PPC64_ABIS: readonly Abi[] = [LINUX_SYSCALL_PPC64_V5_0, LINUX_SYSCALL_PPC64_V5_7];
