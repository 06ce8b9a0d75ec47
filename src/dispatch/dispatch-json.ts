/**
 * The JSON form of a dispatch, the contract of `hyplay dispatch --json` and
 * of each output line of `hyplay dispatch --batch`: `verdict`, then
 * `interpretations` (each `abi`, `mine`, `call`, `args`, `effect`, and when
 * mine `outcome` and `returns`), then `query`, the trap as understood;
 * and the compact line of `hyplay dispatch --batch --compact`: `verdict`
 * and `claims` (each claiming spec's `abi` and `call`).
 *
 * @module
 */

import type { CallOutcome, ResolvedCall } from '../abi/spec.ts';
import { hexValue } from '../abi/value-set.ts';
import { REFUSAL } from './compiled-selector.ts';
import { VERDICTS, type Dispatch, type DispatchTable, type TrapQuery, type Verdict } from './dispatch-table.ts';
import { describeOutcome, type Interpretation } from './interpretation.ts';

/** How a claimed call ends, in JSON. */
export interface OutcomeJson {
  /** `return`, `jump` or `call`. */
  readonly kind: string;
  /** Where a jump or call goes, `0x` hex. */
  readonly target?: string;
  /** A call's arguments, `0x` hex. */
  readonly args?: readonly string[];
  /** The mode a return resumes the caller in, when the call returns it to another exception level or mode. */
  readonly mode?: string;
  /** What the host sees when the hypervisor leaves the guest (an `exit` outcome). */
  readonly exit?: string;
}

/** One interpretation in the JSON contract. */
export interface InterpretationJson {
  /** Spec id. */
  readonly abi: string;
  /** Whether the spec claims the trap. */
  readonly mine: boolean;
  /** The call, or `null` when not mine. */
  readonly call: string | null;
  /** Decoded arguments by role (empty when not mine). */
  readonly args: Readonly<Record<string, string>>;
  /** What happens (ending `does not return` for a call marked noReturn), or why it is not mine. */
  readonly effect: string;
  /** How the call ends (`return`, `jump` with target, `call` with target and args), when mine. */
  readonly outcome?: OutcomeJson;
  /** Whether the caller gets control back, when mine: false for a call marked noReturn (exit, CPU_OFF, SYSTEM_OFF) and for a jump. */
  readonly returns?: boolean;
}

/** The trap as the dispatcher understood it. */
export interface QueryJson {
  /** Architecture. */
  readonly arch: string;
  /** Conduit. */
  readonly conduit: string;
  /** The immediate. */
  readonly imm: number;
  /** The caller's privilege. */
  readonly from: string;
  /** `host`, `guest`, or `null` for both. */
  readonly world: string | null;
  /** The registers given, `0x` hex at each register's width. */
  readonly registers: Readonly<Record<string, string>>;
}

/** The whole document. */
export interface DispatchJson {
  /** The verdict. */
  readonly verdict: Verdict;
  /** Every spec on the conduit, claiming ones first. */
  readonly interpretations: readonly InterpretationJson[];
  /** The trap as understood. */
  readonly query: QueryJson;
}

/** One interpretation as JSON. */
export function interpretationJson(i: Interpretation): InterpretationJson {
  const out: InterpretationJson = { abi: i.abi, mine: i.mine, call: i.call ?? null, args: i.args ?? {}, effect: i.effect };
  const o = i.outcome;
  if (o === undefined) return out;
  const returns = i.returns ?? true;
  if (o.kind === 'return') return { ...out, outcome: o.mode === undefined ? { kind: o.kind } : { kind: o.kind, mode: o.mode }, returns };
  if (o.kind === 'jump') return { ...out, outcome: { kind: o.kind, target: hexValue(o.target) }, returns };
  if (o.kind === 'exit') return { ...out, outcome: { kind: o.kind, exit: o.exit }, returns: false };
  return { ...out, outcome: { kind: o.kind, target: hexValue(o.target), args: o.args.map(hexValue) }, returns };
}

