/**
 * Literal pools: the values `ldr r0, =value` loads, collected per section
 * until `.ltorg` / `.pool` or the end of the section places them, as
 * llvm-mc's `ConstantPools` does. Equal constants share an entry; every
 * other value (a label, `. + 4`) gets its own, as in llvm-mc 14.
 *
 * Each request is numbered in the order the assembler meets it, so a later
 * pass can hand out the address an earlier pass placed it at, and check it.
 *
 * @module
 */

import type { LiteralRequest } from './operand.ts';

/** One pool entry waiting to be placed. */
export interface PendingLiteral {
  /** The value. */
  readonly value: bigint;
  /** Its size in bytes. */
  readonly size: number;
  /** The requests it answers (their numbers). */
  readonly requests: number[];
}

/** The entries of one section's pool that are not placed yet. */
export class LiteralPool {
  /** Entries in request order. */
  readonly entries: PendingLiteral[] = [];
  private readonly constants = new Map<string, PendingLiteral>();

  /** Add request number `request`, sharing an entry with an equal constant already waiting. */
  add(request: number, literal: LiteralRequest): void {
    const key = literal.constant ? `${literal.size}:${literal.value}` : undefined;
    const shared = key === undefined ? undefined : this.constants.get(key);
    if (shared !== undefined) {
      shared.requests.push(request);
      return;
    }
    const entry: PendingLiteral = { value: literal.value, size: literal.size, requests: [request] };
    this.entries.push(entry);
    if (key !== undefined) this.constants.set(key, entry);
  }

  /** Whether nothing is waiting. */
  get empty(): boolean {
    return this.entries.length === 0;
  }

  /** Take every waiting entry (the pool is then empty). */
  take(): PendingLiteral[] {
    const out = this.entries.splice(0);
    this.constants.clear();
    return out;
  }
}
