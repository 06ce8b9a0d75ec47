/**
 * The runner of scenarios on machines with several vCPUs
 * ({@link SmpScenario}): one machine per vCPU over one memory
 * (`src/smp/smp-machine.ts`), the spec firmware at every vCPU's vectors with
 * one hypervisor state and the machine's vCPUs behind its calls, and a
 * deterministic schedule, so a run replays exactly.
 *
 * The trace is one line per event, as for one vCPU, each event line
 * prefixed with the vCPU it happened on (`vcpu2 0x00008010 svc  …`), and
 * `-- vcpuN runs …` lines where the schedule switches; `== …` lines frame
 * the run. Single-vCPU scenarios never come here: their traces are
 * `runScenario`'s (`runner.ts`), unchanged.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import { MapHypervisorState } from '../abi/spec.ts';
import { interpret } from '../dispatch/dispatcher.ts';
import type { MmioBus } from '../devices/mmio-bus.ts';
import { installSpecFirmware, pendingTrap } from '../firmware/firmware.ts';
import type { ArchBackend, EngineName } from '../interp/backend.ts';
import type { RunResult } from '../interp/interpreter.ts';
import { hexAddress } from '../interp/step-result.ts';
import { formatTraceEvent, type TraceEvent, type TraceSink } from '../interp/trace.ts';
import { ExplicitScheduler, parseSchedule, ScheduleError, SeededScheduler, type Scheduler } from '../smp/schedule.ts';
import type { ShootdownDesign } from '../smp/shootdown.ts';
import { createSmpMachine, SmpError, type SmpMachine, type SmpRunResult } from '../smp/smp-machine.ts';
import { formatOutcome, type ExitKind, type Outcome } from './outcome.ts';
import { assembleSegments, deviceBus, deviceLines, deviceReports, partsOf, resolver, ScenarioError, type FirmwareSite } from './runner.ts';
import type { Location, SmpScenario } from './scenario.ts';

/** How to run an SMP scenario. */
export interface SmpRunOptions {
  /** The schedule (default: the scenario's seed). */
  readonly scheduler?: Scheduler;
  /** The engine every vCPU runs (default: the backend's). */
  readonly engine?: EngineName;
  /** The TLB shootdown design (default: the scenario's, else broadcast). */
  readonly shootdown?: ShootdownDesign;
}

/** One hypervisor call as an SMP run took it. */
export interface SmpCallRecord {
  /** The calling vCPU. */
  readonly vcpu: number;
  /** The call the firmware's spec took it as (`PSCI_0_2_FN_CPU_ON`), or the conduit when it took none. */
  readonly call: string;
  /** The call registers at the trap. */
  readonly registers: Readonly<Record<string, bigint>>;
  /** The first call register when the call returned to the caller; `undefined` when it did not (CPU_OFF). */
  readonly result: bigint | undefined;
}

/** One vCPU at the end of a run. */
export interface SmpVcpuSummary {
  /** Powered on. */
  readonly on: boolean;
  /** Its PC. */
  readonly pc: number;
  /** Its mode. */
  readonly mode: string;
  /** Steps it ran. */
  readonly steps: number;
  /** Every register, as the register view shows them. */
  readonly registers: Readonly<Record<string, string>>;
}

/** A finished SMP run. */
export interface SmpScenarioRun {
  /** The scenario. */
  readonly scenario: SmpScenario;
  /** How it ended. */
  readonly outcome: Outcome;
  /** Whether that is the expected outcome. */
  readonly matches: boolean;
  /** Steps, all vCPUs together. */
  readonly steps: number;
  /** How the schedule chose, one line. */
  readonly schedule: string;
  /** The TLB shootdown design the vCPUs ran under (none when the backend's machines have no TLB to join). */
  readonly shootdown: ShootdownDesign | undefined;
  /** The trace, one line per event. */
  readonly trace: readonly string[];
  /** Every hypervisor call, in order. */
  readonly calls: readonly SmpCallRecord[];
  /** Each vCPU at the end. */
  readonly vcpus: readonly SmpVcpuSummary[];
  /** The scenario's report words at the end, by label. */
  readonly report: Readonly<Record<string, number>>;
}

