/**
 * Every A32 handler by table row name.
 *
 * @module
 */

import { BRANCH_SEMANTICS } from './branch.ts';
import type { Prepare } from './common.ts';
import { COPROCESSOR_SEMANTICS } from './coprocessor.ts';
import { DATA_PROCESSING_SEMANTICS } from './data-processing.ts';
import { LOAD_STORE_SEMANTICS } from './load-store.ts';
import { LOAD_STORE_EXTRA_SEMANTICS } from './load-store-extra.ts';
import { MEDIA_SEMANTICS } from './media.ts';
import { MULTIPLY_LONG_SEMANTICS } from './multiply-long.ts';
import { STATUS_SEMANTICS } from './status.ts';
import { SYSTEM_SEMANTICS } from './system.ts';

/** The handler preparer for each table row. A test checks that every row has one. */
export const ARM32_SEMANTICS: Readonly<Record<string, Prepare>> = {
  ...DATA_PROCESSING_SEMANTICS,
  ...LOAD_STORE_SEMANTICS,
  ...BRANCH_SEMANTICS,
  ...STATUS_SEMANTICS,
  ...COPROCESSOR_SEMANTICS,
  ...SYSTEM_SEMANTICS,
  ...MEDIA_SEMANTICS,
  ...MULTIPLY_LONG_SEMANTICS,
  ...LOAD_STORE_EXTRA_SEMANTICS,
};
