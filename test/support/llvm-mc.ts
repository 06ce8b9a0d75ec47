/**
 * A thin, architecture-neutral driver for llvm-mc as an encoding oracle:
 * assemble many lines or disassemble many 4-byte words in ONE process each,
 * and line the answers up with the inputs. A backend's tests pass their
 * {@link LlvmTarget} (triple and options).
 *
 * @module
 */

import { spawnSync } from 'node:child_process';

/** The llvm-mc command. */
export const LLVM_MC = 'llvm-mc';

/** Which target llvm-mc assembles for. */
export interface LlvmTarget {
  /** Target options shared by assembly and disassembly, e.g. `['-triple=powerpc64']`. */
  readonly options: readonly string[];
}

/** True when `llvm-mc` can be run. */
export function llvmMcAvailable(): boolean {
  const result = spawnSync(LLVM_MC, ['--version'], { encoding: 'utf8' });
  return result.error === undefined && result.status === 0;
}

/** Collapse runs of whitespace to one space and trim. */
export function normaliseSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Bytes as lowercase space-separated hex in memory order (`01 00 81 e2`). */
export function hexBytes(bytes: Uint8Array | readonly number[]): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** One line's assembly: its bytes (as {@link hexBytes}) or llvm-mc's error. */
export type LlvmAssembly = { readonly bytes: string } | { readonly error: string };

function run(target: LlvmTarget, args: readonly string[], input: string): { stdout: string; stderr: string } {
  const result = spawnSync(LLVM_MC, [...args, ...target.options], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr };
}

/** The bytes of an `encoding: [0x.., ..]` comment, whatever the comment character (`@` on ARM, `#` on PowerPC). */
function encodingOf(line: string): string | undefined {
  const m = /(?:[@#;]|\/\/) encoding: \[([^\]]*)\]/.exec(line);
  if (m === null) return undefined;
  return m[1]!
    .split(',')
    .map((b) => b.trim().replace(/^0x/, '').padStart(2, '0'))
    .join(' ');
}

/**
 * Assemble every text with one llvm-mc process. Each line is given a label
 * (`form_N:`) so answers line up with inputs even when some lines fail.
 */
export function llvmAssemble(target: LlvmTarget, texts: readonly string[]): LlvmAssembly[] {
  const input = texts.map((t, i) => `form_${i}: ${t}`).join('\n') + '\n';
  const { stdout, stderr } = run(target, ['-show-encoding'], input);
  const bytes = new Map<number, string>();
  let current: number | undefined;
  for (const line of stdout.split('\n')) {
    const label = /^form_(\d+):/.exec(line.trim());
    if (label !== null) {
      current = Number(label[1]);
      continue;
    }
    const encoding = encodingOf(line);
    if (encoding === undefined || current === undefined) continue;
    bytes.set(current, bytes.has(current) ? `${bytes.get(current)} ${encoding}` : encoding);
  }
  const errors = new Map<number, string>();
  for (const line of stderr.split('\n')) {
    const m = /^<stdin>:(\d+):\d+: error: (.*)$/.exec(line);
    if (m !== null && !errors.has(Number(m[1]) - 1)) errors.set(Number(m[1]) - 1, m[2]!);
  }
  return texts.map((_, i): LlvmAssembly => {
    const error = errors.get(i);
    if (error !== undefined) return { error };
    const b = bytes.get(i);
    return b === undefined ? { error: 'no encoding in llvm-mc output' } : { bytes: b };
  });
}

/**
 * Disassemble 4-byte words (each as {@link hexBytes}, in memory order) with
 * one llvm-mc process. Returns the whitespace-normalised text per word, or
 * `undefined` where llvm-mc reports an invalid encoding.
 *
 * Each word goes on its own input line. For an invalid word llvm-mc warns
 * (naming the line) and skips the 4 bytes, so the printed instructions are
 * the valid words in order.
 */
export function llvmDisassemble(target: LlvmTarget, words: readonly string[]): (string | undefined)[] {
  for (const w of words) if (!/^[0-9a-f]{2}( [0-9a-f]{2}){3}$/.test(w)) throw new Error(`not a 4-byte word: '${w}'`);
  const input = words.map((w) => w.split(' ').map((b) => `0x${b}`).join(' ')).join('\n') + '\n';
  const { stdout, stderr } = run(target, ['-disassemble'], input);
  const invalid = new Set<number>();
  for (const line of stderr.split('\n')) {
    const m = /^<stdin>:(\d+):(\d+): (?:warning|error): (.*)$/.exec(line);
    if (m === null || /potentially undefined/.test(m[3]!)) continue;
    if (m[3] !== 'invalid instruction encoding' || m[2] !== '1') throw new Error(`llvm-mc: unexpected diagnostic '${line}'`);
    invalid.add(Number(m[1]) - 1);
  }
  const printed = stdout
    .split('\n')
    .map(normaliseSpace)
    .filter((line) => line !== '' && line !== '.text');
  if (printed.length !== words.length - invalid.size) {
    throw new Error(`llvm-mc printed ${printed.length} instructions for ${words.length - invalid.size} valid words`);
  }
  let next = 0;
  return words.map((_, i) => (invalid.has(i) ? undefined : printed[next++]));
}
