/**
 * The 32-bit ARM Linux hyp-stub: `hvc #0` from the host kernel (PL1) with the
 * call number in r0, handled by the tiny Hyp vector table a kernel booted in
 * Hyp mode leaves behind (`__hyp_stub_vectors`, only the Hyp-trap slot live).
 * The numbering changed twice; each era is its own spec.
 *
 * Facts: ../shared/abi-facts.md §1 (torvalds/linux:arch/arm/kernel/hyp-stub.S
 * and arch/arm/include/asm/virt.h at the cited commits; the kernel's
 * Documentation/virt/kvm/arm/hyp-abi.rst).
 *
 * @module
 */

import { defineAbi, type Abi, type AbiSpec, type CallSpec } from '../../../src/abi/spec.ts';

/** `HVC_STUB_ERR`, the stub's error return (v4.12+). */
export const HVC_STUB_ERR = 0xbadca11n;

const common = {
  family: 'linux-hyp-stub',
  arch: 'arm32',
  conduit: { instruction: 'hvc', imm: 'any' },
  origin: { privilege: ['kernel'], world: ['host'] },
  selector: { register: 'r0', width: 32 },
  priority: 0,
} as const satisfies Partial<AbiSpec>;

/** SET_VECTORS of the v4.12 numbering: HVBAR ← r1, r0 ← 0. */
const setVectorsR1: Omit<CallSpec, 'select'> = {
  name: 'HVC_SET_VECTORS',
  summary: 'install a new Hyp vector table: HVBAR ← r1 (a physical, correctly aligned address)',
  args: [{ register: 'r1', role: 'vectors' }],
  results: [{ register: 'r0', role: '0' }],
  clobbers: ['r1', 'r2', 'r3', 'r12'],
  meaning: 'set-vectors',
  run: (call) => {
    call.set('hvbar', call.get('r1'));
    call.set('r0', 0n);
    return { kind: 'return' };
  },
};

/** SOFT_RESTART of the v4.12 numbering: branch to r1, still in Hyp. */
const softRestartR1: Omit<CallSpec, 'select'> = {
  name: 'HVC_SOFT_RESTART',
  summary: 'branch to r1 in Hyp mode (the kexec/kdump soft restart); does not return',
  args: [{ register: 'r1', role: 'restart address' }],
  noReturn: true,
  meaning: 'soft-restart',
  run: (call) => ({ kind: 'jump', target: call.get('r1'), note: 'soft restart: the stub branches to r1 in Hyp mode' }),
};

/** Get-vectors of the eras that have it: r0 ← HVBAR. */
const getVectors: Omit<CallSpec, 'select' | 'name'> = {
  summary: 'read HVBAR: r0 ← HVBAR',
  results: [{ register: 'r0', role: 'HVBAR' }],
  meaning: 'get-vectors',
  run: (call) => {
    call.set('r0', call.get('hvbar'));
    return { kind: 'return' };
  },
};

/** The v4.12+ answer to anything that is not a stub call: r0 ← HVC_STUB_ERR. */
function stubError(summary: string): CallSpec {
  return {
    name: 'invalid',
    select: 'otherwise',
    summary,
    results: [{ register: 'r0', role: 'HVC_STUB_ERR' }],
    meaning: 'error',
    run: (call) => {
      call.set('r0', HVC_STUB_ERR);
      return { kind: 'return' };
    },
  };
}

