/**
 * The ppc64 backend's ContainerModule: the only place this backend meets
 * inversify.
 *
 * @module
 */

import { ContainerModule } from 'inversify';
import { ABI_SPEC, ALLOWED_COLLISION, ARCH_BACKEND } from '../../src/di/tokens.ts';
import { PPC64_ABIS, PPC64_ALLOWED_COLLISIONS } from './abis/index.ts';
import { PPC64_BACKEND } from './backend.ts';

/** Binds the ppc64 backend, its ABI specs and their allow-list. */
export const ppc64Module = new ContainerModule(({ bind }) => {
  bind(ARCH_BACKEND).toConstantValue(PPC64_BACKEND);
  for (const abi of PPC64_ABIS) bind(ABI_SPEC).toConstantValue(abi);
  for (const entry of PPC64_ALLOWED_COLLISIONS) bind(ALLOWED_COLLISION).toConstantValue(entry);
});
