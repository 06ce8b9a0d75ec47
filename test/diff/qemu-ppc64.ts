/**
 * The ppc64 reference: qemu-user (`qemu-ppc64`, `qemu-ppc64le`) running
 * small static ELFs built here with llvm-mc and `ld.lld-14`. One ELF holds
 * a batch of cases, so a few processes cover thousands of sequences. For
 * each case the harness:
 *
 * 1. copies the case's data into the data page and zeroes the rest of it;
 * 2. loads CR, XER, CTR, LR and all 32 GPRs from the case's input record
 *    (the base register last);
 * 3. branches to the sequence in its slot, which ends with a branch back;
 * 4. saves r31 in VSR 0 and LR in VSR 1 (mtvsrd), so that it can store every
 *    GPR, CR, XER, LR and CTR to an output record, and writes the record and
 *    the data page to stdout with write(2).
 *
 * A signal (SIGTRAP for a trap that fires, SIGILL, SIGSEGV, SIGBUS) is caught
 * on an alternate stack (the sequence may have put anything in r1); the
 * handler notes the signal, its si_code and the NIP, and makes the return
 * from the handler resume at step 4 of the case, with the registers the
 * faulting instruction saw. After the last case the ELF exits.
 *
 * @module
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endian } from '../../src/memory/guest-memory.ts';
import type { CaseEnd, Outcome, ReferenceJob } from './differential.ts';
import { DATA, DATA_SIZE, SEQUENCES, SLOT, SLOTS, WINDOW } from './ppc64-generator.ts';

/** The assembler and linker. */
export const LLVM_MC = 'llvm-mc';
/** The linker (Debian's lld 14). */
export const LD_LLD = 'ld.lld-14';

/** The qemu-user binary of a byte order. */
export function qemuBinary(endian: Endian): string {
  return endian === 'big' ? 'qemu-ppc64' : 'qemu-ppc64le';
}

/** Where the harness code is linked. */
const HARNESS = 0x0200_0000;
/** Where the input records are linked. */
const INPUTS = 0x0400_0000;

/** Input record: 32 GPRs, CR, XER, LR, CTR, then the window's initial bytes. */
const INPUT_REGISTERS = 36 * 8;
const INPUT_SIZE = INPUT_REGISTERS + WINDOW;
/** Output record: 32 GPRs, CR, XER, LR, CTR, signal, si_code, NIP; then the data page. */
const OUTPUT_RECORD = 39 * 8;
const OUTPUT_SIZE = OUTPUT_RECORD + DATA_SIZE;

/** Linux signal numbers on powerpc and the si_code values that refine SIGILL (asm-generic/siginfo.h). */
const SIGNALS: ReadonlyMap<number, (code: number) => string> = new Map<number, (code: number) => string>([
  [4, (code: number) => (code === 5 || code === 6 ? 'privileged' : 'illegal')],
  [5, () => 'trap'],
  [7, () => 'alignment'],
  [8, () => 'program'],
  [11, () => 'data-storage'],
]);

function run(command: string, args: readonly string[], input?: Buffer): { stdout: Buffer; stderr: string; status: number | null; error?: Error } {
  const result = spawnSync(command, args, { input, maxBuffer: 1 << 30, timeout: 300_000 });
  return { stdout: result.stdout ?? Buffer.alloc(0), stderr: (result.stderr ?? Buffer.alloc(0)).toString('utf8'), status: result.status, ...(result.error === undefined ? {} : { error: result.error }) };
}

/** Why qemu-user of this byte order (or llvm-mc, or ld.lld-14) cannot be used here, or `undefined`. */
export function qemuMissing(endian: Endian): string | undefined {
  for (const [command, args, install] of [
    [qemuBinary(endian), ['--version'], 'qemu-user'],
    [LLVM_MC, ['--version'], 'llvm'],
    [LD_LLD, ['--version'], 'lld-14'],
  ] as const) {
    const result = run(command, args);
    if (result.error !== undefined || result.status !== 0) return `${command} is not available (install Debian's ${install})`;
  }
  return undefined;
}

/** The harness assembly shared by every ELF. */
function harnessPrologue(): string {
  return `
    .abiversion 2
    .section .text
    .globl _start
_start:
    # sigaltstack(&altstack_descriptor, 0): signals are delivered whatever r1 holds.
    lis 3, altstack_descriptor@ha
    addi 3, 3, altstack_descriptor@l
    li 4, 0
    li 0, 185
    sc
    li 14, 4
    bl install
    li 14, 5
    bl install
    li 14, 7
    bl install
    li 14, 8
    bl install
    li 14, 11
    bl install
`;
}

