/**
 * What a backend contributes to state export and migration: its canonical
 * registers read from its own plain machine state, the formats it defines,
 * and (where a VMM sits between the kernel and a migration stream) the
 * VMM's CPU structure with its kernel syncs and its migration stream, each
 * era a selectable implementation.
 *
 * @module
 */

import type { Machine } from '../interp/machine.ts';
import type { ArchitecturalRegister, ArchitecturalState } from './architectural-state.ts';
import type { CoreFile, OneRegFormat } from './one-reg.ts';
import type { FormatDoc, StateFormat } from './state-format.ts';
import type { StructImage, StructLayout } from './struct-layout.ts';

/** One access a sync made to the VMM structure for a kernel register. */
export interface SyncAccess {
  /** `get` (kernel → VMM), `put` (VMM → kernel), or `rebuild`: the VMM moved registers inside its own structure (QEMU's 32↔64 sync), with `register` `*`. */
  readonly direction: 'get' | 'put' | 'rebuild';
  /** The kernel's register (`spsr[0]`). */
  readonly register: string;
  /** Byte offset in the VMM structure. */
  readonly offset: number;
  /** Bytes. */
  readonly bytes: number;
  /** How the VMM's code names the place (`&env->banked_spsr[i - 1]`). */
  readonly expression: string;
}

/** The accesses of one get or put, in order. */
export type SyncLog = SyncAccess[];

/**
 * How a VMM moves a vCPU's registers between the kernel's core-register
 * file and its own CPU structure (QEMU's `kvm_arch_get_registers` /
 * `kvm_arch_put_registers`), as one era did it.
 */
export interface StateSync {
  /** Its id, the `--via` value (`qemu-2014`). */
  readonly id: string;
  /** One line. */
  readonly title: string;
  /** Era, one phrase. */
  readonly era: string;
  /** Where it is read from. */
  readonly source: string;
  /** Whether this is the corrected sync (the property tests expect it to be the identity). */
  readonly correct: boolean;
  /** The kernel format it speaks. */
  readonly kernel: OneRegFormat;
  /** The VMM's CPU structure. */
  readonly layout: StructLayout;
  /** A VMM CPU structure as the VMM's CPU reset leaves it, for a guest of `guest`. */
  reset(guest: string): StructImage;
  /** Kernel → VMM. */
  get(file: CoreFile, env: StructImage, log: SyncLog): void;
  /** VMM → kernel (may change the VMM structure first, as the fixed sync does). */
  put(env: StructImage, file: CoreFile, log: SyncLog): void;
  /** The canonical state the VMM structure holds (what the VMM's emulation or debugger sees). */
  view(env: StructImage, guest: string, registers: readonly ArchitecturalRegister[]): ArchitecturalState;
  /** The same state written into a VMM structure (what the VMM's emulation would hold). */
  fromView(state: ArchitecturalState, env: StructImage): void;
}

/** One field of a migration stream. */
export interface StreamField {
  /** The field's name in the stream. */
  readonly name: string;
  /** The structure field it copies byte for byte, or `undefined` when it goes through an accessor. */
  readonly raw?: string;
  /** What it carries, one line (for accessor fields, which accessor). */
  readonly what: string;
}

/** A saved stream: each field's values in order. */
export interface StreamData {
  /** Values by field name. */
  readonly fields: ReadonlyMap<string, readonly bigint[]>;
}

/** A VMM's migration stream for the CPU (QEMU's `vmstate_arm_cpu`). */
export interface MigrationStream {
  /** Its id. */
  readonly id: string;
  /** One line. */
  readonly title: string;
  /** Where it is read from, with what is unconfirmed. */
  readonly source: string;
  /** Its fields, in stream order. */
  readonly fields: readonly StreamField[];
  /** Save the CPU structure. */
  save(env: StructImage): StreamData;
  /** Load into a (reset) CPU structure. */
  load(data: StreamData, env: StructImage): void;
}

/** What a {@link StateOperation} did. */
export interface OperationResult {
  /** The state after it. */
  readonly state: ArchitecturalState;
  /** What it did, one line each. */
  readonly lines: readonly string[];
}

/**
 * Something a kernel does to a vCPU's registers on its own (inject an
 * abort, read the current mode's SPSR), over the canonical state. It throws
 * `StateError` where the kernel would fail (or crash).
 */
export interface StateOperation {
  /** Its id (`kvm-arm64-vcpu-spsr`). */
  readonly id: string;
  /** One line. */
  readonly title: string;
  /** Guest architectures it applies to. */
  readonly guests: readonly string[];
  /** Where it is read from. */
  readonly source: string;
  /** Run it on a guest state. */
  run(state: ArchitecturalState, registers: readonly ArchitecturalRegister[]): OperationResult;
}

/** A page of the state docs that is not a format (the architectural register mapping). */
export interface StateDocPage {
  /** Its id (the page's file name). */
  readonly id: string;
  /** Its title. */
  readonly title: string;
  /** Its content. */
  readonly doc: FormatDoc;
}

/** A backend's state support. */
export interface StateSupport {
  /** The canonical registers of this architecture. */
  readonly registers: readonly ArchitecturalRegister[];
  /** The canonical state of a stopped machine of this backend. */
  fromMachine(machine: Machine): ArchitecturalState;
  /** Formats this backend defines (they may also carry other architectures' guests, see {@link StateFormat.guests}). */
  readonly formats: readonly StateFormat[];
  /** VMM syncs, each era one implementation. */
  readonly syncs?: readonly StateSync[];
  /** The VMM's migration stream the syncs pair with. */
  readonly stream?: MigrationStream;
  /** What the kernel does to the registers on its own, by era. */
  readonly operations?: readonly StateOperation[];
  /** Further docs pages (mappings, structure layouts). */
  readonly pages?: readonly StateDocPage[];
}
