/**
 * PAPR hypercalls (pSeries, sPAPR): `sc 1` from the guest kernel with the H_*
 * opcode in r3, arguments in r4–r12 and the status in r3.
 *
 * The host decides what a call does, and two hosts differ even on who may
 * call, so the family has one spec per host:
 *
 * - `papr-kvm`: Linux v5.7 KVM (Book3S HV, or PR with PAPR on) with QEMU
 *   5.0.0 as its user space. A user-mode `sc 1` is no hypercall: KVM
 *   reflects it to the guest kernel as a system call, so the spec takes the
 *   guest kernel only ("not mine" is what spec firmware reflects);
 * - `papr-qemu-tcg`: QEMU 5.0.0's own sPAPR emulation (TCG, no KVM), which
 *   answers a user-mode `sc 1` with H_PRIVILEGE and every opcode it has no
 *   handler for with H_FUNCTION.
 *
 * Neither is a program check: that is BookE-HV's answer to ePAPR (see
 * epapr-kvm-booke-hv-*). Both list every opcode of `papr-hcalls.ts` and model
 * H_SET_SPRG0, H_RANDOM, H_PAGE_INIT, H_CEDE, H_CONFER and H_PROD (and QEMU's
 * two H_FUNCTION stubs); the other opcodes are named and their work is not
 * modelled (QEMU TCG's H_FUNCTION for an opcode it has no handler for is).
 *
 * Facts: ../shared/abi-facts.md §8.5 (v5.7 tree: hvcall.h, book3s_hv.c,
 * book3s_hv_rmhandlers.S, book3s_pr.c; QEMU 5.0.0: hw/ppc/spapr_hcall.c,
 * hw/ppc/spapr.c, hw/ppc/spapr_rng.c, include/hw/ppc/spapr.h).
 *
 * @module
 */

import { copyMemory, defineAbi, fillMemory, RETURN, type Abi, type AbiSpec, type CallContext, type CallSpec, type ReturnOutcome, type SpecOutcome } from '../../../src/abi/spec.ts';
import { MSR, PIR, R3, R4, R5, R6, SPRG0 } from './spec-registers.ts';
import { KVMPPC_HCALL_BASE, LINUX_MAX_HCALL_OPCODE, PAPR_HCALLS, QEMU_MAX_HCALL_OPCODE, type PaprHcall } from './papr-hcalls.ts';

/** A PAPR status as r3 holds it: 64-bit two's complement. */
function status(value: number): bigint {
  return BigInt.asUintN(64, BigInt(value));
}

/** `H_SUCCESS`. */
export const H_SUCCESS = 0n;
/** `H_HARDWARE` (−1). */
export const H_HARDWARE = status(-1);
/** `H_FUNCTION` (−2): the opcode is not supported. */
export const H_FUNCTION = status(-2);
/** `H_PRIVILEGE` (−3): the caller is not privileged. */
export const H_PRIVILEGE = status(-3);
/** `H_PARAMETER` (−4): a parameter is invalid. */
export const H_PARAMETER = status(-4);

/** H_PAGE_INIT flag `H_ICACHE_INVALIDATE` (1 << (63 − 40)). */
export const H_ICACHE_INVALIDATE = 1n << (63n - 40n);
/** H_PAGE_INIT flag `H_ICACHE_SYNCHRONIZE` (1 << (63 − 41)). */
export const H_ICACHE_SYNCHRONIZE = 1n << (63n - 41n);
/** H_PAGE_INIT flag `H_ZERO_PAGE` (1 << (63 − 48)). */
export const H_ZERO_PAGE = 1n << (63n - 48n);
/** H_PAGE_INIT flag `H_COPY_PAGE` (1 << (63 − 49)). */
export const H_COPY_PAGE = 1n << (63n - 49n);
/** The CMO flags `H_PAGE_SET_LOANED` (bits 63 − 28 … 63 − 31), which KVM HV's H_PAGE_INIT accepts and QEMU's does not. */
export const H_PAGE_SET_LOANED = (1n << (63n - 28n)) | (1n << (63n - 29n)) | (1n << (63n - 30n)) | (1n << (63n - 31n));

