/**
 * A spec's selector compiled to numbers: the decision "which call of this
 * spec does a trap reach, or why none" made on plain numbers, with no text
 * and no allocation.
 *
 * {@link compileSelector} turns an {@link Abi} into a {@link CompiledSelector}
 * once. Its {@link CompiledSelector.decide} takes the trap's immediate, the
 * caller as an {@link originIndex} and the registers the decision reads, by
 * slot, in a {@link SlotValues}; it answers a call index (≥ 0, into
 * `abi.calls`) or a negative {@link REFUSAL} code. The text of a refusal
 * ("answers only to immediate 0xea1", "r0=0x1 is not one of its calls") is
 * built only when asked for, by {@link CompiledSelector.refusal}.
 *
 * Numbers: immediates, conditions and selector values are float64 interval
 * bounds ({@link NumberIntervals}). A register value is held as a number
 * whenever it is an exact integer below 2^53, which every value of a
 * register of 32 bits or less is; only a wider value above that (a 64-bit
 * all-ones, a ppc64 magic in the high word) takes the BigInt path, which
 * decides with the {@link ValueSet}s themselves. Both paths give the same
 * answer as `ValueSet.has` on `BigInt.asUintN(width, value)`.
 *
 * This is the structure the dispatcher's per-conduit `DispatchTable`
 * is made of, and the one spec firmware can decide with: compile once,
 * resolve the registers in {@link CompiledSelector.registers} to the
 * machine's own accessors, store their values into a {@link SlotValues} at
 * each trap, and call `decide`.
 *
 * @module
 */

import { PRIVILEGES, selectsByImmediate, WORLDS, type Abi, type Origin, type Privilege, type ResolvedCall, type World } from '../abi/spec.ts';
import { hexValue, MAX_EXACT, NumberIntervals, type ValueSet } from '../abi/value-set.ts';

/** Reads a register by name (unset or unknown registers read as 0). */
export type RegisterReader = (register: string) => bigint;

/**
 * Why a spec does not take a trap, as {@link CompiledSelector.decide} answers
 * it (always negative): the immediate is not one the conduit answers to, the
 * caller may not call the spec, the selector value is none of its calls, or
 * (`condition − k`) the k-th condition of the spec fails.
 */
export const REFUSAL = {
  /** The immediate is not one the spec's conduit answers to. */
  immediate: -1,
  /** The caller's privilege or world may not call the spec. */
  origin: -2,
  /** The selector value is none of the spec's calls. */
  selector: -3,
  /** The first condition fails; the k-th (from 0) is `condition − k`. */
  condition: -4,
} as const;

/** Every origin, by {@link originIndex}: user/host, user/guest, kernel/host, kernel/guest, hyp/host, hyp/guest. Shared, frozen objects. */
export const ORIGINS: readonly Origin[] = Object.freeze(PRIVILEGES.flatMap((privilege) => WORLDS.map((world) => Object.freeze({ privilege, world }))));

/** The index of an origin in {@link ORIGINS}: privilege index × 2 + world index. */
export function originIndex(origin: Origin): number {
  return privilegeIndex(origin.privilege) * 2 + worldIndex(origin.world);
}

/** A privilege's index in `PRIVILEGES` (user 0, kernel 1, hyp 2), by comparisons rather than a keyed load: it runs on every trap. */
export function privilegeIndex(privilege: Privilege): number {
  return privilege === 'user' ? 0 : privilege === 'kernel' ? 1 : 2;
}

/** A world's index in `WORLDS` (host 0, guest 1). */
export function worldIndex(world: World): number {
  return world === 'host' ? 0 : 1;
}

/**
 * Register values by slot, as decisions read them. A value that is an exact
 * integer 0 … 2^53 − 1 is held in {@link SlotValues.numbers}; any other
 * (negative, or wider than 53 bits) is NaN there and its BigInt is in
 * {@link SlotValues.wide}. Store with {@link SlotValues.setBig} or, for a
 * value known to be such an integer (any 32-bit register), straight into
 * `numbers`.
 */
export class SlotValues {
  /** Values as numbers; NaN where the value is in {@link SlotValues.wide}. */
  readonly numbers: Float64Array;
  /** The BigInt of each slot whose number is NaN. */
  readonly wide: bigint[];

  /** @param size how many slots. */
  constructor(size: number) {
    this.numbers = new Float64Array(size);
    this.wide = new Array<bigint>(size).fill(0n);
  }

  /** Store a register value (any sign and size: each decision wraps it to its spec's width). */
  setBig(slot: number, value: bigint): void {
    // Below 2^53 the conversion is exact; anything at or above it converts to ≥ 2^53, anything negative to < 0.
    const n = Number(value);
    if (n >= 0 && n <= Number.MAX_SAFE_INTEGER) this.numbers[slot] = n;
    else {
      this.numbers[slot] = NaN;
      this.wide[slot] = value;
    }
  }

