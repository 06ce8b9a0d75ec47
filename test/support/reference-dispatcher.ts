/**
 * A reference dispatcher for differential tests: the dispatcher's rules
 * written the plain way, on BigInt `ValueSet`s and by-name reads, with every
 * text built eagerly (as `src/dispatch/dispatcher.ts` did before it decided
 * on numbers). The fast dispatcher must give exactly these answers.
 */

import type { AbiRegistry } from '../../src/abi/registry.ts';
import { BigIntCallContext, bigIntOutcome, MapHypervisorState, originAllowed, registerName, selectsByImmediate, type Abi, type CallMemory, type CallOutcome, type Origin, type RegisterOperand, type ResolvedCall, type World } from '../../src/abi/spec.ts';
import { hexValue } from '../../src/abi/value-set.ts';
import type { TrapQuery, Verdict } from '../../src/dispatch/dispatcher.ts';

/** One reference interpretation, every field computed. */
export interface ReferenceInterpretation {
  readonly abi: string;
  readonly mine: boolean;
  readonly call?: string;
  readonly args?: Record<string, string>;
  readonly effect: string;
  readonly key?: string;
  readonly outcome?: CallOutcome;
  readonly writes?: Record<string, bigint>;
  readonly returns?: boolean;
}

/** The reference answer. */
export interface ReferenceDispatch {
  readonly verdict: Verdict;
  readonly interpretations: readonly ReferenceInterpretation[];
}

/** The reference call finder: the call a trap reaches, or why none does. */
export function referenceFindCall(abi: Abi, imm: number, origin: Origin, read: (register: string) => bigint): ResolvedCall | string {
  if (!abi.imm.has(BigInt(imm))) return `answers only to immediate ${abi.imm.toString()}`;
  if (!originAllowed(abi, origin)) {
    return `callable only from ${abi.spec.origin.privilege.join('/')} in ${abi.spec.origin.world.join('/')}, not from ${origin.privilege} in ${origin.world}`;
  }
  for (const [register, values] of abi.conditions) {
    // A condition looks at its own width (the selector's unless the spec gives another).
    const value = BigInt.asUintN(values.width, read(register));
    if (!values.has(value)) {
      const why = abi.spec.conditions!.find((c) => c.register === register)!.why;
      return `${register}=${hexValue(value)} fails the condition ${register} ∈ {${values.toString()}} (${why})`;
    }
  }
  const selector = BigInt.asUintN(abi.spec.selector.width, selectsByImmediate(abi.spec) ? BigInt(imm) : read(abi.spec.selector.register));
  return abi.calls.find((c) => c.values.has(selector)) ?? `${abi.spec.selector.register}=${hexValue(selector)} is not one of its calls`;
}

/** A by-name context over a Map (the number forms and copy as the interface defines them from get and set). */
class MapContext extends BigIntCallContext {
  readonly writes = new Map<string, bigint>();
  readonly state = new MapHypervisorState();
  readonly memory: CallMemory = { read: () => 0n, write: () => true };

  constructor(
    private readonly registers: Readonly<Record<string, bigint>>,
    readonly imm: number,
    readonly origin: Origin,
  ) {
    super();
  }

  get(register: RegisterOperand): bigint {
    const name = registerName(register);
    return this.writes.get(name) ?? this.registers[name] ?? 0n;
  }

  set(register: RegisterOperand, value: bigint): void {
    this.writes.set(registerName(register), value);
  }
}

function describe(outcome: CallOutcome, writes: ReadonlyMap<string, bigint>, noReturn: boolean): string {
  const changed = [...writes].map(([register, value]) => `${register} ← ${hexValue(value)}`).join(', ');
  const prefix = changed === '' ? '' : `${changed}; `;
  if (outcome.kind === 'return') return `${prefix}${noReturn ? 'does not return' : 'returns'}${outcome.mode === undefined ? '' : ` in ${outcome.mode}${outcome.note === undefined ? '' : ` (${outcome.note})`}`}`;
  if (outcome.kind === 'jump') return `${prefix}jumps to ${hexValue(outcome.target)} in the hypervisor's mode, no return (${outcome.note})`;
  if (outcome.kind === 'exit') return `${prefix}leaves the guest: ${outcome.exit} (${outcome.note})`;
  return `${prefix}calls hypervisor function at ${hexValue(outcome.target)}(${outcome.args.map(hexValue).join(', ')}) (${outcome.note})${noReturn ? '; does not return' : ''}`;
}

/** Run one spec on one trap, the reference way. */
export function referenceInterpret(abi: Abi, query: TrapQuery): ReferenceInterpretation {
  const worlds: readonly World[] = query.world === undefined ? abi.spec.origin.world : [query.world];
  let found: ResolvedCall | string = '';
  let origin: Origin = { privilege: query.privilege, world: worlds[0]! };
  for (const world of worlds) {
    origin = { privilege: query.privilege, world };
    found = referenceFindCall(abi, query.imm, origin, (register) => query.registers[register] ?? 0n);
    if (typeof found !== 'string') break;
  }
  if (typeof found === 'string') return { abi: abi.spec.id, mine: false, effect: `not mine: ${found}` };
  const call = found.spec;
  const context = new MapContext(query.registers, query.imm, origin);
  const outcome = bigIntOutcome(call.run(context));
  const args: Record<string, string> = {};
  for (const arg of call.args ?? []) args[arg.role] = hexValue(BigInt.asUintN(abi.spec.selector.width, query.registers[arg.register] ?? 0n));
  const writes = Object.fromEntries(context.writes);
  const key = JSON.stringify({
    meaning: call.meaning ?? call.name,
    outcome: outcome.kind === 'return' ? (outcome.mode === undefined ? 'return' : { kind: 'return', mode: outcome.mode }) : outcome.kind === 'exit' ? { kind: 'exit', exit: outcome.exit } : { kind: outcome.kind, target: outcome.target.toString() },
    writes: Object.entries(writes)
      .map(([r, v]) => [r, v.toString()])
      .sort(),
  });
  return { abi: abi.spec.id, mine: true, call: call.name, args, effect: describe(outcome, context.writes, call.noReturn === true), key, outcome, writes, returns: call.noReturn !== true && outcome.kind !== 'jump' && outcome.kind !== 'exit' };
}

/** Classify a trap the reference way. */
export function referenceDispatch(registry: AbiRegistry, query: TrapQuery): ReferenceDispatch {
  const abis = registry
    .all(query.arch)
    .filter((abi) => abi.spec.conduit.instruction === query.conduit)
    .sort((a, b) => b.spec.priority - a.spec.priority || a.spec.id.localeCompare(b.spec.id));
  const interpretations = abis.map((abi) => referenceInterpret(abi, query));
  const mine = interpretations.filter((i) => i.mine);
  const verdict: Verdict = mine.length === 0 ? 'unclaimed' : mine.length === 1 ? 'unique' : new Set(mine.map((i) => i.key)).size === 1 ? 'agree' : 'collision';
  return { verdict, interpretations: [...mine, ...interpretations.filter((i) => !i.mine)] };
}
