/**
 * abi-docs/guides/kexec-vs-kdump.md quotes the real scenario files between
 * markers: `<!-- quote: PATH#NAME -->`, a fenced block, `<!-- /quote -->`,
 * where PATH marks the region with `@ quote: NAME` and `@ /quote: NAME`.
 * This test fails when a marker goes missing on either side or a quote
 * drifts from its file, and keeps the guide's outcome table equal to the
 * reset matrix the code computes.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ARM32_BACKEND } from '../../arch/arm32/backend.ts';
import { loadAbis } from '../../src/di/container.ts';
import { runResetMatrix } from '../../src/scenario/reset-matrix.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUIDE_PATH = 'abi-docs/guides/kexec-vs-kdump.md';
const GUIDE = readFileSync(join(ROOT, GUIDE_PATH), 'utf8');
const SCENARIO_DIR = 'arch/arm32/scenarios';

/** One quote in a guide. */
interface Quote {
  readonly path: string;
  readonly name: string;
  readonly body: string;
}

/** Every quote of `markdown`; throws on a quote that is not closed or holds no fenced block. */
function quotesOf(markdown: string): Quote[] {
  const out: Quote[] = [];
  const pattern = /<!-- quote: ([^#\s]+)#(\S+) -->\n([\s\S]*?)<!-- \/quote -->/g;
  for (const match of markdown.matchAll(pattern)) {
    const fenced = /^```[a-z]*\n([\s\S]*?)\n```\n$/.exec(match[3]!);
    if (fenced === null) throw new Error(`quote ${match[1]}#${match[2]}: no fenced block between the markers`);
    out.push({ path: match[1]!, name: match[2]!, body: fenced[1]! });
  }
  const opened = markdown.match(/<!-- quote: /g)?.length ?? 0;
  const closed = markdown.match(/<!-- \/quote -->/g)?.length ?? 0;
  if (opened !== out.length || closed !== out.length) throw new Error(`${opened} quote markers open, ${closed} close, ${out.length} quotes parsed`);
  return out;
}

/** The lines between `@ quote: NAME` and `@ /quote: NAME` in `source`, or why there are none. */
function regionOf(source: string, name: string): string | { readonly missing: string } {
  const lines = source.split('\n');
  const start = lines.indexOf(`@ quote: ${name}`);
  const end = lines.indexOf(`@ /quote: ${name}`);
  if (start < 0) return { missing: `no '@ quote: ${name}' marker` };
  if (end < 0) return { missing: `no '@ /quote: ${name}' marker` };
  if (end < start) return { missing: `'@ /quote: ${name}' comes before '@ quote: ${name}'` };
  return lines.slice(start + 1, end).join('\n');
}

/** Every region marked in the scenario files, as `PATH#NAME`. */
function markedRegions(): string[] {
  const out: string[] = [];
  for (const file of readdirSync(join(ROOT, SCENARIO_DIR)).filter((f) => f.endsWith('.s')).sort()) {
    const source = readFileSync(join(ROOT, SCENARIO_DIR, file), 'utf8');
    for (const match of source.matchAll(/^@ quote: (\S+)$/gm)) out.push(`${SCENARIO_DIR}/${file}#${match[1]}`);
  }
  return out;
}

describe(GUIDE_PATH, () => {
  const quotes = quotesOf(GUIDE);

  it('quotes the scenario files', () => {
    expect(quotes.length).toBeGreaterThanOrEqual(10);
  });

  for (const quote of quotes) {
    it(`quote ${quote.path}#${quote.name} is verbatim`, () => {
      const region = regionOf(readFileSync(join(ROOT, quote.path), 'utf8'), quote.name);
      expect(region, `${quote.path}: marker missing`).toBeTypeOf('string');
      expect(quote.body).toBe(region);
    });
  }

  it('quotes every region the scenario files mark', () => {
    const quoted = new Set(quotes.map((q) => `${q.path}#${q.name}`));
    expect(markedRegions().filter((r) => !quoted.has(r))).toEqual([]);
  });

  it('shows the matrix first, links to the ABI index and the README, and points at nothing a user does not have', () => {
    const headings = GUIDE.split('\n').filter((line) => line.startsWith('## '));
    expect(headings[0]).toBe('## The matrix');
    expect(GUIDE).toContain('](../index.md)');
    expect(GUIDE).toContain('README');
    expect(GUIDE).not.toMatch(/\.\.\/shared|abi-facts|the issue/i);
  });

  it('its outcome table is the matrix the code computes', () => {
    const table = [...GUIDE.matchAll(/^\| (kexec|kdump) \| ([^|]+) \| (\S+) \| (\S+) \| (none|running) \| (yes|no) \| (\S+) \|$/gm)].map((m) => [m[1], m[2], m[3], m[4], m[5], m[6] === 'yes', m[7]]);
    const rows = runResetMatrix(ARM32_BACKEND, loadAbis()).map((r) => [r.row.path, r.row.era, r.row.stub, r.row.hypervisor, r.row.vm, r.row.shipped, r.row.outcome]);
    expect(table).toEqual(rows);
  });
});

describe('quote markers (self-check)', () => {
  it('find a region, and report a missing or misplaced marker', () => {
    const source = 'a\n@ quote: x\nb\nc\n@ /quote: x\nd';
    expect(regionOf(source, 'x')).toBe('b\nc');
    expect(regionOf(source, 'y')).toEqual({ missing: "no '@ quote: y' marker" });
    expect(regionOf('@ quote: x\nb', 'x')).toEqual({ missing: "no '@ /quote: x' marker" });
  });

  it('parse guide quotes and reject an unclosed one', () => {
    expect(quotesOf('<!-- quote: f.s#x -->\n```asm\nb\nc\n```\n<!-- /quote -->\n')).toEqual([{ path: 'f.s', name: 'x', body: 'b\nc' }]);
    expect(() => quotesOf('<!-- quote: f.s#x -->\n```asm\nb\n```\n')).toThrow('1 quote markers open, 0 close, 0 quotes parsed');
    expect(() => quotesOf('<!-- quote: f.s#x -->\nno fence\n<!-- /quote -->')).toThrow('quote f.s#x: no fenced block between the markers');
  });
});
