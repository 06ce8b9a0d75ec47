/**
 * The ePAPR hypercall ABI: `sc 1` by default, the token `(vendor << 16) | nr`
 * in r11, arguments in r3–r10, status in r3. Three specs of one family:
 *
 * - `epapr`: the ABI as a Linux guest calls it (the EV_* wrappers), with the
 *   hypervisor's work not modelled (Freescale's Topaz implements those calls);
 * - `epapr-kvm-booke-hv-v3.5` and `epapr-kvm-booke-hv-v3.8`: what KVM on
 *   BookE-HV (e500mc) answers on `sc 1`, which is `kvmppc_kvm_pv`, the KVM PV
 *   handler: the KVM vendor tokens, EV_IDLE from v3.8, EV_UNIMPLEMENTED for
 *   everything else; and a user-mode `sc 1` gets a program check.
 *
 * Facts: ../shared/abi-facts.md §8.3, §8.4 (arch/powerpc/include/uapi/asm/epapr_hcalls.h,
 * arch/powerpc/include/asm/epapr_hcalls.h, arch/powerpc/kernel/epapr_paravirt.c,
 * arch/powerpc/kvm/booke.c; the v3.3, v3.5–v3.9 and v5.7 trees).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type AbiRecognition, type CallContext, type CallSpec, type JumpOutcome } from '../../../src/abi/spec.ts';
import { ESR, IVOR6, IVPR, R3 } from './spec-registers.ts';
import { EV_EPAPR_VENDOR_ID, EV_IDLE, EV_KVM_VENDOR_ID, EV_UNIMPLEMENTED, hcallToken, KVM_HC_FEATURES, KVM_HC_PPC_MAP_MAGIC_PAGE, KVM_MAGIC_FEAT_MAS0_TO_SPRG7, KVM_MAGIC_FEAT_SR, KVM_PV_SELECTOR, kvmPvCalls, type KvmPvHandler } from './kvm-ppc-pv.abi.ts';

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

/** `ESR_PPR` (arch/powerpc/include/asm/reg_booke.h): the program interrupt was a privileged instruction. */
export const ESR_PPR = 0x0400_0000n;

const UNKNOWN: CallSpec = {
  name: 'unknown',
  select: 'otherwise',
  summary: 'any other token (other vendors included): r3 ← EV_UNIMPLEMENTED (12)',
  results: [{ register: 'r3', role: 'EV_UNIMPLEMENTED (12)' }],
  meaning: 'ev-unimplemented',
  run: (call) => {
    call.set(R3, EV_UNIMPLEMENTED);
    return RETURN;
  },
};

const CLOBBERS = ['r0', 'r12', 'xer', 'ctr', 'lr', 'cr'];

const SC1_RECOGNITION: AbiRecognition = {
  inspects: ['immediate'],
  registersGivenUp: 1,
  slowsSyscalls: 'no: `sc 1` (LEV = 1) traps to the hypervisor on its own, and a guest `sc` (LEV 0) never reaches it (on BookE-HV it goes straight to the guest kernel); r11 carries the token',
};

