/**
 * Every A64 table row's semantics, by row name.
 *
 * @module
 */

import { BRANCH_SEMANTICS } from './branch.ts';
import type { Prepare } from './common.ts';
import { DATA_PROCESSING_SEMANTICS } from './data-processing.ts';
import { LOAD_STORE_SEMANTICS } from './load-store.ts';
import { SYSTEM_SEMANTICS } from './system.ts';

/** Row name to its {@link Prepare}. A row missing here predecodes as UNDEFINED (`no semantics for …`). */
export const ARM64_SEMANTICS: Readonly<Record<string, Prepare>> = {
  ...DATA_PROCESSING_SEMANTICS,
  ...LOAD_STORE_SEMANTICS,
  ...BRANCH_SEMANTICS,
  ...SYSTEM_SEMANTICS,
};
