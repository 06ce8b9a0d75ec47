#!/usr/bin/env node
/**
 * Build the `hyplay` command to plain JavaScript in `dist/` (what
 * package.json's `bin` runs), so that a command starts without compiling
 * TypeScript. `npm ci` runs it through `prepare`.
 *
 *   node scripts/build.mjs             check every instruction table, then bundle
 *   node scripts/build.mjs --if-stale  the same, but only when a source is newer than the last build
 *
 * The check: every backend's instruction table gets its pairwise overlap scan
 * (`InstructionTable.checkOverlaps`), which the tables defer at start-up.
 * A broken table fails the build, as it fails the test suite.
 *
 * The bundle: esbuild, one CommonJS script (dist/hyplay-bundle.cjs) run by
 * a small launcher (scripts/launcher.cjs, copied to dist/hyplay.cjs, the
 * `bin`) with a V8 code cache. What the sources import on demand (the
 * composition root, each backend, its specs) stays lazy: esbuild evaluates
 * such a module only when the import runs, so `hyplay --help` evaluates no
 * backend. `import.meta.url` in a bundled module keeps meaning that module's
 * source file, so files read beside the sources (firmware `.s`, `abi-docs/`,
 * `package.json`) are found from `dist/` too.
 *
 * The code cache: a training run (`dispatch arm32 hvc r0=1` under
 * HYPLAY_WRITE_CODE_CACHE=1) compiles what a command needs and writes V8's
 * cached data; later runs skip that parse and compile. A training run that
 * fails fails the build (it is also a smoke test of the bundle).
 *
 * Plain JavaScript on purpose: `--if-stale` runs before `npm start` and must
 * not pay for a TypeScript loader; tsx is imported only for the table check.
 */

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'dist');
const ENTRY = join(ROOT, 'src/cli/hyplay.ts');
const LAUNCHER = join(ROOT, 'scripts/launcher.cjs');
const BIN = join(OUT_DIR, 'hyplay.cjs');
const BUNDLE = join(OUT_DIR, 'hyplay-bundle.cjs');
/** The command whose run writes the code cache. */
const TRAINING = ['dispatch', 'arm32', 'hvc', 'r0=1', '--from', 'kernel'];
/** What the last build read and wrote, for `--if-stale` and for removing outputs it no longer writes. */
const STAMP = join(OUT_DIR, 'build-stamp.json');
/** Files besides the bundled sources whose change makes the build stale. */
const BUILD_INPUTS = ['scripts/build.mjs', 'scripts/launcher.cjs', 'package.json', 'package-lock.json'];

/** @returns {{ inputs: string[], outputs: string[] } | undefined} */
function readStamp() {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether the last build is at least as new as every file it read, and all it wrote is still there. */
function isFresh() {
  const stamp = readStamp();
  if (stamp === undefined) return false;
  const built = statSync(STAMP).mtimeMs;
  if (!stamp.outputs.every((path) => existsSync(join(ROOT, path)))) return false;
  return [...stamp.inputs, ...BUILD_INPUTS].every((path) => {
    try {
      return statSync(join(ROOT, path)).mtimeMs <= built;
    } catch {
      return false; // an input that is gone: rebuild, and let esbuild say what is missing
    }
  });
}

/** Run every backend's deferred overlap scan; throws the table's own error. */
async function checkTables() {
  const { tsImport } = await import('tsx/esm/api');
  const container = await tsImport(pathToFileURL(join(ROOT, 'src/di/container.ts')).href, import.meta.url);
  const assembler = await tsImport(pathToFileURL(join(ROOT, 'src/isa/assembler.ts')).href, import.meta.url);
  await container.loadModules();
  for (const backend of container.loadBackends().all()) {
    for (const endian of backend.endians) {
      const set = backend.instructionSet(endian);
      if (set instanceof assembler.TableInstructionSet) set.table.checkOverlaps();
    }
  }
}

/**
 * An esbuild plugin: in every bundled source that mentions `import.meta.url`,
 * that expression becomes the URL of the source file itself, computed from
 * the bundle's own URL (`__hyplayUrl`, set by the banner; the bundle sits
 * directly in `dist/`).
 */
const sourceRelativeImportMeta = {
  name: 'source-relative-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.split(sep).includes('node_modules')) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromChunk = relative(OUT_DIR, args.path).split(sep).join('/');
      const url = `new URL(${JSON.stringify(fromChunk)}, __hyplayUrl).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/**
 * An esbuild plugin: commander requires `node:child_process` when it loads,
 * for executable subcommands, which hyplay has none of; importing that
 * builtin costs every command several milliseconds. Within commander it
 * becomes an object that requires the real module on first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) => (args.importer.split(sep).includes('commander') ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

async function bundle() {
  const { build } = await import('esbuild');
  const previous = readStamp();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    outfile: BUNDLE,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    banner: { js: 'var __hyplayUrl = require("node:url").pathToFileURL(__filename).href;' },
    minify: true,
    legalComments: 'none',
    charset: 'ascii',
    metafile: true,
    logLevel: 'warning',
    plugins: [sourceRelativeImportMeta, lazyChildProcess],
  });
  // The launcher reads the bundle as latin1 (faster than decoding UTF-8): esbuild's default ASCII output makes the two the same.
  if (/[^\x00-\x7f]/.test(readFileSync(BUNDLE, 'latin1'))) throw new Error(`${relative(ROOT, BUNDLE)} is not ASCII; the launcher reads it as latin1`);
  writeFileSync(BIN, readFileSync(LAUNCHER));
  chmodSync(BIN, 0o755);
  const cache = `${BUNDLE}.v8-cache`;
  rmSync(cache, { force: true });
  const training = spawnSync(process.execPath, [BIN, ...TRAINING], { env: { ...process.env, HYPLAY_WRITE_CODE_CACHE: '1' }, encoding: 'utf8' });
  if (training.status !== 0 || !existsSync(cache)) throw new Error(`the training run \`hyplay ${TRAINING.join(' ')}\` failed (status ${training.status}): ${training.stderr.trim()}`);
  const outputs = [...Object.keys(result.metafile.outputs).map((path) => relative(ROOT, resolve(ROOT, path)).split(sep).join('/')), relative(ROOT, BIN), relative(ROOT, cache)].map((p) => p.split(sep).join('/'));
  const inputs = Object.keys(result.metafile.inputs)
    .map((path) => relative(ROOT, resolve(ROOT, path)).split(sep).join('/'))
    // Only files: a plugin's virtual module (`lazy-builtin:child_process`) has no mtime, and would make every build stale.
    .filter((path) => !path.startsWith('node_modules/') && existsSync(join(ROOT, path)));
  // Only files an earlier build wrote are removed: dist/ holds nothing else of anyone's.
  for (const path of previous?.outputs ?? []) {
    if (!outputs.includes(path) && path.startsWith('dist/')) rmSync(join(ROOT, path), { force: true });
  }
  writeFileSync(STAMP, `${JSON.stringify({ inputs: inputs.sort(), outputs: outputs.sort() }, undefined, 2)}\n`);
}

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--if-stale');
  if (unknown.length > 0) {
    console.error(`build: unknown argument '${unknown[0]}' (usage: node scripts/build.mjs [--if-stale])`);
    return 2;
  }
  if (args.includes('--if-stale') && isFresh()) return 0;
  mkdirSync(OUT_DIR, { recursive: true });
  try {
    await checkTables();
    await bundle();
  } catch (error) {
    console.error(`build: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
