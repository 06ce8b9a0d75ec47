/**
 * The peer of `hyplay bench --peers`: Unicorn 2 running hyplay's own loops,
 * driven through `scripts/peers/unicorn-peer.py` under `/usr/bin/python3`
 * (Debian's python3-unicorn; the `python3` on PATH may be another Python).
 *
 * The protocol: one process per measurement, one JSON request on its stdin,
 * one JSON answer on its stdout (the script's docstring gives both). A
 * process per measurement keeps the run synchronous and lets hyplay's rounds
 * and the peer's alternate; the interpreter's start-up falls outside the
 * timed run. Every answer is checked here as well as in the script: the
 * units it counted must be exactly the iterations times the loop's
 * instructions (or trap sites), so a peer that skips traps or instructions
 * cannot pass.
 *
 * @module
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AssembledProgram } from '../isa/assembler.ts';
import type { BenchPeerLoop } from '../interp/backend.ts';
import type { Endian } from '../memory/guest-memory.ts';

/** How to start the peer: a program and its arguments (the script first). */
export interface PeerCommand {
  /** The program, `/usr/bin/python3` by default. */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
}

/** The Python that has Debian's python3-unicorn. */
export const PEER_PYTHON = '/usr/bin/python3';

/** Where the peer script sits, relative to the repository root. */
export const PEER_SCRIPT = 'scripts/peers/unicorn-peer.py';

/**
 * The default peer: {@link PEER_PYTHON} running {@link PEER_SCRIPT}, found by
 * walking up from this module (it runs from `src/cli/` or from a build
 * directory). `undefined` when the script is not there.
 */
export function defaultPeerCommand(): PeerCommand | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const script = join(dir, PEER_SCRIPT);
    if (existsSync(script)) return { command: PEER_PYTHON, args: [script] };
    dir = dirname(dir);
  }
  return undefined;
}

/** A peer that cannot answer, or answered something that does not hold. */
export class PeerError extends Error {
  /** Always `'PeerError'`. */
  override readonly name = 'PeerError';
}

/** Longest a peer process may take for one answer. */
const PEER_TIMEOUT_MS = 120_000;

