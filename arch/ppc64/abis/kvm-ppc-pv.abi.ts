/**
 * KVM's paravirtual hypercall for PowerPC guest kernels on `sc` (LEV 0), the
 * conduit the guest's own system calls use, and the designs the 2010 list
 * discussion weighed to tell the two apart. Each design is an era of one
 * family, because each replaces the others:
 *
 * - the 2010 draft: r3/r4 hold magic values, checked only from guest kernel
 *   mode (`kvm-ppc-pv-2010-draft`), and the same draft without the privilege
 *   check (`kvm-ppc-pv-2010-draft-unchecked`), the hazard the list raised;
 * - what KVM merged: r0 = "KVM!" from guest kernel mode, the call token in r11,
 *   in three releases of its handler `kvmppc_kvm_pv`: v2.6.37–v3.3
 *   (`kvm-ppc-pv-v2.6.37`: the magic page with KVM_MAGIC_FEAT_SR only, EV_IDLE
 *   unimplemented), v3.4–v3.7 (`kvm-ppc-pv-v3.4`: MAS0–SPRG7 in the magic page
 *   too) and v3.8 onwards (`kvm-ppc-pv-v3.8`: EV_IDLE answered);
 * - the list's alternative: an `sc` is a hypercall iff it sits at a
 *   registered call site (`pc-keyed`).
 *
 * The same handler answers `sc 1` on BookE-HV; those specs (ePAPR family)
 * build their calls with {@link kvmPvCalls} too.
 *
 * Facts: ../shared/abi-facts.md §8.3 (the v2.6.36, v2.6.37, v3.3, v3.5–v3.9
 * and v5.7 trees: arch/powerpc/kvm/powerpc.c kvmppc_kvm_pv,
 * arch/powerpc/kvm/book3s.c / book3s_pr.c, arch/powerpc/include/asm/kvm_para.h).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type AbiRecognition, type AbiSelector, type AbiSpec, type CallContext, type CallSpec, type RegisterHandle, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { MSR, R3, R4 } from './spec-registers.ts';
import { hexValue } from '../../../src/abi/value-set.ts';

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

/** `KVM_MAGIC_FEAT_SR`: the magic page carries the segment registers. The only magic-page feature up to v3.3. */
export const KVM_MAGIC_FEAT_SR = 0x1n;

/** `KVM_MAGIC_FEAT_MAS0_TO_SPRG7`: MASn, ESR, PIR and the high SPRGs are in the magic page too (from v3.4). */
export const KVM_MAGIC_FEAT_MAS0_TO_SPRG7 = 0x2n;

/** `EV_SUCCESS`. */
export const EV_SUCCESS = 0n;

/** `EV_UNIMPLEMENTED`: an unknown hypercall. */
export const EV_UNIMPLEMENTED = 12n;

/** MSR[SF] (LSB-0 bit 63): 64-bit mode; without it KVM truncates the arguments r3–r6 to 32 bits. */
export const MSR_SF = 1n << 63n;

/** The hypervisor-state keys KVM_HC_PPC_MAP_MAGIC_PAGE sets: `vcpu->arch.magic_page_pa` and `magic_page_ea`. */
export const MAGIC_PAGE_STATE = {
  /** The magic page's guest physical address (r3). */
  physical: 'kvm.magic_page_pa',
  /** The magic page's effective address (r4). */
  effective: 'kvm.magic_page_ea',
} as const;

/**
 * The registered call site the pc-keyed model is shown with. In the design it
 * is whatever address the guest registered; the static spec can only carry
 * one, so this is the guest kernel's hypercall stub in the model.
 */
export const PC_KEYED_CALL_SITE = 0xc000_0000_0000_1000n;

/** What one release of `kvmppc_kvm_pv` (arch/powerpc/kvm/powerpc.c) answers, on one host. */
export interface KvmPvHandler {
  /** r4 of KVM_HC_PPC_MAP_MAGIC_PAGE: KVM_MAGIC_FEAT_SR, or SR | MAS0_TO_SPRG7 from v3.4. */
  readonly magicPageFeatures: bigint;
  /** r4 of KVM_HC_FEATURES: 1 << KVM_FEATURE_MAGIC_PAGE on Book3S (and e500v2), 0 on e500mc (BookE-HV). */
  readonly featureBits: bigint;
  /** Whether the switch has `case EV_HCALL_TOKEN(EV_IDLE)` (v3.8 onwards). */
  readonly evIdle: boolean;
}

