/**
 * Static collision analysis: intersect the selector regions of every pair of
 * specs on one conduit, taking origin into account, and give a witness
 * register state for each overlap.
 *
 * Regions are products of value sets (immediate, origin, one set per
 * register), so the cost grows with the number of calls and intervals, never
 * with the register space. Eras of one family replace each other rather than
 * coexist, so pairs inside a family are not collisions (the dispatcher still
 * shows them side by side).
 *
 * @module
 */

import type { AbiRegistry, AllowedCollision } from '../abi/registry.ts';
import { PRIVILEGES, selectsByImmediate, WORLDS, type Abi, type Origin, type ResolvedCall } from '../abi/spec.ts';
import { hexValue, ValueSet } from '../abi/value-set.ts';

/** A register state, immediate and origin that two specs both claim. */
export interface Witness {
  /** Registers that matter (others are 0), as `0x` hex. */
  readonly registers: Readonly<Record<string, string>>;
  /** The immediate. */
  readonly imm: number;
  /** The caller. */
  readonly origin: Origin;
}

/** Two specs that claim the same traps. */
export interface Collision {
  /** Architecture. */
  readonly arch: string;
  /** Conduit instruction. */
  readonly conduit: string;
  /** The two spec ids, sorted. */
  readonly abis: readonly [string, string];
  /** The calls the witness reaches, in the order of `abis`. */
  readonly calls: readonly [string, string];
  /** How many call pairs overlap. */
  readonly overlaps: number;
  /** One trap both claim. */
  readonly witness: Witness;
  /** Whether the overlap is on the allow-list. */
  readonly allowed: boolean;
  /** The allow-list's reason, when allowed. */
  readonly reason?: string;
}

/** The analysis result. */
export interface CollisionReport {
  /** Every colliding pair. */
  readonly collisions: readonly Collision[];
  /** Allow-list entries that match no collision: stale, and a test fails on them. */
  readonly stale: readonly AllowedCollision[];
}

interface Region {
  readonly call: ResolvedCall;
  /** Immediates the call answers to (the conduit's, or the call's own when the immediate is the selector). */
  readonly imm: ValueSet;
  readonly registers: ReadonlyMap<string, ValueSet>;
}

function origins(abi: Abi): Origin[] {
  const out: Origin[] = [];
  for (const privilege of PRIVILEGES) for (const world of WORLDS) if (abi.spec.origin.privilege.includes(privilege) && abi.spec.origin.world.includes(world)) out.push({ privilege, world });
  return out;
}

function regions(abi: Abi): Region[] {
  const byImmediate = selectsByImmediate(abi.spec);
  return abi.calls.map((call) => {
    const registers = new Map(abi.conditions);
    if (!byImmediate) registers.set(abi.spec.selector.register, call.values);
    return { call, imm: byImmediate ? abi.imm.intersect(call.values) : abi.imm, registers };
  });
}

/** Intersect two register regions; `undefined` when empty. */
function intersectRegisters(a: ReadonlyMap<string, ValueSet>, b: ReadonlyMap<string, ValueSet>): Map<string, ValueSet> | undefined {
  const out = new Map(a);
  for (const [register, values] of b) {
    const mine = out.get(register);
    const both = mine === undefined ? values : mine.intersect(values);
    if (both.isEmpty()) return undefined;
    out.set(register, both);
  }
  return out;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** Analyse every pair of specs on each conduit. */
export function analyseCollisions(registry: AbiRegistry, arch?: string): CollisionReport {
  const abis = registry.all(arch);
  // With an architecture, only its own allow-list entries are checked (another architecture's entries are neither used nor stale here).
  const ids = new Set(abis.map((abi) => abi.spec.id));
  const entries = arch === undefined ? registry.allowed : registry.allowed.filter((entry) => entry.abis.some((id) => ids.has(id)));
  const allowed = new Map(entries.map((entry) => [pairKey(entry.abis[0], entry.abis[1]), entry]));
  const used = new Set<string>();
  const collisions: Collision[] = [];
  const prepared = abis.map((abi) => ({ abi, origins: origins(abi), regions: regions(abi) }));
  for (let i = 0; i < prepared.length; i++) {
    for (let j = i + 1; j < prepared.length; j++) {
      const [first, second] = [prepared[i]!, prepared[j]!];
      const a = first.abi.spec;
      const b = second.abi.spec;
      if (a.arch !== b.arch || a.conduit.instruction !== b.conduit.instruction || a.family === b.family) continue;
      const imm = first.abi.imm.intersect(second.abi.imm);
      if (imm.isEmpty()) continue;
      const origin = first.origins.find((o) => second.origins.some((p) => p.privilege === o.privilege && p.world === o.world));
      if (origin === undefined) continue;
      let overlaps = 0;
      let witness: { imm: ValueSet; registers: Map<string, ValueSet>; calls: [string, string] } | undefined;
      for (const ra of first.regions) {
        for (const rb of second.regions) {
          const immediates = ra.imm.intersect(rb.imm);
          if (immediates.isEmpty()) continue;
          const both = intersectRegisters(ra.registers, rb.registers);
          if (both === undefined) continue;
          overlaps++;
          witness ??= { imm: immediates, registers: both, calls: [ra.call.spec.name, rb.call.spec.name] };
        }
      }
      if (witness === undefined) continue;
      const key = pairKey(a.id, b.id);
      const entry = allowed.get(key);
      if (entry !== undefined) used.add(key);
      const registers: Record<string, string> = {};
      for (const [register, values] of [...witness.registers].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) registers[register] = hexValue(values.first()!);
      const swap = a.id > b.id;
      collisions.push({
        arch: a.arch,
        conduit: a.conduit.instruction,
        abis: swap ? [b.id, a.id] : [a.id, b.id],
        calls: swap ? [witness.calls[1], witness.calls[0]] : witness.calls,
        overlaps,
        witness: { registers, imm: Number(witness.imm.first()!), origin },
        allowed: entry !== undefined,
        ...(entry === undefined ? {} : { reason: entry.reason }),
      });
    }
  }
  const stale = entries.filter((entry) => !used.has(pairKey(entry.abis[0], entry.abis[1])));
  return { collisions, stale };
}