function harnessEpilogue(): string {
  return `
    li 3, 0
    li 0, 234
    sc

# rt_sigaction(r14, &action, 0, 8)
install:
    mr 3, 14
    lis 4, action@ha
    addi 4, 4, action@l
    li 5, 0
    li 6, 8
    li 0, 173
    sc
    blr

# r3 = signal, r4 = siginfo, r5 = ucontext: note the signal, its si_code and the NIP; resume at the case's save code.
handler:
    lis 6, status@ha
    addi 6, 6, status@l
    std 3, 0(6)
    lwz 7, 8(4)
    std 7, 8(6)
    ld 7, 224(5)
    ld 8, 256(7)
    std 8, 16(6)
    lis 9, resume@ha
    ld 9, resume@l(9)
    std 9, 256(7)
    blr

# r3 = the input record, r4 = the case's save code: set the data page, CR, XER and CTR; r31 = r3.
prepare:
    lis 5, resume@ha
    std 4, resume@l(5)
    lis 5, ${DATA >>> 16}
    addi 6, 3, ${INPUT_REGISTERS}
    li 7, ${WINDOW / 8}
    mtctr 7
1:  ld 8, 0(6)
    std 8, 0(5)
    addi 6, 6, 8
    addi 5, 5, 8
    bdnz 1b
    li 7, ${(DATA_SIZE - WINDOW) / 8}
    mtctr 7
    li 8, 0
2:  std 8, 0(5)
    addi 5, 5, 8
    bdnz 2b
    ld 0, 256(3)
    mtcrf 255, 0
    ld 0, 264(3)
    mtxer 0
    ld 0, 280(3)
    mtctr 0
    mr 31, 3
    blr

# Entered with the case's r31 in VSR 0 and its LR in VSR 1: store the state and the data page to stdout.
save:
    lis 31, output@ha
    addi 31, 31, output@l
${Array.from({ length: 31 }, (_, i) => `    std ${i}, ${8 * i}(31)`).join('\n')}
    mfvsrd 0, 0
    std 0, 248(31)
    mfcr 0
    std 0, 256(31)
    mfxer 0
    std 0, 264(31)
    mfvsrd 0, 1
    std 0, 272(31)
    mfctr 0
    std 0, 280(31)
    lis 3, status@ha
    addi 3, 3, status@l
    ld 4, 0(3)
    std 4, 288(31)
    ld 4, 8(3)
    std 4, 296(31)
    ld 4, 16(3)
    std 4, 304(31)
    li 4, 0
    std 4, 0(3)
    std 4, 8(3)
    std 4, 16(3)
    li 0, 4
    li 3, 1
    mr 4, 31
    li 5, ${OUTPUT_RECORD}
    sc
    li 0, 4
    li 3, 1
    lis 4, ${DATA >>> 16}
    li 5, ${DATA_SIZE}
    sc
    blr

    .data
    .p2align 3
# struct sigaction: handler, SA_SIGINFO | SA_ONSTACK | SA_NODEFER, no restorer, empty mask.
action:
    .quad handler, 0x48000004, 0, 0
altstack_descriptor:
    .quad altstack, 0, 65536
resume:
    .quad 0
status:
    .quad 0, 0, 0
    .bss
    .p2align 4
altstack:
    .space 65536
output:
    .space ${OUTPUT_RECORD}
    .section .scratch, "aw", @nobits
    .space ${DATA_SIZE}
`;
}

/** The ELF's assembly for a batch of jobs, each in its own slot. */
function assembly(jobs: readonly ReferenceJob[]): string {
  const lines: string[] = [harnessPrologue()];
  jobs.forEach((job, i) => {
    const input = INPUTS + i * INPUT_SIZE;
    lines.push(
      `    lis 3, ${input >>> 16}`,
      `    ori 3, 3, ${input & 0xffff}`,
      `    lis 4, s${i}@ha`,
      `    addi 4, 4, s${i}@l`,
      '    bl prepare',
      '    ld 0, 272(31)',
      '    mtlr 0',
      ...Array.from({ length: 31 }, (_, r) => `    ld ${r}, ${8 * r}(31)`),
      '    ld 31, 248(31)',
      `    b q${i}`,
      `s${i}:`,
      '    mtvsrd 0, 31',
      '    mflr 31',
      '    mtvsrd 1, 31',
      '    bl save',
    );
  });
  lines.push(harnessEpilogue());
  lines.push('    .section .seq, "ax"');
  const bySlot = jobs.map((job, i) => ({ job, i, slot: (job.case.code - SEQUENCES) / SLOT })).sort((a, b) => a.slot - b.slot);
  for (const { job, i, slot } of bySlot) {
    const words = job.case.instructions.slice(0, job.stopAt ?? job.case.instructions.length).map((x) => `0x${x.word.toString(16)}`);
    lines.push(`    .org 0x${(slot * SLOT).toString(16)}`, `q${i}:`);
    for (let k = 0; k < words.length; k += 16) lines.push(`    .long ${words.slice(k, k + 16).join(', ')}`);
    lines.push(`    b s${i}`);
  }
  return lines.join('\n') + '\n';
}