/** The page H_PAGE_INIT works on: 4 KiB under QEMU (TARGET_PAGE_SIZE) and KVM HV (SZ_4K). */
export const PAPR_PAGE_SIZE = 0x1000n;

/** MSR[EE] (LSB-0 bit 15): H_CEDE returns with external interrupts enabled. */
export const MSR_EE = 0x8000n;

/** Hypervisor-state keys the modelled calls use. */
export const PAPR_STATE = {
  /** How many vCPUs the partition has (ids 0 … n − 1); 1 unless set. */
  vcpus: 'papr.vcpus',
  /** The H_RANDOM generator's state. */
  random: 'papr.random',
} as const;

/** The state key of vCPU `id`'s pending H_PROD. */
export function prodKey(id: bigint): string {
  // The keys of the first vCPUs (the ones calls name) are made once.
  return id >= 0n && id < 64n ? PROD_KEYS[Number(id)]! : `papr.prod.${id}`;
}

const PROD_KEYS: readonly string[] = Array.from({ length: 64 }, (_, id) => `papr.prod.${id}`);

/** The hosts the family models. */
export type PaprHost = 'kvm' | 'qemu-tcg';

function setStatus(call: CallContext, value: bigint): ReturnOutcome {
  call.set(R3, value);
  return RETURN;
}

/** Whether `id` (a signed vCPU id in a register) names a vCPU of the partition. */
function vcpuExists(call: CallContext, id: bigint): boolean {
  const signed = BigInt.asIntN(64, id);
  return signed >= 0n && signed < call.state.get(PAPR_STATE.vcpus, 1n);
}

/** H_SET_SPRG0: SPRG0 ← r4 (QEMU h_set_sprg0: `cpu->env.spr[SPR_SPRG0] = args[0]`). */
function hSetSprg0(call: CallContext): ReturnOutcome {
  call.copy(SPRG0, R4);
  return setStatus(call, H_SUCCESS);
}

/**
 * H_RANDOM: r4 ← a random number. The model draws from xorshift64 kept in the
 * hypervisor state, so a trace is the same on every run; the host takes it
 * from its RNG.
 */
function hRandom(call: CallContext): ReturnOutcome {
  let x = call.state.get(PAPR_STATE.random, 0x9e37_79b9_7f4a_7c15n);
  x ^= BigInt.asUintN(64, x << 13n);
  x ^= x >> 7n;
  x ^= BigInt.asUintN(64, x << 17n);
  call.state.set(PAPR_STATE.random, x);
  call.set(R4, x);
  return setStatus(call, H_SUCCESS);
}

/** {@link PAPR_PAGE_SIZE} as the byte count `copyMemory` and `fillMemory` take. */
const PAGE_BYTES = Number(PAPR_PAGE_SIZE);

/** Whether all of the 4 KiB page at `address` is guest memory (read as 8-byte words). */
function pagePresent(call: CallContext, address: bigint): boolean {
  for (let offset = 0n; offset < PAPR_PAGE_SIZE; offset += 8n) if (call.memory.read(address + offset, 8) === undefined) return false;
  return true;
}

/**
 * H_PAGE_INIT(flags r4, destination r5, source r6): H_PARAMETER for a flag it
 * does not know or a page that is not 4 KiB-aligned (or not guest memory);
 * otherwise copy the source page (H_COPY_PAGE) or else zero the destination
 * (H_ZERO_PAGE). The icache flags have no effect the model can show.
 */
