/**
 * The differential-testing framework, shared by every backend and
 * reference: seeded straight-line cases are run in hyplay and in a
 * reference emulator (Unicorn 2 for A32, qemu-user for ppc64), and their
 * registers, flags and memory are compared.
 *
 * A reference is not always right. Its known deviations are data (see
 * `test/diff/deviations.ts`): each is named, gives its reason, and either
 * rewrites the case for one side (hyplay is made to do what the reference
 * does, or the reference is spared what it gets wrong) or stops the
 * reference before an instruction whose outcome it gets wrong, after which
 * the states must still agree. Nothing else may differ, and a deviation
 * that no longer explains the difference fails like any other mismatch.
 *
 * @module
 */

import { Random } from './random.ts';

/** Bytes at an address. */
export interface MemoryBlock {
  /** Address of the first byte. */
  readonly base: number;
  /** The bytes. */
  readonly bytes: Uint8Array;
}

/** One instruction of a generated sequence. */
export interface SequenceInstruction {
  /** The instruction word (as the table encodes it; each side stores it in its own byte order). */
  readonly word: number;
  /** The table row it decodes as. */
  readonly row: string;
  /** True for an instruction the generator added to prepare the next one (a base address, a branch target). */
  readonly setup: boolean;
}

/**
 * Something a deviation asks hyplay to do after instruction `index`, in
 * place of rewriting the instruction (which would change the code bytes a
 * PC-relative load reads). Each hyplay runner knows its kinds.
 */
export interface Adjustment {
  /** The instruction after which it applies. */
  readonly index: number;
  /** What to do, e.g. `keep-cpsr-e`. */
  readonly kind: string;
}

/** A generated straight-line case: code, initial registers and initial memory. */
export interface DiffCase {
  /** The target it was generated for (`arm32`, `ppc64`, `ppc64le`). */
  readonly target: string;
  /** The run's seed. */
  readonly seed: number;
  /** The case's index in the run (its random stream depends on seed and index only). */
  readonly index: number;
  /** Address of the first instruction; instruction i is at `code + 4 * i`. */
  readonly code: number;
  /** The sequence. */
  readonly instructions: readonly SequenceInstruction[];
  /** Registers before the first instruction, by the names both sides use. */
  readonly registers: Readonly<Record<string, bigint>>;
  /** Memory before the first instruction (data only; each side maps the code itself). */
  readonly memory: readonly MemoryBlock[];
  /** hyplay-only adjustments asked for by deviations (none in a generated case). */
  readonly adjustments?: readonly Adjustment[];
}

/** How a run of a case ended. */
export type CaseEnd =
  /** Every instruction ran. */
  | { readonly kind: 'completed' }
  /** An instruction raised an exception (`at` is its address); the state is the one the exception saw. */
  | { readonly kind: 'exception'; readonly exception: string; readonly at: number; readonly detail?: string }
  /** hyplay ended the run itself (`unpredictable`, `thumb-unsupported`, a step budget, …). */
  | { readonly kind: 'stopped'; readonly reason: string; readonly detail: string };

/** The state after a run. */
export interface Outcome {
  /** How it ended. */
  readonly end: CaseEnd;
  /** Every compared register. */
  readonly registers: Readonly<Record<string, bigint>>;
  /** Every compared memory block. */
  readonly memory: readonly MemoryBlock[];
}

/** One case for a reference: the (possibly rewritten) case, and the instruction to stop at, if a deviation asks for it. */
export interface ReferenceJob {
  /** The case as the reference runs it. */
  readonly case: DiffCase;
  /** Run only the instructions before this index, or everything when `undefined`. */
  readonly stopAt: number | undefined;
}

/**
 * A known, explained difference between a reference and the architecture.
 * A deviation rewrites one side of a case (`hyplay`, `reference`), or
 * stops the reference before an instruction (`stopReference`); either way
 * the two sides must then agree exactly.
 */
export interface Deviation {
  /** A short name, printed in the summary with how many cases it touched. */
  readonly name: string;
  /** The targets whose reference has it. */
  readonly targets: readonly string[];
  /** Why the reference differs, citing the manual and the reference's own behaviour. */
  readonly reason: string;
  /** hyplay's copy of the case rewritten to do what the reference does, or `undefined` when the case has nothing to rewrite. */
  readonly hyplay?: (c: DiffCase) => DiffCase | undefined;
  /** The reference's copy of the case rewritten to avoid what it gets wrong, or `undefined`. */
  readonly reference?: (c: DiffCase) => DiffCase | undefined;
  /** After hyplay ran: the index of the instruction the reference must stop before, or `undefined`. */
  readonly stopReference?: (c: DiffCase, hyplay: Outcome) => number | undefined;
  /**
   * For a deviation the reference's driver works around itself (it is listed
   * here all the same, so that this stays the one list): the cases it concerns.
   */
  readonly handledByDriver?: (c: DiffCase) => boolean;
}

