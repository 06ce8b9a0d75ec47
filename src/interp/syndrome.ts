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
