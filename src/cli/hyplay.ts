/**
 * Entry point of the `hyplay` command: the build bundles it (and all it
 * imports) into `dist/hyplay-bundle.cjs`, which `dist/hyplay.cjs`, the file
 * package.json's `bin` names, runs; `tsx src/cli/hyplay.ts` runs the
 * sources. Everything is imported on demand (see `main.ts`), so that a
 * command evaluates only what it uses. No top-level `await`: the bundle is
 * a CommonJS script, so that V8 can cache its compiled code.
 *
 * @module
 */

void import('./main.ts').then(async ({ main }) => {
  process.exitCode = await main(process.argv.slice(2));
});
