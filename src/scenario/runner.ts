/**
 * The scenario runner: builds the initial machine (segments, memory,
 * firmware, entry mode), runs it with a trace, and turns how it ended into an
 * {@link Outcome}.
 *
 * The trace is deterministic, one line per event:
 * - `== …` lines frame the run (scenario, machine, firmware, outcome);
 * - `label:` lines mark the guest labels execution reaches;
 * - instruction, exception, return, note and stop lines are the
 *   interpreter's own ({@link formatTraceEvent});
 * - `-- hvc …` and `-- dispatch …` lines annotate each hypervisor call
 *   ({@link HvcAnnotator}).
 *
 * A hypervisor crash is seen as it happens: an exception taken in the
 * hypervisor's mode at a vector slot no call arrives at. The runner stops
 * the run on that vector (a breakpoint) rather than let the handler spin.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import type { Abi, CallMemory } from '../abi/spec.ts';
import { hexValue } from '../abi/value-set.ts';
import { layeredMemory, MmioBus } from '../devices/mmio-bus.ts';
import { installSpecFirmware, machineMemory, type FirmwarePort, type FirmwareSlot } from '../firmware/firmware.ts';
import type { ArchBackend, EngineName, MachineOptions } from '../interp/backend.ts';
import type { RunResult } from '../interp/interpreter.ts';
import type { Machine } from '../interp/machine.ts';
import { hexAddress } from '../interp/step-result.ts';
import { formatTraceEvent, type TraceEvent, type TraceSink } from '../interp/trace.ts';
import { assemble, AssemblyError, type AssembledProgram } from '../isa/assembler.ts';
import { HvcAnnotator, shortValue, type HvcRecord, type VectorOwner } from './hvc-annotator.ts';
import { formatOutcome, type ExitKind, type HypCrash, type Outcome } from './outcome.ts';
import { StateError } from '../state/architectural-state.ts';
import type { InspectionContext, InspectionResult, Location, Scenario, ScenarioCatalog, ScenarioDevice } from './scenario.ts';

/** A scenario that cannot be built (its code does not assemble, a label is missing): a defect of the scenario, not a guest outcome. */
export class ScenarioError extends Error {
  /** Always `'ScenarioError'`. */
  override readonly name = 'ScenarioError';
}

/** A finished run. */
export interface ScenarioRun {
  /** The scenario. */
  readonly scenario: Scenario;
  /** How it ended. */
  readonly outcome: Outcome;
  /** Whether that is the outcome the scenario expects. */
  readonly matches: boolean;
  /** Instructions executed. */
  readonly steps: number;
  /** The trace, one line per event. */
  readonly trace: readonly string[];
  /** Every hypervisor call, in order. */
  readonly hvcs: readonly HvcRecord[];
  /** Where the hypervisor is a host model (`HostFirmware`): what the machine noted of each exit and what the host did, one line each, in order; empty otherwise. */
  readonly host: readonly string[];
  /** What the scenario's inspection found, when it has one and the outcome was the expected one. */
  readonly inspection?: InspectionRun;
}

/** A finished inspection (see `ScenarioInspection` in scenario.ts). */
export interface InspectionRun {
  /** The outcome it was expected to give. */
  readonly expected: string;
  /** What it found. */
  readonly result: InspectionResult;
  /** Whether that is the expected outcome. */
  readonly matches: boolean;
}

/** A crash seen at a vector, before the run stops on it. */
interface CrashSighting {
  readonly slot: FirmwareSlot;
  readonly name: string;
  readonly vectorAddress: number;
  readonly offset: number;
  readonly from: string;
  readonly faultAddress: number;
}

/** What a spec-firmware table looks like in the trace, by address. */
export interface FirmwareSite {
  /** The spec's id. */
  readonly label: string;
  /** The slot (or the return trampoline). */
  readonly what: string;
}

