/**
 * The Hyper-V hypercall ABI (Top-Level Functional Specification) as KVM
 * implements it for Windows and enlightened Linux guests: the same
 * `vmcall`/`vmmcall` as KVM's own hypercalls, told apart only by what the
 * guest enabled. A 64-bit caller puts the input value in RCX (call code in
 * bits 15:0, fast bit 16, variable-header size 26:17, rep count 43:32, rep
 * start 59:48) and the input and output GPAs in RDX and R8; a 32-bit caller
 * uses EDX:EAX, EBX:ECX and EDI:ESI. The status comes back in RAX (EDX:EAX),
 * with the reps completed in bits 43:32. A caller at CPL ≠ 0 gets #UD.
 *
 * When KVM takes a vmcall as Hyper-V changed: up to v5.7 as soon as any
 * vCPU of the VM has set the enable bit of HV_X64_MSR_HYPERCALL (a VM-wide
 * value), so every vmcall of the VM is a Hyper-V call from then on and
 * KVM's own hypercalls are unreachable; later kernels test per vCPU (the
 * VMM exposed the Hyper-V CPUID leaves to it) and a non-zero guest OS ID.
 * Each rule is an era here, with a condition on the MSR that decides it.
 *
 * Facts: ../shared/abi-facts.md §9.3 (v3.9 tree arch/x86/kvm/x86.c
 * kvm_hv_hypercall; v5.7 tree arch/x86/kvm/hyperv.c and
 * arch/x86/include/asm/hyperv-tlfs.h; later arch/x86/kvm/hyperv.h
 * kvm_hv_hypercall_enabled(vcpu): `vcpu->arch.hyperv_enabled &&
 * to_kvm_hv(vcpu->kvm)->hv_guest_os_id`).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type AbiSpec, type CallContext, type CallSpec, type RegisterCondition, type ReturnOutcome } from '../../../src/abi/spec.ts';
import { CS_ATTR_KERNEL64, EFER_LONG_MODE, callerIs64Bit } from './kvm-x86.abi.ts';
import { RAX, RCX, RDX } from './spec-registers.ts';

/** Hyper-V status codes (hyperv-tlfs.h). */
export const HV_STATUS = {
  /** `HV_STATUS_SUCCESS`. */
  SUCCESS: 0,
  /** `HV_STATUS_INVALID_HYPERCALL_CODE`. */
  INVALID_HYPERCALL_CODE: 2,
  /** `HV_STATUS_INVALID_HYPERCALL_INPUT`. */
  INVALID_HYPERCALL_INPUT: 3,
  /** `HV_STATUS_INVALID_ALIGNMENT`. */
  INVALID_ALIGNMENT: 4,
  /** `HV_STATUS_INVALID_PARAMETER`. */
  INVALID_PARAMETER: 5,
  /** `HV_STATUS_ACCESS_DENIED`. */
  ACCESS_DENIED: 6,
  /** `HV_STATUS_OPERATION_DENIED`. */
  OPERATION_DENIED: 8,
  /** `HV_STATUS_INSUFFICIENT_MEMORY`. */
  INSUFFICIENT_MEMORY: 11,
  /** `HV_STATUS_INVALID_PORT_ID`. */
  INVALID_PORT_ID: 17,
  /** `HV_STATUS_INVALID_CONNECTION_ID`. */
  INVALID_CONNECTION_ID: 18,
  /** `HV_STATUS_INSUFFICIENT_BUFFERS`. */
  INSUFFICIENT_BUFFERS: 19,
} as const;

