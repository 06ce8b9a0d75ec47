/**
 * Typed, deterministic trace events, one line each.
 *
 * @module
 */

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

/** Every trace event. */
export type TraceEvent = StepEvent | ExceptionEvent | ReturnEvent | NoteEvent | StopEvent;

/** Receives trace events. */
export interface TraceSink {
  /** Take one event. */
  emit(event: TraceEvent): void;
}

/** A sink that keeps every event. */
export class TraceRecorder implements TraceSink {
  /** The events so far. */
  readonly events: TraceEvent[] = [];

  /** Keep `event`. */
  emit(event: TraceEvent): void {
    this.events.push(event);
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
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
