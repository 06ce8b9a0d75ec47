/**
 * The spec → Markdown renderer behind `abi-docs/`: one page per ABI family
 * and architecture (`<arch>/<family>.md`), an index (`index.md`), the
 * collision report (`collisions.md`), the design-cost comparison of the specs
 * that declare an {@link AbiRecognition} (`design-cost.md`) and a manifest of
 * every generated file.
 *
 * Every era and every call is written in the fixed field order of
 * CONVENTIONS.md #4 ({@link DOC_FIELDS}), in the style of the kernel's
 * `Documentation/virt/kvm/arm/hyp-abi.rst` and `x86/hypercalls.rst`. The
 * output is a pure function of the registry: sorted, no timestamps, no paths
 * of the machine it ran on, so the committed pages can be compared with a
 * fresh rendering.
 *
 * @module
 */

import { renderStateDocs, type StateDocsInput } from './state-docs.ts';
import { createRequire } from 'node:module';
import type { AbiRegistry } from '../abi/registry.ts';
import { exampleTrap, selectsByImmediate, type Abi, type AbiExample, type AbiRecognition, type AbiSpec, type CallSpec, type RecognitionInput, type ResolvedCall } from '../abi/spec.ts';
import { hexValue } from '../abi/value-set.ts';
import { analyseCollisions, type Collision, type CollisionReport } from '../dispatch/collisions.ts';
import { dispatch, interpret } from '../dispatch/dispatcher.ts';

/** The fields of every era and call section, in the order CONVENTIONS.md #4 fixes. */
export const DOC_FIELDS = ['Architecture', 'Status', 'Purpose', 'Registers in', 'Registers out', 'Clobbers', 'Returns', 'Notes'] as const;

/** One field name of {@link DOC_FIELDS}. */
export type DocField = (typeof DOC_FIELDS)[number];

/** A field section's values, one per field. */
export type DocFields = Readonly<Record<DocField, string>>;

/** One generated file, its path relative to the `abi-docs/` directory (always `/`-separated). */
export interface GeneratedPage {
  /** Path relative to `abi-docs/`, e.g. `arm32/linux-hyp-stub.md`. */
  readonly path: string;
  /** The whole file. */
  readonly content: string;
}

/** Name of the manifest that lists every generated file, so that regeneration removes only its own stale files. */
export const MANIFEST_FILE = 'generated-files.txt';

/** The directory of hand-written guides inside `abi-docs/`: never generated, never touched. */
export const GUIDES_DIR = 'guides';

const BANNER = '<!-- Generated from the ABI specs by `npm run abi-docs`. Do not edit: change the spec and regenerate. -->';

/** Code-point order, independent of the locale (deterministic output everywhere). */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A Markdown table cell: no pipes or line breaks. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

function code(text: string): string {
  return `\`${text}\``;
}

/** `Foo bar` from a list, `none` when empty. */
function listOrNone(items: readonly string[]): string {
  return items.length === 0 ? 'none' : items.join('; ');
}

/** Sort key of an era: the first `vMAJOR.MINOR` of its source version (chronological), then the id. */
function eraOrder(a: Abi, b: Abi): number {
  const version = (abi: Abi): readonly number[] => {
    const match = /v?(\d+)\.(\d+)/.exec(abi.spec.source.version);
    return match === null ? [Number.MAX_SAFE_INTEGER, 0] : [Number(match[1]), Number(match[2])];
  };
  const [am, an] = version(a);
  const [bm, bn] = version(b);
  return am! - bm! || an! - bn! || byText(a.spec.id, b.spec.id);
}

/** The page path of a family: `<arch>/<family>.md`. */
export function familyPagePath(arch: string, family: string): string {
  return `${arch}/${family}.md`;
}

/** One family on one architecture, with its eras. */
export interface FamilyEras {
  /** Architecture. */
  readonly arch: string;
  /** Family. */
  readonly family: string;
  /** Its eras, oldest first. */
  readonly eras: readonly Abi[];
}

