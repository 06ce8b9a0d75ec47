/**
 * `hyplay dispatch <arch> <conduit> [REG=VAL ...] [--imm N] [--from P] [--world W]`:
 * what every spec on a conduit makes of one trap, and the verdict.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import { PRIVILEGES, WORLDS, type Privilege, type World } from '../abi/spec.ts';
import { hexValue } from '../abi/value-set.ts';
import { dispatch, type Dispatch, type Interpretation, type TrapQuery } from '../dispatch/dispatcher.ts';
import type { ArchBackend } from '../interp/backend.ts';
import { MachineError } from '../interp/machine.ts';
import { CliError, parseCliNumber } from './cli-error.ts';

/** The options of `hyplay dispatch`, as commander hands them over. */
export interface DispatchOptions {
  /** `--imm N`. */
  readonly imm?: string;
  /** `--from user|kernel|hyp` (default `kernel`). */
  readonly from?: string;
  /** `--world host|guest` (default: both are considered). */
  readonly world?: string;
  /** `--json`. */
  readonly json?: boolean;
}

/** Largest immediate any modelled conduit carries (A32 SVC: 24 bits). */
const MAX_IMM = 0xff_ffffn;

/** The conduits of an architecture: the backend's list, else the ones its specs use. */
export function conduitsOf(backend: ArchBackend, abis: AbiRegistry): readonly string[] {
  const names = new Set(backend.conduits ?? []);
  for (const abi of abis.all(backend.name)) names.add(abi.spec.conduit.instruction);
  return [...names].sort();
}

/** Width in bits of the machine's registers, from its register dump (hex digits × 4). */
function registerWidth(backend: ArchBackend): number {
  const first = Object.values(backend.createMachine().registers())[0];
  return first === undefined ? 64 : (first.length - 2) * 4;
}

/**
 * Parse `REG=VAL` arguments against the backend's register names. Unknown
 * names, malformed pairs, repeated registers and values that do not fit the
 * register are {@link CliError}s naming the argument. Values may be decimal or
 * `0x` hex; a negative value is taken two's complement (`r0=-1`).
 */
export function parseRegisterAssignments(backend: ArchBackend, assignments: readonly string[], firstPosition = 3): Record<string, bigint> {
  const machine = backend.createMachine();
  const width = registerWidth(backend);
  const top = (1n << BigInt(width)) - 1n;
  const out: Record<string, bigint> = {};
  assignments.forEach((text, index) => {
    const where = `argument ${firstPosition + index}`;
    const match = /^([^=\s]+)=(.*)$/.exec(text.trim());
    if (match === null) throw new CliError(`dispatch: '${text}' (${where}) is not REG=VAL`);
    const name = match[1]!.toLowerCase();
    try {
      machine.register(name);
    } catch (error) {
      if (error instanceof MachineError) throw new CliError(`dispatch: unknown register '${match[1]}' for ${backend.name} (${where})`);
      throw error;
    }
    if (name in out) throw new CliError(`dispatch: register '${name}' is given twice (${where})`);
    const value = parseCliNumber(match[2]!, `dispatch: ${name} (${where})`);
    if (value > top || value < -(1n << BigInt(width - 1))) throw new CliError(`dispatch: ${name} (${where}): ${match[2]} does not fit a ${width}-bit register`);
    out[name] = BigInt.asUintN(width, value);
  });
  return out;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], option: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new CliError(`${option}: '${value}' is not one of ${allowed.join(', ')}`);
  return value as T;
}

/** Build the trap query from the command line, validating every part. */
export function dispatchQuery(backend: ArchBackend, abis: AbiRegistry, conduit: string, assignments: readonly string[], options: DispatchOptions): TrapQuery {
  const conduits = conduitsOf(backend, abis);
  if (!conduits.includes(conduit)) throw new CliError(`dispatch: unknown conduit '${conduit}' for ${backend.name} (one of ${conduits.join(', ')})`);
  let imm = 0n;
  if (options.imm !== undefined) {
    imm = parseCliNumber(options.imm, '--imm');
    if (imm < 0n || imm > MAX_IMM) throw new CliError(`--imm: ${options.imm} is out of range 0..${hexValue(MAX_IMM)}`);
  }
  const privilege: Privilege = oneOf(options.from, PRIVILEGES, '--from') ?? 'kernel';
  const world: World | undefined = oneOf(options.world, WORLDS, '--world');
  const registers = parseRegisterAssignments(backend, assignments);
  return { arch: backend.name, conduit, imm: Number(imm), privilege, ...(world === undefined ? {} : { world }), registers };
}

