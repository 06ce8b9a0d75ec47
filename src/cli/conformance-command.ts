/**
 * `hyplay conformance <abi-id> [--impl <name>] [--json]`: generate the
 * conformance suite of one spec and run it against an implementation at the
 * hypervisor vectors.
 *
 * `--impl` names the implementation:
 * - `spec` (the default): the spec's own firmware;
 * - another spec's id (or `spec:<id>`): that spec's firmware standing in for
 *   a different hypervisor, e.g. `kvm-arm32-v3.9`;
 * - an assembly implementation the backend ships, e.g. `asm:hyp-stub-v4.12`;
 * - `image:FILE[@STUB]`: a real kernel image's own hyp stub. The image is
 *   booted (as `hyplay boot` does) until it installs the stub, the machine
 *   is snapshotted there, and every case runs from the snapshot against the
 *   vectors the kernel wrote (`src/firmware/image-stub.ts`). STUB names
 *   which of the image's stubs, for an architecture whose images install
 *   more than one (arm32 zImage: `zimage`, the decompressor's copy, or
 *   `kernel`, the kernel proper's); the default is the last one installed,
 *   the kernel proper's, which is the one that stays. With `--payload` the
 *   boot starts in the kernel inside a self-decompressing image, as
 *   `hyplay boot --payload` does (seconds instead of a zImage's
 *   decompression), so only the kernel's own stub can be asked for.
 *
 * Exit status: 0 when every case passes, 1 when a case fails (a result,
 * reported on stdout), 2 on bad input (unknown spec or implementation, an
 * image that cannot be read or never installs the stub asked for).
 *
 * @module
 */

import type { Command } from 'commander';
import type { AbiRegistry } from '../abi/registry.ts';
import type { Abi } from '../abi/spec.ts';
import type { BackendRegistry } from '../di/container.ts';
import {
  ConformanceError,
  formatReport,
  generateSuite,
  runSuite,
  specFirmwareImplementation,
  valueWidth,
  type ConformanceDriver,
  type ConformanceReport,
  type ConformanceSuite,
  type Expectation,
  type FirmwareImplementation,
} from '../firmware/conformance.ts';
import type { FirmwarePort } from '../firmware/firmware.ts';
import { bootToStubs, describeInstall, imageStubDriver, imageStubImplementation, type StubInstall, type StubWatch } from '../firmware/image-stub.ts';
import type { ArchBackend } from '../interp/backend.ts';
import { hexAddress } from '../interp/step-result.ts';
import { KERNEL_STUB, placeImage, type BootSupport, type ImageStub, type LoadedBootImage } from '../loader/boot-image.ts';
import type { MachineSnapshot } from '../interp/machine.ts';
import { ImageError } from '../loader/image-error.ts';
import { CliError, parseCliNumber } from './cli-error.ts';
import { inputName, readInputBytes } from './input.ts';
import { bootMachine } from './run-image.ts';
import type { CliServices } from './services.ts';

/** Options of the command. */
export interface ConformanceOptions {
  /** The implementation (default `spec`). */
  readonly impl?: string;
  /** JSON output. */
  readonly json?: boolean;
  /** With `image:`, the step budget of the boot up to the stub (a number as text; default {@link DEFAULT_IMAGE_BOOT_STEPS}). */
  readonly bootSteps?: string;
  /** With `image:`, the RAM as BASE:SIZE (default: see {@link IMAGE_RAM_SIZE}). */
  readonly ram?: string;
  /** With `image:`, boot the kernel inside a self-decompressing image directly (`hyplay boot --payload`): its decompressor's stub is never installed. */
  readonly payload?: boolean;
}

/**
 * The least RAM an image gets for conformance unless `--ram` says
 * otherwise: 64 MiB, enough for Debian's armmp zImage to decompress and
 * reach its stub, and small enough to sit in guest memory's flat window, so
 * that the snapshot and the restore before every case are one copy each.
 * An image that does not fit in the first half (where the device tree
 * goes) gets twice as much, up to the architecture's default.
 */
export const IMAGE_RAM_SIZE = 64 << 20;

