/**
 * Every A64 table row's semantics, by row name.
 *
 * @module
 */

import type { Prepare } from './common.ts';
import { SYSTEM_SEMANTICS } from './system.ts';

/** Row name to its {@link Prepare}. A row missing here predecodes as UNDEFINED (`no semantics for …`). */
export const ARM64_SEMANTICS: Readonly<Record<string, Prepare>> = {
  ...SYSTEM_SEMANTICS,
};