function hPageInit(host: PaprHost): (call: CallContext) => ReturnOutcome {
  // KVM HV's kvmppc_h_page_init also accepts the CMO flags (H_PAGE_SET_LOANED); QEMU's h_page_init does not.
  const known = H_ICACHE_INVALIDATE | H_ICACHE_SYNCHRONIZE | H_ZERO_PAGE | H_COPY_PAGE | (host === 'kvm' ? H_PAGE_SET_LOANED : 0n);
  return (call) => {
    const flags = call.get(R4);
    const destination = call.get(R5);
    const source = call.get(R6);
    const copy = (flags & H_COPY_PAGE) !== 0n;
    const zero = (flags & H_ZERO_PAGE) !== 0n;
    if ((flags & ~known) !== 0n) return setStatus(call, H_PARAMETER);
    if (destination % PAPR_PAGE_SIZE !== 0n || (copy && source % PAPR_PAGE_SIZE !== 0n)) return setStatus(call, H_PARAMETER);
    // Either page not being guest memory is H_PARAMETER, with nothing written (copyMemory and fillMemory check first).
    if (copy) return setStatus(call, copyMemory(call.memory, destination, source, PAGE_BYTES) ? H_SUCCESS : H_PARAMETER);
    if (zero) return setStatus(call, fillMemory(call.memory, destination, PAGE_BYTES, 0) ? H_SUCCESS : H_PARAMETER);
    // QEMU maps the destination whatever the flags; KVM touches memory only to copy or zero.
    if (host === 'qemu-tcg' && !pagePresent(call, destination)) return setStatus(call, H_PARAMETER);
    return setStatus(call, H_SUCCESS);
  };
}

/** H_CEDE: MSR[EE] ← 1; a pending H_PROD is consumed and the call returns at once; otherwise the vCPU sleeps until an interrupt or H_PROD (not modelled: dispatch returns at once). */
function hCede(call: CallContext): ReturnOutcome {
  call.set(MSR, call.get(MSR) | MSR_EE);
  call.state.set(prodKey(call.get(PIR)), 0n);
  return setStatus(call, H_SUCCESS);
}

/** H_PROD(r4 = vCPU): H_PARAMETER for a vCPU that does not exist, else mark it prodded (it leaves H_CEDE). */
function hProd(call: CallContext): ReturnOutcome {
  const target = call.get(R4);
  if (!vcpuExists(call, target)) return setStatus(call, H_PARAMETER);
  call.state.set(prodKey(target), 1n);
  return setStatus(call, H_SUCCESS);
}

/**
 * H_CONFER(r4 = vCPU or −1, r5 = its dispatch count): −1 yields to all;
 * H_PARAMETER for a vCPU that does not exist; else yield to it. QEMU also
 * treats a confer to oneself as "wait until prodded", consuming a pending
 * H_PROD; KVM HV does not.
 */
function hConfer(host: PaprHost): (call: CallContext) => ReturnOutcome {
  return (call) => {
    const target = call.get(R4);
    if (BigInt.asIntN(64, target) === -1n) return setStatus(call, H_SUCCESS);
    if (!vcpuExists(call, target)) return setStatus(call, H_PARAMETER);
    if (host === 'qemu-tcg' && target === call.get(PIR)) call.state.set(prodKey(target), 0n);
    return setStatus(call, H_SUCCESS);
  };
}

const R3_STATUS = { register: 'r3', role: 'status (H_SUCCESS = 0, errors negative)' } as const;

/** What a modelled call adds to its row: its semantics, arguments, results and a summary tail. */
interface Modelled {
  readonly run: (call: CallContext) => SpecOutcome;
  readonly args?: CallSpec['args'];
  readonly results?: CallSpec['results'];
  readonly clobbers?: CallSpec['clobbers'];
  readonly meaning?: string;
  readonly effect: string;
}

