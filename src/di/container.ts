/**
 * The one composition root: loads each backend's ContainerModules and hands
 * out plain registries.
 *
 * Backends and their specs are imported on demand ({@link loadModules}), so
 * that a command pays only for what it uses: `hyplay --help` imports no
 * backend, `hyplay asm arm32` one backend and no specs, `hyplay dispatch
 * arm32 hvc` one backend and only the specs on `hvc`. Everything after
 * the import is synchronous: {@link createContainer} binds every module
 * loaded so far. The test suite loads them all before any test file runs
 * (`test/support/load-modules.ts`).
 *
 * @module
 */

import { Container, type ContainerModule } from 'inversify';
import type { ArchBackend } from '../interp/backend.ts';
import { AbiRegistry } from '../abi/registry.ts';
import { BACKEND_NAMES, type BackendName } from './backend-names.ts';
import { ABI_SPEC, ALLOWED_COLLISION, ARCH_BACKEND, type BackendModules } from './tokens.ts';

/** How each backend's modules are imported, one entry for each of {@link BACKEND_NAMES}. */
const BACKEND_IMPORTS: Readonly<Record<BackendName, () => Promise<BackendModules>>> = {
  arm32: async () => (await import('../../arch/arm32/module.ts')).ARM32_MODULES,
  arm64: async () => (await import('../../arch/arm64/module.ts')).ARM64_MODULES,
  ppc64: async () => (await import('../../arch/ppc64/module.ts')).PPC64_MODULES,
  x86_64: async () => (await import('../../arch/x86_64/module.ts')).X86_64_MODULES,
};

export { BACKEND_NAMES } from './backend-names.ts';

/** What {@link loadModules} imports. */
export interface ModuleRequest {
  /** The backends, by name (default: every one in {@link BACKEND_NAMES}). */
  readonly archs?: readonly string[];
  /** Whether their ABI specs too (default true). */
  readonly specs?: boolean;
  /**
   * With specs: only those on this conduit, where a backend can load specs by
   * conduit (`BackendModules.conduitSpecs`; every spec on it, no allow-list);
   * a backend that cannot, or a conduit it has no loader for, loads all.
   */
  readonly conduit?: string;
}

/** A backend whose modules are imported, and its spec module once that is (or the modules of the conduits loaded alone). */
interface LoadedBackend {
  readonly modules: BackendModules;
  specs: ContainerModule | undefined;
  readonly conduits: Map<string, ContainerModule>;
}

/** Imports started, by backend name (kept as promises so that two callers share one import). */
const importing = new Map<string, Promise<LoadedBackend>>();
/** Backends whose import has finished, by name. */
const loaded = new Map<string, LoadedBackend>();

/**
 * Import the modules of the requested backends (and their specs), once
 * each; later calls add to what is loaded. Throws for a name not in
 * {@link BACKEND_NAMES}.
 */
export async function loadModules(request: ModuleRequest = {}): Promise<void> {
  const names: readonly string[] = request.archs ?? BACKEND_NAMES;
  await Promise.all(
    names.map(async (name) => {
      if (!(BACKEND_NAMES as readonly string[]).includes(name)) throw new Error(`unknown backend '${name}' (one of ${BACKEND_NAMES.join(', ')})`);
      const load = BACKEND_IMPORTS[name as BackendName];
      let started = importing.get(name);
      if (started === undefined) {
        started = load().then((modules) => ({ modules, specs: undefined, conduits: new Map() }));
        importing.set(name, started);
      }
      const backend = await started;
      if (request.specs !== false && backend.specs === undefined) {
        const conduit = request.conduit;
        const byConduit = backend.modules.conduitSpecs;
        if (conduit !== undefined && byConduit !== undefined && Object.hasOwn(byConduit, conduit)) {
          if (!backend.conduits.has(conduit)) backend.conduits.set(conduit, await byConduit[conduit]!());
        } else backend.specs = await backend.modules.specs();
      }
      loaded.set(name, backend);
    }),
  );
}

/** The backends by name, in a stable (sorted) order. */
export class BackendRegistry {
  private readonly byName: ReadonlyMap<string, ArchBackend>;

  /** @param backends every bound backend; duplicates are an error. */
  constructor(backends: readonly ArchBackend[]) {
    const map = new Map<string, ArchBackend>();
    for (const backend of [...backends].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
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

/**
 * A container with every module {@link loadModules} has loaded, backends in
 * name order, each followed by its specs when those are loaded. Throws when
 * nothing is loaded yet.
 */
export function createContainer(): Container {
  if (loaded.size === 0) throw new Error('no backend is loaded yet: await loadModules() first');
  const container = new Container();
  for (const name of BACKEND_NAMES) {
    const backend = loaded.get(name);
    if (backend === undefined) continue;
    container.load(backend.modules.backend);
    // All the specs, or (never both, so that no spec is bound twice) the conduits loaded alone.
    if (backend.specs !== undefined) container.load(backend.specs);
    else for (const module of backend.conduits.values()) container.load(module);
  }
  return container;
}

/** The backend registry from a fresh container: every loaded backend. */
export function loadBackends(container: Container = createContainer()): BackendRegistry {
  return new BackendRegistry(container.getAll(ARCH_BACKEND));
}

/** The ABI registry from a fresh container: the specs and allow-list of every backend whose specs are loaded. */
export function loadAbis(container: Container = createContainer()): AbiRegistry {
  const abis = container.isBound(ABI_SPEC) ? container.getAll(ABI_SPEC) : [];
  const allowed = container.isBound(ALLOWED_COLLISION) ? container.getAll(ALLOWED_COLLISION) : [];
  return new AbiRegistry(abis, allowed);
}