/** The Hyper-V call codes the fact sheet lists (hyperv-tlfs.h `HVCALL_*`). */
export const HVCALL = {
  /** `HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE`. */
  FLUSH_VIRTUAL_ADDRESS_SPACE: 0x0002,
  /** `HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST`. */
  FLUSH_VIRTUAL_ADDRESS_LIST: 0x0003,
  /** `HVCALL_NOTIFY_LONG_SPIN_WAIT`. */
  NOTIFY_LONG_SPIN_WAIT: 0x0008,
  /** `HVCALL_SEND_IPI`. */
  SEND_IPI: 0x000b,
  /** `HVCALL_ENABLE_VP_VTL`. */
  ENABLE_VP_VTL: 0x000f,
  /** `HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX`. */
  FLUSH_VIRTUAL_ADDRESS_SPACE_EX: 0x0013,
  /** `HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX`. */
  FLUSH_VIRTUAL_ADDRESS_LIST_EX: 0x0014,
  /** `HVCALL_SEND_IPI_EX`. */
  SEND_IPI_EX: 0x0015,
  /** `HVCALL_GET_VP_REGISTERS`. */
  GET_VP_REGISTERS: 0x0050,
  /** `HVCALL_SET_VP_REGISTERS`. */
  SET_VP_REGISTERS: 0x0051,
  /** `HVCALL_POST_MESSAGE`. */
  POST_MESSAGE: 0x005c,
  /** `HVCALL_SIGNAL_EVENT`. */
  SIGNAL_EVENT: 0x005d,
  /** `HVCALL_RETARGET_INTERRUPT`. */
  RETARGET_INTERRUPT: 0x007e,
  /** `HVCALL_START_VP`. */
  START_VP: 0x0099,
  /** `HVCALL_FLUSH_GUEST_PHYSICAL_ADDRESS_SPACE`. */
  FLUSH_GUEST_PHYSICAL_ADDRESS_SPACE: 0x00af,
  /** `HVCALL_FLUSH_GUEST_PHYSICAL_ADDRESS_LIST`. */
  FLUSH_GUEST_PHYSICAL_ADDRESS_LIST: 0x00b0,
} as const;

/** `HV_X64_MSR_HYPERCALL_ENABLE`: bit 0 of HV_X64_MSR_HYPERCALL. */
export const HV_X64_MSR_HYPERCALL_ENABLE = 1n;

/** The Linux guest OS ID a v5.x Linux guest writes (vendor 0x8100: open source, Linux; kernel version 5.7.0 in bits 47:16). */
export const LINUX_GUEST_OS_ID = 0x8100_0005_0700_0000n;

/** The reserved bits of the input value: RSVD0 31:27, RSVD1 47:44, RSVD2 63:60 (later hyperv-tlfs.h; absent in v5.7). */
export const HV_HYPERCALL_RSVD_MASK = 0xf000_f000_f800_0000n;

/** What the input value holds (TLFS "Hypercall Inputs"). */
export interface HypercallInput {
  /** Call code, bits 15:0. */
  readonly code: number;
  /** Fast (register) call, bit 16. */
  readonly fast: boolean;
  /** Variable-header size in 8-byte units, bits 26:17. */
  readonly varHeader: number;
  /** Rep count, bits 43:32. */
  readonly repCount: number;
  /** Rep start index, bits 59:48. */
  readonly repStart: number;
}

/** Decode an input value. */
export function decodeHypercallInput(param: bigint): HypercallInput {
  const low = Number(param & 0xffff_ffffn);
  const high = Number((param >> 32n) & 0xffff_ffffn);
  return { code: low & 0xffff, fast: ((low >>> 16) & 1) === 1, varHeader: (low >>> 17) & 0x3ff, repCount: high & 0xfff, repStart: (high >>> 16) & 0xfff };
}

/** Which KVM rule decides that a vmcall is a Hyper-V call. */
type Enablement = 'vm-wide-msr' | 'per-vcpu';

interface HypervEra {
  readonly key: string;
  readonly era: string;
  readonly status: AbiSpec['status'];
  readonly source: AbiSpec['source'];
  readonly enablement: Enablement;
  readonly notes: readonly string[];
}

