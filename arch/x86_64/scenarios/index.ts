/**
 * The x86_64 scenario catalog (hyplay issue 11 §3; fact sheet §9.8): the
 * history of x86 hypercalls replayed as real guest code. A guest kernel
 * (`kernel.s`: GDT, TSS, IDT, SYSCALL MSRs, as early boot leaves them) runs
 * each scenario's `main`; the hypervisor is not guest code but the spec
 * host model (`SpecHost`, a {@link HostFirmware}) that sees every VM exit,
 * patches the other vendor's hypercall instruction, and injects the
 * exceptions KVM queues. Every outcome is the guest's own: the label its
 * code reaches after checking what came back (an answer in RAX, patched
 * bytes, an exception frame), and each label the scenario does not expect
 * is an error exit, so a model that answers otherwise fails the scenario.
 *
 * Compatibility mode (CS.L = 0, CS.D = 1) is decoded for real: the
 * scenario sources hold 32-bit code after `.code32` (back with `.code64`),
 * as llvm-mc takes them. `x86-int80-from-32-bit-task` runs a 32-bit task's
 * write and exit through `int $0x80`, in encodings that mean something
 * else in 64-bit code; `x86-syscall-from-32-bit-task-on-*` its SYSCALL,
 * #UD on Intel and a CSTAR entry on AMD. The truncation scenarios' 32-bit
 * kernel code happens to use only bytes that mean the same in both modes.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Abi } from '../../../src/abi/spec.ts';
import type { ExitKind } from '../../../src/scenario/outcome.ts';
import type { GuestErrorExit, HostFirmware, Scenario, ScenarioCatalog, ScenarioExit, ScenarioRegion } from '../../../src/scenario/scenario.ts';
import { HYPERV_TLFS_ABIS, HV_STATUS, HV_X64_MSR_HYPERCALL_ENABLE, LINUX_GUEST_OS_ID } from '../abis/hyperv-tlfs.abi.ts';
import { HYPERCALL_BYTES, PATCHING_ERAS, type HostVendor, type HypercallInstruction, type PatchingEra } from '../abis/hypercall-patching.ts';
import { I386_SYSCALL_TABLE } from '../abis/i386-syscall-table.ts';
import { KVM_ENOSYS, KVM_EPERM, KVM_HC, KVM_X86_ABIS } from '../abis/kvm-x86.abi.ts';
import { X86_64_SYSCALL_TABLE } from '../abis/x86-64-syscall-table.ts';
import { XEN_ENOSYS, XEN_X86_ABIS } from '../abis/xen-x86.abi.ts';
import type { X86Machine } from '../core.ts';
import { SpecHost } from '../firmware/spec-host.ts';

/** The scenario kernel's source. */
export const X86_SCENARIO_KERNEL_SOURCE = readFileSync(fileURLToPath(new URL('./kernel.s', import.meta.url)), 'utf8');

/** Where the kernel is loaded (its text is writable: KVM patches it). */
const KERNEL_BASE = 0x10_0000;

/** The top page of canonical user space, where the edge scenarios place their 3- or 2-byte instruction. */
const TOP_PAGE = 0x7fff_ffff_f000;

/** Memory every scenario maps besides the kernel (the addresses `kernel.s` defines). */
const REGIONS: readonly ScenarioRegion[] = [
  { base: 0x1f_0000, size: 0x1_0000, what: 'the boot stack (KSTACK_TOP 0x200000)' },
  { base: 0x2f_0000, size: 0x1_0000, what: 'the TSS.RSP0 stack a CPL-3 event switches to' },
  { base: 0x3f_0000, size: 0x1_0000, what: "the user task's stack (USTACK_TOP 0x400000)" },
  { base: 0x50_0000, size: 0x2000, what: 'the IDT (0x500000) and the 64-bit TSS (0x501000)' },
];

/** The top canonical page, for the edge scenarios. */
const TOP_REGION: ScenarioRegion = { base: TOP_PAGE, size: 0x1000, what: 'the last page below the non-canonical hole (1 << 47)' };

/** The x86-64 number of a system call (syscall_64.tbl). */
function nr64(name: string): number {
  const entry = X86_64_SYSCALL_TABLE.find((e) => e.name === name && e.abi !== 'x32');
  if (entry === undefined) throw new Error(`no x86-64 syscall ${name}`);
  return entry.number;
}

/** The i386 number of a system call (syscall_32.tbl). */
function nr32(name: string): number {
  const entry = I386_SYSCALL_TABLE.find((e) => e.name === name);
  if (entry === undefined) throw new Error(`no i386 syscall ${name}`);
  return entry.number;
}

function spec(id: string): Abi {
  const abi = [...KVM_X86_ABIS, ...HYPERV_TLFS_ABIS, ...XEN_X86_ABIS].find((a) => a.spec.id === id);
  if (abi === undefined) throw new Error(`no x86_64 spec ${id}`);
  return abi;
}

function era(key: string): PatchingEra {
  const found = PATCHING_ERAS.find((e) => e.key === key);
  if (found === undefined) throw new Error(`no patching era ${key}`);
  return found;
}

/** The KVM-style host model answering with `abis`, patching as `patching` says. */
function host(abis: readonly Abi[], patching: PatchingEra | undefined, quirkEnabled = true): HostFirmware {
  const how = patching === undefined ? 'no patching' : `${patching.key} patching${patching.hasQuirk ? `, KVM_X86_QUIRK_FIX_HYPERCALL_INSN ${quirkEnabled ? 'set' : 'cleared'}` : ''}`;
  return {
    kind: 'host',
    name: `spec host (${how})`,
    implements: abis.map((abi) => abi.spec.id),
    install: (machine) => {
      SpecHost.install(machine as X86Machine, { abis, ...(patching === undefined ? {} : { patching }), quirkEnabled });
    },
  };
}

/** Default handlers: each is a label the scenario may name as an ending. */
const DEFAULT_HANDLERS: Readonly<Record<string, string>> = {
  ud_handler: 'ud_handler:\n        jmp     ud_handler',
  gp_handler: 'gp_handler:\n        jmp     gp_handler',
  int80_entry: 'int80_entry:\n        jmp     int80_entry',
  syscall_entry: 'syscall_entry:\n        jmp     syscall_entry',
};

/** The kernel source: the 0x80 gate's type byte, `kernel.s`, the scenario's main and its handlers (defaults for those it leaves). */
function kernel(main: string, handlers: Readonly<Record<string, string>> = {}, int80Gate = 0xee): string {
  const all = { ...DEFAULT_HANDLERS, ...handlers };
  return `        .equ    INT80_GATE, 0x${int80Gate.toString(16)}\n${X86_SCENARIO_KERNEL_SOURCE}\n        .text\n${main}\n${Object.values(all).join('\n')}\n`;
}

const at = (symbol: string) => ({ segment: 'kernel', symbol });