/** Send `request` to a new peer process and return its answer (`ok` checked). Throws {@link PeerError}. */
export function askPeer(peer: PeerCommand, request: object): Record<string, unknown> {
  const child = spawnSync(peer.command, [...peer.args], { input: JSON.stringify(request), encoding: 'utf8', timeout: PEER_TIMEOUT_MS, maxBuffer: 1 << 20 });
  if (child.error !== undefined) {
    const code = (child.error as NodeJS.ErrnoException).code;
    throw new PeerError(code === 'ENOENT' ? `${peer.command} not found` : code === 'ETIMEDOUT' ? `${peer.command} gave no answer within ${PEER_TIMEOUT_MS / 1000} s` : `${peer.command}: ${child.error.message}`);
  }
  const lines = child.stdout.trim().split('\n');
  let answer: unknown;
  try {
    answer = JSON.parse(lines[lines.length - 1] ?? '');
  } catch {
    const why = child.stderr.trim().split('\n').pop() ?? '';
    throw new PeerError(`the peer gave no JSON answer (exit status ${child.status ?? child.signal})${why === '' ? '' : `: ${why}`}`);
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw new PeerError('the peer answered something other than a JSON object');
  const record = answer as Record<string, unknown>;
  if (record['ok'] !== true) throw new PeerError(typeof record['error'] === 'string' ? record['error'] : 'the peer failed without saying why');
  return record;
}

/** Who the peer is. */
export interface PeerIdentity {
  /** `unicorn`. */
  readonly name: string;
  /** Its version (`2.0.1`). */
  readonly version: string;
  /** The Python running it (`3.11.2`). */
  readonly python: string;
}

function text(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw new PeerError(`the peer's answer has no '${key}'`);
  return value;
}

function count(record: Record<string, unknown>, key: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new PeerError(`the peer's answer has no valid '${key}'`);
  return value;
}

/** Ask the peer who it is. Throws {@link PeerError} (e.g. when Unicorn is not importable). */
export function peerHello(peer: PeerCommand): PeerIdentity {
  const answer = askPeer(peer, { op: 'hello' });
  return { name: text(answer, 'peer'), version: text(answer, 'version'), python: text(answer, 'python') };
}

/** The peer's kinds of loop: its native JIT with no hooks, a Python hook per trap, a Python hook on every instruction. */
export type PeerHook = 'none' | 'trap' | 'code';

/** Instructions the peer hooks as traps. */
const TRAP_MNEMONICS: ReadonlySet<string> = new Set(['hvc', 'svc', 'smc', 'sc', 'syscall', 'vmcall', 'vmmcall']);

/** A benchmark program's loop, as the peer runs it. */
export interface PeerLoop {
  /** hyplay's architecture name. */
  readonly arch: string;
  /** Byte order of `code`. */
  readonly endian: Endian;
  /** The whole assembled program. */
  readonly program: AssembledProgram;
  /** Address of the loop's first instruction. */
  readonly start: number;
  /** Address after the loop's backward branch, where the peer stops. */
  readonly until: number;
  /** The register counting iterations down. */
  readonly counter: string;
  /** Instructions per iteration. */
  readonly instructions: number;
  /** Trap instructions per iteration. */
  readonly traps: number;
}

function mnemonic(itemText: string): string {
  return itemText.trim().split(/\s+/)[0]!.toLowerCase();
}

/**
 * The loop that `peer` names in `program`: from its label to the first
 * instruction that names the label as its last operand (the backward
 * branch). Throws when the label is missing or the loop has no such branch
 * or holds data.
 */
export function peerLoopOf(arch: string, endian: Endian, program: AssembledProgram, peer: BenchPeerLoop): PeerLoop {
  const start = program.symbols.get(peer.loop);
  if (start === undefined) throw new Error(`${arch}: the benchmark has no label '${peer.loop}'`);
  const body = program.items.filter((item) => item.address >= start);
  let instructions = 0;
  let traps = 0;
  for (const item of body) {
    if (!item.instruction) throw new Error(`${arch}: the loop at '${peer.loop}' runs into data`);
    instructions++;
    if (TRAP_MNEMONICS.has(mnemonic(item.text))) traps++;
    const operands = item.text.trim().split(/[\s,]+/);
    if (operands.length > 1 && operands[operands.length - 1] === peer.loop) {
      return { arch, endian, program, start, until: item.address + item.bytes.length, counter: peer.counter, instructions, traps };
    }
  }
  throw new Error(`${arch}: no branch back to '${peer.loop}'`);
}

/** One peer measurement. */
export interface PeerRun {
  /** Iterations run. */
  readonly iterations: number;
  /** Seconds the timed run took. */
  readonly seconds: number;
  /** Units counted: instructions (`none`, `code`) or traps (`trap`). */
  readonly units: number;
  /** Units per second. */
  readonly rate: number;
  /** The trapping instruction for `trap` loops (`hvc`; `svc` standing in for it; `sc`; `syscall`). */
  readonly conduit: string | undefined;
  /** What the peer had to change, when it did (the svc fallback). */
  readonly note: string | undefined;
}

/**
 * Run `loop` on the peer with `hook`: `iterations` of it, or, when
 * undefined, as many as take about `ms` milliseconds (the peer sizes it).
 * Throws {@link PeerError} when the peer fails or counts wrong.
 */
export function runPeerLoop(peer: PeerCommand, loop: PeerLoop, hook: PeerHook, iterations: number | undefined, ms: number): PeerRun {
  if (hook === 'trap' && loop.traps === 0) throw new PeerError(`${loop.arch}: the loop has no trap instruction`);
  const hex = Buffer.from(loop.program.bytes).toString('hex');
  const answer = askPeer(peer, {
    op: 'run',
    arch: loop.arch,
    endian: loop.endian,
    code: hex,
    base: loop.program.base,
    start: loop.start,
    until: loop.until,
    counter: loop.counter,
    // The body's length in instructions: what the peer counts per iteration, whatever the instructions' widths.
    instructions: loop.instructions,
    hook,
    iterations: iterations ?? null,
    ms,
  });
  const ran = count(answer, 'iterations');
  const seconds = count(answer, 'seconds');
  const units = count(answer, 'units');
  if (iterations !== undefined && ran !== iterations) throw new PeerError(`the peer ran ${ran} iterations, not ${iterations}`);
  const perIteration = hook === 'trap' ? loop.traps : loop.instructions;
  if (ran < 1 || units !== ran * perIteration) throw new PeerError(`the peer counted ${units} ${hook === 'trap' ? 'traps' : 'instructions'} for ${ran} iterations of ${perIteration}`);
  if (seconds <= 0) throw new PeerError('the peer timed its run at 0 s');
  const conduit = typeof answer['conduit'] === 'string' ? answer['conduit'] : undefined;
  const note = typeof answer['note'] === 'string' ? answer['note'] : undefined;
  return { iterations: ran, seconds, units, rate: units / seconds, conduit, note };
}
