/**
 * The x86_64 specs by conduit, each list imported on demand: `hyplay
 * dispatch x86_64 vmcall` loads the hypercall specs and never builds the
 * syscall tables. Each list is every spec of `X86_64_ABIS` on that conduit
 * and nothing else (a test compares them).
 *
 * @module
 */

import type { Abi } from '../../../src/abi/spec.ts';

/** Only the specs of `abis` on `conduit`. */
function on(conduit: string, ...abis: readonly (readonly Abi[])[]): readonly Abi[] {
  return abis.flat().filter((abi) => abi.spec.conduit.instruction === conduit);
}

/** The hypercall specs (both vendors' instructions). */
async function hypercalls(conduit: string): Promise<readonly Abi[]> {
  const [kvm, hyperv, xen] = await Promise.all([import('./kvm-x86.abi.ts'), import('./hyperv-tlfs.abi.ts'), import('./xen-x86.abi.ts')]);
  return on(conduit, kvm.KVM_X86_ABIS, hyperv.HYPERV_TLFS_ABIS, xen.XEN_X86_ABIS);
}

/** Per conduit, a loader of every x86_64 spec on it. */
export const X86_64_ABIS_BY_CONDUIT: Readonly<Record<string, () => Promise<readonly Abi[]>>> = {
  vmcall: () => hypercalls('vmcall'),
  vmmcall: () => hypercalls('vmmcall'),
  syscall: async () => on('syscall', (await import('./linux-syscall-x86.abi.ts')).LINUX_SYSCALL_X86_ABIS),
  int80: async () => on('int80', (await import('./linux-syscall-x86.abi.ts')).LINUX_SYSCALL_X86_ABIS),
};