/** An ending the guest may reach: its label and what reaching it means. */
interface Ending {
  readonly label: string;
  readonly what: string;
}

/** The expected ending as an exit of `kind`; every other ending an error exit (the guest reached an answer the history does not give). */
function endings(kind: ExitKind, expected: Ending, others: readonly Ending[]): { exits: ScenarioExit[]; errorExits: GuestErrorExit[] } {
  return {
    exits: [{ at: at(expected.label), kind, what: expected.what }],
    errorExits: others.filter((o) => o.label !== expected.label).map((o) => ({ at: at(o.label), what: o.what })),
  };
}

/** `0f 01 c1` as the guest compares it: the three bytes little-endian in a 32-bit word with the byte after them masked off. */
function bytesWord(instruction: HypercallInstruction): string {
  const [a, b, c] = HYPERCALL_BYTES[instruction];
  return `0x${((c << 16) | (b << 8) | a).toString(16).padStart(6, '0')}`;
}

const OTHER: Readonly<Record<HostVendor, HypercallInstruction>> = { intel: 'vmmcall', amd: 'vmcall' };
const NATIVE: Readonly<Record<HostVendor, HypercallInstruction>> = { intel: 'vmcall', amd: 'vmmcall' };
const VENDOR_NAME: Readonly<Record<HostVendor, string>> = { intel: 'Intel', amd: 'AMD' };
const MINUS_ENOSYS = -KVM_ENOSYS;

/**
 * kvm-unit-tests `x86/hypercall.c` on the wrong vendor: the guest calls
 * `kvm_hypercall0(-1)` twice through one call site written with the other
 * vendor's instruction; the first call is patched, the second hits the
 * native bytes. Both answers are −KVM_ENOSYS and the call site now holds
 * the native instruction: "Hypercall via VMMCALL: OK (patched)".
 */
function patchScenario(vendor: HostVendor, patching: PatchingEra, kvm: string): Scenario {
  const wrong = OTHER[vendor];
  const native = NATIVE[vendor];
  const main = `
main:
        movq    $-1, %rax
        callq   kvm_hypercall0          # the first call: #UD, patched, re-executed
        movq    %rax, %rbx
        movq    $-1, %rax
        callq   kvm_hypercall0          # the second call: the patched bytes exit directly
        movq    $${MINUS_ENOSYS}, %rcx          # -KVM_ENOSYS
        cmpq    %rcx, %rbx
        jne     wrong_answer
        cmpq    %rcx, %rax
        jne     wrong_answer
        movl    kvm_hypercall0(%rip), %edx
        andl    $0xffffff, %edx
        cmpl    $${bytesWord(native)}, %edx       # ${native} now sits at the call site
        jne     not_patched
patched:
        jmp     patched
wrong_answer:
        jmp     wrong_answer
not_patched:
        jmp     not_patched
kvm_hypercall0:
        ${wrong}
        retq
`;
  const ends = endings('guest-done', { label: 'patched', what: `"Hypercall via ${wrong.toUpperCase()}: OK (patched)": both calls answered −KVM_ENOSYS, and the call site now holds ${native}` }, [
    { label: 'wrong_answer', what: 'a call came back with something other than −KVM_ENOSYS' },
    { label: 'not_patched', what: `the call site still holds ${wrong}: KVM did not patch it` },
  ]);
  return {
    name: `x86-kvm-${patching.key}-patch-${wrong}-on-${vendor}`,
    arch: 'x86_64',
    title: `${VENDOR_NAME[vendor]} host, KVM ${patching.key} (${patching.entry}): the guest kernel's ${wrong} raises #UD, KVM rewrites it to ${native} without advancing RIP${patching.zapsMmu ? ' (after kvm_mmu_zap_all)' : ''}, the re-execution exits, and the second call hits the patched bytes`,
    choices: { vendor },
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: kernel(main), origin: `arch/x86_64/scenarios/kernel.s + index.ts (patchScenario ${vendor})` }],
    regions: REGIONS,
    firmware: [host([spec(kvm)], patching)],
    entry: { at: at('start'), mode: 'cpl0' },
    ...ends,
    maxSteps: 400,
    expected: 'guest-done',
  };
}

/** `test_edge` of kvm-unit-tests: the hypercall's last byte is the last canonical byte, so the skip lands on 1 << 47 and the next fetch is #GP. */
function edgeScenario(instruction: HypercallInstruction): Scenario {
  const [a, b, c] = HYPERCALL_BYTES[instruction];
  const main = `
main:
        movabsq $0x7ffffffffffd, %rbx
        movb    $0x${a.toString(16)}, (%rbx)              # topmost[4093..4095] = ${instruction}
        movb    $0x${b.toString(16)}, 1(%rbx)
        movb    $0x${c.toString(16)}, 2(%rbx)
        movq    $-1, %rax
        leaq    back(%rip), %rsi        # where the #GP handler returns to
        jmpq    *%rbx
back:
        movabsq $0x800000000000, %rcx
        cmpq    %rcx, test_rip(%rip)
        jne     wrong_rip
edge_ok:
        jmp     edge_ok
wrong_rip:
        jmp     wrong_rip
        .p2align 3
test_rip:
        .quad   0
`;
  const gp = `gp_handler:                         # gp_tss: drop the error code, keep RIP, return to %rsi
        addq    $8, %rsp
        popq    test_rip(%rip)
        pushq   %rsi
        iretq`;
  const ends = endings('guest-exception', { label: 'edge_ok', what: 'the #GP of the fetch at 1 << 47 came back with test_rip = 0x800000000000' }, [{ label: 'wrong_rip', what: 'the #GP handler saw another RIP than 1 << 47' }]);
  return {
    name: `x86-kvm-canonical-edge-${instruction}-on-intel`,
    arch: 'x86_64',
    title: `kvm-unit-tests test_edge (commit 999fbbc9): a ${instruction} in the last 3 canonical bytes (0x7ffffffffffd) on an Intel host${instruction === 'vmmcall' ? ', patched first' : ''}; KVM skips it to 1 << 47 and the next fetch is #GP(0) with RIP = 0x800000000000`,
    choices: { vendor: 'intel' },
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: kernel(main, { gp_handler: gp }), origin: `arch/x86_64/scenarios/kernel.s + index.ts (edgeScenario ${instruction})` }],
    regions: [...REGIONS, TOP_REGION],
    firmware: [host([spec('kvm-x86-v4.11-vmcall')], era('v4.11'))],
    entry: { at: at('start'), mode: 'cpl0' },
    ...ends,
    maxSteps: 400,
    expected: 'guest-exception',
  };
}