/** An SMP scenario's machine, set up and about to run. */
export interface SmpScenarioSetup {
  /** The machine. */
  readonly smp: SmpMachine;
  /** Labels of the guest code by address. */
  readonly labels: ReadonlyMap<number, string[]>;
  /** Spec-firmware sites by address. */
  readonly sites: ReadonlyMap<number, FirmwareSite>;
  /** A scenario location's address. */
  resolve(location: Location): number;
  /** The devices the hypervisor emulates (empty when the scenario has none). */
  readonly bus: MmioBus;
}

/** Build `scenario`'s machine on `backend`: code loaded, firmware at every vCPU's vectors, the vCPUs that start on in their entry mode at their entry point. */
export function setUpSmpScenario(backend: ArchBackend, scenario: SmpScenario, engine?: EngineName, design: ShootdownDesign = scenario.shootdown ?? 'broadcast'): SmpScenarioSetup {
  const { port } = partsOf(backend);
  const programs = assembleSegments(backend, scenario);
  const resolve = resolver(scenario, programs);
  let smp: SmpMachine;
  try {
    smp = createSmpMachine(backend, scenario.vcpus.length, engine === undefined ? {} : { engine }, scenario.vcpus.map((v) => v !== 'off'), design);
  } catch (error) {
    if (error instanceof SmpError) throw new ScenarioError(`${scenario.name}: ${error.message}`);
    throw error;
  }
  const labels = new Map<number, string[]>();
  for (const segment of scenario.segments) {
    const program = programs.get(segment.name)!;
    smp.memory.load(segment.load ?? segment.base, program.bytes.length === 0 ? new Uint8Array(4) : program.bytes);
    for (const [name, address] of program.symbols) labels.set(address, [...(labels.get(address) ?? []), name]);
  }
  for (const region of scenario.regions) smp.memory.map(region.base, region.size);

  // Devices the hypervisor emulates sit in front of the one guest memory, as every vCPU's firmware sees it.
  const { bus, memory } = deviceBus(scenario.devices, smp.vcpus[0]!);

  // One hypervisor state for every vCPU's firmware: what a call on one vCPU did, a call on another sees.
  const state = new MapHypervisorState();
  const { abi, base } = scenario.firmware;
  const reflectTo = scenario.firmware.reflectTo === undefined ? undefined : resolve(scenario.firmware.reflectTo);
  const sites = new Map<number, FirmwareSite>();
  smp.vcpus.forEach((machine, n) => {
    const installed = installSpecFirmware(machine, port, abi, base, { state, vcpus: smp.control(n), ...(reflectTo === undefined ? {} : { reflectTo }), ...(memory === undefined ? {} : { memory }) });
    sites.set(installed.returnTrampoline, { label: abi.spec.id, what: 'return trampoline' });
  });
  for (const slot of port.slots) sites.set(base + slot.offset, { label: abi.spec.id, what: `${slot.name} slot` });

  scenario.vcpus.forEach((entry, n) => {
    const machine = smp.vcpus[n]!;
    for (const [name, value] of Object.entries(scenario.registers ?? {})) machine.setRegister(name, value);
    scenario.prepare?.(machine, n);
    if (entry === 'off') return;
    try {
      machine.setMode(entry.mode);
    } catch (error) {
      throw new ScenarioError(`${scenario.name}: vcpu${n}: ${(error as Error).message}`);
    }
    machine.pc = resolve(entry.at);
  });
  return { smp, labels, sites, resolve, bus };
}

/** A register value in hex at the machine's width. */
function hexText(value: bigint, bits: number): string {
  return `0x${value.toString(16).padStart(bits / 4, '0')}`;
}

/** `0xfffffffc (-4)`: a result word, and its signed value when negative. */
function resultText(value: bigint, bits: number): string {
  const hex = hexText(value, bits);
  const signed = BigInt.asIntN(bits, value);
  return signed < 0n ? `${hex} (${signed})` : hex;
}