/** QEMU 5.0.0's handlers of H_CLEAN_SLB and H_INVALIDATE_PID are stubs (spapr_hcall.c:1425-1439): neither KVM host nor TCG does more. */
const QEMU_STUB: Modelled = {
  run: (call) => setStatus(call, H_FUNCTION),
  results: [{ register: 'r3', role: 'H_FUNCTION (−2)' }],
  meaning: 'h-function',
  effect: "QEMU 5.0.0's handler is a stub that logs it as unimplemented and answers H_FUNCTION (−2)",
};

function modelled(host: PaprHost): Readonly<Record<string, Modelled>> {
  return {
    H_SET_SPRG0: {
      run: hSetSprg0,
      args: [{ register: 'r4', role: 'value' }],
      results: [R3_STATUS, { register: 'sprg0', role: 'the value' }],
      effect: 'SPRG0 ← r4, r3 ← H_SUCCESS',
    },
    H_RANDOM: {
      run: hRandom,
      results: [R3_STATUS, { register: 'r4', role: 'random number' }],
      effect:
        host === 'kvm'
          ? 'r3 ← H_SUCCESS, r4 ← a random number (KVM HV in the kernel from the host RNG when QEMU enables it, else QEMU with the spapr-rng device; without either, H_FUNCTION; the model draws from a seeded xorshift64)'
          : 'r3 ← H_SUCCESS, r4 ← a random number (QEMU registers H_RANDOM only with the spapr-rng device, else H_FUNCTION; the model has the device and draws from a seeded xorshift64)',
    },
    H_PAGE_INIT: {
      run: hPageInit(host),
      args: [
        { register: 'r4', role: 'flags (H_ZERO_PAGE, H_COPY_PAGE, H_ICACHE_*)' },
        { register: 'r5', role: 'destination (4 KiB-aligned)' },
        { register: 'r6', role: 'source, with H_COPY_PAGE (4 KiB-aligned)' },
      ],
      results: [R3_STATUS],
      effect: `H_PARAMETER for an unknown flag${host === 'kvm' ? ' (the CMO flags H_PAGE_SET_LOANED are known to KVM HV)' : ''} or an unaligned (or absent) page; else copies the source page (H_COPY_PAGE) or zeroes the destination (H_ZERO_PAGE), 4 KiB, and r3 ← H_SUCCESS`,
    },
    H_CEDE: {
      run: hCede,
      results: [R3_STATUS, { register: 'msr', role: 'MSR[EE] set' }],
      effect: 'MSR[EE] ← 1, a pending H_PROD is consumed, r3 ← H_SUCCESS; the vCPU sleeps until an interrupt or H_PROD (not modelled)',
    },
    H_CONFER: {
      run: hConfer(host),
      args: [
        { register: 'r4', role: 'target vCPU, or −1 for all' },
        { register: 'r5', role: "the target's dispatch count" },
      ],
      results: [R3_STATUS],
      effect: `yields; r3 ← H_SUCCESS, or H_PARAMETER for a vCPU that does not exist${host === 'qemu-tcg' ? ' (a confer to oneself waits for H_PROD and consumes a pending one)' : ''}`,
    },
    H_PROD: {
      run: hProd,
      args: [{ register: 'r4', role: 'target vCPU' }],
      results: [R3_STATUS],
      effect: 'marks the target prodded (it leaves H_CEDE); r3 ← H_SUCCESS, or H_PARAMETER for a vCPU that does not exist',
    },
    H_CLEAN_SLB: QEMU_STUB,
    H_INVALIDATE_PID: QEMU_STUB,
  };
}

/** Under QEMU TCG a user-mode `sc 1` makes no call: emulate_spapr_hypercall answers H_PRIVILEGE. */
function privileged(host: PaprHost, run: (call: CallContext) => SpecOutcome): (call: CallContext) => SpecOutcome {
  if (host === 'kvm') return run;
  return (call) => (call.origin.privilege === 'user' ? setStatus(call, H_PRIVILEGE) : run(call));
}

