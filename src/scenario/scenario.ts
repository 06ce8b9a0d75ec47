/**
 * Scenario types: an initial machine (memory image, firmware at the
 * hypervisor vectors, the mode it is entered in), real guest code, and the
 * outcome it is expected to reach. A backend contributes its scenarios as a
 * {@link ScenarioCatalog} and, where it has one, a {@link ResetMatrixDefinition}
 * whose rows name scenarios.
 *
 * Nothing here names an architecture: modes, registers and vector slots come
 * from the catalog and from the backend's firmware port.
 *
 * @module
 */

import type { ShootdownDesign } from '../smp/shootdown.ts';
import type { Abi } from '../abi/spec.ts';
import type { FirmwareSlot } from '../firmware/firmware.ts';
import type { MmioDevice } from '../devices/mmio-bus.ts';
import type { Machine } from '../interp/machine.ts';
import type { StateCatalog } from '../state/state-catalog.ts';
import type { ExitKind, OutcomeKind } from './outcome.ts';

/** A piece of guest code assembled at its own base address (a kernel image, a crash kernel, …). */
export interface ScenarioSegment {
  /** Name used by {@link SymbolRef} and in messages (`kernel`, `new-kernel`). */
  readonly name: string;
  /** Where it is assembled (its labels' addresses) and, unless {@link ScenarioSegment.load} says otherwise, loaded. */
  readonly base: number;
  /**
   * Where its bytes are loaded in guest-physical memory when that is not
   * `base`: a kernel linked at a virtual address (an upper half, in a
   * backend's signed representation) that the guest's own page tables map
   * onto this physical address. Default: `base`.
   */
  readonly load?: number;
  /** The assembly source. */
  readonly source: string;
  /** Where the source came from, for assembly errors (`arch/arm32/scenarios/kernel.s + …`). */
  readonly origin: string;
}

/** A label of a segment. */
export interface SymbolRef {
  /** The segment's name. */
  readonly segment: string;
  /** The label. */
  readonly symbol: string;
}

/** An address: a number, or a label of a segment. */
export type Location = number | SymbolRef;

/** Memory mapped before the run besides the segments (stacks, data). */
export interface ScenarioRegion {
  /** First byte. */
  readonly base: number;
  /** Size in bytes. */
  readonly size: number;
  /** What it is for, one line. */
  readonly what: string;
}

/** A spec's own firmware (`installSpecFirmware`) at `base`. */
export interface SpecFirmware {
  /** Discriminant. */
  readonly kind: 'spec';
  /** The spec that answers the traps. */
  readonly abi: Abi;
  /** The vector base it is installed at. */
  readonly base: number;
  /**
   * Where a trap the spec does not take as one of its calls continues: the
   * guest kernel's own handler, entered with the exception state as taken
   * (the hypervisor reflects it). Without it such a trap stops the run.
   */
  readonly reflectTo?: Location;
}

/** Real code (assembly the backend interprets) installed at `base` by the backend. */
export interface CodeFirmware {
  /** Discriminant. */
  readonly kind: 'code';
  /** Its name (`asm:hyp-stub-v4.12`). */
  readonly name: string;
  /** The ABI id it implements. */
  readonly implements: string;
  /** The vector base it is installed at. */
  readonly base: number;
  /** Load it into `machine` at {@link CodeFirmware.base}; returns its labels (for the trace), if it has any. */
  install(machine: Machine): ReadonlyMap<string, number> | undefined;
}

/**
 * A host model: where the hypervisor is not guest code at a vector base but
 * sits outside the guest (x86: a VM exit leaves the guest for the host), the
 * backend installs it on the machine itself. Nothing is written to guest
 * memory and no vector base register is involved.
 */
export interface HostFirmware {
  /** Discriminant. */
  readonly kind: 'host';
  /** Its name, for the trace (`kvm-v4.11 host`). */
  readonly name: string;
  /** The ABI ids it answers with, in the order it consults them. */
  readonly implements: readonly string[];
  /** Install it on `machine`. */
  install(machine: Machine): void;
}

