/**
 * kvm-ppc-osi (abi-facts §8.3, §8.6): the v2.6.35 citation is book3s.c
 * kvmppc_handle_exit (book3s_pr.c did not exist yet), later kernels test
 * PAPR first, and KVM compares the magic as (u32).
 */

import { describe, expect, it } from 'vitest';
import { KVM_PPC_OSI, OSI_SC_MAGIC_R3, OSI_SC_MAGIC_R4 } from '../../../../arch/ppc64/abis/kvm-ppc-osi.abi.ts';
import { interpret } from '../../../../src/dispatch/dispatcher.ts';

describe('kvm-ppc-osi', () => {
  it('cites v2.6.35 book3s.c:943-955 kvmppc_handle_exit, and the later PAPR-first order', () => {
    const { document, version } = KVM_PPC_OSI.spec.source;
    expect(version).toMatch(/^v2\.6\.35/);
    expect(document).toContain('arch/powerpc/kvm/book3s.c:943-955 kvmppc_handle_exit');
    expect(document).not.toMatch(/v2\.6\.35[^;]*book3s_pr\.c/);
    expect(document).toContain('v5.7 tree :1313-1357: PAPR `sc 1` is tested first');
    expect(document).toContain('KVM_EXIT_OSI 18, KVM_CAP_PPC_OSI 52');
  });

  it('compares (u32)r3 and (u32)r4, from user and kernel mode alike', () => {
    const run = (privilege: 'user' | 'kernel', r3: bigint, r4: bigint) => interpret(KVM_PPC_OSI, { arch: 'ppc64', conduit: 'sc', imm: 0, privilege, world: 'guest', registers: { r0: 4n, r3, r4 } });
    expect(run('user', OSI_SC_MAGIC_R3, OSI_SC_MAGIC_R4).call).toBe('OSI_CALL');
    expect(run('kernel', 0xffff_ffff_0000_0000n | OSI_SC_MAGIC_R3, 0x1_0000_0000n | OSI_SC_MAGIC_R4).call).toBe('OSI_CALL');
    expect(run('user', OSI_SC_MAGIC_R3 + 1n, OSI_SC_MAGIC_R4).mine).toBe(false);
  });
});
