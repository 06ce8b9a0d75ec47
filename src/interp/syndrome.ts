/**
 * The general shape of a decoded exception syndrome (an Arm HSR or
 * ESR_ELx, …): each field by the manual's lower-case name, its value and
 * what that value means, in words. Backends that have syndrome registers
 * give a {@link SyndromeDecoder} (`ArchBackend.syndrome`); `hyplay
 * syndrome` prints what it says.
 *
 * @module
 */

/** One field of a syndrome. */
export interface SyndromeField {
  /** The manual's name, lower case (`ec`, `il`, `isv`, …). */
  readonly name: string;
  /** The field's value. */
  readonly value: number;
  /** What the value means, in words. */
  readonly meaning: string;
}

/** A decoded syndrome value. */
export interface DecodedSyndrome {
  /** The register it was read as (`HSR`, `ESR_EL2`). */
  readonly register: string;
  /** The raw value. */
  readonly value: number;
  /** The exception class in words (`data abort from a lower exception level`), or that it is not one the architecture defines. */
  readonly summary: string;
  /** The fields, most significant first. */
  readonly fields: readonly SyndromeField[];
}

/** A backend's syndrome decoder. Never throws: any 32-bit value decodes (an unknown class says so). */
export interface SyndromeDecoder {
  /** The register name used in output. */
  readonly register: string;
  /** Decode a 32-bit syndrome value. */
  decode(value: number): DecodedSyndrome;
}

/**
 * The fault status codes that name a fault and a translation table level
 * (bits [1:0]): the classes the long-descriptor translation formats share
 * (ARMv7 LPAE B3.13.6, VMSAv8-64 D13.2.37), or `undefined` for a code
 * outside them, which each architecture names itself.
 */
export function levelledFaultStatus(code: number): string | undefined {
  const level = code & 3;
  switch (code & 0x3c) {
    case 0x00:
      return `address size fault, level ${level}`;
    case 0x04:
      return `translation fault, level ${level}`;
    case 0x08:
      return `access flag fault, level ${level}`;
    case 0x0c:
      return `permission fault, level ${level}`;
    case 0x14:
      return `synchronous external abort on a translation table walk, level ${level}`;
    case 0x1c:
      return `synchronous parity/ECC error on a translation table walk, level ${level}`;
    default:
      return undefined;
  }
}
