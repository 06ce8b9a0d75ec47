/**
 * The ppc64 backend's ContainerModules: the only place this backend meets
 * inversify. The backend is one module; its ABI specs are another, imported
 * only when a command asks for specs (`hyplay asm` needs none); or, for a
 * command about one conduit (`hyplay dispatch`), only that conduit's specs
 * (`./abis/by-conduit.ts`).
 *
 * @module
 */

import { ContainerModule } from 'inversify';
import { ABI_SPEC, ALLOWED_COLLISION, ARCH_BACKEND, type BackendModules } from '../../src/di/tokens.ts';
import { PPC64_ABIS_BY_CONDUIT } from './abis/by-conduit.ts';
import { PPC64_BACKEND } from './backend.ts';

/** Binds the ppc64 backend; then, on request, its ABI specs and their allow-list. */
export const PPC64_MODULES: BackendModules = {
  backend: new ContainerModule(({ bind }) => {
    bind(ARCH_BACKEND).toConstantValue(PPC64_BACKEND);
  }),
  async specs() {
    const { PPC64_ABIS, PPC64_ALLOWED_COLLISIONS } = await import('./abis/index.ts');
    return new ContainerModule(({ bind }) => {
      for (const abi of PPC64_ABIS) bind(ABI_SPEC).toConstantValue(abi);
      for (const entry of PPC64_ALLOWED_COLLISIONS) bind(ALLOWED_COLLISION).toConstantValue(entry);
    });
  },
  conduitSpecs: Object.fromEntries(
    Object.entries(PPC64_ABIS_BY_CONDUIT).map(([conduit, load]) => [
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
