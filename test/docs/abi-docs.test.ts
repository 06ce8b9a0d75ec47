/**
 * The abi-docs renderer and its files: the committed pages match a fresh
 * rendering (the drift check), every era and call section keeps the fixed
 * field order of CONVENTIONS.md #4, the output is deterministic, and
 * regeneration touches only the files it generates, never `guides/`.
 */

import { stateDocsInput } from '../../src/docs/state-docs.ts';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AbiRegistry } from '../../src/abi/registry.ts';
import { defineAbi, type Abi, type AbiSpec } from '../../src/abi/spec.ts';
import { ABI_DOCS_DIR } from '../../src/cli/abi-commands.ts';
import { loadAbis, loadBackends } from '../../src/di/container.ts';
import { analyseCollisions } from '../../src/dispatch/collisions.ts';
import { checkAbiDocs, firstDifference, writeAbiDocs } from '../../src/docs/abi-docs-files.ts';
import { DOC_FIELDS, FEW_CALLS, MANIFEST_FILE, parseManifest, renderAbiDocs, renderCollisionsPage, renderEraSection, renderFamilyPage } from '../../src/docs/abi-docs.ts';

const TMP = mkdtempSync(join(tmpdir(), 'hyplay-abi-docs-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
let dirCount = 0;
function freshDir(): string {
  dirCount += 1;
  const dir = join(TMP, `docs-${dirCount}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const REGISTRY = loadAbis();
const PAGES = renderAbiDocs(REGISTRY, stateDocsInput(loadBackends().all()));

/** Two tiny specs of different families that collide on `hvc` r0 = 1, plus one that agrees. */
function toySpec(overrides: Partial<AbiSpec> & Pick<AbiSpec, 'id' | 'family'>): Abi {
  return defineAbi({
    arch: 'toy',
    era: 'v1',
    status: 'mainline',
    purpose: 'A toy ABI for the renderer tests.',
    source: { document: 'test/docs/abi-docs.test.ts', version: 'v1' },
    conduit: { instruction: 'hvc', imm: 'any' },
    origin: { privilege: ['kernel'], world: ['host'] },
    selector: { register: 'r0', width: 32 },
    priority: 0,
    calls: [
      { name: 'PING', select: 1n, summary: 'answer r0 ← 0', results: [{ register: 'r0', role: '0' }], run: (c) => (c.set('r0', 0n), { kind: 'return' }) },
      {
        name: 'JUMP',
        select: 2n,
        summary: 'branch to r1',
        args: [{ register: 'r1', role: 'target' }],
        clobbers: ['r2'],
        noReturn: true,
        run: (c) => ({ kind: 'jump', target: c.get('r1'), note: 'toy jump' }),
      },
    ],
    examples: [{ title: 'ping', registers: { r0: 1n }, call: 'PING' }],
    ...overrides,
  });
}

describe('the committed abi-docs pages', () => {
  it('match a fresh rendering of the shipped specs (run `npm run abi-docs` when this fails)', () => {
    const drift = checkAbiDocs(ABI_DOCS_DIR, PAGES);
    // Each message names the file and its first differing line.
    expect(drift.map((d) => d.message)).toEqual([]);
  });

  it('include an index, the collision report, a manifest and one page per family of every architecture', () => {
    const paths = PAGES.map((p) => p.path);
    expect(paths).toContain('index.md');
    expect(paths).toContain('collisions.md');
    expect(paths).toContain(MANIFEST_FILE);
    const families = new Set(REGISTRY.all().map((abi) => `${abi.spec.arch}/${abi.spec.family}.md`));
    expect(paths.filter((p) => p.includes('/') && !p.startsWith('state/')).sort()).toEqual([...families].sort());
    expect(paths).toContain('state/kvm-arm64-core.md');
    expect(paths).toContain('arm32/linux-hyp-stub.md');
    expect(paths).toEqual([...paths].sort());
  });

  it('list exactly the generated files in the manifest', () => {
    const manifest = PAGES.find((p) => p.path === MANIFEST_FILE)!;
    expect(parseManifest(manifest.content)).toEqual(PAGES.map((p) => p.path));
  });
});

describe('the drift check', () => {
  it('names the file and the first differing line, with both versions', () => {
    const dir = freshDir();
    writeAbiDocs(dir, PAGES);
    expect(checkAbiDocs(dir, PAGES)).toEqual([]);
    const page = join(dir, 'arm32', 'linux-hyp-stub.md');
    const lines = readFileSync(page, 'utf8').split('\n');
    const changed = lines.findIndex((line) => line.startsWith('| Status |'));
    lines[changed] = '| Status | edited by hand |';
    writeFileSync(page, lines.join('\n'));
    const drift = checkAbiDocs(dir, PAGES);
    expect(drift).toHaveLength(1);
    expect(drift[0]!.path).toBe('arm32/linux-hyp-stub.md');
    expect(drift[0]!.message).toMatch(new RegExp(`^arm32/linux-hyp-stub\\.md:${changed + 1}: differs from the specs`));
    expect(drift[0]!.message).toContain('found "| Status | edited by hand |"');
  });

  it('reports a missing page and a stale one the manifest still lists', () => {
    const dir = freshDir();
    writeAbiDocs(dir, PAGES);
    rmSync(join(dir, 'index.md'));
    writeFileSync(join(dir, 'arm32', 'gone.md'), 'old page\n');
    writeFileSync(join(dir, MANIFEST_FILE), `${readFileSync(join(dir, MANIFEST_FILE), 'utf8')}arm32/gone.md\n`);
    const messages = checkAbiDocs(dir, PAGES).map((d) => d.message);
    expect(messages).toContain('index.md: missing (run `npm run abi-docs`)');
    expect(messages).toContain('arm32/gone.md: generated earlier but no longer (run `npm run abi-docs` to remove it)');
    expect(messages.some((m) => m.startsWith(`${MANIFEST_FILE}:`))).toBe(true);
  });

  it('finds the first difference, including a shorter file', () => {
    expect(firstDifference('a\nb\n', 'a\nb\n')).toBeUndefined();
    expect(firstDifference('a\nb\nc', 'a\nx\nc')).toEqual({ line: 2, expected: 'b', actual: 'x' });
    expect(firstDifference('a\nb', 'a')).toEqual({ line: 2, expected: 'b', actual: '<end of file>' });
  });
});

describe('writing the pages', () => {
  it('writes every page, then leaves unchanged files alone', () => {
    const dir = freshDir();
    const first = writeAbiDocs(dir, PAGES);
    expect(first.written).toEqual(PAGES.map((p) => p.path));
    expect(first.removed).toEqual([]);
    for (const page of PAGES) expect(readFileSync(join(dir, page.path), 'utf8')).toBe(page.content);
    const second = writeAbiDocs(dir, PAGES);
    expect(second.written).toEqual([]);
    expect(second.unchanged).toEqual(PAGES.map((p) => p.path));
  });

  it('removes only stale generated files and never touches guides/ or unlisted files', () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'guides'), { recursive: true });
    mkdirSync(join(dir, 'arm32'), { recursive: true });
    writeFileSync(join(dir, 'guides', 'kexec.md'), 'hand-written\n');
    writeFileSync(join(dir, 'notes.md'), 'hand-written too\n');
    writeFileSync(join(dir, 'arm32', 'old-family.md'), 'generated long ago\n');
    writeFileSync(join(TMP, 'outside.md'), 'outside the docs\n');
    // A manifest that (wrongly) lists a guide and a path outside the directory must not make them removable.
    writeFileSync(join(dir, MANIFEST_FILE), ['# old', 'arm32/old-family.md', 'guides/kexec.md', '../outside.md', 'index.md'].join('\n'));
    const report = writeAbiDocs(dir, PAGES);
    expect(report.removed).toEqual(['arm32/old-family.md']);
    expect(existsSync(join(dir, 'arm32', 'old-family.md'))).toBe(false);
    expect(readFileSync(join(dir, 'guides', 'kexec.md'), 'utf8')).toBe('hand-written\n');
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('hand-written too\n');
    expect(existsSync(join(TMP, 'outside.md'))).toBe(true);
  });

  it('refuses a page that would land in guides/', () => {
    expect(() => writeAbiDocs(freshDir(), [{ path: 'guides/x.md', content: 'x' }])).toThrow(/refusing to write 'guides\/x.md'/);
  });
});

/** The first column of the `| Field | Value |` table that follows `heading`. */
function fieldTableAfter(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const header = lines.indexOf('| Field | Value |', start);
  const rows: string[] = [];
  for (let i = header + 2; i < lines.length && lines[i]!.startsWith('| '); i++) rows.push(lines[i]!.split(' | ')[0]!.slice(2));
  return rows;
}

/** The bold field names of the list that follows `heading`. */
function fieldListAfter(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('- **'); i++) out.push(/^- \*\*([^:]+):\*\*/.exec(lines[i]!)![1]!);
  return out;
}

describe('the fixed field order (CONVENTIONS.md #4)', () => {
  it('is Architecture, Status, Purpose, Registers in, Registers out, Clobbers, Returns, Notes', () => {
    expect(DOC_FIELDS).toEqual(['Architecture', 'Status', 'Purpose', 'Registers in', 'Registers out', 'Clobbers', 'Returns', 'Notes']);
  });

  it('holds for every era section of every shipped spec, and for every call of the smaller specs', () => {
    const inOrder = (fields: readonly string[]): string[] => DOC_FIELDS.filter((field) => fields.includes(field));
    for (const abi of REGISTRY.all()) {
      const section = renderEraSection(abi).join('\n');
      const era = fieldTableAfter(section, `## ${abi.spec.era}: ${abi.spec.id}`);
      expect(era).toEqual(inOrder(era));
      expect(era.slice(0, 4)).toEqual(['Architecture', 'Status', 'Purpose', 'Registers in']);
      if (abi.calls.length > FEW_CALLS) continue;
      for (const call of abi.calls) {
        const fields = fieldListAfter(section, `#### \`${call.spec.name}\` (${abi.spec.id})`);
        expect(fields).toEqual(inOrder(fields));
        expect(fields.slice(0, 5)).toEqual(['Purpose', 'Registers in', 'Registers out', 'Clobbers', 'Returns']);
      }
    }
  });

  it('says each call once: no era-level list of calls, no second table of the smaller specs, and no boilerplate per call', () => {
    for (const page of PAGES.filter((p) => p.path.includes('/'))) {
      expect(page.content).not.toContain('equal meanings and effects agree');
      const headings = page.content.split('\n').filter((line) => line.startsWith('#### '));
      expect(new Set(headings).size).toBe(headings.length);
    }
    const abi = REGISTRY.get('linux-hyp-stub-v4.12')!;
    const section = renderEraSection(abi).join('\n');
    for (const call of abi.calls) expect(section.split(`\`${call.spec.name}\``).length - 1).toBeLessThanOrEqual(2 + abi.spec.examples.filter((e) => e.call === call.spec.name).length);
  });

  it('fills each field of the v4.12 stub from its spec', () => {
    const abi = REGISTRY.get('linux-hyp-stub-v4.12')!;
    const section = renderEraSection(abi).join('\n');
    const row = (field: string): string => section.split('\n').find((line) => line.startsWith(`| ${field} |`))!;
    expect(row('Architecture')).toBe('| Architecture | arm32: `hvc`, any immediate, from kernel (host) |');
    expect(row('Status')).toBe('| Status | removed, era v4.12–v5.6 |');
    expect(row('Registers in')).toBe('| Registers in | r0 selects the call (32 bits) |');
    expect(row('Clobbers')).toBeUndefined();
    const call = (name: string): string => section.slice(section.indexOf(`#### \`${name}\``)).split('\n\n')[1]!;
    expect(call('HVC_SET_VECTORS')).toContain('- **Registers in:** r0 = 0x0; r1 = vectors');
    expect(call('HVC_SET_VECTORS')).toContain('- **Clobbers:** r1, r2, r3, r12');
    expect(call('HVC_SOFT_RESTART')).toContain('- **Registers out:** none: the call does not return');
    expect(call('HVC_SOFT_RESTART')).toContain('- **Returns:** does not return to the caller');
    expect(call('invalid')).toContain('- **Registers in:** r0 = otherwise (0x3–0xffffffff)');
    expect(section).toContain('**Source:** v4.12 tree (jason50123/linux-4.12 @d7bbb6bbf66c) arch/arm/kernel/hyp-stub.S and arch/arm/include/asm/virt.h (HVC_SET_VECTORS 0, HVC_SOFT_RESTART 1, HVC_RESET_VECTORS 2, HVC_STUB_HCALL_NR 3, HVC_STUB_ERR 0xbadca11); Documentation/virtual/kvm/arm/hyp-abi.txt (the v4.12 tree; a torvalds/linux copy @68c4f9c5) (describes v4.12).');
    expect(section).toContain('- **Purpose:** branch (bx r1) to r1 in Hyp mode, the kexec/kdump soft restart; does not return. The target sees r0 = 1 and r1 = the target, every other register as the caller left it');
    expect(section).toMatch(/\| kexec soft restart to the new kernel \| `hvc #0x0` \| r0=0x1, r1=0x80008000 \| kernel \(host\) \| `HVC_SOFT_RESTART` \| jumps to 0x80008000 in the hypervisor's mode, no return/);
  });
});

