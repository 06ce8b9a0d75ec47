/**
 * The hyp stubs of a real kernel image: boot the image until it has
 * installed one, snapshot the machine there, and run conformance suites
 * against the kernel's own vectors, each case from the snapshot.
 *
 * An installation is seen in the image's behaviour, not at a step count
 * or an address: a drop out of the hypervisor mode (an exception return
 * from Hyp or EL2 to a lower mode) with the vector base register changed
 * since the hypervisor mode was entered (at boot, or by an exception), to
 * somewhere other than the return address of the exception that entered
 * it. A hypervisor call that the stub answers (HVC_SET_VECTORS moving the
 * vectors, say) returns to its caller and is not an installation; the
 * kernel's `__hyp_stub_install` followed by its drop to svc or EL1
 * (`safe_svcmode_maskall`, `init_el2`'s `eret`) is.
 *
 * The snapshot is taken as the drop happens: the trace recorder's event
 * callback runs with the machine at the return target in the lower mode
 * (a traced run hands exception returns to the interpreter, so the state
 * is whole). The kernel's vectors are then exactly as it wrote them, its
 * memory as it was, and the lower mode's MMU not yet turned on.
 *
 * @module
 */

import type { RunResult } from '../interp/interpreter.ts';
import type { Machine, MachineSnapshot } from '../interp/machine.ts';
import { hexAddress, stop as haltAtInstall } from '../interp/step-result.ts';
import { TraceRecorder, type TraceEvent } from '../interp/trace.ts';
import { PAGE_SIZE } from '../memory/guest-memory.ts';
import type { CallerSetup, CaseTrap, ConformanceDriver, FirmwareImplementation, Pad } from './conformance.ts';

/** One stub installation seen during a boot. */
export interface StubInstall {
  /** Which installation it is, counting from 0 in boot order. */
  readonly index: number;
  /** The vector base the image wrote (HVBAR, VBAR_EL2). */
  readonly vectorBase: number;
  /** The vector base when the hypervisor mode was entered (at boot or by the exception that entered it). */
  readonly previousBase: number;
  /** How the hypervisor mode had been entered: `boot`, or the exception's trace line. */
  readonly enteredBy: string;
  /** The exception return instruction of the drop. */
  readonly instruction: string;
  /** The mode it dropped from (the hypervisor mode). */
  readonly from: string;
  /** The mode it dropped to. */
  readonly to: string;
  /** Where the drop went. */
  readonly target: number;
  /** Instructions run from the image's entry up to and including the drop. */
  readonly steps: number;
  /** The machine right after the drop, for the installations that were asked for. */
  readonly snapshot: MachineSnapshot | undefined;
}

/** What {@link bootToStubs} needs to know about the machine's architecture. */
export interface StubWatch {
  /** The hypervisor mode (`hyp`, `el2h`); a drop is an exception return from it. */
  readonly hypervisorMode: string;
  /** Every mode that is hypervisor mode (arm64: `el2h` and `el2t`), default just {@link StubWatch.hypervisorMode}. */
  readonly hypervisorModes?: readonly string[];
  /** The vector base register (`hvbar`, `vbar_el2`). */
  readonly vectorBaseRegister: string;
}

/** Options of {@link bootToStubs}. */
export interface StubBootOptions {
  /** The installations to snapshot (indexes); the boot stops after the last of them. */
  readonly snapshots: readonly number[];
  /** Step budget of the whole boot. */
  readonly maxSteps: number;
  /** Steps per run slice (default 50 million): the boot checks for the last wanted installation between slices. */
  readonly slice?: number;
}

/** How a boot to the stubs went. */
export interface StubBoot {
  /** Every installation seen, in order (those asked for with their snapshot). */
  readonly installs: readonly StubInstall[];
  /** Instructions run. */
  readonly steps: number;
  /** How the last run slice ended. */
  readonly stop: RunResult;
  /** Whether every installation asked for was seen. */
  readonly complete: boolean;
}

/** Default steps per slice. */
const DEFAULT_SLICE = 50_000_000;

/**
 * Run `machine` (an image loaded and entered, see `loadBootImage`) until
 * it has made the installations `options.snapshots` asks for, taking a
 * snapshot at each; see the module comment for what an installation is.
 * The machine is left where the boot stopped: at the target of the last
 * wanted installation's drop, before its first instruction (or wherever
 * the budget or a stop left it), its trace sink as it was.
 */
