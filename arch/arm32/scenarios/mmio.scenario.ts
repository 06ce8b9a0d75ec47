/**
 * The single-vCPU MMIO scenarios (issue 13 §2): a guest kernel in a VM
 * (stage 2 on, VMID 1) touches emulated devices with each access form of
 * abi-facts §12.4, and KVM/ARM of one era answers at the Hyp vectors (the
 * `kvm-arm-mmio-*` specs as spec firmware, the devices behind them): an
 * ISV = 1 access emulated and completed, an STM that mainline v3.9 cannot
 * emulate (−ENOSYS, the VM stops) and the pre-merge decoder refuses (an
 * injected data abort), a writeback LDR the pre-merge decoder emulates and
 * QEMU after v5.5 answers with a synchronous external abort, and a load
 * into the PC (an injected prefetch abort). {@link mmioSmpScenarios} adds
 * the two-vCPU fetch race of the pre-merge eras (issue 13 §3).
 *
 * What KVM's world switch leaves is set up by `prepare`: stage-2 tables
 * mapping the guest's RAM only (so the devices fault at stage 2), VTTBR
 * with VMID 1, VTCR, HCR.VM, and HVBAR at KVM's vectors.
 *
 * @module
 */

import { Pl011Uart } from '../../../src/devices/pl011-uart.ts';
import { TestRegisterFile } from '../../../src/devices/test-register-file.ts';
import type { Machine } from '../../../src/interp/machine.ts';
import type { OutcomeKind } from '../../../src/scenario/outcome.ts';
import type { Scenario, ScenarioDevice, SmpScenario } from '../../../src/scenario/scenario.ts';
import type { ShootdownDesign } from '../../../src/smp/shootdown.ts';
import { KVM_ARM_MMIO_ABIS } from '../abis/kvm-arm-mmio.abi.ts';
import { buildStage2Tables } from '../stage2-tables.ts';
import { scenarioSource } from './kernel-image.ts';

/** Where the guest kernel's code is loaded (IPA = PA). */
export const MMIO_GUEST_BASE = 0x8000_8000;
/** The guest's RAM: the IPA range stage 2 maps. */
const GUEST_RAM = { ipa: 0x8000_0000, size: 0x0010_0000 };
/** KVM's Hyp vectors (spec firmware). */
const KVM_VECTORS = 0x8011_0000;
/** Where the stage-2 tables are built (outside the guest's IPA map). */
const STAGE2_TABLES = 0x8030_0000;
/** The test register file's IPA (outside the guest's memory: every access faults at stage 2). */
export const TEST_DEVICE = 0x0a00_0000;
/** The UART's IPA (QEMU virt's PL011 address). */
export const UART = 0x0900_0000;
/** DATA's value and SIGNED's, as the test device answers them, and SIGNED sign-extended (abi-facts §12.7). */
const DATA_VALUE = 0x1234_5678;
const SIGNED_VALUE = 0x8001;
const SIGNED_EXTENDED = 0xffff_8001;
/** The VMID the guest runs under (any non-zero VMID is a guest: VTTBR bits 55:48). */
const VMID = 1n;

/** What the guest does (mmio-guest.s `ACCESS`). */
type Access = 'isv' | 'stm' | 'writeback' | 'pc' | 'uart' | 's1ptw';
const ACCESS_NUMBER: Readonly<Record<Access, number>> = { isv: 0, stm: 1, writeback: 2, pc: 3, uart: 4, s1ptw: 5 };
/** The guest's stage-1 level-1 table (16 KiB aligned, in its RAM) and the VA whose level-2 table is in MMIO. */
const L1_TABLE = 0x8001_0000;
const S1PTW_VA = 0x4000_0000;

const DEVICES: readonly ScenarioDevice[] = [
  { name: 'uart0', base: UART, create: () => new Pl011Uart() },
  {
    name: 'test0',
    base: TEST_DEVICE,
    create: () =>
      new TestRegisterFile({
        registers: [
          { name: 'DATA', offset: 0, value: BigInt(DATA_VALUE) },
          { name: 'CTRL', offset: 4 },
          { name: 'SIGNED', offset: 8, value: BigInt(SIGNED_VALUE) },
        ],
      }),
  },
];

