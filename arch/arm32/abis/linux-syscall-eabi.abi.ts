/**
 * The 32-bit ARM Linux system call ABIs: EABI (`svc #0`, number in r7) and the
 * old ABI it replaced (OABI, `svc #(0x900000 + nr)`, number in the
 * immediate), plus the EABI rule for placing 64-bit arguments in register
 * pairs. The call names come from the kernel's syscall table
 * (`arm-syscall-table.ts`); every number past the table has the outcome the
 * kernel gives it (−ENOSYS, an ARM-private call, SIGILL or SIGSEGV).
 *
 * Facts: ../shared/abi-facts.md §10 (torvalds/linux:arch/arm/kernel/entry-common.S,
 * arch/arm/tools/syscall.tbl, arch/arm/include/uapi/asm/unistd.h; man-pages
 * syscall(2)).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type AbiSpec, type CallContext, type CallSpec, type RegisterRole, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { R0, R1, R2, TPIDRURO } from './spec-registers.ts';
import { ARM_BAD_SYSCALL_BASE, ARM_NR_BASE, ARM_PRIVATE_ENOSYS_END, ARM_PRIVATE_SYSCALLS, ARM_SYSCALL_TABLE, implementedUnder, NR_OABI_SYSCALL_BASE, type ArmPrivateSyscall, type SyscallEntry } from './arm-syscall-table.ts';

// ---------------------------------------------------------------------------
// Argument placement (abi-facts §10.2)

/** The width of one argument of a C prototype. */
export type ArgumentWidth = 32 | 64;

/** Where one argument goes. */
export interface PlacedArgument {
  /** Position in the prototype (0-based). */
  readonly index: number;
  /** Its width. */
  readonly width: ArgumentWidth;
  /** The registers that carry it, low word first (empty when it is on the stack). */
  readonly registers: readonly string[];
  /** Byte offset in the stacked arguments, when it is on the stack. */
  readonly stackOffset?: number;
}

/** Where every argument of a prototype goes. */
export interface ArgumentPlacement {
  /** One entry per argument, in prototype order. */
  readonly arguments: readonly PlacedArgument[];
  /** Registers skipped so that a 64-bit argument starts in an even register (or because it no longer fit). */
  readonly padding: readonly string[];
  /** Bytes of stacked arguments. */
  readonly stackBytes: number;
}

/** Argument registers of an EABI system call: r0–r6 (man-pages syscall(2)). */
export const EABI_SYSCALL_ARGUMENT_REGISTERS = 7;

/** Argument registers of an AAPCS procedure call: r0–r3. */
export const AAPCS_ARGUMENT_REGISTERS = 4;

/**
 * The EABI (AAPCS) placement of a prototype's arguments. Arguments take the
 * next free core register in order; a 64-bit argument needs an even/odd pair
 * (r0/r1, r2/r3, r4/r5), so an odd next register is skipped as padding, and
 * its low word goes in the even register (little-endian). Once an argument
 * does not fit, every later one goes on the stack (no back-filling of core
 * registers), a 64-bit one 8-byte aligned.
 *
 * @param widths the prototype's argument widths, in order.
 * @param registerCount argument registers available: 7 (r0–r6) for a system
 *   call, the default; 4 (r0–r3) for an ordinary AAPCS call.
 */
export function eabiArgumentPlacement(widths: readonly ArgumentWidth[], registerCount: number = EABI_SYSCALL_ARGUMENT_REGISTERS): ArgumentPlacement {
  const placed: PlacedArgument[] = [];
  const padding: string[] = [];
  let next = 0;
  let stack = 0;
  for (const [index, width] of widths.entries()) {
    if (width === 32) {
      if (next < registerCount) placed.push({ index, width, registers: [`r${next++}`] });
      else {
        placed.push({ index, width, registers: [], stackOffset: stack });
        stack += 4;
      }
      continue;
    }
    if (next < registerCount && next % 2 === 1) padding.push(`r${next++}`);
    if (next + 1 < registerCount) {
      placed.push({ index, width, registers: [`r${next}`, `r${next + 1}`] });
      next += 2;
      continue;
    }
    // It does not fit: the remaining registers are skipped for good (AAPCS C.6) and the argument goes on the stack.
    while (next < registerCount) padding.push(`r${next++}`);
    stack = (stack + 7) & ~7;
    placed.push({ index, width, registers: [], stackOffset: stack });
    stack += 8;
  }
  return { arguments: placed, padding, stackBytes: stack };
}

