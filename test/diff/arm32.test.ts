/**
 * A32 against Unicorn 2 (python3-unicorn): seeded random straight-line
 * usr-mode sequences of every row of the A32 table, compared on registers,
 * flags (the CPSR, E included) and memory. See `test/diff/suite.ts`.
 */

import { differentialSuite } from './suite.ts';
import { ARM32_TARGET } from './targets.ts';

differentialSuite(ARM32_TARGET);
