/**
 * KVM's own x86 hypercalls (`kvm_emulate_hypercall`): a guest issues the
 * native hypercall instruction of the host's vendor (`vmcall` on Intel VMX,
 * exit reason 18; `vmmcall` on AMD SVM, #VMEXIT 0x81) with the number in
 * RAX and up to four arguments in RBX, RCX, RDX and RSI; KVM answers in RAX
 * and skips the 3-byte instruction. A caller at CPL > 0 gets −KVM_EPERM and
 * a number KVM does not handle −KVM_ENOSYS (−1000), never an exception.
 *
 * The eras differ in which numbers KVM handles, which error codes exist and
 * how a caller outside 64-bit mode is truncated: up to v3.10 the test is
 * `!is_long_mode` (EFER.LMA), so 32-bit code under a 64-bit kernel is not
 * truncated and RAX is written back whole; from v4.11 (by; the change's
 * release is UNCONFIRMED) it is `!is_64_bit_mode` (CS.L), and the result is
 * cut to 32 bits too. Each era is a spec per vendor conduit, built by one
 * function; the wrong vendor's instruction is not a conduit here (it raises
 * #UD, which KVM patches: `hypercall-patching.ts`).
 *
 * Facts: ../shared/abi-facts.md §9.1 (Documentation/virt/kvm/x86/hypercalls.rst;
 * uapi kvm_para.h; arch/x86/kvm/x86.c kvm_emulate_hypercall in the v3.9,
 * v3.10, v4.11, v5.0 and v5.7 release trees; lapic.c kvm_pv_send_ipi).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type AbiSpec, type CallContext, type CallSpec, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { CS_ATTR, EFER, RAX, RBX, RCX, RDX, RSI } from './spec-registers.ts';

/** `KVM_ENOSYS`: a hypercall number KVM does not handle returns −1000. */
export const KVM_ENOSYS = 1000;
/** `KVM_EFAULT` (EFAULT). */
export const KVM_EFAULT = 14;
/** `KVM_E2BIG` (E2BIG). */
export const KVM_E2BIG = 7;
/** `KVM_EPERM` (EPERM): a caller at CPL > 0. */
export const KVM_EPERM = 1;
/** `KVM_EOPNOTSUPP` (from v4.11; absent in v3.10). */
export const KVM_EOPNOTSUPP = 95;
/** `KVM_EINVAL` (EINVAL; from v5.0, absent in v4.11). */
export const KVM_EINVAL = 22;

/** −KVM_ENOSYS as a 64-bit RAX holds it. */
export const MINUS_KVM_ENOSYS_64 = BigInt.asUintN(64, BigInt(-KVM_ENOSYS));

/** The `KVM_HC_*` numbers (uapi kvm_para.h; shared by every architecture, so the PPC and MIPS ones sit in the same list). */
export const KVM_HC = {
  /** `KVM_HC_VAPIC_POLL_IRQ`. */
  VAPIC_POLL_IRQ: 1,
  /** `KVM_HC_MMU_OP`. */
  MMU_OP: 2,
  /** `KVM_HC_FEATURES`. */
  FEATURES: 3,
  /** `KVM_HC_PPC_MAP_MAGIC_PAGE`. */
  PPC_MAP_MAGIC_PAGE: 4,
  /** `KVM_HC_KICK_CPU`. */
  KICK_CPU: 5,
  /** `KVM_HC_MIPS_GET_CLOCK_FREQ`. */
  MIPS_GET_CLOCK_FREQ: 6,
  /** `KVM_HC_MIPS_EXIT_VM`. */
  MIPS_EXIT_VM: 7,
  /** `KVM_HC_MIPS_CONSOLE_OUTPUT`. */
  MIPS_CONSOLE_OUTPUT: 8,
  /** `KVM_HC_CLOCK_PAIRING`. */
  CLOCK_PAIRING: 9,
  /** `KVM_HC_SEND_IPI`. */
  SEND_IPI: 10,
  /** `KVM_HC_SCHED_YIELD`. */
  SCHED_YIELD: 11,
  /** `KVM_HC_MAP_GPA_RANGE`. */
  MAP_GPA_RANGE: 12,
} as const;

/** EFER.LMA (bit 10): long mode active. */
const EFER_LMA = 1 << 10;
/** CS access rights, L (bit 13): a 64-bit code segment. */
const CS_L = 1 << 13;

