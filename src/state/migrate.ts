/**
 * A migration round trip, kernel → VMM → migration stream → VMM → kernel,
 * and the report of every register that changed and why.
 *
 * The source kernel holds the canonical state in its core-register file;
 * the source VMM gets it ({@link StateSync.get}) and saves its CPU
 * structure into the stream; a freshly reset destination VMM loads the
 * stream and puts its structure into the destination kernel. Beside it the
 * report runs the round trip inside one VMM process (get, then put on the
 * same structure), which is what a VMM's own testing sees.
 *
 * @module
 */

import { StateError, diffStates, hexOf, type ArchitecturalRegister, type ArchitecturalState, type RegisterDifference } from './architectural-state.ts';
import { emptyCoreFile, type OneRegFormat } from './one-reg.ts';
import { coreFileOf, stateOfCoreFile } from './state-format.ts';
import type { MigrationStream, StateSync, SyncAccess, SyncLog } from './state-support.ts';
import { fieldsAt, type StructImage } from './struct-layout.ts';

/** A register that changed, with the reason. */
export interface MigrationChange extends RegisterDifference {
  /** Why, one line, from where the syncs put and found it and what the stream carries. */
  readonly why: string;
}

/** The sync accesses of a migration. */
export interface MigrationLog {
  /** The source VMM's get. */
  readonly get: SyncLog;
  /** The destination VMM's put. */
  readonly put: SyncLog;
}

/** The result of {@link migrate}. */
export interface MigrationReport {
  /** The sync used. */
  readonly via: string;
  /** The guest architecture. */
  readonly guest: string;
  /** Registers that differ after the in-process round trip (get, put on the same structure). */
  readonly inProcess: readonly MigrationChange[];
  /** Registers that differ after the migration. */
  readonly migrated: readonly MigrationChange[];
  /** The destination kernel's state. */
  readonly after: ArchitecturalState;
  /** The source VMM's structure after its get (for scenarios and docs). */
  readonly sourceEnv: StructImage;
  /** The accesses of the source get and the destination put. */
  readonly log: MigrationLog;
}

function place(env: StructImage, access: SyncAccess): string {
  const fields = fieldsAt(env.layout, access.offset, access.bytes);
  return `${access.expression} = bytes ${access.offset}-${access.offset + access.bytes - 1} (${fields.join(', ') || 'nothing modelled'})`;
}

function explain(format: OneRegFormat, guest: string, difference: RegisterDifference, get: SyncLog, put: SyncLog, env: StructImage, stream: MigrationStream | undefined): string {
  const holders = format.registers.filter((r) => r.holds[guest] === difference.name).map((r) => r.name);
  if (holders.length === 0) return `${format.id} does not carry ${difference.name}, so it comes back 0`;
  const register = holders[0]!;
  const got = get.filter((a) => a.register === register);
  const putFrom = put.filter((a) => a.register === register);
  const parts: string[] = [];
  if (got.length > 0) parts.push(`get stored ${register} at ${got.map((a) => place(env, a)).join('; ')}`);
  if (putFrom.length > 0) parts.push(`put read it from ${putFrom.map((a) => place(env, a)).join('; ')}`);
  const moved = got.some((a) => putFrom.some((b) => a.offset !== b.offset));
  if (moved) parts.push('a different place');
  const rebuilds = [...get, ...put].filter((a) => a.direction === 'rebuild').map((a) => a.expression);
  if (!moved && rebuilds.length > 0) parts.push(`in between the VMM moved registers itself: ${rebuilds.join('; then ')}`);
  if (stream !== undefined) {
    const raw = new Set(stream.fields.flatMap((f) => (f.raw === undefined ? [] : [f.raw])));
    const uncarried = [...new Set(putFrom.flatMap((a) => fieldsAt(env.layout, a.offset, a.bytes)).map((f) => f.replace(/\[\d+\]$/, '')))].filter((f) => !raw.has(f));
    if (uncarried.length > 0) parts.push(`the stream does not carry ${uncarried.join(', ')} byte for byte, so the destination's own value was put`);
  }
  if (parts.length === 0) return 'changed by the sync (rebuilt from other fields)';
  return parts.join('; ');
}

/** The canonical state → core file → get → (stream) → put → canonical round trip of `state` via `sync`. */
export function migrate(sync: StateSync, stream: MigrationStream | undefined, state: ArchitecturalState, registers: readonly ArchitecturalRegister[]): MigrationReport {
  const format = sync.kernel;
  if (!format.guests.includes(state.arch)) throw new StateError(`${sync.id} speaks ${format.id}, which does not carry ${state.arch} state`);
  const source = coreFileOf(format, state);
  const env = sync.reset(state.arch);
  const get: SyncLog = [];
  sync.get(source, env, get);
  const sourceEnv = env.clone();

  const local = env.clone();
  const localFile = emptyCoreFile(format);
  const localPut: SyncLog = [];
  sync.put(local, localFile, localPut);
  const back = stateOfCoreFile(format, localFile, state.arch, registers).state;

  let destination = env.clone();
  if (stream !== undefined) {
    destination = sync.reset(state.arch);
    stream.load(stream.save(sourceEnv.clone()), destination);
  }
  const file = emptyCoreFile(format);
  const put: SyncLog = [];
  sync.put(destination, file, put);
  const after = stateOfCoreFile(format, file, state.arch, registers).state;

  const explainAll = (differences: readonly RegisterDifference[], putLog: SyncLog, carried: MigrationStream | undefined): MigrationChange[] =>
    differences.map((d) => ({ ...d, why: explain(format, state.arch, d, get, putLog, sourceEnv, carried) }));
  return {
    via: sync.id,
    guest: state.arch,
    inProcess: explainAll(diffStates(state, back, registers), localPut, undefined),
    migrated: explainAll(diffStates(state, after, registers), put, stream),
    after,
    sourceEnv,
    log: { get, put },
  };
}

/** One line per change: `spsr_el1 0x… -> 0x…: why`. */
export function formatChanges(changes: readonly MigrationChange[], registers: readonly ArchitecturalRegister[]): readonly string[] {
  const bits = new Map(registers.map((r) => [r.name, r.bits]));
  return changes.map((c) => `${c.name} ${hexOf(c.before, bits.get(c.name) ?? 64)} -> ${hexOf(c.after, bits.get(c.name) ?? 64)}: ${c.why}`);
}
