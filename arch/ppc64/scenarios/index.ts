/**
 * The ppc64 scenario catalog (hyplay issue 5 §6): a guest kernel in
 * supervisor state that queries KVM_HC_FEATURES and maps the magic page
 * through the merged KVM PV interface (v3.8 era), the same kernel idling with
 * EV_IDLE under each merged era (answered only from v3.8), and a user process whose system calls
 * (one with the 2010 draft's r3/r4 magic, one with OSI's) run against each
 * design's hypervisor: a design with a privilege check reflects them to the
 * guest kernel, the unchecked draft and OSI intercept them as hypercalls.
 *
 * The hypervisor is the design's spec firmware at the system-call vector
 * 0xC00 (`PPC64_FIRMWARE_PORT`, firmware-port.ts); a trap its spec does not take is
 * reflected to the guest kernel's own system-call handler, with SRR0/SRR1
 * as the `sc` left them. Hypercalls and system calls share 0xC00 (`sc`
 * LEV 0 keeps MSR[HV] = 0), so supervisor state is a trap mode too.
 *
 * @module
 */

import type { Abi } from '../../../src/abi/spec.ts';
import type { FirmwareSlot } from '../../../src/firmware/firmware.ts';
import type { Machine } from '../../../src/interp/machine.ts';
import type { ExitKind } from '../../../src/scenario/outcome.ts';
import type { Scenario, ScenarioCatalog } from '../../../src/scenario/scenario.ts';
import { KVM_PPC_OSI, OSI_SC_MAGIC_R3, OSI_SC_MAGIC_R4 } from '../abis/kvm-ppc-osi.abi.ts';
import { KVM_PPC_PV_MERGED, KVM_PPC_PV_V3_8, KVM_PPC_PV_2010_DRAFT, KVM_PPC_PV_2010_DRAFT_UNCHECKED, KVM_SC_MAGIC_R3_DRAFT, KVM_SC_MAGIC_R4_DRAFT, PC_KEYED } from '../abis/kvm-ppc-pv.abi.ts';
import { LINUX_SYSCALL_PPC64_V5_7 } from '../abis/linux-syscall-ppc64.abi.ts';
import { Vector } from '../exceptions.ts';

/** Where the guest kernel is loaded. */
const KERNEL_BASE = 0x4000;

/** A word of kernel data the system-call handler writes the last syscall number to. */
const SEEN = 0x7000;

const MODE_LABELS: Readonly<Record<string, string>> = { hv: 'hypervisor', supervisor: 'supervisor', problem: 'problem' };

/** `lis`/`ori` loading a 32-bit positive value into `reg`. */
function load32(reg: number, value: bigint): string {
  const v = Number(value);
  return `        lis     ${reg}, 0x${(v >>> 16).toString(16)}\n        ori     ${reg}, ${reg}, 0x${(v & 0xffff).toString(16)}`;
}

/** The guest kernel of the magic-page scenario: the PV sequence KVM_PPC_GET_PVINFO hands out (`lis r0; ori r0; sc; nop`). */
const MAGIC_PAGE_KERNEL = `
# the guest kernel, supervisor state: kvm_para_available() / kvm_map_magic_page()
start:
        lis     0, 0x4b56
        ori     0, 0, 0x4d21        # r0 = KVM_SC_MAGIC_R0 ("KVM!")
        li      11, 3
        oris    11, 11, 42          # r11 = (KVM vendor 42 << 16) | KVM_HC_FEATURES
        sc
        nop
        andi.   5, 4, 2             # r4 & (1 << KVM_FEATURE_MAGIC_PAGE)?
        beq     fail
        cmpdi   3, 0                # r3 = EV_SUCCESS?
        bne     fail
map_magic_page:
        lis     0, 0x4b56
        ori     0, 0, 0x4d21
        li      11, 4
        oris    11, 11, 42          # r11 = (42 << 16) | KVM_HC_PPC_MAP_MAGIC_PAGE
        lis     3, 0x3fff
        ori     3, 3, 0xf000        # r3 = the magic page's physical address
        li      4, -4096            # r4 = its effective address (-4096)
        sc
        nop
        cmpdi   3, 0                # mapped?
        bne     fail
mapped: b       mapped
fail:   b       fail
syscall_entry:
        b       fail                # no syscall is expected here
`;

/**
 * The guest kernel of the idle scenarios: EV_IDLE through the KVM PV sequence,
 * then a branch on the answer. KVM answers it only from v3.8; earlier
 * releases have no case for it and return EV_UNIMPLEMENTED, so the guest
 * idles by itself.
 */
