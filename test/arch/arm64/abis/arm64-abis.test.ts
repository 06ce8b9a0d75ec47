/**
 * The arm64 ABI specs against ../shared/abi-facts.md §3, §5, §9.3 and §10:
 * each era of the hyp-stub and of KVM's host calls answers as its source
 * says (and differently from its neighbours where the history differs),
 * PSCI and SMCCC by KVM era and conduit, the vendor-hyp services, Xen and
 * the syscall table; the collision analysis with its witnesses and
 * allow-list; the selector values the generated conformance suites use.
 */

import { describe, expect, it } from 'vitest';
import { ARM64_ABIS, ARM64_ALLOWED_COLLISIONS } from '../../../../arch/arm64/abis/index.ts';
import { ARM64_NR_SYSCALLS, ARM64_SYSCALL_TABLE } from '../../../../arch/arm64/abis/arm64-syscall-table.ts';
import {
  ARM64_HYP_STUB_VECTORS,
  KVM_ARM64_PROTECTED,
  KVM_ARM64_V3_11,
  KVM_ARM64_V4_12,
  KVM_ARM64_V5_10,
  KVM_ARM64_V5_13,
  KVM_ARM64_V5_7,
  KVM_ARM64_V6_2,
  SCTLR_ELX_FLAGS_V4_12,
} from '../../../../arch/arm64/abis/kvm-arm64.abi.ts';
import { KVM_UID_WORDS, KVM_VENDOR_HYP_ARM64, KVM_VENDOR_HYP_ARM64_PKVM } from '../../../../arch/arm64/abis/kvm-vendor-hyp-arm64.abi.ts';
import {
  HCR_HOST_VHE_FLAGS,
  HVC_STUB_ERR,
  LINUX_HYP_STUB_ARM64_ABIS,
  LINUX_HYP_STUB_ARM64_FINALISE_EL2,
  LINUX_HYP_STUB_ARM64_V3_9,
  LINUX_HYP_STUB_ARM64_V4_12,
  LINUX_HYP_STUB_ARM64_V4_7,
  LINUX_HYP_STUB_ARM64_V4_8,
  LINUX_HYP_STUB_ARM64_V5_12,
} from '../../../../arch/arm64/abis/linux-hyp-stub-arm64.abi.ts';
import { LINUX_SYSCALL_ARM64 } from '../../../../arch/arm64/abis/linux-syscall-arm64.abi.ts';
import { PSCI_ARM64_GUEST_SMC_UNDEF, PSCI_ARM64_GUEST_SMC_V5_7, PSCI_ARM64_GUEST_SMC_V6_4, PSCI_ARM64_SMC, PSCI_ARM64_V0_2_HVC, PSCI_ARM64_V1_0_HVC } from '../../../../arch/arm64/abis/psci-arm64.abi.ts';
import { XEN_ARM64 } from '../../../../arch/arm64/abis/xen-arm64.abi.ts';
import { AbiRegistry } from '../../../../src/abi/registry.ts';
import type { Abi, Origin } from '../../../../src/abi/spec.ts';
import { analyseCollisions } from '../../../../src/dispatch/collisions.ts';
import { ClaimedInterpretation, dispatch, interpret, type Interpretation } from '../../../../src/dispatch/dispatcher.ts';
import { suiteSelectorValues } from '../../../../src/firmware/conformance.ts';

const MINUS_ONE = 0xffff_ffff_ffff_ffffn;
const REGISTRY = new AbiRegistry(ARM64_ABIS, ARM64_ALLOWED_COLLISIONS);
const HOST: Origin = { privilege: 'kernel', world: 'host' };
const GUEST: Origin = { privilege: 'kernel', world: 'guest' };

/** The trap through one spec; it must claim it (a declined trap fails the test here). */
function trap(abi: Abi, registers: Record<string, bigint>, options: { conduit?: string; imm?: number; origin?: Origin } = {}): ClaimedInterpretation {
  const origin = options.origin ?? HOST;
  return claimed(interpret(abi, { arch: 'arm64', conduit: options.conduit ?? abi.spec.conduit.instruction, imm: options.imm ?? 0, privilege: origin.privilege, world: origin.world, registers }));
}