describe('family pages', () => {
  it('put the eras in chronological order of their source versions', () => {
    const page = PAGES.find((p) => p.path === 'arm32/linux-hyp-stub.md')!.content;
    const eras = page
      .split('\n')
      .filter((line) => line.startsWith('## '))
      .map((line) => line.slice(line.lastIndexOf(' ') + 1));
    expect(eras).toEqual(['linux-hyp-stub-v3.6', 'linux-hyp-stub-rmk', 'linux-hyp-stub-v4.12', 'linux-hyp-stub-v5.7', 'linux-hyp-stub-v5.7-zimage']);
  });

  it('cite the source and version of every era', () => {
    for (const abi of REGISTRY.all()) {
      const page = PAGES.find((p) => p.path === `${abi.spec.arch}/${abi.spec.family}.md`)!.content;
      expect(page).toContain(`**Source:** ${abi.spec.source.document} (describes ${abi.spec.source.version}).`);
    }
  });

  it('are deterministic: the same text twice, whatever order the specs come in', () => {
    const reversed = new AbiRegistry([...REGISTRY.all()].reverse(), REGISTRY.allowed);
    expect(renderAbiDocs(reversed, stateDocsInput(loadBackends().all()))).toEqual(PAGES);
    expect(renderAbiDocs(REGISTRY, stateDocsInput(loadBackends().all()))).toEqual(PAGES);
  });

  it('escape table cells and code-quote call names', () => {
    const abi = toySpec({ id: 'toy-pipe', family: 'toy', purpose: 'Has a | pipe\nand a line break.' });
    const page = renderFamilyPage('toy', 'toy', [abi]);
    expect(page).toContain('| Purpose | Has a \\| pipe and a line break. |');
    expect(page).toContain('#### `PING` (toy-pipe)');
    expect(page.startsWith('---\ntitle: "toy: toy"\n---\n')).toBe(true);
    expect(page.endsWith('\n')).toBe(true);
    expect(page.endsWith('\n\n')).toBe(false);
  });
});