/** ePAPR hypercalls on `sc 1`, as a Linux guest makes them; the hypervisor's answers are not modelled. */
export const EPAPR: Abi = defineAbi({
  id: 'epapr',
  family: 'epapr',
  arch: 'ppc64',
  era: 'ePAPR 1.1, Linux guests v3.3 onwards (`sc 1` hard-coded in the wrappers up to v3.7; from v3.8 the stub patched from `hcall-instructions`)',
  status: 'mainline',
  purpose:
    'The Power.org ePAPR hypercall ABI as a Linux guest kernel uses it (Freescale Topaz, KVM on BookE): `sc 1` with the token (vendor << 16) | nr in r11 and arguments in r3–r10; the status comes back in r3 and extra outputs in r4 onwards. Which calls are answered is up to the hypervisor: this spec names the ePAPR calls; what KVM answers is epapr-kvm-booke-hv-*.',
  source: {
    document:
      'v3.3 tree (ciminaghi/linux-3.3.8 @72877bd7): arch/powerpc/include/asm/epapr_hcalls.h (EV_HCALL_TOKEN, vendor IDs, EV_* numbers and errors; wrappers with `"sc 1"` hard-coded, e.g. :189), no arch/powerpc/kernel/epapr_paravirt.c; v3.6 tree (liulijun-dev/linux-3.6 @3f7ca3bd): epapr_paravirt.c reads "hcall-instructions" and patches epapr_hypercall_start, used by the KVM guest (kvm.c:730) while the EV_* wrappers still hard-code `sc 1` (also in v3.7.2); v3.8 tree (opennetworklinux/linux-3.8.13 @9cabf0dd): the wrappers call `bl epapr_hypercall_start` (epapr_hcalls.h:151); v5.7 tree: arch/powerpc/include/uapi/asm/epapr_hcalls.h (numbers unchanged)',
    version: 'v3.3',
    note: 'The EV_* numbers, vendor IDs and errors are the same in the v3.3 and v5.7 trees.',
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
        summary: `${summary} (token 0x${hcallToken(EV_EPAPR_VENDOR_ID, nr).toString(16)}); the hypervisor's work is not modelled (registers left as they were)`,
        args: [
          { register: 'r3', role: 'arg0' },
          { register: 'r4', role: 'arg1' },
        ],
        results: [{ register: 'r3', role: 'status (EV_SUCCESS or a positive EV_* error)' }],
        clobbers: CLOBBERS,
        // Dispatch only: which call; the hypervisor's work is not modelled.
        run: () => RETURN,
      }),
    ),
    UNKNOWN,
  ],
  examples: [
    { title: 'idle', registers: { r11: hcallToken(EV_EPAPR_VENDOR_ID, 16) }, call: 'EV_IDLE' },
    { title: 'send 8 bytes on byte channel 0', registers: { r11: hcallToken(EV_EPAPR_VENDOR_ID, 1), r3: 0n, r4: 8n }, call: 'EV_BYTE_CHANNEL_SEND' },
    { title: "a PAPR guest's H_ENTER (r3 = 8, r11 = 0) read as ePAPR", registers: { r3: 8n }, call: 'unknown' },
  ],
  notes: [
    'Vendor IDs: LOCAL 0, EPAPR 1, FSL 2, IBM 3, GHS 4, ENEA 5, WR 6, AMCC 7, KVM 42. KVM on BookE-HV answers the KVM vendor tokens (KVM_HC_FEATURES 0x2a0003, KVM_HC_PPC_MAP_MAGIC_PAGE 0x2a0004) on this conduit too: see epapr-kvm-booke-hv-*.',
    'The instruction: v3.3–v3.5 have no epapr_paravirt.c and the EV_* wrappers hard-code `sc 1`; v3.6 adds epapr_paravirt.c, which patches up to 4 words from the device tree\'s `hcall-instructions` into epapr_hypercall_start (used by the KVM guest code), and from v3.8 every wrapper calls that stub. `sc 1` is the default and the only conduit modelled.',
    'Errors are positive (EV_EPERM 1 … EV_BUFFER_OVERFLOW 13). Clobbers: r0, r12, XER, CTR, LR, CR.',
    'What a user-mode `sc 1` does is up to the hypervisor (on KVM BookE-HV: a program check, see epapr-kvm-booke-hv-*); this spec takes the guest kernel only.',
    'On `sc 1` ePAPR and PAPR cannot be told apart from the trap: only the platform (device tree, or the hypervisor\'s configuration) says which one the guest speaks (collisions epapr × papr-*).',
  ],
  recognition: SC1_RECOGNITION,
});

/**
 * KVM BookE-HV's answer to a user-mode `sc 1`: no call; a program interrupt
 * (privileged instruction, ESR[PPR]) is queued to the guest kernel, which
 * enters at its program vector IVPR | IVOR6 (Book III-E: IVPR[0:47] || IVOR6[48:59] || 0b0000).
 */
function programCheck(call: CallContext): JumpOutcome {
  call.set(ESR, ESR_PPR);
  const vector = (call.get(IVPR) & ~0xffffn) | (call.get(IVOR6) & 0xfff0n);
  return { kind: 'jump', target: vector, note: 'MSR[PR] = 1: KVM makes no call; it queues a program interrupt (ESR[PPR], privileged instruction) to the guest kernel, which enters at IVPR | IVOR6' };
}

