/**
 * The ABI commands of `hyplay`: `dispatch`, `collisions`, `abi list`,
 * `abi show` and `abi-docs`. They are registered onto the program in one
 * call so that `main.ts` stays a thin list of commands.
 *
 * @module
 */

import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { AbiRegistry } from '../abi/registry.ts';
import { loadAbis, type BackendRegistry } from '../di/container.ts';
import { renderAbiDocs } from '../docs/abi-docs.ts';
import { writeAbiDocs } from '../docs/abi-docs-files.ts';
import { analyseCollisions } from '../dispatch/collisions.ts';
import { abiList, abiShow, checkArch } from './abi-command.ts';
import { collisionsJson, collisionsText } from './collisions-command.ts';
import { registerDispatchCommand } from './dispatch-command.ts';
import type { CliIo } from './main.ts';

/** The committed `abi-docs/` directory of this checkout. */
export const ABI_DOCS_DIR = fileURLToPath(new URL('../../abi-docs', import.meta.url));

/**
 * Add `dispatch`, `collisions`, `abi` (`list`, `show`) and `abi-docs` to
 * `program`. `abis` is called once, on the first command that needs specs.
 */
export function registerAbiCommands(program: Command, io: Pick<CliIo, 'out'>, backends: BackendRegistry, abis: () => AbiRegistry = loadAbis): void {
  let loaded: AbiRegistry | undefined;
  const registry = (): AbiRegistry => (loaded ??= abis());
  const knownArchs = (): string[] => [...new Set([...backends.names(), ...registry().all().map((a) => a.spec.arch)])].sort();

  registerDispatchCommand(program, io, backends, registry);

  program
    .command('collisions')
    .description('every pair of specs whose selectors intersect, with a witness and the allow-list verdict')
    .option('--arch <arch>', 'only this architecture')
    .option('--json', 'JSON output')
    .action((options: { arch?: string; json?: boolean }) => {
      checkArch(options.arch, knownArchs());
      const report = analyseCollisions(registry(), options.arch);
      io.out(options.json === true ? JSON.stringify(collisionsJson(report), undefined, 2) : collisionsText(report));
    });

  const abi = program.command('abi').description('the registered ABI specs');
  abi
    .command('list')
    .description('list the specs')
    .option('--arch <arch>', 'only this architecture')
    .option('--json', 'JSON output')
    .action((options: { arch?: string; json?: boolean }) => {
      checkArch(options.arch, knownArchs());
      io.out(abiList(registry(), options.arch, options.json === true));
    });
  abi
    .command('show')
    .description('one spec in full')
    .argument('<id>', 'spec id (see `hyplay abi list`)')
    .option('--json', 'JSON output')
    .action((id: string, options: { json?: boolean }) => {
      io.out(abiShow(registry(), id, options.json === true));
    });

  program
    .command('abi-docs')
    .description('regenerate the abi-docs pages from the specs (never touches abi-docs/guides/)')
    .option('--out <dir>', 'docs directory', ABI_DOCS_DIR)
    .action((options: { out: string }) => {
      const report = writeAbiDocs(options.out, renderAbiDocs(registry()));
      const lines = [
        ...report.written.map((p) => `wrote     ${p}`),
        ...report.removed.map((p) => `removed   ${p}`),
        `abi-docs: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.removed.length} removed`,
      ];
      io.out(lines.join('\n'));
    });
}
