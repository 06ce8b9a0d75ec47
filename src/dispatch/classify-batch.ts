/**
 * Classifying many traps in-process, without building any interpretation
 * objects or text: the loop behind `hyplay dispatch --batch` and the
 * dispatcher figure of `hyplay bench`.
 *
 * @module
 */

import type { AbiRegistry } from '../abi/registry.ts';
import { dispatchTable, type TrapQuery } from './dispatch-table.ts';

/**
 * Classify each query in turn, each against every spec on its conduit with
 * the semantics of every claimed call run, exactly as {@link dispatch} decides
 * (through the same {@link DispatchTable}s). Writes each verdict's index in
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
