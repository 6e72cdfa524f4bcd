#!/usr/bin/env bash
# benches/tenants.sh for another revision and for this tree, one after the other in one run:
# both are built in release into one target directory (their dependencies are built once), their
# binaries copied aside, then tenants.sh runs each against a fresh local IKE of its own.
#
#   benches/tenants_before_after.sh [REV]      # REV defaults to main; N=500 as tenants.sh
#
# Knobs: those of tenants.sh (N, POOL, ...); ORDER="after before" to run this tree first. The
# target directory is CARGO_TARGET_DIR (default target/bench-before-after). Each side's whole
# report is kept next to the binaries, and the two summaries are printed side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-main}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target/bench-before-after}
out=$CARGO_TARGET_DIR/tenants-before-after
before_src=$CARGO_TARGET_DIR/before-src
rm -rf "$before_src" "$out" && mkdir -p "$before_src" "$out/before" "$out/after"
git archive "$rev" | tar -x -C "$before_src"

echo "building $rev (before) and this tree (after), release" >&2
cargo build -q --release --bins --manifest-path "$before_src/Cargo.toml"
cp "$CARGO_TARGET_DIR/release/ike" "$CARGO_TARGET_DIR/release/ike-controller" "$out/before/"
cargo build -q --release --bins
cp "$CARGO_TARGET_DIR/release/ike" "$CARGO_TARGET_DIR/release/ike-controller" "$out/after/"

for side in ${ORDER:-before after}; do
  echo "== $side" >&2
  BIN_DIR=$out/$side benches/tenants.sh 2>&1 | tee "$out/$side.txt" >&2 || echo "(the $side run failed)" >&2
done

echo
echo "== benches/tenants.sh, N=${N:-500}: $rev (before) and this tree (after), one run, $(nproc) cores"
echo "(each whole report: $out/{before,after}.txt)"
for side in before after; do
  echo "-- $side"
  sed -n '/^== summary/,$p' "$out/$side.txt"
done
