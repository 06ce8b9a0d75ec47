/**
 * A C structure's byte layout as data: named fields at byte offsets, each an
 * array of little-endian unsigned elements. A {@link StructImage} is the
 * structure's bytes; code that indexes an array out of its bounds (a
 * negative index) reads and writes the bytes the layout puts there, which is
 * how a layout shows what such a bug overwrote.
 *
 * @module
 */

import { StateError } from './architectural-state.ts';

/** One field of a structure. */
export interface StructField {
  /** The C name (`banked_spsr`). */
  readonly name: string;
  /** Byte offset from the start. */
  readonly offset: number;
  /** Bytes per element (1, 2, 4 or 8). */
  readonly bytes: number;
  /** Elements (1 for a scalar). */
  readonly count: number;
  /** What it holds, one line. */
  readonly what: string;
}

/** A structure's layout. */
export interface StructLayout {
  /** The C type (`CPUARMState`). */
  readonly name: string;
  /** Which era's layout it is, one phrase. */
  readonly era: string;
  /** Where it is read from. */
  readonly source: string;
  /** Fields in offset order. */
  readonly fields: readonly StructField[];
  /** Bytes the layout covers (the end of its last field). */
  readonly size: number;
}

/** A layout that contradicts itself. */
export class StructLayoutError extends Error {
  /** Always `'StructLayoutError'`. */
  override readonly name = 'StructLayoutError';
}

/**
 * Check a layout: fields in offset order, each naturally aligned, none
 * overlapping; padding between fields is allowed and shows in the docs.
 */
export function defineStructLayout(name: string, era: string, source: string, fields: readonly StructField[]): StructLayout {
  let end = 0;
  const names = new Set<string>();
  for (const field of fields) {
    if (names.has(field.name)) throw new StructLayoutError(`${name}: field ${field.name} is listed twice`);
    names.add(field.name);
    if (![1, 2, 4, 8].includes(field.bytes)) throw new StructLayoutError(`${name}: field ${field.name} has ${field.bytes}-byte elements`);
    if (field.offset % field.bytes !== 0) throw new StructLayoutError(`${name}: field ${field.name} at ${field.offset} is not aligned to ${field.bytes} bytes`);
    if (field.offset < end) throw new StructLayoutError(`${name}: field ${field.name} at ${field.offset} overlaps the field before it (ends at ${end})`);
    end = field.offset + field.bytes * field.count;
  }
  return { name, era, source, fields, size: end };
}

/** The fields (with element index) whose bytes meet `[offset, offset + bytes)`, as `name[i]` or `name`. */
export function fieldsAt(layout: StructLayout, offset: number, bytes: number): readonly string[] {
  const out: string[] = [];
  for (const field of layout.fields) {
    for (let i = 0; i < field.count; i++) {
      const start = field.offset + i * field.bytes;
      if (start < offset + bytes && start + field.bytes > offset) out.push(field.count === 1 ? field.name : `${field.name}[${i}]`);
    }
  }
  return out;
}

/** A structure's bytes with access by field. */
export class StructImage {
  /** The bytes. */
  readonly bytes: Uint8Array;

  /** @param layout the structure's layout. */
  constructor(readonly layout: StructLayout) {
    this.bytes = new Uint8Array(layout.size);
  }

  /** The field named `name`, or a {@link StateError}. */
  field(name: string): StructField {
    const field = this.layout.fields.find((f) => f.name === name);
    if (field === undefined) throw new StateError(`${this.layout.name} has no field '${name}'`);
    return field;
  }

  /** Byte offset of element `index` of field `name`; the index may lie outside the array (C pointer arithmetic). */
  offsetOf(name: string, index = 0): number {
    const field = this.field(name);
    return field.offset + index * field.bytes;
  }

  /** Read `bytes` little-endian bytes at `offset`. */
  read(offset: number, bytes: number): bigint {
    if (offset < 0 || offset + bytes > this.bytes.length) throw new StateError(`${this.layout.name}: bytes ${offset}..${offset + bytes - 1} lie outside the modelled ${this.bytes.length} bytes`);
    let value = 0n;
    for (let i = bytes - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.bytes[offset + i]!);
    return value;
  }

  /** Write `bytes` little-endian bytes of `value` at `offset`. */
  write(offset: number, bytes: number, value: bigint): void {
    if (offset < 0 || offset + bytes > this.bytes.length) throw new StateError(`${this.layout.name}: bytes ${offset}..${offset + bytes - 1} lie outside the modelled ${this.bytes.length} bytes`);
    for (let i = 0; i < bytes; i++) this.bytes[offset + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  }

  /** Element `index` of field `name`. */
  get(name: string, index = 0): bigint {
    const field = this.field(name);
    if (index < 0 || index >= field.count) throw new StateError(`${this.layout.name}.${name}[${index}] is out of bounds (${field.count} elements)`);
    return this.read(field.offset + index * field.bytes, field.bytes);
  }

  /** Set element `index` of field `name` (the value is truncated to the element). */
  set(name: string, index: number, value: bigint): void {
    const field = this.field(name);
    if (index < 0 || index >= field.count) throw new StateError(`${this.layout.name}.${name}[${index}] is out of bounds (${field.count} elements)`);
    this.write(field.offset + index * field.bytes, field.bytes, value);
  }

  /** A copy. */
  clone(): StructImage {
    const copy = new StructImage(this.layout);
    copy.bytes.set(this.bytes);
    return copy;
  }
}
