#!/bin/sh
# Stages the root filesystem of the ike-controller image: the binary, exactly the shared
# libraries it links (as this machine's dynamic linker resolves them), the CA bundle, and a
# passwd entry for the numeric non-root user. The Containerfile copies it into an image FROM
# scratch, so that no base image has to be pulled:
#
#   cargo build --profile dist --bin ike-controller
#   scripts/image-rootfs.sh target/dist/ike-controller target/image-rootfs
#   podman build -f Containerfile -t ike-controller:0.1.0 target/image-rootfs
#
# Build on the oldest glibc the image should match (Debian bookworm for the shipped one).
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 BINARY ROOTFS_DIR" >&2
    exit 2
fi
binary=$1
root=$2
[ -x "$binary" ] || { echo "error: $binary is not an executable: build it first (cargo build --profile dist --bin ike-controller)" >&2; exit 1; }
rm -rf "$root"
mkdir -p "$root/usr/local/bin" "$root/etc/ssl/certs"
cp "$binary" "$root/usr/local/bin/ike-controller"
# Every library ldd resolves, and the dynamic linker itself, at the same paths.
ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
fi
printf 'nonroot:x:65532:65532:nonroot:/:/nonexistent\n' > "$root/etc/passwd"
printf 'nonroot:x:65532:\n' > "$root/etc/group"
