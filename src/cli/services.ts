/**
 * What commands take from the composition root, and what each command needs
 * of it loaded before its action runs.
 *
 * The composition root (`src/di/container.ts`) imports backends and specs on
 * demand. The CLI never imports it statically: `hyplay --help` then loads
 * no backend at all. The binary's {@link CliServices.prepare} loads what the
 * command about to run declared ({@link declareNeeds}); the in-process test
 * harness loads everything up front.
 *
 * @module
 */

import type { Command } from 'commander';
import type { AbiRegistry } from '../abi/registry.ts';
import type { BackendRegistry } from '../di/container.ts';

/** What a command needs loaded before its action runs. */
export interface CommandNeeds {
  /** The backends, by name; `undefined` for every backend. */
  readonly archs?: readonly string[];
  /** Whether their ABI specs too. */
  readonly specs: boolean;
  /** With specs: only those on this conduit, where the backend can load them so (see `ModuleRequest.conduit`). */
  readonly conduit?: string;
  /** Whether the command may run guest code (then V8 is tuned for the interpreter first); default true. */
  readonly guestCode?: boolean;
}

/** Every backend and every spec: what a command that declares nothing gets. */
export const EVERYTHING: CommandNeeds = { specs: true };

/** No backend at all (help, the command groups). */
export const NOTHING: CommandNeeds = { archs: [], specs: false, guestCode: false };

/** The registries commands read, over whatever the composition root has loaded. */
export interface CliServices {
  /** Every backend name the composition root knows, loaded or not (for messages and checks). */
  readonly archNames: readonly string[];
  /** The loaded backends. */
  backends(): BackendRegistry;
  /** The loaded specs and allow-list. */
  abis(): AbiRegistry;
  /** Load what a command needs (before its action runs); absent where everything is loaded already. */
  prepare?(needs: CommandNeeds): Promise<void>;
}

/** The part of the composition root the services are made of (`src/di/container.ts`). */
export interface CompositionRoot {
  /** See `BACKEND_NAMES`. */
  readonly BACKEND_NAMES: readonly string[];
  /** See `loadBackends`. */
  loadBackends(): BackendRegistry;
  /** See `loadAbis`. */
  loadAbis(): AbiRegistry;
  /** See `loadModules`. */
  loadModules(request: CommandNeeds): Promise<void>;
}

/** Services over `root`, which has everything loaded already (the in-process test harness). Each registry is built on first use, once. */
export function servicesOf(root: CompositionRoot): CliServices {
  let backends: BackendRegistry | undefined;
  let abis: AbiRegistry | undefined;
  return {
    archNames: root.BACKEND_NAMES,
    backends: () => (backends ??= root.loadBackends()),
    abis: () => (abis ??= root.loadAbis()),
  };
}

/**
 * Services whose composition root is imported by the first
 * {@link CliServices.prepare} that needs a backend, which then loads what
 * each command needs. Reading a registry before that is a bug (an internal
 * error), never a silent empty list.
 */
export function lazyServices(archNames: readonly string[], importRoot: () => Promise<CompositionRoot>): CliServices {
  let root: CompositionRoot | undefined;
  let backends: BackendRegistry | undefined;
  let abis: AbiRegistry | undefined;
  const loaded = (): CompositionRoot => {
    if (root === undefined) throw new Error('the command read the backends before they were loaded');
    return root;
  };
  return {
    archNames,
    backends: () => (backends ??= loaded().loadBackends()),
    abis: () => (abis ??= loaded().loadAbis()),
    async prepare(needs) {
      if (needs.archs?.length === 0) return;
      root ??= await importRoot();
      await root.loadModules(needs);
    },
  };
}

const NEEDS = new WeakMap<Command, (command: Command) => CommandNeeds>();
const HELP_NEEDS = new WeakMap<Command, CommandNeeds>();

/** Declare what `command`'s help text needs (it is generated from the backends): loaded before `--help` prints it. Returns `command`. */
export function declareHelpNeeds(command: Command, needs: CommandNeeds): Command {
  HELP_NEEDS.set(command, needs);
  return command;
}

/** What `command`'s help needs, or {@link NOTHING}. */
export function helpNeedsOf(command: Command): CommandNeeds {
  return HELP_NEEDS.get(command) ?? NOTHING;
}

/** Declare what `command`'s action needs, from its parsed arguments and options. Returns `command`. */
export function declareNeeds(command: Command, needs: (command: Command) => CommandNeeds): Command {
  NEEDS.set(command, needs);
  return command;
}

/** What `command` declared, or {@link EVERYTHING}. */
export function needsOf(command: Command): CommandNeeds {
  return NEEDS.get(command)?.(command) ?? EVERYTHING;
}

/**
 * Needs of a command whose first argument names the architecture: that
 * backend alone, or every backend when the name is not one (so that the
 * error lists them all). `guestCode`: whether it may run guest code.
 */
export function archArgumentNeeds(archNames: readonly string[], specs: (command: Command) => boolean, guestCode = true): (command: Command) => CommandNeeds {
  return (command) => {
    const arch = command.args[0];
    const s = specs(command);
    return arch !== undefined && archNames.includes(arch) ? { archs: [arch], specs: s, guestCode } : { specs: s, guestCode };
  };
}
