/**
 * KVM's paravirtual hypercall for PowerPC guest kernels on `sc` (LEV 0), the
 * conduit the guest's own system calls use, and the designs the 2010 list
 * discussion weighed to tell the two apart. Each design is an era of one
 * family, because each replaces the others:
 *
 * - the 2010 draft: r3/r4 hold magic values, checked only from guest kernel
 *   mode (`kvm-ppc-pv-2010-draft`), and the same draft without the privilege
 *   check (`kvm-ppc-pv-2010-draft-unchecked`), the hazard the list raised;
 * - what KVM merged: r0 = "KVM!" from guest kernel mode, the call token in r11
 *   (`kvm-ppc-pv`);
 * - the list's alternative: an `sc` is a hypercall iff it sits at a
 *   registered call site (`pc-keyed`).
 *
 * Facts: ../shared/abi-facts.md §8.3 (torvalds/linux:arch/powerpc/include/uapi/asm/kvm_para.h,
 * Documentation/virt/kvm/ppc-pv.rst, arch/powerpc/kvm/powerpc.c kvmppc_kvm_pv,
 * arch/powerpc/kvm/book3s_pr.c kvmppc_handle_exit_pr).
 *
 * @module
 */

import { defineAbi, type Abi, type AbiRecognition, type AbiSpec, type CallContext, type CallSpec } from '../../../src/abi/spec.ts';

/** `KVM_SC_MAGIC_R0`: "KVM!" in r0 marks a guest kernel's `sc` as a KVM hypercall. */
export const KVM_SC_MAGIC_R0 = 0x4b56_4d21n;

/** The 2010 draft's `KVM_SC_MAGIC_R3` ("KVMR"), from the patch series, not confirmed against a merged header. */
export const KVM_SC_MAGIC_R3_DRAFT = 0x4b56_4d52n;

/** The 2010 draft's `KVM_SC_MAGIC_R4` ("ULEZ"), from the patch series, not confirmed against a merged header. */
export const KVM_SC_MAGIC_R4_DRAFT = 0x554c_455an;

/** `EV_KVM_VENDOR_ID`: the vendor field of a KVM hypercall token. */
export const EV_KVM_VENDOR_ID = 42;

/** `EV_EPAPR_VENDOR_ID`: the vendor field of an ePAPR hypercall token. */
export const EV_EPAPR_VENDOR_ID = 1;

/** `_EV_HCALL_TOKEN(vendor, nr)` = `(vendor << 16) | nr`, the value in r11. */
export function hcallToken(vendor: number, nr: number): bigint {
  return (BigInt(vendor) << 16n) | BigInt(nr);
}

/** `KVM_HC_FEATURES`. */
export const KVM_HC_FEATURES = 3;

/** `KVM_HC_PPC_MAP_MAGIC_PAGE`. */
export const KVM_HC_PPC_MAP_MAGIC_PAGE = 4;

/** `EV_IDLE` (an ePAPR token KVM also answers). */
export const EV_IDLE = 16;

/** `KVM_FEATURE_MAGIC_PAGE`: a bit number; KVM_HC_FEATURES returns `1 << KVM_FEATURE_MAGIC_PAGE` in r4. */
export const KVM_FEATURE_MAGIC_PAGE = 1;

/** `KVM_MAGIC_FEAT_SR | KVM_MAGIC_FEAT_MAS0_TO_SPRG7`: what KVM_HC_PPC_MAP_MAGIC_PAGE returns in r4. */
export const KVM_MAGIC_FEATURES = 0x3n;

/** `EV_SUCCESS`. */
export const EV_SUCCESS = 0n;

/** `EV_UNIMPLEMENTED`: an unknown hypercall. */
export const EV_UNIMPLEMENTED = 12n;

/**
 * The registered call site the pc-keyed model is shown with. In the design it
 * is whatever address the guest registered; the static spec can only carry
 * one, so this is the guest kernel's hypercall stub in the model.
 */
