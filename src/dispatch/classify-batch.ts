/**
 * Classifying many traps in-process, without building any interpretation
 * objects or text: the loop behind `hyplay dispatch --batch` and the
 * dispatcher figure of `hyplay bench`.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import { exampleTrap } from '../abi/spec.ts';
import { dispatchTable, withResolvedRegisters, type TrapQuery } from './dispatch-table.ts';

/**
 * Classify each query in turn, each against every spec on its conduit,
 * with the semantics the verdict needs run, exactly as `dispatch` decides
 * (through the same `DispatchTable`s). Writes each verdict's index in
 * `VERDICTS` into `verdicts` (when given, at the query's index) and returns
 * the number of claims over all queries. Builds no interpretation objects
 * and no text: this is the in-process classification rate.
 */
export function classifyBatch(registry: AbiRegistry, queries: readonly TrapQuery[], verdicts?: Uint8Array): number {
  let claims = 0;
  for (let i = 0; i < queries.length; i++) {
    const query = queries[i]!;
    const table = dispatchTable(registry, query.arch, query.conduit);
    const verdict = table.run(query);
    if (verdicts !== undefined) verdicts[i] = verdict;
    claims += table.claims;
  }
  return claims;
}

/**
 * The traps of every example of every spec of `arch` (each with its own
 * immediate and origin), their registers resolved as a parsed trap's are:
 * the prepared list `hyplay bench` classifies.
 */
export function exampleQueries(registry: AbiRegistry, arch: string): TrapQuery[] {
  const queries: TrapQuery[] = [];
  for (const abi of registry.all(arch)) {
    for (const example of abi.spec.examples) {
      const trap = exampleTrap(abi, example);
      queries.push(withResolvedRegisters({ arch, conduit: abi.spec.conduit.instruction, imm: trap.imm, privilege: trap.origin.privilege, world: trap.origin.world, registers: trap.registers }));
    }
  }
  return queries;
}
