/**
 * The dispatcher: every spec on a conduit says what it makes of one trap,
 * or "not mine", and a verdict says whether they agree.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import { MapHypervisorState, originAllowed, selectsByImmediate, type Abi, type CallContext, type CallMemory, type HypervisorState, type CallOutcome, type Origin, type Privilege, type ResolvedCall, type World } from '../abi/spec.ts';
import { hexValue } from '../abi/value-set.ts';

/** A trap to classify. */
export interface TrapQuery {
  /** Architecture. */
  readonly arch: string;
  /** Conduit instruction (`hvc`, `svc`, `smc`, `sc`, `sc1`, `vmcall`, …). */
  readonly conduit: string;
  /** The instruction's immediate. */
  readonly imm: number;
  /** Caller privilege. */
  readonly privilege: Privilege;
  /** Host or guest; `undefined` considers both. */
  readonly world?: World;
  /** Registers at the trap; unset ones are 0. */
  readonly registers: Readonly<Record<string, bigint>>;
}

/** What one spec makes of a trap. */
export interface Interpretation {
  /** Spec id. */
  readonly abi: string;
  /** Whether the spec claims the trap. */
  readonly mine: boolean;
  /** The call, when mine. */
  readonly call?: string;
  /** Decoded arguments by role, when mine. */
  readonly args?: Readonly<Record<string, string>>;
  /** What happens, one line; or why it is not mine. */
  readonly effect: string;
  /** Agreement key: equal keys mean the same meaning and effect. */
  readonly key?: string;
  /** The outcome of the spec's semantics, when mine. */
  readonly outcome?: CallOutcome;
  /** Register writes the semantics made, when mine. */
  readonly writes?: Readonly<Record<string, bigint>>;
}

/** How the interpretations relate. */
export type Verdict = 'unique' | 'agree' | 'collision' | 'unclaimed';

/** The dispatcher's answer. */
export interface Dispatch {
  /** The verdict. */
  readonly verdict: Verdict;
  /** Every spec on the conduit, claiming ones first, then by priority and id. */
  readonly interpretations: readonly Interpretation[];
}

/** One guest memory write a call made. */
export interface MemoryWrite {
  /** Guest physical address. */
  readonly address: bigint;
  /** Bytes written. */
  readonly size: number;
  /** The value. */
  readonly value: bigint;
}

/** Guest memory for a call classified without a machine: reads give 0 (or what the call wrote), writes are recorded. */
export class RecordingMemory implements CallMemory {
  /** Writes by `address:size`, in order of first write. */
  readonly writes = new Map<string, MemoryWrite>();

  /** What the call wrote at exactly this address and size, else 0. */
  read(address: bigint, size: 1 | 2 | 4 | 8): bigint {
    return this.writes.get(`${address}:${size}`)?.value ?? 0n;
  }

  /** Record a write. */
  write(address: bigint, size: 1 | 2 | 4 | 8, value: bigint): boolean {
    this.writes.set(`${address}:${size}`, { address, size, value });
    return true;
  }
}

/** A register context backed by a map, recording writes. */
export class RecordingContext implements CallContext {
  /** Registers written by the call, in order of first write. */
  readonly writes = new Map<string, bigint>();
  /** Guest memory writes the call made. */
  readonly memory = new RecordingMemory();

  /**
   * @param registers registers at the trap.
   * @param imm the immediate.
   * @param origin the caller.
   * @param state hypervisor-side state (a fresh, empty one by default).
   */
  constructor(
    private readonly registers: Readonly<Record<string, bigint>>,
    readonly imm: number,
    readonly origin: Origin,
    readonly state: HypervisorState = new MapHypervisorState(),
  ) {}

  /** Current value (after this call's writes). */
  get(register: string): bigint {
    return this.writes.get(register) ?? this.registers[register] ?? 0n;
  }

  /** Record a write. */
  set(register: string, value: bigint): void {
    this.writes.set(register, value);
  }
}

/** Reads a register by name (unset or unknown registers read as 0). */
export type RegisterReader = (register: string) => bigint;

/**
 * The call of `abi` that a trap reaches, or why none does. Used by the
 * dispatcher and by the spec firmware, so that both decide the same way.
 */
