/**
 * The one-line error an assembly source gives, for tests of assembler errors.
 *
 * @module
 */

import { assemble, AssemblyError, type InstructionSet } from '../../src/isa/assembler.ts';

/** The error `source` gives when assembled at `base` as the file `in.s`, as `in.s:line:column: message`; throws if it assembles. */
export function assemblyFailure(set: InstructionSet, source: string, base: number): string {
  try {
    assemble(set, source, base, { sourceName: 'in.s' });
  } catch (error) {
    if (error instanceof AssemblyError) return error.located();
    throw error;
  }
  throw new Error(`assembled without an error: ${JSON.stringify(source)}`);
}
