/**
 * A flattened device tree blob (the Devicetree Specification v0.4, chapter
 * 5: header, memory reservation block, structure block, strings block; all
 * big-endian), built from a plain node tree: the machine description a
 * kernel is booted with (r2 on arm32, x0 on arm64).
 *
 * @module
 */

/** A property value: a string, a string list, 32-bit cells, or raw bytes (an empty array is an empty property). */
export type FdtValue = string | readonly string[] | readonly number[] | Uint8Array;

/** One node: its properties in order, then its children. */
export interface FdtNode {
  /** Node name with its unit address (`memory@40000000`); `''` for the root. */
  readonly name: string;
  /** Properties, in order. */
  readonly properties?: Readonly<Record<string, FdtValue>>;
  /** Child nodes, in order. */
  readonly children?: readonly FdtNode[];
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;
const HEADER_BYTES = 40;

/** The bytes of a property value as the specification lays them out (§2.2.4: strings NUL-terminated, cells big-endian). */
function valueBytes(value: FdtValue): Uint8Array {
  const text = new TextEncoder();
  if (typeof value === 'string') return text.encode(`${value}\0`);
  if (value instanceof Uint8Array) return value;
  if (value.length > 0 && typeof value[0] === 'string') return text.encode((value as readonly string[]).map((s) => `${s}\0`).join(''));
  const cells = value as readonly number[];
  const out = new Uint8Array(cells.length * 4);
  const view = new DataView(out.buffer);
  cells.forEach((cell, i) => {
    if (!Number.isInteger(cell) || cell < 0 || cell > 0xffffffff) throw new RangeError(`a device tree cell must be a 32-bit unsigned integer, not ${cell}`);
    view.setUint32(i * 4, cell);
  });
  return out;
}

/** Split a 64-bit value into two cells (high, low), for `reg` with #address-cells / #size-cells of 2. */
export function cells64(value: number): [number, number] {
  return [Math.floor(value / 2 ** 32) >>> 0, value >>> 0];
}

/**
 * The blob for `root`, with `reserved` (address, size) pairs in the
 * memory reservation block and CPU `bootCpu` as boot_cpuid_phys.
 */
export function encodeFdt(root: FdtNode, reserved: readonly (readonly [number, number])[] = [], bootCpu = 0): Uint8Array {
  const structure: number[] = [];
  const strings: number[] = [];
  const nameOffsets = new Map<string, number>();
  const text = new TextEncoder();
  const word = (w: number): void => {
    structure.push((w >>> 24) & 0xff, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff);
  };
  const padded = (bytes: Uint8Array): void => {
    structure.push(...bytes);
    while (structure.length % 4 !== 0) structure.push(0);
  };
  const nameOffset = (name: string): number => {
    let offset = nameOffsets.get(name);
    if (offset === undefined) {
      offset = strings.length;
      strings.push(...text.encode(`${name}\0`));
      nameOffsets.set(name, offset);
    }
    return offset;
  };
  const node = (n: FdtNode): void => {
    word(FDT_BEGIN_NODE);
    padded(text.encode(`${n.name}\0`));
    for (const [name, value] of Object.entries(n.properties ?? {})) {
      const bytes = valueBytes(value);
      word(FDT_PROP);
      word(bytes.length);
      word(nameOffset(name));
      padded(bytes);
    }
    for (const child of n.children ?? []) node(child);
    word(FDT_END_NODE);
  };
  node(root);
  word(FDT_END);

  const reserveOffset = HEADER_BYTES;
  const reserveBytes = (reserved.length + 1) * 16;
  const structOffset = reserveOffset + reserveBytes;
  const stringsOffset = structOffset + structure.length;
  const total = stringsOffset + strings.length;
  const blob = new Uint8Array(Math.ceil(total / 4) * 4);
  const view = new DataView(blob.buffer);
  const header = [FDT_MAGIC, blob.length, structOffset, stringsOffset, reserveOffset, 17, 16, bootCpu, strings.length, structure.length];
  header.forEach((value, i) => view.setUint32(i * 4, value));
  reserved.forEach(([address, size], i) => {
    view.setBigUint64(reserveOffset + i * 16, BigInt(address));
    view.setBigUint64(reserveOffset + i * 16 + 8, BigInt(size));
  });
  blob.set(structure, structOffset);
  blob.set(strings, stringsOffset);
  return blob;
}
