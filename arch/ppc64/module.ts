/**
 * The ppc64 backend's ContainerModule: the only place this backend meets
 * inversify.
 *
 * @module
 */

import { ContainerModule } from 'inversify';
import { ARCH_BACKEND } from '../../src/di/tokens.ts';
import { PPC64_BACKEND } from './backend.ts';

/** Binds the ppc64 backend. */
export const ppc64Module = new ContainerModule(({ bind }) => {
  bind(ARCH_BACKEND).toConstantValue(PPC64_BACKEND);
});
