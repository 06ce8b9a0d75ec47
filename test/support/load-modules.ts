/**
 * Vitest setup file (see vitest.config.ts): import every backend and its
 * specs before a test file runs, so that the synchronous composition-root
 * calls (`loadBackends()`, `loadAbis()`) see them all, as they did before
 * modules were loaded on demand.
 */

import { loadModules } from '../../src/di/container.ts';

await loadModules();
