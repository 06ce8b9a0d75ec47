/**
 * The A32 and A64 reference: Unicorn 2 through Debian's `python3-unicorn`, driven by
 * `test/diff/unicorn-driver.py`. One Python process runs a whole batch of
 * cases (JSON lines in, JSON lines out). The system `/usr/bin/python3` is
 * used explicitly: a `python3` earlier on PATH (pyenv) may lack the module.
 *
 * @module
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CODE_REGION, CODE_REGION_SIZE, DATA, DATA_SIZE } from './arm32-generator.ts';
import * as arm64 from './arm64-generator.ts';
import type { MemoryBlock, Outcome, ReferenceJob } from './differential.ts';

/** The Python that has the unicorn module (Debian's, not whatever `python3` is first on PATH). */
export const UNICORN_PYTHON = '/usr/bin/python3';

const DRIVER = fileURLToPath(new URL('./unicorn-driver.py', import.meta.url));

/** Why Unicorn cannot be used here, or `undefined` when it can. */
export function unicornMissing(): string | undefined {
  const result = spawnSync(UNICORN_PYTHON, ['-c', 'import unicorn; print(unicorn.__version__)'], { encoding: 'utf8' });
  if (result.error !== undefined) return `${UNICORN_PYTHON} cannot be run (${result.error.message}); install python3-unicorn`;
  if (result.status !== 0) return `${UNICORN_PYTHON} cannot import unicorn (install Debian's python3-unicorn): ${result.stderr.trim().split('\n').pop()}`;
  return undefined;
}

/** The version Unicorn reports, e.g. `2.0.1`. */
export function unicornVersion(): string {
  return spawnSync(UNICORN_PYTHON, ['-c', 'import unicorn; print(unicorn.__version__)'], { encoding: 'utf8' }).stdout.trim();
}

interface DriverResult {
  readonly end: 'completed' | 'exception' | 'stopped';
  readonly exception?: string;
  readonly at?: number;
  readonly detail?: string;
  readonly reason?: string;
  readonly registers: Record<string, string>;
  readonly changes: [number, string][];
}

/** What the driver maps for one architecture: its Unicorn architecture, the code region, the data page (compared). */
export interface UnicornLayout {
  /** `arm32` or `arm64`, as the driver names them. */
  readonly arch: 'arm32' | 'arm64';
  /** The code region: base and size. */
  readonly code: readonly [number, number];
  /** The data page: base and size. */
  readonly data: readonly [number, number];
}

/** The A32 layout (`arm32-generator.ts`). */
export const ARM32_UNICORN: UnicornLayout = { arch: 'arm32', code: [CODE_REGION, CODE_REGION_SIZE], data: [DATA, DATA_SIZE] };

/** The A64 layout (`arm64-generator.ts`). */
export const ARM64_UNICORN: UnicornLayout = { arch: 'arm64', code: [arm64.CODE_REGION, arm64.CODE_REGION_SIZE], data: [arm64.DATA, arm64.DATA_SIZE] };

/** Run jobs of one architecture in one Unicorn process. */
export function runInUnicorn(jobs: readonly ReferenceJob[], layout: UnicornLayout = ARM32_UNICORN): Outcome[] {
  const [dataBase, dataSize] = layout.data;
  const lines = jobs.map(({ case: c, stopAt }) =>
    JSON.stringify({
      arch: layout.arch,
      code: c.code,
      words: c.instructions.map((i) => i.word),
      stop: stopAt === undefined ? null : c.code + 4 * stopAt,
      regions: [layout.code, layout.data],
      registers: Object.fromEntries(Object.entries(c.registers).map(([name, value]) => [name, `0x${value.toString(16)}`])),
      memory: c.memory.map((block) => ({ base: block.base, data: Buffer.from(block.bytes).toString('base64') })),
      compare: [layout.data],
    }),
  );
  const result = spawnSync(UNICORN_PYTHON, [DRIVER], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`unicorn driver failed (status ${result.status}): ${result.stderr}`);
  const outputs = result.stdout.split('\n').filter((line) => line !== '');
  if (outputs.length !== jobs.length) throw new Error(`unicorn driver answered ${outputs.length} of ${jobs.length} cases: ${result.stderr}`);
  return outputs.map((line, i) => {
    const r = JSON.parse(line) as DriverResult;
    const c = jobs[i]!.case;
    const initial = c.memory.find((b) => b.base === dataBase)?.bytes ?? new Uint8Array(dataSize);
    const bytes = new Uint8Array(dataSize);
    bytes.set(initial.subarray(0, dataSize));
    for (const [address, hex] of r.changes) bytes.set(Buffer.from(hex, 'hex'), address - dataBase);
    const memory: MemoryBlock[] = [{ base: dataBase, bytes }];
    const registers = Object.fromEntries(Object.entries(r.registers).map(([name, value]) => [name, BigInt(value)]));
    const end =
      r.end === 'completed'
        ? ({ kind: 'completed' } as const)
        : r.end === 'exception'
          ? ({ kind: 'exception', exception: r.exception!, at: r.at!, detail: r.detail! } as const)
          : ({ kind: 'stopped', reason: r.reason!, detail: r.detail! } as const);
    return { end, registers, memory };
  });
}