/** Something installed before the run: at a hypervisor vector base, or as the machine's host model. */
export type ScenarioFirmware = SpecFirmware | CodeFirmware | HostFirmware;

/** Where the machine starts. */
export interface ScenarioEntry {
  /** The first instruction. */
  readonly at: Location;
  /** The mode the machine is entered in (what the boot firmware left). */
  readonly mode: string;
}

/** An address whose execution means the guest gave up (a kernel's `die()`): the run ends as `guest-error`. */
export interface GuestErrorExit {
  /** Where. */
  readonly at: Location;
  /** What reaching it means, one line (`the old kernel died: BUG() or an oops`). */
  readonly what: string;
}

/** An address whose execution ends the run with an {@link ExitKind} outcome. */
export interface ScenarioExit {
  /** Where. */
  readonly at: Location;
  /** The outcome. */
  readonly kind: ExitKind;
  /** What reaching it means, one line (`the guest kernel's syscall handler ran`). */
  readonly what: string;
}

/** A guest function whose hypervisor calls speak a given ABI (KVM's `kvm_call_hyp` speaks KVM's, not the stub's). */
export interface CallerFunction {
  /** The function's label. */
  readonly at: SymbolRef;
  /** The ABI id its calls speak. */
  readonly abi: string;
}

/**
 * What an inspection of the stopped machine found: an outcome named by the
 * scenario (`spsr-el1-lost-in-migration`), one line of detail, and the
 * lines that show it (one per event, for the trace).
 */
export interface InspectionResult {
  /** The named outcome. */
  readonly outcome: string;
  /** One line: why. */
  readonly detail: string;
  /** What the inspection did and saw, one line each. */
  readonly lines: readonly string[];
}

/** What an inspection may use beyond the machine: every backend's state formats, syncs and kernel operations (a format may carry another backend's guests). */
export interface InspectionContext {
  /** The state catalog of every loaded backend. */
  readonly state: StateCatalog;
}

/**
 * A look at the machine a scenario's guest left, once the run reached its
 * expected outcome: it turns the stopped machine's state into a named
 * outcome of its own (a state exported, migrated and compared, say).
 */
export interface ScenarioInspection {
  /** What it does, one line. */
  readonly what: string;
  /** The named outcome it is expected to give. */
  readonly expected: string;
  /** Inspect the stopped machine (it may be changed; the run is over). */
  inspect(machine: Machine, context: InspectionContext): InspectionResult;
}

/**
 * A device the hypervisor emulates for the guest: spec firmware reaches it
 * through its memory (an MMIO bus in front of the guest's RAM), and every
 * access it answers is an `mmio` line in the trace.
 */
export interface ScenarioDevice {
  /** Its name on the bus (`uart0`). */
  readonly name: string;
  /** Its first guest-physical address. */
  readonly base: number;
  /** A fresh model for one run. */
  create(): MmioDevice;
}

/** One scenario. */
export interface Scenario {
  /** Unique name (`kdump-rmk-kvm-v4.6-vm`). */
  readonly name: string;
  /** Architecture name. */
  readonly arch: string;
  /** What it shows, one line. */
  readonly title: string;
  /** Values of the backend's machine choices (`MachineChoice`: x86_64 `vendor`), where the scenario needs other than the defaults. */
  readonly choices?: Readonly<Record<string, string>>;
  /** Guest code, assembled and loaded in order. */
  readonly segments: readonly ScenarioSegment[];
  /** Further memory to map. */
  readonly regions: readonly ScenarioRegion[];
  /** Firmware installed before the run. The vector base register is put back afterwards: the guest installs its own vectors. */
  readonly firmware: readonly ScenarioFirmware[];
  /** Where and how the machine starts. */
  readonly entry: ScenarioEntry;
  /** The new kernel's first instruction: reaching it ends the scenario as `new-kernel-in-…`; absent for scenarios that do not reboot. */
  readonly newKernel?: Location;
  /** Addresses whose execution ends the run with a given outcome (`guest-done`, `syscall-reflected`, …). */
  readonly exits?: readonly ScenarioExit[];
  /** Addresses that end the run as `guest-error`. */
  readonly errorExits: readonly GuestErrorExit[];
  /** The ABI the guest kernel speaks on its hypervisor calls (for the trace and crash details: what the caller meant). */
  readonly caller?: string;
  /** Functions that speak another ABI than {@link Scenario.caller}: a call belongs to the nearest label at or before its trapping instruction. */
  readonly callers?: readonly CallerFunction[];
  /** Step budget. */
  readonly maxSteps: number;
  /** The outcome the scenario is expected to reach. */
  readonly expected: OutcomeKind;
  /** An inspection of the stopped machine, run when the outcome is the expected one; the scenario then also expects its named outcome. */
  readonly inspection?: ScenarioInspection;
  /** Devices the hypervisor emulates (absent: none). */
  readonly devices?: readonly ScenarioDevice[];
  /**
   * Set up what the hypervisor leaves in place before the guest first runs,
   * after the code, memory and firmware are loaded (stage-2 tables, the
   * registers a world switch programs); absent: nothing.
   */
  prepare?(machine: Machine): void;
}