/** The #GP handler of the CPL-3 scenarios: an error code of 0 from the user's call site, unpatched. */
function userGpHandler(instruction: HypercallInstruction): string {
  return `gp_handler:
        cmpq    $0, (%rsp)              # error code 0
        jne     gp_other
        testb   $3, 16(%rsp)            # from CPL 3
        je      gp_other
        leaq    user_call(%rip), %rcx
        cmpq    %rcx, 8(%rsp)           # at the user's call site
        jne     gp_other
        movl    user_call(%rip), %edx
        andl    $0xffffff, %edx
        cmpl    $${bytesWord(instruction)}, %edx
        jne     gp_other
gp_unpatched:
        jmp     gp_unpatched
gp_other:
        jmp     gp_other`;
}

/**
 * The CPL-3 asymmetry (§9.8): the user task issues `nr = 1` through the
 * hypercall instruction `instruction`. Intel vmcall: exit 18, −KVM_EPERM.
 * Intel vmmcall: #UD, patched in user text (VMMCALL is `Prot`, no CPL
 * test), then −KVM_EPERM. AMD vmcall: the emulator's `Priv` refuses it:
 * #GP(0) injected, nothing patched.
 */
function cplScenario(vendor: HostVendor, instruction: HypercallInstruction): Scenario {
  const refused = vendor === 'amd' && instruction === 'vmcall';
  const native = NATIVE[vendor];
  const main = `
main:
        leaq    user(%rip), %rdi
        jmp     enter_user
user:
        movq    $${KVM_HC.VAPIC_POLL_IRQ}, %rax
user_call:
        ${instruction}
        cmpq    $-${KVM_EPERM}, %rax              # -KVM_EPERM
        jne     wrong_answer
        movl    user_call(%rip), %edx
        andl    $0xffffff, %edx
        cmpl    $${bytesWord(native)}, %edx
        jne     eperm_unpatched
eperm:
        jmp     eperm
eperm_unpatched:
        jmp     eperm_unpatched
wrong_answer:
        jmp     wrong_answer
`;
  const all: Ending[] = [
    { label: 'eperm', what: `the user's call came back −KVM_EPERM, and the call site holds ${native}${instruction === native ? '' : ' (KVM patched user text)'}` },
    { label: 'eperm_unpatched', what: 'the call came back −KVM_EPERM, but the call site was not patched' },
    { label: 'wrong_answer', what: 'the call came back with something other than −KVM_EPERM' },
    { label: 'gp_unpatched', what: `the guest kernel's #GP handler got #GP(0) from the user's ${instruction}, which still holds its own bytes` },
    { label: 'gp_other', what: 'the guest kernel took a #GP other than #GP(0) at the user call site' },
  ];
  const expected = refused ? all[3]! : instruction === native ? all[0]! : all[0]!;
  const ends = endings(refused ? 'guest-exception' : 'guest-done', expected, all);
  const how = refused ? '#UD intercepted, the emulator decodes VMCALL with Priv: #GP(0) injected, not patched' : instruction === native ? `exit ${vendor === 'intel' ? '18' : '0x81'} before any CPL check, −KVM_EPERM` : '#UD intercepted, VMMCALL decoded with Prot (no CPL test): patched in user text, then exit 18 and −KVM_EPERM';
  return {
    name: `x86-kvm-${instruction}-cpl3-on-${vendor}`,
    arch: 'x86_64',
    title: `${VENDOR_NAME[vendor]} host, KVM v4.11: a CPL-3 ${instruction} (RAX = 1): ${how}`,
    choices: { vendor },
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: kernel(main, { gp_handler: userGpHandler(instruction) }), origin: `arch/x86_64/scenarios/kernel.s + index.ts (cplScenario ${vendor} ${instruction})` }],
    regions: REGIONS,
    firmware: [host([spec(`kvm-x86-v4.11-${native}`)], era('v4.11'))],
    entry: { at: at('start'), mode: 'cpl0' },
    ...ends,
    maxSteps: 400,
    expected: refused ? 'guest-exception' : 'guest-done',
  };
}

/** KVM_X86_QUIRK_FIX_HYPERCALL_INSN cleared by the VMM: the wrong vendor's instruction is #UD in the guest, unpatched. */
function quirkScenario(): Scenario {
  const main = `
main:
        movq    $-1, %rax
kernel_call:
        vmmcall
        jmp     returned
returned:
        jmp     returned
`;
  const ud = `ud_handler:
        leaq    kernel_call(%rip), %rcx
        cmpq    %rcx, (%rsp)            # #UD at the call site
        jne     ud_other
        movl    kernel_call(%rip), %edx
        andl    $0xffffff, %edx
        cmpl    $${bytesWord('vmmcall')}, %edx
        jne     ud_other
ud_unpatched:
        jmp     ud_unpatched
ud_other:
        jmp     ud_other`;
  const ends = endings('guest-exception', { label: 'ud_unpatched', what: "the guest kernel's #UD handler got the vmmcall, whose bytes are unchanged" }, [
    { label: 'returned', what: 'the vmmcall returned: KVM patched it although the quirk is cleared' },
    { label: 'ud_other', what: 'a #UD elsewhere, or the call site was rewritten' },
  ]);
  return {
    name: 'x86-kvm-quirk-off-vmmcall-on-intel',
    arch: 'x86_64',
    title: 'Intel host, KVM with KVM_X86_QUIRK_FIX_HYPERCALL_INSN cleared by the VMM (fix_hypercall_test.c): the guest kernel\'s vmmcall is not patched; KVM queues #UD and the guest\'s own handler runs',
    choices: { vendor: 'intel' },
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: kernel(main, { ud_handler: ud }), origin: 'arch/x86_64/scenarios/kernel.s + index.ts (quirkScenario)' }],
    regions: REGIONS,
    firmware: [host([spec('kvm-x86-map-gpa-range-vmcall')], era('quirk'), false)],
    entry: { at: at('start'), mode: 'cpl0' },
    ...ends,
    maxSteps: 400,
    expected: 'guest-exception',
  };
}

/** Who answers the KICK_CPU vmcall in {@link kickScenario}. */
type KickHost = 'kvm' | 'kvm-hyperv' | 'xen';

/**
 * One vmcall, three conventions (§9.1, §9.3, §9.8): the guest kernel's
 * `kvm_hypercall2(KVM_HC_KICK_CPU, 0, 1)` (RAX = 5, RBX = flags, RCX = APIC
 * ID 1) reaches KVM v5.7 (kicked: 0), KVM v5.7 after the guest enabled the
 * Hyper-V hypercall MSR (VM-wide up to v5.7: call code RCX & 0xffff = 1,
 * HV_STATUS_INVALID_HYPERCALL_CODE), or Xen (RAX = 5 is fpu_taskswitch,
 * PV only: −ENOSYS). `user` issues it from CPL 3 instead: the Hyper-V path
 * queues #UD there, at the vmcall: kvm_hv_hypercall queues it and returns
 * before the instruction is skipped (later kernels' hyperv.c). Older KVM,
 * whose handle_vmcall calls skip_emulated_instruction before
 * kvm_emulate_hypercall (copies of v3.x vmx.c), queued it with RIP past
 * the vmcall; that era's frame is derived, its releases unchecked, and not
 * modelled.
 */