/** Stage 2 on for the guest's RAM, and KVM's vectors in HVBAR: what KVM leaves before it first enters the guest. */
function prepare(machine: Machine): void {
  const tables = buildStage2Tables(machine.memory, STAGE2_TABLES, [GUEST_RAM]);
  machine.setRegister('vtcr', BigInt(tables.vtcr));
  machine.setRegister('vttbr', BigInt(tables.vttbr) | (VMID << 48n));
  machine.setRegister('hcr', machine.register('hcr') | 1n);
  machine.setRegister('hvbar', BigInt(KVM_VECTORS));
}

function prelude(name: string, access: Access): string {
  const lines: [string, number][] = [
    ['ACCESS', ACCESS_NUMBER[access]],
    ['TEST_DEVICE', TEST_DEVICE],
    ['UART', UART],
    ['DATA_VALUE', DATA_VALUE],
    ['SIGNED_EXTENDED', SIGNED_EXTENDED],
    ['L1_TABLE', L1_TABLE],
    ['S1PTW_VA', S1PTW_VA],
  ];
  return [`@ ${name}: the prelude (arch/arm32/scenarios/mmio.scenario.ts)`, ...lines.map(([n, v]) => `        .equ    ${n}, 0x${v.toString(16)}`), ''].join('\n');
}

interface MmioScenarioConfig {
  readonly name: string;
  readonly title: string;
  readonly access: Access;
  readonly abi: string;
  readonly expected: OutcomeKind;
}

function mmioScenario(config: MmioScenarioConfig): Scenario {
  const abi = KVM_ARM_MMIO_ABIS.find((a) => a.spec.id === config.abi);
  if (abi === undefined) throw new Error(`${config.name}: no spec ${config.abi}`);
  const at = (symbol: string) => ({ segment: 'guest', symbol });
  return {
    name: config.name,
    arch: 'arm32',
    title: config.title,
    segments: [{ name: 'guest', base: MMIO_GUEST_BASE, source: `${prelude(config.name, config.access)}\n${scenarioSource('mmio-guest.s')}`, origin: 'arch/arm32/scenarios/mmio-guest.s' }],
    regions: config.access === 's1ptw' ? [{ base: L1_TABLE, size: 0x4000, what: "the guest's stage-1 level-1 table" }] : [],
    firmware: [{ kind: 'spec', abi, base: KVM_VECTORS }],
    entry: { at: at('guest_entry'), mode: 'svc' },
    exits: [
      { at: at('guest_done'), kind: 'guest-done', what: 'the guest finished its accesses and every value it checks was right' },
      { at: at('guest_data_abort'), kind: 'guest-abort', what: "the guest's data-abort handler ran" },
      { at: at('guest_prefetch_abort'), kind: 'guest-abort', what: "the guest's prefetch-abort handler ran" },
    ],
    errorExits: [
      { at: at('guest_fail'), what: 'a value the guest checks was wrong (or an exception it never expects)' },
      { at: at('guest_undef'), what: 'the guest took an undefined-instruction exception' },
    ],
    devices: DEVICES,
    prepare,
    maxSteps: 400,
    expected: config.expected,
  };
}