/** Argument roles of calls the spec names but does not model (hvCall.S / the pseries callers). */
const KNOWN_ARGS: Readonly<Record<string, CallSpec['args']>> = {
  H_ENTER: [
    { register: 'r4', role: 'flags' },
    { register: 'r5', role: 'PTEG index' },
    { register: 'r6', role: 'HPTE dword 0' },
    { register: 'r7', role: 'HPTE dword 1' },
  ],
};

function paprCall(host: PaprHost, hcall: PaprHcall, model: Readonly<Record<string, Modelled>>): CallSpec {
  const base = `${hcall.summary} (0x${hcall.opcode.toString(16)}${hcall.origin === 'qemu' ? ', named by QEMU only' : ''})`;
  const user = host === 'qemu-tcg' ? '; from guest user mode: H_PRIVILEGE' : '';
  const semantics = model[hcall.name];
  if (semantics !== undefined) {
    return {
      name: hcall.name,
      select: BigInt(hcall.opcode),
      summary: `${base}: ${semantics.effect}${user}`,
      ...(semantics.args === undefined ? {} : { args: semantics.args }),
      results: semantics.results ?? [R3_STATUS],
      ...(semantics.clobbers === undefined ? {} : { clobbers: semantics.clobbers }),
      ...(semantics.meaning === undefined ? {} : { meaning: semantics.meaning }),
      run: privileged(host, semantics.run),
    };
  }
  if (host === 'qemu-tcg' && hcall.qemu === undefined) {
    return {
      name: hcall.name,
      select: BigInt(hcall.opcode),
      summary: `${base}: QEMU 5.0.0 has no handler, so r3 ← H_FUNCTION (−2)${user}`,
      results: [{ register: 'r3', role: 'H_FUNCTION (−2)' }],
      meaning: 'h-function',
      run: privileged(host, (call) => setStatus(call, H_FUNCTION)),
    };
  }
  const by = host === 'kvm' ? 'KVM (in the kernel) or QEMU 5.0.0' : `QEMU 5.0.0 (${hcall.qemu})`;
  return {
    name: hcall.name,
    select: BigInt(hcall.opcode),
    summary: `${base}: answered by ${by}; not modelled, registers are left as they were${user}`,
    ...(KNOWN_ARGS[hcall.name] === undefined ? {} : { args: KNOWN_ARGS[hcall.name] }),
    results: [R3_STATUS],
    // Not modelled: the spec names the call; the host's work and answer are not computed.
    run: privileged(host, () => RETURN),
  };
}

function unknownCall(host: PaprHost): CallSpec {
  const where =
    host === 'kvm'
      ? 'KVM passes it to QEMU, whose spapr_hypercall answers H_FUNCTION. (On POWER7/8 hosts the real-mode path first clears the two low bits, `clrrdi r3,r3,2` in hcall_try_real_mode, so 0x09 may run the real-mode H_ENTER: not modelled.)'
      : 'spapr_hypercall answers H_FUNCTION.';
  return {
    name: 'unknown',
    select: 'otherwise',
    summary: `an opcode no header names: not a multiple of 4, a gap in the table, past MAX_HCALL_OPCODE (0x${LINUX_MAX_HCALL_OPCODE.toString(16)}) or outside the platform ranges: r3 ← H_FUNCTION (−2); ${where}${host === 'qemu-tcg' ? ' From guest user mode: H_PRIVILEGE.' : ''}`,
    results: [{ register: 'r3', role: 'H_FUNCTION (−2)' }],
    meaning: 'h-function',
    run: privileged(host, (call) => setStatus(call, H_FUNCTION)),
  };
}

function calls(host: PaprHost): CallSpec[] {
  const model = modelled(host);
  return [...PAPR_HCALLS.map((hcall) => paprCall(host, hcall, model)), unknownCall(host)];
}

const ARGS = ['r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12'];

