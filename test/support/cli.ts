/**
 * Drive the `hyplay` command in-process, the way every CLI test does: run
 * `runCli` with an io that captures stdout and stderr, over the composition
 * root with every backend and spec loaded (`load-modules.ts`, the suite's
 * setup file).
 */

import { expect } from 'vitest';
import { runCli, runCliAsync } from '../../src/cli/main.ts';
import { servicesOf, type CliServices } from '../../src/cli/services.ts';
import * as root from '../../src/di/container.ts';

/** What one run printed, and its exit status. */
export interface Captured {
  /** Exit status. */
  readonly status: number;
  /** Standard output, joined with newlines. */
  readonly out: string;
  /** Standard error, one entry per write. */
  readonly err: string[];
}

/** Services over everything loaded: what the binary would load for any command. */
export function allServices(): CliServices {
  return servicesOf(root);
}

/** Run `hyplay argv…` and capture its output. */
export function cli(...argv: string[]): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const status = runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, allServices());
  return { status, out: out.join('\n'), err };
}

/** Run with `--json`, insisting on success and a silent stderr, and parse stdout. */
export function json(...argv: string[]): any {
  const result = cli(...argv, '--json');
  expect(result.err).toEqual([]);
  expect(result.status).toBe(0);
  return JSON.parse(result.out);
}

/** {@link cli} for the commands that finish asynchronously (`run --image`, `boot`). */
export async function cliAsync(...argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCliAsync(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, allServices());
  return { status, out: out.join('\n'), err };
}