const IDLE_KERNEL = `
# the guest kernel, supervisor state: idle through the hypervisor if it can
start:
        lis     0, 0x4b56
        ori     0, 0, 0x4d21        # r0 = KVM_SC_MAGIC_R0 ("KVM!")
        li      11, 16
        oris    11, 11, 1           # r11 = EV_HCALL_TOKEN(EV_IDLE) = (1 << 16) | 16
        sc
        nop
        cmpdi   3, 0                # EV_SUCCESS: the hypervisor idled the vCPU
        beq     idled
        cmpdi   3, 12               # EV_UNIMPLEMENTED: no idle hcall here
        beq     no_idle_hcall
fail:   b       fail
idled:  b       idled
no_idle_hcall:
        b       no_idle_hcall
syscall_entry:
        b       fail                # no syscall is expected here
`;

/** One user syscall: number in r0, first two arguments in r3/r4, then check that the kernel saw it. */
function userSyscall(nr: number, r3: bigint, r4: bigint, comment: string, intercepted: string): string {
  return `
        li      0, ${nr}                # ${comment}
${load32(3, r3)}
${load32(4, r4)}
        li      12, 0
        stw     12, 0(10)           # clear the kernel's "last syscall" word
        sc
        lwz     12, 0(10)
        cmpwi   12, ${nr}
        bne     ${intercepted}          # the kernel never saw it`;
}

/** The guest kernel and user process of the user-syscall scenarios. */
const USER_PROGRAM = `
# the guest kernel, supervisor state: drop to problem state (PR = 1) at user
start:
        bl      here
        .long   user
here:   mflr    9
        lwz     8, 0(9)
        mtsrr0  8
        li      7, 1
        sldi    7, 7, 63
        ori     7, 7, 0x5002        # SRR1: SF | PR | ME | RI
        mtsrr1  7
        rfid
# the guest kernel's system-call handler (what a reflected sc reaches): record r0, return 0
syscall_entry:
        li      10, 0x${SEEN.toString(16)}
        stw     0, 0(10)
        li      3, 0
        rfid
# the user process, problem state
user:
        li      10, 0x${SEEN.toString(16)}
${userSyscall(20, 0n, 0n, 'getpid()', 'intercepted_getpid')}
${userSyscall(4, KVM_SC_MAGIC_R3_DRAFT, KVM_SC_MAGIC_R4_DRAFT, 'write(fd, buf, …) with r3/r4 = the 2010 draft magic', 'intercepted_draft')}
${userSyscall(4, OSI_SC_MAGIC_R3, OSI_SC_MAGIC_R4, 'write(fd, buf, …) with r3/r4 = the OSI magic', 'intercepted_osi')}
all_reflected:
        b       all_reflected
intercepted_getpid:
        b       intercepted_getpid
intercepted_draft:
        b       intercepted_draft
intercepted_osi:
        b       intercepted_osi
`;

const at = (symbol: string) => ({ segment: 'kernel', symbol });

function magicPageScenario(): Scenario {
  return {
    name: 'ppc64-kvm-pv-magic-page',
    arch: 'ppc64',
    title: 'a guest kernel (supervisor) asks KVM_HC_FEATURES, then maps the magic page, through kvm-ppc-pv-v3.8 (r0 = "KVM!", token in r11, sc; nop)',
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: MAGIC_PAGE_KERNEL, origin: 'arch/ppc64/scenarios/index.ts (MAGIC_PAGE_KERNEL)' }],
    regions: [],
    firmware: [{ kind: 'spec', abi: KVM_PPC_PV_V3_8, base: 0, reflectTo: at('syscall_entry') }],
    entry: { at: at('start'), mode: 'supervisor' },
    exits: [{ at: at('mapped'), kind: 'guest-done', what: 'features r3 = 0 with the magic-page bit in r4, and the magic page mapped (r3 = 0)' }],
    errorExits: [{ at: at('fail'), what: 'a PV call failed or the magic-page feature is missing' }],
    caller: KVM_PPC_PV_V3_8.spec.id,
    maxSteps: 200,
    expected: 'guest-done',
  };
}