/** The families, per architecture, each with its eras in chronological order. Sorted by architecture, then family. */
export function familiesOf(registry: AbiRegistry): readonly FamilyEras[] {
  const groups = new Map<string, { arch: string; family: string; eras: Abi[] }>();
  for (const abi of registry.all()) {
    const key = `${abi.spec.arch}\u0000${abi.spec.family}`;
    const group = groups.get(key) ?? { arch: abi.spec.arch, family: abi.spec.family, eras: [] };
    group.eras.push(abi);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => byText(a.arch, b.arch) || byText(a.family, b.family)).map((g) => ({ ...g, eras: [...g.eras].sort(eraOrder) }));
}

function immText(abi: Abi): string {
  return abi.spec.conduit.imm === 'any' ? 'any immediate' : `immediate ${abi.imm.toString()}`;
}

function callersText(spec: AbiSpec): string {
  return `${spec.origin.privilege.join('/')} (${spec.origin.world.join('/')})`;
}

/** The conduit and callers, one line: ``arm32: `hvc`, any immediate, from kernel (host)``. */
export function architectureText(abi: Abi): string {
  return `${abi.spec.arch}: ${code(abi.spec.conduit.instruction)}, ${immText(abi)}, from ${callersText(abi.spec)}`;
}

/** Selector values of a resolved call, with `otherwise` spelled out. */
export function selectText(call: ResolvedCall): string {
  return call.spec.select === 'otherwise' ? `otherwise (${call.values.toString()})` : call.values.toString();
}

function conditionTexts(abi: Abi): string[] {
  return (abi.spec.conditions ?? []).map((c) => `${c.register}${c.width === undefined ? '' : c.width === 1 ? ' bit 0' : ` bits ${c.width - 1}:0`} ∈ {${abi.conditions.get(c.register)!.toString()}} (${c.why})`);
}

/**
 * Specs with more calls than this (system call tables) get their calls in
 * the call table only: the era's fields count calls instead of naming them,
 * and there is no field list per call.
 */
export const FEW_CALLS = 16;

/** The most frequent text among `texts`, with how often it occurs (ties: the first seen). */
function mostCommon(texts: readonly string[]): { text: string; count: number } | undefined {
  const counts = new Map<string, number>();
  for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
  let best: { text: string; count: number } | undefined;
  for (const [text, count] of counts) if (best === undefined || count > best.count) best = { text, count };
  return best;
}

function rolesText(roles: readonly { register: string; role: string }[] | undefined): string {
  return listOrNone((roles ?? []).map((r) => `${r.register}: ${r.role}`));
}

/** The results most calls of a big spec share: said once for the era, and only the calls that differ say theirs. */
function commonResults(abi: Abi): string | undefined {
  if (abi.calls.length <= FEW_CALLS) return undefined;
  const common = mostCommon(abi.calls.filter((c) => c.spec.noReturn !== true).map((c) => rolesText(c.spec.results)));
  return common !== undefined && common.count * 2 > abi.calls.length ? common.text : undefined;
}

/** How the selector picks the call, one line. */
function selectorText(abi: Abi): string {
  const { spec } = abi;
  return selectsByImmediate(spec) ? "the trap's immediate selects the call" : `${spec.selector.register} selects the call (${spec.selector.width} bits)`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?)]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * The era-level fields of a spec, in {@link DOC_FIELDS} order. Only what holds
 * for the whole era is said here (who may call it and how, what selects the
 * call, the notes); what differs per call is said once, with the call. A big
 * spec (more than {@link FEW_CALLS} calls) also says here the results most of
 * its calls share, so that its call table need not repeat them.
 */
export function eraFields(abi: Abi): Partial<DocFields> {
  const { spec } = abi;
  const common = commonResults(abi);
  const notes = [...(spec.priority === 0 ? [] : [`Dispatch priority ${spec.priority} (higher is consulted first).`]), ...(spec.notes ?? [])].map(sentence);
  return {
    Architecture: architectureText(abi),
    Status: `${spec.status}, era ${spec.era}`,
    Purpose: spec.purpose,
    'Registers in': [selectorText(abi), ...conditionTexts(abi)].join('; '),
    ...(common === undefined ? {} : { 'Registers out': `${common} (every call whose row below gives no results of its own)` }),
    ...(notes.length === 0 ? {} : { Notes: notes.join(' ') }),
  };
}