function claimed(interpretation: Interpretation): ClaimedInterpretation {
  if (!(interpretation instanceof ClaimedInterpretation)) throw new Error(`${interpretation.abi} declines the trap`);
  return interpretation;
}

const RESTART = { x1: 0x4008_0000n, x2: 0x4800_0000n, x3: 0x4008_0000n, x4: 0x4400_0000n };

describe('linux-hyp-stub-arm64 eras', () => {
  it('every era is its own spec, oldest first, each citing its source', () => {
    expect(LINUX_HYP_STUB_ARM64_ABIS.map((a) => a.spec.id)).toEqual([
      'linux-hyp-stub-arm64-v3.9',
      'linux-hyp-stub-arm64-v4.7',
      'linux-hyp-stub-arm64-v4.8',
      'linux-hyp-stub-arm64-v4.12',
      'linux-hyp-stub-arm64-v5.12',
      'linux-hyp-stub-arm64-finalise-el2',
    ]);
    for (const abi of LINUX_HYP_STUB_ARM64_ABIS) expect(abi.spec.source.document).toMatch(/tree|torvalds\/linux/);
  });

  it('v3.9: no numbers, x0 = 0 reads VBAR_EL2 and any other x0 is the new base (a soft restart writes 1 to VBAR_EL2, whose RES0 bits 10:0 read 0)', () => {
    expect(trap(LINUX_HYP_STUB_ARM64_V3_9, { x0: 0n, vbar_el2: 0x4010_0000n }).writes).toEqual({ x0: 0x4010_0000n });
    expect(trap(LINUX_HYP_STUB_ARM64_V3_9, { x0: 1n, x1: 0x4008_0000n }).writes).toEqual({ vbar_el2: 0n });
    expect(trap(LINUX_HYP_STUB_ARM64_V3_9, { x0: 0x4008_0801n }).writes).toEqual({ vbar_el2: 0x4008_0800n });
  });

  it('≈v4.7 GET 0 / SET 1 (base in x1); ≈v4.8–v4.11 adds SOFT_RESTART 2 and answers an unknown x0 with HYP_GONE (3)', () => {
    expect(trap(LINUX_HYP_STUB_ARM64_V4_7, { x0: 1n, x1: 0x4008_0800n }).writes).toEqual({ vbar_el2: 0x4008_0800n });
    expect(trap(LINUX_HYP_STUB_ARM64_V4_7, { x0: 2n }).writes).toEqual({});
    expect(trap(LINUX_HYP_STUB_ARM64_V4_8, { x0: 2n, ...RESTART })).toMatchObject({ call: 'HVC_SOFT_RESTART', outcome: { kind: 'jump', target: 0x4008_0000n } });
    expect(trap(LINUX_HYP_STUB_ARM64_V4_8, { x0: 0xffff_0000_0810_0000n }).writes).toEqual({ x0: 3n });
    expect(LINUX_HYP_STUB_ARM64_V4_7.spec.source.note).toContain('UNCONFIRMED');
  });

  it('SOFT_RESTART moves x2–x4 into x0–x2 and leaves the target in x4 (mov x0, x2; mov x2, x4; mov x4, x1; mov x1, x3; br x4)', () => {
    for (const abi of [LINUX_HYP_STUB_ARM64_V4_12, LINUX_HYP_STUB_ARM64_V5_12, LINUX_HYP_STUB_ARM64_FINALISE_EL2]) {
      const restart = trap(abi, { x0: 1n, ...RESTART });
      expect(restart.writes).toEqual({ x0: RESTART.x2, x1: RESTART.x3, x2: RESTART.x4, x4: RESTART.x1 });
      expect(restart.outcome).toMatchObject({ kind: 'jump', target: RESTART.x1 });
    }
  });

  it('v4.12: SET 0 (x0 ← 0), RESET 2, and x0 = 3 is HVC_STUB_ERR; from ≈v5.12 x0 = 3 upgrades to VHE', () => {
    expect(trap(LINUX_HYP_STUB_ARM64_V4_12, { x0: 0n, x1: 0x4008_0800n }).writes).toEqual({ vbar_el2: 0x4008_0800n, x0: 0n });
    expect(trap(LINUX_HYP_STUB_ARM64_V4_12, { x0: 2n }).writes).toEqual({ x0: 0n });
    expect(trap(LINUX_HYP_STUB_ARM64_V4_12, { x0: 3n, id_aa64mmfr1_el1: 0x100n }).writes).toEqual({ x0: HVC_STUB_ERR });
    const vhe = trap(LINUX_HYP_STUB_ARM64_V5_12, { x0: 3n, id_aa64mmfr1_el1: 0x100n, spsr_el2: 0x3c5n, vbar_el1: 0xffff_8000_1001_0800n, sp_el1: 0xffff_8000_0000_4000n, mdcr_el2: 0x0300_3006n, sctlr_el1: 0x30d0_199dn });
    expect(vhe.writes).toEqual({
      hcr_el2: HCR_HOST_VHE_FLAGS,
      sp_el2: 0xffff_8000_0000_4000n,
      tpidr_el2: 0n,
      vbar_el2: 0xffff_8000_1001_0800n,
      mdcr_el2: 0x6n,
      tcr_el2: 0n,
      ttbr0_el2: 0n,
      mair_el2: 0n,
      spsr_el2: 0x3c9n,
      sctlr_el2: 0x30d0_199dn,
      x0: 0n,
    });
    // The caller resumes at EL2h: the outcome says so, and the refusal is a plain return at EL1.
    expect(vhe.outcome).toMatchObject({ kind: 'return', mode: 'el2h' });
    expect(trap(LINUX_HYP_STUB_ARM64_V5_12, { x0: 3n }).outcome).toEqual({ kind: 'return' });
    expect(HCR_HOST_VHE_FLAGS).toBe(0x4_8800_0000n);
  });

  it('the VHE upgrade is refused with the EL2 MMU on or without VHE, in both namings', () => {
    for (const abi of [LINUX_HYP_STUB_ARM64_V5_12, LINUX_HYP_STUB_ARM64_FINALISE_EL2]) {
      expect(trap(abi, { x0: 3n, id_aa64mmfr1_el1: 0n }).writes).toEqual({ x0: HVC_STUB_ERR });
      expect(trap(abi, { x0: 3n, id_aa64mmfr1_el1: 0x100n, sctlr_el2: 1n }).writes).toEqual({ x0: HVC_STUB_ERR });
      expect(trap(abi, { x0: 4n }).writes).toEqual({ x0: HVC_STUB_ERR });
    }
    expect(LINUX_HYP_STUB_ARM64_FINALISE_EL2.calls.map((c) => c.spec.name)).toContain('HVC_FINALISE_EL2');
  });

  it('the generated suites probe each listed number and three representatives of the otherwise call', () => {
    expect(suiteSelectorValues(LINUX_HYP_STUB_ARM64_V4_12).get('invalid')).toEqual([3n, MINUS_ONE, 0x8000_0000_0000_0000n]);
    expect(suiteSelectorValues(LINUX_HYP_STUB_ARM64_V4_8).get('HVC_SOFT_RESTART')).toEqual([2n]);
  });
});

