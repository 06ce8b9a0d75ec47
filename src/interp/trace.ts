/**
 * Typed, deterministic trace events, one line each.
 *
 * @module
 */

import { hexBytes } from '../cpu/plain-state.ts';
import { formatMmioAccess, type MmioAccess } from '../devices/mmio-bus.ts';
import type { TracedOp } from './decoded-op.ts';
import { hexAddress, type StopReason } from './step-result.ts';

/** One instruction executed. */
export interface StepEvent {
  /** Discriminant. */
  readonly kind: 'step';
  /** Its address. */
  readonly address: number;
  /** Its bytes as hex in memory order. */
  readonly bytes: string;
  /** Disassembly. */
  readonly text: string;
  /** The processor mode it ran in. */
  readonly mode: string;
}

/** An exception was entered. */
export interface ExceptionEvent {
  /** Discriminant. */
  readonly kind: 'exception';
  /** The exception's architectural name (`hyp-trap`, `undefined`, `prefetch-abort`, …). */
  readonly exception: string;
  /** What raised it, one line. */
  readonly cause: string;
  /** Mode before. */
  readonly from: string;
  /** Mode after. */
  readonly to: string;
  /** The vector address now executing. */
  readonly vector: number;
  /** Where an exception return would go. */
  readonly returnAddress: number;
  /** The syndrome written, when the architecture has one. */
  readonly syndrome: number | undefined;
}

/** An exception return (`eret`, `subs pc, lr`, `rfid`, …). */
export interface ReturnEvent {
  /** Discriminant. */
  readonly kind: 'return';
  /** The instruction. */
  readonly instruction: string;
  /** Mode before. */
  readonly from: string;
  /** Mode after. */
  readonly to: string;
  /** The address returned to. */
  readonly target: number;
}

/** A system-register access that the model does not implement, or another thing worth saying loudly. */
export interface NoteEvent {
  /** Discriminant. */
  readonly kind: 'note';
  /** Address of the instruction. */
  readonly address: number;
  /** One line. */
  readonly message: string;
}

/** The run stopped. */
export interface StopEvent {
  /** Discriminant. */
  readonly kind: 'stop';
  /** Why. */
  readonly reason: StopReason;
  /** The PC at the stop. */
  readonly pc: number;
  /** One line of detail. */
  readonly detail: string;
}

/** An emulated device answered a guest access (the hypervisor's MMIO exit, as the device model saw it). */
export interface MmioEvent {
  /** Discriminant. */
  readonly kind: 'mmio';
  /** The access. */
  readonly access: MmioAccess;
}

/** Every trace event. */
export type TraceEvent = StepEvent | ExceptionEvent | ReturnEvent | NoteEvent | StopEvent | MmioEvent;

/** Receives trace events. */
export interface TraceSink {
  /** Take one event. */
  emit(event: TraceEvent): void;
}

/**
 * What a {@link TraceRecorder} needs from the machine it records, to turn its
 * compact step records back into {@link StepEvent}s: the backend's
 * disassembly of an op, the name of a trace mode code, and the bytes under
 * an address. The interpreter attaches one when the recorder becomes its
 * sink.
 */
export interface StepRenderer {
  /** Disassembly of a predecoded op (the same text a traced step shows). */
  describe(op: TracedOp): string;
  /** The mode name of a code from the core's `traceMode()`. */
  modeName(code: number): string;
  /** `length` bytes at `address` in memory order, or `undefined` where unmapped. */
  readBytes(address: number, length: number): Uint8Array | undefined;
}

/** Options of a {@link TraceRecorder}. */
export interface TraceRecorderOptions {
  /**
   * Keep only the last `limit` events (a ring: older ones are dropped and
   * counted in {@link TraceRecorder.dropped}); unlimited when absent.
   */
  readonly limit?: number;
  /**
   * Called with each event other than a step as it is recorded, while the
   * machine is still at it (an exception: at the vector, with the caller's
   * registers): for a tool that must see every exception of a run too long
   * to keep whole, beside a limited ring.
   */
  readonly onEvent?: (event: TraceEvent) => void;
}