function offsetText(offset: number): string {
  return `0x${offset.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** The backend pieces a scenario run needs. */
export interface ScenarioParts {
  /** The backend's scenario catalog. */
  readonly catalog: ScenarioCatalog;
  /** Its firmware port. */
  readonly port: FirmwarePort;
}

/** The backend pieces a run needs, or a {@link ScenarioError} naming what is missing. */
export function partsOf(backend: ArchBackend): ScenarioParts {
  const { catalog, port } = hostPartsOf(backend);
  if (port === undefined) throw new ScenarioError(`${backend.name} has no firmware port: scenarios need its hypervisor vectors`);
  return { catalog, port };
}

/** The backend pieces of a single-vCPU run, where the hypervisor may be a host model (`HostFirmware`) and the backend have no vector port. */
export interface HostScenarioParts {
  /** The backend's scenario catalog. */
  readonly catalog: ScenarioCatalog;
  /** Its firmware port, where it has hypervisor vectors. */
  readonly port: FirmwarePort | undefined;
}

/** The backend pieces of a single-vCPU run, or a {@link ScenarioError} for a backend without scenarios. */
export function hostPartsOf(backend: ArchBackend): HostScenarioParts {
  if (backend.scenarios === undefined) throw new ScenarioError(`${backend.name} has no scenarios`);
  return { catalog: backend.scenarios, port: backend.firmware };
}

/** What {@link assembleSegments} and {@link resolver} read of a scenario (a single- or a multi-vCPU one). */
export type ScenarioCode = Pick<Scenario, 'name' | 'segments'>;

/** Assembled segments by scenario (a scenario's sources never change; its programs are only read). */
const assembled = new WeakMap<ScenarioCode, Map<string, AssembledProgram>>();

/** A scenario's segments assembled (once per scenario), by segment name; a {@link ScenarioError} with the line for code that does not assemble. */
export function assembleSegments(backend: ArchBackend, scenario: ScenarioCode): Map<string, AssembledProgram> {
  const cached = assembled.get(scenario);
  if (cached !== undefined) return cached;
  const programs = new Map<string, AssembledProgram>();
  assembled.set(scenario, programs);
  const set = backend.instructionSet(backend.endians[0]!);
  for (const segment of scenario.segments) {
    try {
      programs.set(segment.name, assemble(set, segment.source, segment.base));
    } catch (error) {
      if (error instanceof AssemblyError) throw new ScenarioError(`${scenario.name}: segment ${segment.name} (${segment.origin}) line ${error.line}:${error.column}: ${error.message}`);
      throw error;
    }
  }
  return programs;
}

/** A scenario location's address, a {@link ScenarioError} for a missing segment or label. */
export function resolver(scenario: ScenarioCode, programs: ReadonlyMap<string, AssembledProgram>): (location: Location) => number {
  return (location) => {
    if (typeof location === 'number') return location;
    const program = programs.get(location.segment);
    if (program === undefined) throw new ScenarioError(`${scenario.name}: no segment '${location.segment}'`);
    const address = program.symbols.get(location.symbol);
    if (address === undefined) throw new ScenarioError(`${scenario.name}: segment ${location.segment} has no label '${location.symbol}'`);
    return address;
  };
}

/** A scenario's emulated devices and the memory its spec firmware sees (see {@link deviceBus}). */
export interface DeviceBus {
  /** The devices, on one bus. */
  readonly bus: MmioBus;
  /** The bus in front of the machine's memory, or `undefined` without devices. */
  readonly memory: CallMemory | undefined;
}

/**
 * The devices a scenario's hypervisor emulates, on one bus, and the memory
 * its spec firmware sees: the bus in front of `machine`'s memory
 * (`undefined` when there are no devices, so the firmware sees the machine's).
 */
export function deviceBus(devices: readonly ScenarioDevice[] | undefined, machine: Machine): DeviceBus {
  const bus = new MmioBus();
  for (const device of devices ?? []) bus.map(device.name, BigInt(device.base), device.create());
  return { bus, memory: bus.devices.length === 0 ? undefined : layeredMemory(bus, machineMemory(machine)) };
}

/** The trace's heading line for each device on `bus`. */
export function deviceLines(bus: MmioBus): string[] {
  return bus.devices.map((mapping) => `== device ${mapping.name} (${mapping.device.kind}) at IPA ${hexAddress(Number(mapping.base))}-${hexAddress(Number(mapping.base) + mapping.device.size - 1)}, emulated by the hypervisor`);
}

/** The trace's closing line for each device on `bus` that reports something. */
export function deviceReports(bus: MmioBus): string[] {
  const out: string[] = [];
  for (const mapping of bus.devices) {
    const report = mapping.device.report?.();
    if (report !== undefined) out.push(`== device ${mapping.name}: ${report}`);
  }
  return out;
}

/** A scenario's machine, set up and about to run (see {@link setUpScenario}). */
export interface ScenarioSetup {
  /** The machine: guest code and memory loaded, firmware installed, in the entry mode at the entry point. */
  readonly machine: Machine;
  /** Labels of the guest code by address. */
  readonly labels: ReadonlyMap<number, string[]>;
  /** Who owns each firmware vector table, by base. */
  readonly owners: ReadonlyMap<number, VectorOwner>;
  /** Spec-firmware sites by address. */
  readonly sites: ReadonlyMap<number, FirmwareSite>;
  /** The assembled guest code by segment name. */
  readonly programs: ReadonlyMap<string, AssembledProgram>;
  /** A scenario location's address. */
  resolve(location: Location): number;
  /** The devices the hypervisor emulates (empty when the scenario has none). */
  readonly bus: MmioBus;
}

/**
 * Build `scenario`'s machine on `backend` (with `options`, e.g. an engine)
 * as {@link runScenario} runs it: the run itself (breakpoints at its exits,
 * the trace) is left to the caller; `abis`, where given, names the ABI each
 * piece of real-code firmware implements. With `on`, the scenario is set up
 * on that machine (one a real image booted, say) instead of a new one: its
 * memory and registers stay as they are where the scenario does not write.
 */
export function setUpScenario(backend: ArchBackend, scenario: Scenario, options: MachineOptions = {}, abis?: AbiRegistry, on?: Machine): ScenarioSetup {
  const { port } = hostPartsOf(backend);
  const programs = assembleSegments(backend, scenario);
  const resolve = resolver(scenario, programs);
  if (on !== undefined && scenario.choices !== undefined) throw new ScenarioError(`${scenario.name}: its machine choices need a new machine`);
  const machine = on ?? backend.createMachine(scenario.choices === undefined ? options : { ...options, choices: { ...options.choices, ...scenario.choices } });

  // Guest code, then further memory.
  const labels = new Map<number, string[]>();
  for (const segment of scenario.segments) {
    const program = programs.get(segment.name)!;
    machine.memory.load(segment.load ?? segment.base, program.bytes.length === 0 ? new Uint8Array(4) : program.bytes);
    for (const [name, address] of program.symbols) labels.set(address, [...(labels.get(address) ?? []), name]);
  }
  for (const region of scenario.regions) machine.memory.map(region.base, region.size);

  // Devices the hypervisor emulates sit in front of the guest's memory, as spec firmware sees it.
  const { bus, memory } = deviceBus(scenario.devices, machine);

  // Firmware: installed where the scenario says, then the vector base is put back, as the boot firmware left it.
  const initialBase = port === undefined ? undefined : machine.register(port.vectorBaseRegister);
  const owners = new Map<number, VectorOwner>();
  const sites = new Map<number, FirmwareSite>();
  for (const firmware of scenario.firmware) {
    if (firmware.kind === 'host') {
      // A host model sits outside the guest: no vectors, nothing in guest memory.
      firmware.install(machine);
      continue;
    }
    if (port === undefined) throw new ScenarioError(`${scenario.name}: ${backend.name} has no hypervisor vectors for firmware at ${hexAddress(firmware.base)}`);
    if (firmware.kind === 'spec') {
      const reflectTo = firmware.reflectTo === undefined ? undefined : resolve(firmware.reflectTo);
      const installed = installSpecFirmware(machine, port, firmware.abi, firmware.base, { ...(reflectTo === undefined ? {} : { reflectTo }), ...(memory === undefined ? {} : { memory }) });
      const label = `${firmware.abi.spec.id} (spec firmware)`;
      owners.set(firmware.base, { name: firmware.abi.spec.id, label, abi: firmware.abi });
      for (const slot of port.slots) sites.set(firmware.base + slot.offset, { label: firmware.abi.spec.id, what: `${slot.name} slot` });
      sites.set(installed.returnTrampoline, { label: firmware.abi.spec.id, what: 'return trampoline' });
    } else {
      const symbols = firmware.install(machine);
      for (const [name, address] of symbols ?? []) labels.set(address, [...(labels.get(address) ?? []), name]);
      owners.set(firmware.base, { name: firmware.name, label: `${firmware.name} (real code implementing ${firmware.implements})`, abi: abis?.get(firmware.implements) });
    }
  }
  if (port !== undefined && initialBase !== undefined) machine.setRegister(port.vectorBaseRegister, initialBase);
  scenario.prepare?.(machine);

  // Where it starts.
  try {
    machine.setMode(scenario.entry.mode);
  } catch (error) {
    throw new ScenarioError(`${scenario.name}: ${(error as Error).message}`);
  }
  machine.pc = resolve(scenario.entry.at);
  return { machine, labels, owners, sites, programs, resolve, bus };
}

/** How {@link runScenario} runs a scenario. */
export interface ScenarioRunOptions {
  /** What an inspection reads state with (the state catalog). */
  readonly context?: InspectionContext;
  /** Run on this machine (one a real image booted, say) instead of a new one (see {@link setUpScenario}). */
  readonly machine?: Machine;
  /** The engine of a new machine (default: the backend's). */
  readonly engine?: EngineName;
}

/** Run `scenario` on `backend`, with `abis` for the dispatcher's view of each call. */
export function runScenario(backend: ArchBackend, scenario: Scenario, abis: AbiRegistry, options: ScenarioRunOptions = {}): ScenarioRun {
  const { catalog, port } = hostPartsOf(backend);
  const context = options.context;
  const { machine, labels, owners, sites, programs, resolve, bus } = setUpScenario(backend, scenario, options.engine === undefined ? {} : { engine: options.engine }, abis, options.machine);
  const newKernel = scenario.newKernel === undefined ? undefined : resolve(scenario.newKernel);
  const exits = new Map(scenario.errorExits.map((exit) => [resolve(exit.at), exit.what]));
  for (const address of exits.keys()) machine.breakpoints.add(address);
  const endings = new Map((scenario.exits ?? []).map((exit) => [resolve(exit.at), { kind: exit.kind, what: exit.what }]));
  for (const address of endings.keys()) machine.breakpoints.add(address);
  const trapModes = new Set([catalog.hypervisorMode, ...(catalog.trapModes ?? [])]);

  const registered = (id: string): Abi => {
    const abi = abis.get(id);
    if (abi === undefined) throw new ScenarioError(`${scenario.name}: the caller ABI '${id}' is not registered`);
    return abi;
  };
  const caller: Abi | undefined = scenario.caller === undefined ? undefined : registered(scenario.caller);
  const callers = new Map((scenario.callers ?? []).map((c) => [resolve(c.at), registered(c.abi)]));
  // The function a trapping instruction belongs to: the nearest label at or before it.
  const sorted = [...labels.keys()].sort((a, b) => a - b);
  const callerAt = (address: number): Abi | undefined => {
    let function_: number | undefined;
    for (const labelled of sorted) {
      if (labelled > address) break;
      function_ = labelled;
    }
    return (function_ === undefined ? undefined : callers.get(function_)) ?? caller;
  };
  const ownerAt = (base: number): VectorOwner | undefined => {
    const owner = owners.get(base);
    if (owner !== undefined) return owner;
    const name = labels.get(base)?.[0];
    return name === undefined ? undefined : { name, label: `${name} (guest code)`, abi: undefined };
  };
  const annotator = port === undefined ? undefined : new HvcAnnotator({ arch: backend.name, port, abis, callRegisters: catalog.callRegisters, ownerAt });

  const trace: string[] = [`== scenario ${scenario.name}: ${scenario.title}`];
  for (const segment of scenario.segments) {
    const program = programs.get(segment.name)!;
    const loaded = segment.load === undefined || segment.load === segment.base ? '' : `, loaded at ${hexAddress(segment.load)}`;
    trace.push(`== segment ${segment.name} at ${hexAddress(segment.base)}-${hexAddress(segment.base + Math.max(program.bytes.length, 4) - 1)}${loaded} (${segment.origin})`);
  }
  for (const firmware of scenario.firmware) {
    trace.push(firmware.kind === 'host' ? `== host model: ${firmware.name} (answers with ${firmware.implements.join(', ')})` : `== firmware at ${hexAddress(firmware.base)}: ${owners.get(firmware.base)!.label}`);
  }
  trace.push(...deviceLines(bus));
  const ends = [...(newKernel === undefined ? [] : [`new kernel at ${hexAddress(newKernel)}`]), ...[...endings].map(([address, exit]) => `${exit.kind} at ${hexAddress(address)}`)];
  trace.push(`== entered in ${scenario.entry.mode} at ${hexAddress(machine.pc)}; ${ends.join('; ')}; budget ${scenario.maxSteps} steps`);

  let crash: CrashSighting | undefined;
  let arrival: { mode: string } | undefined;
  let lastStep = machine.pc;
  const hosted = scenario.firmware.some((f) => f.kind === 'host');
  const host: string[] = [];
  const sink: TraceSink = {
    emit(event: TraceEvent): void {
      switch (event.kind) {
        case 'step': {
          const names = labels.get(event.address);
          if (names !== undefined) trace.push(`${names.join(': ')}:`);
          if (event.address === newKernel && arrival === undefined) arrival = { mode: event.mode };
          lastStep = event.address;
          const site = sites.get(event.address);
          trace.push(site === undefined ? formatTraceEvent(event) : `${hexAddress(event.address)} ${event.mode.padEnd(4)} [${site.label} spec firmware: ${site.what}]`);
          return;
        }
        case 'exception': {
          trace.push(formatTraceEvent(event));
          if (!trapModes.has(event.to) || port === undefined || annotator === undefined) return;
          const base = Number(machine.register(port.vectorBaseRegister));
          const offset = event.vector - base;
          const slot = port.slots.find((s) => s.offset === offset);
          if (slot === undefined) return;
          if (slot.calls) {
            const annotated = annotator.annotate(machine, slot, base, event.from, callerAt(lastStep));
            if (annotated !== undefined) {
              trace.push(...annotated.lines);
              return;
            }
            // A call slot that took something else: from below, the hypervisor's business (a guest exit);
            // from the hypervisor's own mode, a fault in the hypervisor (where calls and aborts share a slot).
            if (event.from !== catalog.hypervisorMode) return;
          }
          if (crash === undefined) {
            crash = { slot, name: catalog.exceptionName?.(machine, slot) ?? slot.name.replace(/-/g, ' '), vectorAddress: event.vector, offset, from: event.from, faultAddress: catalog.faultAddress(machine, slot) ?? event.returnAddress };
            // Stop on the vector: whatever sits there (a spin, a panic) would only run out the budget.
            machine.breakpoints.add(event.vector);
          }
          return;
        }
        case 'stop':
          if (crash !== undefined && event.reason === 'breakpoint' && event.pc === crash.vectorAddress) return;
          trace.push(formatTraceEvent(event));
          return;
        case 'note':
          if (hosted) host.push(`${hexAddress(event.address)}: ${event.message}`);
          trace.push(formatTraceEvent(event));
          return;
        default:
          trace.push(formatTraceEvent(event));
      }
    },
  };
  machine.trace = sink;
  bus.onAccess = (access) => sink.emit({ kind: 'mmio', access });
  const result = machine.run(scenario.maxSteps);
  bus.onAccess = undefined;
  machine.trace = undefined;
  trace.push(...deviceReports(bus));

  const labelOf = (address: number): string | undefined => labels.get(address)?.[0];
  const records = annotator?.records ?? [];
  const outcome = classify({ scenario, catalog, port, machine, result, crash, arrival, newKernel, exits, endings, records, ownerAt, labelOf });
  const matches = outcome.kind === scenario.expected;
  trace.push(`== outcome ${formatOutcome(outcome)}`);
  trace.push(`== expected ${scenario.expected}: ${matches ? 'ok' : 'MISMATCH'}`);
  const base = { scenario, outcome, steps: result.steps, trace, hvcs: records, host };
  if (scenario.inspection === undefined || !matches) return { ...base, matches: matches && scenario.inspection === undefined };
  trace.push(`== inspection: ${scenario.inspection.what}`);
  let found: InspectionResult;
  if (context === undefined) {
    found = { outcome: 'inspection-error', detail: 'no inspection context (state catalog) was given to the runner', lines: [] };
  } else {
    try {
      found = scenario.inspection.inspect(machine, context);
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      found = { outcome: 'inspection-error', detail: error.message, lines: [] };
    }
  }
  const inspected = found.outcome === scenario.inspection.expected;
  trace.push(...found.lines.map((line) => `-- ${line}`));
  trace.push(`== inspection outcome ${found.outcome}: ${found.detail}`);
  trace.push(`== expected ${scenario.inspection.expected}: ${inspected ? 'ok' : 'MISMATCH'}`);
  return { ...base, matches: inspected, inspection: { expected: scenario.inspection.expected, result: found, matches: inspected } };
}

interface Ending {
  readonly scenario: Scenario;
  readonly catalog: ScenarioCatalog;
  readonly port: FirmwarePort | undefined;
  readonly machine: Machine;
  readonly result: RunResult;
  readonly crash: CrashSighting | undefined;
  readonly arrival: { mode: string } | undefined;
  readonly newKernel: number | undefined;
  readonly exits: ReadonlyMap<number, string>;
  readonly endings: ReadonlyMap<number, { readonly kind: ExitKind; readonly what: string }>;
  readonly records: readonly HvcRecord[];
  readonly ownerAt: (base: number) => VectorOwner | undefined;
  readonly labelOf: (address: number) => string | undefined;
}

/** The selector as `r0=2`. */
function selectorText(record: HvcRecord): string {
  return `${record.selector.register}=${shortValue(record.selector.value)}`;
}

/** `HVC_SOFT_RESTART (r0=2)`: the call as the caller meant it, with its selector. */
function meantCall(record: HvcRecord): string {
  const meant = record.meant;
  const name = meant === undefined || !meant.mine ? `${record.conduit} #${record.imm}` : meant.call;
  return `${name} (${selectorText(record)})`;
}

