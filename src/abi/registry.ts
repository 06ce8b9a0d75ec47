/**
 * The ABI registry: every backend's specs in one stable list, sorted by id.
 *
 * @module
 */

import type { Abi } from './spec.ts';

/** An overlap between two ABIs that is there on purpose. */
export interface AllowedCollision {
  /** The two spec ids (either order). */
  readonly abis: readonly [string, string];
  /** Why the overlap is intended, one line. */
  readonly reason: string;
}

/** Every registered ABI, sorted by id. Registering an id twice is an error, never an overwrite. */
export class AbiRegistry {
  private readonly byId: ReadonlyMap<string, Abi>;
  /** Intended overlaps, with reasons. */
  readonly allowed: readonly AllowedCollision[];

  /**
   * @param abis the specs (any order).
   * @param allowed the allow-list of intended overlaps.
   */
  constructor(abis: readonly Abi[], allowed: readonly AllowedCollision[] = []) {
    const map = new Map<string, Abi>();
    // Code-point order: the same everywhere, and without loading ICU collation (tens of ms at start-up).
    for (const abi of [...abis].sort((a, b) => (a.spec.id < b.spec.id ? -1 : a.spec.id > b.spec.id ? 1 : 0))) {
      if (map.has(abi.spec.id)) throw new Error(`ABI '${abi.spec.id}' is registered twice`);
      map.set(abi.spec.id, abi);
    }
    this.byId = map;
    this.allowed = allowed;
  }

  /** All ABIs sorted by id, optionally of one architecture. */
  all(arch?: string): readonly Abi[] {
    const list = [...this.byId.values()];
    return arch === undefined ? list : list.filter((abi) => abi.spec.arch === arch);
  }

  /** The ABI with this id, or `undefined`. */
  get(id: string): Abi | undefined {
    return this.byId.get(id);
  }

  /** Families in id order, each with its eras. */
  families(arch?: string): ReadonlyMap<string, readonly Abi[]> {
    const out = new Map<string, Abi[]>();
    for (const abi of this.all(arch)) {
      const list = out.get(abi.spec.family) ?? [];
      list.push(abi);
      out.set(abi.spec.family, list);
    }
    return out;
  }
}
