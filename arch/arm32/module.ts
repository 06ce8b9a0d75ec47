/**
 * The arm32 backend's ContainerModules: the only place this backend meets
 * inversify. The backend is one module; its ABI specs are another, imported
 * only when a command asks for specs (`hyplay asm` needs none); or, for a
 * command about one conduit (`hyplay dispatch`), only that conduit's specs
 * (`./abis/by-conduit.ts`).
 *
 * @module
 */

import { ContainerModule } from 'inversify';
import { ABI_SPEC, ALLOWED_COLLISION, ARCH_BACKEND, type BackendModules } from '../../src/di/tokens.ts';
import { ARM32_ABIS_BY_CONDUIT } from './abis/by-conduit.ts';
import { ARM32_BACKEND } from './backend.ts';

/** Binds the arm32 backend; then, on request, its ABI specs and its allow-list of intended overlaps. */
export const ARM32_MODULES: BackendModules = {
  backend: new ContainerModule(({ bind }) => {
    bind(ARCH_BACKEND).toConstantValue(ARM32_BACKEND);
  }),
  async specs() {
    const { ARM32_ABIS, ARM32_ALLOWED_COLLISIONS } = await import('./abis/index.ts');
    return new ContainerModule(({ bind }) => {
      for (const abi of ARM32_ABIS) bind(ABI_SPEC).toConstantValue(abi);
      for (const entry of ARM32_ALLOWED_COLLISIONS) bind(ALLOWED_COLLISION).toConstantValue(entry);
    });
  },
  conduitSpecs: Object.fromEntries(
    Object.entries(ARM32_ABIS_BY_CONDUIT).map(([conduit, load]) => [
      conduit,
      async () => {
        const abis = await load();
        return new ContainerModule(({ bind }) => {
          for (const abi of abis) bind(ABI_SPEC).toConstantValue(abi);
        });
      },
    ]),
  ),
};
