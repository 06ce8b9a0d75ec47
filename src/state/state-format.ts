/**
 * A state format: a declarative description of how a kernel or VMM lays
 * out a guest's CPU state (its registers, their IDs or offsets, sizes and
 * banks, and per-era rules), from which export, import, the docs pages and
 * the tests all derive. {@link oneRegStateFormat} builds one from a
 * {@link OneRegFormat} table.
 *
 * An export is a {@link FormatImage}: the format's registers in order, each
 * with its ID (ONE_REG) or byte offset (a structure) and its value. JSON
 * files hold the same thing ({@link formatImageJson}, {@link parseFormatImage}).
 *
 * @module
 */

import { StateError, widthMask, type ArchitecturalRegister, type ArchitecturalState } from './architectural-state.ts';
import { emptyCoreFile, oneRegIdHex, readWords, writeWords, type CoreFile, type OneRegFormat } from './one-reg.ts';

/** One register of an exported image. */
export interface FormatEntry {
  /** The format's name for it (`spsr[0]`). */
  readonly name: string;
  /** Its ONE_REG ID, for ID-addressed formats. */
  readonly id?: bigint;
  /** Its byte offset, for structure formats. */
  readonly offset?: number;
  /** Its size in bytes. */
  readonly bytes: number;
  /** Its value. */
  readonly value: bigint;
}

/** A state exported in a format. */
export interface FormatImage {
  /** The format id. */
  readonly format: string;
  /** The guest architecture whose state it holds. */
  readonly guest: string;
  /** The registers, in the format's order. */
  readonly entries: readonly FormatEntry[];
}

/** A table of a format's docs page. */
export interface FormatDocTable {
  /** Its heading. */
  readonly title: string;
  /** Column headings. */
  readonly header: readonly string[];
  /** Rows of cells (Markdown inline text). */
  readonly rows: readonly (readonly string[])[];
}

/** What a format's docs page shows, generated from its description. */
export interface FormatDoc {
  /** Paragraphs before the tables. */
  readonly intro: readonly string[];
  /** The tables (registers, IDs, banks, eras). */
  readonly tables: readonly FormatDocTable[];
}

/** What an import gives: the state, and what the format could not carry back. */
export interface ImportResult {
  /** The canonical state. */
  readonly state: ArchitecturalState;
  /** One line per value the format held that the guest's state has no place for (a non-zero register KVM keeps 0, high bits of a 32-bit register). */
  readonly dropped: readonly string[];
}

/** A state format. */
export interface StateFormat {
  /** Its id (`kvm-arm64-core`). */
  readonly id: string;
  /** One line. */
  readonly title: string;
  /** Guest architectures whose state it carries, the native one first. */
  readonly guests: readonly string[];
  /** Where it is read from. */
  readonly source: string;
  /** The eras its rules differ by (for the docs and `--era`). */
  readonly eras: readonly string[];
  /** Export a canonical state (its `arch` one of {@link StateFormat.guests}). */
  export(state: ArchitecturalState): FormatImage;
  /** Import an image into a full canonical state of `registers` (the guest's); registers the format does not carry are 0. */
  import(image: FormatImage, registers: readonly ArchitecturalRegister[]): ImportResult;
  /** The docs page's content. */
  docs(): FormatDoc;
  /** The ONE_REG table behind it, for ID-addressed formats (write validation by era). */
  readonly oneReg?: OneRegFormat;
}

function requireGuest(format: { id: string; guests: readonly string[] }, guest: string): void {
  if (!format.guests.includes(guest)) throw new StateError(`format ${format.id} does not carry ${guest} state (it carries ${format.guests.join(', ')})`);
}

/** The core file a canonical state gives in `format`: each register holds its guest's canonical register, or 0. */
export function coreFileOf(format: OneRegFormat, state: ArchitecturalState): CoreFile {
  requireGuest(format, state.arch);
  const file = emptyCoreFile(format);
  for (const register of format.registers) {
    const name = register.holds[state.arch];
    if (name === undefined) continue;
    const value = state.registers[name];
    if (value === undefined) throw new StateError(`${format.id}: the ${state.arch} state has no register '${name}' (for ${register.name})`);
    writeWords(file, register.word, register.bytes, value);
  }
  return file;
}

/** The canonical state a core file holds for a guest of `guest` with `registers`. */
export function stateOfCoreFile(format: OneRegFormat, file: CoreFile, guest: string, registers: readonly ArchitecturalRegister[]): ImportResult {
  requireGuest(format, guest);
  const widths = new Map(registers.map((r) => [r.name, r.bits]));
  const values: Record<string, bigint> = Object.fromEntries(registers.map((r) => [r.name, 0n]));
  const dropped: string[] = [];
  for (const register of format.registers) {
    const value = readWords(file, register.word, register.bytes);
    const name = register.holds[guest];
    if (name === undefined) {
      if (value !== 0n) dropped.push(`${register.name} = 0x${value.toString(16)}: a ${guest} guest has no register there`);
      continue;
    }
    const bits = widths.get(name);
    if (bits === undefined) throw new StateError(`${format.id}: ${register.name} holds '${name}', which ${guest} does not define`);
    const kept = value & widthMask(bits);
    if (kept !== value) dropped.push(`${register.name} = 0x${value.toString(16)}: ${name} is ${bits} bits, the high bits are lost`);
    values[name] = kept;
  }
  return { state: { arch: guest, registers: values }, dropped };
}

