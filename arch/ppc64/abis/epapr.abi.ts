/**
 * The ePAPR hypercall ABI: `sc 1` by default (the instruction actually comes
 * from the device tree's `hcall-instructions`), the token
 * `(vendor << 16) | nr` in r11, arguments in r3–r10, status in r3.
 *
 * Facts: ../shared/abi-facts.md §8.4 (torvalds/linux:arch/powerpc/include/uapi/asm/epapr_hcalls.h,
 * arch/powerpc/kernel/epapr_paravirt.c).
 *
 * @module
 */

import { defineAbi, type Abi, type CallSpec } from '../../../src/abi/spec.ts';
import { EV_EPAPR_VENDOR_ID, EV_UNIMPLEMENTED, hcallToken } from './kvm-ppc-pv.abi.ts';

/** The ePAPR hypercalls (vendor EPAPR = 1), by number. */
export const EPAPR_HCALLS: readonly (readonly [name: string, nr: number, summary: string])[] = [
  ['EV_BYTE_CHANNEL_SEND', 1, 'send bytes on a byte channel'],
  ['EV_BYTE_CHANNEL_RECEIVE', 2, 'receive bytes from a byte channel'],
  ['EV_BYTE_CHANNEL_POLL', 3, 'poll a byte channel'],
  ['EV_INT_SET_CONFIG', 4, 'configure an interrupt'],
  ['EV_INT_GET_CONFIG', 5, "read an interrupt's configuration"],
  ['EV_INT_SET_MASK', 6, 'mask or unmask an interrupt'],
  ['EV_INT_GET_MASK', 7, "read an interrupt's mask"],
  ['EV_INT_IACK', 9, 'acknowledge an interrupt'],
  ['EV_INT_EOI', 10, 'end of interrupt'],
  ['EV_INT_SEND_IPI', 11, 'send an inter-processor interrupt'],
  ['EV_INT_SET_TASK_PRIORITY', 12, 'set the current task priority'],
  ['EV_INT_GET_TASK_PRIORITY', 13, 'read the current task priority'],
  ['EV_DOORBELL_SEND', 14, 'send a doorbell'],
  ['EV_MSGSND', 15, 'send a message'],
  ['EV_IDLE', 16, 'idle until an interrupt'],
];

const UNKNOWN: CallSpec = {
  name: 'unknown',
  select: 'otherwise',
  summary: 'any other token (other vendors included): r3 ← EV_UNIMPLEMENTED (12)',
  results: [{ register: 'r3', role: 'EV_UNIMPLEMENTED (12)' }],
  meaning: 'ev-unimplemented',
  run: (call) => {
    call.set('r3', EV_UNIMPLEMENTED);
    return { kind: 'return' };
  },
};

/** ePAPR hypercalls on `sc 1`. */
export const EPAPR: Abi = defineAbi({
  id: 'epapr',
  family: 'epapr',
  arch: 'ppc64',
  era: 'ePAPR 1.1 (Linux v3.3 onwards)',
  status: 'mainline',
  purpose:
    'The Power.org ePAPR hypercall ABI (Freescale Topaz, KVM on BookE): the guest kernel issues the instruction the device tree names in `hcall-instructions` (by default `sc 1`) with the token (vendor << 16) | nr in r11 and arguments in r3–r10; the status comes back in r3 and extra outputs in r4 onwards.',
  source: {
    document: 'torvalds/linux:arch/powerpc/include/uapi/asm/epapr_hcalls.h (EV_HCALL_TOKEN, vendor IDs, EV_* numbers and errors); arch/powerpc/include/asm/epapr_hcalls.h (wrappers); arch/powerpc/kernel/epapr_paravirt.c ("hcall-instructions")',
    version: 'v3.3',
  },
  conduit: { instruction: 'sc1', imm: 0n },
  origin: { privilege: ['kernel'], world: ['guest'] },
  selector: { register: 'r11', width: 64 },
  priority: 10,
  calls: [
    ...EPAPR_HCALLS.map(
      ([name, nr, summary]): CallSpec => ({
        name,
        select: hcallToken(EV_EPAPR_VENDOR_ID, nr),
        summary: `${summary} (token 0x${hcallToken(EV_EPAPR_VENDOR_ID, nr).toString(16)})`,
        args: [
          { register: 'r3', role: 'arg0' },
          { register: 'r4', role: 'arg1' },
        ],
        results: [{ register: 'r3', role: 'status (EV_SUCCESS or a positive EV_* error)' }],
        clobbers: ['r0', 'r12', 'xer', 'ctr', 'lr', 'cr'],
        // Dispatch only: which call; the hypervisor's work is not modelled.
        run: () => ({ kind: 'return' }),
      }),
    ),
    UNKNOWN,
  ],
  examples: [
    { title: 'idle', registers: { r11: hcallToken(EV_EPAPR_VENDOR_ID, 16) }, call: 'EV_IDLE' },
    { title: 'send 8 bytes on byte channel 0', registers: { r11: hcallToken(EV_EPAPR_VENDOR_ID, 1), r3: 0n, r4: 8n }, call: 'EV_BYTE_CHANNEL_SEND' },
    { title: 'a PAPR guest\'s H_ENTER (r3 = 8, r11 = 0) read as ePAPR', registers: { r3: 8n }, call: 'unknown' },
  ],
  notes: [
    'Vendor IDs: LOCAL 0, EPAPR 1, FSL 2, IBM 3, GHS 4, ENEA 5, WR 6, AMCC 7, KVM 42. KVM on BookE-HV answers the KVM vendor tokens (KVM_HC_FEATURES = 0x2a0003, KVM_HC_PPC_MAP_MAGIC_PAGE = 0x2a0004) on this conduit too, as kvm-ppc-pv does on `sc`; this spec lists only the EPAPR vendor calls.',
    'The conduit is whatever `hcall-instructions` says (up to 4 words patched into epapr_hypercall_start); `sc 1` is the default and the only one modelled.',
    'Errors are positive (EV_EPERM 1 … EV_BUFFER_OVERFLOW 13). Clobbers: r0, r12, XER, CTR, LR, CR.',
    'On `sc 1` ePAPR and PAPR cannot be told apart from the trap: only the platform (device tree, or the hypervisor\'s configuration) says which one the guest speaks (collision epapr × papr).',
  ],
  recognition: {
    inspects: ['immediate'],
    registersGivenUp: 1,
    slowsSyscalls: 'no: `sc 1` (LEV = 1) goes to the hypervisor on its own and syscalls (`sc`, LEV = 0) never reach it on a hypervisor-mode host; r11 carries the token. Under Book3S PR KVM, where both trap as system calls, LEV is only known by fetching the instruction',
  },
});
