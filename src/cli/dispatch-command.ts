/**
 * `hyplay dispatch <arch> <conduit> [REG=VAL ...] [--imm N] [--from P] [--world W] [--json]`:
 * what every spec on a conduit makes of one trap, and the verdict; and
 * `hyplay dispatch --batch FILE|-`: one trap per JSON line in, one result per
 * JSON line out (see `src/dispatch/batch.ts` for the line format).
 *
 * The values are checked against the architecture ({@link TrapInput}): the
 * immediate must fit the conduit's instruction, register values their
 * register, a register no spec on the conduit reads is an error unless it is
 * an origin register of the backend (its `originRegisters`), which gives the
 * privilege and world (contradicting `--from`/`--world` is an error), and
 * `--from` takes privilege names, never CPU modes.
 *
 * @module
 */

import { closeSync, openSync, readSync } from 'node:fs';
import type { Command } from 'commander';
import { AbiRegistry } from '../abi/registry.ts';
import type { BackendRegistry } from '../di/container.ts';
import { DispatchBatch } from '../dispatch/batch.ts';
import { dispatchJson, type DispatchJson } from '../dispatch/dispatch-json.ts';
import { dispatch, type Dispatch, type TrapQuery } from '../dispatch/dispatcher.ts';
import { TrapInput, TrapInputError, type TrapLabels } from '../dispatch/trap-input.ts';
import type { ArchBackend } from '../interp/backend.ts';
import { CliError } from './cli-error.ts';
import type { CliIo } from './cli-io.ts';

export type { InterpretationJson, OutcomeJson } from '../dispatch/dispatch-json.ts';

/** The options of `hyplay dispatch`, as commander hands them over. */
export interface DispatchOptions {
  /** `--imm N` (default 0). */
  readonly imm?: string;
  /** `--from user|kernel|hyp` (default `kernel`, or what an origin register given says). */
  readonly from?: string;
  /** `--world host|guest` (default: both are considered). */
  readonly world?: string;
  /** `--json`. */
  readonly json?: boolean;
  /** `--batch FILE|-`. */
  readonly batch?: string;
  /** `--compact` (with `--batch` only): each line is the verdict and the claims. */
  readonly compact?: boolean;
}

/** A registry without specs, for register checks that need none. */
const NO_SPECS = new AbiRegistry([]);

const INPUTS = new WeakMap<AbiRegistry, Map<ArchBackend, TrapInput>>();

/** The {@link TrapInput} of a backend and registry, built once. */
export function trapInput(backend: ArchBackend, abis: AbiRegistry): TrapInput {
  let byBackend = INPUTS.get(abis);
  if (byBackend === undefined) {
    byBackend = new Map();
    INPUTS.set(abis, byBackend);
  }
  let input = byBackend.get(backend);
  if (input === undefined) {
    input = new TrapInput(backend, abis);
    byBackend.set(backend, input);
  }
  return input;
}

/** The conduits of an architecture: the backend's list, else the ones its specs use. */
export function conduitsOf(backend: ArchBackend, abis: AbiRegistry): readonly string[] {
  return trapInput(backend, abis).conduits;
}

/** A {@link TrapInputError} as the CLI reports it: option messages as they are, the others after `dispatch: `. */
function cliError(error: unknown): unknown {
  if (!(error instanceof TrapInputError)) return error;
  return new CliError(error.message.startsWith('--') ? error.message : `dispatch: ${error.message}`);
}

/** Split `REG=VAL` arguments; a malformed one is a {@link CliError} naming its position. */
function splitAssignments(assignments: readonly string[], firstPosition: number): { pairs: [string, string][]; labels: Map<string, string> } {
  const pairs: [string, string][] = [];
  const labels = new Map<string, string>();
  assignments.forEach((text, index) => {
    const where = `argument ${firstPosition + index}`;
    const match = /^([^=\s]+)=(.*)$/.exec(text.trim());
    if (match === null) throw new CliError(`dispatch: '${text}' (${where}) is not REG=VAL`);
    if (!labels.has(match[1]!)) labels.set(match[1]!, where);
    pairs.push([match[1]!, match[2]!]);
  });
  return { pairs, labels };
}

/**
 * Parse `REG=VAL` arguments against the backend's register names and
 * widths. Unknown names, malformed pairs, repeated registers and values that
 * do not fit the register are {@link CliError}s naming the argument. Values
 * may be decimal or `0x` hex; a negative value is taken two's complement
 * (`r0=-1`). (Whether a spec reads the register is checked with the conduit,
 * by {@link dispatchQuery}.)
 */