/** `APIC_DEST_MASK` and `APIC_SHORT_MASK`: an ICR for SEND_IPI with either set is −KVM_EINVAL (lapic.c kvm_pv_send_ipi). */
const APIC_DEST_MASK = 0x800;
const APIC_SHORT_MASK = 0xc_0000;

/**
 * The APIC IDs of the modelled VM's vCPUs: 0 … MODEL_VCPUS − 1 (SEND_IPI
 * counts the bits that name one of them, as `kvm_pv_send_ipi` counts the
 * vCPUs it signals).
 */
export const KVM_MODEL_VCPUS = 4;

/** How an era decides that a caller is not 64-bit, and what it truncates then. */
export type KvmTruncation =
  /** ≤ v3.10: `!is_long_mode` (EFER.LMA clear) masks the number and arguments; RAX is written back whole. */
  | 'long-mode'
  /** v4.11 on: `!is_64_bit_mode` (EFER.LMA and CS.L) masks the number, the arguments and the result. */
  | '64-bit-mode';

/** True when the caller runs 64-bit code: EFER.LMA and CS.L (`is_64_bit_mode`). */
export function callerIs64Bit(call: CallContext): boolean {
  return (call.u32(EFER) & EFER_LMA) !== 0 && (call.u32(CS_ATTR) & CS_L) !== 0;
}

/** True when the caller runs in long mode, 64-bit or compatibility code (`is_long_mode`: EFER.LMA). */
export function callerInLongMode(call: CallContext): boolean {
  return (call.u32(EFER) & EFER_LMA) !== 0;
}

/** One era of the KVM hypercall ABI. */
interface KvmEra {
  /** The id suffix, e.g. `v3.9`. */
  readonly key: string;
  readonly era: string;
  readonly status: AbiSpec['status'];
  readonly source: AbiSpec['source'];
  readonly truncation: KvmTruncation;
  /** The numbers this era handles. */
  readonly handles: readonly number[];
  /** The error constants kvm_para.h defines in this era. */
  readonly errors: readonly string[];
  readonly notes: readonly string[];
}

/** What a handled call computes from its (already truncated) arguments: the value for RAX, as a signed number. */
type Handler = (a0: bigint, a1: bigint, a2: bigint, a3: bigint, op64: boolean) => number;

/** The call of each handled number (x86.c `switch (nr)`), with what the docs say about it. */
interface Handled {
  readonly name: string;
  readonly nr: number;
  readonly summary: string;
  readonly args: CallSpec['args'];
  readonly handler: Handler;
  /** Reads its arguments (so the truncation matters to it). */
  readonly readsArgs: boolean;
}

const ZERO: Handler = () => 0;

/** SEND_IPI: a 128-bit (64-bit mode) or 64-bit (otherwise) bitmap of APIC IDs from `min`, counted where a vCPU has that ID. */
const sendIpi: Handler = (low, high, min, icr, op64) => {
  if ((Number(icr & 0xffff_ffffn) & (APIC_DEST_MASK | APIC_SHORT_MASK)) !== 0) return -KVM_EINVAL;
  const cluster = op64 ? 64n : 32n;
  let count = 0;
  for (const [bitmap, first] of [
    [low, min],
    [high, min + cluster],
  ] as const) {
    for (let bit = 0n; bit < 64n; bit++) if (((bitmap >> bit) & 1n) !== 0n && first + bit < BigInt(KVM_MODEL_VCPUS)) count++;
  }
  return count;
};