/** How a claimed call ends, in JSON. */
export interface OutcomeJson {
  /** `return`, `jump` or `call`. */
  readonly kind: string;
  /** Where a jump or call goes, `0x` hex. */
  readonly target?: string;
  /** A call's arguments, `0x` hex. */
  readonly args?: readonly string[];
}

/** One interpretation in the JSON contract (plus `mine` and, when mine, `outcome`). */
export interface InterpretationJson {
  /** Spec id. */
  readonly abi: string;
  /** Whether the spec claims the trap. */
  readonly mine: boolean;
  /** The call, or `null` when not mine. */
  readonly call: string | null;
  /** Decoded arguments by role (empty when not mine). */
  readonly args: Readonly<Record<string, string>>;
  /** What happens, or why it is not mine. */
  readonly effect: string;
  /** How the call ends (`return`, `jump` with target, `call` with target and args), when mine. */
  readonly outcome?: OutcomeJson;
}

function interpretationJson(i: Interpretation): InterpretationJson {
  const out: InterpretationJson = { abi: i.abi, mine: i.mine, call: i.call ?? null, args: i.args ?? {}, effect: i.effect };
  const o = i.outcome;
  if (o === undefined) return out;
  if (o.kind === 'return') return { ...out, outcome: { kind: o.kind } };
  if (o.kind === 'jump') return { ...out, outcome: { kind: o.kind, target: hexValue(o.target) } };
  return { ...out, outcome: { kind: o.kind, target: hexValue(o.target), args: o.args.map(hexValue) } };
}

function registerText(registers: Readonly<Record<string, bigint>>, digits: number): Record<string, string> {
  return Object.fromEntries(Object.entries(registers).map(([r, v]) => [r, `0x${v.toString(16).padStart(digits, '0')}`]));
}

/** The `--json` document: the contract's `verdict` and `interpretations`, then the query as understood. */
export function dispatchJson(query: TrapQuery, answer: Dispatch, digits: number): object {
  return {
    verdict: answer.verdict,
    interpretations: answer.interpretations.map(interpretationJson),
    query: { arch: query.arch, conduit: query.conduit, imm: query.imm, from: query.privilege, world: query.world ?? null, registers: registerText(query.registers, digits) },
  };
}

const VERDICT_TEXT: Readonly<Record<Dispatch['verdict'], string>> = {
  unique: 'exactly one spec claims the trap',
  agree: 'several specs claim the trap and agree on its meaning and effect',
  collision: 'several specs claim the trap with different meanings or effects',
  unclaimed: 'no spec on this conduit claims the trap',
};

/** The human report: the trap, each claiming spec's interpretation, the others' reasons, then the verdict. */
export function dispatchText(query: TrapQuery, answer: Dispatch, digits: number): string {
  const registers = Object.entries(registerText(query.registers, digits))
    .map(([r, v]) => `${r}=${v}`)
    .join(' ');
  const lines = [`${query.arch} ${query.conduit} #${query.imm} from ${query.privilege} (${query.world ?? 'host or guest'})${registers === '' ? ', all registers zero' : `: ${registers}`}`];
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

/** Run `hyplay dispatch`: the report text (JSON or human). */
export function runDispatchCommand(backend: ArchBackend, abis: AbiRegistry, conduit: string, assignments: readonly string[], options: DispatchOptions): string {
  const query = dispatchQuery(backend, abis, conduit, assignments, options);
  const answer = dispatch(abis, query);
  const digits = registerWidth(backend) / 4;
  return options.json === true ? JSON.stringify(dispatchJson(query, answer, digits), undefined, 2) : dispatchText(query, answer, digits);
}
