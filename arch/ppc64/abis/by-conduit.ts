/**
 * The ppc64 specs by conduit, each list imported on demand: `hyplay dispatch
 * ppc64 sc1` loads the hypercall specs and never defines the syscall tables
 * the `sc` specs are built from. Each list is every spec of `PPC64_ABIS` on
 * that conduit and nothing else (a test compares them).
 *
 * @module
 */

import type { Abi } from '../../../src/abi/spec.ts';

/** Only the specs of `abis` on `conduit`. */
function on(conduit: string, ...abis: readonly (readonly Abi[])[]): readonly Abi[] {
  return abis.flat().filter((abi) => abi.spec.conduit.instruction === conduit);
}

/** Per conduit, a loader of every ppc64 spec on it. */
export const PPC64_ABIS_BY_CONDUIT: Readonly<Record<string, () => Promise<readonly Abi[]>>> = {
  sc: async () => {
    const [syscalls, pv, osi] = await Promise.all([import('./linux-syscall-ppc64.abi.ts'), import('./kvm-ppc-pv.abi.ts'), import('./kvm-ppc-osi.abi.ts')]);
    return on('sc', syscalls.LINUX_SYSCALL_PPC64_ABIS, pv.KVM_PPC_PV_ABIS, [osi.KVM_PPC_OSI]);
  },
  sc1: async () => {
    const [epapr, papr] = await Promise.all([import('./epapr.abi.ts'), import('./papr.abi.ts')]);
    return on('sc1', epapr.EPAPR_ABIS, papr.PAPR_ABIS);
  },
};
