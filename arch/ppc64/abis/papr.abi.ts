/**
 * PAPR hypercalls (pSeries, sPAPR): `sc 1` from the guest kernel with the H_*
 * opcode in r3, arguments in r4–r12 and the status in r3.
 *
 * Facts: ../shared/abi-facts.md §8.5 (torvalds/linux:arch/powerpc/include/asm/hvcall.h,
 * arch/powerpc/platforms/pseries/hvCall.S; qemu/qemu:docs/specs/ppc-spapr-hcalls.txt).
 *
 * @module
 */

import { defineAbi, type Abi, type CallSpec } from '../../../src/abi/spec.ts';

/** `H_FUNCTION`: an unknown opcode (−2, as r3 holds it: 64-bit two's complement). */
export const H_FUNCTION = BigInt.asUintN(64, -2n);

/** PAPR opcodes modelled, from hvcall.h. */
export const PAPR_HCALLS: readonly (readonly [name: string, opcode: number, summary: string])[] = [
  ['H_REMOVE', 0x04, 'remove a hashed page table entry'],
  ['H_ENTER', 0x08, 'insert a hashed page table entry'],
  ['H_READ', 0x0c, 'read hashed page table entries'],
  ['H_CLEAR_MOD', 0x10, 'clear the changed bit of a page table entry'],
  ['H_CLEAR_REF', 0x14, 'clear the referenced bit of a page table entry'],
  ['H_PROTECT', 0x18, 'change the protection of a page table entry'],
  ['H_GET_TCE', 0x1c, 'read a TCE (IOMMU) entry'],
  ['H_PUT_TCE', 0x20, 'write a TCE (IOMMU) entry'],
  ['H_SET_SPRG0', 0x24, 'set SPRG0'],
  ['H_SET_DABR', 0x28, 'set the data address breakpoint'],
  ['H_LOGICAL_CI_LOAD', 0x3c, 'cache-inhibited load from a logical address'],
  ['H_GET_TERM_CHAR', 0x54, 'read characters from a virtual terminal'],
  ['H_PUT_TERM_CHAR', 0x58, 'write characters to a virtual terminal'],
  ['H_EOI', 0x64, 'end of interrupt (XICS)'],
  ['H_CPPR', 0x68, 'set the current processor priority (XICS)'],
  ['H_IPI', 0x6c, 'send an inter-processor interrupt (XICS)'],
  ['H_XIRR', 0x74, 'accept an interrupt (XICS)'],
  ['H_REGISTER_VPA', 0xdc, 'register the virtual processor area'],
  ['H_CEDE', 0xe0, 'cede the processor until an interrupt'],
  ['H_CONFER', 0xe4, 'confer cycles to another virtual processor'],
  ['H_PROD', 0xe8, 'wake a ceded virtual processor'],
  ['H_RANDOM', 0x300, 'return a hardware random number in r4'],
  ['H_SET_MODE', 0x31c, 'set a processor mode (endianness of interrupts, breakpoints)'],
  ['H_RTAS', 0xf000, 'QEMU/KVM private: call RTAS'],
  ['H_LOGICAL_MEMOP', 0xf001, 'QEMU private: copy or compare logical memory'],
];

const UNKNOWN: CallSpec = {
  name: 'unknown',
  select: 'otherwise',
  summary: 'any other opcode: r3 ← H_FUNCTION (−2)',
  results: [{ register: 'r3', role: 'H_FUNCTION (−2)' }],
  meaning: 'h-function',
  run: (call) => {
    call.set('r3', H_FUNCTION);
    return { kind: 'return' };
  },
};

const ARGS = ['r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12'];

