#!/usr/bin/env node
/*
 * The `hyplay` command as package.json's `bin` names it (the build copies
 * this file to dist/hyplay.cjs). It runs dist/hyplay-bundle.cjs, all of
 * hyplay as one CommonJS script built by scripts/build.mjs, compiled with
 * the V8 code cache the build wrote beside it (dist/hyplay-bundle.cjs.v8-cache),
 * so that a command starts without parsing and compiling what a previous
 * run already compiled. The cache is an optimisation only: when it is
 * missing, or V8 rejects it (another Node version, a changed bundle), the
 * script compiles as usual.
 *
 * HYPLAY_WRITE_CODE_CACHE=1 (the build's training run) writes the cache of
 * everything the run compiled when the process exits.
 * HYPLAY_CODE_CACHE_STATUS=1 says on stderr whether the cache was used
 * (`accepted`, `rejected` or `missing`), to diagnose a slow start.
 */
'use strict';

const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { constants, Script } = require('node:vm');

const bundle = join(__dirname, 'hyplay-bundle.cjs');
const cacheFile = `${bundle}.v8-cache`;

let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}

// The same wrapper Node gives a CommonJS module, on the bundle's first line, so line numbers stay the bundle's.
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'latin1')}\n})`, {
  filename: bundle,
  cachedData,
  // Any import() the bundle keeps (of a builtin) goes to Node's own loader.
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});

if (process.env.HYPLAY_CODE_CACHE_STATUS === '1') {
  process.stderr.write(`hyplay: code cache ${cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted'}\n`);
}

if (process.env.HYPLAY_WRITE_CODE_CACHE === '1') {
  process.on('exit', () => {
    const temporary = `${cacheFile}.${process.pid}`;
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
  });
}

const module_ = { exports: {} };
script.runInThisContext()(module_.exports, require, module_, bundle, __dirname);