/** A {@link StateFormat} over a ONE_REG core-register table: one entry per register, addressed by ID. */
export function oneRegStateFormat(format: OneRegFormat, docs: () => FormatDoc): StateFormat {
  return {
    id: format.id,
    title: format.title,
    guests: format.guests,
    source: format.source,
    eras: format.eras.map((e) => e.era),
    export(state: ArchitecturalState): FormatImage {
      const file = coreFileOf(format, state);
      return {
        format: format.id,
        guest: state.arch,
        entries: format.registers.map((r, i) => ({ name: r.name, id: format.ids[i]!, bytes: r.bytes, value: readWords(file, r.word, r.bytes) })),
      };
    },
    import(image: FormatImage, registers: readonly ArchitecturalRegister[]): ImportResult {
      if (image.format !== format.id) throw new StateError(`the image is in format ${image.format}, not ${format.id}`);
      const file = emptyCoreFile(format);
      for (const entry of image.entries) {
        if (entry.id === undefined) throw new StateError(`${format.id}: entry ${entry.name} has no ONE_REG id`);
        const register = format.registerOf(entry.id);
        if (register === undefined) throw new StateError(`${format.id}: ${oneRegIdHex(entry.id)} (${entry.name}) is not one of its register IDs`);
        if (entry.value < 0n || entry.value > widthMask(8 * register.bytes)) throw new StateError(`${format.id}: ${register.name} = 0x${entry.value.toString(16)} does not fit in ${register.bytes} bytes`);
        writeWords(file, register.word, register.bytes, entry.value);
      }
      return stateOfCoreFile(format, file, image.guest, registers);
    },
    docs,
    oneReg: format,
  };
}

/** An image as JSON: IDs and values as `0x` hex strings. */
export function formatImageJson(image: FormatImage): Record<string, unknown> {
  return {
    format: image.format,
    guest: image.guest,
    registers: image.entries.map((e) => ({
      name: e.name,
      ...(e.id === undefined ? {} : { id: oneRegIdHex(e.id) }),
      ...(e.offset === undefined ? {} : { offset: e.offset }),
      bytes: e.bytes,
      value: `0x${e.value.toString(16).padStart(2 * e.bytes, '0')}`,
    })),
  };
}

function hexField(value: unknown, where: string): bigint {
  if (typeof value !== 'string' || !/^0x[0-9a-f]+$/i.test(value)) throw new StateError(`${where}: expected a 0x hex string, got ${JSON.stringify(value)}`);
  return BigInt(value);
}

/**
 * Parse the JSON of {@link formatImageJson}. A `registers` entry needs
 * `value` and either `id` (ONE_REG) or `name`; `bytes` defaults from the
 * format when the caller fills it. Throws {@link StateError} naming the
 * entry.
 */
export function parseFormatImage(json: unknown): FormatImage {
  if (typeof json !== 'object' || json === null) throw new StateError('expected a JSON object with format, guest and registers');
  const o = json as Record<string, unknown>;
  if (typeof o['format'] !== 'string') throw new StateError('"format": expected a format id string');
  if (typeof o['guest'] !== 'string') throw new StateError('"guest": expected an architecture name');
  if (!Array.isArray(o['registers'])) throw new StateError('"registers": expected an array of {id, value} pairs');
  const entries = (o['registers'] as unknown[]).map((raw, i): FormatEntry => {
    const where = `registers[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new StateError(`${where}: expected an object`);
    const e = raw as Record<string, unknown>;
    const id = e['id'] === undefined ? undefined : hexField(e['id'], `${where}.id`);
    const offset = e['offset'];
    if (offset !== undefined && (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)) throw new StateError(`${where}.offset: expected a byte offset`);
    const name = e['name'] ?? (id === undefined ? undefined : `id ${id.toString(16)}`);
    if (typeof name !== 'string') throw new StateError(`${where}: needs an "id" or a "name"`);
    const bytes = e['bytes'] ?? 8;
    if (typeof bytes !== 'number' || ![1, 2, 4, 8, 16].includes(bytes)) throw new StateError(`${where}.bytes: expected 1, 2, 4, 8 or 16`);
    return { name, ...(id === undefined ? {} : { id }), ...(offset === undefined ? {} : { offset: offset as number }), bytes, value: hexField(e['value'], `${where}.value`) };
  });
  return { format: o['format'] as string, guest: o['guest'] as string, entries };
}