/** Run `scenario` on `backend` (`abis` names the calls in the trace). */
export function runSmpScenario(backend: ArchBackend, scenario: SmpScenario, abis: AbiRegistry, options: SmpRunOptions = {}): SmpScenarioRun {
  const { catalog, port } = partsOf(backend);
  const { smp, labels, sites, resolve, bus } = setUpSmpScenario(backend, scenario, options.engine, options.shootdown);
  const scheduler = options.scheduler ?? defaultScheduler(scenario);
  const exits = new Map<number, { readonly kind: ExitKind; readonly what: string }>(scenario.exits.map((exit) => [resolve(exit.at), { kind: exit.kind, what: exit.what }]));
  const errors = new Map(scenario.errorExits.map((exit) => [resolve(exit.at), exit.what]));
  for (const machine of smp.vcpus) for (const address of [...exits.keys(), ...errors.keys()]) machine.breakpoints.add(address);
  const trapModes = new Set([catalog.hypervisorMode, ...(catalog.trapModes ?? [])]);
  const abi = scenario.firmware.abi;
  const resultRegister = catalog.callRegisters[0] ?? 'r0';
  const bits = smp.vcpus[0]!.registers()[resultRegister]!.length * 4 - 8;

  const trace: string[] = [`== scenario ${scenario.name}: ${scenario.title} (${scenario.vcpus.length} vCPUs)`];
  for (const segment of scenario.segments) trace.push(`== segment ${segment.name} at ${hexAddress(segment.base)} (${segment.origin})`);
  trace.push(...deviceLines(bus));
  trace.push(`== firmware at ${hexAddress(scenario.firmware.base)}: ${abi.spec.id} (spec firmware) at every vCPU's vectors, one hypervisor state`);
  trace.push(`== ${scenario.vcpus.map((entry, n) => (entry === 'off' ? `vcpu${n} off` : `vcpu${n} entered in ${entry.mode} at ${hexAddress(resolve(entry.at))}`)).join('; ')}`);
  if (smp.shootdown !== undefined) trace.push(`== TLB shootdown: ${SHOOTDOWN_WORDS[smp.shootdown.design]}`);
  trace.push(`== ${scheduler.describe()}; ${[...exits].map(([address, exit]) => `${exit.kind} at ${hexAddress(address)}`).join('; ')}; budget ${scenario.maxSteps} steps`);

  const calls: SmpCallRecord[] = [];
  const pending: (SmpCallRecord | undefined)[] = smp.vcpus.map(() => undefined);
  const sinkOf = (n: number): TraceSink => {
    const machine = smp.vcpus[n]!;
    const prefix = `vcpu${n} `;
    return {
      emit(event: TraceEvent): void {
        switch (event.kind) {
          case 'step': {
            const names = labels.get(event.address);
            if (names !== undefined) trace.push(`${prefix}${names.join(': ')}:`);
            const site = sites.get(event.address);
            trace.push(prefix + (site === undefined ? formatTraceEvent(event) : `${hexAddress(event.address)} ${event.mode.padEnd(4)} [${site.label} spec firmware: ${site.what}]`));
            return;
          }
          case 'exception': {
            trace.push(prefix + formatTraceEvent(event));
            if (!trapModes.has(event.to)) return;
            const slot = port.slots.find((s) => s.offset === event.vector - scenario.firmware.base);
            if (slot === undefined || !slot.calls) return;
            const trap = pendingTrap(port, machine, slot);
            if (trap === undefined) return;
            const all: Record<string, bigint> = {};
            for (const [name, value] of Object.entries(machine.registers())) all[name] = BigInt(value);
            const interpretation = interpret(abi, { arch: backend.name, conduit: trap.conduit, imm: trap.imm, privilege: trap.origin.privilege, world: trap.origin.world, registers: all });
            const name = interpretation.mine ? interpretation.call! : `${trap.conduit} #${trap.imm}`;
            const registers: Record<string, bigint> = {};
            for (const register of catalog.callRegisters) registers[register] = all[register] ?? 0n;
            const record = { vcpu: n, call: name, registers, result: undefined };
            calls.push(record);
            pending[n] = record;
            const shown = catalog.callRegisters.map((register) => `${register}=${hexText(registers[register]!, bits)}`).join(' ');
            trace.push(`${prefix}-- ${trap.conduit} #${trap.imm} from ${event.from}: ${shown}; ${abi.spec.id} takes it as ${name}`);
            return;
          }
          case 'return': {
            trace.push(prefix + formatTraceEvent(event));
            const record = pending[n];
            if (record === undefined) return;
            pending[n] = undefined;
            const result = machine.register(resultRegister);
            calls[calls.lastIndexOf(record)] = { ...record, result };
            trace.push(`${prefix}-- ${record.call} returned ${resultRegister}=${resultText(result, bits)}`);
            return;
          }
          case 'stop':
            // A slice that used its budget is the schedule's business (the next `-- vcpuN runs` line), not an event.
            if (event.reason === 'budget-exhausted') return;
            pending[n] = undefined;
            trace.push(prefix + formatTraceEvent(event));
            return;
          default:
            trace.push(prefix + formatTraceEvent(event));
        }
      },
    };
  };
  const sinks = smp.vcpus.map((_, n) => sinkOf(n));
  if (smp.shootdown !== undefined) smp.shootdown.log = (n, line) => trace.push(`vcpu${n} -- ${line}`);
  smp.vcpus.forEach((machine, n) => (machine.trace = sinks[n]));
  // A device access happens inside a call of the vCPU whose slice is running.
  let running = 0;
  bus.onAccess = (access) => sinks[running]!.emit({ kind: 'mmio', access });

  let ended: SmpRunResult;
  try {
    ended = smp.run(scheduler, scenario.maxSteps, {
      slice: (choice, budget) => {
        running = choice.vcpu;
        trace.push(`-- vcpu${choice.vcpu} runs ${choice.steps === 'rest' ? `until it stops (up to ${budget} steps)` : `${budget} step${budget === 1 ? '' : 's'}`} (${choice.why})`);
      },
      skipped: (choice, why) => trace.push(`-- vcpu${choice.vcpu} skipped (${choice.why}): ${why}`),
      poweredOn: (n, entry, contextId) => trace.push(`-- vcpu${n} powered on at ${hexAddress(Number(entry))} with ${resultRegister}=${hexText(contextId, bits)}`),
      poweredOff: (n) => trace.push(`-- vcpu${n} powered off`),
      stopped: (n, result) => {
        // A slice that starts on an exit ends there without a stop event of the interpreter's: say so.
        if (result.steps === 0 && result.reason === 'breakpoint') trace.push(`vcpu${n} -- stop breakpoint at ${hexAddress(result.pc)}: ${result.detail}`);
        return true;
      },
    });
  } finally {
    for (const machine of smp.vcpus) machine.trace = undefined;
    bus.onAccess = undefined;
  }
  trace.push(...deviceReports(bus));

  const outcome = classifySmp(scenario, catalog.displayMode.bind(catalog), smp, ended, exits, errors, labels);
  const matches = outcome.kind === scenario.expected;
  const vcpus: SmpVcpuSummary[] = smp.vcpus.map((machine, n) => ({ on: smp.states[n]!.on, pc: machine.pc, mode: machine.mode(), steps: smp.states[n]!.steps, registers: machine.registers() }));
  vcpus.forEach((v, n) => trace.push(`== vcpu${n} ${v.on ? 'on' : 'off'}, ${v.steps} steps, at ${hexAddress(v.pc)} in ${v.mode}, ${resultRegister}=${v.registers[resultRegister]}`));
  const report: Record<string, number> = {};
  for (const ref of scenario.report ?? []) {
    const address = resolve(ref);
    const value = smp.memory.read32(address);
    if (value === undefined) throw new ScenarioError(`${scenario.name}: report word ${ref.symbol} at ${hexAddress(address)} is not mapped`);
    report[ref.symbol] = value >>> 0;
    trace.push(`== ${ref.symbol} = ${hexText(BigInt(value >>> 0), 32)}`);
  }
  trace.push(`== outcome ${formatOutcome(outcome)}`);
  trace.push(`== expected ${scenario.expected}: ${matches ? 'ok' : 'MISMATCH'}`);
  return { scenario, outcome, matches, steps: ended.steps, schedule: scheduler.describe(), shootdown: smp.shootdown?.design, trace, calls, vcpus, report };
}