  /** The value in a slot as a BigInt. */
  big(slot: number): bigint {
    const n = this.numbers[slot]!;
    return n === n ? BigInt(n) : this.wide[slot]!;
  }
}

/** One condition of a spec, compiled. */
interface CompiledCondition {
  /** Register name. */
  readonly register: string;
  /** Its slot. */
  readonly slot: number;
  /** The values that satisfy it. */
  readonly set: ValueSet;
  /** The same as numbers. */
  readonly numbers: NumberIntervals;
  /** The condition's width in bits (its set's: the selector's unless the spec gives another). */
  readonly width: number;
  /** 2^width when values above it must be wrapped (width < 53), else 0. */
  readonly modulus: number;
}

/**
 * Selector value → call index, as sorted, disjoint intervals (an `otherwise`
 * call holds several). Numbers for exact values; the BigInt bounds for the
 * rest.
 */
class CallLookup {
  /** Interval bounds as numbers (see {@link NumberIntervals} for the rounding argument). */
  readonly numbers: NumberIntervals;
  /** The call index of each interval. */
  readonly owners: Int32Array;
  private readonly bigMins: readonly bigint[];
  private readonly bigMaxs: readonly bigint[];

  constructor(calls: readonly ResolvedCall[]) {
    const entries = calls.flatMap((call, index) => call.values.intervals.map((interval) => ({ ...interval, index })));
    entries.sort((a, b) => (a.min < b.min ? -1 : a.min > b.min ? 1 : 0));
    this.numbers = new NumberIntervals(entries);
    this.owners = Int32Array.from(entries, (e) => e.index);
    this.bigMins = entries.map((e) => e.min);
    this.bigMaxs = entries.map((e) => e.max);
  }

  /** The call holding an exact value, or −1. */
  find(value: number): number {
    const mins = this.numbers.mins;
    if (mins.length <= 8) {
      // A few intervals (most specs): a scan beats the search.
      const maxs = this.numbers.maxs;
      for (let i = 0; i < mins.length; i++) {
        if (value < mins[i]!) return -1;
        if (value <= maxs[i]!) return this.owners[i]!;
      }
      return -1;
    }
    const at = this.numbers.indexOf(value);
    return at < 0 ? -1 : this.owners[at]!;
  }

  /** The call holding a value already wrapped to the width, or −1 (BigInt path). */
  findBig(value: bigint): number {
    let lo = 0;
    let hi = this.bigMins.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bigMins[mid]! <= value) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && value <= this.bigMaxs[hi]! ? this.owners[hi]! : -1;
  }
}

/** What a spec compiles to regardless of slots: built once per {@link Abi}. */
interface CompiledParts {
  readonly immAll: boolean;
  readonly imm: NumberIntervals;
  readonly originMask: number;
  readonly worlds: Int8Array;
  readonly lookup: CallLookup;
}

const PARTS = new WeakMap<Abi, CompiledParts>();

function partsOf(abi: Abi): CompiledParts {
  let parts = PARTS.get(abi);
  if (parts === undefined) {
    let originMask = 0;
    for (const [index, origin] of ORIGINS.entries()) if (abi.spec.origin.privilege.includes(origin.privilege) && abi.spec.origin.world.includes(origin.world)) originMask |= 1 << index;
    parts = {
      immAll: abi.imm.isAll(),
      imm: abi.imm.numeric,
      originMask,
      worlds: Int8Array.from(abi.spec.origin.world, (world) => WORLDS.indexOf(world)),
      lookup: new CallLookup(abi.calls),
    };
    PARTS.set(abi, parts);
  }
  return parts;
}

/** Gives the slot of a register in the {@link SlotValues} a selector will be handed. */
export type SlotAllocator = (register: string) => number;

/**
 * A spec's decision compiled to numbers (see the module notes). Built by
 * {@link compileSelector}; immutable.
 */
export class CompiledSelector {
  /** The registers the decision reads, each once: the conditions' in spec order, then the selector's (absent when the immediate selects). */
  readonly registers: readonly string[];
  /** The slot of each of {@link CompiledSelector.registers} in the {@link SlotValues} handed to {@link CompiledSelector.decide}. */
  readonly slots: Int32Array;
  /** The world indices (into `WORLDS`) the spec may be called from, in the spec's order: the order a query that leaves the world open tries them in. */
  readonly worlds: Int8Array;
  private readonly width: number;
  /** 2^width when values above it must be wrapped (width < 53), else 0. */
  private readonly modulus: number;
  private readonly immAll: boolean;
  /** The immediates' width as a mask: an immediate is wrapped to it, as `ValueSet.has` wraps. */
  private readonly immMask: number;
  private readonly imm: NumberIntervals;
  private readonly originMask: number;
  private readonly conditions: readonly CompiledCondition[];
  /** Slot of the selector register, or −1 when the immediate selects. */
  private readonly selectorSlot: number;
  private readonly lookup: CallLookup;
  /** Refusal text by origin index, built on first use. */
  private readonly originText: (string | undefined)[] = [];
  private immText: string | undefined;
  /** The fixed tail of each condition's refusal, built on first use. */
  private readonly conditionText: (string | undefined)[] = [];