/** The registers of a query as `0x` hex, each by `hex` (at the register's width). */
export function registersJson(registers: Readonly<Record<string, bigint>>, hex: (register: string, value: bigint) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const register of Object.keys(registers)) out[register] = hex(register, registers[register]!);
  return out;
}

/** The document for one dispatch: the contract's `verdict` and `interpretations`, then the query as understood. */
export function dispatchJson(query: TrapQuery, answer: Dispatch, hex: (register: string, value: bigint) => string): DispatchJson {
  return {
    verdict: answer.verdict,
    interpretations: answer.interpretations.map(interpretationJson),
    query: { arch: query.arch, conduit: query.conduit, imm: query.imm, from: query.privilege, world: query.world ?? null, registers: registersJson(query.registers, hex) },
  };
}

/** The constant JSON pieces of one table: per spec its `"abi"` opening, and declined interpretations whose text does not depend on the registers. */
interface TableFragments {
  /** `{"abi":"<id>","mine":false,"call":null,"args":{},"effect":` per spec. */
  readonly declined: readonly string[];
  /** `{"abi":"<id>","mine":true,"call":` per spec. */
  readonly claimed: readonly string[];
  /** Whole declined interpretations by spec, refusal code and origin, for the refusals whose text is fixed (immediate, origin). */
  readonly fixed: Map<number, string>;
}

const FRAGMENTS = new WeakMap<DispatchTable, TableFragments>();
/** Per call: its name as JSON and each argument's role as a JSON key with the colon. */
const CALL_JSON = new WeakMap<ResolvedCall, { readonly name: string; readonly roles: readonly string[] }>();

function fragmentsOf(table: DispatchTable): TableFragments {
  let fragments = FRAGMENTS.get(table);
  if (fragments === undefined) {
    const ids = table.abis.map((abi) => JSON.stringify(abi.spec.id));
    fragments = {
      declined: ids.map((id) => `{"abi":${id},"mine":false,"call":null,"args":{},"effect":`),
      claimed: ids.map((id) => `{"abi":${id},"mine":true,"call":`),
      fixed: new Map(),
    };
    FRAGMENTS.set(table, fragments);
  }
  return fragments;
}

function callJson(call: ResolvedCall): { readonly name: string; readonly roles: readonly string[] } {
  let json = CALL_JSON.get(call);
  if (json === undefined) {
    json = { name: JSON.stringify(call.spec.name), roles: (call.spec.args ?? []).map((arg) => `${JSON.stringify(arg.role)}:`) };
    CALL_JSON.set(call, json);
  }
  return json;
}

