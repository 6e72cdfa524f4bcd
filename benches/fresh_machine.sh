#!/usr/bin/env bash
# README's two Set up commands on a "fresh machine": a clean copy of revision REV, an empty
# cargo home (crates are downloaded again), an empty target directory, an empty home (so an
# empty ~/.local/state/ike) and an empty control-plane cache (kube-apiserver and
# kube-controller-manager are built again, with a fresh Go cache). Debian packages stay
# installed: apt-get only finds them there.
#
#   benches/fresh_machine.sh [REV] [up|test|both]      # REV defaults to HEAD, what to both
#
# Prints each phase's wall time and the load (uptime) before and after it; every line the
# commands print is kept, time-stamped, in $OUT/up.log and $OUT/test.log (OUT defaults to
# /tmp/ike-fresh-REV). Needs root (README's commands install Debian packages) and about 15 GB
# of disk under /tmp; deletes the copies afterwards unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-HEAD}
what=${2:-both}
sha=$(git rev-parse --short "$rev")
out=${OUT:-/tmp/ike-fresh-$sha}
rm -rf "$out" && mkdir -p "$out/src" "$out/home" "$out/cargo-home" "$out/k8s"
git archive "$rev" | tar -x -C "$out/src"
# The toolchain stays where rustup put it; everything cargo downloads or builds starts empty.
export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
export PATH=$RUSTUP_HOME/../.cargo/bin:$PATH
export HOME=$out/home CARGO_HOME=$out/cargo-home IKE_K8S_BIN_DIR=$out/k8s
unset CARGO_TARGET_DIR KUBECONFIG
cd "$out/src"

stamp() { while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done; }
load() { uptime | sed 's/.*load average: /load /'; }
# The time of the first line of log $1 matching $2 (or of its last line with $2 = END).
at() {
  if [ "$2" = END ]; then tail -1 "$1" | cut -d' ' -f1
  else grep -m1 -E "$2" "$1" | cut -d' ' -f1; fi
}
span() { awk -v a="$2" -v b="$3" -v what="$1" 'BEGIN { s = b - a; printf "  %-34s %2d min %02d s\n", what, s / 60, s % 60 }'; }

if [ "$what" != test ]; then
  echo "== command 1 ($sha): cargo run --release --bin ike-controller -- local up   [$(load)]"
  start=$(date +%s.%N)
  cargo run --release --bin ike-controller -- local up 2>&1 | stamp > "$out/up.log"
  end=$(date +%s.%N)
  echo "   done [$(load)]"
  ran=$(at "$out/up.log" 'Running `target/release/ike-controller')
  built=$(at "$out/up.log" 'install\] done in|the control plane is built already|done in [0-9]+ s')
  nested=$(at "$out/up.log" 'building ike next to ike-controller')
  nested=${nested:-$end}
  span "cargo (ike-controller, release)" "$start" "$ran"
  span "control plane (install + build)" "$ran" "${built:-$ran}"
  span "start (plane, controller, ...)" "${built:-$ran}" "$nested"
  span "nested build of ike" "$nested" "$end"
  span "command 1 in all" "$start" "$end"
  grep -c ' Compiling ' "$out/up.log" | sed 's/^/  "Compiling" lines: /'
  "$out/src/target/release/ike-controller" local down >/dev/null 2>&1 || true
fi

if [ "$what" != up ]; then
  echo "== command 2 ($sha): cargo run -q --bin ike-controller -- local install && cargo test -- --include-ignored   [$(load)]"
  start=$(date +%s.%N)
  { cargo run -q --bin ike-controller -- local install && cargo test -- --include-ignored; } 2>&1 \
    | stamp > "$out/test.log" || echo "   (command 2 failed: see $out/test.log)"
  end=$(date +%s.%N)
  echo "   done [$(load)]"
  first_test=$(at "$out/test.log" '^[0-9.]+ +Running ')
  span "build (both cargo invocations)" "$start" "${first_test:-$end}"
  span "tests" "${first_test:-$end}" "$end"
  span "command 2 in all" "$start" "$end"
  grep -c ' Compiling ' "$out/test.log" | sed 's/^/  "Compiling" lines: /'
  grep -E '^[0-9.]+ test result:' "$out/test.log" | cut -d' ' -f2- | sed 's/^/  /' || true
fi

if [ "${KEEP:-0}" != 1 ]; then
  rm -rf "$out/src/target" "$out/cargo-home" "$out/k8s"
fi