export function bootToStubs(machine: Machine, watch: StubWatch, options: StubBootOptions): StubBoot {
  const wanted = new Set(options.snapshots);
  const last = Math.max(-1, ...options.snapshots);
  const hypervisor = new Set(watch.hypervisorModes ?? [watch.hypervisorMode]);
  const base = (): number => Number(machine.register(watch.vectorBaseRegister));
  const installs: StubInstall[] = [];
  let steps = 0;
  // The hypervisor-mode session the machine is in: how it was entered, the vector base then, the return address that would go back.
  let session: { enteredBy: string; base: number; returnAddress: number | undefined } | undefined = hypervisor.has(machine.mode()) ? { enteredBy: 'boot', base: base(), returnAddress: undefined } : undefined;
  const onEvent = (event: TraceEvent): void => {
    if (event.kind === 'exception') {
      if (hypervisor.has(event.to) && !hypervisor.has(event.from)) session = { enteredBy: `${event.exception} from ${event.from} at vector ${hexAddress(event.vector)}`, base: base(), returnAddress: event.returnAddress };
      return;
    }
    if (event.kind !== 'return' || !hypervisor.has(event.from) || hypervisor.has(event.to)) return;
    const entered = session;
    session = undefined;
    if (entered === undefined) return;
    const now = base();
    if (now === entered.base || event.target === entered.returnAddress) return;
    const index = installs.length;
    installs.push({
      index,
      vectorBase: now,
      previousBase: entered.base,
      enteredBy: entered.enteredBy,
      instruction: event.instruction,
      from: event.from,
      to: event.to,
      target: event.target,
      // The recorder has counted every instruction of the boot up to and including the return.
      steps: recorder.steps,
      snapshot: wanted.has(index) ? machine.snapshot() : undefined,
    });
    if (index !== last) return;
    // The last installation asked for: end the run right here, at the drop's target, before its first instruction runs
    // (the step loop has moved the PC past the overlay; put it back). Taken after the snapshot, so not part of it.
    stopAt = event.target;
    machine.addOverlay(event.target, () => {
      machine.pc = event.target;
      return haltAtInstall('breakpoint', `stub installation ${index} seen: the boot ends at the drop's target`);
    });
  };
  const saved = machine.trace;
  // One recorder for the whole boot (it counts every step; translated code is bound to it), keeping only the latest event.
  const recorder = new TraceRecorder({ limit: 1, onEvent });
  let stop: RunResult | undefined;
  let stopAt: number | undefined;
  try {
    machine.trace = recorder;
    while (steps < options.maxSteps && installs.length <= last) {
      stop = machine.run(Math.min(options.slice ?? DEFAULT_SLICE, options.maxSteps - steps));
      steps += stop.steps;
      if (stop.reason !== 'budget-exhausted') break;
    }
  } finally {
    machine.trace = saved;
    if (stopAt !== undefined) machine.removeOverlay(stopAt);
  }
  // Stopped by the overlay: the boot ran exactly up to the drop (the overlay is no instruction of the image's).
  if (stopAt !== undefined) steps = installs[last]!.steps;
  return { installs, steps, stop: stop ?? { reason: 'budget-exhausted', detail: 'no steps run', pc: machine.pc, steps: 0 }, complete: installs.length > last };
}

/** A line about an installation: `HVBAR ← 0x… in hyp (entered by …), eret to svc at 0x… after N instructions`. */
export function describeInstall(install: StubInstall, vectorBaseRegister: string): string {
  return `${vectorBaseRegister.toUpperCase()} ${hexAddress(install.previousBase)} -> ${hexAddress(install.vectorBase)} in ${install.from} (entered by ${install.enteredBy}), then ${install.instruction} to ${install.to} at ${hexAddress(install.target)}, after ${install.steps} instructions`;
}

/**
 * The conformance driver of an image's stub: `base`'s callers, landing
 * pads and registers, on machines restored from the installation's
 * snapshot (one machine, made once by `createMachine`, which gives a fresh
 * machine of the same backend, and restored before every case), with the
 * vectors where the kernel put them. A landing pad
 * may not sit in the two pages from the vector base (the stub's table and
 * handler code).
 */
export function imageStubDriver(base: ConformanceDriver, install: StubInstall, createMachine: () => Machine): ConformanceDriver {
  const snapshot = install.snapshot;
  if (snapshot === undefined) throw new Error(`stub installation ${install.index} has no snapshot`);
  const stubPages = [Math.floor(install.vectorBase / PAGE_SIZE), Math.floor(install.vectorBase / PAGE_SIZE) + 1];
  let reused: Machine | undefined;
  const driver: ConformanceDriver = {
    ...base,
    createMachine: () => {
      // One machine, restored from the snapshot for every case: a restore puts state and memory back exactly (pages the
      // last case mapped are unmapped, its code writes undone), and into a machine whose memory already spans the
      // snapshot's RAM it is one copy, where a fresh machine first grows its flat window page run by page run (seconds
      // for 64 MiB, per case). The conformance runner uses one machine at a time and installs no overlays on it here.
      reused ??= createMachine();
      reused.restore(snapshot);
      return reused;
    },
    vectorBase: install.vectorBase,
    landingPadProblem(address: bigint): string | undefined {
      const problem = base.landingPadProblem(address);
      if (problem !== undefined) return problem;
      if (stubPages.includes(Math.floor(Number(address) / PAGE_SIZE))) return `it lies in the image's stub at ${hexAddress(install.vectorBase)}`;
      return undefined;
    },
    placeLandingPad(machine: Machine, address: bigint): Pad {
      const problem = driver.landingPadProblem(address);
      if (problem !== undefined) throw new Error(`no landing pad at 0x${address.toString(16)}: ${problem}`);
      return base.placeLandingPad(machine, address);
    },
    prepareCaller(machine: Machine, trap: CaseTrap, registers: Readonly<Record<string, bigint>>): CallerSetup {
      return base.prepareCaller(machine, trap, registers);
    },
    implementations: [],
  };
  return driver;
}

/**
 * The image's own stub as a conformance implementation: nothing is
 * installed (the machine comes from the snapshot with the kernel's
 * vectors in place); `install` only checks that the vector base is the
 * one the kernel wrote.
 */
export function imageStubImplementation(name: string, description: string, install: StubInstall, vectorBaseRegister: string): FirmwareImplementation {
  return {
    name,
    description,
    install: (machine, base) => {
      const actual = Number(machine.register(vectorBaseRegister));
      if (base !== install.vectorBase || actual !== install.vectorBase) {
        throw new Error(`${name}: the image's vectors are at ${hexAddress(install.vectorBase)}, not ${hexAddress(base)} (${vectorBaseRegister} ${hexAddress(actual)})`);
      }
    },
  };
}
