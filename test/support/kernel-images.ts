/**
 * Debian's kernel images, fetched by `scripts/kernel-images.sh` into a cache
 * outside the repository. A test that needs one skips, with the reason
 * printed, when it is not there.
 */

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The image cache (`$HYPLAY_IMAGE_CACHE`, else `${XDG_CACHE_HOME:-~/.cache}/hyplay/images`). */
export const IMAGE_CACHE = process.env.HYPLAY_IMAGE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hyplay', 'images');

/** A cached image: its path and the package it came from; or why there is none. */
export type KernelImage = { readonly path: string; readonly package: string; readonly skip?: undefined } | { readonly skip: string };

/**
 * The cached `debian-<name>.vmlinuz` (`armmp`, `arm64`), or
 * `debian-ppc64el.vmlinux` (the ppc64el package ships the ELF vmlinux), or
 * the reason a test must skip.
 */
export function kernelImage(name: 'armmp' | 'arm64' | 'ppc64el'): KernelImage {
  const path = join(IMAGE_CACHE, `debian-${name}.${name === 'ppc64el' ? 'vmlinux' : 'vmlinuz'}`);
  if (!existsSync(path)) {
    const skip = `no Debian ${name} kernel image at ${path} (run scripts/kernel-images.sh; CI does)`;
    console.warn(`skipping: ${skip}`);
    return { skip };
  }
  const packageFile = join(IMAGE_CACHE, `debian-${name}.package`);
  return { path, package: existsSync(packageFile) ? readFileSync(packageFile, 'utf8').trim() : 'unknown package' };
}