/** A prototype as names and widths, e.g. `[['fd', 32], ['offset', 64]]`. */
export type Prototype = readonly (readonly [name: string, width: ArgumentWidth])[];

/** The argument roles of a prototype placed by {@link eabiArgumentPlacement}: `offset (low)` / `offset (high)` for a 64-bit argument. */
export function prototypeRoles(prototype: Prototype): RegisterRole[] {
  const placement = eabiArgumentPlacement(prototype.map(([, width]) => width));
  return placement.arguments.flatMap((argument) => {
    const name = prototype[argument.index]![0];
    if (argument.width === 32) return argument.registers.map((register) => ({ register, role: name }));
    return argument.registers.map((register, word) => ({ register, role: `${name} (${word === 0 ? 'low' : 'high'})` }));
  });
}

/**
 * Prototypes of the calls whose argument registers the spec spells out: the
 * ones with 64-bit arguments that man-pages syscall(2) and abi-facts §10.2
 * discuss, and a few everyday ones. The kernel's `sys_*` signatures give the
 * order; the other calls take their arguments in r0–r6 in prototype order.
 */
export const SYSCALL_PROTOTYPES: Readonly<Record<string, Prototype>> = {
  exit: [['status', 32]],
  exit_group: [['status', 32]],
  read: [['fd', 32], ['buf', 32], ['count', 32]],
  write: [['fd', 32], ['buf', 32], ['count', 32]],
  open: [['filename', 32], ['flags', 32], ['mode', 32]],
  close: [['fd', 32]],
  getpid: [],
  reboot: [['magic1', 32], ['magic2', 32], ['cmd', 32], ['arg', 32]],
  kexec_load: [['entry', 32], ['nr_segments', 32], ['segments', 32], ['flags', 32]],
  pread64: [['fd', 32], ['buf', 32], ['count', 32], ['pos', 64]],
  pwrite64: [['fd', 32], ['buf', 32], ['count', 32], ['pos', 64]],
  truncate64: [['path', 32], ['length', 64]],
  ftruncate64: [['fd', 32], ['length', 64]],
  readahead: [['fd', 32], ['offset', 64], ['count', 32]],
  // ARM's reorderings keep every 64-bit argument on an even register without padding (sys_arm.c, fs/sync.c).
  arm_fadvise64_64: [['fd', 32], ['advice', 32], ['offset', 64], ['len', 64]],
  arm_sync_file_range: [['fd', 32], ['flags', 32], ['offset', 64], ['nbytes', 64]],
};

// ---------------------------------------------------------------------------
// The specs

/** `ENOSYS`: an unknown system call returns −ENOSYS in r0. */
export const ENOSYS = 38n;

/** `EINVAL` and `EFAULT`, which `__ARM_NR_cacheflush` can answer. */
const EINVAL = 22n;
const EFAULT = 14n;

/** −ENOSYS, −EINVAL and −EFAULT as r0 holds them. */
const MINUS_ENOSYS = Number(BigInt.asUintN(32, -ENOSYS));
const MINUS_EINVAL = Number(BigInt.asUintN(32, -EINVAL));
const MINUS_EFAULT = Number(BigInt.asUintN(32, -EFAULT));

/** `TASK_SIZE` of the modelled kernel (the default VMSPLIT_3G: PAGE_OFFSET 0xc0000000 less 16 MiB): access_ok's limit for user addresses. */
export const ARM_TASK_SIZE = 0xbf00_0000n;

/** {@link ARM_TASK_SIZE} as a number. */
const TASK_SIZE = Number(ARM_TASK_SIZE);

/**
 * The signal a system call number can end in instead of a result. A spec
 * outcome cannot deliver a signal, so the calls that end in one say so in
 * their name, `meaning` (`signal-<name>`) and summary, make the register
 * writes the kernel makes (r0 unchanged by bad_syscall, r0 ← 0 on
 * arm_syscall's paths) and return; whoever runs the spec treats the call as
 * the signal's delivery.
 */
export type SyscallSignal = 'SIGILL' | 'SIGSEGV' | 'SIGTRAP';

/** The state key of the thread pointer the kernel keeps (tp_value[0]): set_tls writes it, get_tls reads it. */
export const LINUX_TLS_KEY = 'linux.tls';

/** Calls that never return to the caller: exit and exit_group end the task, sigreturn and rt_sigreturn resume the context saved in the signal frame. */
const NO_RETURN = new Set(['exit', 'exit_group', 'sigreturn', 'rt_sigreturn']);