function kickScenario(who: KickHost, user = false): Scenario {
  const enable =
    who === 'kvm-hyperv'
      ? `
        movl    $0x40000000, %ecx       # HV_X64_MSR_GUEST_OS_ID (Linux: vendor 0x8100)
        movl    $0x${(LINUX_GUEST_OS_ID & 0xffff_ffffn).toString(16)}, %eax
        movl    $0x${(LINUX_GUEST_OS_ID >> 32n).toString(16)}, %edx
        wrmsr
        movl    $0x40000001, %ecx       # HV_X64_MSR_HYPERCALL: the page at 0x345000, enabled
        movl    $0x${(0x34_5000n | HV_X64_MSR_HYPERCALL_ENABLE).toString(16)}, %eax
        xorl    %edx, %edx
        wrmsr`
      : '';
  const call = `
        movq    $${KVM_HC.KICK_CPU}, %rax               # KVM_HC_KICK_CPU
        xorq    %rbx, %rbx              # flags
        movq    $1, %rcx                # APIC ID 1
kick_call:
        vmcall
        testq   %rax, %rax
        je      kicked
        cmpq    $${HV_STATUS.INVALID_HYPERCALL_CODE}, %rax               # HV_STATUS_INVALID_HYPERCALL_CODE
        je      hv_invalid_code
        cmpq    $-${XEN_ENOSYS}, %rax             # Xen -ENOSYS
        je      xen_enosys
        movq    $-${KVM_EPERM}, %rcx
        cmpq    %rcx, %rax
        je      kvm_eperm
other_answer:
        jmp     other_answer
kicked:
        jmp     kicked
hv_invalid_code:
        jmp     hv_invalid_code
xen_enosys:
        jmp     xen_enosys
kvm_eperm:
        jmp     kvm_eperm
`;
  const main = user ? `\nmain:${enable}\n        leaq    user(%rip), %rdi\n        jmp     enter_user\nuser:${call}` : `\nmain:${enable}${call}`;
  const ud = `ud_handler:
        leaq    kick_call(%rip), %rcx
        cmpq    %rcx, (%rsp)            # #UD at the vmcall, from CPL 3
        jne     ud_other
        testb   $3, 8(%rsp)
        je      ud_other
hv_ud:
        jmp     hv_ud
ud_other:
        jmp     ud_other`;
  const all: Ending[] = [
    { label: 'kicked', what: 'KVM answered KVM_HC_KICK_CPU: RAX = 0' },
    { label: 'hv_invalid_code', what: 'KVM decoded the kick as a Hyper-V call (code RCX & 0xffff = 1): RAX = HV_STATUS_INVALID_HYPERCALL_CODE (2); KVM\'s own kick was never reached' },
    { label: 'xen_enosys', what: 'Xen read RAX = 5 as fpu_taskswitch, PV only: RAX = −ENOSYS' },
    { label: 'kvm_eperm', what: 'KVM answered the CPL-3 kick −KVM_EPERM' },
    { label: 'hv_ud', what: "the Hyper-V path queued #UD for the CPL-3 vmcall (\"per HYPER-V spec\"); the guest kernel's #UD handler got it, RAX untouched" },
    { label: 'other_answer', what: 'the kick came back with an answer no convention gives' },
    { label: 'ud_other', what: 'a #UD elsewhere' },
  ];
  const pick = (label: string): Ending => all.find((e) => e.label === label)!;
  const [kind, expected]: [ExitKind, Ending] =
    who === 'kvm' ? (user ? ['guest-done', pick('kvm_eperm')] : ['guest-done', pick('kicked')]) : who === 'xen' ? ['hypercall-misread', pick('xen_enosys')] : user ? ['guest-exception', pick('hv_ud')] : ['hypercall-misread', pick('hv_invalid_code')];
  const abis = who === 'xen' ? [spec('xen-x86-central-vmcall')] : who === 'kvm' ? [spec('kvm-x86-v5.7-vmcall')] : [spec('kvm-x86-v5.7-vmcall'), spec('hyperv-tlfs-v3.9-vmcall'), spec('hyperv-tlfs-v3.9-vmcall-cpl3')];
  const titles: Readonly<Record<KickHost, string>> = {
    kvm: 'KVM v5.7 answers it',
    'kvm-hyperv': 'the guest first enabled HV_X64_MSR_HYPERCALL, so KVM v5.7 (VM-wide rule) decodes every vmcall as Hyper-V: call code RCX & 0xffff',
    xen: 'under Xen the same registers are HYPERVISOR_fpu_taskswitch (RAX = 5), PV only',
  };
  return {
    name: `x86-kick-cpu-vmcall-${who}${user ? '-cpl3' : ''}`,
    arch: 'x86_64',
    title: `a guest's KVM_HC_KICK_CPU (vmcall, RAX = 5, RBX = 0, RCX = APIC ID 1)${user ? ' from CPL 3' : ''}: ${titles[who]}`,
    choices: { vendor: 'intel' },
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: kernel(main, { ud_handler: ud }), origin: `arch/x86_64/scenarios/kernel.s + index.ts (kickScenario ${who}${user ? ' cpl3' : ''})` }],
    regions: REGIONS,
    firmware: [host(abis, era('v4.11'))],
    entry: { at: at('start'), mode: 'cpl0' },
    ...endings(kind, expected, all),
    maxSteps: 400,
    expected: kind,
  };
}

/**
 * The compat-mode truncation era (§9.8): the 64-bit kernel loads RAX =
 * 0x1_0000_0001 and IRETs to its 32-bit code segment (__KERNEL32_CS, CS.L =
 * 0, EFER.LMA = 1), where it issues vmcall. v3.9 tests is_long_mode (LMA):
 * not truncated, −KVM_ENOSYS (EAX = 0xfffffc18). v4.11 tests is_64_bit_mode:
 * truncated to nr 1, VAPIC_POLL_IRQ, 0.
 */