/** PAPR hypercalls on `sc 1`. */
export const PAPR: Abi = defineAbi({
  id: 'papr',
  family: 'papr',
  arch: 'ppc64',
  era: 'PAPR / sPAPR (pSeries Linux; QEMU and KVM)',
  status: 'mainline',
  purpose:
    'The IBM Power Architecture Platform Reference hypercalls a pSeries (sPAPR) guest kernel makes to PowerVM, or to QEMU/KVM: `sc 1` with the H_* opcode in r3 and up to nine arguments in r4–r12; the status comes back in r3 (H_SUCCESS = 0, errors negative) and extra outputs in r4–r12.',
  source: {
    document:
      'torvalds/linux:arch/powerpc/include/asm/hvcall.h @05fd934b (opcodes, H_SET_SPRG0 = 0x24 and H_CLEAR_MOD/REF checked with the search tool; status codes); arch/powerpc/platforms/pseries/hvCall.S (HVSC, plpar_hcall9); qemu/qemu:docs/specs/ppc-spapr-hcalls.txt (private hcalls from 0xF000); arch/powerpc/kvm/book3s_pr.c (PR KVM: "papr_enabled && last_sc == 0x44000022 && !(msr & MSR_PR)")',
    version: 'v2.6.12 onwards (hvcall.h); the opcode list grows over time',
  },
  conduit: { instruction: 'sc1', imm: 0n },
  origin: { privilege: ['kernel'], world: ['guest'] },
  selector: { register: 'r3', width: 64 },
  priority: 10,
  calls: [
    ...PAPR_HCALLS.map(
      ([name, opcode, summary]): CallSpec => ({
        name,
        select: BigInt(opcode),
        summary: `${summary} (opcode 0x${opcode.toString(16)})`,
        ...(name === 'H_ENTER'
          ? {
              args: [
                { register: 'r4', role: 'flags' },
                { register: 'r5', role: 'PTEG index' },
                { register: 'r6', role: 'HPTE dword 0' },
                { register: 'r7', role: 'HPTE dword 1' },
              ],
            }
          : name === 'H_SET_SPRG0'
            ? { args: [{ register: 'r4', role: 'value' }] }
            : {}),
        results: [{ register: 'r3', role: 'status (H_SUCCESS = 0, errors negative)' }, ...(name === 'H_RANDOM' ? [{ register: 'r4', role: 'random number' }] : [])],
        // Dispatch only: which call; the hypervisor's work is not modelled.
        run: () => ({ kind: 'return' }),
      }),
    ),
    UNKNOWN,
  ],
  examples: [
    { title: 'insert a page table entry', registers: { r3: 0x08n, r4: 0n, r5: 0x100n }, call: 'H_ENTER' },
    { title: 'cede the processor', registers: { r3: 0xe0n }, call: 'H_CEDE' },
    { title: 'set SPRG0', registers: { r3: 0x24n, r4: 0x1234n }, call: 'H_SET_SPRG0' },
    { title: 'a random number', registers: { r3: 0x300n }, call: 'H_RANDOM' },
    { title: 'an ePAPR EV_IDLE (r11 = 0x10010, r3 = 0) read as PAPR', registers: { r11: 0x1_0010n }, call: 'unknown' },
  ],
  notes: [
    `Arguments in ${ARGS.join(', ')} (plpar_hcall9 uses all nine); opcodes are multiples of 4; private QEMU/KVM hcalls start at 0xF000.`,
    'Only the guest kernel may call it: PR KVM checks MSR[PR] (a user-mode `sc 1` is reflected to the guest as a program interrupt), and on hardware `sc 1` from problem state does not reach the hypervisor.',
    'Under Book3S PR KVM the guest runs in problem state, so `sc` and `sc 1` both arrive as a system call interrupt: with PAPR enabled, KVM reads the trapping instruction (kvmppc_get_last_inst) on every guest syscall to see whether it was `sc 1`. That is the cost the list pointed out of putting a parameter in the `sc` instruction.',
    'ePAPR uses the same `sc 1` with r11 as the token: only the platform configuration tells the two apart (collision epapr × papr).',
  ],
  recognition: {
    inspects: ['immediate', 'privilege', 'instruction-fetch'],
    registersGivenUp: 0,
    slowsSyscalls: 'not on hardware (LEV = 1 traps to the hypervisor directly); under Book3S PR KVM yes: every guest `sc` is fetched back from guest memory (kvmppc_get_last_inst) to tell `sc 1` from `sc`',
  },
});
