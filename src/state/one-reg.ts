/**
 * KVM's ONE_REG interface in general terms: register IDs (architecture,
 * size, register group, index), a core-register file described as a table
 * of words, and the kernel's validation of a userspace write by era.
 *
 * An ID is `arch | size | group | index` (Linux `include/uapi/linux/kvm.h`:
 * `KVM_REG_ARCH_MASK` bits 63:56, `KVM_REG_SIZE_MASK` bits 55:52 holding
 * log2 of the size in bytes, then the architecture's register group and
 * index). A core-register ID indexes the kernel's register structure in
 * 32-bit words, so one table ({@link OneRegFormatSpec}) gives every ID, the
 * byte image, the docs and the write rules.
 *
 * @module
 */

import { StateError } from './architectural-state.ts';

/** Bit position of the size field (`KVM_REG_SIZE_SHIFT`). */
export const ONE_REG_SIZE_SHIFT = 52n;

/** The fields of a ONE_REG ID. */
export interface OneRegIdFields {
  /** Bits 63:56 in place (`KVM_REG_ARM64` = 0x6000000000000000). */
  readonly arch: bigint;
  /** Size in bytes (`1 << size field`). */
  readonly bytes: number;
  /** The register group (bits 31:16; `KVM_REG_ARM_CORE` = 0x0010). */
  readonly group: number;
  /** The index within the group (bits 15:0; for core registers, the 32-bit word offset). */
  readonly index: number;
  /** Bits 51:32, which every ID the kernel defines leaves 0. */
  readonly reserved: bigint;
}

/** Split a ONE_REG ID into its fields. */
export function decodeOneRegId(id: bigint): OneRegIdFields {
  return {
    arch: id & 0xff00_0000_0000_0000n,
    bytes: 1 << Number((id >> ONE_REG_SIZE_SHIFT) & 0xfn),
    group: Number((id >> 16n) & 0xffffn),
    index: Number(id & 0xffffn),
    reserved: (id >> 32n) & 0xf_ffffn,
  };
}

/** Build a ONE_REG ID from its fields (`bytes` a power of two from 1 to 2048). */
export function encodeOneRegId(arch: bigint, bytes: number, group: number, index: number): bigint {
  const log = Math.log2(bytes);
  if (!Number.isInteger(log) || log < 0 || log > 11) throw new StateError(`a ONE_REG size of ${bytes} bytes is not a power of two up to 2048`);
  return arch | (BigInt(log) << ONE_REG_SIZE_SHIFT) | (BigInt(group) << 16n) | BigInt(index);
}

/** `0x`-prefixed 16-digit hex of an ID. */
export function oneRegIdHex(id: bigint): string {
  return `0x${id.toString(16).padStart(16, '0')}`;
}

/** One register of a core-register file. */
export interface CoreRegister {
  /** The kernel's name for it (`regs.regs[19]`, `spsr[0]`, `usr_regs.ARM_cpsr`). */
  readonly name: string;
  /** The uapi alias, where it has one (`KVM_SPSR_EL1`, `KVM_SPSR_SVC`). */
  readonly alias?: string;
  /** Offset in 32-bit words from the start of the structure (the ID's index). */
  readonly word: number;
  /** Its size in bytes (4, 8 or 16), a multiple of 4 and naturally aligned. */
  readonly bytes: number;
  /** The bank it belongs to, where it is banked (`svc`, `abt`, …). */
  readonly bank?: string;
  /**
   * The canonical architectural register it holds for a guest of each
   * architecture (`{ arm64: 'spsr_el1', arm32: 'spsr_svc' }`); a guest
   * architecture missing here has nothing in it (the kernel keeps it 0).
   */
  readonly holds: Readonly<Record<string, string>>;
}

/**
 * How a kernel era checks a userspace `KVM_SET_ONE_REG` on a core register:
 * - `any-width`: any size up to `maxBytes` at any word offset whose end lies
 *   inside the structure; the bytes are copied in place, so a narrow write
 *   changes part of a register and a wide one spills into the next;
 * - `exact-size`: the offset must start a register of the table, and the
 *   ID's size must be that register's size;
 * - `word-only`: the ID must say 4 bytes (anything else is `ENOENT`) and
 *   the offset must lie in the structure; one 32-bit word is stored.
 *
 * `any-width` and `exact-size` first refuse (`ENOENT`) an offset whose end
 * reaches the structure's end (`off + size / 4 >= nr_regs`, as arm64 KVM
 * writes it).
 */
export type CoreWriteRule = 'any-width' | 'exact-size' | 'word-only';