/**
 * A scenario on a machine with several vCPUs (`src/smp/`): the same guest
 * code and memory for all, spec firmware at every vCPU's vectors with one
 * hypervisor state (so a call on one vCPU sees what a call on another did),
 * a start for each vCPU that is on at first, and a default schedule. The run
 * ends at the first exit, error exit or stop any vCPU reaches.
 */
export interface SmpScenario {
  /** Unique name (`smp-…`, or the family's prefix, `mmio-…`). */
  readonly name: string;
  /** Architecture name. */
  readonly arch: string;
  /** What it shows, one line. */
  readonly title: string;
  /** Guest code, assembled and loaded in order. */
  readonly segments: readonly ScenarioSegment[];
  /** Further memory to map. */
  readonly regions: readonly ScenarioRegion[];
  /** The spec firmware every vCPU runs at its hypervisor vectors. */
  readonly firmware: SpecFirmware;
  /** Per vCPU: where it starts, or `off` (powered on later, by a call such as PSCI CPU_ON). */
  readonly vcpus: readonly (ScenarioEntry | 'off')[];
  /** Registers every vCPU is given before the run (what the hypervisor set up for its VM: arm32 VTTBR with the VM's VMID). */
  readonly registers?: Readonly<Record<string, bigint>>;
  /** Addresses whose execution, on any vCPU, ends the run with an outcome. */
  readonly exits: readonly ScenarioExit[];
  /** Addresses that end the run as `guest-error`. */
  readonly errorExits: readonly GuestErrorExit[];
  /** Step budget, all vCPUs together. */
  readonly maxSteps: number;
  /** The seed of the default schedule when the scenario gives no {@link SmpScenario.schedule} (`--seed` and `--schedule` replace it). */
  readonly seed: number;
  /**
   * A fixed interleaving as `--schedule` writes it (`0:12,1:3,0:*`), the
   * default schedule instead of the seed's: for a race that one
   * interleaving shows (a write landing between two steps of a
   * hypervisor call). `--seed` and `--schedule` replace it.
   */
  readonly schedule?: string;
  /** How the vCPUs' shareable TLB maintenance reaches each other (default `broadcast`, the ARMv7+ hardware way; `--shootdown` replaces it). */
  readonly shootdown?: ShootdownDesign;
  /** Devices the hypervisor emulates, one bus shared by every vCPU's firmware (none when absent). */
  readonly devices?: readonly ScenarioDevice[];
  /**
   * What the hypervisor sets up on vCPU `n` before it first enters the
   * guest, after the code, memory, firmware and {@link SmpScenario.registers}
   * (stage-2 tables, the registers a world switch programs); called for
   * every vCPU, on or off. Absent: nothing.
   */
  prepare?(machine: Machine, n: number): void;
  /** Words of guest memory the trace ends with (results the guest wrote), by label. */
  readonly report?: readonly SymbolRef[];
  /** The outcome it is expected to reach. */
  readonly expected: OutcomeKind;
}