function lastCall(records: readonly HvcRecord[]): HvcRecord | undefined {
  return records[records.length - 1];
}

/** Why the crash happened: the last call before it, as its handler took it. */
function crashCause(record: HvcRecord | undefined, fault: number): string {
  if (record === undefined) return 'no hypervisor call led here';
  const handled = record.handled;
  const what = meantCall(record);
  if (handled === undefined || !handled.mine) return `after ${what} reached ${record.owner.label}`;
  const outcome = handled.outcome;
  if (outcome?.kind === 'call') {
    const aside = Number(outcome.target) === fault ? '' : ` (call target ${hexValue(outcome.target)})`;
    return `${record.owner.name} took ${what} as a function pointer${aside}`;
  }
  if (outcome?.kind === 'jump') return `${record.owner.name} took ${what} as ${handled.call}, a jump to ${hexValue(outcome.target)}`;
  return `${record.owner.name} took ${what} as ${handled.call}`;
}

function describeCrash(ending: Ending, crash: CrashSighting): HypCrash {
  const { port, records, catalog } = ending;
  const where = `${crash.name} in ${catalog.displayMode(crash.from)} at ${hexAddress(crash.faultAddress)} (${port === undefined ? 'vector' : port.vectorBaseRegister.toUpperCase()}+${offsetText(crash.offset)})`;
  return {
    kind: 'hyp-crash',
    vector: crash.slot.name,
    offset: crash.offset,
    vectorAddress: crash.vectorAddress,
    faultAddress: crash.faultAddress,
    mode: crash.from,
    detail: `${where}: ${crashCause(lastCall(records), crash.faultAddress)}`,
  };
}

