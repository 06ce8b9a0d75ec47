/**
 * `hyplay state`: CPU state export, import and migration.
 *
 * - `state formats [--json]` lists every format, sync and stream.
 * - `state export ARCH --format F (--program FILE | --state FILE)` exports a
 *   guest's canonical state: of a program assembled, loaded at the
 *   backend's load address and run to its stop (as `hyplay run` does), or of
 *   a canonical state file (`--format architectural` writes one). ONE_REG
 *   formats give id/value pairs.
 * - `state import FILE [--era E]` reads an exported image back into the
 *   canonical state; with `--era` each ONE_REG pair is first written as
 *   that kernel era's `KVM_SET_ONE_REG` checks it, and refusals are listed.
 * - `state migrate ARCH --from F1 --via SYNC --to F2 (--program | --state)`
 *   runs kernel → VMM → migration stream → VMM → kernel and reports every
 *   register that changed and why, beside the round trip inside one VMM.
 *
 * `--out FILE` writes JSON to a file and refuses an existing one unless
 * `--force`. Every input error is one line with exit status 2.
 *
 * @module
 */

import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { hexAddress, stop } from '../interp/step-result.ts';
import { checkArchitecturalState, hexOf, StateError, type ArchitecturalRegister, type ArchitecturalState } from '../state/architectural-state.ts';
import { formatChanges, migrate, type MigrationChange } from '../state/migrate.ts';
import { decodeOneRegId, emptyCoreFile, oneRegIdHex, setOneReg, type OneRegFormat } from '../state/one-reg.ts';
import { formatImageJson, parseFormatImage, type FormatImage, type StateFormat } from '../state/state-format.ts';
import { stateCatalog, type StateCatalog } from '../state/state-catalog.ts';
import { CliError, systemErrorText } from './cli-error.ts';
import type { CliIo } from './cli-io.ts';
import { inputName, readInputText } from './input.ts';
import { assembleOrFail, loadProgram } from './run-program.ts';
import { declareNeeds, type CliServices } from './services.ts';

/** The pseudo-format that is the canonical state itself. */
export const ARCHITECTURAL_FORMAT = 'architectural';

/** Default step budget of `--program`. */
const DEFAULT_STEPS = 1_000_000;

function fail(error: unknown, input?: string): never {
  if (error instanceof StateError) throw new CliError(input === undefined ? error.message : `${input}: ${error.message}`, input === undefined ? {} : { input });
  throw error;
}