  /**
   * @param abi the spec.
   * @param slotOf where each register the decision reads lives in the values handed to `decide`.
   */
  constructor(
    readonly abi: Abi,
    slotOf: SlotAllocator,
  ) {
    const parts = partsOf(abi);
    const spec = abi.spec;
    this.width = spec.selector.width;
    this.modulus = this.width < 53 ? 2 ** this.width : 0;
    this.immAll = parts.immAll;
    this.immMask = 2 ** abi.imm.width - 1;
    this.imm = parts.imm;
    this.originMask = parts.originMask;
    this.worlds = parts.worlds;
    this.lookup = parts.lookup;
    const registers: string[] = [];
    const slots: number[] = [];
    const slotFor = (register: string): number => {
      const at = registers.indexOf(register);
      if (at >= 0) return slots[at]!;
      const slot = slotOf(register);
      registers.push(register);
      slots.push(slot);
      return slot;
    };
    this.conditions = [...abi.conditions].map(([register, set]) => ({ register, slot: slotFor(register), set, numbers: set.numeric, width: set.width, modulus: set.width < 53 ? 2 ** set.width : 0 }));
    this.selectorSlot = selectsByImmediate(spec) ? -1 : slotFor(spec.selector.register);
    this.registers = registers;
    this.slots = Int32Array.from(slots);
  }

  /** The call at an index `decide` answered. */
  call(index: number): ResolvedCall {
    return this.abi.calls[index]!;
  }

  /** Whether the spec may be called from an origin (by {@link originIndex}). */
  allows(origin: number): boolean {
    return (this.originMask & (1 << origin)) !== 0;
  }

  /**
   * The call a trap reaches (an index into `abi.calls`) or a negative
   * {@link REFUSAL} code. Checks, in order: the immediate, the origin, each
   * condition, then the selector, as {@link findCall} does.
   *
   * @param imm the trap's immediate.
   * @param origin the caller, by {@link originIndex}.
   * @param values the registers by slot ({@link CompiledSelector.slots}).
   */
  decide(imm: number, origin: number, values: SlotValues): number {
    const admitted = this.admits(imm, origin, values);
    return admitted < 0 ? admitted : this.select(imm, values);
  }

  /**
   * The checks before the selector, in {@link CompiledSelector.decide}'s
   * order: the immediate, the origin, each condition. 0 when all pass, else
   * the refusal code.
   */
  admits(imm: number, origin: number, values: SlotValues): number {
    if (!this.immAll && !this.imm.has((imm & this.immMask) >>> 0)) return REFUSAL.immediate;
    if ((this.originMask & (1 << origin)) === 0) return REFUSAL.origin;
    const conditions = this.conditions;
    if (conditions.length === 0) return 0;
    const numbers = values.numbers;
    for (let k = 0; k < conditions.length; k++) {
      const condition = conditions[k]!;
      let v = numbers[condition.slot]!;
      if (v !== v) {
        const big = BigInt.asUintN(condition.width, values.wide[condition.slot]!);
        if (big > MAX_EXACT) {
          if (!condition.set.has(big)) return REFUSAL.condition - k;
          continue;
        }
        v = Number(big);
      } else if (condition.modulus !== 0 && v >= condition.modulus) v %= condition.modulus;
      if (!condition.numbers.has(v)) return REFUSAL.condition - k;
    }
    return 0;
  }

  /** The selector part of {@link CompiledSelector.decide}: the call the selector value (or the immediate) picks, or `REFUSAL.selector`. */
  select(imm: number, values: SlotValues): number {
    let selector: number;
    if (this.selectorSlot < 0) selector = this.modulus !== 0 && imm >= this.modulus ? imm % this.modulus : imm;
    else {
      selector = values.numbers[this.selectorSlot]!;
      if (selector !== selector) {
        const big = BigInt.asUintN(this.width, values.wide[this.selectorSlot]!);
        if (big > MAX_EXACT) {
          const index = this.lookup.findBig(big);
          return index < 0 ? REFUSAL.selector : index;
        }
        selector = Number(big);
      } else if (this.modulus !== 0 && selector >= this.modulus) selector %= this.modulus;
    }
    const index = this.lookup.find(selector);
    return index < 0 ? REFUSAL.selector : index;
  }