/** Something the generator leaves out, with the reason. */
export interface Exclusion {
  /** A short name, counted in the summary. */
  readonly name: string;
  /** Why it cannot run as a straight-line sequence in the reference's user mode. */
  readonly reason: string;
}

/** Per-row and per-exclusion counts of what the generator produced. */
export class Coverage {
  /** Instructions generated by row (setup instructions not counted). */
  readonly rows = new Map<string, number>();
  /** Instructions generated as setup, by row. */
  readonly setupRows = new Map<string, number>();
  /** Draws rejected, by exclusion name. */
  readonly excluded = new Map<string, number>();

  /** Count one generated instruction. */
  add(row: string, setup: boolean): void {
    const map = setup ? this.setupRows : this.rows;
    map.set(row, (map.get(row) ?? 0) + 1);
  }

  /** Count one rejected draw. */
  exclude(name: string): void {
    this.excluded.set(name, (this.excluded.get(name) ?? 0) + 1);
  }
}

/** A backend and its reference, as the runner sees them. */
export interface DiffTarget {
  /** `arm32`, `ppc64` or `ppc64le`. */
  readonly name: string;
  /** The reference, for messages (`Unicorn 2.0.1`, `qemu-ppc64 7.2`). */
  readonly reference: string;
  /** Hex digits of a register value. */
  readonly digits: number;
  /** Every row of the backend's instruction table. */
  readonly rows: readonly string[];
  /** Whole rows the generator never produces, by row name. */
  readonly excludedRows: ReadonlyMap<string, Exclusion>;
  /** Every exclusion the generator applies to field values. */
  readonly exclusions: readonly Exclusion[];
  /** Why the reference cannot run here, or `undefined` when it can. */
  missing(): string | undefined;
  /** Generate case `index` of a run with `seed`, counting into `coverage`. */
  generate(seed: number, index: number, random: Random, coverage: Coverage): DiffCase;
  /** Run a case in hyplay. */
  runHyplay(c: DiffCase): Outcome;
  /** Run cases in the reference, in few processes. */
  runReference(jobs: readonly ReferenceJob[]): Outcome[];
  /** One instruction as hyplay disassembles it. */
  disassemble(word: number, address: number): string;
  /** A line about the machine state a case starts in (mode, byte order), for the listing. */
  describeStart(c: DiffCase): string;
}

/** One case whose two runs differ. */
export interface Mismatch {
  /** The case hyplay ran (after any hyplay rewrite). */
  readonly hyplayCase: DiffCase;
  /** The job the reference ran. */
  readonly job: ReferenceJob;
  /** Deviations applied to the case. */
  readonly deviations: readonly string[];
  /** hyplay's outcome. */
  readonly hyplay: Outcome;
  /** The reference's outcome. */
  readonly reference: Outcome;
  /** What differs, one short item each. */
  readonly differences: readonly string[];
}

/** What a differential run found. */
export interface DiffReport {
  /** The target. */
  readonly target: DiffTarget;
  /** The seed. */
  readonly seed: number;
  /** Cases run. */
  readonly count: number;
  /** Instructions run in all cases (setup included). */
  readonly instructions: number;
  /** Cases each deviation touched, by name. */
  readonly deviations: ReadonlyMap<string, number>;
  /** What was generated. */
  readonly coverage: Coverage;
  /** Cases that differ. */
  readonly mismatches: readonly Mismatch[];
  /** Cases hyplay ended with an exception, by exception name (after deviations). */
  readonly exceptions: ReadonlyMap<string, number>;
}

/** Options of {@link runDifferential}. */
export interface RunOptions {
  /** The seed. */
  readonly seed: number;
  /** How many cases. */
  readonly count: number;
  /** Index of the first case (default 0), to replay one case of a big run. */
  readonly first?: number;
  /** The known deviations (those for other targets are ignored). */
  readonly deviations: readonly Deviation[];
  /** Cases per reference batch (default: all at once). */
  readonly batch?: number;
}