/**
 * The fields of one call, in {@link DOC_FIELDS} order. Architecture and
 * Status are the era's (said once above the calls) and are left out; Notes
 * appear only when there is something to note.
 */
export function callFields(abi: Abi, call: ResolvedCall): Partial<DocFields> {
  const { spec } = abi;
  const c = call.spec;
  const selected = selectsByImmediate(spec) ? `immediate ${selectText(call)}` : `${spec.selector.register} = ${selectText(call)}`;
  const inputs = [selected, ...(c.args ?? []).map((a) => `${a.register} = ${a.role}`)];
  return {
    Purpose: c.summary,
    'Registers in': inputs.join('; '),
    'Registers out': c.noReturn === true ? 'none: the call does not return' : listOrNone((c.results ?? []).map((r) => `${r.register} = ${r.role}`)),
    Clobbers: (c.clobbers ?? []).length === 0 ? 'none' : c.clobbers!.join(', '),
    Returns: c.noReturn === true ? 'does not return to the caller' : 'returns to the caller',
    ...(c.meaning === undefined || c.meaning === c.name ? {} : { Notes: `the dispatcher compares it as ${code(c.meaning)}` }),
  };
}

function fieldTable(fields: Partial<DocFields>): string[] {
  return table(
    ['Field', 'Value'],
    DOC_FIELDS.filter((field) => fields[field] !== undefined).map((field) => [field, fields[field]!]),
  );
}

function fieldList(fields: Partial<DocFields>): string[] {
  return DOC_FIELDS.filter((field) => fields[field] !== undefined).map((field) => `- **${field}:** ${fields[field]!.replace(/\r?\n/g, ' ')}`);
}

function registersText(registers: Readonly<Record<string, bigint>>, width: number): string {
  const entries = Object.entries(registers);
  return entries.length === 0 ? 'all zero' : entries.map(([r, v]) => `${r}=${hexValue(BigInt.asUintN(width, v))}`).join(', ');
}

/** The call table of a big spec: one row per call, with only the columns some call needs. */
function callTable(abi: Abi): string[] {
  const common = commonResults(abi);
  const results = (c: CallSpec): string => (c.noReturn === true ? '' : rolesText(c.results) === common ? '' : rolesText(c.results));
  const columns: { header: string; value: (c: CallSpec) => string }[] = [
    { header: selectsByImmediate(abi.spec) ? 'Immediate' : abi.spec.selector.register, value: () => '' },
    { header: 'Call', value: (c) => code(c.name) },
    { header: 'Arguments', value: (c) => rolesText(c.args) },
  ];
  if (abi.calls.some((c) => results(c.spec) !== '')) columns.push({ header: 'Results', value: results });
  if (abi.calls.some((c) => (c.spec.clobbers ?? []).length > 0)) columns.push({ header: 'Clobbers', value: (c) => (c.clobbers ?? []).join(', ') });
  if (abi.calls.some((c) => c.spec.noReturn === true)) columns.push({ header: 'Returns', value: (c) => (c.noReturn === true ? 'does not return' : '') });
  columns.push({ header: 'Summary', value: (c) => c.summary });
  return table(
    columns.map((c) => c.header),
    abi.calls.map((call) => [selectText(call), ...columns.slice(1).map((column) => column.value(call.spec))]),
  );
}

/**
 * One era as Markdown: the era's fields, its source, each call once (a field
 * list per call, or one table row per call for a big spec) and the examples,
 * each run through the dispatcher's interpretation of this spec alone. `level`
 * is the heading level of the era (2 on a family page).
 */
