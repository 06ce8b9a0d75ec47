/**
 * `hyplay scenario list`, `hyplay scenario run NAME [--trace] [--json]` and
 * `hyplay reset-matrix [--arch A] [--json]`, plus the reset-matrix section
 * of the main job.
 *
 * @module
 */

import type { Command } from 'commander';
import type { AbiRegistry } from '../abi/registry.ts';
import type { BackendRegistry } from '../di/container.ts';
import type { ArchBackend, EngineName } from '../interp/backend.ts';
import type { Interpretation } from '../dispatch/dispatcher.ts';
import { describeCallOutcome, type HvcRecord } from '../scenario/hvc-annotator.ts';
import { formatOutcome, outcomeJson, type OutcomeJson } from '../scenario/outcome.ts';
import { formatResetMatrix, runImageResetMatrix, runResetMatrix, type ResetMatrixResult, type ResetMatrixRow } from '../scenario/reset-matrix.ts';
import { hostPartsOf, runScenario, type ScenarioRun } from '../scenario/runner.ts';
import { KERNEL_STUB } from '../loader/boot-image.ts';
import { bootImageToStub, DEFAULT_IMAGE_BOOT_STEPS, parseBootSteps } from './conformance-command.ts';
import { basename } from 'node:path';
import type { Scenario, SmpScenario } from '../scenario/scenario.ts';
import { runSmpScenario, type SmpScenarioRun } from '../scenario/smp-runner.ts';
import { ExplicitScheduler, parseSchedule, ScheduleError, SeededScheduler, type Scheduler } from '../smp/schedule.ts';
import { SHOOTDOWN_DESIGNS, type ShootdownDesign } from '../smp/shootdown.ts';
import { stateCatalog } from '../state/state-catalog.ts';
import { CliError } from './cli-error.ts';
import { registerHex, registerWidth } from './register-values.ts';
import type { CliIo } from './cli-io.ts';
import type { CliServices } from './services.ts';

/** One scenario in `scenario list --json`. */
export interface ScenarioListEntry {
  /** Its name. */
  readonly name: string;
  /** Architecture. */
  readonly arch: string;
  /** One line. */
  readonly title: string;
  /** The outcome it is expected to reach. */
  readonly expected: string;
  /** The named outcome its inspection of the stopped machine is expected to give, where it has one. */
  readonly inspection?: string;
}

/** What a spec made of a call, in `scenario run --json`. */
export interface InterpretationJson {
  /** Spec id. */
  readonly abi: string;
  /** The call, or `null` when the spec does not claim it. */
  readonly call: string | null;
  /** What happens, one line. */
  readonly effect: string;
}

/** One hypervisor call in `scenario run --json`. */
export interface HvcJson {
  /** Conduit. */
  readonly conduit: string;
  /** Immediate. */
  readonly imm: number;
  /** The caller's mode. */
  readonly from: string;
  /** The call registers, `0x` hex. */
  readonly registers: Readonly<Record<string, string>>;
  /** The vector base, `0x` hex. */
  readonly vectorBase: string;
  /** The slot taken. */
  readonly slot: string;
  /** What sits at the vector base. */
  readonly handler: string;
  /** What the handler's spec made of it. */
  readonly handled: InterpretationJson | null;
  /** What the caller meant. */
  readonly meant: InterpretationJson | null;
  /** The dispatcher's verdict across every registered spec. */
  readonly verdict: string;
}

/** The inspection part of `scenario run --json`. */
export interface InspectionJson {
  /** The named outcome expected. */
  readonly expected: string;
  /** The named outcome found. */
  readonly outcome: string;
  /** One line: why. */
  readonly detail: string;
  /** Whether they agree. */
  readonly matches: boolean;
}

/** `scenario run --json`. */
export interface ScenarioRunJson {
  /** Scenario name. */
  readonly scenario: string;
  /** Architecture. */
  readonly arch: string;
  /** One line. */
  readonly title: string;
  /** Expected outcome. */
  readonly expected: string;
  /** Whether the outcome is the expected one. */
  readonly matches: boolean;
  /** Instructions executed. */
  readonly steps: number;
  /** The outcome with its details. */
  readonly outcome: OutcomeJson;
  /** Every hypervisor call. */
  readonly hvcs: readonly HvcJson[];
  /** Where the hypervisor is a host model: its VM exits and what it did, one line each. */
  readonly host?: readonly string[];
  /** What the inspection of the stopped machine found, where the scenario has one and it ran. */
  readonly inspection?: InspectionJson;
  /** The trace (with `--trace`). */
  readonly trace?: readonly string[];
}

