/**
 * `hyplay dispatch --batch`: one trap per input line as JSON, one dispatch
 * result per output line, for scripts and fuzzers.
 *
 * An input line is a JSON object with these keys (any order; others are an
 * error):
 * - `arch`, `conduit`: strings, required;
 * - `registers`: an object of register name to value, a string in decimal
 *   or `0x` hex (negative two's complement, as `REG=VAL` takes) or a
 *   non-negative integer number; unset registers are 0;
 * - `imm`: the immediate, a number or such a string (default 0);
 * - `from`: `user`, `kernel` or `hyp` (default `kernel`, or what an origin
 *   register given says);
 * - `world`: `host`, `guest`, or `null`/absent for both.
 *
 * The values are checked as `hyplay dispatch` checks its arguments
 * ({@link TrapInput}). The output line is exactly the `--json` document of
 * that trap, on one line; with `compact` it is only the verdict and each
 * claiming spec's id and call (`{"verdict","claims":[{"abi","call"}]}`, see
 * {@link compactJsonLine}). A line that is not a valid trap gives
 * `{"error":{"message","input","line"}}` (plus `column` where the JSON
 * parser names one) on its output line, and the run goes on; blank lines
 * give no output. The command's exit status is 2 when any line was bad.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import type { ArchBackend } from '../interp/backend.ts';
import { compactJsonLine, dispatchJsonLine } from './dispatch-json.ts';
import { dispatchTable } from './dispatch-table.ts';
import { TrapInput, TrapInputError, type TrapLabels } from './trap-input.ts';

/** The keys a trap line may have. */
const KEYS: ReadonlySet<string> = new Set(['arch', 'conduit', 'registers', 'imm', 'from', 'world']);

const LABELS: TrapLabels = { register: () => 'in registers', imm: 'imm', from: 'from', world: 'world' };

/** An error on one line: its message and, where known, the column. */
class LineError extends Error {
  constructor(
    message: string,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** What a batch needs from the command line. */
export interface BatchSetup {
  /** The specs. */
  readonly registry: AbiRegistry;
  /** The backend of an architecture name, or `undefined`. */
  backend(name: string): ArchBackend | undefined;
  /** Every architecture name, for messages. */
  readonly archNames: readonly string[];
  /** The input's name in error lines (a file name, or `-` for standard input). */
  readonly input: string;
  /** Whether each result line is the compact form (verdict and claims) rather than the whole `--json` document. */
  readonly compact?: boolean;
}

/** Turns trap lines into result lines (see the module notes), keeping count of the bad ones. */
export class DispatchBatch {
  /** Traps read (non-blank lines). */
  traps = 0;
  /** Lines that were not valid traps. */
  errors = 0;
  /** The first bad line's number, when there is one. */
  firstError: number | undefined;
  private readonly inputs = new Map<string, TrapInput>();

  /** @param setup the registry, backends and input name. */
  constructor(private readonly setup: BatchSetup) {}

  /** The output line for input line `number` (from 1), or `undefined` for a blank line. */
  line(text: string, number: number): string | undefined {
    const start = text.search(/\S/);
    if (start < 0) return undefined;
    this.traps++;
    try {
      return this.result(text, start);
    } catch (error) {
      if (!(error instanceof LineError) && !(error instanceof TrapInputError)) throw error;
      this.errors++;
      this.firstError ??= number;
      const column = error instanceof LineError ? error.column : undefined;
      return JSON.stringify({ error: { message: error.message, input: this.setup.input, line: number, ...(column === undefined ? {} : { column }) } });
    }
  }

  private result(text: string, start: number): string {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const at = /at position (\d+)/.exec(message);
      throw new LineError(`not JSON: ${message}`, at === null ? undefined : Number(at[1]) + 1);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new LineError('a trap is a JSON object with "arch", "conduit" and optionally "registers", "imm", "from", "world"', start + 1);
    const trap = doc as Record<string, unknown>;
    for (const key of Object.keys(trap)) if (!KEYS.has(key)) throw new LineError(`unknown key '${key}' (a trap has arch, conduit, registers, imm, from, world)`);
    const arch = trap['arch'];
    if (typeof arch !== 'string') throw new LineError('"arch" must be a string (the architecture)');
    const conduit = trap['conduit'];
    if (typeof conduit !== 'string') throw new LineError('"conduit" must be a string (hvc, svc, smc, sc, sc1, …)');
    const input = this.inputOf(arch);
    const registers = trap['registers'] ?? {};
    if (typeof registers !== 'object' || registers === null || Array.isArray(registers)) throw new LineError('"registers" must be an object of register name to value');
    const pairs: (readonly [string, string | number])[] = [];
    for (const [name, value] of Object.entries(registers)) {
      if (typeof value !== 'string' && typeof value !== 'number') throw new LineError(`registers.${name}: give the value as a string ("0x80008000") or an integer`);
      pairs.push([name, value]);
    }
    const imm = trap['imm'];
    if (imm !== undefined && typeof imm !== 'string' && typeof imm !== 'number') throw new LineError('"imm" must be a number or a string');
    const from = trap['from'];
    if (from !== undefined && typeof from !== 'string') throw new LineError('"from" must be a string (user, kernel or hyp)');
    const world = trap['world'];
    if (world !== undefined && world !== null && typeof world !== 'string') throw new LineError('"world" must be a string (host or guest) or null');
    const query = input.query({ conduit, registers: pairs, ...(imm === undefined ? {} : { imm }), ...(from === undefined ? {} : { from }), ...(world === undefined || world === null ? {} : { world }) }, LABELS);
    const table = dispatchTable(this.setup.registry, query.arch, query.conduit);
    const verdict = table.run(query);
    return this.setup.compact === true ? compactJsonLine(table, verdict) : dispatchJsonLine(table, verdict, query, input.hex);
  }

  private inputOf(arch: string): TrapInput {
    let input = this.inputs.get(arch);
    if (input === undefined) {
      const backend = this.setup.backend(arch);
      if (backend === undefined) throw new LineError(`unknown architecture '${arch}' (one of ${this.setup.archNames.join(', ')})`);
      input = new TrapInput(backend, this.setup.registry);
      this.inputs.set(arch, input);
    }
    return input;
  }
}
