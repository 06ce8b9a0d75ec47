/**
 * The arm32 specs by conduit, each list imported on demand: `hyplay dispatch
 * arm32 hvc` loads the hvc specs and never defines the syscall tables the
 * svc specs are built from. Each list is every spec of `ARM32_ABIS` on that
 * conduit and nothing else (a test compares them).
 *
 * @module
 */

import type { Abi } from '../../../src/abi/spec.ts';

/** Only the specs of `abis` on `conduit`. */
function on(conduit: string, ...abis: readonly (readonly Abi[])[]): readonly Abi[] {
  return abis.flat().filter((abi) => abi.spec.conduit.instruction === conduit);
}

/** Per conduit, a loader of every arm32 spec on it. */
export const ARM32_ABIS_BY_CONDUIT: Readonly<Record<string, () => Promise<readonly Abi[]>>> = {
  'data-abort': async () => on('data-abort', (await import('./kvm-arm-mmio.abi.ts')).KVM_ARM_MMIO_ABIS),
  hvc: async () => {
    const [stub, kvm, psci, xen] = await Promise.all([import('./linux-hyp-stub.abi.ts'), import('./kvm-arm32.abi.ts'), import('./psci.abi.ts'), import('./xen-arm32.abi.ts')]);
    return on('hvc', stub.LINUX_HYP_STUB_ABIS, kvm.KVM_ARM32_ABIS, psci.PSCI_ABIS, xen.XEN_ARM32_ABIS);
  },
  smc: async () => on('smc', (await import('./psci.abi.ts')).PSCI_ABIS),
  svc: async () => on('svc', (await import('./linux-syscall-eabi.abi.ts')).LINUX_SYSCALL_ABIS),
};