/** The trace's heading line for each shootdown design. */
const SHOOTDOWN_WORDS: Readonly<Record<ShootdownDesign, string>> = {
  broadcast: "broadcast in hardware (ARMv7+): a vCPU's inner-shareable TLB maintenance reaches every vCPU by its DSB, whatever they are doing",
  ipi: "IPI and acknowledge (the x86 way): a vCPU's DSB after shareable TLB maintenance waits until every other powered-on vCPU took the IPI in guest mode",
};

/** The schedule a run takes when it is given none: the scenario's fixed one, or its seed's. */
function defaultScheduler(scenario: SmpScenario): Scheduler {
  if (scenario.schedule === undefined) return new SeededScheduler(scenario.seed);
  try {
    return new ExplicitScheduler(parseSchedule(scenario.schedule, scenario.vcpus.length));
  } catch (error) {
    if (error instanceof ScheduleError) throw new ScenarioError(`${scenario.name}: its schedule: ${error.message}`);
    throw error;
  }
}

function classifySmp(
  scenario: SmpScenario,
  displayMode: (mode: string) => string,
  smp: SmpMachine,
  ended: SmpRunResult,
  exits: ReadonlyMap<number, { readonly kind: ExitKind; readonly what: string }>,
  errors: ReadonlyMap<number, string>,
  labels: ReadonlyMap<number, string[]>,
): Outcome {
  const place = (address: number): string => {
    const label = labels.get(address)?.[0];
    return label === undefined ? hexAddress(address) : `${hexAddress(address)} (${label})`;
  };
  if (ended.reason === 'budget-exhausted') {
    const running = smp.vcpus.map((m, n) => (smp.states[n]!.on ? `vcpu${n} at ${place(m.pc)}` : `vcpu${n} off`)).join(', ');
    const first = smp.vcpus[0]!;
    return { kind: 'budget-exhausted', steps: ended.steps, pc: first.pc, mode: first.mode(), detail: `no outcome within ${scenario.maxSteps} steps: ${running}` };
  }
  if (ended.reason === 'idle') {
    const first = smp.vcpus[0]!;
    return { kind: 'guest-error', reason: 'idle', pc: first.pc, mode: first.mode(), detail: 'no vCPU can run: every one is off, stopped or waiting' };
  }
  const n = ended.vcpu!;
  const result: RunResult = ended.result!;
  const machine = smp.vcpus[n]!;
  const mode = machine.mode();
  const exit = result.reason === 'breakpoint' ? exits.get(result.pc) : undefined;
  if (exit !== undefined) return { kind: exit.kind, pc: result.pc, mode, detail: `vcpu${n}: ${exit.what}, at ${place(result.pc)} in ${displayMode(mode)}` };
  const error = result.reason === 'breakpoint' ? errors.get(result.pc) : undefined;
  if (error !== undefined) return { kind: 'guest-error', reason: 'bug', pc: result.pc, mode, detail: `vcpu${n}: ${error}, at ${place(result.pc)} in ${displayMode(mode)}` };
  if (result.reason === 'vm-exit') return { kind: 'vm-stopped', pc: machine.pc, mode, detail: `vcpu${n}: the hypervisor gave the vCPU back to its host: ${result.detail}` };
  return { kind: 'guest-error', reason: result.reason, pc: result.pc, mode, detail: `vcpu${n}: ${result.reason} at ${place(result.pc)} in ${displayMode(mode)}: ${result.detail}` };
}