function returnsEnosys(call: CallContext): ReturnOutcome {
  call.setU32(R0, MINUS_ENOSYS);
  return RETURN;
}

/** One table row as a call of the ABI. */
function syscallCall(entry: SyscallEntry, abi: 'eabi' | 'oabi', select: bigint): CallSpec {
  const base = { name: entry.name, select };
  const where = abi === 'eabi' ? `EABI #${entry.number}` : `OABI swi #0x${(NR_OABI_SYSCALL_BASE + entry.number).toString(16)}`;
  if (!implementedUnder(entry, abi)) {
    const why = entry.abi !== 'common' && entry.abi !== abi ? `${entry.abi.toUpperCase()} only` : 'no entry point (sys_ni_syscall)';
    return { ...base, summary: `${entry.name} (${where}): ${why}, so r0 ← −ENOSYS`, results: [{ register: 'r0', role: '-ENOSYS' }], meaning: 'enosys', run: returnsEnosys };
  }
  const handler = abi === 'oabi' ? (entry.oabiEntry ?? entry.entry) : entry.entry;
  const prototype = abi === 'eabi' ? SYSCALL_PROTOTYPES[entry.name] : undefined;
  const noReturn = NO_RETURN.has(entry.name);
  return {
    ...base,
    summary: `${entry.name} (${where}, ${handler})${noReturn ? '; does not return to the caller' : ''}`,
    ...(prototype === undefined ? {} : { args: prototypeRoles(prototype) }),
    results: [{ register: 'r0', role: 'result, or −errno (−4095…−1)' }],
    ...(noReturn ? { noReturn: true } : {}),
    // Dispatch only: the spec says which call and which arguments; it does not emulate Linux, so r0 is left as it was.
    run: () => RETURN,
  };
}

/** A call ending in `signal`, with r0 either unchanged (bad_syscall) or 0 (arm_syscall's paths). */
function signalCall(name: string, select: CallSpec['select'], signal: SyscallSignal, r0: 'unchanged' | 'zero', summary: string): CallSpec {
  return {
    name,
    select,
    summary: `${signal} is sent to the caller, not a result: ${summary}; r0 ${r0 === 'zero' ? '← 0' : 'unchanged'} if a handler returns to after the svc (the default action kills the task)`,
    results: r0 === 'zero' ? [{ register: 'r0', role: '0' }] : [],
    meaning: `signal-${signal.toLowerCase()}`,
    run: (call) => {
      if (r0 === 'zero') call.setU32(R0, 0);
      return RETURN;
    },
  };
}

/** The semantics of one ARM-private call (arm_syscall in traps.c, v5.7 tree), for an ARMv7 CPU (no 26-bit mode). */
function armPrivateCall(call: ArmPrivateSyscall, select: bigint): CallSpec {
  const base = { name: call.name, select };
  switch (call.name) {
    case '__ARM_NR_breakpoint':
      return {
        ...base,
        summary: `${call.summary}: the caller does not resume after the svc (it is executed again after the SIGTRAP); r0 unchanged`,
        noReturn: true,
        meaning: 'signal-sigtrap',
        run: () => RETURN,
      };
    case '__ARM_NR_cacheflush':
      return {
        ...base,
        summary: `${call.summary}: r0 ← −EINVAL if end < start or flags ≠ 0, −EFAULT if the range reaches past TASK_SIZE (0x${ARM_TASK_SIZE.toString(16)}), else 0 (do_cache_op; the caches are not modelled)`,
        args: [
          { register: 'r0', role: 'start' },
          { register: 'r1', role: 'end' },
          { register: 'r2', role: 'flags' },
        ],
        results: [{ register: 'r0', role: '0, −EINVAL or −EFAULT' }],
        run: (context) => {
          const start = context.u32(R0);
          const end = context.u32(R1);
          const flags = context.u32(R2);
          context.setU32(R0, end < start || flags !== 0 ? MINUS_EINVAL : end > TASK_SIZE ? MINUS_EFAULT : 0);
          return RETURN;
        },
      };
    case '__ARM_NR_usr26':
    case '__ARM_NR_usr32':
      return signalCall(call.name, select, 'SIGILL', 'zero', `${call.summary}; ARMv7 has no 26-bit mode (no HWCAP_26BIT), so arm_syscall breaks out to "Oops - bad syscall(2)"`);
    case '__ARM_NR_set_tls':
      return {
        ...base,
        summary: `${call.summary}: r0 ← 0`,
        args: [{ register: 'r0', role: 'tls' }],
        results: [{ register: 'r0', role: '0' }],
        run: (context) => {
          const tls = context.u32(R0);
          context.state.set(LINUX_TLS_KEY, BigInt(tls));
          context.setU32(TPIDRURO, tls);
          context.setU32(R0, 0);
          return RETURN;
        },
      };
    case '__ARM_NR_get_tls':
      return {
        ...base,
        summary: `${call.summary} (the value the last set_tls gave; before any, what TPIDRURO holds)`,
        results: [{ register: 'r0', role: 'the thread pointer' }],
        run: (context) => {
          // The state keeps bigints: the value crosses that edge as one.
          context.set(R0, context.state.get(LINUX_TLS_KEY, BigInt(context.u32(TPIDRURO))));
          return RETURN;
        },
      };
    default:
      throw new Error(`no semantics for the ARM-private call ${call.name}`);
  }
}

