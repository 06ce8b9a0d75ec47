/**
 * Every ppc64 handler by table row name.
 *
 * @module
 */

import { ARITHMETIC_SEMANTICS } from './arithmetic.ts';
import { BRANCH_SEMANTICS } from './branch.ts';
import type { Prepare } from './common.ts';
import { COMPARE_SEMANTICS } from './compare.ts';
import { LOAD_STORE_SEMANTICS } from './load-store.ts';
import { LOGICAL_SEMANTICS } from './logical.ts';
import { ROTATE_SEMANTICS } from './rotate.ts';
import { SPECIAL_SEMANTICS } from './special.ts';
import { STORAGE_CONTROL_SEMANTICS } from './storage-control.ts';
import { SYSTEM_SEMANTICS } from './system.ts';

/** The handler preparer for each table row. A test checks that every row has one. */
export const PPC64_SEMANTICS: Readonly<Record<string, Prepare>> = {
  ...ARITHMETIC_SEMANTICS,
  ...LOGICAL_SEMANTICS,
  ...ROTATE_SEMANTICS,
  ...COMPARE_SEMANTICS,
  ...BRANCH_SEMANTICS,
  ...LOAD_STORE_SEMANTICS,
  ...SPECIAL_SEMANTICS,
  ...SYSTEM_SEMANTICS,
  ...STORAGE_CONTROL_SEMANTICS,
};
