/**
 * The arm32 part of abi-docs/guides/kexec-vs-kdump.md (every section but the
 * `arm64: …` ones): each quote is verbatim from arch/arm32/scenarios, the
 * outcome table is the arm32 reset matrix the code computes, and every
 * command the part shows runs and ends as its comment says.
 */

import { describe, expect, it } from 'vitest';
import { commandsOf, expectCommandWorks, expectReferencesExist, expectVerbatim, guideSections, matrixRows, quotesOf, tableRows } from './guide-support.ts';

for (const section of guideSections('arm32')) {
  describe(`guide, arm32: ${section.heading || '(introduction)'}`, () => {
    it('links and names only files that exist', () => expectReferencesExist(section));
    for (const quote of quotesOf(section.text)) {
      it(`quote ${quote.path}#${quote.name} is verbatim`, () => {
        expect(quote.path.startsWith('arch/arm32/scenarios/')).toBe(true);
        expectVerbatim(quote);
      });
    }
    for (const command of commandsOf(section.text)) it(`hyplay ${command.argv.join(' ')}`, () => expectCommandWorks(command));
  });
}

describe('guide, arm32: the outcome table', () => {
  it('is the matrix the code computes', () => {
    const table = guideSections('arm32').flatMap((s) => tableRows(s.text));
    expect(table).toEqual(matrixRows('arm32'));
  });
});
