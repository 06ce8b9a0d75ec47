/**
 * A minimal flattened device tree (DTB) builder, for booting real kernels in
 * tests: the header, structure block and strings block of the Devicetree
 * Specification v0.4 §5 ("Flattened Devicetree (DTB) Format"), big-endian,
 * with an empty memory reservation map.
 *
 * @module
 */

/** A property value: a string (NUL-terminated), a list of 32-bit cells, or raw bytes. */
export type FdtValue = string | readonly number[] | Uint8Array;

/** A device tree node: its properties and children. */
export interface FdtNode {
  /** Properties in order. */
  readonly properties?: Readonly<Record<string, FdtValue>>;
  /** Child nodes by name (`memory@10000000`). */
  readonly children?: Readonly<Record<string, FdtNode>>;
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;
/** Header size in bytes (ten 32-bit fields, §5.2). */
const HEADER = 40;

function valueBytes(value: FdtValue): Uint8Array {
  if (typeof value === 'string') return new TextEncoder().encode(`${value}\0`);
  if (value instanceof Uint8Array) return value;
  const cells = value as readonly number[];
  const out = new Uint8Array(cells.length * 4);
  const view = new DataView(out.buffer);
  cells.forEach((cell, i) => view.setUint32(i * 4, cell >>> 0));
  return out;
}

/** Build the DTB of `root` (version 17, last compatible 16). */
export function buildFdt(root: FdtNode, bootCpu = 0): Uint8Array {
  const bytes: number[] = [];
  const strings: number[] = [];
  const offsets = new Map<string, number>();
  const pushWord = (w: number): void => {
    bytes.push((w >>> 24) & 0xff, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff);
  };
  const pad = (): void => {
    while (bytes.length % 4 !== 0) bytes.push(0);
  };
  const nameOffset = (name: string): number => {
    const known = offsets.get(name);
    if (known !== undefined) return known;
    const at = strings.length;
    strings.push(...new TextEncoder().encode(name), 0);
    offsets.set(name, at);
    return at;
  };
  const node = (name: string, n: FdtNode): void => {
    pushWord(FDT_BEGIN_NODE);
    bytes.push(...new TextEncoder().encode(name), 0);
    pad();
    for (const [key, value] of Object.entries(n.properties ?? {})) {
      const data = valueBytes(value);
      pushWord(FDT_PROP);
      pushWord(data.length);
      pushWord(nameOffset(key));
      bytes.push(...data);
      pad();
    }
    for (const [child, c] of Object.entries(n.children ?? {})) node(child, c);
    pushWord(FDT_END_NODE);
  };
  node('', root);
  pushWord(FDT_END);
  const reserveOffset = HEADER;
  const reserveSize = 16; // one terminating (0, 0) entry
  const structOffset = reserveOffset + reserveSize;
  const stringsOffset = structOffset + bytes.length;
  const total = stringsOffset + strings.length;
  const out = new Uint8Array((total + 3) & ~3);
  const view = new DataView(out.buffer);
  const header = [FDT_MAGIC, out.length, structOffset, stringsOffset, reserveOffset, 17, 16, bootCpu, strings.length, bytes.length];
  header.forEach((w, i) => view.setUint32(i * 4, w >>> 0));
  out.set(bytes, structOffset);
  out.set(strings, stringsOffset);
  return out;
}
