/**
 * Register values on the command line: `REG=VAL` assignments (`dispatch`,
 * `run`), register lists (`run --regs`), and printing a value at its
 * register's width.
 *
 * @module
 */

import type { BackendRegistry } from '../di/container.ts';
import type { ArchBackend } from '../interp/backend.ts';
import { MachineError, type Machine } from '../interp/machine.ts';
import { CliError, parseCliNumber } from './cli-error.ts';

/** Why {@link pcNumber} refused a value, for an error message. */
export const UNREPRESENTABLE_PC = 'hyplay holds 64-bit addresses in their signed representation, exact within ±2^53 (every canonical address is)';

/**
 * The number a machine with `width`-bit registers holds the PC `value` as:
 * on a 64-bit machine the signed representation of 64-bit virtual addresses
 * (arch/README.md, "64-bit virtual addresses as numbers"), so an
 * upper-half address is a small negative number. `undefined` when that
 * number would not be exact (beyond ±2^53: never a canonical address).
 * `value` is taken to be in range (0 to 2^width − 1).
 */
export function pcNumber(value: bigint, width: number): number | undefined {
  const pc = width === 64 ? BigInt.asIntN(64, value) : value;
  const exact = BigInt(Number.MAX_SAFE_INTEGER);
  return pc > exact || pc < -exact ? undefined : Number(pc);
}

/** Width in bits of the machine's registers, from its register dump (hex digits × 4). */
export function registerWidth(machine: Machine): number {
  const first = Object.values(machine.registers())[0];
  return first === undefined ? 64 : (first.length - 2) * 4;
}

/** The register width of each backend of `backends` by name (one machine made per backend, on first ask); `undefined` for an unknown name. */
export function registerWidths(backends: BackendRegistry): (arch: string) => number | undefined {
  const known = new Map<string, number>();
  return (arch) => {
    let width = known.get(arch);
    if (width === undefined) {
      const backend = backends.get(arch);
      if (backend === undefined) return undefined;
      width = registerWidth(backend.createMachine());
      known.set(arch, width);
    }
    return width;
  };
}

/** `value` as `0x` hex at a register's width (`0x00000001` on a 32-bit machine). */
export function registerHex(value: bigint, width: number): string {
  return `0x${BigInt.asUintN(width, value).toString(16).padStart(Math.ceil(width / 4), '0')}`;
}

function knownRegister(machine: Machine, name: string): boolean {
  try {
    machine.register(name);
    return true;
  } catch (error) {
    if (error instanceof MachineError) return false;
    throw error;
  }
}

/**
 * Parse `REG=VAL` arguments against `machine`'s register names. Unknown
 * names, malformed pairs, repeated registers and values that do not fit the
 * register are {@link CliError}s naming `command` and the argument's
 * position (`firstPosition` is the first assignment's, counting the
 * command's own arguments from 1). Values may be decimal or `0x` hex; a
 * negative value is taken two's complement (`r0=-1`). Names are lowercased.
 */
export function parseAssignments(machine: Machine, arch: string, assignments: readonly string[], command: string, firstPosition: number): Record<string, bigint> {
  const width = registerWidth(machine);
  const top = (1n << BigInt(width)) - 1n;
  const out: Record<string, bigint> = {};
  assignments.forEach((text, index) => {
    const where = `argument ${firstPosition + index}`;
    const position = { input: where };
    const match = /^([^=\s]+)=(.*)$/.exec(text.trim());
    if (match === null) throw new CliError(`${command}: '${text}' (${where}) is not REG=VAL`, position);
    const name = match[1]!.toLowerCase();
    if (!knownRegister(machine, name)) throw new CliError(`${command}: unknown register '${match[1]}' for ${arch} (${where})`, position);
    if (name in out) throw new CliError(`${command}: register '${name}' is given twice (${where})`, position);
    const value = parseCliNumber(match[2]!, `${command}: ${name} (${where})`);
    if (value > top || value < -(1n << BigInt(width - 1))) throw new CliError(`${command}: ${name} (${where}): ${match[2]} does not fit a ${width}-bit register`, position);
    out[name] = BigInt.asUintN(width, value);
  });
  return out;
}

/** {@link parseAssignments} against a fresh machine of `backend`. */
export function parseRegisterAssignments(backend: ArchBackend, assignments: readonly string[], command: string, firstPosition: number): Record<string, bigint> {
  return parseAssignments(backend.createMachine(), backend.name, assignments, command, firstPosition);
}

/**
 * A comma-separated register list (`r0,r1,cpsr`) checked against `machine`,
 * lowercased, in the order given, each once. Throws {@link CliError} naming
 * `option`.
 */
export function parseRegisterList(machine: Machine, arch: string, text: string, option: string): string[] {
  const names = text.split(',').map((n) => n.trim().toLowerCase());
  const out: string[] = [];
  for (const name of names) {
    if (name === '') throw new CliError(`${option}: empty register name in '${text}'`, { input: option });
    if (!knownRegister(machine, name)) throw new CliError(`${option}: unknown register '${name}' for ${arch}`, { input: option });
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