const PURPOSE =
  'The IBM Power Architecture Platform Reference hypercalls a pSeries (sPAPR) guest kernel makes to its hypervisor: `sc 1` with the H_* opcode in r3 and up to nine arguments in r4–r12; the status comes back in r3 (H_SUCCESS = 0, errors negative) and extra outputs in r4–r12.';

const COMMON = {
  family: 'papr',
  arch: 'ppc64',
  status: 'mainline',
  conduit: { instruction: 'sc1', imm: 0n },
  selector: { register: 'r3', width: 64 },
  priority: 10,
} as const satisfies Partial<AbiSpec>;

const EXAMPLES = [
  { title: 'insert a page table entry', registers: { r3: 0x08n, r4: 0n, r5: 0x100n }, call: 'H_ENTER' },
  { title: 'cede the processor', registers: { r3: 0xe0n }, call: 'H_CEDE' },
  { title: 'set SPRG0', registers: { r3: 0x24n, r4: 0x1234n }, call: 'H_SET_SPRG0' },
  { title: 'a random number', registers: { r3: 0x300n }, call: 'H_RANDOM' },
  { title: 'zero the page at 0x10000', registers: { r3: 0x2cn, r4: H_ZERO_PAGE, r5: 0x1_0000n }, call: 'H_PAGE_INIT' },
  { title: 'H_PAGE_INIT on an unaligned page: H_PARAMETER', registers: { r3: 0x2cn, r4: H_ZERO_PAGE, r5: 0x1_0008n }, call: 'H_PAGE_INIT' },
  { title: 'prod vCPU 0', registers: { r3: 0xe8n, r4: 0n }, call: 'H_PROD' },
  { title: 'client-architecture-support (QEMU private)', registers: { r3: 0xf002n }, call: 'KVMPPC_H_CAS' },
  { title: 'opcode 0x26 is not a multiple of 4: H_FUNCTION', registers: { r3: 0x26n }, call: 'unknown' },
  { title: 'an ePAPR EV_IDLE (r11 = 0x10010, r3 = 0) read as PAPR', registers: { r11: 0x1_0010n }, call: 'unknown' },
] as const;

function notes(host: PaprHost): string[] {
  return [
    `Arguments in ${ARGS.join(', ')} (plpar_hcall9 uses all nine). The opcodes are every one Linux v5.7's hvcall.h defines (to MAX_HCALL_OPCODE 0x${LINUX_MAX_HCALL_OPCODE.toString(16)}, then the platform ranges from 0xEF00) and QEMU 5.0.0's own (H_CLEAN_SLB, H_INVALIDATE_PID, SVM_H_TPM_COMM, and the private KVMPPC_H_* from KVMPPC_HCALL_BASE 0x${KVMPPC_HCALL_BASE.toString(16)}); PAPR opcodes are multiples of 4, QEMU's private ones are not.`,
    'Modelled: H_SET_SPRG0, H_RANDOM, H_PAGE_INIT, H_CEDE, H_CONFER and H_PROD (and H_CLEAN_SLB and H_INVALIDATE_PID, which QEMU answers H_FUNCTION from a stub), with the hypervisor state (papr.vcpus: how many vCPUs the partition has, 1 unless set; the caller is vCPU `pir`) and guest memory of the call. Every other listed opcode is named, and what the host does with it is not modelled.',
    host === 'kvm'
      ? 'A user-mode `sc 1` (MSR[PR] = 1) is no hypercall under KVM: HV KVM reflects it to the guest as a system call (book3s_hv_rmhandlers.S:2253-2255, "sc 1 from userspace - reflect to guest syscall", sc_1_fast_return), and PR KVM takes the PAPR branch only with MSR[PR] = 0 (book3s_pr.c:1313-1316) and queues anything else to the guest as a system call (after the OSI and KVM PV tests). The spec therefore takes the guest kernel only: "not mine" for a user-mode trap is what the spec firmware reflects to the guest kernel.'
      : 'A user-mode `sc 1` (MSR[PR] = 1) reaches QEMU and is answered there: emulate_spapr_hypercall sets r3 = H_PRIVILEGE (hw/ppc/spapr.c:1301-1313) and the caller resumes after the `sc 1`, whatever the opcode.',
    host === 'kvm'
      ? 'Where HV and PR KVM differ, the spec follows HV: PR KVM handles fewer hcalls in the kernel (kvmppc_h_pr), so H_PAGE_INIT, H_PROD and H_CONFER go to QEMU there, and QEMU rejects the CMO flags of H_PAGE_INIT with H_PARAMETER (see papr-qemu-tcg).'
      : `QEMU 5.0.0 has handlers only for the opcodes its devices register; the others are H_FUNCTION (as are opcodes past its MAX_HCALL_OPCODE 0x${QEMU_MAX_HCALL_OPCODE.toString(16)}, such as H_SCM_HEALTH). Device-backed calls (vty, llan, vio, iommu, nvdimm, XICS/XIVE, spapr-rng, spapr-tpm-proxy) need their device.`,
    'Neither host gives a program check for `sc 1`: that is BookE-HV KVM\'s answer to ePAPR (epapr-kvm-booke-hv-*).',
    'ePAPR uses the same `sc 1` with r11 as the token: only the platform configuration tells the two apart (collisions epapr-* × papr-*).',
  ];
}

