/**
 * The state format pages of `abi-docs/state/`: one page per state format
 * and per further state page (the AArch32 ↔ AArch64 mapping), rendered from
 * their declarative descriptions ({@link FormatDoc}), plus an index of the
 * formats, VMM syncs and kernel operations.
 *
 * @module
 */

import type { ArchBackend } from '../interp/backend.ts';
import type { GeneratedPage } from './abi-docs.ts';
import { stateCatalog, type StateCatalog } from '../state/state-catalog.ts';
import type { FormatDoc } from '../state/state-format.ts';
import type { StateDocPage } from '../state/state-support.ts';

/** What the state pages are rendered from. */
export interface StateDocsInput {
  /** Every backend's formats, syncs and operations. */
  readonly catalog: StateCatalog;
  /** Further pages (mappings). */
  readonly pages: readonly StateDocPage[];
}

/** The directory of the state pages. */
export const STATE_DOCS_DIR = 'state';

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function renderDoc(title: string, doc: FormatDoc, lead: readonly string[]): string {
  const out: string[] = ['---', `title: "${title.replace(/"/g, '\\"')}"`, '---', '', `# ${title}`, '', ...lead.flatMap((line) => [line, '']), ...doc.intro.flatMap((line) => [line, ''])];
  for (const table of doc.tables) {
    if (table.rows.length === 0) continue;
    out.push(`## ${table.title}`, '', `| ${table.header.map(escapeCell).join(' | ')} |`, `|${table.header.map(() => '---').join('|')}|`);
    for (const row of table.rows) out.push(`| ${row.map((cell) => cell.replace(/\n/g, ' ')).join(' | ')} |`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The generated state pages, by path relative to the docs directory. */
export function renderStateDocs(input: StateDocsInput): readonly GeneratedPage[] {
  const formats = [...input.catalog.formats.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const pages = formats.map((format) => ({
    path: `${STATE_DOCS_DIR}/${format.id}.md`,
    content: renderDoc(format.title, format.docs(), [`Format id \`${format.id}\` (\`hyplay state export ARCH --format ${format.id}\`). Guests: ${format.guests.join(', ')}. Eras: ${format.eras.join(', ')}.`, 'Generated from the format description; see the [guide to the 2015 SPSR bug](../guides/spsr-migration.md) for the story and the commands.']),
  }));
  for (const page of input.pages) pages.push({ path: `${STATE_DOCS_DIR}/${page.id}.md`, content: renderDoc(page.title, page.doc, []) });
  const syncs = [...input.catalog.syncs.values()];
  const operations = [...input.catalog.operations.values()];
  const index: FormatDoc = {
    intro: ['CPU state formats, the VMM syncs between them and what the kernel does to the registers itself, each generated from its description in `arch/<arch>/state/`. `hyplay state formats` lists the same; `hyplay state export|import|migrate` runs them.'],
    tables: [
      { title: 'Formats', header: ['Format', 'Guests', 'Eras', 'Source'], rows: formats.map((f) => [`[${f.id}](${f.id}.md)`, f.guests.join(', '), f.eras.join(', '), f.source]) },
      { title: 'VMM syncs (`--via`)', header: ['Sync', 'Kernel format', 'Era', 'Correct', 'What'], rows: syncs.map(({ sync }) => [`\`${sync.id}\``, sync.kernel.id, sync.era, sync.correct ? 'yes' : 'no', `${sync.title} (${sync.source})`]) },
      { title: 'Kernel operations', header: ['Operation', 'Guests', 'What', 'Source'], rows: operations.map((o) => [`\`${o.id}\``, o.guests.join(', '), o.title, o.source]) },
      { title: 'Other pages', header: ['Page'], rows: input.pages.map((p) => [`[${p.title}](${p.id}.md)`]) },
    ],
  };
  pages.push({ path: `${STATE_DOCS_DIR}/index.md`, content: renderDoc('CPU state formats', index, []) });
  return pages;
}

/** The state docs input of `backends`: their catalog and their further pages. */
export function stateDocsInput(backends: readonly ArchBackend[]): StateDocsInput {
  return { catalog: stateCatalog(backends), pages: backends.flatMap((b) => b.state?.pages ?? []) };
}
