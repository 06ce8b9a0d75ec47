/**
 * The 32-bit ARM Linux system call ABIs: EABI (`svc #0`, number in r7) and the
 * old ABI it replaced (OABI, `svc #(0x900000 + nr)`, number in the
 * immediate), plus the EABI rule for placing 64-bit arguments in register
 * pairs. The call names come from the kernel's syscall table
 * (`arm-syscall-table.ts`).
 *
 * Facts: ../shared/abi-facts.md §10 (torvalds/linux:arch/arm/kernel/entry-common.S,
 * arch/arm/tools/syscall.tbl, arch/arm/include/uapi/asm/unistd.h; man-pages
 * syscall(2)).
 *
 * @module
 */

import { defineAbi, type Abi, type AbiSpec, type CallSpec, type RegisterRole } from '../../../src/abi/spec.ts';
import { ARM_NR_BASE, ARM_PRIVATE_SYSCALLS, ARM_SYSCALL_TABLE, implementedUnder, NR_OABI_SYSCALL_BASE, type SyscallEntry } from './arm-syscall-table.ts';

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

/** −ENOSYS as r0 holds it. */
const MINUS_ENOSYS = BigInt.asUintN(32, -ENOSYS);

/** Calls that never return to the caller. */
const NO_RETURN = new Set(['exit', 'exit_group']);

function returnsEnosys(call: { set(register: string, value: bigint): void }): { kind: 'return' } {
  call.set('r0', MINUS_ENOSYS);
  return { kind: 'return' };
}

/** One table row as a call of the ABI. */
function syscallCall(entry: SyscallEntry, abi: 'eabi' | 'oabi', select: bigint): CallSpec {
  const base = { name: entry.name, select };
  const where = abi === 'eabi' ? `EABI #${entry.number}` : `OABI swi #0x${(NR_OABI_SYSCALL_BASE + entry.number).toString(16)}`;
  if (!implementedUnder(entry, abi)) {
    const why = entry.abi !== 'common' && entry.abi !== abi ? `${entry.abi.toUpperCase()} only` : 'no entry point (sys_ni_syscall)';
    return { ...base, summary: `${entry.name} (${where}): ${why}, so r0 ← −ENOSYS`, results: [{ register: 'r0', role: '-ENOSYS' }], run: returnsEnosys };
  }
  const handler = abi === 'oabi' ? (entry.oabiEntry ?? entry.entry) : entry.entry;
  const prototype = abi === 'eabi' ? SYSCALL_PROTOTYPES[entry.name] : undefined;
  return {
    ...base,
    summary: `${entry.name} (${where}, ${handler})${NO_RETURN.has(entry.name) ? '; does not return' : ''}`,
    ...(prototype === undefined ? {} : { args: prototypeRoles(prototype) }),
    results: [{ register: 'r0', role: 'result, or −errno (−4095…−1)' }],
    ...(NO_RETURN.has(entry.name) ? { noReturn: true } : {}),
    // Dispatch only: the spec says which call and which arguments; it does not emulate Linux, so r0 is left as it was.
    run: () => ({ kind: 'return' }),
  };
}

/** The ARM-private calls at `base + __ARM_NR_BASE + offset`. */
function armPrivateCalls(base: number): CallSpec[] {
  return ARM_PRIVATE_SYSCALLS.map((call) => ({
    name: call.name,
    select: BigInt(base + ARM_NR_BASE + call.offset),
    summary: `${call.summary} (arm_syscall in traps.c)`,
    ...(call.name === '__ARM_NR_cacheflush'
      ? {
          args: [
            { register: 'r0', role: 'start' },
            { register: 'r1', role: 'end' },
            { register: 'r2', role: 'flags' },
          ],
        }
      : call.name === '__ARM_NR_set_tls'
        ? { args: [{ register: 'r0', role: 'tls' }] }
        : {}),
    run: () => ({ kind: 'return' }),
  }));
}

const UNKNOWN: CallSpec = {
  name: 'unknown',
  select: 'otherwise',
  summary: 'not a system call: r0 ← −ENOSYS (0xffffffda)',
  results: [{ register: 'r0', role: '-ENOSYS' }],
  meaning: 'enosys',
  run: returnsEnosys,
};

