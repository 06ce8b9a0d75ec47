/**
 * The arm32 backend's ContainerModule: the only place this backend meets
 * inversify.
 *
 * @module
 */

import { ContainerModule } from 'inversify';
import { ARCH_BACKEND } from '../../src/di/tokens.ts';
import { ARM32_BACKEND } from './backend.ts';

/** Binds the arm32 backend. */
export const arm32Module = new ContainerModule(({ bind }) => {
  bind(ARCH_BACKEND).toConstantValue(ARM32_BACKEND);
});