  /** True when only the origin can make {@link CompiledSelector.admits} refuse (any immediate, no conditions). */
  get checksOriginOnly(): boolean {
    return this.immAll && this.conditions.length === 0;
  }

  /** The bit mask of the origins (by {@link originIndex}) that may call the spec. */
  get origins(): number {
    return this.originMask;
  }

  /** The slot of the selector register, or −1 when the immediate selects. */
  get selectorSlotIndex(): number {
    return this.selectorSlot;
  }

  /** The selector's width in bits. */
  get selectorWidth(): number {
    return this.width;
  }

  /** The call index holding a selector value already wrapped to the width, or −1. */
  callAt(value: bigint): number {
    return this.lookup.findBig(value);
  }

  /** Every value where the call a selector value reaches may change: each interval's start and the value after its end (wrapped out when past the top), ascending from 0. */
  selectorBoundaries(): bigint[] {
    const top = (1n << BigInt(this.width)) - 1n;
    const out = new Set<bigint>([0n]);
    for (const call of this.abi.calls) {
      for (const interval of call.values.intervals) {
        out.add(interval.min);
        if (interval.max < top) out.add(interval.max + 1n);
      }
    }
    return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * The one-line reason for a refusal code, in the words the dispatcher has
   * always used; `read` gives the registers at the trap (only the condition
   * and selector reasons read them).
   */
  refusal(code: number, imm: number, origin: number, read: RegisterReader): string {
    const spec = this.abi.spec;
    if (code === REFUSAL.immediate) return (this.immText ??= `answers only to immediate ${this.abi.imm.toString()}`);
    if (code === REFUSAL.origin) {
      const at = ORIGINS[origin]!;
      return (this.originText[origin] ??= `callable only from ${spec.origin.privilege.join('/')} in ${spec.origin.world.join('/')}, not from ${at.privilege} in ${at.world}`);
    }
    if (code === REFUSAL.selector) {
      const value = BigInt.asUintN(this.width, this.selectorSlot < 0 ? BigInt(imm) : read(spec.selector.register));
      return `${spec.selector.register}=${hexValue(value)} is not one of its calls`;
    }
    const condition = this.conditions[REFUSAL.condition - code];
    if (condition === undefined) throw new RangeError(`no refusal ${code} for ${spec.id}`);
    const value = BigInt.asUintN(condition.width, read(condition.register));
    return `${condition.register}=${hexValue(value)}${(this.conditionText[REFUSAL.condition - code] ??= ` fails the condition ${condition.register} ∈ {${condition.set.toString()}} (${spec.conditions!.find((c) => c.register === condition.register)!.why})`)}`;
  }

  /**
   * Decide with registers read by name: {@link CompiledSelector.decide} on
   * `values` filled from `read` (the slots must be this selector's own, as
   * {@link compileSelector} gives them).
   */
  decideByName(imm: number, origin: number, read: RegisterReader, values: SlotValues): number {
    const registers = this.registers;
    for (let i = 0; i < registers.length; i++) values.setBig(this.slots[i]!, read(registers[i]!));
    return this.decide(imm, origin, values);
  }
}

const OWN = new WeakMap<Abi, { readonly selector: CompiledSelector; readonly values: SlotValues }>();

/**
 * The spec's selector compiled with slots of its own (0, 1, … in the order
 * of {@link CompiledSelector.registers}), built once per spec and cached.
 * Pass `slotOf` to lay the slots out in a shared {@link SlotValues} instead
 * (the dispatcher's tables do, so that a register several specs read is
 * stored once per trap); such a selector is not cached.
 */
export function compileSelector(abi: Abi, slotOf?: SlotAllocator): CompiledSelector {
  if (slotOf !== undefined) return new CompiledSelector(abi, slotOf);
  return ownSelector(abi).selector;
}

function ownSelector(abi: Abi): { readonly selector: CompiledSelector; readonly values: SlotValues } {
  let own = OWN.get(abi);
  if (own === undefined) {
    let next = 0;
    const selector = new CompiledSelector(abi, () => next++);
    own = { selector, values: new SlotValues(next) };
    OWN.set(abi, own);
  }
  return own;
}

/**
 * The call of `abi` that a trap reaches, or why none does. Used by the
 * dispatcher and by the spec firmware, so that both decide the same way;
 * the decision is {@link CompiledSelector.decide} on the spec's cached
 * selector, and only a refusal builds text.
 */
export function findCall(abi: Abi, imm: number, origin: Origin, read: RegisterReader): ResolvedCall | string {
  const { selector, values } = ownSelector(abi);
  const at = originIndex(origin);
  const code = selector.decideByName(imm, at, read, values);
  return code >= 0 ? selector.call(code) : selector.refusal(code, imm, at, read);
}
