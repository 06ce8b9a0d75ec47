/**
 * The one composition root: loads each backend's ContainerModule and hands
 * out plain registries.
 *
 * @module
 */

import { Container } from 'inversify';
import { arm32Module } from '../../arch/arm32/module.ts';
import { ppc64Module } from '../../arch/ppc64/module.ts';
import type { ArchBackend } from '../interp/backend.ts';
import { AbiRegistry } from '../abi/registry.ts';
import { ABI_SPEC, ALLOWED_COLLISION, ARCH_BACKEND } from './tokens.ts';

/** The backends by name, in a stable (sorted) order. */
export class BackendRegistry {
  private readonly byName: ReadonlyMap<string, ArchBackend>;

  /** @param backends every bound backend; duplicates are an error. */
  constructor(backends: readonly ArchBackend[]) {
    const map = new Map<string, ArchBackend>();
    for (const backend of [...backends].sort((a, b) => a.name.localeCompare(b.name))) {
      if (map.has(backend.name)) throw new Error(`backend '${backend.name}' is bound twice`);
      map.set(backend.name, backend);
    }
    this.byName = map;
  }

  /** All backends, sorted by name. */
  all(): readonly ArchBackend[] {
    return [...this.byName.values()];
  }

  /** The backend of this name, or `undefined`. */
  get(name: string): ArchBackend | undefined {
    return this.byName.get(name);
  }

  /** Backend names, sorted. */
  names(): readonly string[] {
    return [...this.byName.keys()];
  }
}

/** Build the container with every backend module loaded. */
export function createContainer(): Container {
  const container = new Container();
  container.load(arm32Module);
  container.load(ppc64Module);
  return container;
}

/** The backend registry from a fresh container. */
export function loadBackends(container: Container = createContainer()): BackendRegistry {
  return new BackendRegistry(container.getAll(ARCH_BACKEND));
}

/** The ABI registry from a fresh container: every backend's specs and allow-list. */
export function loadAbis(container: Container = createContainer()): AbiRegistry {
  const abis = container.isBound(ABI_SPEC) ? container.getAll(ABI_SPEC) : [];
  const allowed = container.isBound(ALLOWED_COLLISION) ? container.getAll(ALLOWED_COLLISION) : [];
  return new AbiRegistry(abis, allowed);
}