/** `BASE:SIZE` of the RAM an image gets for conformance (see {@link IMAGE_RAM_SIZE}). */
async function imageRam(bytes: Uint8Array, support: BootSupport, payload: boolean): Promise<string> {
  const base = support.ram.base;
  let size = Math.min(IMAGE_RAM_SIZE, support.ram.size);
  try {
    const { placement } = await placeImage(bytes, support, support.ram, undefined, payload);
    const end = Math.max(...placement.segments.map((s) => s.address + s.memorySize)) - base;
    while (end > size / 2 && size < support.ram.size) size *= 2;
  } catch (error) {
    // A malformed image: the boot reports it, with its offset.
    if (!(error instanceof ImageError)) throw error;
  }
  return `0x${base.toString(16)}:${size}`;
}

/** The prefix of an image implementation. */
export const IMAGE_PREFIX = 'image:';

/** Steps an image may run before its stub must be installed: a zImage decompresses itself first (about 2.3 billion instructions for Debian's 6.12 armmp). */
export const DEFAULT_IMAGE_BOOT_STEPS = 8_000_000_000;

/** `--boot-steps N` (default {@link DEFAULT_IMAGE_BOOT_STEPS}), checked to 1..10^11; a {@link CliError} otherwise. */
export function parseBootSteps(text: string | undefined): bigint {
  const budget = parseCliNumber(text ?? String(DEFAULT_IMAGE_BOOT_STEPS), '--boot-steps');
  if (budget < 1n || budget > 100_000_000_000n) throw new CliError(`--boot-steps: ${text} is out of range 1..100000000000`, { input: '--boot-steps' });
  return budget;
}

/** The command ran, and its result is a failure: exit status 1, the report already written. */
export class ResultFailure extends Error {
  /** Always `'ResultFailure'`. */
  override readonly name = 'ResultFailure';
  /** The exit status. */
  readonly status = 1;
}

/** What the command produced. */
export interface ConformanceOutput {
  /** The report as text or JSON. */
  readonly text: string;
  /** The report. */
  readonly report: ConformanceReport;
  /** With `image:`, the stub the suite ran against and how the boot reached it. */
  readonly image?: ImageStubRun;
}

/** How an `image:` implementation was reached. */
export interface ImageStubRun {
  /** The file. */
  readonly file: string;
  /** Its format (`zImage`, `arm64 Image`). */
  readonly format: string;
  /** The stub chosen. */
  readonly stub: ImageStub;
  /** Its installation. */
  readonly install: StubInstall;
  /** Every installation seen up to it, one line each. */
  readonly installs: readonly string[];
}

interface Target {
  readonly abi: Abi;
  readonly port: FirmwarePort;
  readonly driver: ConformanceDriver;
}

function targetOf(backends: BackendRegistry, abis: AbiRegistry, id: string): Target {
  const abi = abis.get(id);
  if (abi === undefined) throw new CliError(`unknown ABI '${id}' (see \`hyplay abi list\`)`);
  const port = backends.get(abi.spec.arch)?.firmware;
  const driver = port?.conformance;
  if (port === undefined || driver === undefined) throw new CliError(`${id}: architecture ${abi.spec.arch} has no conformance driver`);
  return { abi, port, driver };
}

/** The implementation `name` names for `target`, or a {@link CliError} listing the choices. */
function implementationOf(abis: AbiRegistry, target: Target, name: string): FirmwareImplementation {
  const { abi, port, driver } = target;
  if (name === 'spec') return specFirmwareImplementation(port, abi, 'spec');
  const asm = driver.implementations.find((i) => i.name === name || i.name === `asm:${name}`);
  if (asm !== undefined) return asm;
  const specId = name.startsWith('spec:') ? name.slice('spec:'.length) : name;
  const other = abis.get(specId);
  if (other !== undefined) {
    if (other.spec.arch !== abi.spec.arch) throw new CliError(`--impl: '${specId}' is a ${other.spec.arch} spec and ${abi.spec.id} is ${abi.spec.arch}`);
    return specFirmwareImplementation(port, other);
  }
  const choices = ['spec', `a spec id of ${abi.spec.arch}`, ...driver.implementations.map((i) => i.name), 'image:FILE[@STUB]'];
  throw new CliError(`--impl: unknown implementation '${name}' (one of ${choices.join(', ')})`);
}