describe('kvm-arm64 host-call eras', () => {
  it('≤ v4.11: x0 = 0 is get-vectors, x0 = 2 (the v4.11 SOFT_RESTART) is a call to address 2 that faults at EL2', () => {
    expect(trap(KVM_ARM64_V3_11, { x0: 0n, vbar_el2: 0x4100_0800n }).writes).toEqual({ x0: 0x4100_0800n });
    const call = trap(KVM_ARM64_V3_11, { x0: 2n, x1: 0x4008_0000n });
    expect(call.outcome).toMatchObject({ kind: 'call', target: 2n, args: [0x4008_0000n, 0n, 0n] });
    expect(call.effect).toContain('hyp_panic');
  });

  it('v4.12 hands the restarted image x0 = 0 (the bug); the fix passes x2 through', () => {
    const buggy = trap(KVM_ARM64_V4_12, { x0: 1n, ...RESTART, sctlr_el2: 0x30c5_183dn });
    expect(buggy.writes).toEqual({ elr_el2: RESTART.x1, spsr_el2: 0x3c9n, x0: 0n, x1: RESTART.x3, x2: RESTART.x4, sctlr_el2: 0x30c5_183dn & ~SCTLR_ELX_FLAGS_V4_12, vbar_el2: ARM64_HYP_STUB_VECTORS });
    const fixed = trap(KVM_ARM64_V5_7, { x0: 1n, ...RESTART });
    expect(fixed.writes).toMatchObject({ x0: RESTART.x2, x1: RESTART.x3, x2: RESTART.x4, spsr_el2: 0x3c9n, vbar_el2: ARM64_HYP_STUB_VECTORS });
    expect(trap(KVM_ARM64_V4_12, { x0: 0n }).writes).toEqual({ x0: HVC_STUB_ERR });
    expect(trap(KVM_ARM64_V4_12, { x0: 3n }).outcome).toMatchObject({ kind: 'call', target: 3n });
  });

  it('nVHE: SMCCC IDs 0xC6000000 + n, numbered by era; x0 = 3 is unknown in v5.10 and a stub number from ≈v5.12', () => {
    expect(trap(KVM_ARM64_V5_10, { x0: 0xc600_0002n }).call).toBe('__kvm_flush_vm_context');
    expect(trap(KVM_ARM64_V5_13, { x0: 0xc600_0002n }).call).toBe('__kvm_flush_vm_context');
    expect(trap(KVM_ARM64_V6_2, { x0: 0xc600_0002n }).call).toBe('__pkvm_init');
    expect(trap(KVM_ARM64_V6_2, { x0: 0xc600_000cn })).toMatchObject({ call: '__kvm_vcpu_run', writes: { x0: 0n } });
    expect(trap(KVM_ARM64_V5_10, { x0: 3n }).writes).toEqual({ x0: MINUS_ONE });
    expect(trap(KVM_ARM64_V5_13, { x0: 3n }).writes).toEqual({ x0: HVC_STUB_ERR });
    expect(trap(KVM_ARM64_V6_2, { x0: 0xc600_0000n }).writes).toEqual({ x0: MINUS_ONE });
    expect(trap(KVM_ARM64_V6_2, { x0: 0xffff_8000_1009_1000n }).call).toBe('unknown');
  });

  it('protected KVM answers every stub call, SOFT_RESTART included, with −1, and refuses early calls after finalisation', () => {
    for (const x0 of [0n, 1n, 2n, 3n]) expect(trap(KVM_ARM64_PROTECTED, { x0, ...RESTART })).toMatchObject({ call: 'stub call refused', writes: { x0: MINUS_ONE }, outcome: { kind: 'return' } });
    expect(trap(KVM_ARM64_PROTECTED, { x0: 0xc600_0002n }).writes).toEqual({ x0: MINUS_ONE });
    expect(trap(KVM_ARM64_PROTECTED, { x0: 0xc600_000cn }).writes).toEqual({ x0: 0n });
  });
});

