/**
 * `hyplay abi list [--arch A]` and `hyplay abi show ID`: the registered
 * specs, as a table or JSON, and one spec in full (the human form is the
 * same Markdown section the abi-docs page carries).
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import type { Abi } from '../abi/spec.ts';
import { registerHex } from './register-values.ts';
import { renderEraSection, selectText } from '../docs/abi-docs.ts';
import { CliError } from './cli-error.ts';

/** One row of `abi list --json`. */
export interface AbiSummaryJson {
  /** Spec id. */
  readonly id: string;
  /** Family. */
  readonly family: string;
  /** Architecture. */
  readonly arch: string;
  /** Era. */
  readonly era: string;
  /** Status. */
  readonly status: string;
  /** Conduit instruction. */
  readonly conduit: string;
  /** Immediates it answers to (`any`, or values as `0x` hex). */
  readonly imm: string;
  /** Dispatch priority. */
  readonly priority: number;
  /** Call names, in the spec's order. */
  readonly calls: readonly string[];
}

function summary(abi: Abi): AbiSummaryJson {
  const { spec } = abi;
  return {
    id: spec.id,
    family: spec.family,
    arch: spec.arch,
    era: spec.era,
    status: spec.status,
    conduit: spec.conduit.instruction,
    imm: abi.imm.toString(),
    priority: spec.priority,
    calls: abi.calls.map((c) => c.spec.name),
  };
}

/** Check `--arch` against the architectures that have backends or specs. */
export function checkArch(arch: string | undefined, known: readonly string[]): void {
  if (arch !== undefined && !known.includes(arch)) throw new CliError(`--arch: unknown architecture '${arch}' (one of ${known.join(', ')})`, { input: '--arch' });
}

/** `hyplay abi list`: JSON `{"abis":[…]}` or a table. */
export function abiList(abis: AbiRegistry, arch: string | undefined, json: boolean): string {
  const list = abis.all(arch).map(summary);
  if (json) return JSON.stringify({ abis: list }, undefined, 2);
  if (list.length === 0) return 'no ABI specs registered';
  const header = ['id', 'arch', 'conduit', 'status', 'era', 'calls'];
  const rows = list.map((a) => [a.id, a.arch, a.imm === 'any' ? a.conduit : `${a.conduit} #${a.imm}`, a.status, a.era, String(a.calls.length)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The JSON form of one spec: its data with value sets and numbers as `0x` hex, semantics left out. */
export function abiJson(abi: Abi): object {
  const { spec } = abi;
  const width = spec.selector.width;
  return {
    id: spec.id,
    family: spec.family,
    arch: spec.arch,
    era: spec.era,
    status: spec.status,
    purpose: spec.purpose,
    source: { document: spec.source.document, version: spec.source.version, note: spec.source.note ?? null },
    conduit: { instruction: spec.conduit.instruction, imm: abi.imm.toString() },
    origin: { privilege: spec.origin.privilege, world: spec.origin.world },
    selector: { register: spec.selector.register, width },
    conditions: (spec.conditions ?? []).map((c) => ({ register: c.register, values: abi.conditions.get(c.register)!.toString(), why: c.why })),
    priority: spec.priority,
    calls: abi.calls.map((call) => ({
      name: call.spec.name,
      select: selectText(call),
      summary: call.spec.summary,
      args: call.spec.args ?? [],
      results: call.spec.results ?? [],
      clobbers: call.spec.clobbers ?? [],
      noReturn: call.spec.noReturn === true,
      meaning: call.spec.meaning ?? call.spec.name,
    })),
    examples: spec.examples.map((e) => ({
      title: e.title,
      registers: Object.fromEntries(Object.entries(e.registers).map(([r, v]) => [r, registerHex(v, width)])),
      origin: e.origin ?? null,
      call: e.call,
    })),
    notes: spec.notes ?? [],
  };
}

/** `hyplay abi show ID`: JSON, or the spec's abi-docs section. Unknown ids are a {@link CliError}. */
export function abiShow(abis: AbiRegistry, id: string, json: boolean): string {
  const abi = abis.get(id);
  if (abi === undefined) throw new CliError(`abi show: unknown ABI '${id}' (\`hyplay abi list\` lists ${abis.all().length} specs)`);
  if (json) return JSON.stringify(abiJson(abi), undefined, 2);
  return renderEraSection(abi, 1).join('\n').trimEnd();
}
