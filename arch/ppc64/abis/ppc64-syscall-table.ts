/**
 * The 64-bit PowerPC Linux system call tables as data, derived from the rows
 * of a released `arch/powerpc/kernel/syscalls/syscall.tbl` the way the
 * kernel's own generators derive them, so that dispatch names `getpid`, not
 * `20`.
 *
 * The tbl's ABI column says who gets a row: a 64-bit kernel's native table
 * (`syscall_table_64`) takes the rows of ABI `common`, `nospu` and `64`; the
 * `32` rows feed the 32-bit and compat tables and the `spu` rows the SPU table
 * (arch/powerpc/kernel/syscalls/Makefile: `systbl_abis_syscall_table_64 :=
 * common,nospu,64`). `syscalltbl.sh` fills every number below the highest
 * with `sys_ni_syscall`, and `syscallhdr.sh` makes `__NR_syscalls` (the
 * kernel's `NR_syscalls`) one past the highest 64-bit number. So for a 64-bit
 * caller a number with only `32` or `spu` rows (mmap2, 192) is
 * sys_ni_syscall, and so is a number with no row at all below NR_syscalls
 * (224); both give ENOSYS, as does any r0 ≥ NR_syscalls.
 *
 * Tables: Linux v5.0 (`syscall-tbl-v5.0.ts`) and v5.7 (`syscall-tbl-v5.7.ts`),
 * each complete as released. The state stored for torvalds/linux at
 * 00bf25d6, which this module used to carry, is a v5.1 merge-window
 * table that no release had (abi-facts §8.1).
 *
 * @module
 */

import { SYSCALL_TBL_V5_0 } from './syscall-tbl-v5.0.ts';
import { SYSCALL_TBL_V5_7 } from './syscall-tbl-v5.7.ts';

/** The ABI column of syscall.tbl on powerpc. */
export type SyscallTblAbi = 'common' | 'nospu' | '32' | '64' | 'spu';

/** The ABIs whose rows make a 64-bit kernel's native table. */
export const NATIVE_64_ABIS: readonly SyscallTblAbi[] = ['common', 'nospu', '64'];

/** One row of syscall.tbl (the compat column left out). */
export interface SyscallTblRow {
  /** The number. */
  readonly number: number;
  /** Who gets the row. */
  readonly abi: SyscallTblAbi;
  /** The name, as `__NR_<name>` spells it. */
  readonly name: string;
  /** The entry point the row names (`sys_ni_syscall` for a reserved slot). */
  readonly entry: string;
}

/** What a number means to a 64-bit caller. */
export type Ppc64SyscallKind =
  /** A 64-bit row with a real entry point. */
  | 'native'
  /** A 64-bit row whose entry is sys_ni_syscall (`__NR_` is defined, the call is not). */
  | 'ni-syscall'
  /** Only `32` and/or `spu` rows: not in the 64-bit table, so sys_ni_syscall. */
  | 'not-64-bit';

/** One number of the 64-bit view. */
export interface Ppc64SyscallEntry {
  /** The number (r0). */
  readonly number: number;
  /** The name: the 64-bit row's, else the first other row's. */
  readonly name: string;
  /** The 64-bit entry point; `undefined` when the number is sys_ni_syscall for a 64-bit caller. */
  readonly entry: string | undefined;
  /** How the 64-bit table gets it. */
  readonly kind: Ppc64SyscallKind;
  /** The ABIs of the rows the number has, in file order. */
  readonly abis: readonly SyscallTblAbi[];
}

/** A released syscall table, as a 64-bit caller sees it. */
export interface Ppc64SyscallTable {
  /** The release, e.g. `v5.7`. */
  readonly version: string;
  /** Where the rows were read. */
  readonly document: string;
  /** Every row, in file order. */
  readonly rows: readonly SyscallTblRow[];
  /** One entry per number that has any row, in number order. */
  readonly entries: readonly Ppc64SyscallEntry[];
  /** `NR_syscalls` of a 64-bit kernel: one past the highest 64-bit number. */
  readonly nrSyscalls: number;
  /** Numbers below NR_syscalls with no row at all (sys_ni_syscall, ENOSYS). */
  readonly unused: readonly number[];
}

const ABIS = new Set<string>(['common', 'nospu', '32', '64', 'spu']);

/** Parse `number abi name entry` lines; throws on a malformed line (the data is ours, so that is a bug). */
export function parseSyscallTbl(text: string): SyscallTblRow[] {
  return text
    .trim()
    .split('\n')
    .map((line, index) => {
      const fields = line.trim().split(/\s+/);
      const [number, abi, name, entry] = fields;
      if (fields.length !== 4 || !/^\d+$/.test(number!) || !ABIS.has(abi!)) throw new Error(`syscall.tbl row ${index + 1}: malformed '${line}'`);
      return { number: Number(number), abi: abi as SyscallTblAbi, name: name!, entry: entry! };
    });
}

/** The 64-bit view of a release's rows (see the module comment). */
export function ppc64SyscallTable(version: string, document: string, text: string): Ppc64SyscallTable {
  const rows = parseSyscallTbl(text);
  const byNumber = new Map<number, SyscallTblRow[]>();
  for (const row of rows) byNumber.set(row.number, [...(byNumber.get(row.number) ?? []), row]);
  const entries: Ppc64SyscallEntry[] = [...byNumber.entries()]
    .sort(([a], [b]) => a - b)
    .map(([number, list]): Ppc64SyscallEntry => {
      const native = list.filter((row) => NATIVE_64_ABIS.includes(row.abi));
      if (native.length > 1) throw new Error(`syscall.tbl ${version}: ${number} has ${native.length} 64-bit rows`);
      const abis = list.map((row) => row.abi);
      const row = native[0];
      if (row === undefined) return { number, name: list[0]!.name, entry: undefined, kind: 'not-64-bit', abis };
      const ni = row.entry === 'sys_ni_syscall';
      return { number, name: row.name, entry: ni ? undefined : row.entry, kind: ni ? 'ni-syscall' : 'native', abis };
    });
  const nrSyscalls = Math.max(...entries.filter((e) => e.kind !== 'not-64-bit').map((e) => e.number)) + 1;
  const unused: number[] = [];
  for (let n = 0; n < nrSyscalls; n++) if (!byNumber.has(n)) unused.push(n);
  return { version, document, rows, entries, nrSyscalls, unused };
}

/** Linux v5.0's table (NR_syscalls 389, last 388 io_pgetevents). */
export const PPC64_SYSCALL_TABLE_V5_0: Ppc64SyscallTable = ppc64SyscallTable(
  'v5.0',
  'v5.0 tree (VVvector/linux-5.0.1 @0fa9cb14, Makefile 5.0.1): linux-5.0.1/arch/powerpc/kernel/syscalls/syscall.tbl',
  SYSCALL_TBL_V5_0,
);

/** Linux v5.7's table (NR_syscalls 439, last 438 pidfd_getfd). */
export const PPC64_SYSCALL_TABLE_V5_7: Ppc64SyscallTable = ppc64SyscallTable(
  'v5.7',
  'v5.7 tree (a5221985/linux-5.7.14 @5d0b54d9, Makefile 5.7.14): arch/powerpc/kernel/syscalls/syscall.tbl',
  SYSCALL_TBL_V5_7,
);