/** Every MMIO scenario, in the order of the eras. */
export function mmioScenarios(): readonly Scenario[] {
  return [
    { name: 'mmio-isv-v3.9', title: 'ISV = 1 store and loads to the test device on mainline v3.9: decoded from the HSR, answered, completed (SSE sign-extends)', access: 'isv', abi: 'kvm-arm-mmio-v3.9', expected: 'guest-done' },
    { name: 'mmio-uart-v3.9', title: 'an early console: "hello" to a PL011 through ISV = 1 stores, polling UARTFR, on mainline v3.9', access: 'uart', abi: 'kvm-arm-mmio-v3.9', expected: 'guest-done' },
    { name: 'mmio-ldr-pc-v3.9', title: 'ldr pc, [r0] from MMIO on v3.9: "IO memory trying to read/write pc", a prefetch abort injected', access: 'pc', abi: 'kvm-arm-mmio-v3.9', expected: 'guest-abort' },
    { name: 'mmio-s1ptw-v3.9', title: 'a stage-1 table walk into MMIO on v3.9 (S1PTW = 1 with ISV = 0): io_mem_abort tests ISV first, so -ENOSYS, not decode_hsr\'s "tell guest to fix its TTBR"', access: 's1ptw', abi: 'kvm-arm-mmio-v3.9', expected: 'vm-stopped' },
    { name: 'mmio-stm-pre-merge', title: 'STM to MMIO on the pre-merge trees (stop-the-world fetch): the decoder refuses a store multiple, a data abort is injected', access: 'stm', abi: 'kvm-arm-mmio-pre-merge-stw', expected: 'guest-abort' },
    { name: 'mmio-writeback-pre-merge', title: 'ldr r1, [r0], #4 to MMIO on the pre-merge trees: fetched, decoded, r0 written back, the device read', access: 'writeback', abi: 'kvm-arm-mmio-pre-merge-stw', expected: 'guest-done' },
    { name: 'mmio-stm-v3.9', title: 'STM to MMIO on mainline v3.9: ISV = 0, no decoder, KVM_RUN returns -ENOSYS and the VM stops', access: 'stm', abi: 'kvm-arm-mmio-v3.9', expected: 'vm-stopped' },
    { name: 'mmio-writeback-v3.9', title: 'ldr r1, [r0], #4 to MMIO on mainline v3.9: ISV = 0, KVM_RUN returns -ENOSYS', access: 'writeback', abi: 'kvm-arm-mmio-v3.9', expected: 'vm-stopped' },
    { name: 'mmio-stm-v5.5', title: 'STM to MMIO on v5.5+ without KVM_CAP_ARM_NISV_TO_USER: -ENOSYS', access: 'stm', abi: 'kvm-arm-mmio-v5.5', expected: 'vm-stopped' },
    { name: 'mmio-stm-v5.5-nisv', title: 'STM to MMIO on v5.5+ with KVM_CAP_ARM_NISV_TO_USER: KVM_EXIT_ARM_NISV, QEMU injects an external data abort', access: 'stm', abi: 'kvm-arm-mmio-v5.5-nisv', expected: 'guest-abort' },
    { name: 'mmio-writeback-v5.5-qemu', title: 'a writeback LDR to a device under QEMU after v5.5: KVM_EXIT_ARM_NISV, the guest takes a synchronous external abort', access: 'writeback', abi: 'kvm-arm-mmio-v5.5-nisv', expected: 'guest-abort' },
  ].map((config) => mmioScenario(config as MmioScenarioConfig));
}

/**
 * The fixed schedule of the fetch race: vCPU 0 runs to the first Hyp-trap
 * entry of its ISV = 0 load and the one call there (the 2012 trees
 * translate the PC and jump back to the vector; the stop-the-world fetch
 * reads and emulates in that call), vCPU 1 then invalidates (TLBIALLIS,
 * DSB) and reuses the frame (writes the new instruction word), and vCPU 0
 * runs on. Under IPI shootdown vCPU 1's DSB waits for vCPU 0, which is in
 * Hyp mode and cannot take the IPI, so its slice ends before the write.
 */
export const FETCH_RACE_SCHEDULE = '0:11,1:9,0:*';