function truncationScenario(kvmEra: 'v3.9' | 'v4.11'): Scenario {
  const main = `
main:
        movabsq $0x100000001, %rax
        movq    %rsp, %rdx
        pushq   $0x18                   # SS = __KERNEL_DS
        pushq   %rdx
        pushfq
        pushq   $0x08                   # CS = __KERNEL32_CS: compatibility mode
        leaq    compat_call(%rip), %rcx
        pushq   %rcx
        iretq
# compatibility mode: only instructions whose bytes mean the same there as in 64-bit mode
compat_call:
        vmcall
        testl   %eax, %eax
        je      truncated
untruncated:
        jmp     untruncated
truncated:
        jmp     truncated
`;
  const all: Ending[] = [
    { label: 'untruncated', what: 'RAX came back non-zero: the whole RAX = 0x1_0000_0001 was the number, −KVM_ENOSYS' },
    { label: 'truncated', what: 'RAX came back 0: the number was truncated to 1, KVM_HC_VAPIC_POLL_IRQ' },
  ];
  const expected = kvmEra === 'v3.9' ? all[0]! : all[1]!;
  return {
    name: `x86-kvm-${kvmEra}-compat-truncation`,
    arch: 'x86_64',
    title: `KVM ${kvmEra}: a vmcall from 32-bit kernel code under a long-mode kernel (CS.L = 0, EFER.LMA = 1) with RAX = 0x1_0000_0001: ${kvmEra === 'v3.9' ? 'is_long_mode is true, so nothing is truncated and the number is unknown (−KVM_ENOSYS)' : 'is_64_bit_mode is false, so the number is truncated to 1 (VAPIC_POLL_IRQ, 0)'}`,
    choices: { vendor: 'intel' },
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: kernel(main), origin: `arch/x86_64/scenarios/kernel.s + index.ts (truncationScenario ${kvmEra})` }],
    regions: REGIONS,
    firmware: [host([spec(`kvm-x86-${kvmEra}-vmcall`)], era(kvmEra === 'v3.9' ? 'v3.9' : 'v4.11'))],
    entry: { at: at('start'), mode: 'cpl0' },
    ...endings('guest-done', expected, all),
    maxSteps: 400,
    expected: 'guest-done',
  };
}

/**
 * SYSRET with a non-canonical RCX (§9.4, §9.8): the user task puts a
 * `syscall` in the last two canonical bytes, so the return address SYSCALL
 * saves in RCX is 1 << 47. A kernel without Linux's canonical check returns
 * with sysretq: on Intel that is #GP(0) at CPL 0, delivered on the stack the
 * kernel is on, which is the user's (entry_64.S: "This essentially lets the
 * user take over the kernel, since userspace controls RSP").
 */
function sysretScenario(): Scenario {
  const main = `
main:
        movabsq $0x7ffffffffffe, %rbx
        movb    $0x0f, (%rbx)           # syscall in the last two canonical bytes
        movb    $0x05, 1(%rbx)
        movq    %rbx, %rdi
        jmp     enter_user
`;
  const handlers = {
    syscall_entry: `syscall_entry:                      # no canonical check on RCX before SYSRET (Linux has one)
        sysretq`,
    gp_handler: `gp_handler:
        testb   $3, 16(%rsp)            # the #GP came from CPL 0: the sysretq itself
        jne     gp_from_user
        movq    $USTACK_TOP, %rcx
        cmpq    %rcx, %rsp              # and its frame sits on the user's stack
        jae     gp_other
        subq    $0x10000, %rcx
        cmpq    %rcx, %rsp
        jb      gp_other
gp_on_user_stack:
        jmp     gp_on_user_stack
gp_from_user:
        jmp     gp_from_user
gp_other:
        jmp     gp_other`,
  };
  const all: Ending[] = [
    { label: 'gp_on_user_stack', what: 'sysretq took #GP(0) at CPL 0, and the frame was pushed on the user-controlled stack' },
    { label: 'gp_from_user', what: 'the #GP came from CPL 3: sysretq returned and the fetch at 1 << 47 faulted (the AMD behaviour, not Intel)' },
    { label: 'gp_other', what: 'a #GP at CPL 0 on a stack that is not the user\'s' },
  ];
  return {
    name: 'x86-sysret-noncanonical-rcx-on-intel',
    arch: 'x86_64',
    title: "Intel: a user syscall at 0x7ffffffffffe makes RCX = 1 << 47; a kernel that sysretqs without Linux's canonical check takes #GP(0) at CPL 0 on the user's RSP",
    choices: { vendor: 'intel' },
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: kernel(main, handlers), origin: 'arch/x86_64/scenarios/kernel.s + index.ts (sysretScenario)' }],
    regions: [...REGIONS, TOP_REGION],
    firmware: [],
    entry: { at: at('start'), mode: 'cpl0' },
    ...endings('guest-exception', all[0]!, all),
    maxSteps: 400,
    expected: 'guest-exception',
  };
}

/**
 * `int $0x80` from a 64-bit task (§9.2, §9.8): the task loads write's
 * x86-64 number and arguments (RAX = 1, RDI, RSI, RDX) with a stale RBX;
 * the guest kernel's int 0x80 entry dispatches on EAX through the i386
 * table, where 1 is exit, with its argument from EBX.
 */
function int80TaskScenario(): Scenario {
  const write64 = nr64('write');
  const main = `
main:
        leaq    user(%rip), %rdi
        jmp     enter_user
user:
        movq    $${write64}, %rax                # __NR_write in syscall_64.tbl
        movq    $1, %rdi                # fd
        leaq    message(%rip), %rsi     # buf
        movq    $6, %rdx                # count
        movq    $0x2a, %rbx             # whatever RBX held
        int     $0x80
        jmp     returned
returned:
        jmp     returned
message:
        .ascii  "hello\\n"
`;
  const entry = `int80_entry:                        # entry_INT80_compat: the i386 table, arguments EBX, ECX, EDX, ...
        cmpl    $${nr32('exit')}, %eax                # __NR_exit in syscall_32.tbl
        je      ia32_sys_exit
        cmpl    $${nr32('write')}, %eax                # __NR_write in syscall_32.tbl
        je      ia32_sys_write
        iretq
ia32_sys_exit:
        jmp     ia32_sys_exit
ia32_sys_write:
        jmp     ia32_sys_write`;
  const all: Ending[] = [
    { label: 'ia32_sys_exit', what: `the i386 table's exit (#${nr32('exit')}) ran, its status from EBX (0x2a): the task meant write (#${write64} in its own table)` },
    { label: 'ia32_sys_write', what: 'write ran: the 64-bit number was read in the 64-bit table' },
    { label: 'returned', what: 'int $0x80 returned: the number reached neither exit nor write' },
  ];
  return {
    name: 'x86-int80-from-64-bit-task',
    arch: 'x86_64',
    title: `a 64-bit task's int $0x80 with RAX = ${write64} (write in syscall_64.tbl) runs exit from syscall_32.tbl, status from EBX`,
    choices: { vendor: 'intel' },
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: kernel(main, { int80_entry: entry }), origin: 'arch/x86_64/scenarios/kernel.s + index.ts (int80TaskScenario)' }],
    regions: REGIONS,
    firmware: [],
    entry: { at: at('start'), mode: 'cpl0' },
    ...endings('guest-done', all[0]!, all),
    maxSteps: 400,
    expected: 'guest-done',
  };
}

