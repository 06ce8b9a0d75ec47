/**
 * CPU state as plain data.
 *
 * A backend keeps its whole architectural state in one object made of
 * numbers, bigints, strings, booleans, typed arrays and nested plain objects.
 * Behaviour lives elsewhere. That makes snapshot and restore generic: a
 * snapshot is a deep copy, and restore writes the copy back *in place*, so
 * that predecoded handlers holding references to the state's arrays stay
 * valid.
 *
 * @module
 */

/** A typed array that can hold register values. */
export type RegisterArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | BigUint64Array | Float64Array;

/** A value allowed inside plain CPU state. */
export type PlainValue = number | bigint | string | boolean | RegisterArray | PlainState;

/** Plain CPU state: a tree of plain values. */
export interface PlainState {
  [key: string]: PlainValue;
}

/** A deep copy of plain state. */
export function snapshotState<S extends object>(state: S): S {
  return structuredClone(state);
}

/**
 * Write `snapshot` back into `target` in place: typed arrays are copied into
 * the existing arrays, nested objects are restored recursively, and scalar
 * fields are assigned.
 */
export function restoreState<S extends object>(target: S, snapshot: S): void {
  const into = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(snapshot as Record<string, unknown>)) {
    const current = into[key];
    if (ArrayBuffer.isView(value) && ArrayBuffer.isView(current)) {
      (current as unknown as { set(source: ArrayLike<number | bigint>): void }).set(value as unknown as ArrayLike<number>);
    } else if (value !== null && typeof value === 'object' && current !== null && typeof current === 'object') {
      restoreState(current, value);
    } else {
      into[key] = value;
    }
  }
}

/** `0x`-prefixed lowercase hex of an unsigned 32-bit value, 8 digits. */
export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/** `0x`-prefixed lowercase hex of an unsigned 64-bit value, 16 digits. */
export function hex64(value: bigint): string {
  return `0x${BigInt.asUintN(64, value).toString(16).padStart(16, '0')}`;
}

/** Lowercase hex of a byte sequence in memory order, space-separated (`70 00 40 e1`). */
export function hexBytes(bytes: ArrayLike<number>): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!.toString(16).padStart(2, '0'));
  return out.join(' ');
}