export const PC_KEYED_CALL_SITE = 0xc000_0000_0000_1000n;

function kvmPvStatus(call: CallContext, r3: bigint, r4: bigint): { kind: 'return' } {
  call.set('r3', r3);
  // kvmppc_kvm_pv always writes r4 (its r2, 0 unless the call sets it).
  call.set('r4', r4);
  return { kind: 'return' };
}

/** The calls of the merged interface (kvmppc_kvm_pv), selected by the r11 token. */
function kvmPvCalls(): CallSpec[] {
  return [
    {
      name: 'KVM_HC_FEATURES',
      select: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_FEATURES),
      summary: 'which PV features the host offers: r3 ← EV_SUCCESS, r4 ← 1 << KVM_FEATURE_MAGIC_PAGE',
      results: [
        { register: 'r3', role: 'EV_SUCCESS (0)' },
        { register: 'r4', role: 'feature bits (1 << KVM_FEATURE_MAGIC_PAGE = 0x2)' },
      ],
      meaning: 'kvm-hc-features',
      run: (call) => kvmPvStatus(call, EV_SUCCESS, 1n << BigInt(KVM_FEATURE_MAGIC_PAGE)),
    },
    {
      name: 'KVM_HC_PPC_MAP_MAGIC_PAGE',
      select: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_PPC_MAP_MAGIC_PAGE),
      summary: 'map the shared magic page: r3 = guest physical address, r4 = effective address (−4096); r3 ← EV_SUCCESS, r4 ← KVM_MAGIC_FEAT_SR | KVM_MAGIC_FEAT_MAS0_TO_SPRG7',
      args: [
        { register: 'r3', role: 'magic page physical address' },
        { register: 'r4', role: 'magic page effective address' },
      ],
      results: [
        { register: 'r3', role: 'EV_SUCCESS (0)' },
        { register: 'r4', role: 'magic-page feature bits (0x3)' },
      ],
      meaning: 'kvm-hc-map-magic-page',
      run: (call) => kvmPvStatus(call, EV_SUCCESS, KVM_MAGIC_FEATURES),
    },
    {
      name: 'EV_IDLE',
      select: hcallToken(EV_EPAPR_VENDOR_ID, EV_IDLE),
      summary: 'the ePAPR idle token, answered by the same handler: the vCPU halts until an interrupt; r3 ← EV_SUCCESS',
      results: [{ register: 'r3', role: 'EV_SUCCESS (0)' }],
      meaning: 'ev-idle',
      run: (call) => kvmPvStatus(call, EV_SUCCESS, 0n),
    },
    {
      name: 'unknown',
      select: 'otherwise',
      summary: 'any other token: r3 ← EV_UNIMPLEMENTED (12)',
      results: [{ register: 'r3', role: 'EV_UNIMPLEMENTED (12)' }],
      clobbers: ['r4'],
      meaning: 'ev-unimplemented',
      run: (call) => kvmPvStatus(call, EV_UNIMPLEMENTED, 0n),
    },
  ];
}

const common = {
  family: 'kvm-ppc-pv',
  arch: 'ppc64',
  conduit: { instruction: 'sc', imm: 0n },
  priority: 20,
} as const satisfies Partial<AbiSpec>;

const DRAFT_SOURCE = {
  document: 'the 2010 KVM PPC paravirtualisation patch series on kvm-ppc@vger.kernel.org (KVM_SC_MAGIC_R3 / KVM_SC_MAGIC_R4); abi-facts §8.3',
  version: 'v2.6.35-era RFC (2010)',
  note: 'Taken from the 2010 patch series, NOT confirmed against a merged header: no tree with KVM_SC_MAGIC_R3/R4 was found with the search tool (abi-facts §8.3 lists the values as UNCONFIRMED). The draft\'s call-number register is not confirmed either; the model takes r5 and has one catch-all call.',
};

