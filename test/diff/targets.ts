/**
 * The differential targets: each backend paired with its reference.
 *
 * @module
 */

import { describeArm32 } from '../../arch/arm32/core.ts';
import { Psr } from '../../arch/arm32/registers.ts';
import { ARM32_TABLE } from '../../arch/arm32/table.ts';
import { ARM32_EXCLUDED, ARM32_EXCLUSIONS, ARM32_LIMITS, generateArm32Case } from './arm32-generator.ts';
import { runArm32InHyplay } from './arm32-hyplay.ts';
import { describePpc64 } from '../../arch/ppc64/core.ts';
import { PPC64_TABLE } from '../../arch/ppc64/table.ts';
import type { Endian } from '../../src/memory/guest-memory.ts';
import type { DiffTarget } from './differential.ts';
import { generatePpc64Case, PPC64_EXCLUDED_ROWS, PPC64_EXCLUSIONS, PPC64_LIMITS } from './ppc64-generator.ts';
import { runPpc64InHyplay } from './ppc64-hyplay.ts';
import { qemuBinary, qemuMissing, runInQemu } from './qemu-ppc64.ts';
import { ARM64_UNICORN, runInUnicorn, unicornMissing } from './unicorn.ts';
import { describeArm64 } from '../../arch/arm64/core.ts';
import { ARM64_TABLE } from '../../arch/arm64/table.ts';
import { ARM64_EXCLUDED_ROWS, ARM64_EXCLUSIONS, ARM64_LIMITS, generateArm64Case } from './arm64-generator.ts';
import { runArm64InHyplay } from './arm64-hyplay.ts';

/** A32 against Unicorn 2. */
export const ARM32_TARGET: DiffTarget = {
  name: 'arm32',
  reference: 'Unicorn 2 (python3-unicorn)',
  digits: 8,
  rows: ARM32_TABLE.written.map((e) => e.def.name),
  excludedRows: ARM32_EXCLUDED,
  exclusions: [...ARM32_EXCLUSIONS, ...ARM32_LIMITS],
  missing: unicornMissing,
  generate: generateArm32Case,
  runHyplay: runArm32InHyplay,
  runReference: runInUnicorn,
  disassemble: describeArm32,
  describeStart: (c) => `usr mode, CPSR.E = ${(Number(c.registers.cpsr!) & Psr.E) !== 0 ? 1 : 0}, code at 0x${c.code.toString(16).padStart(8, '0')}`,
};

/** A64 at EL1h against Unicorn 2. */
export const ARM64_TARGET: DiffTarget = {
  name: 'arm64',
  reference: 'Unicorn 2 (python3-unicorn), A64 at EL1',
  digits: 16,
  rows: ARM64_TABLE.written.map((e) => e.def.name),
  excludedRows: ARM64_EXCLUDED_ROWS,
  exclusions: [...ARM64_EXCLUSIONS, ...ARM64_LIMITS],
  missing: unicornMissing,
  generate: generateArm64Case,
  runHyplay: runArm64InHyplay,
  runReference: (jobs) => runInUnicorn(jobs, ARM64_UNICORN),
  disassemble: describeArm64,
  describeStart: (c) => `EL1h, NZCV = 0x${(Number(c.registers.nzcv!) >>> 28).toString(16)}, code at 0x${c.code.toString(16).padStart(8, '0')}`,
};

function ppc64Target(name: string, endian: Endian): DiffTarget {
  return {
    name,
    reference: `${qemuBinary(endian)} (qemu-user)`,
    digits: 16,
    rows: PPC64_TABLE.written.map((e) => e.def.name),
    excludedRows: PPC64_EXCLUDED_ROWS,
    exclusions: [...PPC64_EXCLUSIONS, ...PPC64_LIMITS],
    missing: () => qemuMissing(endian),
    generate: (seed, index, random, coverage) => generatePpc64Case(name, seed, index, random, coverage),
    runHyplay: (c) => runPpc64InHyplay(c, endian),
    runReference: (jobs) => runInQemu(jobs, endian),
    disassemble: describePpc64,
    describeStart: (c) => `problem state, 64-bit, ${endian}-endian, code at 0x${c.code.toString(16).padStart(8, '0')}`,
  };
}

/** Big-endian ppc64 against qemu-ppc64. */
export const PPC64_TARGET: DiffTarget = ppc64Target('ppc64', 'big');

/** Little-endian ppc64 against qemu-ppc64le. */
export const PPC64LE_TARGET: DiffTarget = ppc64Target('ppc64le', 'little');

/** Every target by name. */
export const DIFF_TARGETS: ReadonlyMap<string, DiffTarget> = new Map([ARM32_TARGET, ARM64_TARGET, PPC64_TARGET, PPC64LE_TARGET].map((t) => [t.name, t]));