const ERAS: readonly HypervEra[] = [
  {
    key: 'v3.9',
    era: 'v3.9–v5.7 dispatch rule (the VM-wide hypercall MSR), with the calls of v3.9–v3.10 (NOTIFY_LONG_SPIN_WAIT only)',
    status: 'removed',
    source: {
      document: 'v3.9 tree (opennetworklinux/linux-3.9.6 @d0512f069337) arch/x86/kvm/x86.c kvm_hv_hypercall and kvm_hv_hypercall_enabled(kvm) (hv_hypercall & HV_X64_MSR_HYPERCALL_ENABLE), arch/x86/include/uapi/asm/hyperv.h; v5.7 tree (a5221985/linux-5.7.14) arch/x86/kvm/hyperv.c for the same VM-wide test',
      version: 'v3.9',
      note: 'The calls v4.x–v5.7 add (TLB flushes, SEND_IPI, POST_MESSAGE, SIGNAL_EVENT) are not in this era\'s spec; the per-vCPU era has them.',
    },
    enablement: 'vm-wide-msr',
    notes: [
      'KVM v3.9 implements only NOTIFY_LONG_SPIN_WAIT (kvm_vcpu_on_spin); every other call code is HV_STATUS_INVALID_HYPERCALL_CODE, so a KVM_HC_KICK_CPU (RAX = 5, RCX = APIC ID) issued after the guest enabled the hypercall MSR is decoded as call code RCX & 0xffff and answered 2 in RAX.',
      'The 64-bit convention is chosen when is_long_mode and CS.L (longmode = is_long_mode(vcpu) && cs_l == 1); otherwise EDX:EAX, EBX:ECX, EDI:ESI, and the result goes to EDX:EAX.',
    ],
  },
  {
    key: 'per-vcpu',
    era: 'after v5.7: per-vCPU Hyper-V (the VMM exposed the Hyper-V CPUID leaves) and a non-zero guest OS ID; reserved input bits rejected (release UNCONFIRMED)',
    status: 'mainline',
    source: {
      document: 'torvalds/linux:arch/x86/kvm/hyperv.h kvm_hv_hypercall_enabled(vcpu) (vcpu->arch.hyperv_enabled && hv_guest_os_id), arch/x86/kvm/hyperv.c kvm_hv_hypercall (HV_HYPERCALL_RSVD_MASK → HV_STATUS_INVALID_HYPERCALL_INPUT), include/asm-generic/hyperv-tlfs.h',
      version: '≈v5.14+',
      note: 'The releases of the per-vCPU test, of the reserved-bit check and of the header move to include/asm-generic are UNCONFIRMED.',
    },
    enablement: 'per-vcpu',
    notes: [
      'The hypercall MSR no longer decides: a vCPU that the VMM gave the Hyper-V CPUID leaves and whose guest wrote a guest OS ID has every vmcall taken as Hyper-V, whatever HV_X64_MSR_HYPERCALL holds.',
      'HV_HYPERCALL_NESTED (bit 31) lies inside RSVD0, so a nested-flagged call is rejected as reserved input (derived).',
      'The TLB-flush, IPI and SynIC calls KVM handles here do their work outside the model: the spec names them and leaves RAX as it was.',
    ],
  },
];

/** The conduit each vendor's KVM uses (the Hyper-V hypercall page holds the native instruction, filled by KVM's patch_hypercall). */
const CONDUITS = [
  { conduit: 'vmcall', vendor: 'Intel VMX' },
  { conduit: 'vmmcall', vendor: 'AMD SVM' },
] as const;

const VM_WIDE_CONDITION: RegisterCondition = {
  register: 'hv_x64_msr_hypercall',
  values: HV_X64_MSR_HYPERCALL_ENABLE,
  width: 1,
  why: 'up to v5.7 KVM takes every vmcall of the VM as Hyper-V once HV_X64_MSR_HYPERCALL_ENABLE (bit 0) is set (kvm_hv_hypercall_enabled(kvm))',
};

const PER_VCPU_CONDITION: RegisterCondition = {
  register: 'hv_x64_msr_guest_os_id',
  values: { min: 1n, max: 0xffff_ffff_ffff_ffffn },
  width: 64,
  why: 'later KVM takes a vmcall as Hyper-V when the vCPU has Hyper-V CPUID and the guest OS ID is non-zero (kvm_hv_hypercall_enabled(vcpu))',
};

