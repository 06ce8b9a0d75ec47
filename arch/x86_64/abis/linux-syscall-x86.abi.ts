/**
 * The Linux system call ABIs of an x86-64 kernel: `syscall` from a 64-bit
 * task (number in RAX, arguments in RDI, RSI, RDX, R10, R8, R9; RCX and R11
 * clobbered by the instruction) and `int $0x80`, which runs the i386 table
 * with the 32-bit registers (EAX; EBX, ECX, EDX, ESI, EDI, EBP) whoever
 * issues it, a 64-bit task included. The tables are the v5.13-era ones
 * (`x86-64-syscall-table.ts`, `i386-syscall-table.ts`).
 *
 * The third spec here is no kernel's: it is what a 64-bit program that
 * issues `int $0x80` with its own numbers and registers means (RAX = 1
 * write(RDI, …)), kept so that the collision analysis shows where the two
 * tables meet (RAX = 1 is exit under int $0x80).
 *
 * Facts: ../shared/abi-facts.md §9.2 and §9.5 (torvalds/linux:arch/x86/entry/syscalls/syscall_64.tbl
 * and syscall_32.tbl @17ae69ab; arch/x86/entry/common.c do_syscall_64,
 * do_int80_syscall_32; entry_64.S, entry_64_compat.S; man-pages syscall(2)).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type CallContext, type CallSpec, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { I386_NR_SYSCALLS, I386_SYSCALL_TABLE } from './i386-syscall-table.ts';
import { RAX } from './spec-registers.ts';
import { X32_NR_SYSCALLS, X32_SYSCALL_BIT, X86_64_NR_SYSCALLS, X86_64_SYSCALL_TABLE } from './x86-64-syscall-table.ts';

/** `ENOSYS`. */
export const X86_ENOSYS = 38n;

/** −ENOSYS as RAX holds it (pt_regs->ax is a 64-bit long, set to −ENOSYS on entry). */
const MINUS_ENOSYS = BigInt.asUintN(64, -X86_ENOSYS);

function returnsEnosys(call: CallContext): ReturnOutcome {
  call.set(RAX, MINUS_ENOSYS);
  return RETURN;
}

/** The x86-64 argument registers, in order (entry_64.S). */
export const X86_64_SYSCALL_REGISTERS = ['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'] as const;

/** The i386 argument registers, in order (entry_64_compat.S). */
export const I386_SYSCALL_REGISTERS = ['rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp'] as const;

/** Argument names of the calls whose registers the specs spell out (the kernel's SYSCALL_DEFINE order). */
export const X86_SYSCALL_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  exit: ['status'],
  exit_group: ['status'],
  read: ['fd', 'buf', 'count'],
  write: ['fd', 'buf', 'count'],
  open: ['filename', 'flags', 'mode'],
  close: ['fd'],
  kill: ['pid', 'sig'],
  reboot: ['magic1', 'magic2', 'cmd', 'arg'],
  kexec_load: ['entry', 'nr_segments', 'segments', 'flags'],
  mmap: ['addr', 'len', 'prot', 'flags', 'fd', 'off'],
  mmap2: ['addr', 'len', 'prot', 'flags', 'fd', 'pgoff'],
};

/** Calls that never return to the caller. */
const NO_RETURN = new Set(['exit', 'exit_group', 'rt_sigreturn', 'sigreturn']);

/** One call of a table: dispatch only (Linux is not emulated, so RAX is left as it was), −ENOSYS for a row with no entry. */
function tableCall(number: number, name: string, entry: string, registers: readonly string[], extra = ''): CallSpec {
  const base = { name, select: BigInt(number) };
  if (entry === 'sys_ni_syscall') {
    return { ...base, summary: `${name} (#${number}): no entry point (sys_ni_syscall), so RAX ← −ENOSYS`, results: [{ register: 'rax', role: '−ENOSYS' }], meaning: 'enosys', run: returnsEnosys };
  }
  const args = X86_SYSCALL_ARGUMENTS[name];
  const noReturn = NO_RETURN.has(name);
  return {
    ...base,
    summary: `${name} (#${number}, ${entry}${extra})${noReturn ? '; does not return to the caller' : ''}`,
    ...(args === undefined ? {} : { args: args.map((role, i) => ({ register: registers[i]!, role })) }),
    results: [{ register: 'rax', role: 'result, or −errno (−4095…−1)' }],
    ...(noReturn ? { noReturn: true } : {}),
    meaning: `syscall-${name}`,
    run: () => RETURN,
  };
}

const ROWS_64 = X86_64_SYSCALL_TABLE.filter((row) => row.abi !== 'x32');

