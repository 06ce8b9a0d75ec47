/**
 * The main job (`npm start`): for each backend, its kexec/kdump reset matrix
 * where it has one (else its showcase run with its trace, then one line per
 * scenario it has), then a summary of
 * the static collision analysis over every shipped spec.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import type { BackendRegistry } from '../di/container.ts';
import { collisionSummary } from './collisions-command.ts';
import { registerWidths } from './register-values.ts';
import { assembleOrFail, loadProgram } from './run-program.ts';
import { resetMatrixText } from './scenario-command.ts';
import type { ArchBackend } from '../interp/backend.ts';
import { hexAddress } from '../interp/step-result.ts';
import { formatOutcome } from '../scenario/outcome.ts';
import { runScenario } from '../scenario/runner.ts';
import { formatTraceEvent, TraceRecorder } from '../interp/trace.ts';

/**
 * A backend's scenarios (for one without a reset matrix, which shows them):
 * one line each, its outcome and whether it is the expected one. Where the
 * hypervisor is a host model, the first such scenario's exits follow, one
 * line each, with its outcome: what the host did, which no guest trace shows.
 */
function scenarioLines(backend: ArchBackend, abis: AbiRegistry): string[] {
  const scenarios = backend.scenarios?.scenarios() ?? [];
  if (scenarios.length === 0) return [];
  const width = Math.max(...scenarios.map((s) => s.name.length));
  const runs = scenarios.map((scenario) => runScenario(backend, scenario, abis));
  const lines = runs.map((run) => `  ${run.scenario.name.padEnd(width)}  ${run.outcome.kind}${run.matches ? '' : ` (MISMATCH: expected ${run.scenario.expected})`}`);
  const hosted = runs.find((run) => run.host.length > 0);
  const host = hosted === undefined ? [] : [`-- ${hosted.scenario.name}: what the host model did`, ...hosted.host.map((line) => `  ${line}`), `  ${formatOutcome(hosted.outcome)}`];
  return [`-- ${backend.name} scenarios (hyplay scenario run NAME --trace)`, ...lines, ...host, ''];
}

/** Run every backend's reset matrix (or showcase), then summarise the collisions between `abis`; return the report text. */
export function runMainJob(registry: BackendRegistry, abis: AbiRegistry): string {
  const out: string[] = ['hyplay: hypercall ABI playground', ''];
  for (const backend of registry.all()) {
    out.push(`== ${backend.name}: ${backend.title}`);
    if (backend.resetMatrix !== undefined) {
      out.push(resetMatrixText([backend], abis), '');
      continue;
    }
    const { showcase } = backend;
    out.push(`-- ${showcase.title}`);
    const program = assembleOrFail(backend, showcase.source, `${backend.name} showcase`, backend.loadAddress);
    const machine = loadProgram(backend, program, showcase.mode);
    const recorder = new TraceRecorder();
    machine.trace = recorder;
    const result = machine.run(showcase.maxSteps);
    out.push(...recorder.events.filter((e) => e.kind !== 'step' || /hvc|eret|bx|vmcall|vmmcall|syscall|sysret|int /.test(e.text)).map(formatTraceEvent));
    out.push(`result: ${result.reason} in ${machine.mode()} mode at ${hexAddress(result.pc)} after ${result.steps} steps`, '');
    out.push(...scenarioLines(backend, abis));
  }
  out.push(collisionSummary(abis, registerWidths(registry)), '');
  return out.join('\n');
}
