/**
 * abi-docs/guides/kexec-vs-kdump.md as a whole: the matrix comes first, the
 * guide links where it says and points at nothing a user does not have,
 * every quote marker is closed, and every region a scenario file marks is
 * quoted somewhere. Each part is checked by its own file, so the parts run
 * in parallel: test/scenario/guide-arm32.test.ts (the arm32 sections) and
 * test/scenario/guide-arm64.test.ts (the `arm64: …` sections) check their
 * quotes verbatim, their outcome tables against the matrix the code
 * computes, and run every command they show. The helpers are in
 * test/scenario/guide-support.ts.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandsOf, GUIDE, GUIDE_PATH, ROOT, guideSections, markedRegions, npmScriptsOf, quotesOf, regionOf, sectionsOf } from './guide-support.ts';

describe(GUIDE_PATH, () => {
  it('shows the matrix first, links to the ABI index and the README, and points at nothing a user does not have', () => {
    const headings = GUIDE.split('\n').filter((line) => line.startsWith('## '));
    expect(headings[0]).toBe('## The matrix');
    expect(GUIDE).toContain('](../index.md)');
    expect(GUIDE).toContain('README');
    expect(GUIDE).not.toMatch(/\.\.\/shared|abi-facts|the issue/i);
  });

  it('has an arm32 part and an arm64 part, each with quotes, an outcome table and commands', () => {
    for (const part of ['arm32', 'arm64'] as const) {
      const text = guideSections(part).map((s) => s.text).join('\n');
      expect(quotesOf(text).length, part).toBeGreaterThanOrEqual(part === 'arm32' ? 10 : 8);
      expect(commandsOf(text).length, part).toBeGreaterThanOrEqual(3);
    }
    expect(guideSections('arm64').map((s) => s.heading)).toEqual(['arm64: the matrix', 'arm64: the machine and the paths', 'arm64: where the model follows the sources']);
  });

  it('quotes every region the scenario files mark (here, or in another guide of abi-docs/guides), and nothing twice', () => {
    const quoted = quotesOf(GUIDE).map((q) => `${q.path}#${q.name}`);
    expect(new Set(quoted).size).toBe(quoted.length);
    const guides = readdirSync(join(ROOT, 'abi-docs/guides')).filter((file) => file.endsWith('.md') && `abi-docs/guides/${file}` !== GUIDE_PATH);
    const elsewhere = guides.flatMap((file) => quotesOf(readFileSync(join(ROOT, 'abi-docs/guides', file), 'utf8'))).map((q) => `${q.path}#${q.name}`);
    const marked = [...markedRegions('arch/arm32/scenarios'), ...markedRegions('arch/arm64/scenarios')];
    expect(marked.filter((r) => !quoted.includes(r) && !elsewhere.includes(r))).toEqual([]);
    expect(marked.length).toBeGreaterThanOrEqual(20);
  });

  it('runs only npm scripts the package has', () => {
    const scripts = Object.keys(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts);
    expect(npmScriptsOf(GUIDE).filter((s) => !scripts.includes(s))).toEqual([]);
  });
});

describe('guide helpers (self-check)', () => {
  it('find a region, and report a missing or misplaced marker, in either comment style', () => {
    const source = 'a\n@ quote: x\nb\nc\n@ /quote: x\nd';
    expect(regionOf(source, 'x')).toBe('b\nc');
    expect(regionOf(source, 'y')).toEqual({ missing: "no '@ quote: y' marker" });
    expect(regionOf('@ quote: x\nb', 'x')).toEqual({ missing: "no '@ /quote: x' marker" });
    expect(regionOf('// /quote: x\n// quote: x', 'x', '//')).toEqual({ missing: "'// /quote: x' comes before '// quote: x'" });
    expect(regionOf('// quote: x\nb\n// /quote: x', 'x', '//')).toBe('b');
  });

  it('parse guide quotes and reject an unclosed one', () => {
    expect(quotesOf('<!-- quote: f.s#x -->\n```asm\nb\nc\n```\n<!-- /quote -->\n')).toEqual([{ path: 'f.s', name: 'x', body: 'b\nc' }]);
    expect(() => quotesOf('<!-- quote: f.s#x -->\n```asm\nb\n```\n')).toThrow('1 quote markers open, 0 close, 0 quotes parsed');
    expect(() => quotesOf('<!-- quote: f.s#x -->\nno fence\n<!-- /quote -->')).toThrow('quote f.s#x: no fenced block between the markers');
  });

  it('split sections at headings outside fences, and read commands with their comments', () => {
    const text = 'intro\n## A\n```sh\nnpm run -s hyplay -- scenario run x   # hyp-crash\nnpm start\n## not a heading\n```\n## B\nb';
    expect(sectionsOf(text).map((s) => s.heading)).toEqual(['', 'A', 'B']);
    expect(commandsOf(text)).toEqual([{ line: 'npm run -s hyplay -- scenario run x   # hyp-crash', argv: ['scenario', 'run', 'x'], comment: 'hyp-crash' }]);
    expect(npmScriptsOf(text)).toEqual(['start']);
  });
});