/** Record kinds in the ring (the low 4 bits of a record's first word). */
const STEP = 0;
/** A step of an overlay: its bytes are read when it runs (nothing marks an overlay's page as code). */
const OVERLAY_STEP = 1;
/** An overlay step whose bytes were unmapped. */
const OVERLAY_UNMAPPED = 2;
/** Any other event, kept as an object. */
const EVENT = 3;
/** Int32 words per record: kind and mode, op or event index, address (low 32 bits), instruction word. */
const STRIDE = 4;
const INITIAL_RECORDS = 1024;

/**
 * A sink that keeps every event, stepping events as compact records.
 *
 * A traced step costs a few typed-array stores: the record is (kind and mode
 * code, op index, address, instruction word) in an `Int32Array` ring. Each
 * predecoded op is registered once, with its bytes as they were when it
 * first ran; disassembly, hex and mode names are built only when
 * {@link TraceRecorder.events} or {@link TraceRecorder.lines} are read.
 * Other events (exceptions, returns, notes, stops) are rare and are kept as
 * the objects they were emitted as.
 *
 * A recorder belongs to one machine at a time: ops are registered against
 * the {@link StepRenderer} attached when it became that machine's sink.
 */
export class TraceRecorder implements TraceSink {
  private records = new Int32Array(INITIAL_RECORDS * STRIDE);
  /** Next free word in {@link TraceRecorder.records}. */
  private position = 0;
  /** Times a limited ring came round to its start (the records written are `wraps` rings plus `position`). */
  private wraps = 0;
  /** Non-step events emitted so far (every other record is a step). */
  private eventCount = 0;
  /** Ring mask in words, or -1 while unlimited. */
  private readonly mask: number;
  /** Events by index: a dense list while unlimited, a ring parallel to the records when limited. */
  private readonly objects: (TraceEvent | undefined)[] = [];
  private readonly ops: TracedOp[] = [];
  private readonly opBytes: string[] = [];
  private readonly opRenderers: StepRenderer[] = [];
  private renderer: StepRenderer | undefined = undefined;

  /** See {@link TraceRecorderOptions.onEvent}. */
  private readonly onEvent: ((event: TraceEvent) => void) | undefined;

  /** @param options a ring limit, if any, and an event callback. */
  constructor(options: TraceRecorderOptions = {}) {
    this.onEvent = options.onEvent;
    if (options.limit === undefined) {
      this.mask = -1;
      return;
    }
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new RangeError(`trace limit must be a positive integer, not ${options.limit}`);
    let capacity = 1;
    while (capacity < options.limit) capacity *= 2;
    this.records = new Int32Array(capacity * STRIDE);
    this.mask = capacity * STRIDE - 1;
    this.objects = new Array<TraceEvent | undefined>(capacity).fill(undefined);
  }

  /** Use `renderer` for the ops recorded from now on (the interpreter calls this when the recorder becomes its sink). */
  attach(renderer: StepRenderer): void {
    this.renderer = renderer;
  }

  /** Events recorded so far, dropped ones included. */
  get recorded(): number {
    return this.written;
  }

  /** Records written so far, dropped ones included. */
  private get written(): number {
    return (this.wraps * this.records.length + this.position) / STRIDE;
  }

  /** Steps (instructions) recorded so far, dropped ones included. */
  get steps(): number {
    return this.written - this.eventCount;
  }

  /** Events the ring no longer holds (always 0 without a limit). */
  get dropped(): number {
    return this.mask < 0 ? 0 : Math.max(0, this.written - (this.mask + 1) / STRIDE);
  }

  /** Keep `event`. */
  emit(event: TraceEvent): void {
    this.eventCount++;
    const p = this.claim();
    let index: number;
    if (this.mask < 0) {
      index = this.objects.length;
      this.objects.push(event);
    } else {
      index = p / STRIDE;
      this.objects[index] = event;
    }
    const r = this.records;
    r[p] = EVENT;
    r[p + 1] = index;
    r[p + 2] = 0;
    r[p + 3] = 0;
    if (this.onEvent !== undefined && event.kind !== 'step') this.onEvent(event);
  }

