/**
 * Run the built `hyplay` (dist/hyplay.cjs, what package.json's `bin`
 * names; the suite's global setup builds it) as a real child process.
 */

import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The built entry. */
export const BINARY = join(ROOT, 'dist', 'hyplay.cjs');

/** What one run of the binary printed, and how it ended. */
export interface BinaryRun {
  /** Exit status (`null` when a signal ended it). */
  readonly status: number | null;
  /** The signal that ended it, if one did. */
  readonly signal: NodeJS.Signals | null;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/** Run `node dist/hyplay.cjs args…` with `input` on standard input (empty by default), bounded in time. */
export function hyplay(args: readonly string[], options: { input?: string | Uint8Array; cwd?: string } = {}): BinaryRun {
  const spawnOptions: SpawnSyncOptions = { cwd: options.cwd ?? ROOT, input: options.input ?? '', encoding: 'utf8', timeout: 30_000 };
  const result = spawnSync(process.execPath, [BINARY, ...args], spawnOptions);
  if (result.error !== undefined) throw result.error;
  return { status: result.status, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
}
