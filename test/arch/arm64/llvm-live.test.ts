/**
 * The generated A64 forms checked against llvm-mc live: one llvm-mc process
 * assembles them all and hyplay must give the same bytes; a second process
 * disassembles hyplay's bytes and hyplay's disassembler must give the same
 * text. Skipped, with a reason, where llvm-mc is not installed.
 */

import { describe, expect, it } from 'vitest';
import { ARM64_INSTRUCTION_SET } from '../../../arch/arm64/core.ts';
import type { ParseContext } from '../../../src/isa/operand.ts';
import { arm64Forms } from './forms.ts';
import { hexBytes, llvmAssemble, llvmDisassemble, llvmMcAvailable, normaliseSpace } from './llvm-mc.ts';

const available = llvmMcAvailable();
if (!available) console.warn('llvm-live.test.ts: llvm-mc is not on PATH; the live llvm-mc comparison is skipped (the pinned fixtures still run)');

const CONTEXT: ParseContext = { address: 0, final: true, resolve: () => undefined };

describe.skipIf(!available)('arm64 forms against llvm-mc, live', () => {
  const forms = arm64Forms();
  const hyplay = forms.map((form) => {
    try {
      return hexBytes(ARM64_INSTRUCTION_SET.assembleOne(form.text, CONTEXT));
    } catch (error) {
      return `error: ${(error as Error).message}`;
    }
  });

  it('generates at least 500 forms', () => {
    expect(forms.length).toBeGreaterThanOrEqual(500);
  });

  it('assembles every form to the bytes llvm-mc gives', () => {
    const llvm = llvmAssemble(forms.map((f) => f.text));
    const wrong = forms.flatMap((form, i) => {
      const a = llvm[i]!;
      const expected = 'bytes' in a ? a.bytes : `error: ${a.error}`;
      return expected === hyplay[i] ? [] : [`${form.text}: llvm ${expected}, hyplay ${hyplay[i]}`];
    });
    expect(wrong).toEqual([]);
  });

  it("disassembles hyplay's bytes to the text llvm-mc gives", () => {
    const words = hyplay.filter((h) => !h.startsWith('error'));
    const llvm = llvmDisassemble(words);
    const wrong = words.flatMap((word, i) => {
      const bytes = Uint8Array.from(word.split(' ').map((b) => parseInt(b, 16)));
      const ours = ARM64_INSTRUCTION_SET.disassembleOne(bytes, 0);
      const text = ours === undefined ? '<undefined>' : normaliseSpace(ours.text);
      return text === (llvm[i] ?? '<invalid>') ? [] : [`${word}: llvm '${llvm[i] ?? '<invalid>'}', hyplay '${text}'`];
    });
    expect(wrong).toEqual([]);
  });
});