const HANDLED: readonly Handled[] = [
  { name: 'KVM_HC_VAPIC_POLL_IRQ', nr: KVM_HC.VAPIC_POLL_IRQ, summary: 'no work: the exit itself lets KVM inject a pending interrupt; RAX ← 0', args: [], handler: ZERO, readsArgs: false },
  {
    name: 'KVM_HC_KICK_CPU',
    nr: KVM_HC.KICK_CPU,
    summary: 'wake the vCPU with APIC ID a1 from a PV-unhalt halt (kvm_pv_kick_cpu_op); RAX ← 0',
    args: [
      { register: 'rbx', role: 'flags (reserved)' },
      { register: 'rcx', role: 'APIC ID to wake' },
    ],
    handler: ZERO,
    readsArgs: true,
  },
  {
    name: 'KVM_HC_CLOCK_PAIRING',
    nr: KVM_HC.CLOCK_PAIRING,
    summary: 'fill a struct kvm_clock_pairing at GPA a0 for clock type a1 (0 = wall clock); the modelled host has no TSC clocksource, so kvm_get_walltime_and_clockread fails and RAX ← −KVM_EOPNOTSUPP for every clock type',
    args: [
      { register: 'rbx', role: 'GPA of struct kvm_clock_pairing' },
      { register: 'rcx', role: 'clock type (KVM_CLOCK_PAIRING_WALLCLOCK = 0)' },
    ],
    handler: () => -KVM_EOPNOTSUPP,
    readsArgs: true,
  },
  {
    name: 'KVM_HC_SEND_IPI',
    nr: KVM_HC.SEND_IPI,
    summary: `send the IPI in ICR a3 to every APIC ID set in the bitmap a0 (IDs a2…) and a1 (the next cluster: 64 IDs in 64-bit mode, 32 otherwise); an ICR with a destination-mode or shorthand bit is −KVM_EINVAL; RAX ← the number of vCPUs signalled (the model's VM has APIC IDs 0–${KVM_MODEL_VCPUS - 1})`,
    args: [
      { register: 'rbx', role: 'bitmap, low cluster' },
      { register: 'rcx', role: 'bitmap, high cluster' },
      { register: 'rdx', role: 'lowest APIC ID' },
      { register: 'rsi', role: 'ICR' },
    ],
    handler: sendIpi,
    readsArgs: true,
  },
  {
    name: 'KVM_HC_SCHED_YIELD',
    nr: KVM_HC.SCHED_YIELD,
    summary: 'yield to the vCPU with APIC ID a0 if it is preempted (kvm_sched_yield); RAX ← 0',
    args: [{ register: 'rbx', role: 'APIC ID of the target vCPU' }],
    handler: ZERO,
    readsArgs: true,
  },
  {
    name: 'KVM_HC_MAP_GPA_RANGE',
    nr: KVM_HC.MAP_GPA_RANGE,
    summary: 'tell the VMM that a0 (GPA), a1 pages change attributes a2 (bits 3:0 page size, bit 4 encrypted); forwarded to userspace as KVM_EXIT_HYPERCALL only when the VMM enabled it (KVM_CAP_EXIT_HYPERCALL), which the modelled VMM does not: RAX ← −KVM_ENOSYS',
    args: [
      { register: 'rbx', role: 'GPA' },
      { register: 'rcx', role: 'number of pages' },
      { register: 'rdx', role: 'attributes' },
    ],
    handler: () => -KVM_ENOSYS,
    readsArgs: true,
  },
];

/** Numbers in kvm_para.h that x86 KVM never handles (the PPC and MIPS calls, the obsolete MMU_OP), with the era they are defined from. */
const DEFINED_UNHANDLED: readonly { readonly name: string; readonly nr: number; readonly why: string }[] = [
  { name: 'KVM_HC_MMU_OP', nr: KVM_HC.MMU_OP, why: 'the obsolete MMU_OP' },
  { name: 'KVM_HC_FEATURES', nr: KVM_HC.FEATURES, why: 'a PPC hypercall' },
  { name: 'KVM_HC_PPC_MAP_MAGIC_PAGE', nr: KVM_HC.PPC_MAP_MAGIC_PAGE, why: 'a PPC hypercall' },
  { name: 'KVM_HC_MIPS_GET_CLOCK_FREQ', nr: KVM_HC.MIPS_GET_CLOCK_FREQ, why: 'a MIPS hypercall' },
  { name: 'KVM_HC_MIPS_EXIT_VM', nr: KVM_HC.MIPS_EXIT_VM, why: 'a MIPS hypercall' },
  { name: 'KVM_HC_MIPS_CONSOLE_OUTPUT', nr: KVM_HC.MIPS_CONSOLE_OUTPUT, why: 'a MIPS hypercall' },
];

/** The 64-bit RAX value of each negative result an era can write back whole (built once: semantics allocate nothing). */
const WIDE_NEGATIVE = new Map([KVM_ENOSYS, KVM_EPERM, KVM_EOPNOTSUPP, KVM_EINVAL, KVM_EFAULT, KVM_E2BIG].map((e) => [-e, BigInt.asUintN(64, BigInt(-e))]));

/**
 * The RAX write of `kvm_emulate_hypercall`'s `out:` label: v4.11 on cut the
 * result to 32 bits for a caller outside 64-bit mode (`ret = (u32)ret`);
 * ≤ v3.10 write the unsigned long whole.
 */