  /**
   * Record that `op` ran in the mode with trace code `mode` (the hot path
   * of a traced run: no allocation once the op is registered).
   */
  step(op: TracedOp, mode: number): void {
    if (op.notAStep === true) return;
    let id = op.traceOwner === this ? op.traceId : this.register(op);
    let kind = STEP;
    let word: number | undefined = op.word;
    if (id < 0) {
      id = ~id;
      word = this.overlayBytes(op);
      kind = word === undefined ? OVERLAY_UNMAPPED : OVERLAY_STEP;
    }
    const p = this.claim();
    const r = this.records;
    r[p] = kind | (mode << 4);
    r[p + 1] = id;
    r[p + 2] = op.address | 0;
    r[p + 3] = word ?? 0;
  }

  /**
   * Record a step of an op already registered as `id` (by
   * {@link TraceRecorder.register}; not an overlay), in mode `mode`: what
   * translated code calls, with every argument a constant.
   */
  stepRegistered(id: number, mode: number, address: number, word: number): void {
    const p = this.claim();
    const r = this.records;
    r[p] = STEP | (mode << 4);
    r[p + 1] = id;
    r[p + 2] = address;
    r[p + 3] = word;
  }

  /**
   * {@link TraceRecorder.step} for `ops[0]` … `ops[count - 1]` in turn, all
   * in `mode`: what a block loop calls once for the ops of a block that
   * started (before anything the block's last op leads to is emitted, so
   * the order of events is the same as stepping them one by one). Ops
   * already registered with this recorder take a tight loop of stores;
   * anything else (an overlay, a pseudo-op, an op seen for the first time,
   * a full buffer) goes through {@link TraceRecorder.step}.
   */
  stepBlock(ops: readonly TracedOp[], count: number, mode: number): void {
    let r = this.records;
    let p = this.position;
    const head = STEP | (mode << 4);
    for (let i = 0; i < count; i++) {
      const op = ops[i]!;
      const id = op.traceOwner === this ? op.traceId : -1;
      if (id < 0 || p === r.length || op.notAStep === true) {
        this.position = p;
        this.step(op, mode);
        r = this.records;
        p = this.position;
        continue;
      }
      r[p] = head;
      r[p + 1] = id;
      r[p + 2] = op.address | 0;
      r[p + 3] = op.word;
      p += STRIDE;
    }
    this.position = p;
  }

  /**
   * Register every op of `ops` not registered with this recorder yet (see
   * {@link TraceRecorder.register}): a block loop does this when a block
   * first runs traced, before any of its ops runs, so that each op's bytes
   * are read as they were decoded (a store into the block changes them).
   */
  registerAll(ops: readonly TracedOp[]): void {
    for (const op of ops) if (op.traceOwner !== this && op.notAStep !== true) this.register(op);
  }