/**
 * The ARM-private range at `base + __ARM_NR_BASE` (arm_syscall): 0 is
 * "branch through zero" (SIGSEGV, r0 ← 0), the named calls, −ENOSYS up to
 * +0x7ff, SIGILL ("bad syscall(2)", r0 ← 0) up to +0xffff.
 */
function armPrivateCalls(base: number): CallSpec[] {
  const first = base + ARM_NR_BASE;
  const named = ARM_PRIVATE_SYSCALLS.map((call) => armPrivateCall(call, BigInt(first + call.offset)));
  const lastNamed = Math.max(...ARM_PRIVATE_SYSCALLS.map((call) => call.offset));
  return [
    signalCall('branch_through_zero', BigInt(first), 'SIGSEGV', 'zero', `number __ARM_NR_BASE + 0 is arm_syscall's "branch through zero" (SEGV_MAPERR)`),
    ...named,
    {
      name: 'arm_syscall_enosys',
      select: { min: BigInt(first + lastNamed + 1), max: BigInt(first + ARM_PRIVATE_ENOSYS_END) },
      summary: `an ARM-private number without a call, up to __ARM_NR_BASE + 0x${ARM_PRIVATE_ENOSYS_END.toString(16)}: r0 ← −ENOSYS (defined so, rather than SIGILL, so that a program can probe for a feature)`,
      results: [{ register: 'r0', role: '-ENOSYS' }],
      meaning: 'enosys',
      run: returnsEnosys,
    },
    signalCall('arm_syscall_bad', { min: BigInt(first + ARM_PRIVATE_ENOSYS_END + 1), max: BigInt(first + 0xffff) }, 'SIGILL', 'zero', `the rest of the ARM-private range: "Oops - bad syscall(2)" (ILL_ILLTRP)`),
  ];
}

const UNKNOWN: CallSpec = {
  name: 'unknown',
  select: 'otherwise',
  summary: 'a number in the table without a system call, or past the table below __ARM_NR_BASE (0xf0000): sys_ni_syscall, r0 ← −ENOSYS (0xffffffda)',
  results: [{ register: 'r0', role: '-ENOSYS' }],
  meaning: 'enosys',
  run: returnsEnosys,
};

const BAD_SYSCALL_SUMMARY = 'bad_syscall ("Oops - bad syscall", ILL_ILLTRP) for a Linux-personality task; r0 is what the task passed';

const SOURCE_NOTE =
  'Syscall names and entry points: torvalds/linux:arch/arm/tools/syscall.tbl @cdd5b5a9 (v6.5 era, 0–451). Decoding: torvalds/linux:arch/arm/kernel/entry-common.S @005b2a9d and the v5.7 tree\'s entry-common.S:260-264 (vector_swi: scno ≥ __ARM_NR_BASE goes to arm_syscall, else sys_ni_syscall); past the table: the v5.7 tree\'s arch/arm/kernel/traps.c (arm_syscall, bad_syscall, do_cache_op); ARM-private numbers: arch/arm/include/uapi/asm/unistd.h (@02b5a603; get_tls from the v5.7 tree).';

const PAST_THE_TABLE =
  'Past the table (entry-common.S, traps.c): numbers below __ARM_NR_BASE (0xf0000) go to sys_ni_syscall (−ENOSYS); 0xf0000 is "branch through zero" (SIGSEGV); 0xf0001–0xf0006 are the ARM-private calls; the rest up to 0xf07ff answer −ENOSYS so that programs can probe; 0xf0800–0xfffff get SIGILL ("bad syscall(2)", r0 ← 0); from 0x100000 on, bad_syscall sends SIGILL and leaves r0 as it was (SIGSEGV for a task with a non-Linux personality, which the model does not have).';