const DRAFT_CONDITIONS = [
  { register: 'r3', values: KVM_SC_MAGIC_R3_DRAFT, why: 'KVM_SC_MAGIC_R3 ("KVMR") marks a hypercall' },
  { register: 'r4', values: KVM_SC_MAGIC_R4_DRAFT, why: 'KVM_SC_MAGIC_R4 ("ULEZ") marks a hypercall' },
] as const;

function draftCall(): CallSpec {
  return {
    name: 'KVM_HYPERCALL',
    select: 'otherwise',
    summary: 'the draft hypercall: KVM handles it and returns to the guest; the number and arguments follow the magic (r5 onwards, UNCONFIRMED)',
    args: [{ register: 'r5', role: 'hypercall number (UNCONFIRMED)' }],
    meaning: 'kvm-ppc-pv-2010-draft-hypercall',
    run: () => ({ kind: 'return' }),
  };
}

/** The recognition cost of the r3/r4 magic draft, with or without the privilege check. */
function draftRecognition(privilegeCheck: boolean): AbiRecognition {
  return {
    inspects: privilegeCheck ? ['magic-registers', 'privilege'] : ['magic-registers'],
    registersGivenUp: 2,
    slowsSyscalls: `barely: two register compares${privilegeCheck ? ' (plus an MSR[PR] test)' : ''} on every \`sc\`; but r3 and r4 are the first two syscall arguments, so the guest loses them for hypercall arguments and a syscall whose arguments happen to equal the magic is stolen${privilegeCheck ? ' in kernel mode only' : ', from user space too'}`,
  };
}

/** The 2010 draft: r3/r4 magic, from guest kernel mode only. */
export const KVM_PPC_PV_2010_DRAFT: Abi = defineAbi({
  ...common,
  id: 'kvm-ppc-pv-2010-draft',
  era: '2010 draft (r3/r4 magic, privilege-checked)',
  status: 'draft',
  purpose:
    "The first proposal for KVM PowerPC paravirtual calls: a guest kernel's `sc` is a hypercall if and only if r3 and r4 hold KVM_SC_MAGIC_R3 and KVM_SC_MAGIC_R4. KVM checks MSR[PR] first, so user space cannot reach it; an in-kernel syscall whose first two arguments equal the magic still can.",
  source: DRAFT_SOURCE,
  origin: { privilege: ['kernel'], world: ['guest'] },
  selector: { register: 'r5', width: 64 },
  conditions: DRAFT_CONDITIONS,
  calls: [draftCall()],
  examples: [{ title: 'a guest kernel hypercall', registers: { r3: KVM_SC_MAGIC_R3_DRAFT, r4: KVM_SC_MAGIC_R4_DRAFT, r5: 3n }, call: 'KVM_HYPERCALL' }],
  notes: [
    'r3 and r4 are also the first two syscall arguments: a kernel-mode `sc` (an in-kernel syscall) with those argument values is taken as a hypercall. That is collision linux-syscall-ppc64 × kvm-ppc-pv-2010-draft.',
    'The magic values are compared as 64-bit registers here; KVM compares its merged magic values as (u32), and the draft probably did too (not modelled).',
  ],
  recognition: draftRecognition(true),
});

