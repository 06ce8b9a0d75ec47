/**
 * ppc64 against qemu-ppc64 (big-endian) and qemu-ppc64le (little-endian):
 * seeded random straight-line problem-state sequences of every row of the
 * Power table, compared on GPRs, CR, XER, LR, CTR and memory. See
 * `test/diff/suite.ts`.
 */

import { differentialSuite } from './suite.ts';
import { PPC64_TARGET, PPC64LE_TARGET } from './targets.ts';

differentialSuite(PPC64_TARGET);
differentialSuite(PPC64LE_TARGET);
