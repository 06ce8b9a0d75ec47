/**
 * Typed injection tokens. Only `src/di/` and each `arch/<name>/module.ts`
 * import inversify; everything else receives plain objects.
 *
 * @module
 */

import type { ServiceIdentifier } from 'inversify';
import type { ArchBackend } from '../interp/backend.ts';

/** Every backend binds itself under this token (multi-injection). */
export const ARCH_BACKEND: ServiceIdentifier<ArchBackend> = Symbol.for('hyplay.ArchBackend');
