/**
 * The arm64 MMIO scenarios (issue 13 §2, abi-facts §12.7): a guest kernel
 * at EL1 in a VM (stage 2 on, VMID 1) touches the test device with the
 * access forms of `mmio-guest.s`, and KVM/arm64 of one era answers at the
 * EL2 vectors (the `kvm-arm64-mmio-*` specs as spec firmware, the device
 * behind them): ISV = 1 accesses emulated and completed; a sign-extending
 * load into a W register before and after the v5.6 SF fix; and U-Boot's
 * post-indexed accessor, which v5.6 without the NISV capability stops the
 * VM on and QEMU after v5.5 answers with a synchronous external abort
 * (ESR_EL1 0x96000010).
 *
 * What KVM's world switch leaves is set up by `prepare`: stage-2 tables
 * mapping the guest's RAM only (so the device faults at stage 2),
 * VTTBR_EL2 with VMID 1, VTCR_EL2, HCR_EL2.VM and VBAR_EL2 at KVM's vectors.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { TestRegisterFile } from '../../../src/devices/test-register-file.ts';
import type { Machine } from '../../../src/interp/machine.ts';
import type { OutcomeKind } from '../../../src/scenario/outcome.ts';
import type { Scenario, ScenarioDevice } from '../../../src/scenario/scenario.ts';
import { KVM_ARM64_MMIO_ABIS } from '../abis/kvm-arm64-mmio.abi.ts';

/** Where the guest kernel's code is loaded (IPA = PA). */
const GUEST_BASE = 0x8_0000;
/** The guest's RAM: the IPA range stage 2 maps. */
const GUEST_RAM = { ipa: 0, size: 0x0020_0000 };
/** KVM's EL2 vectors (spec firmware), outside the guest's RAM. */
const KVM_VECTORS = 0x0030_0000;
/** Where the stage-2 tables are built (outside the guest's IPA map). */
const STAGE2_TABLES = 0x0040_0000;
/** The test register file's IPA (QEMU virt puts devices below RAM; every access faults at stage 2). */
export const TEST_DEVICE = 0x0a00_0000;
/** DATA (8 bytes at +0) and SIGNED (+16), as the device answers them, and SIGNED loaded as Xt and as Wt (abi-facts §12.7). */
const DATA_VALUE = 0x1234_5678_9abc_def0n;
const SIGNED_VALUE = 0x8001n;
const SIGNED_X = 0xffff_ffff_ffff_8001n;
const SIGNED_W = 0x0000_0000_ffff_8001n;
/** The VMID the guest runs under (VTTBR_EL2 bits 55:48). */
const VMID = 1n;
/** VTCR_EL2: T0SZ 32 (a 32-bit IPA space), SL0 1 (start at level 1), TG0 4 KiB, PS 32 bits (D13.2.152). */
const VTCR_EL2 = 32n | (1n << 6n);
/** HCR_EL2.VM (bit 0) and RW (bit 31: EL1 is AArch64). */
const HCR_EL2 = (1n << 31n) | 1n;

const DEVICES: readonly ScenarioDevice[] = [
  {
    name: 'test0',
    base: TEST_DEVICE,
    create: () =>
      new TestRegisterFile({
        registers: [
          { name: 'DATA', offset: 0, value: DATA_VALUE },
          { name: 'CTRL', offset: 8 },
          { name: 'SIGNED', offset: 16, value: SIGNED_VALUE },
        ],
      }),
  },
];

/**
 * Stage-2 tables for the guest's RAM (VMSAv8-64, 4 KiB granule, D8.3):
 * a level-1 table whose first entry points at a level-2 table whose first
 * entry is a 2 MiB block over IPA = PA 0 (AF, inner shareable, S2AP
 * read/write, MemAttr normal write-back). Every other IPA has no
 * descriptor: the device's 2 MiB faults at level 2 (DFSC 0x06).
 */
function buildStage2(machine: Machine): number {
  const level1 = STAGE2_TABLES;
  const level2 = STAGE2_TABLES + 0x1000;
  machine.memory.map(level1, 0x2000);
  machine.memory.write64(level1, BigInt(level2) | 3n);
  machine.memory.write64(level2, BigInt(GUEST_RAM.ipa) | (1n << 10n) | (3n << 8n) | (3n << 6n) | (0xfn << 2n) | 1n);
  return level1;
}

/** Stage 2 on for the guest's RAM, and KVM's vectors in VBAR_EL2: what KVM leaves before it first enters the guest. */
function prepare(machine: Machine): void {
  machine.setRegister('vtcr_el2', VTCR_EL2);
  machine.setRegister('vttbr_el2', BigInt(buildStage2(machine)) | (VMID << 48n));
  machine.setRegister('hcr_el2', machine.register('hcr_el2') | HCR_EL2);
  machine.setRegister('vbar_el2', BigInt(KVM_VECTORS));
}