/** The calls of kvmppc_kvm_pv, with booke.c's user-mode check in front. */
function bookeHvCalls(handler: KvmPvHandler): CallSpec[] {
  return kvmPvCalls(handler).map((call) => ({
    ...call,
    summary: `${call.summary}; from guest user mode: a program check (ESR[PPR]) instead`,
    run: (context: CallContext) => (context.origin.privilege === 'user' ? programCheck(context) : call.run(context)),
  }));
}

/** KVM on e500mc: KVM_HC_FEATURES offers no magic page (its bit is set only for Book3S and e500v2). */
const E500MC_V3_5: KvmPvHandler = { magicPageFeatures: KVM_MAGIC_FEAT_SR | KVM_MAGIC_FEAT_MAS0_TO_SPRG7, featureBits: 0n, evIdle: false };
const E500MC_V3_8: KvmPvHandler = { ...E500MC_V3_5, evIdle: true };

const BOOKE_HV_PURPOSE =
  "What KVM on a BookE-HV host (e500mc and later, CONFIG_KVM_BOOKE_HV) answers on `sc 1`: the hardware sends a guest's `sc 1` to the hypervisor, and KVM runs its PV handler kvmppc_kvm_pv on it (no r0 magic: LEV = 1 is the mark), so the token in r11 selects a KVM vendor call (KVM_HC_FEATURES, KVM_HC_PPC_MAP_MAGIC_PAGE) or EV_IDLE; every other token, the ePAPR byte channels and interrupt calls included, is EV_UNIMPLEMENTED. A guest `sc` (LEV 0) goes straight to the guest kernel. From guest user mode, `sc 1` is a privileged-instruction program check.";

const BOOKE_HV_RECOGNITION: AbiRecognition = {
  inspects: ['immediate', 'privilege'],
  registersGivenUp: 1,
  slowsSyscalls: 'no: only `sc 1` traps to KVM (a guest `sc` goes straight to the guest kernel under MSR[GS]); KVM then tests MSR[PR] and reads r11',
};

function bookeHvNotes(era: string): string[] {
  return [
    `${era} The handler is kvmppc_kvm_pv, as for kvm-ppc-pv on Book3S PR: it reads the token as \`int nr\`, so only the low 32 bits of r11 count (the selector is 32 bits wide).`,
    'KVM_HC_FEATURES returns r4 = 0 on e500mc: the magic-page bit is compiled in only for Book3S and e500v2 (CONFIG_PPC_BOOK3S || CONFIG_KVM_E500V2). KVM_HC_PPC_MAP_MAGIC_PAGE still answers EV_SUCCESS with r4 = SR | MAS0_TO_SPRG7.',
    'From guest user mode (MSR[PR] = 1) booke.c makes no call: `kvmppc_core_queue_program(vcpu, ESR_PPR)`. The model sets ESR ← ESR_PPR and continues at the guest\'s program vector IVPR | IVOR6 (0 unless the registers say otherwise). The PAPR hosts differ: see papr-*.',
  ];
}