/** The guest kernel's entry to a 32-bit task: IRETQ to __USER32_CS (compatibility mode, CS.D = 1) at CPL 3, with __USER_DS and the user stack. */
const ENTER_USER32 = `
        pushq   $0x2b                   # SS = __USER_DS
        pushq   $USTACK_TOP             # RSP
        pushq   $0x202                  # RFLAGS: IF
        pushq   $0x23                   # CS = __USER32_CS: compatibility mode
        leaq    user32(%rip), %rcx
        pushq   %rcx                    # RIP
        iretq
`;

/**
 * A real 32-bit task (compatibility mode, CS = __USER32_CS): it writes
 * "hello\n" to fd 1 and exits with status 0x2a through `int $0x80` (§9.2,
 * §9.5: the i386 table, EAX = nr, EBX, ECX, EDX), in encodings that mean
 * something else in 64-bit code: INC r32 (40+r, a REX prefix there), an
 * absolute disp32 (RIP-relative there), 32-bit PUSH/POP. The guest
 * kernel's entry (entry_INT80_compat) checks the frame's CS and the
 * arguments, returns the count from write, and ends in exit.
 */
function int80Compat32Scenario(): Scenario {
  const write32 = nr32('write');
  const exit32 = nr32('exit');
  const main = `
main:${ENTER_USER32}
        .code32
user32:
        pushl   $${write32}                   # __NR_write in syscall_32.tbl
        popl    %eax
        xorl    %ebx, %ebx
        incl    %ebx                    # fd 1 (43: REX.XB in 64-bit code)
        movl    $message, %ecx          # buf
        movl    msglen, %edx            # count: an absolute disp32 (RIP-relative in 64-bit code)
        int     $0x80
        cmpl    msglen, %eax            # write returned the count
        jne     user_bad
        xorl    %eax, %eax
        incl    %eax                    # __NR_exit in syscall_32.tbl (${exit32})
        movl    $0x2a, %ebx             # status
        int     $0x80
user_bad:
        jmp     user_bad
        .code64
message:
        .ascii  "hello\\n"
        .p2align 2
msglen:
        .long   6
`;
  const entry = `int80_entry:                        # entry_INT80_compat: the i386 table, arguments EBX, ECX, EDX, ...
        cmpq    $0x23, 8(%rsp)          # the frame's CS: the 32-bit task
        jne     int80_other
        cmpl    $${write32}, %eax
        je      ia32_write
        cmpl    $${exit32}, %eax
        je      ia32_exit
int80_other:
        jmp     int80_other
ia32_write:
        cmpl    $1, %ebx                # fd 1
        jne     int80_other
        cmpl    $6, %edx                # count
        jne     int80_other
        movl    %ecx, %ecx
        cmpl    $0x6c6c6568, (%rcx)     # "hell"
        jne     int80_other
        movl    %edx, %eax              # written: the count
        iretq
ia32_exit:
        cmpl    $0x2a, %ebx
        jne     exit_other_status
ia32_sys_exit:
        jmp     ia32_sys_exit
exit_other_status:
        jmp     exit_other_status`;
  const all: Ending[] = [
    { label: 'ia32_sys_exit', what: `the 32-bit task's write (#${write32}: fd 1, "hello\\n", 6) returned 6, and its exit (#${exit32}) ran with status 0x2a from EBX` },
    { label: 'int80_other', what: 'int $0x80 arrived with another CS, number or arguments than the 32-bit task gave' },
    { label: 'exit_other_status', what: 'exit ran with another status than 0x2a' },
    { label: 'user_bad', what: 'write came back with another count than 6' },
  ];
  return {
    name: 'x86-int80-from-32-bit-task',
    arch: 'x86_64',
    title: `a 32-bit task (compatibility mode, __USER32_CS) writes "hello\\n" and exits with status 0x2a through int $0x80 and the i386 table (write #${write32}, exit #${exit32}), in INC r32, 32-bit PUSH/POP and absolute-disp32 encodings`,
    choices: { vendor: 'intel' },
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: kernel(main, { int80_entry: entry }), origin: 'arch/x86_64/scenarios/kernel.s + index.ts (int80Compat32Scenario)' }],
    regions: REGIONS,
    firmware: [],
    entry: { at: at('start'), mode: 'cpl0' },
    ...endings('guest-done', all[0]!, all),
    maxSteps: 400,
    expected: 'guest-done',
  };
}

/**
 * SYSCALL from a 32-bit task (SDM vol. 2 SYSCALL: #UD outside 64-bit mode,
 * "Compat/Leg Mode: Invalid"; APM vol. 3 SYSCALL: in compatibility mode RIP
 * ← CSTAR): the guest kernel sets CSTAR (Linux: entry_SYSCALL_compat); on
 * Intel the task's `syscall` is #UD, delivered to the guest's handler with
 * RIP on it; on AMD it enters at CSTAR with RCX the return address.
 */
function syscallCompat32Scenario(vendor: HostVendor): Scenario {
  const main = `
        movl    $0xc0000083, %ecx       # MSR_CSTAR: entry_SYSCALL_compat
        leaq    cstar_entry(%rip), %rax
        xorl    %edx, %edx
        wrmsr
${ENTER_USER32}
        .code32
user32:
        xorl    %eax, %eax
        incl    %eax                    # a 32-bit-only encoding first
compat_syscall:
        syscall
compat_after:
        jmp     compat_after
        .code64
cstar_entry:
        leaq    compat_after(%rip), %rdx
        cmpq    %rdx, %rcx              # RCX: the 32-bit task's return address
        jne     cstar_other
compat_syscall_cstar:
        jmp     compat_syscall_cstar
cstar_other:
        jmp     cstar_other
`;
  const ud = `ud_handler:
        leaq    compat_syscall(%rip), %rcx
        cmpq    %rcx, (%rsp)            # #UD at the task's syscall
        jne     ud_other
        cmpq    $0x23, 8(%rsp)          # from __USER32_CS
        jne     ud_other
compat_syscall_ud:
        jmp     compat_syscall_ud
ud_other:
        jmp     ud_other`;
  const all: Ending[] = [
    { label: 'compat_syscall_ud', what: "the 32-bit task's syscall was #UD (Intel: SYSCALL is invalid outside 64-bit mode); the guest kernel's #UD handler got it with RIP on the syscall and CS = __USER32_CS" },
    { label: 'compat_syscall_cstar', what: "the 32-bit task's syscall entered at CSTAR (AMD) with RCX its return address" },
    { label: 'compat_after', what: 'syscall fell through: neither #UD nor an entry' },
    { label: 'cstar_other', what: 'the CSTAR entry saw another RCX than the return address' },
    { label: 'ud_other', what: 'a #UD elsewhere' },
  ];
  const expected = vendor === 'intel' ? all[0]! : all[1]!;
  const kind: ExitKind = vendor === 'intel' ? 'guest-exception' : 'guest-done';
  return {
    name: `x86-syscall-from-32-bit-task-on-${vendor}`,
    arch: 'x86_64',
    title: `${VENDOR_NAME[vendor]}: a 32-bit task's syscall (compatibility mode, __USER32_CS) ${vendor === 'intel' ? 'is #UD (SDM: invalid outside 64-bit mode)' : 'enters at CSTAR (APM: compatibility mode), RCX the return address'}`,
    choices: { vendor },
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: kernel(`
main:${main}`, { ud_handler: ud }), origin: `arch/x86_64/scenarios/kernel.s + index.ts (syscallCompat32Scenario ${vendor})` }],
    regions: REGIONS,
    firmware: [],
    entry: { at: at('start'), mode: 'cpl0' },
    ...endings(kind, expected, all),
    maxSteps: 400,
    expected: kind,
  };
}