function writeResult(call: CallContext, ret: number, cut: boolean): ReturnOutcome {
  if (cut || ret >= 0) call.setU32(RAX, ret);
  else call.set(RAX, WIDE_NEGATIVE.get(ret) ?? BigInt.asUintN(64, BigInt(ret)));
  return RETURN;
}

/** Build one era's `kvm_emulate_hypercall` and its calls. */
function kvmCalls(era: KvmEra): CallSpec[] {
  const handled = HANDLED.filter((h) => era.handles.includes(h.nr));
  const byNumber = new Map<number, Handled>(handled.map((h) => [h.nr, h]));
  const cutsResult = era.truncation === '64-bit-mode';
  const truncates = (call: CallContext): boolean => (era.truncation === 'long-mode' ? !callerInLongMode(call) : !callerIs64Bit(call));
  /**
   * The whole of kvm_emulate_hypercall after the Hyper-V test: read and
   * truncate, the CPL check, the switch on the number, the RAX write.
   * `fixed` is the call the selector found (undefined: look the truncated
   * number up, for RAX ≥ 2^32 from a truncated caller).
   */
  const emulate = (call: CallContext, fixed: Handled | undefined, wide: boolean): ReturnOutcome => {
    const truncated = truncates(call);
    const cut = cutsResult && truncated;
    if (call.origin.privilege !== 'kernel') return writeResult(call, -KVM_EPERM, cut);
    let target = fixed;
    if (wide) {
      if (!truncated) return writeResult(call, -KVM_ENOSYS, cut);
      target = byNumber.get(call.u32(RAX));
    }
    if (target === undefined) return writeResult(call, -KVM_ENOSYS, cut);
    if (!target.readsArgs) return writeResult(call, target.handler(0n, 0n, 0n, 0n, !truncated), cut);
    const mask = truncated ? 0xffff_ffffn : 0xffff_ffff_ffff_ffffn;
    return writeResult(call, target.handler(call.get(RBX) & mask, call.get(RCX) & mask, call.get(RDX) & mask, call.get(RSI) & mask, !truncated), cut);
  };
  const eperm = 'a caller at CPL > 0 gets RAX ← −KVM_EPERM (−1) instead';
  const calls: CallSpec[] = [];
  for (const nr of [...new Set([...handled.map((h) => h.nr), ...DEFINED_UNHANDLED.map((d) => d.nr)])].sort((a, b) => a - b)) {
    const h = byNumber.get(nr);
    if (h !== undefined) {
      calls.push({
        name: h.name,
        select: BigInt(nr),
        summary: `${h.summary}; ${eperm}`,
        args: h.args,
        results: [{ register: 'rax', role: 'result (negative: −KVM_E*)' }],
        meaning: h.name,
        run: (call) => emulate(call, h, false),
      });
      continue;
    }
    const d = DEFINED_UNHANDLED.find((x) => x.nr === nr)!;
    calls.push({
      name: d.name,
      select: BigInt(nr),
      summary: `${d.why}, not handled by x86 KVM: RAX ← −KVM_ENOSYS; ${eperm}`,
      results: [{ register: 'rax', role: '−KVM_ENOSYS' }],
      meaning: 'kvm-enosys',
      run: (call) => emulate(call, undefined, false),
    });
  }
  calls.push(
    {
      name: 'number above 32 bits',
      select: { min: 0x1_0000_0000n, max: 0xffff_ffff_ffff_ffffn },
      summary:
        era.truncation === 'long-mode'
          ? 'RAX ≥ 2^32: outside long mode (EFER.LMA clear) KVM masks RAX to 32 bits and runs that call; in long mode, 32-bit code included, the number stays whole and RAX ← −KVM_ENOSYS'
          : 'RAX ≥ 2^32: outside 64-bit mode (EFER.LMA and CS.L) KVM masks RAX to 32 bits and runs that call, with a 32-bit result; in 64-bit mode RAX ← −KVM_ENOSYS',
      results: [{ register: 'rax', role: 'result' }],
      meaning: 'kvm-wide-number',
      run: (call) => emulate(call, undefined, true),
    },
    {
      name: 'unknown',
      select: 'otherwise',
      summary: `a number this era does not handle: RAX ← −KVM_ENOSYS (−1000, ${'0x' + MINUS_KVM_ENOSYS_64.toString(16)} in 64-bit mode${cutsResult ? ', 0xfffffc18 outside it' : ''}); ${eperm}`,
      results: [{ register: 'rax', role: '−KVM_ENOSYS' }],
      meaning: 'kvm-enosys',
      run: (call) => emulate(call, undefined, false),
    },
  );
  return calls;
}