/** A scenario with the backend it runs on. */
export interface BackendScenario {
  /** The backend. */
  readonly backend: ArchBackend;
  /** The scenario. */
  readonly scenario: Scenario;
}

/** An SMP scenario with the backend it runs on. */
export interface BackendSmpScenario {
  /** The backend. */
  readonly backend: ArchBackend;
  /** The scenario. */
  readonly scenario: SmpScenario;
}

/** Every SMP scenario of every backend, in backend then catalog order. */
export function allSmpScenarios(backends: BackendRegistry): readonly BackendSmpScenario[] {
  return backends.all().flatMap((backend) => (backend.scenarios?.smpScenarios?.() ?? []).map((scenario) => ({ backend, scenario })));
}

/** One hypervisor call of an SMP run, in `scenario run --json`. */
export interface SmpCallJson {
  /** The calling vCPU. */
  readonly vcpu: number;
  /** The call the firmware's spec took it as. */
  readonly call: string;
  /** The call registers, `0x` hex. */
  readonly registers: Readonly<Record<string, string>>;
  /** The first call register after the call, or `null` when it did not return. */
  readonly result: string | null;
}

/** One vCPU at the end of an SMP run, in `scenario run --json`. */
export interface SmpVcpuJson {
  /** Powered on. */
  readonly on: boolean;
  /** Its PC, `0x` hex. */
  readonly pc: string;
  /** Its mode. */
  readonly mode: string;
  /** Steps it ran. */
  readonly steps: number;
}

/** `scenario run --json` of an SMP run: the fields of a single-vCPU run that apply, the schedule, the calls by vCPU, each vCPU at the end and the report words. */
export interface SmpScenarioRunJson {
  /** Scenario name. */
  readonly scenario: string;
  /** Architecture. */
  readonly arch: string;
  /** One line. */
  readonly title: string;
  /** Expected outcome. */
  readonly expected: string;
  /** Whether the outcome is the expected one. */
  readonly matches: boolean;
  /** Steps, all vCPUs together. */
  readonly steps: number;
  /** The outcome with its details. */
  readonly outcome: OutcomeJson;
  /** How the schedule chose. */
  readonly schedule: string;
  /** The TLB shootdown design (`broadcast`, `ipi`), or null when the machine has no TLBs to join. */
  readonly shootdown: string | null;
  /** Every hypervisor call. */
  readonly calls: readonly SmpCallJson[];
  /** Each vCPU at the end. */
  readonly vcpus: readonly SmpVcpuJson[];
  /** The report words, `0x` hex. */
  readonly report: Readonly<Record<string, string>>;
  /** The trace (with `--trace`). */
  readonly trace?: readonly string[];
}

/** `scenario run --json` for an SMP run (registers at `width` bits). */
export function smpScenarioRunJson(run: SmpScenarioRun, width: number, trace: boolean): SmpScenarioRunJson {
  return {
    scenario: run.scenario.name,
    arch: run.scenario.arch,
    title: run.scenario.title,
    expected: run.scenario.expected,
    matches: run.matches,
    steps: run.steps,
    outcome: outcomeJson(run.outcome),
    schedule: run.schedule,
    shootdown: run.shootdown ?? null,
    calls: run.calls.map((c) => ({
      vcpu: c.vcpu,
      call: c.call,
      registers: Object.fromEntries(Object.entries(c.registers).map(([name, value]) => [name, registerHex(value, width)])),
      result: c.result === undefined ? null : registerHex(c.result, width),
    })),
    vcpus: run.vcpus.map((v) => ({ on: v.on, pc: `0x${v.pc.toString(16).padStart(8, '0')}`, mode: v.mode, steps: v.steps })),
    report: Object.fromEntries(Object.entries(run.report).map(([name, value]) => [name, `0x${value.toString(16).padStart(8, '0')}`])),
    ...(trace ? { trace: run.trace } : {}),
  };
}

