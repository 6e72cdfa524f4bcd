#!/usr/bin/env bash
# benches/tenants.sh for another revision and for this tree, one after the other in one run:
# both are built in release into one target directory (their dependencies are built once), their
# binaries copied aside, then tenants.sh runs each against a fresh local IKE of its own.
#
#   benches/tenants_before_after.sh [REV]      # REV defaults to main; N=500 as tenants.sh
#
# Knobs: those of tenants.sh (N, POOL, ...); ORDER="after before" to run this tree first;
# PROFILE=dist to compare what ships (whole-program LTO: slow to build) instead of release. REV is
# built in BEFORE_TARGET_DIR (default target/bench-before-after), this tree in its own target/:
# one target directory for both would take the second build for fresh (same package, same
# relative path). Each side's whole report is kept next to the binaries, and the two summaries
# are printed side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-main}
before_target=${BEFORE_TARGET_DIR:-$PWD/target/bench-before-after}
out=$before_target/tenants-before-after
before_src=$before_target/before-src
rm -rf "$before_src" "$out" && mkdir -p "$before_src" "$out/before" "$out/after"
git archive "$rev" | tar -x -C "$before_src"

profile=${PROFILE:-release}
echo "building $rev (before) and this tree (after), profile $profile" >&2
CARGO_TARGET_DIR=$before_target cargo build -q --profile "$profile" --bins --manifest-path "$before_src/Cargo.toml"
cp "$before_target/$profile/ike" "$before_target/$profile/ike-controller" "$out/before/"
after_target=${CARGO_TARGET_DIR:-$PWD/target}
cargo build -q --profile "$profile" --bins
cp "$after_target/$profile/ike" "$after_target/$profile/ike-controller" "$out/after/"
if cmp -s "$out/before/ike-controller" "$out/after/ike-controller"; then
  echo "error: $rev and this tree built the same ike-controller" >&2
  exit 1
fi

for side in ${ORDER:-before after}; do
  echo "== $side" >&2
  BIN_DIR=$out/$side benches/tenants.sh 2>&1 | tee "$out/$side.txt" >&2 || echo "(the $side run failed)" >&2
done

echo
echo "== benches/tenants.sh, N=${N:-500}: $rev (before) and this tree (after), profile $profile, one run, $(nproc) cores"
echo "(each whole report: $out/{before,after}.txt)"
for side in before after; do
  echo "-- $side"
  sed -n '/^== summary/,$p' "$out/$side.txt"
done
