/**
 * The hypervisor-call annotator: as each call is taken at a call slot of the
 * hypervisor vectors, it says who called (mode and registers), which vector
 * was taken and whose table it belongs to, what that handler's spec makes of
 * the call, what the caller meant by it, and what the dispatcher says across
 * every registered spec.
 *
 * The pending call (conduit, immediate, origin) is read through the backend's
 * {@link pendingTrap}, so nothing here knows an architecture.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import type { Abi, CallOutcome, Origin } from '../abi/spec.ts';
import { hexValue } from '../abi/value-set.ts';
import { dispatch, interpret, type Dispatch, type Interpretation, type TrapQuery } from '../dispatch/dispatcher.ts';
import { pendingTrap, type FirmwarePort, type FirmwareSlot } from '../firmware/firmware.ts';
import type { Machine } from '../interp/machine.ts';
import { hexAddress } from '../interp/step-result.ts';

/** What sits at a vector base. */
export interface VectorOwner {
  /** Its short name (`kvm-arm32-v3.9`, `asm:hyp-stub-v4.12`, `__kvm_hyp_init`). */
  readonly name: string;
  /** How it is shown in full (`kvm-arm32-v3.9 (spec firmware)`, `__kvm_hyp_init (guest code)`). */
  readonly label: string;
  /** The spec whose calls it answers, when it answers a spec. */
  readonly abi: Abi | undefined;
}

/** The register that selects a call, and its value at the trap. */
export interface CallSelector {
  /** Register name. */
  readonly register: string;
  /** Its value. */
  readonly value: bigint;
}

/** A call as annotated: the record and its trace lines. */
export interface Annotation {
  /** The record. */
  readonly record: HvcRecord;
  /** The `-- hvc` and `-- dispatch` lines. */
  readonly lines: readonly string[];
}

/** One hypervisor call, as it was taken. */
export interface HvcRecord {
  /** Conduit instruction. */
  readonly conduit: string;
  /** Its immediate. */
  readonly imm: number;
  /** The caller's mode. */
  readonly from: string;
  /** The caller. */
  readonly origin: Origin;
  /** The call registers at the trap. */
  readonly registers: Readonly<Record<string, bigint>>;
  /** The register that selects the call (the caller's spec's, else the handler's, else the first call register) and its value. */
  readonly selector: CallSelector;
  /** The vector base register's value. */
  readonly vectorBase: number;
  /** The slot taken. */
  readonly slot: FirmwareSlot;
  /** What sits at the vector base. */
  readonly owner: VectorOwner;
  /** What the owner's spec makes of the call, when it has one. */
  readonly handled: Interpretation | undefined;
  /** What the caller's spec makes of it: what the guest meant. */
  readonly meant: Interpretation | undefined;
  /** Every registered spec on the conduit. */
  readonly dispatch: Dispatch;
}

/** What the annotator needs. */
export interface HvcAnnotatorOptions {
  /** Architecture name (for the dispatcher). */
  readonly arch: string;
  /** The backend's firmware port. */
  readonly port: FirmwarePort;
  /** Every registered spec. */
  readonly abis: AbiRegistry;
  /** Registers to show. */
  readonly callRegisters: readonly string[];
  /** What sits at a vector base, or `undefined` when nothing known does. */
  readonly ownerAt: (base: number) => VectorOwner | undefined;
}

/** The value of a selector-like register, short: decimal below 16, else hex. */
export function shortValue(value: bigint): string {
  return value < 16n ? value.toString() : hexValue(value);
}

/** A register value as `0x` hex: 8 digits below 2^32, 16 above (as addresses are shown). */
function hexRegister(value: bigint): string {
  return `0x${value.toString(16).padStart(value < 1n << 32n ? 8 : 16, '0')}`;
}

/**
 * What a call does, compact: `r0 ← 0x0; returns`, `does not return` (a call
 * marked `noReturn` whose model hands back), `jumps to 0x…`, `calls 0x…(a, b, c)`.
 * `returns` is the interpretation's own (false for a noReturn call).
 */