export function parseRegisterAssignments(backend: ArchBackend, assignments: readonly string[], firstPosition = 3, abis?: AbiRegistry): Record<string, bigint> {
  const input = trapInput(backend, abis ?? NO_SPECS);
  const { pairs } = splitAssignments(assignments, firstPosition);
  const out: Record<string, bigint> = {};
  pairs.forEach(([given, value], index) => {
    const name = given.toLowerCase();
    const where = `argument ${firstPosition + index}`;
    if (Object.hasOwn(out, name)) throw new CliError(`dispatch: register '${name}' is given twice (${where})`);
    try {
      out[name] = input.parseRegister(name, value, where, given);
    } catch (error) {
      throw cliError(error);
    }
  });
  return out;
}

/** Build the trap query from the command line, validating every part (see the module notes). */
export function dispatchQuery(backend: ArchBackend, abis: AbiRegistry, conduit: string, assignments: readonly string[], options: DispatchOptions): TrapQuery {
  const input = trapInput(backend, abis);
  const { pairs, labels } = splitAssignments(assignments, 3);
  const names: TrapLabels = { register: (given) => labels.get(given) ?? given, imm: '--imm', from: '--from', world: '--world' };
  try {
    return input.query({ conduit, registers: pairs, ...(options.imm === undefined ? {} : { imm: options.imm }), ...(options.from === undefined ? {} : { from: options.from }), ...(options.world === undefined ? {} : { world: options.world }) }, names);
  } catch (error) {
    throw cliError(error);
  }
}

const VERDICT_TEXT: Readonly<Record<Dispatch['verdict'], string>> = {
  unique: 'exactly one spec claims the trap',
  agree: 'several specs claim the trap and agree on its meaning and effect',
  collision: 'several specs claim the trap with different meanings or effects',
  unclaimed: 'no spec on this conduit claims the trap',
};

/** The `--json` document of a dispatch (see `src/dispatch/dispatch-json.ts`), register values at each register's width. */
export function dispatchDocument(input: TrapInput, query: TrapQuery, answer: Dispatch): DispatchJson {
  return dispatchJson(query, answer, (register, value) => input.registerHex(register, value));
}

/** The human report: the trap, each claiming spec's interpretation, the others' reasons, then the verdict. */
export function dispatchText(input: TrapInput, query: TrapQuery, answer: Dispatch): string {
  const registers = Object.entries(query.registers)
    .map(([r, v]) => `${r}=${input.registerHex(r, v)}`)
    .join(' ');
  const lines = [`${query.arch} ${query.conduit}${input.immediateText(query.conduit, query.imm)} from ${query.privilege} (${query.world ?? 'host or guest'})${registers === '' ? ', all registers zero' : `: ${registers}`}`];
  const mine = answer.interpretations.filter((i) => i.mine);
  const others = answer.interpretations.filter((i) => !i.mine);
  if (answer.interpretations.length === 0) lines.push('  no spec is registered on this conduit');
  for (const i of mine) {
    const args = Object.entries(i.args ?? {})
      .map(([role, value]) => `${role}=${value}`)
      .join(', ');
    lines.push(`  ${i.abi}: ${i.call}(${args})`, `      ${i.effect}`);
  }
  if (others.length > 0) {
    lines.push('  not mine:');
    for (const i of others) lines.push(`    ${i.abi}: ${i.effect.replace(/^not mine: /, '')}`);
  }
  lines.push(`verdict: ${answer.verdict} (${VERDICT_TEXT[answer.verdict]})`);
  return lines.join('\n');
}

/** Run `hyplay dispatch` on one trap: the report text (JSON or human). */
export function runDispatchCommand(backend: ArchBackend, abis: AbiRegistry, conduit: string, assignments: readonly string[], options: DispatchOptions): string {
  const query = dispatchQuery(backend, abis, conduit, assignments, options);
  const answer = dispatch(abis, query);
  const input = trapInput(backend, abis);
  return options.json === true ? JSON.stringify(dispatchDocument(input, query, answer), undefined, 2) : dispatchText(input, query, answer);
}

/** Words for the errors opening a file gives. */
function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return (error as Error).message.split('\n')[0]!;
  }
}

/** Bytes read from the input per chunk. */
const CHUNK = 1 << 16;

/**
 * Run `hyplay dispatch --batch FILE|-`: read trap lines from a file or
 * standard input (`-`) as they come, and write one result line per trap as
 * each chunk of input is done. Returns the batch's counts; the caller turns
 * bad lines into the exit status. With `compact`, each result line is the
 * verdict and the claims only.
 */