/** A backend's scenarios and what the runner needs to know about its modes. */
export interface ScenarioCatalog {
  /** Every scenario, in a stable order (built on first use). */
  scenarios(): readonly Scenario[];
  /** The scenarios on machines with several vCPUs, in a stable order, where the backend has any. */
  smpScenarios?(): readonly SmpScenario[];
  /** The mode hypervisor code runs in (`hyp`). */
  readonly hypervisorMode: string;
  /**
   * Further modes in which an exception taken at a hypervisor vector slot is
   * a trap to the hypervisor's vectors: where a conduit enters the shared
   * vectors without raising the mode (a system-call vector shared by
   * system calls and hypercalls). Absent: {@link ScenarioCatalog.hypervisorMode} only.
   */
  readonly trapModes?: readonly string[];
  /** The mode a kernel runs in below the hypervisor (`svc`): the `svc` of `new-kernel-in-svc`. */
  readonly kernelMode: string;
  /** How a mode is written in details (`hyp` → `Hyp`, `svc` → `SVC`). */
  displayMode(mode: string): string;
  /** Registers shown for each hypervisor call in a trace (`r0`–`r3`). */
  readonly callRegisters: readonly string[];
  /**
   * What is being taken at `slot`, by its syndrome (`data abort`), where one
   * slot takes calls and faults alike; `undefined` (or absent) to name the
   * exception by its slot.
   */
  exceptionName?(machine: Machine, slot: FirmwareSlot): string | undefined;
  /** The faulting address of an exception being taken at `slot` (HIFAR for a prefetch abort, …), or `undefined` when the slot has none. */
  faultAddress(machine: Machine, slot: FirmwareSlot): number | undefined;
}

/**
 * Whether a virtual machine ran before the reboot: `none` (no hypervisor, or
 * a hypervisor loaded with no VM) or `running` (a VM was created and has
 * run). It matters where the hypervisor owns the vectors only while a VM
 * exists (KVM/arm32 from v4.6).
 */
export type ResetMatrixVm = 'none' | 'running';

/** One row of a reset matrix: a reboot path, a hyp-stub era, a hypervisor and whether a VM ran, run as a scenario. */
export interface ResetMatrixRowDefinition {
  /** The reboot path (`kexec`, `kdump`). */
  readonly path: string;
  /** The releases the row stands for, one phrase (`v4.6–v4.11`; a mixed-era pair names both sides). */
  readonly era: string;
  /** The hyp-stub ABI id. */
  readonly stub: string;
  /** The hypervisor ABI id, or `none`. */
  readonly hypervisor: string;
  /** Whether a VM ran before the reboot (`none` without a hypervisor). */
  readonly vm: ResetMatrixVm;
  /** Whether this pair existed together in a kernel people ran. */
  readonly shipped: boolean;
  /** The scenario that runs it. */
  readonly scenario: string;
}

/** A hyp stub that a real kernel image installed while it booted, as the reset matrix's real-stub rows see it. */
export interface InstalledImageStub {
  /** Its name in the rows (`image:debian-armmp.vmlinuz@kernel`). */
  readonly name: string;
  /** The vector base the image wrote (HVBAR). */
  readonly vectorBase: number;
}

/** A reset-matrix row on a real image's own stub, with the scenario that runs it. */
export interface ImageResetRow {
  /** The row (its `scenario` names {@link ImageResetRow.scenario}). */
  readonly definition: ResetMatrixRowDefinition;
  /** The scenario, run on the machine the image's boot left at the stub's drop. */
  readonly scenario: Scenario;
}

/** A backend's reset matrix. */
export interface ResetMatrixDefinition {
  /** What the matrix shows, one line. */
  readonly title: string;
  /** The rows, in display order. */
  readonly rows: readonly ResetMatrixRowDefinition[];
  /**
   * Rows on a real kernel image's own stub (`hyplay reset-matrix --image`):
   * the reboot paths with the stub's vectors where the image put them, no
   * firmware of the model's own in Hyp.
   */
  imageRows?(stub: InstalledImageStub): readonly ImageResetRow[];
}
