/**
 * KVM's vendor-specific hypervisor services for arm64 guests (SMCCC owner
 * VENDOR_HYP, 6): the call-UID query that tells a guest it runs on KVM, the
 * feature bitmap of the functions KVM offers, the PTP clock call, and the
 * protected-KVM guest calls (memory sharing and MMIO guard).
 *
 * Facts: ../shared/abi-facts.md §5.4 (torvalds/linux:include/linux/arm-smccc.h
 * @9840cfcb, Documentation/virt/kvm/arm/hypercalls.rst @25768de5 and
 * @ed83d364, Documentation/virt/kvm/arm/ptp_kvm.rst).
 *
 * @module
 */

import { defineAbi, RETURN, type Abi, type AbiSpec, type CallContext, type CallSpec, type ReturnOutcome, type ValueRange } from '../../../src/abi/spec.ts';
import { hexValue } from '../../../src/abi/value-set.ts';
import { X0, X1, X2, X3 } from './spec-registers.ts';

/** `ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID`. */
export const VENDOR_HYP_CALL_UID = 0x8600_ff01n;

/** The KVM UUID 28b46fb6-2ec5-11e9-a9ca-4b564d003a74 as the UID call returns it in x0–x3 (`ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_0…3`). */
export const KVM_UID_WORDS: readonly [number, number, number, number] = [0xb66f_b428, 0xe911_c52e, 0x564b_caa9, 0x743a_004d];

/** One vendor-hyp function: its number (bits 15:0), name, convention and who is offered it. */
export interface VendorHypFunction {
  /** The function number. */
  readonly number: number;
  /** `ARM_SMCCC_KVM_FUNC_<name>` (or the Linux macro name). */
  readonly name: string;
  /** Whether the ID is SMC64 (0xC6…) or SMC32 (0x86…). */
  readonly smc64: boolean;
}

/** The functions abi-facts §5.4 lists. */
export const VENDOR_HYP_FUNCTIONS: readonly VendorHypFunction[] = [
  { number: 0, name: 'ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID', smc64: false },
  { number: 1, name: 'ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID', smc64: false },
  { number: 2, name: 'ARM_SMCCC_KVM_FUNC_HYP_MEMINFO', smc64: true },
  { number: 3, name: 'ARM_SMCCC_KVM_FUNC_MEM_SHARE', smc64: true },
  { number: 4, name: 'ARM_SMCCC_KVM_FUNC_MEM_UNSHARE', smc64: true },
  { number: 7, name: 'ARM_SMCCC_KVM_FUNC_MMIO_GUARD', smc64: true },
  { number: 64, name: 'ARM_SMCCC_VENDOR_HYP_KVM_DISCOVER_IMPL_VER_FUNC_ID', smc64: true },
  { number: 65, name: 'ARM_SMCCC_VENDOR_HYP_KVM_DISCOVER_IMPL_CPUS_FUNC_ID', smc64: true },
];

function functionId(fn: VendorHypFunction): bigint {
  return (fn.smc64 ? 0xc600_0000n : 0x8600_0000n) + BigInt(fn.number);
}

/** `SMCCC_RET_*` as x0 holds them (64-bit). */
const NOT_SUPPORTED = BigInt.asUintN(64, -1n);
const INVALID_PARAMETER = BigInt.asUintN(64, -3n);

/** The protection granule pKVM reports: the hypervisor's page size (the model's, 4 KiB). */
export const PKVM_GRANULE = 4096n;

/** The guest kinds KVM offers different functions to. */
type Guest = 'ordinary' | 'protected';

/** The functions a guest kind is offered: ordinary guests FEATURES and PTP; protected guests also MEMINFO, MEM_SHARE/UNSHARE and MMIO_GUARD. DISCOVER_IMPL_* only when the VMM enables them, which the model does not. */
function offered(guest: Guest): ReadonlySet<number> {
  return new Set(guest === 'ordinary' ? [0, 1] : [0, 1, 2, 3, 4, 7]);
}

/** The FEATURES bitmap words for the functions `numbers` (x0 bits 0–31, x1 32–63, x2 64–95, x3 96–127). */
export function vendorHypFeatureWords(numbers: Iterable<number>): [number, number, number, number] {
  const words: [number, number, number, number] = [0, 0, 0, 0];
  for (const n of numbers) words[n >> 5] = (words[n >> 5]! | (1 << (n & 31))) >>> 0;
  return words;
}

function answer(call: CallContext, x0: bigint): ReturnOutcome {
  call.set(X0, x0);
  return RETURN;
}

/** Arguments that must be zero for the pKVM calls: x2 and x3 (x1 too for MEMINFO). */
function zeroArgs(call: CallContext, fromX1: boolean): boolean {
  return (!fromX1 || call.get(X1) === 0n) && call.get(X2) === 0n && call.get(X3) === 0n;
}