function hex(value: bigint, width: number): string {
  return `0x${BigInt.asUintN(width, value).toString(16).padStart(Math.ceil(width / 4), '0')}`;
}

function hexRecord(values: Readonly<Record<string, bigint>>, width: number): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([r, v]) => [r, hex(v, width)]));
}

function expectationJson(expected: Expectation, width: number): Record<string, unknown> {
  switch (expected.kind) {
    case 'return':
      return { kind: 'return', ...(expected.mode === undefined ? {} : { mode: expected.mode }), writes: hexRecord(expected.writes, width), preserved: expected.preserved, clobbers: expected.clobbers };
    case 'jump':
      return { kind: 'jump', target: hex(expected.target, width), writes: hexRecord(expected.writes, width), preserved: expected.preserved };
    case 'call':
      return { kind: 'call', target: hex(expected.target, width), args: expected.args.map((a) => hex(a, width)) };
    default: {
      const unreachable: never = expected;
      return unreachable;
    }
  }
}

/** The JSON form of a report: `{"abi","implementation","passed","failed","skipped","cases":[…]}`, values hex at `width` bits (the suite's {@link valueWidth}). */
export function conformanceJson(abi: Abi, suite: ConformanceSuite, report: ConformanceReport, width: number = abi.spec.selector.width): Record<string, unknown> {
  return {
    abi: report.abi,
    implementation: report.implementation,
    passed: report.passed,
    failed: report.failed,
    skipped: report.skipped.map((s) => ({ name: s.name, why: s.why })),
    cases: report.results.map((result, i) => {
      const kase = suite.cases[i]!;
      return {
        name: result.name,
        call: result.call,
        pass: result.pass,
        why: result.why,
        registers: hexRecord(kase.registers, width),
        expected: expectationJson(kase.expected, width),
        stop: { reason: result.stop.reason, pc: hexAddress(result.stop.pc), mode: result.mode },
      };
    }),
  };
}

/**
 * Generate the suite of `abiId` and run it against `options.impl`. Throws
 * {@link CliError} on bad input; a failing case is a result, not an error.
 */
export function runConformanceCommand(backends: BackendRegistry, abis: AbiRegistry, abiId: string, options: ConformanceOptions): ConformanceOutput {
  const target = targetOf(backends, abis, abiId);
  const implementation = implementationOf(abis, target, options.impl ?? 'spec');
  let suite: ConformanceSuite;
  try {
    suite = generateSuite(target.abi, target.port, target.driver);
  } catch (error) {
    if (error instanceof ConformanceError) throw new CliError(error.message);
    throw error;
  }
  const report = runSuite(target.abi, suite, target.port, target.driver, implementation);
  const text = options.json === true ? JSON.stringify(conformanceJson(target.abi, suite, report, valueWidth(target.abi, target.driver)), undefined, 2) : formatReport(report);
  return { text, report };
}

/** An `image:FILE[@STUB]` implementation, parsed. */
export interface ImageImplementation {
  /** The image file. */
  readonly file: string;
  /** The stub asked for (the last the architecture lists when none is named). */
  readonly stub: ImageStub;
}

/** `FILE[@STUB]` of an `image:` implementation, with the stub checked against `stubs`; the default stub is the last. */
export function parseImageImplementation(text: string, stubs: readonly ImageStub[], arch: string): ImageImplementation {
  const at = text.lastIndexOf('@');
  const named = at > 0 && !text.slice(at + 1).includes('/') ? text.slice(at + 1) : undefined;
  const file = named === undefined ? text : text.slice(0, at);
  if (file === '') throw new CliError(`--impl: '${IMAGE_PREFIX}${text}' names no file (image:FILE[@STUB])`);
  if (named === undefined) return { file, stub: stubs.at(-1)! };
  const stub = stubs.find((s) => s.name === named);
  if (stub === undefined) throw new CliError(`--impl: ${arch} images have no stub '${named}' (one of ${stubs.map((s) => s.name).join(', ')})`);
  return { file, stub };
}