describe('the collisions page', () => {
  it('has a section per collision with its witness, allow-list verdict and the dispatcher at the witness', () => {
    const a = toySpec({ id: 'toy-a', family: 'alpha' });
    const b = toySpec({
      id: 'toy-b',
      family: 'beta',
      calls: [{ name: 'OTHER', select: { min: 0n, max: 0xffn }, summary: 'claims r0 0..255', run: () => ({ kind: 'return' }) }],
      examples: [],
    });
    const registry = new AbiRegistry([a, b], [{ abis: ['toy-b', 'toy-a'], reason: 'toy overlap on purpose' }]);
    const page = renderCollisionsPage(registry);
    expect(page).toContain('| toy | `hvc` | 1 | 1 | 0 |');
    expect(page).toContain('## toy hvc: toy-a × toy-b');
    expect(page).toContain('| Specs | [toy-a](toy/alpha.md) × [toy-b](toy/beta.md) |');
    expect(page).toContain('| Calls at the witness | `PING` × `OTHER` |');
    expect(page).toContain('| Overlapping call pairs | 2 |');
    expect(page).toContain('| Witness | `hvc #0` from kernel (host) with r0=0x1 |');
    expect(page).toContain('| Allowed | yes: toy overlap on purpose |');
    expect(page).toContain('| Dispatcher verdict at the witness | `collision` |');
    expect(page).toContain('| `toy-a` | `PING` | r0 ← 0x0; returns |');
    expect(page).toContain('| `toy-b` | `OTHER` | returns |');
  });

  it('lists stale allow-list entries and says when nothing collides', () => {
    const registry = new AbiRegistry([toySpec({ id: 'toy-a', family: 'alpha' })], [{ abis: ['toy-a', 'toy-z'], reason: 'gone' }]);
    const page = renderCollisionsPage(registry);
    expect(page).toContain('No collisions between the shipped specs.');
    expect(page).toContain('## Stale allow-list entries');
    expect(page).toContain('- `toy-a` × `toy-z`: gone (no longer overlaps)');
  });

  it('covers every collision of the shipped specs, with its allow-list answer', () => {
    const page = PAGES.find((p) => p.path === 'collisions.md')!.content;
    const report = analyseCollisions(REGISTRY);
    expect(report.collisions.length).toBeGreaterThan(0);
    for (const c of report.collisions) {
      const heading = `## ${c.arch} ${c.conduit}: ${c.abis[0]} × ${c.abis[1]}`;
      expect(page).toContain(heading);
      const section = page.slice(page.indexOf(heading)).split('\n## ')[0]!;
      expect(section).toContain(c.allowed ? `| Allowed | yes: ${c.reason}` : '| Allowed | no: not on the allow-list |');
    }
    expect(page.split('\n').filter((line) => line.startsWith('## ') && line.includes(' × ')).length).toBe(report.collisions.length);
  });
});