/** The 2010 draft as the list feared it could be implemented: no privilege check. */
export const KVM_PPC_PV_2010_DRAFT_UNCHECKED: Abi = defineAbi({
  ...common,
  id: 'kvm-ppc-pv-2010-draft-unchecked',
  era: '2010 draft without the privilege check',
  status: 'draft',
  purpose:
    "The 2010 r3/r4 magic draft with no MSR[PR] check, as the list objected it must not be: then a user process's `sc` whose first two arguments happen to equal the magic values is a hypercall, and the guest kernel never sees the syscall.",
  source: { ...DRAFT_SOURCE, note: `${DRAFT_SOURCE.note} This variant is the hazard the list raised, modelled for comparison; it is the same draft with origin user and kernel.` },
  origin: { privilege: ['user', 'kernel'], world: ['guest'] },
  selector: { register: 'r5', width: 64 },
  conditions: DRAFT_CONDITIONS,
  calls: [draftCall()],
  examples: [
    { title: 'a guest kernel hypercall', registers: { r3: KVM_SC_MAGIC_R3_DRAFT, r4: KVM_SC_MAGIC_R4_DRAFT, r5: 3n }, origin: { privilege: 'kernel', world: 'guest' }, call: 'KVM_HYPERCALL' },
    { title: 'a user getpid() whose r3/r4 happen to hold the magic: stolen', registers: { r0: 20n, r3: KVM_SC_MAGIC_R3_DRAFT, r4: KVM_SC_MAGIC_R4_DRAFT }, origin: { privilege: 'user', world: 'guest' }, call: 'KVM_HYPERCALL' },
  ],
  notes: ['Against kvm-ppc-pv-2010-draft: the same trap from user mode is a syscall there and a hypercall here. That is collision linux-syscall-ppc64 × kvm-ppc-pv-2010-draft-unchecked, witnessed from user mode.'],
  recognition: draftRecognition(false),
});

/** What KVM merged: r0 = "KVM!" from guest kernel mode, the token in r11. */
export const KVM_PPC_PV: Abi = defineAbi({
  ...common,
  id: 'kvm-ppc-pv',
  era: 'merged (v2.6.36 onwards)',
  status: 'mainline',
  purpose:
    "KVM's PowerPC paravirtual interface as merged: a guest kernel's `sc` with r0 = KVM_SC_MAGIC_R0 (\"KVM!\") is a hypercall. The token (vendor << 16 | nr, vendor KVM = 42) is in r11, arguments in r3–r10, status in r3 and a second result in r4. r0 is the syscall-number register, and 0x4b564d21 is no syscall number, so no syscall argument is given up.",
  source: {
    document:
      'torvalds/linux:arch/powerpc/include/uapi/asm/kvm_para.h (KVM_SC_MAGIC_R0, KVM_HC_*); Documentation/virt/kvm/ppc-pv.rst; arch/powerpc/kvm/powerpc.c kvmppc_kvm_pv (token switch; r4 always written); arch/powerpc/kvm/book3s_pr.c kvmppc_handle_exit_pr (BOOK3S_INTERRUPT_SYSCALL: "!(msr & MSR_PR) && (u32)r0 == KVM_SC_MAGIC_R0")',
    version: 'v2.6.36',
  },
  origin: { privilege: ['kernel'], world: ['guest'] },
  selector: { register: 'r11', width: 64 },
  conditions: [{ register: 'r0', values: KVM_SC_MAGIC_R0, why: 'KVM_SC_MAGIC_R0 ("KVM!") marks a hypercall' }],
  calls: kvmPvCalls(),
  examples: [
    { title: 'the guest kernel asks for the PV features', registers: { r0: KVM_SC_MAGIC_R0, r11: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_FEATURES) }, call: 'KVM_HC_FEATURES' },
    {
      title: 'the guest kernel maps the magic page at −4096',
      registers: { r0: KVM_SC_MAGIC_R0, r11: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_PPC_MAP_MAGIC_PAGE), r3: 0x3fff_f000n, r4: 0xffff_ffff_ffff_f000n },
      call: 'KVM_HC_PPC_MAP_MAGIC_PAGE',
    },
    { title: 'idle until an interrupt', registers: { r0: KVM_SC_MAGIC_R0, r11: hcallToken(EV_EPAPR_VENDOR_ID, EV_IDLE) }, call: 'EV_IDLE' },
    { title: 'an unknown token', registers: { r0: KVM_SC_MAGIC_R0, r11: hcallToken(EV_KVM_VENDOR_ID, 99) }, call: 'unknown' },
  ],
  notes: [
    'KVM compares (u32)r0, so the upper half of r0 is ignored; the model requires it to be 0 (a narrowing of the real check).',
    'The instruction sequence the guest gets from KVM_PPC_GET_PVINFO on Book3S PR is `lis r0,0x4b56; ori r0,r0,0x4d21; sc; nop`. On BookE-HV the same calls go through `sc 1` (the ePAPR conduit), which this spec does not model.',
    'In 32-bit mode (MSR[SF] = 0) KVM truncates the arguments r3–r6 to 32 bits.',
    'Book3S PR tests the OSI magic first (when OSI is enabled), then this one: see kvm-ppc-osi.',
  ],
  recognition: {
    inspects: ['magic-registers', 'privilege'],
    registersGivenUp: 1,
    slowsSyscalls: 'barely: one compare of r0 (plus an MSR[PR] test) on every `sc`; r0 is the syscall number, and "KVM!" is no syscall number, so no syscall can be mistaken for a hypercall; r11 carries the token',
  },
});