function readJson(path: string): unknown {
  const text = readInputText(path);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${inputName(path)}: not JSON: ${(error as Error).message}`, { input: inputName(path) });
  }
}

function registersOf(catalog: StateCatalog, arch: string): readonly ArchitecturalRegister[] {
  const registers = catalog.registers.get(arch);
  if (registers === undefined) throw new CliError(`${arch} has no state support (architectures with it: ${[...catalog.registers.keys()].join(', ')})`, { input: 'argument 1' });
  return registers;
}

/** Parse a canonical state file: `{"arch", "registers": {name: "0x…"}}`; registers left out are 0. */
export function parseStateFile(json: unknown, registers: readonly ArchitecturalRegister[], where: string): ArchitecturalState {
  if (typeof json !== 'object' || json === null) throw new CliError(`${where}: expected {"arch": …, "registers": {…}}`, { input: where });
  const o = json as Record<string, unknown>;
  if (typeof o['arch'] !== 'string') throw new CliError(`${where}: "arch" must be an architecture name`, { input: where });
  const given = o['registers'];
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new CliError(`${where}: "registers" must be an object of name: "0x…" values`, { input: where });
  const values: Record<string, bigint> = Object.fromEntries(registers.map((r) => [r.name, 0n]));
  for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
    if (typeof value !== 'string' || !/^0x[0-9a-f]+$/i.test(value)) throw new CliError(`${where}: registers.${name}: expected a 0x hex string, got ${JSON.stringify(value)}`, { input: where });
    values[name.toLowerCase()] = BigInt(value);
  }
  const state = { arch: o['arch'] as string, registers: values };
  const problem = checkArchitecturalState(state, registers);
  if (problem !== undefined) throw new CliError(`${where}: ${problem}`, { input: where });
  return state;
}

/** The canonical state as a state file's JSON. */
export function stateJson(state: ArchitecturalState, registers: readonly ArchitecturalRegister[]): Record<string, unknown> {
  return { arch: state.arch, registers: Object.fromEntries(registers.map((r) => [r.name, hexOf(state.registers[r.name] ?? 0n, r.bits)])) };
}

interface SourceOptions {
  readonly program?: string;
  readonly state?: string;
  readonly mode?: string;
  readonly maxSteps?: string;
}

/** The state a command starts from: a program run to its stop, or a state file. */
function sourceState(services: CliServices, catalog: StateCatalog, arch: string, options: SourceOptions): ArchitecturalState {
  const registers = registersOf(catalog, arch);
  if ((options.program === undefined) === (options.state === undefined)) throw new CliError('give exactly one of --program FILE (a program run to its stop) or --state FILE (a state file)', { input: options.program === undefined ? '--state' : '--program' });
  if (options.state !== undefined) {
    const state = parseStateFile(readJson(options.state), registers, inputName(options.state));
    if (state.arch !== arch) throw new CliError(`${inputName(options.state)}: the file holds ${state.arch} state, not ${arch}`, { input: inputName(options.state) });
    return state;
  }
  const backend = services.backends().get(arch)!;
  const path = options.program!;
  const program = assembleOrFail(backend, readInputText(path), inputName(path), backend.loadAddress);
  const machine = loadProgram(backend, program, options.mode);
  const steps = options.maxSteps === undefined ? DEFAULT_STEPS : Number(options.maxSteps);
  if (!Number.isInteger(steps) || steps < 1) throw new CliError(`--max-steps: '${options.maxSteps}' is not a positive whole number`, { input: '--max-steps' });
  const end = program.base + Math.max(program.bytes.length, 4);
  machine.fetchGuard = (address) => (address >= program.base && address < end ? undefined : stop('left-image', `the PC left the program at ${hexAddress(address)}`));
  machine.run(steps);
  return backend.state!.fromMachine(machine);
}

function formatOf(catalog: StateCatalog, id: string, option: string): StateFormat {
  const format = catalog.formats.get(id);
  if (format === undefined) throw new CliError(`${option}: unknown format '${id}' (one of ${[ARCHITECTURAL_FORMAT, ...catalog.formats.keys()].join(', ')})`, { input: option });
  return format;
}

function writeOut(io: Pick<CliIo, 'out'>, text: string, out: string | undefined, force: boolean): void {
  if (out === undefined) {
    io.out(text);
    return;
  }
  try {
    writeFileSync(out, `${text}\n`, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`--out: '${out}' exists; not overwriting it (add --force to replace it)`, { input: '--out' });
    throw new CliError(`--out: cannot write '${out}': ${systemErrorText(error)}`, { input: '--out' });
  }
  io.out(`wrote ${out}`);
}

function imageText(image: FormatImage): string {
  const width = Math.max(...image.entries.map((e) => e.name.length));
  return [`${image.format} (${image.guest} guest)`, ...image.entries.map((e) => `${e.name.padEnd(width)}  ${e.id === undefined ? `@${e.offset}`.padEnd(18) : oneRegIdHex(e.id)}  0x${e.value.toString(16).padStart(2 * e.bytes, '0')}`)].join('\n');
}

function stateText(state: ArchitecturalState, registers: readonly ArchitecturalRegister[]): string {
  const width = Math.max(...registers.map((r) => r.name.length));
  return [`${state.arch} architectural state`, ...registers.map((r) => `${r.name.padEnd(width)}  ${hexOf(state.registers[r.name] ?? 0n, r.bits)}`)].join('\n');
}

function changeJson(changes: readonly MigrationChange[], registers: readonly ArchitecturalRegister[]): readonly Record<string, string>[] {
  const bits = new Map(registers.map((r) => [r.name, r.bits]));
  return changes.map((c) => ({ register: c.name, before: hexOf(c.before, bits.get(c.name) ?? 64), after: hexOf(c.after, bits.get(c.name) ?? 64), why: c.why }));
}

/** One refused or accepted write of `state import --era`. */
export interface WriteCheck {
  /** The entry. */
  readonly name: string;
  /** The ID, `0x` hex. */
  readonly id: string;
  /** 0 or the errno name. */
  readonly errno: 0 | string;
  /** Why. */
  readonly why: string;
}

/** Write every ONE_REG entry of `image` as `era`'s kernel checks it. */
export function checkWrites(format: OneRegFormat, era: string, image: FormatImage): readonly WriteCheck[] {
  const file = emptyCoreFile(format);
  return image.entries.map((entry) => {
    const result = setOneReg(format, era, image.guest, file, entry.id ?? 0n, entry.value);
    return { name: entry.name, id: oneRegIdHex(entry.id ?? 0n), errno: result.errno, why: result.why };
  });
}

/** Add `state` (`formats`, `export`, `import`, `migrate`) to `program`. */
export function registerStateCommands(program: Command, io: Pick<CliIo, 'out'>, services: CliServices): void {
  const catalog = (): StateCatalog => stateCatalog(services.backends().all());
  const state = program.command('state').description('CPU state export, import and migration: KVM ONE_REG core registers by era, QEMU CPUARMState, QEMU syncs before and after the SPSR fix');

  declareNeeds(
    state
      .command('formats')
      .description('list the state formats, VMM syncs and migration streams')
      .option('--json', 'JSON output')
      .action((options: { json?: boolean }) => {
        const c = catalog();
        const formats = [...c.formats.values()].map((f) => ({ id: f.id, title: f.title, guests: f.guests, eras: f.eras, source: f.source }));
        const syncs = [...c.syncs.values()].map(({ sync, stream }) => ({ id: sync.id, title: sync.title, era: sync.era, kernel: sync.kernel.id, stream: stream?.id ?? null, correct: sync.correct }));
        if (options.json === true) {
          io.out(JSON.stringify({ formats, syncs }, undefined, 2));
          return;
        }
        io.out([`${ARCHITECTURAL_FORMAT}  the canonical state (a state file)`, ...formats.map((f) => `${f.id}  guests ${f.guests.join(', ')}; eras ${f.eras.join(', ')}: ${f.title}`), ...syncs.map((s) => `--via ${s.id}  ${s.kernel} <-> QEMU, stream ${s.stream ?? 'none'}: ${s.title}`)].join('\n'));
      }),
    () => ({ specs: false, guestCode: false }),
  );

  declareNeeds(
    state
      .command('export')
      .description('export a guest state in a format: of a program run to its stop (--program), or of a state file (--state)')
      .argument('<arch>', 'the guest architecture (arm32, arm64)')
      .requiredOption('--format <id>', `format id (see \`hyplay state formats\`; ${ARCHITECTURAL_FORMAT} writes a state file)`)
      .option('--program <file>', 'assembly program: loaded at the load address and run to its stop')
      .option('--mode <mode>', 'mode the program starts in')
      .option('--max-steps <n>', 'step budget of the program')
      .option('--state <file>', 'state file ({"arch", "registers": {name: "0x…"}})')
      .option('--out <file>', 'write the JSON to FILE (refuses an existing file)')
      .option('--force', 'with --out: replace an existing file')
      .option('--json', 'JSON output')
      .action((arch: string, options: SourceOptions & { format: string; out?: string; force?: boolean; json?: boolean }) => {
        const c = catalog();
        const registers = registersOf(c, arch);
        const source = sourceState(services, c, arch, options);
        const json = options.json === true || options.out !== undefined;
        if (options.format === ARCHITECTURAL_FORMAT) {
          writeOut(io, json ? JSON.stringify(stateJson(source, registers), undefined, 2) : stateText(source, registers), options.out, options.force === true);
          return;
        }
        const format = formatOf(c, options.format, '--format');
        let image: FormatImage;
        try {
          image = format.export(source);
        } catch (error) {
          fail(error, '--format');
        }
        writeOut(io, json ? JSON.stringify(formatImageJson(image), undefined, 2) : imageText(image), options.out, options.force === true);
      }),
    () => ({ specs: false }),
  );

  declareNeeds(
    state
      .command('import')
      .description('import an exported image (JSON) back into the canonical state; --era: write each ONE_REG pair as that kernel era checks it')
      .argument('<file>', 'the image (- for stdin)')
      .option('--era <era>', 'kernel era whose KVM_SET_ONE_REG checks each pair (see the format\'s eras)')
      .option('--out <file>', 'write the state file to FILE (refuses an existing file)')
      .option('--force', 'with --out: replace an existing file')
      .option('--json', 'JSON output')
      .action((file: string, options: { era?: string; out?: string; force?: boolean; json?: boolean }) => {
        const c = catalog();
        const where = inputName(file);
        let image: FormatImage;
        try {
          image = parseFormatImage(readJson(file));
        } catch (error) {
          fail(error, where);
        }
        const format = formatOf(c, image.format, where);
        const registers = registersOf(c, image.guest);
        if (options.era !== undefined) {
          const oneReg = format.oneReg;
          if (oneReg === undefined) throw new CliError(`--era: ${format.id} is not a ONE_REG format`, { input: '--era' });
          if (!oneReg.eras.some((e) => e.era === options.era)) throw new CliError(`--era: ${format.id} has no era '${options.era}' (one of ${oneReg.eras.map((e) => e.era).join(', ')})`, { input: '--era' });
          const checks = checkWrites(oneReg, options.era, image);
          const refused = checks.filter((w) => w.errno !== 0);
          if (options.json === true) {
            io.out(JSON.stringify({ format: format.id, era: options.era, writes: checks }, undefined, 2));
          } else {
            io.out([`${format.id} ${options.era}: ${checks.length - refused.length} of ${checks.length} writes accepted`, ...checks.map((w) => `${w.name} ${w.id}: ${w.errno === 0 ? 'ok' : `-${w.errno}`}: ${w.why}`)].join('\n'));
          }
          return;
        }
        for (const entry of image.entries) {
          if (entry.id !== undefined) {
            const bytes = decodeOneRegId(entry.id).bytes;
            (entry as { bytes: number }).bytes = bytes;
          }
        }
        let result;
        try {
          result = format.import(image, registers);
        } catch (error) {
          fail(error, where);
        }
        const json = options.json === true || options.out !== undefined;
        const text = json ? JSON.stringify({ ...stateJson(result.state, registers), dropped: result.dropped }, undefined, 2) : [stateText(result.state, registers), ...result.dropped.map((d) => `dropped: ${d}`)].join('\n');
        writeOut(io, text, options.out, options.force === true);
      }),
    () => ({ specs: false, guestCode: false }),
  );

  declareNeeds(
    state
      .command('migrate')
      .description('migrate a guest state: kernel format F1 -> VMM (--via) -> migration stream -> VMM -> kernel format F2; report every register that changed and why')
      .argument('<arch>', 'the guest architecture (arm32, arm64)')
      .requiredOption('--from <format>', 'the source kernel format')
      .requiredOption('--via <sync>', 'the VMM and its era (see `hyplay state formats`)')
      .requiredOption('--to <format>', 'the destination kernel format')
      .option('--program <file>', 'assembly program: loaded at the load address and run to its stop')
      .option('--mode <mode>', 'mode the program starts in')
      .option('--max-steps <n>', 'step budget of the program')
      .option('--state <file>', 'state file')
      .option('--json', 'JSON output')
      .action((arch: string, options: SourceOptions & { from: string; via: string; to: string; json?: boolean }) => {
        const c = catalog();
        const registers = registersOf(c, arch);
        const found = c.syncs.get(options.via);
        if (found === undefined) throw new CliError(`--via: unknown sync '${options.via}' (one of ${[...c.syncs.keys()].join(', ')})`, { input: '--via' });
        for (const [option, id] of [['--from', options.from], ['--to', options.to]] as const) {
          formatOf(c, id, option);
          if (id !== found.sync.kernel.id) throw new CliError(`${option}: ${options.via} speaks ${found.sync.kernel.id} to the kernel, not ${id}`, { input: option });
        }
        const source = sourceState(services, c, arch, options);
        let report;
        try {
          report = migrate(found.sync, found.stream, source, registers);
        } catch (error) {
          fail(error, '--via');
        }
        const path = `${options.from} -> ${options.via} -> ${found.stream?.id ?? 'no stream'} -> ${options.via} -> ${options.to}`;
        if (options.json === true) {
          io.out(JSON.stringify({ arch, path, via: options.via, inProcess: changeJson(report.inProcess, registers), migrated: changeJson(report.migrated, registers) }, undefined, 2));
          return;
        }
        const section = (title: string, changes: readonly MigrationChange[]): string[] => [`${title}: ${changes.length === 0 ? 'no register changed' : `${changes.length} register${changes.length === 1 ? '' : 's'} changed`}`, ...formatChanges(changes, registers).map((l) => `  ${l}`)];
        io.out([`migrate ${arch}: ${path}`, ...section('round trip inside one VMM (get, then put)', report.inProcess), ...section('after migration', report.migrated)].join('\n'));
      }),
    () => ({ specs: false }),
  );
}
