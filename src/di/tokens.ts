/**
 * Typed injection tokens. Only `src/di/` and each `arch/<name>/module.ts`
 * import inversify; everything else receives plain objects.
 *
 * @module
 */

import type { ContainerModule, ServiceIdentifier } from 'inversify';
import type { AllowedCollision } from '../abi/registry.ts';
import type { Abi } from '../abi/spec.ts';
import type { ArchBackend } from '../interp/backend.ts';

/** Every backend binds itself under this token (multi-injection). */
export const ARCH_BACKEND: ServiceIdentifier<ArchBackend> = Symbol.for('hyplay.ArchBackend');

/** Every ABI spec binds itself under this token (multi-injection). */
export const ABI_SPEC: ServiceIdentifier<Abi> = Symbol.for('hyplay.AbiSpec');

/** Intended overlaps between specs bind under this token (multi-injection). */
export const ALLOWED_COLLISION: ServiceIdentifier<AllowedCollision> = Symbol.for('hyplay.AllowedCollision');

/**
 * What each backend's `arch/<name>/module.ts` exports: the module binding
 * the backend, and a loader for the module binding its ABI specs and
 * allow-list (a separate import, so that commands without specs skip it).
 */
export interface BackendModules {
  /** Binds {@link ARCH_BACKEND}. */
  readonly backend: ContainerModule;
  /** Imports the specs and returns the module binding {@link ABI_SPEC} and {@link ALLOWED_COLLISION}. */
  specs(): Promise<ContainerModule>;
  /**
   * Per conduit, imports only the specs on it and returns the module binding
   * them under {@link ABI_SPEC}: every spec of the backend on that conduit,
   * no other, and no allow-list (for a command that classifies one trap).
   */
  readonly conduitSpecs?: Readonly<Record<string, () => Promise<ContainerModule>>>;
}