/** PAPR as Linux v5.7 KVM (with QEMU 5.0.0) answers it: the guest kernel only. */
export const PAPR_KVM: Abi = defineAbi({
  ...COMMON,
  id: 'papr-kvm',
  era: 'KVM v5.7 (Book3S HV, or PR with PAPR on) with QEMU 5.0.0',
  purpose: `${PURPOSE} This spec is the answer of a KVM host; a user-mode \`sc 1\` is reflected to the guest kernel as a system call.`,
  source: {
    document: `v5.7 tree (a5221985/linux-5.7.14 @5d0b54d9): arch/powerpc/include/asm/hvcall.h:8-47 (status codes), :118-137 (H_PAGE_INIT flags), :162-353 (opcodes); arch/powerpc/kvm/book3s_hv_rmhandlers.S:2251-2262 (hcall_try_real_mode: \`andi. r0,r11,MSR_PR\` → sc_1_fast_return :2291; \`clrrdi r3,r3,2\`); arch/powerpc/kvm/book3s_hv.c:836-867 kvmppc_h_page_init, :903-1100 kvmppc_pseries_do_hcall (H_PROD :918, H_CONFER :930, H_RANDOM :1035, H_PAGE_INIT :1070), :1126-1136 (cede: MSR_EE, prodded); arch/powerpc/kvm/book3s_pr.c:1297-1334 and book3s_pr_papr.c kvmppc_h_pr (PR); QEMU 5.0.0 (zhouyuming/qemu-5.0.0 @c86cc9c3): hw/ppc/spapr_hcall.c:2052 spapr_hypercall, :766 h_set_sprg0, :814 h_page_init, :1051 h_cede, :1131 h_confer, :1186 h_prod; hw/ppc/spapr_rng.c:68 h_random; hw/ppc/spapr.c:2844-2855 (under KVM QEMU enables the in-kernel H_PAGE_INIT); torvalds/linux:arch/powerpc/platforms/pseries/hvCall.S (HVSC, plpar_hcall9)`,
    version: 'v5.7 (KVM), QEMU 5.0.0',
    note: 'The opcode list is papr-hcalls.ts (checked against both headers). The user-mode rule is older than v5.7: PR KVM has required MSR[PR] = 0 for PAPR since at least v3.3 (book3s_pr.c:654).',
  },
  origin: { privilege: ['kernel'], world: ['guest'] },
  calls: calls('kvm'),
  examples: [
    ...EXAMPLES,
    { title: 'H_PAGE_INIT with a CMO flag (H_PAGE_SET_LOANED): KVM HV accepts it', registers: { r3: 0x2cn, r4: H_PAGE_SET_LOANED, r5: 0x1_0000n }, call: 'H_PAGE_INIT' },
  ],
  notes: notes('kvm'),
  recognition: {
    inspects: ['immediate', 'privilege', 'instruction-fetch'],
    registersGivenUp: 0,
    slowsSyscalls: 'not under HV KVM (LEV = 1 traps to the hypervisor directly, which tests MSR[PR]); under Book3S PR KVM yes: with PAPR on, every guest `sc` is fetched back from guest memory (kvmppc_get_last_inst) to tell `sc 1` from `sc`',
  },
});

