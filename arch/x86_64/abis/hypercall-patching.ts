/**
 * KVM's patching of the other vendor's hypercall instruction
 * (`emulator_fix_hypercall`), as a decision the host model takes on the #UD
 * a guest's `vmcall` raises on an AMD host, or its `vmmcall` on an Intel
 * one: KVM intercepts the #UD, its emulator decodes the instruction, and
 * either rewrites the three bytes in guest memory to the native instruction
 * and re-executes them (RIP not advanced, so the next step is the native
 * VM exit), or delivers an exception to the guest.
 *
 * The rules are asymmetric (abi-facts §9.1, §9.4): group 7 decodes VMCALL
 * with `Priv` (#GP(0) at CPL ≠ 0) and VMMCALL with `Prot` (#UD in real mode,
 * no CPL test), so on an AMD host a CPL-3 `vmcall` is #GP(0) and never
 * patched, while on an Intel host a CPL-3 `vmmcall` is patched (user text
 * changes) and then answered −KVM_EPERM. Up to v3.x the fix-up first zaps
 * every shadow page of the VM (`kvm_mmu_zap_all`) so that all vCPUs see
 * the new bytes at once; v4.11 has no zap. Later KVM lets userspace turn
 * the patching off (`KVM_X86_QUIRK_FIX_HYPERCALL_INSN` cleared: #UD
 * instead), and a failed write is #UD.
 *
 * Facts: ../shared/abi-facts.md §9.1 "How the wrong-vendor instruction is
 * patched" (v3.x emulate.c group7: `I(SrcNone | ModRM | Priv |
 * VendorSpecific, em_vmcall)`, `II(SrcNone | ModRM | Prot | VendorSpecific,
 * em_vmmcall, vmmcall)`; v4.11 and v5.7 trees emulate.c (`EmulateOnUD`,
 * em_hypercall), x86.c emulator_fix_hypercall, vmx.c vmx_patch_hypercall,
 * svm.c svm_patch_hypercall; the quirk patch and KVM selftest
 * fix_hypercall_test.c).
 *
 * @module
 */

/** The two hypercall instructions. */
export type HypercallInstruction = 'vmcall' | 'vmmcall';

/** The host CPU's virtualization vendor. */
export type HostVendor = 'intel' | 'amd';

/** The bytes of each instruction (llvm-mc, abi-facts §0). */
export const HYPERCALL_BYTES: Readonly<Record<HypercallInstruction, readonly [number, number, number]>> = {
  vmcall: [0x0f, 0x01, 0xc1],
  vmmcall: [0x0f, 0x01, 0xd9],
};

/** The instruction each vendor's host runs natively (the one `patch_hypercall` writes). */
export const NATIVE_HYPERCALL: Readonly<Record<HostVendor, HypercallInstruction>> = { intel: 'vmcall', amd: 'vmmcall' };

/** `KVM_X86_QUIRK_FIX_HYPERCALL_INSN` (1 << 5): set by default; userspace clears it to stop the patching. */
export const KVM_X86_QUIRK_FIX_HYPERCALL_INSN = 1 << 5;

/** One era of the patching. */
export interface PatchingEra {
  /** Short name (`v3.9`, `v4.11`, `quirk`). */
  readonly key: string;
  /** The releases it covers. */
  readonly era: string;
  /** The emulator entry: `em_vmcall`/`em_vmmcall` (VendorSpecific) or `em_hypercall` (EmulateOnUD). */
  readonly entry: string;
  /** Whether the fix-up first zaps the whole MMU (`kvm_mmu_zap_all`). */
  readonly zapsMmu: boolean;
  /** Whether userspace can turn the patching off (`KVM_X86_QUIRK_FIX_HYPERCALL_INSN`). */
  readonly hasQuirk: boolean;
  /** Where the era's facts come from. */
  readonly source: string;
}

/** The eras of the patching. */
export const PATCHING_ERAS: readonly PatchingEra[] = [
  {
    key: 'v3.9',
    era: 'v3.9–v3.10 (the checked trees)',
    entry: 'em_vmcall / em_vmmcall, flag VendorSpecific',
    zapsMmu: true,
    hasQuirk: false,
    source: 'v3.9 tree arch/x86/kvm/x86.c emulator_fix_hypercall (kvm_mmu_zap_all first), emulate.c group7 (Priv | VendorSpecific em_vmcall; Prot | VendorSpecific em_vmmcall)',
  },
  {
    key: 'v4.11',
    era: 'v4.11–the quirk (by v4.11 the zap is gone)',
    entry: 'em_hypercall, flag EmulateOnUD',
    zapsMmu: false,
    hasQuirk: false,
    source: 'v4.11 and v5.7 trees arch/x86/kvm/emulate.c (I(SrcNone | Priv | EmulateOnUD, em_hypercall); II(SrcNone | Prot | EmulateOnUD, em_hypercall, vmmcall)), x86.c emulator_fix_hypercall (ctxt->_eip = ctxt->eip: "Let the processor re-execute the fixed hypercall")',
  },
  {
    key: 'quirk',
    era: 'KVM_X86_QUIRK_FIX_HYPERCALL_INSN (O. Upton, 2022; release UNCONFIRMED) on',
    entry: 'em_hypercall, flag EmulateOnUD',
    zapsMmu: false,
    hasQuirk: true,
    source: 'the quirk patch (kvm_check_has_quirk(vcpu->kvm, KVM_X86_QUIRK_FIX_HYPERCALL_INSN), else kvm_queue_exception(vcpu, UD_VECTOR)); tools/testing/selftests/kvm/x86/fix_hypercall_test.c',
  },
];

