/**
 * The arm64 specs by conduit, each list imported on demand: `hyplay dispatch
 * arm64 hvc` loads the hvc specs and never builds the syscall table the svc
 * spec is made from, and `hyplay dispatch arm64 svc` never defines the
 * hypervisor specs. Each list is every spec of `ARM64_ABIS` on that conduit
 * and nothing else (test/di/container.test.ts compares them).
 *
 * @module
 */

import type { Abi } from '../../../src/abi/spec.ts';

/** Only the specs of `abis` on `conduit`. */
function on(conduit: string, ...abis: readonly (readonly Abi[])[]): readonly Abi[] {
  return abis.flat().filter((abi) => abi.spec.conduit.instruction === conduit);
}

/** Per conduit, a loader of every arm64 spec on it. */
export const ARM64_ABIS_BY_CONDUIT: Readonly<Record<string, () => Promise<readonly Abi[]>>> = {
  'data-abort': async () => on('data-abort', (await import('./kvm-arm64-mmio.abi.ts')).KVM_ARM64_MMIO_ABIS),
  hvc: async () => {
    const [stub, kvm, psci, vendor, xen] = await Promise.all([
      import('./linux-hyp-stub-arm64.abi.ts'),
      import('./kvm-arm64.abi.ts'),
      import('./psci-arm64.abi.ts'),
      import('./kvm-vendor-hyp-arm64.abi.ts'),
      import('./xen-arm64.abi.ts'),
    ]);
    return on('hvc', stub.LINUX_HYP_STUB_ARM64_ABIS, kvm.KVM_ARM64_ABIS, psci.PSCI_ARM64_ABIS, vendor.KVM_VENDOR_HYP_ARM64_ABIS, xen.XEN_ARM64_ABIS);
  },
  smc: async () => on('smc', (await import('./psci-arm64.abi.ts')).PSCI_ARM64_ABIS),
  svc: async () => on('svc', (await import('./linux-syscall-arm64.abi.ts')).LINUX_SYSCALL_ARM64_ABIS),
};
