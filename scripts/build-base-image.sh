#!/usr/bin/env bash
# Builds localhost/sellbridge-base: a Debian minbase root file system (debootstrap) with what the Sellbridge
# single executable needs (glibc, libstdc++, CA certificates, tzdata), imported with buildah. No image registry
# is needed: the packages come from the Debian mirror apt already uses. Run as root; takes a few minutes once.
#   scripts/build-base-image.sh [suite] [mirror]
set -euo pipefail
SUITE="${1:-bookworm}"
MIRROR="${2:-http://deb.debian.org/debian}"
IMAGE="localhost/sellbridge-base:${SUITE}"
if buildah inspect --type image "$IMAGE" >/dev/null 2>&1; then
  echo "base image $IMAGE exists"
  exit 0
fi
ROOTFS="$(mktemp -d /tmp/sellbridge-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT
debootstrap --variant=minbase --include=ca-certificates,tzdata,libstdc++6 "$SUITE" "$ROOTFS" "$MIRROR"
# Smaller: no apt caches, docs or man pages.
chroot "$ROOTFS" apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/var/cache/debconf/*-old
ctr=$(buildah from scratch)
mnt=$(buildah mount "$ctr")
cp -a "$ROOTFS"/. "$mnt"/
buildah umount "$ctr"
buildah config --env LANG=C.UTF-8 --cmd /bin/bash "$ctr"
buildah commit --rm "$ctr" "$IMAGE"
buildah tag "$IMAGE" localhost/sellbridge-base:latest
echo "built $IMAGE"
