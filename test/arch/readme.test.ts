/**
 * `arch/README.md` says which files to touch to add an instruction, an ABI
 * or a backend. This test keeps that list true: every backticked repository
 * path in it exists, the script it names exists, and every arm32 source file
 * is mentioned.
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(join(ROOT, 'arch/README.md'), 'utf8');

/** Inline code spans of a Markdown text. */
function codeSpans(markdown: string): string[] {
  return [...markdown.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
}

/**
 * A span that names a concrete repository path: path characters only (so
 * placeholders such as `arch/<name>/…` and globs are not), and either a `/`
 * or a file extension. Paths are relative to the repository root.
 */
function isRepoPath(span: string): boolean {
  return /^[\w.-]+(\/[\w.-]+)*\/?$/.test(span) && (span.includes('/') || /\.(ts|mts|mjs|js|json|md)$/.test(span));
}

const PATHS = [...new Set(codeSpans(README).filter(isRepoPath))];

describe('arch/README.md', () => {
  it('path extraction finds concrete paths and skips placeholders, commands and identifiers', () => {
    const sample = 'Edit `arch/arm32/table.ts`, `src/di/` and `package.json`; not `arch/<name>/abis/*.abi.ts`, `npm run pin:arm32`, `op.inner` or `ARM32_CODECS`.';
    expect(codeSpans(sample).filter(isRepoPath)).toEqual(['arch/arm32/table.ts', 'src/di/', 'package.json']);
  });

  it('names the files to touch for an instruction and for a backend', () => {
    for (const path of [
      'arch/arm32/table.ts',
      'arch/arm32/operands.ts',
      'arch/arm32/semantics/system.ts',
      'arch/arm32/semantics/index.ts',
      'arch/arm32/registers.ts',
      'arch/arm32/exceptions.ts',
      'arch/arm32/core.ts',
      'arch/arm32/backend.ts',
      'arch/arm32/module.ts',
      'src/di/container.ts',
      'test/arch/arm32/forms.ts',
      'test/arch/arm32/fixtures/encodings.json',
    ]) {
      expect(PATHS).toContain(path);
    }
    expect(README).toContain('`npm run pin:arm32`');
    expect(README).toContain('`arch/<name>/abis/*.abi.ts`');
  });

  it('every backticked path exists (a trailing / means a directory)', () => {
    const missing = PATHS.filter((path) => {
      const full = join(ROOT, path);
      if (!existsSync(full)) return true;
      return path.endsWith('/') !== statSync(full).isDirectory();
    });
    expect(missing).toEqual([]);
  });

  it('every npm script it names exists', () => {
    const scripts = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>);
    const named = [...README.matchAll(/`npm run ([\w:-]+)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it('mentions every arm32 source file, so a new file gets a line', () => {
    const files = [
      ...readdirSync(join(ROOT, 'arch/arm32')).filter((f) => f.endsWith('.ts')).map((f) => `arch/arm32/${f}`),
      ...readdirSync(join(ROOT, 'arch/arm32/semantics')).filter((f) => f.endsWith('.ts')).map((f) => `arch/arm32/semantics/${f}`),
    ];
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => !PATHS.includes(f))).toEqual([]);
  });
});
