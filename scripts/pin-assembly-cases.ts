/**
 * Re-pin the kernel-style assembly cases of both backends to llvm-mc:
 * assemble each case with hyplay (for the placement of its sections) and
 * with llvm-mc into an object, apply the object's relocations for that
 * placement, and write the section bytes into the cases file. Review the
 * diff: a changed pin is a changed encoding.
 *
 *     npx tsx scripts/pin-assembly-cases.ts
 *
 * @module
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ARM32_INSTRUCTION_SET } from '../arch/arm32/core.ts';
import { ppc64InstructionSet } from '../arch/ppc64/core.ts';
import { assemble, type InstructionSet } from '../src/isa/assembler.ts';
import { ARM32_ASSEMBLY_CASES, ASSEMBLY_BASE as ARM32_BASE } from '../test/arch/arm32/assembly-cases.ts';
import { PPC64_ASSEMBLY_CASES, ASSEMBLY_BASE as PPC64_BASE } from '../test/arch/ppc64/assembly-cases.ts';
import type { AssemblyCase } from '../test/arch/arm32/assembly-cases.ts';
import { llvmSections } from '../test/support/elf-object.ts';

function pin(file: string, cases: readonly AssemblyCase[], set: InstructionSet, base: number, options: readonly string[]): void {
  const path = fileURLToPath(new URL(file, import.meta.url));
  let index = 0;
  const text = readFileSync(path, 'utf8').replace(/sections: \{[^}]*\},/g, () => {
    const one = cases[index++]!;
    const program = assemble(set, one.source, base);
    const llvm = llvmSections(one.source, options, new Map(program.sections.map((s) => [s.name, s.address])));
    if ('error' in llvm) throw new Error(`${one.name}: llvm-mc: ${llvm.error}`);
    const body = Object.entries(llvm).map(([name, hex]) => `      '${name}': '${hex}',`);
    return `sections: {\n${body.join('\n')}\n    },`;
  });
  if (index !== cases.length) throw new Error(`${file}: found ${index} pins for ${cases.length} cases`);
  writeFileSync(path, text);
  console.log(`${file}: ${index} cases pinned`);
}

pin('../test/arch/arm32/assembly-cases.ts', ARM32_ASSEMBLY_CASES, ARM32_INSTRUCTION_SET, ARM32_BASE, ['-triple=armv7a', '-mattr=+virtualization']);
pin('../test/arch/ppc64/assembly-cases.ts', PPC64_ASSEMBLY_CASES, ppc64InstructionSet('big'), PPC64_BASE, ['-triple=powerpc64']);