/** The text of `scenario run` for an SMP run: the trace with `--trace`, else the outcome, the schedule and one line per call. */
export function smpScenarioRunText(run: SmpScenarioRun, trace: boolean, width: number): string {
  if (trace) return run.trace.join('\n');
  return [
    `scenario ${run.scenario.name} (${run.scenario.arch}, ${run.scenario.vcpus.length} vCPUs): ${run.scenario.title}`,
    `schedule: ${run.schedule}`,
    ...(run.shootdown === undefined ? [] : [`TLB shootdown: ${run.shootdown}`]),
    `hypervisor calls: ${run.calls.length}${run.calls.length === 0 ? '' : ' (--trace shows each as it happens)'}`,
    ...run.calls.map((c, i) => `  ${i + 1}. vcpu${c.vcpu} ${c.call} ${Object.entries(c.registers).map(([n, v]) => `${n}=${registerHex(v, width)}`).join(' ')} -> ${c.result === undefined ? 'did not return' : `returned ${registerHex(c.result, width)}`}`),
    ...run.vcpus.map((v, n) => `vcpu${n}: ${v.on ? 'on' : 'off'}, ${v.steps} steps, at 0x${v.pc.toString(16).padStart(8, '0')} in ${v.mode}`),
    ...Object.entries(run.report).map(([name, value]) => `${name} = 0x${value.toString(16).padStart(8, '0')}`),
    `outcome: ${formatOutcome(run.outcome)}`,
    `expected: ${run.scenario.expected} (${run.matches ? 'ok' : 'MISMATCH'}), after ${run.steps} steps`,
  ].join('\n');
}

/** The design `--shootdown` names (`undefined`: the scenario's); a {@link CliError} for another word. */
function shootdownOf(option: string | undefined): ShootdownDesign | undefined {
  if (option === undefined) return undefined;
  if (!(SHOOTDOWN_DESIGNS as readonly string[]).includes(option)) throw new CliError(`--shootdown '${option}': expected ${SHOOTDOWN_DESIGNS.join(' or ')}`, { input: '--shootdown' });
  return option as ShootdownDesign;
}

/**
 * The scheduler `--schedule` or `--seed` asks for on a machine of `vcpus`
 * vCPUs (`undefined`: the scenario's own seed); a {@link CliError} naming
 * the option and column for a bad one.
 */
export function schedulerOf(options: { readonly schedule?: string; readonly seed?: string }, vcpus: number): Scheduler | undefined {
  if (options.schedule !== undefined && options.seed !== undefined) throw new CliError('--schedule and --seed: give one of them');
  if (options.schedule !== undefined) {
    try {
      return new ExplicitScheduler(parseSchedule(options.schedule, vcpus));
    } catch (error) {
      if (error instanceof ScheduleError) throw new CliError(`--schedule '${options.schedule}': ${error.message}`, { input: '--schedule', column: error.column });
      throw error;
    }
  }
  if (options.seed !== undefined) {
    if (!/^\d+$/.test(options.seed) || Number(options.seed) > 0xffff_ffff) throw new CliError(`--seed '${options.seed}': expected a number from 0 to 4294967295`);
    return new SeededScheduler(Number(options.seed));
  }
  return undefined;
}

/** Every scenario of every backend, in backend then catalog order. */
export function allScenarios(backends: BackendRegistry): readonly BackendScenario[] {
  return backends.all().flatMap((backend) => (backend.scenarios?.scenarios() ?? []).map((scenario) => ({ backend, scenario })));
}

function interpretationJson(interpretation: Interpretation | undefined): InterpretationJson | null {
  if (interpretation === undefined) return null;
  if (!interpretation.mine) return { abi: interpretation.abi, call: null, effect: interpretation.effect };
  return { abi: interpretation.abi, call: interpretation.call ?? null, effect: describeCallOutcome(interpretation.outcome, interpretation.writes, interpretation.returns) };
}