/** The 64-bit RAX value of each status (numbers below 2^32: written with setU32). */
function setStatus(call: CallContext, status: number, longmode: boolean): ReturnOutcome {
  // ret = res | (rep_done << 32), rep_done 0 in everything modelled: RAX, or EDX:EAX for a 32-bit caller.
  call.setU32(RAX, status);
  if (!longmode) call.setU32(RDX, 0);
  return RETURN;
}

/** The input value: RCX for a 64-bit caller, EDX:EAX otherwise (x86.c / hyperv.c kvm_hv_hypercall). */
function inputValue(call: CallContext, longmode: boolean): bigint {
  return longmode ? call.get(RCX) : (BigInt(call.u32(RDX)) << 32n) | BigInt(call.u32(RAX));
}

/** The call code alone, without a BigInt: ECX's or EAX's low 16 bits. */
function callCode(call: CallContext, longmode: boolean): number {
  return (longmode ? call.u32(RCX) : call.u32(RAX)) & 0xffff;
}

/** KVM's handling of each call code in one era. */
type CodeHandler = (call: CallContext, longmode: boolean) => ReturnOutcome;

function hypervCalls(era: HypervEra): CallSpec[] {
  const invalidCode: CodeHandler = (call, longmode) => setStatus(call, HV_STATUS.INVALID_HYPERCALL_CODE, longmode);
  const rejectsReserved = era.enablement === 'per-vcpu';
  /** What kvm_hv_hypercall does before the switch, then the code's handler; 32-bit callers' codes come from EAX, whatever the selector (RCX) said. */
  const handlers = new Map<number, CodeHandler>();
  const run = (call: CallContext): ReturnOutcome => {
    const longmode = callerIs64Bit(call);
    if (rejectsReserved && (inputValue(call, longmode) & HV_HYPERCALL_RSVD_MASK) !== 0n) return setStatus(call, HV_STATUS.INVALID_HYPERCALL_INPUT, longmode);
    return (handlers.get(callCode(call, longmode)) ?? invalidCode)(call, longmode);
  };
  const calls: CallSpec[] = [];
  const add = (name: string, code: number, summary: string, handler: CodeHandler, meaning: string): void => {
    handlers.set(code, handler);
    calls.push({
      name: `HVCALL_${name}`,
      select: BigInt(code),
      summary,
      args: [
        { register: 'rcx', role: 'input value (call code, fast, header size, reps)' },
        { register: 'rdx', role: 'input GPA (fast: first input)' },
        { register: 'r8', role: 'output GPA (fast: second input)' },
      ],
      results: [{ register: 'rax', role: 'status (bits 15:0), reps completed (43:32)' }],
      meaning,
      run,
    });
  };
  const spin: CodeHandler =
    era.enablement === 'per-vcpu'
      ? (call, longmode) => {
          const input = decodeHypercallInput(inputValue(call, longmode));
          return setStatus(call, input.repCount !== 0 || input.repStart !== 0 || input.varHeader !== 0 ? HV_STATUS.INVALID_HYPERCALL_INPUT : HV_STATUS.SUCCESS, longmode);
        }
      : (call, longmode) => setStatus(call, HV_STATUS.SUCCESS, longmode);
  const outside: CodeHandler = () => RETURN;
  const implemented = new Set<number>(era.enablement === 'per-vcpu' ? [HVCALL.FLUSH_VIRTUAL_ADDRESS_SPACE, HVCALL.FLUSH_VIRTUAL_ADDRESS_LIST, HVCALL.SEND_IPI, HVCALL.FLUSH_VIRTUAL_ADDRESS_SPACE_EX, HVCALL.FLUSH_VIRTUAL_ADDRESS_LIST_EX, HVCALL.SEND_IPI_EX, HVCALL.POST_MESSAGE, HVCALL.SIGNAL_EVENT] : []);
  for (const [name, code] of Object.entries(HVCALL).sort(([, a], [, b]) => a - b)) {
    if (code === HVCALL.NOTIFY_LONG_SPIN_WAIT) {
      add(
        name,
        code,
        era.enablement === 'per-vcpu'
          ? 'the caller is spinning on a lock: kvm_vcpu_on_spin yields to another vCPU; a rep count, rep start or variable header is HV_STATUS_INVALID_HYPERCALL_INPUT, else HV_STATUS_SUCCESS'
          : 'the caller is spinning on a lock: kvm_vcpu_on_spin yields to another vCPU; RAX ← HV_STATUS_SUCCESS',
        spin,
        'hv-spin-wait',
      );
    } else if (implemented.has(code)) {
      add(name, code, `handled by KVM with work outside the model (${code === HVCALL.POST_MESSAGE || code === HVCALL.SIGNAL_EVENT ? 'SynIC, or an exit to the VMM (KVM_EXIT_HYPERV)' : 'TLB flush or IPI to the vCPUs named'}): the spec names the call and leaves RAX as it was`, outside, `hv-${name.toLowerCase().replace(/_/g, '-')}`);
    } else {
      add(name, code, 'a TLFS call KVM does not implement in this era: RAX ← HV_STATUS_INVALID_HYPERCALL_CODE (2)', invalidCode, 'hv-invalid-code');
    }
  }
  calls.push({
    name: 'unknown call code',
    select: 'otherwise',
    summary: 'any other call code: RAX ← HV_STATUS_INVALID_HYPERCALL_CODE (2)',
    results: [{ register: 'rax', role: 'HV_STATUS_INVALID_HYPERCALL_CODE' }],
    meaning: 'hv-invalid-code',
    run,
  });
  return calls;
}

