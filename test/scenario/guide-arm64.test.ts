/**
 * The arm64 part of abi-docs/guides/kexec-vs-kdump.md (the `arm64: …`
 * sections): each quote is verbatim from arch/arm64/scenarios, the outcome
 * table is `hyplay reset-matrix --arch arm64` as the code computes it, and
 * every command the part shows runs and ends in the outcome its comment
 * names (the x0 bug, its fix, the reboot race, protected KVM, …).
 */

import { describe, expect, it } from 'vitest';
import { commandsOf, expectCommandWorks, expectReferencesExist, expectVerbatim, guideSections, matrixRows, quotesOf, tableRows } from './guide-support.ts';

for (const section of guideSections('arm64')) {
  describe(`guide, ${section.heading}`, () => {
    it('links and names only files that exist', () => expectReferencesExist(section));
    for (const quote of quotesOf(section.text)) {
      it(`quote ${quote.path}#${quote.name} is verbatim`, () => {
        expect(quote.path.startsWith('arch/arm64/scenarios/')).toBe(true);
        expectVerbatim(quote);
      });
    }
    for (const command of commandsOf(section.text)) it(`hyplay ${command.argv.join(' ')}`, () => expectCommandWorks(command));
  });
}

describe('guide, arm64: the outcome table', () => {
  it('is the arm64 matrix the code computes, every row with its scenario', () => {
    const table = guideSections('arm64').flatMap((s) => tableRows(s.text));
    expect(table).toEqual(matrixRows('arm64'));
    expect(table.map((r) => r[0])).toContain('kexec-race');
  });

  it('names every kind of row the history has: no kdump, EL1 crash kernels, the x0 bug and fix, the harness crash, pKVM, the race', () => {
    const commands = guideSections('arm64').flatMap((s) => commandsOf(s.text)).filter((c) => c.argv[1] === 'run');
    expect(new Set(commands.map((c) => c.comment))).toEqual(new Set(['guest-error', 'new-kernel-in-svc', 'hyp-crash', 'new-kernel-in-hyp']));
    expect(commands.length).toBeGreaterThanOrEqual(7);
  });
});
