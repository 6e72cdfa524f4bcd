#!/usr/bin/env bash
# Publishing Alertmanager's configuration with N configs (benches/notify.sh, sections 1 and 2)
# for another revision and for this tree, side by side in one run: both built in release into
# one target directory (their dependencies are built once), then run one after the other,
# ROUNDS times each, alternating, so that what else the machine does weighs on both alike. Each
# run starts its own local IKE. Run from the repository root:
#
#   benches/notify_before_after.sh [REV]       # REV defaults to main
#
# Knobs (env): N (1000), NS (300), SAMPLES (20), ROUNDS (1), CARGO_TARGET_DIR (default
# target/bench-before-after; delete its release/ after), SKIP_BUILD=1 (run the binaries the
# last run built, in $CARGO_TARGET_DIR/bins).
#
# Both sides are copies (REV from git, this tree as it is, uncommitted changes included) in a
# temporary directory, built in turn in one target directory, and each copy's sources are
# touched before its build: cargo names a root package's artifacts without the package's path,
# so the second build would otherwise find the first one's artifacts "fresh" and copy them as
# its own. The copies must not be inside the target directory either: cargo records sources
# there relative to it, and the second build then checks the first copy's files (seen both
# ways: "after" ran main's binaries).
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-main}
rounds=${ROUNDS:-1}
export N=${N:-1000} NS=${NS:-300} SAMPLES=${SAMPLES:-20}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target/bench-before-after}
bins=$CARGO_TARGET_DIR/bins
if [[ -n ${SKIP_BUILD:-} ]]; then
  for side in before after; do
    [[ -x $bins/$side/ike-controller ]] || { echo "SKIP_BUILD: no $bins/$side/ike-controller" >&2; exit 2; }
  done
else
  sources=$(mktemp -d -t ike-before-after.XXXXXX)
  trap 'rm -rf "$sources"' EXIT
  rm -rf "$bins"
  mkdir -p "$sources/before" "$sources/after" "$bins/before" "$bins/after"
  git archive "$rev" | tar -x -C "$sources/before"
  git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -x -C "$sources/after"

  echo "building $rev and this tree (release)" >&2
  for side in before after; do
    src=$sources/$side
    find "$src/src" -type f -exec touch {} +
    cargo build -q --release --bins --manifest-path "$src/Cargo.toml"
    cp "$CARGO_TARGET_DIR/release/ike" "$CARGO_TARGET_DIR/release/ike-controller" "$bins/$side/"
  done
  if cmp -s "$bins/before/ike-controller" "$bins/after/ike-controller"; then
    echo "warning: $rev and this tree built the same ike-controller (the same sources?)" >&2
  fi
fi

summary=$(mktemp)
for round in $(seq "$rounds"); do
  for side in before after; do
    echo "round $round: $side" >&2
    out=$(SKIP_BUILD=1 BIN_DIR="$bins/$side" SECTIONS="1 2" benches/notify.sh 2>&1)
    printf '%s\n' "$out" >"$CARGO_TARGET_DIR/notify-$round-$side.txt"
    running=$(grep -o 'runs all [0-9]* receivers [0-9.]*s' <<<"$out" | grep -o '[0-9.]*s$')
    size=$(grep -o 'rendered configuration: [0-9]* bytes' <<<"$out" | grep -o '[0-9]* bytes')
    mean() { grep -o "mean $1 with [0-9]* configs: [0-9.]* ms" <<<"$out" | grep -o '[0-9.]* ms$'; }
    new=$(grep 'new config, from before kubectl' <<<"$out" | grep -o 'p50 [0-9.]* s')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$side" "$running" "$size" \
      "$(mean render)" "$(mean write)" "$(mean reload)" "$new" >>"$summary"
  done
done
echo
echo "== publishing with $N configs over $NS namespaces: $rev (before) and this tree (after)"
echo "(each run's whole report: $CARGO_TARGET_DIR/notify-ROUND-SIDE.txt)"
printf 'round\tside\tall running after\tconfig size\trender\twrite\treload\tnew config -> running\n'
cat "$summary"
rm -f "$summary"
