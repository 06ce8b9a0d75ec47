/**
 * A trap as a user writes it (`hyplay dispatch arm32 hvc r0=1 --imm 0xea1
 * --from kernel`, or one JSON line of `--batch`), checked against the
 * architecture and turned into a {@link TrapQuery}. Every check gives a
 * {@link TrapInputError} with one line that names the input:
 * - the conduit must be one the backend (or a spec) has;
 * - the immediate must fit the conduit's instruction (HVC imm16, SMC imm4,
 *   SVC imm24; ppc64 `sc` reports none: LEV is the conduit), as the backend
 *   declares in `ArchBackend.immediates`;
 * - a register must exist and its value fit the register's width (32 bits
 *   for arm32 core registers, 64 for its 64-bit cp15 registers and for
 *   ppc64 GPRs), two's complement allowed for negatives;
 * - a register no spec on the conduit reads (see `DispatchTable.reads`) would
 *   be ignored, so it is an error, unless it is one of the backend's
 *   `originRegisters` (arm32 CPSR, VTTBR; ppc64 MSR), whose value gives the
 *   caller's privilege and world: it is honoured, and an explicit `--from` or
 *   `--world` that contradicts it is an error;
 * - the privilege is a privilege name (user, kernel, hyp); a CPU mode there
 *   is an error that names the privilege the mode runs at.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import { PRIVILEGES, WORLDS, type Privilege, type World } from '../abi/spec.ts';
import { hexValue } from '../abi/value-set.ts';
import type { ArchBackend, ConduitImmediate, OriginRegister } from '../interp/backend.ts';
import { dispatchTable } from './dispatch-table.ts';
import type { TrapQuery } from './dispatch-table.ts';
import { ResolvedRegisters } from './trap-registers.ts';

/** Bad trap input; the message is one line naming the input. */
export class TrapInputError extends Error {
  /** Always `'TrapInputError'`. */
  override readonly name = 'TrapInputError';
}

/** The immediate of a conduit the backend does not describe: up to 24 bits, the widest modelled (A32 SVC). */
const DEFAULT_IMMEDIATE: ConduitImmediate = { field: 'immediate', bits: 24 };

const NUMBER = /^-?(0x[0-9a-f]+|0b[01]+|\d+)$/i;

/** Parse a number as the CLI takes it (decimal, `0x` hex or `0b` binary, optional `-`), or `undefined`. */
export function parseNumber(text: string): bigint | undefined {
  const t = text.trim();
  if (!NUMBER.test(t)) return undefined;
  return t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t);
}

/** How a trap names where each of its parts came from, for messages (`argument 4`, `registers.r0`). */
export interface TrapLabels {
  /** The label of register `name` as given (e.g. `r0 (argument 3)`). */
  register(name: string): string;
  /** The label of the immediate (`--imm`, `imm`). */
  readonly imm: string;
  /** The label of the privilege (`--from`, `from`). */
  readonly from: string;
  /** The label of the world (`--world`, `world`). */
  readonly world: string;
}

/** A trap as given: text (or numbers) still to check. */
export interface TrapText {
  /** Conduit instruction. */
  readonly conduit: string;
  /** The immediate, when given. */
  readonly imm?: string | number;
  /** The privilege name, when given. */
  readonly from?: string;
  /** The world name, when given. */
  readonly world?: string;
  /** Registers as given: lowercase or any case names, values as numbers (decimal or `0x` hex text, or plain numbers). */
  readonly registers: readonly (readonly [string, string | number])[];
}

/**
 * What one architecture accepts in a trap, built once per backend and
 * registry (register names and widths, conduits, immediates, origin
 * registers), and the checks.
 */
export class TrapInput {
  /** The conduits: the backend's list, and any a spec of the architecture uses, sorted. */
  readonly conduits: readonly string[];
  /** Every register by lowercase name, with its width in bits (the width the machine keeps: all ones written and read back). */
  readonly widths: ReadonlyMap<string, number>;
  /** The architecture's CPU modes (what `--from` must not be given). */
  readonly modes: readonly string[];
  private readonly origins: ReadonlyMap<string, OriginRegister>;