/** `int $0x80` from CPL 3 through a DPL-0 gate: #GP with error code 0x80·8 + 2 = 0x402 (QEMU TCG before 2023: 0x802). */
function int80GateScenario(): Scenario {
  const main = `
main:
        leaq    user(%rip), %rdi
        jmp     enter_user
user:
        movl    $${nr32('getpid')}, %eax                # getpid in syscall_32.tbl
        int     $0x80
        jmp     returned
returned:
        jmp     returned
`;
  const gp = `gp_handler:
        cmpq    $0x402, (%rsp)          # vector 0x80 in bits 15:3, IDT bit 1
        je      gp_0x402
        cmpq    $0x802, (%rsp)          # what QEMU TCG pushed until 2023 (16-byte gate index)
        je      gp_0x802
gp_other:
        jmp     gp_other
gp_0x402:
        jmp     gp_0x402
gp_0x802:
        jmp     gp_0x802`;
  const all: Ending[] = [
    { label: 'gp_0x402', what: 'the guest kernel got #GP(0x402): vector 0x80 · 8 + IDT bit, the gate DPL 0 < CPL 3' },
    { label: 'gp_0x802', what: 'the guest kernel got #GP(0x802): the error code QEMU TCG reported before the 2023 fix' },
    { label: 'gp_other', what: 'a #GP with another error code' },
    { label: 'returned', what: 'int $0x80 went through the DPL-0 gate' },
  ];
  return {
    name: 'x86-int80-dpl0-gate',
    arch: 'x86_64',
    title: 'int $0x80 from CPL 3 through a DPL-0 gate is #GP with error code 0x402 (vector · 8 + 2, though the gates are 16 bytes)',
    choices: { vendor: 'intel' },
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: kernel(main, { gp_handler: gp }, 0x8e), origin: 'arch/x86_64/scenarios/kernel.s + index.ts (int80GateScenario)' }],
    regions: REGIONS,
    firmware: [],
    entry: { at: at('start'), mode: 'cpl0' },
    ...endings('guest-exception', all[0]!, all),
    maxSteps: 400,
    expected: 'guest-exception',
  };
}

/**
 * What tells a system call from a hypercall on x86: the instruction. A
 * CPL-3 task issues getpid by `syscall` (LSTAR), by `int $0x80` (IDT 0x80)
 * and the same RAX by `vmcall`; the first two reach the guest kernel, which
 * counts them, the vmcall exits to the host (no guest kernel code runs) and
 * comes back −KVM_EPERM.
 */
function discriminatorScenario(): Scenario {
  const getpid64 = nr64('getpid');
  const getpid32 = nr32('getpid');
  const main = `
main:
        leaq    user(%rip), %rdi
        jmp     enter_user
user:
        movq    $${getpid64}, %rax               # getpid, syscall_64.tbl
        syscall
        movl    $${getpid32}, %eax               # getpid, syscall_32.tbl
        int     $0x80
        movq    $${getpid64}, %rax               # the same RAX as a hypercall
        vmcall
        movq    $-${KVM_EPERM}, %rcx
        cmpq    %rcx, %rax
        jne     wrong_answer
        cmpq    $2, kernel_traps(%rip)  # the guest kernel saw two traps
        jne     wrong_count
        cmpq    $${getpid32}, last_nr(%rip)       # the last it saw was int $0x80's
        jne     wrong_count
sorted:
        jmp     sorted
wrong_answer:
        jmp     wrong_answer
wrong_count:
        jmp     wrong_count
        .p2align 3
kernel_traps:
        .quad   0
last_nr:
        .quad   0
`;
  const handlers = {
    syscall_entry: `syscall_entry:                      # LSTAR: count the trap, keep RCX and R11 for sysretq
        incq    kernel_traps(%rip)
        movq    %rax, last_nr(%rip)
        xorl    %eax, %eax
        sysretq`,
    int80_entry: `int80_entry:                        # IDT 0x80
        incq    kernel_traps(%rip)
        movq    %rax, last_nr(%rip)
        xorl    %eax, %eax
        iretq`,
  };
  const all: Ending[] = [
    { label: 'sorted', what: 'syscall and int $0x80 reached the guest kernel (two traps counted); the vmcall went to the host and came back −KVM_EPERM without the guest kernel seeing it' },
    { label: 'wrong_answer', what: 'the vmcall came back with something other than −KVM_EPERM' },
    { label: 'wrong_count', what: 'the guest kernel did not see exactly the two system calls' },
  ];
  return {
    name: 'x86-syscall-int80-vmcall-from-user',
    arch: 'x86_64',
    title: 'a CPL-3 task issues getpid by syscall, by int $0x80 and (the same RAX) by vmcall: the instruction alone decides, the first two reach the guest kernel, the vmcall exits to KVM (−KVM_EPERM at CPL 3)',
    choices: { vendor: 'intel' },
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: kernel(main, handlers), origin: 'arch/x86_64/scenarios/kernel.s + index.ts (discriminatorScenario)' }],
    regions: REGIONS,
    firmware: [host([spec('kvm-x86-v5.7-vmcall')], era('v4.11'))],
    entry: { at: at('start'), mode: 'cpl0' },
    ...endings('guest-done', all[0]!, all),
    maxSteps: 400,
    expected: 'guest-done',
  };
}

/** Where `entry_SYSCALL_64` is linked: 0xffff_ffff_8100_0000, Linux's kernel text, in the backend's signed representation. */
const ENTRY_SYSCALL_64 = -0x7f00_0000;
/** Where the upper-half kernel's 2 MiB page lives in guest-physical memory. */
const UPPER_KERNEL_PHYS = 0x100_0000;