function hvcJson(record: HvcRecord, register: string, width: number): HvcJson {
  return {
    conduit: record.conduit,
    imm: record.imm,
    from: record.from,
    registers: Object.fromEntries(Object.entries(record.registers).map(([name, value]) => [name, registerHex(value, width)])),
    vectorBase: registerHex(BigInt(record.vectorBase), width),
    slot: `${register.toUpperCase()}+0x${record.slot.offset.toString(16).padStart(2, '0')} (${record.slot.name})`,
    handler: record.owner.name,
    handled: interpretationJson(record.handled),
    meant: interpretationJson(record.meant),
    verdict: record.dispatch.verdict,
  };
}

/** `scenario run --json` for a run. */
export function scenarioRunJson(run: ScenarioRun, backend: ArchBackend, trace: boolean): ScenarioRunJson {
  const register = backend.firmware?.vectorBaseRegister ?? 'vbar';
  return {
    scenario: run.scenario.name,
    arch: run.scenario.arch,
    title: run.scenario.title,
    expected: run.scenario.expected,
    matches: run.matches,
    steps: run.steps,
    outcome: outcomeJson(run.outcome),
    hvcs: run.hvcs.map((record) => hvcJson(record, register, registerWidth(backend.createMachine()))),
    ...(run.host.length === 0 ? {} : { host: run.host }),
    ...(run.inspection === undefined ? {} : { inspection: { expected: run.inspection.expected, outcome: run.inspection.result.outcome, detail: run.inspection.result.detail, matches: run.inspection.matches } }),
    ...(trace ? { trace: run.trace } : {}),
  };
}

/**
 * The text of `scenario run`: the trace with `--trace`, else the outcome and
 * one line per hypervisor call (its immediate in hex, the caller's mode with
 * its privilege, registers at `width` bits).
 */
export function scenarioRunText(run: ScenarioRun, trace: boolean, width: number): string {
  if (trace) return run.trace.join('\n');
  const calls = run.hvcs.map((record, i) => {
    const handled = record.handled?.mine === true ? `${record.handled.call}: ${describeCallOutcome(record.handled.outcome, record.handled.writes, record.handled.returns)}` : 'no spec';
    const meant = record.meant?.mine === true && record.meant.call !== record.handled?.call ? ` (meant ${record.meant.call})` : '';
    const registers = Object.entries(record.registers).map(([n, v]) => `${n}=${registerHex(v, width)}`);
    return `  ${i + 1}. ${record.conduit} #0x${record.imm.toString(16)} from ${record.from} (${record.origin.privilege}), ${registers.join(' ')} -> ${record.owner.name}: ${handled}${meant}`;
  });
  return [
    `scenario ${run.scenario.name} (${run.scenario.arch}): ${run.scenario.title}`,
    ...(run.host.length === 0
      ? [`hypervisor calls: ${run.hvcs.length}${run.hvcs.length === 0 ? '' : ' (--trace shows each as it happens)'}`, ...calls]
      : ['host model (--trace shows each exit as it happens):', ...run.host.map((line, i) => `  ${i + 1}. ${line}`)]),
    `outcome: ${formatOutcome(run.outcome)}`,
    `expected: ${run.scenario.expected} (${run.outcome.kind === run.scenario.expected ? 'ok' : 'MISMATCH'}), after ${run.steps} steps`,
    ...(run.inspection === undefined
      ? []
      : [`inspection: ${run.scenario.inspection!.what}`, ...run.inspection.result.lines.map((line) => `  ${line}`), `inspection outcome: ${run.inspection.result.outcome}: ${run.inspection.result.detail}`, `expected: ${run.inspection.expected} (${run.inspection.matches ? 'ok' : 'MISMATCH'})`]),
  ].join('\n');
}

/** The reset matrices of `backends` (all that have one, or only `arch`'s), as a text section per architecture. */
export function resetMatrixText(backends: readonly ArchBackend[], abis: AbiRegistry): string {
  return backends
    .filter((backend) => backend.resetMatrix !== undefined)
    .map((backend) => [`== ${backend.resetMatrix!.title}`, formatResetMatrix(runResetMatrix(backend, abis).map((r) => r.row))].join('\n'))
    .join('\n\n');
}