/** The original stub (v3.6): r0 = -1 reads HVBAR, any other r0 is the new HVBAR. */
export const LINUX_HYP_STUB_V3_6: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-v3.6',
  era: 'v3.6–v4.11',
  status: 'removed',
  purpose:
    'The first hyp-stub: a kernel booted in Hyp mode keeps a minimal Hyp vector table so that KVM (or a kexec-ed kernel) can later install its own vectors. It has exactly two operations and no soft restart, so a 32-bit soft_restart could not return to Hyp mode in this era.',
  source: { document: 'torvalds/linux:arch/arm/kernel/hyp-stub.S @0af0b189 (__hyp_stub_do_trap, __hyp_get_vectors, __hyp_set_vectors)', version: 'v3.6' },
  calls: [
    { ...getVectors, name: '__hyp_get_vectors', select: -1n },
    {
      name: '__hyp_set_vectors',
      select: 'otherwise',
      summary: 'any other r0 is the new vector base: HVBAR ← r0; nothing is returned and there is no error value',
      args: [{ register: 'r0', role: 'vectors' }],
      meaning: 'set-vectors',
      run: (call) => {
        call.set('hvbar', call.get('r0'));
        return { kind: 'return' };
      },
    },
  ],
  examples: [
    { title: 'KVM init saves the stub vectors', registers: { r0: 0xffff_ffffn }, call: '__hyp_get_vectors' },
    { title: 'KVM installs its init vectors', registers: { r0: 0x8000_1000n }, call: '__hyp_set_vectors' },
  ],
  notes: [
    'r0 = -1 is the only value that is not a vector address; a soft restart request (r0 = 1 or 2 in later numberings) would set HVBAR to 1 or 2.',
    'Its contemporary KVM (kvm-arm32-v3.9) answers r0 = -1 the same way, so __hyp_get_vectors works whoever owns Hyp; every other r0 means set-vectors here and a function pointer there.',
  ],
});

/** The early-2017 list proposal: 0 GET, 1 SET (r1), 2 SOFT_RESTART (r3). */
export const LINUX_HYP_STUB_2017_PROPOSAL: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-2017-proposal',
  era: 'early-2017 proposal',
  status: 'proposal',
  purpose:
    'The numbering discussed on the list in early 2017 to give the 32-bit stub a soft-restart call for kexec: small call numbers in r0, the restart target in r3 (bit 0 selects Thumb). It shipped only in vendor and transitional trees.',
  source: {
    document: 'altera-opensource/linux-socfpga:arch/arm/include/asm/virt.h @d51ca250 (HVC_GET_VECTORS 0, HVC_SET_VECTORS 1, HVC_SOFT_RESTART 2); beagleboard/linux:arch/arm/kernel/hyp-stub.S @4a8e59d4 (soft restart through r3)',
    version: 'v4.10-era list proposal',
    note: 'The exact mainline release of this numbering is UNCONFIRMED (abi-facts.md Appendix A.1): it is modelled as a proposal, not a release.',
  },
  calls: [
    { ...getVectors, name: 'HVC_GET_VECTORS', select: 0n },
    {
      name: 'HVC_SET_VECTORS',
      select: 1n,
      summary: 'install a new Hyp vector table: HVBAR ← r1',
      args: [{ register: 'r1', role: 'vectors' }],
      meaning: 'set-vectors',
      run: (call) => {
        call.set('hvbar', call.get('r1'));
        return { kind: 'return' };
      },
    },
    {
      name: 'HVC_SOFT_RESTART',
      select: 2n,
      summary: 'branch to r3 in Hyp mode (bit 0 = Thumb); does not return',
      args: [{ register: 'r3', role: 'restart address' }],
      noReturn: true,
      meaning: 'soft-restart',
      run: (call) => ({ kind: 'jump', target: call.get('r3'), note: 'soft restart: the stub branches (bx) to r3 in Hyp mode' }),
    },
    {
      name: 'invalid',
      select: 'otherwise',
      summary: 'not a stub call: r0 ← -1, every other register preserved',
      results: [{ register: 'r0', role: '-1' }],
      meaning: 'error',
      run: (call) => {
        call.set('r0', 0xffff_ffffn);
        return { kind: 'return' };
      },
    },
  ],
  examples: [
    { title: 'save the stub vectors', registers: { r0: 0n }, call: 'HVC_GET_VECTORS' },
    { title: 'kexec soft restart to the new kernel', registers: { r0: 2n, r3: 0x8000_8000n }, call: 'HVC_SOFT_RESTART' },
  ],
});