function kvmPvStatus(call: CallContext, r3: bigint, r4: bigint): ReturnOutcome {
  call.set(R3, r3);
  // kvmppc_kvm_pv always writes r4 (its r2, 0 unless the call sets it).
  call.set(R4, r4);
  return RETURN;
}

/** An argument as kvmppc_kvm_pv reads it: truncated to 32 bits when the guest runs with MSR[SF] = 0. */
function kvmPvArgument(call: CallContext, register: RegisterHandle): bigint {
  const value = call.get(register);
  return (call.get(MSR) & MSR_SF) === 0n ? BigInt.asUintN(32, value) : value;
}

/**
 * The calls of `kvmppc_kvm_pv`, selected by the r11 token. KVM reads the
 * token as `int nr = kvmppc_get_gpr(vcpu, 11)`, so only its low 32 bits
 * count; the specs built from these calls give the selector width 32.
 */
export function kvmPvCalls(handler: KvmPvHandler): CallSpec[] {
  const features = handler.featureBits === 0n ? '0: no magic page offered (the magic-page bit is set only for Book3S and e500v2)' : `1 << KVM_FEATURE_MAGIC_PAGE = ${hexValue(handler.featureBits)}`;
  const magic = handler.magicPageFeatures === KVM_MAGIC_FEAT_SR ? 'KVM_MAGIC_FEAT_SR' : 'KVM_MAGIC_FEAT_SR | KVM_MAGIC_FEAT_MAS0_TO_SPRG7';
  const calls: CallSpec[] = [
    {
      name: 'KVM_HC_FEATURES',
      select: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_FEATURES),
      summary: `which PV features the host offers: r3 ← EV_SUCCESS, r4 ← ${features}`,
      results: [
        { register: 'r3', role: 'EV_SUCCESS (0)' },
        { register: 'r4', role: `feature bits (${hexValue(handler.featureBits)})` },
      ],
      meaning: 'kvm-hc-features',
      run: (call) => kvmPvStatus(call, EV_SUCCESS, handler.featureBits),
    },
    {
      name: 'KVM_HC_PPC_MAP_MAGIC_PAGE',
      select: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_PPC_MAP_MAGIC_PAGE),
      summary: `map the shared magic page: KVM records r3 (guest physical address) and r4 (effective address, −4096) as the vCPU's magic page; r3 ← EV_SUCCESS, r4 ← ${magic} (${hexValue(handler.magicPageFeatures)})`,
      args: [
        { register: 'r3', role: 'magic page physical address' },
        { register: 'r4', role: 'magic page effective address' },
      ],
      results: [
        { register: 'r3', role: 'EV_SUCCESS (0)' },
        { register: 'r4', role: `magic-page feature bits (${hexValue(handler.magicPageFeatures)})` },
      ],
      meaning: 'kvm-hc-map-magic-page',
      run: (call) => {
        // vcpu->arch.magic_page_pa = param1; magic_page_ea = param2 (v5.7 also masks both to the page and may drop kernel NX: not modelled).
        call.state.set(MAGIC_PAGE_STATE.physical, kvmPvArgument(call, R3));
        call.state.set(MAGIC_PAGE_STATE.effective, kvmPvArgument(call, R4));
        return kvmPvStatus(call, EV_SUCCESS, handler.magicPageFeatures);
      },
    },
  ];
  if (handler.evIdle) {
    calls.push({
      name: 'EV_IDLE',
      select: hcallToken(EV_EPAPR_VENDOR_ID, EV_IDLE),
      summary: 'the ePAPR idle token, answered by the same handler: the vCPU blocks until an interrupt (kvm_vcpu_block, not modelled: dispatch returns at once); r3 ← EV_SUCCESS',
      results: [{ register: 'r3', role: 'EV_SUCCESS (0)' }],
      clobbers: ['r4'],
      meaning: 'ev-idle',
      run: (call) => kvmPvStatus(call, EV_SUCCESS, 0n),
    });
  }
  calls.push({
    name: 'unknown',
    select: 'otherwise',
    summary: `any other token${handler.evIdle ? '' : ', EV_IDLE (0x10010) included: this release has no case for it'}: r3 ← EV_UNIMPLEMENTED (12)`,
    results: [{ register: 'r3', role: 'EV_UNIMPLEMENTED (12)' }],
    clobbers: ['r4'],
    meaning: 'ev-unimplemented',
    run: (call) => kvmPvStatus(call, EV_UNIMPLEMENTED, 0n),
  });
  return calls;
}