/** The list's alternative: an `sc` at the registered call site is a hypercall. */
export const PC_KEYED: Abi = defineAbi({
  ...common,
  id: 'pc-keyed',
  era: '2010 list alternative (call-site address)',
  status: 'alternative',
  purpose:
    'The alternative proposed on the list: no magic value at all. The guest registers one call site with the hypervisor, and an `sc` is a hypercall if and only if it traps from that address (SRR0 − 4). Registering the call site is itself a hypercall.',
  source: {
    document: 'the 2010 KVM PPC paravirtualisation discussion on kvm-ppc@vger.kernel.org (replies to the r3/r4 magic draft); hyplay issue 5 §3',
    version: '2010 list discussion (v2.6.35 era)',
    note: 'Never implemented. The spec is a model of the idea, shown with one registered call site (PC_KEYED_CALL_SITE) and the merged token layout (r11) for the call number; both are modelling choices, not part of the proposal as recorded.',
  },
  origin: { privilege: ['kernel'], world: ['guest'] },
  selector: { register: 'r11', width: 64 },
  conditions: [{ register: 'pc', values: PC_KEYED_CALL_SITE, why: 'the `sc` must sit at the registered call site (the hypervisor compares SRR0 − 4)' }],
  calls: [
    {
      name: 'hypercall',
      select: 'otherwise',
      summary: 'any `sc` at the registered site: the hypervisor handles the call named by r11 and returns to the guest',
      args: [{ register: 'r11', role: 'call token (modelled as in kvm-ppc-pv)' }],
      meaning: 'pc-keyed-hypercall',
      run: () => ({ kind: 'return' }),
    },
  ],
  examples: [{ title: 'the guest kernel calls through its registered stub', registers: { pc: PC_KEYED_CALL_SITE, r11: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_FEATURES) }, call: 'hypercall' }],
  notes: [
    'The spec model has no PC selector, but the ppc64 register view exposes `pc`, so the call site is a condition on the pseudo-register `pc`: the address of the trapping `sc`. A static spec carries one registered site; a real hypervisor would keep a per-guest (per-vCPU) table that the guest fills at run time.',
    'Bootstrap cost: registering the call site is itself a hypercall, and before any site is registered no `sc` is keyed. The first registration therefore needs some other recognition (a magic value, `sc 1`, or a site the hypervisor announces in the device tree), so the design does not remove the magic value, it confines it to one call. Kexec, relocation or a module that calls from elsewhere must re-register or trampoline through the site.',
    'No register is given up and syscalls are never misread (a syscall is never issued from the hypervisor stub), but every hypercall must branch to the one site, and the check needs the hypervisor to compare the trapping address on every `sc`: cheap (SRR0 is at hand, no instruction fetch).',
  ],
  recognition: {
    inspects: ['pc'],
    registersGivenUp: 0,
    slowsSyscalls: 'barely: one compare of SRR0 against the registered site (or a small table) on every `sc`; no instruction fetch and no register is given up, but the registration call has to be recognised some other way',
  },
});

/** Every design, oldest first. */
export const KVM_PPC_PV_ABIS: readonly Abi[] = [KVM_PPC_PV_2010_DRAFT, KVM_PPC_PV_2010_DRAFT_UNCHECKED, KVM_PPC_PV, PC_KEYED];
