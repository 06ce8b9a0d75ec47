/**
 * Canonical architectural CPU state: every register the architecture
 * defines for a guest, by its manual name, as a plain record of unsigned
 * values. It is what a state format exports from and imports into, so two
 * formats (a kernel's ONE_REG list, a VMM's CPU structure) are compared
 * through the architecture, never through each other.
 *
 * Nothing here names an architecture: a backend lists its registers
 * ({@link ArchitecturalRegister}) and reads them from its own plain machine
 * state (`StateSupport` in `state-support.ts`).
 *
 * @module
 */

/** One register of the canonical state. */
export interface ArchitecturalRegister {
  /** Lowercase manual name (`spsr_svc`, `x19`, `spsr_el1`). */
  readonly name: string;
  /** Width in bits. */
  readonly bits: 32 | 64;
  /** The bank it belongs to, where it is banked by mode (`svc`, `fiq`, `el1`). */
  readonly bank?: string;
  /** What it is, one line (cite the manual where it matters). */
  readonly what: string;
}

/** An architecture's canonical state: every register of its list, by name. */
export interface ArchitecturalState {
  /** The architecture's name (`arm32`, `arm64`). */
  readonly arch: string;
  /** Every register, unsigned, by lowercase name. */
  readonly registers: Readonly<Record<string, bigint>>;
}

/** A state that cannot be exported, imported or migrated: bad input, or a question the architecture has no answer to (the SPSR of a mode without one). */
export class StateError extends Error {
  /** Always `'StateError'`. */
  override readonly name = 'StateError';
}

/** The mask of an unsigned value of `bits` bits. */
export function widthMask(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n;
}

/**
 * Check `state` against `registers`: every register present, no other, each
 * value within its width. Returns the first problem, one line, or
 * `undefined`.
 */
export function checkArchitecturalState(state: ArchitecturalState, registers: readonly ArchitecturalRegister[]): string | undefined {
  const known = new Map(registers.map((r) => [r.name, r]));
  for (const name of Object.keys(state.registers)) if (!known.has(name)) return `${state.arch} has no register '${name}'`;
  for (const register of registers) {
    const value = state.registers[register.name];
    if (value === undefined) return `register '${register.name}' is missing`;
    if (value < 0n || value > widthMask(register.bits)) return `register '${register.name}' = 0x${value.toString(16)} does not fit in ${register.bits} bits`;
  }
  return undefined;
}

/** A state with every register of `registers` at 0. */
export function zeroState(arch: string, registers: readonly ArchitecturalRegister[]): ArchitecturalState {
  return { arch, registers: Object.fromEntries(registers.map((r) => [r.name, 0n])) };
}

/** One register that differs between two states. */
export interface RegisterDifference {
  /** Register name. */
  readonly name: string;
  /** Its value before. */
  readonly before: bigint;
  /** Its value after. */
  readonly after: bigint;
}

/** The registers whose values differ between `before` and `after`, in `registers` order. */
export function diffStates(before: ArchitecturalState, after: ArchitecturalState, registers: readonly ArchitecturalRegister[]): readonly RegisterDifference[] {
  const out: RegisterDifference[] = [];
  for (const { name } of registers) {
    const a = before.registers[name] ?? 0n;
    const b = after.registers[name] ?? 0n;
    if (a !== b) out.push({ name, before: a, after: b });
  }
  return out;
}

/** `0x`-prefixed lowercase hex of `value`, padded to the digits of `bits` bits. */
export function hexOf(value: bigint, bits: number): string {
  return `0x${value.toString(16).padStart(Math.ceil(bits / 4), '0')}`;
}