/** A fetch-race scenario of one era. */
function fetchRaceScenario(name: string, abiId: string, title: string, expected: 'guest-done' | 'hypercall-misread' | 'vm-stopped' | 'guest-abort', shootdown: ShootdownDesign = 'broadcast'): SmpScenario {
  const abi = KVM_ARM_MMIO_ABIS.find((a) => a.spec.id === abiId);
  if (abi === undefined) throw new Error(`${name}: no spec ${abiId}`);
  const at = (symbol: string) => ({ segment: 'guest', symbol });
  const start = { at: at('start'), mode: 'svc' } as const;
  const equates = ([['TEST_DEVICE', TEST_DEVICE], ['DATA_VALUE', DATA_VALUE]] as const).map(([n, v]) => `        .equ    ${n}, 0x${v.toString(16)}`);
  return {
    name,
    arch: 'arm32',
    title,
    segments: [{ name: 'guest', base: MMIO_GUEST_BASE, source: [`@ ${name}: the prelude (arch/arm32/scenarios/mmio.scenario.ts)`, ...equates, '', scenarioSource('mmio-fetch-race.s')].join('\n'), origin: 'arch/arm32/scenarios/mmio-fetch-race.s' }],
    regions: [],
    firmware: { kind: 'spec', abi, base: KVM_VECTORS },
    vcpus: [start, start],
    exits: [
      { at: at('fetch_consistent'), kind: 'guest-done', what: 'the hypervisor emulated the load that trapped: r1 = DATA, r0 advanced by 4' },
      { at: at('fetch_raced'), kind: 'hypercall-misread', what: 'the hypervisor emulated the word vCPU 1 wrote after the trap: a halfword load into r2, r0 advanced by 2' },
      { at: at('guest_data_abort'), kind: 'guest-abort', what: "the guest's data-abort handler ran" },
    ],
    errorExits: [
      { at: at('fetch_bad'), what: 'the registers after the access are neither instruction\'s' },
      { at: at('guest_fail'), what: 'an exception the guest never expects' },
    ],
    devices: DEVICES,
    prepare: (machine) => prepare(machine),
    maxSteps: 400,
    seed: 1,
    schedule: FETCH_RACE_SCHEDULE,
    shootdown,
    report: ['result_r0', 'result_r1', 'result_r2'].map(at),
    expected,
  };
}

/**
 * The MMIO scenarios on two vCPUs (issue 13 §3): the ISV = 0 fetch race,
 * vCPU 1 rewriting vCPU 0's trapped load between the hypervisor's
 * translation of the PC and its read of the word, on the 2012 trees (the
 * new word is emulated: the wrong access) and on the stop-the-world fetch
 * of January 2013 (the load that trapped is emulated), under one schedule;
 * the 2012 fetch under an IPI shootdown (the race cannot happen); and the
 * mainline eras, which never fetch (v3.9 and v5.5: -ENOSYS; v5.5 with the
 * NISV capability: QEMU's external abort).
 */
export function mmioSmpScenarios(): readonly SmpScenario[] {
  return [
    fetchRaceScenario('mmio-fetch-race-pre-merge', 'kvm-arm-mmio-pre-merge', 'ldr r1, [r0], #4 (ISV = 0) on vCPU 0 rewritten to ldrh r2, [r0], #2 by vCPU 1 between the 2012 fetch\'s translation and read: the hypervisor emulates the new word', 'hypercall-misread'),
    fetchRaceScenario('mmio-fetch-race-stw', 'kvm-arm-mmio-pre-merge-stw', 'the same race on the stop-the-world fetch (Jan 2013): no vCPU runs between translation and read, the load that trapped is emulated', 'guest-done'),
    fetchRaceScenario('mmio-fetch-race-ipi', 'kvm-arm-mmio-pre-merge', "the 2012 fetch under an IPI shootdown (the x86 way): vCPU 1's DSB waits for vCPU 0, which cannot acknowledge inside the emulation, so the frame is reused only after it: the load that trapped is emulated", 'guest-done', 'ipi'),
    fetchRaceScenario('mmio-fetch-race-v3.9', 'kvm-arm-mmio-v3.9', 'the same access and schedule on mainline v3.9: no decoder, ISV = 0 ends KVM_RUN with -ENOSYS before anything is fetched', 'vm-stopped'),
    fetchRaceScenario('mmio-fetch-race-v5.5', 'kvm-arm-mmio-v5.5', 'the same on v5.5+ without KVM_CAP_ARM_NISV_TO_USER: -ENOSYS, nothing fetched', 'vm-stopped'),
    fetchRaceScenario('mmio-fetch-race-v5.5-nisv', 'kvm-arm-mmio-v5.5-nisv', 'the same on v5.5+ with KVM_CAP_ARM_NISV_TO_USER: KVM_EXIT_ARM_NISV to QEMU, which injects an external data abort; nothing fetched, so nothing to race', 'guest-abort'),
  ];
}