/** The token selector of kvmppc_kvm_pv: r11, narrowed to 32 bits (`int nr`). */
export const KVM_PV_SELECTOR: AbiSelector = { register: 'r11', width: 32 };

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
    run: () => RETURN,
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

/** Book3S PR KVM's answers (KVM_HC_FEATURES offers the magic page), per release of kvmppc_kvm_pv. */
const BOOK3S_V2_6_37: KvmPvHandler = { magicPageFeatures: KVM_MAGIC_FEAT_SR, featureBits: 1n << BigInt(KVM_FEATURE_MAGIC_PAGE), evIdle: false };
const BOOK3S_V3_4: KvmPvHandler = { ...BOOK3S_V2_6_37, magicPageFeatures: KVM_MAGIC_FEAT_SR | KVM_MAGIC_FEAT_MAS0_TO_SPRG7 };
const BOOK3S_V3_8: KvmPvHandler = { ...BOOK3S_V3_4, evIdle: true };

const MERGED_PURPOSE =
  "KVM's PowerPC paravirtual interface as merged: a guest kernel's `sc` with r0 = KVM_SC_MAGIC_R0 (\"KVM!\") is a hypercall. The token (vendor << 16 | nr, vendor KVM = 42) is in r11, arguments in r3–r10, status in r3 and a second result in r4. r0 is the syscall-number register, and 0x4b564d21 is no syscall number, so no syscall argument is given up.";

const MERGED_CONDITIONS = [{ register: 'r0', values: KVM_SC_MAGIC_R0, why: 'KVM_SC_MAGIC_R0 ("KVM!") marks a hypercall; KVM compares (u32)r0' }] as const;

const MERGED_EXAMPLES = [
  { title: 'the guest kernel asks for the PV features', registers: { r0: KVM_SC_MAGIC_R0, r11: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_FEATURES) }, call: 'KVM_HC_FEATURES' },
  {
    title: 'the guest kernel maps the magic page at −4096 (64-bit mode)',
    registers: { r0: KVM_SC_MAGIC_R0, r11: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_PPC_MAP_MAGIC_PAGE), r3: 0x3fff_f000n, r4: 0xffff_ffff_ffff_f000n, msr: MSR_SF },
    call: 'KVM_HC_PPC_MAP_MAGIC_PAGE',
  },
  { title: 'r11 = 0x1002a0003: only the low 32 bits count (`int nr`), so this is KVM_HC_FEATURES', registers: { r0: KVM_SC_MAGIC_R0, r11: 0x1_002a_0003n }, call: 'KVM_HC_FEATURES' },
  { title: 'r0 = 0xffffffff4b564d21: KVM compares (u32)r0, so this is still the magic', registers: { r0: 0xffff_ffff_4b56_4d21n, r11: hcallToken(EV_KVM_VENDOR_ID, KVM_HC_FEATURES) }, call: 'KVM_HC_FEATURES' },
  { title: 'an unknown token', registers: { r0: KVM_SC_MAGIC_R0, r11: hcallToken(EV_KVM_VENDOR_ID, 99) }, call: 'unknown' },
] as const;

function mergedNotes(era: string): string[] {
  return [
    `${era} The token is read as \`int nr = kvmppc_get_gpr(vcpu, 11)\` and r0 as \`(u32)kvmppc_get_gpr(vcpu, 0)\`, so the selector is 32 bits wide: the upper halves of r11 and r0 are ignored (r11 = 0x1002a0003 is KVM_HC_FEATURES). The arguments r3–r6 are truncated to 32 bits only when the guest runs with MSR[SF] = 0.`,
    'The instruction sequence the guest gets from KVM_PPC_GET_PVINFO on Book3S PR is `lis r0,0x4b56; ori r0,r0,0x4d21; sc; nop`. On BookE-HV the same handler answers `sc 1` instead, without the r0 magic: see epapr-kvm-booke-hv-*.',
    'Book3S PR sees `sc` and `sc 1` alike (both arrive as a system call interrupt), so with PAPR off a `sc 1` carrying the magic is taken too; the spec models the `sc` conduit only.',
    'Book3S PR tests, in order: PAPR `sc 1` (when PAPR is on), the OSI magic (when OSI is on), then this magic, and reflects anything else to the guest as a system call: see kvm-ppc-osi and papr-kvm.',
  ];
}