/** What the guest does (mmio-guest.s `ACCESS`). */
type Access = 'isv' | 'ldrsh-w' | 'writeback';
const ACCESS_NUMBER: Readonly<Record<Access, number>> = { isv: 0, 'ldrsh-w': 1, writeback: 2 };

function prelude(name: string, access: Access): string {
  const lines: [string, bigint][] = [
    ['ACCESS', BigInt(ACCESS_NUMBER[access])],
    ['TEST_DEVICE', BigInt(TEST_DEVICE)],
    ['DATA_VALUE', DATA_VALUE],
    ['SIGNED_X', SIGNED_X],
    ['SIGNED_W', SIGNED_W],
  ];
  return [`// ${name}: the prelude (arch/arm64/scenarios/mmio.scenario.ts)`, ...lines.map(([n, v]) => `        .equ    ${n}, 0x${v.toString(16)}`), ''].join('\n');
}

interface MmioScenarioConfig {
  readonly name: string;
  readonly title: string;
  readonly access: Access;
  readonly abi: string;
  readonly expected: OutcomeKind;
}

function mmioScenario(config: MmioScenarioConfig): Scenario {
  const abi = KVM_ARM64_MMIO_ABIS.find((a) => a.spec.id === config.abi);
  if (abi === undefined) throw new Error(`${config.name}: no spec ${config.abi}`);
  const at = (symbol: string) => ({ segment: 'guest', symbol });
  const source = readFileSync(new URL('./mmio-guest.s', import.meta.url), 'utf8');
  return {
    name: config.name,
    arch: 'arm64',
    title: config.title,
    segments: [{ name: 'guest', base: GUEST_BASE, source: `${prelude(config.name, config.access)}\n${source}`, origin: 'arch/arm64/scenarios/mmio-guest.s' }],
    regions: [],
    firmware: [{ kind: 'spec', abi, base: KVM_VECTORS }],
    entry: { at: at('guest_entry'), mode: 'el1h' },
    exits: [
      { at: at('guest_done'), kind: 'guest-done', what: 'the guest finished its accesses and every value it checks was right' },
      { at: at('ldrsh_misread'), kind: 'hypercall-misread', what: 'ldrsh w4 left x4 = 0xffffffffffff8001: the hypervisor sign-extended past the 32-bit register (SF not read)' },
      { at: at('guest_data_abort'), kind: 'guest-abort', what: 'the guest took a synchronous external abort at EL1: ESR_EL1 0x96000010, FAR_EL1 the device address' },
    ],
    errorExits: [{ at: at('guest_fail'), what: 'a value the guest checks was wrong (or an exception it never expects)' }],
    devices: DEVICES,
    prepare,
    maxSteps: 400,
    expected: config.expected,
  };
}

/** Every arm64 MMIO scenario, in the order of the eras. */
export function arm64MmioScenarios(): readonly Scenario[] {
  return (
    [
      { name: 'mmio-a64-isv-v5.6', title: 'ISV = 1 str w1, ldr x2 and ldrsh x3 to the test device on v5.6+: decoded from ESR_EL2 (0x93810047 for the store), answered, completed (SAS = 3 a doubleword, SSE to 64 bits)', access: 'isv', abi: 'kvm-arm64-mmio-v5.6', expected: 'guest-done' },
      { name: 'mmio-a64-ldrsh-w-v4.19', title: 'ldrsh w4 of 0x8001 from MMIO before the v5.6 fix: SF not read, x4 = 0xffffffffffff8001 (a W write must zero bits 63:32)', access: 'ldrsh-w', abi: 'kvm-arm64-mmio-v4.19', expected: 'hypercall-misread' },
      { name: 'mmio-a64-ldrsh-w-v5.6', title: 'the same ldrsh w4 on v5.6+ ("Only sign-extend MMIO up to register width"): x4 = 0x00000000ffff8001', access: 'ldrsh-w', abi: 'kvm-arm64-mmio-v5.6', expected: 'guest-done' },
      { name: 'mmio-a64-writeback-v5.6', title: 'ldr w1, [x0], #4 to MMIO on v5.6+ without KVM_CAP_ARM_NISV_TO_USER: ISV = 0, KVM_RUN returns -ENOSYS and the VM stops', access: 'writeback', abi: 'kvm-arm64-mmio-v5.6', expected: 'vm-stopped' },
      { name: 'mmio-a64-writeback-v5.6-qemu', title: "U-Boot's post-indexed accessor under KVM with NISV to QEMU: KVM_EXIT_ARM_NISV, QEMU injects an external abort, the guest sees ESR_EL1 0x96000010", access: 'writeback', abi: 'kvm-arm64-mmio-v5.6-nisv', expected: 'guest-abort' },
    ] as const
  ).map((config) => mmioScenario(config));
}