/** EV_IDLE under one merged era of kvm-ppc-pv: answered from v3.8, EV_UNIMPLEMENTED before. */
function idleScenario(abi: Abi): Scenario {
  const era = abi.spec.id.replace(/^kvm-ppc-pv-/, '');
  return {
    name: `ppc64-kvm-pv-idle-${era}`,
    arch: 'ppc64',
    title: `a guest kernel (supervisor) idles with EV_IDLE through ${abi.spec.id} (${abi.spec.era})`,
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: IDLE_KERNEL, origin: 'arch/ppc64/scenarios/index.ts (IDLE_KERNEL)' }],
    regions: [],
    firmware: [{ kind: 'spec', abi, base: 0, reflectTo: at('syscall_entry') }],
    entry: { at: at('start'), mode: 'supervisor' },
    exits: [
      { at: at('idled'), kind: 'guest-done', what: 'EV_IDLE answered EV_SUCCESS: the hypervisor idled the vCPU' },
      { at: at('no_idle_hcall'), kind: 'guest-done', what: 'EV_IDLE answered EV_UNIMPLEMENTED (12): the guest idles by itself' },
    ],
    errorExits: [{ at: at('fail'), what: 'EV_IDLE gave neither EV_SUCCESS nor EV_UNIMPLEMENTED' }],
    caller: abi.spec.id,
    maxSteps: 100,
    expected: 'guest-done',
  };
}

/** One design the user process runs against, and what it makes of the magic syscalls. */
interface Design {
  readonly abi: Abi;
  readonly short: string;
  readonly expected: ExitKind;
  readonly why: string;
}

const DESIGNS: readonly Design[] = [
  { abi: KVM_PPC_PV_V3_8, short: 'kvm-ppc-pv', expected: 'syscall-reflected', why: 'r0 = "KVM!" is no syscall number, and MSR[PR] is checked' },
  { abi: KVM_PPC_PV_2010_DRAFT, short: 'draft', expected: 'syscall-reflected', why: 'the r3/r4 magic is checked from kernel mode only' },
  { abi: KVM_PPC_PV_2010_DRAFT_UNCHECKED, short: 'draft-unchecked', expected: 'hypercall-intercepted', why: 'no MSR[PR] check: the write() with the draft magic is stolen' },
  { abi: KVM_PPC_OSI, short: 'osi', expected: 'hypercall-intercepted', why: 'OSI tests r3/r4 before any privilege check: the write() with the OSI magic is stolen' },
  { abi: PC_KEYED, short: 'pc-keyed', expected: 'syscall-reflected', why: 'no sc in user space sits at the registered call site' },
];

function userScenario(design: Design): Scenario {
  return {
    name: `ppc64-user-magic-syscall-${design.short}`,
    arch: 'ppc64',
    title: `a user process's syscalls (getpid, write with the draft's r3/r4 magic, write with OSI's) under ${design.abi.spec.id}: ${design.why}`,
    segments: [{ name: 'kernel', base: KERNEL_BASE, source: USER_PROGRAM, origin: 'arch/ppc64/scenarios/index.ts (USER_PROGRAM)' }],
    regions: [{ base: SEEN, size: 0x1000, what: "the guest kernel's last-syscall word" }],
    firmware: [{ kind: 'spec', abi: design.abi, base: 0, reflectTo: at('syscall_entry') }],
    entry: { at: at('start'), mode: 'supervisor' },
    exits: [
      { at: at('all_reflected'), kind: 'syscall-reflected', what: "every syscall reached the guest kernel's handler" },
      { at: at('intercepted_getpid'), kind: 'hypercall-intercepted', what: 'getpid() never reached the guest kernel' },
      { at: at('intercepted_draft'), kind: 'hypercall-intercepted', what: 'write() with the 2010 draft magic in r3/r4 was taken as a hypercall, never reaching the guest kernel' },
      { at: at('intercepted_osi'), kind: 'hypercall-intercepted', what: 'write() with the OSI magic in r3/r4 was taken as a hypercall, never reaching the guest kernel' },
    ],
    errorExits: [],
    caller: LINUX_SYSCALL_PPC64_V5_7.spec.id,
    maxSteps: 400,
    expected: design.expected,
  };
}

let cache: readonly Scenario[] | undefined;

/** The ppc64 {@link ScenarioCatalog}. */
export const PPC64_SCENARIOS: ScenarioCatalog = {
  scenarios(): readonly Scenario[] {
    cache ??= [magicPageScenario(), ...KVM_PPC_PV_MERGED.map(idleScenario), ...DESIGNS.map(userScenario)];
    return cache;
  },
  hypervisorMode: 'hv',
  kernelMode: 'supervisor',
  trapModes: ['supervisor'],
  displayMode(mode: string): string {
    return MODE_LABELS[mode] ?? mode;
  },
  callRegisters: ['r0', 'r3', 'r4', 'r11'],
  faultAddress(machine: Machine, slot: FirmwareSlot): number | undefined {
    if (slot.offset === Vector.dsi) return Number(machine.register('dar'));
    if (slot.offset === Vector.isi || slot.offset === Vector.program) return Number(machine.register('srr0'));
    return undefined;
  },
};
