/**
 * `hyplay collisions [--arch A]`: the static collision analysis as JSON or
 * text, and the short summary the main job ends with.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import { analyseCollisions, type Collision, type CollisionReport } from '../dispatch/collisions.ts';

/** The caller of a witness. */
export interface OriginJson {
  /** `user`, `kernel` or `hyp`. */
  readonly privilege: string;
  /** `host` or `guest`. */
  readonly world: string;
}

/** One trap two specs both claim. */
export interface WitnessJson {
  /** Registers that matter, as `0x` hex (others are 0). */
  readonly registers: Readonly<Record<string, string>>;
  /** The immediate. */
  readonly imm: number;
  /** The caller. */
  readonly origin: OriginJson;
}

/** An allow-list entry that matches no collision. */
export interface StaleJson {
  /** The two spec ids of the entry. */
  readonly abis: readonly [string, string];
  /** The entry's reason. */
  readonly reason: string;
}

/** The `collisions --json` document. */
export interface CollisionsJson {
  /** Every colliding pair. */
  readonly collisions: readonly CollisionJson[];
  /** Stale allow-list entries (a test fails on them). */
  readonly stale: readonly StaleJson[];
}

/** One collision in the JSON contract (plus `calls` and `overlaps`). */
export interface CollisionJson {
  /** Architecture. */
  readonly arch: string;
  /** Conduit. */
  readonly conduit: string;
  /** The two spec ids, sorted. */
  readonly abis: readonly [string, string];
  /** The calls the witness reaches, in the order of `abis`. */
  readonly calls: readonly [string, string];
  /** How many call pairs overlap. */
  readonly overlaps: number;
  /** One trap both claim: registers (`0x` hex, others 0), immediate and caller. */
  readonly witness: WitnessJson;
  /** Whether the overlap is on the allow-list. */
  readonly allowed: boolean;
  /** The allow-list's reason, or `null` when not allowed. */
  readonly reason: string | null;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Collisions in a stable order: architecture, conduit, then the pair. */
export function sortedCollisions(report: CollisionReport): readonly Collision[] {
  return [...report.collisions].sort((a, b) => byText(a.arch, b.arch) || byText(a.conduit, b.conduit) || byText(a.abis[0], b.abis[0]) || byText(a.abis[1], b.abis[1]));
}

/** The register width in bits of an architecture, or `undefined` where it is not known (values are then shown as the analysis gives them). */
export type RegisterWidthOf = (arch: string) => number | undefined;

/** The witness registers at the register width, where it is known. */
function witnessRegisters(c: Collision, widthOf: RegisterWidthOf | undefined): Record<string, string> {
  const width = widthOf?.(c.arch);
  if (width === undefined) return { ...c.witness.registers };
  // Padded to the width, never cut (the analysis' values fit their registers).
  return Object.fromEntries(Object.entries(c.witness.registers).map(([r, v]) => [r, `0x${BigInt(v).toString(16).padStart(Math.ceil(width / 4), '0')}`]));
}

/** The `--json` document: `{"collisions":[…],"stale":[…]}`; witness registers at the register width where `widthOf` knows it. */
export function collisionsJson(report: CollisionReport, widthOf?: RegisterWidthOf): CollisionsJson {
  return {
    collisions: sortedCollisions(report).map((c) => ({
      arch: c.arch,
      conduit: c.conduit,
      abis: c.abis,
      calls: c.calls,
      overlaps: c.overlaps,
      witness: { registers: witnessRegisters(c, widthOf), imm: c.witness.imm, origin: { privilege: c.witness.origin.privilege, world: c.witness.origin.world } },
      allowed: c.allowed,
      reason: c.reason ?? null,
    })),
    stale: report.stale.map((s) => ({ abis: s.abis, reason: s.reason })),
  };
}

function witnessLine(c: Collision, widthOf: RegisterWidthOf | undefined): string {
  const registers = Object.entries(witnessRegisters(c, widthOf))
    .map(([r, v]) => `${r}=${v}`)
    .join(' ');
  return `${c.conduit} #0x${c.witness.imm.toString(16)} from ${c.witness.origin.privilege} (${c.witness.origin.world})${registers === '' ? '' : `, ${registers}`}`;
}

/** The human report: one block per collision, then the totals; witness registers at the register width where `widthOf` knows it. */
export function collisionsText(report: CollisionReport, widthOf?: RegisterWidthOf): string {
  const lines: string[] = [];
  for (const c of sortedCollisions(report)) {
    lines.push(`${c.arch} ${c.conduit}: ${c.abis[0]} x ${c.abis[1]}  ${c.allowed ? 'allowed' : 'NOT ALLOWED'}`);
    lines.push(`  calls:   ${c.calls[0]} x ${c.calls[1]} (${c.overlaps} overlapping call pair${c.overlaps === 1 ? '' : 's'})`);
    lines.push(`  witness: ${witnessLine(c, widthOf)}`);
    if (c.reason !== undefined) lines.push(`  reason:  ${c.reason}`);
  }
  for (const s of report.stale) lines.push(`stale allow-list entry: ${s.abis[0]} x ${s.abis[1]} (${s.reason}) no longer overlaps`);
  const allowed = report.collisions.filter((c) => c.allowed).length;
  lines.push(`${report.collisions.length} collision${report.collisions.length === 1 ? '' : 's'}: ${allowed} allowed, ${report.collisions.length - allowed} not allowed`);
  return lines.join('\n');
}

/**
 * The main job's closing summary: counts per architecture and conduit, each
 * collision that is not on the allow-list with its witness, and any stale
 * allow-list entries.
 */
export function collisionSummary(abis: AbiRegistry, widthOf?: RegisterWidthOf): string {
  const report = analyseCollisions(abis);
  const lines = ['== collision analysis'];
  const counts = new Map<string, { total: number; allowed: number; specs: number }>();
  for (const abi of abis.all()) {
    const key = `${abi.spec.arch} ${abi.spec.conduit.instruction}`;
    const entry = counts.get(key) ?? { total: 0, allowed: 0, specs: 0 };
    entry.specs += 1;
    counts.set(key, entry);
  }
  for (const c of report.collisions) {
    const entry = counts.get(`${c.arch} ${c.conduit}`)!;
    entry.total += 1;
    if (c.allowed) entry.allowed += 1;
  }
  if (counts.size === 0) lines.push('no ABI specs registered');
  for (const [key, n] of [...counts].sort(([a], [b]) => byText(a, b))) {
    lines.push(`${key}: ${n.specs} spec${n.specs === 1 ? '' : 's'}, ${n.total} collision${n.total === 1 ? '' : 's'} (${n.allowed} allowed, ${n.total - n.allowed} not allowed)`);
  }
  const unallowed = sortedCollisions(report).filter((c) => !c.allowed);
  if (unallowed.length > 0) {
    lines.push('not allowed:');
    for (const c of unallowed) lines.push(`  ${c.arch} ${c.conduit}: ${c.abis[0]} (${c.calls[0]}) x ${c.abis[1]} (${c.calls[1]}) at ${witnessLine(c, widthOf)}`);
  }
  for (const s of report.stale) lines.push(`stale allow-list entry: ${s.abis[0]} x ${s.abis[1]}`);
  return lines.join('\n');
}