const syscallCommon = {
  arch: 'arm32',
  // System calls come from user space; kernel code calls sys_* directly and never issues svc (vector_swi assumes a user caller).
  origin: { privilege: ['user'], world: ['host', 'guest'] },
  priority: 0,
} as const satisfies Partial<AbiSpec>;

/** EABI: `svc #0`, number in r7, arguments in r0–r6, result in r0. */
export const LINUX_SYSCALL_EABI: Abi = defineAbi({
  ...syscallCommon,
  id: 'linux-syscall-eabi',
  family: 'linux-syscall-eabi',
  era: 'EABI (v2.6.16+), table of v6.5',
  status: 'mainline',
  purpose:
    'How 32-bit ARM user space calls the Linux kernel under the ARM EABI: `svc #0` with the system call number in r7 and up to seven arguments in r0–r6; the result comes back in r0, a value in −4095…−1 being −errno. 64-bit arguments take an even/odd register pair.',
  source: { document: SOURCE_NOTE, version: 'v6.5 (the table); the calling convention is unchanged since EABI support (v2.6.16)' },
  conduit: { instruction: 'svc', imm: 0n },
  selector: { register: 'r7', width: 32 },
  calls: [
    ...ARM_SYSCALL_TABLE.map((entry) => syscallCall(entry, 'eabi', BigInt(entry.number))),
    ...armPrivateCalls(0),
    signalCall('bad_syscall', { min: BigInt(ARM_BAD_SYSCALL_BASE), max: 0xffff_ffffn }, 'SIGILL', 'unchanged', `r7 ≥ 0x${ARM_BAD_SYSCALL_BASE.toString(16)} is no system call at all: ${BAD_SYSCALL_SUMMARY}`),
    UNKNOWN,
  ],
  examples: [
    { title: 'getpid()', registers: { r7: 20n }, call: 'getpid' },
    { title: 'write(1, buf, 5)', registers: { r7: 4n, r0: 1n, r1: 0x0001_0000n, r2: 5n }, call: 'write' },
    { title: 'exit(0)', registers: { r7: 1n }, call: 'exit' },
    { title: 'posix_fadvise: fd, advice, then two 64-bit pairs', registers: { r7: 270n, r0: 3n, r1: 4n, r2: 0x1000n, r3: 0n, r4: 0x8000n, r5: 0n }, call: 'arm_fadvise64_64' },
    { title: 'flush the caches after writing code', registers: { r7: 0xf_0002n, r0: 0x0001_0000n, r1: 0x0001_1000n }, call: '__ARM_NR_cacheflush' },
    { title: 'read the thread pointer', registers: { r7: 0xf_0006n }, call: '__ARM_NR_get_tls' },
    { title: 'probe an ARM-private call that does not exist', registers: { r7: 0xf_0007n }, call: 'arm_syscall_enosys' },
    { title: 'a number past every range: SIGILL', registers: { r7: 0x10_0000n }, call: 'bad_syscall' },
    { title: 'time() is OABI only', registers: { r7: 13n }, call: 'time' },
    { title: 'number 7 was waitpid, long gone', registers: { r7: 7n }, call: 'unknown' },
  ],
  notes: [
    'The reference handler models the dispatch of the table: which call, and which registers carry its arguments. It does not emulate Linux, so a known call returns with r0 as it was; what the ABI itself defines is modelled: −ENOSYS for numbers with no system call (gaps, OABI-only rows, rows without an entry point), the ARM-private calls (set_tls and get_tls keep the thread pointer in the call state), and the signals past the table.',
    PAST_THE_TABLE,
    'A call that ends in a signal says so in its name, its meaning (signal-sigill, signal-sigsegv, signal-sigtrap) and its summary; a spec outcome cannot deliver a signal, so the semantics make the register writes the kernel makes and return.',
    '64-bit arguments start in an even register, low word first, and an odd register before one is padding (eabiArgumentPlacement). arm_fadvise64_64 and sync_file_range2 (arm_sync_file_range, 341) move a 32-bit argument into r1 so that no register is wasted and the call fits in six registers; pread64 and readahead waste one.',
    'The model is a kernel with OABI_COMPAT: only svc #0 is EABI, any other immediate is decoded as OABI (linux-syscall-oabi). A pure-EABI kernel ignores the immediate, and a Thumb svc is always EABI ("no thumb OABI emulation").',
    'exit, exit_group, sigreturn and rt_sigreturn never return to the caller (noReturn): the task ends, or the context saved in the signal frame resumes.',
  ],
});