  /**
   * @param backend the architecture.
   * @param registry the specs (for the conduits and the registers they read).
   */
  constructor(
    readonly backend: ArchBackend,
    private readonly registry: AbiRegistry,
  ) {
    const names = new Set(backend.conduits ?? []);
    for (const abi of registry.all(backend.name)) names.add(abi.spec.conduit.instruction);
    this.conduits = [...names].sort();
    const widths = new Map<string, number>();
    const probe = backend.createMachine();
    this.modes = probe.modes;
    // A register keeps the bits it has: all ones read back as 32 or 64 of them (a mode change on the way does not change any register's width).
    for (const name of Object.keys(probe.registers())) {
      probe.setRegister(name, (1n << 64n) - 1n);
      widths.set(name, probe.register(name) > 0xffff_ffffn ? 64 : 32);
    }
    // Registers a spec reads that the machine takes but does not dump (x86's hidden segment parts, cs_attr): a trap may give them too.
    for (const name of new Set(this.conduits.flatMap((conduit) => [...dispatchTable(registry, backend.name, conduit).reads]))) {
      if (widths.has(name)) continue;
      try {
        probe.setRegister(name, (1n << 64n) - 1n);
        widths.set(name, probe.register(name) > 0xffff_ffffn ? 64 : 32);
      } catch {
        // Not a register of the machine: a spec's own name (a pseudo register the dispatcher alone reads) stays unknown here.
      }
    }
    this.widths = widths;
    this.origins = new Map((backend.originRegisters ?? []).map((r) => [r.register, r]));
  }

  /** The immediate of a conduit's instruction. */
  immediate(conduit: string): ConduitImmediate {
    return this.backend.immediates?.[conduit] ?? DEFAULT_IMMEDIATE;
  }

  /** The hex digits a register is printed with (its width / 4). */
  digits(register: string): number {
    return (this.widths.get(register) ?? 64) / 4;
  }

  /** A register value as `0x` hex at the register's width. */
  registerHex(register: string, value: bigint): string {
    return `0x${value.toString(16).padStart(this.digits(register), '0')}`;
  }

  /** {@link TrapInput.registerHex} as a bound function. */
  readonly hex = (register: string, value: bigint): string => this.registerHex(register, value);

  /** The immediate as written in a trap line: `#0xea1`, or nothing where the conduit reports none. */
  immediateText(conduit: string, imm: number): string {
    return this.immediate(conduit).bits === 0 ? '' : ` #${hexValue(BigInt(imm))}`;
  }

  /** Check a conduit name. */
  checkConduit(conduit: string): void {
    if (!this.conduits.includes(conduit)) throw new TrapInputError(`unknown conduit '${conduit}' for ${this.backend.name} (one of ${this.conduits.join(', ')})`);
  }

  /** Check the immediate against the conduit's field. */
  parseImm(conduit: string, value: string | number | undefined, label: string): number {
    if (value === undefined) return 0;
    const imm = typeof value === 'number' ? (Number.isSafeInteger(value) ? BigInt(value) : undefined) : parseNumber(value);
    if (imm === undefined) throw new TrapInputError(`${label}: '${value}' is not a number (decimal or 0x hex)`);
    const field = this.immediate(conduit);
    const max = (1n << BigInt(field.bits)) - 1n;
    if (imm < 0n || imm > max) {
      if (field.bits === 0) throw new TrapInputError(`${label}: ${conduit} reports no immediate (${field.note ?? `its ${field.field} is fixed`}): give 0 or leave it out`);
      throw new TrapInputError(`${label}: ${value} does not fit ${conduit}'s ${field.field} (0..${hexValue(max)})`);
    }
    return Number(imm);
  }

  /** A register's value, checked against its width (negative values are two's complement); `given` is the name as the user spelled it. */
  parseRegister(name: string, value: string | number, label: string, given: string = name): bigint {
    const width = this.widths.get(name);
    if (width === undefined) throw new TrapInputError(`unknown register '${given}' for ${this.backend.name} (${label})`);
    const parsed = typeof value === 'number' ? (Number.isSafeInteger(value) ? BigInt(value) : undefined) : parseNumber(value);
    if (parsed === undefined) throw new TrapInputError(`${name} (${label}): '${value}' is not a number (decimal or 0x hex)`);
    if (parsed > (1n << BigInt(width)) - 1n || parsed < -(1n << BigInt(width - 1))) throw new TrapInputError(`${name} (${label}): ${value} does not fit a ${width}-bit register`);
    return BigInt.asUintN(width, parsed);
  }

  /** Check a privilege name; a CPU mode gets a message naming the privilege it runs at. */
  parsePrivilege(text: string, label: string): Privilege {
    if ((PRIVILEGES as readonly string[]).includes(text)) return text as Privilege;
    if (this.modes.includes(text)) {
      const runsAt = this.privilegeOfMode(text);
      throw new TrapInputError(`${label}: '${text}' is a CPU mode of ${this.backend.name}, not a privilege: give one of ${PRIVILEGES.join(', ')}${runsAt === undefined ? '' : ` (${text} runs at ${runsAt})`}`);
    }
    throw new TrapInputError(`${label}: '${text}' is not one of ${PRIVILEGES.join(', ')}`);
  }