describe('PSCI and SMCCC for 64-bit callers, by KVM era and conduit', () => {
  it('PSCI_VERSION: 0.2 before v4.16, 1.0 after; SMCCC_VERSION unknown (−1) before, 1.1 after; v4.16+ zero x1–x3', () => {
    expect(trap(PSCI_ARM64_V0_2_HVC, { x0: 0x8400_0000n, x1: 7n }, { origin: GUEST }).writes).toEqual({ x0: 2n });
    expect(trap(PSCI_ARM64_V1_0_HVC, { x0: 0x8400_0000n, x1: 7n }, { origin: GUEST }).writes).toEqual({ x0: 0x1_0000n, x1: 0n, x2: 0n, x3: 0n });
    expect(trap(PSCI_ARM64_V0_2_HVC, { x0: 0x8000_0000n }, { origin: GUEST }).writes).toEqual({ x0: MINUS_ONE });
    expect(trap(PSCI_ARM64_V1_0_HVC, { x0: 0x8000_0000n }, { origin: GUEST }).writes.x0).toBe(0x1_0001n);
    expect(trap(PSCI_ARM64_V1_0_HVC, { x0: 0x8400_000an, x1: 0x8000_0000n }, { origin: GUEST }).writes.x0).toBe(0n);
  });

  it('CPU_ON (SMC64) and AFFINITY_INFO act on the modelled vCPUs; level 3 is valid on arm64, level 4 is not', () => {
    const psci = PSCI_ARM64_V1_0_HVC;
    expect(trap(psci, { x0: 0xc400_0003n, x1: 0n }, { origin: GUEST }).writes.x0).toBe(BigInt.asUintN(64, -4n));
    expect(trap(psci, { x0: 0xc400_0003n, x1: 7n }, { origin: GUEST }).writes.x0).toBe(BigInt.asUintN(64, -2n));
    expect(trap(psci, { x0: 0xc400_0004n, x1: 0n, x2: 3n }, { origin: GUEST }).writes.x0).toBe(0n);
    expect(trap(psci, { x0: 0xc400_0004n, x1: 0n, x2: 4n }, { origin: GUEST }).writes.x0).toBe(BigInt.asUintN(64, -2n));
  });

  it('the same smc #0 PSCI call: the firmware answers the host; a guest gets UNDEF, then −1, then (≈v6.4) PSCI, and −1 for a non-zero immediate', () => {
    const version = { x0: 0x8400_0000n };
    expect(dispatch(REGISTRY, { arch: 'arm64', conduit: 'smc', imm: 0, privilege: 'kernel', world: 'host', registers: version }).interpretations.filter((i) => i.mine).map((i) => i.abi)).toEqual(['psci-arm64-smc']);
    expect(trap(PSCI_ARM64_SMC, version).writes.x0).toBe(0x1_0000n);
    expect(trap(PSCI_ARM64_GUEST_SMC_UNDEF, version, { origin: GUEST })).toMatchObject({ call: 'inject_undefined', writes: {} });
    expect(trap(PSCI_ARM64_GUEST_SMC_V5_7, version, { origin: GUEST }).writes).toEqual({ x0: MINUS_ONE });
    expect(trap(PSCI_ARM64_GUEST_SMC_V6_4, version, { origin: GUEST }).writes.x0).toBe(0x1_0000n);
    expect(trap(PSCI_ARM64_GUEST_SMC_V6_4, version, { origin: GUEST, imm: 1 }).writes).toEqual({ x0: MINUS_ONE });
  });
});