/** Generate, run on both sides, compare. */
export function runDifferential(target: DiffTarget, options: RunOptions): DiffReport {
  const first = options.first ?? 0;
  const coverage = new Coverage();
  const deviations = options.deviations.filter((d) => d.targets.includes(target.name));
  const counts = new Map<string, number>(deviations.map((d) => [d.name, 0]));
  const exceptions = new Map<string, number>();
  const mismatches: Mismatch[] = [];
  let instructions = 0;
  const batch = options.batch ?? options.count;
  for (let start = 0; start < options.count; start += batch) {
    const size = Math.min(batch, options.count - start);
    const prepared: { hyplayCase: DiffCase; job: ReferenceJob; applied: string[]; hyplay: Outcome }[] = [];
    for (let k = 0; k < size; k++) {
      const index = first + start + k;
      const original = target.generate(options.seed, index, Random.forCase(options.seed, index), coverage);
      instructions += original.instructions.length;
      let hyplayCase = original;
      let referenceCase = original;
      const applied: string[] = [];
      for (const deviation of deviations) {
        const h = deviation.hyplay?.(hyplayCase);
        const r = deviation.reference?.(referenceCase);
        if (h !== undefined) hyplayCase = h;
        if (r !== undefined) referenceCase = r;
        if (h !== undefined || r !== undefined || deviation.handledByDriver?.(original) === true) applied.push(deviation.name);
      }
      const hyplay = target.runHyplay(hyplayCase);
      let stopAt: number | undefined;
      for (const deviation of deviations) {
        stopAt = deviation.stopReference?.(hyplayCase, hyplay);
        if (stopAt !== undefined) {
          applied.push(deviation.name);
          break;
        }
      }
      for (const name of applied) counts.set(name, counts.get(name)! + 1);
      if (hyplay.end.kind === 'exception') exceptions.set(hyplay.end.exception, (exceptions.get(hyplay.end.exception) ?? 0) + 1);
      prepared.push({ hyplayCase, job: { case: referenceCase, stopAt }, applied, hyplay });
    }
    const outcomes = target.runReference(prepared.map((p) => p.job));
    prepared.forEach((p, i) => {
      const reference = outcomes[i]!;
      const differences = compareOutcomes(p.job, p.hyplay, reference);
      if (differences.length > 0) mismatches.push({ hyplayCase: p.hyplayCase, job: p.job, deviations: p.applied, hyplay: p.hyplay, reference, differences });
    });
  }
  return { target, seed: options.seed, count: options.count, instructions, deviations: counts, coverage, mismatches, exceptions };
}