function outcomeJson(outcome: CallOutcome): string {
  switch (outcome.kind) {
    case 'return':
      return outcome.mode === undefined ? '{"kind":"return"}' : `{"kind":"return","mode":${JSON.stringify(outcome.mode)}}`;
    case 'jump':
      return `{"kind":"jump","target":"${hexValue(outcome.target)}"}`;
    case 'call':
      return `{"kind":"call","target":"${hexValue(outcome.target)}","args":[${outcome.args.map((a) => `"${hexValue(a)}"`).join(',')}]}`;
    case 'exit':
      return `{"kind":"exit","exit":${JSON.stringify(outcome.exit)}}`;
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

/**
 * The `--json` document of the trap `table` last ran (`table.run(query)`),
 * on one line: exactly `JSON.stringify(dispatchJson(query, …))`, written
 * from the table's decisions without interpretation objects, with the
 * constant pieces (spec ids, call names, fixed refusals) built once. What
 * `hyplay dispatch --batch` prints per trap.
 */
export function dispatchJsonLine(table: DispatchTable, verdict: number, query: TrapQuery, hex: (register: string, value: bigint) => string): string {
  const fragments = fragmentsOf(table);
  const registers = query.registers;
  const read = (register: string): bigint => registers[register] ?? 0n;
  const claimed: string[] = [];
  const declined: string[] = [];
  const selectors = table.selectors;
  for (let i = 0; i < selectors.length; i++) {
    const selector = selectors[i]!;
    const code = table.code(i);
    if (code < 0) {
      const origin = table.origin(i);
      if (code === REFUSAL.immediate || code === REFUSAL.origin) {
        const key = (i * 8 + origin) * 4 - code;
        let text = fragments.fixed.get(key);
        if (text === undefined) {
          text = `${fragments.declined[i]}${JSON.stringify(`not mine: ${selector.refusal(code, query.imm, origin, read)}`)}}`;
          fragments.fixed.set(key, text);
        }
        declined.push(text);
      } else declined.push(`${fragments.declined[i]}${JSON.stringify(`not mine: ${selector.refusal(code, query.imm, origin, read)}`)}}`);
      continue;
    }
    const call = selector.call(code);
    const json = callJson(call);
    const width = selector.abi.spec.selector.width;
    const args = call.spec.args ?? [];
    let argsText = '';
    for (let a = 0; a < args.length; a++) argsText += `${a === 0 ? '' : ','}${json.roles[a]}"${hexValue(BigInt.asUintN(width, registers[args[a]!.register] ?? 0n))}"`;
    const outcome = table.outcome(i)!;
    const noReturn = call.spec.noReturn === true;
    const effect = describeOutcome(outcome, table.context(i)!, noReturn);
    claimed.push(`${fragments.claimed[i]}${json.name},"args":{${argsText}},"effect":${JSON.stringify(effect)},"outcome":${outcomeJson(outcome)},"returns":${!noReturn && outcome.kind !== 'jump' && outcome.kind !== 'exit'}}`);
  }
  let registersText = '';
  for (const register of Object.keys(registers)) registersText += `${registersText === '' ? '' : ','}${JSON.stringify(register)}:"${hex(register, registers[register]!)}"`;
  const world = query.world === undefined ? 'null' : `"${query.world}"`;
  return `{"verdict":"${VERDICTS[verdict]}","interpretations":[${claimed.concat(declined).join(',')}],"query":{"arch":${JSON.stringify(query.arch)},"conduit":${JSON.stringify(query.conduit)},"imm":${query.imm},"from":"${query.privilege}","world":${world},"registers":{${registersText}}}}`;
}

/** One claim in a compact line: the spec and the call it names. */
export interface ClaimJson {
  /** Spec id. */
  readonly abi: string;
  /** The call the spec names for the trap. */
  readonly call: string;
}

/** The compact line of `hyplay dispatch --batch --compact`. */
export interface CompactDispatchJson {
  /** The verdict. */
  readonly verdict: Verdict;
  /** The claiming specs, in the order of the full document's interpretations. */
  readonly claims: readonly ClaimJson[];
}

/** Per spec id and call: the `{"abi":…,"call":…}` text, built once. */
const CLAIM_JSON = new WeakMap<ResolvedCall, Map<string, string>>();

function claimJson(abi: string, call: ResolvedCall): string {
  let byAbi = CLAIM_JSON.get(call);
  if (byAbi === undefined) {
    byAbi = new Map();
    CLAIM_JSON.set(call, byAbi);
  }
  let text = byAbi.get(abi);
  if (text === undefined) {
    text = `{"abi":${JSON.stringify(abi)},"call":${JSON.stringify(call.spec.name)}}`;
    byAbi.set(abi, text);
  }
  return text;
}

/**
 * The compact line ({@link CompactDispatchJson}) of the trap `table` last
 * ran: the verdict and each claiming spec's id and call, exactly
 * `JSON.stringify` of the full document cut down to those fields. It needs
 * no call's effect, so it runs no semantics beyond what the verdict needed.
 */
export function compactJsonLine(table: DispatchTable, verdict: number): string {
  let claims = '';
  const selectors = table.selectors;
  for (let i = 0; i < selectors.length; i++) {
    const code = table.code(i);
    if (code < 0) continue;
    const selector = selectors[i]!;
    claims += `${claims === '' ? '' : ','}${claimJson(selector.abi.spec.id, selector.call(code))}`;
  }
  return `{"verdict":"${VERDICTS[verdict]}","claims":[${claims}]}`;
}