export function describeCallOutcome(outcome: CallOutcome | undefined, writes: Readonly<Record<string, bigint>> | undefined, returns = true): string {
  if (outcome === undefined) return 'no outcome';
  const changed = Object.entries(writes ?? {})
    .map(([register, value]) => `${register} ← ${hexValue(value)}`)
    .join(', ');
  const prefix = changed === '' ? '' : `${changed}; `;
  switch (outcome.kind) {
    case 'return':
      return `${prefix}${returns ? 'returns' : 'does not return'}${outcome.mode === undefined ? '' : ` in ${outcome.mode}`}`;
    case 'jump':
      return `${prefix}jumps to ${hexValue(outcome.target)}`;
    case 'call':
      return `${prefix}calls ${hexValue(outcome.target)}(${outcome.args.map(hexValue).join(', ')})`;
    case 'exit':
      return `${prefix}leaves the guest: ${outcome.exit}`;
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

function describeInterpretation(interpretation: Interpretation | undefined, fallback: string, owner?: VectorOwner): string {
  if (interpretation === undefined) return fallback;
  const name = owner !== undefined && owner.name !== interpretation.abi ? `${owner.name} (${interpretation.abi})` : interpretation.abi;
  if (!interpretation.mine) return `${name}: ${interpretation.effect}`;
  return `${name} ${interpretation.call}: ${describeCallOutcome(interpretation.outcome, interpretation.writes, interpretation.returns)}`;
}

/** Annotates hypervisor calls as they are taken. */
export class HvcAnnotator {
  /** Every call annotated so far, in order. */
  readonly records: HvcRecord[] = [];

  /** @param options what the annotator needs. */
  constructor(private readonly options: HvcAnnotatorOptions) {}

  /**
   * The call being taken at `slot` (a call slot) of the table at `vectorBase`
   * from mode `from`, by a caller speaking `caller` (when known), recorded,
   * with its trace lines; `undefined` when the slot holds no call (the
   * syndrome names something else).
   */
  annotate(
    machine: Machine,
    slot: FirmwareSlot,
    vectorBase: number,
    from: string,
    caller: Abi | undefined,
  ): Annotation | undefined {
    const { arch, port, abis, callRegisters, ownerAt } = this.options;
    const trap = pendingTrap(port, machine, slot);
    if (trap === undefined) return undefined;
    const all: Record<string, bigint> = {};
    for (const [name, value] of Object.entries(machine.registers())) all[name] = BigInt(value);
    const query: TrapQuery = { arch, conduit: trap.conduit, imm: trap.imm, privilege: trap.origin.privilege, world: trap.origin.world, registers: all };
    const owner = ownerAt(vectorBase) ?? { name: hexAddress(vectorBase), label: `no known table at ${hexAddress(vectorBase)}`, abi: undefined };
    const handled = owner.abi === undefined ? undefined : interpret(owner.abi, query);
    const meant = caller === undefined ? undefined : interpret(caller, query);
    const verdict = dispatch(abis, query);
    const registers: Record<string, bigint> = {};
    for (const name of callRegisters) registers[name] = all[name] ?? 0n;
    const selectorRegister = caller?.spec.selector.register ?? owner.abi?.spec.selector.register ?? callRegisters[0] ?? 'r0';
    const selector = { register: selectorRegister, value: all[selectorRegister] ?? 0n };
    const record: HvcRecord = { conduit: trap.conduit, imm: trap.imm, from, origin: trap.origin, registers, selector, vectorBase, slot, owner, handled, meant, dispatch: verdict };
    this.records.push(record);
    const shown = callRegisters.map((name) => `${name}=${hexRegister(registers[name]!)}`).join(' ');
    const offset = `0x${slot.offset.toString(16).padStart(2, '0')}`;
    const claiming = verdict.interpretations.filter((i) => i.mine);
    const others = claiming.filter((i) => i.abi !== handled?.abi && i.abi !== meant?.abi).map((i) => `${i.abi} ${i.call}`);
    const lines = [
      `-- ${trap.conduit} #${trap.imm} from ${from}: ${shown}; ${port.vectorBaseRegister.toUpperCase()}+${offset} (${slot.name}) of ${owner.label}`,
      `-- dispatch ${verdict.verdict} (${claiming.length} of ${verdict.interpretations.length} specs claim it): handler ${describeInterpretation(handled, owner.label, owner)}; caller means ${describeInterpretation(meant, 'unknown')}` +
        (others.length === 0 ? '' : `; also ${others.join(', ')}`),
    ];
    return { record, lines };
  }
}