/** Who owns the hypervisor vectors at the end, one phrase. */
function vectorOwnerNow(ending: Ending): string {
  if (ending.port === undefined) return 'no hypervisor vectors: the hypervisor is a host model';
  const register = ending.port.vectorBaseRegister.toUpperCase();
  const base = Number(ending.machine.register(ending.port.vectorBaseRegister));
  const owner = ending.ownerAt(base);
  if (owner !== undefined) return `${register} left with ${owner.name}`;
  return ending.records.length === 0 && base === 0 ? `${register} never set: no hypervisor` : `${register} left at ${hexAddress(base)}`;
}

/** How the new kernel was reached: through a call whose handler jumped there, or a plain branch. */
function arrivalRoute(ending: Ending): string {
  const record = lastCall(ending.records);
  const handled = record?.handled;
  const outcome = handled?.outcome;
  if (record !== undefined && handled?.mine === true && outcome?.kind === 'jump') {
    const meant = record.meant?.mine === true && record.meant.call !== handled.call ? `, meant as ${record.meant.call}` : '';
    // The jump may land on code that starts the kernel (a relocation stub) rather than on the kernel itself.
    const through = Number(outcome.target) === ending.newKernel ? '' : ` to ${placeOf(ending, Number(outcome.target))}`;
    return `via ${record.owner.name} ${handled.call} (${selectorText(record)}${meant})${through}`;
  }
  if (record !== undefined && handled?.mine === true && outcome?.kind === 'return' && record.meant?.mine === true && !record.meant.returns) {
    return `by a plain branch after ${record.meant.call} (${selectorText(record)}) came back from ${record.owner.name} as ${handled.call} (${vectorOwnerNow(ending)})`;
  }
  return `by a plain branch, no soft-restart call (${vectorOwnerNow(ending)})`;
}