/** One era's write validation. */
export interface CoreWriteEra {
  /** The era (`v4.12`, `v5.0.1`). */
  readonly era: string;
  /** Where the rule is read from. */
  readonly source: string;
  /** The rule. */
  readonly rule: CoreWriteRule;
  /** The largest write `any-width` accepts (the kernel's bounce buffer), in bytes. */
  readonly maxBytes?: number;
  /** Anything else the era checks or does not, one line. */
  readonly note: string;
}

/** An ID some documentation gives that is not the register's real ID. */
export interface DocumentedId {
  /** The ID as documented. */
  readonly id: bigint;
  /** The register it is documented for. */
  readonly register: string;
  /** Where it is documented. */
  readonly source: string;
  /** What is wrong with it, one line. */
  readonly why: string;
}

/** A check a format makes on the value of a write at one register (KVM's PSTATE mode check). */
export interface CoreValueCheck {
  /** The register checked (its {@link CoreRegister.name}); the check runs when a write starts at its offset. */
  readonly register: string;
  /** What it checks, one line. */
  readonly what: string;
  /** The errno name when `value` (the written bytes, little-endian) is refused in `era` for a guest of `guest`; `undefined` when accepted. */
  check(era: string, guest: string, value: bigint): string | undefined;
}

/** The declarative description of a core-register ONE_REG format. */
export interface OneRegFormatSpec {
  /** Format id (`kvm-arm64-core`). */
  readonly id: string;
  /** One line. */
  readonly title: string;
  /** The kernel structure the IDs index (`struct kvm_regs`). */
  readonly structure: string;
  /** Its length in 32-bit words. */
  readonly words: number;
  /** The ID's architecture bits. */
  readonly arch: bigint;
  /** The register group of core registers. */
  readonly group: number;
  /** Guest architectures whose state it carries, the native one first. */
  readonly guests: readonly string[];
  /** The registers, in structure order. */
  readonly registers: readonly CoreRegister[];
  /** Write validation by era, oldest first. */
  readonly eras: readonly CoreWriteEra[];
  /** Value checks on writes. */
  readonly valueChecks?: readonly CoreValueCheck[];
  /** IDs documented wrongly somewhere. */
  readonly documentedIds?: readonly DocumentedId[];
  /** Where the layout is read from. */
  readonly source: string;
  /** Notes a reader needs (padding, what a guest architecture leaves 0). */
  readonly notes?: readonly string[];
}

/** A defined format: the spec plus each register's ID. */
export interface OneRegFormat extends OneRegFormatSpec {
  /** Each register's ID, in {@link OneRegFormatSpec.registers} order. */
  readonly ids: readonly bigint[];
  /** The register whose ID this is, or `undefined`. */
  registerOf(id: bigint): CoreRegister | undefined;
}

/** A format description that contradicts itself (overlapping registers, a misaligned one, a duplicate name). */
export class OneRegFormatError extends Error {
  /** Always `'OneRegFormatError'`. */
  override readonly name = 'OneRegFormatError';
}

/** Check `spec` and give each register its ID. Throws {@link OneRegFormatError} naming the format and register. */
export function defineOneRegFormat(spec: OneRegFormatSpec): OneRegFormat {
  const fail = (message: string): never => {
    throw new OneRegFormatError(`${spec.id}: ${message}`);
  };
  if (spec.eras.length === 0) fail('no write era');
  const names = new Set<string>();
  let end = 0;
  for (const r of spec.registers) {
    if (names.has(r.name)) fail(`register ${r.name} is listed twice`);
    names.add(r.name);
    if (r.bytes % 4 !== 0 || r.bytes === 0 || r.bytes > 16) fail(`register ${r.name}: size ${r.bytes} is not 4, 8, 12 or 16 bytes`);
    if ((r.word * 4) % Math.min(r.bytes, 16) !== 0 && r.bytes !== 12) fail(`register ${r.name}: word ${r.word} is not aligned to its ${r.bytes} bytes`);
    if (r.word < end) fail(`register ${r.name} at word ${r.word} overlaps the register before it`);
    end = r.word + r.bytes / 4;
    if (end > spec.words) fail(`register ${r.name} ends past the ${spec.words}-word ${spec.structure}`);
    for (const guest of Object.keys(r.holds)) if (!spec.guests.includes(guest)) fail(`register ${r.name} holds a register of '${guest}', which is not one of its guests`);
  }
  for (const check of spec.valueChecks ?? []) if (!names.has(check.register)) fail(`value check on unknown register ${check.register}`);
  const ids = spec.registers.map((r) => encodeOneRegId(spec.arch, r.bytes, spec.group, r.word));
  const byId = new Map(ids.map((id, i) => [id, spec.registers[i]!]));
  for (const documented of spec.documentedIds ?? []) if (byId.has(documented.id)) fail(`documented ID ${oneRegIdHex(documented.id)} is a real register's ID`);
  return { ...spec, ids, registerOf: (id) => byId.get(id) };
}