/** CS access rights of a 64-bit kernel code segment (type 0xB, S, DPL 0, P, L, G): what the examples give a 64-bit caller. */
export const CS_ATTR_KERNEL64 = 0xa09bn;
/** CS access rights of a 32-bit kernel code segment (D/B instead of L): compatibility mode under a long-mode kernel. */
export const CS_ATTR_KERNEL32 = 0xc09bn;
/** EFER of a long-mode guest (SCE, LME, LMA, NXE). */
export const EFER_LONG_MODE = 0xd01n;

const SIXTY_FOUR = { efer: EFER_LONG_MODE, cs_attr: CS_ATTR_KERNEL64 } as const;
const COMPAT = { efer: EFER_LONG_MODE, cs_attr: CS_ATTR_KERNEL32 } as const;

const V3_9_SOURCE = 'v3.9 tree (opennetworklinux/linux-3.9.6 @d0512f069337) and v3.10 tree (Original-Linux/Linux-3.10 @317bdedcef65): arch/x86/kvm/x86.c kvm_emulate_hypercall, include/uapi/linux/kvm_para.h';

const ERAS: readonly KvmEra[] = [
  {
    key: 'v3.9',
    era: 'v3.9–v3.10 (the checked trees; the next checked tree is v4.11)',
    status: 'removed',
    source: { document: V3_9_SOURCE, version: 'v3.9', note: 'The CPL check (commit 07708c4af1346) is present in v3.9; the release that added it is UNCONFIRMED.' },
    truncation: 'long-mode',
    handles: [KVM_HC.VAPIC_POLL_IRQ],
    errors: ['KVM_ENOSYS 1000', 'KVM_EFAULT 14', 'KVM_E2BIG 7', 'KVM_EPERM 1'],
    notes: [
      'The only call x86 KVM handles is KVM_HC_VAPIC_POLL_IRQ; MMU_OP, defined, is −KVM_ENOSYS like any other number.',
      'Truncation tests is_long_mode (EFER.LMA): 32-bit code under a 64-bit guest kernel keeps its whole RAX, so RAX = 0x1_0000_0001 is −KVM_ENOSYS there, and the result is written back as the 64-bit unsigned long.',
      'The guest kernel hard-codes KVM_HYPERCALL as vmcall (.byte 0x0f,0x01,0xc1); on an AMD host it traps and KVM patches it (see the patching model).',
    ],
  },
  {
    key: 'v4.11',
    era: 'v4.11 (the first checked tree with KICK_CPU and CLOCK_PAIRING; KICK_CPU is older, its release UNCONFIRMED)',
    status: 'removed',
    source: { document: 'v4.11 tree (HCLS/linux-4.11 @e81cedcca218): arch/x86/kvm/x86.c kvm_emulate_hypercall (op_64_bit = is_64_bit_mode), kvm_pv_clock_pairing; include/uapi/linux/kvm_para.h', version: 'v4.11', note: 'The is_long_mode → is_64_bit_mode change lies between v3.10 and v4.11 (release UNCONFIRMED).' },
    truncation: '64-bit-mode',
    handles: [KVM_HC.VAPIC_POLL_IRQ, KVM_HC.KICK_CPU, KVM_HC.CLOCK_PAIRING],
    errors: ['KVM_ENOSYS 1000', 'KVM_EFAULT 14', 'KVM_E2BIG 7', 'KVM_EPERM 1', 'KVM_EOPNOTSUPP 95'],
    notes: [
      'Truncation tests is_64_bit_mode (EFER.LMA and CS.L): compatibility-mode code is truncated, and so is the result (ret = (u32)ret), so −KVM_ENOSYS reads 0x00000000fffffc18.',
      'The guest kernel chooses vmcall or vmmcall at boot (ALTERNATIVE on X86_FEATURE_VMMCALL), so a Linux guest of this era issues the native instruction.',
    ],
  },
  {
    key: 'v5.0',
    era: 'v5.0 (SEND_IPI and KVM_EINVAL added after v4.11)',
    status: 'removed',
    source: { document: 'v5.0 tree (VVvector/linux-5.0.1 @0fa9cb14d4ed, files under linux-5.0.1/): arch/x86/kvm/x86.c kvm_emulate_hypercall, arch/x86/kvm/lapic.c kvm_pv_send_ipi; include/uapi/linux/kvm_para.h', version: 'v5.0' },
    truncation: '64-bit-mode',
    handles: [KVM_HC.VAPIC_POLL_IRQ, KVM_HC.KICK_CPU, KVM_HC.CLOCK_PAIRING, KVM_HC.SEND_IPI],
    errors: ['KVM_ENOSYS 1000', 'KVM_EFAULT 14', 'KVM_E2BIG 7', 'KVM_EPERM 1', 'KVM_EOPNOTSUPP 95', 'KVM_EINVAL 22'],
    notes: ['SEND_IPI takes its cluster size from the mode: 64 APIC IDs per bitmap word in 64-bit mode, 32 outside it (kvm_pv_send_ipi, op_64_bit).'],
  },
  {
    key: 'v5.7',
    era: 'v5.7 (SCHED_YIELD added after v5.0)',
    status: 'removed',
    source: { document: 'v5.7 tree (a5221985/linux-5.7.14 @5d0b54d93391): arch/x86/kvm/x86.c kvm_emulate_hypercall, kvm_sched_yield; include/uapi/linux/kvm_para.h', version: 'v5.7' },
    truncation: '64-bit-mode',
    handles: [KVM_HC.VAPIC_POLL_IRQ, KVM_HC.KICK_CPU, KVM_HC.CLOCK_PAIRING, KVM_HC.SEND_IPI, KVM_HC.SCHED_YIELD],
    errors: ['KVM_ENOSYS 1000', 'KVM_EFAULT 14', 'KVM_E2BIG 7', 'KVM_EPERM 1', 'KVM_EOPNOTSUPP 95', 'KVM_EINVAL 22'],
    notes: ['Up to this era the Hyper-V test is VM-wide: once any vCPU enables HV_X64_MSR_HYPERCALL, every vmcall of the VM is a Hyper-V call and none of these is reachable (the hyperv-tlfs collision).'],
  },
  {
    key: 'map-gpa-range',
    era: 'after v5.7: MAP_GPA_RANGE (release UNCONFIRMED), Xen and a per-vCPU Hyper-V test checked first',
    status: 'mainline',
    source: {
      document: 'Documentation/virt/kvm/x86/hypercalls.rst (torvalds/linux); sean-jc/linux:arch/x86/kvm/x86.c @004b4c2c (kvm_emulate_hypercall: kvm_xen_hypercall_enabled, kvm_hv_hypercall_enabled(vcpu), KVM_HC_MAP_GPA_RANGE behind hypercall_exit_enabled)',
      version: '≈v5.14+',
      note: 'The releases of MAP_GPA_RANGE and of the Xen precedence (≈v5.12) are UNCONFIRMED; guests with protected state (SEV-ES) always count as 64-bit (≈v6.13), which the model, having no SEV-ES, does not need.',
    },
    truncation: '64-bit-mode',
    handles: [KVM_HC.VAPIC_POLL_IRQ, KVM_HC.KICK_CPU, KVM_HC.CLOCK_PAIRING, KVM_HC.SEND_IPI, KVM_HC.SCHED_YIELD, KVM_HC.MAP_GPA_RANGE],
    errors: ['KVM_ENOSYS 1000', 'KVM_EFAULT 14', 'KVM_E2BIG 7', 'KVM_EPERM 1', 'KVM_EOPNOTSUPP 95', 'KVM_EINVAL 22'],
    notes: [
      'KICK_CPU, SEND_IPI and SCHED_YIELD are −KVM_ENOSYS when the VMM enforces PV-feature CPUID (KVM_CAP_ENFORCE_PV_FEATURE_CPUID) and the matching feature bit is clear; the modelled VMM does not enforce.',
      'Xen (kvm_xen_hypercall_enabled, when the VMM configured Xen emulation) and then Hyper-V (per vCPU: Hyper-V CPUID exposed and a non-zero guest OS ID) are tested before these calls.',
    ],
  },
];

