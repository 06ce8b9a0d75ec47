/**
 * Every A32 form is pinned to llvm-mc (`fixtures/encodings.json`, written by
 * `npm run pin:arm32`); the suite is the one every backend runs
 * (`test/support/pinned-encodings.ts`). No llvm-mc is needed to run this file.
 */

import { ARM32_INSTRUCTION_SET } from '../../../arch/arm32/core.ts';
import { ARM32_TABLE } from '../../../arch/arm32/table.ts';
import { pinnedEncodingSuite } from '../../support/pinned-encodings.ts';
import { arm32Forms } from './forms.ts';

pinnedEncodingSuite({
  arch: 'arm32',
  fixtures: new URL('./fixtures/encodings.json', import.meta.url),
  set: ARM32_INSTRUCTION_SET,
  table: ARM32_TABLE,
  forms: arm32Forms,
  minimum: 300,
});