export function runDispatchBatch(file: string, backends: BackendRegistry, abis: AbiRegistry, out: (text: string) => void, compact = false): DispatchBatch {
  const batch = new DispatchBatch({ registry: abis, backend: (name) => backends.get(name), archNames: backends.names(), input: file, compact });
  let fd: number;
  try {
    fd = file === '-' ? 0 : openSync(file, 'r');
  } catch (error) {
    throw new CliError(`dispatch --batch: cannot read '${file}': ${fileProblem(error)}`);
  }
  const buffer = Buffer.allocUnsafe(CHUNK);
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let number = 0;
  try {
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, buffer, 0, CHUNK, null);
      } catch (error) {
        // A non-blocking standard input with nothing yet: wait for it rather than fail.
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw new CliError(`dispatch --batch: cannot read '${file}': ${fileProblem(error)}`);
      }
      const text = pending + decoder.decode(buffer.subarray(0, read), { stream: read > 0 });
      const lines = text.split('\n');
      pending = read === 0 ? '' : lines.pop()!;
      let results = '';
      for (const line of lines) {
        number++;
        const result = batch.line(line, number);
        if (result !== undefined) results += `${result}\n`;
      }
      if (results !== '') out(results);
      if (read === 0) break;
    }
  } finally {
    if (fd !== 0) closeSync(fd);
  }
  return batch;
}

/**
 * The help text's list of each backend's conduits, their immediates and
 * its origin registers, generated from the backends (so a new backend
 * appears without naming it here).
 */
export function conduitHelp(backends: BackendRegistry): string {
  const lines = backends.names().map((name) => {
    const backend = backends.get(name)!;
    const conduits = (backend.conduits ?? []).map((conduit) => {
      const immediate = backend.immediates?.[conduit];
      return immediate === undefined ? conduit : `${conduit} (--imm: ${immediate.field})`;
    });
    const origins = (backend.originRegisters ?? []).map((r) => r.register);
    return `  ${name}: ${conduits.length === 0 ? 'the conduits its specs use' : conduits.join(', ')}${origins.length === 0 ? '' : `; origin registers ${origins.join(', ')}`}`;
  });
  return `\nConduits by architecture (origin registers, given as REG=VAL, set the caller's privilege and world):\n${lines.join('\n')}\n`;
}

/**
 * Add `dispatch` to `program`. `abis` is called once, on the first command
 * that needs specs; `backends` only when a command or the help needs them.
 */
export function registerDispatchCommand(program: Command, io: Pick<CliIo, 'out'>, backends: () => BackendRegistry, abis: () => AbiRegistry): void {
  program
    .command('dispatch')
    .description(
      'classify one trap against every spec on its conduit (REG=VAL in decimal or 0x hex; unset registers are 0), or with --batch one trap per JSON line ({"arch","conduit","registers":{"r0":"0x1"},"imm","from","world"}), one result per line',
    )
    .argument('[arch]', 'architecture')
    .argument('[conduit]', "trap conduit (the architecture's, listed below)")
    .argument('[registers...]', "REG=VAL assignments (the architecture's origin registers, listed below, give the privilege and world)")
    .option('--imm <n>', "the instruction's immediate (0 by default; it must fit the conduit's field, listed below)")
    .option('--from <privilege>', 'caller privilege: user, kernel or hyp (default kernel)')
    .option('--world <world>', 'host or guest (default: both)')
    .option('--json', 'JSON output')
    .option('--batch <file>', "classify one trap per JSON line of FILE ('-' for standard input), one JSON result per line; exit status 2 if any line was bad")
    .option('--compact', 'with --batch: each result line is only the verdict and the claiming specs ({"verdict","claims":[{"abi","call"}]})')
    .addHelpText('after', () => conduitHelp(backends()))
    .action((arch: string | undefined, conduit: string | undefined, assignments: string[], options: DispatchOptions) => {
      if (options.compact === true && options.batch === undefined) throw new CliError('dispatch --compact: only with --batch (a single dispatch has --json)');
      if (options.batch !== undefined) {
        if (arch !== undefined) throw new CliError('dispatch --batch: each line names its own trap; give no ARCH, CONDUIT or REG=VAL');
        for (const option of ['imm', 'from', 'world'] as const) if (options[option] !== undefined) throw new CliError(`dispatch --batch: give ${option} on each line, not as --${option}`);
        const batch = runDispatchBatch(options.batch, backends(), abis(), io.out, options.compact === true);
        if (batch.errors > 0) throw new CliError(`dispatch --batch: ${batch.errors} of ${batch.traps} lines were not valid traps (the first is line ${batch.firstError}); each has an {"error":…} line`);
        return;
      }
      if (arch === undefined || conduit === undefined) throw new CliError('dispatch: give ARCH and CONDUIT (e.g. dispatch arm32 hvc r0=1), or --batch FILE');
      const backend = backends().get(arch);
      if (backend === undefined) throw new CliError(`unknown architecture '${arch}' (one of ${backends().names().join(', ')})`);
      io.out(runDispatchCommand(backend, abis(), conduit, assignments, options));
    });
}
