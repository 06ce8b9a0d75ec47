/**
 * The arm32 backend's ContainerModule: the only place this backend meets
 * inversify.
 *
 * @module
 */

import { ContainerModule } from 'inversify';
import { ABI_SPEC, ALLOWED_COLLISION, ARCH_BACKEND } from '../../src/di/tokens.ts';
import { ARM32_ABIS, ARM32_ALLOWED_COLLISIONS } from './abis/index.ts';
import { ARM32_BACKEND } from './backend.ts';

/** Binds the arm32 backend, its ABI specs and its allow-list of intended overlaps. */
export const arm32Module = new ContainerModule(({ bind }) => {
  bind(ARCH_BACKEND).toConstantValue(ARM32_BACKEND);
  for (const abi of ARM32_ABIS) bind(ABI_SPEC).toConstantValue(abi);
  for (const entry of ARM32_ALLOWED_COLLISIONS) bind(ALLOWED_COLLISION).toConstantValue(entry);
});
