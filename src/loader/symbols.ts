/**
 * An image's symbols, for naming addresses in traces (`<__hyp_stub_install+0x8>`).
 *
 * A kernel runs at its physical load address until its MMU is on and at
 * its link (virtual) address after, so each symbol inside a segment whose
 * physical and virtual addresses differ is also known at its physical
 * alias.
 *
 * @module
 */

import type { ElfSegment, ElfSymbol } from './elf.ts';

interface Entry {
  readonly start: bigint;
  end: bigint;
  readonly name: string;
}

/** By address, then (for a deterministic order) by name. */
function byStart(a: Entry, b: Entry): number {
  return a.start < b.start ? -1 : a.start > b.start ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Sort `list` and let each label with no size run to the next symbol
 * starting above it (as addr2line and kallsyms name addresses); the last
 * runs to `limit(start)`, the end of the segment holding it.
 */
function extend(list: Entry[], limit: (start: bigint) => bigint): Entry[] {
  list.sort(byStart);
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.end > list[i]!.start) continue;
    let next = i + 1;
    while (next < list.length && list[next]!.start === list[i]!.start) next++;
    list[i]!.end = next < list.length ? list[next]!.start : limit(list[i]!.start);
  }
  return list;
}

/** A sorted symbol table. */
export class SymbolTable {
  /** A table with no symbols. */
  static readonly EMPTY = new SymbolTable([], []);

  private readonly linked = new Map<string, bigint>();
  private readonly starts: bigint[];
  private readonly names: string[];
  private readonly ends: bigint[];

  /**
   * @param symbols the image's symbols.
   * @param segments its segments, for the physical aliases.
   */
  constructor(symbols: readonly ElfSymbol[], segments: readonly Pick<ElfSegment, 'physical' | 'virtual' | 'memorySize'>[]) {
    const links: Entry[] = [];
    const aliases: Entry[] = [];
    for (const symbol of symbols) {
      // A size-0 symbol (an assembly label) is given its extent by `extend`, up to the next symbol.
      const end = symbol.value + (symbol.size > 0n ? symbol.size : 0n);
      links.push({ start: symbol.value, end, name: symbol.name });
      if (!this.linked.has(symbol.name)) this.linked.set(symbol.name, symbol.value);
      const segment = segments.find((s) => s.physical !== s.virtual && symbol.value >= s.virtual && symbol.value < s.virtual + BigInt(s.memorySize));
      if (segment !== undefined) {
        const delta = segment.virtual - segment.physical;
        aliases.push({ start: symbol.value - delta, end: end - delta, name: symbol.name });
      }
    }
    // Labels are extended within their own list, so a physical alias never runs on into the link addresses.
    const limit = (physical: boolean) => (start: bigint): bigint => {
      const holder = segments.find((s) => {
        const base = physical ? s.physical : s.virtual;
        return start >= base && start < base + BigInt(s.memorySize);
      });
      return holder === undefined ? start + 1n : (physical ? holder.physical : holder.virtual) + BigInt(holder.memorySize);
    };
    const all = [...extend(links, limit(false)), ...extend(aliases, limit(true))].sort(byStart);
    this.starts = all.map((s) => s.start);
    this.ends = all.map((s) => s.end);
    this.names = all.map((s) => s.name);
  }

  /** How many entries (physical aliases count separately). */
  get size(): number {
    return this.starts.length;
  }

  /** The address of the symbol `name` (its first entry: the link address), if the table has it. */
  address(name: string): bigint | undefined {
    return this.linked.get(name);
  }

  /**
   * `name` or `name+0xOFF` for the symbol covering `address`: the last one
   * starting at or below it whose extent reaches it (a symbol without a
   * size reaches the next symbol, the last one the end of its segment).
   * `undefined` when none does.
   */
  nameOf(address: number | bigint): string | undefined {
    const a = BigInt(address);
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= a) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Several symbols may start at or below `a`; take the nearest one below that covers it.
    for (let i = found; i >= 0 && i > found - 8; i--) {
      if (a < this.ends[i]!) {
        const offset = a - this.starts[i]!;
        return offset === 0n ? this.names[i] : `${this.names[i]}+0x${offset.toString(16)}`;
      }
    }
    return undefined;
  }
}