function matrixBackends(backends: BackendRegistry, arch: string | undefined): readonly ArchBackend[] {
  const withMatrix = backends.all().filter((b) => b.resetMatrix !== undefined);
  if (arch === undefined) return withMatrix;
  const backend = backends.get(arch);
  if (backend === undefined) throw new CliError(`--arch: unknown architecture '${arch}' (one of ${backends.names().join(', ')})`);
  if (backend.resetMatrix === undefined) throw new CliError(`--arch: ${arch} has no reset matrix (one of ${withMatrix.map((b) => b.name).join(', ') || 'none'} has)`);
  return [backend];
}

/** Add `scenario` (`list`, `run`) and `reset-matrix` to `program`, over `services`. */
export function registerScenarioCommands(program: Command, io: Pick<CliIo, 'out'>, services: CliServices): void {
  const registry = services.abis;

  const scenario = program.command('scenario').description('scenarios (kexec/kdump reset paths, guest hypercall designs): machine setup, real guest code, expected outcome');
  scenario
    .command('list')
    .description('list the scenarios')
    .option('--json', 'JSON output')
    .action((options: { json?: boolean }) => {
      const backends = services.backends();
      const entries: ScenarioListEntry[] = [...allScenarios(backends).map(({ scenario: s }) => ({ name: s.name, arch: s.arch, title: s.title, expected: s.expected, ...(s.inspection === undefined ? {} : { inspection: s.inspection.expected }) })), ...allSmpScenarios(backends).map(({ scenario: s }) => ({ name: s.name, arch: s.arch, title: s.title, expected: s.expected }))];
      if (options.json === true) {
        io.out(JSON.stringify({ scenarios: entries }, undefined, 2));
        return;
      }
      const width = Math.max(0, ...entries.map((e) => e.name.length));
      const expected = Math.max(0, ...entries.map((e) => e.expected.length));
      io.out(entries.map((e) => `${e.name.padEnd(width)}  ${e.arch}  ${e.expected.padEnd(expected)}  ${e.title}${e.inspection === undefined ? '' : ` (then: ${e.inspection})`}`).join('\n'));
    });
  scenario
    .command('run')
    .description('run one scenario and print its outcome (--trace: every event, each hypervisor call annotated)')
    .argument('<name>', 'scenario name (see `hyplay scenario list`)')
    .option('--trace', 'print the trace, one line per event (on several vCPUs, each line prefixed with its vCPU)')
    .option('--json', 'JSON output')
    .option('--schedule <slices>', 'several vCPUs: the interleaving, VCPU:STEPS entries (STEPS a number or * for until it stops), e.g. 0:12,1:3,0:*; round robin after it')
    .option('--seed <n>', "several vCPUs: a seeded interleaving instead of the scenario's own seed")
    .option('--shootdown <design>', `several vCPUs: how shareable TLB maintenance reaches the other vCPUs, ${SHOOTDOWN_DESIGNS.join(' or ')} (default: the scenario's, else broadcast)`)
    .option('--engine <engine>', "interp or jit, where the scenario's architecture has both (default: the architecture's)")
    .action((name: string, options: { trace?: boolean; json?: boolean; schedule?: string; seed?: string; shootdown?: string; engine?: string }) => {
      const backends = services.backends();
      const smp = allSmpScenarios(backends).find(({ scenario: s }) => s.name === name);
      const engineOf = (backend: ArchBackend): EngineName | undefined => {
        if (options.engine === undefined) return undefined;
        const engines = backend.engines ?? ['interp'];
        if (!(engines as readonly string[]).includes(options.engine)) throw new CliError(`--engine: ${backend.name} offers ${engines.join(', ')}, not '${options.engine}'`, { input: '--engine' });
        return options.engine as EngineName;
      };
      if (smp !== undefined) {
        const scheduler = schedulerOf(options, smp.scenario.vcpus.length);
        const engine = engineOf(smp.backend);
        const shootdown = shootdownOf(options.shootdown);
        const run = runSmpScenario(smp.backend, smp.scenario, registry(), { ...(scheduler === undefined ? {} : { scheduler }), ...(engine === undefined ? {} : { engine }), ...(shootdown === undefined ? {} : { shootdown }) });
        const width = registerWidth(smp.backend.createMachine());
        io.out(options.json === true ? JSON.stringify(smpScenarioRunJson(run, width, options.trace === true), undefined, 2) : smpScenarioRunText(run, options.trace === true, width));
        return;
      }
      const found = allScenarios(backends).find(({ scenario: s }) => s.name === name);
      if (found === undefined) throw new CliError(`unknown scenario '${name}' (see \`hyplay scenario list\`)`);
      if (options.schedule !== undefined || options.seed !== undefined) throw new CliError(`${options.schedule !== undefined ? '--schedule' : '--seed'}: ${name} runs on one vCPU; only scenarios on several vCPUs (smp-*) take a schedule`);
      if (options.shootdown !== undefined) throw new CliError(`--shootdown: ${name} runs on one vCPU; only scenarios on several vCPUs have other TLBs to reach`, { input: '--shootdown' });
      const engine = engineOf(found.backend);
      const run = runScenario(found.backend, found.scenario, registry(), { context: { state: stateCatalog(services.backends().all()) }, ...(engine === undefined ? {} : { engine }) });
      const trace = options.trace === true;
      io.out(options.json === true ? JSON.stringify(scenarioRunJson(run, found.backend, trace), undefined, 2) : scenarioRunText(run, trace, registerWidth(found.backend.createMachine())));
    });

  program
    .command('reset-matrix')
    .description('run the kexec/kdump reset matrix: each reboot path against each hyp-stub and hypervisor era')
    .option('--arch <arch>', 'only this architecture')
    .option('--json', 'JSON output')
    .option('--image <file>', "also the rows on a real kernel image's own stub: the image booted until it drops from its kernel's stub, then kexec and kdump from there (with --arch)")
    .option('--payload', "with --image: boot the kernel inside a self-decompressing image directly, as `boot --payload` does (seconds, not minutes)")
    .option('--boot-steps <n>', `with --image: the step budget of the boot up to the stub (default ${DEFAULT_IMAGE_BOOT_STEPS})`)
    .action((options: { arch?: string; json?: boolean; image?: string; payload?: boolean; bootSteps?: string }): void | Promise<void> => {
      const selected = matrixBackends(services.backends(), options.arch);
      const show = (extra: readonly ResetMatrixResult[]): void => {
        if (options.json === true) {
          const rows: ResetMatrixRow[] = [...selected.flatMap((backend) => runResetMatrix(backend, registry()).map((r) => r.row)), ...extra.map((r) => r.row)];
          io.out(JSON.stringify({ rows }, undefined, 2));
          return;
        }
        if (extra.length === 0) {
          io.out(resetMatrixText(selected, registry()));
          return;
        }
        const backend = selected[0]!;
        io.out([`== ${backend.resetMatrix!.title}, and the image's own stub`, formatResetMatrix([...runResetMatrix(backend, registry()), ...extra].map((r) => r.row))].join('\n'));
      };
      if (options.image === undefined) {
        for (const [given, option] of [[options.payload, '--payload'], [options.bootSteps, '--boot-steps']] as const) if (given !== undefined) throw new CliError(`reset-matrix ${option}: only with --image`);
        show([]);
        return;
      }
      if (options.arch === undefined) throw new CliError("reset-matrix --image: give --arch too (the image's architecture)");
      const backend = selected[0]!;
      const { catalog, port } = hostPartsOf(backend);
      const support = backend.boot;
      if (backend.resetMatrix?.imageRows === undefined || support === undefined || port === undefined) throw new CliError(`reset-matrix --image: ${backend.name} has no rows on a real image's stub`);
      const budget = parseBootSteps(options.bootSteps);
      // The kernel proper's stub: the last one a boot installs, the one a reboot from the running kernel calls.
      const stub = (support.stubs ?? [KERNEL_STUB]).at(-1)!;
      const file = options.image;
      return bootImageToStub(backend, file, stub, { hypervisorMode: catalog.hypervisorMode, vectorBaseRegister: port.vectorBaseRegister }, { payload: options.payload === true, budget: Number(budget) }).then(({ install }) =>
        show(runImageResetMatrix(backend, registry(), { name: `image:${basename(file)}@${stub.name}`, vectorBase: install.vectorBase }, install.snapshot)),
      );
    });
}
