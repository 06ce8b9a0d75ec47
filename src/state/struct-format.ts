/**
 * A {@link StateFormat} over a structure layout: the export lists every
 * field element at its byte offset (`banked_spsr[1]` at 352), so a VMM's
 * view of a guest is compared field by field with the bytes a bug wrote.
 *
 * @module
 */

import { StateError, type ArchitecturalRegister, type ArchitecturalState } from './architectural-state.ts';
import type { FormatDoc, FormatEntry, FormatImage, ImportResult, StateFormat } from './state-format.ts';
import { StructImage, type StructLayout } from './struct-layout.ts';

/** How a structure format fills and reads its structure. */
export interface StructFormatSpec {
  /** Format id. */
  readonly id: string;
  /** One line. */
  readonly title: string;
  /** Guest architectures. */
  readonly guests: readonly string[];
  /** Eras its rules differ by. */
  readonly eras: readonly string[];
  /** The layout. */
  readonly layout: StructLayout;
  /** A fresh structure for a guest. */
  reset(guest: string): StructImage;
  /** Write a canonical state into the structure. */
  fill(state: ArchitecturalState, image: StructImage): void;
  /** Read the canonical state back. */
  read(image: StructImage, guest: string, registers: readonly ArchitecturalRegister[]): ArchitecturalState;
  /** The docs page. */
  docs(): FormatDoc;
}

/** The every-field-element entries of a structure image. */
export function structEntries(image: StructImage): readonly FormatEntry[] {
  return image.layout.fields.flatMap((field) =>
    Array.from({ length: field.count }, (_, i): FormatEntry => ({ name: field.count === 1 ? field.name : `${field.name}[${i}]`, offset: field.offset + i * field.bytes, bytes: field.bytes, value: image.get(field.name, i) })),
  );
}

/** Build the format. */
export function structStateFormat(spec: StructFormatSpec): StateFormat {
  return {
    id: spec.id,
    title: spec.title,
    guests: spec.guests,
    source: spec.layout.source,
    eras: spec.eras,
    export(state: ArchitecturalState): FormatImage {
      if (!spec.guests.includes(state.arch)) throw new StateError(`format ${spec.id} does not carry ${state.arch} state`);
      const image = spec.reset(state.arch);
      spec.fill(state, image);
      return { format: spec.id, guest: state.arch, entries: structEntries(image) };
    },
    import(image: FormatImage, registers: readonly ArchitecturalRegister[]): ImportResult {
      if (image.format !== spec.id) throw new StateError(`the image is in format ${image.format}, not ${spec.id}`);
      if (!spec.guests.includes(image.guest)) throw new StateError(`format ${spec.id} does not carry ${image.guest} state`);
      const struct = spec.reset(image.guest);
      for (const entry of image.entries) {
        if (entry.offset === undefined) throw new StateError(`${spec.id}: entry ${entry.name} has no byte offset`);
        struct.write(entry.offset, entry.bytes, entry.value);
      }
      return { state: spec.read(struct, image.guest, registers), dropped: [] };
    },
    docs: spec.docs,
  };
}