function hex(value: bigint | number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

/** Where instruction `index` of a case is. */
export function instructionAddress(c: DiffCase, index: number): number {
  return c.code + 4 * index;
}

function describeEnd(end: CaseEnd): string {
  switch (end.kind) {
    case 'completed':
      return 'completed';
    case 'exception':
      return `${end.exception} at ${hex(end.at, 8)}${end.detail === undefined ? '' : ` (${end.detail})`}`;
    case 'stopped':
      return `stopped: ${end.reason} (${end.detail})`;
    default: {
      const unreachable: never = end;
      return unreachable;
    }
  }
}

/**
 * The differences between hyplay's and the reference's outcome, as short
 * items; empty when they agree. When a deviation stopped the reference
 * before instruction k, hyplay must have taken an exception at k and the
 * reference must have completed the instructions before it.
 */
export function compareOutcomes(job: ReferenceJob, hyplay: Outcome, reference: Outcome): string[] {
  const differences: string[] = [];
  if (job.stopAt !== undefined) {
    const at = instructionAddress(job.case, job.stopAt);
    if (hyplay.end.kind !== 'exception' || hyplay.end.at !== at) differences.push(`hyplay should end with an exception at ${hex(at, 8)} but ${describeEnd(hyplay.end)}`);
    if (reference.end.kind !== 'completed') differences.push(`the reference, stopped before ${hex(at, 8)}, ${describeEnd(reference.end)}`);
  } else if (describeEnd(hyplay.end) !== describeEnd(reference.end)) {
    const same = hyplay.end.kind === 'exception' && reference.end.kind === 'exception' && hyplay.end.exception === reference.end.exception && hyplay.end.at === reference.end.at;
    if (!same) differences.push(`end: hyplay ${describeEnd(hyplay.end)}, reference ${describeEnd(reference.end)}`);
  }
  const names = new Set([...Object.keys(hyplay.registers), ...Object.keys(reference.registers)]);
  const registers: string[] = [];
  for (const name of names) if (hyplay.registers[name] !== reference.registers[name]) registers.push(name);
  if (registers.length > 0) differences.push(`registers ${registers.join(', ')}`);
  const memory = memoryDifferences(hyplay.memory, reference.memory);
  if (memory.length > 0) differences.push(`memory at ${memory.map((r) => `${hex(r.base, 8)}+${r.length}`).join(', ')}`);
  return differences;
}

/** A run of differing bytes. */
interface ByteRange {
  readonly base: number;
  readonly length: number;
}

function memoryDifferences(a: readonly MemoryBlock[], b: readonly MemoryBlock[]): ByteRange[] {
  const out: ByteRange[] = [];
  const byBase = new Map(b.map((block) => [block.base, block]));
  for (const block of a) {
    const other = byBase.get(block.base);
    if (other === undefined || other.bytes.length !== block.bytes.length) {
      out.push({ base: block.base, length: block.bytes.length });
      continue;
    }
    let i = 0;
    while (i < block.bytes.length) {
      if (block.bytes[i] === other.bytes[i]) {
        i++;
        continue;
      }
      const start = i;
      while (i < block.bytes.length && block.bytes[i] !== other.bytes[i]) i++;
      out.push({ base: block.base + start, length: i - start });
    }
  }
  for (const block of b) if (!a.some((x) => x.base === block.base)) out.push({ base: block.base, length: block.bytes.length });
  return out;
}

function bytesAt(blocks: readonly MemoryBlock[], address: number, length: number): string {
  const out: string[] = [];
  for (let i = 0; i < length; i++) {
    const block = blocks.find((b) => address + i >= b.base && address + i < b.base + b.bytes.length);
    out.push(block === undefined ? '..' : block.bytes[address + i - block.base]!.toString(16).padStart(2, '0'));
  }
  return out.join(' ');
}

/** The assembly listing of a case, one instruction a line, setup instructions marked. */
export function listing(target: DiffTarget, c: DiffCase, stopAt?: number): string[] {
  return c.instructions.map((instruction, i) => {
    const address = instructionAddress(c, i);
    const text = target.disassemble(instruction.word, address);
    const adjusted = (c.adjustments ?? []).filter((a) => a.index === i).map((a) => `hyplay then: ${a.kind}`);
    const notes = [instruction.setup ? 'setup' : '', stopAt === i ? 'the reference stops here' : '', ...adjusted].filter((n) => n !== '');
    return `    ${hex(address, 8)}  ${instruction.word.toString(16).padStart(8, '0')}  ${text.padEnd(36)}${notes.length > 0 ? `  ; ${notes.join(', ')}` : ''}`;
  });
}

function registerLines(registers: Readonly<Record<string, bigint>>, digits: number): string[] {
  const items = Object.entries(registers).map(([name, value]) => `${name.padStart(8)} = ${hex(value, digits)}`);
  const perLine = digits > 8 ? 3 : 4;
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(`   ${items.slice(i, i + perLine).join('  ')}`);
  return lines;
}

/** A mismatch as a readable report: how to replay it, the sequence, its inputs, and both outputs side by side. */
export function formatMismatch(target: DiffTarget, m: Mismatch): string {
  const c = m.hyplayCase;
  const lines: string[] = [];
  lines.push(`${target.name} seed ${c.seed} case ${c.index}: ${m.differences.join('; ')}`);
  lines.push(`  replay: npm run diff -- --arch ${target.name} --seed ${c.seed} --first ${c.index} --count 1`);
  if (m.deviations.length > 0) lines.push(`  known deviations applied: ${m.deviations.join(', ')}`);
  lines.push(`  sequence (${target.describeStart(c)}):`);
  lines.push(...listing(target, c, m.job.stopAt));
  if (m.job.case !== c) {
    const theirs = listing(target, m.job.case, m.job.stopAt);
    const ours = listing(target, c, m.job.stopAt);
    lines.push(`  the reference ran instead:`);
    lines.push(...theirs.filter((line, i) => line !== ours[i]));
  }
  lines.push('  registers before:');
  lines.push(...registerLines(c.registers, target.digits));
  for (const block of c.memory) lines.push(`  memory before: ${block.bytes.length} bytes at ${hex(block.base, 8)} (differing bytes are shown below)`);
  const width = target.digits + 2;
  lines.push(`  ${''.padEnd(10)}${'hyplay'.padEnd(width + 2)}${target.reference}`);
  lines.push(`  ${'end'.padEnd(10)}${describeEnd(m.hyplay.end)}`);
  lines.push(`  ${''.padEnd(10)}${''.padEnd(width + 2)}${describeEnd(m.reference.end)}`);
  const names = [...new Set([...Object.keys(m.hyplay.registers), ...Object.keys(m.reference.registers)])];
  let agreeing = 0;
  for (const name of names) {
    const a = m.hyplay.registers[name];
    const b = m.reference.registers[name];
    if (a === b) {
      agreeing++;
      continue;
    }
    const left = a === undefined ? '-' : hex(a, target.digits);
    const right = b === undefined ? '-' : hex(b, target.digits);
    const before = c.registers[name];
    lines.push(`  ${name.padEnd(10)}${left.padEnd(width + 2)}${right.padEnd(width + 2)}(before ${before === undefined ? '-' : hex(before, target.digits)})  <--`);
  }
  lines.push(`  ${agreeing} other registers agree:`);
  lines.push(...registerLines(Object.fromEntries(names.filter((n) => m.hyplay.registers[n] === m.reference.registers[n]).map((n) => [n, m.hyplay.registers[n]!])), target.digits));
  for (const range of memoryDifferences(m.hyplay.memory, m.reference.memory)) {
    const from = Math.max(range.base - 4, 0);
    const length = Math.min(range.length + 8, 64);
    lines.push(`  memory ${hex(from, 8)}:`);
    lines.push(`    before     ${bytesAt(c.memory, from, length)}`);
    lines.push(`    hyplay     ${bytesAt(m.hyplay.memory, from, length)}`);
    lines.push(`    reference  ${bytesAt(m.reference.memory, from, length)}`);
  }
  return lines.join('\n');
}

/** The run's summary: counts, coverage, exclusions and deviations, then every mismatch. */
export function formatReport(report: DiffReport, deviations: readonly Deviation[], maxMismatches = 5): string {
  const { target, coverage } = report;
  const lines: string[] = [];
  lines.push(`${target.name} against ${target.reference}: ${report.count} sequences (seed ${report.seed}), ${report.instructions} instructions, ${report.mismatches.length} mismatches`);
  const generated = target.rows.filter((r) => coverage.rows.has(r));
  lines.push(`  rows generated: ${generated.length} of ${target.rows.length}; fewest: ${generated.sort((a, b) => coverage.rows.get(a)! - coverage.rows.get(b)!).slice(0, 6).map((r) => `${r} ${coverage.rows.get(r)}`).join(', ')}`);
  for (const [row, exclusion] of target.excludedRows) lines.push(`  row ${row} excluded (${exclusion.name}): ${exclusion.reason}`);
  for (const exclusion of target.exclusions) lines.push(`  excluded ${coverage.excluded.get(exclusion.name) ?? 0} draws (${exclusion.name}): ${exclusion.reason}`);
  const missing = target.rows.filter((r) => !coverage.rows.has(r) && !target.excludedRows.has(r));
  if (missing.length > 0) lines.push(`  rows never generated: ${missing.join(', ')}`);
  if (report.exceptions.size > 0) lines.push(`  cases ending in an exception in hyplay: ${[...report.exceptions].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const deviation of deviations.filter((d) => d.targets.includes(target.name))) {
    lines.push(`  known deviation '${deviation.name}' (${report.deviations.get(deviation.name) ?? 0} cases): ${deviation.reason}`);
  }
  for (const m of report.mismatches.slice(0, maxMismatches)) lines.push('', formatMismatch(target, m));
  if (report.mismatches.length > maxMismatches) lines.push('', `… and ${report.mismatches.length - maxMismatches} more mismatches`);
  return lines.join('\n');
}

/** The part of guest memory the hyplay runners use: word accesses in the memory's own byte order. */
interface WordMemory {
  readonly endian: 'little' | 'big';
  read32(address: number): number | undefined;
  write32(address: number, value: number): boolean;
}

/** Copy bytes (a multiple of 4 long, at a word-aligned address) into guest memory a word at a time. */
export function copyIn(memory: WordMemory, base: number, bytes: Uint8Array): void {
  const little = memory.endian === 'little';
  for (let i = 0; i < bytes.length; i += 4) {
    const word = little
      ? bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
      : (bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
    memory.write32(base + i, word);
  }
}

/** Copy `length` bytes (a multiple of 4, word-aligned) out of mapped guest memory a word at a time. */
export function copyOut(memory: WordMemory, base: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const little = memory.endian === 'little';
  for (let i = 0; i < length; i += 4) {
    const word = memory.read32(base + i)!;
    for (let j = 0; j < 4; j++) out[i + j] = (word >>> (little ? 8 * j : 24 - 8 * j)) & 0xff;
  }
  return out;
}
