/**
 * The import rules of DESIGN.md ("Rules of the house"), checked over every
 * `.ts` file under `src/` and `arch/`:
 * - nothing in `src/` imports `arch/`, except the composition root `src/di/`;
 * - a backend never imports another backend;
 * - only `src/di/` and each `arch/<name>/module.ts` import inversify.
 *
 * Import specifiers are read with a regular expression over
 * `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`.
 * A self-check proves the scanner finds imports that are known to exist, and
 * the rules are run against made-up violations, so the test cannot pass
 * vacuously.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** One import: the importing file and the specifier, both as written, plus the target relative to the root for relative specifiers. */
interface ImportEdge {
  /** Importing file, relative to the repository root, with `/` separators. */
  readonly from: string;
  /** The specifier as written. */
  readonly specifier: string;
  /** For a relative specifier, the imported file relative to the root; otherwise the package name. */
  readonly target: string;
}

/** Every static, re-export, side-effect and dynamic import specifier in `source`. */
function importSpecifiers(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const out: string[] = [];
  const patterns = [
    // import x from '…', import { a, b } from '…' (across lines), import type …, export … from '…'
    /(?:^|[;\s])(?:import|export)\s[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/g,
    // import '…' (side effect)
    /(?:^|[;\s])import\s*['"]([^'"]+)['"]/g,
    // import('…') (dynamic)
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of withoutComments.matchAll(pattern)) out.push(match[1]!);
  return out;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function edgesOf(file: string, source: string): ImportEdge[] {
  const from = toPosix(relative(ROOT, file));
  return importSpecifiers(source).map((specifier) => ({
    from,
    specifier,
    target: specifier.startsWith('.') ? toPosix(relative(ROOT, resolve(dirname(file), specifier))) : packageName(specifier),
  }));
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The backend a repository path belongs to (`arch/<name>/…`), or `undefined`. */
function backendOf(path: string): string | undefined {
  const match = /^arch\/([^/]+)\//.exec(path);
  return match === null ? undefined : match[1];
}

/** Every violation of the import rules among `edges`, one line each. */
function violations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  for (const edge of edges) {
    const { from, target, specifier } = edge;
    if (from.startsWith('src/') && !from.startsWith('src/di/') && target.startsWith('arch/')) {
      out.push(`${from} imports '${specifier}': only src/di/ may import arch/`);
    }
    const fromBackend = backendOf(from);
    const toBackend = backendOf(target);
    if (fromBackend !== undefined && toBackend !== undefined && fromBackend !== toBackend) {
      out.push(`${from} imports '${specifier}': backend ${fromBackend} imports backend ${toBackend}`);
    }
    const inversifyAllowed = from.startsWith('src/di/') || /^arch\/[^/]+\/module\.ts$/.test(from);
    if (target === 'inversify' && !inversifyAllowed) {
      out.push(`${from} imports inversify: only src/di/ and arch/<name>/module.ts may`);
    }
  }
  return out;
}

const FILES = [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'arch'))];
const EDGES = FILES.flatMap((file) => edgesOf(file, readFileSync(file, 'utf8')));

describe('import scanner (self-check)', () => {
  it('reads every import form, across lines, and ignores comments', () => {
    const source = [
      "import { a,",
      "  b } from './multi-line.ts';",
      "import type { T } from '../types.ts';",
      "import * as ns from \"node:fs\";",
      "import './side-effect.ts';",
      "export { c } from './re-export.ts';",
      "export * from '@scope/pkg/sub';",
      "const m = await import('./dynamic.ts');",
      "// import { x } from './commented.ts';",
      "/* import y from './block-commented.ts'; */",
      "const s = 'from ./not-an-import.ts';",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(['../types.ts', './dynamic.ts', './multi-line.ts', './re-export.ts', './side-effect.ts', '@scope/pkg/sub', 'node:fs'].sort());
  });

  it('finds imports known to exist in the tree', () => {
    const has = (from: string, target: string): boolean => EDGES.some((e) => e.from === from && e.target === target);
    expect(FILES.length).toBeGreaterThan(20);
    expect(has('src/di/container.ts', 'arch/arm32/module.ts')).toBe(true);
    expect(has('src/di/container.ts', 'inversify')).toBe(true);
    expect(has('arch/arm32/module.ts', 'inversify')).toBe(true);
    expect(has('arch/arm32/module.ts', 'src/di/tokens.ts')).toBe(true);
    expect(has('arch/arm32/table.ts', 'src/isa/instruction-table.ts')).toBe(true);
    expect(has('src/cli/hyplay.ts', 'src/cli/main.ts')).toBe(true); // dynamic import
    expect(has('src/cli/main.ts', 'commander')).toBe(true);
    // Every relative import resolves to a file that exists (so targets are computed right).
    const missing = EDGES.filter((e) => e.specifier.startsWith('.') && !FILES.some((f) => toPosix(relative(ROOT, f)) === e.target));
    expect(missing.map((e) => `${e.from} -> ${e.specifier}`)).toEqual([]);
  });

  it('reports made-up violations of each rule', () => {
    const edge = (from: string, target: string): ImportEdge => ({ from, target, specifier: target });
    expect(
      violations([
        edge('src/cli/main.ts', 'arch/arm32/table.ts'),
        edge('arch/arm64/core.ts', 'arch/arm32/registers.ts'),
        edge('src/interp/machine.ts', 'inversify'),
        edge('arch/arm32/backend.ts', 'inversify'),
        edge('arch/arm32/sub/module.ts', 'inversify'),
        // allowed
        edge('src/di/container.ts', 'arch/arm32/module.ts'),
        edge('src/di/tokens.ts', 'inversify'),
        edge('arch/arm32/module.ts', 'inversify'),
        edge('arch/arm32/core.ts', 'arch/arm32/registers.ts'),
        edge('arch/arm32/core.ts', 'src/interp/machine.ts'),
      ]),
    ).toEqual([
      "src/cli/main.ts imports 'arch/arm32/table.ts': only src/di/ may import arch/",
      "arch/arm64/core.ts imports 'arch/arm32/registers.ts': backend arm64 imports backend arm32",
      'src/interp/machine.ts imports inversify: only src/di/ and arch/<name>/module.ts may',
      'arch/arm32/backend.ts imports inversify: only src/di/ and arch/<name>/module.ts may',
      'arch/arm32/sub/module.ts imports inversify: only src/di/ and arch/<name>/module.ts may',
    ]);
  });
});

describe('layering (DESIGN.md rules of the house)', () => {
  it('nothing in src/ imports arch/ except src/di/, no backend imports another, only src/di/ and arch/*/module.ts import inversify', () => {
    expect(violations(EDGES)).toEqual([]);
  });
});
