#!/bin/sh
# Fetch Debian's own kernel images, the held-out test of issue 12, into a
# cache outside the repository (never commit them):
#   $HYPLAY_IMAGE_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/hyplay/images
# It picks the newest 6.x armmp (armhf) and arm64 image packages the archive
# offers, downloads each .deb once, and extracts boot/vmlinuz-* as
# debian-armmp.vmlinuz and debian-arm64.vmlinuz, with the package name in
# a .package file beside each; and the newest 6.x powerpc64le (ppc64el)
# package's boot/vmlinux-* (an ELF, which that package ships instead of a
# vmlinuz) as debian-ppc64el.vmlinux. Needs root for `dpkg --add-architecture` and
# `apt-get update` the first time; tests that need the images skip with a
# printed reason when they are not there.
set -eu

cache="${HYPLAY_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hyplay/images}"
mkdir -p "$cache"

have_arch() { dpkg --print-foreign-architectures | grep -qx "$1"; }
added=0
for arch in armhf arm64 ppc64el; do
  if ! have_arch "$arch"; then dpkg --add-architecture "$arch"; added=1; fi
done
if [ "$added" = 1 ] || [ "${HYPLAY_APT_UPDATE:-0}" = 1 ]; then apt-get update -qq; fi

# The newest package whose name matches the extended regex $1 (version order).
newest() { apt-cache search --names-only "$1" | cut -d' ' -f1 | sort -V | tail -n 1; }

fetch() {
  name=$1 package=$2 arch=$3 kind=${4:-vmlinuz}
  if [ -z "$package" ]; then echo "kernel-images: no package for $name in the archive" >&2; return 1; fi
  if [ -s "$cache/debian-$name.$kind" ] && [ "$(cat "$cache/debian-$name.package" 2>/dev/null)" = "$package" ]; then
    echo "kernel-images: $name: $package (cached)"
    return 0
  fi
  work=$(mktemp -d)
  (cd "$work" && apt-get download -qq "$package:$arch" 2>/dev/null)
  deb=$(ls "$work"/*.deb)
  dpkg-deb --fsys-tarfile "$deb" | tar -x -O --wildcards "./boot/$kind-*" > "$cache/debian-$name.$kind.part"
  mv "$cache/debian-$name.$kind.part" "$cache/debian-$name.$kind"
  echo "$package" > "$cache/debian-$name.package"
  rm -rf "$work"
  echo "kernel-images: $name: $package -> $cache/debian-$name.$kind"
}

fetch armmp "$(newest '^linux-image-6\.[0-9.]+(\+deb[0-9]+)?-armmp$')" armhf
arm64=$(newest '^linux-image-6\.[0-9.]+(\+deb[0-9]+)?-arm64-unsigned$')
[ -n "$arm64" ] || arm64=$(newest '^linux-image-6\.[0-9.]+(\+deb[0-9]+)?-arm64$')
fetch arm64 "$arm64" arm64
fetch ppc64el "$(newest '^linux-image-6\.[0-9.]+(\+deb[0-9]+)?-powerpc64le$')" ppc64el vmlinux