export function renderEraSection(abi: Abi, level = 2): string[] {
  const { spec } = abi;
  const h = (extra: number): string => '#'.repeat(level + extra);
  const out: string[] = [`${h(0)} ${spec.era}: ${spec.id}`, ''];
  out.push(...fieldTable(eraFields(abi)), '');
  out.push(`**Source:** ${spec.source.document} (describes ${spec.source.version}).${spec.source.note === undefined ? '' : ` ${spec.source.note}`}`, '');
  if (spec.recognition !== undefined) out.push(`**Design cost:** ${recognitionText(spec.recognition)} See [design cost](../${DESIGN_COST_PAGE}).`, '');

  out.push(`${h(1)} Calls of ${spec.id}`, '');
  if (abi.calls.length <= FEW_CALLS) {
    for (const call of abi.calls) out.push(`${h(2)} ${code(call.spec.name)} (${spec.id})`, '', ...fieldList(callFields(abi, call)), '');
  } else {
    out.push(...callTable(abi), '');
  }

  out.push(`${h(1)} Examples of ${spec.id}`, '');
  const rows = spec.examples.map((example) => {
    const trap = exampleTrap(abi, example);
    const { origin } = trap;
    const result = interpret(abi, { arch: spec.arch, conduit: spec.conduit.instruction, imm: trap.imm, privilege: origin.privilege, world: origin.world, registers: trap.registers });
    if (!result.mine || result.call !== example.call) {
      throw new Error(`ABI spec '${spec.id}': example '${example.title}' reaches ${result.call ?? 'nothing'} (${result.effect}), not '${example.call}'`);
    }
    return [example.title, code(`${spec.conduit.instruction} #0x${trap.imm.toString(16)}`), registersText(example.registers, spec.selector.width), `${origin.privilege} (${origin.world})`, code(example.call), result.effect];
  });
  out.push(...(rows.length === 0 ? ['No examples.'] : table(['Example', 'Trap', 'Registers', 'From', 'Call', 'Effect'], rows)), '');
  return out;
}

function frontmatter(title: string): string[] {
  return ['---', `title: ${JSON.stringify(title)}`, '---', '', BANNER, ''];
}

/**
 * How the eras of a family answer the same traps: the examples that every
 * era of the family has (same title, same registers) and on which at least
 * two eras differ, each run through each era's spec, one row per example and
 * era. Empty for a family of one era or where no shared example tells the
 * eras apart.
 */
export function renderEraComparison(eras: readonly Abi[]): string[] {
  if (eras.length < 2) return [];
  const key = (example: AbiExample): string => `${example.title}\u0000${Object.entries(example.registers).map(([r, v]) => `${r}=${v.toString(16)}`).join(',')}`;
  const shared = eras[0]!.spec.examples.filter((example) => eras.every((abi) => abi.spec.examples.some((other) => key(other) === key(example))));
  if (shared.length === 0) return [];
  const rows: string[][] = [];
  for (const example of shared) {
    const answers = eras.map((abi) => {
      const trap = exampleTrap(abi, abi.spec.examples.find((other) => key(other) === key(example))!);
      const result = interpret(abi, { arch: abi.spec.arch, conduit: abi.spec.conduit.instruction, imm: trap.imm, privilege: trap.origin.privilege, world: trap.origin.world, registers: trap.registers });
      return [example.title, `${abi.spec.era} (${code(abi.spec.id)})`, code(result.call ?? 'none'), result.effect];
    });
    // Only where the eras differ: a trap every era answers alike says nothing about the eras.
    if (new Set(answers.map((answer) => answer[3])).size > 1) rows.push(...answers);
  }
  if (rows.length === 0) return [];
  return ['## The eras on the same traps', '', 'Each example every era of the family has and the eras answer differently, run through each era (the dispatcher has no guest memory: reads give 0).', '', ...table(['Example', 'Era', 'Call', 'Effect'], rows), ''];
}

/** A family's page: an era overview, then one section per era, oldest first. */
export function renderFamilyPage(arch: string, family: string, eras: readonly Abi[]): string {
  const out: string[] = [...frontmatter(`${arch}: ${family}`), `# ${family} (${arch})`, ''];
  out.push(
    `The ${code(family)} ABI on ${arch}, one section per era. Fields keep the fixed order ${DOC_FIELDS.join(', ')}: an era says once what holds for all its calls (Architecture, Status, Purpose, what selects the call, Notes), and each call then says only its own fields. Two specs agree on a trap when their calls have the same meaning (the call name unless a call's Notes say otherwise) and the same effect; otherwise they collide. Back to the [index](../index.md); overlaps with other families are in [collisions](../collisions.md).`,
    '',
  );
  out.push(
    ...table(
      ['Era', 'Spec', 'Status', 'Conduit', 'Source version', 'Calls'],
      eras.map((abi) => [abi.spec.era, code(abi.spec.id), abi.spec.status, `${code(abi.spec.conduit.instruction)} (${immText(abi)})`, abi.spec.source.version, String(abi.calls.length)]),
    ),
    '',
  );
  out.push(...renderEraComparison(eras));
  for (const abi of eras) out.push(...renderEraSection(abi, 2));
  return `${out.join('\n').trimEnd()}\n`;
}