/** A real image booted up to one of its stubs (see {@link bootImageToStub}). */
export interface ImageAtStub {
  /** What was loaded. */
  readonly loaded: LoadedBootImage;
  /** The installation asked for, with its snapshot (the machine at the drop). */
  readonly install: StubInstall & {
    /** The machine right after the drop. */
    readonly snapshot: MachineSnapshot;
  };
  /** Every installation seen up to it, one line each. */
  readonly lines: readonly string[];
}

/**
 * Boot the kernel image `file` on `backend` until it installs `stub` (one
 * of the backend's boot stubs; with `payload`, the kernel inside a
 * self-decompressing image is booted directly, so only the stubs past its
 * decompressor are seen), with a snapshot at the drop. The RAM is
 * `options.ram`, else {@link IMAGE_RAM_SIZE} (grown to fit the image).
 * Throws {@link CliError} for an unreadable or malformed image, one that
 * is not a kernel image, or one that does not install the stub within
 * `options.budget` instructions.
 */
export async function bootImageToStub(backend: ArchBackend, file: string, stub: ImageStub, watch: StubWatch, options: { readonly payload: boolean; readonly budget: number; readonly ram?: string }): Promise<ImageAtStub> {
  const support = backend.boot;
  if (support === undefined) throw new CliError(`${backend.name} cannot boot images`);
  const payload = options.payload;
  const all = support.stubs ?? [KERNEL_STUB];
  const stubs = payload ? all.filter((s) => s.decompressor !== true) : all;
  const bytes = readInputBytes(file);
  const ram = options.ram ?? (await imageRam(bytes, support, payload));
  const { machine, loaded } = await bootMachine(backend, bytes, inputName(file), { maxSteps: options.budget, trace: false, ram, ...(payload ? { payload } : {}) });
  // `run --image` takes any bytes as a raw program; a stub must come from a kernel image.
  if (loaded.format === 'raw') {
    const formats = ['ELF', ...support.formats.map((f) => f.name)].join(', ');
    throw new CliError(`${inputName(file)}: offset 0x0: not a kernel image ${backend.name} boots (${formats}), so it has no hyp stub to test`, { input: inputName(file) });
  }
  const index = stubs.indexOf(stub);
  const boot = bootToStubs(machine, watch, { snapshots: [index], maxSteps: options.budget });
  const lines = boot.installs.map((i) => `stub ${stubs[i.index]?.name ?? `#${i.index}`}: ${describeInstall(i, watch.vectorBaseRegister)}`);
  const install = boot.installs[index];
  if (!boot.complete || install === undefined || install.snapshot === undefined) {
    const seen = lines.length === 0 ? 'no stub installed' : `only ${lines.join('; ')}`;
    throw new CliError(
      `${IMAGE_PREFIX}${inputName(file)}@${stub.name}: the image did not install ${stub.description} within ${boot.steps} instructions (${seen}); the boot stopped with ${boot.stop.reason} at ${hexAddress(boot.stop.pc)}: ${boot.stop.detail}`,
      { input: inputName(file) },
    );
  }
  return { loaded, install: { ...install, snapshot: install.snapshot }, lines };
}

/**
 * `--impl image:FILE[@STUB]`: boot the image until it installs the stub,
 * then run the suite of `abiId` from the snapshot taken there against the
 * kernel's own vectors. Throws {@link CliError} on bad input, an unreadable
 * or malformed image, or one that does not install the stub within the
 * budget.
 */
export async function runImageConformance(backends: BackendRegistry, abis: AbiRegistry, abiId: string, options: ConformanceOptions): Promise<ConformanceOutput> {
  const target = targetOf(backends, abis, abiId);
  const name = options.impl ?? '';
  if (!name.startsWith(IMAGE_PREFIX)) throw new CliError(`--impl: '${name}' is not ${IMAGE_PREFIX}FILE[@STUB]`);
  const backend: ArchBackend | undefined = backends.get(target.abi.spec.arch);
  const support = backend?.boot;
  if (backend === undefined || support === undefined) throw new CliError(`--impl: ${target.abi.spec.arch} cannot boot images`);
  const payload = options.payload === true;
  const all = support.stubs ?? [KERNEL_STUB];
  // A payload boot starts in the kernel, past every stub its decompressor installs.
  const stubs = payload ? all.filter((s) => s.decompressor !== true) : all;
  const { file, stub } = parseImageImplementation(name.slice(IMAGE_PREFIX.length), all, backend.name);
  if (!stubs.includes(stub)) throw new CliError(`--impl: the ${stub.name} stub is ${stub.description}; --payload boots the kernel inside the image directly and never runs it`, { input: '--payload' });
  const budget = parseBootSteps(options.bootSteps);
  let suite: ConformanceSuite | undefined;
  try {
    // Generated first: a spec whose cases cannot run here is refused before a long boot.
    suite = generateSuite(target.abi, target.port, target.driver);
  } catch (error) {
    if (error instanceof ConformanceError) throw new CliError(error.message);
    throw error;
  }
  const watch = { hypervisorMode: target.driver.hypervisorMode, vectorBaseRegister: target.port.vectorBaseRegister };
  const { loaded, install, lines } = await bootImageToStub(backend, file, stub, watch, { payload, budget: Number(budget), ...(options.ram === undefined ? {} : { ram: options.ram }) });
  const driver = imageStubDriver(target.driver, install, () => backend.createMachine({ engine: 'interp' }));
  const implementation = imageStubImplementation(`${IMAGE_PREFIX}${inputName(file)}@${stub.name}`, stub.description, install, watch.vectorBaseRegister);
  try {
    suite = generateSuite(target.abi, target.port, driver);
  } catch (error) {
    if (error instanceof ConformanceError) throw new CliError(error.message);
    throw error;
  }
  const report = runSuite(target.abi, suite, target.port, driver, implementation);
  const image: ImageStubRun = { file: inputName(file), format: loaded.format, stub, install, installs: lines };
  const text =
    options.json === true
      ? JSON.stringify(
          {
            image: { file: image.file, format: image.format, stub: stub.name, description: stub.description, vectorBase: hexAddress(install.vectorBase), droppedTo: install.to, steps: install.steps, installs: lines },
            ...conformanceJson(target.abi, suite, report, valueWidth(target.abi, target.driver)),
          },
          undefined,
          2,
        )
      : [`image ${image.file} (${image.format}): ${stub.name} = ${stub.description}`, ...lines.map((l) => `  ${l}`), formatReport(report)].join('\n');
  return { text, report, image };
}

/** Where the command writes (the `out` half of the CLI's io). */
export interface ConformanceIo {
  /** Standard output. */
  out(text: string): void;
}

/**
 * Add `conformance` to `program`. The action writes the report, then throws
 * {@link ResultFailure} when a case failed so that the exit status is 1.
 */
export function registerConformanceCommand(program: Command, io: ConformanceIo, services: CliServices): void {
  program
    .command('conformance')
    .description("run a spec's generated conformance suite against an implementation at the hypervisor vectors")
    .argument('<abi-id>', 'spec id (see `hyplay abi list`)')
    .option('--impl <name>', "implementation: spec (the spec's own firmware), another spec's id, asm:<name>, or image:FILE[@STUB] (a kernel image's own stub: arm32 zimage or kernel, default the last installed)", 'spec')
    .option('--boot-steps <n>', 'with image:, the step budget of the boot up to the stub', String(DEFAULT_IMAGE_BOOT_STEPS))
    .option('--payload', "with image:, boot the kernel inside a self-decompressing image (zImage) directly, as `hyplay boot --payload` does: seconds instead of the decompression, and only the kernel proper's stub")
    .option('--ram <base:size>', `with image:, the RAM (default ${IMAGE_RAM_SIZE >> 20}M at the architecture's RAM base, doubled while the image takes more than half)`)
    .option('--json', 'JSON output')
    .action((abiId: string, options: ConformanceOptions): Promise<void> | undefined => {
      const finish = ({ text, report }: ConformanceOutput): void => {
        io.out(text);
        if (report.failed > 0) throw new ResultFailure(`${report.failed} of ${report.results.length} conformance cases failed`);
      };
      // Only an image boots (asynchronously: it may be compressed); every other implementation runs at once.
      if (options.impl?.startsWith(IMAGE_PREFIX) === true) return runImageConformance(services.backends(), services.abis(), abiId, options).then(finish);
      finish(runConformanceCommand(services.backends(), services.abis(), abiId, options));
      return undefined;
    });
}
