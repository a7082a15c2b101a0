#!/usr/bin/env bash
# Builds the normal world of the qemu target from Debian's own arm64 packages: the kernel Image,
# a base initramfs (busybox, tee.ko + optee.ko, tee-supplicant 3.19 with its libraries) and the
# U-Boot environment for pflash1. Nothing arm64 is installed on the host: the packages are
# downloaded and unpacked. Idempotent: an existing, complete guest is left as it is.
#   scripts/qemu/make-guest.sh [DIR]     (default: $TEEBENCH_QEMU_GUEST or ~/.cache/teebench/qemu-guest)
# Facts used here are in docs/targets.md ("The qemu target").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${TEEBENCH_QEMU_GUEST:-$HOME/.cache/teebench/qemu-guest}}
# Debian's python3 (a pyenv shim may come first on PATH).
export PATH=/usr/bin:/bin:$PATH

if [ -f "$out/complete" ] && [ "$out/complete" -nt "$here/guest-init" ] &&
   [ "$out/complete" -nt "$here/make-guest.sh" ]; then
  exit 0
fi
dpkg --print-foreign-architectures | grep -qx arm64 ||
  { echo "make-guest: arm64 is not a dpkg architecture here: run scripts/setup.sh first" >&2; exit 2; }

# The kernel package's name carries Debian's ABI number: resolve it from the metapackage.
kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | awk '/Depends: linux-image-6/ {print $2; exit}')
kpkg=${kpkg%:arm64}
[ -n "$kpkg" ] || { echo "make-guest: cannot resolve linux-image-arm64:arm64 (apt-get update?)" >&2; exit 2; }
kver=${kpkg#linux-image-}

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "$kpkg:arm64" busybox-static:arm64 tee-supplicant:arm64 \
   libteec1:arm64 libc6:arm64 >/dev/null 2>&1) ||
  { echo "make-guest: apt-get download of the arm64 packages failed (network? apt-get update?)" >&2; exit 2; }
mkdir "$tmp/x"
for d in "$tmp"/*.deb; do dpkg-deb -x "$d" "$tmp/x"; done
x=$tmp/x

# Debian's arm64 vmlinuz is an uncompressed Image, which U-Boot's booti takes as it is.
cp "$x/boot/vmlinuz-$kver" "$out/Image"

r=$tmp/root
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,lib/aarch64-linux-gnu,lib/modules,lib/optee_armtz,dev,proc,sys,tmp,run,etc,var/lib}
mkdir -p "$r/usr/lib/tee-supplicant/plugins" "$r/teebench"
cp "$x/bin/busybox" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
install -m 755 "$here/guest-init" "$r/init"
cp "$x/usr/sbin/tee-supplicant" "$r/usr/sbin/"
cp -L "$x/lib/ld-linux-aarch64.so.1" "$r/lib/aarch64-linux-gnu/"
ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$r/lib/ld-linux-aarch64.so.1"
cp -L "$x/lib/aarch64-linux-gnu/libc.so.6" "$r/lib/aarch64-linux-gnu/"
cp -L "$x/usr/lib/aarch64-linux-gnu/libteec.so.1" "$r/lib/aarch64-linux-gnu/"
for m in tee.ko optee/optee.ko; do
  f=$x/lib/modules/$kver/kernel/drivers/tee/$m
  if [ -f "$f" ]; then cp "$f" "$r/lib/modules/"
  elif [ -f "$f.xz" ]; then xz -dc "$f.xz" > "$r/lib/modules/$(basename "$m")"
  else echo "make-guest: $kpkg has no $m" >&2; exit 2; fi
done
echo "root:x:0:0:root:/root:/bin/sh" > "$r/etc/passwd"
# Fixed mtimes and no gzip name: the same inputs give the same bytes.
find "$r" -exec touch -h -d @0 {} +
(cd "$r" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet | gzip -9 -n) > "$out/initramfs.cpio.gz"

python3 "$here/mkenv.py" "$out/uboot-env.bin"
printf '%s\n' "$kver" > "$out/kernel-version"
dpkg-deb -f "$tmp/$(ls "$tmp" | grep '^tee-supplicant_')" Version > "$out/tee-supplicant-version"
touch "$out/complete"
echo "make-guest: $out (kernel $kver)"