describe('vendor-hyp services, Xen, syscalls', () => {
  it('the UID query answers the KVM UUID; FEATURES a bitmap of what the guest kind is offered', () => {
    expect(trap(KVM_VENDOR_HYP_ARM64, { x0: 0x8600_ff01n }, { origin: GUEST }).writes).toEqual({ x0: BigInt(KVM_UID_WORDS[0]), x1: BigInt(KVM_UID_WORDS[1]), x2: BigInt(KVM_UID_WORDS[2]), x3: BigInt(KVM_UID_WORDS[3]) });
    expect(KVM_UID_WORDS).toEqual([0xb66fb428, 0xe911c52e, 0x564bcaa9, 0x743a004d]);
    expect(trap(KVM_VENDOR_HYP_ARM64, { x0: 0x8600_0000n }, { origin: GUEST }).writes.x0).toBe(0x3n);
    expect(trap(KVM_VENDOR_HYP_ARM64_PKVM, { x0: 0x8600_0000n }, { origin: GUEST }).writes.x0).toBe(0x9fn);
    expect(trap(KVM_VENDOR_HYP_ARM64_PKVM, { x0: 0xc600_0002n }, { origin: GUEST }).writes.x0).toBe(4096n);
    expect(trap(KVM_VENDOR_HYP_ARM64_PKVM, { x0: 0xc600_0002n, x1: 1n }, { origin: GUEST }).writes.x0).toBe(BigInt.asUintN(64, -3n));
  });

  it('host vs guest on the same SMCCC ID 0xC6000002: the dispatcher decides by origin, and the analysis finds no overlap', () => {
    const at = (world: 'host' | 'guest'): string[] =>
      dispatch(REGISTRY, { arch: 'arm64', conduit: 'hvc', imm: 0, privilege: 'kernel', world, registers: { x0: 0xc600_0002n } })
        .interpretations.filter((i) => i.mine && i.call !== undefined)
        .map((i) => `${i.abi}:${i.call}`);
    expect(at('host')).toContain('kvm-arm64-v6.2:__pkvm_init');
    expect(at('host')).toContain('kvm-arm64-v5.10:__kvm_flush_vm_context');
    expect(at('guest')).toContain('kvm-vendor-hyp-arm64:ARM_SMCCC_KVM_FUNC_HYP_MEMINFO');
    expect(at('guest').some((s) => s.startsWith('kvm-arm64-'))).toBe(false);
    const report = analyseCollisions(REGISTRY, 'arm64');
    expect(report.collisions.filter((c) => c.abis.some((a) => a.startsWith('kvm-vendor-hyp')) && c.abis.some((a) => a.startsWith('kvm-arm64-')))).toEqual([]);
  });

  it('Xen: hvc #0xEA1 with the number in x16; a number without a handler answers −ENOSYS in all 64 bits', () => {
    expect(trap(XEN_ARM64, { x16: 18n }, { origin: GUEST, imm: 0xea1 }).call).toBe('__HYPERVISOR_console_io');
    expect(trap(XEN_ARM64, { x16: 1n }, { origin: GUEST, imm: 0xea1 }).writes).toEqual({ x0: BigInt.asUintN(64, -38n) });
  });

  it('the generic table: numbers ascending to 462 mseal, gaps at 42, 244–259 and 295–423, and w8 selects', () => {
    const numbers = ARM64_SYSCALL_TABLE.map((e) => e.number);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.at(-1)).toBe(462);
    expect(ARM64_NR_SYSCALLS).toBe(463);
    for (const gap of [42, 244, 259, 295, 403, 423]) expect(numbers).not.toContain(gap);
    expect(numbers.filter((n) => n <= 294)).toHaveLength(294 - 1 - 16 + 1);
    const name = (n: number): string | undefined => ARM64_SYSCALL_TABLE.find((e) => e.number === n)?.name;
    expect([name(56), name(63), name(64), name(93), name(172), name(221), name(435), name(447)]).toEqual(['openat', 'read', 'write', 'exit', 'getpid', 'execve', 'clone3', 'memfd_secret']);
    const svc = (x8: bigint): ClaimedInterpretation => claimed(interpret(LINUX_SYSCALL_ARM64, { arch: 'arm64', conduit: 'svc', imm: 0, privilege: 'user', world: 'host', registers: { x8 } }));
    expect(svc(0x1_0000_00acn).call).toBe('getpid');
    expect(svc(463n).writes).toEqual({ x0: BigInt.asUintN(64, -38n) });
    expect(svc(18n)).toMatchObject({ call: 'lookup_dcookie', writes: { x0: BigInt.asUintN(64, -38n) } });
    expect(svc(300n).call).toBe('unknown');
  });
});

