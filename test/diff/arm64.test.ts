/**
 * A64 against Unicorn 2 (python3-unicorn) at EL1h: seeded random
 * straight-line sequences of every row of the A64 table, compared on the X
 * registers, SP, NZCV, the thread registers and memory. See
 * `test/diff/suite.ts`.
 */

import { differentialSuite } from './suite.ts';
import { ARM64_TARGET } from './targets.ts';

differentialSuite(ARM64_TARGET, { count: 1500, register: 'x3' });