export function findCall(abi: Abi, imm: number, origin: Origin, read: RegisterReader): ResolvedCall | string {
  if (!abi.imm.has(BigInt(imm))) return `answers only to immediate ${abi.imm.toString()}`;
  if (!originAllowed(abi, origin)) {
    return `callable only from ${abi.spec.origin.privilege.join('/')} in ${abi.spec.origin.world.join('/')}, not from ${origin.privilege} in ${origin.world}`;
  }
  for (const [register, values] of abi.conditions) {
    const value = BigInt.asUintN(abi.spec.selector.width, read(register));
    if (!values.has(value)) {
      const why = abi.spec.conditions!.find((c) => c.register === register)!.why;
      return `${register}=${hexValue(value)} fails the condition ${register} ∈ {${values.toString()}} (${why})`;
    }
  }
  // A spec may be selected by the trap's immediate instead of a register (ARM OABI: svc #(0x900000 + nr)).
  const selector = BigInt.asUintN(abi.spec.selector.width, selectsByImmediate(abi.spec) ? BigInt(imm) : read(abi.spec.selector.register));
  const call = abi.calls.find((c) => c.values.has(selector));
  return call ?? `${abi.spec.selector.register}=${hexValue(selector)} is not one of its calls`;
}

function describeOutcome(outcome: CallOutcome, writes: ReadonlyMap<string, bigint>): string {
  const changed = [...writes].map(([register, value]) => `${register} ← ${hexValue(value)}`).join(', ');
  switch (outcome.kind) {
    case 'return':
      return changed === '' ? 'returns' : `${changed}; returns`;
    case 'jump':
      return `${changed === '' ? '' : `${changed}; `}jumps to ${hexValue(outcome.target)} in the hypervisor's mode, no return (${outcome.note})`;
    case 'call':
      return `${changed === '' ? '' : `${changed}; `}calls hypervisor function at ${hexValue(outcome.target)}(${outcome.args.map(hexValue).join(', ')}) (${outcome.note})`;
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

/** Run one spec on one trap. */
export function interpret(abi: Abi, query: TrapQuery): Interpretation {
  const worlds: readonly World[] = query.world === undefined ? abi.spec.origin.world : [query.world];
  let found: ResolvedCall | string = `callable only from ${abi.spec.origin.world.join('/')}`;
  let origin: Origin = { privilege: query.privilege, world: worlds[0] ?? 'host' };
  for (const world of worlds) {
    origin = { privilege: query.privilege, world };
    found = findCall(abi, query.imm, origin, (register) => query.registers[register] ?? 0n);
    if (typeof found !== 'string') break;
  }
  if (typeof found === 'string') return { abi: abi.spec.id, mine: false, effect: `not mine: ${found}` };
  const call = found.spec;
  const context = new RecordingContext(query.registers, query.imm, origin);
  const outcome = call.run(context);
  const args: Record<string, string> = {};
  for (const arg of call.args ?? []) args[arg.role] = hexValue(BigInt.asUintN(abi.spec.selector.width, query.registers[arg.register] ?? 0n));
  const writes = Object.fromEntries(context.writes);
  const key = JSON.stringify({
    meaning: call.meaning ?? call.name,
    outcome: outcome.kind === 'return' ? 'return' : { kind: outcome.kind, target: outcome.target.toString() },
    writes: Object.entries(writes).map(([r, v]) => [r, v.toString()]),
  });
  return { abi: abi.spec.id, mine: true, call: call.name, args, effect: describeOutcome(outcome, context.writes), key, outcome, writes };
}

/** Classify a trap against every registered spec on its conduit. */
export function dispatch(registry: AbiRegistry, query: TrapQuery): Dispatch {
  const abis = registry
    .all(query.arch)
    .filter((abi) => abi.spec.conduit.instruction === query.conduit)
    .sort((a, b) => b.spec.priority - a.spec.priority || a.spec.id.localeCompare(b.spec.id));
  const interpretations = abis.map((abi) => interpret(abi, query));
  const mine = interpretations.filter((i) => i.mine);
  const verdict: Verdict = mine.length === 0 ? 'unclaimed' : mine.length === 1 ? 'unique' : new Set(mine.map((i) => i.key)).size === 1 ? 'agree' : 'collision';
  return { verdict, interpretations: [...mine, ...interpretations.filter((i) => !i.mine)] };
}