/** KVM BookE-HV, v3.5–v3.7: no EV_IDLE yet. */
export const EPAPR_KVM_BOOKE_HV_V3_5: Abi = defineAbi({
  id: 'epapr-kvm-booke-hv-v3.5',
  family: 'epapr',
  arch: 'ppc64',
  era: 'KVM BookE-HV v3.5–v3.7 (KVM vendor tokens on `sc 1`; EV_IDLE unimplemented)',
  status: 'mainline',
  purpose: BOOKE_HV_PURPOSE,
  source: {
    document:
      'v3.5 tree (12thmantec/linux-3.5 @cf4c694b, Makefile 3.5.0): arch/powerpc/kvm/booke.c:803-815 (BOOKE_INTERRUPT_HV_SYSCALL: `!(msr & MSR_PR)` → r3 = kvmppc_kvm_pv(vcpu), else kvmppc_core_queue_program(vcpu, ESR_PPR)) and arch/powerpc/kvm/powerpc.c kvmppc_kvm_pv (no EV_IDLE case; KVM_HC_FEATURES bit under `CONFIG_PPC_BOOK3S || CONFIG_KVM_E500V2`); v3.6 tree (booke.c:824-836) and v3.7.2 tree the same',
    version: 'v3.5',
    note: 'BookE-HV KVM first appears in v3.5: the v3.3.8 tree and a 3.4-based tree have no BOOKE_INTERRUPT_HV_SYSCALL case. ESR_PPR = 0x04000000 (arch/powerpc/include/asm/reg_booke.h, v5.7 tree :358).',
  },
  conduit: { instruction: 'sc1', imm: 0n },
  origin: { privilege: ['user', 'kernel'], world: ['guest'] },
  selector: KVM_PV_SELECTOR,
  priority: 10,
  calls: bookeHvCalls(E500MC_V3_5),
  examples: [
    { title: 'the guest kernel asks for the PV features', registers: { r11: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_FEATURES) }, origin: { privilege: 'kernel', world: 'guest' }, call: 'KVM_HC_FEATURES' },
    { title: 'the guest kernel maps the magic page', registers: { r11: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_PPC_MAP_MAGIC_PAGE), r3: 0x3fff_f000n, r4: 0xffff_f000n }, origin: { privilege: 'kernel', world: 'guest' }, call: 'KVM_HC_PPC_MAP_MAGIC_PAGE' },
    { title: 'EV_IDLE: no case for it before v3.8, so EV_UNIMPLEMENTED', registers: { r11: hcallToken(EV_EPAPR_VENDOR_ID, EV_IDLE) }, origin: { privilege: 'kernel', world: 'guest' }, call: 'unknown' },
    { title: 'a user-mode `sc 1`: program check', registers: { r11: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_FEATURES) }, origin: { privilege: 'user', world: 'guest' }, call: 'KVM_HC_FEATURES' },
  ],
  notes: bookeHvNotes('KVM BookE-HV, v3.5–v3.7.'),
  recognition: BOOKE_HV_RECOGNITION,
});

/** KVM BookE-HV, v3.8 onwards: EV_IDLE answered too. */
export const EPAPR_KVM_BOOKE_HV_V3_8: Abi = defineAbi({
  ...EPAPR_KVM_BOOKE_HV_V3_5.spec,
  id: 'epapr-kvm-booke-hv-v3.8',
  era: 'KVM BookE-HV v3.8 onwards (KVM vendor tokens and EV_IDLE on `sc 1`)',
  source: {
    document:
      'v3.8 tree (opennetworklinux/linux-3.8.13 @9cabf0dd): arch/powerpc/kvm/powerpc.c:127-177 kvmppc_kvm_pv (EV_IDLE at :165); v3.9 tree booke.c:989-1001; v5.7 tree (a5221985/linux-5.7.14 @5d0b54d9): arch/powerpc/kvm/booke.c:1206-1218 (BOOKE_INTERRUPT_HV_SYSCALL), powerpc.c:161-250 (KVM_HC_FEATURES bit under `CONFIG_PPC_BOOK3S || CONFIG_KVM_E500V2`; EV_IDLE at :237), arch/powerpc/include/asm/reg_booke.h:358 (ESR_PPR)',
    version: 'v3.8',
    note: 'EV_IDLE: absent in the v3.7.2 tree, present in v3.8.13 (as for kvm-ppc-pv-v3.8).',
  },
  calls: bookeHvCalls(E500MC_V3_8),
  examples: [
    ...EPAPR_KVM_BOOKE_HV_V3_5.spec.examples.filter((example) => example.call !== 'unknown'),
    { title: 'idle until an interrupt', registers: { r11: hcallToken(EV_EPAPR_VENDOR_ID, EV_IDLE) }, origin: { privilege: 'kernel', world: 'guest' }, call: 'EV_IDLE' },
    { title: 'r11 = 0x1002a0003: only the low 32 bits count (`int nr`)', registers: { r11: 0x1_002a_0003n }, origin: { privilege: 'kernel', world: 'guest' }, call: 'KVM_HC_FEATURES' },
    { title: 'an ePAPR byte-channel call: KVM does not implement it', registers: { r11: hcallToken(EV_EPAPR_VENDOR_ID, 1) }, origin: { privilege: 'kernel', world: 'guest' }, call: 'unknown' },
  ],
  notes: bookeHvNotes('KVM BookE-HV, v3.8 onwards.'),
});

/** The ePAPR specs, oldest first. */
export const EPAPR_ABIS: readonly Abi[] = [EPAPR, EPAPR_KVM_BOOKE_HV_V3_5, EPAPR_KVM_BOOKE_HV_V3_8];
