/**
 * The reset matrix: every row a backend defines (a reboot path, a hyp-stub
 * era, a hypervisor era, whether a VM ran, whether the pair shipped) run as
 * its scenario, with the outcome and its one-line detail.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import type { ArchBackend } from '../interp/backend.ts';
import type { OutcomeKind } from './outcome.ts';
import { runScenario, ScenarioError, type ScenarioRun } from './runner.ts';
import type { MachineSnapshot } from '../interp/machine.ts';
import type { InstalledImageStub, ResetMatrixRowDefinition, ResetMatrixVm, Scenario } from './scenario.ts';

/**
 * One row of the matrix, as `hyplay reset-matrix --json` prints it:
 * `{"path","era","stub","hypervisor","vm","shipped","outcome","detail"}`.
 * `vm` is `none` or `running` (see {@link ResetMatrixVm}): a hypervisor that
 * owns the vectors only while a VM exists has a row for each.
 */
export interface ResetMatrixRow {
  /** The reboot path (`kexec`, `kdump`). */
  readonly path: string;
  /** The releases the row stands for (`v4.6–v4.11`). */
  readonly era: string;
  /** The hyp-stub ABI id. */
  readonly stub: string;
  /** The hypervisor ABI id, or `none`. */
  readonly hypervisor: string;
  /** Whether a VM ran before the reboot. */
  readonly vm: ResetMatrixVm;
  /** Whether the pair existed together in a kernel people ran. */
  readonly shipped: boolean;
  /** How the scenario ended. */
  readonly outcome: OutcomeKind;
  /** One line: what happened. */
  readonly detail: string;
}

/** A matrix row with the run behind it. */
export interface ResetMatrixResult {
  /** The row. */
  readonly row: ResetMatrixRow;
  /** The row's definition. */
  readonly definition: ResetMatrixRowDefinition;
  /** The run. */
  readonly run: ScenarioRun;
}

/** The scenario of `name` among `backend`'s, or a {@link ScenarioError}. */
export function findScenario(backend: ArchBackend, name: string): Scenario {
  const scenario = backend.scenarios?.scenarios().find((s) => s.name === name);
  if (scenario === undefined) throw new ScenarioError(`${backend.name} has no scenario '${name}'`);
  return scenario;
}

/** Run every row of `backend`'s reset matrix (none when it has no matrix). */
export function runResetMatrix(backend: ArchBackend, abis: AbiRegistry): readonly ResetMatrixResult[] {
  const matrix = backend.resetMatrix;
  if (matrix === undefined) return [];
  return matrix.rows.map((definition) => {
    const run = runScenario(backend, findScenario(backend, definition.scenario), abis);
    const { path, era, stub, hypervisor, vm, shipped } = definition;
    return { row: { path, era, stub, hypervisor, vm, shipped, outcome: run.outcome.kind, detail: run.outcome.detail }, definition, run };
  });
}

/**
 * The real-stub rows of `backend`'s matrix (none when it defines none):
 * each row's scenario run on a machine restored from `snapshot`, the
 * machine a real image's boot left at the drop from its stub `stub`.
 */
export function runImageResetMatrix(backend: ArchBackend, abis: AbiRegistry, stub: InstalledImageStub, snapshot: MachineSnapshot): readonly ResetMatrixResult[] {
  const rows = backend.resetMatrix?.imageRows?.(stub) ?? [];
  return rows.map(({ definition, scenario }) => {
    const machine = backend.createMachine({ engine: 'interp' });
    machine.restore(snapshot);
    const run = runScenario(backend, scenario, abis, { machine });
    const { path, era, stub: stubName, hypervisor, vm, shipped } = definition;
    return { row: { path, era, stub: stubName, hypervisor, vm, shipped, outcome: run.outcome.kind, detail: run.outcome.detail }, definition, run };
  });
}

/**
 * The matrix as a readable table: one line per row, columns aligned, the
 * detail last; rows of pairs that never shipped are marked.
 */
export function formatResetMatrix(rows: readonly ResetMatrixRow[]): string {
  const header = ['path', 'era', 'stub', 'hypervisor', 'vm', 'shipped', 'outcome'];
  const cells = rows.map((r) => [r.path, r.era, r.stub, r.hypervisor, r.vm, r.shipped ? 'yes' : 'NO', r.outcome]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[], detail: string): string => `${values.map((v, i) => v.padEnd(widths[i]!)).join('  ')}  ${detail}`.trimEnd();
  return [line(header, 'detail'), line(widths.map((w) => '-'.repeat(w)), '------'), ...rows.map((r, i) => line(cells[i]!, r.detail))].join('\n');
}