/** The x86-64 syscall ABI: `syscall` from a 64-bit task. */
export const LINUX_SYSCALL_X86_64: Abi = defineAbi({
  id: 'linux-syscall-x86_64',
  family: 'linux-syscall-x86_64',
  arch: 'x86_64',
  era: 'the syscall_64.tbl of ≈v5.13 (last entry 446 landlock_restrict_self)',
  status: 'mainline',
  purpose:
    'How a 64-bit x86 program asks Linux for a service: `syscall` with the number in RAX and up to six arguments in RDI, RSI, RDX, R10 (not RCX: the instruction puts the return RIP there, and RFLAGS in R11), R8, R9; the kernel answers in RAX (−errno on failure). The kernel reads the number as an int: only EAX counts.',
  source: {
    document:
      'torvalds/linux:arch/x86/entry/syscalls/syscall_64.tbl @17ae69ab (the common and 64 rows; x32 rows 512–547 only with __X32_SYSCALL_BIT); arch/x86/entry/common.c (do_syscall_64(regs, int nr): do_syscall_x64 for an unsigned nr below NR_syscalls, do_syscall_x32 for nr − __X32_SYSCALL_BIT below X32_NR_syscalls, else −ENOSYS); entry_64.S header comment; man-pages syscall(2)',
    version: '≈v5.13',
    note: 'The int-typed number (H. P. Anvin\'s 2021 entry series) is what makes only EAX count; before it (≤ ≈v5.11, release UNCONFIRMED) do_syscall_64 took the whole RAX (nr & __SYSCALL_MASK), so RAX = 0x1_0000_0027 was −ENOSYS there.',
  },
  conduit: { instruction: 'syscall', imm: 'any' },
  origin: { privilege: ['user'], world: ['host', 'guest'] },
  selector: { register: 'rax', width: 32 },
  priority: 0,
  calls: [
    ...ROWS_64.map((row) => tableCall(row.number, row.name, row.entry, X86_64_SYSCALL_REGISTERS)),
    {
      name: 'x32 syscall',
      select: { min: BigInt(X32_SYSCALL_BIT), max: BigInt(X32_SYSCALL_BIT + X32_NR_SYSCALLS - 1) },
      summary: `__X32_SYSCALL_BIT (0x${X32_SYSCALL_BIT.toString(16)}) set: the x32 table (the common rows and x32 rows 512–547), on a kernel built with CONFIG_X86_X32_ABI; without it −ENOSYS. Dispatch only`,
      results: [{ register: 'rax', role: 'result, or −errno' }],
      meaning: 'syscall-x32',
      run: () => RETURN,
    },
    {
      name: 'unknown',
      select: 'otherwise',
      summary: `a number no row has (335–423), at or past NR_syscalls (${X86_64_NR_SYSCALLS}), the x32 rows without the x32 bit, or −1: RAX stays −ENOSYS, as the entry code preset it`,
      results: [{ register: 'rax', role: '−ENOSYS' }],
      meaning: 'enosys',
      run: returnsEnosys,
    },
  ],
  examples: [
    { title: 'write(1, buf, 13)', registers: { rax: 1n, rdi: 1n, rsi: 0x40_1000n, rdx: 13n }, call: 'write' },
    { title: 'exit_group(0)', registers: { rax: 231n }, call: 'exit_group' },
    { title: 'getpid', registers: { rax: 39n }, call: 'getpid' },
    { title: 'the last call of the table', registers: { rax: 446n }, call: 'landlock_restrict_self' },
    { title: 'an x32 row without the x32 bit', registers: { rax: 512n }, call: 'unknown' },
    { title: 'only EAX counts: RAX = 0x1_0000_0027 is getpid', registers: { rax: 0x1_0000_0027n }, call: 'getpid' },
    { title: 'an x32 task\'s execve (520 | __X32_SYSCALL_BIT)', registers: { rax: 0x4000_0208n }, call: 'x32 syscall' },
  ],
  notes: [
    'SYSCALL itself clobbers RCX (the return RIP) and R11 (RFLAGS); the kernel returns with SYSRET only when RCX == RIP, R11 == RFLAGS, CS/SS are the user selectors and RIP is canonical below TASK_SIZE_MAX, and with IRET otherwise (abi-facts §9.5).',
    'A 64-bit task that uses int $0x80 gets the i386 table instead (linux-syscall-i386).',
  ],
});

