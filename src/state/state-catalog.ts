/**
 * Every state format, VMM sync, migration stream and kernel operation the
 * loaded backends define, by id. A format may carry another backend's
 * guests (an AArch32 guest of an AArch64 host), so tools and scenario
 * inspections find formats here by id rather than by importing a backend.
 *
 * @module
 */

import type { ArchBackend } from '../interp/backend.ts';
import { StateError, type ArchitecturalRegister } from './architectural-state.ts';
import type { StateFormat } from './state-format.ts';
import type { MigrationStream, StateOperation, StateSync } from './state-support.ts';

/** A VMM sync with the migration stream of the backend that defines it. */
export interface CatalogSync {
  /** The sync. */
  readonly sync: StateSync;
  /** The stream, where the backend has one. */
  readonly stream: MigrationStream | undefined;
}

/** The catalog. */
export interface StateCatalog {
  /** Formats by id. */
  readonly formats: ReadonlyMap<string, StateFormat>;
  /** Syncs by id, with the stream of the backend that defines them. */
  readonly syncs: ReadonlyMap<string, CatalogSync>;
  /** Kernel operations by id. */
  readonly operations: ReadonlyMap<string, StateOperation>;
  /** Canonical registers by architecture. */
  readonly registers: ReadonlyMap<string, readonly ArchitecturalRegister[]>;
}

/** Collect the state support of `backends`. */
export function stateCatalog(backends: readonly ArchBackend[]): StateCatalog {
  const formats = new Map<string, StateFormat>();
  const syncs = new Map<string, CatalogSync>();
  const operations = new Map<string, StateOperation>();
  const registers = new Map<string, readonly ArchitecturalRegister[]>();
  for (const backend of backends) {
    const support = backend.state;
    if (support === undefined) continue;
    registers.set(backend.name, support.registers);
    for (const format of support.formats) formats.set(format.id, format);
    for (const sync of support.syncs ?? []) syncs.set(sync.id, { sync, stream: support.stream });
    for (const operation of support.operations ?? []) operations.set(operation.id, operation);
  }
  return { formats, syncs, operations, registers };
}

/** The format `id` of `catalog`, or a {@link StateError}. */
export function catalogFormat(catalog: StateCatalog, id: string): StateFormat {
  const found = catalog.formats.get(id);
  if (found === undefined) throw new StateError(`no state format '${id}' is loaded`);
  return found;
}

/** The sync `id` of `catalog` with its stream, or a {@link StateError}. */
export function catalogSync(catalog: StateCatalog, id: string): CatalogSync {
  const found = catalog.syncs.get(id);
  if (found === undefined) throw new StateError(`no VMM sync '${id}' is loaded`);
  return found;
}

/** The operation `id` of `catalog`, or a {@link StateError}. */
export function catalogOperation(catalog: StateCatalog, id: string): StateOperation {
  const found = catalog.operations.get(id);
  if (found === undefined) throw new StateError(`no kernel operation '${id}' is loaded`);
  return found;
}

/** The canonical registers of `arch`, or a {@link StateError}. */
export function catalogRegisters(catalog: StateCatalog, arch: string): readonly ArchitecturalRegister[] {
  const found = catalog.registers.get(arch);
  if (found === undefined) throw new StateError(`${arch} has no state support loaded`);
  return found;
}
