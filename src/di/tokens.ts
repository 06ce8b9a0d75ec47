/**
 * Typed injection tokens. Only `src/di/` and each `arch/<name>/module.ts`
 * import inversify; everything else receives plain objects.
 *
 * @module
 */

import type { ServiceIdentifier } from 'inversify';
import type { AllowedCollision } from '../abi/registry.ts';
import type { Abi } from '../abi/spec.ts';
import type { ArchBackend } from '../interp/backend.ts';

/** Every backend binds itself under this token (multi-injection). */
export const ARCH_BACKEND: ServiceIdentifier<ArchBackend> = Symbol.for('hyplay.ArchBackend');

/** Every ABI spec binds itself under this token (multi-injection). */
export const ABI_SPEC: ServiceIdentifier<Abi> = Symbol.for('hyplay.AbiSpec');

/** Intended overlaps between specs bind under this token (multi-injection). */
export const ALLOWED_COLLISION: ServiceIdentifier<AllowedCollision> = Symbol.for('hyplay.AllowedCollision');