/** The upper-half kernel: a much reduced `entry_SYSCALL_64` (arch/x86/entry/entry_64.S) and its `do_syscall_64`, linked at {@link ENTRY_SYSCALL_64}. */
const UPPER_KERNEL_SOURCE = `
# Linked at 0xffffffff81000000 and loaded at 0x1000000: the guest's page
# tables (PML4 entry 511, PDPT entry 510, PD entry 8) map the one onto the
# other. Everything here addresses the upper half: the stack, the call and
# its return address, the RIP-relative data.
entry_SYSCALL_64:
        movq    %rsp, %r12              # the user's RSP (Linux keeps it in a per-CPU slot)
        leaq    kstack_top(%rip), %rsp  # the kernel stack, RIP-relative
        pushq   %rcx                    # the user's RIP
        pushq   %r11                    # the user's RFLAGS
        callq   do_syscall_64
        popq    %r11
        popq    %rcx
        movq    %r12, %rsp
        sysretq
do_syscall_64:
        cmpq    $${nr64('getpid')}, %rax               # __NR_getpid, syscall_64.tbl
        jne     1f
        movq    task_pid(%rip), %rax
        retq
1:      movq    $-38, %rax              # -ENOSYS
        retq
        .p2align 3
task_pid:
        .quad   4242
        .space  0x200
kstack_top:
`;

/**
 * A user task's `syscall` into a kernel in the upper canonical half, as
 * every Linux x86-64 kernel is (SDM vol. 1 §3.3.7.1, vol. 3 §4.5): the
 * early kernel builds 4-level tables that identity-map its low 8 MiB and
 * map 0xffff_ffff_8100_0000 (PML4 entry 511) onto the physical page its
 * loader put the entry code in, loads CR3, points IA32_LSTAR at
 * `entry_SYSCALL_64` there, and drops to CPL 3. The task's getpid enters
 * at 0xffffffff81000000, runs on an upper-half stack, calls
 * `do_syscall_64`, loads the pid RIP-relative, and sysretqs back.
 */
function upperHalfScenario(): Scenario {
  const main = `
        .equ    PML4, 0x600000
        .equ    PDPT_LOW, 0x601000
        .equ    PD_LOW, 0x602000
        .equ    PDPT_KERNEL, 0x603000
        .equ    PD_KERNEL, 0x604000
        .equ    KERNEL_PHYS, 0x${UPPER_KERNEL_PHYS.toString(16)}
main:
        movq    $PDPT_LOW + 7, PML4                     # PML4[0]: the low half (present, writable, user)
        movq    $PDPT_KERNEL + 3, PML4 + 511 * 8        # PML4[511]: 0xffffff8000000000 up (supervisor)
        movq    $PD_LOW + 7, PDPT_LOW
        movq    $PD_KERNEL + 3, PDPT_KERNEL + 510 * 8   # 0xffffffff80000000 up
        movq    $0x000087, PD_LOW                       # 0-8 MiB identity, 2 MiB pages
        movq    $0x200087, PD_LOW + 8
        movq    $0x400087, PD_LOW + 16
        movq    $0x600087, PD_LOW + 24
        movq    $KERNEL_PHYS + 0x83, PD_KERNEL + 8 * 8  # 0xffffffff81000000: a 2 MiB supervisor page
        movq    $PML4, %rax
        movq    %rax, %cr3
        movl    $MSR_LSTAR, %ecx                        # LSTAR = entry_SYSCALL_64
        movl    $0x81000000, %eax
        movl    $0xffffffff, %edx
        wrmsr
        leaq    user(%rip), %rdi
        jmp     enter_user
user:
        movq    $${nr64('getpid')}, %rax               # getpid, syscall_64.tbl
        syscall
        cmpq    $4242, %rax
        jne     wrong_pid
upper_half_ok:
        jmp     upper_half_ok
wrong_pid:
        jmp     wrong_pid
`;
  const all: Ending[] = [
    { label: 'upper_half_ok', what: "getpid entered entry_SYSCALL_64 at 0xffffffff81000000 through the guest's page tables and sysretq brought the kernel's answer back to CPL 3" },
    { label: 'wrong_pid', what: 'the syscall came back with something other than the pid the upper-half kernel holds' },
    { label: 'gp_handler', what: 'a #GP (or an exception without a gate) instead of the system call' },
    { label: 'ud_handler', what: 'a #UD instead of the system call' },
  ];
  return {
    name: 'x86-syscall-upper-half-kernel',
    arch: 'x86_64',
    title: "a user task's syscall enters entry_SYSCALL_64 at 0xffffffff81000000 (IA32_LSTAR) through the guest's 4-level tables (PML4 entry 511); the kernel's stack, call/ret and RIP-relative data are in the upper half, and sysretq returns getpid's answer",
    choices: { vendor: 'intel' },
    segments: [
      { name: 'kernel', base: KERNEL_BASE, source: kernel(main), origin: 'arch/x86_64/scenarios/kernel.s + index.ts (upperHalfScenario)' },
      { name: 'upper', base: ENTRY_SYSCALL_64, load: UPPER_KERNEL_PHYS, source: UPPER_KERNEL_SOURCE, origin: 'arch/x86_64/scenarios/index.ts (UPPER_KERNEL_SOURCE)' },
    ],
    regions: [...REGIONS, { base: 0x60_0000, size: 0x5000, what: 'the page tables (PML4 0x600000, PDPTs, PDs)' }],
    firmware: [],
    entry: { at: at('start'), mode: 'cpl0' },
    ...endings('guest-done', all[0]!, all),
    maxSteps: 400,
    expected: 'guest-done',
  };
}

let cache: readonly Scenario[] | undefined;

/** The x86_64 {@link ScenarioCatalog}. */
export const X86_64_SCENARIOS: ScenarioCatalog = {
  scenarios(): readonly Scenario[] {
    cache ??= [
      patchScenario('intel', era('v4.11'), 'kvm-x86-v4.11-vmcall'),
      patchScenario('amd', era('v4.11'), 'kvm-x86-v4.11-vmmcall'),
      patchScenario('amd', era('v3.9'), 'kvm-x86-v3.9-vmmcall'),
      edgeScenario('vmcall'),
      edgeScenario('vmmcall'),
      cplScenario('intel', 'vmcall'),
      cplScenario('intel', 'vmmcall'),
      cplScenario('amd', 'vmcall'),
      quirkScenario(),
      kickScenario('kvm'),
      kickScenario('kvm-hyperv'),
      kickScenario('kvm-hyperv', true),
      kickScenario('xen'),
      truncationScenario('v3.9'),
      truncationScenario('v4.11'),
      sysretScenario(),
      int80TaskScenario(),
      int80GateScenario(),
      int80Compat32Scenario(),
      syscallCompat32Scenario('intel'),
      syscallCompat32Scenario('amd'),
      discriminatorScenario(),
      upperHalfScenario(),
    ];
    return cache;
  },
  // The hypervisor is a host model, not a guest mode: no guest exception is a trap to it.
  hypervisorMode: 'host',
  kernelMode: 'cpl0',
  displayMode: (mode) => (mode === 'cpl0' ? 'CPL 0' : mode === 'cpl3' ? 'CPL 3' : mode),
  callRegisters: ['rax', 'rbx', 'rcx', 'rdx'],
  faultAddress: () => undefined,
};