describe('arm64 collisions', () => {
  const report = analyseCollisions(REGISTRY, 'arm64');
  const pair = (a: string, b: string): string => [a, b].sort().join(' x ');

  it('the allow-list has no stale entries, and every entry has a reason', () => {
    expect(report.stale).toEqual([]);
    for (const entry of ARM64_ALLOWED_COLLISIONS) expect(entry.reason.length).toBeGreaterThan(40);
  });

  it('stub × KVM: the shipped, unreachable pairs are allowed; the hazards are not, each with a witness the dispatcher confirms', () => {
    const hostHvc = report.collisions.filter((c) => c.conduit === 'hvc' && c.witness.origin.world === 'host');
    expect(hostHvc.filter((c) => c.allowed).map((c) => pair(...c.abis))).toEqual(
      [
        pair('linux-hyp-stub-arm64-v3.9', 'kvm-arm64-v3.11'),
        pair('linux-hyp-stub-arm64-v4.7', 'kvm-arm64-v3.11'),
        pair('linux-hyp-stub-arm64-v4.8', 'kvm-arm64-v3.11'),
        pair('linux-hyp-stub-arm64-v4.12', 'kvm-arm64-v5.7'),
        pair('linux-hyp-stub-arm64-v4.12', 'kvm-arm64-v5.10'),
        pair('linux-hyp-stub-arm64-v5.12', 'kvm-arm64-v5.13'),
        pair('linux-hyp-stub-arm64-v5.12', 'kvm-arm64-v6.2'),
        pair('linux-hyp-stub-arm64-finalise-el2', 'kvm-arm64-v5.13'),
        pair('linux-hyp-stub-arm64-finalise-el2', 'kvm-arm64-v6.2'),
      ].sort(),
    );
    for (const hazard of [
      ['linux-hyp-stub-arm64-v4.12', 'kvm-arm64-v4.12'],
      ['linux-hyp-stub-arm64-v4.12', 'kvm-arm64-v3.11'],
      ['linux-hyp-stub-arm64-finalise-el2', 'kvm-arm64-protected'],
    ] as const) {
      const found = hostHvc.find((c) => pair(...c.abis) === pair(hazard[0], hazard[1]));
      expect(found, hazard.join(' x ')).toMatchObject({ allowed: false });
    }
    // The x0 bug at its witness: the same SOFT_RESTART, a different x0 at the target.
    const registers = { x0: 1n, ...RESTART };
    expect(trap(LINUX_HYP_STUB_ARM64_V4_12, registers).writes.x0).toBe(RESTART.x2);
    expect(trap(KVM_ARM64_V4_12, registers).writes.x0).toBe(0n);
    // Protected KVM at the stub's witness: −1 and a return where the stub jumps.
    expect(trap(KVM_ARM64_PROTECTED, registers).outcome.kind).toBe('return');
    expect(trap(LINUX_HYP_STUB_ARM64_FINALISE_EL2, registers).outcome.kind).toBe('jump');
  });

  it('guest hvc: KVM and Xen overlap (KVM ignores the immediate), allowed as different hypervisors; PSCI and vendor-hyp overlap across eras', () => {
    const guest = report.collisions.filter((c) => c.witness.origin.world === 'guest');
    expect(guest.length).toBeGreaterThan(0);
    for (const c of guest) expect(c.allowed, c.abis.join(' x ')).toBe(true);
    const xen = guest.find((c) => pair(...c.abis) === pair('psci-arm64-v1.0-hvc', 'xen-arm64'))!;
    expect(xen.witness).toMatchObject({ imm: 0xea1, registers: { x0: '0x84000000' } });
  });

  it('PSCI from a guest and the host SMC to firmware never overlap: the conduit or the origin differs', () => {
    const psci = report.collisions.filter((c) => c.abis.includes('psci-arm64-smc') || c.abis.some((a) => a.startsWith('psci-arm64-guest-smc')));
    expect(psci).toEqual([]);
  });
});
