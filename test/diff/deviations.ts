/**
 * The one list of known reference deviations: every way Unicorn or qemu-user
 * is known to differ from the architecture on the generated sequences, with
 * the reason. The differential runner applies them (see `Deviation` in
 * `test/diff/differential.ts`) and prints how many cases each touched; any
 * other difference fails with a readable diff. A deviation rewrites as
 * little as possible, so the rest of a case is still compared exactly.
 *
 * @module
 */

import { ARM32_TABLE } from '../../arch/arm32/table.ts';
import type { DiffCase, Deviation, Outcome, SequenceInstruction } from './differential.ts';

/** An MSR to the CPSR whose mask includes the `x` byte, the one that holds E. */
function writesExtensionByte(instruction: SequenceInstruction): boolean {
  if (instruction.row !== 'MSR_reg' && instruction.row !== 'MSR_imm') return false;
  const fields = ARM32_TABLE.decode(instruction.word)!.fields;
  return fields.r === 0 && (fields.mask! & 2) !== 0;
}

/** The case with an adjustment of `kind` after every instruction `which` selects, or `undefined` when none does. */
function adjustEach(c: DiffCase, which: (instruction: SequenceInstruction) => boolean, kind: string): DiffCase | undefined {
  const added = c.instructions.flatMap((instruction, index) => (which(instruction) ? [{ index, kind }] : []));
  return added.length === 0 ? undefined : { ...c, adjustments: [...(c.adjustments ?? []), ...added] };
}

/** Whether hyplay's outcome is an alignment fault (DFSR.FS = 0b00001) at an unaligned address. */
function alignmentFault(hyplay: Outcome): boolean {
  if (hyplay.end.kind !== 'exception' || hyplay.end.exception !== 'data-abort' || hyplay.end.detail === undefined) return false;
  const match = /DFSR 0x([0-9a-f]+), DFAR 0x([0-9a-f]+)/.exec(hyplay.end.detail);
  return match !== null && (parseInt(match[1]!, 16) & 0x40f) === 0x001 && (parseInt(match[2]!, 16) & 3) !== 0;
}

/** Whether hyplay's outcome is an A64 alignment fault (ESR_EL1.EC 0x25, DFSC 0b100001) at an unaligned FAR. */
function a64AlignmentFault(hyplay: Outcome): boolean {
  if (hyplay.end.kind !== 'exception' || hyplay.end.exception !== 'data-abort' || hyplay.end.detail === undefined) return false;
  const match = /ESR_EL1 0x([0-9a-f]+), FAR_EL1 0x([0-9a-f]+)/.exec(hyplay.end.detail);
  return match !== null && parseInt(match[1]!, 16) >>> 26 === 0x25 && (parseInt(match[1]!, 16) & 0x3f) === 0x21;
}

/** A64 rows that must be aligned whatever SCTLR_EL1.A: the exclusives and the acquire/release accesses (B2.5.2). */
const A64_ALIGNED_ROW = /^(LDXR|LDAXR|STXR|STLXR|LDAR|STLR|LDXP|LDAXP|STXP|STLXP)_[0-3]$/;

/** Every known deviation of the references used by the differential tests. */
export const REFERENCE_DEVIATIONS: readonly Deviation[] = [
  {
    name: 'unicorn-usr-msr-cpsr-e',
    targets: ['arm32'],
    reason:
      'Unicorn 2.0.1 (QEMU 5.0) ignores a usr-mode MSR write of CPSR.E: it masks unprivileged MSR writes to NZCVQ and GE, ' +
      'but CPSRWriteByInstr lets every mode write E (ARM ARM B1.3.3). After such an MSR, hyplay puts E back as it was ' +
      '(the rest of the MSR is compared); E itself is still tested, since every case starts with a random E',
    hyplay: (c) => adjustEach(c, writesExtensionByte, 'keep-cpsr-e'),
  },
  {
    name: 'unicorn-wfe-yield-stop',
    targets: ['arm32'],
    reason:
      'Unicorn 2.0.1 ends emulation with UC_ERR_INSN_INVALID just after an executed WFE or YIELD (QEMU leaves its CPU loop for them). ' +
      'Both may complete at once (WFE when an event is pending, ARM ARM B1.8.13; YIELD is a hint), which is what hyplay does, ' +
      'so test/diff/unicorn-driver.py resumes emulation at the next instruction (rewriting them to NOP instead would change ' +
      'the code bytes that PC-relative loads read)',
    handledByDriver: (c) => c.instructions.some((i) => i.row === 'WFE' || i.row === 'YIELD'),
  },
  {
    name: 'unicorn-unaligned-ldm-stm',
    targets: ['arm32'],
    reason:
      'Unicorn 2.0.1 (QEMU 5.0) performs an LDM or STM whose address is not word-aligned, where ARMv7 requires an alignment fault ' +
      'whatever SCTLR.A (ARM ARM A3.2.1, Table A3-1). hyplay takes the data abort (DFSR.FS = 0b00001, DFAR = the lowest address); ' +
      'the reference stops before that instruction and the state up to it must agree',
    stopReference: (c, hyplay) => {
      if (!alignmentFault(hyplay) || hyplay.end.kind !== 'exception') return undefined;
      const index = (hyplay.end.at - c.code) / 4;
      const row = c.instructions[index]?.row;
      return row === 'LDM' || row === 'STM' ? index : undefined;
    },
  },
  {
    name: 'unicorn-unaligned-exclusive-ordered',
    targets: ['arm64'],
    reason:
      'Unicorn 2.0.1 (QEMU 5.0) performs an unaligned LDAR/STLR or load/store exclusive (LDXR, STXR, LDAXR, STLXR and their pairs), ' +
      'where the ARM ARM requires an alignment fault whatever SCTLR_EL1.A (B2.5.2, "Alignment of data accesses"). hyplay takes the data abort ' +
      '(ESR_EL1.EC 0x25, DFSC 0b100001, FAR the address); the reference stops before that instruction and the state up to it must agree',
    stopReference: (c, hyplay) => {
      if (!a64AlignmentFault(hyplay) || hyplay.end.kind !== 'exception') return undefined;
      const index = (hyplay.end.at - c.code) / 4;
      const row = c.instructions[index]?.row;
      return row !== undefined && A64_ALIGNED_ROW.test(row) ? index : undefined;
    },
  },
];