  /**
   * The records {@link TraceRecorder.stepBlock} would write for `ops`, all
   * registered with this recorder (see {@link TraceRecorder.registerAll}),
   * run in `mode`: built once per block, so that a block loop records the
   * steps of a block as a copy ({@link TraceRecorder.stepRecords}).
   * `undefined` when an op's record is not fixed (an overlay, whose bytes
   * are read as it runs, a pseudo-op, an op not registered here).
   */
  blockRecords(ops: readonly TracedOp[], mode: number): Int32Array | undefined {
    const records = new Int32Array(ops.length * STRIDE);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.traceOwner !== this || op.traceId < 0 || op.notAStep === true) return undefined;
      records[i * STRIDE] = STEP | (mode << 4);
      records[i * STRIDE + 1] = op.traceId;
      records[i * STRIDE + 2] = op.address | 0;
      records[i * STRIDE + 3] = op.word;
    }
    return records;
  }

  /** Record the first `count` steps of `records` (from {@link TraceRecorder.blockRecords}). */
  stepRecords(records: Int32Array, count: number): void {
    const n = count * STRIDE;
    let r = this.records;
    let p = this.position;
    if (p + n > r.length) {
      // Across the end of the buffer: record by record.
      for (let k = 0; k < n; k += STRIDE) {
        p = this.claim();
        r = this.records;
        r[p] = records[k]!;
        r[p + 1] = records[k + 1]!;
        r[p + 2] = records[k + 2]!;
        r[p + 3] = records[k + 3]!;
      }
      return;
    }
    // A long copy goes faster as one (a block loop records many turns of a loop at once); a short one, element by element.
    if (n === records.length) r.set(records, p);
    else if (n >= 64) r.set(records.subarray(0, n), p);
    else for (let k = 0; k < n; k++) r[p + k] = records[k]!;
    this.position = p + n;
  }

  /** Register `op` against the attached renderer; returns its index (one's complement for an overlay, whose bytes are read per step). */
  register(op: TracedOp): number {
    const renderer = this.renderer;
    if (renderer === undefined) throw new Error('TraceRecorder.step before attach: a recorder records steps only as a machine\'s trace sink');
    const id = this.ops.length;
    this.ops.push(op);
    this.opRenderers.push(renderer);
    const overlay = op.name === 'overlay';
    const bytes = overlay ? undefined : renderer.readBytes(op.address, op.size);
    this.opBytes.push(bytes === undefined ? '??' : hexBytes(bytes));
    op.traceOwner = this;
    op.traceId = overlay ? ~id : id;
    return op.traceId;
  }

  private overlayBytes(op: TracedOp): number | undefined {
    const bytes = this.renderer!.readBytes(op.address, op.size);
    if (bytes === undefined) return undefined;
    let packed = 0;
    for (let i = bytes.length - 1; i >= 0; i--) packed = (packed << 8) | bytes[i]!;
    return packed;
  }

  /** The word index of a new record (growing the buffer, or wrapping the ring). */
  private claim(): number {
    let p = this.position;
    if (p === this.records.length) p = this.full();
    this.position = p + STRIDE;
    return p;
  }

  /** The buffer is full: a limited ring starts over (returns 0), an unlimited one doubles (returns the same position). */
  private full(): number {
    if (this.mask >= 0) {
      this.wraps++;
      return 0;
    }
    const grown = new Int32Array(this.records.length * 2);
    grown.set(this.records);
    this.records = grown;
    return this.position;
  }

  /** The events still held, oldest first (steps rebuilt from their records). */
  get events(): TraceEvent[] {
    const out: TraceEvent[] = [];
    const held = this.written - this.dropped;
    const r = this.records;
    const size = r.length;
    let p = this.mask < 0 ? 0 : (((this.position - held * STRIDE) % size) + size) % size;
    for (let i = 0; i < held; i++, p = (p + STRIDE) % size) {
      const kind = r[p]! & 15;
      const id = r[p + 1]!;
      if (kind === EVENT) {
        out.push(this.objects[id]!);
        continue;
      }
      const op = this.ops[id]!;
      const renderer = this.opRenderers[id]!;
      let bytes = this.opBytes[id]!;
      if (kind === OVERLAY_UNMAPPED) bytes = '??';
      else if (kind === OVERLAY_STEP) {
        const packed = r[p + 3]!;
        bytes = hexBytes(Array.from({ length: op.size }, (_, b) => (packed >>> (8 * b)) & 0xff));
      }
      out.push({ kind: 'step', address: op.address, bytes, text: renderer.describe(op), mode: renderer.modeName(r[p]! >>> 4) });
    }
    return out;
  }

  /** The events as lines. */
  lines(): string[] {
    return this.events.map(formatTraceEvent);
  }
}

/** One line for an event. The format is stable: golden files depend on it. */
export function formatTraceEvent(event: TraceEvent): string {
  switch (event.kind) {
    case 'step':
      return `${hexAddress(event.address)} ${event.mode.padEnd(4)} ${event.bytes.padEnd(11)}  ${event.text}`;
    case 'exception':
      return (
        `-- exception ${event.exception}: ${event.cause}; ${event.from} -> ${event.to}, vector ${hexAddress(event.vector)}` +
        `, return ${hexAddress(event.returnAddress)}` +
        (event.syndrome === undefined ? '' : `, syndrome ${hexAddress(event.syndrome >>> 0)}`)
      );
    case 'return':
      return `-- return ${event.instruction}: ${event.from} -> ${event.to} at ${hexAddress(event.target)}`;
    case 'note':
      return `-- note ${hexAddress(event.address)}: ${event.message}`;
    case 'stop':
      return `-- stop ${event.reason} at ${hexAddress(event.pc)}: ${event.detail}`;
    case 'mmio':
      return `-- ${formatMmioAccess(event.access)}`;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