/** OABI: `svc #(0x900000 + nr)`, the number in the immediate. */
export const LINUX_SYSCALL_OABI: Abi = defineAbi({
  ...syscallCommon,
  id: 'linux-syscall-oabi',
  family: 'linux-syscall-oabi',
  era: 'OABI (before EABI; OABI_COMPAT), table of v6.5',
  status: 'removed',
  purpose:
    'The old ARM Linux system call ABI: the number is encoded in the SWI instruction itself, `swi #(0x900000 + nr)`, so the kernel has to read the instruction back from user memory to decode it. Arguments are in r0–r6 without the EABI pair alignment. Kept for old binaries by OABI_COMPAT.',
  source: { document: SOURCE_NOTE, version: 'v6.5 OABI_COMPAT (the table; the convention predates EABI)' },
  // With OABI_COMPAT every non-zero immediate is OABI: vector_swi takes scno = imm ^ 0x900000 (bics r10, r10, #0xff000000; eorne scno, r10, #__NR_OABI_SYSCALL_BASE).
  conduit: { instruction: 'svc', imm: { min: 1n, max: 0xff_ffffn } },
  // The immediate is the selector.
  selector: { register: 'imm', width: 32 },
  calls: [
    ...ARM_SYSCALL_TABLE.filter((entry) => entry.abi !== 'eabi').map((entry) => syscallCall(entry, 'oabi', BigInt(NR_OABI_SYSCALL_BASE + entry.number))),
    ...armPrivateCalls(NR_OABI_SYSCALL_BASE),
    signalCall(
      'bad_syscall',
      [
        { min: 1n, max: BigInt(NR_OABI_SYSCALL_BASE - 1) },
        { min: BigInt(NR_OABI_SYSCALL_BASE + ARM_BAD_SYSCALL_BASE), max: 0xff_ffffn },
      ],
      'SIGILL',
      'unchanged',
      `an immediate outside 0x900000–0x9fffff decodes to scno = imm ^ 0x900000 ≥ 0x${ARM_BAD_SYSCALL_BASE.toString(16)} (svc #1 is scno 0x900001): ${BAD_SYSCALL_SUMMARY}`,
    ),
    UNKNOWN,
  ],
  examples: [
    { title: 'exit(0)', registers: {}, imm: NR_OABI_SYSCALL_BASE + 1, call: 'exit' },
    { title: 'getpid()', registers: {}, imm: NR_OABI_SYSCALL_BASE + 20, call: 'getpid' },
    { title: 'time() still exists for OABI', registers: { r0: 0n }, imm: NR_OABI_SYSCALL_BASE + 13, call: 'time' },
    { title: 'set the TLS pointer', registers: { r0: 0x4000_0000n }, imm: NR_OABI_SYSCALL_BASE + ARM_NR_BASE + 5, call: '__ARM_NR_set_tls' },
    { title: 'read it back', registers: {}, imm: NR_OABI_SYSCALL_BASE + ARM_NR_BASE + 6, call: '__ARM_NR_get_tls' },
    { title: 'svc #1 is OABI number 0x900001: SIGILL', registers: {}, imm: 1, call: 'bad_syscall' },
  ],
  notes: [
    'Told apart from EABI by the immediate alone: svc #0 is EABI, any other immediate is OABI (entry-common.S: bics r10, r10, #0xff000000; eorne scno, r10, #__NR_OABI_SYSCALL_BASE). Only 0x9xxxxx immediates decode to a number below 0x100000.',
    `${PAST_THE_TABLE} The same ranges, at 0x900000 + scno.`,
    'OABI does not align 64-bit arguments to even registers, which is why the kernel keeps compat entry points such as sys_oabi_pread64 and sys_oabi_readahead; the summaries name them. Argument registers are not spelled out per call.',
    'Only the A32 encoding can carry the 24-bit immediate; Thumb svc has 8 bits and the kernel treats every Thumb svc as EABI.',
    'Like the EABI spec, the handler models the dispatch of the table, the ARM-private calls and the outcomes past the table.',
  ],
});

/** Both syscall ABIs. */
export const LINUX_SYSCALL_ABIS: readonly Abi[] = [LINUX_SYSCALL_EABI, LINUX_SYSCALL_OABI];
