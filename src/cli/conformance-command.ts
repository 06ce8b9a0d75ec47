/**
 * `hyplay conformance <abi-id> [--impl <name>] [--json]`: generate the
 * conformance suite of one spec and run it against an implementation at the
 * hypervisor vectors.
 *
 * `--impl` names the implementation:
 * - `spec` (the default): the spec's own firmware;
 * - another spec's id (or `spec:<id>`): that spec's firmware standing in for
 *   a different hypervisor, e.g. `kvm-arm32-v3.9`;
 * - an assembly implementation the backend ships, e.g. `asm:hyp-stub-v4.12`.
 *
 * Exit status: 0 when every case passes, 1 when a case fails (a result,
 * reported on stdout), 2 on bad input (unknown spec or implementation).
 *
 * @module
 */

import type { Command } from 'commander';
import type { AbiRegistry } from '../abi/registry.ts';
import type { Abi } from '../abi/spec.ts';
import type { BackendRegistry } from '../di/container.ts';
import {
  ConformanceError,
  formatReport,
  generateSuite,
  runSuite,
  specFirmwareImplementation,
  valueWidth,
  type ConformanceDriver,
  type ConformanceReport,
  type ConformanceSuite,
  type Expectation,
  type FirmwareImplementation,
} from '../firmware/conformance.ts';
import type { FirmwarePort } from '../firmware/firmware.ts';
import { hexAddress } from '../interp/step-result.ts';
import { CliError } from './cli-error.ts';
import type { CliServices } from './services.ts';

/** Options of the command. */
export interface ConformanceOptions {
  /** The implementation (default `spec`). */
  readonly impl?: string;
  /** JSON output. */
  readonly json?: boolean;
}

/** The command ran, and its result is a failure: exit status 1, the report already written. */
export class ResultFailure extends Error {
  /** Always `'ResultFailure'`. */
  override readonly name = 'ResultFailure';
  /** The exit status. */
  readonly status = 1;
}

/** What the command produced. */
export interface ConformanceOutput {
  /** The report as text or JSON. */
  readonly text: string;
  /** The report. */
  readonly report: ConformanceReport;
}

interface Target {
  readonly abi: Abi;
  readonly port: FirmwarePort;
  readonly driver: ConformanceDriver;
}

function targetOf(backends: BackendRegistry, abis: AbiRegistry, id: string): Target {
  const abi = abis.get(id);
  if (abi === undefined) throw new CliError(`unknown ABI '${id}' (see \`hyplay abi list\`)`);
  const port = backends.get(abi.spec.arch)?.firmware;
  const driver = port?.conformance;
  if (port === undefined || driver === undefined) throw new CliError(`${id}: architecture ${abi.spec.arch} has no conformance driver`);
  return { abi, port, driver };
}

/** The implementation `name` names for `target`, or a {@link CliError} listing the choices. */
function implementationOf(abis: AbiRegistry, target: Target, name: string): FirmwareImplementation {
  const { abi, port, driver } = target;
  if (name === 'spec') return specFirmwareImplementation(port, abi, 'spec');
  const asm = driver.implementations.find((i) => i.name === name || i.name === `asm:${name}`);
  if (asm !== undefined) return asm;
  const specId = name.startsWith('spec:') ? name.slice('spec:'.length) : name;
  const other = abis.get(specId);
  if (other !== undefined) {
    if (other.spec.arch !== abi.spec.arch) throw new CliError(`--impl: '${specId}' is a ${other.spec.arch} spec and ${abi.spec.id} is ${abi.spec.arch}`);
    return specFirmwareImplementation(port, other);
  }
  const choices = ['spec', `a spec id of ${abi.spec.arch}`, ...driver.implementations.map((i) => i.name)];
  throw new CliError(`--impl: unknown implementation '${name}' (one of ${choices.join(', ')})`);
}

function hex(value: bigint, width: number): string {
  return `0x${BigInt.asUintN(width, value).toString(16).padStart(Math.ceil(width / 4), '0')}`;
}

function hexRecord(values: Readonly<Record<string, bigint>>, width: number): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([r, v]) => [r, hex(v, width)]));
}

function expectationJson(expected: Expectation, width: number): Record<string, unknown> {
  switch (expected.kind) {
    case 'return':
      return { kind: 'return', ...(expected.mode === undefined ? {} : { mode: expected.mode }), writes: hexRecord(expected.writes, width), preserved: expected.preserved, clobbers: expected.clobbers };
    case 'jump':
      return { kind: 'jump', target: hex(expected.target, width), writes: hexRecord(expected.writes, width), preserved: expected.preserved };
    case 'call':
      return { kind: 'call', target: hex(expected.target, width), args: expected.args.map((a) => hex(a, width)) };
    default: {
      const unreachable: never = expected;
      return unreachable;
    }
  }
}

/** The JSON form of a report: `{"abi","implementation","passed","failed","skipped","cases":[…]}`, values hex at `width` bits (the suite's {@link valueWidth}). */
export function conformanceJson(abi: Abi, suite: ConformanceSuite, report: ConformanceReport, width: number = abi.spec.selector.width): Record<string, unknown> {
  return {
    abi: report.abi,
    implementation: report.implementation,
    passed: report.passed,
    failed: report.failed,
    skipped: report.skipped.map((s) => ({ name: s.name, why: s.why })),
    cases: report.results.map((result, i) => {
      const kase = suite.cases[i]!;
      return {
        name: result.name,
        call: result.call,
        pass: result.pass,
        why: result.why,
        registers: hexRecord(kase.registers, width),
        expected: expectationJson(kase.expected, width),
        stop: { reason: result.stop.reason, pc: hexAddress(result.stop.pc), mode: result.mode },
      };
    }),
  };
}

/**
 * Generate the suite of `abiId` and run it against `options.impl`. Throws
 * {@link CliError} on bad input; a failing case is a result, not an error.
 */
export function runConformanceCommand(backends: BackendRegistry, abis: AbiRegistry, abiId: string, options: ConformanceOptions): ConformanceOutput {
  const target = targetOf(backends, abis, abiId);
  const implementation = implementationOf(abis, target, options.impl ?? 'spec');
  let suite: ConformanceSuite;
  try {
    suite = generateSuite(target.abi, target.port, target.driver);
  } catch (error) {
    if (error instanceof ConformanceError) throw new CliError(error.message);
    throw error;
  }
  const report = runSuite(target.abi, suite, target.port, target.driver, implementation);
  const text = options.json === true ? JSON.stringify(conformanceJson(target.abi, suite, report, valueWidth(target.abi, target.driver)), undefined, 2) : formatReport(report);
  return { text, report };
}

/** Where the command writes (the `out` half of the CLI's io). */
export interface ConformanceIo {
  /** Standard output. */
  out(text: string): void;
}

/**
 * Add `conformance` to `program`. The action writes the report, then throws
 * {@link ResultFailure} when a case failed so that the exit status is 1.
 */
export function registerConformanceCommand(program: Command, io: ConformanceIo, services: CliServices): void {
  program
    .command('conformance')
    .description("run a spec's generated conformance suite against an implementation at the hypervisor vectors")
    .argument('<abi-id>', 'spec id (see `hyplay abi list`)')
    .option('--impl <name>', "implementation: spec (the spec's own firmware), another spec's id, or asm:<name>", 'spec')
    .option('--json', 'JSON output')
    .action((abiId: string, options: ConformanceOptions) => {
      const { text, report } = runConformanceCommand(services.backends(), services.abis(), abiId, options);
      io.out(text);
      if (report.failed > 0) throw new ResultFailure(`${report.failed} of ${report.results.length} conformance cases failed`);
    });
}