const MERGED_RECOGNITION: AbiRecognition = {
  inspects: ['magic-registers', 'privilege'],
  registersGivenUp: 1,
  slowsSyscalls: 'barely: one compare of r0 (plus an MSR[PR] test) on every `sc`; r0 is the syscall number, and "KVM!" is no syscall number, so no syscall can be mistaken for a hypercall; r11 carries the token',
};

/** What a merged era of kvm-ppc-pv varies: its id, era, handler and sources. */
interface MergedEra {
  readonly id: string;
  readonly era: string;
  readonly handler: KvmPvHandler;
  readonly document: string;
  readonly version: string;
  readonly note: string;
  readonly examples: AbiSpec['examples'];
}

function mergedEra(era: MergedEra): Abi {
  return defineAbi({
    ...common,
    id: era.id,
    era: era.era,
    status: 'mainline',
    purpose: MERGED_PURPOSE,
    source: { document: era.document, version: era.version, note: era.note },
    origin: { privilege: ['kernel'], world: ['guest'] },
    selector: KVM_PV_SELECTOR,
    conditions: MERGED_CONDITIONS,
    calls: kvmPvCalls(era.handler),
    examples: [...MERGED_EXAMPLES, ...era.examples],
    notes: mergedNotes(`Book3S PR KVM, ${era.era}.`),
    recognition: MERGED_RECOGNITION,
  });
}

const IDLE_TOKEN = hcallToken(EV_EPAPR_VENDOR_ID, EV_IDLE);

/** The example of the eras before v3.8, which have no case for EV_IDLE. */
const IDLE_UNIMPLEMENTED = { title: 'EV_IDLE: no case for it before v3.8, so EV_UNIMPLEMENTED', registers: { r0: KVM_SC_MAGIC_R0, r11: IDLE_TOKEN }, call: 'unknown' } as const;

/** The first release: v2.6.37–v3.3, KVM_MAGIC_FEAT_SR only and no EV_IDLE. */
export const KVM_PPC_PV_V2_6_37: Abi = mergedEra({
  id: 'kvm-ppc-pv-v2.6.37',
  era: 'v2.6.37–v3.3 (magic page with KVM_MAGIC_FEAT_SR only; no EV_IDLE)',
  handler: BOOK3S_V2_6_37,
  document:
    'v2.6.37 tree (srinugnt2000/linux-2.6.37 @06664e69): arch/powerpc/kvm/powerpc.c:45-90 kvmppc_kvm_pv (`int nr = kvmppc_get_gpr(vcpu, 11)`; MAP_MAGIC_PAGE r2 = KVM_MAGIC_FEAT_SR; KVM_HC_FEATURES r2 |= 1 << KVM_FEATURE_MAGIC_PAGE on Book3S; default HC_EV_UNIMPLEMENTED; r4 always written), arch/powerpc/kvm/book3s.c:1021-1040 (BOOK3S_INTERRUPT_SYSCALL: OSI first, then `!(msr & MSR_PR) && (u32)r0 == KVM_SC_MAGIC_R0`), arch/powerpc/include/asm/kvm_para.h:43-50; v3.3 tree (ciminaghi/linux-3.3.8 @72877bd7): the same kvmppc_kvm_pv (powerpc.c:45-91), book3s_pr.c:653-700',
  version: 'v2.6.37',
  note: 'The first release with the interface: the v2.6.36 tree has no KVM_SC_MAGIC_R0, no kvmppc_kvm_pv and no ppc-pv document (abi-facts §8.3). Documentation/virt/kvm/ppc-pv.rst is the later document of the same ABI.',
  examples: [IDLE_UNIMPLEMENTED],
});