  /** The privilege a CPU mode runs at, as the backend's origin registers read it in that mode. */
  private privilegeOfMode(mode: string): Privilege | undefined {
    const machine = this.backend.createMachine();
    machine.setMode(mode);
    for (const origin of this.origins.values()) {
      const privilege = origin.read(machine.register(origin.register)).privilege;
      if (privilege !== undefined) return privilege;
    }
    return undefined;
  }

  /** Check a world name. */
  parseWorld(text: string, label: string): World {
    if ((WORLDS as readonly string[]).includes(text)) return text as World;
    throw new TrapInputError(`${label}: '${text}' is not one of ${WORLDS.join(', ')}`);
  }

  /** Check every part of a trap and build the query (privilege `kernel` and both worlds unless given or read from an origin register). */
  query(trap: TrapText, labels: TrapLabels): TrapQuery {
    const conduit = trap.conduit;
    this.checkConduit(conduit);
    const imm = this.parseImm(conduit, trap.imm, labels.imm);
    let privilege = trap.from === undefined ? undefined : this.parsePrivilege(trap.from, labels.from);
    let world = trap.world === undefined ? undefined : this.parseWorld(trap.world, labels.world);
    const reads = dispatchTable(this.registry, this.backend.name, conduit).reads;
    const registers: Record<string, bigint> = {};
    // Where the privilege and world came from, when an origin register gave them (for a contradiction between two registers).
    let privilegeFrom: string | undefined;
    let worldFrom: string | undefined;
    for (const [given, text] of trap.registers) {
      const alias = this.backend.registerAliases?.[given.toLowerCase()];
      if (alias !== undefined) {
        // A narrower name for part of a register (x86 `eax`): its value, checked at the alias's width, is the register's (zero-extended).
        const name = alias.register;
        const label = labels.register(given);
        if (Object.hasOwn(registers, name)) throw new TrapInputError(`register '${name}' is given twice (${label}: ${given.toLowerCase()} is its low ${alias.bits} bits)`);
        const parsed = typeof text === 'number' ? (Number.isSafeInteger(text) ? BigInt(text) : undefined) : parseNumber(text);
        if (parsed === undefined) throw new TrapInputError(`${given} (${label}): '${text}' is not a number (decimal or 0x hex)`);
        if (parsed > (1n << BigInt(alias.bits)) - 1n || parsed < -(1n << BigInt(alias.bits - 1))) throw new TrapInputError(`${given} (${label}): ${text} does not fit ${alias.bits} bits`);
        if (!this.origins.has(name) && !reads.has(name)) {
          const read = [...reads];
          throw new TrapInputError(`${given} (${label}): no spec on ${this.backend.name} ${conduit} reads ${name}, so its value would be ignored (${read.length === 0 ? 'no spec is registered on the conduit' : `they read ${read.join(', ')}`})`);
        }
        registers[name] = BigInt.asUintN(alias.bits, parsed);
        continue;
      }
      const name = given.toLowerCase();
      const label = labels.register(given);
      if (Object.hasOwn(registers, name)) throw new TrapInputError(`register '${name}' is given twice (${label})`);
      const value = this.parseRegister(name, text, label, given);
      const origin = this.origins.get(name);
      if (origin !== undefined) {
        const reading = origin.read(value);
        const where = `${name} (${label})`;
        if (reading.error !== undefined) throw new TrapInputError(`${where}: ${reading.error}`);
        if (reading.privilege !== undefined) {
          if (privilege !== undefined && privilege !== reading.privilege) {
            throw new TrapInputError(`${where}: ${reading.field} means ${reading.privilege}, but ${privilegeFrom ?? labels.from} says ${privilege}`);
          }
          privilege = reading.privilege;
          privilegeFrom ??= where;
        }
        if (reading.world !== undefined) {
          if (world !== undefined && world !== reading.world) throw new TrapInputError(`${where}: ${reading.field} means the ${reading.world}, but ${worldFrom ?? labels.world} says ${world}`);
          world = reading.world;
          worldFrom ??= where;
        }
      } else if (!reads.has(name)) {
        const read = [...reads];
        throw new TrapInputError(`${name} (${label}): no spec on ${this.backend.name} ${conduit} reads ${name}, so its value would be ignored (${read.length === 0 ? 'no spec is registered on the conduit' : `they read ${read.join(', ')}`})`);
      }
      registers[name] = value;
    }
    return { arch: this.backend.name, conduit, imm, privilege: privilege ?? 'kernel', ...(world === undefined ? {} : { world }), registers, resolved: new ResolvedRegisters(registers) };
  }
}
