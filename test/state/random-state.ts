/**
 * Seeded random canonical states for the state property tests: a
 * mulberry32 generator (deterministic, so a failure replays), values of
 * each register's width, and a CPSR/PSTATE whose mode the caller picks.
 */

import type { ArchitecturalRegister, ArchitecturalState } from '../../src/state/architectural-state.ts';

/** A deterministic generator of 32-bit values. */
export function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A random state of `registers`; `fix` overrides some (the mode register). */
export function randomState(arch: string, registers: readonly ArchitecturalRegister[], next: () => number, fix: Readonly<Record<string, bigint>> = {}): ArchitecturalState {
  const values: Record<string, bigint> = {};
  for (const r of registers) values[r.name] = r.bits === 32 ? BigInt(next()) : (BigInt(next()) << 32n) | BigInt(next());
  return { arch, registers: { ...values, ...fix } };
}

/** `state` with `names` set to 0. */
export function zeroed(state: ArchitecturalState, names: Iterable<string>): ArchitecturalState {
  const registers = { ...state.registers };
  for (const name of names) registers[name] = 0n;
  return { arch: state.arch, registers };
}