/** `0x80008058 (cpu_idle)`. */
function placeOf(ending: Ending, address: number): string {
  const label = ending.labelOf(address);
  return label === undefined ? hexAddress(address) : `${hexAddress(address)} (${label})`;
}

function classify(ending: Ending): Outcome {
  const { scenario, catalog, machine, result, crash, arrival, exits, endings, records } = ending;
  const newKernel = ending.newKernel ?? 0;
  const mode = machine.mode();
  const shown = catalog.displayMode(mode);
  if (crash !== undefined) return describeCrash(ending, crash);
  if (arrival !== undefined) {
    const where = `new kernel entered in ${catalog.displayMode(arrival.mode)} at ${hexAddress(newKernel)} ${arrivalRoute(ending)}`;
    if (arrival.mode === catalog.hypervisorMode) return { kind: 'new-kernel-in-hyp', entry: newKernel, mode: arrival.mode, detail: where };
    if (arrival.mode === catalog.kernelMode) return { kind: 'new-kernel-in-svc', entry: newKernel, mode: arrival.mode, detail: where };
    return { kind: 'guest-error', reason: 'unexpected-mode', pc: result.pc, mode, detail: `${where}, a mode no kernel is entered in` };
  }
  const last = lastCall(records);
  const returned = last?.handled?.mine === true && last.handled.outcome?.kind === 'return' ? ', which returned' : '';
  const after = last === undefined ? '' : `; the last call, ${meantCall(last)}, went to ${last.handled === undefined ? last.owner.label : last.owner.name}${last.handled?.mine === true ? ` as ${last.handled.call}${returned}` : ''}`;
  const exit = result.reason === 'breakpoint' ? endings.get(result.pc) : undefined;
  if (exit !== undefined) return { kind: exit.kind, pc: result.pc, mode, detail: `${exit.what}, at ${placeOf(ending, result.pc)} in ${shown}${after}` };
  if (result.reason === 'breakpoint' && exits.has(result.pc)) {
    return { kind: 'guest-error', reason: 'bug', pc: result.pc, mode, detail: `${exits.get(result.pc)!}, at ${placeOf(ending, result.pc)} in ${shown} mode${after}` };
  }
  if (result.reason === 'vm-exit') return { kind: 'vm-stopped', pc: machine.pc, mode, detail: `the hypervisor gave the vCPU back to its host: ${result.detail}${after}` };
  if (result.reason === 'budget-exhausted') {
    return { kind: 'budget-exhausted', steps: result.steps, pc: result.pc, mode, detail: `no outcome within ${scenario.maxSteps} steps: still running at ${placeOf(ending, result.pc)} in ${shown}` };
  }
  if (result.reason === 'recursive-fault' && mode === catalog.hypervisorMode && ending.port !== undefined) {
    const base = Number(machine.register(ending.port.vectorBaseRegister));
    return { kind: 'hyp-crash', vector: 'unmapped vector', offset: result.pc - base, vectorAddress: result.pc, faultAddress: result.pc, mode, detail: `${result.detail}${after}` };
  }
  return { kind: 'guest-error', reason: result.reason, pc: result.pc, mode, detail: `${result.reason} at ${placeOf(ending, result.pc)} in ${shown}: ${result.detail}${after}` };
}