/** v3.4–v3.7: the magic page also carries MAS0–SPRG7; still no EV_IDLE. */
export const KVM_PPC_PV_V3_4: Abi = mergedEra({
  id: 'kvm-ppc-pv-v3.4',
  era: 'v3.4–v3.7 (magic page with KVM_MAGIC_FEAT_SR | KVM_MAGIC_FEAT_MAS0_TO_SPRG7; still no EV_IDLE)',
  handler: BOOK3S_V3_4,
  document:
    'v3.5 tree (12thmantec/linux-3.5 @cf4c694b, Makefile 3.5.0), v3.6 tree (liulijun-dev/linux-3.6 @3f7ca3bd) and v3.7 tree (robacklin/linux-3.7.2 @47011c3d): arch/powerpc/kvm/powerpc.c kvmppc_kvm_pv (v3.7.2 :51-95: MAP_MAGIC_PAGE r2 = KVM_MAGIC_FEAT_SR | KVM_MAGIC_FEAT_MAS0_TO_SPRG7; no EV_IDLE case); arch/powerpc/include/asm/kvm_para.h (KVM_MAGIC_FEAT_MAS0_TO_SPRG7 = 1 << 1)',
  version: 'v3.4',
  note: 'The first release is v3.4 as far as the trees show: the v3.3.8 tree lacks KVM_MAGIC_FEAT_MAS0_TO_SPRG7, a 3.4-based vendor import (atefganm/linux-3.4.113 @9c5c5adc, Makefile 3.4 with EXTRAVERSION -4.0) and the 3.5.0 tree have it; no clean v3.4 release tree was checked. EV_IDLE is absent up to v3.7.2 and present in v3.8.13.',
  examples: [IDLE_UNIMPLEMENTED],
});

/** v3.8 onwards: EV_IDLE is answered too. */
export const KVM_PPC_PV_V3_8: Abi = mergedEra({
  id: 'kvm-ppc-pv-v3.8',
  era: 'v3.8 onwards (adds EV_IDLE)',
  handler: BOOK3S_V3_8,
  document:
    'v3.8 tree (opennetworklinux/linux-3.8.13 @9cabf0dd, Makefile 3.8.13): arch/powerpc/kvm/powerpc.c:127-177 kvmppc_kvm_pv (`case EV_HCALL_TOKEN(EV_IDLE)` at :165; r2 = KVM_MAGIC_FEAT_SR | KVM_MAGIC_FEAT_MAS0_TO_SPRG7), :949 kvm_vm_ioctl_get_pvinfo sets KVM_PPC_PVINFO_FLAGS_EV_IDLE; v3.9 tree (opennetworklinux/linux-3.9.6 @d0512f06) the same; v5.7 tree (a5221985/linux-5.7.14 @5d0b54d9): powerpc.c:161-250 (EV_IDLE at :237), arch/powerpc/kvm/book3s_pr.c:1297-1357 (PAPR at :1313, OSI at :1335, `!(msr & MSR_PR) && (u32)r0 == KVM_SC_MAGIC_R0` at :1347), arch/powerpc/include/uapi/asm/kvm_para.h:78-95',
  version: 'v3.8',
  note: 'The v3.7.2 tree has no EV_IDLE case, the v3.8.13 tree has it, so v3.8 is the first release (abi-facts Appendix A item 10). By v5.7 MAP_MAGIC_PAGE also rounds both addresses down to the page and, when r4 lacks MAGIC_PAGE_FLAG_NOT_MAPPED_NX (1 << 0), turns off the kernel NX capability; the model records r3 and r4 as given.',
  examples: [{ title: 'idle until an interrupt', registers: { r0: KVM_SC_MAGIC_R0, r11: IDLE_TOKEN }, call: 'EV_IDLE' }],
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
      run: () => RETURN,
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
export const KVM_PPC_PV_ABIS: readonly Abi[] = [KVM_PPC_PV_2010_DRAFT, KVM_PPC_PV_2010_DRAFT_UNCHECKED, KVM_PPC_PV_V2_6_37, KVM_PPC_PV_V3_4, KVM_PPC_PV_V3_8, PC_KEYED];

/** The merged eras of kvm-ppc-pv, oldest first. */
export const KVM_PPC_PV_MERGED: readonly Abi[] = [KVM_PPC_PV_V2_6_37, KVM_PPC_PV_V3_4, KVM_PPC_PV_V3_8];