const SOURCE_NOTE =
  'Syscall names and entry points: torvalds/linux:arch/arm/tools/syscall.tbl @cdd5b5a9 (v6.5 era, 0–451). Decoding: torvalds/linux:arch/arm/kernel/entry-common.S @005b2a9d (vector_swi); ARM-private numbers: arch/arm/include/uapi/asm/unistd.h @02b5a603.';

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
  era: 'EABI (v2.6.16+)',
  status: 'mainline',
  purpose:
    'How 32-bit ARM user space calls the Linux kernel under the ARM EABI: `svc #0` with the system call number in r7 and up to seven arguments in r0–r6; the result comes back in r0, a value in −4095…−1 being −errno. 64-bit arguments take an even/odd register pair.',
  source: { document: SOURCE_NOTE, version: 'v6.5 (the table); the calling convention is unchanged since EABI support (v2.6.16)' },
  conduit: { instruction: 'svc', imm: 0n },
  selector: { register: 'r7', width: 32 },
  calls: [...ARM_SYSCALL_TABLE.map((entry) => syscallCall(entry, 'eabi', BigInt(entry.number))), ...armPrivateCalls(0), UNKNOWN],
  examples: [
    { title: 'getpid()', registers: { r7: 20n }, call: 'getpid' },
    { title: 'write(1, buf, 5)', registers: { r7: 4n, r0: 1n, r1: 0x0001_0000n, r2: 5n }, call: 'write' },
    { title: 'exit(0)', registers: { r7: 1n }, call: 'exit' },
    { title: 'posix_fadvise: fd, advice, then two 64-bit pairs', registers: { r7: 270n, r0: 3n, r1: 4n, r2: 0x1000n, r3: 0n, r4: 0x8000n, r5: 0n }, call: 'arm_fadvise64_64' },
    { title: 'flush the caches after writing code', registers: { r7: 0xf_0002n, r0: 0x0001_0000n, r1: 0x0001_1000n }, call: '__ARM_NR_cacheflush' },
    { title: 'time() is OABI only', registers: { r7: 13n }, call: 'time' },
    { title: 'number 7 was waitpid, long gone', registers: { r7: 7n }, call: 'unknown' },
  ],
  notes: [
    'The reference handler models the dispatch only: which call, and which registers carry its arguments. It does not emulate Linux, so a known call returns with r0 as it was; only what the ABI itself defines is modelled: −ENOSYS for numbers with no system call (gaps, OABI-only rows, rows without an entry point, unknown ARM-private numbers).',
    '64-bit arguments start in an even register, low word first, and an odd register before one is padding (eabiArgumentPlacement). arm_fadvise64_64 and sync_file_range2 (arm_sync_file_range, 341) move a 32-bit argument into r1 so that no register is wasted and the call fits in six registers; pread64 and readahead waste one.',
    'The model is a kernel with OABI_COMPAT: only svc #0 is EABI, any other immediate is decoded as OABI (linux-syscall-oabi). A pure-EABI kernel ignores the immediate, and a Thumb svc is always EABI ("no thumb OABI emulation").',
    'Numbers from the end of the table up to __ARM_NR_BASE (0xf0000) go to sys_ni_syscall. Above it, arm_syscall (traps.c) handles the five ARM-private calls; unknown ARM-private numbers get −ENOSYS or SIGILL depending on the number, which the model, having no signals, reports as −ENOSYS.',
  ],
});

/** OABI: `svc #(0x900000 + nr)`, the number in the immediate. */
export const LINUX_SYSCALL_OABI: Abi = defineAbi({
  ...syscallCommon,
  id: 'linux-syscall-oabi',
  family: 'linux-syscall-oabi',
  era: 'OABI (before EABI; OABI_COMPAT)',
  status: 'removed',
  purpose:
    'The old ARM Linux system call ABI: the number is encoded in the SWI instruction itself, `swi #(0x900000 + nr)`, so the kernel has to read the instruction back from user memory to decode it. Arguments are in r0–r6 without the EABI pair alignment. Kept for old binaries by OABI_COMPAT.',
  source: { document: SOURCE_NOTE, version: 'v6.5 OABI_COMPAT (the table; the convention predates EABI)' },
  conduit: { instruction: 'svc', imm: { min: BigInt(NR_OABI_SYSCALL_BASE), max: BigInt(NR_OABI_SYSCALL_BASE + 0x0f_ffff) } },
  // The immediate is the selector: vector_swi loads the instruction at lr - 4 and takes scno = imm ^ 0x900000.
  selector: { register: 'imm', width: 32 },
  calls: [
    ...ARM_SYSCALL_TABLE.filter((entry) => entry.abi !== 'eabi').map((entry) => syscallCall(entry, 'oabi', BigInt(NR_OABI_SYSCALL_BASE + entry.number))),
    ...armPrivateCalls(NR_OABI_SYSCALL_BASE),
    UNKNOWN,
  ],
  examples: [
    { title: 'exit(0)', registers: {}, imm: NR_OABI_SYSCALL_BASE + 1, call: 'exit' },
    { title: 'getpid()', registers: {}, imm: NR_OABI_SYSCALL_BASE + 20, call: 'getpid' },
    { title: 'time() still exists for OABI', registers: { r0: 0n }, imm: NR_OABI_SYSCALL_BASE + 13, call: 'time' },
    { title: 'set the TLS pointer', registers: { r0: 0x4000_0000n }, imm: NR_OABI_SYSCALL_BASE + ARM_NR_BASE + 5, call: '__ARM_NR_set_tls' },
  ],
  notes: [
    'Told apart from EABI by the immediate alone: svc #0 is EABI, any 0x9xxxxx immediate is OABI (entry-common.S: bics r10, r10, #0xff000000; eorne scno, r10, #__NR_OABI_SYSCALL_BASE).',
    'OABI does not align 64-bit arguments to even registers, which is why the kernel keeps compat entry points such as sys_oabi_pread64 and sys_oabi_readahead; the summaries name them. Argument registers are not spelled out per call.',
    'Only the A32 encoding can carry the 24-bit immediate; Thumb svc has 8 bits and the kernel treats every Thumb svc as EABI.',
    'Like the EABI spec, the handler models the dispatch only; −ENOSYS is the one result it produces.',
  ],
});

/** Both syscall ABIs. */
export const LINUX_SYSCALL_ABIS: readonly Abi[] = [LINUX_SYSCALL_EABI, LINUX_SYSCALL_OABI];
