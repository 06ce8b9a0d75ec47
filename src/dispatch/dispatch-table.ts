/**
 * The dispatcher's decision structure for one (architecture, conduit): the
 * specs on the conduit sorted once (priority, then id), each compiled to a
 * {@link CompiledSelector} whose register slots are shared, so that a
 * register several specs read (r0 on `hvc`) is converted once per trap.
 * {@link dispatchTable} builds it on first use and keeps it as long as the
 * registry lives (registries are immutable).
 *
 * Classifying a trap ({@link DispatchTable.classify}): store the decision
 * registers, decide every spec on numbers, run the semantics of each call
 * that claims the trap on a {@link RecordingContext}, compare the claims
 * with `sameEffect`; the interpretations build their text only if it
 * is read. The verdict alone ({@link DispatchTable.run}) runs only the
 * semantics it needs, and a call whose semantics read no input runs once,
 * when the table is built.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import { bigIntOutcome, exampleTrap, reg, registerName, type Abi, type CallContext, type CallOutcome, type HypervisorState, type Origin, type Privilege, type RegisterOperand, type ResolvedCall, type SpecOutcome, type World } from '../abi/spec.ts';
import { MAX_EXACT } from '../abi/value-set.ts';
import { compileSelector, originIndex, ORIGINS, privilegeIndex, REFUSAL, SlotValues, worldIndex, type CompiledSelector } from './compiled-selector.ts';
import { callMeaning, ClaimedInterpretation, DeclinedInterpretation, sameOutcomeEffect, type Interpretation } from './interpretation.ts';
import { RecordingContext, RecordingMemory, RecordingState } from './recording-context.ts';
import { ResolvedRegisters, TrapRegisters } from './trap-registers.ts';

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
  /**
   * The same registers resolved to handles and numbers where the trap was
   * made ({@link withResolvedRegisters}), so that classifying it does no
   * name lookup or bigint conversion; absent: resolved from `registers` on
   * each classification. It must hold exactly `registers`.
   */
  readonly resolved?: ResolvedRegisters;
}

