/**
 * Decode 10^6 seeded random 15-byte strings with the x86-64 decoder,
 * predecoder and disassemblers (every 16th decoded one also through the
 * assembler): none may throw (`test/arch/x86_64/random-bytes.ts`). Run with
 * `npx tsx scripts/x86_64-decode-fuzz.ts [count] [seed]`.
 *
 * @module
 */

import { checkRandomBytes } from '../test/arch/x86_64/random-bytes.ts';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 0x86_64);
const report = checkRandomBytes(count, seed, 16);
console.log(`x86_64-decode-fuzz: ${count} strings, ${report.decoded} decoded, ${report.reassembled} reassembled, ${report.problems.length} problems`);
for (const p of report.problems) console.log(`  ${p}`);
process.exitCode = report.problems.length === 0 ? 0 : 1;
