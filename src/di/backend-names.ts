/**
 * The names of the backends the composition root knows. Kept apart from
 * `container.ts` so that the CLI can name them (in help and messages)
 * without importing the root, and with it inversify and every backend.
 *
 * @module
 */

/** Every backend name, sorted; `container.ts` has one import per name. */
export const BACKEND_NAMES = ['arm32', 'arm64', 'ppc64', 'x86_64'] as const;

/** One of {@link BACKEND_NAMES}. */
export type BackendName = (typeof BACKEND_NAMES)[number];