/** PAPR as QEMU 5.0.0's TCG sPAPR machine answers it: user mode gets H_PRIVILEGE. */
export const PAPR_QEMU_TCG: Abi = defineAbi({
  ...COMMON,
  id: 'papr-qemu-tcg',
  era: 'QEMU 5.0.0 sPAPR under TCG (no KVM)',
  purpose: `${PURPOSE} This spec is the answer of QEMU's own emulation: a user-mode \`sc 1\` gets H_PRIVILEGE, and an opcode QEMU has no handler for gets H_FUNCTION.`,
  source: {
    document:
      'QEMU 5.0.0 (zhouyuming/qemu-5.0.0 @c86cc9c3, VERSION 5.0.0): target/ppc/excp_helper.c:391-396 (POWERPC_EXCP_SYSCALL with LEV = 1 and a virtual hypervisor calls vhc->hypercall and returns after the `sc 1`), hw/ppc/spapr.c:1301-1313 emulate_spapr_hypercall (`if (msr_pr) env->gpr[3] = H_PRIVILEGE; else env->gpr[3] = spapr_hypercall(cpu, env->gpr[3], &env->gpr[4])`), hw/ppc/spapr_hcall.c:2029-2083 spapr_register_hypercall / spapr_hypercall (table to MAX_HCALL_OPCODE 0x3FC for multiples of 4, the SVM range, KVMPPC_HCALL_BASE … KVMPPC_HCALL_MAX; anything else H_FUNCTION), :766 h_set_sprg0, :814 h_page_init, :1051 h_cede, :1079 h_confer_self, :1131 h_confer, :1186 h_prod; hw/ppc/spapr_rng.c:68-97 h_random; include/hw/ppc/spapr.h:390-549 (opcodes, KVMPPC_H_*, SVM_H_TPM_COMM); v5.7 tree arch/powerpc/include/asm/hvcall.h:162-353 for the opcodes QEMU does not name',
    version: 'QEMU 5.0.0',
    note: 'The opcode list is papr-hcalls.ts; which of them QEMU 5.0.0 answers is read from its spapr_register_hypercall calls.',
  },
  origin: { privilege: ['kernel', 'user'], world: ['guest'] },
  calls: calls('qemu-tcg'),
  examples: [
    ...EXAMPLES,
    { title: 'a user-mode `sc 1`: H_PRIVILEGE whatever the opcode', registers: { r3: 0x08n }, origin: { privilege: 'user', world: 'guest' }, call: 'H_ENTER' },
    { title: 'H_SCM_HEALTH is past QEMU 5.0.0\'s table: H_FUNCTION', registers: { r3: 0x400n }, call: 'H_SCM_HEALTH' },
  ],
  notes: notes('qemu-tcg'),
  recognition: {
    inspects: ['immediate', 'privilege'],
    registersGivenUp: 0,
    slowsSyscalls: 'no: the emulator decodes LEV from the `sc` it translates anyway, and a guest `sc` (LEV 0) goes to the guest kernel; MSR[PR] is tested only for `sc 1`',
  },
});

/** The PAPR specs. */
export const PAPR_ABIS: readonly Abi[] = [PAPR_KVM, PAPR_QEMU_TCG];