/** The input records of a batch, in the target byte order. */
function inputs(jobs: readonly ReferenceJob[], endian: Endian): Buffer {
  const buffer = Buffer.alloc(jobs.length * INPUT_SIZE);
  jobs.forEach((job, i) => {
    const base = i * INPUT_SIZE;
    const r = job.case.registers;
    const values = [...Array.from({ length: 32 }, (_, n) => r[`r${n}`]!), r.cr!, r.xer!, r.lr!, r.ctr!];
    values.forEach((value, k) => (endian === 'big' ? buffer.writeBigUInt64BE(value, base + 8 * k) : buffer.writeBigUInt64LE(value, base + 8 * k)));
    const data = job.case.memory.find((b) => b.base === DATA)!.bytes;
    buffer.set(data.subarray(0, WINDOW), base + INPUT_REGISTERS);
  });
  return buffer;
}

/** Split jobs into ELFs whose cases all have different slots. */
function batches(jobs: readonly ReferenceJob[]): ReferenceJob[][] {
  const out: ReferenceJob[][] = [];
  let current: ReferenceJob[] = [];
  let used = new Set<number>();
  for (const job of jobs) {
    const slot = (job.case.code - SEQUENCES) / SLOT;
    if (used.has(slot) || current.length === SLOTS) {
      out.push(current);
      current = [];
      used = new Set();
    }
    current.push(job);
    used.add(slot);
  }
  if (current.length > 0) out.push(current);
  return out;
}

function fail(step: string, result: { stderr: string; status: number | null; error?: Error }): never {
  throw new Error(`${step} failed (${result.error?.message ?? `status ${result.status}`}): ${result.stderr.slice(0, 2000)}`);
}

/** Build one ELF for the jobs, run it, and read the outcomes. */
function runBatch(jobs: readonly ReferenceJob[], endian: Endian): Outcome[] {
  const dir = mkdtempSync(join(tmpdir(), 'hyplay-diff-'));
  try {
    const triple = endian === 'big' ? 'powerpc64' : 'powerpc64le';
    writeFileSync(join(dir, 'cases.s'), assembly(jobs) + `    .section .inputs, "a"\n    .incbin "${join(dir, 'inputs.bin')}"\n`);
    writeFileSync(join(dir, 'inputs.bin'), inputs(jobs, endian));
    const assembled = run(LLVM_MC, [`-triple=${triple}`, '-mcpu=pwr9', '-filetype=obj', '-o', join(dir, 'cases.o'), join(dir, 'cases.s')]);
    if (assembled.status !== 0) fail('llvm-mc', assembled);
    const sections = [`-Ttext=0x${HARNESS.toString(16)}`, `--section-start=.seq=0x${SEQUENCES.toString(16)}`, `--section-start=.scratch=0x${DATA.toString(16)}`, `--section-start=.inputs=0x${INPUTS.toString(16)}`];
    const linked = run(LD_LLD, ['-static', '-e', '_start', ...sections, '-o', join(dir, 'cases'), join(dir, 'cases.o')]);
    if (linked.status !== 0) fail('ld.lld-14', linked);
    const ran = run(qemuBinary(endian), [join(dir, 'cases')]);
    if (ran.error !== undefined || ran.status !== 0) fail(qemuBinary(endian), ran);
    if (ran.stdout.length !== jobs.length * OUTPUT_SIZE) throw new Error(`${qemuBinary(endian)} wrote ${ran.stdout.length} bytes for ${jobs.length} cases of ${OUTPUT_SIZE}: ${ran.stderr}`);
    return jobs.map((job, i) => {
      const base = i * OUTPUT_SIZE;
      const quad = (k: number): bigint => (endian === 'big' ? ran.stdout.readBigUInt64BE(base + 8 * k) : ran.stdout.readBigUInt64LE(base + 8 * k));
      const registers: Record<string, bigint> = {};
      for (let n = 0; n < 32; n++) registers[`r${n}`] = quad(n);
      registers.cr = quad(32);
      registers.xer = quad(33);
      registers.lr = quad(34);
      registers.ctr = quad(35);
      const signal = Number(quad(36));
      const code = Number(BigInt.asIntN(32, quad(37)));
      const nip = Number(quad(38));
      let end: CaseEnd = { kind: 'completed' };
      const c = job.case;
      registers.pc = BigInt(c.code + 4 * (job.stopAt ?? c.instructions.length));
      if (signal !== 0) {
        end = { kind: 'exception', exception: SIGNALS.get(signal)?.(code) ?? `signal ${signal}`, at: nip, detail: `signal ${signal}, si_code ${code}` };
        registers.pc = BigInt(nip);
      }
      const bytes = new Uint8Array(ran.stdout.subarray(base + OUTPUT_RECORD, base + OUTPUT_SIZE));
      return { end, registers, memory: [{ base: DATA, bytes }] };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run ppc64 jobs in qemu-user of byte order `endian`, in as few ELFs as the slots allow. */
export function runInQemu(jobs: readonly ReferenceJob[], endian: Endian): Outcome[] {
  return batches(jobs).flatMap((batch) => runBatch(batch, endian));
}