const SIXTY_FOUR = { efer: EFER_LONG_MODE, cs_attr: CS_ATTR_KERNEL64 } as const;

function enabledRegisters(era: HypervEra): Record<string, bigint> {
  return era.enablement === 'per-vcpu' ? { hv_x64_msr_guest_os_id: LINUX_GUEST_OS_ID } : { hv_x64_msr_hypercall: 0x1_2345_6000n | HV_X64_MSR_HYPERCALL_ENABLE };
}

function hypervSpec(era: HypervEra, conduit: (typeof CONDUITS)[number]): Abi {
  const enabled = enabledRegisters(era);
  return defineAbi({
    id: `hyperv-tlfs-${era.key}-${conduit.conduit}`,
    family: 'hyperv-tlfs',
    arch: 'x86_64',
    era: `${era.era}, ${conduit.vendor} host`,
    status: era.status,
    purpose: `Hyper-V hypercalls as KVM serves them on an ${conduit.vendor} host: the guest kernel calls through the hypercall page (which KVM fills with \`${conduit.conduit}; ret\`), with the input value in RCX and the input and output GPAs in RDX and R8 (EDX:EAX, EBX:ECX, EDI:ESI for a 32-bit caller), and reads the status in RAX.`,
    source: era.source,
    conduit: { instruction: conduit.conduit, imm: 'any' },
    origin: { privilege: ['kernel'], world: ['guest'] },
    // The call code is bits 15:0 of the input value; a 32-bit caller's is in EAX, which the semantics read.
    selector: { register: 'rcx', width: 16 },
    conditions: [era.enablement === 'per-vcpu' ? PER_VCPU_CONDITION : VM_WIDE_CONDITION],
    // kvm_emulate_hypercall tests Hyper-V before its own calls.
    priority: 20,
    calls: hypervCalls(era),
    examples: [
      { title: 'NOTIFY_LONG_SPIN_WAIT from a 64-bit guest kernel', registers: { rcx: 0x8n, ...enabled, ...SIXTY_FOUR }, call: 'HVCALL_NOTIFY_LONG_SPIN_WAIT' },
      { title: 'a KVM_HC_KICK_CPU after enablement: RAX = 5, RCX = APIC ID 1 is call code 1', registers: { rax: 5n, rbx: 0n, rcx: 1n, ...enabled, ...SIXTY_FOUR }, call: 'unknown call code' },
      { title: 'HvCallPostMessage (slow: the message at the input GPA)', registers: { rcx: 0x5cn, rdx: 0x10_0000n, ...enabled, ...SIXTY_FOUR }, call: 'HVCALL_POST_MESSAGE' },
      { title: 'a fast flush with a rep count', registers: { rcx: 0x0000_0003_0001_0002n, ...enabled, ...SIXTY_FOUR }, call: 'HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE' },
      { title: 'a nested-flagged spin wait (bit 31)', registers: { rcx: 0x8000_0008n, ...enabled, ...SIXTY_FOUR }, call: 'HVCALL_NOTIFY_LONG_SPIN_WAIT' },
    ],
    notes: [...era.notes, 'Hypercall MSRs: HV_X64_MSR_GUEST_OS_ID 0x40000000 (Linux vendor ID 0x8100 in bits 63:48), HV_X64_MSR_HYPERCALL 0x40000001 (bit 0 enable, bits 63:12 the page GPA); CPUID 0x40000001 EAX = 0x31237648 ("Hv#1").', 'A caller at CPL ≠ 0 or in real mode gets #UD ("per HYPER-V spec"), RAX untouched: the …-cpl3 spec of the same era.'],
    recognition: {
      inspects: ['magic-registers', 'privilege'],
      registersGivenUp: 0,
      slowsSyscalls: 'no: vmcall is no system call; but KVM reads the enablement (the hypercall MSR, later the guest OS ID) on every vmcall before its own hypercalls, and the CPL (#UD)',
    },
  });
}