/** The two native hypercall instructions, as conduits: which vendor's host runs them and how they exit. */
export const KVM_X86_CONDUITS: readonly KvmX86Conduit[] = [
  { conduit: 'vmcall', vendor: 'Intel VMX', exit: 'exit reason 18 (EXIT_REASON_VMCALL, handle_vmcall)' },
  { conduit: 'vmmcall', vendor: 'AMD SVM', exit: '#VMEXIT 0x81 (SVM_EXIT_VMMCALL, vmmcall_interception)' },
];

/** One vendor's native hypercall instruction as a conduit. */
export interface KvmX86Conduit {
  /** The conduit (`vmcall`, `vmmcall`). */
  readonly conduit: 'vmcall' | 'vmmcall';
  /** The host it is native to. */
  readonly vendor: string;
  /** How it exits to KVM. */
  readonly exit: string;
}

function kvmSpec(era: KvmEra, conduit: KvmX86Conduit): Abi {
  const on64 = { ...SIXTY_FOUR };
  return defineAbi({
    id: `kvm-x86-${era.key}-${conduit.conduit}`,
    family: 'kvm-x86',
    arch: 'x86_64',
    era: `${era.era}, ${conduit.vendor} host`,
    status: era.status,
    purpose: `KVM's paravirtual hypercalls on an ${conduit.vendor} host: the guest kernel issues \`${conduit.conduit}\` (${conduit.exit}) with the number in RAX and arguments in RBX, RCX, RDX, RSI; KVM writes the result to RAX, clobbers nothing else, and resumes after the 3-byte instruction. A number it does not handle is −KVM_ENOSYS (−1000) and a caller at CPL > 0 gets −KVM_EPERM, never an exception.`,
    source: era.source,
    conduit: { instruction: conduit.conduit, imm: 'any' },
    // VMCALL exits before any CPL check (SDM), and KVM answers a CPL-3 caller −KVM_EPERM: both privileges reach the spec.
    origin: { privilege: ['kernel', 'user'], world: ['guest'] },
    selector: { register: 'rax', width: 64 },
    priority: 10,
    calls: kvmCalls(era),
    examples: [
      { title: 'KVM_HC_VAPIC_POLL_IRQ from the 64-bit guest kernel', registers: { rax: 1n, ...on64 }, call: 'KVM_HC_VAPIC_POLL_IRQ' },
      { title: 'kvm-unit-tests x86/hypercall.c: RAX = −1 is no call, RAX ← −KVM_ENOSYS', registers: { rax: 0xffff_ffff_ffff_ffffn, ...on64 }, call: 'number above 32 bits' },
      { title: 'the same call from CPL 3: RAX ← −KVM_EPERM', registers: { rax: 1n, ...on64 }, origin: { privilege: 'user', world: 'guest' }, call: 'KVM_HC_VAPIC_POLL_IRQ' },
      { title: 'compatibility-mode caller with RAX = 0x1_0000_0001', registers: { rax: 0x1_0000_0001n, ...COMPAT }, call: 'number above 32 bits' },
      { title: 'KVM_HC_KICK_CPU (RBX = flags, RCX = APIC ID)', registers: { rax: 5n, rbx: 0n, rcx: 1n, ...on64 }, call: era.handles.includes(KVM_HC.KICK_CPU) ? 'KVM_HC_KICK_CPU' : 'unknown' },
      { title: 'the obsolete MMU_OP', registers: { rax: 2n, ...on64 }, call: 'KVM_HC_MMU_OP' },
    ],
    recognition: {
      inspects: ['privilege', 'instruction-fetch'],
      registersGivenUp: 0,
      slowsSyscalls: `no: vmcall is no system call, and the native instruction exits straight to KVM; the other vendor's instruction costs a #UD intercept, an emulator fetch and decode of the bytes at RIP and a write to guest text, once per call site${era.key === 'v3.9' ? ', and here first a zap of every shadow page of the VM (kvm_mmu_zap_all) so that all vCPUs see the new bytes' : ''}`,
    },
    notes: [...era.notes, `Error constants of this era (uapi kvm_para.h): ${era.errors.join(', ')}.`, 'The mode comes from EFER.LMA and CS.L (registers efer and cs_attr): `hyplay dispatch` reads registers it is not given as 0, which is a legacy-mode caller, so give efer=0xd01 cs_attr=0xa09b for a 64-bit one.', 'The other vendor\'s instruction never reaches this spec directly: it raises #UD, which KVM intercepts and patches (the patching model), and the re-executed native instruction does.'],
  });
}

/** Every KVM x86 hypercall spec: each era on each vendor's native instruction. */
export const KVM_X86_ABIS: readonly Abi[] = ERAS.flatMap((era) => KVM_X86_CONDUITS.map((conduit) => kvmSpec(era, conduit)));