/** The i386 syscall ABI: `int $0x80`, from a 32-bit task or a 64-bit one. */
export const LINUX_SYSCALL_I386: Abi = defineAbi({
  id: 'linux-syscall-i386',
  family: 'linux-syscall-i386',
  arch: 'x86_64',
  era: 'the syscall_32.tbl of ≈v5.13 (last entry 446 landlock_restrict_self)',
  status: 'mainline',
  purpose:
    '`int $0x80` through the IDT\'s system gate (vector 0x80, DPL 3) to entry_INT80_compat: the i386 table with the number in EAX and up to six arguments in EBX, ECX, EDX, ESI, EDI, EBP, each zero-extended from 32 bits, the result in EAX (RAX). A 64-bit task that issues it gets exactly this: its RAX = 1 is exit, not write.',
  source: {
    document:
      'torvalds/linux:arch/x86/entry/syscalls/syscall_32.tbl @17ae69ab (the compat entries, last column, are what a 64-bit kernel runs); arch/x86/entry/common.c (do_int80_syscall_32: nr = (unsigned int)orig_ax below IA32_NR_syscalls, arguments (unsigned int)bx, cx, dx, si, di, bp); entry_64_compat.S; arch/x86/kernel/idt.c (IA32_SYSCALL_VECTOR 0x80, a system gate)',
    version: '≈v5.13',
    note: 'Later kernels handle int $0x80 as a C IDTENTRY with regs->orig_ax = ax & GENMASK(31, 0) (release UNCONFIRMED); the numbers and registers are the same.',
  },
  conduit: { instruction: 'int80', imm: 'any' },
  origin: { privilege: ['user'], world: ['host', 'guest'] },
  selector: { register: 'rax', width: 32 },
  priority: 0,
  calls: [
    ...I386_SYSCALL_TABLE.map((row) => tableCall(row.number, row.name, row.entry, I386_SYSCALL_REGISTERS, row.compat === undefined ? '' : `; a 64-bit kernel runs ${row.compat}`)),
    { name: 'unknown', select: 'otherwise', summary: `a number no row has (222, 223, 251, 285, 387–392, 415) or at or past IA32_NR_syscalls (${I386_NR_SYSCALLS}): RAX ← −ENOSYS`, results: [{ register: 'rax', role: '−ENOSYS' }], meaning: 'enosys', run: returnsEnosys },
  ],
  examples: [
    { title: 'exit(0) from a 32-bit task', registers: { rax: 1n, rbx: 0n }, call: 'exit' },
    { title: 'a 64-bit task\'s "write" (RAX = 1) through int $0x80 is exit(EBX)', registers: { rax: 1n, rdi: 1n, rsi: 0x40_1000n, rdx: 13n, rbx: 42n }, call: 'exit' },
    { title: 'write(1, buf, 13)', registers: { rax: 4n, rbx: 1n, rcx: 0x0804_9000n, rdx: 13n }, call: 'write' },
    { title: 'getpid', registers: { rax: 20n }, call: 'getpid' },
    { title: 'an unused number', registers: { rax: 222n }, call: 'unknown' },
  ],
  notes: [
    'The registers are the 32-bit ones even for a 64-bit caller, and each argument is zero-extended from 32 bits: a 64-bit pointer in RBX loses its upper half.',
    'Through a gate with DPL 0 instead (a kernel that closed int $0x80), a CPL-3 int $0x80 is #GP with error code 0x80 × 8 + 2 = 0x402 (abi-facts §9.4).',
  ],
});

/**
 * What a 64-bit program means when it issues `int $0x80` with its own
 * syscall numbers and argument registers: no kernel's ABI, the hazard.
 */
export const X86_64_NUMBERS_ON_INT80: Abi = defineAbi({
  id: 'x86_64-numbers-on-int80',
  family: 'x86_64-numbers-on-int80',
  arch: 'x86_64',
  era: 'the syscall_64.tbl of ≈v5.13, as a misreading',
  status: 'alternative',
  purpose:
    'The meaning a 64-bit program gives `int $0x80` when it uses the 64-bit numbers and registers (RAX = 1 write(RDI, RSI, RDX)), the porting bug that the kernel answers with the i386 table: no kernel implements this. It is modelled so that the collision analysis shows where the two tables meet in a 64-bit task.',
  source: { document: 'torvalds/linux:arch/x86/entry/syscalls/syscall_64.tbl @17ae69ab read as if int $0x80 used it; abi-facts §9.2 ("a 64-bit task that executes int $0x80 gets the 32-bit table and the 32-bit argument registers")', version: '≈v5.13' },
  conduit: { instruction: 'int80', imm: 'any' },
  origin: { privilege: ['user'], world: ['host', 'guest'] },
  selector: { register: 'rax', width: 32 },
  priority: -10,
  calls: [
    ...ROWS_64.map((row) => tableCall(row.number, row.name, row.entry, X86_64_SYSCALL_REGISTERS)),
    { name: 'unknown', select: 'otherwise', summary: 'no 64-bit row', meaning: 'enosys', run: returnsEnosys },
  ],
  examples: [{ title: 'what the caller meant by RAX = 1: write(1, buf, 13)', registers: { rax: 1n, rdi: 1n, rsi: 0x40_1000n, rdx: 13n }, call: 'write' }],
  notes: ['Every number below 447 means something else in the two tables except where they happen to agree (e.g. 435 clone3, 424–446): the kernel runs the i386 one.'],
});

/** The x86 syscall specs. */
export const LINUX_SYSCALL_X86_ABIS: readonly Abi[] = [LINUX_SYSCALL_X86_64, LINUX_SYSCALL_I386, X86_64_NUMBERS_ON_INT80];
