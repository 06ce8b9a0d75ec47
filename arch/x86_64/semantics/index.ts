/**
 * Every x86-64 semantics handler by the name the table's rows give
 * (`handler`); a row whose handler is missing predecodes as #UD (`no
 * semantics for …`), and the coverage test fails.
 *
 * @module
 */

import type { X86Handler } from './common.ts';
import { INTEGER_SEMANTICS } from './integer.ts';
import { SYSTEM_SEMANTICS } from './system.ts';

/** Handlers by row handler name. */
export const X86_SEMANTICS: Readonly<Record<string, X86Handler>> = { ...INTEGER_SEMANTICS, ...SYSTEM_SEMANTICS };