/** The stable v4.12 numbering: 0 SET (r1), 1 SOFT_RESTART (r1), 2 RESET, else HVC_STUB_ERR. */
export const LINUX_HYP_STUB_V4_12: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-v4.12',
  era: 'v4.12–v5.6',
  status: 'removed',
  purpose:
    'The reworked stub ABI shared with arm64: call numbers below HVC_STUB_HCALL_NR (3) are stub calls, every argument in r1, and an error value for anything else. KVM (kvm-arm32-v4.12) reserves the same r0 < 3 and implements SOFT_RESTART and RESET_VECTORS in its own init code, so a soft restart works whoever owns Hyp mode; SET_VECTORS is for the boot stub only.',
  source: {
    document: 'torvalds/linux:arch/arm/kernel/hyp-stub.S and arch/arm/include/asm/virt.h (v4.12 rework); Documentation/virt/kvm/arm/hyp-abi.rst @166cc2a4',
    version: 'v4.12',
  },
  calls: [
    { ...setVectorsR1, select: 0n },
    { ...softRestartR1, select: 1n },
    {
      name: 'HVC_RESET_VECTORS',
      select: 2n,
      summary: 'put the stub vectors back; the stub itself has nothing to undo: r0 ← 0',
      results: [{ register: 'r0', role: '0' }],
      meaning: 'reset-vectors',
      run: (call) => {
        call.set('r0', 0n);
        return { kind: 'return' };
      },
    },
    stubError('r0 ≥ HVC_STUB_HCALL_NR (3) is not a stub call: r0 ← HVC_STUB_ERR (0xbadca11)'),
  ],
  examples: [
    { title: 'KVM installs its vectors', registers: { r0: 0n, r1: 0x8000_1000n }, call: 'HVC_SET_VECTORS' },
    { title: 'kexec soft restart to the new kernel', registers: { r0: 1n, r1: 0x8000_8000n }, call: 'HVC_SOFT_RESTART' },
    { title: 'reset vectors while the stub owns Hyp', registers: { r0: 2n }, call: 'HVC_RESET_VECTORS' },
    { title: 'a kvm_call_hyp aimed at the stub', registers: { r0: 0xc010_0000n }, call: 'invalid' },
  ],
  notes: [
    'The hyp-abi document says r0 values other than the stub calls are hypervisor-specific: that is where KVM puts its function pointers.',
    'A KVM older than v4.12 (kvm-arm32-v3.9) takes every r0 but -1 as a Hyp function pointer: if it still owns HVBAR when SOFT_RESTART (r0 = 1) is issued, as on the kdump path, the call becomes a branch to address 1 and a prefetch abort in Hyp.',
  ],
});

/** v5.7+: KVM/arm32 is gone; only SET_VECTORS and SOFT_RESTART remain. */
export const LINUX_HYP_STUB_V5_7: Abi = defineAbi({
  ...common,
  id: 'linux-hyp-stub-v5.7',
  era: 'v5.7+',
  status: 'mainline',
  purpose: 'After KVM/arm32 was removed (v5.7), the stub keeps only what the decompressor and kexec need: SET_VECTORS and SOFT_RESTART. RESET_VECTORS is gone and answers HVC_STUB_ERR.',
  source: { document: 'torvalds/linux:arch/arm/kernel/hyp-stub.S @a94e42b1; OpenVZ/vzkernel:arch/arm/include/asm/virt.h', version: 'v5.7' },
  calls: [
    { ...setVectorsR1, select: 0n },
    { ...softRestartR1, select: 1n },
    stubError('anything else (RESET_VECTORS included): r0 ← HVC_STUB_ERR (0xbadca11)'),
  ],
  examples: [
    { title: 'kexec soft restart to the new kernel', registers: { r0: 1n, r1: 0x8000_8000n }, call: 'HVC_SOFT_RESTART' },
    { title: 'RESET_VECTORS no longer exists', registers: { r0: 2n }, call: 'invalid' },
  ],
});

/** Every era, oldest first. */
export const LINUX_HYP_STUB_ABIS: readonly Abi[] = [LINUX_HYP_STUB_V3_6, LINUX_HYP_STUB_2017_PROPOSAL, LINUX_HYP_STUB_V4_12, LINUX_HYP_STUB_V5_7];