/** The three bytes at RIP become the native instruction; RIP stays, and the guest re-executes it. */
export interface PatchedOutcome {
  /** Discriminant. */
  readonly kind: 'patched';
  /** The native instruction's bytes, written at RIP. */
  readonly bytes: readonly number[];
  /** Whether the era zaps the whole MMU first. */
  readonly zapsMmu: boolean;
  /** What happened, one line. */
  readonly note: string;
}

/** KVM delivers an exception to the guest at the instruction (RIP stays). */
export interface ExceptionOutcome {
  /** Discriminant. */
  readonly kind: 'exception';
  /** Which exception. */
  readonly vector: 'UD' | 'GP';
  /** Its error code, for #GP. */
  readonly errorCode?: number;
  /** Why, one line. */
  readonly note: string;
}

/** Not a #UD from a hypercall instruction: the native one exits directly. */
export interface NativeOutcome {
  /** Discriminant. */
  readonly kind: 'native';
  /** Why, one line. */
  readonly note: string;
}

/** What the #UD of a hypercall instruction leads to. */
export type PatchOutcome = PatchedOutcome | ExceptionOutcome | NativeOutcome;

/** What the caller of {@link fixHypercall} knows about the trapping guest. */
export interface PatchQuery {
  /** The host's vendor. */
  readonly vendor: HostVendor;
  /** The instruction at RIP. */
  readonly instruction: HypercallInstruction;
  /** The guest's CPL. */
  readonly cpl: number;
  /** CR0.PE: protected mode (VMMCALL's `Prot`). */
  readonly protectedMode: boolean;
  /** Whether userspace left `KVM_X86_QUIRK_FIX_HYPERCALL_INSN` set (eras without the quirk ignore it). */
  readonly quirkEnabled: boolean;
  /** Whether the write of the new bytes succeeds (the guest page is mapped and writable to KVM). */
  readonly writable: boolean;
}

/**
 * What KVM does with the #UD of a hypercall instruction in one era. The
 * native instruction never gets here (it exits with reason 18 or 0x81).
 */
export function fixHypercall(era: PatchingEra, query: PatchQuery): PatchOutcome {
  const native = NATIVE_HYPERCALL[query.vendor];
  if (query.instruction === native) return { kind: 'native', note: `${native} is the ${query.vendor === 'intel' ? 'Intel' : 'AMD'} host's own instruction: it exits, no #UD` };
  // The emulator's decode checks (emulate.c x86_emulate_insn): Priv for VMCALL, Prot for VMMCALL.
  if (query.instruction === 'vmcall' && query.cpl !== 0) return { kind: 'exception', vector: 'GP', errorCode: 0, note: 'VMCALL is decoded with Priv: CPL ≠ 0 → #GP(0), and the instruction is not patched' };
  if (query.instruction === 'vmmcall' && !query.protectedMode) return { kind: 'exception', vector: 'UD', note: 'VMMCALL is decoded with Prot: outside protected mode → #UD' };
  if (era.hasQuirk && !query.quirkEnabled) return { kind: 'exception', vector: 'UD', note: 'KVM_X86_QUIRK_FIX_HYPERCALL_INSN is cleared: KVM queues #UD instead of patching' };
  if (!query.writable) return { kind: 'exception', vector: 'UD', note: 'the write of the native bytes fails (emulator_write_emulated): the emulation fails and the guest gets #UD' };
  const bytes = HYPERCALL_BYTES[native];
  return {
    kind: 'patched',
    bytes,
    zapsMmu: era.zapsMmu,
    note: `${era.zapsMmu ? 'kvm_mmu_zap_all, then ' : ''}patch_hypercall writes ${bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')} (${native}) at RIP; RIP is not advanced, so the guest re-executes it${query.cpl !== 0 ? ' (at CPL ' + query.cpl + ': the user text is modified, and the call then gets −KVM_EPERM)' : ''}`,
  };
}