function vendorCalls(guest: Guest): CallSpec[] {
  const available = offered(guest);
  const words = vendorHypFeatureWords(available);
  const calls: CallSpec[] = [
    {
      name: 'ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID',
      select: VENDOR_HYP_CALL_UID,
      summary: `which hypervisor is this? x0–x3 ← the KVM UUID 28b46fb6-2ec5-11e9-a9ca-4b564d003a74 (${KVM_UID_WORDS.map((w) => hexValue(BigInt(w))).join(', ')})`,
      results: [0, 1, 2, 3].map((i) => ({ register: `x${i}`, role: `UID word ${i}` })),
      meaning: 'vendor-hyp-uid',
      run: (call) => {
        call.setU32(X0, KVM_UID_WORDS[0]);
        call.setU32(X1, KVM_UID_WORDS[1]);
        call.setU32(X2, KVM_UID_WORDS[2]);
        call.setU32(X3, KVM_UID_WORDS[3]);
        return RETURN;
      },
    },
  ];
  for (const fn of VENDOR_HYP_FUNCTIONS) {
    const select = functionId(fn);
    const base = { name: fn.name, select, meaning: `vendor-hyp-${fn.number}` };
    if (!available.has(fn.number)) {
      calls.push({ ...base, summary: `${hexValue(select)}: not offered to ${guest === 'ordinary' ? 'an ordinary guest' : 'this guest'}${fn.number >= 64 ? ' (only when the VMM enables the DISCOVER_IMPL calls)' : ' (protected guests only)'}: x0 ← NOT_SUPPORTED`, results: [{ register: 'x0', role: 'NOT_SUPPORTED' }], run: (c) => answer(c, NOT_SUPPORTED) });
      continue;
    }
    switch (fn.number) {
      case 0:
        calls.push({
          ...base,
          summary: `the bitmap of vendor-hyp functions offered, functions 0–127 in x0–x3: ${words.map((w) => hexValue(BigInt(w))).join(', ')} (bit n = function n)`,
          results: [0, 1, 2, 3].map((i) => ({ register: `x${i}`, role: `functions ${32 * i}–${32 * i + 31}` })),
          run: (call) => {
            call.setU32(X0, words[0]);
            call.setU32(X1, words[1]);
            call.setU32(X2, words[2]);
            call.setU32(X3, words[3]);
            return RETURN;
          },
        });
        break;
      case 1:
        calls.push({
          ...base,
          summary: 'ptp_kvm: x1 = 0 (virtual counter) or 1 (physical counter): x0/x1 ← wall clock high/low, x2/x3 ← the counter high/low (host values, not modelled); any other x1 → NOT_SUPPORTED',
          args: [{ register: 'x1', role: 'counter: 0 virtual, 1 physical' }],
          results: [{ register: 'x0', role: 'wall clock (high)' }, { register: 'x1', role: 'wall clock (low)' }, { register: 'x2', role: 'counter (high)' }, { register: 'x3', role: 'counter (low)' }],
          run: (call) => (call.get(X1) > 1n ? answer(call, NOT_SUPPORTED) : RETURN),
        });
        break;
      case 2:
        calls.push({
          ...base,
          summary: `the protection granule: x0 ← ${PKVM_GRANULE} (bytes) when x1–x3 are 0, else INVALID_PARAMETER (−3)`,
          results: [{ register: 'x0', role: 'granule, or −3' }],
          run: (call) => answer(call, zeroArgs(call, true) ? PKVM_GRANULE : INVALID_PARAMETER),
        });
        break;
      default:
        calls.push({
          ...base,
          summary: `${fn.name.replace('ARM_SMCCC_KVM_FUNC_', '')} of the granule at the IPA in x1: x0 ← 0 (SUCCESS) when x2 and x3 are 0, else INVALID_PARAMETER (−3); the stage-2 change itself is not modelled`,
          args: [{ register: 'x1', role: 'base IPA' }],
          results: [{ register: 'x0', role: '0, or −3' }],
          run: (call) => answer(call, zeroArgs(call, false) ? 0n : INVALID_PARAMETER),
        });
    }
  }
  const ids = [VENDOR_HYP_CALL_UID, ...VENDOR_HYP_FUNCTIONS.map(functionId)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  calls.push({
    name: 'unknown',
    select: ownerRangesExcept(ids),
    summary: 'any other VENDOR_HYP function ID (SMC32 0x86…, SMC64 0xC6…): x0 ← NOT_SUPPORTED (−1)',
    results: [{ register: 'x0', role: 'NOT_SUPPORTED' }],
    meaning: 'smccc-not-supported',
    run: (c) => answer(c, NOT_SUPPORTED),
  });
  return calls;
}

/** The fast VENDOR_HYP ranges (0x86000000–0x86ffffff and 0xc6000000–0xc6ffffff) without `ids`. */
function ownerRangesExcept(ids: readonly bigint[]): ValueRange[] {
  const out: ValueRange[] = [];
  for (const [min, max] of [[0x8600_0000n, 0x86ff_ffffn], [0xc600_0000n, 0xc6ff_ffffn]] as const) {
    let next = min;
    for (const id of ids.filter((v) => v >= min && v <= max)) {
      if (id > next) out.push({ min: next, max: id - 1n });
      next = id + 1n;
    }
    if (next <= max) out.push({ min: next, max });
  }
  return out;
}

const common = {
  family: 'kvm-vendor-hyp-arm64',
  arch: 'arm64',
  conduit: { instruction: 'hvc', imm: 'any' },
  origin: { privilege: ['kernel'], world: ['guest'] },
  selector: { register: 'x0', width: 32 },
  priority: 0,
} as const satisfies Partial<AbiSpec>;

const SOURCE =
  'torvalds/linux:include/linux/arm-smccc.h @9840cfcb (ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID, the KVM UID words, ARM_SMCCC_KVM_FUNC_*), Documentation/virt/kvm/arm/hypercalls.rst @25768de5 and @ed83d364 (the pKVM calls, DISCOVER_IMPL_*), Documentation/virt/kvm/arm/ptp_kvm.rst';

/** What an ordinary KVM guest is offered. */
export const KVM_VENDOR_HYP_ARM64: Abi = defineAbi({
  ...common,
  id: 'kvm-vendor-hyp-arm64',
  era: '≈v5.12 (release UNCONFIRMED)–, an ordinary guest',
  status: 'mainline',
  purpose: 'How a guest finds out it runs on KVM and what KVM offers it beyond PSCI: the VENDOR_HYP call-UID query answers the KVM UUID, the FEATURES call a bitmap of the vendor-hyp functions (FEATURES and PTP for an ordinary guest), and the PTP call reads the host\'s wall clock and counter for a precise guest clock (ptp_kvm).',
  source: { document: SOURCE, version: 'after v5.11 (the ptp_kvm series; first release UNCONFIRMED)' },
  calls: vendorCalls('ordinary'),
  examples: [
    { title: 'is this KVM? (the UID query)', registers: { x0: VENDOR_HYP_CALL_UID }, call: 'ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID' },
    { title: 'which vendor-hyp functions are there?', registers: { x0: 0x8600_0000n }, call: 'ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID' },
    { title: 'ptp_kvm reads the virtual counter', registers: { x0: 0x8600_0001n, x1: 0n }, call: 'ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID' },
    { title: 'a pKVM call from an ordinary guest', registers: { x0: 0xc600_0002n }, call: 'ARM_SMCCC_KVM_FUNC_HYP_MEMINFO' },
  ],
  notes: [
    'The guest-side 0xC6000002 (HYP_MEMINFO) is also a host call ID (KVM_HOST_SMCCC_ID(2): __kvm_flush_vm_context in v5.10, __pkvm_init in ≈v6.2, kvm-arm64). They never meet: a host HVC arrives through the host vector and a guest HVC through the guest exit path, so the dispatcher decides by origin first.',
    'Android pKVM trees number the MMIO-guard calls differently (INFO 5, ENROLL 6, MAP 7, UNMAP 8); the mainline number is 7.',
  ],
});

/** What a protected (pKVM) guest is offered. */
export const KVM_VENDOR_HYP_ARM64_PKVM: Abi = defineAbi({
  ...common,
  id: 'kvm-vendor-hyp-arm64-pkvm',
  era: 'protected KVM guests (release UNCONFIRMED)',
  status: 'mainline',
  purpose: 'A protected guest\'s memory is private to it, so it asks pKVM (at EL2) to share pages with the host and to guard MMIO regions: HYP_MEMINFO gives the granule, MEM_SHARE/MEM_UNSHARE change a granule\'s ownership, MMIO_GUARD registers an MMIO region. All SMC64, INVALID_PARAMETER (−3) for bad arguments.',
  source: { document: SOURCE, version: 'hypercalls.rst @25768de5', note: 'The FEATURES bitmap is derived from the functions offered (bits 0–4 and 7); which of them a given release sets is UNCONFIRMED.' },
  calls: vendorCalls('protected'),
  examples: [
    { title: 'the protection granule', registers: { x0: 0xc600_0002n }, call: 'ARM_SMCCC_KVM_FUNC_HYP_MEMINFO' },
    { title: 'share a page with the host', registers: { x0: 0xc600_0003n, x1: 0x8020_0000n }, call: 'ARM_SMCCC_KVM_FUNC_MEM_SHARE' },
    { title: 'guard an MMIO region', registers: { x0: 0xc600_0007n, x1: 0x0900_0000n }, call: 'ARM_SMCCC_KVM_FUNC_MMIO_GUARD' },
    { title: 'HYP_MEMINFO with a stray argument', registers: { x0: 0xc600_0002n, x1: 1n }, call: 'ARM_SMCCC_KVM_FUNC_HYP_MEMINFO' },
  ],
});

/** Every vendor-hyp spec. */
export const KVM_VENDOR_HYP_ARM64_ABIS: readonly Abi[] = [KVM_VENDOR_HYP_ARM64, KVM_VENDOR_HYP_ARM64_PKVM];
