#!/usr/bin/env bash
# The account API benchmark (benches/account_api.rs) of another revision and of this tree, side
# by side in one run: both are built in release into one target directory (their dependencies
# are built once), then run alternately, ROUNDS times each, so that what else the machine does
# weighs on both alike. Run from the repository root:
#
#   benches/before_after.sh [REV]          # REV defaults to main
#
# IKE_BENCH_SECONDS (default 10) is each throughput run's length; ROUNDS (default 2); the target
# directory is CARGO_TARGET_DIR (default target/bench-before-after; delete its release/ after).
# Both benches run the same `ike` binary (this tree's) for their `ike login` part: the server
# under test is the bench's own, in-process account API.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-main}
rounds=${ROUNDS:-2}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target/bench-before-after}
before=$CARGO_TARGET_DIR/before-src
rm -rf "$before" && mkdir -p "$before"
git archive "$rev" | tar -x -C "$before"

bench_binary() {  # the bench executable cargo built for the manifest $1
  cargo bench -q --manifest-path "$1" --bench account_api --no-run --message-format=json 2>/dev/null \
    | grep -o '"executable":"[^"]*account_api[^"]*"' | tail -1 | cut -d'"' -f4
}
echo "building $rev and this tree (release)" >&2
cargo build -q --release --bins
after_bin=$(bench_binary Cargo.toml)
before_bin=$(bench_binary "$before/Cargo.toml")
[ -x "$after_bin" ] && [ -x "$before_bin" ] || { echo "error: a bench did not build" >&2; exit 1; }

summary=$(mktemp)
for round in $(seq "$rounds"); do
  for side in before after; do
    bin=$before_bin; [ $side = after ] && bin=$after_bin
    echo "round $round: $side" >&2
    out=$("$bin")
    printf '%s\n' "$out" > "$CARGO_TARGET_DIR/bench-$round-$side.txt"
    rate=$(grep -m1 'certificates issued' <<<"$out" | sed -E 's/.* s = ([0-9,]+)\/s .*/\1/')
    p99=$(grep -m1 '^   latency' <<<"$out" | sed -E 's/.*p99 ([^,]+),.*/\1/')
    printf '%s\t%s\t%s\t%s\n' "$round" "$side" "$rate" "$p99" >> "$summary"
  done
done
echo
echo "== account API renewals: $rev (before) and this tree (after), ${IKE_BENCH_SECONDS:-10} s each, alternating"
echo "(each run's whole report: $CARGO_TARGET_DIR/bench-ROUND-SIDE.txt)"
printf 'round\tside\trenewals/s\tp99\n'
cat "$summary"
rm -f "$summary"