/** A core-register file: the kernel structure's bytes. */
export type CoreFile = Uint8Array;

/** A zeroed core-register file for `format`. */
export function emptyCoreFile(format: OneRegFormat): CoreFile {
  return new Uint8Array(format.words * 4);
}

/** Read `bytes` bytes at word `word` of `file`, little-endian (the kernel's in-memory order on the little-endian hosts these formats describe). */
export function readWords(file: CoreFile, word: number, bytes: number): bigint {
  let value = 0n;
  for (let i = bytes - 1; i >= 0; i--) value = (value << 8n) | BigInt(file[word * 4 + i]!);
  return value;
}

/** Write `bytes` bytes of `value` at word `word` of `file`, little-endian. */
export function writeWords(file: CoreFile, word: number, bytes: number, value: bigint): void {
  for (let i = 0; i < bytes; i++) file[word * 4 + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

/** The result of a userspace write, as the ioctl returns it. */
export interface OneRegWriteResult {
  /** 0, or the errno name (`EINVAL`, `ENOENT`). */
  readonly errno: 0 | string;
  /** Why, one line. */
  readonly why: string;
  /** The registers whose bytes the write changed (by name), when it succeeded. */
  readonly touched: readonly string[];
}

/** The era entry named `era`, or a {@link StateError} listing the eras. */
export function writeEra(format: OneRegFormat, era: string): CoreWriteEra {
  const found = format.eras.find((e) => e.era === era);
  if (found === undefined) throw new StateError(`${format.id} has no era '${era}' (one of ${format.eras.map((e) => e.era).join(', ')})`);
  return found;
}

/**
 * `KVM_SET_ONE_REG` of `value` at `id` into `file`, as `era`'s kernel checks
 * and performs it for a guest of `guest`. The file is changed only when the
 * write is accepted.
 */
export function setOneReg(format: OneRegFormat, era: string, guest: string, file: CoreFile, id: bigint, value: bigint): OneRegWriteResult {
  const rules = writeEra(format, era);
  const fields = decodeOneRegId(id);
  const where = `${oneRegIdHex(id)} (${fields.bytes} bytes at word ${fields.index})`;
  if (fields.arch !== format.arch || fields.group !== format.group || fields.reserved !== 0n) return { errno: 'ENOENT', why: `${where} is not a ${format.structure} core register ID`, touched: [] };
  const words = Math.ceil(fields.bytes / 4);
  if (rules.rule === 'word-only') {
    if (fields.bytes !== 4) return { errno: 'ENOENT', why: `${era}: core registers are read and written as U32 only`, touched: [] };
    if (fields.index >= format.words) return { errno: 'ENOENT', why: `${where} lies past the ${format.words}-word ${format.structure}`, touched: [] };
  } else if (fields.index >= format.words || fields.index + Math.floor(fields.bytes / 4) >= format.words) {
    return { errno: 'ENOENT', why: `${where} runs past the ${format.words}-word ${format.structure}`, touched: [] };
  }
  switch (rules.rule) {
    case 'word-only':
      break;
    case 'any-width': {
      const max = rules.maxBytes ?? 16;
      if (fields.bytes > max) return { errno: 'EINVAL', why: `${era}: ${fields.bytes} bytes exceed the kernel's ${max}-byte buffer`, touched: [] };
      break;
    }
    case 'exact-size': {
      const register = format.registers.find((r) => r.word === fields.index);
      if (register === undefined) return { errno: 'EINVAL', why: `${era}: word ${fields.index} does not start a register (validate_core_offset)`, touched: [] };
      if (register.bytes !== fields.bytes) return { errno: 'EINVAL', why: `${era}: ${register.name} is ${register.bytes} bytes, the ID says ${fields.bytes} (validate_core_offset)`, touched: [] };
      break;
    }
    default: {
      const unreachable: never = rules.rule;
      return unreachable;
    }
  }
  const written = value & ((1n << BigInt(8 * fields.bytes)) - 1n);
  for (const check of format.valueChecks ?? []) {
    const register = format.registers.find((r) => r.name === check.register)!;
    if (register.word !== fields.index) continue;
    const errno = check.check(era, guest, written);
    if (errno !== undefined) return { errno, why: `${era}: ${check.what}: 0x${written.toString(16)} refused`, touched: [] };
  }
  writeWords(file, fields.index, fields.bytes, written);
  const touched = format.registers.filter((r) => r.word < fields.index + words && r.word + r.bytes / 4 > fields.index).map((r) => r.name);
  return { errno: 0, why: `${era}: accepted, ${touched.join(', ')} written`, touched };
}