function witnessText(collision: Collision): string {
  const registers = Object.entries(collision.witness.registers)
    .map(([r, v]) => `${r}=${v}`)
    .join(', ');
  const { origin } = collision.witness;
  return `${code(`${collision.conduit} #${collision.witness.imm}`)} from ${origin.privilege} (${origin.world}) with ${registers === '' ? 'all registers zero' : registers}`;
}

/** The collision report: a summary per conduit, then each colliding pair with its witness and what the dispatcher says for it. */
export function renderCollisionsPage(registry: AbiRegistry, report: CollisionReport = analyseCollisions(registry)): string {
  const out: string[] = [...frontmatter('ABI collisions'), '# ABI collisions', ''];
  out.push(
    'Every pair of specs of different families on one architecture and conduit whose selectors intersect, found by intersecting their selector regions (immediate, caller, selector and condition registers). Each overlap has a witness: one trap both claim. Intended overlaps are on the allow-list with a reason; the others are real conflicts between the ABIs. Eras of one family replace each other and are not paired. Back to the [index](index.md).',
    '',
  );
  const counts = new Map<string, { total: number; allowed: number }>();
  for (const c of report.collisions) {
    const key = `${c.arch}\u0000${c.conduit}`;
    const entry = counts.get(key) ?? { total: 0, allowed: 0 };
    entry.total += 1;
    if (c.allowed) entry.allowed += 1;
    counts.set(key, entry);
  }
  out.push('## Summary', '');
  if (counts.size === 0) out.push('No collisions between the shipped specs.', '');
  else {
    const rows = [...counts].sort(([a], [b]) => byText(a, b)).map(([key, n]) => {
      const [arch, conduit] = key.split('\u0000') as [string, string];
      return [arch, code(conduit), String(n.total), String(n.allowed), String(n.total - n.allowed)];
    });
    out.push(...table(['Architecture', 'Conduit', 'Collisions', 'Allowed', 'Not allowed'], rows), '');
  }
  if (report.stale.length > 0) {
    out.push('## Stale allow-list entries', '', ...report.stale.map((s) => `- ${code(s.abis[0])} × ${code(s.abis[1])}: ${s.reason} (no longer overlaps)`), '');
  }
  const sorted = [...report.collisions].sort((a, b) => byText(a.arch, b.arch) || byText(a.conduit, b.conduit) || byText(a.abis[0], b.abis[0]) || byText(a.abis[1], b.abis[1]));
  for (const c of sorted) {
    const pages = c.abis.map((id) => {
      const abi = registry.get(id)!;
      return `[${id}](${familyPagePath(abi.spec.arch, abi.spec.family)})`;
    });
    out.push(`## ${c.arch} ${c.conduit}: ${c.abis[0]} × ${c.abis[1]}`, '');
    const answer = dispatch(registry, {
      arch: c.arch,
      conduit: c.conduit,
      imm: c.witness.imm,
      privilege: c.witness.origin.privilege,
      world: c.witness.origin.world,
      registers: Object.fromEntries(Object.entries(c.witness.registers).map(([r, v]) => [r, BigInt(v)])),
    });
    out.push(
      ...table(
        ['Field', 'Value'],
        [
          ['Specs', pages.join(' × ')],
          ['Calls at the witness', `${code(c.calls[0])} × ${code(c.calls[1])}`],
          ['Overlapping call pairs', String(c.overlaps)],
          ['Witness', witnessText(c)],
          ['Allowed', c.allowed ? `yes: ${c.reason ?? ''}` : 'no: not on the allow-list'],
          ['Dispatcher verdict at the witness', code(answer.verdict)],
        ],
      ),
      '',
    );
    out.push(
      `What every spec on ${code(c.conduit)} makes of the witness:`,
      '',
      ...table(
        ['Spec', 'Call', 'Effect'],
        answer.interpretations.filter((i) => i.mine).map((i) => [code(i.abi), code(i.call!), i.effect]),
      ),
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The page comparing the design cost of every spec that declares one. */
export const DESIGN_COST_PAGE = 'design-cost.md';

/** What a hypervisor inspects, in words. */
const INSPECTS_TEXT: Readonly<Record<RecognitionInput, string>> = {
  immediate: "the trap's immediate (or level field)",
  'magic-registers': 'magic register values',
  privilege: "the caller's privilege",
  pc: 'the trapping address (PC)',
  'instruction-fetch': 'a fetch of the trapping instruction',
};

/** A spec's design cost as one sentence group. */
export function recognitionText(recognition: AbiRecognition): string {
  const given = recognition.registersGivenUp;
  return `to recognise a call the hypervisor inspects ${recognition.inspects.map((i) => INSPECTS_TEXT[i]).join(', ')}; the guest gives up ${given} register${given === 1 ? '' : 's'}; ordinary syscalls slower? ${recognition.slowsSyscalls.trim().replace(/[.]$/, '')}.`;
}

/** The design-cost page: every spec with a {@link AbiRecognition}, per architecture and conduit. */
export function renderDesignCostPage(registry: AbiRegistry): string {
  const out: string[] = [...frontmatter('Design cost'), '# Design cost', ''];
  out.push(
    'What each hypercall design costs, for the specs that declare it: what the hypervisor must inspect to tell one of its calls from anything else on the same conduit (the immediate or level field, magic registers, the privilege, the trapping address, or a fetch of the trapping instruction), how many registers the guest gives up to that, and whether ordinary system calls get slower. Back to the [index](index.md).',
    '',
  );
  const specs = registry
    .all()
    .filter((abi) => abi.spec.recognition !== undefined)
    .sort((a, b) => byText(a.spec.arch, b.spec.arch) || byText(a.spec.conduit.instruction, b.spec.conduit.instruction) || byText(a.spec.id, b.spec.id));
  if (specs.length === 0) out.push('No spec declares its design cost.', '');
  else {
    out.push(
      ...table(
        ['Architecture', 'Conduit', 'Spec', 'Status', 'Inspects', 'Registers given up', 'Ordinary syscalls slower?'],
        specs.map((abi) => {
          const r = abi.spec.recognition!;
          return [
            abi.spec.arch,
            code(abi.spec.conduit.instruction),
            `[${abi.spec.id}](${familyPagePath(abi.spec.arch, abi.spec.family)})`,
            abi.spec.status,
            r.inspects.map((i) => INSPECTS_TEXT[i]).join(', '),
            String(r.registersGivenUp),
            r.slowsSyscalls,
          ];
        }),
      ),
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The index: every family per architecture with its eras, and the collision count. */
export function renderIndexPage(registry: AbiRegistry, report: CollisionReport = analyseCollisions(registry)): string {
  const out: string[] = [...frontmatter('ABI documentation'), '# ABI documentation', ''];
  out.push(
    'Generated from the executable ABI specs in `arch/<arch>/abis/*.abi.ts`: the same objects the dispatcher, the spec firmware and the conformance tests run. One page per family and architecture, one section per era. Fields keep the fixed order Architecture, Status, Purpose, Registers in, Registers out, Clobbers, Returns, Notes: an era says once what holds for all its calls, then each call gives its own registers, clobbers and return, and runnable examples close the era. Hand-written guides live beside these pages in `guides/` (start with [kexec vs kdump](guides/kexec-vs-kdump.md)); the command line that runs all of this is in the project README.',
    '',
  );
  const families = familiesOf(registry);
  if (families.length === 0) out.push('No ABI specs are registered.', '');
  else {
    out.push(
      ...table(
        ['Architecture', 'Family', 'Conduit', 'Eras'],
        families.map(({ arch, family, eras }) => [
          arch,
          `[${family}](${familyPagePath(arch, family)})`,
          [...new Set(eras.map((e) => code(e.spec.conduit.instruction)))].join(', '),
          eras.map((e) => `${e.spec.era} (${e.spec.status})`).join('; '),
        ]),
      ),
      '',
    );
  }
  const unallowed = report.collisions.filter((c) => !c.allowed).length;
  out.push(
    `[Collisions](collisions.md): ${report.collisions.length} colliding pair${report.collisions.length === 1 ? '' : 's'} of specs, ${report.collisions.length - unallowed} allowed, ${unallowed} not allowed${report.stale.length === 0 ? '' : `, ${report.stale.length} stale allow-list entr${report.stale.length === 1 ? 'y' : 'ies'}`}.`,
    '',
  );
  if (registry.all().some((abi) => abi.spec.recognition !== undefined)) out.push(`[Design cost](${DESIGN_COST_PAGE}): what recognising a call costs each design that declares it.`, '');
  return `${out.join('\n').trimEnd()}\n`;
}

const requireBuiltin = createRequire(import.meta.url);

/** SHA-256 of a page's content, lowercase hex: what the manifest records for each page. */
export function contentHash(content: string): string {
  // node:crypto is required here, on first use: importing it costs every command that loads this module (all of them) about 10 ms.
  const { createHash } = requireBuiltin('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/**
 * The manifest: one line per generated file, sorted, in `sha256sum` form
 * (`<sha-256>  <path>`), itself listed by path alone. Regeneration
 * overwrites or removes a file only when the manifest lists it and its
 * content still has the recorded hash.
 */
function renderManifest(pages: readonly GeneratedPage[]): string {
  const lines = [...pages.map((p) => `${contentHash(p.content)}  ${p.path}`), MANIFEST_FILE].sort((a, b) => byText(manifestPath(a), manifestPath(b)));
  return `${['# Files written by `npm run abi-docs`, with the SHA-256 of what was written; regeneration changes or removes only files listed here and unchanged since. Hand-written guides go in guides/.', ...lines].join('\n')}\n`;
}

/** One manifest line: a path, and the hash of its content when it was written (absent for the manifest itself and in manifests written before hashes were kept). */
export interface ManifestEntry {
  /** Path relative to the docs directory. */
  readonly path: string;
  /** SHA-256 of the content as written, lowercase hex. */
  readonly hash?: string;
}

function manifestPath(line: string): string {
  return /^[0-9a-f]{64}  /.test(line) ? line.slice(66) : line;
}

/** The entries of a manifest's text. */
export function parseManifestEntries(text: string): ManifestEntry[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([0-9a-f]{64})\s+(.+)$/.exec(line);
      return match === null ? { path: line } : { path: match[2]!, hash: match[1]! };
    });
}

/** Paths listed in a manifest's text. */
export function parseManifest(text: string): string[] {
  return parseManifestEntries(text).map((entry) => entry.path);
}

/** Every generated file, sorted by path: the index, the collisions page, one page per family, the state format pages when `state` is given, and the manifest. */
export function renderAbiDocs(registry: AbiRegistry, state?: StateDocsInput): readonly GeneratedPage[] {
  const report = analyseCollisions(registry);
  const pages: GeneratedPage[] = [
    { path: 'index.md', content: renderIndexPage(registry, report) },
    { path: 'collisions.md', content: renderCollisionsPage(registry, report) },
    { path: DESIGN_COST_PAGE, content: renderDesignCostPage(registry) },
    ...familiesOf(registry).map(({ arch, family, eras }) => ({ path: familyPagePath(arch, family), content: renderFamilyPage(arch, family, eras) })),
    ...(state === undefined ? [] : renderStateDocs(state)),
  ];
  for (const page of pages) {
    if (page.path.split('/')[0] === GUIDES_DIR) throw new Error(`generated page '${page.path}' would land in the hand-written ${GUIDES_DIR}/ directory`);
  }
  pages.push({ path: MANIFEST_FILE, content: renderManifest(pages) });
  return pages.sort((a, b) => byText(a.path, b.path));
}