/** A Hyper-V caller at CPL ≠ 0: #UD injected, nothing written. */
function hypervUserSpec(era: HypervEra, conduit: (typeof CONDUITS)[number]): Abi {
  return defineAbi({
    id: `hyperv-tlfs-${era.key}-${conduit.conduit}-cpl3`,
    family: 'hyperv-tlfs',
    arch: 'x86_64',
    era: `${era.era}, ${conduit.vendor} host, CPL 3 caller`,
    status: era.status,
    purpose: `What KVM does with a vmcall from CPL 3 of a guest it takes as Hyper-V: the TLFS allows hypercalls only at CPL 0, so KVM queues #UD ("hypercall generates UD from non zero cpl and real mode per HYPER-V spec") and writes no register; KVM's own −KVM_EPERM rule is never reached.`,
    source: era.source,
    conduit: { instruction: conduit.conduit, imm: 'any' },
    origin: { privilege: ['user'], world: ['guest'] },
    selector: { register: 'rcx', width: 16 },
    conditions: [era.enablement === 'per-vcpu' ? PER_VCPU_CONDITION : VM_WIDE_CONDITION],
    priority: 20,
    calls: [
      {
        name: 'inject #UD',
        select: 'otherwise',
        summary: 'CPL ≠ 0: KVM queues #UD for the guest (kvm_queue_exception(vcpu, UD_VECTOR)); the guest\'s own #UD handler runs at the vmcall, and no register is written',
        noReturn: true,
        meaning: 'inject-undefined',
        run: () => RETURN,
      },
    ],
    examples: [{ title: 'a user-mode KVM_HC_KICK_CPU after enablement', registers: { rax: 5n, rcx: 1n, ...enabledRegisters(era), ...SIXTY_FOUR }, origin: { privilege: 'user', world: 'guest' }, call: 'inject #UD' }],
  });
}

/** Every Hyper-V spec: each era on each vendor's instruction, for a CPL-0 caller and for a CPL-3 one. */
export const HYPERV_TLFS_ABIS: readonly Abi[] = ERAS.flatMap((era) => CONDUITS.flatMap((conduit) => [hypervSpec(era, conduit), hypervUserSpec(era, conduit)]));
