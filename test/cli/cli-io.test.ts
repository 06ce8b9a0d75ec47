/**
 * The built `hyplay` writing to places that fail, as real child processes
 * with real pipes and devices: a reader that closes the pipe early ends the
 * command quietly with its own status (0), a full device gives one line and
 * exit 2, and nothing ever prints a stack trace.
 */

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BINARY, ROOT } from '../support/binary.ts';

const TMP = mkdtempSync(join(tmpdir(), 'hyplay-io-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const SPIN = join(TMP, 'spin.s');
writeFileSync(SPIN, 'loop: add r0, r0, #1\nb loop\n');

/** Megabytes of output: one trace line per step. */
const LONG_TRACE = ['run', 'arm32', SPIN, '--trace', '--max-steps', '30000'];

const HAS_BASH = spawnSync('bash', ['-c', 'true']).status === 0;
const HAS_FULL = existsSync('/dev/full');

/** Spawn the binary with stdout on a pipe, read until the first newline, close the pipe, and wait for the exit. */
function readFirstLineThenClose(args: readonly string[]): Promise<{ status: number | null; signal: NodeJS.Signals | null; first: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BINARY, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let first = '';
    let stderr = '';
    let closed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (closed) return;
      first += chunk.toString('utf8');
      if (first.includes('\n')) {
        closed = true;
        first = first.slice(0, first.indexOf('\n'));
        child.stdout.destroy();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, first, stderr }));
    setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
  });
}

describe('a reader that closes the pipe early', () => {
  it('`run … --trace` read one line and closed: quiet, status 0', async () => {
    const result = await readFirstLineThenClose(LONG_TRACE);
    expect(result.first).toBe('0x00008000 svc  01 00 80 e2  add r0, r0, #1');
    expect(result.stderr).toBe('');
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
  });

  it('`abi show ID --json` read one line and closed: quiet, status 0', async () => {
    const result = await readFirstLineThenClose(['abi', 'show', 'linux-syscall-eabi', '--json']);
    expect(result.first).toBe('{');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!HAS_BASH)('`hyplay run … --trace | head -1` in a shell: one line, status 0 for hyplay too', () => {
    const script = `node ${JSON.stringify(BINARY)} ${LONG_TRACE.map((a) => JSON.stringify(a)).join(' ')} | head -1; echo "status \${PIPESTATUS[0]}" >&2`;
    const result = spawnSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(result.stdout).toBe('0x00008000 svc  01 00 80 e2  add r0, r0, #1\n');
    expect(result.stderr).toBe('status 0\n');
  });

  it('a failing command keeps its status when its output pipe is closed', async () => {
    const result = await readFirstLineThenClose(['asm', 'arm32', 'frob', '--json']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("hyplay: <text>:1:1: unknown mnemonic 'frob'\n");
  });
});

describe.skipIf(!HAS_FULL)('a full device (/dev/full: every write is ENOSPC)', () => {
  function withStdout(args: readonly string[], stdout: string, stderr: 'pipe' | string = 'pipe'): { status: number | null; stderr: string } {
    const out = openSync(stdout, 'w');
    const err = stderr === 'pipe' ? 'pipe' : openSync(stderr, 'w');
    try {
      const result = spawnSync(process.execPath, [BINARY, ...args], { cwd: ROOT, stdio: ['ignore', out, err], encoding: 'utf8', timeout: 30_000 });
      return { status: result.status, stderr: String(result.stderr ?? '') };
    } finally {
      closeSync(out);
      if (typeof err === 'number') closeSync(err);
    }
  }

  it('standard output on a full device: one line in plain words, exit 2', () => {
    for (const args of [['asm', 'arm32', 'hvc #0'], LONG_TRACE, ['--help']]) {
      const result = withStdout(args, '/dev/full');
      expect(result.stderr).toBe('hyplay: cannot write to standard output: no space left on device\n');
      expect(result.status).toBe(2);
    }
  });

  it('standard error on a full device: the status stays the command\'s own', () => {
    expect(withStdout(['asm', 'arm32', 'frob'], join(TMP, 'out.txt'), '/dev/full').status).toBe(2);
    expect(withStdout(['asm', 'arm32', 'nop'], join(TMP, 'out.txt'), '/dev/full').status).toBe(0);
  });
});
