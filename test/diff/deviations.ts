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

/** The case with instruction `index` replaced. */
function replace(c: DiffCase, index: number, instruction: SequenceInstruction): DiffCase {
  const instructions = c.instructions.slice();
  instructions[index] = instruction;
  return { ...c, instructions };
}

/** Rewrite every instruction `change` returns a replacement for; `undefined` when there was none. */
function rewriteEach(c: DiffCase, change: (instruction: SequenceInstruction) => SequenceInstruction | undefined): DiffCase | undefined {
  let out: DiffCase | undefined;
  c.instructions.forEach((instruction, i) => {
    const replacement = change(instruction);
    if (replacement !== undefined) out = replace(out ?? c, i, replacement);
  });
  return out;
}

/** An A32 NOP with the condition of `word` (a NOP that fails its condition is still a NOP). */
function arm32Nop(word: number, setup: boolean): SequenceInstruction {
  return { word: ARM32_TABLE.encode(ARM32_TABLE.entry('NOP')!, { cond: word >>> 28 }), row: 'NOP', setup };
}

/** MSR (to the CPSR) with its `x` byte — the one that holds E — removed from the mask. */
function withoutExtensionByte(instruction: SequenceInstruction): SequenceInstruction | undefined {
  if (instruction.row !== 'MSR_reg' && instruction.row !== 'MSR_imm') return undefined;
  const match = ARM32_TABLE.decode(instruction.word)!;
  if (match.fields.r !== 0 || (match.fields.mask! & 2) === 0) return undefined;
  const mask = match.fields.mask! & ~2;
  if (mask === 0) return arm32Nop(instruction.word, instruction.setup);
  return { ...instruction, word: ARM32_TABLE.encode(match.entry, { ...match.fields, mask }) };
}

/** Whether hyplay's outcome is an alignment fault (DFSR.FS = 0b00001) at an unaligned address. */
function alignmentFault(hyplay: Outcome): boolean {
  if (hyplay.end.kind !== 'exception' || hyplay.end.exception !== 'data-abort' || hyplay.end.detail === undefined) return false;
  const match = /DFSR 0x([0-9a-f]+), DFAR 0x([0-9a-f]+)/.exec(hyplay.end.detail);
  return match !== null && (parseInt(match[1]!, 16) & 0x40f) === 0x001 && (parseInt(match[2]!, 16) & 3) !== 0;
}

/** Every known deviation of the references used by the differential tests. */
export const REFERENCE_DEVIATIONS: readonly Deviation[] = [
  {
    name: 'unicorn-usr-msr-cpsr-e',
    targets: ['arm32'],
    reason:
      'Unicorn 2.0.1 (QEMU 5.0) ignores a usr-mode MSR write of CPSR.E: it masks unprivileged MSR writes to NZCVQ and GE, ' +
      'but CPSRWriteByInstr lets every mode write E (ARM ARM B1.3.3). hyplay runs such an MSR without its x byte (a NOP if nothing is left); ' +
      'E itself is still tested, since every case starts with a random E',
    hyplay: (c) => rewriteEach(c, withoutExtensionByte),
  },
  {
    name: 'unicorn-wfe-yield-stop',
    targets: ['arm32'],
    reason:
      'Unicorn 2.0.1 ends emulation with UC_ERR_INSN_INVALID just after an executed WFE or YIELD (QEMU leaves its CPU loop for them). ' +
      'Both may complete at once (WFE when an event is pending, ARM ARM B1.8.13; YIELD is a hint), which is what hyplay does, ' +
      'so the reference runs a NOP with the same condition in their place',
    reference: (c) => rewriteEach(c, (i) => (i.row === 'WFE' || i.row === 'YIELD' ? arm32Nop(i.word, i.setup) : undefined)),
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
];
