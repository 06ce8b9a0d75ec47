/**
 * The generated ppc64 forms checked against llvm-mc live, in both byte
 * orders: one llvm-mc process assembles them all and hyplay must give the
 * same bytes; a second process disassembles hyplay's bytes and hyplay's
 * disassembler must give the same text. Skipped, with a reason, where
 * llvm-mc is not installed.
 */

import { describe, expect, it } from 'vitest';
import { ppc64InstructionSet } from '../../../arch/ppc64/core.ts';
import type { ParseContext } from '../../../src/isa/operand.ts';
import { hexBytes, llvmAssemble, llvmDisassemble, llvmMcAvailable, normaliseSpace } from '../../support/llvm-mc.ts';
import { ppc64Forms } from './forms.ts';
import { PPC64_BIG, PPC64_LITTLE } from './llvm-targets.ts';

const available = llvmMcAvailable();
if (!available) console.warn('llvm-live.test.ts (ppc64): llvm-mc is not on PATH; the live llvm-mc comparison is skipped (the pinned fixtures still run)');

const CONTEXT: ParseContext = { address: 0, final: true, resolve: () => undefined };

describe.skipIf(!available)('ppc64 forms against llvm-mc, live', () => {
  const forms = ppc64Forms();

  it('generates at least 300 forms', () => {
    expect(forms.length).toBeGreaterThanOrEqual(300);
  });

  for (const [endian, target] of [['big', PPC64_BIG], ['little', PPC64_LITTLE]] as const) {
    const set = ppc64InstructionSet(endian);
    const hyplay = forms.map((form) => {
      try {
        return hexBytes(set.assembleOne(form.text, CONTEXT));
      } catch (error) {
        return `error: ${(error as Error).message}`;
      }
    });

    it(`assembles every form to the ${endian}-endian bytes llvm-mc gives`, () => {
      const llvm = llvmAssemble(target, forms.map((f) => f.text));
      const wrong = forms.flatMap((form, i) => {
        const a = llvm[i]!;
        const expected = 'bytes' in a ? a.bytes : `error: ${a.error}`;
        return expected === hyplay[i] ? [] : [`${form.text}: llvm ${expected}, hyplay ${hyplay[i]}`];
      });
      expect(wrong).toEqual([]);
    });

    it(`disassembles hyplay's ${endian}-endian bytes to the text llvm-mc gives`, () => {
      const words = hyplay.filter((h) => !h.startsWith('error'));
      const llvm = llvmDisassemble(target, words);
      const wrong = words.flatMap((word, i) => {
        const ours = set.disassembleOne(Uint8Array.from(word.split(' ').map((b) => parseInt(b, 16))), 0);
        const text = ours === undefined ? '<illegal>' : normaliseSpace(ours.text);
        return text === (llvm[i] ?? '<invalid>') ? [] : [`${word}: llvm '${llvm[i] ?? '<invalid>'}', hyplay '${text}'`];
      });
      expect(wrong).toEqual([]);
    });
  }
});
