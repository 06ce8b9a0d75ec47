/**
 * Every A64 form is pinned to llvm-mc (`fixtures/encodings.json`, written by
 * `npm run pin:arm64`); the suite is the one every backend runs
 * (`test/support/pinned-encodings.ts`). No llvm-mc is needed to run this file.
 */

import { ARM64_INSTRUCTION_SET } from '../../../arch/arm64/core.ts';
import { ARM64_TABLE } from '../../../arch/arm64/table.ts';
import { pinnedEncodingSuite } from '../../support/pinned-encodings.ts';
import { arm64Forms } from './forms.ts';

pinnedEncodingSuite({
  arch: 'arm64',
  fixtures: new URL('./fixtures/encodings.json', import.meta.url),
  set: ARM64_INSTRUCTION_SET,
  table: ARM64_TABLE,
  forms: arm64Forms,
  minimum: 500,
});
