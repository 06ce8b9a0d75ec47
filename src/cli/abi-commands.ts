/**
 * The ABI commands of `hyplay`: `dispatch`, `collisions`, `abi list`,
 * `abi show` and `abi-docs`. They are registered onto the program in one
 * call so that `main.ts` stays a thin list of commands.
 *
 * @module
 */

import { stateDocsInput } from '../docs/state-docs.ts';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { renderAbiDocs } from '../docs/abi-docs.ts';
import { DocsWriteError, writeAbiDocs } from '../docs/abi-docs-files.ts';
import { analyseCollisions } from '../dispatch/collisions.ts';
import { abiList, abiShow, checkArch } from './abi-command.ts';
import { CliError, systemErrorText } from './cli-error.ts';
import type { CliIo } from './cli-io.ts';
import { collisionsJson, collisionsText } from './collisions-command.ts';
import { registerDispatchCommand } from './dispatch-command.ts';
import { registerWidths } from './register-values.ts';
import { archArgumentNeeds, declareHelpNeeds, declareNeeds, EVERYTHING, type CliServices } from './services.ts';

/** The committed `abi-docs/` directory of this checkout. */
export const ABI_DOCS_DIR = fileURLToPath(new URL('../../abi-docs', import.meta.url));

/**
 * Add `dispatch`, `collisions`, `abi` (`list`, `show`) and `abi-docs` to
 * `program`, over `services`.
 */
export function registerAbiCommands(program: Command, io: Pick<CliIo, 'out'>, services: CliServices): void {
  const registry = services.abis;
  const knownArchs = (): string[] => [...new Set([...services.archNames, ...registry().all().map((a) => a.spec.arch)])].sort();

  registerDispatchCommand(program, io, services.backends, registry);
  // One backend and its specs (a trap is classified against its own architecture's specs); every backend for --batch, whose lines name theirs.
  const dispatchCommand = program.commands.find((command) => command.name() === 'dispatch')!;
  // Its help lists every backend's conduits, immediates and origin registers.
  declareHelpNeeds(dispatchCommand, { specs: false, guestCode: false });
  const oneArch = archArgumentNeeds(services.archNames, () => true, false);
  declareNeeds(dispatchCommand, (command) => {
    if ((command.opts() as { batch?: string }).batch !== undefined) return { ...EVERYTHING, guestCode: false };
    const needs = oneArch(command);
    // One trap on one backend's conduit: every spec on that conduit is loaded, and no other (the syscall tables stay unbuilt for hvc).
    const conduit = command.args[1];
    return needs.archs !== undefined && conduit !== undefined ? { ...needs, conduit } : needs;
  });

  program
    .command('collisions')
    .description('every pair of specs whose selectors intersect, with a witness and the allow-list verdict')
    .option('--arch <arch>', 'only this architecture')
    .option('--json', 'JSON output')
    .action((options: { arch?: string; json?: boolean }) => {
      checkArch(options.arch, knownArchs());
      const report = analyseCollisions(registry(), options.arch);
      const widths = registerWidths(services.backends());
      io.out(options.json === true ? JSON.stringify(collisionsJson(report, widths), undefined, 2) : collisionsText(report, widths));
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
    .description('regenerate the abi-docs pages from the specs (never touches guides/, never overwrites a file it did not write)')
    .option('--out <dir>', 'docs directory', ABI_DOCS_DIR)
    .option('--force', 'write into a directory abi-docs does not own, and replace files changed since it wrote them')
    .action((options: { out: string; force?: boolean }) => {
      const dir = resolve(options.out);
      let report;
      try {
        report = writeAbiDocs(dir, renderAbiDocs(registry(), stateDocsInput(services.backends().all())), { force: options.force === true });
      } catch (error) {
        if (!(error instanceof DocsWriteError)) throw error;
        throw new CliError(`abi-docs: ${error.failure === undefined ? error.what : `${error.what}: ${systemErrorText(error.failure)}`}`, { input: '--out' });
      }
      const lines = [
        ...report.written.map((p) => `wrote     ${p}`),
        ...report.removed.map((p) => `removed   ${p}`),
        `abi-docs: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.removed.length} removed`,
      ];
      io.out(lines.join('\n'));
    });
}