/** `query` with its registers resolved once ({@link TrapQuery.resolved}), for a query classified as soon as it is made or many times over. */
export function withResolvedRegisters(query: TrapQuery): TrapQuery {
  return { ...query, resolved: new ResolvedRegisters(query.registers) };
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


/** Dispatch order: higher priority first, then by id (as the registry sorts ids). */
function byPriority(a: Abi, b: Abi): number {
  return b.spec.priority - a.spec.priority || (a.spec.id < b.spec.id ? -1 : a.spec.id > b.spec.id ? 1 : 0);
}

/**
 * The specs of a table that share a selector (the same register, or the
 * immediate, at the same width): the value space cut at every boundary of
 * any member's calls, and for each piece the call each member reaches
 * there. One search per trap then gives every member's call.
 */
class SelectorGroup {
  /** Each piece's first value, ascending from 0, as numbers (rounding as `NumberIntervals` argues) and as BigInts. */
  private readonly starts: Float64Array;
  private readonly bigStarts: readonly bigint[];
  /** Per piece, per member: the call index, or `REFUSAL.selector`. */
  readonly rows: Int32Array;
  /** 2^width when a value must be wrapped (width < 53), else 0. */
  private readonly modulus: number;

  /**
   * @param slot the selector register's slot, or −1 for the immediate.
   * @param width the selectors' width.
   * @param members the members' compiled selectors.
   */
  constructor(
    readonly slot: number,
    private readonly width: number,
    members: readonly CompiledSelector[],
  ) {
    const starts = [...new Set(members.flatMap((m) => m.selectorBoundaries()))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.bigStarts = starts;
    this.starts = Float64Array.from(starts, Number);
    this.rows = new Int32Array(starts.length * members.length);
    starts.forEach((start, piece) => {
      members.forEach((member, j) => {
        const call = member.callAt(start);
        this.rows[piece * members.length + j] = call < 0 ? REFUSAL.selector : call;
      });
    });
    this.modulus = width < 53 ? 2 ** width : 0;
  }

  /** The piece the trap's selector value lies in. */
  piece(imm: number, values: SlotValues): number {
    let v: number;
    if (this.slot < 0) v = imm;
    else {
      v = values.numbers[this.slot]!;
      if (v !== v) {
        const big = BigInt.asUintN(this.width, values.wide[this.slot]!);
        if (big > MAX_EXACT) {
          const starts = this.bigStarts;
          let lo = 0;
          let hi = starts.length - 1;
          while (lo < hi) {
            const mid = (lo + hi + 1) >>> 1;
            if (starts[mid]! <= big) lo = mid;
            else hi = mid - 1;
          }
          return lo;
        }
        v = Number(big);
      }
    }
    if (this.modulus !== 0 && v >= this.modulus) v %= this.modulus;
    const starts = this.starts;
    if (starts.length <= 8) {
      let at = 0;
      while (at + 1 < starts.length && starts[at + 1]! <= v) at++;
      return at;
    }
    // The last piece whose start ≤ v (starts[0] is 0).
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= v) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** A recording context that notes every register the semantics read. */
class ReadRecorder extends RecordingContext {
  constructor(
    registers: Readonly<Record<string, bigint>>,
    imm: number,
    origin: Origin,
    private readonly into: Set<string>,
  ) {
    super(registers, imm, origin);
  }

  override get(register: RegisterOperand): bigint {
    this.into.add(registerName(register));
    return super.get(register);
  }
}

/**
 * A context that notes whether the semantics read any input at all: a
 * register (`get`, `u32`, the source of `copy`), the immediate, the origin,
 * the state, the memory or the vCPUs. Writes go nowhere. A call that runs
 * on one without touching any has the same outcome and writes on every
 * trap. Its own class, not a {@link RecordingContext}: the table's contexts
 * keep one shape.
 */
class InputProbe implements CallContext {
  /** Whether the semantics read an input. */
  touched = false;

  constructor(private readonly caller: Origin) {}

  get(): bigint {
    this.touched = true;
    return 0n;
  }

  set(): void {}

  u32(): number {
    this.touched = true;
    return 0;
  }

  setU32(): void {}

  copy(): void {
    this.touched = true;
  }

  get imm(): number {
    this.touched = true;
    return 0;
  }

  get origin(): Origin {
    this.touched = true;
    return this.caller;
  }

  get state(): HypervisorState {
    this.touched = true;
    return new RecordingState();
  }

  get memory(): RecordingMemory {
    this.touched = true;
    return new RecordingMemory();
  }

  get vcpus(): undefined {
    this.touched = true;
    return undefined;
  }
}

/** What a call that reads no input does on every trap: its outcome, and a context holding its writes. */
interface ConstantEffect {
  readonly outcome: SpecOutcome;
  readonly context: RecordingContext;
}

/**
 * The effect of `call` when its semantics read no input (see
 * {@link InputProbe}), run once; `undefined` when it reads one or throws.
 * Semantics are functions of their context (they keep nothing between
 * runs), so such a call needs no run per trap.
 */
function constantEffect(call: ResolvedCall, origin: Origin): ConstantEffect | undefined {
  const probe = new InputProbe(origin);
  try {
    call.spec.run(probe);
  } catch {
    return undefined;
  }
  if (probe.touched) return undefined;
  const context = new RecordingContext({}, 0, origin);
  const outcome = call.spec.run(context);
  context.detach();
  return { outcome, context };
}

/** The verdicts by index, as {@link DispatchTable.run} answers them. */
export const VERDICTS: readonly Verdict[] = ['unclaimed', 'unique', 'agree', 'collision'];

/**
 * The specs of one (architecture, conduit), compiled for classification.
 *
 * Two ways to classify: {@link DispatchTable.classify} gives a
 * {@link Dispatch} with interpretation objects (their text is built when
 * read); {@link DispatchTable.run} gives only the verdict and leaves each
 * spec's decision, outcome and writes in the table until the next run
 * ({@link DispatchTable.code}, {@link DispatchTable.outcome},
 * {@link DispatchTable.context}), allocating nothing of its own: what a batch
 * or a fuzzer loop uses.
 */
export class DispatchTable {
  /** The specs in dispatch order (priority, then id). */
  readonly abis: readonly Abi[];
  /** Each spec's compiled selector, in the same order, with slots into one shared {@link SlotValues}. */
  readonly selectors: readonly CompiledSelector[];
  /** The registers the decisions read, by slot. */
  readonly registers: readonly string[];
  private readonly values: SlotValues;
  /** The handle id of each of {@link DispatchTable.registers}. */
  private readonly slotIds: Int32Array;
  /** The trap's registers by handle, loaded once per trap for the decisions and the semantics. */
  private readonly trap = new TrapRegisters();
  /** Per spec, the last run's decision (call index or refusal code), the origin it was decided for, its outcome (as the semantics gave it, made all-bigint when read) and context. */
  private readonly codes: Int32Array;
  private readonly origins: Int8Array;
  private readonly outcomes: (SpecOutcome | undefined)[];
  /** One context per spec, reused by every run; `undefined` after {@link DispatchTable.classify} handed it to an interpretation. */
  private readonly contexts: (RecordingContext | undefined)[];
  /** Per spec, the context its call ran on for the last trap: its own, a constant call's (never reset), or a twin's; `undefined` until it runs. */
  private readonly ran: (RecordingContext | undefined)[];
  /** The last trap decided, which a call not run yet runs on when its effect is read. */
  private query: TrapQuery | undefined;
  /** Every spec's calls, flat: spec `i`'s call `c` is at `callBase[i] + c`; with the effect of each call that reads no input. */
  private readonly calls: readonly ResolvedCall[];
  private readonly callBase: Int32Array;
  /** Per flat call, what it means ({@link callMeaning}): claims of different meanings collide whatever their semantics do. */
  private readonly meanings: readonly string[];
  private readonly constants: readonly (ConstantEffect | undefined)[];
  /**
   * Twins: calls of different specs whose semantics are one function (eras
   * that share a path, such as the MMIO eras' syndrome-valid handling). A
   * semantics sees only the trap and the origin, so twins run once per trap
   * and origin and share the outcome and writes. Per flat call, its twin
   * class (−1 when its function is its own); per class, the spec that last
   * ran it, on which trap (a serial) and origin.
   */
  private readonly twinClass: Int32Array;
  private readonly twinSpec: Int32Array;
  private readonly twinSerial: Int32Array;
  private readonly twinOrigin: Int8Array;
  private serial = 0;
  private lastClaims = 0;
  /** The selector groups, each spec's group and its place in it, and the pieces of the last trap. */
  private readonly groups: readonly SelectorGroup[];
  private readonly groupOf: Int32Array;
  private readonly memberOf: Int32Array;
  private readonly memberCounts: Int32Array;
  private readonly pieces: Int32Array;
  /** Per spec: its origin mask, whether only the origin can refuse it before the selector, and its open-world origin per privilege. */
  private readonly masks: Int32Array;
  private readonly simple: Uint8Array;
  private readonly openOrigins: Int8Array;
  private readSet: ReadonlySet<string> | undefined;

  /**
   * @param arch architecture.
   * @param conduit conduit instruction.
   * @param abis the specs on it (any order).
   */
  constructor(
    readonly arch: string,
    readonly conduit: string,
    abis: readonly Abi[],
  ) {
    this.abis = [...abis].sort(byPriority);
    const registers: string[] = [];
    const slotOf = (register: string): number => {
      const at = registers.indexOf(register);
      return at >= 0 ? at : registers.push(register) - 1;
    };
    this.selectors = this.abis.map((abi) => compileSelector(abi, slotOf));
    this.registers = registers;
    this.values = new SlotValues(registers.length);
    this.slotIds = Int32Array.from(registers, (name) => reg(name).id);
    this.codes = new Int32Array(this.abis.length);
    this.origins = new Int8Array(this.abis.length);
    this.outcomes = new Array<SpecOutcome | undefined>(this.abis.length).fill(undefined);
    this.contexts = new Array<RecordingContext | undefined>(this.abis.length).fill(undefined);
    this.ran = new Array<RecordingContext | undefined>(this.abis.length).fill(undefined);
    this.callBase = new Int32Array(this.abis.length);
    const calls: ResolvedCall[] = [];
    this.abis.forEach((abi, i) => {
      this.callBase[i] = calls.length;
      calls.push(...abi.calls);
    });
    this.calls = calls;
    this.meanings = calls.map(callMeaning);
    this.constants = calls.map((call) => constantEffect(call, ORIGINS[0]!));
    const byFunction = new Map<unknown, number[]>();
    calls.forEach((call, at) => {
      if (this.constants[at] !== undefined) return;
      const list = byFunction.get(call.spec.run) ?? [];
      list.push(at);
      byFunction.set(call.spec.run, list);
    });
    this.twinClass = new Int32Array(calls.length).fill(-1);
    let classes = 0;
    for (const list of byFunction.values()) {
      if (list.length < 2) continue;
      for (const at of list) this.twinClass[at] = classes;
      classes++;
    }
    this.twinSpec = new Int32Array(classes);
    this.twinSerial = new Int32Array(classes);
    this.twinOrigin = new Int8Array(classes);
    const byKey = new Map<string, number[]>();
    this.selectors.forEach((selector, i) => {
      const key = `${selector.selectorSlotIndex}/${selector.selectorWidth}`;
      const list = byKey.get(key) ?? [];
      list.push(i);
      byKey.set(key, list);
    });
    this.groupOf = new Int32Array(this.abis.length);
    this.memberOf = new Int32Array(this.abis.length);
    const members = [...byKey.values()];
    this.groups = members.map((list, g) => {
      list.forEach((i, j) => {
        this.groupOf[i] = g;
        this.memberOf[i] = j;
      });
      const first = this.selectors[list[0]!]!;
      return new SelectorGroup(first.selectorSlotIndex, first.selectorWidth, list.map((i) => this.selectors[i]!));
    });
    this.memberCounts = Int32Array.from(members, (list) => list.length);
    this.pieces = new Int32Array(this.groups.length);
    this.masks = Int32Array.from(this.selectors, (selector) => selector.origins);
    this.simple = Uint8Array.from(this.selectors, (selector) => (selector.checksOriginOnly ? 1 : 0));
    // Per spec and privilege: the origin a query that leaves the world open is decided for. The immediate and the
    // conditions do not depend on the world, so the first of the spec's worlds the origin mask allows decides, as
    // trying each world in turn would; when none does, the last world's origin refusal stands.
    this.openOrigins = new Int8Array(this.selectors.length * 3);
    this.selectors.forEach((selector, i) => {
      for (let p = 0; p < 3; p++) {
        const worlds = [...selector.worlds];
        const allowed = worlds.find((w) => selector.allows(p * 2 + w));
        this.openOrigins[i * 3 + p] = p * 2 + (allowed ?? worlds[worlds.length - 1]!);
      }
    });
  }

  /**
   * The registers some spec on the conduit reads: its selector, conditions
   * and argument registers, and the registers its calls' semantics read when
   * each call is run once on all-zero registers and once on each of the
   * spec's examples, and the registers those examples give (a semantics
   * may read a register only on a path the dispatcher cannot take, such as
   * an instruction it fetches from guest memory, which reads zeros here; the
   * spec's author gave it for that). (A semantics that reads a register only
   * on a path neither takes is not seen; such a register should be declared
   * as an argument.) Built on first use. What a register given to `hyplay
   * dispatch` is checked against: one that no spec reads would be ignored.
   */
  get reads(): ReadonlySet<string> {
    if (this.readSet === undefined) {
      const reads = new Set<string>(this.registers);
      for (const abi of this.abis) {
        for (const call of abi.calls) for (const arg of call.spec.args ?? []) reads.add(arg.register);
        const origin = ORIGINS[originIndex({ privilege: abi.spec.origin.privilege[0]!, world: abi.spec.origin.world[0]! })]!;
        const traps = [{ imm: Number(abi.imm.first() ?? 0n), registers: {} as Readonly<Record<string, bigint>> }, ...abi.spec.examples.map((example) => exampleTrap(abi, example))];
        for (const trap of traps) for (const name of Object.keys(trap.registers)) reads.add(name);
        for (const call of abi.calls) {
          for (const trap of traps) {
            const probe = new ReadRecorder(trap.registers, trap.imm, origin, reads);
            try {
              call.spec.run(probe);
            } catch {
              // A semantics that throws on a probe shows no reads; the dispatcher never runs it on such a trap unless it is one.
            }
          }
        }
      }
      this.readSet = reads;
    }
    return this.readSet;
  }

  /** How many specs claimed the trap in the last run. */
  get claims(): number {
    return this.lastClaims;
  }

  /** The last run's decision for spec `index`: a call index (≥ 0) or a refusal code (see `REFUSAL`). */
  code(index: number): number {
    return this.codes[index]!;
  }

  /** The origin (see `originIndex`) the last run decided spec `index` for. */
  origin(index: number): number {
    return this.origins[index]!;
  }

  /** The outcome of spec `index`'s call in the last run, if it claimed the trap (run now if the verdict did not need it). */
  outcome(index: number): CallOutcome | undefined {
    if (this.codes[index]! < 0) return undefined;
    if (this.ran[index] === undefined) this.execute(index);
    // Made all-bigint here, when read, rather than on every run.
    const outcome = bigIntOutcome(this.outcomes[index]!);
    this.outcomes[index] = outcome;
    return outcome;
  }

  /**
   * The context spec `index`'s call ran on in the last run, if it claimed
   * the trap: read its writes. (A call whose semantics read no input runs
   * once, when the table is built, and every run shares that context.)
   * Run now if the verdict did not need it.
   */
  context(index: number): RecordingContext | undefined {
    if (this.codes[index]! < 0) return undefined;
    return this.ran[index] ?? this.execute(index);
  }

  /** Run spec `index`'s claimed call on the last trap decided (or take its constant effect); its context. */
  private execute(index: number): RecordingContext {
    const at = this.callBase[index]! + this.codes[index]!;
    const constant = this.constants[at];
    let context: RecordingContext;
    if (constant !== undefined) {
      this.outcomes[index] = constant.outcome;
      context = constant.context;
    } else {
      const twin = this.twinClass[at]!;
      const originAt = this.origins[index]!;
      if (twin >= 0 && this.twinSerial[twin] === this.serial && this.twinOrigin[twin] === originAt) {
        // A twin ran on this trap and origin: the same function on the same input, so the same effect.
        const other = this.twinSpec[twin]!;
        this.outcomes[index] = this.outcomes[other];
        context = this.ran[other]!;
      } else {
        const query = this.query!;
        const origin = ORIGINS[originAt]!;
        let own = this.contexts[index];
        if (own === undefined) this.contexts[index] = own = new RecordingContext(query.registers, query.imm, origin);
        own.reset(query.registers, query.imm, origin, this.trap);
        context = own;
        this.outcomes[index] = this.calls[at]!.spec.run(context);
        if (twin >= 0) {
          this.twinSpec[twin] = index;
          this.twinSerial[twin] = this.serial;
          this.twinOrigin[twin] = originAt;
        }
      }
    }
    this.ran[index] = context;
    return context;
  }

  /**
   * Decide every spec on the trap without running any semantics: per spec
   * (in {@link DispatchTable.abis} order) a call index or a refusal code,
   * and the origin index it was decided for. Returns how many specs claim
   * the trap. `query` must be on this table's architecture and conduit.
   */
  decide(query: TrapQuery): number {
    const trap = this.trap;
    if (query.resolved !== undefined) trap.loadResolved(query.resolved);
    else trap.load(query.registers);
    this.query = query;
    this.serial = (this.serial + 1) | 0;
    if (this.serial === 0) {
      // After 2^32 traps: 0 means "never ran", so start the count again.
      this.serial = 1;
      this.twinSerial.fill(0);
    }
    const values = this.values;
    const numbers = values.numbers;
    const ids = this.slotIds;
    for (let slot = 0; slot < ids.length; slot++) {
      const id = ids[slot]!;
      const n = trap.number(id);
      numbers[slot] = n;
      if (n !== n) values.wide[slot] = trap.big(id);
    }
    const privilege = privilegeIndex(query.privilege) * 2;
    const world = query.world === undefined ? -1 : worldIndex(query.world);
    const imm = query.imm;
    const selectors = this.selectors;
    const codes = this.codes;
    const origins = this.origins;
    // One search per selector group gives every member's call; each spec then only checks what comes before its selector.
    const groups = this.groups;
    const pieces = this.pieces;
    for (let g = 0; g < groups.length; g++) pieces[g] = groups[g]!.piece(imm, values);
    let claims = 0;
    const masks = this.masks;
    const simple = this.simple;
    const open = this.openOrigins;
    for (let i = 0; i < selectors.length; i++) {
      // With no world given, the spec's first world its privilege may call from (else its last world, for the reason).
      const origin = world >= 0 ? privilege + world : open[i * 3 + (privilege >> 1)]!;
      let code: number;
      if (simple[i] === 1) code = (masks[i]! & (1 << origin)) === 0 ? REFUSAL.origin : 0;
      else code = selectors[i]!.admits(imm, origin, values);
      if (code === 0) {
        const g = this.groupOf[i]!;
        code = groups[g]!.rows[pieces[g]! * this.memberCounts[g]! + this.memberOf[i]!]!;
      }
      codes[i] = code;
      origins[i] = origin;
      this.ran[i] = undefined;
      if (code >= 0) claims++;
    }
    this.lastClaims = claims;
    return claims;
  }

  /**
   * Classify a trap: decide every spec, and run the semantics the verdict
   * needs (each on a fresh state, as one dispatch query has always had):
   * none for a trap one spec claims, and for several, each claimed call in
   * turn until one differs from the first (a collision). Returns the
   * verdict's index in {@link VERDICTS}. The decisions stay readable until
   * the next run, and so do the outcomes and writes: a call the verdict did
   * not need runs when they are read.
   */
  run(query: TrapQuery): number {
    const claims = this.decide(query);
    if (claims < 2) return claims;
    const codes = this.codes;
    const base = this.callBase;
    const meanings = this.meanings;
    const outcomes = this.outcomes;
    let first = -1;
    let meaning = '';
    let firstContext: RecordingContext | undefined;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      if (code < 0) continue;
      if (first < 0) {
        first = i;
        meaning = meanings[base[i]! + code]!;
        continue;
      }
      // Another meaning is a collision before any semantics runs.
      if (meanings[base[i]! + code] !== meaning) return 3;
      firstContext ??= this.execute(first);
      const context = this.execute(i);
      if (!sameOutcomeEffect(outcomes[first]!, firstContext, outcomes[i]!, context)) return 3;
    }
    return 2;
  }

  /** Classify a trap (on this table's architecture and conduit) against every spec, as interpretation objects. */
  classify(query: TrapQuery): Dispatch {
    const verdict = VERDICTS[this.run(query)]!;
    const claims = this.lastClaims;
    const selectors = this.selectors;
    const codes = this.codes;
    const out = new Array<Interpretation>(selectors.length);
    let mine = 0;
    let other = claims;
    for (let i = 0; i < selectors.length; i++) {
      const selector = selectors[i]!;
      const code = codes[i]!;
      const id = selector.abi.spec.id;
      if (code < 0) {
        out[other++] = new DeclinedInterpretation(id, selector, code, query.imm, this.origins[i]!, query.registers);
        continue;
      }
      // The interpretation keeps the context (off the trap view, which the next run reloads): the next run makes a new one.
      // A constant call's context is never reset, so it is handed out as it is.
      const context = this.context(i)!;
      if (context === this.contexts[i]) {
        context.detach();
        this.contexts[i] = undefined;
      }
      out[mine++] = new ClaimedInterpretation(id, selector.call(code), selector.abi.spec.selector.width, this.outcome(i)!, context, query.registers);
    }
    return { verdict, interpretations: out };
  }
}

/** The tables of one registry, by architecture then conduit, with the last one looked up (a run of traps is mostly on one conduit). */
interface TableCache {
  readonly byArch: Map<string, Map<string, DispatchTable>>;
  last: DispatchTable | undefined;
}

const TABLES = new WeakMap<AbiRegistry, TableCache>();

/** The last registry looked up and its cache: most callers use one registry. */
let lastRegistry: AbiRegistry | undefined;
let lastCache: TableCache | undefined;

/** The table of `registry`'s specs on (`arch`, `conduit`), built on first use and cached with the registry. */
export function dispatchTable(registry: AbiRegistry, arch: string, conduit: string): DispatchTable {
  if (registry === lastRegistry) {
    const last = lastCache!.last;
    if (last !== undefined && last.conduit === conduit && last.arch === arch) return last;
  }
  let cache = TABLES.get(registry);
  if (cache === undefined) {
    cache = { byArch: new Map(), last: undefined };
    TABLES.set(registry, cache);
  }
  lastRegistry = registry;
  lastCache = cache;
  const last = cache.last;
  if (last !== undefined && last.conduit === conduit && last.arch === arch) return last;
  let byConduit = cache.byArch.get(arch);
  if (byConduit === undefined) {
    byConduit = new Map();
    cache.byArch.set(arch, byConduit);
  }
  let table = byConduit.get(conduit);
  if (table === undefined) {
    table = new DispatchTable(
      arch,
      conduit,
      registry.all(arch).filter((abi) => abi.spec.conduit.instruction === conduit),
    );
    byConduit.set(conduit, table);
  }
  cache.last = table;
  return table;
}
