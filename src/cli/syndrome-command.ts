/**
 * `hyplay syndrome ARCH VALUE [--json]`: decode an exception syndrome
 * register value (the ARMv7 HSR, the AArch64 ESR_ELx) into its fields, in
 * words, with the backend's decoder (`ArchBackend.syndrome`): the exception
 * class, IL, and for data aborts ISV, SAS, SSE, SRT, SF, AR, EA, CM, S1PTW,
 * WnR and DFSC; for HVC/SMC/SVC the immediate. `--json` gives each field
 * under the manual's lower-case name, and its meaning under `meanings`.
 *
 * @module
 */

import type { Command } from 'commander';
import type { DecodedSyndrome } from '../interp/syndrome.ts';
import { CliError, parseCliNumber } from './cli-error.ts';
import type { CliIo } from './cli-io.ts';
import { archArgumentNeeds, declareNeeds, type CliServices } from './services.ts';

interface SyndromeOptions {
  readonly json?: boolean;
}

/** What `syndrome --json` prints: the register, the value (`0x` hex), the summary, every field by name, and their meanings. */
export interface SyndromeJson {
  /** `HSR` or `ESR_ELx`. */
  readonly register: string;
  /** The value, `0x` hex (8 digits). */
  readonly value: string;
  /** The exception class in words. */
  readonly summary: string;
  /** Each field's meaning, by field name. */
  readonly meanings: Readonly<Record<string, string>>;
  /** Each field's value, by its lower-case name (`ec`, `il`, `isv`, …). */
  readonly [field: string]: number | string | Readonly<Record<string, string>>;
}

function hex(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

/** The `--json` document of a decoded syndrome. */
export function syndromeJson(decoded: DecodedSyndrome): SyndromeJson {
  const out: Record<string, number | string | Record<string, string>> = { register: decoded.register, value: hex(decoded.value, 8), summary: decoded.summary };
  const meanings: Record<string, string> = {};
  for (const field of decoded.fields) {
    out[field.name] = field.value;
    meanings[field.name] = field.meaning;
  }
  out.meanings = meanings;
  return out as SyndromeJson;
}

/** The text form: a header line, then one line per field (name, value, meaning). */
export function syndromeText(decoded: DecodedSyndrome): string {
  const lines = [`${decoded.register} ${hex(decoded.value, 8)}: ${decoded.summary}`];
  for (const field of decoded.fields) lines.push(`  ${field.name.padEnd(6)} ${hex(field.value, field.value > 0xff ? 4 : 2).padEnd(8)} ${field.meaning}`);
  return lines.join('\n');
}

/** Register `hyplay syndrome`. */
export function registerSyndromeCommand(program: Command, io: CliIo, services: CliServices): void {
  const command = program
    .command('syndrome')
    .description('decode an exception syndrome value (arm32 HSR, arm64 ESR_ELx) into its fields, in words')
    .argument('<arch>', 'architecture (one with syndrome registers: arm32, arm64)')
    .argument('<value>', 'the syndrome value (0x hex or decimal, 32 bits)')
    .option('--json', 'JSON output, fields under their lower-case names')
    .action((arch: string, text: string, options: SyndromeOptions) => {
      const backend = services.backends().get(arch);
      if (backend === undefined) throw new CliError(`unknown architecture '${arch}' (one of ${services.backends().names().join(', ')})`, { input: 'argument 1' });
      const decoder = backend.syndrome;
      if (decoder === undefined) throw new CliError(`${arch} has no syndrome register to decode`, { input: 'argument 1' });
      const value = parseCliNumber(text, 'VALUE');
      if (value < 0n || value > 0xffff_ffffn) throw new CliError(`VALUE: '${text}' does not fit in 32 bits (the ${decoder.register} value)`, { input: 'VALUE' });
      const decoded = decoder.decode(Number(value));
      io.out(options.json === true ? JSON.stringify(syndromeJson(decoded), undefined, 2) : syndromeText(decoded));
    });
  declareNeeds(command, archArgumentNeeds(services.archNames, () => false, false));
}
